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

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\u{202e}y\n"), "x\\u{202e}y\\u{a}");
        assert_eq!(visible("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(visible("plain ünïcode 日本"), "plain ünïcode 日本");
    }
}
