//! Lockfiles (package-lock.json v1 to v3, pnpm-lock.yaml, yarn.lock classic
//! and berry, bun.lock) as the audit reads them. Properties:
//! - no panic, and memory: reading a lockfile (and `audit::for_registry`)
//!   peaks at no more than 8 times its size plus 1 MiB (counted by the
//!   allocator);
//! - whatever is read obeys the limits and the validation the audit relies
//!   on, and reads back the same from the audit's JSON;
//! - after `for_registry`, every package audited as the registry's is bound
//!   to it: by an integrity, by an address under the registry, or it names
//!   no address at all (the package manager takes it from the registry);
//! - and, for lockfiles this target writes itself from the fuzzer's
//!   choices (each copy of a package with or without an integrity, at the
//!   registry's address, a mirror's, another tarball's or none): every
//!   integrity a copy records is kept, and every copy no integrity binds
//!   whose address is not the registry's is listed as not from the
//!   registry, so it is never audited as a registry package.
//!
//! Input: a first byte, then the rest. Below 0x80 the rest is a lockfile,
//! given with the file name the byte picks (0: none). From 0x80 the byte
//! picks a format and the rest describes copies, three bytes each.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cmp::Ordering;
use std::sync::atomic::{AtomicUsize, Ordering as Atomic};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use npm_provenance_core::audit::{for_registry, is_under_registry};
use npm_provenance_core::lockfile::{Lockfile, MAX_LOCKED_PACKAGES, MAX_PROBLEMS, MAX_VIA, parse_lockfile};
use npm_provenance_core::package::validate_name;
use npm_provenance_core::registry_documents::compare_versions;
use npm_provenance_fuzz::text;

