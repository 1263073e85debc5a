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
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

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
    /// Requests not sent because the registry asked to wait (`Retry-After`).
    pub held: AtomicU64,
}

/// What the client last heard from the registry, for readiness.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    /// The last answer that was the registry's own (any status it means,
    /// 404 included).
    pub last_ok: Option<Instant>,
    /// The last failure (429, 5xx, a timeout, no connection), and what it was.
    pub last_failure: Option<(Instant, String)>,
    /// Until when the registry asked not to be asked (`Retry-After` with a
    /// 429 or 503), and the status it answered.
    pub hold: Option<(Instant, u16)>,
}

impl Contact {
    /// Seconds left of a `Retry-After`, if one holds now.
    pub fn held_for(&self) -> Option<Duration> {
        let (until, _) = self.hold?;
        until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
    }

    /// Whether the last word from the registry was a failure.
    pub fn failing(&self) -> bool {
        match (&self.last_failure, self.last_ok) {
            (Some((failed, _)), Some(ok)) => *failed > ok,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// A document as fetched, holding its share of the in-flight byte budget
/// until it is dropped.
pub struct Document {
    pub text: String,
    budget: Vec<OwnedSemaphorePermit>,
}

/// What answering a request took: whether a request was sent, and the share
/// of the in-flight byte budget its body holds, kept by whoever reads the
/// body further (a package document being parsed) until it is dropped.
#[derive(Default)]
pub struct Holding {
    pub sent: bool,
    _budget: Vec<OwnedSemaphorePermit>,
}

/// The longest a `Retry-After` keeps the client from asking.
pub const MAX_HOLD: Duration = Duration::from_secs(600);

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
    /// The `Authorization` header sent to the registry, and only to it
    /// (marked sensitive: never logged, never shown).
    auth: Option<reqwest::header::HeaderValue>,
    contact: Arc<Mutex<Contact>>,
}

/// Credentials for a private registry, sent as its `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `Authorization: Bearer <token>` (npm's `_authToken`).
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic(String, String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credentials::Bearer(_) => "Bearer(..)",
            Credentials::Basic(..) => "Basic(..)",
        })
    }
}

