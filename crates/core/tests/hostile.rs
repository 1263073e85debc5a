//! Hostile inputs that are validly signed (the testkit's Sigstore signs
//! anything), each failing exactly the check it targets, or, where the input
//! is legitimate but unusual (Rekor v2, RFC 3161, chains), verifying for the
//! right reasons. No fixtures needed.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::assertions::*;
use common::kit::*;

use npm_provenance_core::bundle::structure::MAX_CHECKPOINT_SIGNATURES;
use npm_provenance_core::crypto_backend::computed_verifications;
use npm_provenance_core::{
    BuildPlatform, CheckId, CheckStatus, ExpectedIdentity, RegistryKeys, TrustMaterial, Verdict, inspect,
    verify_single_bundle,
};
use npm_provenance_testkit::{
    self as kit, ChainShape, Faults, Identity, LogShape, NPM_PUBLISH, SLSA_V1, Shape, attestations_response,
    integrity_of,
};

fn statement_with(extra: &str, predicate_type: &str, sha512: &str) -> Vec<u8> {
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"pkg:npm/%40acme/widget@1.2.3","digest":{{"sha512":"{sha512}"}}}}],"predicateType":"{predicate_type}","predicate":{{}}{extra}}}"#
    )
    .into_bytes()
}

/// Issue: a validly signed statement with a field one JSON reader refuses and
/// another skips (a number out of range, a lone surrogate) left the subject
/// list empty, and indexing it panicked. It is one statement, read once:
/// refused as malformed by every entry point, never a panic.
#[test]
fn a_payload_two_readers_disagree_on_is_refused_as_malformed_everywhere() {
    let c = Case::new();
    let trust = c.trust();
    for extra in [r#","x":1e400"#, r#","x":"\ud800""#, r#","subject":[]"#] {
        for predicate_type in [SLSA_V1, "https://example.com/not-npm/v1"] {
            let payload = statement_with(extra, predicate_type, &c.sha512);
            let bundle = c
                .kit
                .keyless_bundle_with(&payload, &c.identity(), &Faults::default(), &Shape::default());
            let says = "not JSON this verifier reads completely";
            // The inspector (the panic's path), verify --bundle, a package version.
            assert_first_failure(
                &inspect(&bundle, None, None, &trust, &ExpectedIdentity::default()),
                CheckId::Statement,
                says,
            );
            assert_first_failure(
                &verify_single_bundle(&bundle, c.digest(), None, &trust, &ExpectedIdentity::default()),
                CheckId::Statement,
                says,
            );
            assert_first_failure(&c.verify(&bundle, &c.publish()), CheckId::Statement, says);
        }
    }
}

/// A signed payload that is not JSON at all, or JSON but not a statement.
#[test]
fn a_signed_payload_that_is_no_statement_fails_at_the_statement() {
    let c = Case::new();
    for (payload, says) in [
        (&b"\xff\xfe not json"[..], "not JSON this verifier reads completely"),
        (b"[1,2,3]", "not an object"),
        (
            br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"x"}"#,
            "no subject",
        ),
    ] {
        let bundle = c
            .kit
            .keyless_bundle_with(payload, &c.identity(), &Faults::default(), &Shape::default());
        assert_first_failure(&c.verify(&bundle, &c.publish()), CheckId::Statement, says);
    }
}

/// Issue: only the first sha512 of `dist.integrity` was compared, while
/// npm's checker accepts a tarball matching any of them.
#[test]
fn every_sha512_of_the_integrity_must_be_the_signed_one() {
    let c = Case::new();
    let provenance = c.provenance();
    let response = attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &c.publish())]);
    let (other, _) = integrity_of(b"another tarball");
    let two = format!("{} {other}", c.integrity);
    let report = c.verify_documents(&response, Some(&two), &c.trust(), &ExpectedIdentity::default());
    assert_first_failure(&report, CheckId::Subject, "every one must be the signed one");
    // The other order too.
    let report = c.verify_documents(
        &response,
        Some(&format!("{other} {}", c.integrity)),
        &c.trust(),
        &ExpectedIdentity::default(),
    );
    assert_first_failure(&report, CheckId::Subject, "every one must be the signed one");
    // Another algorithm beside it is not compared, and the check says so.
    let with_sha1 = format!("sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA= {}", c.integrity);
    let report = c.verify_documents(&response, Some(&with_sha1), &c.trust(), &ExpectedIdentity::default());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let subject = &report.attestations[0]
        .checks
        .iter()
        .find(|k| k.id == CheckId::Subject)
        .unwrap();
    assert!(
        subject.detail.contains("sha1 hash is not compared"),
        "{}",
        subject.detail
    );
    // No sha512 at all: unusable input.
    let report = c.verify_documents(
        &response,
        Some("sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        &c.trust(),
        &ExpectedIdentity::default(),
    );
    assert_eq!(report.verdict, Verdict::Error);
    assert!(report.summary.contains("has no sha512 hash"), "{}", report.summary);
}

