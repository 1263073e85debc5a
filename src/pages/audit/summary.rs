//! What the audit found, said first: what is checked of what is to check,
//! the counts (each a filter), the versions whose evidence dropped, and
//! what was not audited. Nothing is said to be absent before every version
//! was checked: at 31 of 308 no downgrade was found yet, and the run found
//! four.

use leptos::prelude::*;
use npm_provenance_core::audit::{AuditEntry, AuditSummary, AuditVerdict};
use npm_provenance_core::lockfile::NotFromRegistry;
use npm_provenance_core::text::visible;

use super::AuditState;
use super::exports::Exports;
use crate::components::virtual_list::VirtualList;
use crate::settings::use_registry;

/// The summary's heading: the coverage once every version was checked,
/// and until then what is checked of what is to check.
pub fn heading(summary: &AuditSummary, done: usize, total: usize, running: bool) -> String {
    if done >= total {
        summary.coverage()
    } else if running {
        format!("{done} of {total} package versions checked so far")
    } else {
        format!(
            "Cancelled after {done} of {total} package versions: {} of the {done} checked have verified provenance",
            summary.verified
        )
    }
}

#[component]
pub fn Summary(state: AuditState) -> impl IntoView {
    let shown = Memo::new(move |_| state.lockfile.with(Option::is_some));
    let summary = Memo::new(move |_| {
        state
            .report
            .with(|r| r.as_ref().map(|r| r.summary.clone()).unwrap_or_default())
    });
    let count_button = move |verdict: Option<AuditVerdict>, label: &'static str| {
        let count = move || {
            summary.with(|s| match verdict {
                None => s.total,
                Some(AuditVerdict::Failed) => s.failed,
                Some(AuditVerdict::Error) => s.error,
                Some(AuditVerdict::Incomplete) => s.incomplete,
                Some(AuditVerdict::None) => s.none,
                Some(AuditVerdict::Verified) => s.verified,
            })
        };
        view! {
            <button type="button" class="secondary count" data-verdict-filter=verdict.map_or("all", |v| v.label())
                aria-pressed=move || (state.verdict_filter.get() == verdict).to_string()
                on:click=move |_| state.verdict_filter.set(verdict)>
                <strong>{count}</strong> " " {label}
            </button>
        }
    };
    move || {
        shown.get().then(|| {
            view! {
                <section class="audit-summary" aria-labelledby="audit-summary-heading" data-testid="audit-summary">
                    <h2 id="audit-summary-heading">
                        {move || summary.with(|s| heading(s, state.done.get(), state.total.get(), state.running()))}
                    </h2>
                    <div class="counts" role="group" aria-label="Show only">
                        {count_button(None, "all")}
                        {count_button(Some(AuditVerdict::Failed), "failed")}
                        {count_button(Some(AuditVerdict::Error), "errors")}
                        {count_button(Some(AuditVerdict::Incomplete), "incomplete")}
                        {count_button(Some(AuditVerdict::None), "without provenance")}
                        {count_button(Some(AuditVerdict::Verified), "verified")}
                    </div>
                    <Show when=move || state.compared.get()>
                        <Downgrades state=state />
                    </Show>
                    <NotFromRegistryList state=state />
                    <LeftOut state=state />
                    <Exports state=state />
                </section>
            }
        })
    }
}

