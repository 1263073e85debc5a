//! The YAML that pnpm and yarn berry write, read into a small bounded tree.
//!
//! `saphyr-parser` turns the text into events; the tree is built here rather
//! than by a YAML library's loader, because a loader expands aliases by
//! copying (a "billion laughs" file of a few hundred bytes becomes billions
//! of nodes) and nests as deep as the input does. Neither tool writes
//! anchors, aliases, tags or complex keys, so aliases are refused outright,
//! depth and node count are capped, and every scalar is kept as its text
//! (`5.4` stays `"5.4"`, `~` and an empty value become `""`). Lists are
//! read and checked but not kept: no field the readers use is one, and a
//! file of one long list of one-letter items (`[a,a,a,...]`, a node per two
//! bytes) is the densest YAML there is.

use saphyr_parser::{Event, Parser};

use crate::package::truncate;

/// pnpm and yarn nest five levels at most (importers → `.` → dependencies →
/// name → version); deeper is not a lockfile.
const MAX_DEPTH: usize = 32;
/// pnpm and yarn write one node per 15 to 20 bytes, so a lockfile of the
/// largest size read has about 4 million; the bound caps the memory a file
/// of short flow collections (`[a,a,a,...]`, a node per 2 bytes) can take.
const MAX_NODES: usize = 8_000_000;
/// pnpm 10 may write two documents (its own environment, then the
/// lockfile); more is not a lockfile.
const MAX_DOCUMENTS: usize = 4;
/// Bytes the tree may keep per byte of text (and one MiB more): pnpm and
/// yarn write a mapping entry per 15 to 40 bytes, kept in 1 to 3 bytes per
/// byte; a file of one-letter keys and values (`{a: b, c: d, ...}`, an
/// entry per 6 bytes) would keep 9, and is refused when it passes this.
/// (Reading a lockfile keeps more beside the tree: the tests bound the
/// whole at 8 bytes per byte, `crates/core/tests/lockfile_memory.rs`.)
const KEPT_PER_BYTE: usize = 4;
/// An entry's place in its mapping (the mapping's room to grow is counted
/// as the room is taken, and given back when the mapping ends).
const ENTRY_SIZE: usize = std::mem::size_of::<(Box<str>, Yaml)>();
/// What an allocation costs beyond its bytes, counted for each kept text.
const ALLOCATION: usize = 8;

/// A YAML node: text, a list (whose items are not kept), or a mapping from
/// text keys in file order (duplicate keys are refused, as pnpm's and yarn's
/// YAML readers do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Yaml {
    Scalar(Box<str>),
    Seq,
    Map(Box<[(Box<str>, Yaml)]>),
}

impl Yaml {
    /// The value under `key`, when this is a mapping that has it.
    pub(super) fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping; nothing for anything else.
    pub(super) fn entries(&self) -> &[(Box<str>, Yaml)] {
        match self {
            Yaml::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The text under `key`.
    pub(super) fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Yaml::as_str)
    }
}

enum Frame {
    /// A list, or anything inside one: read, not kept.
    Seq,
    Map(Vec<(Box<str>, Yaml)>, Option<Box<str>>),
}

