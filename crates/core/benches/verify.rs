//! Native verification speed, on real npm bundles from the fixtures (tests/fixtures):
//! one provenance bundle, one publish attestation, and a whole package
//! version (both, plus the npm policy). `scripts/bench.sh` runs this and
//! reads the medians criterion writes under target/criterion.

use criterion::{Criterion, criterion_group, criterion_main};
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, TrustMaterial, inspect, verify_package_version,
};

fn benches(c: &mut Criterion) {
    let dir = npm_provenance_fixtures::dir();
    let k = npm_provenance_fixtures::known("sigstore", "2.3.1").unwrap();
    let response = npm_provenance_fixtures::read(&dir, k.attestations.unwrap());
    let doc: serde_json::Value = serde_json::from_str(&response).unwrap();
    // sigstore@2.3.1's response lists the publish attestation first.
    let publish = doc["attestations"][0]["bundle"].to_string();
    let provenance = doc["attestations"][1]["bundle"].to_string();
    let trust = TrustMaterial::public_good();
    let expected = ExpectedIdentity::default();
    let package = Some((k.name, k.version));
    c.bench_function("provenance_bundle", |b| {
        b.iter(|| {
            assert!(
                inspect(&provenance, package, Some(k.integrity), &trust, &expected).verdict
                    == npm_provenance_core::Verdict::Verified
            )
        })
    });
    c.bench_function("publish_bundle", |b| {
        b.iter(|| {
            assert!(
                inspect(&publish, package, Some(k.integrity), &trust, &expected).verdict
                    == npm_provenance_core::Verdict::Verified
            )
        })
    });
    c.bench_function("package_version", |b| {
        b.iter(|| {
            // Reading the response is part of the job.
            let prepared = PreparedAttestations::parse(&response);
            let docs = PackageVersionDocuments {
                name: k.name,
                version: k.version,
                integrity: Some(k.integrity),
                attestations: Some(&prepared),
                ..Default::default()
            };
            assert!(verify_package_version(&docs, &trust, &expected).verdict == npm_provenance_core::Verdict::Verified)
        })
    });
    c.bench_function("bundle_parse_only", |b| {
        b.iter(|| sigstore_types::Bundle::from_json(&provenance).unwrap())
    });
    c.bench_function("trust_setup", |b| {
        b.iter(|| {
            TrustMaterial::from_trusted_root_json(
                sigstore_trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT,
                Default::default(),
            )
            .unwrap()
        })
    });
}

criterion_group!(verify, benches);
criterion_main!(verify);
