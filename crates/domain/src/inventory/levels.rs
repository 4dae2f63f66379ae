//! Stock level arithmetic: status of a level, the moving-average cost, the over-delivery
//! tolerance and the reorder quantity. Quantities are in thousandths (`_milli`).

use crate::org::string_enum;

string_enum!(
    /// How a stock level stands against its reorder rule.
    StockStatus { Ok = "ok", Low = "low", Out = "out", Over = "over" }
);

/// `out` when nothing is available; `low` when available plus what is on its way is at or
/// below the reorder point; `over` when on hand exceeds the maximum; else `ok`.
pub fn stock_status(
    on_hand: i64,
    reserved: i64,
    in_transit: i64,
    reorder_point: Option<i64>,
    max: Option<i64>,
) -> StockStatus {
    let available = on_hand - reserved;
    if available <= 0 {
        StockStatus::Out
    } else if reorder_point.is_some_and(|rp| available + in_transit <= rp) {
        StockStatus::Low
    } else if max.is_some_and(|m| on_hand > m) {
        StockStatus::Over
    } else {
        StockStatus::Ok
    }
}

/// The moving-average unit cost after receiving `in_qty` at `in_cost` on top of `old_qty` held
/// at `old_cost` (half-up to the minor unit). Stock at or below zero carries no cost weight.
pub fn moving_average(old_qty: i64, old_cost: i64, in_qty: i64, in_cost: i64) -> i64 {
    if in_qty <= 0 {
        return old_cost;
    }
    let old_qty = old_qty.max(0) as i128;
    let total = old_qty * old_cost as i128 + in_qty as i128 * in_cost as i128;
    let qty = old_qty + in_qty as i128;
    ((2 * total + qty) / (2 * qty)) as i64
}

/// The most a purchase order line may receive in all: what was ordered plus 10 %.
pub fn over_receipt_limit(ordered: i64) -> i64 {
    ordered + (ordered + 9) / 10
}

/// What a reorder rule asks of one location and product.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReorderInput {
    pub available: i64,
    pub in_transit: i64,
    pub reorder_point: Option<i64>,
    pub reorder_qty: Option<i64>,
    pub max: Option<i64>,
    /// Average sales per day (thousandths).
    pub daily_sales: i64,
    pub lead_time_days: i64,
    /// Order in multiples of this (thousandths, > 0).
    pub pack: i64,
}

/// How much to order, in whole packs (0 = nothing). An order is due when the stock position
/// (available + in transit) is at or below the reorder point — or, without a reorder point,
/// when it does not cover the sales expected over the lead time. It then fills up to the
/// maximum if one is set, else to the reorder point plus the lead-time demand, and at least the
/// reorder quantity.
pub fn suggest_quantity(r: &ReorderInput) -> i64 {
    let position = r.available + r.in_transit;
    let lead_demand = r.daily_sales.max(0) * r.lead_time_days.max(0);
    let due = match r.reorder_point {
        Some(rp) => position <= rp,
        None => r.daily_sales > 0 && position <= lead_demand,
    };
    if !due {
        return 0;
    }
    let want = match r.max {
        Some(m) => m - position,
        None => {
            let floor = r.reorder_point.unwrap_or(lead_demand) + lead_demand - position;
            floor.max(r.reorder_qty.unwrap_or(0))
        }
    };
    let pack = r.pack.max(1);
    if want <= 0 {
        return 0;
    }
    (want + pack - 1) / pack * pack
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn status_of_a_level() {
        assert_eq!(stock_status(0, 0, 0, None, None), StockStatus::Out);
        assert_eq!(stock_status(5, 5, 0, None, None), StockStatus::Out);
        assert_eq!(stock_status(10, 0, 0, Some(10), None), StockStatus::Low);
        assert_eq!(stock_status(10, 0, 5, Some(10), None), StockStatus::Ok);
        assert_eq!(
            stock_status(301, 0, 0, Some(10), Some(300)),
            StockStatus::Over
        );
    }

    #[test]
    fn moving_average_examples() {
        // 10 at 3.00 + 10 at 4.00 → 3.50.
        assert_eq!(moving_average(10_000, 300, 10_000, 400), 350);
        // Nothing (or less) on hand: the new cost.
        assert_eq!(moving_average(-5_000, 300, 1_000, 420), 420);
        // 1 at 1 + 2 at 2 = 5/3 = 1.67 → 2 (half-up of 1.666…).
        assert_eq!(moving_average(1_000, 1, 2_000, 2), 2);
    }

    #[test]
    fn over_receipt_is_ten_percent() {
        assert_eq!(over_receipt_limit(24_000), 26_400);
        assert_eq!(over_receipt_limit(1), 2);
    }

    #[test]
    fn suggestion_examples() {
        let r = ReorderInput {
            available: 8_000,
            in_transit: 0,
            reorder_point: Some(10_000),
            reorder_qty: Some(24_000),
            daily_sales: 2_000,
            lead_time_days: 3,
            pack: 12_000,
            ..Default::default()
        };
        // 10 + 6 − 8 = 8 < 24 → 24, two packs of 12.
        assert_eq!(suggest_quantity(&r), 24_000);
        // Goods on their way lift the position above the reorder point: nothing.
        assert_eq!(
            suggest_quantity(&ReorderInput {
                in_transit: 3_000,
                ..r
            }),
            0
        );
        // A maximum fills up to it, in packs.
        let m = ReorderInput {
            max: Some(50_000),
            ..r
        };
        assert_eq!(suggest_quantity(&m), 48_000);
    }

    proptest! {
        #[test]
        fn moving_average_stays_between_the_two_costs(
            old_qty in 0i64..1_000_000_000, in_qty in 1i64..1_000_000_000,
            a in 0i64..1_000_000, b in 0i64..1_000_000,
        ) {
            let avg = moving_average(old_qty, a, in_qty, b);
            prop_assert!(avg >= a.min(b) && avg <= a.max(b));
        }

        #[test]
        fn a_suggestion_is_whole_packs_and_lifts_the_position_to_the_point(
            available in -50_000i64..200_000, in_transit in 0i64..50_000,
            rp in proptest::option::of(0i64..100_000), rq in proptest::option::of(0i64..100_000),
            max_extra in proptest::option::of(0i64..200_000),
            daily in 0i64..20_000, lead in 0i64..30, pack in 1i64..24_000,
        ) {
            let max = match (rp, max_extra) { (Some(p), Some(e)) => Some(p + e), _ => None };
            let r = ReorderInput { available, in_transit, reorder_point: rp, reorder_qty: rq, max,
                daily_sales: daily, lead_time_days: lead, pack };
            let q = suggest_quantity(&r);
            prop_assert!(q >= 0);
            prop_assert_eq!(q % pack, 0);
            if let Some(p) = rp {
                if available + in_transit > p { prop_assert_eq!(q, 0); }
                else if q > 0 { prop_assert!(available + in_transit + q >= p); }
            }
        }
    }
}
