//! The one package-version path, used by the app, its worker, the server and
//! the command line: from what the registry serves for a name and version to
//! a [`Report`]. Which version a request means, whether the registry's
//! documents are the asked package's, the attestations, the registry
//! signatures. None of it does I/O.

use crate::bundle::{ArtifactExpectation, Context, DigestAlgorithm, PreparedBundle, Role, verify_bundle};
use crate::checks::{CheckId, Checklist, Outcome};
use crate::identity::ExpectedIdentity;
use crate::package::{parse_integrity, validate_name, validate_version};
use crate::publishing::{PublishSignals, compare_with_history, trust_level};
use crate::registry_documents::{
    Packument, RegistrySignature, VersionDist, VersionSummary, looks_like_attestations_response, parse_attestations,
};
use crate::registry_signatures::check_registry_signatures;
use crate::report::{AttestationKind, AttestationReport, PackageRef, Report};
use crate::trust::TrustMaterial;
use crate::verdict::{self, Subject};

/// An attestations response read once: its bundles parsed and checked for
/// shape, ready for the browser's pre-verification and for verification.
#[derive(Debug)]
pub struct PreparedAttestations {
    pub entries: Result<Vec<PreparedBundle>, String>,
}

impl PreparedAttestations {
    /// Reads `{"attestations":[{"predicateType","bundle"}]}` (size and count
    /// limited before any bundle is read).
    pub fn parse(json: &str) -> Self {
        Self {
            entries: parse_attestations(json).map(|entries| {
                entries
                    .into_iter()
                    .map(|e| PreparedBundle::parse(&e.bundle_json, e.predicate_type))
                    .collect()
            }),
        }
    }
}

/// Whether a registry signs its versions (`dist.signatures`), which decides
/// what a version without signatures means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RegistrySigning {
    /// The registry's version document was not given (a pasted response,
    /// `verify --integrity`): there is nothing to say about its signatures.
    #[default]
    NotSupplied,
    /// The registry signs every version with keys this program knows (npm's
    /// registry, or one whose keys the caller gave): a version without
    /// `dist.signatures` had them stripped, as npm's `audit signatures`
    /// holds ("missing").
    Signs,
    /// The registry lists no keys (`/-/npm/v1/keys`): its versions carry no
    /// signature to check, and a version without one is not held against it.
    DoesNotSign,
    /// Whether it signs could not be read, and why.
    Unknown(String),
}

/// What the registry serves for one package version.
#[derive(Debug, Clone, Copy)]
pub struct PackageVersionDocuments<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// `dist.integrity` from the version document.
    pub integrity: Option<&'a str>,
    /// The attestations response; `None` when the registry has none for this
    /// version (404, or no `dist.attestations`).
    pub attestations: Option<&'a PreparedAttestations>,
    /// Set when the version document lists attestations
    /// (`dist.attestations`) that the registry did not serve: why. A
    /// registry withholding what it advertises fails, never "no provenance"
    /// (npm's pacote rejects it too).
    pub withheld_attestations: Option<&'a str>,
    /// `dist.signatures` from the version document.
    pub registry_signatures: &'a [RegistrySignature],
    /// Whether the registry signs its versions.
    pub registry_signing: &'a RegistrySigning,
    /// When the version was published (packument `time`), for key expiry.
    pub published_at: Option<i64>,
    /// Every integrity a lockfile records for this version (one per copy
    /// it installs): each must be the registry's.
    pub lockfile_integrities: &'a [String],
    /// `_npmUser`'s publishing signals (the registry's word).
    pub publishing: Option<&'a PublishSignals>,
    /// Every version the registry lists, for the downgrade rules; `None`
    /// when only this version's document was read.
    pub history: Option<&'a [VersionSummary]>,
    /// What the package document lists for this version, when it was read:
    /// it must agree with the version document.
    pub listed: Option<&'a VersionDist>,
}

/// What [`PackageVersionDocuments::default`] says of signatures.
static NOT_SUPPLIED: RegistrySigning = RegistrySigning::NotSupplied;

