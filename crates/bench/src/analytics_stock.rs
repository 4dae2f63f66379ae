//! The inventory reports at chain size (issue 7, "Inventory reports"; docs/analytics.md): a
//! phase of the analytics benchmark. The generated chain sells but holds no stock, so this
//! first gives every location a level of every product with a ledger that sums to it, written
//! in SQL inside the database:
//! - an opening receipt the day before the generated year for three levels in four;
//! - a `sale` (or `return`) movement for every generated sale line, at the sale's time;
//! - a replenishment receipt per store, product and month of what the store sold that month
//!   (from the `analytics_product_daily` rollup), on the month's first day;
//! - a moving-average cost (`product_costs`) for every other product, the rest at cost price.
//!
//! Then, as the head-office admin over real HTTP, one request at a time after one unmeasured:
//! each kind of `GET /reports/inventory` for the whole chain as the screen asks for it — value
//! by location and by category, turnover and sell-through over this month and over the last
//! whole quarter, cover over 28 days, dead stock over 90 days (first 200 by value).

use crate::chain::Api;
use crate::harness::{self, Server};
use crate::seed_sql::{count, exec, lit, print_sizes, scalar_text, uid};
use salepoint_store::Db;
use salepoint_store::db::Backend;
use std::time::Instant;
use time::{Date, Duration};

/// What the seed wrote.
struct Seeded {
    levels: u64,
    movements: u64,
}

/// Seeds the stock of the generated chain, then times each report kind `requests` times.
pub(crate) async fn run(
    s: &Server,
    api: &Api,
    today: Date,
    year_from: Date,
    quarter: (Date, Date),
    requests: usize,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let seeded = seed(&s.db, year_from).await?;
    println!(
        "inventory reports: seeded {} stock levels and {} movements in {:.1} s; load average {}",
        seeded.levels,
        seeded.movements,
        t.elapsed().as_secs_f64(),
        harness::load_average()
    );
    print_sizes(&s.db, &["stock_levels", "stock_movements"]).await?;
    let month_from = today.replace_day(1)?;
    let (q_from, q_to) = quarter;
    let series: Vec<(String, String)> = vec![
        ("value by location".into(), "kind=value".into()),
        (
            "value by category".into(),
            "kind=value&group=category".into(),
        ),
        (
            "turnover by location, this month".into(),
            format!("kind=turnover&from={month_from}&to={today}&top=200&order=-turnover"),
        ),
        (
            "turnover by location, last quarter".into(),
            format!("kind=turnover&from={q_from}&to={q_to}&top=200&order=-turnover"),
        ),
        (
            "cover by location, 28 days".into(),
            "kind=cover&top=200&order=-cover_days".into(),
        ),
        (
            "sell-through by location, this month".into(),
            format!("kind=sell_through&from={month_from}&to={today}&top=200&order=-sell_through"),
        ),
        (
            "sell-through by location, last quarter".into(),
            format!("kind=sell_through&from={q_from}&to={q_to}&top=200&order=-sell_through"),
        ),
        (
            "dead stock, 90 days, first 200".into(),
            "kind=dead_stock&top=200".into(),
        ),
    ];
    for (name, query) in series {
        let path = format!("/api/v1/reports/inventory?{query}");
        let first = api.get(&path).await?;
        let (lat, wall) = crate::analytics::one_at_a_time(api, &path, 0, requests).await;
        harness::report_max(&format!("GET /reports/inventory: {name}"), lat, wall);
        println!(
            "    {} rows, totals {}; load average {}",
            first["row_count"],
            first["totals"],
            harness::load_average()
        );
    }
    Ok(())
}

