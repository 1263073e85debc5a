//! The registry documents verification reads: the attestations response, the
//! packument (and the version documents in it), and the paths they live at.
//!
//! These are parsers of untrusted JSON: every field is optional and every
//! size is bounded; nothing here panics on input.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::package::truncate;
use crate::report::{PublishSignals, TrustedPublisher};
use crate::time::parse_rfc3339;

/// npm serves two attestations per version; a response with more than this
/// is not one npm would serve, and each costs a full verification.
pub const MAX_ATTESTATIONS: usize = 8;
/// A generous bound on an attestations response (npm's are about 20 KB).
pub const MAX_ATTESTATIONS_BYTES: usize = 4 << 20;
/// Packuments of very popular packages reach tens of megabytes.
pub const MAX_PACKUMENT_BYTES: usize = 64 << 20;
/// `dist.signatures` holds one signature per registry key.
pub const MAX_REGISTRY_SIGNATURES: usize = 16;

/// The registry path of a packument: `/<name>`, a scope's `/` encoded as `%2f`.
pub fn packument_path(name: &str) -> String {
    format!("/{}", name.replace('/', "%2f"))
}

/// The registry path of a version's attestations.
pub fn attestations_path(name: &str, version: &str) -> String {
    format!("/-/npm/v1/attestations/{}@{version}", name.replace('/', "%2f"))
}

/// The registry path of one version's document (or a dist-tag's:
/// `/<name>/latest`), as npm's registry serves it: the object the package
/// document lists under `versions`, a few kilobytes whatever the history.
pub fn version_document_path(name: &str, version_or_tag: &str) -> String {
    format!("{}/{version_or_tag}", packument_path(name))
}

/// The registry path of its public keys document.
pub const KEYS_PATH: &str = "/-/npm/v1/keys";

/// A version document is one version's metadata; npm's are a few
/// kilobytes, old ones carry a readme: four megabytes is generous.
pub const MAX_VERSION_DOCUMENT_BYTES: usize = 4 << 20;
/// A keys document lists a registry's few signing keys.
pub const MAX_KEYS_DOCUMENT_BYTES: usize = 64 << 10;

/// How many keys a registry's `/-/npm/v1/keys` document lists (whatever
/// they are: a registry that lists any signs its versions, see
/// `lookup`). Not the shape of a keys document is an error.
pub fn count_listed_keys(json: &str) -> Result<usize, String> {
    #[derive(Deserialize)]
    struct Listing<'a> {
        #[serde(borrow)]
        keys: Vec<&'a RawValue>,
    }
    if json.len() > MAX_KEYS_DOCUMENT_BYTES {
        return Err(format!(
            "The registry's keys document is {} bytes; more than {MAX_KEYS_DOCUMENT_BYTES} is refused.",
            json.len()
        ));
    }
    serde_json::from_str::<Listing<'_>>(json)
        .map(|l| l.keys.len())
        .map_err(|e| {
            format!(
                "The registry's keys document is not in the shape {{\"keys\": [...]}}: {}.",
                truncate(&e.to_string(), 200)
            )
        })
}

/// Joins a registry base URL and a path (`https://r.example/npm/` + `/x`).
pub fn registry_url(base: &str, path: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path)
}

/// One attestation of an attestations response.
#[derive(Debug, Clone)]
pub struct AttestationEntry {
    /// The registry's unsigned label.
    pub predicate_type: Option<String>,
    /// The bundle's JSON text, as served.
    pub bundle_json: String,
}

#[derive(Deserialize)]
struct AttestationsWire<'a> {
    #[serde(borrow)]
    attestations: Vec<AttestationWire<'a>>,
}

#[derive(Deserialize)]
struct AttestationWire<'a> {
    #[serde(rename = "predicateType", default)]
    predicate_type: Option<String>,
    #[serde(borrow)]
    bundle: Option<&'a RawValue>,
}

