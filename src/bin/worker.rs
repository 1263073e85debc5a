//! The verification worker: receives requests from the page, verifies them
//! with the core, posts reports back. Verification takes milliseconds per
//! bundle; here it never blocks scrolling or typing on the page.

use npm_provenance_app::protocol::{RequestEnvelope, ResponseEnvelope, answer};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

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
            report: answer(envelope.request),
        };
        if let Ok(json) = serde_json::to_string(&response) {
            let _ = reply_scope.post_message(&JsValue::from_str(&json));
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages that arrived while the wasm loaded were dropped (there was no
    // handler yet); the page holds its requests until it hears this.
    let _ = scope.post_message(&JsValue::from_str(npm_provenance_app::protocol::READY));
}
