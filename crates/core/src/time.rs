//! Times as seconds since the epoch, and their RFC 3339 form (UTC). The core
//! never reads the clock: times come from signed log entries or the caller.

/// Parses an RFC 3339 time (`2025-01-29T00:00:00.000Z`) to seconds since the epoch.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// Formats seconds since the epoch as RFC 3339 in UTC (`2024-05-16T17:12:06Z`).
pub fn format_rfc3339(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(t) => t.to_string(),
        Err(_) => format!("{seconds} s since the epoch"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_rfc3339("2025-01-29T00:00:00.000Z").unwrap();
        assert_eq!(t, 1738108800);
        assert_eq!(format_rfc3339(t), "2025-01-29T00:00:00Z");
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