/// Parses `{"attestations":[{"predicateType","bundle"}]}`.
pub fn parse_attestations(json: &str) -> Result<Vec<AttestationEntry>, String> {
    if json.len() > MAX_ATTESTATIONS_BYTES {
        return Err(format!(
            "The attestations response is {} bytes; more than {MAX_ATTESTATIONS_BYTES} is refused.",
            json.len()
        ));
    }
    let wire: AttestationsWire<'_> = serde_json::from_str(json).map_err(|e| {
        format!(
            "The attestations response is not in the registry's shape ({{\"attestations\": [...]}}): {}.",
            truncate(&e.to_string(), 200)
        )
    })?;
    if wire.attestations.is_empty() {
        return Err("The attestations response lists no attestations.".into());
    }
    if wire.attestations.len() > MAX_ATTESTATIONS {
        return Err(format!(
            "The attestations response lists {} attestations; npm serves two, at most {MAX_ATTESTATIONS} are read.",
            wire.attestations.len()
        ));
    }
    wire.attestations
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let bundle = a
                .bundle
                .ok_or_else(|| format!("Attestation {} has no bundle.", i + 1))?;
            Ok(AttestationEntry {
                predicate_type: a.predicate_type,
                bundle_json: bundle.get().to_string(),
            })
        })
        .collect()
}

/// Tells whether pasted JSON is an attestations response (rather than a bundle).
pub fn looks_like_attestations_response(json: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        attestations: Option<&'a RawValue>,
    }
    serde_json::from_str::<Probe<'_>>(json).is_ok_and(|p| p.attestations.is_some())
}

/// A `dist.signatures` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySignature {
    pub keyid: String,
    pub sig: String,
}

/// What verification needs from a version document (`versions[v]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDist {
    pub integrity: Option<String>,
    pub tarball: Option<String>,
    pub signatures: Vec<RegistrySignature>,
    /// `dist.attestations.url`, present when the registry has attestations.
    pub attestations_url: Option<String>,
    /// `dist.attestations.provenance.predicateType`.
    pub provenance_predicate_type: Option<String>,
    /// The version document's own `name` and `version`, which must be the
    /// package's and the key it is listed under (see `package_version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_version: Option<String>,
    /// `_npmUser`'s publishing signals: the registry's word, unsigned.
    #[serde(default, skip_serializing_if = "is_default")]
    pub publishing: PublishSignals,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Reads `_npmUser` of a version document: the registry's word on how it was published; anything malformed is absent.
pub fn read_npm_user(npm_user: Option<&serde_json::Value>) -> PublishSignals {
    let text = |v: Option<&serde_json::Value>, max: usize| {
        v.and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| crate::package::truncate(s, max))
    };
    let Some(user) = npm_user else {
        return PublishSignals::default();
    };
    let trusted_publisher = user
        .get("trustedPublisher")
        .and_then(|tp| Some((text(tp.get("id"), 40)?, tp)))
        .map(|(id, tp)| TrustedPublisher {
            id,
            oidc_config_id: text(tp.get("oidcConfigId"), 100),
        });
    // npm writes an object with the approver's name and e-mail; a bare
    // string is read too. Present but nameless still means staged.
    let approver = user.get("approver").filter(|a| !a.is_null()).map(|a| {
        text(a.get("name"), 100)
            .or_else(|| text(Some(a), 100))
            .unwrap_or_else(|| "a maintainer".into())
    });
    PublishSignals {
        trusted_publisher,
        approver,
    }
}

/// One version in a package's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub version: String,
    /// Publication time (seconds since the epoch), from the packument's `time`.
    pub published_at: Option<i64>,
    pub has_attestations: bool,
    #[serde(default)]
    pub has_signatures: bool,
    pub deprecated: bool,
    /// `_npmUser`'s publishing signals: the registry's word, unsigned.
    #[serde(default, skip_serializing_if = "is_default")]
    pub publishing: PublishSignals,
}

