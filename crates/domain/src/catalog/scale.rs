//! In-store scale labels. Supermarket scales print an EAN-13 that carries the item's PLU and
//! either the weight or the price, e.g. `2 PPPPP VVVVV C` or `21 PPPPP VVVV C`: a flag prefix,
//! the PLU, the value and the GS1 check digit. The format is configured per company.

use super::barcode::{has_valid_check_digit, with_check_digit};
use crate::org::string_enum;

string_enum!(
    /// What the value digits of a scale label hold.
    ScaleValueKind {
        /// Weight in grams.
        Weight = "weight",
        /// Price in minor units (fen).
        Price = "price",
    }
);

/// A scale label format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleFormat {
    /// Leading digits that mark a scale label, e.g. `2` or `21`.
    pub prefix: String,
    pub plu_digits: usize,
    pub value_kind: ScaleValueKind,
    pub value_digits: usize,
}

/// What a scale label says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleReading {
    pub plu: String,
    pub kind: ScaleValueKind,
    /// Grams or minor units.
    pub value: i64,
}

impl ScaleFormat {
    /// Checks the format: digits-only prefix, and prefix + PLU + value = 12 digits (plus the
    /// check digit makes an EAN-13).
    pub fn validate(&self) -> Result<(), String> {
        if self.prefix.is_empty()
            || self.prefix.len() > 3
            || !self.prefix.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("the prefix is 1 to 3 digits".into());
        }
        if !(3..=6).contains(&self.plu_digits) || !(4..=6).contains(&self.value_digits) {
            return Err("PLU has 3 to 6 digits and the value 4 to 6".into());
        }
        if self.prefix.len() + self.plu_digits + self.value_digits != 12 {
            return Err(format!(
                "prefix ({}) + PLU ({}) + value ({}) digits must be 12 (the 13th is the check digit)",
                self.prefix.len(),
                self.plu_digits,
                self.value_digits
            ));
        }
        Ok(())
    }

    /// Reads `code` if it is a label of this format with a valid check digit.
    pub fn parse(&self, code: &str) -> Option<ScaleReading> {
        if code.len() != 13 || !code.starts_with(&self.prefix) || !has_valid_check_digit(code) {
            return None;
        }
        let p = self.prefix.len();
        let plu = &code[p..p + self.plu_digits];
        let value = code[p + self.plu_digits..12].parse().ok()?;
        Some(ScaleReading {
            plu: plu.to_string(),
            kind: self.value_kind,
            value,
        })
    }

    /// Prints a label (what the scale does), if the PLU and value fit.
    pub fn encode(&self, plu: &str, value: i64) -> Option<String> {
        let plu_num: u64 = plu.parse().ok()?;
        if plu.len() > self.plu_digits || value < 0 || value >= 10i64.pow(self.value_digits as u32)
        {
            return None;
        }
        let body = format!(
            "{}{:0pw$}{:0vw$}",
            self.prefix,
            plu_num,
            value,
            pw = self.plu_digits,
            vw = self.value_digits
        );
        Some(with_check_digit(&body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weight() -> ScaleFormat {
        ScaleFormat {
            prefix: "2".into(),
            plu_digits: 5,
            value_kind: ScaleValueKind::Weight,
            value_digits: 6,
        }
    }

    #[test]
    fn reads_a_weight_label() {
        let f = weight();
        let code = f.encode("10023", 1234).unwrap();
        assert_eq!(code.len(), 13);
        let r = f.parse(&code).unwrap();
        assert_eq!(r.plu, "10023");
        assert_eq!(r.value, 1234);
        // A product barcode starting with 6 is not a label.
        assert_eq!(f.parse("6901939621608"), None);
        // A misread digit fails the check.
        let mut bad = code.clone().into_bytes();
        bad[8] = if bad[8] == b'9' { b'0' } else { bad[8] + 1 };
        assert_eq!(f.parse(std::str::from_utf8(&bad).unwrap()), None);
    }

    #[test]
    fn format_rules() {
        assert!(weight().validate().is_ok());
        let mut f = weight();
        f.value_digits = 4;
        assert!(f.validate().unwrap_err().contains("must be 12"));
        f.prefix = "x".into();
        assert!(f.validate().is_err());
    }

    proptest! {
        #[test]
        fn encode_then_parse(plu in 0u32..100_000, value in 0i64..1_000_000) {
            let f = weight();
            let plu = format!("{plu:05}");
            let code = f.encode(&plu, value).unwrap();
            let r = f.parse(&code).unwrap();
            prop_assert_eq!(r.plu, plu);
            prop_assert_eq!(r.value, value);
        }
    }
}
