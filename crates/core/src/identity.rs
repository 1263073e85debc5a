//! The build identity in a Fulcio certificate, and the checks on it.
//!
//! Fulcio copies the CI provider's identity token into certificate extensions
//! (OID arc 1.3.6.1.4.1.57264.1) and signs them; these, not the predicate the
//! build wrote about itself, are what the panel displays. The predicate is then
//! checked against them: a build that claims another repository, commit or
//! workflow than the one Fulcio certified is rejected.
//!
//! A claim is only as good as its issuer. Fulcio accepts tokens from many
//! issuers, and some (Buildkite, say) let whoever configures a pipeline name
//! any repository URL. So a CI platform, and the links the panel presents as
//! the build's, come only from the issuer that owns the repository's host:
//! GitHub Actions' for github.com, gitlab.com's for gitlab.com, and a
//! self-managed GitLab's only for repositories on its own host. A certificate
//! from any other issuer is shown as it is, without a platform.

use sigstore_crypto::{CertificateInfo, SubjectAltName};

use crate::predicate::PredicateBuild;
use crate::report::{BuildPlatform, Identity};
use crate::time::format_rfc3339;

pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const GITLAB_ISSUER: &str = "https://gitlab.com";

/// Fulcio's otherName type for a username identity (`user!oidc.example`).
const FULCIO_USERNAME_OID: x509_cert::der::oid::ObjectIdentifier =
    x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// The username a Fulcio certificate names in an otherName SAN (its
/// `1.3.6.1.4.1.57264.1.7` type, a UTF8String), which `sigstore-crypto`
/// does not read: Fulcio issues these to username identities, and
/// sigstore-go matches them as the certificate's identity.
pub fn other_name_identity(certificate_der: &[u8]) -> Option<String> {
    use x509_cert::der::Decode as _;
    use x509_cert::ext::pkix::SubjectAltName as SanExtension;
    use x509_cert::ext::pkix::name::GeneralName;
    let cert = x509_cert::Certificate::from_der(certificate_der).ok()?;
    let (_critical, san) = cert.tbs_certificate.get::<SanExtension>().ok()??;
    san.0.iter().find_map(|name| match name {
        GeneralName::OtherName(other) if other.type_id == FULCIO_USERNAME_OID => other
            .value
            .decode_as::<x509_cert::der::asn1::Utf8StringRef<'_>>()
            .ok()
            .map(|s| s.as_str().to_string()),
        _ => None,
    })
}

/// Builds the report's identity from a parsed certificate (and its DER, for
/// the identities `info` does not read: see [`other_name_identity`]).
pub fn identity_from_certificate(info: &CertificateInfo, certificate_der: &[u8], verified: bool) -> Identity {
    let c = &info.ci_claims;
    let g = &c.deprecated_github;
    Identity {
        verified,
        // Set by the verification, which knows what the caller named.
        self_managed_gitlab: false,
        subject_alternative_name: info
            .identity
            .as_ref()
            .map(|san| match san {
                SubjectAltName::Email(e) => e.clone(),
                other => other.as_str().to_string(),
            })
            .or_else(|| other_name_identity(certificate_der)),
        issuer: info.issuer.clone(),
        not_before: Some(format_rfc3339(info.not_before.as_second())),
        not_after: Some(format_rfc3339(info.not_after.as_second())),
        build_signer_uri: c.build_signer_uri.clone(),
        build_signer_digest: c.build_signer_digest.clone(),
        runner_environment: c.runner_environment.clone(),
        source_repository_uri: c.source_repository_uri.clone(),
        source_repository_digest: c.source_repository_digest.clone(),
        source_repository_ref: c.source_repository_ref.clone(),
        source_repository_identifier: c.source_repository_identifier.clone(),
        source_repository_owner_uri: c.source_repository_owner_uri.clone(),
        source_repository_owner_identifier: c.source_repository_owner_identifier.clone(),
        build_config_uri: c.build_config_uri.clone(),
        build_config_digest: c.build_config_digest.clone(),
        build_trigger: c.build_trigger.clone(),
        run_invocation_uri: c.run_invocation_uri.clone(),
        source_repository_visibility: c.source_repository_visibility_at_signing.clone(),
        deployment_environment: c.deployment_environment.clone(),
        github_workflow_trigger: g.workflow_trigger.clone(),
        github_workflow_sha: g.workflow_sha.clone(),
        github_workflow_name: g.workflow_name.clone(),
        github_workflow_repository: g.workflow_repository.clone(),
        github_workflow_ref: g.workflow_ref.clone(),
    }
}

