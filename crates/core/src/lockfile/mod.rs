//! Lockfiles: the package versions a project installs, as npm, pnpm, yarn
//! and Bun record them, for an audit to verify one by one.
//!
//! [`parse_lockfile`] reads `package-lock.json` / `npm-shrinkwrap.json`
//! (lockfile versions 1 to 3, module `npm`), `pnpm-lock.yaml` (5.x, 6.x and
//! 9.0, `pnpm`), `yarn.lock` (classic and berry, `yarn`) and `bun.lock`
//! (versions 0 to 3, `bun`), telling them apart by their content. Each reader hands its entries to a collector
//! as a graph: one node per entry, edges where the tool would resolve a
//! dependency, the project's own dependencies as roots. The collector keeps
//! registry package versions (name valid, version semver), sets aside what
//! comes from elsewhere (git, a folder, a link, a workspace, a tarball URL),
//! and says why anything else was left out.
//!
//! Lockfiles are untrusted input (a pull request can change one): every
//! size is bounded, nothing here recurses on the input's nesting, and a
//! file no tool would write gives a sentence, not a panic or a hang.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::package::{MAX_INTEGRITY_LEN, MAX_VERSION_LEN, truncate, validate_name};
use crate::registry_documents::compare_versions;

pub use lines::LineIndex;

mod bun;
mod json;
mod lines;
mod npm;
mod pnpm;
mod yaml;
mod yarn;

/// Lockfiles of large monorepos reach tens of megabytes; the size is refused
/// before parsing, since parsed trees take several times the text.
pub const MAX_LOCKFILE_BYTES: usize = 64 << 20;
/// The largest real projects install a few thousand package versions, and
/// each is one verification in an audit.
pub const MAX_LOCKED_PACKAGES: usize = 50_000;
/// Names kept in [`LockedPackage::via`]: enough to say where a package comes
/// from, and it bounds the work of finding them (each node of the graph is
/// visited at most MAX_VIA + 1 times).
pub const MAX_VIA: usize = 16;
/// Problems listed: enough to see what is wrong with a file; the rest are
/// counted in the last one.
pub const MAX_PROBLEMS: usize = 200;
/// Entries read, copies included: npm nests copies of a version where
/// dependents disagree, a few per package version in real trees.
const MAX_ENTRIES: usize = 4 * MAX_LOCKED_PACKAGES;
/// Dependency edges followed: 50,000 packages with twenty dependencies each;
/// finding who pulls in what costs [`MAX_VIA`] times this at most.
const MAX_EDGES: usize = 1_000_000;
/// A source (URL, path, spec) longer than this is cut in what is returned.
const MAX_SOURCE_CHARS: usize = 500;
/// Distinct integrities (or addresses) kept per package version: npm nests
/// a few copies where dependents disagree; past this, a lockfile is
/// refused rather than read in part.
const MAX_COPIES: usize = 64;

/// Which tool wrote the lockfile, and which version of its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockfileKind {
    /// `package-lock.json` or `npm-shrinkwrap.json`.
    Npm { lockfile_version: u32 },
    /// `pnpm-lock.yaml`, its `lockfileVersion` as written (`"9.0"`, `"6.0"`, `"5.4"`).
    Pnpm { lockfile_version: String },
    /// yarn 1's `yarn.lock` (`# yarn lockfile v1`).
    YarnClassic,
    /// yarn 2 and later: `__metadata.version` of `yarn.lock`.
    YarnBerry { version: String },
    /// Bun's text lockfile, `bun.lock`.
    Bun { lockfile_version: u32 },
}

impl LockfileKind {
    /// How the report names it: "npm lockfile v3", "pnpm lockfile 9.0", ...
    pub fn label(&self) -> String {
        match self {
            LockfileKind::Npm { lockfile_version } => format!("npm lockfile v{lockfile_version}"),
            LockfileKind::Pnpm { lockfile_version } => format!("pnpm lockfile {lockfile_version}"),
            LockfileKind::YarnClassic => "yarn classic lockfile (v1)".into(),
            LockfileKind::YarnBerry { version } => format!("yarn berry lockfile (format {version})"),
            LockfileKind::Bun { lockfile_version } => format!("bun lockfile v{lockfile_version}"),
        }
    }
}