/// The parts of a packument verification and the pages use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packument {
    pub name: String,
    pub dist_tags: BTreeMap<String, String>,
    pub description: Option<String>,
    pub versions: BTreeMap<String, VersionDist>,
    pub history: Vec<VersionSummary>,
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn read_dist(dist: &Value) -> VersionDist {
    let signatures = dist
        .get("signatures")
        .and_then(Value::as_array)
        .map(|sigs| {
            sigs.iter()
                .take(MAX_REGISTRY_SIGNATURES)
                .filter_map(|s| {
                    Some(RegistrySignature {
                        keyid: str_field(s, "keyid")?,
                        sig: str_field(s, "sig")?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let attestations = dist.get("attestations");
    VersionDist {
        integrity: str_field(dist, "integrity"),
        tarball: str_field(dist, "tarball"),
        signatures,
        attestations_url: attestations.and_then(|a| str_field(a, "url")),
        provenance_predicate_type: attestations
            .and_then(|a| a.get("provenance"))
            .and_then(|p| str_field(p, "predicateType")),
        stated_name: None,
        stated_version: None,
        publishing: PublishSignals::default(),
    }
}

/// A registry document as JSON, refused above the packument size limit.
fn read_document(json: &str, what: &str) -> Result<Value, String> {
    if json.len() > MAX_PACKUMENT_BYTES {
        return Err(format!(
            "The {what} is {} bytes; more than {MAX_PACKUMENT_BYTES} is refused.",
            json.len()
        ));
    }
    serde_json::from_str(json).map_err(|e| format!("The {what} is not JSON: {}.", truncate(&e.to_string(), 200)))
}

/// Reads a packument. Versions whose documents are not objects are skipped.
///
/// Packuments of popular packages run to tens of megabytes, mostly READMEs
/// and dependency lists of every version: only the fields read here are
/// kept (each small), the rest is skipped as it streams past, so memory is
/// the text and not a tree of it (a 43 MB packument as a `Value` is several
/// times its size). Fields of the wrong type are absent, as in a `Value`.
pub fn parse_packument(json: &str) -> Result<Packument, String> {
    if json.len() > MAX_PACKUMENT_BYTES {
        return Err(format!(
            "The package document is {} bytes; more than {MAX_PACKUMENT_BYTES} is refused.",
            json.len()
        ));
    }
    let doc: wire::Packument = serde_json::from_str(json).map_err(|e| {
        format!(
            "The package document is not a package's JSON document: {}.",
            truncate(&e.to_string(), 200)
        )
    })?;
    let name = doc
        .name
        .as_ref()
        .and_then(Value::as_str)
        .ok_or("The package document has no name.")?
        .to_string();
    let dist_tags = doc
        .dist_tags
        .as_ref()
        .and_then(Value::as_object)
        .map(|tags| {
            tags.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let times = doc.time.as_ref().and_then(Value::as_object);
    let mut versions = BTreeMap::new();
    let mut history = Vec::new();
    for (version, vdoc) in doc.versions.0 {
        if crate::package::validate_version(&version).is_err() {
            continue;
        }
        let mut dist = read_dist(vdoc.dist.as_ref().unwrap_or(&Value::Null));
        dist.stated_name = vdoc.name.as_ref().and_then(Value::as_str).map(str::to_string);
        dist.stated_version = vdoc.version.as_ref().and_then(Value::as_str).map(str::to_string);
        dist.publishing = read_npm_user(vdoc.npm_user.as_ref());
        history.push(VersionSummary {
            published_at: times
                .and_then(|t| t.get(&version))
                .and_then(Value::as_str)
                .and_then(parse_rfc3339),
            has_attestations: dist.attestations_url.is_some(),
            has_signatures: !dist.signatures.is_empty(),
            publishing: dist.publishing.clone(),
            deprecated: vdoc
                .deprecated
                .as_ref()
                .is_some_and(|d| d.as_str().is_some_and(|s| !s.is_empty())),
            version: version.clone(),
        });
        versions.insert(version, dist);
    }
    // Newest first; versions without a time go last, in semver-ish order.
    history.sort_by(|a, b| {
        b.published_at
            .cmp(&a.published_at)
            .then_with(|| compare_versions(&b.version, &a.version))
    });
    Ok(Packument {
        name,
        dist_tags,
        description: doc
            .description
            .as_ref()
            .and_then(Value::as_str)
            .map(|d| truncate(d, 500)),
        versions,
        history,
    })
}

/// The packument as it is read: the few small fields kept as values, all
/// else skipped. Lenient like a `Value`: a field of another shape than
/// expected (`"versions": 5`, a version that is no object) is empty, not an
/// error, and a repeated key keeps its last value.
mod wire {
    use std::collections::BTreeMap;
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    use serde_json::Value;

    #[derive(Deserialize, Default)]
    pub struct Packument {
        #[serde(default)]
        pub name: Option<Value>,
        #[serde(default, rename = "dist-tags")]
        pub dist_tags: Option<Value>,
        #[serde(default)]
        pub description: Option<Value>,
        #[serde(default)]
        pub time: Option<Value>,
        #[serde(default)]
        pub versions: Versions,
    }

    /// `versions`: each entry that is an object.
    #[derive(Default)]
    pub struct Versions(pub BTreeMap<String, Version>);

    /// The fields of a version document verification reads.
    #[derive(Default)]
    pub struct Version {
        pub name: Option<Value>,
        pub version: Option<Value>,
        pub deprecated: Option<Value>,
        pub dist: Option<Value>,
        pub npm_user: Option<Value>,
    }

    /// Anything that is not a map reads as nothing (its content skipped).
    macro_rules! not_a_map {
        () => {
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
        };
    }

    struct VersionsVisitor;

    impl<'de> Visitor<'de> for VersionsVisitor {
        type Value = Option<Versions>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the versions of a package")
        }
        not_a_map!();
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut versions = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                match map.next_value::<MaybeVersion>()?.0 {
                    Some(v) => {
                        versions.insert(key, v);
                    }
                    None => {
                        versions.remove(&key);
                    }
                }
            }
            Ok(Some(Versions(versions)))
        }
    }

    impl<'de> Deserialize<'de> for Versions {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(d.deserialize_any(VersionsVisitor)?.unwrap_or_default())
        }
    }

    struct MaybeVersion(Option<Version>);

    struct VersionVisitor;

    impl<'de> Visitor<'de> for VersionVisitor {
        type Value = Option<Version>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a version document")
        }
        not_a_map!();
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut v = Version::default();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                let slot = match key.as_ref() {
                    "name" => &mut v.name,
                    "version" => &mut v.version,
                    "deprecated" => &mut v.deprecated,
                    "dist" => &mut v.dist,
                    "_npmUser" => &mut v.npm_user,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                };
                *slot = Some(map.next_value::<Value>()?);
            }
            Ok(Some(v))
        }
    }

    impl<'de> Deserialize<'de> for MaybeVersion {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(MaybeVersion(d.deserialize_any(VersionVisitor)?))
        }
    }
}

