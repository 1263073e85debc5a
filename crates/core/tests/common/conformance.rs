//! Verifying a case of Sigstore's conformance suite the way its harness asks
//! a client to (`verify-bundle`), through the same core call as
//! `npm-provenance verify --bundle`; shared by the native and the browser tests.

use npm_provenance_core::registry_keys::spki_from_pem;
use npm_provenance_core::{
    ArtifactExpectation, CheckId, DigestAlgorithm, ExpectedIdentity, RegistryKeys, Report, TrustMaterial, Verdict,
    verify_single_bundle,
};
use npm_provenance_fixtures::ConformanceCase;

/// The case verified over its artifact, or (`by_digest`) its SHA-256.
pub fn verify_case(case: &ConformanceCase, by_digest: bool) -> Report {
    let trust = match case.trusted_root {
        Some(json) => match TrustMaterial::from_trusted_root_json(json, RegistryKeys::npm()) {
            Ok(trust) => trust,
            // An unusable trusted root verifies nothing (the command exits 2).
            Err(e) => return Report::error(None, e),
        },
        None => TrustMaterial::public_good(),
    };
    let artifact = if by_digest {
        use sha2::Digest;
        ArtifactExpectation::Digest {
            algorithm: DigestAlgorithm::Sha256,
            bytes: sha2::Sha256::digest(case.artifact).to_vec(),
            source: "the given digest".into(),
        }
    } else {
        ArtifactExpectation::Blob(case.artifact.to_vec())
    };
    let (key, expected) = match case.key {
        Some(pem) => match spki_from_pem(pem) {
            Ok(spki) => (Some(spki), ExpectedIdentity::default()),
            Err(e) => return Report::error(None, e),
        },
        None => (
            None,
            ExpectedIdentity {
                subject_alternative_name: Some(case.identity().into()),
                issuer: Some(case.issuer().into()),
                ..Default::default()
            },
        ),
    };
    verify_single_bundle(case.bundle, artifact, key, &trust, &expected)
}

/// Where each `_fail` case must fail; `None` for input that is unusable
/// before verification starts (the command exits 2).
pub const EXPECTED: &[(&str, Option<CheckId>)] = &[
    ("bundle-empty-certificate-chain_fail", Some(CheckId::BundleFormat)),
    ("bundle-from-wrong-instance_fail", Some(CheckId::LogTimestamp)),
    // Its signed entry timestamp does not verify either, and is checked first.
    ("bundle-invalid-base64-signature_fail", Some(CheckId::LogTimestamp)),
    ("bundle-malformed-json_fail", Some(CheckId::BundleFormat)),
    ("bundle-negative-log-index_fail", Some(CheckId::BundleFormat)),
    ("bundle-unknown-version_fail", Some(CheckId::BundleFormat)),
    // The chain's root is ignored by rule (only the signing certificate of a
    // chain is used: tests/hostile.rs); what fails is the missing checkpoint.
    ("bundle-with-root-cert_fail", Some(CheckId::TransparencyLog)),
    ("checkpoint-wrong-roothash_fail", Some(CheckId::TransparencyLog)),
    ("dsse-invalid-sig_fail", Some(CheckId::Signature)),
    ("dsse-mismatch-envelope_fail", Some(CheckId::LogEntryMatch)),
    ("incorrect-public-key_fail", Some(CheckId::LogTimestamp)),
    ("intoto-expired-certificate_fail", Some(CheckId::CertificateChain)),
    ("intoto-missing-inclusion-proof_fail", Some(CheckId::TransparencyLog)),
    (
        "intoto-set-outside-signing-cert-validity_fail",
        Some(CheckId::CertificateChain),
    ),
    (
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        Some(CheckId::CertificateChain),
    ),
    ("invalid-checkpoint-signature_fail", Some(CheckId::TransparencyLog)),
    ("invalid-ct-key_fail", Some(CheckId::CertificateSct)),
    ("invalid-inclusion-proof_fail", Some(CheckId::TransparencyLog)),
    ("managed-key-no-key_fail", Some(CheckId::BundleFormat)),
    ("managed-key-wrong-key_fail", None),
    ("message-digest-mismatch_fail", Some(CheckId::Subject)),
    (
        "rekor2-checkpoint-missing-log-signature_fail",
        Some(CheckId::BundleFormat),
    ),
    ("rekor2-checkpoint-missing-origin_fail", Some(CheckId::BundleFormat)),
    ("rekor2-checkpoint-missing-root-hash_fail", Some(CheckId::BundleFormat)),
    ("rekor2-checkpoint-missing-size_fail", Some(CheckId::BundleFormat)),
    (
        "rekor2-checkpoint-no-matching-signature_fail",
        Some(CheckId::TransparencyLog),
    ),
    ("rekor2-dsse-invalid-sig_fail", Some(CheckId::Signature)),
    ("rekor2-dsse-mismatch-sig_fail", Some(CheckId::LogEntryMatch)),
    ("rekor2-no-inclusion-proof_fail", Some(CheckId::BundleFormat)),
    ("rekor2-no-timestamp_fail", Some(CheckId::LogTimestamp)),
    (
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
        Some(CheckId::LogTimestamp),
    ),
    (
        "rekor2-timestamp-outside-tsa-cert-validity_fail",
        Some(CheckId::LogTimestamp),
    ),
    ("rekor2-timestamp-payload-mismatch_fail", Some(CheckId::LogTimestamp)),
    (
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        Some(CheckId::LogTimestamp),
    ),
    (
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        Some(CheckId::LogTimestamp),
    ),
    ("signature-mismatch_fail", Some(CheckId::Signature)),
    ("trust-root-tlog-missing-validity-start_fail", None),
    ("wrong-hashedrekord-artifact_fail", Some(CheckId::LogEntryMatch)),
    ("wrong-hashedrekord-cert-and-sig_fail", Some(CheckId::LogEntryMatch)),
    ("wrong-hashedrekord-entry_fail", Some(CheckId::LogEntryMatch)),
    ("wrong-material_fail", Some(CheckId::Subject)),
];

/// Verifies a case and asserts its outcome: verified, or failed at the
/// expected check (or unusable input).
pub fn check_case(case: &ConformanceCase, by_digest: bool) {
    let how = if by_digest { "by digest" } else { "by path" };
    let report = verify_case(case, by_digest);
    if !case.must_fail() {
        assert_eq!(
            report.verdict,
            Verdict::Verified,
            "{} {how}: {}",
            case.name,
            report.summary
        );
        return;
    }
    let expected = EXPECTED
        .iter()
        .find(|(name, _)| *name == case.name)
        .unwrap_or_else(|| panic!("{}: a failing case without an expected check", case.name))
        .1;
    match expected {
        None => assert_eq!(
            report.verdict,
            Verdict::Error,
            "{} {how}: {}",
            case.name,
            report.summary
        ),
        Some(check) => {
            assert_eq!(
                report.verdict,
                Verdict::Failed,
                "{} {how}: {}",
                case.name,
                report.summary
            );
            assert_eq!(
                report.first_failure().map(|(_, c)| c.id),
                Some(check),
                "{} {how}: {}",
                case.name,
                report.summary
            );
        }
    }
}
