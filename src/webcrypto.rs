//! WebCrypto pre-verification, for the worker: the browser's own ECDSA runs
//! several times faster than wasm arithmetic. The checks a verification will
//! make are verified here first; the successes are remembered, and the Rust
//! verifier (which stays the authority, and makes every check itself when the
//! browser did not) accepts exactly those inputs without recomputing them.
//! See `npm_provenance_core::signature_inputs`.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Uint8Array};
use npm_provenance_core::crypto_backend::remember_verified;
use npm_provenance_core::signature_inputs::{Curve, SignatureCheck, signature_p1363};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, EcKeyImportParams, EcdsaParams, SubtleCrypto};

thread_local! {
    /// Imported keys by their SEC1 bytes: log, CT and CA keys recur in every bundle.
    static KEYS: RefCell<HashMap<Vec<u8>, CryptoKey>> = RefCell::new(HashMap::new());
}

/// Most keys kept imported (each bundle's leaf key is new; bound the map).
const MAX_KEYS: usize = 256;

fn subtle() -> Option<SubtleCrypto> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().dyn_into().ok()?;
    Some(global.crypto().ok()?.subtle())
}

async fn import(subtle: &SubtleCrypto, curve: &str, sec1: &[u8]) -> Option<CryptoKey> {
    if let Some(key) = KEYS.with(|k| k.borrow().get(sec1).cloned()) {
        return Some(key);
    }
    let params = EcKeyImportParams::new("ECDSA");
    params.set_named_curve(curve);
    let usages = Array::of1(&JsValue::from_str("verify"));
    let promise = subtle
        .import_key_with_object("raw", &Uint8Array::from(sec1).into(), &params, false, &usages)
        .ok()?;
    let key: CryptoKey = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() >= MAX_KEYS {
            k.clear();
        }
        k.insert(sec1.to_vec(), key.clone());
    });
    Some(key)
}

async fn verify(subtle: &SubtleCrypto, check: &SignatureCheck) -> bool {
    // Only each curve's own hash, as Sigstore uses them; the rest is left to Rust.
    if !check.hash_is_curve_default {
        return false;
    }
    let Some(signature) = signature_p1363(check) else {
        return false;
    };
    let (curve, hash) = match check.curve {
        Curve::P256 => ("P-256", "SHA-256"),
        Curve::P384 => ("P-384", "SHA-384"),
    };
    let Some(key) = import(subtle, curve, &check.public_key).await else {
        return false;
    };
    let params = EcdsaParams::new_with_str("ECDSA", hash);
    let Ok(promise) = subtle.verify_with_object_and_u8_array_and_u8_array(&params, &key, &signature, &check.message)
    else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Verifies `checks` with WebCrypto and remembers those that verify.
pub async fn preverify(checks: Vec<SignatureCheck>) {
    let Some(subtle) = subtle() else { return };
    let results = futures::future::join_all(checks.iter().map(|c| verify(&subtle, c))).await;
    for (check, ok) in checks.iter().zip(results) {
        if ok {
            remember_verified(check);
        }
    }
}
