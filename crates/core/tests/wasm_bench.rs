//! Verification speed in the browser (wasm32, headless Chromium), on the same
//! real bundles as the native criterion bench. Run by `scripts/bench.sh` in
//! release mode; prints one `BENCH name median_ms` line per case.
#![cfg(target_arch = "wasm32")]

use npm_provenance_core::{
    PackageVersionDocuments, PreparedAttestations, TrustMaterial, Verdict, inspect, verify_package_version,
};
use npm_provenance_fixtures::{embedded, known};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now: js_sys::Function = js_sys::Reflect::get(&performance, &"now".into()).unwrap().into();
    now.call0(&performance).unwrap().as_f64().unwrap()
}

/// Median over 25 samples of the time per run, each sample timing a batch of
/// runs (the browser's clock is coarse).
fn median_ms(batch: usize, mut run: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..25)
        .map(|_| {
            let start = now_ms();
            for _ in 0..batch {
                run();
            }
            (now_ms() - start) / batch as f64
        })
        .collect();
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2]
}

#[wasm_bindgen_test]
fn bench_verification_in_the_browser() {
    let k = known("sigstore", "2.3.1").unwrap();
    let doc: serde_json::Value = serde_json::from_str(embedded::SIGSTORE_2_3_1).unwrap();
    let publish = doc["attestations"][0]["bundle"].to_string();
    let provenance = doc["attestations"][1]["bundle"].to_string();
    let trust = TrustMaterial::public_good();
    let expected = Default::default();
    let package = Some((k.name, k.version));

    let provenance_run = || {
        assert_eq!(
            inspect(&provenance, package, Some(k.integrity), &trust, &expected).verdict,
            Verdict::Verified
        )
    };
    let publish_run = || {
        assert_eq!(
            inspect(&publish, package, Some(k.integrity), &trust, &expected).verdict,
            Verdict::Verified
        )
    };
    let package_run = || {
        // Reading the response is part of the job.
        let prepared = PreparedAttestations::parse(embedded::SIGSTORE_2_3_1);
        let docs = PackageVersionDocuments {
            name: k.name,
            version: k.version,
            integrity: Some(k.integrity),
            attestations: Some(&prepared),
            ..Default::default()
        };
        assert_eq!(
            verify_package_version(&docs, &trust, &expected).verdict,
            Verdict::Verified
        )
    };
    // Warm up on every case for 2 s first, as criterion does natively: the
    // engine recompiles hot functions optimised in the background, and
    // measuring before that is done measures the compiler.
    let warm_until = now_ms() + 2000.0;
    while now_ms() < warm_until {
        provenance_run();
        publish_run();
        package_run();
    }
    let p = median_ms(4, provenance_run);
    let q = median_ms(8, publish_run);
    let v = median_ms(3, package_run);
    console_log!("BENCH provenance_bundle {p:.3}");
    console_log!("BENCH publish_bundle {q:.3}");
    console_log!("BENCH package_version {v:.3}");
}
