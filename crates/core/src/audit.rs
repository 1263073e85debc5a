//! A lockfile's packages, verified: one entry per package version, the
//! summary a person reads first, and the exports (JSON, CSV).
//!
//! Fetching is the caller's (the command line, the app). Each package
//! version goes through the one package-version path,
//! [`crate::verify_package_version`], with the integrity the lockfile
//! recorded ([`crate::checks::CheckId::LockfileIntegrity`]); this module only
//! turns reports into rows and rows into a summary, so that the command
//! line's `--json`, the app's table and both exports say the same thing.

use serde::{Deserialize, Serialize};

use crate::checks::{CheckId, CheckStatus};
use crate::lockfile::{LockedPackage, Lockfile, LockfileKind, NotFromRegistry};
use crate::publishing::{Downgrade, TrustLevel};
use crate::report::{Report, Verdict};

/// An entry's verdict, in the words of the audit's JSON (`none` for a
/// version without provenance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditVerdict {
    // In the order the rows are shown: what needs attention first.
    Failed,
    Error,
    Incomplete,
    None,
    Verified,
}

impl AuditVerdict {
    pub fn label(self) -> &'static str {
        match self {
            AuditVerdict::Failed => "failed",
            AuditVerdict::Error => "error",
            AuditVerdict::Incomplete => "incomplete",
            AuditVerdict::None => "none",
            AuditVerdict::Verified => "verified",
        }
    }
}

impl From<Verdict> for AuditVerdict {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Verified => AuditVerdict::Verified,
            Verdict::Failed => AuditVerdict::Failed,
            Verdict::Incomplete => AuditVerdict::Incomplete,
            Verdict::NoProvenance => AuditVerdict::None,
            Verdict::Error => AuditVerdict::Error,
        }
    }
}

/// One package version of the lockfile, as verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub name: String,
    pub version: String,
    pub verdict: AuditVerdict,
    /// Why it is not verified: the failed check and its sentence, the check
    /// that could not run, or the error.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// The check that failed, for filtering.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub failed_check: Option<CheckId>,
    /// The source repository the provenance certificate names, when the
    /// provenance verified and its issuer is the CI issuer of that host
    /// (never from the self-declared predicate).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub repository: Option<String>,
    /// "GitHub Actions", "GitLab CI", under the same condition.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub platform: Option<String>,
    /// The version's trust level (`null` when it failed or could not be
    /// checked).
    #[serde(default)]
    pub trust: Option<TrustLevel>,
    /// `null`, or the earlier version of its release line published with
    /// stronger evidence (only when the package's history was compared).
    #[serde(default)]
    pub downgrade: Option<Downgrade>,
    /// Whether the package's version history was compared.
    #[serde(default)]
    pub downgrade_checked: bool,
    /// The integrity the lockfile recorded (the first, when it records several).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub integrity: Option<String>,
    /// Every integrity it records for this version, when there are several
    /// (copies installed apart): each was compared with the registry's.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub integrities: Vec<String>,
    pub direct: bool,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub via: Vec<String>,
    pub dev: bool,
}

impl AuditEntry {
    fn of(package: &LockedPackage, verdict: AuditVerdict) -> Self {
        Self {
            name: package.name.clone(),
            version: package.version.clone(),
            verdict,
            reason: None,
            failed_check: None,
            repository: None,
            platform: None,
            trust: None,
            downgrade: None,
            downgrade_checked: false,
            integrity: package.integrities.first().cloned(),
            integrities: if package.integrities.len() > 1 {
                package.integrities.clone()
            } else {
                Vec::new()
            },
            direct: package.direct,
            via: package.via.clone(),
            dev: package.dev,
        }
    }

    /// The row for a package version's report.
    pub fn from_report(package: &LockedPackage, report: &Report) -> Self {
        let mut entry = Self::of(package, report.verdict.into());
        entry.trust = report.trust;
        entry.downgrade = report.downgrade.clone();
        entry.downgrade_checked = report.downgrade_checked;
        match report.verdict {
            Verdict::Failed => {
                if let Some((kind, check)) = report.first_failure() {
                    let title = match kind {
                        Some(kind) => format!("{} ({})", check.id.title(), kind.label()),
                        None => check.id.title().to_string(),
                    };
                    entry.reason = Some(format!("{title}: {}", check.detail));
                    entry.failed_check = Some(check.id);
                }
            }
            Verdict::Incomplete => {
                // The first required check that could not run says what is missing.
                let missing = report
                    .checks
                    .iter()
                    .chain(report.attestations.iter().flat_map(|a| a.checks.iter()))
                    .find(|c| c.required && c.status == CheckStatus::Skipped);
                entry.reason = Some(match missing {
                    Some(check) => format!("{}: {}", check.id.title(), check.detail),
                    None => report.summary.clone(),
                });
            }
            Verdict::Error => entry.reason = Some(report.summary.clone()),
            Verdict::NoProvenance => entry.reason = Some("The registry serves no provenance for this version.".into()),
            Verdict::Verified => {
                if let Some(summary) = report.provenance.as_ref().filter(|s| s.recognised_issuer) {
                    entry.platform = Some(summary.platform.label().to_string());
                    entry.repository = summary.source_repository.as_ref().map(|link| link.text.clone());
                }
            }
        }
        entry
    }