impl Default for PackageVersionDocuments<'_> {
    fn default() -> Self {
        Self {
            name: "",
            version: "",
            integrity: None,
            attestations: None,
            withheld_attestations: None,
            registry_signatures: &[],
            registry_signing: &NOT_SUPPLIED,
            published_at: None,
            lockfile_integrities: &[],
            publishing: None,
            history: None,
            listed: None,
        }
    }
}

impl<'a> PackageVersionDocuments<'a> {
    /// The documents of `version` from the registry's package (or version)
    /// document, as resolved by [`resolve_version`].
    pub fn from_registry(
        name: &'a str,
        version: &'a str,
        dist: &'a VersionDist,
        published_at: Option<i64>,
        attestations: Option<&'a PreparedAttestations>,
    ) -> Self {
        Self {
            name,
            version,
            integrity: dist.integrity.as_deref(),
            attestations,
            registry_signatures: &dist.signatures,
            published_at,
            publishing: Some(&dist.publishing),
            ..Default::default()
        }
    }
}

/// Why a request names no version the registry serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The registry answered for another package than the one asked for
    /// (a hostile or broken registry; the verdict would be about the wrong
    /// package).
    NameMismatch {
        asked: String,
        served: String,
    },
    /// The version document under a version's key states another version.
    VersionMismatch {
        key: String,
        stated: String,
    },
    VersionNotFound {
        name: String,
        version: String,
        latest: Option<String>,
    },
    NoVersions(String),
}

impl ResolveError {
    pub fn message(&self) -> String {
        use crate::text::visible;
        match self {
            ResolveError::NameMismatch { asked, served } => format!(
                "The registry answered the request for {} with the document of another package, {}: nothing is verified for it.",
                visible(asked),
                visible(served)
            ),
            ResolveError::VersionMismatch { key, stated } => format!(
                "The registry lists version {} with the document of version {}: nothing is verified for it.",
                visible(key),
                visible(stated)
            ),
            ResolveError::VersionNotFound { name, version, .. } => {
                format!("{} has no version {}.", visible(name), visible(version))
            }
            ResolveError::NoVersions(name) => format!("{} has no published versions.", visible(name)),
        }
    }

    /// Whether this is the registry not having what was asked (404), rather
    /// than the registry serving something wrong.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ResolveError::VersionNotFound { .. } | ResolveError::NoVersions(_))
    }
}

/// The version a request means: the one asked for, or the `latest` tag, in
/// the document of the package asked for (the registry does not get to say
/// which package is verified).
pub fn resolve_version(packument: &Packument, name: &str, version: Option<&str>) -> Result<String, ResolveError> {
    if packument.name != name {
        return Err(ResolveError::NameMismatch {
            asked: name.to_string(),
            served: packument.name.clone(),
        });
    }
    let version = match version {
        Some(v) if packument.versions.contains_key(v) => v.to_string(),
        Some(v) => {
            return Err(ResolveError::VersionNotFound {
                name: name.to_string(),
                version: v.to_string(),
                latest: packument.latest().map(str::to_string),
            });
        }
        None => packument
            .latest()
            .map(str::to_string)
            .ok_or_else(|| ResolveError::NoVersions(name.to_string()))?,
    };
    check_version_document(packument.versions.get(&version), name, &version)?;
    Ok(version)
}

/// A version document must state the package and version it is listed under.
pub fn check_version_document(dist: Option<&VersionDist>, name: &str, version: &str) -> Result<(), ResolveError> {
    let Some(dist) = dist else {
        return Err(ResolveError::VersionNotFound {
            name: name.to_string(),
            version: version.to_string(),
            latest: None,
        });
    };
    if let Some(stated) = dist.stated_name.as_deref().filter(|n| *n != name) {
        return Err(ResolveError::NameMismatch {
            asked: name.to_string(),
            served: stated.to_string(),
        });
    }
    if let Some(stated) = dist.stated_version.as_deref().filter(|v| *v != version) {
        return Err(ResolveError::VersionMismatch {
            key: version.to_string(),
            stated: stated.to_string(),
        });
    }
    Ok(())
}