/// Found by the `signed_statement` fuzz target: a signed subject whose sha512
/// is the integrity's in uppercase hex was verified, while npm's own check
/// (pacote) compares the lowercase hex exactly and rejects it. The same bytes
/// in the form npm compares verify; the uppercase form fails at the subject.
#[test]
fn a_subject_digest_in_uppercase_hex_is_not_npms_digest() {
    let c = Case::new();
    let upper = c.sha512.to_ascii_uppercase();
    // One letter uppercased, the rest as npm writes them.
    let letter = c.sha512.find(|ch: char| ch.is_ascii_lowercase()).unwrap();
    let mixed = format!(
        "{}{}{}",
        &c.sha512[..letter],
        c.sha512[letter..=letter].to_ascii_uppercase(),
        &c.sha512[letter + 1..]
    );
    for digest in [upper, mixed] {
        let payload = statement_with("", SLSA_V1, &digest);
        let bundle = c
            .kit
            .keyless_bundle_with(&payload, &c.identity(), &Faults::default(), &Shape::default());
        assert_first_failure(
            &c.verify(&bundle, &c.publish()),
            CheckId::Subject,
            "uppercase hex digits",
        );
    }
    let payload = statement_with("", SLSA_V1, &c.sha512);
    let bundle = c
        .kit
        .keyless_bundle_with(&payload, &c.identity(), &Faults::default(), &Shape::default());
    assert_ne!(
        first_failure(&c.verify(&bundle, &c.publish())).map(|(_, id)| id),
        Some(CheckId::Subject)
    );
}

/// Issue: a certificate from any Fulcio-accepted issuer naming a github.com
/// repository was shown as "Built and signed on GitHub Actions", with links
/// from the predicate, and passed --expect-repository.
#[test]
fn an_unrecognised_issuer_gets_no_platform_and_no_repository_expectation() {
    let c = Case::new();
    let mut identity = Identity::github("victim/repo", WORKFLOW, COMMIT, "refs/heads/main");
    identity.issuer = "https://agent.buildkite.com".into();
    identity.claims.retain(|(arc, _)| *arc == 12);
    let statement = kit::github_provenance(NAME, VERSION, &c.sha512, "victim/repo", WORKFLOW, COMMIT);
    let payload = serde_json::to_vec(&statement).unwrap();
    let provenance = c
        .kit
        .keyless_bundle_with(&payload, &identity, &Faults::default(), &Shape::default());
    let report = c.verify(&provenance, &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let panel = report.provenance.as_ref().unwrap();
    assert_eq!(panel.platform, BuildPlatform::Other);
    assert!(!panel.recognised_issuer);
    assert!(
        panel.headline.contains("https://agent.buildkite.com"),
        "{}",
        panel.headline
    );
    assert!(!report.summary.contains("GitHub Actions"), "{}", report.summary);
    assert_eq!(panel.source_repository.as_ref().unwrap().url, None);
    assert_eq!(panel.source_commit, None, "the commit would come from the predicate");
    // The build file is the certificate's (its name), shown as text.
    assert_eq!(panel.build_file.as_ref().unwrap().url, None);
    assert_eq!(panel.build_summary_url, None);
    // The repository is the issuer's word, not GitHub's.
    let response = attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &c.publish())]);
    let expect = ExpectedIdentity {
        repository: Some("victim/repo".into()),
        ..Default::default()
    };
    let report = c.verify_expecting(&response, &expect);
    assert_first_failure(
        &report,
        CheckId::ExpectedIdentity,
        "issuer https://token.actions.githubusercontent.com was expected, the certificate names https://agent.buildkite.com",
    );
}

