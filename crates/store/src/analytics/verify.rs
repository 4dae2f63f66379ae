//! `salepoint analytics verify` and `rebuild`: every rollup recomputed from the raw sales and
//! compared with what the worker wrote; or emptied and recomputed.
//!
//! Cost is a snapshot of the moving-average cost when each sale was rolled up, so it is not
//! compared with today's costs: it is checked for consistency instead (each store-day's cost is
//! the same in the daily, hourly, product, cashier, register, tier and channel rollups, and
//! equals the sum of the costs recorded per applied sale).

use super::rollup::{self, Rollups, SALE_COLUMNS, SALE_DIMS, SALE_FROM, Sums};
use crate::db::Db;
use crate::error::StoreResult;
use crate::row;
use std::collections::BTreeMap;

/// What verify found.
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Sales and returns recomputed.
    pub sales: usize,
    /// Rollup rows compared.
    pub rows: usize,
    /// One line per difference.
    pub differences: Vec<String>,
}

/// Every sale of every company, with its lines and tenders, summed from scratch.
async fn from_scratch(db: &Db) -> StoreResult<(usize, Rollups)> {
    let mut out = Rollups::default();
    let mut after = String::new();
    let mut n = 0;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {SALE_COLUMNS} FROM {SALE_FROM} \
             WHERE s.id > $1 ORDER BY s.id LIMIT 2000"
        ))
        .bind(after.clone())
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        let sales = rows
            .iter()
            .map(rollup::sale_fact)
            .collect::<StoreResult<Vec<_>>>()?;
        after = sales.last().map(|s| s.id.clone()).unwrap_or_default();
        let ids: Vec<String> = sales.iter().map(|s| s.id.clone()).collect();
        let (lines, tenders) = rollup::details(db, &ids).await?;
        rollup::aggregate(&sales, &lines, &tenders, &mut out);
        n += sales.len();
    }
    Ok((n, out))
}

fn sums(r: &sqlx::any::AnyRow, with_returns_milli: bool) -> StoreResult<Sums> {
    Ok(Sums {
        revenue: row::int(r, "revenue_minor")?,
        net: row::int(r, "net_minor")?,
        tax: row::int(r, "tax_minor")?,
        discount: row::int(r, "discount_minor")?,
        quantity: row::int(r, "quantity_milli")?,
        sold: row::int(r, "sold_milli")?,
        orders: row::int(r, "orders")?,
        returns_count: row::int(r, "returns_count")?,
        returns: row::int(r, "returns_minor")?,
        cost: row::int(r, "cost_minor")?,
        returns_milli: if with_returns_milli {
            row::int(r, "returns_milli")?
        } else {
            0
        },
    })
}

/// What the rollup tables hold now.
async fn stored(db: &Db) -> StoreResult<Rollups> {
    let mut out = Rollups::default();
    for r in sqlx::query("SELECT * FROM analytics_daily")
        .fetch_all(&db.pool)
        .await?
    {
        out.daily.insert(
            (
                row::text(&r, "company_id")?,
                row::text(&r, "store_id")?,
                row::text(&r, "business_day")?,
            ),
            sums(&r, false)?,
        );
    }
    for r in sqlx::query("SELECT * FROM analytics_hourly")
        .fetch_all(&db.pool)
        .await?
    {
        out.hourly.insert(
            (
                row::text(&r, "company_id")?,
                row::text(&r, "store_id")?,
                row::text(&r, "business_day")?,
                row::int(&r, "hour")?,
            ),
            sums(&r, false)?,
        );
    }
    for r in sqlx::query("SELECT * FROM analytics_product_daily")
        .fetch_all(&db.pool)
        .await?
    {
        out.product.insert(
            (
                row::text(&r, "company_id")?,
                row::text(&r, "store_id")?,
                row::text(&r, "business_day")?,
                row::text(&r, "product_id")?,
            ),
            sums(&r, true)?,
        );
    }
    for r in sqlx::query("SELECT * FROM analytics_product_monthly")
        .fetch_all(&db.pool)
        .await?
    {
        out.monthly.insert(
            (
                row::text(&r, "company_id")?,
                row::text(&r, "month")?,
                row::text(&r, "product_id")?,
            ),
            sums(&r, true)?,
        );
    }
    for (rows, dim) in out.by_sale.iter_mut().zip(&SALE_DIMS) {
        for r in sqlx::query(&format!("SELECT * FROM {}", dim.table))
            .fetch_all(&db.pool)
            .await?
        {
            rows.insert(
                (
                    row::text(&r, "company_id")?,
                    row::text(&r, "store_id")?,
                    row::text(&r, "business_day")?,
                    row::text(&r, dim.column)?,
                ),
                sums(&r, false)?,
            );
        }
    }
    for r in sqlx::query("SELECT * FROM analytics_tender_daily")
        .fetch_all(&db.pool)
        .await?
    {
        out.tender.insert(
            (
                row::text(&r, "company_id")?,
                row::text(&r, "store_id")?,
                row::text(&r, "business_day")?,
                row::text(&r, "code")?,
            ),
            (row::int(&r, "amount_minor")?, row::int(&r, "count")?),
        );
    }
    for r in sqlx::query("SELECT sale_id, cost_minor FROM analytics_applied")
        .fetch_all(&db.pool)
        .await?
    {
        out.sale_cost
            .insert(row::text(&r, "sale_id")?, row::int(&r, "cost_minor")?);
    }
    Ok(out)
}