/// Reads YAML text into its documents (at most [`MAX_DOCUMENTS`]). `what`
/// names the file in messages ("pnpm-lock.yaml").
pub(super) fn parse(text: &str, what: &str) -> Result<Vec<Yaml>, String> {
    let mut documents = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut nodes = 0usize;
    // What the tree keeps, counted as it grows and bounded by the text's size.
    let budget = KEPT_PER_BYTE.saturating_mul(text.len()).saturating_add(1 << 20);
    let mut kept = 0usize;
    check_flow_keys(text, what)?;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| format!("{what} is not YAML: {}.", truncate(&e.to_string(), 200)))?;
        let line = span.start.line();
        let in_list = matches!(stack.last(), Some(Frame::Seq));
        let node = match event {
            Event::Alias(_) => {
                return Err(format!(
                    "{what} uses a YAML alias (line {line}); pnpm and yarn never write them, and an alias can \
                     stand for billions of copies, so the file is refused."
                ));
            }
            Event::Scalar(value, ..) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(too_many(what));
                }
                if in_list {
                    continue;
                }
                // A key, then its value: each kept in an entry of its mapping.
                kept = kept.saturating_add(ALLOCATION + value.len());
                if kept > budget {
                    return Err(too_dense(what));
                }
                Yaml::Scalar(value.into_owned().into_boxed_str())
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!(
                        "{what} nests deeper than {MAX_DEPTH} levels (line {line}); lockfiles nest five at most."
                    ));
                }
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(too_many(what));
                }
                let list = matches!(event, Event::SequenceStart(..));
                if !in_list {
                    kept = kept.saturating_add(ALLOCATION);
                    if kept > budget {
                        return Err(too_dense(what));
                    }
                }
                stack.push(if list || in_list {
                    Frame::Seq
                } else {
                    Frame::Map(Vec::new(), None)
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq) => Yaml::Seq,
                Some(Frame::Map(entries, _)) => {
                    refuse_duplicate_keys(&entries, what)?;
                    // No room to grow is kept once the mapping is read.
                    kept = kept.saturating_sub((entries.capacity() - entries.len()) * ENTRY_SIZE);
                    Yaml::Map(entries.into_boxed_slice())
                }
                None => continue,
            },
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
        };
        match stack.last_mut() {
            None => {
                if documents.len() >= MAX_DOCUMENTS {
                    return Err(format!(
                        "{what} has more than {MAX_DOCUMENTS} YAML documents; a lockfile has one or two."
                    ));
                }
                documents.push(node);
            }
            Some(Frame::Seq) => {}
            Some(Frame::Map(entries, pending)) => match pending.take() {
                Some(key) => {
                    let room = entries.capacity();
                    entries.push((key, node));
                    // Growing holds the old room and the new while it copies.
                    if entries.capacity() > room {
                        kept = kept.saturating_add(entries.capacity() * ENTRY_SIZE);
                        if kept.saturating_add(room * ENTRY_SIZE) > budget {
                            return Err(too_dense(what));
                        }
                    }
                }
                None => match node {
                    Yaml::Scalar(key) => *pending = Some(key),
                    _ => {
                        return Err(format!(
                            "{what} has a mapping key that is a list or a mapping (line {line}); lockfiles key by text."
                        ));
                    }
                },
            },
        }
    }
    Ok(documents)
}

/// The widest a flow collection where a key may begin can be: YAML's own
/// limit on an implicit key.
const MAX_FLOW_KEY_WIDTH: usize = 1024;

