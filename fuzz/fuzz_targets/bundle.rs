//! A pasted document (one bundle or an attestations response), as the
//! inspector and `npm-provenance verify --bundle` read it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::{ArtifactExpectation, ExpectedIdentity, TrustMaterial, inspect, verify_single_bundle};
use npm_provenance_fuzz::{check_report, text};

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let trust = TrustMaterial::public_good();
    let expected = ExpectedIdentity::default();
    check_report(&inspect(input, None, None, &trust, &expected));
    check_report(&verify_single_bundle(
        input,
        ArtifactExpectation::Unknown,
        None,
        &trust,
        &expected,
    ));
});
