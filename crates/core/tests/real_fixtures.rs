//! The core against real npm and Sigstore data (tests/fixtures): every
//! positive case verifies, every negative case is rejected by the check its
//! tampering targets.

mod common;
use common::assertions::{assert_verified, first_failure};
use common::documents::{attested_fixture, dist_signatures, published_at, signed_version};

use npm_provenance_core::report::KeySource;
use npm_provenance_core::{
    ArtifactExpectation, AttestationKind, CheckId, CheckStatus, DigestAlgorithm, ExpectedIdentity,
    PackageVersionDocuments, PreparedAttestations, PreparedInput, RegistryKeys, Report, TrustMaterial, Verdict,
    inspect, verify_package_version, verify_single_bundle,
};
use npm_provenance_fixtures::{self as fx, KNOWN_VERSIONS};

#[test]
fn every_real_attestations_response_verifies() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let mut count = 0;
    for k in KNOWN_VERSIONS {
        let Some(file) = k.attestations else { continue };
        let json = fx::read(&dir, file);
        let report = verify_package_version(
            &attested_fixture(k, &PreparedAttestations::parse(&json)),
            &trust,
            &ExpectedIdentity::default(),
        );
        assert_verified(&report, file);
        assert_eq!(report.attestations.len(), 2, "{file}");
        assert!(report.provenance.is_some(), "{file}: no panel");
        // Every check ran and passed, except the optional ones with no input.
        for check in report
            .checks
            .iter()
            .chain(report.attestations.iter().flat_map(|a| a.checks.iter()))
        {
            assert!(
                check.status == CheckStatus::Passed || (!check.required && check.status == CheckStatus::Skipped),
                "{file}: {check:?}"
            );
        }
        count += 1;
    }
    assert_eq!(count, 7);
}

/// Issue 11, item 5, on real data: sigstore@2.3.1's response with npm's
/// publish attestation removed (a registry dropping what npm's key signed)
/// is incomplete, not verified; the provenance itself still verifies.
#[test]
fn real_provenance_without_the_publish_attestation_is_incomplete() {
    let dir = npm_provenance_fixtures::dir();
    let k = KNOWN_VERSIONS
        .iter()
        .find(|k| k.name == "sigstore" && k.version == "2.3.1")
        .unwrap();
    let mut response: serde_json::Value = serde_json::from_str(&fx::read(&dir, k.attestations.unwrap())).unwrap();
    let list = response["attestations"].as_array_mut().unwrap();
    let before = list.len();
    list.retain(|a| {
        !a["predicateType"]
            .as_str()
            .unwrap_or_default()
            .contains("npm/attestation")
    });
    assert_eq!(list.len(), before - 1, "the response had one publish attestation");
    let prepared = PreparedAttestations::parse(&response.to_string());
    let report = verify_package_version(
        &attested_fixture(k, &prepared),
        &TrustMaterial::public_good(),
        &ExpectedIdentity::default(),
    );
    assert_eq!(report.verdict, Verdict::Incomplete, "{}", report.summary);
    assert_eq!(report.attestations.len(), 1);
    assert_eq!(report.attestations[0].verdict, Verdict::Verified);
    assert!(report.summary.contains("publish attestation"), "{}", report.summary);
}

#[test]
fn every_real_single_bundle_verifies_in_the_inspector() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let mut count = 0;
    for k in KNOWN_VERSIONS {
        for file in k.bundles {
            let json = fx::read(&dir, file);
            let report = inspect(
                &json,
                Some((k.name, k.version)),
                Some(k.integrity),
                &trust,
                &ExpectedIdentity::default(),
            );
            assert_verified(&report, file);
            let kind = report.attestations[0].kind;
            let expected = if file.contains(".publish.") {
                AttestationKind::Publish
            } else {
                AttestationKind::Provenance
            };
            assert_eq!(kind, expected, "{file}");
            count += 1;
        }
    }
    assert_eq!(count, 8);
}