/// The build as the certificate describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateBuild {
    /// The CI platform, when the issuer is the one that owns the
    /// repository's host (see the module documentation); `None` otherwise.
    pub platform: Option<BuildPlatform>,
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub git_ref: Option<String>,
    pub build_file: Option<String>,
    pub run_url: Option<String>,
    pub trigger: Option<String>,
    pub runner_environment: Option<String>,
}

/// `https://host` of an `https://host/...` URL (lowercase host, no port,
/// userinfo or anything odd: anything else is not a plain origin).
fn https_origin(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    plain.then(|| format!("https://{}", host.to_ascii_lowercase()))
}

/// The issuer that owns a repository's host: GitHub Actions' for github.com,
/// gitlab.com's for gitlab.com, `https://<host>` (a self-managed GitLab)
/// for any other host.
pub fn issuer_for_repository(repository_url: &str) -> Option<String> {
    match https_origin(repository_url)?.as_str() {
        "https://github.com" => Some(GITHUB_ACTIONS_ISSUER.to_string()),
        origin => Some(origin.to_string()),
    }
}

/// The CI platform of a certificate: only when its issuer is known to be
/// that platform's, and is the one that owns the repository's host. GitHub
/// Actions' issuer for github.com and gitlab.com's for gitlab.com are known;
/// a self-managed GitLab's issuer is known only when the caller named it
/// (`self_managed_gitlab`: `--gitlab-issuer`, the server's trust
/// configuration): Fulcio accepts other issuers that are a bare origin too
/// (Buildkite's is `https://agent.buildkite.com`, whose pipelines name any
/// repository URL), and such a claim is not a platform's word.
pub fn recognised_platform(
    issuer: Option<&str>,
    repository: Option<&str>,
    self_managed_gitlab: bool,
) -> Option<BuildPlatform> {
    let (issuer, repository) = (issuer?, repository?);
    if issuer_for_repository(repository).as_deref() != Some(issuer) {
        return None;
    }
    match issuer {
        GITHUB_ACTIONS_ISSUER => Some(BuildPlatform::GithubActions),
        GITLAB_ISSUER => Some(BuildPlatform::GitlabCi),
        // A self-managed GitLab named by the caller: an issuer that is a
        // plain origin and serves the repository's own host.
        other if self_managed_gitlab && https_origin(other).as_deref() == Some(other) => Some(BuildPlatform::GitlabCi),
        _ => None,
    }
}

/// Whether `issuer` is among the self-managed GitLab issuers the caller
/// named (compared as plain origins: `https://GitLab.Example.com/` is
/// `https://gitlab.example.com`).
pub fn is_named_gitlab(issuer: Option<&str>, named: &[String]) -> bool {
    let Some(issuer) = issuer.and_then(https_origin) else {
        return false;
    };
    named
        .iter()
        .filter_map(|n| https_origin(n.trim_end_matches('/')))
        .any(|n| n == issuer)
}

/// The path of a build file in `config_uri`, a URL of the file in `repository`
/// at a ref: GitHub `https://github.com/o/r/.github/workflows/x.yml@refs/heads/main`,
/// GitLab `https://gitlab.com/o/r//.gitlab-ci.yml@refs/heads/main`.
fn build_file_in(config_uri: &str, repository: &str) -> Option<String> {
    let rest = config_uri.strip_prefix(repository)?.strip_prefix('/')?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let path = match rest.rfind('@') {
        Some(i) => &rest[..i],
        None => rest,
    };
    (!path.is_empty()).then(|| path.to_string())
}

