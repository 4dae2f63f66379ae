//! Stock levels: on hand, reserved, available and in transit per location and product, with
//! the reorder rule, status and value — the stock browser, alerts and reorder rules (the
//! per-product view across locations is [`super::product_stock`]).

use super::figures::{self, StockFigures};
use super::locations::{self, LocationRef};
use super::quantity;
use crate::clock;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::orders::model::DecimalText;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::inventory::StockStatus;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// One location's stock of one product.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StockLevel {
    #[serde(flatten)]
    pub location: LocationRef,
    pub address: String,
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    #[serde(flatten)]
    pub figures: StockFigures,
    /// Moving-average unit cost (the cost price until the first receipt).
    pub avg_cost_minor: i64,
    /// On hand × average cost.
    pub value_minor: i64,
}

pub(crate) const SELECT: &str = "SELECT sl.location_id, s.code AS location_code, s.name AS location_name, \
     s.kind AS location_kind, s.region_id, r.name AS region_name, s.address, sl.product_id, p.sku, p.name_zh, p.name_en, p.unit, \
     sl.on_hand_milli, sl.reserved_milli, sl.in_transit_milli, sl.reorder_point_milli, sl.reorder_qty_milli, \
     sl.max_milli, COALESCE(pc.avg_cost_minor, p.cost_price_minor) AS avg_cost \
     FROM stock_levels sl JOIN stores s ON s.id = sl.location_id LEFT JOIN regions r ON r.id = s.region_id \
     JOIN products p ON p.id = sl.product_id \
     LEFT JOIN product_costs pc ON pc.product_id = sl.product_id WHERE sl.company_id = ";

pub(crate) fn from_row(r: &AnyRow) -> StoreResult<StockLevel> {
    let cost = row::int(r, "avg_cost")?;
    Ok(StockLevel {
        location: locations::read_ref(r)?,
        address: row::text(r, "address")?,
        product_id: row::text(r, "product_id")?,
        sku: row::text(r, "sku")?,
        name_zh: row::text(r, "name_zh")?,
        name_en: row::text(r, "name_en")?,
        unit: row::text(r, "unit")?,
        figures: figures::read(r)?,
        avg_cost_minor: cost,
        value_minor: value(row::int(r, "on_hand_milli")?, cost),
    })
}

/// On hand × unit cost, half-up to the minor unit.
pub fn value(on_hand_milli: i64, cost_minor: i64) -> i64 {
    let v = on_hand_milli as i128 * cost_minor as i128;
    ((v + v.signum() * 500) / 1000) as i64
}

/// Filters of the stock browser.
#[derive(Clone, Debug, Default)]
pub struct StockFilter {
    pub location_id: Option<String>,
    pub product_id: Option<String>,
    pub category_id: Option<String>,
    pub q: Option<String>,
    pub status: Option<StockStatus>,
}

/// The SQL condition of a status (as [`salepoint_domain::inventory::stock_status`] decides it).
fn status_sql(s: StockStatus) -> &'static str {
    match s {
        StockStatus::Out => " AND sl.on_hand_milli - sl.reserved_milli <= 0",
        StockStatus::Low => {
            " AND sl.on_hand_milli - sl.reserved_milli > 0 AND sl.reorder_point_milli IS NOT NULL \
             AND sl.on_hand_milli - sl.reserved_milli + sl.in_transit_milli <= sl.reorder_point_milli"
        }
        StockStatus::Over => {
            " AND sl.max_milli IS NOT NULL AND sl.on_hand_milli > sl.max_milli \
             AND NOT (sl.reorder_point_milli IS NOT NULL \
             AND sl.on_hand_milli - sl.reserved_milli + sl.in_transit_milli <= sl.reorder_point_milli)"
        }
        StockStatus::Ok => "",
    }
}

/// Stock levels of the locations in scope, by location then SKU.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &StockFilter,
    page: &PageRequest,
) -> StoreResult<Page<StockLevel>> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "sl.location_id");
    if let Some(l) = &f.location_id {
        q.push(" AND sl.location_id = ").bind(l.clone());
    }
    if let Some(pr) = &f.product_id {
        q.push(" AND sl.product_id = ").bind(pr.clone());
    }
    if let Some(c) = &f.category_id {
        q.push(" AND p.category_id = ").bind(c.clone());
    }
    if let Some(text) = f.q.as_deref().filter(|t| !t.trim().is_empty()) {
        q.push(" AND ");
        q.contains("p.search_text", text);
    }
    if let Some(s) = f.status {
        q.push(status_sql(s));
    }
    if let Some((loc, sku)) = page.after.as_deref().and_then(|a| a.split_once('|')) {
        q.push(" AND (sl.location_id > ")
            .bind(loc.to_string())
            .push(" OR (sl.location_id = ")
            .bind(loc.to_string())
            .push(" AND p.sku > ")
            .bind(sku.to_string())
            .push("))");
    }
    // The limit as a literal (checked to 1–200): a bound `LIMIT $n` lets PostgreSQL's generic
    // plan walk every product by SKU (docs/benchmarks.md, Inventory).
    q.push(&format!(
        " ORDER BY sl.location_id, p.sku LIMIT {}",
        page.limit + 1
    ));
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let levels = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(levels, |l| format!("{}|{}", l.location.location_id, l.sku)))
}

