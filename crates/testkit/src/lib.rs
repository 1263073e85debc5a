//! A miniature Sigstore for tests that need data no real bundle has:
//! its own Fulcio CA, CT log, Rekor log and npm registry key, producing real
//! bundles (certificates with Fulcio claims and an embedded SCT, DSSE
//! envelopes, `dsse` 0.0.1 log entries with a signed entry timestamp and an
//! inclusion proof with a signed checkpoint) and the trusted root that
//! verifies them. Each part can be made wrong on purpose (see [`Faults`]).

pub mod scenarios;
pub mod tsa;
pub mod tuf;

use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::asn1::{BitString, Ia5String, OctetString, UtcTime, Utf8StringRef};
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
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

const ECDSA_WITH_SHA384: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const CODE_SIGNING: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
const INTOTO: &str = "application/vnd.in-toto+json";

pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const GITLAB_ISSUER: &str = "https://gitlab.com";
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const NPM_PUBLISH: &str = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

/// 2024-06-01T12:00:00Z: when the test log integrates its entries.
pub const INTEGRATED_TIME: i64 = 1_717_243_200;

fn b64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_bytes(&[seed; 32].into()).unwrap()
}

fn p256_spki(key: &p256::ecdsa::SigningKey) -> Vec<u8> {
    key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec()
}

fn sign_p256(key: &p256::ecdsa::SigningKey, data: &[u8]) -> Vec<u8> {
    let sig: p256::ecdsa::Signature = key.sign(data);
    sig.to_der().as_bytes().to_vec()
}

fn utc(seconds: i64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(seconds as u64)).unwrap())
}

fn extension<T: Encode>(oid: der::oid::ObjectIdentifier, critical: bool, value: &T) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().unwrap()).unwrap(),
    }
}

/// The signer's identity as Fulcio would certify it.
#[derive(Debug, Clone)]
pub struct Identity {
    /// A URI SAN (CI workloads) or an e-mail SAN.
    pub san: GeneralNameKind,
    pub issuer: String,
    /// Fulcio claims: the last arc of `1.3.6.1.4.1.57264.1.N` and its value.
    pub claims: Vec<(u32, String)>,
}

#[derive(Debug, Clone)]
pub enum GeneralNameKind {
    Uri(String),
    Email(String),
}

impl Identity {
    /// A GitHub Actions workflow run, as Fulcio certifies it today.
    pub fn github(repo: &str, workflow: &str, commit: &str, git_ref: &str) -> Self {
        let repo_url = format!("https://github.com/{repo}");
        let config = format!("{repo_url}/{workflow}@{git_ref}");
        Self {
            san: GeneralNameKind::Uri(config.clone()),
            issuer: GITHUB_ISSUER.into(),
            claims: vec![
                (9, config.clone()),
                (10, commit.into()),
                (11, "github-hosted".into()),
                (12, repo_url.clone()),
                (13, commit.into()),
                (14, git_ref.into()),
                (15, "123456".into()),
                (16, format!("https://github.com/{}", repo.split('/').next().unwrap())),
                (17, "7890".into()),
                (18, config),
                (19, commit.into()),
                (20, "push".into()),
                (21, format!("{repo_url}/actions/runs/1111/attempts/1")),
                (22, "public".into()),
            ],
        }
    }

    /// A GitLab CI job on gitlab.com.
    pub fn gitlab(project: &str, commit: &str, git_ref: &str) -> Self {
        Self::gitlab_on(GITLAB_ISSUER, project, commit, git_ref)
    }

    /// A GitLab CI job on the GitLab at `server` (`https://gitlab.com`, or a
    /// self-managed instance, whose issuer is its own URL), with the claims
    /// Fulcio's `gitlab-pipeline` templates write: the SAN and build config
    /// `https://<host>/<project>//<CI config path>@<ref>` (the double slash
    /// is GitLab's `ci_config_ref_uri`), the source repository and owner
    /// URLs with their ids, the job as the run invocation, the pipeline
    /// source as the trigger.
    pub fn gitlab_on(server: &str, project: &str, commit: &str, git_ref: &str) -> Self {
        let project_url = format!("{server}/{project}");
        let config = format!("{project_url}//.gitlab-ci.yml@{git_ref}");
        let namespace = project.rsplit_once('/').map_or(project, |(ns, _)| ns);
        Self {
            san: GeneralNameKind::Uri(config.clone()),
            issuer: server.into(),
            claims: vec![
                (9, config.clone()),
                (10, commit.into()),
                (11, "gitlab-hosted".into()),
                (12, project_url.clone()),
                (13, commit.into()),
                (14, git_ref.into()),
                (15, "45678901".into()),
                (16, format!("{server}/{namespace}")),
                (17, "1234567".into()),
                (18, config),
                (19, commit.into()),
                (20, "push".into()),
                (21, format!("{project_url}/-/jobs/4242")),
                (22, "public".into()),
            ],
        }
    }

