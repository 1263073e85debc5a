//! The formats other Sigstore clients produce and verify, from the testkit's
//! own Sigstore (issue #26): Rekor v2 `dsse` 0.0.2 entries, Rekor v2
//! `hashedrekord` entries that record the signer's key, RFC 3161 timestamps
//! counted against a threshold, username (otherName) identities, duplicate
//! log entries, DSSE envelopes whose payload is not an in-toto statement,
//! trusted roots whose authorities have no validity start. Each form
//! verifies; each fault, one at a time on a validly signed bundle, fails
//! exactly the check that is about it. (The peers' own data: tests/peers.rs.)
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::assertions::*;
use common::kit::*;

use npm_provenance_core::registry_keys::spki_from_pem;
use npm_provenance_core::{
    ArtifactExpectation, AttestationKind, CheckId, ExpectedIdentity, RegistryKeys, Report, TrustMaterial, Verdict,
    verify_single_bundle,
};
use npm_provenance_testkit::{Faults, Identity, LogShape, Shape};

const PROVENANCE: Option<AttestationKind> = Some(AttestationKind::Provenance);
const PUBLISH: Option<AttestationKind> = Some(AttestationKind::Publish);
const SINGLE: Option<AttestationKind> = Some(AttestationKind::Bundle);

fn rekor_v2_dsse() -> Shape {
    Shape {
        log: LogShape::RekorV2Dsse,
        ..Default::default()
    }
}

fn records_key(log: LogShape) -> Shape {
    Shape {
        log,
        records_key: true,
        ..Default::default()
    }
}

fn check_detail(report: &Report, id: CheckId) -> String {
    report
        .attestations
        .iter()
        .flat_map(|a| &a.checks)
        .find(|c| c.id == id)
        .map(|c| c.detail.clone())
        .unwrap_or_else(|| panic!("no {id:?}: {report:#?}"))
}

/// A plain Sigstore bundle (`verify --bundle`) over `artifact`, signed by
/// this package's workflow.
fn verify_single(c: &Case, bundle: &str, artifact: ArtifactExpectation) -> Report {
    let expected = ExpectedIdentity {
        subject_alternative_name: Some(SAN.into()),
        issuer: Some(npm_provenance_testkit::GITHUB_ISSUER.into()),
        ..Default::default()
    };
    verify_single_bundle(bundle, artifact, None, &c.trust(), &expected)
}

// 1. Rekor v2 dsse 0.0.2 entries.

/// npm provenance logged to Rekor v2 as a `dsse` 0.0.2 entry (as
/// sigstore-js's signer logs DSSE bundles there), and the registry's publish
/// attestation likewise (its entry records the registry's key): verified,
/// each entry's kind reported.
#[test]
fn npm_attestations_in_rekor_v2_dsse_entries_verify() {
    let c = Case::new();
    let report = c.verify(
        &c.provenance_with(&Faults::default(), &rekor_v2_dsse()),
        &c.publish_with(&Faults::default(), &rekor_v2_dsse()),
    );
    assert_verified(&report, "dsse 0.0.2");
    for a in &report.attestations {
        let tlog = a.tlog.as_ref().unwrap();
        assert_eq!(
            (tlog.kind.as_str(), tlog.kind_version.as_str(), tlog.rekor_v2),
            ("dsse", "0.0.2", true)
        );
        assert_eq!(a.timestamps.len(), 1, "Rekor v2's time is the timestamp authority's");
    }
    assert!(check_detail(&report, CheckId::TransparencyLog).contains("log2025.rekor.testkit.invalid"));
    // An entry that records the certificate's key instead of the certificate.
    let report = c.verify(
        &c.provenance_with(&Faults::default(), &records_key(LogShape::RekorV2Dsse)),
        &c.publish(),
    );
    assert_verified(&report, "dsse 0.0.2 recording the certificate's key");
}

