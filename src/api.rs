//! Talking to the registry: the documents the core's lookup asks for
//! ([`npm_provenance_core::lookup`]), fetched from the page's workers.
//!
//! Every request has a timeout and a size limit: a registry that hangs or
//! answers with a gigabyte must not freeze the page. What a document means
//! and whether to try again is the lookup's to say: this module answers.

use std::fmt;

use js_sys::{Reflect, Uint8Array};
use npm_provenance_core::lookup::{Answer, Request};
use npm_provenance_core::registry_documents::registry_url;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, Response};

/// How long a registry request may take.
pub const REQUEST_TIMEOUT_MS: i32 = 20_000;

/// Why a registry request did not produce a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The registry answered with this status.
    Status {
        status: u16,
        status_text: String,
        url: String,
    },
    /// No answer at all: the network, or the registry refusing cross-origin requests.
    Network { url: String },
    /// No answer within [`REQUEST_TIMEOUT_MS`].
    Timeout { url: String },
    /// The answer was larger than what is accepted for this document.
    TooLarge { url: String, limit: usize },
    /// The answer could not be read as the document it should be.
    Malformed { url: String, detail: String },
    /// The registry answered with a redirect: the app follows none (a
    /// registry must not send the page to another origin).
    Redirect { url: String },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Status {
                status,
                status_text,
                url,
            } => {
                write!(
                    f,
                    "The registry answered HTTP {status}{} for {url}.",
                    if status_text.is_empty() {
                        String::new()
                    } else {
                        format!(" {status_text}")
                    }
                )
            }
            FetchError::Network { url } => write!(
                f,
                "Could not reach {url}. The registry may be down, or may not allow requests from browsers (CORS). \
                 You can choose another registry in the settings."
            ),
            FetchError::Timeout { url } => write!(
                f,
                "The registry did not answer within {} s: {url}.",
                REQUEST_TIMEOUT_MS / 1000
            ),
            FetchError::TooLarge { url, limit } => write!(
                f,
                "The answer from {url} is larger than {} MB; it is not read.",
                limit >> 20
            ),
            FetchError::Malformed { url, detail } => write!(f, "The answer from {url} is not usable: {detail}"),
            FetchError::Redirect { url } => write!(
                f,
                "The registry answered {url} with a redirect, which this app does not follow: a registry must serve its documents itself."
            ),
        }
    }
}

impl FetchError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::Status { status: 404, .. })
    }
}

fn set_timeout(callback: &js_sys::Function, ms: i32) -> Option<i32> {
    let set = Reflect::get(&js_sys::global(), &"setTimeout".into()).ok()?;
    let set: js_sys::Function = set.dyn_into().ok()?;
    set.call2(&JsValue::NULL, callback, &ms.into())
        .ok()?
        .as_f64()
        .map(|id| id as i32)
}

fn clear_timeout(id: i32) {
    if let Ok(clear) = Reflect::get(&js_sys::global(), &"clearTimeout".into())
        && let Ok(clear) = clear.dyn_into::<js_sys::Function>()
    {
        let _ = clear.call1(&JsValue::NULL, &id.into());
    }
}

/// GETs `url` as text, with a timeout and a size limit read as it streams.
/// `Ok(None)` for 404.
pub async fn get_text(url: &str, limit: usize) -> Result<Option<String>, FetchError> {
    get_text_cached(url, limit, web_sys::RequestCache::Default).await
}

async fn get_text_cached(url: &str, limit: usize, cache: web_sys::RequestCache) -> Result<Option<String>, FetchError> {
    let controller = AbortController::new().map_err(|_| FetchError::Network { url: url.into() })?;
    // The registry's JSON; no credentials are ever sent to it, and no
    // redirect is followed (to another origin or anywhere). gloo-net sends
    // it from the page or a worker alike.
    let request = gloo_net::http::Request::get(url)
        .abort_signal(Some(&controller.signal()))
        .credentials(web_sys::RequestCredentials::Omit)
        .redirect(web_sys::RequestRedirect::Manual)
        .cache(cache)
        .build()
        .map_err(|_| FetchError::Network { url: url.into() })?;
    let abort = {
        let controller = controller.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || controller.abort())
    };
    let timer = set_timeout(abort.unchecked_ref(), REQUEST_TIMEOUT_MS);
    let result = read_response(url, limit, request).await;
    if let Some(id) = timer {
        clear_timeout(id);
    }
    match result {
        Err(_) if controller.signal().aborted() => Err(FetchError::Timeout { url: url.into() }),
        other => other,
    }
}

