//! The Sigstore checks: the DSSE signature, then `sigstore-verify` for the
//! signed time, the certificate chain and its SCT, the log's inclusion
//! evidence and that the log entry describes this bundle.
//!
//! `sigstore-verify` runs those steps in the order of the Sigstore client
//! specification and returns the first failure as a typed error; each error
//! type belongs to the earliest step that can raise it (see [`check_of`]), so
//! a step is only ever shown as passed when it really ran and passed.

use std::borrow::Cow;

use sha2::Digest as _;

use sigstore_crypto::CertificateInfo;
use sigstore_types::bundle::MessageSignature;
use sigstore_types::{Artifact, ArtifactDigest, Bundle, DerPublicKey, HashAlgorithm, KindVersion, SignatureContent};
use sigstore_verify::{
    CertificateError, Error as SigstoreError, PublicKeyVerificationPolicy, TimestampError, TransparencyLogError,
    VerificationPolicy,
};

use crate::bundle::expectation::{ArtifactExpectation, DigestAlgorithm};
use crate::bundle::npm_policy::SubjectMatch;
use crate::bundle::own_entries::{self, Signer};
use crate::bundle::signing_key::SigningKey;
use crate::bundle::structure::ParsedBundle;
use crate::checks::CheckId;
use crate::package::{hex, truncate};
use crate::report::{CheckpointSignatureInfo, InclusionProofInfo, TimestampInfo, TlogEntryInfo};
use crate::time::format_rfc3339;
use crate::trust::TrustMaterial;

/// The DSSE signature over the PAE, with the certificate's key or the
/// selected key. Checked before anything reads the payload, so that a
/// payload altered after signing fails as what it is: a bad signature.
pub fn dsse_signature(parsed: &ParsedBundle, key: &SigningKey) -> Result<String, String> {
    let SignatureContent::DsseEnvelope(envelope) = &parsed.bundle.content else {
        return Err("The bundle holds no DSSE envelope.".into());
    };
    let whose = key.whose();
    let spki = match key.spki() {
        Some(spki) => DerPublicKey::new(spki.to_vec()),
        None => {
            let cert = parsed
                .bundle
                .signing_certificate()
                .ok_or("The bundle has no certificate.")?;
            sigstore_crypto::parse_certificate_info(cert)
                .map_err(|e| {
                    format!(
                        "The signing certificate cannot be read: {}.",
                        truncate(&e.to_string(), 200)
                    )
                })?
                .public_key
        }
    };
    let scheme = sigstore_crypto::KeyAlgorithm::from_spki(&spki)
        .map_err(|e| format!("The signing key cannot be used: {e}."))?
        .default_signing_scheme();
    if parsed.signature_not_base64 {
        return Err("The DSSE signature is not base64: it is not a signature.".into());
    }
    sigstore_crypto::verify_signature(&spki, &envelope.pae(), &envelope.signature.sig, scheme)
        .map(|_| format!("The DSSE signature over the payload type and payload (PAE) verifies with {whose}."))
        .map_err(|_| {
            format!(
                "The DSSE signature does not verify with {whose}: the payload or its type was changed after signing, or another key signed it."
            )
        })
}

/// The checks `sigstore-verify` makes, in its order. The subject (or the
/// message digest) was checked before it ran, and for DSSE envelopes the
/// signature too.
pub fn library_steps(keyless: bool, dsse: bool) -> &'static [CheckId] {
    use CheckId::*;
    match (keyless, dsse) {
        (true, true) => &[
            LogTimestamp,
            CertificateChain,
            CertificateSct,
            TransparencyLog,
            LogEntryMatch,
        ],
        (true, false) => &[
            LogTimestamp,
            CertificateChain,
            CertificateSct,
            TransparencyLog,
            Signature,
            LogEntryMatch,
        ],
        // With a key, the log's evidence is checked first, then the time it
        // signed (the integrated time, RFC 3161 timestamps).
        (false, true) => &[TransparencyLog, LogTimestamp, LogEntryMatch],
        (false, false) => &[TransparencyLog, LogTimestamp, Signature, LogEntryMatch],
    }
}

