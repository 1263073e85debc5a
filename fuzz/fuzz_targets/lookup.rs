//! The one lookup (`npm_provenance_core::lookup`), driven by a door the
//! fuzzer plays: it answers whatever the lookup asks for with what it
//! chooses (the real document, another version's, a document changed in a
//! way that matters, bytes of its own, a 404, a 5xx with any Retry-After, a
//! timeout, too large, a redirect, a kept package document), in any order,
//! answers twice or to ids never handed out, and asks again before it has
//! answered everything. The documents are a real package's, signed by the
//! testkit's own Sigstore, so an answer can be right.
//!
//! Properties:
//! - it ends: once the door answers everything with the real documents,
//!   `next` says Ready within a few rounds, and a lookup makes a bounded
//!   number of requests, each within the limits;
//! - a report says "verified" only if the signed evidence for the asked
//!   name and version was fed to it: a version document of that name and
//!   version whose every sha512 is the one the provenance signs, and the
//!   attestations response carrying that version's signed provenance; and
//!   then every integrity the question brings from a lockfile binds the
//!   signed tarball (each sha512 it lists is the signed one);
//! - and it keeps every promise a report makes (`check_report`).
#![no_main]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::arbitrary::{Result as ArbResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use npm_provenance_core::lookup::{Answer, Depth, DocumentKind, Lookup, MAX_RETRY_DELAY_MS, Question, Request, Step};
use npm_provenance_core::package::parse_integrity;
use npm_provenance_core::registry_documents::{
    Packument, attestations_path, packument_path, parse_packument, parse_version_document, version_document_path,
};
use npm_provenance_core::{RegistryKeys, TrustMaterial, Verdict};
use npm_provenance_fuzz::check_report;
use npm_provenance_testkit::{
    self as kit, Faults, Identity, NPM_PUBLISH, SLSA_V1, Sigstore, attestations_response, integrity_of,
};
use serde_json::{Value, json};

const REGISTRY: &str = "https://registry.example";
const NAME: &str = "@acme/widget";
const OTHER_NAME: &str = "@acme/gadget";
const REPO: &str = "acme/widget";
const WORKFLOW: &str = ".github/workflows/release.yml";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const VERSIONS: [&str; 2] = ["1.0.0", "1.1.0"];
const DAY: i64 = 86_400;

/// One published version of the package, signed by the kit.
struct Release {
    version: &'static str,
    integrity: String,
    sha512: [u8; 64],
    /// The DSSE payload of its provenance, as the bundle carries it (base64).
    provenance_payload: String,
    document: Value,
    attestations: String,
    provenance_only: String,
    publish_only: String,
}

struct World {
    trust_supplied: TrustMaterial,
    trust_unknown: TrustMaterial,
    releases: Vec<Release>,
    packument: Value,
    packument_text: String,
    parsed: Arc<Packument>,
    other_packument: Arc<Packument>,
    other_document: Value,
    other_attestations: String,
    keys: String,
}

fn release(kit: &Sigstore, name: &str, version: &'static str, day: i64) -> (Release, i64) {
    let (integrity, sha512_hex) = integrity_of(format!("{name}@{version} tarball").as_bytes());
    let statement = kit::github_provenance(name, version, &sha512_hex, REPO, WORKFLOW, COMMIT);
    let identity = Identity::github(REPO, WORKFLOW, COMMIT, "refs/heads/main");
    let provenance = kit.keyless_bundle(&statement, &identity, &Faults::default());
    let publish = kit.keyed_bundle(&kit::publish_statement(name, version, &sha512_hex), &Faults::default());
    let payload: Value = serde_json::from_str(&provenance).expect("a bundle");
    let provenance_payload = payload["dsseEnvelope"]["payload"]
        .as_str()
        .expect("a payload")
        .to_string();
    let dist = json!({
        "integrity": integrity,
        "tarball": format!("{REGISTRY}/{name}/-/widget-{version}.tgz"),
        "signatures": [kit.registry_signature(name, version, &integrity)],
        "attestations": { "url": format!("{REGISTRY}{}", attestations_path(name, version)),
            "provenance": { "predicateType": SLSA_V1 } },
    });
    let document = json!({ "name": name, "version": version, "dist": dist, "_npmUser": { "name": "alice" } });
    let mut sha512 = [0u8; 64];
    sha512.copy_from_slice(&hex_decode(&sha512_hex));
    (
        Release {
            version,
            integrity,
            sha512,
            provenance_payload,
            document,
            attestations: attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &publish)]),
            provenance_only: attestations_response(&[(SLSA_V1, &provenance)]),
            publish_only: attestations_response(&[(NPM_PUBLISH, &publish)]),
        },
        kit::INTEGRATED_TIME + day * DAY,
    )
}

fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

fn packument_of(name: &str, releases: &[(Release, i64)]) -> Value {
    let mut versions = serde_json::Map::new();
    let mut time = serde_json::Map::new();
    for (r, at) in releases {
        versions.insert(r.version.into(), r.document.clone());
        time.insert(r.version.into(), json!(npm_provenance_core::time::format_rfc3339(*at)));
    }
    let latest = releases.last().map(|(r, _)| r.version).unwrap_or("0.0.0");
    json!({ "name": name, "dist-tags": { "latest": latest }, "time": time, "versions": versions })
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let kit = Sigstore::new();
        let mut keys = RegistryKeys::empty();
        keys.add_keys_document(&kit.registry_keys_document(None))
            .expect("the kit's keys");
        let root = kit.trusted_root_json();
        let trust_supplied = TrustMaterial::from_trusted_root_json(&root, keys).expect("the kit's root");
        let trust_unknown =
            TrustMaterial::from_trusted_root_json(&root, RegistryKeys::empty()).expect("the kit's root");
        let releases: Vec<(Release, i64)> = VERSIONS
            .iter()
            .enumerate()
            .map(|(i, v)| release(&kit, NAME, v, i as i64))
            .collect();
        let packument = packument_of(NAME, &releases);
        let packument_text = packument.to_string();
        let parsed = Arc::new(parse_packument(&packument_text).expect("the packument reads"));
        let (other, at) = release(&kit, OTHER_NAME, "1.1.0", 0);
        let other_packument = Arc::new(
            parse_packument(
                &packument_of(
                    OTHER_NAME,
                    &[(
                        Release {
                            version: other.version,
                            integrity: other.integrity.clone(),
                            sha512: other.sha512,
                            provenance_payload: String::new(),
                            document: other.document.clone(),
                            attestations: String::new(),
                            provenance_only: String::new(),
                            publish_only: String::new(),
                        },
                        at,
                    )],
                )
                .to_string(),
            )
            .expect("the other packument reads"),
        );
        World {
            trust_supplied,
            trust_unknown,
            releases: releases.into_iter().map(|(r, _)| r).collect(),
            packument,
            packument_text,
            parsed,
            other_packument,
            other_document: other.document,
            other_attestations: other.attestations,
            keys: kit.registry_keys_document(None),
        }
    })
}

impl World {
    fn release(&self, version: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.version == version)
    }

    fn latest(&self) -> &Release {
        self.releases.last().expect("releases")
    }

    /// The real document for a path, as an honest registry serves it.
    fn real(&self, request: &Request) -> Answer {
        let body = match request.kind {
            DocumentKind::Keys => Some(self.keys.clone()),
            DocumentKind::Packument if request.path == packument_path(NAME) => Some(self.packument_text.clone()),
            DocumentKind::VersionDocument if request.path == version_document_path(NAME, "latest") => {
                Some(self.latest().document.to_string())
            }
            DocumentKind::VersionDocument => self
                .releases
                .iter()
                .find(|r| request.path == version_document_path(NAME, r.version))
                .map(|r| r.document.to_string()),
            DocumentKind::Attestations => self
                .releases
                .iter()
                .find(|r| request.path == attestations_path(NAME, r.version))
                .map(|r| r.attestations.clone()),
            DocumentKind::Packument => None,
        };
        body.map_or(Answer::NotFound, Answer::Body)
    }

    /// The release a path names, or the latest (for `latest` and the rest).
    fn release_of(&self, path: &str) -> &Release {
        self.releases
            .iter()
            .find(|r| path.ends_with(&format!("/{}", r.version)) || path.ends_with(&format!("@{}", r.version)))
            .unwrap_or_else(|| self.latest())
    }

    fn other_release<'a>(&'a self, r: &'a Release) -> &'a Release {
        self.releases.iter().find(|o| o.version != r.version).unwrap_or(r)
    }
}

