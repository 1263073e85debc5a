//! What the fuzz targets (fuzz/fuzz_targets) found, each kept as a
//! regression test with the input that found it stored beside this file
//! (`fuzz_found/<target>/<name>`), checked against the property the target
//! asserts.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use npm_provenance_core::lockfile::parse_lockfile;
use npm_provenance_core::lookup::{Answer, Depth, LookupError, Question, run_blocking};
use npm_provenance_core::package::{compare_integrity, parse_integrity};
use npm_provenance_core::{RegistryKeys, TrustMaterial, Verdict};
use npm_provenance_testkit::{self as kit, Faults, Identity, NPM_PUBLISH, SLSA_V1, Sigstore};
use serde_json::json;

fn input_bytes(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fuzz_found/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn input(path: &str) -> String {
    String::from_utf8(input_bytes(path)).unwrap()
}

/// `integrity`: a sha512 entry after an ideographic space (U+3000), which
/// npm's ssri splits at (JavaScript's `\s`) and a reading at ASCII spaces
/// did not: the entry was taken for an unknown algorithm "\u{3000}sha512"
/// and skipped, while npm accepts a tarball by it. Now every white space
/// splits, so it is read (and, not being the signed digest, fails).
#[test]
fn integrity_a_sha512_after_an_ideographic_space_is_read() {
    let text = input("integrity/ideographic-space");
    let hidden = "MzLqjjSR3D1d1DgFzCsedAEyBhi5uF5gr5SLpyBhi6uF5gr5WLp2bfS1tLb7u24SBmL8aFWxmTgmOG4UtSzrAg==";
    assert!(text.contains(&format!("\u{3000}sha512-{hidden}")));
    let parsed = parse_integrity(&text).unwrap();
    let digest: [u8; 64] = STANDARD.decode(hidden).unwrap().try_into().unwrap();
    assert!(parsed.sha512.contains(&digest), "{parsed:?}");
    // Every white space JavaScript's /\s+/ splits at, the same way.
    let (a, b) = (
        "sha512-MzLqjjdSU1R3DUzRAeYHbRr0BP1DgFzCsedAEyBhi6uF5gr5SLp2bfS1tLb7u24SBmL8aFWxmTgmOG8UtSzrAg==",
        format!("sha512-{hidden}"),
    );
    for space in [
        '\u{b}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2028}', '\u{202f}', '\u{3000}', '\u{feff}',
    ] {
        let both = format!("{a} sha1-x{space}{b}");
        assert_eq!(parse_integrity(&both).unwrap().sha512.len(), 2, "{space:?}");
        // A lockfile that pins the hidden sha512 does not compare equal
        // with a registry that states only the first.
        assert!(compare_integrity(&both, a).is_err(), "{space:?}");
    }
}

/// `lockfile`: a pnpm lockfile whose line starts a flow sequence (`[`)
/// where a key may begin, left open: saphyr-parser's scanner holds every
/// token after it until it knows whether the sequence was a key (1.5 MB
/// held for this 53 KB file; 54 MB for 256 KB of `[a,a,a,...`). Such a
/// collection is refused before the scanner reads it; the memory is
/// bounded in `lockfile_memory.rs`. (The fuzz input's first byte picks no
/// file name.)
#[test]
fn lockfile_a_flow_collection_left_open_where_a_key_may_begin_is_refused() {
    let text = input("lockfile/flow-left-open-at-a-key");
    let text = text.strip_prefix('\0').unwrap();
    let e = parse_lockfile(None, text).unwrap_err();
    assert!(e.contains("where a key may begin (line 164)"), "{e}");
    // The forms it takes, each refused; values and closed ones are read.
    for refused in [
        "lockfileVersion: '9.0'\npackages:\n  [a, b\n",
        "lockfileVersion: '9.0'\nx:\n  - {a: b\n",
        "lockfileVersion: '9.0'\nx: [[a, b\n]]\n",
        "lockfileVersion: '9.0'\nx: [{a: b\n}]\n",
    ] {
        let e = parse_lockfile(Some("pnpm-lock.yaml"), refused).unwrap_err();
        assert!(e.contains("where a key may begin"), "{refused:?}: {e}");
    }
    // Behind an anchor, the same place (found by the target next, behind a
    // tag: a JSON lockfile cut to YAML whose first line was `!tag... {`).
    // Tags are refused outright now (below).
    let e = parse_lockfile(Some("pnpm-lock.yaml"), "lockfileVersion: '9.0'\nx:\n  - &a {a: b\n").unwrap_err();
    assert!(e.contains("where a key may begin"), "{e}");
    // A tag anywhere a node may begin: pnpm and yarn never write one, and
    // saphyr-parser keeps every token after a tag it cannot resolve until the
    // document ends (four inputs the target found, each a tag on the first
    // line: 1.6 MB held for 69 KB, 1.47 MB for 44 KB, 1.48 MB for 40 KB,
    // 1.38 MB for 9.8 KB).
    for found in [
        "tagged-flow-at-a-key",
        "flow-entry-runs-on",
        "flow-open-over-lines",
        "tags-held-to-the-end",
    ] {
        let text = input(&format!("lockfile/{found}"));
        let e = parse_lockfile(Some("pnpm-lock.yaml"), text.get(1..).unwrap()).unwrap_err();
        assert!(e.contains("has a YAML tag (line 1)"), "{found}: {e}");
    }
    for refused in [
        "lockfileVersion: '9.0'\n!t [a, b\n",
        "lockfileVersion: '9.0'\nx: [!t [a, b]]\n",
        "lockfileVersion: '9.0'\nx: !!str a\n",
        "lockfileVersion: '9.0'\nx:\n  - !t a\n",
        "lockfileVersion: '9.0'\nx: {a: b, !t c: d}\n",
    ] {
        let e = parse_lockfile(Some("pnpm-lock.yaml"), refused).unwrap_err();
        assert!(e.contains("has a YAML tag"), "{refused:?}: {e}");
    }
    // An exclamation mark inside a scalar is no tag.
    parse_lockfile(
        Some("pnpm-lock.yaml"),
        "lockfileVersion: '9.0'\nx: a!b\ny: '!c'\nz: [d!, \"!e\"]\n",
    )
    .unwrap();
    // Any entry of a flow collection, a value's included, is a key's place
    // until its `:` (found by the target next: `: [` and a lockfile's lines
    // after it, behind a tag on the first line, 1.47 MB held for 44 KB).
    for refused in [
        format!("lockfileVersion: '9.0'\nx: [\n{}]\n", "  a b\n".repeat(200)),
        format!("lockfileVersion: '9.0'\nx: {{{}: b}}\n", "a ".repeat(600)),
        format!(
            "lockfileVersion: '9.0'\nx: [a, [b, {{c: d}}, '{}']]\n",
            "e".repeat(1100)
        ),
    ] {
        let e = parse_lockfile(Some("pnpm-lock.yaml"), &refused).unwrap_err();
        assert!(e.contains("runs on past 1024 bytes"), "{refused:?}: {e}");
    }
    // A flow collection that goes on over lines may not pass 1,024 bytes
    // however its entries resolve (found by the target next: a tag, `{: p]`,
    // then a lockfile's lines inside an open `{`, 1.48 MB held for 40 KB).
    let over_lines = format!(
        "lockfileVersion: '9.0'\nx: {{a: b,\n{}z: y}}\n",
        "  c: d,\n".repeat(200)
    );
    let e = parse_lockfile(Some("pnpm-lock.yaml"), &over_lines).unwrap_err();
    assert!(e.contains("goes on over lines past 1024 bytes"), "{e}");
    // Entries resolved by their `:` within the width, or short, are read
    // however long the collection on one line.
    for read in [
        format!("lockfileVersion: '9.0'\nx: [{}z]\n", "a, ".repeat(2000)),
        format!(
            "lockfileVersion: '9.0'\nx: {{a: '{}', b: https://h/c}}\n",
            "e".repeat(3000)
        ),
    ] {
        parse_lockfile(Some("pnpm-lock.yaml"), &read).unwrap_or_else(|e| panic!("{read:?}: {e}"));
    }
    // A comment ends at a `\r` as at a `\n` (found by the target next: a
    // yarn header comment whose `\r` was followed by `[[`, 2.6 MB held for
    // 79 KB); a lockfile written with CRLF line ends is read as before.
    let text = input_bytes("lockfile/comment-ends-at-cr");
    let text = String::from_utf8_lossy(&text[1..]).into_owned();
    let e = parse_lockfile(None, &text).unwrap_err();
    assert!(e.contains("where a key may begin (line 1)"), "{e}");
    let e = parse_lockfile(Some("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n# a comment\r[a, b\n").unwrap_err();
    assert!(e.contains("where a key may begin (line 2)"), "{e}");
    parse_lockfile(
        Some("pnpm-lock.yaml"),
        "lockfileVersion: '9.0'\r\n# a comment\r\nx: [a, b]\r\ny: {c: d}\r\n",
    )
    .unwrap();
    let long = format!("lockfileVersion: '9.0'\nx: [[{}a]]\n", "a,".repeat(600));
    assert!(
        parse_lockfile(Some("pnpm-lock.yaml"), &long)
            .unwrap_err()
            .contains("1024 bytes"),
        "refused, as a key's place or as an entry"
    );
    for read in [
        "lockfileVersion: '9.0'\nx: [a, b,\n  c]\ny: {a: [b], c: d}\nz: '[not: {a flow'\nw: \"{\\\" [\" # [\n",
        "lockfileVersion: '9.0'\nx:\n  - [a, b]\n  - {c: d}\n",
    ] {
        parse_lockfile(Some("pnpm-lock.yaml"), read).unwrap_or_else(|e| panic!("{read:?}: {e}"));
    }
}

/// `lookup`: the latest version, asked for by number once the package
/// document named it (`/<name>/1.1.0`), answered with another version's
/// document (1.0.0's, signed and attested): the lookup took the version the
/// document stated, as it does for `/<name>/latest`, and verified 1.0.0 as
/// the latest. The registry does not choose what is verified: a document
/// asked for by number must state that number. (The stored input is the
/// `lookup` target's: `cargo fuzz run lookup` on it replays the door.)
#[test]
fn lookup_latest_asked_by_number_and_answered_with_another_version_is_refused() {
    assert_eq!(input_bytes("lookup/latest-answered-with-another-version").len(), 10);
    let name = "@acme/widget";
    let sigstore = Sigstore::new();
    let mut keys = RegistryKeys::empty();
    keys.add_keys_document(&sigstore.registry_keys_document(None)).unwrap();
    let trust = TrustMaterial::from_trusted_root_json(&sigstore.trusted_root_json(), keys).unwrap();
    let registry = "https://registry.example";
    let mut versions = serde_json::Map::new();
    let mut served = std::collections::HashMap::new();
    for version in ["1.0.0", "1.1.0"] {
        let (integrity, sha512) = kit::integrity_of(format!("{version} tarball").as_bytes());
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let workflow = ".github/workflows/release.yml";
        let statement = kit::github_provenance(name, version, &sha512, "acme/widget", workflow, commit);
        let identity = Identity::github("acme/widget", workflow, commit, "refs/heads/main");
        let provenance = sigstore.keyless_bundle(&statement, &identity, &Faults::default());
        let publish = sigstore.keyed_bundle(&kit::publish_statement(name, version, &sha512), &Faults::default());
        let doc = json!({ "name": name, "version": version, "dist": {
            "integrity": integrity,
            "signatures": [sigstore.registry_signature(name, version, &integrity)],
            "attestations": { "url": format!("{registry}/-/npm/v1/attestations/{name}@{version}"),
                "provenance": { "predicateType": SLSA_V1 } } } });
        served.insert(
            format!("/-/npm/v1/attestations/@acme%2fwidget@{version}"),
            kit::attestations_response(&[(SLSA_V1, &provenance), (NPM_PUBLISH, &publish)]),
        );
        versions.insert(version.to_string(), doc);
    }
    let packument = json!({ "name": name, "dist-tags": { "latest": "1.1.0" }, "versions": versions,
        "time": { "1.0.0": "2024-06-01T00:00:00Z", "1.1.0": "2024-06-02T00:00:00Z" } });
    served.insert("/@acme%2fwidget".into(), packument.to_string());
    // The registry answers the request for 1.1.0 with 1.0.0's document.
    served.insert("/@acme%2fwidget/1.1.0".into(), versions["1.0.0"].to_string());
    let question = Question::new(registry, name, None, Depth::History);
    let outcome = run_blocking::<()>(question, &trust, |request| {
        Ok(served
            .get(&request.path)
            .cloned()
            .map_or(Answer::NotFound, Answer::Body))
    })
    .unwrap();
    assert_eq!(outcome.report.verdict, Verdict::Error, "{}", outcome.report.summary);
    assert!(
        matches!(&outcome.error, Some(LookupError::WrongDocument { message }) if message.contains("1.0.0")),
        "{:?}",
        outcome.error
    );
    // Served at its own address, the latest verifies.
    served.insert("/@acme%2fwidget/1.1.0".into(), versions["1.1.0"].to_string());
    let question = Question::new(registry, name, None, Depth::History);
    let outcome = run_blocking::<()>(question, &trust, |request| {
        Ok(served
            .get(&request.path)
            .cloned()
            .map_or(Answer::NotFound, Answer::Body))
    })
    .unwrap();
    assert_eq!(outcome.report.verdict, Verdict::Verified, "{}", outcome.report.summary);
    assert_eq!(outcome.version.as_deref(), Some("1.1.0"));
}
