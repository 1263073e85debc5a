//! pnpm's `pnpm-lock.yaml`: lockfile 9.0 (pnpm 9 and 10), 6.x (pnpm 8)
//! and 5.x (pnpm 7 and earlier).
//!
//! - 9.0: `importers` (the project is `.`) map each dependency to a version;
//!   `packages` holds each `name@version` (its `resolution`), and `snapshots`
//!   each `name@version(peers...)` with the dependencies it resolved to.
//! - 6.x: `importers`, or the project's `dependencies` at the top level;
//!   `packages` keyed `/name@version(peers...)`, each with its resolution,
//!   its dependencies and `dev: true|false`.
//! - 5.x: as 6.x, keyed `/name/version_peers`, importers' versions as text.
//!
//! A dependency's version is either a version of the same name, an alias's
//! `real@version` (`/real@version` before 9.0), or a `link:`/`file:` spec.
//! Folders come as `resolution: {directory, type: directory}`, git as
//! `{type: git, repo, commit}`, tarball URLs as `{tarball}`.

use std::collections::HashMap;

use super::yaml::{self, Yaml};
use super::{Collector, Lockfile, LockfileKind, SourceKind, is_registry_tarball, shown, source_kind, split_name};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    V5,
    V6,
    V9,
}

/// Cuts the peer suffix: `a@1.0.0(b@2.0.0)` (6.0 and 9.0), `1.0.0_b@2.0.0` (5.x).
fn without_peers(key: &str, shape: Shape) -> &str {
    let cut = match shape {
        Shape::V5 => key.find('_'),
        Shape::V6 | Shape::V9 => key.find('('),
    };
    cut.and_then(|at| key.get(..at)).unwrap_or(key)
}

/// The name and version a package key stands for.
fn identity(key: &str, shape: Shape) -> Option<(&str, &str)> {
    match shape {
        Shape::V9 => split_name(without_peers(key, shape)),
        Shape::V6 => split_name(without_peers(key.strip_prefix('/')?, shape)),
        Shape::V5 => {
            let key = key.strip_prefix('/')?;
            let scoped = usize::from(key.starts_with('@'));
            let at = key.match_indices('/').nth(scoped)?.0;
            Some((key.get(..at)?, without_peers(key.get(at + 1..)?, shape)))
        }
    }
}

/// `base/rel` with `.` and `..` worked out; `None` when it leaves the project.
fn join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

/// The dependency maps of an importer, snapshot or package: name → version
/// (an importer's versions are `{specifier, version}` from 6.0 on).
fn dependencies(entry: &Yaml, with_dev: bool) -> impl Iterator<Item = (&str, &str, bool)> {
    let lists = [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("devDependencies", true),
    ];
    lists
        .into_iter()
        .filter(move |&(_, dev)| with_dev || !dev)
        .flat_map(move |(list, dev)| {
            entry
                .get(list)
                .map(Yaml::entries)
                .unwrap_or_default()
                .iter()
                .filter_map(move |(name, v)| {
                    let version = v.as_str().or_else(|| v.str_at("version"))?;
                    Some((&**name, version, dev))
                })
        })
}

