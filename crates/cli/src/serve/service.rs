//! Verification as a service: fetch from the registry, verify with the core,
//! cache the outcome, and let concurrent requests for the same package
//! version share one fetch and one verification.
//!
//! Each fetch-and-verify runs as a task of its own: it finishes (or times
//! out) and releases what it holds whether or not anyone still waits for it,
//! and a client that gives up cancels nothing and leaks nothing.
//!
//! Caching follows what can change: a version's attestations are fixed once
//! published, so a verified version is kept for a day; the `latest` tag moves,
//! so a latest lookup expires after minutes; failures expire sooner still.
//! Memory is bounded by the size of what is cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use lru::LruCache;
use npm_provenance_core::lookup::{Depth, Question};
use npm_provenance_core::{Report, TrustMaterial, Verdict};

use super::badge::BadgeState;
use super::routes::PackageQuery;
use crate::lookup::SharedDocuments;
use crate::registry::RegistryClient;

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
    /// Something was left out for a reason that may pass (the history could
    /// not be read, say): not the final answer, so kept briefly.
    pub transient: bool,
    /// The report as JSON, serialized once.
    pub json: String,
    pub badge: BadgeState,
}

/// Why there is no outcome: the lookup's errors, served with a status.
pub use npm_provenance_core::lookup::LookupError as ServiceError;

/// The HTTP status a lookup error is served with.
pub fn status_of(error: &ServiceError) -> u16 {
    match error {
        ServiceError::NotFound { .. } => 404,
        ServiceError::WrongDocument { .. } => 502,
        ServiceError::Registry {
            cause: npm_provenance_core::lookup::Cause::Timeout,
            ..
        } => 504,
        ServiceError::Registry { .. } => 502,
    }
}

/// The badge of a lookup error.
pub fn badge_of(error: &ServiceError) -> BadgeState {
    match status_of(error) {
        404 => BadgeState::not_found(),
        _ => BadgeState::error("error"),
    }
}

type Result<T> = std::result::Result<T, ServiceError>;
type Flight = Shared<BoxFuture<'static, Result<Arc<Outcome>>>>;

struct Entry {
    value: Result<Arc<Outcome>>,
    expires: Instant,
    bytes: usize,
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct ServiceStats {
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    pub verifications: [AtomicU64; 5],
}

impl ServiceStats {
    pub fn verdict_index(verdict: Verdict) -> usize {
        match verdict {
            Verdict::Verified => 0,
            Verdict::Failed => 1,
            Verdict::NoProvenance => 2,
            Verdict::Incomplete => 3,
            Verdict::Error => 4,
        }
    }
}

/// The verification service; cheap to share (`Arc`).
pub struct Service {
    client: RegistryClient,
    /// Replaced when a TUF refresh brings new material (see `serve::mod`).
    trust: std::sync::RwLock<(TrustMaterial, npm_provenance_core::tuf::TrustSource)>,
    policy: CachePolicy,
    cache: Mutex<(LruCache<PackageQuery, Entry>, usize)>,
    in_flight: Mutex<HashMap<PackageQuery, Flight>>,
    shared: Arc<SharedDocuments>,
    stats: ServiceStats,
}

impl Service {
    pub fn new(
        client: RegistryClient,
        trust: TrustMaterial,
        source: npm_provenance_core::tuf::TrustSource,
        policy: CachePolicy,
    ) -> Arc<Self> {
        Arc::new(Self {
            shared: SharedDocuments::new(client.clone()),
            client,
            trust: std::sync::RwLock::new((trust, source)),
            policy,
            cache: Mutex::new((LruCache::unbounded(), 0)),
            in_flight: Mutex::new(HashMap::new()),
            stats: ServiceStats::default(),
        })
    }

    /// The trust material in use and where it came from.
    pub fn trust(&self) -> (TrustMaterial, npm_provenance_core::tuf::TrustSource) {
        self.trust.read().unwrap().clone()
    }

