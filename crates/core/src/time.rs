//! Times as seconds since the epoch, and their RFC 3339 form (UTC). The core
//! never reads the clock: times come from signed log entries or the caller.
//!
//! Written out rather than taken from jiff so that the app's page, which only
//! formats dates, does not carry a date library (the verifier still uses
//! jiff through the Sigstore crates).

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn digits(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = text.get(range)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// Parses an RFC 3339 time (`2025-01-29T00:00:00.000Z`, `...+02:00`) to
/// seconds since the epoch. Fractions of a second are dropped.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied();
    if b.len() < 20
        || at(4) != Some(b'-')
        || at(7) != Some(b'-')
        || !matches!(at(10), Some(b'T' | b't' | b' '))
        || at(13) != Some(b':')
        || at(16) != Some(b':')
    {
        return None;
    }
    let (year, month, day) = (digits(text, 0..4)?, digits(text, 5..7)?, digits(text, 8..10)?);
    let (hour, minute, second) = (digits(text, 11..13)?, digits(text, 14..16)?, digits(text, 17..19)?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        rest = &fraction[len..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes().get(3) == Some(&b':') =>
        {
            let minutes = i64::from(digits(rest, 1..3)?) * 60 + i64::from(digits(rest, 4..6)?);
            if rest.starts_with('+') {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    Some(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second.min(59)) - offset)
}

/// Formats seconds since the epoch as RFC 3339 in UTC (`2024-05-16T17:12:06Z`).
pub fn format_rfc3339(seconds: i64) -> String {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return format!("{seconds} s since the epoch");
    }
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_rfc3339("2025-01-29T00:00:00.000Z").unwrap();
        assert_eq!(t, 1738108800);
        assert_eq!(format_rfc3339(t), "2025-01-29T00:00:00Z");
        assert_eq!(format_rfc3339(1715879523), "2024-05-16T17:12:03Z");
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(parse_rfc3339("2024-02-29T23:59:59+01:00"), Some(1709247599));
        assert_eq!(parse_rfc3339("1999-01-01T00:00:00Z"), Some(915148800));
    }

    #[test]
    fn agrees_with_jiff_across_four_centuries() {
        let mut t = -2_000_000_000i64;
        while t < 8_000_000_000 {
            let ours = format_rfc3339(t);
            assert_eq!(ours, jiff::Timestamp::from_second(t).unwrap().to_string());
            assert_eq!(parse_rfc3339(&ours), Some(t));
            t += 7_777_777;
        }
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in [
            "yesterday",
            "",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00.Z",
            "２０２４-01-01T00:00:00Z",
            "2024-01-01T00:00:00+0100",
            // A multi-byte character where the offset's colon would be
            // (slicing the text there panicked before fuzzing found it).
            "2024-01-01T00:00:00+aé00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
