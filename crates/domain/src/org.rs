//! Organisation settings as closed sets of values: a setting the code does not know is refused
//! at the boundary instead of being stored as free text.

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        pub enum $name { $($(#[$vdoc])* #[serde(rename = $text)] $variant),* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored and serialized text.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// Parses the stored text.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Whether catalog prices include VAT (China) or exclude it (US sales tax).
    TaxMode { Inclusive = "inclusive", Exclusive = "exclusive" }
);
string_enum!(
    /// How amounts are rounded to the minor unit.
    RoundingRule { HalfUp = "half_up", HalfEven = "half_even" }
);
string_enum!(
    /// Kind of a location.
    LocationKind { Store = "store", Warehouse = "warehouse" }
);
string_enum!(
    /// Cash rounding (抹零) of a store: none, to 0.1 or to 1 unit of the currency.
    CashRounding { None = "none", Tenth = "0.1", Unit = "1" }
);
string_enum!(
    /// Whether a register may sell below zero stock (`allow`, flagged for follow-up) or not.
    NegativeStockPolicy { Allow = "allow", Refuse = "refuse" }
);
string_enum!(
    /// A sales channel's kind.
    ChannelKind { Store = "store", Online = "online", Wholesale = "wholesale", Distributor = "distributor" }
);
string_enum!(
    /// UI and document languages.
    Locale { ZhCn = "zh-CN", En = "en" }
);

impl CashRounding {
    /// The rounding step in minor units for a currency with `exponent` minor digits.
    pub fn step_minor(&self, exponent: u8) -> i64 {
        let unit = 10i64.pow(exponent as u32);
        match self {
            CashRounding::None => 1,
            CashRounding::Tenth => (unit / 10).max(1),
            CashRounding::Unit => unit,
        }
    }
}

/// Whether `tz` looks like an IANA time zone name (`Asia/Shanghai`, `UTC`). The list of zones
/// changes with tzdata releases, so the shape is checked, not membership.
pub fn is_time_zone_name(tz: &str) -> bool {
    if tz == "UTC" {
        return true;
    }
    let mut parts = tz.split('/');
    let Some(area) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    const AREAS: &[&str] = &[
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
        "Etc",
    ];
    AREAS.contains(&area)
        && !rest.is_empty()
        && tz.len() <= 64
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_text() {
        for v in CashRounding::ALL {
            assert_eq!(CashRounding::parse(v.as_str()), Some(*v));
        }
        assert_eq!(
            serde_json::to_string(&CashRounding::Tenth).unwrap(),
            "\"0.1\""
        );
        assert_eq!(ChannelKind::parse("retail"), None);
    }

    #[test]
    fn cash_rounding_steps() {
        assert_eq!(CashRounding::Tenth.step_minor(2), 10);
        assert_eq!(CashRounding::Unit.step_minor(2), 100);
        assert_eq!(CashRounding::None.step_minor(2), 1);
        assert_eq!(CashRounding::Tenth.step_minor(0), 1);
    }

    #[test]
    fn time_zone_names() {
        assert!(is_time_zone_name("Asia/Shanghai"));
        assert!(is_time_zone_name("America/Argentina/Buenos_Aires"));
        assert!(is_time_zone_name("UTC"));
        assert!(!is_time_zone_name("Shanghai"));
        assert!(!is_time_zone_name("Asia/"));
        assert!(!is_time_zone_name("Mars/Olympus"));
    }
}

/// The business day (`YYYY-MM-DD`) a moment belongs to at a store: its local date in `tz`,
/// where the day starts at `cutoff_hour` (a bar open until 3 a.m. with cut-off 4 books its
/// late sales on the evening's day). Receipt numbers restart and reports group by this day.
/// `None` for an unknown time zone.
pub fn business_day(unix_seconds: i64, tz: &str, cutoff_hour: i64) -> Option<String> {
    let zone = jiff::tz::TimeZone::get(tz).ok()?;
    let at = jiff::Timestamp::from_second(unix_seconds).ok()?;
    let shifted = at
        .checked_sub(jiff::SignedDuration::from_hours(cutoff_hour))
        .ok()?;
    Some(shifted.to_zoned(zone).date().to_string())
}

#[cfg(test)]
mod business_day_tests {
    use super::business_day;

    #[test]
    fn local_date_with_cutoff() {
        // 2026-11-27T17:30:00Z is 01:30 on the 28th in Shanghai
        let t = 1_795_800_600;
        assert_eq!(
            business_day(t, "Asia/Shanghai", 0).as_deref(),
            Some("2026-11-28")
        );
        assert_eq!(
            business_day(t, "Asia/Shanghai", 4).as_deref(),
            Some("2026-11-27")
        );
        assert_eq!(business_day(t, "UTC", 0).as_deref(), Some("2026-11-27"));
        assert_eq!(business_day(t, "Mars/Base", 0), None);
    }
}

/// A moment as local wall-clock time at a store (`2026-11-27 13:05`), for receipts and
/// reports. Falls back to UTC for an unknown zone.
pub fn local_time(unix_seconds: i64, tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(unix_seconds) {
        Ok(t) => t.to_zoned(zone).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => String::new(),
    }
}

/// The local wall-clock hour (0–23) of a moment at a store, for hourly reports. UTC for an
/// unknown zone.
pub fn local_hour(unix_seconds: i64, tz: &str) -> i64 {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(unix_seconds) {
        Ok(t) => i64::from(t.to_zoned(zone).hour()),
        Err(_) => 0,
    }
}
