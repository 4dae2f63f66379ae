//! The register's member lookup: by phone, member number or card, chain-wide (a member may shop
//! in any store), each through its unique index — one indexed read plus the tier and the
//! programme, so a cashier waits no longer than for a scan.

use super::profiles::{self, Customer};
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

/// Points per currency unit when redeeming: the programme's, or 100 when the company has not
/// set up a programme yet.
pub async fn redeem_points_per_unit(db: &Db, company: &str) -> StoreResult<i64> {
    let r =
        sqlx::query("SELECT redeem_points_per_unit FROM loyalty_programs WHERE company_id = $1")
            .bind(company)
            .fetch_optional(&db.pool)
            .await?;
    Ok(match r {
        Some(r) => row::int(&r, "redeem_points_per_unit")?.max(1),
        None => 100,
    })
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
    // One round trip: the customer, their tier's price tier and the programme's rate.
    let q = format!(
        "SELECT c.*, t.name AS tier_name, t.price_tier, lp.redeem_points_per_unit FROM customers c \
         LEFT JOIN member_tiers t ON t.company_id = c.company_id AND t.code = c.tier_code \
         LEFT JOIN loyalty_programs lp ON lp.company_id = c.company_id \
         WHERE c.company_id = $1 AND c.{col} = $2"
    );
    let r = sqlx::query(&q)
        .bind(&company)
        .bind(&value)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut c: Customer = profiles::from_row(&r)?;
    let mut price_tier = row::opt_text(&r, "price_tier")?;
    let mut per_unit = row::opt_int(&r, "redeem_points_per_unit")?;
    let merged = c.status == "merged";
    // Follow merges (a chain of them is short).
    for _ in 0..8 {
        match (&c.status[..], &c.merged_into) {
            ("merged", Some(into)) => {
                c = profiles::fetch_any(db, &company, into)
                    .await?
                    .ok_or(StoreError::NotFound)?;
            }
            _ => break,
        }
    }
    if c.status != "active" {
        return Err(StoreError::NotFound);
    }
    if merged {
        // Followed to the survivor: its tier, and the programme read again (rare).
        price_tier = match &c.tier_code {
            Some(code) => sqlx::query(
                "SELECT price_tier FROM member_tiers WHERE company_id = $1 AND code = $2",
            )
            .bind(&company)
            .bind(code)
            .fetch_optional(&db.pool)
            .await?
            .map(|r| row::opt_text(&r, "price_tier"))
            .transpose()?
            .flatten(),
            None => None,
        };
        per_unit = Some(redeem_points_per_unit(db, &company).await?);
    }
    let per_unit = per_unit.unwrap_or(100).max(1);
    Ok(RegisterView {
        phone: profiles::phone_for(p, c.phone.as_deref()),
        points_value_minor: points_value_minor(c.points_balance, per_unit),
        id: c.id,
        name: c.name,
        member_no: c.member_no,
        tier_code: c.tier_code,
        tier_name: c.tier_name,
        price_tier,
        points_balance: c.points_balance,
        stored_value_minor: c.stored_value_minor,
    })
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
