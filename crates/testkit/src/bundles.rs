//! Sigstore bundles as npm serves them: keyless (a Fulcio certificate, as
//! npm's provenance is) and keyed (the registry key, as npm's publish
//! attestation is), each a DSSE envelope with its log entry and, where the
//! shape asks, RFC 3161 timestamps.

use serde_json::{Value, json};

use sha2::{Digest, Sha256};

use crate::rekor::Recorded;
use crate::{
    ChainShape, Faults, INTEGRATED_TIME, Identity, LOG_INDEX, LogShape, Shape, Sigstore, b64, now, p256_spki, pae, pem,
    sign_p256,
};

const INTOTO: &str = "application/vnd.in-toto+json";

/// What a keyless bundle signed, for a caller that makes its log entry
/// ([`Sigstore::keyless_bundle_v2_with`]): DER and raw bytes.
#[derive(Debug, Clone)]
pub struct SignedParts {
    /// The DSSE signature (DER ECDSA).
    pub signature: Vec<u8>,
    /// The signing certificate (DER).
    pub certificate: Vec<u8>,
    /// The certificate's public key (SubjectPublicKeyInfo, DER).
    pub key: Vec<u8>,
    /// Another key's (SubjectPublicKeyInfo, DER).
    pub other_key: Vec<u8>,
    /// The CA's own certificate (DER).
    pub ca_certificate: Vec<u8>,
    /// SHA-256 of the envelope's PAE (what a `hashedrekord` entry records).
    pub pae_sha256: Vec<u8>,
    /// SHA-256 of the payload (what a `dsse` 0.0.2 entry records).
    pub payload_sha256: Vec<u8>,
}

impl Sigstore {
    /// A keyless bundle (v0.3, certificate) over `statement`, as npm's provenance is.
    pub fn keyless_bundle(&self, statement: &Value, identity: &Identity, faults: &Faults) -> String {
        self.keyless_bundle_with(
            &serde_json::to_vec(statement).unwrap(),
            identity,
            faults,
            &Shape::default(),
        )
    }

    /// A keyless bundle over any payload bytes (signed as an in-toto
    /// statement: the payload need not even be JSON), in any shape.
    pub fn keyless_bundle_with(&self, payload: &[u8], identity: &Identity, faults: &Faults, shape: &Shape) -> String {
        let time = if faults.integrated_in_future {
            now() + 3600
        } else {
            INTEGRATED_TIME
        };
        let cert = self.leaf_certificate(identity, faults, time, shape.chain);
        let payload_type = payload_type(faults);
        let pae = pae(payload_type, payload);
        let signer = if faults.signature_by_other_key {
            &self.other_key
        } else {
            &self.leaf_key
        };
        let sig = sign_p256(signer, &pae);
        // What the log records as the signer: the certificate (another one,
        // the CA's, as a fault), or for Rekor v2 its key (or another key).
        let leaf_spki = p256_spki(&self.leaf_key);
        let other_spki = p256_spki(&self.other_key);
        let recorded = match (shape.records_key, faults.entry_records_other_signer) {
            (false, false) => Recorded::Certificate(&cert),
            (false, true) => Recorded::Certificate(&self.ca_cert),
            (true, false) => Recorded::Key(&leaf_spki),
            (true, true) => Recorded::Key(&other_spki),
        };
        let entries: Vec<Value> = match shape.log {
            LogShape::RekorV1 => {
                let verifier = match recorded {
                    Recorded::Certificate(der) => pem("CERTIFICATE", der),
                    Recorded::Key(der) => pem("PUBLIC KEY", der),
                };
                (0..=shape.extra_tlog_entries as u64)
                    .map(|i| self.log_entry(payload, &sig, &verifier, time, LOG_INDEX + i, faults, shape))
                    .collect()
            }
            LogShape::RekorV2 => {
                let entry = self.log_entry_v2(&Sha256::digest(&pae), &sig, recorded, faults, shape);
                vec![entry; 1 + shape.extra_tlog_entries]
            }
            LogShape::RekorV2Dsse => {
                let entry = self.log_entry_v2_dsse(payload, &sig, recorded, faults, shape);
                vec![entry; 1 + shape.extra_tlog_entries]
            }
        };
        let (media_type, certificate) = match shape.chain {
            _ if faults.chain_in_v03 => (
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                json!({ "x509CertificateChain": { "certificates": [{ "rawBytes": b64(&cert) }, { "rawBytes": b64(&self.ca_cert) }] } }),
            ),
            ChainShape::Certificate => (
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                json!({ "certificate": { "rawBytes": b64(&cert) } }),
            ),
            ChainShape::ChainWithRoot => (
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                json!({ "x509CertificateChain": { "certificates": [{ "rawBytes": b64(&cert) }, { "rawBytes": b64(&self.ca_cert) }] } }),
            ),
            ChainShape::UnlistedIntermediate => (
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                json!({ "x509CertificateChain": { "certificates": [
                    { "rawBytes": b64(&cert) },
                    { "rawBytes": b64(self.intermediate_certificate()) },
                    { "rawBytes": b64(&self.ca_cert) }
                ] } }),
            ),
        };
        let mut material = certificate;
        material["tlogEntries"] = tlog_entries(entries, faults);
        if shape.rfc3161 || shape.log.is_rekor_v2() {
            material["timestampVerificationData"] = self.timestamps(&sig, time, faults);
        }
        json!({
            "mediaType": media_type,
            "verificationMaterial": material,
            "dsseEnvelope": {
                "payload": b64(payload),
                "payloadType": payload_type,
                "signatures": [{ "sig": b64(&sig), "keyid": faults.keyless_key_id.clone().unwrap_or_default() }]
            }
        })
        .to_string()
    }

