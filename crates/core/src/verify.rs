//! The entry points: a package version's attestations, a pasted document,
//! a single Sigstore bundle. Each returns a [`Report`]; none does I/O.

use crate::attestation::{ArtifactExpectation, BundleContext, DigestAlgorithm, Role, verify_bundle};
use crate::bundle_checks::kind_of_predicate;
use crate::checks::{CheckId, CheckStatus, Checklist, all_passed, any_failed};
use crate::identity::ExpectedIdentity;
use crate::package::{purl, sha512_from_integrity, validate_name, validate_version};
use crate::registry_documents::{RegistrySignature, looks_like_attestations_response, parse_attestations};
use crate::registry_signatures::check_registry_signatures;
use crate::report::{AttestationKind, AttestationReport, PackageRef, Report, Verdict};
use crate::summary::provenance_summary;
use crate::trust::TrustMaterial;

/// What the registry serves for one package version.
#[derive(Debug, Clone, Default)]
pub struct PackageVersionDocuments<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// `dist.integrity` from the version document.
    pub integrity: Option<&'a str>,
    /// The body of `/-/npm/v1/attestations/<name>@<version>`; `None` when the
    /// registry has none for this version (404, or no `dist.attestations`).
    pub attestations: Option<&'a str>,
    /// `dist.signatures` from the version document.
    pub registry_signatures: &'a [RegistrySignature],
    /// When the version was published (packument `time`), for key expiry.
    pub published_at: Option<i64>,
}

/// Verifies a package version's attestations and registry signatures.
pub fn verify_package_version(
    docs: &PackageVersionDocuments<'_>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    crate::crypto_backend::install();
    if let Err(e) = validate_name(docs.name).and_then(|_| validate_version(docs.version)) {
        return Report::error(None, e);
    }
    let package = PackageRef {
        name: docs.name.to_string(),
        version: docs.version.to_string(),
        purl: purl(docs.name, docs.version),
    };
    let artifact = match docs.integrity.map(sha512_from_integrity) {
        Some(Ok(bytes)) => ArtifactExpectation::Digest {
            algorithm: DigestAlgorithm::Sha512,
            bytes: bytes.to_vec(),
            source: "the registry's dist.integrity".into(),
        },
        Some(Err(e)) => {
            return Report::error(
                Some(package),
                format!("The version document's integrity is unusable: {e}."),
            );
        }
        None => ArtifactExpectation::Unknown,
    };

    let mut package_checks = Vec::new();
    let attestations = match docs.attestations {
        None => {
            let mut list = Checklist::new();
            list.skip_optional(
                CheckId::Attestations,
                "The registry serves no attestations for this version.",
            );
            package_checks.extend(list.into_checks());
            Vec::new()
        }
        Some(json) => {
            let mut list = Checklist::new();
            let reports = match parse_attestations(json) {
                Err(e) => {
                    list.fail(CheckId::Attestations, e);
                    Vec::new()
                }
                Ok(entries) => {
                    let ctx = BundleContext {
                        trust,
                        package: Some(&package),
                        artifact: &artifact,
                        expected,
                    };
                    let reports: Vec<AttestationReport> = entries
                        .iter()
                        .map(|e| verify_bundle(&e.bundle_json, e.predicate_type.as_deref(), &Role::Npm, &ctx))
                        .collect();
                    list.run(CheckId::Attestations, || attestation_set(&reports));
                    reports
                }
            };
            package_checks.extend(list.into_checks());
            sort_for_display(reports)
        }
    };

    let mut list = Checklist::new();
    match (docs.registry_signatures, docs.integrity) {
        ([], _) => list.skip_optional(
            CheckId::RegistrySignature,
            "The registry sent no dist.signatures for this version.",
        ),
        (_, None) => list.skip_optional(
            CheckId::RegistrySignature,
            "There is no integrity for the registry signature to cover.",
        ),
        (sigs, Some(integrity)) => list.run(CheckId::RegistrySignature, || {
            check_registry_signatures(
                docs.name,
                docs.version,
                integrity,
                sigs,
                trust.registry_keys(),
                docs.published_at,
            )
        }),
    }
    package_checks.extend(list.into_checks());
    assemble(
        Some(package),
        package_checks,
        attestations,
        if docs.attestations.is_none() {
            Assembly::NoneServed
        } else {
            Assembly::Package
        },
    )
}

