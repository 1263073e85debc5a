//! One package version from the registry to a report, for `serve` and
//! `audit` alike: the version's own document (never the whole package
//! document), which must be the asked package's and version's; its
//! attestations when it lists them; then the core's one package-version
//! path, off the I/O threads.

use npm_provenance_core::package::validate_version;
use npm_provenance_core::package_version::check_version_document;
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, Report, ResolveError, TrustMaterial, VersionDist,
};

use std::sync::Arc;

use crate::history::Histories;
use crate::registry::{RegistryClient, RegistryError};

/// Why there is no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The registry has no such package, or no such version of it.
    NotFound {
        name: String,
        version: Option<String>,
    },
    /// The registry served a document that is not the asked package's or version's.
    Resolve(ResolveError),
    Registry(RegistryError),
}

impl LookupError {
    pub fn message(&self) -> String {
        use npm_provenance_core::text::visible;
        match self {
            LookupError::NotFound { name, version: None } => {
                format!("no package named {} on the registry", visible(name))
            }
            LookupError::NotFound { name, version: Some(v) } => {
                format!("{} has no version {} on the registry", visible(name), visible(v))
            }
            LookupError::Resolve(e) => e.message(),
            LookupError::Registry(e) => e.to_string(),
        }
    }
}

/// The document of `version` (or of the version a tag such as `latest`
/// names, when `version` is `None`): the version it is, and its `dist`. It
/// must be the asked package's and, when pinned, the asked version's: the
/// registry does not choose what is verified.
pub async fn version_document(
    client: &RegistryClient,
    name: &str,
    version: Option<&str>,
) -> Result<(String, VersionDist), LookupError> {
    let asked = version.unwrap_or("latest");
    let (_, stated, dist) = client
        .version_document(name, asked)
        .await
        .map_err(LookupError::Registry)?
        .ok_or_else(|| LookupError::NotFound {
            name: name.to_string(),
            version: version.map(str::to_string),
        })?;
    let version = match version {
        Some(v) => v.to_string(),
        None => {
            validate_version(&stated)
                .map_err(|e| LookupError::Registry(RegistryError::Malformed(format!("the latest version: {e}"))))?;
            stated
        }
    };
    check_version_document(Some(&dist), name, &version).map_err(LookupError::Resolve)?;
    Ok((version, dist))
}

/// Verifies a version whose document is `dist`: fetches its attestations
/// when the document lists them (`dist.attestations`; a registry that hides
/// them gets "no provenance", never "verified"), and runs the core with the
/// integrity a lockfile recorded, if any. With `histories`, the package's
/// version history is fetched alongside, for the downgrade rules.
pub async fn verify_version(
    client: &RegistryClient,
    trust: &TrustMaterial,
    name: &str,
    version: &str,
    dist: VersionDist,
    lockfile_integrity: Option<String>,
    histories: Option<&Arc<Histories>>,
) -> Result<Report, LookupError> {
    let attestations = async {
        if dist.attestations_url.is_some() {
            client.attestations(name, version).await.map_err(LookupError::Registry)
        } else {
            Ok(None)
        }
    };
    let history = async {
        match histories {
            Some(h) => h.get(name).await,
            None => None,
        }
    };
    let (attestations, history) = futures::join!(attestations, history);
    let attestations = attestations?;
    let (name, version, trust) = (name.to_string(), version.to_string(), trust.clone());
    // Verification is CPU work (milliseconds): keep it off the I/O threads.
    tokio::task::spawn_blocking(move || {
        let prepared = attestations.as_ref().map(|doc| PreparedAttestations::parse(&doc.text));
        drop(attestations);
        let mut docs = PackageVersionDocuments::from_registry(&name, &version, &dist, None, prepared.as_ref());
        docs.lockfile_integrity = lockfile_integrity.as_deref();
        docs.history = history.as_deref().map(Vec::as_slice);
        npm_provenance_core::verify_package_version(&docs, &trust, &ExpectedIdentity::default())
    })
    .await
    .map_err(|e| LookupError::Registry(RegistryError::Malformed(format!("verification stopped: {e}"))))
}
