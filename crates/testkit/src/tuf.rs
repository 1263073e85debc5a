//! A TUF repository of the testkit's own, shaped like Sigstore's: a root
//! (with rotations), timestamp, snapshot, targets holding
//! `trusted_root.json`, and a delegated `registry.npmjs.org` role holding
//! `registry.npmjs.org/keys.json`; consistent snapshots, Ed25519 keys,
//! signatures over TUF's canonical JSON. Every field can be made wrong, one
//! at a time ([`TufFaults`]), so that each check of a TUF client has a case
//! that fails it and nothing else.

use std::collections::BTreeMap;

use ed25519_dalek::Signer as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// An Ed25519 TUF key from a seed.
#[derive(Clone)]
pub struct TufKey(ed25519_dalek::SigningKey);

impl TufKey {
    pub fn new(seed: u8) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    pub fn id(&self) -> String {
        hex::encode(Sha256::digest(self.0.verifying_key().as_bytes()))
    }

    fn json(&self) -> Value {
        json!({ "keytype": "ed25519", "scheme": "ed25519", "keyval": { "public": hex::encode(self.0.verifying_key().as_bytes()) } })
    }
}

fn canonical(value: &Value) -> Vec<u8> {
    sigstore_tuf::canonical_json::to_canonical_bytes(value).expect("integers only")
}

/// `{"signed": ..., "signatures": [...]}` signed by `keys`.
pub fn sign(signed: Value, keys: &[&TufKey]) -> Vec<u8> {
    let bytes = canonical(&signed);
    let signatures: Vec<Value> = keys
        .iter()
        .map(|k| json!({ "keyid": k.id(), "sig": hex::encode(k.0.sign(&bytes).to_bytes()) }))
        .collect();
    serde_json::to_vec(&json!({ "signed": signed, "signatures": signatures })).expect("serializes")
}

/// A date in TUF's format.
pub fn expiry(seconds: i64) -> String {
    npm_provenance_core_time(seconds)
}

