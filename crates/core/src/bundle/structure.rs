//! A bundle's structure, checked before any cryptography: what the verifier
//! can accept, and limits on everything that costs a signature check, so
//! that no input buys unbounded work.

use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{Bundle, KindVersion, MediaType, SignatureContent};

use super::statement::{self, Statement};
use crate::package::truncate;

/// Real bundles are 4–12 KB; a megabyte is far beyond any legitimate one.
pub const MAX_BUNDLE_BYTES: usize = 1 << 20;
/// Log entries per bundle. npm's bundles carry one, Sigstore clients write
/// one; each costs signature checks (sigstore-go allows 32).
pub const MAX_TLOG_ENTRIES: usize = 8;
/// RFC 3161 timestamps per bundle: each costs a CMS signature and a chain.
pub const MAX_RFC3161_TIMESTAMPS: usize = 8;
/// Certificates in a v0.1/v0.2 chain: leaf, intermediate, root is three.
pub const MAX_CHAIN_CERTIFICATES: usize = 8;
/// Signature lines in a checkpoint: the log's and witness cosignatures. Each
/// line whose key hint names a log key costs a signature check; a checkpoint
/// with thousands of forged lines would take seconds.
pub const MAX_CHECKPOINT_SIGNATURES: usize = 32;
/// Bytes of a checkpoint note (a Rekor checkpoint is a few hundred).
pub const MAX_CHECKPOINT_BYTES: usize = 16 << 10;
/// Hashes in an inclusion proof: a Merkle tree of 2^64 leaves needs 64.
pub const MAX_PROOF_HASHES: usize = 64;

/// The signing material of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    Certificate,
    PublicKey { hint: String },
}

/// A bundle that passed the structural checks.
#[derive(Debug)]
pub struct ParsedBundle {
    /// The bundle as verified: a v0.1/v0.2 certificate chain is reduced to its
    /// leaf (see [`parse`]).
    pub bundle: Bundle,
    pub material: Material,
    /// How many certificates the bundle's chain carried (1 for a single certificate).
    pub chain_length: usize,
    /// The signed statement, read once (DSSE envelopes only): the statement
    /// check reports a payload that does not read.
    pub statement: Option<Result<Statement, String>>,
    /// The DSSE signature's key id (empty for keyless signatures).
    pub dsse_key_id: Option<String>,
    /// The signature field was not base64. It is then verified as the bytes
    /// of its text, which fails at the signature check rather than the parser:
    /// it is a bad signature, not a bad bundle.
    pub signature_not_base64: bool,
}

impl ParsedBundle {
    pub fn media_type(&self) -> String {
        self.bundle.media_type.as_str().to_string()
    }

    /// The statement, if the payload read as one.
    pub fn statement(&self) -> Option<&Statement> {
        self.statement.as_ref()?.as_ref().ok()
    }

    /// The signed predicate type, if the payload read as a statement.
    pub fn predicate_type(&self) -> Option<&str> {
        self.statement().map(|s| s.predicate_type.as_str())
    }

    pub fn is_dsse(&self) -> bool {
        matches!(self.bundle.content, SignatureContent::DsseEnvelope(_))
    }

    pub fn is_keyless(&self) -> bool {
        self.material == Material::Certificate
    }

    /// Whether a log entry is Rekor v2's (no signed entry timestamp, no
    /// integrated time: the signed time comes from a timestamp authority).
    pub fn has_rekor_v2_entry(&self) -> bool {
        self.bundle
            .verification_material
            .tlog_entries
            .iter()
            .any(|e| e.kind_version == KindVersion::HashedRekordV002)
    }

    pub fn rfc3161_timestamps(&self) -> usize {
        self.bundle
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps
            .len()
    }

    /// One line on what was parsed, for the check's sentence.
    pub fn describe(&self) -> String {
        let entries = &self.bundle.verification_material.tlog_entries;
        let kinds: Vec<String> = entries
            .iter()
            .map(|e| format!("{} {}", e.kind_version.kind(), e.kind_version.version()))
            .collect();
        let mut evidence: Vec<String> = [
            entries
                .iter()
                .any(|e| e.inclusion_promise.is_some())
                .then_some("an inclusion promise"),
            entries
                .iter()
                .any(|e| e.inclusion_proof.is_some())
                .then_some("an inclusion proof"),
        ]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
        match self.rfc3161_timestamps() {
            0 => {}
            1 => evidence.push("an RFC 3161 timestamp".into()),
            n => evidence.push(format!("{n} RFC 3161 timestamps")),
        }
        let version = match self.bundle.media_type {
            MediaType::Bundle0_1 => "v0.1",
            MediaType::Bundle0_2 => "v0.2",
            _ => "v0.3",
        };
        let log = if kinds.is_empty() {
            "no log entry".to_string()
        } else {
            format!("log entry {}", kinds.join(", "))
        };
        let chain = if self.chain_length > 1 {
            format!(
                " (a chain of {} certificates, of which only the signing certificate is used: the rest must come from the trusted root)",
                self.chain_length
            )
        } else {
            String::new()
        };
        format!(
            "Sigstore bundle {version} with {}{chain}, {log}{}.",
            if self.is_dsse() {
                "a DSSE envelope"
            } else {
                "a message signature"
            },
            if evidence.is_empty() {
                String::new()
            } else {
                format!(" and {}", evidence.join(" and "))
            }
        )
    }
}

