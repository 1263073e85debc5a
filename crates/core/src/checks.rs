//! The named checks of a report and their outcomes.
//!
//! A checklist is built in the order the checks run. Verification stops at the
//! first failure, as the Sigstore verification spec does: the checks after it
//! are recorded as not reached rather than guessed at.

use serde::{Deserialize, Serialize};

/// Every check the core can report, in no particular order; each checklist
/// lists the ones that apply to it in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// The integrity a lockfile recorded is the registry's `dist.integrity`:
    /// what was installed is what the attestations are about.
    LockfileIntegrity,
    /// The registry's attestations response: present, well formed, one of each kind.
    Attestations,
    /// Beside the provenance, the registry's own publish attestation (signed
    /// with its key), required when the registry's keys are known.
    RegistryAttestation,
    /// `dist.signatures`: the registry's ECDSA signature over `name@version:integrity`.
    RegistrySignature,
    /// The registry's documents agree: the package document (what `npm
    /// install` resolves from) lists the version with the integrity,
    /// signatures and attestations of its own version document (what is
    /// verified).
    RegistryDocuments,
    /// The bundle parses and is of a supported shape (media type, log entry kind,
    /// inclusion promise or proof, one DSSE signature).
    BundleFormat,
    /// The signing key of a keyed (publish) attestation is a known registry key,
    /// named by both the signature's key id and the bundle's key hint.
    RegistryKey,
    /// The bundle's log evidence is there and well formed, and the log's signed
    /// entry timestamp verifies: the integrated time is authentic.
    LogTimestamp,
    /// The signing certificate chains to a trusted Fulcio root and was valid at
    /// the log's integrated time.
    CertificateChain,
    /// The certificate's embedded signed certificate timestamp verifies.
    CertificateSct,
    /// The transparency log evidence: inclusion proof and signed checkpoint,
    /// inclusion promise, integrated time within the certificate's validity.
    TransparencyLog,
    /// The signature over the content (DSSE PAE, or a message digest).
    Signature,
    /// The transparency log entry's body describes this very signature and content.
    LogEntryMatch,
    /// The registry key was valid at the log's integrated time.
    KeyValidity,
    /// The signed statement: in-toto type, signed predicate type as expected and
    /// equal to the registry's unsigned label.
    Statement,
    /// The statement's subject: exactly one, named by the package's purl, with the
    /// sha512 of the registry's `dist.integrity` (or the supplied artifact digest).
    Subject,
    /// The publish predicate names this package and version.
    PublishPredicate,
    /// The certificate's Fulcio claims agree with the provenance predicate.
    IdentityConsistency,
    /// The identity the caller expects (repository, workflow, issuer, SAN).
    ExpectedIdentity,
}

impl CheckId {
    /// Every check, in declaration order. (The failure-path tests keep a
    /// table over this list: a check added here needs a case that fails it.)
    pub const ALL: [CheckId; 19] = [
        CheckId::LockfileIntegrity,
        CheckId::Attestations,
        CheckId::RegistryAttestation,
        CheckId::RegistrySignature,
        CheckId::RegistryDocuments,
        CheckId::BundleFormat,
        CheckId::RegistryKey,
        CheckId::LogTimestamp,
        CheckId::CertificateChain,
        CheckId::CertificateSct,
        CheckId::TransparencyLog,
        CheckId::Signature,
        CheckId::LogEntryMatch,
        CheckId::KeyValidity,
        CheckId::Statement,
        CheckId::Subject,
        CheckId::PublishPredicate,
        CheckId::IdentityConsistency,
        CheckId::ExpectedIdentity,
    ];

    /// A short title for lists.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::LockfileIntegrity => "Lockfile integrity",
            CheckId::Attestations => "Attestations from the registry",
            CheckId::RegistryAttestation => "Registry's publish attestation",
            CheckId::RegistrySignature => "Registry signature (dist.signatures)",
            CheckId::RegistryDocuments => "Registry documents agree",
            CheckId::BundleFormat => "Bundle format",
            CheckId::RegistryKey => "Registry signing key",
            CheckId::LogTimestamp => "Log entry and signed time",
            CheckId::CertificateChain => "Certificate chain (Fulcio)",
            CheckId::CertificateSct => "Certificate transparency (SCT)",
            CheckId::TransparencyLog => "Transparency log inclusion",
            CheckId::Signature => "Signature",
            CheckId::LogEntryMatch => "Log entry matches the bundle",
            CheckId::KeyValidity => "Key valid at signing time",
            CheckId::Statement => "Signed statement",
            CheckId::Subject => "Subject (package and digest)",
            CheckId::PublishPredicate => "Publish predicate",
            CheckId::IdentityConsistency => "Certificate agrees with provenance",
            CheckId::ExpectedIdentity => "Expected identity",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Passed,
    Failed,
    /// Not run because an earlier check failed.
    NotReached,
    /// Not run because its input was not supplied (e.g. no integrity to compare).
    Skipped,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    Failed(String),
    /// Not run for lack of input; `required` keeps the verdict from "verified".
    Skipped {
        required: bool,
        why: String,
    },
}

impl From<Result<String, String>> for Outcome {
    fn from(result: Result<String, String>) -> Self {
        match result {
            Ok(detail) => Outcome::Passed(detail),
            Err(detail) => Outcome::Failed(detail),
        }
    }
}

