//! The one lookup ([`npm_provenance_core::lookup`]) against a registry kept
//! in memory, filled by the testkit's own Sigstore: which documents it asks
//! for, what each answer means, and that the answers' order does not matter.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::HashMap;

use common::kit::{Case, NAME, REPO, WORKFLOW};
use npm_provenance_core::checks::{CheckId, CheckStatus};
use npm_provenance_core::lookup::{Answer, Depth, DocumentKind, Lookup, Outcome, Question, Request, Step};
use npm_provenance_core::registry_keys::RegistryKey;
use npm_provenance_core::report::KeySource;
use npm_provenance_core::time::format_rfc3339;
use npm_provenance_core::{RegistryKeys, TrustLevel, TrustMaterial, Verdict};
use npm_provenance_testkit::{self as kit, Faults, Identity, NPM_PUBLISH, SLSA_V1, integrity_of};
use serde_json::{Value, json};

const REGISTRY: &str = "https://registry.example";
const DAY: i64 = 86_400;

/// How a version of the package was published.
#[derive(Clone)]
struct Release {
    version: &'static str,
    published: i64,
    provenance: bool,
    publish_attestation: bool,
    signed: bool,
    trusted_publisher: bool,
    workflow: &'static str,
}

fn release(version: &'static str, day: i64) -> Release {
    Release {
        version,
        published: kit::INTEGRATED_TIME + day * DAY,
        provenance: true,
        publish_attestation: true,
        signed: true,
        trusted_publisher: false,
        workflow: WORKFLOW,
    }
}

/// A registry's documents by path, and what it answers for each.
struct Registry {
    docs: HashMap<String, Value>,
    attestations: HashMap<String, String>,
    keys: Option<String>,
    /// Paths answered otherwise: (path, answers in turn; the last repeats).
    overrides: HashMap<String, Vec<Answer>>,
}

fn path_name() -> String {
    NAME.replace('/', "%2f")
}

impl Registry {
    fn build(case: &Case, releases: &[Release]) -> Self {
        let mut versions = serde_json::Map::new();
        let mut time = serde_json::Map::new();
        let mut docs = HashMap::new();
        let mut attestations = HashMap::new();
        for r in releases {
            let (integrity, sha512) = integrity_of(format!("{NAME}@{} tarball", r.version).as_bytes());
            let mut dist =
                json!({ "integrity": integrity, "tarball": format!("{REGISTRY}/{NAME}/-/widget-{}.tgz", r.version) });
            if r.signed {
                dist["signatures"] = json!([case.kit.registry_signature(NAME, r.version, &integrity)]);
            }
            let mut entries = Vec::new();
            if r.provenance {
                let statement = kit::github_provenance(NAME, r.version, &sha512, REPO, r.workflow, common::kit::COMMIT);
                let identity = Identity::github(REPO, r.workflow, common::kit::COMMIT, "refs/heads/main");
                entries.push((
                    SLSA_V1,
                    case.kit.keyless_bundle(&statement, &identity, &Faults::default()),
                ));
            }
            if r.publish_attestation {
                let statement = kit::publish_statement(NAME, r.version, &sha512);
                entries.push((NPM_PUBLISH, case.kit.keyed_bundle(&statement, &Faults::default())));
            }
            if !entries.is_empty() {
                let pairs: Vec<(&str, &str)> = entries.iter().map(|(t, b)| (*t, b.as_str())).collect();
                dist["attestations"] = json!({ "url": format!("{REGISTRY}/-/npm/v1/attestations/{NAME}@{}", r.version),
                    "provenance": { "predicateType": SLSA_V1 } });
                attestations.insert(
                    format!("/-/npm/v1/attestations/{}@{}", path_name(), r.version),
                    kit::attestations_response(&pairs),
                );
            }
            let mut doc = json!({ "name": NAME, "version": r.version, "dist": dist, "_npmUser": { "name": "alice" } });
            if r.trusted_publisher {
                doc["_npmUser"] = json!({ "name": "GitHub Actions", "trustedPublisher": { "id": "github" } });
            }
            docs.insert(format!("/{}/{}", path_name(), r.version), doc.clone());
            versions.insert(r.version.to_string(), doc);
            time.insert(r.version.to_string(), json!(format_rfc3339(r.published)));
        }
        let latest = releases.last().map(|r| r.version).unwrap_or("0.0.0");
        if let Some(doc) = docs.get(&format!("/{}/{latest}", path_name())).cloned() {
            docs.insert(format!("/{}/latest", path_name()), doc);
        }
        docs.insert(
            format!("/{}", path_name()),
            json!({ "name": NAME, "dist-tags": { "latest": latest }, "time": time, "versions": versions }),
        );
        Self {
            docs,
            attestations,
            keys: None,
            overrides: HashMap::new(),
        }
    }

