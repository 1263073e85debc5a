//! One package version, from a registry to its report: which documents it
//! needs and in which order, what each answer means, and the verdict.
//!
//! A person asks one question ("is this package version what its
//! maintainers built?"), and the answer must not depend on the door they
//! ask it through. So the whole question lives here, without I/O, in the
//! shape of quinn-proto's or rustls's connections: a door (the page's
//! worker, the server, `verify`, `audit`) asks [`Lookup::next`] what to
//! fetch, fetches it its own way, hands every answer back with
//! [`Lookup::feed`], and when nothing more is needed runs
//! [`Lookup::finish`]. The doors decide nothing: not which documents, not
//! what a 404 means, not whether to try again.
//!
//! What a version needs:
//! - its own **version document** (`/<name>/<version>`, or `/<name>/latest`),
//!   which must state the asked name and version;
//! - its **attestations** when the version document lists them
//!   (`dist.attestations`); listed but not served is a failure, never
//!   "no provenance";
//! - the **package document** when the release line is compared (the
//!   downgrade rules, what changed) or when a registry signature is by a key
//!   that expires, whose validity depends on when the version was published;
//!   it must list the version as the version document states it;
//! - the registry's **keys document** when the version carries no signature
//!   and it is not known whether the registry signs (npm's registry does,
//!   with the keys of the trust material; a registry the caller gave keys
//!   for does);
//! - for "what changed", the **previous version** of the release line that
//!   lists provenance: its version document and attestations, verified too.
//!
//! Each round of requests waits for the one before, so a document is asked
//! for as soon as anything already read says it is needed: the package
//! document's listing of a version (the asked one, the previous one) starts
//! its attestations beside its version document. What is verified is still
//! the version document's word: attestations it does not list are not
//! read, and a listing that says otherwise fails "Registry documents
//! agree".

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::identity::ExpectedIdentity;
use crate::package::validate_version;
use crate::package_version::{
    PackageVersionDocuments, PreparedAttestations, RegistrySigning, ResolveError, check_version_document,
    verify_package_version,
};
use crate::publishing::{changes_since, previous_with_provenance};
use crate::registry_documents::{
    KEYS_PATH, MAX_ATTESTATIONS_BYTES, MAX_KEYS_DOCUMENT_BYTES, MAX_PACKUMENT_BYTES, MAX_VERSION_DOCUMENT_BYTES,
    Packument, VersionDist, attestations_path, count_listed_keys, packument_path, parse_packument,
    parse_version_document, version_document_path,
};
use crate::registry_signatures::needs_publication_time;
use crate::report::{BuildComparison, PackageRef, Report};
use crate::text::visible;
use crate::trust::TrustMaterial;

/// Times a request that failed for a reason that may pass (429, 5xx, a
/// timeout, the network) is tried again before the answer stands, unless
/// the question says otherwise.
pub const RETRIES: u32 = 3;
/// The longest pause before trying again, whatever a `Retry-After` asks.
pub const MAX_RETRY_DELAY_MS: u32 = 30_000;

/// The pause before try `attempt` (1, 2, ...): 250 ms, 1 s, 4 s, then 8 s.
pub fn backoff_ms(attempt: u32) -> u32 {
    (250u32 << (2 * attempt.saturating_sub(1).min(5))).min(8_000)
}

/// How far a lookup looks beyond the version itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Depth {
    /// The version alone (a lockfile audit without `--no-downgrade`).
    Version,
    /// And its release line: the package document, for the downgrade rules.
    History,
    /// And what changed in the build since the previous version of the
    /// line with provenance (its certificate verified too).
    Changes,
}

/// The question a door asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The registry's base URL. Whether a version without signatures had
    /// them stripped depends on whether this registry signs (npm's does).
    pub registry: String,
    pub name: String,
    /// `None`: the version the `latest` tag names.
    pub version: Option<String>,
    /// Every integrity a lockfile records for this version (one per copy):
    /// each must be the registry's.
    #[serde(default)]
    pub lockfile_integrities: Vec<String>,
    pub depth: Depth,
    #[serde(default)]
    pub expected: ExpectedIdentity,
    /// How many times a request that failed for a reason that may pass is
    /// tried again ([`Answer::is_transient`], after [`backoff_ms`]): a
    /// door's patience, not a rule (an audit waits; a badge answers now
    /// and its CDN asks again later).
    #[serde(default = "default_retries")]
    pub retries: u32,
}

fn default_retries() -> u32 {
    RETRIES
}

impl Question {
    pub fn new(registry: &str, name: &str, version: Option<&str>, depth: Depth) -> Self {
        Self {
            registry: registry.to_string(),
            name: name.to_string(),
            version: version.map(str::to_string),
            lockfile_integrities: Vec::new(),
            depth,
            expected: ExpectedIdentity::default(),
            retries: RETRIES,
        }
    }
}

