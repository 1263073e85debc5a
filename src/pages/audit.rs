//! `/audit`: drop, open or paste a lockfile; every registry package version
//! it installs is verified here, as a package page verifies one (the same
//! registry documents, the same worker, the same core), with the integrity
//! the lockfile pins. Nothing leaves the browser but requests to the
//! registry; documents of pinned versions are kept in the browser's cache.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use npm_provenance_core::audit::{AuditEntry, AuditReport, AuditSummary, AuditVerdict};
use npm_provenance_core::lockfile::{Lockfile, MAX_LOCKFILE_BYTES};
use npm_provenance_core::text::visible;
use wasm_bindgen::JsCast;

use crate::components::document_input::DocumentInput;
use crate::settings::use_registry;
use crate::worker::protocol::AuditJob;

/// Package versions in progress at once (their fetches and verification are
/// the workers'): browsers open six connections to a host over HTTP/1.1,
/// and each version needs two documents.
const LANES: usize = 12;
/// Results reach the table at most this often (milliseconds): each update
/// re-sorts the report and redraws the rows in view.
const REDRAW_MS: f64 = 250.0;
/// Table rows are this tall (pixels, as in style/audit.css): the table draws
/// only the rows in view, so three thousand scroll like thirty. Positions
/// are set through the CSS object model (`style:top`), which the page's
/// Content-Security-Policy allows, not as `style` attributes, which it blocks.
const ROW_HEIGHT: f64 = 36.0;
/// Rows drawn above and below the visible ones.
const OVERSCAN: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Verdict,
    Name,
    Repository,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Offers `text` as a file download.