    /// A document to change in place: a hostile registry's edit.
    fn doc(&mut self, path: &str) -> &mut Value {
        self.docs
            .get_mut(path)
            .unwrap_or_else(|| panic!("no document at {path}"))
    }

    /// The package document.
    fn packument(&mut self) -> &mut Value {
        self.doc(&format!("/{}", path_name()))
    }

    /// Removes `field` from `version`'s `dist`: in its own document, or in
    /// the package document's entry for it.
    fn drop_from_dist(&mut self, in_packument: bool, version: &str, field: &str) {
        let dist = if in_packument {
            &mut self.packument()["versions"][version]["dist"]
        } else {
            &mut self.doc(&version_path(version))["dist"]
        };
        dist.as_object_mut().expect("a dist object").remove(field);
    }

    fn set(&mut self, path: &str, answers: Vec<Answer>) {
        self.overrides.insert(path.to_string(), answers);
    }

    fn answer(&mut self, request: &Request) -> Answer {
        if let Some(answers) = self.overrides.get_mut(&request.path) {
            return if answers.len() > 1 {
                answers.remove(0)
            } else {
                answers[0].clone()
            };
        }
        let body = if request.kind == DocumentKind::Keys {
            self.keys.clone()
        } else {
            self.docs
                .get(&request.path)
                .map(Value::to_string)
                .or_else(|| self.attestations.get(&request.path).cloned())
        };
        match body {
            Some(text) if text.len() > request.limit => Answer::TooLarge,
            Some(text) => Answer::Body(text),
            None => Answer::NotFound,
        }
    }
}

fn version_path(version: &str) -> String {
    format!("/{}/{version}", path_name())
}

fn attestations_of(version: &str) -> String {
    format!("/-/npm/v1/attestations/{}@{version}", path_name())
}

/// Drives a lookup to its end, answering each batch in order (or reversed),
/// and returns the outcome and every request it made.
fn drive_with(
    question: Question,
    trust: &TrustMaterial,
    registry: &mut Registry,
    reverse: bool,
) -> (Outcome, Vec<Request>) {
    let mut lookup = Lookup::new(question);
    let mut made = Vec::new();
    for _ in 0..100 {
        match lookup.next(trust) {
            Step::Fetch(mut requests) => {
                if reverse {
                    requests.reverse();
                }
                let answers: Vec<(u32, Answer)> = requests.iter().map(|r| (r.id, registry.answer(r))).collect();
                made.extend(requests);
                for (id, answer) in answers {
                    lookup.feed(id, answer);
                }
            }
            Step::Wait => panic!("every request was answered"),
            Step::Ready => return (lookup.finish(trust), made),
        }
    }
    panic!("the lookup did not end");
}

fn drive(question: Question, trust: &TrustMaterial, registry: &mut Registry) -> (Outcome, Vec<Request>) {
    drive_with(question, trust, registry, false)
}

fn question(version: Option<&str>, depth: Depth) -> Question {
    Question::new(REGISTRY, NAME, version, depth)
}

fn kinds(made: &[Request]) -> Vec<(DocumentKind, String)> {
    made.iter().map(|r| (r.kind, r.path.clone())).collect()
}

fn check(outcome: &Outcome, id: CheckId) -> &npm_provenance_core::Check {
    outcome
        .report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id:?} check: {:#?}", outcome.report.checks))
}

