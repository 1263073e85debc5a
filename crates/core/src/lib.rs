//! # npm-provenance-core
//!
//! Verifies where an npm package came from, the way `npm audit signatures` and
//! sigstore-js do, and says exactly why in a [`Report`].
//!
//! Given what a registry serves for a package version (the attestations
//! response, `dist.integrity`, `dist.signatures`), [`verify_package_version`]
//! checks:
//!
//! - the **provenance attestation** (SLSA v0.2 or v1, keyless): the DSSE
//!   signature over the PAE, the Fulcio certificate chain to the Sigstore
//!   trusted root at the log's integrated time, the SCT, the Rekor entry (signed
//!   entry timestamp and/or inclusion proof with a signed checkpoint, body
//!   matching the envelope); then that the signed statement names this package
//!   (`pkg:npm/...`) with the sha512 of `dist.integrity`, and that the
//!   certificate's Fulcio claims agree with the predicate;
//! - the **publish attestation**: signed by the npm registry key whose id the
//!   signature and the key hint both name, valid at the integrated time;
//! - the **registry signatures** in `dist.signatures`.
//!
//! The Sigstore steps are `sigstore-verify`'s, run on a RustCrypto backend
//! ([`crypto_backend`]) so that the same code runs natively and in wasm32.
//! What that crate leaves to the caller, npm's policy, is here: per bundle
//! in [`bundle`] (one orchestrating function, in the order of the rules),
//! per package version in [`package_version`], the verdict in [`verdict`].
//!
//! It does not fetch anything, read the clock or print: documents, trust
//! material and expectations are arguments, the report is data. It does not
//! check the tarball itself (the registry's integrity stands for it) nor
//! revocation of anything (Sigstore has none).

// No input may panic a verifier: indexing, unwrap, expect and panic are
// refused outside tests (clippy.toml allows them in tests), and `make test`
// runs clippy with -D warnings. The two allowed `expect`s read constants
// embedded at build time. String slices are at positions of ASCII
// characters found in the same string; arithmetic is on lengths and dates
// bounded before it (a timestamp's days fit an i64 many times over).
#![warn(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod audit;
pub mod bundle;
pub mod checks;
pub mod crypto_backend;
pub mod gate;
pub mod identity;
pub mod links;
pub mod lockfile;
pub mod lookup;
pub mod overview;
pub mod package;
pub mod package_version;
pub mod percent;
pub mod predicate;
pub mod publishing;
pub mod registry_documents;
pub mod registry_keys;
pub mod registry_signatures;
pub mod report;
#[cfg(feature = "preverify")]
pub mod signature_inputs;
pub mod site;
pub mod summary;
pub mod text;
pub mod time;
pub mod trust;
pub mod tuf;
pub mod verdict;

pub use bundle::{ArtifactExpectation, DigestAlgorithm};
pub use checks::{Check, CheckId, CheckStatus};
pub use identity::ExpectedIdentity;
pub use package_version::{
    PackageVersionDocuments, PreparedAttestations, PreparedInput, ResolveError, inspect, inspect_prepared,
    resolve_version, verify_package_version, verify_single_bundle,
};
pub use publishing::{Downgrade, PublishSignals, TrustLevel};
pub use registry_documents::{
    Packument, RegistrySignature, VersionDist, VersionSummary, parse_attestations, parse_packument,
};
pub use registry_keys::RegistryKeys;
pub use report::{
    AttestationKind, AttestationReport, BuildPlatform, Identity, Link, ProvenanceSummary, Report, Verdict,
};
pub use trust::{TrustConfig, TrustMaterial, TufConfig};
