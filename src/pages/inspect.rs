//! `/inspect`: paste, drop or open a Sigstore bundle or a whole attestations
//! response, and verify it here. Nothing is uploaded: the document goes to a
//! worker in this page, not to any server.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use npm_provenance_core::ExpectedIdentity;
use npm_provenance_core::package::split_spec;
use npm_provenance_core::registry_documents::MAX_ATTESTATIONS_BYTES;

use crate::components::document_input::DocumentInput;
use crate::components::report_view::ReportView;
use crate::settings::{encode_query, use_registry};
use crate::worker::protocol::VerifyRequest;

/// Pasted documents larger than this are refused (npm's responses are ~20 KB).
const MAX_INPUT_BYTES: usize = MAX_ATTESTATIONS_BYTES;

fn non_empty(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[component]
pub fn InspectPage() -> impl IntoView {
    crate::verifier::warm_up();
    let query = use_query_map();
    let registry = use_registry();
    let navigate = use_navigate();
    let q = move |key: &str| query.with_untracked(|q| q.get(key)).unwrap_or_default();
    let document = RwSignal::new(String::new());
    let package = RwSignal::new(q("package"));
    let integrity = RwSignal::new(q("integrity"));
    let repository = RwSignal::new(q("repository"));
    let workflow = RwSignal::new(q("workflow"));
    let issuer = RwSignal::new(q("issuer"));
    let (problem, set_problem) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let result = RwSignal::new(None::<(npm_provenance_core::Report, String)>);

    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title("Inspector — npm provenance");
    }

    let verify = move || {
        let text = document.get_untracked();
        if text.trim().is_empty() {
            set_problem.set(Some(
                "Paste, drop or open a bundle or an attestations response first.".into(),
            ));
            return;
        }
        if text.len() > MAX_INPUT_BYTES {
            set_problem.set(Some(format!(
                "The document is larger than {} MB; it is not verified.",
                MAX_INPUT_BYTES >> 20
            )));
            return;
        }
        let package_spec = non_empty(package.get_untracked());
        let parsed_package = match &package_spec {
            None => None,
            Some(spec) => match split_spec(spec) {
                Some((n, v)) => Some((n.to_string(), v.to_string())),
                None => {
                    set_problem.set(Some("Give the package as name@version, e.g. sigstore@2.3.1.".into()));
                    return;
                }
            },
        };
        set_problem.set(None);
        // A shareable address for everything but the document itself.
        let mut params = Vec::new();
        for (key, value) in [
            ("package", package_spec.clone()),
            ("integrity", non_empty(integrity.get_untracked())),
            ("repository", non_empty(repository.get_untracked())),
            ("workflow", non_empty(workflow.get_untracked())),
            ("issuer", non_empty(issuer.get_untracked())),
        ] {
            if let Some(v) = value {
                params.push(format!("{key}={}", encode_query(&v)));
            }
        }
        let path = if params.is_empty() {
            "/inspect".to_string()
        } else {
            format!("/inspect?{}", params.join("&"))
        };
        navigate(
            &registry.href(&path),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
        let request = VerifyRequest::Inspect {
            json: text.clone(),
            package: parsed_package,
            integrity: non_empty(integrity.get_untracked()),
            expected: ExpectedIdentity {
                repository: non_empty(repository.get_untracked()),
                workflow: non_empty(workflow.get_untracked()),
                issuer: non_empty(issuer.get_untracked()),
                ..Default::default()
            },
        };
        set_busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::verifier::verify(request).await {
                Ok(report) => result.set(Some((report, text))),
                Err(e) => set_problem.set(Some(e)),
            }
            set_busy.set(false);
        });
    };

    let field = move |id: &'static str, label: &'static str, hint: &'static str, signal: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" spellcheck="false" autocomplete="off" placeholder=hint
                    prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev)) />
            </div>
        }
    };

    view! {
        <section class="inspector">
            <h1>"Inspector"</h1>
            <p class="lead">"Verify a Sigstore bundle or a registry attestations response. It is verified in this page; nothing is uploaded."</p>
            <form on:submit=move |ev| { ev.prevent_default(); verify(); }>
                <DocumentInput id="document" rows=12 limit=MAX_INPUT_BYTES text=document problem=set_problem
                    label="Bundle or attestations response (JSON)" placeholder="Paste JSON here, or drop a .json file"
                    open_label="Open a .json file" accept=".json,application/json" />
                <fieldset>
                    <legend>"For the npm checks (optional)"</legend>
                    {field("inspect-package", "Package", "name@version", package)}
                    {field("inspect-integrity", "Integrity (dist.integrity)", "sha512-…", integrity)}
                </fieldset>
                <fieldset>
                    <legend>"Expected signer (optional)"</legend>
                    {field("inspect-repository", "Repository", "owner/repo or https://github.com/owner/repo", repository)}
                    {field("inspect-workflow", "Build file", ".github/workflows/release.yml", workflow)}
                    {field("inspect-issuer", "OIDC issuer", "https://token.actions.githubusercontent.com", issuer)}
                </fieldset>
                {move || problem.get().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
                <button type="submit" disabled=move || busy.get()>{move || if busy.get() { "Verifying…" } else { "Verify" }}</button>
            </form>
            {move || result.get().map(|(report, raw)| view! { <ReportView report=report raw_json=raw /> })}
        </section>
    }
}
