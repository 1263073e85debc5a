//! The badge server under attack, against the test registry's hostile
//! modes: a registry that answers for another package, redirects elsewhere,
//! serves a 43 MB package or stalls mid-body; clients that ask for thousands
//! of distinct versions, give up, or send half a header. The server is the
//! real binary, so that its memory can be measured.

mod common;
use common::{HANG_GUARD, Served, read_until_closed, registry, tls};

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

impl Served {
    fn with_registry(registry: &str, extra: &[&str]) -> Self {
        let mut args = vec!["--registry".to_string(), registry.to_string()];
        args.extend(extra.iter().map(|a| a.to_string()));
        Served::start(&args)
    }

    fn get(&self, path: &str) -> (u16, String) {
        get(&format!("{}{path}", self.base))
    }

    /// The most memory the server has used (VmHWM), in megabytes.
    fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
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
}

/// A GET's status and body; fails saying the server hung if no answer
/// comes within the hang guard.
fn get(url: &str) -> (u16, String) {
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
        (response.status().as_u16(), response.text().await.unwrap())
    })
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The registry answers `/victim` with sigstore's documents: the server says
/// so, and verifies nothing for `victim`.
#[test]
fn the_registry_does_not_choose_which_package_is_verified() {
    let reg = registry();
    let server = Served::with_registry(&reg.url("renamed"), &[]);
    for path in ["/api/verify/victim/2.3.1", "/api/verify/victim"] {
        let (status, body) = server.get(path);
        assert_eq!(status, 502, "{path}: {body}");
        assert!(
            json(&body)["error"]
                .as_str()
                .unwrap()
                .contains("answered the request for victim with the document of another package, sigstore"),
            "{body}"
        );
    }
    let (status, badge) = server.get("/badge/npm/victim/2.3.1.json");
    assert_eq!(status, 502);
    assert_eq!(json(&badge)["message"], "error");
}

/// Redirects are followed on the registry's origin only, and carry no Referer.
#[test]
fn redirects_stay_on_the_registry_origin_without_referer() {
    let reg = registry();
    let offsite = Served::with_registry(&reg.url("redirect-offsite"), &[]);
    let (status, body) = offsite.get("/api/verify/sigstore/2.3.1");
    assert_eq!(status, 502, "{body}");
    assert!(
        body.contains("with a redirect, which this program does not follow"),
        "{body}"
    );
    let same = Served::with_registry(&reg.url("redirect-same"), &[]);
    let (status, body) = same.get("/api/verify/sigstore/2.3.1");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["verdict"], "verified");
    let (encoding, referer) = reg.last_request();
    assert_eq!(referer, "", "no Referer is sent");
    // Compressed transfer is asked for (and decoded).
    assert!(encoding.contains("gzip") && encoding.contains("br"), "{encoding}");
}

/// An integrity listing a second sha512 is not verified; provenance without
/// the registry's publish attestation is incomplete, and its badge not green.
#[test]
fn hostile_registry_documents_are_not_verified() {
    let reg = registry();
    let two = Served::with_registry(&reg.url("two-hashes"), &[]);
    let (status, body) = two.get("/api/verify/sigstore/2.3.1");
    assert_eq!(status, 200);
    let report = json(&body);
    assert_eq!(report["verdict"], "failed", "{}", report["summary"]);
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("every one must be the signed one")
    );
    let dropped = Served::with_registry(&reg.url("no-publish"), &[]);
    let (_, body) = dropped.get("/api/verify/sigstore/2.3.1");
    let report = json(&body);
    assert_eq!(report["verdict"], "incomplete", "{}", report["summary"]);
    let (_, badge) = dropped.get("/badge/npm/sigstore/2.3.1.json");
    let badge = json(&badge);
    // A version whose checks are incomplete has no trust level, so no
    // downgrade is said beside it: its verdict says it is not verified.
    assert_eq!(badge["message"], "incomplete");
    assert_ne!(badge["color"], "brightgreen");
}