/// Verifies a package version's attestations and registry signatures.
pub fn verify_package_version(
    docs: &PackageVersionDocuments<'_>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    crate::crypto_backend::install();
    if let Err(e) = validate_name(docs.name).and_then(|_| validate_version(docs.version)) {
        return Report::error(None, e);
    }
    let package = PackageRef::new(docs.name, docs.version);
    let artifact = match docs.integrity.map(parse_integrity) {
        Some(Ok(integrity)) => ArtifactExpectation::Integrity(integrity),
        Some(Err(e)) => {
            return Report::error(
                Some(package),
                format!("The version document's integrity is unusable: {e}."),
            );
        }
        None => ArtifactExpectation::Unknown,
    };
    let ctx = Context {
        trust,
        package: Some(&package),
        artifact: &artifact,
        expected,
    };
    let mut list = Checklist::new();
    if !docs.lockfile_integrities.is_empty() {
        list.check(CheckId::LockfileIntegrity, || {
            lockfile_integrity(docs.lockfile_integrities, docs.integrity)
        });
    }
    if let Some(listed) = docs.listed {
        list.check(CheckId::RegistryDocuments, || documents_agree(docs, listed));
    }
    let attestations = match (docs.attestations, docs.withheld_attestations) {
        (Some(prepared), _) => verify_attestations(prepared, &ctx, &mut list),
        (None, Some(why)) => {
            list.fail(CheckId::Attestations, why);
            Vec::new()
        }
        (None, None) => {
            list.skip_optional(
                CheckId::Attestations,
                "The registry serves no attestations for this version.",
            );
            Vec::new()
        }
    };
    registry_signatures(docs, trust, &mut list);
    let mut report = assemble(Some(package), list, attestations, Subject::PackageVersion);
    judge_publishing(&mut report, docs);
    report
}

/// Every integrity a lockfile records must be the registry's: npm installs
/// each copy by its own (`node_modules/a` and `node_modules/x/node_modules/a`
/// may record different ones), so one that is not is a tarball nothing here
/// is about.
fn lockfile_integrity(recorded: &[String], served: Option<&str>) -> Result<String, String> {
    let Some(served) = served else {
        return Err("The lockfile records an integrity, but the registry states none to compare it with.".into());
    };
    let mut distinct: Vec<&str> = recorded.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut said = Vec::new();
    for locked in &distinct {
        said.push(crate::package::compare_integrity(locked, served)?);
    }
    Ok(match distinct.len() {
        1 => said.pop().unwrap_or_default(),
        n => format!("The lockfile records {n} integrities for this version (one per copy); each is the registry's."),
    })
}

/// The package document is what `npm install` resolves a version from; the
/// version document is what is verified. A registry that serves different
/// bytes' integrity, signatures or attestations in the two would have the
/// verdict be about another tarball than the one installed.
fn documents_agree(docs: &PackageVersionDocuments<'_>, listed: &VersionDist) -> Result<String, String> {
    let mut differ = Vec::new();
    if listed.integrity.as_deref() != docs.integrity {
        differ.push(format!(
            "the integrity ({} in the package document, {} in the version document)",
            crate::text::visible(listed.integrity.as_deref().unwrap_or("none")),
            crate::text::visible(docs.integrity.unwrap_or("none"))
        ));
    }
    let mut a: Vec<&RegistrySignature> = listed.signatures.iter().collect();
    let mut b: Vec<&RegistrySignature> = docs.registry_signatures.iter().collect();
    a.sort_by(|x, y| (&x.keyid, &x.sig).cmp(&(&y.keyid, &y.sig)));
    b.sort_by(|x, y| (&x.keyid, &x.sig).cmp(&(&y.keyid, &y.sig)));
    if a != b {
        differ.push("the registry signatures".into());
    }
    let attested = docs.attestations.is_some() || docs.withheld_attestations.is_some();
    if listed.attestations_url.is_some() != attested {
        differ.push("whether the version has attestations".into());
    }
    if differ.is_empty() {
        Ok("The package document lists this version with the integrity, signatures and attestations of its own document.".into())
    } else {
        Err(format!(
            "The registry's package document and version document differ on {}: what npm installs may not be what is verified here.",
            differ.join(", ")
        ))
    }
}