    /// A keyless bundle (v0.3) over `payload` whose one Rekor v2 entry the
    /// caller makes from what was signed (a fuzz target that changes the
    /// entry and its checkpoint, every signature made over the change).
    pub fn keyless_bundle_v2_with(
        &self,
        payload: &[u8],
        identity: &Identity,
        entry: impl FnOnce(&SignedParts) -> Value,
    ) -> String {
        let faults = Faults::default();
        let cert = self.leaf_certificate(identity, &faults, INTEGRATED_TIME, ChainShape::Certificate);
        let pae = pae(INTOTO, payload);
        let sig = sign_p256(&self.leaf_key, &pae);
        let signed = SignedParts {
            signature: sig.clone(),
            certificate: cert.clone(),
            key: p256_spki(&self.leaf_key),
            other_key: p256_spki(&self.other_key),
            ca_certificate: self.ca_cert.clone(),
            pae_sha256: Sha256::digest(&pae).to_vec(),
            payload_sha256: Sha256::digest(payload).to_vec(),
        };
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": { "rawBytes": b64(&cert) },
                "tlogEntries": [entry(&signed)],
                "timestampVerificationData": self.timestamps(&sig, INTEGRATED_TIME, &faults),
            },
            "dsseEnvelope": {
                "payload": b64(payload),
                "payloadType": INTOTO,
                "signatures": [{ "sig": b64(&sig), "keyid": "" }]
            }
        })
        .to_string()
    }

    /// `timestampVerificationData` with one RFC 3161 token over `signature`
    /// (and, as a fault, a second one over another signature).
    fn timestamps(&self, signature: &[u8], time: i64, faults: &Faults) -> Value {
        let other = b"another signature".to_vec();
        let token = self.tsa.token(
            signature,
            time,
            faults.timestamp_by_other_key,
            faults.timestamp_for_other_signature.then_some(&other[..]),
        );
        let mut tokens = vec![json!({ "signedTimestamp": b64(token) })];
        if faults.extra_timestamp_for_other_signature {
            let other_token = self.tsa.token(signature, time, false, Some(&other[..]));
            tokens.push(json!({ "signedTimestamp": b64(other_token) }));
        }
        json!({ "rfc3161Timestamps": tokens })
    }

    /// A keyed bundle (v0.2, public key hint) signed by the registry key, as
    /// npm's publish attestation is.
    pub fn keyed_bundle(&self, statement: &Value, faults: &Faults) -> String {
        self.keyed_bundle_with(&serde_json::to_vec(statement).unwrap(), faults, &Shape::default())
    }

    /// A keyed bundle over any payload bytes.
    pub fn keyed_bundle_with(&self, payload: &[u8], faults: &Faults, shape: &Shape) -> String {
        let time = if faults.integrated_in_future {
            now() + 3600
        } else {
            INTEGRATED_TIME
        };
        let payload_type = payload_type(faults);
        let pae = pae(payload_type, payload);
        let signer = if faults.signature_by_other_key {
            &self.other_key
        } else {
            &self.registry_key
        };
        let sig = sign_p256(signer, &pae);
        let registry_spki = p256_spki(&self.registry_key);
        let other_spki = p256_spki(&self.other_key);
        let spki = if faults.entry_records_other_signer {
            &other_spki
        } else {
            &registry_spki
        };
        let recorded = Recorded::Key(spki);
        let entries: Vec<Value> = match shape.log {
            LogShape::RekorV1 => {
                let verifier = pem("PUBLIC KEY", spki);
                (0..=shape.extra_tlog_entries as u64)
                    .map(|i| self.log_entry(payload, &sig, &verifier, time, LOG_INDEX + i, faults, shape))
                    .collect()
            }
            LogShape::RekorV2 => {
                let entry = self.log_entry_v2(&Sha256::digest(&pae), &sig, recorded, faults, shape);
                vec![entry; 1 + shape.extra_tlog_entries]
            }
            LogShape::RekorV2Dsse => {
                let entry = self.log_entry_v2_dsse(payload, &sig, recorded, faults, shape);
                vec![entry; 1 + shape.extra_tlog_entries]
            }
        };
        let key_id = self.registry_key_id();
        let hint = if faults.hint_differs {
            "SHA256:some-other-key".to_string()
        } else {
            key_id.clone()
        };
        let signature_key_id = if faults.keyed_no_key_id { String::new() } else { key_id };
        let mut material = json!({ "publicKey": { "hint": hint }, "tlogEntries": tlog_entries(entries, faults) });
        if shape.rfc3161 || shape.log.is_rekor_v2() {
            material["timestampVerificationData"] = self.timestamps(&sig, time, faults);
        }
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "verificationMaterial": material,
            "dsseEnvelope": { "payload": b64(payload), "payloadType": payload_type, "signatures": [{ "sig": b64(&sig), "keyid": signature_key_id }] }
        })
        .to_string()
    }
}

/// The DSSE payload type a bundle is signed with.
fn payload_type(faults: &Faults) -> &'static str {
    if faults.other_payload_type {
        "application/json"
    } else {
        INTOTO
    }
}

/// A bundle's `tlogEntries`: its entries, and (a fault) a copy of the first.
fn tlog_entries(mut entries: Vec<Value>, faults: &Faults) -> Value {
    if faults.duplicate_tlog_entry
        && let Some(first) = entries.first().cloned()
    {
        entries.push(first);
    }
    Value::Array(entries)
}
