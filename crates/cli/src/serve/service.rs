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
//! so a latest lookup expires after minutes; failures, and answers that are
//! not final (the history could not be read), expire sooner still, or when
//! the registry's `Retry-After` says. When the registry fails, the last good
//! answer is served for a bounded time (`stale-if-error`), saying its age.
//! Memory is bounded by `--cache-mb`: the reports and the package documents
//! lookups share are counted in bytes, half of it each.

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

/// How long outcomes are kept, and the memory they may hold.
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    /// A fixed version that verified (its attestations cannot change).
    pub verified_version: Duration,
    /// A fixed version that did not verify (attestations may still appear).
    pub unverified_version: Duration,
    /// A lookup of the latest version.
    pub latest: Duration,
    /// Registry errors and unknown packages, and answers that are not final
    /// ([`Outcome::transient`]).
    pub error: Duration,
    /// How long after it was verified the last good answer is served when
    /// the registry fails ([`Answer::stale`]).
    pub stale_if_error: Duration,
    /// Bytes everything kept may hold: reports and badges, and the package
    /// documents lookups share (half each).
    pub max_bytes: usize,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            verified_version: Duration::from_secs(24 * 3600),
            unverified_version: Duration::from_secs(600),
            latest: Duration::from_secs(300),
            error: Duration::from_secs(30),
            stale_if_error: Duration::from_secs(24 * 3600),
            max_bytes: 64 << 20,
        }
    }
}

impl CachePolicy {
    /// The reports' and badges' share of the budget.
    pub fn report_bytes(&self) -> usize {
        self.max_bytes - self.document_bytes()
    }

    /// The shared package documents' share of the budget.
    pub fn document_bytes(&self) -> usize {
        self.max_bytes / 2
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
    /// When it was verified.
    pub at: Instant,
}

/// How a request was answered, for the request log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// From the cache.
    Hit,
    /// Looked up for this request.
    Miss,
    /// The lookup another request had started.
    Shared,
}

impl CacheUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheUse::Hit => "hit",
            CacheUse::Miss => "miss",
            CacheUse::Shared => "shared",
        }
    }
}

/// The service's answer to one request.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The outcome, or why there is none.
    pub value: Result<Arc<Outcome>>,
    /// When `value` is the last good outcome, served because the registry
    /// failed since (`stale-if-error`): that failure.
    pub stale: Option<ServiceError>,
    pub cache: CacheUse,
    /// Requests sent to the registry for this request.
    pub registry_requests: u32,
}

