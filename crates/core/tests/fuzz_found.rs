//! What the fuzz targets (fuzz/fuzz_targets) found, each kept as a
//! regression test with the input that found it stored beside this file
//! (`fuzz_found/<target>/<name>`), checked against the property the target
//! asserts.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use npm_provenance_core::package::{compare_integrity, parse_integrity};

fn input(path: &str) -> String {
    let full = format!("{}/tests/fuzz_found/{path}", env!("CARGO_MANIFEST_DIR"));
    String::from_utf8(std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))).unwrap()
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
