//! Log entries the core verifies itself, where `sigstore-verify` 0.15 does
//! not: Rekor v2's `dsse` 0.0.2 entries, Rekor v2 `hashedrekord` entries
//! that record a certificate's public key rather than the certificate, and
//! (for DSSE envelopes whose payload is not an in-toto statement) whether a
//! Rekor v1 `dsse` or `intoto` entry records this envelope.
//!
//! The inclusion of a Rekor v2 entry is checked as `sigstore-verify` checks
//! its own Rekor v2 entries: the entry's body is a leaf of the tree whose
//! size and root hash the checkpoint states, at the entry's index, and the
//! checkpoint is signed by a log key of the trusted root (a witness's
//! cosignature neither helps nor hurts). What the body records is then
//! compared with the bundle, field by field, as the Rekor v2 specification
//! (sigstore/rekor-tiles, `dsse.proto`, `hashedrekord.proto`) defines them.

use sha2::{Digest, Sha256};
use sigstore_types::{Bundle, DsseEnvelope, HashAlgorithm, SignatureBytes, SignatureContent, TransparencyLogEntry};
use sigstore_verify::rekor::RekorEntryBody;

use crate::bundle::structure::{OwnEntry, OwnKind};
use crate::package::truncate;
use crate::trust::TrustMaterial;

/// The checkpoint lines read, as for every other entry
/// (`structure::MAX_CHECKPOINT_SIGNATURES` bounds them before this runs).
const MAX_LINES: usize = crate::bundle::structure::MAX_CHECKPOINT_SIGNATURES;

/// The inclusion proof and the signed checkpoint of a Rekor v2 entry.
pub fn verify_inclusion(entry: &OwnEntry, trust: &TrustMaterial) -> Result<(), String> {
    let fields = &entry.fields;
    let proof = fields
        .inclusion_proof
        .as_ref()
        .ok_or("The Rekor v2 entry has no inclusion proof.")?;
    let checkpoint = proof
        .checkpoint
        .checkpoint()
        .ok_or("The inclusion proof has no readable checkpoint.")?;
    let leaf = sigstore_merkle::hash_leaf(fields.canonicalized_body.as_bytes());
    sigstore_merkle::verify_inclusion_proof(
        &leaf,
        fields.log_index.get(),
        checkpoint.tree_size(),
        &proof.hashes,
        checkpoint.root_hash(),
    )
    .map_err(|e| {
        format!(
            "The log's inclusion proof or checkpoint does not verify: the {} {} entry at index {} is not in the tree its checkpoint signs ({}).",
            entry.kind.kind(),
            entry.kind.version(),
            fields.log_index.get(),
            truncate(&e.to_string(), 200)
        )
    })?;
    let keys = trust
        .trusted_root()
        .rekor_keys()
        .map_err(|e| format!("The trusted root's log keys cannot be used: {e}."))?;
    let message = checkpoint.signed_data();
    let now = jiff::Timestamp::now();
    let signed = checkpoint.signatures().iter().take(MAX_LINES).any(|line| {
        keys.keys_by_hint(&line.key_id, now)
            .any(|key| key.verify(message, &line.signature).is_ok())
    });
    if signed {
        Ok(())
    } else {
        Err(format!(
            "The log's inclusion proof or checkpoint does not verify: no log key of the trusted root signed the checkpoint of {}.",
            truncate(checkpoint.origin(), 200)
        ))
    }
}

/// The signing key a log entry must record: the certificate's (its DER and
/// its key), or the key a keyed bundle was verified with.
pub struct Signer<'a> {
    pub certificate: Option<&'a [u8]>,
    pub public_key: &'a [u8],
}

/// What a message signature's log entry must record as the signed digest:
/// its SHA-256 (of the artifact) as the library established it.
pub type MessageSha256<'a> = Option<&'a [u8]>;

