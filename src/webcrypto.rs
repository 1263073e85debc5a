//! WebCrypto for the worker: the browser's own ECDSA runs several times
//! faster than wasm arithmetic, on the browser's threads. [`start`] sets off
//! the verification of the signatures a request will check; meanwhile the
//! Rust verifier runs with those checks assumed (see
//! `npm_provenance_core::crypto_backend::Assumptions`); [`settle`] then says
//! which verified. The Rust verifier stays the authority: its report is used
//! only if every assumed check verified, otherwise it verifies again with
//! only the confirmed ones, computing the rest itself.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Promise, Uint8Array};
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

fn remember_key(sec1: Vec<u8>, key: CryptoKey) {
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() >= MAX_KEYS {
            k.clear();
        }
        k.insert(sec1, key);
    });
}

/// A verification in flight: the index of its check and the promise of its result.
pub struct Pending {
    pub index: usize,
    promise: Promise,
}

/// Imports the keys of `checks` not imported yet. Only the leaf certificate's
/// key is new in each bundle; a short wait, before anything is started.
async fn import_keys(subtle: &SubtleCrypto, checks: &[SignatureCheck]) {
    let mut missing: Vec<(&[u8], Curve)> = Vec::new();
    for check in checks {
        let known = KEYS.with(|k| k.borrow().contains_key(&check.public_key));
        if !known && !missing.iter().any(|(key, _)| *key == check.public_key.as_slice()) {
            missing.push((&check.public_key, check.curve));
        }
    }
    let imports = missing.into_iter().filter_map(|(sec1, curve)| {
        let params = EcKeyImportParams::new("ECDSA");
        params.set_named_curve(match curve {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
        });
        let usages = Array::of1(&JsValue::from_str("verify"));
        let promise = subtle
            .import_key_with_object("raw", &Uint8Array::from(sec1).into(), &params, false, &usages)
            .ok()?;
        Some(async move {
            if let Some(key) = JsFuture::from(promise)
                .await
                .ok()
                .and_then(|k| k.dyn_into::<CryptoKey>().ok())
            {
                remember_key(sec1.to_vec(), key);
            }
        })
    });
    futures::future::join_all(imports).await;
}

/// Starts verifying one check; `None` for what WebCrypto is not asked to do
/// (other hash/curve pairings, malformed signatures, keys it refused), left to Rust.
fn start_one(subtle: &SubtleCrypto, check: &SignatureCheck) -> Option<Promise> {
    if !check.hash_is_curve_default {
        return None;
    }
    let key = KEYS.with(|k| k.borrow().get(&check.public_key).cloned())?;
    let signature = Uint8Array::from(signature_p1363(check)?.as_slice());
    let hash = match check.curve {
        Curve::P256 => "SHA-256",
        Curve::P384 => "SHA-384",
    };
    let params = EcdsaParams::new_with_str("ECDSA", hash);
    subtle
        .verify_with_object_and_buffer_source_and_buffer_source(
            &params,
            &key,
            &signature,
            &Uint8Array::from(check.message.as_slice()),
        )
        .ok()
}

/// Sets off WebCrypto verification of `checks`: once their keys are
/// imported, every verification is started before this returns, so that
/// they run while the caller runs the Rust verifier. Returns what was started.
pub async fn start(checks: &[SignatureCheck]) -> Vec<Pending> {
    let Some(subtle) = subtle() else { return Vec::new() };
    import_keys(&subtle, checks).await;
    checks
        .iter()
        .enumerate()
        .filter_map(|(index, check)| {
            Some(Pending {
                index,
                promise: start_one(&subtle, check)?,
            })
        })
        .collect()
}

/// Waits for the started verifications: the indices of the checks that verified.
pub async fn settle(pending: Vec<Pending>) -> Vec<(usize, bool)> {
    let results = futures::future::join_all(
        pending
            .into_iter()
            .map(|p| async move { (p.index, JsFuture::from(p.promise).await) }),
    )
    .await;
    results
        .into_iter()
        .map(|(index, result)| (index, result.ok().and_then(|v| v.as_bool()).unwrap_or(false)))
        .collect()
}
