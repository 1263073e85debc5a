//! npm registry keys: the ones that sign publish attestations and
//! `dist.signatures`, with the windows in which each was valid.
//!
//! npm's two public keys are pinned here (from Sigstore's TUF repository,
//! target `registry.npmjs.org/keys.json`). A keys document in the shape of
//! `/-/npm/v1/keys` can add keys, for registries other than npm's; a supplied
//! key never replaces a pinned one with the same id.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::report::{KeySource, SigningKeyInfo};
use crate::time::{format_rfc3339, parse_rfc3339};

/// What a key may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsage {
    /// npm publish attestations.
    Attestations,
    /// `dist.signatures` in packuments.
    Signatures,
}

/// One registry key with its validity window (seconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryKey {
    pub key_id: String,
    /// DER SubjectPublicKeyInfo (ECDSA P-256).
    pub spki: Vec<u8>,
    pub usage: KeyUsage,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub source: KeySource,
}

impl RegistryKey {
    /// Whether the key was valid at `time` (seconds since the epoch).
    pub fn valid_at(&self, time: i64) -> bool {
        self.valid_from.is_none_or(|from| time >= from) && self.valid_until.is_none_or(|until| time < until)
    }

    /// Whether the key expires (npm's first key did, on 2025-01-29), so
    /// that a signature by it means something only at a known time: after
    /// its expiry the key may be in anyone's hands. (A start is not such a
    /// bound: npm's own check reads only `expires`.)
    pub fn expires(&self) -> bool {
        self.valid_until.is_some()
    }

    pub fn info(&self) -> SigningKeyInfo {
        SigningKeyInfo {
            key_id: self.key_id.clone(),
            source: self.source,
            valid_from: self.valid_from.map(format_rfc3339),
            valid_until: self.valid_until.map(format_rfc3339),
        }
    }

    /// "from 2022-12-01 until 2025-01-29", for sentences.
    pub fn window_text(&self) -> String {
        let day = |t: i64| format_rfc3339(t).chars().take(10).collect::<String>();
        match (self.valid_from, self.valid_until) {
            (Some(a), Some(b)) => format!("from {} until {}", day(a), day(b)),
            (Some(a), None) => format!("from {}", day(a)),
            (None, Some(b)) => format!("until {}", day(b)),
            (None, None) => "without a time limit".to_string(),
        }
    }
}

/// The DER prefix of every P-256 SubjectPublicKeyInfo with an uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// npm's key id for a P-256 key: its SSH fingerprint, `SHA256:` and the
/// unpadded base64 of the SHA-256 of the SSH wire form
/// (`ecdsa-sha2-nistp256`, `nistp256`, the point). `None` for other keys.
pub fn key_id_for(spki: &[u8]) -> Option<String> {
    let point = spki.strip_prefix(&P256_SPKI_PREFIX[..])?;
    if point.len() != 65 || point.first() != Some(&4) {
        return None;
    }
    let mut blob = Vec::with_capacity(104);
    for part in [&b"ecdsa-sha2-nistp256"[..], b"nistp256", point] {
        blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
        blob.extend_from_slice(part);
    }
    Some(format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&blob))))
}

const JL3BW_ID: &str = "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA";
const JL3BW_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==";
const DHQ8_ID: &str = "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U";
const DHQ8_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g==";

/// (key id, SPKI base64, usage, valid from, valid until), as in Sigstore's TUF
/// target `registry.npmjs.org/keys.json`. The old key's windows overlap the new
/// one's by two weeks (2025-01-13 to 2025-01-29), during the rotation.
type PinnedKey = (
    &'static str,
    &'static str,
    KeyUsage,
    Option<&'static str>,
    Option<&'static str>,
);
const PINNED: &[PinnedKey] = &[
    (
        JL3BW_ID,
        JL3BW_KEY,
        KeyUsage::Signatures,
        Some("1999-01-01T00:00:00Z"),
        Some("2025-01-29T00:00:00Z"),
    ),
    (
        JL3BW_ID,
        JL3BW_KEY,
        KeyUsage::Attestations,
        Some("2022-12-01T00:00:00Z"),
        Some("2025-01-29T00:00:00Z"),
    ),
    (
        DHQ8_ID,
        DHQ8_KEY,
        KeyUsage::Signatures,
        Some("2025-01-13T00:00:00Z"),
        None,
    ),
    (
        DHQ8_ID,
        DHQ8_KEY,
        KeyUsage::Attestations,
        Some("2025-01-13T00:00:00Z"),
        None,
    ),
];

