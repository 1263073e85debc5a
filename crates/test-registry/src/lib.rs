//! A local npm registry that serves the real fixtures (tests/fixtures) as npm's
//! registry would, for the server's integration tests and the end-to-end
//! tests: packuments built around the fixture versions (with their real
//! `dist.integrity`, `dist.attestations` and `dist.signatures`), the
//! attestations endpoint, and 404s.
//!
//! The first path segment can pick a scenario, so that one registry serves
//! them all (a registry URL is a base URL):
//!
//! | base URL            | behaviour                                                        |
//! |---------------------|------------------------------------------------------------------|
//! | `/`                 | the real data                                                    |
//! | `/tampered`         | sigstore@2.3.1's provenance payload altered after signing        |
//! | `/error500`         | every request answers 500                                        |
//! | `/slow`             | every answer is delayed by 1.5 s                                 |
//! | `/hang`             | no answer for an hour                                            |
//! | `/garbage`          | every answer is 200 with a body that is not JSON                 |
//! | `/no-cors`          | the real data without `Access-Control-Allow-Origin`              |
//! | `/huge`             | packuments announce 100 MB                                       |
//! | `/synthetic`        | packages signed by the testkit's own Sigstore (see `synthetic`)  |
//! | `/renamed`          | any package asked for is answered with sigstore's documents      |
//! | `/redirect-offsite` | every answer redirects (302) to the same path on another origin  |
//! | `/redirect-same`    | every answer redirects (302) to the real data on this origin     |
//! | `/two-hashes`       | integrities list a second sha512 beside the real one             |
//! | `/no-publish`       | attestations without npm's publish attestation                   |
//! | `/big`              | `big-package`: 4,000 versions, a packument of about 43 MB        |
//! | `/stall`            | every answer sends 1 MB of its body, then stalls forever         |
//! | `/flaky`            | the synthetic packages, each path answering 503 the first time   |
//! | `/flaky-html`       | the synthetic packages, each path answering 200 with an HTML page the first time |
//!
//! Version documents (`/<name>/<version>`, `/<name>/<dist-tag>`) are served
//! for every package, as npm's registry serves them; answers are gzip or
//! brotli compressed when the client accepts it.
//! `GET /-/test/requests` returns how many requests were served (it is not
//! counted), `/-/test/paths` their paths in order (JSON), `/-/test/bytes` how many body bytes (before compression),
//! `/-/test/stalled` how many stalled answers are still open,
//! `/-/test/last-request` the `Accept-Encoding` and `Referer` of the last request; `/-/test/trusted-root.json` and `/-/test/keys.json` the trust
//! material the synthetic packages verify with (`/-/test/keys-expiring.json`:
//! the same key, expired before `expired-key@1.0.0` was published); `/-/test/verdicts.json` the
//! outcome each version of the synthetic `verdicts` package must show;
//! `/-/test/trust.json` the trust level and downgrade each of the synthetic
//! `trust-*` and `downgrade-*` packages must show; `/-/tuf/...` a TUF
//! repository (root rotated v1 → v3) serving the synthetic trusted root and
//! registry key (`/-/tuf-expired/`, `/-/tuf-attack/`: the same, with an
//! expired timestamp or one signed by the wrong key; after a request to
//! `/-/test/tuf-down` every TUF file answers 503, after one to
//! `/-/test/tuf-frozen` `/-/tuf/` serves a newer timestamp that has expired,
//! `/-/tuf-frozen/`);
//! `/-/test/audit-lockfile.json?n=N` a `package-lock.json` of the synthetic
//! packages `audit-0` to `audit-<N-1>` (each with provenance, signed on
//! first request).
//! `/-/test/switch?fail=none|packument|all[&status=S][&retry_after=N]` sets
//! how `/switch` fails: not at all, package documents only (`/<name>`), or
//! every request, with status S (503) and a `Retry-After` of N seconds;
//! `fail=hold` holds every request to `/switch` unanswered until the switch
//! is set otherwise (then it answers as set);
//! `/-/test/unauthorized` counts the requests `/private` refused.
//! The synthetic registry also serves `history-<n>` for any n: a package
//! whose document lists 5,000 versions (about 1.5 MB), for memory tests.
//!
//! [`PRIVATE_TOKEN`]: the bearer token (or Basic password) `/private` wants.

pub mod synthetic;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use npm_provenance_fixtures::{self as fx, FULL_PACKUMENTS, KNOWN_VERSIONS, WITHOUT_PROVENANCE};
use serde_json::{Value, json};

