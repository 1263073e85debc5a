//! Bun's text lockfile, `bun.lock` (Bun 1.2 and later; the binary
//! `bun.lockb` of earlier versions is not read).
//!
//! JSON with a comma after every last member ([`blank_trailing_commas`]):
//! `lockfileVersion`; `workspaces`, the dependencies each package.json of
//! the project declares (`""` the root, others keyed by folder); and
//! `packages`, one entry per installed folder, keyed by its place in the
//! install tree: `a` is `node_modules/a`, `a/b` a copy of `b` nested in
//! `a`'s folder (`@s/a/@s/b` with scopes). The key's last name is the name
//! the dependent gives the package (an alias by its alias); the entry's
//! first element, `name@resolution`, is the package itself. As Bun's
//! `Stringifier` writes each resolution:
//!
//! - registry: `["name@1.0.0", "<tarball URL, empty for the default registry>", {info}, "<integrity>"]`
//! - folder `["name@file:path", {info}]`, symlink `["name@link:path", {info}]`
//! - tarball: `["name@https://…", {info}, "<integrity>"?]`, on disk `["name@./x.tgz", …]`
//! - git: `["name@git+url#sha", {info}, "<tag>", "<integrity>"?]`, `["name@github:o/r#sha", …]` likewise
//! - workspace: `["name@workspace:path"]` (version 0 adds its info)
//! - the project itself: `["name@root:", {bin}]`
//!
//! where info holds `dependencies`, `optionalDependencies`,
//! `peerDependencies`, `bin`, `os`, `cpu` and `bundled`.
//!
//! A dependency resolves as Bun binds it when it loads the file: the
//! dependent's key and `/name` (`a/b`), then the same from each shorter key
//! (`b`); a workspace's dependency from `<workspace name>/name`, then
//! `name`; the project's from `name`. (Bun binds a peer dependency by the
//! versions it satisfies; here it takes the path too, which only matters
//! for `via`.)
//!
//! Bun refuses a whole file with an entry it cannot read; here such an
//! entry is left out and counted (which fails the audit) and the rest is
//! read, unless the file as a whole is in doubt: no or an unknown
//! `lockfileVersion`, no `workspaces` or root workspace, a key or a
//! workspace's name given twice (which Bun refuses too, where JSON.parse
//! would keep the last), a comment (which Bun never writes).

mod detect;
mod shapes;
mod tree;

use std::collections::{HashMap, HashSet};

use serde_json::value::RawValue;

pub(super) use detect::written_by_bun;
use shapes::{BunLock, MAX_ELEMENTS, Resolution, Row, Rows, Workspace, info_of, name_and_resolution, string_of};
use tree::{Folders, names_of};

use super::json::{Entries, Loose, LooseObject, TrailingCommaError, blank_trailing_commas};
use super::{Collector, Lockfile, LockfileKind, SourceKind, is_registry_tarball, shown, split_name};
use crate::package::truncate;

/// The versions Bun writes: 0 (Bun 1.2.0), 1 (workspace entries lose their
/// dependencies), 2 (Bun refuses an npm entry at an off-registry address
/// without integrity, and an unsafe git tag), 3 (`overrides` values may be
/// objects). None of the changes is to what is read here.
const MAX_VERSION: u32 = 3;

fn not_bun(what: &str, e: &serde_json::Error) -> String {
    format!("{what} is not a bun lockfile: {}.", truncate(&e.to_string(), 200))
}

