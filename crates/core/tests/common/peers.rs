//! Other Sigstore clients' own test data (tests/fixtures/peers: sigstore-js,
//! sigstore-python, sigstore-go), each case one of them verifies, checked
//! through the same core calls as `npm-provenance verify --bundle`, the
//! inspector and a package version; shared by the native tests
//! (tests/peers.rs) and the browser's (tests/wasm.rs). Each function is one
//! case of issue #26, or one of the refusals the README keeps on purpose.

use npm_provenance_core::registry_keys::spki_from_pem;
use npm_provenance_core::{
    ArtifactExpectation, AttestationKind, CheckId, CheckStatus, DigestAlgorithm, ExpectedIdentity,
    PackageVersionDocuments, PreparedAttestations, RegistryKeys, Report, TrustMaterial, Verdict, inspect,
    verify_package_version, verify_single_bundle,
};
use npm_provenance_fixtures::embedded::peers::*;
use serde_json::{Value, json};

fn root(json: &str) -> TrustMaterial {
    TrustMaterial::from_trusted_root_json(json, RegistryKeys::npm()).unwrap_or_else(|e| panic!("{e}"))
}

/// sigstore-js's trusted root for its own tests.
pub fn js_trust() -> TrustMaterial {
    root(JS_TRUSTED_ROOT)
}

/// What sigstore-python's timestamp tests trust: its staging root with
/// their test timestamp authority as the only one.
fn python_trust() -> TrustMaterial {
    let mut root_doc: Value = serde_json::from_str(PYTHON_STAGING_ROOT).unwrap();
    let authority: Value = serde_json::from_str(PYTHON_TSA_AUTHORITY).unwrap();
    root_doc["timestampAuthorities"] = json!([authority]);
    root(&root_doc.to_string())
}

fn hello() -> ArtifactExpectation {
    ArtifactExpectation::Blob(JS_ARTIFACT.as_bytes().to_vec())
}

fn sha256(bytes: &[u8]) -> ArtifactExpectation {
    use sha2::Digest;
    ArtifactExpectation::Digest {
        algorithm: DigestAlgorithm::Sha256,
        bytes: sha2::Sha256::digest(bytes).to_vec(),
        source: "the given digest".into(),
    }
}

fn verify(bundle: &str, artifact: ArtifactExpectation, trust: &TrustMaterial) -> Report {
    verify_single_bundle(bundle, artifact, None, trust, &ExpectedIdentity::default())
}

fn brian() -> ExpectedIdentity {
    ExpectedIdentity {
        subject_alternative_name: Some("brian@dehamer.com".into()),
        issuer: Some("https://github.com/login/oauth".into()),
        ..Default::default()
    }
}

fn checks(report: &Report) -> impl Iterator<Item = &npm_provenance_core::Check> {
    report
        .checks
        .iter()
        .chain(report.attestations.iter().flat_map(|a| &a.checks))
}

fn detail(report: &Report, id: CheckId) -> String {
    checks(report)
        .find(|c| c.id == id)
        .map(|c| c.detail.clone())
        .unwrap_or_else(|| panic!("no {id:?} check: {report:#?}"))
}

pub fn assert_verified(report: &Report, what: &str) {
    assert_eq!(
        report.verdict,
        Verdict::Verified,
        "{what}: {}\n{report:#?}",
        report.summary
    );
    for check in checks(report) {
        assert!(
            check.status == CheckStatus::Passed || (!check.required && check.status == CheckStatus::Skipped),
            "{what}: {check:?}"
        );
    }
}

/// The report failed at `check`, saying `says`.
pub fn assert_fails_at(report: &Report, check: CheckId, says: &str) {
    assert_eq!(report.verdict, Verdict::Failed, "{}", report.summary);
    let (_, failed) = report.first_failure().unwrap();
    assert_eq!(failed.id, check, "{}", failed.detail);
    assert!(
        failed.detail.contains(says),
        "{:?} does not say {says:?}",
        failed.detail
    );
}

fn with(bundle: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut doc: Value = serde_json::from_str(bundle).unwrap();
    change(&mut doc);
    doc.to_string()
}