    /// A person, signing interactively: no CI claims.
    pub fn email(address: &str) -> Self {
        Self {
            san: GeneralNameKind::Email(address.into()),
            issuer: "https://github.com/login/oauth".into(),
            claims: vec![],
        }
    }
}

/// Parts of a bundle to make wrong. `Default` is a bundle that verifies.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The DSSE signature is made by a key other than the certificate's.
    pub signature_by_other_key: bool,
    /// A keyless DSSE signature that names a key id.
    pub keyless_key_id: Option<String>,
    /// The certificate is issued by a CA that is not in the trusted root.
    pub untrusted_ca: bool,
    /// The certificate's validity ends before the log integrated the entry.
    pub certificate_expired: bool,
    /// The SCT is signed by a CT key that is not in the trusted root.
    pub sct_by_other_key: bool,
    /// The certificate carries no SCT.
    pub no_sct: bool,
    /// The signed entry timestamp is made by a key other than the log's.
    pub set_by_other_key: bool,
    /// The log integrated the entry in the future (an hour from now).
    pub integrated_in_future: bool,
    /// The checkpoint is signed by a key other than the log's.
    pub checkpoint_by_other_key: bool,
    /// The inclusion proof's sibling hash is wrong.
    pub wrong_proof_hash: bool,
    /// The log entry records another payload's hash (SET and proof match it).
    pub entry_for_other_payload: bool,
    /// For keyed bundles: the key hint differs from the signature's key id.
    pub hint_differs: bool,
    /// The RFC 3161 timestamp is signed by a key the authority does not certify.
    pub timestamp_by_other_key: bool,
    /// The RFC 3161 timestamp covers another signature.
    pub timestamp_for_other_signature: bool,
    /// The certificate's validity begins after the log integrated the entry
    /// (not yet valid at the signed time).
    pub certificate_not_yet_valid: bool,
    /// For keyed bundles: the DSSE signature names no key id (the bundle's
    /// key hint still names the registry key).
    pub keyed_no_key_id: bool,
    /// The DSSE payload type is `application/json` instead of in-toto's; the
    /// signature (over the PAE) and the log entry cover it as signed.
    pub other_payload_type: bool,
    /// The log entry's `kindVersion` names the other kind than its body:
    /// `hashedrekord 0.0.1` over a Rekor v1 `dsse` body, `dsse 0.0.1` over a
    /// Rekor v2 `hashedrekord` body. (`kindVersion` is outside what the log signs.)
    pub entry_kind_mismatch: bool,
    /// The log entry carries neither its inclusion promise (signed entry
    /// timestamp) nor its inclusion proof.
    pub no_inclusion_evidence: bool,
    /// A v0.3 bundle (keyless) carries its certificate as an
    /// `x509CertificateChain` (leaf and CA), which only v0.1/v0.2 may.
    pub chain_in_v03: bool,
}

/// Which log a bundle's entry is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogShape {
    /// Rekor v1: a `dsse` 0.0.1 entry with a signed entry timestamp and an
    /// inclusion proof whose checkpoint the (P-256) log key signs.
    #[default]
    RekorV1,
    /// Rekor v2: a `hashedrekord` 0.0.2 entry, no signed entry timestamp and
    /// no integrated time, a checkpoint signed with the log's Ed25519 key and
    /// cosigned by a witness; the signed time comes from an RFC 3161 timestamp.
    RekorV2,
}

/// How the signing certificate is carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChainShape {
    /// A v0.3 bundle's single certificate.
    #[default]
    Certificate,
    /// A v0.1 bundle's chain with the CA's own (root) certificate, as npm's
    /// 2023 bundles carry it.
    ChainWithRoot,
    /// A v0.1 bundle whose leaf was issued by an intermediate that the
    /// trusted root does not list, carried in the chain with the root.
    UnlistedIntermediate,
}

