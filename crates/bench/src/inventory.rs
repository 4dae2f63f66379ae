//! Inventory figures: a chain of many locations × a full catalog of stocked products, seeded in
//! SQL (not through the API), then over real HTTP:
//! (a) one product at every location (`GET /products/{id}/stock` as the admin, who sees all:
//!     the default answer, 50 locations listed, and `?limit=1000`), one request at a time and
//!     then `--concurrency` (default 8) in flight;
//! (b) one location's low stock (`GET /stock/alerts?location_id=…&limit=200` and
//!     `GET /stock?location_id=…&status=low&limit=200`);
//! (c) receiving a 500-line purchase order (`POST /purchase-orders/{id}/receive`);
//! (d) the ledger check (`inventory::ledger::verify`) over all levels and movements.
//! With `--reuse`, a PostgreSQL database that already holds the seed at the sizes asked for is
//! measured as it is (the seed takes ~10 minutes at 20 M levels).
//!
//! The seed: the demo chain (company, admin, tax classes, ~5,000 products, 22 locations), grown
//! to `--locations` locations (every 20th a warehouse, spread over regions) and `--products`
//! products; a stock level for every location × product, written location by location (opening
//! stock, as a chain rolls out); and a ledger whose sums equal the levels exactly: a sixth of the
//! levels have an opening receipt and a sale (two movements), a sixth an opening receipt only,
//! the rest no stock and no movement — so movements ≈ levels / 2. A reorder rule sits on 30 % of
//! the stocked levels, a fifth of them at or below it: ≈ 2 % of all levels are low.

use crate::chain::{Api, Rng};
use crate::harness::{self, ADMIN_PASSWORD, drive, percentile};
use crate::seed_sql::{count, exec, lit, pad, print_sizes, scalar_text, series, uid};
use anyhow::Context;
use salepoint_store::Db;
use salepoint_store::db::Backend;
use salepoint_store::inventory::chains;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Lines of the purchase order received in (c).
const PO_LINES: usize = 500;
/// Purchase orders received in (c).
const PO_RUNS: usize = 20;
/// Requests per low-stock list in (b), one at a time.
const LIST_REQUESTS: usize = 200;
/// Page size of the lists in (b) (the API's largest).
const LIST_LIMIT: usize = 200;
/// Unmeasured requests before (a), so that connections are open and plans cached.
const WARMUP: usize = 100;
/// Timestamps of the seeded ledger (stored format: RFC 3339, six fractional digits, `Z`).
const OPENING_AT: &str = "2026-01-01T00:00:00.000000Z";
const SOLD_AT: &str = "2026-01-15T12:00:00.000000Z";

/// What the seed made.
struct Seeded {
    /// Every location, in id order.
    locations: Vec<String>,
    /// Every product of the company.
    products: Vec<String>,
    levels: i64,
    movements: i64,
}