/// The artifact handed to `sigstore-verify`: for DSSE envelopes the subject
/// digest our subject check matched (or, when there was nothing to match,
/// the first subject's: the subject check was then skipped and the verdict
/// cannot be "verified"); for message signatures the artifact itself.
pub fn library_artifact<'a>(
    parsed: &'a ParsedBundle,
    expectation: &'a ArtifactExpectation,
    subject: Option<&SubjectMatch>,
) -> Result<Artifact<'a>, String> {
    let digest = |algorithm: DigestAlgorithm, bytes: Vec<u8>| {
        ArtifactDigest::new(algorithm.library(), bytes)
            .map(Artifact::Digest)
            .map_err(|e| format!("The digest is unusable: {e}."))
    };
    if let Some(pae) = &parsed.signed_pae {
        // Not a statement: the signature is over these bytes, and the
        // envelope is verified as a message signature over them (see [`verify`]).
        return Ok(Artifact::Blob(pae));
    }
    match &parsed.bundle.content {
        SignatureContent::DsseEnvelope(_) => {
            if let ArtifactExpectation::Blob(bytes) = expectation {
                return Ok(Artifact::Blob(bytes));
            }
            let m = subject.ok_or("The statement's subject has no usable digest.")?;
            let algorithm = if m.algorithm == "sha512" {
                DigestAlgorithm::Sha512
            } else {
                DigestAlgorithm::Sha256
            };
            digest(algorithm, m.digest.clone())
        }
        SignatureContent::MessageSignature(signature) => match expectation {
            ArtifactExpectation::Blob(bytes) => Ok(Artifact::Blob(bytes)),
            ArtifactExpectation::Digest { algorithm, bytes, .. } => digest(*algorithm, bytes.clone()),
            ArtifactExpectation::Integrity(integrity) => digest(
                DigestAlgorithm::Sha512,
                integrity.sha512.first().map(|d| d.to_vec()).unwrap_or_default(),
            ),
            ArtifactExpectation::Unknown => match &signature.message_digest {
                Some(d) => ArtifactDigest::new(d.algorithm, d.digest.as_bytes().to_vec())
                    .map(Artifact::Digest)
                    .map_err(|e| format!("The bundle's message digest is unusable: {e}.")),
                None => Err("The message signature has no digest and no artifact was supplied.".into()),
            },
        },
        _ => Err("Unsupported bundle content.".into()),
    }
}

/// What the Sigstore steps established: `sigstore-verify`'s result, or the
/// same facts when the core made the step the library leaves out.
#[derive(Debug)]
pub struct Verified {
    /// The signing certificate (keyless bundles).
    pub certificate: Option<CertificateInfo>,
    /// The earliest integrated time a Rekor v1 signed entry timestamp vouches for.
    pub integrated_time: Option<jiff::Timestamp>,
    /// Every signed time the certificate was checked at (or, with a key,
    /// that verified).
    pub verified_timestamps: Vec<jiff::Timestamp>,
    /// The RFC 3161 timestamps that verified, with their authority.
    pub timestamps: Vec<TimestampInfo>,
    /// RFC 3161 timestamps that did not verify and were not counted, each
    /// with why (see [`verify`]).
    pub skipped_timestamps: Vec<String>,
}

impl Verified {
    pub fn identity(&self) -> Option<&str> {
        self.certificate.as_ref()?.identity.as_ref().map(|i| i.as_str())
    }
}

/// Why the Sigstore steps failed.
#[derive(Debug)]
pub enum Failure {
    /// `sigstore-verify`'s error (see [`check_of`]).
    Library(SigstoreError),
    /// A step the core makes itself failed.
    Check(CheckId, String),
}