/// Reads a version document (the registry's `/<name>/<version>`, or one
/// entry of a packument's `versions`): its name, version and `dist`.
pub fn parse_version_document(json: &str) -> Result<(String, String, VersionDist), String> {
    let doc = read_document(json, "version document")?;
    let name = str_field(&doc, "name").ok_or("The version document has no name.")?;
    let version = str_field(&doc, "version").ok_or("The version document has no version.")?;
    let dist = doc.get("dist").ok_or("The version document has no dist.")?;
    let mut dist = read_dist(dist);
    dist.stated_name = Some(name.clone());
    dist.stated_version = Some(version.clone());
    dist.publishing = read_npm_user(doc.get("_npmUser"));
    Ok((name, version, dist))
}

/// Orders versions by semver precedence (a pre-release sorts before its
/// release: `1.0.0-beta` < `1.0.0`); what is not semver sorts before all
/// that is, by text. Ties (build metadata) are broken by text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(x), Ok(y)) => x.cmp_precedence(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => Ordering::Greater,
        (Err(_), Ok(_)) => Ordering::Less,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Bytes a string holds on the heap.
fn heap(text: &str) -> usize {
    text.len()
}

fn heap_opt(text: &Option<String>) -> usize {
    text.as_deref().map_or(0, heap)
}

fn publishing_bytes(p: &PublishSignals) -> usize {
    p.trusted_publisher
        .as_ref()
        .map_or(0, |t| heap(&t.id) + heap_opt(&t.oidc_config_id))
        + heap_opt(&p.approver)
}

/// What a B-tree map's entry costs beyond its key and value: nodes of up to
/// eleven entries are about two-thirds full, so about half the inline size
/// of a version's key and value again (measured: 5,000-version documents
/// kept cost about 1.1 kB a version of resident memory).
const MAP_ENTRY_OVERHEAD: usize = 160;
/// What one allocation costs beyond its bytes (header and rounding), estimated.
const ALLOCATION_OVERHEAD: usize = 16;