/// Issue #26, 1: a DSSE bundle logged to Rekor v2 as a `dsse` 0.0.2 entry,
/// as sigstore-js's signer logs one, verifies: against Sigstore's
/// public-good root (its log is log2025-1.rekor.sigstore.dev) and against
/// sigstore-js's test root, over the artifact and over its digest.
pub fn a_rekor_v2_dsse_entry_verifies() {
    for (trust, which) in [
        (TrustMaterial::public_good(), "public good"),
        (js_trust(), "sigstore-js"),
    ] {
        for artifact in [hello(), sha256(JS_ARTIFACT.as_bytes())] {
            let report = verify_single_bundle(JS_REKOR_V2_DSSE, artifact, None, &trust, &brian());
            assert_verified(&report, which);
            let tlog = report.attestations[0].tlog.as_ref().unwrap();
            assert_eq!(
                (tlog.kind.as_str(), tlog.kind_version.as_str(), tlog.rekor_v2),
                ("dsse", "0.0.2", true)
            );
            assert_eq!(tlog.integrated_time, None, "Rekor v2 records no time");
            assert!(
                detail(&report, CheckId::LogEntryMatch).contains("(dsse 0.0.2) records this bundle's payload"),
                "{report:#?}"
            );
            assert!(detail(&report, CheckId::TransparencyLog).contains("log2025-1.rekor.sigstore.dev"));
            assert_eq!(
                report.attestations[0].timestamps.len(),
                1,
                "its time is the timestamp authority's"
            );
        }
    }
    // Another artifact than the one signed is still refused.
    let other = verify(
        JS_REKOR_V2_DSSE,
        ArtifactExpectation::Blob(b"hello, world?".to_vec()),
        &TrustMaterial::public_good(),
    );
    assert_fails_at(&other, CheckId::Subject, "The signed payload is not the artifact.");
}

/// Issue #26, 2: of sigstore-python's two timestamps, one is over the
/// bundle's signature and one is not; the one that verifies counts, the
/// other is named as not counted, and the bundle verifies (sigstore-python
/// and sigstore-go count the timestamps that verify).
pub fn a_timestamp_over_another_signature_is_not_counted() {
    let trust = python_trust();
    let artifact = || ArtifactExpectation::Blob(PYTHON_TSA_ARTIFACT.as_bytes().to_vec());
    let report = verify(PYTHON_TSA_BUNDLE, artifact(), &trust);
    assert_verified(&report, "two timestamps, one over another signature");
    let said = detail(&report, CheckId::LogTimestamp);
    assert!(said.contains("timestamp authority Test TSA Timestamping"), "{said}");
    assert!(
        said.contains("1 RFC 3161 timestamp did not verify and was not counted") && said.contains("timestamp 2 of 2"),
        "{said}"
    );
    assert_eq!(report.attestations[0].timestamps.len(), 1);
    // Without the log's signed time (sigstore-python's own variant), the
    // timestamp that verifies is the signed time.
    let untimed = with(PYTHON_TSA_BUNDLE, |b| {
        let entry = b["verificationMaterial"]["tlogEntries"][0].as_object_mut().unwrap();
        entry.remove("inclusionPromise");
        entry.remove("integratedTime");
    });
    assert_verified(&verify(&untimed, artifact(), &trust), "the timestamp alone");
}

/// Issue #26, 2: a bundle whose only signed time is a timestamp that does
/// not verify still fails.
pub fn a_bundle_whose_only_timestamp_fails_still_fails() {
    let only_the_bad_one = with(PYTHON_TSA_BUNDLE, |b| {
        let entry = b["verificationMaterial"]["tlogEntries"][0].as_object_mut().unwrap();
        entry.remove("inclusionPromise");
        entry.remove("integratedTime");
        b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array_mut()
            .unwrap()
            .remove(0);
    });
    let report = verify(
        &only_the_bad_one,
        ArtifactExpectation::Blob(PYTHON_TSA_ARTIFACT.as_bytes().to_vec()),
        &python_trust(),
    );
    assert_fails_at(&report, CheckId::LogTimestamp, "An RFC 3161 timestamp does not verify");
}

