//! Messages between the page and the verification worker, and the one
//! function that answers them (run in the worker; also callable directly).

use npm_provenance_core::{ExpectedIdentity, PackageVersionDocuments, RegistrySignature, Report, TrustMaterial};
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

/// Verifies a request. Pure computation: no I/O.
pub fn answer(request: VerifyRequest) -> Option<Report> {
    let trust = TrustMaterial::public_good();
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
            Some(npm_provenance_core::verify_package_version(&docs, &trust, &expected))
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
            &trust,
            &expected,
        )),
        VerifyRequest::WarmUp => None,
    }
}
