//! The npm registry's signing key: its key id, the documents that publish
//! it (npm's keys endpoint, Sigstore's TUF target) and the signatures it
//! makes over a version's integrity.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Sigstore, b64, p256_spki, pem, sign_p256};

impl Sigstore {
    /// npm's key id for the registry key (its SSH fingerprint).
    pub fn registry_key_id(&self) -> String {
        let point = self.registry_key.verifying_key().to_encoded_point(false);
        let mut blob = Vec::new();
        for part in [&b"ecdsa-sha2-nistp256"[..], b"nistp256", point.as_bytes()] {
            blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
            blob.extend_from_slice(part);
        }
        format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&blob))
        )
    }

    /// A `/-/npm/v1/keys` document with the registry key, expiring at `expires` (RFC 3339) if given.
    pub fn registry_keys_document(&self, expires: Option<&str>) -> String {
        json!({ "keys": [{ "expires": expires, "keyid": self.registry_key_id(), "keytype": "ecdsa-sha2-nistp256", "scheme": "ecdsa-sha2-nistp256", "key": b64(p256_spki(&self.registry_key)) }] })
            .to_string()
    }

    /// The registry key as Sigstore's TUF repository publishes npm's keys
    /// (the target `registry.npmjs.org/keys.json`): for both usages, valid
    /// from `start`.
    pub fn registry_keys_tuf_target(&self) -> String {
        let key = |usage: &str| {
            json!({ "keyId": self.registry_key_id(), "keyUsage": usage, "publicKey": {
                "rawBytes": b64(p256_spki(&self.registry_key)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": { "start": "2020-01-01T00:00:00.000Z" } } })
        };
        json!({ "keys": [key("npm:signatures"), key("npm:attestations")] }).to_string()
    }

    /// The registry key's public key as PEM (`-----BEGIN PUBLIC KEY-----`), as
    /// `verify --key` reads it.
    pub fn registry_public_key_pem(&self) -> String {
        pem("PUBLIC KEY", &p256_spki(&self.registry_key))
    }

    /// The public key (PEM) of the key `Faults::signature_by_other_key` signs
    /// with: not the registry's, nor any this instance trusts.
    pub fn other_public_key_pem(&self) -> String {
        pem("PUBLIC KEY", &p256_spki(&self.other_key))
    }

    /// A `dist.signatures` entry over `name@version:integrity`.
    pub fn registry_signature(&self, name: &str, version: &str, integrity: &str) -> Value {
        json!({ "keyid": self.registry_key_id(), "sig": b64(sign_p256(&self.registry_key, format!("{name}@{version}:{integrity}").as_bytes())) })
    }
}
