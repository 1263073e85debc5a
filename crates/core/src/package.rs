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

/// The package a subject names, read back from its purl
/// (`pkg:npm/name@version`, `pkg:npm/%40scope/name@version`, as [`purl`]
/// writes them): `None` unless it is exactly such a purl of a valid name
/// and version, so that nothing else (qualifiers, another scope encoding,
/// a path) is taken for a package.
pub fn parse_purl(purl_text: &str) -> Option<(String, String)> {
    let rest = purl_text.strip_prefix("pkg:npm/")?;
    let rest = match rest.strip_prefix("%40") {
        Some(scoped) => format!("@{scoped}"),
        None => rest.to_string(),
    };
    let (name, version) = split_spec(&rest)?;
    validate_name(name).ok()?;
    validate_version(version).ok()?;
    // Read back exactly as written: one form per package.
    (purl(name, version) == purl_text).then(|| (name.to_string(), version.to_string()))
}

/// Splits `name@version` (scoped names too: `@scope/name@1.0.0`).
pub fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let at = spec.rfind('@').filter(|&i| i > 0)?;
    Some((&spec[..at], &spec[at + 1..]))
}

/// A Subresource Integrity string such as npm's `dist.integrity`: the sha512
/// hashes it lists, and what else it lists (which is not compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    /// Every sha512 hash listed, in order; at least one.
    pub sha512: Vec<[u8; 64]>,
    /// The algorithms of the other hashes listed (`sha1`, `sha256`, ...).
    pub ignored: Vec<String>,
}

/// Compares the integrity a lockfile recorded with the registry's: for each
/// algorithm both name, the lockfile's hashes must be among the registry's
/// (a lockfile that pins other bytes than the registry serves installs
/// something the attestations are not about). Strings that share no
/// algorithm cannot be compared, and that is a failure, not a pass.
pub fn compare_integrity(lockfile: &str, registry: &str) -> Result<String, String> {
    fn hashes<'a>(sri: &'a str, whose: &str) -> Result<Vec<(&'a str, &'a str)>, String> {
        Ok(integrity_entries(sri)
            .map_err(|e| format!("The {whose} integrity is refused: {e}."))?
            .into_iter()
            .filter_map(|token| token.split('?').next()?.split_once('-'))
            .filter(|(algorithm, digest)| !algorithm.is_empty() && !digest.is_empty())
            .collect())
    }
    let (locked, served) = (hashes(lockfile, "lockfile's")?, hashes(registry, "registry's")?);
    let mut shared: Vec<&str> = locked
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| served.iter().any(|(b, _)| b == a))
        .collect();
    shared.dedup();
    if shared.is_empty() {
        return Err(format!(
            "The lockfile's integrity {} and the registry's {} name no algorithm in common, so they cannot be compared.",
            truncate(lockfile, 60),
            truncate(registry, 60)
        ));
    }
    for (algorithm, digest) in &locked {
        let known = served.iter().any(|(a, d)| a == algorithm && d == digest);
        if shared.contains(algorithm) && !known {
            return Err(format!(
                "The lockfile records {algorithm}-{} but the registry's dist.integrity is {}: the lockfile pins other bytes than the registry serves.",
                truncate(digest, 24),
                truncate(registry, 100)
            ));
        }
    }
    Ok(format!(
        "The lockfile's {} equals the registry's dist.integrity.",
        shared.join(" and ")
    ))
}

/// Most hashes in an integrity string (npm writes one): one with more is
/// refused whole, never read in part (ssri would read a later entry that
/// a cut reading ignores).
pub const MAX_INTEGRITY_HASHES: usize = 16;
/// An SRI string holds a few hashes; a longer "integrity" is not one, and
/// is refused.
pub const MAX_INTEGRITY_LEN: usize = 1024;

