//! `npm-provenance static`: the app as plain files for any static host
//! (object storage, GitHub Pages, a CDN), without `npm-provenance serve`.
//! What the server writes into each page (the default registry, where badges
//! come from, a private trust configuration) is written into `index.html`
//! once, by the same rule (`serve::site::index_html`), with the
//! Content-Security-Policy as a `<meta>` tag, since a static host may not
//! send headers.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::exit;
use crate::input::read_text;
use crate::serve::http::content_security_policy;
use crate::serve::site::{PageSettings, app_page_html, index_html};

#[derive(Args, Debug, Clone)]
#[command(
    about = "Write the web app as files for a static host",
    long_about = "Write the web app's release build as plain files for any static host, with the default registry,\n\
        the badge server and the Content-Security-Policy written into index.html (and 404.html, which hosts such as\n\
        GitHub Pages serve for deep links). The host must serve index.html for paths it has no file for (a single-\n\
        page fallback), and the registry must allow cross-origin requests from browsers (npm's does).\n\n\
        Exit status: 0 written, 2 unusable input."
)]
pub struct StaticArgs {
    /// The app's release build (`scripts/build-app.sh` writes `dist`).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    dist: PathBuf,
    /// Where to write the files (created; must not be the build itself).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The app's default registry.
    #[arg(long, value_name = "URL", default_value = npm_provenance_core::site::DEFAULT_REGISTRY)]
    registry: String,
    /// A badge server (`npm-provenance serve`) for the README badges the app offers; without one, it offers none.
    #[arg(long, value_name = "URL")]
    badge_server: Option<String>,
    /// A trusted root (JSON) the app verifies with instead of Sigstore's public-good one.
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's pinned ones.
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
}

pub fn run(args: StaticArgs) -> u8 {
    match write(&args) {
        Ok(count) => {
            println!("wrote {count} files to {}", args.out.display());
            exit::VERIFIED
        }
        Err(e) => {
            eprintln!("npm-provenance static: {e}");
            exit::UNUSABLE
        }
    }
}

fn http_url(flag: &str, url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("{flag} {url:?}: expected an http(s) URL"));
    }
    // The pages are public: credentials in them would be published (and
    // the browser could not use them anyway). Not repeated in the error.
    match crate::registry::split_credentials(url) {
        Ok((_, Some(_))) => Err(format!(
            "{flag}: the URL holds credentials, which a static site would publish; give the registry's URL without them"
        )),
        _ => Ok(url.to_string()),
    }
}

fn write(args: &StaticArgs) -> Result<usize, String> {
    let registry = http_url("--registry", &args.registry)?;
    let badges = args
        .badge_server
        .as_deref()
        .map(|b| http_url("--badge-server", b))
        .transpose()?;
    let template = std::fs::read_to_string(args.dist.join("index.html")).map_err(|e| {
        format!(
            "{} has no index.html ({e}): build the app first (scripts/build-app.sh)",
            args.dist.display()
        )
    })?;
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(&args.dist, &args.out) {
        return Err("--out must not be the build directory itself".into());
    }
    let root = args
        .trusted_root
        .as_ref()
        .map(|p| read_text(p, "trusted root"))
        .transpose()?;
    let keys = args.keys.as_ref().map(|p| read_text(p, "keys document")).transpose()?;
    let trust = npm_provenance_core::TrustConfig::from_documents(root.as_deref(), keys.as_deref())
        .map_err(|e| format!("--trusted-root/--keys: {e}"))?;
    if let Some(config) = &trust {
        config.material().map_err(|e| format!("--trusted-root/--keys: {e}"))?;
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut count = copy_tree(&args.dist, &args.out)?;
    // The CSP as the server sends it, less what a <meta> tag cannot carry
    // (frame-ancestors is ignored there, with a console warning).
    // Badges are images from the badge server's origin.
    let badge_origin = badges
        .as_deref()
        .map(|b| b.split('/').take(3).collect::<Vec<_>>().join("/"));
    let csp = content_security_policy(&registry)
        .split(';')
        .map(str::trim)
        .filter(|d| !d.starts_with("frame-ancestors"))
        .map(|d| match (&badge_origin, d.strip_prefix("img-src ")) {
            (Some(origin), Some(sources)) => format!("img-src {sources} {origin}"),
            _ => d.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let settings = PageSettings {
        registry: &registry,
        announce_trust: trust.is_some(),
        badges: badges.as_deref(),
        csp_meta: Some(csp),
    };
    let html = index_html(&template, &settings);
    // index.html is the home page; 404.html, which such hosts serve for every
    // other page, preloads the app as `serve` does for them.
    for (page, html) in [("index.html", html.clone()), ("404.html", app_page_html(&html))] {
        std::fs::write(args.out.join(page), &html).map_err(|e| format!("cannot write {page}: {e}"))?;
        // The precompressed forms of the template would be another page.
        for ext in ["br", "gz"] {
            let _ = std::fs::remove_file(args.out.join(format!("{page}.{ext}")));
        }
    }
    count += 1;
    if let Some(config) = trust {
        let json = serde_json::to_string(&config).map_err(|e| e.to_string())?;
        let path = args
            .out
            .join(npm_provenance_core::site::TRUST_PATH.trim_start_matches('/'));
        std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        count += 1;
    }
    Ok(count)
}

/// Copies the build's files (a flat directory and its subdirectories).
fn copy_tree(from: &Path, to: &Path) -> Result<usize, String> {
    let mut count = 0;
    let entries = std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            count += copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
            count += 1;
        }
    }
    Ok(count)
}
