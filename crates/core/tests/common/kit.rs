//! What the test files over the testkit's Sigstore share: one package, the
//! GitHub workflow that builds it, and the kit's trust material. (It is not
//! in the testkit because the testkit does not depend on the core.)

use npm_provenance_core::{
    ArtifactExpectation, DigestAlgorithm, ExpectedIdentity, PreparedAttestations, RegistryKeys, Report, TrustMaterial,
    verify_package_version,
};
use npm_provenance_testkit::{
    self as kit, Faults, Identity, NPM_PUBLISH, SLSA_V1, Shape, Sigstore, attestations_response, integrity_of,
};

use super::documents::attested_version;

pub const NAME: &str = "@acme/widget";
pub const VERSION: &str = "1.2.3";
pub const REPO: &str = "acme/widget";
pub const WORKFLOW: &str = ".github/workflows/release.yml";
pub const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
/// The certificate's subject alternative name for `Case::identity`.
pub const SAN: &str = "https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main";

/// A fresh Sigstore of the testkit's, and the tarball a case verifies.
pub struct Case {
    pub kit: Sigstore,
    /// The tarball's `sha512-` SRI, as `dist.integrity` holds it.
    pub integrity: String,
    /// The same digest in hex, as a statement's subject holds it.
    pub sha512: String,
}

impl Case {
    pub fn new() -> Self {
        let (integrity, sha512) = integrity_of(b"the widget tarball");
        Self {
            kit: Sigstore::new(),
            integrity,
            sha512,
        }
    }

    /// The kit's registry key, as npm's keys document lists it.
    pub fn keys(&self) -> RegistryKeys {
        let mut keys = RegistryKeys::empty();
        keys.add_keys_document(&self.kit.registry_keys_document(None)).unwrap();
        keys
    }

    /// The kit's trusted root and registry key.
    pub fn trust(&self) -> TrustMaterial {
        TrustMaterial::from_trusted_root_json(&self.kit.trusted_root_json(), self.keys()).unwrap()
    }

    /// npm's SLSA provenance statement for `NAME@VERSION`, built by `WORKFLOW`.
    pub fn statement(&self) -> serde_json::Value {
        kit::github_provenance(NAME, VERSION, &self.sha512, REPO, WORKFLOW, COMMIT)
    }

    /// The certificate identity of `WORKFLOW` on `main`.
    pub fn identity(&self) -> Identity {
        Identity::github(REPO, WORKFLOW, COMMIT, "refs/heads/main")
    }

    /// npm's provenance for this package, with `faults`, in `shape`.
    pub fn provenance_with(&self, faults: &Faults, shape: &Shape) -> String {
        let payload = serde_json::to_vec(&self.statement()).unwrap();
        self.kit.keyless_bundle_with(&payload, &self.identity(), faults, shape)
    }

    /// npm's provenance for this package, as it should be.
    pub fn provenance(&self) -> String {
        self.provenance_with(&Faults::default(), &Shape::default())
    }

    /// A keyless bundle over `statement` as it is, by this package's workflow.
    pub fn keyless(&self, statement: &serde_json::Value) -> String {
        self.kit.keyless_bundle(statement, &self.identity(), &Faults::default())
    }

    /// npm's publish statement for `NAME@VERSION`.
    pub fn publish_statement(&self) -> serde_json::Value {
        kit::publish_statement(NAME, VERSION, &self.sha512)
    }

    /// The registry's publish attestation for this package, with `faults`, in `shape`.
    pub fn publish_with(&self, faults: &Faults, shape: &Shape) -> String {
        let payload = serde_json::to_vec(&self.publish_statement()).unwrap();
        self.kit.keyed_bundle_with(&payload, faults, shape)
    }

    /// The registry's publish attestation for this package, as it should be.
    pub fn publish(&self) -> String {
        self.publish_with(&Faults::default(), &Shape::default())
    }

    /// The sha512 of the tarball, as `verify --bundle --digest` gives it.
    pub fn digest(&self) -> ArtifactExpectation {
        ArtifactExpectation::Digest {
            algorithm: DigestAlgorithm::Sha512,
            bytes: hex::decode(&self.sha512).unwrap(),
            source: "the given digest".into(),
        }
    }

    /// `NAME@VERSION` with this attestations response and `integrity`,
    /// against `trust`, expecting `expected`.
    pub fn verify_documents(
        &self,
        response: &str,
        integrity: Option<&str>,
        trust: &TrustMaterial,
        expected: &ExpectedIdentity,
    ) -> Report {
        let prepared = PreparedAttestations::parse(response);
        verify_package_version(&attested_version(NAME, VERSION, integrity, &prepared), trust, expected)
    }

    /// The package version with this attestations response and the
    /// tarball's integrity, against the kit's trust, expecting `expected`.
    pub fn verify_expecting(&self, response: &str, expected: &ExpectedIdentity) -> Report {
        self.verify_documents(response, Some(&self.integrity), &self.trust(), expected)
    }

    /// The package version with this attestations response and the
    /// tarball's integrity, against the kit's trust, expecting nothing.
    pub fn verify_response(&self, response: &str) -> Report {
        self.verify_expecting(response, &ExpectedIdentity::default())
    }

    /// The package version with this provenance and publish attestation, as
    /// the registry labels them.
    pub fn verify(&self, provenance: &str, publish: &str) -> Report {
        self.verify_response(&attestations_response(&[(SLSA_V1, provenance), (NPM_PUBLISH, publish)]))
    }
}
