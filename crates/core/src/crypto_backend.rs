//! The cryptographic backend the Sigstore crates run on: RustCrypto's `p256`,
//! `p384`, `ed25519-dalek` and `sha2`, which build for wasm32 (the crates'
//! default backend, aws-lc, needs a C library and does not).
//!
//! Supported: what Sigstore's public-good instance, its Rekor v2 logs and
//! npm use: ECDSA over P-256 and P-384 (with SHA-256 or SHA-384) and Ed25519
//! (Rekor v2 checkpoints, managed keys); and RSA (PKCS#1 v1.5 and PSS with
//! SHA-2), which private instances' CAs use. Any other scheme is refused,
//! which fails verification closed.
//!
//! This module is a leaf: it depends on nothing else of the core. The types
//! of a signature check ([`Curve`], [`SignatureCheck`]) live here, so that a
//! faster implementation (the browser's WebCrypto) can verify ahead of time
//! and hand its successes to [`remember_verified`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
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

/// The key of a signature check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// ECDSA on P-256.
    P256,
    /// ECDSA on P-384.
    P384,
    /// EdDSA on edwards25519 (Rekor v2 checkpoints).
    Ed25519,
}

impl Curve {
    /// The scheme Sigstore uses with this key, given whether the hash is the
    /// curve's own (SHA-256 on P-256, SHA-384 on P-384; Ed25519 has one).
    pub fn scheme(self, hash_is_curve_default: bool) -> SigningScheme {
        match (self, hash_is_curve_default) {
            (Curve::P256, true) => SigningScheme::EcdsaP256Sha256,
            (Curve::P256, false) => SigningScheme::EcdsaP256Sha384,
            (Curve::P384, true) => SigningScheme::EcdsaP384Sha384,
            (Curve::P384, false) => SigningScheme::EcdsaP384Sha256,
            (Curve::Ed25519, _) => SigningScheme::Ed25519,
        }
    }
}

/// One signature check: verify `signature` over `message` with `public_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    pub curve: Curve,
    /// `false` when the hash is SHA-256 on P-384 or SHA-384 on P-256.
    pub hash_is_curve_default: bool,
    /// The uncompressed SEC1 point (WebCrypto's "raw" ECDSA key format), or
    /// the 32-byte Ed25519 key.
    pub public_key: Vec<u8>,
    pub message: Vec<u8>,
    /// DER for ECDSA (as in bundles), 64 bytes for Ed25519.
    pub signature: Vec<u8>,
}

impl SignatureCheck {
    /// The signature in WebCrypto's form (IEEE P1363 `r || s` for ECDSA, the
    /// signature itself for Ed25519), or `None` when it is not strictly valid
    /// DER (such a signature is left to the Rust code).
    pub fn signature_p1363(&self) -> Option<Vec<u8>> {
        Some(match self.curve {
            Curve::P256 => p256::ecdsa::Signature::from_der(&self.signature)
                .ok()?
                .to_bytes()
                .to_vec(),
            Curve::P384 => p384::ecdsa::Signature::from_der(&self.signature)
                .ok()?
                .to_bytes()
                .to_vec(),
            Curve::Ed25519 => (self.signature.len() == 64).then(|| self.signature.clone())?,
        })
    }
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
    /// (WebCrypto, in the browser). Kept across bundles, bounded.
    static PREVERIFIED: RefCell<VecDeque<[u8; 32]>> = const { RefCell::new(VecDeque::new()) };

    /// Signature verifications computed rather than found remembered.
    static COMPUTED: Cell<u64> = const { Cell::new(0) };
    /// Signature verifications answered from what was remembered.
    static REMEMBERED: Cell<u64> = const { Cell::new(0) };
}

/// Signature verifications this thread computed (rather than found remembered).
pub fn computed_verifications() -> u64 {
    COMPUTED.with(Cell::get)
}

/// Signature verifications this thread answered from what it remembered
/// (pre-verified by WebCrypto, or verified earlier in the same bundle).
pub fn remembered_verifications() -> u64 {
    REMEMBERED.with(Cell::get)
}

/// Most pre-verified checks remembered (a version history's worth of keys and certificates).
const MAX_PREVERIFIED: usize = 512;
/// Most checks remembered within one bundle: a bundle's verification checks a
/// handful of signatures (the structure limits bound it); bound it anyway.
const MAX_IN_SCOPE: usize = 64;

/// What a fingerprint covers for a scheme: the digest for ECDSA (what the
/// library hands over prehashed), the SHA-512 of the message for Ed25519.
fn fingerprint_input(scheme: SigningScheme, message: &[u8]) -> Option<Vec<u8>> {
    match scheme.hash_algorithm() {
        Some(algorithm) => digest(algorithm, message).ok(),
        None if scheme == SigningScheme::Ed25519 => Some(sha2::Sha512::digest(message).to_vec()),
        None => None,
    }
}

