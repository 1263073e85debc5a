//! What the test files over the testkit's Sigstore share: one package, the
//! GitHub workflow that builds it, and the kit's trust material. (It is not
//! in the testkit because the testkit does not depend on the core.)

use npm_provenance_core::{RegistryKeys, TrustMaterial};
use npm_provenance_testkit::{self as kit, Identity, Sigstore, integrity_of};

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
}
