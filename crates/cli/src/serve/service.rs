//! Verification as a service: fetch from the registry, verify with the core,
//! cache the outcome, and let concurrent requests for the same package share
//! one fetch.
//!
//! Caching follows what can change: a version's attestations are fixed once
//! published, so a verified version is kept for a day; the `latest` tag moves,
//! so a latest lookup expires after minutes; failures expire sooner still.
//! Memory is bounded by the size of what is cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use lru::LruCache;
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, Packument, PreparedAttestations, Report, ResolveError, TrustMaterial,
    Verdict, resolve_version,
};

use super::badge::BadgeState;
use super::registry::{RegistryClient, RegistryError};
use super::routes::PackageQuery;

/// How long outcomes are kept.
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    /// A fixed version that verified (its attestations cannot change).
    pub verified_version: Duration,
    /// A fixed version that did not verify (attestations may still appear).
    pub unverified_version: Duration,
    /// A lookup of the latest version.
    pub latest: Duration,
    /// Registry errors and unknown packages.
    pub error: Duration,
    /// Bytes of reports the cache may hold.
    pub max_bytes: usize,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            verified_version: Duration::from_secs(24 * 3600),
            unverified_version: Duration::from_secs(600),
            latest: Duration::from_secs(300),
            error: Duration::from_secs(30),
            max_bytes: 64 << 20,
        }
    }
}

/// A verified (or rejected) package version, ready to serve.
#[derive(Debug)]
pub struct Outcome {
    pub version: String,
    pub report: Report,
    /// The report as JSON, serialized once.
    pub json: String,
    pub badge: BadgeState,
}

/// Why there is no outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    PackageNotFound(String),
    /// The registry has no such version, or served a document that is not
    /// the asked package's (a resolution error of the core).
    Resolve(ResolveError),
    Registry(RegistryError),
}

impl ServiceError {
    /// The HTTP status this error is served with.
    pub fn status(&self) -> u16 {
        match self {
            ServiceError::PackageNotFound(_) => 404,
            ServiceError::Resolve(e) if e.is_not_found() => 404,
            ServiceError::Resolve(_) => 502,
            ServiceError::Registry(RegistryError::Timeout) => 504,
            ServiceError::Registry(_) => 502,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ServiceError::PackageNotFound(n) => format!("no package named {n} on the registry"),
            ServiceError::Resolve(e) => e.message(),
            ServiceError::Registry(e) => e.to_string(),
        }
    }

    pub fn badge(&self) -> BadgeState {
        match self.status() {
            404 => BadgeState::not_found(),
            _ => BadgeState::error("error"),
        }
    }
}

type Result<T> = std::result::Result<T, ServiceError>;
type Flight = Shared<BoxFuture<'static, Result<Arc<Outcome>>>>;

struct Entry {
    value: Result<Arc<Outcome>>,
    expires: Instant,
    bytes: usize,
}

#[derive(Default)]
struct Stats {
    registry_requests: u64,
}

/// The verification service; cheap to share (`Arc`).
pub struct Service {
    client: RegistryClient,
    trust: TrustMaterial,
    policy: CachePolicy,
    cache: Mutex<(LruCache<PackageQuery, Entry>, usize)>,
    in_flight: Mutex<HashMap<PackageQuery, Flight>>,
    stats: Mutex<Stats>,
}

impl Service {
    pub fn new(client: RegistryClient, trust: TrustMaterial, policy: CachePolicy) -> Arc<Self> {
        Arc::new(Self {
            client,
            trust,
            policy,
            cache: Mutex::new((LruCache::unbounded(), 0)),
            in_flight: Mutex::new(HashMap::new()),
            stats: Mutex::new(Stats::default()),
        })
    }

    pub fn registry(&self) -> &str {
        self.client.base()
    }

    /// Requests made to the registry so far.
    pub fn registry_requests(&self) -> u64 {
        self.stats.lock().unwrap().registry_requests
    }

    /// Entries and bytes in the cache.
    pub fn cache_usage(&self) -> (usize, usize) {
        let cache = self.cache.lock().unwrap();
        (cache.0.len(), cache.1)
    }

    fn cached(&self, query: &PackageQuery) -> Option<Result<Arc<Outcome>>> {
        let mut cache = self.cache.lock().unwrap();
        let (lru, bytes) = &mut *cache;
        match lru.get(query) {
            Some(entry) if entry.expires > Instant::now() => Some(entry.value.clone()),
            Some(_) => {
                if let Some(old) = lru.pop(query) {
                    *bytes -= old.bytes;
                }
                None
            }
            None => None,
        }
    }

