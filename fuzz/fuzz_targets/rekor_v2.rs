//! Rekor v2 log entries (`hashedrekord` 0.0.2 and `dsse` 0.0.2) and their
//! checkpoints with witness lines, in npm provenance: the fuzzer chooses the
//! logged body field by field (kind, version, digests, signatures,
//! verifiers), the inclusion proof (index, size, hashes, root), the
//! checkpoint (origin, size, extension lines, signature lines: the log's,
//! another key's under the log's hint, the witness's, forged, garbage), and
//! the testkit's own Sigstore signs whatever it chose, as the log would:
//! so every mutation reaches past the signatures to the checks of content.
//!
//! Property: the provenance verifies only if the log's own signature is on
//! the checkpoint, the root it signs is the one the logged body and the
//! proof give (the entry is in the signed tree), and the body, read by a
//! plain JSON reader, logs this envelope: a `hashedRekordV002` spec of the
//! envelope's PAE digest, or a `dsseV002` spec (in a body stating `dsse`
//! 0.0.2) of its payload digest, recording the envelope's one signature
//! and, as its verifier, the signing certificate or its key. And every report keeps the promises `check_report` checks.
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::arbitrary::{Result as ArbResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, RegistryKeys, TrustMaterial, Verdict,
    verify_package_version,
};
use npm_provenance_fuzz::check_report;
use npm_provenance_testkit::{
    CheckpointLine, Faults, Identity, NPM_PUBLISH, RekorV2Parts, SLSA_V1, SignedParts, Sigstore, attestations_response,
    github_provenance, integrity_of, publish_statement, rfc6962_leaf, root_from_inclusion_proof,
};
use serde_json::{Value, json};

const NAME: &str = "@acme/widget";
const VERSION: &str = "1.2.3";

struct Setup {
    kit: Sigstore,
    trust: TrustMaterial,
    integrity: String,
    payload: Vec<u8>,
    identity: Identity,
    publish: String,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let kit = Sigstore::new();
        let mut keys = RegistryKeys::empty();
        keys.add_keys_document(&kit.registry_keys_document(None))
            .expect("the testkit's keys");
        let trust = TrustMaterial::from_trusted_root_json(&kit.trusted_root_json(), keys).expect("the testkit's root");
        let (integrity, sha512) = integrity_of(b"the widget tarball");
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let statement = github_provenance(
            NAME,
            VERSION,
            &sha512,
            "acme/widget",
            ".github/workflows/release.yml",
            commit,
        );
        let publish = kit.keyed_bundle(&publish_statement(NAME, VERSION, &sha512), &Faults::default());
        let setup = Setup {
            identity: Identity::github(
                "acme/widget",
                ".github/workflows/release.yml",
                commit,
                "refs/heads/main",
            ),
            payload: serde_json::to_vec(&statement).expect("a statement"),
            kit,
            trust,
            integrity,
            publish,
        };
        // The oracle is not vacuous: every part as the log makes it verifies.
        for dsse in [false, true] {
            let mut u = Unstructured::new(&[]);
            let (report, _) = verify(&setup, &mut u, Some(dsse)).expect("the default parts");
            assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
        }
        setup
    })
}

/// What the body was made of, as a plain reader checks it afterwards.
struct Made {
    body: Vec<u8>,
    proof_index: u64,
    tree_size: u64,
    hashes: Vec<Vec<u8>>,
    signed_root: Vec<u8>,
    log_signed: bool,
}

/// Picks one of `choices` (the first when the fuzzer's bytes are spent:
/// the defaults are what the log writes).
fn pick<'a, T>(u: &mut Unstructured, choices: &'a [T]) -> ArbResult<&'a T> {
    if u.is_empty() {
        Ok(&choices[0])
    } else {
        u.choose(choices)
    }
}

fn bytes_choice(u: &mut Unstructured, right: &[u8], s: &SignedParts) -> ArbResult<Vec<u8>> {
    Ok(match pick(u, &[0, 1, 2, 3, 4])? {
        0 => right.to_vec(),
        1 => s.payload_sha256.clone(),
        2 => s.pae_sha256.clone(),
        3 => Vec::new(),
        _ => {
            let n = u.int_in_range(0..=48)?;
            u.bytes(n)?.to_vec()
        }
    })
}

fn verifier(u: &mut Unstructured, s: &SignedParts) -> ArbResult<Value> {
    let details = pick(
        u,
        &["PKIX_ECDSA_P256_SHA_256", "PKIX_ED25519", "PKIX_ECDSA_P384_SHA_384", ""],
    )?;
    Ok(match pick(u, &[0, 1, 2, 3, 4, 5])? {
        0 => json!({ "keyDetails": details, "x509Certificate": { "rawBytes": STANDARD.encode(&s.certificate) } }),
        1 => json!({ "keyDetails": details, "publicKey": { "rawBytes": STANDARD.encode(&s.key) } }),
        2 => json!({ "keyDetails": details, "publicKey": { "rawBytes": STANDARD.encode(&s.other_key) } }),
        3 => json!({ "keyDetails": details, "x509Certificate": { "rawBytes": STANDARD.encode(&s.ca_certificate) } }),
        4 => json!({ "keyDetails": details }),
        _ => {
            json!({ "keyDetails": details, "publicKey": { "rawBytes": "!" }, "x509Certificate": { "rawBytes": STANDARD.encode(&s.certificate) } })
        }
    })
}

