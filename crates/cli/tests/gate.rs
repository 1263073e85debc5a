//! The pull-request gate (`audit LOCKFILE --base REF_OR_FILE`), as a CI job
//! runs it: a git repository made here with a base commit and a head
//! commit of a lockfile of test-registry packages (an upgrade that keeps
//! trusted publishing, one that drops to a token, one whose workflow
//! changed, a new dependency, an unchanged one), each output format, each
//! `--fail-on`, each policy file's shape, and every lockfile format.

mod common;
use common::{BIN, registry, tls};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// What the base installs, and what the head installs instead.
const BASE: &[(&str, &str)] = &[
    ("downgrade-token", "1.0.0"),
    ("gate-kept", "1.0.0"),
    ("gate-workflow", "1.0.0"),
    ("trust-trusted-publisher", "1.0.0"),
];
const HEAD: &[(&str, &str)] = &[
    ("downgrade-token", "1.1.0"),
    ("gate-kept", "1.1.0"),
    ("gate-workflow", "1.1.0"),
    ("trust-provenance", "1.0.0"),
    ("trust-trusted-publisher", "1.0.0"),
];

/// When the synthetic packages were published: day 0 and day 1 after this.
const DAY_ZERO: i64 = 1_700_000_000;

struct Setup {
    registry: test_registry::Running,
    /// Holds `repo/` (the project) and the trust material beside it.
    dir: PathBuf,
}

