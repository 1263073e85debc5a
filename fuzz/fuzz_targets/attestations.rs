//! An attestations response for a package version, verified as the package
//! page and the badge server do. Input: `name@version\nintegrity\n<body>`
//! (the seeds carry real packages' specs); anything else is all body, for a
//! fixed package.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::package::split_spec;
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, TrustMaterial, verify_package_version,
};
use npm_provenance_fuzz::{check_report, text};

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let mut lines = input.splitn(3, '\n');
    let (spec, integrity, body) = match (lines.next(), lines.next(), lines.next()) {
        (Some(spec), Some(integrity), Some(body)) if split_spec(spec).is_some() => (spec, Some(integrity), body),
        _ => ("sigstore@2.3.1", None, input),
    };
    let (name, version) = split_spec(spec).unwrap_or(("sigstore", "2.3.1"));
    let prepared = PreparedAttestations::parse(body);
    let docs = PackageVersionDocuments {
        name,
        version,
        integrity,
        attestations: Some(&prepared),
        ..Default::default()
    };
    let trust = TrustMaterial::public_good();
    check_report(&verify_package_version(&docs, &trust, &ExpectedIdentity::default()));
});
