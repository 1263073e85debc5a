//! The badge server against a local registry serving the real fixtures:
//! badge states, cache behaviour, faults, headers.

mod common;
use common::{HANG_GUARD, registry};

use std::net::SocketAddr;
use std::sync::Arc;

use npm_provenance::serve::{ServeArgs, build_state, http, listener};

struct Server {
    base: String,
    state: Arc<http::AppState>,
    runtime: tokio::runtime::Runtime,
}

/// The registry timeout of the tests that are not about timeouts: long
/// enough for a debug build on a loaded machine (with two clean clones
/// testing at once on 2 cores, a first lookup once took over 5 s).
const TIMEOUT: u64 = 60;

fn start(registry: &str, registry_timeout: u64, dist: Option<std::path::PathBuf>) -> Server {
    let mut args = ServeArgs::defaults();
    args.registry = registry.to_string();
    args.dist = dist;
    args.registry_timeout = registry_timeout;
    args.cache_mb = 16;
    start_with(args)
}

fn start_with(args: ServeArgs) -> Server {
    let state = build_state(&args).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let app = http::router(state.clone());
    let limits = args.connection_limits();
    runtime.spawn(async move {
        listener::serve(listener, app, limits, std::future::pending())
            .await
            .unwrap()
    });
    Server {
        base: format!("http://{addr}"),
        state,
        runtime,
    }
}

/// A client that shows the bytes as served: no decompression; it gives up
/// (and the test fails) only past the hang guard.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .timeout(HANG_GUARD)
        .build()
        .unwrap()
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
    bytes: Vec<u8>,
}

impl Server {
    fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let url = format!("{}{path}", self.base);
        let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.runtime.block_on(async move {
            let mut request = raw_client().get(&url);
            for (k, v) in headers {
                request = request.header(k, v);
            }
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("no answer (the server hung?): {e}"));
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap().to_vec();
            Reply {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
                bytes,
            }
        })
    }

    fn get(&self, path: &str) -> Reply {
        self.get_with(path, &[])
    }

    fn head_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let url = format!("{}{path}", self.base);
        let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.runtime.block_on(async move {
            let mut request = raw_client().head(&url);
            for (k, v) in headers {
                request = request.header(k, v);
            }
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("no answer (the server hung?): {e}"));
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap().to_vec();
            Reply {
                status,
                headers,
                body: String::new(),
                bytes,
            }
        })
    }
}

/// The badge's message, read from the SVG parsed as XML.
fn badge_message(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("the badge is well-formed XML");
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .expect("a <title>")
        .text()
        .unwrap()
        .to_string();
    assert_eq!(doc.root_element().attribute("role"), Some("img"));
    assert_eq!(doc.root_element().attribute("aria-label"), Some(title.as_str()));
    title.split_once(": ").unwrap().1.to_string()
}

#[test]
fn badges_say_verified_unverified_or_none() {
    let reg = registry();
    let server = start(&reg.url(""), TIMEOUT, None);
    let verified = server.get("/badge/npm/sigstore.svg");
    assert_eq!(verified.status, 200);
    assert_eq!(verified.headers["content-type"], "image/svg+xml; charset=utf-8");
    assert_eq!(badge_message(&verified.body), "verified · GitHub Actions");
    assert!(verified.body.contains("#4c1"), "green");
    let scoped = server.get("/badge/npm/@laurentsimon/provenance-npm-test/1.0.3.svg");
    assert_eq!(badge_message(&scoped.body), "verified · GitHub Actions");
    let none = server.get("/badge/npm/lodash.svg");
    assert_eq!((none.status, badge_message(&none.body)), (200, "none".to_string()));
    let publish_only = server.get("/badge/npm/sigstore/3.1.0.svg");
    assert_eq!(badge_message(&publish_only.body), "none");

    let tampered_server = start(&reg.url("tampered"), TIMEOUT, None);
    let tampered = tampered_server.get("/badge/npm/sigstore/2.3.1.svg");
    assert_eq!(
        (tampered.status, badge_message(&tampered.body)),
        (200, "unverified".to_string())
    );
    assert!(tampered.body.contains("#e05d44"), "red");
}

#[test]
fn shields_endpoint_and_report_api() {
    let reg = registry();
    let server = start(&reg.url(""), TIMEOUT, None);
    let json: serde_json::Value = serde_json::from_str(&server.get("/badge/npm/tuf-js/1.0.0.json").body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"schemaVersion": 1, "label": "provenance", "message": "verified · GitHub Actions", "color": "brightgreen", "isError": false, "trust": "provenance", "downgrade": null})
    );
    let report = server.get("/api/verify/sigstore/2.3.1");
    assert_eq!(report.status, 200);
    assert_eq!(report.headers["access-control-allow-origin"], "*");
    let report: serde_json::Value = serde_json::from_str(&report.body).unwrap();
    assert_eq!(report["verdict"], "verified");
    assert_eq!(
        report["provenance"]["source_commit"]["text"],
        "github.com/sigstore/sigstore-js@46e7056"
    );
    let styled = server.get("/badge/npm/sigstore.svg?style=flat-square&label=npm%20provenance");
    assert!(
        styled
            .body
            .contains("<title>npm provenance: verified · GitHub Actions</title>")
    );
    assert!(!styled.body.contains("rx=\"3\""));
}