/// The inspector reads the package from the signed subject of what was
/// pasted (every real bundle and response names its own version), and
/// refuses what is not a document in words of its own, never as a failed check.
#[test]
fn the_inspector_reads_the_package_from_the_signed_subject_and_refuses_what_is_no_document() {
    use npm_provenance_core::package_version::InputError;
    let dir = npm_provenance_fixtures::dir();
    let mut count = 0;
    for k in KNOWN_VERSIONS {
        for file in k.bundles.iter().chain(k.attestations.iter()) {
            let input = PreparedInput::read(&fx::read(&dir, file)).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert_eq!(
                input.signed_package(),
                Some((k.name.to_string(), k.version.to_string())),
                "{file}"
            );
            count += 1;
        }
    }
    assert_eq!(count, 15);
    // sigstore@2.0.0's bundle with the package it names and no integrity:
    // incomplete, for the one reason, said once.
    let json = fx::read(&dir, "bundles/sigstore@2.0.0.provenance.sigstore.json");
    let report = inspect(
        &json,
        Some(("sigstore", "2.0.0")),
        None,
        &TrustMaterial::public_good(),
        &Default::default(),
    );
    assert_eq!(report.verdict, Verdict::Incomplete, "{}", report.summary);
    // A response of two attestations skips "Subject" in each: named once.
    let json = fx::read(&dir, "attestations/tuf-js@1.0.0.json");
    let report = inspect(&json, None, None, &TrustMaterial::public_good(), &Default::default());
    assert_eq!(report.verdict, Verdict::Incomplete, "{}", report.summary);
    assert_eq!(report.summary.matches("Subject").count(), 1, "{}", report.summary);
    for (text, expected) in [
        ("not json at all", InputError::NotJson),
        ("{\"mediaType\": ", InputError::NotJson),
        ("", InputError::NotJson),
        ("{\"hello\": \"world\"}", InputError::NotADocument),
        ("[1, 2]", InputError::NotADocument),
        ("\"a string\"", InputError::NotADocument),
    ] {
        assert_eq!(PreparedInput::read(text).err(), Some(expected), "{text}");
    }
    // A broken bundle is still a bundle: it is verified, and fails.
    let tampered = fx::read(
        &dir,
        "sigstore-conformance/bundle-verify/dsse-invalid-sig_fail/bundle.sigstore.json",
    );
    assert!(PreparedInput::read(&tampered).is_ok());
    assert!(PreparedInput::read("{\"mediaType\": 5}").is_ok());
}

#[test]
fn the_panel_shows_the_certificates_claims_with_working_links() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    let report = verify_package_version(
        &attested_fixture(k, &PreparedAttestations::parse(&json)),
        &TrustMaterial::public_good(),
        &Default::default(),
    );
    let p = report.provenance.clone().expect("panel");
    assert_eq!(p.headline, "Built and signed on GitHub Actions");
    let commit = p.source_commit.unwrap();
    assert_eq!(commit.text, "github.com/sigstore/sigstore-js@46e7056");
    assert_eq!(
        commit.url.as_deref(),
        Some("https://github.com/sigstore/sigstore-js/commit/46e7056ff9912ebfee5298d94024895a9fea76c0")
    );
    let file = p.build_file.unwrap();
    assert_eq!(file.text, ".github/workflows/release.yml");
    assert_eq!(
        file.url.as_deref(),
        Some(
            "https://github.com/sigstore/sigstore-js/blob/46e7056ff9912ebfee5298d94024895a9fea76c0/.github/workflows/release.yml"
        )
    );
    assert_eq!(
        p.build_summary_url.as_deref(),
        Some("https://github.com/sigstore/sigstore-js/actions/runs/9116405766/attempts/1")
    );
    assert_eq!(
        p.public_ledger.unwrap().url.as_deref(),
        Some("https://search.sigstore.dev/?logIndex=94408136")
    );
    assert_eq!(p.published_at.as_deref(), Some("2024-05-16T17:12:03Z"));
    assert!(p.from_predicate.is_empty(), "{:?}", p.from_predicate);
    let id = report.provenance_attestation().unwrap().identity.clone().unwrap();
    assert!(id.verified);
    assert_eq!(
        id.issuer.as_deref(),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(id.runner_environment.as_deref(), Some("github-hosted"));
    let key = report.publish_attestation().unwrap().signing_key.clone().unwrap();
    assert_eq!(key.key_id, "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA");
    assert_eq!(key.source, KeySource::Pinned);
}

