//! Trust levels and downgrades as the one package-version path decides
//! them, over documents the testkit signs: each level reached by exactly the
//! evidence it requires, failures without a level, the registry's word on
//! trusted publishing counted only beside a certificate of its platform, and
//! the history compared when it is given. (The same packages through the
//! command line, the server and the page: crates/cli/tests/trust_signals.rs,
//! tests/e2e/trust.test.mjs.)
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::kit::{COMMIT, Case, REPO, WORKFLOW};

use npm_provenance_core::publishing::{PublishSignals, TrustLevel, TrustedPublisher};
use npm_provenance_core::{
    ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, RegistrySignature, Report, Verdict,
    VersionSummary, parse_packument, verify_package_version,
};
use npm_provenance_testkit::{self as kit, Faults, NPM_PUBLISH, SLSA_V1, attestations_response, integrity_of};

const NAME: &str = "widget";
const VERSION: &str = "1.2.0";

/// What a version's documents hold.
#[derive(Clone, Copy)]
struct Docs {
    provenance: bool,
    publish: bool,
    signature: bool,
    broken_signature: bool,
}

const FULL: Docs = Docs {
    provenance: true,
    publish: true,
    signature: true,
    broken_signature: false,
};

impl Case {
    fn verify_version(&self, docs: Docs, signals: &PublishSignals, history: Option<&[VersionSummary]>) -> Report {
        // This package's own name and version, built by the kit's workflow.
        let statement = kit::github_provenance(NAME, VERSION, &self.sha512, REPO, WORKFLOW, COMMIT);
        let provenance = self.keyless(&statement);
        let publish = self
            .kit
            .keyed_bundle(&kit::publish_statement(NAME, VERSION, &self.sha512), &Faults::default());
        let mut entries: Vec<(&str, &str)> = Vec::new();
        if docs.provenance {
            entries.push((SLSA_V1, &provenance));
        }
        if docs.publish {
            entries.push((NPM_PUBLISH, &publish));
        }
        let prepared = (!entries.is_empty()).then(|| PreparedAttestations::parse(&attestations_response(&entries)));
        let signed_integrity = if docs.broken_signature {
            integrity_of(b"other bytes").0
        } else {
            self.integrity.clone()
        };
        let signatures: Vec<RegistrySignature> = if docs.signature {
            let sig = self.kit.registry_signature(NAME, VERSION, &signed_integrity);
            vec![serde_json::from_value(sig).unwrap()]
        } else {
            vec![]
        };
        let documents = PackageVersionDocuments {
            name: NAME,
            version: VERSION,
            integrity: Some(&self.integrity),
            attestations: prepared.as_ref(),
            registry_signatures: &signatures,
            publishing: Some(signals),
            history,
            ..Default::default()
        };
        verify_package_version(&documents, &self.trust(), &ExpectedIdentity::default())
    }
}

fn trusted_publisher(id: &str) -> PublishSignals {
    PublishSignals {
        trusted_publisher: Some(TrustedPublisher {
            id: id.into(),
            oidc_config_id: None,
        }),
        approver: None,
    }
}

#[test]
fn each_level_is_reached_by_exactly_its_evidence() {
    let c = Case::new();
    let none = PublishSignals::default();
    let cases: [(Docs, PublishSignals, Verdict, Option<TrustLevel>); 9] = [
        (
            FULL,
            trusted_publisher("github"),
            Verdict::Verified,
            Some(TrustLevel::TrustedPublisher),
        ),
        // The registry names another platform than the certificate's.
        (
            FULL,
            trusted_publisher("gitlab"),
            Verdict::Verified,
            Some(TrustLevel::Provenance),
        ),
        (FULL, none.clone(), Verdict::Verified, Some(TrustLevel::Provenance)),
        // No provenance: what the registry signed is all there is.
        (
            Docs {
                provenance: false,
                publish: false,
                ..FULL
            },
            trusted_publisher("github"),
            Verdict::NoProvenance,
            Some(TrustLevel::RegistrySignature),
        ),
        (
            Docs {
                provenance: false,
                publish: false,
                signature: false,
                ..FULL
            },
            none.clone(),
            Verdict::NoProvenance,
            Some(TrustLevel::None),
        ),
        // Provenance without the registry's publish attestation is not
        // verified provenance, and checks that could not run are no level
        // either (a level would say more than was verified).
        (
            Docs { publish: false, ..FULL },
            trusted_publisher("github"),
            Verdict::Incomplete,
            None,
        ),
        (
            Docs {
                publish: false,
                signature: false,
                ..FULL
            },
            none.clone(),
            Verdict::Incomplete,
            None,
        ),
        // A failure is not a level.
        (
            Docs {
                broken_signature: true,
                ..FULL
            },
            trusted_publisher("github"),
            Verdict::Failed,
            None,
        ),
        (
            Docs {
                provenance: false,
                publish: false,
                broken_signature: true,
                ..FULL
            },
            none.clone(),
            Verdict::Failed,
            None,
        ),
    ];
    for (i, (docs, signals, verdict, level)) in cases.into_iter().enumerate() {
        let report = c.verify_version(docs, &signals, None);
        assert_eq!(
            (report.verdict, report.trust),
            (verdict, level),
            "case {i}: {}",
            report.summary
        );
        // The registry's word is reported as it was said, whatever the level.
        assert_eq!(
            report.publishing,
            Some(signals).filter(|s| *s != PublishSignals::default()),
            "case {i}"
        );
        assert!(
            !report.downgrade_checked && report.downgrade.is_none(),
            "case {i}: no history, no comparison"
        );
    }
}

fn history(earlier: &str) -> Vec<VersionSummary> {
    parse_packument(&format!(
        r#"{{"name":"{NAME}","time":{{"1.1.0":"2024-01-01T00:00:00Z","{VERSION}":"2024-02-01T00:00:00Z"}},
        "versions":{{"1.1.0":{earlier},"{VERSION}":{{"dist":{{}}}}}}}}"#
    ))
    .unwrap()
    .history
}

#[test]
fn the_history_given_is_compared_and_the_downgrade_named() {
    let c = Case::new();
    let trusted_before =
        history(r#"{"_npmUser":{"trustedPublisher":{"id":"github"}},"dist":{"attestations":{"url":"u"}}}"#);
    let report = c.verify_version(FULL, &PublishSignals::default(), Some(&trusted_before));
    assert!(report.downgrade_checked);
    let d = report.downgrade.expect("a downgrade");
    assert_eq!(
        (d.version.as_str(), d.level, d.now),
        ("1.1.0", TrustLevel::TrustedPublisher, TrustLevel::Provenance)
    );
    // Published the same way: checked, no downgrade.
    let report = c.verify_version(FULL, &trusted_publisher("github"), Some(&trusted_before));
    assert!(report.downgrade_checked && report.downgrade.is_none());
    // A staged publish (the approver, no trusted publisher) is not one.
    let staged = PublishSignals {
        trusted_publisher: None,
        approver: Some("alice".into()),
    };
    let report = c.verify_version(FULL, &staged, Some(&trusted_before));
    assert!(
        report.downgrade_checked && report.downgrade.is_none(),
        "{:?}",
        report.downgrade
    );
    // A failure has no level to compare.
    let report = c.verify_version(
        Docs {
            broken_signature: true,
            ..FULL
        },
        &PublishSignals::default(),
        Some(&trusted_before),
    );
    assert!(!report.downgrade_checked && report.downgrade.is_none());
}