pub(super) fn read(text: &str, what: &str) -> Result<Lockfile, String> {
    let text = blank_trailing_commas(text).map_err(|e| match e {
        TrailingCommaError::Comment { line } => format!(
            "{what} has a comment at line {line}; Bun writes none, and a file with one is refused rather than \
             read around it."
        ),
        TrailingCommaError::NotText => format!("{what} is not text."),
    })?;
    if !text.trim_start().starts_with('{') {
        return Err(format!("{what} is not a bun lockfile: it is not a JSON object."));
    }
    let lock: BunLock<'_> = serde_json::from_str(&text).map_err(|e| not_bun(what, &e))?;
    let version = lock
        .lockfile_version
        .0
        .ok_or_else(|| format!("{what} has no lockfileVersion: it is not a lockfile Bun wrote."))?;
    if version > MAX_VERSION {
        return Err(format!(
            "{what} has lockfileVersion {version}; Bun writes 0 to {MAX_VERSION}, and only those are read."
        ));
    }
    let workspaces: Entries<LooseObject<Workspace>> = match lock.workspaces {
        Some(raw) => serde_json::from_str(raw.get()).map_err(|e| not_bun(what, &e))?,
        None => return Err(format!("{what} has no \"workspaces\": it is not a lockfile Bun wrote.")),
    };
    let rows: Rows<'_> = match lock.packages {
        Some(raw) => serde_json::from_str(raw.get()).map_err(|e| not_bun(what, &e))?,
        None => Rows::default(),
    };
    let mut collector = Collector::new(what);
    let mut reader = Reader {
        collector: &mut collector,
        folders: Folders::new(),
        by_name: HashMap::new(),
        by_path: HashMap::new(),
    };
    let root = reader.workspaces(&workspaces)?;
    let placed = reader.place(&rows)?;
    for ((key, raw), folder) in rows.0.iter().zip(placed) {
        if let Some((node, folder)) = folder {
            reader.entry(&key.0, raw, node, folder)?;
        }
    }
    reader.workspace_edges()?;
    for (name, dev) in root.dependencies() {
        if let Some(to) = reader.resolve(0, name) {
            reader.collector.root(name, to, dev);
        }
    }
    let patched: Entries<Loose<String>> = match lock.patched_dependencies.map(|raw| serde_json::from_str(raw.get())) {
        Some(Ok(patched)) => patched,
        Some(Err(_)) => {
            collector.problem("\"patchedDependencies\" is not an object Bun writes; left out.".into());
            Entries::default()
        }
        None => Entries::default(),
    };
    for (key, path) in &patched.0 {
        // Bun applies the patch to the registry package it names, listed
        // on its own: what is installed is not what the registry serves.
        match (split_name(key), &path.0) {
            (Some((name, _)), Some(path)) => collector.not_from_registry(key, name, SourceKind::Other, path),
            _ => collector.problem(format!(
                "{}: a patched dependency Bun would not write; left out.",
                shown(key)
            )),
        }
    }
    Ok(collector.finish(LockfileKind::Bun {
        lockfile_version: version,
    }))
}

struct Reader<'c, 'a> {
    collector: &'c mut Collector,
    folders: Folders<'a>,
    /// Workspaces by package name, which Bun binds a name to where no key has it.
    by_name: HashMap<&'a str, usize>,
    /// Workspaces by folder: their node, what they declare, their name.
    by_path: HashMap<&'a str, (usize, &'a Workspace, &'a str)>,
}

