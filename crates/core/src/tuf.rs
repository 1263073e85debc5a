//! Live trust material through Sigstore's TUF repository, without I/O.
//!
//! The TUF client workflow (root rotation N → N+1 → …, each signed by the
//! old and the new root's threshold; timestamp → snapshot → targets; the
//! delegated `registry.npmjs.org` role that signs npm's keys; thresholds,
//! versions against rollback, expiry against freeze, lengths and hashes of
//! every file, size limits before parsing) is `sigstore-tuf`'s: its
//! `Updater` run over the files the caller has fetched. The core does no
//! I/O, so [`refresh`] is a step: it either finishes, or names the files it
//! still needs ([`TufStep::Need`]); the caller fetches them (a 404 is
//! "absent": the end of the root chain) and calls again with everything it
//! has. A few rounds finish a refresh (one per root rotation, then one per
//! role). `now` is a value, as everywhere in the core.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sigstore_tuf::transport::FetchFuture;
use sigstore_tuf::{Repository, Updater, UpdaterConfig};

/// Sigstore's public-good TUF repository.
pub const SIGSTORE_TUF_URL: &str = "https://tuf-repo-cdn.sigstore.dev";
/// The TUF root this program starts from: Sigstore's production root as the
/// `sigstore-trust-root` crate (0.15.1) ships it (`repository/tuf_root.json`;
/// origin and sha256 in crates/core/trust/README.md). Newer roots are reached
/// by rotation, each signed by the one before.
pub const EMBEDDED_TUF_ROOT: &[u8] = include_bytes!("../trust/sigstore-tuf-root.json");
/// The Sigstore trusted root target.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";
/// npm's registry keys, a target of the delegated `registry.npmjs.org` role.
pub const NPM_KEYS_TARGET: &str = "registry.npmjs.org/keys.json";

/// The size limits applied before any file is parsed (the library's
/// defaults, lowered where Sigstore's files are far smaller).
pub fn limits() -> UpdaterConfig {
    let mut config = UpdaterConfig::default();
    config.root_max_length = 512 * 1024;
    config.timestamp_max_length = 16 * 1024;
    config.snapshot_max_length = 1 << 20;
    config.targets_max_length = 1 << 20;
    // trusted_root.json is about 7 kB, npm's keys about 2 kB.
    config.target_max_length = 1 << 20;
    config.max_root_rotations = 32;
    config.max_delegations = 8;
    config
}

/// What the caller has fetched from the repository, by path relative to
/// its base URL (`2.root.json`, `timestamp.json`, `targets/<hash>.trusted_root.json`).
#[derive(Debug, Clone, Default)]
pub struct TufFiles {
    present: BTreeMap<String, Vec<u8>>,
    absent: BTreeSet<String>,
}

impl TufFiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// A file as fetched (`None`: the repository answered 404).
    pub fn insert(&mut self, path: &str, bytes: Option<Vec<u8>>) {
        match bytes {
            Some(b) => {
                self.present.insert(path.to_string(), b);
            }
            None => {
                self.absent.insert(path.to_string());
            }
        }
    }

    /// Every file held, for a cache.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.present.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

/// A file the refresh needs, with the most bytes it may have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TufFetch {
    pub path: String,
    pub max_bytes: u64,
}

/// Metadata verified by an earlier refresh (`timestamp.json`,
/// `snapshot.json`, `targets.json`, ...), kept by the caller between runs:
/// its versions are the floor a repository cannot roll back below.
pub type TufState = BTreeMap<String, Vec<u8>>;

/// The targets a refresh produced, with what vouches for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TufTargets {
    /// `trusted_root.json`.
    pub trusted_root: String,
    /// `registry.npmjs.org/keys.json`, when the repository has it.
    pub npm_keys: Option<String>,
    pub root_version: u64,
    pub timestamp_version: u64,
    /// When the timestamp expires (seconds since the epoch): refresh then.
    pub timestamp_expires: i64,
    /// The metadata now trusted, to keep for the next refresh.
    #[serde(skip)]
    pub state: TufState,
}

/// Where a report's trust material came from, as the page, the footer and
/// the command line say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustSource {
    /// `tuf` (refreshed now), `tuf-cache` (the last refresh that verified,
    /// its timestamp still valid), `embedded` (built into this program),
    /// `configured` (a trusted root or keys given by the operator).
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub root_version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp_version: Option<u64>,
    /// When the TUF timestamp expires (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_until: Option<String>,
    /// Why TUF was not used, when it was not; an attack says so.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// Said out loud wherever the report is shown (the checklist, beside
    /// the warning on standard error or the console): the repository failed
    /// a check that guards against an attack (a bad signature, a rollback,
    /// expired metadata: a possible freeze).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warning: Option<String>,
}

