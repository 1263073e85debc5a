//! Verifying one bundle, in the order of the Sigstore client specification
//! and npm's rules on top of it ([`verify_bundle`] reads top to bottom):
//!
//! 1. **Structure** ([`structure`]): what the bundle is, and limits on what
//!    it may cost, before any cryptography.
//! 2. **Signing key** ([`signing_key`]): the certificate, or the one registry
//!    key both the signature and the bundle name.
//! 3. **Signature** over the DSSE PAE ([`sigstore::dsse_signature`]), before
//!    anything reads the payload.
//! 4. **Signed statement** ([`statement`], read once) and npm's policy on it
//!    ([`npm_policy`]): its type, its subject, the publish predicate.
//! 5. **Sigstore** ([`sigstore`], by `sigstore-verify`): the signed time, the
//!    certificate chain at that time, its SCT, the log's inclusion evidence,
//!    and that the log entry describes this bundle.
//! 6. **The signer**: the certificate agrees with the provenance predicate,
//!    is who the caller expects; a registry key was valid when it signed.
//!
//! Checks run until one fails; those after it are recorded as not reached.

pub mod expectation;
pub mod npm_policy;
pub mod own_entries;
pub mod signing_key;
pub mod sigstore;
pub mod statement;
pub mod structure;

use crate::checks::{CheckId, Checklist, Outcome};
use crate::identity::{certificate_build, identity_from_certificate};
use crate::report::{AttestationKind, AttestationReport, Identity};
pub use expectation::{ArtifactExpectation, Context, DigestAlgorithm, Role};
use signing_key::SigningKey;
use sigstore_types::SignatureContent;
use structure::ParsedBundle;

/// A bundle read once: the browser's pre-verification and the verifier use
/// the same reading.
#[derive(Debug)]
pub struct PreparedBundle {
    /// The registry's unsigned label (`predicateType` beside the bundle).
    pub label: Option<String>,
    pub parsed: Result<ParsedBundle, String>,
}

impl PreparedBundle {
    pub fn parse(json: &str, label: Option<String>) -> Self {
        Self {
            label,
            parsed: structure::parse(json),
        }
    }
}

/// What a bundle is to be judged as.
fn kind_of(prepared: &PreparedBundle, role: &Role) -> AttestationKind {
    use npm_policy::kind_of_predicate;
    let parsed = prepared.parsed.as_ref().ok();
    let signed = parsed
        .and_then(ParsedBundle::predicate_type)
        .and_then(kind_of_predicate);
    match role {
        Role::Generic { .. } => AttestationKind::Bundle,
        Role::Auto => signed.unwrap_or(AttestationKind::Bundle),
        // A statement of another type is judged (and rejected) as the kind
        // its material makes it: keyless is provenance, keyed is publish.
        Role::Npm => signed
            .or_else(|| prepared.label.as_deref().and_then(kind_of_predicate))
            .unwrap_or(match parsed {
                Some(p) if !p.is_keyless() => AttestationKind::Publish,
                _ => AttestationKind::Provenance,
            }),
    }
}

