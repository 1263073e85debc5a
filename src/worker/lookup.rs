//! The worker's driver of the core's lookup ([`npm_provenance_core::lookup`]):
//! it fetches what the lookup asks for ([`crate::api::answer`]), has the
//! browser's WebCrypto make the signature checks first, and decides nothing
//! else. The same lookup runs in the server and the command line.
//!
//! What lookups in this worker share is kept here: the package documents
//! read (parsed once, one fetch per registry and name however many rows of
//! a history ask), for a few minutes, and the registry's keys document.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use npm_provenance_core::TrustMaterial;
use npm_provenance_core::lookup::{Answer, DocumentKind, Lookup, Outcome, Question, Request, Step};
use npm_provenance_core::registry_documents::{parse_packument, registry_url};

use super::webcrypto;

/// How long a package document is reused: new versions appear.
const SHARED_MS: f64 = 300_000.0;

type Flight = Shared<LocalBoxFuture<'static, Answer>>;

thread_local! {
    /// Package and keys documents by URL: when fetched, and the answer.
    static SHARED: RefCell<HashMap<String, (f64, Flight)>> = RefCell::new(HashMap::new());
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Forgets the kept package documents (an audit ended: new versions may
/// appear before the next).
pub fn forget_shared() {
    SHARED.with(|s| s.borrow_mut().clear());
}

/// A package or keys document: kept, or one fetch shared by every lookup of
/// this worker that asks for it. A package document that parses is handed
/// on parsed.
async fn shared(registry: &str, request: &Request) -> Answer {
    let url = registry_url(registry, &request.path);
    let now = now_ms();
    let flight = SHARED.with(|s| {
        let mut s = s.borrow_mut();
        s.retain(|_, (at, _)| now - *at < SHARED_MS);
        s.entry(url)
            .or_insert_with(|| {
                let (registry, request) = (registry.to_string(), request.clone());
                let flight = async move {
                    match (request.kind, crate::api::answer(&registry, &request).await) {
                        (DocumentKind::Packument, Answer::Body(text)) => match parse_packument(&text) {
                            Ok(p) => Answer::Packument(std::sync::Arc::new(p)),
                            // The lookup reads it again, and says why it is not usable.
                            Err(_) => Answer::Body(text),
                        },
                        (_, answer) => answer,
                    }
                }
                .boxed_local()
                .shared();
                (now, flight)
            })
            .1
            .clone()
    });
    let answer = flight.await;
    // Only documents are kept: a failure is asked again by the next lookup.
    if !matches!(answer, Answer::Packument(_) | Answer::Body(_) | Answer::NotFound) {
        let url = registry_url(registry, &request.path);
        SHARED.with(|s| s.borrow_mut().remove(&url));
    }
    answer
}

async fn fetch(registry: &str, request: &Request) -> Answer {
    match request.kind {
        DocumentKind::Packument | DocumentKind::Keys if request.delay_ms == 0 => shared(registry, request).await,
        _ => crate::api::answer(registry, request).await,
    }
}

/// Runs `question` to its outcome against its registry.
pub async fn run(
    question: Question,
    provisional: &TrustMaterial,
    settled: impl std::future::Future<Output = Result<Option<TrustMaterial>, String>>,
) -> Result<Outcome, String> {
    let registry = question.registry.clone();
    let mut lookup = Lookup::new(question);
    // Pinned documents as fetched, kept once the lookup accepts them.
    let mut pinned: HashMap<String, Rc<str>> = HashMap::new();
    // The registry is read while the trust may still be settling (a TUF
    // refresh); verification waits for it. What the settled trust needs
    // beyond what was read (a keys document, the publication time) is
    // asked for then: the plan is the core's under either trust.
    fetch_all(&mut lookup, provisional, &registry, &mut pinned).await;
    // `None`: the provisional trust was the settled one.
    let settled = settled.await?;
    let trust = settled.as_ref().unwrap_or(provisional);
    fetch_all(&mut lookup, trust, &registry, &mut pinned).await;
    let prepared = lookup.prepare(trust);
    webcrypto::preverify(prepared.signature_checks(trust)).await;
    let outcome = prepared.finish(trust);
    for path in &outcome.keep {
        if let Some(text) = pinned.get(path) {
            crate::api::keep_pinned(&registry_url(&registry, path), text);
        }
    }
    Ok(outcome)
}

/// Fetches what the lookup asks for under `trust` until it asks no more.
async fn fetch_all(lookup: &mut Lookup, trust: &TrustMaterial, registry: &str, pinned: &mut HashMap<String, Rc<str>>) {
    while let Step::Fetch(requests) = lookup.next(trust) {
        let answers = futures::future::join_all(requests.iter().map(|r| fetch(registry, r))).await;
        for (request, answer) in requests.iter().zip(answers) {
            if let (true, Answer::Body(text)) = (request.pinned, &answer) {
                pinned.insert(request.path.clone(), Rc::from(text.as_str()));
            }
            lookup.feed(request.id, answer);
        }
    }
}
