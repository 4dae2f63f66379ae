//! Payment rules that do not depend on storage: the kinds of tender and what each allows.

use crate::org::string_enum;

string_enum!(
    /// What kind of payment a tender type is; the register treats each kind differently.
    TenderKind {
        /// Counted in the drawer; change and cash rounding apply.
        Cash = "cash",
        /// A bank card on an external terminal: a reference and at most the last 4 digits.
        Card = "card",
        /// Vouchers, coupons and other admin-defined means.
        Other = "other",
        /// WeChat Pay / Alipay (needs the provider integration; not accepted at the register yet).
        Mobile = "mobile",
    }
);

/// Whether `s` is an acceptable "last four digits" of a card: exactly four ASCII digits. A
/// longer number could be a full card number, which is never accepted nor stored.
pub fn is_card_last4(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last4_is_exactly_four_digits() {
        assert!(is_card_last4("4242"));
        assert!(!is_card_last4("4111111111111111"));
        assert!(!is_card_last4("42a2"));
        assert!(!is_card_last4("424"));
    }
}
