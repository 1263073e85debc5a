//! Sigstore bundles as npm serves them: keyless (a Fulcio certificate, as
//! npm's provenance is) and keyed (the registry key, as npm's publish
//! attestation is), each a DSSE envelope with its log entry and, where the
//! shape asks, RFC 3161 timestamps.

use serde_json::{Value, json};

use crate::{
    ChainShape, Faults, INTEGRATED_TIME, Identity, LogShape, Shape, Sigstore, b64, now, p256_spki, pae, pem, sign_p256,
};

const INTOTO: &str = "application/vnd.in-toto+json";

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
        let entry = match shape.log {
            LogShape::RekorV1 => self.log_entry(payload, &sig, &pem("CERTIFICATE", &cert), time, faults, shape),
            LogShape::RekorV2 => self.log_entry_v2(&pae, &sig, &cert, faults, shape),
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
        material["tlogEntries"] = tlog_entries(entry, shape);
        if shape.rfc3161 || shape.log == LogShape::RekorV2 {
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

    /// `timestampVerificationData` with one RFC 3161 token over `signature`.
    fn timestamps(&self, signature: &[u8], time: i64, faults: &Faults) -> Value {
        let other = b"another signature".to_vec();
        let token = self.tsa.token(
            signature,
            time,
            faults.timestamp_by_other_key,
            faults.timestamp_for_other_signature.then_some(&other[..]),
        );
        json!({ "rfc3161Timestamps": [{ "signedTimestamp": b64(token) }] })
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
        let verifier = pem("PUBLIC KEY", &p256_spki(&self.registry_key));
        let entry = self.log_entry(payload, &sig, &verifier, time, faults, shape);
        let key_id = self.registry_key_id();
        let hint = if faults.hint_differs {
            "SHA256:some-other-key".to_string()
        } else {
            key_id.clone()
        };
        let signature_key_id = if faults.keyed_no_key_id { String::new() } else { key_id };
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "verificationMaterial": { "publicKey": { "hint": hint }, "tlogEntries": tlog_entries(entry, shape) },
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

/// A bundle's `tlogEntries`: the entry, and as many copies as the shape asks.
fn tlog_entries(entry: Value, shape: &Shape) -> Value {
    Value::Array(vec![entry; 1 + shape.extra_tlog_entries])
}
