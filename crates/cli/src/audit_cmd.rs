//! `npm-provenance audit LOCKFILE`: every registry package version a
//! lockfile installs, verified as a package page verifies one (the same
//! lookup, the same core), with the integrity the lockfile pins.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Args;
use npm_provenance_core::TrustMaterial;
use npm_provenance_core::audit::{AuditEntry, AuditReport, AuditVerdict};
use npm_provenance_core::lockfile::{LockedPackage, parse_lockfile};
use npm_provenance_core::text::visible;
use npm_provenance_core::tuf::TrustSource;

use crate::exit;
use crate::input::read_text;
use crate::lookup::SharedDocuments;
use crate::registry::{DiskCache, Limits, RegistryClient};
use npm_provenance_core::lookup::{Depth, Question};

#[derive(Args, Debug, Clone)]
#[command(
    about = "Verify the provenance of every package a lockfile installs",
    long_about = "Verify the provenance of every registry package version a lockfile installs: package-lock.json and\n\
        npm-shrinkwrap.json (lockfile versions 1 to 3), pnpm-lock.yaml (6 and 9), yarn.lock (classic and Berry).\n\n\
        Each version is verified as `verify` does (provenance, npm's publish attestation, registry signatures), and the\n\
        integrity the lockfile pins must be the registry's. Dependencies that do not come from the registry (git, file,\n\
        link, workspace, tarball URLs) are listed, not verified.\n\n\
        --no-downgrade also compares each version with the earlier versions of its release line (see the README's\n\
        trust levels and downgrade rules), fetching each package's document once.\n\n\
        Exit status: 0 no package failed, 1 a package failed or could not be checked (or --require-provenance or\n\
        --no-downgrade is not met),\n\
        2 the lockfile or the flags are unusable."
)]
pub struct AuditArgs {
    /// The lockfile (`-` for standard input).
    #[arg(value_name = "LOCKFILE")]
    pub(crate) lockfile: PathBuf,
    /// The registry to verify against (a base URL with npm's API).
    #[arg(long, value_name = "URL", default_value = npm_provenance_core::site::DEFAULT_REGISTRY)]
    pub(crate) registry: String,
    /// Print the audit as JSON: `summary` (counts) and `packages` (name, version, verdict, reason, ...).
    #[arg(long)]
    pub(crate) json: bool,
    /// Registry requests at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub(crate) concurrency: usize,
    /// Fail (exit 1) unless every package version has verified provenance.
    #[arg(long)]
    pub(crate) require_provenance: bool,
    /// Compare each package version with the earlier versions of its release line (fetching each package's
    /// document) and fail (exit 1) on a trust downgrade, or when a history could not be compared.
    #[arg(long)]
    pub(crate) no_downgrade: bool,
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's pinned ones.
    #[arg(long, value_name = "FILE")]
    pub(crate) keys: Option<PathBuf>,
    /// A trusted root (JSON) to use instead of Sigstore's public-good one.
    #[arg(long, value_name = "FILE")]
    pub(crate) trusted_root: Option<PathBuf>,
    /// Where documents of pinned versions are kept between runs (default: ~/.cache/npm-provenance).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Fetch everything from the registry, keep nothing.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Seconds one registry request may take; a 429, 5xx or timeout is tried again 3 times.
    #[arg(long, value_name = "S", default_value_t = 20)]
    pub(crate) registry_timeout: u64,
    /// Check only what changed against a base: a git ref (the lockfile at that commit, read with `git show`)
    /// or another lockfile. New and changed versions are verified with their histories and compared with the
    /// base's version of the same package; unchanged ones are not fetched.
    #[arg(long, value_name = "REF_OR_FILE")]
    pub(crate) base: Option<String>,
    /// Output: text, json, github (workflow annotations, a Markdown summary to $GITHUB_STEP_SUMMARY, outputs to
    /// $GITHUB_OUTPUT), sarif (SARIF 2.1.0 for code scanning), gitlab (a code-quality report).
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "json")]
    pub(crate) format: Option<Format>,
    /// What fails the check besides failed verifications, versions that could not be checked and entries left
    /// out: a comma-separated list of downgrade, provenance-change, unverified, or any (with --base or a
    /// --format other than text and json; default downgrade).
    #[arg(long, value_name = "LIST")]
    pub(crate) fail_on: Option<String>,
    /// Where --format github writes its Markdown summary (default: $GITHUB_STEP_SUMMARY, when set).
    #[arg(long, value_name = "FILE")]
    pub(crate) summary: Option<PathBuf>,
    /// The trust policy, overriding pnpm-workspace.yaml and .npmrc: no-downgrade (a downgrade fails whatever
    /// --fail-on says) or off.
    #[arg(long, value_name = "POLICY")]
    pub(crate) trust_policy: Option<String>,
    /// A package the trust policy leaves out (`name`, `name@1.0.0 || 2.0.0`, `name@^1.2.0`, `@scope/*`); repeat
    /// for several. Replaces the files' lists. Its findings are reported as excluded, not hidden.
    #[arg(long, value_name = "SPEC")]
    pub(crate) trust_policy_exclude: Vec<String>,
    /// Versions published more than this many minutes ago are not held to the trust policy (pnpm's
    /// trustPolicyIgnoreAfter).
    #[arg(long, value_name = "MINUTES")]
    pub(crate) trust_policy_ignore_after: Option<u64>,
    /// New versions published less than this many days ago fail (npm's min-release-age).
    #[arg(long, value_name = "DAYS")]
    pub(crate) min_release_age: Option<u64>,
    /// The time release ages are measured at (RFC 3339), instead of now: for reproducing a past run.
    #[arg(long, value_name = "TIME", hide = true)]
    pub(crate) now: Option<String>,
    #[command(flatten)]
    pub(crate) tuf: crate::tuf_client::TufArgs,
}