/// Parses a bundle and checks its shape and limits.
///
/// A v0.1/v0.2 certificate chain is reduced to its first certificate: the
/// path to a trusted root is built from the trusted root's certificates only,
/// as sigstore-js does, so a certificate the bundle carries is never trusted
/// because the bundle carries it. This is why npm's 2023 bundles, which carry
/// the whole chain including Fulcio's root, verify; the conformance suite's
/// "bundle with root cert" case is rejected for what else is wrong with it.
pub fn parse(json: &str) -> Result<ParsedBundle, String> {
    if json.len() > MAX_BUNDLE_BYTES {
        return Err(format!(
            "The bundle is {} bytes; bundles over {MAX_BUNDLE_BYTES} bytes are refused.",
            json.len()
        ));
    }
    let (mut bundle, signature_not_base64) = match Bundle::from_json(json) {
        Ok(bundle) => (bundle, false),
        Err(e) => match with_signatures_as_text(json).and_then(|patched| Bundle::from_json(&patched).ok()) {
            Some(bundle) => (bundle, true),
            None => {
                return Err(format!(
                    "Not a Sigstore bundle this verifier supports: {}.",
                    truncate(&e.to_string(), 300)
                ));
            }
        },
    };
    check_limits(&bundle)?;
    check_entry_kinds(&bundle)?;
    let (material, chain_length) = match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(_) => (Material::Certificate, 1),
        VerificationMaterialContent::X509CertificateChain { .. } if bundle.media_type == MediaType::Bundle0_3 => {
            return Err("A v0.3 bundle carries the signing certificate alone, not a chain.".into());
        }
        VerificationMaterialContent::X509CertificateChain { certificates } if !certificates.is_empty() => {
            (Material::Certificate, certificates.len())
        }
        VerificationMaterialContent::X509CertificateChain { .. } => {
            return Err("The bundle's certificate chain is empty.".into());
        }
        VerificationMaterialContent::PublicKey(key) => (Material::PublicKey { hint: key.hint.clone() }, 0),
        _ => return Err("The bundle has no certificate and no public key hint.".into()),
    };
    if chain_length > 1
        && let VerificationMaterialContent::X509CertificateChain { certificates } =
            &mut bundle.verification_material.content
    {
        certificates.truncate(1);
    }
    let (statement, dsse_key_id) = match &bundle.content {
        SignatureContent::DsseEnvelope(envelope) => (
            Some(statement::read(&envelope.payload_type, envelope.payload.as_bytes())),
            Some(envelope.signature.keyid.as_str().to_string()),
        ),
        SignatureContent::MessageSignature(_) => (None, None),
        _ => return Err("The bundle holds neither a DSSE envelope nor a message signature.".into()),
    };
    Ok(ParsedBundle {
        bundle,
        material,
        chain_length,
        statement,
        dsse_key_id,
        signature_not_base64,
    })
}

/// Bounds what every later step will pay for, before it is paid.
fn check_limits(bundle: &Bundle) -> Result<(), String> {
    let material = &bundle.verification_material;
    let entries = &material.tlog_entries;
    if entries.len() > MAX_TLOG_ENTRIES {
        return Err(format!(
            "The bundle has {} log entries; at most {MAX_TLOG_ENTRIES} are accepted.",
            entries.len()
        ));
    }
    let timestamps = material.timestamp_verification_data.rfc3161_timestamps.len();
    if timestamps > MAX_RFC3161_TIMESTAMPS {
        return Err(format!(
            "The bundle has {timestamps} RFC 3161 timestamps; at most {MAX_RFC3161_TIMESTAMPS} are accepted."
        ));
    }
    if let VerificationMaterialContent::X509CertificateChain { certificates } = &material.content
        && certificates.len() > MAX_CHAIN_CERTIFICATES
    {
        return Err(format!(
            "The bundle's chain has {} certificates; at most {MAX_CHAIN_CERTIFICATES} are accepted.",
            certificates.len()
        ));
    }
    for entry in entries {
        let Some(proof) = &entry.inclusion_proof else { continue };
        if proof.hashes.len() > MAX_PROOF_HASHES {
            return Err(format!(
                "An inclusion proof has {} hashes; a proof needs at most {MAX_PROOF_HASHES}.",
                proof.hashes.len()
            ));
        }
        let note = proof.checkpoint.envelope();
        if note.len() > MAX_CHECKPOINT_BYTES {
            return Err(format!(
                "A checkpoint is {} bytes; more than {MAX_CHECKPOINT_BYTES} is refused.",
                note.len()
            ));
        }
        let signatures = proof.checkpoint.checkpoint().map_or(0, |c| c.signatures().len());
        if signatures > MAX_CHECKPOINT_SIGNATURES {
            return Err(format!(
                "A checkpoint carries {signatures} signature lines; at most {MAX_CHECKPOINT_SIGNATURES} are read."
            ));
        }
    }
    Ok(())
}