#[test]
fn old_certificates_fill_the_run_link_from_the_predicate_and_say_so() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "0.4.0").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    let report = verify_package_version(
        &attested_fixture(k, &PreparedAttestations::parse(&json)),
        &TrustMaterial::public_good(),
        &Default::default(),
    );
    let p = report.provenance.expect("panel");
    assert_eq!(p.build_file.unwrap().text, ".github/workflows/publish.yml");
    assert_eq!(
        p.build_summary_url.as_deref(),
        Some("https://github.com/sigstore/sigstore-js/actions/runs/3895197725/attempts/1")
    );
    assert!(
        p.from_predicate.contains(&"build summary".to_string()),
        "{:?}",
        p.from_predicate
    );
}

#[test]
fn a_subject_digest_other_than_the_registrys_integrity_is_rejected() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let other = fx::known("sigstore", "1.0.0").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    let prepared = PreparedAttestations::parse(&json);
    let docs = PackageVersionDocuments {
        integrity: Some(other.integrity),
        ..attested_fixture(k, &prepared)
    };
    let report = verify_package_version(&docs, &TrustMaterial::public_good(), &Default::default());
    assert_eq!(report.verdict, Verdict::Failed);
    let (_, check) = report.first_failure().unwrap();
    assert_eq!(check.id, CheckId::Subject);
    assert!(
        check
            .detail
            .contains("is not the sha512 of the registry's dist.integrity"),
        "{}",
        check.detail
    );
}

#[test]
fn attestations_of_another_package_are_rejected_by_the_subject_name() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    let prepared = PreparedAttestations::parse(&json);
    let docs = PackageVersionDocuments {
        name: "sigstore-evil",
        ..attested_fixture(k, &prepared)
    };
    let report = verify_package_version(&docs, &TrustMaterial::public_good(), &Default::default());
    let (_, check) = report.first_failure().unwrap();
    assert_eq!(check.id, CheckId::Subject);
    assert!(
        check.detail.contains("not this package's pkg:npm/sigstore-evil@2.3.1"),
        "{}",
        check.detail
    );
}

#[test]
fn a_publish_key_outside_its_window_is_rejected() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    // The same key, as if it had expired at the end of 2023 (sigstore@2.3.1
    // was published in May 2024).
    let keys: Vec<_> = RegistryKeys::npm()
        .keys()
        .iter()
        .cloned()
        .map(|mut key| {
            key.valid_until = Some(1_704_067_200);
            key
        })
        .collect();
    let trust = TrustMaterial::public_good().with_registry_keys(RegistryKeys::from_keys(keys));
    let report = verify_package_version(
        &attested_fixture(k, &PreparedAttestations::parse(&json)),
        &trust,
        &Default::default(),
    );
    assert_eq!(
        first_failure(&report),
        Some((Some(AttestationKind::Publish), CheckId::KeyValidity))
    );
    assert!(
        report
            .publish_attestation()
            .unwrap()
            .checks
            .iter()
            .any(|c| c.detail.contains("was not valid at 2024-05-16"))
    );
}

#[test]
fn a_publish_attestation_by_an_unknown_key_is_rejected() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    let trust = TrustMaterial::public_good().with_registry_keys(RegistryKeys::empty());
    let report = verify_package_version(
        &attested_fixture(k, &PreparedAttestations::parse(&json)),
        &trust,
        &Default::default(),
    );
    assert_eq!(
        first_failure(&report),
        Some((Some(AttestationKind::Publish), CheckId::RegistryKey))
    );
}

