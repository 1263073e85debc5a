//! The parsers written here rather than taken from a library: RFC 3339
//! times, `dist.integrity`, the registry's keys document and PEM keys, npm
//! names and versions, version ordering, safe links and visible text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::RegistryKeys;
use npm_provenance_core::links::https_url;
use npm_provenance_core::package::{parse_integrity, validate_name, validate_version};
use npm_provenance_core::registry_documents::compare_versions;
use npm_provenance_core::registry_keys::spki_from_pem;
use npm_provenance_core::text::visible;
use npm_provenance_core::time::{format_rfc3339, parse_rfc3339};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 8 == 0 && rest.len() >= 8 {
        // Any instant formats; in years 0 to 9999 what it formats to parses back.
        let seconds = i64::from_le_bytes(rest[..8].try_into().unwrap());
        let text = format_rfc3339(seconds);
        if !text.ends_with("since the epoch") {
            assert_eq!(parse_rfc3339(&text), Some(seconds), "{text}");
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match selector % 8 {
        1 => {
            if let Some(t) = parse_rfc3339(text) {
                assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
            }
        }
        2 => {
            let _ = parse_integrity(text);
        }
        3 => {
            let mut keys = RegistryKeys::empty();
            if let Ok(n) = keys.add_keys_document(text) {
                assert_eq!(keys.keys().len(), 2 * n);
            }
        }
        4 => {
            let _ = spki_from_pem(text);
        }
        5 => {
            if validate_name(text).is_ok() {
                // Nothing that could escape a URL path or its segment.
                assert!(!text.contains(['"', '<', '>', '\\', '?', '#', '%', ' ']), "{text:?}");
                assert!(text.split('/').all(|seg| seg != "." && seg != ".."), "{text:?}");
            }
            let _ = validate_version(text);
        }
        6 => {
            let (a, b) = text.split_once('\n').unwrap_or((text, ""));
            assert_eq!(compare_versions(a, b), compare_versions(b, a).reverse());
        }
        _ => {
            if let Some(url) = https_url(text) {
                assert!(url.starts_with("https://") && !url.contains(['"', '<', '>', ' ', '\n']));
            }
            let shown = visible(text);
            assert!(
                !shown
                    .chars()
                    .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c))
            );
        }
    }
});
