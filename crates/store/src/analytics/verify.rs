//! `salepoint analytics verify` and `rebuild`: every rollup recomputed from the raw sales and
//! compared with what the worker wrote; or emptied and recomputed.
//!
//! Cost is a snapshot of the moving-average cost when each sale was rolled up, so it is not
//! compared with today's costs: it is checked for consistency instead (each store-day's cost is
//! the same in the daily, hourly, product, cashier, register, tier and channel rollups, and
//! equals the sum of the costs recorded per applied sale).

use super::rollup::{self, CHAIN_DIMS, Rollups, SALE_COLUMNS, SALE_DIMS, SALE_FROM, Sums};
use crate::bulk::{self, Val};
use crate::db::{Backend, Db};
use crate::error::StoreResult;
use crate::{clock, row};
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
    for (rows, dim) in out.by_company.iter_mut().zip(&CHAIN_DIMS) {
        for r in sqlx::query(&format!("SELECT * FROM {}", dim.table))
            .fetch_all(&db.pool)
            .await?
        {
            rows.insert(
                (
                    row::text(&r, "company_id")?,
                    row::text(&r, dim.column)?,
                    row::text(&r, "product_id")?,
                ),
                sums(&r, true)?,
            );
        }
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
    for ((w, h), dim) in want
        .by_company
        .iter()
        .zip(&have.by_company)
        .zip(&CHAIN_DIMS)
    {
        compare(dim.table, w, h, &mut d);
    }
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
    let applied_cost: i64 = have.sale_cost.values().sum();
    let chain_cost: Vec<i64> = have
        .by_company
        .iter()
        .map(|rows| rows.values().map(|m| m.cost).sum())
        .collect();
    if daily_cost != applied_cost || chain_cost.iter().any(|c| *c != applied_cost) {
        d.push(format!(
            "total cost: daily {daily_cost}, chain-wide by day and by month {chain_cost:?}, \
             applied sales {applied_cost}"
        ));
    }
    let rows = have.daily.len()
        + have.hourly.len()
        + have.product.len()
        + have.by_company.iter().map(|r| r.len()).sum::<usize>()
        + have.by_sale.iter().map(|r| r.len()).sum::<usize>()
        + have.tender.len();
    Ok(VerifyReport {
        sales: n,
        rows,
        differences: d,
    })
}

/// The set of sales a rebuild counts, frozen once in a temporary table with each sale's
/// local hour and its lines' sums, so every rollup below is one `INSERT … SELECT … GROUP BY`
/// over the same sales.
const REBUILD_SALES: &str = "CREATE TEMP TABLE rebuild_sales (\
     id TEXT PRIMARY KEY, company_id TEXT NOT NULL, store_id TEXT NOT NULL, \
     created_at TEXT NOT NULL, business_day TEXT NOT NULL, hour BIGINT NOT NULL, \
     is_return BIGINT NOT NULL, cashier_id TEXT NOT NULL, register_id TEXT NOT NULL, \
     tier TEXT NOT NULL, channel_id TEXT NOT NULL, revenue BIGINT NOT NULL, net BIGINT NOT NULL, \
     tax BIGINT NOT NULL, discount BIGINT NOT NULL, quantity BIGINT NOT NULL, \
     sold BIGINT NOT NULL, returns BIGINT NOT NULL, cost BIGINT NOT NULL)";

/// Local hours by store time zone and UTC hour (`substr(created_at, 1, 13)`): the minutes
/// `from_minute..=to_minute` of that UTC hour fall in local hour `hour`. Minutes suffice
/// because time zone offsets and their changes are whole minutes.
const REBUILD_HOURS: &str = "CREATE TEMP TABLE rebuild_hours (\
     time_zone TEXT NOT NULL, hour_key TEXT NOT NULL, from_minute BIGINT NOT NULL, \
     to_minute BIGINT NOT NULL, hour BIGINT NOT NULL, \
     PRIMARY KEY (time_zone, hour_key, from_minute))";

/// A line's cost, exactly as `rollup::line_cost`: quantity (thousandths) × the product's
/// moving-average cost now, rounded half away from zero (integer division truncates toward
/// zero on both backends).
const LINE_COST: &str = "CASE WHEN l.quantity_milli * COALESCE(pc.avg_cost_minor, p.cost_price_minor) >= 0 \
     THEN (l.quantity_milli * COALESCE(pc.avg_cost_minor, p.cost_price_minor) + 500) / 1000 \
     ELSE (l.quantity_milli * COALESCE(pc.avg_cost_minor, p.cost_price_minor) - 500) / 1000 END";

