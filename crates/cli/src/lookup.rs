//! The command line's and the server's driver of the core's lookup
//! ([`npm_provenance_core::lookup`]): it fetches what the lookup asks for
//! with the registry client, hands every answer back, and decides nothing
//! (not which documents, not what an answer means, not whether to try
//! again).
//!
//! What lookups share is kept here, since keeping is I/O's business: the
//! package documents of the names being looked up (parsed once, fetched
//! once however many lookups ask at the same time, kept a few minutes,
//! counted in bytes), and the registry's keys document.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use lru::LruCache;
use npm_provenance_core::lookup::{Answer, DocumentKind, Lookup, LookupError, Outcome, Question, Request, Step};
use npm_provenance_core::registry_documents::parse_packument;
use npm_provenance_core::{Report, TrustMaterial};

use crate::registry::RegistryClient;

/// How long a package document (and the keys document) is reused: new
/// versions appear, so not for long.
pub const SHARED_TTL: Duration = Duration::from_secs(300);
/// Names whose package documents are kept, at most.
const PACKUMENT_ENTRIES: usize = 4096;

type Flight = Shared<BoxFuture<'static, Answer>>;

struct Kept {
    at: Instant,
    answer: Answer,
    bytes: usize,
}

/// The kept documents and the bytes they hold.
struct Store {
    lru: LruCache<String, Kept>,
    bytes: usize,
}

/// Documents the lookups of one registry share, counted in bytes: a parsed
/// package document by its estimate ([`npm_provenance_core::registry_documents::Packument::approx_bytes`]), a
/// document kept as text by its length. The server gives them a share of
/// `--cache-mb`; an audit (one run) keeps every name it reads.
pub struct SharedDocuments {
    client: RegistryClient,
    max_bytes: usize,
    kept: Mutex<Store>,
    in_flight: Mutex<HashMap<String, Flight>>,
}

/// What keeping an answer costs: its key, its document, the entry.
fn kept_bytes(key: &str, answer: &Answer) -> usize {
    128 + key.len()
        + match answer {
            Answer::Packument(p) => p.approx_bytes(),
            Answer::Body(text) => text.len(),
            _ => 0,
        }
}

impl SharedDocuments {
    /// For one run (an audit): up to 4,096 names, however many bytes.
    pub fn new(client: RegistryClient) -> Arc<Self> {
        Self::with_budget(client, usize::MAX)
    }

