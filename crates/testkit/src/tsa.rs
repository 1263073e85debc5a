//! A timestamp authority (RFC 3161) of the test instance: a root, a
//! time-stamping leaf certificate, and tokens over a signature — as Sigstore's
//! timestamp authority issues them for Rekor v2 bundles.

use std::str::FromStr;

use der::asn1::{Any, GeneralizedTime, Int, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence, Tag};
use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;
use x509_cert::{Certificate, TbsCertificate};

use crate::certificates::{extension, sign_certificate, utc};
use crate::p256_spki;

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2");

/// RFC 3161 `MessageImprint`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// RFC 3161 `TSTInfo` (the fields a token needs).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: GeneralizedTime,
}

/// The authority: its root (P-384) and time-stamping leaf (P-256).
pub struct TimestampAuthority {
    root_cert: Vec<u8>,
    leaf_key: p256::ecdsa::SigningKey,
    leaf_cert: Vec<u8>,
}

impl TimestampAuthority {
    pub(crate) fn new() -> Self {
        let root_key = p384::ecdsa::SigningKey::from_bytes(&[31u8; 48].into()).unwrap();
        let root_name = Name::from_str("CN=testkit-tsa-root,O=npm-provenance-testkit").unwrap();
        let root_cert = crate::certificates::self_signed_ca(&root_key, &root_name);
        let leaf_key = p256::ecdsa::SigningKey::from_bytes(&[32u8; 32].into()).unwrap();
        let leaf_name = Name::from_str("CN=testkit-tsa,O=npm-provenance-testkit").unwrap();
        let tbs = TbsCertificate {
            version: x509_cert::Version::V3,
            serial_number: SerialNumber::new(&[0x07]).unwrap(),
            signature: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            },
            issuer: root_name.clone(),
            validity: Validity {
                not_before: utc(1_577_836_800),
                not_after: utc(2_524_607_999),
            },
            subject: leaf_name,
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&p256_spki(&leaf_key)).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(vec![
                extension(
                    der::oid::db::rfc5280::ID_CE_KEY_USAGE,
                    true,
                    &KeyUsage(KeyUsages::DigitalSignature.into()),
                ),
                extension(
                    der::oid::db::rfc5280::ID_CE_EXT_KEY_USAGE,
                    true,
                    &ExtendedKeyUsage(vec![TIME_STAMPING]),
                ),
                extension(
                    der::oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
                    true,
                    &BasicConstraints {
                        ca: false,
                        path_len_constraint: None,
                    },
                ),
            ]),
        };
        let leaf_cert = sign_certificate(tbs, &root_key);
        Self {
            root_cert,
            leaf_key,
            leaf_cert,
        }
    }

    /// A `TimeStampToken` (CMS `ContentInfo`) over the SHA-256 of
    /// `signature`, at `time` (seconds), signed by the leaf (or, with
    /// `by_other_key`, by a key the leaf does not certify). `imprint_of`
    /// overrides what is hashed into the token (a token for another signature).
    pub fn token(&self, signature: &[u8], time: i64, by_other_key: bool, imprint_of: Option<&[u8]>) -> Vec<u8> {
        let tst = TstInfo {
            version: 1,
            policy: POLICY,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifierOwned {
                    oid: ID_SHA256,
                    parameters: None,
                },
                hashed_message: OctetString::new(Sha256::digest(imprint_of.unwrap_or(signature)).to_vec()).unwrap(),
            },
            serial_number: Int::new(&[0x01, 0x23]).unwrap(),
            gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(time as u64)).unwrap(),
        };
        let tst_der = tst.to_der().unwrap();
        let attribute = |oid, value: Any| Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).unwrap(),
        };
        let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
            attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_TST_INFO).unwrap()),
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(Sha256::digest(&tst_der).to_vec()).unwrap()).unwrap(),
            ),
        ])
        .unwrap();
        let signer = if by_other_key {
            p256::ecdsa::SigningKey::from_bytes(&[33u8; 32].into()).unwrap()
        } else {
            self.leaf_key.clone()
        };
        let sig: p256::ecdsa::Signature = signer.sign(&signed_attrs.to_der().unwrap());
        let leaf = Certificate::from_der(&self.leaf_cert).unwrap();
        let signer_info = cms::signed_data::SignerInfo {
            version: cms::content_info::CmsVersion::V1,
            sid: cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(cms::cert::IssuerAndSerialNumber {
                issuer: leaf.tbs_certificate.issuer.clone(),
                serial_number: leaf.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: AlgorithmIdentifierOwned {
                oid: ID_SHA256,
                parameters: None,
            },
            signed_attrs: Some(signed_attrs),
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
            signature: OctetString::new(sig.to_der().as_bytes().to_vec()).unwrap(),
            unsigned_attrs: None,
        };
        let signed_data = cms::signed_data::SignedData {
            version: cms::content_info::CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![AlgorithmIdentifierOwned {
                oid: ID_SHA256,
                parameters: None,
            }])
            .unwrap(),
            encap_content_info: cms::signed_data::EncapsulatedContentInfo {
                econtent_type: ID_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, tst_der).unwrap()),
            },
            certificates: None,
            crls: None,
            signer_infos: cms::signed_data::SignerInfos(SetOfVec::try_from(vec![signer_info]).unwrap()),
        };
        cms::content_info::ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    /// The authority as a trusted root lists it (chain leaf first, root last).
    pub(crate) fn trusted_root_entry(&self, valid_from: &str, valid_until: Option<&str>) -> serde_json::Value {
        let mut valid_for = serde_json::json!({ "start": valid_from });
        if let Some(end) = valid_until {
            valid_for["end"] = end.into();
        }
        serde_json::json!({
            "subject": { "organization": "npm-provenance-testkit", "commonName": "testkit-tsa" },
            "uri": "https://tsa.testkit.invalid",
            "certChain": { "certificates": [ { "rawBytes": crate::b64(&self.leaf_cert) }, { "rawBytes": crate::b64(&self.root_cert) } ] },
            "validFor": valid_for
        })
    }
}
