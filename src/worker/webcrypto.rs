//! WebCrypto pre-verification, for the worker: the browser's own ECDSA runs
//! several times faster than wasm arithmetic. The checks a verification will
//! make are verified here first; the successes are remembered, and the Rust
//! verifier (which stays the authority, and makes every check itself when the
//! browser did not) accepts exactly those inputs without recomputing them.
//! See `npm_provenance_core::signature_inputs`.
//!
//! ECDSA only: Ed25519 (one checkpoint signature per Rekor v2 bundle) is left
//! to the Rust code, whose cost for it is small.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Uint8Array};
use npm_provenance_core::crypto_backend::{Curve, SignatureCheck, remember_verified};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, EcKeyImportParams, EcdsaParams, SubtleCrypto};

thread_local! {
    /// Imported keys by curve and key bytes: log, CT and CA keys recur in
    /// every bundle. The curve is part of the key: the same bytes imported
    /// for another curve would be another key (or none).
    static KEYS: RefCell<HashMap<(Curve, Vec<u8>), CryptoKey>> = RefCell::new(HashMap::new());
}

/// Most keys kept imported (each bundle's leaf key is new; bound the map).
const MAX_KEYS: usize = 256;

fn subtle() -> Option<SubtleCrypto> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().dyn_into().ok()?;
    Some(global.crypto().ok()?.subtle())
}

async fn import(subtle: &SubtleCrypto, curve: Curve, sec1: &[u8]) -> Option<CryptoKey> {
    let cache_key = (curve, sec1.to_vec());
    if let Some(key) = KEYS.with(|k| k.borrow().get(&cache_key).cloned()) {
        return Some(key);
    }
    let params = EcKeyImportParams::new("ECDSA");
    params.set_named_curve(match curve {
        Curve::P256 => "P-256",
        Curve::P384 => "P-384",
        Curve::Ed25519 => return None,
    });
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
        k.insert(cache_key, key.clone());
    });
    Some(key)
}

async fn verify(subtle: &SubtleCrypto, check: &SignatureCheck) -> bool {
    // Only each curve's own hash, as Sigstore uses them; the rest is left to Rust.
    if !check.hash_is_curve_default {
        return false;
    }
    let Some(signature) = check.signature_p1363() else {
        return false;
    };
    let hash = match check.curve {
        Curve::P256 => "SHA-256",
        Curve::P384 => "SHA-384",
        Curve::Ed25519 => return false,
    };
    let Some(key) = import(subtle, check.curve, &check.public_key).await else {
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