impl<'a> Reader<'_, 'a> {
    /// A node for each workspace but the root, which is returned.
    fn workspaces(&mut self, workspaces: &'a Entries<LooseObject<Workspace>>) -> Result<&'a Workspace, String> {
        let what = self.collector.what.clone();
        let mut root = None;
        let mut paths = HashSet::new();
        for (path, workspace) in &workspaces.0 {
            if !paths.insert(path.as_str()) {
                return Err(format!(
                    "{what} lists the workspace {} twice; Bun refuses such a file.",
                    shown(path)
                ));
            }
            let Some(workspace) = &workspace.0 else {
                self.collector.problem(format!(
                    "{}: the workspace is not an object Bun writes; left out.",
                    shown(path)
                ));
                continue;
            };
            if path.is_empty() {
                root = Some(workspace);
                continue;
            }
            let Some(name) = workspace.name.0.as_deref() else {
                self.collector
                    .problem(format!("{}: the workspace has no name; left out.", shown(path)));
                continue;
            };
            let node = self.collector.node()?;
            self.collector
                .not_from_registry(path, name, SourceKind::Workspace, &format!("workspace:{path}"));
            if self.by_name.insert(name, node).is_some() {
                return Err(format!(
                    "{what} has two workspaces named {}; Bun refuses such a file.",
                    shown(name)
                ));
            }
            self.by_path.insert(path, (node, workspace, name));
        }
        root.ok_or_else(|| {
            format!("{what} has no root workspace (\"\" in \"workspaces\"): it is not a lockfile Bun wrote.")
        })
    }

    /// A node for each key, placed in the tree, before any entry is read
    /// (so that any entry can resolve any other); `None` for keys left out.
    fn place(&mut self, rows: &'a Rows<'a>) -> Result<Vec<Option<(usize, usize)>>, String> {
        let mut keys = HashSet::new();
        let mut placed = Vec::with_capacity(rows.0.len());
        for (key, _) in &rows.0 {
            let key = &*key.0;
            if !keys.insert(key) {
                return Err(format!(
                    "{} lists {} twice; Bun refuses such a file.",
                    self.collector.what,
                    shown(key)
                ));
            }
            let names = match names_of(key) {
                Ok(names) => names,
                Err(why) => {
                    self.collector.problem(format!(
                        "{}: the key is not a path of package names Bun writes ({why}); left out.",
                        shown(key)
                    ));
                    placed.push(None);
                    continue;
                }
            };
            let node = self.collector.node()?;
            let (last, parents) = names.split_last().map_or(("", &[][..]), |(l, p)| (*l, p));
            let parent = self.folders.folder(parents);
            self.folders.installed.insert((parent, last), node);
            placed.push(Some((node, self.folders.folder(&names))));
        }
        Ok(placed)
    }

    fn resolve(&self, folder: usize, name: &str) -> Option<usize> {
        self.folders
            .resolve(folder, name)
            .or_else(|| self.by_name.get(name).copied())
    }

    /// Edges to what a dependent's info names, resolved from its folder.
    fn edges<'n>(&mut self, node: usize, folder: usize, names: impl Iterator<Item = &'n str>) -> Result<(), String> {
        for name in names {
            // Unresolved names are left unbound, as Bun leaves optional and
            // peer ones; they only make `via` shorter.
            if let Some(to) = self.resolve(folder, name) {
                self.collector.edge(node, to)?;
            }
        }
        Ok(())
    }

    /// Each workspace's dependencies, resolved from its name's key.
    fn workspace_edges(&mut self) -> Result<(), String> {
        let workspaces: Vec<(usize, &'a Workspace, &'a str)> = self.by_path.values().copied().collect();
        for (node, workspace, name) in workspaces {
            let folder = names_of(name).ok().and_then(|n| self.folders.find(&n)).unwrap_or(0);
            self.edges(node, folder, workspace.dependencies().map(|(name, _)| name))?;
        }
        Ok(())
    }

    /// Reads one entry of `packages`.
    fn entry(&mut self, key: &str, raw: &RawValue, node: usize, folder: usize) -> Result<(), String> {
        let Ok(row) = serde_json::from_str::<Row<'_>>(raw.get()) else {
            self.collector
                .problem(format!("{}: the entry is not an array; left out.", shown(key)));
            return Ok(());
        };
        let first = row.items.first().and_then(|f| string_of(f));
        let Some((name, resolution)) = first.as_deref().and_then(name_and_resolution) else {
            self.collector.problem(format!(
                "{}: the entry does not start with a \"name@resolution\" string; left out.",
                shown(key)
            ));
            return Ok(());
        };
        let kind = Resolution::of(resolution);
        let (min, max, shape) = kind.shape();
        if row.count < min || row.count > max {
            self.collector.problem(format!(
                "{}: {} entries are written {shape}, not with {} elements; left out.",
                shown(key),
                kind.label(),
                row.count
            ));
            return Ok(());
        }
        let element = |i: usize| row.items.get(i).copied();
        // Where the info is, for what it is: after the address for a
        // registry version, right after the resolution otherwise.
        let info_at = if matches!(kind, Resolution::Npm(_)) { 2 } else { 1 };
        let info = match (element(info_at), &kind) {
            (None, Resolution::Workspace(_) | Resolution::Root) => None,
            (Some(raw), _) => match info_of(raw) {
                Some(info) => Some(info),
                None if kind == Resolution::Root => None,
                None => {
                    self.collector.problem(format!(
                        "{}: the entry's info is not an object Bun writes; left out.",
                        shown(key)
                    ));
                    return Ok(());
                }
            },
            (None, _) => None,
        };
        // Every string Bun writes after the info (address, tag, integrity).
        let mut strings = Vec::new();
        for i in (1..row.count.min(MAX_ELEMENTS)).filter(|&i| i != info_at) {
            match element(i).and_then(string_of) {
                Some(s) => strings.push(s),
                None => {
                    self.collector.problem(format!(
                        "{}: element {} of the entry is not a string; left out.",
                        shown(key),
                        i + 1
                    ));
                    return Ok(());
                }
            }
        }
        // What this entry depends on is bound before what it is is judged:
        // a package left out still pulls in the rest.
        if let Some(info) = &info {
            self.edges(node, folder, info.names())?;
        }
        if info.as_ref().and_then(|i| i.bundled.0) == Some(true) {
            // Inside its dependent's tarball: fetched with it, not on its own.
            self.collector.not_from_registry(key, name, SourceKind::Other, key);
            return Ok(());
        }
        let kind = match kind {
            Resolution::Npm(version) => {
                let (address, integrity) = match strings.as_slice() {
                    [address, integrity] => (address.as_str(), integrity.as_str()),
                    _ => ("", ""),
                };
                if !address.is_empty() && !is_registry_tarball(address, name, version) {
                    // An address of another shape is a tarball, whatever the
                    // entry calls it (a poisoned lockfile's `ms@2.1.3` at evil's).
                    self.collector
                        .not_from_registry(key, name, SourceKind::Tarball, address);
                    return Ok(());
                }
                let address = (!address.is_empty()).then_some(address);
                return self
                    .collector
                    .registry(node, key, name, version, Some(integrity), address);
            }
            Resolution::Workspace(path) => match self.by_path.get(path) {
                Some(&(to, ..)) => {
                    self.collector.edge(node, to)?;
                    SourceKind::Workspace
                }
                None => {
                    self.collector.problem(format!(
                        "{}: names a workspace {} that \"workspaces\" does not list; left out.",
                        shown(key),
                        shown(path)
                    ));
                    return Ok(());
                }
            },
            // The project itself, without a name: nothing is fetched or linked.
            Resolution::Root if name.is_empty() => return Ok(()),
            Resolution::Root | Resolution::Link => SourceKind::Link,
            Resolution::Folder | Resolution::LocalTarball => SourceKind::File,
            Resolution::Git => SourceKind::Git,
            Resolution::Tarball => SourceKind::Tarball,
        };
        self.collector.not_from_registry(key, name, kind, resolution);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{LockedPackage, NotFromRegistry, parse_lockfile};
    use super::*;

    fn sha(letter: char) -> String {
        format!("sha512-{letter}{}==", "A".repeat(85))
    }

    fn read(text: &str) -> Lockfile {
        parse_lockfile(Some("bun.lock"), text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ids_of(lock: &Lockfile) -> Vec<String> {
        lock.packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    fn find<'a>(lock: &'a Lockfile, id: &str) -> &'a LockedPackage {
        lock.packages
            .iter()
            .find(|p| format!("{}@{}", p.name, p.version) == id)
            .unwrap_or_else(|| panic!("{id} missing from {:?}", lock.packages))
    }

    /// Every resolution Bun writes, as its `Stringifier` writes it (the git
    /// and github shapes by hand: no machine here reaches GitHub), with a
    /// comma after every last member as Bun puts it.
    #[test]
    fn every_shape_bun_writes_is_read() {
        let text = format!(
            r#"{{
  "lockfileVersion": 1,
  "workspaces": {{
    "": {{
      "name": "p",
      "dependencies": {{
        "@s/a": "^1.0.0",
        "alias": "npm:real@1",
        "g": "git+ssh://git@github.com/o/g.git",
        "gh": "github:o/gh",
        "l": "link:l",
        "lt": "./lt.tgz",
        "t": "https://x.example/t.tgz",
        "w": "workspace:*",
      }},
      "devDependencies": {{
        "d": "^1",
      }},
      "peerDependencies": {{
        "absent-peer": "^1",
      }},
    }},
    "packages/w": {{
      "name": "w",
      "version": "0.1.0",
      "dependencies": {{
        "@s/b": "^1",
        "x": "3",
      }},
    }},
  }},
  "patchedDependencies": {{
    "real@1.0.0": "patches/real@1.0.0.patch",
  }},
  "packages": {{
    "@s/a": ["@s/a@1.0.0", "", {{ "dependencies": {{ "@s/b": "^1.1", "bundled": "1" }} }}, "{a}"],

    "@s/b": ["@s/b@1.0.0", "https://r.example/npm/@s/b/-/b-1.0.0.tgz", {{}}, ""],

    "alias": ["real@1.0.0", "", {{}}, "{g}"],

    "d": ["d@1.0.0", "", {{ "dependencies": {{ "x": "1" }} }}, "{f}"],

    "g": ["g@git+ssh://git@github.com/o/g.git#0123abc", {{}}, "0123abc", "{h}"],

    "gh": ["gh@github:o/gh#abc1234", {{ "dependencies": {{ "x": "1" }} }}, "o-gh-abc1234"],

    "l": ["l@link:l", {{}}],

    "lt": ["lt@./lt.tgz", {{}}],

    "p": ["p@root:", {{}}],

    "unnamed-project": ["@root:", {{}}],

    "poisoned": ["ms@2.1.3", "https://evil.example/ms-2.1.3.tgz", {{}}, "{h}"],

    "t": ["t@https://x.example/t.tgz", {{}}, "{h}"],

    "w": ["w@workspace:packages/w"],

    "x": ["x@1.0.0", "", {{}}, "{d}"],

    "@s/a/@s/b": ["@s/b@1.1.0", "", {{ "dependencies": {{ "x": "2" }} }}, "{b}"],

    "@s/a/bundled": ["bundled@1.0.0", "", {{ "bundled": true }}, "{h}"],

    "@s/a/x": ["x@2.0.0", "", {{}}, "{c}"],

    "w/x": ["x@3.0.0", "", {{}}, "{e}"],
  }}
}}
"#,
            a = sha('A'),
            b = sha('B'),
            c = sha('C'),
            d = sha('D'),
            e = sha('E'),
            f = sha('F'),
            g = sha('G'),
            h = sha('H'),
        );
        let lock = read(&text);
        assert!(lock.problems.is_empty() && lock.notes.is_empty(), "{:?}", lock.problems);
        let got: Vec<(String, Vec<String>, bool, bool)> = lock
            .packages
            .iter()
            .map(|p| (format!("{}@{}", p.name, p.version), p.via.clone(), p.direct, p.dev))
            .collect();
        let row = |id: &str, via: &[&str], direct, dev| {
            (
                id.to_string(),
                via.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                direct,
                dev,
            )
        };
        assert_eq!(
            got,
            [
                row("@s/a@1.0.0", &["@s/a"], true, false),
                // The workspace's `@s/b`: no `w/@s/b`, so the hoisted one.
                row("@s/b@1.0.0", &["w"], false, false),
                // `@s/a`'s own: the nested copy before the hoisted one.
                row("@s/b@1.1.0", &["@s/a"], false, false),
                row("d@1.0.0", &["d"], true, true),
                // The alias is the package it names, pulled in by its alias.
                row("real@1.0.0", &["alias"], true, false),
                row("x@1.0.0", &["d", "gh"], false, false),
                // From `@s/a/@s/b`: no `@s/a/@s/b/x`, then `@s/a/x`.
                row("x@2.0.0", &["@s/a"], false, false),
                // From the workspace `w`: `w/x` before `x`.
                row("x@3.0.0", &["w"], false, false),
            ]
        );
        assert_eq!(find(&lock, "@s/a@1.0.0").integrities, [sha('A')]);
        // No integrity: the address Bun wrote binds it (the default
        // registry's is written empty, and then nothing does).
        let b = find(&lock, "@s/b@1.0.0");
        assert!(b.integrities.is_empty() && !b.unaddressed);
        assert_eq!(b.addresses, ["https://r.example/npm/@s/b/-/b-1.0.0.tgz"]);
        let nfr = |name: &str, kind, source: &str| NotFromRegistry {
            name: name.into(),
            kind,
            source: source.into(),
        };
        assert_eq!(
            lock.not_from_registry,
            [
                nfr("bundled", SourceKind::Other, "@s/a/bundled"),
                nfr("g", SourceKind::Git, "git+ssh://git@github.com/o/g.git#0123abc"),
                nfr("gh", SourceKind::Git, "github:o/gh#abc1234"),
                nfr("l", SourceKind::Link, "link:l"),
                nfr("lt", SourceKind::File, "./lt.tgz"),
                // Lockfile poisoning: the registry's name and version, another tarball.
                nfr("ms", SourceKind::Tarball, "https://evil.example/ms-2.1.3.tgz"),
                nfr("p", SourceKind::Link, "root:"),
                nfr("real", SourceKind::Other, "patches/real@1.0.0.patch"),
                nfr("t", SourceKind::Tarball, "https://x.example/t.tgz"),
                nfr("w", SourceKind::Workspace, "workspace:packages/w"),
            ]
        );
    }

    /// Version 0 kept a workspace's dependencies in its entry.
    #[test]
    fn version_0_workspace_entries_carry_their_dependencies() {
        let text = r#"{"lockfileVersion": 0, "workspaces": {"": {"dependencies": {"w": "workspace:*",},},
            "packages/w": {"name": "w",},},
          "packages": {"w": ["w@workspace:packages/w", {"dependencies": {"x": "1"}}],
            "x": ["x@1.0.0", "", {}, "sha512-x"],},}"#;
        let lock = read(text);
        assert_eq!(lock.kind, LockfileKind::Bun { lockfile_version: 0 });
        assert_eq!(find(&lock, "x@1.0.0").via, ["w"]);
        assert!(lock.problems.is_empty(), "{:?}", lock.problems);
        // Patches Bun would not write: left out, counted, the rest read.
        let text = text.replacen('{', r#"{"patchedDependencies": ["x@1.0.0"],"#, 1);
        let lock = read(&text);
        assert_eq!(
            lock.problems,
            ["\"patchedDependencies\" is not an object Bun writes; left out."]
        );
        assert_eq!(ids_of(&lock), ["x@1.0.0"]);
    }

    #[test]
    fn what_is_not_a_bun_lockfile_is_said() {
        let ws = r#""workspaces": {"": {}}"#;
        for (text, says) in [
            (format!(r#"{{{ws}, "packages": {{}}}}"#), "has no lockfileVersion"),
            (
                format!(r#"{{"lockfileVersion": "1", {ws}, "packages": {{}}}}"#),
                "has no lockfileVersion",
            ),
            (
                format!(r#"{{"lockfileVersion": 4, {ws}, "packages": {{}}}}"#),
                "lockfileVersion 4; Bun writes 0 to 3",
            ),
            (r#"{"lockfileVersion": 1, "packages": {}}"#.into(), "no \"workspaces\""),
            (
                r#"{"lockfileVersion": 1, "workspaces": {"packages/a": {"name": "a"}}}"#.into(),
                "has no root workspace",
            ),
            (
                r#"{"lockfileVersion": 1, "workspaces": {"": {}, "": {}}}"#.into(),
                "lists the workspace \"\" twice",
            ),
            (
                r#"{"lockfileVersion": 1, "workspaces": {"": {}, "a": {"name": "x"}, "b": {"name": "x"}}}"#.into(),
                "two workspaces named \"x\"",
            ),
            (
                format!(
                    r#"{{"lockfileVersion": 1, {ws}, "packages": {{"a": ["a@1.0.0", "", {{}}, ""], "a": ["a@2.0.0", "", {{}}, ""]}}}}"#
                ),
                "lists \"a\" twice; Bun refuses",
            ),
            (
                format!(r#"{{"lockfileVersion": 1, {ws}, "packages": []}}"#),
                "is not a bun lockfile",
            ),
            (
                format!("{{\"lockfileVersion\": 1,\n// edited\n{ws}}}"),
                "has a comment at line 2",
            ),
            (
                format!(r#"{{"lockfileVersion": 1, "lockfileVersion": 1, {ws}}}"#),
                "duplicate field",
            ),
            ("{".into(), "is not a bun lockfile"),
            (
                r#"[1, {"": {}}, {}]"#.into(),
                "is not a bun lockfile: it is not a JSON object",
            ),
        ] {
            let e = parse_lockfile(Some("bun.lock"), &text).unwrap_err();
            assert!(e.starts_with("bun.lock ") && e.contains(says), "{text}: {e}");
        }
    }

    /// Bun refuses a file with any entry it cannot read; here each is left
    /// out with why, counted (which fails the audit), and the rest is read.
    #[test]
    fn entries_bun_would_not_write_are_left_out_and_counted() {
        let ok = r#"["ok@1.0.0", "", {}, "sha512-ok"]"#;
        let bad = [
            (r#""e1": {"a": 1}"#, "the entry is not an array"),
            (r#""e2": []"#, "does not start with a \"name@resolution\" string"),
            (
                r#""e3": [1, "", {}, ""]"#,
                "does not start with a \"name@resolution\" string",
            ),
            (
                r#""e4": ["e4", "", {}, ""]"#,
                "does not start with a \"name@resolution\" string",
            ),
            (r#""e5": ["e5@1.0.0", {}, ""]"#, "registry entries are written"),
            (r#""e6": ["e6@1.0.0", "", {}, "", ""]"#, "not with 5 elements"),
            (r#""e7": ["e7@1.0.0", "", [], ""]"#, "the entry's info is not an object"),
            (
                r#""e8": ["e8@1.0.0", "", {}, 5]"#,
                "element 4 of the entry is not a string",
            ),
            (
                r#""e9": ["e9@1.0.0", null, {}, ""]"#,
                "element 2 of the entry is not a string",
            ),
            (
                r#""e10": ["e10@git+https://h.example/r.git#1", {}]"#,
                "git entries are written",
            ),
            (r#""e11": ["e11@link:x"]"#, "link entries are written"),
            (
                r#""e12": ["e12@latest", "", {}, ""]"#,
                "the version \"latest\" of e12 is not semver",
            ),
            (
                r#""e13": ["../e13@1.0.0", "", {}, ""]"#,
                "is not a valid npm package name",
            ),
            (r#""e14": ["e14@workspace:nowhere"]"#, "names a workspace \"nowhere\""),
            (
                r#""a//b": ["b@1.0.0", "", {}, ""]"#,
                "the key is not a path of package names",
            ),
            (
                r#""@s": ["@s/x@1.0.0", "", {}, ""]"#,
                "the key is not a path of package names",
            ),
            (
                r#""a/": ["a@1.0.0", "", {}, ""]"#,
                "the key is not a path of package names",
            ),
            (
                r#""../x": ["x@1.0.0", "", {}, ""]"#,
                "the key is not a path of package names",
            ),
            (
                r#""e15": ["e15@1.0.0", "", {"dependencies": 5, "dependencies": 6}, ""]"#,
                "the entry's info is not an object",
            ),
        ];
        let entries: Vec<&str> = bad.iter().map(|(entry, _)| *entry).collect();
        let text = format!(
            r#"{{"lockfileVersion": 1, "workspaces": {{"": {{"dependencies": {{"ok": "1"}}}}, "packages/w": ["w"], "packages/v": {{}}}},
              "patchedDependencies": {{"nameless": "x.patch", "ok@1.0.0": 5}},
              "packages": {{"ok": {ok}, {}}}}}"#,
            entries.join(", ")
        );
        let lock = read(&text);
        // And a workspace given as an array (which serde would read as a
        // struct), one without a name, and patches Bun would not write.
        assert_eq!(lock.left_out, bad.len() + 4, "{:#?}", lock.problems);
        for problem in [
            "\"packages/w\": the workspace is not an object Bun writes; left out.",
            "\"packages/v\": the workspace has no name; left out.",
            "\"nameless\": a patched dependency Bun would not write; left out.",
            "\"ok@1.0.0\": a patched dependency Bun would not write; left out.",
        ] {
            assert!(
                lock.problems.contains(&problem.into()),
                "{problem}: {:#?}",
                lock.problems
            );
        }
        for (entry, says) in bad {
            assert!(
                lock.problems
                    .iter()
                    .any(|p| p.contains(says) && p.ends_with("left out.")),
                "{entry}: {says}: {:#?}",
                lock.problems
            );
        }
        assert_eq!(lock.packages.len(), 1);
        assert!(lock.packages[0].direct);
    }
}