/// How the audit is printed.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Github,
    Sarif,
    Gitlab,
}

pub fn run(args: AuditArgs) -> u8 {
    let gate = args.base.is_some()
        || args.fail_on.is_some()
        || matches!(args.format, Some(Format::Github | Format::Sarif | Format::Gitlab));
    if gate {
        return crate::gate_cmd::run(&args);
    }
    match audit(&args) {
        Ok((report, text)) => {
            print!("{text}");
            let _ = std::io::stdout().flush();
            let rule = report.failed_rule(args.require_provenance, args.no_downgrade);
            if let Some(rule) = &rule {
                eprintln!("npm-provenance audit: not passed: {rule}");
            }
            if report.is_empty() {
                // Auditing nothing vouches for nothing: unusable input.
                exit::UNUSABLE
            } else if report.passes(args.require_provenance, args.no_downgrade) {
                exit::VERIFIED
            } else {
                exit::REJECTED
            }
        }
        Err(e) => {
            eprintln!("npm-provenance audit: {e}");
            exit::UNUSABLE
        }
    }
}

pub(crate) fn trust(args: &AuditArgs) -> Result<(TrustMaterial, TrustSource), String> {
    let keys = args.keys.as_ref().map(|p| read_text(p, "keys document")).transpose()?;
    let root = args
        .trusted_root
        .as_ref()
        .map(|p| read_text(p, "trusted root"))
        .transpose()?;
    crate::tuf_client::trust_for(&args.tuf, root.as_deref(), keys.as_deref())
}

/// What every audit runs with: the registry client (with its disk cache),
/// the trust material and where it came from, and the runtime.
pub(crate) struct Session {
    pub client: RegistryClient,
    pub trust: TrustMaterial,
    pub source: TrustSource,
    pub runtime: tokio::runtime::Runtime,
}

pub(crate) fn session(args: &AuditArgs, registry: &str) -> Result<Session, String> {
    let (trust, source) = trust(args)?;
    let limits = Limits {
        timeout: Duration::from_secs(args.registry_timeout.max(1)),
        max_fetches: args.concurrency.max(1),
        ..Default::default()
    };
    let cache = if args.no_cache {
        None
    } else {
        DiskCache::new(args.cache_dir.clone())
    };
    let client = RegistryClient::new(registry, limits)?.with_cache(cache);
    // Verifications (CPU work) at most one per core at a time; requests are
    // bounded by the client.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(cores)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    Ok(Session {
        client,
        trust,
        source,
        runtime,
    })
}

/// The registry URL of the flag, checked.
pub(crate) fn registry_of(args: &AuditArgs) -> Result<String, String> {
    let registry = args.registry.trim_end_matches('/').to_string();
    if !(registry.starts_with("https://") || registry.starts_with("http://")) {
        return Err(format!("--registry {registry:?}: expected an http(s) URL"));
    }
    Ok(registry)
}

/// The audit and its printed form.
fn audit(args: &AuditArgs) -> Result<(AuditReport, String), String> {
    let registry = registry_of(args)?;
    let text = read_text(&args.lockfile, "lockfile")?;
    let file_name = args.lockfile.file_name().and_then(|n| n.to_str());
    let lockfile = parse_lockfile(file_name, &text).map_err(|e| format!("{}: {e}", args.lockfile.display()))?;
    drop(text);
    // Copies no integrity binds count only at the audited registry's addresses.
    let lockfile = npm_provenance_core::audit::for_registry(lockfile, &registry);
    let Session {
        client,
        trust,
        source,
        runtime,
    } = session(args, &registry)?;
    let json = args.json || args.format == Some(Format::Json);
    let started = Instant::now();
    let depth = if args.no_downgrade {
        Depth::History
    } else {
        Depth::Version
    };
    let shared = SharedDocuments::new(client.clone());
    let entries = runtime.block_on(verify_all(&client, &trust, &shared, depth, &lockfile.packages, json));
    let mut report = AuditReport::new(&lockfile, entries);
    report.trust_source = Some(source.clone());
    let stats = client.stats();
    let footer = format!(
        "{} registry requests, {} from the cache, {} retried, in {:.1} s\ntrust material: {}",
        stats.requests.load(Ordering::Relaxed),
        stats.cache_hits.load(Ordering::Relaxed),
        stats.retries.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        visible(&source.sentence())
    );
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n"
    } else {
        render(&report, &registry, &footer)
    };
    if json {
        eprintln!("{footer}");
    }
    Ok((report, text))
}

