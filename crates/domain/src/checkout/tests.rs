use super::*;
use proptest::prelude::*;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn line(price: i64, qty: &str, rate: &str) -> LineInput {
    LineInput {
        unit_price_minor: price,
        quantity: d(qty),
        max_decimals: 3,
        discount: None,
        tax_rate: d(rate),
    }
}

fn cart(lines: Vec<LineInput>, order: Option<Discount>, mode: TaxMode) -> CartInput {
    CartInput {
        lines,
        order_discount: order,
        tax_mode: mode,
        rounding: RoundingRule::HalfUp,
    }
}

#[test]
fn weighed_line_rounds_half_up_and_inclusive_tax_is_taken_out() {
    // 0.532 kg × 39.80 = 21.1736 → 21.17; VAT 9 % inside: 21.17 − round(21.17/1.09 = 19.42) = 1.75
    let c = price_cart(&cart(
        vec![line(3980, "0.532", "0.09")],
        None,
        TaxMode::Inclusive,
    ))
    .unwrap();
    assert_eq!(c.lines[0].gross_minor, 2117);
    assert_eq!(c.lines[0].tax_minor, 175);
    assert_eq!(c.total_minor, 2117);
}

#[test]
fn exclusive_tax_is_added() {
    let c = price_cart(&cart(
        vec![line(1000, "3", "0.0825")],
        None,
        TaxMode::Exclusive,
    ))
    .unwrap();
    assert_eq!(c.lines[0].tax_minor, 248); // 30.00 × 8.25 % = 2.475 → 2.48
    assert_eq!(c.total_minor, 3248);
}

#[test]
fn order_discount_is_allocated_to_the_fen() {
    // three lines of 1.00, 10 fen off: 4/3/3
    let c = price_cart(&cart(
        vec![
            line(100, "1", "0.13"),
            line(100, "1", "0.13"),
            line(100, "1", "0.13"),
        ],
        Some(Discount::Amount(10)),
        TaxMode::Inclusive,
    ))
    .unwrap();
    let shares: Vec<i64> = c.lines.iter().map(|l| l.order_discount_minor).collect();
    assert_eq!(shares, vec![4, 3, 3]);
    assert_eq!(c.total_minor, 290);
    assert_eq!(c.discount_minor, 10);
}

#[test]
fn bad_lines_name_their_path() {
    let mut l = line(100, "0", "0.13");
    let e = price_cart(&cart(
        vec![line(1, "1", "0"), l.clone()],
        None,
        TaxMode::Inclusive,
    ))
    .unwrap_err();
    assert_eq!(e.field, "/lines/1/quantity");
    l.quantity = d("1.5");
    l.max_decimals = 0;
    let e = price_cart(&cart(vec![l], None, TaxMode::Inclusive)).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.code),
        ("/lines/0/quantity", "invalid_format")
    );
    let mut l = line(100, "1", "0.13");
    l.discount = Some(Discount::Amount(101));
    let e = price_cart(&cart(vec![l], None, TaxMode::Inclusive)).unwrap_err();
    assert_eq!(e.field, "/lines/0/discount");
    let e = price_cart(&cart(
        vec![line(100, "1", "0.13")],
        Some(Discount::Percent(d("100.5"))),
        TaxMode::Inclusive,
    ))
    .unwrap_err();
    assert_eq!(e.field, "/order_discount");
}

#[test]
fn cash_rounding_of_the_cash_part() {
    assert_eq!(cash_rounding(1234, 0, 10, true), -4);
    assert_eq!(cash_rounding(1235, 0, 10, true), 5);
    assert_eq!(cash_rounding(1234, 0, 10, false), 0);
    // card pays 10.00, cash the 2.34 → 2.30
    assert_eq!(cash_rounding(1234, 1000, 10, true), -4);
    assert_eq!(cash_rounding(1234, 0, 1, true), 0);
}

#[test]
fn returning_a_line_in_steps_refunds_exactly_what_it_cost() {
    let sold = ReturnShare {
        gross_minor: 1000,
        discount_minor: 1,
        net_minor: 999,
        tax_minor: 115,
        total_minor: 999,
    };
    let zero = ReturnShare {
        gross_minor: 0,
        discount_minor: 0,
        net_minor: 0,
        tax_minor: 0,
        total_minor: 0,
    };
    let rule = RoundingRule::HalfUp;
    let first = return_share(d("3"), &sold, d("0"), &zero, d("1"), rule).unwrap();
    assert_eq!(first.net_minor, 333);
    let second = return_share(d("3"), &sold, d("1"), &first, d("2"), rule).unwrap();
    assert_eq!(first.net_minor + second.net_minor, 999);
    assert_eq!(first.tax_minor + second.tax_minor, 115);
    let both = ReturnShare {
        gross_minor: first.gross_minor + second.gross_minor,
        discount_minor: first.discount_minor + second.discount_minor,
        net_minor: 999,
        tax_minor: 115,
        total_minor: 999,
    };
    assert!(return_share(d("3"), &sold, d("3"), &both, d("1"), rule).is_none());
    assert!(return_share(d("3"), &sold, d("0"), &zero, d("4"), rule).is_none());
}

