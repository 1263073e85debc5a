//! The lockfile, the audit's options, and the registry it is audited
//! against: one a link chose is asked about first.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use npm_provenance_core::lockfile::MAX_LOCKFILE_BYTES;
use npm_provenance_core::text::visible;

use super::{AuditInput, AuditState};
use crate::components::document_input::DocumentInput;
use crate::settings::{registry_name, same_origin_path, use_registry};

/// Lockfiles larger than this are not shown in the text area (a few
/// hundred packages' worth; a monorepo's is tens of megabytes).
const SHOWN_UP_TO: usize = 256 << 10;

/// What the page says it does with the lockfile, and to whom.
#[component]
pub fn Lead() -> impl IntoView {
    let registry = use_registry();
    view! {
        <p class="lead">
            "Every package your lockfile installs, verified in this page: provenance, npm's publish attestation, registry signatures, and the integrity the lockfile pins. Nothing is uploaded; only the registry ("
            <strong data-testid="audit-registry">{move || registry_name(&registry.get(), &registry.own())}</strong>
            ") is asked for its documents, and so learns the name and version of each package."
        </p>
    }
}

#[component]
pub fn LockfileForm(state: AuditState) -> impl IntoView {
    let registry = use_registry();
    let navigate = use_navigate();
    let text = RwSignal::new(String::new());
    let file_name = RwSignal::new(None::<String>);
    let problem = state.problem;
    // Compare each version with its package's earlier ones (one package
    // document per name: opt-in, as the command line's --no-downgrade).
    let compare = RwSignal::new(false);
    // A registry the link chose, which the person agreed to audit against.
    let agreed = RwSignal::new(None::<String>);
    let asking = RwSignal::new(false);

    let ready = move || {
        let input = text.get_untracked();
        if input.trim().is_empty() {
            problem.set(Some("Drop, open or paste a lockfile first.".into()));
            return None;
        }
        if input.len() > MAX_LOCKFILE_BYTES {
            problem.set(Some(format!(
                "The lockfile is larger than {} MB.",
                MAX_LOCKFILE_BYTES >> 20
            )));
            return None;
        }
        Some(Arc::<str>::from(input))
    };
    let start = move |registry_url: String| {
        let Some(text) = ready() else { return };
        asking.set(false);
        state.run.dispatch_local(AuditInput {
            text,
            file_name: file_name.get_untracked(),
            registry: registry_url,
            compare: compare.get_untracked(),
        });
    };
    let submit = move || {
        if ready().is_none() {
            return;
        }
        let current = registry.0.get_untracked();
        // A link can name any registry (`?registry=`), and an audit sends it
        // every package name in the lockfile: a person's dependencies are
        // theirs to give, so a registry they did not choose is asked about.
        if registry.2.get_untracked() && agreed.get_untracked().as_deref() != Some(current.as_str()) {
            problem.set(None);
            asking.set(true);
            request_animation_frame(|| focus_by_id("audit-own-registry"));
            return;
        }
        start(current);
    };
    let use_own = move |_| {
        let own = registry.own();
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_else(|| "/audit".into());
        navigate(&same_origin_path(&path), Default::default());
        start(own);
    };
    let use_link = move |_| {
        let current = registry.0.get_untracked();
        agreed.set(Some(current.clone()));
        start(current);
    };

    view! {
        <form on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <DocumentInput id="lockfile" rows=8 limit=MAX_LOCKFILE_BYTES shown_up_to=SHOWN_UP_TO text=text file_name=file_name
                problem=problem.write_only()
                label="package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock or bun.lock"
                placeholder="Paste a lockfile here, or drop one" open_label="Open a lockfile" />
            <label class="option">
                <input type="checkbox" data-testid="compare-history"
                    prop:checked=move || compare.get()
                    on:change=move |ev| compare.set(event_target_checked(&ev)) />
                " Compare each version with its package's earlier versions (fetches each package's document once: slower, and heavier on the registry)"
            </label>
            {move || problem.get().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
            {move || (asking.get() && registry.from_link()).then(|| {
                let link = registry.get();
                let own = registry.own();
                let (link_name, own_name) = (registry_name(&link, &own), registry_name(&own, &link));
                view! {
                    <div class="registry-question" role="alert" data-testid="registry-question">
                        <p>
                            "The link you followed chose the registry " <strong>{link_name.clone()}</strong>
                            " (" <code>{visible(&link)}</code> "). An audit sends it the name and version of every package in your lockfile. Your own registry is "
                            <strong>{own_name.clone()}</strong> "."
                        </p>
                        <div class="form-actions">
                            <button type="button" id="audit-own-registry" on:click=use_own.clone()>{format!("Use my registry ({own_name})")}</button>
                            <button type="button" class="secondary" on:click=use_link>{format!("Audit against {link_name}")}</button>
                        </div>
                    </div>
                }
            })}
            <div class="form-actions">
                <button type="submit" disabled=move || state.running()>{move || if state.running() { "Auditing…" } else { "Audit" }}</button>
                <Show when=move || state.running()>
                    <button type="button" class="secondary" on:click=move |_| state.cancelled.set(true)>"Cancel"</button>
                </Show>
            </div>
        </form>
    }
}

fn focus_by_id(id: &str) {
    use wasm_bindgen::JsCast;
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
