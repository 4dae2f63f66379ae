//! Analytics figures (issue 7): a chain of `--stores` stores (default 200) with `--days` days
//! (365) of sales ending today, about `--lines` sale lines (10,000,000), generated in bulk
//! (`analytics_seed`), rolled up by the same code as `salepoint analytics rebuild`; then over
//! real HTTP as the head-office admin, one request at a time: the dashboard; revenue by store ×
//! month for the year; by product × business day for one store and one quarter; the top 100
//! products of the chain over the last twelve whole months; an export of ~100,000 rows to XLSX;
//! and the dashboard's lag behind a sale under `--rate` sales/s of background load
//! (`analytics_lag`).
//!
//! `SALEPOINT_BENCH_PHASES` (any of `dashboard`, `reports`, `export`, `stock`, `lag`; default
//! all; `none` stops after the generation and rollup) runs only those phases.
//! `SALEPOINT_BENCH_LAG_REGISTERS=N` sets the background registers of the lag phase (default
//! 64).

use crate::analytics_seed::{self, Plan};
use crate::bulk_load::Loader;
use crate::chain::Api;
use crate::harness::{self, ADMIN_PASSWORD, Server, drive, load_average};
use crate::seed_sql::{count, print_sizes};
use salepoint_store::db::Backend;
use std::time::{Duration, Instant};
use time::{Date, Month};

/// How big a run is, and how long its load lasts.
pub(crate) struct Options {
    pub(crate) stores: usize,
    pub(crate) days: i64,
    pub(crate) lines: u64,
    pub(crate) products: usize,
    pub(crate) requests: usize,
    pub(crate) rate: f64,
    pub(crate) lag_seconds: u64,
}

/// Requests before each measured series (connections, caches).
const WARMUP: usize = 10;
/// Rows the export should reach (issue 7).
const EXPORT_ROWS: i64 = 100_000;
/// Exports timed.
const EXPORTS: usize = 3;
/// Above this many lines verify's in-memory recomputation is too big for the machine; below
/// it the benchmark proves its rollups equal the raw sales.
const VERIFY_UP_TO: u64 = 1_000_000;

/// Generates the chain and rolls it up, then measures; with `reuse` (`--reuse` and a
/// `--database-url` that already holds a generated chain, e.g. a kept SQLite file) it measures
/// the sales reports and the lag again over what is there and skips the inventory phase, so
/// that figures can be re-taken on a quiet machine without the hour of generation.
pub(crate) async fn run(
    database_url: Option<&str>,
    reuse: bool,
    o: &Options,
) -> anyhow::Result<()> {
    let s = if reuse {
        harness::start_reusing(database_url).await?
    } else {
        harness::start(database_url).await?
    };
    println!(
        "analytics — backend: {}; cores: {}; {} stores × {} days, ~{} lines; load average {}",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        o.stores,
        o.days,
        o.lines,
        load_average()
    );
    let phases = std::env::var("SALEPOINT_BENCH_PHASES").unwrap_or_default();
    let wants = |phase: &str| phases.is_empty() || phases.split(',').any(|p| p.trim() == phase);
    let store_ids = if reuse && count(&s.db, "analytics_applied").await? > 0 {
        println!(
            "reusing the generated chain: {} sales and returns, {} sale lines",
            count(&s.db, "sales").await?,
            count(&s.db, "sale_lines").await?
        );
        sqlx::query_scalar("SELECT id FROM stores WHERE kind = 'store' ORDER BY code")
            .fetch_all(&s.db.pool)
            .await?
    } else {
        generate_and_roll_up(&s, database_url, o).await?
    };
    if phases == "none" {
        return Ok(());
    }
    let api = Api::login(&s, "admin", ADMIN_PASSWORD).await?;
    let today = Date::parse(
        &salepoint_store::clock::now()[..10],
        time::macros::format_description!("[year]-[month]-[day]"),
    )?;
    let year_from = today - time::Duration::days(o.days - 1);
    let (q_from, q_to) = last_quarter(today);
    let (m_from, m_to) = whole_months(today, 12);
    harness::reset_peak_rss();
    if wants("dashboard") {
        let dashboard = api.get("/api/v1/reports/dashboard").await?;
        println!(
            "dashboard today: revenue {} fen, {} orders, {} stores, load average {}",
            dashboard["revenue"],
            dashboard["orders"],
            dashboard["stores"].as_array().map_or(0, Vec::len),
            load_average()
        );
        measure(
            &api,
            o.requests,
            "GET /reports/dashboard (head office)",
            "/api/v1/reports/dashboard".into(),
        )
        .await?;
    }
    if wants("reports") {
        let store_month =
            format!("/api/v1/reports/sales?from={year_from}&to={today}&group=store,month");
        measure(&api, o.requests, "store × month, the year", store_month).await?;
        let one_store = &store_ids[0];
        let product_day = format!(
            "/api/v1/reports/sales?from={q_from}&to={q_to}&group=product,business_day&stores={one_store}"
        );
        measure(
            &api,
            o.requests,
            "product × business day, 1 store, 1 quarter",
            product_day,
        )
        .await?;
        let top = format!(
            "/api/v1/reports/sales?from={m_from}&to={m_to}&group=product&top=100&order=-revenue"
        );
        measure(
            &api,
            o.requests,
            "top 100 products, chain, 12 whole months",
            top,
        )
        .await?;
    }
    if wants("export") {
        export(&s, &api, today).await?;
    }
    // The inventory reports over the same chain, given stock (crate::analytics_stock).
    if reuse {
        println!("inventory reports: skipped (--reuse)");
    } else if wants("stock") {
        crate::analytics_stock::run(
            &s,
            &api,
            today,
            year_from,
            (q_from, q_to),
            (o.requests / 10).max(3),
        )
        .await?;
    }
    println!(
        "memory: peak RSS {:.0} MiB during the reports (server + load generator)",
        harness::peak_rss_mib()
    );
    if wants("lag") {
        let registers = std::env::var("SALEPOINT_BENCH_LAG_REGISTERS")
            .ok()
            .map(|v| v.parse().expect("SALEPOINT_BENCH_LAG_REGISTERS=N"))
            .unwrap_or(crate::analytics_lag::BACKGROUND_REGISTERS);
        crate::analytics_lag::run(
            &s,
            &api,
            o.rate,
            Duration::from_secs(o.lag_seconds),
            registers,
        )
        .await?;
        if wants("dashboard") {
            // Again over today's rows grown by the lag's sales (tens of thousands at 8 stores).
            let today = api.get("/api/v1/reports/dashboard").await?;
            println!(
                "dashboard after the lag: {} orders today; load average {}",
                today["orders"],
                load_average()
            );
            measure(
                &api,
                o.requests,
                "GET /reports/dashboard (head office), after the lag",
                "/api/v1/reports/dashboard".into(),
            )
            .await?;
        }
    }
    println!("load average at the end: {}", load_average());
    Ok(())
}