/// The lines the worker counts (those of a known product), with their costs.
const LINE_FROM: &str = "sale_lines l JOIN products p ON p.id = l.product_id \
     LEFT JOIN product_costs pc ON pc.product_id = l.product_id";

/// The figures summed by the sale-level rollups (daily, hourly, cashier, register, tier,
/// channel), in the order of `MEASURES`.
const SALE_SUMS: &str = "SUM(revenue), SUM(net), SUM(tax), SUM(discount), SUM(quantity), \
     SUM(sold), SUM(1 - is_return), SUM(is_return), SUM(returns), SUM(cost)";

const MEASURES: &str = "revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, \
     sold_milli, orders, returns_count, returns_minor, cost_minor";

/// The local-hour segments of one UTC hour in one time zone, computed with the worker's own
/// `local_hour`: (from minute, to minute, local hour).
fn hour_segments(hour_key: &str, tz: &str) -> Vec<(i64, i64, i64)> {
    let Some(start) = clock::parse(&format!("{hour_key}:00:00.000000Z")) else {
        return Vec::new();
    };
    let start = start.unix_timestamp();
    let mut out: Vec<(i64, i64, i64)> = Vec::new();
    for m in 0..60 {
        let h = salepoint_domain::org::local_hour(start + 60 * m, tz);
        match out.last_mut() {
            Some(seg) if seg.2 == h => seg.1 = m,
            _ => out.push((m, m, h)),
        }
    }
    out
}

async fn run(tx: &mut crate::Tx, sql: &str) -> StoreResult<()> {
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}

