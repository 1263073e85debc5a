//! `npm-provenance audit LOCKFILE --base REF_OR_FILE`: the pull-request
//! gate. The core says what changed ([`diff`]) and what each answer means
//! ([`decide`]); this door reads the base (git or a file) and the policy
//! files, looks up what the core asks for, and writes the chosen format.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use npm_provenance_core::audit::for_registry;
use npm_provenance_core::gate::diff::{ChangeKind, LockfileDiff, diff};
use npm_provenance_core::gate::policy::{FileSettings, Manager, Policy, PolicyFlags, combine};
use npm_provenance_core::gate::{Checked, FailOn, GateInput, GateReport, decide};
use npm_provenance_core::lockfile::{LineIndex, Lockfile, parse_lockfile};
use npm_provenance_core::lookup::{Depth, Question};
use npm_provenance_core::text::visible;

use crate::audit_cmd::{AuditArgs, Format, Session, registry_of, session};
use crate::base::{Base, repository_path};
use crate::exit;
use crate::gate_output as output;
use crate::input::read_text;
use crate::lookup::SharedDocuments;

pub fn run(args: &AuditArgs) -> u8 {
    let (report, path) = match gate(args) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("npm-provenance audit: {e}");
            return exit::UNUSABLE;
        }
    };
    if let Err(e) = write(args, &report, &path) {
        eprintln!("npm-provenance audit: {e}");
        return exit::UNUSABLE;
    }
    match &report.failed_rule {
        None => exit::VERIFIED,
        Some(rule) => {
            eprintln!("npm-provenance audit: not passed: {rule}");
            exit::REJECTED
        }
    }
}

/// The chosen format on standard output, and GitHub's summary and outputs.
fn write(args: &AuditArgs, report: &GateReport, path: &str) -> Result<(), String> {
    let format = args.format.unwrap_or(Format::Text);
    let text = match format {
        Format::Text => output::text(report, path),
        Format::Json => pretty(&serde_json::to_value(report).map_err(|e| e.to_string())?)?,
        Format::Sarif => pretty(&output::sarif(report, path))?,
        Format::Gitlab => pretty(&output::gitlab(report, path))?,
        Format::Github => output::github_annotations(report, path),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("standard output: {e}"))?;
    if format == Format::Github {
        let summary = args
            .summary
            .clone()
            .or_else(|| std::env::var_os("GITHUB_STEP_SUMMARY").map(Into::into));
        if let Some(file) = summary {
            append(&file, &output::markdown(report, path))?;
        }
        if let Some(file) = std::env::var_os("GITHUB_OUTPUT") {
            append(Path::new(&file), &output::github_outputs(report))?;
        }
    } else if let Some(file) = &args.summary {
        append(file, &output::markdown(report, path))?;
    }
    Ok(())
}

fn pretty(value: &serde_json::Value) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

fn append(file: &Path, text: &str) -> Result<(), String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// What fails the gate: `--fail-on` (default `downgrade` with a base),
/// with the audit's older flags meaning what they always meant.
fn fail_on(args: &AuditArgs) -> Result<Vec<FailOn>, String> {
    let default = if args.base.is_some() { "downgrade" } else { "" };
    let mut list = FailOn::parse_list(args.fail_on.as_deref().unwrap_or(default))?;
    if args.no_downgrade {
        list.push(FailOn::Downgrade);
    }
    if args.require_provenance {
        list.push(FailOn::Unverified);
    }
    list.sort();
    list.dedup();
    Ok(list)
}

fn now(args: &AuditArgs) -> Result<i64, String> {
    match &args.now {
        Some(text) => npm_provenance_core::time::parse_rfc3339(text)
            .ok_or_else(|| format!("--now {text:?}: expected an RFC 3339 time")),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .map_err(|e| format!("the clock is before 1970: {e}")),
    }
}

fn empty_like(head: &Lockfile) -> Lockfile {
    Lockfile {
        kind: head.kind.clone(),
        packages: Vec::new(),
        not_from_registry: Vec::new(),
        problems: Vec::new(),
        left_out: 0,
        notes: Vec::new(),
    }
}

/// The base's lockfile as the audit reads it, and what was said about it.
/// A base that cannot be read leaves everything to check (never less).
fn base_lockfile(
    args: &AuditArgs,
    head: &Lockfile,
    registry: &str,
) -> Result<(Lockfile, String, Vec<String>, Option<Base>), String> {
    let Some(given) = &args.base else {
        return Ok((empty_like(head), "nothing: the whole lockfile".into(), Vec::new(), None));
    };
    let base = Base::resolve(given, &args.lockfile)?;
    let label = base.label(given);
    let file_name = args.lockfile.file_name().and_then(|n| n.to_str());
    let mut notes = Vec::new();
    let lockfile = match base.lockfile(&args.lockfile)? {
        None => {
            notes.push(format!(
                "The base has no {}: every version is new.",
                file_name.unwrap_or("lockfile")
            ));
            empty_like(head)
        }
        Some(text) => match parse_lockfile(file_name, &text) {
            Ok(lockfile) => for_registry(lockfile, registry),
            Err(e) => {
                notes.push(format!(
                    "The base's lockfile could not be read ({e}): every version is checked."
                ));
                empty_like(head)
            }
        },
    };
    Ok((lockfile, label, notes, Some(base)))
}