/// The versions published with weaker evidence than an earlier version of
/// their release line; "none" only once every version was compared.
#[component]
fn Downgrades(state: AuditState) -> impl IntoView {
    let registry = use_registry();
    let dropped = Memo::new(move |_| {
        state.report.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.packages
                        .iter()
                        .filter(|e| e.downgrade.is_some())
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let unchecked = Memo::new(move |_| {
        state.report.with(|r| {
            r.as_ref().map_or(0, |r| {
                r.packages
                    .iter()
                    .filter(|e| e.trust.is_some() && !e.downgrade_checked)
                    .count()
            })
        })
    });
    let count = Signal::derive(move || dropped.with(Vec::len));
    view! {
        <div class="downgrades" data-testid="audit-downgrades">
            {move || {
                let n = count.get();
                if n > 0 {
                    let so_far = if state.complete() { "" } else { " so far" };
                    view! { <p class="warn-line"><strong>{format!("{n} package versions dropped evidence compared with earlier versions{so_far}")}</strong></p> }.into_any()
                } else if state.complete() {
                    view! { <p class="ok-line">"No package version was published with weaker evidence than an earlier version of its release line."</p> }.into_any()
                } else if state.running() {
                    view! { <p class="muted">"None found yet: the versions not checked yet may have dropped evidence."</p> }.into_any()
                } else {
                    view! { <p class="muted">"None found among the versions checked; the audit was cancelled before the others were."</p> }.into_any()
                }
            }}
            <VirtualList len=count estimate=28.0 class="summary-list" label="Versions that dropped evidence" body_role="list"
                rows=move |range| dropped.with(|d| d.get(range).map(<[AuditEntry]>::to_vec).unwrap_or_default())
                row=move |_, e: AuditEntry| {
                    let href = registry.href(&format!("/package/{}/v/{}", e.name, e.version));
                    view! { <div role="listitem"><a href=href>{format!("{}@{}", visible(&e.name), visible(&e.version))}</a> ": "
                        {e.downgrade.as_ref().map(|d| visible(&d.sentence)).unwrap_or_default()}</div> }
                } />
            {move || (unchecked.get() > 0).then(|| view! {
                <p class="muted">{format!("{} package versions could not be compared: their package document could not be had.", unchecked.get())}</p>
            })}
        </div>
    }
}

/// Dependencies from git, folders, links or other addresses: listed, never
/// verified, and drawn as they scroll into view (a monorepo's lockfile can
/// hold a hundred thousand).
#[component]
fn NotFromRegistryList(state: AuditState) -> impl IntoView {
    let count = Signal::derive(move || {
        state
            .lockfile
            .with(|l| l.as_ref().map_or(0, |l| l.not_from_registry.len()))
    });
    move || {
        (count.get() > 0).then(|| {
            view! {
                <details class="not-from-registry">
                    <summary>{move || format!("{} dependencies do not come from the registry (not verified)", count.get())}</summary>
                    <VirtualList len=count estimate=28.0 class="summary-list" label="Dependencies not from the registry"
                        body_role="list" focusable=true testid="not-from-registry-list"
                        rows=move |range| state.lockfile.with(|l| {
                            l.as_ref()
                                .and_then(|l| l.not_from_registry.get(range))
                                .map(<[NotFromRegistry]>::to_vec)
                                .unwrap_or_default()
                        })
                        row=|_, d: NotFromRegistry| view! {
                            <div role="listitem">{visible(&d.name)} " — " {format!("{:?}", d.kind)} " " <code>{visible(&d.source)}</code></div>
                        } />
                </details>
            }
        })
    }
}

/// Lockfile entries the readers could not use, with why.
#[component]
fn LeftOut(state: AuditState) -> impl IntoView {
    let left_out = Signal::derive(move || state.lockfile.with(|l| l.as_ref().map_or(0, |l| l.left_out)));
    let listed = Signal::derive(move || state.lockfile.with(|l| l.as_ref().map_or(0, |l| l.problems.len())));
    move || {
        (left_out.get() > 0).then(|| {
            view! {
                <details class="problems">
                    <summary>{move || format!("{} lockfile entries left out", left_out.get())}</summary>
                    <VirtualList len=listed estimate=28.0 class="summary-list" label="Lockfile entries left out"
                        body_role="list" focusable=true
                        rows=move |range| state.lockfile.with(|l| {
                            l.as_ref().and_then(|l| l.problems.get(range)).map(<[String]>::to_vec).unwrap_or_default()
                        })
                        row=|_, p: String| view! { <div role="listitem">{visible(&p)}</div> } />
                </details>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_said_of_the_whole_before_every_version_is_checked() {
        let so_far = AuditSummary {
            total: 31,
            verified: 31,
            ..Default::default()
        };
        assert_eq!(
            heading(&so_far, 31, 308, true),
            "31 of 308 package versions checked so far"
        );
        assert_eq!(
            heading(&so_far, 31, 308, false),
            "Cancelled after 31 of 308 package versions: 31 of the 31 checked have verified provenance"
        );
        let all = AuditSummary {
            total: 308,
            verified: 300,
            ..Default::default()
        };
        assert_eq!(
            heading(&all, 308, 308, false),
            "300 of 308 package versions have verified provenance (97%)"
        );
    }
}