/// Each fault of a `dsse` 0.0.2 entry fails the check about it.
#[test]
fn a_rekor_v2_dsse_entry_that_is_not_this_bundles_fails_the_log_entry_check() {
    let c = Case::new();
    let cases = [
        (
            Faults {
                entry_for_other_payload: true,
                ..Default::default()
            },
            rekor_v2_dsse(),
            "records another payload: its SHA-256 is not this envelope's",
        ),
        (
            Faults {
                entry_records_other_signature: true,
                ..Default::default()
            },
            rekor_v2_dsse(),
            "records another signature than the bundle's",
        ),
        (
            Faults {
                entry_records_other_signer: true,
                ..Default::default()
            },
            rekor_v2_dsse(),
            "records another certificate than the bundle's",
        ),
        (
            Faults {
                entry_records_other_signer: true,
                ..Default::default()
            },
            records_key(LogShape::RekorV2Dsse),
            "records another public key than the certificate's",
        ),
        (
            Faults {
                entry_kind_mismatch: true,
                ..Default::default()
            },
            rekor_v2_dsse(),
            "The bundle says the log entry is dsse 0.0.2; its body says dsse 0.0.1.",
        ),
    ];
    for (faults, shape, says) in cases {
        assert_fails_at(
            &c.verify(&c.provenance_with(&faults, &shape), &c.publish()),
            PROVENANCE,
            CheckId::LogEntryMatch,
            says,
        );
    }
    // The registry's key, on the publish attestation's entry.
    let other_key = Faults {
        entry_records_other_signer: true,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance(), &c.publish_with(&other_key, &rekor_v2_dsse())),
        PUBLISH,
        CheckId::LogEntryMatch,
        "records another public key than the key the bundle is verified with",
    );
}

#[test]
fn a_rekor_v2_dsse_entry_not_in_the_signed_tree_fails_the_transparency_log_check() {
    let c = Case::new();
    for (faults, says) in [
        (
            Faults {
                wrong_proof_hash: true,
                ..Default::default()
            },
            "is not in the tree its checkpoint signs",
        ),
        (
            Faults {
                checkpoint_by_other_key: true,
                ..Default::default()
            },
            "no log key of the trusted root signed the checkpoint of log2025.rekor.testkit.invalid",
        ),
    ] {
        assert_fails_at(
            &c.verify(&c.provenance_with(&faults, &rekor_v2_dsse()), &c.publish()),
            PROVENANCE,
            CheckId::TransparencyLog,
            says,
        );
    }
    let no_proof = Faults {
        no_inclusion_evidence: true,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&no_proof, &rekor_v2_dsse()), &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        "The dsse 0.0.2 log entry (Rekor v2) has no inclusion proof",
    );
}

/// Rekor v2 records no time: a `dsse` 0.0.2 bundle without an RFC 3161
/// timestamp, or whose only timestamp is over another signature, has no
/// signed time.
#[test]
fn a_rekor_v2_dsse_entry_needs_a_timestamp_that_verifies() {
    let c = Case::new();
    let mut bundle: serde_json::Value =
        serde_json::from_str(&c.provenance_with(&Faults::default(), &rekor_v2_dsse())).unwrap();
    bundle["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("timestampVerificationData");
    assert_fails_at(
        &c.verify(&bundle.to_string(), &c.publish()),
        PROVENANCE,
        CheckId::LogTimestamp,
        "The dsse 0.0.2 log entry is Rekor v2's, which records no time: the bundle needs an RFC 3161 timestamp, and has none.",
    );
    let other = Faults {
        timestamp_for_other_signature: true,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&other, &rekor_v2_dsse()), &c.publish()),
        PROVENANCE,
        CheckId::LogTimestamp,
        "An RFC 3161 timestamp does not verify",
    );
}

// 3. Rekor v2 hashedrekord entries that record the certificate's key.

