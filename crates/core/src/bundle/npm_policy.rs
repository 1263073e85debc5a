//! npm's policy on what was signed: the statement's type, its subject (this
//! package, this tarball), the publish predicate, and that the provenance
//! predicate describes the build its certificate certifies.

use crate::bundle::expectation::{ArtifactExpectation, DigestAlgorithm};
use crate::bundle::statement::{Statement, Subject};
use crate::checks::Outcome;
use crate::identity::{CertificateBuild, ExpectedIdentity, check_consistency};
use crate::package::{hex, truncate};
use crate::predicate::{NPM_PUBLISH_V01, SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02, read_provenance};
use crate::report::{AttestationKind, Identity, PackageRef};

/// What an npm attestation is, from its (signed) predicate type.
pub fn kind_of_predicate(predicate_type: &str) -> Option<AttestationKind> {
    match predicate_type {
        SLSA_PROVENANCE_V02 | SLSA_PROVENANCE_V1 => Some(AttestationKind::Provenance),
        NPM_PUBLISH_V01 => Some(AttestationKind::Publish),
        _ => None,
    }
}

/// The statement check: the payload read as an in-toto statement (once, in
/// `structure`), and for npm attestations its signed predicate type is one
/// npm uses for this kind and equals the registry's unsigned label.
pub fn statement(
    read: &Result<Statement, String>,
    kind: AttestationKind,
    registry_label: Option<&str>,
) -> Result<String, String> {
    let st = read.as_ref().map_err(Clone::clone)?;
    if !st.is_intoto() {
        return Err(format!(
            "The statement's _type {:?} is not an in-toto statement type.",
            truncate(&st.statement_type, 100)
        ));
    }
    let signed = st.predicate_type.as_str();
    if kind == AttestationKind::Bundle {
        return Ok(format!(
            "An in-toto statement with the signed predicate type {}.",
            truncate(signed, 200)
        ));
    }
    if kind_of_predicate(signed) != Some(kind) {
        return Err(format!(
            "The signed predicate type {:?} is not one of {}.",
            truncate(signed, 200),
            match kind {
                AttestationKind::Publish => "npm's publish attestation types",
                _ => "the SLSA provenance types npm uses (v0.2, v1)",
            }
        ));
    }
    if let Some(label) = registry_label
        && label != signed
    {
        return Err(format!(
            "The registry labels this attestation {:?}, but the signed statement says {:?}.",
            truncate(label, 200),
            truncate(signed, 200)
        ));
    }
    Ok(format!("An in-toto statement with the signed predicate type {signed}."))
}

/// The statement check of a DSSE envelope that is not an attestation (its
/// payload type is not in-toto's), verified as a plain Sigstore bundle: the
/// signature covers the payload type and the payload, nothing in them is read.
pub fn signed_payload(payload_type: &str, payload: &[u8]) -> String {
    format!(
        "The envelope signs a {} payload of {} bytes, not an in-toto statement: it is verified as signed bytes, as the Sigstore client specification verifies a DSSE envelope; it states no subject, so the payload itself is the artifact.",
        truncate(payload_type, 100),
        payload.len()
    )
}

/// The subject check of a signed payload: the artifact is the payload (its
/// bytes, or their digest).
pub fn payload_subject(payload: &[u8], artifact: &ArtifactExpectation) -> Outcome {
    use sha2::Digest;
    let (matches, source) = match artifact {
        ArtifactExpectation::Unknown => {
            return Outcome::Skipped {
                required: true,
                why: "No artifact was supplied to compare the signed payload with.".into(),
            };
        }
        ArtifactExpectation::Blob(bytes) => (bytes.as_slice() == payload, "the artifact".to_string()),
        ArtifactExpectation::Digest {
            algorithm,
            bytes,
            source,
        } => {
            let digest = match algorithm {
                DigestAlgorithm::Sha256 => sha2::Sha256::digest(payload).to_vec(),
                DigestAlgorithm::Sha512 => sha2::Sha512::digest(payload).to_vec(),
            };
            (digest == *bytes, format!("the {} of {source}", algorithm.name()))
        }
        ArtifactExpectation::Integrity(integrity) => {
            let digest = sha2::Sha512::digest(payload);
            (
                !integrity.sha512.is_empty() && integrity.sha512.iter().all(|d| d.as_slice() == digest.as_slice()),
                "the sha512 of the registry's dist.integrity".to_string(),
            )
        }
    };
    if matches {
        Outcome::Passed(format!("The signed payload is {source}."))
    } else {
        Outcome::Failed(format!("The signed payload is not {source}."))
    }
}