    /// The row for a package version that could not be verified at all (the
    /// registry did not answer, or does not have it).
    pub fn error(package: &LockedPackage, reason: String) -> Self {
        Self {
            reason: Some(reason),
            ..Self::of(package, AuditVerdict::Error)
        }
    }
}

/// The counts a person reads first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    /// Registry package versions audited.
    pub total: usize,
    pub verified: usize,
    pub failed: usize,
    pub incomplete: usize,
    pub none: usize,
    pub error: usize,
    /// Dependencies that do not come from the registry (git, file, link, ...).
    pub not_from_registry: usize,
    /// Of those, the ones fetched from elsewhere that nothing verifies: git
    /// repositories and tarballs at an address no integrity binds.
    #[serde(default)]
    pub unverifiable: usize,
    /// Lockfile entries left out (each a package the audit could not check).
    pub problems: usize,
    /// Package versions at each trust level.
    #[serde(default)]
    pub trust: TrustCounts,
    /// Package versions published with weaker evidence than an earlier
    /// version of their release line (counted when histories were compared).
    #[serde(default)]
    pub downgrades: usize,
}

/// How many package versions are at each trust level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct TrustCounts {
    pub trusted_publisher: usize,
    pub provenance: usize,
    pub registry_signature: usize,
    pub none: usize,
}

impl AuditSummary {
    pub fn of(entries: &[AuditEntry]) -> Self {
        let mut summary = Self {
            total: entries.len(),
            ..Default::default()
        };
        for entry in entries {
            *match entry.verdict {
                AuditVerdict::Verified => &mut summary.verified,
                AuditVerdict::Failed => &mut summary.failed,
                AuditVerdict::Incomplete => &mut summary.incomplete,
                AuditVerdict::None => &mut summary.none,
                AuditVerdict::Error => &mut summary.error,
            } += 1;
            if let Some(level) = entry.trust {
                *match level {
                    TrustLevel::TrustedPublisher => &mut summary.trust.trusted_publisher,
                    TrustLevel::Provenance => &mut summary.trust.provenance,
                    TrustLevel::RegistrySignature => &mut summary.trust.registry_signature,
                    TrustLevel::None => &mut summary.trust.none,
                } += 1;
            }
            summary.downgrades += usize::from(entry.downgrade.is_some());
        }
        summary
    }

    /// "312 of 1,000 package versions have verified provenance (31%)".
    pub fn coverage(&self) -> String {
        let percent = (self.verified * 100).checked_div(self.total).unwrap_or(0);
        format!(
            "{} of {} package versions have verified provenance ({percent}%)",
            self.verified, self.total
        )
    }
}

/// The lockfile as an audit against `registry` reads it. A copy whose
/// tarball no integrity binds is checked against the registry only when its
/// address is the registry's (under its base URL; npm's registry also under
/// `registry.yarnpkg.com`, its proxy): a copy fetched from anywhere else is
/// a tarball dependency, which nothing here verifies. A package version all
/// of whose copies are such is no registry package.
pub fn for_registry(mut lockfile: Lockfile, registry: &str) -> Lockfile {
    let mut unbound = Vec::new();
    lockfile.packages.retain_mut(|p| {
        let (here, elsewhere): (Vec<String>, Vec<String>) =
            p.addresses.drain(..).partition(|a| is_under_registry(a, registry));
        unbound.extend(elsewhere.into_iter().map(|source| NotFromRegistry {
            name: p.name.clone(),
            kind: crate::lockfile::SourceKind::Tarball,
            source,
        }));
        p.addresses = here;
        !p.integrities.is_empty() || !p.addresses.is_empty() || p.unaddressed
    });
    lockfile.not_from_registry.extend(unbound);
    lockfile.not_from_registry.sort();
    lockfile.not_from_registry.dedup();
    lockfile
}