/// Issue: an issuer that is a bare origin was taken for a self-managed
/// GitLab when the repository was on its own host. Fulcio's Buildkite issuer
/// is one, and its pipelines name any repository: a certificate claiming
/// `https://agent.buildkite.com/victim/repo` was labelled "Built and signed
/// on GitLab CI", with links. A GitLab instance is GitLab only when named.
#[test]
fn a_bare_origin_issuer_is_a_gitlab_only_when_named() {
    let c = Case::new();
    let server = "https://agent.buildkite.com";
    let identity = Identity::gitlab_on(server, "victim/repo", COMMIT, "refs/heads/main");
    let statement = kit::gitlab_provenance_on(server, NAME, VERSION, &c.sha512, "victim/repo", COMMIT);
    let provenance = c.kit.keyless_bundle(&statement, &identity, &Faults::default());
    // npm's GitLab provenance is SLSA v0.2.
    let response = attestations_response(&[(kit::SLSA_V02, &provenance), (NPM_PUBLISH, &c.publish())]);
    let report = c.verify_response(&response);
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let panel = report.provenance.as_ref().unwrap();
    assert_eq!((panel.platform, panel.recognised_issuer), (BuildPlatform::Other, false));
    assert!(!panel.headline.contains("GitLab"), "{}", panel.headline);
    assert_eq!(panel.source_repository.as_ref().unwrap().url, None);
    // Named as a self-managed GitLab by the caller, it is one.
    let named = c.trust().with_gitlab_issuers(vec![server.to_string()]);
    let report = c.verify_documents(&response, Some(&c.integrity), &named, &ExpectedIdentity::default());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let panel = report.provenance.as_ref().unwrap();
    assert_eq!(panel.platform, BuildPlatform::GitlabCi);
    assert!(panel.headline.contains("GitLab CI"), "{}", panel.headline);
}

/// Issue: provenance alone verified, so a registry could drop what its key signed.
#[test]
fn provenance_without_the_registrys_publish_attestation_is_incomplete() {
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V1, &c.provenance())]);
    let report = c.verify_response(&response);
    assert_eq!(report.verdict, Verdict::Incomplete, "{}", report.summary);
    let check = report
        .checks
        .iter()
        .find(|k| k.id == CheckId::RegistryAttestation)
        .unwrap();
    assert_eq!((check.status, check.required), (CheckStatus::Skipped, true));
    assert!(
        check.detail.contains("serves no publish attestation"),
        "{}",
        check.detail
    );
    assert!(
        report.summary.contains("Registry's publish attestation"),
        "{}",
        report.summary
    );
    // A registry with no keys configured: said plainly, not required.
    let no_keys = TrustMaterial::from_trusted_root_json(&c.kit.trusted_root_json(), RegistryKeys::empty()).unwrap();
    let report = c.verify_documents(&response, Some(&c.integrity), &no_keys, &ExpectedIdentity::default());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let check = report
        .checks
        .iter()
        .find(|k| k.id == CheckId::RegistryAttestation)
        .unwrap();
    assert_eq!((check.status, check.required), (CheckStatus::Skipped, false));
    assert!(check.detail.contains("was not checked"), "{}", check.detail);
}