/// Records that `check` verified (by another implementation). The Rust
/// verifier then accepts exactly these inputs without recomputing them.
pub fn remember_verified(check: &SignatureCheck) {
    let scheme = check.curve.scheme(check.hash_is_curve_default);
    let Some(input) = fingerprint_input(scheme, &check.message) else {
        return;
    };
    let print = fingerprint(scheme, &check.public_key, &input, &check.signature);
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

fn fingerprint(scheme: SigningScheme, key: &[u8], input: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for part in [scheme.name().as_bytes(), key, input, signature] {
        Digest::update(&mut h, (part.len() as u64).to_be_bytes());
        Digest::update(&mut h, part);
    }
    h.finalize().into()
}

/// Runs `verify` unless these exact inputs were verified before (in this
/// bundle, or ahead of time by WebCrypto); remembers a success.
fn remembered_or(
    scheme: SigningScheme,
    key: &[u8],
    input: &[u8],
    signature: &[u8],
    verify: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let print = fingerprint(scheme, key, input, signature);
    if VERIFIED_IN_SCOPE.with(|v| v.borrow().contains(&print)) || PREVERIFIED.with(|p| p.borrow().contains(&print)) {
        REMEMBERED.with(|n| n.set(n.get() + 1));
        return Ok(());
    }
    COMPUTED.with(|n| n.set(n.get() + 1));
    verify()?;
    VERIFIED_IN_SCOPE.with(|v| {
        let mut v = v.borrow_mut();
        if v.len() < MAX_IN_SCOPE {
            v.push(print);
        }
    });
    Ok(())
}

fn is_ecdsa(scheme: SigningScheme) -> bool {
    matches!(
        scheme,
        SigningScheme::EcdsaP256Sha256
            | SigningScheme::EcdsaP256Sha384
            | SigningScheme::EcdsaP384Sha256
            | SigningScheme::EcdsaP384Sha384
    )
}

/// Verifies a DER-encoded ECDSA signature over a digest.
fn verify_ecdsa_prehashed(scheme: SigningScheme, sec1_key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    // Refused before anything is looked up: only ECDSA has a prehashed form,
    // and no remembered success of another scheme may answer for it.
    if !is_ecdsa(scheme) {
        return Err(unsupported(scheme));
    }
    remembered_or(scheme, sec1_key, digest, signature, || match scheme {
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
        other => Err(unsupported(other)),
    })
}

fn is_rsa(scheme: SigningScheme) -> bool {
    matches!(
        scheme,
        SigningScheme::RsaPkcs1Sha256
            | SigningScheme::RsaPkcs1Sha384
            | SigningScheme::RsaPkcs1Sha512
            | SigningScheme::RsaPssSha256
            | SigningScheme::RsaPssSha384
            | SigningScheme::RsaPssSha512
    )
}

/// Verifies an RSA signature (PKCS#1 v1.5 or PSS) over a digest, with a
/// PKCS#1 `RSAPublicKey` (sigstore-crypto has checked its size, 2048 to
/// 8192 bits).
fn verify_rsa_prehashed(scheme: SigningScheme, pkcs1_key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::hazmat::PrehashVerifier;
    use rsa::{pkcs1v15, pss};
    remembered_or(scheme, pkcs1_key, digest, signature, || {
        let key = rsa::PublicKey::from_pkcs1_der(pkcs1_key)
            .map_err(|_| Error::InvalidKey("invalid RSA public key".into()))?;
        let pkcs1 = || pkcs1v15::Signature::try_from(signature).map_err(|_| invalid(scheme));
        let pss = || pss::Signature::try_from(signature).map_err(|_| invalid(scheme));
        let verified = match scheme {
            SigningScheme::RsaPkcs1Sha256 => {
                pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify_prehash(digest, &pkcs1()?)
            }
            SigningScheme::RsaPkcs1Sha384 => {
                pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key).verify_prehash(digest, &pkcs1()?)
            }
            SigningScheme::RsaPkcs1Sha512 => {
                pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key).verify_prehash(digest, &pkcs1()?)
            }
            SigningScheme::RsaPssSha256 => {
                pss::VerifyingKey::<sha2::Sha256>::new_with_auto_salt_len(key).verify_prehash(digest, &pss()?)
            }
            SigningScheme::RsaPssSha384 => {
                pss::VerifyingKey::<sha2::Sha384>::new_with_auto_salt_len(key).verify_prehash(digest, &pss()?)
            }
            SigningScheme::RsaPssSha512 => {
                pss::VerifyingKey::<sha2::Sha512>::new_with_auto_salt_len(key).verify_prehash(digest, &pss()?)
            }
            other => return Err(unsupported(other)),
        };
        verified.map_err(|_| invalid(scheme))
    })
}

