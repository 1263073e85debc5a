//! The package managers' own trust policies, read from the files a project
//! keeps them in, so that the gate applies what the project already asked
//! for and explains where it disagrees.
//!
//! - pnpm (10.21+): `trustPolicy: no-downgrade`, `trustPolicyExclude`,
//!   `trustPolicyIgnoreAfter` (minutes), `minimumReleaseAge` (minutes) and
//!   `minimumReleaseAgeExclude` in `pnpm-workspace.yaml`; the same settings
//!   in kebab case in `.npmrc` (`trust-policy`, `minimum-release-age`, ...),
//!   which the workspace file overrides.
//! - npm: `min-release-age` (days, npm 11.10+) in `.npmrc`, and
//!   `trust-policy`, `trust-policy-exclude[]` and `trust-policy-ignore-after`
//!   (minutes) as npm/cli PR #9902 proposes them.
//!
//! Which files count depends on the lockfile's package manager; yarn and
//! bun have no trust policy of their own. The command line's flags
//! override any file.

use serde::{Deserialize, Serialize};

/// Policy files are a few lines; more than this is not one.
pub const MAX_POLICY_BYTES: usize = 1 << 20;
/// Exclusions kept per list: pnpm users list a handful.
const MAX_EXCLUSIONS: usize = 1_000;

/// The package manager whose rules a lockfile's project follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Npm,
    Pnpm,
}

impl Manager {
    /// The manager that writes a lockfile of this kind, where it has a
    /// trust policy (yarn and bun have none).
    pub fn of(kind: &crate::lockfile::LockfileKind) -> Option<Manager> {
        match kind {
            crate::lockfile::LockfileKind::Npm { .. } => Some(Manager::Npm),
            crate::lockfile::LockfileKind::Pnpm { .. } => Some(Manager::Pnpm),
            _ => None,
        }
    }

    /// The files beside the lockfile it reads its settings from, the one
    /// that overrides last.
    pub fn policy_files(self) -> &'static [&'static str] {
        match self {
            Manager::Npm => &[".npmrc"],
            Manager::Pnpm => &[".npmrc", "pnpm-workspace.yaml"],
        }
    }

    /// Reads one of [`Self::policy_files`].
    pub fn read_policy_file(self, file: &str, text: &str) -> Result<FileSettings, String> {
        if file == "pnpm-workspace.yaml" {
            read_pnpm_workspace(text)
        } else {
            read_npmrc(text, self)
        }
    }

    /// Its trust rule, named as its users know it.
    pub fn rule_name(self) -> &'static str {
        match self {
            Manager::Pnpm => "pnpm's trustPolicy",
            Manager::Npm => "npm's proposed trust-policy",
        }
    }
}

/// A value and where it was set (`pnpm-workspace.yaml: trustPolicy`,
/// `--min-release-age`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting<T> {
    pub value: T,
    pub from: String,
}

/// A package (and optionally some of its versions) a policy leaves out:
/// `name`, `name@1.0.0 || 2.0.0`, `name@^1.2.0` (npm's proposal takes
/// ranges), a name with `*` standing for any text (`@acme/*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// As written.
    pub text: String,
    #[serde(skip)]
    name: String,
    #[serde(skip)]
    versions: Vec<VersionMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum VersionMatch {
    Exact(semver::Version),
    Range(semver::VersionReq),
}

impl Exclusion {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let shown = || crate::text::visible(&crate::package::truncate(text, 100));
        if text.is_empty() || text.starts_with('!') {
            return Err(format!(
                "exclusion {:?}: expected a package name, optionally @ versions",
                shown()
            ));
        }
        let (name, versions) = match text.get(1..).and_then(|rest| rest.find('@')) {
            Some(at) => (
                text.get(..at + 1).unwrap_or_default(),
                text.get(at + 2..).unwrap_or_default(),
            ),
            None => (text, ""),
        };
        let versions = if versions.trim().is_empty() {
            Vec::new()
        } else {
            versions
                .split("||")
                .map(|v| {
                    version_match(v.trim()).ok_or_else(|| {
                        format!(
                            "exclusion {:?}: {:?} is neither a version nor a range this reads",
                            shown(),
                            crate::text::visible(v.trim())
                        )
                    })
                })
                .collect::<Result<_, _>>()?
        };
        Ok(Self {
            text: text.to_string(),
            name: name.to_string(),
            versions,
        })
    }

    /// Whether it leaves out `name@version`.
    pub fn matches(&self, name: &str, version: &str) -> bool {
        if !glob(&self.name, name) {
            return false;
        }
        if self.versions.is_empty() {
            return true;
        }
        let Ok(v) = semver::Version::parse(version) else {
            return false;
        };
        self.versions.iter().any(|m| match m {
            VersionMatch::Exact(e) => *e == v,
            VersionMatch::Range(r) => r.matches(&v),
        })
    }
}

