//! Contact details of customers: phone numbers are stored in one canonical form (E.164,
//! `+8613812345678`) so that the unique index per company and the register lookup find a member
//! however the number was typed; and they are shown masked (`138****5678`) to staff who may not
//! see them in full (PIPL: least exposure).

/// Why a phone number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneError {
    /// Nothing but separators.
    Empty,
    /// Neither a mainland mobile number nor an international number in E.164 form.
    Invalid,
}

impl PhoneError {
    /// A message for the field error.
    pub fn message(&self) -> &'static str {
        match self {
            PhoneError::Empty => "must not be empty",
            PhoneError::Invalid => {
                "a mainland mobile number (1[3-9] and 9 more digits, with or without +86) or an international number starting with + and 8 to 15 digits"
            }
        }
    }
}

/// Whether `digits` (ASCII digits only) is a mainland mobile number: `1[3-9]` + 9 digits.
fn is_mainland_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Normalises what a cashier or an import typed to E.164.
///
/// Accepted: a mainland mobile number with or without `+86`, `86` or `0086` in front, and any
/// other number as `+` (or `00`) and 8–15 digits. Spaces, dashes, dots and brackets are
/// separators; full-width digits and `＋` (typed with a Chinese input method) count as their
/// ASCII twins. A number after `+86` must be a mobile number: a landline or a typo with one
/// digit too many is refused rather than stored as a member's phone nobody can look up.
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    let mut plus = false;
    let mut digits = String::new();
    for ch in input.trim().chars() {
        let ch = match ch {
            '０'..='９' => char::from(b'0' + (ch as u32 - '０' as u32) as u8),
            '＋' => '+',
            c => c,
        };
        match ch {
            '0'..='9' => digits.push(ch),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '（' | '）' | '\u{3000}' => {}
            _ => return Err(PhoneError::Invalid),
        }
    }
    if digits.is_empty() {
        return Err(if plus {
            PhoneError::Invalid
        } else {
            PhoneError::Empty
        });
    }
    if !plus && let Some(rest) = digits.strip_prefix("00") {
        plus = true;
        digits = rest.to_string();
    }
    if plus {
        if let Some(national) = digits.strip_prefix("86") {
            return if is_mainland_mobile(national) {
                Ok(format!("+{digits}"))
            } else {
                Err(PhoneError::Invalid)
            };
        }
        if (8..=15).contains(&digits.len()) && !digits.starts_with('0') {
            return Ok(format!("+{digits}"));
        }
        return Err(PhoneError::Invalid);
    }
    if is_mainland_mobile(&digits) {
        return Ok(format!("+86{digits}"));
    }
    if let Some(national) = digits.strip_prefix("86")
        && is_mainland_mobile(national)
    {
        return Ok(format!("+{digits}"));
    }
    Err(PhoneError::Invalid)
}

/// Masks a stored (E.164) phone number: a mainland mobile shows as `138****5678` (the form
/// Chinese receipts and apps use), any other as `+852****5678`. Short or odd values keep only
/// their last 4 characters visible.
pub fn mask_phone(phone: &str) -> String {
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    if let Some(national) = digits.strip_prefix("86")
        && is_mainland_mobile(national)
    {
        return format!("{}****{}", &national[..3], &national[7..]);
    }
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() >= 10 {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        return format!("{head}****{tail}");
    }
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// The last 4 digits of a phone number: what a customer says at the till and what list search
/// matches without exposing the whole number.
pub fn phone_last4(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// Whether a value shown to a client is a masked one (it is never stored as typed back).
pub fn is_masked(value: &str) -> bool {
    value.contains('*')
}

/// Masks an e-mail address: `w***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// A sanity check of an e-mail address, not RFC 5322: one `@`, a local part of 1–64
/// characters, a domain with a dot and no empty label, no spaces, at most 254 characters.
/// It catches what staff mistype at the counter (a phone number in the e-mail field, a
/// missing domain), not every address a mail server would refuse.
pub fn valid_email(email: &str) -> bool {
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_mobiles_in_every_typed_form() {
        for typed in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+8613812345678",
            "8613812345678",
            "008613812345678",
            "(+86) 138-1234-5678",
            "１３８１２３４５６７８",
            "＋86 13812345678",
        ] {
            assert_eq!(
                normalize_phone(typed),
                Ok("+8613812345678".into()),
                "{typed}"
            );
        }
    }

    #[test]
    fn other_countries_need_e164() {
        assert_eq!(normalize_phone("+852 9123 4567"), Ok("+85291234567".into()));
        assert_eq!(
            normalize_phone("+1 415 555 0100"),
            Ok("+14155550100".into())
        );
        assert_eq!(normalize_phone("00852 91234567"), Ok("+85291234567".into()));
        // Too short, too long, no country code, a leading zero, letters.
        for bad in [
            "+1234567",
            "+1234567890123456",
            "91234567",
            "+0123456789",
            "138abc45678",
            "12812345678",
            "1381234567",
            "+86 10 8888 6666",
            "+",
            "138+12345678",
        ] {
            assert_eq!(normalize_phone(bad), Err(PhoneError::Invalid), "{bad}");
        }
        assert_eq!(normalize_phone(" - "), Err(PhoneError::Empty));
    }

    #[test]
    fn masking() {
        assert_eq!(mask_phone("+8613812345678"), "138****5678");
        assert_eq!(mask_phone("+85291234567"), "+852****4567");
        assert_eq!(mask_phone("123"), "****123");
        assert_eq!(phone_last4("+8613812345678"), "5678");
        assert!(is_masked(&mask_phone("+8613812345678")));
        assert_eq!(mask_email("wangfang@example.com"), "w***@example.com");
        assert_eq!(mask_email("王芳@例子.中国"), "王***@例子.中国");
    }

    #[test]
    fn email_sanity() {
        for ok in ["a@b.cn", "wang.fang+vip@example.com.cn", "王芳@例子.中国"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "13812345678",
            "a@b",
            "@b.cn",
            "a@@b.cn",
            "a b@c.cn",
            "a@b..cn",
            "a@-b.cn",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
