//! The package-version documents the test files verify: a version with its
//! attestations, or with the registry's signatures alone. Tests that need
//! another field set it over one of these (`..documents`).

use npm_provenance_core::{PackageVersionDocuments, PreparedAttestations, RegistrySignature};
use npm_provenance_fixtures::KnownVersion;

/// `name@version` with its attestations response and, if the registry
/// states one, its `dist.integrity`.
pub fn attested_version<'a>(
    name: &'a str,
    version: &'a str,
    integrity: Option<&'a str>,
    attestations: &'a PreparedAttestations,
) -> PackageVersionDocuments<'a> {
    PackageVersionDocuments {
        name,
        version,
        integrity,
        attestations: Some(attestations),
        ..Default::default()
    }
}

/// `name@version` with the registry's `dist.signatures` and no attestations.
pub fn signed_version<'a>(
    name: &'a str,
    version: &'a str,
    integrity: Option<&'a str>,
    signatures: &'a [RegistrySignature],
) -> PackageVersionDocuments<'a> {
    PackageVersionDocuments {
        name,
        version,
        integrity,
        registry_signatures: signatures,
        ..Default::default()
    }
}

/// The `dist.signatures` of a fixture's version document (`excerpt`, in `dir`).
pub fn dist_signatures(dir: &std::path::Path, excerpt: &str) -> Vec<RegistrySignature> {
    let doc: serde_json::Value = serde_json::from_str(&npm_provenance_fixtures::read(dir, excerpt)).unwrap();
    serde_json::from_value(doc["dist"]["signatures"].clone()).unwrap()
}

/// A fixture's known version with its attestations response, as the
/// registry serves it (its name, version and `dist.integrity`).
pub fn attested_fixture<'a>(
    known: &'a KnownVersion,
    attestations: &'a PreparedAttestations,
) -> PackageVersionDocuments<'a> {
    attested_version(known.name, known.version, Some(known.integrity), attestations)
}

/// When a version was published, as near as its fixtures say: the earliest
/// time the log integrated one of its attestations (npm logs them as it
/// publishes), as the test registry's package documents state it.
pub fn published_at(dir: &std::path::Path, k: &KnownVersion) -> Option<i64> {
    let text: String = k
        .attestations
        .iter()
        .chain(k.bundles.iter())
        .map(|f| npm_provenance_fixtures::read(dir, f))
        .collect();
    text.split("\"integratedTime\":")
        .skip(1)
        .filter_map(|rest| {
            rest.trim_start()
                .trim_start_matches('"')
                .split('"')
                .next()?
                .parse()
                .ok()
        })
        .min()
}