/// An exact version, or a range (node's space-separated comparators are
/// written with commas for the semver crate; hyphen ranges are not read).
fn version_match(text: &str) -> Option<VersionMatch> {
    if let Ok(v) = semver::Version::parse(text) {
        return Some(VersionMatch::Exact(v));
    }
    if text.contains(" - ") {
        return None;
    }
    let comparators: Vec<&str> = text.split_whitespace().collect();
    semver::VersionReq::parse(&comparators.join(", "))
        .ok()
        .map(VersionMatch::Range)
}

/// `*` stands for any text, everything else for itself.
fn glob(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = rest.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// What a project's files (and the flags) ask of the gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The package manager whose rules are explained, from the lockfile.
    pub manager: Option<Manager>,
    /// `no-downgrade`: a downgrade fails whatever `--fail-on` says.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub no_downgrade: Option<Setting<bool>>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exclude: Vec<Setting<Exclusion>>,
    /// Versions published longer ago than this are not held to the trust
    /// policy (pnpm's `trustPolicyIgnoreAfter`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ignore_after_minutes: Option<Setting<u64>>,
    /// Versions published more recently than this fail (npm's
    /// `min-release-age`, pnpm's `minimumReleaseAge`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_release_age_minutes: Option<Setting<u64>>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub release_age_exclude: Vec<Setting<Exclusion>>,
    /// What was read and how (a setting this does not apply, a file the
    /// change edits).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

impl Policy {
    /// The exclusion that leaves `name@version` out of the trust policy.
    pub fn excluded(&self, name: &str, version: &str) -> Option<&Setting<Exclusion>> {
        self.exclude.iter().find(|e| e.value.matches(name, version))
    }

    /// The exclusion that leaves it out of the release age.
    pub fn release_age_excluded(&self, name: &str, version: &str) -> Option<&Setting<Exclusion>> {
        self.release_age_exclude.iter().find(|e| e.value.matches(name, version))
    }

    /// Whether the trust policy is on (a downgrade fails).
    pub fn no_downgrade(&self) -> bool {
        self.no_downgrade.as_ref().is_some_and(|s| s.value)
    }
}

/// Settings as one file states them, before they are combined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSettings {
    pub file: String,
    pub trust_policy: Option<(String, String)>,
    pub exclude: Vec<(String, String)>,
    pub ignore_after_minutes: Option<(u64, String)>,
    pub min_release_age_minutes: Option<(u64, String)>,
    pub release_age_exclude: Vec<(String, String)>,
}

