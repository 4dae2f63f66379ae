//! What returning part of a sold line gives back. The refund is the line's proportion of what
//! was paid for it; the last unit returned takes exactly what is left, so a line returned in
//! several steps refunds exactly what it cost, never a fen more or less.

use crate::org::RoundingRule;
use rust_decimal::Decimal;

/// The amounts a return of some quantity of a line refunds (positive figures).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnShare {
    pub gross_minor: i64,
    pub discount_minor: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// The share of `sold` (a line's positive figures, for `sold_qty`) that returning `qty` gives
/// back, given what earlier returns of the line already gave back (`returned_qty`,
/// `refunded`). `None` when `qty` is more than is left.
pub fn return_share(
    sold_qty: Decimal,
    sold: &ReturnShare,
    returned_qty: Decimal,
    refunded: &ReturnShare,
    qty: Decimal,
    rule: RoundingRule,
) -> Option<ReturnShare> {
    let left = sold_qty - returned_qty;
    if qty <= Decimal::ZERO || qty > left {
        return None;
    }
    if qty == left {
        return Some(ReturnShare {
            gross_minor: sold.gross_minor - refunded.gross_minor,
            discount_minor: sold.discount_minor - refunded.discount_minor,
            net_minor: sold.net_minor - refunded.net_minor,
            tax_minor: sold.tax_minor - refunded.tax_minor,
            total_minor: sold.total_minor - refunded.total_minor,
        });
    }
    let part = |v: i64| super::round_minor(Decimal::from(v) * qty / sold_qty, rule);
    let gross = part(sold.gross_minor)?;
    let net = part(sold.net_minor)?;
    let tax = part(sold.tax_minor)?;
    // Inclusive: total = net; exclusive: total = net + tax — keep that identity in the share.
    let total = net + part(sold.total_minor - sold.net_minor)?;
    Some(ReturnShare {
        gross_minor: gross,
        discount_minor: gross - net,
        net_minor: net,
        tax_minor: tax,
        total_minor: total,
    })
}