impl Packument {
    /// About how many bytes this document holds in memory (its strings, the
    /// map's and the history's entries), for caches that are bounded in
    /// bytes: an estimate, not a measure.
    pub fn approx_bytes(&self) -> usize {
        let string = |t: &str| heap(t) + ALLOCATION_OVERHEAD;
        let optional = |t: &Option<String>| t.as_deref().map_or(0, string);
        let versions: usize = self
            .versions
            .iter()
            .map(|(version, dist)| {
                string(version)
                    + std::mem::size_of::<String>()
                    + std::mem::size_of::<VersionDist>()
                    + MAP_ENTRY_OVERHEAD
                    + optional(&dist.integrity)
                    + optional(&dist.tarball)
                    + optional(&dist.attestations_url)
                    + optional(&dist.provenance_predicate_type)
                    + optional(&dist.stated_name)
                    + optional(&dist.stated_version)
                    + publishing_bytes(&dist.publishing)
                    + dist
                        .signatures
                        .iter()
                        .map(|s| std::mem::size_of::<RegistrySignature>() + string(&s.keyid) + string(&s.sig))
                        .sum::<usize>()
            })
            .sum();
        let history: usize = self.history.capacity() * std::mem::size_of::<VersionSummary>()
            + self
                .history
                .iter()
                .map(|h| string(&h.version) + publishing_bytes(&h.publishing))
                .sum::<usize>();
        let tags: usize = self
            .dist_tags
            .iter()
            .map(|(k, v)| string(k) + string(v) + 2 * std::mem::size_of::<String>() + MAP_ENTRY_OVERHEAD)
            .sum();
        std::mem::size_of::<Self>() + string(&self.name) + optional(&self.description) + versions + history + tags
    }

    /// The version the `latest` dist-tag points at (or the newest published).
    pub fn latest(&self) -> Option<&str> {
        self.dist_tags
            .get("latest")
            .filter(|v| self.versions.contains_key(*v))
            .map(String::as_str)
            .or_else(|| self.history.first().map(|v| v.version.as_str()))
    }