/// Runs `sigstore-verify` (keyless with any identity: the identity is
/// checked afterwards, against the caller's expectations; or with the key),
/// and the steps it leaves to the core:
///
/// - **RFC 3161 timestamps that do not verify are not counted** when
///   another signed time remains (a timestamp that verifies, or a Rekor v1
///   entry's signed integrated time), as sigstore-python and sigstore-go
///   count the timestamps that verify against a threshold of one; they are
///   left out of what the library sees and named in the report. A bundle
///   whose only signed times fail still fails.
/// - **Rekor v2 entries the library does not read** (`structure::OwnKind`)
///   are not handed to it; their inclusion and body are checked here
///   (`own_entries`), and with no other entry the library is told to
///   expect none.
/// - **A DSSE envelope whose payload is not an in-toto statement** (the
///   library binds envelopes to an artifact through the statement's
///   subject) is handed to it as what its signature is: a signature over
///   the PAE bytes. The library then makes every step but its last, where
///   it declines to compare a Rekor v1 `dsse` or `intoto` entry with a
///   message signature; that comparison is made here
///   (`own_entries::verify_v1_dsse_body`). That the library declined at
///   exactly that step, and nowhere else, is read from its exact words for
///   the first such entry, which it reaches only after every other step
///   passed: anything else is its failure, reported as such.
pub fn verify(
    parsed: &ParsedBundle,
    key: &SigningKey,
    artifact: Artifact<'_>,
    trust: &TrustMaterial,
) -> Result<Verified, Failure> {
    let mut bundle = Cow::Borrowed(&parsed.bundle);
    let (timestamps, skipped) = counted_timestamps(parsed, trust);
    if !skipped.is_empty() {
        let kept: Vec<_> = parsed
            .bundle
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps
            .iter()
            .zip(&timestamps)
            .filter(|(_, result)| result.is_ok())
            .map(|(ts, _)| ts.clone())
            .collect();
        bundle
            .to_mut()
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps = kept;
    }
    let signed_payload = parsed.is_signed_payload();
    if signed_payload && let SignatureContent::DsseEnvelope(envelope) = &parsed.bundle.content {
        let b = bundle.to_mut();
        b.content = SignatureContent::MessageSignature(MessageSignature::new(envelope.signature.sig.clone()));
        // Entries the library compares with a message signature first, so
        // that it checks them all before it declines the others.
        b.verification_material
            .tlog_entries
            .sort_by_key(|e| is_v1_dsse(e.kind_version));
    }
    let artifact_sha256 = match &artifact {
        Artifact::Blob(bytes) => Some(sha2::Sha256::digest(bytes).to_vec()),
        Artifact::Digest(d) if d.algorithm() == HashAlgorithm::Sha2256 => Some(d.as_bytes().to_vec()),
        _ => None,
    };
    let skip_tlog = bundle.verification_material.tlog_entries.is_empty();
    let verifier = trust.verifier();
    let outcome = match key.spki() {
        None => {
            let mut policy = VerificationPolicy::any_identity();
            if skip_tlog {
                // Only entries the core verifies itself (below).
                policy = policy.skip_tlog_unsafe();
            }
            verifier.verify(artifact, &bundle, &policy)
        }
        Some(spki) => {
            let mut policy = PublicKeyVerificationPolicy::new(DerPublicKey::new(spki.to_vec()));
            if skip_tlog {
                policy = policy.skip_tlog_unsafe();
            }
            verifier.verify(artifact, &bundle, &policy)
        }
    };
    let verified_timestamps: Vec<TimestampInfo> = timestamps.into_iter().filter_map(Result::ok).collect();
    let verified = match outcome {
        Ok(result) => Verified {
            certificate: result.certificate().cloned(),
            integrated_time: result.integrated_time(),
            verified_timestamps: result.verified_timestamps().to_vec(),
            timestamps: verified_timestamps,
            skipped_timestamps: skipped,
        },
        Err(e) if signed_payload && declined_last_step(&e, &bundle) => {
            let certificate = match parsed.bundle.signing_certificate() {
                Some(cert) => Some(sigstore_crypto::parse_certificate_info(cert).map_err(|e| {
                    Failure::Check(
                        CheckId::BundleFormat,
                        format!("The certificate cannot be read: {}.", truncate(&e.to_string(), 200)),
                    )
                })?),
                None => None,
            };
            let integrated: Vec<jiff::Timestamp> = bundle
                .verification_material
                .tlog_entries
                .iter()
                .filter(|e| e.kind_version != KindVersion::HashedRekordV002 && e.inclusion_promise.is_some())
                .filter_map(|e| e.integrated_time)
                .collect();
            let mut times: Vec<jiff::Timestamp> = verified_timestamps
                .iter()
                .filter_map(|t| jiff::Timestamp::from_second(t.time).ok())
                .collect();
            times.extend(integrated.iter().copied());
            Verified {
                certificate,
                integrated_time: integrated.iter().min().copied(),
                verified_timestamps: times,
                timestamps: verified_timestamps,
                skipped_timestamps: skipped,
            }
        }
        Err(e) => return Err(Failure::Library(e)),
    };
    own_steps(parsed, &bundle, key, &verified, trust, artifact_sha256.as_deref())?;
    Ok(verified)
}

