//! The server's registry client: timeouts, size limits, npm's API paths.

use std::sync::Once;
use std::time::Duration;

use npm_provenance_core::registry_documents::{
    MAX_ATTESTATIONS_BYTES, MAX_PACKUMENT_BYTES, attestations_path, packument_path, registry_url,
};
use npm_provenance_core::{Packument, parse_packument};

/// Why the registry did not give a usable document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    Status(u16),
    Timeout,
    Network(String),
    TooLarge,
    Malformed(String),
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryError::Status(s) => write!(f, "the registry answered HTTP {s}"),
            RegistryError::Timeout => write!(f, "the registry did not answer in time"),
            RegistryError::Network(e) => write!(f, "the registry could not be reached: {e}"),
            RegistryError::TooLarge => write!(f, "the registry's answer is too large"),
            RegistryError::Malformed(e) => write!(f, "the registry's answer is not usable: {e}"),
        }
    }
}

/// A client for one registry (a base URL with npm's API).
#[derive(Clone)]
pub struct RegistryClient {
    base: String,
    http: reqwest::Client,
}

fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl RegistryClient {
    pub fn new(base: &str, timeout: Duration) -> Result<Self, String> {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("npm-provenance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot create an HTTP client: {e}"))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// GETs a document; `Ok(None)` for 404. Reads at most `limit` bytes.
    async fn get_text(&self, url: &str, limit: usize, accept: &str) -> Result<Option<String>, RegistryError> {
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                RegistryError::Timeout
            } else {
                RegistryError::Network(e.to_string())
            }
        };
        let mut response = self
            .http
            .get(url)
            .header("accept", accept)
            .send()
            .await
            .map_err(classify)?;
        match response.status().as_u16() {
            404 => return Ok(None),
            200..=299 => {}
            status => return Err(RegistryError::Status(status)),
        }
        if response.content_length().is_some_and(|n| n as usize > limit) {
            return Err(RegistryError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > limit {
                return Err(RegistryError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body)
            .map(Some)
            .map_err(|_| RegistryError::Malformed("not UTF-8".into()))
    }

    /// The package document; `Ok(None)` when the package does not exist.
    pub async fn packument(&self, name: &str) -> Result<Option<Packument>, RegistryError> {
        let url = registry_url(&self.base, &packument_path(name));
        // The full document: its `time` dates versions for the registry signature check.
        match self.get_text(&url, MAX_PACKUMENT_BYTES, "application/json").await? {
            None => Ok(None),
            Some(text) => parse_packument(&text).map(Some).map_err(RegistryError::Malformed),
        }
    }

    /// A version's attestations response; `Ok(None)` when there is none.
    pub async fn attestations(&self, name: &str, version: &str) -> Result<Option<String>, RegistryError> {
        let url = registry_url(&self.base, &attestations_path(name, version));
        self.get_text(&url, MAX_ATTESTATIONS_BYTES, "application/json").await
    }
}
