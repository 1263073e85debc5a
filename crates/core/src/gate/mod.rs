//! The pull-request gate: what a change to a lockfile brings in, each new
//! or changed package version verified and compared (with its own earlier
//! versions by the downgrade rules, and with the base's version of the same
//! package by its build identity), the package managers' own policies
//! applied and explained, and one decision.
//!
//! Fetching is the door's: [`diff::diff`] says what changed, the door looks
//! each changed version up (the one lookup, [`crate::lookup`], with the
//! version's history) and the base's version it replaces (without), and
//! [`decide`] turns the reports into findings. Every finding has a
//! [`Rule`]; whether it fails follows from the rule, `--fail-on` and the
//! project's policy, never from the door.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub mod diff;
pub mod package_managers;
pub mod policy;

use crate::audit::AuditEntry;
use crate::lockfile::{LineIndex, Lockfile, LockfileKind, NotFromRegistry};
use crate::publishing::{Change, TrustLevel, changes_since};
use crate::registry_documents::{Packument, VersionSummary};
use crate::report::{Report, Verdict};
use diff::{ChangeKind, LockfileDiff};
use package_managers::ManagerVerdict;
use policy::Policy;

/// What a finding is about, in the order a reader needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A signature, a certificate, an integrity did not verify.
    VerificationFailed,
    /// The registry could not be asked, or did not have it.
    NotChecked,
    /// A lockfile entry this could not read.
    LeftOut,
    /// Weaker evidence than an earlier version of its release line.
    Downgrade,
    /// The version's history could not be compared.
    HistoryNotCompared,
    /// Built or published differently from the base's version.
    ProvenanceChange,
    /// No verified provenance (or a dependency from elsewhere).
    Unverified,
    /// Published more recently than the project's minimum release age.
    ReleaseAge,
    /// The package manager's own rule would refuse it and this project does not.
    #[serde(rename = "package-manager-rule")]
    PackageManager,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::VerificationFailed,
        Rule::NotChecked,
        Rule::LeftOut,
        Rule::Downgrade,
        Rule::HistoryNotCompared,
        Rule::ProvenanceChange,
        Rule::Unverified,
        Rule::ReleaseAge,
        Rule::PackageManager,
    ];

    /// Its id in SARIF and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Rule::VerificationFailed => "verification-failed",
            Rule::NotChecked => "not-checked",
            Rule::LeftOut => "left-out",
            Rule::Downgrade => "downgrade",
            Rule::HistoryNotCompared => "history-not-compared",
            Rule::ProvenanceChange => "provenance-change",
            Rule::Unverified => "unverified",
            Rule::ReleaseAge => "release-age",
            Rule::PackageManager => "package-manager-rule",
        }
    }

    /// A finding's title.
    pub fn title(self) -> &'static str {
        match self {
            Rule::VerificationFailed => "Provenance verification failed",
            Rule::NotChecked => "Could not be checked",
            Rule::LeftOut => "Lockfile entry left out",
            Rule::Downgrade => "Trust downgrade",
            Rule::HistoryNotCompared => "History not compared",
            Rule::ProvenanceChange => "Build identity changed",
            Rule::Unverified => "No verified provenance",
            Rule::ReleaseAge => "Published too recently",
            Rule::PackageManager => "Package manager's rule differs",
        }
    }

    /// What it means, for code scanning's rule list.
    pub fn description(self) -> &'static str {
        match self {
            Rule::VerificationFailed => {
                "A new or changed package version's signed evidence (provenance, npm's publish attestation, registry \
                 signatures, the lockfile's integrity) did not verify: what would be installed is not what its \
                 maintainers built."
            }
            Rule::NotChecked => {
                "A new or changed package version could not be looked up (the registry did not answer, or does not \
                 have it), so nothing vouches for it."
            }
            Rule::LeftOut => "A lockfile entry could not be read completely; the package it installs was not checked.",
            Rule::Downgrade => {
                "The version was published with weaker evidence (trusted publishing, provenance, a registry \
                 signature) than an earlier version of its release line: what a stolen token looks like."
            }
            Rule::HistoryNotCompared => {
                "The package's version history could not be read, so a downgrade could not be ruled out."
            }
            Rule::ProvenanceChange => {
                "Compared with the version the base installed, the build's signed identity (repository, workflow \
                 file, trigger, ref type, runner, issuer) or the publishing method changed, or its trust level fell."
            }
            Rule::Unverified => {
                "The version has no verified provenance, or the dependency comes from a repository or a tarball \
                 address that nothing verifies."
            }
            Rule::ReleaseAge => "The version is younger than the minimum release age the project's policy sets.",
            Rule::PackageManager => {
                "The package manager's own trust rule would refuse the version, and this project's rules do not \
                 (its known false alarms: another release line, a pre-release, a deprecated version)."
            }
        }
    }

    /// Whether a finding of this rule fails, before waivers.
    fn fails(self, fail_on: &[FailOn], policy: &Policy) -> bool {
        match self {
            Rule::VerificationFailed | Rule::NotChecked | Rule::LeftOut | Rule::ReleaseAge => true,
            Rule::Downgrade | Rule::HistoryNotCompared => fail_on.contains(&FailOn::Downgrade) || policy.no_downgrade(),
            Rule::ProvenanceChange => fail_on.contains(&FailOn::ProvenanceChange),
            Rule::Unverified => fail_on.contains(&FailOn::Unverified),
            Rule::PackageManager => false,
        }
    }

    /// Whether the project's trust-policy exclusions waive it (never a
    /// failed signature or an unread entry: those are not trust choices).
    fn excludable(self) -> bool {
        matches!(
            self,
            Rule::Downgrade
                | Rule::HistoryNotCompared
                | Rule::ProvenanceChange
                | Rule::Unverified
                | Rule::PackageManager
        )
    }
}

