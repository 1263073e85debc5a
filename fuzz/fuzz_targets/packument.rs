//! A packument, as the package page and the badge server read it: the
//! history, `latest`, and each version's integrity and registry signatures
//! verified against npm's keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::registry_documents::parse_packument;
use npm_provenance_core::{ExpectedIdentity, PackageVersionDocuments, TrustMaterial, verify_package_version};
use npm_provenance_fuzz::{check_report, text};

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let Ok(packument) = parse_packument(input) else { return };
    if let Some(latest) = packument.latest() {
        assert!(packument.versions.contains_key(latest));
    }
    assert_eq!(packument.history.len(), packument.versions.len());
    let trust = TrustMaterial::public_good();
    for (version, dist) in packument.versions.iter().take(8) {
        let docs = PackageVersionDocuments {
            name: &packument.name,
            version,
            integrity: dist.integrity.as_deref(),
            attestations: None,
            registry_signatures: &dist.signatures,
            published_at: packument.published_at(version),
            ..Default::default()
        };
        check_report(&verify_package_version(&docs, &trust, &ExpectedIdentity::default()));
    }
});