/// Whether a Rekor v2 entry's body records this bundle.
pub fn verify_body(
    entry: &OwnEntry,
    bundle: &Bundle,
    signer: &Signer<'_>,
    message: MessageSha256<'_>,
) -> Result<(), String> {
    let fields = &entry.fields;
    let (kind, version) = (entry.kind.kind(), entry.kind.version());
    check_kind(fields, kind, version)?;
    let body = RekorEntryBody::from_json(fields.canonicalized_body.as_bytes(), kind, version)
        .map_err(|e| format!("The log entry cannot be read: {}.", truncate(&e.to_string(), 200)))?;
    match (entry.kind, body, &bundle.content) {
        (OwnKind::DsseV002, RekorEntryBody::DsseV002(body), SignatureContent::DsseEnvelope(envelope)) => {
            let spec = body.spec.dsse_v002;
            if spec.payload_hash.algorithm != HashAlgorithm::Sha2256 {
                return Err(format!(
                    "The log entry records the payload's {} digest; Rekor v2 records its SHA-256.",
                    spec.payload_hash.algorithm
                ));
            }
            if spec.payload_hash.digest.as_bytes() != Sha256::digest(envelope.payload.as_bytes()).as_slice() {
                return Err("The log entry records another payload: its SHA-256 is not this envelope's.".into());
            }
            let [signature] = spec.signatures.as_slice() else {
                return Err(format!(
                    "The log entry records {} signatures; the envelope has one.",
                    spec.signatures.len()
                ));
            };
            same_signature(&signature.content, &envelope.signature.sig)?;
            let verifier = &signature.verifier;
            recorded_verifier(
                verifier.x509_certificate.as_ref().map(|c| c.raw_bytes.as_bytes()),
                verifier.public_key.as_ref().map(|k| k.raw_bytes.as_bytes()),
                signer,
            )
        }
        (OwnKind::HashedRekordWithKey, RekorEntryBody::HashedRekordV002(body), content) => {
            let spec = body.spec.hashed_rekord_v002;
            if spec.data.algorithm != HashAlgorithm::Sha2256 {
                return Err(format!(
                    "The log entry records a {} digest; Rekor v2 records SHA-256.",
                    spec.data.algorithm
                ));
            }
            let (expected, signature) = match content {
                SignatureContent::DsseEnvelope(envelope) => {
                    (Sha256::digest(envelope.pae()).to_vec(), &envelope.signature.sig)
                }
                SignatureContent::MessageSignature(m) => (
                    message
                        .ok_or("The artifact's SHA-256 is not known, so the log entry's digest cannot be compared.")?
                        .to_vec(),
                    &m.signature,
                ),
                _ => return Err("The bundle holds neither a DSSE envelope nor a message signature.".into()),
            };
            if spec.data.digest.as_bytes() != expected.as_slice() {
                return Err("The log entry records another artifact: its digest is not this bundle's.".into());
            }
            same_signature(&spec.signature.content, signature)?;
            let verifier = &spec.signature.verifier;
            recorded_verifier(
                verifier.x509_certificate.as_ref().map(|c| c.raw_bytes.as_bytes()),
                verifier.public_key.as_ref().map(|k| k.raw_bytes.as_bytes()),
                signer,
            )
        }
        _ => Err("The log entry's body is not of its kind.".into()),
    }
}

/// Whether a Rekor v1 `dsse` 0.0.1 or `intoto` 0.0.2 entry records this
/// envelope: the SHA-256 of its payload (and for `intoto` its payload type),
/// its one signature, and its signer. `sigstore-verify` checks this for
/// in-toto envelopes; for others the core does (see `sigstore::verify`).
pub fn verify_v1_dsse_body(
    entry: &TransparencyLogEntry,
    envelope: &DsseEnvelope,
    signer: &Signer<'_>,
) -> Result<(), String> {
    let (kind, version) = (entry.kind_version.kind(), entry.kind_version.version());
    check_kind(entry, kind, version)?;
    let body = RekorEntryBody::parse(&entry.canonicalized_body, entry.kind_version)
        .map_err(|e| format!("The log entry cannot be read: {}.", truncate(&e.to_string(), 200)))?;
    let payload_sha256 = Sha256::digest(envelope.payload.as_bytes());
    match body {
        RekorEntryBody::DsseV001(body) => {
            let spec = body.spec;
            if spec.payload_hash.algorithm != HashAlgorithm::Sha2256
                || spec.payload_hash.value != hex::encode(payload_sha256)
            {
                return Err("The log entry records another payload: its SHA-256 is not this envelope's.".into());
            }
            let [signature] = spec.signatures.as_slice() else {
                return Err(format!(
                    "The log entry records {} signatures; the envelope has one.",
                    spec.signatures.len()
                ));
            };
            same_signature(&signature.signature, &envelope.signature.sig)?;
            pem_verifier(signature.verifier.as_bytes(), signer)
        }
        RekorEntryBody::IntotoV002(body) => {
            let content = body.spec.content;
            let recorded = content
                .payload_hash
                .value
                .decode()
                .map_err(|e| format!("The log entry's payload hash cannot be read: {e}."))?;
            if content.payload_hash.algorithm != HashAlgorithm::Sha2256 || recorded != payload_sha256.as_slice() {
                return Err("The log entry records another payload: its SHA-256 is not this envelope's.".into());
            }
            if content.envelope.payload_type != envelope.payload_type {
                return Err(format!(
                    "The log entry records the payload type {:?}; the envelope's is {:?}.",
                    truncate(&content.envelope.payload_type, 100),
                    truncate(&envelope.payload_type, 100)
                ));
            }
            let [signature] = content.envelope.signatures.as_slice() else {
                return Err(format!(
                    "The log entry records {} signatures; the envelope has one.",
                    content.envelope.signatures.len()
                ));
            };
            // intoto 0.0.2 records the signature base64-encoded once more.
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(signature.sig.as_bytes())
                .map_err(|_| "The log entry's signature is not base64.".to_string())?;
            if decoded != envelope.signature.sig.as_bytes() {
                return Err("The log entry records another signature than the envelope's.".into());
            }
            pem_verifier(signature.public_key.as_bytes(), signer)
        }
        _ => Err("The log entry's body is not of its kind.".into()),
    }
}

