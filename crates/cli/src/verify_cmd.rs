//! `npm-provenance verify`.

use std::path::PathBuf;

use clap::Args;
use npm_provenance_core::package::split_spec;
use npm_provenance_core::registry_documents::{VersionDist, parse_packument, parse_version_document};
use npm_provenance_core::registry_keys::spki_from_pem;
use npm_provenance_core::text::visible;
use npm_provenance_core::{
    ArtifactExpectation, DigestAlgorithm, ExpectedIdentity, PackageVersionDocuments, RegistryKeys, Report,
    TrustMaterial, Verdict, verify_package_version, verify_single_bundle,
};

use crate::exit;
use crate::input::{read_bytes, read_text};

#[derive(Args)]
#[command(
    about = "Verify a registry attestations response or a single Sigstore bundle",
    long_about = "Verify npm attestations as the registry serves them, or one Sigstore bundle.\n\n\
        npm attestations:\n  npm-provenance verify --attestations FILE --package NAME@VERSION (--integrity SRI | --packument FILE) [--keys FILE] [--json]\n\n\
        With --packument (the registry's /NAME document) the version's dist.integrity, dist.signatures and publish time\n\
        come from it, so registry signatures are checked too; without --attestations, a version the packument lists\n\
        without attestations is reported as having no provenance.\n\n\
        One Sigstore bundle:\n  npm-provenance verify --bundle FILE (--artifact FILE | --digest sha256:HEX | --digest sha512:HEX)\n      \
        [--trusted-root FILE] [--certificate-identity URI --certificate-oidc-issuer URI] [--key FILE] [--json]\n\n\
        FILE may be - for standard input. Exit status: 0 verified, 1 rejected, 2 unusable input or usage."
)]
pub struct VerifyArgs {
    /// A registry attestations response (`/-/npm/v1/attestations/NAME@VERSION`).
    #[arg(long, value_name = "FILE", conflicts_with = "bundle", requires = "package")]
    attestations: Option<PathBuf>,
    /// The registry's package document (`/NAME`) or version document (`/NAME/VERSION`): this version's
    /// `dist.integrity`, `dist.signatures` (checked) and publish time.
    #[arg(long, value_name = "FILE", conflicts_with = "bundle", requires = "package")]
    packument: Option<PathBuf>,
    /// The package version the attestations are for, e.g. `sigstore@2.3.1` or `@scope/name@1.0.0`.
    #[arg(long, value_name = "NAME@VERSION")]
    package: Option<String>,
    /// The version's `dist.integrity` from the registry (`sha512-...`).
    #[arg(long, value_name = "SRI")]
    integrity: Option<String>,
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's pinned ones.
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Expect the provenance to come from this repository (URL, or owner/repo on GitHub).
    #[arg(long, value_name = "REPO")]
    expect_repository: Option<String>,
    /// Expect the provenance to come from this build file (e.g. .github/workflows/release.yml).
    #[arg(long, value_name = "PATH")]
    expect_workflow: Option<String>,

    /// A single Sigstore bundle (v0.1 to v0.3).
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// The signed artifact (or, for an attestation, its subject).
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    artifact: Option<PathBuf>,
    /// The artifact's digest instead of the artifact: `sha256:HEX` or `sha512:HEX`.
    #[arg(long, value_name = "ALG:HEX")]
    digest: Option<String>,
    /// A trusted root (JSON) to use instead of Sigstore's public-good one.
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// The signer's identity: the certificate's subject alternative name, exactly.
    #[arg(long, value_name = "URI", requires = "certificate_oidc_issuer")]
    certificate_identity: Option<String>,
    /// The OIDC issuer of the signer's identity, exactly.
    #[arg(long, value_name = "URI", alias = "expect-issuer")]
    certificate_oidc_issuer: Option<String>,
    /// Verify a keyed bundle with this public key (PEM) instead of a certificate.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["certificate_identity", "certificate_oidc_issuer"])]
    key: Option<PathBuf>,

    /// Print the report as JSON instead of a checklist.
    #[arg(long)]
    json: bool,
}

/// Runs the command; returns the exit status.
pub fn run(args: VerifyArgs) -> u8 {
    match build_and_verify(&args) {
        Ok(report) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report).expect("reports serialize"));
            } else {
                print!("{}", crate::render::checklist(&report));
            }
            exit_status(report.verdict)
        }
        Err(message) => {
            if args.json {
                println!("{}", serde_json::json!({ "verdict": "error", "summary": message }));
            }
            eprintln!("npm-provenance verify: {message}");
            exit::UNUSABLE
        }
    }
}

/// The documented exit status of a verdict: 0 only for verified.
pub fn exit_status(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Verified => exit::VERIFIED,
        Verdict::Error => exit::UNUSABLE,
        Verdict::Failed | Verdict::NoProvenance | Verdict::Incomplete => exit::REJECTED,
    }
}

fn stdin_count(paths: &[&Option<PathBuf>]) -> usize {
    paths
        .iter()
        .filter(|p| p.as_deref().is_some_and(|p| p.as_os_str() == "-"))
        .count()
}