/// What may fail the gate besides what always does (a failed verification,
/// a version not checked, an entry left out, the release age).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    Downgrade,
    ProvenanceChange,
    Unverified,
}

impl FailOn {
    /// `downgrade,unverified`, or `any` for all three.
    pub fn parse_list(text: &str) -> Result<Vec<FailOn>, String> {
        let mut out = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let add: &[FailOn] = match word {
                "downgrade" => &[FailOn::Downgrade],
                "provenance-change" => &[FailOn::ProvenanceChange],
                "unverified" => &[FailOn::Unverified],
                "any" => &[FailOn::Downgrade, FailOn::ProvenanceChange, FailOn::Unverified],
                other => {
                    return Err(format!(
                        "--fail-on {:?}: expected downgrade, provenance-change, unverified or any",
                        crate::text::visible(other)
                    ));
                }
            };
            out.extend_from_slice(add);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub fn key(self) -> &'static str {
        match self {
            FailOn::Downgrade => "downgrade",
            FailOn::ProvenanceChange => "provenance-change",
            FailOn::Unverified => "unverified",
        }
    }
}

/// One thing a reviewer should see, at the lockfile line it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub name: String,
    /// The package version, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
    /// The line (1-based) of its entry in the head's lockfile, when placed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    pub message: String,
    /// Whether it fails the gate.
    pub fails: bool,
    /// Why a finding that would fail does not: the exclusion or the
    /// setting that waives it, in words.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waived: Option<String>,
}

impl Finding {
    /// `name@version`, or the name.
    pub fn subject(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.name),
            None => self.name.clone(),
        }
    }
}

/// One changed package version, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateVersion {
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub change: ChangeKind,
    /// The base's version it was compared with.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub base_version: Option<String>,
    /// That version's trust level, when it was looked up and verified.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub base_trust: Option<TrustLevel>,
    /// What differs between the two builds (empty when they agree or could
    /// not be compared).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub build_changes: Vec<Change>,
    /// What the lockfile's package manager's own rule says.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub package_manager: Option<ManagerVerdict>,
    /// When the registry says it was published (seconds since the epoch).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub published_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

/// What the door fetched for one changed version: its report (looked up
/// with its history), the history, and the base version's report.
#[derive(Debug, Clone)]
pub struct Checked {
    pub head: Report,
    pub history: Option<Arc<Packument>>,
    pub base: Option<Report>,
}

/// The counts a reviewer reads first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateSummary {
    /// Changed versions looked up.
    pub checked: usize,
    pub added: usize,
    pub upgraded: usize,
    pub downgraded: usize,
    pub repinned: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// New dependencies from outside the registry.
    pub new_elsewhere: usize,
    /// Changed versions whose provenance verified.
    pub verified: usize,
    pub findings: usize,
    pub failing: usize,
    pub waived: usize,
}