/// Issue: thousands of forged checkpoint signature lines (with the log's key
/// hint) cost a signature check each: seconds for a 2 MB response. They are
/// refused before any cryptography. The work is counted, not timed: the
/// thread's computed signature verifications, whatever the machine's speed.
#[test]
fn a_checkpoint_padded_with_forged_signature_lines_is_refused_before_any_signature_check() {
    let c = Case::new();
    let signature_checks = |response: &str| {
        let before = computed_verifications();
        let report = c.verify_response(response);
        (report, computed_verifications() - before)
    };
    let padded = |lines: usize| {
        let shape = Shape {
            extra_checkpoint_lines: lines,
            ..Default::default()
        };
        attestations_response(&[
            (SLSA_V1, &c.provenance_with(&Faults::default(), &shape)),
            (NPM_PUBLISH, &c.publish_with(&Faults::default(), &shape)),
        ])
    };
    // Up to the limit the forged lines are tried and rejected: each costs
    // a check (so without the limits the lines below would cost thousands),
    // and none costs more than one per reader of the checkpoint.
    let (report, plain) = signature_checks(&padded(0));
    assert_verified(&report, "no forged lines");
    let (report, at_limit) = signature_checks(&padded(MAX_CHECKPOINT_SIGNATURES - 1));
    assert_verified(&report, "forged lines up to the limit");
    let forged = 2 * (MAX_CHECKPOINT_SIGNATURES as u64 - 1);
    assert!(
        (forged..=2 * forged).contains(&(at_limit - plain)),
        "{forged} forged lines cost {} signature checks",
        at_limit - plain
    );
    // Over the byte limit: refused with no signature check at all.
    let response = padded(7_300);
    assert!(response.len() > 1_800_000, "{} bytes", response.len());
    let (report, checks) = signature_checks(&response);
    assert_first_failure(&report, CheckId::BundleFormat, "A checkpoint is 92");
    assert_eq!(checks, 0, "signature checks before the refusal");
    // Fewer bytes, more lines than are read: the line limit, also before any check.
    let (report, checks) = signature_checks(&padded(MAX_CHECKPOINT_SIGNATURES));
    assert_first_failure(&report, CheckId::BundleFormat, "signature lines; at most 32 are read");
    assert_eq!(checks, 0, "signature checks before the refusal");
}

/// The rule for certificate chains: only the signing certificate of a chain
/// is used; the path to a trusted root is built from the trusted root's
/// certificates. A chain carrying the root itself (npm's 2023 bundles) still
/// verifies; an intermediate the trusted root does not list is never trusted
/// because the bundle carries it.
#[test]
fn a_chain_adds_nothing_to_what_is_trusted() {
    let c = Case::new();
    let with_root = Shape {
        chain: ChainShape::ChainWithRoot,
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&Faults::default(), &with_root), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let format = &report.attestations[0].checks[0];
    assert!(
        format
            .detail
            .contains("a chain of 2 certificates, of which only the signing certificate is used"),
        "{}",
        format.detail
    );
    let unlisted = Shape {
        chain: ChainShape::UnlistedIntermediate,
        ..Default::default()
    };
    assert_first_failure(
        &c.verify(&c.provenance_with(&Faults::default(), &unlisted), &c.publish()),
        CheckId::CertificateChain,
        "UnknownIssuer",
    );
}

fn rekor_v2() -> Shape {
    Shape {
        log: LogShape::RekorV2,
        ..Default::default()
    }
}

