//! `npm-provenance audit` against the test registry's synthetic packages
//! (signed by the testkit's own Sigstore): a mixed tree of verified, failed,
//! missing, tampered-lockfile and non-registry entries; exit statuses; the
//! JSON; the cache between runs; a registry that refuses every second
//! request.

mod common;
use common::{BIN, json_of, registry, tls};

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

struct Setup {
    registry: test_registry::Running,
    dir: PathBuf,
}

impl Setup {
    fn new(test: &str) -> Self {
        let registry = registry();
        let dir = std::env::temp_dir().join(format!("np-audit-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let setup = Self { registry, dir };
        setup.write("trusted-root.json", &setup.get("/-/test/trusted-root.json"));
        setup.write("keys.json", &setup.get("/-/test/keys.json"));
        setup
    }

    fn get(&self, path: &str) -> String {
        tls();
        let url = format!("{}{path}", self.registry.url(""));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
    }

    fn write(&self, name: &str, content: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    /// Runs `audit LOCKFILE` against `scenario` with the testkit's trust.
    fn audit(&self, lockfile: &str, scenario: &str, extra: &[&str]) -> Output {
        let (root, keys) = (self.dir.join("trusted-root.json"), self.dir.join("keys.json"));
        let registry = self.registry.url(scenario);
        let mut args = vec![
            "audit",
            lockfile,
            "--registry",
            &registry,
            "--trusted-root",
            root.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        Command::new(BIN).args(&args).output().unwrap()
    }

    /// The integrity the registry states for a synthetic version.
    fn integrity(&self, name: &str, version: &str) -> String {
        let doc: Value = serde_json::from_str(&self.get(&format!("/synthetic/{name}/{version}"))).unwrap();
        doc["dist"]["integrity"].as_str().unwrap().to_string()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A package-lock.json (v3) whose project depends on `packages` (name,
/// version, integrity) and on a local folder and a git repository.
fn lockfile(packages: &[(&str, &str, &str)]) -> String {
    let mut entries = serde_json::Map::new();
    let mut deps = serde_json::Map::new();
    for (name, version, integrity) in packages {
        deps.insert(name.to_string(), json!(version));
        entries.insert(
            format!("node_modules/{name}"),
            json!({ "version": version, "resolved": format!("https://registry.example/{name}/-/{name}-{version}.tgz"), "integrity": integrity }),
        );
    }
    deps.insert("local-thing".into(), json!("file:../local-thing"));
    deps.insert("from-git".into(), json!("github:acme/from-git"));
    entries.insert(
        "".into(),
        json!({ "name": "project", "version": "1.0.0", "dependencies": deps }),
    );
    entries.insert(
        "node_modules/local-thing".into(),
        json!({ "resolved": "../local-thing", "link": true }),
    );
    entries.insert(
        "node_modules/from-git".into(),
        json!({ "version": "1.0.0", "resolved": "git+ssh://git@github.com/acme/from-git.git#0123456789abcdef0123456789abcdef01234567" }),
    );
    serde_json::to_string_pretty(
        &json!({ "name": "project", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": entries }),
    )
    .unwrap()
}

fn verdict_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the audit"))
}

/// A mixed tree: two verified packages, one whose lockfile pins other
/// bytes, a version with failing provenance, one without provenance, one the
/// registry does not have, and two dependencies not from the registry.
#[test]
fn a_mixed_tree_is_audited_with_a_verdict_and_reason_for_each() {
    let s = Setup::new("mixed");
    let verdicts: Value = serde_json::from_str(&s.get("/-/test/verdicts.json")).unwrap();
    let scenario = |verdict: &str| {
        verdicts["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["verdict"] == verdict)
            .unwrap()["version"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (failed, none) = (scenario("failed"), scenario("no_provenance"));
    let (a0, a1, a2) = (
        s.integrity("audit-0", "1.0.0"),
        s.integrity("audit-1", "1.0.0"),
        s.integrity("audit-2", "1.0.0"),
    );
    let _ = a2;
    let failed_integrity = s.integrity("verdicts", &failed);
    let none_integrity = s.integrity("verdicts", &none);
    // verdicts@<failed> and verdicts@<none> are one name with two versions:
    // npm would nest one of them.
    let lock = lockfile(&[
        ("audit-0", "1.0.0", &a0),
        ("audit-1", "1.0.0", &a1),
        // The lockfile pins audit-0's bytes for audit-2.
        ("audit-2", "1.0.0", &a0),
        ("verdicts", &failed, &failed_integrity),
        ("no-such-package-anywhere", "1.0.0", "sha512-AAAA"),
    ]);
    let mut lock: Value = serde_json::from_str(&lock).unwrap();
    lock["packages"]["node_modules/audit-1/node_modules/verdicts"] = json!({ "version": none, "resolved": format!("https://registry.example/verdicts/-/verdicts-{none}.tgz"), "integrity": none_integrity });
    lock["packages"]["node_modules/audit-1"]["dependencies"] = json!({ "verdicts": none });
    let path = s.write("package-lock.json", &lock.to_string());

    let output = s.audit(&path, "synthetic", &["--json", "--no-cache"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_of(&output);
    let summary = &report["summary"];
    assert_eq!(summary["total"], 6, "{summary}");
    assert_eq!(summary["verified"], 2, "{summary}");
    assert_eq!(summary["failed"], 2, "{summary}");
    assert_eq!(summary["none"], 1, "{summary}");
    assert_eq!(summary["error"], 1, "{summary}");
    assert_eq!(summary["not_from_registry"], 2, "{summary}");
    let audit0 = verdict_of(&report, "audit-0");
    assert_eq!(audit0["verdict"], "verified");
    assert_eq!(audit0["repository"], "github.com/acme/audit-0");
    assert_eq!(audit0["platform"], "GitHub Actions");
    let tampered = verdict_of(&report, "audit-2");
    assert_eq!(tampered["verdict"], "failed");
    assert_eq!(tampered["failed_check"], "lockfile_integrity");
    assert!(
        tampered["reason"].as_str().unwrap().contains("pins other bytes"),
        "{tampered}"
    );
    let missing = verdict_of(&report, "no-such-package-anywhere");
    assert_eq!(missing["verdict"], "error");
    assert!(
        missing["reason"].as_str().unwrap().contains("no version 1.0.0"),
        "{missing}"
    );
    let nested: Vec<&Value> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "verdicts")
        .collect();
    assert_eq!(nested.len(), 2);
    assert!(
        nested
            .iter()
            .any(|p| p["verdict"] == "none" && p["via"] == json!(["audit-1"]))
    );
    assert!(
        nested
            .iter()
            .any(|p| p["verdict"] == "failed" && p["reason"].as_str().is_some())
    );
    // Failures first.
    assert_eq!(report["packages"][0]["verdict"], "failed");

    // The human form says the same.
    let text = s.audit(&path, "synthetic", &["--no-cache"]);
    assert_eq!(text.status.code(), Some(1));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("2 of 6 package versions have verified provenance (33%)"),
        "{out}"
    );
    assert!(out.contains("✗ audit-2@1.0.0 failed: Lockfile integrity"), "{out}");
    assert!(out.contains("not from the registry (not verified)"), "{out}");
}

/// Only verified packages: exit 0; `--require-provenance` with a package
/// without provenance: exit 1; an unusable lockfile: exit 2.
#[test]
fn exit_statuses_follow_the_policy() {
    let s = Setup::new("exit");
    let lock = s.get("/-/test/audit-lockfile.json?n=5");
    let path = s.write("package-lock.json", &lock);
    let output = s.audit(&path, "synthetic", &["--json", "--no-cache"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(json_of(&output)["summary"]["verified"], 5);
    assert_eq!(
        s.audit(&path, "synthetic", &["--require-provenance", "--no-cache"])
            .status
            .code(),
        Some(0)
    );

    let verdicts: Value = serde_json::from_str(&s.get("/-/test/verdicts.json")).unwrap();
    let none = verdicts["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["verdict"] == "no_provenance")
        .unwrap()["version"]
        .as_str()
        .unwrap()
        .to_string();
    let with_none = lockfile(&[("verdicts", &none, &s.integrity("verdicts", &none))]);
    let path = s.write("none.json", &with_none);
    assert_eq!(s.audit(&path, "synthetic", &["--no-cache"]).status.code(), Some(0));
    assert_eq!(
        s.audit(&path, "synthetic", &["--require-provenance", "--no-cache"])
            .status
            .code(),
        Some(1)
    );

    for (name, content) in [
        ("empty.json", ""),
        ("garbage.json", "{ not json"),
        ("other.json", r#"{"hello": 1}"#),
    ] {
        let path = s.write(name, content);
        let output = s.audit(&path, "synthetic", &[]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("npm-provenance audit:"),
            "{name}"
        );
    }
}

/// A second run asks the registry for nothing: every document of a pinned
/// version came from the cache directory. And a registry that refuses every
/// second request (503) is given room and retried until every package
/// version is verified.
#[test]
fn pinned_documents_are_cached_and_refusals_retried() {
    let s = Setup::new("cache");
    let path = s.write("package-lock.json", &s.get("/-/test/audit-lockfile.json?n=8"));
    let cache = s.dir.join("cache");
    let cache = cache.to_str().unwrap();
    let before = s.registry.requests();
    let first = s.audit(&path, "synthetic", &["--json", "--cache-dir", cache]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let fetched = s.registry.requests() - before;
    assert_eq!(fetched, 16, "a version document and attestations for each of 8");
    let second = s.audit(&path, "synthetic", &["--json", "--cache-dir", cache]);
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(s.registry.requests() - before, 16, "the second run fetched nothing");
    assert!(String::from_utf8_lossy(&second.stderr).contains("16 from the cache"));
    assert_eq!(json_of(&first)["summary"], json_of(&second)["summary"]);

    let flaky = s.audit(&path, "flaky", &["--json", "--no-cache"]);
    assert_eq!(
        flaky.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&flaky.stderr)
    );
    assert_eq!(json_of(&flaky)["summary"]["verified"], 8);
    assert!(
        String::from_utf8_lossy(&flaky.stderr).contains("16 retried"),
        "{}",
        String::from_utf8_lossy(&flaky.stderr)
    );
}
