//! A truthful verdict: every outcome the core can reach (the testkit's
//! scenarios, one package version each), and how the badge and the command
//! line show it. Only a version that passed every check is shown as
//! verified; claims of a provenance attestation that verified inside a
//! version that did not are never shown as vouched for. (The app's page
//! shows the same scenarios in `tests/e2e/synthetic.test.mjs`.)

mod common;
use common::BIN;

use std::process::Command;

use npm_provenance::exit;
use npm_provenance::render::checklist;
use npm_provenance::serve::badge::{BadgeState, BadgeStyle, shields_json, svg};
use npm_provenance::verify_cmd::exit_status;
use npm_provenance_core::checks::all_passed;
use npm_provenance_core::lookup::{Answer, Depth, DocumentKind, Question, run_blocking};
use npm_provenance_core::{CheckStatus, RegistryKeys, Report, TrustMaterial, Verdict};
use npm_provenance_testkit::scenarios::{Scenario, Scenarios, verdict_scenarios};

fn trust(s: &Scenarios) -> TrustMaterial {
    let mut keys = RegistryKeys::empty();
    keys.add_keys_document(&s.keys_document).unwrap();
    TrustMaterial::from_trusted_root_json(&s.trusted_root, keys).unwrap()
}

/// A scenario through the core's one lookup, from a registry that serves
/// its documents (and signs, with the scenario's keys).
fn verify(s: &Scenario, trust: &TrustMaterial) -> Report {
    let packument = packument(s);
    let version_document = packument["versions"][&s.version].to_string();
    let question = Question::new("https://registry.example", &s.name, Some(&s.version), Depth::Version);
    let outcome = run_blocking::<()>(question, trust, |request| {
        Ok(match request.kind {
            DocumentKind::VersionDocument => Answer::Body(version_document.clone()),
            DocumentKind::Packument => Answer::Body(packument.to_string()),
            DocumentKind::Attestations => s.attestations.clone().map_or(Answer::NotFound, Answer::Body),
            DocumentKind::Keys => Answer::NotFound,
        })
    })
    .unwrap();
    outcome.report
}

fn verdict_name(v: Verdict) -> String {
    serde_json::to_value(v).unwrap().as_str().unwrap().to_string()
}

#[test]
fn every_outcome_is_reached_and_only_verified_is_shown_as_verified() {
    let scenarios = verdict_scenarios();
    let trust = trust(&scenarios);
    let mut seen = std::collections::BTreeSet::new();
    for s in &scenarios.list {
        let report = verify(s, &trust);
        let what = s.what;
        assert_eq!(verdict_name(report.verdict), s.verdict, "{what}: {}", report.summary);
        seen.insert(s.verdict);
        let verified = report.verdict == Verdict::Verified;
        let all_checks: Vec<_> = report
            .checks
            .iter()
            .chain(report.attestations.iter().flat_map(|a| &a.checks))
            .cloned()
            .collect();
        if verified {
            assert!(
                all_passed(&all_checks) && report.provenance_attestation().is_some(),
                "{what}"
            );
        }
        if all_checks.iter().any(|c| c.status == CheckStatus::Failed) {
            assert_eq!(report.verdict, Verdict::Failed, "{what}");
        }
        assert_eq!(
            report.provenance.is_some(),
            s.provenance_verifies,
            "{what}: provenance summary"
        );

        // The badge: green and "verified" only for a verified version.
        let badge = BadgeState::from_report(&report);
        assert_eq!(badge.message.starts_with("verified"), verified, "{what}: {badge:?}");
        assert_eq!(badge.color.0 == "brightgreen", verified, "{what}: {badge:?}");
        let image = svg("provenance", &badge, BadgeStyle::Flat);
        assert_eq!(image.contains(">verified"), verified, "{what}");
        let endpoint: serde_json::Value = serde_json::from_str(&shields_json("provenance", &badge)).unwrap();
        assert_eq!(endpoint["color"] == "brightgreen", verified, "{what}");
        let expected_message = match report.verdict {
            Verdict::Verified => "verified · GitHub Actions",
            Verdict::Failed => "unverified",
            Verdict::Incomplete => "incomplete",
            Verdict::NoProvenance => "none",
            Verdict::Error => "error",
        };
        assert_eq!(badge.message, expected_message, "{what}");

        // The command line: the first word and the exit status.
        let text = checklist(&report);
        let first = text.split(':').next().unwrap();
        let expected_first = match report.verdict {
            Verdict::Verified => "VERIFIED",
            Verdict::Failed => "FAILED",
            Verdict::NoProvenance => "NO PROVENANCE",
            Verdict::Incomplete => "INCOMPLETE",
            Verdict::Error => "ERROR",
        };
        assert_eq!(first, expected_first, "{what}");
        let expected_exit = match report.verdict {
            Verdict::Verified => exit::VERIFIED,
            Verdict::Error => exit::UNUSABLE,
            _ => exit::REJECTED,
        };
        assert_eq!(exit_status(report.verdict), expected_exit, "{what}");
        if report.provenance.is_some() {
            let vouched = text.contains("\nProvenance\n");
            let disclaimed = text.contains("\nProvenance (NOT VERIFIED");
            assert_eq!((vouched, disclaimed), (verified, !verified), "{what}:\n{text}");
        }
    }
    let all = ["verified", "failed", "no_provenance", "incomplete", "error"];
    assert_eq!(seen, all.into_iter().collect(), "every verdict has a scenario");
}