/// Verifies a signature over a digest: ECDSA or RSA, the schemes that sign
/// digests.
fn verify_prehashed_any(scheme: SigningScheme, key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    if is_rsa(scheme) {
        verify_rsa_prehashed(scheme, key, digest, signature)
    } else {
        verify_ecdsa_prehashed(scheme, key, digest, signature)
    }
}

/// Verifies an Ed25519 signature (RFC 8032, strict: no malleable signatures
/// or small-order keys, as Go's crypto/ed25519 and sigstore-go accept them).
fn verify_ed25519(raw_key: &[u8], message: &[u8], signature: &[u8]) -> Result<()> {
    let scheme = SigningScheme::Ed25519;
    let input = sha2::Sha512::digest(message);
    remembered_or(scheme, raw_key, &input, signature, || {
        let key: [u8; 32] = raw_key
            .try_into()
            .map_err(|_| Error::InvalidKey("an Ed25519 public key is 32 bytes".into()))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&key)
            .map_err(|_| Error::InvalidKey("invalid Ed25519 public key".into()))?;
        let signature = ed25519_dalek::Signature::from_slice(signature).map_err(|_| invalid(scheme))?;
        key.verify_strict(message, &signature).map_err(|_| invalid(scheme))
    })
}

fn unsupported(scheme: SigningScheme) -> Error {
    Error::UnsupportedAlgorithm(format!("{} is not supported by this verifier", scheme.name()))
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
        if scheme == SigningScheme::Ed25519 {
            return verify_ed25519(spki_pubkey_bytes, data, signature);
        }
        let algorithm = scheme.hash_algorithm().ok_or_else(|| unsupported(scheme))?;
        let digest = digest(algorithm, data)?;
        verify_prehashed_any(scheme, spki_pubkey_bytes, &digest, signature)
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        // Ed25519 signs the message itself: a digest cannot be verified.
        verify_prehashed_any(scheme, spki_pubkey_bytes, digest, signature)
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
        // An ECDSA key and signature are not an Ed25519 key and signature.
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::Ed25519, public.as_bytes(), b"message", der.as_bytes())
                .is_err()
        );
        assert!(
            PROVIDER
                .verify_raw(
                    SigningScheme::RsaPssSha256,
                    public.as_bytes(),
                    b"message",
                    der.as_bytes()
                )
                .is_err()
        );
    }

    /// RFC 8032 section 7.1, test 2: a one-byte message.
    #[test]
    fn verifies_ed25519_and_rejects_a_changed_message_or_prehash() {
        let key = hex_bytes("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        let signature = hex_bytes(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        );
        let scheme = SigningScheme::Ed25519;
        PROVIDER.verify_raw(scheme, &key, &[0x72], &signature).unwrap();
        assert!(PROVIDER.verify_raw(scheme, &key, &[0x73], &signature).is_err());
        let mut flipped = signature.clone();
        flipped[10] ^= 1;
        assert!(PROVIDER.verify_raw(scheme, &key, &[0x72], &flipped).is_err());
        assert!(PROVIDER.verify_raw(scheme, &key[..31], &[0x72], &signature).is_err());
        // Ed25519 has no prehashed form: refused, never accepted.
        let digest = sha2::Sha512::digest([0x72]);
        assert!(PROVIDER.verify_prehashed(scheme, &key, &digest, &signature).is_err());
    }

    fn hex_bytes(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn a_remembered_success_needs_the_very_same_inputs() {
        let key = p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap();
        let sig: p256::ecdsa::Signature = key.sign(b"remembered");
        let public = key.verifying_key().to_sec1_point(false);
        let scheme = SigningScheme::EcdsaP256Sha256;
        let _scope = VerificationScope::begin();
        let (computed, remembered) = (computed_verifications(), remembered_verifications());
        for _ in 0..2 {
            PROVIDER
                .verify_raw(scheme, public.as_bytes(), b"remembered", sig.to_der().as_bytes())
                .unwrap();
        }
        // The second check was answered from memory, the first computed.
        assert_eq!(computed_verifications() - computed, 1);
        assert_eq!(remembered_verifications() - remembered, 1);
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
    fn a_preverified_check_is_answered_from_memory_and_nothing_else_is() {
        let key = p256::ecdsa::SigningKey::from_slice(&[8u8; 32]).unwrap();
        let sig: p256::ecdsa::Signature = key.sign(b"ahead of time");
        let public = key.verifying_key().to_sec1_point(false);
        let check = SignatureCheck {
            curve: Curve::P256,
            hash_is_curve_default: true,
            public_key: public.as_bytes().to_vec(),
            message: b"ahead of time".to_vec(),
            signature: sig.to_der().as_bytes().to_vec(),
        };
        remember_verified(&check);
        let _scope = VerificationScope::begin();
        let computed = computed_verifications();
        PROVIDER
            .verify_raw(
                SigningScheme::EcdsaP256Sha256,
                &check.public_key,
                &check.message,
                &check.signature,
            )
            .unwrap();
        assert_eq!(
            computed_verifications(),
            computed,
            "answered from the pre-verified record"
        );
        // The same key and signature under the other hash is another check.
        assert!(
            PROVIDER
                .verify_raw(
                    SigningScheme::EcdsaP256Sha384,
                    &check.public_key,
                    &check.message,
                    &check.signature
                )
                .is_err()
        );
        assert_eq!(computed_verifications(), computed + 1);
    }

    /// A 2048-bit key made with OpenSSL (`openssl genrsa`), and its
    /// signatures over "message": PKCS#1 v1.5 and PSS (salt 32), SHA-256.
    const RSA_PKCS1_KEY: &str = "MIIBCgKCAQEAvx6j0krvui90SL+E5GCJCFVDlAGsEjCZk6UbVmBNc4T3Blp/Hg84LXJnlUE0QB01bAN5g33XUR6OdAa+FQ7uMe5B1ZtIzkZ1+ZLmo2mOx0lHnQmHIp3AHd5xfYJWsRIqdIMrcsrPkHFpOAklZnHqjp9r3HUdOrBXHsY/pICaQ9gLIgg2aOSwaWVwzQo4Olvz5lVY/aZF4nNyIPSq2u+TYj2p234AG6YXaTM/wOpsEFIh6uBFSaqj6p0RRTjQuESLxRQOapwM3c+UAAaX6objUwlVDeIst4rVArGO38i6II1xHQQXDdAcOOeL+SkcYumHZ0WEZjZAxNSRPl/wDFRzyQIDAQAB";
    const RSA_PKCS1_SIG: &str = "RXs8UvDTX79pEZyEVm3FHdIR2cJAfZH/snxp5KeZiIrggHAzXuI8E6wK9V/JGHjbbNt9ipAvnbSs3sL3roNfpmuf4zhje6U4ZcC/oxcCrwUDstJWJS0kRoTRlP9XV3YP0keMDSnBa3XB9/gmdAMKDUHvM42cm5q+QZeCNqb+i/V6VCi9UUVZc+VH7XPt27xEma4359ktO6VkSwp+/bB2MDoayIUUKjCCL9jsQPyXfwy9gea3ry+k+iMsjMVk8E+iIMl9WWrndG38sXTVXGyMPZdtqz1z+1xj1gFYu1LTj+flfFGz86gUrQNptfIVCxu3OOIDwPFjdR6zg9NBBnFqvg==";
    const RSA_PSS_SIG: &str = "vfG5MGjZRJqWorobFIEkjnn8XJn+0Lvvkjmeyo7LMnk8EGnJu13VR0qthc+lAt2+Qo5CYaqILycqx1F4nSx22kTkF36AKXjLhxWl5yXsZuzG6ISU1HW53FaVOtL7ELSeY7l9zrnEkjPW0F8B5glRXTLx2iO7x+7MYAQoSMelRWBm5Z0a3Ko5hi46qGK2avzk5pZ9XWg+2yXEFh4pEeihVpQczwzE63Hdos6xQseSBM5b79e71opvX0yjuoK46pRABytrgJDhpR3LYnK5WtMeB/q2MRYuSaRLHgpaHlDKR4ELv4JiaL1iG+LOPMKkky1dO9P6IBeOABnRC3j2sqi8ww==";

    #[test]
    fn verifies_rsa_pkcs1_and_pss_and_rejects_changes() {
        use base64::Engine as _;
        let b64 = |t: &str| base64::engine::general_purpose::STANDARD.decode(t).unwrap();
        let key = b64(RSA_PKCS1_KEY);
        for (scheme, sig) in [
            (SigningScheme::RsaPkcs1Sha256, b64(RSA_PKCS1_SIG)),
            (SigningScheme::RsaPssSha256, b64(RSA_PSS_SIG)),
        ] {
            PROVIDER.verify_raw(scheme, &key, b"message", &sig).unwrap();
            assert!(
                PROVIDER.verify_raw(scheme, &key, b"messagE", &sig).is_err(),
                "{scheme:?}"
            );
            let mut flipped = sig.clone();
            flipped[100] ^= 1;
            assert!(
                PROVIDER.verify_raw(scheme, &key, b"message", &flipped).is_err(),
                "{scheme:?}"
            );
            PROVIDER
                .verify_prehashed(scheme, &key, &sha2::Sha256::digest(b"message"), &sig)
                .unwrap();
        }
        // One padding's signature is not the other's.
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::RsaPssSha256, &key, b"message", &b64(RSA_PKCS1_SIG))
                .is_err()
        );
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::RsaPkcs1Sha384, &key, b"message", &b64(RSA_PKCS1_SIG))
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