/// The credentials `/private` requires: `Authorization: Bearer <this>`, or
/// Basic with this as the password.
pub const PRIVATE_TOKEN: &str = "s3cret-registry-token-7f2a";

/// How `/switch` fails now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Failing {
    #[default]
    None,
    /// Package documents (`/<name>`) only.
    Packument,
    All,
    /// No answer until the switch is set otherwise.
    Hold,
}

/// The altered provenance served under `/tampered`, for sigstore@2.3.1.
pub const TAMPERED_FIXTURE: &str = "negative/npm/slsa-verifier/provenance-npm-test-cli-v1-prega-invalidsigprov.json";

/// What the registry holds.
pub struct Data {
    /// Packuments by name, with `{base}` where the registry's URL goes.
    packuments: HashMap<String, Value>,
    /// Attestations responses by `name@version`.
    attestations: HashMap<String, String>,
    tampered: HashMap<String, String>,
    /// Built on first use: a few hundred signatures.
    synthetic: std::sync::OnceLock<synthetic::Synthetic>,
    /// Requests served (all paths but the counter itself).
    requests: AtomicUsize,
    /// Body bytes served (before compression).
    bytes: Arc<AtomicUsize>,
    /// Stalled answers whose connection is still open.
    stalled: Arc<AtomicUsize>,
    /// Set by `/-/test/tuf-down`: the TUF repositories answer 503 from then on.
    tuf_down: std::sync::atomic::AtomicBool,
    /// Set by `/-/test/tuf-frozen`: `/-/tuf/` serves `tuf-frozen`'s files
    /// from then on (a newer timestamp that has already expired).
    tuf_frozen: std::sync::atomic::AtomicBool,
    /// `Accept-Encoding` and `Referer` of the last request.
    last_request: std::sync::Mutex<(String, String)>,
    /// The paths asked for, in order (the first 100,000): a test asserts
    /// what a command fetched, and what it did not.
    paths: std::sync::Mutex<Vec<String>>,
    /// `big-package`, built on first use.
    big: std::sync::OnceLock<Value>,
    /// Paths `/flaky` has refused once.
    flaky_seen: std::sync::Mutex<std::collections::HashSet<String>>,
    /// How `/switch` fails: what, the status, the `Retry-After` seconds.
    switch: std::sync::Mutex<(Failing, u16, Option<u32>)>,
    /// Requests `/private` refused.
    unauthorized: AtomicUsize,
}

fn integrated_time(bundle: &Value) -> Option<i64> {
    bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"]
        .as_str()?
        .parse()
        .ok()
}

fn predicate_type(bundle: &Value) -> Option<String> {
    use base64::Engine as _;
    let payload = bundle["dsseEnvelope"]["payload"].as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(payload).ok()?;
    let statement: Value = serde_json::from_slice(&decoded).ok()?;
    statement["predicateType"].as_str().map(str::to_string)
}

fn rfc3339_millis(seconds: i64) -> String {
    npm_provenance_core::time::format_rfc3339(seconds).replace('Z', ".000Z")
}

