//! Pricing a cart: the one engine the server uses to price every sale and return, and whose
//! rules the register mirrors to show totals before it sends a sale (docs/register.md).
//!
//! 1. line gross = unit price × quantity, rounded to the minor unit;
//! 2. a line discount (percent of gross, or an amount up to it);
//! 3. an order discount (percent or amount of what the lines come to after their discounts),
//!    allocated across the lines in proportion (largest remainder), so the lines always sum
//!    exactly to the total — the receipt, the invoice and the ledgers read the same figures;
//! 4. tax per line, inclusive (China: taken out of the price) or exclusive (added on top);
//! 5. cash rounding (抹零) of the cash part, see [`cash_rounding`].

mod allocate;
mod returns;
#[cfg(test)]
mod tests;

pub use allocate::allocate;
pub use returns::{ReturnShare, return_share};

use crate::org::{RoundingRule, TaxMode};
use rust_decimal::{Decimal, RoundingStrategy};

/// A discount as the register claims it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discount {
    /// Percent of the base, `0..=100`.
    Percent(Decimal),
    /// An amount in minor units, `0..=base`.
    Amount(i64),
}

/// One line to price.
#[derive(Clone, Debug, PartialEq)]
pub struct LineInput {
    /// Price per unit (per kg for weighed goods), in the catalog's tax basis.
    pub unit_price_minor: i64,
    /// Quantity sold (positive), at most `max_decimals` decimals.
    pub quantity: Decimal,
    /// Decimals the product's unit allows (0 for pieces, 3 for kg).
    pub max_decimals: u32,
    pub discount: Option<Discount>,
    /// VAT rate, e.g. `0.13`.
    pub tax_rate: Decimal,
}

/// A cart to price.
#[derive(Clone, Debug, PartialEq)]
pub struct CartInput {
    pub lines: Vec<LineInput>,
    pub order_discount: Option<Discount>,
    pub tax_mode: TaxMode,
    pub rounding: RoundingRule,
}

/// One priced line. `total_minor` is what the customer pays for it, tax included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub gross_minor: i64,
    pub line_discount_minor: i64,
    pub order_discount_minor: i64,
    /// Gross less both discounts, in the catalog's tax basis.
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// A priced cart; every figure is the sum of its lines'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// Why a cart cannot be priced: the JSON pointer of the offending field and a reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PricingError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

fn err(field: String, code: &'static str, message: impl Into<String>) -> PricingError {
    PricingError {
        field,
        code,
        message: message.into(),
    }
}