/// The gate's whole answer, as `--json` prints it and every format renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateReport {
    pub lockfile: LockfileKind,
    /// The base, as given (a git ref or a file).
    pub base: String,
    pub summary: GateSummary,
    /// Failing first, then by rule and name.
    pub findings: Vec<Finding>,
    pub versions: Vec<GateVersion>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub new_elsewhere: Vec<NotFromRegistry>,
    pub policy: Policy,
    pub fail_on: Vec<FailOn>,
    /// What was read as the package manager reads it (the head's lockfile).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trust_source: Option<crate::tuf::TrustSource>,
    /// The rule that failed the gate first, in words; `None` when it passed.
    pub failed_rule: Option<String>,
}

impl GateReport {
    pub fn passes(&self) -> bool {
        self.failed_rule.is_none()
    }
}

/// Everything [`decide`] weighs.
pub struct GateInput<'a> {
    /// The head's lockfile, as the audit reads it ([`crate::audit::for_registry`]).
    pub head: &'a Lockfile,
    pub base_label: String,
    pub diff: &'a LockfileDiff,
    /// One per `diff.changed`, in the same order; a missing one is a
    /// version that was not checked (and fails).
    pub checked: Vec<Checked>,
    pub policy: Policy,
    pub fail_on: Vec<FailOn>,
    /// Seconds since the epoch, for release ages (the core reads no clock).
    pub now: i64,
    pub lines: &'a LineIndex,
    /// Whether histories were asked for (a history not compared is a
    /// finding only then).
    pub histories: bool,
}