#[track_caller]
fn assert_fails_at(outcome: &Outcome, id: CheckId, says: &str) {
    assert_eq!(outcome.report.verdict, Verdict::Failed, "{}", outcome.report.summary);
    let (_, first) = outcome.report.first_failure().unwrap();
    assert_eq!(first.id, id, "{}", first.detail);
    assert!(first.detail.contains(says), "{:?} does not say {says:?}", first.detail);
}

/// A version alone: its document, then its attestations because it lists
/// them; nothing else (npm's registry signs with the kit's supplied keys).
#[test]
fn a_pinned_version_needs_its_document_and_the_attestations_it_lists() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0)]);
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
    assert_eq!(
        kinds(&made),
        [
            (DocumentKind::VersionDocument, version_path("1.0.0")),
            (DocumentKind::Attestations, attestations_of("1.0.0")),
        ]
    );
    assert!(made.iter().all(|r| r.pinned && r.delay_ms == 0));
    assert_eq!(outcome.version.as_deref(), Some("1.0.0"));
    assert!(!outcome.transient && outcome.error.is_none());
    // The integrity its accepted version document states (the inspector
    // compares a pasted bundle with it).
    let stated = registry.docs[&version_path("1.0.0")]["dist"]["integrity"]
        .as_str()
        .map(str::to_string);
    assert!(stated.is_some());
    assert_eq!(outcome.integrity, stated);
}

/// Attestations the version document does not list are not asked for:
/// "no provenance", as npm's own check decides.
#[test]
fn attestations_that_are_not_listed_are_not_fetched() {
    let case = Case::new();
    let mut r = release("1.0.0", 0);
    r.provenance = false;
    r.publish_attestation = false;
    let mut registry = Registry::build(&case, &[r]);
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::NoProvenance);
    assert_eq!(outcome.report.trust, Some(TrustLevel::RegistrySignature));
    assert_eq!(kinds(&made), [(DocumentKind::VersionDocument, version_path("1.0.0"))]);
}

/// A version document that lists attestations whose endpoint answers 404:
/// the registry withholds what it advertises. A failure, never "none".
#[test]
fn listed_attestations_that_are_missing_fail() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0)]);
    registry.set(&attestations_of("1.0.0"), vec![Answer::NotFound]);
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_fails_at(&outcome, CheckId::Attestations, "withholds what it advertises");
    assert_eq!(outcome.report.trust, None);
    assert!(!outcome.transient);
}

/// A registry whose keys are known signs every version: a version without
/// `dist.signatures` had them stripped (npm's `audit signatures`:
/// valid-and-missing, keys-but-missing-signature).
#[test]
fn a_version_without_signatures_on_a_registry_that_signs_fails() {
    let case = Case::new();
    let mut r = release("1.0.0", 0);
    r.signed = false;
    let mut registry = Registry::build(&case, &[r]);
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_fails_at(&outcome, CheckId::RegistrySignature, "stripped");
    // The caller gave the keys: nothing to ask the registry.
    assert!(made.iter().all(|r| r.kind != DocumentKind::Keys));
}

/// Trust whose registry keys the caller did not supply (as npm's pinned
/// keys are not): whether another registry signs is its keys document's to say.
fn trust_with_unsupplied_keys(case: &Case) -> TrustMaterial {
    let supplied = case.keys();
    let keys: Vec<RegistryKey> = supplied
        .keys()
        .iter()
        .cloned()
        .map(|mut k| {
            k.source = KeySource::Pinned;
            k
        })
        .collect();
    TrustMaterial::from_trusted_root_json(&case.kit.trusted_root_json(), RegistryKeys::from_keys(keys)).unwrap()
}

