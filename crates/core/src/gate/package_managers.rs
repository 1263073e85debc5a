//! The package managers' own downgrade rules, as they decide (on the
//! registry's unsigned word), so the gate can say for each version they
//! would block whether this project agrees, and why not when it does not.
//!
//! - **pnpm** (`resolving/npm-resolver/src/trustChecks.ts`, 10.21+): the
//!   strongest evidence among versions published strictly before (by the
//!   packument's `time`), pre-releases left out when the version is a
//!   release, every major and deprecated ones included; evidence is a
//!   trusted publisher (`_npmUser.trustedPublisher`) over provenance
//!   (`dist.attestations`); a version without a time is an error.
//! - **npm** (npm/cli PR #9902, proposed): the same within the version's
//!   major, a trusted publisher counting only beside provenance.
//!
//! This project's rules ([`crate::publishing::find_downgrade`]) differ in
//! three ways that are pnpm's known false alarms (pnpm#10202, #10622,
//! #11887): release lines (an old major's backport), pre-releases, and
//! deprecated versions; and it compares verified levels, with staged
//! publishing counted.

use serde::{Deserialize, Serialize};

use super::policy::Manager;
use crate::publishing::release_line;
use crate::registry_documents::VersionSummary;

/// Evidence as a package manager ranks it, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    None,
    Provenance,
    TrustedPublisher,
}

impl Evidence {
    pub fn label(self) -> &'static str {
        match self {
            Evidence::None => "no trust evidence",
            Evidence::Provenance => "a provenance attestation",
            Evidence::TrustedPublisher => "a trusted publisher",
        }
    }
}

/// What a package manager's rule says of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerVerdict {
    pub manager: Manager,
    /// It would refuse to install the version.
    pub blocks: bool,
    /// The earlier version whose evidence was stronger, when it blocks.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub earlier: Option<String>,
    /// Its reason, in words (pnpm's own error when it cannot decide).
    pub sentence: String,
}

fn evidence(manager: Manager, v: &VersionSummary) -> Evidence {
    let trusted = v.publishing.trusted_publisher.is_some();
    match manager {
        Manager::Pnpm if trusted => Evidence::TrustedPublisher,
        Manager::Npm if trusted && v.has_attestations => Evidence::TrustedPublisher,
        _ if v.has_attestations => Evidence::Provenance,
        _ => Evidence::None,
    }
}

fn is_prerelease(version: &str) -> bool {
    semver::Version::parse(version).is_ok_and(|v| !v.pre.is_empty())
}

fn major(version: &str) -> Option<u64> {
    semver::Version::parse(version).ok().map(|v| v.major)
}

/// The versions `manager` compares `version` with, and the one it
/// would block on (the latest of those with the strongest evidence, when
/// it is stronger than the version's own).
pub fn verdict(manager: Manager, history: &[VersionSummary], version: &str) -> ManagerVerdict {
    let name = manager.rule_name();
    let undecided = |why: &str| ManagerVerdict {
        manager,
        blocks: true,
        earlier: None,
        sentence: format!("{name} cannot check it ({why}), and refuses it."),
    };
    let Some(current) = history.iter().find(|v| v.version == version) else {
        return undecided("the registry lists no such version");
    };
    let Some(at) = current.published_at else {
        return undecided("the registry gives no publication time");
    };
    let release = !is_prerelease(version);
    let strongest = earlier_with_evidence(manager, history, version, at)
        .filter(|v| !(release && is_prerelease(&v.version)))
        .max_by_key(|v| (evidence(manager, v), v.published_at));
    let now = evidence(manager, current);
    match strongest {
        Some(earlier) if evidence(manager, earlier) > now => ManagerVerdict {
            manager,
            blocks: true,
            earlier: Some(earlier.version.clone()),
            sentence: format!(
                "{name} would refuse it: {} was published earlier with {}, this version with {}.",
                crate::text::visible(&earlier.version),
                evidence(manager, earlier).label(),
                now.label()
            ),
        },
        _ => ManagerVerdict {
            manager,
            blocks: false,
            earlier: None,
            sentence: format!("{name} would install it."),
        },
    }
}

/// The versions published before `at` that the manager looks at.
fn earlier_with_evidence<'a>(
    manager: Manager,
    history: &'a [VersionSummary],
    version: &'a str,
    at: i64,
) -> impl Iterator<Item = &'a VersionSummary> {
    let line = major(version);
    history.iter().filter(move |v| {
        v.version != version
            && v.published_at.is_some_and(|t| t < at)
            && (manager == Manager::Pnpm || major(&v.version) == line)
    })
}