/// Which registry document a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    VersionDocument,
    Packument,
    Attestations,
    Keys,
}

/// A document to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Answer with this id.
    pub id: u32,
    pub kind: DocumentKind,
    /// The registry path (`/sigstore/2.3.1`); the door joins it to the
    /// registry's base URL ([`crate::registry_documents::registry_url`]).
    pub path: String,
    /// Bytes at most: a longer answer is [`Answer::TooLarge`].
    pub limit: usize,
    /// The document of a published version, which npm never changes: a door
    /// may keep it between lookups.
    pub pinned: bool,
    /// Wait this long before sending it (a request tried again).
    pub delay_ms: u32,
}

/// What the registry answered (or the door, for a document it kept).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// 200, with the body's text.
    Body(String),
    /// A package document this lookup gave out before ([`Outcome::packument`])
    /// and the door kept.
    Packument(Arc<Packument>),
    /// 404.
    NotFound,
    /// Another status; `retry_after_s` from the registry's `Retry-After`.
    Status { status: u16, retry_after_s: Option<u32> },
    /// No answer in the door's time.
    Timeout,
    /// The registry could not be reached.
    Network(String),
    /// Longer than the request's limit.
    TooLarge,
    /// A redirect, which no door follows off the registry's origin.
    Redirect,
    /// Bytes that are not text (not UTF-8).
    Unreadable(String),
}

impl Answer {
    /// Whether trying again later may help: the registry asked for room
    /// (429), failed for a while (5xx), was slow or out of reach. Not a
    /// 404, a 403 or a wrong document.
    pub fn is_transient(&self) -> bool {
        match self {
            Answer::Status { status, .. } => *status == 429 || (500..600).contains(status),
            Answer::Timeout | Answer::Network(_) => true,
            _ => false,
        }
    }
}

/// What a door does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Fetch these (at once, in any order) and feed every answer before
    /// asking again.
    Fetch(Vec<Request>),
    /// Answers are still due for requests handed out earlier.
    Wait,
    /// Everything needed is here: [`Lookup::finish`].
    Ready,
}

/// What a registry did instead of serving a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "status", rename_all = "kebab-case")]
pub enum Cause {
    /// 404: it has no such document.
    NotFound,
    /// Another HTTP status.
    Status(u16),
    /// No answer in time.
    Timeout,
    /// It could not be reached (or, from a browser, refused cross-origin requests).
    Unreachable,
    /// It answered, but not with a usable document (too large, not text, not
    /// the document's shape, a redirect off its origin).
    Unusable,
}

impl Cause {
    fn of(answer: &Answer) -> Self {
        match answer {
            Answer::NotFound => Cause::NotFound,
            Answer::Status { status, .. } => Cause::Status(*status),
            Answer::Timeout => Cause::Timeout,
            Answer::Network(_) => Cause::Unreachable,
            _ => Cause::Unusable,
        }
    }
}

/// Why a lookup has no report of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LookupError {
    /// The registry has no such package, or no such version of it.
    NotFound { name: String, version: Option<String> },
    /// The registry answered with a document of another package or version.
    WrongDocument { message: String },
    /// The registry did not give a usable answer.
    Registry {
        message: String,
        cause: Cause,
        /// Trying again later may help.
        transient: bool,
    },
}

impl LookupError {
    pub fn message(&self) -> String {
        match self {
            LookupError::NotFound { name, version: None } => {
                format!("There is no package named {} on the registry.", visible(name))
            }
            LookupError::NotFound { name, version: Some(v) } => {
                format!("{} has no version {} on the registry.", visible(name), visible(v))
            }
            LookupError::WrongDocument { message } | LookupError::Registry { message, .. } => message.clone(),
        }
    }
}

/// A lookup's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The report: a verification's, or an error's (`verdict: error`).
    pub report: Report,
    /// The version looked up (the `latest` tag resolved), when known.
    pub version: Option<String>,
    /// Why there was no verification, when there was none.
    pub error: Option<LookupError>,
    /// Something was left out for a reason that may pass (a document that
    /// could not be read in time): the answer may change when asked again,
    /// so it is not kept for long.
    pub transient: bool,
    /// The package document, when it was read: the page shows it, and a
    /// door may keep it ([`Answer::Packument`]) for the next lookup.
    pub packument: Option<Arc<Packument>>,
    /// The paths of pinned documents (a published version's document and
    /// attestations, which npm never changes) that were read and were what
    /// was asked for: a door may keep these, and only these (a wrong or
    /// broken answer kept would be served again for good).
    pub keep: Vec<String>,
    /// The asked version's attestations response as served (a page shows it).
    pub attestations: Option<String>,
    /// The asked version's `dist.integrity`, from the version document the
    /// lookup accepted (the inspector compares a pasted bundle's subject
    /// with it).
    pub integrity: Option<String>,
}