#[test]
fn a_rekor_v2_hashedrekord_entry_recording_the_certificates_key_verifies_and_no_other_key() {
    let c = Case::new();
    let shape = records_key(LogShape::RekorV2);
    let report = c.verify(&c.provenance_with(&Faults::default(), &shape), &c.publish());
    assert_verified(&report, "hashedrekord 0.0.2 recording the key");
    assert!(check_detail(&report, CheckId::LogEntryMatch).contains("(hashedrekord 0.0.2)"));
    for (faults, check, says) in [
        (
            Faults {
                entry_records_other_signer: true,
                ..Default::default()
            },
            CheckId::LogEntryMatch,
            "records another public key than the certificate's",
        ),
        (
            Faults {
                entry_records_other_signature: true,
                ..Default::default()
            },
            CheckId::LogEntryMatch,
            "records another signature than the bundle's",
        ),
        (
            Faults {
                entry_for_other_payload: true,
                ..Default::default()
            },
            CheckId::LogEntryMatch,
            "records another artifact",
        ),
        (
            Faults {
                wrong_proof_hash: true,
                ..Default::default()
            },
            CheckId::TransparencyLog,
            "is not in the tree its checkpoint signs",
        ),
    ] {
        assert_fails_at(
            &c.verify(&c.provenance_with(&faults, &shape), &c.publish()),
            PROVENANCE,
            check,
            says,
        );
    }
    // What sigstore-verify checks itself is unchanged: an entry that records
    // another certificate.
    let other_certificate = Faults {
        entry_records_other_signer: true,
        ..Default::default()
    };
    let shape = Shape {
        log: LogShape::RekorV2,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&other_certificate, &shape), &c.publish()),
        PROVENANCE,
        CheckId::LogEntryMatch,
        "certificate in bundle does not match certificate in Rekor entry",
    );
}

// 2. RFC 3161 timestamps against a threshold.

/// A second timestamp over another signature, beside one that verifies
/// (Rekor v2) or beside the log's signed time and one that verifies (Rekor
/// v1): not counted, and named.
#[test]
fn a_timestamp_over_another_signature_is_not_counted_beside_one_that_verifies() {
    let c = Case::new();
    let extra = Faults {
        extra_timestamp_for_other_signature: true,
        ..Default::default()
    };
    for shape in [
        Shape {
            log: LogShape::RekorV2,
            ..Default::default()
        },
        rekor_v2_dsse(),
        Shape {
            rfc3161: true,
            ..Default::default()
        },
    ] {
        let report = c.verify(&c.provenance_with(&extra, &shape), &c.publish());
        assert_verified(&report, &format!("{:?}", shape.log));
        let said = check_detail(&report, CheckId::LogTimestamp);
        assert!(
            said.to_lowercase().contains("timestamp authority")
                && said.contains("1 RFC 3161 timestamp did not verify and was not counted"),
            "{said}"
        );
        assert!(said.contains("timestamp 2 of 2"), "{said}");
    }
    // Both over another signature: nothing gives the time.
    let both = Faults {
        timestamp_for_other_signature: true,
        extra_timestamp_for_other_signature: true,
        ..Default::default()
    };
    let shape = Shape {
        log: LogShape::RekorV2,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&both, &shape), &c.publish()),
        PROVENANCE,
        CheckId::LogTimestamp,
        "An RFC 3161 timestamp does not verify",
    );
}

// 4. Username identities in an otherName SAN.

#[test]
fn a_username_identity_is_the_certificates_identity() {
    let c = Case::new();
    let issuer = "http://oidc.local:8080";
    let bundle = c.kit.keyless_bundle(
        &c.statement(),
        &Identity::username("foo!oidc.local", issuer),
        &Faults::default(),
    );
    let expect = |san: &str| ExpectedIdentity {
        subject_alternative_name: Some(san.into()),
        issuer: Some(issuer.into()),
        ..Default::default()
    };
    let report = verify_single_bundle(&bundle, c.digest(), None, &c.trust(), &expect("foo!oidc.local"));
    assert_verified(&report, "username identity");
    assert!(
        report
            .summary
            .contains("signed by foo!oidc.local via http://oidc.local:8080"),
        "{}",
        report.summary
    );
    let report = verify_single_bundle(&bundle, c.digest(), None, &c.trust(), &expect("foo@oidc.local"));
    assert_fails_at(
        &report,
        SINGLE,
        CheckId::ExpectedIdentity,
        "identity foo@oidc.local was expected, the certificate names foo!oidc.local",
    );
}

