//! Trust levels and downgrades, asserted everywhere they are reported: the
//! test registry's `trust-*` packages (one per level) and `downgrade-*`
//! packages (one per downgrade rule, the false alarms of pnpm and npmx
//! among them), each with what it must show (`/-/test/trust.json`), through
//! `verify --json`, `verify --no-downgrade`, `/api/verify`, the badges
//! and `audit --no-downgrade`. (The page: `tests/e2e/trust.test.mjs`.)

mod common;
use common::{BIN, Served, json_of, registry, tls};

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

struct Setup {
    registry: test_registry::Running,
    dir: PathBuf,
    runtime: tokio::runtime::Runtime,
}

impl Setup {
    fn new(test: &str) -> Self {
        tls();
        let registry = registry();
        let dir = std::env::temp_dir().join(format!("np-trust-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let setup = Self { registry, dir, runtime };
        setup.write("trusted-root.json", &setup.get("/-/test/trusted-root.json").1);
        setup.write("keys.json", &setup.get("/-/test/keys.json").1);
        setup
    }

    fn get_url(&self, url: &str) -> (u16, String) {
        self.runtime.block_on(async {
            let r = reqwest::get(url).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.get_url(&format!("{}{path}", self.registry.url("")))
    }

    fn write(&self, name: &str, content: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    fn trust_args(&self) -> Vec<String> {
        let mut args = self.trust_args_without_keys();
        args.extend(["--keys".into(), self.dir.join("keys.json").display().to_string()]);
        args
    }

    /// The kit's trusted root, and no registry keys: the registry is one
    /// that does not sign (it serves no keys document).
    fn trust_args_without_keys(&self) -> Vec<String> {
        vec![
            "--trusted-root".into(),
            self.dir.join("trusted-root.json").display().to_string(),
            // The synthetic self-managed GitLab, named as its operator would.
            "--gitlab-issuer".into(),
            "https://gitlab.example.com".into(),
        ]
    }

    /// What each package version must show on the synthetic registry, with
    /// its keys given (`keys`), or as a registry without keys.
    fn expected_with(&self, keys: bool) -> Vec<Value> {
        let doc: Value = serde_json::from_str(&self.get("/-/test/trust.json").1).unwrap();
        doc["versions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["keys"] == keys)
            .cloned()
            .collect()
    }

    fn expected(&self) -> Vec<Value> {
        self.expected_with(true)
    }

    /// `verify --packument` with the registry's package document (and the
    /// attestations, when the version lists them).
    fn verify(&self, name: &str, version: &str, extra: &[&str]) -> Output {
        let path_name = name.replace('/', "%2f");
        let file_name = name.replace('/', "_");
        let (_, packument) = self.get(&format!("/synthetic/{path_name}"));
        let file = self.write(&format!("{file_name}.json"), &packument);
        let mut args: Vec<String> = vec![
            "verify".into(),
            "--packument".into(),
            file,
            "--package".into(),
            format!("{name}@{version}"),
        ];
        let (status, attestations) = self.get(&format!("/synthetic/-/npm/v1/attestations/{path_name}@{version}"));
        if status == 200 {
            args.push("--attestations".into());
            args.push(self.write(&format!("{file_name}@{version}.att.json"), &attestations));
        }
        if extra.contains(&"--without-keys") {
            args.extend(self.trust_args_without_keys());
            args.extend(["--registry".into(), self.registry.url("synthetic")]);
        } else {
            args.extend(self.trust_args());
        }
        args.extend(extra.iter().filter(|a| **a != "--without-keys").map(|s| s.to_string()));
        Command::new(BIN).args(&args).output().unwrap()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `trust` and the earlier version of `downgrade` of a report (or row).
fn signals(report: &Value) -> (Value, Value) {
    (report["trust"].clone(), report["downgrade"]["version"].clone())
}

fn expected_signals(e: &Value) -> (Value, Value) {
    (e["trust"].clone(), e["downgrade"].clone())
}

#[test]
fn verify_reports_each_level_and_each_downgrade_rule() {
    let s = Setup::new("verify");
    let expected = s.expected();
    assert!(expected.len() >= 11, "{expected:?}");
    for e in &expected {
        let (name, version) = (e["name"].as_str().unwrap(), e["version"].as_str().unwrap());
        let output = s.verify(name, version, &["--json"]);
        let report = json_of(&output);
        assert_eq!(
            signals(&report),
            expected_signals(e),
            "{name}@{version} ({}): {report}",
            e["rule"]
        );
        let text = String::from_utf8(s.verify(name, version, &[]).stdout).unwrap();
        if e["trust"].is_null() {
            // Failed: no level, and nothing compared.
            assert_eq!(report["verdict"], "failed", "{name}@{version}: {report}");
            assert!(!text.contains("Trust level:"), "{name}@{version}: {text}");
            continue;
        }
        assert_eq!(report["downgrade_checked"], true, "{name}@{version}");
        let level = match e["trust"].as_str().unwrap() {
            "trusted-publisher" => "trusted publisher",
            "provenance" => "provenance",
            "registry-signature" => "registry signature only",
            _ => "no signed evidence",
        };
        assert!(
            text.contains(&format!("Trust level: {level}\n")),
            "{name}@{version}: {text}"
        );
        assert_eq!(
            text.contains("DOWNGRADE: "),
            !e["downgrade"].is_null(),
            "{name}@{version}: {text}"
        );
    }
}

#[test]
fn the_registrys_word_on_publishing_is_labelled_unsigned() {
    let s = Setup::new("word");
    let report = json_of(&s.verify("trust-trusted-publisher", "1.0.0", &["--json"]));
    assert_eq!(
        report["publishing"],
        json!({ "trusted_publisher": { "id": "github", "oidc_config_id": "oidc:trust-trusted-publisher" } })
    );
    let text = String::from_utf8(s.verify("trust-trusted-publisher", "1.0.0", &[]).stdout).unwrap();
    assert!(
        text.contains("Published through trusted publishing (github), the registry says (unsigned)"),
        "{text}"
    );
    let staged = String::from_utf8(s.verify("downgrade-staged", "1.0.1", &[]).stdout).unwrap();
    assert!(
        staged.contains("Staged publish approved by alice, the registry says (unsigned)"),
        "{staged}"
    );
    // The approver's e-mail address is not repeated.
    assert!(!staged.contains("alice@example.com"));
}

#[test]
fn no_downgrade_fails_a_verified_downgrade_and_nothing_else() {
    let s = Setup::new("flag");
    // Verified, and a downgrade: exit 0 without the flag, 1 with it.
    let plain = s.verify("downgrade-provenance", "1.1.0", &[]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let strict = s.verify("downgrade-provenance", "1.1.0", &["--no-downgrade"]);
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains("--no-downgrade: Published with weaker evidence than 1.0.0 of the same release line (1.x): trusted publisher then, provenance now."),
        "{stderr}"
    );
    // Each false alarm passes the flag.
    for (name, version) in [
        ("downgrade-major", "1.0.1"),
        ("downgrade-prerelease", "2.0.0"),
        ("downgrade-deprecated", "1.0.1"),
        ("downgrade-unpublished", "1.0.1"),
        ("downgrade-staged", "1.0.1"),
    ] {
        let out = s.verify(name, version, &["--no-downgrade"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}@{version}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Without the package's history, the flag cannot be honoured: exit 1.
    let (_, doc) = s.get("/synthetic/trust-provenance/1.0.0");
    let file = s.write("version-doc.json", &doc);
    let (_, att) = s.get("/synthetic/-/npm/v1/attestations/trust-provenance@1.0.0");
    let att = s.write("att.json", &att);
    let mut args = vec![
        "verify".to_string(),
        "--packument".into(),
        file,
        "--attestations".into(),
        att,
        "--package".into(),
        "trust-provenance@1.0.0".into(),
        "--no-downgrade".into(),
    ];
    args.extend(s.trust_args());
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the version history was not available"));
}

/// The real binary's server over the synthetic packages, with the kit's trust.
fn serve(s: &Setup) -> Served {
    serve_with(s, s.trust_args())
}

/// The same, with these trust flags.
fn serve_with(s: &Setup, trust_args: Vec<String>) -> Served {
    let mut args = vec!["--registry".to_string(), s.registry.url("synthetic")];
    args.extend(trust_args);
    Served::start(&args)
}

#[test]
fn the_api_and_the_badges_carry_trust_and_downgrade() {
    let s = Setup::new("serve");
    let server = serve(&s);
    for e in s.expected() {
        let (name, version) = (e["name"].as_str().unwrap(), e["version"].as_str().unwrap());
        let (status, body) = s.get_url(&format!("{}/api/verify/{name}/{version}", server.base));
        assert_eq!(status, 200, "{name}@{version}: {body}");
        let report: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(signals(&report), expected_signals(&e), "{name}@{version}: {body}");
        let (_, shields) = s.get_url(&format!("{}/badge/npm/{name}/{version}.json", server.base));
        let shields: Value = serde_json::from_str(&shields).unwrap();
        assert_eq!(shields["trust"], e["trust"], "{name}@{version}: {shields}");
        let message = shields["message"].as_str().unwrap();
        if e["trust"].is_null() {
            assert_eq!(message, "unverified", "{name}: {shields}");
            continue;
        }
        assert_eq!(
            message.ends_with(" · downgrade"),
            !e["downgrade"].is_null(),
            "{name}: {message}"
        );
        // What changed in the build is a signal of its own, beside a
        // downgrade or alone (then the badge says so).
        let changed = e["rule"] == "what changed";
        let listed = shields["buildChanges"].is_array();
        assert!(!changed || listed, "{name}: {shields}");
        // Elsewhere only beside a downgrade (trusted publishing, then a token).
        assert!(!listed || changed || !e["downgrade"].is_null(), "{name}: {shields}");
        assert_eq!(
            report["signals"].as_array().map_or(0, Vec::len) > 0,
            changed || !e["downgrade"].is_null(),
            "{name}: {body}"
        );
        if changed && e["downgrade"].is_null() {
            assert!(message.ends_with(" · build changed"), "{name}: {message}");
            assert_eq!(shields["color"], "yellow", "{name}: {shields}");
            continue;
        }
        if !e["downgrade"].is_null() {
            assert_eq!(shields["color"], "yellow", "{name}: {shields}");
            assert!(
                shields["downgrade"]
                    .as_str()
                    .unwrap()
                    .starts_with("Published with weaker evidence than ")
            );
        }
        if e["trust"] == "trusted-publisher" {
            assert_eq!(message, "verified · trusted publisher");
            let (_, svg) = s.get_url(&format!("{}/badge/npm/{name}/{version}.svg", server.base));
            assert!(
                svg.contains("<title>provenance: verified · trusted publisher</title>"),
                "{svg}"
            );
        }
    }
    // One package document per name, shared: the versions of downgrade-major.
    let before: u64 = s.get("/-/test/requests").1.trim().parse().unwrap();
    for v in ["1.0.0", "2.0.0"] {
        let (status, _) = s.get_url(&format!("{}/api/verify/downgrade-major/{v}", server.base));
        assert_eq!(status, 200);
    }
    let after: u64 = s.get("/-/test/requests").1.trim().parse().unwrap();
    // Two version documents and two attestations responses; the package
    // document was read for 1.0.1 above and is reused.
    assert_eq!(after - before, 4, "registry requests");
}

#[test]
fn audit_reports_trust_and_fails_downgrades_with_the_flag() {
    let s = Setup::new("audit");
    let expected = s.expected();
    let mut packages = serde_json::Map::new();
    let mut deps = serde_json::Map::new();
    for e in &expected {
        let (name, version) = (e["name"].as_str().unwrap(), e["version"].as_str().unwrap());
        let path_name = name.replace('/', "%2f");
        let doc: Value = serde_json::from_str(&s.get(&format!("/synthetic/{path_name}/{version}")).1).unwrap();
        let base = name.rsplit('/').next().unwrap();
        deps.insert(name.into(), json!(version));
        packages.insert(
            format!("node_modules/{name}"),
            json!({ "version": version, "resolved": format!("https://r.example/{name}/-/{base}-{version}.tgz"), "integrity": doc["dist"]["integrity"] }),
        );
    }
    packages.insert(
        "".into(),
        json!({ "name": "p", "version": "1.0.0", "dependencies": deps }),
    );
    let lockfile = s.write(
        "package-lock.json",
        &json!({ "name": "p", "version": "1.0.0", "lockfileVersion": 3, "packages": packages }).to_string(),
    );
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "audit".to_string(),
            lockfile.clone(),
            "--registry".into(),
            s.registry.url("synthetic"),
            "--no-cache".into(),
        ];
        args.extend(s.trust_args());
        args.extend(extra.iter().map(|s| s.to_string()));
        Command::new(BIN).args(&args).output().unwrap()
    };
    let output = audit(&["--json", "--no-downgrade"]);
    let report = json_of(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    for e in &expected {
        let row = report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == e["name"])
            .unwrap();
        assert_eq!(signals(row), expected_signals(e), "{row}");
        assert_eq!(row["downgrade_checked"], !e["trust"].is_null(), "{row}");
    }
    let summary = &report["summary"];
    assert_eq!(summary["downgrades"], 3, "{summary}");
    assert_eq!(summary["trust"]["trusted-publisher"], 5, "{summary}");
    // Without the flag, no package document is fetched and nothing is compared.
    let plain = json_of(&audit(&["--json"]));
    assert!(
        plain["packages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["downgrade"].is_null())
    );
    let text = String::from_utf8(audit(&["--no-downgrade"]).stdout).unwrap();
    assert!(
        text.contains("↓ downgrade-provenance@1.1.0 downgrade: Published with weaker evidence than 1.0.0"),
        "{text}"
    );
    assert!(text.contains("trust: 5 trusted publisher, "), "{text}");
}

/// A registry that serves no keys document signs nothing: a version with
/// nothing signed is "none" there, from every door (with its keys given, the
/// same version fails: see `trust-none` above).
#[test]
fn a_registry_without_keys_keeps_none() {
    let s = Setup::new("nokeys");
    let expected = s.expected_with(false);
    assert!(!expected.is_empty());
    let server = serve_with(&s, s.trust_args_without_keys());
    for e in &expected {
        let (name, version) = (e["name"].as_str().unwrap(), e["version"].as_str().unwrap());
        let report = json_of(&s.verify(name, version, &["--json", "--without-keys"]));
        assert_eq!(signals(&report), expected_signals(e), "verify {name}: {report}");
        assert_eq!(report["verdict"], "no_provenance", "{report}");
        let (_, body) = s.get_url(&format!("{}/api/verify/{name}/{version}", server.base));
        let report: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(signals(&report), expected_signals(e), "api {name}: {body}");
        let (_, shields) = s.get_url(&format!("{}/badge/npm/{name}/{version}.json", server.base));
        let shields: Value = serde_json::from_str(&shields).unwrap();
        assert_eq!(shields["message"], "none", "{shields}");
    }
}
