//! Retail barcodes: EAN-13, EAN-8 and UPC-A carry a check digit (GS1 mod-10), so a mistyped or
//! misread code is caught before it reaches the catalog. Internal codes (store-made labels)
//! carry none and must be marked as such.

use crate::org::string_enum;

string_enum!(
    /// The symbology of a barcode.
    BarcodeKind { Ean13 = "ean13", Ean8 = "ean8", UpcA = "upca", Internal = "internal" }
);

/// The GS1 check digit for the `digits` that precede it.
pub fn check_digit(digits: &[u8]) -> u8 {
    // Weights 3,1,3,1… from the rightmost digit before the check digit.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| *d as u32 * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Appends the check digit to `body` (e.g. 12 digits → an EAN-13).
pub fn with_check_digit(body: &str) -> String {
    let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    format!("{body}{}", check_digit(&digits))
}

/// Whether the last digit of an all-digit `code` is its check digit.
pub fn has_valid_check_digit(code: &str) -> bool {
    if code.len() < 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    let (body, check) = digits.split_at(digits.len() - 1);
    check_digit(body) == check[0]
}

/// Validates `code`; `internal` marks a store-made code without a check digit. Returns the
/// kind or a message saying what is wrong.
pub fn validate(code: &str, internal: bool) -> Result<BarcodeKind, String> {
    if internal {
        let ok = (1..=32).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        return if ok {
            Ok(BarcodeKind::Internal)
        } else {
            Err("internal codes are 1 to 32 letters, digits, '-' or '_'".into())
        };
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err("EAN and UPC codes are digits only; mark store-made codes as internal".into());
    }
    let kind = match code.len() {
        13 => BarcodeKind::Ean13,
        12 => BarcodeKind::UpcA,
        8 => BarcodeKind::Ean8,
        n => {
            return Err(format!(
                "{n} digits: EAN-13 has 13, UPC-A 12, EAN-8 8; mark other codes as internal"
            ));
        }
    };
    if !has_valid_check_digit(code) {
        let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
        let expected = check_digit(&digits[..digits.len() - 1]);
        return Err(format!(
            "wrong check digit: the last digit should be {expected}"
        ));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes() {
        assert_eq!(validate("6901939621608", false), Ok(BarcodeKind::Ean13)); // a real Chinese EAN
        assert_eq!(validate("96385074", false), Ok(BarcodeKind::Ean8));
        assert_eq!(validate("036000291452", false), Ok(BarcodeKind::UpcA));
        assert!(
            validate("6901939621609", false)
                .unwrap_err()
                .contains("should be 8")
        );
        assert!(validate("12345", false).is_err());
        assert_eq!(validate("A-100", true), Ok(BarcodeKind::Internal));
        assert!(validate("ABC", false).is_err());
    }

    proptest! {
        #[test]
        fn computed_check_digits_validate(body in "[0-9]{12}") {
            let code = with_check_digit(&body);
            prop_assert_eq!(validate(&code, false), Ok(BarcodeKind::Ean13));
        }

        #[test]
        fn any_single_digit_error_is_caught(body in "[0-9]{12}", pos in 0usize..13, delta in 1u8..10) {
            let code = with_check_digit(&body);
            let mut bytes = code.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(validate(&changed, false).is_err());
        }
    }
}
