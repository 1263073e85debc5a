//! The report: what was verified, how, and what a page shows about it.
//!
//! Everything here is plain data (serde, JSON). The app, the badge server and
//! the command line render the same structure.

use serde::{Deserialize, Serialize};

use crate::checks::Check;

/// The overall answer for a package version (or a single bundle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every required check passed.
    Verified,
    /// At least one check failed.
    Failed,
    /// The registry serves no provenance attestation for this version.
    NoProvenance,
    /// Nothing failed, but a required check could not run for lack of input
    /// (for example no integrity to compare the subject with).
    Incomplete,
    /// The input could not be used at all (malformed documents, invalid names).
    Error,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Failed => "failed",
            Verdict::NoProvenance => "no provenance",
            Verdict::Incomplete => "incomplete",
            Verdict::Error => "error",
        }
    }
}

/// The package version a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    /// `pkg:npm/...`, the name the statements' subject must carry.
    pub purl: String,
}

impl PackageRef {
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_string(),
            version: version.to_string(),
            purl: crate::package::purl(name, version),
        }
    }
}

/// The report for a package version's attestations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub package: Option<PackageRef>,
    pub verdict: Verdict,
    /// One sentence a person reads first.
    pub summary: String,
    /// Checks about the package version as a whole (attestation set, registry signature).
    pub checks: Vec<Check>,
    pub attestations: Vec<AttestationReport>,
    /// What the provenance attestation says about the build, for the panel.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provenance: Option<ProvenanceSummary>,
    /// The version's trust level (see `publishing`); `null` when
    /// verification failed or could not run, and for a single bundle.
    #[serde(default)]
    pub trust: Option<TrustLevel>,
    /// How the registry says the version was published (`_npmUser`): its
    /// word, not signed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub publishing: Option<PublishSignals>,
    /// `null`, or the earlier version of the same release line published
    /// with stronger evidence than this one.
    #[serde(default)]
    pub downgrade: Option<Downgrade>,
    /// Whether the version history was there to compare with (without it,
    /// a `null` downgrade says nothing).
    #[serde(default)]
    pub downgrade_checked: bool,
    /// Why the history was not compared when it was asked for (the package
    /// document could not be read, and why).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub history_note: Option<String>,
    /// What changed in the build since the previous version of the release
    /// line with provenance, from both certificates (when asked for).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub changes: Option<BuildComparison>,
    /// Where the trust material came from (TUF, its cache, built in),
    /// when the caller knows.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trust_source: Option<crate::tuf::TrustSource>,
    /// What a person must see before the evidence: the release line's
    /// evidence dropped, or the build identity changed since the previous
    /// version with provenance (see [`crate::publishing::signals`]). Every
    /// door shows these: the page's verdict turns amber, the badge says so.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub signals: Vec<Signal>,
}

/// One warning sign on a version, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    pub kind: SignalKind,
    pub sentence: String,
}

/// What a [`Signal`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// Weaker evidence than an earlier version of its release line.
    Downgrade,
    /// The build's identity (or publishing method) differs from the
    /// previous version with provenance.
    BuildChanged,
}

impl Report {
    /// A report for input that could not be used at all.
    pub fn error(package: Option<PackageRef>, message: impl Into<String>) -> Self {
        Self {
            package,
            verdict: Verdict::Error,
            summary: message.into(),
            checks: Vec::new(),
            attestations: Vec::new(),
            provenance: None,
            trust: None,
            publishing: None,
            downgrade: None,
            downgrade_checked: false,
            history_note: None,
            changes: None,
            trust_source: None,
            signals: Vec::new(),
        }
    }

    /// The first failed check anywhere in the report, with the attestation it belongs to.
    pub fn first_failure(&self) -> Option<(Option<AttestationKind>, &Check)> {
        let failed = |c: &&Check| c.status == crate::checks::CheckStatus::Failed;
        if let Some(c) = self.checks.iter().find(failed) {
            return Some((None, c));
        }
        self.attestations
            .iter()
            .find_map(|a| a.checks.iter().find(failed).map(|c| (Some(a.kind), c)))
    }

