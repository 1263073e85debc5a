//! A whole report: verdict, panel, checklist, signer, documents. Shared by
//! the package page and the inspector.

use leptos::prelude::*;
use npm_provenance_core::{Report, Verdict};

use crate::components::checklist::Checklist;
use crate::components::identity::IdentityDetails;
use crate::components::json_view::{JsonView, pretty};
use crate::components::log_evidence::LogEvidence;
use crate::components::panel::ProvenancePanel;
use crate::components::trust::TrustSignals;
use crate::components::verdict::VerdictBanner;

#[component]
pub fn ReportView(report: Report, #[prop(optional)] raw_json: Option<String>) -> impl IntoView {
    let statements: Vec<(String, String)> = report
        .attestations
        .iter()
        .filter_map(|a| {
            let json = serde_json::to_string_pretty(a.statement.as_ref()?).ok()?;
            Some((format!("Decoded statement: {}", a.kind.label()), json))
        })
        .collect();
    view! {
        <div class="report">
            <VerdictBanner report=report.clone() />
            {report.provenance.clone().map(|summary| view! { <ProvenancePanel summary=summary verified=report.verdict == Verdict::Verified /> })}
            <TrustSignals report=report.clone() />
            <Checklist report=report.clone() />
            <IdentityDetails report=report.clone() />
            <LogEvidence report=report.clone() />
            <section class="documents" aria-label="Documents">
                {statements.into_iter().map(|(title, json)| view! { <JsonView title=title json=json /> }).collect_view()}
                {raw_json.map(|raw| view! { <JsonView title="Raw attestations / bundle JSON".to_string() json=pretty(&raw) /> })}
                <JsonView title="Verification report (JSON)".to_string() json=serde_json::to_string_pretty(&report).unwrap_or_default() />
            </section>
        </div>
    }
}
