//! Catalog rules: barcodes and their check digits, scale labels, search keys (pinyin), and the
//! closed sets of product settings.

pub mod barcode;
pub mod scale;
pub mod search_key;

use crate::org::string_enum;
use rust_decimal::Decimal;
use std::str::FromStr;

string_enum!(
    /// The unit a product is sold in.
    Unit {
        Piece = "piece", Box = "box", Pack = "pack", Bottle = "bottle", Can = "can", Bag = "bag",
        Kg = "kg", G = "g", Litre = "litre", Ml = "ml", Metre = "metre",
    }
);

string_enum!(
    /// Whether a product is sold.
    ProductStatus { Active = "active", Discontinued = "discontinued" }
);

impl Unit {
    /// Units that are weighed or measured rather than counted.
    pub fn is_measured(&self) -> bool {
        matches!(
            self,
            Unit::Kg | Unit::G | Unit::Litre | Unit::Ml | Unit::Metre
        )
    }
}

/// Parses a tax rate written as a decimal fraction (`0.13` for 13 %): 0 ≤ rate < 1, at most
/// four decimals.
pub fn parse_tax_rate(text: &str) -> Result<Decimal, &'static str> {
    let d = Decimal::from_str(text.trim()).map_err(|_| "a decimal fraction such as 0.13")?;
    if d.is_sign_negative() || d >= Decimal::ONE {
        return Err("from 0 up to (not including) 1, e.g. 0.13 for 13 %");
    }
    if d.scale() > 4 {
        return Err("at most four decimals");
    }
    Ok(d.normalize())
}

/// Parses an amount written in major units (`3.50` yuan) into minor units (350 fen) for a
/// currency with `exponent` minor digits; refuses more decimals than the currency has and
/// negative amounts.
pub fn parse_major_amount(text: &str, exponent: u8) -> Result<i64, &'static str> {
    let t = text.trim().trim_start_matches(['¥', '￥']).replace(',', "");
    let d = Decimal::from_str(&t).map_err(|_| "an amount such as 3.50")?;
    if d.is_sign_negative() {
        return Err("must not be negative");
    }
    if d.scale() > exponent as u32 {
        return Err("more decimals than the currency has");
    }
    let minor = d * Decimal::from(10i64.pow(exponent as u32));
    i64::try_from(minor.trunc()).map_err(|_| "too large")
}

/// Formats minor units as a major-unit decimal (`350` → `3.50`).
pub fn format_major_amount(minor: i64, exponent: u8) -> String {
    Decimal::new(minor, exponent as u32).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tax_rates() {
        assert_eq!(parse_tax_rate("0.13").unwrap().to_string(), "0.13");
        assert_eq!(parse_tax_rate("0").unwrap().to_string(), "0");
        assert!(parse_tax_rate("1").is_err());
        assert!(parse_tax_rate("-0.1").is_err());
        assert!(parse_tax_rate("13%").is_err());
        assert!(parse_tax_rate("0.12345").is_err());
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_major_amount("3.50", 2), Ok(350));
        assert_eq!(parse_major_amount("￥1,299", 2), Ok(129900));
        assert_eq!(
            parse_major_amount("0.005", 2),
            Err("more decimals than the currency has")
        );
        assert_eq!(parse_major_amount("-1", 2), Err("must not be negative"));
        assert_eq!(format_major_amount(350, 2), "3.50");
    }

    proptest! {
        #[test]
        fn amounts_round_trip(minor in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_major_amount(&format_major_amount(minor, 2), 2), Ok(minor));
        }
    }
}