/// A Rekor v1 entry of a DSSE envelope (`dsse` 0.0.1, `intoto` 0.0.2).
fn is_v1_dsse(kind: KindVersion) -> bool {
    matches!(kind, KindVersion::DsseV001 | KindVersion::IntotoV002)
}

/// Whether `sigstore-verify` stopped only at its last step, declining to
/// compare the first Rekor v1 DSSE entry with the message signature it was
/// handed: its exact words for that entry (sigstore-verify 0.15,
/// `verify_tlog_consistency_with_key`), which it reaches only after every
/// other step passed and the entries before it (sorted first) matched.
fn declined_last_step(error: &SigstoreError, bundle: &Bundle) -> bool {
    let Some(first) = bundle
        .verification_material
        .tlog_entries
        .iter()
        .find(|e| is_v1_dsse(e.kind_version))
    else {
        return false;
    };
    matches!(error, SigstoreError::UnsupportedBundle(words) if *words == format!(
        "Rekor entry {}/{} is incompatible with a message signature",
        first.kind_version.kind(),
        first.kind_version.version()
    ))
}

/// The steps the core makes itself, after the library's: the inclusion of
/// its own Rekor v2 entries (the transparency log check), then that each of
/// them, and each Rekor v1 DSSE entry the library declined, records this
/// bundle (the log entry check).
fn own_steps(
    parsed: &ParsedBundle,
    library_bundle: &Bundle,
    key: &SigningKey,
    verified: &Verified,
    trust: &TrustMaterial,
    artifact_sha256: Option<&[u8]>,
) -> Result<(), Failure> {
    let declined: Vec<_> = match &parsed.bundle.content {
        SignatureContent::DsseEnvelope(envelope) if parsed.is_signed_payload() => library_bundle
            .verification_material
            .tlog_entries
            .iter()
            .filter(|e| is_v1_dsse(e.kind_version))
            .map(|e| (e, envelope))
            .collect(),
        _ => Vec::new(),
    };
    if parsed.own_entries.is_empty() && declined.is_empty() {
        return Ok(());
    }
    for entry in &parsed.own_entries {
        own_entries::verify_inclusion(entry, trust).map_err(|e| Failure::Check(CheckId::TransparencyLog, e))?;
    }
    let public_key = match (key.spki(), &verified.certificate) {
        (Some(spki), _) => spki.to_vec(),
        (None, Some(info)) => info.public_key.as_bytes().to_vec(),
        (None, None) => {
            return Err(Failure::Check(
                CheckId::LogEntryMatch,
                "The signer's key is not known, so the log entry cannot be compared with it.".into(),
            ));
        }
    };
    let signer = Signer {
        certificate: parsed.bundle.signing_certificate().map(|c| c.as_bytes()),
        public_key: &public_key,
    };
    let mismatch = |e: String| {
        Failure::Check(
            CheckId::LogEntryMatch,
            format!("The log entry does not describe this bundle: {e}"),
        )
    };
    for entry in &parsed.own_entries {
        own_entries::verify_body(entry, &parsed.bundle, &signer, artifact_sha256).map_err(mismatch)?;
    }
    for (entry, envelope) in declined {
        own_entries::verify_v1_dsse_body(entry, envelope, &signer).map_err(mismatch)?;
    }
    Ok(())
}

