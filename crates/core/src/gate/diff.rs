//! What a change to a lockfile installs that the base did not: the
//! registry package versions that are new or changed, each with the base's
//! version of the same package it replaces (what its provenance is compared
//! with), and the dependencies from elsewhere that are new.
//!
//! Transitive dependencies count like direct ones: a compromised version
//! arrives as often through a dependency's range as through the project's.
//! A version whose every copy the base already installed, by the same
//! integrities and addresses, is unchanged and not fetched again.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::lockfile::{LockedPackage, Lockfile, NotFromRegistry};
use crate::registry_documents::compare_versions;

/// How a package version came to be in the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// No version of the package was installed before.
    Added,
    /// It replaces (or joins) a lower version.
    Upgraded,
    /// It replaces (or joins) a higher version.
    Downgraded,
    /// The same version, installed from an integrity or an address the
    /// base did not have: other bytes under a known name and version.
    Repinned,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Upgraded => "upgraded",
            ChangeKind::Downgraded => "downgraded",
            ChangeKind::Repinned => "repinned",
        }
    }
}

/// A registry package version the head installs and the base did not (or
/// not with these bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedVersion {
    /// The head's entry: what is verified, with every integrity it records.
    pub package: LockedPackage,
    pub kind: ChangeKind,
    /// The base's version of the same package it is compared with: the
    /// one it replaces (a base version the head no longer installs) or,
    /// when it joins other copies, the nearest below it (else above it).
    pub base: Option<LockedPackage>,
}

/// The lockfile's change, as the gate checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockfileDiff {
    /// By name, then version.
    pub changed: Vec<ChangedVersion>,
    /// Head versions installed exactly as the base installed them.
    pub unchanged: usize,
    /// `name@version` the base installed and the head does not.
    pub removed: Vec<String>,
    /// Dependencies from elsewhere (git, tarballs, folders) the base did not have.
    pub new_elsewhere: Vec<NotFromRegistry>,
}

