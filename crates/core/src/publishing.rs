//! How a version was published, and whether that is weaker than before.
//!
//! Three kinds of evidence, of two kinds of worth:
//!
//! - **Signed**: the provenance bundle (verified by this core) and the
//!   registry's signature over `name@version:integrity` (`dist.signatures`).
//! - **The registry's word** (unsigned, shown as such everywhere): the
//!   version document's `_npmUser.trustedPublisher` (published through npm's
//!   trusted publishing, OIDC from CI, with no long-lived token) and
//!   `_npmUser.approver` (staged publishing: a maintainer approved the staged
//!   version with a second factor; npm then names that person as `_npmUser`
//!   and drops `trustedPublisher`, npm/cli#9397).
//!
//! [`trust_level`] ranks one version, [`find_downgrade`] compares it with
//! the versions before it. The README's "Trust levels and downgrades" states
//! the same rules.

use serde::{Deserialize, Serialize};

use crate::registry_documents::VersionSummary;
use crate::report::{BuildComparison, Report, Signal, SignalKind, Verdict};
pub use crate::report::{Change, ChangesSince, Downgrade, PublishSignals, TrustLevel, TrustedPublisher};

/// The trust level of a verified report (`None` when verification failed
/// or could not run: a failure is not a level, it is a failure).
///
/// Trusted publishing counts only with verified provenance from the
/// platform the registry names (a `trustedPublisher` flag alone is the
/// registry's unsigned word, and one naming GitHub beside a GitLab
/// certificate contradicts what was signed).
pub fn trust_level(report: &Report, signals: &PublishSignals) -> Option<TrustLevel> {
    use crate::checks::{CheckId, CheckStatus};
    match report.verdict {
        // Incomplete: a required check could not run, so the evidence is
        // not known; a level would say more than was verified (and a
        // downgrade computed from it would contradict the verdict).
        Verdict::Failed | Verdict::Error | Verdict::Incomplete => return None,
        // A package version is verified only with verified provenance
        // (`verdict.rs`); a report without one is "no provenance".
        Verdict::Verified => {
            let platform = report.provenance.as_ref().map(|p| p.platform);
            return Some(match signals.trusted_platform() {
                Some(tp) if platform == Some(tp) => TrustLevel::TrustedPublisher,
                _ => TrustLevel::Provenance,
            });
        }
        Verdict::NoProvenance => {}
    }
    let signed = report
        .checks
        .iter()
        .any(|c| c.id == CheckId::RegistrySignature && c.status == CheckStatus::Passed);
    Some(if signed {
        TrustLevel::RegistrySignature
    } else {
        TrustLevel::None
    })
}

/// What the registry's documents claim for an earlier version, without
/// verifying it (the history is compared on the registry's word; a
/// registry that lies about earlier versions can raise a false alarm, never
/// a verdict). Trusted publishing counts only beside listed provenance.
pub fn claimed_level(has_attestations: bool, has_signatures: bool, signals: &PublishSignals) -> TrustLevel {
    match (has_attestations, signals.trusted_publisher.is_some(), has_signatures) {
        (true, true, _) => TrustLevel::TrustedPublisher,
        (true, false, _) => TrustLevel::Provenance,
        (false, _, true) => TrustLevel::RegistrySignature,
        (false, _, false) => TrustLevel::None,
    }
}

/// The level a version is compared at. Rule **staged publishing**: a
/// staged publish with provenance compares as trusted publishing (npm
/// replaces the trusted publisher by the approving maintainer, who approved
/// it with a second factor: pnpm#11887); without provenance it compares at
/// its own level.
fn compared_level(level: TrustLevel, staged: bool) -> TrustLevel {
    if staged && level == TrustLevel::Provenance {
        TrustLevel::TrustedPublisher
    } else {
        level
    }
}

/// One earlier version as the downgrade rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedVersion {
    pub version: String,
    /// Its [`release_line`], read once (a history is compared many times).
    pub line: Option<ReleaseLine>,
    pub published_at: Option<i64>,
    pub level: TrustLevel,
    pub staged: bool,
    pub deprecated: bool,
}

/// A listed version as the downgrade rules compare it: at the level the
/// registry's documents claim (not verified).
pub fn published_version(summary: &VersionSummary) -> PublishedVersion {
    PublishedVersion {
        version: summary.version.clone(),
        line: release_line(&summary.version),
        published_at: summary.published_at,
        level: claimed_level(summary.has_attestations, summary.has_signatures, &summary.publishing),
        staged: summary.publishing.approver.is_some(),
        deprecated: summary.deprecated,
    }
}

/// A release line: the major, the minor below 1.0.0, and whether it is
/// the line's pre-releases.
pub type ReleaseLine = (u64, Option<u64>, bool);

/// Rule **earlier**: `candidate` was published before `version` (by the
/// registry's publication times; by semver precedence where either has none).
fn published_before(candidate: &str, candidate_at: Option<i64>, version: &str, at: Option<i64>) -> bool {
    match (candidate_at, at) {
        (Some(a), Some(b)) => a < b,
        _ => crate::registry_documents::compare_versions(candidate, version).is_lt(),
    }
}