/// The check a `sigstore-verify` error belongs to, by its type, with a
/// sentence. An error that several steps can raise goes to the earliest of
/// them; the structure check guarantees what makes an attribution exact
/// (log ids are 32 bytes, so a malformed entry is its body).
pub fn check_of(error: &SigstoreError, keyless: bool, signature_not_base64: bool) -> (CheckId, String) {
    use CheckId::*;
    let detail = truncate(&error.to_string(), 400);
    let (check, lead) = match error {
        SigstoreError::Timestamp(TimestampError::NoVerifiedTimestamp(_)) => {
            (LogTimestamp, "No signed time establishes when this was signed")
        }
        SigstoreError::Timestamp(TimestampError::OutsideAuthorityValidity { .. }) => (
            LogTimestamp,
            "The timestamp authority that signed the time was not trusted at that time",
        ),
        SigstoreError::Timestamp(_) => (LogTimestamp, "An RFC 3161 timestamp does not verify"),
        SigstoreError::TransparencyLog(e) => match e {
            // Keyless verification authenticates the signed entry timestamp
            // first, to establish the signing time.
            TransparencyLogError::InclusionPromise(_) | TransparencyLogError::UnknownLog { .. } if keyless => {
                (LogTimestamp, "The log's signed entry timestamp does not verify")
            }
            TransparencyLogError::InclusionPromise(_) | TransparencyLogError::UnknownLog { .. } => {
                (TransparencyLog, "The log's signed entry timestamp does not verify")
            }
            TransparencyLogError::IntegratedTime(_) => (LogTimestamp, "The log's integration time cannot be right"),
            TransparencyLogError::InclusionProof(_) | TransparencyLogError::Checkpoint(_) => (
                TransparencyLog,
                "The log's inclusion proof or checkpoint does not verify",
            ),
            TransparencyLogError::EntryMismatch(_) => (LogEntryMatch, "The log entry does not describe this bundle"),
            TransparencyLogError::MalformedEntry(_) => (LogEntryMatch, "The log entry cannot be read"),
            _ => (TransparencyLog, "The log evidence does not verify"),
        },
        SigstoreError::Certificate(e) => match e {
            CertificateError::Sct(_) => (
                CertificateSct,
                "The certificate's signed certificate timestamp does not verify",
            ),
            CertificateError::Malformed(_) => (BundleFormat, "The certificate cannot be read"),
            CertificateError::NoValidAuthority { .. } => (
                CertificateChain,
                "No certificate authority of the trusted root was valid at the signed time",
            ),
            CertificateError::NotYetValid { .. } => {
                (CertificateChain, "The certificate was not valid yet at the signed time")
            }
            CertificateError::Expired { .. } => (CertificateChain, "The certificate had expired at the signed time"),
            _ => (
                CertificateChain,
                "The certificate does not chain to a certificate authority of the trusted root at the signed time",
            ),
        },
        SigstoreError::SignatureInvalid(_) if signature_not_base64 => {
            (Signature, "The signature is not base64, so it is not a signature")
        }
        SigstoreError::SignatureInvalid(_) => (Signature, "The signature does not verify"),
        // The subject, or the message digest, was checked against the
        // artifact before the library ran: a mismatch it finds can only be
        // the log entry's record of another artifact or envelope.
        SigstoreError::ArtifactMismatch(_) => (LogEntryMatch, "The log entry records another artifact"),
        SigstoreError::UnsupportedArtifact(_) => (Subject, "The artifact cannot be compared"),
        SigstoreError::IdentityMismatch { .. } | SigstoreError::IssuerMismatch { .. } => {
            (ExpectedIdentity, "Not the expected signer")
        }
        _ => (BundleFormat, "The bundle cannot be verified"),
    };
    (check, format!("{lead}: {detail}."))
}

/// Why a chain the library calls invalid is invalid, when the reason is the
/// certificate's validity period: the library reports the chain builder's
/// error as text, and "does not chain" would send a reader looking for the
/// wrong fault. Compared with the log's integrated time, which the library
/// had already accepted as a verified time before it built the chain
/// (sigstore-verify's step 0); `None` when that time is inside the period
/// or absent (a Rekor v2 entry's time is its RFC 3161 timestamp's).
pub fn validity_failure(parsed: &ParsedBundle, error: &SigstoreError) -> Option<(CheckId, String)> {
    if !matches!(error, SigstoreError::Certificate(CertificateError::ChainInvalid(_))) {
        return None;
    }
    let cert = parsed.bundle.signing_certificate()?;
    let info = sigstore_crypto::parse_certificate_info(cert).ok()?;
    let at = parsed
        .bundle
        .verification_material
        .tlog_entries
        .first()?
        .integrated_time?
        .as_second();
    let (from, until) = (info.not_before.as_second(), info.not_after.as_second());
    let lead = if at < from {
        "The certificate was not valid yet at the signed time"
    } else if at > until {
        "The certificate had expired at the signed time"
    } else {
        return None;
    };
    Some((
        CheckId::CertificateChain,
        format!(
            "{lead}: the log integrated the entry at {}, the certificate is valid from {} to {}.",
            format_rfc3339(at),
            format_rfc3339(from),
            format_rfc3339(until)
        ),
    ))
}

/// What the log and the timestamp authorities proved, for the report.
pub struct Evidence {
    pub tlog: Option<TlogEntryInfo>,
    pub timestamps: Vec<TimestampInfo>,
}