    /// New material from a refresh: later verifications use it.
    pub fn set_trust(&self, trust: TrustMaterial, source: npm_provenance_core::tuf::TrustSource) {
        *self.trust.write().unwrap() = (trust, source);
    }

    pub fn registry(&self) -> &str {
        self.client.base()
    }

    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    pub fn stats(&self) -> &ServiceStats {
        &self.stats
    }

    /// Requests made to the registry so far.
    pub fn registry_requests(&self) -> u64 {
        self.client.stats().requests.load(Ordering::Relaxed)
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

    /// What an entry costs the cache: the key, and the report (held as the
    /// report and its JSON) or the error's text.
    fn entry_bytes(query: &PackageQuery, value: &Result<Arc<Outcome>>) -> usize {
        let key = 256 + query.name.len() + query.version.as_ref().map_or(0, String::len);
        key + match value {
            Ok(o) => o.json.len() * 2 + 512,
            Err(e) => 128 + e.message().len(),
        }
    }

    fn store(&self, query: PackageQuery, value: Result<Arc<Outcome>>) {
        let ttl = match (&value, &query.version) {
            (Err(_), _) => self.policy.error,
            (Ok(o), _) if o.transient => self.policy.error,
            (Ok(_), None) => self.policy.latest,
            (Ok(o), Some(_)) if o.report.verdict == Verdict::Verified => self.policy.verified_version,
            (Ok(_), Some(_)) => self.policy.unverified_version,
        };
        let size = Self::entry_bytes(&query, &value);
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
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return hit;
        }
        self.stats.cache_misses.fetch_add(1, Ordering::Relaxed);
        let flight = {
            let mut in_flight = self.in_flight.lock().unwrap();
            match in_flight.get(&query) {
                Some(f) => f.clone(),
                None => {
                    // A task of its own: it runs to its end whoever waits.
                    let this = self.clone();
                    let key = query.clone();
                    let task = tokio::spawn(async move {
                        let value = this.compute(&key).await;
                        this.store(key.clone(), value.clone());
                        this.in_flight.lock().unwrap().remove(&key);
                        value
                    });
                    let f = async move {
                        task.await.unwrap_or_else(|e| {
                            Err(ServiceError::Registry {
                                message: format!("The verification stopped: {e}."),
                                cause: npm_provenance_core::lookup::Cause::Unusable,
                                transient: true,
                            })
                        })
                    }
                    .boxed()
                    .shared();
                    in_flight.insert(query, f.clone());
                    f
                }
            }
        };
        flight.await
    }

    /// One lookup through the core, to its verdict, downgrade and what
    /// changed since the previous version (a badge carries all three).
    async fn compute(self: &Arc<Self>, query: &PackageQuery) -> Result<Arc<Outcome>> {
        let (trust, source) = self.trust();
        let mut question = Question::new(
            self.client.base(),
            &query.name,
            query.version.as_deref(),
            Depth::Changes,
        );
        // A badge answers now: a failure is cached briefly and asked again.
        question.retries = 0;
        let looked_up = crate::lookup::run(&self.client, &trust, question, Some(&self.shared)).await;
        if let Some(error) = looked_up.error {
            return Err(error);
        }
        let mut report = looked_up.report;
        report.trust_source = Some(source);
        let version = looked_up.version.unwrap_or_default();
        let json = serde_json::to_string(&report).expect("reports serialize");
        let outcome = Arc::new(Outcome {
            badge: BadgeState::from_report(&report),
            version: version.clone(),
            transient: looked_up.transient,
            report,
            json,
        });
        self.stats.verifications[ServiceStats::verdict_index(outcome.report.verdict)].fetch_add(1, Ordering::Relaxed);
        if query.version.is_none() {
            // The fixed version's entry serves later requests for it too.
            let fixed = PackageQuery {
                name: query.name.clone(),
                version: Some(version),
            };
            self.store(fixed, Ok(outcome.clone()));
        }
        Ok(outcome)
    }
}