#[test]
fn expected_identities_are_checked() {
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "2.3.1").unwrap();
    let json = fx::read(&dir, k.attestations.unwrap());
    let trust = TrustMaterial::public_good();
    let right = ExpectedIdentity {
        repository: Some("sigstore/sigstore-js".into()),
        workflow: Some(".github/workflows/release.yml".into()),
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        ..Default::default()
    };
    assert_verified(
        &verify_package_version(
            &attested_fixture(k, &PreparedAttestations::parse(&json)),
            &trust,
            &right,
        ),
        "right identity",
    );
    let wrong = ExpectedIdentity {
        workflow: Some(".github/workflows/other.yml".into()),
        ..right
    };
    let report = verify_package_version(
        &attested_fixture(k, &PreparedAttestations::parse(&json)),
        &trust,
        &wrong,
    );
    assert_eq!(
        first_failure(&report),
        Some((Some(AttestationKind::Provenance), CheckId::ExpectedIdentity))
    );
}

#[test]
fn registry_signatures_verify_with_both_npm_keys() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    for k in KNOWN_VERSIONS.iter().filter(|k| k.dist_excerpt.is_some()) {
        let sigs = dist_signatures(&dir, k.dist_excerpt.unwrap());
        let docs = PackageVersionDocuments {
            // npm's first key expired: its signatures hold at the time of publication.
            published_at: published_at(&dir, k),
            ..signed_version(k.name, k.version, Some(k.integrity), &sigs)
        };
        let report = verify_package_version(&docs, &trust, &Default::default());
        let check = report
            .checks
            .iter()
            .find(|c| c.id == CheckId::RegistrySignature)
            .unwrap();
        assert_eq!(
            check.status,
            CheckStatus::Passed,
            "{}@{}: {}",
            k.name,
            k.version,
            check.detail
        );
        assert_eq!(report.verdict, Verdict::NoProvenance);
    }
}

#[test]
fn a_registry_signature_over_other_data_or_by_an_expired_key_is_rejected() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let k = fx::known("sigstore", "1.0.0").unwrap();
    let sigs = dist_signatures(&dir, k.dist_excerpt.unwrap());
    let other = fx::known("sigstore", "2.3.1").unwrap();
    let docs = signed_version(k.name, k.version, Some(other.integrity), &sigs);
    let report = verify_package_version(&docs, &trust, &Default::default());
    assert_eq!(first_failure(&report), Some((None, CheckId::RegistrySignature)));
    assert_eq!(report.verdict, Verdict::Failed);
    // Signed by the old key, but claimed to be published after it expired.
    let late = PackageVersionDocuments {
        integrity: Some(k.integrity),
        published_at: Some(1_767_225_600),
        ..docs
    };
    let report = verify_package_version(&late, &trust, &Default::default());
    let check = report
        .checks
        .iter()
        .find(|c| c.id == CheckId::RegistrySignature)
        .unwrap();
    assert_eq!(check.status, CheckStatus::Failed);
    assert!(
        check.detail.contains("was not valid when the version was published"),
        "{}",
        check.detail
    );
}

