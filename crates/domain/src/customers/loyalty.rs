//! Loyalty arithmetic: the points a sale earns, what points are worth when redeemed, when a
//! grant of points expires, and the bonus a stored-value top-up gets. Points are whole numbers;
//! money is in minor units.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::{Date, Month, OffsetDateTime};

/// A line as far as earning goes: what the customer pays for it, whether it carried a
/// discount, and the points per currency unit that apply to it (the tier's rate, or its
/// category's exception; zero earns nothing).
#[derive(Clone, Copy, Debug)]
pub struct EarnLine {
    pub total_minor: i64,
    pub discounted: bool,
    pub earn_per_unit: Decimal,
}

/// Points earned by a sale: each eligible line earns `earn_per_unit` per currency unit (100
/// minor units) of its total; lines with a discount earn only when `earn_on_discounted`. The
/// part of the sale paid with points earns nothing: the eligible amount is scaled by
/// (total − paid with points) / total. Rounded down, never negative.
pub fn points_earned(
    lines: &[EarnLine],
    earn_on_discounted: bool,
    total_minor: i64,
    paid_with_points_minor: i64,
) -> i64 {
    if total_minor <= 0 {
        return 0;
    }
    let mut points = Decimal::ZERO;
    for l in lines {
        if l.total_minor <= 0 || (l.discounted && !earn_on_discounted) {
            continue;
        }
        points +=
            Decimal::from(l.total_minor) * l.earn_per_unit.max(Decimal::ZERO) / Decimal::from(100);
    }
    let paying = (total_minor - paid_with_points_minor.max(0)).max(0);
    let scaled = points * Decimal::from(paying) / Decimal::from(total_minor);
    scaled.floor().to_i64().unwrap_or(0).max(0)
}

/// The points that pay `amount_minor` at `points_per_unit` points per currency unit, if the
/// amount is a whole number of points.
pub fn points_for(amount_minor: i64, points_per_unit: i64) -> Option<i64> {
    let p = amount_minor.checked_mul(points_per_unit)?;
    (p % 100 == 0).then_some(p / 100)
}

/// What `points` are worth when redeemed (rounded down to the minor unit).
pub fn value_of(points: i64, points_per_unit: i64) -> i64 {
    if points_per_unit <= 0 {
        return 0;
    }
    points.saturating_mul(100) / points_per_unit
}

/// When points granted at `at` expire: 31 December 23:59:59 UTC of the following year
/// (`year_end`), `months` months later (`months`), or far in the future (`never`).
pub fn expires_at(at: OffsetDateTime, mode: &str, months: i64) -> OffsetDateTime {
    match mode {
        "year_end" => {
            let d = Date::from_calendar_date(at.year() + 1, Month::December, 31)
                .expect("31 December exists");
            d.with_hms(23, 59, 59).expect("a valid time").assume_utc()
        }
        "months" => {
            let total = at.month() as i64 - 1 + months.max(1);
            let year = at.year() + (total / 12) as i32;
            let month = Month::try_from((total % 12 + 1) as u8).expect("1..=12");
            let day = at.day().min(time::util::days_in_month(month, year));
            Date::from_calendar_date(year, month, day)
                .expect("a valid date")
                .with_time(at.time())
                .assume_utc()
        }
        _ => Date::from_calendar_date(9999, Month::December, 31)
            .expect("a valid date")
            .midnight()
            .assume_utc(),
    }
}

/// A top-up bonus rule: paying at least `min_minor` adds `bonus_minor`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
pub struct BonusRule {
    pub min_minor: i64,
    pub bonus_minor: i64,
}

/// The bonus of a top-up: the largest bonus among the rules the amount reaches.
pub fn topup_bonus(amount_minor: i64, rules: &[BonusRule]) -> i64 {
    rules
        .iter()
        .filter(|r| amount_minor >= r.min_minor && r.bonus_minor > 0)
        .map(|r| r.bonus_minor)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn line(total: i64, discounted: bool, rate: &str) -> EarnLine {
        EarnLine {
            total_minor: total,
            discounted,
            earn_per_unit: rate.parse().unwrap(),
        }
    }

    #[test]
    fn earning_examples() {
        // 35.50 yuan at 1 point per yuan → 35 points.
        assert_eq!(points_earned(&[line(3550, false, "1")], false, 3550, 0), 35);
        // The discounted line earns nothing unless the tier says so.
        let lines = [line(1000, false, "1"), line(2000, true, "1")];
        assert_eq!(points_earned(&lines, false, 3000, 0), 10);
        assert_eq!(points_earned(&lines, true, 3000, 0), 30);
        // Half paid with points: half the points.
        assert_eq!(
            points_earned(&[line(2000, false, "1.5")], false, 2000, 1000),
            15
        );
        // A category excluded with a zero rate.
        assert_eq!(points_earned(&[line(5000, false, "0")], false, 5000, 0), 0);
    }

    #[test]
    fn redeeming_examples() {
        assert_eq!(points_for(500, 100), Some(500));
        assert_eq!(points_for(3, 50), None, "1.5 points is not a whole number");
        assert_eq!(points_for(4, 50), Some(2));
        assert_eq!(value_of(250, 100), 250);
        assert_eq!(value_of(3, 200), 1);
    }

    #[test]
    fn expiry_examples() {
        let at = datetime!(2026-03-15 10:00 UTC);
        assert_eq!(
            expires_at(at, "year_end", 0),
            datetime!(2027-12-31 23:59:59 UTC)
        );
        assert_eq!(
            expires_at(at, "months", 12),
            datetime!(2027-03-15 10:00 UTC)
        );
        let end = datetime!(2026-01-31 08:00 UTC);
        assert_eq!(
            expires_at(end, "months", 1),
            datetime!(2026-02-28 08:00 UTC)
        );
        assert!(expires_at(at, "never", 0).year() == 9999);
    }

    #[test]
    fn bonus_examples() {
        let rules = [
            BonusRule {
                min_minor: 50_000,
                bonus_minor: 3_000,
            },
            BonusRule {
                min_minor: 100_000,
                bonus_minor: 10_000,
            },
        ];
        assert_eq!(topup_bonus(100_000, &rules), 10_000);
        assert_eq!(topup_bonus(99_999, &rules), 3_000);
        assert_eq!(topup_bonus(1_000, &rules), 0);
    }

    proptest! {
        #[test]
        fn earning_is_bounded_and_paying_with_points_never_earns_more(
            totals in proptest::collection::vec((1i64..100_000, any::<bool>()), 1..20),
            rate in 0u32..300, paid in 0i64..200_000,
        ) {
            let rate = Decimal::new(rate as i64, 2);
            let lines: Vec<EarnLine> = totals.iter().map(|(t, d)| EarnLine { total_minor: *t, discounted: *d, earn_per_unit: rate }).collect();
            let total: i64 = totals.iter().map(|(t, _)| t).sum();
            let all = points_earned(&lines, true, total, 0);
            let some = points_earned(&lines, false, total, 0);
            let with_points = points_earned(&lines, true, total, paid.min(total));
            prop_assert!(some <= all && with_points <= all && with_points >= 0);
            // Never more than the rate allows on the whole total.
            prop_assert!(Decimal::from(all) <= Decimal::from(total) * rate / Decimal::from(100));
        }

        #[test]
        fn points_and_their_value_round_trip(points in 0i64..10_000_000, rate in prop::sample::select(vec![1i64, 10, 50, 100, 200])) {
            let v = value_of(points, rate);
            if let Some(p) = points_for(v, rate) {
                prop_assert!(p <= points);
            }
        }
    }
}