#[test]
fn whether_another_registry_signs_is_read_from_its_keys_document() {
    let case = Case::new();
    let trust = trust_with_unsupplied_keys(&case);
    let mut r = release("1.0.0", 0);
    r.signed = false;
    // No keys document: a registry without keys. "none" stays for it.
    let mut registry = Registry::build(&case, &[r.clone()]);
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &trust, &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
    assert_eq!(check(&outcome, CheckId::RegistrySignature).status, CheckStatus::Skipped);
    assert_eq!(made.iter().filter(|r| r.kind == DocumentKind::Keys).count(), 1);
    // A registry that lists keys signs: the missing signature was stripped.
    registry.keys = Some(case.kit.registry_keys_document(None));
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &trust, &mut registry);
    assert_fails_at(&outcome, CheckId::RegistrySignature, "stripped");
    // A keys document that cannot be read: the check could not run, and the
    // answer is not final.
    registry.keys = None;
    registry.set(
        "/-/npm/v1/keys",
        vec![Answer::Status {
            status: 503,
            retry_after_s: None,
        }],
    );
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &trust, &mut registry);
    assert_eq!(
        outcome.report.verdict,
        Verdict::Incomplete,
        "{}",
        outcome.report.summary
    );
    let c = check(&outcome, CheckId::RegistrySignature);
    assert!(c.required && c.status == CheckStatus::Skipped, "{c:?}");
    assert!(c.detail.contains("HTTP 503"), "{}", c.detail);
    assert!(outcome.transient);
    assert_eq!(outcome.report.trust, None);
    // npm's registry signs with npm's keys: never asked.
    let npm = Question::new("https://registry.npmjs.org/", NAME, Some("1.0.0"), Depth::Version);
    let (outcome, made) = drive(npm, &trust, &mut registry);
    assert!(made.iter().all(|r| r.kind != DocumentKind::Keys));
    assert_fails_at(&outcome, CheckId::RegistrySignature, "stripped");
}

/// Whether another registry signs is asked beside the attestations when the
/// package document lists the version unsigned; a keys document asked for
/// nothing (the version document carries signatures after all) changes no
/// verdict and leaves nothing unfinished when it cannot be read.
#[test]
fn the_keys_document_is_asked_from_the_listing_and_counts_only_when_needed() {
    let case = Case::new();
    let trust = trust_with_unsupplied_keys(&case);
    let mut first = release("1.0.0", 0);
    first.signed = false;
    let mut second = release("1.1.0", 1);
    second.signed = false;
    let mut registry = Registry::build(&case, &[first, second]);
    registry.keys = Some(case.kit.registry_keys_document(None));
    let (outcome, made) = rounds(question(None, Depth::Changes), &trust, &mut registry);
    assert_fails_at(&outcome, CheckId::RegistrySignature, "stripped");
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(
        made[1].contains(&(DocumentKind::Keys, "/-/npm/v1/keys".to_string())),
        "{made:?}"
    );
    // The listing says unsigned, the version document is signed (validly,
    // by the kit's registry key), and the keys document is unavailable.
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    registry.drop_from_dist(true, "1.1.0", "signatures");
    registry.set(
        "/-/npm/v1/keys",
        vec![Answer::Status {
            status: 503,
            retry_after_s: None,
        }],
    );
    let (outcome, made) = drive(question(None, Depth::History), &trust, &mut registry);
    assert!(
        made.iter().any(|r| r.kind == DocumentKind::Keys),
        "asked from the listing: {:?}",
        kinds(&made)
    );
    assert_fails_at(&outcome, CheckId::RegistryDocuments, "the registry signatures");
    assert!(!outcome.transient, "the keys document was not needed");
    registry.overrides.clear();
    registry.keys = Some(case.kit.registry_keys_document(None));
    let (read, _) = drive(question(None, Depth::History), &trust, &mut registry);
    assert_eq!(
        read.report, outcome.report,
        "the same verdict, whatever the keys document answered"
    );
}

/// Trust whose registry key expired at `until`.
fn trust_with_key_expiring(case: &Case, until: i64) -> TrustMaterial {
    let mut keys = Vec::new();
    for k in case.keys().keys() {
        keys.push(RegistryKey {
            valid_until: Some(until),
            ..k.clone()
        });
    }
    TrustMaterial::from_trusted_root_json(&case.kit.trusted_root_json(), RegistryKeys::from_keys(keys)).unwrap()
}