/// `dist.signatures`, as npm's `audit signatures` judges them: verified
/// when present; when absent, stripped from a registry that signs every
/// version, and nothing to check on one that signs none.
fn registry_signatures(docs: &PackageVersionDocuments<'_>, trust: &TrustMaterial, list: &mut Checklist) {
    match (docs.registry_signatures, docs.integrity, docs.registry_signing) {
        ([], _, RegistrySigning::Signs) => list.fail(
            CheckId::RegistrySignature,
            "The registry signs every version it serves, but sent no dist.signatures for this one: a signature that is missing was stripped, as npm's audit signatures holds.",
        ),
        ([], _, RegistrySigning::Unknown(why)) => list.skip_required(
            CheckId::RegistrySignature,
            format!("The registry sent no dist.signatures for this version, and whether it signs its versions could not be read: {why}"),
        ),
        ([], _, RegistrySigning::DoesNotSign) => list.skip_optional(
            CheckId::RegistrySignature,
            "The registry lists no signing keys, and sent no dist.signatures for this version.",
        ),
        ([], _, RegistrySigning::NotSupplied) => list.skip_optional(
            CheckId::RegistrySignature,
            "The registry sent no dist.signatures for this version.",
        ),
        (_, None, _) => list.skip_optional(
            CheckId::RegistrySignature,
            "There is no integrity for the registry signature to cover.",
        ),
        (sigs, Some(integrity), _) => list.record(CheckId::RegistrySignature, || {
            check_registry_signatures(
                docs.name,
                docs.version,
                integrity,
                sigs,
                trust.registry_keys(),
                docs.published_at,
            )
        }),
    }
}

/// The trust level (`publishing`), from the verified report and the
/// registry's word on how the version was published; then the downgrade
/// rules when the registry's history of the package is at hand.
fn judge_publishing(report: &mut Report, docs: &PackageVersionDocuments<'_>) {
    let signals = docs.publishing.cloned().unwrap_or_default();
    report.trust = trust_level(report, &signals);
    report.publishing = Some(signals).filter(|s| *s != PublishSignals::default());
    if let Some(history) = docs.history {
        compare_with_history(report, history, docs.published_at);
    }
}

/// The one attestation loop: each bundle of a response verified, then the
/// set as a whole (one of each kind at most; the registry's publish
/// attestation beside the provenance when the registry's keys are known).
fn verify_attestations(
    prepared: &PreparedAttestations,
    ctx: &Context<'_>,
    list: &mut Checklist,
) -> Vec<AttestationReport> {
    let entries = match &prepared.entries {
        Ok(entries) => entries,
        Err(e) => {
            list.fail(CheckId::Attestations, e.clone());
            return Vec::new();
        }
    };
    let mut reports: Vec<AttestationReport> = entries.iter().map(|e| verify_bundle(e, &Role::Npm, ctx)).collect();
    list.check(CheckId::Attestations, || attestation_set(&reports));
    registry_attestation(&reports, ctx.trust, list);
    // Provenance first, as people read it; the registry's order varies.
    reports.sort_by_key(|r| match r.kind {
        AttestationKind::Provenance => 0,
        AttestationKind::Publish => 1,
        AttestationKind::Bundle => 2,
    });
    reports
}

/// The set check: which attestations are there, one of each kind at most.
fn attestation_set(reports: &[AttestationReport]) -> Result<String, String> {
    let count = |kind| reports.iter().filter(|r| r.kind == kind).count();
    let (provenance, publish) = (count(AttestationKind::Provenance), count(AttestationKind::Publish));
    // Two attestations of one kind would let a page show the harmless one while
    // the other is what a tool acts on; npm never serves that.
    if provenance > 1 || publish > 1 {
        return Err(format!(
            "The registry serves {provenance} provenance and {publish} publish attestations; npm serves at most one of each."
        ));
    }
    let mut names: Vec<&str> = reports.iter().map(|r| r.kind.label()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(format!(
        "The registry serves {} attestation{}: {}.",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        names.join(" and ")
    ))
}

/// Provenance is only as good as the registry that serves it: where the
/// registry's keys are known, its publish attestation (signed by its key,
/// over the same package and tarball) is required beside the provenance, so
/// that a registry cannot drop what its key signed and still pass.
fn registry_attestation(reports: &[AttestationReport], trust: &TrustMaterial, list: &mut Checklist) {
    let has = |kind| reports.iter().any(|r| r.kind == kind);
    if !has(AttestationKind::Provenance) {
        return;
    }
    list.record(CheckId::RegistryAttestation, || {
        if has(AttestationKind::Publish) {
            Outcome::Passed(
                "The registry's publish attestation is served beside the provenance (its checks are below).".into(),
            )
        } else if trust.registry_keys().keys().is_empty() {
            Outcome::Skipped {
                required: false,
                why: "No registry keys are configured, so the registry's publish attestation was not checked: the provenance stands on its own.".into(),
            }
        } else {
            Outcome::Skipped {
                required: true,
                why: "The registry serves no publish attestation for this version: nothing signed with the registry's key says it published this tarball, so the provenance alone does not make it verified.".into(),
            }
        }
    });
}

/// What a person pasted, read once: an attestations response or one bundle.
#[derive(Debug)]
pub enum PreparedInput {
    Attestations(PreparedAttestations),
    Bundle(Box<PreparedBundle>),
}

/// Why pasted text is not verified at all. A verification failure is for a
/// document that is a bundle or an attestations response and does not
/// verify (a forged one says "failed", and why); text that is neither is a
/// slip of the hand, said in plain words and never as a failed check with a
/// parser's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputError {
    NotJson,
    NotADocument,
}

