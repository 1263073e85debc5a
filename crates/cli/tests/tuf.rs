//! Trust material through TUF on the command line, against the test
//! registry's TUF repositories (made by the testkit: root rotated v1 → v3,
//! the testkit's trusted root and registry key as targets): a package that
//! only the TUF-provided material verifies; the cache when the repository is
//! down; an expired repository, a frozen one and an attack, each reported as
//! such.

mod common;
use common::{BIN, json_of, registry, tls};

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

struct Setup {
    registry: test_registry::Running,
    dir: PathBuf,
    runtime: tokio::runtime::Runtime,
}

impl Setup {
    fn new(test: &str) -> Self {
        tls();
        let registry = registry();
        let dir = std::env::temp_dir().join(format!("np-tuf-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let s = Self { registry, dir, runtime };
        let root = s.get("/-/tuf/1.root.json");
        s.write("root-v1.json", &root);
        let (name, version) = ("trust-trusted-publisher", "1.0.0");
        s.write("packument.json", &s.get(&format!("/synthetic/{name}")));
        s.write(
            "attestations.json",
            &s.get(&format!("/synthetic/-/npm/v1/attestations/{name}@{version}")),
        );
        s
    }

    fn get(&self, path: &str) -> String {
        let url = format!("{}{path}", self.registry.url(""));
        self.runtime
            .block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
    }

    fn write(&self, name: &str, content: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    /// `verify` of a synthetic package with TUF from `variant`, no trusted
    /// root or keys of its own.
    fn verify(&self, variant: &str, extra: &[&str]) -> Output {
        let p = |n: &str| self.dir.join(n).display().to_string();
        let tuf_url = format!("{}/-/{variant}", self.registry.url(""));
        let mut args = vec![
            "verify".to_string(),
            "--packument".into(),
            p("packument.json"),
            "--attestations".into(),
            p("attestations.json"),
            "--package".into(),
            "trust-trusted-publisher@1.0.0".into(),
            "--tuf-url".into(),
            tuf_url,
            "--tuf-root".into(),
            p("root-v1.json"),
            "--tuf-cache".into(),
            p("cache"),
            "--json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Command::new(BIN).args(&args).output().unwrap()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_package_only_the_tuf_material_can_verify_goes_green_and_says_so() {
    let s = Setup::new("green");
    let out = s.verify("tuf", &[]);
    let r = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{}", r["summary"]);
    assert_eq!(r["verdict"], "verified");
    let source = &r["trust_source"];
    assert_eq!(source["source"], "tuf", "{source}");
    assert_eq!(source["root_version"], 3, "rotated from v1 to v3: {source}");
    // The publish attestation's key came from TUF.
    let publish = r["attestations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "publish")
        .unwrap();
    assert_eq!(publish["signing_key"]["source"], "tuf");
    // The same package with the built-in material: not Sigstore's, so not verified.
    let offline = s.verify("tuf", &["--offline"]);
    assert_eq!(offline.status.code(), Some(1));
    let r = json_of(&offline);
    assert_eq!(r["trust_source"]["source"], "embedded");
    assert_eq!(r["trust_source"]["note"], "--offline");
    let text = Command::new(BIN)
        .args(["verify", "--packument"])
        .arg(s.dir.join("packument.json"))
        .args(["--attestations"])
        .arg(s.dir.join("attestations.json"))
        .args(["--package", "trust-trusted-publisher@1.0.0", "--tuf-url"])
        .arg(format!("{}/-/tuf", s.registry.url("")))
        .arg("--tuf-root")
        .arg(s.dir.join("root-v1.json"))
        .arg("--tuf-cache")
        .arg(s.dir.join("cache"))
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Trust material: refreshed now from the TUF repository http://"),
        "{text}"
    );
    assert!(text.contains("(root v3, timestamp v20, valid until "), "{text}");
}

#[test]
fn a_repository_that_is_down_falls_back_to_the_last_verified_refresh() {
    let s = Setup::new("down");
    assert_eq!(s.verify("tuf", &[]).status.code(), Some(0));
    s.get("/-/test/tuf-down");
    let out = s.verify("tuf", &[]);
    let r = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{}", r["summary"]);
    let source = &r["trust_source"];
    assert_eq!(source["source"], "tuf-cache", "{source}");
    assert!(
        source["note"].as_str().unwrap().contains("could not be reached"),
        "{source}"
    );
    // Without a cache there is nothing verified to fall back on but the built-in material.
    let fresh = Setup::new("down-fresh");
    fresh.get("/-/test/tuf-down");
    let r = json_of(&fresh.verify("tuf", &[]));
    assert_eq!(r["trust_source"]["source"], "embedded");
}

/// Expired metadata is a potential freeze attack (TUF specification 5.4.4):
/// refused, and said as loudly as an attack (issue #26, 8): on standard
/// error and in the report.
#[test]
fn an_expired_repository_is_refused_and_said() {
    let s = Setup::new("expired");
    let out = s.verify("tuf-expired", &[]);
    let r = json_of(&out);
    assert_eq!(out.status.code(), Some(1));
    let note = r["trust_source"]["note"].as_str().unwrap();
    assert!(
        note.contains("expired") && note.contains("potential freeze attack"),
        "{note}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: ") && stderr.contains("tuf-expired: the TUF repository serves expired metadata"),
        "{stderr}"
    );
    assert!(
        r["trust_source"]["warning"].as_str().unwrap().contains("freeze"),
        "{}",
        r["trust_source"]
    );
}

/// A repository that refreshed well before and now serves a newer timestamp
/// that has already expired: the last verified refresh stands (its own
/// timestamp is valid, the package verifies), and the potential freeze is a
/// warning on standard error and in the checklist, as a rollback is.
#[test]
fn a_frozen_repository_falls_back_to_the_last_refresh_and_warns() {
    let s = Setup::new("frozen");
    assert_eq!(s.verify("tuf", &[]).status.code(), Some(0));
    s.get("/-/test/tuf-frozen");
    let out = s.verify("tuf", &[]);
    let r = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{}", r["summary"]);
    let source = &r["trust_source"];
    assert_eq!(source["source"], "tuf-cache", "{source}");
    assert!(
        source["warning"].as_str().unwrap().contains("potential freeze attack"),
        "{source}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: ") && stderr.contains("serves expired metadata, a potential freeze attack"),
        "{stderr}"
    );
    // The checklist says it too, after where its trust came from.
    let text = Command::new(BIN)
        .args(["verify", "--packument"])
        .arg(s.dir.join("packument.json"))
        .args(["--attestations"])
        .arg(s.dir.join("attestations.json"))
        .args(["--package", "trust-trusted-publisher@1.0.0", "--tuf-url"])
        .arg(format!("{}/-/tuf", s.registry.url("")))
        .arg("--tuf-root")
        .arg(s.dir.join("root-v1.json"))
        .arg("--tuf-cache")
        .arg(s.dir.join("cache"))
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Trust material: the last verified refresh of the TUF repository")
            && text.contains("\nWARNING: http://")
            && text.contains("potential freeze attack (TUF specification 5.4.4)"),
        "{text}"
    );
}

#[test]
fn an_attack_is_a_warning_and_not_a_silent_fallback() {
    let s = Setup::new("attack");
    let out = s.verify("tuf-attack", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: ")
            && stderr.contains("tuf-attack: the TUF repository failed a check that guards against attacks"),
        "{stderr}"
    );
    let r = json_of(&out);
    assert_eq!(r["trust_source"]["source"], "embedded");
    assert!(
        r["trust_source"]["note"].as_str().unwrap().contains("threshold"),
        "{}",
        r["trust_source"]
    );
    // Not even the cache of an earlier good refresh stands in silently.
    assert_eq!(out.status.code(), Some(1));
}

/// `serve` takes its trust from TUF too, says so at `/api/trust` and in each
/// report, and its badge is green for a package only that material verifies.
#[test]
fn the_server_verifies_with_tuf_material_and_reports_where_it_came_from() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let s = Setup::new("serve");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--registry"])
        .arg(s.registry.url("synthetic"))
        .arg("--tuf-url")
        .arg(format!("{}/-/tuf", s.registry.url("")))
        .arg("--tuf-root")
        .arg(s.dir.join("root-v1.json"))
        .arg("--tuf-cache")
        .arg(s.dir.join("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first[first.find("http://127.0.0.1:").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(first.contains("trust=refreshed now from the TUF repository"), "{first}");
    std::thread::spawn(move || for _ in lines {});
    let get = |path: &str| {
        let url = format!("{base}{path}");
        s.runtime
            .block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
    };
    let trust: Value = serde_json::from_str(&get("/api/trust")).unwrap();
    assert_eq!(
        (trust["source"].as_str(), trust["root_version"].as_u64()),
        (Some("tuf"), Some(3)),
        "{trust}"
    );
    let report: Value = serde_json::from_str(&get("/api/verify/trust-trusted-publisher/1.0.0")).unwrap();
    assert_eq!(report["verdict"], "verified", "{}", report["summary"]);
    assert_eq!(report["trust_source"]["source"], "tuf");
    let badge: Value = serde_json::from_str(&get("/badge/npm/trust-trusted-publisher/1.0.0.json")).unwrap();
    assert_eq!(badge["color"], "brightgreen");
    let _ = child.kill();
    let _ = child.wait();
}