/// Reads the bundle's log evidence for the report. Checkpoint signature lines
/// are checked against the trusted root's log keys (at most
/// `structure::MAX_CHECKPOINT_SIGNATURES` of them, as `sigstore-verify`
/// checks them; the crypto backend remembers its successes, so this costs no
/// second verification). Timestamps are attributed to the authority that
/// signed them only after `sigstore-verify` accepted them.
pub fn evidence(parsed: &ParsedBundle, trust: &TrustMaterial, result: Option<&Verified>) -> Evidence {
    let public_good = trust.is_public_good();
    let tlog = parsed.entries().next().map(|e| {
        let entry = e.fields;
        let log_index = entry.log_index.get();
        let rekor_v2 = e.rekor_v2;
        // Rekor v2 records no time; a field there is not the log's word.
        let integrated = entry.integrated_time.filter(|_| !rekor_v2).map(|t| t.as_second());
        TlogEntryInfo {
            log_index,
            log_id: hex(entry.log_id.key_id.as_bytes()),
            kind: e.kind.to_string(),
            kind_version: e.version.to_string(),
            rekor_v2,
            integrated_time: integrated,
            integrated_time_rfc3339: integrated.map(format_rfc3339),
            inclusion_promise: !rekor_v2 && entry.inclusion_promise.is_some(),
            inclusion_proof: entry.inclusion_proof.as_ref().map(|p| {
                let checkpoint = p.checkpoint.checkpoint();
                InclusionProofInfo {
                    log_index: p.log_index.get(),
                    tree_size: checkpoint.map_or(p.tree_size, |c| c.tree_size()),
                    root_hash: hex(p.root_hash.as_bytes()),
                    checkpoint_origin: checkpoint.map(|c| truncate(c.origin(), 200)),
                    checkpoint_signatures: checkpoint.map(|c| checkpoint_signatures(c, trust)).unwrap_or_default(),
                }
            }),
            // Rekor v2 shards are not searchable by a global index.
            ledger_url: (public_good && !rekor_v2).then(|| crate::links::ledger_url(log_index)),
        }
    });
    let timestamps = result.map(|r| r.timestamps.clone()).unwrap_or_default();
    Evidence { tlog, timestamps }
}

fn checkpoint_signatures(
    checkpoint: &sigstore_types::Checkpoint,
    trust: &TrustMaterial,
) -> Vec<CheckpointSignatureInfo> {
    let message = checkpoint.signed_data();
    checkpoint
        .signatures()
        .iter()
        .take(crate::bundle::structure::MAX_CHECKPOINT_SIGNATURES)
        .map(|line| {
            let hint = line.key_id.as_bytes();
            let logs: Vec<_> = trust
                .trusted_root()
                .tlogs
                .iter()
                .filter(|log| log.log_id.key_id.as_bytes().get(..4) == Some(&hint[..]))
                .collect();
            let verified = logs.iter().any(|log| {
                sigstore_crypto::VerificationKey::from_spki(&log.public_key.raw_bytes)
                    .is_ok_and(|key| key.verify(message, &line.signature).is_ok())
            });
            CheckpointSignatureInfo {
                name: truncate(&line.name, 200),
                key_hint: hex(hint),
                by_log_key: !logs.is_empty(),
                verified,
            }
        })
        .collect()
}

