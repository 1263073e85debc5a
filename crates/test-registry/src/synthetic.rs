//! Packages made with the testkit's own Sigstore, for what real data cannot
//! show: a long version history, GitLab CI provenance, and hostile content
//! that still verifies (so the page renders it in full). They verify only
//! against the testkit's trusted root, which the registry serves at
//! `/-/test/trusted-root.json` with its keys at `/-/test/keys.json`.

use std::collections::HashMap;

use npm_provenance_testkit::{
    self as kit, Faults, GITHUB_ISSUER, GeneralNameKind, Identity, LogShape, NPM_PUBLISH, SLSA_V1, SLSA_V02, Shape,
    Sigstore,
};
use serde_json::{Value, json};

/// Versions in `bench-history`.
pub const HISTORY_VERSIONS: usize = 100;

/// The synthetic packages: packuments by name (with `{base}`), attestations by `name@version`.
pub struct Synthetic {
    pub packuments: HashMap<String, Value>,
    pub attestations: HashMap<String, String>,
    pub trusted_root: String,
    pub keys: String,
    /// `/-/test/keys-expiring.json`: the same key, expiring at
    /// [`KEY_EXPIRY`] (for `expired-key`, published after).
    pub keys_expiring: String,
    /// `/-/test/verdicts.json`: each version of `verdicts` with the outcome it must show.
    pub verdicts: String,
    /// `/-/test/trust.json`: the trust-level and downgrade packages with what each must show.
    pub trust: String,
    /// TUF repositories serving this instance's trusted root and registry
    /// key, by variant (`tuf`: root rotated v1 → v3; `tuf-expired`,
    /// `tuf-frozen`, `tuf-attack`), each file by path; built when the registry starts, so
    /// valid from then.
    pub tuf: HashMap<&'static str, std::collections::BTreeMap<String, Vec<u8>>>,
    /// The instance that signed them, for the packages made on demand.
    kit: Sigstore,
    /// `audit-<n>`, signed on first request (a thousand of them take seconds).
    audit: std::sync::Mutex<HashMap<u32, (Value, String)>>,
}

/// The most `audit-<n>` packages: enough for any lockfile a test or benchmark builds.
pub const MAX_AUDIT_PACKAGES: u32 = 100_000;

/// The name of the n-th audit package.
pub fn audit_name(n: u32) -> String {
    format!("audit-{n}")
}

/// Its integrity (of its pretend tarball), known without signing anything.
pub fn audit_integrity(n: u32) -> String {
    kit::integrity_of(format!("{}@1.0.0 tarball", audit_name(n)).as_bytes()).0
}

impl Synthetic {
    /// `audit-<n>`: one version, 1.0.0, with GitHub Actions provenance, npm's
    /// publish attestation and a registry signature, as a well-kept package
    /// has; its packument (with `{base}`) and attestations response.
    pub fn audit_package(&self, n: u32) -> Option<(Value, String)> {
        if n >= MAX_AUDIT_PACKAGES {
            return None;
        }
        if let Some(hit) = self.audit.lock().unwrap().get(&n) {
            return Some(hit.clone());
        }
        let (name, version) = (audit_name(n), "1.0.0");
        let (integrity, sha512) = kit::integrity_of(format!("{name}@{version} tarball").as_bytes());
        let repo = format!("acme/{name}");
        let commit = "89abcdef0123456789abcdef0123456789abcdef";
        let statement = kit::github_provenance(&name, version, &sha512, &repo, ".github/workflows/release.yml", commit);
        let identity = Identity::github(&repo, ".github/workflows/release.yml", commit, "refs/heads/main");
        let provenance = self.kit.keyless_bundle(&statement, &identity, &Faults::default());
        let publish = self
            .kit
            .keyed_bundle(&kit::publish_statement(&name, version, &sha512), &Faults::default());
        let response = kit::attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &publish)]);
        let dist = json!({
            "integrity": integrity,
            "tarball": format!("{{base}}/{name}/-/{name}-{version}.tgz"),
            "attestations": { "url": format!("{{base}}/-/npm/v1/attestations/{name}@{version}"), "provenance": { "predicateType": SLSA_V1 } },
            "signatures": [self.kit.registry_signature(&name, version, &integrity)],
        });
        let packument = json!({
            "name": name,
            "dist-tags": { "latest": version },
            "versions": { version: { "name": name, "version": version, "dist": dist } },
            "time": { version: "2024-06-01T12:00:00.000Z" },
        });
        self.audit
            .lock()
            .unwrap()
            .insert(n, (packument.clone(), response.clone()));
        Some((packument, response))
    }
}

