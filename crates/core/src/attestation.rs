//! Verifying one bundle: structure, then the Sigstore verification proper
//! (delegated to `sigstore-verify`), then npm's policy on the signed statement.
//!
//! `sigstore-verify` runs the Sigstore spec's steps in order and returns the
//! first failure as a typed error. Its steps appear in the checklist in the
//! same order; an error is attributed to the earliest step that can raise it,
//! so a check is only ever shown as passed when it really ran and passed.

use serde_json::Value;
use sigstore_types::{Artifact, ArtifactDigest, DerPublicKey, HashAlgorithm, SignatureContent};
use sigstore_verify::{
    CertificateError, Error as SigstoreError, PublicKeyVerificationPolicy, TimestampError, TransparencyLogError,
    VerificationPolicy, VerificationResult,
};

use crate::bundle_checks::{
    LogEvidenceProblem, Material, ParsedBundle, check_npm_shape, kind_of_predicate, parse_bundle, read_statement,
    statement_predicate_type,
};
use crate::checks::{CheckId, CheckStatus, Checklist, all_passed, any_failed};
use crate::identity::{ExpectedIdentity, certificate_build, check_consistency, identity_from_certificate};
use crate::package::{hex, truncate};
use crate::predicate::{INTOTO_STATEMENT_V01, INTOTO_STATEMENT_V1, read_provenance};
use crate::registry_keys::{KeyUsage, RegistryKey};
use crate::report::{AttestationKind, AttestationReport, Identity, PackageRef, Verdict};
use crate::time::format_rfc3339;
use crate::trust::TrustMaterial;

/// What the statement's subject (or a message signature) must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactExpectation {
    /// Nothing to compare with: the subject check is skipped.
    Unknown,
    /// A digest, from the registry's `dist.integrity` or given by the caller.
    Digest {
        algorithm: DigestAlgorithm,
        bytes: Vec<u8>,
        source: String,
    },
    /// The artifact's bytes.
    Blob(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha256,
    Sha512,
}

impl DigestAlgorithm {
    fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }
    fn library(self) -> HashAlgorithm {
        match self {
            DigestAlgorithm::Sha256 => HashAlgorithm::Sha2256,
            DigestAlgorithm::Sha512 => HashAlgorithm::Sha2512,
        }
    }
}

/// How a bundle is judged.
#[derive(Debug, Clone)]
pub enum Role {
    /// An npm attestation: provenance (keyless) or publish (registry key),
    /// decided by the signed predicate type.
    Npm,
    /// A plain Sigstore bundle, keyless or verified with this key (if `None`,
    /// a keyed bundle's hint is looked up among the registry keys).
    Generic { key: Option<Vec<u8>> },
    /// npm rules when the statement is an npm attestation, generic otherwise.
    Auto,
}

/// Everything a bundle is verified against.
pub struct BundleContext<'a> {
    pub trust: &'a TrustMaterial,
    pub package: Option<&'a PackageRef>,
    pub artifact: &'a ArtifactExpectation,
    pub expected: &'a ExpectedIdentity,
}

/// Verifies one bundle. `outer_predicate_type` is the registry's unsigned
/// label for it, when it came in an attestations response.
pub fn verify_bundle(
    json: &str,
    outer_predicate_type: Option<&str>,
    role: &Role,
    ctx: &BundleContext<'_>,
) -> AttestationReport {
    let _scope = crate::crypto_backend::VerificationScope::begin();
    let parsed = parse_bundle(json).and_then(|p| {
        // Auto: npm attestations get npm's rules, including its stricter shape.
        let npm = match role {
            Role::Npm => true,
            Role::Auto => p.predicate_type().and_then(kind_of_predicate).is_some(),
            Role::Generic { .. } => false,
        };
        if npm {
            check_npm_shape(&p)?;
        }
        Ok((p, npm))
    });
    let (parsed, npm) = match parsed {
        Ok(p) => p,
        Err(detail) => {
            let kind = outer_predicate_type.and_then(kind_of_predicate).unwrap_or(match role {
                Role::Npm => AttestationKind::Provenance,
                _ => AttestationKind::Bundle,
            });
            let mut list = Checklist::new();
            list.fail(CheckId::BundleFormat, detail);
            return finish(kind, list, &plan(kind, true, true), None, None, None, false);
        }
    };
    let kind = if npm {
        match parsed.predicate_type().and_then(kind_of_predicate) {
            Some(kind) => kind,
            // The statement check names the unknown predicate type.
            None if parsed.material == Material::Certificate => AttestationKind::Provenance,
            None => AttestationKind::Publish,
        }
    } else {
        AttestationKind::Bundle
    };
    Verification {
        parsed: &parsed,
        kind,
        role,
        ctx,
        outer_predicate_type,
    }
    .run()
}

