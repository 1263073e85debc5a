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
//! `lockfileVersion`, no `workspaces` or root workspace, a key given twice
//! (which Bun refuses too, where JSON.parse would keep the last).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::json::{Entries, Loose, Names, TrailingCommaError, blank_trailing_commas};
use super::{Collector, Lockfile, LockfileKind, SourceKind, is_registry_tarball, shown, source_kind, split_name};
use crate::package::{truncate, validate_name};

/// The versions Bun writes: 0 (Bun 1.2.0), 1 (workspace entries lose their
/// dependencies), 2 (Bun refuses an npm entry at an off-registry address
/// without integrity, and an unsafe git tag), 3 (`overrides` values may be
/// objects). None of the changes is to what is read here.
const MAX_VERSION: u32 = 3;
/// A key is a path in `node_modules`: as long and as deep as a file
/// system's path at most (resolving a name walks it up, one look-up per name).
const MAX_KEY_LEN: usize = 4096;
const MAX_KEY_NAMES: usize = 64;
/// Bun writes at most four elements in an entry (registry and git ones).
const MAX_ELEMENTS: usize = 4;

#[derive(Deserialize)]
struct BunLock<'a> {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: Loose<u32>,
    #[serde(borrow, default)]
    workspaces: Option<&'a RawValue>,
    #[serde(borrow, default)]
    packages: Option<&'a RawValue>,
    #[serde(rename = "patchedDependencies", default)]
    patched_dependencies: Loose<Entries<Loose<String>>>,
}

/// A package.json of the project, as `workspaces` records it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Workspace {
    name: Loose<String>,
    dependencies: Names,
    #[serde(rename = "devDependencies")]
    dev_dependencies: Names,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Names,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: Names,
}

impl Workspace {
    /// Every dependency it declares, and whether it is a development one
    /// (Bun installs a workspace's development dependencies too).
    fn dependencies(&self) -> impl Iterator<Item = (&str, bool)> {
        [
            (&self.dependencies, false),
            (&self.optional_dependencies, false),
            (&self.peer_dependencies, false),
            (&self.dev_dependencies, true),
        ]
        .into_iter()
        .flat_map(|(list, dev)| list.0.iter().flat_map(Entries::keys).map(move |name| (name, dev)))
    }
}

/// An entry's info object. A package's `devDependencies` are not installed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Info {
    dependencies: Names,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Names,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: Names,
    bundled: Loose<bool>,
}

impl Info {
    fn names(&self) -> impl Iterator<Item = &str> {
        [&self.dependencies, &self.optional_dependencies, &self.peer_dependencies]
            .into_iter()
            .flat_map(|list| list.0.iter().flat_map(Entries::keys))
    }
}

/// A key as written: borrowed from the text unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// `packages`: each key with its entry as text. Past [`super::MAX_ENTRIES`]
/// the rest is read past, not kept (the collector then refuses the file
/// with the count): memory stays bounded by the limit, not by the file.
#[derive(Default)]
struct Rows<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Rows<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowsVisitor;
        impl<'de> Visitor<'de> for RowsVisitor {
            type Value = Rows<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rows<'de>, A::Error> {
                let mut rows = Vec::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    if rows.len() > super::MAX_ENTRIES {
                        map.next_value::<IgnoredAny>()?;
                    } else {
                        rows.push((key, map.next_value()?));
                    }
                }
                Ok(Rows(rows))
            }
        }
        deserializer.deserialize_map(RowsVisitor)
    }
}

/// An entry's elements (the first [`MAX_ELEMENTS`]), and how many it has.
struct Row<'a> {
    items: Vec<&'a RawValue>,
    count: usize,
}

impl<'de> Deserialize<'de> for Row<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowVisitor;
        impl<'de> Visitor<'de> for RowVisitor {
            type Value = Row<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Row<'de>, A::Error> {
                let mut row = Row {
                    items: Vec::new(),
                    count: 0,
                };
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    if row.items.len() < MAX_ELEMENTS {
                        row.items.push(item);
                    }
                    row.count += 1;
                }
                Ok(row)
            }
        }
        deserializer.deserialize_seq(RowVisitor)
    }
}