/// The form of a bundle (none of it a fault: every shape verifies as a plain
/// Sigstore bundle, within the limits the core sets on the `extra_*` counts;
/// npm attestations carry one log entry).
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub log: LogShape,
    pub chain: ChainShape,
    /// An RFC 3161 timestamp beside a Rekor v1 entry (Rekor v2 always has one).
    pub rfc3161: bool,
    /// Forged signature lines put in front of the checkpoint's own, each with
    /// the log key's hint (an attacker's way to buy signature checks).
    pub extra_checkpoint_lines: usize,
    /// Copies of the bundle's log entry after it (npm's bundles carry one;
    /// the core bounds the count by `MAX_TLOG_ENTRIES`).
    pub extra_tlog_entries: usize,
}

/// The test instance: keys, CA certificate, and what it signs.
pub struct Sigstore {
    ca_key: p384::ecdsa::SigningKey,
    ca_cert: Vec<u8>,
    ca_name: Name,
    other_ca_key: p384::ecdsa::SigningKey,
    other_ca_name: Name,
    ct_key: p256::ecdsa::SigningKey,
    rekor_key: p256::ecdsa::SigningKey,
    registry_key: p256::ecdsa::SigningKey,
    other_key: p256::ecdsa::SigningKey,
    leaf_key: p256::ecdsa::SigningKey,
    intermediate_key: p384::ecdsa::SigningKey,
    intermediate_name: Name,
    rekor_v2_key: ed25519_dalek::SigningKey,
    witness_key: ed25519_dalek::SigningKey,
    tsa: tsa::TimestampAuthority,
}

impl Default for Sigstore {
    fn default() -> Self {
        Self::new()
    }
}

impl Sigstore {
    pub fn new() -> Self {
        let ca_key = p384::ecdsa::SigningKey::from_bytes(&[11u8; 48].into()).unwrap();
        let other_ca_key = p384::ecdsa::SigningKey::from_bytes(&[12u8; 48].into()).unwrap();
        let ca_name = Name::from_str("CN=testkit-fulcio,O=npm-provenance-testkit").unwrap();
        let other_ca_name = Name::from_str("CN=impostor-fulcio,O=npm-provenance-testkit").unwrap();
        let ca_cert = self_signed_ca(&ca_key, &ca_name);
        Self {
            ca_key,
            ca_cert,
            ca_name,
            other_ca_key,
            other_ca_name,
            ct_key: p256_key(21),
            rekor_key: p256_key(22),
            registry_key: p256_key(23),
            other_key: p256_key(24),
            leaf_key: p256_key(25),
            intermediate_key: p384::ecdsa::SigningKey::from_bytes(&[13u8; 48].into()).unwrap(),
            intermediate_name: Name::from_str("CN=testkit-fulcio-unlisted-intermediate,O=npm-provenance-testkit")
                .unwrap(),
            rekor_v2_key: ed25519_dalek::SigningKey::from_bytes(&[26u8; 32]),
            witness_key: ed25519_dalek::SigningKey::from_bytes(&[27u8; 32]),
            tsa: tsa::TimestampAuthority::new(),
        }
    }

    fn log_id(&self) -> Vec<u8> {
        Sha256::digest(p256_spki(&self.rekor_key)).to_vec()
    }

    fn rekor_v2_spki(&self) -> Vec<u8> {
        ed25519_spki(&self.rekor_v2_key)
    }

    /// The Rekor v2 log's id; its first four bytes are the key hint of the
    /// log's checkpoint signatures.
    fn rekor_v2_log_id(&self) -> Vec<u8> {
        Sha256::digest(self.rekor_v2_spki()).to_vec()
    }

    /// The timestamp authority.
    pub fn tsa(&self) -> &tsa::TimestampAuthority {
        &self.tsa
    }