/// The checks that apply, in the order they run.
///
/// For DSSE envelopes the order answers three questions in turn: is this a
/// signature over this package (structure, signature, statement, subject)?
/// Is the signer trusted, at the time it signed (log time, certificate, log
/// entry, via sigstore-verify)? Is it the expected build (identity)? The
/// signature comes right after the structure, so that a payload altered after
/// signing fails as what it is, a bad signature, whatever else it broke.
/// A message signature covers the artifact's digest and follows
/// sigstore-verify's order throughout.
fn plan(kind: AttestationKind, keyless: bool, dsse: bool) -> Vec<CheckId> {
    use CheckId::*;
    match (kind, keyless, dsse) {
        (AttestationKind::Provenance, ..) => vec![
            BundleFormat,
            Signature,
            Statement,
            Subject,
            LogTimestamp,
            CertificateChain,
            CertificateSct,
            TransparencyLog,
            LogEntryMatch,
            IdentityConsistency,
            ExpectedIdentity,
        ],
        (AttestationKind::Publish, ..) => vec![
            BundleFormat,
            RegistryKey,
            Signature,
            Statement,
            Subject,
            PublishPredicate,
            TransparencyLog,
            LogEntryMatch,
            KeyValidity,
        ],
        (AttestationKind::Bundle, true, true) => vec![
            BundleFormat,
            Signature,
            Statement,
            Subject,
            LogTimestamp,
            CertificateChain,
            CertificateSct,
            TransparencyLog,
            LogEntryMatch,
            ExpectedIdentity,
        ],
        (AttestationKind::Bundle, true, false) => vec![
            BundleFormat,
            LogTimestamp,
            CertificateChain,
            CertificateSct,
            TransparencyLog,
            Subject,
            Signature,
            LogEntryMatch,
            ExpectedIdentity,
        ],
        (AttestationKind::Bundle, false, true) => {
            vec![
                BundleFormat,
                Signature,
                Statement,
                Subject,
                TransparencyLog,
                LogEntryMatch,
            ]
        }
        (AttestationKind::Bundle, false, false) => {
            vec![BundleFormat, TransparencyLog, Subject, Signature, LogEntryMatch]
        }
    }
}

/// The checks sigstore-verify's errors are attributed to, in its order. For
/// DSSE envelopes the signature was checked before it ran.
fn library_steps(keyless: bool, dsse: bool) -> &'static [CheckId] {
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
            Subject,
            Signature,
            LogEntryMatch,
        ],
        (false, true) => &[TransparencyLog, LogEntryMatch],
        (false, false) => &[TransparencyLog, Subject, Signature, LogEntryMatch],
    }
}

fn finish(
    kind: AttestationKind,
    list: Checklist,
    plan: &[CheckId],
    parsed: Option<&ParsedBundle>,
    identity: Option<Identity>,
    signing_key: Option<&RegistryKey>,
    public_good: bool,
) -> AttestationReport {
    let mut checks = list.into_checks();
    let failed = any_failed(&checks);
    for &id in plan {
        if !checks.iter().any(|c| c.id == id) {
            debug_assert!(failed, "{id:?} neither ran nor follows a failure");
            let mut l = Checklist::new();
            l.not_reached(id);
            checks.extend(l.into_checks());
        }
    }
    checks.sort_by_key(|c| plan.iter().position(|&id| id == c.id).unwrap_or(usize::MAX));
    let verdict = if any_failed(&checks) {
        Verdict::Failed
    } else if all_passed(&checks) {
        Verdict::Verified
    } else {
        Verdict::Incomplete
    };
    AttestationReport {
        kind,
        verdict,
        predicate_type: parsed.and_then(|p| p.predicate_type()).map(str::to_string),
        media_type: parsed.map(ParsedBundle::media_type),
        checks,
        identity,
        signing_key: signing_key.map(RegistryKey::info),
        tlog: parsed.and_then(|p| p.tlog_info(public_good)),
        statement: parsed.and_then(|p| p.statement.clone()),
    }
}

struct Verification<'a> {
    parsed: &'a ParsedBundle,
    kind: AttestationKind,
    role: &'a Role,
    ctx: &'a BundleContext<'a>,
    outer_predicate_type: Option<&'a str>,
}

