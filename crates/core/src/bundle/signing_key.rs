//! The key a bundle is verified with, and whether a registry key was valid
//! when it signed.
//!
//! Keyless bundles carry a Fulcio certificate; keyed ones name a key. npm's
//! publish attestations are signed by the registry's key, named twice (the
//! DSSE signature's key id and the bundle's key hint), and both must name the
//! same known key: a bundle cannot choose which key verifies it.

use crate::bundle::expectation::Role;
use crate::bundle::structure::{Material, ParsedBundle};
use crate::package::truncate;
use crate::registry_keys::{KeyUsage, RegistryKey, RegistryKeys};
use crate::report::{AttestationKind, KeySource};
use crate::time::format_rfc3339;

/// The key a bundle is verified with.
#[derive(Debug, Clone)]
pub enum SigningKey {
    /// The certificate's key (keyless).
    Certificate,
    /// A key the caller gave (DER SubjectPublicKeyInfo).
    Given(Vec<u8>),
    /// A registry key the bundle named.
    Registry(RegistryKey),
}

impl SigningKey {
    /// DER SPKI for keyed bundles.
    pub fn spki(&self) -> Option<&[u8]> {
        match self {
            SigningKey::Certificate => None,
            SigningKey::Given(spki) => Some(spki),
            SigningKey::Registry(key) => Some(&key.spki),
        }
    }

    pub fn registry_key(&self) -> Option<&RegistryKey> {
        match self {
            SigningKey::Registry(key) => Some(key),
            _ => None,
        }
    }

    /// Whose key, for sentences.
    pub fn whose(&self) -> &'static str {
        match self {
            SigningKey::Certificate => "the certificate's key",
            SigningKey::Given(_) => "the given key",
            SigningKey::Registry(_) => "the registry key",
        }
    }
}

/// Chooses the key. The sentence is for the registry key check, which only
/// publish attestations have.
pub fn select(
    parsed: &ParsedBundle,
    kind: AttestationKind,
    role: &Role,
    keys: &RegistryKeys,
) -> Result<(SigningKey, Option<String>), String> {
    let given = match role {
        Role::Generic { key } => key.as_ref(),
        _ => None,
    };
    match (&parsed.material, given) {
        (Material::Certificate, Some(_)) => Err(
            "A key was given, but this bundle is signed keylessly with a certificate: it is not the key's signature."
                .into(),
        ),
        (Material::Certificate, None) if kind == AttestationKind::Publish => Err(format!(
            "npm publish attestations are signed by the registry's key; this one carries a certificate{}.",
            certificate_name(parsed)
                .map(|n| format!(" for {}", truncate(&n, 200)))
                .unwrap_or_default()
        )),
        (Material::Certificate, None) => Ok((SigningKey::Certificate, None)),
        (Material::PublicKey { .. }, Some(spki)) => Ok((SigningKey::Given(spki.clone()), None)),
        // A plain bundle names its key only by a hint it chose itself: only
        // the key the caller gives verifies it.
        (Material::PublicKey { .. }, None) if matches!(role, Role::Generic { .. }) => Err(
            "This bundle is signed with a key, not a certificate: it can only be verified with that key (--key)."
                .into(),
        ),
        (Material::PublicKey { hint }, None) => {
            let key = registry_key(parsed, hint, keys)?;
            let sentence = (kind == AttestationKind::Publish).then(|| {
                format!(
                    "Signed with registry key {} ({}), named by both the signature and the bundle's key hint.",
                    key.key_id,
                    match key.source {
                        KeySource::Pinned => "npm's, pinned",
                        KeySource::Supplied => "from the supplied keys",
                        KeySource::Tuf => "npm's, from Sigstore's TUF repository",
                    }
                )
            });
            Ok((SigningKey::Registry(key), sentence))
        }
    }
}

fn certificate_name(parsed: &ParsedBundle) -> Option<String> {
    let cert = parsed.bundle.signing_certificate()?;
    let info = sigstore_crypto::parse_certificate_info(cert).ok()?;
    info.identity.map(|san| san.as_str().to_string())
}

fn registry_key(parsed: &ParsedBundle, hint: &str, keys: &RegistryKeys) -> Result<RegistryKey, String> {
    let key_id = parsed.dsse_key_id.as_deref().unwrap_or_default();
    if key_id.is_empty() {
        return Err("The signature names no key id, so no registry key can be chosen for it.".into());
    }
    if key_id != hint {
        return Err(format!(
            "The signature's key id {:?} differs from the bundle's key hint {:?}.",
            truncate(key_id, 100),
            truncate(hint, 100)
        ));
    }
    keys.find(key_id, KeyUsage::Attestations)
        .cloned()
        .ok_or_else(|| format!("No known registry key has the id {:?}.", truncate(key_id, 100)))
}

/// The registry key was valid at the signed time (the log's integration).
pub fn validity(key: &RegistryKey, signed_at: Option<i64>) -> Result<String, String> {
    let time = signed_at.ok_or("Nothing gives a verified time to check the key's validity at.")?;
    if key.valid_at(time) {
        Ok(format!(
            "Key {} was valid at {} (valid {}).",
            key.key_id,
            format_rfc3339(time),
            key.window_text()
        ))
    } else {
        Err(format!(
            "Key {} was not valid at {}: it is valid {}.",
            key.key_id,
            format_rfc3339(time),
            key.window_text()
        ))
    }
}