/// Which digest of which subject matched, for the Sigstore library's own
/// binding check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectMatch {
    /// `sha256` or `sha512`.
    pub algorithm: &'static str,
    pub digest: Vec<u8>,
}

/// The subject check. For npm attestations: exactly one subject, named by
/// this version's purl, whose sha512 is every sha512 of the registry's
/// integrity. For other bundles: some subject with the artifact's digest.
pub fn subject(
    st: &Statement,
    kind: AttestationKind,
    package: Option<&PackageRef>,
    artifact: &ArtifactExpectation,
) -> (Outcome, Option<SubjectMatch>) {
    let npm = kind != AttestationKind::Bundle;
    let subjects = st.subjects.as_slice();
    let mut established = Vec::new();
    if npm {
        let [only] = subjects else {
            return (
                Outcome::Failed(format!(
                    "An npm attestation has exactly one subject; this statement has {}.",
                    subjects.len()
                )),
                None,
            );
        };
        match package {
            Some(pkg) if only.name == pkg.purl => established.push(format!("named {}", only.name)),
            Some(pkg) => {
                return (
                    Outcome::Failed(format!(
                        "The subject is {:?}, not this package's {}.",
                        truncate(&only.name, 200),
                        pkg.purl
                    )),
                    None,
                );
            }
            None => {}
        }
    }
    let first_name = subjects.first().map(|s| s.name.as_str()).unwrap_or_default();
    let wanted = match artifact.wanted(subjects) {
        None => {
            let mut why = String::from("No integrity or artifact was supplied to compare the subject's digest with");
            if npm && package.is_none() {
                why.push_str(", nor a package name and version for its name");
            }
            return (
                Outcome::Skipped {
                    required: true,
                    why: format!("{why} (subject: {}).", truncate(first_name, 200)),
                },
                None,
            );
        }
        Some(wanted) => wanted,
    };
    let stated = |s: &Subject| s.digests.get(wanted.algorithm).cloned();
    // Every digest the expectation holds must be the subject's (an integrity
    // string may list several sha512 hashes; npm's checker accepts a tarball
    // that matches any one of them, so each must be the signed one).
    let matching = subjects
        .iter()
        .find(|s| stated(s).is_some_and(|d| wanted.digests.iter().all(|w| *w == d)));
    match matching {
        Some(_) => {
            established.push(format!("with the {} of {}", wanted.algorithm, wanted.source));
            let mut sentence = format!("The subject is {}.", established.join(" "));
            if !wanted.ignored.is_empty() {
                sentence.push_str(&format!(
                    " The integrity's {} hash{} not compared: the signed subject states sha512.",
                    wanted.ignored.join(", "),
                    if wanted.ignored.len() == 1 { " is" } else { "es are" }
                ));
            }
            let digest = wanted
                .digests
                .first()
                .and_then(|hex| decode_hex(hex))
                .unwrap_or_default();
            (
                Outcome::Passed(sentence),
                Some(SubjectMatch {
                    algorithm: wanted.algorithm,
                    digest,
                }),
            )
        }
        None => {
            let stated = subjects
                .first()
                .and_then(stated)
                .unwrap_or_else(|| "no such digest".into());
            let expected = wanted
                .digests
                .iter()
                .map(|d| truncate(d, 24))
                .collect::<Vec<_>>()
                .join(", ");
            let several = if wanted.digests.len() > 1 {
                format!(
                    " (it lists {} {} hashes, and every one must be the signed one)",
                    wanted.digests.len(),
                    wanted.algorithm
                )
            } else {
                String::new()
            };
            // Say why when only the case differs: the same bytes, but not
            // the form npm's own check (and this one) compares.
            if wanted
                .digests
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&stated) && *w != stated)
            {
                return (
                    Outcome::Failed(format!(
                        "The signed subject's {} is written with uppercase hex digits; npm compares the \
                         lowercase hex of {} exactly, so it does not match.",
                        wanted.algorithm, wanted.source
                    )),
                    None,
                );
            }
            (
                Outcome::Failed(format!(
                    "The signed subject's {} ({}) is not the {} of {} ({expected}){several}.",
                    wanted.algorithm,
                    truncate(&stated, 24),
                    wanted.algorithm,
                    wanted.source,
                )),
                None,
            )
        }
    }
}

