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

    /// The versions to suggest instead of `version` when it does not
    /// verify, nearest first: those listing provenance, not deprecated, of
    /// its release line before the others, and within each the nearest in
    /// the listing, an older one before a newer at the same distance (the
    /// last that was good before something went wrong). At most `limit`;
    /// each must still be verified before it is suggested.
    pub fn alternatives(&self, version: &str, limit: usize) -> Vec<&str> {
        let here = self.versions.iter().position(|v| v.version == version);
        let line = crate::publishing::release_line(version);
        let listed: Vec<(usize, &ListedVersion)> = self
            .versions
            .iter()
            .enumerate()
            .filter(|(_, v)| v.version != version && v.has_attestations && !v.deprecated)
            .collect();
        // Where the version would stand among them (newest first).
        let at = here.map_or(0, |h| listed.iter().filter(|(i, _)| *i < h).count());
        let mut candidates: Vec<(bool, usize, bool, &str)> = listed
            .iter()
            .enumerate()
            .map(|(k, (_, v))| {
                let other_line = crate::publishing::release_line(&v.version) != line;
                let newer = k < at;
                // The k-th newer or older candidate, counted from the version.
                let distance = if newer { at - k } else { k + 1 - at };
                (other_line, distance, newer, v.version.as_str())
            })
            .collect();
        candidates.sort();
        candidates.into_iter().take(limit).map(|(.., v)| v).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(version: &str, has_attestations: bool) -> ListedVersion {
        ListedVersion {
            version: version.into(),
            published_at: None,
            has_attestations,
            deprecated: false,
            level: TrustLevel::Provenance,
            downgrade: None,
        }
    }

    #[test]
    fn alternatives_are_the_nearest_of_the_line_older_first() {
        let overview = PackageOverview {
            name: "p".into(),
            description: None,
            latest: Some("2.0.0".into()),
            versions: vec![
                listed("2.0.0", true),
                listed("1.3.0", true),
                listed("1.2.0", true),
                listed("1.1.0", false),
                listed("1.0.0", true),
            ],
        };
        assert_eq!(overview.alternatives("1.2.0", 4), ["1.0.0", "1.3.0", "2.0.0"]);
        assert_eq!(overview.alternatives("1.3.0", 2), ["1.2.0", "1.0.0"]);
        assert_eq!(overview.alternatives("9.9.9", 1), ["2.0.0"]);
    }
}
