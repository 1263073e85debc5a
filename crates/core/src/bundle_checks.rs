//! Structural checks of a Sigstore bundle before any cryptography: what the
//! verifier can and cannot accept, with limits against hostile input.

use serde_json::Value;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{Bundle, KindVersion, SignatureContent};

use crate::package::truncate;
use crate::predicate::{NPM_PUBLISH_V01, SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02};
use crate::report::{AttestationKind, InclusionProofInfo, TlogEntryInfo};

/// Real bundles are 4–12 KB; a megabyte is far beyond any legitimate one.
pub const MAX_BUNDLE_BYTES: usize = 1 << 20;
/// sigstore-go's limit on log entries per bundle (`maxAllowedTlogEntries`):
/// each costs signature checks, so an unbounded list is a denial of service.
pub const MAX_TLOG_ENTRIES: usize = 32;

const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The signing material of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    Certificate,
    PublicKey { hint: String },
}

/// A bundle that passed the structural checks, with its decoded statement.
#[derive(Debug)]
pub struct ParsedBundle {
    pub bundle: Bundle,
    pub material: Material,
    /// The DSSE payload as JSON, when the content is an in-toto envelope.
    pub statement: Option<Value>,
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

    pub fn predicate_type(&self) -> Option<&str> {
        self.statement.as_ref()?.get("predicateType")?.as_str()
    }

    pub fn is_dsse(&self) -> bool {
        matches!(self.bundle.content, SignatureContent::DsseEnvelope(_))
    }

