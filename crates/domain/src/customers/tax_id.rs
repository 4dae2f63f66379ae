//! The unified social credit code (统一社会信用代码, GB 32100-2015) of a business customer: 18
//! characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V), the
//! last one a check character over the other 17. B2B invoices (发票) carry this code, so a typo
//! caught at the counter is an invoice that does not bounce later.

/// The code's alphabet; a character's value is its index.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: 3^(i) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a code was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxIdError {
    /// Not 18 characters.
    Length,
    /// A character outside the code's alphabet, or a letter where the region code (positions
    /// 3–8) needs digits.
    Character,
    /// The check character does not match.
    Check,
}

impl TaxIdError {
    /// A message for the field error.
    pub fn message(&self) -> &'static str {
        match self {
            TaxIdError::Length => "a unified social credit code has 18 characters",
            TaxIdError::Character => {
                "only digits and the capitals A-H, J-N, P-R, T-U, W-Y; positions 3 to 8 are digits"
            }
            TaxIdError::Check => {
                "the check character (the 18th) does not match: a character is mistyped"
            }
        }
    }
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|i| i as u32)
}

/// The check character for the first 17 characters of a code (already upper case).
pub fn check_character(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let r = (31 - sum % 31) % 31;
    Some(ALPHABET[r as usize] as char)
}

/// Validates a code and returns it in canonical form (trimmed, upper case).
pub fn normalize_tax_id(input: &str) -> Result<String, TaxIdError> {
    let code = input.trim().to_ascii_uppercase();
    let b = code.as_bytes();
    if code.chars().count() != 18 || b.len() != 18 {
        return Err(TaxIdError::Length);
    }
    if b.iter().any(|c| value(*c).is_none()) || !b[2..8].iter().all(u8::is_ascii_digit) {
        return Err(TaxIdError::Character);
    }
    match check_character(&b[..17]) {
        Some(c) if c as u8 == b[17] => Ok(code),
        _ => Err(TaxIdError::Check),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes() {
        for ok in [
            "91350100M000100Y43",
            "91110000802100433B",
            "91350100m000100y43",
        ] {
            assert!(normalize_tax_id(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            normalize_tax_id(" 91350100m000100y43 "),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            normalize_tax_id("91350100M000100Y44"),
            Err(TaxIdError::Check)
        );
        assert_eq!(
            normalize_tax_id("91350100M000100Y4"),
            Err(TaxIdError::Length)
        );
        // I, O, S, V, Z are not in the alphabet; letters in the region code are refused.
        assert_eq!(
            normalize_tax_id("91350100M000100O43"),
            Err(TaxIdError::Character)
        );
        assert_eq!(
            normalize_tax_id("913501A0M000100Y43"),
            Err(TaxIdError::Character)
        );
        assert_eq!(
            normalize_tax_id("９1350100M000100Y43"),
            Err(TaxIdError::Length)
        );
    }

    fn alphabet_char() -> impl Strategy<Value = u8> {
        (0usize..31).prop_map(|i| ALPHABET[i])
    }

    /// A valid code: any registration and organisation characters, a 6-digit region code.
    fn valid_code() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(alphabet_char(), 2),
            proptest::collection::vec(0u8..10, 6),
            proptest::collection::vec(alphabet_char(), 9),
        )
            .prop_map(|(head, region, org)| {
                let mut b: Vec<u8> = head;
                b.extend(region.iter().map(|d| b'0' + d));
                b.extend(org);
                let c = check_character(&b).unwrap();
                b.push(c as u8);
                String::from_utf8(b).unwrap()
            })
    }

    proptest! {
        #[test]
        fn generated_codes_are_valid(code in valid_code()) {
            prop_assert_eq!(normalize_tax_id(&code), Ok(code.clone()));
        }

        #[test]
        fn any_one_changed_character_fails(code in valid_code(), pos in 0usize..18, any in any::<char>()) {
            let mut chars: Vec<char> = code.chars().collect();
            prop_assume!(chars[pos] != any.to_ascii_uppercase());
            chars[pos] = any;
            let changed: String = chars.into_iter().collect();
            prop_assert!(normalize_tax_id(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn any_one_changed_alphabet_character_fails(code in valid_code(), pos in 0usize..18, c in alphabet_char()) {
            let mut b = code.into_bytes();
            prop_assume!(b[pos] != c);
            b[pos] = c;
            let changed = String::from_utf8(b).unwrap();
            prop_assert!(normalize_tax_id(&changed).is_err(), "{} accepted", changed);
        }
    }
}