fn npm_provenance_core_time(seconds: i64) -> String {
    // 1970-01-01T00:00:00Z + seconds, by the civil-from-days algorithm.
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// What to make wrong in a repository (default: nothing).
#[derive(Debug, Clone, Default)]
pub struct TufFaults {
    /// The timestamp expired before `now`.
    pub expired_timestamp: bool,
    /// The snapshot expired (a repository frozen at an old snapshot).
    pub expired_snapshot: bool,
    /// The timestamp names a snapshot version that is not the one served
    /// (mix-and-match: a snapshot of another timestamp).
    pub snapshot_of_another_timestamp: bool,
    /// Timestamp and snapshot versions below these (a rollback against a
    /// client that trusted newer ones).
    pub versions: Option<(u64, u64)>,
    /// The timestamp signed by a key the root does not list for it.
    pub timestamp_by_wrong_key: bool,
    /// The root requires 2 targets signatures; one is given.
    pub targets_below_threshold: bool,
    /// The served trusted_root.json is not the bytes the targets pin.
    pub target_hash_mismatch: bool,
    /// The timestamp padded past any size a client should read.
    pub oversize_timestamp: bool,
    /// Root v2 signed by the new root's keys only (not the old threshold).
    pub rotation_without_old_signature: bool,
}

/// The keys of each role.
pub struct TufKeys {
    pub root: Vec<TufKey>,
    pub timestamp: TufKey,
    pub snapshot: TufKey,
    pub targets: Vec<TufKey>,
    pub npm: TufKey,
}

impl TufKeys {
    /// The keys of root version `v` (each rotation changes the root key).
    pub fn of_root(version: u64) -> Self {
        let v = u8::try_from(version).unwrap_or(0);
        Self {
            root: vec![TufKey::new(100 + v)],
            timestamp: TufKey::new(60),
            snapshot: TufKey::new(61),
            targets: vec![TufKey::new(62), TufKey::new(63)],
            npm: TufKey::new(64),
        }
    }
}

/// A repository: its files by path, as a server serves them.
pub struct TufRepository {
    pub files: BTreeMap<String, Vec<u8>>,
    /// The first root, which a client embeds.
    pub root_v1: Vec<u8>,
}

fn root_document(version: u64, expires: i64, keys: &TufKeys, targets_threshold: usize) -> Value {
    let mut all = serde_json::Map::new();
    for k in keys
        .root
        .iter()
        .chain([&keys.timestamp, &keys.snapshot])
        .chain(keys.targets.iter())
    {
        all.insert(k.id(), k.json());
    }
    let ids = |ks: &[&TufKey]| ks.iter().map(|k| k.id()).collect::<Vec<_>>();
    json!({
        "_type": "root", "spec_version": "1.0", "version": version, "expires": expiry(expires),
        "consistent_snapshot": true, "keys": all,
        "roles": {
            "root": { "keyids": ids(&keys.root.iter().collect::<Vec<_>>()), "threshold": 1 },
            "timestamp": { "keyids": ids(&[&keys.timestamp]), "threshold": 1 },
            "snapshot": { "keyids": ids(&[&keys.snapshot]), "threshold": 1 },
            "targets": { "keyids": ids(&keys.targets.iter().collect::<Vec<_>>()), "threshold": targets_threshold }
        }
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A repository whose root went through `roots` versions (1 → `roots`), that
/// serves `trusted_root` and npm's `keys` (a keys document), valid at
/// `now`, with `faults`.
pub fn repository(roots: u64, trusted_root: &str, npm_keys: &str, now: i64, faults: &TufFaults) -> TufRepository {
    let year = 365 * 86_400;
    let mut files = BTreeMap::new();
    let threshold = if faults.targets_below_threshold { 2 } else { 1 };
    let root_v1 = sign(
        root_document(1, now + year, &TufKeys::of_root(1), threshold),
        &[&TufKeys::of_root(1).root[0]],
    );
    files.insert("1.root.json".to_string(), root_v1.clone());
    for v in 2..=roots {
        let (old, new) = (TufKeys::of_root(v - 1), TufKeys::of_root(v));
        let signers: Vec<&TufKey> = if faults.rotation_without_old_signature {
            vec![&new.root[0]]
        } else {
            vec![&old.root[0], &new.root[0]]
        };
        files.insert(
            format!("{v}.root.json"),
            sign(root_document(v, now + year, &new, threshold), &signers),
        );
    }
    let keys = TufKeys::of_root(roots);

    // Targets, and the delegated role that holds npm's keys.
    let trusted_root_bytes = trusted_root.as_bytes().to_vec();
    let keys_bytes = npm_keys.as_bytes().to_vec();
    let npm_role = sign(
        json!({ "_type": "targets", "spec_version": "1.0", "version": 3, "expires": expiry(now + year),
            "targets": { "registry.npmjs.org/keys.json": { "length": keys_bytes.len(), "hashes": { "sha256": sha256_hex(&keys_bytes) } } } }),
        &[&keys.npm],
    );
    let targets_signers: Vec<&TufKey> = if faults.targets_below_threshold {
        vec![&keys.targets[0]]
    } else {
        keys.targets.iter().collect()
    };
    let targets = sign(
        json!({ "_type": "targets", "spec_version": "1.0", "version": 7, "expires": expiry(now + year),
            "targets": { "trusted_root.json": { "length": trusted_root_bytes.len(), "hashes": { "sha256": sha256_hex(&trusted_root_bytes) } } },
            "delegations": {
                "keys": { keys.npm.id(): keys.npm.json() },
                "roles": [{ "name": "registry.npmjs.org", "keyids": [keys.npm.id()], "threshold": 1, "terminating": true, "paths": ["registry.npmjs.org/*"] }]
            } }),
        &targets_signers,
    );
    let (timestamp_version, snapshot_version) = faults.versions.unwrap_or((20, 10));
    let snapshot_expires = if faults.expired_snapshot {
        now - 60
    } else {
        now + 30 * 86_400
    };
    let snapshot = sign(
        json!({ "_type": "snapshot", "spec_version": "1.0", "version": snapshot_version, "expires": expiry(snapshot_expires),
            "meta": { "targets.json": { "version": 7 }, "registry.npmjs.org.json": { "version": 3 } } }),
        &[&keys.snapshot],
    );
    let timestamp_expires = if faults.expired_timestamp {
        now - 60
    } else {
        now + 86_400
    };
    let named_snapshot = if faults.snapshot_of_another_timestamp {
        snapshot_version + 1
    } else {
        snapshot_version
    };
    let mut timestamp_signed = json!({ "_type": "timestamp", "spec_version": "1.0", "version": timestamp_version,
        "expires": expiry(timestamp_expires),
        "meta": { "snapshot.json": { "version": named_snapshot } } });
    if faults.oversize_timestamp {
        timestamp_signed["padding"] = json!("x".repeat(64 * 1024));
    }
    let wrong = TufKey::new(99);
    let timestamp = sign(
        timestamp_signed,
        &[if faults.timestamp_by_wrong_key {
            &wrong
        } else {
            &keys.timestamp
        }],
    );
    files.insert("timestamp.json".into(), timestamp);
    // Mix-and-match: the snapshot served where the timestamp points is
    // another one (its version is not the one the timestamp names).
    files.insert(format!("{named_snapshot}.snapshot.json"), snapshot);
    files.insert("7.targets.json".into(), targets);
    files.insert("3.registry.npmjs.org.json".into(), npm_role);
    let served_root = if faults.target_hash_mismatch {
        let mut b = trusted_root_bytes.clone();
        b.push(b' ');
        b
    } else {
        trusted_root_bytes.clone()
    };
    files.insert(
        format!("targets/{}.trusted_root.json", sha256_hex(&trusted_root_bytes)),
        served_root,
    );
    files.insert(
        format!("targets/registry.npmjs.org/{}.keys.json", sha256_hex(&keys_bytes)),
        keys_bytes,
    );
    TufRepository { files, root_v1 }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_tufs() {
        assert_eq!(super::expiry(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::expiry(1_717_243_200), "2024-06-01T12:00:00Z");
    }
}
