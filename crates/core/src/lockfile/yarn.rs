//! yarn's `yarn.lock`, classic (yarn 1) and berry (yarn 2 and later).
//!
//! Classic has a format of its own, close to YAML but not YAML: an entry is
//! its descriptors on one unindented line (`a@^1.0.0, "a@>=1":`), then
//! `  key value` lines and `  dependencies:` maps of `    name "range"`, with
//! strings quoted as JSON. It is read here by a small line reader rather
//! than by the `yarn-lock-parser` crate, which unwraps on input it does not
//! expect (a last line without a newline panics), does not unescape quoted
//! strings, and names an aliased package by its alias. Classic does not
//! record the project's own dependencies, so nothing is known to be direct.
//!
//! Berry writes YAML: `__metadata`, then entries keyed by their descriptors
//! (`"ms@npm:^2.1.3, my-ms@npm:ms@2.1.3"`), each with the `resolution` it
//! installs (`ms@npm:2.1.3`). The project is the entry resolved to
//! `<name>@workspace:.`; its `dependencies` lists development dependencies
//! with the others, so berry says nothing of what only they pull in.

use std::collections::HashMap;

use super::yaml::{self, Yaml};
use super::{Collector, Lockfile, LockfileKind, SourceKind, is_registry_tarball, shown, source_kind, split_name};
use crate::package::truncate;

/// A descriptor's real package: `a@^1` is `a`; the alias `b@npm:a@^1` is `a`.
fn real_name(descriptor: &str) -> Option<&str> {
    let (name, range) = split_name(descriptor)?;
    match range.strip_prefix("npm:").and_then(split_name) {
        Some((real, _)) => Some(real),
        None => Some(name),
    }
}

/// A classic entry as read: its descriptors, fields, and where it starts.
#[derive(Default)]
struct ClassicEntry {
    line: usize,
    descriptors: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
}

/// One token of a classic line: a JSON string, or text up to a space, comma or colon.
fn token(text: &str) -> Option<(String, &str)> {
    if text.starts_with('"') {
        let mut escaped = false;
        for (i, c) in text.char_indices().skip(1) {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let (quoted, rest) = text.split_at(i + 1);
                    return Some((serde_json::from_str(quoted).ok()?, rest));
                }
                _ => escaped = false,
            }
        }
        None
    } else {
        let end = text.find([' ', ',', ':']).unwrap_or(text.len());
        let (bare, rest) = text.split_at(end);
        (!bare.is_empty()).then(|| (bare.to_string(), rest))
    }
}

/// `a@^1, "b@npm:a@^1":` → its descriptors.
fn descriptors(line: &str) -> Option<Vec<String>> {
    let mut rest = line.strip_suffix(':')?;
    let mut out = Vec::new();
    loop {
        let (descriptor, after) = token(rest)?;
        out.push(descriptor);
        match after.strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None if after.is_empty() => return Some(out),
            None => return None,
        }
    }
}

