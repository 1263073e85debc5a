//! A bundle's structure, checked before any cryptography: what the verifier
//! can accept, and limits on everything that costs a signature check, so
//! that no input buys unbounded work.

use serde_json::Value;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{Bundle, KindVersion, MediaType, SignatureContent, TransparencyLogEntry};
use sigstore_verify::rekor::RekorEntryBody;

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

/// A Rekor v2 entry that `sigstore-verify` 0.15 does not read, and that the
/// core verifies itself (`bundle::own_entries`): its inclusion proof and
/// checkpoint, and that its body records this bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnKind {
    /// `dsse` 0.0.2: Rekor v2's entry for a DSSE envelope (the SHA-256 of
    /// the payload, the signatures and their verifiers), as sigstore-js logs
    /// DSSE bundles to Rekor v2.
    DsseV002,
    /// `hashedrekord` 0.0.2 of a certificate-signed bundle whose verifier is
    /// the certificate's public key rather than the certificate.
    HashedRekordWithKey,
}

impl OwnKind {
    pub fn kind(self) -> &'static str {
        match self {
            OwnKind::DsseV002 => "dsse",
            OwnKind::HashedRekordWithKey => "hashedrekord",
        }
    }

    pub fn version(self) -> &'static str {
        "0.0.2"
    }
}

/// A log entry the core verifies itself.
#[derive(Debug, Clone)]
pub struct OwnEntry {
    pub kind: OwnKind,
    /// The entry's fields (index, log id, inclusion proof, body). Its
    /// `kind_version` is not the entry's (`sigstore-types` has no `dsse`
    /// 0.0.2): `kind` is. It is never handed to `sigstore-verify`.
    pub fields: TransparencyLogEntry,
}

/// One log entry of a bundle, whoever verifies it.
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub kind: &'static str,
    pub version: &'static str,
    /// A Rekor v2 entry (no signed entry timestamp, no integrated time).
    pub rekor_v2: bool,
    pub fields: &'a TransparencyLogEntry,
}

/// A bundle that passed the structural checks.
#[derive(Debug)]
pub struct ParsedBundle {
    /// The bundle as `sigstore-verify` verifies it: a v0.1/v0.2 certificate
    /// chain is reduced to its leaf (see [`parse`]), and the entries in
    /// `own_entries` are not in it.
    pub bundle: Bundle,
    /// Rekor v2 entries the core verifies itself (see [`OwnKind`]).
    pub own_entries: Vec<OwnEntry>,
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
    /// For a DSSE envelope whose payload is not an in-toto statement: its
    /// PAE, the bytes the signature is over (see [`ParsedBundle::is_signed_payload`]).
    pub signed_pae: Option<Vec<u8>>,
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

    /// The DSSE payload type, for envelopes.
    pub fn payload_type(&self) -> Option<&str> {
        match &self.bundle.content {
            SignatureContent::DsseEnvelope(envelope) => Some(envelope.payload_type.as_str()),
            _ => None,
        }
    }

    /// A DSSE envelope whose payload is not an in-toto statement (its type
    /// says so): signed bytes, as the Sigstore client specification verifies
    /// them, with no subject to read.
    pub fn is_signed_payload(&self) -> bool {
        self.signed_pae.is_some()
    }

