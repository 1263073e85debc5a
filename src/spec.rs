//! What people type or paste to name a package: `name`, `name@version`,
//! `@scope/name@version`, an npmjs.com package URL, or one of this app's
//! package paths.

use npm_provenance_core::package::{split_spec, validate_name, validate_version};
use npm_provenance_core::percent::decode_lossy as percent_decode_lossy;

/// A package and, optionally, a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSpec {
    pub name: String,
    pub version: Option<String>,
}

impl PackageSpec {
    /// This app's path for it: `/package/<name>[/v/<version>]`.
    pub fn path(&self) -> String {
        match &self.version {
            Some(v) => format!("/package/{}/v/{v}", self.name),
            None => format!("/package/{}", self.name),
        }
    }
}

/// Parses the part of a package path after `/package/`: `name`, `@scope/name`,
/// either followed by `/v/<version>`.
pub fn parse_package_path(path: &str) -> Result<PackageSpec, String> {
    let path = percent_decode_lossy(path.trim_matches('/'));
    let (name, version) = match path.split_once("/v/") {
        Some((name, version)) => (name.to_string(), Some(version.trim_end_matches('/').to_string())),
        None => (path.clone(), None),
    };
    validate_name(&name)?;
    if let Some(v) = &version {
        validate_version(v)?;
    }
    Ok(PackageSpec { name, version })
}

/// Parses what a person typed in the search box.
pub fn parse_search(input: &str) -> Result<PackageSpec, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Type a package name, name@version, or an npmjs.com package URL.".into());
    }
    // npmjs.com URLs and this app's own paths.
    for prefix in [
        "https://www.npmjs.com/package/",
        "https://npmjs.com/package/",
        "www.npmjs.com/package/",
        "npmjs.com/package/",
        "/package/",
    ] {
        if let Some(rest) = input.strip_prefix(prefix) {
            let rest = rest.split(['?', '#']).next().unwrap_or_default();
            return parse_package_path(rest);
        }
    }
    let decoded = percent_decode_lossy(input);
    let (name, version) = match split_spec(&decoded) {
        Some((name, version)) => (name.to_string(), Some(version.to_string())),
        None => (decoded.clone(), None),
    };
    validate_name(&name)?;
    if let Some(v) = &version {
        validate_version(v)?;
    }
    Ok(PackageSpec { name, version })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, version: Option<&str>) -> PackageSpec {
        PackageSpec {
            name: name.into(),
            version: version.map(str::to_string),
        }
    }

    #[test]
    fn search_inputs() {
        assert_eq!(parse_search("sigstore").unwrap(), spec("sigstore", None));
        assert_eq!(
            parse_search(" sigstore@2.3.1 ").unwrap(),
            spec("sigstore", Some("2.3.1"))
        );
        assert_eq!(
            parse_search("@sigstore/cli@0.8.0").unwrap(),
            spec("@sigstore/cli", Some("0.8.0"))
        );
        assert_eq!(parse_search("@sigstore/cli").unwrap(), spec("@sigstore/cli", None));
        assert_eq!(
            parse_search("https://www.npmjs.com/package/@sigstore/cli/v/0.8.0").unwrap(),
            spec("@sigstore/cli", Some("0.8.0"))
        );
        assert_eq!(
            parse_search("https://www.npmjs.com/package/sigstore?activeTab=versions").unwrap(),
            spec("sigstore", None)
        );
        assert_eq!(parse_search("%40scope%2Fname").unwrap(), spec("@scope/name", None));
        // `/search?q=` hands these words to the app from any link: none may
        // lead off this origin or out of `/package/`.
        for bad in [
            "",
            "a b",
            "<script>",
            "https://evil.example/package/x",
            "x@1 2",
            "//evil.example/package/x",
            "/package/..%2f..%2fsearch",
            "javascript:alert(1)",
        ] {
            assert!(parse_search(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn package_paths() {
        assert_eq!(parse_package_path("@a/b/v/1.0.0").unwrap(), spec("@a/b", Some("1.0.0")));
        assert_eq!(parse_package_path("b").unwrap(), spec("b", None));
        assert_eq!(parse_package_path("%40a%2Fb").unwrap(), spec("@a/b", None));
        assert!(parse_package_path("../../etc/passwd").is_err());
        assert_eq!(spec("@a/b", Some("1")).path(), "/package/@a/b/v/1");
    }
}