/// A document's state within the lookup.
#[derive(Debug, Clone)]
enum Doc<T> {
    /// Not needed (yet).
    Idle,
    /// Requested; its answer is due.
    Asked,
    Have(T),
    /// Not to be had.
    Missing(Gone),
}

/// Why a document is not to be had.
#[derive(Debug, Clone)]
struct Gone {
    /// A sentence's middle: "the registry answered HTTP 503 for ...".
    why: String,
    cause: Cause,
    /// Trying again later may help.
    transient: bool,
}

impl Gone {
    /// What a document that is not to be had means for it.
    fn of(answer: &Answer, what: &str) -> Self {
        let why = match answer {
            Answer::Body(_) | Answer::Packument(_) => format!("{what} was answered"),
            Answer::NotFound => format!("the registry has no {what} (HTTP 404)"),
            Answer::Status { status, .. } => format!("the registry answered HTTP {status} for {what}"),
            Answer::Timeout => format!("the registry did not answer in time for {what}"),
            Answer::Network(e) => format!("the registry could not be reached for {what}: {}", visible(e)),
            Answer::TooLarge => format!("{what} is larger than is read"),
            Answer::Redirect => format!(
                "the registry answered the request for {what} with a redirect, which this program does not follow: a registry must serve its documents itself"
            ),
            Answer::Unreadable(e) => format!("{what} is not text: {}", visible(e)),
        };
        Gone {
            why,
            cause: Cause::of(answer),
            transient: answer.is_transient(),
        }
    }

    /// A document that was answered, but is not usable.
    fn unusable(why: String) -> Self {
        Self {
            why,
            cause: Cause::Unusable,
            transient: false,
        }
    }

    fn error(&self) -> LookupError {
        LookupError::Registry {
            message: capitalised(&self.why),
            cause: self.cause,
            transient: self.transient,
        }
    }
}

impl<T> Doc<T> {
    fn is_idle(&self) -> bool {
        matches!(self, Doc::Idle)
    }

    fn have(&self) -> Option<&T> {
        match self {
            Doc::Have(t) => Some(t),
            _ => None,
        }
    }
}

/// One version's documents: the asked one, or the previous one of its line.
#[derive(Debug)]
struct VersionDocs {
    /// The version, once known (a tag resolves when its document arrives).
    version: Option<String>,
    document: Doc<VersionDist>,
    attestations: Doc<String>,
}

impl VersionDocs {
    fn new(version: Option<String>) -> Self {
        Self {
            version,
            document: Doc::Idle,
            attestations: Doc::Idle,
        }
    }

