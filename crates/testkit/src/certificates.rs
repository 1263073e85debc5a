//! The Fulcio side: the CA (its self-signed root and an intermediate the
//! trusted root does not list) and the leaf certificates it issues, with
//! Fulcio's claims and an SCT from the CT log embedded.

use std::time::Duration;

use der::asn1::{BitString, Ia5String, OctetString, UtcTime, Utf8StringRef};
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::sct::{
    DigitallySigned, HashAlgorithm, LogId, SerializedSct, SignatureAlgorithm, SignatureAndHashAlgorithm,
    SignedCertificateTimestamp, SignedCertificateTimestampList, Version as SctVersion,
};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

use crate::{ChainShape, Faults, GeneralNameKind, Identity, Sigstore, p256_spki, sign_p256};

const ECDSA_WITH_SHA384: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const CODE_SIGNING: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");

impl Sigstore {
    /// A CA certificate for the unlisted intermediate, issued by the trusted CA.
    pub(crate) fn intermediate_certificate(&self) -> Vec<u8> {
        let tbs = TbsCertificate {
            version: x509_cert::Version::V3,
            serial_number: SerialNumber::new(&[0x02]).unwrap(),
            signature: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            },
            issuer: self.ca_name.clone(),
            validity: Validity {
                not_before: utc(1_577_836_800),
                not_after: utc(2_524_607_999),
            },
            subject: self.intermediate_name.clone(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki_p384(&self.intermediate_key)).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(vec![
                extension(
                    der::oid::db::rfc5280::ID_CE_KEY_USAGE,
                    true,
                    &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                ),
                extension(
                    der::oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
                    true,
                    &BasicConstraints {
                        ca: true,
                        path_len_constraint: Some(0),
                    },
                ),
            ]),
        };
        sign_certificate(tbs, &self.ca_key)
    }

    pub(crate) fn leaf_certificate(
        &self,
        identity: &Identity,
        faults: &Faults,
        time: i64,
        chain: ChainShape,
    ) -> Vec<u8> {
        let (issuer_key, issuer_name) = if faults.untrusted_ca {
            (&self.other_ca_key, &self.other_ca_name)
        } else if chain == ChainShape::UnlistedIntermediate {
            (&self.intermediate_key, &self.intermediate_name)
        } else {
            (&self.ca_key, &self.ca_name)
        };
        let (not_before, not_after) = if faults.certificate_expired {
            (time - 1200, time - 600)
        } else if faults.certificate_not_yet_valid {
            (time + 600, time + 1200)
        } else {
            (time - 60, time + 540)
        };
        let mut extensions = vec![
            extension(
                der::oid::db::rfc5280::ID_CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::DigitalSignature.into()),
            ),
            extension(
                der::oid::db::rfc5280::ID_CE_EXT_KEY_USAGE,
                false,
                &ExtendedKeyUsage(vec![CODE_SIGNING]),
            ),
            extension(
                der::oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
            ),
            extension(
                der::oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME,
                true,
                &SubjectAltName(vec![match &identity.san {
                    GeneralNameKind::Uri(u) => GeneralName::UniformResourceIdentifier(Ia5String::new(u).unwrap()),
                    GeneralNameKind::Email(e) => GeneralName::Rfc822Name(Ia5String::new(e).unwrap()),
                    GeneralNameKind::Username(name) => GeneralName::OtherName(x509_cert::ext::pkix::name::OtherName {
                        type_id: der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7"),
                        value: der::Any::encode_from(&Utf8StringRef::new(name).unwrap()).unwrap(),
                    }),
                }]),
            ),
        ];
        // Fulcio's issuer (.8) and CI claims: DER UTF8Strings under 1.3.6.1.4.1.57264.1.
        let mut claims = vec![(8, identity.issuer.clone())];
        claims.extend(identity.claims.iter().cloned());
        for (arc, value) in &claims {
            let oid = der::oid::ObjectIdentifier::new(&format!("1.3.6.1.4.1.57264.1.{arc}")).unwrap();
            extensions.push(extension(oid, false, &Utf8StringRef::new(value).unwrap()));
        }
        let mut tbs = TbsCertificate {
            version: x509_cert::Version::V3,
            serial_number: SerialNumber::new(&[0x42, 0x01]).unwrap(),
            signature: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            },
            issuer: issuer_name.clone(),
            validity: Validity {
                not_before: utc(not_before),
                not_after: utc(not_after),
            },
            subject: Name::default(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&p256_spki(&self.leaf_key)).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        if !faults.no_sct {
            // RFC 6962: the log signs the certificate without its SCT extension.
            let precert_tbs = tbs.to_der().unwrap();
            let issuer_spki = spki_p384(issuer_key);
            let ct_key = if faults.sct_by_other_key {
                &self.other_key
            } else {
                &self.ct_key
            };
            let timestamp = (not_before as u64 + 1) * 1000;
            let mut signed = vec![0u8, 0u8];
            signed.extend_from_slice(&timestamp.to_be_bytes());
            signed.extend_from_slice(&1u16.to_be_bytes());
            signed.extend_from_slice(&Sha256::digest(&issuer_spki));
            signed.extend_from_slice(&(precert_tbs.len() as u32).to_be_bytes()[1..]);
            signed.extend_from_slice(&precert_tbs);
            signed.extend_from_slice(&0u16.to_be_bytes());
            let sct = SignedCertificateTimestamp {
                version: SctVersion::V1,
                log_id: LogId {
                    key_id: Sha256::digest(p256_spki(&self.ct_key)).into(),
                },
                timestamp,
                extensions: Vec::<u8>::new().into(),
                signature: DigitallySigned {
                    algorithm: SignatureAndHashAlgorithm {
                        hash: HashAlgorithm::Sha256,
                        signature: SignatureAlgorithm::Ecdsa,
                    },
                    signature: sign_p256(ct_key, &signed).into(),
                },
            };
            let list = SignedCertificateTimestampList::new(&[SerializedSct::new(sct).unwrap()]).unwrap();
            let oid = der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
            tbs.extensions.as_mut().unwrap().push(extension(oid, false, &list));
        }
        sign_certificate(tbs, issuer_key)
    }
}

pub(crate) fn utc(seconds: i64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(seconds as u64)).unwrap())
}

pub(crate) fn extension<T: Encode>(oid: der::oid::ObjectIdentifier, critical: bool, value: &T) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().unwrap()).unwrap(),
    }
}

fn spki_p384(key: &p384::ecdsa::SigningKey) -> Vec<u8> {
    key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec()
}

pub(crate) fn sign_certificate(tbs: TbsCertificate, key: &p384::ecdsa::SigningKey) -> Vec<u8> {
    let sig: p384::ecdsa::Signature = key.sign(&tbs.to_der().unwrap());
    let cert = Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(sig.to_der().as_bytes()).unwrap(),
    };
    cert.to_der().unwrap()
}

pub(crate) fn self_signed_ca(key: &p384::ecdsa::SigningKey, name: &Name) -> Vec<u8> {
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(&[0x01]).unwrap(),
        signature: AlgorithmIdentifierOwned {
            oid: ECDSA_WITH_SHA384,
            parameters: None,
        },
        issuer: name.clone(),
        validity: Validity {
            not_before: utc(1_577_836_800),
            not_after: utc(2_524_607_999),
        },
        subject: name.clone(),
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki_p384(key)).unwrap(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(vec![
            extension(
                der::oid::db::rfc5280::ID_CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            ),
            extension(
                der::oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(1),
                },
            ),
        ]),
    };
    sign_certificate(tbs, key)
}
