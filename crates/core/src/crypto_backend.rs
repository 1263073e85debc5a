//! The cryptographic backend the Sigstore crates run on: RustCrypto's `p256`,
//! `p384` and `sha2`, which build for wasm32 (the crates' default backend,
//! aws-lc, needs a C library and does not).
//!
//! Only what Sigstore's public-good instance and npm use is supported: ECDSA
//! over P-256 and P-384 with SHA-256/384. Any other scheme is refused, which
//! fails verification closed.

use std::cell::RefCell;
use std::sync::Once;

use sha2::Digest;
use sigstore_crypto::{CryptoProvider, Error, HashContext, Result, SigningScheme};
use sigstore_types::HashAlgorithm;

/// The RustCrypto provider. Stateless.
#[derive(Debug)]
pub struct RustCryptoProvider;

static PROVIDER: RustCryptoProvider = RustCryptoProvider;
static INSTALL: Once = Once::new();

/// Installs the provider as the Sigstore crates' process-wide default. Safe to
/// call any number of times; every verification entry point calls it.
pub fn install() {
    INSTALL.call_once(|| {
        // Err means another provider was installed first (by an embedding
        // program); it is then the one used, which is its choice to make.
        let _ = sigstore_crypto::install_default_provider(&PROVIDER);
    });
}

struct Hasher<D>(D);

impl<D: Digest + Send + 'static> HashContext for Hasher<D> {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }
    fn finalize(self: Box<Self>) -> Vec<u8> {
        self.0.finalize().to_vec()
    }
}

fn digest(algorithm: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    Ok(match algorithm {
        HashAlgorithm::Sha2256 => sha2::Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha2384 => sha2::Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha2512 => sha2::Sha512::digest(data).to_vec(),
        other => return Err(Error::UnsupportedAlgorithm(format!("hash {other}"))),
    })
}

fn invalid(scheme: SigningScheme) -> Error {
    Error::Verification(format!("{} signature invalid", scheme.name()))
}

thread_local! {
    /// Fingerprints of the (scheme, key, digest, signature) inputs verified
    /// within the current bundle's verification. The core checks a DSSE
    /// signature itself, before sigstore-verify checks it again; identical
    /// inputs give identical results, so the second check is answered from
    /// here. Only successes are kept, each fingerprint covers every input,
    /// and the memory lasts one bundle (see [`VerificationScope`]).
    static VERIFIED_IN_SCOPE: RefCell<Vec<[u8; 32]>> = const { RefCell::new(Vec::new()) };

    /// Fingerprints of checks a faster implementation verified ahead of time
    /// (WebCrypto, in the browser; see `signature_inputs`). Kept across
    /// bundles, bounded.
    static PREVERIFIED: RefCell<std::collections::VecDeque<[u8; 32]>> = const { RefCell::new(std::collections::VecDeque::new()) };

    /// ECDSA verifications computed rather than found remembered.
    static UNCACHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// ECDSA verifications this thread computed (rather than found remembered).
pub fn computed_verifications() -> u64 {
    UNCACHED.with(|n| n.get())
}

/// Most pre-verified checks remembered (a version history's worth of keys and certificates).
const MAX_PREVERIFIED: usize = 512;

/// Records that `check` verified (by another implementation). The Rust
/// verifier then accepts exactly these inputs without recomputing them.
pub fn remember_verified(check: &crate::signature_inputs::SignatureCheck) {
    use crate::signature_inputs::Curve;
    let scheme = match (check.curve, check.hash_is_curve_default) {
        (Curve::P256, true) => SigningScheme::EcdsaP256Sha256,
        (Curve::P256, false) => SigningScheme::EcdsaP256Sha384,
        (Curve::P384, true) => SigningScheme::EcdsaP384Sha384,
        (Curve::P384, false) => SigningScheme::EcdsaP384Sha256,
    };
    let Some(algorithm) = scheme.hash_algorithm() else {
        return;
    };
    let Ok(digest) = digest(algorithm, &check.message) else {
        return;
    };
    let print = fingerprint(scheme, &check.public_key, &digest, &check.signature);
    PREVERIFIED.with(|p| {
        let mut p = p.borrow_mut();
        if !p.contains(&print) {
            if p.len() == MAX_PREVERIFIED {
                p.pop_front();
            }
            p.push_back(print);
        }
    });
}

/// While alive, successful signature checks are remembered (per thread);
/// created at the start of a bundle's verification, forgotten at its end.
pub struct VerificationScope(());

impl VerificationScope {
    pub fn begin() -> Self {
        VERIFIED_IN_SCOPE.with(|v| v.borrow_mut().clear());
        Self(())
    }
}

impl Drop for VerificationScope {
    fn drop(&mut self) {
        VERIFIED_IN_SCOPE.with(|v| v.borrow_mut().clear());
    }
}

fn fingerprint(scheme: SigningScheme, key: &[u8], digest: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for part in [scheme.name().as_bytes(), key, digest, signature] {
        Digest::update(&mut h, (part.len() as u64).to_be_bytes());
        Digest::update(&mut h, part);
    }
    h.finalize().into()
}

/// Verifies a DER-encoded ECDSA signature over a digest.
fn verify_ecdsa_prehashed(scheme: SigningScheme, sec1_key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    let print = fingerprint(scheme, sec1_key, digest, signature);
    if VERIFIED_IN_SCOPE.with(|v| v.borrow().contains(&print)) || PREVERIFIED.with(|p| p.borrow().contains(&print)) {
        return Ok(());
    }
    UNCACHED.with(|n| n.set(n.get() + 1));
    verify_ecdsa_uncached(scheme, sec1_key, digest, signature)?;
    VERIFIED_IN_SCOPE.with(|v| {
        let mut v = v.borrow_mut();
        // A bundle's verification checks a handful of signatures; bound it anyway.
        if v.len() < 32 {
            v.push(print);
        }
    });
    Ok(())
}

fn verify_ecdsa_uncached(scheme: SigningScheme, sec1_key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    use ecdsa_prehash::PrehashVerifier;
    match scheme {
        SigningScheme::EcdsaP256Sha256 | SigningScheme::EcdsaP256Sha384 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1_key)
                .map_err(|_| Error::InvalidKey("invalid P-256 public key".into()))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
            key.verify_prehash(digest, &sig).map_err(|_| invalid(scheme))
        }
        SigningScheme::EcdsaP384Sha256 | SigningScheme::EcdsaP384Sha384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1_key)
                .map_err(|_| Error::InvalidKey("invalid P-384 public key".into()))?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
            key.verify_prehash(digest, &sig).map_err(|_| invalid(scheme))
        }
        other => Err(Error::UnsupportedAlgorithm(format!(
            "{} is not supported by this verifier",
            other.name()
        ))),
    }
}

