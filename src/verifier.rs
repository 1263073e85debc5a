//! The page's side of verification: requests go to a small pool of Web
//! Workers running the core in wasm, so the page stays responsive while a
//! long version history verifies.
//!
//! The page's own wasm never calls the core's verification code, so it does
//! not carry it: only the workers download it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::FutureExt;
use futures::channel::oneshot;
use futures::future::{LocalBoxFuture, Shared};
use npm_provenance_core::lockfile::Lockfile;
use npm_provenance_core::package_version::InputError;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use npm_provenance_core::TrustConfig;

use crate::protocol::{AuditJob, Control, FromWorker, Inspected, LookedUp, LookupRequest, ToWorker, VerifyRequest};

/// The worker script, written by Trunk next to the app (`public/boot.js`
/// starts the first one early on pages that verify).
const WORKER_URL: &str = "/worker-loader.js";
/// The lockfile reader's script (the audit page's).
const LOCKFILE_WORKER_URL: &str = "/lockfile-worker-loader.js";
/// Most workers a page starts; each holds its own copy of the verifier.
const MAX_WORKERS: usize = 3;
/// A request not answered in this time is abandoned, and its worker,
/// presumed stuck, is terminated and replaced. A hosting page can set another
/// limit with `<meta name="npm-provenance-verify-timeout-ms" content="N">`.
const REQUEST_TIMEOUT_MS: i32 = 60_000;

fn request_timeout_ms() -> i32 {
    crate::settings::page_meta("npm-provenance-verify-timeout-ms")
        .and_then(|v| v.trim().parse::<i32>().ok())
        .filter(|ms| (100..=600_000).contains(ms))
        .unwrap_or(REQUEST_TIMEOUT_MS)
}

type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<Result<FromWorker, String>>>>>;

