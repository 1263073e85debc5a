//! The verdict policy, in one place: what "verified", "incomplete",
//! "failed" and "no provenance" require, and the sentence a person reads.
//!
//! - **failed**: a check failed.
//! - **no provenance**: nothing failed, and the registry serves no
//!   provenance attestation for the version.
//! - **verified**: every required check passed. For a package version that
//!   means the provenance attestation and, when the registry's keys are known
//!   (npm's, or keys given for another registry), the registry's publish
//!   attestation, both for this version's tarball; and the registry
//!   signatures, when the registry serves them.
//! - **incomplete**: nothing failed, but a required check could not run: the
//!   registry's publish attestation is missing, or an input (the integrity,
//!   the package's name) was not given.
//! - **error**: the input could not be used at all.
//!
//! The README's "What it checks" states the same rule.

use crate::checks::{Check, CheckStatus, Checklist, all_passed, any_failed};
use crate::report::{AttestationKind, AttestationReport, Report, Verdict};

/// An attestation's verdict from its checks alone.
pub fn of_attestation(list: &Checklist) -> Verdict {
    of_checks(list.checks())
}

fn of_checks(checks: &[Check]) -> Verdict {
    if any_failed(checks) {
        Verdict::Failed
    } else if all_passed(checks) {
        Verdict::Verified
    } else {
        Verdict::Incomplete
    }
}

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A package version's attestations (possibly none).
    PackageVersion,
    /// One bundle, judged on its own (the inspector, `verify --bundle`).
    SingleBundle,
}

/// The report's verdict: see the module documentation.
pub fn decide(package_checks: &[Check], attestations: &[AttestationReport], subject: Subject) -> Verdict {
    let all: Vec<&Check> = package_checks
        .iter()
        .chain(attestations.iter().flat_map(|a| a.checks.iter()))
        .collect();
    let lacks_provenance = match subject {
        Subject::PackageVersion => !attestations.iter().any(|a| a.kind == AttestationKind::Provenance),
        Subject::SingleBundle => attestations.is_empty(),
    };
    if any_failed(all.iter().copied()) {
        Verdict::Failed
    } else if lacks_provenance {
        Verdict::NoProvenance
    } else if all_passed(all.iter().copied()) {
        Verdict::Verified
    } else {
        Verdict::Incomplete
    }
}

/// The sentence a person reads first.
pub fn summary(report: &Report, subject: Subject) -> String {
    let what = report
        .package
        .as_ref()
        .map(|p| format!("{}@{}", p.name, p.version))
        .unwrap_or_else(|| "This bundle".into());
    match report.verdict {
        Verdict::Verified => match (subject, report.attestations.first().map(|a| a.kind)) {
            (Subject::SingleBundle, Some(AttestationKind::Publish)) => {
                format!("{what}: npm publish attestation verified (signed by the registry's key).")
            }
            (Subject::SingleBundle, Some(AttestationKind::Bundle)) => {
                single_bundle_verified(&what, report.attestations.first())
            }
            _ => match &report.provenance {
                Some(p) => format!(
                    "{what}: provenance verified. {}{}.",
                    p.headline,
                    p.source_commit
                        .as_ref()
                        .map(|c| format!(" from {}", c.text))
                        .unwrap_or_default()
                ),
                None => format!("{what}: every check passed."),
            },
        },
        Verdict::Failed => match report.first_failure() {
            Some((kind, check)) => format!(
                "{what}: verification failed at “{}”{}: {}",
                check.title,
                kind.map(|k| format!(" of the {}", k.label())).unwrap_or_default(),
                check.detail
            ),
            None => format!("{what}: verification failed."),
        },
        Verdict::NoProvenance => match report.publish_attestation() {
            Some(_) => format!("{what} has no provenance: the registry serves only its publish attestation."),
            None => format!("{what} has no provenance: the registry serves no attestations for it."),
        },
        Verdict::Incomplete => {
            // Each check named once: an attestations response skips the
            // same check in each of its attestations.
            let mut skipped: Vec<&str> = Vec::new();
            for check in report
                .checks
                .iter()
                .chain(report.attestations.iter().flat_map(|a| a.checks.iter()))
                .filter(|c| c.required && c.status == CheckStatus::Skipped)
            {
                if !skipped.contains(&check.title.as_str()) {
                    skipped.push(check.title.as_str());
                }
            }
            format!(
                "{what}: the signatures verify, but not everything required could be checked ({}).",
                skipped.join(", ")
            )
        }
        Verdict::Error => report.summary.clone(),
    }
}

/// What a bundle that is not an npm attestation proves: a signature and a
/// log entry, by whom.
fn single_bundle_verified(what: &str, attestation: Option<&AttestationReport>) -> String {
    let signer = attestation.and_then(|a| a.identity.as_ref()).map(|id| {
        format!(
            "signed by {} via {}",
            id.subject_alternative_name.as_deref().unwrap_or("an unnamed identity"),
            id.issuer.as_deref().unwrap_or("an unnamed issuer")
        )
    });
    // What the signature covers, when it is not an attestation: signed
    // bytes of the type the envelope names.
    let over = attestation
        .and_then(|a| a.payload_type.as_deref())
        .filter(|t| *t != crate::bundle::statement::INTOTO_PAYLOAD_TYPE)
        .map(|t| format!(" over a {t} payload (not an in-toto statement)"))
        .unwrap_or_default();
    format!(
        "{what}: signature and log entry valid{over}; {}. It is not npm provenance for a package.",
        signer.unwrap_or_else(|| "signed with the given key".into())
    )
}