    /// What the verdict says, in a few words: "Provenance verified" only for
    /// a package version's provenance (or one provenance bundle); a bundle
    /// that is something else says what was verified.
    pub fn verdict_label(&self) -> &'static str {
        match self.verdict {
            Verdict::Verified => match self.attestations.as_slice() {
                [only] if only.kind == AttestationKind::Publish => "Publish attestation verified",
                [only] if only.kind == AttestationKind::Bundle => "Signature verified",
                _ => "Provenance verified",
            },
            Verdict::Failed => "Verification failed",
            Verdict::NoProvenance => "No provenance",
            Verdict::Incomplete => "Signatures verified, checks incomplete",
            Verdict::Error => "Could not verify",
        }
    }

    /// The provenance attestation's report, if there is one.
    pub fn provenance_attestation(&self) -> Option<&AttestationReport> {
        self.attestations.iter().find(|a| a.kind == AttestationKind::Provenance)
    }

    /// The publish attestation's report, if there is one.
    pub fn publish_attestation(&self) -> Option<&AttestationReport> {
        self.attestations.iter().find(|a| a.kind == AttestationKind::Publish)
    }
}

/// What an attestation claims to be, by its signed predicate type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationKind {
    /// SLSA provenance (keyless, Fulcio certificate).
    Provenance,
    /// npm's publish attestation (signed by the registry key).
    Publish,
    /// A bundle verified on its own, outside npm's attestation pair.
    Bundle,
}

impl AttestationKind {
    pub fn label(self) -> &'static str {
        match self {
            AttestationKind::Provenance => "SLSA provenance",
            AttestationKind::Publish => "npm publish attestation",
            AttestationKind::Bundle => "Sigstore bundle",
        }
    }
}

/// One attestation (bundle) and its checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttestationReport {
    pub kind: AttestationKind,
    pub verdict: Verdict,
    /// The predicate type from the signed statement (never the registry's label).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub predicate_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_type: Option<String>,
    /// A DSSE envelope's payload type (in-toto's for attestations).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub payload_type: Option<String>,
    pub checks: Vec<Check>,
    /// The certificate's identity (keyless bundles).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub identity: Option<Identity>,
    /// The key that signed it (keyed bundles).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signing_key: Option<SigningKeyInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tlog: Option<TlogEntryInfo>,
    /// RFC 3161 timestamps that verified, with the authority that signed each
    /// (those that did not verify, and were not counted, are named in the
    /// signed-time check).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub timestamps: Vec<TimestampInfo>,
    /// The decoded in-toto statement (or `None` when the payload did not read).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub statement: Option<serde_json::Value>,
}

impl AttestationReport {
    /// A report with its checks and nothing read from the bundle yet.
    pub fn new(kind: AttestationKind, verdict: Verdict, checks: Vec<Check>) -> Self {
        Self {
            kind,
            verdict,
            predicate_type: None,
            media_type: None,
            payload_type: None,
            checks,
            identity: None,
            signing_key: None,
            tlog: None,
            timestamps: Vec::new(),
            statement: None,
        }
    }
}

/// An RFC 3161 timestamp that verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampInfo {
    /// The timestamp authority of the trusted root that signed it.
    pub authority: String,
    /// The signed time, seconds since the epoch.
    pub time: i64,
    pub time_rfc3339: String,
}

/// The signing certificate's identity: its SAN and the Fulcio claims, which
/// Fulcio signed, as opposed to the predicate, which the build wrote itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Whether these claims come from a certificate that verified.
    pub verified: bool,
    /// The issuer is a self-managed GitLab's that the caller named
    /// (`--gitlab-issuer`): only then does it stand for GitLab CI.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub self_managed_gitlab: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject_alternative_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub not_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub not_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_signer_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_signer_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub runner_environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_owner_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_owner_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_config_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_config_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub run_invocation_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_visibility: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deployment_environment: Option<String>,
    /// Deprecated GitHub claims (`.1.2`–`.1.6`), the only ones older certificates carry.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_sha: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_repository: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_ref: Option<String>,
}

