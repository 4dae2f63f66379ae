//! Checking the tenders of a sale or refund against what is due: known and active types, no
//! mobile payments yet, only offline-capable ones offline, at most the last four card digits,
//! cash rounding of the cash part, and an exact sum.

use super::prepared::PreparedTender;
use crate::payments::tender_types::{TenderKind, TenderType};
use salepoint_domain::checkout::cash_rounding;
use salepoint_domain::payments::is_card_last4;
use salepoint_domain::validation::Validator;

use super::model::TenderInput;

/// Tenders checked against an amount due.
pub struct CheckedTenders {
    pub tenders: Vec<PreparedTender>,
    /// Cash rounding (抹零) added to the total.
    pub rounding_minor: i64,
    pub change_minor: i64,
    pub paid_minor: i64,
}

/// Checks `inputs` (at `/tenders` or `/refund`) against `total_minor` (positive); errors go to
/// `v`. `offline` allows only offline-capable types. Returned amounts are positive.
pub fn check(
    v: &mut Validator,
    path: &str,
    types: &[TenderType],
    inputs: &[TenderInput],
    total_minor: i64,
    cash_step: i64,
    offline: bool,
) -> CheckedTenders {
    if inputs.is_empty() || inputs.len() > 10 {
        v.add(path, "out_of_range", "one to ten tenders");
    }
    let mut tenders = Vec::with_capacity(inputs.len());
    let mut non_cash = 0i64;
    let mut uses_cash = false;
    for (i, t) in inputs.iter().enumerate() {
        let at = |f: &str| format!("{path}/{i}/{f}");
        let Some(ty) = types.iter().find(|x| x.code == t.code && x.active) else {
            v.add(at("code"), "unknown", "no such active tender type");
            continue;
        };
        if ty.kind == TenderKind::Mobile {
            v.add(
                at("code"),
                "not_supported",
                "mobile payments are not accepted at the register yet",
            );
        }
        if offline && !ty.allowed_offline {
            v.add(
                at("code"),
                "not_allowed_offline",
                "this tender cannot be taken offline",
            );
        }
        if t.amount_minor <= 0 {
            v.add(at("amount_minor"), "out_of_range", "must be positive");
        }
        let mut change = 0;
        match (ty.kind, t.tendered_minor) {
            (TenderKind::Cash, Some(given)) if given < t.amount_minor => v.add(
                at("tendered_minor"),
                "out_of_range",
                "less cash than the amount",
            ),
            (TenderKind::Cash, Some(given)) => change = given - t.amount_minor,
            (_, Some(_)) => v.add(at("tendered_minor"), "not_allowed", "only cash is tendered"),
            _ => {}
        }
        if let Some(l4) = &t.card_last4 {
            if ty.kind != TenderKind::Card {
                v.add(at("card_last4"), "not_allowed", "only for cards");
            } else if !is_card_last4(l4) {
                // Never echo what was sent: it may be a full card number.
                v.add(
                    at("card_last4"),
                    "invalid_format",
                    "at most the last 4 digits of the card",
                );
            }
        }
        v.optional_text(&at("reference"), t.reference.as_deref(), 64);
        if ty.kind == TenderKind::Cash {
            uses_cash = true;
        } else {
            non_cash += t.amount_minor;
        }
        tenders.push(PreparedTender {
            tender_type_id: ty.id.clone(),
            code: ty.code.clone(),
            kind: ty.kind.as_str().to_string(),
            amount_minor: t.amount_minor,
            tendered_minor: if ty.kind == TenderKind::Cash {
                t.tendered_minor.or(Some(t.amount_minor))
            } else {
                None
            },
            change_minor: change,
            reference: t.reference.clone().filter(|r| !r.trim().is_empty()),
            card_last4: t.card_last4.clone().filter(|l| is_card_last4(l)),
        });
    }
    let rounding = cash_rounding(total_minor, non_cash, cash_step, uses_cash);
    let due = total_minor + rounding;
    let paid: i64 = tenders.iter().map(|t| t.amount_minor).sum();
    if v.is_ok() && paid != due {
        v.add(
            path,
            "tenders_do_not_match",
            format!("the tenders must add up to {due} (minor units), not {paid}"),
        );
    }
    CheckedTenders {
        change_minor: tenders.iter().map(|t| t.change_minor).sum(),
        tenders,
        rounding_minor: rounding,
        paid_minor: paid,
    }
}