    fn store(&self, query: PackageQuery, value: Result<Arc<Outcome>>) {
        let ttl = match (&value, &query.version) {
            (Err(_), _) => self.policy.error,
            (Ok(_), None) => self.policy.latest,
            (Ok(o), Some(_)) if o.report.verdict == Verdict::Verified => self.policy.verified_version,
            (Ok(_), Some(_)) => self.policy.unverified_version,
        };
        let size = 256 + query.name.len() + value.as_ref().map(|o| o.json.len() * 2 + 512).unwrap_or(64);
        let mut cache = self.cache.lock().unwrap();
        let (lru, bytes) = &mut *cache;
        if let Some(old) = lru.put(
            query,
            Entry {
                value,
                expires: Instant::now() + ttl,
                bytes: size,
            },
        ) {
            *bytes -= old.bytes;
        }
        *bytes += size;
        while *bytes > self.policy.max_bytes {
            match lru.pop_lru() {
                Some((_, old)) => *bytes -= old.bytes,
                None => break,
            }
        }
    }

    /// The outcome for a package (latest version) or a package version.
    pub async fn verify(self: &Arc<Self>, query: PackageQuery) -> Result<Arc<Outcome>> {
        if let Some(hit) = self.cached(&query) {
            return hit;
        }
        let flight = {
            let mut in_flight = self.in_flight.lock().unwrap();
            if let Some(f) = in_flight.get(&query) {
                f.clone()
            } else {
                let this = self.clone();
                let key = query.clone();
                let f = async move {
                    let value = this.compute(&key).await;
                    this.store(key.clone(), value.clone());
                    this.in_flight.lock().unwrap().remove(&key);
                    value
                }
                .boxed()
                .shared();
                in_flight.insert(query, f.clone());
                f
            }
        };
        flight.await
    }

    async fn compute(self: &Arc<Self>, query: &PackageQuery) -> Result<Arc<Outcome>> {
        let packument = self.fetch_packument(&query.name).await?;
        // The version asked for, in the document of the package asked for:
        // the registry does not get to choose which package is verified.
        let version =
            resolve_version(&packument, &query.name, query.version.as_deref()).map_err(ServiceError::Resolve)?;
        if query.version.is_none() {
            // The fixed version's entry serves later requests for it too.
            let fixed = PackageQuery {
                name: query.name.clone(),
                version: Some(version.clone()),
            };
            if let Some(hit) = self.cached(&fixed) {
                return hit;
            }
            let value = self.verify_version(&query.name, &packument, &version).await;
            self.store(fixed, value.clone());
            return value;
        }
        self.verify_version(&query.name, &packument, &version).await
    }

    async fn fetch_packument(&self, name: &str) -> Result<Packument> {
        self.stats.lock().unwrap().registry_requests += 1;
        match self.client.packument(name).await {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(ServiceError::PackageNotFound(name.to_string())),
            Err(e) => Err(ServiceError::Registry(e)),
        }
    }

    async fn verify_version(&self, name: &str, packument: &Packument, version: &str) -> Result<Arc<Outcome>> {
        self.stats.lock().unwrap().registry_requests += 1;
        let attestations = self
            .client
            .attestations(name, version)
            .await
            .map_err(ServiceError::Registry)?;
        let dist = packument.versions.get(version).cloned().unwrap_or_default();
        let (name, version, published_at, trust) = (
            name.to_string(),
            version.to_string(),
            packument.published_at(version),
            self.trust.clone(),
        );
        // Verification is CPU work (milliseconds): keep it off the I/O threads.
        let outcome = tokio::task::spawn_blocking(move || {
            let prepared = attestations.as_deref().map(PreparedAttestations::parse);
            let docs = PackageVersionDocuments::from_registry(&name, &version, &dist, published_at, prepared.as_ref());
            let report = npm_provenance_core::verify_package_version(&docs, &trust, &ExpectedIdentity::default());
            let json = serde_json::to_string(&report).expect("reports serialize");
            Outcome {
                version,
                badge: BadgeState::from_report(&report),
                report,
                json,
            }
        })
        .await
        .map_err(|e| ServiceError::Registry(RegistryError::Malformed(format!("verification stopped: {e}"))))?;
        Ok(Arc::new(outcome))
    }
}