/// A `package-lock.json` (lockfile version 3) whose project depends on
/// `audit-0` to `audit-<count - 1>`, as npm writes one.
pub fn audit_lockfile(count: u32, base: &str) -> Value {
    let count = count.min(MAX_AUDIT_PACKAGES);
    let mut packages = serde_json::Map::new();
    let deps: serde_json::Map<String, Value> = (0..count).map(|n| (audit_name(n), json!("^1.0.0"))).collect();
    packages.insert(
        "".into(),
        json!({ "name": "audit-project", "version": "1.0.0", "dependencies": deps }),
    );
    for n in 0..count {
        let name = audit_name(n);
        packages.insert(
            format!("node_modules/{name}"),
            json!({ "version": "1.0.0", "resolved": format!("{base}/{name}/-/{name}-1.0.0.tgz"), "integrity": audit_integrity(n) }),
        );
    }
    json!({ "name": "audit-project", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": packages })
}

fn rfc3339(seconds: i64) -> String {
    npm_provenance_core::time::format_rfc3339(seconds).replace('Z', ".000Z")
}

/// How a synthetic version's provenance says it was built.
struct Build {
    workflow: &'static str,
    git_ref: &'static str,
    trigger: &'static str,
    runner: &'static str,
}

impl Default for Build {
    fn default() -> Self {
        Self {
            workflow: ".github/workflows/release.yml",
            git_ref: "refs/heads/main",
            trigger: "push",
            runner: "github-hosted",
        }
    }
}

/// How a synthetic version was published.
#[derive(Clone, Copy)]
enum Publishing {
    /// Provenance, and `_npmUser.trustedPublisher` (GitHub).
    TrustedPublisher,
    /// Provenance, published with a token.
    Provenance,
    /// Provenance, a staged publish (`_npmUser.approver`, no trusted publisher).
    Staged,
    /// A token, no provenance: the registry's signature only.
    Token,
    /// Nothing signed at all.
    Unsigned,
}

/// When `/-/test/keys-expiring.json`'s key expires.
pub const KEY_EXPIRY: &str = "2024-01-15T00:00:00.000Z";

/// Packages for the decisions that must fail closed through every door:
/// - `withheld-attestations@1.0.0` lists attestations the registry does not
///   serve (its endpoint answers 404): a failure, never "no provenance";
/// - `expired-key@1.0.0` is signed only by the registry, published on
///   2024-02-01, after [`KEY_EXPIRY`] (`expired-key@0.9.0`, on 2023-12-01,
///   before it): with `keys-expiring.json`, 1.0.0 fails and 0.9.0 verifies;
/// - `integrity-17@1.0.0` states an integrity of 17 entries (the signed
///   sha512 first, another sha512 last, which ssri would also accept):
///   refused whole.
fn fail_closed_packages(b: &mut Builder) {
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let provenance = |b: &Builder, name: &str, version: &str| {
        let statement = kit::github_provenance(
            name,
            version,
            &Builder::sha512_of(name, version),
            "acme/widget",
            ".github/workflows/release.yml",
            commit,
        );
        let identity = Identity::github(
            "acme/widget",
            ".github/workflows/release.yml",
            commit,
            "refs/heads/main",
        );
        (SLSA_V1, b.kit.keyless_bundle(&statement, &identity, &Faults::default()))
    };
    let withheld = provenance(b, "withheld-attestations", "1.0.0");
    b.add(
        "withheld-attestations",
        "1.0.0",
        1_717_243_200,
        "Attestations listed, not served",
        Some(withheld),
    );
    b.attestations.remove("withheld-attestations@1.0.0");
    let day = |iso: &str| npm_provenance_core::time::parse_rfc3339(iso).expect("a time");
    b.add(
        "expired-key",
        "0.9.0",
        day("2023-12-01T00:00:00Z"),
        "Signed by a key before it expired",
        None,
    );
    b.add(
        "expired-key",
        "1.0.0",
        day("2024-02-01T00:00:00Z"),
        "Signed by a key after it expired",
        None,
    );
    let signed = provenance(b, "integrity-17", "1.0.0");
    b.add(
        "integrity-17",
        "1.0.0",
        1_717_243_200,
        "An integrity of 17 entries",
        Some(signed),
    );
    let doc = &mut b.packuments.get_mut("integrity-17").expect("added")["versions"]["1.0.0"];
    let served = doc["dist"]["integrity"].as_str().expect("an integrity").to_string();
    let other = format!("sha512-B{}==", "A".repeat(85));
    let integrity = format!("{served} {} {other}", vec!["x"; 15].join(" "));
    doc["dist"]["signatures"] = json!([b.kit.registry_signature("integrity-17", "1.0.0", &integrity)]);
    doc["dist"]["integrity"] = json!(integrity);
}

/// The packages of the trust levels and the downgrade rules: each version,
/// the level it must show and the downgrade it must (or must not) report,
/// served at `/-/test/trust.json` for the tests that assert them.
fn trust_packages(b: &mut Builder) -> Value {
    use Publishing::*;
    let mut expected = Vec::new();
    // `keys`: whether the registry's keys are given (`--keys`, as for every
    // synthetic package): such a registry signs every version.
    let mut expected_with = |name: &str,
                             version: &str,
                             trust: Option<&str>,
                             downgrade: Option<&str>,
                             rule: &str,
                             keys: bool| {
        expected.push(
            json!({ "name": name, "version": version, "trust": trust, "downgrade": downgrade, "rule": rule, "keys": keys }),
        );
    };
    // One package per trust level.
    for (name, how, trust) in [
        ("trust-trusted-publisher", TrustedPublisher, "trusted-publisher"),
        ("trust-provenance", Provenance, "provenance"),
        ("trust-registry-signature", Token, "registry-signature"),
    ] {
        b.add_published(name, "1.0.0", 0, how);
        expected_with(name, "1.0.0", Some(trust), None, "level", true);
    }
    // Nothing signed: on a registry that signs every version (its keys are
    // given) the signature was stripped, a failure with no level (npm's
    // `audit signatures`: "missing"); on a registry without keys, "none".
    b.add_published("trust-none", "1.0.0", 0, Unsigned);
    expected_with("trust-none", "1.0.0", None, None, "stripped signature", true);
    expected_with(
        "trust-none",
        "1.0.0",
        Some("none"),
        None,
        "level (a registry without keys)",
        false,
    );
    let mut expect = |name: &str, version: &str, trust: &str, downgrade: Option<&str>, rule: &str| {
        expected_with(name, version, Some(trust), downgrade, rule, true);
    };
    // A downgrade: trusted publishing, then a token.
    b.add_published("downgrade-token", "1.0.0", 0, TrustedPublisher);
    b.add_published("downgrade-token", "1.1.0", 1, Token);
    expect(
        "downgrade-token",
        "1.1.0",
        "registry-signature",
        Some("1.0.0"),
        "downgrade",
    );
    // A downgrade that still verifies: trusted publishing, then provenance
    // published with a token (what a stolen token and a hijacked workflow give).
    b.add_published("downgrade-provenance", "1.0.0", 0, TrustedPublisher);
    b.add_published("downgrade-provenance", "1.1.0", 1, Provenance);
    expect(
        "downgrade-provenance",
        "1.1.0",
        "provenance",
        Some("1.0.0"),
        "downgrade",
    );
    // Release line: a backport to 1.x after 2.x moved to trusted publishing.
    b.add_published("downgrade-major", "1.0.0", 0, Provenance);
    b.add_published("downgrade-major", "2.0.0", 1, TrustedPublisher);
    b.add_published("downgrade-major", "1.0.1", 2, Provenance);
    expect("downgrade-major", "1.0.1", "provenance", None, "release line");
    // Pre-releases: a trusted pre-release does not bind the release.
    b.add_published("downgrade-prerelease", "2.0.0-beta.1", 0, TrustedPublisher);
    b.add_published("downgrade-prerelease", "2.0.0", 1, Provenance);
    expect("downgrade-prerelease", "2.0.0", "provenance", None, "pre-releases");
    // Deprecated: a disowned version sets no expectation.
    b.add_published("downgrade-deprecated", "1.0.0", 0, TrustedPublisher);
    b.add_published("downgrade-deprecated", "1.0.1", 1, Provenance);
    b.packuments.get_mut("downgrade-deprecated").expect("added")["versions"]["1.0.0"]["deprecated"] =
        json!("published by mistake");
    expect("downgrade-deprecated", "1.0.1", "provenance", None, "deprecated");
    // Unpublished: listed in `time` only.
    b.add_published("downgrade-unpublished", "1.0.0", 0, TrustedPublisher);
    b.add_published("downgrade-unpublished", "1.0.1", 1, Provenance);
    let p = b.packuments.get_mut("downgrade-unpublished").expect("added");
    p["versions"].as_object_mut().expect("versions").remove("1.0.0");
    p["time"]["unpublished"] = json!({ "time": rfc3339(1_700_000_000 + 86_400 / 2), "versions": ["1.0.0"] });
    expect("downgrade-unpublished", "1.0.1", "provenance", None, "unpublished");
    // Staged publishing: npm names the approver instead of the trusted publisher.
    b.add_published("downgrade-staged", "1.0.0", 0, TrustedPublisher);
    b.add_published("downgrade-staged", "1.0.1", 1, Staged);
    expect("downgrade-staged", "1.0.1", "provenance", None, "staged publishing");
    // What changed: a tag pushed through trusted publishing, then a manual
    // run from a branch on a self-hosted runner, by another workflow,
    // published with a token (what a hijacked workflow looks like).
    let tagged = Build {
        git_ref: "refs/tags/v1.0.0",
        ..Build::default()
    };
    b.add_built("changes-hijacked", "1.0.0", 0, TrustedPublisher, &tagged);
    let hijacked = Build {
        workflow: ".github/workflows/ci.yml",
        git_ref: "refs/heads/main",
        trigger: "workflow_dispatch",
        runner: "self-hosted",
    };
    b.add_built("changes-hijacked", "1.1.0", 1, Provenance, &hijacked);
    expect("changes-hijacked", "1.1.0", "provenance", Some("1.0.0"), "what changed");
    // The pull-request gate's cases (issue #29): an upgrade that keeps
    // trusted publishing, and one whose build moved to another workflow
    // file and trigger while keeping it (no downgrade: a change of build
    // identity only). The drop to a token is `downgrade-token`, the
    // backport pnpm refuses and this project does not `downgrade-major`.
    b.add_published("gate-kept", "1.0.0", 0, TrustedPublisher);
    b.add_published("gate-kept", "1.1.0", 1, TrustedPublisher);
    expect("gate-kept", "1.1.0", "trusted-publisher", None, "level");
    b.add_published("gate-workflow", "1.0.0", 0, TrustedPublisher);
    let moved = Build {
        workflow: ".github/workflows/publish-manual.yml",
        trigger: "workflow_dispatch",
        ..Build::default()
    };
    b.add_built("gate-workflow", "1.1.0", 1, TrustedPublisher, &moved);
    expect("gate-workflow", "1.1.0", "trusted-publisher", None, "what changed");
    // GitLab as it is: trusted publishing from gitlab.com; a self-managed
    // GitLab (its own issuer, its own host in every claim); a registry whose
    // trusted publisher (GitHub) contradicts the signed certificate (GitLab).
    b.add_gitlab("@acme/gitlab-trusted", "1.0.0", kit::GITLAB_ISSUER, Some("gitlab"));
    expect("@acme/gitlab-trusted", "1.0.0", "trusted-publisher", None, "level");
    b.add_gitlab(
        "gitlab-self-managed",
        "1.0.0",
        "https://gitlab.example.com",
        Some("gitlab"),
    );
    expect("gitlab-self-managed", "1.0.0", "trusted-publisher", None, "level");
    b.add_gitlab("gitlab-contradicted", "1.0.0", kit::GITLAB_ISSUER, Some("github"));
    expect("gitlab-contradicted", "1.0.0", "provenance", None, "level");
    json!({ "versions": expected })
}

struct Builder {
    kit: Sigstore,
    packuments: HashMap<String, Value>,
    attestations: HashMap<String, String>,
}

impl Builder {
    fn add(&mut self, name: &str, version: &str, time: i64, description: &str, provenance: Option<(&str, String)>) {
        let (integrity, sha512) = kit::integrity_of(format!("{name}@{version} tarball").as_bytes());
        let packument = self.packuments.entry(name.to_string()).or_insert_with(
            || json!({ "name": name, "description": description, "dist-tags": {}, "versions": {}, "time": {} }),
        );
        let mut dist = json!({ "integrity": integrity, "tarball": format!("{{base}}/{name}/-/x-{version}.tgz") });
        if let Some((predicate_type, bundle)) = provenance {
            let publish = self
                .kit
                .keyed_bundle(&kit::publish_statement(name, version, &sha512), &Faults::default());
            let response = kit::attestations_response(&[(predicate_type, &bundle), (NPM_PUBLISH, &publish)]);
            self.attestations.insert(format!("{name}@{version}"), response);
            dist["attestations"] = json!({ "url": format!("{{base}}/-/npm/v1/attestations/{name}@{version}"), "provenance": { "predicateType": predicate_type } });
        }
        dist["signatures"] = json!([self.kit.registry_signature(name, version, &integrity)]);
        packument["versions"][version] = json!({ "name": name, "version": version, "dist": dist });
        packument["time"][version] = json!(rfc3339(time));
        packument["dist-tags"]["latest"] = json!(version);
    }

    /// A version with GitHub Actions provenance from `acme/<name>`, built as
    /// `build` says (the certificate's claims and the
    /// predicate agree, as they do when a workflow really runs so).
    fn github_bundle_built(&self, name: &str, version: &str, build: &Build) -> String {
        let repo = format!("acme/{}", name.trim_start_matches('@').replace('/', "-"));
        let commit = "89abcdef0123456789abcdef0123456789abcdef";
        let statement = kit::github_provenance(
            name,
            version,
            &Builder::sha512_of(name, version),
            &repo,
            build.workflow,
            commit,
        );
        let mut identity = Identity::github(&repo, build.workflow, commit, build.git_ref);
        for (oid, value) in identity.claims.iter_mut() {
            match oid {
                11 => *value = build.runner.into(),
                20 => *value = build.trigger.into(),
                _ => {}
            }
        }
        self.kit.keyless_bundle(&statement, &identity, &Faults::default())
    }

    /// A version with npm's GitLab provenance from a job on `server`, and
    /// `_npmUser.trustedPublisher` naming `trusted_publisher`.
    fn add_gitlab(&mut self, name: &str, version: &str, server: &str, trusted_publisher: Option<&str>) {
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let project = "acme/widget";
        let statement = kit::gitlab_provenance_on(
            server,
            name,
            version,
            &Builder::sha512_of(name, version),
            project,
            commit,
        );
        let identity = Identity::gitlab_on(server, project, commit, "refs/tags/v1.0.0");
        let bundle = self.kit.keyless_bundle(&statement, &identity, &Faults::default());
        self.add(
            name,
            version,
            1_700_000_000,
            "Built on GitLab CI",
            Some((SLSA_V02, bundle)),
        );
        let doc = &mut self.packuments.get_mut(name).expect("added")["versions"][version];
        doc["_npmUser"] = match trusted_publisher {
            Some(id) => json!({ "name": "GitLab CI", "email": "npm-oidc-no-reply@gitlab.com",
                "trustedPublisher": { "id": id, "oidcConfigId": format!("oidc:{name}") } }),
            None => json!({ "name": "alice", "email": "alice@example.com" }),
        };
    }

    /// A version published the way `how` says (see [`Publishing`]).
    fn add_published(&mut self, name: &str, version: &str, day: i64, how: Publishing) {
        self.add_built(name, version, day, how, &Build::default());
    }

    fn add_built(&mut self, name: &str, version: &str, day: i64, how: Publishing, build: &Build) {
        let provenance = matches!(
            how,
            Publishing::TrustedPublisher | Publishing::Provenance | Publishing::Staged
        )
        .then(|| (SLSA_V1, self.github_bundle_built(name, version, build)));
        self.add(name, version, 1_700_000_000 + day * 86_400, "Trust signals", provenance);
        let packument = self.packuments.get_mut(name).expect("added");
        let doc = &mut packument["versions"][version];
        match how {
            Publishing::TrustedPublisher => {
                doc["_npmUser"] = json!({ "name": "GitHub Actions", "email": "npm-oidc-no-reply@github.com",
                    "trustedPublisher": { "id": "github", "oidcConfigId": format!("oidc:{name}") } });
            }
            Publishing::Staged => {
                doc["_npmUser"] = json!({ "name": "alice", "email": "alice@example.com",
                    "approver": { "name": "alice", "email": "alice@example.com" } });
            }
            Publishing::Provenance | Publishing::Token => {
                doc["_npmUser"] = json!({ "name": "alice", "email": "alice@example.com" });
            }
            Publishing::Unsigned => {
                doc["_npmUser"] = json!({ "name": "alice", "email": "alice@example.com" });
                doc["dist"].as_object_mut().expect("a dist").remove("signatures");
            }
        }
    }

    fn sha512_of(name: &str, version: &str) -> String {
        kit::integrity_of(format!("{name}@{version} tarball").as_bytes()).1
    }
}

/// Builds every synthetic package (a few hundred signatures; about a second).
pub fn build() -> Synthetic {
    let mut b = Builder {
        kit: Sigstore::new(),
        packuments: HashMap::new(),
        attestations: HashMap::new(),
    };
    let commit = "89abcdef0123456789abcdef0123456789abcdef";

    // A long history, every version with provenance from the same workflow.
    for i in 0..HISTORY_VERSIONS {
        let (name, version) = ("bench-history", format!("1.0.{i}"));
        let statement = kit::github_provenance(
            name,
            &version,
            &Builder::sha512_of(name, &version),
            "acme/history",
            ".github/workflows/release.yml",
            commit,
        );
        let identity = Identity::github(
            "acme/history",
            ".github/workflows/release.yml",
            commit,
            "refs/heads/main",
        );
        let bundle = b.kit.keyless_bundle(&statement, &identity, &Faults::default());
        b.add(
            name,
            &version,
            1_700_000_000 + i as i64 * 86_400,
            "A package with a long history",
            Some((SLSA_V1, bundle)),
        );
    }

    // GitLab CI.
    let (name, version) = ("@acme/gitlab-widget", "2.0.0");
    let statement = kit::gitlab_provenance(name, version, &Builder::sha512_of(name, version), "acme/widget", commit);
    let bundle = b.kit.keyless_bundle(
        &statement,
        &Identity::gitlab("acme/widget", commit, "refs/heads/main"),
        &Faults::default(),
    );
    b.add(
        name,
        version,
        1_717_243_200,
        "Built on GitLab CI",
        Some((SLSA_V02, bundle)),
    );

    // Rekor v2: a hashedrekord 0.0.2 entry with an Ed25519 checkpoint (and a
    // witness's line), no integrated time: the signed time is the RFC 3161
    // timestamp of the testkit's authority. What sigstore clients that follow
    // the signing config publish today.
    let (name, version) = ("@acme/rekor-v2", "1.0.0");
    let statement = kit::github_provenance(
        name,
        version,
        &Builder::sha512_of(name, version),
        "acme/rekor-v2",
        ".github/workflows/release.yml",
        commit,
    );
    let identity = Identity::github(
        "acme/rekor-v2",
        ".github/workflows/release.yml",
        commit,
        "refs/heads/main",
    );
    let shape = Shape {
        log: LogShape::RekorV2,
        ..Default::default()
    };
    let payload = serde_json::to_vec(&statement).expect("a statement serializes");
    let bundle = b
        .kit
        .keyless_bundle_with(&payload, &identity, &Faults::default(), &shape);
    b.add(
        name,
        version,
        1_717_243_200,
        "Logged in Rekor v2 with an RFC 3161 timestamp",
        Some((SLSA_V1, bundle)),
    );

    // Hostile content in every field the page shows, signed so that it verifies.
    let hostile_repo = format!("javascript:alert(1)//github.com/{}", "a".repeat(300));
    let hostile_file = "<script>alert(3)</script>\u{202e}lmy.yaw\u{202c}.yml";
    let hostile_commit = "<img src=x onerror=alert(6)>";
    let hostile_ref = "refs/heads/\u{202e}niam\u{1b}[31m\u{7}";
    let config = format!("{hostile_repo}/{hostile_file}@{hostile_ref}");
    let (name, version) = ("hostile-pkg", "1.0.0");
    let mut statement = kit::github_provenance(
        name,
        version,
        &Builder::sha512_of(name, version),
        "x/y",
        hostile_file,
        hostile_commit,
    );
    statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"] = json!(hostile_repo);
    statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["ref"] = json!(hostile_ref);
    statement["predicate"]["buildDefinition"]["resolvedDependencies"][0]["uri"] =
        json!(format!("git+{hostile_repo}@{hostile_ref}"));
    statement["predicate"]["runDetails"]["metadata"]["invocationId"] =
        json!("data:text/html,<script>alert(4)</script>");
    statement["predicate"]["runDetails"]["builder"]["id"] = json!("https://github.com/x\" onmouseover=\"alert(7)");
    statement["predicate"]["extra"] =
        json!({ "<b>html</b>": "<iframe src=javascript:alert(8)>", "long": "z".repeat(20_000) });
    let identity = Identity {
        san: GeneralNameKind::Uri("https://github.com/x/y/.github/workflows/release.yml@refs/heads/main".into()),
        issuer: GITHUB_ISSUER.into(),
        claims: vec![
            (9, config.clone()),
            (11, "<marquee>self-hosted</marquee>".into()),
            (12, hostile_repo.clone()),
            (13, hostile_commit.into()),
            (14, hostile_ref.into()),
            (18, config),
            (20, "javascript:alert(9)".into()),
            (21, "data:text/html,<script>alert(4)</script>".into()),
            (22, "\u{202e}cilbup".into()),
        ],
    };
    let bundle = b.kit.keyless_bundle(&statement, &identity, &Faults::default());
    let description = format!(
        "<img src=x onerror=alert(10)><script>alert(11)</script>\u{202e}txet desrever \u{1b}[31m {} <a href=\"javascript:alert(12)\">click</a>",
        "long ".repeat(2000)
    );
    b.add(name, version, 1_717_243_200, &description, Some((SLSA_V1, bundle)));
    b.packuments.get_mut(name).unwrap()["dist-tags"]["<script>alert(13)</script>"] = json!("1.0.0");

    let trust = trust_packages(&mut b).to_string();
    fail_closed_packages(&mut b);

    // One version per outcome (the testkit's scenarios), for the tests that
    // assert how each outcome is shown.
    let scenarios = kit::scenarios::verdict_scenarios();
    let mut expectations = Vec::new();
    for (i, s) in scenarios.list.iter().enumerate() {
        let packument = b.packuments.entry(s.name.clone()).or_insert_with(|| {
            json!({ "name": s.name, "description": "One version per verification outcome", "dist-tags": { "latest": s.version }, "versions": {}, "time": {} })
        });
        let mut dist =
            json!({ "integrity": s.integrity, "tarball": format!("{{base}}/{}/-/x-{}.tgz", s.name, s.version) });
        dist["signatures"] = s
            .registry_signatures
            .iter()
            .map(|(keyid, sig)| json!({ "keyid": keyid, "sig": sig }))
            .collect();
        if let Some(body) = &s.attestations {
            let spec = format!("{}@{}", s.name, s.version);
            dist["attestations"] = json!({ "url": format!("{{base}}/-/npm/v1/attestations/{spec}"), "provenance": { "predicateType": SLSA_V1 } });
            b.attestations.insert(spec, body.clone());
        }
        packument["versions"][&s.version] = json!({ "name": s.name, "version": s.version, "dist": dist });
        packument["time"][&s.version] = json!(rfc3339(1_717_243_200 + i as i64 * 3600));
        expectations.push(json!({ "version": s.version, "what": s.what, "verdict": s.verdict, "provenanceVerifies": s.provenance_verifies }));
    }

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (trusted_root, keys_target) = (b.kit.trusted_root_json(), b.kit.registry_keys_tuf_target());
    let tuf_repo =
        |faults: kit::tuf::TufFaults| kit::tuf::repository(3, &trusted_root, &keys_target, now, &faults).files;
    let tuf = HashMap::from([
        ("tuf", tuf_repo(Default::default())),
        (
            "tuf-expired",
            tuf_repo(kit::tuf::TufFaults {
                expired_timestamp: true,
                ..Default::default()
            }),
        ),
        (
            // A newer timestamp than `tuf`'s, expired: a freeze for a
            // client that refreshed from `tuf` before.
            "tuf-frozen",
            tuf_repo(kit::tuf::TufFaults {
                expired_timestamp: true,
                versions: Some((21, 10)),
                ..Default::default()
            }),
        ),
        (
            "tuf-attack",
            tuf_repo(kit::tuf::TufFaults {
                timestamp_by_wrong_key: true,
                ..Default::default()
            }),
        ),
    ]);

    Synthetic {
        tuf,
        verdicts: json!({ "name": kit::scenarios::SCENARIO_PACKAGE, "versions": expectations }).to_string(),
        trust,
        trusted_root: b.kit.trusted_root_json(),
        keys: b.kit.registry_keys_document(None),
        keys_expiring: b.kit.registry_keys_document(Some(KEY_EXPIRY)),
        packuments: b.packuments,
        attestations: b.attestations,
        kit: b.kit,
        audit: std::sync::Mutex::new(HashMap::new()),
    }
}

/// `load-<n>`: one version, with (another package's) attestations.
pub fn load_packument(n: &str) -> Value {
    let name = format!("load-{n}");
    let (integrity, _) = kit::integrity_of(name.as_bytes());
    json!({
        "name": name,
        "dist-tags": { "latest": "1.0.0" },
        "versions": { "1.0.0": { "name": name, "version": "1.0.0", "dist": {
            "integrity": integrity,
            "attestations": { "url": format!("{{base}}/-/npm/v1/attestations/{name}@1.0.0"), "provenance": { "predicateType": SLSA_V1 } }
        } } },
        "time": { "1.0.0": "2024-06-01T12:00:00.000Z" }
    })
}

/// Versions in each `history-<n>` package.
pub const LONG_HISTORY_VERSIONS: usize = 5000;

/// `history-<n>`: a package with a long history (5,000 versions, each with
/// an integrity and listed attestations), as a long-lived package's
/// document is; its latest version's attestations are another package's.
pub fn history_packument(n: &str) -> Value {
    let name = format!("history-{n}");
    let mut versions = serde_json::Map::new();
    let mut time = serde_json::Map::new();
    for i in 0..LONG_HISTORY_VERSIONS {
        let version = format!("1.{}.{}", i / 100, i % 100);
        versions.insert(version.clone(), history_version(n, &version));
        time.insert(
            version,
            json!(format!(
                "2024-01-01T{:02}:{:02}:{:02}.000Z",
                i / 3600,
                (i / 60) % 60,
                i % 60
            )),
        );
    }
    json!({ "name": name, "dist-tags": { "latest": LONG_HISTORY_LATEST }, "versions": versions, "time": time })
}

/// The document of one version of `history-<n>` (any version: the
/// package document lists 5,000 of them).
pub fn history_version(n: &str, version: &str) -> Value {
    let name = format!("history-{n}");
    // Not the version's real digest: a history's size is what it is for.
    let integrity = format!("sha512-{}==", "A".repeat(86));
    json!({ "name": name, "version": version, "dist": {
        "integrity": integrity,
        "tarball": format!("{{base}}/{name}/-/{name}-{version}.tgz"),
        "attestations": { "url": format!("{{base}}/-/npm/v1/attestations/{name}@{version}"), "provenance": { "predicateType": SLSA_V1 } }
    } })
}

/// The latest version of every `history-<n>`.
pub const LONG_HISTORY_LATEST: &str = "1.49.99";
