//! Links built from attestation data. Anyone can publish a package with crafted
//! provenance, so a link is only ever an absolute `https:` URL with a plain host
//! and no characters that could break out of an attribute or hide its target.

/// Longest URL we link to; longer ones are shown as text only.
pub const MAX_URL_LEN: usize = 2048;

/// The URL itself if it is a safe absolute `https:` URL, else `None`.
pub fn https_url(text: &str) -> Option<String> {
    if text.len() > MAX_URL_LEN {
        return None;
    }
    let rest = text.strip_prefix("https://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with(['.', '-'])
        && !host.ends_with('-')
        && host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    // Printable ASCII only, without quotes, angle brackets, backslashes or backticks.
    let tail_ok = tail.bytes().all(|b| {
        (0x21..0x7f).contains(&b) && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`' | b'^' | b'{' | b'}' | b'|')
    });
    (host_ok && port_ok && tail_ok).then(|| text.to_string())
}

pub use crate::percent::encode_path;

/// `https://search.sigstore.dev/?logIndex=N`: the public-good log's search page.
pub fn ledger_url(global_log_index: u64) -> String {
    format!("https://search.sigstore.dev/?logIndex={global_log_index}")
}

/// The repository URL as people write it: `github.com/owner/repo`.
pub fn display_host_path(url: &str) -> String {
    url.trim_start_matches("https://").trim_end_matches('/').to_string()
}

/// Whether a commit digest looks like a git object id (hex, 40 or 64 long).
pub fn is_git_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_https_urls() {
        for ok in [
            "https://github.com/sigstore/sigstore-js",
            "https://github.com/o/r/actions/runs/1/attempts/1",
            "https://gitlab.com/o/r/-/jobs/5",
            "https://example.com:8443/a?b=c#d",
        ] {
            assert_eq!(https_url(ok).as_deref(), Some(ok));
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://github.com/x",
            "HTTPS://github.com/x",
            "https://user@github.com/x",
            "https://github.com/x\"onmouseover=alert(1)",
            "https://github.com/<script>",
            "https://github.com/a b",
            "https://github.com/\u{202e}gnp.exe",
            "https://",
            "https://localhost/x",
            "https://-bad.com/",
            "https://github.com:99999999/",
            " https://github.com/",
        ] {
            assert_eq!(https_url(bad), None, "{bad:?}");
        }
        assert_eq!(https_url(&format!("https://a.com/{}", "x".repeat(MAX_URL_LEN))), None);
    }

    #[test]
    fn encodes_paths() {
        assert_eq!(
            encode_path(".github/workflows/release.yml"),
            ".github/workflows/release.yml"
        );
        assert_eq!(encode_path("a b/<x>"), "a%20b/%3Cx%3E");
    }
}
