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

/// One copy of a package version as a lockfile records it.
struct Copy {
    name: &'static str,
    version: &'static str,
    integrity: Option<String>,
    address: Option<String>,
}

/// A lockfile of these copies in `format` (npm v3, pnpm 9, yarn classic,
/// yarn berry, bun), each a direct dependency; a second copy of a name is
/// nested (npm, bun) or listed under another range (yarn classic).
fn lockfile_of(format: &str, copies: &[Copy]) -> (String, &'static str) {
    match format {
        "npm" => {
            let mut packages = serde_json::Map::new();
            let mut deps = serde_json::Map::new();
            let mut seen = std::collections::HashSet::new();
            for (i, c) in copies.iter().enumerate() {
                let mut entry = json!({ "version": c.version });
                if let Some(i) = &c.integrity {
                    entry["integrity"] = json!(i);
                }
                if let Some(a) = &c.address {
                    entry["resolved"] = json!(a);
                }
                let path = if seen.insert(c.name) {
                    deps.insert(c.name.into(), json!(c.version));
                    format!("node_modules/{}", c.name)
                } else {
                    deps.insert(format!("holder-{i}"), json!("file:holder"));
                    format!("node_modules/holder-{i}/node_modules/{}", c.name)
                };
                packages.insert(path, entry);
            }
            packages.insert("".into(), json!({ "name": "p", "dependencies": deps }));
            (
                json!({ "lockfileVersion": 3, "packages": packages }).to_string(),
                "package-lock.json",
            )
        }
        "pnpm" => {
            let mut text = String::from("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n");
            for c in copies {
                text.push_str(&format!(
                    "      {}:\n        specifier: {}\n        version: {}\n",
                    c.name, c.version, c.version
                ));
            }
            text.push_str("packages:\n");
            for c in copies {
                let mut resolution = Vec::new();
                if let Some(i) = &c.integrity {
                    resolution.push(format!("integrity: '{i}'"));
                }
                if let Some(a) = &c.address {
                    resolution.push(format!("tarball: '{a}'"));
                }
                text.push_str(&format!(
                    "  {}@{}:\n    resolution: {{{}}}\n",
                    c.name,
                    c.version,
                    resolution.join(", ")
                ));
            }
            text.push_str("snapshots:\n");
            for c in copies {
                text.push_str(&format!("  {}@{}: {{}}\n", c.name, c.version));
            }
            (text, "pnpm-lock.yaml")
        }
        "yarn classic" => {
            let mut text = String::from("# yarn lockfile v1\n\n");
            for (i, c) in copies.iter().enumerate() {
                text.push_str(&format!(
                    "{}@^{}-{i}:\n  version \"{}\"\n",
                    c.name, c.version, c.version
                ));
                if let Some(a) = &c.address {
                    text.push_str(&format!("  resolved \"{a}\"\n"));
                }
                if let Some(i) = &c.integrity {
                    // Quoted: an integrity of several entries has spaces.
                    text.push_str(&format!("  integrity \"{i}\"\n"));
                }
                text.push('\n');
            }
            (text, "yarn.lock")
        }
        "yarn berry" => {
            let mut text = String::from("__metadata:\n  version: 8\n\n");
            for c in copies {
                let archive = c
                    .address
                    .as_deref()
                    .map(|a| format!("::__archiveUrl={}", npm_provenance_core::percent::encode_url_text(a)))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "\"{}@npm:^{}\":\n  version: {}\n  resolution: \"{}@npm:{}{archive}\"\n  checksum: 10c0/00\n  languageName: node\n  linkType: hard\n\n",
                    c.name, c.version, c.version, c.name, c.version
                ));
            }
            (text, "yarn.lock")
        }
        "bun" => {
            let mut packages = Vec::new();
            let mut deps = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (i, c) in copies.iter().enumerate() {
                let entry = json!([
                    format!("{}@{}", c.name, c.version),
                    c.address.clone().unwrap_or_default(),
                    {},
                    c.integrity.clone().unwrap_or_default()
                ]);
                let key = if seen.insert(c.name) {
                    deps.push(format!("{}: {}", json!(c.name), json!(c.version)));
                    c.name.to_string()
                } else {
                    // Nested in a folder dependency of its own, as Bun keys a copy.
                    let holder = format!("holder-{i}");
                    deps.push(format!("{}: \"file:{holder}\"", json!(holder)));
                    packages.push(format!(
                        "{}: {}",
                        json!(holder),
                        json!([format!("{holder}@file:{holder}"), { "dependencies": { c.name: c.version } }])
                    ));
                    format!("{holder}/{}", c.name)
                };
                packages.push(format!("{}: {entry}", json!(key)));
            }
            // As Bun writes it: a comma after every last member.
            let text = format!(
                "{{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {{\n    \"\": {{\n      \"name\": \"p\",\n      \"dependencies\": {{\n{}      }},\n    }},\n  }},\n  \"packages\": {{\n{}  }}\n}}\n",
                deps.iter().map(|d| format!("        {d},\n")).collect::<String>(),
                packages.iter().map(|p| format!("    {p},\n\n")).collect::<String>()
            );
            (text, "bun.lock")
        }
        other => panic!("{other}"),
    }
}

