//! Messages between the page and a verification worker: what both sides of
//! the `postMessage` boundary read and write. Control messages (trust
//! configuration, warm-up) and requests are separate types: a control
//! message is never answered, a request always is.

use npm_provenance_core::audit::AuditEntry;
use npm_provenance_core::lockfile::{LockedPackage, Lockfile};
use npm_provenance_core::lookup::{LookupError, Question};
use npm_provenance_core::overview::PackageOverview;
use npm_provenance_core::package_version::InputError;
use npm_provenance_core::{ExpectedIdentity, Report, TrustConfig, TufConfig};
use serde::{Deserialize, Serialize};

/// What the page sends a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    Control(Control),
    Verify {
        id: u32,
        request: Box<VerifyRequest>,
    },
    /// A package version looked up through the core's one lookup: the
    /// worker fetches what it asks for and verifies; answered with
    /// [`FromWorker::LookedUp`].
    Lookup {
        id: u32,
        request: Box<LookupRequest>,
    },
    /// Read a lockfile (the audit page): parsing a large one takes longer
    /// than a frame, so it is not done on the page's thread.
    ReadLockfile {
        id: u32,
        text: String,
        file_name: Option<String>,
        /// The registry the audit checks against: copies whose tarball no
        /// integrity binds count only at its addresses (`audit::for_registry`).
        registry: String,
    },
    /// Refresh the trust material from a TUF repository; answered with the
    /// configuration to give every worker.
    RefreshTrust {
        id: u32,
        tuf: Box<TufConfig>,
    },
    /// One package version of a lockfile audit, fetched and verified in the
    /// worker; answered with its [`AuditEntry`].
    Audit {
        id: u32,
        job: Box<AuditJob>,
    },
    /// An audit ended: write the documents it fetched (and its lookups
    /// accepted) to the browser's cache, and forget the package histories
    /// (new versions may appear). Answered with [`FromWorker::Kept`] once
    /// written, so that the page counts what is kept truly.
    AuditDone {
        id: u32,
    },
}

/// A locked package version to fetch from `registry` and verify. The
/// worker fetches its documents itself: a thousand fetches and their
/// documents never pass through the page's thread, and only the small
/// entry comes back (not the report and its certificates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditJob {
    pub registry: String,
    pub package: LockedPackage,
    /// Compare with the package's earlier versions (fetches its package
    /// document once per name and run, in the worker the name is routed to).
    pub compare_history: bool,
}

/// Configuration, never answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Control {
    /// Verify with this trust instead of Sigstore's public-good root and
    /// npm's keys (a server configured for a private instance says so).
    Configure(Box<TrustConfig>),
    /// The hosting server's configuration while the browser's own TUF
    /// refresh of it runs: a lookup reads the registry meanwhile, and
    /// verifies only once `Configure` (or `TrustFailed`) settles the trust.
    Provisional(Box<TrustConfig>),
    /// The trust could not be settled: lookups waiting for it fail so.
    TrustFailed(String),
    /// Prepares the trust material, so the first real request is not slower.
    WarmUp,
}

/// A package version to look up (the page, a history row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookupRequest {
    pub question: Question,
    /// Also answer with what the page shows of the package document
    /// ([`PackageOverview`]), computed in the worker: a document of tens of
    /// thousands of versions never reaches the page's thread.
    pub overview: bool,
}

/// A lookup's answer, as the page needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookedUp {
    pub report: Report,
    /// The version looked up (the `latest` tag resolved).
    pub version: Option<String>,
    pub error: Option<LookupError>,
    pub overview: Option<PackageOverview>,
    /// The attestations response as the registry served it (shown folded).
    pub attestations: Option<String>,
    /// The version's `dist.integrity`, as the document the lookup accepted
    /// states it (the inspector compares a pasted bundle with it).
    #[serde(default)]
    pub integrity: Option<String>,
}

/// Something pasted into the inspector; always answered with
/// [`FromWorker::Inspected`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VerifyRequest {
    Inspect {
        json: String,
        /// `None`: the package the input's signed subject names.
        package: Option<(String, String)>,
        integrity: Option<String>,
        expected: ExpectedIdentity,
    },
}

/// The inspector's answer: the report, and the package it was checked
/// against when that was read from the input's signed subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspected {
    pub report: Report,
    pub signed_package: Option<(String, String)>,
}

/// What a worker sends the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker listens: requests posted before this were lost.
    Ready,
    /// What was pasted, verified; or why it is no document to verify.
    Inspected {
        id: u32,
        result: Result<Box<Inspected>, InputError>,
    },
    Lockfile {
        id: u32,
        lockfile: Result<Box<Lockfile>, String>,
    },
    Trust {
        id: u32,
        config: Box<TrustConfig>,
    },
    Audited {
        id: u32,
        entry: Box<AuditEntry>,
    },
    /// A lookup's answer, or why the worker could not verify at all (its
    /// trust material is unusable).
    LookedUp {
        id: u32,
        result: Result<Box<LookedUp>, String>,
    },
    /// The documents an audit fetched are written to the cache.
    Kept {
        id: u32,
    },
}

impl FromWorker {
    /// The request this answers.
    pub fn id(&self) -> Option<u32> {
        match self {
            FromWorker::Ready => None,
            FromWorker::Inspected { id, .. }
            | FromWorker::Kept { id, .. }
            | FromWorker::Lockfile { id, .. }
            | FromWorker::Trust { id, .. }
            | FromWorker::Audited { id, .. }
            | FromWorker::LookedUp { id, .. } => Some(*id),
        }
    }
}
