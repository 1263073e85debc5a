//! Text from attestations and registries, made safe to show. Anyone can
//! publish a package with crafted provenance: control characters could drive
//! a terminal, and bidirectional overrides could make one name read as another.

use std::fmt::Write as _;

/// Whether a character reorders or hides text (bidi controls, zero-width marks).
pub fn is_formatting(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{061C}' | '\u{FEFF}')
}

/// The text with control and formatting characters written as `\u{..}`.
pub fn visible(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() || is_formatting(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() || is_formatting(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `%xx` escapes (a scope's `%40`, a `%2f` in a pasted URL or a
/// registry path); malformed escapes stay as they are, invalid UTF-8 becomes
/// U+FFFD. For reading names leniently; the server's routes use a strict decoder.
pub fn percent_decode_lossy(text: &str) -> String {
    let hex = |b: &u8| (*b as char).to_digit(16);
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%'
            && let [hi, lo, after @ ..] = tail
            && let (Some(hi), Some(lo)) = (hex(hi), hex(lo))
        {
            out.push((hi * 16 + lo) as u8);
            rest = after;
            continue;
        }
        out.push(first);
        rest = tail;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{percent_decode_lossy, visible};

    #[test]
    fn decodes_escapes_and_keeps_malformed_ones() {
        assert_eq!(percent_decode_lossy("%40scope%2Fname"), "@scope/name");
        assert_eq!(percent_decode_lossy("%"), "%");
        assert_eq!(percent_decode_lossy("%4"), "%4");
        assert_eq!(percent_decode_lossy("x%41"), "xA");
        assert_eq!(percent_decode_lossy("%zz"), "%zz");
        assert_eq!(percent_decode_lossy("a%2fb"), "a/b");
        assert_eq!(percent_decode_lossy("%é1"), "%é1");
        assert_eq!(percent_decode_lossy("%ff"), "\u{fffd}");
    }

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\u{202e}y\n"), "x\\u{202e}y\\u{a}");
        assert_eq!(visible("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(visible("plain ünïcode 日本"), "plain ünïcode 日本");
    }
}
