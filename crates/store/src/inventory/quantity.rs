//! Quantities of stock documents: decimal text in, thousandths inside, decimal text out.

use crate::orders::model::{DecimalText, to_milli};
use salepoint_domain::validation::Validator;

pub use crate::orders::model::from_milli;

/// `Some(text)` of an optional stored quantity.
pub fn opt_text(m: Option<i64>) -> Option<String> {
    m.map(from_milli)
}

/// Parses a quantity that must be positive (3 decimals at most); records an error at `field`.
pub fn positive(v: &mut Validator, field: &str, q: &DecimalText) -> i64 {
    match q.parse().and_then(to_milli) {
        Some(m) if m > 0 && q.parse().is_some_and(|d| d.scale() <= 3) => m,
        Some(_) => {
            v.add(
                field,
                "out_of_range",
                "must be more than zero, with at most 3 decimals",
            );
            0
        }
        None => {
            v.add(field, "invalid_value", "a decimal number");
            0
        }
    }
}

/// Parses a quantity that may be zero but not negative.
pub fn non_negative(v: &mut Validator, field: &str, q: &DecimalText) -> i64 {
    match q.parse().and_then(to_milli) {
        Some(m) if m >= 0 && q.parse().is_some_and(|d| d.scale() <= 3) => m,
        Some(_) => {
            v.add(
                field,
                "out_of_range",
                "must not be negative, with at most 3 decimals",
            );
            0
        }
        None => {
            v.add(field, "invalid_value", "a decimal number");
            0
        }
    }
}

/// Parses a signed, non-zero quantity.
pub fn non_zero(v: &mut Validator, field: &str, q: &DecimalText) -> i64 {
    match q.parse().and_then(to_milli) {
        Some(m) if m != 0 && q.parse().is_some_and(|d| d.scale() <= 3) => m,
        Some(_) => {
            v.add(
                field,
                "out_of_range",
                "must not be zero, with at most 3 decimals",
            );
            0
        }
        None => {
            v.add(field, "invalid_value", "a decimal number");
            0
        }
    }
}