pub(super) fn read(text: &str, what: &str) -> Result<Lockfile, String> {
    let documents = yaml::parse(text, what)?;
    // pnpm 10 may put its own environment first, in a document of its own.
    let doc = documents
        .last()
        .filter(|d| matches!(d, Yaml::Map(_)))
        .ok_or_else(|| format!("{what} is not a pnpm lockfile: it holds no YAML mapping."))?;
    let version = doc
        .str_at("lockfileVersion")
        .ok_or_else(|| format!("{what} has no lockfileVersion: it is not a lockfile pnpm wrote."))?;
    let shape = match version.split('.').next() {
        Some("9") => Shape::V9,
        Some("6") => Shape::V6,
        Some("5") => Shape::V5,
        _ => {
            return Err(format!(
                "{what} has lockfileVersion {}; pnpm 7 to 10 write 5.x, 6.x and 9.0, and only those are read.",
                shown(version)
            ));
        }
    };
    let mut collector = Collector::new(what);
    let packages = doc.get("packages").map(Yaml::entries).unwrap_or_default();
    let snapshots = doc.get("snapshots").map(Yaml::entries).unwrap_or_default();

    // A node per snapshot (9.0) or package; 9.0 keeps a package's
    // resolution apart from its snapshots.
    let mut nodes: HashMap<&str, usize> = HashMap::new();
    let mut entries: Vec<(&str, &Yaml, usize)> = Vec::new();
    for (key, entry) in snapshots.iter().chain(packages) {
        if !nodes.contains_key(&**key) {
            let node = collector.node()?;
            nodes.insert(key, node);
            entries.push((key, entry, node));
        }
    }
    let resolution_of: HashMap<&str, &Yaml> = packages.iter().map(|(k, v)| (&**k, v)).collect();
    let resolve = |name: &str, version: &str| -> Option<usize> {
        let candidates = match shape {
            Shape::V9 => [format!("{name}@{version}"), version.to_string(), String::new()],
            Shape::V6 => [
                format!("/{name}@{version}"),
                version.to_string(),
                format!("/{name}/{version}"),
            ],
            Shape::V5 => [format!("/{name}/{version}"), version.to_string(), String::new()],
        };
        candidates.iter().find_map(|key| nodes.get(key.as_str()).copied())
    };

    for &(key, entry, node) in &entries {
        for (name, version, _) in dependencies(entry, false) {
            if let Some(to) = resolve(name, version) {
                collector.edge(node, to)?;
            } else if let Some(kind) = source_kind(version) {
                collector.not_from_registry(key, name, kind, version);
            }
        }
        let base = without_peers(key, shape);
        let described = match shape {
            Shape::V9 => resolution_of.get(base).copied().unwrap_or(entry),
            Shape::V6 | Shape::V5 => entry,
        };
        if shape != Shape::V9 {
            collector.set_dev(node, described.str_at("dev") == Some("true"));
        }
        // Keys without the leading `/` before 9.0 are not registry packages
        // (`file:local-pkg`, `github.com/o/r/sha`), and name themselves.
        let (name, version) = match identity(key, shape) {
            Some(found) => found,
            None => match (described.str_at("name"), described.str_at("version")) {
                (Some(name), Some(version)) if source_kind(key).is_none() => (name, version),
                (Some(name), _) => (name, key),
                _ => {
                    collector.problem(format!(
                        "{}: no package name can be read from the key; left out.",
                        shown(key)
                    ));
                    continue;
                }
            },
        };
        let resolution = described.get("resolution");
        let field = |f: &str| resolution.and_then(|r| r.str_at(f));
        let kind = match field("type") {
            Some("git") => Some(SourceKind::Git),
            Some("directory") => Some(SourceKind::File),
            Some(_) => Some(SourceKind::Other),
            None if identity(key, shape).is_none() && shape != Shape::V9 => {
                Some(source_kind(key).unwrap_or(if field("tarball").is_some() {
                    SourceKind::Tarball
                } else {
                    SourceKind::Other
                }))
            }
            // A registry version fetched from an address that is not a
            // registry's tarball of it (a poisoned lockfile, or GitHub Packages).
            None => source_kind(version).or_else(|| {
                field("tarball")
                    .filter(|url| !is_registry_tarball(url, name, version))
                    .map(|_| SourceKind::Tarball)
            }),
        };
        match kind {
            Some(kind) => {
                let source = match (field("repo"), field("commit")) {
                    (Some(repo), Some(commit)) => format!("{repo}#{commit}"),
                    (Some(repo), None) => repo.to_string(),
                    _ => field("tarball").or(field("directory")).unwrap_or(version).to_string(),
                };
                collector.not_from_registry(key, name, kind, &source);
            }
            None => collector.registry(node, key, name, version, field("integrity"), field("tarball"))?,
        }
    }

    // The importers: `.` is the project; other folders are workspace packages.
    let importers: Vec<(&str, &Yaml)> = match doc.get("importers") {
        Some(map) => map.entries().iter().map(|(k, v)| (&**k, v)).collect(),
        None => vec![(".", doc)],
    };
    let mut importer_nodes: HashMap<&str, usize> = HashMap::new();
    for &(path, _) in &importers {
        let node = collector.node()?;
        importer_nodes.insert(path, node);
    }
    for &(path, importer) in &importers {
        let Some(&node) = importer_nodes.get(path) else {
            continue;
        };
        for (name, version, dev) in dependencies(importer, true) {
            let to = match version.strip_prefix("link:") {
                Some(rel) => {
                    let target = join(path, rel);
                    match target.as_deref().and_then(|t| importer_nodes.get(t)) {
                        Some(&to) => {
                            collector.not_from_registry(path, name, SourceKind::Workspace, version);
                            Some(to)
                        }
                        None => {
                            collector.not_from_registry(path, name, SourceKind::Link, version);
                            None
                        }
                    }
                }
                None => resolve(name, version),
            };
            let Some(to) = to else { continue };
            collector.edge(node, to)?;
            if path == "." {
                collector.root(name, to, dev);
            }
        }
    }
    Ok(collector.finish(LockfileKind::Pnpm {
        lockfile_version: version.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{NotFromRegistry, parse_lockfile};
    use super::*;

    #[test]
    fn keys_name_packages() {
        assert_eq!(identity("@s/a@1.0.0(b@2.0.0)", Shape::V9), Some(("@s/a", "1.0.0")));
        assert_eq!(identity("a@file:local", Shape::V9), Some(("a", "file:local")));
        assert_eq!(identity("/@s/a@1.0.0(b@2.0.0)", Shape::V6), Some(("@s/a", "1.0.0")));
        assert_eq!(identity("file:local", Shape::V6), None);
        assert_eq!(identity("/@s/a/1.0.0_b@2.0.0", Shape::V5), Some(("@s/a", "1.0.0")));
        assert_eq!(identity("/a/1.0.0", Shape::V5), Some(("a", "1.0.0")));
        assert_eq!(join(".", "packages/a").as_deref(), Some("packages/a"));
        assert_eq!(join("packages/b", "../a").as_deref(), Some("packages/a"));
        assert_eq!(join(".", "../outside"), None);
    }

    /// pnpm 8's shapes a machine here did not write: a single project with
    /// peers, a workspace link, a link outside, git and tarball packages.
    #[test]
    fn lockfile_6_shapes() {
        let text = "lockfileVersion: '6.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0(b@2.0.0)
      w:
        specifier: workspace:*
        version: link:packages/w
      out:
        specifier: link:../out
        version: link:../out
      g:
        specifier: github:o/g
        version: github.com/o/g/0123abc
      t:
        specifier: https://x.example/t.tgz
        version: '@x.example/t.tgz'
    devDependencies:
      b:
        specifier: 2.0.0
        version: 2.0.0
  packages/w:
    dependencies:
      c:
        specifier: ^1.0.0
        version: 1.0.0
packages:
  /a@1.0.0(b@2.0.0):
    resolution: {integrity: sha512-a}
    peerDependencies:
      b: '*'
    dependencies:
      b: 2.0.0
    dev: false
  /b@2.0.0:
    resolution: {integrity: sha512-b}
    dev: false
  /c@1.0.0:
    resolution: {integrity: sha512-c}
    dev: false
  github.com/o/g/0123abc:
    resolution: {tarball: https://codeload.github.com/o/g/tar.gz/0123abc}
    name: g
    version: 1.0.0
    dev: false
  '@x.example/t.tgz':
    resolution: {tarball: https://x.example/t.tgz}
    name: t
    version: 1.0.0
    dev: false
";
        let lock = parse_lockfile(Some("pnpm-lock.yaml"), text).unwrap();
        assert_eq!(
            lock.kind,
            LockfileKind::Pnpm {
                lockfile_version: "6.0".into()
            }
        );
        let got: Vec<String> = lock
            .packages
            .iter()
            .map(|p| {
                format!(
                    "{}@{} {:?} {} {:?}",
                    p.name,
                    p.version,
                    p.integrities.first(),
                    p.dev,
                    p.via
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "a@1.0.0 Some(\"sha512-a\") false [\"a\"]",
                "b@2.0.0 Some(\"sha512-b\") false [\"a\", \"b\"]",
                "c@1.0.0 Some(\"sha512-c\") false [\"w\"]",
            ]
        );
        let nfr = |name: &str, kind, source: &str| NotFromRegistry {
            name: name.into(),
            kind,
            source: source.into(),
        };
        assert_eq!(
            lock.not_from_registry,
            [
                nfr("g", SourceKind::Git, "https://codeload.github.com/o/g/tar.gz/0123abc"),
                nfr("out", SourceKind::Link, "link:../out"),
                nfr("t", SourceKind::Tarball, "https://x.example/t.tgz"),
                nfr("w", SourceKind::Workspace, "link:packages/w"),
            ]
        );
        assert!(lock.problems.is_empty(), "{:?}", lock.problems);
    }

    /// 9.0 with git and tarball packages, an alias in a snapshot, and a
    /// package that only a development dependency pulls in.
    #[test]
    fn lockfile_9_shapes() {
        let text = "lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0
      g:
        specifier: git+https://github.com/o/g.git
        version: git+https://git@github.com/o/g.git#0123abc
    devDependencies:
      d:
        specifier: ^1.0.0
        version: 1.0.0
packages:
  a@1.0.0:
    resolution: {integrity: sha512-a}
  d@1.0.0:
    resolution: {integrity: sha512-d}
  real@3.0.0:
    resolution: {integrity: sha512-r}
  mirrored@1.0.0:
    resolution: {integrity: sha512-m, tarball: https://mirror.example/npm/mirrored/-/mirrored-1.0.0.tgz}
  poisoned@1.0.0:
    resolution: {integrity: sha512-p, tarball: https://evil.example/poisoned.tgz}
  g@git+https://git@github.com/o/g.git#0123abc:
    resolution: {commit: 0123abc, repo: git+https://git@github.com/o/g.git, type: git}
    version: 1.0.0
snapshots:
  a@1.0.0:
    dependencies:
      al: real@3.0.0
  d@1.0.0:
    dependencies:
      real: 3.0.0
  real@3.0.0: {}
  g@git+https://git@github.com/o/g.git#0123abc: {}
";
        let lock = parse_lockfile(None, text).unwrap();
        let got: Vec<String> = lock
            .packages
            .iter()
            .map(|p| format!("{}@{} {} {} {:?}", p.name, p.version, p.direct, p.dev, p.via))
            .collect();
        assert_eq!(
            got,
            [
                "a@1.0.0 true false [\"a\"]",
                "d@1.0.0 true true [\"d\"]",
                "mirrored@1.0.0 false false []",
                "real@3.0.0 false false [\"a\", \"d\"]",
            ]
        );
        assert_eq!(
            lock.not_from_registry,
            [
                NotFromRegistry {
                    name: "g".into(),
                    kind: SourceKind::Git,
                    source: "git+https://git@github.com/o/g.git#0123abc".into()
                },
                NotFromRegistry {
                    name: "poisoned".into(),
                    kind: SourceKind::Tarball,
                    source: "https://evil.example/poisoned.tgz".into()
                }
            ]
        );
    }

    #[test]
    fn lockfile_5_and_what_is_not_a_pnpm_lockfile() {
        let text = "lockfileVersion: 5.4
specifiers:
  a: ^1.0.0
dependencies:
  a: 1.0.0_b@2.0.0
packages:
  /a/1.0.0_b@2.0.0:
    resolution: {integrity: sha512-a}
    dependencies:
      '@s/b': 2.0.0
    dev: false
  /@s/b/2.0.0:
    resolution: {integrity: sha512-b}
    dev: false
";
        let lock = parse_lockfile(None, text).unwrap();
        assert_eq!(lock.packages.len(), 2);
        assert_eq!(lock.packages[0].name, "@s/b");
        assert_eq!(lock.packages[0].via, ["a"]);
        for (text, says) in [
            ("lockfileVersion: '7.0'\n", "only those are read"),
            ("lockfileVersion: [1]\n", "no lockfileVersion"),
            ("- a\n", "no YAML mapping"),
        ] {
            let e = parse_lockfile(Some("pnpm-lock.yaml"), text).unwrap_err();
            assert!(e.starts_with("pnpm-lock.yaml ") && e.contains(says), "{text}: {e}");
        }
    }
}
