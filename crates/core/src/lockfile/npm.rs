//! npm's `package-lock.json` and `npm-shrinkwrap.json`.
//!
//! Versions 2 and 3 list every installed folder under `packages`, keyed by
//! its path (`""` is the project, `node_modules/a/node_modules/b` a nested
//! copy); a package's dependency resolves as Node resolves `require`: the
//! nearest `node_modules/<name>` from the package's folder upward. Version 1
//! (npm 5 and 6) nests `dependencies` instead and does not record the
//! project's own dependencies, so there nothing is known to be direct.
//! Version 2 carries both; its `packages` is read.
//!
//! JSON objects are read with their duplicate keys kept ([`Entries`]): npm
//! reads a lockfile with `JSON.parse`, where the last of two equal keys
//! wins, and so does this, saying so in a note. serde_json refuses
//! nesting deeper than 128, which is far deeper than npm writes.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::json::{Entries, Loose, Names};
use super::{Collector, Lockfile, LockfileKind, SourceKind, is_registry_tarball, shown, source_kind, split_name};
use crate::package::truncate;

/// Paths in a lockfile are file system paths, and no file system takes a
/// longer one.
const MAX_PATH_LEN: usize = 4096;
/// Folders in one path: real trees nest a handful of `node_modules`; the
/// bound keeps resolving a name (one look-up per folder upward) cheap.
const MAX_PATH_DEPTH: usize = 64;
/// Workspace patterns read (a project lists a few).
const MAX_WORKSPACE_PATTERNS: usize = 256;

impl<T> Entries<T> {
    /// The entries npm reads: for a key given more than once, the last; a
    /// note names each key read from a later copy.
    fn last_of_each(&self, collector: &mut Collector) -> Vec<&(String, T)> {
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, (key, _)) in self.0.iter().enumerate() {
            if last.insert(key, i).is_some() {
                collector.note(format!(
                    "{} is listed more than once; the last one is read, as npm does.",
                    shown(key)
                ));
            }
        }
        self.0
            .iter()
            .enumerate()
            .filter(|(i, (key, _))| last.get(key.as_str()) == Some(i))
            .map(|(_, entry)| entry)
            .collect()
    }
}

/// The root's `workspaces`: a list of folder patterns, or `{"packages":
/// [...]}`; at most [`MAX_WORKSPACE_PATTERNS`] are kept (they only say
/// whether a linked folder is a workspace or another folder: neither is
/// verified), the rest read past.
#[derive(Default)]
struct Workspaces(Vec<String>);

impl<'de> Deserialize<'de> for Workspaces {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Patterns;
        impl<'de> Visitor<'de> for Patterns {
            type Value = Workspaces;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("workspace patterns")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Workspaces, A::Error> {
                let mut kept = Vec::new();
                while let Some(item) = seq.next_element::<Loose<String>>()? {
                    if let (Some(pattern), true) = (item.0, kept.len() < MAX_WORKSPACE_PATTERNS) {
                        kept.push(pattern);
                    }
                }
                Ok(Workspaces(kept))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Workspaces, A::Error> {
                let mut kept = Workspaces::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "packages" {
                        kept = map.next_value::<Loose<Workspaces>>()?.0.unwrap_or_default();
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(kept)
            }
        }
        deserializer.deserialize_any(Patterns)
    }
}

#[derive(Deserialize)]
struct PackageLock<'a> {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: Loose<u32>,
    #[serde(borrow, default)]
    packages: Option<&'a RawValue>,
    #[serde(borrow, default)]
    dependencies: Option<&'a RawValue>,
}

/// An entry of `packages` (versions 2 and 3).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Package {
    name: Loose<String>,
    version: Loose<String>,
    resolved: Loose<String>,
    integrity: Loose<String>,
    link: Loose<bool>,
    dev: Loose<bool>,
    #[serde(rename = "inBundle")]
    in_bundle: Loose<bool>,
    dependencies: Names,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Names,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: Names,
    #[serde(rename = "devDependencies")]
    dev_dependencies: Names,
    workspaces: Loose<Workspaces>,
}

