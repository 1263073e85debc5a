//! The pull-request gate as CI runs it: `scripts/action/install.sh` and
//! `run.sh` (what `action.yml` and the GitLab template run), outside GitHub,
//! with the environment a runner gives them, in git repositories made here.
//! The install part is asked about every runner and fed release archives from
//! a local server; the run part is tried first with a stand-in binary that
//! records how it was called (lockfile detection, the base, the inputs) and
//! then with the real one against the test registry (annotations, outputs,
//! summary, exit status per fail-on). The workflow files must parse as YAML
//! and say what the scripts expect.

mod common;
use common::{BIN, registry, tls};

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn script(name: &str) -> PathBuf {
    root().join("scripts/action").join(name)
}

/// A folder of the test's own, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("np-action-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn executable(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `bash scripts/action/NAME` with nothing of this process's environment but
/// PATH: what a CI job would set (GITHUB_*, RUNNER_*, INPUT_*) is the test's
/// to give, and a test run inside CI must not leak its own into it.
fn runner(name: &str, home: &Path) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(script(name))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    command
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A repository as the forge holds it: `main` with the base lockfile, a
/// `feature` branch on top with the head one. The forge serves commits by id
/// (GitHub and GitLab do), which a shallow checkout needs to fetch the base.
struct Forge {
    origin: PathBuf,
    base: String,
    head: String,
}

impl Forge {
    fn new(scratch: &Scratch, files: &str, base: &str, head: &str) -> Self {
        let origin = scratch.path("origin");
        std::fs::create_dir_all(&origin).unwrap();
        git(&origin, &["init", "--quiet", "--initial-branch=main"]);
        git(&origin, &["config", "uploadpack.allowAnySHA1InWant", "true"]);
        std::fs::write(origin.join(files), base).unwrap();
        git(&origin, &["add", "."]);
        git(&origin, &["commit", "--quiet", "-m", "base"]);
        let base = git(&origin, &["rev-parse", "HEAD"]);
        git(&origin, &["checkout", "--quiet", "-b", "feature"]);
        std::fs::write(origin.join(files), head).unwrap();
        git(&origin, &["commit", "--quiet", "-am", "head"]);
        let head = git(&origin, &["rev-parse", "HEAD"]);
        Self { origin, base, head }
    }

    /// What actions/checkout makes by default: the head commit alone.
    fn shallow_checkout(&self, into: &Path) {
        let url = format!("file://{}", self.origin.display());
        git(
            Path::new("/"),
            &[
                "clone",
                "--quiet",
                "--depth=1",
                "--branch=feature",
                &url,
                into.to_str().unwrap(),
            ],
        );
    }

    fn has(&self, checkout: &Path, commit: &str) -> bool {
        Command::new("git")
            .arg("-C")
            .arg(checkout)
            .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    }
}

// ---------------------------------------------------------------------------
// install.sh

