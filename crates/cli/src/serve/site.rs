//! The app's release build: its files served by `tower-http`'s `ServeDir`
//! (types, precompressed brotli and gzip forms, conditional requests, HEAD),
//! and `index.html` for every page path (deep links work), with the
//! server's registry and trust written into it as `<meta>` tags.

use std::convert::Infallible;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
pub use npm_provenance_core::site::TRUST_PATH;
use npm_provenance_core::site::{META_BADGES, META_REGISTRY, META_TRUST};
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

/// `index.html` as served: with the server's `<meta>` tags, and its
/// compressed forms (made at start-up: it is small).
pub struct Index {
    body: Vec<u8>,
    gzip: Vec<u8>,
    brotli: Vec<u8>,
    /// Weak: the same for every encoding of the same document.
    etag: String,
}

/// The build, served from `dir`.
pub struct Site {
    dir: PathBuf,
    /// `/`: the home page, which downloads no wasm until it is used.
    home: Index,
    /// Every other page: the same document, asking for the app's module at once.
    app: Index,
}

/// Escapes text for an HTML attribute value.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Whether a file name carries Trunk's content hash (`name-0123456789abcdef.ext`):
/// such a file never changes, so it is cached for a year.
pub fn is_hashed(path: &str) -> bool {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .split('.')
        .next()
        .unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a path names a page of the app (rather than a file): pages have
/// no file extension in their last segment (versions are under `/v/`).
fn is_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    path == "/" || path.starts_with("/package/") || !last.contains('.')
}

/// What the host tells the app it serves, written into `index.html` as
/// `<meta>` tags (`npm_provenance_core::site`): one rule for `serve` and for
/// the static build.
pub struct PageSettings<'a> {
    /// The app's default registry.
    pub registry: &'a str,
    /// Whether a private trust configuration is served at `TRUST_PATH`.
    pub announce_trust: bool,
    /// The badge server's base URL (`""`: this origin); `None`: no badges.
    pub badges: Option<&'a str>,
    /// The Content-Security-Policy as a `<meta http-equiv>` tag, for hosts
    /// that cannot send it as a header.
    pub csp_meta: Option<String>,
}

/// The app's `index.html` (the build's `template`) with `settings` written in.
pub fn index_html(template: &str, settings: &PageSettings<'_>) -> String {
    let mut meta = format!(
        "<meta name=\"{META_REGISTRY}\" content=\"{}\" />",
        escape_attribute(settings.registry)
    );
    if settings.announce_trust {
        meta.push_str(&format!("<meta name=\"{META_TRUST}\" content=\"{TRUST_PATH}\" />"));
    }
    if let Some(badges) = settings.badges {
        meta.push_str(&format!(
            "<meta name=\"{META_BADGES}\" content=\"{}\" />",
            escape_attribute(badges)
        ));
    }
    if let Some(csp) = &settings.csp_meta {
        // First in <head>: it applies only to what follows it.
        let tag = format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
            escape_attribute(csp)
        );
        let with_csp = template.replacen("<head>", &format!("<head>\n    {tag}"), 1);
        return with_csp.replace("</head>", &format!("{meta}\n  </head>"));
    }
    template.replace("</head>", &format!("{meta}\n  </head>"))
}

/// The document for every page but the home page: `index_html` with the
/// app's module and its JavaScript preloaded, so that they download while the
/// page is read (measured: the verified panel 60 to 90 ms sooner than when
/// `boot.js` asks for them). The home page does without: it shows its words
/// without the app, and fetches it only when its visitor needs it
/// (`public/boot.js`). The build names both files on `boot.js`'s tag.
pub fn app_page_html(index_html: &str) -> String {
    let attribute = |name: &str| {
        let start = index_html.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = index_html[start..].find('"')? + start;
        Some(index_html[start..end].to_string())
    };
    let (Some(js), Some(wasm)) = (attribute("data-wasm-js"), attribute("data-wasm")) else {
        return index_html.to_string();
    };
    let preload = format!(
        "<link rel=\"modulepreload\" href=\"{js}\" crossorigin=\"anonymous\" />\
         <link rel=\"preload\" href=\"{wasm}\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\" />"
    );
    // Ahead of the style sheets: over HTTP/1.1 a page gets six connections
    // to its host, and style sheets listed first took them while the app's
    // module waited (measured with Chromium's emulated 100 ms / 10 Mbit/s
    // network: the panel 40 to 60 ms sooner with the module asked first).
    let Some(at) = index_html
        .find("<link rel=\"stylesheet\"")
        .or_else(|| index_html.find("</head>"))
    else {
        return index_html.to_string();
    };
    format!("{}{preload}\n    {}", &index_html[..at], &index_html[at..])
}