/// Refuses a flow collection (`[...]`, `{...}`) that begins where a key may
/// begin (first on its line, after `- ` or `? `, or first in an entry of
/// another flow collection) and does not close on its line within
/// [`MAX_FLOW_KEY_WIDTH`] bytes, before `saphyr-parser` reads it: there its
/// scanner keeps every token that follows until it knows whether the
/// collection was a key, a token of about 200 bytes per byte of a
/// `[a,a,a,...` (54 MB held for 256 KB; found by the `lockfile` fuzz
/// target). pnpm and yarn write flow collections only as values
/// (`resolution: {integrity: ...}`, `cpu: [x64]`), which are not held back.
///
/// Inside any flow collection, each entry may be a key too (`[a: b]`) until
/// its `:` or its end: an entry that runs on past [`MAX_FLOW_KEY_WIDTH`]
/// bytes is refused as well, for the same reason (`key: [` and a lockfile's
/// worth of lines after it, 737 KB held for 20 KB; found by the `lockfile`
/// target next). pnpm's and yarn's entries are a name or `name: value`.
///
/// And a flow collection that goes on over a line break may not grow past
/// [`MAX_FLOW_KEY_WIDTH`] bytes in all: the scanner's view of which of its
/// tokens may still turn into a key is not YAML's across lines (a tag,
/// `{: p]`, then a lockfile's lines inside an open `{`: 1.48 MB held for
/// 40 KB; found by the target next). pnpm writes each flow collection on
/// one line; a short one broken over lines is read.
///
/// A small lexer: quoted scalars (which may span lines) and comments are
/// skipped, so a bracket in them is not one.
fn check_flow_keys(text: &str, what: &str) -> Result<(), String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Quote {
        None,
        Single,
        /// A `'` inside single quotes: the end, or the first of `''`.
        SingleEnd,
        Double,
        DoubleEscape,
    }
    // Every refusal here has the same reason: pnpm and yarn never write the
    // shape, and the scanner would hold memory out of proportion to it.
    let refused = |shape: String| {
        Err(format!(
            "{what} has {shape}; pnpm and yarn never write one, and reading it would take memory out of \
             proportion to its size, so the file is refused."
        ))
    };
    let key_place = |line: usize| {
        refused(format!(
            "a flow collection ([...] or {{...}}) where a key may begin (line {line}) that does not close on its \
             line within {MAX_FLOW_KEY_WIDTH} bytes"
        ))
    };
    let mut quote = Quote::None;
    // Open flow collections: whether each began where a key may, and where.
    let mut open: Vec<(bool, usize)> = Vec::new();
    // Where the current entry of each open collection began, while it may
    // still be a key (no `:` yet).
    let mut entry: Vec<Option<usize>> = Vec::new();
    // The outermost collection whose entry may still be a key: its entry
    // began first. Entries only begin and resolve in the innermost one, so
    // this changes only there.
    let mut first_open_entry: Option<usize> = None;
    // Whether the outermost open collection has gone on over a line break.
    let mut multiline = false;
    let mut start = 0usize;
    // YAML breaks lines at `\r` as at `\n` (a comment ends there: `# x\r[`
    // opens a collection; found by the `lockfile` target); `n` counts the
    // `\n`s, as the messages' line numbers do.
    let mut n = 0usize;
    for line in text.split(['\n', '\r']) {
        // What the last character that was not a space was (None: the line's start).
        let mut last: Option<u8> = None;
        let mut spaced = false;
        // Inside a node's anchor (`&a`), which leaves the node where it
        // was: `&a [` at a line's start is a key's place still.
        let mut property = false;
        for (i, b) in line.bytes().enumerate() {
            let at = start + i;
            if open
                .last()
                .is_some_and(|&(key, from)| key && at.saturating_sub(from) > MAX_FLOW_KEY_WIDTH)
            {
                return key_place(n + 1);
            }
            if let Some(from) = first_open_entry.and_then(|level| entry.get(level).copied().flatten())
                && at.saturating_sub(from) > MAX_FLOW_KEY_WIDTH
            {
                return refused(format!(
                    "an entry of a flow collection ([...] or {{...}}) that runs on past {MAX_FLOW_KEY_WIDTH} bytes \
                     without a ':' or its end (line {})",
                    n + 1
                ));
            }
            if multiline
                && open
                    .first()
                    .is_some_and(|&(_, from)| at.saturating_sub(from) > MAX_FLOW_KEY_WIDTH)
            {
                return refused(format!(
                    "a flow collection ([...] or {{...}}) that goes on over lines past {MAX_FLOW_KEY_WIDTH} bytes \
                     (line {})",
                    n + 1
                ));
            }
            match quote {
                Quote::Single => {
                    if b == b'\'' {
                        quote = Quote::SingleEnd;
                    }
                    continue;
                }
                Quote::SingleEnd if b == b'\'' => {
                    quote = Quote::Single;
                    continue;
                }
                Quote::SingleEnd => quote = Quote::None,
                Quote::Double => {
                    quote = match b {
                        b'\\' => Quote::DoubleEscape,
                        b'"' => Quote::None,
                        _ => Quote::Double,
                    };
                    continue;
                }
                Quote::DoubleEscape => {
                    quote = Quote::Double;
                    continue;
                }
                Quote::None => {}
            }
            if b == b' ' || b == b'\t' || b == b'\r' {
                spaced = true;
                property = false;
                continue;
            }
            if property {
                continue;
            }
            // Where a scalar or a collection may begin: a line's start (after
            // `- ` or `? `), after `: `, or in a flow collection after `[`, `{`,
            // `,` or `:`.
            let in_flow = !open.is_empty();
            let entry_start = match last {
                None => true,
                Some(b'-' | b'?') => spaced,
                Some(b'[' | b'{' | b',') => in_flow,
                _ => false,
            };
            let value_start = match last {
                Some(b':') => spaced || in_flow,
                _ => false,
            };
            match b {
                b'#' if last.is_none() || spaced => break,
                // A tag (`!t`, `!h!t`): pnpm and yarn never write one, and
                // saphyr-parser keeps every token after a tag it cannot
                // resolve until the document's end before saying so (a line
                // of tags and flow mappings held 143 bytes per byte, across
                // lines; found by the `lockfile` target). Refused here.
                b'!' if entry_start || value_start => {
                    return Err(format!(
                        "{what} has a YAML tag (line {}); pnpm and yarn never write one, so the file is refused.",
                        n + 1
                    ));
                }
                b'&' if entry_start || value_start => {
                    property = true;
                    continue;
                }
                b'\'' if entry_start || value_start => quote = Quote::Single,
                b'"' if entry_start || value_start => quote = Quote::Double,
                b'[' | b'{' if in_flow || entry_start || value_start => {
                    if open.len() >= MAX_DEPTH {
                        return Err(format!(
                            "{what} nests deeper than {MAX_DEPTH} levels (line {}); lockfiles nest five at most.",
                            n + 1
                        ));
                    }
                    open.push((entry_start, at));
                    entry.push(Some(at));
                    first_open_entry.get_or_insert(entry.len() - 1);
                }
                b']' | b'}' if in_flow => {
                    open.pop();
                    entry.pop();
                    multiline &= !open.is_empty();
                    if first_open_entry == Some(entry.len()) {
                        first_open_entry = None;
                    }
                }
                b',' if in_flow => {
                    if let Some(current) = entry.last_mut() {
                        *current = Some(at);
                    }
                    first_open_entry.get_or_insert(entry.len().saturating_sub(1));
                }
                // A value indicator (before a space, a line's end or a
                // flow indicator): the entry is a key, and done as one.
                b':' if in_flow
                    && line
                        .as_bytes()
                        .get(i + 1)
                        .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b',' | b'[' | b']' | b'{' | b'}')) =>
                {
                    if let Some(current) = entry.last_mut() {
                        *current = None;
                    }
                    if first_open_entry == Some(entry.len().saturating_sub(1)) {
                        first_open_entry = None;
                    }
                }
                _ => {}
            }
            // `-` and `?` are indicators only before a space; after a line's
            // start they keep the entry's start open.
            last = Some(b);
            spaced = false;
        }
        let newline = text.as_bytes().get(start + line.len()) == Some(&b'\n');
        start += line.len() + 1;
        if quote == Quote::SingleEnd {
            quote = Quote::None;
        }
        if open.iter().any(|&(key, _)| key) {
            return key_place(n + 1);
        }
        if newline {
            n += 1;
        }
        multiline |= !open.is_empty();
    }
    Ok(())
}

