#![cfg(not(target_arch = "wasm32"))]
//! Live trust material through TUF: the core's refresh steps driven over
//! the testkit's TUF repositories (each check of the client workflow failed
//! by exactly one fault) and over Sigstore's real metadata.

use std::collections::BTreeMap;

use npm_provenance_core::tuf::{TufError, TufFiles, TufState, TufStep, TufTargets, refresh};
use npm_provenance_fixtures as fx;
use npm_provenance_testkit::tuf::{TufFaults, repository};

/// 2026-06-01.
const NOW: i64 = 1_780_272_000;
const TRUSTED_ROOT: &str = r#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#;
const KEYS: &str = r#"{"keys":[]}"#;

/// Fetches what each step asks for from `served` until the refresh ends;
/// returns the outcome and how many rounds it took.
fn drive(root: &[u8], served: &BTreeMap<String, Vec<u8>>, state: &TufState, now: i64) -> (TufStep, usize) {
    let mut files = TufFiles::new();
    for round in 1..=30 {
        match refresh(root, &files, state, now) {
            TufStep::Need(list) => {
                for f in list {
                    files.insert(&f.path, served.get(&f.path).cloned());
                }
            }
            done => return (done, round),
        }
    }
    panic!("the refresh did not end")
}

fn done(step: TufStep) -> TufTargets {
    match step {
        TufStep::Done(t) => t,
        other => panic!("{other:?}"),
    }
}

fn failed(faults: TufFaults) -> TufError {
    let repo = repository(1, TRUSTED_ROOT, KEYS, NOW, &faults);
    match drive(&repo.root_v1, &repo.files, &TufState::new(), NOW).0 {
        TufStep::Failed(e) => e,
        other => panic!("{faults:?} was accepted: {other:?}"),
    }
}

#[test]
fn a_repository_gives_the_trusted_root_and_npms_keys() {
    let repo = repository(1, TRUSTED_ROOT, KEYS, NOW, &TufFaults::default());
    let (step, rounds) = drive(&repo.root_v1, &repo.files, &TufState::new(), NOW);
    let t = done(step);
    assert_eq!(
        (t.trusted_root.as_str(), t.npm_keys.as_deref()),
        (TRUSTED_ROOT, Some(KEYS))
    );
    assert_eq!((t.root_version, t.timestamp_version), (1, 20));
    assert!(rounds <= 8, "{rounds} rounds");
    assert!(
        t.state.contains_key("timestamp.json"),
        "{:?}",
        t.state.keys().collect::<Vec<_>>()
    );
}

#[test]
fn the_root_rotates_from_v1_to_v3_each_step_signed_by_old_and_new() {
    let repo = repository(3, TRUSTED_ROOT, KEYS, NOW, &TufFaults::default());
    let t = done(drive(&repo.root_v1, &repo.files, &TufState::new(), NOW).0);
    assert_eq!(t.root_version, 3);
    let faults = TufFaults {
        rotation_without_old_signature: true,
        ..Default::default()
    };
    let repo = repository(2, TRUSTED_ROOT, KEYS, NOW, &faults);
    let e = drive(&repo.root_v1, &repo.files, &TufState::new(), NOW).0;
    assert!(
        matches!(&e, TufStep::Failed(TufError::Attack(m)) if m.contains("threshold")),
        "{e:?}"
    );
}

#[test]
fn an_expired_timestamp_is_refused() {
    let e = failed(TufFaults {
        expired_timestamp: true,
        ..Default::default()
    });
    assert!(matches!(&e, TufError::Expired(m) if m.contains("timestamp")), "{e:?}");
}

#[test]
fn a_frozen_snapshot_is_refused() {
    let e = failed(TufFaults {
        expired_snapshot: true,
        ..Default::default()
    });
    assert!(matches!(&e, TufError::Expired(m) if m.contains("snapshot")), "{e:?}");
}

#[test]
fn a_rollback_below_what_was_trusted_is_an_attack() {
    let good = repository(1, TRUSTED_ROOT, KEYS, NOW, &TufFaults::default());
    let state = done(drive(&good.root_v1, &good.files, &TufState::new(), NOW).0).state;
    let old = repository(
        1,
        TRUSTED_ROOT,
        KEYS,
        NOW,
        &TufFaults {
            versions: Some((19, 9)),
            ..Default::default()
        },
    );
    let e = drive(&old.root_v1, &old.files, &state, NOW).0;
    assert!(
        matches!(&e, TufStep::Failed(TufError::Attack(m)) if m.contains("rollback")),
        "{e:?}"
    );
    // Without the earlier state the same repository is fine: the floor is
    // what the client trusted before.
    done(drive(&old.root_v1, &old.files, &TufState::new(), NOW).0);
}

#[test]
fn a_snapshot_of_another_timestamp_is_refused() {
    let e = failed(TufFaults {
        snapshot_of_another_timestamp: true,
        ..Default::default()
    });
    assert!(e.message().contains("snapshot"), "{e:?}");
}

#[test]
fn a_timestamp_signed_by_another_key_is_an_attack() {
    let e = failed(TufFaults {
        timestamp_by_wrong_key: true,
        ..Default::default()
    });
    assert!(matches!(&e, TufError::Attack(m) if m.contains("timestamp")), "{e:?}");
}

#[test]
fn targets_below_their_threshold_are_an_attack() {
    let e = failed(TufFaults {
        targets_below_threshold: true,
        ..Default::default()
    });
    assert!(matches!(&e, TufError::Attack(m) if m.contains("1/2")), "{e:?}");
}

