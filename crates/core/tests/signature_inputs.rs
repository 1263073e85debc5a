//! The pre-verification list (`signature_inputs`) names exactly the checks
//! verification makes: once each listed check is verified and remembered,
//! verifying a real bundle computes no ECDSA at all. And a check that fails
//! is never remembered, so a tampered bundle still fails.

mod common;
use common::documents::{attested_fixture, dist_signatures, signed_version};

use npm_provenance_core::crypto_backend::{Curve, SignatureCheck, computed_verifications, remember_verified};
use npm_provenance_core::signature_inputs::attestations_checks;
use npm_provenance_core::{PreparedAttestations, TrustMaterial, Verdict, verify_package_version};
use npm_provenance_fixtures::{self as fx, KNOWN_VERSIONS};

/// Stands in for WebCrypto: an independent verification from the raw form.
fn verify_independently(check: &SignatureCheck) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    let Some(raw) = check.signature_p1363() else {
        return false;
    };
    assert!(check.hash_is_curve_default, "the fixtures use each curve's own hash");
    match check.curve {
        Curve::P256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&check.public_key).unwrap();
            let sig = p256::ecdsa::Signature::from_slice(&raw).unwrap();
            key.verify(&check.message, &sig).is_ok()
        }
        Curve::P384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(&check.public_key).unwrap();
            let sig = p384::ecdsa::Signature::from_slice(&raw).unwrap();
            key.verify(&check.message, &sig).is_ok()
        }
        Curve::Ed25519 => panic!("npm's bundles use no Ed25519"),
    }
}

fn verify(k: &fx::KnownVersion, json: &str, trust: &TrustMaterial) -> (Verdict, u64) {
    let prepared = PreparedAttestations::parse(json);
    let docs = attested_fixture(k, &prepared);
    let before = computed_verifications();
    let verdict = verify_package_version(&docs, trust, &Default::default()).verdict;
    (verdict, computed_verifications() - before)
}

#[test]
fn pre_verified_checks_cover_every_signature_of_real_bundles() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    for k in KNOWN_VERSIONS {
        let Some(file) = k.attestations else { continue };
        let json = fx::read(&dir, file);
        let (verdict, computed_cold) = verify(k, &json, &trust);
        assert_eq!(verdict, Verdict::Verified);
        let checks = attestations_checks(&PreparedAttestations::parse(&json), &trust);
        let mut verified = 0;
        for check in &checks {
            if verify_independently(check) {
                remember_verified(check);
                verified += 1;
            }
        }
        let (verdict, computed_warm) = verify(k, &json, &trust);
        assert_eq!(verdict, Verdict::Verified, "{file}");
        assert_eq!(
            computed_warm,
            0,
            "{file}: {computed_warm} of {computed_cold} ECDSA checks were not pre-verified ({verified} of {} listed verified)",
            checks.len()
        );
    }
}

#[test]
fn a_failing_check_is_never_remembered() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let json = fx::read(
        &dir,
        "negative/npm/slsa-verifier/provenance-npm-test-cli-v1-prega-invalidsigprov.json",
    );
    for check in attestations_checks(&PreparedAttestations::parse(&json), &trust) {
        if verify_independently(&check) {
            remember_verified(&check);
        }
    }
    let (verdict, computed) = verify(k, &json, &trust);
    assert_eq!(verdict, Verdict::Failed);
    assert!(computed >= 1, "the altered signature was checked by the Rust code");
}

/// The registry's signature is one more ECDSA check per package version
/// (the only one a lockfile audit of packages without provenance makes):
/// listed, verified ahead and remembered, it is not computed again.
#[test]
fn registry_signatures_are_listed_for_pre_verification() {
    use npm_provenance_core::signature_inputs::package_version_checks;
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let mut seen = 0;
    for k in KNOWN_VERSIONS.iter().filter(|k| k.dist_excerpt.is_some()) {
        let sigs = dist_signatures(&dir, k.dist_excerpt.unwrap());
        let docs = signed_version(k.name, k.version, Some(k.integrity), &sigs);
        let checks = package_version_checks(&docs, &trust);
        assert_eq!(
            checks.len(),
            sigs.len(),
            "{}@{}: one check per signature",
            k.name,
            k.version
        );
        for check in &checks {
            assert!(verify_independently(check), "{}@{}", k.name, k.version);
            remember_verified(check);
        }
        let before = computed_verifications();
        let report = verify_package_version(&docs, &trust, &Default::default());
        assert_eq!(report.verdict, Verdict::NoProvenance);
        assert_eq!(computed_verifications() - before, 0, "{}@{}", k.name, k.version);
        seen += 1;
    }
    assert!(seen > 0, "the fixtures have versions with registry signatures");
}

/// Listed over other data (here: another version's integrity), the check
/// fails independently, is not remembered, and the Rust code still rejects it.
#[test]
fn a_registry_signature_over_other_data_is_not_remembered() {
    use npm_provenance_core::signature_inputs::package_version_checks;
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let k = fx::known("sigstore", "1.0.0").unwrap();
    let sigs = dist_signatures(&dir, k.dist_excerpt.unwrap());
    let docs = signed_version(
        k.name,
        k.version,
        Some(fx::known("sigstore", "2.3.1").unwrap().integrity),
        &sigs,
    );
    for check in package_version_checks(&docs, &trust) {
        assert!(!verify_independently(&check));
    }
    let before = computed_verifications();
    let report = verify_package_version(&docs, &trust, &Default::default());
    assert_eq!(report.verdict, Verdict::Failed);
    assert!(computed_verifications() - before >= 1);
}