    /// The trusted root (`application/vnd.dev.sigstore.trustedroot+json`) of this instance.
    pub fn trusted_root_json(&self) -> String {
        let key = |spki: Vec<u8>| json!({ "rawBytes": b64(&spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": { "start": "2020-01-01T00:00:00Z" } });
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                { "baseUrl": "https://rekor.testkit.invalid", "hashAlgorithm": "SHA2_256", "publicKey": key(p256_spki(&self.rekor_key)), "logId": { "keyId": b64(self.log_id()) } },
                { "baseUrl": "https://log2025.rekor.testkit.invalid", "hashAlgorithm": "SHA2_256", "publicKey": { "rawBytes": b64(self.rekor_v2_spki()), "keyDetails": "PKIX_ED25519", "validFor": { "start": "2020-01-01T00:00:00Z" } }, "logId": { "keyId": b64(self.rekor_v2_log_id()) } }
            ],
            "certificateAuthorities": [{
                "subject": { "organization": "npm-provenance-testkit", "commonName": "testkit-fulcio" },
                "uri": "https://fulcio.testkit.invalid",
                "certChain": { "certificates": [{ "rawBytes": b64(&self.ca_cert) }] },
                "validFor": { "start": "2020-01-01T00:00:00Z" }
            }],
            "ctlogs": [{ "baseUrl": "https://ctfe.testkit.invalid", "hashAlgorithm": "SHA2_256", "publicKey": key(p256_spki(&self.ct_key)), "logId": { "keyId": b64(Sha256::digest(p256_spki(&self.ct_key))) } }],
            "timestampAuthorities": [self.tsa.trusted_root_entry("2020-01-01T00:00:00Z", None)]
        })
        .to_string()
    }