    /// Whether the version document lists attestations.
    fn lists_attestations(&self) -> bool {
        self.document.have().is_some_and(|d| d.attestations_url.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Asked,
    Previous,
}

#[derive(Debug, Clone)]
struct Pending {
    request: Request,
    target: Target,
    attempt: u32,
}

/// The lookup of one package version: see the module documentation.
#[derive(Debug)]
pub struct Lookup {
    question: Question,
    /// Whether the registry is npm's, whose keys the trust material holds.
    npm_registry: bool,
    next_id: u32,
    queued: Vec<Request>,
    pending: Vec<Pending>,
    asked: VersionDocs,
    previous: Option<VersionDocs>,
    packument: Doc<Arc<Packument>>,
    /// Whether the registry lists keys (`/-/npm/v1/keys`).
    keys: Doc<bool>,
    /// What ends the lookup without a verification.
    error: Option<LookupError>,
    /// Something left out for a reason that may pass.
    transient: bool,
    /// Pinned documents read and accepted ([`Outcome::keep`]).
    read_pinned: Vec<String>,
}

impl Lookup {
    pub fn new(question: Question) -> Self {
        Self {
            npm_registry: crate::site::is_npm_registry(&question.registry),
            asked: VersionDocs::new(question.version.clone()),
            question,
            next_id: 1,
            queued: Vec::new(),
            pending: Vec::new(),
            previous: None,
            packument: Doc::Idle,
            keys: Doc::Idle,
            error: None,
            transient: false,
            read_pinned: Vec::new(),
        }
    }

    pub fn question(&self) -> &Question {
        &self.question
    }

    /// The package document, once it has been read.
    pub fn packument(&self) -> Option<&Arc<Packument>> {
        self.packument.have()
    }

    /// What to do next. `trust` decides whether a signature's key expires
    /// (and so whether the publication time is needed) and whether the
    /// registry's keys are known.
    pub fn next(&mut self, trust: &TrustMaterial) -> Step {
        if self.error.is_none() {
            self.plan(trust);
        }
        if !self.queued.is_empty() {
            return Step::Fetch(std::mem::take(&mut self.queued));
        }
        if self.pending.is_empty() {
            Step::Ready
        } else {
            Step::Wait
        }
    }

    fn ask(&mut self, target: Target, kind: DocumentKind, path: String) {
        let (limit, pinned) = match kind {
            DocumentKind::VersionDocument => (
                MAX_VERSION_DOCUMENT_BYTES,
                // A version, not a tag such as `latest`: its document never changes.
                path.rsplit('/')
                    .next()
                    .is_some_and(|v| validate_version(v).is_ok() && v != "latest"),
            ),
            DocumentKind::Attestations => (MAX_ATTESTATIONS_BYTES, true),
            DocumentKind::Packument => (MAX_PACKUMENT_BYTES, false),
            DocumentKind::Keys => (MAX_KEYS_DOCUMENT_BYTES, false),
        };
        let request = Request {
            id: self.next_id,
            kind,
            path,
            limit,
            pinned,
            delay_ms: 0,
        };
        self.next_id += 1;
        self.pending.push(Pending {
            request: request.clone(),
            target,
            attempt: 0,
        });
        self.queued.push(request);
    }

    fn docs_mut(&mut self, target: Target) -> Option<&mut VersionDocs> {
        match target {
            Target::Asked => Some(&mut self.asked),
            Target::Previous => self.previous.as_mut(),
        }
    }

    /// Asks for whatever has become needed.
    fn plan(&mut self, trust: &TrustMaterial) {
        let name = self.question.name.clone();
        let depth = self.question.depth;
        // The package document: for the release line, or for the time a
        // registry signature's expiring key must be judged at.
        let time_needed = self
            .asked
            .document
            .have()
            .is_some_and(|d| needs_publication_time(&d.signatures, trust.registry_keys()));
        if (depth >= Depth::History || time_needed) && self.packument.is_idle() {
            self.packument = Doc::Asked;
            self.ask(Target::Asked, DocumentKind::Packument, packument_path(&name));
        }
        // The asked version's document. The `latest` tag is read from the
        // package document when that is read anyway, so that the version
        // and the history come from one answer.
        if self.asked.document.is_idle() {
            match (&self.asked.version, depth) {
                (Some(v), _) => {
                    let path = version_document_path(&name, v);
                    self.asked.document = Doc::Asked;
                    self.ask(Target::Asked, DocumentKind::VersionDocument, path);
                }
                (None, Depth::Version) => {
                    self.asked.document = Doc::Asked;
                    self.ask(
                        Target::Asked,
                        DocumentKind::VersionDocument,
                        version_document_path(&name, "latest"),
                    );
                }
                (None, _) => {
                    if let Some(packument) = self.packument.have() {
                        match packument.latest().map(str::to_string) {
                            Some(latest) => {
                                let path = version_document_path(&name, &latest);
                                self.asked.version = Some(latest);
                                self.asked.document = Doc::Asked;
                                self.ask(Target::Asked, DocumentKind::VersionDocument, path);
                            }
                            None => {
                                self.error = Some(LookupError::WrongDocument {
                                    message: ResolveError::NoVersions(name.clone()).message(),
                                });
                                return;
                            }
                        }
                    }
                }
            }
        }
        // Attestations, when listed (by the version document, or ahead of
        // it by the package document).
        let listed = self
            .listing(Target::Asked)
            .map(|d| (d.attestations_url.is_some(), d.signatures.is_empty()));
        if listed.is_some_and(|(attested, _)| attested)
            && self.asked.attestations.is_idle()
            && let Some(v) = self.asked.version.clone()
        {
            self.asked.attestations = Doc::Asked;
            self.ask(Target::Asked, DocumentKind::Attestations, attestations_path(&name, &v));
        }
        // Whether the registry signs, when it matters: a version without
        // signatures on a registry whose keys are not known otherwise.
        // The listing may say so ahead of the version document; a keys
        // document read for nothing changes no verdict (signatures that are
        // there are checked whoever signs) and leaves nothing unfinished
        // ([`Prepared::finish`]).
        let unsigned = listed.is_some_and(|(_, unsigned)| unsigned);
        if unsigned && self.signing_from_trust(trust).is_none() && self.keys.is_idle() {
            self.keys = Doc::Asked;
            self.ask(Target::Asked, DocumentKind::Keys, KEYS_PATH.to_string());
        }
        // The previous version of the line with provenance, for what changed.
        if depth == Depth::Changes
            && self.previous.is_none()
            && self
                .listing(Target::Asked)
                .is_some_and(|d| d.attestations_url.is_some())
            && let (Some(packument), Some(version)) = (self.packument.have(), self.asked.version.as_deref())
            && let Some(previous) =
                previous_with_provenance(version, packument.published_at(version), &packument.history)
        {
            let previous = previous.version.clone();
            let path = version_document_path(&name, &previous);
            let mut docs = VersionDocs::new(Some(previous));
            docs.document = Doc::Asked;
            self.previous = Some(docs);
            self.ask(Target::Previous, DocumentKind::VersionDocument, path);
        }
        if self
            .listing(Target::Previous)
            .is_some_and(|d| d.attestations_url.is_some())
            && let Some(previous) = self.previous.as_ref()
            && previous.attestations.is_idle()
            && let Some(v) = previous.version.clone()
        {
            if let Some(p) = self.previous.as_mut() {
                p.attestations = Doc::Asked;
            }
            self.ask(
                Target::Previous,
                DocumentKind::Attestations,
                attestations_path(&name, &v),
            );
        }
    }

    /// What is known of a version's `dist`: its own document once read,
    /// until then the package document's listing of it.
    fn listing(&self, target: Target) -> Option<&VersionDist> {
        let docs = match target {
            Target::Asked => &self.asked,
            Target::Previous => self.previous.as_ref()?,
        };
        if let Some(document) = docs.document.have() {
            return Some(document);
        }
        if !matches!(docs.document, Doc::Idle | Doc::Asked) {
            return None;
        }
        let version = docs.version.as_deref()?;
        self.packument.have()?.versions.get(version)
    }

    /// Whether the registry signs, when the trust material says: npm's
    /// registry signs with npm's keys; a registry whose keys the caller gave
    /// signs with those. `None`: its keys document says.
    fn signing_from_trust(&self, trust: &TrustMaterial) -> Option<RegistrySigning> {
        let keys = trust.registry_keys();
        if keys.has_supplied() || (self.npm_registry && !keys.keys().is_empty()) {
            Some(RegistrySigning::Signs)
        } else {
            None
        }
    }

    /// Hands over the answer to request `id`. An answer to no request of
    /// this lookup (or a second answer) is ignored.
    pub fn feed(&mut self, id: u32, answer: Answer) {
        let Some(at) = self.pending.iter().position(|p| p.request.id == id) else {
            return;
        };
        let pending = self.pending.swap_remove(at);
        if answer.is_transient() && pending.attempt < self.question.retries {
            let attempt = pending.attempt + 1;
            let asked_for = match &answer {
                Answer::Status {
                    retry_after_s: Some(s), ..
                } => s.saturating_mul(1000),
                _ => 0,
            };
            let mut request = pending.request.clone();
            request.id = self.next_id;
            request.delay_ms = backoff_ms(attempt).max(asked_for).min(MAX_RETRY_DELAY_MS);
            self.next_id += 1;
            self.queued.push(request.clone());
            self.pending.push(Pending {
                request,
                target: pending.target,
                attempt,
            });
            return;
        }
        match pending.request.kind {
            DocumentKind::VersionDocument => self.version_document(pending.target, &pending.request, answer),
            DocumentKind::Attestations => self.attestations(pending.target, &pending.request, answer),
            DocumentKind::Packument => self.packument_answer(answer),
            DocumentKind::Keys => self.keys_answer(answer),
        }
    }

    /// What a document that is not to be had means for it, and notes a
    /// reason that may pass.
    fn missing<T>(&mut self, answer: &Answer, what: &str) -> Doc<T> {
        Doc::Missing(self.gone(answer, what))
    }

    fn gone(&mut self, answer: &Answer, what: &str) -> Gone {
        let gone = Gone::of(answer, what);
        self.transient |= gone.transient;
        gone
    }

    fn version_document(&mut self, target: Target, request: &Request, answer: Answer) {
        let pinned = request.pinned.then(|| request.path.clone());
        let name = self.question.name.clone();
        // The version this document was asked for: the question's, or the
        // one the package document's `latest` named (asked for by number, so
        // the document must state it: the registry does not swap in another
        // version); `None` only for `/<name>/latest` itself.
        let asked = match target {
            Target::Asked => self.asked.version.clone(),
            Target::Previous => self.previous.as_ref().and_then(|p| p.version.clone()),
        };
        let shown = format!(
            "the document of {}@{}",
            visible(&name),
            visible(asked.as_deref().unwrap_or("latest"))
        );
        let read = match &answer {
            Answer::Body(text) if text.len() > request.limit => {
                Err(Unusable::Answer(self.gone(&Answer::TooLarge, &shown)))
            }
            Answer::Body(text) => parse_version_document(text).map_err(|e| {
                Unusable::Content(format!(
                    "{} is not usable: {}",
                    capitalised_no_stop(&shown),
                    visible(&e)
                ))
            }),
            other => Err(Unusable::Answer(self.gone(other, &shown))),
        };
        let result = read.and_then(|(_, stated, dist)| {
            // The version a tag named must be a version; a pinned one must
            // be the asked one, and the document must be the asked package's:
            // the registry does not choose what is verified.
            let version = match asked.as_deref() {
                Some(v) => v.to_string(),
                None => {
                    validate_version(&stated).map_err(|e| {
                        Unusable::Content(format!("The registry's latest version is not usable: {}.", visible(&e)))
                    })?;
                    stated
                }
            };
            check_version_document(Some(&dist), &name, &version)
                .map(|()| (version, dist))
                .map_err(|e| Unusable::Wrong(e.message()))
        });
        match (target, result) {
            (_, Ok((version, dist))) => {
                if let Some(docs) = self.docs_mut(target) {
                    docs.version = Some(version);
                    docs.document = Doc::Have(dist);
                }
                self.read_pinned.extend(pinned);
            }
            (Target::Previous, Err(unusable)) => {
                if let Some(docs) = self.previous.as_mut() {
                    docs.document = unusable.into_missing();
                }
            }
            (
                Target::Asked,
                Err(Unusable::Answer(Gone {
                    cause: Cause::NotFound, ..
                })),
            ) => {
                self.error = Some(LookupError::NotFound {
                    name,
                    version: self.question.version.clone(),
                });
            }
            (Target::Asked, Err(Unusable::Wrong(message))) => {
                self.error = Some(LookupError::WrongDocument { message });
            }
            (Target::Asked, Err(unusable)) => {
                if let Doc::Missing(gone) = unusable.into_missing() {
                    self.error = Some(gone.error());
                }
            }
        }
    }

    fn attestations(&mut self, target: Target, request: &Request, answer: Answer) {
        let name = self.question.name.clone();
        let version = self
            .docs_mut(target)
            .and_then(|d| d.version.clone())
            .unwrap_or_default();
        let what = format!(
            "the attestations of {}@{} that its version document lists",
            visible(&name),
            visible(&version)
        );
        let doc = match answer {
            Answer::Body(text) => {
                // Kept only if it reads as an attestations response.
                if request.pinned && crate::registry_documents::parse_attestations(&text).is_ok() {
                    self.read_pinned.push(request.path.clone());
                }
                Doc::Have(text)
            }
            other => self.missing(&other, &what),
        };
        if let Some(docs) = self.docs_mut(target) {
            docs.attestations = doc;
        }
    }

    fn packument_answer(&mut self, answer: Answer) {
        let name = self.question.name.clone();
        let what = format!("the package document of {}", visible(&name));
        let read = match answer {
            Answer::Packument(p) => Ok(p),
            Answer::Body(text) => parse_packument(&text)
                .map(Arc::new)
                .map_err(|e| Doc::Missing(Gone::unusable(format!("{what} is not usable: {}", visible(&e))))),
            other => Err(self.missing(&other, &what)),
        };
        self.packument = match read {
            // The registry does not choose which package's history is compared.
            Ok(p) if p.name != name => {
                self.error = Some(LookupError::WrongDocument {
                    message: ResolveError::NameMismatch {
                        asked: name.clone(),
                        served: p.name.clone(),
                    }
                    .message(),
                });
                Doc::Missing(Gone::unusable(String::new()))
            }
            Ok(p) => Doc::Have(p),
            Err(missing) => missing,
        };
        // The latest version comes from the package document when it is read
        // for the history: without it there is no version to look up.
        if self.question.version.is_none()
            && self.question.depth >= Depth::History
            && let Doc::Missing(gone) = &self.packument
            && self.error.is_none()
        {
            self.error = Some(if gone.cause == Cause::NotFound {
                LookupError::NotFound {
                    name: name.clone(),
                    version: None,
                }
            } else {
                gone.error()
            });
        }
    }

    fn keys_answer(&mut self, answer: Answer) {
        self.keys = match answer {
            Answer::Body(text) => match count_listed_keys(&text) {
                Ok(n) => Doc::Have(n > 0),
                Err(e) => Doc::Missing(Gone::unusable(visible(&e))),
            },
            // A registry without a keys document signs nothing (npm's CLI
            // then checks no signature of it either).
            Answer::NotFound => Doc::Have(false),
            // Whether its absence leaves the lookup unfinished depends on
            // whether it was needed after all: see `keys_unread`.
            other => Doc::Missing(Gone::of(&other, "the registry's keys document")),
        };
    }

    /// Verifies what was fetched (CPU work: milliseconds per version).
    pub fn finish(self, trust: &TrustMaterial) -> Outcome {
        self.prepare(trust).finish(trust)
    }

    /// Reads what was fetched once (the attestations' bundles parsed),
    /// ready for the browser's WebCrypto to make the signature checks first
    /// ([`Prepared::signature_checks`]) and for [`Prepared::finish`].
    pub fn prepare(self, trust: &TrustMaterial) -> Prepared {
        let signing = self.signing(trust);
        let asked = attestations_of(&self.asked);
        let previous = self.previous.as_ref().map(attestations_of);
        Prepared {
            lookup: self,
            signing,
            asked,
            previous,
        }
    }

    /// Whether the keys document was needed (the version document carries
    /// no signature and the trust material does not say whether the
    /// registry signs) and not read for a reason that may pass.
    fn keys_unread(&self, trust: &TrustMaterial) -> bool {
        let unsigned = self.asked.document.have().is_some_and(|d| d.signatures.is_empty());
        unsigned
            && self.signing_from_trust(trust).is_none()
            && matches!(&self.keys, Doc::Missing(gone) if gone.transient)
    }

    fn signing(&self, trust: &TrustMaterial) -> RegistrySigning {
        if let Some(known) = self.signing_from_trust(trust) {
            return known;
        }
        match &self.keys {
            Doc::Have(true) => RegistrySigning::Signs,
            Doc::Have(false) => RegistrySigning::DoesNotSign,
            Doc::Missing(gone) => RegistrySigning::Unknown(capitalised(&gone.why)),
            // Not asked: the version carries signatures, which are checked.
            Doc::Idle | Doc::Asked => RegistrySigning::DoesNotSign,
        }
    }
}

/// What a version's attestations are, read once.
#[derive(Debug)]
enum Attestations {
    /// The version document lists none.
    NotListed,
    Read(PreparedAttestations),
    /// Listed, and not served: why (a failure).
    Withheld(String),
    /// Listed, and not read for a reason that may pass (an error).
    Unread(LookupError),
}

fn attestations_of(docs: &VersionDocs) -> Attestations {
    if !docs.lists_attestations() {
        return Attestations::NotListed;
    }
    match &docs.attestations {
        Doc::Have(text) => Attestations::Read(PreparedAttestations::parse(text)),
        Doc::Missing(gone) if !gone.transient => Attestations::Withheld(format!(
            "The version document lists attestations (dist.attestations), but {}: a registry that withholds what it advertises is not taken to have none.",
            gone.why
        )),
        Doc::Missing(gone) => Attestations::Unread(gone.error()),
        Doc::Idle | Doc::Asked => Attestations::Unread(LookupError::Registry {
            message: "The attestations were not read.".into(),
            cause: Cause::Unusable,
            transient: true,
        }),
    }
}

/// A lookup whose documents are all here and read: see [`Lookup::prepare`].
#[derive(Debug)]
pub struct Prepared {
    lookup: Lookup,
    signing: RegistrySigning,
    asked: Attestations,
    previous: Option<Attestations>,
}

impl Prepared {
    /// The signature checks verification will make, for the browser's
    /// WebCrypto to make first (`crate::signature_inputs`).
    #[cfg(feature = "preverify")]
    pub fn signature_checks(&self, trust: &TrustMaterial) -> Vec<crate::crypto_backend::SignatureCheck> {
        let mut checks = Vec::new();
        for target in [Target::Asked, Target::Previous] {
            if let Some(Ok(docs)) = self.documents(target) {
                checks.extend(crate::signature_inputs::package_version_checks(&docs, trust));
            }
        }
        checks
    }

    /// The documents of a version, as verification reads them; `None` when
    /// there is no such version in this lookup, `Err` when its attestations
    /// could not be read.
    fn documents(&self, target: Target) -> Option<Result<PackageVersionDocuments<'_>, &LookupError>> {
        let lookup = &self.lookup;
        let (docs, attestations) = match target {
            Target::Asked => (&lookup.asked, &self.asked),
            Target::Previous => (lookup.previous.as_ref()?, self.previous.as_ref()?),
        };
        let version = docs.version.as_deref()?;
        let dist = docs.document.have()?;
        let (attestations, withheld_attestations) = match attestations {
            Attestations::NotListed => (None, None),
            Attestations::Read(prepared) => (Some(prepared), None),
            Attestations::Withheld(why) => (None, Some(why.as_str())),
            Attestations::Unread(error) => return Some(Err(error)),
        };
        let packument = lookup.packument.have();
        let (lockfile_integrities, history): (&[String], _) = match target {
            Target::Asked => (
                &lookup.question.lockfile_integrities,
                packument
                    .filter(|_| lookup.question.depth >= Depth::History)
                    .map(|p| p.history.as_slice()),
            ),
            Target::Previous => (&[], None),
        };
        Some(Ok(PackageVersionDocuments {
            name: &lookup.question.name,
            version,
            integrity: dist.integrity.as_deref(),
            attestations,
            withheld_attestations,
            registry_signatures: &dist.signatures,
            registry_signing: &self.signing,
            published_at: packument.and_then(|p| p.published_at(version)),
            lockfile_integrities,
            publishing: Some(&dist.publishing),
            history,
            // A version the package document does not list yet (npm's
            // replicas can lag a publish by seconds) is not compared.
            listed: packument.and_then(|p| p.versions.get(version)),
        }))
    }

    fn verify(&self, target: Target, trust: &TrustMaterial) -> Option<Result<Report, LookupError>> {
        let expected = match target {
            Target::Asked => self.lookup.question.expected.clone(),
            Target::Previous => ExpectedIdentity::default(),
        };
        Some(match self.documents(target)? {
            Ok(docs) => Ok(verify_package_version(&docs, trust, &expected)),
            Err(e) => Err(e.clone()),
        })
    }

    /// Verifies what was fetched (CPU work: milliseconds per version).
    pub fn finish(self, trust: &TrustMaterial) -> Outcome {
        crate::crypto_backend::install();
        let lookup = &self.lookup;
        let packument = lookup.packument.have().cloned();
        let version = lookup.asked.version.clone();
        let package = version.as_deref().map(|v| PackageRef::new(&lookup.question.name, v));
        let failed = |error: LookupError, transient: bool| Outcome {
            report: Report::error(package.clone(), error.message()),
            version: version.clone(),
            transient,
            error: Some(error),
            packument: packument.clone(),
            keep: Vec::new(),
            attestations: None,
            integrity: None,
        };
        if let Some(error) = lookup.error.clone() {
            let transient = lookup.transient || matches!(error, LookupError::Registry { transient: true, .. });
            return failed(error, transient);
        }
        let mut report = match self.verify(Target::Asked, trust) {
            Some(Ok(report)) => report,
            Some(Err(error)) => return failed(error, true),
            // Every path that leaves the version without a document sets an
            // error; a door that stopped feeding early gets this.
            None => {
                let error = LookupError::Registry {
                    message: "The lookup ended before the registry's documents were read.".into(),
                    cause: Cause::Unusable,
                    transient: true,
                };
                return failed(error, true);
            }
        };
        if lookup.question.depth >= Depth::History && !report.downgrade_checked && report.trust.is_some() {
            report.history_note = Some(match &lookup.packument {
                Doc::Missing(gone) if !gone.why.is_empty() => {
                    format!("The version was not compared with earlier ones: {}.", gone.why)
                }
                _ => "The version was not compared with earlier ones: the package document was not read.".into(),
            });
        }
        if lookup.question.depth == Depth::Changes {
            report.changes = self.compare_build(&report, trust);
        }
        report.signals = crate::publishing::signals(&report);
        Outcome {
            report,
            version,
            error: None,
            transient: lookup.transient || lookup.keys_unread(trust),
            packument,
            keep: lookup.read_pinned.clone(),
            attestations: lookup.asked.attestations.have().cloned(),
            integrity: match &lookup.asked.document {
                Doc::Have(dist) => dist.integrity.clone(),
                _ => None,
            },
        }
    }

    /// What changed since the previous version of the line with provenance.
    fn compare_build(&self, current: &Report, trust: &TrustMaterial) -> Option<BuildComparison> {
        current.provenance_attestation()?;
        let previous = self.lookup.previous.as_ref()?;
        let version = previous.version.clone()?;
        let unavailable = |why: String| {
            Some(BuildComparison::Unavailable {
                version: version.clone(),
                why,
            })
        };
        if let Doc::Missing(gone) = &previous.document {
            return unavailable(capitalised(&gone.why));
        }
        let earlier = match self.verify(Target::Previous, trust)? {
            Ok(report) => report,
            Err(e) => return unavailable(e.message()),
        };
        match changes_since(&earlier, current) {
            Some(changes) => Some(BuildComparison::Compared(changes)),
            None => unavailable(format!(
                "The provenance of {} did not verify ({}): there is no certificate to compare with.",
                visible(&version),
                earlier.verdict.label()
            )),
        }
    }
}

/// Runs `question` to its outcome with a fetch that answers at once (files
/// on disk, a registry kept in memory): every batch answered in order, a
/// request's pause not waited for. `fetch` may stop the lookup with an
/// error of its own (a document the caller must give and did not).
pub fn run_blocking<E>(
    question: Question,
    trust: &TrustMaterial,
    mut fetch: impl FnMut(&Request) -> Result<Answer, E>,
) -> Result<Outcome, E> {
    let mut lookup = Lookup::new(question);
    while let Step::Fetch(requests) = lookup.next(trust) {
        for request in requests {
            let answer = fetch(&request)?;
            lookup.feed(request.id, answer);
        }
    }
    Ok(lookup.finish(trust))
}

/// Why a version document cannot be used.
enum Unusable {
    /// The registry's answer was no document (404, an error, too large).
    Answer(Gone),
    /// A document that does not read as a version document.
    Content(String),
    /// Another package's or version's document.
    Wrong(String),
}

impl Unusable {
    fn into_missing(self) -> Doc<VersionDist> {
        match self {
            Unusable::Answer(gone) => Doc::Missing(gone),
            Unusable::Content(why) | Unusable::Wrong(why) => Doc::Missing(Gone::unusable(why)),
        }
    }
}

/// `text` with its first letter in capitals, as a sentence starts.
fn capitalised_no_stop(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` as a sentence: a capital first, a full stop last.
fn capitalised(text: &str) -> String {
    let mut out = capitalised_no_stop(text);
    if !out.is_empty() && !out.ends_with('.') {
        out.push('.');
    }
    out
}