fn arb_discount() -> impl Strategy<Value = Option<Discount>> {
    prop_oneof![
        Just(None),
        (0u32..=100).prop_map(|p| Some(Discount::Percent(Decimal::from(p)))),
        (0i64..500).prop_map(|a| Some(Discount::Amount(a))),
    ]
}

fn arb_line() -> impl Strategy<Value = LineInput> {
    (
        0i64..100_000,
        1i64..20_000,
        prop_oneof![Just("0"), Just("0.06"), Just("0.09"), Just("0.13")],
        arb_discount(),
    )
        .prop_map(|(price, milli, rate, discount)| {
            let mut l = line(price, "1", rate);
            l.quantity = Decimal::new(milli, 3);
            // an amount discount larger than the line is refused: keep it within
            l.discount = match discount {
                Some(Discount::Amount(a)) => {
                    let gross =
                        round_minor(Decimal::from(price) * l.quantity, RoundingRule::HalfUp)
                            .unwrap();
                    Some(Discount::Amount(a.min(gross)))
                }
                other => other,
            };
            l
        })
}

proptest! {
    #[test]
    fn lines_always_sum_to_the_total(
        lines in proptest::collection::vec(arb_line(), 1..15),
        order in prop_oneof![Just(None), (0u32..=100).prop_map(|p| Some(Discount::Percent(Decimal::from(p))))],
        inclusive in any::<bool>(),
    ) {
        let mode = if inclusive { TaxMode::Inclusive } else { TaxMode::Exclusive };
        let c = price_cart(&cart(lines, order, mode)).unwrap();
        prop_assert_eq!(c.lines.iter().map(|l| l.total_minor).sum::<i64>(), c.total_minor);
        prop_assert_eq!(c.subtotal_minor - c.discount_minor
            + if inclusive { 0 } else { c.tax_minor }, c.total_minor);
        for l in &c.lines {
            prop_assert!(l.net_minor >= 0, "no line goes below zero");
            prop_assert!(l.tax_minor >= 0 && (!inclusive || l.tax_minor <= l.net_minor));
            prop_assert_eq!(l.gross_minor - l.line_discount_minor - l.order_discount_minor, l.net_minor);
        }
    }

    #[test]
    fn allocation_is_exact_and_bounded(amount_frac in 0u32..=100, weights in proptest::collection::vec(0i64..100_000, 1..20)) {
        let total: i64 = weights.iter().sum();
        let amount = total * amount_frac as i64 / 100;
        let shares = allocate(amount, &weights);
        prop_assert_eq!(shares.iter().sum::<i64>(), amount);
        for (s, w) in shares.iter().zip(&weights) {
            prop_assert!(*s >= 0 && *s <= *w);
        }
    }

    #[test]
    fn inclusive_and_exclusive_round_trip(net in 0i64..10_000_000, rate in prop_oneof![Just("0.06"), Just("0.09"), Just("0.13")]) {
        // A tax-exclusive price plus its tax, read back as an inclusive price, contains the
        // same tax within one fen.
        let rate = d(rate);
        let tax = tax_of(net, rate, TaxMode::Exclusive, RoundingRule::HalfUp).unwrap();
        let back = tax_of(net + tax, rate, TaxMode::Inclusive, RoundingRule::HalfUp).unwrap();
        prop_assert!((back - tax).abs() <= 1, "net {} tax {} back {}", net, tax, back);
    }

    #[test]
    fn cash_rounding_stays_within_half_a_step(total in 0i64..10_000_000, step in prop_oneof![Just(10i64), Just(100)]) {
        let r = cash_rounding(total, 0, step, true);
        prop_assert_eq!((total + r).rem_euclid(step), 0);
        prop_assert!(r.abs() * 2 <= step);
    }

    #[test]
    fn returns_in_any_steps_refund_exactly_the_line(
        sold_qty in 1i64..50,
        net in 0i64..1_000_000,
        steps in proptest::collection::vec(1i64..10, 1..10),
    ) {
        let sold = ReturnShare { gross_minor: net + 7, discount_minor: 7, net_minor: net, tax_minor: net / 10, total_minor: net };
        let mut refunded = ReturnShare { gross_minor: 0, discount_minor: 0, net_minor: 0, tax_minor: 0, total_minor: 0 };
        let mut returned = 0i64;
        for s in steps {
            let q = s.min(sold_qty - returned);
            if q == 0 { break; }
            let r = return_share(Decimal::from(sold_qty), &sold, Decimal::from(returned), &refunded, Decimal::from(q), RoundingRule::HalfUp).unwrap();
            refunded.gross_minor += r.gross_minor;
            refunded.discount_minor += r.discount_minor;
            refunded.net_minor += r.net_minor;
            refunded.tax_minor += r.tax_minor;
            refunded.total_minor += r.total_minor;
            returned += q;
            prop_assert!(refunded.net_minor <= sold.net_minor);
        }
        if returned == sold_qty {
            prop_assert_eq!(refunded, sold);
        }
    }
}