#[test]
fn cache_hits_do_not_call_the_registry_and_concurrent_requests_share_one_fetch() {
    let reg = registry();
    let server = start(&reg.url(""), TIMEOUT, None);
    let before = reg.requests();
    // Twenty requests at once for a package nobody asked for yet.
    let base = server.base.clone();
    let statuses: Vec<u16> = server.runtime.block_on(async move {
        let client = reqwest::Client::new();
        let requests = (0..20).map(|_| {
            let client = client.clone();
            let url = format!("{base}/badge/npm/tuf-js.svg");
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        });
        futures::future::join_all(requests).await
    });
    assert!(statuses.iter().all(|s| *s == 200));
    assert_eq!(
        reg.requests() - before,
        3,
        "one version document, one attestations response, one package document (the history)"
    );
    // Cache hits, latest and fixed: no new registry requests.
    for _ in 0..5 {
        assert_eq!(server.get("/badge/npm/tuf-js.svg").status, 200);
        assert_eq!(server.get("/badge/npm/tuf-js/1.0.0.svg").status, 200);
        assert_eq!(server.get("/api/verify/tuf-js/1.0.0").status, 200);
    }
    assert_eq!(reg.requests() - before, 3);
    assert_eq!(server.state.service.cache_usage().0, 2, "latest and 1.0.0");
}

