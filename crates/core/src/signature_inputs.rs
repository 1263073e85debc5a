//! The signature checks a bundle's verification will make, with their exact
//! inputs, so that a faster implementation can make them first (feature
//! `preverify`, which only the web app's worker enables).
//!
//! In the browser, WebCrypto verifies ECDSA several times faster than wasm
//! arithmetic, but only asynchronously, while `sigstore-verify` calls its
//! crypto backend synchronously. So the worker verifies these inputs with
//! WebCrypto ahead of time and records the successes with
//! [`crate::crypto_backend::remember_verified`]; when the Rust verifier then
//! reaches the same check with the very same key, digest and signature, the
//! backend answers from that record. Nothing is trusted that was not verified:
//! an input listed wrongly is simply not found, and the Rust code verifies it
//! itself. The checks listed here follow sigstore-verify's reconstruction of
//! each signed message (DSSE PAE, signed entry timestamp, checkpoint note,
//! RFC 6962 precertificate, certificate TBS).
//!
//! Only bundles that passed the structure checks are listed, so the limits
//! that bound verification bound this too.

use sha2::{Digest, Sha256};
use sigstore_types::SignatureContent;
use sigstore_types::bundle::VerificationMaterialContent;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

use crate::bundle::PreparedBundle;
use crate::crypto_backend::{Curve, SignatureCheck};
use crate::package_version::{PackageVersionDocuments, PreparedAttestations, PreparedInput};
use crate::registry_keys::KeyUsage;
use crate::registry_signatures::{signature_bytes, signed_message};
use crate::trust::TrustMaterial;

const P256_OID: &str = "1.2.840.10045.3.1.7";
const P384_OID: &str = "1.3.132.0.34";
const ED25519_OID: &str = "1.3.101.112";
const ECDSA_SHA256_OID: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384_OID: &str = "1.2.840.10045.4.3.3";

/// The curve and raw key of a DER SubjectPublicKeyInfo.
fn raw_key(spki_der: &[u8]) -> Option<(Curve, Vec<u8>)> {
    let spki = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    let curve = match spki.algorithm.oid.to_string().as_str() {
        ED25519_OID => Curve::Ed25519,
        _ => match spki.algorithm.parameters_oid().ok()?.to_string().as_str() {
            P256_OID => Curve::P256,
            P384_OID => Curve::P384,
            _ => return None,
        },
    };
    Some((curve, spki.subject_public_key.as_bytes()?.to_vec()))
}

fn check(spki_der: &[u8], message: Vec<u8>, signature: Vec<u8>) -> Option<SignatureCheck> {
    let (curve, public_key) = raw_key(spki_der)?;
    Some(SignatureCheck {
        curve,
        hash_is_curve_default: true,
        public_key,
        message,
        signature,
    })
}

/// The checks verifying `prepared` with `trust` will make (best effort).
pub fn bundle_checks(prepared: &PreparedBundle, trust: &TrustMaterial) -> Vec<SignatureCheck> {
    let Ok(parsed) = &prepared.parsed else {
        return Vec::new();
    };
    let bundle = &parsed.bundle;
    let mut checks = Vec::new();
    let root = trust.trusted_root();
    // The signing key: the certificate's, or the registry key the hint names.
    let leaf = bundle
        .signing_certificate()
        .and_then(|c| Certificate::from_der(c.as_bytes()).ok());
    let signing_spki = match &bundle.verification_material.content {
        VerificationMaterialContent::PublicKey(hint) => trust
            .registry_keys()
            .find(&hint.hint, KeyUsage::Attestations)
            .map(|k| k.spki.clone()),
        _ => leaf
            .as_ref()
            .and_then(|c| c.tbs_certificate.subject_public_key_info.to_der().ok()),
    };
    if let (SignatureContent::DsseEnvelope(envelope), Some(spki)) = (&bundle.content, &signing_spki) {
        checks.extend(check(spki, envelope.pae(), envelope.signature.sig.as_bytes().to_vec()));
    }
    for entry in parsed.entries().map(|e| e.fields) {
        let log_key = root
            .tlogs
            .iter()
            .find(|t| t.log_id.key_id.as_bytes() == entry.log_id.key_id.as_bytes());
        // Signed entry timestamp: canonical JSON, keys in sorted order.
        if let (Some(promise), Some(log)) = (&entry.inclusion_promise, log_key) {
            let payload = format!(
                r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
                entry.canonicalized_body.to_base64(),
                entry.integrated_time.map_or(0, |t| t.as_second()),
                crate::package::hex(entry.log_id.key_id.as_bytes()),
                entry.log_index.as_i64()
            );
            checks.extend(check(
                log.public_key.raw_bytes.as_bytes(),
                payload.into_bytes(),
                promise.signed_entry_timestamp.as_bytes().to_vec(),
            ));
        }
        // Checkpoint: the note, signed by the log key its hint names.
        if let Some(checkpoint) = entry.inclusion_proof.as_ref().and_then(|p| p.checkpoint.checkpoint()) {
            for signature in checkpoint.signatures() {
                for log in &root.tlogs {
                    if log.log_id.key_id.as_bytes().get(..4) == Some(signature.key_id.as_bytes()) {
                        checks.extend(check(
                            log.public_key.raw_bytes.as_bytes(),
                            checkpoint.signed_data().to_vec(),
                            signature.signature.as_bytes().to_vec(),
                        ));
                    }
                }
            }
        }
    }
    if let Some(leaf) = &leaf {
        certificate_checks(leaf, trust, &mut checks);
    }
    checks
}

