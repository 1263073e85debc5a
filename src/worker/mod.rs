//! The verification worker: receives requests from the page, verifies them
//! with the core, posts reports back. Verification takes milliseconds per
//! bundle; in a worker it never blocks scrolling or typing on the page.
//!
//! Each request's documents are read once: the WebCrypto pre-verification
//! ([`webcrypto`]) and the verifier use the same reading.
//! The binary `src/bin/worker.rs` only calls [`run`].

pub mod audit;
pub mod lookup;
pub mod tuf;
pub mod webcrypto;

use std::cell::RefCell;

use futures::channel::oneshot;

use crate::protocol::{Control, FromWorker, Inspected, LookedUp, LookupRequest, ToWorker, VerifyRequest};
use npm_provenance_core::overview::PackageOverview;
use npm_provenance_core::package_version::{InputError, PreparedInput, inspect_prepared};
use npm_provenance_core::signature_inputs::input_checks;
use npm_provenance_core::{Report, TrustMaterial};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// What verification trusts: the public-good root and npm's keys unless
    /// the page configured otherwise. A configuration that failed to load is
    /// kept as its error, so that nothing verifies against the wrong root.
    static TRUST: RefCell<Result<TrustMaterial, String>> = RefCell::new(Ok(TrustMaterial::public_good()));
    /// Where it came from, said in every report (`None`: the built-in
    /// material, nothing configured).
    static SOURCE: RefCell<Option<npm_provenance_core::tuf::TrustSource>> = const { RefCell::new(None) };
    /// Lookups waiting for a provisional trust to be settled
    /// ([`Control::Provisional`]); `None` when it is settled.
    static UNSETTLED: RefCell<Option<Vec<oneshot::Sender<()>>>> = const { RefCell::new(None) };
}

/// The trust, once settled: what verification may use. `None` when it was
/// already settled as the lookup began: what the lookup began with is what
/// it verifies with (no copy of the trust material per history row).
async fn settled_trust(settled_at_start: bool) -> Result<Option<TrustMaterial>, String> {
    if settled_at_start {
        return Ok(None);
    }
    loop {
        let waiting = UNSETTLED.with(|u| {
            u.borrow_mut().as_mut().map(|waiters| {
                let (tx, rx) = oneshot::channel();
                waiters.push(tx);
                rx
            })
        });
        match waiting {
            // Settled by `Configure` or `TrustFailed`, or the sender dropped:
            // the state says which.
            Some(rx) => {
                let _ = rx.await;
            }
            None => return TRUST.with(|t| t.borrow().clone()).map(Some),
        }
    }
}

/// Sets what verification trusts; settled or not.
fn set_trust(
    material: Result<TrustMaterial, String>,
    source: Option<npm_provenance_core::tuf::TrustSource>,
    settled: bool,
) {
    TRUST.with(|t| *t.borrow_mut() = material);
    SOURCE.with(|s| *s.borrow_mut() = source);
    let waiters = UNSETTLED.with(|u| {
        let mut u = u.borrow_mut();
        if settled {
            u.take().unwrap_or_default()
        } else {
            u.get_or_insert_with(Vec::new);
            Vec::new()
        }
    });
    for tx in waiters {
        let _ = tx.send(());
    }
}

/// Verifies `request`, its documents read once: the WebCrypto
/// pre-verification and the verifier use the same reading. Pure
/// computation but for the WebCrypto calls made ahead. Input that is no
/// document to verify is said so, not verified.
async fn answer(request: VerifyRequest) -> Result<Box<Inspected>, InputError> {
    let VerifyRequest::Inspect {
        json,
        package,
        integrity,
        expected,
    } = request;
    let input = PreparedInput::read(&json)?;
    drop(json);
    // Without a package given, the one the input's signed subject names:
    // the subject's name then matches by construction, and what it proves
    // is that the registry's tarball of that name and version (its
    // integrity) is what was signed.
    let signed_package = package.is_none().then(|| input.signed_package()).flatten();
    let package = package.or_else(|| signed_package.clone());
    let mut report = match TRUST.with(|t| t.borrow().clone()) {
        Ok(trust) => {
            webcrypto::preverify(input_checks(&input, &trust)).await;
            inspect_prepared(
                &input,
                package.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
                integrity.as_deref(),
                &trust,
                &expected,
            )
        }
        Err(e) => Report::error(None, e),
    };
    report.trust_source = SOURCE.with(|s| s.borrow().clone());
    Ok(Box::new(Inspected { report, signed_package }))
}