/// The release line a version belongs to. Rule **release line**: versions
/// are compared within their major (`0.minor` below 1.0.0, where a minor is
/// a breaking release), so an old major's backport is not held to a newer
/// major's publishing (pnpm#10202, the vite 6.4.1 case). Rule
/// **pre-releases**: a pre-release is compared only with pre-releases of
/// its line, and a release only with releases. Not semver: no line.
pub fn release_line(version: &str) -> Option<ReleaseLine> {
    let v = semver::Version::parse(version).ok()?;
    let minor = (v.major == 0).then_some(v.minor);
    Some((v.major, minor, !v.pre.is_empty()))
}

fn line_label((major, minor, pre): ReleaseLine) -> String {
    let base = match minor {
        Some(m) => format!("{major}.{m}.x"),
        None => format!("{major}.x"),
    };
    if pre { format!("{base} pre-releases") } else { base }
}

/// Compares `version` (at the level it verified at) with the versions
/// published before it in its release line; `history` is every version
/// the registry lists (unpublished versions are no longer listed and so
/// are not compared: rule **unpublished**). Rules: release line and
/// pre-releases ([`release_line`]); **deprecated** versions set no
/// expectation (their maintainers have disowned them); **earlier** means
/// published earlier (semver precedence when the registry gives no time);
/// staged publishing ([`compared_level`]). The expectation is the strongest
/// earlier level, from the latest version that had it.
pub fn find_downgrade(
    version: &str,
    level: TrustLevel,
    staged: bool,
    published_at: Option<i64>,
    history: &[PublishedVersion],
) -> Option<Downgrade> {
    let line = release_line(version)?;
    let expectation = history
        .iter()
        .filter(|v| v.line == Some(line) && v.version != version && !v.deprecated)
        .filter(|v| published_before(&v.version, v.published_at, version, published_at))
        .max_by(|a, b| {
            compared_level(a.level, a.staged)
                .cmp(&compared_level(b.level, b.staged))
                .then_with(|| a.published_at.cmp(&b.published_at))
                .then_with(|| crate::registry_documents::compare_versions(&a.version, &b.version))
        })?;
    downgrade_from(level, staged, line, expectation)
}

/// The downgrade of a version at `level` whose expectation (the strongest
/// earlier level of its line) is `expectation`, if it is weaker.
fn downgrade_from(
    level: TrustLevel,
    staged: bool,
    line: ReleaseLine,
    expectation: &PublishedVersion,
) -> Option<Downgrade> {
    let expected = compared_level(expectation.level, expectation.staged);
    if compared_level(level, staged) >= expected {
        return None;
    }
    let line = line_label(line);
    let how = |l: TrustLevel, staged: bool| {
        if staged && l == TrustLevel::Provenance {
            "provenance, staged and approved".to_string()
        } else {
            l.label().to_string()
        }
    };
    Some(Downgrade {
        sentence: format!(
            "Published with weaker evidence than {} of the same release line ({line}): {} then, {} now.",
            crate::text::visible(&expectation.version),
            how(expectation.level, expectation.staged),
            how(level, staged),
        ),
        version: expectation.version.clone(),
        level: expectation.level,
        now: level,
        line,
    })
}

/// Sets a package version's `downgrade` from the registry's `history` of
/// the package (every version it lists). The page calls this after the
/// worker's verification, with the packument it already has; the command
/// line and the server through `verify_package_version`.
pub fn compare_with_history(report: &mut Report, history: &[VersionSummary], published_at: Option<i64>) {
    let (Some(level), Some(package)) = (report.trust, report.package.as_ref()) else {
        return;
    };
    let earlier: Vec<PublishedVersion> = history.iter().map(published_version).collect();
    let published_at = published_at.or_else(|| history.iter().find(|v| v.version == package.version)?.published_at);
    let staged = report.publishing.as_ref().is_some_and(|p| p.approver.is_some());
    report.downgrade = find_downgrade(&package.version, level, staged, published_at, &earlier);
    report.downgrade_checked = true;
    report.signals = signals(report);
}

/// Every version of a history with the downgrade its listing shows, all on
/// the registry's word (for a history's rows not verified yet; a verified
/// row's own report says more, [`compare_with_history`]). The same rules as
/// [`find_downgrade`] for each version, in O(n log n) for the whole
/// history: a registry can list tens of thousands of versions, and
/// comparing each with every other took seconds of a page's thread.
pub fn listed_downgrades(history: &[VersionSummary]) -> Vec<(String, Downgrade)> {
    listed_downgrades_counted(history).0
}

