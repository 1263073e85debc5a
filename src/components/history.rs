//! Every version of a package with its publish date and provenance status,
//! verified lazily as rows scroll into view, a few at a time, with a warning
//! where provenance disappears or the build moves to another repository or
//! workflow.

use std::collections::{HashMap, VecDeque};

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use npm_provenance_core::lookup::{Depth, Question};
use npm_provenance_core::overview::PackageOverview;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Report, TrustLevel, Verdict};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IntersectionObserver, IntersectionObserverEntry};

use crate::format::date;
use crate::protocol::LookupRequest;
use crate::settings::use_registry;

/// Registry requests the history makes at once.
const MAX_IN_FLIGHT: usize = 3;
/// Rows shown before "Show all".
const INITIAL_ROWS: usize = 100;

/// Which rows the history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    /// Failed, incomplete, errors, downgrades and builds that moved: what
    /// is known so far (rows verify as they are shown).
    Problems,
    Level(TrustLevel),
}

impl Filter {
    const CHOICES: [(Filter, &'static str, &'static str); 6] = [
        (Filter::All, "all", "All"),
        (Filter::Problems, "problems", "Problems"),
        (
            Filter::Level(TrustLevel::TrustedPublisher),
            "trusted-publisher",
            "Trusted publisher",
        ),
        (Filter::Level(TrustLevel::Provenance), "provenance", "Provenance"),
        (
            Filter::Level(TrustLevel::RegistrySignature),
            "registry-signature",
            "Registry signature only",
        ),
        (Filter::Level(TrustLevel::None), "none", "None"),
    ];

    fn keeps(self, status: &RowStatus, trust: Option<&RowTrust>, warned: bool) -> bool {
        match self {
            Filter::All => true,
            Filter::Problems => {
                warned
                    || trust.is_some_and(|t| t.downgrade.is_some())
                    || matches!(
                        status,
                        RowStatus::Failed(_) | RowStatus::Incomplete | RowStatus::Error(_)
                    )
            }
            Filter::Level(level) => trust.and_then(|t| t.level) == Some(level),
        }
    }
}

/// A row's trust level and downgrade: first as the registry lists the
/// version (its word), then as its verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowTrust {
    pub level: Option<TrustLevel>,
    pub downgrade: Option<String>,
    /// From the listing, not verified yet.
    pub listed: bool,
}

impl RowTrust {
    fn of_report(report: &Report) -> Self {
        Self {
            level: report.trust,
            downgrade: report.downgrade.as_ref().map(|d| d.sentence.clone()),
            listed: false,
        }
    }
}

/// What is known of a version's provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowStatus {
    NotChecked,
    Checking,
    Verified {
        repository: Option<String>,
        build_file: Option<String>,
    },
    Failed(String),
    /// Nothing failed, but a required check could not run.
    Incomplete,
    NoProvenance,
    Error(String),
}

impl RowStatus {
    /// The row status a report implies.
    pub fn from_report(report: &Report) -> Self {
        match report.verdict {
            Verdict::Verified => Self::Verified {
                repository: report
                    .provenance
                    .as_ref()
                    .and_then(|p| p.source_repository.as_ref())
                    .map(|l| l.text.clone()),
                build_file: report
                    .provenance
                    .as_ref()
                    .and_then(|p| p.build_file.as_ref())
                    .map(|l| l.text.clone()),
            },
            Verdict::NoProvenance => Self::NoProvenance,
            Verdict::Failed => Self::Failed(report.first_failure().map(|(_, c)| c.title.clone()).unwrap_or_default()),
            Verdict::Incomplete => Self::Incomplete,
            Verdict::Error => Self::Error(report.summary.clone()),
        }
    }
}

/// Warnings over a history (newest first) whose statuses are known so far:
/// where the build moves to another repository or workflow. (Provenance
/// that disappears is a downgrade, judged by the core's rules per release
/// line: [`RowTrust`].)
pub fn history_warnings(versions_newest_first: &[(String, RowStatus)]) -> HashMap<String, String> {
    let mut warnings = HashMap::new();
    let mut last_verified: Option<(&str, &Option<String>, &Option<String>)> = None;
    for (version, status) in versions_newest_first.iter().rev() {
        let RowStatus::Verified { repository, build_file } = status else {
            continue;
        };
        if let Some((prev, prev_repo, prev_file)) = last_verified {
            if repository != prev_repo {
                warnings.insert(
                    version.clone(),
                    format!(
                        "Built from {}, but {prev} was built from {}.",
                        repository.as_deref().unwrap_or("an unnamed repository"),
                        prev_repo.as_deref().unwrap_or("an unnamed repository")
                    ),
                );
            } else if build_file != prev_file {
                warnings.insert(
                    version.clone(),
                    format!(
                        "Built by {}, but {prev} was built by {}.",
                        build_file.as_deref().unwrap_or("an unnamed workflow"),
                        prev_file.as_deref().unwrap_or("an unnamed workflow")
                    ),
                );
            }
        }
        last_verified = Some((version, repository, build_file));
    }
    warnings
}