/// Compares the head's registry package versions with the base's.
pub fn diff(base: &Lockfile, head: &Lockfile) -> LockfileDiff {
    let key = |p: &LockedPackage| (p.name.clone(), p.version.clone());
    let before: BTreeMap<(String, String), &LockedPackage> = base.packages.iter().map(|p| (key(p), p)).collect();
    let after: BTreeSet<(String, String)> = head.packages.iter().map(key).collect();
    let mut by_name: BTreeMap<&str, Vec<&LockedPackage>> = BTreeMap::new();
    for p in &base.packages {
        by_name.entry(p.name.as_str()).or_default().push(p);
    }
    let mut out = LockfileDiff::default();
    for package in &head.packages {
        if let Some(old) = before.get(&key(package)) {
            if brings_nothing_new(old, package) {
                out.unchanged += 1;
            } else {
                out.changed.push(ChangedVersion {
                    package: package.clone(),
                    kind: ChangeKind::Repinned,
                    base: Some((*old).clone()),
                });
            }
            continue;
        }
        let earlier = by_name
            .get(package.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let replaced: Vec<&LockedPackage> = earlier.iter().copied().filter(|p| !after.contains(&key(p))).collect();
        let candidates = if replaced.is_empty() {
            earlier.to_vec()
        } else {
            replaced
        };
        let base_version = nearest(&candidates, &package.version);
        let kind = match base_version {
            None => ChangeKind::Added,
            Some(b) if compare_versions(&b.version, &package.version).is_lt() => ChangeKind::Upgraded,
            Some(_) => ChangeKind::Downgraded,
        };
        out.changed.push(ChangedVersion {
            package: package.clone(),
            kind,
            base: base_version.cloned(),
        });
    }
    out.removed = base
        .packages
        .iter()
        .filter(|p| !after.contains(&key(p)))
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    let known: BTreeSet<&NotFromRegistry> = base.not_from_registry.iter().collect();
    out.new_elsewhere = head
        .not_from_registry
        .iter()
        .filter(|d| !known.contains(d))
        .cloned()
        .collect();
    out
}

/// Whether every copy the head installs was installed by the base: each
/// integrity and address already there, and no copy newly left to the
/// configured registry.
fn brings_nothing_new(base: &LockedPackage, head: &LockedPackage) -> bool {
    head.integrities.iter().all(|i| base.integrities.contains(i))
        && head.addresses.iter().all(|a| base.addresses.contains(a))
        && (!head.unaddressed || base.unaddressed)
}

/// The highest of `candidates` below `version`, else the lowest above it.
fn nearest<'a>(candidates: &[&'a LockedPackage], version: &str) -> Option<&'a LockedPackage> {
    let below = candidates
        .iter()
        .filter(|p| compare_versions(&p.version, version).is_lt())
        .max_by(|a, b| compare_versions(&a.version, &b.version));
    below
        .or_else(|| {
            candidates
                .iter()
                .min_by(|a, b| compare_versions(&a.version, &b.version))
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::{LockfileKind, SourceKind};

    fn package(name: &str, version: &str, integrity: &str) -> LockedPackage {
        LockedPackage {
            name: name.into(),
            version: version.into(),
            integrities: vec![integrity.into()],
            addresses: vec![],
            unaddressed: false,
            direct: true,
            via: vec![],
            dev: false,
        }
    }

    fn lockfile(packages: Vec<LockedPackage>, elsewhere: Vec<NotFromRegistry>) -> Lockfile {
        Lockfile {
            kind: LockfileKind::Npm { lockfile_version: 3 },
            packages,
            not_from_registry: elsewhere,
            problems: vec![],
            left_out: 0,
            notes: vec![],
        }
    }

    fn summary(d: &LockfileDiff) -> Vec<(String, ChangeKind, Option<String>)> {
        d.changed
            .iter()
            .map(|c| {
                (
                    format!("{}@{}", c.package.name, c.package.version),
                    c.kind,
                    c.base.as_ref().map(|b| b.version.clone()),
                )
            })
            .collect()
    }

    #[test]
    fn each_change_is_found_with_the_version_it_replaces() {
        let git = NotFromRegistry {
            name: "g".into(),
            kind: SourceKind::Git,
            source: "github:o/g#1".into(),
        };
        let base = lockfile(
            vec![
                package("same", "1.0.0", "sha512-s"),
                package("up", "1.0.0", "sha512-u1"),
                package("down", "2.0.0", "sha512-d2"),
                package("repin", "1.0.0", "sha512-r"),
                package("gone", "1.0.0", "sha512-g"),
                package("two", "1.0.0", "sha512-t1"),
            ],
            vec![],
        );
        let head = lockfile(
            vec![
                package("same", "1.0.0", "sha512-s"),
                package("up", "1.2.0", "sha512-u2"),
                package("down", "1.9.0", "sha512-d1"),
                package("repin", "1.0.0", "sha512-other"),
                package("new", "1.0.0", "sha512-n"),
                package("two", "1.0.0", "sha512-t1"),
                package("two", "2.0.0", "sha512-t2"),
            ],
            vec![git.clone()],
        );
        let d = diff(&base, &head);
        let s = |n: &str, k, b: Option<&str>| (n.to_string(), k, b.map(str::to_string));
        assert_eq!(
            summary(&d),
            [
                s("up@1.2.0", ChangeKind::Upgraded, Some("1.0.0")),
                s("down@1.9.0", ChangeKind::Downgraded, Some("2.0.0")),
                s("repin@1.0.0", ChangeKind::Repinned, Some("1.0.0")),
                s("new@1.0.0", ChangeKind::Added, None),
                s("two@2.0.0", ChangeKind::Upgraded, Some("1.0.0")),
            ]
        );
        assert_eq!(d.unchanged, 2);
        assert_eq!(d.removed, ["up@1.0.0", "down@2.0.0", "gone@1.0.0"]);
        assert_eq!(d.new_elsewhere, [git]);
    }

    #[test]
    fn a_copy_with_new_bytes_or_a_new_registry_fetch_is_a_change_a_dropped_copy_is_not() {
        let mut two = package("a", "1.0.0", "sha512-x");
        two.integrities.push("sha512-y".into());
        let one = package("a", "1.0.0", "sha512-x");
        let d = diff(
            &lockfile(vec![two.clone()], vec![]),
            &lockfile(vec![one.clone()], vec![]),
        );
        assert_eq!((d.changed.len(), d.unchanged), (0, 1));
        let d = diff(&lockfile(vec![one.clone()], vec![]), &lockfile(vec![two], vec![]));
        assert_eq!(summary(&d)[0].1, ChangeKind::Repinned);
        let mut unbound = one.clone();
        unbound.unaddressed = true;
        let d = diff(&lockfile(vec![one], vec![]), &lockfile(vec![unbound], vec![]));
        assert_eq!(
            d.changed.len(),
            1,
            "a copy now taken from whatever registry is configured"
        );
    }

    #[test]
    fn against_an_empty_base_everything_is_added() {
        let head = lockfile(vec![package("a", "1.0.0", "sha512-a")], vec![]);
        let d = diff(&lockfile(vec![], vec![]), &head);
        assert_eq!(summary(&d), [("a@1.0.0".to_string(), ChangeKind::Added, None)]);
    }
}