impl TrustSource {
    pub fn of_tuf(source: &str, url: &str, targets: &TufTargets) -> Self {
        Self {
            source: source.into(),
            url: Some(url.into()),
            root_version: Some(targets.root_version),
            timestamp_version: Some(targets.timestamp_version),
            valid_until: Some(crate::time::format_rfc3339(targets.timestamp_expires)),
            note: None,
            warning: None,
        }
    }

    pub fn embedded(note: impl Into<String>) -> Self {
        Self {
            source: "embedded".into(),
            url: None,
            root_version: None,
            timestamp_version: None,
            valid_until: None,
            note: Some(note.into()),
            warning: None,
        }
    }

    pub fn configured() -> Self {
        Self {
            note: None,
            source: "configured".into(),
            ..Self::embedded("")
        }
    }

    /// One line: "Sigstore's TUF repository (root v16, timestamp v762, valid
    /// until ...)", "the material built into this program: offline".
    pub fn sentence(&self) -> String {
        let tuf = |what: &str| {
            format!(
                "{what} {} (root v{}, timestamp v{}, valid until {})",
                self.url.as_deref().unwrap_or("?"),
                self.root_version.unwrap_or_default(),
                self.timestamp_version.unwrap_or_default(),
                self.valid_until.as_deref().unwrap_or("?")
            )
        };
        match self.source.as_str() {
            "tuf" => tuf("refreshed now from the TUF repository"),
            "tuf-cache" => tuf("the last verified refresh of the TUF repository"),
            "configured" => "the trusted root and keys this program was given".into(),
            _ => format!(
                "the trust material built into this program{}",
                self.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
            ),
        }
    }
}

/// One step of a refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TufStep {
    /// Fetch these, add them to the files, and call again.
    Need(Vec<TufFetch>),
    Done(TufTargets),
    Failed(TufError),
}

/// Why a refresh failed. `Attack` is what the specification treats as one
/// (a bad signature, a rollback, a frozen or mixed-up set of metadata, a
/// file that is not what its pin says): it is shown as such, never replaced
/// silently by older material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TufError {
    Attack(String),
    /// Expired metadata: a repository that stopped updating, or a freeze.
    Expired(String),
    /// Metadata that does not parse or says something impossible.
    Malformed(String),
}

impl TufError {
    pub fn message(&self) -> &str {
        match self {
            TufError::Attack(m) | TufError::Expired(m) | TufError::Malformed(m) => m,
        }
    }

    fn of(e: &sigstore_tuf::Error) -> Self {
        use sigstore_tuf::Error as E;
        let text = crate::package::truncate(&e.to_string(), 300);
        match e {
            E::ThresholdNotMet { .. }
            | E::Rollback { .. }
            | E::BadRootVersion { .. }
            | E::IntegrityMismatch(_)
            | E::DuplicateSignature { .. }
            | E::Crypto(_) => TufError::Attack(text),
            E::Expired { .. } => TufError::Expired(text),
            _ => TufError::Malformed(text),
        }
    }
}

/// The marker error of a file not fetched yet (not a repository's answer).
const NOT_FETCHED: &str = "npm-provenance: not fetched yet";

/// Runs a future that never waits (every file is already in memory).
fn run<T>(future: impl std::future::Future<Output = T>) -> Option<T> {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(value) => Some(value),
        std::task::Poll::Pending => None,
    }
}

/// One step of refreshing from `root` (the embedded root: newer roots are
/// always re-walked from it, a cached root is only a file not to fetch
/// again) with `files`, at `now`; `state` is what an earlier refresh
/// trusted.
pub fn refresh(root: &[u8], files: &TufFiles, state: &TufState, now: i64) -> TufStep {
    crate::crypto_backend::install();
    let Ok(now_ts) = jiff::Timestamp::from_second(now) else {
        return TufStep::Failed(TufError::Malformed("The time is out of range.".into()));
    };
    // The library's Updater owns its repository: the files are cloned into
    // it (a few kilobytes), and what it asked for is read back after.
    let owned = OwnedRecorded {
        inner: std::sync::Arc::new(OwnedFiles {
            files: files.clone(),
            needed: Mutex::new(Vec::new()),
        }),
    };
    let handle = owned.inner.clone();
    let store = std::sync::Arc::new(StateStore(Mutex::new(state.clone())));
    let mut updater = match Updater::new(owned, root) {
        Ok(u) => u.with_config(limits()).with_store(store.clone()),
        Err(e) => return TufStep::Failed(TufError::of(&e)),
    };
    if let Err(s) = outcome(&handle, run(updater.refresh(now_ts))) {
        return s;
    }
    let trusted_root = match outcome(&handle, run(updater.get_target(TRUSTED_ROOT_TARGET, now_ts))) {
        Ok(bytes) => bytes,
        Err(s) => return s,
    };
    let npm_keys = match run(updater.get_target(NPM_KEYS_TARGET, now_ts)) {
        Some(Err(sigstore_tuf::Error::TargetNotFound(_))) => None,
        other => match outcome(&handle, other) {
            Ok(bytes) => Some(bytes),
            Err(s) => return s,
        },
    };
    let trusted = updater.trusted();
    let (Some(timestamp), Ok(trusted_root)) = (trusted.timestamp(), String::from_utf8(trusted_root)) else {
        return TufStep::Failed(TufError::Malformed("The trusted root target is not UTF-8.".into()));
    };
    let npm_keys = match npm_keys.map(String::from_utf8) {
        Some(Err(_)) => {
            return TufStep::Failed(TufError::Malformed("npm's keys target is not UTF-8.".into()));
        }
        Some(Ok(k)) => Some(k),
        None => None,
    };
    TufStep::Done(TufTargets {
        trusted_root,
        npm_keys,
        root_version: trusted.root().version,
        timestamp_version: timestamp.version,
        timestamp_expires: timestamp.expires.as_second(),
        state: store.0.lock().map(|s| s.clone()).unwrap_or_default(),
    })
}