/// The generation, the rollup rebuild and (up to [`VERIFY_UP_TO`] lines) the verification;
/// answers the selling stores' ids, first by code.
async fn generate_and_roll_up(
    s: &Server,
    database_url: Option<&str>,
    o: &Options,
) -> anyhow::Result<Vec<String>> {
    let loader = Loader::new(&s.db, database_url).await?;
    let g = analytics_seed::generate(
        &s.db,
        &loader,
        &Plan {
            stores: o.stores,
            days: o.days,
            lines: o.lines,
            products: o.products,
        },
    )
    .await?;
    let rows = g.sales + g.returns + g.lines + g.tenders + g.shifts;
    println!(
        "generated: {} sales, {} returns, {} lines, {} tenders, {} shifts in {:.1} s = {:.0} rows/s ({:.0} lines/s); load average {}",
        g.sales,
        g.returns,
        g.lines,
        g.tenders,
        g.shifts,
        g.seconds,
        rows as f64 / g.seconds,
        g.lines as f64 / g.seconds,
        load_average()
    );
    analyze(s).await?;
    let t = Instant::now();
    let applied = salepoint_store::analytics::verify::rebuild(&s.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "rollups rebuilt (salepoint analytics rebuild): {applied} sales and returns in {secs:.1} s = {:.0} /s; load average {}",
        applied as f64 / secs,
        load_average()
    );
    analyze(s).await?;
    if o.lines <= VERIFY_UP_TO {
        let v = salepoint_store::analytics::verify::verify(&s.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "verify: {} sales, {} rollup rows, {} differences",
            v.sales,
            v.rows,
            v.differences.len()
        );
        for d in v.differences.iter().take(5) {
            println!("  {d}");
        }
    }
    print_sizes(
        &s.db,
        &[
            "sales",
            "sale_lines",
            "sale_tenders",
            "analytics_product_daily",
            "analytics_applied",
        ],
    )
    .await?;
    println!(
        "  analytics_product_daily: {} rows, analytics_chain_product_daily: {} rows, analytics_product_monthly: {} rows",
        count(&s.db, "analytics_product_daily").await?,
        count(&s.db, "analytics_chain_product_daily").await?,
        count(&s.db, "analytics_product_monthly").await?
    );

    Ok(g.store_ids)
}

/// Times `n` requests of `path`, one at a time (after a warm-up), and prints the figures with
/// the first answer's size and rollup source.
async fn measure(api: &Api, n: usize, name: &str, path: String) -> anyhow::Result<()> {
    let first = api.get(&path).await?;
    let (lat, wall) = one_at_a_time(api, &path, WARMUP, n).await;
    harness::report_max(name, lat, wall);
    if first.get("rows").is_some() {
        println!(
            "    {} rows, source {}, {}",
            first["row_count"], first["source"], path
        );
    }
    Ok(())
}