impl InputError {
    pub fn message(self) -> &'static str {
        match self {
            InputError::NotJson => "This isn't JSON. Paste a Sigstore bundle or an npm attestations response.",
            InputError::NotADocument => "This JSON is not a Sigstore bundle or an npm attestations response.",
        }
    }
}

/// The members that make a JSON object a Sigstore bundle (any version
/// names at least one of them), or a registry attestations response.
#[derive(serde::Deserialize)]
struct InputProbe<'a> {
    #[serde(borrow, default, rename = "mediaType")]
    media_type: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default, rename = "verificationMaterial")]
    verification_material: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default, rename = "dsseEnvelope")]
    dsse_envelope: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default, rename = "messageSignature")]
    message_signature: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    attestations: Option<&'a serde_json::value::RawValue>,
}

impl PreparedInput {
    pub fn parse(json: &str) -> Self {
        let json = json.trim();
        if looks_like_attestations_response(json) {
            Self::Attestations(PreparedAttestations::parse(json))
        } else {
            Self::Bundle(Box::new(PreparedBundle::parse(json, None)))
        }
    }

    /// [`Self::parse`] for what a person gave, which may be anything: text
    /// that is not JSON, or JSON with none of a bundle's or an attestations
    /// response's members, is refused here ([`InputError`]); anything else
    /// is verified, and a broken bundle fails its checks.
    pub fn read(json: &str) -> Result<Self, InputError> {
        if serde_json::from_str::<serde::de::IgnoredAny>(json).is_err() {
            return Err(InputError::NotJson);
        }
        // An object (serde would read a probe from an array too, by position).
        let object = json.trim_start().starts_with('{');
        match serde_json::from_str::<InputProbe<'_>>(json) {
            Ok(p)
                if object
                    && (p.media_type.is_some()
                        || p.verification_material.is_some()
                        || p.dsse_envelope.is_some()
                        || p.message_signature.is_some()
                        || p.attestations.is_some()) =>
            {
                Ok(Self::parse(json))
            }
            _ => Err(InputError::NotADocument),
        }
    }

    /// The package version the input's signed statements name as their one
    /// subject (`pkg:npm/<name>@<version>`), when every statement that names
    /// one names the same. It is read before the signatures are checked:
    /// it only says which package to check the input against, and the
    /// verification that follows checks the signature over that subject; a
    /// statement that names another package, or several, names none here.
    pub fn signed_package(&self) -> Option<(String, String)> {
        let bundles: Vec<&PreparedBundle> = match self {
            Self::Attestations(a) => a.entries.as_ref().ok()?.iter().collect(),
            Self::Bundle(b) => vec![b.as_ref()],
        };
        let mut named = bundles
            .iter()
            .filter_map(|b| b.parsed.as_ref().ok()?.statement())
            .map(|st| match st.subjects.as_slice() {
                [only] => crate::package::parse_purl(&only.name),
                _ => None,
            });
        let first = named.next()??;
        named.all(|other| other.as_ref() == Some(&first)).then_some(first)
    }
}

