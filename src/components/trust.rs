//! How the version was published: its trust level (from what verified),
//! and what the registry says about publishing (its word, not signed, and
//! labelled so). A downgrade against earlier versions of its line is a
//! warning sign, in the verdict; what changed since the previous version
//! is a table, folded under it.

use leptos::prelude::*;
use npm_provenance_core::report::BuildComparison;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Report, TrustLevel};

/// What each level rests on, in a sentence.
fn meaning(level: TrustLevel) -> &'static str {
    match level {
        TrustLevel::TrustedPublisher => {
            "Verified provenance, and the registry says it was published from that CI platform through trusted publishing, without a long-lived token."
        }
        TrustLevel::Provenance => "Verified provenance: built by the CI run its certificate names.",
        TrustLevel::RegistrySignature => {
            "Only the registry's signature over the tarball's integrity: nothing says how or where it was built."
        }
        TrustLevel::None => "No signed evidence at all.",
    }
}

#[component]
pub fn TrustSignals(report: Report) -> impl IntoView {
    let level = report.trust;
    let publishing = report.publishing.clone().unwrap_or_default();
    let checked = report.downgrade_checked;
    let note = report.history_note.clone();
    level.map(|level| {
        view! {
            <section id="trust" class="trust" aria-labelledby="trust-heading" data-testid="trust" data-trust=level.key()>
                <h2 id="trust-heading">"How it was published"</h2>
                <dl class="panel-rows">
                    <div class="panel-row">
                        <dt>"Trust level"</dt>
                        <dd><strong data-testid="trust-level">{level.label()}</strong>" — "{meaning(level)}</dd>
                    </div>
                    {publishing.trusted_publisher.map(|tp| view! {
                        <div class="panel-row" data-testid="trusted-publisher">
                            <dt>"Trusted publisher"</dt>
                            <dd>{visible(&tp.id)}{tp.oidc_config_id.map(|id| format!(" ({})", visible(&id)))}
                                <span class="unsigned">" · the registry's word, not signed"</span></dd>
                        </div>
                    })}
                    {publishing.approver.map(|a| view! {
                        <div class="panel-row" data-testid="approver">
                            <dt>"Staged publish"</dt>
                            <dd>{format!("approved by {}", visible(&a))}
                                <span class="unsigned">" · the registry's word, not signed"</span></dd>
                        </div>
                    })}
                </dl>
                <p class="panel-note">
                    {if checked {
                        "Compared with the earlier versions of its release line, as the registry lists them."
                    } else {
                        "Not compared with earlier versions."
                    }}
                    {note.map(|n| format!(" {}", visible(&n)))}
                </p>
            </section>
        }
    })
}

/// What changed since the previous version of the release line that has
/// provenance, from both certificates (and the registry's word on the
/// publishing method, labelled so): the lookup verified the previous version
/// too, in the worker.
#[component]
pub fn WhatChanged(comparison: BuildComparison) -> impl IntoView {
    let (previous, body) = match comparison {
        BuildComparison::Unavailable { version, why } => (
            version,
            view! { <p class="panel-note" data-testid="changes-unavailable">{visible(&why)}</p> }.into_any(),
        ),
        BuildComparison::Compared(c) if c.changes.is_empty() => (
            c.version,
            view! {
                <p data-testid="changes-none">"Nothing changed: the same issuer, repository, workflow file, trigger, ref type, runner and publishing method."</p>
            }
            .into_any(),
        ),
        BuildComparison::Compared(c) => {
            let since = visible(&c.version);
            (
                c.version,
                view! {
                    <p>"Valid provenance can still come from a hijacked workflow or a stolen token: these changes are the signal."</p>
                    <table class="changes-table">
                        <thead><tr><th scope="col">"What"</th><th scope="col">{since}</th><th scope="col">"This version"</th></tr></thead>
                        <tbody>
                            {c.changes.into_iter().map(|change| view! {
                                <tr data-change=change.what.clone()>
                                    <th scope="row">{change.what.clone()}{(!change.signed).then_some(" (the registry's word, not signed)")}</th>
                                    <td>{change.before}</td>
                                    <td>{change.after}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            )
        }
    };
    let heading = format!("What changed since {}", visible(&previous));
    view! {
        <details id="changes" class="changes fold" data-testid="changes" data-since=previous.clone()>
            <summary><h2 id="changes-heading">{heading}</h2><span class="fold-hint">"both certificates, side by side"</span></summary>
            {body}
        </details>
    }
}
