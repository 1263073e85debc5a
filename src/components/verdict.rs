//! The verdict banner: the first thing a person reads, unmistakable at a glance.

use leptos::prelude::*;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Report, Verdict};

/// Icon and CSS modifier of a verdict.
pub fn verdict_style(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Verified => ("✓", "verified"),
        Verdict::Failed => ("✗", "failed"),
        Verdict::NoProvenance => ("○", "none"),
        Verdict::Incomplete => ("!", "incomplete"),
        Verdict::Error => ("!", "error"),
    }
}

#[component]
pub fn VerdictBanner(report: Report) -> impl IntoView {
    let (icon, modifier) = verdict_style(report.verdict);
    let label = report.verdict_label();
    let failed_check = report.first_failure().map(|(kind, check)| {
        let whose = kind.map(|k| format!(" ({})", k.label())).unwrap_or_default();
        format!("Failed check: {}{whose}", check.title)
    });
    view! {
        <section class=format!("verdict verdict--{modifier}") role="status" aria-live="polite" data-verdict=modifier>
            <span class="verdict-icon" aria-hidden="true">{icon}</span>
            <div>
                <h2 class="verdict-label">{label}</h2>
                {failed_check.map(|f| view! { <p class="verdict-failed-check">{f}</p> })}
                <p class="verdict-summary">{visible(&report.summary)}</p>
            </div>
        </section>
    }
}
