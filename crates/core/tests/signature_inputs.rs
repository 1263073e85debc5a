//! The pre-verification list (`signature_inputs`) names exactly the checks
//! verification makes: once each listed check is verified and remembered,
//! verifying a real bundle computes no ECDSA at all. And a check that fails
//! is never remembered, so a tampered bundle still fails.

use npm_provenance_core::crypto_backend::{Curve, SignatureCheck, computed_verifications, remember_verified};
use npm_provenance_core::signature_inputs::attestations_checks;
use npm_provenance_core::{
    PackageVersionDocuments, PreparedAttestations, TrustMaterial, Verdict, verify_package_version,
};
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
    let docs = PackageVersionDocuments {
        name: k.name,
        version: k.version,
        integrity: Some(k.integrity),
        attestations: Some(&prepared),
        ..Default::default()
    };
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