/// The audit fails closed in every lockfile format: an integrity with more
/// entries than are read, one longer than an SRI string, two copies of one
/// version with different integrities, and a copy that no integrity binds at
/// an address off the audited registry (a tarball dependency, which
/// `--require-provenance` refuses); a lockfile whose every entry is left out
/// is unusable input, and an entry left out fails the audit.
#[test]
fn the_audit_fails_closed_in_every_lockfile_format() {
    let s = Setup::new("closed");
    let base = s.registry.url("synthetic");
    let ok = s.integrity("audit-0", "1.0.0");
    let served = s.integrity("audit-1", "1.0.0");
    let copy = |name, version, integrity: Option<String>, address: Option<String>| Copy {
        name,
        version,
        integrity,
        address,
    };
    let on_host = |name: &str| format!("{base}/{name}/-/{name}-1.0.0.tgz");
    let off_host = |name: &str| format!("https://evil.example/{name}/-/{name}-1.0.0.tgz");
    let other = format!("sha512-B{}==", "A".repeat(85));
    let many = format!("{served} {} {other}", vec!["x"; 15].join(" "));
    for format in ["npm", "pnpm", "yarn classic", "yarn berry", "bun"] {
        let mut copies = vec![copy("audit-0", "1.0.0", Some(ok.clone()), Some(on_host("audit-0")))];
        if format != "yarn berry" {
            // Berry records no integrity: these cases are npm's, pnpm's, yarn 1's and Bun's.
            copies.push(copy("audit-1", "1.0.0", Some(many.clone()), Some(on_host("audit-1"))));
            copies.push(copy(
                "audit-2",
                "1.0.0",
                Some(format!("sha512-{}", "A".repeat(1100))),
                None,
            ));
        }
        copies.push(copy("audit-3", "1.0.0", None, Some(off_host("audit-3"))));
        if matches!(format, "npm" | "yarn classic" | "bun") {
            let first = s.integrity("audit-4", "1.0.0");
            copies.push(copy("audit-4", "1.0.0", Some(first), Some(on_host("audit-4"))));
            copies.push(copy("audit-4", "1.0.0", Some(other.clone()), Some(on_host("audit-4"))));
        }
        let (text, file) = lockfile_of(format, &copies);
        let dir = s.dir.join(format.replace(' ', "-"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(file);
        std::fs::write(&path, &text).unwrap();
        let path = path.display().to_string();
        let output = s.audit(&path, "synthetic", &["--json", "--no-cache"]);
        let report = json_of(&output);
        // Berry's cases (no integrity) fail nothing: the unbound copy is a
        // tarball, which only --require-provenance refuses (below).
        let expected = if format == "yarn berry" { 0 } else { 1 };
        assert_eq!(output.status.code(), Some(expected), "{format}: {report}");
        assert_eq!(verdict_of(&report, "audit-0")["verdict"], "verified", "{format}");
        if format != "yarn berry" {
            for (name, says) in [
                ("audit-1", "lists 17 entries; more than 16 are refused"),
                ("audit-2", "longer than 1024 characters"),
            ] {
                let row = verdict_of(&report, name);
                assert_eq!(
                    (row["verdict"].as_str(), row["failed_check"].as_str()),
                    (Some("failed"), Some("lockfile_integrity")),
                    "{format} {name}: {row}"
                );
                assert!(row["reason"].as_str().unwrap().contains(says), "{format} {name}: {row}");
            }
        }
        if matches!(format, "npm" | "yarn classic" | "bun") {
            let row = verdict_of(&report, "audit-4");
            assert_eq!(
                (row["verdict"].as_str(), row["failed_check"].as_str()),
                (Some("failed"), Some("lockfile_integrity")),
                "{format}: {row}"
            );
            assert_eq!(row["integrities"].as_array().map(Vec::len), Some(2), "{format}: {row}");
        }
        // The unbound copy off the registry: listed as a tarball, not audited.
        assert!(
            report["packages"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["name"] != "audit-3"),
            "{format}: {report}"
        );
        let tarball = report["not_from_registry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "audit-3")
            .unwrap_or_else(|| panic!("{format}: {report}"));
        assert_eq!(
            (tarball["kind"].as_str(), tarball["source"].as_str()),
            (Some("Tarball"), Some(off_host("audit-3").as_str())),
            "{format}"
        );
        assert_eq!(report["summary"]["unverifiable"], 1, "{format}");
    }
    // Only verified packages and an unbound tarball: passes, unless
    // provenance is required of everything it installs.
    let (text, _) = lockfile_of(
        "npm",
        &[
            copy("audit-0", "1.0.0", Some(ok.clone()), Some(on_host("audit-0"))),
            copy("audit-3", "1.0.0", None, Some(off_host("audit-3"))),
        ],
    );
    let path = s.write("unbound.json", &text);
    let plain = s.audit(&path, "synthetic", &["--no-cache"]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let strict = s.audit(&path, "synthetic", &["--no-cache", "--require-provenance"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&strict.stderr).contains(
            "--require-provenance: 1 dependencies come from a repository or a tarball address nothing verifies"
        ),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    // A lockfile with nothing the audit can read: unusable input, with or
    // without --require-provenance.
    let nothing = s.write(
        "nothing.json",
        &json!({ "lockfileVersion": 3, "packages": { "": { "name": "p" }, "node_modules/x": { "version": "not-semver" } } }).to_string(),
    );
    for extra in [&[][..], &["--require-provenance"][..]] {
        let out = s.audit(&nothing, "synthetic", extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no registry package version could be read"));
    }
    // An entry left out fails an audit whose packages all verify.
    let (text, _) = lockfile_of("npm", &[copy("audit-0", "1.0.0", Some(ok), Some(on_host("audit-0")))]);
    let mut lock: Value = serde_json::from_str(&text).unwrap();
    lock["packages"]["node_modules/bad"] = json!({ "version": "not-semver" });
    let path = s.write("left-out.json", &lock.to_string());
    let out = s.audit(&path, "synthetic", &["--json", "--no-cache"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["summary"]["problems"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 lockfile entries were left out"));
}
