//! A whole report: first what a person must know (verdict and its warning
//! signs, the provenance panel, how it was published), then the evidence,
//! folded (checklist, signer, log, documents). Shared by the package page,
//! which puts its own sections between the two, and the inspector.

use leptos::prelude::*;
use npm_provenance_core::{Report, Verdict};

use crate::components::checklist::Checklist;
use crate::components::identity::IdentityDetails;
use crate::components::json_view::{JsonView, pretty};
use crate::components::log_evidence::LogEvidence;
use crate::components::panel::ProvenancePanel;
use crate::components::trust::TrustSignals;
use crate::components::verdict::VerdictBanner;

/// The answer: verdict, provenance panel, trust level.
#[component]
pub fn ReportSummary(report: Report) -> impl IntoView {
    view! {
        <VerdictBanner report=report.clone() />
        {report.provenance.clone().map(|summary| view! { <ProvenancePanel summary=summary verified=report.verdict == Verdict::Verified /> })}
        <TrustSignals report=report.clone() />
    }
}

/// The evidence behind the answer, each part folded to a line.
#[component]
pub fn ReportEvidence(report: Report, #[prop(optional)] raw_json: Option<String>) -> impl IntoView {
    let statements: Vec<(String, String)> = report
        .attestations
        .iter()
        .filter_map(|a| {
            let json = serde_json::to_string_pretty(a.statement.as_ref()?).ok()?;
            Some((format!("Decoded statement: {}", a.kind.label()), json))
        })
        .collect();
    view! {
        <Checklist report=report.clone() />
        <IdentityDetails report=report.clone() />
        <LogEvidence report=report.clone() />
        <details id="documents" class="documents fold" data-testid="documents">
            <summary><h2>"Documents"</h2><span class="fold-hint">"the signed statements, the raw JSON and this report"</span></summary>
            {statements.into_iter().map(|(title, json)| view! { <JsonView title=title json=json /> }).collect_view()}
            {raw_json.map(|raw| view! { <JsonView title="Raw attestations / bundle JSON".to_string() json=pretty(&raw) /> })}
            <JsonView title="Verification report (JSON)".to_string() json=serde_json::to_string_pretty(&report).unwrap_or_default() />
        </details>
    }
}

#[component]
pub fn ReportView(report: Report, #[prop(optional)] raw_json: Option<String>) -> impl IntoView {
    view! {
        <div class="report">
            <ReportSummary report=report.clone() />
            <ReportEvidence report=report raw_json=raw_json.unwrap_or_default() />
        </div>
    }
}

/// A short index of a page's sections, for the reader who wants the
/// evidence without scrolling past everything else. Opening a folded
/// section's link opens it.
#[component]
pub fn PageIndex(entries: Vec<(&'static str, &'static str)>) -> impl IntoView {
    view! {
        <nav class="page-index" aria-label="On this page" data-testid="page-index">
            <ul>
                {entries.into_iter().map(|(id, label)| {
                    let href = format!("#{id}");
                    view! {
                        <li><a href=href on:click=move |ev| {
                            // The router would treat the link as navigation;
                            // scroll to the section (opening it if folded) instead.
                            ev.prevent_default();
                            let target = web_sys::window()
                                .and_then(|w| w.document())
                                .and_then(|d| d.get_element_by_id(id));
                            if let Some(el) = target {
                                if let Some(details) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlDetailsElement>(&el) {
                                    details.set_open(true);
                                }
                                el.scroll_into_view();
                                if let Some(summary) = el.query_selector("summary, h2").ok().flatten()
                                    && let Some(focusable) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&summary)
                                {
                                    let _ = focusable.focus();
                                }
                            }
                        }>{label}</a></li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}
