//! Integrity strings (`dist.integrity`, a lockfile's `integrity`) against
//! npm's own reading of them (ssri, which pacote checks every tarball
//! with): an entry a tarball could match is never ignored. Input: the
//! lockfile's string, a NUL byte, the registry's (one string alone is both).
//!
//! ssri splits the trimmed string at every run of JavaScript whitespace
//! (`/\s+/`: ASCII's, vertical tab, no-break space, U+2028, U+FEFF, ...),
//! reads each token as `^([a-z0-9]+)-([^?]+)([?\S*]*)$`, and accepts a
//! tarball whose digest equals any listed digest of the strongest
//! algorithm. So for every `sha512-<digest>` token whose digest is the
//! base64 of 64 bytes (what a tarball's sha512 is written as):
//! - `parse_integrity` refuses the string whole, or lists that sha512;
//! - `compare_integrity(lockfile, registry)` passes only if every such
//!   sha512 of the lockfile's is one of the registry's (when the registry's
//!   string is usable at all).
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use npm_provenance_core::package::{MAX_INTEGRITY_HASHES, MAX_INTEGRITY_LEN, compare_integrity, parse_integrity};
use npm_provenance_fuzz::text;

/// JavaScript's `\s`: what `String.prototype.trim` removes and `/\s+/` splits at.
fn js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// ssri's tokens: `(algorithm, digest)` of each that its SRI_REGEX reads.
fn ssri_tokens(integrity: &str) -> Vec<(&str, &str)> {
    integrity
        .split(js_space)
        .filter(|t| !t.is_empty())
        .filter_map(|token| {
            let (algorithm, rest) = token.split_once('-')?;
            if algorithm.is_empty() || !algorithm.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
                return None;
            }
            // `([^?]+)`: at least one character before any `?`; the rest
            // (`[?\S*]*`) is anything without whitespace, which a token is.
            let digest = rest.split('?').next().unwrap_or_default();
            (!digest.is_empty()).then_some((algorithm, digest))
        })
        .collect()
}

/// The sha512 digests a tarball could match: `sha512-` tokens whose digest
/// is exactly how a 64-byte hash is written in base64.
fn matchable_sha512(integrity: &str) -> Vec<[u8; 64]> {
    ssri_tokens(integrity)
        .into_iter()
        .filter(|(algorithm, _)| *algorithm == "sha512")
        .filter_map(|(_, digest)| {
            let bytes = STANDARD.decode(digest).ok()?;
            // The digest a tarball is compared by is this exact text.
            (STANDARD.encode(&bytes) == digest).then_some(bytes.try_into().ok()?)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let (lockfile, registry) = input.split_once('\0').unwrap_or((input, input));
    for s in [lockfile, registry] {
        let matchable = matchable_sha512(s);
        match parse_integrity(s) {
            Ok(parsed) => {
                assert!(!parsed.sha512.is_empty());
                assert!(s.chars().count() <= MAX_INTEGRITY_LEN, "read past the length limit");
                assert!(
                    ssri_tokens(s).len() <= MAX_INTEGRITY_HASHES,
                    "read past the entry limit: {s:?}"
                );
                for digest in &matchable {
                    assert!(
                        parsed.sha512.contains(digest),
                        "a sha512 npm would accept a tarball by was skipped: {s:?} read as {parsed:?}"
                    );
                }
            }
            Err(e) => assert!(!e.is_empty()),
        }
    }
    if parse_integrity(registry).is_ok() && compare_integrity(lockfile, registry).is_ok() {
        let served = matchable_sha512(registry);
        for digest in matchable_sha512(lockfile) {
            assert!(
                served.contains(&digest),
                "the lockfile pins a sha512 the registry does not state, and it compared equal: {lockfile:?} vs {registry:?}"
            );
        }
    }
});