/// A lookup for a page: the report, and what the page shows of the package
/// document when asked.
async fn look_up(request: LookupRequest) -> Result<Box<LookedUp>, String> {
    let settled_at_start = UNSETTLED.with(|u| u.borrow().is_none());
    let provisional = match TRUST.with(|t| t.borrow().clone()) {
        Ok(trust) => trust,
        // An unusable trust: settled, the lookup fails; provisional, it
        // plans nothing, and the settled one does.
        Err(e) if settled_at_start => return Err(e),
        Err(e) => settled_trust(false).await?.ok_or(e)?,
    };
    let outcome = lookup::run(request.question, &provisional, settled_trust(settled_at_start)).await?;
    let mut report = outcome.report;
    report.trust_source = SOURCE.with(|s| s.borrow().clone());
    Ok(Box::new(LookedUp {
        report,
        version: outcome.version,
        error: outcome.error,
        attestations: outcome.attestations,
        integrity: outcome.integrity,
        overview: outcome
            .packument
            .filter(|_| request.overview)
            .map(|p| PackageOverview::of(&p)),
    }))
}

fn control(message: Control) {
    match message {
        Control::Configure(ref config) | Control::Provisional(ref config) => {
            let material = config
                .material()
                .map_err(|e| format!("The configured trust material is unusable: {e}"));
            set_trust(
                material,
                config.source.clone(),
                matches!(message, Control::Configure(_)),
            );
        }
        Control::TrustFailed(why) => set_trust(Err(why), None, true),
        Control::WarmUp => {
            let _ = TRUST.with(|t| t.borrow().is_ok());
        }
    }
}

/// Posts `message` to the page.
fn reply(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    if let Ok(json) = serde_json::to_string(message) {
        let _ = scope.post_message(&JsValue::from_str(&json));
    }
}

/// The lockfile reader's main loop (`src/bin/lockfile-worker.rs`): the
/// audit page reads a lockfile in it, off its own thread. A worker of its
/// own, so that the lockfile readers (a YAML parser among them) are not in
/// the verifier every package page downloads.
pub fn run_lockfile_reader() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else { return };
        if let Ok(ToWorker::ReadLockfile {
            id,
            text,
            file_name,
            registry,
        }) = serde_json::from_str::<ToWorker>(&text)
        {
            let lockfile = npm_provenance_core::lockfile::parse_lockfile(file_name.as_deref(), &text)
                .map(|l| npm_provenance_core::audit::for_registry(l, &registry));
            drop(text);
            reply(
                &reply_scope,
                &FromWorker::Lockfile {
                    id,
                    lockfile: lockfile.map(Box::new),
                },
            );
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    reply(&scope, &FromWorker::Ready);
}

/// The worker's main loop: answers the page's messages until it is terminated.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let post = move |message: &FromWorker| reply(&reply_scope, message);
    let on_message = {
        let post = post.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            // A message the page did not make is ignored: the page only sends these.
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(ToWorker::Control(message)) => control(message),
                // Lockfiles are read by their own worker (`run_lockfile_reader`).
                Ok(ToWorker::ReadLockfile { id, .. }) => post(&FromWorker::Lockfile {
                    id,
                    lockfile: Err("This worker does not read lockfiles.".into()),
                }),
                Ok(ToWorker::Verify { id, request }) => {
                    let post = post.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = answer(*request).await;
                        post(&FromWorker::Inspected { id, result });
                    });
                }
                Ok(ToWorker::AuditDone { id }) => {
                    let post = post.clone();
                    lookup::forget_shared();
                    wasm_bindgen_futures::spawn_local(async move {
                        crate::api::keep_pinned_documents_and_relist().await;
                        post(&FromWorker::Kept { id });
                    });
                }
                Ok(ToWorker::Lookup { id, request }) => {
                    let post = post.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = look_up(*request).await;
                        post(&FromWorker::LookedUp { id, result });
                        // What the lookup accepted stays for the next visit.
                        crate::api::keep_pinned_documents().await;
                    });
                }
                Ok(ToWorker::Audit { id, job }) => {
                    let post = post.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let entry = match TRUST.with(|t| t.borrow().clone()) {
                            Ok(trust) => audit::audit_one(&job, &trust).await,
                            Err(e) => npm_provenance_core::audit::AuditEntry::error(&job.package, e),
                        };
                        post(&FromWorker::Audited {
                            id,
                            entry: Box::new(entry),
                        });
                    });
                }
                Ok(ToWorker::RefreshTrust { id, tuf }) => {
                    let post = post.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let config = tuf::shared_refresh(*tuf).await;
                        post(&FromWorker::Trust {
                            id,
                            config: Box::new(config),
                        });
                    });
                }
                Err(_) => {}
            }
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages that arrived while the wasm loaded were dropped (there was no
    // handler yet); the page holds its requests until it hears this.
    post(&FromWorker::Ready);
    if let Some(url) = scope.name().strip_prefix(EARLY_TRUST) {
        wasm_bindgen_futures::spawn_local(tuf::begin_early(url.to_string()));
    }
}

/// How `public/boot.js` names a worker whose trust refresh it wants begun
/// at once: this prefix, then the trust configuration's address.
const EARLY_TRUST: &str = "trust=";
