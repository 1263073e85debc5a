//! The registry client of `serve` and `audit`: npm's API paths, timeouts,
//! size limits, and bounds on what any number of requests can make it hold.
//!
//! A badge server turns anyone's request into registry traffic, and an audit
//! asks for thousands of documents, so:
//! - it asks for the smallest document that has what it needs: a version's
//!   own document (`/<name>/<version>`, or `/<name>/latest` for the latest),
//!   never the whole package document, which can be tens of megabytes;
//! - at most `max_fetches` requests run at once, and the bytes held by all of
//!   them together never exceed `inflight_bytes` (a request waits for room);
//! - every fetch runs under the registry timeout, from connecting to the
//!   last byte (and the wait for room counts);
//! - redirects are followed only within the registry's own origin, and no
//!   `Referer` is sent;
//! - compressed transfer (gzip, brotli) is asked for and decoded; the limits
//!   count decoded bytes;
//! - with `retries` (the audit's), a 429 or 5xx answer or a timeout is tried
//!   again after a growing pause, so that a busy registry is given room;
//! - with a cache directory (the audit's), documents of pinned versions,
//!   which npm never changes once published, are kept between runs.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use npm_provenance_core::registry_documents::{
    MAX_ATTESTATIONS_BYTES, attestations_path, parse_version_document, registry_url,
};
use npm_provenance_core::{VersionDist, text::visible};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A version document is one version's metadata; a megabyte is generous
/// (npm's are a few kilobytes; old ones carry a readme).
pub const MAX_VERSION_DOCUMENT_BYTES: usize = 4 << 20;
/// Redirects followed within the registry's origin.
const MAX_REDIRECTS: usize = 3;

/// Why the registry did not give a usable document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    Status(u16),
    Timeout,
    Network(String),
    TooLarge,
    Malformed(String),
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryError::Status(s) => write!(f, "the registry answered HTTP {s}"),
            RegistryError::Timeout => write!(f, "the registry did not answer in time"),
            RegistryError::Network(e) => write!(f, "the registry could not be reached: {e}"),
            RegistryError::TooLarge => write!(f, "the registry's answer is too large"),
            RegistryError::Malformed(e) => write!(f, "the registry's answer is not usable: {e}"),
        }
    }
}

/// Bounds on the client's work.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time for one fetch, from connecting to the last byte.
    pub timeout: Duration,
    /// Registry requests running at once.
    pub max_fetches: usize,
    /// Bytes all running requests may hold together.
    pub inflight_bytes: usize,
    /// Times a 429, 5xx or timed-out request is tried again.
    pub retries: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_fetches: 16,
            inflight_bytes: 128 << 20,
            retries: 0,
        }
    }
}

/// The pause before retry `attempt` (1, 2, ...): 250 ms, 1 s, 4 s, then 8 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((250u64 << (2 * attempt.saturating_sub(1).min(5))).min(8_000))
}

impl RegistryError {
    /// Whether trying again later may help: the registry asked for room
    /// (429), failed for a while (5xx), or was slow. Not a 404 or a 403.
    pub fn is_transient(&self) -> bool {
        match self {
            RegistryError::Status(s) => *s == 429 || (500..600).contains(s),
            RegistryError::Timeout | RegistryError::Network(_) => true,
            RegistryError::TooLarge | RegistryError::Malformed(_) => false,
        }
    }
}

/// Documents of pinned package versions kept on disk between runs, one file
/// per registry and path (named by their SHA-256). npm's versions are
/// immutable once published, so a document fetched once stays true; only
/// successful answers are kept (a 404 may become a version later).
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    /// `dir`, or the user's cache directory (`$XDG_CACHE_HOME` or
    /// `~/.cache`) + `npm-provenance`.
    pub fn new(dir: Option<PathBuf>) -> Option<Self> {
        let dir = dir.or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|base| base.join("npm-provenance"))
        })?;
        Some(Self {
            dir: dir.join("documents-v1"),
        })
    }

    fn path(&self, base: &str, path: &str) -> PathBuf {
        use sha2::Digest as _;
        let key = sha2::Sha256::digest(format!("{base}\n{path}").as_bytes());
        self.dir.join(format!("{}.json", hex::encode(key)))
    }

    fn read(&self, base: &str, path: &str, limit: usize) -> Option<String> {
        let file = self.path(base, path);
        let size = std::fs::metadata(&file).ok()?.len();
        if size as usize > limit {
            return None;
        }
        std::fs::read_to_string(file).ok()
    }

    /// Written to a temporary file and renamed, so that a reader never sees
    /// half a document; a cache that cannot be written is no error.
    fn write(&self, base: &str, path: &str, text: &str) {
        let file = self.path(base, path);
        let temp = file.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::create_dir_all(&self.dir).is_ok() && std::fs::write(&temp, text).is_ok() {
            let _ = std::fs::rename(&temp, &file);
        }
    }
}

/// What the client has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct RegistryStats {
    pub requests: AtomicU64,
    pub errors: AtomicU64,
    pub bytes: AtomicU64,
    pub retries: AtomicU64,
    pub cache_hits: AtomicU64,
}

/// A document as fetched, holding its share of the in-flight byte budget
/// until it is dropped.
pub struct Document {
    pub text: String,
    _budget: Vec<OwnedSemaphorePermit>,
}

