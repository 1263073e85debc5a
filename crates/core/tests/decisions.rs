//! The core's decisions, each asserted exactly: what kind a bundle is judged
//! as, which checks a report lists and in what state, the sentence a check
//! gives, what a bundle's structure admits at each limit, the statement the
//! report shows. Each test names the rule it defends; together they catch
//! the mutants (`make mutants`) that changed a decision without any other
//! test noticing. Inputs are validly signed by the testkit's so a
//! case fails only for the one thing it makes wrong.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::assertions::*;
use common::kit::*;

use npm_provenance_core::bundle::structure::{
    self, MAX_BUNDLE_BYTES, MAX_CHAIN_CERTIFICATES, MAX_CHECKPOINT_BYTES, MAX_PROOF_HASHES, MAX_RFC3161_TIMESTAMPS,
};
use npm_provenance_core::report::PackageRef;
use npm_provenance_core::{
    AttestationKind, AttestationReport, CheckId, CheckStatus, ExpectedIdentity, PackageVersionDocuments,
    PreparedAttestations, Report, Verdict, inspect, parse_packument, resolve_version, verify_package_version,
    verify_single_bundle,
};
use npm_provenance_testkit::{
    self as kit, ChainShape, Faults, GITHUB_ISSUER, LogShape, NPM_PUBLISH, SLSA_V1, Shape, attestations_response,
};
use serde_json::{Value, json};

const PURL: &str = "pkg:npm/%40acme/widget@1.2.3";
/// A predicate type npm does not use.
const CUSTOM: &str = "https://example.com/custom/v1";

fn attestation(report: &Report, kind: AttestationKind) -> &AttestationReport {
    report
        .attestations
        .iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} attestation: {}", report.summary))
}

/// The checks of an attestation as (check, status), in the order recorded.
fn statuses(a: &AttestationReport) -> Vec<(CheckId, CheckStatus)> {
    a.checks.iter().map(|c| (c.id, c.status)).collect()
}

fn detail(a: &AttestationReport, id: CheckId) -> &str {
    let found: Vec<_> = a.checks.iter().filter(|c| c.id == id).collect();
    assert_eq!(found.len(), 1, "{id:?} recorded {} times", found.len());
    &found[0].detail
}

// ---------------------------------------------------------------------------
// What a bundle is judged as (bundle::kind_of)
// ---------------------------------------------------------------------------

/// When neither the signed predicate type nor the registry's label is one
/// npm uses, an npm attestation is judged by its material: a keyed bundle as
/// the registry's publish attestation (and refused for its type), not as
/// provenance.
#[test]
fn an_unknown_keyed_attestation_is_judged_as_a_publish_attestation() {
    let c = Case::new();
    let mut statement = kit::publish_statement(NAME, VERSION, &c.sha512);
    statement["predicateType"] = CUSTOM.into();
    let keyed = c.kit.keyed_bundle(&statement, &Faults::default());
    let report = c.verify_response(&attestations_response(&[(CUSTOM, &keyed)]));
    assert_fails_at_saying_exactly(
        &report,
        AttestationKind::Publish,
        CheckId::Statement,
        "The signed predicate type \"https://example.com/custom/v1\" is not one of npm's publish attestation types.",
    );
    // Judged as publish: its registry key was chosen and checked first.
    let publish = attestation(&report, AttestationKind::Publish);
    assert_eq!(
        statuses(publish)[..3],
        [
            (CheckId::BundleFormat, CheckStatus::Passed),
            (CheckId::RegistryKey, CheckStatus::Passed),
            (CheckId::Signature, CheckStatus::Passed),
        ]
    );
}

/// The keyless counterpart: judged as provenance, and refused for its type.
#[test]
fn an_unknown_keyless_attestation_is_judged_as_provenance() {
    let c = Case::new();
    let mut statement = c.statement();
    statement["predicateType"] = CUSTOM.into();
    let report = c.verify_response(&attestations_response(&[(CUSTOM, &c.keyless(&statement))]));
    assert_fails_at_saying_exactly(
        &report,
        AttestationKind::Provenance,
        CheckId::Statement,
        "The signed predicate type \"https://example.com/custom/v1\" is not one of the SLSA provenance types npm uses (v0.2, v1).",
    );
}

