//! Failure paths, each reached by a validly signed input: the testkit's
//! Sigstore signs whatever a test needs, so every signature, log entry and
//! certificate verifies except the one thing a case makes wrong, and the case
//! asserts the check that refuses it and the reason it gives (so a case
//! cannot pass because something else failed first).
//!
//! The guard at the end keeps a table over `CheckId::ALL`: every check the
//! core can fail has a case here or in another test file that fails it; a
//! check added without one does not compile past the table.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::assertions::*;
use common::documents::{attested_version, signed_version};
use common::kit::*;

use npm_provenance_core::bundle::structure::MAX_TLOG_ENTRIES;
use npm_provenance_core::{
    AttestationKind, CheckId, ExpectedIdentity, PackageVersionDocuments, PreparedAttestations, RegistrySignature,
    Report, Verdict, verify_package_version, verify_single_bundle,
};
use npm_provenance_testkit::{
    self as kit, Faults, GITHUB_ISSUER, GITLAB_ISSUER, LogShape, NPM_PUBLISH, SLSA_V1, SLSA_V02, Shape,
    attestations_response,
};

impl Case {
    /// One bundle on its own (`verify --bundle`), keyless or with `key` (DER SPKI).
    fn verify_single(&self, bundle: &str, key: Option<Vec<u8>>, expected: &ExpectedIdentity) -> Report {
        verify_single_bundle(bundle, self.digest(), key, &self.trust(), expected)
    }

    /// The registry key's DER SubjectPublicKeyInfo, as `verify --key` passes it.
    fn registry_spki(&self) -> Vec<u8> {
        let doc: serde_json::Value = serde_json::from_str(&self.kit.registry_keys_document(None)).unwrap();
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(doc["keys"][0]["key"].as_str().unwrap())
            .unwrap()
    }
}

const PROVENANCE: Option<AttestationKind> = Some(AttestationKind::Provenance);
const PUBLISH: Option<AttestationKind> = Some(AttestationKind::Publish);
const SINGLE: Option<AttestationKind> = Some(AttestationKind::Bundle);

// ---------------------------------------------------------------------------
// 1. Bundle format
// ---------------------------------------------------------------------------

/// A provenance statement signed with a key instead of a Fulcio certificate:
/// the key says nothing about which build made the package, so whoever holds
/// a key (say, a registry's) could vouch for any build. npm's provenance is keyless.
#[test]
fn bundle_format_a_keyed_bundle_presented_as_provenance() {
    let c = Case::new();
    let payload = serde_json::to_vec(&c.statement()).unwrap();
    let keyed = c.kit.keyed_bundle_with(&payload, &Faults::default(), &Shape::default());
    assert_fails_at(
        &c.verify(&keyed, &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        "A provenance attestation must be signed keylessly with a Fulcio certificate; this one names a key.",
    );
}

/// npm's attestations carry exactly one log entry. A second one (each is
/// validly logged) is a second story about when and where it was logged,
/// and nothing says which one a verifier should believe.
#[test]
fn bundle_format_more_than_one_log_entry() {
    let c = Case::new();
    let two = Shape {
        extra_tlog_entries: 1,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&Faults::default(), &two), &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        "npm attestations carry one log entry; this bundle has 2.",
    );
    assert_fails_at(
        &c.verify(&c.provenance(), &c.publish_with(&Faults::default(), &two)),
        PUBLISH,
        CheckId::BundleFormat,
        "npm attestations carry one log entry; this bundle has 2.",
    );
}