/// What an entry's `name@resolution` says it is.
#[derive(Debug, PartialEq, Eq)]
enum Resolution<'r> {
    /// A registry version.
    Npm(&'r str),
    Folder,
    Link,
    /// The workspace at this folder.
    Workspace(&'r str),
    Git,
    /// A tarball at a URL.
    Tarball,
    /// A tarball on disk (`./x.tgz`: Bun writes no `file:` before it).
    LocalTarball,
    Root,
}

impl<'r> Resolution<'r> {
    /// As Bun's `Resolution.fromTextLockfile` reads it: its prefixes first,
    /// then a git URL, a tarball, and anything else a version.
    fn of(text: &'r str) -> Self {
        if text.starts_with("root:") {
            Resolution::Root
        } else if text.starts_with("link:") {
            Resolution::Link
        } else if let Some(path) = text.strip_prefix("workspace:") {
            Resolution::Workspace(path)
        } else if text.starts_with("file:") {
            Resolution::Folder
        } else if source_kind(text) == Some(SourceKind::Git) {
            Resolution::Git
        } else if text.starts_with("https://") || text.starts_with("http://") {
            Resolution::Tarball
        } else if text.ends_with(".tgz") || text.ends_with(".tar.gz") {
            Resolution::LocalTarball
        } else {
            Resolution::Npm(text)
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Resolution::Npm(_) => "registry",
            Resolution::Folder => "folder",
            Resolution::Link => "link",
            Resolution::Workspace(_) => "workspace",
            Resolution::Git => "git",
            Resolution::Tarball | Resolution::LocalTarball => "tarball",
            Resolution::Root => "project",
        }
    }

    /// The shape Bun writes: how many elements (at least, at most), said
    /// in a problem when an entry has another.
    fn shape(&self) -> (usize, usize, &'static str) {
        match self {
            Resolution::Npm(_) => (4, 4, "[\"name@version\", \"<tarball URL>\", {info}, \"<integrity>\"]"),
            Resolution::Folder | Resolution::Link => (2, 2, "[\"name@<path>\", {info}]"),
            Resolution::Tarball | Resolution::LocalTarball => (2, 3, "[\"name@<tarball>\", {info}, \"<integrity>\"?]"),
            Resolution::Git => (3, 4, "[\"name@<repository>\", {info}, \"<tag>\", \"<integrity>\"?]"),
            Resolution::Workspace(_) => (1, 2, "[\"name@workspace:<path>\"]"),
            Resolution::Root => (1, 2, "[\"name@root:\", {bin}]"),
        }
    }
}

/// Folders of the install tree as keys name them, interned: a key's
/// folder is its parent's and its last name, so resolving a dependency
/// walks up ids instead of building keys.
#[derive(Default)]
struct Folders<'a> {
    ids: HashMap<(usize, &'a str), usize>,
    /// Each folder's parent (0 is the project's, its own parent).
    parent: Vec<usize>,
    /// `(folder, name)` → the node of the key `<folder>/<name>`.
    installed: HashMap<(usize, &'a str), usize>,
}

impl<'a> Folders<'a> {
    fn new() -> Self {
        Folders {
            parent: vec![0],
            ..Folders::default()
        }
    }

    fn folder(&mut self, names: &[&'a str]) -> usize {
        let mut id = 0;
        for &name in names {
            id = match self.ids.get(&(id, name)) {
                Some(&known) => known,
                None => {
                    self.parent.push(id);
                    let new = self.parent.len() - 1;
                    self.ids.insert((id, name), new);
                    new
                }
            };
        }
        id
    }

    /// The folder of these names, if any key has it.
    fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().try_fold(0, |id, &name| self.ids.get(&(id, name)).copied())
    }

    /// Where Bun finds `name` from the key of `folder`: `<key>/name`, then
    /// from each shorter key, and last `name`.
    fn resolve(&self, mut folder: usize, name: &str) -> Option<usize> {
        loop {
            if let Some(&node) = self.installed.get(&(folder, name)) {
                return Some(node);
            }
            if folder == 0 {
                return None;
            }
            folder = *self.parent.get(folder)?;
        }
    }
}

/// `a/b` → `[a, b]`, `@s/a/@s/b` → `[@s/a, @s/b]`; `None` unless every
/// name is a valid package name (a key is a path Bun creates folders at).
fn names_of(key: &str) -> Option<Vec<&str>> {
    if key.len() > MAX_KEY_LEN {
        return None;
    }
    let mut names = Vec::new();
    let mut rest = key;
    loop {
        let first_slash = rest.find('/');
        let end = match (rest.starts_with('@'), first_slash) {
            (true, Some(slash)) => rest
                .get(slash + 1..)
                .and_then(|after| after.find('/'))
                .map_or(rest.len(), |more| slash + 1 + more),
            (_, slash) => slash.unwrap_or(rest.len()),
        };
        let name = rest.get(..end)?;
        validate_name(name).ok()?;
        names.push(name);
        if names.len() > MAX_KEY_NAMES {
            return None;
        }
        match rest.get(end..) {
            Some("") => return Some(names),
            // After a slash, another name (not an empty one: `a/`).
            Some(after) => rest = after.strip_prefix('/').filter(|r| !r.is_empty())?,
            None => return None,
        }
    }
}

/// Whether a JSON lockfile is Bun's (`Some(true)`) or npm's (`Some(false)`)
/// by its shape: the first entry of the top-level `packages` is an array
/// in Bun's and an object in npm's; without one, only Bun writes a
/// top-level `workspaces` object. One pass over the text, keeping nothing
/// (the file is read for real only once its format is known); `None` when
/// the shape says neither (`{}`, an empty `packages`, text that is not JSON).
pub(super) fn written_by_bun(text: &str) -> Option<bool> {
    let bytes = text.as_bytes();
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let (mut depth, mut i) = (0usize, 0usize);
    let mut workspaces_object = false;
    // Where the value of the top-level `packages` starts, and whether the
    // object at depth 2 is that one.
    let (mut packages_at, mut in_packages) = (None, false);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let start = i + 1;
                let mut end = start;
                loop {
                    match bytes.get(end)? {
                        b'\\' => end += 2,
                        b'"' => break,
                        _ => end += 1,
                    }
                }
                i = skip_space(end + 1);
                if bytes.get(i) != Some(&b':') {
                    continue; // a value, not a key
                }
                let value = skip_space(i + 1);
                let first = bytes.get(value).copied();
                match (depth, bytes.get(start..end)) {
                    (1, Some(b"workspaces")) => workspaces_object |= first == Some(b'{'),
                    (1, Some(b"packages")) => packages_at = Some(value),
                    (2, _) if in_packages => match first {
                        Some(b'[') => return Some(true),
                        Some(b'{') => return Some(false),
                        _ => {}
                    },
                    _ => {}
                }
                i = value;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 {
                    in_packages = packages_at == Some(i) && b == b'{';
                }
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                in_packages &= depth >= 2;
                i += 1;
            }
            _ => i += 1,
        }
    }
    workspaces_object.then_some(true)
}