/// A client for one registry (a base URL with npm's API).
#[derive(Clone)]
pub struct RegistryClient {
    base: String,
    http: reqwest::Client,
    limits: Limits,
    fetches: Arc<Semaphore>,
    /// Permits are kibibytes.
    budget: Arc<Semaphore>,
    stats: Arc<RegistryStats>,
    cache: Option<DiskCache>,
}

/// Installs the TLS crypto provider reqwest uses, once.
pub fn install_tls() {
    install_tls_provider();
}

fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// `scheme://host:port` of a URL.
fn origin(url: &reqwest::Url) -> (String, Option<String>, Option<u16>) {
    (
        url.scheme().to_string(),
        url.host_str().map(str::to_ascii_lowercase),
        url.port_or_known_default(),
    )
}

impl RegistryClient {
    pub fn new(base: &str, limits: Limits) -> Result<Self, String> {
        install_tls_provider();
        // Redirects stay on the registry's origin: a registry must not point
        // the server at another host (an internal address, say).
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().map(origin);
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if first.is_some_and(|o| o == origin(attempt.url())) {
                attempt.follow()
            } else {
                attempt.error("the registry redirected to another origin")
            }
        });
        let http = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(5)))
            .redirect(policy)
            .referer(false)
            .user_agent(concat!("npm-provenance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot create an HTTP client: {e}"))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            http,
            limits,
            fetches: Arc::new(Semaphore::new(limits.max_fetches.max(1))),
            budget: Arc::new(Semaphore::new((limits.inflight_bytes >> 10).max(1))),
            stats: Arc::new(RegistryStats::default()),
            cache: None,
        })
    }

    /// Keeps documents of pinned versions in `cache` between runs.
    pub fn with_cache(mut self, cache: Option<DiskCache>) -> Self {
        self.cache = cache;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn stats(&self) -> &RegistryStats {
        &self.stats
    }

    /// GETs a document; `Ok(None)` for 404. At most `limit` bytes, within the
    /// in-flight budget, each try under the timeout; transient failures are
    /// tried again `retries` times. With `pinned`, the document is of a
    /// version that never changes: read from and kept in the disk cache.
    pub async fn get(&self, path: &str, limit: usize, pinned: bool) -> Result<Option<Document>, RegistryError> {
        let cache = self.cache.as_ref().filter(|_| pinned);
        if let Some(text) = cache.and_then(|c| c.read(&self.base, path, limit)) {
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(Document {
                text,
                _budget: Vec::new(),
            }));
        }
        let mut attempt = 0;
        loop {
            match self.get_once(path, limit).await {
                Err(e) if e.is_transient() && attempt < self.limits.retries => {
                    attempt += 1;
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Ok(Some(doc)) => {
                    if let Some(cache) = cache {
                        cache.write(&self.base, path, &doc.text);
                    }
                    return Ok(Some(doc));
                }
                other => return other,
            }
        }
    }

    async fn get_once(&self, path: &str, limit: usize) -> Result<Option<Document>, RegistryError> {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let result = match tokio::time::timeout(self.limits.timeout, self.fetch(path, limit)).await {
            Ok(result) => result,
            Err(_) => Err(RegistryError::Timeout),
        };
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    async fn fetch(&self, path: &str, limit: usize) -> Result<Option<Document>, RegistryError> {
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                return RegistryError::Timeout;
            }
            // reqwest's own text names the step; the cause says what went wrong.
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            RegistryError::Network(text)
        };
        let _running = self
            .fetches
            .acquire()
            .await
            .map_err(|_| RegistryError::Network("the client is shutting down".into()))?;
        let url = registry_url(&self.base, path);
        let mut response = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(classify)?;
        match response.status().as_u16() {
            404 => return Ok(None),
            200..=299 => {}
            status => return Err(RegistryError::Status(status)),
        }
        if response.content_length().is_some_and(|n| n as usize > limit) {
            return Err(RegistryError::TooLarge);
        }
        let mut body = Vec::new();
        let mut budget = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > limit {
                return Err(RegistryError::TooLarge);
            }
            // Room in the shared budget before the bytes are kept.
            let kib = (chunk.len() as u32).div_ceil(1024).max(1);
            let permit = self
                .budget
                .clone()
                .acquire_many_owned(kib)
                .await
                .map_err(|_| RegistryError::Network("the client is shutting down".into()))?;
            budget.push(permit);
            self.stats.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| RegistryError::Malformed("not UTF-8".into()))?;
        Ok(Some(Document { text, _budget: budget }))
    }

    /// A version's document: `version` is a version or a dist-tag (`latest`).
    /// Returns the version it states and its `dist`; `Ok(None)` when the
    /// registry has no such package or version.
    pub async fn version_document(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Option<(String, String, VersionDist)>, RegistryError> {
        let path = format!(
            "{}/{}",
            npm_provenance_core::registry_documents::packument_path(name),
            version
        );
        // A version (not a tag such as `latest`) is pinned: its document never changes.
        let pinned = npm_provenance_core::package::validate_version(version).is_ok();
        match self.get(&path, MAX_VERSION_DOCUMENT_BYTES, pinned).await? {
            None => Ok(None),
            Some(doc) => parse_version_document(&doc.text)
                .map(Some)
                .map_err(|e| RegistryError::Malformed(visible(&e))),
        }
    }

    /// A version's attestations response; `Ok(None)` when there is none.
    pub async fn attestations(&self, name: &str, version: &str) -> Result<Option<Document>, RegistryError> {
        self.get(&attestations_path(name, version), MAX_ATTESTATIONS_BYTES, true)
            .await
    }
}