/// Issue #26, 3: a Rekor v2 `hashedrekord` entry that records the
/// certificate's public key (sigstore-js's test bundle) verifies.
pub fn a_rekor_v2_entry_recording_the_certificates_key_verifies() {
    let body = |bundle: &str| -> Value {
        use base64::Engine as _;
        let doc: Value = serde_json::from_str(bundle).unwrap();
        let body = doc["verificationMaterial"]["tlogEntries"][0]["canonicalizedBody"]
            .as_str()
            .unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(body).unwrap()).unwrap()
    };
    let verifier = &body(JS_REKOR_V2_HASHEDREKORD_KEY)["spec"]["hashedRekordV002"]["signature"]["verifier"];
    assert!(
        verifier.get("publicKey").is_some() && verifier.get("x509Certificate").is_none(),
        "{verifier}"
    );
    for trust in [TrustMaterial::public_good(), js_trust()] {
        for artifact in [hello(), sha256(JS_ARTIFACT.as_bytes())] {
            let report = verify_single_bundle(JS_REKOR_V2_HASHEDREKORD_KEY, artifact, None, &trust, &brian());
            assert_verified(&report, "hashedrekord 0.0.2 with the certificate's key");
            assert!(detail(&report, CheckId::LogEntryMatch).contains("(hashedrekord 0.0.2)"));
        }
    }
}

/// Issue #26, 4: a Fulcio username identity in an otherName SAN
/// (sigstore-go's test) is the certificate's identity, and the identity
/// flags match it exactly: an email address of the same words does not.
pub fn an_othername_identity_is_read_and_matched() {
    let trust = root(GO_SCAFFOLDING_ROOT);
    let digest = || ArtifactExpectation::Digest {
        algorithm: DigestAlgorithm::Sha256,
        bytes: hex::decode(GO_OTHERNAME_SHA256).unwrap(),
        source: "the given digest".into(),
    };
    let expect = |san: &str| ExpectedIdentity {
        subject_alternative_name: Some(san.into()),
        issuer: Some("http://oidc.local:8080".into()),
        ..Default::default()
    };
    let report = verify_single_bundle(GO_OTHERNAME, digest(), None, &trust, &expect("foo!oidc.local"));
    assert_verified(&report, "otherName SAN");
    let identity = report.attestations[0].identity.as_ref().unwrap();
    assert_eq!(identity.subject_alternative_name.as_deref(), Some("foo!oidc.local"));
    assert!(
        report
            .summary
            .contains("signed by foo!oidc.local via http://oidc.local:8080"),
        "{}",
        report.summary
    );
    let email = verify_single_bundle(GO_OTHERNAME, digest(), None, &trust, &expect("foo@oidc.local"));
    assert_fails_at(
        &email,
        CheckId::ExpectedIdentity,
        "identity foo@oidc.local was expected, the certificate names foo!oidc.local",
    );
}

/// Issue #26, 5: a certificate or timestamp authority whose `validFor` has
/// no start (sigstore-js's test root) is valid from the beginning; a log
/// key's window without a start is still refused, as Sigstore's
/// conformance suite requires.
pub fn authorities_without_a_validity_start_are_unbounded() {
    let doc: Value = serde_json::from_str(JS_TRUSTED_ROOT).unwrap();
    assert_eq!(doc["certificateAuthorities"][0]["validFor"], json!({}));
    assert_eq!(doc["timestampAuthorities"][0]["validFor"], json!({}));
    TrustMaterial::from_trusted_root_json(JS_TRUSTED_ROOT, RegistryKeys::npm()).unwrap();
    // An end alone is a window from the beginning to that end.
    let end_only = with(JS_TRUSTED_ROOT, |r| {
        r["certificateAuthorities"][0]["validFor"] = json!({ "end": "2031-10-05T13:56:58Z" });
    });
    TrustMaterial::from_trusted_root_json(&end_only, RegistryKeys::npm()).unwrap();
    let log_key = with(JS_TRUSTED_ROOT, |r| {
        r["tlogs"][1]["publicKey"]["validFor"] = json!({ "end": "2031-10-05T13:56:58Z" });
    });
    let e = TrustMaterial::from_trusted_root_json(&log_key, RegistryKeys::npm()).unwrap_err();
    assert!(e.contains("start"), "{e}");
}

/// Issue #26, 6: the same log entry twice (sigstore-js's own test makes
/// this bundle by copying its entry) is refused, with the check that says so.
pub fn a_log_entry_given_twice_is_refused() {
    for bundle in [JS_REKOR_V2_HASHEDREKORD_KEY, JS_REKOR_V2_DSSE, JS_DSSE_TEXT] {
        let twice = with(bundle, |b| {
            let entries = b["verificationMaterial"]["tlogEntries"].as_array_mut().unwrap();
            let copy = entries[0].clone();
            entries.push(copy);
        });
        let report = verify(&twice, hello(), &js_trust());
        assert_fails_at(&report, CheckId::BundleFormat, "carries the log entry at index");
        assert!(report.summary.contains("twice"), "{}", report.summary);
    }
}

