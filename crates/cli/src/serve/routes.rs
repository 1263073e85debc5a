//! Parsing the server's package routes. Pure functions over untrusted paths:
//! every failure is a value, never a panic (there is a fuzz target for this).

use npm_provenance_core::package::{validate_name, validate_version};

/// Longest request path accepted; npm names are at most 214 characters.
pub const MAX_PATH_LEN: usize = 512;

/// The format a badge is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeFormat {
    Svg,
    /// A shields.io endpoint document.
    Json,
}

/// A package, and a version unless the latest is meant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PackageQuery {
    pub name: String,
    pub version: Option<String>,
}

/// Why a route does not name a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    TooLong,
    /// Not a route of this kind at all.
    NotFound,
    /// A route of this kind, naming no valid package.
    Invalid(String),
}

pub use npm_provenance_core::percent::decode_strict as percent_decode;

/// Parses `name`, `@scope/name`, `name/version` or `@scope/name/version`.
pub fn parse_package(rest: &str) -> Result<PackageQuery, RouteError> {
    let decoded = percent_decode(rest).ok_or_else(|| RouteError::Invalid("the path has malformed escapes".into()))?;
    let parts: Vec<&str> = decoded.split('/').collect();
    let (name, version) = match (decoded.starts_with('@'), parts.as_slice()) {
        (true, [scope, name]) => (format!("{scope}/{name}"), None),
        (true, [scope, name, version]) => (format!("{scope}/{name}"), Some(*version)),
        (false, [name]) => (name.to_string(), None),
        (false, [name, version]) => (name.to_string(), Some(*version)),
        _ => {
            return Err(RouteError::Invalid(format!(
                "{:?} is not a package path",
                truncate(&decoded)
            )));
        }
    };
    validate_name(&name).map_err(RouteError::Invalid)?;
    if let Some(v) = version {
        validate_version(v).map_err(RouteError::Invalid)?;
    }
    Ok(PackageQuery {
        name,
        version: version.map(str::to_string),
    })
}

fn truncate(text: &str) -> String {
    npm_provenance_core::package::truncate(text, 80)
}

/// `/badge/npm/<package>.svg` or `.json`.
pub fn parse_badge_path(path: &str) -> Result<(PackageQuery, BadgeFormat), RouteError> {
    if path.len() > MAX_PATH_LEN {
        return Err(RouteError::TooLong);
    }
    let rest = path.strip_prefix("/badge/npm/").ok_or(RouteError::NotFound)?;
    let (rest, format) = if let Some(r) = rest.strip_suffix(".svg") {
        (r, BadgeFormat::Svg)
    } else if let Some(r) = rest.strip_suffix(".json") {
        (r, BadgeFormat::Json)
    } else {
        return Err(RouteError::NotFound);
    };
    Ok((parse_package(rest)?, format))
}

/// `/api/verify/<package>`.
pub fn parse_verify_path(path: &str) -> Result<PackageQuery, RouteError> {
    if path.len() > MAX_PATH_LEN {
        return Err(RouteError::TooLong);
    }
    let rest = path.strip_prefix("/api/verify/").ok_or(RouteError::NotFound)?;
    parse_package(rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, version: Option<&str>) -> PackageQuery {
        PackageQuery {
            name: name.into(),
            version: version.map(str::to_string),
        }
    }

    #[test]
    fn badge_paths() {
        assert_eq!(
            parse_badge_path("/badge/npm/sigstore.svg"),
            Ok((q("sigstore", None), BadgeFormat::Svg))
        );
        assert_eq!(
            parse_badge_path("/badge/npm/sigstore/2.3.1.json"),
            Ok((q("sigstore", Some("2.3.1")), BadgeFormat::Json))
        );
        assert_eq!(
            parse_badge_path("/badge/npm/@sigstore/cli.svg"),
            Ok((q("@sigstore/cli", None), BadgeFormat::Svg))
        );
        assert_eq!(
            parse_badge_path("/badge/npm/@sigstore/cli/0.8.0.svg"),
            Ok((q("@sigstore/cli", Some("0.8.0")), BadgeFormat::Svg))
        );
        assert_eq!(
            parse_badge_path("/badge/npm/%40sigstore%2Fcli.svg"),
            Ok((q("@sigstore/cli", None), BadgeFormat::Svg))
        );
    }

    #[test]
    fn hostile_paths_are_refused_without_panics() {
        for bad in [
            "/badge/npm/../../etc/passwd.svg",
            "/badge/npm/%2e%2e%2fetc%2fpasswd.svg",
            "/badge/npm/a/b/c.svg",
            "/badge/npm/.svg",
            "/badge/npm/%zz.svg",
            "/badge/npm/%.svg",
            "/badge/npm/a%00b.svg",
            "/badge/npm/%ff%fe.svg",
            "/badge/npm/<script>.svg",
            "/badge/npm/@scope.svg",
            "/badge/npm/name/1.0.0 .svg",
        ] {
            assert!(matches!(parse_badge_path(bad), Err(RouteError::Invalid(_))), "{bad}");
        }
        assert_eq!(
            parse_badge_path(&format!("/badge/npm/{}.svg", "a".repeat(600))),
            Err(RouteError::TooLong)
        );
        assert_eq!(parse_badge_path("/badge/npm/sigstore.png"), Err(RouteError::NotFound));
        assert_eq!(parse_badge_path("/badge/pypi/x.svg"), Err(RouteError::NotFound));
    }

    #[test]
    fn verify_paths() {
        assert_eq!(parse_verify_path("/api/verify/sigstore"), Ok(q("sigstore", None)));
        assert_eq!(
            parse_verify_path("/api/verify/@a/b/1.0.0/"),
            Ok(q("@a/b", Some("1.0.0")))
        );
        assert!(parse_verify_path("/api/verify/").is_err());
    }
}