// 6. The same log entry twice.

#[test]
fn the_same_log_entry_twice_is_refused_at_the_format() {
    let c = Case::new();
    let twice = Faults {
        duplicate_tlog_entry: true,
        ..Default::default()
    };
    for shape in [Shape::default(), rekor_v2_dsse(), records_key(LogShape::RekorV2)] {
        assert_fails_at(
            &verify_single(&c, &c.provenance_with(&twice, &shape), c.digest()),
            SINGLE,
            CheckId::BundleFormat,
            "carries the log entry at index",
        );
    }
    // Two entries of the same log at different indexes are two entries.
    let two = Shape {
        extra_tlog_entries: 1,
        ..Default::default()
    };
    assert_verified(
        &verify_single(&c, &c.provenance_with(&Faults::default(), &two), c.digest()),
        "two entries",
    );
}

// 7. DSSE envelopes whose payload is not an in-toto statement.

/// Signed bytes (`application/json`, not in-toto's type), in each kind of
/// entry the core or the library compares with the envelope: verified as a
/// plain bundle, over the payload as the artifact.
#[test]
fn an_envelope_of_other_bytes_verifies_as_a_plain_bundle_in_every_entry_kind() {
    let c = Case::new();
    let signed = Faults {
        other_payload_type: true,
        ..Default::default()
    };
    let payload = b"hello, world!";
    for shape in [
        Shape::default(),
        Shape {
            log: LogShape::RekorV2,
            ..Default::default()
        },
        rekor_v2_dsse(),
        records_key(LogShape::RekorV2),
        Shape {
            rfc3161: true,
            ..Default::default()
        },
    ] {
        let bundle = c.kit.keyless_bundle_with(payload, &c.identity(), &signed, &shape);
        let report = verify_single(&c, &bundle, ArtifactExpectation::Blob(payload.to_vec()));
        assert_verified(&report, &format!("{shape:?}"));
        assert!(
            report
                .summary
                .contains("over a application/json payload (not an in-toto statement)"),
            "{}",
            report.summary
        );
        let other = verify_single(&c, &bundle, ArtifactExpectation::Blob(b"another".to_vec()));
        assert_fails_at(
            &other,
            SINGLE,
            CheckId::Subject,
            "The signed payload is not the artifact.",
        );
    }
    // Signed with a key (`verify --bundle --key`).
    let keyed = c.kit.keyed_bundle_with(payload, &signed, &Shape::default());
    let key = spki_from_pem(&c.kit.registry_public_key_pem()).unwrap();
    let report = verify_single_bundle(
        &keyed,
        ArtifactExpectation::Blob(payload.to_vec()),
        Some(key),
        &c.trust(),
        &ExpectedIdentity::default(),
    );
    assert_verified(&report, "keyed");
}