fn too_many(what: &str) -> String {
    format!("{what} has more than {MAX_NODES} YAML nodes; more is refused.")
}

fn too_dense(what: &str) -> String {
    format!(
        "{what} has more YAML nodes than a lockfile of its size: reading them would take more than {KEPT_PER_BYTE} \
         bytes of memory per byte of the file, so it is refused."
    )
}

/// pnpm reads its lockfile with js-yaml and yarn with its own parser, and
/// both refuse a key given twice: a second `lodash@4.17.21:` could otherwise
/// say one thing to this reader and another to the installer.
fn refuse_duplicate_keys(entries: &[(Box<str>, Yaml)], what: &str) -> Result<(), String> {
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| &**k).collect();
    keys.sort_unstable();
    match keys.windows(2).find(|pair| pair.first() == pair.get(1)) {
        Some(pair) => Err(format!(
            "{what} has the key {:?} twice in one mapping; the tools refuse such a file, and so does this.",
            truncate(pair.first().copied().unwrap_or_default(), 100)
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_lockfiles_use() {
        let docs = parse(
            "lockfileVersion: '9.0'\nn: 5.4\ne:\nm:\n  'a@1.0.0':\n    resolution: {integrity: sha512-x}\n    l: [a, b]\n",
            "x",
        )
        .unwrap();
        let [doc] = docs.as_slice() else { panic!("{docs:?}") };
        assert_eq!(doc.str_at("lockfileVersion"), Some("9.0"));
        assert_eq!(doc.str_at("n"), Some("5.4"));
        assert_eq!(doc.str_at("e"), Some(""));
        let entry = doc.get("m").unwrap().get("a@1.0.0").unwrap();
        assert_eq!(entry.get("resolution").unwrap().str_at("integrity"), Some("sha512-x"));
        assert_eq!(entry.get("l"), Some(&Yaml::Seq));
        assert_eq!(parse("---\na: 1\n---\nb: 2\n", "x").unwrap().len(), 2);
        assert!(parse("", "x").unwrap().is_empty());
    }

    #[test]
    fn refuses_aliases_depth_duplicates_and_complex_keys() {
        let e = parse("a: &x [1]\nb: *x\n", "pnpm-lock.yaml").unwrap_err();
        assert!(e.starts_with("pnpm-lock.yaml uses a YAML alias (line 2)"), "{e}");
        let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        assert!(parse(&deep, "x").unwrap_err().contains("deeper than 32"));
        let e = parse("a: 1\nb: 2\na: 3\n", "x").unwrap_err();
        assert!(e.contains("the key \"a\" twice"), "{e}");
        assert!(parse("? [a]\n: 1\n", "x").unwrap_err().contains("mapping key"));
        assert!(parse("a: [\n", "x").unwrap_err().starts_with("x is not YAML"));
        assert!(
            parse("---\na\n---\nb\n---\nc\n---\nd\n---\ne\n", "x")
                .unwrap_err()
                .contains("documents")
        );
    }

    /// Depth and documents hold exactly at their bounds.
    #[test]
    fn depth_and_documents_hold_at_their_bounds() {
        let nested = |levels: usize| {
            let mut text = String::new();
            for i in 0..levels {
                text.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
            }
            text.push_str(&format!("{}leaf: x\n", "  ".repeat(levels)));
            text
        };
        // MAX_DEPTH collections: the document's mapping and MAX_DEPTH - 1 inside it.
        assert!(parse(&nested(MAX_DEPTH - 1), "f").is_ok());
        let e = parse(&nested(MAX_DEPTH), "f").unwrap_err();
        assert!(e.contains(&format!("deeper than {MAX_DEPTH} levels")), "{e}");
        let documents = |n: usize| (0..n).map(|i| format!("---\nk: {i}\n")).collect::<String>();
        assert_eq!(parse(&documents(MAX_DOCUMENTS), "f").unwrap().len(), MAX_DOCUMENTS);
        let e = parse(&documents(MAX_DOCUMENTS + 1), "f").unwrap_err();
        assert!(e.contains(&format!("more than {MAX_DOCUMENTS} YAML documents")), "{e}");
    }
}