/// Whether a tarball address is the registry's own: under its base URL
/// (scheme, host, port and path), or, for npm's registry, under its yarn
/// name. Text after `#` (yarn's `#sha1`) or `?` is not the address.
pub fn is_under_registry(address: &str, registry: &str) -> bool {
    let address = address.split(['#', '?']).next().unwrap_or_default();
    let lower = |s: &str| {
        let (scheme_host, path) = match s.find("://").map(|i| i + 3) {
            Some(start) => match s.get(start..).and_then(|rest| rest.find('/')) {
                Some(slash) => s.split_at(start + slash),
                None => (s, ""),
            },
            None => (s, ""),
        };
        format!("{}{path}", scheme_host.to_ascii_lowercase())
    };
    let address = lower(address);
    let under = |base: &str| {
        let base = lower(base.trim_end_matches('/'));
        address.starts_with(&format!("{base}/"))
    };
    under(registry)
        || (crate::site::is_npm_registry(registry) && under("https://registry.yarnpkg.com"))
        || (crate::site::is_npm_registry(registry) && under("https://registry.npmjs.org"))
}

/// A whole audit, as `audit --json` prints it and the app exports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    pub lockfile: LockfileKind,
    pub summary: AuditSummary,
    /// Failures first, then errors, incomplete, none, verified; by name within.
    pub packages: Vec<AuditEntry>,
    pub not_from_registry: Vec<NotFromRegistry>,
    pub problems: Vec<String>,
    /// What was read as the package manager reads it, said so.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    /// Where the trust material came from, when the caller knows.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trust_source: Option<crate::tuf::TrustSource>,
}

impl AuditReport {
    pub fn new(lockfile: &Lockfile, mut packages: Vec<AuditEntry>) -> Self {
        packages.sort_by(|a, b| (a.verdict, &a.name, &a.version).cmp(&(b.verdict, &b.name, &b.version)));
        let mut summary = AuditSummary::of(&packages);
        summary.not_from_registry = lockfile.not_from_registry.len();
        summary.unverifiable = lockfile
            .not_from_registry
            .iter()
            .filter(|d| d.kind.is_fetched())
            .count();
        summary.problems = lockfile.left_out;
        Self {
            lockfile: lockfile.kind.clone(),
            summary,
            packages,
            not_from_registry: lockfile.not_from_registry.clone(),
            problems: lockfile.problems.clone(),
            notes: lockfile.notes.clone(),
            trust_source: None,
        }
    }

    /// Whether the audit passes: no package version failed verification or
    /// could not be checked, and no lockfile entry was left out (and, with
    /// `require_provenance`, every one has verified provenance and nothing
    /// is fetched from a repository or an unbound address; with
    /// `no_downgrade`, none is a downgrade and every history that could be
    /// was compared). An audit of nothing is no pass: see [`Self::is_empty`].
    pub fn passes(&self, require_provenance: bool, no_downgrade: bool) -> bool {
        let s = &self.summary;
        let unchecked = self.packages.iter().any(|e| e.trust.is_some() && !e.downgrade_checked);
        !self.is_empty()
            && s.failed == 0
            && s.error == 0
            && s.problems == 0
            && (!require_provenance || (s.verified == s.total && s.unverifiable == 0))
            && (!no_downgrade || (s.downgrades == 0 && !unchecked))
    }

    /// No registry package version could be read from the lockfile: there
    /// is nothing the audit vouches for, which is unusable input, not a pass.
    pub fn is_empty(&self) -> bool {
        self.summary.total == 0
    }

    /// The rule an audit that does not pass broke first, in words (for the
    /// last line of the command's output).
    pub fn failed_rule(&self, require_provenance: bool, no_downgrade: bool) -> Option<String> {
        let s = &self.summary;
        let unchecked = self.packages.iter().any(|e| e.trust.is_some() && !e.downgrade_checked);
        if self.is_empty() {
            Some("no registry package version could be read from the lockfile".into())
        } else if s.failed > 0 {
            Some(format!("{} package versions failed verification", s.failed))
        } else if s.error > 0 {
            Some(format!("{} package versions could not be checked", s.error))
        } else if s.problems > 0 {
            Some(format!("{} lockfile entries were left out", s.problems))
        } else if require_provenance && s.verified < s.total {
            Some(format!(
                "--require-provenance: {} package versions lack verified provenance",
                s.total - s.verified
            ))
        } else if require_provenance && s.unverifiable > 0 {
            Some(format!(
                "--require-provenance: {} dependencies come from a repository or a tarball address nothing verifies",
                s.unverifiable
            ))
        } else if no_downgrade && s.downgrades > 0 {
            Some(format!(
                "--no-downgrade: {} package versions are downgrades",
                s.downgrades
            ))
        } else if no_downgrade && unchecked {
            Some("--no-downgrade: some histories could not be compared".into())
        } else {
            None
        }
    }

