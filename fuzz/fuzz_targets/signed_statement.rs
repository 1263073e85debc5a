//! The statement inside a validly signed bundle: the fuzzer writes the DSSE
//! payload, the testkit's own Sigstore signs it (certificate, log entry,
//! everything valid), and the core verifies it as the provenance of a
//! package. Signatures cannot stop anything here, so this reaches the
//! statement reader, the subject and predicate checks and the summary that
//! a hostile signer controls (issue 11: a signed `1e400` once panicked).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, RegistryKeys, TrustMaterial, Verdict,
    verify_package_version,
};
use npm_provenance_fuzz::{MAX_INPUT, check_report};
use npm_provenance_testkit::{
    Faults, Identity, NPM_PUBLISH, SLSA_V1, SLSA_V02, Shape, Sigstore, attestations_response, integrity_of,
    publish_statement,
};
use serde_json::Value;

const NAME: &str = "@acme/widget";
const VERSION: &str = "1.2.3";

struct Setup {
    kit: Sigstore,
    trust: TrustMaterial,
    integrity: String,
    sha512: String,
    publish: String,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let kit = Sigstore::new();
        let mut keys = RegistryKeys::empty();
        keys.add_keys_document(&kit.registry_keys_document(None))
            .expect("the testkit's keys");
        let trust = TrustMaterial::from_trusted_root_json(&kit.trusted_root_json(), keys).expect("the testkit's root");
        let (integrity, sha512) = integrity_of(b"the widget tarball");
        let publish = kit.keyed_bundle(&publish_statement(NAME, VERSION, &sha512), &Faults::default());
        Setup {
            kit,
            trust,
            integrity,
            sha512,
            publish,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let payload = &data[..data.len().min(MAX_INPUT)];
    let s = setup();
    let identity = Identity::github(
        "acme/widget",
        ".github/workflows/release.yml",
        "0123456789abcdef0123456789abcdef01234567",
        "refs/heads/main",
    );
    let provenance = s
        .kit
        .keyless_bundle_with(payload, &identity, &Faults::default(), &Shape::default());
    let response = attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &s.publish)]);
    let prepared = PreparedAttestations::parse(&response);
    let docs = PackageVersionDocuments {
        name: NAME,
        version: VERSION,
        integrity: Some(&s.integrity),
        attestations: Some(&prepared),
        ..Default::default()
    };
    let report = verify_package_version(&docs, &s.trust, &ExpectedIdentity::default());
    check_report(&report);
    if report.verdict == Verdict::Verified {
        // Verified only if a plain JSON reader sees the same statement: an
        // in-toto v1 statement about this package whose sha512 is the
        // registry's, with SLSA provenance as its predicate.
        let statement: Value = serde_json::from_slice(payload).expect("verified payload is JSON");
        let subjects = statement["subject"]
            .as_array()
            .expect("verified statement has subjects");
        assert!(
            subjects
                .iter()
                .any(|subject| subject["name"] == "pkg:npm/%40acme/widget@1.2.3"
                    && subject["digest"]["sha512"] == s.sha512.as_str()),
            "verified a statement about something else: {statement}"
        );
        assert!(
            statement["predicateType"] == SLSA_V1 || statement["predicateType"] == SLSA_V02,
            "verified a statement that is not SLSA provenance: {statement}"
        );
    }
});