/// A registry package version the lockfile installs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedPackage {
    pub name: String,
    pub version: String,
    /// Every integrity the lockfile records for this version (SRI, e.g.
    /// `sha512-...`), one per copy that records one, each once: npm installs
    /// each copy by its own, so each must be the registry's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub integrities: Vec<String>,
    /// The tarball addresses of copies that record no integrity (nothing but
    /// the address binds what they install): `resolved`, yarn's
    /// `resolved ...#sha1`, berry's `__archiveUrl`, pnpm's `tarball`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// A copy records neither an integrity nor an address: the package
    /// manager takes it from the registry it is configured with.
    #[serde(default)]
    pub unaddressed: bool,
    /// Whether the project itself depends on it (a direct dependency); false
    /// where the format does not record the project's own dependencies (yarn
    /// classic, npm lockfile v1: see [`Lockfile::records_direct_dependencies`]).
    pub direct: bool,
    /// The project's direct dependencies that pull it in (sorted, at most
    /// MAX_VIA names); empty when the format does not record the project's
    /// own dependencies (yarn classic, npm lockfile v1). Names are as the
    /// project's package.json writes them (an alias by its alias), and a
    /// direct dependency lists itself. Past MAX_VIA names some are left out;
    /// the search is breadth-first, so the nearest are found first.
    pub via: Vec<String>,
    /// Only development dependencies pull it in (where the format records it).
    pub dev: bool,
}

/// Where a dependency that is not a registry package version comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SourceKind {
    Git,
    /// A folder or tarball on disk (`file:`); npm links `file:` folders.
    File,
    /// A symlink to a folder (`link:`, yarn's `portal:`).
    Link,
    /// A package of the same workspace (monorepo).
    Workspace,
    /// A tarball at a URL that is not a registry's.
    Tarball,
    /// Anything else: a package bundled in another's tarball (npm's
    /// `inBundle`; the source is its place in the lockfile), a registry
    /// package patched by yarn (`patch:`), yarn's `exec:`.
    Other,
}

impl SourceKind {
    /// Whether it is fetched from elsewhere (a repository, a tarball
    /// address), rather than being the project's own code (a folder, a
    /// link, a workspace) or part of another package's tarball: what
    /// `--require-provenance` cannot accept unverified.
    pub fn is_fetched(&self) -> bool {
        matches!(self, SourceKind::Git | SourceKind::Tarball)
    }
}

/// A dependency that does not come from the registry, so that no registry
/// verification covers it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotFromRegistry {
    pub name: String,
    pub kind: SourceKind,
    /// what the lockfile says it resolves to (URL, path, spec), as written
    pub source: String,
}

/// What a lockfile installs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    pub kind: LockfileKind,
    /// Registry package versions, one per (name, version), sorted by name then version.
    pub packages: Vec<LockedPackage>,
    pub not_from_registry: Vec<NotFromRegistry>,
    /// Entries left out, each with why (an invalid name, a version that is
    /// not semver, ...), at most MAX_PROBLEMS listed.
    pub problems: Vec<String>,
    /// How many entries were left out, listed or not: each is a package the
    /// audit could not check, and counts against it.
    #[serde(default)]
    pub left_out: usize,
    /// What was read as the package manager reads it, said so (a key given
    /// twice, of which the last is read), at most MAX_PROBLEMS.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Lockfile {
    /// Whether `direct` and `via` mean anything: yarn classic and npm's
    /// lockfile v1 do not record the project's own dependencies (they are in
    /// package.json only), so there every package says `direct: false`.
    pub fn records_direct_dependencies(&self) -> bool {
        !matches!(
            self.kind,
            LockfileKind::YarnClassic | LockfileKind::Npm { lockfile_version: 1 }
        )
    }
}

