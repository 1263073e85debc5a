//! A package's version history and its downgrade listing: a registry
//! chooses how many versions it lists (tens of thousands are real), their
//! order, times, levels and flags. The listing's one pass
//! (`listed_downgrades_counted`) must find, for every version, exactly what
//! `find_downgrade` finds for it alone, and do work of order n log n
//! however the history is shaped.
//!
//! Input: a selector byte; 0 reads the rest as a package document (JSON),
//! anything else builds a history of 5-byte records (version, time, flags).
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use npm_provenance_core::publishing::{
    PublishSignals, PublishedVersion, TrustedPublisher, find_downgrade, listed_downgrades_counted,
    previous_with_provenance, published_version,
};
use npm_provenance_core::registry_documents::{VersionSummary, parse_packument};
use npm_provenance_fuzz::text;

/// Histories this long or shorter are also compared version by version
/// (`find_downgrade` for each is quadratic).
const COMPARED_UP_TO: usize = 200;

fn history_of(data: &[u8]) -> Vec<VersionSummary> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in data.chunks_exact(5) {
        let &[v, a, b, t, flags] = r else { continue };
        // Few distinct values, so that lines, equal times and equal
        // precedence (build metadata) occur.
        let version = match v % 6 {
            0 => format!("0.{}.{}", a % 4, b % 8),
            1 => format!("1.{}.{}-beta.{}", a % 4, b % 8, t % 3),
            2 => format!("{}.{}.{}+build.{}", 1 + a % 3, b % 4, t % 4, v / 6 % 3),
            3 => format!("{}.{}.{}-rc.{}+b{}", 1 + a % 2, b % 3, 0, t % 2, v / 6 % 2),
            4 => format!("{}.{}.{}", a, b, t),
            _ => format!("{}.{}.{}", 1 + a % 3, b % 4, t % 8),
        };
        if !seen.insert(version.clone()) {
            continue;
        }
        out.push(VersionSummary {
            version,
            published_at: (flags & 0x80 == 0).then_some(i64::from(t % 16) * 86_400),
            has_attestations: flags & 1 != 0,
            has_signatures: flags & 2 != 0,
            deprecated: flags & 4 != 0,
            publishing: PublishSignals {
                trusted_publisher: (flags & 8 != 0).then(|| TrustedPublisher {
                    id: if flags & 0x40 != 0 { "gitlab" } else { "github" }.into(),
                    oidc_config_id: None,
                }),
                approver: (flags & 16 != 0).then(|| "al".to_string()),
            },
        });
    }
    out
}

fn check(history: &[VersionSummary]) {
    let n = history.len();
    let (found, work) = listed_downgrades_counted(history);
    let log = (usize::BITS - n.leading_zeros()) as usize;
    assert!(work <= 8 * n * (log + 1) + 8, "{work} comparisons for {n} versions");
    assert!(found.len() <= n);
    if n <= COMPARED_UP_TO {
        let listed: Vec<PublishedVersion> = history.iter().map(published_version).collect();
        let one_by_one: Vec<_> = listed
            .iter()
            .filter_map(|v| {
                find_downgrade(&v.version, v.level, v.staged, v.published_at, &listed).map(|d| (v.version.clone(), d))
            })
            .collect();
        assert_eq!(
            found, one_by_one,
            "the listing disagrees with each version's own downgrade"
        );
        for v in history.iter().take(8) {
            if let Some(previous) = previous_with_provenance(&v.version, v.published_at, history) {
                assert!(previous.has_attestations && !previous.deprecated && previous.version != v.version);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector == 0 {
        let Some(input) = text(rest) else { return };
        if let Ok(packument) = parse_packument(input) {
            assert_eq!(packument.history.len(), packument.versions.len());
            check(&packument.history);
        }
    } else {
        check(&history_of(rest));
    }
});
