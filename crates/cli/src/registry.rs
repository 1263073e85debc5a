//! The registry client of `serve` and `audit`: npm's API paths, timeouts,
//! size limits, and bounds on what any number of requests can make it hold.
//!
//! A badge server turns anyone's request into registry traffic, and an audit
//! asks for thousands of documents, so:
//! - at most `max_fetches` requests run at once, and the bytes held by all of
//!   them together never exceed `inflight_bytes` (a request waits for room);
//! - every fetch runs under the registry timeout, from connecting to the
//!   last byte (and the wait for room counts);
//! - redirects are followed only within the registry's own origin, and no
//!   `Referer` is sent;
//! - compressed transfer (gzip, brotli) is asked for and decoded; the limits
//!   count decoded bytes;
//! - what to ask for, and whether a failure is tried again, is the core's
//!   lookup's to say ([`npm_provenance_core::lookup`]): this client answers
//!   its requests ([`RegistryClient::answer`]) and decides nothing;
//! - with a cache directory (the audit's), documents of pinned versions,
//!   which npm never changes once published, are kept between runs.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use npm_provenance_core::lookup::{Answer, Request};
use npm_provenance_core::registry_documents::registry_url;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Redirects followed within the registry's origin.
const MAX_REDIRECTS: usize = 3;

/// Why the registry did not give a usable document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// A status other than 2xx and 404, with the seconds of a `Retry-After`.
    Status(u16, Option<u32>),
    Timeout,
    /// A redirect off the registry's origin, or too many.
    Redirect,
    Network(String),
    TooLarge,
    Malformed(String),
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryError::Status(s, _) => write!(f, "the registry answered HTTP {s}"),
            RegistryError::Timeout => write!(f, "the registry did not answer in time"),
            RegistryError::Redirect => write!(f, "the registry redirected off its origin"),
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_fetches: 16,
            inflight_bytes: 128 << 20,
        }
    }
}

/// Documents of pinned package versions kept on disk between runs, one file
/// per registry and path (named by their SHA-256). npm's versions are
/// immutable once published, so a document fetched once stays true; only
/// what a lookup read and accepted is kept (a 404 may become a version
/// later, and a broken answer kept would be served again for good).
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

    /// Answers one of the core lookup's requests: after its pause (a request
    /// tried again), from the disk cache when it is a pinned document kept
    /// there, else from the registry.
    pub async fn answer(&self, request: &Request) -> Answer {
        if request.delay_ms > 0 {
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(u64::from(request.delay_ms))).await;
        }
        let cache = self.cache.as_ref().filter(|_| request.pinned);
        if let Some(text) = cache.and_then(|c| c.read(&self.base, &request.path, request.limit)) {
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Answer::Body(text);
        }
        match self.get_once(&request.path, request.limit).await {
            Ok(Some(doc)) => Answer::Body(doc.text),
            Ok(None) => Answer::NotFound,
            Err(RegistryError::Status(status, retry_after_s)) => Answer::Status { status, retry_after_s },
            Err(RegistryError::Timeout) => Answer::Timeout,
            Err(RegistryError::Network(e)) => Answer::Network(e),
            Err(RegistryError::TooLarge) => Answer::TooLarge,
            Err(RegistryError::Redirect) => Answer::Redirect,
            Err(RegistryError::Malformed(e)) => Answer::Unreadable(e),
        }
    }

    /// Keeps a pinned document that a lookup read and accepted
    /// ([`npm_provenance_core::lookup::Outcome::keep`]) in the disk cache.
    pub fn keep(&self, path: &str, text: &str) {
        if let Some(cache) = &self.cache
            && !cache.path(&self.base, path).exists()
        {
            cache.write(&self.base, path, text);
        }
    }

    /// GETs a document once; `Ok(None)` for 404.
    pub async fn get(&self, path: &str, limit: usize) -> Result<Option<Document>, RegistryError> {
        self.get_once(path, limit).await
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
            if e.is_redirect() {
                return RegistryError::Redirect;
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
            status => {
                // Seconds only; an HTTP date is not worth a clock here.
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u32>().ok());
                return Err(RegistryError::Status(status, retry_after));
            }
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
}