async fn read_response(
    url: &str,
    limit: usize,
    request: gloo_net::http::Request,
) -> Result<Option<String>, FetchError> {
    let network = || FetchError::Network { url: url.into() };
    // Read as the browser's own Response: the body is streamed below, with
    // the size limit applied as it arrives.
    let response: Response = request.send().await.map_err(|_| network())?.into();
    if response.type_() == web_sys::ResponseType::Opaqueredirect || response.redirected() {
        return Err(FetchError::Redirect { url: url.into() });
    }
    if response.status() == 404 {
        return Ok(None);
    }
    if !response.ok() {
        return Err(FetchError::Status {
            status: response.status(),
            status_text: response.status_text(),
            url: url.into(),
        });
    }
    let too_large = || FetchError::TooLarge { url: url.into(), limit };
    if let Ok(Some(length)) = response.headers().get("content-length")
        && length.parse::<usize>().is_ok_and(|n| n > limit)
    {
        return Err(too_large());
    }
    let Some(body) = response.body() else {
        return Ok(Some(String::new()));
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().dyn_into().map_err(|_| network())?;
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| network())?;
        if Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(|_| network())?
            .unchecked_into();
        if bytes.len() + value.length() as usize > limit {
            let _ = reader.cancel();
            return Err(too_large());
        }
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
    }
    String::from_utf8(bytes).map(Some).map_err(|_| FetchError::Malformed {
        url: url.into(),
        detail: "it is not UTF-8 text.".into(),
    })
}

/// A pause of `ms` milliseconds (for back-off between retries).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Documents of pinned package versions, kept in the browser's Cache
/// Storage between visits: npm never changes a version once published, so a
/// document fetched once stays true, and a second audit of the same
/// lockfile asks the registry for nothing. (Cache Storage keeps HTTP
/// answers by URL, which is what these are; only successful ones are kept.)
mod pinned_cache {
    use std::cell::RefCell;
    use std::collections::HashSet;

    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    const NAME: &str = "npm-provenance-documents-v1";

    thread_local! {
        /// The URLs the cache holds, listed once per page (each lookup is a
        /// round trip to the browser's own process: asking only for what
        /// is there keeps a first audit from paying one per document).
        static KNOWN: RefCell<Option<HashSet<String>>> = const { RefCell::new(None) };
        /// Documents to keep, written after the work that fetched them.
        static PENDING: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    }

    async fn open() -> Option<web_sys::Cache> {
        // The audit's documents are fetched in its workers, the rest on the page.
        let global = js_sys::global();
        let caches = match global.clone().dyn_into::<web_sys::Window>() {
            Ok(window) => window.caches().ok()?,
            Err(_) => global.unchecked_into::<web_sys::WorkerGlobalScope>().caches().ok()?,
        };
        JsFuture::from(caches.open(NAME)).await.ok()?.dyn_into().ok()
    }

    /// Whether the cache holds `url`, listing it once per page or worker.
    async fn holds(url: &str) -> bool {
        if let Some(held) = KNOWN.with(|k| k.borrow().as_ref().map(|known| known.contains(url))) {
            return held;
        }
        known().await.contains(url)
    }

    async fn known() -> HashSet<String> {
        if let Some(known) = KNOWN.with(|k| k.borrow().clone()) {
            return known;
        }
        let mut urls = HashSet::new();
        if let Some(cache) = open().await
            && let Ok(keys) = JsFuture::from(cache.keys()).await
        {
            for request in js_sys::Array::from(&keys).iter() {
                if let Ok(request) = request.dyn_into::<web_sys::Request>() {
                    urls.insert(request.url());
                }
            }
        }
        KNOWN.with(|k| *k.borrow_mut() = Some(urls.clone()));
        urls
    }

    pub async fn get(url: &str, limit: usize) -> Option<String> {
        if !holds(url).await {
            return None;
        }
        let cache = open().await?;
        let hit = JsFuture::from(cache.match_with_str(url)).await.ok()?;
        let response: web_sys::Response = hit.dyn_into().ok()?;
        let text = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        (text.len() <= limit).then_some(text)
    }

    /// How many documents the cache holds (listed afresh: other workers write to it).
    pub async fn count() -> usize {
        KNOWN.with(|k| *k.borrow_mut() = None);
        known().await.len()
    }