/// Verifies what a person pasted: an attestations response or one bundle.
/// `package` (`name`, `version`) and `integrity` enable the npm checks that need them.
pub fn inspect(
    json: &str,
    package: Option<(&str, &str)>,
    integrity: Option<&str>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    crate::crypto_backend::install();
    let json = json.trim();
    if let Some((name, version)) = package
        && let Err(e) = validate_name(name).and_then(|_| validate_version(version))
    {
        return Report::error(None, e);
    }
    let package_ref = package.map(|(name, version)| PackageRef {
        name: name.into(),
        version: version.into(),
        purl: purl(name, version),
    });
    let artifact = match integrity
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(sha512_from_integrity)
    {
        Some(Ok(bytes)) => ArtifactExpectation::Digest {
            algorithm: DigestAlgorithm::Sha512,
            bytes: bytes.to_vec(),
            source: "the given integrity".into(),
        },
        Some(Err(e)) => return Report::error(package_ref, e),
        None => ArtifactExpectation::Unknown,
    };
    if looks_like_attestations_response(json) {
        if let (Some((name, version)), Some(integrity)) = (package, integrity) {
            let docs = PackageVersionDocuments {
                name,
                version,
                integrity: Some(integrity),
                attestations: Some(json),
                ..Default::default()
            };
            return verify_package_version(&docs, trust, expected);
        }
        let ctx = BundleContext {
            trust,
            package: package_ref.as_ref(),
            artifact: &artifact,
            expected,
        };
        let mut list = Checklist::new();
        let reports = match parse_attestations(json) {
            Err(e) => {
                list.fail(CheckId::Attestations, e);
                Vec::new()
            }
            Ok(entries) => {
                let reports: Vec<_> = entries
                    .iter()
                    .map(|e| verify_bundle(&e.bundle_json, e.predicate_type.as_deref(), &Role::Npm, &ctx))
                    .collect();
                list.run(CheckId::Attestations, || attestation_set(&reports));
                reports
            }
        };
        return assemble(package_ref, list.into_checks(), reports, Assembly::Package);
    }
    let ctx = BundleContext {
        trust,
        package: package_ref.as_ref(),
        artifact: &artifact,
        expected,
    };
    let report = verify_bundle(json, None, &Role::Auto, &ctx);
    assemble(package_ref, Vec::new(), vec![report], Assembly::SingleBundle)
}

/// Verifies one Sigstore bundle against an artifact, as `cosign verify-blob`
/// and the Sigstore conformance suite do: keyless (optionally with an expected
/// identity) or with `key` (DER SPKI).
pub fn verify_single_bundle(
    json: &str,
    artifact: ArtifactExpectation,
    key: Option<Vec<u8>>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    crate::crypto_backend::install();
    let ctx = BundleContext {
        trust,
        package: None,
        artifact: &artifact,
        expected,
    };
    let report = verify_bundle(json, None, &Role::Generic { key }, &ctx);
    assemble(None, Vec::new(), vec![report], Assembly::SingleBundle)
}

/// Provenance first, as people read it; the registry's order varies.
fn sort_for_display(mut reports: Vec<AttestationReport>) -> Vec<AttestationReport> {
    reports.sort_by_key(|r| match r.kind {
        AttestationKind::Provenance => 0,
        AttestationKind::Publish => 1,
        AttestationKind::Bundle => 2,
    });
    reports
}

