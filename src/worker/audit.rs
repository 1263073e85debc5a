//! A lockfile audit's package versions, each looked up here, in the worker,
//! through the core's one lookup (as the command line's `audit` does), with
//! every integrity the lockfile records. Measured on the 1,000-package
//! bench: the page's thread spent most of the audit in `fetch()` and in
//! passing documents and reports through JSON; here it receives one small
//! entry per package version.

use npm_provenance_core::TrustMaterial;
use npm_provenance_core::audit::AuditEntry;
use npm_provenance_core::lookup::{Depth, Question};

use crate::protocol::AuditJob;

/// Looks up one locked package version.
pub async fn audit_one(job: &AuditJob, trust: &TrustMaterial) -> AuditEntry {
    let package = &job.package;
    let depth = if job.compare_history {
        Depth::History
    } else {
        Depth::Version
    };
    let mut question = Question::new(&job.registry, &package.name, Some(&package.version), depth);
    question.lockfile_integrities = package.integrities.clone();
    // The audit asks with settled trust (the page waits for it).
    match super::lookup::run(question, trust, std::future::ready(Ok(None))).await {
        Ok(outcome) => AuditEntry::from_report(package, &outcome.report),
        Err(e) => AuditEntry::error(package, e),
    }
}