impl Answer {
    /// How old a stale answer is.
    pub fn stale_age(&self) -> Option<Duration> {
        match (&self.stale, &self.value) {
            (Some(_), Ok(outcome)) => Some(outcome.at.elapsed()),
            _ => None,
        }
    }
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

/// A lookup's result: the value to keep, the last good outcome it falls
/// back on, and the registry requests it sent.
#[derive(Clone)]
struct Computed {
    value: Result<Arc<Outcome>>,
    stale: Option<Arc<Outcome>>,
    registry_requests: u32,
}

type Flight = Shared<BoxFuture<'static, Computed>>;

struct Entry {
    value: Result<Arc<Outcome>>,
    /// The last final outcome, while the value is an error that may pass.
    good: Option<Arc<Outcome>>,
    expires: Instant,
    bytes: usize,
}

/// Whether an error may pass, so that the last good answer is served instead.
fn passing(error: &ServiceError) -> bool {
    matches!(error, ServiceError::Registry { transient: true, .. })
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct ServiceStats {
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    /// Last good answers served because the registry failed.
    pub stale_served: AtomicU64,
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
            shared: SharedDocuments::with_budget(client.clone(), policy.document_bytes()),
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

    pub fn policy(&self) -> &CachePolicy {
        &self.policy
    }

    /// Entries and bytes in the report cache.
    pub fn cache_usage(&self) -> (usize, usize) {
        let cache = self.cache.lock().unwrap();
        (cache.0.len(), cache.1)
    }

    /// Package documents kept for lookups, and their bytes.
    pub fn documents_usage(&self) -> (usize, usize) {
        (self.shared.len(), self.shared.bytes())
    }

    /// A cached answer that is still fresh (or the last good one standing
    /// in for a fresh error), and otherwise the last good outcome an
    /// expired entry holds, to fall back on.
    fn cached(&self, query: &PackageQuery) -> (Option<Computed>, Option<Arc<Outcome>>) {
        let mut cache = self.cache.lock().unwrap();
        let (lru, bytes) = &mut *cache;
        let now = Instant::now();
        match lru.get(query) {
            Some(entry) if entry.expires > now => {
                let stale = entry.good.clone().filter(|g| self.within_stale(g));
                let hit = Computed {
                    value: entry.value.clone(),
                    stale,
                    registry_requests: 0,
                };
                (Some(hit), None)
            }
            Some(entry) => {
                let good = match &entry.value {
                    Ok(o) if !o.transient => Some(o.clone()),
                    _ => entry.good.clone(),
                }
                .filter(|g| self.within_stale(g));
                if good.is_none()
                    && let Some(old) = lru.pop(query)
                {
                    *bytes -= old.bytes;
                }
                (None, good)
            }
            None => (None, None),
        }
    }

    fn within_stale(&self, good: &Arc<Outcome>) -> bool {
        good.at.elapsed() < self.policy.stale_if_error
    }

    /// What an entry costs the cache: the key, and the report (held as the
    /// report and its JSON) or the error's text.
    fn entry_bytes(query: &PackageQuery, value: &Result<Arc<Outcome>>, good: Option<&Arc<Outcome>>) -> usize {
        let outcome = |o: &Outcome| o.json.len() * 2 + 512;
        let key = 256 + query.name.len() + query.version.as_ref().map_or(0, String::len);
        key + match value {
            Ok(o) => outcome(o),
            Err(e) => 128 + e.message().len(),
        } + good.map_or(0, |g| outcome(g))
    }

    /// The time an error is kept: the policy's, or as long as the registry
    /// asked not to be asked (`Retry-After`), whichever is longer.
    fn error_ttl(&self) -> Duration {
        let held = self.client.contact().held_for().unwrap_or_default();
        self.policy.error.max(held)
    }

    fn store(&self, query: PackageQuery, value: Result<Arc<Outcome>>, good: Option<Arc<Outcome>>) {
        let ttl = match (&value, &query.version) {
            (Err(_), _) => self.error_ttl(),
            (Ok(o), _) if o.transient => self.policy.error,
            (Ok(_), None) => self.policy.latest,
            (Ok(o), Some(_)) if o.report.verdict == Verdict::Verified => self.policy.verified_version,
            (Ok(_), Some(_)) => self.policy.unverified_version,
        };
        // An outcome that is final needs nothing to fall back on.
        let good = match &value {
            Ok(o) if !o.transient => None,
            _ => good,
        };
        let size = Self::entry_bytes(&query, &value, good.as_ref());
        let mut cache = self.cache.lock().unwrap();
        let (lru, bytes) = &mut *cache;
        if let Some(old) = lru.put(
            query,
            Entry {
                value,
                good,
                expires: Instant::now() + ttl,
                bytes: size,
            },
        ) {
            *bytes -= old.bytes;
        }
        *bytes += size;
        while *bytes > self.policy.report_bytes() {
            match lru.pop_lru() {
                Some((_, old)) => *bytes -= old.bytes,
                None => break,
            }
        }
    }

    /// The answer for a package (latest version) or a package version.
    pub async fn verify(self: &Arc<Self>, query: PackageQuery) -> Answer {
        let (hit, fallback) = self.cached(&query);
        if let Some(hit) = hit {
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return self.answer(hit, CacheUse::Hit);
        }
        self.stats.cache_misses.fetch_add(1, Ordering::Relaxed);
        let (flight, started) = {
            let mut in_flight = self.in_flight.lock().unwrap();
            match in_flight.get(&query) {
                Some(f) => (f.clone(), false),
                None => {
                    // A task of its own: it runs to its end whoever waits.
                    let this = self.clone();
                    let key = query.clone();
                    let task = tokio::spawn(async move {
                        let (value, registry_requests) = this.compute(&key).await;
                        let good = fallback.filter(|_| {
                            value.as_ref().err().is_some_and(passing) || value.as_ref().is_ok_and(|o| o.transient)
                        });
                        this.store(key.clone(), value.clone(), good.clone());
                        this.in_flight.lock().unwrap().remove(&key);
                        Computed {
                            stale: good.filter(|_| value.as_ref().err().is_some_and(passing)),
                            value,
                            registry_requests,
                        }
                    });
                    let f = async move {
                        task.await.unwrap_or_else(|e| Computed {
                            value: Err(ServiceError::Registry {
                                message: format!("The verification stopped: {e}."),
                                cause: npm_provenance_core::lookup::Cause::Unusable,
                                transient: true,
                            }),
                            stale: None,
                            registry_requests: 0,
                        })
                    }
                    .boxed()
                    .shared();
                    in_flight.insert(query, f.clone());
                    (f, true)
                }
            }
        };
        let computed = flight.await;
        if started {
            self.answer(computed, CacheUse::Miss)
        } else {
            self.answer(
                Computed {
                    registry_requests: 0,
                    ..computed
                },
                CacheUse::Shared,
            )
        }
    }

    /// The answer to serve: the value, or the last good outcome in place of
    /// an error that may pass.
    fn answer(&self, computed: Computed, cache: CacheUse) -> Answer {
        match (computed.value, computed.stale) {
            (Err(error), Some(good)) if passing(&error) => {
                self.stats.stale_served.fetch_add(1, Ordering::Relaxed);
                Answer {
                    value: Ok(good),
                    stale: Some(error),
                    cache,
                    registry_requests: computed.registry_requests,
                }
            }
            (value, _) => Answer {
                value,
                stale: None,
                cache,
                registry_requests: computed.registry_requests,
            },
        }
    }

    /// One lookup through the core, to its verdict, downgrade and what
    /// changed since the previous version (a badge carries all three), and
    /// the requests it sent to the registry.
    async fn compute(self: &Arc<Self>, query: &PackageQuery) -> (Result<Arc<Outcome>>, u32) {
        let (trust, source) = self.trust();
        let mut question = Question::new(
            self.client.base(),
            &query.name,
            query.version.as_deref(),
            Depth::Changes,
        );
        // A badge answers now: a failure is cached briefly and asked again.
        question.retries = 0;
        let (looked_up, sent) = crate::lookup::run_counted(&self.client, &trust, question, Some(&self.shared)).await;
        if let Some(error) = looked_up.error {
            return (Err(error), sent);
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
            at: Instant::now(),
        });
        self.stats.verifications[ServiceStats::verdict_index(outcome.report.verdict)].fetch_add(1, Ordering::Relaxed);
        if query.version.is_none() {
            // The fixed version's entry serves later requests for it too.
            let fixed = PackageQuery {
                name: query.name.clone(),
                version: Some(version),
            };
            self.store(fixed, Ok(outcome.clone()), None);
        }
        (Ok(outcome), sent)
    }
}
