//! The signed statement: a DSSE payload read once, completely, into the
//! in-toto statement every later check reads.
//!
//! One parser, and a strict one. A payload that two parsers read differently
//! is an attack on whichever check uses the laxer one: a number out of range
//! or a lone surrogate that a typed reader skips but a tree reader refuses, a
//! key given twice that one reader takes first and another last. So the
//! payload is parsed exactly once, into a JSON tree that refuses all of these,
//! and the typed statement is read from that tree; a payload this parser
//! cannot take completely is rejected with a sentence, never half-read.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::package::truncate;

/// The DSSE payload type of in-toto statements.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const INTOTO_STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
pub const INTOTO_STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// A statement attests to a few artifacts; npm's to one. More than this is
/// not a statement anyone verifies, and each subject costs a comparison.
pub const MAX_SUBJECTS: usize = 1024;
/// Digests per subject (sha256, sha512, gitCommit, ...).
pub const MAX_DIGESTS_PER_SUBJECT: usize = 16;
/// Deepest nesting accepted in a payload (serde_json stops at 128 anyway;
/// predicates are a few levels deep).
pub const MAX_DEPTH: usize = 64;

/// One subject of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    /// Algorithm name (`sha512`) to hex, exactly as the statement states them.
    pub digests: BTreeMap<String, String>,
}

/// An in-toto statement, as signed.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `_type`.
    pub statement_type: String,
    pub subjects: Vec<Subject>,
    pub predicate_type: String,
    /// The predicate (an empty object when the statement has none).
    pub predicate: Value,
    /// The whole statement, for the report.
    pub document: Value,
}

impl Statement {
    /// Whether `_type` is one of in-toto's statement types.
    pub fn is_intoto(&self) -> bool {
        self.statement_type == INTOTO_STATEMENT_V01 || self.statement_type == INTOTO_STATEMENT_V1
    }
}

/// Reads a DSSE payload as an in-toto statement.
pub fn read(payload_type: &str, payload: &[u8]) -> Result<Statement, String> {
    if payload_type != INTOTO_PAYLOAD_TYPE {
        return Err(format!(
            "The DSSE payload type is {:?}, not {INTOTO_PAYLOAD_TYPE:?}: the content is not an attestation.",
            truncate(payload_type, 100)
        ));
    }
    let document = strict_json(payload)
        .map_err(|e| format!("The signed payload is not JSON this verifier reads completely: {e}."))?;
    statement_from(document)
}

fn statement_from(document: Value) -> Result<Statement, String> {
    let object = document
        .as_object()
        .ok_or("The signed payload is JSON but not an object: it is not an in-toto statement.")?;
    let text = |key: &str| -> Result<String, String> {
        match object.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(format!("The statement's {key:?} is not a string.")),
            None => Err(format!("The statement has no {key:?}.")),
        }
    };
    let statement_type = text("_type")?;
    let predicate_type = text("predicateType")?;
    let subjects = match object.get("subject") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err("The statement's \"subject\" is not a list.".into()),
        None => return Err("The statement has no subject: it attests to nothing.".into()),
    };
    if subjects.is_empty() {
        return Err("The statement has no subject: it attests to nothing.".into());
    }
    if subjects.len() > MAX_SUBJECTS {
        return Err(format!(
            "The statement has {} subjects; more than {MAX_SUBJECTS} are not read.",
            subjects.len()
        ));
    }
    let subjects = subjects
        .iter()
        .enumerate()
        .map(|(i, s)| subject_from(i, s))
        .collect::<Result<Vec<_>, _>>()?;
    if !subjects
        .iter()
        .any(|s| s.digests.contains_key("sha256") || s.digests.contains_key("sha512"))
    {
        return Err("No subject of the statement has a sha256 or sha512 digest.".into());
    }
    let predicate = match object.get("predicate") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => return Err("The statement's predicate is not an object.".into()),
    };
    Ok(Statement {
        statement_type,
        subjects,
        predicate_type,
        predicate,
        document,
    })
}

fn subject_from(index: usize, value: &Value) -> Result<Subject, String> {
    let n = index + 1;
    let object = value
        .as_object()
        .ok_or_else(|| format!("Subject {n} of the statement is not an object."))?;
    let name = match object.get("name") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("Subject {n}'s name is not a string.")),
    };
    let digests = match object.get("digest") {
        Some(Value::Object(d)) => d,
        _ => return Err(format!("Subject {n} has no digest.")),
    };
    if digests.len() > MAX_DIGESTS_PER_SUBJECT {
        return Err(format!("Subject {n} states {} digests.", digests.len()));
    }
    let digests = digests
        .iter()
        .map(|(algorithm, value)| match value {
            // Kept as signed: npm compares the lowercase hex of the
            // integrity exactly (pacote), so an uppercase digest must fail.
            Value::String(hex) => Ok((algorithm.clone(), hex.clone())),
            _ => Err(format!("Subject {n}'s {algorithm} digest is not a string.")),
        })
        .collect::<Result<_, _>>()?;
    Ok(Subject { name, digests })
}

