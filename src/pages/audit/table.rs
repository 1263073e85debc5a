//! Every package version audited, filterable and sortable, drawn as it
//! scrolls into view. Nothing is cut and nothing is only in a tooltip:
//! cells wrap, and on a narrow screen (a phone, or 200% zoom) each row is a
//! card whose cells say what they are.

use leptos::prelude::*;
use npm_provenance_core::audit::AuditEntry;
use npm_provenance_core::text::visible;

use super::AuditState;
use crate::components::virtual_list::VirtualList;
use crate::settings::use_registry;

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Verdict,
    Name,
    Repository,
}

/// What the Why cell says: the reason it is not verified, and why it is
/// marked as dropped (the sentence a tooltip once held).
fn why(e: &AuditEntry) -> String {
    [e.reason.as_deref(), e.downgrade.as_ref().map(|d| d.sentence.as_str())]
        .into_iter()
        .flatten()
        .map(visible)
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn AuditTable(state: AuditState) -> impl IntoView {
    let registry = use_registry();
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new(SortKey::Verdict);
    // The rows shown: filtered and sorted, as indexes into the report.
    let rows = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let only = state.verdict_filter.get();
        let key = sort.get();
        state.report.with(|r| {
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
    let shown = Signal::derive(move || rows.with(Vec::len));
    let header = move |key: SortKey, label: &'static str| {
        view! {
            <span role="columnheader" aria-sort=move || if sort.get() == key { "ascending" } else { "none" }>
                <button type="button" class="link" on:click=move |_| sort.set(key)>{label}</button>
            </span>
        }
    };
    let has_rows = Memo::new(move |_| state.total.get() > 0);
    move || {
        has_rows.get().then(|| {
            view! {
                <div class="audit-controls">
                    <label for="audit-filter">"Filter"</label>
                    <input id="audit-filter" type="search" placeholder="name or repository"
                        prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                    <span class="shown" aria-live="polite">{move || format!("{} shown", shown.get())}</span>
                </div>
                <VirtualList len=shown estimate=44.0 class="audit-table" role="table" label="Package versions"
                    body_role="rowgroup" testid="audit-table" aria_rowcount=Signal::derive(move || shown.get() + 1)
                    rows=move |range| rows.with(|rows| state.report.with(|r| {
                        let Some(r) = r else { return Vec::new() };
                        rows.get(range).unwrap_or_default().iter().filter_map(|&i| r.packages.get(i).cloned()).collect::<Vec<_>>()
                    }))
                    row=move |index, e: AuditEntry| {
                        let href = registry.href(&format!("/package/{}/v/{}", e.name, e.version));
                        view! {
                            <div class="audit-row" role="row" aria-rowindex=index + 2 data-verdict=e.verdict.label()>
                                <span role="cell" class="verdict-cell">
                                    <span class="cell-label" aria-hidden="true">"Verdict "</span>{e.verdict.label()}
                                </span>
                                <span role="cell" class="trust-cell" data-trust=e.trust.map(|t| t.key()).unwrap_or("failed")>
                                    <span class="cell-label" aria-hidden="true">"Trust "</span>
                                    {e.downgrade.is_some().then(|| view! {
                                        <span class="dropped" aria-hidden="true">"↓ "</span><span class="visually-hidden">"dropped evidence, "</span>
                                    })}
                                    {e.trust.map(|t| t.label()).unwrap_or("—")}
                                </span>
                                <span role="cell" class="package-cell"><a href=href>{format!("{}@{}", visible(&e.name), visible(&e.version))}</a>
                                    {e.direct.then_some(" ")}{e.direct.then(|| view! { <small class="tag">"direct"</small> })}
                                    {e.dev.then(|| view! { <small class="tag">"dev"</small> })}</span>
                                <span role="cell" class="source-cell">
                                    {e.repository.as_deref().map(|r| view! {
                                        <span class="cell-label" aria-hidden="true">"Source "</span>{visible(r)}
                                    })}
                                </span>
                                <span role="cell" class="why">{why(&e)}</span>
                            </div>
                        }
                    }>
                    <div class="audit-row audit-head" role="row" aria-rowindex="1">
                        {header(SortKey::Verdict, "Verdict")}
                        <span role="columnheader">"Trust"</span>
                        {header(SortKey::Name, "Package")}
                        {header(SortKey::Repository, "Source (certificate)")}
                        <span role="columnheader">"Why"</span>
                    </div>
                </VirtualList>
            }
        })
    }
}
