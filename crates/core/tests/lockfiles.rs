//! Lockfiles written by the real tools for one project
//! (`tests/fixtures/lockfiles/package.json`: sigstore 2.3.1, semver, ms
//! 2.0.0, the alias `my-ms` → ms 2.1.3, `@sigstore/protobuf-specs`, chalk as
//! a development dependency, and a `file:` folder `local-pkg` depending on
//! is-number), Bun's for two projects of its own (a workspace project, and
//! sources other than the registry), then lockfiles no tool would write.
#![cfg(not(target_arch = "wasm32"))]

use std::cmp::Ordering;
use std::collections::BTreeSet;

use npm_provenance_core::lockfile::{
    LockedPackage, Lockfile, LockfileKind, MAX_LOCKED_PACKAGES, MAX_LOCKFILE_BYTES, MAX_PROBLEMS, MAX_VIA, SourceKind,
    parse_lockfile,
};
use npm_provenance_core::package::validate_name;
use npm_provenance_core::registry_documents::compare_versions;

macro_rules! fixture {
    ($file:literal) => {
        include_str!(concat!("../../../tests/fixtures/lockfiles/", $file))
    };
}

const NPM_V3: &str = fixture!("package-lock.v3.json");
const NPM_V2: &str = fixture!("package-lock.v2.json");
const NPM_V1: &str = fixture!("package-lock.v1.json");
const PNPM_V9: &str = fixture!("pnpm-lock.v9.yaml");
const PNPM_V6: &str = fixture!("pnpm-lock.v6.yaml");
const YARN_CLASSIC: &str = fixture!("yarn.classic.lock");
const YARN_BERRY: &str = fixture!("yarn.berry.lock");
const BUN: &str = fixture!("bun.lock");
const BUN_WORKSPACES: &str = fixture!("bun-workspaces/bun.lock");
const BUN_SOURCES: &str = fixture!("bun-sources/bun.lock");
const PACKAGE_JSON: &str = fixture!("package.json");

/// Every lockfile, under the name its tool gives it.
fn all() -> Vec<(&'static str, Lockfile)> {
    [
        ("npm v3", "package-lock.json", NPM_V3),
        ("npm v2", "package-lock.json", NPM_V2),
        ("npm v1", "npm-shrinkwrap.json", NPM_V1),
        ("pnpm 9", "pnpm-lock.yaml", PNPM_V9),
        ("pnpm 8", "pnpm-lock.yaml", PNPM_V6),
        ("yarn classic", "yarn.lock", YARN_CLASSIC),
        ("yarn berry", "yarn.lock", YARN_BERRY),
        ("bun", "bun.lock", BUN),
    ]
    .into_iter()
    .map(|(label, file, text)| {
        (
            label,
            parse_lockfile(Some(file), text).unwrap_or_else(|e| panic!("{label}: {e}")),
        )
    })
    .collect()
}

/// The registry package versions all eight agree on, as npm 11, pnpm 8 and
/// 9, and yarn 1 and 4 resolved them on the same day (and Bun 1.4 read
/// them from npm's lockfile).
const PACKAGES: [&str; 96] = [
    "@isaacs/cliui@8.0.2",
    "@npmcli/agent@2.2.2",
    "@npmcli/fs@3.1.1",
    "@pkgjs/parseargs@0.11.0",
    "@sigstore/bundle@2.3.2",
    "@sigstore/core@1.1.0",
    "@sigstore/protobuf-specs@0.3.3",
    "@sigstore/sign@2.3.2",
    "@sigstore/tuf@2.3.4",
    "@sigstore/verify@1.2.1",
    "@tufjs/canonical-json@2.0.0",
    "@tufjs/models@2.0.1",
    "agent-base@7.1.4",
    "aggregate-error@3.1.0",
    "ansi-regex@5.0.1",
    "ansi-regex@6.6.0",
    "ansi-styles@4.3.0",
    "ansi-styles@6.2.3",
    "balanced-match@1.0.2",
    "brace-expansion@2.1.8",
    "cacache@18.0.4",
    "chalk@4.1.2",
    "chownr@2.0.0",
    "clean-stack@2.2.0",
    "color-convert@2.0.1",
    "color-name@1.1.4",
    "cross-spawn@7.0.6",
    "debug@4.4.3",
    "eastasianwidth@0.2.0",
    "emoji-regex@8.0.0",
    "emoji-regex@9.2.2",
    "encoding@0.1.14",
    "err-code@2.0.3",
    "foreground-child@3.3.1",
    "fs-minipass@2.1.0",
    "fs-minipass@3.0.3",
    "glob@10.5.0",
    "has-flag@4.0.0",
    "http-cache-semantics@4.3.0",
    "http-proxy-agent@7.0.2",
    "https-proxy-agent@7.0.6",
    "iconv-lite@0.7.3",
    "imurmurhash@0.1.4",
    "indent-string@4.0.0",
    "ip-address@10.7.6",
    "is-fullwidth-code-point@3.0.0",
    "is-lambda@1.0.1",
    "is-number@7.0.0",
    "isexe@2.0.0",
    "jackspeak@3.4.3",
    "lru-cache@10.4.3",
    "make-fetch-happen@13.0.1",
    "minimatch@9.0.9",
    "minipass@3.3.6",
    "minipass@5.0.0",
    "minipass@7.1.3",
    "minipass-collect@2.0.1",
    "minipass-fetch@3.0.5",
    "minipass-flush@1.0.7",
    "minipass-pipeline@1.2.4",
    "minipass-sized@1.0.3",
    "minizlib@2.1.2",
    "mkdirp@1.0.4",
    "ms@2.0.0",
    "ms@2.1.3",
    "negotiator@0.6.4",
    "p-map@4.0.0",
    "package-json-from-dist@1.0.1",
    "path-key@3.1.1",
    "path-scurry@1.11.1",
    "proc-log@4.2.0",
    "promise-retry@2.0.1",
    "retry@0.12.0",
    "safer-buffer@2.1.2",
    "semver@7.8.6",
    "shebang-command@2.0.0",
    "shebang-regex@3.0.0",
    "signal-exit@4.1.0",
    "sigstore@2.3.1",
    "smart-buffer@4.2.0",
    "socks@2.8.11",
    "socks-proxy-agent@8.0.5",
    "ssri@10.0.6",
    "string-width@4.2.3",
    "string-width@5.1.2",
    "strip-ansi@6.0.1",
    "strip-ansi@7.2.0",
    "supports-color@7.2.0",
    "tar@6.2.1",
    "tuf-js@2.2.1",
    "unique-filename@3.0.0",
    "unique-slug@4.0.0",
    "which@2.0.2",
    "wrap-ansi@7.0.0",
    "wrap-ansi@8.1.0",
    "yallist@4.0.0",
];