// ---------------------------------------------------------------------------
// The checklist of a bundle (bundle::verify_bundle, run_library, Checklist::has)
// ---------------------------------------------------------------------------

/// Verification stops at the first failure, and the report still lists every
/// check once, in order: those before it passed, those after it not reached.
/// A failure inside sigstore-verify (the certificate expired at the log's
/// time) passes the library's steps before it and leaves the rest not reached.
#[test]
fn a_failure_in_the_library_lists_every_step_once_in_order() {
    use CheckId::*;
    use CheckStatus::*;
    let c = Case::new();
    let expired = Faults {
        certificate_expired: true,
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&expired, &Shape::default()), &c.publish());
    let provenance = attestation(&report, AttestationKind::Provenance);
    assert_eq!(
        statuses(provenance),
        [
            (BundleFormat, Passed),
            (Signature, Passed),
            (Statement, Passed),
            (Subject, Passed),
            (LogTimestamp, Passed),
            (CertificateChain, Failed),
            (CertificateSct, NotReached),
            (TransparencyLog, NotReached),
            (LogEntryMatch, NotReached),
            (IdentityConsistency, NotReached),
            (ExpectedIdentity, NotReached),
        ]
    );
}

/// A failure before the library (the subject names another package): none of
/// the library's steps ran, and each is listed once as not reached.
#[test]
fn a_failure_before_the_library_lists_its_steps_as_not_reached() {
    use CheckId::*;
    use CheckStatus::*;
    let c = Case::new();
    let statement = kit::github_provenance("@acme/other", VERSION, &c.sha512, REPO, WORKFLOW, COMMIT);
    let report = c.verify(&c.keyless(&statement), &c.publish());
    assert_fails_at_saying_exactly(
        &report,
        AttestationKind::Provenance,
        Subject,
        "The subject is \"pkg:npm/%40acme/other@1.2.3\", not this package's pkg:npm/%40acme/widget@1.2.3.",
    );
    assert_eq!(
        statuses(attestation(&report, AttestationKind::Provenance)),
        [
            (BundleFormat, Passed),
            (Signature, Passed),
            (Statement, Passed),
            (Subject, Failed),
            (LogTimestamp, NotReached),
            (CertificateChain, NotReached),
            (CertificateSct, NotReached),
            (TransparencyLog, NotReached),
            (LogEntryMatch, NotReached),
            (IdentityConsistency, NotReached),
            (ExpectedIdentity, NotReached),
        ]
    );
}

/// A bundle that does not verify still shows whom its certificate names,
/// marked unverified (bundle::unverified_identity).
#[test]
fn a_bundle_that_does_not_verify_shows_its_signer_as_unverified() {
    let c = Case::new();
    let expired = Faults {
        certificate_expired: true,
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&expired, &Shape::default()), &c.publish());
    let identity = attestation(&report, AttestationKind::Provenance)
        .identity
        .as_ref()
        .expect("the certificate's identity, unverified");
    assert!(!identity.verified);
    assert_eq!(identity.subject_alternative_name.as_deref(), Some(SAN));
    assert_eq!(identity.issuer.as_deref(), Some(GITHUB_ISSUER));
    assert_eq!(
        identity.source_repository_uri.as_deref(),
        Some("https://github.com/acme/widget")
    );
    // The verified provenance beside it is marked verified.
    let ok = c.verify(&c.provenance(), &c.publish());
    let identity = attestation(&ok, AttestationKind::Provenance).identity.as_ref().unwrap();
    assert!(identity.verified);
    assert_eq!(identity.subject_alternative_name.as_deref(), Some(SAN));
}

// ---------------------------------------------------------------------------
// Nothing to compare the subject with (npm_policy::subject, any_subject_digest,
// verdict::summary)
// ---------------------------------------------------------------------------