    /// The rows as CSV (RFC 4180), for spreadsheets.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "name,version,verdict,trust,downgrade,reason,repository,platform,direct,dev,via,integrity\r\n",
        );
        for e in &self.packages {
            let fields = [
                e.verdict.label(),
                e.trust.map(TrustLevel::key).unwrap_or_default(),
                &e.downgrade.as_ref().map(|d| d.sentence.clone()).unwrap_or_default(),
                e.reason.as_deref().unwrap_or_default(),
                e.repository.as_deref().unwrap_or_default(),
                e.platform.as_deref().unwrap_or_default(),
                if e.direct { "yes" } else { "no" },
                if e.dev { "yes" } else { "no" },
                &e.via.join(" "),
                e.integrity.as_deref().unwrap_or_default(),
            ];
            // A valid name or semver version holds no formula syntax
            // (letters, digits and `-._~@/+` only: no `=`, parenthesis,
            // quote, `|` or `!` to call anything with), so it is written as
            // it is: `@npmcli/arborist` stays a name a reader can search
            // for. A name that starts with `-` ("-1-1", which a spreadsheet
            // would compute) and anything not valid (no audit row holds one)
            // is defused as any other cell.
            let name = match crate::package::validate_name(&e.name) {
                Ok(()) if !e.name.starts_with('-') => csv_quoted(&e.name),
                _ => csv_field(&e.name),
            };
            let version = match semver::Version::parse(&e.version) {
                Ok(_) => csv_quoted(&e.version),
                Err(_) => csv_field(&e.version),
            };
            let row: Vec<String> = [name, version]
                .into_iter()
                .chain(fields.iter().map(|f| csv_field(f)))
                .collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// One CSV field: quoted when it holds a quote, comma or line break; and a
/// field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first: package data is anyone's) is prefixed with `'`.
fn csv_field(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => csv_quoted(&format!("'{text}")),
        _ => csv_quoted(text),
    }
}

/// One CSV field, quoted when it holds a quote, comma or line break.
fn csv_quoted(text: &str) -> String {
    if text.contains(['"', ',', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str) -> LockedPackage {
        LockedPackage {
            name: name.into(),
            version: "1.0.0".into(),
            integrities: vec![],
            addresses: vec![],
            unaddressed: true,
            direct: true,
            via: vec![],
            dev: false,
        }
    }

    #[test]
    fn rows_sort_what_needs_attention_first_and_count() {
        let entries = vec![
            AuditEntry::of(&package("b"), AuditVerdict::Verified),
            AuditEntry::error(&package("c"), "the registry answered HTTP 500".into()),
            AuditEntry::of(&package("a"), AuditVerdict::Verified),
            AuditEntry::of(&package("d"), AuditVerdict::Failed),
            AuditEntry::of(&package("e"), AuditVerdict::None),
        ];
        let lockfile = Lockfile {
            kind: LockfileKind::YarnClassic,
            packages: vec![],
            not_from_registry: vec![],
            problems: vec!["x".into()],
            left_out: 1,
            notes: vec![],
        };
        let report = AuditReport::new(&lockfile, entries);
        let order: Vec<&str> = report.packages.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(order, ["d", "c", "e", "a", "b"]);
        assert_eq!(
            (
                report.summary.total,
                report.summary.verified,
                report.summary.failed,
                report.summary.error
            ),
            (5, 2, 1, 1)
        );
        assert_eq!(report.summary.problems, 1);
        assert_eq!(
            report.summary.coverage(),
            "2 of 5 package versions have verified provenance (40%)"
        );
        assert!(!report.passes(false, false));
    }

    /// Names and versions are written intact (a valid one holds no formula
    /// syntax); every other cell a spreadsheet would run is defused, and so
    /// would be a name that is not valid.
    #[test]
    fn csv_keeps_names_intact_and_defuses_every_other_cell() {
        let lockfile = Lockfile {
            kind: LockfileKind::Npm { lockfile_version: 3 },
            packages: vec![],
            not_from_registry: vec![],
            problems: vec![],
            left_out: 0,
            notes: vec![],
        };
        let mut scoped = AuditEntry::error(&package("@npmcli/arborist"), "=HYPERLINK(\"x\")".into());
        scoped.repository = Some("@evil/x".into());
        scoped.via = vec!["-cmd".into()];
        let mut forged = AuditEntry::of(&package("=cmd|' /C calc'!A0"), AuditVerdict::Failed);
        forged.version = "+1+cmd".into();
        let dashed = AuditEntry::of(&package("-1-1"), AuditVerdict::Failed);
        let csv = AuditReport::new(&lockfile, vec![scoped, forged, dashed]).to_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[1], "'-1-1,1.0.0,failed,,,,,,yes,no,,",
            "a valid name a spreadsheet computes"
        );
        assert_eq!(
            lines[2], "'=cmd|' /C calc'!A0,'+1+cmd,failed,,,,,,yes,no,,",
            "a name or version that is not valid is defused"
        );
        assert_eq!(
            lines[3],
            "@npmcli/arborist,1.0.0,error,,,\"'=HYPERLINK(\"\"x\"\")\",'@evil/x,,yes,no,'-cmd,"
        );
        // Without the name and version rule, the name would be '@npmcli/arborist.
        assert_eq!(csv_field("@npmcli/arborist"), "'@npmcli/arborist");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
