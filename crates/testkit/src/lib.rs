//! A miniature Sigstore for tests that need data no real bundle has:
//! its own Fulcio CA, CT log, Rekor log and npm registry key, producing real
//! bundles (certificates with Fulcio claims and an embedded SCT, DSSE
//! envelopes, `dsse` 0.0.1 log entries with a signed entry timestamp and an
//! inclusion proof with a signed checkpoint) and the trusted root that
//! verifies them. Each part can be made wrong on purpose (see [`Faults`]).
//!
//! One module per thing made: `certificates` (the CA, its certificates and
//! their SCTs), `rekor` (log entries, checkpoints, inclusion proofs),
//! `bundles` (the envelopes npm serves), `registry` (npm's key and what it
//! signs), `statements` (what is signed), `identity` (who signs). The
//! instance, its keys and the switches that shape or break a bundle stay
//! here, since every module reads them; the public names are all re-exported
//! here, so tests name them from the crate root.

mod bundles;
mod certificates;
mod identity;
mod registry;
mod rekor;
pub mod scenarios;
mod statements;
pub mod tsa;
pub mod tuf;

pub use bundles::SignedParts;
pub use identity::{GeneralNameKind, Identity};
pub use rekor::{CheckpointLine, MadeRekorV2, RekorV2Parts, rfc6962_leaf, root_from_inclusion_proof};
pub use statements::{
    attestations_response, github_provenance, gitlab_provenance, gitlab_provenance_on, integrity_of, pae,
    publish_statement,
};

use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;
use serde_json::json;
use sha2::{Digest, Sha256};
use x509_cert::name::Name;

pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const GITLAB_ISSUER: &str = "https://gitlab.com";
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const NPM_PUBLISH: &str = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

/// 2024-06-01T12:00:00Z: when the test log integrates its entries.
pub const INTEGRATED_TIME: i64 = 1_717_243_200;

/// The index of a bundle's Rekor v1 entry in the test log (further entries
/// follow it).
pub const LOG_INDEX: u64 = 4242;

// Encodings and signing shared by every module.

fn b64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_bytes(&[seed; 32].into()).unwrap()
}

fn p256_spki(key: &p256::ecdsa::SigningKey) -> Vec<u8> {
    key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec()
}

fn sign_p256(key: &p256::ecdsa::SigningKey, data: &[u8]) -> Vec<u8> {
    let sig: p256::ecdsa::Signature = key.sign(data);
    sig.to_der().as_bytes().to_vec()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// Parts of a bundle to make wrong. `Default` is a bundle that verifies.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The DSSE signature is made by a key other than the certificate's.
    pub signature_by_other_key: bool,
    /// A keyless DSSE signature that names a key id.
    pub keyless_key_id: Option<String>,
    /// The certificate is issued by a CA that is not in the trusted root.
    pub untrusted_ca: bool,
    /// The certificate's validity ends before the log integrated the entry.
    pub certificate_expired: bool,
    /// The SCT is signed by a CT key that is not in the trusted root.
    pub sct_by_other_key: bool,
    /// The certificate carries no SCT.
    pub no_sct: bool,
    /// The signed entry timestamp is made by a key other than the log's.
    pub set_by_other_key: bool,
    /// The log integrated the entry in the future (an hour from now).
    pub integrated_in_future: bool,
    /// The checkpoint is signed by a key other than the log's.
    pub checkpoint_by_other_key: bool,
    /// The inclusion proof's sibling hash is wrong.
    pub wrong_proof_hash: bool,
    /// The log entry records another payload's hash (SET and proof match it).
    pub entry_for_other_payload: bool,
    /// For keyed bundles: the key hint differs from the signature's key id.
    pub hint_differs: bool,
    /// The RFC 3161 timestamp is signed by a key the authority does not certify.
    pub timestamp_by_other_key: bool,
    /// The RFC 3161 timestamp covers another signature.
    pub timestamp_for_other_signature: bool,
    /// The certificate's validity begins after the log integrated the entry
    /// (not yet valid at the signed time).
    pub certificate_not_yet_valid: bool,
    /// For keyed bundles: the DSSE signature names no key id (the bundle's
    /// key hint still names the registry key).
    pub keyed_no_key_id: bool,
    /// The DSSE payload type is `application/json` instead of in-toto's; the
    /// signature (over the PAE) and the log entry cover it as signed.
    pub other_payload_type: bool,
    /// The log entry's `kindVersion` names the other kind than its body:
    /// `hashedrekord 0.0.1` over a Rekor v1 `dsse` body, `dsse 0.0.1` over a
    /// Rekor v2 `hashedrekord` body. (`kindVersion` is outside what the log signs.)
    pub entry_kind_mismatch: bool,
    /// The log entry carries neither its inclusion promise (signed entry
    /// timestamp) nor its inclusion proof.
    pub no_inclusion_evidence: bool,
    /// A v0.3 bundle (keyless) carries its certificate as an
    /// `x509CertificateChain` (leaf and CA), which only v0.1/v0.2 may.
    pub chain_in_v03: bool,
    /// The log entry records another signer than the bundle's: another
    /// public key where it records a key ([`Shape::records_key`]), another
    /// certificate (the CA's) where it records a certificate.
    pub entry_records_other_signer: bool,
    /// The log entry records another signature than the bundle's (Rekor v2
    /// entries; the log signs what it records).
    pub entry_records_other_signature: bool,
    /// A second RFC 3161 timestamp, after the bundle's own, over another
    /// signature (sigstore-python's test bundle has one).
    pub extra_timestamp_for_other_signature: bool,
    /// The bundle's log entry twice, the copy identical (same log, same index).
    pub duplicate_tlog_entry: bool,
}