/// The findings and the decision.
pub fn decide(input: GateInput<'_>) -> GateReport {
    let GateInput {
        head,
        base_label,
        diff,
        checked,
        policy,
        fail_on,
        now,
        lines,
        histories,
    } = input;
    let mut findings = Vec::new();
    let mut versions = Vec::new();
    let mut checked = checked.into_iter();
    for change in &diff.changed {
        let package = &change.package;
        let (name, version) = (package.name.as_str(), package.version.as_str());
        let line = lines.line_of(name, version).or_else(|| lines.line_of_name(name));
        let found = |rule: Rule, message: String| Finding {
            rule,
            name: name.to_string(),
            version: Some(version.to_string()),
            line,
            message,
            fails: false,
            waived: None,
        };
        let Some(Checked {
            head: report,
            history,
            base,
        }) = checked.next()
        else {
            findings.push(found(Rule::NotChecked, "It was not looked up.".into()));
            continue;
        };
        let entry = AuditEntry::from_report(package, &report);
        let history: &[VersionSummary] = history.as_deref().map(|p| p.history.as_slice()).unwrap_or_default();
        let published_at = history
            .iter()
            .find(|v| v.version == version)
            .and_then(|v| v.published_at);
        let reason = entry.reason.clone().unwrap_or_default();
        match report.verdict {
            Verdict::Failed => findings.push(found(Rule::VerificationFailed, reason)),
            Verdict::Error => findings.push(found(Rule::NotChecked, reason)),
            Verdict::Incomplete => findings.push(found(
                Rule::Unverified,
                format!("Its provenance could not be verified completely: {reason}"),
            )),
            Verdict::NoProvenance => findings.push(found(
                Rule::Unverified,
                format!(
                    "Published without provenance ({}).",
                    report.trust.map_or("no trust level", TrustLevel::label)
                ),
            )),
            Verdict::Verified => {}
        }
        let manager = policy
            .manager
            .filter(|_| !history.is_empty())
            .map(|m| package_managers::verdict(m, history, version));
        let manager_on = policy.no_downgrade.is_some();
        if let Some(downgrade) = &report.downgrade {
            let mut message = downgrade.sentence.clone();
            if let Some(m) = manager.as_ref().filter(|_| manager_on) {
                message.push_str(if m.blocks {
                    " The package manager's own rule would refuse it too."
                } else {
                    " The package manager's own rule would install it: it does not compare these levels."
                });
            }
            findings.push(found(Rule::Downgrade, message));
        } else if histories && report.trust.is_some() && !report.downgrade_checked {
            findings.push(found(
                Rule::HistoryNotCompared,
                report
                    .history_note
                    .clone()
                    .unwrap_or_else(|| "The package's version history could not be read.".into()),
            ));
        }
        if let Some(m) = manager
            .as_ref()
            .filter(|m| m.blocks && manager_on && report.downgrade.is_none())
        {
            let reasons = package_managers::why_not(m.manager, history, version);
            let why = if reasons.is_empty() {
                format!(
                    "it compares the levels that verified ({}), and finds none stronger before it in its release line",
                    report.trust.map_or("none", TrustLevel::label)
                )
            } else {
                format!(
                    "it does not hold it to {}",
                    package_managers::reasons_sentence(&reasons)
                )
            };
            findings.push(found(
                Rule::PackageManager,
                format!("{} This project does not: {why}.", m.sentence),
            ));
        }
        let mut build_changes = Vec::new();
        let base_trust = base.as_ref().and_then(|b| b.trust);
        if let (Some(base_report), Some(base_package)) = (base.as_ref(), change.base.as_ref()) {
            let was = &base_package.version;
            match (base_trust, report.trust) {
                (Some(before), Some(after)) if after < before && report.downgrade.is_none() => {
                    findings.push(found(
                        Rule::ProvenanceChange,
                        format!(
                            "Trust fell from the base's {was} ({}) to {} ({}).",
                            before.label(),
                            version,
                            after.label()
                        ),
                    ));
                }
                _ => {}
            }
            if let Some(since) = changes_since(base_report, &report) {
                if !since.changes.is_empty() {
                    let list: Vec<String> = since
                        .changes
                        .iter()
                        .map(|c| format!("{}: {} → {}", c.what, c.before, c.after))
                        .collect();
                    findings.push(found(
                        Rule::ProvenanceChange,
                        format!("Built differently from the base's {was}: {}.", list.join("; ")),
                    ));
                }
                build_changes = since.changes;
            } else if base_report.verdict == Verdict::Error && report.verdict == Verdict::Verified {
                findings.push(found(
                    Rule::ProvenanceChange,
                    format!(
                        "Could not be compared with the base's {was}: {}",
                        crate::text::visible(&base_report.summary)
                    ),
                ));
            }
        }
        if let Some(age) = &policy.min_release_age_minutes {
            let limit = i64::try_from(age.value.saturating_mul(60)).unwrap_or(i64::MAX);
            match published_at {
                None => findings.push(found(
                    Rule::ReleaseAge,
                    format!("The registry gives no publication time, so {} cannot be met.", age.from),
                )),
                Some(at) if now.saturating_sub(at) < limit => findings.push(found(
                    Rule::ReleaseAge,
                    format!(
                        "Published {} ago; {} asks for {}.",
                        duration(now.saturating_sub(at)),
                        age.from,
                        duration(limit)
                    ),
                )),
                Some(_) => {}
            }
        }
        versions.push(GateVersion {
            line,
            published_at,
            package_manager: manager,
            build_changes,
            base_trust,
            base_version: change.base.as_ref().map(|b| b.version.clone()),
            change: change.kind,
            entry,
        });
    }
    for d in diff.new_elsewhere.iter().filter(|d| d.kind.is_fetched()) {
        findings.push(Finding {
            rule: Rule::Unverified,
            name: d.name.clone(),
            version: None,
            line: lines.line_of_name(&d.name),
            message: format!(
                "A new dependency from {} ({:?}): nothing verifies where it came from.",
                crate::text::visible(&d.source),
                d.kind
            ),
            fails: false,
            waived: None,
        });
    }
    for (i, problem) in head.problems.iter().enumerate() {
        let more = head.left_out.saturating_sub(head.problems.len());
        let message = if i + 1 == head.problems.len() && more > 0 {
            format!("{problem} (and {more} more entries left out)")
        } else {
            problem.clone()
        };
        findings.push(Finding {
            rule: Rule::LeftOut,
            name: String::new(),
            version: None,
            line: None,
            message,
            fails: false,
            waived: None,
        });
    }
    for finding in &mut findings {
        finding.waived = waiver(finding, &policy, now, &versions);
        finding.fails = finding.waived.is_none() && finding.rule.fails(&fail_on, &policy);
    }
    findings.sort_by(|a, b| (!a.fails, a.rule, &a.name, &a.version).cmp(&(!b.fails, b.rule, &b.name, &b.version)));
    let summary = GateSummary {
        checked: versions.len(),
        added: count(diff, ChangeKind::Added),
        upgraded: count(diff, ChangeKind::Upgraded),
        downgraded: count(diff, ChangeKind::Downgraded),
        repinned: count(diff, ChangeKind::Repinned),
        unchanged: diff.unchanged,
        removed: diff.removed.len(),
        new_elsewhere: diff.new_elsewhere.len(),
        verified: versions
            .iter()
            .filter(|v| v.entry.verdict == crate::audit::AuditVerdict::Verified)
            .count(),
        findings: findings.len(),
        failing: findings.iter().filter(|f| f.fails).count(),
        waived: findings.iter().filter(|f| f.waived.is_some()).count(),
    };
    let failed_rule = failed_rule(&findings, &fail_on, &policy);
    GateReport {
        lockfile: head.kind.clone(),
        base: base_label,
        summary,
        findings,
        versions,
        removed: diff.removed.clone(),
        new_elsewhere: diff.new_elsewhere.clone(),
        policy,
        fail_on,
        notes: head.notes.clone(),
        trust_source: None,
        failed_rule,
    }
}

