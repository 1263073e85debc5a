//! The transparency log: Rekor v1 `dsse` entries with a signed entry
//! timestamp, Rekor v2 `hashedrekord` and `dsse` entries, and for both an
//! inclusion proof in a tree of two leaves with its signed checkpoint (and,
//! for an attacker's checkpoint, forged signature lines).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Faults, Shape, Sigstore, b64, hex, p256_spki, sign_p256};

/// What a Rekor v2 entry records as the signature's verifier.
pub(crate) enum Recorded<'a> {
    /// A DER certificate.
    Certificate(&'a [u8]),
    /// A DER SubjectPublicKeyInfo.
    Key(&'a [u8]),
}

impl Recorded<'_> {
    fn json(&self) -> Value {
        match self {
            Recorded::Certificate(der) => {
                json!({ "keyDetails": "PKIX_ECDSA_P256_SHA_256", "x509Certificate": { "rawBytes": b64(der) } })
            }
            Recorded::Key(der) => {
                json!({ "keyDetails": "PKIX_ECDSA_P256_SHA_256", "publicKey": { "rawBytes": b64(der) } })
            }
        }
    }
}

impl Sigstore {
    pub(crate) fn log_id(&self) -> Vec<u8> {
        Sha256::digest(p256_spki(&self.rekor_key)).to_vec()
    }

    pub(crate) fn rekor_v2_spki(&self) -> Vec<u8> {
        ed25519_spki(&self.rekor_v2_key)
    }

    /// The Rekor v2 log's id; its first four bytes are the key hint of the
    /// log's checkpoint signatures.
    pub(crate) fn rekor_v2_log_id(&self) -> Vec<u8> {
        Sha256::digest(self.rekor_v2_spki()).to_vec()
    }