/// The set check: which attestations are there, one of each kind at most.
fn attestation_set(reports: &[AttestationReport]) -> Result<String, String> {
    let count = |kind| reports.iter().filter(|r| r.kind == kind).count();
    let (provenance, publish) = (count(AttestationKind::Provenance), count(AttestationKind::Publish));
    // Two attestations of one kind would let a page show the harmless one while
    // the other is what a tool acts on; npm never serves that.
    if provenance > 1 || publish > 1 {
        return Err(format!(
            "The registry serves {provenance} provenance and {publish} publish attestations; npm serves at most one of each."
        ));
    }
    let mut names: Vec<&str> = reports
        .iter()
        .map(|r| match r.predicate_type.as_deref().and_then(kind_of_predicate) {
            Some(kind) => kind.label(),
            None => "an attestation of unknown type",
        })
        .collect();
    names.dedup();
    Ok(format!(
        "The registry serves {} attestation{}: {}.",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        names.join(" and ")
    ))
}

/// What a report is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Assembly {
    /// A package version's attestations: without a provenance attestation it has no provenance.
    Package,
    /// A package version for which the registry serves no attestations.
    NoneServed,
    /// One bundle, judged on its own.
    SingleBundle,
}

/// Combines the checks into the verdict and its sentence.
fn assemble(
    package: Option<PackageRef>,
    checks: Vec<crate::checks::Check>,
    attestations: Vec<AttestationReport>,
    mode: Assembly,
) -> Report {
    let all_checks: Vec<_> = checks
        .iter()
        .chain(attestations.iter().flat_map(|a| a.checks.iter()))
        .cloned()
        .collect();
    let provenance_att = attestations.iter().find(|a| a.kind == AttestationKind::Provenance);
    let lacks_provenance = match mode {
        Assembly::NoneServed => true,
        Assembly::Package => provenance_att.is_none(),
        Assembly::SingleBundle => attestations.is_empty(),
    };
    let verdict = if any_failed(&all_checks) {
        Verdict::Failed
    } else if lacks_provenance {
        Verdict::NoProvenance
    } else if all_passed(&all_checks) {
        Verdict::Verified
    } else {
        Verdict::Incomplete
    };
    let provenance = provenance_att
        .filter(|a| a.verdict != Verdict::Failed)
        .and_then(provenance_summary);
    let mut report = Report {
        package,
        verdict,
        summary: String::new(),
        checks,
        attestations,
        provenance,
    };
    report.summary = summary_sentence(&report, &all_checks);
    report
}

fn summary_sentence(report: &Report, all_checks: &[crate::checks::Check]) -> String {
    let what = report
        .package
        .as_ref()
        .map(|p| format!("{}@{}", p.name, p.version))
        .unwrap_or_else(|| "This bundle".into());
    match report.verdict {
        Verdict::Verified => match &report.provenance {
            Some(p) => format!(
                "{what}: provenance verified. {}{}.",
                p.headline,
                p.source_commit
                    .as_ref()
                    .map(|c| format!(" from {}", c.text))
                    .unwrap_or_default()
            ),
            None => format!("{what}: every check passed."),
        },
        Verdict::Failed => match report.first_failure() {
            Some((kind, check)) => format!(
                "{what}: verification failed at “{}”{}: {}",
                check.title,
                kind.map(|k| format!(" of the {}", k.label())).unwrap_or_default(),
                check.detail
            ),
            None => format!("{what}: verification failed."),
        },
        Verdict::NoProvenance => match report.publish_attestation() {
            Some(_) => format!("{what} has no provenance: the registry serves only its publish attestation."),
            None => {
                format!("{what} has no provenance: the registry serves no attestations for it.")
            }
        },
        Verdict::Incomplete => {
            let skipped: Vec<&str> = all_checks
                .iter()
                .filter(|c| c.required && c.status == CheckStatus::Skipped)
                .map(|c| c.title.as_str())
                .collect();
            format!(
                "{what}: the signatures verify, but some checks could not run ({}).",
                skipped.join(", ")
            )
        }
        Verdict::Error => report.summary.clone(),
    }
}