/// Counts the bytes allocated now and the most at any moment.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only
// counters are updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller's contract for `alloc`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Atomic::Relaxed) + layout.size();
            PEAK.fetch_max(now, Atomic::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: as the caller's contract for `dealloc`.
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Atomic::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as the caller's contract for `realloc`.
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            let now = NOW.fetch_add(new_size, Atomic::Relaxed) + new_size;
            PEAK.fetch_max(now, Atomic::Relaxed);
            NOW.fetch_sub(layout.size(), Atomic::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const REGISTRY: &str = "https://registry.example";

/// The file name a lockfile is given with (it only breaks ties).
const NAMES: [Option<&str>; 5] = [
    None,
    Some("package-lock.json"),
    Some("pnpm-lock.yaml"),
    Some("yarn.lock"),
    Some("bun.lock"),
];

/// Reads `text` as the audit does, and what it held at most meanwhile.
fn read(name: Option<&str>, text: &str) -> (Result<Lockfile, String>, Option<Lockfile>, usize) {
    let before = NOW.load(Atomic::Relaxed);
    PEAK.store(before, Atomic::Relaxed);
    let lock = parse_lockfile(name, text);
    let audited = lock.as_ref().ok().map(|l| for_registry(l.clone(), REGISTRY));
    let peak = PEAK.load(Atomic::Relaxed).saturating_sub(before);
    (lock, audited, peak)
}

/// What the audit relies on in whatever a reader returns.
fn check_read(lock: &Lockfile, audited: &Lockfile) {
    assert!(lock.packages.len() <= MAX_LOCKED_PACKAGES);
    assert!(lock.problems.len() <= MAX_PROBLEMS + 1);
    assert!(lock.left_out >= lock.problems.len().min(MAX_PROBLEMS));
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
        let order = pair[0]
            .name
            .cmp(&pair[1].name)
            .then_with(|| compare_versions(&pair[0].version, &pair[1].version));
        assert_eq!(order, Ordering::Less, "{:?} then {:?}", pair[0], pair[1]);
    }
    for n in &lock.not_from_registry {
        validate_name(&n.name).unwrap_or_else(|e| panic!("{e}"));
    }
    // What the audit stores and sends to the page reads back the same.
    let json = serde_json::to_string(lock).expect("a lockfile serializes");
    assert_eq!(&serde_json::from_str::<Lockfile>(&json).expect("and reads back"), lock);
    // Audited as the registry's only when bound to it.
    for p in &audited.packages {
        assert!(
            !p.integrities.is_empty() || !p.addresses.is_empty() || p.unaddressed,
            "audited with nothing binding it: {p:?}"
        );
        for a in &p.addresses {
            assert!(is_under_registry(a, REGISTRY), "audited at another address: {p:?}");
        }
    }
    assert!(audited.packages.len() <= lock.packages.len());
}

const NAMES_POOL: [&str; 3] = ["a", "b", "@s/c"];
const VERSIONS: [&str; 2] = ["1.0.0", "1.0.1"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Address {
    None,
    /// The registry's tarball of the version, under the registry.
    Here,
    /// A registry's tarball address, on another host (a mirror, or not).
    Mirror,
    /// Another tarball.
    Elsewhere,
}

#[derive(Debug)]
struct Copy {
    name: &'static str,
    version: &'static str,
    integrity: Option<String>,
    address: Address,
}

impl Copy {
    fn url(&self) -> Option<String> {
        let base = self.name.rsplit('/').next().unwrap_or(self.name);
        match self.address {
            Address::None => None,
            Address::Here => Some(format!("{REGISTRY}/{}/-/{base}-{}.tgz", self.name, self.version)),
            Address::Mirror => Some(format!(
                "https://mirror.example/{}/-/{base}-{}.tgz",
                self.name, self.version
            )),
            Address::Elsewhere => Some(format!("https://elsewhere.example/{base}.tgz")),
        }
    }
}

fn copies(data: &[u8], with_integrity: bool) -> Vec<Copy> {
    data.chunks_exact(3)
        .take(12)
        .enumerate()
        .map(|(i, c)| Copy {
            name: NAMES_POOL[usize::from(c[0]) % NAMES_POOL.len()],
            version: VERSIONS[usize::from(c[0] / 3) % VERSIONS.len()],
            integrity: (with_integrity && c[1] & 1 == 1).then(|| {
                let digest: Vec<u8> = (0..64).map(|k| (k as u8) ^ (i as u8) ^ c[2]).collect();
                format!("sha512-{}", STANDARD.encode(digest))
            }),
            address: [Address::None, Address::Here, Address::Mirror, Address::Elsewhere][usize::from(c[1] >> 1) % 4],
        })
        .collect()
}

/// A lockfile of `format` (0 npm v3, 1 npm v1, 2 yarn classic, 3 pnpm 9,
/// 4 yarn berry) holding `copies`; the copies it can hold (pnpm keeps one
/// per version, berry records no integrity).
fn write(format: u8, data: &[u8]) -> (String, Vec<Copy>) {
    let mut copies = copies(data, format != 4);
    let quote = |s: &str| serde_json::to_string(s).expect("a string");
    match format {
        0 | 1 => {
            let mut entries = Vec::new();
            for (i, c) in copies.iter().enumerate() {
                let mut fields = vec![format!("\"version\":{}", quote(c.version))];
                if let Some(url) = c.url() {
                    fields.push(format!("\"resolved\":{}", quote(&url)));
                }
                if let Some(integrity) = &c.integrity {
                    fields.push(format!("\"integrity\":{}", quote(integrity)));
                }
                let fields = fields.join(",");
                // Each copy nested in a parent of its own.
                entries.push(if format == 0 {
                    format!(
                        "\"node_modules/p{i}\":{{\"version\":\"1.0.0\"}},\"node_modules/p{i}/node_modules/{}\":{{{fields}}}",
                        c.name
                    )
                } else {
                    format!(
                        "\"p{i}\":{{\"version\":\"1.0.0\",\"dependencies\":{{{}:{{{fields}}}}}}}",
                        quote(c.name)
                    )
                });
            }
            let text = if format == 0 {
                format!(
                    "{{\"name\":\"root\",\"lockfileVersion\":3,\"packages\":{{\"\":{{\"name\":\"root\"}}{}{}}}}}",
                    if entries.is_empty() { "" } else { "," },
                    entries.join(",")
                )
            } else {
                format!(
                    "{{\"name\":\"root\",\"lockfileVersion\":1,\"dependencies\":{{{}}}}}",
                    entries.join(",")
                )
            };
            (text, copies)
        }
        2 => {
            let mut text = String::from("# yarn lockfile v1\n\n");
            for (i, c) in copies.iter().enumerate() {
                text.push_str(&format!("\"{}@~{i}.0.0\":\n  version \"{}\"\n", c.name, c.version));
                if let Some(url) = c.url() {
                    text.push_str(&format!("  resolved \"{url}\"\n"));
                }
                if let Some(integrity) = &c.integrity {
                    text.push_str(&format!("  integrity {integrity}\n"));
                }
                text.push('\n');
            }
            (text, copies)
        }
        3 => {
            let mut seen = std::collections::HashSet::new();
            copies.retain(|c| seen.insert((c.name, c.version)));
            let mut packages = String::new();
            let mut snapshots = String::new();
            for c in &copies {
                let mut resolution = Vec::new();
                if let Some(integrity) = &c.integrity {
                    resolution.push(format!("integrity: {integrity}"));
                }
                if let Some(url) = c.url() {
                    resolution.push(format!("tarball: {url}"));
                }
                packages.push_str(&format!(
                    "  '{}@{}':\n    resolution: {{{}}}\n\n",
                    c.name,
                    c.version,
                    resolution.join(", ")
                ));
                snapshots.push_str(&format!("  '{}@{}': {{}}\n\n", c.name, c.version));
            }
            let text = format!(
                "lockfileVersion: '9.0'\n\nimporters:\n\n  .: {{}}\n\npackages:\n\n{packages}snapshots:\n\n{snapshots}"
            );
            (text, copies)
        }
        _ => {
            let mut text = String::from("__metadata:\n  version: 8\n  cacheKey: 10c0\n\n");
            for (i, c) in copies.iter().enumerate() {
                let archive = c
                    .url()
                    .map(|url| format!("::__archiveUrl={}", url.replace(':', "%3A").replace('/', "%2F")))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "\"{}@npm:~{i}.0.0\":\n  version: {}\n  resolution: \"{}@npm:{}{archive}\"\n  checksum: 10c0/00\n  languageName: node\n  linkType: hard\n\n",
                    c.name, c.version, c.name, c.version
                ));
            }
            (text, copies)
        }
    }
}