fn ids(lock: &Lockfile) -> Vec<String> {
    lock.packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

fn find<'a>(lock: &'a Lockfile, name: &str, version: &str) -> &'a LockedPackage {
    lock.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} missing"))
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_tool_and_format_lists_the_same_registry_packages() {
    for (label, lock) in all() {
        assert_eq!(ids(&lock), PACKAGES, "{label}");
        assert!(lock.problems.is_empty(), "{label}: {:?}", lock.problems);
        // Sorted by name then version, each once.
        let unique: BTreeSet<_> = ids(&lock).into_iter().collect();
        assert_eq!(unique.len(), PACKAGES.len(), "{label}");
    }
}

#[test]
fn the_formats_are_recognised_with_their_versions() {
    let kinds: Vec<LockfileKind> = all().into_iter().map(|(_, l)| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LockfileKind::Npm { lockfile_version: 3 },
            LockfileKind::Npm { lockfile_version: 2 },
            LockfileKind::Npm { lockfile_version: 1 },
            LockfileKind::Pnpm {
                lockfile_version: "9.0".into()
            },
            LockfileKind::Pnpm {
                lockfile_version: "6.0".into()
            },
            LockfileKind::YarnClassic,
            LockfileKind::YarnBerry { version: "10".into() },
            LockfileKind::Bun { lockfile_version: 2 },
        ]
    );
    // Bun's JSON is told from npm's by its shape, whatever the name says.
    for name in [None, Some("package-lock.json"), Some("bun.lock")] {
        let lock = parse_lockfile(name, BUN).unwrap();
        assert_eq!(lock.kind.label(), "bun lockfile v2", "{name:?}");
        let lock = parse_lockfile(name, NPM_V3).unwrap();
        assert_eq!(lock.kind.label(), "npm lockfile v3", "{name:?}");
    }
    // The file name only breaks ties: content decides.
    let lock = parse_lockfile(Some("yarn.lock"), NPM_V3).unwrap();
    assert_eq!(lock.kind, LockfileKind::Npm { lockfile_version: 3 });
    assert_eq!(parse_lockfile(None, YARN_BERRY).unwrap().packages.len(), 96);
}

/// npm and pnpm record the SRI integrity of each tarball, and agree; yarn
/// classic and Bun too. Berry's `checksum` is its own archive's hash, not an SRI.
#[test]
fn integrity_is_the_registry_sri_where_recorded() {
    let sigstore = "sha512-8G+/XDU8wNsJOQS5ysDVO0Etg9/2uA5gR9l4ZwijjlwxBcrU6RPfwi2+jJmbP+Ap1Hlp/nVAaEO4Fj22/SL2gQ==";
    let reference = parse_lockfile(None, NPM_V3).unwrap();
    assert_eq!(find(&reference, "sigstore", "2.3.1").integrities, [sigstore]);
    for (label, lock) in all() {
        for (mine, theirs) in lock.packages.iter().zip(&reference.packages) {
            if matches!(lock.kind, LockfileKind::YarnBerry { .. }) {
                assert!(mine.integrities.is_empty(), "{label} {}", mine.name);
            } else {
                assert!(theirs.integrities.iter().all(|i| i.starts_with("sha512-")));
                assert_eq!(
                    mine.integrities, theirs.integrities,
                    "{label} {}@{}",
                    mine.name, mine.version
                );
            }
        }
    }
}

/// Direct dependencies and who pulls what in, from each format's graph:
/// npm by Node's `node_modules` lookup, pnpm by importers and snapshots,
/// berry from the `workspace:.` entry, Bun by its keys as it binds them. The alias `my-ms` is ms 2.1.3.
#[test]
fn direct_dependencies_and_via_agree_where_recorded() {
    let declared: serde_json::Value = serde_json::from_str(PACKAGE_JSON).unwrap();
    let mut declared_names: Vec<&str> = ["dependencies", "devDependencies"]
        .iter()
        .flat_map(|list| declared[list].as_object().unwrap().keys())
        .map(String::as_str)
        .collect();
    declared_names.sort();
    let direct = [
        "@sigstore/protobuf-specs@0.3.3",
        "chalk@4.1.2",
        "ms@2.0.0",
        "ms@2.1.3",
        "semver@7.8.6",
        "sigstore@2.3.1",
    ];
    for (label, lock) in all() {
        if !lock.records_direct_dependencies() {
            assert!(lock.packages.iter().all(|p| !p.direct && p.via.is_empty()), "{label}");
            continue;
        }
        let got: Vec<String> = lock
            .packages
            .iter()
            .filter(|p| p.direct)
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(got, direct, "{label}");
        assert_eq!(find(&lock, "ms", "2.1.3").via, names(&["my-ms", "sigstore"]), "{label}");
        assert_eq!(find(&lock, "ms", "2.0.0").via, names(&["ms"]), "{label}");
        assert_eq!(
            find(&lock, "semver", "7.8.6").via,
            names(&["semver", "sigstore"]),
            "{label}"
        );
        assert_eq!(find(&lock, "has-flag", "4.0.0").via, names(&["chalk"]), "{label}");
        assert_eq!(
            find(&lock, "ansi-styles", "4.3.0").via,
            names(&["chalk", "sigstore"]),
            "{label}"
        );
        // The alias inside the tree (string-width-cjs → string-width 4) is the real package.
        assert_eq!(
            find(&lock, "string-width", "4.2.3").via,
            names(&["sigstore"]),
            "{label}"
        );
        assert_eq!(find(&lock, "is-number", "7.0.0").via, names(&["local-pkg"]), "{label}");
        assert!(!lock.packages.iter().any(|p| p.name == "my-ms"), "{label}");
        // Every name in `via` is one package.json declares.
        let mut via: Vec<&str> = lock
            .packages
            .iter()
            .flat_map(|p| p.via.iter().map(String::as_str))
            .collect();
        via.sort();
        via.dedup();
        assert_eq!(via, declared_names, "{label}");
        // Nothing else than what sigstore, chalk and local-pkg pull in, besides the direct ones.
        for p in &lock.packages {
            assert!(
                !p.via.is_empty(),
                "{label}: {}@{} is pulled in by nothing",
                p.name,
                p.version
            );
        }
    }
}

