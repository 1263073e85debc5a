//! The provenance panel built from a statement and certificate claims that a
//! publisher controls: anyone can sign a statement with any predicate, and
//! refs, workflow paths and repository names are theirs to choose.
//! Input: `{"statement": {...}, "identity": {...}}`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::identity::{certificate_build, check_consistency};
use npm_provenance_core::predicate::read_provenance;
use npm_provenance_core::summary::provenance_summary;
use npm_provenance_core::{AttestationKind, AttestationReport, Identity, Verdict};
use npm_provenance_fuzz::{check_links, text};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let Ok(doc) = serde_json::from_str::<Value>(input) else {
        return;
    };
    let identity: Option<Identity> = serde_json::from_value(doc["identity"].clone()).ok();
    let statement = doc.get("statement").cloned();
    if let (Some(id), Some(predicate_type)) = (&identity, statement.as_ref().and_then(|s| s["predicateType"].as_str()))
    {
        let predicate = read_provenance(predicate_type, &statement.as_ref().unwrap()["predicate"]);
        let _ = check_consistency(&certificate_build(id), &predicate);
    }
    let att = AttestationReport {
        kind: AttestationKind::Provenance,
        verdict: Verdict::Verified,
        predicate_type: None,
        media_type: None,
        checks: Vec::new(),
        identity,
        signing_key: None,
        tlog: None,
        statement,
    };
    if let Some(summary) = provenance_summary(&att) {
        check_links(&serde_json::to_value(&summary).unwrap(), "");
        assert!(summary.headline.starts_with("Built and signed on "));
    }
});