#[test]
fn a_target_that_is_not_what_its_pin_says_is_an_attack() {
    let e = failed(TufFaults {
        target_hash_mismatch: true,
        ..Default::default()
    });
    assert!(
        matches!(&e, TufError::Attack(m) if m.contains("trusted_root.json")),
        "{e:?}"
    );
}

#[test]
fn oversize_metadata_is_refused_before_it_is_read() {
    let e = failed(TufFaults {
        oversize_timestamp: true,
        ..Default::default()
    });
    assert!(e.message().contains("at most 16384"), "{e:?}");
}

/// Sigstore's real metadata (tests/fixtures/trust/tuf, with the real
/// targets) verifies from its real root, at a time it was valid; the root
/// this program embeds is the next one in the chain.
#[test]
fn sigstores_real_metadata_verifies_from_its_real_root() {
    let dir = fx::dir();
    let read = |p: &str| std::fs::read(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut served = BTreeMap::new();
    let sha = |b: &[u8]| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    };
    let trusted_root = read("trust/trusted_root.json");
    let keys = read("keys/npm-keys.tuf-target.json");
    served.insert("timestamp.json".to_string(), read("trust/tuf/timestamp.json"));
    served.insert("165.snapshot.json".to_string(), read("trust/tuf/snapshot.json"));
    served.insert("14.targets.json".to_string(), read("trust/tuf/targets.json"));
    served.insert(
        "8.registry.npmjs.org.json".to_string(),
        read("trust/tuf/npm-registry-role.json"),
    );
    served.insert(
        format!("targets/{}.trusted_root.json", sha(&trusted_root)),
        trusted_root.clone(),
    );
    served.insert(
        format!("targets/registry.npmjs.org/{}.keys.json", sha(&keys)),
        keys.clone(),
    );
    // 2026-08-01: the timestamp of these files expires on 2026-08-28.
    let now = 1_785_542_400;
    let t = done(drive(&read("trust/tuf/root.json"), &served, &TufState::new(), now).0);
    assert_eq!(t.trusted_root.as_bytes(), trusted_root.as_slice());
    assert_eq!(t.npm_keys.as_deref().map(str::as_bytes), Some(keys.as_slice()));
    assert_eq!((t.root_version, t.timestamp_version), (15, 762));
    // The root this program embeds (v16, from sigstore-trust-root) is the
    // next in the chain: signed by v15's root keys and its own.
    served.insert(
        "16.root.json".to_string(),
        npm_provenance_core::tuf::EMBEDDED_TUF_ROOT.to_vec(),
    );
    let t = done(drive(&read("trust/tuf/root.json"), &served, &TufState::new(), now).0);
    assert_eq!(t.root_version, 16);
    served.remove("16.root.json");
    // A month later the same files are a freeze.
    let e = drive(
        &read("trust/tuf/root.json"),
        &served,
        &TufState::new(),
        now + 31 * 86_400,
    )
    .0;
    assert!(matches!(&e, TufStep::Failed(TufError::Expired(_))), "{e:?}");
}

/// Issue #26, 8: a repository that serves expired metadata (a newer
/// timestamp that has already expired) after a good refresh: the last
/// verified refresh stands while its own timestamp is valid, and the
/// potential freeze attack is a warning
/// (said on standard error and in every report), as a rollback is. A
/// repository that is merely out of reach is no attack, and says none.
#[test]
fn a_frozen_repository_is_said_as_loudly_as_an_attack() {
    use npm_provenance_core::tuf::{decide, refresh_offline};
    let url = "https://tuf.example";
    let good = repository(1, TRUSTED_ROOT, KEYS, NOW, &TufFaults::default());
    let state = done(drive(&good.root_v1, &good.files, &TufState::new(), NOW).0).state;
    let mut kept = TufFiles::new();
    for (path, bytes) in &good.files {
        kept.insert(path, Some(bytes.clone()));
    }
    let frozen = repository(
        1,
        TRUSTED_ROOT,
        KEYS,
        NOW,
        &TufFaults {
            expired_timestamp: true,
            versions: Some((21, 10)),
            ..Default::default()
        },
    );
    let online = || drive(&frozen.root_v1, &frozen.files, &state, NOW).0;
    assert!(matches!(online(), TufStep::Failed(TufError::Expired(_))));
    let decision = decide(url, Ok(online()), || refresh_offline(&good.root_v1, &kept, &state, NOW));
    assert_eq!(decision.source.source, "tuf-cache", "{decision:?}");
    assert!(decision.targets.is_some());
    let warning = decision.warning.as_deref().unwrap_or_default();
    assert!(
        warning.starts_with("https://tuf.example: the TUF repository serves expired metadata, a potential freeze attack (TUF specification 5.4.4)"),
        "{warning}"
    );
    assert_eq!(
        decision.source.warning.as_deref(),
        Some(warning),
        "the report says it too"
    );
    // Nothing kept: the built-in material, and the same warning.
    let decision = decide(url, Ok(online()), || {
        TufStep::Failed(TufError::Malformed("nothing kept".into()))
    });
    assert_eq!(decision.source.source, "embedded");
    assert!(decision.source.warning.as_deref().is_some_and(|w| w.contains("freeze")));
    // A rollback says so in the report as well as on standard error.
    let attack = decide(
        url,
        Ok(TufStep::Failed(TufError::Attack("rollback".into()))),
        || unreachable!(),
    );
    assert!(attack.warning.is_some() && attack.source.warning == attack.warning);
    // Out of reach: the cache, a note, no warning.
    let down = decide(url, Err("connection refused".into()), || {
        refresh_offline(&good.root_v1, &kept, &state, NOW)
    });
    assert_eq!(
        (down.source.source.as_str(), down.warning, down.source.warning),
        ("tuf-cache", None, None)
    );
}