/// The stock and ledger of every location (see the module's comment), loaded without the
/// indexes of `stock_levels` and `stock_movements`, which are rebuilt afterwards.
async fn seed(db: &Db, year_from: Date) -> anyhow::Result<Seeded> {
    let pg = db.backend == Backend::Postgres;
    anyhow::ensure!(
        count(db, "stock_levels").await? == 0,
        "the generated chain should hold no stock yet"
    );
    let company = scalar_text(db, "SELECT id FROM companies ORDER BY id LIMIT 1").await?;
    let c = lit(&company);
    let admin = lit(&scalar_text(db, "SELECT id FROM users WHERE username = 'admin'").await?);
    let now = lit(&salepoint_store::clock::now());
    let opening_at = lit(&format!(
        "{}T00:00:00.000000Z",
        year_from - Duration::days(1)
    ));
    let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if pg {
        exec(
            &mut tx,
            "SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL work_mem = '256MB'; \
             SET LOCAL synchronous_commit = off",
        )
        .await?;
    }
    let rebuild = crate::inventory::drop_indexes(&mut tx, pg).await?;
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_locs AS SELECT id, row_number() OVER (ORDER BY code) AS i \
             FROM stores WHERE company_id = {c}; \
             CREATE TEMP TABLE bench_products AS SELECT id, cost_price_minor AS cost, \
             row_number() OVER (ORDER BY id) AS j FROM products WHERE company_id = {c}"
        ),
    )
    .await?;
    let cols = "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, \
         unit_cost_minor, ref_type, ref_id, ref_line, user_id, flagged, at) ";
    let np = count(db, "products").await?;
    let h = "((((l.i * 20011 + p.j) * 2654435761) / 7) % 1000)";
    let month = "substr(business_day, 1, 7)";
    // One statement, in time order, as the writers append the ledger (its heap is then laid
    // out by time, as in production).
    let t = Instant::now();
    let movements = exec(
        &mut tx,
        &format!(
            "{cols} SELECT * FROM ( \
             SELECT {opening_id} AS id, {c} AS c, l.id AS l, p.id AS p, 'receipt' AS k, \
               1000 * (20 + {h} % 80) AS q, p.cost AS cost, 'goods_receipt' AS rt, {opening} AS r, \
               p.j AS rl, {admin} AS u, 0 AS f, {opening_at} AS at \
             FROM bench_locs l CROSS JOIN bench_products p WHERE (l.i + p.j) % 4 <> 0 \
             UNION ALL \
             SELECT {sale_id}, {c}, sl.store_id, sl.product_id, \
               CASE WHEN s.kind = 'sale' THEN 'sale' ELSE 'return' END, -sl.quantity_milli, 0, \
               'sale', s.id, sl.line_no, s.cashier_id, 0, s.created_at \
             FROM sale_lines sl JOIN sales s ON s.id = sl.sale_id \
             UNION ALL \
             SELECT {restock_id}, {c}, store_id, product_id, 'receipt', q, 0, 'goods_receipt', \
               {restock}, 1, {admin}, 0, m || '-01T01:00:00.000000Z' \
             FROM (SELECT store_id, product_id, {month} AS m, SUM(sold_milli) AS q \
               FROM analytics_product_daily WHERE company_id = {c} \
               GROUP BY store_id, product_id, {month}) x WHERE q > 0 \
             ) y ORDER BY at",
            opening_id = uid(pg, 7, &format!("(l.i - 1) * {np} + p.j")),
            opening = lit("01900000-0007-7000-8000-000000000000"),
            sale_id = uid(pg, 8, "row_number() OVER ()"),
            restock_id = uid(pg, 9, "row_number() OVER ()"),
            restock = lit("01900000-0009-7000-8000-000000000000"),
        ),
    )
    .await?;
    println!(
        "  ledger: {movements} movements (opening receipts, sales and returns, monthly receipts) ({:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    exec(
        &mut tx,
        "CREATE TEMP TABLE bench_sums AS SELECT location_id, product_id, SUM(quantity_milli) AS q \
         FROM stock_movements GROUP BY location_id, product_id",
    )
    .await?;
    if !pg {
        exec(
            &mut tx,
            "CREATE UNIQUE INDEX bench_sums_key ON bench_sums (location_id, product_id)",
        )
        .await?;
    }
    let levels = exec(
        &mut tx,
        &format!(
            "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, reserved_milli, \
             in_transit_milli, updated_at) \
             SELECT l.id, p.id, {c}, COALESCE(m.q, 0), 0, 0, {now} \
             FROM bench_locs l CROSS JOIN bench_products p \
             LEFT JOIN bench_sums m ON m.location_id = l.id AND m.product_id = p.id ORDER BY l.i, p.j"
        ),
    )
    .await?;
    exec(
        &mut tx,
        &format!(
            "INSERT INTO product_costs (product_id, company_id, avg_cost_minor, updated_at) \
             SELECT id, {c}, cost * 95 / 100, {now} FROM bench_products WHERE j % 2 = 0 \
             ON CONFLICT (product_id) DO NOTHING; \
             DROP TABLE bench_sums; DROP TABLE bench_locs; DROP TABLE bench_products"
        ),
    )
    .await?;
    println!("  levels: {levels} ({:.1} s)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for sql in &rebuild {
        exec(&mut tx, sql).await?;
    }
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("  indexes {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    if pg {
        sqlx::raw_sql("VACUUM (ANALYZE) stock_levels, stock_movements, product_costs")
            .execute(&db.pool)
            .await?;
    } else {
        let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        salepoint_store::db::execute(&mut tx, "ANALYZE")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.pool)
            .await?;
    }
    println!(
        "  statistics and checkpoint {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(Seeded { levels, movements })
}