/// The key a bundle is verified with.
struct SelectedKey {
    /// DER SPKI for keyed bundles; `None` for keyless ones.
    spki: Option<Vec<u8>>,
    registry: Option<RegistryKey>,
    /// The registry key check's sentence, when the plan has that check.
    sentence: Option<String>,
}

impl Verification<'_> {
    fn run(self) -> AttestationReport {
        let parsed = self.parsed;
        let keyless = parsed.material == Material::Certificate;
        let dsse = parsed.is_dsse();
        let plan = plan(self.kind, keyless, dsse);
        let public_good = self.ctx.trust.is_public_good();
        // Shown for bundles that do not verify: read only if needed.
        let unverified_identity = std::cell::OnceCell::new();
        let unverified = || {
            unverified_identity
                .get_or_init(|| self.certificate_identity(false))
                .clone()
        };
        let report = |list: Checklist, identity: Option<Identity>, key: Option<&RegistryKey>| {
            finish(self.kind, list, &plan, Some(parsed), identity, key, public_good)
        };
        let mut list = Checklist::new();

        // Structure, the key, the signature and the statement: what
        // sigstore-verify does not check itself, or checks later.
        list.run(CheckId::BundleFormat, || self.format_check(keyless));
        let mut key = None;
        if !list.has_failed() {
            match self.select_key(keyless) {
                Ok(k) => {
                    if let Some(sentence) = &k.sentence {
                        list.pass(CheckId::RegistryKey, sentence.clone());
                    }
                    key = Some(k);
                }
                Err(e) if plan.contains(&CheckId::RegistryKey) => list.fail(CheckId::RegistryKey, e),
                Err(e) => list.fail(CheckId::BundleFormat, e),
            }
        }
        let registry_key = key.as_ref().and_then(|k| k.registry.clone());
        if dsse {
            if let Some(k) = &key {
                list.run(CheckId::Signature, || self.dsse_signature_check(k.spki.as_deref()));
            }
            list.run(CheckId::Statement, || self.statement_check());
            if !list.has_failed() {
                self.subject_check(&mut list);
            }
            if !list.has_failed() && plan.contains(&CheckId::PublishPredicate) {
                self.publish_predicate_check(&mut list);
            }
        }
        let artifact = if list.has_failed() {
            None
        } else {
            Some(self.library_artifact())
        };
        let (key, artifact) = match (key, artifact) {
            (Some(key), Some(Ok(artifact))) => (key, artifact),
            (_, Some(Err(e))) => {
                list.fail(
                    if dsse {
                        CheckId::Statement
                    } else {
                        CheckId::BundleFormat
                    },
                    e,
                );
                return report(list, unverified(), registry_key.as_ref());
            }
            _ => return report(list, unverified(), registry_key.as_ref()),
        };

        // Sigstore verification proper, starting with the shape of its log
        // evidence (sigstore-verify checks that too, but says less).
        let steps = library_steps(keyless, dsse);
        if let Err(problem) = crate::bundle_checks::check_log_evidence(&parsed.bundle) {
            // Nothing of sigstore-verify's ran: its steps before this one are
            // shown as not reached.
            match problem {
                LogEvidenceProblem::Entry(e) => list.fail(steps[0], e),
                LogEvidenceProblem::Proof(e) => list.fail(CheckId::TransparencyLog, e),
            }
            return report(list, unverified(), registry_key.as_ref());
        }
        let verifier = self.ctx.trust.verifier();
        let outcome = match &key.spki {
            None => verifier.verify(artifact, &parsed.bundle, &VerificationPolicy::any_identity()),
            Some(spki) => verifier.verify(
                artifact,
                &parsed.bundle,
                &PublicKeyVerificationPolicy::new(DerPublicKey::new(spki.clone())),
            ),
        };
        match outcome
            .as_ref()
            .err()
            .map(|e| attribute_error(e, keyless, self.parsed.signature_not_base64))
        {
            None => {
                let result = outcome.as_ref().expect("no error");
                for &step in steps {
                    list.pass(step, self.success_sentence(step, result));
                }
            }
            Some((failed, sentence)) if steps.contains(&failed) => {
                for &step in steps.iter().take_while(|&&s| s != failed) {
                    // Steps before the failing one ran and passed.
                    list.pass(step, self.passed_without_result(step));
                }
                list.fail(failed, sentence);
            }
            // Something the checks above should have refused: fail closed
            // without claiming that any step of the library passed.
            Some((_, sentence)) => list.fail(steps[0], sentence),
        }
        let Ok(result) = outcome else {
            return report(list, unverified(), registry_key.as_ref());
        };

        // npm's policy on what was signed, and the caller's expectations.
        let identity = result.certificate().map(|c| identity_from_certificate(c, true));
        let last_library_step = *steps.last().expect("steps");
        for &id in plan.iter().skip_while(|&&id| id != last_library_step).skip(1) {
            if list.has_failed() {
                break;
            }
            match id {
                CheckId::KeyValidity => list.run(id, || key_validity(registry_key.as_ref(), &result)),
                CheckId::IdentityConsistency => list.run(id, || self.consistency_check(identity.as_ref())),
                CheckId::ExpectedIdentity => self.expected_identity_check(&mut list, identity.as_ref()),
                _ => {}
            }
        }
        report(list, identity.or_else(unverified), registry_key.as_ref())
    }

    /// The DSSE signature over the PAE, with the certificate's key or the
    /// selected registry key.
    fn dsse_signature_check(&self, spki: Option<&[u8]>) -> Result<String, String> {
        let SignatureContent::DsseEnvelope(envelope) = &self.parsed.bundle.content else {
            return Err("The bundle holds no DSSE envelope.".into());
        };
        let (key, whose) = match spki {
            Some(spki) => (DerPublicKey::new(spki.to_vec()), "the registry key"),
            None => {
                let cert = self
                    .parsed
                    .bundle
                    .signing_certificate()
                    .ok_or("The bundle has no certificate.")?;
                let info = sigstore_crypto::parse_certificate_info(cert).map_err(|e| {
                    format!(
                        "The signing certificate cannot be read: {}.",
                        truncate(&e.to_string(), 200)
                    )
                })?;
                (info.public_key, "the certificate's key")
            }
        };
        let scheme = sigstore_crypto::KeyAlgorithm::from_spki(&key)
            .map_err(|e| format!("The signing key cannot be used: {e}."))?
            .default_signing_scheme();
        if self.parsed.signature_not_base64 {
            return Err("The DSSE signature is not base64: it is not a signature.".into());
        }
        sigstore_crypto::verify_signature(&key, &envelope.pae(), &envelope.signature.sig, scheme)
            .map(|_| format!("The DSSE signature over the payload type and payload (PAE) verifies with {whose}."))
            .map_err(|_| {
                format!("The DSSE signature does not verify with {whose}: the payload or its type was changed after signing, or another key signed it.")
            })
    }

    fn statement(&self) -> &Value {
        static NULL: Value = Value::Null;
        self.parsed.statement.as_ref().unwrap_or(&NULL)
    }

    fn format_check(&self, keyless: bool) -> Result<String, String> {
        let p = self.parsed;
        if self.kind == AttestationKind::Provenance && !keyless {
            return Err(
                "A provenance attestation must be signed keylessly with a Fulcio certificate; this one names a key."
                    .into(),
            );
        }
        if keyless && let Some(id) = p.dsse_key_id.as_deref().filter(|id| !id.is_empty()) {
            return Err(format!(
                "A keyless signature names no key id, but this DSSE signature names {:?}.",
                truncate(id, 100)
            ));
        }
        Ok(p.describe())
    }

    /// The key that verifies the bundle: none for keyless bundles, the role's
    /// key, or the registry key the bundle names.
    fn select_key(&self, keyless: bool) -> Result<SelectedKey, String> {
        if keyless {
            if self.kind == AttestationKind::Publish {
                let who = self
                    .certificate_identity(false)
                    .and_then(|i| i.subject_alternative_name)
                    .unwrap_or_else(|| "an unknown identity".into());
                return Err(format!(
                    "npm publish attestations are signed by the registry's key; this one carries a certificate for {}.",
                    truncate(&who, 200)
                ));
            }
            return Ok(SelectedKey {
                spki: None,
                registry: None,
                sentence: None,
            });
        }
        if let Role::Generic { key: Some(key) } = self.role {
            return Ok(SelectedKey {
                spki: Some(key.clone()),
                registry: None,
                sentence: None,
            });
        }
        let Material::PublicKey { hint } = &self.parsed.material else {
            return Err("The bundle has no key hint.".into());
        };
        let key = self.registry_key(hint)?;
        let sentence = (self.kind == AttestationKind::Publish).then(|| {
            format!(
                "Signed with npm registry key {} ({}), named by both the signature and the bundle's key hint.",
                key.key_id,
                match key.source {
                    crate::report::KeySource::Pinned => "pinned",
                    crate::report::KeySource::Supplied => "from the supplied keys document",
                }
            )
        });
        Ok(SelectedKey {
            spki: Some(key.spki.clone()),
            registry: Some(key),
            sentence,
        })
    }

    fn registry_key(&self, hint: &str) -> Result<RegistryKey, String> {
        let key_id = self.parsed.dsse_key_id.as_deref().unwrap_or_default();
        if key_id.is_empty() {
            return Err("The signature names no key id, so no registry key can be chosen for it.".into());
        }
        if key_id != hint {
            return Err(format!(
                "The signature's key id {:?} differs from the bundle's key hint {:?}.",
                truncate(key_id, 100),
                truncate(hint, 100)
            ));
        }
        self.ctx
            .trust
            .registry_keys()
            .find(key_id, KeyUsage::Attestations)
            .cloned()
            .ok_or_else(|| format!("No known npm registry key has the id {:?}.", truncate(key_id, 100)))
    }

    /// The certificate's identity without verifying it (shown for failed bundles).
    fn certificate_identity(&self, verified: bool) -> Option<Identity> {
        let cert = self.parsed.bundle.signing_certificate()?;
        let info = sigstore_crypto::parse_certificate_info(cert).ok()?;
        Some(identity_from_certificate(&info, verified))
    }

    /// The artifact handed to sigstore-verify. For DSSE envelopes, the
    /// statement's own subject digest: the subject is judged by our stricter
    /// subject check afterwards. For message signatures, the artifact itself.
    fn library_artifact(&self) -> Result<Artifact<'_>, String> {
        match &self.parsed.bundle.content {
            SignatureContent::DsseEnvelope(_) => {
                let subject = &self.statement()["subject"][0]["digest"];
                for algorithm in [DigestAlgorithm::Sha512, DigestAlgorithm::Sha256] {
                    if let Some(hex_digest) = subject.get(algorithm.name()).and_then(Value::as_str) {
                        let bytes = decode_hex(hex_digest).ok_or("The first subject's digest is not hex.")?;
                        return ArtifactDigest::new(algorithm.library(), bytes)
                            .map(Artifact::Digest)
                            .map_err(|e| format!("The first subject's digest is unusable: {e}."));
                    }
                }
                Err("The first subject has no sha256 or sha512 digest.".into())
            }
            SignatureContent::MessageSignature(signature) => match self.ctx.artifact {
                ArtifactExpectation::Blob(bytes) => Ok(Artifact::Blob(bytes)),
                ArtifactExpectation::Digest { algorithm, bytes, .. } => {
                    ArtifactDigest::new(algorithm.library(), bytes.clone())
                        .map(Artifact::Digest)
                        .map_err(|e| format!("The artifact digest is unusable: {e}."))
                }
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

    fn success_sentence(&self, step: CheckId, result: &VerificationResult) -> String {
        let time = result
            .integrated_time()
            .or_else(|| result.verified_timestamps().first().copied())
            .map(|t| format_rfc3339(t.as_second()));
        let at = time.as_deref().map(|t| format!(" at {t}")).unwrap_or_default();
        match step {
            CheckId::LogTimestamp => {
                format!("The log's signed entry timestamp verifies: the entry was integrated{at}.")
            }
            CheckId::CertificateChain => format!(
                "The certificate{} chains to a trusted Fulcio root and was valid{at}.",
                result
                    .identity()
                    .map(|i| format!(" for {}", truncate(i.as_str(), 200)))
                    .unwrap_or_default()
            ),
            _ => self.passed_without_result(step),
        }
    }

    /// The sentence for a library step that passed.
    fn passed_without_result(&self, step: CheckId) -> String {
        let entry = self.parsed.bundle.verification_material.tlog_entries.first();
        match step {
            CheckId::LogTimestamp => "The log's signed entry timestamp verifies.".into(),
            CheckId::CertificateChain => {
                "The certificate chains to a trusted Fulcio root and was valid at the log time.".into()
            }
            CheckId::CertificateSct => {
                "The certificate's signed certificate timestamp verifies with a trusted CT log key.".into()
            }
            CheckId::TransparencyLog => match entry.and_then(|e| e.inclusion_proof.as_ref()) {
                Some(proof) => format!(
                    "The inclusion proof verifies against a checkpoint signed by the log (tree size {}){}.",
                    proof.tree_size,
                    if entry.is_some_and(|e| e.inclusion_promise.is_some()) {
                        ", and so does the inclusion promise"
                    } else {
                        ""
                    }
                ),
                None => {
                    "The inclusion promise (signed entry timestamp) verifies; the bundle predates inclusion proofs."
                        .into()
                }
            },
            CheckId::Signature if self.parsed.is_dsse() => format!(
                "The DSSE signature over the statement verifies with the {}.",
                if self.parsed.material == Material::Certificate {
                    "certificate's key"
                } else {
                    "registry key"
                }
            ),
            CheckId::Signature => "The signature over the artifact digest verifies.".into(),
            CheckId::LogEntryMatch => format!(
                "The log entry ({}) records this bundle's {}.",
                entry
                    .map(|e| format!("{} {}", e.kind_version.kind(), e.kind_version.version()))
                    .unwrap_or_default(),
                if self.parsed.is_dsse() {
                    "payload hash and signature"
                } else {
                    "digest and signature"
                }
            ),
            CheckId::Subject => match self.ctx.artifact {
                ArtifactExpectation::Unknown => "The signature covers the digest the bundle states.".into(),
                _ => "The signed digest is the supplied artifact's.".into(),
            },
            other => format!("{} passed.", other.title()),
        }
    }

    fn statement_check(&self) -> Result<String, String> {
        read_statement(&self.parsed.bundle)?;
        if self.kind == AttestationKind::Bundle {
            return Ok("The payload is an in-toto statement with subject digests.".into());
        }
        let st = self.statement();
        let type_ = st.get("_type").and_then(Value::as_str).unwrap_or_default();
        if type_ != INTOTO_STATEMENT_V01 && type_ != INTOTO_STATEMENT_V1 {
            return Err(format!(
                "The statement's _type {:?} is not an in-toto statement type.",
                truncate(type_, 100)
            ));
        }
        let signed = statement_predicate_type(st).unwrap_or_default();
        if kind_of_predicate(signed) != Some(self.kind) {
            return Err(format!(
                "The signed predicate type {:?} is not one of {}.",
                truncate(signed, 200),
                match self.kind {
                    AttestationKind::Publish => "npm's publish attestation types",
                    _ => "the SLSA provenance types npm uses (v0.2, v1)",
                }
            ));
        }
        if let Some(outer) = self.outer_predicate_type
            && outer != signed
        {
            return Err(format!(
                "The registry labels this attestation {:?}, but the signed statement says {:?}.",
                truncate(outer, 200),
                truncate(signed, 200)
            ));
        }
        Ok(format!("An in-toto statement with the signed predicate type {signed}."))
    }

    fn subject_check(&self, list: &mut Checklist) {
        let st = self.statement();
        let subjects = st
            .get("subject")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let npm = self.kind != AttestationKind::Bundle;
        if npm && subjects.len() != 1 {
            list.fail(
                CheckId::Subject,
                format!(
                    "An npm attestation has exactly one subject; this statement has {}.",
                    subjects.len()
                ),
            );
            return;
        }
        let subject = &subjects[0];
        let name = subject.get("name").and_then(Value::as_str).unwrap_or_default();
        let mut established = Vec::new();
        if npm {
            match self.ctx.package {
                Some(pkg) if name == pkg.purl => established.push(format!("named {name}")),
                Some(pkg) => {
                    list.fail(
                        CheckId::Subject,
                        format!(
                            "The subject is {:?}, not this package's {}.",
                            truncate(name, 200),
                            pkg.purl
                        ),
                    );
                    return;
                }
                None => {}
            }
        }
        match self.ctx.artifact {
            ArtifactExpectation::Unknown => {
                let mut why =
                    String::from("No integrity or artifact was supplied to compare the subject's digest with");
                if npm && self.ctx.package.is_none() {
                    why.push_str(", nor a package name and version for its name");
                }
                list.skip_required(CheckId::Subject, format!("{why} (subject: {}).", truncate(name, 200)));
            }
            expectation => {
                let candidates: Vec<&Value> = if npm { vec![subject] } else { subjects.iter().collect() };
                let (algorithm, expected, source) = match expectation {
                    ArtifactExpectation::Digest {
                        algorithm,
                        bytes,
                        source,
                    } => (*algorithm, bytes.clone(), source.clone()),
                    ArtifactExpectation::Blob(bytes) => {
                        use sha2::Digest;
                        let sha512 = sha2::Sha512::digest(bytes).to_vec();
                        let sha256 = sha2::Sha256::digest(bytes).to_vec();
                        // A subject may state either; match what it states.
                        let has512 = candidates.iter().any(|s| s["digest"].get("sha512").is_some());
                        if has512 {
                            (DigestAlgorithm::Sha512, sha512, "the artifact".into())
                        } else {
                            (DigestAlgorithm::Sha256, sha256, "the artifact".into())
                        }
                    }
                    ArtifactExpectation::Unknown => unreachable!(),
                };
                let want = hex(&expected);
                let found = candidates.iter().any(|s| {
                    s["digest"]
                        .get(algorithm.name())
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.eq_ignore_ascii_case(&want))
                });
                if found {
                    established.push(format!("with the {} of {source}", algorithm.name()));
                    list.pass(CheckId::Subject, format!("The subject is {}.", established.join(" ")));
                } else {
                    let stated = subject["digest"]
                        .get(algorithm.name())
                        .and_then(Value::as_str)
                        .unwrap_or("no such digest");
                    list.fail(
                        CheckId::Subject,
                        format!(
                            "The signed subject's {} ({}) is not the {} of {source} ({}).",
                            algorithm.name(),
                            truncate(stated, 24),
                            algorithm.name(),
                            truncate(&want, 24)
                        ),
                    );
                }
            }
        }
    }

    fn publish_predicate_check(&self, list: &mut Checklist) {
        let predicate = &self.statement()["predicate"];
        let name = predicate.get("name").and_then(Value::as_str).unwrap_or_default();
        let version = predicate.get("version").and_then(Value::as_str).unwrap_or_default();
        match self.ctx.package {
            None => list.skip_required(
                CheckId::PublishPredicate,
                format!(
                    "No package was named to compare the predicate's {}@{} with.",
                    truncate(name, 100),
                    truncate(version, 50)
                ),
            ),
            Some(pkg) if pkg.name == name && pkg.version == version => list.pass(
                CheckId::PublishPredicate,
                format!("The registry attests the publication of {name}@{version}."),
            ),
            Some(pkg) => list.fail(
                CheckId::PublishPredicate,
                format!(
                    "The publish predicate names {}@{}, not {}@{}.",
                    truncate(name, 100),
                    truncate(version, 50),
                    pkg.name,
                    pkg.version
                ),
            ),
        }
    }

    fn consistency_check(&self, identity: Option<&Identity>) -> Result<String, String> {
        let identity = identity.ok_or("The verified certificate could not be read.")?;
        let st = self.statement();
        let predicate = read_provenance(statement_predicate_type(st).unwrap_or_default(), &st["predicate"]);
        check_consistency(&certificate_build(identity), &predicate)
    }

    fn expected_identity_check(&self, list: &mut Checklist, identity: Option<&Identity>) {
        if self.ctx.expected.is_empty() {
            list.skip_optional(CheckId::ExpectedIdentity, "No expected identity was given.");
            return;
        }
        match identity {
            Some(id) => list.run(CheckId::ExpectedIdentity, || {
                self.ctx.expected.check(id, &certificate_build(id))
            }),
            None => list.fail(
                CheckId::ExpectedIdentity,
                "The bundle has no certificate identity to compare.",
            ),
        }
    }
}

