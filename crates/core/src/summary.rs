//! The provenance panel's content, from a verified provenance attestation:
//! the certificate's signed claims first, the predicate where they are silent.
//!
//! Only a certificate from the issuer that owns the repository's host (see
//! `identity`) gives a CI platform and the links presented as the build's.
//! With any other issuer the panel names the issuer and shows the
//! certificate's claims as they are: as text, and nothing from the predicate.

use serde_json::Value;

use crate::identity::certificate_build;
use crate::links::{display_host_path, encode_path, https_url, is_git_sha};
use crate::predicate::read_provenance;
use crate::report::{AttestationReport, BuildPlatform, Link, ProvenanceSummary};
use crate::text::visible;

fn commit_url(platform: BuildPlatform, repo: &str, sha: &str) -> Option<String> {
    match platform {
        BuildPlatform::GithubActions => https_url(&format!("{repo}/commit/{sha}")),
        BuildPlatform::GitlabCi => https_url(&format!("{repo}/-/commit/{sha}")),
        BuildPlatform::Other => None,
    }
}

fn file_url(platform: BuildPlatform, repo: &str, sha: &str, path: &str) -> Option<String> {
    let path = encode_path(path.trim_start_matches('/'));
    match platform {
        BuildPlatform::GithubActions => https_url(&format!("{repo}/blob/{sha}/{path}")),
        BuildPlatform::GitlabCi => https_url(&format!("{repo}/-/blob/{sha}/{path}")),
        BuildPlatform::Other => None,
    }
}

