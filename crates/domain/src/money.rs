//! Money as integer minor units with its currency — never floats, never an amount without a
//! currency. Arithmetic is checked: an overflow or a currency mix is an error, not a wrong
//! total on a receipt.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency with the number of digits of its minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// The currencies Salepoint knows, with their minor-unit exponents (ISO 4217).
const CURRENCIES: &[(&str, u8)] = &[
    ("CNY", 2),
    ("HKD", 2),
    ("MOP", 2),
    ("TWD", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("SGD", 2),
    ("MYR", 2),
    ("THB", 2),
    ("VND", 0),
    ("IDR", 2),
    ("PHP", 2),
    ("INR", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("AED", 2),
    ("SAR", 2),
    ("KWD", 3),
    ("BHD", 3),
    ("OMR", 3),
    ("JOD", 3),
    ("RUB", 2),
    ("BRL", 2),
    ("MXN", 2),
    ("ZAR", 2),
    ("KZT", 2),
    ("MNT", 2),
];

impl Currency {
    /// Looks up an ISO 4217 code (upper case, e.g. `CNY`).
    pub fn from_code(code: &str) -> Option<Currency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, e)| Currency {
                code: c.as_bytes().try_into().expect("three letters"),
                exponent: *e,
            })
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("ascii")
    }

    /// Digits after the decimal point (2 for CNY: 1 yuan = 100 fen).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

/// Why a money operation failed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currencies differ: {0} and {1}")]
    CurrencyMismatch(String, String),
    #[error("amount out of range")]
    Overflow,
}

/// An amount in minor units (fen for CNY) of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code().to_string(),
                other.currency.code().to_string(),
            ))
        }
    }

    /// `self + other`, same currency, no overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// `self - other`, same currency, no overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// Rounds to a multiple of `step` minor units (e.g. 10 fen for 抹零 to 0.1 yuan), half up
    /// (away from zero). Returns the rounded amount; the difference is the rounding line.
    pub fn round_to_step(self, step: i64) -> Result<Money, MoneyError> {
        let minor = round_minor_to_step(self.minor, step).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }
}

/// Rounds `minor` to a multiple of `step`, half away from zero; `None` on overflow. A step of
/// 1 or less leaves the amount as it is.
pub fn round_minor_to_step(minor: i64, step: i64) -> Option<i64> {
    if step <= 1 {
        return Some(minor);
    }
    let rem = minor.rem_euclid(step);
    let down = minor - rem;
    let half_up = if minor >= 0 {
        rem * 2 >= step
    } else {
        rem * 2 > step
    };
    if half_up {
        down.checked_add(step)
    } else {
        Some(down)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent() as u32;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return write!(f, "{sign}{abs} {}", self.currency.code());
        }
        let div = 10u64.pow(exp);
        write!(
            f,
            "{sign}{}.{:0width$} {}",
            abs / div,
            abs % div,
            self.currency.code(),
            width = exp as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny(minor: i64) -> Money {
        Money::new(minor, Currency::from_code("CNY").unwrap())
    }

    #[test]
    fn formats_minor_units() {
        assert_eq!(cny(12345).to_string(), "123.45 CNY");
        assert_eq!(cny(-5).to_string(), "-0.05 CNY");
        let jpy = Money::new(500, Currency::from_code("JPY").unwrap());
        assert_eq!(jpy.to_string(), "500 JPY");
    }

    #[test]
    fn refuses_currency_mix_and_overflow() {
        let usd = Money::new(1, Currency::from_code("USD").unwrap());
        assert!(matches!(
            cny(1).checked_add(usd),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(cny(i64::MAX).checked_add(cny(1)), Err(MoneyError::Overflow));
    }

    #[test]
    fn cash_rounding_to_ten_fen() {
        assert_eq!(cny(1234).round_to_step(10).unwrap(), cny(1230));
        assert_eq!(cny(1235).round_to_step(10).unwrap(), cny(1240));
        assert_eq!(cny(-1235).round_to_step(10).unwrap(), cny(-1240));
        assert_eq!(cny(-1234).round_to_step(10).unwrap(), cny(-1230));
        assert_eq!(cny(1299).round_to_step(100).unwrap(), cny(1300));
    }

    #[test]
    fn unknown_currency() {
        assert!(Currency::from_code("XXX").is_none());
        assert!(Currency::from_code("cny").is_none());
    }

    proptest! {
        #[test]
        fn rounding_stays_within_half_a_step(minor in -1_000_000_000i64..1_000_000_000, step in 1i64..1000) {
            let r = cny(minor).round_to_step(step).unwrap();
            prop_assert_eq!(r.minor.rem_euclid(step.max(1)), 0);
            prop_assert!((r.minor - minor).abs() * 2 <= step);
        }

        #[test]
        fn add_then_sub_is_identity(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(cny(a).checked_add(cny(b)).unwrap().checked_sub(cny(b)).unwrap(), cny(a));
        }
    }
}
