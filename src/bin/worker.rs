//! The verification worker: receives requests from the page, verifies them
//! with the core, posts reports back. Verification takes milliseconds per
//! bundle; here it never blocks scrolling or typing on the page.

use std::cell::RefCell;

use npm_provenance_app::protocol::{READY, RequestEnvelope, ResponseEnvelope, VerifyRequest, answer};
use npm_provenance_core::registry_documents::looks_like_attestations_response;
use npm_provenance_core::signature_inputs::{SignatureCheck, attestations_checks, bundle_checks};
use npm_provenance_core::{Report, TrustMaterial};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// What verification trusts: the public-good root and npm's keys unless
    /// the page configured otherwise. A configuration that failed to load is
    /// kept as its error, so that nothing verifies against the wrong root.
    static TRUST: RefCell<Result<TrustMaterial, String>> = RefCell::new(Ok(TrustMaterial::public_good()));
}

/// The signatures a request's verification will check, for WebCrypto to check first.
fn signature_checks(request: &VerifyRequest, trust: &TrustMaterial) -> Vec<SignatureCheck> {
    match request {
        VerifyRequest::PackageVersion {
            attestations: Some(json),
            ..
        } => attestations_checks(json, trust),
        VerifyRequest::Inspect { json, .. } if looks_like_attestations_response(json) => {
            attestations_checks(json, trust)
        }
        VerifyRequest::Inspect { json, .. } => bundle_checks(json, trust),
        _ => Vec::new(),
    }
}

async fn handle(request: VerifyRequest) -> Option<Report> {
    if let VerifyRequest::Configure(config) = &request {
        let material = config
            .material()
            .map_err(|e| format!("The configured trust material is unusable: {e}"));
        TRUST.with(|t| *t.borrow_mut() = material);
        return None;
    }
    let trust = match TRUST.with(|t| t.borrow().clone()) {
        Ok(trust) => trust,
        Err(e) => return Some(Report::error(None, e)),
    };
    npm_provenance_app::webcrypto::preverify(signature_checks(&request, &trust)).await;
    answer(request, &trust)
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else { return };
        // A request the page did not make is ignored: the page only sends envelopes.
        let Ok(envelope) = serde_json::from_str::<RequestEnvelope>(&text) else {
            return;
        };
        let reply_scope = reply_scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let response = ResponseEnvelope {
                id: envelope.id,
                report: handle(envelope.request).await,
            };
            if let Ok(json) = serde_json::to_string(&response) {
                let _ = reply_scope.post_message(&JsValue::from_str(&json));
            }
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages that arrived while the wasm loaded were dropped (there was no
    // handler yet); the page holds its requests until it hears this.
    let _ = scope.post_message(&JsValue::from_str(READY));
}
