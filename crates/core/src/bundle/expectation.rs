//! What a bundle is verified against: the artifact its subject must match,
//! how it is judged (npm attestation or plain Sigstore bundle), and the
//! trust material and identity the caller expects. The steps of
//! [`super::verify_bundle`] all read these; none of them writes them.

use crate::identity::ExpectedIdentity;
use crate::package::Integrity;
use crate::report::PackageRef;
use crate::trust::TrustMaterial;

/// What the statement's subject (or a message signature) must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactExpectation {
    /// Nothing to compare with: the subject check is skipped (required, so
    /// the verdict is at best "incomplete").
    Unknown,
    /// The registry's `dist.integrity`: every sha512 it lists.
    Integrity(Integrity),
    /// A digest given by the caller.
    Digest {
        algorithm: DigestAlgorithm,
        bytes: Vec<u8>,
        source: String,
    },
    /// The artifact's bytes.
    Blob(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha256,
    Sha512,
}

impl DigestAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }
}

/// How a bundle is judged.
#[derive(Debug, Clone)]
pub enum Role {
    /// An npm attestation: provenance (keyless) or publish (registry key),
    /// decided by the signed predicate type.
    Npm,
    /// A plain Sigstore bundle, keyless or verified with this key (if `None`,
    /// a keyed bundle's hint is looked up among the registry keys).
    Generic { key: Option<Vec<u8>> },
    /// npm's rules when the signed statement is an npm attestation, generic
    /// otherwise (the inspector).
    Auto,
}

/// Everything a bundle is verified against.
pub struct Context<'a> {
    pub trust: &'a TrustMaterial,
    pub package: Option<&'a PackageRef>,
    pub artifact: &'a ArtifactExpectation,
    pub expected: &'a ExpectedIdentity,
}