pub async fn run(
    database_url: Option<&str>,
    locations: Option<usize>,
    products: usize,
    concurrency: usize,
    requests: usize,
    reuse: bool,
) -> anyhow::Result<()> {
    let s = if reuse {
        harness::start_reusing(database_url).await?
    } else {
        harness::start(database_url).await?
    };
    let pg = s.db.backend == Backend::Postgres;
    let locations = locations.unwrap_or(if pg { 1000 } else { 100 });
    println!(
        "inventory — backend: {}; cores: {}; {locations} locations × {products} products; \
         (a) {requests} requests, {concurrency} in flight",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let t = Instant::now();
    let seeded = match reused(&s.db, locations, products).await? {
        Some(seeded) if reuse => seeded,
        _ => seed(&s.db, locations, products).await?,
    };
    println!(
        "seeded (or reused): {} locations, {} products, {} stock levels, {} movements in {:.1} s (RSS {:.0} MiB)",
        seeded.locations.len(),
        seeded.products.len(),
        seeded.levels,
        seeded.movements,
        t.elapsed().as_secs_f64(),
        harness::rss_mib()
    );
    print_sizes(&s.db, &["stock_levels", "stock_movements"]).await?;
    let api = Api::login(&s, "admin", ADMIN_PASSWORD).await?;

    // (a) One product at every location: the default answer (totals over every location, the
    // first 50 listed) and the whole list (`limit=1000`).
    let products = Arc::new(seeded.products.clone());
    let bytes = Arc::new(AtomicU64::new(0));
    let product_stock = |query: &'static str| {
        let (api, products, bytes) = (api.clone(), products.clone(), bytes.clone());
        move |i: usize| {
            let (api, products, bytes) = (api.clone(), products.clone(), bytes.clone());
            async move {
                let id = &products[Rng(0xA5A5 ^ ((i as u64) << 8)).below(products.len())];
                let (status, body) = api
                    .load(&format!("/api/v1/products/{id}/stock{query}"))
                    .await;
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                status
            }
        }
    };
    for (query, listed) in [("", "default: 50 listed"), ("?limit=1000", "limit=1000")] {
        let f = product_stock(query);
        drive(WARMUP, concurrency, {
            let f = f.clone();
            move |i| f(i + 1_000_000)
        })
        .await;
        // One at a time first: the cost of one answer, without queueing behind the others.
        let phase = Phase::start();
        let alone = (requests / 4).max(1);
        let (lat, wall) = drive(alone, 1, {
            let f = f.clone();
            move |i| f(i + 2_000_000)
        })
        .await;
        phase.report(
            &format!("(a) GET /products/{{id}}/stock ({listed}), 1 in flight"),
            lat,
            wall,
        );
        bytes.store(0, Ordering::Relaxed);
        let phase = Phase::start();
        let (lat, wall) = drive(requests, concurrency, f).await;
        phase.report(
            &format!("(a) GET /products/{{id}}/stock ({listed}), {concurrency} in flight"),
            lat,
            wall,
        );
        println!(
            "    {} locations in scope, {:.0} KB per answer",
            seeded.locations.len(),
            bytes.load(Ordering::Relaxed) as f64 / requests as f64 / 1024.0
        );
    }

    // (b) One location's low stock, one request at a time.
    let locations = Arc::new(seeded.locations.clone());
    for (name, path) in [
        (
            "(b) GET /stock/alerts?location_id&limit=200",
            format!("/api/v1/stock/alerts?limit={LIST_LIMIT}&location_id="),
        ),
        (
            "(b) GET /stock?location_id&status=low&limit=200",
            format!("/api/v1/stock?status=low&limit={LIST_LIMIT}&location_id="),
        ),
    ] {
        let rows = Arc::new(AtomicU64::new(0));
        let phase = Phase::start();
        let (lat, wall) = drive(LIST_REQUESTS, 1, {
            let (api, locations, rows) = (api.clone(), locations.clone(), rows.clone());
            move |i| {
                let (api, locations, rows, path) =
                    (api.clone(), locations.clone(), rows.clone(), path.clone());
                async move {
                    let loc = &locations[Rng(0xB0B0 ^ ((i as u64) << 8)).below(locations.len())];
                    let (status, body) = api.load(&format!("{path}{loc}")).await;
                    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let n = v["data"].as_array().map_or(0, Vec::len);
                    rows.fetch_add(n as u64, Ordering::Relaxed);
                    status
                }
            }
        })
        .await;
        phase.report(&format!("{name}, 1 in flight"), lat, wall);
        println!(
            "    {:.0} rows per answer (at most {LIST_LIMIT})",
            rows.load(Ordering::Relaxed) as f64 / LIST_REQUESTS as f64
        );
    }

    // (c) Receiving a 500-line purchase order.
    receive_pos(&api, &seeded).await?;

    // (d) The ledger check.
    let phase = Phase::start();
    let t = Instant::now();
    let report = salepoint_store::inventory::ledger::verify(&s.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let took = t.elapsed();
    let movements = count(&s.db, "stock_movements").await?;
    println!(
        "(d) ledger verify: {} levels, {movements} movements, {} mismatches, {} broken chains in {:.2} s (RSS {:.0} MiB, peak {:.0} MiB{})",
        report.levels,
        report.mismatches.len(),
        report.broken_chains,
        took.as_secs_f64(),
        harness::rss_mib(),
        harness::peak_rss_mib(),
        phase.peak_note()
    );
    Ok(())
}

/// A measured phase: resets the peak RSS at its start and prints its figures.
struct Phase {
    peak_reset: bool,
}

impl Phase {
    fn start() -> Phase {
        Phase {
            peak_reset: harness::reset_peak_rss(),
        }
    }

    fn peak_note(&self) -> &'static str {
        if self.peak_reset { "" } else { " since start" }
    }

    fn report(&self, name: &str, mut lat: Vec<Duration>, wall: Duration) {
        lat.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:<52} {:>5} req  {:>7.1} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  RSS {:.0} MiB, peak {:.0} MiB{}",
            lat.len(),
            lat.len() as f64 / wall.as_secs_f64(),
            ms(percentile(&lat, 0.50)),
            ms(percentile(&lat, 0.99)),
            ms(*lat.last().expect("at least one request")),
            harness::rss_mib(),
            harness::peak_rss_mib(),
            self.peak_note()
        );
    }
}

