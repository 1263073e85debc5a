//! Every check against bundles from the testkit's own Sigstore (CA, CT log,
//! transparency log, registry key): one test that passes, and for each check
//! one where exactly that check fails. These need no fixtures.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::assertions::*;
use common::documents::signed_version;
use common::kit::*;

use npm_provenance_core::{
    AttestationKind, CheckId, CheckStatus, ExpectedIdentity, RegistryKeys, RegistrySignature, TrustMaterial, Verdict,
    verify_package_version,
};
use npm_provenance_testkit::{
    self as kit, Faults, Identity, NPM_PUBLISH, SLSA_V1, SLSA_V02, Shape, attestations_response, integrity_of,
};

#[test]
fn a_well_formed_package_verifies_and_shows_the_certificates_claims() {
    let c = Case::new();
    let report = c.verify(&c.provenance(), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
    let p = report.provenance.unwrap();
    assert_eq!(p.headline, "Built and signed on GitHub Actions");
    assert_eq!(
        p.source_commit.unwrap().url.unwrap(),
        format!("https://github.com/{REPO}/commit/{COMMIT}")
    );
    assert_eq!(
        p.build_file.unwrap().url.unwrap(),
        format!("https://github.com/{REPO}/blob/{COMMIT}/{WORKFLOW}")
    );
    assert_eq!(
        p.build_summary_url.unwrap(),
        format!("https://github.com/{REPO}/actions/runs/1111/attempts/1")
    );
    // A custom trusted root is not the public-good log: no search.sigstore.dev link.
    assert_eq!(p.public_ledger.unwrap().url, None);
    assert_eq!(p.published_at.as_deref(), Some("2024-06-01T12:00:00Z"));
}

#[test]
fn gitlab_ci_provenance_verifies_with_gitlab_links() {
    let c = Case::new();
    let project = "acme/widget";
    let statement = kit::gitlab_provenance(NAME, VERSION, &c.sha512, project, COMMIT);
    let provenance = c.kit.keyless_bundle(
        &statement,
        &Identity::gitlab(project, COMMIT, "refs/heads/main"),
        &Faults::default(),
    );
    let response = attestations_response(&[(SLSA_V02, &provenance), (NPM_PUBLISH, &c.publish())]);
    let report = c.verify_response(&response);
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
    let p = report.provenance.unwrap();
    assert_eq!(p.headline, "Built and signed on GitLab CI");
    assert_eq!(
        p.source_commit.unwrap().url.unwrap(),
        format!("https://gitlab.com/{project}/-/commit/{COMMIT}")
    );
    assert_eq!(p.build_file.clone().unwrap().text, ".gitlab-ci.yml");
    assert_eq!(
        p.build_file.unwrap().url.unwrap(),
        format!("https://gitlab.com/{project}/-/blob/{COMMIT}/.gitlab-ci.yml")
    );
    assert_eq!(
        p.build_summary_url.unwrap(),
        format!("https://gitlab.com/{project}/-/jobs/4242")
    );
    assert_eq!(p.runner_environment.as_deref(), Some("gitlab-hosted"));
}

#[test]
fn bundle_format_a_keyless_signature_naming_a_key() {
    let c = Case::new();
    let faults = Faults {
        keyless_key_id: Some("SHA256:whatever".into()),
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&faults, &Shape::default()), &c.publish());
    assert_only_failure(
        &report,
        AttestationKind::Provenance,
        CheckId::BundleFormat,
        "names no key id",
    );
}

#[test]
fn signature_by_another_key() {
    let c = Case::new();
    let faults = Faults {
        signature_by_other_key: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&faults, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::Signature,
        "does not verify with the certificate's key",
    );
    assert_only_failure(
        &c.verify(&c.provenance(), &c.publish_with(&faults, &Shape::default())),
        AttestationKind::Publish,
        CheckId::Signature,
        "does not verify with the registry key",
    );
}

#[test]
fn statement_labelled_otherwise_by_the_registry_or_of_another_type() {
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V02, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    let report = c.verify_response(&response);
    assert_only_failure(
        &report,
        AttestationKind::Provenance,
        CheckId::Statement,
        "The registry labels this attestation",
    );
    let mut statement = c.statement();
    statement["_type"] = "https://in-toto.io/Statement/v9".into();
    let bundle = c.kit.keyless_bundle(&statement, &c.identity(), &Faults::default());
    assert_only_failure(
        &c.verify(&bundle, &c.publish()),
        AttestationKind::Provenance,
        CheckId::Statement,
        "_type",
    );
}

