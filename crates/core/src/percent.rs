//! Percent-encoding for the app, the server and the core, in one place, on
//! the `percent-encoding` crate: each use differs only in which characters
//! it leaves as they are.

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// A query parameter's value: RFC 3986's unreserved characters stay.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A URL path, its `/` kept, and the sub-delimiters package names, refs and
/// file paths use (`@scope`, `+build`, `a=b,c`), which hosts read literally.
const PATH: &AsciiSet = &QUERY_VALUE
    .remove(b'/')
    .remove(b'@')
    .remove(b'+')
    .remove(b'=')
    .remove(b',');

/// A URL written as text into Markdown, HTML or reStructuredText: what ends
/// or breaks a link there (spaces, brackets, quotes, angle brackets,
/// backslashes, controls); non-ASCII is always encoded.
const URL_TEXT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'(')
    .add(b')')
    .add(b'[')
    .add(b']')
    .add(b'<')
    .add(b'>')
    .add(b'"')
    .add(b'\'')
    .add(b'`')
    .add(b'\\')
    .add(b'{')
    .add(b'}')
    .add(b'|');

/// Encodes a query parameter's value.
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Encodes a path (keeping `/`) for use inside a URL.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// A URL as text that no markup format reads as anything but the URL.
pub fn encode_url_text(url: &str) -> String {
    utf8_percent_encode(url, URL_TEXT).to_string()
}

/// Decodes `%xx` escapes (a scope's `%40`, a `%2f` in a pasted URL or a
/// registry path); malformed escapes stay as they are, invalid UTF-8 becomes
/// U+FFFD. For reading names leniently; routes use [`decode_strict`].
pub fn decode_lossy(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Decodes `%xx` escapes, refusing a malformed escape, invalid UTF-8 and NUL:
/// what a route accepts must mean one thing.
pub fn decode_strict(text: &str) -> Option<String> {
    let well_formed = text
        .split('%')
        .skip(1)
        .all(|after| after.get(..2).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if !well_formed {
        return None;
    }
    let decoded = percent_decode_str(text).decode_utf8().ok()?;
    (!decoded.contains('\0')).then(|| decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_decoding_keeps_what_is_malformed() {
        assert_eq!(decode_lossy("%40scope%2Fname"), "@scope/name");
        assert_eq!(decode_lossy("%"), "%");
        assert_eq!(decode_lossy("%4"), "%4");
        assert_eq!(decode_lossy("x%41"), "xA");
        assert_eq!(decode_lossy("%zz"), "%zz");
        assert_eq!(decode_lossy("a%2fb"), "a/b");
        assert_eq!(decode_lossy("%é1"), "%é1");
        assert_eq!(decode_lossy("%ff"), "\u{fffd}");
    }

    #[test]
    fn strict_decoding_refuses_what_could_mean_two_things() {
        assert_eq!(decode_strict("%40a%2Fb").as_deref(), Some("@a/b"));
        assert_eq!(decode_strict("plain").as_deref(), Some("plain"));
        for bad in ["%", "%4", "%zz", "a%2", "%ff", "a%00b", "%é1"] {
            assert_eq!(decode_strict(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_encoding_keeps_its_own_characters() {
        assert_eq!(
            encode_query_value("https://r.example/a b?c&d=é"),
            "https%3A%2F%2Fr.example%2Fa%20b%3Fc%26d%3D%C3%A9"
        );
        assert_eq!(encode_query_value("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(
            encode_path(".github/workflows/re lease.yml"),
            ".github/workflows/re%20lease.yml"
        );
        assert_eq!(encode_path("@scope/name+x=1,2?#"), "@scope/name+x=1,2%3F%23");
        assert_eq!(
            encode_url_text("https://h/a b(c)[d]<e>\"f'g`h\\i{j}k|l\nm\u{202e}"),
            "https://h/a%20b%28c%29%5Bd%5D%3Ce%3E%22f%27g%60h%5Ci%7Bj%7Dk%7Cl%0Am%E2%80%AE"
        );
        assert_eq!(encode_url_text("https://h/p?x=1&y=2#z"), "https://h/p?x=1&y=2#z");
    }
}