/// Reads the build from the certificate's claims, falling back to the
/// deprecated GitHub claims that certificates before 2023 carry alone (those
/// are GitHub Actions' own, so only with its issuer).
pub fn certificate_build(id: &Identity) -> CertificateBuild {
    let github_issuer = id.issuer.as_deref() == Some(GITHUB_ACTIONS_ISSUER);
    let repository = id.source_repository_uri.clone().or_else(|| {
        github_issuer
            .then_some(())
            .and(id.github_workflow_repository.as_ref())
            .map(|r| format!("https://github.com/{r}"))
    });
    // The build config (the workflow that ran) rather than the build signer:
    // with a reusable workflow (slsa-github-generator) the signer is the reusable
    // workflow, while the build file is the caller's.
    let build_file = repository.as_deref().and_then(|repo| {
        id.build_config_uri
            .as_deref()
            .and_then(|uri| build_file_in(uri, repo))
            .or_else(|| {
                id.subject_alternative_name
                    .as_deref()
                    .filter(|_| id.build_config_uri.is_none())
                    .and_then(|san| build_file_in(san, repo))
            })
    });
    let deprecated = |claim: &Option<String>| claim.clone().filter(|_| github_issuer);
    CertificateBuild {
        platform: recognised_platform(id.issuer.as_deref(), repository.as_deref(), id.self_managed_gitlab),
        commit: id
            .source_repository_digest
            .clone()
            .or_else(|| deprecated(&id.github_workflow_sha)),
        git_ref: id
            .source_repository_ref
            .clone()
            .or_else(|| deprecated(&id.github_workflow_ref)),
        build_file,
        run_url: id.run_invocation_uri.clone(),
        trigger: id
            .build_trigger
            .clone()
            .or_else(|| deprecated(&id.github_workflow_trigger)),
        runner_environment: id.runner_environment.clone(),
        repository,
    }
}

fn same_repository(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim_end_matches('/').trim_end_matches(".git").to_ascii_lowercase();
    norm(a) == norm(b)
}

/// Checks that the predicate describes the build the certificate certifies:
/// the same repository, commit and build file. Values the predicate does not
/// state are not compared; the certificate must at least name a repository.
pub fn check_consistency(cert: &CertificateBuild, predicate: &PredicateBuild) -> Result<String, String> {
    let Some(cert_repo) = cert.repository.as_deref() else {
        return Err("The certificate names no source repository: it was not issued to a CI build, so it cannot vouch for build provenance.".into());
    };
    let mut agreed = Vec::new();
    let mut mismatches = Vec::new();
    match predicate.repository.as_deref() {
        Some(p) if same_repository(cert_repo, p) => agreed.push("repository"),
        Some(p) => mismatches.push(format!(
            "the predicate names repository {p}, the certificate {cert_repo}"
        )),
        None => {}
    }
    match (cert.commit.as_deref(), predicate.commit.as_deref()) {
        (Some(c), Some(p)) if c.eq_ignore_ascii_case(p) => agreed.push("commit"),
        (Some(c), Some(p)) => mismatches.push(format!("the predicate names commit {p}, the certificate {c}")),
        _ => {}
    }
    match (cert.build_file.as_deref(), predicate.build_file.as_deref()) {
        (Some(c), Some(p)) if c == p => agreed.push("build file"),
        (Some(c), Some(p)) => mismatches.push(format!("the predicate names build file {p}, the certificate {c}")),
        _ => {}
    }
    if !mismatches.is_empty() {
        return Err(format!(
            "The provenance predicate disagrees with the signed certificate: {}.",
            mismatches.join("; ")
        ));
    }
    if agreed.is_empty() {
        return Err(
            "The provenance predicate states no repository, commit or build file to compare with the certificate."
                .into(),
        );
    }
    Ok(format!(
        "The predicate's {} match the certificate's claims.",
        agreed.join(", ")
    ))
}

/// What the caller expects of the signer. Every field set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpectedIdentity {
    /// The source repository: a URL (`https://github.com/o/r`) or `o/r` on
    /// GitHub. Unless `issuer` is given, the certificate's issuer must be the
    /// one that owns the repository's host (see [`issuer_for_repository`]).
    pub repository: Option<String>,
    /// The build file path (`.github/workflows/release.yml`).
    pub workflow: Option<String>,
    /// The OIDC issuer (`https://token.actions.githubusercontent.com`), exactly.
    pub issuer: Option<String>,
    /// The certificate's subject alternative name, exactly.
    pub subject_alternative_name: Option<String>,
    /// A regular expression the whole subject alternative name must match
    /// (anchored at both ends, unlike cosign's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_alternative_name_regexp: Option<String>,
}

