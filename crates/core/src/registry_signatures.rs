//! `dist.signatures`: the registry's ECDSA P-256 signature over
//! `name@version:integrity`, as `npm audit signatures` checks it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sigstore_crypto::SigningScheme;
use sigstore_types::{DerPublicKey, SignatureBytes};

use crate::checks::Outcome;
use crate::package::truncate;
use crate::registry_documents::RegistrySignature;
use crate::registry_keys::{KeyUsage, RegistryKeys};
use crate::time::format_rfc3339;

/// What the registry signs for a version: `name@version:integrity`.
pub fn signed_message(name: &str, version: &str, integrity: &str) -> String {
    format!("{name}@{version}:{integrity}")
}

/// A `dist.signatures` entry's signature bytes (base64, as npm sends them).
pub fn signature_bytes(signature: &RegistrySignature) -> Option<Vec<u8>> {
    STANDARD.decode(signature.sig.trim()).ok()
}

/// Checks the registry signatures of a version. Passes when a signature by a
/// known key verifies and that key was valid when the version was
/// published; fails when none does. A key with a validity window can only
/// be trusted at a known time: without the publication time (the package
/// document could not be read) such a signature is not a pass but a check
/// that could not run, as npm's pacote refuses it
/// (`EEXPIREDSIGNATUREKEY` when the time does not parse).
pub fn check_registry_signatures(
    name: &str,
    version: &str,
    integrity: &str,
    signatures: &[RegistrySignature],
    keys: &RegistryKeys,
    published_at: Option<i64>,
) -> Outcome {
    crate::crypto_backend::install();
    let message = signed_message(name, version, integrity);
    let mut problems = Vec::new();
    let mut undecided = None;
    for signature in signatures {
        let key_id = truncate(&signature.keyid, 100);
        let Some(key) = keys.find(&signature.keyid, KeyUsage::Signatures) else {
            problems.push(format!("no known registry key has the id {key_id:?}"));
            continue;
        };
        let Some(sig) = signature_bytes(signature) else {
            problems.push(format!("the signature by {key_id} is not base64"));
            continue;
        };
        let verified = sigstore_crypto::verify_signature(
            &DerPublicKey::new(key.spki.clone()),
            message.as_bytes(),
            &SignatureBytes::new(sig),
            SigningScheme::EcdsaP256Sha256,
        );
        if verified.is_err() {
            problems.push(format!(
                "the signature by {key_id} does not verify over {:?}",
                truncate(&message, 200)
            ));
            continue;
        }
        match published_at {
            Some(time) if !key.valid_at(time) => {
                problems.push(format!(
                    "key {key_id} signed it but was not valid when the version was published ({}; valid {})",
                    format_rfc3339(time),
                    key.window_text()
                ));
                continue;
            }
            None if key.expires() => {
                undecided = Some(format!(
                    "The signature by key {key_id} verifies, but that key is valid only {} and the version's publication time is not known (the registry's package document could not be read), so it cannot be shown that the key was valid when the version was published.",
                    key.window_text()
                ));
                continue;
            }
            _ => {}
        }
        return Outcome::Passed(format!(
            "The registry's signature over {name}@{version} and its integrity verifies with key {}.",
            key.key_id
        ));
    }
    if let Some(why) = undecided.filter(|_| problems.is_empty()) {
        return Outcome::Skipped { required: true, why };
    }
    if problems.is_empty() {
        problems.push("the registry sent an empty list".into());
    }
    Outcome::Failed(format!("No registry signature verifies: {}.", problems.join("; ")))
}

/// Whether checking `signatures` needs the version's publication time: no
/// signature is by a known key that does not expire, and one is by a key
/// that does. (A lookup then asks for the package document, whose `time`
/// says when the version was published.)
pub fn needs_publication_time(signatures: &[RegistrySignature], keys: &RegistryKeys) -> bool {
    let known: Vec<_> = signatures
        .iter()
        .filter_map(|s| keys.find(&s.keyid, KeyUsage::Signatures))
        .collect();
    !known.iter().any(|k| !k.expires()) && known.iter().any(|k| k.expires())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;

    fn failed(outcome: Outcome) -> String {
        match outcome {
            Outcome::Failed(why) => why,
            other => panic!("not a failure: {other:?}"),
        }
    }

    fn keys_with(spki: &[u8]) -> RegistryKeys {
        let id = crate::registry_keys::key_id_for(spki).unwrap();
        let doc = format!(
            r#"{{"keys":[{{"expires":null,"keyid":"{id}","key":"{}"}}]}}"#,
            STANDARD.encode(spki)
        );
        let mut keys = RegistryKeys::empty();
        keys.add_keys_document(&doc).unwrap();
        keys
    }

    #[test]
    fn verifies_own_signature_and_rejects_changes() {
        use p256::pkcs8::EncodePublicKey;
        let signing = p256::ecdsa::SigningKey::from_slice(&[3u8; 32]).unwrap();
        let spki = signing.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec();
        let keys = keys_with(&spki);
        let keyid = crate::registry_keys::key_id_for(&spki).unwrap();
        let sig: p256::ecdsa::Signature = signing.sign(b"p@1.0.0:sha512-abc");
        let sigs = [RegistrySignature {
            keyid: keyid.clone(),
            sig: STANDARD.encode(sig.to_der().as_bytes()),
        }];
        assert!(matches!(
            check_registry_signatures("p", "1.0.0", "sha512-abc", &sigs, &keys, None),
            Outcome::Passed(_)
        ));
        let err = failed(check_registry_signatures(
            "p",
            "1.0.1",
            "sha512-abc",
            &sigs,
            &keys,
            None,
        ));
        assert!(err.contains("does not verify"), "{err}");
        let err = failed(check_registry_signatures(
            "p",
            "1.0.0",
            "sha512-abd",
            &sigs,
            &keys,
            None,
        ));
        assert!(err.contains("does not verify"), "{err}");
        let unknown = [RegistrySignature {
            keyid: "SHA256:nope".into(),
            sig: sigs[0].sig.clone(),
        }];
        assert!(
            failed(check_registry_signatures(
                "p",
                "1.0.0",
                "sha512-abc",
                &unknown,
                &keys,
                None
            ))
            .contains("no known registry key")
        );
        failed(check_registry_signatures("p", "1.0.0", "sha512-abc", &[], &keys, None));
    }
}