impl Setup {
    fn new(test: &str) -> Self {
        let registry = registry();
        let dir = std::env::temp_dir().join(format!("np-gate-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("repo")).unwrap();
        let s = Self { registry, dir };
        for name in ["trusted-root.json", "keys.json"] {
            std::fs::write(s.dir.join(name), s.get(&format!("/-/test/{name}"))).unwrap();
        }
        s.git(&["init", "--quiet", "--initial-branch=main"]);
        s
    }

    fn repo(&self) -> PathBuf {
        self.dir.join("repo")
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

    fn integrity(&self, name: &str, version: &str) -> String {
        let doc: Value = serde_json::from_str(&self.get(&format!("/synthetic/{name}/{version}"))).unwrap();
        doc["dist"]["integrity"].as_str().unwrap().to_string()
    }

    fn tarball(&self, name: &str, version: &str) -> String {
        format!("{}/{name}/-/{name}-{version}.tgz", self.registry.url("synthetic"))
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.repo())
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.repo().join(file), text).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
    }

    /// A base commit and a head commit of `file`, written by `format`.
    fn base_and_head(&self, file: &str, format: fn(&Setup, &[(&str, &str)]) -> String, head: &[(&str, &str)]) {
        self.write(file, &format(self, BASE));
        self.commit("base");
        self.write(file, &format(self, head));
        self.commit("head");
    }

    fn audit(&self, file: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut command = Command::new(BIN);
        command
            .current_dir(self.repo())
            .args(["audit", file, "--no-cache", "--registry"])
            .arg(self.registry.url("synthetic"))
            .arg("--trusted-root")
            .arg(self.dir.join("trusted-root.json"))
            .arg("--keys")
            .arg(self.dir.join("keys.json"))
            .args(args)
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_STEP_SUMMARY");
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().unwrap()
    }

    fn json(&self, file: &str, args: &[&str]) -> (Option<i32>, Value) {
        let mut all = vec!["--format", "json"];
        if !args.contains(&"--base") {
            all.extend(["--base", "HEAD~1"]);
        }
        all.extend_from_slice(args);
        let out = self.audit(file, &all, &[]);
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), report)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn npm_lock(s: &Setup, packages: &[(&str, &str)]) -> String {
    let mut entries = serde_json::Map::new();
    let deps: serde_json::Map<String, Value> = packages.iter().map(|(n, v)| (n.to_string(), json!(v))).collect();
    entries.insert(
        "".into(),
        json!({ "name": "project", "version": "1.0.0", "dependencies": deps }),
    );
    for (name, version) in packages {
        entries.insert(
            format!("node_modules/{name}"),
            json!({ "version": version, "resolved": s.tarball(name, version), "integrity": s.integrity(name, version) }),
        );
    }
    serde_json::to_string_pretty(
        &json!({ "name": "project", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": entries }),
    )
    .unwrap()
}

fn pnpm_lock(s: &Setup, packages: &[(&str, &str)]) -> String {
    let mut out = String::from("lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n");
    for (name, version) in packages {
        out.push_str(&format!(
            "      {name}:\n        specifier: {version}\n        version: {version}\n"
        ));
    }
    out.push_str("\npackages:\n\n");
    for (name, version) in packages {
        out.push_str(&format!(
            "  {name}@{version}:\n    resolution: {{integrity: {}}}\n\n",
            s.integrity(name, version)
        ));
    }
    out.push_str("snapshots:\n\n");
    for (name, version) in packages {
        out.push_str(&format!("  {name}@{version}: {{}}\n\n"));
    }
    out
}

fn yarn_classic_lock(s: &Setup, packages: &[(&str, &str)]) -> String {
    let mut out =
        String::from("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n");
    for (name, version) in packages {
        out.push_str(&format!(
            "\n{name}@{version}:\n  version \"{version}\"\n  resolved \"{}\"\n  integrity {}\n",
            s.tarball(name, version),
            s.integrity(name, version)
        ));
    }
    out
}

fn yarn_berry_lock(_: &Setup, packages: &[(&str, &str)]) -> String {
    let mut out = String::from("__metadata:\n  version: 8\n  cacheKey: 10c0\n\n");
    out.push_str("\"project@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"project@workspace:.\"\n  dependencies:\n");
    for (name, version) in packages {
        out.push_str(&format!("    {name}: \"npm:{version}\"\n"));
    }
    out.push_str("  languageName: unknown\n  linkType: soft\n");
    for (name, version) in packages {
        out.push_str(&format!(
            "\n\"{name}@npm:{version}\":\n  version: {version}\n  resolution: \"{name}@npm:{version}\"\n  checksum: 10c0/00\n  languageName: node\n  linkType: hard\n"
        ));
    }
    out
}

/// The findings as `rule name@version` (failing ones marked `!`).
fn findings(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}{} {}@{}",
                if f["fails"] == true { "!" } else { "" },
                f["rule"].as_str().unwrap(),
                f["name"].as_str().unwrap(),
                f["version"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The line of `needle` in `text` (1-based).
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
}

#[test]
fn the_gate_checks_what_changed_and_fetches_nothing_else() {
    let s = Setup::new("changed");
    s.base_and_head("package-lock.json", npm_lock, HEAD);
    let before = s.registry.paths().len();
    let (code, report) = s.json("package-lock.json", &[]);
    assert_eq!(code, Some(1), "{report:#}");
    let summary = &report["summary"];
    assert_eq!(
        (
            &summary["checked"],
            &summary["added"],
            &summary["upgraded"],
            &summary["unchanged"]
        ),
        (&json!(4), &json!(1), &json!(3), &json!(1))
    );
    assert_eq!(
        findings(&report),
        set(&[
            "!downgrade downgrade-token@1.1.0",
            "provenance-change gate-workflow@1.1.0",
            "unverified downgrade-token@1.1.0",
        ])
    );
    assert!(report["failed_rule"].as_str().unwrap().contains("trust downgrade"));
    let workflow = report["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "gate-workflow")
        .unwrap();
    let changed: BTreeSet<&str> = workflow["build_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert_eq!(changed, BTreeSet::from(["workflow file", "trigger"]));
    assert_eq!(workflow["base_version"], "1.0.0");
    assert_eq!(workflow["base_trust"], "trusted-publisher");
    // The unchanged version was never asked for; the new one and the three
    // upgraded ones (and the base versions these replace) were.
    let asked = s.registry.paths()[before..].to_vec();
    assert!(
        !asked.iter().any(|p| p.contains("trust-trusted-publisher")),
        "{asked:#?}"
    );
    for wanted in [
        "/synthetic/-/npm/v1/attestations/gate-kept@1.1.0",
        "/synthetic/-/npm/v1/attestations/gate-kept@1.0.0",
        "/synthetic/trust-provenance",
    ] {
        assert!(asked.iter().any(|p| p == wanted), "{wanted} not asked: {asked:#?}");
    }
}

#[test]
fn each_fail_on_decides_the_exit_status() {
    let s = Setup::new("fail-on");
    s.base_and_head("package-lock.json", npm_lock, HEAD);
    for (fail_on, code, failing) in [
        ("downgrade", 1, vec!["downgrade"]),
        ("provenance-change", 1, vec!["provenance-change"]),
        ("unverified", 1, vec!["unverified"]),
        ("any", 1, vec!["downgrade", "provenance-change", "unverified"]),
    ] {
        let (got, report) = s.json("package-lock.json", &["--fail-on", fail_on]);
        assert_eq!(got, Some(code), "--fail-on {fail_on}");
        let rules: BTreeSet<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["fails"] == true)
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, failing.into_iter().collect(), "--fail-on {fail_on}");
    }
    // A change that keeps trusted publishing passes everything.
    let s = Setup::new("fail-on-clean");
    let kept: Vec<(&str, &str)> = BASE
        .iter()
        .map(|&(n, v)| if n == "gate-kept" { (n, "1.1.0") } else { (n, v) })
        .collect();
    s.base_and_head("package-lock.json", npm_lock, &kept);
    let (code, report) = s.json("package-lock.json", &["--fail-on", "any"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["summary"]["checked"], 1);
    assert!(findings(&report).is_empty());
    assert_eq!(report["failed_rule"], Value::Null);
    let out = s.audit(
        "package-lock.json",
        &["--base", "HEAD~1", "--fail-on", "downgrades"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "an unknown --fail-on is unusable");
}

#[test]
fn github_format_annotates_the_lockfile_lines_and_writes_the_summary_and_outputs() {
    let s = Setup::new("github");
    s.base_and_head("package-lock.json", npm_lock, HEAD);
    let (summary, outputs) = (s.dir.join("summary.md"), s.dir.join("outputs.txt"));
    std::fs::write(&outputs, "earlier=kept\n").unwrap();
    let out = s.audit(
        "package-lock.json",
        &["--base", "HEAD~1", "--format", "github", "--fail-on", "any"],
        &[("GITHUB_STEP_SUMMARY", &summary), ("GITHUB_OUTPUT", &outputs)],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let head = std::fs::read_to_string(s.repo().join("package-lock.json")).unwrap();
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 3, "{stdout}");
    for (name, title) in [
        ("downgrade-token", "Trust downgrade"),
        ("gate-workflow", "Build identity changed"),
        ("downgrade-token", "No verified provenance"),
    ] {
        let line = line_of(&head, &format!("\"node_modules/{name}\""));
        let want = format!("::error file=package-lock.json,line={line},title={title}%3A {name}@1.1.0::");
        assert!(annotations.iter().any(|a| a.starts_with(&want)), "{want}\n{stdout}");
    }
    let markdown = std::fs::read_to_string(&summary).unwrap();
    let rows = markdown.lines().filter(|l| l.starts_with("| ❌")).count();
    assert_eq!(rows, 3, "one row per finding:\n{markdown}");
    assert!(markdown.starts_with("### npm provenance: failed"));
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap(),
        "earlier=kept\nresult=failed\nfindings=3\nfailing=3\nchecked=4\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not passed: 1 × trust downgrade"));
}

#[test]
fn sarif_validates_against_the_2_1_0_schema_and_gitlab_reports_code_quality() {
    let s = Setup::new("sarif");
    s.base_and_head("package-lock.json", npm_lock, HEAD);
    let out = s.audit("package-lock.json", &["--base", "HEAD~1", "--format", "sarif"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/sarif/sarif-2.1.0-rtm.5.json")).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("sarif-2.1.0.json", schema).unwrap();
    let index = compiler.compile("sarif-2.1.0.json", &mut schemas).unwrap();
    if let Err(e) = schemas.validate(&sarif, index) {
        panic!("{e:#}\n{sarif:#}");
    }
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let head = std::fs::read_to_string(s.repo().join("package-lock.json")).unwrap();
    let downgrade = results.iter().find(|r| r["ruleId"] == "downgrade").unwrap();
    assert_eq!(downgrade["level"], "error");
    assert_eq!(
        downgrade["locations"][0]["physicalLocation"]["region"]["startLine"],
        line_of(&head, "\"node_modules/downgrade-token\"")
    );
    // A document that breaks the schema is refused by the same check.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(schemas.validate(&broken, index).is_err());

    let out = s.audit("package-lock.json", &["--base", "HEAD~1", "--format", "gitlab"], &[]);
    let quality: Value = serde_json::from_slice(&out.stdout).unwrap();
    let quality = quality.as_array().unwrap();
    assert_eq!(quality.len(), 3);
    for issue in quality {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[field].is_string(), "{field}: {issue:#}");
        }
        assert_eq!(issue["location"]["path"], "package-lock.json");
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() > 1);
    }
    let severities: BTreeSet<&str> = quality.iter().map(|i| i["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, BTreeSet::from(["critical", "minor"]));
}

#[test]
fn every_lockfile_format_is_gated_alike() {
    let want = set(&[
        "!downgrade downgrade-token@1.1.0",
        "provenance-change gate-workflow@1.1.0",
        "unverified downgrade-token@1.1.0",
    ]);
    for (file, format) in [
        ("pnpm-lock.yaml", pnpm_lock as fn(&Setup, &[(&str, &str)]) -> String),
        ("yarn.lock", yarn_classic_lock),
        ("yarn.lock", yarn_berry_lock),
    ] {
        let s = Setup::new(&format!("format-{}", file.replace('.', "-")));
        s.base_and_head(file, format, HEAD);
        let (code, report) = s.json(file, &[]);
        assert_eq!(code, Some(1), "{file}: {report:#}");
        assert_eq!(findings(&report), want, "{file}");
        assert_eq!(report["summary"]["unchanged"], 1, "{file}");
        for f in report["findings"].as_array().unwrap() {
            assert!(f["line"].as_u64().is_some(), "{file}: {f:#}");
        }
    }
}

#[test]
fn pnpm_policy_is_read_from_the_base_and_explained() {
    let s = Setup::new("pnpm-policy");
    // A maintenance release of an older major (pnpm refuses it, this
    // project does not) and a drop to a token (both refuse it).
    let base = [("downgrade-major", "1.0.0"), ("downgrade-token", "1.0.0")];
    let head = [("downgrade-major", "1.0.1"), ("downgrade-token", "1.1.0")];
    s.write("pnpm-workspace.yaml", "packages:\n  - '.'\ntrustPolicy: no-downgrade\n");
    s.write("pnpm-lock.yaml", &pnpm_lock(&s, &base));
    s.commit("base");
    s.write("pnpm-lock.yaml", &pnpm_lock(&s, &head));
    s.commit("head");
    let (code, report) = s.json("pnpm-lock.yaml", &["--fail-on", "provenance-change"]);
    assert_eq!(code, Some(1), "the trust policy makes a downgrade fail: {report:#}");
    assert!(
        report["failed_rule"]
            .as_str()
            .unwrap()
            .contains("pnpm-workspace.yaml: trustPolicy")
    );
    let find = |rule: &str, name: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {rule} for {name}: {report:#}"))
    };
    let backport = find("package-manager-rule", "downgrade-major");
    assert_eq!(backport["fails"], false);
    let message = backport["message"].as_str().unwrap();
    assert!(
        message.contains("pnpm's trustPolicy would refuse it: 2.0.0"),
        "{message}"
    );
    assert!(message.contains("a different major release line"), "{message}");
    let token = find("downgrade", "downgrade-token");
    assert!(token["message"].as_str().unwrap().contains("would refuse it too"));
    let versions = report["versions"].as_array().unwrap();
    let major = versions.iter().find(|v| v["name"] == "downgrade-major").unwrap();
    assert_eq!(major["package_manager"]["blocks"], true);
    assert_eq!(major["package_manager"]["earlier"], "2.0.0");

    // An exclusion the change adds is not applied to it (the base's
    // policy is), and is said so.
    s.write(
        "pnpm-workspace.yaml",
        "packages:\n  - '.'\ntrustPolicy: no-downgrade\ntrustPolicyExclude:\n  - downgrade-token@1.1.0\n",
    );
    s.commit("exclude in the same change");
    let (code, report) = s.json("pnpm-lock.yaml", &["--base", "HEAD~2"]);
    assert_eq!(code, Some(1), "{report:#}");
    let notes = report["policy"]["notes"].to_string();
    assert!(
        notes.contains("The change edits the trust or release-age settings of pnpm-workspace.yaml"),
        "{notes}"
    );
    // Once it is in the base, the downgrade is reported as excluded, not hidden.
    let (code, report) = s.json("pnpm-lock.yaml", &["--base", "HEAD"]);
    assert_eq!((code, &report["summary"]["checked"]), (Some(0), &json!(0)));
    s.write("pnpm-lock.yaml", &pnpm_lock(&s, &base));
    s.commit("back to the base");
    s.write("pnpm-lock.yaml", &pnpm_lock(&s, &head));
    let (code, report) = s.json("pnpm-lock.yaml", &["--base", "HEAD"]);
    assert_eq!(code, Some(0), "{report:#}");
    let token = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "downgrade")
        .unwrap()
        .clone();
    assert_eq!(token["fails"], false);
    assert!(
        token["waived"]
            .as_str()
            .unwrap()
            .contains("excluded by pnpm-workspace.yaml: trustPolicyExclude (downgrade-token@1.1.0)")
    );
    // Flags override the files.
    let (code, _) = s.json("pnpm-lock.yaml", &["--base", "HEAD", "--trust-policy-exclude", "other"]);
    assert_eq!(code, Some(1));
}

#[test]
fn npmrc_policy_shapes_and_release_ages() {
    let s = Setup::new("npmrc");
    s.write(".npmrc", "trust-policy=no-downgrade\nmin-release-age=3\n");
    s.base_and_head("package-lock.json", npm_lock, HEAD);
    let day = |d: i64| npm_provenance_core::time::format_rfc3339(DAY_ZERO + d * 86_400);
    // Two days after the head's versions were published: too recent for three.
    let (code, report) = s.json("package-lock.json", &["--fail-on", "unverified", "--now", &day(3)]);
    assert_eq!(code, Some(1));
    let young: BTreeSet<String> = findings(&report)
        .into_iter()
        .filter(|f| f.contains("release-age"))
        .collect();
    assert_eq!(
        young,
        set(&[
            "!release-age downgrade-token@1.1.0",
            "!release-age gate-kept@1.1.0",
            "!release-age gate-workflow@1.1.0",
        ]),
        "trust-provenance@1.0.0 was published on day 0, three days before: old enough"
    );
    // The trust policy's downgrade is the first rule broken; the release
    // age fails beside it, and alone once the downgrade is excluded.
    assert!(
        report["failed_rule"]
            .as_str()
            .unwrap()
            .contains("(.npmrc: trust-policy)")
    );
    let (code, report) = s.json(
        "package-lock.json",
        &["--trust-policy-exclude", "downgrade-token", "--now", &day(3)],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        report["failed_rule"],
        "3 × published too recently (.npmrc: min-release-age)"
    );
    // Long after: the age is met; the policy still fails the downgrade.
    let (code, report) = s.json("package-lock.json", &["--fail-on", "unverified", "--now", &day(400)]);
    assert_eq!(code, Some(1));
    assert!(
        report["failed_rule"]
            .as_str()
            .unwrap()
            .contains("(.npmrc: trust-policy)"),
        "{report:#}"
    );
    // trust-policy-ignore-after: a downgrade published long ago is waived, said so.
    let (code, report) = s.json(
        "package-lock.json",
        &["--trust-policy-ignore-after", "1440", "--now", &day(400)],
    );
    assert_eq!(code, Some(0), "{report:#}");
    let waived: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["waived"].as_str())
        .collect();
    assert_eq!(waived.len(), 1, "{report:#}");
    assert!(waived[0].contains("longer than --trust-policy-ignore-after"));
    let (code, _) = s.json(
        "package-lock.json",
        &["--trust-policy", "off", "--fail-on", "unverified", "--now", &day(400)],
    );
    assert_eq!(code, Some(1), "unverified still fails");
    let (code, report) = s.json(
        "package-lock.json",
        &[
            "--trust-policy",
            "off",
            "--fail-on",
            "provenance-change",
            "--now",
            &day(400),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        report["failed_rule"]
            .as_str()
            .unwrap()
            .contains("build identity changed"),
        "{report:#}"
    );
}

#[test]
fn the_base_may_be_a_file_and_a_missing_or_bad_base_is_said() {
    let s = Setup::new("base-forms");
    s.write("old-lock.json", &npm_lock(&s, BASE));
    s.write("package-lock.json", &npm_lock(&s, HEAD));
    let out = s.audit(
        "package-lock.json",
        &["--base", "old-lock.json", "--format", "json"],
        &[],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (out.status.code(), &report["summary"]["unchanged"]),
        (Some(1), &json!(1))
    );
    assert_eq!(report["base"], "old-lock.json");
    // A commit without the lockfile: every version is new.
    s.commit("lockfile added");
    s.git(&["rm", "--quiet", "package-lock.json"]);
    s.commit("removed");
    s.write("package-lock.json", &npm_lock(&s, HEAD));
    let (_, report) = s.json("package-lock.json", &["--base", "HEAD"]);
    assert_eq!(report["summary"]["added"], 5);
    assert!(
        report["policy"]["notes"]
            .to_string()
            .contains("The base has no package-lock.json")
    );
    // A ref that is no commit is unusable, with what to do.
    let out = s.audit("package-lock.json", &["--base", "no-such-branch"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git fetch origin no-such-branch"));
}
