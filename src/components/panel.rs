//! The provenance panel, as npmjs.com shows it: where and how the package was
//! built, with links to the build, the commit, the build file and the log.

use leptos::prelude::*;
use npm_provenance_core::links::https_url;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Link, ProvenanceSummary};

use crate::format::readable;

/// An anchor only for URLs that pass the core's `https:` check, text otherwise.
pub fn link_or_text(text: String, url: Option<&str>, class: &'static str) -> AnyView {
    match url.and_then(https_url) {
        Some(href) => {
            view! { <a class=class href=href rel="noopener noreferrer nofollow">{visible(&text)}</a> }.into_any()
        }
        None => view! { <span class=class>{visible(&text)}</span> }.into_any(),
    }
}

fn row(label: &'static str, link: Option<Link>, testid: &'static str) -> impl IntoView {
    link.map(|l| {
        view! {
            <div class="panel-row" data-testid=testid>
                <dt>{label}</dt>
                <dd>{link_or_text(l.text, l.url.as_deref(), "panel-link")}</dd>
            </div>
        }
    })
}

/// `verified`: whether the package version as a whole verified. The summary
/// exists whenever its provenance attestation verified, but a version can
/// still fail (a publish attestation, a registry signature): then the panel
/// says so instead of vouching for the claims.
#[component]
pub fn ProvenancePanel(summary: ProvenanceSummary, verified: bool) -> impl IntoView {
    let published = summary
        .published_at
        .as_deref()
        .map(|t| readable(t).unwrap_or_else(|| t.to_string()));
    let from_predicate = (!summary.from_predicate.is_empty()).then(|| summary.from_predicate.join(", "));
    let build_summary = summary.build_summary_url.clone().and_then(|u| https_url(&u));
    // A run the certificate names that is not linked (an unrecognised
    // issuer's claim): shown as text.
    let build_summary_text = build_summary.is_none().then(|| summary.build_summary.clone()).flatten();
    let recognised = summary.recognised_issuer;
    view! {
        <section
            id="provenance"
            class=if verified { "panel" } else { "panel panel--unverified" }
            aria-labelledby="provenance-heading"
            data-testid="provenance-panel"
            data-verified=verified.to_string()
        >
            <h2 id="provenance-heading">"Provenance"</h2>
            {(!verified).then(|| view! {
                <p class="panel-unverified" role="note" data-testid="panel-unverified">
                    "Not verified: this version did not pass every check (see the checklist). "
                    "These are the claims of its provenance attestation, for reference; do not rely on them."
                </p>
            })}
            <p class="panel-headline">
                <span class="panel-check" aria-hidden="true">{if verified { "✓" } else { "!" }}</span>
                {summary.headline.clone()}
            </p>
            {(!recognised).then(|| view! {
                <p class="panel-unverified" role="note" data-testid="panel-unrecognised-issuer">
                    "This certificate's issuer is not the CI service of the repository's host, so nothing here is presented as that service's: "
                    "the repository, commit and build file are what the issuer states, shown as text."
                </p>
            })}
            {build_summary.map(|href| view! {
                <p><a class="panel-build-summary" href=href rel="noopener noreferrer nofollow" data-testid="build-summary">"View build summary"</a></p>
            })}
            {build_summary_text.map(|text| view! {
                <p data-testid="build-summary-text">"Build: " {visible(&text)}</p>
            })}
            <dl class="panel-rows">
                {row("Source Commit", summary.source_commit.clone(), "source-commit")}
                {row("Build File", summary.build_file.clone(), "build-file")}
                {row("Public Ledger", summary.public_ledger.clone(), "public-ledger")}
                {published.map(|p| view! { <div class="panel-row"><dt>"Published"</dt><dd>{p}</dd></div> })}
            </dl>
            {from_predicate.map(|f| view! {
                <p class="panel-note">
                    "Shown from the build's own statement, because the certificate carries no claim for it: " {f} "."
                </p>
            })}
        </section>
    }
}
