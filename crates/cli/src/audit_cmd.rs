//! `npm-provenance audit LOCKFILE`: every registry package version a
//! lockfile installs, verified as a package page verifies one (the same
//! lookup, the same core), with the integrity the lockfile pins.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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
        npm-shrinkwrap.json (lockfile versions 1 to 3), pnpm-lock.yaml (6 and 9), yarn.lock (classic and Berry),\n\
        bun.lock (Bun's text lockfile).\n\n\
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
    lockfile: PathBuf,
    /// The registry to verify against (a base URL with npm's API).
    #[arg(long, value_name = "URL", default_value = npm_provenance_core::site::DEFAULT_REGISTRY)]
    registry: String,
    /// Print the audit as JSON: `summary` (counts) and `packages` (name, version, verdict, reason, ...).
    #[arg(long)]
    json: bool,
    /// Registry requests at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: usize,
    /// Fail (exit 1) unless every package version has verified provenance.
    #[arg(long)]
    require_provenance: bool,
    /// Compare each package version with the earlier versions of its release line (fetching each package's
    /// document) and fail (exit 1) on a trust downgrade, or when a history could not be compared.
    #[arg(long)]
    no_downgrade: bool,
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's pinned ones.
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// A trusted root (JSON) to use instead of Sigstore's public-good one.
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// Where documents of pinned versions are kept between runs (default: ~/.cache/npm-provenance).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    cache_dir: Option<PathBuf>,
    /// Fetch everything from the registry, keep nothing.
    #[arg(long)]
    no_cache: bool,
    /// Seconds one registry request may take; a 429, 5xx or timeout is tried again 3 times.
    #[arg(long, value_name = "S", default_value_t = 20)]
    registry_timeout: u64,
    #[command(flatten)]
    tuf: crate::tuf_client::TufArgs,
}

pub fn run(args: AuditArgs) -> u8 {
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

fn trust(args: &AuditArgs) -> Result<(TrustMaterial, TrustSource), String> {
    let keys = args.keys.as_ref().map(|p| read_text(p, "keys document")).transpose()?;
    let root = args
        .trusted_root
        .as_ref()
        .map(|p| read_text(p, "trusted root"))
        .transpose()?;
    crate::tuf_client::trust_for(&args.tuf, root.as_deref(), keys.as_deref())
}

/// The audit and its printed form.
fn audit(args: &AuditArgs) -> Result<(AuditReport, String), String> {
    let registry = args.registry.trim_end_matches('/').to_string();
    if !(registry.starts_with("https://") || registry.starts_with("http://")) {
        return Err(format!("--registry {registry:?}: expected an http(s) URL"));
    }
    let text = read_text(&args.lockfile, "lockfile")?;
    let file_name = args.lockfile.file_name().and_then(|n| n.to_str());
    let lockfile = parse_lockfile(file_name, &text).map_err(|e| format!("{}: {e}", args.lockfile.display()))?;
    drop(text);
    // Copies no integrity binds count only at the audited registry's addresses.
    let lockfile = npm_provenance_core::audit::for_registry(lockfile, &registry);
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
    let client = RegistryClient::new(&registry, limits)?.with_cache(cache);
    // Verifications (CPU work) at most one per core at a time; requests are
    // bounded by the client.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(cores)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    let started = Instant::now();
    let depth = if args.no_downgrade {
        Depth::History
    } else {
        Depth::Version
    };
    let shared = SharedDocuments::new(client.clone());
    let entries = runtime.block_on(verify_all(
        &client,
        &trust,
        &shared,
        depth,
        &lockfile.packages,
        args.json,
    ));
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
    let text = if args.json {
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n"
    } else {
        render(&report, &registry, &footer)
    };
    if args.json {
        eprintln!("{footer}");
    }
    Ok((report, text))
}

/// Every package version, at most `max_fetches` registry requests at a time
/// (the client's bound), progress on a terminal's standard error.
async fn verify_all(
    client: &RegistryClient,
    trust: &TrustMaterial,
    shared: &Arc<SharedDocuments>,
    depth: Depth,
    packages: &[LockedPackage],
    quiet: bool,
) -> Vec<AuditEntry> {
    let done = Arc::new(AtomicUsize::new(0));
    let total = packages.len();
    let progress = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                eprint!("\rverifying {}/{total} package versions", done.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });
    let tasks: Vec<_> = packages
        .iter()
        .map(|package| {
            let (client, trust, package, done) = (client.clone(), trust.clone(), package.clone(), done.clone());
            let shared = shared.clone();
            tokio::spawn(async move {
                let entry = verify_one(&client, &trust, &shared, depth, &package).await;
                done.fetch_add(1, Ordering::Relaxed);
                entry
            })
        })
        .collect();
    let mut entries = Vec::with_capacity(total);
    for (task, package) in tasks.into_iter().zip(packages) {
        entries.push(
            task.await
                .unwrap_or_else(|e| AuditEntry::error(package, format!("verification stopped: {e}"))),
        );
    }
    if let Some(progress) = progress {
        progress.abort();
        eprint!("\r\x1b[K");
    }
    entries
}

/// One locked version through the core's lookup, with every integrity the
/// lockfile records for it.
async fn verify_one(
    client: &RegistryClient,
    trust: &TrustMaterial,
    shared: &Arc<SharedDocuments>,
    depth: Depth,
    package: &LockedPackage,
) -> AuditEntry {
    let mut question = Question::new(client.base(), &package.name, Some(&package.version), depth);
    question.lockfile_integrities = package.integrities.clone();
    let outcome = crate::lookup::run(client, trust, question, Some(shared)).await;
    AuditEntry::from_report(package, &outcome.report)
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
