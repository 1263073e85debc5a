//! Sigstore's client conformance suite (the cases in tests/fixtures), each
//! verified by path and by digest, as its harness does: every case passes or
//! fails as the suite says, and each failing case fails at the check named
//! here (or, where its input is unusable, as unusable input). The same cases
//! run in the browser (tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::conformance::{EXPECTED, check_case};
use npm_provenance_fixtures::CASES;

#[test]
fn every_case_passes_or_fails_as_the_suite_says() {
    assert!(CASES.len() >= 58, "{} cases", CASES.len());
    for case in CASES {
        for by_digest in [false, true] {
            check_case(case, by_digest);
        }
    }
}

/// Every expectation names a case that exists (no stale rows).
#[test]
fn every_expectation_is_a_case() {
    for (name, _) in EXPECTED {
        assert!(CASES.iter().any(|c| c.name == *name && c.must_fail()), "{name}");
    }
}
