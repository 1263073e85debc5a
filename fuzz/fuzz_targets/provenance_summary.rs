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
    let mut att = AttestationReport::new(AttestationKind::Provenance, Verdict::Verified, Vec::new());
    att.identity = identity;
    att.statement = statement;
    if let Some(summary) = provenance_summary(&att) {
        check_links(&serde_json::to_value(&summary).unwrap(), "");
        // A platform headline only for a recognised issuer, and then no
        // link unless the platform's own; otherwise no link at all.
        if summary.recognised_issuer {
            assert!(summary.headline.starts_with("Built and signed on "));
        } else {
            assert!(!summary.headline.starts_with("Built and signed on "));
            assert!(
                summary.from_predicate.is_empty(),
                "no predicate values under another issuer"
            );
            let value = serde_json::to_value(&summary).unwrap();
            for field in ["source_repository", "source_commit", "build_file"] {
                assert!(
                    value[field]["url"].is_null(),
                    "{field} links under an unrecognised issuer"
                );
            }
            assert!(summary.build_summary_url.is_none());
        }
    }
});