struct PooledWorker {
    worker: Worker,
    pending: Pending,
    /// Requests posted before the worker said it listens (see `READY`).
    outbox: Rc<RefCell<Option<Vec<String>>>>,
    /// Set when the worker failed; it is replaced on the next request (not
    /// from inside its own error handler, which it owns).
    dead: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for PooledWorker {
    fn drop(&mut self) {
        self.worker.terminate();
        for (_, tx) in self.pending.borrow_mut().drain() {
            let _ = tx.send(Err("The verification worker stopped.".into()));
        }
    }
}

thread_local! {
    static POOL: RefCell<Vec<Rc<PooledWorker>>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

thread_local! {
    /// Whether a page doing bulk work (the audit) may use every core.
    static BULK: Cell<bool> = const { Cell::new(false) };
}

/// Lets the pool grow to one worker per core: a lockfile audit keeps the
/// page's own thread mostly idle (waiting for the registry), so the core
/// it would leave free is better spent verifying.
pub fn use_every_core() {
    BULK.with(|b| b.set(true));
}

fn pool_size() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(2);
    let spare = if BULK.with(Cell::get) { 0 } else { 1 };
    cores.saturating_sub(spare).clamp(1, MAX_WORKERS)
}

/// The worker `public/boot.js` started while the app's own module loaded
/// (pages that verify), with what it said meanwhile; taken once.
fn adopt_started() -> Option<(Worker, js_sys::Array)> {
    let window = web_sys::window()?;
    let key = JsValue::from_str("npmProvenanceWorker");
    let held = js_sys::Reflect::get(&window, &key).ok().filter(|h| h.is_object())?;
    let _ = js_sys::Reflect::delete_property(window.as_ref(), &key);
    let worker = js_sys::Reflect::get(&held, &"worker".into())
        .ok()?
        .dyn_into::<Worker>()
        .ok()?;
    let early = js_sys::Reflect::get(&held, &"early".into())
        .ok()?
        .dyn_into::<js_sys::Array>()
        .ok()?;
    // One that failed to start is replaced now (its error came before ours
    // could be heard).
    if early.iter().any(|data| !data.is_string()) {
        worker.terminate();
        return None;
    }
    Some((worker, early))
}

/// What the page does with a worker's message.
fn receive(data: &JsValue, worker: &Worker, pending: &Pending, outbox: &RefCell<Option<Vec<String>>>) {
    let Some(text) = data.as_string() else { return };
    match serde_json::from_str::<FromWorker>(&text) {
        Ok(FromWorker::Ready) => {
            for held in outbox.borrow_mut().take().unwrap_or_default() {
                let _ = worker.post_message(&JsValue::from_str(&held));
            }
        }
        Ok(reply) => {
            if let Some(tx) = reply.id().and_then(|id| pending.borrow_mut().remove(&id)) {
                let _ = tx.send(Ok(reply));
            }
        }
        Err(_) => {}
    }
}

fn spawn_worker(trust: Option<&TrustConfig>) -> Result<Rc<PooledWorker>, String> {
    let worker = start_worker(WORKER_URL, adopt_started())?;
    if let Some(config) = trust {
        post(
            &worker,
            &ToWorker::Control(Control::Configure(Box::new(config.clone()))),
        )?;
    }
    post(&worker, &ToWorker::Control(Control::WarmUp))?;
    Ok(worker)
}

/// A worker running `url`'s script (or `started`, one already running it).
fn start_worker(url: &str, started: Option<(Worker, js_sys::Array)>) -> Result<Rc<PooledWorker>, String> {
    let (worker, early) = match started {
        Some(started) => started,
        None => (
            Worker::new(url).map_err(|_| "The verification worker could not be started.".to_string())?,
            js_sys::Array::new(),
        ),
    };
    let pending: Pending = Rc::default();
    let outbox: Rc<RefCell<Option<Vec<String>>>> = Rc::new(RefCell::new(Some(Vec::new())));
    let on_message = {
        let (pending, outbox, worker) = (pending.clone(), outbox.clone(), worker.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            receive(&event.data(), &worker, &pending, &outbox);
        })
    };
    let dead = Rc::new(Cell::new(false));
    let on_error = {
        let (pending, dead) = (pending.clone(), dead.clone());
        Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            // A trap in the worker (a panic) ends it: fail what it held.
            dead.set(true);
            let message = format!("Verification stopped with an error: {}", event.message());
            for (_, tx) in pending.borrow_mut().drain() {
                let _ = tx.send(Err(message.clone()));
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // What an adopted worker said before these handlers (its `Ready`).
    for data in early.iter() {
        receive(&data, &worker, &pending, &outbox);
    }
    Ok(Rc::new(PooledWorker {
        worker,
        pending,
        outbox,
        dead,
        _on_message: on_message,
        _on_error: on_error,
    }))
}

fn post(worker: &PooledWorker, message: &ToWorker) -> Result<(), String> {
    let json = serde_json::to_string(message).map_err(|e| e.to_string())?;
    if let Some(held) = worker.outbox.borrow_mut().as_mut() {
        held.push(json);
        return Ok(());
    }
    worker
        .worker
        .post_message(&JsValue::from_str(&json))
        .map_err(|_| "The verification worker refused the request.".to_string())
}

/// The least busy worker, starting one if the pool is not full.
fn pick_worker(trust: Option<&TrustConfig>) -> Result<Rc<PooledWorker>, String> {
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.retain(|w| !w.dead.get());
        let idle = pool.iter().find(|w| w.pending.borrow().is_empty()).cloned();
        if let Some(w) = idle {
            return Ok(w);
        }
        if pool.len() < pool_size() {
            let w = spawn_worker(trust)?;
            pool.push(w.clone());
            return Ok(w);
        }
        Ok(pool
            .iter()
            .min_by_key(|w| w.pending.borrow().len())
            .cloned()
            .expect("pool is not empty"))
    })
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1).max(1));
        id
    })
}

/// Starts the first worker early, so its wasm downloads and compiles while
/// the page fetches the registry documents. Pages that verify call it when
/// they open, the search box on the first keystroke; the home page alone does
/// not download the verifier (521 kB brotli) until someone starts typing.
pub fn warm_up() {
    leptos::task::spawn_local(async {
        if let Ok(trust) = trust_config().await {
            let _ = pick_worker(trust.as_ref());
        }
    });
}