fn build_and_verify(args: &VerifyArgs) -> Result<Report, String> {
    let inputs = [
        &args.attestations,
        &args.packument,
        &args.bundle,
        &args.artifact,
        &args.keys,
        &args.trusted_root,
        &args.key,
    ];
    if stdin_count(&inputs) > 1 {
        return Err("only one input can be read from standard input (-)".into());
    }
    let keys_document = args.keys.as_ref().map(|p| read_text(p, "keys document")).transpose()?;
    let keys = RegistryKeys::npm_and(keys_document.as_deref()).map_err(|e| format!("--keys: {e}"))?;
    let root = args
        .trusted_root
        .as_ref()
        .map(|p| read_text(p, "trusted root"))
        .transpose()?;
    let trust = TrustMaterial::from_optional_root(root.as_deref(), keys)?;

    if args.attestations.is_some() || args.packument.is_some() {
        let spec = args.package.as_deref().unwrap_or_default();
        let (name, version) = split_spec(spec).ok_or_else(|| format!("--package {spec:?} is not NAME@VERSION"))?;
        let from_packument = match &args.packument {
            Some(path) => Some(version_from_packument(path, name, version)?),
            None => None,
        };
        let dist = from_packument.as_ref().map(|(dist, _)| dist);
        let integrity = match (&args.integrity, dist.and_then(|d| d.integrity.as_deref())) {
            (Some(given), Some(listed)) if given != listed => {
                return Err(format!(
                    "--integrity {given} differs from the packument's dist.integrity {listed}"
                ));
            }
            (Some(given), _) => Some(given.as_str()),
            (None, listed) => listed,
        };
        if integrity.is_none() && dist.is_none() {
            return Err("--attestations needs the version's integrity: --integrity SRI or --packument FILE".into());
        }
        let attestations = match &args.attestations {
            Some(path) => Some(read_json(path, "attestations response")?),
            None if dist.is_some_and(|d| d.attestations_url.is_some()) => {
                return Err(format!(
                    "the packument says {name}@{version} has attestations (dist.attestations): give them with --attestations FILE"
                ));
            }
            None => None,
        };
        let expected = ExpectedIdentity {
            repository: args.expect_repository.clone(),
            workflow: args.expect_workflow.clone(),
            issuer: args.certificate_oidc_issuer.clone(),
            subject_alternative_name: args.certificate_identity.clone(),
        };
        let docs = PackageVersionDocuments {
            name,
            version,
            integrity,
            attestations: attestations.as_deref(),
            registry_signatures: dist.map(|d| d.signatures.as_slice()).unwrap_or_default(),
            published_at: from_packument.as_ref().and_then(|(_, at)| *at),
        };
        return Ok(verify_package_version(&docs, &trust, &expected));
    }

    let Some(bundle_path) = &args.bundle else {
        return Err(
            "give --attestations FILE (with --package, and --integrity or --packument) or --bundle FILE".into(),
        );
    };
    let artifact = match (&args.artifact, &args.digest) {
        (Some(path), None) => ArtifactExpectation::Blob(read_bytes(path, "artifact")?),
        (None, Some(digest)) => parse_digest(digest)?,
        _ => return Err("--bundle needs the artifact: --artifact FILE or --digest sha256:HEX|sha512:HEX".into()),
    };
    let key = match &args.key {
        Some(path) => Some(spki_from_pem(&read_text(path, "public key")?).map_err(|e| format!("--key: {e}"))?),
        None => None,
    };
    let bundle = read_json(bundle_path, "bundle")?;
    let expected = ExpectedIdentity {
        issuer: args.certificate_oidc_issuer.clone(),
        subject_alternative_name: args.certificate_identity.clone(),
        repository: args.expect_repository.clone(),
        workflow: args.expect_workflow.clone(),
    };
    Ok(verify_single_bundle(&bundle, artifact, key, &trust, &expected))
}

/// This version's `dist` and publish time from the registry's package
/// document (`/NAME`) or version document (`/NAME/VERSION`), which must be
/// the named package's and list the version.
fn version_from_packument(
    path: &std::path::Path,
    name: &str,
    version: &str,
) -> Result<(VersionDist, Option<i64>), String> {
    let text = read_json(path, "packument")?;
    let is_packument = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("versions").is_some());
    let (doc_name, doc_version, dist, published_at) = if is_packument {
        let packument = parse_packument(&text).map_err(|e| format!("--packument: {e}"))?;
        let published_at = packument.published_at(version);
        let dist = packument.versions.get(version).cloned();
        (
            packument.name,
            dist.is_some().then(|| version.to_string()),
            dist,
            published_at,
        )
    } else {
        let (doc_name, doc_version, dist) = parse_version_document(&text).map_err(|e| format!("--packument: {e}"))?;
        (doc_name, Some(doc_version), Some(dist), None)
    };
    if doc_name != name {
        return Err(format!("the packument is for {:?}, not {name:?}", visible(&doc_name)));
    }
    match (dist, doc_version) {
        (Some(dist), Some(v)) if v == version => Ok((dist, published_at)),
        (_, Some(v)) => Err(format!(
            "the version document is for {}@{}, not {version}",
            visible(name),
            visible(&v)
        )),
        _ => Err(format!("the packument of {name} has no version {version}")),
    }
}

/// Reads a document that must at least be JSON: anything else is unusable
/// input (exit 2), not a verification failure.
fn read_json(path: &std::path::Path, what: &str) -> Result<String, String> {
    let text = read_text(path, what)?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text)
        .map_err(|e| format!("the {what} {} is not JSON: {e}", path.display()))?;
    Ok(text)
}

fn parse_digest(text: &str) -> Result<ArtifactExpectation, String> {
    let (algorithm, hex) = match text.split_once(':') {
        Some(("sha256", hex)) => (DigestAlgorithm::Sha256, hex),
        Some(("sha512", hex)) => (DigestAlgorithm::Sha512, hex),
        _ => {
            return Err(format!("--digest {text:?}: expected sha256:HEX or sha512:HEX"));
        }
    };
    let len = match algorithm {
        DigestAlgorithm::Sha256 => 64,
        DigestAlgorithm::Sha512 => 128,
    };
    if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "--digest: the {} digest must be {len} hex digits",
            text.split(':').next().unwrap_or("")
        ));
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    Ok(ArtifactExpectation::Digest {
        algorithm,
        bytes,
        source: "the given digest".into(),
    })
}