    pub fn published_at(&self, version: &str) -> Option<i64> {
        self.history.iter().find(|v| v.version == version)?.published_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_document_gives_its_dist_or_says_what_is_missing() {
        let doc =
            r#"{"name":"a","version":"1.0.0","dist":{"integrity":"sha512-x","signatures":[{"keyid":"k","sig":"s"}]}}"#;
        let (name, version, dist) = parse_version_document(doc).unwrap();
        assert_eq!((name.as_str(), version.as_str()), ("a", "1.0.0"));
        assert_eq!(dist.integrity.as_deref(), Some("sha512-x"));
        assert_eq!(dist.signatures.len(), 1);
        for (doc, says) in [
            (r#"{"version":"1.0.0","dist":{}}"#, "no name"),
            (r#"{"name":"a","dist":{}}"#, "no version"),
            (r#"{"name":"a","version":"1.0.0"}"#, "no dist"),
            ("[", "not JSON"),
        ] {
            let e = parse_version_document(doc).unwrap_err();
            assert!(e.contains(says), "{doc}: {e}");
        }
    }

    #[test]
    fn a_packument_estimates_its_size_from_what_it_holds() {
        let doc = |n: usize| {
            let versions: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        r#""1.0.{i}":{{"name":"a","version":"1.0.{i}","dist":{{"integrity":"sha512-{}"}}}}"#,
                        "x".repeat(88)
                    )
                })
                .collect();
            parse_packument(&format!(r#"{{"name":"a","versions":{{{}}}}}"#, versions.join(","))).unwrap()
        };
        let (small, big) = (doc(10).approx_bytes(), doc(1000).approx_bytes());
        // At least the strings it holds (the integrities alone are 95 bytes each).
        assert!(big > 1000 * 95, "{big}");
        assert!(big > 50 * small, "{small} -> {big}");
    }

    #[test]
    fn paths() {
        assert_eq!(packument_path("@a/b"), "/@a%2fb");
        assert_eq!(
            attestations_path("@a/b", "1.0.0"),
            "/-/npm/v1/attestations/@a%2fb@1.0.0"
        );
        assert_eq!(
            registry_url("https://registry.npmjs.org/", "/x"),
            "https://registry.npmjs.org/x"
        );
    }

    #[test]
    fn attestations_responses() {
        let ok = r#"{"attestations":[{"predicateType":"p","bundle":{"a":1}}]}"#;
        let entries = parse_attestations(ok).unwrap();
        assert_eq!(entries[0].predicate_type.as_deref(), Some("p"));
        assert_eq!(entries[0].bundle_json, r#"{"a":1}"#);
        for bad in [
            "",
            "{}",
            r#"{"attestations":[]}"#,
            r#"{"attestations":[{"predicateType":"p"}]}"#,
            r#"{"attestations":5}"#,
        ] {
            assert!(parse_attestations(bad).is_err(), "{bad}");
        }
        let many = format!(
            r#"{{"attestations":[{}]}}"#,
            [r#"{"bundle":{}}"#; MAX_ATTESTATIONS + 1].join(",")
        );
        assert!(parse_attestations(&many).unwrap_err().contains("at most"));
        assert!(looks_like_attestations_response(ok));
        assert!(!looks_like_attestations_response(r#"{"mediaType":"x"}"#));
    }

    #[test]
    fn packuments() {
        let doc = r#"{"name":"p","dist-tags":{"latest":"1.0.1"},"time":{"1.0.0":"2023-01-01T00:00:00.000Z","1.0.1":"2024-01-01T00:00:00.000Z"},
            "versions":{"1.0.0":{"dist":{"integrity":"sha512-x"}},"1.0.1":{"dist":{"integrity":"sha512-y","signatures":[{"keyid":"k","sig":"s"},{"bad":1}],"attestations":{"url":"u","provenance":{"predicateType":"t"}}}},"<x>":{},"2.0.0":5}}"#;
        let p = parse_packument(doc).unwrap();
        assert_eq!(p.latest(), Some("1.0.1"));
        assert_eq!(p.versions.len(), 2);
        assert_eq!(p.history[0].version, "1.0.1");
        assert!(p.history[0].has_attestations && !p.history[1].has_attestations);
        assert_eq!(p.versions["1.0.1"].signatures.len(), 1);
        assert_eq!(p.published_at("1.0.0"), Some(1672531200));
        assert!(parse_packument("[]").is_err());
        assert!(parse_packument("{\"versions\":{}}").is_err());
    }

    #[test]
    fn versions_order_by_semver_precedence() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("1.0.0-beta", "1.0.0"), Less);
        assert_eq!(compare_versions("1.0.0-alpha.2", "1.0.0-alpha.10"), Less);
        assert_eq!(compare_versions("1.10.0", "1.9.0"), Greater);
        assert_eq!(compare_versions("2.0.0", "not-a-version"), Greater);
        let mut list = vec!["1.0.0", "1.0.0-rc.1", "0.9.9", "1.0.0-beta"];
        list.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(list, ["0.9.9", "1.0.0-beta", "1.0.0-rc.1", "1.0.0"]);
    }

    /// The packument reader keeps only what it reads and takes the rest as a
    /// `Value` would: fields of another shape are absent, not errors.
    #[test]
    fn packument_fields_of_another_shape_are_absent() {
        let p = parse_packument(r#"{"name":"p","versions":5,"time":[],"dist-tags":"x","description":7}"#).unwrap();
        assert_eq!((p.versions.len(), p.dist_tags.len(), p.description), (0, 0, None));
        let p = parse_packument(
            r#"{"name":"p","readme":"x","versions":{"1.0.0":[1,{"a":2}],"1.0.1":{"scripts":{"a":[1]},"deprecated":true,"_npmUser":"x","dist":[],"name":5},"1.0.2":{"dist":{}},"1.0.2":"gone"}}"#,
        )
        .unwrap();
        assert_eq!(p.versions.keys().collect::<Vec<_>>(), ["1.0.1"]);
        assert_eq!(p.versions["1.0.1"], VersionDist::default());
        assert!(!p.history[0].deprecated);
        let e = parse_packument(r#"{"name":"p","name":"q"}"#).unwrap_err();
        assert!(e.contains("duplicate field"), "{e}");
        // Trusted publishing and staged publishing are read per version.
        let p = parse_packument(
            r#"{"name":"p","versions":{"1.0.0":{"_npmUser":{"name":"GitHub Actions","trustedPublisher":{"id":"github","oidcConfigId":"c"}},"dist":{"attestations":{"url":"u"}}},"1.0.1":{"_npmUser":{"name":"al","approver":{"name":"al"}}}}}"#,
        )
        .unwrap();
        let by = |v: &str| {
            p.history
                .iter()
                .find(|h| h.version == v)
                .map(crate::publishing::published_version)
                .unwrap()
        };
        assert_eq!(by("1.0.0").level, crate::publishing::TrustLevel::TrustedPublisher);
        assert!(by("1.0.1").staged && !by("1.0.0").staged);
    }

    /// Regression (found by the `small_parsers` fuzz target): a publication
    /// time with a multi-byte character where an offset's colon goes made
    /// the time parser slice inside the character and panic, which in the
    /// app's wasm (panic = abort) would have killed the page.
    #[test]
    fn a_hostile_publication_time_is_ignored() {
        let doc = r#"{"name":"p","time":{"1.0.0":"2024-01-01T00:00:00+aé00"},"versions":{"1.0.0":{"dist":{}}}}"#;
        let p = parse_packument(doc).unwrap();
        assert_eq!(p.published_at("1.0.0"), None);
    }
}