/// An entry of `dependencies` (version 1).
#[derive(Deserialize, Default)]
#[serde(default)]
struct V1Dependency {
    version: Loose<String>,
    resolved: Loose<String>,
    integrity: Loose<String>,
    dev: Loose<bool>,
    bundled: Loose<bool>,
    dependencies: Option<Entries<V1Dependency>>,
}

fn not_npm(what: &str, e: &serde_json::Error) -> String {
    format!("{what} is not an npm lockfile: {}.", truncate(&e.to_string(), 200))
}

pub(super) fn read(text: &str, what: &str) -> Result<Lockfile, String> {
    let lock: PackageLock<'_> = serde_json::from_str(text).map_err(|e| not_npm(what, &e))?;
    let version = lock.lockfile_version.0.ok_or_else(|| {
        format!("{what} has no lockfileVersion: it is not a lockfile npm wrote (a package.json, perhaps?).")
    })?;
    let kind = LockfileKind::Npm {
        lockfile_version: version,
    };
    let mut collector = Collector::new(what);
    match (version, lock.packages, lock.dependencies) {
        (2 | 3, Some(packages), _) => {
            let packages: Entries<Loose<Package>> =
                serde_json::from_str(packages.get()).map_err(|e| not_npm(what, &e))?;
            read_packages(&packages, &mut collector)?;
        }
        (1, _, dependencies) => {
            if let Some(dependencies) = dependencies {
                let dependencies: Entries<V1Dependency> =
                    serde_json::from_str(dependencies.get()).map_err(|e| not_npm(what, &e))?;
                read_v1(&dependencies, &mut collector)?;
            }
        }
        (2 | 3, None, _) => {
            return Err(format!("{what} has lockfileVersion {version} but no \"packages\"."));
        }
        _ => {
            return Err(format!(
                "{what} has lockfileVersion {version}; npm writes 1, 2 and 3, and only those are read."
            ));
        }
    }
    Ok(collector.finish(kind))
}

/// Folders of the install tree, interned: a folder is its parent and its
/// name, so resolving a dependency walks up ids instead of building paths.
#[derive(Default)]
struct Folders<'a> {
    ids: HashMap<(usize, &'a str), usize>,
    /// For each folder (0 is the project's): its parent, and whether it is a `node_modules`.
    parent: Vec<(usize, bool)>,
    /// `(folder, package name)` → node, for `<folder>/node_modules/<name>`.
    installed: HashMap<(usize, &'a str), usize>,
}

impl<'a> Folders<'a> {
    fn folder(&mut self, path: &'a str) -> usize {
        if self.parent.is_empty() {
            self.parent.push((0, false));
        }
        let mut id = 0;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            id = match self.ids.get(&(id, segment)) {
                Some(&known) => known,
                None => {
                    self.parent.push((id, segment == "node_modules"));
                    let new = self.parent.len() - 1;
                    self.ids.insert((id, segment), new);
                    new
                }
            };
        }
        id
    }

    /// Where Node finds `name` from `folder`: `<folder>/node_modules/<name>`,
    /// then the same from each folder above (not from a `node_modules` itself).
    fn resolve(&self, mut folder: usize, name: &str) -> Option<usize> {
        loop {
            let (parent, is_modules) = *self.parent.get(folder)?;
            if !is_modules && let Some(&node) = self.installed.get(&(folder, name)) {
                return Some(node);
            }
            if folder == 0 {
                return None;
            }
            folder = parent;
        }
    }
}

/// `node_modules/a/node_modules/@s/b` → (`node_modules/a`, `@s/b`); `None`
/// for a folder outside `node_modules` (the project, a workspace, a link's
/// target).
fn installed_at(path: &str) -> Option<(&str, &str)> {
    let at = if path.starts_with("node_modules/") {
        path.rfind("/node_modules/").map_or(0, |i| i + 1)
    } else {
        path.rfind("/node_modules/")? + 1
    };
    let name = path.get(at + "node_modules/".len()..)?;
    Some((path.get(..at)?.trim_end_matches('/'), name))
}