    /// Every log entry: those `sigstore-verify` verifies, then the core's own.
    pub fn entries(&self) -> impl Iterator<Item = EntryRef<'_>> {
        let library = self.bundle.verification_material.tlog_entries.iter().map(|e| EntryRef {
            kind: e.kind_version.kind(),
            version: e.kind_version.version(),
            rekor_v2: e.kind_version == KindVersion::HashedRekordV002,
            fields: e,
        });
        let own = self.own_entries.iter().map(|e| EntryRef {
            kind: e.kind.kind(),
            version: e.kind.version(),
            rekor_v2: true,
            fields: &e.fields,
        });
        library.chain(own)
    }

    pub fn is_keyless(&self) -> bool {
        self.material == Material::Certificate
    }

    /// Whether a log entry is Rekor v2's (no signed entry timestamp, no
    /// integrated time: the signed time comes from a timestamp authority).
    pub fn has_rekor_v2_entry(&self) -> bool {
        self.entries().any(|e| e.rekor_v2)
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
        let kinds: Vec<String> = self.entries().map(|e| format!("{} {}", e.kind, e.version)).collect();
        let mut evidence: Vec<String> = [
            self.entries()
                .any(|e| !e.rekor_v2 && e.fields.inclusion_promise.is_some())
                .then_some("an inclusion promise"),
            self.entries()
                .any(|e| e.fields.inclusion_proof.is_some())
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
        let content = match self.payload_type() {
            Some(t) if t == statement::INTOTO_PAYLOAD_TYPE => "a DSSE envelope".to_string(),
            Some(t) => format!("a DSSE envelope of {} (not an in-toto statement)", truncate(t, 100)),
            None => "a message signature".to_string(),
        };
        format!(
            "Sigstore bundle {version} with {content}{chain}, {log}{}.",
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
    let (mut bundle, mut own_entries, signature_not_base64) = read(json)?;
    own_entries.extend(take_hashedrekords_with_key(&mut bundle));
    check_limits(&bundle, &own_entries)?;
    check_entry_kinds(&bundle, &own_entries)?;
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
    let (statement, dsse_key_id, signed_pae) = match &bundle.content {
        SignatureContent::DsseEnvelope(envelope) => (
            Some(statement::read(&envelope.payload_type, envelope.payload.as_bytes())),
            Some(envelope.signature.keyid.as_str().to_string()),
            (envelope.payload_type != statement::INTOTO_PAYLOAD_TYPE).then(|| envelope.pae()),
        ),
        SignatureContent::MessageSignature(_) => (None, None, None),
        _ => return Err("The bundle holds neither a DSSE envelope nor a message signature.".into()),
    };
    Ok(ParsedBundle {
        bundle,
        own_entries,
        material,
        chain_length,
        statement,
        dsse_key_id,
        signature_not_base64,
        signed_pae,
    })
}

/// Reads the bundle: as `sigstore-types` reads it when it can; otherwise
/// from a JSON tree, with its `dsse` 0.0.2 entries taken out (the core
/// verifies those itself) and signature fields that are not base64 replaced
/// by the base64 of their text. The first reader's error is the one reported.
fn read(json: &str) -> Result<(Bundle, Vec<OwnEntry>, bool), String> {
    let error = match Bundle::from_json(json) {
        Ok(bundle) => return Ok((bundle, Vec::new(), false)),
        Err(e) => e,
    };
    let refused = || {
        format!(
            "Not a Sigstore bundle this verifier supports: {}.",
            truncate(&error.to_string(), 300)
        )
    };
    // Read as strictly as the typed reader (a key given twice is refused).
    let mut doc = statement::strict_json(json.as_bytes()).map_err(|_| refused())?;
    let own = take_dsse_v002(&mut doc)?;
    let signature_not_base64 = signatures_as_text(&mut doc);
    if own.is_empty() && !signature_not_base64 {
        return Err(refused());
    }
    let bundle: Bundle = serde_json::from_value(doc).map_err(|_| refused())?;
    Ok((bundle, own, signature_not_base64))
}

/// Takes the `dsse` 0.0.2 entries out of a bundle's JSON tree, each read
/// into the log entry type with a stand-in kind (see [`OwnEntry::fields`]).
fn take_dsse_v002(doc: &mut Value) -> Result<Vec<OwnEntry>, String> {
    let Some(entries) = doc
        .pointer_mut("/verificationMaterial/tlogEntries")
        .and_then(Value::as_array_mut)
    else {
        return Ok(Vec::new());
    };
    if entries.len() > MAX_TLOG_ENTRIES {
        return Err(format!(
            "The bundle has {} log entries; at most {MAX_TLOG_ENTRIES} are accepted.",
            entries.len()
        ));
    }
    let is_dsse_v002 = |e: &Value| {
        e.pointer("/kindVersion/kind").and_then(Value::as_str) == Some("dsse")
            && e.pointer("/kindVersion/version").and_then(Value::as_str) == Some("0.0.2")
    };
    let mut own = Vec::new();
    let mut kept = Vec::new();
    for mut entry in std::mem::take(entries) {
        if !is_dsse_v002(&entry) {
            kept.push(entry);
            continue;
        }
        if let Some(kind_version) = entry.get_mut("kindVersion") {
            *kind_version = serde_json::json!({ "kind": "hashedrekord", "version": "0.0.2" });
        }
        let fields: TransparencyLogEntry = serde_json::from_value(entry).map_err(|e| {
            format!(
                "Not a Sigstore bundle this verifier supports: a dsse 0.0.2 log entry does not read: {}.",
                truncate(&e.to_string(), 200)
            )
        })?;
        own.push(OwnEntry {
            kind: OwnKind::DsseV002,
            fields,
        });
    }
    *entries = kept;
    Ok(own)
}

/// Takes out of a certificate-signed bundle the `hashedrekord` 0.0.2
/// entries whose verifier is a public key (`sigstore-verify` requires the
/// certificate there): the core checks that key is the certificate's.
fn take_hashedrekords_with_key(bundle: &mut Bundle) -> Vec<OwnEntry> {
    if matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    ) {
        return Vec::new();
    }
    let records_key = |e: &TransparencyLogEntry| {
        e.kind_version == KindVersion::HashedRekordV002
            && matches!(
                RekorEntryBody::parse(&e.canonicalized_body, e.kind_version),
                Ok(RekorEntryBody::HashedRekordV002(body))
                    if body.spec.hashed_rekord_v002.signature.verifier.public_key.is_some()
                        && body.spec.hashed_rekord_v002.signature.verifier.x509_certificate.is_none()
            )
    };
    let entries = &mut bundle.verification_material.tlog_entries;
    if entries.len() > MAX_TLOG_ENTRIES || !entries.iter().any(records_key) {
        return Vec::new();
    }
    let (own, kept): (Vec<_>, Vec<_>) = std::mem::take(entries).into_iter().partition(records_key);
    *entries = kept;
    own.into_iter()
        .map(|fields| OwnEntry {
            kind: OwnKind::HashedRekordWithKey,
            fields,
        })
        .collect()
}

/// Bounds what every later step will pay for, before it is paid.
fn check_limits(bundle: &Bundle, own: &[OwnEntry]) -> Result<(), String> {
    let material = &bundle.verification_material;
    let entries: Vec<&TransparencyLogEntry> = material
        .tlog_entries
        .iter()
        .chain(own.iter().map(|e| &e.fields))
        .collect();
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
    for entry in &entries {
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

/// Each log entry's kind must fit the content, and carry some evidence (a
/// Rekor v2 entry the core verifies, an inclusion proof); no entry may be
/// there twice.
fn check_entry_kinds(bundle: &Bundle, own: &[OwnEntry]) -> Result<(), String> {
    for entry in own {
        if entry.kind == OwnKind::DsseV002 && !matches!(bundle.content, SignatureContent::DsseEnvelope(_)) {
            return Err("The log entry kind dsse 0.0.2 does not fit this bundle's content.".into());
        }
        if entry.fields.inclusion_proof.is_none() {
            return Err(format!(
                "The {} {} log entry (Rekor v2) has no inclusion proof: Rekor v2 signs no entry timestamps, so nothing else shows it was logged.",
                entry.kind.kind(),
                entry.kind.version()
            ));
        }
    }
    let ids: Vec<(&[u8], u64)> = bundle
        .verification_material
        .tlog_entries
        .iter()
        .chain(own.iter().map(|e| &e.fields))
        .map(|e| (e.log_id.key_id.as_bytes(), e.log_index.get()))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        if ids.iter().skip(i + 1).any(|other| other == id) {
            return Err(format!(
                "The bundle carries the log entry at index {} of log {} twice: a copy is no further evidence, and a bundle whose entries are counted must not count one twice (sigstore-go and sigstore-js refuse this too).",
                id.1,
                truncate(&crate::package::hex(id.0), 16)
            ));
        }
    }
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
    let entries = parsed.entries().count();
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
/// well-formed checkpoint for v0.2 and v0.3, and some signed time. The
/// core's own Rekor v2 entries need an inclusion proof whose checkpoint
/// reads and covers the entry's index, and an RFC 3161 timestamp (Rekor v2
/// records no time).
pub fn check_log_evidence(parsed: &ParsedBundle) -> Result<(), LogEvidenceProblem> {
    use LogEvidenceProblem::{Entry, Proof};
    use sigstore_bundle::{Error as E, ValidationOptions, validate_bundle_with_options};
    let bundle = &parsed.bundle;
    if parsed.entries().next().is_none() {
        return Err(Entry(
            "The bundle has no transparency log entry: nothing shows that its signature was ever published.".into(),
        ));
    }
    for entry in &parsed.own_entries {
        let proof = entry
            .fields
            .inclusion_proof
            .as_ref()
            .ok_or_else(|| Proof("A Rekor v2 entry must carry an inclusion proof; this one has none.".into()))?;
        let checkpoint = proof
            .checkpoint
            .checkpoint()
            .ok_or_else(|| Proof("The inclusion proof has no signed checkpoint.".into()))?;
        if entry.fields.log_index.get() >= checkpoint.tree_size() {
            return Err(Proof(format!(
                "The log entry's index {} is not in the tree of size {} its checkpoint signs.",
                entry.fields.log_index.get(),
                checkpoint.tree_size()
            )));
        }
    }
    if let Some(first) = parsed.own_entries.first()
        && parsed.rfc3161_timestamps() == 0
    {
        return Err(Entry(format!(
            "The {} {} log entry is Rekor v2's, which records no time: the bundle needs an RFC 3161 timestamp, and has none.",
            first.kind.kind(),
            first.kind.version()
        )));
    }
    // With only entries the core verifies, sigstore-verify gets none: it
    // then requires no inclusion proof of its own (see `sigstore::verify`).
    let options = ValidationOptions::new()
        .with_require_inclusion_proof(!bundle.verification_material.tlog_entries.is_empty())
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

/// Replaces, in a bundle's JSON tree, signature fields that are not base64
/// by the base64 of their text; whether there was one.
fn signatures_as_text(doc: &mut Value) -> bool {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
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
    changed
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