pub(super) fn read_classic(text: &str, what: &str) -> Result<Lockfile, String> {
    let mut collector = Collector::new(what);
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut in_map = false;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim_end();
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if content.starts_with("<<<<<<<") || content.starts_with(">>>>>>>") || content.starts_with("=======") {
            return Err(format!(
                "{what} has a merge conflict at line {number}; yarn install resolves it, and then it can be read."
            ));
        }
        let bad = || format!("{what} is not a yarn lockfile: line {number} is {}.", shown(line));
        match line.len() - content.len() {
            0 => {
                let descriptors = descriptors(content).ok_or_else(bad)?;
                if entries.len() >= super::MAX_ENTRIES {
                    return Err(format!(
                        "{what} has more than {} entries; more are refused.",
                        super::MAX_ENTRIES
                    ));
                }
                entries.push(ClassicEntry {
                    line: number,
                    descriptors,
                    ..ClassicEntry::default()
                });
                in_map = false;
            }
            2 => {
                let entry = entries.last_mut().ok_or_else(bad)?;
                let (key, rest) = token(content).ok_or_else(bad)?;
                if rest == ":" {
                    in_map = true; // dependencies:, optionalDependencies:
                    continue;
                }
                in_map = false;
                let value = match rest.strip_prefix(' ').and_then(token) {
                    Some((value, "")) => value,
                    _ => return Err(bad()),
                };
                match key.as_str() {
                    "version" => entry.version = Some(value),
                    "resolved" => entry.resolved = Some(value),
                    "integrity" => entry.integrity = Some(value),
                    _ => {}
                }
            }
            // Dependency ranges: not needed, since classic has no project entry to start from.
            4 if in_map => {}
            _ => return Err(bad()),
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for entry in &entries {
        let node = collector.node()?;
        for descriptor in &entry.descriptors {
            if let Some(before) = seen.insert(descriptor, entry.line) {
                collector.note(format!(
                    "{} (line {}) was already at line {before}; yarn reads the last.",
                    shown(descriptor),
                    entry.line
                ));
            }
        }
        let Some(first) = entry.descriptors.first() else {
            continue;
        };
        let at = first.as_str();
        let Some(name) = real_name(first) else {
            collector.problem(format!("{}: names no package; left out.", shown(at)));
            continue;
        };
        let range = split_name(first).map(|(_, r)| r).unwrap_or_default();
        let Some(version) = entry.version.as_deref() else {
            collector.problem(format!("{}: {name} has no version; left out.", shown(at)));
            continue;
        };
        let resolved = entry.resolved.as_deref();
        let integrity = entry.integrity.as_deref();
        match (source_kind(range), resolved) {
            (Some(kind), _) if !range.starts_with("npm:") => {
                let kind = if kind == SourceKind::Tarball && resolved.and_then(source_kind) == Some(SourceKind::Git) {
                    SourceKind::Git
                } else {
                    kind
                };
                collector.not_from_registry(at, name, kind, resolved.unwrap_or(range));
            }
            (_, Some(url)) if !is_registry_tarball(url, name, version) => {
                collector.not_from_registry(at, name, source_kind(url).unwrap_or(SourceKind::Other), url);
            }
            _ => collector.registry(node, at, name, version, integrity, resolved)?,
        }
    }
    Ok(collector.finish(LockfileKind::YarnClassic))
}

/// `name@protocol:rest` → the kind a berry resolution stands for, `None` for `npm:`.
fn berry_kind(reference: &str) -> Option<SourceKind> {
    if reference.starts_with("npm:") {
        None
    } else {
        Some(source_kind(reference).unwrap_or(SourceKind::Other))
    }
}

pub(super) fn read_berry(text: &str, what: &str) -> Result<Lockfile, String> {
    let documents = yaml::parse(text, what)?;
    let doc = documents
        .last()
        .filter(|d| matches!(d, Yaml::Map(_)))
        .ok_or_else(|| format!("{what} is not a yarn lockfile: it holds no YAML mapping."))?;
    let version = doc
        .get("__metadata")
        .and_then(|m| m.str_at("version"))
        .ok_or_else(|| format!("{what} has no __metadata.version: it is not a lockfile yarn berry wrote."))?;
    let mut collector = Collector::new(what);
    let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
    let mut unbound_descriptors: HashMap<&str, usize> = HashMap::new();
    let mut by_resolution: HashMap<&str, usize> = HashMap::new();
    let mut entries: Vec<(&str, &Yaml, usize)> = Vec::new();
    for (key, entry) in doc.entries() {
        if &**key == "__metadata" {
            continue;
        }
        let node = collector.node()?;
        for descriptor in key.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            if by_descriptor.insert(descriptor, node).is_some() {
                collector.note(format!(
                    "{}: the descriptor is listed by two entries; the last is read.",
                    shown(descriptor)
                ));
            }
            // `file:` and `link:` descriptors are bound to their dependent
            // (`local@file:./local::locator=root%40workspace%3A.`), which the
            // dependent's own `dependencies` leave out.
            if let Some((unbound, _)) = descriptor.split_once("::") {
                unbound_descriptors.entry(unbound).or_insert(node);
            }
        }
        if let Some(resolution) = entry.str_at("resolution") {
            by_resolution.insert(resolution, node);
        }
        entries.push((key, entry, node));
    }
    // A dependency `name: range` is the entry listing `name@range`; lockfiles
    // before yarn 3 leave `npm:` out of the range but not out of the key.
    let resolve = |name: &str, range: &str| {
        let descriptor = format!("{name}@{range}");
        by_descriptor
            .get(descriptor.as_str())
            .or_else(|| by_descriptor.get(format!("{name}@npm:{range}").as_str()))
            .or_else(|| unbound_descriptors.get(descriptor.as_str()))
            .copied()
    };
    for &(key, entry, node) in &entries {
        let Some(resolution) = entry.str_at("resolution") else {
            collector.problem(format!("{}: the entry has no resolution; left out.", shown(key)));
            continue;
        };
        for list in ["dependencies", "optionalDependencies"] {
            for (name, range) in entry.get(list).map(Yaml::entries).unwrap_or_default() {
                if let Some(to) = range.as_str().and_then(|r| resolve(name, r)) {
                    collector.edge(node, to)?;
                }
            }
        }
        let Some((name, reference)) = split_name(resolution) else {
            collector.problem(format!(
                "{}: the resolution {} names no package; left out.",
                shown(key),
                shown(resolution)
            ));
            continue;
        };
        if reference == "workspace:." {
            for (dependency, range) in entry.get("dependencies").map(Yaml::entries).unwrap_or_default() {
                if let Some(to) = range.as_str().and_then(|r| resolve(dependency, r)) {
                    collector.root(dependency, to, false);
                }
            }
            continue;
        }
        match berry_kind(reference) {
            Some(kind) => {
                // `patch:` applies a patch to a registry package, listed on its own.
                if let Some(inner) = reference.strip_prefix("patch:") {
                    let inner = crate::percent::decode_lossy(inner.split('#').next().unwrap_or_default());
                    if let Some(&to) = by_resolution.get(inner.as_str()) {
                        collector.edge(node, to)?;
                    }
                }
                collector.not_from_registry(key, name, kind, reference);
            }
            None => {
                let reference = reference.trim_start_matches("npm:");
                let (version, parameters) = reference.split_once("::").unwrap_or((reference, ""));
                // A tarball not at the registry's usual address is named in
                // `::__archiveUrl=<percent-encoded URL>`; one that is not a
                // registry's tarball of this version is not from the registry.
                let archive = parameters
                    .split('&')
                    .find_map(|p| p.strip_prefix("__archiveUrl="))
                    .map(crate::percent::decode_lossy);
                match archive {
                    Some(url) if !is_registry_tarball(&url, name, version) => {
                        collector.not_from_registry(key, name, SourceKind::Tarball, &url)
                    }
                    // `checksum` is not an SRI integrity: it is yarn's hash of the
                    // zip archive it repacks the tarball into (`10c0/<sha512 hex>`),
                    // which no registry signs, so no integrity is recorded here:
                    // only the address binds the copy.
                    archive => collector.registry(node, key, name, version, None, archive.as_deref())?,
                }
            }
        }
    }
    Ok(collector.finish(LockfileKind::YarnBerry {
        version: truncate(version, 20),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{NotFromRegistry, parse_lockfile};
    use super::*;

    #[test]
    fn classic_lines_tokenize() {
        assert_eq!(
            descriptors("a@^1.0.0, \"b@npm:a@^1\", \"c@\\\"x\\\"\":"),
            Some(vec!["a@^1.0.0".into(), "b@npm:a@^1".into(), "c@\"x\"".into()])
        );
        assert_eq!(descriptors("a@1"), None);
        assert_eq!(descriptors("\"a@1:"), None);
        assert_eq!(descriptors("a@1 b:"), None);
        assert_eq!(real_name("b@npm:@s/a@^1"), Some("@s/a"));
        assert_eq!(real_name("@s/a@^1"), Some("@s/a"));
    }

    /// Classic sources a machine here did not write: git, tarball URL, link,
    /// a registry mirror, and an entry without a version.
    #[test]
    fn classic_sources() {
        let text = r#"# yarn lockfile v1


"@s/a@^1.0.0", "@s/a@^1.1.0":
  version "1.1.0"
  resolved "https://registry.yarnpkg.com/@s/a/-/a-1.1.0.tgz#0123"
  integrity sha512-a
  dependencies:
    b "^2"

"g@git+https://github.com/o/g.git":
  version "1.0.0"
  resolved "git+https://github.com/o/g.git#0123abc"

"gh@github:o/gh":
  version "1.0.0"
  resolved "https://codeload.github.com/o/gh/tar.gz/0123abc"

"t@https://x.example/t.tgz":
  version "1.0.0"
  resolved "https://x.example/t.tgz#0123"

"l@link:../l":
  version "0.0.0"

mirror@^1:
  version "1.0.0"
  resolved "https://mirror.example/files/mirror-1.0.0.tgz"

nover@^1:
  resolved "https://registry.yarnpkg.com/nover/-/nover-1.0.0.tgz"
"#;
        let lock = parse_lockfile(Some("yarn.lock"), text).unwrap();
        assert_eq!(lock.kind, LockfileKind::YarnClassic);
        assert!(!lock.records_direct_dependencies());
        let [a] = lock.packages.as_slice() else {
            panic!("{:?}", lock.packages)
        };
        assert_eq!(
            (
                a.name.as_str(),
                a.version.as_str(),
                a.integrities.first().map(String::as_str)
            ),
            ("@s/a", "1.1.0", Some("sha512-a"))
        );
        let kinds: Vec<(&str, SourceKind)> = lock
            .not_from_registry
            .iter()
            .map(|n| (n.name.as_str(), n.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("g", SourceKind::Git),
                ("gh", SourceKind::Git),
                ("l", SourceKind::Link),
                ("mirror", SourceKind::Tarball),
                ("t", SourceKind::Tarball),
            ]
        );
        assert_eq!(lock.problems, ["\"nover@^1\": nover has no version; left out."]);
    }

    #[test]
    fn what_is_not_a_classic_lockfile_is_said() {
        for (text, says) in [
            ("# yarn lockfile v1\n  version \"1\"\n", "line 2"),
            ("# yarn lockfile v1\na@1:\n   version \"1\"\n", "line 3"),
            ("# yarn lockfile v1\na@1:\n  version\n", "line 3"),
            ("# yarn lockfile v1\na@1:\n  version \"1\n", "line 3"),
            ("# yarn lockfile v1\na@1\n", "line 2"),
            ("# yarn lockfile v1\n<<<<<<< HEAD\n", "merge conflict"),
            ("# yarn lockfile v1\na@1:\n\tversion \"1\"\n", "line 3"),
        ] {
            let e = parse_lockfile(Some("yarn.lock"), text).unwrap_err();
            assert!(e.starts_with("yarn.lock ") && e.contains(says), "{text}: {e}");
        }
    }

    /// Berry sources a machine here did not write: git, tarball URL, link,
    /// portal, another workspace, a patch, an older lockfile's ranges without `npm:`.
    #[test]
    fn berry_sources() {
        let text = r#"__metadata:
  version: 4

"root@workspace:.":
  version: 0.0.0-use.local
  resolution: "root@workspace:."
  dependencies:
    a: ^1.0.0
    w: "workspace:^"
    g: "https://github.com/o/g.git#commit=0123abc"
    t: "https://x.example/t.tgz"
    l: "link:../l"
    p: "portal:../p"
    resolve: "patch:resolve@^1.22#~builtin<compat/resolve>"

"a@npm:^1.0.0":
  version: 1.0.0
  resolution: "a@npm:1.0.0"
  checksum: 10c0/abcdef

"w@workspace:^, w@workspace:packages/w":
  version: 0.0.0-use.local
  resolution: "w@workspace:packages/w"
  dependencies:
    a: ^1.0.0

"g@https://github.com/o/g.git#commit=0123abc":
  version: 1.0.0
  resolution: "g@https://github.com/o/g.git#commit=0123abc"

"t@https://x.example/t.tgz":
  version: 1.0.0
  resolution: "t@https://x.example/t.tgz"

"l@link:../l::locator=root%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "l@link:../l::locator=root%40workspace%3A."

"p@portal:../p::locator=root%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "p@portal:../p::locator=root%40workspace%3A."

"mirrored@npm:^1":
  version: 1.0.0
  resolution: "mirrored@npm:1.0.0::__archiveUrl=https%3A%2F%2Fmirror.example%2Fmirrored%2F-%2Fmirrored-1.0.0.tgz"

"poisoned@npm:^1":
  version: 1.0.0
  resolution: "poisoned@npm:1.0.0::__archiveUrl=https%3A%2F%2Fevil.example%2Fp.tgz"

"resolve@npm:1.22.8":
  version: 1.22.8
  resolution: "resolve@npm:1.22.8"

"resolve@patch:resolve@^1.22#~builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
"#;
        let lock = parse_lockfile(Some("yarn.lock"), text).unwrap();
        assert_eq!(lock.kind, LockfileKind::YarnBerry { version: "4".into() });
        let got: Vec<String> = lock
            .packages
            .iter()
            .map(|p| {
                format!(
                    "{}@{} {:?} {} {:?}",
                    p.name,
                    p.version,
                    p.integrities.first(),
                    p.direct,
                    p.via
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "a@1.0.0 None true [\"a\", \"w\"]",
                "mirrored@1.0.0 None false []",
                "resolve@1.22.8 None false [\"resolve\"]",
            ]
        );
        let kinds: Vec<(&str, SourceKind)> = lock
            .not_from_registry
            .iter()
            .map(|n| (n.name.as_str(), n.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("g", SourceKind::Git),
                ("l", SourceKind::Link),
                ("p", SourceKind::Link),
                ("poisoned", SourceKind::Tarball),
                ("resolve", SourceKind::Other),
                ("t", SourceKind::Tarball),
                ("w", SourceKind::Workspace),
            ]
        );
        assert_eq!(
            lock.not_from_registry.first(),
            Some(&NotFromRegistry {
                name: "g".into(),
                kind: SourceKind::Git,
                source: "https://github.com/o/g.git#commit=0123abc".into()
            })
        );
        assert!(lock.problems.is_empty(), "{:?}", lock.problems);
        let e = parse_lockfile(None, "__metadata:\n  cacheKey: 8\n").unwrap_err();
        assert!(e.contains("no __metadata.version"), "{e}");
    }
}
