//! Where in a lockfile's text each package version is written, so that a
//! finding can point at the line a reviewer reads (a workflow annotation, a
//! SARIF region, a code-quality location).
//!
//! The readers parse structure, not text, so this is a separate pass over
//! the lines, one rule per format: it only places findings, and a version
//! it cannot place is reported against the file (line `None`), never left
//! out. Each pass is linear in the text and keeps one entry per version.

use std::collections::HashMap;

use super::{LockfileKind, split_name};

/// The line (1-based) of each package version's entry in a lockfile.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    versions: HashMap<(String, String), u32>,
    names: HashMap<String, u32>,
}

impl LineIndex {
    /// Indexes `text`, a lockfile of `kind`.
    pub fn new(kind: &LockfileKind, text: &str) -> Self {
        let mut index = LineIndex::default();
        match kind {
            LockfileKind::Npm { .. } => index.npm(text),
            LockfileKind::Pnpm { .. } => index.pnpm(text),
            LockfileKind::YarnClassic | LockfileKind::YarnBerry { .. } => index.yarn(text),
        }
        index
    }

    /// The line of `name@version`'s entry, when it was found.
    pub fn line_of(&self, name: &str, version: &str) -> Option<u32> {
        self.versions.get(&(name.to_string(), version.to_string())).copied()
    }

    /// The first entry of any version of `name` (for a dependency that is
    /// not a registry version, or one whose version was not placed).
    pub fn line_of_name(&self, name: &str) -> Option<u32> {
        self.names.get(name).copied()
    }

    fn record(&mut self, name: &str, version: &str, line: u32) {
        if name.is_empty() || version.is_empty() {
            return;
        }
        self.names.entry(name.to_string()).or_insert(line);
        self.versions
            .entry((name.to_string(), version.to_string()))
            .or_insert(line);
    }

    /// npm: an entry is an object whose key is the package's path
    /// (`"node_modules/a/node_modules/b": {`, lockfile v2 and v3) or its
    /// name (`"b": {` inside `dependencies`, v1); its `"version"` follows,
    /// after a `"name"` where the path's name is an alias.
    fn npm(&mut self, text: &str) {
        let mut entry: Option<(String, u32)> = None;
        for (number, line) in numbered(text) {
            let trimmed = line.trim();
            if let Some(key) = trimmed.strip_suffix(": {").and_then(json_string) {
                let name = key.rsplit("node_modules/").next().unwrap_or(key);
                entry = Some((name.to_string(), number));
            } else if let (Some((name, _)), Some(value)) = (entry.as_mut(), field(trimmed, "name")) {
                *name = value.to_string();
            } else if let Some(value) = field(trimmed, "version")
                && let Some((name, at)) = entry.take()
            {
                // v1 writes an alias's version as `npm:real@1.0.0`.
                match value.strip_prefix("npm:").and_then(split_name) {
                    Some((real, version)) => self.record(real, version, at),
                    None => self.record(&name, value, at),
                }
            }
        }
    }

    /// pnpm: each package is a key two spaces in, under `packages:` (and
    /// again under `snapshots:`, 9.0): `name@1.0.0`, quoted when scoped,
    /// `/name@1.0.0` (6.x), `/name/1.0.0` (5.x), a peer suffix after `(` or
    /// `_` (5.x).
    fn pnpm(&mut self, text: &str) {
        for (number, line) in numbered(text) {
            let Some(key) = line.strip_prefix("  ").filter(|k| !k.starts_with(' ')) else {
                continue;
            };
            let Some(key) = key.trim_end().strip_suffix(':') else {
                continue;
            };
            let key = key.trim_matches(|c| c == '\'' || c == '"');
            let key = key.strip_prefix('/').unwrap_or(key);
            let key = key.split('(').next().unwrap_or(key);
            let parsed = pnpm5_key(key).or_else(|| split_name(key));
            if let Some((name, version)) = parsed.filter(|(_, v)| semver::Version::parse(v).is_ok()) {
                self.record(name, version, number);
            }
        }
    }

    /// yarn: an entry starts with its specs at the start of a line
    /// (`"a@^1.0.0", a@^1.1.0:` classic, `"a@npm:^1.0.0":` berry); the
    /// version follows (`version "1.0.0"`, `version: 1.0.0`), and berry's
    /// `resolution:` names the package behind an alias.
    fn yarn(&mut self, text: &str) {
        let mut entry: Option<(String, u32)> = None;
        for (number, line) in numbered(text) {
            if !line.starts_with([' ', '#']) && line.trim_end().ends_with(':') {
                let first = line
                    .trim_end()
                    .trim_end_matches(':')
                    .split(", ")
                    .next()
                    .unwrap_or_default();
                let spec = first.trim_matches('"');
                entry = split_name(spec).map(|(name, range)| {
                    // `alias@npm:real@^1` installs `real`.
                    let real = range.strip_prefix("npm:").and_then(split_name).map(|(real, _)| real);
                    (real.unwrap_or(name).to_string(), number)
                });
                continue;
            }
            let Some((name, at)) = entry.as_ref() else {
                continue;
            };
            let trimmed = line.trim();
            if let Some(resolution) = trimmed.strip_prefix("resolution: ") {
                if let Some((real, version)) = split_name(resolution.trim_matches('"'))
                    && let Some(version) = version.strip_prefix("npm:")
                {
                    self.record(real, version, *at);
                }
            } else if let Some(version) = trimmed
                .strip_prefix("version ")
                .or_else(|| trimmed.strip_prefix("version: "))
            {
                self.record(&name.clone(), version.trim_matches('"'), *at);
            }
        }
    }
}