/// Whether a folder is one of the project's workspaces (`"workspaces":
/// ["packages/*"]`): each pattern segment is a name or `*`, and a final
/// `**` takes any depth, which covers what npm projects write.
fn is_workspace(patterns: &[&str], folder: &str) -> bool {
    patterns.iter().take(256).any(|pattern| {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let mut want = pattern.split('/');
        let mut have = folder.split('/');
        loop {
            match (want.next(), have.next()) {
                (Some("**"), _) => return true,
                (Some(w), Some(h)) if w == "*" || w == h => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    })
}

fn read_packages(packages: &Entries<Loose<Package>>, collector: &mut Collector) -> Result<(), String> {
    let entries = packages.last_of_each(collector);
    let mut folders = Folders::default();
    folders.folder("");
    // First every entry's node and place, so that any entry can resolve any other.
    let mut placed: Vec<(&str, &Package, usize, usize)> = Vec::new();
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    for (path, package) in entries {
        let Some(package) = &package.0 else {
            collector.problem(format!("{}: the entry is not an object; left out.", shown(path)));
            continue;
        };
        if path.len() > MAX_PATH_LEN || path.split('/').count() > MAX_PATH_DEPTH {
            collector.problem(format!(
                "{}: the path is longer or deeper than any npm writes; left out.",
                shown(path)
            ));
            continue;
        }
        let node = collector.node()?;
        let folder = folders.folder(path);
        if let Some((parent, name)) = installed_at(path) {
            let parent = folders.folder(parent);
            folders.installed.insert((parent, name), node);
        }
        by_path.insert(path, node);
        placed.push((path, package, node, folder));
    }
    let root = placed.iter().find(|(path, ..)| path.is_empty()).map(|&(_, p, _, _)| p);
    let workspaces: Vec<&str> = root
        .and_then(|r| r.workspaces.0.as_ref())
        .map(|w| w.0.iter().map(String::as_str).collect())
        .unwrap_or_default();
    for &(path, package, node, folder) in &placed {
        let mut names: Vec<(&str, bool)> = Vec::new();
        for (list, dev) in [
            (&package.dependencies, false),
            (&package.optional_dependencies, false),
            (&package.peer_dependencies, false),
            (&package.dev_dependencies, true),
        ] {
            if dev && !path.is_empty() {
                continue; // Only the project's own development dependencies are installed.
            }
            names.extend(list.0.iter().flat_map(Entries::keys).map(|name| (name, dev)));
        }
        for (name, dev) in names {
            let Some(to) = folders.resolve(folder, name) else {
                continue;
            };
            collector.edge(node, to)?;
            if path.is_empty() {
                collector.root(name, to, dev);
            }
        }
        let Some((_, path_name)) = installed_at(path) else {
            continue;
        };
        let name = package.name.0.as_deref().unwrap_or(path_name);
        let resolved = package.resolved.0.as_deref();
        if package.link.0 == Some(true) {
            let target = resolved.unwrap_or_default();
            if let Some(&to) = by_path.get(target) {
                collector.edge(node, to)?;
            }
            // npm links `file:` folders and workspaces into node_modules.
            let kind = if is_workspace(&workspaces, target) {
                SourceKind::Workspace
            } else {
                SourceKind::File
            };
            collector.not_from_registry(path, name, kind, target);
            continue;
        }
        if package.in_bundle.0 == Some(true) {
            collector.not_from_registry(path, name, SourceKind::Other, path);
            continue;
        }
        collector.set_dev(node, package.dev.0 == Some(true));
        let Some(version) = package.version.0.as_deref() else {
            collector.problem(format!("{}: {name} has no version; left out.", shown(path)));
            continue;
        };
        classify(
            collector,
            node,
            path,
            name,
            version,
            resolved,
            package.integrity.0.as_deref(),
        )?;
    }
    Ok(())
}

/// A registry package version, or where else it comes from, by what npm
/// wrote as its `resolved` (or, without one, its version).
fn classify(
    collector: &mut Collector,
    node: usize,
    at: &str,
    name: &str,
    version: &str,
    resolved: Option<&str>,
    integrity: Option<&str>,
) -> Result<(), String> {
    match resolved {
        Some(url) if is_registry_tarball(url, name, version) => {
            collector.registry(node, at, name, version, integrity, Some(url))
        }
        Some(source) => {
            let kind = source_kind(source).unwrap_or(SourceKind::Other);
            collector.not_from_registry(at, name, kind, source);
            Ok(())
        }
        // Without `resolved` (npm's omit-lockfile-registry-resolved), the version says.
        None => match source_kind(version) {
            Some(kind) => {
                collector.not_from_registry(at, name, kind, version);
                Ok(())
            }
            None => collector.registry(node, at, name, version, integrity, None),
        },
    }
}

/// Version 1: every entry, nested ones too, walked with a stack of its own
/// (serde_json has already bounded the nesting).
fn read_v1(dependencies: &Entries<V1Dependency>, collector: &mut Collector) -> Result<(), String> {
    let mut stack: Vec<(String, &Entries<V1Dependency>)> = vec![(String::new(), dependencies)];
    while let Some((parent, entries)) = stack.pop() {
        for (key, entry) in entries.last_of_each(collector) {
            let path = format!("{parent}node_modules/{key}");
            if let Some(nested) = &entry.dependencies {
                stack.push((format!("{path}/"), nested));
            }
            let node = collector.node()?;
            if entry.bundled.0 == Some(true) {
                collector.not_from_registry(&path, key, SourceKind::Other, &path);
                continue;
            }
            collector.set_dev(node, entry.dev.0 == Some(true));
            let Some(version) = entry.version.0.as_deref() else {
                collector.problem(format!("{}: {key} has no version; left out.", shown(&path)));
                continue;
            };
            // An alias: `"my-ms": {"version": "npm:ms@2.1.3"}`.
            let (name, version) = match version.strip_prefix("npm:").and_then(split_name) {
                Some((real, version)) => (real, version),
                None => (key.as_str(), version),
            };
            let resolved = entry.resolved.0.as_deref();
            classify(
                collector,
                node,
                &path,
                name,
                version,
                resolved,
                entry.integrity.0.as_deref(),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{NotFromRegistry, parse_lockfile};
    use super::*;

    const SHA: &str = "sha512-AAAA";

    fn reg(name: &str, version: &str) -> String {
        let base = name.rsplit('/').next().unwrap();
        format!("https://registry.npmjs.org/{name}/-/{base}-{version}.tgz")
    }

    #[test]
    fn paths_resolve_as_node_resolves_require() {
        assert_eq!(installed_at("node_modules/a"), Some(("", "a")));
        assert_eq!(installed_at("node_modules/@s/a"), Some(("", "@s/a")));
        assert_eq!(
            installed_at("node_modules/a/node_modules/@s/b"),
            Some(("node_modules/a", "@s/b"))
        );
        assert_eq!(installed_at("packages/x/node_modules/b"), Some(("packages/x", "b")));
        assert_eq!(installed_at("packages/x"), None);
        assert_eq!(installed_at(""), None);
        let text = format!(
            r#"{{"lockfileVersion":3,"packages":{{
            "":{{"dependencies":{{"a":"^1","b":"^1"}}}},
            "node_modules/a":{{"version":"1.0.0","resolved":"{}","dependencies":{{"b":"^2","c":"^1"}}}},
            "node_modules/a/node_modules/b":{{"version":"2.0.0","resolved":"{}"}},
            "node_modules/b":{{"version":"1.0.0","resolved":"{}","dependencies":{{"c":"^1"}}}},
            "node_modules/c":{{"version":"1.0.0","resolved":"{}"}}}}}}"#,
            reg("a", "1.0.0"),
            reg("b", "2.0.0"),
            reg("b", "1.0.0"),
            reg("c", "1.0.0")
        );
        let lock = parse_lockfile(None, &text).unwrap();
        let via: Vec<(String, Vec<String>)> = lock
            .packages
            .iter()
            .map(|p| (format!("{}@{}", p.name, p.version), p.via.clone()))
            .collect();
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            via,
            [
                ("a@1.0.0".into(), s(&["a"])),
                ("b@1.0.0".into(), s(&["b"])),
                ("b@2.0.0".into(), s(&["a"])),
                ("c@1.0.0".into(), s(&["a", "b"])),
            ]
        );
        assert!(lock.problems.is_empty(), "{:?}", lock.problems);
    }

    /// What a machine here cannot make npm write: git, tarball-URL, bundled
    /// and workspace entries, a `file:` tarball, an entry without `resolved`.
    #[test]
    fn sources_other_than_the_registry_are_listed() {
        let text = format!(
            r#"{{"lockfileVersion":3,"packages":{{
            "":{{"workspaces":["packages/*"],"dependencies":{{"g":"github:o/g","t":"https://x.example/t.tgz","f":"file:f.tgz","w":"*","quiet":"^1"}}}},
            "packages/w":{{"name":"w","version":"0.1.0","dependencies":{{"quiet":"^1"}}}},
            "node_modules/w":{{"resolved":"packages/w","link":true}},
            "node_modules/g":{{"version":"1.0.0","resolved":"git+ssh://git@github.com/o/g.git#0123abc","dependencies":{{"bun":"1"}}}},
            "node_modules/g/node_modules/bun":{{"version":"1.0.0","inBundle":true}},
            "node_modules/t":{{"version":"1.0.0","resolved":"https://x.example/t.tgz","integrity":"{SHA}"}},
            "node_modules/f":{{"version":"1.0.0","resolved":"file:f.tgz"}},
            "node_modules/quiet":{{"version":"1.2.3","integrity":"{SHA}","dev":true}},
            "node_modules/poisoned":{{"version":"1.0.0","resolved":"https://registry.npmjs.org/evil/-/evil-1.0.0.tgz"}}}}}}"#
        );
        let lock = parse_lockfile(Some("package-lock.json"), &text).unwrap();
        let nfr = |name: &str, kind, source: &str| NotFromRegistry {
            name: name.into(),
            kind,
            source: source.into(),
        };
        assert_eq!(
            lock.not_from_registry,
            [
                nfr("bun", SourceKind::Other, "node_modules/g/node_modules/bun"),
                nfr("f", SourceKind::File, "file:f.tgz"),
                nfr("g", SourceKind::Git, "git+ssh://git@github.com/o/g.git#0123abc"),
                // Lockfile poisoning: the tarball of another package under this name.
                nfr(
                    "poisoned",
                    SourceKind::Tarball,
                    "https://registry.npmjs.org/evil/-/evil-1.0.0.tgz"
                ),
                nfr("t", SourceKind::Tarball, "https://x.example/t.tgz"),
                nfr("w", SourceKind::Workspace, "packages/w"),
            ]
        );
        let [quiet] = lock.packages.as_slice() else {
            panic!("{:?}", lock.packages)
        };
        assert_eq!((quiet.name.as_str(), quiet.version.as_str()), ("quiet", "1.2.3"));
        assert_eq!(quiet.integrities, [SHA]);
        // Recorded as dev by npm, though reached through the workspace too: npm's word is taken.
        assert!(quiet.direct && quiet.dev);
        assert_eq!(quiet.via, ["quiet", "w"]);
    }

    /// Version 1 as npm 6 wrote it: nested copies, an alias, git and file
    /// versions, a bundled dependency.
    #[test]
    fn version_1_nests() {
        let text = format!(
            r#"{{"lockfileVersion":1,"requires":true,"dependencies":{{
            "a":{{"version":"1.0.0","resolved":"{}","integrity":"{SHA}","requires":{{"b":"^2"}},
                 "dependencies":{{"b":{{"version":"2.0.0","resolved":"{}","dev":true,
                     "dependencies":{{"x":{{"version":"1.0.0","bundled":true}}}}}}}}}},
            "b":{{"version":"1.0.0","resolved":"{}"}},
            "al":{{"version":"npm:@s/real@3.0.0","resolved":"{}"}},
            "g":{{"version":"git+https://github.com/o/g.git#abc","from":"git+https://github.com/o/g.git"}},
            "l":{{"version":"file:../l"}},
            "../x":{{"version":"1.0.0"}},
            "bad":{{"version":"latest"}}}}}}"#,
            reg("a", "1.0.0"),
            reg("b", "2.0.0"),
            reg("b", "1.0.0"),
            reg("@s/real", "3.0.0")
        );
        let lock = parse_lockfile(None, &text).unwrap();
        assert_eq!(lock.kind, LockfileKind::Npm { lockfile_version: 1 });
        assert!(!lock.records_direct_dependencies());
        let got: Vec<(String, bool)> = lock
            .packages
            .iter()
            .map(|p| (format!("{}@{}", p.name, p.version), p.dev))
            .collect();
        assert_eq!(
            got,
            [
                ("@s/real@3.0.0".to_string(), false),
                ("a@1.0.0".to_string(), false),
                ("b@1.0.0".to_string(), false),
                ("b@2.0.0".to_string(), true),
            ]
        );
        assert!(lock.packages.iter().all(|p| !p.direct && p.via.is_empty()));
        assert_eq!(lock.not_from_registry.len(), 3, "{:?}", lock.not_from_registry);
        assert_eq!(lock.problems.len(), 2, "{:?}", lock.problems);
        assert!(
            lock.problems
                .iter()
                .any(|p| p.contains("\"../x\" is not a valid npm package name"))
        );
        assert!(
            lock.problems
                .iter()
                .any(|p| p.contains("\"latest\" of bad is not semver"))
        );
    }

    #[test]
    fn what_is_not_an_npm_lockfile_is_said() {
        for (text, says) in [
            (r#"{"name":"x","dependencies":{"a":"^1"}}"#, "no lockfileVersion"),
            (r#"{"lockfileVersion":7,"packages":{}}"#, "npm writes 1, 2 and 3"),
            (r#"{"lockfileVersion":3}"#, "no \"packages\""),
            (r#"{"lockfileVersion":3,"packages":[]}"#, "not an npm lockfile"),
            (
                r#"{"lockfileVersion":3,"lockfileVersion":3,"packages":{}}"#,
                "duplicate field",
            ),
            ("{", "not an npm lockfile"),
        ] {
            let e = parse_lockfile(Some("package-lock.json"), text).unwrap_err();
            assert!(e.starts_with("package-lock.json ") && e.contains(says), "{text}: {e}");
        }
        // Mistyped fields read as absent.
        let lock = parse_lockfile(
            None,
            r#"{"lockfileVersion":3,"packages":{"":{"dependencies":5},"node_modules/a":{"version":1},"node_modules/b":7}}"#,
        )
        .unwrap();
        assert!(lock.packages.is_empty());
        assert_eq!(lock.problems.len(), 2, "{:?}", lock.problems);
    }

    #[test]
    fn workspace_patterns() {
        assert!(is_workspace(&["packages/*"], "packages/a"));
        assert!(is_workspace(&["./packages/*/"], "packages/a"));
        assert!(is_workspace(&["apps/**"], "apps/x/y"));
        assert!(is_workspace(&["tools"], "tools"));
        assert!(!is_workspace(&["packages/*"], "packages/a/b"));
        assert!(!is_workspace(&["packages/*"], "local-pkg"));
        assert!(!is_workspace(&[], "packages/a"));
    }
}