#[derive(Clone, Copy)]
struct Context {
    queue: Queue,
    registry: crate::settings::RegistrySetting,
    name: StoredValue<String>,
}

/// Starts waiting rows' checks while fewer than [`MAX_IN_FLIGHT`] run.
fn pump(ctx: Context) {
    // Every access is a `try_`: a check may finish after the page is gone.
    let queue = ctx.queue;
    while queue.in_flight.try_get_value().is_some_and(|n| n < MAX_IN_FLIGHT) {
        let Some(version) = queue.waiting.try_update_value(|w| w.pop_front()).flatten() else {
            break;
        };
        let Some(status) = queue.statuses.try_with_value(|m| m.get(&version).copied()).flatten() else {
            continue;
        };
        let (Some(registry), Some(name)) = (ctx.registry.0.try_get_untracked(), ctx.name.try_get_value()) else {
            return;
        };
        queue.in_flight.update_value(|n| *n += 1);
        spawn_local(async move {
            // The row's own lookup, its release line compared: the same
            // report its own page shows (the package document is kept by the
            // worker that read it for the page).
            let question = Question::new(&registry, &name, Some(&version), Depth::History);
            let result = match crate::verifier::lookup(LookupRequest {
                question,
                overview: false,
            })
            .await
            {
                Ok(found) => {
                    if let Some(t) = queue.trust.try_with_value(|m| m.get(&version).copied()).flatten() {
                        let _ = t.try_set(RowTrust::of_report(&found.report));
                    }
                    RowStatus::from_report(&found.report)
                }
                Err(e) => RowStatus::Error(e),
            };
            let _ = status.try_set(result);
            let _ = queue.in_flight.try_update_value(|n| *n -= 1);
            pump(ctx);
        });
    }
}

#[derive(Clone, Copy)]
struct Queue {
    statuses: StoredValue<HashMap<String, RwSignal<RowStatus>>>,
    trust: StoredValue<HashMap<String, RwSignal<RowTrust>>>,
    waiting: StoredValue<VecDeque<String>>,
    in_flight: StoredValue<usize>,
}