/// Every package version through the lookup, with every integrity the
/// lockfile records for it.
async fn verify_all(
    client: &RegistryClient,
    trust: &TrustMaterial,
    shared: &Arc<SharedDocuments>,
    depth: Depth,
    packages: &[LockedPackage],
    quiet: bool,
) -> Vec<AuditEntry> {
    let questions = packages
        .iter()
        .map(|package| {
            let mut question = Question::new(client.base(), &package.name, Some(&package.version), depth);
            question.lockfile_integrities = package.integrities.clone();
            (question, package.clone())
        })
        .collect();
    crate::lookup::run_all(client, trust, shared, questions, quiet, |outcome, package| {
        AuditEntry::from_report(&package, &outcome.report)
    })
    .await
    .into_iter()
    .zip(packages)
    .map(|(entry, package)| entry.unwrap_or_else(|e| AuditEntry::error(package, format!("verification stopped: {e}"))))
    .collect()
}

fn render(report: &AuditReport, registry: &str, footer: &str) -> String {
    let s = &report.summary;
    let mut out = format!(
        "{}\n{} verified, {} failed, {} incomplete, {} without provenance, {} errors; {} not from the registry ({} unverifiable); {} left out\n",
        s.coverage(),
        s.verified,
        s.failed,
        s.incomplete,
        s.none,
        s.error,
        s.not_from_registry,
        s.unverifiable,
        s.problems
    );
    let t = &s.trust;
    out.push_str(&format!(
        "trust: {} trusted publisher, {} provenance, {} registry signature only, {} none\n",
        t.trusted_publisher, t.provenance, t.registry_signature, t.none
    ));
    out.push_str(&format!("registry {registry}; {footer}\n"));
    let downgrades: Vec<&AuditEntry> = report.packages.iter().filter(|e| e.downgrade.is_some()).collect();
    if !downgrades.is_empty() {
        out.push('\n');
        for e in downgrades {
            out.push_str(&format!(
                "↓ {}@{} downgrade: {}\n",
                visible(&e.name),
                visible(&e.version),
                visible(e.downgrade.as_ref().map(|d| d.sentence.as_str()).unwrap_or_default())
            ));
        }
    }
    let attention: Vec<&AuditEntry> = report
        .packages
        .iter()
        .filter(|e| {
            matches!(
                e.verdict,
                AuditVerdict::Failed | AuditVerdict::Error | AuditVerdict::Incomplete
            )
        })
        .collect();
    if !attention.is_empty() {
        out.push('\n');
        for e in attention {
            let mark = match e.verdict {
                AuditVerdict::Failed => "✗",
                AuditVerdict::Error => "!",
                _ => "–",
            };
            out.push_str(&format!(
                "{mark} {}@{} {}: {}\n",
                visible(&e.name),
                visible(&e.version),
                e.verdict.label(),
                visible(e.reason.as_deref().unwrap_or_default())
            ));
        }
    }
    let verified: Vec<&AuditEntry> = report
        .packages
        .iter()
        .filter(|e| e.verdict == AuditVerdict::Verified)
        .collect();
    if !verified.is_empty() {
        out.push('\n');
        for e in verified {
            out.push_str(&format!(
                "✓ {}@{} {}{}\n",
                visible(&e.name),
                visible(&e.version),
                e.trust.map(|t| format!("({}) ", t.label())).unwrap_or_default(),
                e.repository
                    .as_deref()
                    .map(|r| format!("from {}", visible(r)))
                    .unwrap_or_default()
            ));
        }
    }
    if !report.not_from_registry.is_empty() {
        out.push_str("\nnot from the registry (not verified):\n");
        for d in &report.not_from_registry {
            out.push_str(&format!(
                "  {} ({:?}) {}\n",
                visible(&d.name),
                d.kind,
                visible(&d.source)
            ));
        }
    }
    if !report.problems.is_empty() {
        out.push_str(&format!(
            "\nleft out of the audit ({} entries, each a failure):\n",
            report.summary.problems
        ));
        for p in &report.problems {
            out.push_str(&format!("  {}\n", visible(p)));
        }
    }
    if !report.notes.is_empty() {
        out.push_str("\nread as the package manager reads it:\n");
        for n in &report.notes {
            out.push_str(&format!("  {}\n", visible(n)));
        }
    }
    out
}