/// npm and pnpm 8 record which packages only development dependencies pull
/// in; pnpm 9's importers and Bun's root workspace say which dependencies
/// are for development, and the graph gives the rest. Yarn records neither.
#[test]
fn development_only_packages() {
    for (label, lock) in all() {
        let dev: Vec<String> = lock
            .packages
            .iter()
            .filter(|p| p.dev)
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        let expected: &[&str] = match lock.kind {
            LockfileKind::YarnClassic | LockfileKind::YarnBerry { .. } => &[],
            _ => &["chalk@4.1.2", "has-flag@4.0.0", "supports-color@7.2.0"],
        };
        assert_eq!(dev, expected, "{label}");
    }
}

#[test]
fn the_file_dependency_is_not_from_the_registry() {
    for (label, lock) in all() {
        let [local] = lock.not_from_registry.as_slice() else {
            panic!("{label}: {:?}", lock.not_from_registry)
        };
        assert_eq!(
            (local.name.as_str(), &local.kind),
            ("local-pkg", &SourceKind::File),
            "{label}"
        );
        let expected_source = match label {
            "npm v1" => "file:local-pkg",
            "yarn classic" => "file:./local-pkg",
            "yarn berry" => "file:./local-pkg#./local-pkg::hash=7cec35&locator=lockfile-fixture%40workspace%3A.",
            "bun" => "file:local-pkg",
            _ => "local-pkg",
        };
        assert_eq!(local.source, expected_source, "{label}");
    }
}

/// Bun's own workspace project (`bun-workspaces/`): two workspaces (one
/// depending on the other), a scoped package, an alias, copies nested
/// where versions conflict (`debug/ms`, `lib/semver`, a tarball's own
/// `is-number`), a tarball URL, a `file:` folder, development, optional and
/// peer dependencies.
#[test]
fn bun_workspaces_are_read_as_bun_binds_them() {
    let lock = parse_lockfile(Some("bun.lock"), BUN_WORKSPACES).unwrap();
    assert_eq!(lock.kind, LockfileKind::Bun { lockfile_version: 2 });
    assert!(lock.problems.is_empty() && lock.notes.is_empty(), "{:?}", lock.problems);
    check_limits("bun workspaces", &lock);
    let got: Vec<(String, Vec<String>, bool, bool)> = lock
        .packages
        .iter()
        .map(|p| (format!("{}@{}", p.name, p.version), p.via.clone(), p.direct, p.dev))
        .collect();
    let row = |id: &str, via: &[&str], direct, dev| (id.to_string(), names(via), direct, dev);
    assert_eq!(
        got,
        [
            // lib's, which app pulls in, hoisted to the top.
            row("@sigstore/bundle@2.3.2", &["app"], false, false),
            row(
                "@sigstore/protobuf-specs@0.3.2",
                &["@sigstore/protobuf-specs", "app"],
                true,
                false
            ),
            row("ansi-styles@4.3.0", &["chalk"], false, true),
            row("chalk@4.1.2", &["chalk"], true, true),
            row("color-convert@2.0.1", &["chalk"], false, true),
            row("color-name@1.1.4", &["chalk"], false, true),
            row("debug@4.3.4", &["debug"], true, false),
            // debug's optional peer binds the hoisted supports-color, so
            // it is not only for development.
            row("has-flag@4.0.0", &["chalk", "debug"], false, false),
            // The tarball's own copy (`is-odd-tarball/is-number`).
            row("is-number@6.0.0", &["is-odd-tarball"], false, false),
            // An optional dependency of the project, and local-pkg's.
            row("is-number@7.0.0", &["is-number", "local-pkg"], true, false),
            row("lru-cache@6.0.0", &["app"], false, false),
            // app's peer `ms: ^2.0.0` binds by path here, the hoisted 2.0.0
            // (Bun binds a peer by the versions it satisfies).
            row("ms@2.0.0", &["app", "ms"], true, false),
            row("ms@2.1.2", &["debug"], false, false),
            // The alias, and lib's development dependency (`lib/ms`).
            row("ms@2.1.3", &["app", "my-ms"], true, false),
            // app's: no `app/semver`, so the hoisted one.
            row("semver@6.3.1", &["app"], false, false),
            // lib's: `lib/semver` before the hoisted one.
            row("semver@7.6.0", &["app"], false, false),
            row("supports-color@7.2.0", &["chalk", "debug"], false, false),
            row("yallist@4.0.0", &["app"], false, false),
        ]
    );
    // Two copies of ms 2.1.3 (`my-ms`, `lib/ms`), one integrity.
    assert_eq!(
        find(&lock, "ms", "2.1.3").integrities,
        ["sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="]
    );
    assert!(
        lock.packages
            .iter()
            .all(|p| p.integrities.len() == 1 && p.addresses.is_empty())
    );
    let sources: Vec<(&str, SourceKind, &str)> = lock
        .not_from_registry
        .iter()
        .map(|n| (n.name.as_str(), n.kind.clone(), n.source.as_str()))
        .collect();
    assert_eq!(
        sources,
        [
            ("app", SourceKind::Workspace, "workspace:packages/app"),
            // A tarball at the registry's own address is still a tarball: Bun
            // installs it by its URL, not as a registry version.
            (
                "is-odd",
                SourceKind::Tarball,
                "https://registry.npmjs.org/is-odd/-/is-odd-3.0.1.tgz"
            ),
            ("lib", SourceKind::Workspace, "workspace:packages/lib"),
            ("local-pkg", SourceKind::File, "file:local-pkg"),
        ]
    );
}

/// What Bun wrote for a git repository, a `link:` and a tarball on disk.
#[test]
fn bun_sources_other_than_the_registry_are_listed() {
    let lock = parse_lockfile(Some("bun.lock"), BUN_SOURCES).unwrap();
    assert!(lock.problems.is_empty(), "{:?}", lock.problems);
    let sources: Vec<(&str, SourceKind, &str)> = lock
        .not_from_registry
        .iter()
        .map(|n| (n.name.as_str(), n.kind.clone(), n.source.as_str()))
        .collect();
    assert_eq!(
        sources,
        [
            (
                "git-pkg",
                SourceKind::Git,
                "git+file:///tmp/gitrepo#fc6cfc729583d0be8cfd29fbde9fc6b6cca4e268"
            ),
            ("linked-pkg", SourceKind::Link, "link:linked-pkg"),
            ("tar-pkg", SourceKind::File, "./tar-pkg-0.3.0.tgz"),
        ]
    );
    // The git package's own dependency, from the registry.
    assert_eq!(ids(&lock), ["ms@2.1.3"]);
    let ms = find(&lock, "ms", "2.1.3");
    assert!(!ms.direct && !ms.dev);
    assert_eq!(ms.via, ["git-pkg"]);
}