/// Which log a bundle's entry is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogShape {
    /// Rekor v1: a `dsse` 0.0.1 entry with a signed entry timestamp and an
    /// inclusion proof whose checkpoint the (P-256) log key signs.
    #[default]
    RekorV1,
    /// Rekor v2: a `hashedrekord` 0.0.2 entry, no signed entry timestamp and
    /// no integrated time, a checkpoint signed with the log's Ed25519 key and
    /// cosigned by a witness; the signed time comes from an RFC 3161 timestamp.
    RekorV2,
    /// Rekor v2's `dsse` 0.0.2 entry, as sigstore-js logs DSSE bundles: the
    /// SHA-256 of the payload, the signature and its verifier; otherwise as
    /// `RekorV2`.
    RekorV2Dsse,
}

impl LogShape {
    /// Rekor v2's (no signed entry timestamp, no integrated time: the signed
    /// time is an RFC 3161 timestamp's).
    pub fn is_rekor_v2(self) -> bool {
        matches!(self, LogShape::RekorV2 | LogShape::RekorV2Dsse)
    }
}

/// How the signing certificate is carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChainShape {
    /// A v0.3 bundle's single certificate.
    #[default]
    Certificate,
    /// A v0.1 bundle's chain with the CA's own (root) certificate, as npm's
    /// 2023 bundles carry it.
    ChainWithRoot,
    /// A v0.1 bundle whose leaf was issued by an intermediate that the
    /// trusted root does not list, carried in the chain with the root.
    UnlistedIntermediate,
}

/// The form of a bundle (none of it a fault: every shape verifies as a plain
/// Sigstore bundle, within the limits the core sets on the `extra_*` counts;
/// npm attestations carry one log entry).
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub log: LogShape,
    pub chain: ChainShape,
    /// An RFC 3161 timestamp beside a Rekor v1 entry (Rekor v2 always has one).
    pub rfc3161: bool,
    /// Forged signature lines put in front of the checkpoint's own, each with
    /// the log key's hint (an attacker's way to buy signature checks).
    pub extra_checkpoint_lines: usize,
    /// More entries for the bundle after its own (npm's bundles carry one;
    /// the core bounds the count by `MAX_TLOG_ENTRIES`): in Rekor v1 each at
    /// its own index, with its own signed entry timestamp; in Rekor v2
    /// copies of the entry (which the core refuses as the same entry twice).
    pub extra_tlog_entries: usize,
    /// A Rekor v2 entry records the signer's public key rather than its
    /// certificate (sigstore-js's Rekor v2 `hashedrekord` entries do); a
    /// keyed bundle's Rekor v2 entry records its key either way.
    pub records_key: bool,
}