/// Levels that need attention at the locations in scope: at or below the reorder point (low or
/// out) or above the maximum — only where a rule is set.
pub async fn alerts(
    db: &Db,
    p: &Principal,
    location_id: Option<&str>,
    kind: Option<StockStatus>,
    page: &PageRequest,
) -> StoreResult<Page<StockLevel>> {
    let low = "(sl.reorder_point_milli IS NOT NULL AND sl.on_hand_milli - sl.reserved_milli + sl.in_transit_milli <= sl.reorder_point_milli)";
    let over = "(sl.max_milli IS NOT NULL AND sl.on_hand_milli > sl.max_milli)";
    let wanted = match kind {
        Some(StockStatus::Over) => over.to_string(),
        Some(_) => low.to_string(),
        None => format!("({low} OR {over})"),
    };
    let mut q = Sql::new("");
    if let Some(l) = location_id {
        // One location: its few alerting levels first (a range of the primary key), then the
        // joins and the SKU order over them. Left to itself, PostgreSQL walks every product by
        // SKU and probes the location's level of each (88–135 ms at 20,000 products; this:
        // 11–32 ms, docs/benchmarks.md).
        q.push("WITH sl AS MATERIALIZED (SELECT * FROM stock_levels sl WHERE sl.location_id = ")
            .bind(l.to_string())
            .push(&format!(" AND {wanted}) "))
            .push(&SELECT.replacen("FROM stock_levels sl", "FROM sl", 1));
    } else {
        q.push(SELECT);
    }
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "sl.location_id");
    q.push(&format!(" AND {wanted}"));
    if let Some((loc, sku)) = page.after.as_deref().and_then(|a| a.split_once('|')) {
        q.push(" AND (sl.location_id > ")
            .bind(loc.to_string())
            .push(" OR (sl.location_id = ")
            .bind(loc.to_string())
            .push(" AND p.sku > ")
            .bind(sku.to_string())
            .push("))");
    }
    // The limit as a literal (checked to 1–200): a bound `LIMIT $n` lets PostgreSQL's generic
    // plan walk every product by SKU (docs/benchmarks.md, Inventory).
    q.push(&format!(
        " ORDER BY sl.location_id, p.sku LIMIT {}",
        page.limit + 1
    ));
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let levels = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(levels, |l| format!("{}|{}", l.location.location_id, l.sku)))
}

/// One reorder rule; a `null` field clears it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderRuleInput {
    pub product_id: String,
    pub reorder_point: Option<DecimalText>,
    pub reorder_qty: Option<DecimalText>,
    pub max: Option<DecimalText>,
}

/// Reorder rules of one location.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderRulesInput {
    pub location_id: String,
    pub lines: Vec<ReorderRuleInput>,
}

/// Sets reorder rules (creating empty levels where a product was never stocked there).
pub async fn set_reorder_rules(
    db: &Db,
    p: &Principal,
    input: &ReorderRulesInput,
) -> StoreResult<usize> {
    let mut v = Validator::new();
    if input.lines.is_empty() || input.lines.len() > 5000 {
        v.add("/lines", "out_of_range", "from 1 to 5,000 lines");
    }
    let mut rules = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let f = |n: &str| format!("/lines/{i}/{n}");
        let rp = l
            .reorder_point
            .as_ref()
            .map(|q| quantity::non_negative(&mut v, &f("reorder_point"), q));
        let rq = l
            .reorder_qty
            .as_ref()
            .map(|q| quantity::positive(&mut v, &f("reorder_qty"), q));
        let mx = l
            .max
            .as_ref()
            .map(|q| quantity::positive(&mut v, &f("max"), q));
        if let (Some(a), Some(b)) = (rp, mx)
            && b < a
        {
            v.add(
                f("max"),
                "out_of_range",
                "must not be below the reorder point",
            );
        }
        rules.push((l.product_id.clone(), rp, rq, mx));
    }
    v.finish().map_err(StoreError::Invalid)?;
    locations::load(&db.pool, p, &input.location_id, true).await?;
    let ids: Vec<String> = rules.iter().map(|r| r.0.clone()).collect();
    super::products::check(&db.pool, p, &ids, "/lines").await?;
    let mut tx = db.begin().await?;
    let now = clock::now();
    rules.sort_by(|a, b| a.0.cmp(&b.0));
    for (product, rp, rq, mx) in &rules {
        sqlx::query(
            "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at, \
             reorder_point_milli, reorder_qty_milli, max_milli) VALUES ($1, $2, $3, 0, $4, $5, $6, $7) \
             ON CONFLICT (location_id, product_id) DO UPDATE SET reorder_point_milli = excluded.reorder_point_milli, \
             reorder_qty_milli = excluded.reorder_qty_milli, max_milli = excluded.max_milli, updated_at = excluded.updated_at",
        )
        .bind(&input.location_id)
        .bind(product)
        .bind(p.company_id.to_string())
        .bind(&now)
        .bind(*rp)
        .bind(*rq)
        .bind(*mx)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rules.len())
}
