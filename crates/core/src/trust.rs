//! Trust material: the Sigstore trusted root (Fulcio CAs, Rekor and CT log
//! keys) and the npm registry keys.
//!
//! The public-good root is the one embedded in `sigstore-trust-root`; it is
//! parsed and prepared once per process, since that is the costly part of
//! setting up a verifier.

use std::sync::{Arc, OnceLock};

use sigstore_trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};
use sigstore_verify::Verifier;

use crate::registry_keys::RegistryKeys;

/// What verification trusts.
#[derive(Clone)]
pub struct TrustMaterial {
    verifier: Arc<Verifier>,
    root: Arc<TrustedRoot>,
    registry_keys: RegistryKeys,
    /// Whether the trusted root is Sigstore's public-good instance, whose
    /// log entries search.sigstore.dev can show.
    public_good: bool,
    /// Self-managed GitLab instances' issuers the caller named: only these
    /// bare-origin issuers stand for GitLab CI (see `identity`).
    gitlab_issuers: Vec<String>,
}

impl std::fmt::Debug for TrustMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustMaterial")
            .field("public_good", &self.public_good)
            .field("registry_keys", &self.registry_keys.keys().len())
            .finish()
    }
}

#[allow(
    clippy::expect_used,
    reason = "the trusted root embedded at build time by a dependency, not input; every test run builds it"
)]
fn public_good_verifier() -> (Arc<Verifier>, Arc<TrustedRoot>) {
    static VERIFIER: OnceLock<(Arc<Verifier>, Arc<TrustedRoot>)> = OnceLock::new();
    VERIFIER
        .get_or_init(|| {
            crate::crypto_backend::install();
            let root = TrustedRoot::from_json(SIGSTORE_PRODUCTION_TRUSTED_ROOT)
                .expect("the embedded public-good trusted root parses");
            let verifier = Verifier::new(&root).expect("the embedded public-good trusted root is usable");
            (Arc::new(verifier), Arc::new(root))
        })
        .clone()
}

impl TrustMaterial {
    /// Sigstore's public-good instance and npm's pinned registry keys.
    pub fn public_good() -> Self {
        let (verifier, root) = public_good_verifier();
        Self {
            verifier,
            root,
            registry_keys: RegistryKeys::npm(),
            public_good: true,
            gitlab_issuers: Vec::new(),
        }
    }

    /// A caller-supplied trusted root (JSON, `application/vnd.dev.sigstore.trustedroot+json`).
    pub fn from_trusted_root_json(json: &str, registry_keys: RegistryKeys) -> Result<Self, String> {
        crate::crypto_backend::install();
        let json = with_open_authority_starts(json);
        let root = TrustedRoot::from_json(&json).map_err(|e| format!("the trusted root does not parse: {e}"))?;
        let verifier = Verifier::new(&root).map_err(|e| format!("the trusted root cannot be used: {e}"))?;
        Ok(Self {
            verifier: Arc::new(verifier),
            root: Arc::new(root),
            registry_keys,
            public_good: false,
            gitlab_issuers: Vec::new(),
        })
    }

    /// A caller-supplied trusted root if there is one, Sigstore's public-good
    /// root otherwise, with `registry_keys`.
    pub fn from_optional_root(trusted_root_json: Option<&str>, registry_keys: RegistryKeys) -> Result<Self, String> {
        match trusted_root_json {
            Some(json) => Self::from_trusted_root_json(json, registry_keys),
            None => Ok(Self::public_good().with_registry_keys(registry_keys)),
        }
    }

    /// What a TUF refresh gave: its trusted root and npm's keys from it (npm's
    /// pinned keys when the repository has no keys target). `public_good`:
    /// the repository is Sigstore's, whose log search.sigstore.dev shows.
    pub fn from_tuf(targets: &crate::tuf::TufTargets, public_good: bool) -> Result<Self, String> {
        let keys = match targets.npm_keys.as_deref() {
            Some(k) => RegistryKeys::from_tuf_target(k)?,
            None => RegistryKeys::npm(),
        };
        let mut material = Self::from_trusted_root_json(&targets.trusted_root, keys)?;
        material.public_good = public_good;
        Ok(material)
    }

    /// The same trusted root with other registry keys.
    pub fn with_registry_keys(mut self, keys: RegistryKeys) -> Self {
        self.registry_keys = keys;
        self
    }

    /// The trusted root itself (its logs, CT logs and certificate authorities).
    pub fn trusted_root(&self) -> &TrustedRoot {
        &self.root
    }

    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    pub fn registry_keys(&self) -> &RegistryKeys {
        &self.registry_keys
    }

