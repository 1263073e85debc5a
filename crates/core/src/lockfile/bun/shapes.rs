//! The shapes of `bun.lock` as Bun writes them, read with the JSON
//! readers' discipline: objects and arrays as raw text until a field is
//! needed, so that nothing kept grows with what is not read.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::super::json::{Entries, Loose, LooseObject, Names};
use super::super::{SourceKind, source_kind, split_name};

/// Bun writes at most four elements in an entry (registry and git ones).
pub(super) const MAX_ELEMENTS: usize = 4;

#[derive(Deserialize)]
pub(super) struct BunLock<'a> {
    #[serde(rename = "lockfileVersion", default)]
    pub(super) lockfile_version: Loose<u32>,
    #[serde(borrow, default)]
    pub(super) workspaces: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) packages: Option<&'a RawValue>,
    #[serde(rename = "patchedDependencies", borrow, default)]
    pub(super) patched_dependencies: Option<&'a RawValue>,
}

/// A package.json of the project, as `workspaces` records it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Workspace {
    pub(super) name: Loose<String>,
    pub(super) dependencies: Names,
    #[serde(rename = "devDependencies")]
    pub(super) dev_dependencies: Names,
    #[serde(rename = "optionalDependencies")]
    pub(super) optional_dependencies: Names,
    #[serde(rename = "peerDependencies")]
    pub(super) peer_dependencies: Names,
}

impl Workspace {
    /// Every dependency it declares, and whether it is a development one
    /// (Bun installs a workspace's development dependencies too).
    pub(super) fn dependencies(&self) -> impl Iterator<Item = (&str, bool)> {
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
pub(super) struct Info {
    pub(super) dependencies: Names,
    #[serde(rename = "optionalDependencies")]
    pub(super) optional_dependencies: Names,
    #[serde(rename = "peerDependencies")]
    pub(super) peer_dependencies: Names,
    pub(super) bundled: Loose<bool>,
}

impl Info {
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        [&self.dependencies, &self.optional_dependencies, &self.peer_dependencies]
            .into_iter()
            .flat_map(|list| list.0.iter().flat_map(Entries::keys))
    }
}

/// A key as written: borrowed from the text unless it has escapes.
pub(super) struct Key<'a>(pub(super) Cow<'a, str>);

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

/// `packages`: each key with its entry as text. Past [`super::super::MAX_ENTRIES`]
/// the rest is read past, not kept (the collector then refuses the file
/// with the count): memory stays bounded by the limit, not by the file.
#[derive(Default)]
pub(super) struct Rows<'a>(pub(super) Vec<(Key<'a>, &'a RawValue)>);

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
                    if rows.len() > super::super::MAX_ENTRIES {
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
pub(super) struct Row<'a> {
    pub(super) items: Vec<&'a RawValue>,
    pub(super) count: usize,
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
pub(super) enum Resolution<'r> {
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
    pub(super) fn of(text: &'r str) -> Self {
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

    pub(super) fn label(&self) -> &'static str {
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
    pub(super) fn shape(&self) -> (usize, usize, &'static str) {
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

/// `name@resolution` split as Bun splits it; `@root:` is the project
/// without a name.
pub(super) fn name_and_resolution(text: &str) -> Option<(&str, &str)> {
    match text.strip_prefix('@') {
        Some(rest) if rest.starts_with("root:") => Some(("", rest)),
        _ => split_name(text),
    }
}

pub(super) fn string_of(raw: &RawValue) -> Option<String> {
    serde_json::from_str(raw.get()).ok()
}

/// An info object, if it is one.
pub(super) fn info_of(raw: &RawValue) -> Option<Info> {
    serde_json::from_str::<LooseObject<Info>>(raw.get()).ok()?.0
}