/// Forty parallel requests for distinct versions of a package whose document
/// is 43 MB, and as many for versions it does not have: the server asks for
/// each version's own document, and the whole one once for the version
/// history; a version the registry does not have is "not found" without
/// verification (and without the package document).
#[test]
fn distinct_versions_of_a_big_package_do_not_amplify() {
    let reg = registry();
    let server = Served::with_registry(&reg.url("big"), &[]);
    let bytes_before = reg.bytes();
    let base = server.base.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let statuses: Vec<u16> = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let requests = (0..40).flat_map(|i| {
            [
                format!("{base}/badge/npm/big-package/1.0.{i}.json"),
                format!("{base}/badge/npm/big-package/9.9.{i}.json"),
            ]
        });
        let futures = requests.map(|url| {
            let client = client.clone();
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        });
        futures::future::join_all(futures).await
    });
    let found = statuses.iter().filter(|s| **s == 200).count();
    let missing = statuses.iter().filter(|s| **s == 404).count();
    assert_eq!((found, missing), (40, 40), "{statuses:?}");
    let served = reg.bytes() - bytes_before;
    // The versions' own documents, and the package document once (read for
    // the downgrade rules, shared by every request for the name and kept
    // as its small version history): one copy, not one per version.
    let packument = 43_000_000;
    assert!(served < packument * 3 / 2, "the registry served {served} bytes");
    let peak = server.peak_rss_mb();
    eprintln!("peak RSS {peak} MB, registry served {served} bytes for 80 distinct versions");
    assert!(peak < 400, "peak RSS {peak} MB");
}

/// Clients that give up on a registry that stalls mid-body: the fetch still
/// ends at the registry timeout, and its socket is closed.
#[test]
fn abandoned_requests_release_their_registry_sockets() {
    let reg = registry();
    let server = Served::with_registry(&reg.url("stall"), &["--registry-timeout", "2"]);
    let base = server.base.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(800))
            .build()
            .unwrap();
        let gave_up = (0..10).map(|i| {
            let client = client.clone();
            let url = format!("{base}/api/verify/sigstore/9.0.{i}");
            async move { client.get(url).send().await.is_err() }
        });
        assert!(futures::future::join_all(gave_up).await.into_iter().all(|e| e));
    });
    assert!(reg.stalled() > 0, "the registry is stalling");
    // The server ends each fetch at its registry timeout and closes the
    // socket: the registry sees every stalled answer released.
    let waiting = Instant::now();
    while reg.stalled() > 0 && waiting.elapsed() < HANG_GUARD {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        reg.stalled(),
        0,
        "registry sockets still open after {HANG_GUARD:?}: the server holds them"
    );
    let peak = server.peak_rss_mb();
    eprintln!("peak RSS {peak} MB with 10 stalled bodies");
    assert!(peak < 300, "peak RSS {peak} MB");
}

/// Fifty clients that send half a header: the server keeps answering
/// others, and closes them at the header timeout.
#[test]
fn half_sent_headers_do_not_hold_the_server() {
    let reg = registry();
    let server = Served::with_registry(&reg.url(""), &["--header-timeout", "1"]);
    let port = server.port();
    let mut slow: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    // Answered while the fifty are open (within the hang guard of `get`).
    let (status, body) = server.get("/healthz");
    assert_eq!((status, body.as_str()), (200, "ok"));
    // Each of the fifty is closed by the server (at its header timeout),
    // with a 408 or nothing.
    for s in &mut slow {
        let got = read_until_closed(s);
        let text = String::from_utf8_lossy(&got);
        assert!(got.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    }
}

/// More connections than the cap: the extra ones are closed at once, the
/// others are still served.
#[test]
fn connections_over_the_cap_are_closed() {
    let reg = registry();
    let server = Served::with_registry(&reg.url(""), &["--max-connections", "4"]);
    let port = server.port();
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let got = read_until_closed(&mut extra);
    assert!(
        got.is_empty(),
        "the fifth connection is closed unanswered: {}",
        String::from_utf8_lossy(&got)
    );
    drop(idle);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.get("/healthz").0, 200);
}