impl ExpectedIdentity {
    pub fn is_empty(&self) -> bool {
        self.repository.is_none()
            && self.workflow.is_none()
            && self.issuer.is_none()
            && self.subject_alternative_name.is_none()
            && self.subject_alternative_name_regexp.is_none()
    }

    /// Checks a verified certificate's identity against every expectation set.
    pub fn check(&self, id: &Identity) -> Result<String, String> {
        let cert = certificate_build(id);
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        let shown = |v: Option<&str>| v.unwrap_or("nothing").to_string();
        let mut issuer = self.issuer.clone();
        if let Some(want) = &self.repository {
            let want_url = if want.contains("://") {
                want.clone()
            } else {
                format!("https://github.com/{want}")
            };
            match cert.repository.as_deref() {
                Some(have) if same_repository(have, &want_url) => ok.push(format!("repository {have}")),
                have => bad.push(format!(
                    "repository {want} was expected, the certificate names {}",
                    shown(have)
                )),
            }
            // A repository is only vouched for by the issuer of its host.
            if issuer.is_none() {
                match issuer_for_repository(&want_url) {
                    Some(owner) => issuer = Some(owner),
                    None => bad.push(format!("{want} is not an https repository URL")),
                }
            }
        }
        if let Some(want) = &self.workflow {
            let want = want.trim_start_matches('/');
            match cert.build_file.as_deref() {
                Some(have) if have == want => ok.push(format!("build file {have}")),
                have => bad.push(format!(
                    "build file {want} was expected, the certificate names {}",
                    shown(have)
                )),
            }
        }
        if let Some(want) = &issuer {
            match id.issuer.as_deref() {
                Some(have) if have == want => ok.push(format!("issuer {have}")),
                have => bad.push(format!(
                    "issuer {want} was expected, the certificate names {}",
                    shown(have)
                )),
            }
        }
        if let Some(want) = &self.subject_alternative_name {
            match id.subject_alternative_name.as_deref() {
                Some(have) if have == want => ok.push(format!("identity {have}")),
                have => bad.push(format!(
                    "identity {want} was expected, the certificate names {}",
                    shown(have)
                )),
            }
        }
        if let Some(pattern) = &self.subject_alternative_name_regexp {
            let have = id.subject_alternative_name.as_deref();
            match (san_matches(pattern, have.unwrap_or_default()), have) {
                (Ok(true), Some(have)) => ok.push(format!("identity {have} (matches {pattern})")),
                (Ok(_), have) => bad.push(format!(
                    "an identity matching {pattern} was expected, the certificate names {}",
                    shown(have)
                )),
                (Err(e), _) => bad.push(e),
            }
        }
        if bad.is_empty() {
            Ok(format!("As expected: {}.", ok.join(", ")))
        } else {
            Err(format!("Not the expected signer: {}.", bad.join("; ")))
        }
    }
}

/// Whether `san` matches `pattern` as a whole.
#[cfg(feature = "identity-regexp")]
fn san_matches(pattern: &str, san: &str) -> Result<bool, String> {
    let anchored = format!("^(?:{pattern})$");
    regex_lite::Regex::new(&anchored)
        .map(|re| re.is_match(san))
        .map_err(|e| format!("the identity pattern {pattern:?} is not a regular expression: {e}"))
}