impl Index {
    fn new(html: String) -> Result<Self, String> {
        let body = html.into_bytes();
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&body).map_err(|e| e.to_string())?;
        let gzip = gzip.finish().map_err(|e| e.to_string())?;
        let mut brotli = Vec::new();
        brotli::BrotliCompress(
            &mut &body[..],
            &mut brotli,
            &brotli::enc::BrotliEncoderParams::default(),
        )
        .map_err(|e| e.to_string())?;
        let etag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
        Ok(Self {
            body,
            gzip,
            brotli,
            etag,
        })
    }
}

impl Site {
    /// Reads `dir` (a release build). The registry is written into
    /// `index.html` as the app's default registry, and badges come from
    /// this server.
    pub fn load(dir: &Path, registry: &str, announce_trust: bool) -> Result<Self, String> {
        let index = std::fs::read(dir.join("index.html")).map_err(|e| {
            format!(
                "{} has no index.html ({e}): build the app first (make run, or scripts/build-app.sh)",
                dir.display()
            )
        })?;
        let settings = PageSettings {
            registry,
            announce_trust,
            badges: Some(""),
            csp_meta: None,
        };
        let html = index_html(&String::from_utf8_lossy(&index), &settings);
        check_precompressed(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            app: Index::new(app_page_html(&html))?,
            home: Index::new(html)?,
        })
    }

    /// Serves a request for a file or a page.
    pub async fn serve(&self, request: Request<Body>) -> Response<Body> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        }
        let path = request.uri().path().to_string();
        let (method, headers) = (request.method().clone(), request.headers().clone());
        if path == "/" || path == "/index.html" {
            return self.index(&self.home, &method, &headers);
        }
        // The compressed forms are served in the file's place, not as files.
        if path.ends_with(".br") || path.ends_with(".gz") {
            return plain(StatusCode::NOT_FOUND, "not found");
        }
        let files = ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        let response = match files.oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(e) => match e {},
        };
        if response.status() == StatusCode::NOT_FOUND && is_page(&path) {
            return self.index(&self.app, &method, &headers);
        }
        let mut response = response;
        let cache = if response.status().is_success() && is_hashed(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        // The body depends on Accept-Encoding (a precompressed form or not):
        // caches must keep the forms apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }

    /// A page's document, in the best encoding the client accepts.
    fn index(&self, index: &Index, method: &Method, headers: &HeaderMap) -> Response<Body> {
        let builder = Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::ETAG, &index.etag)
            .header(header::VARY, "accept-encoding");
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == index.etag || t.trim() == "*"));
        if matches {
            return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap();
        }
        let accept = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let (encoding, bytes) = if accepts_encoding(accept, "br") {
            (Some("br"), &index.brotli)
        } else if accepts_encoding(accept, "gzip") {
            (Some("gzip"), &index.gzip)
        } else {
            (None, &index.body)
        };
        let mut builder = builder
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, bytes.len());
        if let Some(encoding) = encoding {
            builder = builder.header(header::CONTENT_ENCODING, encoding);
        }
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(bytes.clone())
        };
        builder.body(body).unwrap()
    }
}

/// Every `NAME.br` and `NAME.gz` of the build must decode to `NAME`: a stale
/// or foreign compressed form would be served in the file's place, so the
/// server refuses to start with one.
fn check_precompressed(dir: &Path) -> Result<(), String> {
    use std::io::Read as _;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let (original, brotli) = match (name.strip_suffix(".br"), name.strip_suffix(".gz")) {
            (Some(original), _) => (original, true),
            (_, Some(original)) => (original, false),
            _ => continue,
        };
        let stale = || {
            format!(
                "{} is not the compressed form of {original}: rebuild the app (scripts/build-app.sh)",
                path.display()
            )
        };
        let body = std::fs::read(dir.join(original)).map_err(|_| stale())?;
        let compressed = std::fs::File::open(&path).map_err(|_| stale())?;
        let mut decoded = Vec::with_capacity(body.len());
        let limit = body.len() as u64 + 1;
        let read = if brotli {
            brotli::Decompressor::new(compressed, 4096)
                .take(limit)
                .read_to_end(&mut decoded)
        } else {
            flate2::read::GzDecoder::new(compressed)
                .take(limit)
                .read_to_end(&mut decoded)
        };
        if read.is_err() || decoded != body {
            return Err(stale());
        }
    }
    Ok(())
}

