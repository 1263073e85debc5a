//! npm's policy on what was signed: the statement's type, its subject (this
//! package, this tarball), the publish predicate, and that the provenance
//! predicate describes the build its certificate certifies.

use crate::bundle::ArtifactExpectation;
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

    #[test]
    fn hex_decoding() {
        assert_eq!(decode_hex("00ff"), Some(vec![0, 255]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("é0"), None);
    }
}