fn signature(u: &mut Unstructured, s: &SignedParts) -> ArbResult<Value> {
    let mut other = s.signature.clone();
    if let Some(last) = other.last_mut() {
        *last ^= 1;
    }
    let content = bytes_choice(u, &s.signature, s).map(|b| if b == s.payload_sha256 { other } else { b })?;
    Ok(json!({ "content": STANDARD.encode(content), "verifier": verifier(u, s)? }))
}

/// The body, field by field.
fn body(u: &mut Unstructured, s: &SignedParts, dsse: bool) -> ArbResult<Vec<u8>> {
    if !u.is_empty() && u.ratio(1, 32)? {
        let n = u.int_in_range(0..=200)?;
        return Ok(u.bytes(n)?.to_vec());
    }
    let kind = if dsse { "dsse" } else { "hashedrekord" };
    let kind = *pick(u, &[kind, "dsse", "hashedrekord", "intoto", ""])?;
    let api_version = *pick(u, &["0.0.2", "0.0.1", "0.0.3", ""])?;
    let algorithm = *pick(u, &["SHA2_256", "SHA2_384", "sha256", "SHA2_512", ""])?;
    let spec = if dsse {
        let mut signatures = Vec::new();
        for _ in 0..*pick(u, &[1, 0, 2, 3])? {
            signatures.push(signature(u, s)?);
        }
        let digest = bytes_choice(u, &s.payload_sha256, s)?;
        let key = *pick(u, &["dsseV002", "hashedRekordV002", "dsseV001"])?;
        json!({ key: { "payloadHash": { "algorithm": algorithm, "digest": STANDARD.encode(digest) }, "signatures": signatures } })
    } else {
        let digest = bytes_choice(u, &s.pae_sha256, s)?;
        let key = *pick(u, &["hashedRekordV002", "dsseV002", "hashedRekordV001"])?;
        json!({ key: { "data": { "algorithm": algorithm, "digest": STANDARD.encode(digest) }, "signature": signature(u, s)? } })
    };
    let mut body = json!({ "apiVersion": api_version, "kind": kind, "spec": spec });
    if *pick(u, &[false, true])? {
        body["spec"]["extra"] = json!(1);
    }
    Ok(body.to_string().into_bytes())
}

/// The entry, as the fuzzer makes it and the testkit signs it.
fn entry(
    u: &mut Unstructured,
    kit: &Sigstore,
    s: &SignedParts,
    dsse: bool,
    made: &mut Option<Made>,
) -> ArbResult<Value> {
    let body = body(u, s, dsse)?;
    let kind_version = match pick(u, &[0, 1, 2])? {
        0 => json!({ "kind": if dsse { "dsse" } else { "hashedrekord" }, "version": "0.0.2" }),
        1 => json!({ "kind": if dsse { "hashedrekord" } else { "dsse" }, "version": "0.0.2" }),
        _ => json!({ "kind": if dsse { "dsse" } else { "hashedrekord" }, "version": "0.0.1" }),
    };
    let (proof_index, tree_size) = match pick(u, &[0, 1, 2])? {
        0 => (0, 2),
        1 => {
            let size = u.int_in_range(1..=1u64 << 40)?;
            (u.int_in_range(0..=size)?, size)
        }
        _ => (u.arbitrary()?, u.arbitrary()?),
    };
    let hashes = match pick(u, &[0, 1, 2])? {
        0 => None,
        1 => {
            let n = u.int_in_range(0..=8)?;
            let mut hashes = Vec::new();
            for _ in 0..n {
                hashes.push(u.bytes(32)?.to_vec());
            }
            Some(hashes)
        }
        _ => {
            let n = u.int_in_range(0..=40)?.min(u.len());
            Some(vec![u.bytes(n)?.to_vec()])
        }
    };
    let root = match pick(u, &[0, 1])? {
        0 => None,
        _ => Some(u.bytes(32)?.to_vec()),
    };
    let proof_root = match pick(u, &[0, 1])? {
        0 => None,
        _ => Some(u.bytes(32)?.to_vec()),
    };
    let origin = pick(
        u,
        &[
            None,
            Some("rekor.testkit.invalid - 1"),
            Some(""),
            Some("log2025.rekor.testkit.invalid\u{2014}x"),
        ],
    )?
    .map(str::to_string);
    let checkpoint_size = match pick(u, &[0, 1])? {
        0 => None,
        _ => Some(u.arbitrary()?),
    };
    let mut note_extensions = Vec::new();
    for _ in 0..*pick(u, &[0, 1, 2])? {
        note_extensions.push(
            pick(
                u,
                &[
                    "extension",
                    "",
                    "\u{2014} log2025.rekor.testkit.invalid AAAA",
                    "timestamp 1",
                ],
            )?
            .to_string(),
        );
    }
    let mut lines = Vec::new();
    let all = [
        CheckpointLine::Log,
        CheckpointLine::Witness,
        CheckpointLine::LogByOtherKey,
        CheckpointLine::WitnessByOtherKey,
        CheckpointLine::Forged,
        CheckpointLine::Garbage,
    ];
    if u.is_empty() {
        lines = vec![CheckpointLine::Log, CheckpointLine::Witness];
    } else {
        for _ in 0..u.int_in_range(0..=5)? {
            lines.push(*u.choose(&all)?);
        }
    }
    let log_id = match pick(u, &[0, 1])? {
        0 => None,
        _ => Some(u.bytes(32)?.to_vec()),
    };
    let parts = RekorV2Parts {
        body: body.clone(),
        kind_version,
        log_index: if u.is_empty() { 0 } else { u.arbitrary()? },
        proof_index,
        tree_size,
        hashes,
        root,
        proof_root,
        origin,
        checkpoint_size,
        note_extensions,
        lines: lines.clone(),
        log_id,
    };
    let made_entry = kit.rekor_v2_entry_from(&parts);
    *made = Some(Made {
        body,
        proof_index,
        tree_size,
        hashes: made_entry.hashes,
        signed_root: made_entry.signed_root,
        log_signed: lines.contains(&CheckpointLine::Log),
    });
    Ok(made_entry.entry)
}