/// [`listed_downgrades`], with the comparisons it made (for the test that
/// bounds its work).
#[doc(hidden)]
pub fn listed_downgrades_counted(history: &[VersionSummary]) -> (Vec<(String, Downgrade)>, usize) {
    use std::collections::BTreeMap;
    let listed: Vec<PublishedVersion> = history.iter().map(published_version).collect();
    let mut lines: BTreeMap<ReleaseLine, Vec<usize>> = BTreeMap::new();
    for (i, v) in listed.iter().enumerate() {
        if let Some(line) = v.line {
            lines.entry(line).or_default().push(i);
        }
    }
    let mut found = Vec::new();
    let mut work = 0usize;
    for (line, members) in lines {
        // Each version's place in semver order (ties broken by text, as
        // compare_versions does): integers compare in one step.
        let mut by_semver = members.clone();
        by_semver.sort_by(|&a, &b| {
            work += 1;
            crate::registry_documents::compare_versions(
                listed.get(a).map(|v| v.version.as_str()).unwrap_or_default(),
                listed.get(b).map(|v| v.version.as_str()).unwrap_or_default(),
            )
        });
        let mut rank = vec![0usize; listed.len()];
        for (r, &i) in by_semver.iter().enumerate() {
            if let Some(slot) = rank.get_mut(i) {
                *slot = r;
            }
        }
        let get = |i: usize| listed.get(i);
        // The expectation order of find_downgrade: level, then time, then semver.
        let strength = |i: usize| {
            get(i).map(|v| {
                (
                    compared_level(v.level, v.staged),
                    v.published_at,
                    rank.get(i).copied().unwrap_or(0),
                )
            })
        };
        let stronger = |a: Option<usize>, b: usize| match a {
            Some(a) if strength(a) >= strength(b) => Some(a),
            _ => Some(b),
        };
        // Prefix maxima over candidates (not deprecated) in an order: the
        // strongest among the first k, for every k.
        let prefix = |order: &[usize]| -> Vec<Option<usize>> {
            let mut best = None;
            let mut out = Vec::with_capacity(order.len() + 1);
            out.push(None);
            for &i in order {
                best = stronger(best, i);
                out.push(best);
            }
            out
        };
        let candidates: Vec<usize> = by_semver
            .iter()
            .copied()
            .filter(|&i| get(i).is_some_and(|v| !v.deprecated))
            .collect();
        let untimed: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| get(i).is_some_and(|v| v.published_at.is_none()))
            .collect();
        let mut timed: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| get(i).is_some_and(|v| v.published_at.is_some()))
            .collect();
        timed.sort_by_key(|&i| {
            work += 1;
            get(i).and_then(|v| v.published_at)
        });
        let (all_best, untimed_best, timed_best) = (prefix(&candidates), prefix(&untimed), prefix(&timed));
        // How many of `order` come before `key` (a semver rank, or a time).
        let mut count_before = |order: &[usize], before: &dyn Fn(usize) -> bool| {
            work += usize::BITS as usize - order.len().leading_zeros() as usize + 1;
            order.partition_point(|&i| before(i))
        };
        for &i in &members {
            let Some(v) = get(i) else { continue };
            let r = rank.get(i).copied().unwrap_or(0);
            let semver_earlier = |c: usize| rank.get(c).copied().unwrap_or(0) < r;
            // Rule earlier: by time where both have one, by semver otherwise.
            let expectation = match v.published_at {
                None => all_best
                    .get(count_before(&candidates, &semver_earlier))
                    .copied()
                    .flatten(),
                Some(t) => {
                    let by_time = timed_best
                        .get(count_before(&timed, &|c: usize| {
                            get(c).and_then(|c| c.published_at) < Some(t)
                        }))
                        .copied()
                        .flatten();
                    let by_semver = untimed_best
                        .get(count_before(&untimed, &semver_earlier))
                        .copied()
                        .flatten();
                    match (by_time, by_semver) {
                        (Some(a), Some(b)) => stronger(Some(a), b),
                        (a, b) => a.or(b),
                    }
                }
            };
            let downgrade = expectation
                .and_then(get)
                .and_then(|e| downgrade_from(v.level, v.staged, line, e));
            if let Some(d) = downgrade {
                found.push((v.version.clone(), d));
            }
        }
    }
    // In the history's order, as the quadratic listing gave them.
    let order: std::collections::HashMap<&str, usize> = listed
        .iter()
        .enumerate()
        .map(|(i, v)| (v.version.as_str(), i))
        .collect();
    found.sort_by_key(|(v, _)| order.get(v.as_str()).copied().unwrap_or(usize::MAX));
    (found, work)
}

/// The version a page compares its certificate with: the latest one
/// published before `version` in its release line that lists provenance
/// and is not deprecated (the same versions the downgrade rules look at).
pub fn previous_with_provenance<'a>(
    version: &str,
    published_at: Option<i64>,
    history: &'a [VersionSummary],
) -> Option<&'a VersionSummary> {
    let line = release_line(version)?;
    history
        .iter()
        .filter(|v| v.version != version && v.has_attestations && !v.deprecated)
        .filter(|v| release_line(&v.version) == Some(line))
        .filter(|v| published_before(&v.version, v.published_at, version, published_at))
        .max_by(|a, b| {
            a.published_at
                .cmp(&b.published_at)
                .then_with(|| crate::registry_documents::compare_versions(&a.version, &b.version))
        })
}

/// The publishing method of a version published neither through trusted
/// publishing nor staged.
const TOKEN_METHOD: &str = "a token or a login";