    /// npm's key id for the registry key (its SSH fingerprint).
    pub fn registry_key_id(&self) -> String {
        let point = self.registry_key.verifying_key().to_encoded_point(false);
        let mut blob = Vec::new();
        for part in [&b"ecdsa-sha2-nistp256"[..], b"nistp256", point.as_bytes()] {
            blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
            blob.extend_from_slice(part);
        }
        format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&blob))
        )
    }

    /// A `/-/npm/v1/keys` document with the registry key, expiring at `expires` (RFC 3339) if given.
    pub fn registry_keys_document(&self, expires: Option<&str>) -> String {
        json!({ "keys": [{ "expires": expires, "keyid": self.registry_key_id(), "keytype": "ecdsa-sha2-nistp256", "scheme": "ecdsa-sha2-nistp256", "key": b64(p256_spki(&self.registry_key)) }] })
            .to_string()
    }

    /// The registry key as Sigstore's TUF repository publishes npm's keys
    /// (the target `registry.npmjs.org/keys.json`): for both usages, valid
    /// from `start`.
    pub fn registry_keys_tuf_target(&self) -> String {
        let key = |usage: &str| {
            json!({ "keyId": self.registry_key_id(), "keyUsage": usage, "publicKey": {
                "rawBytes": b64(p256_spki(&self.registry_key)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": { "start": "2020-01-01T00:00:00.000Z" } } })
        };
        json!({ "keys": [key("npm:signatures"), key("npm:attestations")] }).to_string()
    }

    /// The registry key's public key as PEM (`-----BEGIN PUBLIC KEY-----`), as
    /// `verify --key` reads it.
    pub fn registry_public_key_pem(&self) -> String {
        pem("PUBLIC KEY", &p256_spki(&self.registry_key))
    }

    /// The public key (PEM) of the key `Faults::signature_by_other_key` signs
    /// with: not the registry's, nor any this instance trusts.
    pub fn other_public_key_pem(&self) -> String {
        pem("PUBLIC KEY", &p256_spki(&self.other_key))
    }

    /// A `dist.signatures` entry over `name@version:integrity`.
    pub fn registry_signature(&self, name: &str, version: &str, integrity: &str) -> Value {
        json!({ "keyid": self.registry_key_id(), "sig": b64(sign_p256(&self.registry_key, format!("{name}@{version}:{integrity}").as_bytes())) })
    }

    /// A CA certificate for the unlisted intermediate, issued by the trusted CA.
    fn intermediate_certificate(&self) -> Vec<u8> {
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

    fn leaf_certificate(&self, identity: &Identity, faults: &Faults, time: i64, chain: ChainShape) -> Vec<u8> {
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

    /// A keyless bundle (v0.3, certificate) over `statement`, as npm's provenance is.
    pub fn keyless_bundle(&self, statement: &Value, identity: &Identity, faults: &Faults) -> String {
        self.keyless_bundle_with(
            &serde_json::to_vec(statement).unwrap(),
            identity,
            faults,
            &Shape::default(),
        )
    }

    /// A keyless bundle over any payload bytes (signed as an in-toto
    /// statement: the payload need not even be JSON), in any shape.
    pub fn keyless_bundle_with(&self, payload: &[u8], identity: &Identity, faults: &Faults, shape: &Shape) -> String {
        let time = if faults.integrated_in_future {
            now() + 3600
        } else {
            INTEGRATED_TIME
        };
        let cert = self.leaf_certificate(identity, faults, time, shape.chain);
        let payload_type = payload_type(faults);
        let pae = pae(payload_type, payload);
        let signer = if faults.signature_by_other_key {
            &self.other_key
        } else {
            &self.leaf_key
        };
        let sig = sign_p256(signer, &pae);
        let entry = match shape.log {
            LogShape::RekorV1 => self.log_entry(payload, &sig, &pem("CERTIFICATE", &cert), time, faults, shape),
            LogShape::RekorV2 => self.log_entry_v2(&pae, &sig, &cert, faults, shape),
        };
        let (media_type, certificate) = match shape.chain {
            _ if faults.chain_in_v03 => (
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                json!({ "x509CertificateChain": { "certificates": [{ "rawBytes": b64(&cert) }, { "rawBytes": b64(&self.ca_cert) }] } }),
            ),
            ChainShape::Certificate => (
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                json!({ "certificate": { "rawBytes": b64(&cert) } }),
            ),
            ChainShape::ChainWithRoot => (
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                json!({ "x509CertificateChain": { "certificates": [{ "rawBytes": b64(&cert) }, { "rawBytes": b64(&self.ca_cert) }] } }),
            ),
            ChainShape::UnlistedIntermediate => (
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                json!({ "x509CertificateChain": { "certificates": [
                    { "rawBytes": b64(&cert) },
                    { "rawBytes": b64(self.intermediate_certificate()) },
                    { "rawBytes": b64(&self.ca_cert) }
                ] } }),
            ),
        };
        let mut material = certificate;
        material["tlogEntries"] = tlog_entries(entry, shape);
        if shape.rfc3161 || shape.log == LogShape::RekorV2 {
            material["timestampVerificationData"] = self.timestamps(&sig, time, faults);
        }
        json!({
            "mediaType": media_type,
            "verificationMaterial": material,
            "dsseEnvelope": {
                "payload": b64(payload),
                "payloadType": payload_type,
                "signatures": [{ "sig": b64(&sig), "keyid": faults.keyless_key_id.clone().unwrap_or_default() }]
            }
        })
        .to_string()
    }

    /// `timestampVerificationData` with one RFC 3161 token over `signature`.
    fn timestamps(&self, signature: &[u8], time: i64, faults: &Faults) -> Value {
        let other = b"another signature".to_vec();
        let token = self.tsa.token(
            signature,
            time,
            faults.timestamp_by_other_key,
            faults.timestamp_for_other_signature.then_some(&other[..]),
        );
        json!({ "rfc3161Timestamps": [{ "signedTimestamp": b64(token) }] })
    }

    /// A keyed bundle (v0.2, public key hint) signed by the registry key, as
    /// npm's publish attestation is.
    pub fn keyed_bundle(&self, statement: &Value, faults: &Faults) -> String {
        self.keyed_bundle_with(&serde_json::to_vec(statement).unwrap(), faults, &Shape::default())
    }

    /// A keyed bundle over any payload bytes.
    pub fn keyed_bundle_with(&self, payload: &[u8], faults: &Faults, shape: &Shape) -> String {
        let time = if faults.integrated_in_future {
            now() + 3600
        } else {
            INTEGRATED_TIME
        };
        let payload_type = payload_type(faults);
        let pae = pae(payload_type, payload);
        let signer = if faults.signature_by_other_key {
            &self.other_key
        } else {
            &self.registry_key
        };
        let sig = sign_p256(signer, &pae);
        let verifier = pem("PUBLIC KEY", &p256_spki(&self.registry_key));
        let entry = self.log_entry(payload, &sig, &verifier, time, faults, shape);
        let key_id = self.registry_key_id();
        let hint = if faults.hint_differs {
            "SHA256:some-other-key".to_string()
        } else {
            key_id.clone()
        };
        let signature_key_id = if faults.keyed_no_key_id { String::new() } else { key_id };
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "verificationMaterial": { "publicKey": { "hint": hint }, "tlogEntries": tlog_entries(entry, shape) },
            "dsseEnvelope": { "payload": b64(payload), "payloadType": payload_type, "signatures": [{ "sig": b64(&sig), "keyid": signature_key_id }] }
        })
        .to_string()
    }

    /// A `dsse` 0.0.1 log entry with its SET and an inclusion proof (a tree of
    /// two leaves) with a signed checkpoint.
    fn log_entry(
        &self,
        payload: &[u8],
        signature: &[u8],
        verifier_pem: &str,
        time: i64,
        faults: &Faults,
        shape: &Shape,
    ) -> Value {
        let logged_payload = if faults.entry_for_other_payload {
            b"another payload".to_vec()
        } else {
            payload.to_vec()
        };
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": { "algorithm": "sha256", "value": hex(&Sha256::digest(b"envelope")) },
                "payloadHash": { "algorithm": "sha256", "value": hex(&Sha256::digest(&logged_payload)) },
                "signatures": [{ "signature": b64(signature), "verifier": b64(verifier_pem) }]
            }
        })
        .to_string();
        let log_index = 4242u64;
        let log_id = self.log_id();
        let set_payload = format!(
            r#"{{"body":"{}","integratedTime":{time},"logID":"{}","logIndex":{log_index}}}"#,
            b64(&body),
            hex(&log_id)
        );
        let set_key = if faults.set_by_other_key {
            &self.other_key
        } else {
            &self.rekor_key
        };
        let set = sign_p256(set_key, set_payload.as_bytes());
        // Tree of two: this entry (index 0) and a sibling.
        let leaf = merkle_leaf(body.as_bytes());
        let sibling = if faults.wrong_proof_hash {
            merkle_leaf(b"not the sibling")
        } else {
            merkle_leaf(b"sibling")
        };
        let root = merkle_node(&leaf, &merkle_leaf(b"sibling"));
        let origin = "rekor.testkit.invalid - 1";
        let note = format!("{origin}\n2\n{}\n", b64(root));
        let checkpoint_key = if faults.checkpoint_by_other_key {
            &self.other_key
        } else {
            &self.rekor_key
        };
        let mut signed = Sha256::digest(p256_spki(&self.rekor_key))[..4].to_vec();
        signed.extend_from_slice(&sign_p256(checkpoint_key, note.as_bytes()));
        let checkpoint = format!(
            "{note}\n{}\u{2014} rekor.testkit.invalid {}\n",
            forged_lines(&log_id[..4], shape.extra_checkpoint_lines),
            b64(&signed)
        );
        let kind_version = if faults.entry_kind_mismatch {
            json!({ "kind": "hashedrekord", "version": "0.0.1" })
        } else {
            json!({ "kind": "dsse", "version": "0.0.1" })
        };
        let mut entry = json!({
            "logIndex": log_index.to_string(),
            "logId": { "keyId": b64(&log_id) },
            "kindVersion": kind_version,
            "integratedTime": time.to_string(),
            "inclusionPromise": { "signedEntryTimestamp": b64(&set) },
            "inclusionProof": { "logIndex": "0", "rootHash": b64(root), "treeSize": "2", "hashes": [b64(sibling)], "checkpoint": { "envelope": checkpoint } },
            "canonicalizedBody": b64(&body)
        });
        without_inclusion_evidence(&mut entry, faults);
        entry
    }

    /// A Rekor v2 `hashedrekord` 0.0.2 entry for a DSSE envelope (the log
    /// records the SHA-256 of the PAE): an inclusion proof in a tree of two
    /// leaves, its checkpoint signed with the log's Ed25519 key and cosigned
    /// by a witness; no signed entry timestamp, no integrated time.
    fn log_entry_v2(&self, pae: &[u8], signature: &[u8], cert: &[u8], faults: &Faults, shape: &Shape) -> Value {
        use ed25519_dalek::Signer as _;
        let logged = if faults.entry_for_other_payload {
            Sha256::digest(b"another payload")
        } else {
            Sha256::digest(pae)
        };
        let body = json!({
            "apiVersion": "0.0.2",
            "kind": "hashedrekord",
            "spec": { "hashedRekordV002": {
                "data": { "algorithm": "SHA2_256", "digest": b64(logged) },
                "signature": { "content": b64(signature), "verifier": { "keyDetails": "PKIX_ECDSA_P256_SHA_256", "x509Certificate": { "rawBytes": b64(cert) } } }
            } }
        })
        .to_string();
        let leaf = merkle_leaf(body.as_bytes());
        let sibling = if faults.wrong_proof_hash {
            merkle_leaf(b"not the sibling")
        } else {
            merkle_leaf(b"sibling")
        };
        let root = merkle_node(&leaf, &merkle_leaf(b"sibling"));
        let origin = "log2025.rekor.testkit.invalid";
        let note = format!("{origin}\n2\n{}\n", b64(root));
        let log_key = if faults.checkpoint_by_other_key {
            ed25519_dalek::SigningKey::from_bytes(&[28u8; 32])
        } else {
            self.rekor_v2_key.clone()
        };
        let log_id = self.rekor_v2_log_id();
        let mut signed = log_id[..4].to_vec();
        signed.extend_from_slice(&log_key.sign(note.as_bytes()).to_bytes());
        let mut witnessed = Sha256::digest(ed25519_spki(&self.witness_key))[..4].to_vec();
        witnessed.extend_from_slice(&self.witness_key.sign(note.as_bytes()).to_bytes());
        let checkpoint = format!(
            "{note}\n{}\u{2014} {origin} {}\n\u{2014} witness.testkit.invalid {}\n",
            forged_lines(&log_id[..4], shape.extra_checkpoint_lines),
            b64(&signed),
            b64(&witnessed)
        );
        let kind_version = if faults.entry_kind_mismatch {
            json!({ "kind": "dsse", "version": "0.0.1" })
        } else {
            json!({ "kind": "hashedrekord", "version": "0.0.2" })
        };
        let mut entry = json!({
            "logIndex": "0",
            "logId": { "keyId": b64(&log_id) },
            "kindVersion": kind_version,
            "inclusionProof": { "logIndex": "0", "rootHash": b64(root), "treeSize": "2", "hashes": [b64(sibling)], "checkpoint": { "envelope": checkpoint } },
            "canonicalizedBody": b64(&body)
        });
        without_inclusion_evidence(&mut entry, faults);
        entry
    }
}