/// Reads `pnpm-workspace.yaml`'s trust and release-age settings (its other
/// settings are not this program's). Only the top-level mapping is read;
/// an alias, or a setting of the wrong shape, is refused: a policy read in
/// part could let through what the project meant to stop.
pub fn read_pnpm_workspace(text: &str) -> Result<FileSettings, String> {
    use saphyr_parser::{Event, Parser};
    const FILE: &str = "pnpm-workspace.yaml";
    if text.len() > MAX_POLICY_BYTES {
        return Err(format!("{FILE} is larger than {MAX_POLICY_BYTES} bytes"));
    }
    let mut out = FileSettings {
        file: FILE.into(),
        ..Default::default()
    };
    // Depth 1 is the top-level mapping; `key` is its current key, and a
    // list directly under it collects `items`.
    let (mut depth, mut key, mut expecting_value) = (0usize, None::<String>, false);
    let mut items: Option<Vec<String>> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| format!("{FILE} is not YAML: {e}"))?;
        let line = span.start.line();
        match event {
            Event::Alias(_) => return Err(format!("{FILE} uses a YAML alias (line {line}); it is refused")),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let list = matches!(event, Event::SequenceStart(..));
                if depth == 1 && expecting_value && list {
                    items = Some(Vec::new());
                } else if depth == 1 && expecting_value && is_setting(key.as_deref()) {
                    return Err(format!(
                        "{FILE}: {} (line {line}) is a mapping; expected text or a list",
                        key.unwrap_or_default()
                    ));
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 1 && expecting_value {
                    if let (Some(k), Some(list)) = (key.take(), items.take()) {
                        set_list(&mut out, &k, list, FILE)?;
                    }
                    expecting_value = false;
                }
            }
            Event::Scalar(value, ..) => {
                if depth == 2 && items.is_some() {
                    let list = items.as_mut().map(|l| {
                        l.push(value.to_string());
                        l.len()
                    });
                    if list.unwrap_or(0) > MAX_EXCLUSIONS {
                        return Err(format!("{FILE}: more than {MAX_EXCLUSIONS} entries in a list"));
                    }
                } else if depth == 1 && !expecting_value {
                    key = Some(value.to_string());
                    expecting_value = true;
                } else if depth == 1 {
                    if let Some(k) = key.take() {
                        set_value(&mut out, &k, &value, FILE)?;
                    }
                    expecting_value = false;
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn is_setting(key: Option<&str>) -> bool {
    matches!(
        key,
        Some(
            "trustPolicy"
                | "trustPolicyExclude"
                | "trustPolicyIgnoreAfter"
                | "minimumReleaseAge"
                | "minimumReleaseAgeExclude"
        )
    )
}

fn set_value(out: &mut FileSettings, key: &str, value: &str, file: &str) -> Result<(), String> {
    let from = format!("{file}: {key}");
    match key {
        "trustPolicy" | "trust-policy" => out.trust_policy = Some((value.trim().to_string(), from)),
        "trustPolicyIgnoreAfter" | "trust-policy-ignore-after" => {
            out.ignore_after_minutes = Some((minutes(value, &from)?, from));
        }
        "minimumReleaseAge" | "minimum-release-age" => {
            out.min_release_age_minutes = Some((minutes(value, &from)?, from));
        }
        "min-release-age" => {
            let days = minutes(value, &from)?;
            out.min_release_age_minutes = Some((days.saturating_mul(24 * 60), from));
        }
        "trustPolicyExclude" | "trust-policy-exclude" | "trust-policy-exclude[]" => {
            push_exclusion(&mut out.exclude, value, from)?;
        }
        "minimumReleaseAgeExclude" | "minimum-release-age-exclude" | "minimum-release-age-exclude[]" => {
            push_exclusion(&mut out.release_age_exclude, value, from)?;
        }
        _ => {}
    }
    Ok(())
}

fn set_list(out: &mut FileSettings, key: &str, list: Vec<String>, file: &str) -> Result<(), String> {
    match key {
        "trustPolicyExclude" | "minimumReleaseAgeExclude" => {
            for item in list {
                set_value(out, key, &item, file)?;
            }
            Ok(())
        }
        k if is_setting(Some(k)) => Err(format!("{file}: {k} is a list; expected one value")),
        _ => Ok(()),
    }
}

fn push_exclusion(list: &mut Vec<(String, String)>, value: &str, from: String) -> Result<(), String> {
    if list.len() >= MAX_EXCLUSIONS {
        return Err(format!("{from}: more than {MAX_EXCLUSIONS} exclusions"));
    }
    // A comma-separated list is how `.npmrc` writes several in one line.
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        list.push((item.to_string(), from.clone()));
    }
    Ok(())
}

fn minutes(value: &str, from: &str) -> Result<u64, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{from}: {:?} is not a whole number", crate::text::visible(value.trim())))
}

/// Reads `.npmrc`'s trust and release-age settings as `manager` reads
/// them (npm's `min-release-age` in days; pnpm's `minimum-release-age` in
/// minutes; neither reads the other's): `key=value` lines, `;` and `#`
/// comments, `key[]=value` for lists, quotes around a value.
pub fn read_npmrc(text: &str, manager: Manager) -> Result<FileSettings, String> {
    const FILE: &str = ".npmrc";
    if text.len() > MAX_POLICY_BYTES {
        return Err(format!("{FILE} is larger than {MAX_POLICY_BYTES} bytes"));
    }
    let mut out = FileSettings {
        file: FILE.into(),
        ..Default::default()
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with([';', '#']) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let foreign = match manager {
            Manager::Npm => key.starts_with("minimum-release-age"),
            Manager::Pnpm => key == "min-release-age",
        };
        if foreign {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        set_value(&mut out, key, value, FILE)?;
    }
    Ok(out)
}

/// The command line's policy flags, which override the files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyFlags {
    /// `no-downgrade` or `off`.
    pub trust_policy: Option<String>,
    pub exclude: Vec<String>,
    pub ignore_after_minutes: Option<u64>,
    pub min_release_age_days: Option<u64>,
}

/// Combines what the manager reads, in its order of precedence (later
/// files override earlier ones), then the flags.
pub fn combine(manager: Option<Manager>, files: &[FileSettings], flags: &PolicyFlags) -> Result<Policy, String> {
    let mut policy = Policy {
        manager,
        ..Default::default()
    };
    let exclusions = |list: &[(String, String)]| -> Result<Vec<Setting<Exclusion>>, String> {
        list.iter()
            .map(|(text, from)| {
                Ok(Setting {
                    value: Exclusion::parse(text).map_err(|e| format!("{from}: {e}"))?,
                    from: from.clone(),
                })
            })
            .collect()
    };
    for file in files {
        if let Some((value, from)) = &file.trust_policy {
            policy.no_downgrade = Some(Setting {
                value: trust_policy_value(value, from)?,
                from: from.clone(),
            });
        }
        if !file.exclude.is_empty() {
            policy.exclude = exclusions(&file.exclude)?;
        }
        if let Some((m, from)) = &file.ignore_after_minutes {
            policy.ignore_after_minutes = Some(Setting {
                value: *m,
                from: from.clone(),
            });
        }
        if let Some((m, from)) = &file.min_release_age_minutes {
            policy.min_release_age_minutes = Some(Setting {
                value: *m,
                from: from.clone(),
            });
        }
        if !file.release_age_exclude.is_empty() {
            policy.release_age_exclude = exclusions(&file.release_age_exclude)?;
        }
    }
    if let Some(value) = &flags.trust_policy {
        policy.no_downgrade = Some(Setting {
            value: trust_policy_value(value, "--trust-policy")?,
            from: "--trust-policy".into(),
        });
    }
    if !flags.exclude.is_empty() {
        let list: Vec<(String, String)> = flags
            .exclude
            .iter()
            .map(|e| (e.clone(), "--trust-policy-exclude".to_string()))
            .collect();
        policy.exclude = exclusions(&list)?;
    }
    if let Some(m) = flags.ignore_after_minutes {
        policy.ignore_after_minutes = Some(Setting {
            value: m,
            from: "--trust-policy-ignore-after".into(),
        });
    }
    if let Some(days) = flags.min_release_age_days {
        policy.min_release_age_minutes = Some(Setting {
            value: days.saturating_mul(24 * 60),
            from: "--min-release-age".into(),
        });
    }
    Ok(policy)
}

fn trust_policy_value(value: &str, from: &str) -> Result<bool, String> {
    match value.trim() {
        "no-downgrade" => Ok(true),
        "off" | "" => Ok(false),
        other => Err(format!(
            "{from}: {:?} is not a trust policy this knows (no-downgrade, off)",
            crate::text::visible(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_match_names_versions_ranges_and_patterns() {
        let e = |t: &str| Exclusion::parse(t).unwrap();
        assert!(e("chokidar").matches("chokidar", "4.0.3"));
        assert!(!e("chokidar").matches("chokidar-cli", "1.0.0"));
        let pinned = e("webpack@4.47.0 || 5.102.1");
        assert!(pinned.matches("webpack", "5.102.1") && pinned.matches("webpack", "4.47.0"));
        assert!(!pinned.matches("webpack", "5.102.2"));
        let scoped = e("@types/node@^20.1.0");
        assert!(scoped.matches("@types/node", "20.3.0") && !scoped.matches("@types/node", "21.0.0"));
        assert!(e("@acme/*").matches("@acme/widget", "1.0.0"));
        assert!(!e("@acme/*").matches("@other/widget", "1.0.0"));
        assert!(e("a@>=1.0.0 <2.0.0").matches("a", "1.5.0"));
        assert!(!e("a@>=1.0.0 <2.0.0").matches("a", "2.0.0"));
        assert!(
            Exclusion::parse("a@1.0.0 - 2.0.0").is_err(),
            "a hyphen range is refused, not read as nothing"
        );
        assert!(Exclusion::parse("a@banana").is_err());
        assert!(Exclusion::parse("!a").is_err());
    }

    #[test]
    fn pnpm_workspace_settings_are_read_with_lists_and_wrong_shapes_refused() {
        let text = "packages:\n  - 'packages/*'\ntrustPolicy: no-downgrade\ntrustPolicyExclude:\n  - chokidar@4.0.3\n  - 'webpack@4.47.0 || 5.102.1'\ntrustPolicyIgnoreAfter: 1440\nminimumReleaseAge: 4320\nminimumReleaseAgeExclude: [react]\ncatalog:\n  trustPolicy: off\n";
        let s = read_pnpm_workspace(text).unwrap();
        assert_eq!(s.trust_policy.as_ref().map(|t| t.0.as_str()), Some("no-downgrade"));
        assert_eq!(
            s.exclude.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            ["chokidar@4.0.3", "webpack@4.47.0 || 5.102.1"]
        );
        assert_eq!(s.ignore_after_minutes.map(|m| m.0), Some(1440));
        assert_eq!(s.min_release_age_minutes.map(|m| m.0), Some(4320));
        assert_eq!(s.release_age_exclude[0].0, "react");
        assert!(read_pnpm_workspace("trustPolicy: [no-downgrade]\n").is_err());
        assert!(read_pnpm_workspace("trustPolicyIgnoreAfter: soon\n").is_err());
        assert!(read_pnpm_workspace("a: &x b\ntrustPolicy: *x\n").is_err());
    }

    #[test]
    fn npmrc_settings_are_read_in_days_and_minutes_as_each_manager_writes_them() {
        let text = "registry=https://registry.npmjs.org/\n; comment\ntrust-policy=no-downgrade\ntrust-policy-exclude[]=chokidar@4.0.3\ntrust-policy-exclude[]=\"webpack@4.47.0 || 5.102.1\"\ntrust-policy-ignore-after=525600\nmin-release-age=3\n";
        let s = read_npmrc(text, Manager::Npm).unwrap();
        assert_eq!(s.exclude.len(), 2);
        assert_eq!(s.ignore_after_minutes.map(|m| m.0), Some(525_600));
        assert_eq!(s.min_release_age_minutes.map(|m| m.0), Some(3 * 24 * 60));
        let pnpm10 = read_npmrc("minimum-release-age=1440\nmin-release-age=9\n", Manager::Pnpm).unwrap();
        assert_eq!(pnpm10.min_release_age_minutes.map(|m| m.0), Some(1440));
        let npm = read_npmrc("minimum-release-age=1440\n", Manager::Npm).unwrap();
        assert_eq!(npm.min_release_age_minutes, None, "npm does not read pnpm's key");
    }

    #[test]
    fn flags_override_files_and_later_files_override_earlier_ones() {
        let npmrc = read_npmrc("trust-policy=no-downgrade\ntrust-policy-exclude[]=a\n", Manager::Pnpm).unwrap();
        let workspace = read_pnpm_workspace("trustPolicy: off\n").unwrap();
        let p = combine(
            Some(Manager::Pnpm),
            &[npmrc.clone(), workspace],
            &PolicyFlags::default(),
        )
        .unwrap();
        assert!(!p.no_downgrade());
        assert_eq!(
            p.no_downgrade.as_ref().unwrap().from,
            "pnpm-workspace.yaml: trustPolicy"
        );
        assert!(p.excluded("a", "1.0.0").is_some());
        let flags = PolicyFlags {
            trust_policy: Some("no-downgrade".into()),
            exclude: vec!["b".into()],
            ignore_after_minutes: None,
            min_release_age_days: Some(2),
        };
        let p = combine(Some(Manager::Npm), &[npmrc], &flags).unwrap();
        assert!(p.no_downgrade());
        assert!(p.excluded("a", "1.0.0").is_none() && p.excluded("b", "1.0.0").is_some());
        assert_eq!(p.min_release_age_minutes.unwrap().value, 2 * 24 * 60);
        let bad = PolicyFlags {
            trust_policy: Some("strict".into()),
            ..Default::default()
        };
        assert!(combine(None, &[], &bad).is_err());
    }
}