/// Where the hosting server serves its private trust configuration, if it
/// announces one (`<meta name="npm-provenance-trust" content="URL">`).
pub fn trust_config_url() -> Option<String> {
    crate::settings::page_meta(npm_provenance_core::site::META_TRUST)
}

type TrustFuture = Shared<LocalBoxFuture<'static, Result<Option<TrustConfig>, String>>>;

thread_local! {
    static SERVER: RefCell<Option<TrustFuture>> = const { RefCell::new(None) };
    static TRUST: RefCell<Option<TrustFuture>> = const { RefCell::new(None) };
}

/// The private trust configuration the hosting server announces with
/// `<meta name="npm-provenance-trust" content="URL">`, loaded once, as the
/// server states it.
fn server_config() -> TrustFuture {
    SERVER.with(|t| {
        t.borrow_mut()
            .get_or_insert_with(|| {
                let url = trust_config_url();
                async move {
                    let Some(url) = url else { return Ok(None) };
                    let text = crate::api::get_text(&url, 8 << 20)
                        .await
                        .map_err(|e| format!("The server's trust configuration could not be loaded: {e}"))?
                        .ok_or("The server announces a trust configuration it does not serve.")?;
                    serde_json::from_str(&text)
                        .map(Some)
                        .map_err(|e| format!("The server's trust configuration is not usable: {e}"))
                }
                .boxed_local()
                .shared()
            })
            .clone()
    })
}

/// What verification trusts: the server's configuration, refreshed from
/// the TUF repository it names by this browser itself; loaded once. When
/// it cannot be settled, the workers waiting for it are told.
fn trust_config() -> TrustFuture {
    TRUST.with(|t| {
        t.borrow_mut()
            .get_or_insert_with(|| {
                async move {
                    let (server, tuf) = match server_config().await? {
                        Some(server) => match server.tuf.clone() {
                            Some(tuf) => (server, tuf),
                            None => return Ok(Some(server)),
                        },
                        None => return Ok(None),
                    };
                    let refreshed = refresh_from_tuf(server, tuf).await;
                    if let Err(why) = &refreshed {
                        broadcast(&Control::TrustFailed(why.clone()));
                    }
                    refreshed.map(Some)
                }
                .boxed_local()
                .shared()
            })
            .clone()
    })
}

/// Tells every worker of the pool.
fn broadcast(message: &Control) {
    let message = ToWorker::Control(message.clone());
    POOL.with(|pool| {
        for w in pool.borrow().iter() {
            let _ = post(w, &message);
        }
    });
}

thread_local! {
    /// Where the trust came from, once a TUF refresh said so (the footer shows it).
    static TRUST_SOURCE: leptos::prelude::ArcRwSignal<Option<npm_provenance_core::tuf::TrustSource>> =
        leptos::prelude::ArcRwSignal::new(None);
}

/// The trust source of the last TUF refresh, as a signal for the footer.
pub fn trust_source() -> leptos::prelude::ArcRwSignal<Option<npm_provenance_core::tuf::TrustSource>> {
    TRUST_SOURCE.with(Clone::clone)
}

/// The trust a TUF repository gives, refreshed in a worker (fetches,
/// verification and the cache are the worker's): every worker is then
/// configured with it, those already running and those started later.
async fn refresh_from_tuf(server: TrustConfig, tuf: npm_provenance_core::TufConfig) -> Result<TrustConfig, String> {
    let worker = pick_worker(None)?;
    let mut config = match ask_worker(worker, |id| ToWorker::RefreshTrust { id, tuf: Box::new(tuf) }).await? {
        FromWorker::Trust { config, .. } => *config,
        _ => return Err("The verification worker answered something else.".into()),
    };
    // Keys and GitLab issuers the operator added stay added.
    config.keys = server.keys;
    config.gitlab_issuers = server.gitlab_issuers;
    {
        use leptos::prelude::Set;
        trust_source().set(config.source.clone());
    }
    broadcast(&Control::Configure(Box::new(config.clone())));
    Ok(config)
}