/// The DSSE payload type a bundle is signed with.
fn payload_type(faults: &Faults) -> &'static str {
    if faults.other_payload_type {
        "application/json"
    } else {
        INTOTO
    }
}

/// A bundle's `tlogEntries`: the entry, and as many copies as the shape asks.
fn tlog_entries(entry: Value, shape: &Shape) -> Value {
    Value::Array(vec![entry; 1 + shape.extra_tlog_entries])
}

/// Removes the entry's inclusion promise and proof when the faults ask it.
fn without_inclusion_evidence(entry: &mut Value, faults: &Faults) {
    if faults.no_inclusion_evidence
        && let Some(entry) = entry.as_object_mut()
    {
        entry.remove("inclusionPromise");
        entry.remove("inclusionProof");
    }
}

/// `count` signature lines that name the log's key hint but carry no valid
/// signature, for the checkpoint's signature section.
fn forged_lines(hint: &[u8], count: usize) -> String {
    // A DER ECDSA signature's size (r and s of 32 bytes), verifying nothing.
    let mut blob = hint.to_vec();
    blob.extend_from_slice(&[0x30, 0x44, 0x02, 0x20]);
    blob.extend_from_slice(&[0x11; 32]);
    blob.extend_from_slice(&[0x02, 0x20]);
    blob.extend_from_slice(&[0x22; 32]);
    let line = format!("\u{2014} rekor.testkit.invalid {}\n", b64(&blob));
    line.repeat(count)
}