/// The registry's package document for a scenario, as the test registry
/// serves it: the version's integrity, registry signatures and attestations.
fn packument(s: &Scenario) -> serde_json::Value {
    let mut dist = serde_json::json!({
        "signatures": s.registry_signatures.iter()
            .map(|(keyid, sig)| serde_json::json!({ "keyid": keyid, "sig": sig }))
            .collect::<Vec<_>>(),
    });
    if let Some(integrity) = &s.integrity {
        dist["integrity"] = integrity.as_str().into();
    }
    if s.attestations.is_some() {
        dist["attestations"] = serde_json::json!({ "url": "https://registry.example/-/npm/v1/attestations/x" });
    }
    serde_json::json!({
        "name": s.name,
        "versions": { &s.version: { "name": s.name, "version": s.version, "dist": dist } },
        "time": { &s.version: "2024-06-01T12:00:00.000Z" },
    })
}

/// The binary itself, on every scenario: given the attestations response (when
/// there is one) and the packument, it checks registry signatures too.
#[test]
fn the_command_exits_by_the_verdict() {
    let scenarios = verdict_scenarios();
    let dir = std::env::temp_dir().join(format!("np-verdicts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = dir.join("trusted_root.json");
    let keys = dir.join("keys.json");
    std::fs::write(&root, &scenarios.trusted_root).unwrap();
    std::fs::write(&keys, &scenarios.keys_document).unwrap();
    for s in &scenarios.list {
        let doc = dir.join(format!("{}.packument.json", s.version));
        std::fs::write(&doc, packument(s).to_string()).unwrap();
        let mut command = Command::new(BIN);
        command
            .args([
                "verify",
                "--package",
                &format!("{}@{}", s.name, s.version),
                "--packument",
            ])
            .arg(&doc);
        if let Some(attestations) = &s.attestations {
            let file = dir.join(format!("{}.json", s.version));
            std::fs::write(&file, attestations).unwrap();
            command.arg("--attestations").arg(&file);
        }
        let out = command
            .arg("--trusted-root")
            .arg(&root)
            .arg("--keys")
            .arg(&keys)
            .arg("--json")
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}: {}", s.what, String::from_utf8_lossy(&out.stderr)));
        assert_eq!(report["verdict"], s.verdict, "{}", s.what);
        let expected = match s.verdict {
            "verified" => 0,
            "error" => 2,
            _ => 1,
        };
        assert_eq!(out.status.code(), Some(expected), "{}", s.what);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
