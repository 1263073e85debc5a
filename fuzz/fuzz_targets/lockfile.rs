//! Lockfiles (package-lock.json, pnpm-lock.yaml, yarn.lock, classic and
//! berry, bun.lock) as the audit reads them: whatever is read obeys the limits and
//! the validation the audit relies on.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::lockfile::{Lockfile, MAX_LOCKED_PACKAGES, MAX_PROBLEMS, MAX_VIA, parse_lockfile};
use npm_provenance_core::package::validate_name;
use npm_provenance_core::registry_documents::compare_versions;
use npm_provenance_fuzz::text;

/// The file name the content is given with (it only breaks ties).
const NAMES: [Option<&str>; 5] =
    [None, Some("package-lock.json"), Some("pnpm-lock.yaml"), Some("yarn.lock"), Some("bun.lock")];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some(input) = text(rest) else { return };
    let Ok(lock) = parse_lockfile(NAMES[usize::from(selector) % NAMES.len()], input) else {
        return;
    };
    assert!(lock.packages.len() <= MAX_LOCKED_PACKAGES);
    assert!(lock.problems.len() <= MAX_PROBLEMS);
    for p in &lock.packages {
        validate_name(&p.name).unwrap_or_else(|e| panic!("{e}"));
        semver::Version::parse(&p.version).unwrap_or_else(|e| panic!("{}: {e}", p.version));
        assert!(p.via.len() <= MAX_VIA, "{p:?}");
        assert!(p.via.windows(2).all(|w| w[0] < w[1]), "via not sorted: {p:?}");
        for name in &p.via {
            validate_name(name).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // One per (name, version), sorted by name then version.
    for pair in lock.packages.windows(2) {
        let order = pair[0].name.cmp(&pair[1].name).then_with(|| compare_versions(&pair[0].version, &pair[1].version));
        assert_eq!(order, Ordering::Less, "{:?} then {:?}", pair[0], pair[1]);
    }
    for n in &lock.not_from_registry {
        validate_name(&n.name).unwrap_or_else(|e| panic!("{e}"));
    }
    // What the audit stores and sends to the page reads back the same.
    let json = serde_json::to_string(&lock).expect("a lockfile serializes");
    assert_eq!(serde_json::from_str::<Lockfile>(&json).expect("and reads back"), lock);
});