/// A registry signature by a key that expired before the version was
/// published is refused from every depth: the package document, read for
/// the time it states, is asked for even when the history is not.
#[test]
fn a_signature_by_a_key_that_expired_before_publication_fails_at_every_depth() {
    let case = Case::new();
    let mut r = release("1.0.0", 10);
    r.provenance = false;
    r.publish_attestation = false;
    let mut registry = Registry::build(&case, &[r]);
    let expired = trust_with_key_expiring(&case, kit::INTEGRATED_TIME);
    for depth in [Depth::Version, Depth::History, Depth::Changes] {
        let (outcome, made) = drive(question(Some("1.0.0"), depth), &expired, &mut registry);
        assert_fails_at(
            &outcome,
            CheckId::RegistrySignature,
            "was not valid when the version was published",
        );
        assert_eq!(
            made.iter().filter(|r| r.kind == DocumentKind::Packument).count(),
            1,
            "{depth:?}"
        );
    }
    // Published while the key was valid: it passes.
    let valid = trust_with_key_expiring(&case, kit::INTEGRATED_TIME + 20 * DAY);
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &valid, &mut registry);
    assert_eq!(
        outcome.report.trust,
        Some(TrustLevel::RegistrySignature),
        "{}",
        outcome.report.summary
    );
    // Without the package document there is no time to judge the key at:
    // not a pass.
    registry.set(&format!("/{}", path_name()), vec![Answer::Timeout]);
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &valid, &mut registry);
    let c = check(&outcome, CheckId::RegistrySignature);
    assert!(c.required && c.status == CheckStatus::Skipped, "{c:?}");
    assert!(outcome.transient);
    // A key without an end needs no time, and the package document is not asked for.
    let (_, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert!(made.iter().all(|r| r.kind != DocumentKind::Packument));
}

/// A 503 is tried again after a pause (the core's rule: 250 ms, 1 s, 4 s),
/// a 404 is not; `Retry-After` is honoured up to its bound.
#[test]
fn transient_answers_are_tried_again_by_the_cores_rule() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0)]);
    let path = version_path("1.0.0");
    registry.set(
        &path,
        vec![
            Answer::Status {
                status: 503,
                retry_after_s: None,
            },
            Answer::Status {
                status: 429,
                retry_after_s: Some(7),
            },
            Answer::Body(registry.docs[&path].to_string()),
        ],
    );
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
    let tries: Vec<u32> = made.iter().filter(|r| r.path == path).map(|r| r.delay_ms).collect();
    assert_eq!(tries, [0, 250, 7_000]);
    // Four failures in a row: an error, not final.
    registry.set(
        &path,
        vec![Answer::Status {
            status: 502,
            retry_after_s: Some(3600),
        }],
    );
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    let tries: Vec<u32> = made.iter().filter(|r| r.path == path).map(|r| r.delay_ms).collect();
    assert_eq!(tries, [0, 30_000, 30_000, 30_000]);
    assert_eq!(outcome.report.verdict, Verdict::Error);
    assert!(outcome.transient);
    // A 404 is the answer: not found, asked once.
    registry.set(&path, vec![Answer::NotFound]);
    let (outcome, made) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_eq!(made.len(), 1);
    assert!(matches!(
        outcome.error,
        Some(npm_provenance_core::lookup::LookupError::NotFound { .. })
    ));
    assert!(!outcome.transient);
}

/// The registry does not choose what is verified: a document of another
/// package or version is an error that says so.
#[test]
fn another_package_or_versions_document_is_refused() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    let other = registry.docs[&version_path("1.1.0")].to_string();
    registry.set(&version_path("1.0.0"), vec![Answer::Body(other)]);
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert!(
        matches!(&outcome.error, Some(npm_provenance_core::lookup::LookupError::WrongDocument { message }) if message.contains("1.1.0")),
        "{:?}",
        outcome.error
    );
    // Nor is a refused document's integrity given out.
    assert_eq!(outcome.integrity, None);
    let mut renamed = registry.docs[&format!("/{}", path_name())].clone();
    renamed["name"] = json!("sigstore");
    registry.set(&format!("/{}", path_name()), vec![Answer::Body(renamed.to_string())]);
    let (outcome, _) = drive(question(None, Depth::History), &case.trust(), &mut registry);
    assert!(
        matches!(&outcome.error, Some(npm_provenance_core::lookup::LookupError::WrongDocument { message }) if message.contains("sigstore")),
        "{:?}",
        outcome.error
    );
}