/// The digests a subject must state, in hex, and where they come from.
pub struct Wanted {
    pub algorithm: &'static str,
    /// Lowercase hex; at least one.
    pub digests: Vec<String>,
    pub source: String,
    /// Algorithms of the expectation that are not compared (an integrity's sha1).
    pub ignored: Vec<String>,
}

impl ArtifactExpectation {
    /// What the subjects must state, choosing for a blob the algorithm the
    /// subjects use; `None` when nothing was supplied to compare with.
    fn wanted(&self, subjects: &[Subject]) -> Option<Wanted> {
        use sha2::Digest;
        Some(match self {
            ArtifactExpectation::Unknown => return None,
            ArtifactExpectation::Integrity(integrity) => Wanted {
                algorithm: "sha512",
                digests: integrity.sha512.iter().map(|d| hex(d)).collect(),
                source: "the registry's dist.integrity".into(),
                ignored: integrity.ignored.clone(),
            },
            ArtifactExpectation::Digest {
                algorithm,
                bytes,
                source,
            } => Wanted {
                algorithm: algorithm.name(),
                digests: vec![hex(bytes)],
                source: source.clone(),
                ignored: Vec::new(),
            },
            ArtifactExpectation::Blob(bytes) => {
                // A subject may state either; match what they state.
                let sha512 = subjects.iter().any(|s| s.digests.contains_key("sha512"));
                let (algorithm, digest) = if sha512 {
                    ("sha512", hex(&sha2::Sha512::digest(bytes)))
                } else {
                    ("sha256", hex(&sha2::Sha256::digest(bytes)))
                };
                Wanted {
                    algorithm,
                    digests: vec![digest],
                    source: "the artifact".into(),
                    ignored: Vec::new(),
                }
            }
        })
    }
}

/// The subject of a message signature: the digest the bundle states is the
/// artifact's. (The signature over it is checked by `sigstore-verify`.)
pub fn message_digest(bundle: &sigstore_types::Bundle, artifact: &ArtifactExpectation) -> Outcome {
    use sha2::Digest;
    use sigstore_types::{HashAlgorithm, SignatureContent};
    let SignatureContent::MessageSignature(signature) = &bundle.content else {
        return Outcome::Failed("The bundle holds no message signature.".into());
    };
    let Some(stated) = &signature.message_digest else {
        return match artifact {
            ArtifactExpectation::Unknown => Outcome::Skipped {
                required: true,
                why: "The bundle states no digest and no artifact was supplied.".into(),
            },
            _ => Outcome::Passed("The bundle states no digest: the signature check covers the artifact itself.".into()),
        };
    };
    let algorithm = stated.algorithm;
    let name = match algorithm {
        HashAlgorithm::Sha2256 => "sha256",
        HashAlgorithm::Sha2384 => "sha384",
        HashAlgorithm::Sha2512 => "sha512",
        _ => return Outcome::Failed(format!("The bundle's digest algorithm {algorithm} is not supported.")),
    };
    let (actual, source) = match artifact {
        ArtifactExpectation::Unknown => {
            return Outcome::Skipped {
                required: true,
                why: format!(
                    "No artifact was supplied to compare the bundle's {name} digest ({}) with.",
                    truncate(&hex(stated.digest.as_bytes()), 24)
                ),
            };
        }
        ArtifactExpectation::Blob(bytes) => (
            match algorithm {
                HashAlgorithm::Sha2256 => sha2::Sha256::digest(bytes).to_vec(),
                HashAlgorithm::Sha2384 => sha2::Sha384::digest(bytes).to_vec(),
                _ => sha2::Sha512::digest(bytes).to_vec(),
            },
            "the artifact".to_string(),
        ),
        ArtifactExpectation::Digest {
            algorithm: given,
            bytes,
            source,
        } if given.name() == name => (bytes.clone(), source.clone()),
        ArtifactExpectation::Integrity(integrity) if name == "sha512" => (
            integrity.sha512.first().map(|d| d.to_vec()).unwrap_or_default(),
            "the registry's dist.integrity".to_string(),
        ),
        _ => {
            return Outcome::Failed(format!(
                "The bundle states a {name} digest, and the artifact was given by another digest: they cannot be compared."
            ));
        }
    };
    if actual == stated.digest.as_bytes() {
        Outcome::Passed(format!("The signed message digest ({name}) is that of {source}."))
    } else {
        Outcome::Failed(format!(
            "The bundle's {name} digest ({}) is not that of {source} ({}).",
            truncate(&hex(stated.digest.as_bytes()), 24),
            truncate(&hex(&actual), 24)
        ))
    }
}