/// pnpm 5.x's `name/1.0.0` or `@scope/name/1.0.0`, a peer suffix after `_`.
fn pnpm5_key(key: &str) -> Option<(&str, &str)> {
    let slash = if key.starts_with('@') {
        let first = key.find('/')?;
        first + 1 + key.get(first + 1..)?.find('/')?
    } else {
        key.find('/')?
    };
    let (name, rest) = (key.get(..slash)?, key.get(slash + 1..)?);
    let version = rest.split('_').next().unwrap_or(rest);
    semver::Version::parse(version).is_ok().then_some((name, version))
}

/// Lines numbered from 1.
fn numbered(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (u32::try_from(i + 1).unwrap_or(u32::MAX), line))
}

/// The text of a JSON string written without escapes (`"a"` → `a`).
fn json_string(quoted: &str) -> Option<&str> {
    quoted
        .strip_prefix('"')?
        .strip_suffix('"')
        .filter(|s| !s.contains(['"', '\\']))
}

/// `"key": "value",` → `value`.
fn field<'a>(trimmed: &'a str, key: &str) -> Option<&'a str> {
    let rest = trimmed.strip_prefix('"')?.strip_prefix(key)?.strip_prefix("\": ")?;
    json_string(rest.trim_end_matches(','))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_entries_are_placed_at_their_key_aliases_by_the_real_name() {
        let text = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": {
      "name": "project",
      "version": "1.0.0"
    },
    "node_modules/a": {
      "version": "1.0.0",
      "integrity": "sha512-x"
    },
    "node_modules/my-ms": {
      "name": "ms",
      "version": "2.1.3"
    },
    "node_modules/b/node_modules/a": {
      "version": "2.0.0"
    }
  }
}"#;
        let index = LineIndex::new(&LockfileKind::Npm { lockfile_version: 3 }, text);
        assert_eq!(index.line_of("a", "1.0.0"), Some(8));
        assert_eq!(index.line_of("ms", "2.1.3"), Some(12));
        assert_eq!(index.line_of("a", "2.0.0"), Some(16));
        assert_eq!(index.line_of("my-ms", "2.1.3"), None);
        assert_eq!(index.line_of_name("a"), Some(8));
        let v1 = "{\n  \"dependencies\": {\n    \"my-ms\": {\n      \"version\": \"npm:ms@2.1.3\"\n    }\n  }\n}";
        let index = LineIndex::new(&LockfileKind::Npm { lockfile_version: 1 }, v1);
        assert_eq!(index.line_of("ms", "2.1.3"), Some(3));
    }

    #[test]
    fn pnpm_keys_of_each_lockfile_version_are_placed() {
        let text = "lockfileVersion: '9.0'\n\npackages:\n\n  '@s/a@1.0.0':\n    resolution: {integrity: x}\n\n  b@2.0.0(c@1.0.0):\n    x: y\n  /d@3.0.0:\n  /e/4.0.0_f@1.0.0:\n  /@t/g/5.0.0_@types+h@1.0.0:\n  settings:\n";
        let index = LineIndex::new(
            &LockfileKind::Pnpm {
                lockfile_version: "9.0".into(),
            },
            text,
        );
        assert_eq!(index.line_of("@s/a", "1.0.0"), Some(5));
        assert_eq!(index.line_of("b", "2.0.0"), Some(8));
        assert_eq!(index.line_of("d", "3.0.0"), Some(10));
        assert_eq!(index.line_of("e", "4.0.0"), Some(11));
        assert_eq!(index.line_of("@t/g", "5.0.0"), Some(12));
        assert_eq!(index.line_of_name("settings"), None);
    }

    #[test]
    fn yarn_entries_are_placed_at_their_specs_aliases_by_the_real_name() {
        let classic = "# yarn lockfile v1\n\n\"a@^1.0.0\", a@^1.1.0:\n  version \"1.1.0\"\n\nmy-ms@npm:ms@2.1.3:\n  version \"2.1.3\"\n";
        let index = LineIndex::new(&LockfileKind::YarnClassic, classic);
        assert_eq!(index.line_of("a", "1.1.0"), Some(3));
        assert_eq!(index.line_of("ms", "2.1.3"), Some(6));
        let berry = "__metadata:\n  version: 10\n\n\"@s/a@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"@s/a@npm:1.0.0\"\n\n\"my-ms@npm:ms@2.1.3\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n";
        let index = LineIndex::new(&LockfileKind::YarnBerry { version: "10".into() }, berry);
        assert_eq!(index.line_of("@s/a", "1.0.0"), Some(4));
        assert_eq!(index.line_of("ms", "2.1.3"), Some(8));
    }
}
