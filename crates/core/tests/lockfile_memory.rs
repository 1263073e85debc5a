//! What reading a hostile lockfile may keep in memory, counted by the
//! allocator (not measured by the clock or the machine): for every format,
//! inputs of the shapes that cost the most memory per byte, at sizes up to
//! the limit, must peak under a small multiple of their size and never over
//! 512 MiB. One test, run alone in its binary, so that no other test's
//! allocations are counted.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use npm_provenance_core::lockfile::parse_lockfile;

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
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: as the caller's contract for `dealloc`.
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as the caller's contract for `realloc`.
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            // The old and the new block may both be held during the copy.
            let now = NOW.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
            NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most any lockfile within the size limit may take to read.
const CEILING: usize = 512 << 20;
/// The most a lockfile may take per byte of its text.
const PER_BYTE: usize = 8;

/// Reads `text` and returns the most memory held meanwhile beyond what was
/// held before (the text itself is not counted: the caller holds it).
fn peak_of(name: &str, text: &str) -> (usize, Result<usize, String>) {
    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = parse_lockfile(Some(name), text).map(|l| l.packages.len());
    (PEAK.load(Ordering::Relaxed) - before, result)
}

fn repeat_to(head: &str, item: &str, tail: &str, size: usize) -> String {
    let mut text = String::with_capacity(size + tail.len());
    text.push_str(head);
    while text.len() + item.len() + tail.len() < size {
        text.push_str(item);
    }
    text.push_str(tail);
    text
}

