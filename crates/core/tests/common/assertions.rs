//! What the test files assert about a report. Each variant asserts a
//! different strength of "it failed there"; the name says which, so a test
//! picks the one its case can promise.

use npm_provenance_core::{AttestationKind, CheckId, CheckStatus, Report, Verdict};

/// The first failed check of the report: which attestation (`None`: a
/// package-level check), which check, what it said. Panics if none failed.
#[track_caller]
pub fn failure(report: &Report) -> (Option<AttestationKind>, CheckId, String) {
    let (kind, check) = report
        .first_failure()
        .unwrap_or_else(|| panic!("no failure: {}", report.summary));
    (kind, check.id, check.detail.clone())
}

/// The first failed check of the report, if any, without what it said.
pub fn first_failure(report: &Report) -> Option<(Option<AttestationKind>, CheckId)> {
    report.first_failure().map(|(kind, check)| (kind, check.id))
}

/// The report is verified; `what` names the case in the message.
#[track_caller]
pub fn assert_verified(report: &Report, what: &str) {
    assert_eq!(
        report.verdict,
        Verdict::Verified,
        "{what}: {}\n{report:#?}",
        report.summary
    );
}

/// The report failed, first at `check` (of whichever attestation), saying
/// `says`; what else failed is not asserted.
#[track_caller]
pub fn assert_first_failure(report: &Report, check: CheckId, says: &str) {
    assert_eq!(report.verdict, Verdict::Failed, "{}", report.summary);
    let (_, id, detail) = failure(report);
    assert_eq!(id, check, "{detail}");
    assert!(detail.contains(says), "{check:?}: {detail:?} does not say {says:?}");
}

/// The report failed, first at `check` of the `kind` attestation (`None`:
/// a package-level check), saying `says`; nothing else failed in that
/// attestation (verification stops at the first failure).
#[track_caller]
pub fn assert_fails_at(report: &Report, kind: Option<AttestationKind>, check: CheckId, says: &str) {
    assert_eq!(report.verdict, Verdict::Failed, "{}", report.summary);
    let (k, id, detail) = failure(report);
    assert_eq!((k, id), (kind, check), "{detail}");
    assert!(detail.contains(says), "{check:?}: {detail:?} does not say {says:?}");
    let checks = match kind {
        Some(kind) => &report.attestations.iter().find(|a| a.kind == kind).unwrap().checks,
        None => &report.checks,
    };
    let failed = checks.iter().filter(|c| c.status == CheckStatus::Failed).count();
    assert_eq!(failed, 1, "{checks:#?}");
}

/// As [`assert_fails_at`] for the `kind` attestation, and the check's
/// sentence is exactly `says`, word for word.
#[track_caller]
pub fn assert_fails_at_saying_exactly(report: &Report, kind: AttestationKind, check: CheckId, says: &str) {
    assert_fails_at(report, Some(kind), check, says);
    assert_eq!(failure(report).2, says);
}

/// The report failed, first at `check` of the `kind` attestation, saying
/// `says`, and no other check of any attestation failed.
#[track_caller]
pub fn assert_only_failure(report: &Report, kind: AttestationKind, check: CheckId, says: &str) {
    assert_eq!(report.verdict, Verdict::Failed, "{}", report.summary);
    let (k, id, detail) = failure(report);
    assert_eq!((k, id), (Some(kind), check), "{detail}");
    assert!(detail.contains(says), "{check:?}: {detail:?} does not say {says:?}");
    let failed = report
        .attestations
        .iter()
        .flat_map(|a| &a.checks)
        .filter(|c| c.status == CheckStatus::Failed)
        .count();
    assert_eq!(failed, 1);
}

/// The `kind` attestation of the report failed at `check` alone, saying
/// `says` (whatever failed elsewhere first).
#[track_caller]
pub fn assert_attestation_fails_at(report: &Report, kind: AttestationKind, check: CheckId, says: &str) {
    assert_eq!(report.verdict, Verdict::Failed, "{}", report.summary);
    let attestation = report
        .attestations
        .iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} attestation: {}", report.summary));
    assert_eq!(attestation.verdict, Verdict::Failed);
    let failed: Vec<_> = attestation
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].id, check, "{}", failed[0].detail);
    assert!(
        failed[0].detail.contains(says),
        "{check:?}: {:?} does not say {says:?}",
        failed[0].detail
    );
}