/// Parses JSON into a tree, refusing what JSON readers disagree on: keys
/// given twice in one object, numbers out of range (serde_json refuses them),
/// invalid escapes and lone surrogates (likewise), nesting deeper than
/// [`MAX_DEPTH`], and anything after the value.
pub fn strict_json(bytes: &[u8]) -> Result<Value, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue { depth: 0 }
        .deserialize(&mut deserializer)
        .map_err(|e| truncate(&e.to_string(), 200))?;
    deserializer.end().map_err(|e| truncate(&e.to_string(), 200))?;
    Ok(value)
}

/// A JSON value reader that refuses duplicate keys and deep nesting.
#[derive(Clone, Copy)]
struct StrictValue {
    depth: usize,
}

impl<'de> de::DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictValue {
    fn nested<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(Self { depth: self.depth + 1 })
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut list = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            list.push(item);
        }
        Ok(Value::Array(list))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key {:?} appears twice in one object",
                    truncate(&key, 60)
                )));
            }
            let value = map.next_value_seed(inner)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECT: &str = r#"[{"name":"pkg:npm/a@1.0.0","digest":{"sha512":"ABcd"}}]"#;

    fn statement(extra: &str) -> String {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":{SUBJECT},"predicateType":"https://slsa.dev/provenance/v1","predicate":{{}}{extra}}}"#
        )
    }

    #[test]
    fn a_statement_is_read_with_its_subjects() {
        let s = read(INTOTO_PAYLOAD_TYPE, statement("").as_bytes()).unwrap();
        assert!(s.is_intoto());
        assert_eq!(s.subjects.len(), 1);
        assert_eq!(
            s.subjects[0].digests["sha512"], "ABcd",
            "kept as signed, for an exact comparison"
        );
        assert_eq!(s.predicate_type, "https://slsa.dev/provenance/v1");
    }

    /// What a typed reader would skip and a tree reader refuse (or read
    /// otherwise) is refused as a whole, with a sentence.
    #[test]
    fn payloads_readers_disagree_on_are_refused() {
        for extra in [
            r#","x":1e400"#,
            r#","x":"\ud800""#,
            r#","x":"\udc00\ud800""#,
            r#","subject":[]"#,
            r#","predicateType":"https://github.com/npm/attestation/tree/main/specs/publish/v0.1""#,
        ] {
            let e = read(INTOTO_PAYLOAD_TYPE, statement(extra).as_bytes()).unwrap_err();
            assert!(e.contains("not JSON this verifier reads completely"), "{extra}: {e}");
        }
        let nested = format!(r#","x":{}1{}"#, "[".repeat(200), "]".repeat(200));
        assert!(read(INTOTO_PAYLOAD_TYPE, statement(&nested).as_bytes()).is_err());
        let twice_in_digest = statement("").replace(r#""sha512":"ABcd""#, r#""sha512":"ab","sha512":"cd""#);
        assert!(read(INTOTO_PAYLOAD_TYPE, twice_in_digest.as_bytes()).is_err());
        assert!(read(INTOTO_PAYLOAD_TYPE, format!("{} x", statement("")).as_bytes()).is_err());
    }

    #[test]
    fn what_is_not_a_statement_says_why() {
        for (payload, says) in [
            ("[]", "not an object"),
            (r#"{"_type":1}"#, "\"_type\" is not a string"),
            (r#"{"_type":"t","predicateType":"p"}"#, "no subject"),
            (r#"{"_type":"t","predicateType":"p","subject":[]}"#, "no subject"),
            (
                r#"{"_type":"t","predicateType":"p","subject":[{"name":"x"}]}"#,
                "has no digest",
            ),
            (
                r#"{"_type":"t","predicateType":"p","subject":[{"digest":{"md5":"00"}}]}"#,
                "sha256 or sha512",
            ),
            (
                r#"{"_type":"t","predicateType":"p","subject":[{"digest":{"sha256":"00"}}],"predicate":5}"#,
                "predicate is not an object",
            ),
        ] {
            let e = read(INTOTO_PAYLOAD_TYPE, payload.as_bytes()).unwrap_err();
            assert!(e.contains(says), "{payload}: {e}");
        }
        assert!(
            read("text/plain", statement("").as_bytes())
                .unwrap_err()
                .contains("not an attestation")
        );
    }

    /// A statement of `subjects` (each with a sha512).
    fn with_subjects(subjects: &[String]) -> String {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{}],"predicateType":"p"}}"#,
            subjects.join(",")
        )
    }

    /// `MAX_SUBJECTS` subjects are read; one more is refused, saying so.
    #[test]
    fn subjects_up_to_the_limit() {
        let one = r#"{"name":"x","digest":{"sha512":"00"}}"#.to_string();
        let at_limit = with_subjects(&vec![one.clone(); MAX_SUBJECTS]);
        assert_eq!(
            read(INTOTO_PAYLOAD_TYPE, at_limit.as_bytes()).unwrap().subjects.len(),
            MAX_SUBJECTS
        );
        let over = with_subjects(&vec![one; MAX_SUBJECTS + 1]);
        assert_eq!(
            read(INTOTO_PAYLOAD_TYPE, over.as_bytes()).unwrap_err(),
            "The statement has 1025 subjects; more than 1024 are not read."
        );
    }

    /// `MAX_DIGESTS_PER_SUBJECT` digests are read; one more is refused.
    #[test]
    fn digests_per_subject_up_to_the_limit() {
        let subject = |n: usize| {
            let digests: Vec<String> = (0..n).map(|i| format!(r#""alg{i}":"00""#)).collect();
            format!(r#"{{"digest":{{"sha512":"00",{}}}}}"#, digests.join(","))
        };
        let at_limit = with_subjects(&[subject(MAX_DIGESTS_PER_SUBJECT - 1)]);
        let read_back = read(INTOTO_PAYLOAD_TYPE, at_limit.as_bytes()).unwrap();
        assert_eq!(read_back.subjects[0].digests.len(), MAX_DIGESTS_PER_SUBJECT);
        let over = with_subjects(&[subject(MAX_DIGESTS_PER_SUBJECT)]);
        assert_eq!(
            read(INTOTO_PAYLOAD_TYPE, over.as_bytes()).unwrap_err(),
            "Subject 1 states 17 digests."
        );
    }

    /// A subject's sentence names it by its position, counting from 1.
    #[test]
    fn a_subject_is_named_by_its_position() {
        let good = r#"{"digest":{"sha512":"00"}}"#.to_string();
        for (subjects, says) in [
            (
                vec![good.clone(), "5".into()],
                "Subject 2 of the statement is not an object.",
            ),
            (
                vec![good.clone(), good.clone(), r#"{"name":1,"digest":{}}"#.into()],
                "Subject 3's name is not a string.",
            ),
            (vec![r#"{"name":"x"}"#.into()], "Subject 1 has no digest."),
            (
                vec![good.clone(), r#"{"digest":{"sha256":1}}"#.into()],
                "Subject 2's sha256 digest is not a string.",
            ),
        ] {
            assert_eq!(
                read(INTOTO_PAYLOAD_TYPE, with_subjects(&subjects).as_bytes()).unwrap_err(),
                says
            );
        }
    }

    /// Nesting of `MAX_DEPTH` levels (the statement's own object is the
    /// first) is read; one level more is refused, below serde_json's own
    /// limit of 128.
    #[test]
    fn nesting_up_to_the_limit() {
        let nested = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        assert_eq!(
            strict_json(nested(MAX_DEPTH).as_bytes()).unwrap().to_string(),
            nested(MAX_DEPTH)
        );
        assert_eq!(
            strict_json(nested(MAX_DEPTH + 1).as_bytes()).unwrap_err(),
            "nested deeper than 64 levels at line 1 column 66"
        );
        let in_statement = |levels: usize| statement(&format!(r#","x":{}"#, nested(levels)));
        assert!(read(INTOTO_PAYLOAD_TYPE, in_statement(MAX_DEPTH - 1).as_bytes()).is_ok());
        assert!(
            read(INTOTO_PAYLOAD_TYPE, in_statement(MAX_DEPTH).as_bytes())
                .unwrap_err()
                .contains("nested deeper than 64 levels")
        );
    }

    /// Every JSON type is read as serde_json reads it.
    #[test]
    fn every_json_type_reads_as_serde_json_reads_it() {
        let text = r#"{"t":true,"f":false,"i":[0,-1,-9223372036854775808,18446744073709551615],
            "x":[1.5,-0.25,1e300,2.0,-0.0],"s":["","a\u0062\n\"","é"],"n":null,"o":{"k":[null,{}]}}"#;
        let strict = strict_json(text.as_bytes()).unwrap();
        assert_eq!(strict, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(strict["t"], Value::Bool(true));
        assert_eq!(strict["f"], Value::Bool(false));
        assert_eq!(strict["i"][1].as_i64(), Some(-1));
        assert_eq!(strict["i"][3].as_u64(), Some(u64::MAX));
        assert_eq!(strict["x"][1].as_f64(), Some(-0.25));
        assert_eq!(strict["s"][1], "ab\n\"");
        assert!(strict["n"].is_null());
    }
}