fn ed25519_spki(key: &ed25519_dalek::SigningKey) -> Vec<u8> {
    // SubjectPublicKeyInfo for id-Ed25519 (RFC 8410): a fixed prefix and the key.
    let mut spki = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    spki.extend_from_slice(key.verifying_key().as_bytes());
    spki
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn spki_p384(key: &p384::ecdsa::SigningKey) -> Vec<u8> {
    key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec()
}

fn sign_certificate(tbs: TbsCertificate, key: &p384::ecdsa::SigningKey) -> Vec<u8> {
    let sig: p384::ecdsa::Signature = key.sign(&tbs.to_der().unwrap());
    let cert = Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(sig.to_der().as_bytes()).unwrap(),
    };
    cert.to_der().unwrap()
}

fn self_signed_ca(key: &p384::ecdsa::SigningKey, name: &Name) -> Vec<u8> {
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

fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// DSSE's pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

fn merkle_leaf(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn merkle_node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A tarball stand-in and its `dist.integrity` and sha512 hex.
pub fn integrity_of(tarball: &[u8]) -> (String, String) {
    let digest = Sha512::digest(tarball);
    (format!("sha512-{}", b64(digest)), hex(&digest))
}

fn purl(name: &str, version: &str) -> String {
    match name.strip_prefix('@') {
        Some(scoped) => format!("pkg:npm/%40{scoped}@{version}"),
        None => format!("pkg:npm/{name}@{version}"),
    }
}

/// npm's SLSA v1 provenance statement for a GitHub Actions build.
pub fn github_provenance(
    name: &str,
    version: &str,
    sha512_hex: &str,
    repo: &str,
    workflow: &str,
    commit: &str,
) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": purl(name, version), "digest": { "sha512": sha512_hex } }],
        "predicateType": SLSA_V1,
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": { "workflow": { "ref": "refs/heads/main", "repository": format!("https://github.com/{repo}"), "path": workflow } },
                "internalParameters": { "github": { "event_name": "push", "repository_id": "123456", "repository_owner_id": "7890" } },
                "resolvedDependencies": [{ "uri": format!("git+https://github.com/{repo}@refs/heads/main"), "digest": { "gitCommit": commit } }]
            },
            "runDetails": {
                "builder": { "id": "https://github.com/actions/runner/github-hosted" },
                "metadata": { "invocationId": format!("https://github.com/{repo}/actions/runs/1111/attempts/1") }
            }
        }
    })
}