#[component]
pub fn VersionHistory(
    overview: PackageOverview,
    current: String,
    #[prop(into)] current_report: Signal<Option<Report>>,
) -> impl IntoView {
    let registry = use_registry();
    let name = overview.name.clone();
    let statuses: HashMap<String, RwSignal<RowStatus>> = overview
        .versions
        .iter()
        .map(|v| {
            let status = if v.version == current {
                // Verified by the page; its report fills this row.
                RowStatus::Checking
            } else if v.has_attestations {
                RowStatus::NotChecked
            } else {
                RowStatus::NoProvenance
            };
            (v.version.clone(), RwSignal::new(status))
        })
        .collect();
    // The registry's word until a row is verified (the worker computed it).
    let trust: HashMap<String, RwSignal<RowTrust>> = overview
        .versions
        .iter()
        .map(|v| {
            let row = RowTrust {
                level: Some(v.level),
                downgrade: v.downgrade.clone(),
                listed: true,
            };
            (v.version.clone(), RwSignal::new(row))
        })
        .collect();
    let queue = Queue {
        statuses: StoredValue::new(statuses),
        trust: StoredValue::new(trust),
        waiting: StoredValue::new(VecDeque::new()),
        in_flight: StoredValue::new(0),
    };
    // The version on the page is verified by the page: reuse its report.
    {
        let current = current.clone();
        Effect::new(move |_| {
            if let Some(report) = current_report.get()
                && let Some(s) = queue.statuses.with_value(|m| m.get(&current).copied())
            {
                s.set(RowStatus::from_report(&report));
                if let Some(t) = queue.trust.with_value(|m| m.get(&current).copied()) {
                    t.set(RowTrust::of_report(&report));
                }
            }
        });
    }
    let ctx = Context {
        queue,
        registry,
        name: StoredValue::new(name.clone()),
    };
    let enqueue = move |version: String| {
        let Some(status) = queue.statuses.with_value(|m| m.get(&version).copied()) else {
            return;
        };
        if status.get_untracked() != RowStatus::NotChecked {
            return;
        }
        status.set(RowStatus::Checking);
        queue.waiting.update_value(|w| w.push_back(version));
        pump(ctx);
    };

    let total = overview.versions.len();
    let (shown, set_shown) = signal(INITIAL_ROWS.min(total));
    let rows = overview.versions;
    let rows_for_warnings = rows.clone();
    let warnings = Memo::new(move |_| {
        let known: Vec<(String, RowStatus)> = rows_for_warnings
            .iter()
            .map(|v| {
                let status = queue
                    .statuses
                    .with_value(|m| m.get(&v.version).map(|s| s.get()))
                    .unwrap_or(RowStatus::NotChecked);
                (v.version.clone(), status)
            })
            .collect();
        history_warnings(&known)
    });
    // What screen readers hear as late verdicts arrive: one polite summary
    // of the rows checked so far (a live region per row would talk over
    // itself while a long history verifies).
    let rows_for_summary = rows.clone();
    let announcement = Memo::new(move |_| {
        let (mut checked, mut verified, mut failed) = (0, 0, 0);
        for v in &rows_for_summary {
            match queue.statuses.with_value(|m| m.get(&v.version).map(|s| s.get())) {
                None | Some(RowStatus::NotChecked | RowStatus::Checking) => {}
                Some(status) => {
                    checked += 1;
                    match status {
                        RowStatus::Verified { .. } => verified += 1,
                        RowStatus::Failed(_) => failed += 1,
                        _ => {}
                    }
                }
            }
        }
        (checked > 0).then(|| format!("{checked} checked: {verified} verified, {failed} failed."))
    });

    // Verify rows as they scroll into view.
    let tbody = NodeRef::<html::Tbody>::new();
    let observer = StoredValue::new_local(None::<IntersectionObserver>);
    Effect::new(move |_| {
        let _ = shown.get();
        let Some(tbody) = tbody.get() else { return };
        if observer.with_value(Option::is_none) {
            let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                for entry in entries.iter() {
                    let entry: IntersectionObserverEntry = entry.unchecked_into();
                    if entry.is_intersecting()
                        && let Some(v) = entry.target().get_attribute("data-version")
                    {
                        enqueue(v);
                    }
                }
            });
            let options = web_sys::IntersectionObserverInit::new();
            options.set_root_margin("200px");
            if let Ok(o) = IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options) {
                observer.set_value(Some(o));
            }
            callback.forget();
        }
        // Observe the rows after they are in the document.
        request_animation_frame(move || {
            observer.with_value(|o| {
                if let Some(o) = o {
                    let rows = tbody.query_selector_all("tr[data-version]");
                    if let Ok(rows) = rows {
                        for i in 0..rows.length() {
                            if let Some(el) = rows.get(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                                o.observe(&el);
                            }
                        }
                    }
                }
            });
        });
    });
    on_cleanup(move || {
        observer.with_value(|o| {
            if let Some(o) = o {
                o.disconnect();
            }
        })
    });

    let filter = RwSignal::new(Filter::All);
    view! {
        <section id="history" class="history" aria-labelledby="history-heading">
            <h2 id="history-heading">"Versions"</h2>
            <p class="hint">{format!("{total} versions, newest first. Each version's provenance is verified as it scrolls into view.")}</p>
            <p class="history-count" role="status" aria-live="polite" data-testid="history-announcement">{move || announcement.get()}</p>
            <fieldset class="history-filter" data-testid="history-filter">
                <legend>"Show"</legend>
                {Filter::CHOICES.into_iter().map(|(choice, key, label)| view! {
                    <label>
                        <input type="radio" name="history-filter" value=key
                            prop:checked=move || filter.get() == choice
                            on:change=move |_| filter.set(choice) />
                        {label}
                    </label>
                }).collect_view()}
            </fieldset>
            <table class="history-table">
                <thead><tr><th scope="col">"Version"</th><th scope="col">"Published"</th><th scope="col">"Provenance"</th><th scope="col">"Trust"</th></tr></thead>
                <tbody node_ref=tbody>
                    {move || {
                        let chosen = filter.get();
                        // Filtered: every matching version (the point is to
                        // find them among thousands); the statuses are read
                        // tracked, so a row that verifies as a problem joins.
                        let limit = if chosen == Filter::All { shown.get() } else { total };
                        rows.iter()
                            .filter(|v| {
                                chosen == Filter::All || {
                                    let status = queue.statuses.with_value(|m| m.get(&v.version).map(|s| s.get())).unwrap_or(RowStatus::NotChecked);
                                    let trust = queue.trust.with_value(|m| m.get(&v.version).map(|t| t.get()));
                                    let warned = warnings.with(|w| w.contains_key(&v.version));
                                    chosen.keeps(&status, trust.as_ref(), warned)
                                }
                            })
                            .take(limit)
                            .map(|v| {
                        let version = v.version.clone();
                        let status = queue.statuses.with_value(|m| m.get(&version).copied());
                        let trust = queue.trust.with_value(|m| m.get(&version).copied());
                        let href = registry.href(&format!("/package/{name}/v/{version}", name = name));
                        let is_current = version == current;
                        let warning_version = version.clone();
                        view! {
                            <tr data-version=version.clone() class:current=is_current aria-current=is_current.then_some("page")>
                                <th scope="row"><a href=href>{visible(&version)}</a></th>
                                <td>{v.published_at.map(date).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    {move || status.map(|s| status_cell(s.get()))}
                                    {move || warnings.with(|w| w.get(&warning_version).cloned()).map(|w| view! {
                                        <p class="history-warning" role="note"><span aria-hidden="true">"⚠ "</span>{visible(&w)}</p>
                                    })}
                                    {move || trust.and_then(|t| t.get().downgrade).map(|d| view! {
                                        <p class="history-warning" role="note" data-testid="history-downgrade"><span aria-hidden="true">"⚠ "</span>{visible(&d)}</p>
                                    })}
                                </td>
                                <td>{move || trust.map(|t| trust_cell(t.get()))}</td>
                            </tr>
                        }
                    }).collect_view()
                    }}
                </tbody>
            </table>
            {move || (filter.get() == Filter::All && shown.get() < total).then(|| view! {
                <button type="button" class="secondary" on:click=move |_| set_shown.set(total)>
                    {format!("Show all {total} versions")}
                </button>
            })}
        </section>
    }
}