    /// One line on what was parsed, for the check's sentence.
    pub fn describe(&self) -> String {
        let entries = &self.bundle.verification_material.tlog_entries;
        let kinds: Vec<String> = entries
            .iter()
            .map(|e| format!("{} {}", e.kind_version.kind(), e.kind_version.version()))
            .collect();
        let evidence: Vec<&str> = [
            entries
                .iter()
                .any(|e| e.inclusion_promise.is_some())
                .then_some("inclusion promise"),
            entries
                .iter()
                .any(|e| e.inclusion_proof.is_some())
                .then_some("inclusion proof"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let version = match self.bundle.media_type.as_str() {
            m if m.ends_with("version=0.1") => "v0.1",
            m if m.ends_with("version=0.2") => "v0.2",
            _ => "v0.3",
        };
        format!(
            "Sigstore bundle {version} with {}, log entry {} and {}.",
            if self.is_dsse() {
                "a DSSE envelope"
            } else {
                "a message signature"
            },
            kinds.join(", "),
            evidence.join(" and ")
        )
    }

    /// The report's view of the (first) log entry.
    pub fn tlog_info(&self, public_good: bool) -> Option<TlogEntryInfo> {
        let entry = self.bundle.verification_material.tlog_entries.first()?;
        let log_index = entry.log_index.get();
        let integrated = entry.integrated_time.map(|t| t.as_second());
        Some(TlogEntryInfo {
            log_index,
            log_id: crate::package::hex(entry.log_id.key_id.as_bytes()),
            kind: entry.kind_version.kind().to_string(),
            kind_version: entry.kind_version.version().to_string(),
            integrated_time: integrated,
            integrated_time_rfc3339: integrated.map(crate::time::format_rfc3339),
            inclusion_promise: entry.inclusion_promise.is_some(),
            inclusion_proof: entry.inclusion_proof.as_ref().map(|p| InclusionProofInfo {
                log_index: p.log_index.get(),
                tree_size: p.tree_size,
                root_hash: crate::package::hex(p.root_hash.as_bytes()),
                checkpoint_origin: p.checkpoint.envelope().lines().next().map(|l| truncate(l, 200)),
            }),
            ledger_url: public_good.then(|| crate::links::ledger_url(log_index)),
        })
    }
}

/// What an npm attestation is, from its (signed) predicate type.
pub fn kind_of_predicate(predicate_type: &str) -> Option<AttestationKind> {
    match predicate_type {
        SLSA_PROVENANCE_V02 | SLSA_PROVENANCE_V1 => Some(AttestationKind::Provenance),
        NPM_PUBLISH_V01 => Some(AttestationKind::Publish),
        _ => None,
    }
}

/// What npm attestations are: a DSSE envelope with one log entry of kind
/// intoto 0.0.2 or dsse 0.0.1.
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

/// Parses a bundle and checks its shape.
pub fn parse_bundle(json: &str) -> Result<ParsedBundle, String> {
    if json.len() > MAX_BUNDLE_BYTES {
        return Err(format!(
            "The bundle is {} bytes; bundles over {MAX_BUNDLE_BYTES} bytes are refused.",
            json.len()
        ));
    }
    let (bundle, signature_not_base64) = match Bundle::from_json(json) {
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
    // A bundle without log entries is judged by sigstore-verify, which looks
    // for another signed time (RFC 3161) and says what is missing.
    let entries = &bundle.verification_material.tlog_entries;
    if entries.len() > MAX_TLOG_ENTRIES {
        return Err(format!(
            "The bundle has {} log entries; at most {MAX_TLOG_ENTRIES} are accepted.",
            entries.len()
        ));
    }
    for entry in entries {
        let compatible = matches!(
            (&bundle.content, entry.kind_version),
            (
                SignatureContent::DsseEnvelope(_),
                KindVersion::IntotoV002 | KindVersion::DsseV001
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
    let material = match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(_) => Material::Certificate,
        VerificationMaterialContent::X509CertificateChain { .. }
            if bundle.media_type == sigstore_types::MediaType::Bundle0_3 =>
        {
            return Err("A v0.3 bundle carries the signing certificate alone, not a chain.".into());
        }
        // npm's v0.1 and v0.2 bundles carry the whole chain, root included;
        // only the trusted root's certificates are ever trusted.
        VerificationMaterialContent::X509CertificateChain { certificates } if !certificates.is_empty() => {
            Material::Certificate
        }
        VerificationMaterialContent::PublicKey(key) => Material::PublicKey { hint: key.hint.clone() },
        _ => return Err("The bundle has no certificate and no public key hint.".into()),
    };
    let (statement, dsse_key_id) = match &bundle.content {
        SignatureContent::DsseEnvelope(envelope) => (
            serde_json::from_slice::<Value>(envelope.payload.as_bytes())
                .ok()
                .filter(Value::is_object),
            Some(envelope.signature.keyid.as_str().to_string()),
        ),
        SignatureContent::MessageSignature(_) => (None, None),
        _ => {
            return Err("The bundle holds neither a DSSE envelope nor a message signature.".into());
        }
    };
    Ok(ParsedBundle {
        bundle,
        material,
        statement,
        dsse_key_id,
        signature_not_base64,
    })
}

/// What is wrong with the shape of a bundle's log evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvidenceProblem {
    /// No entry, or no signed time: nothing proves when it was signed.
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
            "The bundle has no transparency log entry: nothing proves when it was signed, or that it was ever published."
                .into(),
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

/// Reads the DSSE payload as an in-toto statement the way sigstore-verify
/// will (so that it cannot refuse what passes here): in-toto payload type,
/// JSON, at least one subject with a sha256 or sha512 digest.
pub fn read_statement(bundle: &Bundle) -> Result<sigstore_types::Statement, String> {
    let SignatureContent::DsseEnvelope(envelope) = &bundle.content else {
        return Err("The bundle holds no DSSE envelope.".into());
    };
    if envelope.payload_type != INTOTO_PAYLOAD_TYPE {
        return Err(format!(
            "The DSSE payload type is {:?}, not {INTOTO_PAYLOAD_TYPE:?}: the content is not an attestation.",
            truncate(&envelope.payload_type, 100)
        ));
    }
    let statement: sigstore_types::Statement = serde_json::from_slice(envelope.payload.as_bytes()).map_err(|e| {
        format!(
            "The DSSE payload is not an in-toto statement: {}.",
            truncate(&e.to_string(), 200)
        )
    })?;
    if statement.subject.is_empty() {
        return Err("The in-toto statement has no subject: it attests to nothing.".into());
    }
    if statement.subject_algorithms().is_empty() {
        return Err("No subject of the statement has a sha256 or sha512 digest.".into());
    }
    Ok(statement)
}

/// The predicate type as the signed statement states it.
pub fn statement_predicate_type(statement: &Value) -> Option<&str> {
    statement.get("predicateType")?.as_str()
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
            let err = parse_bundle(bad).unwrap_err();
            assert!(err.starts_with("Not a Sigstore bundle"), "{bad}: {err}");
        }
        let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_BUNDLE_BYTES));
        assert!(parse_bundle(&huge).unwrap_err().contains("refused"));
    }
}
