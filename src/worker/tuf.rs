//! The worker's TUF refresh: fetches what the core's refresh steps ask for
//! from the repository (`npm_provenance_core::tuf`), keeps what verified in
//! the browser's Cache Storage (so the next visit re-verifies it instead of
//! fetching it, and knows the versions below which a repository may not
//! roll back), and runs the core's one refresh and policy (`tuf::refresh_fetching`):
//! fresh material, else the last verified refresh, else the built-in one;
//! an attack is a console warning and says so in every report.

use std::cell::RefCell;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use js_sys::{Array, Uint8Array};
use npm_provenance_core::tuf::{EMBEDDED_TUF_ROOT, SIGSTORE_TUF_URL, TufFiles, TufState, refresh_fetching};
use npm_provenance_core::{TrustConfig, TufConfig};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, Request, Response, WorkerGlobalScope};

/// The Cache Storage cache of TUF files and state.
const CACHE: &str = "npm-provenance-tuf-v1";
/// Where the state (verified metadata, the rollback floor) is kept, under
/// the repository's URL.
const STATE: &str = ".npm-provenance-state";

fn scope() -> Option<WorkerGlobalScope> {
    js_sys::global().dyn_into::<WorkerGlobalScope>().ok()
}

type Refresh = Shared<LocalBoxFuture<'static, TrustConfig>>;

thread_local! {
    /// This worker's refreshes, by repository: a page asks once, and a
    /// refresh `begin_early` started is joined rather than repeated.
    static REFRESHES: RefCell<Vec<(TufConfig, Refresh)>> = const { RefCell::new(Vec::new()) };
}

/// The refresh of `tuf`: the one this worker ran or is running, else a new one.
pub async fn shared_refresh(tuf: TufConfig) -> TrustConfig {
    let refresh = REFRESHES.with(|r| {
        let mut r = r.borrow_mut();
        if let Some((_, running)) = r.iter().find(|(t, _)| *t == tuf) {
            return running.clone();
        }
        let running = refresh_trust(tuf.clone()).boxed_local().shared();
        r.push((tuf, running.clone()));
        running
    });
    refresh.await
}

/// Starts the refresh the hosting server's trust configuration at `url`
/// asks for, as soon as this worker runs: `public/boot.js` names the URL
/// (the worker's name) when it starts the worker beside the app's module,
/// so that the refresh overlaps the app's download instead of following it.
/// The page still reads the configuration and asks for the refresh itself;
/// it then joins this one (`shared_refresh`).
pub async fn begin_early(url: String) {
    // A path on this origin only, as `serve` announces it: this shortcut
    // fetches nothing elsewhere (the page's own request follows its rule).
    if !url.starts_with('/') || url.starts_with("//") {
        return;
    }
    let Ok(Some(text)) = crate::api::get_text(&url, 8 << 20).await else {
        return;
    };
    if let Ok(TrustConfig { tuf: Some(tuf), .. }) = serde_json::from_str::<TrustConfig>(&text) {
        shared_refresh(tuf).await;
    }
}

/// The trust configuration the refresh arrives at.
async fn refresh_trust(tuf: TufConfig) -> TrustConfig {
    let base = tuf.url.trim_end_matches('/').to_string();
    let root: Vec<u8> = match &tuf.root {
        Some(r) => r.to_string().into_bytes(),
        None => EMBEDDED_TUF_ROOT.to_vec(),
    };
    let public_good = base == SIGSTORE_TUF_URL && tuf.root.is_none();
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let cache = open_cache().await;
    let (kept, state) = match &cache {
        Some(c) => read_kept(c, &base).await,
        None => (TufFiles::new(), TufState::new()),
    };
    let (decision, keep) = refresh_fetching(&base, &root, &kept, &state, now, |need| {
        let url = format!("{base}/{}", need.path);
        async move { get(&url).await }
    })
    .await;
    if let Some(warning) = &decision.warning {
        web_sys::console::warn_1(&format!("npm-provenance: {warning}").into());
    }
    let Some(targets) = decision.targets else {
        return TrustConfig {
            source: Some(decision.source),
            ..Default::default()
        };
    };
    if let (Some(c), Some(files)) = (&cache, &keep) {
        save(c, &base, files, &targets.state).await;
    }
    TrustConfig {
        trusted_root: serde_json::from_str(&targets.trusted_root).ok(),
        tuf_keys: targets.npm_keys.as_deref().and_then(|k| serde_json::from_str(k).ok()),
        public_good,
        source: Some(decision.source),
        ..Default::default()
    }
}

/// One file: `None` for a 404 (or 403, as object stores answer).
async fn get(url: &str) -> Result<Option<Vec<u8>>, String> {
    let scope = scope().ok_or("not in a worker")?;
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched"))?
        .unchecked_into();
    match response.status() {
        404 | 403 => return Ok(None),
        200..=299 => {}
        status => return Err(format!("{url}: HTTP {status}")),
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| format!("{url}: no body"))?)
        .await
        .map_err(|_| format!("{url}: the body could not be read"))?;
    Ok(Some(Uint8Array::new(&buffer).to_vec()))
}

async fn open_cache() -> Option<Cache> {
    let storage = scope()?.caches().ok()?;
    JsFuture::from(storage.open(CACHE)).await.ok()?.dyn_into().ok()
}

async fn body(response: Response) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// The files and state kept for `base`.
async fn read_kept(cache: &Cache, base: &str) -> (TufFiles, TufState) {
    let (mut files, mut state) = (TufFiles::new(), TufState::new());
    let Ok(keys) = JsFuture::from(cache.keys()).await else {
        return (files, state);
    };
    let prefix = format!("{base}/");
    let state_prefix = format!("{base}/{STATE}/");
    for request in Array::from(&keys).iter() {
        let Ok(request) = request.dyn_into::<Request>() else {
            continue;
        };
        let url = request.url();
        let Some(response) = JsFuture::from(cache.match_with_request(&request))
            .await
            .ok()
            .and_then(|r| r.dyn_into::<Response>().ok())
        else {
            continue;
        };
        let Some(bytes) = body(response).await else { continue };
        if let Some(name) = url.strip_prefix(&state_prefix) {
            state.insert(name.to_string(), bytes);
        } else if let Some(path) = url.strip_prefix(&prefix) {
            files.insert(path, Some(bytes));
        }
    }
    (files, state)
}

async fn put(cache: &Cache, url: &str, bytes: &[u8]) {
    let mut copy = bytes.to_vec();
    if let Ok(response) = Response::new_with_opt_u8_array(Some(&mut copy)) {
        let _ = JsFuture::from(cache.put_with_str(url, &response)).await;
    }
}

async fn save(cache: &Cache, base: &str, files: &TufFiles, state: &TufState) {
    for (path, bytes) in files.files() {
        put(cache, &format!("{base}/{path}"), bytes).await;
    }
    for (name, bytes) in state {
        put(cache, &format!("{base}/{STATE}/{name}"), bytes).await;
    }
}