mod ecdsa_prehash {
    pub use p256::ecdsa::signature::hazmat::PrehashVerifier;
}

impl CryptoProvider for RustCryptoProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        Ok(match algorithm {
            HashAlgorithm::Sha2256 => Box::new(Hasher(sha2::Sha256::new())),
            HashAlgorithm::Sha2384 => Box::new(Hasher(sha2::Sha384::new())),
            HashAlgorithm::Sha2512 => Box::new(Hasher(sha2::Sha512::new())),
            other => return Err(Error::UnsupportedAlgorithm(format!("hash {other}"))),
        })
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        sha2::Sha384::digest(data).into()
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        sha2::Sha512::digest(data).into()
    }

    fn verify_raw(&self, scheme: SigningScheme, spki_pubkey_bytes: &[u8], data: &[u8], signature: &[u8]) -> Result<()> {
        let algorithm = scheme.hash_algorithm().ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!("{} is not supported by this verifier", scheme.name()))
        })?;
        let digest = digest(algorithm, data)?;
        verify_ecdsa_prehashed(scheme, spki_pubkey_bytes, &digest, signature)
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        verify_ecdsa_prehashed(scheme, spki_pubkey_bytes, digest, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;

    #[test]
    fn verifies_p256_and_rejects_a_changed_message() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let sig: p256::ecdsa::Signature = key.sign(b"message");
        let der = sig.to_der();
        let public = key.verifying_key().to_sec1_point(false);
        let scheme = SigningScheme::EcdsaP256Sha256;
        PROVIDER
            .verify_raw(scheme, public.as_bytes(), b"message", der.as_bytes())
            .unwrap();
        assert!(
            PROVIDER
                .verify_raw(scheme, public.as_bytes(), b"messagE", der.as_bytes())
                .is_err()
        );
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::Ed25519, public.as_bytes(), b"message", der.as_bytes())
                .is_err()
        );
    }

    #[test]
    fn a_remembered_success_needs_the_very_same_inputs() {
        let key = p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap();
        let sig: p256::ecdsa::Signature = key.sign(b"remembered");
        let public = key.verifying_key().to_sec1_point(false);
        let scheme = SigningScheme::EcdsaP256Sha256;
        let _scope = VerificationScope::begin();
        for _ in 0..2 {
            PROVIDER
                .verify_raw(scheme, public.as_bytes(), b"remembered", sig.to_der().as_bytes())
                .unwrap();
        }
        // Same signature and key, another message: still checked, still refused.
        assert!(
            PROVIDER
                .verify_raw(scheme, public.as_bytes(), b"rememberex", sig.to_der().as_bytes())
                .is_err()
        );
        let other = p256::ecdsa::SigningKey::from_slice(&[6u8; 32]).unwrap();
        let other_public = other.verifying_key().to_sec1_point(false);
        assert!(
            PROVIDER
                .verify_raw(scheme, other_public.as_bytes(), b"remembered", sig.to_der().as_bytes())
                .is_err()
        );
    }

    #[test]
    fn verifies_p384_prehashed() {
        let key = p384::ecdsa::SigningKey::from_slice(&[9u8; 48]).unwrap();
        let sig: p384::ecdsa::Signature = key.sign(b"tbs");
        let public = key.verifying_key().to_sec1_point(false);
        let digest = sha2::Sha384::digest(b"tbs");
        let scheme = SigningScheme::EcdsaP384Sha384;
        PROVIDER
            .verify_prehashed(scheme, public.as_bytes(), &digest, sig.to_der().as_bytes())
            .unwrap();
        let mut wrong = digest.to_vec();
        wrong[0] ^= 1;
        assert!(
            PROVIDER
                .verify_prehashed(scheme, public.as_bytes(), &wrong, sig.to_der().as_bytes())
                .is_err()
        );
    }
}
