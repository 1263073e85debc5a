//! One question, one answer: the decisions the core's lookup makes, asked
//! through every door of the program (`verify` over the registry's
//! documents, `audit` with and without `--no-downgrade`, the server's API
//! and badge), against the test registry's packages made for them. The app
//! asks the same in `tests/e2e/one_answer.test.mjs`.

mod common;
use common::{BIN, Served, json_of, registry, tls};

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
        let dir = std::env::temp_dir().join(format!("np-one-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = Self { registry, dir };
        for name in ["trusted-root.json", "keys.json", "keys-expiring.json"] {
            s.write(name, &s.get(&format!("/-/test/{name}")).1);
        }
        s
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.get_url(&format!("{}{path}", self.registry.url("")))
    }

    fn get_url(&self, url: &str) -> (u16, String) {
        tls();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let r = reqwest::get(url).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    }

    fn write(&self, name: &str, content: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    fn trust(&self, keys: &str) -> Vec<String> {
        vec![
            "--trusted-root".into(),
            self.dir.join("trusted-root.json").display().to_string(),
            "--keys".into(),
            self.dir.join(keys).display().to_string(),
        ]
    }

    /// `verify --packument` with the package document (and the attestations
    /// when the registry serves them).
    fn verify(&self, name: &str, version: &str, keys: &str) -> Output {
        let (_, packument) = self.get(&format!("/synthetic/{name}"));
        let mut args = vec![
            "verify".to_string(),
            "--json".into(),
            "--package".into(),
            format!("{name}@{version}"),
            "--packument".into(),
            self.write(&format!("{name}.json"), &packument),
            "--registry".into(),
            self.registry.url("synthetic"),
        ];
        let (status, attestations) = self.get(&format!("/synthetic/-/npm/v1/attestations/{name}@{version}"));
        if status == 200 {
            args.push("--attestations".into());
            args.push(self.write(&format!("{name}@{version}.att.json"), &attestations));
        }
        args.extend(self.trust(keys));
        Command::new(BIN).args(&args).output().unwrap()
    }

    /// `audit` of a lockfile installing `name@version` with the registry's integrity.
    fn audit(&self, name: &str, version: &str, keys: &str, extra: &[&str]) -> Output {
        let (_, doc) = self.get(&format!("/synthetic/{name}/{version}"));
        let doc: Value = serde_json::from_str(&doc).unwrap();
        let lock = json!({ "lockfileVersion": 3, "packages": {
            "": { "name": "p", "dependencies": { name: version } },
            format!("node_modules/{name}"): { "version": version, "integrity": doc["dist"]["integrity"] } } });
        let path = self.write(&format!("{name}-{version}-lock.json"), &lock.to_string());
        let mut args = vec![
            "audit".to_string(),
            path,
            "--json".into(),
            "--no-cache".into(),
            "--registry".into(),
            self.registry.url("synthetic"),
        ];
        args.extend(self.trust(keys));
        args.extend(extra.iter().map(|s| s.to_string()));
        Command::new(BIN).args(&args).output().unwrap()
    }

    fn serve(&self, keys: &str) -> Served {
        let mut args = vec!["--registry".to_string(), self.registry.url("synthetic")];
        args.extend(self.trust(keys));
        Served::start(&args)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The verdict, trust level and first failed check of a report (or an
/// audit's row), as JSON values.
fn answer(report: &Value) -> (Value, Value, Value) {
    let failed = report["failed_check"].clone();
    let failed = if failed.is_null() {
        // A report: its first failed check.
        report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(
                report["attestations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|a| a["checks"].as_array().into_iter().flatten()),
            )
            .find(|c| c["status"] == "failed")
            .map(|c| c["id"].clone())
            .unwrap_or(Value::Null)
    } else {
        failed
    };
    let verdict = match report["verdict"].as_str() {
        Some("none") => json!("no_provenance"),
        _ => report["verdict"].clone(),
    };
    (verdict, report["trust"].clone(), failed)
}

/// Asks `name@version` through every door and returns each answer.
fn every_door(
    s: &Setup,
    server: &Served,
    name: &str,
    version: &str,
    keys: &str,
) -> Vec<(&'static str, (Value, Value, Value))> {
    let mut answers = Vec::new();
    let verify = s.verify(name, version, keys);
    if verify.status.code() == Some(2) {
        // Unusable input for `verify` is its error, with no report.
        answers.push(("verify", (json!("error"), Value::Null, Value::Null)));
    } else {
        answers.push(("verify", answer(&json_of(&verify))));
    }
    for (door, extra) in [("audit", &[][..]), ("audit --no-downgrade", &["--no-downgrade"][..])] {
        let report = json_of(&s.audit(name, version, keys, extra));
        let row = report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{door}: {report}"))
            .clone();
        answers.push((door, answer(&row)));
    }
    let (_, api) = s.get_url(&format!("{}/api/verify/{name}/{version}", server.base));
    answers.push(("/api/verify", answer(&serde_json::from_str(&api).unwrap())));
    answers
}

/// A registry signature by a key that expired before the version was
/// published: `verify` rejected it, `audit --no-downgrade` and `serve`
/// accepted it (they judged the key with no publication time). Now every
/// door reads the package document for the time, and rejects it; the
/// version published while the key was valid passes everywhere.
#[test]
fn a_signature_by_an_expired_key_is_rejected_through_every_door() {
    let s = Setup::new("expired");
    let server = s.serve("keys-expiring.json");
    for (version, want) in [
        ("1.0.0", (json!("failed"), Value::Null, json!("registry_signature"))),
        (
            "0.9.0",
            (json!("no_provenance"), json!("registry-signature"), Value::Null),
        ),
    ] {
        for (door, got) in every_door(&s, &server, "expired-key", version, "keys-expiring.json") {
            assert_eq!(got, want, "expired-key@{version} through {door}");
        }
    }
    let (_, badge) = s.get_url(&format!("{}/badge/npm/expired-key/1.0.0.json", server.base));
    assert_eq!(serde_json::from_str::<Value>(&badge).unwrap()["message"], "unverified");
}

/// A version document listing attestations whose endpoint answers 404:
/// `audit` and the badge said "none" (and cached it). A registry that
/// withholds what it advertises fails, through every door (`verify`, given
/// no attestations file for a version that lists them, refuses its input).
#[test]
fn attestations_a_registry_withholds_are_never_none() {
    let s = Setup::new("withheld");
    let server = s.serve("keys.json");
    for (door, (verdict, trust, failed)) in every_door(&s, &server, "withheld-attestations", "1.0.0", "keys.json") {
        assert_ne!(verdict, json!("no_provenance"), "{door}");
        assert_eq!(trust, Value::Null, "{door}");
        if door != "verify" {
            assert_eq!((verdict, failed), (json!("failed"), json!("attestations")), "{door}");
        }
    }
    let (_, badge) = s.get_url(&format!("{}/badge/npm/withheld-attestations/1.0.0.json", server.base));
    assert_eq!(serde_json::from_str::<Value>(&badge).unwrap()["message"], "unverified");
}

/// An integrity of 17 entries, the signed sha512 first and another last
/// (which npm's ssri would also accept): read in part, it was verified
/// everywhere. Refused whole, it verifies nowhere.
#[test]
fn an_integrity_of_more_entries_than_are_read_verifies_nowhere() {
    let s = Setup::new("integrity");
    let server = s.serve("keys.json");
    for (door, (verdict, trust, _)) in every_door(&s, &server, "integrity-17", "1.0.0", "keys.json") {
        assert_eq!((verdict, trust), (json!("error"), Value::Null), "{door}");
    }
    let (_, badge) = s.get_url(&format!("{}/badge/npm/integrity-17/1.0.0.json", server.base));
    assert_eq!(serde_json::from_str::<Value>(&badge).unwrap()["message"], "error");
}