    /// Keeps at most `max_bytes` of documents (and 4,096 names); a document
    /// larger than that is shared by the lookups that ask while it is
    /// fetched, and not kept.
    pub fn with_budget(client: RegistryClient, max_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            client,
            max_bytes,
            kept: Mutex::new(Store {
                lru: LruCache::new(NonZeroUsize::new(PACKUMENT_ENTRIES).unwrap_or(NonZeroUsize::MIN)),
                bytes: 0,
            }),
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    fn keep(&self, key: String, answer: Answer) {
        let bytes = kept_bytes(&key, &answer);
        let mut store = self.kept.lock().unwrap();
        if let Some(old) = store.lru.pop(&key) {
            store.bytes -= old.bytes;
        }
        if bytes > self.max_bytes {
            return;
        }
        while store.bytes + bytes > self.max_bytes || store.lru.len() >= PACKUMENT_ENTRIES {
            match store.lru.pop_lru() {
                Some((_, old)) => store.bytes -= old.bytes,
                None => break,
            }
        }
        store.bytes += bytes;
        store.lru.put(
            key,
            Kept {
                at: Instant::now(),
                answer,
                bytes,
            },
        );
    }

    fn kept(&self, key: &str) -> Option<Answer> {
        let mut store = self.kept.lock().unwrap();
        match store.lru.get(key) {
            Some(kept) if kept.at.elapsed() < SHARED_TTL => Some(kept.answer.clone()),
            Some(_) => {
                if let Some(old) = store.lru.pop(key) {
                    store.bytes -= old.bytes;
                }
                None
            }
            None => None,
        }
    }

    /// The answer to a package or keys document request: kept, or one
    /// fetch shared by every lookup asking at the same time. A package
    /// document that parses is handed on parsed ([`Answer::Packument`]);
    /// only answers that are documents are kept. Also says whether this
    /// call started a fetch (it is counted once, by whoever started it).
    async fn answer(self: &Arc<Self>, request: &Request) -> (Answer, bool) {
        let key = request.path.clone();
        if let Some(answer) = self.kept(&key) {
            return (answer, false);
        }
        let (flight, started) = {
            let mut in_flight = self.in_flight.lock().unwrap();
            match in_flight.get(&key) {
                Some(f) => (f.clone(), false),
                None => {
                    // A task of its own: it finishes and releases what it
                    // holds whoever still waits for it.
                    let this = self.clone();
                    let (path, request) = (key.clone(), request.clone());
                    let task = tokio::spawn(async move {
                        let (answer, holding) = this.client.answer_holding(&request).await;
                        let answer = match (request.kind, answer) {
                            (DocumentKind::Packument, Answer::Body(text)) => {
                                // Tens of megabytes to read: off the I/O
                                // threads, the text counted in flight
                                // (`holding`) until it is read.
                                tokio::task::spawn_blocking(move || {
                                    let parsed = match parse_packument(&text) {
                                        Ok(p) => Answer::Packument(Arc::new(p)),
                                        // The lookup reads it again, and says why it is not usable.
                                        Err(_) => Answer::Body(text),
                                    };
                                    drop(holding);
                                    parsed
                                })
                                .await
                                .unwrap_or(Answer::Unreadable("the package document could not be read".into()))
                            }
                            (_, answer) => answer,
                        };
                        if matches!(answer, Answer::Packument(_) | Answer::Body(_) | Answer::NotFound) {
                            this.keep(path.clone(), answer.clone());
                        }
                        this.in_flight.lock().unwrap().remove(&path);
                        answer
                    });
                    let f = async move {
                        task.await
                            .unwrap_or_else(|e| Answer::Network(format!("the fetch stopped: {e}")))
                    }
                    .boxed()
                    .shared();
                    in_flight.insert(key, f.clone());
                    (f, true)
                }
            }
        };
        (flight.await, started)
    }

    /// Package documents and keys documents kept.
    pub fn len(&self) -> usize {
        self.kept.lock().unwrap().lru.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the kept documents hold (estimated, see [`SharedDocuments`]).
    pub fn bytes(&self) -> usize {
        self.kept.lock().unwrap().bytes
    }

    /// The most bytes kept.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

/// An answer, and whether getting it sent a request to the registry.
async fn fetch(client: &RegistryClient, shared: Option<&Arc<SharedDocuments>>, request: &Request) -> (Answer, bool) {
    match (request.kind, shared) {
        (DocumentKind::Packument | DocumentKind::Keys, Some(shared)) if request.delay_ms == 0 => {
            shared.answer(request).await
        }
        _ => {
            let (answer, holding) = client.answer_holding(request).await;
            (answer, holding.sent)
        }
    }
}

/// Runs every question, at most the client's `max_fetches` registry
/// requests at a time, each outcome turned into what the caller keeps by
/// `keep` as soon as it is ready (an outcome holds documents; a lockfile's
/// thousands of them are not kept at once). Progress goes to a terminal's
/// standard error unless `quiet`. In the order asked; an `Err` is a lookup
/// that stopped (its task panicked or was cancelled).
pub async fn run_all<C, T, F>(
    client: &RegistryClient,
    trust: &TrustMaterial,
    shared: &Arc<SharedDocuments>,
    questions: Vec<(Question, C)>,
    quiet: bool,
    keep: F,
) -> Vec<Result<T, String>>
where
    C: Send + 'static,
    T: Send + 'static,
    F: Fn(Outcome, C) -> T + Send + Sync + 'static,
{
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let done = Arc::new(AtomicUsize::new(0));
    let total = questions.len();
    let progress = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                eprint!("\rverifying {}/{total} package versions", done.load(Ordering::Relaxed));
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    });
    let keep = Arc::new(keep);
    let tasks: Vec<_> = questions
        .into_iter()
        .map(|(question, context)| {
            let (client, trust, shared, done, keep) = (
                client.clone(),
                trust.clone(),
                shared.clone(),
                done.clone(),
                keep.clone(),
            );
            tokio::spawn(async move {
                let outcome = run(&client, &trust, question, Some(&shared)).await;
                done.fetch_add(1, Ordering::Relaxed);
                keep(outcome, context)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(total);
    for task in tasks {
        out.push(task.await.map_err(|e| e.to_string()));
    }
    if let Some(progress) = progress {
        progress.abort();
        eprint!("\r\x1b[K");
    }
    out
}

/// Runs `question` to its outcome against the client's registry.
pub async fn run(
    client: &RegistryClient,
    trust: &TrustMaterial,
    question: Question,
    shared: Option<&Arc<SharedDocuments>>,
) -> Outcome {
    run_counted(client, trust, question, shared).await.0
}

/// [`run`], and how many requests it sent to the registry (a document
/// another lookup was already fetching, or kept, costs none).
pub async fn run_counted(
    client: &RegistryClient,
    trust: &TrustMaterial,
    question: Question,
    shared: Option<&Arc<SharedDocuments>>,
) -> (Outcome, u32) {
    let mut lookup = Lookup::new(question);
    let mut sent = 0u32;
    // Pinned documents as fetched, kept on disk once the lookup accepts them.
    let mut pinned: HashMap<String, String> = HashMap::new();
    // Every batch is answered whole before asking again.
    while let Step::Fetch(requests) = lookup.next(trust) {
        let answers = futures::future::join_all(requests.iter().map(|r| async {
            let (answer, was_sent) = fetch(client, shared, r).await;
            (r.id, answer, was_sent)
        }))
        .await;
        sent += answers.iter().filter(|(_, _, was_sent)| *was_sent).count() as u32;
        let answers: Vec<(u32, Answer)> = answers.into_iter().map(|(id, a, _)| (id, a)).collect();
        for (request, (_, answer)) in requests.iter().zip(&answers) {
            if let (true, Answer::Body(text)) = (request.pinned, answer) {
                pinned.insert(request.path.clone(), text.clone());
            }
        }
        let heavy = answers
            .iter()
            .any(|(_, a)| matches!(a, Answer::Body(text) if text.len() > 1 << 20));
        if heavy {
            // A large body is parsed as it is fed: off the I/O threads.
            lookup = match tokio::task::spawn_blocking(move || {
                for (id, answer) in answers {
                    lookup.feed(id, answer);
                }
                lookup
            })
            .await
            {
                Ok(lookup) => lookup,
                Err(e) => return (stopped(e), sent),
            };
        } else {
            for (id, answer) in answers {
                lookup.feed(id, answer);
            }
        }
    }
    let trust = trust.clone();
    // Verification is CPU work (milliseconds): off the I/O threads.
    let outcome = tokio::task::spawn_blocking(move || lookup.finish(&trust))
        .await
        .unwrap_or_else(stopped);
    for path in &outcome.keep {
        if let Some(text) = pinned.get(path) {
            client.keep(path, text);
        }
    }
    (outcome, sent)
}

fn stopped(e: tokio::task::JoinError) -> Outcome {
    let error = LookupError::Registry {
        message: format!("The verification stopped: {e}."),
        cause: npm_provenance_core::lookup::Cause::Unusable,
        transient: true,
    };
    Outcome {
        report: Report::error(None, error.message()),
        version: None,
        error: Some(error),
        transient: true,
        packument: None,
        keep: Vec::new(),
        integrity: None,
        attestations: None,
    }
}
