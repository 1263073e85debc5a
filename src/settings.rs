//! The registry the app talks to: npm's by default (or the one the hosting
//! server names); another set in the settings form, remembered in local
//! storage; or one from a link's `?registry=`, which applies to that page
//! only and is announced on it (a link must not change every later lookup).

use leptos::prelude::*;

pub use npm_provenance_core::site::DEFAULT_REGISTRY;
const STORAGE_KEY: &str = "npm-provenance.registry";

/// A registry base URL as typed by a person: `http(s)://host[:port][/path]`,
/// without a trailing slash. Plain http is allowed for local registries.
pub fn normalize_registry(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "A registry URL starts with https:// (or http:// for a local one).".to_string())?;
    let host = rest.split('/').next().unwrap_or_default();
    let valid = !host.is_empty()
        && url.len() <= 512
        && !host.contains('@')
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`' | b'?' | b'#'));
    if valid {
        Ok(url.to_string())
    } else {
        Err(format!(
            "{:?} is not a registry URL.",
            input.chars().take(100).collect::<String>()
        ))
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered registry, if any.
pub fn stored_registry() -> Option<String> {
    storage()?
        .get_item(STORAGE_KEY)
        .ok()?
        .and_then(|r| normalize_registry(&r).ok())
}

pub fn store_registry(registry: &str, default: &str) {
    if let Some(s) = storage() {
        let _ = if registry == default {
            s.remove_item(STORAGE_KEY)
        } else {
            s.set_item(STORAGE_KEY, registry)
        };
    }
}

/// The content of `<meta name="NAME">` in the page, which the hosting
/// server (or a static build) writes (see `npm_provenance_core::site`).
pub fn page_meta(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector(&format!("meta[name=\"{name}\"]")).ok()??;
    meta.get_attribute("content")
}

/// The registry the server hosting the app verifies with, written into the
/// page as `<meta name="npm-provenance-registry">`; npm's when absent.
pub fn page_default_registry() -> String {
    page_meta(npm_provenance_core::site::META_REGISTRY)
        .and_then(|r| normalize_registry(&r).ok())
        .unwrap_or_else(|| DEFAULT_REGISTRY.to_string())
}

/// The app-wide registry setting, provided as context: the registry in use,
/// the page's default, and whether the one in use came from the link rather
/// than the person's own setting.
#[derive(Clone, Copy)]
pub struct RegistrySetting(pub RwSignal<String>, pub StoredValue<String>, pub RwSignal<bool>);

impl RegistrySetting {
    pub fn new(current: String, default: String) -> Self {
        Self(RwSignal::new(current), StoredValue::new(default), RwSignal::new(false))
    }

    /// The registry the person chose (settings), or the page's default.
    pub fn own(&self) -> String {
        stored_registry().unwrap_or_else(|| self.default_registry())
    }

    /// Whether the registry in use came from the link, not the person's setting.
    pub fn from_link(&self) -> bool {
        self.2.get()
    }

    pub fn get(&self) -> String {
        self.0.get()
    }

    /// The page's default registry.
    pub fn default_registry(&self) -> String {
        self.1.get_value()
    }

    /// An in-app link that keeps a non-default registry in the URL, so that
    /// every shared link shows what its sender saw.
    pub fn href(&self, path: &str) -> String {
        let default = self.1.get_value();
        self.0.with(|r| {
            if *r == default {
                path.to_string()
            } else {
                let sep = if path.contains('?') { '&' } else { '?' };
                format!("{path}{sep}registry={}", encode_query(r))
            }
        })
    }
}

pub fn use_registry() -> RegistrySetting {
    expect_context::<RegistrySetting>()
}

/// An in-app path from what the address bar holds: one leading slash, so
/// that `//host/...` (which routers and browsers read as another origin) is
/// this origin's `/host/...`.
pub fn same_origin_path(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

pub use npm_provenance_core::percent::encode_query_value as encode_query;

/// How a registry is named to a person: its host (and port), which is who
/// learns what the audit asks; with its path too when `other`'s host is the
/// same, so that two choices never read alike.
pub fn registry_name(registry: &str, other: &str) -> String {
    let host = |url: &str| {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest).to_string()
    };
    let without_scheme = |url: &str| url.split_once("://").map_or(url, |(_, rest)| rest).to_string();
    if host(registry) == host(other) && registry != other {
        npm_provenance_core::text::visible(&without_scheme(registry))
    } else {
        npm_provenance_core::text::visible(&host(registry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_origin() {
        assert_eq!(same_origin_path("//example.invalid/"), "/example.invalid/");
        assert_eq!(same_origin_path("/\\example.invalid"), "/example.invalid");
        assert_eq!(same_origin_path("/package/x"), "/package/x");
        assert_eq!(same_origin_path(""), "/");
    }

    #[test]
    fn registry_urls() {
        assert_eq!(
            normalize_registry(" https://registry.npmjs.org/ ").unwrap(),
            DEFAULT_REGISTRY
        );
        assert_eq!(
            normalize_registry("http://127.0.0.1:4873").unwrap(),
            "http://127.0.0.1:4873"
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "https://",
            "https://a@b",
            "https://a b",
            "https://x/?q",
        ] {
            assert!(normalize_registry(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registries_are_named_by_host_and_told_apart() {
        assert_eq!(
            registry_name("https://registry.npmjs.org", "https://npm.example.com/r"),
            "registry.npmjs.org"
        );
        assert_eq!(
            registry_name("https://attacker.example:8443/npm", "https://registry.npmjs.org"),
            "attacker.example:8443"
        );
        assert_eq!(
            registry_name("http://127.0.0.1:4873/switch", "http://127.0.0.1:4873/synthetic"),
            "127.0.0.1:4873/switch"
        );
        assert_eq!(registry_name("https://x.example", "https://x.example"), "x.example");
    }
}