/// Builds the panel's summary of a provenance attestation.
pub fn provenance_summary(att: &AttestationReport) -> Option<ProvenanceSummary> {
    let statement = att.statement.as_ref()?;
    let predicate_type = statement.get("predicateType").and_then(Value::as_str)?.to_string();
    let predicate = read_provenance(&predicate_type, &statement["predicate"]);
    let identity = att.identity.as_ref();
    let cert = identity.map(certificate_build).unwrap_or_default();
    let recognised = cert.platform;
    let platform = recognised.unwrap_or(BuildPlatform::Other);
    let mut from_predicate = Vec::new();
    // The predicate fills gaps (older certificates carry fewer claims) only
    // under a recognised issuer; the build wrote it about itself.
    let mut pick = |field: &str, cert_value: Option<String>, predicate_value: Option<String>| {
        cert_value.or_else(|| {
            recognised
                .and(predicate_value)
                .inspect(|_| from_predicate.push(field.to_string()))
        })
    };
    let repository = pick(
        "source repository",
        cert.repository.clone(),
        predicate.repository.clone(),
    );
    let commit = pick("source commit", cert.commit.clone(), predicate.commit.clone());
    let build_file = pick("build file", cert.build_file.clone(), predicate.build_file.clone());
    let run_url = pick("build summary", cert.run_url.clone(), predicate.run_url.clone());
    let source_ref = pick("source ref", cert.git_ref.clone(), predicate.git_ref.clone());
    // Links only for a recognised platform: another issuer's claims are text.
    let link = |url: Option<&str>| url.filter(|_| recognised.is_some()).and_then(https_url);
    let repo_url = link(repository.as_deref());
    let sha = commit.as_deref().filter(|c| is_git_sha(c));
    let headline = match recognised {
        Some(p) => format!("Built and signed on {}", p.label()),
        None => format!(
            "Signed with a certificate from {}, which is not the CI issuer of the repository's host: its claims are shown as they are",
            identity
                .and_then(|i| i.issuer.as_deref())
                .map(visible)
                .unwrap_or_else(|| "an unnamed issuer".into())
        ),
    };

    Some(ProvenanceSummary {
        platform,
        recognised_issuer: recognised.is_some(),
        issuer: identity.and_then(|i| i.issuer.clone()),
        headline,
        build_summary_url: link(run_url.as_deref()),
        build_summary: run_url.clone(),
        source_repository: repository.as_ref().map(|r| Link {
            text: display_host_path(r),
            url: repo_url.clone(),
        }),
        source_commit: match (&repository, &commit) {
            (Some(repo), Some(c)) => Some(Link {
                text: format!("{}@{}", display_host_path(repo), c.chars().take(7).collect::<String>()),
                url: repo_url
                    .as_deref()
                    .zip(sha)
                    .and_then(|(r, s)| commit_url(platform, r, s)),
            }),
            _ => None,
        },
        commit_sha: commit.clone(),
        source_ref,
        build_file: build_file.as_ref().map(|path| Link {
            text: path.clone(),
            url: repo_url
                .as_deref()
                .zip(sha)
                .and_then(|(r, s)| file_url(platform, r, s, path)),
        }),
        build_trigger: cert.trigger.clone(),
        runner_environment: cert.runner_environment.clone(),
        public_ledger: att.tlog.as_ref().map(|t| Link {
            text: "Transparency log entry".into(),
            url: t.ledger_url.clone(),
        }),
        published_at: att
            .tlog
            .as_ref()
            .and_then(|t| t.integrated_time_rfc3339.clone())
            .or_else(|| {
                att.timestamps
                    .iter()
                    .map(|t| t.time)
                    .min()
                    .map(crate::time::format_rfc3339)
            }),
        predicate_type,
        build_type: recognised.and(predicate.build_type),
        from_predicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AttestationKind, Identity, TlogEntryInfo, Verdict};
    use serde_json::json;

    fn report(identity: Identity, predicate: Value) -> AttestationReport {
        let mut att = AttestationReport::new(AttestationKind::Provenance, Verdict::Verified, vec![]);
        att.predicate_type = Some("https://slsa.dev/provenance/v0.2".into());
        att.identity = Some(identity);
        att.tlog = Some(TlogEntryInfo {
            log_index: 12345,
            log_id: "ab".into(),
            kind: "intoto".into(),
            kind_version: "0.0.2".into(),
            rekor_v2: false,
            integrated_time: Some(1),
            integrated_time_rfc3339: Some("1970-01-01T00:00:01Z".into()),
            inclusion_promise: true,
            inclusion_proof: None,
            ledger_url: Some(crate::links::ledger_url(12345)),
        });
        att.statement = Some(json!({"predicateType": "https://slsa.dev/provenance/v0.2", "predicate": predicate}));
        att
    }

    #[test]
    fn gitlab_links_use_gitlab_routes() {
        let identity = Identity {
            verified: true,
            issuer: Some("https://gitlab.com".into()),
            subject_alternative_name: Some("https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main".into()),
            source_repository_uri: Some("https://gitlab.com/g/p".into()),
            source_repository_digest: Some("6e02e901e936bfac3d4691984dff8c505410cbc3".into()),
            build_config_uri: Some("https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main".into()),
            run_invocation_uri: Some("https://gitlab.com/g/p/-/jobs/42".into()),
            ..Default::default()
        };
        let s = provenance_summary(&report(
            identity,
            json!({"buildType": "https://github.com/npm/cli/gitlab/v0alpha1"}),
        ))
        .unwrap();
        assert_eq!(s.headline, "Built and signed on GitLab CI");
        assert_eq!(s.source_commit.as_ref().unwrap().text, "gitlab.com/g/p@6e02e90");
        assert_eq!(
            s.source_commit.unwrap().url.as_deref(),
            Some("https://gitlab.com/g/p/-/commit/6e02e901e936bfac3d4691984dff8c505410cbc3")
        );
        assert_eq!(
            s.build_file.unwrap().url.as_deref(),
            Some("https://gitlab.com/g/p/-/blob/6e02e901e936bfac3d4691984dff8c505410cbc3/.gitlab-ci.yml")
        );
        assert_eq!(s.build_summary_url.as_deref(), Some("https://gitlab.com/g/p/-/jobs/42"));
        assert_eq!(
            s.public_ledger.unwrap().url.as_deref(),
            Some("https://search.sigstore.dev/?logIndex=12345")
        );
        assert!(s.from_predicate.is_empty());
    }

    /// Another issuer's certificate naming a github.com repository: no
    /// platform, no links, nothing from the predicate.
    #[test]
    fn an_unrecognised_issuer_gets_no_platform_links_or_predicate_values() {
        let identity = Identity {
            verified: true,
            issuer: Some("https://agent.buildkite.com".into()),
            source_repository_uri: Some("https://github.com/victim/repo".into()),
            ..Default::default()
        };
        let predicate = json!({
            "buildType": "https://github.com/npm/cli/gha/v2",
            "builder": {"id": "https://github.com/actions/runner"},
            "invocation": {
                "configSource": {"uri": "git+https://github.com/victim/repo@refs/heads/main", "digest": {"sha1": "0123456789abcdef0123456789abcdef01234567"}, "entryPoint": ".github/workflows/release.yml"},
                "environment": {"GITHUB_REPOSITORY": "victim/repo", "GITHUB_RUN_ID": "1"}
            }
        });
        let s = provenance_summary(&report(identity, predicate)).unwrap();
        assert_eq!(s.platform, BuildPlatform::Other);
        assert!(!s.recognised_issuer);
        assert!(s.headline.contains("https://agent.buildkite.com"), "{}", s.headline);
        assert!(!s.headline.contains("GitHub Actions"));
        assert_eq!(s.source_repository.unwrap().url, None);
        assert_eq!(s.source_commit, None, "the commit would come from the predicate");
        assert_eq!(s.build_file, None);
        assert_eq!(s.build_summary_url, None);
        assert!(s.from_predicate.is_empty());
        assert_eq!(s.build_type, None);
    }

    #[test]
    fn hostile_values_are_text_without_links() {
        let identity = Identity {
            verified: true,
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            source_repository_uri: Some("javascript:alert(1)//".into()),
            source_repository_digest: Some("<img src=x onerror=alert(1)>".into()),
            run_invocation_uri: Some("data:text/html,<script>alert(1)</script>".into()),
            ..Default::default()
        };
        let s = provenance_summary(&report(identity, json!({}))).unwrap();
        assert_eq!(s.source_repository.unwrap().url, None);
        assert_eq!(s.source_commit.unwrap().url, None);
        assert_eq!(s.build_summary_url, None);
    }
}