/// Why this project does not hold `version` to the versions the manager
/// blocks it on: each earlier version with evidence stronger than the
/// version's, with the rule of this project that sets it aside (a
/// different release line, a pre-release, deprecated, staged publishing).
/// Empty when none sets them aside (then the difference is in the levels:
/// this project compares what verified).
pub fn why_not(manager: Manager, history: &[VersionSummary], version: &str) -> Vec<(String, &'static str)> {
    let Some(current) = history.iter().find(|v| v.version == version) else {
        return Vec::new();
    };
    let Some(at) = current.published_at else {
        return Vec::new();
    };
    let now = evidence(manager, current);
    let release = !is_prerelease(version);
    let line = release_line(version);
    earlier_with_evidence(manager, history, version, at)
        .filter(|v| !(release && is_prerelease(&v.version)))
        .filter(|v| evidence(manager, v) > now)
        .filter_map(|v| {
            let reason = match (line, release_line(&v.version)) {
                (Some(a), Some(b)) if a.0 != b.0 => "a different major release line",
                (Some(a), Some(b)) if a.1 != b.1 => "a different 0.x release line",
                (Some(a), Some(b)) if a.2 != b.2 => "a pre-release",
                _ if v.deprecated => "deprecated",
                _ if current.publishing.approver.is_some() => "outranked by this version's staged publishing",
                _ => return None,
            };
            Some((v.version.clone(), reason))
        })
        .collect()
}

/// `why_not`'s pairs as a sentence's end: "2.0.0 (a different major
/// release line), 3.0.0-beta.1 (a pre-release)".
pub fn reasons_sentence(reasons: &[(String, &'static str)]) -> String {
    reasons
        .iter()
        .take(5)
        .map(|(v, why)| format!("{} ({why})", crate::text::visible(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{PublishSignals, TrustedPublisher};

    fn v(version: &str, day: i64, evidence: Evidence) -> VersionSummary {
        VersionSummary {
            version: version.into(),
            published_at: Some(day * 86_400),
            has_attestations: evidence != Evidence::None,
            has_signatures: true,
            deprecated: false,
            publishing: PublishSignals {
                trusted_publisher: (evidence == Evidence::TrustedPublisher).then(|| TrustedPublisher {
                    id: "github".into(),
                    oidc_config_id: Option::None,
                }),
                approver: Option::None,
            },
        }
    }

    use Evidence::*;

    #[test]
    fn pnpm_blocks_a_backport_that_this_project_sets_aside_by_its_release_line() {
        let history = [
            v("1.0.0", 1, Provenance),
            v("2.0.0", 2, TrustedPublisher),
            v("1.0.1", 3, Provenance),
        ];
        let pnpm = verdict(Manager::Pnpm, &history, "1.0.1");
        assert!(pnpm.blocks);
        assert_eq!(pnpm.earlier.as_deref(), Some("2.0.0"));
        assert_eq!(
            why_not(Manager::Pnpm, &history, "1.0.1"),
            [("2.0.0".to_string(), "a different major release line")]
        );
        // npm's proposal compares within the major, as this project does.
        assert!(!verdict(Manager::Npm, &history, "1.0.1").blocks);
    }

    #[test]
    fn pnpm_blocks_a_token_publish_after_trusted_publishing_and_so_does_this_project() {
        let history = [v("1.0.0", 1, TrustedPublisher), v("1.1.0", 2, None)];
        assert!(verdict(Manager::Pnpm, &history, "1.1.0").blocks);
        assert!(verdict(Manager::Npm, &history, "1.1.0").blocks);
        assert!(why_not(Manager::Pnpm, &history, "1.1.0").is_empty());
        assert!(!verdict(Manager::Pnpm, &history, "1.0.0").blocks, "nothing before it");
    }

    #[test]
    fn deprecated_and_pre_release_versions_bind_pnpm_but_not_this_project() {
        let mut deprecated = v("1.0.0", 1, TrustedPublisher);
        deprecated.deprecated = true;
        let history = [deprecated, v("1.0.1", 2, Provenance)];
        assert!(verdict(Manager::Pnpm, &history, "1.0.1").blocks);
        assert_eq!(
            why_not(Manager::Pnpm, &history, "1.0.1"),
            [("1.0.0".to_string(), "deprecated")]
        );
        // A release after a trusted pre-release: pnpm leaves pre-releases
        // out; a pre-release after a trusted release: pnpm holds it to it.
        let history = [v("2.0.0-beta.1", 1, TrustedPublisher), v("2.0.0", 2, Provenance)];
        assert!(!verdict(Manager::Pnpm, &history, "2.0.0").blocks);
        let history = [v("2.0.0", 1, TrustedPublisher), v("2.1.0-beta.1", 2, Provenance)];
        assert!(verdict(Manager::Pnpm, &history, "2.1.0-beta.1").blocks);
        assert_eq!(
            why_not(Manager::Pnpm, &history, "2.1.0-beta.1"),
            [("2.0.0".to_string(), "a pre-release")]
        );
    }

    #[test]
    fn a_version_without_a_time_is_refused_as_pnpm_refuses_it() {
        let mut undated = v("1.0.0", 1, None);
        undated.published_at = Option::None;
        let verdict = verdict(Manager::Pnpm, &[undated], "1.0.0");
        assert!(verdict.blocks && verdict.sentence.contains("no publication time"));
    }

    #[test]
    fn npm_counts_a_trusted_publisher_only_beside_provenance() {
        let mut claimed = v("1.0.0", 1, TrustedPublisher);
        claimed.has_attestations = false;
        let history = [claimed, v("1.1.0", 2, Provenance)];
        assert!(!verdict(Manager::Npm, &history, "1.1.0").blocks);
        assert!(
            verdict(Manager::Pnpm, &history, "1.1.0").blocks,
            "pnpm takes the registry's word alone"
        );
    }
}
