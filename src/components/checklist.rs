//! The checklist: every check of the report, in the order it ran, with its
//! result; a failure says what failed, checks not reached say so.

use leptos::prelude::*;
use npm_provenance_core::text::visible;
use npm_provenance_core::{AttestationReport, Check, CheckStatus, Report};

fn status_text(status: CheckStatus) -> (&'static str, &'static str, &'static str) {
    match status {
        CheckStatus::Passed => ("✓", "passed", "Passed"),
        CheckStatus::Failed => ("✗", "failed", "Failed"),
        CheckStatus::NotReached => ("·", "not-reached", "Not reached"),
        CheckStatus::Skipped => ("–", "skipped", "Skipped"),
    }
}

#[component]
fn CheckList(checks: Vec<Check>) -> impl IntoView {
    view! {
        <ol class="checklist">
            {checks.into_iter().map(|c| {
                let (icon, modifier, label) = status_text(c.status);
                view! {
                    <li class=format!("check check--{modifier}") data-check=format!("{:?}", c.id) data-status=modifier>
                        <span class="check-icon" aria-hidden="true">{icon}</span>
                        <span class="visually-hidden">{label} ": "</span>
                        <span class="check-title">{c.title}</span>
                        <span class="check-detail">{visible(&c.detail)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

fn attestation_heading(a: &AttestationReport) -> String {
    match &a.predicate_type {
        Some(t) => format!("{} — {}", a.kind.label(), visible(t)),
        None => a.kind.label().to_string(),
    }
}

#[component]
pub fn Checklist(report: Report) -> impl IntoView {
    let package_checks = (!report.checks.is_empty()).then(|| report.checks.clone());
    let source = report.trust_source.clone();
    view! {
        <section class="checks" aria-labelledby="checks-heading">
            <h2 id="checks-heading">"Verification checklist"</h2>
            {package_checks.map(|checks| view! {
                <h3>"Package"</h3>
                <CheckList checks=checks />
            })}
            {report.attestations.into_iter().map(|a| view! {
                <h3>{attestation_heading(&a)}</h3>
                <CheckList checks=a.checks />
            }).collect_view()}
            {source.map(|s| view! {
                <p class="panel-note" data-testid="trust-source" data-source=s.source.clone()>
                    {format!("Trust material: {}.", npm_provenance_core::text::visible(&s.sentence()))}
                </p>
                {s.warning.map(|w| view! {
                    <p class="panel-note trust-warning" role="alert" data-testid="trust-warning">
                        {format!("Warning: {}", npm_provenance_core::text::visible(&w))}
                    </p>
                })}
            })}
        </section>
    }
}
