//! A lockfile audit's package versions, each fetched and verified here, in
//! the worker: its version document, its attestations when it lists them,
//! and (when asked) its package's history, then the core's package-version
//! verification, as the command line's `audit` does it. Measured on the
//! 1,000-package bench: the page's thread spent most of the audit in
//! `fetch()` and in passing documents and reports through JSON; here it
//! receives one small entry per package version.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use npm_provenance_core::audit::AuditEntry;
use npm_provenance_core::package_version::PreparedAttestations;
use npm_provenance_core::signature_inputs::package_version_checks;
use npm_provenance_core::text::visible;
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, TrustMaterial, VersionSummary, verify_package_version,
};

use super::protocol::AuditJob;
use super::webcrypto;
use crate::api::{fetch_attestations_pinned, fetch_packument, fetch_version_dist};

/// Retries of a 429, 5xx or timed-out registry request.
const RETRIES: u32 = 3;

type History = Option<Rc<Vec<VersionSummary>>>;
type HistoryFlight = Shared<LocalBoxFuture<'static, History>>;

thread_local! {
    /// Package histories of this run, one fetch per registry and name (the
    /// page routes every version of a name to the same worker).
    static HISTORIES: RefCell<HashMap<(String, String), HistoryFlight>> =
        RefCell::new(HashMap::new());
}

/// The versions of `name` as the registry lists them; `None` when its
/// document cannot be had (the entry then says the history was not compared).
async fn history(registry: &str, name: &str) -> History {
    let key = (registry.to_string(), name.to_string());
    let flight = HISTORIES.with(|h| {
        h.borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                let (registry, name) = (registry.to_string(), name.to_string());
                async move {
                    let packument = fetch_packument(&registry, &name).await.ok().flatten()?;
                    // The history of another package than the one asked for is none.
                    (packument.name == name).then(|| Rc::new(packument.history))
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    flight.await
}

/// Forgets this run's histories (the next run fetches them again).
pub fn forget_histories() {
    HISTORIES.with(|h| h.borrow_mut().clear());
}

/// Fetches and verifies one locked package version.
pub async fn audit_one(job: &AuditJob, trust: &TrustMaterial) -> AuditEntry {
    let package = &job.package;
    let dist = match fetch_version_dist(&job.registry, &package.name, &package.version, RETRIES).await {
        Ok(Some(dist)) => dist,
        Ok(None) => {
            return AuditEntry::error(
                package,
                format!(
                    "{}@{} is not on the registry.",
                    visible(&package.name),
                    visible(&package.version)
                ),
            );
        }
        Err(e) => return AuditEntry::error(package, e.to_string()),
    };
    let attestations = async {
        if dist.attestations_url.is_some() {
            fetch_attestations_pinned(&job.registry, &package.name, &package.version, RETRIES).await
        } else {
            Ok(None)
        }
    };
    let history = async {
        if job.compare_history {
            history(&job.registry, &package.name).await
        } else {
            None
        }
    };
    let (attestations, history) = futures::join!(attestations, history);
    let attestations = match attestations {
        Ok(a) => a,
        Err(e) => return AuditEntry::error(package, e.to_string()),
    };
    let prepared = attestations.as_deref().map(PreparedAttestations::parse);
    drop(attestations);
    let mut docs =
        PackageVersionDocuments::from_registry(&package.name, &package.version, &dist, None, prepared.as_ref());
    docs.lockfile_integrity = package.integrity.as_deref();
    docs.history = history.as_deref().map(Vec::as_slice);
    webcrypto::preverify(package_version_checks(&docs, trust)).await;
    let report = verify_package_version(&docs, trust, &ExpectedIdentity::default());
    AuditEntry::from_report(package, &report)
}