/// `latest` with the history: resolved from the package document (one
/// answer for the version and its history); without: `/<name>/latest`.
#[test]
fn the_latest_version_comes_from_the_package_document_when_it_is_read() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    let (outcome, made) = drive(question(None, Depth::History), &case.trust(), &mut registry);
    assert_eq!(outcome.version.as_deref(), Some("1.1.0"));
    assert_eq!(made[0].kind, DocumentKind::Packument);
    assert_eq!(made[1].path, version_path("1.1.0"));
    assert!(outcome.report.downgrade_checked);
    let (outcome, made) = drive(question(None, Depth::Version), &case.trust(), &mut registry);
    assert_eq!(outcome.version.as_deref(), Some("1.1.0"));
    assert_eq!(made[0].path, version_path("latest"));
    assert!(!made[0].pinned);
    assert!(!outcome.report.downgrade_checked);
}

/// A package document that lists the version with another integrity than
/// its own document: what npm installs would not be what is verified.
#[test]
fn a_package_document_that_disagrees_with_the_version_document_fails() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0)]);
    let (other, _) = integrity_of(b"other bytes");
    registry.packument()["versions"]["1.0.0"]["dist"]["integrity"] = json!(other);
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::History), &case.trust(), &mut registry);
    assert_fails_at(&outcome, CheckId::RegistryDocuments, "the integrity");
    // The version document alone has nothing to disagree with.
    let (outcome, _) = drive(question(Some("1.0.0"), Depth::Version), &case.trust(), &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
}

/// A history that cannot be read leaves the downgrade unchecked, says why,
/// and is not final; the verification itself stands.
#[test]
fn a_history_that_cannot_be_read_is_said_and_not_final() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    registry.set(
        &format!("/{}", path_name()),
        vec![Answer::Status {
            status: 503,
            retry_after_s: None,
        }],
    );
    let (outcome, _) = drive(question(Some("1.1.0"), Depth::History), &case.trust(), &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified);
    assert!(!outcome.report.downgrade_checked);
    assert!(outcome.transient);
    let note = outcome.report.history_note.as_deref().unwrap();
    assert!(note.contains("HTTP 503"), "{note}");
}

/// A downgrade found by the lookup: trusted publishing, then a token.
#[test]
fn a_downgrade_is_found_from_the_package_document() {
    let case = Case::new();
    let mut first = release("1.0.0", 0);
    first.trusted_publisher = true;
    let mut second = release("1.1.0", 1);
    second.provenance = false;
    second.publish_attestation = false;
    let mut registry = Registry::build(&case, &[first, second]);
    let (outcome, _) = drive(question(Some("1.1.0"), Depth::History), &case.trust(), &mut registry);
    let d = outcome.report.downgrade.expect("a downgrade");
    assert_eq!((d.version.as_str(), d.now), ("1.0.0", TrustLevel::RegistrySignature));
}