/// The caller's state as the library's metadata store.
struct StateStore(Mutex<TufState>);

impl sigstore_tuf::MetadataStore for StateStore {
    fn load(&self, name: &str) -> sigstore_tuf::Result<Option<Vec<u8>>> {
        Ok(self.0.lock().ok().and_then(|s| s.get(name).cloned()))
    }

    fn store(&self, name: &str, bytes: &[u8]) -> sigstore_tuf::Result<()> {
        if let Ok(mut s) = self.0.lock() {
            s.insert(name.to_string(), bytes.to_vec());
        }
        Ok(())
    }
}

/// A refresh from files kept by an earlier one alone: what is not there is
/// absent (so the root chain ends at the newest kept root). Everything is
/// verified again from `root`.
pub fn refresh_offline(root: &[u8], kept: &TufFiles, state: &TufState, now: i64) -> TufStep {
    let mut files = kept.clone();
    for _ in 0..64 {
        match refresh(root, &files, state, now) {
            TufStep::Need(list) => {
                for need in list {
                    files.insert(&need.path, None);
                }
            }
            step => return step,
        }
    }
    TufStep::Failed(TufError::Malformed("The refresh from kept files did not end.".into()))
}

/// What trust to use after a refresh: the policy the command line, the
/// server and the app share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustDecision {
    /// What TUF gave (fresh, or the last verified refresh); `None`: the
    /// material built into this program.
    pub targets: Option<TufTargets>,
    pub source: TrustSource,
    /// Said out loud (stderr, the console): a failure that guards against an
    /// attack is never replaced silently.
    pub warning: Option<String>,
}

/// Decides from the online refresh (`Err`: the repository could not be
/// reached) and, failing that, the refresh from kept files: fresh TUF
/// material; else the last verified refresh while its timestamp is valid;
/// else the built-in material. An attack is not fallen back from to kept
/// material: the built-in material is used and the warning says why.
pub fn decide(url: &str, online: Result<TufStep, String>, kept: impl FnOnce() -> TufStep) -> TrustDecision {
    let note = match online {
        Ok(TufStep::Done(targets)) => {
            return TrustDecision {
                source: TrustSource::of_tuf("tuf", url, &targets),
                targets: Some(targets),
                warning: None,
            };
        }
        Ok(TufStep::Failed(TufError::Attack(m))) => {
            let note = format!("the TUF repository failed a check that guards against attacks: {m}");
            let warning = format!("{url}: {note}");
            let mut source = TrustSource::embedded(note);
            source.warning = Some(warning.clone());
            return TrustDecision {
                targets: None,
                warning: Some(warning),
                source,
            };
        }
        // Expired metadata from the repository itself: the TUF specification
        // (5.4.4 for the timestamp, 5.3.10, 5.5.6 and 5.6.6 for the others)
        // aborts the update as a potential freeze attack. The last verified
        // refresh still stands while its own timestamp is valid, but the
        // freeze is said as loudly as a rollback.
        Ok(TufStep::Failed(TufError::Expired(m))) => {
            let note = format!(
                "the TUF repository serves expired metadata, a potential freeze attack (TUF specification 5.4.4): {m}"
            );
            let warning = format!("{url}: {note}");
            let mut decision = fall_back(url, note, kept);
            decision.source.warning = Some(warning.clone());
            decision.warning = Some(warning);
            return decision;
        }
        Ok(TufStep::Failed(e)) => format!("the TUF repository's metadata was refused: {}", e.message()),
        Ok(TufStep::Need(_)) => "the TUF refresh did not finish".to_string(),
        Err(e) => format!("the TUF repository could not be reached: {e}"),
    };
    fall_back(url, note, kept)
}

