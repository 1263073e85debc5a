//! The home page: a search box and what this tool checks.

use leptos::prelude::*;

use crate::components::search::SearchBox;
use crate::settings::use_registry;

#[component]
pub fn HomePage() -> impl IntoView {
    let registry = use_registry();
    let example = move |path: &'static str, label: &'static str| view! { <li><a href=move || registry.href(path)>{label}</a></li> };
    view! {
        <section class="home">
            <h1>"Where did this npm package come from?"</h1>
            <p class="lead">
                "Look up a package to see how and where it was built, with its Sigstore provenance "
                "verified in your browser: signature, certificate, transparency log, and the registry's own attestation."
            </p>
            <SearchBox autofocus=true />
            <h2>"Try"</h2>
            <ul class="examples">
                {example("/package/sigstore", "sigstore")}
                {example("/package/@sigstore/cli", "@sigstore/cli")}
                {example("/package/tuf-js/v/1.0.0", "tuf-js@1.0.0")}
            </ul>
            <h2>"What is checked"</h2>
            <ul class="explain">
                <li>"The provenance's DSSE signature, its Fulcio certificate chain to Sigstore's root at the time of signing, the certificate's SCT, and its transparency log entry (signed timestamp, inclusion proof and checkpoint)."</li>
                <li>"That the signed statement names this exact package version, with the sha512 the registry serves as its integrity."</li>
                <li>"npm's publish attestation, signed by the registry key that was valid at the time, and the registry signatures."</li>
                <li>"That the certificate's signed claims (repository, commit, workflow) agree with the build's own statement. The panel shows the certificate's claims."</li>
            </ul>
            <p>"Have a bundle or an attestations response? Paste it into the " <a href=move || registry.href("/inspect")>"inspector"</a> "."</p>
            <p>"Want the answer for everything you install? " <a href=move || registry.href("/audit")>"Audit a lockfile"</a>
                ": package-lock.json, pnpm-lock.yaml or yarn.lock, verified in this page."</p>
        </section>
    }
}
