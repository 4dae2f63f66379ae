//! The register's member lookup: by phone, member number or card, chain-wide (a member may shop
//! in any store), each through its unique index — one indexed read joined to the tier and the
//! programme, so a cashier waits no longer than for a scan.

use super::profiles;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use salepoint_domain::customers::contact::normalize_phone;
use serde::Serialize;
use utoipa::ToSchema;

/// What the register shows of a member (phone masked unless `customers.contact`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegisterView {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub member_no: Option<String>,
    pub tier_code: Option<String>,
    pub tier_name: Option<String>,
    /// The price-list tier the member buys at.
    pub price_tier: Option<String>,
    pub points_balance: i64,
    /// What the points are worth when redeemed: points × 100 / redeem_points_per_unit.
    pub points_value_minor: i64,
    pub stored_value_minor: i64,
}

/// How to find the member.
#[derive(Clone, Debug, Default)]
pub struct LookupKey {
    pub phone: Option<String>,
    pub member_no: Option<String>,
    pub card: Option<String>,
}

/// The money value of `points` at `per_unit` points per currency unit, rounded down.
pub fn points_value_minor(points: i64, per_unit: i64) -> i64 {
    points.saturating_mul(100) / per_unit.max(1)
}

/// Finds an active member by phone, member number or card (exactly one of them). A merged
/// member's number or card leads to the customer it was merged into.
pub async fn lookup(db: &Db, p: &Principal, key: &LookupKey) -> StoreResult<RegisterView> {
    let given = [&key.phone, &key.member_no, &key.card]
        .iter()
        .filter(|k| k.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .count();
    if given != 1 {
        return Err(StoreError::invalid(
            "phone",
            "required",
            "give exactly one of phone, member_no or card",
        ));
    }
    let company = p.company_id.to_string();
    let (col, value) = if let Some(ph) = key.phone.as_deref().filter(|s| !s.trim().is_empty()) {
        match normalize_phone(ph) {
            Ok(n) => ("phone", n),
            Err(e) => return Err(StoreError::invalid("phone", "invalid_format", e.message())),
        }
    } else if let Some(m) = key.member_no.as_deref().filter(|s| !s.trim().is_empty()) {
        ("member_no", m.trim().to_string())
    } else {
        (
            "card_code",
            key.card.as_deref().unwrap_or("").trim().to_string(),
        )
    };
    let mut found = find(db, &company, col, &value)
        .await?
        .ok_or(StoreError::NotFound)?;
    // Follow merges (a chain of them is short).
    for _ in 0..8 {
        match (&found.status[..], &found.merged_into) {
            ("merged", Some(into)) => {
                let into = into.clone();
                found = find(db, &company, "id", &into)
                    .await?
                    .ok_or(StoreError::NotFound)?;
            }
            _ => break,
        }
    }
    if found.status != "active" {
        return Err(StoreError::NotFound);
    }
    let per_unit = found.redeem_points_per_unit.unwrap_or(100).max(1);
    Ok(RegisterView {
        phone: profiles::phone_for(p, found.phone.as_deref()),
        points_value_minor: points_value_minor(found.points_balance, per_unit),
        id: found.id,
        name: found.name,
        member_no: found.member_no,
        tier_code: found.tier_code,
        tier_name: found.tier_name,
        price_tier: found.price_tier,
        points_balance: found.points_balance,
        stored_value_minor: found.stored_value_minor,
    })
}

/// What the lookup reads of one customer, with their tier and the programme's rate.
struct Found {
    id: String,
    name: String,
    phone: Option<String>,
    member_no: Option<String>,
    tier_code: Option<String>,
    tier_name: Option<String>,
    price_tier: Option<String>,
    points_balance: i64,
    stored_value_minor: i64,
    status: String,
    merged_into: Option<String>,
    redeem_points_per_unit: Option<i64>,
}

/// The customer of `company` whose `col` (a unique column: phone, member number, card or id)
/// is `value`, in one round trip: only the columns the register shows, joined to their tier
/// and the programme (the lookup is the register's hottest read).
///
/// The company is compared as `CAST($1 AS TEXT)`, not `$1`: SQLite (built with STAT4, as the
/// bundled library is) marks a statement to be compiled again whenever a parameter it probed
/// its index samples with is bound, and after `ANALYZE` it probes the company against the
/// samples of every index that starts with `company_id`; sqlx binds every parameter on every
/// execution, so the cached statement was parsed and planned anew on each lookup (0.1–0.2 ms of
/// CPU, most of a lookup's own cost). A cast is an expression the planner does not probe with;
/// the index is used the same. On PostgreSQL the cast is what the parameter is anyway.
async fn find(db: &Db, company: &str, col: &str, value: &str) -> StoreResult<Option<Found>> {
    let q = format!(
        "SELECT c.id, c.name, c.phone, c.member_no, c.tier_code, c.points_balance, \
         c.stored_value_minor, c.status, c.merged_into, t.name AS tier_name, t.price_tier, \
         lp.redeem_points_per_unit FROM customers c \
         LEFT JOIN member_tiers t ON t.company_id = c.company_id AND t.code = c.tier_code \
         LEFT JOIN loyalty_programs lp ON lp.company_id = c.company_id \
         WHERE c.company_id = CAST($1 AS TEXT) AND c.{col} = $2"
    );
    let Some(r) = sqlx::query(&q)
        .bind(company)
        .bind(value)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Found {
        id: row::text(&r, "id")?,
        name: row::text(&r, "name")?,
        phone: row::opt_text(&r, "phone")?,
        member_no: row::opt_text(&r, "member_no")?,
        tier_code: row::opt_text(&r, "tier_code")?,
        tier_name: row::opt_text(&r, "tier_name")?,
        price_tier: row::opt_text(&r, "price_tier")?,
        points_balance: row::int(&r, "points_balance")?,
        stored_value_minor: row::int(&r, "stored_value_minor")?,
        status: row::text(&r, "status")?,
        merged_into: row::opt_text(&r, "merged_into")?,
        redeem_points_per_unit: row::opt_int(&r, "redeem_points_per_unit")?,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn points_value() {
        assert_eq!(super::points_value_minor(1200, 100), 1200);
        assert_eq!(super::points_value_minor(1250, 200), 625);
        assert_eq!(super::points_value_minor(1, 3), 33);
        assert_eq!(super::points_value_minor(5, 0), 500);
    }
}
