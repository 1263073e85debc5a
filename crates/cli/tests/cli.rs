//! `npm-provenance verify` as scripts call it: exit statuses, output, stdin.
//! The testkit's own Sigstore stands in for the public one, so these run
//! without real data.

mod common;
use common::BIN;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use npm_provenance_testkit::{self as kit, Faults, Identity, NPM_PUBLISH, SLSA_V1, Sigstore};

struct Files {
    dir: PathBuf,
    integrity: String,
    sha512: String,
    /// The kit registry's `dist.signatures` entry for widget@1.0.0.
    signature: serde_json::Value,
}

impl Files {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("np-cli-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (integrity, sha512) = kit::integrity_of(b"tarball bytes");
        let kit = Sigstore::new();
        let signature = kit.registry_signature("widget", "1.0.0", &integrity);
        let files = Self {
            dir,
            integrity,
            sha512,
            signature,
        };
        files.write("trusted_root.json", &kit.trusted_root_json());
        files.write("keys.json", &kit.registry_keys_document(None));
        files.write("artifact.tgz", "tarball bytes");
        let good = kit::github_provenance(
            "widget",
            "1.0.0",
            &files.sha512,
            "acme/widget",
            ".github/workflows/release.yml",
            "0123456789abcdef0123456789abcdef01234567",
        );
        let identity = Identity::github(
            "acme/widget",
            ".github/workflows/release.yml",
            "0123456789abcdef0123456789abcdef01234567",
            "refs/heads/main",
        );
        let provenance = kit.keyless_bundle(&good, &identity, &Faults::default());
        let tampered = kit.keyless_bundle(
            &good,
            &identity,
            &Faults {
                signature_by_other_key: true,
                ..Default::default()
            },
        );
        let publish = kit.keyed_bundle(
            &kit::publish_statement("widget", "1.0.0", &files.sha512),
            &Faults::default(),
        );
        files.write("provenance.json", &provenance);
        files.write(
            "good.json",
            &kit::attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &publish)]),
        );
        files.write(
            "tampered.json",
            &kit::attestations_response(&[(SLSA_V1, &tampered), (NPM_PUBLISH, &publish)]),
        );
        files
    }

    fn write(&self, name: &str, content: &str) {
        std::fs::write(self.dir.join(name), content).unwrap();
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn attestations(&self, file: &str, extra: &[&str]) -> Output {
        let mut args = vec!["verify", "--attestations"];
        let path = self.path(file);
        let (root, keys) = (self.path("trusted_root.json"), self.path("keys.json"));
        args.extend([
            path.as_str(),
            "--package",
            "widget@1.0.0",
            "--integrity",
            &self.integrity,
        ]);
        args.extend(["--trusted-root", root.as_str(), "--keys", keys.as_str()]);
        args.extend(extra);
        run(&args, None)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn verified_attestations_exit_0_with_a_checklist() {
    let f = Files::new("verified");
    let out = f.attestations("good.json", &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("VERIFIED: widget@1.0.0: provenance verified."),
        "{stdout}"
    );
    assert!(stdout.contains("✓ Certificate chain (Fulcio)"), "{stdout}");
    assert!(
        stdout.contains("Source commit  github.com/acme/widget@0123456"),
        "{stdout}"
    );
}

#[test]
fn json_output_is_the_report() {
    let f = Files::new("json");
    let out = f.attestations("good.json", &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "verified");
    assert_eq!(report["attestations"][0]["kind"], "provenance");
}

#[test]
fn rejected_attestations_exit_1_and_name_the_check() {
    let f = Files::new("rejected");
    let out = f.attestations("tampered.json", &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("FAILED:"), "{stdout}");
    assert!(
        stdout.contains("✗ Signature: The DSSE signature does not verify"),
        "{stdout}"
    );
    let wrong_repo = f.attestations("good.json", &["--expect-repository", "acme/other"]);
    assert_eq!(wrong_repo.status.code(), Some(1));
    assert!(text(&wrong_repo.stdout).contains("✗ Expected identity"));
}

#[test]
fn a_single_bundle_from_standard_input() {
    let f = Files::new("stdin");
    let bundle = std::fs::read_to_string(f.path("provenance.json")).unwrap();
    let root = f.path("trusted_root.json");
    let digest = format!("sha512:{}", f.sha512);
    let identity = [
        "--certificate-identity",
        "https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
    ];
    let with_identity = |extra: &[&str]| {
        let mut args = vec!["verify", "--bundle", "-"];
        args.extend_from_slice(extra);
        args.extend(identity);
        run(&args, Some(&bundle))
    };
    let ok = with_identity(&["--digest", &digest, "--trusted-root", &root]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    let artifact = f.path("artifact.tgz");
    assert_eq!(
        with_identity(&["--artifact", &artifact, "--trusted-root", &root])
            .status
            .code(),
        Some(0)
    );
    let wrong_artifact = with_identity(&[
        "--digest",
        &format!("sha512:{}", "0".repeat(128)),
        "--trusted-root",
        &root,
    ]);
    assert_eq!(wrong_artifact.status.code(), Some(1));
    // The same bundle against Sigstore's real root: its log is not trusted there.
    let public = with_identity(&["--digest", &digest]);
    assert_eq!(public.status.code(), Some(1));
    assert!(
        text(&public.stdout).contains("✗ Log entry and signed time: The log's signed entry timestamp does not verify"),
        "{}",
        text(&public.stdout)
    );
    // Another signer than the one named: rejected at the expected identity.
    let mut other = vec!["verify", "--bundle", "-", "--digest", &digest, "--trusted-root", &root];
    other.extend([
        "--certificate-identity",
        "https://github.com/acme/widget/.github/workflows/other.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
    ]);
    let other = run(&other, Some(&bundle));
    assert_eq!(other.status.code(), Some(1));
    assert!(
        text(&other.stdout).contains("✗ Expected identity: Not the expected signer: identity https://github.com/acme/widget/.github/workflows/other.yml@refs/heads/main was expected"),
        "{}",
        text(&other.stdout)
    );
    // Any signer, when asked for in so many words: it says whom it accepted.
    let any = run(
        &[
            "verify",
            "--bundle",
            "-",
            "--digest",
            &digest,
            "--trusted-root",
            &root,
            "--insecure-ignore-identity",
        ],
        Some(&bundle),
    );
    assert_eq!(any.status.code(), Some(0));
    assert!(
        text(&any.stderr).contains("accepted any signer; this one was https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main via https://token.actions.githubusercontent.com"),
        "{}",
        text(&any.stderr)
    );
}

#[test]
fn unusable_input_exits_2_with_a_message() {
    let f = Files::new("unusable");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["verify".into()], "give --attestations"),
        (
            vec![
                "verify".into(),
                "--attestations".into(),
                f.path("missing.json"),
                "--package".into(),
                "a@1".into(),
                "--integrity".into(),
                "sha512-x".into(),
            ],
            "cannot read",
        ),
        (
            vec![
                "verify".into(),
                "--attestations".into(),
                f.path("good.json"),
                "--package".into(),
                "nameonly".into(),
                "--integrity".into(),
                f.integrity.clone(),
            ],
            "is not NAME@VERSION",
        ),
        (
            vec![
                "verify".into(),
                "--bundle".into(),
                f.path("provenance.json"),
                "--insecure-ignore-identity".into(),
            ],
            "--bundle needs the artifact",
        ),
        (
            vec![
                "verify".into(),
                "--bundle".into(),
                f.path("provenance.json"),
                "--digest".into(),
                format!("sha512:{}", f.sha512),
            ],
            "--bundle verifies a signature by someone: give --certificate-identity",
        ),
        (
            vec![
                "verify".into(),
                "--insecure-ignore-identity".into(),
                "--bundle".into(),
                f.path("provenance.json"),
                "--digest".into(),
                "md5:abcd".into(),
            ],
            "is not sha256:HEX or sha512:HEX",
        ),
        (
            vec![
                "verify".into(),
                "--insecure-ignore-identity".into(),
                "--bundle".into(),
                f.path("keys.json"),
                "--digest".into(),
                "sha256:zz".into(),
            ],
            "64 hex digits",
        ),
        (
            vec![
                "verify".into(),
                "--insecure-ignore-identity".into(),
                "--bundle".into(),
                f.path("artifact.tgz"),
                "--digest".into(),
                format!("sha512:{}", f.sha512),
            ],
            "is not JSON",
        ),
        (vec!["verify".into(), "--bogus".into()], "unexpected argument"),
        (
            vec![
                "verify".into(),
                "--bundle".into(),
                "-".into(),
                "--artifact".into(),
                "-".into(),
            ],
            "only one input",
        ),
    ];
    for (args, says) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args, Some(""));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
    // An invalid package name is an error report, also exit 2.
    let out = f.attestations("good.json", &[]);
    assert_eq!(out.status.code(), Some(0));
    let bad_name = run(
        &[
            "verify",
            "--attestations",
            &f.path("good.json"),
            "--package",
            "<bad>@1.0.0",
            "--integrity",
            &f.integrity,
        ],
        None,
    );
    assert_eq!(bad_name.status.code(), Some(2));
}