#[test]
fn subject_two_subjects_another_name_another_digest() {
    let c = Case::new();
    let mut two = c.statement();
    let subject = two["subject"][0].clone();
    two["subject"].as_array_mut().unwrap().push(subject);
    let bundle = c.kit.keyless_bundle(&two, &c.identity(), &Faults::default());
    assert_only_failure(
        &c.verify(&bundle, &c.publish()),
        AttestationKind::Provenance,
        CheckId::Subject,
        "exactly one subject",
    );

    let other_name = kit::github_provenance("@acme/other", VERSION, &c.sha512, REPO, WORKFLOW, COMMIT);
    let bundle = c.kit.keyless_bundle(&other_name, &c.identity(), &Faults::default());
    assert_only_failure(
        &c.verify(&bundle, &c.publish()),
        AttestationKind::Provenance,
        CheckId::Subject,
        "pkg:npm/%40acme/other@1.2.3",
    );

    let (_, other_digest) = integrity_of(b"another tarball");
    let statement = kit::github_provenance(NAME, VERSION, &other_digest, REPO, WORKFLOW, COMMIT);
    let bundle = c.kit.keyless_bundle(&statement, &c.identity(), &Faults::default());
    assert_only_failure(
        &c.verify(&bundle, &c.publish()),
        AttestationKind::Provenance,
        CheckId::Subject,
        "is not the sha512 of the registry's dist.integrity",
    );
}

#[test]
fn log_timestamp_by_another_key_or_from_the_future() {
    let c = Case::new();
    let wrong = Faults {
        set_by_other_key: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&wrong, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::LogTimestamp,
        "SET verification failed",
    );
    let future = Faults {
        integrated_in_future: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&future, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::LogTimestamp,
        "future",
    );
}

/// A bundle with an RFC 3161 timestamp that is not a timestamp token, beside
/// a log entry whose signed entry timestamp gives the time: it is not
/// counted, and the check says so (sigstore-python and sigstore-go count the
/// timestamps that verify). Where it is the only signed time (Rekor v2
/// records none), the bundle fails.
#[test]
fn log_timestamp_an_rfc3161_timestamp_that_does_not_verify() {
    let c = Case::new();
    let garbage = serde_json::json!({ "rfc3161Timestamps": [{ "signedTimestamp": "MAMCAQA=" }] });
    let mut bundle: serde_json::Value = serde_json::from_str(&c.provenance()).unwrap();
    bundle["verificationMaterial"]["timestampVerificationData"] = garbage.clone();
    let report = c.verify(&bundle.to_string(), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let said = &report.provenance_attestation().unwrap().checks;
    let said = &said.iter().find(|c| c.id == CheckId::LogTimestamp).unwrap().detail;
    assert!(
        said.contains("1 RFC 3161 timestamp did not verify and was not counted"),
        "{said}"
    );
    let rekor_v2 = Shape {
        log: kit::LogShape::RekorV2,
        ..Default::default()
    };
    let mut bundle: serde_json::Value =
        serde_json::from_str(&c.provenance_with(&Faults::default(), &rekor_v2)).unwrap();
    bundle["verificationMaterial"]["timestampVerificationData"] = garbage;
    let report = c.verify(&bundle.to_string(), &c.publish());
    assert_only_failure(
        &report,
        AttestationKind::Provenance,
        CheckId::LogTimestamp,
        "An RFC 3161 timestamp does not verify",
    );
}

#[test]
fn certificate_chain_untrusted_ca_or_expired_at_log_time() {
    let c = Case::new();
    let untrusted = Faults {
        untrusted_ca: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&untrusted, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::CertificateChain,
        "UnknownIssuer",
    );
    let expired = Faults {
        certificate_expired: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&expired, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::CertificateChain,
        "The certificate had expired at the signed time: the log integrated the entry at",
    );
}

#[test]
fn certificate_sct_by_another_log_or_missing() {
    let c = Case::new();
    let wrong = Faults {
        sct_by_other_key: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&wrong, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::CertificateSct,
        "signed certificate timestamp",
    );
    let missing = Faults {
        no_sct: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&missing, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::CertificateSct,
        "missing SCT",
    );
}

#[test]
fn transparency_log_checkpoint_by_another_key_or_a_wrong_proof() {
    let c = Case::new();
    let checkpoint = Faults {
        checkpoint_by_other_key: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&checkpoint, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::TransparencyLog,
        "checkpoint",
    );
    let proof = Faults {
        wrong_proof_hash: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance(), &c.publish_with(&proof, &Shape::default())),
        AttestationKind::Publish,
        CheckId::TransparencyLog,
        "inclusion proof",
    );
}

#[test]
fn log_entry_for_another_payload() {
    let c = Case::new();
    let faults = Faults {
        entry_for_other_payload: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance_with(&faults, &Shape::default()), &c.publish()),
        AttestationKind::Provenance,
        CheckId::LogEntryMatch,
        "payload hash",
    );
}