/// Issue #26, 7: DSSE envelopes whose payload is not an in-toto statement
/// (sigstore-js's text/plain bundles, in each kind of log entry) verify as
/// plain Sigstore bundles, which say what they verified; the payload is the
/// artifact. As npm attestations they are still refused: npm's are in-toto.
pub fn dsse_envelopes_of_other_payloads_verify_as_signed_bytes() {
    for (bundle, entry) in [
        (JS_DSSE_TEXT, "dsse 0.0.1"),
        (JS_INTOTO_TEXT, "intoto 0.0.2"),
        (JS_REKOR_V2_DSSE, "dsse 0.0.2"),
    ] {
        for trust in [TrustMaterial::public_good(), js_trust()] {
            let report = verify_single_bundle(bundle, hello(), None, &trust, &brian());
            assert_verified(&report, entry);
            assert!(
                detail(&report, CheckId::Statement)
                    .contains("signs a text/plain payload of 13 bytes, not an in-toto statement")
            );
            assert!(
                detail(&report, CheckId::BundleFormat)
                    .contains(&format!("of text/plain (not an in-toto statement), log entry {entry}"))
            );
            assert!(
                detail(&report, CheckId::LogEntryMatch).contains(&format!("({entry}) records this bundle's payload"))
            );
            assert!(report.summary.contains("a text/plain payload"), "{}", report.summary);
            // The inspector (no artifact): nothing to compare the payload with.
            let inspected = inspect(bundle, None, None, &trust, &ExpectedIdentity::default());
            assert_eq!(inspected.verdict, Verdict::Incomplete, "{}", inspected.summary);
            let other = verify(bundle, ArtifactExpectation::Blob(b"goodbye".to_vec()), &trust);
            assert_fails_at(&other, CheckId::Subject, "The signed payload is not the artifact.");
        }
        // As the provenance of a package, it is not an attestation.
        let bundle_doc: Value = serde_json::from_str(bundle).unwrap();
        let response =
            json!({ "attestations": [{ "predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle_doc }] });
        let prepared = PreparedAttestations::parse(&response.to_string());
        let integrity = {
            use base64::Engine as _;
            use sha2::Digest;
            let digest = sha2::Sha512::digest(JS_ARTIFACT.as_bytes());
            format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(digest))
        };
        let docs = PackageVersionDocuments {
            name: "hello",
            version: "1.0.0",
            integrity: Some(&integrity),
            attestations: Some(&prepared),
            ..Default::default()
        };
        let report = verify_package_version(&docs, &TrustMaterial::public_good(), &ExpectedIdentity::default());
        let (kind, failed) = report.first_failure().unwrap();
        assert_eq!(
            (kind, failed.id),
            (Some(AttestationKind::Provenance), CheckId::Statement),
            "{}",
            failed.detail
        );
        assert!(failed.detail.contains("not an attestation"), "{}", failed.detail);
    }
}

/// Kept on purpose (README): a key-signed bundle whose log entry records a
/// certificate rather than the key (sigstore-js's test bundle) is refused.
pub fn a_key_signed_bundle_whose_entry_records_a_certificate_is_refused() {
    let key = spki_from_pem(JS_PUBLIC_KEY).unwrap();
    let report = verify_single_bundle(
        JS_KEY_LOGS_CERTIFICATE,
        hello(),
        Some(key),
        &js_trust(),
        &ExpectedIdentity::default(),
    );
    assert_fails_at(&report, CheckId::LogEntryMatch, "The log entry");
}

/// Kept on purpose (README): a bundle media type no specification defines
/// (`version=0.4`, which sigstore-js's test accepts) is refused.
pub fn an_undefined_bundle_version_is_refused() {
    let v04 = with(JS_REKOR_V2_HASHEDREKORD_KEY, |b| {
        b["mediaType"] = json!("application/vnd.dev.sigstore.bundle+json;version=0.4");
    });
    let report = verify(&v04, hello(), &TrustMaterial::public_good());
    assert_fails_at(
        &report,
        CheckId::BundleFormat,
        "Not a Sigstore bundle this verifier supports",
    );
}