/// Latencies of `n` GETs of `path`, one at a time, after `warmup` unmeasured ones, and the
/// wall time of the measured ones.
pub(crate) async fn one_at_a_time(
    api: &Api,
    path: &str,
    warmup: usize,
    n: usize,
) -> (Vec<Duration>, Duration) {
    let make = {
        let (api, path) = (api.clone(), path.to_string());
        move |_| {
            let (api, path) = (api.clone(), path.clone());
            async move { api.load(&path).await.0 }
        }
    };
    drive(warmup, 1, make.clone()).await;
    drive(n, 1, make).await
}

/// The XLSX export of `group=product,month` over the fewest whole months that reach
/// [`EXPORT_ROWS`] rows (or the most the row cap allows), timed [`EXPORTS`] times.
async fn export(s: &Server, api: &Api, today: Date) -> anyhow::Result<()> {
    let mut chosen = None;
    for months in 1..=12 {
        let (from, to) = whole_months(today, months);
        // `top=1`: the screen API counts every group (`row_count`) without its 50,000-row cap.
        let q = format!("from={from}&to={to}&group=product,month&measures=revenue&top=1");
        let res = api
            .http
            .get(format!("{}/api/v1/reports/sales?{q}", api.base))
            .bearer_auth(&api.token)
            .send()
            .await?;
        if res.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            println!(
                "    {months} whole months of product × month: 422 {} — refused by a row cap",
                res.text().await?.chars().take(200).collect::<String>()
            );
            break;
        }
        let v: serde_json::Value = res.json().await?;
        let rows = v["row_count"].as_i64().unwrap_or(0);
        chosen = Some((from, to, rows));
        if rows >= EXPORT_ROWS {
            break;
        }
    }
    let Some((from, to, rows)) = chosen else {
        println!("export: no period under the row cap");
        return Ok(());
    };
    let url = format!(
        "{}/api/v1/reports/sales/export?format=xlsx&lang=zh-CN&from={from}&to={to}&group=product,month",
        s.base
    );
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..EXPORTS {
        let t = Instant::now();
        let res = api.http.get(&url).bearer_auth(&api.token).send().await?;
        anyhow::ensure!(res.status().is_success(), "export: {}", res.status());
        bytes = res.bytes().await?.len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "export XLSX, {rows} rows (product × month, {from}..{to}, all measures): median {:.2} s, max {:.2} s, {:.1} MB",
        times[EXPORTS / 2].as_secs_f64(),
        times[EXPORTS - 1].as_secs_f64(),
        bytes as f64 / 1e6
    );
    Ok(())
}

/// The last whole calendar quarter before `today`.
fn last_quarter(today: Date) -> (Date, Date) {
    let q = (today.month() as u8 - 1) / 3;
    let (year, q) = if q == 0 {
        (today.year() - 1, 3)
    } else {
        (today.year(), q - 1)
    };
    let first = |m: u8| Date::from_calendar_date(year, Month::try_from(m).expect("month"), 1);
    let from = first(q * 3 + 1).expect("a quarter's first day");
    let to = month_end(
        from.replace_month(Month::try_from(q * 3 + 3).expect("month"))
            .expect("date"),
    );
    (from, to)
}

/// The `n` whole calendar months before today's month.
fn whole_months(today: Date, n: i32) -> (Date, Date) {
    let this = Date::from_calendar_date(today.year(), today.month(), 1).expect("a first day");
    let to = this.previous_day().expect("a date");
    let mut from = Date::from_calendar_date(to.year(), to.month(), 1).expect("a first day");
    for _ in 1..n {
        let prev = from.previous_day().expect("a date");
        from = Date::from_calendar_date(prev.year(), prev.month(), 1).expect("a first day");
    }
    (from, to)
}

fn month_end(d: Date) -> Date {
    let mut e = d;
    while let Some(n) = e.next_day() {
        if n.month() != d.month() {
            break;
        }
        e = n;
    }
    e
}

/// Planner statistics after a bulk load (PostgreSQL plans the first queries as if the tables
/// were empty without them) and a WAL checkpoint on SQLite.
async fn analyze(s: &Server) -> anyhow::Result<()> {
    let t = Instant::now();
    if s.db.backend == Backend::Postgres {
        sqlx::raw_sql(
            "VACUUM (ANALYZE) sales, sale_lines, sale_tenders, shifts, analytics_daily, \
             analytics_hourly, analytics_product_daily, analytics_product_monthly, \
             analytics_chain_product_daily, \
             analytics_cashier_daily, analytics_tender_daily, analytics_applied",
        )
        .execute(&s.db.pool)
        .await?;
    } else {
        let mut tx = s.db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        salepoint_store::db::execute(&mut tx, "ANALYZE")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&s.db.pool)
            .await?;
    }
    println!(
        "  statistics and checkpoint {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
