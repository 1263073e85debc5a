//! What every fuzz target asserts of a report, beyond "does not panic":
//! the verdict is truthful, every link is a safe `https:` URL, and the report
//! renders as JSON, as the command line's checklist and as a badge.

use npm_provenance::render::checklist;
use npm_provenance::serve::badge::{BadgeState, BadgeStyle, svg};
use npm_provenance_core::checks::{CheckStatus, all_passed};
use npm_provenance_core::links::https_url;
use npm_provenance_core::{Report, Verdict};
use serde_json::Value;

/// Inputs larger than this are cut: the core refuses big documents before
/// parsing, and the fuzzer's time is better spent on structure than on size.
pub const MAX_INPUT: usize = 256 * 1024;

pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(&data[..data.len().min(MAX_INPUT)]).ok()
}

/// Panics when the report breaks a promise the pages, the badge or the
/// command line rely on.
pub fn check_report(report: &Report) {
    let all_checks: Vec<_> = report
        .checks
        .iter()
        .chain(report.attestations.iter().flat_map(|a| a.checks.iter()))
        .cloned()
        .collect();
    if report.verdict == Verdict::Verified {
        assert!(all_passed(&all_checks), "verified with a check not passed: {report:#?}");
        assert!(!report.attestations.is_empty(), "verified with no attestation");
        assert!(
            report.attestations.iter().all(|a| a.verdict == Verdict::Verified),
            "verified with an attestation not verified"
        );
    }
    if all_checks.iter().any(|c| c.status == CheckStatus::Failed) {
        assert_eq!(report.verdict, Verdict::Failed, "a failed check under another verdict");
    }
    let json = serde_json::to_value(report).expect("a report serializes");
    check_links(&json, "");
    let badge = BadgeState::from_report(report);
    assert_eq!(
        badge.message.starts_with("verified"),
        report.verdict == Verdict::Verified
    );
    let image = svg("provenance", &badge, BadgeStyle::Flat);
    assert!(!image.contains("<script"));
    let text = checklist(report);
    assert!(!text.is_empty());
}

/// Every value under a key naming a URL must be a safe `https:` URL.
pub fn check_links(value: &Value, key: &str) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| check_links(v, k)),
        Value::Array(items) => items.iter().for_each(|v| check_links(v, key)),
        Value::String(s) if is_link_key(key) => {
            assert!(https_url(s).is_some(), "unsafe link under {key:?}: {s:?}")
        }
        _ => {}
    }
}

fn is_link_key(key: &str) -> bool {
    key == "url" || key.ends_with("_url")
}