/// The DER SubjectPublicKeyInfo in a PEM `PUBLIC KEY` block.
pub fn spki_from_pem(pem: &str) -> Result<Vec<u8>, String> {
    sigstore_types::DerPublicKey::from_pem(pem)
        .map(|k| k.as_bytes().to_vec())
        .map_err(|e| format!("not a PEM public key: {e}"))
}

/// The keys a verification may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryKeys {
    keys: Vec<RegistryKey>,
}

#[derive(Deserialize)]
struct KeysDocument {
    keys: Vec<KeysDocumentKey>,
}

#[derive(Deserialize)]
struct KeysDocumentKey {
    keyid: String,
    key: String,
    #[serde(default)]
    keytype: Option<String>,
    #[serde(default)]
    expires: Option<String>,
}

/// A bound on keys documents: npm serves two keys; more than this is not a keys document.
const MAX_KEYS_IN_DOCUMENT: usize = 64;

impl RegistryKeys {
    /// npm's pinned public keys.
    #[allow(
        clippy::expect_used,
        reason = "compile-time constants of this crate, not input; the tests read every pinned key"
    )]
    pub fn npm() -> Self {
        let keys = PINNED
            .iter()
            .map(|&(id, key, usage, from, until)| RegistryKey {
                key_id: id.to_string(),
                spki: STANDARD.decode(key).expect("pinned key is base64"),
                usage,
                valid_from: from.map(|t| parse_rfc3339(t).expect("pinned time")),
                valid_until: until.map(|t| parse_rfc3339(t).expect("pinned time")),
                source: KeySource::Pinned,
            })
            .collect();
        Self { keys }
    }

    /// npm's pinned keys plus those of a `/-/npm/v1/keys` document, if given.
    pub fn npm_and(keys_document: Option<&str>) -> Result<Self, String> {
        let mut keys = Self::npm();
        if let Some(doc) = keys_document {
            keys.add_keys_document(doc)?;
        }
        Ok(keys)
    }

    /// No keys at all (a caller that supplies its own document).
    pub fn empty() -> Self {
        Self { keys: Vec::new() }
    }

    /// Exactly these keys (a registry with its own keys and windows).
    pub fn from_keys(keys: Vec<RegistryKey>) -> Self {
        Self { keys }
    }

    /// Adds the keys of a `/-/npm/v1/keys` document, for both usages, valid
    /// until their `expires`. Keys whose id is not the hash of the key, and
    /// ids already present, are refused. All or nothing: on error no key is added.
    pub fn add_keys_document(&mut self, json: &str) -> Result<usize, String> {
        let doc: KeysDocument = serde_json::from_str(json)
            .map_err(|e| format!("the keys document is not in the /-/npm/v1/keys shape: {e}"))?;
        if doc.keys.len() > MAX_KEYS_IN_DOCUMENT {
            return Err(format!(
                "the keys document lists {} keys; at most {MAX_KEYS_IN_DOCUMENT} are accepted",
                doc.keys.len()
            ));
        }
        let mut new_keys: Vec<RegistryKey> = Vec::new();
        let mut added = 0;
        for key in doc.keys {
            if key.keytype.as_deref().is_some_and(|t| t != "ecdsa-sha2-nistp256") {
                continue;
            }
            let Ok(spki) = STANDARD.decode(key.key.trim()) else {
                return Err(format!("key {} is not base64", key.keyid));
            };
            match key_id_for(&spki) {
                Some(id) if id == key.keyid => {}
                Some(id) => {
                    return Err(format!("key id {} is not the fingerprint of its key ({id})", key.keyid));
                }
                None => {
                    return Err(format!("key {} is not an ECDSA P-256 public key", key.keyid));
                }
            }
            if self.keys.iter().chain(&new_keys).any(|k| k.key_id == key.keyid) {
                continue;
            }
            let valid_until = match key.expires.as_deref() {
                None | Some("") => None,
                Some(t) => Some(
                    parse_rfc3339(t).ok_or_else(|| format!("key {} expires at an invalid time {t:?}", key.keyid))?,
                ),
            };
            for usage in [KeyUsage::Attestations, KeyUsage::Signatures] {
                new_keys.push(RegistryKey {
                    key_id: key.keyid.clone(),
                    spki: spki.clone(),
                    usage,
                    valid_from: None,
                    valid_until,
                    source: KeySource::Supplied,
                });
            }
            added += 1;
        }
        self.keys.extend(new_keys);
        Ok(added)
    }

    /// The keys of the TUF target `registry.npmjs.org/keys.json` (Sigstore's
    /// `{"keys":[{"keyId","keyUsage":"npm:signatures"|"npm:attestations",
    /// "publicKey":{"rawBytes","keyDetails","validFor":{"start","end"}}}]}`),
    /// each for its one usage and window. Keys whose id is not the hash of
    /// the key, of another algorithm, or of another usage are refused; all
    /// or nothing.
    pub fn from_tuf_target(json: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Doc {
            keys: Vec<TufKey>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TufKey {
            key_id: String,
            key_usage: String,
            public_key: TufPublicKey,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TufPublicKey {
            raw_bytes: String,
            key_details: String,
            valid_for: Option<Window>,
        }
        #[derive(serde::Deserialize)]
        struct Window {
            start: Option<String>,
            end: Option<String>,
        }
        let doc: Doc = serde_json::from_str(json).map_err(|e| format!("npm's keys target is not in its shape: {e}"))?;
        if doc.keys.len() > MAX_KEYS_IN_DOCUMENT {
            return Err(format!("npm's keys target lists {} keys", doc.keys.len()));
        }
        let time = |t: Option<&str>| match t {
            None | Some("") => Ok(None),
            Some(t) => parse_rfc3339(t)
                .map(Some)
                .ok_or_else(|| format!("an invalid time {t:?}")),
        };
        let mut keys = Vec::new();
        for key in doc.keys {
            let usage = match key.key_usage.as_str() {
                "npm:signatures" => KeyUsage::Signatures,
                "npm:attestations" => KeyUsage::Attestations,
                other => return Err(format!("key {} has an unknown usage {other:?}", key.key_id)),
            };
            if key.public_key.key_details != "PKIX_ECDSA_P256_SHA_256" {
                return Err(format!("key {} is not ECDSA P-256", key.key_id));
            }
            let spki = STANDARD
                .decode(key.public_key.raw_bytes.trim())
                .map_err(|_| format!("key {} is not base64", key.key_id))?;
            match key_id_for(&spki) {
                Some(id) if id == key.key_id => {}
                _ => return Err(format!("key id {} is not the fingerprint of its key", key.key_id)),
            }
            let window = key.public_key.valid_for;
            keys.push(RegistryKey {
                key_id: key.key_id,
                spki,
                usage,
                valid_from: time(window.as_ref().and_then(|w| w.start.as_deref()))?,
                valid_until: time(window.as_ref().and_then(|w| w.end.as_deref()))?,
                source: KeySource::Tuf,
            });
        }
        Ok(Self { keys })
    }

    /// The key with this id for this usage.
    pub fn find(&self, key_id: &str, usage: KeyUsage) -> Option<&RegistryKey> {
        self.keys.iter().find(|k| k.key_id == key_id && k.usage == usage)
    }

    /// Whether any key came from a keys document the caller supplied
    /// (`--keys`, a server's trust configuration): the caller says its
    /// registry signs with them.
    pub fn has_supplied(&self) -> bool {
        self.keys.iter().any(|k| k.source == KeySource::Supplied)
    }

    pub fn keys(&self) -> &[RegistryKey] {
        &self.keys
    }
}

impl Default for RegistryKeys {
    fn default() -> Self {
        Self::npm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real TUF target verifies as the pinned keys do: the same ids,
    /// usages and windows.
    #[test]
    fn the_tuf_target_gives_npms_keys_with_their_usages_and_windows() {
        let target = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/keys/npm-keys.tuf-target.json"),
        )
        .unwrap();
        let tuf = RegistryKeys::from_tuf_target(&target).unwrap();
        let pinned = RegistryKeys::npm();
        let summary = |k: &RegistryKeys| {
            let mut v: Vec<(String, bool, Option<i64>)> = k
                .keys()
                .iter()
                .map(|k| (k.key_id.clone(), k.usage == KeyUsage::Signatures, k.valid_until))
                .collect();
            v.sort();
            v
        };
        assert_eq!(summary(&tuf), summary(&pinned));
        assert!(tuf.keys().iter().all(|k| k.source == KeySource::Tuf));
        let wrong_usage = target.replacen("npm:signatures", "npm:other", 1);
        assert!(
            RegistryKeys::from_tuf_target(&wrong_usage)
                .unwrap_err()
                .contains("unknown usage")
        );
        let wrong_id = target.replacen("SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA", "SHA256:x", 1);
        assert!(
            RegistryKeys::from_tuf_target(&wrong_id)
                .unwrap_err()
                .contains("not the fingerprint")
        );
    }

    #[test]
    fn pinned_key_ids_are_the_hashes_of_their_keys() {
        for key in RegistryKeys::npm().keys() {
            assert_eq!(key_id_for(&key.spki).as_deref(), Some(key.key_id.as_str()));
        }
    }

    #[test]
    fn windows_follow_the_rotation() {
        let keys = RegistryKeys::npm();
        let old = keys.find(JL3BW_ID, KeyUsage::Attestations).unwrap();
        let new = keys.find(DHQ8_ID, KeyUsage::Attestations).unwrap();
        let t = |s| parse_rfc3339(s).unwrap();
        assert!(!old.valid_at(t("2022-11-30T23:59:59Z")));
        assert!(old.valid_at(t("2024-05-16T17:12:06Z")));
        assert!(old.valid_at(t("2025-01-20T00:00:00Z")) && new.valid_at(t("2025-01-20T00:00:00Z")));
        assert!(!old.valid_at(t("2025-01-29T00:00:00Z")));
        assert!(!new.valid_at(t("2025-01-12T23:59:59Z")));
        assert!(new.valid_at(t("2026-11-25T00:00:00Z")));
    }

    #[test]
    fn keys_document_adds_keys_and_refuses_forged_ids() {
        let mut keys = RegistryKeys::empty();
        let doc = format!(
            r#"{{"keys":[{{"expires":null,"keyid":"{DHQ8_ID}","keytype":"ecdsa-sha2-nistp256","scheme":"ecdsa-sha2-nistp256","key":"{DHQ8_KEY}"}}]}}"#
        );
        assert_eq!(keys.add_keys_document(&doc).unwrap(), 1);
        assert_eq!(
            keys.find(DHQ8_ID, KeyUsage::Attestations).unwrap().source,
            KeySource::Supplied
        );

        let forged = doc.replace(DHQ8_KEY, JL3BW_KEY);
        let err = RegistryKeys::empty().add_keys_document(&forged).unwrap_err();
        assert!(err.contains("is not the fingerprint of its key"), "{err}");
        assert!(RegistryKeys::empty().add_keys_document("[]").is_err());
    }

    /// Found while fuzzing: a document with one good key then a forged one
    /// used to leave the good key added although the call failed.
    #[test]
    fn a_failing_keys_document_adds_nothing() {
        let good = format!(r#"{{"keyid":"{DHQ8_ID}","key":"{DHQ8_KEY}"}}"#);
        let forged = format!(r#"{{"keyid":"{DHQ8_ID}x","key":"{JL3BW_KEY}"}}"#);
        let mut keys = RegistryKeys::empty();
        assert!(
            keys.add_keys_document(&format!(r#"{{"keys":[{good},{forged}]}}"#))
                .is_err()
        );
        assert!(keys.keys().is_empty());
        // The same key twice in one document counts once.
        assert_eq!(
            keys.add_keys_document(&format!(r#"{{"keys":[{good},{good}]}}"#))
                .unwrap(),
            1
        );
        assert_eq!(keys.keys().len(), 2);
    }

    #[test]
    fn a_supplied_key_does_not_replace_a_pinned_one() {
        let mut keys = RegistryKeys::npm();
        let doc =
            format!(r#"{{"keys":[{{"expires":"2030-01-01T00:00:00.000Z","keyid":"{DHQ8_ID}","key":"{DHQ8_KEY}"}}]}}"#);
        assert_eq!(keys.add_keys_document(&doc).unwrap(), 0);
        assert_eq!(
            keys.find(DHQ8_ID, KeyUsage::Attestations).unwrap().source,
            KeySource::Pinned
        );
    }
}