#[test]
fn identity_consistency_predicate_claims_another_repository_or_workflow() {
    let c = Case::new();
    let statement = kit::github_provenance(NAME, VERSION, &c.sha512, "evil/fork", WORKFLOW, COMMIT);
    let bundle = c.kit.keyless_bundle(&statement, &c.identity(), &Faults::default());
    assert_only_failure(
        &c.verify(&bundle, &c.publish()),
        AttestationKind::Provenance,
        CheckId::IdentityConsistency,
        "repository https://github.com/evil/fork",
    );
    let statement = kit::github_provenance(NAME, VERSION, &c.sha512, REPO, ".github/workflows/other.yml", COMMIT);
    let bundle = c.kit.keyless_bundle(&statement, &c.identity(), &Faults::default());
    assert_only_failure(
        &c.verify(&bundle, &c.publish()),
        AttestationKind::Provenance,
        CheckId::IdentityConsistency,
        "build file .github/workflows/other.yml",
    );
    let person = c.kit.keyless_bundle(
        &c.statement(),
        &Identity::email("someone@example.com"),
        &Faults::default(),
    );
    assert_only_failure(
        &c.verify(&person, &c.publish()),
        AttestationKind::Provenance,
        CheckId::IdentityConsistency,
        "not issued to a CI build",
    );
}

#[test]
fn expected_identity_other_repository() {
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    let expected = ExpectedIdentity {
        repository: Some("acme/other".into()),
        ..Default::default()
    };
    assert_only_failure(
        &c.verify_expecting(&response, &expected),
        AttestationKind::Provenance,
        CheckId::ExpectedIdentity,
        "repository acme/other was expected",
    );
    let right = ExpectedIdentity {
        repository: Some(REPO.into()),
        workflow: Some(WORKFLOW.into()),
        issuer: Some(kit::GITHUB_ISSUER.into()),
        ..Default::default()
    };
    assert_eq!(c.verify_expecting(&response, &right).verdict, Verdict::Verified);
}

#[test]
fn registry_key_hint_differs_unknown_or_certificate_instead() {
    let c = Case::new();
    let faults = Faults {
        hint_differs: true,
        ..Default::default()
    };
    assert_only_failure(
        &c.verify(&c.provenance(), &c.publish_with(&faults, &Shape::default())),
        AttestationKind::Publish,
        CheckId::RegistryKey,
        "differs from the bundle's key hint",
    );
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    let npm_keys_only = TrustMaterial::from_trusted_root_json(&c.kit.trusted_root_json(), RegistryKeys::npm()).unwrap();
    assert_only_failure(
        &c.verify_documents(
            &response,
            Some(&c.integrity),
            &npm_keys_only,
            &ExpectedIdentity::default(),
        ),
        AttestationKind::Publish,
        CheckId::RegistryKey,
        "No known registry key",
    );
    let keyless_publish = c.kit.keyless_bundle(
        &kit::publish_statement(NAME, VERSION, &c.sha512),
        &c.identity(),
        &Faults::default(),
    );
    assert_only_failure(
        &c.verify(&c.provenance(), &keyless_publish),
        AttestationKind::Publish,
        CheckId::RegistryKey,
        "carries a certificate",
    );
}

#[test]
fn key_validity_registry_key_expired_before_the_log_time() {
    let c = Case::new();
    let mut keys = RegistryKeys::empty();
    keys.add_keys_document(&c.kit.registry_keys_document(Some("2024-01-01T00:00:00.000Z")))
        .unwrap();
    let trust = TrustMaterial::from_trusted_root_json(&c.kit.trusted_root_json(), keys).unwrap();
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    assert_only_failure(
        &c.verify_documents(&response, Some(&c.integrity), &trust, &ExpectedIdentity::default()),
        AttestationKind::Publish,
        CheckId::KeyValidity,
        "was not valid at 2024-06-01",
    );
}

#[test]
fn publish_predicate_names_another_version() {
    let c = Case::new();
    let mut statement = kit::publish_statement(NAME, VERSION, &c.sha512);
    statement["predicate"]["version"] = "9.9.9".into();
    let publish = c.kit.keyed_bundle(&statement, &Faults::default());
    assert_only_failure(
        &c.verify(&c.provenance(), &publish),
        AttestationKind::Publish,
        CheckId::PublishPredicate,
        "names @acme/widget@9.9.9",
    );
}

#[test]
fn attestations_two_provenance_attestations() {
    let c = Case::new();
    let p = c.provenance();
    let response = attestations_response(&[(SLSA_V1, &p), (SLSA_V1, &p), (NPM_PUBLISH, &c.publish())]);
    let report = c.verify_response(&response);
    assert_eq!(report.verdict, Verdict::Failed);
    assert_eq!(failure(&report).1, CheckId::Attestations);
}

#[test]
fn registry_signature_valid_and_forged() {
    let c = Case::new();
    let good: RegistrySignature =
        serde_json::from_value(c.kit.registry_signature(NAME, VERSION, &c.integrity)).unwrap();
    let forged: RegistrySignature =
        serde_json::from_value(c.kit.registry_signature(NAME, "6.6.6", &c.integrity)).unwrap();
    for (sigs, status) in [(vec![good], CheckStatus::Passed), (vec![forged], CheckStatus::Failed)] {
        let docs = signed_version(NAME, VERSION, Some(&c.integrity), &sigs);
        let report = verify_package_version(&docs, &c.trust(), &ExpectedIdentity::default());
        let check = report
            .checks
            .iter()
            .find(|x| x.id == CheckId::RegistrySignature)
            .unwrap();
        assert_eq!(check.status, status, "{}", check.detail);
    }
}
