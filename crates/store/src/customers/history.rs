//! A member's points and stored-value ledgers, newest first, for the customer page and the
//! register.

use super::profiles;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::Serialize;
use utoipa::ToSchema;

/// One row of a member's points or stored-value ledger.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AccountEntry {
    pub id: String,
    /// Points: `earn`, `redeem`, `earn_reversal`, `redeem_refund`, `expire`, `adjust`, `merge`;
    /// stored value: `topup`, `bonus`, `pay`, `refund`, `adjust`, `merge`.
    pub kind: String,
    /// Points (signed), in the points ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Minor units (signed), in the stored-value ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
    /// When earned points expire.
    pub expires_at: Option<String>,
    pub tender_code: Option<String>,
    pub store_id: Option<String>,
    pub ref_type: String,
    pub ref_id: String,
    pub at: String,
}

/// Which ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Account {
    Points,
    StoredValue,
}

/// The ledger of a customer the caller may see, newest first.
pub async fn list(
    db: &Db,
    p: &Principal,
    customer_id: &str,
    account: Account,
    page: &PageRequest,
) -> StoreResult<Page<AccountEntry>> {
    let c = sqlx::query("SELECT home_store_id FROM customers WHERE id = $1 AND company_id = $2")
        .bind(customer_id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !profiles::visible(p, row::opt_text(&c, "home_store_id")?.as_deref()) {
        return Err(StoreError::NotFound);
    }
    let mut q = Sql::new(match account {
        Account::Points => {
            "SELECT id, kind, points AS amount, expires_at, NULL AS tender_code, store_id, ref_type, ref_id, at \
             FROM points_ledger WHERE customer_id = "
        }
        Account::StoredValue => {
            "SELECT id, kind, amount_minor AS amount, NULL AS expires_at, tender_code, store_id, ref_type, ref_id, at \
             FROM stored_value_ledger WHERE customer_id = "
        }
    });
    q.bind(customer_id.to_string());
    if let Some(after) = &page.after {
        q.push(" AND id < ").bind(after.clone());
    }
    q.push(" ORDER BY id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(AccountEntry {
                id: row::text(r, "id")?,
                kind: row::text(r, "kind")?,
                points: (account == Account::Points)
                    .then(|| row::int(r, "amount"))
                    .transpose()?,
                amount_minor: (account == Account::StoredValue)
                    .then(|| row::int(r, "amount"))
                    .transpose()?,
                expires_at: row::opt_text(r, "expires_at")?,
                tender_code: row::opt_text(r, "tender_code")?,
                store_id: row::opt_text(r, "store_id")?,
                ref_type: row::text(r, "ref_type")?,
                ref_id: row::text(r, "ref_id")?,
                at: row::text(r, "at")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |e| e.id.clone()))
}

/// What a sale or return did to its member's accounts, read back from the ledgers (for the
/// receipt, also when it is reprinted).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SaleMember {
    pub member_no: Option<String>,
    /// Net points of the sale: earned (or taken back) plus redeemed (or refunded).
    pub points_earned: i64,
    pub points_used: i64,
    pub stored_value_minor: i64,
}

/// The member figures of sale `sale_id` made for `customer_id`.
pub async fn for_sale(db: &Db, sale_id: &str, customer_id: &str) -> StoreResult<SaleMember> {
    let c = sqlx::query("SELECT member_no FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&db.pool)
        .await?;
    let p = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN kind IN ('earn', 'earn_reversal') THEN points ELSE 0 END), 0) AS BIGINT) AS earned, \
         CAST(COALESCE(SUM(CASE WHEN kind IN ('redeem', 'redeem_refund') THEN points ELSE 0 END), 0) AS BIGINT) AS used \
         FROM points_ledger WHERE ref_id = $1",
    )
    .bind(sale_id)
    .fetch_one(&db.pool)
    .await?;
    let v = sqlx::query(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS paid FROM stored_value_ledger WHERE ref_id = $1",
    )
    .bind(sale_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(SaleMember {
        member_no: c
            .map(|r| row::opt_text(&r, "member_no"))
            .transpose()?
            .flatten(),
        points_earned: row::int(&p, "earned")?,
        points_used: -row::int(&p, "used")?,
        stored_value_minor: -row::int(&v, "paid")?,
    })
}