/// Verifies what was pasted into the inspector in a worker: `Ok(Err(..))`
/// when it is no document to verify.
pub async fn inspect(request: VerifyRequest) -> Result<Result<Inspected, InputError>, String> {
    match ask(|id| ToWorker::Verify {
        id,
        request: Box::new(request),
    })
    .await?
    {
        FromWorker::Inspected { result, .. } => Ok(result.map(|r| *r)),
        _ => Err("The verification worker answered something else.".into()),
    }
}

/// Looks up a package version in a worker (the core's one lookup: the
/// worker fetches and verifies). Lookups of one package go to the worker
/// that looked it up before, which keeps its package document.
pub async fn lookup(request: LookupRequest) -> Result<LookedUp, String> {
    let worker = worker_for_lookup(&request.question.name).await?;
    match ask_worker(worker, |id| ToWorker::Lookup {
        id,
        request: Box::new(request),
    })
    .await?
    {
        FromWorker::LookedUp { result, .. } => result.map(|r| *r),
        _ => Err("The verification worker answered something else.".into()),
    }
}

thread_local! {
    /// Which worker looked up each package last.
    static KEPT_BY: RefCell<HashMap<String, std::rc::Weak<PooledWorker>>> = RefCell::new(HashMap::new());
}

/// The worker a lookup of `name` goes to. While this browser's TUF refresh
/// of the server's trust runs, the worker reads the registry under the
/// server's configuration, marked provisional: it verifies only once the
/// refresh settles it (the refresh and the registry's round trips overlap
/// instead of following each other).
async fn worker_for_lookup(name: &str) -> Result<Rc<PooledWorker>, String> {
    let server = server_config().await?;
    let refresh = trust_config();
    // Checked with no await before the posts below: a refresh that has not
    // ended has not told the pool its result yet, so `Provisional` comes
    // before that `Configure` in every worker's queue.
    if refresh.peek().is_none()
        && let Some(server) = server.filter(|c| c.tuf.is_some())
    {
        leptos::task::spawn_local(async {
            let _ = trust_config().await;
        });
        let worker = pick_worker_keeping(None, name)?;
        post(&worker, &ToWorker::Control(Control::Provisional(Box::new(server))))?;
        return Ok(worker);
    }
    let trust = refresh.await?;
    pick_worker_keeping(trust.as_ref(), name)
}

/// The worker that looked up `name` before (it keeps the package's
/// document), or the least busy one.
fn pick_worker_keeping(trust: Option<&TrustConfig>, name: &str) -> Result<Rc<PooledWorker>, String> {
    let kept = KEPT_BY.with(|k| k.borrow().get(name).and_then(std::rc::Weak::upgrade));
    if let Some(worker) = kept.filter(|w| !w.dead.get()) {
        return Ok(worker);
    }
    let worker = pick_worker(trust)?;
    KEPT_BY.with(|k| {
        let mut k = k.borrow_mut();
        k.retain(|_, w| w.strong_count() > 0);
        k.insert(name.to_string(), Rc::downgrade(&worker));
    });
    Ok(worker)
}

/// Reads a lockfile in a worker of its own (large ones take longer than a
/// frame; the readers are not in the verifier's module), ended after.
pub async fn read_lockfile(text: String, file_name: Option<String>, registry: String) -> Result<Lockfile, String> {
    let reader = start_worker(LOCKFILE_WORKER_URL, None)?;
    // Held until it answers: the last reference ends the worker.
    let answer = ask_worker(reader.clone(), |id| ToWorker::ReadLockfile {
        id,
        text,
        file_name,
        registry,
    })
    .await;
    drop(reader);
    match answer? {
        FromWorker::Lockfile { lockfile, .. } => lockfile.map(|l| *l),
        _ => Err("The worker answered something else.".into()),
    }
}

/// An audit's package version may wait for several registry requests, each
/// with its timeout and retries (the lookup's rule): its worker is presumed
/// stuck only after this long.
const AUDIT_TIMEOUT_MS: i32 = 300_000;

