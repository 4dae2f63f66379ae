//! One product at every location in scope — "which nearby store has it?". At chain scale this is
//! 1,000 levels per answer, so it is built lean: the levels come from the index that carries
//! their figures on PostgreSQL (`stock_levels_product_figures`, migration 0010: one range scan,
//! no visit to the 4 GB table; SQLite's index carries the keys only since its 0020, so that a
//! sale does not move an index entry per line — its few hundred levels are read by key), the
//! product is named once at the top, and each location carries only what tells a shop
//! assistant where to send the customer (docs/benchmarks.md, "Inventory").

use super::figures::{self, StockFigures};
use super::locations::{self, LocationRef};
use super::quantity::from_milli;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::Serialize;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// The product's stock at one location (the product itself is named in [`ProductStock`]).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LocationStock {
    #[serde(flatten)]
    pub location: LocationRef,
    #[serde(flatten)]
    pub figures: StockFigures,
}

/// A product at the locations in scope: the totals over all of them, and the first `limit`
/// locations in the order asked for.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProductStock {
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    /// Over every location in scope that has a level of the product.
    pub total_on_hand: String,
    pub total_available: String,
    /// How many locations in scope have a level of the product (`locations` holds the first
    /// `limit` of them).
    pub location_count: i64,
    pub locations: Vec<LocationStock>,
}

/// Locations listed by default, and at most.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

/// The levels of one product with the totals over all of them (window sums, taken before the
/// limit), ordered and cut on the levels alone; the locations are joined for the listed rows
/// only (`ORDER_AND_JOIN`). No `company_id` test on the levels: the product was found in the
/// caller's company, and its levels are that company's.
const LEVELS: &str = "SELECT lv.*, s.code AS location_code, s.name AS location_name, s.kind AS location_kind, s.region_id, r.name AS region_name FROM (\
     SELECT sl.location_id, sl.on_hand_milli, sl.reserved_milli, sl.in_transit_milli, \
     sl.reorder_point_milli, sl.reorder_qty_milli, sl.max_milli, \
     CAST(SUM(sl.on_hand_milli) OVER () AS BIGINT) AS total_on_hand, \
     CAST(SUM(sl.on_hand_milli - sl.reserved_milli) OVER () AS BIGINT) AS total_available, \
     CAST(COUNT(*) OVER () AS BIGINT) AS location_count";

fn from_row(r: &AnyRow) -> StoreResult<LocationStock> {
    Ok(LocationStock {
        location: locations::read_ref(r)?,
        figures: figures::read(r)?,
    })
}

/// One product across the locations in scope; with `near`, that location's region first, then
/// by available stock, most first (then by location id, i.e. oldest location first); the first `limit` of them (the route
/// checks it is 1–1,000; anything else is clamped).
/// The database orders and cuts, so only the listed locations travel.
pub async fn product_across(
    db: &Db,
    p: &Principal,
    product_id: &str,
    near: Option<&str>,
    limit: i64,
) -> StoreResult<ProductStock> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let prod = sqlx::query(
        "SELECT id, sku, name_zh, name_en, unit FROM products WHERE id = $1 AND company_id = $2",
    )
    .bind(product_id)
    .bind(p.company_id.to_string())
    .fetch_optional(&db.pool)
    .await?
    .ok_or(StoreError::NotFound)?;
    let near_region = match near {
        Some(n) => locations::load(&db.pool, p, n, true).await?.region_id,
        None => None,
    };
    // Ordered and cut on the levels alone (an index-only range scan of
    // `stock_levels_product_figures`), so only the listed locations are joined to `stores`:
    // joining all 1,000 first cost more than the rest of the answer (docs/benchmarks.md).
    let mut q = Sql::new(LEVELS);
    // The rank by nearness, first in the inner (cut) and the outer (listed) order.
    let (inner_rank, outer_rank) = match near_region {
        Some(region) => {
            q.push(", CASE WHEN sl.location_id IN (SELECT id FROM stores WHERE region_id = ")
                .bind(region)
                .push(") THEN 0 ELSE 1 END AS near_rank");
            ("near_rank, ", "lv.near_rank, ")
        }
        None => ("", ""),
    };
    q.push(" FROM stock_levels sl WHERE sl.product_id = ")
        .bind(product_id.to_string());
    crate::org::push_store_scope(&mut q, p, "sl.location_id");
    // The limit as a literal (checked above): see `levels::list`.
    q.push(&format!(
        " ORDER BY {inner_rank}sl.on_hand_milli - sl.reserved_milli DESC, sl.location_id LIMIT {limit}) lv \
         JOIN stores s ON s.id = lv.location_id LEFT JOIN regions r ON r.id = s.region_id \
         ORDER BY {outer_rank}lv.on_hand_milli - lv.reserved_milli DESC, lv.location_id"
    ));
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let (on_hand, available, count) = match rows.first() {
        Some(r) => (
            row::int(r, "total_on_hand")?,
            row::int(r, "total_available")?,
            row::int(r, "location_count")?,
        ),
        None => (0, 0, 0),
    };
    Ok(ProductStock {
        product_id: row::text(&prod, "id")?,
        sku: row::text(&prod, "sku")?,
        name_zh: row::text(&prod, "name_zh")?,
        name_en: row::text(&prod, "name_en")?,
        unit: row::text(&prod, "unit")?,
        total_on_hand: from_milli(on_hand),
        total_available: from_milli(available),
        location_count: count,
        locations: rows.iter().map(from_row).collect::<StoreResult<_>>()?,
    })
}