/// Verifies one bundle.
pub fn verify_bundle(prepared: &PreparedBundle, role: &Role, ctx: &Context<'_>) -> AttestationReport {
    let _scope = crate::crypto_backend::VerificationScope::begin();
    let kind = kind_of(prepared, role);
    let mut list = Checklist::new();
    let label = prepared.label.as_deref();

    // 1. Structure, and 2. the signing key (a check of its own for publish
    //    attestations, part of the format otherwise).
    let parsed = match &prepared.parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            list.fail(CheckId::BundleFormat, e.clone());
            return AttestationReport::new(kind, crate::verdict::of_attestation(&list), list.into_checks());
        }
    };
    let mut key = None;
    list.check(CheckId::BundleFormat, || {
        format_check(parsed, kind)?;
        if kind != AttestationKind::Publish {
            key = Some(signing_key::select(parsed, kind, role, ctx.trust.registry_keys())?.0);
        }
        Ok(parsed.describe())
    });
    if kind == AttestationKind::Publish {
        list.check(CheckId::RegistryKey, || {
            let (selected, sentence) = signing_key::select(parsed, kind, role, ctx.trust.registry_keys())?;
            key = Some(selected);
            Ok(sentence.unwrap_or_default())
        });
    }

    // 3. The signature over the envelope, then 4. what it signed.
    let mut subject = None;
    if parsed.is_dsse() {
        list.check(CheckId::Signature, || sigstore::dsse_signature(parsed, needed(&key)?));
        let signed_payload = match &parsed.bundle.content {
            SignatureContent::DsseEnvelope(e) if kind == AttestationKind::Bundle && parsed.is_signed_payload() => {
                Some(e)
            }
            _ => None,
        };
        if let Some(envelope) = signed_payload {
            // Not an attestation: signed bytes, which a plain Sigstore
            // verification verifies as such (npm's attestations are in-toto,
            // and npm's rules refuse anything else).
            list.check(CheckId::Statement, || {
                Ok(npm_policy::signed_payload(
                    &envelope.payload_type,
                    envelope.payload.as_bytes(),
                ))
            });
            list.record(CheckId::Subject, || {
                npm_policy::payload_subject(envelope.payload.as_bytes(), ctx.artifact)
            });
        } else {
            let read = parsed
                .statement
                .as_ref()
                .cloned()
                .unwrap_or_else(|| Err("The bundle holds no statement.".into()));
            list.check(CheckId::Statement, || npm_policy::statement(&read, kind, label));
            let statement = parsed.statement();
            list.record(CheckId::Subject, || {
                let Some(st) = statement else {
                    return Outcome::Failed("The statement did not read.".into());
                };
                let (outcome, matched) = npm_policy::subject(st, kind, ctx.package, ctx.artifact);
                subject = matched.or_else(|| npm_policy::any_subject_digest(st));
                outcome
            });
            if kind == AttestationKind::Publish {
                list.record(CheckId::PublishPredicate, || match statement {
                    Some(st) => npm_policy::publish_predicate(st, ctx.package),
                    None => Outcome::Failed("The statement did not read.".into()),
                });
            }
        }
    } else {
        // A message signature: the digest it states is the artifact's.
        list.record(CheckId::Subject, || {
            npm_policy::message_digest(&parsed.bundle, ctx.artifact)
        });
    }

    // 5. Sigstore's checks, in sigstore-verify's order.
    let keyless = parsed.is_keyless();
    let steps = sigstore::library_steps(keyless, parsed.is_dsse());
    let result = if list.has_failed() {
        None
    } else {
        run_library(parsed, key.as_ref(), subject.as_ref(), ctx, steps, &mut list)
    };
    let evidence = sigstore::evidence(parsed, ctx.trust, result.as_ref());
    for &step in steps {
        match &result {
            Some(result) => list.pass(step, sigstore::passed(step, parsed, &evidence, Some(result))),
            None if !list.has(step) => list.not_reached(step),
            None => {}
        }
    }

    // 6. The signer.
    let identity = match result.as_ref().and_then(|r| r.certificate.as_ref()) {
        Some(info) => Some(identity_from_certificate(
            info,
            parsed
                .bundle
                .signing_certificate()
                .map(|c| c.as_bytes())
                .unwrap_or_default(),
            true,
        )),
        None => unverified_identity(parsed),
    };
    let identity = identity.map(|mut id| {
        id.self_managed_gitlab = crate::identity::is_named_gitlab(id.issuer.as_deref(), ctx.trust.gitlab_issuers());
        id
    });
    let verified_identity = identity.as_ref().filter(|i| i.verified);
    if kind == AttestationKind::Provenance {
        list.check(CheckId::IdentityConsistency, || {
            let id = verified_identity.ok_or("The certificate did not verify.")?;
            let st = parsed.statement().ok_or("The statement did not read.")?;
            npm_policy::identity_consistency(&certificate_build(id), st)
        });
    }
    if keyless {
        list.record(CheckId::ExpectedIdentity, || {
            npm_policy::expected_identity(ctx.expected, verified_identity)
        });
    }
    let registry_key = key.as_ref().and_then(SigningKey::registry_key);
    if let Some(registry_key) = registry_key {
        list.check(CheckId::KeyValidity, || {
            let signed_at = result.as_ref().and_then(|r| {
                r.integrated_time
                    .or_else(|| r.verified_timestamps.iter().min().copied())
                    .map(|t| t.as_second())
            });
            signing_key::validity(registry_key, signed_at)
        });
    }

    let mut report = AttestationReport::new(kind, crate::verdict::of_attestation(&list), list.into_checks());
    report.predicate_type = parsed.predicate_type().map(str::to_string);
    report.media_type = Some(parsed.media_type());
    report.payload_type = parsed.payload_type().map(|t| crate::package::truncate(t, 200));
    report.identity = identity;
    report.signing_key = registry_key.map(|k| k.info());
    report.tlog = evidence.tlog;
    report.timestamps = evidence.timestamps;
    report.statement = parsed.statement().map(|s| s.document.clone());
    report
}