/// `name@resolution` split as Bun splits it; `@root:` is the project
/// without a name.
fn name_and_resolution(text: &str) -> Option<(&str, &str)> {
    match text.strip_prefix('@') {
        Some(rest) if rest.starts_with("root:") => Some(("", rest)),
        _ => split_name(text),
    }
}

fn string_of(raw: &RawValue) -> Option<String> {
    serde_json::from_str(raw.get()).ok()
}

/// An info object; not one if it is not an object (serde would take an
/// array for a struct).
fn info_of(raw: &RawValue) -> Option<Info> {
    raw.get()
        .starts_with('{')
        .then(|| serde_json::from_str(raw.get()).ok())
        .flatten()
}

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
    let workspaces: Entries<Loose<Workspace>> = match lock.workspaces {
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
    for (key, path) in lock.patched_dependencies.0.iter().flat_map(|p| &p.0) {
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
    fn workspaces(&mut self, workspaces: &'a Entries<Loose<Workspace>>) -> Result<&'a Workspace, String> {
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
            let Some(names) = names_of(key) else {
                self.collector.problem(format!(
                    "{}: the key is not a path of package names Bun writes; left out.",
                    shown(key)
                ));
                placed.push(None);
                continue;
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
            let folder = names_of(name).and_then(|n| self.folders.find(&n)).unwrap_or(0);
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