/// Each log entry's kind must fit the content, and carry some evidence.
fn check_entry_kinds(bundle: &Bundle) -> Result<(), String> {
    for entry in &bundle.verification_material.tlog_entries {
        let compatible = matches!(
            (&bundle.content, entry.kind_version),
            (
                SignatureContent::DsseEnvelope(_),
                KindVersion::IntotoV002 | KindVersion::DsseV001 | KindVersion::HashedRekordV002
            ) | (
                SignatureContent::MessageSignature(_),
                KindVersion::HashedRekordV001 | KindVersion::HashedRekordV002
            )
        );
        if !compatible {
            return Err(format!(
                "The log entry kind {} {} does not fit this bundle's content.",
                entry.kind_version.kind(),
                entry.kind_version.version(),
            ));
        }
        if entry.inclusion_promise.is_none() && entry.inclusion_proof.is_none() {
            return Err("The log entry has neither an inclusion promise nor an inclusion proof.".into());
        }
    }
    Ok(())
}

/// What npm attestations are: a DSSE envelope with one log entry.
pub fn check_npm_shape(parsed: &ParsedBundle) -> Result<(), String> {
    if !parsed.is_dsse() {
        return Err("npm attestations are DSSE envelopes; this bundle holds a message signature.".into());
    }
    let entries = parsed.bundle.verification_material.tlog_entries.len();
    if entries > 1 {
        return Err(format!(
            "npm attestations carry one log entry; this bundle has {entries}."
        ));
    }
    Ok(())
}

/// What is wrong with the shape of a bundle's log evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvidenceProblem {
    /// No entry, or no signed time where the bundle's version requires one.
    Entry(String),
    /// The inclusion proof or its checkpoint is missing or malformed.
    Proof(String),
}

/// The shape of the log evidence, as sigstore-verify will require it:
/// an inclusion promise for v0.1 bundles, an inclusion proof with a
/// well-formed checkpoint for v0.2 and v0.3, and some signed time.
pub fn check_log_evidence(bundle: &Bundle) -> Result<(), LogEvidenceProblem> {
    use LogEvidenceProblem::{Entry, Proof};
    use sigstore_bundle::{Error as E, ValidationOptions, validate_bundle_with_options};
    if bundle.verification_material.tlog_entries.is_empty() {
        return Err(Entry(
            "The bundle has no transparency log entry: nothing shows that its signature was ever published.".into(),
        ));
    }
    let options = ValidationOptions::new()
        .with_require_inclusion_proof(true)
        .with_require_timestamp(false);
    validate_bundle_with_options(bundle, &options).map_err(|e| match e {
        E::MissingInclusionPromise(_) => {
            Entry("A v0.1 bundle must carry an inclusion promise (signed entry timestamp); this one has none.".into())
        }
        E::MissingSigningTimeEvidence => Entry(
            "The bundle has no transparency log entry: nothing proves when it was signed, or that it was ever published."
                .into(),
        ),
        E::MissingInclusionProof(_) => Proof("A v0.2 or v0.3 bundle must carry an inclusion proof; this one has none.".into()),
        E::MissingCheckpoint => Proof("The inclusion proof has no signed checkpoint.".into()),
        E::CheckpointRootMismatch => Proof("The inclusion proof's root hash is not the one its checkpoint signs.".into()),
        other => Proof(format!("The log evidence is malformed: {other}.")),
    })
}

/// The bundle JSON with signature fields that are not base64 replaced by the
/// base64 of their text; `None` when there is nothing to replace.
fn with_signatures_as_text(json: &str) -> Option<String> {
    use base64::Engine as _;
    use serde_json::Value;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut doc: Value = serde_json::from_str(json).ok()?;
    let mut changed = false;
    let mut fix = |sig: &mut Value| {
        if let Some(text) = sig.as_str()
            && b64.decode(text).is_err()
        {
            *sig = Value::String(b64.encode(text.as_bytes()));
            changed = true;
        }
    };
    if let Some(sigs) = doc
        .pointer_mut("/dsseEnvelope/signatures")
        .and_then(Value::as_array_mut)
    {
        for s in sigs {
            if let Some(sig) = s.get_mut("sig") {
                fix(sig);
            }
        }
    }
    if let Some(sig) = doc.pointer_mut("/messageSignature/signature") {
        fix(sig);
    }
    changed.then(|| doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_bundle() {
        for bad in [
            "",
            "null",
            "{}",
            "[1,2]",
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=9"}"#,
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.starts_with("Not a Sigstore bundle"), "{bad}: {err}");
        }
        let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_BUNDLE_BYTES));
        assert!(parse(&huge).unwrap_err().contains("refused"));
    }
}
