//! Reading the stock ledger: every movement with its document, user and time, newest first.

use super::quantity::from_milli;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::HashMap;
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

/// Movements at the locations in scope, newest first. On SQLite, one product at one location
/// (the stock card) is read along its level's chain (see [`list_chain`]).
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &MovementFilter,
    page: &PageRequest,
) -> StoreResult<Page<StockMovement>> {
    if let (Backend::Sqlite, Some(location), Some(product)) =
        (db.backend, &f.location_id, &f.product_id)
    {
        return list_chain(db, p, f, location, product, page).await;
    }
    let mut q = filtered(p, f);
    if let Some(after) = &page.after {
        q.push(" AND m.id < ").bind(after.clone());
    }
    q.push(" ORDER BY m.id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |m| m.id.clone()))
}

/// The movements of the caller's company and scope that pass `f`.
fn filtered(p: &Principal, f: &MovementFilter) -> Sql {
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
    q
}

/// Most movements passed by one step of a chain walk when other filters may skip many.
const CHAIN_STEP: i64 = 500;

/// SQLite: one product at one location, newest first in the order the ledger was written,
/// following the level's chain (migration 0023: SQLite has no index by location and product,
/// which cost every sale line a random page). Steps of the walk read the ids, then the rows that
/// pass the other filters. The cursor is the last movement returned; the next page goes on from
/// the one before it.
async fn list_chain(
    db: &Db,
    p: &Principal,
    f: &MovementFilter,
    location: &str,
    product: &str,
    page: &PageRequest,
) -> StoreResult<Page<StockMovement>> {
    let company = p.company_id.to_string();
    // The level's newest movement, or the one before the cursor's.
    let (sql, after) = match &page.after {
        None => (
            "SELECT last_movement_id AS id FROM stock_levels \
             WHERE location_id = $1 AND product_id = $2 AND company_id = $3",
            None,
        ),
        Some(after) => (
            "SELECT prev_id AS id FROM stock_movements \
             WHERE location_id = $1 AND product_id = $2 AND company_id = $3 AND id = $4",
            Some(after.clone()),
        ),
    };
    let mut start = sqlx::query(sql)
        .bind(location.to_string())
        .bind(product.to_string())
        .bind(company);
    if let Some(after) = after {
        start = start.bind(after);
    }
    let mut next = match start.fetch_optional(&db.pool).await? {
        Some(r) => row::opt_text(&r, "id")?,
        None => None,
    };
    let want = page.limit + 1;
    let only_chain = f.kind.is_none() && f.ref_id.is_none() && f.from.is_none() && f.to.is_none();
    let step = if only_chain {
        want
    } else {
        want.max(CHAIN_STEP)
    };
    let mut items = Vec::new();
    while let Some(from) = next.take() {
        let walked = sqlx::query(
            "WITH RECURSIVE c(id, prev, n) AS ( \
               SELECT id, prev_id, 1 FROM stock_movements WHERE id = $1 \
               UNION ALL SELECT m.id, m.prev_id, c.n + 1 FROM c JOIN stock_movements m ON m.id = c.prev \
               WHERE c.n < $2) \
             SELECT id, prev FROM c ORDER BY n",
        )
        .bind(from)
        .bind(step)
        .fetch_all(&db.pool)
        .await?;
        let mut ids = Vec::with_capacity(walked.len());
        for r in &walked {
            ids.push(row::text(r, "id")?);
            next = row::opt_text(r, "prev")?;
        }
        let mut q = filtered(p, f);
        q.push(" AND m.id IN (SELECT value FROM json_each(")
            .bind(serde_json::to_string(&ids).map_err(|e| StoreError::Internal(e.to_string()))?)
            .push("))");
        let (sql, args) = q.build();
        let mut found: HashMap<String, StockMovement> = HashMap::new();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            let m = from_row(&r)?;
            found.insert(m.id.clone(), m);
        }
        items.extend(ids.iter().filter_map(|id| found.remove(id)));
        if items.len() as i64 >= want {
            break;
        }
    }
    items.truncate(want as usize);
    Ok(page.page(items, |m| m.id.clone()))
}