    /// A `dsse` 0.0.1 log entry at `log_index` with its SET and an inclusion
    /// proof (a tree of two leaves) with a signed checkpoint.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn log_entry(
        &self,
        payload: &[u8],
        signature: &[u8],
        verifier_pem: &str,
        time: i64,
        log_index: u64,
        faults: &Faults,
        shape: &Shape,
    ) -> Value {
        let logged_payload = if faults.entry_for_other_payload {
            b"another payload".to_vec()
        } else {
            payload.to_vec()
        };
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": { "algorithm": "sha256", "value": hex(&Sha256::digest(b"envelope")) },
                "payloadHash": { "algorithm": "sha256", "value": hex(&Sha256::digest(&logged_payload)) },
                "signatures": [{ "signature": b64(signature), "verifier": b64(verifier_pem) }]
            }
        })
        .to_string();
        let log_id = self.log_id();
        let set_payload = format!(
            r#"{{"body":"{}","integratedTime":{time},"logID":"{}","logIndex":{log_index}}}"#,
            b64(&body),
            hex(&log_id)
        );
        let set_key = if faults.set_by_other_key {
            &self.other_key
        } else {
            &self.rekor_key
        };
        let set = sign_p256(set_key, set_payload.as_bytes());
        // Tree of two: this entry (index 0) and a sibling.
        let leaf = merkle_leaf(body.as_bytes());
        let sibling = if faults.wrong_proof_hash {
            merkle_leaf(b"not the sibling")
        } else {
            merkle_leaf(b"sibling")
        };
        let root = merkle_node(&leaf, &merkle_leaf(b"sibling"));
        let origin = "rekor.testkit.invalid - 1";
        let note = format!("{origin}\n2\n{}\n", b64(root));
        let checkpoint_key = if faults.checkpoint_by_other_key {
            &self.other_key
        } else {
            &self.rekor_key
        };
        let mut signed = Sha256::digest(p256_spki(&self.rekor_key))[..4].to_vec();
        signed.extend_from_slice(&sign_p256(checkpoint_key, note.as_bytes()));
        let checkpoint = format!(
            "{note}\n{}\u{2014} rekor.testkit.invalid {}\n",
            forged_lines(&log_id[..4], shape.extra_checkpoint_lines),
            b64(&signed)
        );
        let kind_version = if faults.entry_kind_mismatch {
            json!({ "kind": "hashedrekord", "version": "0.0.1" })
        } else {
            json!({ "kind": "dsse", "version": "0.0.1" })
        };
        let mut entry = json!({
            "logIndex": log_index.to_string(),
            "logId": { "keyId": b64(&log_id) },
            "kindVersion": kind_version,
            "integratedTime": time.to_string(),
            "inclusionPromise": { "signedEntryTimestamp": b64(&set) },
            "inclusionProof": { "logIndex": "0", "rootHash": b64(root), "treeSize": "2", "hashes": [b64(sibling)], "checkpoint": { "envelope": checkpoint } },
            "canonicalizedBody": b64(&body)
        });
        without_inclusion_evidence(&mut entry, faults);
        entry
    }

    /// A Rekor v2 `hashedrekord` 0.0.2 entry over `digest` (the SHA-256 of
    /// a DSSE envelope's PAE, or of an artifact), recording `verifier`.
    pub(crate) fn log_entry_v2(
        &self,
        digest: &[u8],
        signature: &[u8],
        verifier: Recorded<'_>,
        faults: &Faults,
        shape: &Shape,
    ) -> Value {
        let logged = if faults.entry_for_other_payload {
            Sha256::digest(b"another payload").to_vec()
        } else {
            digest.to_vec()
        };
        let body = json!({
            "apiVersion": "0.0.2",
            "kind": "hashedrekord",
            "spec": { "hashedRekordV002": {
                "data": { "algorithm": "SHA2_256", "digest": b64(logged) },
                "signature": { "content": b64(logged_signature(signature, faults)), "verifier": verifier.json() }
            } }
        })
        .to_string();
        let kind_version = if faults.entry_kind_mismatch {
            json!({ "kind": "dsse", "version": "0.0.1" })
        } else {
            json!({ "kind": "hashedrekord", "version": "0.0.2" })
        };
        self.rekor_v2_entry(&body, kind_version, faults, shape)
    }

    /// A Rekor v2 `dsse` 0.0.2 entry for a DSSE envelope, as the Rekor v2
    /// specification defines it (sigstore/rekor-tiles `dsse.proto`): the
    /// SHA-256 of the payload, and the signature with its verifier.
    pub(crate) fn log_entry_v2_dsse(
        &self,
        payload: &[u8],
        signature: &[u8],
        verifier: Recorded<'_>,
        faults: &Faults,
        shape: &Shape,
    ) -> Value {
        let logged_payload = if faults.entry_for_other_payload {
            b"another payload".to_vec()
        } else {
            payload.to_vec()
        };
        // The kind mismatch: a body that says it is another version.
        let api_version = if faults.entry_kind_mismatch { "0.0.1" } else { "0.0.2" };
        let body = json!({
            "apiVersion": api_version,
            "kind": "dsse",
            "spec": { "dsseV002": {
                "payloadHash": { "algorithm": "SHA2_256", "digest": b64(Sha256::digest(&logged_payload)) },
                "signatures": [{ "content": b64(logged_signature(signature, faults)), "verifier": verifier.json() }]
            } }
        })
        .to_string();
        self.rekor_v2_entry(&body, json!({ "kind": "dsse", "version": "0.0.2" }), faults, shape)
    }

    /// A Rekor v2 entry for `body`: an inclusion proof in a tree of two
    /// leaves, its checkpoint signed with the log's Ed25519 key and cosigned
    /// by a witness; no signed entry timestamp, no integrated time.
    fn rekor_v2_entry(&self, body: &str, kind_version: Value, faults: &Faults, shape: &Shape) -> Value {
        use ed25519_dalek::Signer as _;
        let leaf = merkle_leaf(body.as_bytes());
        let sibling = if faults.wrong_proof_hash {
            merkle_leaf(b"not the sibling")
        } else {
            merkle_leaf(b"sibling")
        };
        let root = merkle_node(&leaf, &merkle_leaf(b"sibling"));
        let origin = "log2025.rekor.testkit.invalid";
        let note = format!("{origin}\n2\n{}\n", b64(root));
        let log_key = if faults.checkpoint_by_other_key {
            ed25519_dalek::SigningKey::from_bytes(&[28u8; 32])
        } else {
            self.rekor_v2_key.clone()
        };
        let log_id = self.rekor_v2_log_id();
        let mut signed = log_id[..4].to_vec();
        signed.extend_from_slice(&log_key.sign(note.as_bytes()).to_bytes());
        let mut witnessed = Sha256::digest(ed25519_spki(&self.witness_key))[..4].to_vec();
        witnessed.extend_from_slice(&self.witness_key.sign(note.as_bytes()).to_bytes());
        let checkpoint = format!(
            "{note}\n{}\u{2014} {origin} {}\n\u{2014} witness.testkit.invalid {}\n",
            forged_lines(&log_id[..4], shape.extra_checkpoint_lines),
            b64(&signed),
            b64(&witnessed)
        );
        let mut entry = json!({
            "logIndex": "0",
            "logId": { "keyId": b64(&log_id) },
            "kindVersion": kind_version,
            "inclusionProof": { "logIndex": "0", "rootHash": b64(root), "treeSize": "2", "hashes": [b64(sibling)], "checkpoint": { "envelope": checkpoint } },
            "canonicalizedBody": b64(body)
        });
        without_inclusion_evidence(&mut entry, faults);
        entry
    }
}

