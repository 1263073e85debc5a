//! Messages between the page and the verification worker, and the one
//! function that answers them (run in the worker; also callable directly).

use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, RegistryKeys, RegistrySignature, Report, TrustMaterial,
};
use serde::{Deserialize, Serialize};

/// What to verify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VerifyRequest {
    /// A package version as the registry serves it.
    PackageVersion {
        name: String,
        version: String,
        integrity: Option<String>,
        /// The attestations response; `None` when the registry has none.
        attestations: Option<String>,
        signatures: Vec<RegistrySignature>,
        published_at: Option<i64>,
        expected: ExpectedIdentity,
    },
    /// Something pasted into the inspector.
    Inspect {
        json: String,
        package: Option<(String, String)>,
        integrity: Option<String>,
        expected: ExpectedIdentity,
    },
    /// Prepares the trust material, so the first real request is not slower.
    WarmUp,
    /// Verify with this trust instead of Sigstore's public-good root and
    /// npm's keys (a server configured for a private instance says so).
    Configure(TrustConfig),
}

/// A private trust configuration: a trusted root, and registry keys to add
/// to npm's (a `/-/npm/v1/keys` document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustConfig {
    #[serde(rename = "trustedRoot")]
    pub trusted_root: Option<serde_json::Value>,
    pub keys: Option<serde_json::Value>,
}

impl TrustConfig {
    /// The trust material this configuration describes.
    pub fn material(&self) -> Result<TrustMaterial, String> {
        let keys = RegistryKeys::npm_and(self.keys.as_ref().map(|d| d.to_string()).as_deref())?;
        TrustMaterial::from_optional_root(self.trusted_root.as_ref().map(|r| r.to_string()).as_deref(), keys)
    }
}

/// What a worker posts once it listens for requests.
pub const READY: &str = "ready";

#[derive(Debug, Serialize, Deserialize)]
pub struct RequestEnvelope {
    pub id: u32,
    pub request: VerifyRequest,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ResponseEnvelope {
    pub id: u32,
    pub report: Option<Report>,
}

/// Verifies a request with `trust`. Pure computation: no I/O.
pub fn answer(request: VerifyRequest, trust: &TrustMaterial) -> Option<Report> {
    match request {
        VerifyRequest::PackageVersion {
            name,
            version,
            integrity,
            attestations,
            signatures,
            published_at,
            expected,
        } => {
            let docs = PackageVersionDocuments {
                name: &name,
                version: &version,
                integrity: integrity.as_deref(),
                attestations: attestations.as_deref(),
                registry_signatures: &signatures,
                published_at,
            };
            Some(npm_provenance_core::verify_package_version(&docs, trust, &expected))
        }
        VerifyRequest::Inspect {
            json,
            package,
            integrity,
            expected,
        } => Some(npm_provenance_core::inspect(
            &json,
            package.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
            integrity.as_deref(),
            trust,
            &expected,
        )),
        VerifyRequest::WarmUp | VerifyRequest::Configure(_) => None,
    }
}
