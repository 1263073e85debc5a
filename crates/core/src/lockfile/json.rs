//! JSON lockfiles (npm's, Bun's) read without a tree of values: objects as
//! their entries in file order ([`Entries`]), loosely typed fields as the
//! raw text they are ([`Loose`]), so that what is kept stays a small
//! multiple of the input whatever its shape (a `serde_json::Value` of a
//! large array is forty times its text).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Entries of one JSON object (`packages`, a package's `dependencies`):
/// the largest real trees list tens of thousands.
const MAX_OBJECT_ENTRIES: usize = 1_000_000;

/// A JSON object's entries in file order, a key given twice kept twice
/// (serde_json's own maps keep the last one silently).
pub(super) struct Entries<T>(pub(super) Vec<(String, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<T>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    // Counted as they come: a million keys in one object is
                    // refused before it is held, not after.
                    if entries.len() >= MAX_OBJECT_ENTRIES {
                        return Err(serde::de::Error::custom(format!(
                            "an object with more than {MAX_OBJECT_ENTRIES} entries"
                        )));
                    }
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

impl<T> Entries<T> {
    pub(super) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

/// A value of the expected type, or nothing: a mistyped field reads as
/// absent (its entry is then judged on the rest) instead of failing the file.
pub(super) struct Loose<T>(pub(super) Option<T>);

impl<T> Default for Loose<T> {
    fn default() -> Self {
        Loose(None)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Loose<T> {
    /// Read as the text it is, then as a `T` if it is one: no tree of the
    /// value is built.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        Ok(Loose(serde_json::from_str(raw.get()).ok()))
    }
}

/// Like [`Loose`], for a value that must be an object: serde would read
/// an array as a struct (its fields in order), which no lockfile writes.
pub(super) struct LooseObject<T>(pub(super) Option<T>);

impl<T> Default for LooseObject<T> {
    fn default() -> Self {
        LooseObject(None)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for LooseObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        let object = raw.get().starts_with('{');
        Ok(LooseObject(
            object.then(|| serde_json::from_str(raw.get()).ok()).flatten(),
        ))
    }
}

/// Dependency names (`"dependencies": {"a": "^1"}`): only the names are read.
pub(super) type Names = Loose<Entries<IgnoredAny>>;

/// Bun writes JSON with a comma after the last member of every object and
/// the last element of every array it spreads over lines (`"a": 1,\n}`),
/// which JSON does not allow. Each such comma (one followed, past
/// whitespace, by `}` or `]`, outside strings, after a value) becomes a
/// space, so that serde_json reads the text at the same offsets (its line
/// and column in a message stay right) in one copy of it; nothing else
/// changes. A comma no JSON writer puts there (`[,]`, `[1,,]`) is left for
/// serde_json to refuse.
///
/// Comments are refused, not skipped: Bun reads `bun.lock` as JSONC but
/// never writes a comment, so a file with one was edited by hand, and what
/// it says is better read by the person than around by this.
pub(super) fn blank_trailing_commas(text: &str) -> Result<String, TrailingCommaError> {
    let mut bytes = text.as_bytes().to_vec();
    let (mut in_string, mut escaped) = (false, false);
    // The last byte outside strings and whitespace, and a comma after a
    // value that a closing bracket would make trailing.
    let mut last = 0u8;
    let mut pending: Option<usize> = None;
    for i in 0..bytes.len() {
        let Some(&b) = bytes.get(i) else { break };
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'}' | b']' => {
                if let Some(at) = pending.take()
                    && let Some(comma) = bytes.get_mut(at)
                {
                    *comma = b' ';
                }
            }
            b',' => pending = (!matches!(last, 0 | b'{' | b'[' | b',' | b':')).then_some(i),
            b'/' => {
                return Err(TrailingCommaError::Comment {
                    line: text.get(..i).map_or(0, |t| t.matches('\n').count()) + 1,
                });
            }
            b'"' => {
                in_string = true;
                pending = None;
            }
            _ => pending = None,
        }
        last = b;
    }
    // Only ASCII commas were replaced by ASCII spaces: still UTF-8.
    String::from_utf8(bytes).map_err(|_| TrailingCommaError::NotText)
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum TrailingCommaError {
    /// A `//` or `/*` comment, at this line (from 1).
    Comment {
        line: usize,
    },
    NotText,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(text: &str) -> String {
        blank_trailing_commas(text).unwrap()
    }

    #[test]
    fn trailing_commas_become_spaces_where_bun_writes_them() {
        assert_eq!(blanked("{\"a\": [1, 2,],\n}"), "{\"a\": [1, 2 ] \n}");
        assert_eq!(
            blanked("{\"a\": {\"b\": \"c\",\n  },\n}"),
            "{\"a\": {\"b\": \"c\" \n  } \n}"
        );
        // Inside strings, nothing changes.
        assert_eq!(
            blanked(r#"{"a,}": "x,]", "b\",}": 1}"#),
            r#"{"a,}": "x,]", "b\",}": 1}"#
        );
        assert_eq!(blanked(r#"["\\",]"#), r#"["\\" ]"#);
        // Commas no writer puts there are left for serde_json to refuse.
        for bad in ["[,]", "{,}", "[1,,]", "{\"a\":,}"] {
            assert_eq!(blanked(bad), bad);
            assert!(serde_json::from_str::<IgnoredAny>(&blanked(bad)).is_err(), "{bad}");
        }
        // Lengths and lines are kept, so serde_json's positions are the file's.
        let text = "{\n  \"a\": [\n    1,\n  ],\n  \"b\": x,\n}";
        let e = serde_json::from_str::<IgnoredAny>(&blanked(text)).unwrap_err();
        assert_eq!((e.line(), e.column()), (5, 8), "{e}");
    }

    #[test]
    fn comments_are_refused_with_their_line() {
        assert_eq!(
            blank_trailing_commas("{\n\"a\": 1, // why\n}"),
            Err(TrailingCommaError::Comment { line: 2 })
        );
        assert_eq!(
            blank_trailing_commas("/* x */{}"),
            Err(TrailingCommaError::Comment { line: 1 })
        );
        assert_eq!(blanked(r#"{"url": "https://a/b"}"#), r#"{"url": "https://a/b"}"#);
    }

    /// An object of MAX_OBJECT_ENTRIES entries is read; one more is refused
    /// as it arrives.
    #[test]
    fn an_object_holds_exactly_its_bound_of_entries() {
        let object = |n: usize| {
            let mut text = String::with_capacity(n * 12 + 2);
            text.push('{');
            for i in 0..n {
                if i > 0 {
                    text.push(',');
                }
                text.push_str(&format!("\"k{i}\":0"));
            }
            text.push('}');
            text
        };
        let read = |text: &str| serde_json::from_str::<Entries<serde::de::IgnoredAny>>(text);
        assert_eq!(read(&object(MAX_OBJECT_ENTRIES)).unwrap().0.len(), MAX_OBJECT_ENTRIES);
        let e = read(&object(MAX_OBJECT_ENTRIES + 1)).err().unwrap().to_string();
        assert!(e.contains(&format!("more than {MAX_OBJECT_ENTRIES} entries")), "{e}");
    }
}
