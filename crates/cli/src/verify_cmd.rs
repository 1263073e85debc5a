//! `npm-provenance verify`.

use std::path::{Path, PathBuf};

use clap::Args;
use npm_provenance_core::lookup::{Answer, Depth, DocumentKind, Question, Request, run_blocking};
use npm_provenance_core::package::split_spec;
use npm_provenance_core::package_version::parse_digest;
use npm_provenance_core::registry_keys::spki_from_pem;
use npm_provenance_core::text::visible;
use npm_provenance_core::{
    ArtifactExpectation, ExpectedIdentity, Report, TrustMaterial, Verdict, inspect, verify_single_bundle,
};

use crate::exit;
use crate::input::{read_bytes, read_text};

#[derive(Args)]
#[command(
    about = "Verify a registry attestations response or a single Sigstore bundle",
    long_about = "Verify npm attestations as the registry serves them, or one Sigstore bundle.\n\n\
        npm attestations:\n  npm-provenance verify --attestations FILE --package NAME@VERSION (--integrity SRI | --packument FILE) [--keys FILE] [--json]\n\n\
        With --packument (the registry's /NAME or /NAME/VERSION document) the version's dist.integrity, dist.signatures\n\
        and publish time come from it, so registry signatures are checked too; without --attestations, a version the\n\
        packument lists without attestations is reported as having no provenance.\n\n\
        One Sigstore bundle:\n  npm-provenance verify --bundle FILE (--artifact FILE | --digest sha256:HEX | --digest sha512:HEX)\n      \
        (--certificate-identity URI | --certificate-identity-regexp RE) --certificate-oidc-issuer URI\n      \
        | --key FILE | --insecure-ignore-identity   [--trusted-root FILE] [--json]\n\n\
        --no-downgrade exits 1 when the version was published with weaker evidence (trust level) than an earlier\n\
        version of its release line; it needs the package document (/NAME) as --packument.\n\n\
        A bundle is only verified against a signer: an identity and its issuer, or a key. --insecure-ignore-identity\n\
        accepts any signer and prints the one it accepted.\n\n\
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
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's pinned ones: the registry the
    /// documents come from signs with them.
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// The registry the documents come from (a base URL). npm's registry signs every version, so a version
    /// document without dist.signatures fails there; another registry is held to that only with --keys.
    #[arg(long, value_name = "URL", default_value = npm_provenance_core::site::DEFAULT_REGISTRY)]
    registry: String,
    /// Expect the provenance to come from this repository (URL, or owner/repo on GitHub), certified by
    /// the CI issuer of its host unless --certificate-oidc-issuer names another.
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
    #[arg(
        long,
        value_name = "URI",
        requires = "certificate_oidc_issuer",
        conflicts_with = "certificate_identity_regexp"
    )]
    certificate_identity: Option<String>,
    /// The signer's identity as a regular expression the whole subject alternative name must match.
    #[arg(long, value_name = "RE", requires = "certificate_oidc_issuer")]
    certificate_identity_regexp: Option<String>,
    /// The OIDC issuer of the signer's identity, exactly.
    #[arg(long, value_name = "URI", alias = "expect-issuer")]
    certificate_oidc_issuer: Option<String>,
    /// Verify a keyed bundle with this public key (PEM) instead of a certificate.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["certificate_identity", "certificate_identity_regexp", "certificate_oidc_issuer"])]
    key: Option<PathBuf>,
    /// Accept a bundle from any signer (unsafe: anyone can sign anything); the identity accepted is printed.
    #[arg(long, conflicts_with_all = ["certificate_identity", "certificate_identity_regexp", "key"])]
    insecure_ignore_identity: bool,

    /// Exit 1 when this version was published with weaker evidence than an earlier version of its
    /// release line (needs the package document as --packument; see the README's downgrade rules).
    #[arg(long)]
    no_downgrade: bool,

    #[command(flatten)]
    tuf: crate::tuf_client::TufArgs,

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
            if args.insecure_ignore_identity {
                eprintln!("npm-provenance verify: {}", accepted_signer(&report));
            }
            if args.no_downgrade
                && let Some(problem) = downgrade_problem(&report)
            {
                eprintln!("npm-provenance verify: --no-downgrade: {problem}");
                return exit::REJECTED.max(exit_status(report.verdict));
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

/// What `--insecure-ignore-identity` accepted, said plainly.
fn accepted_signer(report: &Report) -> String {
    let identity = report.attestations.iter().find_map(|a| a.identity.as_ref());
    match identity {
        Some(id) => format!(
            "--insecure-ignore-identity: accepted any signer; this one was {} via {}",
            visible(id.subject_alternative_name.as_deref().unwrap_or("an unnamed identity")),
            visible(id.issuer.as_deref().unwrap_or("an unnamed issuer"))
        ),
        None => "--insecure-ignore-identity: accepted any signer; this bundle names none".into(),
    }
}

/// Why `--no-downgrade` rejects a report: a downgrade, or no history to
/// tell (a flag that cannot be honoured must not pass silently).
pub fn downgrade_problem(report: &Report) -> Option<String> {
    match (&report.downgrade, report.downgrade_checked, report.trust) {
        (Some(d), _, _) => Some(visible(&d.sentence)),
        (None, false, Some(_)) => Some(
            "the version history was not available to compare with (give the package document, /NAME, as --packument)"
                .into(),
        ),
        _ => None,
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

fn expected_identity(args: &VerifyArgs) -> ExpectedIdentity {
    ExpectedIdentity {
        repository: args.expect_repository.clone(),
        workflow: args.expect_workflow.clone(),
        issuer: args.certificate_oidc_issuer.clone(),
        subject_alternative_name: args.certificate_identity.clone(),
        subject_alternative_name_regexp: args.certificate_identity_regexp.clone(),
    }
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
    let root = args
        .trusted_root
        .as_ref()
        .map(|p| read_text(p, "trusted root"))
        .transpose()?;
    let (trust, source) = crate::tuf_client::trust_for(&args.tuf, root.as_deref(), keys_document.as_deref())?;
    let mut report = verify_with(args, &trust)?;
    report.trust_source = Some(source);
    Ok(report)
}

fn verify_with(args: &VerifyArgs, trust: &TrustMaterial) -> Result<Report, String> {
    if args.attestations.is_some() || args.packument.is_some() {
        return verify_attestations(args, trust);
    }
    let Some(bundle_path) = &args.bundle else {
        return Err(
            "give --attestations FILE (with --package, and --integrity or --packument) or --bundle FILE".into(),
        );
    };
    let identity_given = args.certificate_identity.is_some() || args.certificate_identity_regexp.is_some();
    if !identity_given && args.key.is_none() && !args.insecure_ignore_identity {
        return Err(
            "--bundle verifies a signature by someone: give --certificate-identity (or \
             --certificate-identity-regexp) with --certificate-oidc-issuer, or --key FILE; \
             --insecure-ignore-identity accepts any signer"
                .into(),
        );
    }
    let artifact = match (&args.artifact, &args.digest) {
        (Some(path), None) => ArtifactExpectation::Blob(read_bytes(path, "artifact")?),
        (None, Some(digest)) => parse_digest(digest).map_err(|e| format!("--digest: {e}"))?,
        _ => return Err("--bundle needs the artifact: --artifact FILE or --digest sha256:HEX|sha512:HEX".into()),
    };
    let key = match &args.key {
        Some(path) => Some(spki_from_pem(&read_text(path, "public key")?).map_err(|e| format!("--key: {e}"))?),
        None => None,
    };
    let bundle = read_json(bundle_path, "bundle")?;
    Ok(verify_single_bundle(
        &bundle,
        artifact,
        key,
        trust,
        &expected_identity(args),
    ))
}

fn verify_attestations(args: &VerifyArgs, trust: &TrustMaterial) -> Result<Report, String> {
    let spec = args.package.as_deref().unwrap_or_default();
    let (name, version) = split_spec(spec).ok_or_else(|| format!("--package {spec:?} is not NAME@VERSION"))?;
    let attestations = args
        .attestations
        .as_ref()
        .map(|path| read_json(path, "attestations response"))
        .transpose()?;
    let Some(path) = &args.packument else {
        // No registry document: the response and the integrity given, as
        // the inspector verifies a pasted response.
        let integrity = args
            .integrity
            .as_deref()
            .ok_or("--attestations needs the version's integrity: --integrity SRI or --packument FILE")?;
        let attestations = attestations.unwrap_or_default();
        return Ok(inspect(
            &attestations,
            Some((name, version)),
            Some(integrity),
            trust,
            &expected_identity(args),
        ));
    };
    let files = FileRegistry::read(path, version, attestations)?;
    if let (Some(given), Some(listed)) = (&args.integrity, files.listed_integrity())
        && *given != listed
    {
        return Err(format!(
            "--integrity {given} differs from the packument's dist.integrity {listed}"
        ));
    }
    let depth = if files.packument.is_some() {
        Depth::History
    } else {
        Depth::Version
    };
    let mut question = Question::new(&args.registry, name, Some(version), depth);
    question.expected = expected_identity(args);
    let outcome = run_blocking(question, trust, |request| files.answer(request, name, version))?;
    match outcome.error {
        Some(error) => Err(format!("--packument: {}", error.message())),
        None => Ok(outcome.report),
    }
}

/// The files `verify` is given, answering the lookup as the registry would:
/// the package document at `/NAME`, its `versions[VERSION]` (or the version
/// document given) at `/NAME/VERSION`, the attestations response. There is
/// no keys document: a registry other than npm's is taken not to sign
/// unless `--keys` says it does.
struct FileRegistry {
    packument: Option<String>,
    version_document: Option<String>,
    attestations: Option<String>,
}

impl FileRegistry {
    fn read(path: &Path, version: &str, attestations: Option<String>) -> Result<Self, String> {
        let text = read_json(path, "packument")?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("--packument: {e}"))?;
        Ok(match doc.get("versions") {
            Some(versions) => Self {
                version_document: versions.get(version).map(serde_json::Value::to_string),
                packument: Some(text),
                attestations,
            },
            None => Self {
                packument: None,
                version_document: Some(text),
                attestations,
            },
        })
    }

    fn listed_integrity(&self) -> Option<String> {
        let doc: serde_json::Value = serde_json::from_str(self.version_document.as_deref()?).ok()?;
        doc.get("dist")?.get("integrity")?.as_str().map(str::to_string)
    }

    fn answer(&self, request: &Request, name: &str, version: &str) -> Result<Answer, String> {
        let body = |text: &Option<String>| text.clone().map_or(Answer::NotFound, Answer::Body);
        Ok(match request.kind {
            DocumentKind::VersionDocument => body(&self.version_document),
            DocumentKind::Packument => body(&self.packument),
            DocumentKind::Attestations => match &self.attestations {
                Some(text) => Answer::Body(text.clone()),
                None => {
                    return Err(format!(
                        "the packument says {name}@{version} has attestations (dist.attestations): give them with --attestations FILE"
                    ));
                }
            },
            DocumentKind::Keys => Answer::NotFound,
        })
    }
}

/// Reads a document that must at least be JSON: anything else is unusable
/// input (exit 2), not a verification failure.
fn read_json(path: &Path, what: &str) -> Result<String, String> {
    let text = read_text(path, what)?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text)
        .map_err(|e| format!("the {what} {} is not JSON: {e}", path.display()))?;
    Ok(text)
}