/// The signature a Rekor v2 entry records: the bundle's, or (a fault) another.
fn logged_signature(signature: &[u8], faults: &Faults) -> Vec<u8> {
    if faults.entry_records_other_signature {
        let mut other = signature.to_vec();
        if let Some(last) = other.last_mut() {
            *last ^= 1;
        }
        other
    } else {
        signature.to_vec()
    }
}

/// Removes the entry's inclusion promise and proof when the faults ask it.
fn without_inclusion_evidence(entry: &mut Value, faults: &Faults) {
    if faults.no_inclusion_evidence
        && let Some(entry) = entry.as_object_mut()
    {
        entry.remove("inclusionPromise");
        entry.remove("inclusionProof");
    }
}

/// `count` signature lines that name the log's key hint but carry no valid
/// signature, for the checkpoint's signature section.
fn forged_lines(hint: &[u8], count: usize) -> String {
    // A DER ECDSA signature's size (r and s of 32 bytes), verifying nothing.
    let mut blob = hint.to_vec();
    blob.extend_from_slice(&[0x30, 0x44, 0x02, 0x20]);
    blob.extend_from_slice(&[0x11; 32]);
    blob.extend_from_slice(&[0x02, 0x20]);
    blob.extend_from_slice(&[0x22; 32]);
    let line = format!("\u{2014} rekor.testkit.invalid {}\n", b64(&blob));
    line.repeat(count)
}

fn ed25519_spki(key: &ed25519_dalek::SigningKey) -> Vec<u8> {
    // SubjectPublicKeyInfo for id-Ed25519 (RFC 8410): a fixed prefix and the key.
    let mut spki = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    spki.extend_from_slice(key.verifying_key().as_bytes());
    spki
}