/// The leaf certificate's signature by each candidate issuer, and its SCT.
fn certificate_checks(leaf: &Certificate, trust: &TrustMaterial, checks: &mut Vec<SignatureCheck>) {
    let candidates: Vec<Certificate> = trust
        .trusted_root()
        .certificate_authorities
        .iter()
        .flat_map(|ca| ca.cert_chain.certificates.iter())
        .filter_map(|c| Certificate::from_der(c.raw_bytes.as_bytes()).ok())
        .collect();
    let Ok(tbs) = leaf.tbs_certificate.to_der() else { return };
    for issuer in candidates
        .iter()
        .filter(|c| c.tbs_certificate.subject == leaf.tbs_certificate.issuer)
    {
        let Ok(issuer_spki) = issuer.tbs_certificate.subject_public_key_info.to_der() else {
            continue;
        };
        let Some(signature) = leaf.signature.as_bytes() else {
            continue;
        };
        if let Some(mut c) = check(&issuer_spki, tbs.clone(), signature.to_vec()) {
            c.hash_is_curve_default = match (c.curve, leaf.signature_algorithm.oid.to_string().as_str()) {
                (Curve::P384, ECDSA_SHA384_OID) | (Curve::P256, ECDSA_SHA256_OID) => true,
                (Curve::P256 | Curve::P384, ECDSA_SHA256_OID | ECDSA_SHA384_OID) => false,
                _ => continue,
            };
            checks.push(c);
        }
        sct_check(leaf, &issuer_spki, trust, checks);
    }
}

/// RFC 6962: the CT log signed the certificate without its SCT extension,
/// with the SHA-256 of the issuer's key.
fn sct_check(leaf: &Certificate, issuer_spki: &[u8], trust: &TrustMaterial, checks: &mut Vec<SignatureCheck>) {
    use x509_cert::ext::pkix::SignedCertificateTimestampList;
    use x509_cert::ext::pkix::sct::SignedCertificateTimestamp;
    let Ok(Some((_, list))) = leaf.tbs_certificate.get::<SignedCertificateTimestampList>() else {
        return;
    };
    let Ok(scts) = list.parse_timestamps() else { return };
    let [single] = scts.as_slice() else { return };
    let Ok(sct): Result<SignedCertificateTimestamp, _> = single.parse_timestamp() else {
        return;
    };
    let mut precert = leaf.tbs_certificate.clone();
    let sct_oid = x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
    precert.extensions = precert
        .extensions
        .map(|exts| exts.into_iter().filter(|e| e.extn_id != sct_oid).collect());
    let Ok(precert_der) = precert.to_der() else { return };
    if precert_der.len() >= 1 << 24 {
        return;
    }
    let mut signed = vec![0u8, 0u8];
    signed.extend_from_slice(&sct.timestamp.to_be_bytes());
    signed.extend_from_slice(&1u16.to_be_bytes());
    signed.extend_from_slice(&Sha256::digest(issuer_spki));
    signed.extend_from_slice(&(precert_der.len() as u32).to_be_bytes()[1..]);
    signed.extend_from_slice(&precert_der);
    let extensions = sct.extensions.as_slice();
    signed.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    signed.extend_from_slice(extensions);
    for log in &trust.trusted_root().ctlogs {
        if log.log_id.key_id.as_bytes() == sct.log_id.key_id {
            checks.extend(check(
                log.public_key.raw_bytes.as_bytes(),
                signed.clone(),
                sct.signature.signature.as_slice().to_vec(),
            ));
        }
    }
}

/// The checks for what a person pasted.
pub fn input_checks(input: &PreparedInput, trust: &TrustMaterial) -> Vec<SignatureCheck> {
    match input {
        PreparedInput::Attestations(prepared) => attestations_checks(prepared, trust),
        PreparedInput::Bundle(bundle) => bundle_checks(bundle, trust),
    }
}

/// The registry's signatures of a version (`dist.signatures`, ECDSA P-256
/// over `name@version:integrity`) by the registry keys they name: one per
/// package version, and the one check a lockfile audit would otherwise
/// compute in wasm for every package.
pub fn registry_signature_checks(docs: &PackageVersionDocuments, trust: &TrustMaterial) -> Vec<SignatureCheck> {
    let Some(integrity) = docs.integrity else {
        return Vec::new();
    };
    let message = signed_message(docs.name, docs.version, integrity);
    docs.registry_signatures
        .iter()
        .filter_map(|s| {
            let key = trust.registry_keys().find(&s.keyid, KeyUsage::Signatures)?;
            check(&key.spki, message.clone().into_bytes(), signature_bytes(s)?)
        })
        .collect()
}

/// Every check verifying a package version's documents will make: its
/// bundles' and its registry signatures'.
pub fn package_version_checks(docs: &PackageVersionDocuments, trust: &TrustMaterial) -> Vec<SignatureCheck> {
    let mut checks = docs
        .attestations
        .map(|a| attestations_checks(a, trust))
        .unwrap_or_default();
    checks.extend(registry_signature_checks(docs, trust));
    checks
}

/// The checks for every bundle of an attestations response.
pub fn attestations_checks(prepared: &PreparedAttestations, trust: &TrustMaterial) -> Vec<SignatureCheck> {
    match &prepared.entries {
        Ok(entries) => entries.iter().flat_map(|e| bundle_checks(e, trust)).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_listed_for_what_is_not_a_bundle() {
        let trust = TrustMaterial::public_good();
        assert!(bundle_checks(&PreparedBundle::parse("{}", None), &trust).is_empty());
        assert!(attestations_checks(&PreparedAttestations::parse("not json"), &trust).is_empty());
    }
}