fn download(file_name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(a) = anchor {
        a.set_href(&url);
        a.set_download(file_name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[component]
pub fn AuditPage() -> impl IntoView {
    crate::verifier::use_every_core();
    crate::verifier::warm_up();
    let registry = use_registry();
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title("Audit a lockfile — npm provenance");
    }
    let text = RwSignal::new(String::new());
    let file_name = RwSignal::new(None::<String>);
    let (problem, set_problem) = signal(None::<String>);
    let lockfile = RwSignal::new(None::<Arc<Lockfile>>);
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let (done, set_done) = signal(0usize);
    let running = RwSignal::new(false);
    // Set by Cancel; each run starts with it cleared and its lanes stop on it.
    let cancelled = RwSignal::new(false);
    // Compare each version with its package's earlier ones (one package
    // document per name: opt-in, as the command line's --no-downgrade).
    let compare = RwSignal::new(false);
    let compared = RwSignal::new(false);
    let filter = RwSignal::new(String::new());
    let verdict_filter = RwSignal::new(None::<AuditVerdict>);
    let sort = RwSignal::new(SortKey::Verdict);
    let scroll_top = RwSignal::new(0.0f64);

    let start = move || {
        let input = text.get_untracked();
        if input.trim().is_empty() {
            set_problem.set(Some("Drop, open or paste a lockfile first.".into()));
            return;
        }
        if input.len() > MAX_LOCKFILE_BYTES {
            set_problem.set(Some(format!(
                "The lockfile is larger than {} MB.",
                MAX_LOCKFILE_BYTES >> 20
            )));
            return;
        }
        set_problem.set(None);
        entries.set(Vec::new());
        set_done.set(0);
        lockfile.set(None);
        running.set(true);
        cancelled.set(false);
        let registry_url = registry.0.get_untracked();
        spawn_local(async move {
            let parsed = match crate::verifier::read_lockfile(input, file_name.get_untracked(), registry_url.clone())
                .await
            {
                Ok(l) if l.packages.is_empty() => {
                    // Auditing nothing vouches for nothing.
                    set_problem.set(Some(format!(
                        "No registry package version could be read from this lockfile: nothing to audit ({} entries left out, {} not from the registry).",
                        l.left_out,
                        l.not_from_registry.len()
                    )));
                    running.set(false);
                    return;
                }
                Ok(l) => Arc::new(l),
                Err(e) => {
                    set_problem.set(Some(e));
                    running.set(false);
                    return;
                }
            };
            lockfile.set(Some(parsed.clone()));
            // Lanes take the next package version until none is left (or
            // the audit is cancelled); results reach the table in batches,
            // so that a thousand of them do not redraw it a thousand times.
            let next = Rc::new(Cell::new(0usize));
            let buffer: Rc<RefCell<Vec<AuditEntry>>> = Rc::default();
            let flush = {
                let buffer = buffer.clone();
                move || {
                    let batch: Vec<AuditEntry> = buffer.borrow_mut().drain(..).collect();
                    if !batch.is_empty() {
                        let n = batch.len();
                        entries.update(|v| v.extend(batch));
                        set_done.update(|d| *d += n);
                    }
                }
            };
            let last_flush = Rc::new(Cell::new(now_ms()));
            let compare_history = compare.get_untracked();
            compared.set(compare_history);
            let lanes = (0..LANES).map(|_| {
                let (parsed, next, buffer, registry_url, flush, last_flush) = (
                    parsed.clone(),
                    next.clone(),
                    buffer.clone(),
                    registry_url.clone(),
                    flush.clone(),
                    last_flush.clone(),
                );
                async move {
                    while !cancelled.get_untracked() {
                        let i = next.get();
                        let Some(package) = parsed.packages.get(i) else { break };
                        next.set(i + 1);
                        let job = AuditJob {
                            registry: registry_url.clone(),
                            package: package.clone(),
                            compare_history,
                        };
                        let entry = crate::verifier::audit(job)
                            .await
                            .unwrap_or_else(|e| AuditEntry::error(package, e));
                        buffer.borrow_mut().push(entry);
                        if now_ms() - last_flush.get() >= REDRAW_MS {
                            last_flush.set(now_ms());
                            flush();
                        }
                    }
                }
            });
            futures::future::join_all(lanes).await;
            flush();
            running.set(false);
            // What the workers fetched is kept for the next audit.
            crate::verifier::audit_done();
        });
    };

    let report = Memo::new(move |_| {
        let l = lockfile.get()?;
        Some(AuditReport::new(&l, entries.get()))
    });
    let summary = Memo::new(move |_| report.with(|r| r.as_ref().map(|r| r.summary.clone())));
    let total = Memo::new(move |_| lockfile.with(|l| l.as_ref().map_or(0, |l| l.packages.len())));
    // The rows shown: filtered and sorted, as indexes into the report.
    let rows = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let only = verdict_filter.get();
        let key = sort.get();
        report.with(|r| {
            let Some(r) = r else { return Vec::new() };
            let mut rows: Vec<usize> = (0..r.packages.len())
                .filter(|&i| {
                    let e = &r.packages[i];
                    only.is_none_or(|v| e.verdict == v)
                        && (needle.is_empty()
                            || e.name.to_lowercase().contains(&needle)
                            || e.repository
                                .as_deref()
                                .is_some_and(|x| x.to_lowercase().contains(&needle)))
                })
                .collect();
            match key {
                // The report is already in verdict order.
                SortKey::Verdict => {}
                SortKey::Name => rows.sort_by(|&a, &b| r.packages[a].name.cmp(&r.packages[b].name)),
                SortKey::Repository => rows.sort_by(|&a, &b| {
                    let repo = |i: usize| r.packages[i].repository.clone().unwrap_or_else(|| "~".into());
                    repo(a).cmp(&repo(b))
                }),
            }
            rows
        })
    });

    // The rows in view (and their places), compared with the last ones: while
    // an audit runs, results arrive every 250 ms, mostly below the rows in
    // view, and redrawing those unchanged cost the page's thread about 20 ms
    // a time (layout and text shaping of some 250 cells; Chromium trace of
    // the 1,000-package bench).
    let in_view = Memo::new(move |_| {
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let visible_rows = 30 + 2 * OVERSCAN;
        rows.with(|rows| {
            report.with(|r| {
                let Some(r) = r else { return Vec::new() };
                rows.iter()
                    .skip(first)
                    .take(visible_rows)
                    .enumerate()
                    .filter_map(|(k, &i)| Some(((first + k) as f64 * ROW_HEIGHT, r.packages.get(i)?.clone())))
                    .collect::<Vec<_>>()
            })
        })
    });

    let export = move |format: &'static str| {
        report.with_untracked(|r| {
            let Some(r) = r else { return };
            match format {
                "json" => download(
                    "npm-provenance-audit.json",
                    "application/json",
                    &serde_json::to_string_pretty(r).unwrap_or_default(),
                ),
                _ => download("npm-provenance-audit.csv", "text/csv", &r.to_csv()),
            }
        })
    };

    let count_button = move |verdict: Option<AuditVerdict>, label: &'static str, count: usize| {
        view! {
            <button type="button" class="secondary count" data-verdict-filter=verdict.map_or("all", |v| v.label())
                aria-pressed=move || (verdict_filter.get() == verdict).to_string()
                on:click=move |_| verdict_filter.set(verdict)>
                <strong>{count}</strong> " " {label}
            </button>
        }
    };

    view! {
        <section class="audit">
            <h1>"Audit a lockfile"</h1>
            <p class="lead">"Every package your lockfile installs, verified in this page: provenance, npm's publish attestation, registry signatures, and the integrity the lockfile pins. Nothing is uploaded; only the registry is asked for its documents."</p>
            <form on:submit=move |ev| { ev.prevent_default(); start(); }>
                <DocumentInput id="lockfile" rows=8 limit=MAX_LOCKFILE_BYTES text=text file_name=file_name problem=set_problem
                    label="package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock or bun.lock"
                    placeholder="Paste a lockfile here, or drop one" open_label="Open a lockfile" />
                <label class="option">
                    <input type="checkbox" data-testid="compare-history"
                        prop:checked=move || compare.get()
                        on:change=move |ev| compare.set(event_target_checked(&ev)) />
                    " Compare each version with its package's earlier versions (fetches each package's document once: slower, and heavier on the registry)"
                </label>
                {move || problem.get().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
                <div class="form-actions">
                    <button type="submit" disabled=move || running.get()>{move || if running.get() { "Auditing…" } else { "Audit" }}</button>
                    <Show when=move || running.get()>
                        <button type="button" class="secondary" on:click=move |_| cancelled.set(true)>"Cancel"</button>
                    </Show>
                </div>
            </form>
            {move || (total.get() > 0).then(|| view! {
                <div class="audit-progress" data-testid="audit-progress">
                    <progress max=move || total.get() value=move || done.get()></progress>
                    <span>{move || format!("{} of {} package versions checked", done.get(), total.get())}
                        {move || (!running.get() && done.get() < total.get()).then_some(" (cancelled)")}</span>
                </div>
            })}
            {move || summary.get().map(|s: AuditSummary| view! {
                <section class="audit-summary" aria-labelledby="audit-summary-heading" data-testid="audit-summary">
                    <h2 id="audit-summary-heading">{s.coverage()}</h2>
                    <div class="counts" role="group" aria-label="Show only">
                        {count_button(None, "all", s.total)}
                        {count_button(Some(AuditVerdict::Failed), "failed", s.failed)}
                        {count_button(Some(AuditVerdict::Error), "errors", s.error)}
                        {count_button(Some(AuditVerdict::Incomplete), "incomplete", s.incomplete)}
                        {count_button(Some(AuditVerdict::None), "without provenance", s.none)}
                        {count_button(Some(AuditVerdict::Verified), "verified", s.verified)}
                    </div>
                    {move || compared.get().then(|| {
                        let dropped: Vec<AuditEntry> = report.with_untracked(|r| r.as_ref().map(|r| {
                            r.packages.iter().filter(|e| e.downgrade.is_some()).cloned().collect()
                        }).unwrap_or_default());
                        let unchecked = report.with_untracked(|r| r.as_ref().map_or(0, |r| {
                            r.packages.iter().filter(|e| e.trust.is_some() && !e.downgrade_checked).count()
                        }));
                        view! {
                            <div class="downgrades" data-testid="audit-downgrades">
                                {if dropped.is_empty() {
                                    view! { <p class="ok-line">"No package version was published with weaker evidence than an earlier version of its release line."</p> }.into_any()
                                } else {
                                    view! {
                                        <p class="warn-line"><strong>{format!("{} package versions dropped evidence compared with earlier versions", dropped.len())}</strong></p>
                                        <ul>{dropped.into_iter().map(|e| {
                                            let href = registry.href(&format!("/package/{}/v/{}", e.name, e.version));
                                            view! { <li><a href=href>{format!("{}@{}", visible(&e.name), visible(&e.version))}</a> ": "
                                                {e.downgrade.as_ref().map(|d| visible(&d.sentence)).unwrap_or_default()}</li> }
                                        }).collect_view()}</ul>
                                    }.into_any()
                                }}
                                {(unchecked > 0).then(|| view! {
                                    <p class="muted">{format!("{unchecked} package versions could not be compared: their package document could not be had.")}</p>
                                })}
                            </div>
                        }
                    })}
                    {(s.not_from_registry > 0).then(|| view! {
                        <details class="not-from-registry">
                            <summary>{format!("{} dependencies do not come from the registry (not verified)", s.not_from_registry)}</summary>
                            <ul>{lockfile.get_untracked().map(|l| l.not_from_registry.iter().map(|d| view! {
                                <li>{visible(&d.name)} " — " {format!("{:?}", d.kind)} " " <code>{visible(&d.source)}</code></li>
                            }).collect_view())}</ul>
                        </details>
                    })}
                    {(s.problems > 0).then(|| view! {
                        <details class="problems">
                            <summary>{format!("{} lockfile entries left out", s.problems)}</summary>
                            <ul>{lockfile.get_untracked().map(|l| l.problems.iter().map(|p| view! { <li>{visible(p)}</li> }).collect_view())}</ul>
                        </details>
                    })}
                    <div class="form-actions">
                        <button type="button" class="secondary" on:click=move |_| export("json")>"Export JSON"</button>
                        <button type="button" class="secondary" on:click=move |_| export("csv")>"Export CSV"</button>
                    </div>
                </section>
            })}
            {move || (total.get() > 0).then(|| view! {
                <div class="audit-controls">
                    <label for="audit-filter">"Filter"</label>
                    <input id="audit-filter" type="search" placeholder="name or repository"
                        prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                    <span class="shown">{move || format!("{} shown", rows.with(Vec::len))}</span>
                </div>
                <div class="audit-table" role="table" aria-label="Package versions" aria-rowcount=move || rows.with(Vec::len) + 1
                    data-testid="audit-table"
                    on:scroll=move |ev| {
                        let el: web_sys::Element = event_target(&ev);
                        scroll_top.set(el.scroll_top() as f64);
                    }>
                    <div class="audit-row audit-head" role="row">
                        <span role="columnheader"><button type="button" class="link" on:click=move |_| sort.set(SortKey::Verdict)>"Verdict"</button></span>
                        <span role="columnheader">"Trust"</span>
                        <span role="columnheader"><button type="button" class="link" on:click=move |_| sort.set(SortKey::Name)>"Package"</button></span>
                        <span role="columnheader"><button type="button" class="link" on:click=move |_| sort.set(SortKey::Repository)>"Source (certificate)"</button></span>
                        <span role="columnheader">"Why"</span>
                    </div>
                    <div class="audit-body" style:height=move || format!("{}px", rows.with(Vec::len) as f64 * ROW_HEIGHT)>
                        {move || {
                            let registry = registry;
                            in_view.get().into_iter().map(|(top, e)| {
                                    let href = registry.href(&format!("/package/{}/v/{}", e.name, e.version));
                                    view! {
                                        <div class="audit-row" role="row" data-verdict=e.verdict.label() style:top=format!("{top}px")>
                                            <span role="cell" class="verdict-cell">{e.verdict.label()}</span>
                                            <span role="cell" data-trust=e.trust.map(|t| t.key()).unwrap_or("failed")>
                                                {e.downgrade.as_ref().map(|d| view! { <span class="dropped" title=visible(&d.sentence) aria-label="dropped: ">"↓ "</span> })}
                                                {e.trust.map(|t| t.label()).unwrap_or("—")}</span>
                                            <span role="cell"><a href=href>{format!("{}@{}", visible(&e.name), visible(&e.version))}</a>
                                                {e.direct.then_some(" ")}{e.direct.then(|| view! { <small class="tag">"direct"</small> })}
                                                {e.dev.then(|| view! { <small class="tag">"dev"</small> })}</span>
                                            <span role="cell">{e.repository.as_deref().map(visible).unwrap_or_default()}</span>
                                            <span role="cell" class="why" title=e.reason.as_deref().map(visible).unwrap_or_default()>{e.reason.as_deref().map(visible).unwrap_or_default()}</span>
                                        </div>
                                    }
                                }).collect::<Vec<_>>()
                        }}
                    </div>
                </div>
            })}
        </section>
    }
}