/// (c): `PO_RUNS` times a purchase order of `PO_LINES` random products at a random location is
/// created, submitted (and approved: its total is above the approval limit), then received in
/// full; only the receipt is timed, the other steps are printed for reference.
async fn receive_pos(api: &Api, seeded: &Seeded) -> anyhow::Result<()> {
    let supplier = api
        .post(
            "/api/v1/suppliers",
            // A code of its own per run: a reused database keeps earlier runs' suppliers.
            &json!({"code": format!("BENCH-INV-{}", std::process::id()), "name": "压测供应商", "lead_time_days": 3}),
            201,
        )
        .await?;
    let supplier = supplier["id"].as_str().context("supplier id")?.to_string();
    let mut rng = Rng(0xC0FFEE);
    let (mut create, mut approve, mut receive) = (Vec::new(), Vec::new(), Vec::new());
    let phase = Phase::start();
    let mut receive_wall = Duration::ZERO;
    for _ in 0..PO_RUNS {
        let location = &seeded.locations[rng.below(seeded.locations.len())];
        // PO_LINES distinct random products.
        let mut picked = std::collections::BTreeSet::new();
        while picked.len() < PO_LINES.min(seeded.products.len()) {
            picked.insert(rng.below(seeded.products.len()));
        }
        let lines: Vec<Value> = picked
            .iter()
            .map(|&k| json!({"product_id": seeded.products[k], "quantity": "24", "unit_cost_minor": 350}))
            .collect();
        let t = Instant::now();
        let po = api
            .post_idempotent(
                "/api/v1/purchase-orders",
                &json!({"supplier_id": supplier, "location_id": location,
                        "expected_date": "2026-12-01", "notes": "压测", "lines": lines}),
                201,
            )
            .await?;
        create.push(t.elapsed());
        let id = po["id"].as_str().context("po id")?.to_string();
        let t = Instant::now();
        let mut po = api
            .post(
                &format!("/api/v1/purchase-orders/{id}/submit"),
                &json!({"version": po["version"]}),
                200,
            )
            .await?;
        if po["status"] == "submitted" {
            po = api
                .post(
                    &format!("/api/v1/purchase-orders/{id}/approve"),
                    &json!({"version": po["version"]}),
                    200,
                )
                .await?;
        }
        approve.push(t.elapsed());
        anyhow::ensure!(
            po["status"] == "approved",
            "PO not approved: {}",
            po["status"]
        );
        let all: Vec<Value> = (1..=picked.len())
            .map(|n| json!({"line_no": n, "quantity": "24"}))
            .collect();
        let t = Instant::now();
        let po = api
            .post_idempotent(
                &format!("/api/v1/purchase-orders/{id}/receive"),
                &json!({"lines": all, "notes": ""}),
                201,
            )
            .await?;
        let took = t.elapsed();
        receive.push(took);
        receive_wall += took;
        anyhow::ensure!(
            po["status"] == "received",
            "PO not received: {}",
            po["status"]
        );
    }
    phase.report(
        &format!("(c) POST /purchase-orders/{{id}}/receive, {PO_LINES} lines"),
        receive,
        receive_wall,
    );
    let summary = |name: &str, mut lat: Vec<Duration>| {
        lat.sort();
        println!(
            "    for reference, {name}: p50 {:.1} ms, max {:.1} ms",
            percentile(&lat, 0.5).as_secs_f64() * 1e3,
            lat.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
        );
    };
    summary(&format!("POST /purchase-orders ({PO_LINES} lines)"), create);
    summary("submit + approve", approve);
    Ok(())
}

