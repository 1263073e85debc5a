//! The verification worker: receives requests from the page, verifies them
//! with the core, posts reports back. Verification takes milliseconds per
//! bundle; here it never blocks scrolling or typing on the page.

use std::cell::RefCell;

use npm_provenance_app::protocol::{READY, RequestEnvelope, ResponseEnvelope, VerifyRequest, answer};
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

fn handle(request: VerifyRequest) -> Option<Report> {
    if let VerifyRequest::Configure(config) = &request {
        let material = config
            .material()
            .map_err(|e| format!("The configured trust material is unusable: {e}"));
        TRUST.with(|t| *t.borrow_mut() = material);
        return None;
    }
    TRUST.with(|t| match &*t.borrow() {
        Ok(trust) => answer(request, trust),
        Err(e) => Some(Report::error(None, e.clone())),
    })
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
        let response = ResponseEnvelope {
            id: envelope.id,
            report: handle(envelope.request),
        };
        if let Ok(json) = serde_json::to_string(&response) {
            let _ = reply_scope.post_message(&JsValue::from_str(&json));
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages that arrived while the wasm loaded were dropped (there was no
    // handler yet); the page holds its requests until it hears this.
    let _ = scope.post_message(&JsValue::from_str(READY));
}