/// What changed since the previous version with provenance: its documents
/// are fetched and verified too, and the workflow change is signed.
#[test]
fn what_changed_compares_both_certificates() {
    let case = Case::new();
    let mut second = release("1.1.0", 1);
    second.workflow = ".github/workflows/other.yml";
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), second]);
    let (outcome, made) = drive(question(Some("1.1.0"), Depth::Changes), &case.trust(), &mut registry);
    assert!(made.iter().any(|r| r.path == version_path("1.0.0")));
    assert!(made.iter().any(|r| r.path == attestations_of("1.0.0")));
    let comparison = outcome.report.changes.expect("a comparison");
    let changed: Vec<&str> = comparison.signed_changes().map(|c| c.what.as_str()).collect();
    assert_eq!(changed, ["workflow file"]);
    // A previous version whose attestations are withheld cannot be compared,
    // and that is said.
    registry.set(&attestations_of("1.0.0"), vec![Answer::NotFound]);
    let (outcome, _) = drive(question(Some("1.1.0"), Depth::Changes), &case.trust(), &mut registry);
    match outcome.report.changes {
        Some(npm_provenance_core::report::BuildComparison::Unavailable { version, why }) => {
            assert_eq!(version, "1.0.0");
            assert!(why.contains("did not verify"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

/// Drives a lookup answering each round whole, and returns the rounds: each
/// round's requests wait for an answer of the round before.
fn rounds(
    question: Question,
    trust: &TrustMaterial,
    registry: &mut Registry,
) -> (Outcome, Vec<Vec<(DocumentKind, String)>>) {
    let mut lookup = Lookup::new(question);
    let mut rounds = Vec::new();
    for _ in 0..100 {
        match lookup.next(trust) {
            Step::Fetch(requests) => {
                let answers: Vec<(u32, Answer)> = requests.iter().map(|r| (r.id, registry.answer(r))).collect();
                rounds.push(kinds(&requests));
                for (id, answer) in answers {
                    lookup.feed(id, answer);
                }
            }
            Step::Wait => panic!("every request was answered"),
            Step::Ready => return (lookup.finish(trust), rounds),
        }
    }
    panic!("the lookup did not end");
}

/// A page's lookup (what changed included) takes two rounds of requests,
/// named version or `latest`: the package document's listing of a version
/// (the asked one, the previous one) starts its attestations beside its
/// version document.
#[test]
fn a_page_lookup_takes_two_rounds() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    let trust = case.trust();
    let packument = (DocumentKind::Packument, format!("/{}", path_name()));
    let (outcome, made) = rounds(question(Some("1.1.0"), Depth::Changes), &trust, &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
    assert!(matches!(
        outcome.report.changes,
        Some(npm_provenance_core::report::BuildComparison::Compared(_))
    ));
    assert_eq!(
        made,
        [
            vec![
                packument.clone(),
                (DocumentKind::VersionDocument, version_path("1.1.0"))
            ],
            vec![
                (DocumentKind::Attestations, attestations_of("1.1.0")),
                (DocumentKind::VersionDocument, version_path("1.0.0")),
                (DocumentKind::Attestations, attestations_of("1.0.0")),
            ],
        ]
    );
    let (named, _) = drive(question(Some("1.1.0"), Depth::Changes), &trust, &mut registry);
    let (latest, made) = rounds(question(None, Depth::Changes), &trust, &mut registry);
    assert_eq!(latest.report, named.report, "latest is 1.1.0");
    assert_eq!(
        made,
        [
            vec![packument],
            vec![
                (DocumentKind::VersionDocument, version_path("1.1.0")),
                (DocumentKind::Attestations, attestations_of("1.1.0")),
                (DocumentKind::VersionDocument, version_path("1.0.0")),
                (DocumentKind::Attestations, attestations_of("1.0.0")),
            ],
        ]
    );
}

/// The package document lists attestations the version document does not:
/// they are read early, but what is verified is the version document's
/// word, and the two documents disagree.
#[test]
fn attestations_listed_only_by_the_package_document_fail_the_agreement() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    registry.drop_from_dist(false, "1.1.0", "attestations");
    for depth in [Depth::History, Depth::Changes] {
        for version in [Some("1.1.0"), None] {
            let (outcome, made) = drive(question(version, depth), &case.trust(), &mut registry);
            // `latest`: asked beside its document, from the listing alone.
            if version.is_none() {
                assert!(made.iter().any(|r| r.path == attestations_of("1.1.0")));
            }
            assert_fails_at(
                &outcome,
                CheckId::RegistryDocuments,
                "whether the version has attestations",
            );
            assert!(
                outcome.report.attestations.is_empty(),
                "{depth:?} {version:?}: not listed, not verified"
            );
        }
    }
    // The other way round: listed by the version document alone, read and
    // verified, and the documents still disagree.
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    registry.drop_from_dist(true, "1.1.0", "attestations");
    let (outcome, made) = drive(question(Some("1.1.0"), Depth::Changes), &case.trust(), &mut registry);
    assert!(made.iter().any(|r| r.path == attestations_of("1.1.0")));
    assert_fails_at(
        &outcome,
        CheckId::RegistryDocuments,
        "whether the version has attestations",
    );
    assert!(!outcome.report.attestations.is_empty());
}

/// The previous version's attestations are asked from its listing, beside
/// its own document, which is what is verified: a document of another
/// version, or one that does not list the attestations its listing does,
/// leaves nothing to compare with, and says why.
#[test]
fn a_previous_version_listed_otherwise_is_not_compared() {
    let case = Case::new();
    let mut second = release("1.1.0", 1);
    second.workflow = ".github/workflows/other.yml";
    let releases = [release("1.0.0", 0), second];
    let unavailable =
        |registry: &mut Registry| match drive(question(Some("1.1.0"), Depth::Changes), &case.trust(), registry)
            .0
            .report
            .changes
        {
            Some(npm_provenance_core::report::BuildComparison::Unavailable { version, why }) => {
                assert_eq!(version, "1.0.0");
                why
            }
            other => panic!("{other:?}"),
        };
    let mut registry = Registry::build(&case, &releases);
    registry.doc(&version_path("1.0.0"))["version"] = json!("1.0.1");
    let why = unavailable(&mut registry);
    assert!(why.contains("1.0.1"), "{why}");
    // Listed with attestations, which its own document does not list: they
    // are asked for (from the listing) and not taken.
    let mut registry = Registry::build(&case, &releases);
    registry.drop_from_dist(false, "1.0.0", "attestations");
    let (_, made) = drive(question(Some("1.1.0"), Depth::Changes), &case.trust(), &mut registry);
    assert!(made.iter().any(|r| r.path == attestations_of("1.0.0")));
    let why = unavailable(&mut registry);
    assert!(why.contains("did not verify"), "{why}");
}

/// Every integrity a lockfile records must be the registry's: two copies of
/// one version with different integrities fail the entry.
#[test]
fn every_lockfile_integrity_is_compared() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0)]);
    let served = registry.docs[&version_path("1.0.0")]["dist"]["integrity"]
        .as_str()
        .unwrap()
        .to_string();
    let mut q = question(Some("1.0.0"), Depth::Version);
    q.lockfile_integrities = vec![served.clone(), served.clone()];
    let (outcome, _) = drive(q.clone(), &case.trust(), &mut registry);
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
    let (other, _) = integrity_of(b"the nested copy");
    q.lockfile_integrities = vec![served, other];
    let (outcome, _) = drive(q, &case.trust(), &mut registry);
    assert_fails_at(&outcome, CheckId::LockfileIntegrity, "pins other bytes");
}

