//! Other Sigstore clients' own test data (tests/fixtures/peers), natively:
//! what sigstore-js, sigstore-python and sigstore-go verify verifies here
//! too, and the two refusals the README keeps on purpose. The same cases run
//! in the browser (tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::peers;

#[test]
fn a_rekor_v2_dsse_entry_verifies() {
    peers::a_rekor_v2_dsse_entry_verifies();
}

#[test]
fn a_timestamp_over_another_signature_is_not_counted() {
    peers::a_timestamp_over_another_signature_is_not_counted();
}

#[test]
fn a_bundle_whose_only_timestamp_fails_still_fails() {
    peers::a_bundle_whose_only_timestamp_fails_still_fails();
}

#[test]
fn a_rekor_v2_entry_recording_the_certificates_key_verifies() {
    peers::a_rekor_v2_entry_recording_the_certificates_key_verifies();
}

#[test]
fn an_othername_identity_is_read_and_matched() {
    peers::an_othername_identity_is_read_and_matched();
}

#[test]
fn authorities_without_a_validity_start_are_unbounded() {
    peers::authorities_without_a_validity_start_are_unbounded();
}

#[test]
fn a_log_entry_given_twice_is_refused() {
    peers::a_log_entry_given_twice_is_refused();
}

#[test]
fn dsse_envelopes_of_other_payloads_verify_as_signed_bytes() {
    peers::dsse_envelopes_of_other_payloads_verify_as_signed_bytes();
}

#[test]
fn a_key_signed_bundle_whose_entry_records_a_certificate_is_refused() {
    peers::a_key_signed_bundle_whose_entry_records_a_certificate_is_refused();
}

#[test]
fn an_undefined_bundle_version_is_refused() {
    peers::an_undefined_bundle_version_is_refused();
}
