//! What to do when a version does not verify, or verifies with warning
//! signs: the nearest version that verifies cleanly (looked up and verified
//! here, never suggested on the registry's word), and where to report it.

use leptos::prelude::*;
use npm_provenance_core::links::https_url;
use npm_provenance_core::lookup::{Depth, Question};
use npm_provenance_core::overview::PackageOverview;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Report, Verdict};

use crate::protocol::LookupRequest;
use crate::settings::use_registry;

/// Versions tried before giving up on a suggestion (each is one lookup).
const TRIED: usize = 4;

/// The first of `candidates` whose own lookup verifies without a warning
/// sign, in order.
async fn first_clean(registry: String, name: String, candidates: Vec<String>) -> Option<String> {
    for version in candidates {
        let question = Question::new(&registry, &name, Some(&version), Depth::History);
        let request = LookupRequest {
            question,
            overview: false,
        };
        if let Ok(found) = crate::verifier::lookup(request).await
            && found.report.verdict == Verdict::Verified
            && found.report.signals.is_empty()
        {
            return Some(version);
        }
    }
    None
}

/// The repository's issue tracker, from a certificate whose issuer is the
/// CI of the repository's host (an unrecognised issuer's claim is not a
/// place to send people).
fn issues_url(report: &Report) -> Option<String> {
    let summary = report.provenance.as_ref().filter(|p| p.recognised_issuer)?;
    let repo = https_url(summary.source_repository.as_ref()?.url.as_deref()?)?;
    let repo = repo.trim_end_matches('/');
    if repo.starts_with("https://github.com/") {
        Some(format!("{repo}/issues"))
    } else {
        Some(format!("{repo}/-/issues"))
    }
}

#[component]
pub fn WhatToDo(report: Report, overview: Option<PackageOverview>) -> impl IntoView {
    let registry = use_registry();
    let needs_advice = report.verdict != Verdict::Verified || !report.signals.is_empty();
    let package = report.package.clone();
    let (Some(package), true) = (package, needs_advice) else {
        return None;
    };
    let candidates: Vec<String> = overview
        .as_ref()
        .map(|o| {
            o.alternatives(&package.version, TRIED)
                .into_iter()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let nearest = {
        let (registry, name) = (registry.0.get_untracked(), package.name.clone());
        LocalResource::new(move || first_clean(registry.clone(), name.clone(), candidates.clone()))
    };
    let issues = issues_url(&report);
    let npm_report = npm_provenance_core::site::is_npm_registry(&registry.0.get_untracked()).then(|| {
        format!(
            "https://www.npmjs.com/support?inquire=security&security-inquire=malware&package={}&version={}",
            crate::settings::encode_query(&package.name),
            crate::settings::encode_query(&package.version)
        )
    });
    let name = package.name.clone();
    Some(view! {
        <section class="advice" aria-labelledby="advice-heading" data-testid="advice">
            <h2 id="advice-heading">"What you can do"</h2>
            <ul>
                <li data-testid="nearest">
                    <Suspense fallback=|| view! { "Looking for the nearest version that verifies…" }>
                        {move || Suspend::new({
                            let name = name.clone();
                            async move {
                                match nearest.await {
                                    Some(v) => {
                                        let href = registry.href(&format!("/package/{name}/v/{v}"));
                                        view! {
                                            "The nearest version that verifies without warning signs is "
                                            <a href=href data-testid="nearest-link">{visible(&v)}</a> "."
                                        }
                                        .into_any()
                                    }
                                    None => view! { "No nearby version verifies without warning signs." }.into_any(),
                                }
                            }
                        })}
                    </Suspense>
                </li>
                {issues.map(|href| view! {
                    <li>"Ask the maintainers: " <a href=href rel="noopener noreferrer nofollow" data-testid="report-issues">"the repository's issues"</a> "."</li>
                })}
                {npm_report.map(|href| view! {
                    <li>"If you think it is malicious: " <a href=href rel="noopener noreferrer nofollow" data-testid="report-npm">"report it to npm"</a> "."</li>
                })}
            </ul>
        </section>
    })
}