/// Without the registry's integrity the subject check cannot run: the
/// signatures are still verified in full (over the subject's own digest),
/// and the verdict is incomplete, not failed, naming exactly the checks that
/// were skipped for it.
#[test]
fn without_an_integrity_the_signatures_verify_and_the_verdict_is_incomplete() {
    use CheckId::*;
    use CheckStatus::*;
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    let report = c.verify_documents(&response, None, &c.trust(), &Default::default());
    assert_eq!(report.verdict, Verdict::Incomplete, "{}", report.summary);
    assert_eq!(
        report.summary,
        "@acme/widget@1.2.3: the signatures verify, but not everything required could be checked \
         (Subject (package and digest)).",
        "both attestations skipped the same check: it is named once"
    );
    let provenance = attestation(&report, AttestationKind::Provenance);
    assert_eq!(
        statuses(provenance),
        [
            (BundleFormat, Passed),
            (Signature, Passed),
            (Statement, Passed),
            (Subject, Skipped),
            (LogTimestamp, Passed),
            (CertificateChain, Passed),
            (CertificateSct, Passed),
            (TransparencyLog, Passed),
            (LogEntryMatch, Passed),
            (IdentityConsistency, Passed),
            (ExpectedIdentity, Skipped),
        ]
    );
    // The package was named, so only the integrity is missing.
    assert_eq!(
        detail(provenance, Subject),
        format!("No integrity or artifact was supplied to compare the subject's digest with (subject: {PURL}).")
    );
    // No expected identity: skipped, and optional.
    let expected = provenance.checks.iter().find(|c| c.id == ExpectedIdentity).unwrap();
    assert_eq!(expected.detail, "No expected identity was given.");
    assert!(!expected.required);
}

// ---------------------------------------------------------------------------
// Documents as the registry serves them (PackageVersionDocuments::from_registry,
// inspect_prepared)
// ---------------------------------------------------------------------------

/// The CLI and the server build the documents from the registry's package
/// document: its integrity, its registry signatures and the attestations
/// are all verified, for the version asked for.
#[test]
fn documents_read_from_the_registry_are_verified_as_served() {
    let c = Case::new();
    let packument = json!({
        "name": NAME,
        "dist-tags": { "latest": VERSION },
        "time": { VERSION: "2024-06-01T11:59:00.000Z" },
        "versions": { VERSION: {
            "name": NAME,
            "version": VERSION,
            "dist": {
                "integrity": c.integrity,
                "signatures": [c.kit.registry_signature(NAME, VERSION, &c.integrity)],
                "attestations": { "url": "https://registry.invalid/attestations", "provenance": { "predicateType": SLSA_V1 } }
            }
        } }
    });
    let packument = parse_packument(&packument.to_string()).unwrap();
    let version = resolve_version(&packument, NAME, None).unwrap();
    let prepared = PreparedAttestations::parse(&attestations_response(&[
        (SLSA_V1, &c.provenance()),
        (NPM_PUBLISH, &c.publish()),
    ]));
    let docs = PackageVersionDocuments::from_registry(
        NAME,
        &version,
        &packument.versions[&version],
        packument.published_at(&version),
        Some(&prepared),
    );
    assert_eq!(docs.integrity, Some(c.integrity.as_str()));
    assert_eq!(docs.published_at, Some(1_717_243_140));
    assert!(docs.lockfile_integrities.is_empty());
    let report = verify_package_version(&docs, &c.trust(), &ExpectedIdentity::default());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    assert_eq!(report.package, Some(PackageRef::new(NAME, VERSION)));
    let registry_signature = report
        .checks
        .iter()
        .find(|c| c.id == CheckId::RegistrySignature)
        .unwrap();
    assert_eq!(
        registry_signature.status,
        CheckStatus::Passed,
        "{}",
        registry_signature.detail
    );
    assert_eq!(
        attestation(&report, AttestationKind::Provenance).verdict,
        Verdict::Verified
    );
    assert_eq!(
        attestation(&report, AttestationKind::Publish).verdict,
        Verdict::Verified
    );
}

/// An attestations response pasted with the package's name, version and
/// integrity is verified as that package version: every document given is
/// used (a dropped integrity would leave it incomplete, dropped attestations
/// without provenance, a dropped name an error).
#[test]
fn a_pasted_response_with_package_and_integrity_is_verified_as_that_version() {
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    let report = inspect(
        &response,
        Some((NAME, VERSION)),
        Some(&c.integrity),
        &c.trust(),
        &ExpectedIdentity::default(),
    );
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    assert_eq!(report.package, Some(PackageRef::new(NAME, VERSION)));
    assert_eq!(
        detail(attestation(&report, AttestationKind::Provenance), CheckId::Subject),
        format!("The subject is named {PURL} with the sha512 of the registry's dist.integrity.")
    );
    assert_eq!(
        report.checks.iter().map(|c| (c.id, c.status)).collect::<Vec<_>>(),
        [
            (CheckId::Attestations, CheckStatus::Passed),
            (CheckId::RegistryAttestation, CheckStatus::Passed),
            (CheckId::RegistrySignature, CheckStatus::Skipped),
        ]
    );
}