/// A site-less server's answer for anything that is not a route.
pub async fn no_site(_request: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(plain(
        StatusCode::NOT_FOUND,
        "not found (this server runs without --dist)",
    ))
}

pub fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(Body::from(text))
        .unwrap()
}

/// Whether an `Accept-Encoding` value accepts `coding` (named, with a
/// non-zero weight; `*` is not taken as consent to brotli or gzip).
pub fn accepts_encoding(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(is_hashed("/npm-provenance-app-601006548f2e7169_bg.wasm"));
        assert!(is_hashed("main-4a0b3085de31f682.css"));
        assert!(!is_hashed("worker_bg.wasm"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("boot.js"));
    }

    #[test]
    fn pages_and_files() {
        assert!(is_page("/"));
        assert!(is_page("/package/@a/b/v/1.0.0"));
        assert!(is_page("/inspect"));
        assert!(!is_page("/missing.js"));
        assert!(!is_page("/worker_bg.wasm"));
    }

    #[test]
    fn accept_encoding_names_the_coding_with_a_nonzero_weight() {
        assert!(accepts_encoding("gzip, deflate, br, zstd", "br"));
        assert!(accepts_encoding("br;q=0.5, gzip", "br"));
        assert!(accepts_encoding("GZIP", "gzip"));
        assert!(!accepts_encoding("gzip, deflate", "br"));
        assert!(!accepts_encoding("br;q=0, gzip", "br"));
        assert!(!accepts_encoding("br; q=0.0", "br"));
        assert!(!accepts_encoding("*", "br"));
        assert!(!accepts_encoding("", "gzip"));
        assert!(!accepts_encoding("gzipx", "gzip"));
    }

    #[test]
    fn pages_but_the_home_page_preload_the_app() {
        let index = r#"<html><head><script type="module" src="/boot.js" data-wasm-js="/app-0123456789abcdef.js" data-wasm="/app-0123456789abcdef_bg.wasm"></script></head><body></body></html>"#;
        let page = app_page_html(index);
        assert!(
            page.contains(r#"<link rel="modulepreload" href="/app-0123456789abcdef.js" crossorigin="anonymous" />"#),
            "{page}"
        );
        assert!(page.contains(r#"<link rel="preload" href="/app-0123456789abcdef_bg.wasm" as="fetch" type="application/wasm" crossorigin="anonymous" />"#), "{page}");
        assert!(page.find("rel=\"preload\"").unwrap() < page.find("</head>").unwrap());
        // Before the style sheets, after the character set.
        let styled = r#"<html><head><meta charset="utf-8" /><link rel="stylesheet" href="/app-1.css"/><script type="module" src="/boot.js" data-wasm-js="/a.js" data-wasm="/a_bg.wasm"></script></head></html>"#;
        let page = app_page_html(styled);
        let (charset, preload, sheet) = (
            page.find("charset").unwrap(),
            page.find("rel=\"modulepreload\"").unwrap(),
            page.find("rel=\"stylesheet\"").unwrap(),
        );
        assert!(charset < preload && preload < sheet, "{page}");
        // A document without the tag is left as it is.
        assert_eq!(
            app_page_html("<html><head></head></html>"),
            "<html><head></head></html>"
        );
    }

    #[test]
    fn the_registry_is_written_into_the_page_escaped() {
        let dir = std::env::temp_dir().join(format!("np-site-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html><head></head><body></body></html>").unwrap();
        let site = Site::load(&dir, "http://127.0.0.1:1/\"><script>", false).unwrap();
        let html = String::from_utf8(site.home.body.clone()).unwrap();
        assert!(
            html.contains(r#"content="http://127.0.0.1:1/&quot;&gt;&lt;script&gt;""#),
            "{html}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