/// Where an integrity string is split into entries: wherever npm's ssri
/// splits it (JavaScript's `\s`, which has the vertical tab, the no-break
/// space, U+2028, U+3000 and U+FEFF beside ASCII's spaces), and at Unicode's
/// other white space. Read at ASCII spaces only, `... \u{3000}sha512-X`
/// was one entry of an unknown algorithm, while ssri accepts a tarball whose
/// sha512 is X (found by the `integrity` fuzz target).
fn is_integrity_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The entries of an integrity string, or why it is refused: longer than
/// [`MAX_INTEGRITY_LEN`], or more than [`MAX_INTEGRITY_HASHES`] entries.
/// Every entry is read (none ignored after a count).
fn integrity_entries(integrity: &str) -> Result<Vec<&str>, String> {
    if integrity.chars().count() > MAX_INTEGRITY_LEN {
        return Err(format!(
            "the integrity {:?} is longer than {MAX_INTEGRITY_LEN} characters: not an SRI string a package manager writes",
            truncate(integrity, 60)
        ));
    }
    let entries: Vec<&str> = integrity.split(is_integrity_space).filter(|e| !e.is_empty()).collect();
    if entries.len() > MAX_INTEGRITY_HASHES {
        return Err(format!(
            "the integrity {:?} lists {} entries; more than {MAX_INTEGRITY_HASHES} are refused rather than read in part",
            truncate(integrity, 60),
            entries.len()
        ));
    }
    Ok(entries)
}

