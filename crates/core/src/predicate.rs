//! Reading SLSA provenance predicates as npm writes them.
//!
//! npm writes four shapes (libnpmpublish `provenance.js`):
//! - GitHub Actions, SLSA v1, buildType
//!   `https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1`;
//! - GitHub Actions, SLSA v0.2, buildType `https://github.com/npm/cli/gha/v2`
//!   (and the earlier `gha@v0`, whose entry point is `owner/repo/path@ref`);
//! - GitLab CI, SLSA v0.2, buildType `https://github.com/npm/cli/gitlab/v0alpha1`
//!   (earlier `v1alpha1`, whose config source ends in `@<sha>`); its entry point
//!   is the job name, the build file is `CI_CONFIG_PATH`;
//! - slsa-github-generator's Node.js builder, SLSA v0.2 with the same invocation shape.
//!
//! The predicate is written by the build itself: it is what the build says
//! about itself. The certificate's claims, which Fulcio signed, take precedence
//! (see `identity`); the predicate fills gaps and is checked against them.

use serde_json::Value;

use crate::report::BuildPlatform;

pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
pub const NPM_PUBLISH_V01: &str = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";
pub const INTOTO_STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
pub const INTOTO_STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// What a provenance predicate says about the build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PredicateBuild {
    pub platform: Option<BuildPlatform>,
    pub build_type: Option<String>,
    pub builder_id: Option<String>,
    /// The repository URL (`https://github.com/owner/repo`), without `git+` or a ref.
    pub repository: Option<String>,
    pub git_ref: Option<String>,
    pub commit: Option<String>,
    /// The build file's path in the repository (`.github/workflows/release.yml`).
    pub build_file: Option<String>,
    /// The run (build summary) URL.
    pub run_url: Option<String>,
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path).as_str().filter(|s| !s.is_empty())
}

/// The value at `path`, or `null` where the predicate has none (never a panic:
/// the predicate is whatever the signer wrote).
fn at<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().try_fold(value, |v, key| v.get(key)).unwrap_or(&Value::Null)
}

/// `git+https://github.com/o/r@refs/heads/main` → (`https://github.com/o/r`, `refs/heads/main`).
pub fn split_git_uri(uri: &str) -> (String, Option<String>) {
    let uri = uri.strip_prefix("git+").unwrap_or(uri);
    // The ref follows the last '@' after the host (a URL's userinfo '@' would
    // come before the path, and such URLs are refused as links anyway).
    let path_start = uri.find("://").map(|i| i + 3).unwrap_or(0);
    match uri[path_start..].rfind('@') {
        Some(i) => {
            let at = path_start + i;
            (uri[..at].to_string(), Some(uri[at + 1..].to_string()))
        }
        None => (uri.to_string(), None),
    }
}