/// The written lockfile's copies, as the audit must see them.
fn check_copies(text: &str, copies: &[Copy], lock: &Lockfile, audited: &Lockfile) {
    if lock.left_out > 0 {
        // An entry left out fails the audit whatever else it holds.
        return;
    }
    let listed_elsewhere = |url: &str| audited.not_from_registry.iter().any(|n| n.source == url);
    for c in copies {
        let package = audited
            .packages
            .iter()
            .find(|p| p.name == c.name && p.version == c.version);
        let url = c.url();
        match (&c.integrity, c.address, &url) {
            (_, Address::Elsewhere, Some(url)) => {
                assert!(
                    listed_elsewhere(url),
                    "{c:?} not listed as a tarball: {audited:#?}\n{text}"
                )
            }
            (Some(integrity), _, _) => assert!(
                package.is_some_and(|p| p.integrities.contains(integrity)),
                "{c:?}: its integrity is not kept: {audited:#?}\n{text}"
            ),
            (None, Address::Mirror, Some(url)) => {
                assert!(
                    listed_elsewhere(url),
                    "{c:?} not listed as a tarball: {audited:#?}\n{text}"
                )
            }
            (None, Address::Here, Some(url)) => assert!(
                package.is_some_and(|p| p.addresses.contains(url)),
                "{c:?}: its address is not kept: {audited:#?}\n{text}"
            ),
            (None, _, _) => assert!(
                package.is_some_and(|p| p.unaddressed),
                "{c:?}: not audited as unaddressed: {audited:#?}\n{text}"
            ),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (name, text, written) = if selector < 0x80 {
        let Some(input) = text(rest) else { return };
        (NAMES[usize::from(selector) % NAMES.len()], input.to_string(), None)
    } else {
        let (text, copies) = write((selector & 0x7f) % 5, rest);
        (None, text, Some(copies))
    };
    let (lock, audited, peak) = read(name, &text);
    let ceiling = 8 * text.len() + (1 << 20);
    assert!(peak <= ceiling, "{peak} bytes held reading {} bytes", text.len());
    let (Ok(lock), Some(audited)) = (lock, audited) else {
        assert!(written.is_none(), "a lockfile written here is refused:\n{text}");
        return;
    };
    check_read(&lock, &audited);
    if let Some(copies) = written {
        check_copies(&text, &copies, &lock, &audited);
    }
});
