//! What the server that hosts the web app tells it, and the names both sides
//! use for it: the default registry and where a private trust configuration
//! is served, written into `index.html` as `<meta>` tags.

/// npm's registry: the default for the app, the server and the command line.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";

/// Whether a registry base URL is npm's public registry, whose keys (from
/// Sigstore's TUF repository, or pinned) sign every version it serves.
/// `registry.yarnpkg.com` is the same registry behind yarn's name (a proxy
/// of it, serving npm's documents and signatures unchanged).
pub fn is_npm_registry(base: &str) -> bool {
    let Some(rest) = base.strip_prefix("https://") else {
        return false;
    };
    let host = rest.trim_end_matches('/');
    host.eq_ignore_ascii_case("registry.npmjs.org") || host.eq_ignore_ascii_case("registry.yarnpkg.com")
}

/// `<meta name="npm-provenance-registry" content="URL">`: the registry the
/// hosting server verifies with, the app's default.
pub const META_REGISTRY: &str = "npm-provenance-registry";

/// `<meta name="npm-provenance-trust" content="PATH">`: where the hosting
/// server serves its private trust configuration ([`crate::trust::TrustConfig`]).
pub const META_TRUST: &str = "npm-provenance-trust";

/// The path the server serves its trust configuration at.
pub const TRUST_PATH: &str = "/trust.json";

/// `<meta name="npm-provenance-badges" content="URL">`: the badge server
/// README badges come from (empty: the page's own origin, as when
/// `npm-provenance serve` hosts the app). Absent on a static host without
/// one: the page then offers no badge.
pub const META_BADGES: &str = "npm-provenance-badges";