/// What each provenance certificate says, as compared.
fn build_facts(report: &Report) -> Option<Vec<(&'static str, Option<String>, bool)>> {
    let attestation = report.provenance_attestation()?;
    // Only a certificate whose every check passed says anything.
    if !crate::checks::all_passed(attestation.checks.iter()) {
        return None;
    }
    let identity = attestation.identity.as_ref().filter(|i| i.verified)?;
    let build = crate::identity::certificate_build(identity);
    let ref_type = build.git_ref.as_deref().map(|r| {
        if r.starts_with("refs/tags/") {
            "tag"
        } else if r.starts_with("refs/heads/") {
            "branch"
        } else if r.starts_with("refs/pull/") || r.starts_with("refs/merge-requests/") {
            "pull or merge request"
        } else {
            "other ref"
        }
        .to_string()
    });
    let publishing = report.publishing.clone().unwrap_or_default();
    let method = if publishing.approver.is_some() {
        "staged publishing"
    } else if publishing.trusted_publisher.is_some() {
        "trusted publishing"
    } else {
        TOKEN_METHOD
    };
    Some(vec![
        ("issuer", identity.issuer.clone(), true),
        ("repository", build.repository, true),
        ("workflow file", build.build_file, true),
        ("trigger", build.trigger, true),
        ("ref type", ref_type, true),
        ("runner", build.runner_environment, true),
        ("publishing method", Some(method.to_string()), false),
    ])
}

/// A build fact the earlier certificate did not carry (Fulcio added the
/// runner, trigger and ref-type extensions in 2023).
const NOT_STATED: &str = "not stated";

/// Compares the provenance certificates of `previous` (an earlier version,
/// see [`previous_with_provenance`]) and `current`; `None` when either has
/// no provenance that verified, so there is nothing signed to compare.
pub fn changes_since(previous: &Report, current: &Report) -> Option<ChangesSince> {
    let (before, after) = (build_facts(previous)?, build_facts(current)?);
    let version = previous.package.as_ref()?.version.clone();
    let shown = |v: &Option<String>| v.as_deref().map_or(NOT_STATED.to_string(), crate::text::visible);
    let changes = before
        .iter()
        .zip(&after)
        .filter(|((_, b, _), (_, a, _))| b != a)
        .map(|((what, b, signed), (_, a, _))| Change {
            what: what.to_string(),
            before: shown(b),
            after: shown(a),
            signed: *signed,
        })
        .collect();
    Some(ChangesSince { version, changes })
}