/// `//host/...` never serves the app (whose router would read it as another
/// origin): it redirects to `/host/...`; JSON errors are nosniff; a label's
/// bidirectional and zero-width characters are dropped.
#[test]
fn paths_errors_and_labels_cannot_be_steered() {
    let reg = registry();
    let server = Served::with_registry(&reg.url(""), &[]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = server.base.clone();
    runtime.block_on(async move {
        let response = client
            .get(format!("{base}//example.invalid/x?y=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 308);
        assert_eq!(response.headers()["location"], "/example.invalid/x?y=1");
        let response = client
            .get(format!("{base}/api/verify/%3Cscript%3E"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let response = client
            .get(format!(
                "{base}/badge/npm/no-such-package.json?label=ab%E2%80%AEcd%E2%80%8Bef"
            ))
            .send()
            .await
            .unwrap();
        let badge: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(badge["label"], "abcdef");
    });
}

/// `/metrics`: Prometheus text with requests, cache and registry figures.
#[test]
fn metrics_are_served() {
    let reg = registry();
    let server = Served::with_registry(&reg.url(""), &[]);
    assert_eq!(server.get("/badge/npm/sigstore/2.3.1.svg").0, 200);
    assert_eq!(server.get("/badge/npm/sigstore/2.3.1.svg").0, 200);
    let (status, text) = server.get("/metrics");
    assert_eq!(status, 200);
    for line in [
        "npm_provenance_http_requests_total{route=\"badge\",status=\"200\"} 2",
        "npm_provenance_cache_hits_total 1",
        "npm_provenance_cache_misses_total 1",
        // The version document, its attestations, the package document
        // (history), the keys document (the version carries no signature,
        // and whether this registry signs is its keys document's to say),
        // and the previous version's document and attestations (what
        // changed); the second request is answered from the cache.
        "npm_provenance_registry_requests_total 6",
        "npm_provenance_verifications_total{verdict=\"verified\"} 1",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert!(text.contains("npm_provenance_http_request_duration_seconds_bucket"));
}

/// One raw HTTP/1.1 request with the path exactly as written (clients
/// normalise `..` away before sending): the status and the body.
fn raw_get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let reply = String::from_utf8_lossy(&read_until_closed(&mut stream)).into_owned();
    let status = reply.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Static files come only from the build directory: every spelling of a path
/// out of it (`..`, encoded dots and slashes, backslashes, absolute paths) is
/// refused or answered with the app shell for a page path, and never with the
/// file beside the build.
#[test]
fn static_paths_never_leave_the_build_directory() {
    let root = std::env::temp_dir().join(format!("np-traversal-{}", std::process::id()));
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), "<html><head></head><body>shell</body></html>").unwrap();
    std::fs::write(dist.join("assets/app.css"), "body{}").unwrap();
    std::fs::write(root.join("secret.txt"), "the secret").unwrap();
    std::fs::write(root.join("secret"), "the secret").unwrap();
    let dist_arg = dist.to_str().unwrap().to_string();
    let server = Served::with_registry("https://registry.example", &["--dist", &dist_arg]);
    let port = server.port();
    // A file inside the build is served, so a refusal below is not an outage.
    assert_eq!(raw_get(port, "/assets/app.css"), (200, "body{}".to_string()));
    let absolute = root.join("secret.txt").display().to_string();
    // (path, status): a file path is 404; a page path (no extension) is the
    // app's shell, whose router shows its not-found page.
    let cases: &[(&str, u16)] = &[
        ("/../secret.txt", 404),
        ("/assets/../../secret.txt", 404),
        ("/%2e%2e/secret.txt", 404),
        ("/assets/%2e%2e/%2e%2e/secret.txt", 404),
        ("/..%2fsecret.txt", 404),
        ("/assets/..%2f..%2fsecret.txt", 404),
        ("/..%5csecret.txt", 404),
        ("/%2fsecret.txt", 404),
        (&absolute, 404),
        ("/../secret", 200),
        ("/%2e%2e/secret", 200),
        ("/..%2fsecret", 404),
    ];
    for &(path, want) in cases {
        let (status, body) = raw_get(port, path);
        assert!(
            !body.contains("the secret"),
            "{path}: served the file outside the build"
        );
        assert_eq!(status, want, "{path}: {body:.80}");
        if status == 200 {
            assert!(body.ends_with("<body>shell</body></html>"), "{path}: {body}");
        }
    }
    // `//` + an absolute path is redirected to the same path on this origin.
    let (status, _) = raw_get(port, &format!("/{absolute}"));
    assert_eq!(status, 308);
    drop(server);
    std::fs::remove_dir_all(&root).unwrap();
}