/// Each RFC 3161 timestamp verified against the trusted root's timestamp
/// authorities (those whose validity has begun, as `sigstore-verify` takes
/// them): the authority that signed it, or why none did. And the sentences
/// of those not to count: the ones that do not verify, when another signed
/// time remains (see [`verify`]).
fn counted_timestamps(
    parsed: &ParsedBundle,
    trust: &TrustMaterial,
) -> (Vec<Result<TimestampInfo, String>>, Vec<String>) {
    let tokens = &parsed
        .bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps;
    if tokens.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let signature = match &parsed.bundle.content {
        SignatureContent::DsseEnvelope(e) => e.signature.sig.clone(),
        SignatureContent::MessageSignature(m) => m.signature.clone(),
        _ => return (Vec::new(), Vec::new()),
    };
    let now = jiff::Timestamp::now();
    let authorities: Vec<_> = trust
        .trusted_root()
        .timestamp_authorities
        .iter()
        .filter(|tsa| tsa.valid_for.is_none_or(|period| period.has_started_by(now)))
        .filter_map(|tsa| {
            let (leaf, intermediates, anchor) = match tsa.cert_chain.certificates.as_slice() {
                [] => return None,
                [only] => (only, &[][..], only),
                [leaf, rest @ .., anchor] => (leaf, rest, anchor),
            };
            let authority = sigstore_types::TsaAuthority::new(
                leaf.raw_bytes.clone(),
                intermediates.iter().map(|c| c.raw_bytes.clone()).collect(),
                anchor.raw_bytes.clone(),
                tsa.valid_for,
            );
            let name = [tsa.subject.common_name.as_deref(), tsa.subject.organization.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let name = if name.is_empty() {
                tsa.uri.as_deref().unwrap_or("?").to_string()
            } else {
                name
            };
            Some((authority, truncate(&name, 200)))
        })
        .collect();
    let results: Vec<Result<TimestampInfo, String>> = tokens
        .iter()
        .map(|ts| {
            let mut why = "no timestamp authority of the trusted root".to_string();
            for (authority, name) in &authorities {
                match sigstore_verify::tsa::verify_timestamp_for_authority(&ts.signed_timestamp, &signature, authority)
                {
                    Ok(time) => {
                        let time = time.as_second();
                        return Ok(TimestampInfo {
                            authority: name.clone(),
                            time,
                            time_rfc3339: format_rfc3339(time),
                        });
                    }
                    Err(e) => why = truncate(&e.to_string(), 300),
                }
            }
            Err(why)
        })
        .collect();
    let verified = results.iter().any(Result::is_ok);
    // A Rekor v1 entry's integrated time, vouched for by its signed entry
    // timestamp (which the library verifies: if it does not, nothing passes).
    let integrated = parsed.bundle.verification_material.tlog_entries.iter().any(|e| {
        e.kind_version != KindVersion::HashedRekordV002 && e.inclusion_promise.is_some() && e.integrated_time.is_some()
    });
    let skipped = if verified || integrated {
        results
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.as_ref()
                    .err()
                    .map(|why| format!("timestamp {} of {}: {why}", i + 1, results.len()))
            })
            .collect()
    } else {
        Vec::new()
    };
    (results, skipped)
}

/// The sentence of a library step that passed.
pub fn passed(step: CheckId, parsed: &ParsedBundle, evidence: &Evidence, result: Option<&Verified>) -> String {
    let tlog = evidence.tlog.as_ref();
    match step {
        CheckId::LogTimestamp => {
            let mut parts = Vec::new();
            if let Some(t) = tlog.and_then(|t| t.integrated_time_rfc3339.as_deref()).filter(|_| {
                tlog.is_some_and(|t| t.inclusion_promise) && result.is_some_and(|r| r.integrated_time.is_some())
            }) {
                parts.push(format!(
                    "the log's signed entry timestamp verifies: the entry was integrated at {t}"
                ));
            }
            for ts in &evidence.timestamps {
                parts.push(format!(
                    "timestamp authority {} signed the time {}",
                    ts.authority, ts.time_rfc3339
                ));
            }
            let skipped = result.map(|r| r.skipped_timestamps.as_slice()).unwrap_or_default();
            if !skipped.is_empty() {
                parts.push(format!(
                    "{} RFC 3161 timestamp{} did not verify and {} not counted, as sigstore-python and sigstore-go count only the timestamps that verify ({})",
                    skipped.len(),
                    if skipped.len() == 1 { "" } else { "s" },
                    if skipped.len() == 1 { "was" } else { "were" },
                    skipped.join("; ")
                ));
            }
            if parts.is_empty() {
                return if parsed.is_keyless() {
                    "The signed time verifies.".into()
                } else {
                    "No signed time is needed for a key's signature; none failed.".into()
                };
            }
            let mut s = parts.join("; ");
            if let Some(first) = s.get(..1) {
                s = first.to_uppercase() + &s[1..];
            }
            s.push('.');
            s
        }
        CheckId::CertificateChain => format!(
            "The certificate{} chains to a certificate authority of the trusted root and was valid at the signed time.",
            result
                .and_then(Verified::identity)
                .map(|i| format!(" for {}", truncate(i, 200)))
                .unwrap_or_default()
        ),
        CheckId::CertificateSct => {
            "The certificate's signed certificate timestamp verifies with a CT log key of the trusted root.".into()
        }
        CheckId::TransparencyLog => match tlog.and_then(|t| t.inclusion_proof.as_ref()) {
            Some(proof) => {
                let lines = &proof.checkpoint_signatures;
                let log_lines = lines.iter().filter(|l| l.verified).count();
                let others = lines.iter().filter(|l| !l.by_log_key).count();
                format!(
                    "The inclusion proof verifies against a checkpoint{} of tree size {}, signed by the log ({} of {} signature line{} verified with the log's key{}){}.",
                    proof
                        .checkpoint_origin
                        .as_deref()
                        .map(|o| format!(" from {o}"))
                        .unwrap_or_default(),
                    proof.tree_size,
                    log_lines,
                    lines.len(),
                    if lines.len() == 1 { "" } else { "s" },
                    if others > 0 {
                        format!("; {others} from witnesses or other signers, not needed and not checked")
                    } else {
                        String::new()
                    },
                    if tlog.is_some_and(|t| t.inclusion_promise) {
                        ", and the inclusion promise verifies"
                    } else {
                        ""
                    }
                )
            }
            None => {
                "The inclusion promise (signed entry timestamp) verifies; the bundle predates inclusion proofs.".into()
            }
        },
        CheckId::Signature if parsed.is_dsse() => "The DSSE signature over the statement verifies.".into(),
        CheckId::Signature => "The signature over the artifact's digest verifies.".into(),
        CheckId::LogEntryMatch => format!(
            "The log entry ({}) records this bundle's {}.",
            tlog.map(|t| format!("{} {}", t.kind, t.kind_version))
                .unwrap_or_default(),
            if parsed.is_dsse() {
                "payload and signature"
            } else {
                "digest and signature"
            }
        ),
        other => format!("{} passed.", other.title()),
    }
}

