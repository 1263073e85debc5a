//! The same verification in a real browser (headless Chromium, through
//! wasm-bindgen-test): real npm attestations verify, a tampered one does not.
#![cfg(target_arch = "wasm32")]

use npm_provenance_core::{CheckId, PackageVersionDocuments, TrustMaterial, Verdict, verify_package_version};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn verify(name: &str, version: &str, integrity: &str, attestations: &str) -> npm_provenance_core::Report {
    let docs = PackageVersionDocuments {
        name,
        version,
        integrity: Some(integrity),
        attestations: Some(attestations),
        ..Default::default()
    };
    verify_package_version(&docs, &TrustMaterial::public_good(), &Default::default())
}

#[wasm_bindgen_test]
fn checks_that_need_no_fixtures_run_in_the_browser() {
    let report = verify("sigstore", "1.0.0", "sha512-AAAA", "{\"attestations\": []}");
    assert_eq!(report.verdict, Verdict::Error);
    let report = verify(
        "sigstore",
        "1.0.0",
        "sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQS8Xk8iXrn9bgytytVLqYD0P7NSqZ6IELTgq+tcDvLPkQjNHyWLNg==",
        "not json",
    );
    assert_eq!(report.verdict, Verdict::Failed);
    assert_eq!(report.first_failure().unwrap().1.id, CheckId::Attestations);
}

#[cfg(fixtures_available)]
mod real {
    use super::*;
    use npm_provenance_fixtures::{embedded, known};

    #[wasm_bindgen_test]
    fn sigstore_2_3_1_verifies() {
        let k = known("sigstore", "2.3.1").unwrap();
        let report = verify(k.name, k.version, k.integrity, embedded::SIGSTORE_2_3_1);
        assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    }

    #[wasm_bindgen_test]
    fn a_scoped_slsa_v02_package_verifies() {
        let k = known("@laurentsimon/provenance-npm-test", "1.0.3").unwrap();
        let report = verify(k.name, k.version, k.integrity, embedded::PROVENANCE_NPM_TEST_1_0_3);
        assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    }

    #[wasm_bindgen_test]
    fn an_inclusion_promise_only_bundle_verifies() {
        let k = known("sigstore", "0.4.0").unwrap();
        let report = verify(k.name, k.version, k.integrity, embedded::SIGSTORE_0_4_0);
        assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    }

    #[wasm_bindgen_test]
    fn a_tampered_provenance_is_rejected_by_its_signature() {
        let k = known("sigstore", "2.3.1").unwrap();
        let report = verify(k.name, k.version, k.integrity, embedded::TAMPERED_SIGSTORE_2_3_1);
        assert_eq!(report.verdict, Verdict::Failed);
        assert_eq!(report.first_failure().unwrap().1.id, CheckId::Signature);
    }
}
