//! What npm signs: in-toto statements (GitHub and GitLab provenance, the
//! registry's publish statement) over a package's purl and sha512, the DSSE
//! encoding they are signed in, and the attestations response that serves them.

use serde_json::{Value, json};
use sha2::{Digest, Sha512};

use crate::{GITLAB_ISSUER, NPM_PUBLISH, SLSA_V1, SLSA_V02, b64, hex};

/// DSSE's pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// A tarball stand-in and its `dist.integrity` and sha512 hex.
pub fn integrity_of(tarball: &[u8]) -> (String, String) {
    let digest = Sha512::digest(tarball);
    (format!("sha512-{}", b64(digest)), hex(&digest))
}

fn purl(name: &str, version: &str) -> String {
    match name.strip_prefix('@') {
        Some(scoped) => format!("pkg:npm/%40{scoped}@{version}"),
        None => format!("pkg:npm/{name}@{version}"),
    }
}

/// npm's SLSA v1 provenance statement for a GitHub Actions build.
pub fn github_provenance(
    name: &str,
    version: &str,
    sha512_hex: &str,
    repo: &str,
    workflow: &str,
    commit: &str,
) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": purl(name, version), "digest": { "sha512": sha512_hex } }],
        "predicateType": SLSA_V1,
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": { "workflow": { "ref": "refs/heads/main", "repository": format!("https://github.com/{repo}"), "path": workflow } },
                "internalParameters": { "github": { "event_name": "push", "repository_id": "123456", "repository_owner_id": "7890" } },
                "resolvedDependencies": [{ "uri": format!("git+https://github.com/{repo}@refs/heads/main"), "digest": { "gitCommit": commit } }]
            },
            "runDetails": {
                "builder": { "id": "https://github.com/actions/runner/github-hosted" },
                "metadata": { "invocationId": format!("https://github.com/{repo}/actions/runs/1111/attempts/1") }
            }
        }
    })
}

/// npm's SLSA v0.2 provenance statement for a GitLab CI job.
pub fn gitlab_provenance(name: &str, version: &str, sha512_hex: &str, project: &str, commit: &str) -> Value {
    gitlab_provenance_on(GITLAB_ISSUER, name, version, sha512_hex, project, commit)
}

/// npm's GitLab provenance (SLSA v0.2, build type `.../gitlab/v0alpha1`,
/// as npm's libnpmpublish writes it) for a job on the GitLab at `server`:
/// the builder is the project's runner, the config source the project at
/// the commit (`sha1`) with the job name as entry point, the invocation the
/// job URL.
pub fn gitlab_provenance_on(
    server: &str,
    name: &str,
    version: &str,
    sha512_hex: &str,
    project: &str,
    commit: &str,
) -> Value {
    let project_url = format!("{server}/{project}");
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{ "name": purl(name, version), "digest": { "sha512": sha512_hex } }],
        "predicateType": SLSA_V02,
        "predicate": {
            "buildType": "https://github.com/npm/cli/gitlab/v0alpha1",
            "builder": { "id": format!("{project_url}/-/runners/12270835") },
            "invocation": {
                "configSource": { "uri": format!("git+{project_url}"), "digest": { "sha1": commit }, "entryPoint": "deploy" },
                "parameters": {
                    "CI": "true", "GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_SHA": commit,
                    "CI_CONFIG_PATH": ".gitlab-ci.yml", "CI_JOB_NAME": "deploy", "CI_JOB_ID": "4242",
                    "CI_JOB_URL": format!("{project_url}/-/jobs/4242"), "CI_PIPELINE_ID": "872773336",
                    "CI_PIPELINE_SOURCE": "push", "CI_PROJECT_PATH": project, "CI_PROJECT_URL": project_url,
                    "CI_SERVER_URL": server
                },
                "environment": {
                    "name": "3-blue.shared.runners-manager.gitlab.com/default", "architecture": "amd64",
                    "server": server, "project": project, "job": { "id": "4242" },
                    "pipeline": { "id": "872773336", "ref": ".gitlab-ci.yml" }
                }
            },
            "metadata": { "buildInvocationId": format!("{project_url}/-/jobs/4242"), "completeness": { "parameters": true, "environment": true, "materials": false }, "reproducible": false },
            "materials": [{ "uri": format!("git+{project_url}"), "digest": { "sha1": commit } }]
        }
    })
}

/// npm's publish attestation statement.
pub fn publish_statement(name: &str, version: &str, sha512_hex: &str) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{ "name": purl(name, version), "digest": { "sha512": sha512_hex } }],
        "predicateType": NPM_PUBLISH,
        "predicate": { "name": name, "version": version, "registry": "https://registry.npmjs.org" }
    })
}

/// An attestations response of `(predicate type label, bundle JSON)` pairs.
pub fn attestations_response(entries: &[(&str, &str)]) -> String {
    let list: Vec<Value> = entries
        .iter()
        .map(|(t, b)| json!({ "predicateType": t, "bundle": serde_json::from_str::<Value>(b).unwrap() }))
        .collect();
    json!({ "attestations": list }).to_string()
}