impl DigestAlgorithm {
    pub fn library(self) -> HashAlgorithm {
        match self {
            DigestAlgorithm::Sha256 => HashAlgorithm::Sha2256,
            DigestAlgorithm::Sha512 => HashAlgorithm::Sha2512,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_to_the_earliest_step_that_raises_them() {
        let cases: Vec<(SigstoreError, bool, CheckId)> = vec![
            (SigstoreError::SignatureInvalid("x".into()), true, CheckId::Signature),
            (
                TransparencyLogError::InclusionPromise("x".into()).into(),
                true,
                CheckId::LogTimestamp,
            ),
            (
                TransparencyLogError::InclusionPromise("x".into()).into(),
                false,
                CheckId::TransparencyLog,
            ),
            (
                TransparencyLogError::MalformedEntry("x".into()).into(),
                true,
                CheckId::LogEntryMatch,
            ),
            (
                TransparencyLogError::IntegratedTime("x".into()).into(),
                true,
                CheckId::LogTimestamp,
            ),
            (
                TransparencyLogError::Checkpoint("x".into()).into(),
                true,
                CheckId::TransparencyLog,
            ),
            (
                TransparencyLogError::EntryMismatch("x".into()).into(),
                true,
                CheckId::LogEntryMatch,
            ),
            (
                CertificateError::ChainInvalid("x".into()).into(),
                true,
                CheckId::CertificateChain,
            ),
            (CertificateError::Sct("x".into()).into(), true, CheckId::CertificateSct),
            (
                CertificateError::Malformed("x".into()).into(),
                true,
                CheckId::BundleFormat,
            ),
            (
                TimestampError::NoVerifiedTimestamp("x".into()).into(),
                true,
                CheckId::LogTimestamp,
            ),
            (SigstoreError::InvalidBundle("x".into()), true, CheckId::BundleFormat),
            (
                SigstoreError::ArtifactMismatch("x".into()),
                false,
                CheckId::LogEntryMatch,
            ),
        ];
        for (error, keyless, want) in cases {
            assert_eq!(check_of(&error, keyless, false).0, want, "{error}");
        }
    }

    #[test]
    fn the_library_steps_of_every_kind_end_with_the_log_entry() {
        for (keyless, dsse) in [(true, true), (true, false), (false, true), (false, false)] {
            let steps = library_steps(keyless, dsse);
            let first = if keyless {
                CheckId::LogTimestamp
            } else {
                CheckId::TransparencyLog
            };
            assert_eq!(steps.first(), Some(&first));
            assert_eq!(steps.last(), Some(&CheckId::LogEntryMatch));
            assert_eq!(steps.contains(&CheckId::Signature), !dsse);
            assert!(!steps.contains(&CheckId::Subject), "the subject is checked before");
            assert_eq!(steps.contains(&CheckId::CertificateChain), keyless);
        }
    }
}
