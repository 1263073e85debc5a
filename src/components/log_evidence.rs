//! What the transparency log and the timestamp authorities proved, per
//! attestation: the entry (Rekor v1 or v2), the checkpoint's origin and each
//! of its signature lines (the log's, witnesses'), the signed entry
//! timestamp, and each RFC 3161 timestamp with the authority that signed it.

use leptos::prelude::*;
use npm_provenance_core::report::TlogEntryInfo;
use npm_provenance_core::text::visible;
use npm_provenance_core::{AttestationReport, Report};

use crate::components::panel::link_or_text;

fn entry_rows(t: &TlogEntryInfo) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        (
            "Entry",
            format!(
                "{} {} at index {}{}",
                visible(&t.kind),
                visible(&t.kind_version),
                t.log_index,
                if t.rekor_v2 { " (Rekor v2)" } else { "" }
            ),
        ),
        (
            "Signed entry timestamp",
            if t.inclusion_promise {
                match &t.integrated_time_rfc3339 {
                    Some(at) => format!("yes: integrated at {at}"),
                    None => "yes".into(),
                }
            } else if t.rekor_v2 {
                "none (Rekor v2 has none: the time comes from a timestamp authority)".into()
            } else {
                "none".into()
            },
        ),
    ];
    if let Some(p) = &t.inclusion_proof {
        rows.push((
            "Checkpoint",
            format!(
                "{}, tree size {}",
                p.checkpoint_origin
                    .as_deref()
                    .map(visible)
                    .unwrap_or_else(|| "no origin".into()),
                p.tree_size
            ),
        ));
    }
    rows
}

#[component]
fn Evidence(attestation: AttestationReport) -> impl IntoView {
    let tlog = attestation.tlog.clone();
    let lines = tlog
        .as_ref()
        .and_then(|t| t.inclusion_proof.as_ref())
        .map(|p| p.checkpoint_signatures.clone())
        .unwrap_or_default();
    let timestamps = attestation.timestamps.clone();
    view! {
        <h3>{attestation.kind.label()}</h3>
        <dl class="claims" data-testid="log-evidence">
            {tlog.as_ref().map(|t| entry_rows(t).into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view())}
            {tlog.as_ref().and_then(|t| t.ledger_url.clone()).map(|url| view! {
                <div><dt>"Public ledger"</dt><dd>{link_or_text("search.sigstore.dev".into(), Some(&url), "panel-link")}</dd></div>
            })}
            {(!lines.is_empty()).then(|| view! {
                <div>
                    <dt>"Checkpoint signatures"</dt>
                    <dd>
                        <ul class="checkpoint-lines" data-testid="checkpoint-lines">
                            {lines.into_iter().map(|l| {
                                let state = match (l.by_log_key, l.verified) {
                                    (true, true) => "verified with the log's key",
                                    (true, false) => "names the log's key, does not verify",
                                    (false, _) => "another signer (a witness): not needed, not checked",
                                };
                                view! { <li data-verified=l.verified.to_string()>{visible(&l.name)} " — " {state}</li> }
                            }).collect_view()}
                        </ul>
                    </dd>
                </div>
            })}
            {timestamps.into_iter().map(|ts| view! {
                <div data-testid="timestamp-authority">
                    <dt>"Signed time (RFC 3161)"</dt>
                    <dd>{ts.time_rfc3339} " by " {visible(&ts.authority)}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

/// The log and time evidence of every attestation that has some.
#[component]
pub fn LogEvidence(report: Report) -> impl IntoView {
    let attestations: Vec<AttestationReport> = report
        .attestations
        .into_iter()
        .filter(|a| a.tlog.is_some() || !a.timestamps.is_empty())
        .collect();
    (!attestations.is_empty()).then(|| {
        view! {
            <details id="log" class="identity fold" data-testid="log">
                <summary><h2 id="log-heading">"Transparency log and signed time"</h2><span class="fold-hint">"the entries, checkpoints and timestamps"</span></summary>
                {attestations.into_iter().map(|a| view! { <Evidence attestation=a /> }).collect_view()}
            </details>
        }
    })
}