// Hostile lockfiles: each gives a sentence or a bounded result. What a
// parse may keep in memory is bounded in lockfile_memory.rs; no test here
// times a parse (the clock measures the machine, not the work).

/// How long a parse may run before the test says it hung: a guard, not a
/// measure (every input here takes well under a second; a hang or work
/// growing with the square of these inputs takes minutes).
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs a parse on a thread of its own, failing the test if it hangs.
fn bounded(name: &str, text: &str) -> Result<Lockfile, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (name_owned, text_owned) = (name.to_string(), text.to_string());
    std::thread::spawn(move || {
        let _ = tx.send(parse_lockfile(Some(&name_owned), &text_owned));
    });
    rx.recv_timeout(HANG_GUARD)
        .unwrap_or_else(|_| panic!("{name}: the parse did not end within {HANG_GUARD:?}"))
}

#[test]
fn hostile_over_the_byte_limit_is_refused_before_parsing() {
    let text = format!("{{{}", " ".repeat(MAX_LOCKFILE_BYTES));
    let e = bounded("package-lock.json", &text).unwrap_err();
    assert_eq!(
        e,
        format!(
            "package-lock.json is {} bytes; more than {MAX_LOCKFILE_BYTES} is refused.",
            text.len()
        )
    );
}

#[test]
fn hostile_json_nested_ten_thousand_deep() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for text in [
        deep.clone(),
        format!(r#"{{"lockfileVersion":3,"packages":{{"":{{"x":{deep}}}}}}}"#),
        format!(
            r#"{{"lockfileVersion":1,"dependencies":{}1{}}}"#,
            r#"{"a":{"dependencies":"#.repeat(10_000),
            "}}".repeat(10_000)
        ),
    ] {
        // Refused with a sentence (serde_json's recursion limit, or a field
        // read past as raw text and then found missing), or, where the depth
        // is in a field no reader uses, read past to nothing: never a crash.
        match bounded("package-lock.json", &text) {
            Err(e) => assert!(
                e.starts_with("package-lock.json is not an npm lockfile")
                    || e.starts_with("package-lock.json has no lockfileVersion"),
                "{e}"
            ),
            Ok(lock) => assert!(lock.packages.is_empty() && lock.not_from_registry.is_empty()),
        }
    }
    let head = r#"{"lockfileVersion":1,"workspaces":{"":{}},"packages":{"#;
    for text in [
        deep.clone(),
        format!(r#"{head}"a":["a@1.0.0","",{{"x":{deep}}},""]}}}}"#),
        format!(r#"{head}"a":{deep}}}}}"#),
        format!(r#"{{"lockfileVersion":1,"workspaces":{{"":{{"dependencies":{deep}}}}}}}"#),
    ] {
        match bounded("bun.lock", &text) {
            Err(e) => assert!(
                e.starts_with("bun.lock is not a bun lockfile") || e.starts_with("bun.lock has no root workspace"),
                "{e}"
            ),
            // The depth in a field Bun writes but this does not read: read past.
            Ok(lock) => check_limits("bun.lock", &lock),
        }
    }
}

#[test]
fn hostile_yaml_nested_ten_thousand_deep() {
    for (name, text) in [
        (
            "pnpm-lock.yaml",
            format!("lockfileVersion: '9.0'\nx:\n{}1\n", "- ".repeat(10_000)),
        ),
        (
            "pnpm-lock.yaml",
            format!(
                "lockfileVersion: '9.0'\nx: {}1{}",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
        ),
        (
            "yarn.lock",
            format!(
                "__metadata:\n  version: 8\nx: {}1{}",
                "{a: ".repeat(10_000),
                "}".repeat(10_000)
            ),
        ),
    ] {
        let e = bounded(name, &text).unwrap_err();
        // saphyr-parser's scanner looks ahead in flow collections and stops
        // at 255 levels itself, before this crate's bound of 32 sees them.
        assert!(
            e.contains("nests deeper than 32 levels") || e.contains("recursion limit exceeded"),
            "{e}"
        );
    }
}

/// Billion laughs: nine levels of nine aliases each would be 387 million
/// nodes; the first alias is refused.
#[test]
fn hostile_yaml_alias_bomb() {
    let mut bomb = String::from("lockfileVersion: '9.0'\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{p}"); 9].join(", ")));
    }
    for (name, text) in [
        ("pnpm-lock.yaml", bomb.clone()),
        (
            "yarn.lock",
            bomb.replace("lockfileVersion: '9.0'", "__metadata: {version: 8}"),
        ),
    ] {
        let e = bounded(name, &text).unwrap_err();
        assert!(e.contains("uses a YAML alias (line 3)"), "{e}");
    }
}

#[test]
fn hostile_duplicate_keys() {
    // JSON: npm's JSON.parse reads the last of two equal keys, and so does this, saying so.
    let text = r#"{"lockfileVersion":3,"packages":{
        "node_modules/a":{"version":"1.0.0","resolved":"https://registry.npmjs.org/a/-/a-1.0.0.tgz"},
        "node_modules/a":{"version":"6.6.6","resolved":"https://registry.npmjs.org/a/-/a-6.6.6.tgz"}}}"#;
    let lock = bounded("package-lock.json", text).unwrap();
    assert_eq!(ids(&lock), ["a@6.6.6"]);
    // Read as npm reads it: a note, not an entry left out.
    assert_eq!(
        lock.notes,
        ["\"node_modules/a\" is listed more than once; the last one is read, as npm does."]
    );
    assert_eq!((lock.left_out, lock.problems.len()), (0, 0));
    // YAML: pnpm's and yarn's readers refuse them.
    let text = "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-a}\n  a@1.0.0:\n    resolution: {integrity: sha512-b}\n";
    let e = bounded("pnpm-lock.yaml", text).unwrap_err();
    assert!(e.contains("has the key \"a@1.0.0\" twice"), "{e}");
    let e = bounded("yarn.lock", "__metadata:\n  version: 8\n__metadata:\n  version: 9\n").unwrap_err();
    assert!(e.contains("twice"), "{e}");
    // Bun refuses a key given twice ("Duplicate package path"), and so does this.
    let text = r#"{"lockfileVersion":1,"workspaces":{"":{}},"packages":{
        "a":["a@1.0.0","",{},"sha512-a"],"a":["a@6.6.6","",{},"sha512-b"]}}"#;
    let e = bounded("bun.lock", text).unwrap_err();
    assert_eq!(e, "bun.lock lists \"a\" twice; Bun refuses such a file.");
    // Yarn classic: the same descriptor twice is noted, the package read once.
    let entry = "a@^1:\n  version \"1.0.0\"\n  resolved \"https://registry.yarnpkg.com/a/-/a-1.0.0.tgz\"\n\n";
    let lock = bounded("yarn.lock", &format!("# yarn lockfile v1\n\n{entry}{entry}")).unwrap();
    assert_eq!(ids(&lock), ["a@1.0.0"]);
    assert_eq!(
        lock.notes,
        ["\"a@^1\" (line 7) was already at line 3; yarn reads the last."]
    );
    assert_eq!(lock.left_out, 0);
}