/// The policy the project's files ask for, read from the base when the
/// base is a commit: a pull request cannot loosen the policy that checks
/// it (an exclusion it adds applies once it is merged). Flags override.
fn policy(args: &AuditArgs, head: &Lockfile, base: Option<&Base>, notes: &mut Vec<String>) -> Result<Policy, String> {
    let manager = Manager::of(&head.kind);
    let folder = match args.lockfile.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut files: Vec<FileSettings> = Vec::new();
    for name in manager.map(Manager::policy_files).unwrap_or_default() {
        let Some(manager) = manager else { break };
        let working = folder.join(name);
        let here = match working.is_file() {
            true => Some(read_text(&working, name)?),
            false => None,
        };
        let read = |text: Option<String>| -> Result<Option<FileSettings>, String> {
            text.map(|t| manager.read_policy_file(name, &t)).transpose()
        };
        match base {
            Some(base @ Base::Git { .. }) => {
                let then = read(base.file_at_commit(name)?)?;
                let now = read(here).unwrap_or(None);
                if then != now {
                    notes.push(format!(
                        "The change edits the trust or release-age settings of {name}; the base's apply to it."
                    ));
                }
                files.extend(then);
            }
            _ => files.extend(read(here)?),
        }
    }
    let flags = PolicyFlags {
        trust_policy: args.trust_policy.clone(),
        exclude: args.trust_policy_exclude.clone(),
        ignore_after_minutes: args.trust_policy_ignore_after,
        min_release_age_days: args.min_release_age,
    };
    let mut policy = combine(manager, &files, &flags)?;
    if manager.is_none() {
        policy.notes.push(format!(
            "{} has no trust policy of its own; only the flags apply.",
            head.kind.label()
        ));
    }
    Ok(policy)
}

/// Reads, diffs, looks up and decides; the report and the lockfile's
/// path as the repository names it.
fn gate(args: &AuditArgs) -> Result<(GateReport, String), String> {
    let registry = registry_of(args)?;
    let fail_on = fail_on(args)?;
    let now = now(args)?;
    let text = read_text(&args.lockfile, "lockfile")?;
    let file_name = args.lockfile.file_name().and_then(|n| n.to_str());
    let head = parse_lockfile(file_name, &text).map_err(|e| format!("{}: {e}", args.lockfile.display()))?;
    let lines = LineIndex::new(&head.kind, &text);
    drop(text);
    let head = for_registry(head, &registry);
    if head.packages.is_empty() {
        return Err("no registry package version could be read from the lockfile".into());
    }
    let (base_lockfile, label, mut notes, base) = base_lockfile(args, &head, &registry)?;
    let mut policy = policy(args, &head, base.as_ref(), &mut notes)?;
    policy.notes.extend(notes);
    let changes = diff(&base_lockfile, &head);
    drop(base_lockfile);
    let histories = args.base.is_some() || fail_on.contains(&FailOn::Downgrade) || policy.no_downgrade();
    let Session {
        client,
        trust,
        source,
        runtime,
    } = session(args, &registry)?;
    let started = Instant::now();
    let quiet = args.format != Some(Format::Text) && args.format.is_some();
    let checked = runtime.block_on(look_up(&client, &trust, &changes, histories, quiet));
    let path = repository_path(&args.lockfile);
    let mut report = decide(GateInput {
        head: &head,
        base_label: label,
        diff: &changes,
        checked,
        policy,
        fail_on,
        now,
        lines: &lines,
        histories,
    });
    report.trust_source = Some(source.clone());
    let stats = client.stats();
    eprintln!(
        "{} changed package versions checked ({} unchanged, not fetched); {} registry requests, {} from the cache, {} retried, in {:.1} s; trust material: {}",
        report.summary.checked,
        report.summary.unchanged,
        stats.requests.load(Ordering::Relaxed),
        stats.cache_hits.load(Ordering::Relaxed),
        stats.retries.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        visible(&source.sentence())
    );
    Ok((report, path))
}

/// Each changed version with its history, and the base's version it
/// replaces (not for a repinned one: the same version, compared with its
/// own registry document).
async fn look_up(
    client: &crate::registry::RegistryClient,
    trust: &npm_provenance_core::TrustMaterial,
    changes: &LockfileDiff,
    histories: bool,
    quiet: bool,
) -> Vec<Checked> {
    let shared = SharedDocuments::new(client.clone());
    let depth = if histories { Depth::History } else { Depth::Version };
    let mut questions = Vec::new();
    for (i, change) in changes.changed.iter().enumerate() {
        let p = &change.package;
        let mut q = Question::new(client.base(), &p.name, Some(&p.version), depth);
        q.lockfile_integrities = p.integrities.clone();
        questions.push((q, (i, false)));
        if let Some(b) = change.base.as_ref().filter(|_| change.kind != ChangeKind::Repinned) {
            let mut q = Question::new(client.base(), &b.name, Some(&b.version), Depth::Version);
            q.lockfile_integrities = b.integrities.clone();
            questions.push((q, (i, true)));
        }
    }
    let answers = crate::lookup::run_all(client, trust, &shared, questions, quiet, |outcome, (i, is_base)| {
        (i, is_base, outcome.report, outcome.packument)
    })
    .await;
    let mut checked: Vec<Option<Checked>> = vec![None; changes.changed.len()];
    let mut bases = vec![None; changes.changed.len()];
    for (i, is_base, report, packument) in answers.into_iter().flatten() {
        if is_base {
            if let Some(slot) = bases.get_mut(i) {
                *slot = Some(report);
            }
        } else if let Some(slot) = checked.get_mut(i) {
            *slot = Some(Checked {
                head: report,
                history: packument,
                base: None,
            });
        }
    }
    // A lookup that stopped leaves its version unchecked: the core counts
    // it (a version the gate was not told about is "not looked up").
    let mut out = Vec::new();
    for (slot, base) in checked.into_iter().zip(bases) {
        match slot {
            Some(mut c) => {
                c.base = base;
                out.push(c);
            }
            None => out.push(Checked {
                head: npm_provenance_core::Report::error(None, "The lookup stopped before it finished."),
                history: None,
                base,
            }),
        }
    }
    out
}
