//! What a package page shows of the registry's package document, computed
//! where the document was read (the app's worker): its name, description and
//! latest version, and every version as the registry lists it, with the level
//! its documents claim and the downgrade that listing shows. A package
//! document is anyone's and can list tens of thousands of versions; the page
//! receives this summary, never the document.

use serde::{Deserialize, Serialize};

use crate::publishing::{listed_downgrades, published_version};
use crate::registry_documents::Packument;
use crate::report::TrustLevel;

/// A package, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOverview {
    pub name: String,
    pub description: Option<String>,
    /// The version the `latest` tag names (or the newest).
    pub latest: Option<String>,
    /// Every version, newest first.
    pub versions: Vec<ListedVersion>,
}

/// One version as the registry lists it: its word, not verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedVersion {
    pub version: String,
    /// Seconds since the epoch, from the package document's `time`.
    pub published_at: Option<i64>,
    /// Whether its document lists attestations.
    pub has_attestations: bool,
    pub deprecated: bool,
    /// The level its documents claim.
    pub level: TrustLevel,
    /// The downgrade that claim shows against earlier versions of its line.
    pub downgrade: Option<String>,
}

impl PackageOverview {
    pub fn of(packument: &Packument) -> Self {
        let mut downgrades: std::collections::HashMap<String, String> = listed_downgrades(&packument.history)
            .into_iter()
            .map(|(v, d)| (v, d.sentence))
            .collect();
        Self {
            name: packument.name.clone(),
            description: packument.description.clone(),
            latest: packument.latest().map(str::to_string),
            versions: packument
                .history
                .iter()
                .map(|v| ListedVersion {
                    version: v.version.clone(),
                    published_at: v.published_at,
                    has_attestations: v.has_attestations,
                    deprecated: v.deprecated,
                    level: published_version(v).level,
                    downgrade: downgrades.remove(&v.version),
                })
                .collect(),
        }
    }

    pub fn published_at(&self, version: &str) -> Option<i64> {
        self.versions.iter().find(|v| v.version == version)?.published_at
    }
}
