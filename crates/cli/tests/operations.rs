//! The badge server as a service others depend on (issue #30): answers
//! that stay right when the registry misbehaves (a history that could not
//! be read, a registry that is down or asks to wait), memory bounded by
//! `--cache-mb`, idle keep-alive connections that make room, a log line per
//! request, registry credentials that go to the registry only, and
//! readiness. The server is the real binary; every bound here is a count or
//! a memory figure, and every wait is a hang guard, never a time asserted.

mod common;
use common::{HANG_GUARD, Served, registry, tls};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use test_registry::{Failing, PRIVATE_TOKEN};

/// A GET: status, headers (lowercase names) and body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// Everything the client received, as text.
    fn everything(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        format!("{} {}\n{}", self.status, headers.join("\n"), self.body)
    }
}

fn get(url: &str) -> Reply {
    tls();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder().timeout(HANG_GUARD).build().unwrap();
        let response = client
            .get(url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("no answer from {url} (the server hung?): {e}"));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Reply {
            status,
            headers,
            body: response.text().await.unwrap(),
        }
    })
}

/// Asks `what` again every 100 ms until `done` says so; fails past the hang guard.
fn until<T>(what: &str, mut step: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(t) = step() {
            return t;
        }
        assert!(started.elapsed() < HANG_GUARD, "{what}: not within {HANG_GUARD:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The synthetic registry's trust material, written where the server reads it.
struct Trust {
    dir: PathBuf,
}

impl Trust {
    fn new(reg: &test_registry::Running, test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("np-ops-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["trusted-root.json", "keys.json"] {
            let reply = get(&format!("{}/-/test/{file}", reg.url("")));
            std::fs::write(dir.join(file), reply.body).unwrap();
        }
        Self { dir }
    }

    fn args(&self, registry: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "--registry".to_string(),
            registry.to_string(),
            // Not a test of timeouts: a debug build's first lookup on a
            // loaded machine takes seconds (the registry signs its
            // synthetic packages on first use).
            "--registry-timeout".into(),
            "60".into(),
            "--trusted-root".into(),
            self.dir.join("trusted-root.json").display().to_string(),
            "--keys".into(),
            self.dir.join("keys.json").display().to_string(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    }
}

impl Drop for Trust {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn metric(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} not in\n{metrics}"))
}

fn peak_rss_mb(server: &Served) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    kb / 1024
}

/// A version whose history could not be read is not the final answer: not
/// immutable, kept as briefly as an error, and saying that the history was
/// not compared; once the registry serves the history again, the downgrade
/// badge comes back within that short lifetime.
#[test]
fn a_report_whose_history_was_not_compared_is_not_final() {
    let reg = registry();
    let trust = Trust::new(&reg, "history");
    let registry = reg.url("switch");
    let badge = "/badge/npm/downgrade-provenance/1.1.0.json";
    // Normally: yellow, a downgrade.
    let normal = Served::start(&trust.args(&registry, &[]));
    let yellow = get(&format!("{}{badge}", normal.base)).json();
    assert_eq!(yellow["message"], "verified · GitHub Actions · downgrade", "{yellow}");
    assert_eq!(yellow["color"], "yellow");
    drop(normal);

    // One 503 on the package document.
    let server = Served::start(&trust.args(&registry, &["--error-ttl", "1"]));
    reg.set_switch(Failing::Packument, 503, None);
    let reply = get(&format!("{}{badge}", server.base));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let cache = reply.header("cache-control").to_string();
    assert!(!cache.contains("immutable") && !cache.contains("s-maxage"), "{cache}");
    let shields = reply.json();
    let message = shields["message"].as_str().unwrap();
    assert!(message.ends_with(" · history not compared"), "{shields}");
    assert_ne!(shields["color"], "brightgreen", "{shields}");
    assert!(
        shields["historyNote"]
            .as_str()
            .unwrap()
            .contains("the registry answered HTTP 503"),
        "{shields}"
    );
    let api = get(&format!("{}/api/verify/downgrade-provenance/1.1.0", server.base));
    assert!(!api.header("cache-control").contains("immutable"));
    let report = api.json();
    assert_eq!(report["downgrade_checked"], false);
    assert!(
        report["history_note"].as_str().unwrap().contains("not compared"),
        "{report}"
    );
    let svg = get(&format!("{}/badge/npm/downgrade-provenance/1.1.0.svg", server.base));
    assert!(svg.body.contains("history not compared"), "{}", svg.body);

    // The registry recovers: the downgrade is said again, for good.
    reg.set_switch(Failing::None, 503, None);
    let recovered = until("the downgrade badge back after the registry recovered", || {
        let reply = get(&format!("{}{badge}", server.base));
        (reply.json()["message"] == "verified · GitHub Actions · downgrade").then_some(reply)
    });
    assert_eq!(recovered.json()["color"], "yellow");
    assert!(recovered.header("cache-control").contains("immutable"));
}

/// Package documents are counted in bytes under `--cache-mb` with the
/// reports: many distinct names with 5,000-version histories keep what is
/// held (as `/metrics` counts it) under the budget, and the process's peak
/// memory far from what keeping every history takes (measured in a debug
/// build, 150 names: 234 MB with the budget, 944 MB with every history
/// kept).
#[test]
fn long_histories_stay_within_the_cache_budget() {
    let reg = registry();
    let server = Served::start(&[
        "--registry".into(),
        reg.url("synthetic"),
        "--offline".into(),
        "--cache-mb".into(),
        "24".into(),
        "--registry-timeout".into(),
        "60".into(),
    ]);
    let base = server.base.clone();
    let budget = 24.0 * 1024.0 * 1024.0;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let names = 100;
    let mut most_held: f64 = 0.0;
    let mut documents_seen: f64 = 0.0;
    for batch in 0..(names / 10) {
        let statuses: Vec<u16> = runtime.block_on(async {
            let client = reqwest::Client::builder().timeout(HANG_GUARD).build().unwrap();
            let requests = (0..10).map(|i| {
                let (client, url) = (
                    client.clone(),
                    format!("{base}/badge/npm/history-{}.json", batch * 10 + i),
                );
                async move { client.get(url).send().await.unwrap().status().as_u16() }
            });
            futures::future::join_all(requests).await
        });
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        let metrics = get(&format!("{base}/metrics")).body;
        let held = metric(&metrics, "npm_provenance_cache_bytes");
        let documents = metric(&metrics, "npm_provenance_cache_document_bytes");
        assert!(held <= budget, "{held} bytes held, over the budget of {budget}");
        assert!(
            documents <= budget / 2.0,
            "{documents} bytes of documents, over their half of the budget"
        );
        assert_eq!(metric(&metrics, "npm_provenance_cache_budget_bytes"), budget);
        most_held = most_held.max(held);
        documents_seen = documents_seen.max(documents);
    }
    // Histories were kept (the budget is used), not dropped wholesale.
    assert!(documents_seen > 0.0, "no package document was ever kept");
    let peak = peak_rss_mb(&server);
    eprintln!("{names} names of 5,000 versions: peak RSS {peak} MB, at most {most_held} bytes held");
    assert!(peak < 450, "peak RSS {peak} MB for a cache of 24 MB");
}

/// One request on a fresh connection, its answer read (the connection kept).
fn request_on(stream: &mut TcpStream, path: &str) -> String {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&got).ends_with("\r\n\r\nok") {
        let n = stream.read(&mut buf).expect("an answer within the hang guard");
        assert!(n > 0, "closed before answering: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// At the connection cap, idle keep-alive connections make room for new
/// clients, the one idle the longest first; a connection that has not
/// sent its first request is not taken for an idle one.
#[test]
fn idle_keep_alive_connections_make_room_for_new_clients() {
    let server = Served::start(&[
        "--registry".into(),
        "http://127.0.0.1:9".into(),
        "--offline".into(),
        "--max-connections".into(),
        "8".into(),
        "--header-timeout".into(),
        "120".into(),
    ]);
    let port = server.port();
    let mut idle: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            assert!(request_on(&mut s, "/healthz").starts_with("HTTP/1.1 200"));
            s
        })
        .collect();
    // Forty new clients, one after another, each answered.
    for i in 0..40 {
        let mut new = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let answer = request_on(&mut new, "/healthz");
        assert!(answer.starts_with("HTTP/1.1 200"), "client {i}: {answer}");
        idle.push(new);
    }
    // The first idle connection was closed to make room.
    let first = idle.first_mut().unwrap();
    first.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let mut buf = [0u8; 16];
    assert!(matches!(first.read(&mut buf), Ok(0) | Err(_)), "still open");
    let metrics = get(&format!("{}/metrics", server.base)).body;
    assert!(metric(&metrics, "npm_provenance_connections_idle_closed_total") >= 40.0);
}

/// A keep-alive connection waiting for its next request is closed at the
/// header timeout (as the README says), not kept for the idle timeout.
#[test]
fn idle_keep_alive_connections_close_at_the_header_timeout() {
    let server = Served::start(&[
        "--registry".into(),
        "http://127.0.0.1:9".into(),
        "--offline".into(),
        "--header-timeout".into(),
        "1".into(),
        "--idle-timeout".into(),
        "3600".into(),
    ]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    assert!(request_on(&mut s, "/healthz").starts_with("HTTP/1.1 200"));
    // Closed by the server well within the hang guard (an idle timeout of
    // an hour would keep it open past it, and fail here).
    let rest = common::read_until_closed(&mut s);
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

/// Every request is one JSON line: method, route template (never the
/// path), status, duration, cache use and registry requests; whatever the
/// client chose is escaped.
#[test]
fn every_request_is_one_json_line() {
    let reg = registry();
    let server = Served::start(&[
        "--registry".into(),
        reg.url(""),
        "--offline".into(),
        "--registry-timeout".into(),
        "60".into(),
        "--log-format".into(),
        "json".into(),
    ]);
    let base = &server.base;
    assert_eq!(get(&format!("{base}/badge/npm/sigstore/2.3.1.svg")).status, 200);
    assert_eq!(get(&format!("{base}/badge/npm/sigstore/2.3.1.svg")).status, 200);
    assert_eq!(get(&format!("{base}/healthz")).status, 200);
    let hostile = "/api/verify/%3Cscript%3E%22%0A%E2%80%AE";
    assert_eq!(get(&format!("{base}{hostile}")).status, 400);
    assert_eq!(get(&format!("{base}/x%22%0Ay")).status, 404);
    let requests = until("five request lines", || {
        let lines: Vec<Value> = server
            .log_lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object: {e}: {l}")))
            .filter(|v: &Value| v["event"] == "request")
            .collect();
        (lines.len() >= 5).then_some(lines)
    });
    let first = &requests[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["route"], "/badge/npm/{package}.svg");
    assert_eq!(first["status"], 200);
    assert_eq!(first["cache"], "miss");
    assert_eq!(first["package"], "sigstore@2.3.1");
    assert!(first["registry_requests"].as_u64().unwrap() > 0, "{first}");
    assert!(first["ms"].as_f64().unwrap() >= 0.0);
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    let second = &requests[1];
    assert_eq!(
        (&second["cache"], &second["registry_requests"]),
        (&"hit".into(), &0.into())
    );
    assert_eq!(requests[2]["route"], "/healthz");
    assert_eq!(requests[3]["route"], "/api/verify/{package}");
    assert_eq!(requests[3]["status"], 400);
    assert_eq!(requests[4]["route"], "/{page}");
    // The client's text never reaches the log as it was sent.
    for line in server.log_lines() {
        assert!(!line.contains("<script>") && !line.contains('\u{202e}'), "{line}");
    }
}

/// Under load, request lines are limited to `--log-rate` a second: the
/// rest are counted and said, and logging never holds a request.
#[test]
fn request_lines_are_limited_under_load() {
    let server = Served::start(&[
        "--registry".into(),
        "http://127.0.0.1:9".into(),
        "--offline".into(),
        "--log-format".into(),
        "json".into(),
        "--log-rate".into(),
        "20".into(),
    ]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    let sent = 1000;
    for _ in 0..sent {
        assert!(request_on(&mut s, "/healthz").starts_with("HTTP/1.1 200"));
    }
    let metrics = get(&format!("{}/metrics", server.base)).body;
    let skipped = metric(&metrics, "npm_provenance_log_lines_skipped_total");
    let logged = until("the request lines written", || {
        let n = server
            .log_lines()
            .iter()
            .filter(|l| l.contains("\"event\":\"request\""))
            .count() as f64;
        // Every request is either written or counted as skipped (the
        // /metrics request itself may be either).
        (n + skipped >= f64::from(sent)).then_some(n)
    });
    assert!(skipped > 0.0, "{sent} requests, none skipped at 20 a second");
    assert!(logged < f64::from(sent), "{logged} lines for {sent} requests");
    assert!(
        server.log_lines().iter().any(|l| l.contains("\"skipped_before\":")),
        "no line says how many were skipped"
    );
}

/// Registry credentials go to the registry only: a private registry is
/// verified against, and the token is in no header, page, log line, API
/// answer or metric, whether given in the URL, the environment or a file.
#[test]
fn registry_credentials_reach_the_registry_and_nothing_else() {
    let reg = registry();
    let trust = Trust::new(&reg, "credentials");
    let dist = trust.dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html><head></head><body>shell</body></html>").unwrap();
    let token_file = trust.dir.join("token");
    std::fs::write(&token_file, format!("{PRIVATE_TOKEN}\n")).unwrap();
    let private = reg.url("private");
    let with_userinfo = private.replacen("http://", &format!("http://someone:{PRIVATE_TOKEN}@"), 1);
    let file_arg = token_file.display().to_string();
    let dist_arg = dist.display().to_string();
    let common_args = ["--dist", dist_arg.as_str(), "--log-format", "json"];
    type Way<'a> = (&'a str, Vec<String>, Vec<(&'a str, &'a str)>);
    let ways: Vec<Way> = vec![
        ("the URL", trust.args(&with_userinfo, &common_args), vec![]),
        (
            "the environment",
            trust.args(&private, &common_args),
            vec![("NPM_PROVENANCE_REGISTRY_TOKEN", PRIVATE_TOKEN)],
        ),
        (
            "a file",
            trust.args(
                &private,
                &[&common_args[..], &["--registry-token-file", &file_arg]].concat(),
            ),
            vec![],
        ),
    ];
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("someone:{PRIVATE_TOKEN}"));
    for (way, args, env) in ways {
        let server = Served::start_with_env(&args, &env);
        let base = &server.base;
        let mut outputs = Vec::new();
        let verified = get(&format!("{base}/api/verify/downgrade-token/1.0.0"));
        assert_eq!(verified.status, 200, "{way}: {}", verified.body);
        assert_eq!(verified.json()["verdict"], "verified", "{way}");
        outputs.push(verified);
        for path in [
            "/",
            "/package/downgrade-token",
            "/inspect",
            "/trust.json",
            "/api/trust",
            "/api/verify/downgrade-token",
            "/api/verify/no-such-package-x/1.0.0",
            "/api/verify/downgrade-token/9.9.9",
            "/badge/npm/downgrade-token.svg",
            "/badge/npm/downgrade-token/1.0.0.json",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            outputs.push(get(&format!("{base}{path}")));
        }
        assert_eq!(reg.unauthorized(), 0, "{way}: a request went without the credentials");
        // The pages do name the registry (without credentials).
        let page = &outputs[1];
        assert!(
            page.body.contains(&format!("content=\"{private}\"")),
            "{way}: {}",
            page.body
        );
        assert!(page.header("content-security-policy").contains(&reg.url("")));
        let mut log = String::new();
        until("the log written", || {
            log = server.log_lines().join("\n");
            log.contains("\"route\":\"/metrics\"").then_some(())
        });
        for output in outputs.iter().map(Reply::everything).chain([log]) {
            for secret in [PRIVATE_TOKEN, encoded.as_str(), "someone:"] {
                assert!(!output.contains(secret), "{way}: {secret} in\n{output}");
            }
        }
    }
}

/// With the registry down, the last good answer is served (saying its age
/// and why) instead of an error, for a bounded time; and a registry that
/// asks to wait (`Retry-After`) is not asked again before then, however
/// short the error cache.
#[test]
fn the_last_good_answer_stands_while_the_registry_is_down() {
    let reg = registry();
    let trust = Trust::new(&reg, "stale");
    let registry = reg.url("switch");
    let server = Served::start(&trust.args(&registry, &["--latest-ttl", "1", "--error-ttl", "1"]));
    let base = &server.base;
    let good = get(&format!("{base}/api/verify/downgrade-token"));
    assert_eq!(good.status, 200, "{}", good.body);
    assert!(good.json().get("stale").is_none());
    let badge = get(&format!("{base}/badge/npm/downgrade-token.json")).json();

    reg.set_switch(Failing::All, 503, None);
    // Once the latest answer has expired (a second), it is looked up again,
    // fails, and the last good answer stands in.
    let stale = until("a stale answer", || {
        let reply = get(&format!("{base}/api/verify/downgrade-token"));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json().get("stale").is_some().then_some(reply)
    });
    let report = stale.json();
    assert_eq!(report["verdict"], good.json()["verdict"]);
    assert!(report["stale"]["age_seconds"].as_u64().is_some(), "{report}");
    assert!(report["stale"]["error"].as_str().unwrap().contains("503"), "{report}");
    assert!(
        !stale.header("cache-control").contains("s-maxage"),
        "{}",
        stale.header("cache-control")
    );
    let stale_badge = get(&format!("{base}/badge/npm/downgrade-token.json")).json();
    assert_eq!(stale_badge["message"], badge["message"]);
    assert!(stale_badge["staleAgeSeconds"].as_u64().is_some(), "{stale_badge}");
    // A version never verified has nothing to stand in: an error.
    assert_eq!(get(&format!("{base}/api/verify/trust-provenance/1.0.0")).status, 502);
    let metrics = get(&format!("{base}/metrics")).body;
    assert!(metric(&metrics, "npm_provenance_stale_answers_total") >= 1.0);

    // Retry-After: two minutes. The error cache (a second) expires, the
    // lookups come again, and the registry is not asked.
    reg.set_switch(Failing::All, 429, Some(120));
    assert_eq!(
        get(&format!("{base}/api/verify/trust-registry-signature/1.0.0")).status,
        502
    );
    let asked = reg.requests();
    std::thread::sleep(Duration::from_millis(1500));
    for path in ["trust-registry-signature/1.0.0", "trust-none/1.0.0", "downgrade-token"] {
        let reply = get(&format!("{base}/api/verify/{path}"));
        assert!(
            reply.status == 502 || reply.json().get("stale").is_some(),
            "{path}: {}",
            reply.body
        );
    }
    assert_eq!(reg.requests(), asked, "the registry was asked before its Retry-After");
    let ready = get(&format!("{base}/readyz"));
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.json()["registry"]["state"], "waiting");
    assert!(ready.json()["registry"]["retry_after_seconds"].as_u64().unwrap() > 60);
}

/// `/readyz` is ready while the registry answers and not when it fails,
/// reporting the trust material; `/healthz` stays `ok` throughout.
#[test]
fn readiness_follows_the_registry() {
    let reg = registry();
    let trust = Trust::new(&reg, "ready");
    let server = Served::start(&trust.args(&reg.url("switch"), &[]));
    let base = &server.base;
    let ready = get(&format!("{base}/readyz"));
    assert_eq!(ready.status, 200, "{}", ready.body);
    let body = ready.json();
    assert_eq!(body["ready"], true);
    assert_eq!(body["registry"]["state"], "ok");
    assert_eq!(body["trust"]["source"]["source"], "configured");
    assert_eq!(body["trust"]["state"], "ok");
    reg.set_switch(Failing::All, 500, None);
    assert_eq!(
        get(&format!("{base}/api/verify/trust-registry-signature/1.0.0")).status,
        502
    );
    let down = get(&format!("{base}/readyz"));
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.json()["registry"]["state"], "failing");
    assert!(
        down.json()["registry"]["last_failure"]["what"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    assert_eq!(get(&format!("{base}/healthz")).body, "ok");
    reg.set_switch(Failing::None, 503, None);
    assert_eq!(get(&format!("{base}/api/verify/trust-none/1.0.0")).status, 200);
    assert_eq!(get(&format!("{base}/readyz")).status, 200);
}

/// `static` writes public pages: a registry URL with credentials is
/// refused, and the error does not repeat them.
#[test]
fn a_static_site_never_publishes_registry_credentials() {
    let out = std::env::temp_dir().join(format!("np-ops-static-{}", std::process::id()));
    let output = std::process::Command::new(common::BIN)
        .args(["static", "--dist", "dist", "--out"])
        .arg(&out)
        .args([
            "--registry",
            &format!("https://someone:{PRIVATE_TOKEN}@registry.example"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds credentials"), "{stderr}");
    assert!(!stderr.contains(PRIVATE_TOKEN), "{stderr}");
    assert!(!out.exists());
}

/// SIGTERM: the server stops accepting, closes idle keep-alive
/// connections, lets the request in flight finish (its answer complete),
/// says `stopped` and exits 0.
#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let reg = registry();
    let mut server = Served::start(&[
        "--registry".into(),
        reg.url("slow"),
        "--offline".into(),
        "--registry-timeout".into(),
        "60".into(),
    ]);
    let mut idle = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    assert!(request_on(&mut idle, "/healthz").starts_with("HTTP/1.1 200"));
    let url = format!("{}/api/verify/sigstore/2.3.1", server.base);
    let in_flight = std::thread::spawn(move || get(&url));
    until("the lookup under way", || (reg.requests() > 0).then_some(()));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The idle connection is closed at once, not at a timeout.
    assert!(common::read_until_closed(&mut idle).is_empty());
    let answer = in_flight.join().unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["verdict"], "verified");
    let exit = until("the server to exit", || server.child.try_wait().unwrap());
    assert_eq!(exit.code(), Some(0));
    until("stopped logged", || {
        server.log_lines().iter().any(|l| l.contains("stopped")).then_some(())
    });
}