fn count(diff: &LockfileDiff, kind: ChangeKind) -> usize {
    diff.changed.iter().filter(|c| c.kind == kind).count()
}

/// Why a finding does not fail although its rule would: the project
/// excluded the package, or the version is older than the trust policy
/// looks (`trustPolicyIgnoreAfter`), or exempt from the release age.
fn waiver(finding: &Finding, policy: &Policy, now: i64, versions: &[GateVersion]) -> Option<String> {
    let version = finding.version.as_deref()?;
    if finding.rule == Rule::ReleaseAge {
        return policy
            .release_age_excluded(&finding.name, version)
            .map(|e| format!("excluded by {} ({})", e.from, crate::text::visible(&e.value.text)));
    }
    if !finding.rule.excludable() {
        return None;
    }
    if let Some(e) = policy.excluded(&finding.name, version) {
        return Some(format!(
            "excluded by {} ({})",
            e.from,
            crate::text::visible(&e.value.text)
        ));
    }
    let ignore = policy.ignore_after_minutes.as_ref()?;
    if !matches!(
        finding.rule,
        Rule::Downgrade | Rule::HistoryNotCompared | Rule::PackageManager
    ) {
        return None;
    }
    let published = versions
        .iter()
        .find(|v| v.entry.name == finding.name && v.entry.version == version)?
        .published_at?;
    let age = now.saturating_sub(published);
    let limit = i64::try_from(ignore.value.saturating_mul(60)).unwrap_or(i64::MAX);
    (age > limit).then(|| {
        format!(
            "published {} ago, longer than {} ({})",
            duration(age),
            ignore.from,
            duration(limit)
        )
    })
}

/// The first rule that failed, with how many findings, and what made it fail.
fn failed_rule(findings: &[Finding], fail_on: &[FailOn], policy: &Policy) -> Option<String> {
    let rule = findings.iter().filter(|f| f.fails).map(|f| f.rule).min()?;
    let n = findings.iter().filter(|f| f.fails && f.rule == rule).count();
    let why = match rule {
        Rule::Downgrade | Rule::HistoryNotCompared if !fail_on.contains(&FailOn::Downgrade) => policy
            .no_downgrade
            .as_ref()
            .map(|s| format!(" ({})", s.from))
            .unwrap_or_default(),
        Rule::Downgrade | Rule::HistoryNotCompared => " (--fail-on downgrade)".into(),
        Rule::ProvenanceChange => " (--fail-on provenance-change)".into(),
        Rule::Unverified => " (--fail-on unverified)".into(),
        Rule::ReleaseAge => policy
            .min_release_age_minutes
            .as_ref()
            .map(|s| format!(" ({})", s.from))
            .unwrap_or_default(),
        _ => String::new(),
    };
    Some(format!("{n} × {}{why}", rule.title().to_lowercase()))
}

/// `3 days`, `5 hours`, `12 minutes`.
fn duration(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match minutes {
        m if m >= 2 * 24 * 60 => format!("{} days", m / (24 * 60)),
        m if m >= 2 * 60 => format!("{} hours", m / 60),
        m => format!("{m} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_serialize_as_their_ids_and_fail_on_reads_its_words() {
        for rule in Rule::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.id());
        }
        assert_eq!(
            FailOn::parse_list("any").unwrap(),
            [FailOn::Downgrade, FailOn::ProvenanceChange, FailOn::Unverified]
        );
        assert_eq!(
            FailOn::parse_list(" unverified ,downgrade,unverified").unwrap(),
            [FailOn::Downgrade, FailOn::Unverified]
        );
        assert!(FailOn::parse_list("").unwrap().is_empty());
        assert!(FailOn::parse_list("downgrade,all").is_err());
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(59), "0 minutes");
        assert_eq!(duration(119 * 60), "119 minutes");
        assert_eq!(duration(2 * 3600), "2 hours");
        assert_eq!(duration(3 * 86_400 + 5), "3 days");
        assert_eq!(duration(-5), "0 minutes");
    }
}