/// The warning signs of a verified version, one sentence each: its
/// downgrade, and each difference from the previous version of its line
/// with provenance (signed ones from both certificates; the publishing
/// method on the registry's word, said so). A version that did not verify
/// has no signals: its verdict already says more.
pub fn signals(report: &Report) -> Vec<Signal> {
    let mut out = Vec::new();
    if report.trust.is_none() {
        return out;
    }
    if let Some(d) = &report.downgrade {
        out.push(Signal {
            kind: SignalKind::Downgrade,
            sentence: d.sentence.clone(),
            since: None,
            change: None,
        });
    }
    if let Some(BuildComparison::Compared(since)) = &report.changes {
        // The registry's unsigned word on the publishing method is a sign
        // only when it falls to a token (trusted or staged publishing is
        // no weaker); every signed difference is one, except a fact the
        // earlier certificate did not state at all: a newer Fulcio naming
        // the runner is more evidence, not another builder.
        let sign = |c: &&Change| (c.signed && c.before != NOT_STATED) || c.after == TOKEN_METHOD;
        for change in since.changes.iter().filter(sign) {
            let word = if change.signed { "" } else { " (the registry's word)" };
            out.push(Signal {
                kind: SignalKind::BuildChanged,
                sentence: format!(
                    "The {} changed since {}: {} → {}{word}.",
                    change.what,
                    crate::text::visible(&since.version),
                    change.before,
                    change.after
                ),
                since: Some(since.version.clone()),
                change: Some(change.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::BuildPlatform;

    fn v(version: &str, day: i64, level: TrustLevel) -> PublishedVersion {
        PublishedVersion {
            version: version.into(),
            line: release_line(version),
            published_at: Some(day * 86_400),
            level,
            staged: false,
            deprecated: false,
        }
    }

    use TrustLevel::*;

    #[test]
    fn levels_order_weakest_first_and_serialize_as_documented() {
        assert!(None < RegistrySignature && RegistrySignature < Provenance && Provenance < TrustedPublisher);
        for l in [None, RegistrySignature, Provenance, TrustedPublisher] {
            assert_eq!(serde_json::to_value(l).unwrap(), l.key());
        }
    }

    #[test]
    fn signals_are_read_from_npm_user_and_malformed_ones_are_absent() {
        let read = |json: &str| crate::registry_documents::read_npm_user(Some(&serde_json::from_str(json).unwrap()));
        let s = read(r#"{"name":"GitHub Actions","trustedPublisher":{"id":"github","oidcConfigId":"oidc:1"}}"#);
        assert_eq!(s.trusted_platform(), Some(BuildPlatform::GithubActions));
        assert_eq!(s.trusted_publisher.unwrap().oidc_config_id.as_deref(), Some("oidc:1"));
        let s = read(r#"{"name":"alice","approver":{"name":"alice","email":"a@example.com"}}"#);
        assert_eq!(
            (s.trusted_publisher, s.approver.as_deref()),
            (Option::None, Some("alice"))
        );
        assert_eq!(read(r#"{"approver":{}}"#).approver.as_deref(), Some("a maintainer"));
        assert_eq!(read(r#"{"trustedPublisher":{"id":5}}"#), PublishSignals::default());
        assert_eq!(
            read(r#"{"trustedPublisher":"github","approver":null}"#),
            PublishSignals::default()
        );
        assert_eq!(
            read(r#"{"trustedPublisher":{"id":"circleci"}}"#).trusted_platform(),
            Option::None
        );
        assert_eq!(
            read(r#"{"trustedPublisher":{"id":"gitlab"}}"#).trusted_platform(),
            Some(BuildPlatform::GitlabCi)
        );
    }

    #[test]
    fn a_claimed_trusted_publisher_counts_only_beside_provenance() {
        let tp = PublishSignals {
            trusted_publisher: Some(super::TrustedPublisher {
                id: "github".into(),
                oidc_config_id: Option::None,
            }),
            approver: Option::None,
        };
        assert_eq!(claimed_level(true, true, &tp), TrustedPublisher);
        assert_eq!(claimed_level(false, true, &tp), RegistrySignature);
        assert_eq!(claimed_level(true, false, &PublishSignals::default()), Provenance);
        assert_eq!(claimed_level(false, false, &tp), None);
    }

    #[test]
    fn a_weaker_version_after_a_stronger_one_of_its_line_is_a_downgrade() {
        let history = [
            v("1.0.0", 1, Provenance),
            v("1.1.0", 2, TrustedPublisher),
            v("1.2.0", 3, None),
        ];
        let d = find_downgrade("1.2.0", RegistrySignature, false, Some(3 * 86_400), &history).unwrap();
        assert_eq!(
            (d.version.as_str(), d.level, d.now),
            ("1.1.0", TrustedPublisher, RegistrySignature)
        );
        assert_eq!(
            d.sentence,
            "Published with weaker evidence than 1.1.0 of the same release line (1.x): trusted publisher then, registry signature only now."
        );
        // The same level, or a stronger one, is no downgrade.
        assert_eq!(
            find_downgrade("1.2.0", TrustedPublisher, false, Some(3 * 86_400), &history),
            Option::None
        );
        // The first version of a package has nothing to compare with.
        assert_eq!(
            find_downgrade("1.0.0", None, false, Some(86_400), &history),
            Option::None
        );
    }

    /// pnpm#10202 / #10622: vite 6.4.1 (a backport, provenance only) was
    /// flagged against 7.x (trusted publisher), published earlier.
    #[test]
    fn a_backport_in_an_older_major_is_not_held_to_a_newer_major() {
        let history = [
            v("6.4.0", 1, Provenance),
            v("7.0.0", 2, TrustedPublisher),
            v("6.4.1", 3, Provenance),
        ];
        assert_eq!(
            find_downgrade("6.4.1", Provenance, false, Some(3 * 86_400), &history),
            Option::None
        );
        // Below 1.0.0 a minor is its own line.
        let history = [v("0.3.0", 1, TrustedPublisher), v("0.2.9", 2, None)];
        assert_eq!(
            find_downgrade("0.2.9", None, false, Some(2 * 86_400), &history),
            Option::None
        );
        let d = find_downgrade("0.3.1", None, false, Some(3 * 86_400), &history).unwrap();
        assert_eq!(d.line, "0.3.x");
    }

    #[test]
    fn pre_releases_are_their_own_line() {
        let history = [v("2.0.0-beta.1", 1, TrustedPublisher), v("1.9.0", 2, Provenance)];
        // A release is not held to a trusted pre-release...
        assert_eq!(
            find_downgrade("2.0.0", Provenance, false, Some(3 * 86_400), &history),
            Option::None
        );
        // ...but the next pre-release is.
        let d = find_downgrade("2.0.0-beta.2", Provenance, false, Some(3 * 86_400), &history).unwrap();
        assert_eq!(
            (d.version.as_str(), d.line.as_str()),
            ("2.0.0-beta.1", "2.x pre-releases")
        );
    }

    #[test]
    fn deprecated_versions_set_no_expectation() {
        let mut old = v("3.0.0", 1, TrustedPublisher);
        old.deprecated = true;
        let history = [old, v("3.0.1", 2, Provenance)];
        assert_eq!(
            find_downgrade("3.0.2", Provenance, false, Some(3 * 86_400), &history),
            Option::None
        );
    }

    /// pnpm#11887, npm/cli#9397: a staged publish names the approving human
    /// and no trusted publisher.
    #[test]
    fn a_staged_publish_with_provenance_is_no_downgrade_from_trusted_publishing() {
        let history = [v("1.2.0", 1, TrustedPublisher)];
        assert_eq!(
            find_downgrade("1.2.1", Provenance, true, Some(2 * 86_400), &history),
            Option::None
        );
        // Staged without provenance is still weaker.
        let d = find_downgrade("1.2.1", RegistrySignature, true, Some(2 * 86_400), &history).unwrap();
        assert_eq!(d.version, "1.2.0");
        // An earlier staged publish with provenance sets the trusted expectation.
        let mut staged = v("1.2.0", 1, Provenance);
        staged.staged = true;
        let d = find_downgrade("1.2.1", Provenance, false, Some(2 * 86_400), &[staged]).unwrap();
        assert_eq!(
            d.sentence,
            "Published with weaker evidence than 1.2.0 of the same release line (1.x): provenance, staged and approved then, provenance now."
        );
    }

    #[test]
    fn earlier_means_published_earlier_and_semver_without_times() {
        // 1.0.5 published after 1.1.0 (a patch to an older minor) is compared
        // with 1.1.0: it is in the same line and was published before.
        let history = [v("1.1.0", 1, TrustedPublisher), v("1.0.5", 2, None)];
        assert!(find_downgrade("1.0.5", None, false, Some(2 * 86_400), &history).is_some());
        // A later-published version sets no expectation for an earlier one.
        assert_eq!(
            find_downgrade("1.1.0", TrustedPublisher, false, Some(86_400), &history),
            Option::None
        );
        let untimed = |version: &str, level| PublishedVersion {
            published_at: Option::None,
            ..v(version, 0, level)
        };
        let history = [untimed("1.0.0", TrustedPublisher), untimed("1.2.0", None)];
        assert!(find_downgrade("1.1.0", None, false, Option::None, &history).is_some());
        assert_eq!(
            find_downgrade("0.9.0", None, false, Option::None, &history),
            Option::None
        );
    }

    /// A small generator of histories (an LCG: the same every run).
    fn history_of(seed: u64, n: usize) -> Vec<VersionSummary> {
        let mut x = seed;
        let mut next = move |m: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        while out.len() < n {
            let version = match next(4) {
                0 => format!("0.{}.{}", next(3), next(6)),
                1 => format!("1.{}.{}-beta.{}", next(3), next(6), next(3)),
                _ => format!("{}.{}.{}", 1 + next(3), next(4), next(8)),
            };
            if !seen.insert(version.clone()) {
                continue;
            }
            let signals = PublishSignals {
                trusted_publisher: (next(3) == 0).then(|| super::TrustedPublisher {
                    id: "github".into(),
                    oidc_config_id: Option::None,
                }),
                approver: (next(5) == 0).then(|| "al".to_string()),
            };
            out.push(VersionSummary {
                version,
                // Equal times on purpose, and some versions without one.
                published_at: (next(6) != 0).then(|| next(12) as i64 * 86_400),
                has_attestations: next(2) == 0,
                has_signatures: next(3) != 0,
                deprecated: next(7) == 0,
                publishing: signals,
            });
        }
        out
    }

    /// The listing's O(n log n) pass finds, for every version, exactly what
    /// find_downgrade finds for it alone.
    #[test]
    fn the_listing_agrees_with_each_versions_own_downgrade() {
        for seed in 0..300 {
            let history = history_of(seed, 1 + (seed as usize % 40));
            let listed: Vec<PublishedVersion> = history.iter().map(published_version).collect();
            let one_by_one: Vec<(String, Downgrade)> = listed
                .iter()
                .filter_map(|v| {
                    find_downgrade(&v.version, v.level, v.staged, v.published_at, &listed)
                        .map(|d| (v.version.clone(), d))
                })
                .collect();
            assert_eq!(listed_downgrades(&history), one_by_one, "seed {seed}");
        }
    }

    /// A registry listing 50,000 versions costs a bounded number of
    /// comparisons (n log n), not n²: 2.5 billion.
    #[test]
    fn a_long_listing_costs_n_log_n_comparisons() {
        let n = 50_000;
        let history: Vec<VersionSummary> = (0..n)
            .map(|i| VersionSummary {
                version: format!("1.{}.{}", i / 1000, i % 1000),
                published_at: Some(i as i64),
                has_attestations: i % 2 == 0,
                has_signatures: true,
                deprecated: false,
                publishing: PublishSignals::default(),
            })
            .collect();
        let (found, work) = listed_downgrades_counted(&history);
        // Every version without attestations comes after one with them.
        assert_eq!(found.len(), n / 2);
        let log = usize::BITS as usize - n.leading_zeros() as usize;
        assert!(work <= 8 * n * log, "{work} comparisons for {n} versions");
    }

    #[test]
    fn a_listing_shows_its_downgrades_by_the_same_rules() {
        let doc = r#"{"name":"p","time":{"1.0.0":"2024-01-01T00:00:00Z","1.1.0":"2024-02-01T00:00:00Z","2.0.0":"2024-03-01T00:00:00Z","1.2.0":"2024-04-01T00:00:00Z"},
            "versions":{"1.0.0":{"_npmUser":{"trustedPublisher":{"id":"github"}},"dist":{"attestations":{"url":"u"}}},
            "1.1.0":{"dist":{"signatures":[{"keyid":"k","sig":"s"}]}},"2.0.0":{"dist":{}},"1.2.0":{"dist":{"attestations":{"url":"u"}}}}}"#;
        let p = crate::registry_documents::parse_packument(doc).unwrap();
        let found: Vec<(String, String, TrustLevel)> = listed_downgrades(&p.history)
            .into_iter()
            .map(|(v, d)| (v, d.version, d.now))
            .collect();
        assert_eq!(
            found,
            [
                ("1.2.0".to_string(), "1.0.0".to_string(), Provenance),
                ("1.1.0".to_string(), "1.0.0".to_string(), RegistrySignature)
            ]
        );
    }

    fn built(version: &str, repo: &str, workflow: &str, git_ref: &str, trigger: &str, runner: &str) -> Report {
        use crate::checks::{Check, CheckId, CheckStatus};
        use crate::report::{AttestationKind, AttestationReport, Identity, PackageRef};
        let repo_url = format!("https://github.com/{repo}");
        let mut attestation = AttestationReport::new(
            AttestationKind::Provenance,
            Verdict::Verified,
            vec![Check {
                id: CheckId::Signature,
                title: "Signature".into(),
                status: CheckStatus::Passed,
                detail: String::new(),
                required: true,
            }],
        );
        attestation.identity = Some(Identity {
            verified: true,
            issuer: Some(crate::identity::GITHUB_ACTIONS_ISSUER.into()),
            source_repository_uri: Some(repo_url.clone()),
            build_config_uri: Some(format!("{repo_url}/{workflow}@{git_ref}")),
            source_repository_ref: Some(git_ref.into()),
            build_trigger: Some(trigger.into()),
            runner_environment: Some(runner.into()),
            ..Default::default()
        });
        let mut report = Report::error(Some(PackageRef::new("p", version)), "");
        report.verdict = Verdict::Verified;
        report.attestations = vec![attestation];
        report
    }

    #[test]
    fn changes_since_the_previous_version_come_from_both_certificates() {
        let before = built(
            "1.0.0",
            "o/r",
            ".github/workflows/release.yml",
            "refs/tags/v1.0.0",
            "push",
            "github-hosted",
        );
        let same = built(
            "1.0.1",
            "o/r",
            ".github/workflows/release.yml",
            "refs/tags/v1.0.1",
            "push",
            "github-hosted",
        );
        assert_eq!(
            changes_since(&before, &same),
            Some(ChangesSince {
                version: "1.0.0".into(),
                changes: vec![]
            })
        );
        let mut hijacked = built(
            "1.1.0",
            "o/r",
            ".github/workflows/ci.yml",
            "refs/heads/main",
            "workflow_dispatch",
            "self-hosted",
        );
        let mut trusted = before.clone();
        trusted.publishing = Some(PublishSignals {
            trusted_publisher: Some(super::TrustedPublisher {
                id: "github".into(),
                oidc_config_id: Option::None,
            }),
            approver: Option::None,
        });
        let changes = changes_since(&trusted, &hijacked).unwrap().changes;
        let said: Vec<(&str, &str, &str, bool)> = changes
            .iter()
            .map(|c| (c.what.as_str(), c.before.as_str(), c.after.as_str(), c.signed))
            .collect();
        assert_eq!(
            said,
            [
                (
                    "workflow file",
                    ".github/workflows/release.yml",
                    ".github/workflows/ci.yml",
                    true
                ),
                ("trigger", "push", "workflow_dispatch", true),
                ("ref type", "tag", "branch", true),
                ("runner", "github-hosted", "self-hosted", true),
                ("publishing method", "trusted publishing", "a token or a login", false),
            ]
        );
        let moved = built(
            "1.2.0",
            "evil/r",
            ".github/workflows/release.yml",
            "refs/tags/v1",
            "push",
            "github-hosted",
        );
        let c = changes_since(&before, &moved).unwrap().changes;
        assert_eq!(
            (c[0].what.as_str(), c[0].after.as_str()),
            ("repository", "https://github.com/evil/r")
        );
        // A certificate that did not verify says nothing.
        if let Some(a) = hijacked.attestations.first_mut() {
            a.checks[0].status = crate::checks::CheckStatus::Failed;
        }
        assert_eq!(changes_since(&before, &hijacked), Option::None);
        let mut unverified = same.clone();
        if let Some(id) = unverified.attestations[0].identity.as_mut() {
            id.verified = false;
        }
        assert_eq!(changes_since(&unverified, &same), Option::None);
    }

    #[test]
    fn the_previous_version_is_the_latest_earlier_one_of_the_line_with_provenance() {
        let doc = r#"{"name":"p","time":{"1.0.0":"2024-01-01T00:00:00Z","1.1.0":"2024-02-01T00:00:00Z","2.0.0":"2024-03-01T00:00:00Z","1.1.1":"2024-03-15T00:00:00Z","1.2.0":"2024-04-01T00:00:00Z"},
            "versions":{"1.0.0":{"dist":{"attestations":{"url":"u"}}},"1.1.0":{"dist":{"attestations":{"url":"u"}}},
            "1.1.1":{"deprecated":"oops","dist":{"attestations":{"url":"u"}}},"2.0.0":{"dist":{"attestations":{"url":"u"}}},"1.2.0":{"dist":{}}}}"#;
        let p = crate::registry_documents::parse_packument(doc).unwrap();
        let at = p.published_at("1.2.0");
        assert_eq!(
            previous_with_provenance("1.2.0", at, &p.history).map(|v| v.version.as_str()),
            Some("1.1.0")
        );
        assert_eq!(
            previous_with_provenance("1.0.0", p.published_at("1.0.0"), &p.history),
            Option::None
        );
        assert_eq!(
            previous_with_provenance("2.0.0", p.published_at("2.0.0"), &p.history),
            Option::None
        );
    }

    /// Two versions published in the same second: neither is earlier.
    #[test]
    fn a_version_published_in_the_same_second_is_not_earlier() {
        let history = [v("1.1.0", 2, TrustedPublisher), v("1.2.0", 2, Provenance)];
        assert_eq!(
            find_downgrade("1.2.0", Provenance, false, Some(2 * 86_400), &history),
            Option::None
        );
        let doc = r#"{"name":"p","time":{"1.1.0":"2024-01-01T00:00:00Z","1.2.0":"2024-01-01T00:00:00Z"},
            "versions":{"1.1.0":{"dist":{"attestations":{"url":"u"}}},"1.2.0":{"dist":{"attestations":{"url":"u"}}}}}"#;
        let p = crate::registry_documents::parse_packument(doc).unwrap();
        assert_eq!(
            previous_with_provenance("1.2.0", p.published_at("1.2.0"), &p.history),
            Option::None
        );
    }

    /// "Previous" is by publication: a patch to an older minor published
    /// after a newer minor compares with that newer minor.
    #[test]
    fn the_previous_version_is_by_publication_not_by_semver() {
        let doc = r#"{"name":"p","time":{"1.0.0":"2024-01-01T00:00:00Z","1.1.0":"2024-02-01T00:00:00Z","1.0.5":"2024-03-01T00:00:00Z"},
            "versions":{"1.0.0":{"dist":{"attestations":{"url":"u"}}},"1.1.0":{"dist":{"attestations":{"url":"u"}}},"1.0.5":{"dist":{"attestations":{"url":"u"}}}}}"#;
        let p = crate::registry_documents::parse_packument(doc).unwrap();
        let previous = previous_with_provenance("1.0.5", p.published_at("1.0.5"), &p.history);
        assert_eq!(previous.map(|v| v.version.as_str()), Some("1.1.0"));
    }

    #[test]
    fn a_pull_or_merge_request_ref_is_its_own_ref_type() {
        let before = built(
            "1.0.0",
            "o/r",
            ".github/workflows/release.yml",
            "refs/heads/main",
            "push",
            "github-hosted",
        );
        for (git_ref, kind) in [
            ("refs/pull/7/merge", "pull or merge request"),
            ("refs/merge-requests/3/head", "pull or merge request"),
            ("refs/notes/x", "other ref"),
        ] {
            let after = built(
                "1.0.1",
                "o/r",
                ".github/workflows/release.yml",
                git_ref,
                "push",
                "github-hosted",
            );
            let changes = changes_since(&before, &after).unwrap().changes;
            let c = changes.iter().find(|c| c.what == "ref type").unwrap();
            assert_eq!((c.before.as_str(), c.after.as_str()), ("branch", kind), "{git_ref}");
        }
    }

    #[test]
    fn the_latest_version_with_the_strongest_level_sets_the_expectation() {
        let history = [
            v("1.0.0", 1, Provenance),
            v("1.1.0", 2, Provenance),
            v("1.2.0", 3, RegistrySignature),
        ];
        let d = find_downgrade("1.3.0", None, false, Some(4 * 86_400), &history).unwrap();
        assert_eq!(d.version, "1.1.0");
        assert_eq!(
            find_downgrade("not-semver", None, false, Some(4 * 86_400), &history),
            Option::None
        );
    }
    #[test]
    fn signals_name_each_signed_change_and_a_fall_to_a_token_only() {
        let change = |what: &str, before: &str, after: &str, signed: bool| Change {
            what: what.into(),
            before: before.into(),
            after: after.into(),
            signed,
        };
        let mut report = Report::error(Option::None, "x");
        report.changes = Some(BuildComparison::Compared(ChangesSince {
            version: "1.0.0".into(),
            changes: vec![
                change("workflow file", "a.yml", "b.yml", true),
                change("publishing method", "trusted publishing", "staged publishing", false),
                change("runner", NOT_STATED, "github-hosted", true),
                change("trigger", "push", NOT_STATED, true),
            ],
        }));
        assert!(signals(&report).is_empty(), "a version that did not verify has none");
        report.trust = Some(TrustedPublisher);
        let found = signals(&report);
        let sentences: Vec<&str> = found.iter().map(|s| s.sentence.as_str()).collect();
        assert_eq!(
            sentences,
            [
                "The workflow file changed since 1.0.0: a.yml → b.yml.",
                "The trigger changed since 1.0.0: push → not stated."
            ],
            "a fact first stated now is no sign; one no longer stated is"
        );
        assert_eq!(found[0].kind, SignalKind::BuildChanged);
        if let Some(BuildComparison::Compared(c)) = report.changes.as_mut() {
            c.changes[1].after = TOKEN_METHOD.into();
        }
        assert_eq!(
            signals(&report)[1].sentence,
            "The publishing method changed since 1.0.0: trusted publishing → a token or a login (the registry's word)."
        );
    }
}