/// The targets `dist-workspace.toml` builds.
fn release_targets() -> Vec<String> {
    let config = std::fs::read_to_string(root().join("dist-workspace.toml")).unwrap();
    let line = config
        .lines()
        .find(|l| l.starts_with("targets = ["))
        .expect("dist-workspace.toml lists its targets");
    line.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn install_names_the_release_archive_of_each_runner() {
    let scratch = Scratch::new("archives");
    let targets = release_targets();
    let cases = [
        ("Linux", "X64", Some("npm-provenance-x86_64-unknown-linux-musl.tar.xz")),
        (
            "Linux",
            "ARM64",
            Some("npm-provenance-aarch64-unknown-linux-gnu.tar.xz"),
        ),
        ("macOS", "X64", Some("npm-provenance-x86_64-apple-darwin.tar.xz")),
        ("macOS", "ARM64", Some("npm-provenance-aarch64-apple-darwin.tar.xz")),
        ("Windows", "X64", Some("npm-provenance-x86_64-pc-windows-msvc.zip")),
        ("Windows", "ARM64", None),
        ("Linux", "ARM", None),
    ];
    for (os, arch, expected) in cases {
        let output = runner("install.sh", &scratch.0)
            .arg("archive")
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        match expected {
            Some(name) => {
                assert!(output.status.success(), "{os} {arch}: {stderr}");
                assert_eq!(stdout.trim(), name, "{os} {arch}");
                let target = name
                    .trim_start_matches("npm-provenance-")
                    .trim_end_matches(".tar.xz")
                    .trim_end_matches(".zip");
                assert!(
                    targets.iter().any(|t| t == target),
                    "{target} is not built by the release workflow ({targets:?})"
                );
            }
            None => {
                assert_eq!(output.status.code(), Some(2), "{os} {arch}: {stdout}");
                assert!(
                    stderr.contains(&format!("no release archive is built for {os} {arch}")),
                    "{stderr}"
                );
            }
        }
    }
}

#[test]
fn install_picks_the_release_from_the_input_the_action_ref_or_the_crate_version() {
    let scratch = Scratch::new("version");
    let cli_version = std::fs::read_to_string(root().join("crates/cli/Cargo.toml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let source = root().display().to_string();
    let plan = |env: &[(&str, &str)]| {
        let mut command = runner("install.sh", &scratch.0);
        command.arg("plan").env("RUNNER_OS", "Linux").env("RUNNER_ARCH", "X64");
        for (k, v) in env {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        let (stdout, stderr) = text(&output);
        (output.status.code(), stdout, stderr)
    };
    let (status, stdout, _) = plan(&[
        ("NPM_PROVENANCE_VERSION", "v0.9.0"),
        ("NPM_PROVENANCE_ACTION_REF", "v1.2.3"),
    ]);
    assert_eq!(status, Some(0));
    assert_eq!(
        stdout,
        "version=v0.9.0\ntarget=x86_64-unknown-linux-musl\nkey=npm-provenance-v0.9.0-Linux-X64\n"
    );
    // A release tag as the action's ref is that release.
    let (_, stdout, _) = plan(&[
        ("NPM_PROVENANCE_ACTION_REF", "v1.2.3"),
        ("NPM_PROVENANCE_SOURCE", &source),
    ]);
    assert!(stdout.starts_with("version=v1.2.3\n"), "{stdout}");
    // A major tag, a branch or a commit: the version that ref's source states.
    for r#ref in ["v1", "main", "0123456789abcdef0123456789abcdef01234567"] {
        let (_, stdout, _) = plan(&[("NPM_PROVENANCE_ACTION_REF", r#ref), ("NPM_PROVENANCE_SOURCE", &source)]);
        assert!(
            stdout.starts_with(&format!("version=v{cli_version}\n")),
            "{ref}: {stdout}"
        );
    }
    // With github.action_ref left empty, the ref is the action's folder.
    let (_, stdout, _) = plan(&[(
        "NPM_PROVENANCE_SOURCE",
        "/home/runner/work/_actions/acme/npm-provenance/v2.0.1",
    )]);
    assert!(stdout.starts_with("version=v2.0.1\n"), "{stdout}");
    // Nothing to go by.
    let (status, _, stderr) = plan(&[("NPM_PROVENANCE_ACTION_REF", "v1")]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("set the version input"), "{stderr}");
}

/// A working binary already in NPM_PROVENANCE_HOME (restored by the cache)
/// is kept, and nothing is downloaded.
#[test]
fn install_keeps_a_cached_binary() {
    let scratch = Scratch::new("cached");
    let home = scratch.path("tool");
    std::fs::create_dir_all(home.join("bin")).unwrap();
    std::os::unix::fs::symlink(BIN, home.join("bin/npm-provenance")).unwrap();
    let github_path = scratch.write("github_path", "");
    let output = runner("install.sh", &scratch.0)
        .arg("install")
        .env("GITHUB_ACTIONS", "true")
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("NPM_PROVENANCE_HOME", &home)
        .env("NPM_PROVENANCE_VERSION", "v0.1.0")
        // Nothing listens there: a download would fail the step.
        .env("NPM_PROVENANCE_DOWNLOAD_URL", "http://127.0.0.1:9/none")
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("(cached)"), "{stderr}");
    assert!(!stderr.contains("downloading"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&github_path).unwrap(),
        format!("{}/bin\n", home.display())
    );
}

/// A tiny HTTP server with fixed files; anything else is a 404.
fn serve(files: HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let (status, body) = match files.get(&path) {
                Some(body) => ("200 OK", body.clone()),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    url
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A release archive as cargo-dist makes it: one folder named like the
/// archive, holding the binary (here a script).
fn release_archive(scratch: &Scratch, target: &str, binary: &str) -> Vec<u8> {
    let folder = format!("npm-provenance-{target}");
    executable(&scratch.path(&format!("pack/{folder}/npm-provenance")), binary);
    scratch.write(&format!("pack/{folder}/README.md"), "readme\n");
    let archive = scratch.path("archive.tar.xz");
    let status = Command::new("tar")
        .arg("-cJf")
        .arg(&archive)
        .arg("-C")
        .arg(scratch.path("pack"))
        .arg(&folder)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(archive).unwrap()
}

#[test]
fn install_downloads_the_release_archive_and_checks_its_checksum() {
    let scratch = Scratch::new("download");
    let target = "x86_64-unknown-linux-musl";
    let name = format!("npm-provenance-{target}.tar.xz");
    let archive = release_archive(&scratch, target, "#!/bin/sh\necho 'npm-provenance 9.9.9'\n");
    let good = format!("{} *{name}\n\n", sha256_hex(&archive));
    let bad = format!("{} *{name}\n\n", sha256_hex(b"other bytes"));
    let url = serve(HashMap::from([
        (format!("/good/{name}"), archive.clone()),
        (format!("/good/{name}.sha256"), good.into_bytes()),
        (format!("/bad/{name}"), archive.clone()),
        (format!("/bad/{name}.sha256"), bad.into_bytes()),
        (format!("/unchecked/{name}"), archive),
    ]));
    // cargo, should the script build from source: records how it was called
    // and installs a stand-in.
    let fake_bin = scratch.path("fake-bin");
    executable(
        &fake_bin.join("cargo"),
        &format!(
            "#!/bin/sh\necho \"$@\" > {log}\nwhile [ \"$1\" != --root ]; do shift; done\nmkdir -p \"$2/bin\"\nprintf '#!/bin/sh\\necho npm-provenance 0.0.0-source\\n' > \"$2/bin/npm-provenance\"\nchmod +x \"$2/bin/npm-provenance\"\n",
            log = scratch.path("cargo.log").display()
        ),
    );
    let install = |release: &str, home: &Path| {
        let path = format!("{}:{}", fake_bin.display(), std::env::var("PATH").unwrap());
        runner("install.sh", &scratch.0)
            .arg("install")
            .env("PATH", path)
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("NPM_PROVENANCE_HOME", home)
            .env("NPM_PROVENANCE_VERSION", "v9.9.9")
            .env("NPM_PROVENANCE_SOURCE", root())
            .env("NPM_PROVENANCE_DOWNLOAD_URL", format!("{url}/{release}"))
            .output()
            .unwrap()
    };

    let home = scratch.path("good");
    let output = install("good", &home);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("matches"), "{stderr}");
    let installed = Command::new(home.join("bin/npm-provenance")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&installed.stdout), "npm-provenance 9.9.9\n");
    assert!(!scratch.path("cargo.log").exists(), "built from source too");

    // Bytes other than the release's: refused, nothing installed, no build.
    let home = scratch.path("bad");
    let output = install("bad", &home);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("does not match its checksum"), "{stderr}");
    assert!(stdout.starts_with("::error title=npm-provenance install::"), "{stdout}");
    assert!(!home.join("bin/npm-provenance").exists());
    assert!(!scratch.path("cargo.log").exists());

    // An archive without its checksum is not installed unchecked.
    let home = scratch.path("unchecked");
    let output = install("unchecked", &home);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not installed unchecked"), "{stderr}");
    assert!(!home.join("bin/npm-provenance").exists());

    // No archive for this release: built from the action's own source.
    let home = scratch.path("source");
    let output = install("missing", &home);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("has no npm-provenance-x86_64-unknown-linux-musl.tar.xz"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(scratch.path("cargo.log")).unwrap().trim(),
        format!(
            "install --locked --root {} --path {}/crates/cli",
            home.display(),
            root().display()
        )
    );
    assert!(stderr.contains("installed npm-provenance 0.0.0-source"), "{stderr}");
}

// ---------------------------------------------------------------------------
// run.sh with a stand-in binary: how it calls audit

/// A stand-in for npm-provenance that writes its folder and arguments, one a
/// line, to `calls`, prints an annotation, and exits with $STUB_EXIT.
fn stub_home(scratch: &Scratch) -> PathBuf {
    let home = scratch.path("tool");
    executable(&home.join("bin/npm-provenance"), &stub(scratch));
    home
}

fn stub(scratch: &Scratch) -> String {
    format!(
        "#!/bin/sh\npwd > {calls}\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {calls}; done\necho '::warning title=stub::called'\nexit \"${{STUB_EXIT:-0}}\"\n",
        calls = scratch.path("calls").display()
    )
}

/// What the stand-in was called with: its folder, then its arguments.
fn calls(scratch: &Scratch) -> Vec<String> {
    std::fs::read_to_string(scratch.path("calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// run.sh as the action runs it on GitHub, in `workspace`.
fn github_run(scratch: &Scratch, home: &Path, workspace: &Path) -> Command {
    let mut command = runner("run.sh", &scratch.0);
    command
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", scratch.path("github_output"))
        .env("GITHUB_STEP_SUMMARY", scratch.path("step_summary"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("NPM_PROVENANCE_HOME", home)
        // As the composite action passes its inputs (empty when not given).
        .env("INPUT_LOCKFILE", "")
        .env("INPUT_BASE_REF", "")
        .env("INPUT_FAIL_ON", "downgrade")
        .env("INPUT_REGISTRY", "https://registry.npmjs.org")
        .env("INPUT_ARGS", "")
        .current_dir(&scratch.0);
    command
}

#[test]
fn run_finds_the_lockfile_or_names_the_ones_it_looked_for() {
    let scratch = Scratch::new("detect");
    let home = stub_home(&scratch);
    let workspace = scratch.path("ws");
    std::fs::create_dir_all(&workspace).unwrap();
    let run = || {
        let _ = std::fs::remove_file(scratch.path("calls"));
        github_run(&scratch, &home, &workspace)
            .env("INPUT_BASE_REF", "main")
            .output()
            .unwrap()
    };

    let output = run();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    let names = "npm-shrinkwrap.json package-lock.json pnpm-lock.yaml yarn.lock bun.lock";
    assert!(
        stdout.starts_with("::error title=npm-provenance::no lockfile in "),
        "{stdout}"
    );
    assert!(stdout.contains(names), "{stdout}");
    assert!(calls(&scratch).is_empty(), "audit ran without a lockfile");

    // One at a time, each is found; then with the ones before it, the first wins.
    let mut present = Vec::new();
    for name in names.split(' ').rev() {
        std::fs::write(workspace.join(name), "{}").unwrap();
        present.insert(0, name);
        let output = run();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stdout}{stderr}");
        assert_eq!(calls(&scratch)[1..3], ["audit".to_string(), name.to_string()]);
        if present.len() > 1 {
            assert!(
                stdout.contains(&format!(
                    "::notice title=npm-provenance::auditing {name}, the first of {}",
                    present.join(" ")
                )),
                "{stdout}"
            );
        }
    }

    // The input wins, relative to the workspace; one that is not there is an error.
    std::fs::create_dir_all(workspace.join("web")).unwrap();
    std::fs::write(workspace.join("web/pnpm-lock.yaml"), "lockfileVersion: '9.0'\n").unwrap();
    let output = github_run(&scratch, &home, &workspace)
        .env("INPUT_LOCKFILE", "web/pnpm-lock.yaml")
        .env("INPUT_BASE_REF", "main")
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", text(&output));
    assert_eq!(calls(&scratch)[2], "web/pnpm-lock.yaml");
    let output = github_run(&scratch, &home, &workspace)
        .env("INPUT_LOCKFILE", "app/yarn.lock")
        .env("INPUT_BASE_REF", "main")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).0.contains("the lockfile app/yarn.lock is not in"));
}

#[test]
fn run_passes_the_inputs_and_returns_audits_exit_status() {
    let scratch = Scratch::new("inputs");
    let home = stub_home(&scratch);
    let workspace = scratch.path("ws");
    std::fs::create_dir_all(&workspace).unwrap();
    std::fs::write(workspace.join("package-lock.json"), "{}").unwrap();
    for status in [0, 1, 2] {
        let output = github_run(&scratch, &home, &workspace)
            .env("INPUT_BASE_REF", "v1.0.0")
            .env("INPUT_FAIL_ON", "downgrade,unverified")
            .env("INPUT_REGISTRY", "https://registry.example")
            .env(
                "INPUT_ARGS",
                "--concurrency 4  --gitlab-issuer https://gitlab.example.com",
            )
            .env("STUB_EXIT", status.to_string())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(status), "{stdout}{stderr}");
        // Annotations reach the runner on standard output, untouched.
        assert_eq!(stdout, "::warning title=stub::called\n");
        assert_eq!(
            calls(&scratch),
            [
                workspace.display().to_string().as_str(),
                "audit",
                "package-lock.json",
                "--base",
                "v1.0.0",
                "--fail-on",
                "downgrade,unverified",
                "--registry",
                "https://registry.example",
                "--concurrency",
                "4",
                "--gitlab-issuer",
                "https://gitlab.example.com",
                "--format",
                "github"
            ]
        );
    }
}

#[test]
fn run_defaults_the_base_and_fetches_what_a_shallow_checkout_lacks() {
    let scratch = Scratch::new("base");
    let home = stub_home(&scratch);
    let forge = Forge::new(&scratch, "package-lock.json", "{\"base\":1}", "{\"head\":1}");

    // A pull request: GITHUB_BASE_REF names the base branch, which a
    // one-commit checkout does not have.
    let workspace = scratch.path("ws1");
    forge.shallow_checkout(&workspace);
    assert!(!forge.has(&workspace, &forge.base));
    let output = github_run(&scratch, &home, &workspace)
        .env("GITHUB_BASE_REF", "main")
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", text(&output));
    assert_eq!(calls(&scratch)[3..5], ["--base".to_string(), "origin/main".to_string()]);
    assert_eq!(git(&workspace, &["rev-parse", "origin/main"]), forge.base);
    assert_eq!(
        git(&workspace, &["show", "origin/main:./package-lock.json"]),
        "{\"base\":1}"
    );
    // Still shallow: one commit was fetched, not the history.
    assert_eq!(git(&workspace, &["rev-parse", "--is-shallow-repository"]), "true");

    // The pull request's base commit, as the action passes it.
    let workspace = scratch.path("ws2");
    forge.shallow_checkout(&workspace);
    let output = github_run(&scratch, &home, &workspace)
        .env("GITHUB_BASE_REF", "main")
        .env("INPUT_BASE_REF", &forge.base)
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", text(&output));
    assert_eq!(calls(&scratch)[4], forge.base);
    assert!(forge.has(&workspace, &forge.base));
    assert_eq!(git(&workspace, &["rev-parse", "HEAD"]), forge.head);

    // Not a pull request, no base given.
    let output = github_run(&scratch, &home, &workspace).output().unwrap();
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout.contains("no base to compare with: this is not a pull request (set the base-ref input)"),
        "{stdout}"
    );

    // A base that is nowhere.
    let output = github_run(&scratch, &home, &workspace)
        .env("INPUT_BASE_REF", "0000000000000000000000000000000000000001")
        .output()
        .unwrap();
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout.contains("could not be fetched (check out with fetch-depth: 0)"),
        "{stdout}"
    );
}

#[test]
fn run_on_gitlab_writes_the_code_quality_report() {
    let scratch = Scratch::new("gitlab");
    let home = stub_home(&scratch);
    let forge = Forge::new(&scratch, "yarn.lock", "# base\n", "# head\n");
    let workspace = scratch.path("project");
    forge.shallow_checkout(&workspace);
    let output = runner("run.sh", &scratch.0)
        .env("GITLAB_CI", "true")
        .env("CI_PROJECT_DIR", &workspace)
        .env("CI_MERGE_REQUEST_ID", "7")
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &forge.base)
        .env("NPM_PROVENANCE_HOME", &home)
        .env("INPUT_LOCKFILE", "")
        .env("INPUT_BASE_REF", "")
        .env("INPUT_FAIL_ON", "any")
        .env("INPUT_REGISTRY", "https://registry.npmjs.org")
        .env("INPUT_ARGS", "")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("::"), "GitHub's commands on GitLab: {stdout}");
    let called = calls(&scratch);
    assert_eq!(
        called[1..],
        [
            "audit",
            "yarn.lock",
            "--base",
            &forge.base,
            "--fail-on",
            "any",
            "--registry",
            "https://registry.npmjs.org",
            "--format",
            "gitlab"
        ]
    );
    // Audit's standard output is the report GitLab reads.
    assert_eq!(
        std::fs::read_to_string(workspace.join("gl-code-quality-report.json")).unwrap(),
        "::warning title=stub::called\n"
    );
}

// ---------------------------------------------------------------------------
// run.sh with the real binary, against the test registry

/// The test registry, its trust, and a forge whose `feature` branch changes
/// the package-lock.json of `main`.
struct Gate {
    scratch: Scratch,
    registry: test_registry::Running,
    forge: Forge,
    home: PathBuf,
}

impl Gate {
    /// `base` and `head`: the synthetic packages (name, version) each installs.
    fn new(test: &str, base: &[(&str, &str)], head: &[(&str, &str)]) -> Self {
        let scratch = Scratch::new(test);
        let registry = registry();
        let get = |path: &str| {
            tls();
            let url = format!("{}{path}", registry.url(""));
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
        };
        scratch.write("trusted-root.json", &get("/-/test/trusted-root.json"));
        scratch.write("keys.json", &get("/-/test/keys.json"));
        let lockfile = |packages: &[(&str, &str)]| {
            let mut entries = serde_json::Map::new();
            let mut deps = serde_json::Map::new();
            for (name, version) in packages {
                let doc: Value = serde_json::from_str(&get(&format!("/synthetic/{name}/{version}"))).unwrap();
                deps.insert(name.to_string(), json!(version));
                entries.insert(
                    format!("node_modules/{name}"),
                    json!({
                        "version": version,
                        "resolved": format!("https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"),
                        "integrity": doc["dist"]["integrity"],
                    }),
                );
            }
            entries.insert(
                String::new(),
                json!({ "name": "project", "version": "1.0.0", "dependencies": deps }),
            );
            serde_json::to_string_pretty(&json!({
                "name": "project", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
                "packages": entries,
            }))
            .unwrap()
        };
        let forge = Forge::new(&scratch, "package-lock.json", &lockfile(base), &lockfile(head));
        let home = scratch.path("tool");
        std::fs::create_dir_all(home.join("bin")).unwrap();
        std::os::unix::fs::symlink(BIN, home.join("bin/npm-provenance")).unwrap();
        Self {
            scratch,
            registry,
            forge,
            home,
        }
    }

    fn trust_args(&self) -> String {
        format!(
            "--trusted-root {} --keys {} --no-cache",
            self.scratch.path("trusted-root.json").display(),
            self.scratch.path("keys.json").display()
        )
    }

    /// The action's run step in a fresh one-commit checkout of the head, as
    /// on a pull request's first run.
    fn run(&self, fail_on: &str) -> (Output, HashMap<String, String>, String) {
        let workspace = self.scratch.path(&format!("ws-{}", fail_on.replace(',', "-")));
        self.forge.shallow_checkout(&workspace);
        for file in ["github_output", "step_summary"] {
            let _ = std::fs::remove_file(self.scratch.path(file));
        }
        let output = github_run(&self.scratch, &self.home, &workspace)
            .env("GITHUB_BASE_REF", "main")
            .env("INPUT_BASE_REF", &self.forge.base)
            .env("INPUT_FAIL_ON", fail_on)
            .env("INPUT_REGISTRY", self.registry.url("synthetic"))
            .env("INPUT_ARGS", self.trust_args())
            .output()
            .unwrap();
        let outputs = std::fs::read_to_string(self.scratch.path("github_output"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let summary = std::fs::read_to_string(self.scratch.path("step_summary")).unwrap_or_default();
        (output, outputs, summary)
    }

    /// The GitLab job's run step: the exit status and the code-quality report.
    fn run_gitlab(&self, fail_on: &str) -> (Output, Value) {
        let project = self.scratch.path(&format!("project-{fail_on}"));
        self.forge.shallow_checkout(&project);
        let output = runner("run.sh", &self.scratch.0)
            .env("GITLAB_CI", "true")
            .env("CI_PROJECT_DIR", &project)
            .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &self.forge.base)
            .env("NPM_PROVENANCE_HOME", &self.home)
            .env("INPUT_FAIL_ON", fail_on)
            .env("INPUT_REGISTRY", self.registry.url("synthetic"))
            .env("INPUT_ARGS", self.trust_args())
            .output()
            .unwrap();
        let report = std::fs::read_to_string(project.join("gl-code-quality-report.json")).unwrap();
        let report = serde_json::from_str(&report)
            .unwrap_or_else(|e| panic!("{e}: {report}\n{}", String::from_utf8_lossy(&output.stderr)));
        (output, report)
    }
}

/// A version published with weaker evidence than the base's (trusted
/// publishing, then a token, and so no verified provenance): annotated on
/// its lockfile line, in the summary and the outputs; it fails the check
/// when the policy says so.
#[test]
fn the_gate_annotates_a_downgrade_and_fails_by_the_policy() {
    let gate = Gate::new(
        "downgrade",
        &[("downgrade-token", "1.0.0"), ("audit-0", "1.0.0")],
        &[("downgrade-token", "1.1.0"), ("audit-0", "1.0.0")],
    );
    let head_lockfile = git(&gate.forge.origin, &["show", "feature:package-lock.json"]);
    let line = head_lockfile
        .lines()
        .position(|l| l.contains("\"node_modules/downgrade-token\""))
        .unwrap()
        + 1;
    let annotation = |level: &str, title: &str| {
        format!("::{level} file=package-lock.json,line={line},title={title}%3A downgrade-token@1.1.0::")
    };
    let has = |stdout: &str, want: &str| stdout.lines().any(|l| l.starts_with(want));

    for (fail_on, failing) in [("downgrade", "1"), ("any", "2")] {
        let (output, outputs, summary) = gate.run(fail_on);
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{fail_on}: {stdout}{stderr}");
        assert!(
            stderr
                .trim_end()
                .lines()
                .last()
                .unwrap()
                .starts_with("npm-provenance audit: not passed: "),
            "{stderr}"
        );
        assert!(has(&stdout, &annotation("error", "Trust downgrade")), "{stdout}");
        let expected: HashMap<String, String> = [
            ("result", "failed"),
            ("findings", "2"),
            ("failing", failing),
            ("checked", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(outputs, expected, "{fail_on}");
        assert!(summary.starts_with("### npm provenance: failed"), "{summary}");
        assert!(summary.contains("downgrade-token"), "{summary}");
    }

    // A policy the change does not break: said, not failed.
    let (output, outputs, summary) = gate.run("provenance-change");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(has(&stdout, &annotation("warning", "Trust downgrade")), "{stdout}");
    assert!(!stdout.contains("::error"), "{stdout}");
    assert_eq!(outputs["result"], "passed", "{outputs:?}");
    assert_eq!(outputs["failing"], "0", "{outputs:?}");
    assert_eq!(outputs["findings"], "2", "{outputs:?}");
    assert!(summary.contains("downgrade-token"), "{summary}");

    // On GitLab: the same findings in the code-quality report, at the same line.
    let (output, report) = gate.run_gitlab("downgrade");
    assert_eq!(output.status.code(), Some(1), "{:?}", text(&output));
    let issues = report.as_array().unwrap();
    assert_eq!(issues.len(), 2, "{report:#}");
    for issue in issues {
        assert_eq!(issue["location"]["path"], "package-lock.json", "{issue}");
        assert_eq!(issue["location"]["lines"]["begin"], line, "{issue}");
    }
}

/// A pull request that adds a version with provenance passes every policy.
#[test]
fn the_gate_passes_a_change_that_keeps_provenance() {
    let gate = Gate::new(
        "upgrade",
        &[("audit-0", "1.0.0")],
        &[("audit-0", "1.0.0"), ("audit-1", "1.0.0")],
    );
    let (output, outputs, summary) = gate.run("any");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("::error"), "{stdout}");
    assert_eq!(outputs["result"], "passed", "{outputs:?}");
    assert_eq!(outputs["findings"], "0", "{outputs:?}");
    assert_eq!(outputs["checked"], "1", "{outputs:?}");
    assert!(summary.starts_with("### npm provenance: passed"), "{summary}");
    let (output, report) = gate.run_gitlab("any");
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    assert_eq!(report, json!([]));
}

// ---------------------------------------------------------------------------
// The workflow files

#[derive(Debug)]
enum Yaml {
    Scalar(String),
    List(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn at(&self, path: &[&str]) -> &Yaml {
        path.iter().fold(self, |node, key| {
            node.get(key).unwrap_or_else(|| panic!("no {key} in {path:?}"))
        })
    }

    fn str(&self) -> &str {
        match self {
            Yaml::Scalar(s) => s,
            other => panic!("not a scalar: {other:?}"),
        }
    }

    fn list(&self) -> &[Yaml] {
        match self {
            Yaml::List(items) => items,
            other => panic!("not a list: {other:?}"),
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Yaml::Map(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            other => panic!("not a map: {other:?}"),
        }
    }
}

/// The file as a tree, by a YAML 1.2 parser (the one the core reads pnpm's
/// lockfiles with); a syntax error, an alias or a key given twice fails.
fn yaml(relative: &str) -> Yaml {
    use saphyr_parser::{Event, Parser};
    let source = std::fs::read_to_string(root().join(relative)).unwrap();
    let mut stack: Vec<(Yaml, Option<String>)> = Vec::new();
    let mut done = None;
    for event in Parser::new_from_str(&source) {
        let (event, span) = event.unwrap_or_else(|e| panic!("{relative}: {e}"));
        let node = match event {
            Event::Scalar(value, ..) => Yaml::Scalar(value.into_owned()),
            Event::SequenceStart(..) => {
                stack.push((Yaml::List(Vec::new()), None));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push((Yaml::Map(Vec::new()), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => stack.pop().unwrap().0,
            Event::Alias(_) => panic!("{relative}: an alias at {span:?}"),
            _ => continue,
        };
        match stack.last_mut() {
            None => done = Some(node),
            Some((Yaml::List(items), _)) => items.push(node),
            Some((Yaml::Map(entries), key)) => match key.take() {
                None => *key = Some(node.str().to_string()),
                Some(k) => {
                    assert!(entries.iter().all(|(e, _)| *e != k), "{relative}: {k} given twice");
                    entries.push((k, node));
                }
            },
            Some((Yaml::Scalar(_), _)) => unreachable!(),
        }
    }
    done.unwrap_or_else(|| panic!("{relative} is empty"))
}

#[test]
fn action_yml_declares_what_the_scripts_read() {
    let action = yaml("action.yml");
    assert_eq!(action.at(&["runs", "using"]).str(), "composite");
    let inputs = action.at(&["inputs"]).keys();
    assert_eq!(
        inputs,
        ["lockfile", "base-ref", "fail-on", "registry", "version", "args"]
    );
    assert_eq!(action.at(&["inputs", "fail-on", "default"]).str(), "downgrade");
    assert_eq!(
        action.at(&["inputs", "registry", "default"]).str(),
        "https://registry.npmjs.org"
    );
    assert!(
        action
            .at(&["inputs", "base-ref", "default"])
            .str()
            .contains("github.event.pull_request.base.sha")
    );
    for output in ["result", "findings", "failing", "checked"] {
        assert_eq!(
            action.at(&["outputs", output, "value"]).str(),
            format!("${{{{ steps.audit.outputs.{output} }}}}")
        );
    }
    let steps = action.at(&["runs", "steps"]).list();
    let run_of = |id: &str| {
        steps
            .iter()
            .find(|s| s.get("id").map(Yaml::str) == Some(id))
            .unwrap_or_else(|| panic!("no step {id}"))
    };
    let audit = run_of("audit");
    assert!(audit.at(&["run"]).str().contains("scripts/action/run.sh"));
    // Every input reaches run.sh under the name it reads.
    for (input, var) in [
        ("lockfile", "INPUT_LOCKFILE"),
        ("base-ref", "INPUT_BASE_REF"),
        ("fail-on", "INPUT_FAIL_ON"),
        ("registry", "INPUT_REGISTRY"),
        ("args", "INPUT_ARGS"),
    ] {
        assert_eq!(audit.at(&["env", var]).str(), format!("${{{{ inputs.{input} }}}}"));
    }
    let cache = steps
        .iter()
        .find(|s| s.get("uses").is_some_and(|u| u.str().starts_with("actions/cache@")))
        .expect("a cache step");
    assert_eq!(cache.at(&["with", "key"]).str(), "${{ steps.plan.outputs.key }}");
    assert!(run_of("plan").at(&["run"]).str().contains("install.sh\" plan"));
    for step in steps {
        if let Some(run) = step.get("run") {
            assert_eq!(step.at(&["shell"]).str(), "bash");
            let file = run
                .str()
                .split('"')
                .find_map(|p| p.strip_prefix("$GITHUB_ACTION_PATH/"))
                .unwrap();
            assert!(root().join(file).is_file(), "{file}");
        }
    }
}

#[test]
fn the_release_workflow_builds_attests_and_checksums_every_target() {
    let release = yaml(".github/workflows/release.yml");
    let jobs = release.at(&["jobs"]).keys();
    for job in ["plan", "build-local-artifacts", "build-global-artifacts", "host"] {
        assert!(jobs.contains(&job), "{job} not in {jobs:?}");
    }
    // The archives are attested where they are built, with the job's own
    // OIDC identity.
    let build = release.at(&["jobs", "build-local-artifacts"]);
    assert_eq!(build.at(&["permissions", "attestations"]).str(), "write");
    assert_eq!(build.at(&["permissions", "id-token"]).str(), "write");
    let attest = build
        .at(&["steps"])
        .list()
        .iter()
        .find(|s| s.get("uses").is_some_and(|u| u.str().starts_with("actions/attest")))
        .expect("an attestation step");
    assert!(
        attest
            .at(&["with", "subject-path"])
            .str()
            .starts_with("target/distrib/")
    );
    let config = std::fs::read_to_string(root().join("dist-workspace.toml")).unwrap();
    assert!(config.contains("checksum = \"sha256\""));
    assert!(config.contains("github-attestations = true"));
    let mut targets = release_targets();
    targets.sort();
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-gnu",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-gnu",
            "x86_64-unknown-linux-musl"
        ]
    );
}

#[test]
fn the_gitlab_template_runs_on_merge_requests_and_reports_code_quality() {
    let template = yaml("ci/gitlab/npm-provenance.gitlab-ci.yml");
    let job = template.at(&["npm-provenance"]);
    assert_eq!(job.at(&["rules"]).list()[0].at(&["if"]).str(), "$CI_MERGE_REQUEST_ID");
    assert_eq!(
        job.at(&["artifacts", "reports", "codequality"]).str(),
        "gl-code-quality-report.json"
    );
    assert_eq!(job.at(&["artifacts", "when"]).str(), "always");
    let variables = template.at(&["variables"]);
    assert_eq!(variables.at(&["NPM_PROVENANCE_FAIL_ON"]).str(), "downgrade");
    let script: Vec<&str> = job.at(&["script"]).list().iter().map(Yaml::str).collect();
    let script = script.join("\n");
    for needed in [
        "scripts/action/install.sh\" install",
        "scripts/action/run.sh",
        "NPM_PROVENANCE_REPORT=gl-code-quality-report.json",
        "INPUT_FAIL_ON=\"$NPM_PROVENANCE_FAIL_ON\"",
    ] {
        assert!(script.contains(needed), "{needed} not in the script");
    }
}

/// The template's job script, run as GitLab's runner runs it (in the
/// project's folder, with the template's variables and the merge request's),
/// against a local copy of a release: this checkout's scripts as its
/// source.tar.gz, and a stand-in binary as the archive for this machine.
#[test]
fn the_gitlab_template_installs_the_release_and_runs_the_gate() {
    let scratch = Scratch::new("gitlab-job");
    let template = yaml("ci/gitlab/npm-provenance.gitlab-ci.yml");
    let job = template.at(&["npm-provenance"]);
    let lines: Vec<&str> = ["before_script", "script"]
        .iter()
        .flat_map(|k| job.at(&[k]).list().iter().map(Yaml::str))
        .collect();
    let job_script = lines.join("\n");

    for file in ["install.sh", "run.sh"] {
        let copy = scratch.path(&format!("src/npm-provenance-9.9.9/scripts/action/{file}"));
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(script(file), copy).unwrap();
    }
    let tar = |args: &[&str]| {
        let status = Command::new("tar").args(args).status().unwrap();
        assert!(status.success());
    };
    let source_tar = scratch.path("source.tar.gz");
    tar(&[
        "-czf",
        source_tar.to_str().unwrap(),
        "-C",
        scratch.path("src").to_str().unwrap(),
        "npm-provenance-9.9.9",
    ]);
    let source = std::fs::read(&source_tar).unwrap();
    let target = runner("install.sh", &scratch.0).arg("target").output().unwrap();
    let target = String::from_utf8(target.stdout).unwrap().trim().to_string();
    let name = format!("npm-provenance-{target}.tar.xz");
    let archive = release_archive(&scratch, &target, &stub(&scratch));
    let checksum = |bytes: &[u8], name: &str| format!("{} *{name}\n\n", sha256_hex(bytes)).into_bytes();
    let url = serve(HashMap::from([
        ("/good/source.tar.gz".to_string(), source.clone()),
        (
            "/good/source.tar.gz.sha256".to_string(),
            checksum(&source, "source.tar.gz"),
        ),
        (format!("/good/{name}"), archive.clone()),
        (format!("/good/{name}.sha256"), checksum(&archive, &name)),
        ("/bad/source.tar.gz".to_string(), source),
        (
            "/bad/source.tar.gz.sha256".to_string(),
            checksum(b"other", "source.tar.gz"),
        ),
    ]));

    let forge = Forge::new(
        &scratch,
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\n",
        "lockfileVersion: '9.0' # head\n",
    );
    let run_job = |project: &Path, download: &str| {
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(&job_script)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", &scratch.0)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .current_dir(project);
        if let Yaml::Map(variables) = template.at(&["variables"]) {
            for (k, v) in variables {
                command.env(k, v.str());
            }
        }
        command
            .env("GITLAB_CI", "true")
            .env("CI_PROJECT_DIR", project)
            .env("CI_MERGE_REQUEST_ID", "12")
            .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &forge.base)
            .env("NPM_PROVENANCE_REPOSITORY", "acme/npm-provenance")
            .env("NPM_PROVENANCE_VERSION", "v9.9.9")
            .env("NPM_PROVENANCE_DOWNLOAD_URL", download)
            .output()
            .unwrap()
    };

    let project = scratch.path("project");
    forge.shallow_checkout(&project);
    let output = run_job(&project, &format!("{url}/good"));
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("matches {name}.sha256")), "{stderr}");
    let called = calls(&scratch);
    assert_eq!(called[0], project.display().to_string());
    assert_eq!(
        called[1..],
        [
            "audit",
            "pnpm-lock.yaml",
            "--base",
            &forge.base,
            "--fail-on",
            "downgrade",
            "--registry",
            "https://registry.npmjs.org",
            "--format",
            "gitlab"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(project.join("gl-code-quality-report.json")).unwrap(),
        "::warning title=stub::called\n"
    );
    // The next pipeline, with .npm-provenance/ restored from GitLab's cache:
    // nothing is downloaded (nothing answers there).
    let next = scratch.path("project-next");
    forge.shallow_checkout(&next);
    let status = Command::new("cp")
        .arg("-a")
        .arg(project.join(".npm-provenance"))
        .arg(&next)
        .status()
        .unwrap();
    assert!(status.success());
    let output = run_job(&next, "http://127.0.0.1:9/nothing");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("(cached)"), "{stderr}");

    // A source archive that is not the release's is not run.
    let project = scratch.path("project-bad");
    forge.shallow_checkout(&project);
    let output = run_job(&project, &format!("{url}/bad"));
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("source.tar.gz does not match its checksum"), "{stderr}");
    assert!(!project.join(".npm-provenance/v9.9.9/bin/npm-provenance").exists());
}
