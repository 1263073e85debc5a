//! The same verification in a real browser (headless Chromium, through
//! wasm-bindgen-test): real npm attestations verify, a tampered one does not,
//! and every case of Sigstore's conformance suite passes or fails at the same
//! check as on the command line (tests/conformance.rs).
#![cfg(target_arch = "wasm32")]

mod common;

use common::conformance::check_case;
use npm_provenance_core::{
    CheckId, PackageVersionDocuments, PreparedAttestations, TrustMaterial, Verdict, verify_package_version,
};
use npm_provenance_fixtures::{CASES, embedded, known};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn verify(name: &str, version: &str, integrity: &str, attestations: &str) -> npm_provenance_core::Report {
    let prepared = PreparedAttestations::parse(attestations);
    let docs = PackageVersionDocuments {
        name,
        version,
        integrity: Some(integrity),
        attestations: Some(&prepared),
        ..Default::default()
    };
    verify_package_version(&docs, &TrustMaterial::public_good(), &Default::default())
}

#[wasm_bindgen_test]
fn unusable_and_unreadable_documents_are_refused() {
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

/// Every conformance case, by path and by digest, in the browser: Rekor v2,
/// RFC 3161 timestamps, managed keys and every tampered variant included.
#[wasm_bindgen_test]
fn every_conformance_case_as_on_the_command_line() {
    assert!(CASES.len() >= 58, "{} cases", CASES.len());
    for case in CASES {
        for by_digest in [false, true] {
            check_case(case, by_digest);
        }
    }
}

/// Other Sigstore clients' test data (tests/peers.rs), in the browser: what
/// sigstore-js, -python and -go verify verifies here too (issue #26), and
/// the two refusals the README keeps.
#[wasm_bindgen_test]
fn what_the_peers_verify_verifies_in_the_browser() {
    use common::peers;
    peers::a_rekor_v2_dsse_entry_verifies();
    peers::a_timestamp_over_another_signature_is_not_counted();
    peers::a_bundle_whose_only_timestamp_fails_still_fails();
    peers::a_rekor_v2_entry_recording_the_certificates_key_verifies();
    peers::an_othername_identity_is_read_and_matched();
    peers::authorities_without_a_validity_start_are_unbounded();
    peers::a_log_entry_given_twice_is_refused();
    peers::dsse_envelopes_of_other_payloads_verify_as_signed_bytes();
    peers::a_key_signed_bundle_whose_entry_records_a_certificate_is_refused();
    peers::an_undefined_bundle_version_is_refused();
}

/// Issue #26, 8, in the browser (the app's worker runs this policy): a
/// repository serving expired metadata is a potential freeze attack, said as
/// a warning in the report's trust source, as an attack is; the last
/// verified refresh stands while its timestamp is valid.
#[wasm_bindgen_test]
fn a_frozen_tuf_repository_is_a_warning_in_the_browser() {
    use npm_provenance_core::tuf::{TufError, TufStep, TufTargets, decide};
    let kept = || {
        TufStep::Done(TufTargets {
            trusted_root: "{}".into(),
            npm_keys: None,
            root_version: 16,
            timestamp_version: 762,
            timestamp_expires: 1_900_000_000,
            state: Default::default(),
        })
    };
    let frozen = || Ok(TufStep::Failed(TufError::Expired("timestamp.json expired".into())));
    let decision = decide("https://tuf.example", frozen(), kept);
    assert_eq!(decision.source.source, "tuf-cache");
    let warning = decision.warning.unwrap();
    assert!(
        warning.contains("potential freeze attack (TUF specification 5.4.4)"),
        "{warning}"
    );
    assert_eq!(decision.source.warning.as_deref(), Some(warning.as_str()));
    let nothing_kept = decide("https://tuf.example", frozen(), || {
        TufStep::Failed(TufError::Malformed("nothing kept".into()))
    });
    assert_eq!(nothing_kept.source.source, "embedded");
    assert!(nothing_kept.source.warning.is_some());
    let down = decide("https://tuf.example", Err("offline".into()), kept);
    assert_eq!((down.warning, down.source.warning), (None, None));
}