fn key_validity(key: Option<&RegistryKey>, result: &VerificationResult) -> Result<String, String> {
    let key = key.ok_or("No registry key was selected.")?;
    let time = result
        .integrated_time()
        .ok_or("The log gives no verified integration time to check the key's validity at.")?
        .as_second();
    if key.valid_at(time) {
        Ok(format!(
            "Key {} was valid at {} (valid {}).",
            key.key_id,
            format_rfc3339(time),
            key.window_text()
        ))
    } else {
        Err(format!(
            "Key {} was not valid at {}: it is valid {}.",
            key.key_id,
            format_rfc3339(time),
            key.window_text()
        ))
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 256 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The check a sigstore-verify error belongs to, with a sentence. Errors that
/// several steps can raise go to the earliest of them.
fn attribute_error(error: &SigstoreError, keyless: bool, signature_not_base64: bool) -> (CheckId, String) {
    use CheckId::*;
    let detail = truncate(&error.to_string(), 400);
    let timestamp_step = if keyless { LogTimestamp } else { TransparencyLog };
    let (check, lead) = match error {
        SigstoreError::Certificate(CertificateError::Sct(_)) => (
            CertificateSct,
            "The certificate's signed certificate timestamp does not verify",
        ),
        SigstoreError::Certificate(CertificateError::Malformed(_)) => (BundleFormat, "The certificate cannot be read"),
        SigstoreError::Certificate(CertificateError::ChainInvalid(m)) if m.contains("UnknownIssuer") => (
            CertificateChain,
            "The certificate was not issued by a Fulcio CA of the trusted root",
        ),
        SigstoreError::Certificate(CertificateError::ChainInvalid(m)) if m.contains("CertExpired") => (
            CertificateChain,
            "The certificate had expired when the log integrated the entry",
        ),
        SigstoreError::Certificate(CertificateError::ChainInvalid(m)) if m.contains("CertNotValidYet") => (
            CertificateChain,
            "The certificate was not valid yet when the log integrated the entry",
        ),
        SigstoreError::Certificate(_) => (CertificateChain, "The certificate is not trusted at the log time"),
        SigstoreError::TransparencyLog(e) => match e {
            TransparencyLogError::InclusionProof(_) | TransparencyLogError::Checkpoint(_) => (
                TransparencyLog,
                "The log's inclusion proof or checkpoint does not verify",
            ),
            TransparencyLogError::EntryMismatch(_) => (LogEntryMatch, "The log entry does not describe this bundle"),
            TransparencyLogError::MalformedEntry(m) if !m.contains("log ID") => {
                (LogEntryMatch, "The log entry cannot be read")
            }
            TransparencyLogError::IntegratedTime(m) if !m.contains("future") => (
                TransparencyLog,
                "The log's integration time is outside the certificate's validity",
            ),
            _ => (timestamp_step, "The log's signed entry timestamp does not verify"),
        },
        SigstoreError::Timestamp(TimestampError::NoVerifiedTimestamp(_)) => {
            (timestamp_step, "No signed time establishes when this was signed")
        }
        SigstoreError::Timestamp(TimestampError::Unsupported) => (
            timestamp_step,
            "The bundle carries an RFC 3161 timestamp, which this build does not check (the command line `npm-provenance verify` does)",
        ),
        SigstoreError::Timestamp(_) => (timestamp_step, "A timestamp does not verify"),
        SigstoreError::SignatureInvalid(_) if signature_not_base64 => {
            (Signature, "The signature is not base64, so it is not a signature")
        }
        SigstoreError::SignatureInvalid(_) => (Signature, "The signature does not verify"),
        SigstoreError::ArtifactMismatch(_) | SigstoreError::UnsupportedArtifact(_) => {
            (Subject, "The signature does not cover the artifact")
        }
        SigstoreError::IdentityMismatch { .. } | SigstoreError::IssuerMismatch { .. } => {
            (ExpectedIdentity, "Not the expected signer")
        }
        _ => (BundleFormat, "The bundle cannot be verified"),
    };
    (check, format!("{lead}: {detail}."))
}

/// Whether an attestation's checks say it was verified.
pub fn attestation_verified(report: &AttestationReport) -> bool {
    report.verdict == Verdict::Verified && report.checks.iter().all(|c| c.status != CheckStatus::Failed)
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
                TransparencyLogError::MalformedEntry("invalid Rekor log ID".into()).into(),
                true,
                CheckId::LogTimestamp,
            ),
            (
                TransparencyLogError::MalformedEntry("failed to parse Rekor body".into()).into(),
                true,
                CheckId::LogEntryMatch,
            ),
            (
                TransparencyLogError::IntegratedTime("in the future".into()).into(),
                true,
                CheckId::LogTimestamp,
            ),
            (
                TransparencyLogError::IntegratedTime("before not_before".into()).into(),
                true,
                CheckId::TransparencyLog,
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
            (SigstoreError::InvalidBundle("x".into()), true, CheckId::BundleFormat),
            (SigstoreError::ArtifactMismatch("x".into()), false, CheckId::Subject),
        ];
        for (error, keyless, want) in cases {
            assert_eq!(attribute_error(&error, keyless, false).0, want, "{error}");
        }
    }

    #[test]
    fn every_plan_lists_the_library_steps_in_the_library_order() {
        for (kind, keyless, dsse) in [
            (AttestationKind::Provenance, true, true),
            (AttestationKind::Publish, false, true),
            (AttestationKind::Bundle, true, true),
            (AttestationKind::Bundle, true, false),
            (AttestationKind::Bundle, false, true),
            (AttestationKind::Bundle, false, false),
        ] {
            let p = plan(kind, keyless, dsse);
            let steps = library_steps(keyless, dsse);
            let in_plan: Vec<_> = p.iter().copied().filter(|id| steps.contains(id)).collect();
            assert_eq!(in_plan, steps, "{kind:?} {keyless} {dsse}");
            // and they are contiguous: nothing of ours runs between them
            let first = p.iter().position(|id| *id == steps[0]).unwrap();
            assert_eq!(&p[first..first + steps.len()], steps, "{kind:?} {keyless} {dsse}");
        }
    }

    #[test]
    fn hex_decoding() {
        assert_eq!(decode_hex("00ff"), Some(vec![0, 255]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("é0"), None);
    }
}
