//! Bun's JSON told from npm's before either is read.

/// Whether a JSON lockfile is Bun's (`Some(true)`) or npm's (`Some(false)`)
/// by its shape: the first entry of the top-level `packages` is an array
/// in Bun's and an object in npm's; without one, only Bun writes a
/// top-level `workspaces` object. One pass over the text, keeping nothing
/// (the file is read for real only once its format is known); `None` when
/// the shape says neither (`{}`, an empty `packages`, text that is not JSON).
pub(in super::super) fn written_by_bun(text: &str) -> Option<bool> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bun_is_told_from_npm_by_its_shape() {
        let bun = r#"{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a@1.0.0", "", {}, ""]}}"#;
        assert_eq!(written_by_bun(bun), Some(true));
        let npm = r#"{"lockfileVersion": 3, "packages": {"": {"workspaces": ["a"]}, "node_modules/a": {}}}"#;
        assert_eq!(written_by_bun(npm), Some(false));
        // The first entry of `packages` decides, whatever comes before it
        // (an escaped quote in a key does not end it).
        let mixed = r#"{"workspaces": {"": {}}, "x": {"packages": {"a": []}}, "packages": {"\"k\\": {}}}"#;
        assert_eq!(written_by_bun(mixed), Some(false));
        // Without entries, only Bun writes a top-level workspaces object.
        assert_eq!(
            written_by_bun(r#"{"lockfileVersion": 1, "workspaces": {"": {},}, "packages": {},}"#),
            Some(true)
        );
        assert_eq!(written_by_bun(r#"{"lockfileVersion": 3, "packages": {}}"#), None);
        assert_eq!(
            written_by_bun(r#"{"lockfileVersion": 1, "dependencies": {"a": {}}}"#),
            None
        );
        assert_eq!(written_by_bun(r#"{"workspaces": ["a"]}"#), None);
        // Not JSON: no answer, and no panic.
        for text in ["{", "{\"", "{\"a\\", "}}}]]", "{\"packages\": {\"a\":", ""] {
            assert_eq!(written_by_bun(text), None, "{text:?}");
        }
    }
}