#[test]
fn cache_headers_and_etags() {
    let reg = registry();
    let server = start(&reg.url(""), TIMEOUT, None);
    let latest = server.get("/badge/npm/sigstore.svg");
    assert!(
        latest.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=300")
    );
    let fixed = server.get("/badge/npm/sigstore/2.3.1.svg");
    // A pinned version's verified badge cannot change: a CDN may hold it long.
    assert_eq!(
        fixed.headers["cache-control"],
        "public, max-age=86400, s-maxage=604800, immutable"
    );
    let etag = fixed.headers["etag"].to_str().unwrap().to_string();
    let again = server.get_with("/badge/npm/sigstore/2.3.1.svg", &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}

#[test]
fn bad_input_gets_the_right_status_and_badge() {
    let reg = registry();
    let server = start(&reg.url(""), TIMEOUT, None);
    let cases: &[(&str, u16, &str)] = &[
        ("/badge/npm/%3Cscript%3E.svg", 400, "invalid name"),
        ("/badge/npm/..%2f..%2fetc%2fpasswd.svg", 400, "invalid name"),
        ("/badge/npm/a/b/c/d.svg", 400, "invalid name"),
        ("/badge/npm/sigstore/1.0.0%20.svg", 400, "invalid name"),
        ("/badge/npm/no-such-package.svg", 404, "not found"),
        ("/badge/npm/sigstore/9.9.9.svg", 404, "not found"),
    ];
    for (path, status, message) in cases {
        let reply = server.get(path);
        assert_eq!(reply.status, *status, "{path}");
        assert_eq!(badge_message(&reply.body), *message, "{path}");
    }
    let long = server.get(&format!("/badge/npm/{}.svg", "a".repeat(600)));
    assert_eq!(long.status, 414);
    let api = server.get("/api/verify/no-such-package");
    assert_eq!(api.status, 404);
    let error: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(error["status"], 404);
    assert_eq!(server.get("/api/verify/%00").status, 400);
    assert_eq!(server.get("/badge/npm/sigstore.png").status, 404);
}

#[test]
fn registry_faults_give_error_badges_and_no_hangs() {
    let reg = registry();
    for (scenario, status) in [("error500", 502), ("garbage", 502)] {
        let server = start(&reg.url(scenario), TIMEOUT, None);
        let reply = server.get("/badge/npm/sigstore.svg");
        assert_eq!(
            (reply.status, badge_message(&reply.body)),
            (status, "error".to_string()),
            "{scenario}"
        );
        assert_eq!(server.get("/api/verify/sigstore").status, status, "{scenario}");
    }
    // A registry that never answers: the server gives up at its own
    // timeout (1 s here) and says so, a gateway timeout, having asked once.
    let hanging = start(&reg.url("hang"), 1, None);
    let asked = reg.requests();
    let reply = hanging.get("/badge/npm/sigstore.svg");
    assert_eq!((reply.status, badge_message(&reply.body)), (504, "error".to_string()));
    assert_eq!(reg.requests() - asked, 1, "registry requests for one badge");
    let huge = start(&reg.url("huge"), TIMEOUT, None);
    assert_eq!(huge.get("/api/verify/sigstore").status, 502);
    // A registry nobody listens on.
    let nowhere = start("http://127.0.0.1:9", 2, None);
    assert_eq!(nowhere.get("/badge/npm/sigstore.svg").status, 502);
}

#[test]
fn the_app_is_served_with_deep_links_and_a_strict_policy() {
    let dir = std::env::temp_dir().join(format!("np-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        r#"<html><head><title>t</title><script type="module" src="/boot.js" data-wasm-js="/app-0123456789abcdef.js" data-wasm="/app-0123456789abcdef_bg.wasm"></script></head><body></body></html>"#,
    )
    .unwrap();
    std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), vec![0u8; 4096]).unwrap();
    let server = start("https://registry.example", 5, Some(dir.clone()));
    let page = server.get("/package/@scope/name/v/1.0.0");
    assert_eq!(page.status, 200);
    // A deep link asks for the app's module at once; the home page, which
    // shows its words without the app, does not.
    let preload = r#"<link rel="preload" href="/app-0123456789abcdef_bg.wasm" as="fetch""#;
    assert!(page.body.contains(preload), "{}", page.body);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("preload"), "{}", home.body);
    assert!(home.body.contains(r#"<meta name="npm-provenance-registry""#));
    assert!(
        page.body
            .contains(r#"<meta name="npm-provenance-registry" content="https://registry.example" />"#)
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "connect-src 'self' https://registry.example https:",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.headers["cache-control"], "no-cache");
    let wasm = server.get_with("/app-0123456789abcdef_bg.wasm", &[("accept-encoding", "gzip")]);
    assert_eq!(wasm.headers["content-type"], "application/wasm");
    assert_eq!(wasm.headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(server.get("/missing-0123456789abcdef.js").status, 404);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The build's files are served in their brotli form to clients that take
/// it, gzip to those that take only that, as they are to the rest; HEAD
/// says the length of what GET sends; a compressed form that is not the
/// file's keeps the server from starting.
#[test]
fn static_files_are_served_with_brotli_gzip_or_neither() {
    let dir = std::env::temp_dir().join(format!("np-dist-br-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html><head></head><body></body></html>").unwrap();
    let script: String = (0..4000)
        .map(|i| format!("export const v{i} = {};\n", i * 7 % 13))
        .collect();
    let brotli = |text: &str| {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams::default();
        brotli::BrotliCompress(&mut text.as_bytes(), &mut out, &params).unwrap();
        out
    };
    let gzip = |text: &str| {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    std::fs::write(dir.join("app-0123456789abcdef.js"), &script).unwrap();
    std::fs::write(dir.join("app-0123456789abcdef.js.br"), brotli(&script)).unwrap();
    std::fs::write(dir.join("app-0123456789abcdef.js.gz"), gzip(&script)).unwrap();
    let server = start("https://registry.example", 5, Some(dir.clone()));
    let path = "/app-0123456789abcdef.js";

    let br = server.get_with(path, &[("accept-encoding", "gzip, deflate, br, zstd")]);
    assert_eq!(br.headers["content-encoding"], "br");
    assert_eq!(br.headers["vary"], "accept-encoding");
    assert_eq!(br.headers["cache-control"], "public, max-age=31536000, immutable");
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut &br.bytes[..], &mut decoded).unwrap();
    assert_eq!(decoded, script.as_bytes());

    let gz = server.get_with(path, &[("accept-encoding", "gzip, br;q=0")]);
    assert_eq!(gz.headers["content-encoding"], "gzip");
    let mut decoded = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz.bytes[..]), &mut decoded).unwrap();
    assert_eq!(decoded, script);
    assert!(
        br.bytes.len() < gz.bytes.len(),
        "brotli {} >= gzip {}",
        br.bytes.len(),
        gz.bytes.len()
    );

    let plain = server.get_with(path, &[("accept-encoding", "identity")]);
    assert!(plain.headers.get("content-encoding").is_none());
    assert_eq!(plain.body, script);
    // Conditional requests on what was served.
    let modified = plain.headers["last-modified"].to_str().unwrap().to_string();
    let again = server.get_with(
        path,
        &[("accept-encoding", "identity"), ("if-modified-since", &modified)],
    );
    assert_eq!(again.status, 304);
    // HEAD: the headers of GET, the length of its body, no body.
    let head = server.head_with(path, &[("accept-encoding", "br")]);
    assert_eq!(head.status, 200);
    assert_eq!(head.headers["content-length"], br.bytes.len().to_string().as_str());
    assert!(head.bytes.is_empty());
    let head_index = server.head_with("/package/x", &[("accept-encoding", "identity")]);
    let index = server.get_with("/package/x", &[("accept-encoding", "identity")]);
    assert_eq!(
        head_index.headers["content-length"],
        index.bytes.len().to_string().as_str()
    );
    // The compressed forms are not files of their own.
    assert_eq!(server.get("/app-0123456789abcdef.js.br").status, 404);
    assert_eq!(server.get("/app-0123456789abcdef.js.gz").status, 404);

    // A .br that is not the file's: the server does not start.
    std::fs::write(dir.join("other-0123456789abcdef.js"), &script).unwrap();
    std::fs::write(dir.join("other-0123456789abcdef.js.br"), brotli("something else")).unwrap();
    let mut args = ServeArgs::defaults();
    args.dist = Some(dir.clone());
    let error = build_state(&args).err().unwrap();
    assert!(
        error.contains("other-0123456789abcdef.js.br is not the compressed form"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
