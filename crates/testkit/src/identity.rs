//! Who signs: the identities Fulcio certifies (a CI workload's URI with its
//! claims, or a person's e-mail address), which the leaf certificates carry.

use crate::{GITHUB_ISSUER, GITLAB_ISSUER};

/// The signer's identity as Fulcio would certify it.
#[derive(Debug, Clone)]
pub struct Identity {
    /// A URI SAN (CI workloads) or an e-mail SAN.
    pub san: GeneralNameKind,
    pub issuer: String,
    /// Fulcio claims: the last arc of `1.3.6.1.4.1.57264.1.N` and its value.
    pub claims: Vec<(u32, String)>,
}

#[derive(Debug, Clone)]
pub enum GeneralNameKind {
    Uri(String),
    Email(String),
    /// Fulcio's username identity: an otherName of type
    /// `1.3.6.1.4.1.57264.1.7` holding a UTF8String (`user!oidc.example`).
    Username(String),
}

impl Identity {
    /// A GitHub Actions workflow run, as Fulcio certifies it today.
    pub fn github(repo: &str, workflow: &str, commit: &str, git_ref: &str) -> Self {
        let repo_url = format!("https://github.com/{repo}");
        let config = format!("{repo_url}/{workflow}@{git_ref}");
        Self {
            san: GeneralNameKind::Uri(config.clone()),
            issuer: GITHUB_ISSUER.into(),
            claims: vec![
                (9, config.clone()),
                (10, commit.into()),
                (11, "github-hosted".into()),
                (12, repo_url.clone()),
                (13, commit.into()),
                (14, git_ref.into()),
                (15, "123456".into()),
                (16, format!("https://github.com/{}", repo.split('/').next().unwrap())),
                (17, "7890".into()),
                (18, config),
                (19, commit.into()),
                (20, "push".into()),
                (21, format!("{repo_url}/actions/runs/1111/attempts/1")),
                (22, "public".into()),
            ],
        }
    }

    /// A GitLab CI job on gitlab.com.
    pub fn gitlab(project: &str, commit: &str, git_ref: &str) -> Self {
        Self::gitlab_on(GITLAB_ISSUER, project, commit, git_ref)
    }

    /// A GitLab CI job on the GitLab at `server` (`https://gitlab.com`, or a
    /// self-managed instance, whose issuer is its own URL), with the claims
    /// Fulcio's `gitlab-pipeline` templates write: the SAN and build config
    /// `https://<host>/<project>//<CI config path>@<ref>` (the double slash
    /// is GitLab's `ci_config_ref_uri`), the source repository and owner
    /// URLs with their ids, the job as the run invocation, the pipeline
    /// source as the trigger.
    pub fn gitlab_on(server: &str, project: &str, commit: &str, git_ref: &str) -> Self {
        let project_url = format!("{server}/{project}");
        let config = format!("{project_url}//.gitlab-ci.yml@{git_ref}");
        let namespace = project.rsplit_once('/').map_or(project, |(ns, _)| ns);
        Self {
            san: GeneralNameKind::Uri(config.clone()),
            issuer: server.into(),
            claims: vec![
                (9, config.clone()),
                (10, commit.into()),
                (11, "gitlab-hosted".into()),
                (12, project_url.clone()),
                (13, commit.into()),
                (14, git_ref.into()),
                (15, "45678901".into()),
                (16, format!("{server}/{namespace}")),
                (17, "1234567".into()),
                (18, config),
                (19, commit.into()),
                (20, "push".into()),
                (21, format!("{project_url}/-/jobs/4242")),
                (22, "public".into()),
            ],
        }
    }

    /// A username identity, as Fulcio certifies one for `issuer` (an otherName SAN).
    pub fn username(name: &str, issuer: &str) -> Self {
        Self {
            san: GeneralNameKind::Username(name.into()),
            issuer: issuer.into(),
            claims: vec![],
        }
    }

    /// A person, signing interactively: no CI claims.
    pub fn email(address: &str) -> Self {
        Self {
            san: GeneralNameKind::Email(address.into()),
            issuer: "https://github.com/login/oauth".into(),
            claims: vec![],
        }
    }
}