/// Reads a lockfile, its format detected from the content (the file name, when given, only breaks ties and names the file in messages).
pub fn parse_lockfile(file_name: Option<&str>, text: &str) -> Result<Lockfile, String> {
    let base_name = file_name.map(|name| name.rsplit(['/', '\\']).next().unwrap_or(name));
    let what = match base_name {
        Some(name) if !name.is_empty() => crate::text::visible(&truncate(name, 80)),
        _ => "The lockfile".to_string(),
    };
    if text.len() > MAX_LOCKFILE_BYTES {
        return Err(format!(
            "{what} is {} bytes; more than {MAX_LOCKFILE_BYTES} is refused.",
            text.len()
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match detect(base_name, text) {
        Some(Format::Npm) => npm::read(text, &what),
        Some(Format::Pnpm) => pnpm::read(text, &what),
        Some(Format::YarnClassic) => yarn::read_classic(text, &what),
        Some(Format::YarnBerry) => yarn::read_berry(text, &what),
        Some(Format::Bun) => bun::read(text, &what),
        None if base_name == Some("bun.lockb") => Err(format!(
            "{what} is Bun's binary lockfile, which is not read: `bun install --save-text-lockfile` writes \
             bun.lock beside it, which is."
        )),
        None => Err(format!(
            "{what} is in no format this reads: package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, \
             yarn.lock (classic or berry) or bun.lock."
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Npm,
    Pnpm,
    YarnClassic,
    YarnBerry,
    Bun,
}

/// JSON is npm's or Bun's, told apart by its shape (Bun's `packages` hold
/// arrays, npm's objects; only Bun writes a top-level `workspaces` object),
/// and by the file name when the shape says neither; each other format has a line no other writes at the start
/// of a line: `# yarn lockfile v1`, `__metadata:` (berry), `lockfileVersion:`
/// (pnpm). Without one, the file name decides.
fn detect(file_name: Option<&str>, text: &str) -> Option<Format> {
    if text.trim_start().starts_with('{') {
        return Some(match bun::written_by_bun(text) {
            Some(true) => Format::Bun,
            Some(false) => Format::Npm,
            None if file_name == Some("bun.lock") => Format::Bun,
            None => Format::Npm,
        });
    }
    for line in text.lines() {
        if line.starts_with("# yarn lockfile v1") {
            return Some(Format::YarnClassic);
        }
        if line.starts_with("__metadata:") {
            return Some(Format::YarnBerry);
        }
        if line.starts_with("lockfileVersion:") {
            return Some(Format::Pnpm);
        }
    }
    match file_name? {
        "package-lock.json" | "npm-shrinkwrap.json" => Some(Format::Npm),
        "pnpm-lock.yaml" => Some(Format::Pnpm),
        "yarn.lock" => Some(Format::YarnClassic),
        "bun.lock" => Some(Format::Bun),
        _ => None,
    }
}

/// Text from the file, quoted and cut for a message.
fn shown(text: &str) -> String {
    format!("{:?}", truncate(text, 100))
}

/// Splits `name@rest` at the `@` after the name (`@scope/name@1.0.0` →
/// `@scope/name`, `1.0.0`; `alias@npm:real@1` → `alias`, `npm:real@1`).
fn split_name(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((spec.get(..at)?, spec.get(at + 1..)?))
}

/// The kind of a spec or resolved address that is not a registry version,
/// from its protocol as npm, pnpm and yarn write it; `None` for anything
/// else (a version, a range, a registry tarball is checked separately).
fn source_kind(spec: &str) -> Option<SourceKind> {
    const GIT: [&str; 9] = [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "ssh://",
        "github.com/",
    ];
    if GIT.iter().any(|p| spec.starts_with(p)) || spec.contains("#commit=") {
        Some(SourceKind::Git)
    } else if spec.starts_with("file:") {
        Some(SourceKind::File)
    } else if spec.starts_with("link:") || spec.starts_with("portal:") {
        Some(SourceKind::Link)
    } else if spec.starts_with("workspace:") {
        Some(SourceKind::Workspace)
    } else if spec.starts_with("http://") || spec.starts_with("https://") {
        Some(SourceKind::Tarball)
    } else if spec.starts_with("patch:") || spec.starts_with("exec:") {
        Some(SourceKind::Other)
    } else {
        None
    }
}

/// Whether a resolved URL is a registry's tarball of that version: npm
/// registries (and mirrors of them) serve `<base>/<name>/-/<name>-<version>.tgz`,
/// the scope left out of the file name. A URL of another shape is a tarball
/// dependency, even with a version: so is a "poisoned" lockfile's entry that
/// keeps a package's name and version but fetches another tarball (and
/// GitHub Packages' `download/` addresses, which serve no provenance). The
/// host is not checked, since mirrors and private registries are common; a
/// tarball swapped there cannot match the integrity the registry states.
fn is_registry_tarball(url: &str, name: &str, version: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or_default();
    let base = name.rsplit('/').next().unwrap_or(name);
    let Some(folder) = path.strip_suffix(&format!("/-/{base}-{version}.tgz")) else {
        return false;
    };
    (url.starts_with("https://") || url.starts_with("http://"))
        && [
            name.to_string(),
            name.replacen('/', "%2f", 1),
            name.replacen('/', "%2F", 1),
        ]
        .iter()
        .any(|written| folder.ends_with(&format!("/{written}")))
}

/// One entry of the lockfile as a graph node.
#[derive(Default)]
struct Node {
    /// Index into `Collector::packages` when it is a registry package version.
    package: Option<usize>,
    edges: Vec<usize>,
    /// Whether the lockfile marks it a development dependency (npm, pnpm 6).
    dev: Option<bool>,
}

struct Collected {
    name: String,
    version: String,
    integrities: Vec<String>,
    addresses: Vec<String>,
    unaddressed: bool,
}

/// What the readers fill in, and what turns it into a [`Lockfile`].
#[derive(Default)]
struct Collector {
    /// The file, as messages name it.
    what: String,
    nodes: Vec<Node>,
    packages: Vec<Collected>,
    index: HashMap<(String, String), usize>,
    not_from_registry: BTreeSet<NotFromRegistry>,
    /// The project's own dependencies: the name it gives, the node, whether dev.
    roots: Vec<(String, usize, bool)>,
    edges: usize,
    problems: Vec<String>,
    left_out: usize,
    notes: Vec<String>,
}

impl Collector {
    fn new(what: &str) -> Self {
        Collector {
            what: what.to_string(),
            ..Collector::default()
        }
    }

    /// A new node, refused past [`MAX_ENTRIES`].
    fn node(&mut self) -> Result<usize, String> {
        if self.nodes.len() >= MAX_ENTRIES {
            return Err(format!(
                "{} has more than {MAX_ENTRIES} entries; at most {MAX_LOCKED_PACKAGES} package versions are read.",
                self.what
            ));
        }
        self.nodes.push(Node::default());
        Ok(self.nodes.len() - 1)
    }

    /// An entry left out, and why: counted, and listed up to MAX_PROBLEMS.
    fn problem(&mut self, text: String) {
        self.left_out += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(text);
        }
    }

    /// Something read as the package manager reads it, said so.
    fn note(&mut self, text: String) {
        if self.notes.len() < MAX_PROBLEMS {
            self.notes.push(text);
        }
    }

    /// Records that `node` is `name@version` from the registry, after
    /// checking both, with the integrity or the tarball address of this copy
    /// (`at` says where in the file, for problems). Every copy's integrity
    /// is kept: none is ignored, none replaces another.
    fn registry(
        &mut self,
        node: usize,
        at: &str,
        name: &str,
        version: &str,
        integrity: Option<&str>,
        address: Option<&str>,
    ) -> Result<(), String> {
        if let Err(e) = validate_name(name) {
            self.problem(format!("{}: {e}; left out.", shown(at)));
            return Ok(());
        }
        if version.len() > MAX_VERSION_LEN || semver::Version::parse(version).is_err() {
            self.problem(format!(
                "{}: the version {} of {name} is not semver; left out.",
                shown(at),
                shown(version)
            ));
            return Ok(());
        }
        // An over-long "integrity" is kept over-long (cut one character past
        // the limit), so that its check fails saying so: never dropped.
        let integrity = integrity
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(|i| i.chars().take(MAX_INTEGRITY_LEN + 1).collect::<String>());
        let address = address
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| truncate(a, MAX_SOURCE_CHARS));
        let key = (name.to_string(), version.to_string());
        let id = match self.index.get(&key) {
            Some(&id) => id,
            None => {
                if self.packages.len() >= MAX_LOCKED_PACKAGES {
                    return Err(format!(
                        "{} lists more than {MAX_LOCKED_PACKAGES} package versions; more are refused.",
                        self.what
                    ));
                }
                self.packages.push(Collected {
                    name: key.0.clone(),
                    version: key.1.clone(),
                    integrities: Vec::new(),
                    addresses: Vec::new(),
                    unaddressed: false,
                });
                self.index.insert(key, self.packages.len() - 1);
                self.packages.len() - 1
            }
        };
        if let Some(package) = self.packages.get_mut(id) {
            let kept = match (integrity, address) {
                (Some(i), _) => Some((&mut package.integrities, i)),
                (None, Some(a)) => Some((&mut package.addresses, a)),
                (None, None) => {
                    package.unaddressed = true;
                    None
                }
            };
            if let Some((kept, new)) = kept
                && !kept.contains(&new)
            {
                if kept.len() >= MAX_COPIES {
                    return Err(format!(
                        "{} records more than {MAX_COPIES} different integrities or addresses for {name}@{version}; \
                         such a file is refused rather than read in part.",
                        self.what
                    ));
                }
                kept.push(new);
            }
        }
        self.placed(node, id)
    }

    /// `node` is the package version `id`.
    fn placed(&mut self, node: usize, id: usize) -> Result<(), String> {
        if let Some(n) = self.nodes.get_mut(node) {
            n.package = Some(id);
        }
        Ok(())
    }

    /// Records a dependency that does not come from the registry.
    fn not_from_registry(&mut self, at: &str, name: &str, kind: SourceKind, source: &str) {
        if let Err(e) = validate_name(name) {
            self.problem(format!("{}: {e}; left out.", shown(at)));
            return;
        }
        if self.not_from_registry.len() >= MAX_ENTRIES {
            // Never dropped unsaid: past the bound it is an entry left out.
            self.problem(format!(
                "{}: more than {MAX_ENTRIES} dependencies from elsewhere; left out.",
                shown(at)
            ));
            return;
        }
        self.not_from_registry.insert(NotFromRegistry {
            name: name.to_string(),
            kind,
            source: truncate(source, MAX_SOURCE_CHARS),
        });
    }

    fn edge(&mut self, from: usize, to: usize) -> Result<(), String> {
        self.edges += 1;
        if self.edges > MAX_EDGES {
            return Err(format!(
                "{} has more than {MAX_EDGES} dependency edges; more are refused.",
                self.what
            ));
        }
        if let Some(node) = self.nodes.get_mut(from) {
            node.edges.push(to);
        }
        Ok(())
    }

    fn set_dev(&mut self, node: usize, dev: bool) {
        if let Some(n) = self.nodes.get_mut(node) {
            n.dev = Some(dev);
        }
    }

    /// A dependency of the project itself, by the name it gives it.
    fn root(&mut self, name: &str, node: usize, dev: bool) {
        match validate_name(name) {
            Ok(()) => self.roots.push((name.to_string(), node, dev)),
            Err(e) => self.problem(format!("The project's dependency {}: {e}; left out.", shown(name))),
        }
    }

    /// Which direct dependencies pull each package in, and which packages
    /// only development dependencies do, then the [`Lockfile`].
    ///
    /// `via` spreads breadth-first from the direct dependencies (in name
    /// order): a node whose set of names grows is visited again to pass the
    /// new names on. A set holds at most [`MAX_VIA`] names, so each node is
    /// visited at most MAX_VIA + 1 times whatever the graph's shape (cycles
    /// included), and when more direct dependencies reach a package than
    /// that, the nearest are the ones kept.
    fn finish(mut self, kind: LockfileKind) -> Lockfile {
        let count = self.nodes.len();
        self.roots.sort();
        self.roots.dedup();
        let mut names: Vec<&str> = self.roots.iter().map(|(name, _, _)| name.as_str()).collect();
        names.dedup();
        let mut via: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut queue = VecDeque::new();
        for (name, node, _) in &self.roots {
            let Ok(name_index) = names.binary_search(&name.as_str()) else {
                continue;
            };
            if let Some(set) = via.get_mut(*node)
                && add_name(set, name_index)
            {
                queue.push_back(*node);
            }
        }
        while let Some(node) = queue.pop_front() {
            let (Some(from), Some(set)) = (self.nodes.get(node), via.get(node).cloned()) else {
                continue;
            };
            for &to in &from.edges {
                let Some(target) = via.get_mut(to) else { continue };
                let mut grew = false;
                for &name_index in &set {
                    grew |= add_name(target, name_index);
                }
                if grew {
                    queue.push_back(to);
                }
            }
        }
        let reached_by = |dev: bool| {
            let mut seen = vec![false; count];
            let mut queue: VecDeque<usize> = self.roots.iter().filter(|r| r.2 == dev).map(|r| r.1).collect();
            while let Some(node) = queue.pop_front() {
                match seen.get_mut(node) {
                    Some(s) if !*s => *s = true,
                    _ => continue,
                }
                if let Some(n) = self.nodes.get(node) {
                    queue.extend(n.edges.iter().copied());
                }
            }
            seen
        };
        let (by_prod, by_dev) = (reached_by(false), reached_by(true));
        let direct: BTreeSet<usize> = self.roots.iter().map(|r| r.1).collect();

        struct Facts {
            direct: bool,
            via: BTreeSet<usize>,
            recorded_dev: Option<bool>,
            prod: bool,
            dev: bool,
        }
        let mut facts: Vec<Facts> = (0..self.packages.len())
            .map(|_| Facts {
                direct: false,
                via: BTreeSet::new(),
                recorded_dev: Some(true),
                prod: false,
                dev: false,
            })
            .collect();
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(f) = node.package.and_then(|p| facts.get_mut(p)) else {
                continue;
            };
            f.direct |= direct.contains(&i);
            f.via.extend(via.get(i).into_iter().flatten().copied());
            f.recorded_dev = match (f.recorded_dev, node.dev) {
                (Some(all), Some(dev)) => Some(all && dev),
                _ => None,
            };
            f.prod |= by_prod.get(i).copied().unwrap_or(false);
            f.dev |= by_dev.get(i).copied().unwrap_or(false);
        }
        let mut packages: Vec<LockedPackage> = self
            .packages
            .into_iter()
            .zip(facts)
            .map(|(p, f)| LockedPackage {
                name: p.name,
                version: p.version,
                integrities: p.integrities,
                addresses: p.addresses,
                unaddressed: p.unaddressed,
                direct: f.direct,
                via: f
                    .via
                    .iter()
                    .take(MAX_VIA)
                    .filter_map(|&i| names.get(i).map(|n| n.to_string()))
                    .collect(),
                dev: f.recorded_dev.unwrap_or(f.dev && !f.prod),
            })
            .collect();
        packages.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then_with(|| compare_versions(&a.version, &b.version))
        });
        let mut problems = self.problems;
        if self.left_out > problems.len() {
            problems.push(format!(
                "{} more entries left out are not listed.",
                self.left_out - problems.len()
            ));
        }
        Lockfile {
            kind,
            packages,
            not_from_registry: self.not_from_registry.into_iter().collect(),
            problems,
            left_out: self.left_out,
            notes: self.notes,
        }
    }
}

/// Adds a name to a node's `via` set (sorted, at most [`MAX_VIA`]); true if it grew.
fn add_name(set: &mut Vec<usize>, name_index: usize) -> bool {
    if set.len() >= MAX_VIA {
        return false;
    }
    match set.binary_search(&name_index) {
        Ok(_) => false,
        Err(at) => {
            set.insert(at, name_index);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `--require-provenance` cannot accept unverified, how an address
    /// is told to be a tarball, and the messages' name for a file given
    /// none (each a mutant that survived the lockfile tests before).
    #[test]
    fn fetched_sources_tarball_addresses_and_a_nameless_file() {
        for (kind, fetched) in [
            (SourceKind::Git, true),
            (SourceKind::Tarball, true),
            (SourceKind::File, false),
            (SourceKind::Link, false),
            (SourceKind::Workspace, false),
            (SourceKind::Other, false),
        ] {
            assert_eq!(kind.is_fetched(), fetched, "{kind:?}");
        }
        assert_eq!(source_kind("https://h/a/-/a-1.0.0.tgz"), Some(SourceKind::Tarball));
        assert_eq!(source_kind("http://h/a/-/a-1.0.0.tgz"), Some(SourceKind::Tarball));
        let e = parse_lockfile(Some(""), "hello").unwrap_err();
        assert!(e.starts_with("The lockfile"), "{e}");
    }

    /// The size limit: a text of exactly `MAX_LOCKFILE_BYTES` is read (and
    /// refused for what it is), one byte more is refused for its size.
    #[test]
    fn the_size_limit_is_exact() {
        let at = " ".repeat(MAX_LOCKFILE_BYTES);
        let e = parse_lockfile(None, &at).unwrap_err();
        assert!(!e.contains("bytes; more than"), "{e}");
        let over = " ".repeat(MAX_LOCKFILE_BYTES + 1);
        let e = parse_lockfile(None, &over).unwrap_err();
        assert!(e.contains(&format!("more than {MAX_LOCKFILE_BYTES} is refused")), "{e}");
    }

    /// Notes are kept to `MAX_PROBLEMS`, as problems are.
    #[test]
    fn notes_are_kept_to_their_limit() {
        let mut text = String::from(r#"{"lockfileVersion":3,"packages":{"#);
        for i in 0..MAX_PROBLEMS + 5 {
            for version in ["1.0.0", "1.0.1"] {
                text.push_str(&format!(
                    r#""node_modules/a{i}":{{"version":"{version}","resolved":"https://registry.npmjs.org/a{i}/-/a{i}-{version}.tgz"}},"#
                ));
            }
        }
        text.push_str(r#""node_modules/z":{"version":"1.0.0"}}}"#);
        let lock = parse_lockfile(Some("package-lock.json"), &text).unwrap();
        assert_eq!(lock.notes.len(), MAX_PROBLEMS);
    }

    #[test]
    fn formats_are_told_apart_by_content_and_then_by_name() {
        assert_eq!(detect(None, " {\"lockfileVersion\": 3}"), Some(Format::Npm));
        assert_eq!(detect(None, "# yarn lockfile v1\n"), Some(Format::YarnClassic));
        assert_eq!(
            detect(Some("pnpm-lock.yaml"), "x\n__metadata:\n"),
            Some(Format::YarnBerry)
        );
        assert_eq!(
            detect(Some("yarn.lock"), "lockfileVersion: '9.0'\n"),
            Some(Format::Pnpm)
        );
        assert_eq!(
            detect(Some("yarn.lock"), "a@1:\n  version \"1\"\n"),
            Some(Format::YarnClassic)
        );
        assert_eq!(detect(Some("pnpm-lock.yaml"), ""), Some(Format::Pnpm));
        assert_eq!(detect(Some("notes.txt"), "hello"), None);
        // JSON: Bun's or npm's by its shape; the name breaks a tie only.
        let bun = r#"{"lockfileVersion": 1, "workspaces": {"": {},}, "packages": {"a": ["a@1.0.0", "", {}, ""],},}"#;
        let npm = r#"{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}}}"#;
        for name in [None, Some("package-lock.json"), Some("bun.lock")] {
            assert_eq!(detect(name, bun), Some(Format::Bun), "{name:?}");
            assert_eq!(detect(name, npm), Some(Format::Npm), "{name:?}");
        }
        assert_eq!(detect(Some("bun.lock"), "{}"), Some(Format::Bun));
        assert_eq!(detect(None, "{}"), Some(Format::Npm));
        assert_eq!(detect(Some("bun.lock"), "hello"), Some(Format::Bun));
        let e = parse_lockfile(Some("bun.lockb"), "\0binary").unwrap_err();
        assert!(e.starts_with("bun.lockb is Bun's binary lockfile"), "{e}");
        let e = parse_lockfile(Some("dir/notes.txt"), "hello").unwrap_err();
        assert!(e.starts_with("notes.txt is in no format this reads"), "{e}");
        let e = parse_lockfile(None, "hello").unwrap_err();
        assert!(e.starts_with("The lockfile is in no format"), "{e}");
    }

    #[test]
    fn names_split_after_the_scope() {
        assert_eq!(split_name("@s/n@1.0.0"), Some(("@s/n", "1.0.0")));
        assert_eq!(split_name("my-ms@npm:ms@2.1.3"), Some(("my-ms", "npm:ms@2.1.3")));
        assert_eq!(split_name("@s/n"), None);
        assert_eq!(split_name("@"), None);
        assert_eq!(split_name(""), None);
    }

    #[test]
    fn registry_tarballs_are_told_from_other_urls() {
        assert!(is_registry_tarball(
            "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
            "ms",
            "2.1.3"
        ));
        assert!(is_registry_tarball(
            "https://registry.yarnpkg.com/@sigstore/bundle/-/bundle-2.3.2.tgz#abc",
            "@sigstore/bundle",
            "2.3.2"
        ));
        assert!(is_registry_tarball(
            "https://r.example/api/npm/npm/@s/n/-/n-1.0.0-rc.1.tgz",
            "@s/n",
            "1.0.0-rc.1"
        ));
        assert!(!is_registry_tarball(
            "https://registry.npmjs.org/ms/-/ms-2.1.2.tgz",
            "ms",
            "2.1.3"
        ));
        assert!(!is_registry_tarball(
            "https://registry.npmjs.org/xms/-/ms-2.1.3.tgz",
            "ms",
            "2.1.3"
        ));
        assert!(!is_registry_tarball("https://example.com/ms-2.1.3.tgz", "ms", "2.1.3"));
        assert!(!is_registry_tarball("file:/-/ms/-/ms-2.1.3.tgz", "ms", "2.1.3"));
        assert!(is_registry_tarball(
            "https://r.example/@s%2fn/-/n-1.0.0.tgz",
            "@s/n",
            "1.0.0"
        ));
        assert!(!is_registry_tarball(
            "https://r.example/n/-/n-1.0.0.tgz",
            "@s/n",
            "1.0.0"
        ));
    }

    #[test]
    fn sources_are_named_by_protocol() {
        assert_eq!(
            source_kind("git+ssh://git@github.com/a/b.git#abc"),
            Some(SourceKind::Git)
        );
        assert_eq!(source_kind("github:a/b"), Some(SourceKind::Git));
        assert_eq!(
            source_kind("https://github.com/a/b.git#commit=abc"),
            Some(SourceKind::Git)
        );
        assert_eq!(source_kind("file:../x"), Some(SourceKind::File));
        assert_eq!(source_kind("link:../x"), Some(SourceKind::Link));
        assert_eq!(source_kind("portal:../x"), Some(SourceKind::Link));
        assert_eq!(source_kind("workspace:^"), Some(SourceKind::Workspace));
        assert_eq!(source_kind("https://x.example/a.tgz"), Some(SourceKind::Tarball));
        assert_eq!(source_kind("^1.0.0"), None);
        assert_eq!(source_kind("npm:ms@2"), None);
    }

    /// A graph with a cycle and more direct dependencies than MAX_VIA: every
    /// node is visited a bounded number of times and keeps MAX_VIA names.
    #[test]
    fn via_is_bounded_and_survives_cycles() {
        let mut c = Collector::new("x");
        let shared = c.node().unwrap();
        let other = c.node().unwrap();
        c.registry(shared, "s", "shared", "1.0.0", None, None).unwrap();
        c.registry(other, "o", "other", "1.0.0", None, None).unwrap();
        c.edge(shared, other).unwrap();
        c.edge(other, shared).unwrap();
        for i in 0..40 {
            let n = c.node().unwrap();
            c.registry(n, "d", &format!("d{i:02}"), "1.0.0", None, None).unwrap();
            c.edge(n, shared).unwrap();
            c.root(&format!("d{i:02}"), n, i % 2 == 1);
        }
        let lock = c.finish(LockfileKind::YarnClassic);
        let shared = lock.packages.iter().find(|p| p.name == "shared").unwrap();
        assert_eq!(shared.via.len(), MAX_VIA);
        assert_eq!(shared.via.first().map(String::as_str), Some("d00"));
        assert!(!shared.direct && !shared.dev);
        let d01 = lock.packages.iter().find(|p| p.name == "d01").unwrap();
        assert!(d01.direct && d01.dev);
        assert_eq!(d01.via, ["d01"]);
    }

    #[test]
    fn problems_are_capped_with_a_count() {
        let mut c = Collector::new("x");
        for i in 0..MAX_PROBLEMS + 10 {
            c.problem(format!("p{i}"));
        }
        let lock = c.finish(LockfileKind::YarnClassic);
        assert_eq!(lock.left_out, MAX_PROBLEMS + 10);
        assert_eq!(lock.problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            lock.problems.last().unwrap(),
            "10 more entries left out are not listed."
        );
    }

    /// Each bound of the collector holds exactly at its value: the last
    /// allowed is read, one more is refused (or left out and counted).
    #[test]
    fn every_collector_bound_holds_at_its_value() {
        let mut c = Collector::new("f");
        for _ in 0..MAX_ENTRIES {
            c.node().unwrap();
        }
        assert!(
            c.node()
                .unwrap_err()
                .contains(&format!("more than {MAX_ENTRIES} entries"))
        );

        let mut c = Collector::new("f");
        let (a, b) = (c.node().unwrap(), c.node().unwrap());
        c.edges = MAX_EDGES - 1;
        c.edge(a, b).unwrap();
        assert!(
            c.edge(a, b)
                .unwrap_err()
                .contains(&format!("more than {MAX_EDGES} dependency edges"))
        );

        let mut c = Collector::new("f");
        for i in 0..MAX_COPIES {
            let n = c.node().unwrap();
            c.registry(n, "a", "a", "1.0.0", Some(&format!("sha512-{i}")), None)
                .unwrap();
        }
        let n = c.node().unwrap();
        // The same integrity again is no new copy; another one is refused.
        c.registry(n, "a", "a", "1.0.0", Some("sha512-0"), None).unwrap();
        let e = c.registry(n, "a", "a", "1.0.0", Some("sha512-x"), None).unwrap_err();
        assert!(
            e.contains(&format!("more than {MAX_COPIES} different integrities")),
            "{e}"
        );
        // Addresses have the same bound.
        let mut c = Collector::new("f");
        for i in 0..MAX_COPIES {
            let n = c.node().unwrap();
            c.registry(n, "a", "a", "1.0.0", None, Some(&format!("https://r.example/{i}.tgz")))
                .unwrap();
        }
        let n = c.node().unwrap();
        assert!(
            c.registry(n, "a", "a", "1.0.0", None, Some("https://r.example/x.tgz"))
                .is_err()
        );

        // A source is cut at MAX_SOURCE_CHARS (and said cut), never dropped.
        let mut c = Collector::new("f");
        let exact = "x".repeat(MAX_SOURCE_CHARS);
        c.not_from_registry("a", "a", SourceKind::Tarball, &exact);
        c.not_from_registry("b", "b", SourceKind::Tarball, &format!("{exact}y"));
        let kept: Vec<&str> = c.not_from_registry.iter().map(|d| d.source.as_str()).collect();
        assert_eq!(kept, [exact.clone(), format!("{exact}…")]);
        // Past its bound, a dependency from elsewhere is left out and counted.
        let mut c = Collector::new("f");
        for i in 0..MAX_ENTRIES {
            c.not_from_registry.insert(NotFromRegistry {
                name: format!("n{i}"),
                kind: SourceKind::Git,
                source: String::new(),
            });
        }
        c.not_from_registry("z", "z", SourceKind::Git, "github:o/z");
        assert_eq!((c.not_from_registry.len(), c.left_out), (MAX_ENTRIES, 1));
    }
}