/// Rekor v2: no signed entry timestamp, an Ed25519-signed checkpoint with a
/// witness cosignature, and the signed time from an RFC 3161 timestamp. The
/// report says which authority signed the time and which checkpoint line
/// verified.
#[test]
fn a_rekor_v2_bundle_verifies_with_its_timestamp_and_checkpoint() {
    let c = Case::new();
    let report = c.verify(&c.provenance_with(&Faults::default(), &rekor_v2()), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let att = report.provenance_attestation().unwrap();
    let tlog = att.tlog.as_ref().unwrap();
    assert!(tlog.rekor_v2 && !tlog.inclusion_promise && tlog.integrated_time.is_none());
    assert_eq!(tlog.ledger_url, None);
    let proof = tlog.inclusion_proof.as_ref().unwrap();
    assert_eq!(
        proof.checkpoint_origin.as_deref(),
        Some("log2025.rekor.testkit.invalid")
    );
    let lines: Vec<(bool, bool)> = proof
        .checkpoint_signatures
        .iter()
        .map(|l| (l.by_log_key, l.verified))
        .collect();
    assert_eq!(
        lines,
        [(true, true), (false, false)],
        "the log's line verified, the witness's is not needed"
    );
    assert_eq!(att.timestamps.len(), 1);
    assert!(att.timestamps[0].authority.contains("testkit-tsa"));
    assert_eq!(att.timestamps[0].time, kit::INTEGRATED_TIME);
    let time = att.checks.iter().find(|k| k.id == CheckId::LogTimestamp).unwrap();
    assert!(
        time.detail
            .contains("Timestamp authority testkit-tsa, npm-provenance-testkit signed the time 2024-06-01T12:00:00Z"),
        "{}",
        time.detail
    );
    let log = att.checks.iter().find(|k| k.id == CheckId::TransparencyLog).unwrap();
    assert!(
        log.detail
            .contains("1 of 2 signature lines verified with the log's key; 1 from witnesses"),
        "{}",
        log.detail
    );
    // The panel dates the publication from the timestamp.
    assert_eq!(
        report.provenance.unwrap().published_at.as_deref(),
        Some("2024-06-01T12:00:00Z")
    );
}

/// A Rekor v1 bundle with an RFC 3161 timestamp as well: both verify.
#[test]
fn a_valid_rfc3161_timestamp_beside_a_rekor_v1_entry_is_accepted() {
    let c = Case::new();
    let shape = Shape {
        rfc3161: true,
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&Faults::default(), &shape), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let time = report.attestations[0]
        .checks
        .iter()
        .find(|k| k.id == CheckId::LogTimestamp)
        .unwrap();
    assert!(
        time.detail.contains("signed entry timestamp verifies") && time.detail.contains("timestamp authority"),
        "{}",
        time.detail
    );
}

/// Each part of a Rekor v2 bundle's evidence fails at its own check.
#[test]
fn rekor_v2_evidence_fails_at_its_check() {
    let c = Case::new();
    let bundle = |faults: Faults| {
        let payload = serde_json::to_vec(&c.statement()).unwrap();
        c.kit.keyless_bundle_with(&payload, &c.identity(), &faults, &rekor_v2())
    };
    for (faults, check, says) in [
        (
            Faults {
                timestamp_by_other_key: true,
                ..Default::default()
            },
            CheckId::LogTimestamp,
            "An RFC 3161 timestamp does not verify",
        ),
        (
            Faults {
                timestamp_for_other_signature: true,
                ..Default::default()
            },
            CheckId::LogTimestamp,
            "An RFC 3161 timestamp does not verify",
        ),
        (
            Faults {
                checkpoint_by_other_key: true,
                ..Default::default()
            },
            CheckId::TransparencyLog,
            "checkpoint does not verify",
        ),
        (
            Faults {
                wrong_proof_hash: true,
                ..Default::default()
            },
            CheckId::TransparencyLog,
            "inclusion proof",
        ),
        (
            Faults {
                entry_for_other_payload: true,
                ..Default::default()
            },
            CheckId::LogEntryMatch,
            "artifact hash mismatch for hashedrekord entry",
        ),
    ] {
        assert_first_failure(&c.verify(&bundle(faults), &c.publish()), check, says);
    }
    // Without its timestamp, nothing says when a Rekor v2 entry was signed.
    let mut no_time: serde_json::Value = serde_json::from_str(&bundle(Faults::default())).unwrap();
    no_time["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("timestampVerificationData");
    assert_first_failure(
        &c.verify(&no_time.to_string(), &c.publish()),
        CheckId::LogTimestamp,
        "No signed time establishes when this was signed",
    );
}

/// The inspector says what a bundle that is not npm provenance proves.
#[test]
fn the_inspector_names_what_a_bundle_proves() {
    let c = Case::new();
    let trust = c.trust();
    let publish = inspect(
        &c.publish(),
        Some((NAME, VERSION)),
        Some(&c.integrity),
        &trust,
        &Default::default(),
    );
    assert_eq!(publish.verdict, Verdict::Verified, "{}", publish.summary);
    assert!(
        publish.summary.contains("npm publish attestation verified"),
        "{}",
        publish.summary
    );
    assert!(!publish.summary.contains("provenance verified"));
    let payload = statement_with("", "https://example.com/custom/v1", &c.sha512);
    let generic = c.kit.keyless_bundle_with(
        &payload,
        &Identity::email("someone@example.com"),
        &Faults::default(),
        &Shape::default(),
    );
    let report = verify_single_bundle(&generic, c.digest(), None, &trust, &ExpectedIdentity::default());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    assert!(
        report
            .summary
            .contains("signature and log entry valid; signed by someone@example.com via https://github.com/login/oauth. It is not npm provenance"),
        "{}",
        report.summary
    );
}
