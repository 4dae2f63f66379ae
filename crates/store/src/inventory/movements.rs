//! Reading the stock ledger: every movement with its document, user and time, newest first.

use super::quantity::from_milli;
use crate::db::Db;
use crate::error::StoreResult;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::Serialize;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// One row of the ledger.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StockMovement {
    pub id: String,
    pub location_id: String,
    pub location_name: String,
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    /// `sale`, `return`, `receipt`, `transfer_out`, `transfer_in`, `count`, `write_off`,
    /// `adjustment`.
    pub kind: String,
    /// Signed change of on hand.
    pub quantity: String,
    pub unit_cost_minor: i64,
    pub ref_type: String,
    pub ref_id: String,
    pub ref_line: Option<i64>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    /// Sold below zero.
    pub flagged: bool,
    pub at: String,
}

/// Filters of the ledger.
#[derive(Clone, Debug, Default)]
pub struct MovementFilter {
    pub location_id: Option<String>,
    pub product_id: Option<String>,
    pub kind: Option<String>,
    pub ref_id: Option<String>,
    /// RFC 3339 bounds on `at` (from inclusive, to exclusive).
    pub from: Option<String>,
    pub to: Option<String>,
}

pub(crate) fn from_row(r: &AnyRow) -> StoreResult<StockMovement> {
    Ok(StockMovement {
        id: row::text(r, "id")?,
        location_id: row::text(r, "location_id")?,
        location_name: row::text(r, "location_name")?,
        product_id: row::text(r, "product_id")?,
        sku: row::text(r, "sku")?,
        name_zh: row::text(r, "name_zh")?,
        kind: row::text(r, "kind")?,
        quantity: from_milli(row::int(r, "quantity_milli")?),
        unit_cost_minor: row::int(r, "unit_cost_minor")?,
        ref_type: row::text(r, "ref_type")?,
        ref_id: row::text(r, "ref_id")?,
        ref_line: row::opt_int(r, "ref_line")?,
        user_id: row::opt_text(r, "user_id")?,
        user_name: row::opt_text(r, "user_name")?,
        flagged: row::flag(r, "flagged")?,
        at: row::text(r, "at")?,
    })
}

pub(crate) const SELECT: &str = "SELECT m.*, s.name AS location_name, p.sku, p.name_zh, u.username AS user_name \
     FROM stock_movements m JOIN stores s ON s.id = m.location_id JOIN products p ON p.id = m.product_id \
     LEFT JOIN users u ON u.id = m.user_id WHERE m.company_id = ";

/// Movements at the locations in scope, newest first.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &MovementFilter,
    page: &PageRequest,
) -> StoreResult<Page<StockMovement>> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "m.location_id");
    for (col, val) in [
        ("m.location_id", &f.location_id),
        ("m.product_id", &f.product_id),
        ("m.kind", &f.kind),
        ("m.ref_id", &f.ref_id),
    ] {
        if let Some(v) = val {
            q.push(&format!(" AND {col} = ")).bind(v.clone());
        }
    }
    if let Some(from) = &f.from {
        q.push(" AND m.at >= ").bind(from.clone());
    }
    if let Some(to) = &f.to {
        q.push(" AND m.at < ").bind(to.clone());
    }
    if let Some(after) = &page.after {
        q.push(" AND m.id < ").bind(after.clone());
    }
    q.push(" ORDER BY m.id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |m| m.id.clone()))
}
