//! Dates for people.

/// `2024-05-16T17:12:03Z` (or seconds) as `16 May 2024, 17:12 UTC`.
pub fn date_time(seconds: i64) -> String {
    let text = npm_provenance_core::time::format_rfc3339(seconds);
    readable(&text).unwrap_or(text)
}

/// The date only: `16 May 2024`.
pub fn date(seconds: i64) -> String {
    let full = date_time(seconds);
    full.split(',').next().unwrap_or(&full).to_string()
}

/// Rewrites an RFC 3339 UTC time for reading.
pub fn readable(rfc3339: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (date, time) = rfc3339.split_once('T')?;
    let mut parts = date.split('-');
    let (y, m, d) = (
        parts.next()?,
        parts.next()?.parse::<usize>().ok()?,
        parts.next()?.parse::<u32>().ok()?,
    );
    let month = MONTHS.get(m.checked_sub(1)?)?;
    Some(format!("{d} {month} {y}, {} UTC", time.get(..5)?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(
            super::readable("2024-05-16T17:12:03Z").as_deref(),
            Some("16 May 2024, 17:12 UTC")
        );
        assert_eq!(super::date(1715879523), "16 May 2024");
        assert_eq!(super::readable("garbage"), None);
    }
}