/// Verifies what a person pasted: an attestations response or one bundle.
/// `package` (`name`, `version`) and `integrity` enable the npm checks that need them.
pub fn inspect(
    json: &str,
    package: Option<(&str, &str)>,
    integrity: Option<&str>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    inspect_prepared(&PreparedInput::parse(json), package, integrity, trust, expected)
}

/// [`inspect`] for input read with [`PreparedInput::parse`].
pub fn inspect_prepared(
    input: &PreparedInput,
    package: Option<(&str, &str)>,
    integrity: Option<&str>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    crate::crypto_backend::install();
    if let Some((name, version)) = package
        && let Err(e) = validate_name(name).and_then(|_| validate_version(version))
    {
        return Report::error(None, e);
    }
    let integrity = integrity.map(str::trim).filter(|i| !i.is_empty());
    if let (PreparedInput::Attestations(prepared), Some((name, version)), Some(integrity)) = (input, package, integrity)
    {
        let docs = PackageVersionDocuments {
            name,
            version,
            integrity: Some(integrity),
            attestations: Some(prepared),
            ..Default::default()
        };
        return verify_package_version(&docs, trust, expected);
    }
    let package_ref = package.map(|(n, v)| PackageRef::new(n, v));
    let artifact = match integrity.map(parse_integrity) {
        Some(Ok(i)) => ArtifactExpectation::Integrity(i),
        Some(Err(e)) => return Report::error(package_ref, e),
        None => ArtifactExpectation::Unknown,
    };
    let ctx = Context {
        trust,
        package: package_ref.as_ref(),
        artifact: &artifact,
        expected,
    };
    match input {
        PreparedInput::Attestations(prepared) => {
            let mut list = Checklist::new();
            let reports = verify_attestations(prepared, &ctx, &mut list);
            assemble(package_ref, list, reports, Subject::PackageVersion)
        }
        PreparedInput::Bundle(bundle) => {
            let report = verify_bundle(bundle, &Role::Auto, &ctx);
            assemble(package_ref, Checklist::new(), vec![report], Subject::SingleBundle)
        }
    }
}

/// Verifies one Sigstore bundle against an artifact, as `cosign verify-blob`
/// and the Sigstore conformance suite do: keyless (with the expected
/// identity) or with `key` (DER SPKI).
pub fn verify_single_bundle(
    json: &str,
    artifact: ArtifactExpectation,
    key: Option<Vec<u8>>,
    trust: &TrustMaterial,
    expected: &ExpectedIdentity,
) -> Report {
    crate::crypto_backend::install();
    let ctx = Context {
        trust,
        package: None,
        artifact: &artifact,
        expected,
    };
    let report = verify_bundle(&PreparedBundle::parse(json, None), &Role::Generic { key }, &ctx);
    assemble(None, Checklist::new(), vec![report], Subject::SingleBundle)
}

/// A digest given as `sha256:HEX` or `sha512:HEX`.
pub fn parse_digest(text: &str) -> Result<ArtifactExpectation, String> {
    let (algorithm, hex_digest) = match text.split_once(':') {
        Some(("sha256", hex)) => (DigestAlgorithm::Sha256, hex),
        Some(("sha512", hex)) => (DigestAlgorithm::Sha512, hex),
        _ => return Err(format!("{text:?} is not sha256:HEX or sha512:HEX")),
    };
    let len = match algorithm {
        DigestAlgorithm::Sha256 => 32,
        DigestAlgorithm::Sha512 => 64,
    };
    match hex::decode(hex_digest) {
        Ok(bytes) if bytes.len() == len => Ok(ArtifactExpectation::Digest {
            algorithm,
            bytes,
            source: "the given digest".into(),
        }),
        _ => Err(format!(
            "the {} digest must be {} hex digits",
            algorithm.name(),
            len * 2
        )),
    }
}