/// The first subject's digest, for a statement nothing was compared with
/// (the subject check was skipped, so the verdict cannot be "verified").
pub fn any_subject_digest(st: &Statement) -> Option<SubjectMatch> {
    let first = st.subjects.first()?;
    for algorithm in ["sha512", "sha256"] {
        if let Some(d) = first.digests.get(algorithm).and_then(|h| decode_hex(h)) {
            return Some(SubjectMatch { algorithm, digest: d });
        }
    }
    None
}

/// The publish predicate names this package and version.
pub fn publish_predicate(st: &Statement, package: Option<&PackageRef>) -> Outcome {
    let field = |key: &str| st.predicate.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let (name, version) = (field("name"), field("version"));
    match package {
        None => Outcome::Skipped {
            required: true,
            why: format!(
                "No package was named to compare the predicate's {}@{} with.",
                truncate(name, 100),
                truncate(version, 50)
            ),
        },
        Some(pkg) if pkg.name == name && pkg.version == version => {
            Outcome::Passed(format!("The registry attests the publication of {name}@{version}."))
        }
        Some(pkg) => Outcome::Failed(format!(
            "The publish predicate names {}@{}, not {}@{}.",
            truncate(name, 100),
            truncate(version, 50),
            pkg.name,
            pkg.version
        )),
    }
}

/// The provenance predicate describes the build the certificate certifies.
pub fn identity_consistency(cert: &CertificateBuild, st: &Statement) -> Result<String, String> {
    check_consistency(cert, &read_provenance(&st.predicate_type, &st.predicate))
}

/// The caller's expectations of the signer.
pub fn expected_identity(expected: &ExpectedIdentity, identity: Option<&Identity>) -> Outcome {
    if expected.is_empty() {
        return Outcome::Skipped {
            required: false,
            why: "No expected identity was given.".into(),
        };
    }
    match identity {
        Some(id) => expected.check(id).into(),
        None => Outcome::Failed("The bundle has no certificate identity to compare.".into()),
    }
}