fn without_cost(mut s: Sums) -> Sums {
    s.cost = 0;
    s
}

fn compare<K: Ord + std::fmt::Debug>(
    table: &str,
    want: &BTreeMap<K, Sums>,
    have: &BTreeMap<K, Sums>,
    out: &mut Vec<String>,
) {
    for (k, w) in want {
        match have.get(k) {
            None => out.push(format!("{table} {k:?}: missing (expected {w:?})")),
            Some(h) if without_cost(*h) != without_cost(*w) => {
                out.push(format!("{table} {k:?}: expected {w:?}, found {h:?}"))
            }
            _ => {}
        }
    }
    for (k, h) in have {
        if !want.contains_key(k) && without_cost(*h) != Sums::default() {
            out.push(format!("{table} {k:?}: not in the raw sales (found {h:?})"));
        }
    }
}

/// Recomputes every rollup from the raw sales and lists the differences (none = all agree).
pub async fn verify(db: &Db) -> StoreResult<VerifyReport> {
    let (n, want) = from_scratch(db).await?;
    let have = stored(db).await?;
    let mut d = Vec::new();
    compare("analytics_daily", &want.daily, &have.daily, &mut d);
    compare("analytics_hourly", &want.hourly, &have.hourly, &mut d);
    compare(
        "analytics_product_daily",
        &want.product,
        &have.product,
        &mut d,
    );
    compare(
        "analytics_product_monthly",
        &want.monthly,
        &have.monthly,
        &mut d,
    );
    for ((w, h), dim) in want.by_sale.iter().zip(&have.by_sale).zip(&SALE_DIMS) {
        compare(dim.table, w, h, &mut d);
    }
    for (k, w) in &want.tender {
        if have.tender.get(k) != Some(w) {
            d.push(format!(
                "analytics_tender_daily {k:?}: expected {w:?}, found {:?}",
                have.tender.get(k)
            ));
        }
    }
    for (k, h) in &have.tender {
        if !want.tender.contains_key(k) && *h != (0, 0) {
            d.push(format!(
                "analytics_tender_daily {k:?}: not in the raw sales"
            ));
        }
    }
    for id in want.sale_cost.keys() {
        if !have.sale_cost.contains_key(id) {
            d.push(format!("sale {id}: not applied"));
        }
    }
    for id in have.sale_cost.keys() {
        if !want.sale_cost.contains_key(id) {
            d.push(format!("analytics_applied {id}: no such sale"));
        }
    }
    // Cost: the same per store-day in every rollup, and the sum of the applied sales' costs.
    let mut day_cost: BTreeMap<(String, String), [i64; 7]> = BTreeMap::new();
    for ((_, s, day), m) in &have.daily {
        day_cost.entry((s.clone(), day.clone())).or_default()[0] += m.cost;
    }
    for ((_, s, day, _), m) in &have.hourly {
        day_cost.entry((s.clone(), day.clone())).or_default()[1] += m.cost;
    }
    for ((_, s, day, _), m) in &have.product {
        day_cost.entry((s.clone(), day.clone())).or_default()[2] += m.cost;
    }
    for (i, rows) in have.by_sale.iter().enumerate() {
        for ((_, s, day, _), m) in rows {
            day_cost.entry((s.clone(), day.clone())).or_default()[3 + i] += m.cost;
        }
    }
    for (k, c) in &day_cost {
        if c.iter().any(|x| *x != c[0]) {
            d.push(format!(
                "cost of {k:?} disagrees across rollups (daily, hourly, product, cashier, register, tier, channel): {c:?}"
            ));
        }
    }
    let daily_cost: i64 = have.daily.values().map(|m| m.cost).sum();
    let monthly_cost: i64 = have.monthly.values().map(|m| m.cost).sum();
    let applied_cost: i64 = have.sale_cost.values().sum();
    if daily_cost != applied_cost || monthly_cost != applied_cost {
        d.push(format!(
            "total cost: daily {daily_cost}, monthly {monthly_cost}, applied sales {applied_cost}"
        ));
    }
    let rows = have.daily.len()
        + have.hourly.len()
        + have.product.len()
        + have.monthly.len()
        + have.by_sale.iter().map(|r| r.len()).sum::<usize>()
        + have.tender.len();
    Ok(VerifyReport {
        sales: n,
        rows,
        differences: d,
    })
}

/// Empties every rollup and recomputes it from the raw sales (cost at today's costs), which
/// also answers a migration's request for a rebuild (`needs_rebuild`); returns how many sales
/// it applied.
pub async fn rebuild(db: &Db) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    let tables = [
        "analytics_daily",
        "analytics_hourly",
        "analytics_product_daily",
        "analytics_product_monthly",
        "analytics_tender_daily",
        "analytics_applied",
    ];
    for t in tables.into_iter().chain(SALE_DIMS.iter().map(|d| d.table)) {
        sqlx::query(&format!("DELETE FROM {t}"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE analytics_state SET watermark = '', needs_rebuild = 0 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    rollup::drain(db).await
}
