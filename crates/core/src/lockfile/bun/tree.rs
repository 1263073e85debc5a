//! Where `bun.lock`'s keys place packages in the install tree, and how a
//! dependency is found from there, as Bun binds it when it loads the file.

use std::collections::HashMap;

use crate::package::validate_name;

/// A key is a path in `node_modules`: as long and as deep as a file
/// system's path at most (resolving a name walks it up, one look-up per name).
const MAX_KEY_LEN: usize = 4096;
const MAX_KEY_NAMES: usize = 64;

/// Folders of the install tree as keys name them, interned: a key's
/// folder is its parent's and its last name, so resolving a dependency
/// walks up ids instead of building keys.
#[derive(Default)]
pub(super) struct Folders<'a> {
    ids: HashMap<(usize, &'a str), usize>,
    /// Each folder's parent (0 is the project's, its own parent).
    parent: Vec<usize>,
    /// `(folder, name)` → the node of the key `<folder>/<name>`.
    pub(super) installed: HashMap<(usize, &'a str), usize>,
}

impl<'a> Folders<'a> {
    pub(super) fn new() -> Self {
        Folders {
            parent: vec![0],
            ..Folders::default()
        }
    }

    pub(super) fn folder(&mut self, names: &[&'a str]) -> usize {
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
    pub(super) fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().try_fold(0, |id, &name| self.ids.get(&(id, name)).copied())
    }

    /// Where Bun finds `name` from the key of `folder`: `<key>/name`, then
    /// from each shorter key, and last `name`.
    pub(super) fn resolve(&self, mut folder: usize, name: &str) -> Option<usize> {
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

/// `a/b` → `[a, b]`, `@s/a/@s/b` → `[@s/a, @s/b]`; refused, with why,
/// unless every name is a valid package name (a key is a path Bun creates
/// folders at).
pub(super) fn names_of(key: &str) -> Result<Vec<&str>, String> {
    if key.len() > MAX_KEY_LEN {
        return Err(format!("longer than {MAX_KEY_LEN} characters"));
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
        let name = rest.get(..end).unwrap_or_default();
        if name.is_empty() {
            return Err("an empty name".into());
        }
        validate_name(name)?;
        names.push(name);
        if names.len() > MAX_KEY_NAMES {
            return Err(format!("more than {MAX_KEY_NAMES} names"));
        }
        match rest.get(end..).unwrap_or_default().strip_prefix('/') {
            None => return Ok(names),
            Some(after) => rest = after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_paths_of_package_names() {
        assert_eq!(names_of("a"), Ok(vec!["a"]));
        assert_eq!(names_of("a/b/c"), Ok(vec!["a", "b", "c"]));
        assert_eq!(names_of("@s/a/@s/b"), Ok(vec!["@s/a", "@s/b"]));
        assert_eq!(names_of("a/@s/b/c"), Ok(vec!["a", "@s/b", "c"]));
        for bad in ["", "a/", "/a", "a//b", "@s", "@s/", "a/@s", "..", "a/../b", "a b"] {
            assert!(names_of(bad).is_err(), "{bad:?}");
        }
        let deep = vec!["a"; MAX_KEY_NAMES].join("/");
        assert_eq!(names_of(&deep).map(|n| n.len()), Ok(MAX_KEY_NAMES));
        assert_eq!(names_of(&format!("{deep}/a")), Err("more than 64 names".into()));
        assert_eq!(
            names_of(&"a".repeat(MAX_KEY_LEN + 1)),
            Err("longer than 4096 characters".into())
        );
        assert_eq!(names_of("a//b"), Err("an empty name".into()));
        let e = names_of("a/../b").unwrap_err();
        assert!(e.contains("\"..\" is not a valid npm package name"), "{e}");
    }

    /// Bun's `findResolution`: the dependent's key and the name, then each
    /// shorter key (a scoped name is one step), then the name alone.
    #[test]
    fn a_name_resolves_from_the_nearest_key_up() {
        let mut folders = Folders::new();
        let keys = ["b", "a", "a/b", "@s/x", "@s/x/@s/y", "@s/x/@s/y/c", "c"];
        let mut key_folder = HashMap::new();
        for (node, key) in keys.iter().enumerate() {
            let names = names_of(key).unwrap();
            let (last, parents) = names.split_last().unwrap();
            let parent = folders.folder(parents);
            folders.installed.insert((parent, *last), node);
            key_folder.insert(*key, folders.folder(&names));
        }
        let from = |key: &str, name: &str| folders.resolve(key_folder[key], name);
        assert_eq!(from("a", "b"), Some(2), "a/b before b");
        assert_eq!(from("a/b", "b"), Some(2), "a/b/b, then a/b");
        assert_eq!(from("b", "b"), Some(0));
        assert_eq!(from("@s/x/@s/y", "c"), Some(5));
        assert_eq!(from("@s/x", "c"), Some(6), "@s/x/c, then c: @s/x is one name");
        assert_eq!(from("@s/x/@s/y/c", "@s/y"), Some(4));
        assert_eq!(from("a", "@s/y"), None);
        assert_eq!(folders.find(&["@s/x", "@s/y"]), Some(key_folder["@s/x/@s/y"]));
        assert_eq!(folders.find(&["nowhere"]), None);
    }
}