#[cfg(not(feature = "identity-regexp"))]
fn san_matches(_pattern: &str, _san: &str) -> Result<bool, String> {
    Err("this build matches identities exactly, not by pattern".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_identity() -> Identity {
        Identity {
            verified: true,
            subject_alternative_name: Some(
                "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main".into(),
            ),
            issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
            source_repository_uri: Some("https://github.com/sigstore/sigstore-js".into()),
            source_repository_digest: Some("46e7056ff9912ebfee5298d94024895a9fea76c0".into()),
            build_config_uri: Some(
                "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main".into(),
            ),
            ..Default::default()
        }
    }

    fn predicate(repo: &str, commit: &str, file: &str) -> PredicateBuild {
        PredicateBuild {
            repository: Some(repo.into()),
            commit: Some(commit.into()),
            build_file: Some(file.into()),
            ..Default::default()
        }
    }

    #[test]
    fn build_files_from_github_and_gitlab_config_uris() {
        assert_eq!(
            build_file_in(
                "https://github.com/o/r/.github/workflows/x.yml@refs/heads/main",
                "https://github.com/o/r"
            )
            .as_deref(),
            Some(".github/workflows/x.yml")
        );
        assert_eq!(
            build_file_in(
                "https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main",
                "https://gitlab.com/g/p"
            )
            .as_deref(),
            Some(".gitlab-ci.yml")
        );
        assert_eq!(
            build_file_in("https://github.com/other/r/x.yml@x", "https://github.com/o/r"),
            None
        );
    }

    /// An origin is `https://` and a plain host: letters, digits, dots and
    /// hyphens, lowercased; a port, userinfo or anything else is not one (an
    /// issuer `https://host:8443` is not the owner of `https://host`).
    #[test]
    fn an_https_origin_is_a_plain_host() {
        assert_eq!(
            https_origin("https://GitLab.My-Company.example/g/p?x#y").as_deref(),
            Some("https://gitlab.my-company.example")
        );
        assert_eq!(
            https_origin("https://gitlab.com").as_deref(),
            Some("https://gitlab.com")
        );
        for odd in [
            "https://gitlab.example.com:8443/g/p",
            "https://user@gitlab.example.com/g/p",
            "https://gitlab_example.com/g/p",
            "https:///g/p",
            "https://",
            "http://gitlab.com/g/p",
        ] {
            assert_eq!(https_origin(odd), None, "{odd}");
        }
        assert_eq!(
            issuer_for_repository("https://git.my-company.example/g/p").as_deref(),
            Some("https://git.my-company.example")
        );
        // A port is not a plain origin: no issuer owns it, so no platform.
        assert_eq!(
            recognised_platform(
                Some("https://gitlab.example.com:8443"),
                Some("https://gitlab.example.com:8443/g/p"),
                true
            ),
            None
        );
    }

    /// No expectation set is empty (the expected identity check is skipped);
    /// any one field set is an expectation.
    #[test]
    fn an_expectation_is_empty_only_with_no_field_set() {
        assert!(ExpectedIdentity::default().is_empty());
        let one = |f: fn(&mut ExpectedIdentity)| {
            let mut e = ExpectedIdentity::default();
            f(&mut e);
            e.is_empty()
        };
        assert!(!one(|e| e.repository = Some("o/r".into())));
        assert!(!one(|e| e.workflow = Some("w.yml".into())));
        assert!(!one(|e| e.issuer = Some(GITLAB_ISSUER.into())));
        assert!(!one(|e| e.subject_alternative_name = Some("x".into())));
        assert!(!one(|e| e.subject_alternative_name_regexp = Some("x".into())));
    }

    #[test]
    fn a_platform_comes_only_from_the_issuer_of_the_repositorys_host() {
        use BuildPlatform::*;
        let p = |issuer: &str, repo: &str| recognised_platform(Some(issuer), Some(repo), false);
        let named = |issuer: &str, repo: &str| recognised_platform(Some(issuer), Some(repo), true);
        assert_eq!(p(GITHUB_ACTIONS_ISSUER, "https://github.com/o/r"), Some(GithubActions));
        assert_eq!(p(GITLAB_ISSUER, "https://gitlab.com/g/p"), Some(GitlabCi));
        // A self-managed GitLab only when the caller named its issuer:
        // Buildkite's issuer is a bare origin too, and its pipelines name any
        // repository (here one on its own host).
        assert_eq!(p("https://gitlab.example.com", "https://gitlab.example.com/g/p"), None);
        assert_eq!(
            named("https://gitlab.example.com", "https://gitlab.example.com/g/p"),
            Some(GitlabCi)
        );
        assert_eq!(
            p("https://agent.buildkite.com", "https://agent.buildkite.com/victim/repo"),
            None
        );
        assert_eq!(named("https://github.com", "https://github.com/o/r"), None);
        assert!(is_named_gitlab(
            Some("https://GitLab.Example.com"),
            &["https://gitlab.example.com/".to_string()]
        ));
        assert!(!is_named_gitlab(
            Some("https://agent.buildkite.com"),
            &["https://gitlab.example.com".to_string()]
        ));
        assert!(!is_named_gitlab(None, &["https://gitlab.example.com".to_string()]));
        // Another issuer claiming a github.com or gitlab.com repository.
        assert_eq!(p("https://agent.buildkite.com", "https://github.com/victim/repo"), None);
        assert_eq!(
            p("https://github.com/login/oauth", "https://github.com/victim/repo"),
            None
        );
        // (Also what Fulcio's gitlab-pipeline templates wrote for self-managed
        // instances while they filled the repository URL with gitlab.com: no
        // platform and no links is the safe reading of such a certificate.)
        assert_eq!(p("https://gitlab.example.com", "https://gitlab.com/victim/repo"), None);
        assert_eq!(p(GITLAB_ISSUER, "https://github.com/victim/repo"), None);
        assert_eq!(p(GITHUB_ACTIONS_ISSUER, "https://gitlab.com/g/p"), None);
        // github.com itself is not a GitLab, whatever claims it.
        assert_eq!(p("https://github.com", "https://github.com/o/r"), None);
        assert_eq!(recognised_platform(None, Some("https://github.com/o/r"), true), None);
    }

    #[test]
    fn deprecated_github_claims_count_only_with_github_actions_issuer() {
        let mut old = Identity {
            issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
            github_workflow_repository: Some("sigstore/sigstore-js".into()),
            github_workflow_sha: Some("8a2ee2fd20dda58ffa4a8d808a65cb1e04711c03".into()),
            ..Default::default()
        };
        assert_eq!(
            certificate_build(&old).repository.as_deref(),
            Some("https://github.com/sigstore/sigstore-js")
        );
        old.issuer = Some("https://agent.buildkite.com".into());
        let b = certificate_build(&old);
        assert_eq!((b.repository, b.commit, b.platform), (None, None, None));
    }

    #[test]
    fn consistency_passes_and_names_what_agreed() {
        let cert = certificate_build(&github_identity());
        let ok = check_consistency(
            &cert,
            &predicate(
                "https://github.com/sigstore/sigstore-js",
                "46E7056FF9912EBFEE5298D94024895A9FEA76C0",
                ".github/workflows/release.yml",
            ),
        )
        .unwrap();
        assert!(ok.contains("repository, commit, build file"), "{ok}");
    }

    #[test]
    fn consistency_fails_on_each_mismatch() {
        let cert = certificate_build(&github_identity());
        let repo = check_consistency(
            &cert,
            &predicate(
                "https://github.com/evil/fork",
                "46e7056ff9912ebfee5298d94024895a9fea76c0",
                ".github/workflows/release.yml",
            ),
        )
        .unwrap_err();
        assert!(repo.contains("repository https://github.com/evil/fork"), "{repo}");
        let commit = check_consistency(
            &cert,
            &predicate(
                "https://github.com/sigstore/sigstore-js",
                "0000000000000000000000000000000000000000",
                ".github/workflows/release.yml",
            ),
        )
        .unwrap_err();
        assert!(commit.contains("commit 0000"), "{commit}");
        let file = check_consistency(
            &cert,
            &predicate(
                "https://github.com/sigstore/sigstore-js",
                "46e7056ff9912ebfee5298d94024895a9fea76c0",
                ".github/workflows/other.yml",
            ),
        )
        .unwrap_err();
        assert!(file.contains("build file .github/workflows/other.yml"), "{file}");
        let nothing = check_consistency(&cert, &PredicateBuild::default()).unwrap_err();
        assert!(
            nothing.contains("states no repository, commit or build file"),
            "{nothing}"
        );
    }

    #[test]
    fn a_person_certificate_cannot_vouch_for_a_build() {
        let person = Identity {
            subject_alternative_name: Some("brian@dehamer.com".into()),
            issuer: Some("https://github.com/login/oauth".into()),
            ..Default::default()
        };
        let err = check_consistency(
            &certificate_build(&person),
            &predicate("https://github.com/o/r", "a", "b"),
        )
        .unwrap_err();
        assert!(err.contains("names no source repository"), "{err}");
    }

    #[test]
    fn old_certificates_use_the_deprecated_claims() {
        let old = Identity {
            subject_alternative_name: Some(
                "https://github.com/sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v0.4.0".into(),
            ),
            issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
            github_workflow_repository: Some("sigstore/sigstore-js".into()),
            github_workflow_sha: Some("8a2ee2fd20dda58ffa4a8d808a65cb1e04711c03".into()),
            ..Default::default()
        };
        let b = certificate_build(&old);
        assert_eq!(b.repository.as_deref(), Some("https://github.com/sigstore/sigstore-js"));
        assert_eq!(b.build_file.as_deref(), Some(".github/workflows/publish.yml"));
        assert_eq!(b.commit.as_deref(), Some("8a2ee2fd20dda58ffa4a8d808a65cb1e04711c03"));
    }

    #[test]
    fn expectations_each_fail_for_their_reason() {
        let id = github_identity();
        let all = ExpectedIdentity {
            repository: Some("sigstore/sigstore-js".into()),
            workflow: Some(".github/workflows/release.yml".into()),
            issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
            subject_alternative_name: id.subject_alternative_name.clone(),
            subject_alternative_name_regexp: None,
        };
        all.check(&id).unwrap();
        let fails = |want: ExpectedIdentity, says: &str| {
            let e = want.check(&id).unwrap_err();
            assert!(e.contains(says), "{e} does not say {says}");
        };
        fails(
            ExpectedIdentity {
                repository: Some("https://github.com/npm/cli".into()),
                ..Default::default()
            },
            "repository https://github.com/npm/cli was expected",
        );
        fails(
            ExpectedIdentity {
                workflow: Some(".github/workflows/other.yml".into()),
                ..Default::default()
            },
            "build file .github/workflows/other.yml was expected",
        );
        fails(
            ExpectedIdentity {
                issuer: Some(GITLAB_ISSUER.into()),
                ..Default::default()
            },
            "issuer https://gitlab.com was expected, the certificate names https://token.actions",
        );
        fails(
            ExpectedIdentity {
                subject_alternative_name: Some("https://github.com/sigstore/sigstore-js/x.yml@main".into()),
                ..Default::default()
            },
            "identity https://github.com/sigstore/sigstore-js/x.yml@main was expected",
        );
    }

    #[test]
    fn an_expected_repository_needs_the_issuer_of_its_host() {
        // A certificate from another issuer that names the repository.
        let forged = Identity {
            issuer: Some("https://agent.buildkite.com".into()),
            source_repository_uri: Some("https://github.com/victim/repo".into()),
            ..Default::default()
        };
        let want = ExpectedIdentity {
            repository: Some("victim/repo".into()),
            ..Default::default()
        };
        let e = want.check(&forged).unwrap_err();
        assert!(
            e.contains("issuer https://token.actions.githubusercontent.com was expected, the certificate names https://agent.buildkite.com"),
            "{e}"
        );
        // Naming the issuer explicitly is the caller's choice to trust it.
        let explicit = ExpectedIdentity {
            issuer: Some("https://agent.buildkite.com".into()),
            ..want
        };
        explicit.check(&forged).unwrap();
    }

    #[cfg(feature = "identity-regexp")]
    #[test]
    fn identity_patterns_match_the_whole_name() {
        let id = github_identity();
        let want = |p: &str| ExpectedIdentity {
            subject_alternative_name_regexp: Some(p.into()),
            ..Default::default()
        };
        want(r"https://github\.com/sigstore/.*").check(&id).unwrap();
        // Unanchored, this would match a name that merely contains it.
        assert!(want(r"github\.com/sigstore/.*").check(&id).is_err());
        assert!(want("(").check(&id).unwrap_err().contains("not a regular expression"));
    }
}