/// Where a registry key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Pinned in this program (npm's public registry keys).
    Pinned,
    /// From a keys document the caller supplied (`/-/npm/v1/keys`).
    Supplied,
    /// From Sigstore's TUF repository (`registry.npmjs.org/keys.json`).
    Tuf,
}

/// The registry key a keyed attestation was signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKeyInfo {
    pub key_id: String,
    pub source: KeySource,
    /// Validity window of the key for attestations (RFC 3339), if bounded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_until: Option<String>,
}

/// The transparency log entry of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlogEntryInfo {
    /// The entry's global index: what search.sigstore.dev looks up.
    pub log_index: u64,
    /// The log's id (hex of the key id).
    pub log_id: String,
    pub kind: String,
    pub kind_version: String,
    /// A Rekor v2 entry: no signed entry timestamp and no integrated time;
    /// the signed time comes from a timestamp authority.
    #[serde(default)]
    pub rekor_v2: bool,
    /// Seconds since the epoch, as recorded by the log.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub integrated_time: Option<i64>,
    /// The same time in RFC 3339 (UTC).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub integrated_time_rfc3339: Option<String>,
    /// Whether the entry carries an inclusion promise (signed entry timestamp).
    pub inclusion_promise: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub inclusion_proof: Option<InclusionProofInfo>,
    /// `https://search.sigstore.dev/?logIndex=<global index>` (public-good log only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ledger_url: Option<String>,
}

/// The inclusion proof of a log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProofInfo {
    /// The index within the log shard (not the global index).
    pub log_index: u64,
    pub tree_size: u64,
    pub root_hash: String,
    /// The first line of the signed checkpoint (the log's origin).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub checkpoint_origin: Option<String>,
    /// The checkpoint's signature lines: the log's, and witnesses' cosignatures.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub checkpoint_signatures: Vec<CheckpointSignatureInfo>,
}

/// One signature line of a checkpoint (a signed note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointSignatureInfo {
    /// The signer's name as the line gives it.
    pub name: String,
    /// The 4-byte key hint, hex.
    pub key_hint: String,
    /// Whether the hint names a log key of the trusted root.
    pub by_log_key: bool,
    /// Whether it verified with that key (lines of other signers, such as
    /// witnesses, are not needed and not checked).
    pub verified: bool,
}

/// The CI platform that built the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildPlatform {
    GithubActions,
    GitlabCi,
    Other,
}

impl BuildPlatform {
    pub fn label(self) -> &'static str {
        match self {
            BuildPlatform::GithubActions => "GitHub Actions",
            BuildPlatform::GitlabCi => "GitLab CI",
            BuildPlatform::Other => "an unrecognised CI platform",
        }
    }
}

/// Text with an optional link. Links are only ever `https:` URLs that passed
/// [`crate::links::https_url`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
}

/// What npmjs.com's provenance panel shows, plus where each value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceSummary {
    pub platform: BuildPlatform,
    /// Whether the certificate's issuer is the CI issuer of the repository's
    /// host; if not, there is no platform and no link is presented as the build's.
    #[serde(default)]
    pub recognised_issuer: bool,
    /// The certificate's OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issuer: Option<String>,
    /// "Built and signed on GitHub Actions"
    pub headline: String,
    /// The run (build summary) URL, when it can be linked.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_summary_url: Option<String>,
    /// The run as the certificate (or predicate) states it, as text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_summary: Option<String>,
    /// e.g. `github.com/owner/repo`, linking to the repository.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository: Option<Link>,
    /// e.g. `github.com/owner/repo@abc1234`, linking to the commit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_commit: Option<Link>,
    /// The full commit digest.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub commit_sha: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_ref: Option<String>,
    /// e.g. `.github/workflows/release.yml`, linking to the file at that commit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_file: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub runner_environment: Option<String>,
    /// "Transparency log entry", linking to search.sigstore.dev.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub public_ledger: Option<Link>,
    /// When the log integrated the provenance (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub published_at: Option<String>,
    pub predicate_type: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_type: Option<String>,
    /// Fields that came from the self-declared predicate because the
    /// certificate carries no claim for them (older certificates).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub from_predicate: Vec<String>,
}

