//! The app's release build, held in memory and served with the right types,
//! caching and compression; unknown page paths get `index.html` so that deep
//! links (`/package/...`) work.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use npm_provenance_core::site::TRUST_PATH;
use npm_provenance_core::site::{META_REGISTRY, META_TRUST};

/// One file of the build.
pub struct StaticFile {
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// The same, gzip-compressed, when that is smaller.
    pub gzip: Option<Vec<u8>>,
    /// The same, brotli-compressed, when the build has it (`NAME.br`, made by
    /// scripts/precompress.mjs at quality 11, too slow to do at start-up), it
    /// decodes to this file, and it is smaller than gzip.
    pub brotli: Option<Vec<u8>>,
    pub etag: String,
    /// Hashed file names never change: cache them for a year.
    pub immutable: bool,
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether a file name carries Trunk's content hash (`name-0123456789abcdef.ext`).
fn is_hashed(path: &str) -> bool {
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

fn etag(body: &[u8]) -> String {
    let hash = Sha256::digest(body);
    format!("\"{}\"", npm_provenance_core::package::hex(&hash[..12]))
}

/// `compressed` if it is the brotli form of `body` (read no further than
/// that: the file could be anything).
fn checked_brotli(body: &[u8], compressed: Vec<u8>) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut decoded = Vec::with_capacity(body.len());
    brotli::Decompressor::new(&compressed[..], 4096)
        .take(body.len() as u64 + 1)
        .read_to_end(&mut decoded)
        .ok()?;
    (decoded == body).then_some(compressed)
}

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() + 64 < body.len()).then_some(compressed)
}

impl StaticFile {
    /// `brotli` is the build's precompressed form, if it has one; it is kept
    /// only if it decodes to `body` and beats gzip.
    pub fn new(path: &str, body: Vec<u8>, brotli: Option<Vec<u8>>) -> Self {
        let content_type = content_type(path);
        let compressible = !matches!(content_type, "image/png");
        let gzip = if compressible { gzip(&body) } else { None };
        let gzip_len = gzip.as_ref().map_or(body.len(), Vec::len);
        let brotli = brotli
            .and_then(|b| checked_brotli(&body, b))
            .filter(|b| b.len() < gzip_len);
        Self {
            content_type,
            gzip,
            brotli,
            etag: etag(&body),
            immutable: is_hashed(path),
            body,
        }
    }
}

/// The build, by URL path (`/index.html`, `/worker_bg.wasm`, ...).
pub struct StaticSite {
    files: HashMap<String, StaticFile>,
}

/// Escapes text for an HTML attribute value.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl StaticSite {
    /// Reads `dir` (a `trunk build --release` output). The registry is written
    /// into `index.html` as the app's default registry.
    pub fn load(dir: &Path, registry: &str, announce_trust: bool) -> Result<Self, String> {
        let index = dir.join("index.html");
        if !index.is_file() {
            return Err(format!(
                "{} has no index.html: build the app first (trunk build --release)",
                dir.display()
            ));
        }
        let mut files = HashMap::new();
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            // NAME.br is not a page of its own: it is NAME's brotli form.
            if !path.is_file() || name.starts_with('.') || name.ends_with(".br") {
                continue;
            }
            let brotli = std::fs::read(dir.join(format!("{name}.br"))).ok();
            let mut body = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if name == "index.html" {
                let mut meta = format!(
                    "<meta name=\"{META_REGISTRY}\" content=\"{}\" />",
                    escape_attribute(registry)
                );
                if announce_trust {
                    meta.push_str(&format!("<meta name=\"{META_TRUST}\" content=\"{TRUST_PATH}\" />"));
                }
                let html = String::from_utf8_lossy(&body).replace("</head>", &format!("{meta}\n  </head>"));
                body = html.into_bytes();
            }
            files.insert(format!("/{name}"), StaticFile::new(&name, body, brotli));
        }
        Ok(Self { files })
    }

    /// The file for a request path; page paths fall back to `index.html`.
    pub fn get(&self, path: &str) -> Option<&StaticFile> {
        if let Some(f) = self.files.get(path) {
            return Some(f);
        }
        let last = path.rsplit('/').next().unwrap_or_default();
        // Paths of pages have no file extension (package versions are under /v/).
        let page = path == "/" || path.starts_with("/package/") || path.starts_with("/inspect") || !last.contains('.');
        page.then(|| self.files.get("/index.html")).flatten()
    }
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
    fn page_fallback_and_registry_meta() {
        let dir = std::env::temp_dir().join(format!("np-static-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html><head></head><body></body></html>").unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "x".repeat(1000)).unwrap();
        let site = StaticSite::load(&dir, "http://127.0.0.1:1/\"><script>", false).unwrap();
        let index = String::from_utf8(site.get("/package/@a/b/v/1.0.0").unwrap().body.clone()).unwrap();
        assert!(
            index.contains(r#"content="http://127.0.0.1:1/&quot;&gt;&lt;script&gt;""#),
            "{index}"
        );
        assert!(site.get("/app-0123456789abcdef.js").unwrap().immutable);
        assert!(site.get("/app-0123456789abcdef.js").unwrap().gzip.is_some());
        assert!(site.get("/missing.js").is_none());
        assert!(
            site.get("/../etc/passwd").is_none()
                || site
                    .get("/../etc/passwd")
                    .unwrap()
                    .content_type
                    .starts_with("text/html")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