#[test]
fn help_documents_both_commands_and_the_exit_codes() {
    let out = run(&["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("verify") && help.contains("serve") && help.contains("0 verified, 1 rejected"),
        "{help}"
    );
    let verify = text(&run(&["verify", "--help"], None).stdout);
    for flag in [
        "--attestations",
        "--package",
        "--integrity",
        "--keys",
        "--bundle",
        "--artifact",
        "--digest",
        "--trusted-root",
        "--certificate-identity",
        "--certificate-oidc-issuer",
        "--key",
        "--json",
    ] {
        assert!(verify.contains(flag), "{flag} missing from verify --help");
    }
    let serve = text(&run(&["serve", "--help"], None).stdout);
    for flag in ["--registry", "--port", "--dist", "https://registry.npmjs.org", "8080"] {
        assert!(serve.contains(flag), "{flag} missing from serve --help");
    }
}

/// `--packument`: the version's integrity (and registry signatures) come from
/// the registry's package document; what contradicts it is unusable input.
#[test]
fn the_packument_supplies_the_integrity_or_contradicts_it() {
    let f = Files::new("packument");
    // As npm writes them: each version names itself, and (the keys given
    // say the registry signs) carries the registry's signature.
    let doc = |name: &str, integrity: &str, attestations: bool| {
        let mut dist = serde_json::json!({ "integrity": integrity, "signatures": [f.signature] });
        if attestations {
            dist["attestations"] =
                serde_json::json!({ "url": "https://registry.example/-/npm/v1/attestations/widget@1.0.0" });
        }
        serde_json::json!({ "name": name, "versions": { "1.0.0": { "name": name, "version": "1.0.0", "dist": dist } } })
            .to_string()
    };
    f.write("packument.json", &doc("widget", &f.integrity, true));
    f.write("other-integrity.json", &doc("widget", "sha512-AAAA", true));
    f.write("other-name.json", &doc("gadget", &f.integrity, true));
    f.write("no-attestations.json", &doc("widget", &f.integrity, false));
    let (root, keys) = (f.path("trusted_root.json"), f.path("keys.json"));
    let verify = |packument: &str, attestations: Option<&str>, extra: &[&str]| {
        let path = f.path(packument);
        let mut args = vec!["verify", "--package", "widget@1.0.0", "--packument", path.as_str()];
        let att = attestations.map(|a| f.path(a));
        if let Some(a) = &att {
            args.extend(["--attestations", a.as_str()]);
        }
        args.extend(["--trusted-root", root.as_str(), "--keys", keys.as_str()]);
        args.extend(extra);
        run(&args, None)
    };

    // Integrity from the packument: verified, and tampered still rejected.
    let good = verify("packument.json", Some("good.json"), &[]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(text(&good.stdout).starts_with("VERIFIED"), "{}", text(&good.stdout));
    assert_eq!(
        verify("packument.json", Some("tampered.json"), &[]).status.code(),
        Some(1)
    );
    // A version the packument lists without attestations has no provenance.
    let none = verify("no-attestations.json", None, &["--json"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stdout).contains(r#""verdict": "no_provenance""#),
        "{}",
        text(&none.stdout)
    );

    for (packument, attestations, extra, says) in [
        (
            "other-integrity.json",
            Some("good.json"),
            vec!["--integrity", f.integrity.as_str()],
            "differs from the packument",
        ),
        (
            "other-name.json",
            Some("good.json"),
            vec![],
            "with the document of another package, gadget",
        ),
        ("packument.json", None, vec![], "give them with --attestations"),
    ] {
        let out = verify(packument, attestations, &extra);
        assert_eq!(out.status.code(), Some(2), "{packument}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{packument}: {}", text(&out.stderr));
    }
    let missing = run(
        &[
            "verify",
            "--package",
            "widget@2.0.0",
            "--packument",
            &f.path("packument.json"),
        ],
        None,
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("has no version 2.0.0"),
        "{}",
        text(&missing.stderr)
    );
}

/// Real data: npm's attestations and version document for sigstore@1.0.0,
/// whose registry signature (by npm's key) is checked from the document.
#[test]
fn a_real_version_document_adds_npms_registry_signature() {
    let dir = npm_provenance_fixtures::dir();
    let path = |p: &str| dir.join(p).display().to_string();
    let document = path("packuments/sigstore@1.0.0.dist-excerpt.json");
    let attestations = path("attestations/sigstore@1.0.0.json");
    let out = run(
        &[
            "verify",
            "--attestations",
            &attestations,
            "--package",
            "sigstore@1.0.0",
            "--packument",
            &document,
        ],
        None,
    );
    // The signature is by npm's first key, which expired on 2025-01-29: a
    // version document alone does not say when the version was published,
    // so the signature cannot be judged (npm's pacote refuses it too).
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("the version's publication time is not known"),
        "{}",
        text(&out.stdout)
    );
    // The package document states the time (sigstore 1.0.0 was published on
    // 2023-02-09, the time its attestations were logged): the signature verifies.
    let excerpt: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&document).unwrap()).unwrap();
    let f = Files::new("real-packument");
    f.write(
        "sigstore.json",
        &serde_json::json!({ "name": "sigstore", "dist-tags": { "latest": "1.0.0" },
            "time": { "1.0.0": "2023-02-09T17:56:05.000Z" }, "versions": { "1.0.0": excerpt } })
        .to_string(),
    );
    let packument = f.path("sigstore.json");
    let out = run(
        &[
            "verify",
            "--attestations",
            &attestations,
            "--package",
            "sigstore@1.0.0",
            "--packument",
            &packument,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout)
            .contains("✓ Registry signature (dist.signatures): The registry's signature over sigstore@1.0.0"),
        "{}",
        text(&out.stdout)
    );
    // The same document does not describe another version.
    let other = run(
        &[
            "verify",
            "--attestations",
            &attestations,
            "--package",
            "sigstore@2.3.1",
            "--packument",
            &document,
        ],
        None,
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(
        text(&other.stderr).contains("lists version 2.3.1 with the document of version 1.0.0"),
        "{}",
        text(&other.stderr)
    );
}

/// `--key`: a keyed bundle (the registry's publish attestation) verifies with
/// the key that signed it, and with no other: a key given on the command line
/// is the only signer accepted, whatever key the bundle's hint names.
#[test]
fn a_keyed_bundle_verifies_with_its_key_and_fails_with_another() {
    let f = Files::new("key");
    let kit = Sigstore::new();
    let publish = kit.keyed_bundle(
        &kit::publish_statement("widget", "1.0.0", &f.sha512),
        &Faults::default(),
    );
    f.write("publish.json", &publish);
    f.write("registry.pem", &kit.registry_public_key_pem());
    f.write("other.pem", &kit.other_public_key_pem());
    let (bundle, root) = (f.path("publish.json"), f.path("trusted_root.json"));
    let digest = format!("sha512:{}", f.sha512);
    let with_key = |key: &str| {
        let key = f.path(key);
        run(
            &[
                "verify",
                "--bundle",
                &bundle,
                "--digest",
                &digest,
                "--trusted-root",
                &root,
                "--key",
                &key,
            ],
            None,
        )
    };
    let ok = with_key("registry.pem");
    assert_eq!(ok.status.code(), Some(0), "{}{}", text(&ok.stdout), text(&ok.stderr));
    let stdout = text(&ok.stdout);
    assert!(stdout.starts_with("VERIFIED:"), "{stdout}");
    assert!(
        stdout.contains(
            "✓ Signature: The DSSE signature over the payload type and payload (PAE) verifies with the given key."
        ),
        "{stdout}"
    );
    let other = with_key("other.pem");
    assert_eq!(
        other.status.code(),
        Some(1),
        "{}{}",
        text(&other.stdout),
        text(&other.stderr)
    );
    let stdout = text(&other.stdout);
    assert!(stdout.starts_with("FAILED:"), "{stdout}");
    assert!(
        stdout.contains("✗ Signature: The DSSE signature does not verify with the given key"),
        "{stdout}"
    );
}

/// `--expect-workflow`: provenance built by another workflow of the same
/// repository (say, a manual one anyone with write access can run) is
/// rejected, and the message names both build files.
#[test]
fn another_workflow_than_expected_exits_1_and_names_it() {
    let f = Files::new("workflow");
    let out = f.attestations("good.json", &["--expect-workflow", ".github/workflows/other.yml"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("FAILED:"), "{stdout}");
    assert!(
        stdout.contains(
            "✗ Expected identity: Not the expected signer: build file .github/workflows/other.yml was expected, \
             the certificate names .github/workflows/release.yml."
        ),
        "{stdout}"
    );
    // The right workflow verifies.
    let right = f.attestations("good.json", &["--expect-workflow", ".github/workflows/release.yml"]);
    assert_eq!(right.status.code(), Some(0), "{}", text(&right.stdout));
}

/// `--certificate-identity`: a bundle signed by another identity than the
/// one named is rejected, for one bundle and for a package's attestations,
/// and the message names the identity expected and the one found.
#[test]
fn another_certificate_identity_than_expected_exits_1_and_names_it() {
    let f = Files::new("identity");
    let expected = "https://github.com/acme/widget/.github/workflows/other.yml@refs/heads/main";
    let says = format!(
        "✗ Expected identity: Not the expected signer: identity {expected} was expected, the certificate names \
         https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main."
    );
    let identity = [
        "--certificate-identity",
        expected,
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
    ];
    let (bundle, root) = (f.path("provenance.json"), f.path("trusted_root.json"));
    let digest = format!("sha512:{}", f.sha512);
    let mut args = vec![
        "verify",
        "--bundle",
        &bundle,
        "--digest",
        &digest,
        "--trusted-root",
        &root,
    ];
    args.extend(identity);
    let single = run(&args, None);
    assert_eq!(
        single.status.code(),
        Some(1),
        "{}{}",
        text(&single.stdout),
        text(&single.stderr)
    );
    assert!(text(&single.stdout).contains(&says), "{}", text(&single.stdout));

    let attestations = f.attestations("good.json", &identity);
    assert_eq!(attestations.status.code(), Some(1), "{}", text(&attestations.stdout));
    assert!(
        text(&attestations.stdout).contains(&says),
        "{}",
        text(&attestations.stdout)
    );
}
