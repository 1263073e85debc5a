//! `npm-provenance verify`.

use std::path::PathBuf;

use clap::Args;
use npm_provenance_core::package::split_spec;
use npm_provenance_core::registry_keys::spki_from_pem;
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
        npm attestations:\n  npm-provenance verify --attestations FILE --package NAME@VERSION --integrity SRI [--keys FILE] [--json]\n\n\
        One Sigstore bundle:\n  npm-provenance verify --bundle FILE (--artifact FILE | --digest sha256:HEX | --digest sha512:HEX)\n      \
        [--trusted-root FILE] [--certificate-identity URI --certificate-oidc-issuer URI] [--key FILE] [--json]\n\n\
        FILE may be - for standard input. Exit status: 0 verified, 1 rejected, 2 unusable input or usage."
)]
pub struct VerifyArgs {
    /// A registry attestations response (`/-/npm/v1/attestations/NAME@VERSION`).
    #[arg(long, value_name = "FILE", conflicts_with = "bundle", requires_all = ["package", "integrity"])]
    attestations: Option<PathBuf>,
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
        &args.bundle,
        &args.artifact,
        &args.keys,
        &args.trusted_root,
        &args.key,
    ];
    if stdin_count(&inputs) > 1 {
        return Err("only one input can be read from standard input (-)".into());
    }
    let mut keys = RegistryKeys::npm();
    if let Some(path) = &args.keys {
        keys.add_keys_document(&read_text(path, "keys document")?)
            .map_err(|e| format!("--keys: {e}"))?;
    }
    let trust = match &args.trusted_root {
        Some(path) => TrustMaterial::from_trusted_root_json(&read_text(path, "trusted root")?, keys)?,
        None => TrustMaterial::public_good().with_registry_keys(keys),
    };

    if let Some(path) = &args.attestations {
        let spec = args.package.as_deref().unwrap_or_default();
        let (name, version) = split_spec(spec).ok_or_else(|| format!("--package {spec:?} is not NAME@VERSION"))?;
        let attestations = read_json(path, "attestations response")?;
        let expected = ExpectedIdentity {
            repository: args.expect_repository.clone(),
            workflow: args.expect_workflow.clone(),
            issuer: args.certificate_oidc_issuer.clone(),
            subject_alternative_name: args.certificate_identity.clone(),
        };
        let docs = PackageVersionDocuments {
            name,
            version,
            integrity: args.integrity.as_deref(),
            attestations: Some(&attestations),
            ..Default::default()
        };
        return Ok(verify_package_version(&docs, &trust, &expected));
    }

    let Some(bundle_path) = &args.bundle else {
        return Err("give --attestations FILE (with --package and --integrity) or --bundle FILE".into());
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