    /// Deletes every kept document.
    pub async fn clear() -> bool {
        KNOWN.with(|k| *k.borrow_mut() = None);
        let global = js_sys::global();
        let caches = match global.clone().dyn_into::<web_sys::Window>() {
            Ok(window) => window.caches().ok(),
            Err(_) => global.unchecked_into::<web_sys::WorkerGlobalScope>().caches().ok(),
        };
        let Some(caches) = caches else { return false };
        JsFuture::from(caches.delete(NAME))
            .await
            .ok()
            .and_then(|done| done.as_bool())
            .unwrap_or(false)
    }

    /// Keeps `text` for `url`, written by [`flush`].
    pub fn put(url: &str, text: &str) {
        PENDING.with(|p| p.borrow_mut().push((url.to_string(), text.to_string())));
    }

    /// Writes what [`put`] kept, off the critical path of the work.
    pub async fn flush() {
        let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        if pending.is_empty() {
            return;
        }
        let Some(cache) = open().await else { return };
        let mut written = Vec::with_capacity(pending.len());
        for (url, text) in pending {
            let Ok(response) = web_sys::Response::new_with_opt_str(Some(&text)) else {
                continue;
            };
            if JsFuture::from(cache.put_with_str(&url, &response)).await.is_ok() {
                written.push(url);
            }
        }
        // What this worker wrote is held now. The listing is not thrown
        // away: every lookup of a page writes, and listing the whole cache
        // again before the next one's documents made a 100-version history
        // list it 100 times, each time longer (`relist` does it once a
        // bulk job has ended, for what the other workers wrote).
        KNOWN.with(|k| {
            if let Some(known) = k.borrow_mut().as_mut() {
                known.extend(written);
            }
        });
    }

    /// Lists the cache again on the next lookup: other workers of the same
    /// audit wrote theirs into it.
    pub fn relist() {
        KNOWN.with(|k| *k.borrow_mut() = None);
    }
}

/// Writes the documents lookups kept ([`keep_pinned`]) into the browser's
/// cache (called when a bulk job has shown its results).
pub async fn keep_pinned_documents() {
    pinned_cache::flush().await;
}

/// Writes what lookups kept, and lists the cache afresh before the next
/// lookup (a bulk job's end: the other workers wrote theirs too).
pub async fn keep_pinned_documents_and_relist() {
    pinned_cache::flush().await;
    pinned_cache::relist();
}

/// How many registry documents this browser keeps for the app (pinned
/// versions' documents, kept for the next audit).
pub async fn kept_documents() -> usize {
    pinned_cache::count().await
}

/// Forgets every kept document: the next audit asks the registry again
/// (a person who suspects what is kept, or wants the space back). A worker
/// that listed the cache before finds a document gone and fetches it.
pub async fn clear_kept_documents() -> bool {
    pinned_cache::clear().await
}

/// Keeps a pinned document that a lookup read and accepted
/// (`Outcome::keep`): written to Cache Storage by [`keep_pinned_documents`].
pub fn keep_pinned(url: &str, text: &str) {
    pinned_cache::put(url, text);
}

/// Answers one of the lookup's requests against `registry`: after its pause
/// (a request tried again); a pinned document from the browser's Cache
/// Storage when a lookup kept it before, else from the registry.
pub async fn answer(registry: &str, request: &Request) -> Answer {
    if request.delay_ms > 0 {
        sleep(i32::try_from(request.delay_ms).unwrap_or(i32::MAX)).await;
    }
    let url = registry_url(registry, &request.path);
    if request.pinned
        && let Some(text) = pinned_cache::get(&url, request.limit).await
    {
        return Answer::Body(text);
    }
    // Pinned documents are not written to the HTTP cache as well: they are
    // kept in Cache Storage. Measured in Chromium on this project's bench,
    // the HTTP cache's writes of 2,000 such documents cost 0.65 s of a plain
    // fetch loop's 2.9 s, and 1.15 s of Chromium's CPU.
    let cache = if request.pinned {
        web_sys::RequestCache::NoStore
    } else {
        web_sys::RequestCache::Default
    };
    match get_text_cached(&url, request.limit, cache).await {
        Ok(Some(text)) => Answer::Body(text),
        Ok(None) => Answer::NotFound,
        Err(FetchError::Status { status, .. }) => Answer::Status {
            status,
            retry_after_s: None,
        },
        Err(e @ FetchError::Network { .. }) => Answer::Network(e.to_string()),
        Err(FetchError::Timeout { .. }) => Answer::Timeout,
        Err(FetchError::TooLarge { .. }) => Answer::TooLarge,
        Err(FetchError::Redirect { .. }) => Answer::Redirect,
        Err(FetchError::Malformed { detail, .. }) => Answer::Unreadable(detail),
    }
}