/// Rounds to whole minor units by the company's rule (half away from zero, or half to even).
pub fn round_minor(value: Decimal, rule: RoundingRule) -> Option<i64> {
    let strategy = match rule {
        RoundingRule::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingRule::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    i64::try_from(value.round_dp_with_strategy(0, strategy)).ok()
}

/// The amount a discount takes off `base` (rounded), checked against its bounds.
fn discount_amount(
    d: &Discount,
    base: i64,
    rule: RoundingRule,
    field: String,
) -> Result<i64, PricingError> {
    match *d {
        Discount::Percent(p) => {
            if p.is_sign_negative() || p > Decimal::ONE_HUNDRED {
                return Err(err(field, "out_of_range", "a percent between 0 and 100"));
            }
            round_minor(Decimal::from(base) * p / Decimal::ONE_HUNDRED, rule)
                .ok_or_else(|| err(field, "out_of_range", "amount out of range"))
        }
        Discount::Amount(a) if a < 0 || a > base => Err(err(
            field,
            "out_of_range",
            format!("an amount between 0 and {base}"),
        )),
        Discount::Amount(a) => Ok(a),
    }
}

/// The discount as a percent of `base` (for limit checks); 0 when the base is 0.
pub fn percent_of(amount_minor: i64, base_minor: i64) -> Decimal {
    if base_minor == 0 {
        return Decimal::ZERO;
    }
    Decimal::from(amount_minor) * Decimal::ONE_HUNDRED / Decimal::from(base_minor)
}

/// Tax contained in (inclusive) or added to (exclusive) a net amount.
pub fn tax_of(net_minor: i64, rate: Decimal, mode: TaxMode, rule: RoundingRule) -> Option<i64> {
    let net = Decimal::from(net_minor);
    match mode {
        TaxMode::Inclusive => {
            let ex = round_minor(net / (Decimal::ONE + rate), rule)?;
            net_minor.checked_sub(ex)
        }
        TaxMode::Exclusive => round_minor(net * rate, rule),
    }
}

/// Prices a cart. Errors name the line (`/lines/2/quantity`) or `/order_discount`.
pub fn price_cart(cart: &CartInput) -> Result<PricedCart, PricingError> {
    let rule = cart.rounding;
    let mut gross = Vec::with_capacity(cart.lines.len());
    let mut line_disc = Vec::with_capacity(cart.lines.len());
    for (i, l) in cart.lines.iter().enumerate() {
        if l.quantity <= Decimal::ZERO {
            return Err(err(
                format!("/lines/{i}/quantity"),
                "out_of_range",
                "the quantity must be positive",
            ));
        }
        if l.quantity.normalize().scale() > l.max_decimals {
            return Err(err(
                format!("/lines/{i}/quantity"),
                "invalid_format",
                format!("at most {} decimals for this product", l.max_decimals),
            ));
        }
        if l.unit_price_minor < 0 || l.tax_rate.is_sign_negative() {
            return Err(err(
                format!("/lines/{i}/unit_price_minor"),
                "out_of_range",
                "must not be negative",
            ));
        }
        let g =
            round_minor(Decimal::from(l.unit_price_minor) * l.quantity, rule).ok_or_else(|| {
                err(
                    format!("/lines/{i}/quantity"),
                    "out_of_range",
                    "amount out of range",
                )
            })?;
        let d = match &l.discount {
            Some(d) => discount_amount(d, g, rule, format!("/lines/{i}/discount"))?,
            None => 0,
        };
        gross.push(g);
        line_disc.push(d);
    }
    let after_line: Vec<i64> = gross.iter().zip(&line_disc).map(|(g, d)| g - d).collect();
    let base: i64 = after_line.iter().sum();
    let order = match &cart.order_discount {
        Some(d) => discount_amount(d, base, rule, "/order_discount".into())?,
        None => 0,
    };
    let shares = allocate(order, &after_line);
    let mut lines = Vec::with_capacity(cart.lines.len());
    for (i, l) in cart.lines.iter().enumerate() {
        let net = after_line[i] - shares[i];
        let tax = tax_of(net, l.tax_rate, cart.tax_mode, rule).ok_or_else(|| {
            err(
                format!("/lines/{i}/quantity"),
                "out_of_range",
                "amount out of range",
            )
        })?;
        let total = match cart.tax_mode {
            TaxMode::Inclusive => net,
            TaxMode::Exclusive => net + tax,
        };
        lines.push(PricedLine {
            gross_minor: gross[i],
            line_discount_minor: line_disc[i],
            order_discount_minor: shares[i],
            net_minor: net,
            tax_minor: tax,
            total_minor: total,
        });
    }
    Ok(PricedCart {
        subtotal_minor: lines.iter().map(|l| l.gross_minor).sum(),
        discount_minor: lines
            .iter()
            .map(|l| l.line_discount_minor + l.order_discount_minor)
            .sum(),
        tax_minor: lines.iter().map(|l| l.tax_minor).sum(),
        total_minor: lines.iter().map(|l| l.total_minor).sum(),
        lines,
    })
}

/// Cash rounding (抹零): the cash part of a payment (`total − non-cash tenders`) is rounded half
/// up to `step` minor units. Returns the rounding (rounded − exact), the receipt's rounding
/// line; `0` when no cash is used or the step is 1.
pub fn cash_rounding(total_minor: i64, non_cash_minor: i64, step: i64, uses_cash: bool) -> i64 {
    if !uses_cash {
        return 0;
    }
    let cash = total_minor - non_cash_minor;
    crate::money::round_minor_to_step(cash, step).map_or(0, |rounded| rounded - cash)
}