/// The test instance: keys, CA certificate, and what it signs.
pub struct Sigstore {
    ca_key: p384::ecdsa::SigningKey,
    ca_cert: Vec<u8>,
    ca_name: Name,
    other_ca_key: p384::ecdsa::SigningKey,
    other_ca_name: Name,
    ct_key: p256::ecdsa::SigningKey,
    rekor_key: p256::ecdsa::SigningKey,
    registry_key: p256::ecdsa::SigningKey,
    other_key: p256::ecdsa::SigningKey,
    leaf_key: p256::ecdsa::SigningKey,
    intermediate_key: p384::ecdsa::SigningKey,
    intermediate_name: Name,
    rekor_v2_key: ed25519_dalek::SigningKey,
    witness_key: ed25519_dalek::SigningKey,
    tsa: tsa::TimestampAuthority,
}

impl Default for Sigstore {
    fn default() -> Self {
        Self::new()
    }
}

impl Sigstore {
    pub fn new() -> Self {
        let ca_key = p384::ecdsa::SigningKey::from_bytes(&[11u8; 48].into()).unwrap();
        let other_ca_key = p384::ecdsa::SigningKey::from_bytes(&[12u8; 48].into()).unwrap();
        let ca_name = Name::from_str("CN=testkit-fulcio,O=npm-provenance-testkit").unwrap();
        let other_ca_name = Name::from_str("CN=impostor-fulcio,O=npm-provenance-testkit").unwrap();
        let ca_cert = certificates::self_signed_ca(&ca_key, &ca_name);
        Self {
            ca_key,
            ca_cert,
            ca_name,
            other_ca_key,
            other_ca_name,
            ct_key: p256_key(21),
            rekor_key: p256_key(22),
            registry_key: p256_key(23),
            other_key: p256_key(24),
            leaf_key: p256_key(25),
            intermediate_key: p384::ecdsa::SigningKey::from_bytes(&[13u8; 48].into()).unwrap(),
            intermediate_name: Name::from_str("CN=testkit-fulcio-unlisted-intermediate,O=npm-provenance-testkit")
                .unwrap(),
            rekor_v2_key: ed25519_dalek::SigningKey::from_bytes(&[26u8; 32]),
            witness_key: ed25519_dalek::SigningKey::from_bytes(&[27u8; 32]),
            tsa: tsa::TimestampAuthority::new(),
        }
    }

    /// The timestamp authority.
    pub fn tsa(&self) -> &tsa::TimestampAuthority {
        &self.tsa
    }

    /// The trusted root (`application/vnd.dev.sigstore.trustedroot+json`) of this instance.
    pub fn trusted_root_json(&self) -> String {
        let key = |spki: Vec<u8>| json!({ "rawBytes": b64(&spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": { "start": "2020-01-01T00:00:00Z" } });
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                { "baseUrl": "https://rekor.testkit.invalid", "hashAlgorithm": "SHA2_256", "publicKey": key(p256_spki(&self.rekor_key)), "logId": { "keyId": b64(self.log_id()) } },
                { "baseUrl": "https://log2025.rekor.testkit.invalid", "hashAlgorithm": "SHA2_256", "publicKey": { "rawBytes": b64(self.rekor_v2_spki()), "keyDetails": "PKIX_ED25519", "validFor": { "start": "2020-01-01T00:00:00Z" } }, "logId": { "keyId": b64(self.rekor_v2_log_id()) } }
            ],
            "certificateAuthorities": [{
                "subject": { "organization": "npm-provenance-testkit", "commonName": "testkit-fulcio" },
                "uri": "https://fulcio.testkit.invalid",
                "certChain": { "certificates": [{ "rawBytes": b64(&self.ca_cert) }] },
                "validFor": { "start": "2020-01-01T00:00:00Z" }
            }],
            "ctlogs": [{ "baseUrl": "https://ctfe.testkit.invalid", "hashAlgorithm": "SHA2_256", "publicKey": key(p256_spki(&self.ct_key)), "logId": { "keyId": b64(Sha256::digest(p256_spki(&self.ct_key))) } }],
            "timestampAuthorities": [self.tsa.trusted_root_entry("2020-01-01T00:00:00Z", None)]
        })
        .to_string()
    }
}