/// Names that climb out of a folder, smuggle a separator or are URLs are
/// left out with a reason, in every format.
#[test]
fn hostile_traversal_names() {
    let bad = [
        "../../etc/passwd",
        "..%2f..%2fetc",
        "@scope%2fname",
        "https://evil.example/x",
        "a/../../b",
        ".hidden",
    ];
    let npm = format!(
        r#"{{"lockfileVersion":3,"packages":{{"":{{}},{}}}}}"#,
        bad.iter()
            .enumerate()
            .map(|(i, n)| format!(
                r#""node_modules/{n}":{{"version":"1.0.0"}},"node_modules/x{i}":{{"name":"{n}","version":"1.0.0"}}"#
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let pnpm = format!(
        "lockfileVersion: '9.0'\npackages:\n{}",
        bad.iter()
            .map(|n| format!("  '{n}@1.0.0':\n    resolution: {{integrity: sha512-a}}\n"))
            .collect::<String>()
    );
    let classic = format!(
        "# yarn lockfile v1\n\n{}",
        bad.iter()
            .map(|n| format!("\"{n}@^1\":\n  version \"1.0.0\"\n\n"))
            .collect::<String>()
    );
    let berry = format!(
        "__metadata:\n  version: 8\n\n{}",
        bad.iter()
            .map(|n| format!("\"{n}@npm:^1\":\n  version: 1.0.0\n  resolution: \"{n}@npm:1.0.0\"\n\n"))
            .collect::<String>()
    );
    // Bun: as a key (the folder Bun creates) and as the name an entry gives.
    let bun = format!(
        r#"{{"lockfileVersion":1,"workspaces":{{"":{{}}}},"packages":{{{}}}}}"#,
        bad.iter()
            .enumerate()
            .map(|(i, n)| format!(
                r#"{}:["x@1.0.0","",{{}},""],"x{i}":[{},"",{{}},""]"#,
                serde_json::json!(n),
                serde_json::json!(format!("{n}@1.0.0"))
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    for (name, text, expected) in [
        ("package-lock.json", npm, 2 * bad.len()),
        ("pnpm-lock.yaml", pnpm, bad.len()),
        ("yarn.lock", classic, bad.len()),
        ("yarn.lock", berry, bad.len()),
        ("bun.lock", bun, 2 * bad.len()),
    ] {
        let lock = bounded(name, &text).unwrap();
        assert!(lock.packages.is_empty(), "{name}: {:?}", lock.packages);
        assert!(
            lock.not_from_registry.is_empty(),
            "{name}: {:?}",
            lock.not_from_registry
        );
        assert_eq!(lock.problems.len(), expected, "{name}: {:?}", lock.problems);
        assert!(
            lock.problems
                .iter()
                .all(|p| p.contains("is not a valid npm package name")),
            "{:?}",
            lock.problems
        );
    }
}

#[test]
fn hostile_more_packages_than_the_limit() {
    let count = 60_000;
    let npm = format!(
        r#"{{"lockfileVersion":3,"packages":{{{}}}}}"#,
        (0..count)
            .map(|i| format!(r#""node_modules/p{i}":{{"version":"1.0.0"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let pnpm = format!(
        "lockfileVersion: '9.0'\npackages:\n{}",
        // As pnpm writes an entry (an integrity each): the package limit,
        // not the file's density, is what refuses it.
        (0..count)
            .map(|i| format!(
                "  p{i}@1.0.0: {{resolution: {{integrity: sha512-{}==}}}}\n",
                "A".repeat(86)
            ))
            .collect::<String>()
    );
    let classic = format!(
        "# yarn lockfile v1\n\n{}",
        (0..count)
            .map(|i| format!("p{i}@^1:\n  version \"1.0.0\"\n\n"))
            .collect::<String>()
    );
    let bun = format!(
        r#"{{"lockfileVersion":1,"workspaces":{{"":{{}}}},"packages":{{{}}}}}"#,
        (0..count)
            .map(|i| format!(r#""p{i}":["p{i}@1.0.0","",{{}},"sha512-{}=="]"#, "A".repeat(86)))
            .collect::<Vec<_>>()
            .join(",")
    );
    for (name, text) in [
        ("package-lock.json", npm),
        ("pnpm-lock.yaml", pnpm),
        ("yarn.lock", classic),
        ("bun.lock", bun),
    ] {
        let e = bounded(name, &text).unwrap_err();
        assert_eq!(
            e,
            format!("{name} lists more than {MAX_LOCKED_PACKAGES} package versions; more are refused.")
        );
    }
}

#[test]
fn hostile_the_same_entry_ten_thousand_times() {
    let count = 10_000;
    // npm: ten thousand nested copies of one version.
    let npm = format!(
        r#"{{"lockfileVersion":3,"packages":{{"":{{"dependencies":{{"x":"1"}}}},{}}}}}"#,
        (0..count)
            .map(|i| format!(r#""node_modules/d{i}/node_modules/x":{{"version":"1.0.0","integrity":"sha512-x"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    // pnpm: one package in ten thousand peer contexts.
    let pnpm = format!(
        "lockfileVersion: '9.0'\npackages:\n  x@1.0.0:\n    resolution: {{integrity: sha512-x}}\nsnapshots:\n{}",
        (0..count)
            .map(|i| format!("  x@1.0.0(p@{i}.0.0): {{}}\n"))
            .collect::<String>()
    );
    let entry = "x@^1:\n  version \"1.0.0\"\n  integrity sha512-x\n\n";
    let classic = format!("# yarn lockfile v1\n\n{}", entry.repeat(count));
    // Bun: ten thousand nested copies, keyed by their dependents.
    let bun = format!(
        r#"{{"lockfileVersion":1,"workspaces":{{"":{{"dependencies":{{"x":"1"}}}}}},"packages":{{{}}}}}"#,
        (0..count)
            .map(|i| format!(r#""d{i}/x":["x@1.0.0","",{{}},"sha512-x"]"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    for (name, text) in [
        ("package-lock.json", npm),
        ("pnpm-lock.yaml", pnpm),
        ("yarn.lock", classic),
        ("bun.lock", bun),
    ] {
        let lock = bounded(name, &text).unwrap();
        assert_eq!(ids(&lock), ["x@1.0.0"], "{name}");
        assert_eq!(lock.packages[0].integrities, ["sha512-x"]);
        assert!(lock.problems.len() <= MAX_PROBLEMS, "{name}");
    }
}

/// What the audit relies on in any result: valid names, semver versions,
/// one entry per package version in order, bounded lists.
fn check_limits(label: &str, lock: &Lockfile) {
    assert!(lock.packages.len() <= MAX_LOCKED_PACKAGES, "{label}");
    assert!(lock.problems.len() <= MAX_PROBLEMS, "{label}");
    for p in &lock.packages {
        validate_name(&p.name).unwrap_or_else(|e| panic!("{label}: {e}"));
        semver::Version::parse(&p.version).unwrap_or_else(|e| panic!("{label}: {}: {e}", p.version));
        assert!(
            p.via.len() <= MAX_VIA && p.via.windows(2).all(|w| w[0] < w[1]),
            "{label}: {p:?}"
        );
        assert!(p.via.iter().all(|n| validate_name(n).is_ok()), "{label}: {p:?}");
    }
    for pair in lock.packages.windows(2) {
        let order = pair[0]
            .name
            .cmp(&pair[1].name)
            .then_with(|| compare_versions(&pair[0].version, &pair[1].version));
        assert_eq!(order, Ordering::Less, "{label}: {:?} then {:?}", pair[0], pair[1]);
    }
    for n in &lock.not_from_registry {
        validate_name(&n.name).unwrap_or_else(|e| panic!("{label}: {e}"));
    }
}

#[test]
fn results_obey_the_limits() {
    for (label, lock) in all() {
        check_limits(label, &lock);
    }
}

/// A deterministic, always-run cousin of the fuzz target
/// (fuzz/fuzz_targets/lockfile.rs): the real lockfiles with bytes changed,
/// cut, repeated or given YAML and path tokens, each read in bounded time
/// to a sentence or a result within the limits. `LOCKFILE_MUTATIONS=n`
/// runs n rounds per file instead of 30.
#[test]
fn mutated_lockfiles_give_a_sentence_or_a_result_within_the_limits() {
    const TOKENS: [&str; 22] = [
        "&a ",
        "*a",
        "node_modules/",
        "../",
        "npm:",
        "link:",
        "file:",
        "workspace:.",
        "patch:",
        "(",
        "@",
        "\"\"",
        "{}",
        "[]",
        "\n  ",
        "\n    ",
        "__metadata:\n",
        "lockfileVersion: ",
        "%2f",
        "\u{202e}",
        ",]",
        "\"a/b\": [",
    ];
    let rounds: u64 = std::env::var("LOCKFILE_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below.max(1) as u64) as usize
    };
    let sources = [
        ("package-lock.json", NPM_V3),
        ("package-lock.json", NPM_V1),
        ("pnpm-lock.yaml", PNPM_V9),
        ("pnpm-lock.yaml", PNPM_V6),
        ("yarn.lock", YARN_CLASSIC),
        ("yarn.lock", YARN_BERRY),
        ("bun.lock", BUN),
        ("bun.lock", BUN_WORKSPACES),
    ];
    let mut outcomes = [0usize; 2];
    for (file, text) in sources {
        for _ in 0..rounds {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + next(6) {
                if bytes.is_empty() {
                    break;
                }
                let at = next(bytes.len());
                match next(5) {
                    0 => bytes[at] = b"\"{}[]:,-@/\n \\'&*#!|>%0.^~("[next(24)],
                    1 => drop(bytes.drain(at..(at + next(64)).min(bytes.len()))),
                    2 => {
                        let end = (at + next(400)).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        let to = next(bytes.len());
                        bytes.splice(to..to, copy);
                    }
                    3 => bytes.truncate(at),
                    _ => drop(bytes.splice(at..at, TOKENS[next(TOKENS.len())].bytes())),
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let result = parse_lockfile(Some(file), &text);
            match result {
                Ok(lock) => {
                    check_limits(file, &lock);
                    outcomes[0] += 1;
                }
                Err(e) => {
                    assert!(e.ends_with('.') && e.len() < 600, "{file}: {e}");
                    outcomes[1] += 1;
                }
            }
        }
    }
    eprintln!("mutated lockfiles: {} read, {} refused", outcomes[0], outcomes[1]);
}

// ---------------------------------------------------------------------------
// Fail closed: no integrity is ignored, no copy is dropped, no address is
// trusted that no integrity binds, and what is left out counts.
// ---------------------------------------------------------------------------

/// One entry of `name@version`, with an integrity and/or a tarball address,
/// as each format writes it.
fn one_entry(format: &str, name: &str, version: &str, integrity: Option<&str>, address: Option<&str>) -> String {
    let json = |v: Option<&str>| v.map(|v| serde_json::json!(v));
    match format {
        "npm" => {
            let mut entry = serde_json::json!({ "version": version });
            if let Some(i) = json(integrity) {
                entry["integrity"] = i;
            }
            if let Some(a) = json(address) {
                entry["resolved"] = a;
            }
            serde_json::json!({ "lockfileVersion": 3, "packages": {
                "": { "name": "p", "dependencies": { name: version } },
                format!("node_modules/{name}"): entry } })
            .to_string()
        }
        "pnpm" => {
            let mut resolution = Vec::new();
            if let Some(i) = integrity {
                resolution.push(format!("integrity: {i}"));
            }
            if let Some(a) = address {
                resolution.push(format!("tarball: {a}"));
            }
            format!(
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      {name}:\n        specifier: {version}\n        version: {version}\npackages:\n  {name}@{version}:\n    resolution: {{{}}}\nsnapshots:\n  {name}@{version}: {{}}\n",
                resolution.join(", ")
            )
        }
        "yarn classic" => {
            let mut entry = format!("{name}@^{version}:\n  version \"{version}\"\n");
            if let Some(a) = address {
                entry.push_str(&format!("  resolved \"{a}\"\n"));
            }
            if let Some(i) = integrity {
                entry.push_str(&format!("  integrity {i}\n"));
            }
            format!("# yarn lockfile v1\n\n{entry}")
        }
        "yarn berry" => {
            let archive = address
                .map(|a| format!("::__archiveUrl={}", npm_provenance_core::percent::encode_url_text(a)))
                .unwrap_or_default();
            format!(
                "__metadata:\n  version: 8\n\n\"{name}@npm:^{version}\":\n  version: {version}\n  resolution: \"{name}@npm:{version}{archive}\"\n  checksum: 10c0/00\n  languageName: node\n  linkType: hard\n"
            )
        }
        // As Bun writes it: a comma after every last member.
        "bun" => {
            let entry = serde_json::json!([
                format!("{name}@{version}"),
                address.unwrap_or(""),
                {},
                integrity.unwrap_or("")
            ]);
            let (name, version) = (serde_json::json!(name), serde_json::json!(version));
            format!(
                "{{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {{\n    \"\": {{\n      \"name\": \"p\",\n      \"dependencies\": {{\n        {name}: {version},\n      }},\n    }},\n  }},\n  \"packages\": {{\n    {name}: {entry},\n  }}\n}}\n"
            )
        }
        other => panic!("{other}"),
    }
}

const FORMATS: [&str; 5] = ["npm", "pnpm", "yarn classic", "yarn berry", "bun"];

/// The name each format's file has.
fn file_of(format: &str) -> &'static str {
    match format {
        "npm" => "package-lock.json",
        "pnpm" => "pnpm-lock.yaml",
        "bun" => "bun.lock",
        _ => "yarn.lock",
    }
}
/// A well-formed sha512 SRI, distinct per letter.
fn sha(letter: char) -> String {
    format!("sha512-{letter}{}==", "A".repeat(85))
}
const SHA_A: &str = "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";

/// A tarball address with no integrity to bind it is the registry's only
/// under the audited registry's base URL: anywhere else the copy is a
/// tarball dependency, not a registry package, in every format.
#[test]
fn a_copy_without_integrity_counts_only_at_the_registrys_address() {
    use npm_provenance_core::audit::for_registry;
    let registry = "https://registry.example/npm";
    for format in FORMATS {
        let file = file_of(format);
        // At the audited registry: audited, by that address.
        let here = format!("{registry}/ms/-/ms-2.1.3.tgz");
        let lock = for_registry(
            parse_lockfile(Some(file), &one_entry(format, "ms", "2.1.3", None, Some(&here))).unwrap(),
            registry,
        );
        assert_eq!(ids(&lock), ["ms@2.1.3"], "{format}");
        assert_eq!(lock.packages[0].addresses, std::slice::from_ref(&here), "{format}");
        // Another host, the registry's tarball shape: a tarball dependency.
        let elsewhere = "https://evil.example/npm/ms/-/ms-2.1.3.tgz";
        let lock = for_registry(
            parse_lockfile(Some(file), &one_entry(format, "ms", "2.1.3", None, Some(elsewhere))).unwrap(),
            registry,
        );
        assert!(lock.packages.is_empty(), "{format}: {:?}", lock.packages);
        assert_eq!(lock.not_from_registry.len(), 1, "{format}");
        assert_eq!(
            (
                lock.not_from_registry[0].kind.clone(),
                lock.not_from_registry[0].source.as_str()
            ),
            (SourceKind::Tarball, elsewhere),
            "{format}"
        );
        // With an integrity that binds the bytes, the host does not matter
        // (berry records none, and is judged by its address alone).
        if format != "yarn berry" {
            let lock = for_registry(
                parse_lockfile(
                    Some(file),
                    &one_entry(format, "ms", "2.1.3", Some(SHA_A), Some(elsewhere)),
                )
                .unwrap(),
                registry,
            );
            assert_eq!(ids(&lock), ["ms@2.1.3"], "{format}");
            assert_eq!(lock.packages[0].integrities, [SHA_A], "{format}");
        }
    }
    // Yarn classic's `#sha1` fragment is not part of the address; npm's
    // registry is also yarn's.
    let yarn = one_entry(
        "yarn classic",
        "ms",
        "2.1.3",
        None,
        Some("https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#abc"),
    );
    let lock = for_registry(
        parse_lockfile(Some("yarn.lock"), &yarn).unwrap(),
        "https://registry.npmjs.org",
    );
    assert_eq!(ids(&lock), ["ms@2.1.3"]);
    let lock = for_registry(parse_lockfile(Some("yarn.lock"), &yarn).unwrap(), registry);
    assert!(lock.packages.is_empty());
    // A look-alike host is another host.
    for url in [
        "https://registry.example.evil/npm/ms/-/ms-2.1.3.tgz",
        "https://registry.example/npmx/ms/-/ms-2.1.3.tgz",
        "http://registry.example/npm/ms/-/ms-2.1.3.tgz",
    ] {
        assert!(!npm_provenance_core::audit::is_under_registry(url, registry), "{url}");
    }
    assert!(npm_provenance_core::audit::is_under_registry(
        "HTTPS://Registry.Example/npm/ms/-/ms-2.1.3.tgz",
        registry
    ));
}

/// Every integrity a copy records is kept (npm installs each copy by its
/// own): two copies of one version with different ones are both there, for
/// the audit to compare each.
#[test]
fn every_copys_integrity_is_kept() {
    let sha_b = sha('B');
    let text = serde_json::json!({ "lockfileVersion": 3, "packages": {
        "": { "name": "p", "dependencies": { "victim": "1.0.0", "x": "1.0.0" } },
        "node_modules/victim": { "version": "1.0.0", "integrity": SHA_A },
        "node_modules/x": { "version": "1.0.0", "integrity": SHA_A, "dependencies": { "victim": "1.0.0" } },
        "node_modules/x/node_modules/victim": { "version": "1.0.0", "integrity": sha_b } } })
    .to_string();
    let lock = parse_lockfile(Some("package-lock.json"), &text).unwrap();
    assert_eq!(
        find(&lock, "victim", "1.0.0").integrities,
        [SHA_A.to_string(), sha_b.clone()]
    );
    assert!(lock.problems.is_empty() && lock.notes.is_empty());
    // Bun: the hoisted copy and the one nested in `x`, as Bun keys them.
    let text = format!(
        r#"{{"lockfileVersion": 1, "workspaces": {{"": {{"dependencies": {{"victim": "1.0.0", "x": "1.0.0",}},}},}},
          "packages": {{
            "victim": ["victim@1.0.0", "", {{}}, "{SHA_A}"],
            "x": ["x@1.0.0", "", {{"dependencies": {{"victim": "1.0.0"}}}}, "{SHA_A}"],
            "x/victim": ["victim@1.0.0", "", {{}}, "{sha_b}"],
          }}}}"#
    );
    let lock = parse_lockfile(Some("bun.lock"), &text).unwrap();
    assert_eq!(find(&lock, "victim", "1.0.0").integrities, [SHA_A.to_string(), sha_b]);
    assert_eq!(find(&lock, "victim", "1.0.0").via, names(&["victim", "x"]));
    assert!(lock.problems.is_empty() && lock.notes.is_empty());
}

/// A version is read up to `MAX_VERSION_LEN` characters (a valid semver of
/// exactly that length); one character more and the entry is left out, said
/// as a problem (a mutant that moved the bound survived every test before).
#[test]
fn a_version_is_read_to_its_length_limit_and_left_out_past_it() {
    use npm_provenance_core::package::MAX_VERSION_LEN;
    let at_limit = format!("1.0.0-{}", "a".repeat(MAX_VERSION_LEN - 6));
    let over = format!("{at_limit}a");
    assert_eq!((at_limit.len(), over.len()), (MAX_VERSION_LEN, MAX_VERSION_LEN + 1));
    for format in ["npm", "pnpm", "yarn classic", "bun"] {
        let file = file_of(format);
        let lock = parse_lockfile(Some(file), &one_entry(format, "ms", &at_limit, Some(SHA_A), None)).unwrap();
        assert_eq!(lock.packages.len(), 1, "{format}: read at the limit");
        assert_eq!(lock.packages[0].version, at_limit, "{format}");
        assert!(lock.problems.is_empty(), "{format}: {:?}", lock.problems);
        let lock = parse_lockfile(Some(file), &one_entry(format, "ms", &over, Some(SHA_A), None)).unwrap();
        assert!(lock.packages.is_empty(), "{format}: left out past the limit");
        assert_eq!(lock.problems.len(), 1, "{format}: {:?}", lock.problems);
        assert!(
            lock.problems[0].contains("is not semver; left out"),
            "{format}: {:?}",
            lock.problems
        );
    }
}

/// An integrity past the length limit is kept (cut one character past
/// it), so that its check fails saying so; at the limit it is read.
#[test]
fn an_overlong_integrity_is_kept_to_fail_at_its_limit() {
    use npm_provenance_core::package::{MAX_INTEGRITY_LEN, compare_integrity};
    let at_limit = format!("sha512-{}", "A".repeat(MAX_INTEGRITY_LEN - 7));
    let over = format!("{at_limit}A");
    assert_eq!((at_limit.len(), over.len()), (MAX_INTEGRITY_LEN, MAX_INTEGRITY_LEN + 1));
    for format in ["npm", "pnpm", "yarn classic", "bun"] {
        let file = file_of(format);
        let long = format!("{over}{}", "A".repeat(5000));
        let lock = parse_lockfile(Some(file), &one_entry(format, "ms", "2.1.3", Some(&long), None)).unwrap();
        let kept = &lock.packages[0].integrities;
        assert_eq!(kept.len(), 1, "{format}");
        assert_eq!(
            kept[0].len(),
            MAX_INTEGRITY_LEN + 1,
            "{format}: kept past the limit, not dropped"
        );
        assert!(lock.problems.is_empty(), "{format}");
    }
    assert!(compare_integrity(&at_limit, &at_limit).is_ok());
    let e = compare_integrity(&over, &at_limit).unwrap_err();
    assert!(
        e.contains(&format!("longer than {MAX_INTEGRITY_LEN} characters")),
        "{e}"
    );
}

/// An integrity with more entries than are read is refused whole, from the
/// registry or a lockfile: ssri would install a tarball matching a later
/// entry that a reading cut at the limit never saw.
#[test]
fn an_integrity_of_more_entries_than_are_read_is_refused_whole() {
    use npm_provenance_core::package::{MAX_INTEGRITY_HASHES, compare_integrity, parse_integrity};
    let other = sha('C');
    let entries = |n: usize| {
        let mut list = vec![SHA_A.to_string()];
        list.extend(std::iter::repeat_n("x".to_string(), n.saturating_sub(2)));
        list.push(other.clone());
        list.join(" ")
    };
    let at_limit = entries(MAX_INTEGRITY_HASHES);
    assert_eq!(parse_integrity(&at_limit).unwrap().sha512.len(), 2);
    let over = entries(MAX_INTEGRITY_HASHES + 1);
    let e = parse_integrity(&over).unwrap_err();
    assert!(e.contains("more than 16 are refused"), "{e}");
    let e = compare_integrity(&over, SHA_A).unwrap_err();
    assert!(e.contains("The lockfile's integrity is refused"), "{e}");
    let e = compare_integrity(SHA_A, &over).unwrap_err();
    assert!(e.contains("The registry's integrity is refused"), "{e}");
}

/// What is left out counts (listed or not), and what is read as the package
/// manager reads it is a note that does not.
#[test]
fn entries_left_out_are_counted() {
    let mut packages = serde_json::Map::new();
    packages.insert("".into(), serde_json::json!({ "name": "p" }));
    for i in 0..MAX_PROBLEMS + 5 {
        packages.insert(
            format!("node_modules/bad{i}"),
            serde_json::json!({ "version": "not-semver" }),
        );
    }
    let text = serde_json::json!({ "lockfileVersion": 3, "packages": packages }).to_string();
    let lock = parse_lockfile(Some("package-lock.json"), &text).unwrap();
    assert_eq!(lock.left_out, MAX_PROBLEMS + 5);
    assert_eq!(lock.problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(lock.problems.last().unwrap(), "5 more entries left out are not listed.");
    assert!(lock.packages.is_empty());
}
