//! One package version per kind of outcome, made with this crate's Sigstore,
//! for the tests that assert how every outcome is shown (the app's page, the
//! badge, the command line): each lists what the registry would serve and
//! the verdict the core must reach.

use serde_json::Value;

use crate::{Faults, Identity, NPM_PUBLISH, SLSA_V1, Sigstore, attestations_response, integrity_of};

/// What the registry serves for one version, and the outcome it must give.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// A short description, for test messages.
    pub what: &'static str,
    pub name: String,
    pub version: String,
    pub integrity: Option<String>,
    pub attestations: Option<String>,
    /// `dist.signatures` (`keyid`, `sig`).
    pub registry_signatures: Vec<(String, String)>,
    /// The verdict the core must give, as `Verdict` serializes (`verified`, `failed`, ...).
    pub verdict: &'static str,
    /// Whether the provenance attestation itself verifies, although the
    /// version as a whole may not (so its claims exist but must not be vouched for).
    pub provenance_verifies: bool,
}

/// The scenarios, with the trusted root and keys document they verify against.
pub struct Scenarios {
    pub trusted_root: String,
    pub keys_document: String,
    pub list: Vec<Scenario>,
}

/// The package the scenarios are versions of.
pub const SCENARIO_PACKAGE: &str = "verdicts";

const REPO: &str = "acme/widget";
const WORKFLOW: &str = ".github/workflows/release.yml";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

struct Parts {
    integrity: String,
    provenance: String,
    publish: String,
    signature: (String, String),
    /// A registry signature over another version's data.
    other_signature: (String, String),
}

fn parts(kit: &Sigstore, name: &str, version: &str, provenance_faults: &Faults, publish_faults: &Faults) -> Parts {
    let (integrity, sha512) = integrity_of(format!("{name}@{version}").as_bytes());
    let statement = crate::github_provenance(name, version, &sha512, REPO, WORKFLOW, COMMIT);
    let identity = Identity::github(REPO, WORKFLOW, COMMIT, "refs/heads/main");
    let provenance = kit.keyless_bundle(&statement, &identity, provenance_faults);
    let publish = kit.keyed_bundle(&crate::publish_statement(name, version, &sha512), publish_faults);
    let text = |v: &Value| (text_of(&v["keyid"]), text_of(&v["sig"]));
    Parts {
        signature: text(&kit.registry_signature(name, version, &integrity)),
        other_signature: text(&kit.registry_signature(name, "0.0.0", &integrity)),
        integrity,
        provenance,
        publish,
    }
}

/// How one scenario departs from a version that verifies.
struct Variant {
    what: &'static str,
    verdict: &'static str,
    provenance_verifies: bool,
    provenance_faults: Faults,
    publish_faults: Faults,
    adjust: fn(&Parts, &mut Scenario),
}

impl Variant {
    fn new(what: &'static str, verdict: &'static str, provenance_verifies: bool) -> Self {
        Self {
            what,
            verdict,
            provenance_verifies,
            provenance_faults: Faults::default(),
            publish_faults: Faults::default(),
            adjust: |_, _| {},
        }
    }
}

fn signed_by_other_key() -> Faults {
    Faults {
        signature_by_other_key: true,
        ..Faults::default()
    }
}

/// Every outcome: verified; a provenance signature that fails; a publish
/// attestation or a registry signature that fails while the provenance
/// verifies; no integrity (and so no signature) from a registry that signs;
/// no attestations; a publish
/// attestation alone; an unusable version document; provenance without the
/// registry's publish attestation.
pub fn verdict_scenarios() -> Scenarios {
    let kit = Sigstore::new();
    let variants = [
        Variant::new("every check passes", "verified", true),
        Variant {
            provenance_faults: signed_by_other_key(),
            ..Variant::new("provenance signed by another key", "failed", false)
        },
        Variant {
            publish_faults: signed_by_other_key(),
            ..Variant::new("publish attestation signed by another key", "failed", true)
        },
        Variant {
            adjust: |p, s| s.registry_signatures = vec![p.other_signature.clone()],
            ..Variant::new("registry signature over other data", "failed", true)
        },
        Variant {
            adjust: |_, s| {
                s.integrity = None;
                s.registry_signatures.clear();
            },
            // A registry that signs every version serves this one with
            // neither an integrity nor its signature: stripped, a failure.
            ..Variant::new(
                "no integrity to compare the subject with, and no signature",
                "failed",
                true,
            )
        },
        Variant {
            adjust: |_, s| s.attestations = None,
            ..Variant::new("no attestations served", "no_provenance", false)
        },
        Variant {
            adjust: |p, s| s.attestations = Some(attestations_response(&[(NPM_PUBLISH, &p.publish)])),
            ..Variant::new("a publish attestation only", "no_provenance", false)
        },
        Variant {
            adjust: |_, s| s.integrity = Some("md5-not-an-integrity".into()),
            ..Variant::new("an integrity that is not sha512", "error", false)
        },
        Variant {
            adjust: |p, s| s.attestations = Some(attestations_response(&[(SLSA_V1, &p.provenance)])),
            ..Variant::new(
                "provenance without the registry's publish attestation",
                "incomplete",
                true,
            )
        },
    ];
    let list = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (name, version) = (SCENARIO_PACKAGE, format!("1.0.{i}"));
            let p = parts(&kit, name, &version, &v.provenance_faults, &v.publish_faults);
            let mut s = Scenario {
                what: v.what,
                name: name.into(),
                version,
                integrity: Some(p.integrity.clone()),
                attestations: Some(attestations_response(&[
                    (SLSA_V1, &p.provenance),
                    (NPM_PUBLISH, &p.publish),
                ])),
                registry_signatures: vec![p.signature.clone()],
                verdict: v.verdict,
                provenance_verifies: v.provenance_verifies,
            };
            (v.adjust)(&p, &mut s);
            s
        })
        .collect();
    Scenarios {
        trusted_root: kit.trusted_root_json(),
        keys_document: kit.registry_keys_document(None),
        list,
    }
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}