/// Empties every rollup and recomputes it from the raw sales (cost at today's costs), which
/// also answers a migration's request for a rebuild (`needs_rebuild`); returns how many sales
/// it applied. Set-based: one `INSERT … SELECT … GROUP BY` per rollup in one transaction, the
/// same figures the worker's batches would add up (the rollup test compares them table by
/// table), at the speed of a few scans instead of one round of upserts per 500 sales.
pub async fn rebuild(db: &Db) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    if tx.backend == Backend::Postgres {
        // The worker on other servers waits (its cursor's move, then its `analytics_applied`
        // insert: locked in that order, as it takes them) until the rebuild commits, then finds
        // its cursor moved and its sales counted.
        run(
            &mut tx,
            "LOCK TABLE analytics_cursors, analytics_applied IN SHARE ROW EXCLUSIVE MODE",
        )
        .await?;
    }
    // Every company's outbox cursor to where this rebuild's reads stand, so that the worker
    // does not read again the events of every sale counted here (100,000 of the demo: ~30 s of
    // batches that find them all applied). PostgreSQL: the oldest transaction still running
    // before any sale is read — every event of an older one has committed and its sale is
    // counted below; later events are read again and their sales found applied. SQLite: the
    // newest event (this transaction holds the only writer).
    let cursors = match tx.backend {
        Backend::Postgres => {
            "INSERT INTO analytics_cursors (company_id, tx_id, seq) SELECT id, \
                 CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT), 0 FROM companies \
                 ON CONFLICT (company_id) DO UPDATE SET tx_id = excluded.tx_id, seq = excluded.seq"
        }
        Backend::Sqlite => {
            "INSERT INTO analytics_cursors (company_id, tx_id, seq) SELECT c.id, 0, \
                 COALESCE((SELECT MAX(e.seq) FROM outbox_events e WHERE e.company_id = c.id), 0) \
                 FROM companies c WHERE true \
                 ON CONFLICT (company_id) DO UPDATE SET tx_id = excluded.tx_id, seq = excluded.seq"
        }
    };
    run(&mut tx, cursors).await?;
    let tables = [
        "analytics_daily",
        "analytics_hourly",
        "analytics_product_daily",
        "analytics_tender_daily",
        "analytics_applied",
    ];
    for t in tables
        .into_iter()
        .chain(SALE_DIMS.iter().map(|d| d.table))
        .chain(CHAIN_DIMS.iter().map(|d| d.table))
    {
        run(&mut tx, &format!("DELETE FROM {t}")).await?;
    }
    run(&mut tx, REBUILD_HOURS).await?;
    let keys = sqlx::query(
        "SELECT DISTINCT st.time_zone, substr(s.created_at, 1, 13) AS hour_key \
         FROM sales s JOIN stores st ON st.id = s.store_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut hours: Vec<Vec<Val>> = Vec::new();
    for r in &keys {
        let (tz, key) = (row::text(r, "time_zone")?, row::text(r, "hour_key")?);
        for (from, to, h) in hour_segments(&key, &tz) {
            hours.push(vec![
                tz.clone().into(),
                key.clone().into(),
                from.into(),
                to.into(),
                h.into(),
            ]);
        }
    }
    bulk::insert(
        &mut tx,
        "INSERT INTO rebuild_hours (time_zone, hour_key, from_minute, to_minute, hour) VALUES ",
        &hours,
        "",
    )
    .await?;
    run(&mut tx, REBUILD_SALES).await?;
    // A timestamp that does not parse is hour 0, as in the worker.
    run(
        &mut tx,
        &format!(
            "INSERT INTO rebuild_sales SELECT f.id, f.company_id, f.store_id, f.created_at, \
             f.business_day, COALESCE(h.hour, 0), f.is_return, f.cashier_id, f.register_id, \
             f.tier, f.channel_id, COALESCE(ls.revenue, 0), COALESCE(ls.net, 0), \
             COALESCE(ls.tax, 0), COALESCE(ls.discount, 0), COALESCE(ls.quantity, 0), \
             CASE WHEN f.is_return = 1 THEN 0 ELSE COALESCE(ls.quantity, 0) END, \
             CASE WHEN f.is_return = 1 THEN -COALESCE(ls.revenue, 0) ELSE 0 END, \
             COALESCE(ls.cost, 0) \
             FROM (SELECT {SALE_COLUMNS}, CASE WHEN s.kind = 'return' THEN 1 ELSE 0 END AS is_return \
             FROM {SALE_FROM}) f \
             LEFT JOIN rebuild_hours h ON h.time_zone = f.time_zone \
             AND h.hour_key = substr(f.created_at, 1, 13) \
             AND CAST(substr(f.created_at, 15, 2) AS INTEGER) BETWEEN h.from_minute AND h.to_minute \
             LEFT JOIN (SELECT l.sale_id, SUM(l.total_minor) AS revenue, \
             SUM(l.total_minor - l.tax_minor) AS net, SUM(l.tax_minor) AS tax, \
             SUM(l.line_discount_minor + l.order_discount_minor) AS discount, \
             SUM(l.quantity_milli) AS quantity, SUM({LINE_COST}) AS cost \
             FROM {LINE_FROM} GROUP BY l.sale_id) ls ON ls.sale_id = f.id"
        ),
    )
    .await?;
    if tx.backend == Backend::Postgres {
        // Temporary tables get no statistics otherwise, and the joins below need them.
        run(&mut tx, "ANALYZE rebuild_sales").await?;
    }
    run(
        &mut tx,
        &format!(
            "INSERT INTO analytics_daily (store_id, business_day, company_id, {MEASURES}) \
             SELECT store_id, business_day, company_id, {SALE_SUMS} FROM rebuild_sales \
             GROUP BY company_id, store_id, business_day"
        ),
    )
    .await?;
    run(
        &mut tx,
        &format!(
            "INSERT INTO analytics_hourly (store_id, business_day, hour, company_id, {MEASURES}) \
             SELECT store_id, business_day, hour, company_id, {SALE_SUMS} FROM rebuild_sales \
             GROUP BY company_id, store_id, business_day, hour"
        ),
    )
    .await?;
    for dim in &SALE_DIMS {
        let (table, column) = (dim.table, dim.column);
        run(
            &mut tx,
            &format!(
                "INSERT INTO {table} (store_id, business_day, {column}, company_id, {MEASURES}) \
                 SELECT store_id, business_day, {column}, company_id, {SALE_SUMS} \
                 FROM rebuild_sales GROUP BY company_id, store_id, business_day, {column}"
            ),
        )
        .await?;
    }
    // Per product a sale counts once as an order (or a return) however many lines it has:
    // its lines are summed per (sale, product) first.
    run(
        &mut tx,
        &format!(
            "INSERT INTO analytics_product_daily (store_id, business_day, product_id, company_id, \
             {MEASURES}, returns_milli) \
             SELECT r.store_id, r.business_day, sp.product_id, r.company_id, SUM(sp.revenue), \
             SUM(sp.revenue - sp.tax), SUM(sp.tax), SUM(sp.discount), SUM(sp.quantity), \
             SUM(CASE WHEN r.is_return = 1 THEN 0 ELSE sp.quantity END), SUM(1 - r.is_return), \
             SUM(r.is_return), SUM(CASE WHEN r.is_return = 1 THEN -sp.revenue ELSE 0 END), \
             SUM(sp.cost), SUM(CASE WHEN r.is_return = 1 THEN -sp.quantity ELSE 0 END) \
             FROM (SELECT l.sale_id, l.product_id, SUM(l.total_minor) AS revenue, \
             SUM(l.tax_minor) AS tax, SUM(l.line_discount_minor + l.order_discount_minor) AS discount, \
             SUM(l.quantity_milli) AS quantity, SUM({LINE_COST}) AS cost \
             FROM {LINE_FROM} GROUP BY l.sale_id, l.product_id) sp \
             JOIN rebuild_sales r ON r.id = sp.sale_id \
             GROUP BY r.company_id, r.store_id, r.business_day, sp.product_id"
        ),
    )
    .await?;
    // A sale belongs to one store and one day, so a chain-wide product-day is the sum of its
    // stores' product-days, and a coarser period the sum of the finest chain-wide one's rows.
    let finest = &CHAIN_DIMS[0];
    for dim in &CHAIN_DIMS {
        let (from, day) = if std::ptr::eq(dim, finest) {
            ("analytics_product_daily", "business_day")
        } else {
            (finest.table, finest.column)
        };
        let (table, column, len) = (dim.table, dim.column, dim.len);
        run(
            &mut tx,
            &format!(
                "INSERT INTO {table} (company_id, {column}, product_id, {MEASURES}, returns_milli) \
                 SELECT company_id, substr({day}, 1, {len}), product_id, \
                 SUM(revenue_minor), SUM(net_minor), SUM(tax_minor), SUM(discount_minor), \
                 SUM(quantity_milli), SUM(sold_milli), SUM(orders), SUM(returns_count), \
                 SUM(returns_minor), SUM(cost_minor), SUM(returns_milli) \
                 FROM {from} GROUP BY company_id, substr({day}, 1, {len}), product_id"
            ),
        )
        .await?;
    }
    run(
        &mut tx,
        "INSERT INTO analytics_tender_daily (store_id, business_day, code, company_id, \
         amount_minor, count) SELECT r.store_id, r.business_day, t.code, r.company_id, \
         SUM(t.amount_minor), COUNT(*) FROM sale_tenders t JOIN rebuild_sales r ON r.id = t.sale_id \
         GROUP BY r.company_id, r.store_id, r.business_day, t.code",
    )
    .await?;
    run(
        &mut tx,
        "INSERT INTO analytics_applied (sale_id, store_id, created_at, cost_minor) \
         SELECT id, store_id, created_at, cost FROM rebuild_sales",
    )
    .await?;
    run(
        &mut tx,
        "UPDATE analytics_state SET needs_rebuild = 0, \
         watermark = COALESCE((SELECT MAX(created_at) FROM rebuild_sales), '') WHERE id = 1",
    )
    .await?;
    // One event per store, naming its newest business day, as the worker sends.
    let stores = sqlx::query(
        "SELECT company_id, store_id, MAX(business_day) AS day, CAST(COUNT(*) AS BIGINT) AS n \
         FROM rebuild_sales GROUP BY company_id, store_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut n = 0;
    let mut touched = BTreeMap::new();
    for r in &stores {
        n += row::int(r, "n")?;
        touched.insert(
            (row::text(r, "company_id")?, row::text(r, "store_id")?),
            row::text(r, "day")?,
        );
    }
    rollup::send_updated(&mut tx, &touched).await?;
    run(&mut tx, "DROP TABLE rebuild_sales").await?;
    run(&mut tx, "DROP TABLE rebuild_hours").await?;
    tx.commit().await?;
    db.notify();
    Ok(usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::hour_segments;

    /// Every second of UTC hours around offset changes (New York's DST, Adelaide's half-hour
    /// zone switching mid UTC hour, Lord Howe's 30-minute DST, Kathmandu's +5:45) falls in the
    /// local hour the worker computes.
    #[test]
    fn hour_segments_match_the_workers_local_hour() {
        let cases = [
            ("America/New_York", "2026-03-08T0"),
            ("America/New_York", "2026-11-01T0"),
            ("Australia/Adelaide", "2026-04-04T1"),
            ("Australia/Adelaide", "2026-10-03T1"),
            ("Australia/Lord_Howe", "2026-04-04T1"),
            ("Asia/Kathmandu", "2026-06-01T0"),
            ("Asia/Kolkata", "2026-06-01T1"),
        ];
        let mut splits = 0;
        for (tz, prefix) in cases {
            for d in 0..10 {
                let key = format!("{prefix}{d}");
                let segs = hour_segments(&key, tz);
                assert!(!segs.is_empty(), "{key}");
                splits += segs.len() - 1;
                let start = crate::clock::parse(&format!("{key}:00:00.000000Z"))
                    .unwrap()
                    .unix_timestamp();
                for s in (0..3600).step_by(7) {
                    let want = salepoint_domain::org::local_hour(start + s, tz);
                    let m = s / 60;
                    let seg = segs.iter().find(|g| g.0 <= m && m <= g.1).unwrap();
                    assert_eq!(seg.2, want, "{tz} {key} +{s}s");
                }
            }
        }
        assert!(splits >= 20, "half-hour zones split UTC hours: {splits}");
    }
}