/// Where the core compares a Rekor v1 entry with such an envelope (the
/// library declines), each fault fails that comparison; and a failure of
/// any step the library makes before is still the library's, at its check.
#[test]
fn an_envelope_of_other_bytes_is_refused_where_its_entry_or_any_earlier_step_fails() {
    let c = Case::new();
    let payload = b"hello, world!";
    let artifact = || ArtifactExpectation::Blob(payload.to_vec());
    let with = |faults: Faults| {
        let faults = Faults {
            other_payload_type: true,
            ..faults
        };
        c.kit
            .keyless_bundle_with(payload, &c.identity(), &faults, &Shape::default())
    };
    for (faults, check, says) in [
        (
            Faults {
                entry_for_other_payload: true,
                ..Default::default()
            },
            CheckId::LogEntryMatch,
            "records another payload",
        ),
        (
            Faults {
                entry_records_other_signer: true,
                ..Default::default()
            },
            CheckId::LogEntryMatch,
            "records another certificate than the bundle's",
        ),
        (
            Faults {
                untrusted_ca: true,
                ..Default::default()
            },
            CheckId::CertificateChain,
            "UnknownIssuer",
        ),
        (
            Faults {
                sct_by_other_key: true,
                ..Default::default()
            },
            CheckId::CertificateSct,
            "does not verify",
        ),
        (
            Faults {
                set_by_other_key: true,
                ..Default::default()
            },
            CheckId::LogTimestamp,
            "signed entry timestamp does not verify",
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
                signature_by_other_key: true,
                ..Default::default()
            },
            CheckId::Signature,
            "does not verify",
        ),
    ] {
        assert_fails_at(&verify_single(&c, &with(faults), artifact()), SINGLE, check, says);
    }
}

/// As npm provenance, such an envelope is not an attestation.
#[test]
fn an_envelope_of_other_bytes_is_not_npm_provenance() {
    let c = Case::new();
    let signed = Faults {
        other_payload_type: true,
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&signed, &rekor_v2_dsse()), &c.publish());
    assert_fails_at(
        &report,
        PROVENANCE,
        CheckId::Statement,
        "the content is not an attestation",
    );
}

// 5. Trusted roots whose authorities have no validity start.

#[test]
fn authorities_without_a_validity_start_are_valid_from_the_beginning() {
    let c = Case::new();
    let mut root: serde_json::Value = serde_json::from_str(&c.kit.trusted_root_json()).unwrap();
    root["certificateAuthorities"][0]["validFor"] = serde_json::json!({});
    root["timestampAuthorities"][0]["validFor"] = serde_json::json!({ "end": "2099-01-01T00:00:00Z" });
    let trust = TrustMaterial::from_trusted_root_json(&root.to_string(), c.keys()).unwrap();
    let bundle = c.provenance_with(&Faults::default(), &rekor_v2_dsse());
    let expected = ExpectedIdentity::default();
    let report = verify_single_bundle(&bundle, c.digest(), None, &trust, &expected);
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    // A log key's window still needs its start.
    root["tlogs"][1]["publicKey"]["validFor"] = serde_json::json!({});
    let e = TrustMaterial::from_trusted_root_json(&root.to_string(), RegistryKeys::npm()).unwrap_err();
    assert!(e.contains("start"), "{e}");
}

/// The limits that bound work before any cryptography bound the entries the
/// core verifies itself as they bound the library's.
#[test]
fn the_core_s_own_entries_are_bounded_like_the_library_s() {
    use npm_provenance_core::bundle::structure::{MAX_CHECKPOINT_SIGNATURES, MAX_TLOG_ENTRIES};
    let c = Case::new();
    let lines = Shape {
        log: LogShape::RekorV2Dsse,
        extra_checkpoint_lines: MAX_CHECKPOINT_SIGNATURES,
        ..Default::default()
    };
    assert_fails_at(
        &verify_single(&c, &c.provenance_with(&Faults::default(), &lines), c.digest()),
        SINGLE,
        CheckId::BundleFormat,
        &format!("A checkpoint carries {} signature lines", MAX_CHECKPOINT_SIGNATURES + 2),
    );
    let entries = Shape {
        log: LogShape::RekorV2Dsse,
        extra_tlog_entries: MAX_TLOG_ENTRIES,
        ..Default::default()
    };
    assert_fails_at(
        &verify_single(&c, &c.provenance_with(&Faults::default(), &entries), c.digest()),
        SINGLE,
        CheckId::BundleFormat,
        "at most",
    );
}