#[test]
fn email_identity_bundles_are_valid_sigstore_but_not_npm_publish_attestations() {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let statement: serde_json::Value =
        serde_json::from_str(&fx::read(&dir, "bundles-email-identity/statement.json")).unwrap();
    let digest = statement["subject"][0]["digest"]["sha512"].as_str().unwrap();
    let bytes = (0..digest.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digest[i..i + 2], 16).unwrap())
        .collect::<Vec<_>>();
    let files = std::fs::read_dir(dir.join("bundles-email-identity")).unwrap();
    let mut count = 0;
    for entry in files {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("bundle") {
            continue;
        }
        let json = std::fs::read_to_string(&path).unwrap();
        let artifact = ArtifactExpectation::Digest {
            algorithm: DigestAlgorithm::Sha512,
            bytes: bytes.clone(),
            source: "the statement's subject".into(),
        };
        let expected = ExpectedIdentity {
            subject_alternative_name: Some("brian@dehamer.com".into()),
            issuer: Some("https://github.com/login/oauth".into()),
            ..Default::default()
        };
        let generic = verify_single_bundle(&json, artifact, None, &trust, &expected);
        assert_verified(&generic, &name);
        let as_npm = inspect(&json, Some(("sigstore", "1.0.0")), None, &trust, &Default::default());
        assert_eq!(
            first_failure(&as_npm),
            Some((Some(AttestationKind::Publish), CheckId::RegistryKey)),
            "{name}"
        );
        count += 1;
    }
    assert_eq!(count, 9);
}

/// One negative fixture: verifying it must fail at this check of this
/// attestation (the first failure). Returns the report for what else the
/// case asserts.
fn negative_attestations(file: &str, spec: &str, kind: AttestationKind, check: CheckId) -> Report {
    let dir = npm_provenance_fixtures::dir();
    let (name, version) = npm_provenance_core::package::split_spec(spec).unwrap();
    let k = fx::known(name, version).unwrap();
    let json = fx::read(&dir, file);
    let report = verify_package_version(
        &attested_fixture(k, &PreparedAttestations::parse(&json)),
        &TrustMaterial::public_good(),
        &Default::default(),
    );
    assert_eq!(report.verdict, Verdict::Failed, "{file}");
    assert_eq!(
        first_failure(&report),
        Some((Some(kind), check)),
        "{file}: {}",
        report.summary
    );
    report
}

macro_rules! negative {
    ($test:ident, $file:literal, $spec:literal, $kind:ident, $check:ident) => {
        #[test]
        fn $test() {
            let _ = negative_attestations($file, $spec, AttestationKind::$kind, CheckId::$check);
        }
    };
}

// pacote: tampered copies of sigstore@0.4.0.
negative!(
    pacote_invalid_signature,
    "negative/npm/pacote/invalid-attestations.json",
    "sigstore@0.4.0",
    Publish,
    Signature
);
negative!(
    pacote_malformed_subject,
    "negative/npm/pacote/malformed-subject-attestations.json",
    "sigstore@0.4.0",
    Publish,
    Signature
);
negative!(
    pacote_mismatched_subject_digest,
    "negative/npm/pacote/mismatched-subject-digest-attestations.json",
    "sigstore@0.4.0",
    Publish,
    Signature
);
negative!(
    pacote_mismatched_subject_name,
    "negative/npm/pacote/mismatched-subject-name-attestations.json",
    "sigstore@0.4.0",
    Publish,
    Signature
);
negative!(
    pacote_unsupported_payload_type,
    "negative/npm/pacote/unsupported-attestations.json",
    "sigstore@0.4.0",
    Publish,
    Signature
);
/// pacote's "no key id" case: the publish attestation's DSSE signature names
/// no key id (its bundle's hint still names npm's key). The provenance
/// signature was altered too, and it comes first in the file; the publish
/// attestation is verified on its own and fails on its own path, at the
/// registry key, for the missing key id (not for a signature it never reaches).
#[test]
fn pacote_no_keyid() {
    let report = negative_attestations(
        "negative/npm/pacote/no-keyid-attestations.json",
        "sigstore@0.4.0",
        AttestationKind::Provenance,
        CheckId::Signature,
    );
    let publish = report.publish_attestation().expect("a publish attestation");
    assert_eq!(publish.verdict, Verdict::Failed);
    let failed: Vec<_> = publish
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].id, CheckId::RegistryKey, "{}", failed[0].detail);
    assert!(
        failed[0]
            .detail
            .contains("The signature names no key id, so no registry key can be chosen for it."),
        "{}",
        failed[0].detail
    );
}

