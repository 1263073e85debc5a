//! The checklist: every check of the report, in the order it ran, with its
//! result; a failure says what failed, checks not reached say so. Folded to
//! one line per attestation ("24 of 24 checks passed"), opened by itself
//! where a check failed or a required one could not run, that one first.

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

/// Whether a check needs a person's eyes: it failed, or was required and
/// could not run.
fn needs_attention(c: &Check) -> bool {
    c.status == CheckStatus::Failed || (c.required && c.status == CheckStatus::Skipped)
}

/// One attestation's (or the package's) checks behind a one-line summary.
#[component]
fn CheckGroup(heading: String, mut checks: Vec<Check>) -> impl IntoView {
    let passed = checks.iter().filter(|c| c.status == CheckStatus::Passed).count();
    let failed = checks.iter().filter(|c| c.status == CheckStatus::Failed).count();
    let total = checks.len();
    let open = checks.iter().any(needs_attention);
    let tally = match (failed, total - passed - failed) {
        (0, 0) => format!("{passed} of {total} checks passed"),
        (0, other) => format!("{passed} of {total} checks passed, {other} not run"),
        (f, _) => format!("{f} of {total} checks failed"),
    };
    // What needs attention first; the rest in the order they ran.
    checks.sort_by_key(|c| !needs_attention(c));
    let state = if failed > 0 {
        "failed"
    } else if open {
        "incomplete"
    } else {
        "passed"
    };
    view! {
        <details class=format!("check-group check-group--{state}") open=open data-testid="check-group" data-state=state>
            <summary>
                <span class="check-group-heading">{heading}</span>
                ": "
                <span class="check-group-tally">{tally}</span>
            </summary>
            <CheckList checks=checks />
        </details>
    }
}

#[component]
pub fn Checklist(report: Report) -> impl IntoView {
    let package_checks = (!report.checks.is_empty()).then(|| report.checks.clone());
    let source = report.trust_source.clone();
    view! {
        <section id="checks" class="checks" aria-labelledby="checks-heading">
            <h2 id="checks-heading">"Verification checklist"</h2>
            {package_checks.map(|checks| view! { <CheckGroup heading="Package".to_string() checks=checks /> })}
            {report.attestations.into_iter().map(|a| view! {
                <CheckGroup heading=attestation_heading(&a) checks=a.checks />
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