fn merkle_leaf(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn merkle_node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A signature line of a checkpoint built from [`RekorV2Parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointLine {
    /// The log's own Ed25519 signature over the note.
    Log,
    /// A signature with the log's key hint, by another Ed25519 key.
    LogByOtherKey,
    /// The witness's cosignature over the note.
    Witness,
    /// A witness line whose signature is by another key.
    WitnessByOtherKey,
    /// A line with the log's key hint whose signature verifies nothing.
    Forged,
    /// A line with no signature to read.
    Garbage,
}

/// A Rekor v2 entry made from parts a caller chooses (a fuzz target), every
/// signature made over what the parts say, so that what decides is a
/// verifier's reading of the content, not a signature it cannot check.
#[derive(Debug, Clone)]
pub struct RekorV2Parts {
    /// The canonicalized body, as logged (the leaf).
    pub body: Vec<u8>,
    /// The entry's `kindVersion`.
    pub kind_version: Value,
    /// The entry's `logIndex`.
    pub log_index: u64,
    /// The leaf's index in the proof, and the tree's size.
    pub proof_index: u64,
    pub tree_size: u64,
    /// The proof's hashes; `None`: as many made-up siblings as a proof of
    /// `proof_index` in `tree_size` leaves takes.
    pub hashes: Option<Vec<Vec<u8>>>,
    /// The root the checkpoint states and the log signs; `None`: the root
    /// the body and the proof give ([`root_from_inclusion_proof`]).
    pub root: Option<Vec<u8>>,
    /// The proof's `rootHash`; `None`: the checkpoint's root.
    pub proof_root: Option<Vec<u8>>,
    /// The checkpoint's origin line; `None`: the log's.
    pub origin: Option<String>,
    /// The tree size the checkpoint states; `None`: `tree_size`.
    pub checkpoint_size: Option<u64>,
    /// Lines after the root hash (extension lines of the note).
    pub note_extensions: Vec<String>,
    /// The signature lines, in order.
    pub lines: Vec<CheckpointLine>,
    /// The entry's `logId`; `None`: the log's.
    pub log_id: Option<Vec<u8>>,
}

/// What a Rekor v2 entry made from [`RekorV2Parts`] states, as made.
#[derive(Debug, Clone)]
pub struct MadeRekorV2 {
    pub entry: Value,
    /// The root the checkpoint states (and the log signed).
    pub signed_root: Vec<u8>,
    /// The proof's hashes.
    pub hashes: Vec<Vec<u8>>,
}

impl Sigstore {
    /// The Rekor v2 log's id (its key's SHA-256).
    pub fn rekor_v2_log_id_bytes(&self) -> Vec<u8> {
        self.rekor_v2_log_id()
    }

    /// A Rekor v2 entry made from `parts`: see [`RekorV2Parts`].
    pub fn rekor_v2_entry_from(&self, parts: &RekorV2Parts) -> MadeRekorV2 {
        use ed25519_dalek::Signer as _;
        let leaf = merkle_leaf(&parts.body);
        let hashes = parts
            .hashes
            .clone()
            .unwrap_or_else(|| made_up_proof(parts.proof_index, parts.tree_size));
        let signed_root = parts.root.clone().unwrap_or_else(|| {
            root_from_inclusion_proof(parts.proof_index, parts.tree_size, &leaf, &hashes)
                .map_or_else(|| Sha256::digest(b"no root").to_vec(), |r| r.to_vec())
        });
        let origin = parts
            .origin
            .clone()
            .unwrap_or_else(|| "log2025.rekor.testkit.invalid".to_string());
        let mut note = format!(
            "{origin}\n{}\n{}\n",
            parts.checkpoint_size.unwrap_or(parts.tree_size),
            b64(&signed_root)
        );
        for line in &parts.note_extensions {
            note.push_str(line);
            note.push('\n');
        }
        let log_id = self.rekor_v2_log_id();
        let other_key = ed25519_dalek::SigningKey::from_bytes(&[28u8; 32]);
        let witness_hint = Sha256::digest(ed25519_spki(&self.witness_key))[..4].to_vec();
        let line = |hint: &[u8], key: &ed25519_dalek::SigningKey, name: &str| {
            let mut signed = hint.to_vec();
            signed.extend_from_slice(&key.sign(note.as_bytes()).to_bytes());
            format!("\u{2014} {name} {}\n", b64(&signed))
        };
        let mut signatures = String::new();
        for l in &parts.lines {
            signatures.push_str(&match l {
                CheckpointLine::Log => line(&log_id[..4], &self.rekor_v2_key, &origin),
                CheckpointLine::LogByOtherKey => line(&log_id[..4], &other_key, &origin),
                CheckpointLine::Witness => line(&witness_hint, &self.witness_key, "witness.testkit.invalid"),
                CheckpointLine::WitnessByOtherKey => line(&witness_hint, &other_key, "witness.testkit.invalid"),
                CheckpointLine::Forged => forged_lines(&log_id[..4], 1),
                CheckpointLine::Garbage => "\u{2014} nothing here\n".to_string(),
            });
        }
        let checkpoint = format!("{note}\n{signatures}");
        let entry = json!({
            "logIndex": parts.log_index.to_string(),
            "logId": { "keyId": b64(parts.log_id.as_deref().unwrap_or(&log_id)) },
            "kindVersion": parts.kind_version,
            "inclusionProof": {
                "logIndex": parts.proof_index.to_string(),
                "rootHash": b64(parts.proof_root.as_deref().unwrap_or(&signed_root)),
                "treeSize": parts.tree_size.to_string(),
                "hashes": hashes.iter().map(b64).collect::<Vec<_>>(),
                "checkpoint": { "envelope": checkpoint }
            },
            "canonicalizedBody": b64(&parts.body)
        });
        MadeRekorV2 {
            entry,
            signed_root,
            hashes,
        }
    }
}

/// The RFC 6962 leaf hash of `data`.
pub fn rfc6962_leaf(data: &[u8]) -> [u8; 32] {
    merkle_leaf(data)
}

/// The root an inclusion proof gives for `leaf` at `index` of a tree of
/// `size` leaves (RFC 9162, 2.1.3.2), or `None` when the proof does not fit.
pub fn root_from_inclusion_proof(index: u64, size: u64, leaf: &[u8; 32], hashes: &[Vec<u8>]) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in hashes {
        let p: [u8; 32] = p.as_slice().try_into().ok()?;
        if s == 0 {
            return None;
        }
        if f & 1 == 1 || f == s {
            r = merkle_node(&p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = merkle_node(&r, &p);
        }
        f >>= 1;
        s >>= 1;
    }
    (s == 0).then_some(r)
}

/// Made-up sibling hashes, as many as a proof of `index` in `size` takes.
fn made_up_proof(index: u64, size: u64) -> Vec<Vec<u8>> {
    if index >= size {
        return Vec::new();
    }
    let (mut f, mut s) = (index, size - 1);
    let mut out = Vec::new();
    while s != 0 && out.len() < 64 {
        out.push(Sha256::digest(format!("sibling {}", out.len())).to_vec());
        if (f & 1 == 1 || f == s) && f & 1 == 0 {
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        }
        f >>= 1;
        s >>= 1;
    }
    out
}