// slsa-verifier: tampered copies of @laurentsimon/provenance-npm-test@1.0.0, 1.0.3, 1.0.5 and sigstore@2.3.1.
negative!(
    sv_prov_payload_type,
    "negative/npm/slsa-verifier/npm-att-mismatch-prov-payloadtype.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Provenance,
    Signature
);
negative!(
    sv_prov_outer_predicate_type,
    "negative/npm/slsa-verifier/npm-att-mismatch-prov-predicatetype.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Provenance,
    Statement
);
negative!(
    sv_pub_payload_type,
    "negative/npm/slsa-verifier/npm-att-mismatch-pub-payloadtype.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Provenance,
    Signature
);
negative!(
    sv_prov_invalid_signature,
    "negative/npm/slsa-verifier/npm-att-prov-invalid-signature.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Provenance,
    Signature
);
negative!(
    sv_pub_invalid_signature,
    "negative/npm/slsa-verifier/npm-att-publish-invalid-signature.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Publish,
    Signature
);
negative!(
    sv_pub_no_digest,
    "negative/npm/slsa-verifier/npm-att-publish-nodigest.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Publish,
    Signature
);
negative!(
    sv_pub_no_subjects,
    "negative/npm/slsa-verifier/npm-att-publish-nosubjects.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Publish,
    Signature
);
negative!(
    sv_stmt_prov_predicate_type,
    "negative/npm/slsa-verifier/npm-stmt-mismatch-prov-predicatetype.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Provenance,
    Signature
);
negative!(
    sv_stmt_prov_type,
    "negative/npm/slsa-verifier/npm-stmt-mismatch-prov-type.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Provenance,
    Signature
);
negative!(
    sv_stmt_pub_predicate_type,
    "negative/npm/slsa-verifier/npm-stmt-mismatch-pub-predicatetype.json",
    "@laurentsimon/provenance-npm-test@1.0.0",
    Publish,
    Signature
);
negative!(
    sv_v02_invalid_sig_prov,
    "negative/npm/slsa-verifier/provenance-npm-test-cli-v02-prega-invalidsigprov.json",
    "@laurentsimon/provenance-npm-test@1.0.3",
    Provenance,
    Signature
);
negative!(
    sv_v02_invalid_sig_pub,
    "negative/npm/slsa-verifier/provenance-npm-test-cli-v02-prega-invalidsigpub.json",
    "@laurentsimon/provenance-npm-test@1.0.3",
    Publish,
    Signature
);
negative!(
    sv_ossf_invalid_sig_prov,
    "negative/npm/slsa-verifier/provenance-npm-test-ossf-invalidsigprov.json",
    "@laurentsimon/provenance-npm-test@1.0.5",
    Provenance,
    Signature
);
negative!(
    sv_ossf_invalid_sig_pub,
    "negative/npm/slsa-verifier/provenance-npm-test-ossf-invalidsigpub.json",
    "@laurentsimon/provenance-npm-test@1.0.5",
    Publish,
    Signature
);
negative!(
    sv_v1_invalid_sig_prov,
    "negative/npm/slsa-verifier/provenance-npm-test-cli-v1-prega-invalidsigprov.json",
    "sigstore@2.3.1",
    Provenance,
    Signature
);
negative!(
    sv_v1_invalid_sig_pub,
    "negative/npm/slsa-verifier/provenance-npm-test-cli-v1-prega-invalidsigpub.json",
    "sigstore@2.3.1",
    Publish,
    Signature
);