/// The seed an earlier run left (`--reuse`): every location holds a level of every product,
/// at the sizes asked for. The seed takes minutes at 20 M levels, so a session builds it once
/// and measures over it as often as it needs.
async fn reused(db: &Db, locations: usize, products: usize) -> anyhow::Result<Option<Seeded>> {
    let ids = |sql: &'static str| async move {
        anyhow::Ok(
            sqlx::query_scalar::<_, String>(sql)
                .fetch_all(&db.pool)
                .await?,
        )
    };
    let location_ids = ids("SELECT id FROM stores ORDER BY id").await?;
    let product_ids = ids("SELECT id FROM products ORDER BY id").await?;
    let levels = count(db, "stock_levels").await?;
    if location_ids.len() != locations
        || product_ids.len() != products
        || levels != (locations * products) as i64
    {
        return Ok(None);
    }
    Ok(Some(Seeded {
        locations: location_ids,
        products: product_ids,
        levels,
        movements: count(db, "stock_movements").await?,
    }))
}

/// The seed (see the module's comment). Everything but the demo chain is written by
/// `INSERT … SELECT` in the database.
async fn seed(db: &Db, locations: usize, products: usize) -> anyhow::Result<Seeded> {
    let pg = db.backend == Backend::Postgres;
    let company = scalar_text(db, "SELECT id FROM companies ORDER BY id LIMIT 1").await?;
    let c = lit(&company);
    let admin = scalar_text(db, "SELECT id FROM users WHERE username = 'admin'").await?;
    let tax = scalar_text(
        db,
        &format!("SELECT id FROM tax_classes WHERE company_id = {c} ORDER BY code LIMIT 1"),
    )
    .await?;
    let now = lit(&salepoint_store::clock::now());
    let t = Instant::now();

    // Regions (one per ~40 locations), locations and products.
    let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let regions_now = count(db, "regions").await? as usize;
    let regions = (locations / 40).max(regions_now);
    if regions > regions_now {
        exec(
            &mut tx,
            &format!(
                "INSERT INTO regions (id, company_id, code, name, created_at, updated_at) \
                 SELECT {}, {c}, 'BR' || {p}, '压测区域 ' || {p}, {now}, {now} FROM {}",
                uid(pg, 4, "g.n"),
                series(pg, 1, regions - regions_now),
                p = pad(pg, "g.n", 3),
            ),
        )
        .await?;
    }
    let stores_now = count(db, "stores").await? as usize;
    if locations > stores_now {
        let wh = "g.n % 20 = 0";
        exec(
            &mut tx,
            &format!(
                "INSERT INTO stores (id, company_id, region_id, code, name, kind, address, time_zone, \
                 business_day_cutoff_hour, cash_rounding, negative_stock_policy, active, created_at, updated_at) \
                 SELECT {id}, {c}, rg.id, 'BL' || {p}, \
                   CASE WHEN {wh} THEN '压测仓库 ' ELSE '压测门店 ' END || {p}, \
                   CASE WHEN {wh} THEN 'warehouse' ELSE 'store' END, '压测路 ' || {p} || ' 号', \
                   'Asia/Shanghai', 4, CASE WHEN {wh} THEN 'none' ELSE '0.1' END, \
                   CASE WHEN {wh} THEN 'refuse' ELSE 'allow' END, 1, {now}, {now} \
                 FROM {g} JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS r FROM regions \
                   WHERE company_id = {c}) rg ON rg.r = g.n % {regions}",
                id = uid(pg, 1, "g.n"),
                p = pad(pg, "g.n", 4),
                g = series(pg, 1, locations - stores_now),
            ),
        )
        .await?;
    }
    let products_now = count(db, "products").await? as usize;
    if products > products_now {
        exec(
            &mut tx,
            &format!("INSERT INTO catalog_head (company_id, seq) VALUES ({c}, 0) ON CONFLICT (company_id) DO NOTHING"),
        )
        .await?;
        exec(
            &mut tx,
            &format!("UPDATE catalog_head SET seq = seq + 1 WHERE company_id = {c}"),
        )
        .await?;
        let p = pad(pg, "g.n", 6);
        exec(
            &mut tx,
            &format!(
                "INSERT INTO products (id, company_id, sku, name_zh, name_en, receipt_name, brand, unit, \
                 sold_by_weight, quantity_precision, tax_class_id, cost_price_minor, list_price_minor, status, \
                 attributes, search_text, change_seq, created_at, updated_at) \
                 SELECT {id}, {c}, 'INV' || {p}, '库存压测商品' || {p}, 'Inventory bench item ' || {p}, \
                   '压测' || {p}, '压测', 'piece', 0, 0, {tax}, 100 + g.n % 900, (100 + g.n % 900) * 13 / 10, \
                   'active', '{{}}', 'inv' || {p} || ' | 库存压测商品' || {p} || ' | inventory bench item ' || {p} \
                   || ' | kucunyaceshangpin' || {p} || ' | kcycsp', \
                   (SELECT seq FROM catalog_head WHERE company_id = {c}), {now}, {now} FROM {g}",
                id = uid(pg, 2, "g.n"),
                tax = lit(&tax),
                g = series(pg, 1, products - products_now),
            ),
        )
        .await?;
    }
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let location_ids: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT id FROM stores WHERE company_id = {c} ORDER BY id"
    ))
    .fetch_all(&db.pool)
    .await?;
    let product_ids: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT id FROM products WHERE company_id = {c} ORDER BY id"
    ))
    .fetch_all(&db.pool)
    .await?;
    println!(
        "  master data: {} locations, {} products ({:.1} s)",
        location_ids.len(),
        product_ids.len(),
        t.elapsed().as_secs_f64()
    );

    // Levels and ledger, location by location, without the secondary indexes (and, on
    // PostgreSQL, the primary keys), which are built afterwards in one sort each.
    let t = Instant::now();
    let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if pg {
        exec(
            &mut tx,
            "SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL synchronous_commit = off",
        )
        .await?;
    }
    let rebuild = drop_indexes(&mut tx, pg).await?;
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_products AS SELECT id, cost_price_minor AS cost, \
             row_number() OVER (ORDER BY id) AS j FROM products WHERE company_id = {c}"
        ),
    )
    .await?;
    let np = product_ids.len();
    let mut levels = 0;
    let mut movements = 0;
    for (idx, loc) in location_ids.iter().enumerate() {
        let i = idx + 1;
        let l = lit(loc);
        // The pattern of level (i, j): k picks the shape, h a pseudo-random figure.
        let k = format!("(({i} + j) % 6)");
        let h = format!("(((({i} * 20011 + j) * 2654435761) / 7) % 1000)");
        let q1 = format!("(1000 * (20 + {h} % 80))");
        let q2 = format!("(1000 * (1 + {h} % 15))");
        let on_hand = format!("(CASE {k} WHEN 0 THEN {q1} - {q2} WHEN 1 THEN {q1} ELSE 0 END)");
        let ruled = format!("({k} < 2 AND {h} % 100 < 30)");
        let low = format!("({h} / 100 % 5 = 0)");
        levels += exec(
            &mut tx,
            &format!(
                "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, reserved_milli, \
                 in_transit_milli, reorder_point_milli, reorder_qty_milli, max_milli, updated_at) \
                 SELECT {l}, id, {c}, {on_hand}, 0, 0, \
                   CASE WHEN {ruled} THEN CASE WHEN {low} THEN {on_hand} + 2000 ELSE 3000 END END, \
                   CASE WHEN {ruled} THEN 50000 END, CASE WHEN {ruled} THEN 300000 END, {now} \
                 FROM bench_products ORDER BY j"
            ),
        )
        .await?;
        let cols = "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, \
             unit_cost_minor, ref_type, ref_id, ref_line, user_id, flagged, at) ";
        let n = format!("(({i} - 1) * {np} + j)");
        movements += exec(
            &mut tx,
            &format!(
                "{cols} SELECT {id}, {c}, {l}, id, 'receipt', {q1}, cost, 'goods_receipt', {opening}, j, {u}, 0, {at} \
                 FROM bench_products WHERE {k} < 2 ORDER BY j",
                id = uid(pg, 3, &format!("{n} * 2")),
                opening = lit(&format!("01900000-0005-7000-8000-{i:012x}")),
                u = lit(&admin),
                at = lit(OPENING_AT),
            ),
        )
        .await?;
        movements += exec(
            &mut tx,
            &format!(
                "{cols} SELECT {id}, {c}, {l}, id, 'sale', -{q2}, 0, 'sale', {sale}, 1, {u}, 0, {at} \
                 FROM bench_products WHERE {k} = 0 ORDER BY j",
                id = uid(pg, 3, &format!("{n} * 2 + 1")),
                sale = uid(pg, 6, &n),
                u = lit(&admin),
                at = lit(SOLD_AT),
            ),
        )
        .await?;
        if i % 100 == 0 || i == location_ids.len() {
            println!(
                "  {i} locations: {levels} levels, {movements} movements ({:.1} s)",
                t.elapsed().as_secs_f64()
            );
        }
    }
    exec(&mut tx, "DROP TABLE bench_products").await?;
    let t2 = Instant::now();
    for sql in &rebuild {
        exec(&mut tx, sql).await?;
    }
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "  levels and ledger {:.1} s, of which indexes {:.1} s",
        t.elapsed().as_secs_f64(),
        t2.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    if pg {
        // What autovacuum would do soon anyway; now rather than during the measurements.
        sqlx::raw_sql("VACUUM (ANALYZE)").execute(&db.pool).await?;
        println!("  VACUUM (ANALYZE) {:.1} s", t.elapsed().as_secs_f64());
    } else {
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.pool)
            .await?;
        println!("  WAL checkpoint {:.1} s", t.elapsed().as_secs_f64());
    }
    Ok(Seeded {
        locations: location_ids,
        products: product_ids,
        levels: levels as i64,
        movements: movements as i64,
    })
}

