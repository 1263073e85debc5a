//! Packages' version histories for the downgrade rules, for `serve` and
//! `audit` alike: the registry's package document read once per name at a
//! time (everyone asking for the same name shares the fetch), kept for a
//! few minutes as the small list of version summaries, never as the
//! document. A history that cannot be had leaves the report's
//! `downgrade_checked` false rather than failing the verification.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use lru::LruCache;
use npm_provenance_core::VersionSummary;
use npm_provenance_core::registry_documents::{MAX_PACKUMENT_BYTES, packument_path, parse_packument};

use crate::registry::RegistryClient;

/// A package's versions as the registry lists them (`None`: not available).
pub type History = Option<Arc<Vec<VersionSummary>>>;
type Flight = Shared<BoxFuture<'static, History>>;

/// How long a history is reused: new versions appear, so not for long.
pub const HISTORY_TTL: Duration = Duration::from_secs(300);
/// Names whose histories are kept (each a few kilobytes).
const HISTORY_ENTRIES: usize = 4096;

pub struct Histories {
    client: RegistryClient,
    cache: Mutex<LruCache<String, (Instant, History)>>,
    in_flight: Mutex<HashMap<String, Flight>>,
}

impl Histories {
    pub fn new(client: RegistryClient) -> Arc<Self> {
        Arc::new(Self {
            client,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(HISTORY_ENTRIES).unwrap_or(NonZeroUsize::MIN),
            )),
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// The versions of `name`, from the cache or one shared fetch.
    pub async fn get(self: &Arc<Self>, name: &str) -> History {
        if let Some((at, history)) = self.cache.lock().unwrap().get(name)
            && at.elapsed() < HISTORY_TTL
        {
            return history.clone();
        }
        let flight = {
            let mut in_flight = self.in_flight.lock().unwrap();
            match in_flight.get(name) {
                Some(f) => f.clone(),
                None => {
                    // A task of its own, as verifications are: it finishes and
                    // releases the document whoever still waits for it.
                    let this = self.clone();
                    let key = name.to_string();
                    let task = tokio::spawn(async move {
                        let history = this.fetch(&key).await;
                        this.cache
                            .lock()
                            .unwrap()
                            .put(key.clone(), (Instant::now(), history.clone()));
                        this.in_flight.lock().unwrap().remove(&key);
                        history
                    });
                    let f = async move { task.await.ok().flatten() }.boxed().shared();
                    in_flight.insert(name.to_string(), f.clone());
                    f
                }
            }
        };
        flight.await
    }

    async fn fetch(&self, name: &str) -> History {
        let doc = self
            .client
            .get(&packument_path(name), MAX_PACKUMENT_BYTES, false)
            .await
            .ok()
            .flatten()?;
        // Reading tens of megabytes is CPU work: off the I/O threads (the
        // document, and its share of the byte budget, go with it).
        let packument = tokio::task::spawn_blocking(move || parse_packument(&doc.text))
            .await
            .ok()?
            .ok()?;
        // The history of another package than the one asked for is none.
        (packument.name == name).then(|| Arc::new(packument.history))
    }
}