/// The checks of the format that depend on what the bundle is judged as.
fn format_check(parsed: &ParsedBundle, kind: AttestationKind) -> Result<(), String> {
    if kind != AttestationKind::Bundle {
        structure::check_npm_shape(parsed)?;
    }
    if kind == AttestationKind::Provenance && !parsed.is_keyless() {
        return Err(
            "A provenance attestation must be signed keylessly with a Fulcio certificate; this one names a key.".into(),
        );
    }
    if parsed.is_keyless()
        && let Some(id) = parsed.dsse_key_id.as_deref().filter(|id| !id.is_empty())
    {
        return Err(format!(
            "A keyless signature names no key id, but this DSSE signature names {:?}.",
            crate::package::truncate(id, 100)
        ));
    }
    Ok(())
}

/// A value an earlier check produced; absent only when that check failed,
/// in which case this check is recorded as not reached and never runs.
fn needed<T>(value: &Option<T>) -> Result<&T, String> {
    value
        .as_ref()
        .ok_or_else(|| "An earlier check did not pass.".to_string())
}

/// Runs `sigstore-verify` (and the steps the core adds to it, see
/// [`sigstore::verify`]) and records its steps: those before the one that
/// failed passed, the failing one failed, the rest were not reached.
/// Returns what was verified when every step passed (the caller records them).
fn run_library(
    parsed: &ParsedBundle,
    key: Option<&SigningKey>,
    subject: Option<&npm_policy::SubjectMatch>,
    ctx: &Context<'_>,
    steps: &[CheckId],
    list: &mut Checklist,
) -> Option<sigstore::Verified> {
    let first = *steps.first()?;
    let key = key?;
    // The shape of the log evidence first: sigstore-verify checks it too,
    // but says less about what is missing.
    match structure::check_log_evidence(parsed) {
        Ok(()) => {}
        Err(structure::LogEvidenceProblem::Entry(e)) => {
            list.fail(first, e);
            return None;
        }
        Err(structure::LogEvidenceProblem::Proof(e)) => {
            list.fail(CheckId::TransparencyLog, e);
            return None;
        }
    }
    let artifact = match sigstore::library_artifact(parsed, ctx.artifact, subject) {
        Ok(artifact) => artifact,
        Err(e) => {
            list.fail(first, e);
            return None;
        }
    };
    let (failed, sentence) = match sigstore::verify(parsed, key, artifact, ctx.trust) {
        Ok(verified) => return Some(verified),
        Err(sigstore::Failure::Check(check, sentence)) => (check, sentence),
        Err(sigstore::Failure::Library(error)) => sigstore::validity_failure(parsed, &error)
            .unwrap_or_else(|| sigstore::check_of(&error, parsed.is_keyless(), parsed.signature_not_base64)),
    };
    if steps.contains(&failed) {
        let evidence = sigstore::evidence(parsed, ctx.trust, None);
        for &step in steps.iter().take_while(|&&s| s != failed) {
            list.pass(step, sigstore::passed(step, parsed, &evidence, None));
        }
        list.fail(failed, sentence);
    } else {
        // Something the checks before should have refused: fail closed
        // without claiming that any step of the library passed.
        list.fail(first, sentence);
    }
    None
}

/// The certificate's identity without verifying it, shown (marked
/// unverified) for bundles that do not verify.
fn unverified_identity(parsed: &ParsedBundle) -> Option<Identity> {
    let cert = parsed.bundle.signing_certificate()?;
    let info = sigstore_crypto::parse_certificate_info(cert).ok()?;
    Some(identity_from_certificate(&info, cert.as_bytes(), false))
}
