//! The verdict banner: the first thing a person reads, unmistakable at a
//! glance. A version with warning signs (a downgrade, a build that moved)
//! is amber whatever its verdict, with each sign in a sentence: valid
//! provenance from a hijacked workflow is still valid, and the change is
//! what a person must see before the evidence.

use leptos::prelude::*;
use npm_provenance_core::report::SignalKind;
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

/// What the verdict means for someone about to install the version, in
/// plain words, before any check's detail.
pub fn meaning(report: &Report) -> &'static str {
    let downgrade = report.signals.iter().any(|s| s.kind == SignalKind::Downgrade);
    let moved = report.signals.iter().any(|s| s.kind == SignalKind::BuildChanged);
    match report.verdict {
        Verdict::Failed => {
            "Do not install this version until this is explained: what the registry serves does not match what \
             was signed for it. It may have been tampered with, or the registry serves something else."
        }
        Verdict::Incomplete => {
            "Not everything needed to vouch for this version could be checked: do not rely on it until it can be."
        }
        Verdict::Error => "Nothing could be checked, so nothing here vouches for this version. Try again.",
        _ if downgrade => {
            "Weaker evidence than before, as a stolen token gives: ask the maintainers before installing it."
        }
        _ if moved => {
            "Valid signatures, but built differently from the version before, as a hijacked workflow is: ask the \
             maintainers before installing it."
        }
        Verdict::NoProvenance => {
            "This version was published without provenance: nothing signed says where or how it was built. Common \
             for older packages; compare with the versions around it."
        }
        Verdict::Verified => "",
    }
}

#[component]
pub fn VerdictBanner(report: Report) -> impl IntoView {
    let (mut icon, mut modifier) = verdict_style(report.verdict);
    let attention = !report.signals.is_empty() && report.verdict != Verdict::Failed;
    if attention {
        (icon, modifier) = ("⚠", "attention");
    }
    let label = if attention && report.verdict == Verdict::Verified {
        "Provenance verified, with warning signs".to_string()
    } else {
        report.verdict_label().to_string()
    };
    let failed_check = report.first_failure().map(|(kind, check)| {
        let whose = kind.map(|k| format!(" ({})", k.label())).unwrap_or_default();
        format!("Failed check: {}{whose}", check.title)
    });
    let meaning = meaning(&report);
    // Downgrades in their sentence; build changes under one heading, one
    // line each (five sentences saying "since 1.0.0" fill a phone's screen).
    let downgrades: Vec<_> = report
        .signals
        .iter()
        .filter(|s| s.kind == SignalKind::Downgrade)
        .cloned()
        .collect();
    let mut since = String::new();
    let changes: Vec<(String, String, String, bool)> = report
        .signals
        .iter()
        .filter(|s| s.kind == SignalKind::BuildChanged)
        .filter_map(|s| {
            since = s.since.clone().unwrap_or_default();
            let c = s.change.as_ref()?;
            Some((c.what.clone(), c.before.clone(), c.after.clone(), c.signed))
        })
        .collect();
    let downgrade_from = report.downgrade.as_ref().map(|d| d.version.clone());
    view! {
        <section
            id="verdict"
            class=format!("verdict verdict--{modifier}")
            role="status"
            aria-live="polite"
            data-verdict=verdict_style(report.verdict).1
            data-attention=attention.to_string()
        >
            <span class="verdict-icon" aria-hidden="true">{icon}</span>
            <div>
                <h2 class="verdict-label">{label}</h2>
                {(!meaning.is_empty()).then(|| view! { <p class="verdict-meaning" data-testid="verdict-meaning">{meaning}</p> })}
                {(!downgrades.is_empty() || !changes.is_empty()).then(|| view! {
                    <ul class="verdict-signals" data-testid="signals">
                        {downgrades.into_iter().map(|s| view! {
                            <li data-signal="downgrade" data-testid="downgrade" data-downgrade-from=downgrade_from.clone()>
                                <strong>"Downgrade. "</strong>{visible(&s.sentence)}
                            </li>
                        }).collect_view()}
                        {(!changes.is_empty()).then(|| view! {
                            <li data-signal="build-changed">
                                <strong>{format!("Built differently from {}:", visible(&since))}</strong>
                                <ul class="verdict-changes">
                                    {changes.into_iter().map(|(what, before, after, signed)| view! {
                                        <li data-change=what.clone()>
                                            {format!("{what}: ")}<code>{visible(&before)}</code>" → "<code>{visible(&after)}</code>
                                            {(!signed).then_some(" (the registry's word)")}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </li>
                        })}
                    </ul>
                })}
                {failed_check.map(|f| view! { <p class="verdict-failed-check">{f}</p> })}
                // With warning signs, the signs are the summary (the panel
                // below says what was built, from where).
                {(!attention).then(|| view! { <p class="verdict-summary">{visible(&report.summary)}</p> })}
            </div>
        </section>
    }
}