/// libnpmpublish's --provenance-file fixtures: single provenance bundles for
/// @npmcli/libnpmpublish-test@1.0.0, made without a log entry. The integrity
/// is the subject of their `valid-bundle.json` (their test tarball's digest).
fn negative_libnpmpublish(file: &str, check: CheckId) {
    let dir = npm_provenance_fixtures::dir();
    let valid: serde_json::Value =
        serde_json::from_str(&fx::read(&dir, "negative/npm/libnpmpublish/valid-bundle.json")).unwrap();
    let payload = base64_decode(valid["dsseEnvelope"]["payload"].as_str().unwrap());
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let hex = statement["subject"][0]["digest"]["sha512"].as_str().unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let integrity = format!("sha512-{}", base64_encode(&bytes));
    let json = fx::read(&dir, file);
    let report = inspect(
        &json,
        Some(("@npmcli/libnpmpublish-test", "1.0.0")),
        Some(&integrity),
        &TrustMaterial::public_good(),
        &Default::default(),
    );
    assert_eq!(report.verdict, Verdict::Failed, "{file}");
    assert_eq!(
        report.first_failure().map(|(_, c)| c.id),
        Some(check),
        "{file}: {}",
        report.summary
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

macro_rules! libnpmpublish {
    ($test:ident, $file:literal, $check:ident) => {
        #[test]
        fn $test() {
            negative_libnpmpublish(concat!("negative/npm/libnpmpublish/", $file), CheckId::$check);
        }
    };
}

libnpmpublish!(libnpmpublish_bad_bundle, "bad-bundle.json", BundleFormat);
libnpmpublish!(
    libnpmpublish_bad_dsse_payload,
    "bad-dsse-payload-bundle.json",
    Statement
);
libnpmpublish!(
    libnpmpublish_digest_mismatch,
    "digest-mismatch-provenance-bundle.json",
    Subject
);
libnpmpublish!(
    libnpmpublish_invalid_signature,
    "invalid-signature-bundle.json",
    Signature
);
libnpmpublish!(
    libnpmpublish_multi_subject,
    "multi-subject-provenance-bundle.json",
    Subject
);
libnpmpublish!(
    libnpmpublish_no_envelope,
    "no-provenance-envelope-bundle.json",
    BundleFormat
);
libnpmpublish!(libnpmpublish_no_subject, "no-provenance-subject-bundle.json", Statement);
// Passes libnpmpublish's local checks, but has no log entry.
libnpmpublish!(libnpmpublish_valid_but_unlogged, "valid-bundle.json", LogTimestamp);

#[test]
fn github_staging_bundle_is_rejected_under_the_public_good_root() {
    let file = "negative/npm/github-staging/sigstore@1.3.0.provenance.github-staging.sigstore.json";
    let dir = npm_provenance_fixtures::dir();
    let k = fx::known("sigstore", "1.3.0").unwrap();
    let report = inspect(
        &fx::read(&dir, file),
        Some((k.name, k.version)),
        Some(k.integrity),
        &TrustMaterial::public_good(),
        &Default::default(),
    );
    assert_eq!(report.verdict, Verdict::Failed);
    // As served (v0.1, no log entry) the library refuses its shape before
    // any trust is consulted.
    assert_eq!(report.first_failure().unwrap().1.id, CheckId::LogTimestamp);
    // The trust rule itself, directly: its only signed time is a timestamp
    // from GitHub's staging authority, which no authority of the public-good
    // root verifies (the token reads; its signer is not trusted).
    let bundle = sigstore_types::Bundle::from_json(&fx::read(&dir, file)).unwrap();
    let timestamps = &bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps;
    assert_eq!(timestamps.len(), 1);
    let sigstore_types::SignatureContent::DsseEnvelope(envelope) = &bundle.content else {
        panic!("a DSSE envelope")
    };
    let authorities = TrustMaterial::public_good().trusted_root().tsa_authorities();
    assert!(!authorities.is_empty());
    for authority in &authorities {
        let e = sigstore_verify::tsa::verify_timestamp_for_authority(
            &timestamps[0].signed_timestamp,
            &envelope.signature.sig,
            authority,
        )
        .unwrap_err();
        assert!(
            !matches!(e, sigstore_verify::tsa::Error::Parse(_)),
            "the token reads, its signer is what fails: {e}"
        );
    }
}