// ---------------------------------------------------------------------------
// The signing key (bundle::signing_key::select)
// ---------------------------------------------------------------------------

/// A plain keyed bundle names its key only by a hint it chose itself: on its
/// own it verifies only with the key the caller gives, never with a registry
/// key it names.
#[test]
fn a_plain_keyed_bundle_verifies_only_with_the_key_given() {
    let c = Case::new();
    let report = verify_single_bundle(&c.publish(), c.digest(), None, &c.trust(), &ExpectedIdentity::default());
    assert_fails_at_saying_exactly(
        &report,
        AttestationKind::Bundle,
        CheckId::BundleFormat,
        "This bundle is signed with a key, not a certificate: it can only be verified with that key (--key).",
    );
}

/// The registry key check says which key signed and where it is known from.
#[test]
fn the_registry_key_check_names_the_key_and_its_source() {
    let c = Case::new();
    let report = c.verify(&c.provenance(), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    assert_eq!(
        detail(attestation(&report, AttestationKind::Publish), CheckId::RegistryKey),
        format!(
            "Signed with registry key {} (from the supplied keys), named by both the signature and the bundle's key hint.",
            c.kit.registry_key_id()
        )
    );
}

/// A publish attestation signed keylessly is refused, naming the identity
/// its certificate is for.
#[test]
fn a_keyless_publish_attestation_is_refused_naming_its_certificate() {
    let c = Case::new();
    let keyless_publish = c.keyless(&kit::publish_statement(NAME, VERSION, &c.sha512));
    assert_fails_at_saying_exactly(
        &c.verify(&c.provenance(), &keyless_publish),
        AttestationKind::Publish,
        CheckId::RegistryKey,
        &format!(
            "npm publish attestations are signed by the registry's key; this one carries a certificate for {SAN}."
        ),
    );
}

// ---------------------------------------------------------------------------
// The statement the report shows (bundle::statement::StrictValue)
// ---------------------------------------------------------------------------

/// The statement a report shows is the signed one, value for value: the
/// strict reader that refuses what readers disagree on reads every JSON
/// type (true, false, integers of both signs and at the ends of their
/// ranges, floats, strings with and without escapes, null) exactly as
/// serde_json does.
#[test]
fn the_report_shows_the_signed_statement_value_for_value() {
    let c = Case::new();
    let mut statement = c.statement();
    statement["predicate"]["runDetails"]["metadata"]["values"] = json!({
        "true": true,
        "false": false,
        "integers": [0, 1, -1, 42, i64::MIN, i64::MAX, u64::MAX],
        "floats": [1.5, -0.25, 1e300, 2.0, -0.0],
        "strings": ["", "plain", "tab\tquote\"backslash\\", "é and 😀"],
        "null": null,
        "nested": [[true, null], { "x": -7 }]
    });
    let payload = serde_json::to_vec(&statement).unwrap();
    // Escapes as another writer would put them: \u escapes, a solidus.
    let payload = String::from_utf8(payload)
        .unwrap()
        .replace("\"plain\"", "\"pl\\u0061in\\/\"");
    let expected: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        expected["predicate"]["runDetails"]["metadata"]["values"]["strings"][1],
        "plain/"
    );
    let bundle = c
        .kit
        .keyless_bundle_with(payload.as_bytes(), &c.identity(), &Faults::default(), &Shape::default());
    let report = c.verify(&bundle, &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let shown = attestation(&report, AttestationKind::Provenance)
        .statement
        .as_ref()
        .unwrap();
    assert_eq!(*shown, expected);
    assert_eq!(
        shown["predicate"]["runDetails"]["metadata"]["values"],
        json!({
            "true": true,
            "false": false,
            "integers": [0, 1, -1, 42, i64::MIN, i64::MAX, u64::MAX],
            "floats": [1.5, -0.25, 1e300, 2.0, -0.0],
            "strings": ["", "plain/", "tab\tquote\"backslash\\", "é and 😀"],
            "null": null,
            "nested": [[true, null], { "x": -7 }]
        })
    );
}

// ---------------------------------------------------------------------------
// What the report says a bundle is (structure::ParsedBundle)
// ---------------------------------------------------------------------------

/// The bundle format check describes what was parsed: the bundle's version,
/// its content, a chain, its log entries and their evidence, its RFC 3161
/// timestamps; the report names the media type.
#[test]
fn the_bundle_format_check_describes_the_bundle() {
    let c = Case::new();
    let report = c.verify(&c.provenance(), &c.publish());
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
    let provenance = attestation(&report, AttestationKind::Provenance);
    assert_eq!(
        provenance.media_type.as_deref(),
        Some("application/vnd.dev.sigstore.bundle.v0.3+json")
    );
    assert_eq!(
        detail(provenance, CheckId::BundleFormat),
        "Sigstore bundle v0.3 with a DSSE envelope, log entry dsse 0.0.1 and an inclusion promise and an inclusion proof."
    );
    let publish = attestation(&report, AttestationKind::Publish);
    assert_eq!(
        publish.media_type.as_deref(),
        Some("application/vnd.dev.sigstore.bundle+json;version=0.2")
    );
    assert_eq!(
        detail(publish, CheckId::BundleFormat),
        "Sigstore bundle v0.2 with a DSSE envelope, log entry dsse 0.0.1 and an inclusion promise and an inclusion proof."
    );

    let describe = |shape: Shape| {
        let parsed = structure::parse(&c.provenance_with(&Faults::default(), &shape)).unwrap();
        (
            parsed.describe(),
            parsed.rfc3161_timestamps(),
            parsed.has_rekor_v2_entry(),
        )
    };
    assert_eq!(
        describe(Shape {
            chain: ChainShape::ChainWithRoot,
            ..Default::default()
        }),
        (
            "Sigstore bundle v0.1 with a DSSE envelope (a chain of 2 certificates, of which only the signing \
             certificate is used: the rest must come from the trusted root), log entry dsse 0.0.1 and an \
             inclusion promise and an inclusion proof."
                .to_string(),
            0,
            false
        )
    );
    assert_eq!(
        describe(Shape {
            rfc3161: true,
            ..Default::default()
        }),
        (
            "Sigstore bundle v0.3 with a DSSE envelope, log entry dsse 0.0.1 and an inclusion promise and an \
             inclusion proof and an RFC 3161 timestamp."
                .to_string(),
            1,
            false
        )
    );
    assert_eq!(
        describe(Shape {
            log: LogShape::RekorV2,
            ..Default::default()
        }),
        (
            "Sigstore bundle v0.3 with a DSSE envelope, log entry hashedrekord 0.0.2 and an inclusion proof and \
             an RFC 3161 timestamp."
                .to_string(),
            1,
            true
        )
    );
}

// ---------------------------------------------------------------------------
// Structure limits (structure::parse, check_limits): at the limit a bundle
// is read, one over it is refused with a sentence.
// ---------------------------------------------------------------------------

fn modified(bundle: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut doc: Value = serde_json::from_str(bundle).unwrap();
    change(&mut doc);
    doc.to_string()
}

/// Bundles of at most `MAX_BUNDLE_BYTES` are read; one byte more is refused.
#[test]
fn a_bundle_of_the_size_limit_is_read_and_one_byte_more_is_not() {
    let c = Case::new();
    let bundle = c.provenance();
    let padded = |len: usize| format!("{bundle}{}", " ".repeat(len - bundle.len()));
    assert!(structure::parse(&padded(MAX_BUNDLE_BYTES)).is_ok());
    assert_eq!(
        structure::parse(&padded(MAX_BUNDLE_BYTES + 1)).unwrap_err(),
        format!(
            "The bundle is {} bytes; bundles over {MAX_BUNDLE_BYTES} bytes are refused.",
            MAX_BUNDLE_BYTES + 1
        )
    );
}

/// RFC 3161 timestamps: `MAX_RFC3161_TIMESTAMPS` are read, one more refused.
#[test]
fn rfc3161_timestamps_up_to_the_limit() {
    let c = Case::new();
    let bundle = c.provenance_with(
        &Faults::default(),
        &Shape {
            rfc3161: true,
            ..Default::default()
        },
    );
    let with = |n: usize| {
        modified(&bundle, |doc| {
            let list = &mut doc["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"];
            let one = list[0].clone();
            *list = Value::Array(vec![one; n]);
        })
    };
    let at_limit = structure::parse(&with(MAX_RFC3161_TIMESTAMPS)).unwrap();
    assert_eq!(at_limit.rfc3161_timestamps(), MAX_RFC3161_TIMESTAMPS);
    assert!(
        at_limit
            .describe()
            .ends_with(&format!(" and {MAX_RFC3161_TIMESTAMPS} RFC 3161 timestamps."))
    );
    assert_eq!(
        structure::parse(&with(MAX_RFC3161_TIMESTAMPS + 1)).unwrap_err(),
        format!(
            "The bundle has {} RFC 3161 timestamps; at most {MAX_RFC3161_TIMESTAMPS} are accepted.",
            MAX_RFC3161_TIMESTAMPS + 1
        )
    );
}

/// A v0.1 chain of `MAX_CHAIN_CERTIFICATES` is read (and reduced to its
/// leaf); one more is refused; an empty chain is refused for what it is.
#[test]
fn chain_certificates_up_to_the_limit() {
    let c = Case::new();
    let bundle = c.provenance_with(
        &Faults::default(),
        &Shape {
            chain: ChainShape::ChainWithRoot,
            ..Default::default()
        },
    );
    let with = |n: usize| {
        modified(&bundle, |doc| {
            let list = &mut doc["verificationMaterial"]["x509CertificateChain"]["certificates"];
            let (leaf, root) = (list[0].clone(), list[1].clone());
            let mut certificates = vec![leaf];
            certificates.extend(std::iter::repeat_n(root, n.saturating_sub(1)));
            certificates.truncate(n);
            *list = Value::Array(certificates);
        })
    };
    let at_limit = structure::parse(&with(MAX_CHAIN_CERTIFICATES)).unwrap();
    assert_eq!(at_limit.chain_length, MAX_CHAIN_CERTIFICATES);
    assert_eq!(
        structure::parse(&with(MAX_CHAIN_CERTIFICATES + 1)).unwrap_err(),
        format!(
            "The bundle's chain has {} certificates; at most {MAX_CHAIN_CERTIFICATES} are accepted.",
            MAX_CHAIN_CERTIFICATES + 1
        )
    );
    assert_eq!(
        structure::parse(&with(0)).unwrap_err(),
        "The bundle's certificate chain is empty."
    );
}

/// An inclusion proof of `MAX_PROOF_HASHES` hashes is read; one more is refused.
#[test]
fn proof_hashes_up_to_the_limit() {
    let c = Case::new();
    let bundle = c.provenance();
    let with = |n: usize| {
        modified(&bundle, |doc| {
            let hashes = &mut doc["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"];
            let one = hashes[0].clone();
            *hashes = Value::Array(vec![one; n]);
        })
    };
    assert!(structure::parse(&with(MAX_PROOF_HASHES)).is_ok());
    assert_eq!(
        structure::parse(&with(MAX_PROOF_HASHES + 1)).unwrap_err(),
        format!(
            "An inclusion proof has {} hashes; a proof needs at most {MAX_PROOF_HASHES}.",
            MAX_PROOF_HASHES + 1
        )
    );
}

/// A checkpoint of `MAX_CHECKPOINT_BYTES` is read; one byte more is refused.
#[test]
fn checkpoint_bytes_up_to_the_limit() {
    let c = Case::new();
    let bundle = c.provenance();
    let with = |len: usize| {
        modified(&bundle, |doc| {
            let envelope =
                &mut doc["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"];
            let text = envelope.as_str().unwrap().to_string();
            // Padded in the note's body, before its signatures.
            let (note, signatures) = text.split_once("\n\n").unwrap();
            let pad = len - text.len();
            *envelope = Value::String(format!("{note}\n{}\n\n{signatures}", "x".repeat(pad - 1)));
            assert_eq!(envelope.as_str().unwrap().len(), len);
        })
    };
    assert!(structure::parse(&with(MAX_CHECKPOINT_BYTES)).is_ok());
    assert_eq!(
        structure::parse(&with(MAX_CHECKPOINT_BYTES + 1)).unwrap_err(),
        format!(
            "A checkpoint is {} bytes; more than {MAX_CHECKPOINT_BYTES} is refused.",
            MAX_CHECKPOINT_BYTES + 1
        )
    );
}