/// The registry's word about how a version was published (`_npmUser`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishSignals {
    /// `_npmUser.trustedPublisher`: published through trusted publishing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trusted_publisher: Option<TrustedPublisher>,
    /// `_npmUser.approver` was present: a staged publish, approved by the
    /// maintainer named here (the name only; the registry's e-mail address is
    /// not repeated).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub approver: Option<String>,
}

/// `_npmUser.trustedPublisher` as the registry states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedPublisher {
    /// `github` or `gitlab` (whatever the registry says, kept as text).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub oidc_config_id: Option<String>,
}

impl PublishSignals {
    /// The CI platform the trusted publisher names, if it is one this
    /// program recognises.
    pub fn trusted_platform(&self) -> Option<BuildPlatform> {
        match self.trusted_publisher.as_ref()?.id.as_str() {
            "github" => Some(BuildPlatform::GithubActions),
            "gitlab" => Some(BuildPlatform::GitlabCi),
            _ => None,
        }
    }
}

/// A version's trust level, weakest first (so `<` means weaker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustLevel {
    /// No signed evidence at all.
    None,
    /// Only the registry's signature over the tarball's integrity.
    RegistrySignature,
    /// Verified provenance: the tarball was built by the CI run its
    /// certificate names.
    Provenance,
    /// Verified provenance, and the registry says it was published by that
    /// CI platform through trusted publishing (no long-lived token).
    TrustedPublisher,
}

impl TrustLevel {
    /// The value of the `trust` field in JSON.
    pub fn key(self) -> &'static str {
        match self {
            TrustLevel::None => "none",
            TrustLevel::RegistrySignature => "registry-signature",
            TrustLevel::Provenance => "provenance",
            TrustLevel::TrustedPublisher => "trusted-publisher",
        }
    }

    /// In words, for pages, badges and tables.
    pub fn label(self) -> &'static str {
        match self {
            TrustLevel::None => "no signed evidence",
            TrustLevel::RegistrySignature => "registry signature only",
            TrustLevel::Provenance => "provenance",
            TrustLevel::TrustedPublisher => "trusted publisher",
        }
    }
}

/// A version published with weaker evidence than an earlier one of its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Downgrade {
    /// The earlier version that set the expectation.
    pub version: String,
    /// Its level (as the registry lists it).
    pub level: TrustLevel,
    /// This version's level.
    pub now: TrustLevel,
    /// The release line compared within (`2.x`, `0.3.x`, `2.x pre-releases`).
    pub line: String,
    pub sentence: String,
}

/// One thing about how a version was built or published that differs from
/// the version before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `repository`, `workflow file`, `trigger`, `ref type`, `runner`,
    /// `issuer`, `publishing method`.
    pub what: String,
    pub before: String,
    pub after: String,
    /// From the certificates (signed), or the registry's word (`publishing method`).
    pub signed: bool,
}

/// The build compared with the previous version of its release line that
/// has provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BuildComparison {
    /// Both certificates verified; what differs (possibly nothing).
    Compared(ChangesSince),
    /// The previous version could not be compared, and why.
    Unavailable { version: String, why: String },
}

impl BuildComparison {
    /// The signed changes (from both certificates), if any were found.
    pub fn signed_changes(&self) -> impl Iterator<Item = &Change> {
        let changes = match self {
            BuildComparison::Compared(c) => c.changes.as_slice(),
            BuildComparison::Unavailable { .. } => &[],
        };
        changes.iter().filter(|c| c.signed)
    }
}

/// What changed since an earlier version: valid provenance can still come
/// from a hijacked workflow, and then the change is the signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesSince {
    pub version: String,
    pub changes: Vec<Change>,
}