/// Fetches and verifies one locked package version in a worker. Every
/// version of a name goes to the same worker, so that the package's history
/// is fetched once per run.
pub async fn audit(job: AuditJob) -> Result<npm_provenance_core::audit::AuditEntry, String> {
    let trust = trust_config().await?;
    let worker = pick_worker_for(trust.as_ref(), &job.package.name)?;
    match ask_worker_within(worker, AUDIT_TIMEOUT_MS, |id| ToWorker::Audit {
        id,
        job: Box::new(job),
    })
    .await?
    {
        FromWorker::Audited { entry, .. } => Ok(*entry),
        _ => Err("The verification worker answered something else.".into()),
    }
}

/// Tells every worker the audit ended: they write what they fetched to the
/// browser's cache and forget the package histories. Done when every
/// worker has written.
pub async fn audit_done() {
    let workers: Vec<Rc<PooledWorker>> = POOL.with(|pool| pool.borrow().clone());
    let written = workers
        .into_iter()
        .map(|w| ask_worker(w, |id| ToWorker::AuditDone { id }));
    futures::future::join_all(written).await;
}

/// The worker for work keyed by `key`: the pool is filled first, then the
/// key decides, so the same key always meets the same worker's memory.
fn pick_worker_for(trust: Option<&TrustConfig>, key: &str) -> Result<Rc<PooledWorker>, String> {
    let size = pool_size();
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.retain(|w| !w.dead.get());
        while pool.len() < size {
            pool.push(spawn_worker(trust)?);
        }
        // FNV-1a: stable across runs and cheap; nothing adversarial here
        // (a skewed lockfile only makes one worker busier).
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        pool.get((hash % size as u64) as usize)
            .cloned()
            .ok_or_else(|| "The verification worker could not be started.".to_string())
    })
}

/// Posts the message `make` builds for a new request id to a worker, and
/// waits for its answer (or the worker's end, or the timeout).
async fn ask(make: impl FnOnce(u32) -> ToWorker) -> Result<FromWorker, String> {
    let trust = trust_config().await?;
    let worker = pick_worker(trust.as_ref())?;
    ask_worker(worker, make).await
}

async fn ask_worker(worker: Rc<PooledWorker>, make: impl FnOnce(u32) -> ToWorker) -> Result<FromWorker, String> {
    ask_worker_within(worker, request_timeout_ms(), make).await
}

async fn ask_worker_within(
    worker: Rc<PooledWorker>,
    timeout_ms: i32,
    make: impl FnOnce(u32) -> ToWorker,
) -> Result<FromWorker, String> {
    let id = next_id();
    let (tx, rx) = oneshot::channel();
    worker.pending.borrow_mut().insert(id, tx);
    if let Err(e) = post(&worker, &make(id)) {
        worker.pending.borrow_mut().remove(&id);
        return Err(e);
    }
    let stuck = Rc::downgrade(&worker);
    let timeout = Closure::once_into_js(move || {
        let Some(worker) = stuck.upgrade() else { return };
        if worker.pending.borrow().contains_key(&id) {
            replace_stuck(&worker);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(timeout.unchecked_ref(), timeout_ms);
    }
    drop(worker);
    rx.await
        .unwrap_or_else(|_| Err("The verification worker stopped.".into()))
}

/// A worker that did not answer in time is presumed stuck (an endless loop
/// answers nothing, and would be picked again as idle-looking): it is taken
/// out of the pool and terminated, what it held fails, and the next request
/// starts a fresh one.
fn replace_stuck(worker: &Rc<PooledWorker>) {
    worker.dead.set(true);
    worker.worker.terminate();
    for (_, tx) in worker.pending.borrow_mut().drain() {
        let _ = tx.send(Err(
            "Verification took too long: the worker was stopped and will be replaced on the next request.".into(),
        ));
    }
    POOL.with(|pool| pool.borrow_mut().retain(|w| !Rc::ptr_eq(w, worker)));
}