fn verify(
    setup: &Setup,
    u: &mut Unstructured,
    dsse: Option<bool>,
) -> ArbResult<(npm_provenance_core::Report, (Made, SignedParts, bool))> {
    let dsse = match dsse {
        Some(d) => d,
        None => u.arbitrary()?,
    };
    let mut made = None;
    let mut signed = None;
    let mut failure = None;
    let provenance = setup.kit.keyless_bundle_v2_with(&setup.payload, &setup.identity, |s| {
        signed = Some(s.clone());
        entry(u, &setup.kit, s, dsse, &mut made).unwrap_or_else(|e| {
            failure = Some(e);
            Value::Null
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let (Some(made), Some(signed)) = (made, signed) else {
        return Err(libfuzzer_sys::arbitrary::Error::NotEnoughData);
    };
    let response = attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &setup.publish)]);
    let prepared = PreparedAttestations::parse(&response);
    let docs = PackageVersionDocuments {
        name: NAME,
        version: VERSION,
        integrity: Some(&setup.integrity),
        attestations: Some(&prepared),
        ..Default::default()
    };
    let report = verify_package_version(&docs, &setup.trust, &ExpectedIdentity::default());
    Ok((report, (made, signed, dsse)))
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Whether the body, as a plain JSON reader sees it, logs this envelope.
fn body_logs_the_envelope(body: &[u8], s: &SignedParts) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let verifier_ok = |verifier: &Value| {
        verifier["x509Certificate"]["rawBytes"] == b64(&s.certificate).as_str()
            || verifier["publicKey"]["rawBytes"] == b64(&s.key).as_str()
    };
    let signature_ok = |sig: &Value| sig["content"] == b64(&s.signature).as_str() && verifier_ok(&sig["verifier"]);
    // What the body logs is its spec's: `hashedRekordV002` or `dsseV002`
    // (the log signs the body; its `kind` beside the spec is not read by
    // every client, and a `hashedrekord` body of another stated kind still
    // logs the same digest, signature and verifier).
    let hashed = &v["spec"]["hashedRekordV002"];
    let dsse = &v["spec"]["dsseV002"];
    if !hashed.is_null() && dsse.is_null() {
        hashed["data"]["digest"] == b64(&s.pae_sha256).as_str() && signature_ok(&hashed["signature"])
    } else if !dsse.is_null() && hashed.is_null() {
        // The core reads these itself and requires the body to state its
        // kind and version (README, "What it checks").
        v["kind"] == "dsse"
            && v["apiVersion"] == "0.0.2"
            && dsse["payloadHash"]["digest"] == b64(&s.payload_sha256).as_str()
            && dsse["signatures"]
                .as_array()
                .is_some_and(|list| list.len() == 1 && signature_ok(&list[0]))
    } else {
        false
    }
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let mut u = Unstructured::new(data);
    let Ok((report, (made, signed, dsse))) = verify(setup, &mut u, None) else {
        return;
    };
    check_report(&report);
    if report.verdict == Verdict::Verified {
        assert!(
            made.log_signed,
            "verified without the log's signature on the checkpoint"
        );
        let leaf = rfc6962_leaf(&made.body);
        let root = root_from_inclusion_proof(made.proof_index, made.tree_size, &leaf, &made.hashes);
        assert_eq!(
            root.map(|r| r.to_vec()),
            Some(made.signed_root.clone()),
            "verified an entry that is not in the tree the checkpoint signs"
        );
        assert!(
            body_logs_the_envelope(&made.body, &signed),
            "verified a {} entry that does not log this envelope: {}",
            if dsse { "dsse" } else { "hashedrekord" },
            String::from_utf8_lossy(&made.body)
        );
    }
});
