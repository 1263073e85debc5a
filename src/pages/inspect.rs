//! `/inspect`: paste, drop or open a Sigstore bundle or a whole attestations
//! response, and verify it here. Nothing is uploaded: the document goes to a
//! worker in this page, not to any server; only when a person asks is the
//! registry asked for the version's integrity.
//!
//! A pasted document is verified at once, against the package its own
//! signed subject names (`pkg:npm/<name>@<version>`) unless another is
//! given. Without the registry's integrity the subject's digest is compared
//! with nothing, so the verdict is incomplete; one click fetches the
//! integrity through the package page's own lookup, and verifies again.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use npm_provenance_core::ExpectedIdentity;
use npm_provenance_core::lookup::{Depth, Question};
use npm_provenance_core::package::split_spec;
use npm_provenance_core::registry_documents::MAX_ATTESTATIONS_BYTES;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Report, Verdict};

use crate::components::document_input::DocumentInput;
use crate::components::report_view::ReportView;
use crate::protocol::{LookupRequest, VerifyRequest};
use crate::settings::{encode_query, registry_name, use_registry};

/// Pasted documents larger than this are refused (npm's responses are ~20 KB).
const MAX_INPUT_BYTES: usize = MAX_ATTESTATIONS_BYTES;

fn non_empty(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// A verification's result as the page shows it.
#[derive(Clone)]
struct Shown {
    report: Report,
    raw: String,
}

/// Where fetching the registry's integrity stands.
#[derive(Clone, PartialEq)]
enum Fetching {
    Idle,
    Busy,
    Failed(String),
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
    // Input that is no document to verify: said plainly, not as a failure.
    let not_a_document = RwSignal::new(None::<String>);
    let (busy, set_busy) = signal(false);
    let result = RwSignal::new(None::<Shown>);
    let fetching = RwSignal::new(Fetching::Idle);
    // The package as read from the last document's signed subject: while the
    // field holds it, it is the document's, not a package the person gave,
    // and the next document is read for its own.
    let from_subject = RwSignal::new(None::<String>);

    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title("Inspector — npm provenance");
    }

    let verify = UnsyncCallback::new(move |()| {
        let text = document.get_untracked();
        not_a_document.set(None);
        fetching.set(Fetching::Idle);
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
        let package_spec =
            non_empty(package.get_untracked()).filter(|p| Some(p) != from_subject.get_untracked().as_ref());
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
            match crate::verifier::inspect(request).await {
                Ok(Ok(inspected)) => {
                    let read = inspected
                        .signed_package
                        .map(|(name, version)| format!("{name}@{version}"));
                    if let Some(spec) = &read {
                        package.set(spec.clone());
                        from_subject.set(read.clone());
                    }
                    result.set(Some(Shown {
                        report: inspected.report,
                        raw: text,
                    }));
                }
                Ok(Err(input)) => {
                    result.set(None);
                    not_a_document.set(Some(input.message().to_string()));
                }
                Err(e) => set_problem.set(Some(e)),
            }
            set_busy.set(false);
        });
    });

    // The registry's integrity for the package: the package page's lookup
    // (the core decides which documents it needs), in a worker.
    let fetch_integrity = move |(name, version): (String, String)| {
        fetching.set(Fetching::Busy);
        let question = Question::new(&registry.0.get_untracked(), &name, Some(&version), Depth::Version);
        leptos::task::spawn_local(async move {
            let answer = crate::verifier::lookup(LookupRequest {
                question,
                overview: false,
            })
            .await;
            match answer {
                Ok(looked_up) => match (looked_up.integrity, looked_up.error) {
                    (Some(found), _) => {
                        integrity.set(found);
                        // The page may be gone by the time the registry answers.
                        verify.try_run(());
                    }
                    (None, Some(e)) => fetching.set(Fetching::Failed(e.message())),
                    (None, None) => fetching.set(Fetching::Failed(format!(
                        "The registry's document of {}@{} states no integrity.",
                        visible(&name),
                        visible(&version)
                    ))),
                },
                Err(e) => fetching.set(Fetching::Failed(e)),
            }
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

    // What is missing for a verdict, and the one click that fetches it.
    let offer =
        move || {
            let shown = result.get()?;
            let wanted = non_empty(integrity.get()).is_none() && shown.report.verdict == Verdict::Incomplete;
            let (name, version) = shown
                .report
                .package
                .as_ref()
                .map(|p| (p.name.clone(), p.version.clone()))?;
            wanted.then(|| {
            let host = registry_name(&registry.get(), &registry.own());
            let spec = format!("{}@{}", visible(&name), visible(&version));
            let read = if from_subject.get().is_some_and(|read| read == format!("{name}@{version}")) {
                format!("The document's signed subject names {spec}. ")
            } else {
                String::new()
            };
            view! {
                <div class="integrity-offer" data-testid="integrity-offer">
                    <p>
                        {read}
                        "Its digest was compared with nothing: no integrity was given. The registry's integrity for "
                        {spec.clone()} " says which tarball it must be."
                    </p>
                    <button type="button" disabled=move || fetching.get() == Fetching::Busy
                        on:click=move |_| fetch_integrity((name.clone(), version.clone()))>
                        {format!("Fetch the integrity of {spec} from {host}")}
                    </button>
                    {move || match fetching.get() {
                        Fetching::Failed(why) => Some(view! { <p class="note" role="alert">{visible(&why)}</p> }),
                        _ => None,
                    }}
                </div>
            }
        })
        };

    view! {
        <section class="inspector">
            <h1>"Inspector"</h1>
            <p class="lead">"Verify a Sigstore bundle or a registry attestations response. It is verified in this page; nothing is uploaded."</p>
            <form on:submit=move |ev| { ev.prevent_default(); verify.run(()); }>
                <DocumentInput id="document" rows=12 limit=MAX_INPUT_BYTES text=document problem=set_problem
                    label="Bundle or attestations response (JSON)" placeholder="Paste JSON here, or drop a .json file"
                    open_label="Open a .json file" accept=".json,application/json"
                    on_given=verify />
                {move || not_a_document.get().map(|m| view! { <p class="note input-note" role="alert" data-testid="input-note">{m}</p> })}
                <fieldset>
                    <legend>"For the npm checks (optional)"</legend>
                    {field("inspect-package", "Package", "name@version", package)}
                    {move || (from_subject.get().is_some() && from_subject.get() == non_empty(package.get())).then(|| view! {
                        <p class="hint" data-testid="package-from-subject">"Read from the document's signed subject."</p>
                    })}
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
            {offer}
            {move || result.get().map(|shown| view! { <ReportView report=shown.report raw_json=shown.raw /> })}
        </section>
    }
}