/// More log entries than any bundle needs, each costing signature checks: refused
/// before any cryptography, for npm attestations and plain bundles alike (a
/// plain bundle is not held to npm's one entry, so the limit is its only bound).
#[test]
fn bundle_format_more_log_entries_than_the_limit() {
    let c = Case::new();
    let too_many = Shape {
        extra_tlog_entries: MAX_TLOG_ENTRIES,
        ..Default::default()
    };
    let says = format!(
        "The bundle has {} log entries; at most {MAX_TLOG_ENTRIES} are accepted.",
        MAX_TLOG_ENTRIES + 1
    );
    let bundle = c.provenance_with(&Faults::default(), &too_many);
    assert_fails_at(
        &c.verify(&bundle, &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        &says,
    );
    let expected = ExpectedIdentity {
        subject_alternative_name: Some(SAN.into()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    };
    assert_fails_at(
        &c.verify_single(&bundle, None, &expected),
        SINGLE,
        CheckId::BundleFormat,
        &says,
    );
    // At the limit a plain bundle (its entries each valid) verifies: the
    // case above fails for the count alone.
    let at_limit = Shape {
        extra_tlog_entries: MAX_TLOG_ENTRIES - 1,
        ..Default::default()
    };
    let report = c.verify_single(&c.provenance_with(&Faults::default(), &at_limit), None, &expected);
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
}

/// A log entry whose kind disagrees with the bundle's content: a verifier
/// that trusted the kind would read the body as another kind of record.
/// A `dsse` body labelled `hashedrekord` 0.0.1 (a message signature's kind) is
/// refused by the format check.
#[test]
fn bundle_format_a_log_entry_kind_that_does_not_fit_the_content() {
    let c = Case::new();
    let mislabelled = Faults {
        entry_kind_mismatch: true,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&mislabelled, &Shape::default()), &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        "The log entry kind hashedrekord 0.0.1 does not fit this bundle's content.",
    );
    assert_fails_at(
        &c.verify(&c.provenance(), &c.publish_with(&mislabelled, &Shape::default())),
        PUBLISH,
        CheckId::BundleFormat,
        "The log entry kind hashedrekord 0.0.1 does not fit this bundle's content.",
    );
}

/// The other way round: a Rekor v2 `hashedrekord` body labelled `dsse`
/// 0.0.1. That kind fits a DSSE envelope, so the format check lets it
/// through; the body is then read as the kind says, fails to read as one (a
/// `dsse` body has an envelope hash), and is refused at the log entry match.
#[test]
fn log_entry_match_a_hashedrekord_body_labelled_dsse() {
    let c = Case::new();
    let mislabelled = Faults {
        entry_kind_mismatch: true,
        ..Default::default()
    };
    let v2 = Shape {
        log: LogShape::RekorV2,
        ..Default::default()
    };
    let report = c.verify(&c.provenance_with(&mislabelled, &v2), &c.publish());
    assert_fails_at(
        &report,
        PROVENANCE,
        CheckId::LogEntryMatch,
        "The log entry cannot be read",
    );
    let (_, _, detail) = failure(&report);
    assert!(detail.contains("failed to parse dsse v0.0.1 body"), "{detail}");
}

/// A log entry with neither an inclusion promise nor an inclusion proof:
/// nothing shows that the log ever included it.
#[test]
fn bundle_format_a_log_entry_with_no_inclusion_evidence() {
    let c = Case::new();
    let bare = Faults {
        no_inclusion_evidence: true,
        ..Default::default()
    };
    let says = "The log entry has neither an inclusion promise nor an inclusion proof.";
    assert_fails_at(
        &c.verify(&c.provenance_with(&bare, &Shape::default()), &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        says,
    );
    assert_fails_at(
        &c.verify(&c.provenance(), &c.publish_with(&bare, &Shape::default())),
        PUBLISH,
        CheckId::BundleFormat,
        says,
    );
}

/// A v0.3 bundle carries its signing certificate alone; a chain in a v0.3
/// bundle is not the format it claims (and would invite trusting what the
/// bundle carries).
#[test]
fn bundle_format_a_v03_bundle_with_a_certificate_chain() {
    let c = Case::new();
    let chained = Faults {
        chain_in_v03: true,
        ..Default::default()
    };
    assert_fails_at(
        &c.verify(&c.provenance_with(&chained, &Shape::default()), &c.publish()),
        PROVENANCE,
        CheckId::BundleFormat,
        "A v0.3 bundle carries the signing certificate alone, not a chain.",
    );
}

// ---------------------------------------------------------------------------
// 2. Statement
// ---------------------------------------------------------------------------

/// A validly signed statement of a predicate type npm does not use, served
/// under npm's label: the registry's label is not signed, so it cannot make
/// a statement provenance (or a publish attestation).
#[test]
fn statement_a_predicate_type_npm_does_not_use() {
    let c = Case::new();
    let mut statement = c.statement();
    statement["predicateType"] = "https://example.com/not-npm/v1".into();
    assert_fails_at(
        &c.verify(&c.keyless(&statement), &c.publish()),
        PROVENANCE,
        CheckId::Statement,
        "The signed predicate type \"https://example.com/not-npm/v1\" is not one of the SLSA provenance types npm uses (v0.2, v1).",
    );
    let mut publish = c.publish_statement();
    publish["predicateType"] = "https://example.com/not-npm/v1".into();
    let publish = c.kit.keyed_bundle(&publish, &Faults::default());
    assert_fails_at(
        &c.verify(&c.provenance(), &publish),
        PUBLISH,
        CheckId::Statement,
        "The signed predicate type \"https://example.com/not-npm/v1\" is not one of npm's publish attestation types.",
    );
}

/// A DSSE payload type other than in-toto's: whatever the payload says,
/// the signer did not sign it as an attestation.
#[test]
fn statement_a_payload_type_that_is_not_in_toto() {
    let c = Case::new();
    let json = Faults {
        other_payload_type: true,
        ..Default::default()
    };
    let says = "The DSSE payload type is \"application/json\", not \"application/vnd.in-toto+json\": the content is not an attestation.";
    assert_fails_at(
        &c.verify(&c.provenance_with(&json, &Shape::default()), &c.publish()),
        PROVENANCE,
        CheckId::Statement,
        says,
    );
    assert_fails_at(
        &c.verify(&c.provenance(), &c.publish_with(&json, &Shape::default())),
        PUBLISH,
        CheckId::Statement,
        says,
    );
}

// ---------------------------------------------------------------------------
// 3. Certificate chain
// ---------------------------------------------------------------------------

/// A certificate whose validity begins after the log's integrated time: the
/// key was not certified when the entry was logged.
#[test]
fn certificate_chain_not_yet_valid_at_the_signed_time() {
    let c = Case::new();
    let early = Faults {
        certificate_not_yet_valid: true,
        ..Default::default()
    };
    // The library reports the chain builder's error; the core says what it
    // means, from the certificate and the log's verified time.
    assert_fails_at(
        &c.verify(&c.provenance_with(&early, &Shape::default()), &c.publish()),
        PROVENANCE,
        CheckId::CertificateChain,
        "The certificate was not valid yet at the signed time: the log integrated the entry at \
         2024-06-01T12:00:00Z, the certificate is valid from 2024-06-01T12:10:00Z",
    );
}

// ---------------------------------------------------------------------------
// 4. Registry key
// ---------------------------------------------------------------------------

/// A publish attestation whose signature names no key id: the key cannot be
/// chosen by the bundle's hint alone (a bundle does not choose the key that
/// verifies it). The provenance beside it verifies; the publish attestation
/// fails at its registry key check.
#[test]
fn registry_key_a_publish_signature_that_names_no_key_id() {
    let c = Case::new();
    let no_key_id = Faults {
        keyed_no_key_id: true,
        ..Default::default()
    };
    let report = c.verify(&c.provenance(), &c.publish_with(&no_key_id, &Shape::default()));
    let says = "The signature names no key id, so no registry key can be chosen for it.";
    assert_attestation_fails_at(&report, AttestationKind::Publish, CheckId::RegistryKey, says);
    assert_eq!(report.provenance_attestation().unwrap().verdict, Verdict::Verified);
    assert_fails_at(&report, PUBLISH, CheckId::RegistryKey, says);
}

// ---------------------------------------------------------------------------
// 5. Expected identity
// ---------------------------------------------------------------------------

fn other_san() -> ExpectedIdentity {
    ExpectedIdentity {
        subject_alternative_name: Some(
            "https://github.com/acme/widget/.github/workflows/other.yml@refs/heads/main".into(),
        ),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    }
}

fn other_issuer() -> ExpectedIdentity {
    ExpectedIdentity {
        subject_alternative_name: Some(SAN.into()),
        issuer: Some(GITLAB_ISSUER.into()),
        ..Default::default()
    }
}

const OTHER_SAN_SAYS: &str = "Not the expected signer: identity https://github.com/acme/widget/.github/workflows/other.yml@refs/heads/main was expected, the certificate names https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main.";
const OTHER_ISSUER_SAYS: &str = "Not the expected signer: issuer https://gitlab.com was expected, the certificate names https://token.actions.githubusercontent.com.";

/// Another signer than the one expected, by its identity (SAN) or by its
/// issuer: a valid signature by someone else is not provenance from the
/// expected build. Through a package version.
#[test]
fn expected_identity_another_identity_or_issuer_for_a_package_version() {
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    assert_fails_at(
        &c.verify_expecting(&response, &other_san()),
        PROVENANCE,
        CheckId::ExpectedIdentity,
        OTHER_SAN_SAYS,
    );
    assert_fails_at(
        &c.verify_expecting(&response, &other_issuer()),
        PROVENANCE,
        CheckId::ExpectedIdentity,
        OTHER_ISSUER_SAYS,
    );
    // Both right: verified (the failures above are the expectations').
    let right = ExpectedIdentity {
        subject_alternative_name: Some(SAN.into()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    };
    let report = c.verify_expecting(&response, &right);
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
}

/// The same through `verify --bundle` (one bundle, judged as a plain
/// Sigstore bundle).
#[test]
fn expected_identity_another_identity_or_issuer_for_a_single_bundle() {
    let c = Case::new();
    let bundle = c.provenance();
    assert_fails_at(
        &c.verify_single(&bundle, None, &other_san()),
        SINGLE,
        CheckId::ExpectedIdentity,
        OTHER_SAN_SAYS,
    );
    assert_fails_at(
        &c.verify_single(&bundle, None, &other_issuer()),
        SINGLE,
        CheckId::ExpectedIdentity,
        OTHER_ISSUER_SAYS,
    );
    let right = ExpectedIdentity {
        subject_alternative_name: Some(SAN.into()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    };
    let report = c.verify_single(&bundle, None, &right);
    assert_eq!(report.verdict, Verdict::Verified, "{}", report.summary);
}

// ---------------------------------------------------------------------------
// 6. Identity consistency
// ---------------------------------------------------------------------------

/// A provenance predicate that states nothing (no repository, commit or
/// build file) cannot be checked against the certificate: provenance that
/// describes no build is refused rather than shown as agreeing. In both SLSA
/// versions npm writes.
#[test]
fn identity_consistency_a_predicate_that_states_nothing() {
    let c = Case::new();
    let says = "The provenance predicate states no repository, commit or build file to compare with the certificate.";
    let mut v1 = c.statement();
    v1["predicate"] = serde_json::json!({});
    assert_fails_at(
        &c.verify(&c.keyless(&v1), &c.publish()),
        PROVENANCE,
        CheckId::IdentityConsistency,
        says,
    );
    // A predicate that names only its builder states nothing to compare either.
    let mut v02 = kit::gitlab_provenance(NAME, VERSION, &c.sha512, REPO, COMMIT);
    v02["predicate"] = serde_json::json!({ "builder": { "id": "https://github.com/actions/runner" } });
    let response = attestations_response(&[(SLSA_V02, &c.keyless(&v02)), (NPM_PUBLISH, &c.publish())]);
    assert_fails_at(
        &c.verify_response(&response),
        PROVENANCE,
        CheckId::IdentityConsistency,
        says,
    );
}

// ---------------------------------------------------------------------------
// 7. Publish predicate
// ---------------------------------------------------------------------------

/// The registry's signed publish predicate names another package or another
/// version: it attests some other publication, not this one (the subject,
/// checked before it, is this package's).
#[test]
fn publish_predicate_another_name_or_version() {
    let c = Case::new();
    for (field, value, says) in [
        (
            "name",
            "@acme/other",
            "The publish predicate names @acme/other@1.2.3, not @acme/widget@1.2.3.",
        ),
        (
            "version",
            "9.9.9",
            "The publish predicate names @acme/widget@9.9.9, not @acme/widget@1.2.3.",
        ),
    ] {
        let mut statement = c.publish_statement();
        statement["predicate"][field] = value.into();
        let publish = c.kit.keyed_bundle(&statement, &Faults::default());
        assert_fails_at(
            &c.verify(&c.provenance(), &publish),
            PUBLISH,
            CheckId::PublishPredicate,
            says,
        );
    }
}

// ---------------------------------------------------------------------------
// 8. Log entry match (keyed)
// ---------------------------------------------------------------------------

/// A publish attestation whose (validly logged) entry records another
/// payload: the log never saw this statement, so nothing public shows the
/// registry signed it. As npm's publish attestation, and as a plain bundle
/// verified with the key (`verify --bundle --key`).
#[test]
fn log_entry_match_a_keyed_bundle_whose_entry_is_for_another_payload() {
    let c = Case::new();
    let other = Faults {
        entry_for_other_payload: true,
        ..Default::default()
    };
    let publish = c.publish_with(&other, &Shape::default());
    let says =
        "The log entry does not describe this bundle: log entry does not match the bundle: DSSE payload hash mismatch";
    assert_fails_at(
        &c.verify(&c.provenance(), &publish),
        PUBLISH,
        CheckId::LogEntryMatch,
        says,
    );
    assert_fails_at(
        &c.verify_single(&publish, Some(c.registry_spki()), &ExpectedIdentity::default()),
        SINGLE,
        CheckId::LogEntryMatch,
        says,
    );
}

// ---------------------------------------------------------------------------
// Package-level checks, so that every check fails with its sentence here.
// ---------------------------------------------------------------------------

/// Two publish attestations: a page could show one while a tool acts on the
/// other. npm serves at most one of each kind.
#[test]
fn attestations_two_publish_attestations() {
    let c = Case::new();
    let response = attestations_response(&[
        (SLSA_V1, &c.provenance()),
        (NPM_PUBLISH, &c.publish()),
        (NPM_PUBLISH, &c.publish()),
    ]);
    assert_fails_at(
        &c.verify_response(&response),
        None,
        CheckId::Attestations,
        "The registry serves 1 provenance and 2 publish attestations; npm serves at most one of each.",
    );
}

/// A registry signature (by the registry's key) over another version: it
/// does not vouch for this one.
#[test]
fn registry_signature_over_another_version() {
    let c = Case::new();
    let forged: RegistrySignature =
        serde_json::from_value(c.kit.registry_signature(NAME, "6.6.6", &c.integrity)).unwrap();
    let signatures = [forged];
    let docs = signed_version(NAME, VERSION, Some(&c.integrity), &signatures);
    let report = verify_package_version(&docs, &c.trust(), &ExpectedIdentity::default());
    assert_fails_at(
        &report,
        None,
        CheckId::RegistrySignature,
        &format!(
            "No registry signature verifies: the signature by {} does not verify over \"@acme/widget@1.2.3:{}\".",
            c.kit.registry_key_id(),
            c.integrity
        ),
    );
}

/// A lockfile that pins other bytes than the registry serves (a tampered
/// lockfile, or a registry that changed a version): the attestations, valid
/// as they are, are not about what gets installed. And a lockfile hash the
/// registry's cannot be compared with is no pass either.
#[test]
fn lockfile_integrity_other_bytes_or_nothing_to_compare() {
    let c = Case::new();
    let response = attestations_response(&[(SLSA_V1, &c.provenance()), (NPM_PUBLISH, &c.publish())]);
    let prepared = PreparedAttestations::parse(&response);
    let (other, _) = kit::integrity_of(b"another tarball");
    let verify = |locked: &str| {
        let locked = [locked.to_string()];
        let docs = PackageVersionDocuments {
            lockfile_integrities: &locked,
            ..attested_version(NAME, VERSION, Some(&c.integrity), &prepared)
        };
        verify_package_version(&docs, &c.trust(), &ExpectedIdentity::default())
    };
    // The same integrity: verified, and the check says what it compared.
    let same = verify(&c.integrity);
    assert_eq!(same.verdict, Verdict::Verified, "{}", same.summary);
    assert!(
        same.checks[0]
            .detail
            .contains("The lockfile's sha512 equals the registry's dist.integrity")
    );
    assert_fails_at(
        &verify(&other),
        None,
        CheckId::LockfileIntegrity,
        "the lockfile pins other bytes than the registry serves",
    );
    assert_fails_at(
        &verify("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
        None,
        CheckId::LockfileIntegrity,
        "name no algorithm in common, so they cannot be compared",
    );
    // The registry states no integrity at all.
    let locked = [c.integrity.clone()];
    let docs = PackageVersionDocuments {
        lockfile_integrities: &locked,
        ..attested_version(NAME, VERSION, None, &prepared)
    };
    assert_fails_at(
        &verify_package_version(&docs, &c.trust(), &ExpectedIdentity::default()),
        None,
        CheckId::LockfileIntegrity,
        "the registry states none to compare it with",
    );
}

// ---------------------------------------------------------------------------
// The guard: every check the core can fail has a case that fails it.
// ---------------------------------------------------------------------------

/// How a check is covered: the tests (file, function) that assert a failure
/// at it, or why it cannot fail, the core function that alone records it
/// (read by the guard: it must record no failure), and the test that shows
/// what it does instead.
enum Coverage {
    FailedBy(&'static [(&'static str, &'static str)]),
    NeverFails {
        why: &'static str,
        recorded_in: (&'static str, &'static str),
        shown_by: (&'static str, &'static str),
    },
}

/// The table. Its `match` has no wildcard: a check added to `CheckId`
/// does not compile here until it is given a case, and `LISTED` (every
/// check the match names) must be `CheckId::ALL`.
macro_rules! coverage_table {
    ($($check:ident => $coverage:expr,)*) => {
        const LISTED: &[CheckId] = &[$(CheckId::$check),*];
        fn coverage(check: CheckId) -> Coverage {
            match check {
                $(CheckId::$check => $coverage,)*
            }
        }
    };
}

const HERE: &str = "failure_paths.rs";
const HOSTILE: &str = "hostile.rs";
const OWN: &str = "own_sigstore.rs";
const REAL: &str = "real_fixtures.rs";
const PACKAGE_VERSION: &str = "package_version.rs";
const LOOKUP: &str = "lookup.rs";

coverage_table! {
    LockfileIntegrity => Coverage::FailedBy(&[
        (HERE, "lockfile_integrity_other_bytes_or_nothing_to_compare"),
        (LOOKUP, "every_lockfile_integrity_is_compared"),
    ]),
    Attestations => Coverage::FailedBy(&[
        (HERE, "attestations_two_publish_attestations"),
        (OWN, "attestations_two_provenance_attestations"),
        (LOOKUP, "listed_attestations_that_are_missing_fail"),
    ]),
    RegistryAttestation => Coverage::NeverFails {
        why: "it passes (a publish attestation is served) or is skipped: required when registry keys are \
              known, so the verdict is incomplete, optional when none are; a missing publish attestation \
              is not a failed signature",
        recorded_in: (PACKAGE_VERSION, "registry_attestation"),
        shown_by: (HOSTILE, "provenance_without_the_registrys_publish_attestation_is_incomplete"),
    },
    RegistrySignature => Coverage::FailedBy(&[
        (HERE, "registry_signature_over_another_version"),
        (OWN, "registry_signature_valid_and_forged"),
        (REAL, "a_registry_signature_over_other_data_or_by_an_expired_key_is_rejected"),
        (LOOKUP, "a_version_without_signatures_on_a_registry_that_signs_fails"),
        (LOOKUP, "a_signature_by_a_key_that_expired_before_publication_fails_at_every_depth"),
    ]),
    RegistryDocuments => Coverage::FailedBy(&[
        (LOOKUP, "a_package_document_that_disagrees_with_the_version_document_fails"),
    ]),
    BundleFormat => Coverage::FailedBy(&[
        (HERE, "bundle_format_a_keyed_bundle_presented_as_provenance"),
        (HERE, "bundle_format_more_than_one_log_entry"),
        (HERE, "bundle_format_more_log_entries_than_the_limit"),
        (HERE, "bundle_format_a_log_entry_kind_that_does_not_fit_the_content"),
        (HERE, "bundle_format_a_log_entry_with_no_inclusion_evidence"),
        (HERE, "bundle_format_a_v03_bundle_with_a_certificate_chain"),
        (OWN, "bundle_format_a_keyless_signature_naming_a_key"),
        (HOSTILE, "a_checkpoint_padded_with_forged_signature_lines_is_refused_before_any_signature_check"),
    ]),
    RegistryKey => Coverage::FailedBy(&[
        (HERE, "registry_key_a_publish_signature_that_names_no_key_id"),
        (OWN, "registry_key_hint_differs_unknown_or_certificate_instead"),
    ]),
    LogTimestamp => Coverage::FailedBy(&[
        (OWN, "log_timestamp_by_another_key_or_from_the_future"),
        (OWN, "log_timestamp_an_rfc3161_timestamp_that_does_not_verify"),
        (HOSTILE, "rekor_v2_evidence_fails_at_its_check"),
    ]),
    CertificateChain => Coverage::FailedBy(&[
        (HERE, "certificate_chain_not_yet_valid_at_the_signed_time"),
        (OWN, "certificate_chain_untrusted_ca_or_expired_at_log_time"),
        (HOSTILE, "a_chain_adds_nothing_to_what_is_trusted"),
    ]),
    CertificateSct => Coverage::FailedBy(&[
        (OWN, "certificate_sct_by_another_log_or_missing"),
    ]),
    TransparencyLog => Coverage::FailedBy(&[
        (OWN, "transparency_log_checkpoint_by_another_key_or_a_wrong_proof"),
        (HOSTILE, "rekor_v2_evidence_fails_at_its_check"),
    ]),
    Signature => Coverage::FailedBy(&[
        (OWN, "signature_by_another_key"),
    ]),
    LogEntryMatch => Coverage::FailedBy(&[
        (HERE, "log_entry_match_a_keyed_bundle_whose_entry_is_for_another_payload"),
        (HERE, "log_entry_match_a_hashedrekord_body_labelled_dsse"),
        (OWN, "log_entry_for_another_payload"),
        (HOSTILE, "rekor_v2_evidence_fails_at_its_check"),
    ]),
    KeyValidity => Coverage::FailedBy(&[
        (OWN, "key_validity_registry_key_expired_before_the_log_time"),
        (REAL, "a_publish_key_outside_its_window_is_rejected"),
    ]),
    Statement => Coverage::FailedBy(&[
        (HERE, "statement_a_predicate_type_npm_does_not_use"),
        (HERE, "statement_a_payload_type_that_is_not_in_toto"),
        (OWN, "statement_labelled_otherwise_by_the_registry_or_of_another_type"),
        (HOSTILE, "a_signed_payload_that_is_no_statement_fails_at_the_statement"),
    ]),
    Subject => Coverage::FailedBy(&[
        (OWN, "subject_two_subjects_another_name_another_digest"),
        (HOSTILE, "a_subject_digest_in_uppercase_hex_is_not_npms_digest"),
    ]),
    PublishPredicate => Coverage::FailedBy(&[
        (HERE, "publish_predicate_another_name_or_version"),
        (OWN, "publish_predicate_names_another_version"),
    ]),
    IdentityConsistency => Coverage::FailedBy(&[
        (HERE, "identity_consistency_a_predicate_that_states_nothing"),
        (OWN, "identity_consistency_predicate_claims_another_repository_or_workflow"),
    ]),
    ExpectedIdentity => Coverage::FailedBy(&[
        (HERE, "expected_identity_another_identity_or_issuer_for_a_package_version"),
        (HERE, "expected_identity_another_identity_or_issuer_for_a_single_bundle"),
        (OWN, "expected_identity_other_repository"),
        (HOSTILE, "an_unrecognised_issuer_gets_no_platform_and_no_repository_expectation"),
    ]),
}

/// The source of a test file the table names.
fn source(file: &str) -> &'static str {
    match file {
        HERE => include_str!("failure_paths.rs"),
        HOSTILE => include_str!("hostile.rs"),
        OWN => include_str!("own_sigstore.rs"),
        REAL => include_str!("real_fixtures.rs"),
        LOOKUP => include_str!("lookup.rs"),
        other => panic!("the table names {other}, which the guard does not read"),
    }
}

/// The core's sources the guard reads for a check that never fails: every
/// place that records a check (the checklist, the per-bundle checks).
const CORE_SOURCES: &[(&str, &str)] = &[
    (PACKAGE_VERSION, include_str!("../src/package_version.rs")),
    ("bundle/mod.rs", include_str!("../src/bundle/mod.rs")),
    ("bundle/sigstore.rs", include_str!("../src/bundle/sigstore.rs")),
    ("verdict.rs", include_str!("../src/verdict.rs")),
    ("lib.rs", include_str!("../src/lib.rs")),
];

/// The body of the function `name` in the core's `file`.
fn core_function(file: &str, name: &str) -> &'static str {
    let (_, text) = CORE_SOURCES
        .iter()
        .find(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("the guard does not read {file}"));
    let start = text
        .find(&format!("fn {name}("))
        .unwrap_or_else(|| panic!("{file} has no fn {name}"));
    let body = &text[start..];
    &body[..body.find("\n}\n").unwrap_or(body.len())]
}

/// The body of the test `name` in `file`: from its `#[test]` to the closing
/// brace at the start of a line. Panics unless it is a test that runs.
fn test_body(file: &str, name: &str) -> &'static str {
    let text = source(file);
    let head = format!("#[test]\nfn {name}() {{\n");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("{file} has no test `{name}` (or it is not a plain #[test] that runs)"));
    let body = &text[start + head.len()..];
    let end = body.find("\n}\n").unwrap_or(body.len());
    &body[..end]
}

#[test]
fn every_check_the_core_can_fail_has_a_failing_case() {
    // The table names each check once, and every check.
    let mut listed = LISTED.to_vec();
    listed.sort_by_key(|c| format!("{c:?}"));
    listed.dedup();
    assert_eq!(listed.len(), LISTED.len(), "a check is listed twice");
    let mut all = CheckId::ALL.to_vec();
    all.sort_by_key(|c| format!("{c:?}"));
    assert_eq!(listed, all, "the table and CheckId::ALL differ");

    for check in CheckId::ALL {
        let asserted = format!("CheckId::{check:?}");
        match coverage(check) {
            Coverage::FailedBy(tests) => {
                assert!(!tests.is_empty(), "{check:?} has no failing case");
                // Honest: each test named exists, runs, and asserts this check.
                for (file, name) in tests {
                    let body = test_body(file, name);
                    assert!(
                        body.contains(&asserted),
                        "{file}::{name} is listed for {check:?} but never names {asserted}"
                    );
                    assert!(
                        ["assert_fails", "Failed", "failure("].iter().any(|f| body.contains(f)),
                        "{file}::{name} is listed for {check:?} but asserts no failure"
                    );
                }
            }
            Coverage::NeverFails {
                why,
                recorded_in: (core_file, function),
                shown_by: (file, name),
            } => {
                assert!(!why.is_empty());
                // Honest: the check is recorded in that one function, which
                // records no failure.
                let recorder = core_function(core_file, function);
                assert!(
                    recorder.contains(&asserted),
                    "{core_file}::{function} does not record {check:?}"
                );
                let recorded_elsewhere = CORE_SOURCES
                    .iter()
                    .map(|(_, text)| text.matches(asserted.as_str()).count())
                    .sum::<usize>();
                assert_eq!(
                    recorded_elsewhere, 1,
                    "{check:?} is recorded outside {core_file}::{function}"
                );
                for failing in ["Outcome::Failed", ".fail(", "Err("] {
                    assert!(
                        !recorder.contains(failing),
                        "{core_file}::{function} can fail {check:?} ({failing}): give it a failing case"
                    );
                }
                let body = test_body(file, name);
                assert!(
                    body.contains(&asserted) && body.contains("CheckStatus::Skipped"),
                    "{file}::{name} does not show what {asserted} does instead of failing"
                );
            }
        }
    }
}