fn platform_of(build_type: Option<&str>, builder_id: Option<&str>) -> Option<BuildPlatform> {
    let bt = build_type.unwrap_or_default().to_ascii_lowercase();
    let builder = builder_id.unwrap_or_default();
    if bt.contains("/gitlab") {
        Some(BuildPlatform::GitlabCi)
    } else if bt.contains("github.com/npm/cli/gha")
        || bt.contains("github-actions-buildtypes")
        || bt.contains("slsa-github-generator")
        || builder.starts_with("https://github.com/")
    {
        Some(BuildPlatform::GithubActions)
    } else if builder.starts_with("https://gitlab.com/") {
        Some(BuildPlatform::GitlabCi)
    } else {
        None
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads a provenance predicate of either SLSA version.
pub fn read_provenance(predicate_type: &str, predicate: &Value) -> PredicateBuild {
    if predicate_type == SLSA_PROVENANCE_V1 {
        read_v1(predicate)
    } else {
        read_v02(predicate)
    }
}

fn read_v1(p: &Value) -> PredicateBuild {
    let build_type = str_at(p, &["buildDefinition", "buildType"]);
    let builder_id = str_at(p, &["runDetails", "builder", "id"]);
    let workflow = at(p, &["buildDefinition", "externalParameters", "workflow"]);
    let dependency = at(p, &["buildDefinition", "resolvedDependencies"])
        .get(0)
        .unwrap_or(&Value::Null);
    let (dep_repo, dep_ref) = str_at(dependency, &["uri"])
        .map(split_git_uri)
        .map_or((None, None), |(r, f)| (Some(r), f));
    PredicateBuild {
        platform: platform_of(build_type, builder_id),
        build_type: build_type.map(str::to_string),
        builder_id: builder_id.map(str::to_string),
        repository: str_at(workflow, &["repository"]).map(str::to_string).or(dep_repo),
        git_ref: str_at(workflow, &["ref"]).map(str::to_string).or(dep_ref),
        commit: str_at(dependency, &["digest", "gitCommit"]).map(str::to_string),
        build_file: str_at(workflow, &["path"]).map(str::to_string),
        run_url: str_at(p, &["runDetails", "metadata", "invocationId"]).map(str::to_string),
    }
}

fn read_v02(p: &Value) -> PredicateBuild {
    let build_type = str_at(p, &["buildType"]);
    let builder_id = str_at(p, &["builder", "id"]);
    let platform = platform_of(build_type, builder_id);
    let source = at(p, &["invocation", "configSource"]);
    let (mut repository, mut git_ref) = str_at(source, &["uri"])
        .map(split_git_uri)
        .map_or((None, None), |(r, f)| (Some(r), f));
    let commit = str_at(source, &["digest", "sha1"]).map(str::to_string);
    let env = at(p, &["invocation", "environment"]);
    let params = at(p, &["invocation", "parameters"]);
    let mut build = PredicateBuild {
        platform,
        build_type: build_type.map(str::to_string),
        builder_id: builder_id.map(str::to_string),
        commit,
        ..Default::default()
    };
    match platform {
        Some(BuildPlatform::GitlabCi) => {
            // v1alpha1 put the commit after '@'; v0alpha1 has no ref in the URI.
            if git_ref.as_deref().is_some_and(crate::links::is_git_sha) {
                git_ref = None;
            }
            build.git_ref = str_at(params, &["CI_COMMIT_REF_NAME"]).map(str::to_string).or(git_ref);
            build.build_file = str_at(params, &["CI_CONFIG_PATH"])
                .or_else(|| str_at(env, &["pipeline", "ref"]))
                .map(str::to_string);
            build.run_url = str_at(p, &["metadata", "buildInvocationId"]).map(str::to_string);
        }
        _ => {
            if repository.is_none() {
                repository = str_at(env, &["GITHUB_REPOSITORY"]).map(|r| format!("https://github.com/{r}"));
            }
            build.git_ref = git_ref.or_else(|| str_at(env, &["GITHUB_REF"]).map(str::to_string));
            build.build_file = str_at(source, &["entryPoint"]).map(|entry| {
                // gha@v0 wrote `owner/repo/.github/workflows/x.yml@ref`.
                let entry = entry.split('@').next().unwrap_or(entry);
                match str_at(env, &["GITHUB_REPOSITORY"]) {
                    Some(repo) => entry.strip_prefix(&format!("{repo}/")).unwrap_or(entry),
                    None => entry,
                }
                .to_string()
            });
            let run = (str_at(env, &["GITHUB_RUN_ID"]), str_at(env, &["GITHUB_RUN_ATTEMPT"]));
            if let (Some(repo), (Some(id), attempt)) = (repository.as_deref(), run)
                && digits(id)
            {
                build.run_url = Some(match attempt.filter(|a| digits(a)) {
                    Some(a) => format!("{repo}/actions/runs/{id}/attempts/{a}"),
                    None => format!("{repo}/actions/runs/{id}"),
                });
            }
        }
    }
    build.repository = repository;
    build
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn github_v1() {
        let p = json!({
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": "refs/heads/main", "repository": "https://github.com/sigstore/sigstore-js", "path": ".github/workflows/release.yml"}},
                "resolvedDependencies": [{"uri": "git+https://github.com/sigstore/sigstore-js@refs/heads/main", "digest": {"gitCommit": "46e7056ff9912ebfee5298d94024895a9fea76c0"}}]
            },
            "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}, "metadata": {"invocationId": "https://github.com/sigstore/sigstore-js/actions/runs/9116405766/attempts/1"}}
        });
        let b = read_provenance(SLSA_PROVENANCE_V1, &p);
        assert_eq!(b.platform, Some(BuildPlatform::GithubActions));
        assert_eq!(b.repository.as_deref(), Some("https://github.com/sigstore/sigstore-js"));
        assert_eq!(b.commit.as_deref(), Some("46e7056ff9912ebfee5298d94024895a9fea76c0"));
        assert_eq!(b.build_file.as_deref(), Some(".github/workflows/release.yml"));
        assert_eq!(b.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(
            b.run_url.as_deref(),
            Some("https://github.com/sigstore/sigstore-js/actions/runs/9116405766/attempts/1")
        );
    }

    #[test]
    fn github_v02_and_gha_v0_entry_points() {
        let p = json!({
            "buildType": "https://github.com/npm/cli/gha@v0",
            "builder": {"id": "https://github.com/npm/cli@9.2.0"},
            "invocation": {
                "configSource": {"uri": "git+https://github.com/sigstore/sigstore-js@refs/tags/v0.4.0", "digest": {"sha1": "8a2ee2fd20dda58ffa4a8d808a65cb1e04711c03"}, "entryPoint": "sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v0.4.0"},
                "environment": {"GITHUB_REPOSITORY": "sigstore/sigstore-js", "GITHUB_RUN_ID": "3895197725", "GITHUB_RUN_ATTEMPT": "1"}
            }
        });
        let b = read_provenance(SLSA_PROVENANCE_V02, &p);
        assert_eq!(b.platform, Some(BuildPlatform::GithubActions));
        assert_eq!(b.repository.as_deref(), Some("https://github.com/sigstore/sigstore-js"));
        assert_eq!(b.git_ref.as_deref(), Some("refs/tags/v0.4.0"));
        assert_eq!(b.build_file.as_deref(), Some(".github/workflows/publish.yml"));
        assert_eq!(
            b.run_url.as_deref(),
            Some("https://github.com/sigstore/sigstore-js/actions/runs/3895197725/attempts/1")
        );
    }

    #[test]
    fn gitlab_v0alpha1() {
        let p = json!({
            "buildType": "https://github.com/npm/CLI/gitlab/v0alpha1",
            "builder": {"id": "https://gitlab.com/strongjz/npm-provenance-example/-/runners/12270835"},
            "invocation": {
                "configSource": {"uri": "git+https://gitlab.com/strongjz/npm-provenance-example", "digest": {"sha1": "6e02e901e936bfac3d4691984dff8c505410cbc3"}, "entryPoint": "deploy"},
                "parameters": {"CI_COMMIT_REF_NAME": "main", "CI_CONFIG_PATH": ".gitlab-ci.yml"},
                "environment": {"pipeline": {"id": "872773336", "ref": ".gitlab-ci.yml"}}
            },
            "metadata": {"buildInvocationId": "https://gitlab.com/strongjz/npm-provenance-example/-/jobs/4316132595"}
        });
        let b = read_provenance(SLSA_PROVENANCE_V02, &p);
        assert_eq!(b.platform, Some(BuildPlatform::GitlabCi));
        assert_eq!(
            b.repository.as_deref(),
            Some("https://gitlab.com/strongjz/npm-provenance-example")
        );
        assert_eq!(b.build_file.as_deref(), Some(".gitlab-ci.yml"));
        assert_eq!(b.git_ref.as_deref(), Some("main"));
        assert_eq!(
            b.run_url.as_deref(),
            Some("https://gitlab.com/strongjz/npm-provenance-example/-/jobs/4316132595")
        );
    }

    #[test]
    fn gitlab_v1alpha1_sha_is_not_a_ref() {
        let p = json!({
            "buildType": "https://github.com/npm/cli/gitlab/v1alpha1",
            "invocation": {"configSource": {"uri": "git+https://gitlab.com/g/p@6e02e901e936bfac3d4691984dff8c505410cbc3", "digest": {"sha1": "6e02e901e936bfac3d4691984dff8c505410cbc3"}}}
        });
        let b = read_provenance(SLSA_PROVENANCE_V02, &p);
        assert_eq!(b.repository.as_deref(), Some("https://gitlab.com/g/p"));
        assert_eq!(b.git_ref, None);
    }

    #[test]
    fn hostile_shapes_do_not_panic() {
        for p in [
            json!(null),
            json!([]),
            json!({"invocation": 5}),
            json!({"buildDefinition": {"resolvedDependencies": "x"}}),
        ] {
            let _ = read_provenance(SLSA_PROVENANCE_V1, &p);
            let _ = read_provenance(SLSA_PROVENANCE_V02, &p);
        }
        assert_eq!(split_git_uri("git+https://a.com/x"), ("https://a.com/x".into(), None));
    }
}
