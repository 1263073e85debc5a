//! Every real bundle, altered one field at a time: each alteration must be
//! rejected, by the check that covers that field.

mod common;
use common::assertions::first_failure;
use common::documents::attested_fixture;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use npm_provenance_core::{AttestationKind, CheckId, PreparedAttestations, TrustMaterial, Verdict, inspect};
use npm_provenance_fixtures::{self as fx, KNOWN_VERSIONS};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mutation {
    Signature,
    Payload,
    Certificate,
    SignedEntryTimestamp,
    ProofHash,
    RootHash,
    Checkpoint,
}

fn flip_base64(value: &mut Value, at: impl Fn(usize) -> usize) -> bool {
    let Some(text) = value.as_str() else { return false };
    let Ok(mut bytes) = STANDARD.decode(text) else {
        return false;
    };
    if bytes.is_empty() {
        return false;
    }
    let i = at(bytes.len());
    bytes[i] ^= 0x01;
    *value = Value::String(STANDARD.encode(bytes));
    true
}

/// Applies a mutation; `false` when the bundle has no such field.
fn mutate(bundle: &mut Value, mutation: Mutation) -> bool {
    let middle = |n: usize| n / 2;
    match mutation {
        Mutation::Signature => bundle
            .pointer_mut("/dsseEnvelope/signatures/0/sig")
            .is_some_and(|v| flip_base64(v, middle)),
        Mutation::Payload => bundle
            .pointer_mut("/dsseEnvelope/payload")
            .is_some_and(|v| flip_base64(v, middle)),
        // The last byte is in the issuer's signature over the certificate: the
        // key, and so the DSSE signature, stay valid.
        Mutation::Certificate => [
            "/verificationMaterial/x509CertificateChain/certificates/0/rawBytes",
            "/verificationMaterial/certificate/rawBytes",
        ]
        .iter()
        .any(|p| bundle.pointer_mut(p).is_some_and(|v| flip_base64(v, |n| n - 1))),
        Mutation::SignedEntryTimestamp => bundle
            .pointer_mut("/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp")
            .is_some_and(|v| flip_base64(v, middle)),
        Mutation::ProofHash => bundle
            .pointer_mut("/verificationMaterial/tlogEntries/0/inclusionProof/hashes/0")
            .is_some_and(|v| flip_base64(v, middle)),
        Mutation::RootHash => bundle
            .pointer_mut("/verificationMaterial/tlogEntries/0/inclusionProof/rootHash")
            .is_some_and(|v| flip_base64(v, middle)),
        Mutation::Checkpoint => {
            let path = "/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint/envelope";
            let Some(envelope) = bundle.pointer_mut(path) else {
                return false;
            };
            let text = envelope.as_str().unwrap_or_default().to_string();
            // The signature line: "— <origin> <base64(key hint || signature)>".
            let Some(line) = text.lines().find(|l| l.starts_with('\u{2014}')) else {
                return false;
            };
            let (head, sig) = line.rsplit_once(' ').unwrap();
            let mut sig_value = Value::String(sig.to_string());
            if !flip_base64(&mut sig_value, |n| n - 2) {
                return false;
            }
            let new_line = format!("{head} {}", sig_value.as_str().unwrap());
            *envelope = Value::String(text.replace(line, &new_line));
            true
        }
    }
}

/// The check a mutation must be rejected by.
fn expected_check(mutation: Mutation, keyless: bool) -> CheckId {
    match mutation {
        Mutation::Signature | Mutation::Payload => CheckId::Signature,
        Mutation::Certificate => CheckId::CertificateChain,
        Mutation::SignedEntryTimestamp if keyless => CheckId::LogTimestamp,
        Mutation::SignedEntryTimestamp => CheckId::TransparencyLog,
        Mutation::ProofHash | Mutation::RootHash | Mutation::Checkpoint => CheckId::TransparencyLog,
    }
}

fn run(mutation: Mutation) {
    let dir = npm_provenance_fixtures::dir();
    let trust = TrustMaterial::public_good();
    let mut tried = 0;
    for k in KNOWN_VERSIONS {
        // Attestations responses: mutate each bundle in place.
        if let Some(file) = k.attestations {
            let original: Value = serde_json::from_str(&fx::read(&dir, file)).unwrap();
            for i in 0..original["attestations"].as_array().unwrap().len() {
                let mut doc = original.clone();
                let bundle = &mut doc["attestations"][i]["bundle"];
                let keyless = bundle["verificationMaterial"]["publicKey"].is_null();
                if !mutate(bundle, mutation) {
                    continue;
                }
                let kind = if keyless {
                    AttestationKind::Provenance
                } else {
                    AttestationKind::Publish
                };
                let prepared = PreparedAttestations::parse(&doc.to_string());
                let docs = attested_fixture(k, &prepared);
                let report = npm_provenance_core::verify_package_version(&docs, &trust, &Default::default());
                assert_eq!(report.verdict, Verdict::Failed, "{file}[{i}] {mutation:?}");
                assert_eq!(
                    first_failure(&report),
                    Some((Some(kind), expected_check(mutation, keyless))),
                    "{file}[{i}] {mutation:?}: {}",
                    report.summary
                );
                tried += 1;
            }
        }
        // Single bundles.
        for file in k.bundles {
            let mut bundle: Value = serde_json::from_str(&fx::read(&dir, file)).unwrap();
            let keyless = bundle["verificationMaterial"]["publicKey"].is_null();
            if !mutate(&mut bundle, mutation) {
                continue;
            }
            let report = inspect(
                &bundle.to_string(),
                Some((k.name, k.version)),
                Some(k.integrity),
                &trust,
                &Default::default(),
            );
            assert_eq!(report.verdict, Verdict::Failed, "{file} {mutation:?}");
            assert_eq!(
                report.first_failure().map(|(_, c)| c.id),
                Some(expected_check(mutation, keyless)),
                "{file} {mutation:?}: {}",
                report.summary
            );
            tried += 1;
        }
    }
    assert!(tried >= 8, "{mutation:?}: only {tried} bundles had the field");
    eprintln!(
        "{mutation:?}: {tried} bundles altered, all rejected by {:?}",
        expected_check(mutation, true)
    );
}

#[test]
fn altered_signatures_are_rejected() {
    run(Mutation::Signature);
}

#[test]
fn altered_payloads_are_rejected() {
    run(Mutation::Payload);
}

#[test]
fn altered_certificates_are_rejected() {
    run(Mutation::Certificate);
}

#[test]
fn altered_signed_entry_timestamps_are_rejected() {
    run(Mutation::SignedEntryTimestamp);
}

#[test]
fn altered_inclusion_proof_hashes_are_rejected() {
    run(Mutation::ProofHash);
}

#[test]
fn altered_root_hashes_are_rejected() {
    run(Mutation::RootHash);
}

#[test]
fn altered_checkpoints_are_rejected() {
    run(Mutation::Checkpoint);
}