impl Data {
    /// Builds the registry's documents from the fixtures directory.
    pub fn load(dir: &Path) -> Self {
        let mut packuments: HashMap<String, Value> = HashMap::new();
        let mut attestations = HashMap::new();
        let mut provenance_versions: HashMap<&str, Vec<&str>> = HashMap::new();
        for k in KNOWN_VERSIONS {
            let response: Value = match k.attestations {
                Some(file) => serde_json::from_str(&fx::read(dir, file)).unwrap(),
                None => {
                    // npm served 2.1.0 as v0.1; the v0.3 file is a re-encoding.
                    let list: Vec<Value> = k
                        .bundles
                        .iter()
                        .filter(|f| !f.contains("v0.3-reencoded"))
                        .map(|f| {
                            let bundle: Value = serde_json::from_str(&fx::read(dir, f)).unwrap();
                            json!({ "predicateType": predicate_type(&bundle), "bundle": bundle })
                        })
                        .collect();
                    json!({ "attestations": list })
                }
            };
            let bundles: Vec<&Value> = response["attestations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| &a["bundle"])
                .collect();
            let provenance = response["attestations"].as_array().unwrap().iter().find(|a| {
                a["predicateType"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("https://slsa.dev/provenance/"))
            });
            if provenance.is_some() {
                provenance_versions.entry(k.name).or_default().push(k.version);
            }
            let time = bundles
                .iter()
                .filter_map(|b| integrated_time(b))
                .min()
                .unwrap_or(1_600_000_000);
            let mut dist = json!({
                "integrity": k.integrity,
                "tarball": format!("{{base}}/{}/-/{}-{}.tgz", k.name, k.name.rsplit('/').next().unwrap(), k.version),
                "attestations": {
                    "url": format!("{{base}}/-/npm/v1/attestations/{}@{}", k.name, k.version),
                    "provenance": { "predicateType": provenance.and_then(|p| p["predicateType"].as_str()).unwrap_or("https://slsa.dev/provenance/v1") }
                }
            });
            if let Some(excerpt) = k.dist_excerpt {
                let doc: Value = serde_json::from_str(&fx::read(dir, excerpt)).unwrap();
                dist["signatures"] = doc["dist"]["signatures"].clone();
            }
            let packument = packuments.entry(k.name.to_string()).or_insert_with(|| {
                json!({ "name": k.name, "description": format!("{} (served from test fixtures)", k.name), "dist-tags": {}, "versions": {}, "time": {} })
            });
            packument["versions"][k.version] = json!({ "name": k.name, "version": k.version, "dist": dist });
            packument["time"][k.version] = json!(rfc3339_millis(time));
            attestations.insert(format!("{}@{}", k.name, k.version), response.to_string());
        }
        // `latest` is the newest version with provenance, as a maintainer would tag it.
        for (name, versions) in provenance_versions {
            let latest = versions
                .iter()
                .max_by(|a, b| npm_provenance_core::registry_documents::compare_versions(a, b))
                .unwrap();
            packuments.get_mut(name).unwrap()["dist-tags"]["latest"] = json!(latest);
        }
        for excerpt in WITHOUT_PROVENANCE {
            let doc: Value = serde_json::from_str(&fx::read(dir, excerpt)).unwrap();
            let (name, version) = (doc["name"].as_str().unwrap(), doc["version"].as_str().unwrap());
            packuments.insert(
                name.to_string(),
                json!({
                    "name": name, "dist-tags": { "latest": version },
                    "versions": { version: { "name": name, "version": version, "dist": doc["dist"] } },
                    "time": { version: "2021-01-01T00:00:00.000Z" }
                }),
            );
        }
        for file in FULL_PACKUMENTS {
            let doc: Value = serde_json::from_str(&fx::read(dir, file)).unwrap();
            packuments.insert(doc["name"].as_str().unwrap().to_string(), doc);
        }
        let mut tampered = HashMap::new();
        tampered.insert("sigstore@2.3.1".to_string(), fx::read(dir, TAMPERED_FIXTURE));
        Self {
            packuments,
            attestations,
            tampered,
            synthetic: std::sync::OnceLock::new(),
            requests: AtomicUsize::new(0),
            bytes: Arc::new(AtomicUsize::new(0)),
            stalled: Arc::new(AtomicUsize::new(0)),
            tuf_down: std::sync::atomic::AtomicBool::new(false),
            tuf_frozen: std::sync::atomic::AtomicBool::new(false),
            last_request: std::sync::Mutex::new((String::new(), String::new())),
            paths: std::sync::Mutex::new(Vec::new()),
            big: std::sync::OnceLock::new(),
            flaky_seen: std::sync::Mutex::new(std::collections::HashSet::new()),
            switch: std::sync::Mutex::new((Failing::None, 503, None)),
            unauthorized: AtomicUsize::new(0),
        }
    }

    pub fn synthetic(&self) -> &synthetic::Synthetic {
        self.synthetic.get_or_init(synthetic::build)
    }

    /// `big-package`: 4,000 versions of about 11 kB each, as a long-lived
    /// package's packument grows (about 43 MB).
    fn big(&self) -> &Value {
        self.big.get_or_init(|| {
            let filler = "x".repeat(10_500);
            let mut versions = serde_json::Map::new();
            let mut time = serde_json::Map::new();
            for i in 0..4000 {
                let version = format!("1.{}.{}", i / 100, i % 100);
                let (integrity, _) = npm_provenance_testkit::integrity_of(version.as_bytes());
                versions.insert(
                    version.clone(),
                    json!({ "name": "big-package", "version": version, "description": filler, "dist": { "integrity": integrity } }),
                );
                time.insert(version, json!("2024-01-01T00:00:00.000Z"));
            }
            json!({ "name": "big-package", "dist-tags": { "latest": "1.39.99" }, "versions": versions, "time": time })
        })
    }

    pub fn package_names(&self) -> Vec<&str> {
        self.packuments.keys().map(String::as_str).collect()
    }
}

impl Data {
    /// Writes fuzz seeds: every packument it serves (real and synthetic) to
    /// `dir/packument/`, and every attestations response to
    /// `dir/attestations/` as `name@version\nintegrity\n<body>` (the input
    /// of the `attestations` fuzz target). Returns how many files it wrote.
    pub fn write_fuzz_seeds(&self, dir: &Path) -> std::io::Result<usize> {
        use npm_provenance_core::{ExpectedIdentity, RegistryKeys, TrustMaterial};
        let base = "https://registry.example";
        let s = self.synthetic();
        let mut synthetic_keys = RegistryKeys::empty();
        synthetic_keys
            .add_keys_document(&s.keys)
            .expect("the testkit's keys document");
        let synthetic_trust =
            TrustMaterial::from_trusted_root_json(&s.trusted_root, synthetic_keys).expect("the testkit's trusted root");
        let sets = [
            (&self.packuments, &self.attestations, TrustMaterial::public_good()),
            (&s.packuments, &s.attestations, synthetic_trust),
        ];
        let file_name = |text: &str| text.replace(['/', '@'], "_");
        let mut written = 0;
        for sub in ["packument", "attestations", "provenance_summary"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        for (packuments, attestations, trust) in &sets {
            for (name, doc) in packuments.iter() {
                let text = doc.to_string().replace("{base}", base);
                std::fs::write(dir.join("packument").join(file_name(name) + ".json"), text)?;
                written += 1;
            }
            for (spec, body) in attestations.iter() {
                let Some((name, version)) = npm_provenance_core::package::split_spec(spec) else {
                    continue;
                };
                let integrity = packuments
                    .get(name)
                    .and_then(|p| p["versions"][version]["dist"]["integrity"].as_str())
                    .unwrap_or_default();
                let seed = format!("{spec}\n{integrity}\n{body}");
                std::fs::write(dir.join("attestations").join(file_name(spec) + ".txt"), seed)?;
                written += 1;
                // The statements and certificate claims the panel is built from.
                let report = npm_provenance_core::inspect(
                    body,
                    Some((name, version)),
                    Some(integrity),
                    trust,
                    &ExpectedIdentity::default(),
                );
                if let Some(att) = report.provenance_attestation() {
                    let seed = json!({ "statement": att.statement, "identity": att.identity });
                    std::fs::write(
                        dir.join("provenance_summary").join(file_name(spec) + ".json"),
                        seed.to_string(),
                    )?;
                    written += 1;
                }
            }
        }
        for (spec, body) in &self.tampered {
            std::fs::write(
                dir.join("attestations").join(file_name(spec) + ".tampered.txt"),
                format!("{spec}\n\n{body}"),
            )?;
            written += 1;
        }
        Ok(written)
    }
}

const SCENARIOS: &[&str] = &[
    "flaky",
    "flaky-html",
    "switch",
    "private",
    "tampered",
    "error500",
    "slow",
    "hang",
    "garbage",
    "no-cors",
    "huge",
    "synthetic",
    "renamed",
    "redirect-offsite",
    "redirect-same",
    "two-hashes",
    "no-publish",
    "big",
    "stall",
];

/// `name` and a version (or dist-tag) from a registry path: `/<name>`,
/// `/<name>/<version>`, `/@scope%2fname/<version>`.
fn split_package_path(path: &str) -> (String, Option<String>) {
    let decoded = npm_provenance_core::percent::decode_lossy(path.trim_start_matches('/'));
    let parts: Vec<&str> = decoded.split('/').collect();
    match (decoded.starts_with('@'), parts.as_slice()) {
        (true, [scope, name, version]) => (format!("{scope}/{name}"), Some(version.to_string())),
        (false, [name, version]) => (name.to_string(), Some(version.to_string())),
        _ => (decoded.clone(), None),
    }
}

/// The packument's document for `version` (a version or a dist-tag).
fn version_document(packument: &Value, version: &str) -> Option<Value> {
    let version = packument["dist-tags"][version].as_str().unwrap_or(version);
    let doc = packument["versions"].get(version)?;
    Some(doc.clone())
}

/// An attestations response without npm's publish attestation.
fn without_publish(body: &str) -> String {
    let mut doc: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    if let Some(list) = doc["attestations"].as_array_mut() {
        list.retain(|a| a["predicateType"].as_str() != Some(npm_provenance_testkit::NPM_PUBLISH));
    }
    doc.to_string()
}

/// A packument (or version document) whose integrities list a second sha512.
fn with_second_hash(mut doc: Value) -> Value {
    let second = npm_provenance_testkit::integrity_of(b"another tarball").0;
    let add = |dist: &mut Value| {
        if let Some(integrity) = dist["integrity"].as_str() {
            dist["integrity"] = json!(format!("{integrity} {second}"));
        }
    };
    if let Some(versions) = doc["versions"].as_object_mut() {
        for v in versions.values_mut() {
            add(&mut v["dist"]);
        }
    }
    add(&mut doc["dist"]);
    doc
}

fn response(status: StatusCode, cors: bool, body: impl Into<Body>) -> Response {
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json");
    if cors {
        builder = builder.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }
    builder.body(body.into()).unwrap()
}

async fn handle(State(data): State<Arc<Data>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    // `/-/<variant>/<file>`: the synthetic TUF repositories. (Only a TUF
    // path builds the synthetic packages: the real data's `/-/npm/...`
    // must not wait for their signatures.)
    if let Some(rest) = path.strip_prefix("/-/")
        && let Some((variant, file)) = rest.split_once('/')
        && variant.starts_with("tuf")
        && let Some(repo) = data
            .synthetic()
            .tuf
            .get(if variant == "tuf" && data.tuf_frozen.load(Ordering::SeqCst) {
                "tuf-frozen"
            } else {
                variant
            })
    {
        if data.tuf_down.load(Ordering::SeqCst) {
            return response(StatusCode::SERVICE_UNAVAILABLE, true, String::new());
        }
        return match repo.get(file) {
            Some(bytes) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .body(Body::from(bytes.clone()))
                .unwrap(),
            None => response(StatusCode::NOT_FOUND, true, r#"{"error":"Not found"}"#.to_string()),
        };
    }
    match path {
        "/-/test/requests" => return response(StatusCode::OK, true, data.requests.load(Ordering::SeqCst).to_string()),
        "/-/test/bytes" => return response(StatusCode::OK, true, data.bytes.load(Ordering::SeqCst).to_string()),
        "/-/test/paths" => {
            let paths = data.paths.lock().unwrap().clone();
            return response(StatusCode::OK, true, serde_json::to_string(&paths).unwrap());
        }
        "/-/test/stalled" => return response(StatusCode::OK, true, data.stalled.load(Ordering::SeqCst).to_string()),
        "/-/test/last-request" => {
            let (encoding, referer) = data.last_request.lock().unwrap().clone();
            return response(
                StatusCode::OK,
                true,
                json!({ "acceptEncoding": encoding, "referer": referer }).to_string(),
            );
        }
        "/-/test/trusted-root.json" => return response(StatusCode::OK, true, data.synthetic().trusted_root.clone()),
        "/-/test/keys.json" => return response(StatusCode::OK, true, data.synthetic().keys.clone()),
        "/-/test/keys-expiring.json" => {
            return response(StatusCode::OK, true, data.synthetic().keys_expiring.clone());
        }
        "/-/test/verdicts.json" => return response(StatusCode::OK, true, data.synthetic().verdicts.clone()),
        "/-/test/trust.json" => return response(StatusCode::OK, true, data.synthetic().trust.clone()),
        "/-/test/unauthorized" => {
            return response(
                StatusCode::OK,
                true,
                data.unauthorized.load(Ordering::SeqCst).to_string(),
            );
        }
        "/-/test/switch" => {
            let query = uri.query().unwrap_or_default();
            let param = |key: &str| {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            };
            let failing = match param("fail") {
                Some("packument") => Failing::Packument,
                Some("all") => Failing::All,
                Some("hold") => Failing::Hold,
                _ => Failing::None,
            };
            let status = param("status").and_then(|s| s.parse().ok()).unwrap_or(503);
            let retry_after = param("retry_after").and_then(|s| s.parse().ok());
            *data.switch.lock().unwrap() = (failing, status, retry_after);
            return response(StatusCode::OK, true, format!("{failing:?}"));
        }
        "/-/test/tuf-down" => {
            data.tuf_down.store(true, Ordering::SeqCst);
            return response(StatusCode::OK, true, "down".to_string());
        }
        "/-/test/tuf-frozen" => {
            data.tuf_frozen.store(true, Ordering::SeqCst);
            return response(StatusCode::OK, true, "frozen".to_string());
        }
        "/-/test/audit-lockfile.json" => {
            // `?n=N`: a package-lock.json of `audit-0` .. `audit-<N-1>` (synthetic).
            let count = uri
                .query()
                .and_then(|q| q.strip_prefix("n="))
                .and_then(|n| n.parse().ok())
                .unwrap_or(100);
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            let lockfile = synthetic::audit_lockfile(count, &format!("http://{host}/synthetic"));
            return response(StatusCode::OK, true, serde_json::to_string_pretty(&lockfile).unwrap());
        }
        _ => {}
    }
    data.requests.fetch_add(1, Ordering::SeqCst);
    {
        let header = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        *data.last_request.lock().unwrap() = (header(header::ACCEPT_ENCODING), header(header::REFERER));
        let mut paths = data.paths.lock().unwrap();
        if paths.len() < 100_000 {
            paths.push(path.to_string());
        }
    }
    let (scenario, rest) = match path.trim_start_matches('/').split_once('/') {
        Some((first, rest)) if SCENARIOS.contains(&first) => (first, format!("/{rest}")),
        _ if SCENARIOS.contains(&path.trim_matches('/')) => (path.trim_matches('/'), "/".to_string()),
        _ => ("", path.to_string()),
    };
    let cors = scenario != "no-cors";
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    match scenario {
        "error500" => {
            return response(
                StatusCode::INTERNAL_SERVER_ERROR,
                true,
                r#"{"error":"internal server error"}"#,
            );
        }
        "slow" => tokio::time::sleep(Duration::from_millis(1500)).await,
        "hang" => tokio::time::sleep(Duration::from_secs(3600)).await,
        "garbage" => return response(StatusCode::OK, true, "<html>not json {{{"),
        "stall" => return stalling(&data),
        "switch" => {
            while data.switch.lock().unwrap().0 == Failing::Hold {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let (failing, status, retry_after) = *data.switch.lock().unwrap();
            let packument = !rest.starts_with("/-/") && split_package_path(&rest).1.is_none();
            if failing == Failing::All || (failing == Failing::Packument && packument) {
                let mut answer = response(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                    true,
                    r#"{"error":"unavailable"}"#,
                );
                if let Some(seconds) = retry_after {
                    answer
                        .headers_mut()
                        .insert(header::RETRY_AFTER, seconds.to_string().parse().unwrap());
                }
                return answer;
            }
        }
        "private" => {
            use base64::Engine as _;
            let basic = base64::engine::general_purpose::STANDARD;
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let bearer = given.strip_prefix("Bearer ") == Some(PRIVATE_TOKEN);
            let basic = given
                .strip_prefix("Basic ")
                .and_then(|b| basic.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .is_some_and(|pair| pair.split_once(':').is_some_and(|(_, p)| p == PRIVATE_TOKEN));
            if !(bearer || basic) {
                data.unauthorized.fetch_add(1, Ordering::SeqCst);
                return response(StatusCode::UNAUTHORIZED, true, r#"{"error":"unauthorized"}"#);
            }
        }
        // The first request for each path is refused with 503, as a busy
        // registry does; asked again, it answers.
        "flaky" if data.flaky_seen.lock().unwrap().insert(rest.clone()) => {
            return response(StatusCode::SERVICE_UNAVAILABLE, true, r#"{"error":"try again"}"#);
        }
        // The first request for each path gets a 200 with a proxy's HTML
        // page (a captive portal, a CDN's error page); asked again, it
        // answers. A door that kept the first answer would serve it for good.
        "flaky-html" if data.flaky_seen.lock().unwrap().insert(format!("html{rest}")) => {
            return response(
                StatusCode::OK,
                true,
                "<!doctype html><html><body><h1>Please wait</h1></body></html>",
            );
        }
        _ => {}
    }
    // `/flaky`, `/flaky-html`, `/switch` and `/private` serve the synthetic packages.
    let scenario = if matches!(scenario, "flaky" | "flaky-html" | "switch" | "private") {
        "synthetic"
    } else {
        scenario
    };
    match scenario {
        "redirect-same" => return redirect(&format!("http://{host}{rest}")),
        "redirect-offsite" => {
            // The same registry under another name: another origin.
            let other = host.replacen("127.0.0.1", "localhost", 1);
            return redirect(&format!("http://{other}{rest}"));
        }
        _ => {}
    }
    let base = if scenario.is_empty() {
        format!("http://{host}")
    } else {
        format!("http://{host}/{scenario}")
    };
    let (packuments, attestations) = if scenario == "synthetic" {
        let s = data.synthetic();
        (&s.packuments, &s.attestations)
    } else {
        (&data.packuments, &data.attestations)
    };
    let served = |status: StatusCode, body: String| {
        data.bytes.fetch_add(body.len(), Ordering::SeqCst);
        response(status, cors, body)
    };
    if let Some(spec) = rest.strip_prefix("/-/npm/v1/attestations/") {
        let spec = npm_provenance_core::percent::decode_lossy(spec);
        if scenario == "synthetic"
            && let Some((name, _)) = npm_provenance_core::package::split_spec(&spec)
            && let Some(n) = name.strip_prefix("audit-").and_then(|n| n.parse::<u32>().ok())
        {
            return match data.synthetic().audit_package(n) {
                Some((_, response)) if spec.ends_with("@1.0.0") => served(StatusCode::OK, response),
                _ => served(StatusCode::NOT_FOUND, r#"{"error":"Not found"}"#.into()),
            };
        }
        if scenario == "synthetic" && (spec.starts_with("load-") || spec.starts_with("history-")) {
            // Another package's real attestations: verification refuses the subject, and the
            // report holds the decoded statements as a real one would.
            return served(
                StatusCode::OK,
                data.synthetic().attestations["bench-history@1.0.0"].clone(),
            );
        }
        // `/renamed`: whatever is asked, sigstore's.
        let spec = match (scenario, npm_provenance_core::package::split_spec(&spec)) {
            ("renamed", Some((_, version))) => format!("sigstore@{version}"),
            _ => spec,
        };
        let body = if scenario == "tampered" {
            data.tampered.get(&spec).or(attestations.get(&spec))
        } else {
            attestations.get(&spec)
        };
        return match body {
            Some(body) if scenario == "no-publish" => served(StatusCode::OK, without_publish(body)),
            Some(body) => served(StatusCode::OK, body.clone()),
            None => served(StatusCode::NOT_FOUND, r#"{"error":"Not found"}"#.into()),
        };
    }
    let (name, version) = split_package_path(&rest);
    // `/synthetic/load-<n>`: any number of distinct packages, for load tests.
    // `/synthetic/audit-<n>`: packages for lockfile audits, signed on demand.
    if scenario == "synthetic"
        && let Some(n) = name.strip_prefix("audit-").and_then(|n| n.parse::<u32>().ok())
    {
        let document = data
            .synthetic()
            .audit_package(n)
            .and_then(|(packument, _)| match &version {
                None => Some(packument),
                Some(v) => version_document(&packument, v),
            });
        return match document {
            Some(d) => served(StatusCode::OK, d.to_string().replace("{base}", &base)),
            None => served(StatusCode::NOT_FOUND, r#"{"error":"Not found"}"#.into()),
        };
    }
    // Its version documents too (`/load-<n>/latest`, `/load-<n>/1.0.0`), as
    // the badge server asks for those.
    if scenario == "synthetic"
        && let Some(n) = name
            .strip_prefix("load-")
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
    {
        let packument = synthetic::load_packument(n);
        let document = match &version {
            None => Some(packument),
            Some(v) => version_document(&packument, v),
        };
        return match document {
            Some(d) => served(StatusCode::OK, d.to_string().replace("{base}", &base)),
            None => served(StatusCode::NOT_FOUND, r#"{"error":"Not found"}"#.into()),
        };
    }
    // `/synthetic/history-<n>`: distinct packages with long histories.
    if scenario == "synthetic"
        && let Some(n) = name
            .strip_prefix("history-")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        let document = match version.as_deref() {
            None => Some(synthetic::history_packument(n)),
            Some("latest") => Some(synthetic::history_version(n, synthetic::LONG_HISTORY_LATEST)),
            Some(v) => {
                let listed = v
                    .strip_prefix("1.")
                    .and_then(|rest| rest.split_once('.'))
                    .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)))
                    .is_some_and(|(a, b)| b < 100 && a * 100 + b < synthetic::LONG_HISTORY_VERSIONS);
                listed.then(|| synthetic::history_version(n, v))
            }
        };
        return match document {
            Some(d) => served(StatusCode::OK, d.to_string().replace("{base}", &base)),
            None => served(StatusCode::NOT_FOUND, r#"{"error":"Not found"}"#.into()),
        };
    }
    let packument = match scenario {
        "renamed" => packuments.get("sigstore"),
        "big" if name == "big-package" => Some(data.big()),
        _ => packuments.get(&name),
    };
    let document = match (packument, &version) {
        (None, _) => None,
        (Some(p), None) => Some(p.clone()),
        (Some(p), Some(v)) => version_document(p, v),
    };
    match document {
        Some(_) if scenario == "huge" => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .header(header::CONTENT_LENGTH, (100u64 << 20).to_string())
            .body(Body::from_stream(futures_stream_of_spaces()))
            .unwrap(),
        Some(doc) => {
            let doc = if scenario == "two-hashes" {
                with_second_hash(doc)
            } else {
                doc
            };
            served(StatusCode::OK, doc.to_string().replace("{base}", &base))
        }
        None => served(StatusCode::NOT_FOUND, r#"{"error":"Not found"}"#.into()),
    }
}

fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, location)
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(Body::empty())
        .unwrap()
}

/// 1 MB of a body, then nothing, forever; counted while its connection is open.
fn stalling(data: &Data) -> Response {
    struct Stall {
        left: usize,
        open: Arc<AtomicUsize>,
        bytes: Arc<AtomicUsize>,
    }
    impl Drop for Stall {
        fn drop(&mut self) {
            self.open.fetch_sub(1, Ordering::SeqCst);
        }
    }
    impl futures_core::Stream for Stall {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.left == 0 {
                // Never woken: the body stalls until the client goes away.
                return std::task::Poll::Pending;
            }
            let n = self.left.min(1 << 20);
            self.left -= n;
            self.bytes.fetch_add(n, Ordering::SeqCst);
            std::task::Poll::Ready(Some(Ok(vec![b' '; n])))
        }
    }
    data.stalled.fetch_add(1, Ordering::SeqCst);
    let stall = Stall {
        left: 1 << 20,
        open: data.stalled.clone(),
        bytes: data.bytes.clone(),
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(Body::from_stream(stall))
        .unwrap()
}

/// 100 MB of spaces, produced lazily.
fn futures_stream_of_spaces() -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
    struct Spaces(usize);
    impl futures_core::Stream for Spaces {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.0 == 0 {
                return std::task::Poll::Ready(None);
            }
            let n = self.0.min(1 << 20);
            self.0 -= n;
            std::task::Poll::Ready(Some(Ok(vec![b' '; n])))
        }
    }
    Spaces(100 << 20)
}

pub fn router(data: Arc<Data>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(tower_http::compression::CompressionLayer::new().gzip(true).br(true))
        .with_state(data)
}

/// A registry running on a background thread.
pub struct Running {
    pub addr: SocketAddr,
    data: Arc<Data>,
    _thread: std::thread::JoinHandle<()>,
}

impl Running {
    /// The base URL of a scenario (`""` for the real data).
    pub fn url(&self, scenario: &str) -> String {
        if scenario.is_empty() {
            format!("http://{}", self.addr)
        } else {
            format!("http://{}/{scenario}", self.addr)
        }
    }

    /// Requests served so far.
    pub fn requests(&self) -> usize {
        self.data.requests.load(Ordering::SeqCst)
    }

    /// Body bytes served so far (before compression).
    pub fn bytes(&self) -> usize {
        self.data.bytes.load(Ordering::SeqCst)
    }

    /// Sets how `/switch` fails: what, the status, the `Retry-After`.
    pub fn set_switch(&self, failing: Failing, status: u16, retry_after: Option<u32>) {
        *self.data.switch.lock().unwrap() = (failing, status, retry_after);
    }

    /// Requests `/private` refused for want of credentials.
    pub fn unauthorized(&self) -> usize {
        self.data.unauthorized.load(Ordering::SeqCst)
    }

    /// Stalled answers whose connection is still open.
    pub fn stalled(&self) -> usize {
        self.data.stalled.load(Ordering::SeqCst)
    }

    /// The paths asked for so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.data.paths.lock().unwrap().clone()
    }

    /// `Accept-Encoding` and `Referer` of the last request.
    pub fn last_request(&self) -> (String, String) {
        self.data.last_request.lock().unwrap().clone()
    }
}

/// Starts the registry on `127.0.0.1:port` (0 for any free port).
pub fn spawn(dir: &Path, port: u16) -> Running {
    let data = Arc::new(Data::load(dir));
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind the test registry");
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(data.clone());
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    Running {
        addr,
        data,
        _thread: thread,
    }
}
