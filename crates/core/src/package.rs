//! npm package names, versions, purls and `dist.integrity`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// npm's own limit on package name length.
pub const MAX_NAME_LEN: usize = 214;
/// Versions are semver strings; anything longer than this is not one.
pub const MAX_VERSION_LEN: usize = 256;

fn valid_name_part(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('.')
        && !part.starts_with('_')
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks a package name (`name` or `@scope/name`) against npm's rules for
/// URL-safe names. Legacy names with capital letters are accepted.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the package name is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "the package name is {} characters long; npm allows at most {MAX_NAME_LEN}",
            name.len()
        ));
    }
    let ok = match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, rest)) => valid_name_part(scope) && valid_name_part(rest),
            None => false,
        },
        None => valid_name_part(name),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a valid npm package name (letters, digits, '-', '.', '_', '~', optionally as @scope/name)",
            truncate(name, 80)
        ))
    }
}

/// Checks a version string (semver characters only).
pub fn validate_version(version: &str) -> Result<(), String> {
    if version.is_empty() || version.len() > MAX_VERSION_LEN {
        return Err("the version is empty or too long".into());
    }
    if version
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
    {
        Ok(())
    } else {
        Err(format!("{:?} is not a valid version", truncate(version, 80)))
    }
}

/// The package URL npm puts in statements' subjects: `pkg:npm/name@version`,
/// with the scope's `@` percent-encoded (`pkg:npm/%40scope/name@version`).
pub fn purl(name: &str, version: &str) -> String {
    match name.strip_prefix('@') {
        Some(scoped) => format!("pkg:npm/%40{scoped}@{version}"),
        None => format!("pkg:npm/{name}@{version}"),
    }
}

/// Splits `name@version` (scoped names too: `@scope/name@1.0.0`).
pub fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let at = spec.rfind('@').filter(|&i| i > 0)?;
    Some((&spec[..at], &spec[at + 1..]))
}

/// The sha512 digest of a Subresource Integrity string such as npm's
/// `dist.integrity` (`sha512-<base64>`; several space-separated hashes allowed).
pub fn sha512_from_integrity(integrity: &str) -> Result<[u8; 64], String> {
    for token in integrity.split_ascii_whitespace() {
        if let Some(b64) = token.strip_prefix("sha512-") {
            // SRI allows options after a '?'.
            let b64 = b64.split('?').next().unwrap_or_default();
            let bytes = STANDARD.decode(b64).map_err(|_| {
                format!(
                    "the sha512 in the integrity {:?} is not base64",
                    truncate(integrity, 100)
                )
            })?;
            return bytes
                .try_into()
                .map_err(|_| "the sha512 in the integrity is not 64 bytes long".to_string());
        }
    }
    Err(format!(
        "the integrity {:?} has no sha512 hash",
        truncate(integrity, 100)
    ))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Cuts text for messages, on a character boundary.
pub fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["sigstore", "@laurentsimon/provenance-npm-test", "JSONStream", "a.b_c~d"] {
            validate_name(ok).unwrap();
        }
        for bad in [
            "",
            ".hidden",
            "_x",
            "@scope",
            "@/x",
            "a/b",
            "a b",
            "../etc/passwd",
            "<script>",
            "é",
        ] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        assert!(validate_name(&"a".repeat(215)).is_err());
    }

    #[test]
    fn versions() {
        validate_version("1.0.0-beta.1+build.5").unwrap();
        assert!(validate_version("1.0.0 ").is_err());
        assert!(validate_version("").is_err());
    }

    #[test]
    fn purls() {
        assert_eq!(purl("sigstore", "2.3.1"), "pkg:npm/sigstore@2.3.1");
        assert_eq!(
            purl("@laurentsimon/provenance-npm-test", "1.0.0"),
            "pkg:npm/%40laurentsimon/provenance-npm-test@1.0.0"
        );
    }

    #[test]
    fn specs() {
        assert_eq!(split_spec("@a/b@1.0.0"), Some(("@a/b", "1.0.0")));
        assert_eq!(split_spec("b@1"), Some(("b", "1")));
        assert_eq!(split_spec("@a/b"), None);
    }

    #[test]
    fn integrity() {
        let d = sha512_from_integrity(
            "sha512-8G+/XDU8wNsJOQS5ysDVO0Etg9/2uA5gR9l4ZwijjlwxBcrU6RPfwi2+jJmbP+Ap1Hlp/nVAaEO4Fj22/SL2gQ==",
        )
        .unwrap();
        assert!(hex(&d).starts_with("f06fbf5c353cc0db"));
        assert!(sha512_from_integrity("sha1-abc").is_err());
        assert!(sha512_from_integrity("sha512-AAAA").is_err());
        assert!(sha512_from_integrity("sha512-!!").is_err());
    }
}
