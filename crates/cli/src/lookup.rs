//! The command line's and the server's driver of the core's lookup
//! ([`npm_provenance_core::lookup`]): it fetches what the lookup asks for
//! with the registry client, hands every answer back, and decides nothing
//! (not which documents, not what an answer means, not whether to try
//! again).
//!
//! What lookups share is kept here, since keeping is I/O's business: the
//! package documents of the names being looked up (parsed once, fetched
//! once however many lookups ask at the same time, kept a few minutes),
//! and the registry's keys document.

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
/// Names whose package documents are kept.
const PACKUMENT_ENTRIES: usize = 4096;

type Flight = Shared<BoxFuture<'static, Answer>>;

/// Documents the lookups of one registry share.
pub struct SharedDocuments {
    client: RegistryClient,
    kept: Mutex<LruCache<String, (Instant, Answer)>>,
    in_flight: Mutex<HashMap<String, Flight>>,
}

impl SharedDocuments {
    pub fn new(client: RegistryClient) -> Arc<Self> {
        Arc::new(Self {
            client,
            kept: Mutex::new(LruCache::new(
                NonZeroUsize::new(PACKUMENT_ENTRIES).unwrap_or(NonZeroUsize::MIN),
            )),
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// The answer to a package or keys document request: kept, or one
    /// fetch shared by every lookup asking at the same time. A package
    /// document that parses is handed on parsed ([`Answer::Packument`]);
    /// only answers that are documents are kept.
    async fn answer(self: &Arc<Self>, request: &Request) -> Answer {
        let key = request.path.clone();
        if let Some((at, answer)) = self.kept.lock().unwrap().get(&key)
            && at.elapsed() < SHARED_TTL
        {
            return answer.clone();
        }
        let flight = {
            let mut in_flight = self.in_flight.lock().unwrap();
            match in_flight.get(&key) {
                Some(f) => f.clone(),
                None => {
                    // A task of its own: it finishes and releases what it
                    // holds whoever still waits for it.
                    let this = self.clone();
                    let (path, request) = (key.clone(), request.clone());
                    let task = tokio::spawn(async move {
                        let answer = this.client.answer(&request).await;
                        let answer = match (request.kind, answer) {
                            (DocumentKind::Packument, Answer::Body(text)) => {
                                // Tens of megabytes to read: off the I/O threads.
                                tokio::task::spawn_blocking(move || match parse_packument(&text) {
                                    Ok(p) => Answer::Packument(Arc::new(p)),
                                    // The lookup reads it again, and says why it is not usable.
                                    Err(_) => Answer::Body(text),
                                })
                                .await
                                .unwrap_or(Answer::Unreadable("the package document could not be read".into()))
                            }
                            (_, answer) => answer,
                        };
                        if matches!(answer, Answer::Packument(_) | Answer::Body(_) | Answer::NotFound) {
                            this.kept
                                .lock()
                                .unwrap()
                                .put(path.clone(), (Instant::now(), answer.clone()));
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
                    f
                }
            }
        };
        flight.await
    }

    /// Package documents and keys documents kept.
    pub fn len(&self) -> usize {
        self.kept.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

async fn fetch(client: &RegistryClient, shared: Option<&Arc<SharedDocuments>>, request: &Request) -> Answer {
    match (request.kind, shared) {
        (DocumentKind::Packument | DocumentKind::Keys, Some(shared)) if request.delay_ms == 0 => {
            shared.answer(request).await
        }
        _ => client.answer(request).await,
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
    let mut lookup = Lookup::new(question);
    // Pinned documents as fetched, kept on disk once the lookup accepts them.
    let mut pinned: HashMap<String, String> = HashMap::new();
    // Every batch is answered whole before asking again.
    while let Step::Fetch(requests) = lookup.next(trust) {
        let answers = futures::future::join_all(
            requests
                .iter()
                .map(|r| async { (r.id, fetch(client, shared, r).await) }),
        )
        .await;
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
                Err(e) => return stopped(e),
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
    outcome
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
        attestations: None,
    }
}