/// The last verified refresh while its timestamp is valid, else the
/// built-in material, with the note that says why TUF was not used now.
fn fall_back(url: &str, note: String, kept: impl FnOnce() -> TufStep) -> TrustDecision {
    match kept() {
        TufStep::Done(targets) => {
            let mut source = TrustSource::of_tuf("tuf-cache", url, &targets);
            source.note = Some(note);
            TrustDecision {
                targets: Some(targets),
                source,
                warning: None,
            }
        }
        _ => TrustDecision {
            targets: None,
            source: TrustSource::embedded(note),
            warning: None,
        },
    }
}

/// A whole refresh as the command line, the server and the app's worker
/// run it: the online refresh, fetching each file a step needs with
/// `fetch` (the caller's I/O; `Ok(None)` is a 404, `Err` an unreachable
/// repository), the `kept` files of an earlier refresh standing in for
/// fetches (verified again) except the timestamp, which is always fresh;
/// then [`decide`], with a refresh from the kept files as the fallback.
/// Returns the decision, and the files to keep when it is a fresh refresh.
pub async fn refresh_fetching<F, Fut>(
    url: &str,
    root: &[u8],
    kept: &TufFiles,
    state: &TufState,
    now: i64,
    mut fetch: F,
) -> (TrustDecision, Option<TufFiles>)
where
    F: FnMut(TufFetch) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, String>>,
{
    let mut files = TufFiles::new();
    for (path, bytes) in kept.files().filter(|(p, _)| *p != "timestamp.json") {
        files.insert(path, Some(bytes.to_vec()));
    }
    let mut online = Err("the refresh asked for too many files".to_string());
    'steps: for _ in 0..64 {
        match refresh(root, &files, state, now) {
            TufStep::Need(list) => {
                for need in list {
                    let path = need.path.clone();
                    match fetch(need).await {
                        Ok(bytes) => files.insert(&path, bytes),
                        Err(e) => {
                            online = Err(e);
                            break 'steps;
                        }
                    }
                }
            }
            step => {
                online = Ok(step);
                break;
            }
        }
    }
    let has_kept = kept.files().next().is_some();
    let decision = decide(url, online, || {
        if has_kept {
            refresh_offline(root, kept, state, now)
        } else {
            TufStep::Failed(TufError::Malformed("nothing kept".into()))
        }
    });
    let keep = (decision.source.source == "tuf").then_some(files);
    (decision, keep)
}

/// A step's result: a value, the files still needed, or the failure.
fn outcome<T>(handle: &OwnedFiles, result: Option<sigstore_tuf::Result<T>>) -> Result<T, TufStep> {
    match result {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => {
            let wanted = handle.needed.lock().map(|n| n.clone()).unwrap_or_default();
            if wanted.is_empty() {
                Err(TufStep::Failed(TufError::of(&e)))
            } else {
                Err(TufStep::Need(wanted))
            }
        }
        None => Err(TufStep::Failed(TufError::Malformed(
            "The refresh waited for a file.".into(),
        ))),
    }
}

/// The files a refresh reads, recording the ones it does not have yet.
struct OwnedFiles {
    files: TufFiles,
    needed: Mutex<Vec<TufFetch>>,
}

struct OwnedRecorded {
    inner: std::sync::Arc<OwnedFiles>,
}

impl OwnedRecorded {
    fn answer(&self, path: String, max_bytes: u64) -> FetchFuture<'_> {
        let files = &self.inner.files;
        let result = if let Some(bytes) = files.present.get(&path) {
            if bytes.len() as u64 > max_bytes {
                Err(sigstore_tuf::Error::IntegrityMismatch(format!(
                    "{path} is {} bytes; at most {max_bytes} are read",
                    bytes.len()
                )))
            } else {
                Ok(Some(bytes.clone()))
            }
        } else if files.absent.contains(&path) {
            Ok(None)
        } else {
            if let Ok(mut needed) = self.inner.needed.lock() {
                needed.push(TufFetch { path, max_bytes });
            }
            Err(sigstore_tuf::Error::transport(NOT_FETCHED.to_string()))
        };
        Box::pin(std::future::ready(result))
    }
}

impl Repository for OwnedRecorded {
    fn fetch_metadata<'a>(&'a self, name: &'a str, max_length: u64) -> FetchFuture<'a> {
        self.answer(name.to_string(), max_length)
    }

    fn fetch_target<'a>(&'a self, path: &'a str, max_length: u64) -> FetchFuture<'a> {
        self.answer(format!("targets/{path}"), max_length)
    }
}