/// Combines the checks into the verdict and its sentence.
fn assemble(
    package: Option<PackageRef>,
    list: Checklist,
    attestations: Vec<AttestationReport>,
    subject: Subject,
) -> Report {
    let checks = list.into_checks();
    let verdict = verdict::decide(&checks, &attestations, subject);
    // The panel's claims come from a provenance attestation that verified;
    // whether the version as a whole did is the verdict's to say.
    let provenance = attestations
        .iter()
        .find(|a| a.kind == AttestationKind::Provenance)
        .filter(|a| a.verdict != crate::report::Verdict::Failed)
        .and_then(crate::summary::provenance_summary);
    let mut report = Report {
        package,
        verdict,
        summary: String::new(),
        checks,
        attestations,
        provenance,
        trust: None,
        publishing: None,
        downgrade: None,
        downgrade_checked: false,
        history_note: None,
        changes: None,
        trust_source: None,
        signals: Vec::new(),
    };
    report.summary = verdict::summary(&report, subject);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry_documents::parse_packument;

    fn packument(name: &str, stated_version: &str) -> Packument {
        parse_packument(&format!(
            r#"{{"name":"{name}","dist-tags":{{"latest":"1.0.0"}},"versions":{{"1.0.0":{{"name":"{name}","version":"{stated_version}","dist":{{}}}}}}}}"#
        ))
        .unwrap()
    }

    /// The registry does not choose which package is verified.
    #[test]
    fn the_package_and_version_verified_are_the_ones_asked_for() {
        assert_eq!(
            resolve_version(&packument("victim", "1.0.0"), "victim", None),
            Ok("1.0.0".into())
        );
        assert_eq!(
            resolve_version(&packument("sigstore", "1.0.0"), "victim", Some("1.0.0")),
            Err(ResolveError::NameMismatch {
                asked: "victim".into(),
                served: "sigstore".into()
            })
        );
        let e = resolve_version(&packument("victim", "9.9.9"), "victim", None).unwrap_err();
        assert_eq!(
            e,
            ResolveError::VersionMismatch {
                key: "1.0.0".into(),
                stated: "9.9.9".into()
            }
        );
        assert!(!e.is_not_found());
        // A version document listed under the package but naming another.
        let doc = parse_packument(
            r#"{"name":"victim","versions":{"1.0.0":{"name":"sigstore","version":"1.0.0","dist":{}}}}"#,
        )
        .unwrap();
        assert!(matches!(
            resolve_version(&doc, "victim", Some("1.0.0")),
            Err(ResolveError::NameMismatch { .. })
        ));
        let missing = resolve_version(&packument("victim", "1.0.0"), "victim", Some("2.0.0")).unwrap_err();
        assert!(missing.is_not_found());
        assert_eq!(missing.message(), "victim has no version 2.0.0.");
        // A version the document does not list is not found, and the
        // answer names the latest one there is.
        assert_eq!(
            missing,
            ResolveError::VersionNotFound {
                name: "victim".into(),
                version: "2.0.0".into(),
                latest: Some("1.0.0".into())
            }
        );
    }

    /// `--digest sha256:HEX` or `sha512:HEX`, with exactly the digest's length.
    #[test]
    fn digests_are_read_with_their_algorithm_and_length() {
        assert_eq!(
            parse_digest(&format!("sha256:{}", "ab".repeat(32))),
            Ok(ArtifactExpectation::Digest {
                algorithm: DigestAlgorithm::Sha256,
                bytes: vec![0xab; 32],
                source: "the given digest".into()
            })
        );
        assert_eq!(
            parse_digest(&format!("sha512:{}", "CD".repeat(64))),
            Ok(ArtifactExpectation::Digest {
                algorithm: DigestAlgorithm::Sha512,
                bytes: vec![0xcd; 64],
                source: "the given digest".into()
            })
        );
        for (text, says) in [
            (
                format!("sha256:{}", "ab".repeat(31)),
                "the sha256 digest must be 64 hex digits",
            ),
            (
                format!("sha256:{}", "ab".repeat(64)),
                "the sha256 digest must be 64 hex digits",
            ),
            (
                format!("sha512:{}", "ab".repeat(32)),
                "the sha512 digest must be 128 hex digits",
            ),
            (
                format!("sha512:{}", "zz".repeat(64)),
                "the sha512 digest must be 128 hex digits",
            ),
        ] {
            assert_eq!(parse_digest(&text), Err(says.to_string()), "{text}");
        }
        assert_eq!(
            parse_digest("md5:00"),
            Err("\"md5:00\" is not sha256:HEX or sha512:HEX".to_string())
        );
    }
}