/// Reads an integrity string (`sha512-<base64>`, several space-separated
/// hashes allowed, options after `?`). npm's checker (ssri) accepts a tarball
/// that matches any of the listed hashes of the strongest algorithm, so every
/// sha512 listed must be the signed one; an integrity without sha512 is
/// unusable, since npm's attestations state sha512.
pub fn parse_integrity(integrity: &str) -> Result<Integrity, String> {
    let mut parsed = Integrity {
        sha512: Vec::new(),
        ignored: Vec::new(),
    };
    for token in integrity_entries(integrity)? {
        let token = token.split('?').next().unwrap_or_default();
        match token.split_once('-') {
            Some(("sha512", b64)) => {
                let bytes = STANDARD.decode(b64).map_err(|_| {
                    format!(
                        "the sha512 in the integrity {:?} is not base64",
                        truncate(integrity, 100)
                    )
                })?;
                parsed.sha512.push(
                    bytes
                        .try_into()
                        .map_err(|_| "a sha512 in the integrity is not 64 bytes long".to_string())?,
                );
            }
            Some((algorithm, _)) if !algorithm.is_empty() => {
                let algorithm = truncate(algorithm, 20);
                if !parsed.ignored.contains(&algorithm) {
                    parsed.ignored.push(algorithm);
                }
            }
            _ => {}
        }
    }
    if parsed.sha512.is_empty() {
        return Err(format!(
            "the integrity {:?} has no sha512 hash",
            truncate(integrity, 100)
        ));
    }
    Ok(parsed)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
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
    #[test]
    fn lockfile_integrity_is_compared_per_shared_algorithm() {
        let a = "sha512-AAAA";
        let b = "sha512-BBBB";
        assert!(compare_integrity(a, a).is_ok());
        assert!(compare_integrity(a, b).unwrap_err().contains("pins other bytes"));
        // A lockfile hash among several the registry lists is the registry's.
        assert!(compare_integrity(a, &format!("{b} {a}")).is_ok());
        // Another algorithm beside the shared one is not compared.
        assert!(compare_integrity(&format!("sha1-XXXX {a}"), a).is_ok());
        assert!(
            compare_integrity("sha1-XXXX", a)
                .unwrap_err()
                .contains("no algorithm in common")
        );
        assert!(compare_integrity("", a).unwrap_err().contains("no algorithm in common"));
        // Options after `?` are not part of the hash.
        assert!(compare_integrity("sha512-AAAA?foo", a).is_ok());
    }

    /// A token without an algorithm or without a digest is no hash: two such
    /// tokens share nothing to compare (not a pass), and an empty digest
    /// beside a real one does not make a shared algorithm differ.
    #[test]
    fn lockfile_integrity_tokens_without_algorithm_or_digest_are_not_hashes() {
        assert_eq!(
            compare_integrity("-AAAA", "-AAAA").unwrap_err(),
            "The lockfile's integrity -AAAA and the registry's -AAAA name no algorithm in common, so they cannot be compared."
        );
        assert_eq!(
            compare_integrity("sha512-AAAA sha1-", "sha512-AAAA sha1-BBBB"),
            Ok("The lockfile's sha512 equals the registry's dist.integrity.".to_string())
        );
    }

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
    fn purls_read_back() {
        assert_eq!(
            parse_purl("pkg:npm/sigstore@2.0.0"),
            Some(("sigstore".into(), "2.0.0".into()))
        );
        assert_eq!(
            parse_purl("pkg:npm/%40laurentsimon/provenance-npm-test@1.0.0"),
            Some(("@laurentsimon/provenance-npm-test".into(), "1.0.0".into()))
        );
        for other in [
            "pkg:npm/@scope/name@1.0.0",
            "pkg:npm/sigstore@2.0.0?arch=x",
            "pkg:npm/sigstore",
            "pkg:pypi/sigstore@2.0.0",
            "pkg:npm/../x@1.0.0",
            "pkg:npm/a b@1.0.0",
            "pkg:npm/sigstore@2.0.0 ",
        ] {
            assert_eq!(parse_purl(other), None, "{other}");
        }
    }

    #[test]
    fn specs() {
        assert_eq!(split_spec("@a/b@1.0.0"), Some(("@a/b", "1.0.0")));
        assert_eq!(split_spec("b@1"), Some(("b", "1")));
        assert_eq!(split_spec("@a/b"), None);
    }

    #[test]
    fn integrity() {
        const ONE: &str =
            "sha512-8G+/XDU8wNsJOQS5ysDVO0Etg9/2uA5gR9l4ZwijjlwxBcrU6RPfwi2+jJmbP+Ap1Hlp/nVAaEO4Fj22/SL2gQ==";
        let d = parse_integrity(ONE).unwrap();
        assert_eq!(d.sha512.len(), 1);
        assert!(hex(&d.sha512[0]).starts_with("f06fbf5c353cc0db"));
        // Every sha512 is kept, others are named as not compared.
        let two = format!("{ONE} sha1-AAAA {} sha512-{}?opt", "sha256-BBBB", "A".repeat(86) + "==");
        let d = parse_integrity(&two).unwrap();
        assert_eq!(d.sha512.len(), 2);
        assert_eq!(d.ignored, ["sha1", "sha256"]);
        assert!(parse_integrity("sha1-abc").unwrap_err().contains("no sha512"));
        assert!(parse_integrity("").is_err());
        assert!(parse_integrity("sha512-AAAA").is_err());
        assert!(parse_integrity("sha512-!!").is_err());
    }

    /// A token with no algorithm before its `-` names nothing: it is neither
    /// compared nor reported as an algorithm that was not compared.
    #[test]
    fn an_integrity_token_without_an_algorithm_is_not_named() {
        let sha512 = format!("sha512-{}==", "A".repeat(86));
        let d = parse_integrity(&format!("-AAAA {sha512} sha1-BBBB -CCCC")).unwrap();
        assert_eq!(d.sha512, [[0u8; 64]]);
        assert_eq!(d.ignored, ["sha1"]);
    }

    /// npm's limits, exactly: a name of `MAX_NAME_LEN` characters is one, a
    /// character more is not; likewise a version of `MAX_VERSION_LEN`.
    #[test]
    fn names_and_versions_at_their_length_limits() {
        validate_name(&"a".repeat(MAX_NAME_LEN)).unwrap();
        assert_eq!(
            validate_name(&"a".repeat(MAX_NAME_LEN + 1)).unwrap_err(),
            "the package name is 215 characters long; npm allows at most 214"
        );
        validate_version(&"1".repeat(MAX_VERSION_LEN)).unwrap();
        assert_eq!(
            validate_version(&"1".repeat(MAX_VERSION_LEN + 1)).unwrap_err(),
            "the version is empty or too long"
        );
        assert_eq!(
            validate_version(&"1".repeat(MAX_VERSION_LEN + 100)).unwrap_err(),
            "the version is empty or too long"
        );
    }
}