/// Lowercase or uppercase hex to bytes; `None` for anything else, or for
/// more than a SHA-512's worth (a digest is never longer).
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    (text.len() <= 256).then(|| ::hex::decode(text).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::expectation::DigestAlgorithm;
    use crate::bundle::statement::{INTOTO_PAYLOAD_TYPE, read};
    use crate::package::Integrity;
    use base64::Engine as _;
    use sha2::Digest as _;

    #[test]
    fn hex_decoding() {
        assert_eq!(decode_hex("00ff"), Some(vec![0, 255]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("é0"), None);
    }

    const ARTIFACT: &[u8] = b"the artifact";

    /// A bundle holding a message signature that states `digest`
    /// (`SHA2_256`, ...) if given. Only its content is read here.
    fn message_bundle(digest: Option<(&str, &[u8])>) -> sigstore_types::Bundle {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let mut signature = serde_json::json!({ "signature": b64(b"sig") });
        if let Some((algorithm, bytes)) = digest {
            signature["messageDigest"] = serde_json::json!({ "algorithm": algorithm, "digest": b64(bytes) });
        }
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": { "publicKey": { "hint": "k" }, "tlogEntries": [] },
            "messageSignature": signature
        });
        sigstore_types::Bundle::from_json(&bundle.to_string()).unwrap()
    }

    fn sha256(b: &[u8]) -> Vec<u8> {
        sha2::Sha256::digest(b).to_vec()
    }
    fn sha384(b: &[u8]) -> Vec<u8> {
        sha2::Sha384::digest(b).to_vec()
    }
    fn sha512(b: &[u8]) -> Vec<u8> {
        sha2::Sha512::digest(b).to_vec()
    }

    fn skipped(why: &str) -> Outcome {
        Outcome::Skipped {
            required: true,
            why: why.into(),
        }
    }

    /// A message signature's stated digest is compared with the artifact in
    /// the algorithm it states (each of SHA-256, -384, -512).
    #[test]
    fn a_stated_message_digest_is_compared_in_its_algorithm() {
        for (algorithm, name, digest) in [
            ("SHA2_256", "sha256", sha256(ARTIFACT)),
            ("SHA2_384", "sha384", sha384(ARTIFACT)),
            ("SHA2_512", "sha512", sha512(ARTIFACT)),
        ] {
            let bundle = message_bundle(Some((algorithm, &digest)));
            assert_eq!(
                message_digest(&bundle, &ArtifactExpectation::Blob(ARTIFACT.to_vec())),
                Outcome::Passed(format!("The signed message digest ({name}) is that of the artifact."))
            );
            assert_eq!(
                message_digest(&bundle, &ArtifactExpectation::Blob(b"other bytes".to_vec())),
                Outcome::Failed(format!(
                    "The bundle's {name} digest ({}) is not that of the artifact ({}).",
                    truncate(&hex(&digest), 24),
                    truncate(
                        &hex(&match name {
                            "sha256" => sha256(b"other bytes"),
                            "sha384" => sha384(b"other bytes"),
                            _ => sha512(b"other bytes"),
                        }),
                        24
                    )
                ))
            );
        }
    }

    /// With nothing supplied to compare, the subject of a message signature
    /// is skipped (required: the verdict cannot be "verified"), whether or
    /// not the bundle states a digest.
    #[test]
    fn a_message_digest_with_no_artifact_is_skipped() {
        let digest = sha256(ARTIFACT);
        assert_eq!(
            message_digest(
                &message_bundle(Some(("SHA2_256", &digest))),
                &ArtifactExpectation::Unknown
            ),
            skipped(&format!(
                "No artifact was supplied to compare the bundle's sha256 digest ({}) with.",
                truncate(&hex(&digest), 24)
            ))
        );
        assert_eq!(
            message_digest(&message_bundle(None), &ArtifactExpectation::Unknown),
            skipped("The bundle states no digest and no artifact was supplied.")
        );
        // An artifact supplied: the signature check covers it.
        assert_eq!(
            message_digest(&message_bundle(None), &ArtifactExpectation::Blob(ARTIFACT.to_vec())),
            Outcome::Passed("The bundle states no digest: the signature check covers the artifact itself.".into())
        );
    }

    /// A digest given for the artifact is compared only with a stated digest
    /// of the same algorithm; a registry integrity only with a stated sha512.
    #[test]
    fn a_given_digest_is_compared_only_in_its_own_algorithm() {
        let given = |algorithm, bytes: Vec<u8>| ArtifactExpectation::Digest {
            algorithm,
            bytes,
            source: "the given digest".into(),
        };
        let stated512 = message_bundle(Some(("SHA2_512", &sha512(ARTIFACT))));
        let stated256 = message_bundle(Some(("SHA2_256", &sha256(ARTIFACT))));
        assert_eq!(
            message_digest(&stated256, &given(DigestAlgorithm::Sha256, sha256(ARTIFACT))),
            Outcome::Passed("The signed message digest (sha256) is that of the given digest.".into())
        );
        assert_eq!(
            message_digest(&stated512, &given(DigestAlgorithm::Sha256, sha256(ARTIFACT))),
            Outcome::Failed(
                "The bundle states a sha512 digest, and the artifact was given by another digest: they cannot be compared."
                    .into()
            )
        );
        let integrity = ArtifactExpectation::Integrity(Integrity {
            sha512: vec![sha512(ARTIFACT).try_into().unwrap()],
            ignored: vec![],
        });
        assert_eq!(
            message_digest(&stated512, &integrity),
            Outcome::Passed("The signed message digest (sha512) is that of the registry's dist.integrity.".into())
        );
        assert_eq!(
            message_digest(&stated256, &integrity),
            Outcome::Failed(
                "The bundle states a sha256 digest, and the artifact was given by another digest: they cannot be compared."
                    .into()
            )
        );
    }

    fn statement_with(subjects: &str) -> Statement {
        let text = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":{subjects},"predicateType":"https://slsa.dev/provenance/v1"}}"#
        );
        read(INTOTO_PAYLOAD_TYPE, text.as_bytes()).unwrap()
    }

    /// A subject whose digest is not the integrity's says which digests
    /// differ; "every one must be" only when the integrity lists several.
    #[test]
    fn a_subject_of_other_bytes_says_which_digests_differ() {
        let (signed, served) = (sha512(b"signed"), sha512(b"served"));
        let st = statement_with(&format!(
            r#"[{{"name":"pkg:npm/a@1.0.0","digest":{{"sha512":"{}"}}}}]"#,
            hex(&signed)
        ));
        let package = PackageRef::new("a", "1.0.0");
        let integrity = |digests: Vec<Vec<u8>>| {
            ArtifactExpectation::Integrity(Integrity {
                sha512: digests.into_iter().map(|d| d.try_into().unwrap()).collect(),
                ignored: vec![],
            })
        };
        let (outcome, matched) = subject(
            &st,
            AttestationKind::Provenance,
            Some(&package),
            &integrity(vec![served.clone()]),
        );
        assert_eq!(
            outcome,
            Outcome::Failed(format!(
                "The signed subject's sha512 ({}) is not the sha512 of the registry's dist.integrity ({}).",
                truncate(&hex(&signed), 24),
                truncate(&hex(&served), 24)
            ))
        );
        assert_eq!(matched, None);
        let (outcome, _) = subject(
            &st,
            AttestationKind::Provenance,
            Some(&package),
            &integrity(vec![signed.clone(), served.clone()]),
        );
        assert_eq!(
            outcome,
            Outcome::Failed(format!(
                "The signed subject's sha512 ({}) is not the sha512 of the registry's dist.integrity ({}, {}) \
                 (it lists 2 sha512 hashes, and every one must be the signed one).",
                truncate(&hex(&signed), 24),
                truncate(&hex(&signed), 24),
                truncate(&hex(&served), 24)
            ))
        );
    }

    /// With nothing to compare the subject with, the check is skipped and
    /// says what is missing: a package name only for npm attestations, and
    /// only when none was given.
    #[test]
    fn a_subject_with_nothing_to_compare_says_what_is_missing() {
        let st = statement_with(r#"[{"name":"pkg:npm/a@1.0.0","digest":{"sha512":"00"}}]"#);
        let package = PackageRef::new("a", "1.0.0");
        let unknown = &ArtifactExpectation::Unknown;
        let base = "No integrity or artifact was supplied to compare the subject's digest with";
        for (kind, package, says) in [
            (
                AttestationKind::Provenance,
                Some(&package),
                format!("{base} (subject: pkg:npm/a@1.0.0)."),
            ),
            (
                AttestationKind::Provenance,
                None,
                format!("{base}, nor a package name and version for its name (subject: pkg:npm/a@1.0.0)."),
            ),
            (
                AttestationKind::Bundle,
                None,
                format!("{base} (subject: pkg:npm/a@1.0.0)."),
            ),
        ] {
            assert_eq!(subject(&st, kind, package, unknown).0, skipped(&says), "{kind:?}");
        }
    }

    /// The digest the library binds a statement to when nothing was
    /// compared: the first subject's sha512, else its sha256.
    #[test]
    fn the_subject_digest_used_when_nothing_was_compared() {
        let both = statement_with(r#"[{"digest":{"sha256":"aa","sha512":"bb"}},{"digest":{"sha512":"cc"}}]"#);
        assert_eq!(
            any_subject_digest(&both),
            Some(SubjectMatch {
                algorithm: "sha512",
                digest: vec![0xbb]
            })
        );
        let sha256_only = statement_with(r#"[{"digest":{"sha256":"aa"}}]"#);
        assert_eq!(
            any_subject_digest(&sha256_only),
            Some(SubjectMatch {
                algorithm: "sha256",
                digest: vec![0xaa]
            })
        );
        let not_hex = statement_with(r#"[{"digest":{"sha256":"zz"}}]"#);
        assert_eq!(any_subject_digest(&not_hex), None);
    }

    /// Hex of up to 256 digits (a SHA-512's worth and more) is read; longer
    /// is not a digest.
    #[test]
    fn hex_up_to_the_limit() {
        assert_eq!(decode_hex(&"ab".repeat(128)), Some(vec![0xab; 128]));
        assert_eq!(decode_hex(&"ab".repeat(129)), None);
    }
}