/// One check's result with the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub title: String,
    pub status: CheckStatus,
    /// What was established, or what failed, in a sentence.
    pub detail: String,
    /// Whether the verdict requires this check to pass (a skipped optional
    /// check does not keep a package from being verified).
    pub required: bool,
}

/// Records checks in the order they run; once one fails, the rest are marked
/// not reached.
#[derive(Debug, Default, Clone)]
pub struct Checklist {
    checks: Vec<Check>,
    failed: bool,
}

impl Checklist {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a check has failed already (later ones are not run).
    pub fn has_failed(&self) -> bool {
        self.failed
    }

    fn push(&mut self, id: CheckId, status: CheckStatus, detail: String, required: bool) {
        self.checks.push(Check {
            id,
            title: id.title().to_string(),
            status,
            detail,
            required,
        });
    }

    pub fn pass(&mut self, id: CheckId, detail: impl Into<String>) {
        debug_assert!(!self.failed, "{id:?} recorded as passed after a failure");
        self.push(id, CheckStatus::Passed, detail.into(), true);
    }

    pub fn fail(&mut self, id: CheckId, detail: impl Into<String>) {
        self.failed = true;
        self.push(id, CheckStatus::Failed, detail.into(), true);
    }

    /// A required check that could not run for lack of input: the verdict
    /// cannot be "verified" with it.
    pub fn skip_required(&mut self, id: CheckId, why: impl Into<String>) {
        self.push(id, CheckStatus::Skipped, why.into(), true);
    }

    /// An optional check that did not apply.
    pub fn skip_optional(&mut self, id: CheckId, why: impl Into<String>) {
        self.push(id, CheckStatus::Skipped, why.into(), false);
    }

    /// Runs `check` unless an earlier check failed, and records its outcome.
    pub fn check(&mut self, id: CheckId, check: impl FnOnce() -> Result<String, String>) {
        self.record(id, || check().into());
    }

    /// Runs `check` unless an earlier check failed (then it is recorded as
    /// not reached and never runs), and records its outcome.
    pub fn record(&mut self, id: CheckId, check: impl FnOnce() -> Outcome) {
        if self.failed {
            self.not_reached(id);
            return;
        }
        match check() {
            Outcome::Passed(detail) => self.pass(id, detail),
            Outcome::Failed(detail) => self.fail(id, detail),
            Outcome::Skipped { required: true, why } => self.skip_required(id, why),
            Outcome::Skipped { required: false, why } => self.skip_optional(id, why),
        }
    }

    /// Whether `id` has been recorded.
    pub fn has(&self, id: CheckId) -> bool {
        self.checks.iter().any(|c| c.id == id)
    }

    pub fn not_reached(&mut self, id: CheckId) {
        self.push(
            id,
            CheckStatus::NotReached,
            "Not checked: verification stopped at a failed check.".to_string(),
            true,
        );
    }

    pub fn into_checks(self) -> Vec<Check> {
        self.checks
    }

    pub fn checks(&self) -> &[Check] {
        &self.checks
    }
}

/// Whether every required check passed and none failed.
pub fn all_passed<'a>(checks: impl IntoIterator<Item = &'a Check>) -> bool {
    checks
        .into_iter()
        .all(|c| c.status == CheckStatus::Passed || (!c.required && c.status == CheckStatus::Skipped))
}

/// Whether any check failed.
pub fn any_failed<'a>(checks: impl IntoIterator<Item = &'a Check>) -> bool {
    checks.into_iter().any(|c| c.status == CheckStatus::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_after_a_failure_are_not_reached() {
        let mut list = Checklist::new();
        list.check(CheckId::BundleFormat, || Ok("fine".into()));
        list.check(CheckId::Signature, || Err("bad".into()));
        list.check(CheckId::Subject, || panic!("a check after a failure never runs"));
        let statuses: Vec<_> = list.checks().iter().map(|c| c.status).collect();
        assert_eq!(
            statuses,
            [CheckStatus::Passed, CheckStatus::Failed, CheckStatus::NotReached]
        );
        assert!(any_failed(list.checks()));
        assert!(!all_passed(list.checks()));
    }

    #[test]
    fn a_skipped_required_check_keeps_the_list_from_passing() {
        let mut list = Checklist::new();
        list.pass(CheckId::Signature, "ok");
        list.skip_optional(CheckId::RegistrySignature, "none sent");
        assert!(all_passed(list.checks()));
        list.skip_required(CheckId::Subject, "no integrity supplied");
        assert!(!all_passed(list.checks()));
        assert!(!any_failed(list.checks()));
    }

    /// `has` says whether a check was recorded, whatever its outcome (the
    /// bundle's library steps are recorded as not reached only when absent).
    #[test]
    fn has_finds_exactly_the_checks_recorded() {
        let mut list = Checklist::new();
        assert!(!list.has(CheckId::Signature));
        list.pass(CheckId::BundleFormat, "ok");
        assert!(list.has(CheckId::BundleFormat));
        assert!(!list.has(CheckId::Signature));
        list.fail(CheckId::Signature, "bad");
        assert!(list.has(CheckId::Signature));
        assert!(!list.has(CheckId::Subject));
    }
}