/// A document changed by the fuzzer's bytes: a slice overwritten, or cut.
fn mangled(u: &mut Unstructured, text: &str) -> ArbResult<String> {
    let bytes = text.as_bytes();
    let at = u.choose_index(bytes.len().max(1))?;
    let mut out = bytes.get(..at).unwrap_or_default().to_vec();
    if u.arbitrary()? {
        let n = u.int_in_range(0..=16)?;
        let patch: &[u8] = u.bytes(n)?;
        out.extend_from_slice(patch);
        let skip = (at + u.int_in_range(0..=16)?).min(bytes.len());
        out.extend_from_slice(bytes.get(skip..).unwrap_or_default());
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A version document with a change the fuzzer picks.
fn changed_document(u: &mut Unstructured, w: &World, r: &Release) -> ArbResult<String> {
    let other = w.other_release(r);
    let mut doc = r.document.clone();
    match u.int_in_range(0..=11)? {
        0 => return Ok(other.document.to_string()),
        1 => return Ok(w.other_document.to_string()),
        2 => doc["dist"]["integrity"] = json!(other.integrity),
        3 => doc["dist"]["integrity"] = json!(format!("{} {}", r.integrity, other.integrity)),
        // ssri splits at a vertical tab too.
        4 => doc["dist"]["integrity"] = json!(format!("{} sha1-x\u{b}{}", r.integrity, other.integrity)),
        5 => doc["dist"]["integrity"] = json!(format!("{} sha1-AAAA", r.integrity)),
        6 => {
            if let Some(dist) = doc["dist"].as_object_mut() {
                dist.remove(if u.arbitrary()? { "attestations" } else { "signatures" });
            }
        }
        7 => doc["name"] = json!(OTHER_NAME),
        8 => doc["version"] = json!(other.version),
        9 => doc["description"] = json!("harmless"),
        10 => doc["_npmUser"] = json!({ "name": "GitHub Actions", "trustedPublisher": { "id": "github" } }),
        _ => return mangled(u, &r.document.to_string()),
    }
    Ok(doc.to_string())
}

fn changed_attestations(u: &mut Unstructured, w: &World, r: &Release) -> ArbResult<String> {
    Ok(match u.int_in_range(0..=6)? {
        0 => w.other_release(r).attestations.clone(),
        1 => r.provenance_only.clone(),
        2 => r.publish_only.clone(),
        3 => w.other_attestations.clone(),
        4 => r#"{"attestations":[]}"#.to_string(),
        5 => {
            // The same entry twice.
            let mut v: Value = serde_json::from_str(&r.attestations).unwrap_or_default();
            if let Some(list) = v["attestations"].as_array_mut()
                && let Some(first) = list.first().cloned()
            {
                list.push(first);
            }
            v.to_string()
        }
        _ => mangled(u, &r.attestations)?,
    })
}

fn changed_packument(u: &mut Unstructured, w: &World) -> ArbResult<Answer> {
    let mut p = w.packument.clone();
    Ok(Answer::Body(match u.int_in_range(0..=6)? {
        0 => return Ok(Answer::Packument(w.parsed.clone())),
        1 => return Ok(Answer::Packument(w.other_packument.clone())),
        2 => {
            let latest = w.latest();
            p["versions"][latest.version]["dist"]["integrity"] = json!(w.other_release(latest).integrity);
            p.to_string()
        }
        3 => {
            if let Some(versions) = p["versions"].as_object_mut() {
                versions.remove(w.latest().version);
            }
            p.to_string()
        }
        4 => {
            p["dist-tags"]["latest"] = json!(u.choose(&["1.0.0", "9.9.9", "../x", ""])?);
            p.to_string()
        }
        5 => {
            if let Some(time) = p["time"].as_object_mut() {
                time.clear();
            }
            p.to_string()
        }
        _ => mangled(u, &w.packument_text)?,
    }))
}

/// The fuzzer's answer to `request`.
fn answer(u: &mut Unstructured, w: &World, request: &Request) -> ArbResult<Answer> {
    let r = w.release_of(&request.path);
    Ok(match u.int_in_range(0..=15)? {
        0..=4 => w.real(request),
        5 => Answer::NotFound,
        6 => Answer::Status {
            status: *u.choose(&[500, 502, 503, 429])?,
            retry_after_s: u.arbitrary()?,
        },
        7 => Answer::Status {
            status: u.int_in_range(300..=599)?,
            retry_after_s: None,
        },
        8 => u
            .choose(&[Answer::Timeout, Answer::TooLarge, Answer::Redirect])?
            .clone(),
        9 => {
            if u.arbitrary()? {
                Answer::Network("reset".into())
            } else {
                Answer::Unreadable("invalid UTF-8".into())
            }
        }
        // Another kind of document than asked for.
        10 => Answer::Body(match u.int_in_range(0..=3)? {
            0 => r.document.to_string(),
            1 => r.attestations.clone(),
            2 => w.packument_text.clone(),
            _ => w.keys.clone(),
        }),
        11 => {
            let n = u.int_in_range(0..=64)?;
            Answer::Body(String::from_utf8_lossy(u.bytes(n)?).into_owned())
        }
        _ => match request.kind {
            DocumentKind::VersionDocument => Answer::Body(changed_document(u, w, r)?),
            DocumentKind::Attestations => Answer::Body(changed_attestations(u, w, r)?),
            DocumentKind::Packument => changed_packument(u, w)?,
            DocumentKind::Keys => Answer::Body(u.choose(&[r#"{"keys":[]}"#, "{}", "[]"])?.to_string()),
        },
    })
}

/// Lockfile integrities a question may bring, and whether each binds the
/// signed tarball of `r` (every sha512 listed is the signed one).
fn lockfile_integrity(u: &mut Unstructured, w: &World, r: &Release) -> ArbResult<String> {
    let other = &w.other_release(r).integrity;
    Ok(match u.int_in_range(0..=6)? {
        0 => r.integrity.clone(),
        1 => format!("{} sha1-AAAA", r.integrity),
        2 => format!("{}?opt", r.integrity),
        3 => other.clone(),
        4 => format!("{} {other}", r.integrity),
        5 => "sha1-AAAA".to_string(),
        _ => {
            let n = u.int_in_range(0..=40)?;
            String::from_utf8_lossy(u.bytes(n)?).into_owned()
        }
    })
}

/// Whether a version document, as fed, states `version` of the package with
/// an integrity whose every sha512 is the signed one of that release.
fn good_document(w: &World, body: &str, version: &str) -> bool {
    let Ok((name, stated, dist)) = parse_version_document(body) else {
        return false;
    };
    let Some(r) = w.release(version) else { return false };
    name == NAME
        && stated == version
        && dist
            .integrity
            .as_deref()
            .and_then(|i| parse_integrity(i).ok())
            .is_some_and(|i| !i.sha512.is_empty() && i.sha512.iter().all(|d| *d == r.sha512))
}

/// Whether an attestations response, as fed, carries the signed provenance
/// of `version` (its DSSE payload, exactly).
fn carries_provenance(w: &World, body: &str, version: &str) -> bool {
    let (Ok(v), Some(r)) = (serde_json::from_str::<Value>(body), w.release(version)) else {
        return false;
    };
    v["attestations"].as_array().is_some_and(|list| {
        list.iter()
            .any(|a| a["bundle"]["dsseEnvelope"]["payload"].as_str() == Some(r.provenance_payload.as_str()))
    })
}

/// Lockfile integrities bind the signed tarball of `r` only if each lists
/// at least one sha512 and every sha512 it lists is the signed one, in
/// npm's reading (whitespace as JavaScript's `\s`).
fn binds(integrity: &str, r: &Release) -> bool {
    use base64::Engine as _;
    let signed = base64::engine::general_purpose::STANDARD.encode(r.sha512);
    let tokens: Vec<&str> = integrity
        .split(|c: char| c.is_whitespace() || c == '\u{feff}')
        .filter(|t| !t.is_empty())
        .collect();
    let sha512: Vec<&str> = tokens
        .iter()
        .filter_map(|t| t.strip_prefix("sha512-"))
        .map(|d| d.split('?').next().unwrap_or_default())
        .collect();
    !sha512.is_empty() && sha512.iter().all(|d| *d == signed)
}

fn run(u: &mut Unstructured) -> ArbResult<()> {
    let w = world();
    let version = match u.int_in_range(0..=3)? {
        0 => None,
        1 => Some("1.0.0"),
        2 => Some("9.9.9"),
        _ => Some("1.1.0"),
    };
    let depth = *u.choose(&[Depth::Version, Depth::History, Depth::Changes])?;
    let mut question = Question::new(REGISTRY, NAME, version, depth);
    question.retries = u.int_in_range(0..=3)?;
    let asked_release = w.release(version.unwrap_or("1.1.0")).unwrap_or_else(|| w.latest());
    for _ in 0..u.int_in_range(0..=3)? {
        question
            .lockfile_integrities
            .push(lockfile_integrity(u, w, asked_release)?);
    }
    let trust = if u.arbitrary()? {
        &w.trust_supplied
    } else {
        &w.trust_unknown
    };
    let mut lookup = Lookup::new(question.clone());

    let mut outstanding: Vec<Request> = Vec::new();
    let mut handed_out: HashMap<u32, Request> = HashMap::new();
    // The answer the lookup took for each id: the first fed while it was
    // waiting for it (an answer to an id it is not waiting for, one never
    // handed out, one answered already or one handed out later, is ignored).
    let mut fed: HashMap<u32, Answer> = HashMap::new();
    let feed =
        |lookup: &mut Lookup, outstanding: &mut Vec<Request>, fed: &mut HashMap<u32, Answer>, id: u32, a: Answer| {
            if let Some(at) = outstanding.iter().position(|r| r.id == id) {
                outstanding.swap_remove(at);
                fed.insert(id, a.clone());
            }
            lookup.feed(id, a);
        };
    let mut rounds = 0usize;
    let mut honest_rounds = 0usize;
    loop {
        rounds += 1;
        assert!(rounds < 10_000, "the lookup does not end");
        // When the fuzzer's bytes run out, the door turns honest: it answers
        // everything with the real documents, and the lookup must end soon.
        let honest = u.is_empty();
        if honest || outstanding.is_empty() || u.ratio(1, 4)? {
            match lookup.next(trust) {
                Step::Fetch(requests) => {
                    for request in requests {
                        assert!(request.delay_ms <= MAX_RETRY_DELAY_MS);
                        assert!(request.limit <= 64 << 20);
                        assert!(
                            handed_out.insert(request.id, request.clone()).is_none(),
                            "an id handed out twice"
                        );
                        outstanding.push(request);
                    }
                    // Retries included, a lookup asks for a few documents of
                    // two versions, each tried at most 1 + retries times.
                    assert!(
                        handed_out.len() <= 6 * (1 + question.retries as usize),
                        "{handed_out:#?}"
                    );
                }
                Step::Wait => assert!(!outstanding.is_empty(), "waits for nothing"),
                Step::Ready => {
                    assert!(outstanding.is_empty(), "ready with requests unanswered");
                    break;
                }
            }
        }
        if honest {
            honest_rounds += 1;
            assert!(honest_rounds <= 16, "the lookup does not end with every answer given");
            for request in outstanding.clone() {
                feed(&mut lookup, &mut outstanding, &mut fed, request.id, w.real(&request));
            }
            continue;
        }
        match u.int_in_range(0..=15)? {
            // An id never handed out, or one answered already.
            0 => {
                let id = u.arbitrary()?;
                feed(&mut lookup, &mut outstanding, &mut fed, id, Answer::NotFound);
            }
            1 if !handed_out.is_empty() => {
                let ids: Vec<u32> = handed_out.keys().copied().collect();
                let id = *u.choose(&ids)?;
                let request = handed_out.get(&id).cloned().expect("handed out");
                let a = answer(u, w, &request)?;
                feed(&mut lookup, &mut outstanding, &mut fed, id, a);
            }
            _ if !outstanding.is_empty() => {
                let at = u.choose_index(outstanding.len())?;
                let request = outstanding.get(at).cloned().expect("outstanding");
                let a = answer(u, w, &request)?;
                feed(&mut lookup, &mut outstanding, &mut fed, request.id, a);
            }
            _ => {}
        }
    }
    let outcome = lookup.finish(trust);
    check_report(&outcome.report);
    if outcome.error.is_some() {
        assert_eq!(outcome.report.verdict, Verdict::Error);
    }
    if outcome.report.verdict == Verdict::Verified {
        let v = outcome.version.clone().expect("a verified lookup knows its version");
        if let Some(asked) = &question.version {
            assert_eq!(&v, asked, "verified another version than asked");
        }
        let r = w.release(&v).expect("verified a version that was never published");
        let bodies = |kind: DocumentKind, path: &str| -> Vec<&str> {
            fed.iter()
                .filter(|(id, _)| handed_out.get(id).is_some_and(|q| q.kind == kind && q.path == path))
                .filter_map(|(_, a)| match a {
                    Answer::Body(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect()
        };
        let mut documents = bodies(DocumentKind::VersionDocument, &version_document_path(NAME, &v));
        documents.extend(bodies(
            DocumentKind::VersionDocument,
            &version_document_path(NAME, "latest"),
        ));
        assert!(
            documents.iter().any(|d| good_document(w, d, &v)),
            "verified {v} without its signed version document: {documents:#?}"
        );
        let attestations = bodies(DocumentKind::Attestations, &attestations_path(NAME, &v));
        assert!(
            attestations.iter().any(|a| carries_provenance(w, a, &v)),
            "verified {v} without its signed provenance"
        );
        for integrity in &question.lockfile_integrities {
            assert!(
                binds(integrity, r),
                "verified with a lockfile integrity {integrity:?} that is not the signed one"
            );
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