/// Drops the indexes of `stock_levels` and `stock_movements` that a bulk load should not
/// maintain row by row; returns the statements that recreate them exactly. PostgreSQL: all of
/// them, primary keys included; SQLite: the secondary ones (`stock_levels` is clustered by its
/// key, `WITHOUT ROWID`). Also used by the analytics benchmark's inventory reports phase.
pub(crate) async fn drop_indexes(
    tx: &mut sqlx::AnyConnection,
    pg: bool,
) -> anyhow::Result<Vec<String>> {
    let mut rebuild = Vec::new();
    if pg {
        let cons: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid) \
             FROM pg_constraint c WHERE c.conrelid IN ('stock_levels'::regclass, 'stock_movements'::regclass) \
             AND c.contype IN ('p', 'u')",
        )
        .fetch_all(&mut *tx)
        .await?;
        let idx: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.indexname::text, i.indexdef FROM pg_indexes i WHERE i.tablename IN ('stock_levels', 'stock_movements') \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (name, def) in idx {
            exec(tx, &format!("DROP INDEX {name}")).await?;
            rebuild.push(def);
        }
        for (table, name, def) in cons {
            exec(tx, &format!("ALTER TABLE {table} DROP CONSTRAINT {name}")).await?;
            rebuild.insert(
                0,
                format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}"),
            );
        }
    } else {
        let idx: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('stock_levels', 'stock_movements') AND sql IS NOT NULL",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (name, def) in idx {
            exec(tx, &format!("DROP INDEX {name}")).await?;
            rebuild.push(def);
        }
        // The movement chains (migration 0023) are built once after the load, not row by row.
        let trigger = chains::drop_trigger(tx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        rebuild.extend(chains::SQLITE_REBUILD.map(str::to_string));
        rebuild.push(trigger);
    }
    Ok(rebuild)
}
