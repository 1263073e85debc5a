//! The certificate's identity, claim by claim, and the publish attestation's
//! key: evidence a person opens when they want it (folded).

use leptos::prelude::*;
use npm_provenance_core::text::visible;
use npm_provenance_core::{AttestationKind, Identity, Report};

fn claims(id: &Identity) -> Vec<(&'static str, String)> {
    // GitHub's legacy claims repeat the newer ones; shown only where they
    // say something else (which would itself be worth seeing).
    let repeats = |legacy: &Option<String>, current: Option<String>| legacy.is_some() && *legacy == current;
    let legacy_repository = id.source_repository_uri.as_ref().and_then(|uri| {
        let path = uri.strip_prefix("https://github.com/")?;
        Some(path.to_string())
    });
    let fields: [(&'static str, &Option<String>, bool); 18] = [
        ("Issuer", &id.issuer, false),
        ("Identity (SAN)", &id.subject_alternative_name, false),
        ("Source repository", &id.source_repository_uri, false),
        ("Source ref", &id.source_repository_ref, false),
        ("Source commit", &id.source_repository_digest, false),
        ("Build config (workflow)", &id.build_config_uri, false),
        ("Build signer", &id.build_signer_uri, false),
        ("Build trigger", &id.build_trigger, false),
        ("Runner environment", &id.runner_environment, false),
        ("Run", &id.run_invocation_uri, false),
        ("Repository visibility", &id.source_repository_visibility, false),
        ("Repository id", &id.source_repository_identifier, false),
        ("Owner", &id.source_repository_owner_uri, false),
        ("Deployment environment", &id.deployment_environment, false),
        (
            "Workflow repository (legacy claim)",
            &id.github_workflow_repository,
            repeats(&id.github_workflow_repository, legacy_repository),
        ),
        (
            "Workflow ref (legacy claim)",
            &id.github_workflow_ref,
            repeats(&id.github_workflow_ref, id.source_repository_ref.clone()),
        ),
        (
            "Workflow commit (legacy claim)",
            &id.github_workflow_sha,
            repeats(&id.github_workflow_sha, id.source_repository_digest.clone()),
        ),
        (
            "Workflow trigger (legacy claim)",
            &id.github_workflow_trigger,
            repeats(&id.github_workflow_trigger, id.build_trigger.clone()),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, _, repeated)| !repeated)
        .filter_map(|(label, v, _)| v.as_ref().map(|v| (label, visible(v))))
        .collect()
}

#[component]
pub fn IdentityDetails(report: Report) -> impl IntoView {
    let provenance = report.provenance_attestation().cloned();
    let publish = report.publish_attestation().cloned();
    let bundle = report
        .attestations
        .iter()
        .find(|a| a.kind == AttestationKind::Bundle)
        .cloned();
    let identity = provenance.as_ref().or(bundle.as_ref()).and_then(|a| a.identity.clone());
    let key = publish.as_ref().or(bundle.as_ref()).and_then(|a| a.signing_key.clone());
    if identity.is_none() && key.is_none() {
        return None;
    }
    Some(view! {
        <details id="signer" class="identity fold" data-testid="signer">
            <summary><h2 id="identity-heading">"Signer"</h2><span class="fold-hint">"the certificate's claims and the publish key"</span></summary>
            {identity.map(|id| {
                let verified = id.verified;
                let validity = id.not_before.clone().zip(id.not_after.clone());
                view! {
                    <h3>"Certificate (Fulcio claims)"</h3>
                    {(!verified).then(|| view! {
                        <p class="warning">"This certificate did not verify: its claims are shown as written, unconfirmed."</p>
                    })}
                    <dl class="claims" data-testid="certificate-claims">
                        {claims(&id).into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                        {validity.map(|(a, b)| view! { <div><dt>"Valid"</dt><dd>{a} " to " {b}</dd></div> })}
                    </dl>
                }
            })}
            {key.map(|k| view! {
                <h3>"Publish attestation key"</h3>
                <dl class="claims">
                    <div><dt>"Registry key id"</dt><dd data-testid="registry-key-id">{visible(&k.key_id)}</dd></div>
                    <div><dt>"Source"</dt><dd>{match k.source {
                        npm_provenance_core::report::KeySource::Pinned => "npm's public key, pinned in this app",
                        npm_provenance_core::report::KeySource::Supplied => "a supplied keys document",
                        npm_provenance_core::report::KeySource::Tuf => "Sigstore's TUF repository",
                    }}</dd></div>
                </dl>
            })}
        </details>
    })
}
