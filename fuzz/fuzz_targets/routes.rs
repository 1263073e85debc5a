//! The server's package routes and `?label=`: a request line's path and
//! query. Whatever parses must name a valid package that maps to registry
//! paths under the base URL, and survive a round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npm_provenance::serve::badge::{BadgeState, BadgeStyle, clean_label, shields_json, svg};
use npm_provenance::serve::routes::{PackageQuery, parse_badge_path, parse_package, parse_verify_path};
use npm_provenance_core::links::encode_path;
use npm_provenance_core::registry_documents::{attestations_path, packument_path, registry_url};

fn check(query: &PackageQuery) {
    let base = "https://registry.example/base";
    for path in [
        packument_path(&query.name),
        attestations_path(&query.name, query.version.as_deref().unwrap_or("1.0.0")),
    ] {
        let url = registry_url(base, &path);
        assert!(url.starts_with("https://registry.example/base/"), "{url}");
        assert!(
            !path.contains("/../") && !path.contains("?") && !path.contains('#'),
            "{path}"
        );
    }
    let mut again = encode_path(&query.name);
    if let Some(v) = &query.version {
        again = format!("{again}/{}", encode_path(v));
    }
    assert_eq!(parse_package(&again).as_ref(), Ok(query), "round trip of {again}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (path, query) = input.split_once('?').unwrap_or((input, ""));
    if let Ok((q, _)) = parse_badge_path(path) {
        check(&q);
    }
    if let Ok(q) = parse_verify_path(path) {
        check(&q);
    }
    let label = clean_label(Some(query));
    assert!(label.chars().count() <= 64 && !label.chars().any(char::is_control));
    let state = BadgeState::not_found();
    let image = svg(&label, &state, BadgeStyle::FlatSquare);
    assert!(
        !image.contains("<script") && image.matches("<text").count() == 4,
        "{image}"
    );
    let json: serde_json::Value = serde_json::from_str(&shields_json(&label, &state)).unwrap();
    assert_eq!(json["label"], label.as_str());
});
