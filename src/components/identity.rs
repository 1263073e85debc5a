//! The certificate's identity, claim by claim, and the publish attestation's key.

use leptos::prelude::*;
use npm_provenance_core::text::visible;
use npm_provenance_core::{AttestationKind, Identity, Report};

fn claims(id: &Identity) -> Vec<(&'static str, String)> {
    let fields: [(&'static str, &Option<String>); 18] = [
        ("Issuer", &id.issuer),
        ("Identity (SAN)", &id.subject_alternative_name),
        ("Source repository", &id.source_repository_uri),
        ("Source ref", &id.source_repository_ref),
        ("Source commit", &id.source_repository_digest),
        ("Build config (workflow)", &id.build_config_uri),
        ("Build signer", &id.build_signer_uri),
        ("Build trigger", &id.build_trigger),
        ("Runner environment", &id.runner_environment),
        ("Run", &id.run_invocation_uri),
        ("Repository visibility", &id.source_repository_visibility),
        ("Repository id", &id.source_repository_identifier),
        ("Owner", &id.source_repository_owner_uri),
        ("Deployment environment", &id.deployment_environment),
        ("Workflow repository (legacy claim)", &id.github_workflow_repository),
        ("Workflow ref (legacy claim)", &id.github_workflow_ref),
        ("Workflow commit (legacy claim)", &id.github_workflow_sha),
        ("Workflow trigger (legacy claim)", &id.github_workflow_trigger),
    ];
    fields
        .into_iter()
        .filter_map(|(label, v)| v.as_ref().map(|v| (label, visible(v))))
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
        <section class="identity" aria-labelledby="identity-heading">
            <h2 id="identity-heading">"Signer"</h2>
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
        </section>
    })
}
