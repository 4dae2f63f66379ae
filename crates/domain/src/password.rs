//! Password and PIN policy. Length 8–128 and a zxcvbn strength of at least 3 ("safely
//! unguessable"), judged with the username and display name as known words so that
//! `zhangsan2024` is refused for the user zhangsan.

use crate::validation::FieldError;

/// Minimum zxcvbn score (0–4) a password needs.
pub const MIN_SCORE: u8 = 3;

/// Checks a new password; `field` is the JSON Pointer used in the error.
pub fn check_password(field: &str, password: &str, user_inputs: &[&str]) -> Result<(), FieldError> {
    let err = |code: &str, message: &str| FieldError {
        field: field.to_string(),
        code: code.to_string(),
        message: message.to_string(),
    };
    let len = password.chars().count();
    if len < 8 {
        return Err(err("too_short", "at least 8 characters"));
    }
    if len > 128 {
        return Err(err("too_long", "at most 128 characters"));
    }
    let score = zxcvbn::zxcvbn(password, user_inputs).score();
    if (score as u8) < MIN_SCORE {
        return Err(err(
            "too_weak",
            "too easy to guess: use a longer phrase or mix unrelated words, digits and symbols",
        ));
    }
    Ok(())
}

/// Checks an approval PIN: 4 to 8 digits, not all the same digit, not a simple run.
pub fn check_pin(field: &str, pin: &str) -> Result<(), FieldError> {
    let err = |code: &str, message: &str| FieldError {
        field: field.to_string(),
        code: code.to_string(),
        message: message.to_string(),
    };
    if !(4..=8).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(err("invalid_format", "4 to 8 digits"));
    }
    let d: Vec<i32> = pin.bytes().map(|b| (b - b'0') as i32).collect();
    let same = d.windows(2).all(|w| w[0] == w[1]);
    let up = d.windows(2).all(|w| w[1] - w[0] == 1);
    let down = d.windows(2).all(|w| w[0] - w[1] == 1);
    if same || up || down {
        return Err(err("too_weak", "not a repeated digit or a simple sequence"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_long_and_common() {
        assert_eq!(
            check_password("/p", "abc", &[]).unwrap_err().code,
            "too_short"
        );
        assert_eq!(
            check_password("/p", &"x".repeat(129), &[])
                .unwrap_err()
                .code,
            "too_long"
        );
        assert_eq!(
            check_password("/p", "password1", &[]).unwrap_err().code,
            "too_weak"
        );
        assert_eq!(
            check_password("/p", "12345678", &[]).unwrap_err().code,
            "too_weak"
        );
        assert_eq!(
            check_password("/p", "zhangsan2024", &["zhangsan"])
                .unwrap_err()
                .code,
            "too_weak"
        );
    }

    #[test]
    fn accepts_strong() {
        assert!(check_password("/p", "Kassa-Tests-2026!x", &[]).is_ok());
        assert!(check_password("/p", "correct horse battery staple", &[]).is_ok());
    }

    #[test]
    fn pins() {
        assert!(check_pin("/pin", "2580").is_ok());
        assert!(check_pin("/pin", "1234").is_err());
        assert!(check_pin("/pin", "0000").is_err());
        assert!(check_pin("/pin", "12a4").is_err());
        assert!(check_pin("/pin", "123").is_err());
    }
}