#[test]
fn hostile_lockfiles_are_read_in_bounded_memory() {
    const MB: usize = 1 << 20;
    let cases: Vec<(&str, &str, String)> = vec![
        // pnpm: one flow sequence of one-letter scalars (a node per two bytes).
        (
            "pnpm flow sequence",
            "pnpm-lock.yaml",
            repeat_to("lockfileVersion: '9.0'\npackages: [", "a,", "a]\n", 16 * MB),
        ),
        // pnpm: a block mapping of many small entries.
        ("pnpm many entries", "pnpm-lock.yaml", {
            let mut text = String::from("lockfileVersion: '9.0'\npackages:\n");
            let mut i = 0;
            while text.len() < 16 * MB {
                text.push_str(&format!("  a{i}@1.0.0: {{resolution: {{integrity: sha512-a}}}}\n"));
                i += 1;
            }
            text
        }),
        // npm: an array no field of which is read.
        (
            "npm array",
            "package-lock.json",
            repeat_to(
                r#"{"lockfileVersion":3,"packages":{"":{"workspaces":["#,
                "1,",
                "1]}}}",
                16 * MB,
            ),
        ),
        // npm: one package's dependency names, millions of them.
        ("npm dependency names", "package-lock.json", {
            let mut text = String::from(r#"{"lockfileVersion":3,"packages":{"":{"dependencies":{"#);
            let mut i = 0usize;
            while text.len() < 16 * MB {
                text.push_str(&format!("\"{i:x}\":1,"));
                i += 1;
            }
            text.push_str("\"z\":1}}}}");
            text
        }),
        // npm: an object no field of which is read, nested a little.
        (
            "npm ignored object",
            "package-lock.json",
            repeat_to(
                r#"{"lockfileVersion":3,"packages":{"":{"x":{"#,
                r#""a":[{}],"#,
                r#""b":0}}}}"#,
                16 * MB,
            ),
        ),
        // pnpm: one flow mapping of one-letter keys and values.
        ("pnpm dense mapping", "pnpm-lock.yaml", {
            let mut text = String::from("lockfileVersion: '9.0'\nx: {");
            let mut i = 0usize;
            while text.len() < 16 * MB {
                text.push_str(&format!("{i:x}: b, "));
                i += 1;
            }
            text.push_str("z: b}\n");
            text
        }),
        // yarn classic: many tiny entries.
        (
            "yarn classic entries",
            "yarn.lock",
            repeat_to("# yarn lockfile v1\n\n", "a@^1:\n  version \"1\"\n", "", 16 * MB),
        ),
        // yarn berry: a flow sequence.
        (
            "yarn berry flow sequence",
            "yarn.lock",
            repeat_to("__metadata:\n  version: 8\nx: [", "a,", "a]\n", 16 * MB),
        ),
        // bun: an entry's array of elements past the four Bun writes
        // (counted, not kept), each with the trailing comma Bun writes.
        (
            "bun long entry",
            "bun.lock",
            repeat_to(
                r#"{"lockfileVersion":1,"workspaces":{"":{},},"packages":{"a":["a@1.0.0","#,
                "[1,],",
                "1,],},}",
                16 * MB,
            ),
        ),
        // bun: many tiny entries (past the entry limit, read past, not kept).
        ("bun many entries", "bun.lock", {
            let mut text = String::from(r#"{"lockfileVersion":1,"workspaces":{"":{},},"packages":{"#);
            let mut i = 0usize;
            while text.len() < 16 * MB {
                text.push_str(&format!("\"{i:x}\":[],"));
                i += 1;
            }
            text.push_str("},}");
            text
        }),
        // bun: one entry's dependency names, millions of them.
        ("bun dependency names", "bun.lock", {
            let mut text = String::from(
                r#"{"lockfileVersion":1,"workspaces":{"":{}},"packages":{"a":["a@1.0.0","",{"dependencies":{"#,
            );
            let mut i = 0usize;
            while text.len() < 16 * MB {
                text.push_str(&format!("\"{i:x}\":\"1\","));
                i += 1;
            }
            text.push_str(r#""z":"1",},},""],},}"#);
            text
        }),
        // bun: the root workspace's dependency names.
        ("bun workspace names", "bun.lock", {
            let mut text = String::from(r#"{"lockfileVersion":1,"workspaces":{"":{"dependencies":{"#);
            let mut i = 0usize;
            while text.len() < 16 * MB {
                text.push_str(&format!("\"{i:x}\":\"1\","));
                i += 1;
            }
            text.push_str(r#"},},},"packages":{},}"#);
            text
        }),
        // Flow collections where a key may begin (found by the `lockfile`
        // fuzz target): saphyr-parser's scanner holds every token after one
        // until it knows whether it was a key, about 200 bytes per byte.
        (
            "pnpm flow sequence where a key may begin",
            "pnpm-lock.yaml",
            repeat_to("lockfileVersion: '9.0'\npackages:\n  [", "a,", "a]\n", 16 * MB),
        ),
        (
            "pnpm flow mapping in a flow sequence",
            "pnpm-lock.yaml",
            repeat_to("lockfileVersion: '9.0'\nx: [{", "a: b, ", "}]\n", 16 * MB),
        ),
        (
            "yarn berry flow sequence as a list item",
            "yarn.lock",
            repeat_to("__metadata:\n  version: 8\nx:\n  - [", "a,", "a]\n", 16 * MB),
        ),
        // A flow collection as a value whose entry runs on for lines (found
        // by the fuzz target next): each entry may be a key until its `:`.
        (
            "pnpm flow sequence as a value, one entry over many lines",
            "pnpm-lock.yaml",
            repeat_to("lockfileVersion: '9.0'\nx: [\n", "  a b {c: d} [e]\n", "]\n", 16 * MB),
        ),
        (
            "pnpm flow mapping as a value, short entries over many lines",
            "pnpm-lock.yaml",
            repeat_to("lockfileVersion: '9.0'\nx: {\n", "  a: [b],\n", "  c: d}\n", 16 * MB),
        ),
        (
            "yarn berry flow mapping as a value, one key over many lines",
            "yarn.lock",
            repeat_to("__metadata:\n  version: 8\nx: {\n", "  a b\n", ": c}\n", 16 * MB),
        ),
        (
            "pnpm flow sequence where a key may begin, over many lines",
            "pnpm-lock.yaml",
            repeat_to(
                "lockfileVersion: '9.0'\npackages:\n  [\n",
                &format!("{}\n", "a,".repeat(500)),
                "a]\n",
                16 * MB,
            ),
        ),
    ];
    // Real lockfiles, for what the tools write: kept per byte.
    for (name, text) in [
        (
            "pnpm-lock.yaml",
            include_str!("../../../tests/fixtures/lockfiles/pnpm-lock.v9.yaml"),
        ),
        (
            "pnpm-lock.yaml",
            include_str!("../../../tests/fixtures/lockfiles/pnpm-lock.v6.yaml"),
        ),
        (
            "yarn.lock",
            include_str!("../../../tests/fixtures/lockfiles/yarn.berry.lock"),
        ),
        (
            "yarn.lock",
            include_str!("../../../tests/fixtures/lockfiles/yarn.classic.lock"),
        ),
        (
            "package-lock.json",
            include_str!("../../../tests/fixtures/lockfiles/package-lock.v3.json"),
        ),
        ("bun.lock", include_str!("../../../tests/fixtures/lockfiles/bun.lock")),
        (
            "bun.lock",
            include_str!("../../../tests/fixtures/lockfiles/bun-workspaces/bun.lock"),
        ),
    ] {
        let (peak, result) = peak_of(name, text);
        assert!(result.is_ok(), "{name}: {result:?}");
        eprintln!(
            "real {name}: {} bytes, peak {peak} bytes ({:.1} per byte)",
            text.len(),
            peak as f64 / text.len() as f64
        );
    }
    // Large lockfiles shaped as the tools write them: read, within the bound.
    let sha = format!("sha512-{}==", "A".repeat(86));
    let mut pnpm = String::from(
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      pkg0:\n        specifier: ^1.0.0\n        version: 1.0.0\npackages:\n",
    );
    let mut snapshots = String::from("snapshots:\n");
    let mut i = 0;
    while pnpm.len() + snapshots.len() < 16 * MB && i < 40_000 {
        pnpm.push_str(&format!(
            "  pkg{i}@1.0.0:\n    resolution: {{integrity: {sha}}}\n    engines: {{node: '>=14'}}\n    hasBin: true\n\n"
        ));
        snapshots.push_str(&format!(
            "  pkg{i}@1.0.0:\n    dependencies:\n      pkg{}: 1.0.0\n      ms: 2.1.3\n      '@types/node': 20.11.5\n      semver: 7.6.0\n    optionalDependencies:\n      fsevents: 2.3.3\n\n",
            i + 1
        ));
        i += 1;
    }
    pnpm.push_str(&snapshots);
    let mut berry = String::from("__metadata:\n  version: 8\n  cacheKey: 10c0\n\n");
    let mut i = 0;
    while berry.len() < 16 * MB && i < 40_000 {
        berry.push_str(&format!(
            "\"pkg{i}@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"pkg{i}@npm:1.0.0\"\n  dependencies:\n    ms: \"npm:^2.1.3\"\n  checksum: 10c0/{}\n  languageName: node\n  linkType: hard\n\n",
            "a".repeat(128)
        ));
        i += 1;
    }
    // As Bun writes one: registry entries with their info and integrity,
    // some nested under others.
    let mut bun = String::from(
        "{\n  \"lockfileVersion\": 2,\n  \"configVersion\": 1,\n  \"workspaces\": {\n    \"\": {\n      \"name\": \"big\",\n      \"dependencies\": {\n        \"pkg0\": \"^1.0.0\",\n      },\n    },\n  },\n  \"packages\": {\n",
    );
    let mut i = 0;
    while bun.len() < 16 * MB && i < 40_000 {
        let key = if i % 4 == 3 {
            format!("pkg{}/pkg{i}", i - 1)
        } else {
            format!("pkg{i}")
        };
        bun.push_str(&format!(
            "    \"{key}\": [\"pkg{i}@1.0.0\", \"\", {{ \"dependencies\": {{ \"pkg{}\": \"^1.0.0\", \"ms\": \"^2.1.3\", \"semver\": \"^7.6.0\" }}, \"bin\": {{ \"pkg{i}\": \"bin/cli.js\" }} }}, \"{sha}\"],\n\n",
            i + 1
        ));
        i += 1;
    }
    bun.push_str("  }\n}\n");
    for (label, name, text) in [
        ("large pnpm lockfile", "pnpm-lock.yaml", &pnpm),
        ("large yarn berry lockfile", "yarn.lock", &berry),
        ("large bun lockfile", "bun.lock", &bun),
    ] {
        let (peak, result) = peak_of(name, text);
        let per_byte = peak as f64 / text.len() as f64;
        eprintln!(
            "{label}: {} bytes, peak {} MiB ({per_byte:.1} per byte): {result:?}",
            text.len(),
            peak >> 20
        );
        assert!(result.is_ok(), "{label}: {result:?}");
        assert!(peak <= PER_BYTE * text.len(), "{label}: {per_byte:.1} bytes per byte");
    }
    let mut worst = 0.0f64;
    for (label, name, text) in &cases {
        let (peak, result) = peak_of(name, text);
        let per_byte = peak as f64 / text.len() as f64;
        worst = worst.max(per_byte);
        eprintln!(
            "{label}: {} bytes, peak {} MiB ({per_byte:.1} per byte): {}",
            text.len(),
            peak >> 20,
            match &result {
                Ok(n) => format!("{n} packages"),
                Err(e) => e.chars().take(120).collect(),
            }
        );
        assert!(peak <= CEILING, "{label}: {} MiB", peak >> 20);
        assert!(peak <= PER_BYTE * text.len(), "{label}: {per_byte:.1} bytes per byte");
    }
    eprintln!("worst: {worst:.1} bytes kept per byte read");
}