/// The answers' order does not change the answer.
#[test]
fn the_order_of_answers_does_not_matter() {
    let case = Case::new();
    let mut registry = Registry::build(&case, &[release("1.0.0", 0), release("1.1.0", 1)]);
    for depth in [Depth::Version, Depth::History, Depth::Changes] {
        let (a, _) = drive_with(question(Some("1.1.0"), depth), &case.trust(), &mut registry, false);
        let (b, _) = drive_with(question(Some("1.1.0"), depth), &case.trust(), &mut registry, true);
        assert_eq!(a.report, b.report, "{depth:?}");
    }
}

/// An incomplete version has no trust level, so no downgrade can
/// contradict its verdict (sigstore@2.2.0 on the page: "checks incomplete"
/// beside "Trust level: no signed evidence").
#[test]
fn an_incomplete_version_has_no_trust_level() {
    let case = Case::new();
    let mut first = release("1.0.0", 0);
    first.trusted_publisher = true;
    let mut second = release("1.1.0", 1);
    second.publish_attestation = false;
    let mut registry = Registry::build(&case, &[first, second]);
    let (outcome, _) = drive(question(Some("1.1.0"), Depth::History), &case.trust(), &mut registry);
    assert_eq!(
        outcome.report.verdict,
        Verdict::Incomplete,
        "{}",
        outcome.report.summary
    );
    assert_eq!((outcome.report.trust, &outcome.report.downgrade), (None, &None));
}