fn trust_cell(trust: RowTrust) -> impl IntoView {
    let text = match trust.level {
        None => "—".to_string(),
        // Listed, not verified: say whose word it is.
        Some(level) if trust.listed => format!("{} (as listed)", level.label()),
        Some(level) => level.label().to_string(),
    };
    let key = trust.level.map(TrustLevel::key).unwrap_or("failed");
    view! { <span class="trust-cell" data-trust=key data-listed=trust.listed.to_string()>{text}</span> }
}

fn status_cell(status: RowStatus) -> impl IntoView {
    let (class, text) = match &status {
        RowStatus::NotChecked => ("pending", "Not checked yet".to_string()),
        RowStatus::Checking => ("pending", "Checking…".to_string()),
        RowStatus::Verified { .. } => ("verified", "✓ Verified".to_string()),
        RowStatus::Failed(check) => ("failed", format!("✗ Failed: {}", visible(check))),
        RowStatus::Incomplete => ("incomplete", "! Incomplete".to_string()),
        RowStatus::NoProvenance => ("none", "No provenance".to_string()),
        RowStatus::Error(e) => ("error", format!("Error: {}", visible(e))),
    };
    view! { <span class=format!("status status--{class}") data-status=class>{text}</span> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(repo: &str, file: &str) -> RowStatus {
        RowStatus::Verified {
            repository: Some(repo.into()),
            build_file: Some(file.into()),
        }
    }

    #[test]
    fn warns_when_provenance_disappears_or_moves() {
        // newest first
        let history = vec![
            ("1.3.0".to_string(), verified("github.com/o/r", "b.yml")),
            ("1.2.0".to_string(), verified("github.com/evil/fork", "a.yml")),
            ("1.1.0".to_string(), RowStatus::NoProvenance),
            ("1.0.0".to_string(), verified("github.com/o/r", "a.yml")),
            ("0.9.0".to_string(), RowStatus::NoProvenance),
        ];
        let w = history_warnings(&history);
        // Provenance disappearing is the core's downgrade rule, not a warning here.
        assert!(!w.contains_key("1.1.0"));
        assert!(w["1.2.0"].contains("Built from github.com/evil/fork, but 1.0.0 was built from github.com/o/r"));
        assert!(w["1.3.0"].contains("Built from github.com/o/r, but 1.2.0"));
        assert!(!w.contains_key("0.9.0") && !w.contains_key("1.0.0"));
        let moved_workflow = vec![
            ("2".to_string(), verified("r", "b.yml")),
            ("1".to_string(), verified("r", "a.yml")),
        ];
        assert!(history_warnings(&moved_workflow)["2"].contains("Built by b.yml, but 1 was built by a.yml"));
    }
}