    /// The same material, with these self-managed GitLab issuers named.
    pub fn with_gitlab_issuers(mut self, issuers: Vec<String>) -> Self {
        self.gitlab_issuers = issuers;
        self
    }

    pub fn gitlab_issuers(&self) -> &[String] {
        &self.gitlab_issuers
    }

    pub fn is_public_good(&self) -> bool {
        self.public_good
    }
}

/// A trusted root in which a certificate or timestamp authority's `validFor`
/// with no `start` begins at the epoch: protobuf JSON leaves out a field it
/// does not set, and sigstore-go, -js and -python read a missing start as
/// unbounded (sigstore-js's own test roots have such authorities), where
/// `sigstore-trust-root` requires one. With neither bound the authority has
/// no window at all, as without `validFor`. A log key's window still needs
/// its start: Sigstore's conformance suite requires a trusted root whose
/// transparency log key has none to be refused, and sigstore-go refuses it.
/// JSON that does not read is left for the parser to refuse.
fn with_open_authority_starts(json: &str) -> std::borrow::Cow<'_, str> {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.into();
    };
    let mut changed = false;
    for list in ["certificateAuthorities", "timestampAuthorities"] {
        let Some(authorities) = doc.get_mut(list).and_then(serde_json::Value::as_array_mut) else {
            continue;
        };
        for authority in authorities.iter_mut().filter_map(serde_json::Value::as_object_mut) {
            let Some(window) = authority.get_mut("validFor").and_then(serde_json::Value::as_object_mut) else {
                continue;
            };
            if window.get("start").is_some_and(|s| !s.is_null()) {
                continue;
            }
            changed = true;
            if window.get("end").is_some_and(|e| !e.is_null()) {
                window.insert("start".into(), "1970-01-01T00:00:00Z".into());
            } else {
                authority.remove("validFor");
            }
        }
    }
    if changed { doc.to_string().into() } else { json.into() }
}

/// A private trust configuration in the form the server announces it to the
/// app it hosts (see [`crate::site`]): a trusted root, and a keys document
/// (`/-/npm/v1/keys` shape) whose keys are added to npm's.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrustConfig {
    #[serde(rename = "trustedRoot")]
    pub trusted_root: Option<serde_json::Value>,
    pub keys: Option<serde_json::Value>,
    /// Take the trusted root and npm's keys from this TUF repository (the
    /// app refreshes it in its worker); `trustedRoot` and `tufKeys` are
    /// then what the refresh verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuf: Option<TufConfig>,
    /// npm's keys as the TUF target `registry.npmjs.org/keys.json` has them.
    #[serde(rename = "tufKeys", default, skip_serializing_if = "Option::is_none")]
    pub tuf_keys: Option<serde_json::Value>,
    /// Sigstore's public-good instance (its log entries have ledger links).
    #[serde(rename = "publicGood", default)]
    pub public_good: bool,
    /// Where the material came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::tuf::TrustSource>,
    /// Self-managed GitLab instances' issuers, named by the server's operator.
    #[serde(rename = "gitlabIssuers", default, skip_serializing_if = "Vec::is_empty")]
    pub gitlab_issuers: Vec<String>,
}

/// A TUF repository the app refreshes its trust from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TufConfig {
    pub url: String,
    /// The root to start from (`None`: Sigstore's, built in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<serde_json::Value>,
}

impl TrustConfig {
    /// The configuration of a trusted root and a keys document given as
    /// JSON text; `None` when neither is given (the public-good defaults).
    pub fn from_documents(trusted_root: Option<&str>, keys: Option<&str>) -> Result<Option<Self>, String> {
        let parse = |json: Option<&str>, what: &str| {
            json.map(|j| serde_json::from_str(j).map_err(|e| format!("the {what} is not JSON: {e}")))
                .transpose()
        };
        let config = Self {
            trusted_root: parse(trusted_root, "trusted root")?,
            keys: parse(keys, "keys document")?,
            ..Default::default()
        };
        Ok((config.trusted_root.is_some() || config.keys.is_some()).then_some(config))
    }

    /// The trust material this configuration describes.
    pub fn material(&self) -> Result<TrustMaterial, String> {
        let mut keys = match &self.tuf_keys {
            Some(target) => RegistryKeys::from_tuf_target(&target.to_string())?,
            None => RegistryKeys::npm(),
        };
        if let Some(doc) = &self.keys {
            keys.add_keys_document(&doc.to_string())?;
        }
        let mut material =
            TrustMaterial::from_optional_root(self.trusted_root.as_ref().map(|r| r.to_string()).as_deref(), keys)?;
        if self.trusted_root.is_some() && self.public_good {
            material.public_good = true;
        }
        Ok(material.with_gitlab_issuers(self.gitlab_issuers.clone()))
    }
}