/// The body states the kind and version the bundle says the entry is.
fn check_kind(entry: &TransparencyLogEntry, kind: &str, version: &str) -> Result<(), String> {
    let doc: serde_json::Value = serde_json::from_slice(entry.canonicalized_body.as_bytes())
        .map_err(|_| "The log entry's body is not JSON.".to_string())?;
    let stated = (
        doc.get("kind").and_then(serde_json::Value::as_str),
        doc.get("apiVersion").and_then(serde_json::Value::as_str),
    );
    if stated == (Some(kind), Some(version)) {
        Ok(())
    } else {
        Err(format!(
            "The bundle says the log entry is {kind} {version}; its body says {} {}.",
            truncate(stated.0.unwrap_or("nothing"), 50),
            truncate(stated.1.unwrap_or("nothing"), 50)
        ))
    }
}

fn same_signature(recorded: &SignatureBytes, bundle: &SignatureBytes) -> Result<(), String> {
    if recorded == bundle {
        Ok(())
    } else {
        Err("The log entry records another signature than the bundle's.".into())
    }
}

/// The verifier a Rekor v2 entry records: exactly one of a certificate
/// (this bundle's) and a public key (the signer's: the certificate's key,
/// or the key a keyed bundle was verified with).
fn recorded_verifier(certificate: Option<&[u8]>, public_key: Option<&[u8]>, signer: &Signer<'_>) -> Result<(), String> {
    match (certificate, public_key) {
        (Some(recorded), None) => match signer.certificate {
            Some(own) if own == recorded => Ok(()),
            Some(_) => Err("The log entry records another certificate than the bundle's.".into()),
            None => Err("The log entry records a certificate, but this bundle is signed with a key.".into()),
        },
        (None, Some(recorded)) if recorded == signer.public_key => Ok(()),
        (None, Some(_)) => Err(format!(
            "The log entry records another public key than the {}.",
            if signer.certificate.is_some() {
                "certificate's"
            } else {
                "key the bundle is verified with"
            }
        )),
        _ => Err("The log entry's verifier is not one certificate or one public key.".into()),
    }
}

/// The verifier a Rekor v1 entry records, in PEM: this bundle's certificate,
/// or the key a keyed bundle was verified with (as a key, or as the key of
/// a certificate).
fn pem_verifier(pem: &[u8], signer: &Signer<'_>) -> Result<(), String> {
    let pem = std::str::from_utf8(pem).map_err(|_| "The log entry's verifier is not PEM text.".to_string())?;
    if let Ok(cert) = sigstore_types::DerCertificate::from_pem(pem) {
        return match signer.certificate {
            Some(own) if own == cert.as_bytes() => Ok(()),
            Some(_) => Err("The log entry records another certificate than the bundle's.".into()),
            None => match sigstore_crypto::parse_certificate_info(&cert) {
                Ok(info) if info.public_key.as_bytes() == signer.public_key => Ok(()),
                _ => Err("The log entry records a certificate for another key than the bundle's.".into()),
            },
        };
    }
    match sigstore_types::DerPublicKey::from_pem(pem) {
        Ok(key) if signer.certificate.is_none() && key.as_bytes() == signer.public_key => Ok(()),
        Ok(_) => Err("The log entry records another verifier than the bundle's signer.".into()),
        Err(_) => Err("The log entry's verifier is neither a certificate nor a public key.".into()),
    }
}