/// npm's SLSA v0.2 provenance statement for a GitLab CI job.
pub fn gitlab_provenance(name: &str, version: &str, sha512_hex: &str, project: &str, commit: &str) -> Value {
    gitlab_provenance_on(GITLAB_ISSUER, name, version, sha512_hex, project, commit)
}

/// npm's GitLab provenance (SLSA v0.2, build type `.../gitlab/v0alpha1`,
/// as npm's libnpmpublish writes it) for a job on the GitLab at `server`:
/// the builder is the project's runner, the config source the project at
/// the commit (`sha1`) with the job name as entry point, the invocation the
/// job URL.
pub fn gitlab_provenance_on(
    server: &str,
    name: &str,
    version: &str,
    sha512_hex: &str,
    project: &str,
    commit: &str,
) -> Value {
    let project_url = format!("{server}/{project}");
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{ "name": purl(name, version), "digest": { "sha512": sha512_hex } }],
        "predicateType": SLSA_V02,
        "predicate": {
            "buildType": "https://github.com/npm/cli/gitlab/v0alpha1",
            "builder": { "id": format!("{project_url}/-/runners/12270835") },
            "invocation": {
                "configSource": { "uri": format!("git+{project_url}"), "digest": { "sha1": commit }, "entryPoint": "deploy" },
                "parameters": {
                    "CI": "true", "GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_SHA": commit,
                    "CI_CONFIG_PATH": ".gitlab-ci.yml", "CI_JOB_NAME": "deploy", "CI_JOB_ID": "4242",
                    "CI_JOB_URL": format!("{project_url}/-/jobs/4242"), "CI_PIPELINE_ID": "872773336",
                    "CI_PIPELINE_SOURCE": "push", "CI_PROJECT_PATH": project, "CI_PROJECT_URL": project_url,
                    "CI_SERVER_URL": server
                },
                "environment": {
                    "name": "3-blue.shared.runners-manager.gitlab.com/default", "architecture": "amd64",
                    "server": server, "project": project, "job": { "id": "4242" },
                    "pipeline": { "id": "872773336", "ref": ".gitlab-ci.yml" }
                }
            },
            "metadata": { "buildInvocationId": format!("{project_url}/-/jobs/4242"), "completeness": { "parameters": true, "environment": true, "materials": false }, "reproducible": false },
            "materials": [{ "uri": format!("git+{project_url}"), "digest": { "sha1": commit } }]
        }
    })
}

/// npm's publish attestation statement.
pub fn publish_statement(name: &str, version: &str, sha512_hex: &str) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{ "name": purl(name, version), "digest": { "sha512": sha512_hex } }],
        "predicateType": NPM_PUBLISH,
        "predicate": { "name": name, "version": version, "registry": "https://registry.npmjs.org" }
    })
}

/// An attestations response of `(predicate type label, bundle JSON)` pairs.
pub fn attestations_response(entries: &[(&str, &str)]) -> String {
    let list: Vec<Value> = entries
        .iter()
        .map(|(t, b)| json!({ "predicateType": t, "bundle": serde_json::from_str::<Value>(b).unwrap() }))
        .collect();
    json!({ "attestations": list }).to_string()
}