/// Splits the credentials off a registry URL (`https://user:token@host/`):
/// the URL without them, for everything that is shown or sent elsewhere,
/// and the credentials, for the registry alone. Percent-escapes in them are
/// decoded.
pub fn split_credentials(url: &str) -> Result<(String, Option<Credentials>), String> {
    let mut parsed = reqwest::Url::parse(url).map_err(|_| "not a URL".to_string())?;
    let user = npm_provenance_core::percent::decode_lossy(parsed.username());
    let password = parsed.password().map(npm_provenance_core::percent::decode_lossy);
    if user.is_empty() && password.is_none() {
        return Ok((url.to_string(), None));
    }
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let clean = parsed.as_str().trim_end_matches('/').to_string();
    let credentials = match password {
        // `https://token@host` or `https://:token@host`: a token.
        None => Credentials::Bearer(user),
        Some(p) if user.is_empty() => Credentials::Bearer(p),
        Some(p) => Credentials::Basic(user, p),
    };
    Ok((clean, Some(credentials)))
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
            auth: None,
            contact: Arc::new(Mutex::new(Contact::default())),
        })
    }

    /// Sends `credentials` with every request to the registry.
    pub fn with_credentials(mut self, credentials: Option<Credentials>) -> Result<Self, String> {
        use base64::Engine as _;
        self.auth = match credentials {
            None => None,
            Some(c) => {
                let value = match c {
                    Credentials::Bearer(token) => format!("Bearer {}", token.trim()),
                    Credentials::Basic(user, password) => format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
                    ),
                };
                let mut header = reqwest::header::HeaderValue::from_str(&value)
                    .map_err(|_| "the registry credentials are not usable in a header".to_string())?;
                header.set_sensitive(true);
                Some(header)
            }
        };
        Ok(self)
    }

    /// Whether credentials are sent to the registry.
    pub fn has_credentials(&self) -> bool {
        self.auth.is_some()
    }

    /// What the client last heard from the registry.
    pub fn contact(&self) -> Contact {
        self.contact.lock().unwrap().clone()
    }

    /// Asks the registry something small (`/-/ping`) to learn whether it
    /// answers; any answer of its own counts, a 404 included.
    pub async fn probe(&self) -> Result<(), String> {
        match self.get_once("/-/ping", 1 << 16).await {
            Ok(_) => Ok(()),
            Err(RegistryError::Status(status, _)) if status != 429 && status < 500 => Ok(()),
            Err(e) => Err(e.to_string()),
        }
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
        self.answer_holding(request).await.0
    }

    /// [`Self::answer`], and what answering took: whether a request was sent,
    /// and the in-flight budget the body holds until the [`Holding`] is
    /// dropped (so that documents still being read count against
    /// `--registry-inflight-mb`).
    pub async fn answer_holding(&self, request: &Request) -> (Answer, Holding) {
        if request.delay_ms > 0 {
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(u64::from(request.delay_ms))).await;
        }
        let cache = self.cache.as_ref().filter(|_| request.pinned);
        if let Some(text) = cache.and_then(|c| c.read(&self.base, &request.path, request.limit)) {
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return (Answer::Body(text), Holding::default());
        }
        let held = self.contact().held_for().is_some();
        let mut holding = Holding {
            sent: !held,
            _budget: Vec::new(),
        };
        let answer = match self.get_once(&request.path, request.limit).await {
            Ok(Some(doc)) => {
                holding._budget = doc.budget;
                Answer::Body(doc.text)
            }
            Ok(None) => Answer::NotFound,
            Err(RegistryError::Status(status, retry_after_s)) => Answer::Status { status, retry_after_s },
            Err(RegistryError::Timeout) => Answer::Timeout,
            Err(RegistryError::Network(e)) => Answer::Network(e),
            Err(RegistryError::TooLarge) => Answer::TooLarge,
            Err(RegistryError::Redirect) => Answer::Redirect,
            Err(RegistryError::Malformed(e)) => Answer::Unreadable(e),
        };
        (answer, holding)
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
        // The registry asked to wait: it is not asked before then, and the
        // answer is what it said, with the seconds still to wait.
        let hold = {
            let contact = self.contact.lock().unwrap();
            contact.held_for().zip(contact.hold.map(|(_, status)| status))
        };
        if let Some((left, status)) = hold {
            self.stats.held.fetch_add(1, Ordering::Relaxed);
            let seconds = u32::try_from(left.as_secs() + 1).unwrap_or(u32::MAX);
            return Err(RegistryError::Status(status, Some(seconds)));
        }
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let result = match tokio::time::timeout(self.limits.timeout, self.fetch(path, limit)).await {
            Ok(result) => result,
            Err(_) => Err(RegistryError::Timeout),
        };
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        let now = Instant::now();
        let mut contact = self.contact.lock().unwrap();
        match &result {
            Err(RegistryError::Status(status, retry_after)) if *status == 429 || *status >= 500 => {
                contact.last_failure = Some((now, format!("HTTP {status}")));
                if let (429 | 503, Some(seconds)) = (*status, retry_after) {
                    let wait = Duration::from_secs(u64::from(*seconds)).min(MAX_HOLD);
                    contact.hold = Some((now + wait, *status));
                }
            }
            Err(e @ (RegistryError::Timeout | RegistryError::Network(_))) => {
                contact.last_failure = Some((now, e.to_string()));
            }
            _ => contact.last_ok = Some(now),
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
        let mut get = self.http.get(&url).header(reqwest::header::ACCEPT, "application/json");
        if let Some(auth) = &self.auth {
            get = get.header(reqwest::header::AUTHORIZATION, auth.clone());
        }
        let mut response = get.send().await.map_err(classify)?;
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
        Ok(Some(Document { text, budget }))
    }
}
