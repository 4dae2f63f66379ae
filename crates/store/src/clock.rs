//! Time as stored: UTC, RFC 3339 with exactly six fractional digits and `Z`, so that stored
//! timestamps compare correctly as text on both backends.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Formats an instant the way it is stored.
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .expect("a UTC instant always formats")
}

/// Parses a stored timestamp.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(s, FORMAT)
        .ok()
        .map(|p| p.assume_utc())
}

/// Now, as stored.
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// `d` from now, as stored.
pub fn in_future(d: Duration) -> String {
    format(OffsetDateTime::now_utc() + d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = OffsetDateTime::now_utc();
        let b = a + Duration::milliseconds(1);
        assert!(format(a) < format(b));
        let back = parse(&format(a)).unwrap();
        assert_eq!(back.unix_timestamp(), a.unix_timestamp());
        assert_eq!(format(a).len(), 27);
    }
}
