//! Customer figures: `--customers` members (default 5,000,000 on PostgreSQL, 1,000,000 on
//! SQLite) seeded in SQL, with a sales history, then over real HTTP:
//! (a) the register's member lookup (`GET /customers/lookup?phone=…` / `?member_no=…` as a
//!     cashier), 16 in flight;
//! (b) the 360° view (`GET /customers/{id}/overview` as the admin) of members with 500 sales;
//! (c) the RFM recompute (`POST /segments/recompute` as the admin) over all members;
//! (d) the checkout load twice — plain sales, and the same baskets for members at the member
//!     price paid partly with points and stored value — and the ratio of the two; at each level
//!     plain, member, member, plain, each for half of `--seconds` after its warm-up, so that the
//!     machine's drift over the level does not land on the ratio.
//!
//! The seed: the demo chain, the demo's three tiers (all buying at the `member` price list) and
//! loyalty programme; members `n = 1..=N` with id `01900000-0007-7000-8000-<n in hex>`, phone
//! `+86 138 0000 0000 + n`, member number `B` + 9 digits of `n`. Every 7th member has 1–5 sales
//! (1–2 lines each) over the last two years; members 1–5 have 500 sales each (1–3 lines). The
//! history is sales and sale lines only (no tenders, stock movements or points: the lookup, the
//! 360° view and the recompute read nothing else). Members 100–20,099 get a stored-value
//! top-up and a points adjustment written as the ledgers want them (ledger row, lot, balance):
//! they are the members of (d).

use crate::chain::{self, Api, Rng, Till};
use crate::checkout::{self, Basket, level};
use crate::harness::load_average;
use crate::harness::{self, ADMIN_PASSWORD, drive, percentile};
use crate::seed_sql::{count, exec, lit, pad, print_sizes, scalar_i64, scalar_text, series, uid};
use salepoint_store::Db;
use salepoint_store::db::Backend;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Members with 500 sales each, for (b).
const HEAVY: usize = 5;
/// Sales of each of them.
const HEAVY_SALES: usize = 500;
/// Every `LIGHT_EVERY`-th member has a history of 1–5 sales.
const LIGHT_EVERY: usize = 7;
/// The members of (d): numbers `LOAD_FROM..LOAD_FROM + LOAD_MEMBERS`.
const LOAD_FROM: usize = 100;
const LOAD_MEMBERS: usize = 20_000;
/// What each member of (d) starts with: 100,000.00 yuan of stored value, 1,000,000 points.
const LOAD_STORED_VALUE: i64 = 10_000_000;
const LOAD_POINTS: i64 = 1_000_000;
/// Lookups of each kind (phone, member number) in (a), after a warm-up.
const LOOKUPS: usize = 10_000;
/// Clients in flight in (a).
const LOOKUP_CLIENTS: usize = 16;
/// Overview requests in (b), one at a time, after a warm-up.
const OVERVIEWS: usize = 100;
/// Selling before measuring, at every level of (d).
const WARMUP: Duration = Duration::from_secs(3);
/// Pieces per line of a counted product: mostly one, sometimes a few.
const PIECES: &[i64] = &[1, 1, 1, 1, 1, 1, 2, 2, 3, 6];
/// Customers per INSERT statement of the seed.
const CHUNK: usize = 500_000;

pub async fn run(
    database_url: Option<&str>,
    customers: Option<usize>,
    levels: &[usize],
    seconds: u64,
    reuse: bool,
) -> anyhow::Result<()> {
    let s = if reuse {
        harness::start_reusing(database_url).await?
    } else {
        harness::start(database_url).await?
    };
    s.stock_the_stores().await?;
    let pg = s.db.backend == Backend::Postgres;
    let n = customers.unwrap_or(if pg { 5_000_000 } else { 1_000_000 });
    anyhow::ensure!(
        n >= LOAD_FROM + LOAD_MEMBERS,
        "--customers must be at least {}",
        LOAD_FROM + LOAD_MEMBERS
    );
    let most = levels.iter().copied().max().unwrap_or(0);
    anyhow::ensure!(most > 0, "--registers needs at least one level above 0");
    let phases = std::env::var("SALEPOINT_BENCH_PHASES").unwrap_or_default();
    let phase = |p: &str| phases.is_empty() || phases.split(',').any(|x| x.trim() == p);
    println!(
        "customers — backend: {}; cores: {}; {n} customers; checkout levels {levels:?}, {seconds} s of each kind per level (plain, member, member, plain: half each, after {} s warm-up each){}",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        WARMUP.as_secs(),
        if phases.is_empty() {
            String::new()
        } else {
            format!("; phases {phases}")
        }
    );
    let seeded = reuse && reused(&s.db, n).await?;
    if reuse && !seeded {
        anyhow::ensure!(
            count(&s.db, "customers").await? == 0,
            "--reuse: the database holds customers, but not the {n} of this benchmark's seed"
        );
    }
    if seeded {
        // The shifts an earlier run left open (one per register): closed, so that this run
        // opens its own.
        let closed = sqlx::query(
            "UPDATE shifts SET status = 'closed', closed_at = $1 WHERE status = 'open'",
        )
        .bind(salepoint_store::clock::now())
        .execute(&s.db.pool)
        .await?
        .rows_affected();
        println!("reusing the seed of an earlier run ({closed} open shifts closed)");
    }
    let admin = Api::login(&s, "admin", ADMIN_PASSWORD).await?;
    let t = Instant::now();
    let shops = chain::shops(&admin, usize::MAX).await?;
    let tills = chain::tills(&admin, &shops, most.max(shops.len())).await?;
    println!(
        "setup: {} stores, {} registers with open shifts ({:.1} s)",
        shops.len(),
        tills.len(),
        t.elapsed().as_secs_f64()
    );
    if !seeded {
        // The history is spread over one register of each store.
        let history_tills: Vec<Arc<Till>> = tills.iter().take(shops.len()).cloned().collect();
        seed(&s.db, n, &history_tills).await?;
    }
    print_sizes(&s.db, &["customers", "sales", "sale_lines"]).await?;

    if phase("a") {
        lookups(&s, n, database_url).await?;
    }
    if phase("b") {
        overviews(&admin).await?;
    }
    if phase("c") {
        recompute(&s, &admin).await?;
    }
    if phase("d") {
        checkout(&s, &admin, &tills, levels, seconds).await?;
    }
    Ok(())
}

/// Whether the database holds this benchmark's seed of `n` members (an earlier run's, kept for
/// `--reuse`): member `n` exists, member `n + 1` does not, and the programme is there.
async fn reused(db: &Db, n: usize) -> anyhow::Result<bool> {
    let members = scalar_i64(
        db,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM customers WHERE member_no IN ('B{n:09}', 'B{:09}')",
            n + 1
        ),
    )
    .await?;
    let last = scalar_i64(
        db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM customers WHERE member_no = 'B{n:09}'"),
    )
    .await?;
    Ok(members == 1 && last == 1 && count(db, "loyalty_programs").await? > 0)
}

/// Reads the member lookup's pages once, so that (a) measures a database server that holds
/// its hot table in memory (as a chain's does) rather than the disk: PostgreSQL through
/// `pg_prewarm` into the operating system's cache (its own 128 MB of `shared_buffers` hold
/// little of it), SQLite by reading its file.
async fn warm(db: &Db) -> anyhow::Result<()> {
    let t = Instant::now();
    if db.backend == Backend::Postgres {
        sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            .execute(&db.pool)
            .await?;
        let mut pages = 0i64;
        for rel in [
            "customers",
            "customers_phone_key",
            "customers_member_no_key",
            "member_tiers",
            "loyalty_programs",
        ] {
            // An index of another name (a later migration) is only not warmed.
            if let Ok(p) = sqlx::query_scalar::<_, i64>("SELECT pg_prewarm($1::regclass, 'read')")
                .bind(rel)
                .fetch_one(&db.pool)
                .await
            {
                pages += p;
            }
        }
        println!(
            "warmed: {pages} pages of customers and its lookup indexes read into the OS cache ({:.1} s)",
            t.elapsed().as_secs_f64()
        );
    } else {
        let file: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(&db.pool)
                .await?;
        let bytes = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
            use std::io::Read;
            let mut f = std::fs::File::open(file)?;
            let mut buf = vec![0u8; 1 << 20];
            let mut total = 0;
            loop {
                let got = f.read(&mut buf)?;
                if got == 0 {
                    return Ok(total);
                }
                total += got as u64;
            }
        })
        .await??;
        println!(
            "warmed: the database file read once ({} MiB, {:.1} s)",
            bytes >> 20,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The CPU time (user + system) of the calling thread so far, seconds.
fn thread_cpu_seconds() -> f64 {
    harness::task_cpu_seconds("/proc/thread-self/stat")
}

/// The CPU time so far of each PostgreSQL backend process serving this database (by pid), so a
/// series can say what the database spent per request apart from the rest of the machine (other
/// sessions' builds and databases). Empty on SQLite, whose work runs in this process.
async fn backend_cpu(db: &Db) -> Vec<(i32, f64)> {
    if db.backend != Backend::Postgres {
        return Vec::new();
    }
    let pids: Vec<i32> = sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap_or_default();
    pids.into_iter()
        .map(|pid| (pid, harness::task_cpu_seconds(&format!("/proc/{pid}/stat"))))
        .filter(|(_, s)| s.is_finite())
        .collect()
}

/// The CPU the backends in `after` used since `before` (a backend new since then counts whole).
fn backend_cpu_since(before: &[(i32, f64)], after: &[(i32, f64)]) -> f64 {
    after
        .iter()
        .map(|(pid, s)| s - before.iter().find(|b| b.0 == *pid).map_or(0.0, |b| b.1))
        .sum()
}

/// Where the load generator of (a) runs.
#[derive(Clone, Copy, PartialEq)]
enum Driver {
    /// In the server's runtime (its two worker threads), as every benchmark here drives.
    Shared,
    /// On a thread of its own with a single-threaded runtime and an HTTP client of its own:
    /// the server's workers serve only requests, and the generator's CPU is measured.
    Own,
}

/// How a series of (a) offers its requests.
#[derive(Clone, Copy)]
enum Load {
    /// Closed loop: `total` requests, each client sending its next as soon as its last is
    /// answered. With more clients than the machine answers at once this measures saturation:
    /// the p99 is mostly time spent queueing behind the other clients.
    Closed { total: usize },
    /// Open loop at a stated offered load: each client sends `per_client` requests a second on
    /// a fixed schedule for `seconds`, latency counted from the scheduled send (as wrk2 does,
    /// without coordinated omission).
    Paced { per_client: f64, seconds: f64 },
}

/// Requests sent to warm up before a series of `clients` clients.
fn warmup(clients: usize) -> usize {
    clients * 25
}

/// Latencies, wall time and (paced only) how late each send left against its schedule.
type Measured = (Vec<Duration>, Duration, Option<Vec<Duration>>);

/// Runs a warm-up and then `load` with `clients` clients, requests made by `f`.
async fn measure<F, Fut>(load: Load, clients: usize, f: F) -> Measured
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    // Warm-up (connections, statement caches) before the clock starts.
    drive(warmup(clients), clients, f.clone()).await;
    match load {
        Load::Closed { total } => {
            let (lat, wall) = drive(total, clients, f).await;
            (lat, wall, None)
        }
        Load::Paced {
            per_client,
            seconds,
        } => {
            let (lat, wall, late) = harness::drive_paced(clients, per_client, seconds, f).await;
            (lat, wall, Some(late))
        }
    }
}

/// What one series of (a) sends, and how.
#[derive(Clone, Copy)]
struct Series<'a> {
    /// The request, as printed.
    what: &'a str,
    driver: Driver,
    load: Load,
    clients: usize,
    /// A 422 counts as answered (HTTP + auth alone: a lookup refused before it reads).
    refused_ok: bool,
}

/// One series of (a): GETs of `path(i)` as `series` says; prints throughput and latency, and the
/// CPU this process (server, SQLite, load generator), the PostgreSQL backends of this database,
/// the load generator alone and the whole machine (other sessions' work included) spent per
/// request.
async fn lookup_series<P>(api: &Api, db: &Db, series: Series<'_>, path: P)
where
    P: Fn(usize) -> String + Send + Sync + Clone + 'static,
{
    let Series {
        what,
        driver,
        load,
        clients,
        refused_ok,
    } = series;
    let make = move |api: Api| {
        move |i: usize| {
            let (api, p) = (api.clone(), path(i));
            async move {
                let status = api.load(&p).await.0;
                if refused_ok && status == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
                    reqwest::StatusCode::OK
                } else {
                    status
                }
            }
        }
    };
    let (machine, process, backends) = (
        harness::machine_cpu_ticks(),
        harness::process_cpu_seconds(),
        backend_cpu(db).await,
    );
    let (lat, wall, late, driver_cpu) = match driver {
        Driver::Shared => {
            let (lat, wall, late) = measure(load, clients, make(api.clone())).await;
            (lat, wall, late, f64::NAN)
        }
        Driver::Own => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let own = Api {
                http: reqwest::Client::new(),
                base: api.base.clone(),
                token: api.token.clone(),
            };
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for the load generator");
                let out = rt.block_on(async move {
                    let cpu = thread_cpu_seconds();
                    let (lat, wall, late) = measure(load, clients, make(own)).await;
                    (lat, wall, late, thread_cpu_seconds() - cpu)
                });
                let _ = tx.send(out);
            });
            rx.await.expect("the load generator's thread ended")
        }
    };
    // Every CPU figure includes the warm-up's requests, so they count too. /proc/stat counts
    // ticks of 1/100 s summed over the cores.
    let per_req = |seconds: f64| seconds * 1e3 / (lat.len() + warmup(clients)) as f64;
    let machine_ms = per_req((harness::machine_cpu_ticks().0 - machine.0) as f64 / 100.0);
    let process_ms = per_req(harness::process_cpu_seconds() - process);
    let db_ms = per_req(backend_cpu_since(&backends, &backend_cpu(db).await));
    let cpu = format!(
        "CPU/req: this process {process_ms:.3} ms{}, generator {}, machine {machine_ms:.3} ms",
        if db.backend == Backend::Postgres {
            format!(" + PostgreSQL {db_ms:.3} ms")
        } else {
            String::new()
        },
        match driver {
            Driver::Shared => "in the server's runtime".to_string(),
            Driver::Own => format!("on its own thread {:.3} ms", per_req(driver_cpu)),
        }
    );
    let load_avg = load_average();
    match (load, late) {
        (Load::Paced { per_client, .. }, Some(late)) => harness::report_paced(
            &format!(
                "(a) PACED {what}: {clients} clients × {per_client} /s on a schedule, latency from the scheduled send [{cpu}; load {load_avg}]\n   "
            ),
            per_client * clients as f64,
            lat,
            wall,
            late,
        ),
        _ => harness::report_max(
            &format!(
                "(a) CLOSED LOOP {what}, {clients} in flight (at saturation p99 is queueing) [{cpu}; load {load_avg}]\n   "
            ),
            lat,
            wall,
        ),
    }
}

/// The path of the `i`-th lookup by `by` (`phone` or `member_no`) of a random one of the `n`
/// seeded members, drawn from `seed`.
fn lookup_path(
    seed: u64,
    n: usize,
    by: &'static str,
) -> impl Fn(usize) -> String + Send + Sync + Clone + 'static {
    move |i: usize| {
        let k = 1 + Rng(seed ^ ((i as u64) << 8)).below(n);
        if by == "phone" {
            format!(
                "/api/v1/customers/lookup?phone={}",
                13_800_000_000u64 + k as u64
            )
        } else {
            format!("/api/v1/customers/lookup?member_no=B{k:09}")
        }
    }
}

/// The per-client rates of (a)'s paced series (`SALEPOINT_BENCH_PACED`, lookups a second per
/// client, comma-separated; default 25 and 100, i.e. 400 and 1,600 a second from 16 clients).
fn paced_rates() -> Vec<f64> {
    std::env::var("SALEPOINT_BENCH_PACED")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![25.0, 100.0])
}

/// Seconds each paced series of (a) lasts.
const PACED_SECONDS: f64 = 10.0;

/// (a) The register's lookup, as a cashier: what HTTP and authentication cost alone, then by
/// phone and by member number: one at a time, 16 clients in a closed loop (saturation), and 16
/// clients paced at stated offered loads (latency at that load).
async fn lookups(s: &harness::Server, n: usize, url: Option<&str>) -> anyhow::Result<()> {
    warm(&s.db).await?;
    let cashier = Api::login(s, "cashier.sh001", salepoint_store::demo::DEMO_PASSWORD).await?;
    let db = &s.db;
    let closed = Load::Closed { total: LOOKUPS };
    // What a lookup costs besides its query: HTTP alone (`/healthz`), then HTTP and the
    // caller's authentication (a lookup refused as malformed before it reads anything).
    for (what, path, refused) in [
        ("HTTP only: GET /healthz", "/healthz", false),
        (
            "HTTP + auth: GET /customers/lookup?phone=x (422, no query)",
            "/api/v1/customers/lookup?phone=x",
            true,
        ),
    ] {
        let path = move |_: usize| path.to_string();
        let load = Load::Closed { total: LOOKUPS / 5 };
        for (driver, clients) in [
            (Driver::Shared, 1),
            (Driver::Shared, LOOKUP_CLIENTS),
            (Driver::Own, LOOKUP_CLIENTS),
        ] {
            let series = Series {
                what,
                driver,
                load,
                clients,
                refused_ok: refused,
            };
            lookup_series(&cashier, db, series, path).await;
        }
    }
    for by in ["phone", "member_no"] {
        let what = format!("GET /customers/lookup?{by}=…");
        let series = |seed: u64, driver: Driver, load: Load, clients: usize| {
            let series = Series {
                what: &what,
                driver,
                load,
                clients,
                refused_ok: false,
            };
            lookup_series(&cashier, db, series, lookup_path(seed, n, by))
        };
        // One at a time first: the cost of one answer, without queueing behind the others.
        let few = Load::Closed { total: LOOKUPS / 5 };
        series(0x5EED_0001, Driver::Shared, few, 1).await;
        series(0x5EED_0002, Driver::Shared, closed, LOOKUP_CLIENTS).await;
        series(0x5EED_0003, Driver::Own, closed, LOOKUP_CLIENTS).await;
        for (i, per_client) in paced_rates().into_iter().enumerate() {
            let paced = Load::Paced {
                per_client,
                seconds: PACED_SECONDS,
            };
            series(0x5EED_0100 + i as u64, Driver::Own, paced, LOOKUP_CLIENTS).await;
        }
    }
    // PostgreSQL: the same 16 in flight against a second app server over the same database
    // whose pool holds fewer connections than there are requests in flight (the harness's has
    // 16, one backend process per request): requests then wait in the pool, not as runnable
    // backend processes competing for the two cores.
    if s.db.backend == Backend::Postgres
        && let Some(url) = url
    {
        let pool: u32 = std::env::var("SALEPOINT_BENCH_LOOKUP_POOL")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4);
        let small = Db::connect(&salepoint_store::db::DbOptions {
            url: url.to_string(),
            max_connections: pool,
            allow_async_commit: false,
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let app = salepoint_server::app(small, salepoint_server::state::ServerConfig::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let other = Api {
            http: cashier.http.clone(),
            base: format!("http://{}", listener.local_addr()?),
            token: cashier.token.clone(),
        };
        tokio::spawn(salepoint_server::serve(
            listener,
            app,
            std::future::pending(),
        ));
        for by in ["phone", "member_no"] {
            let what = format!("GET /customers/lookup?{by}=…, pool of {pool}");
            let series = Series {
                what: &what,
                driver: Driver::Own,
                load: closed,
                clients: LOOKUP_CLIENTS,
                refused_ok: false,
            };
            lookup_series(&other, db, series, lookup_path(0x7EED, n, by)).await;
        }
    }
    Ok(())
}

/// (b) The 360° view of the members with 500 sales, one request at a time.
async fn overviews(admin: &Api) -> anyhow::Result<()> {
    let heavy: Vec<String> = (1..=HEAVY).map(customer_id).collect();
    let first = admin
        .get(&format!("/api/v1/customers/{}/overview", heavy[0]))
        .await?;
    println!(
        "    overview of member 1: sales_count {}, lifetime value {} fen, {} favourite categories, {} recent sales",
        first["stats"]["sales_count"],
        first["stats"]["lifetime_value_minor"],
        first["stats"]["favourite_categories"]
            .as_array()
            .map_or(0, Vec::len),
        first["recent_sales"].as_array().map_or(0, Vec::len)
    );
    let overview = {
        let (api, heavy) = (admin.clone(), Arc::new(heavy));
        move |i: usize| {
            let (api, heavy) = (api.clone(), heavy.clone());
            async move {
                let id = &heavy[i % heavy.len()];
                api.load(&format!("/api/v1/customers/{id}/overview"))
                    .await
                    .0
            }
        }
    };
    drive(10, 1, overview.clone()).await;
    let (lat, wall) = drive(OVERVIEWS, 1, overview).await;
    harness::report_max(
        &format!(
            "(b) GET /customers/{{id}}/overview, {HEAVY_SALES} sales, 1 in flight [load {}]",
            load_average()
        ),
        lat,
        wall,
    );
    Ok(())
}

/// (c) RFM segments of every member, twice: the first run writes every score, the second
/// finds them unchanged.
async fn recompute(s: &harness::Server, admin: &Api) -> anyhow::Result<()> {
    let sales_rows = count(&s.db, "sales").await?;
    let with_sales = scalar_i64(
        &s.db,
        "SELECT CAST(COUNT(DISTINCT customer_id) AS BIGINT) FROM sales WHERE customer_id IS NOT NULL",
    )
    .await?;
    println!("    {sales_rows} sales rows, {with_sales} members with sales");
    for run in ["first", "second"] {
        let t = Instant::now();
        let r = admin
            .post("/api/v1/segments/recompute", &json!({}), 200)
            .await?;
        println!(
            "(c) POST /segments/recompute ({run} run): {:.1} s; answer: {} customers scored, took_ms {} [load {}]",
            t.elapsed().as_secs_f64(),
            r["customers"],
            r["took_ms"],
            load_average()
        );
    }
    let segs: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT segment, CAST(COUNT(*) AS BIGINT) FROM customer_rfm GROUP BY segment ORDER BY 2 DESC",
    )
    .fetch_all(&s.db.pool)
    .await?;
    println!(
        "    segments: {}",
        segs.iter()
            .map(|(g, c)| format!("{}={c}", g.as_deref().unwrap_or("none")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// (d) Plain sales, then member sales, at every level.
async fn checkout(
    s: &harness::Server,
    admin: &Api,
    tills: &[Arc<Till>],
    levels: &[usize],
    seconds: u64,
) -> anyhow::Result<()> {
    let mut figures = Vec::new();
    let mut acked_total = 0u64;
    let before = count(&s.db, "sales").await?;
    for &lv in levels {
        // Plain, member, member, plain, half the time each: the machine's drift over the level
        // (large on a shared VM) falls on both kinds alike instead of on the ratio.
        let mut runs: [Option<checkout::Level>; 2] = [None, None];
        salepoint_store::orders::timing::take();
        for (round, member) in [false, true, true, false].into_iter().enumerate() {
            let basket: Basket = if member { member_sale } else { plain_sale };
            let l = level(
                admin,
                &tills[..lv],
                Duration::from_secs(seconds).div_f64(2.0),
                member as u64 | (round as u64) << 1,
                basket,
            )
            .await?;
            acked_total += l.acked;
            match &mut runs[member as usize] {
                Some(sum) => {
                    sum.lat.extend(l.lat);
                    sum.acked += l.acked;
                    sum.errors += l.errors;
                    sum.wall += l.wall;
                    sum.shown.extend(l.shown);
                }
                none => *none = Some(l),
            }
        }
        // Where the writer's time went, per batch and step (plain and member batches apart).
        let writer = salepoint_store::orders::timing::take();
        for (member, l) in runs.into_iter().enumerate() {
            let member = member == 1;
            let Some(l) = l else { continue };
            let mut lat = l.lat;
            lat.sort();
            let ms = |p: f64| {
                if lat.is_empty() {
                    f64::NAN
                } else {
                    percentile(&lat, p).as_secs_f64() * 1e3
                }
            };
            let rate = lat.len() as f64 / l.wall.max(f64::EPSILON);
            println!(
                "(d) {lv:>3} registers, {:<36} {:>6} sales in {:.1} s = {rate:>6.0} sales/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {}  [load {}]",
                if member {
                    "member + points + stored value:"
                } else {
                    "plain:"
                },
                lat.len(),
                l.wall,
                ms(0.5),
                ms(0.99),
                lat.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
                l.errors,
                load_average()
            );
            for e in l.shown.iter().take(checkout::SHOWN_ERRORS) {
                println!("     error: {e}");
            }
            figures.push((lv, member, rate, ms(0.99)));
        }
        print!("     writer µs/batch: {writer}");
        let plain = figures.iter().find(|f| f.0 == lv && !f.1);
        let member = figures.iter().find(|f| f.0 == lv && f.1);
        if let (Some(p), Some(m)) = (plain, member) {
            println!(
                "    {lv} registers: member sale costs {:.2}× the plain one by throughput (plain/member), p99 {:.2}× (member/plain)",
                p.2 / m.2,
                m.3 / p.3
            );
        }
    }
    let in_db = count(&s.db, "sales").await? - before;
    println!(
        "    check: {in_db} sales written by (d), {acked_total} acknowledged ({}); member accounts: {} of {LOAD_MEMBERS} differ from their ledgers or lots",
        if in_db == acked_total as i64 {
            "equal"
        } else {
            "NOT EQUAL"
        },
        accounts_off(&s.db).await?
    );
    Ok(())
}

/// A basket of 1–10 lines from the store's catalog (as the checkout benchmark makes them).
/// Plain: list prices, paid by card. Member: the member's prices, a random member of (d), paid
/// 1–5 yuan with points, half of the rest from stored value, the rest by card.
fn sale(till: &Till, member: bool, rng: &mut Rng) -> Value {
    let shop = &till.shop;
    let mut total = 0;
    let lines: Vec<Value> = (0..1 + rng.below(10))
        .map(|_| {
            let item = &shop.items[rng.below(shop.items.len())];
            let price = if member {
                item.member_minor
            } else {
                item.price_minor
            };
            let (quantity, gross) = if item.weighed {
                let grams = 100 + rng.below(1901) as i64;
                (
                    format!("{}.{:03}", grams / 1000, grams % 1000),
                    (price * grams + 500) / 1000,
                )
            } else {
                let q = PIECES[rng.below(PIECES.len())];
                (q.to_string(), price * q)
            };
            total += gross;
            json!({"product_id": item.id, "quantity": quantity, "unit_price_minor": price})
        })
        .collect();
    let mut body = json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "register_id": till.register_id,
        "shift_id": till.shift_id,
        "lines": lines,
    });
    let mut tenders = Vec::new();
    let mut card = total;
    if member {
        body["customer_id"] = json!(customer_id(LOAD_FROM + rng.below(LOAD_MEMBERS)));
        let points = total.min(100 * (1 + rng.below(5) as i64));
        let stored = (total - points) / 2;
        if points > 0 {
            tenders.push(json!({"code": "POINTS", "amount_minor": points}));
        }
        if stored > 0 {
            tenders.push(json!({"code": "STORED_VALUE", "amount_minor": stored}));
        }
        card = total - points - stored;
    }
    if card > 0 || tenders.is_empty() {
        tenders.push(json!({
            "code": "CARD",
            "amount_minor": card,
            "reference": format!("T-{:06}", rng.below(1_000_000)),
            "card_last4": "4242",
        }));
    }
    body["tenders"] = json!(tenders);
    body
}

fn plain_sale(till: &Till, rng: &mut Rng) -> Value {
    sale(till, false, rng)
}

fn member_sale(till: &Till, rng: &mut Rng) -> Value {
    sale(till, true, rng)
}

/// The id of seeded member `n`.
fn customer_id(n: usize) -> String {
    format!("01900000-0007-7000-8000-{n:012x}")
}

/// The seed (see the module's comment), in SQL, one transaction.
async fn seed(db: &Db, n: usize, history: &[Arc<Till>]) -> anyhow::Result<()> {
    let pg = db.backend == Backend::Postgres;
    let t0 = Instant::now();
    let company = scalar_text(db, "SELECT id FROM companies ORDER BY id LIMIT 1").await?;
    let c = lit(&company);
    let admin = lit(&scalar_text(db, "SELECT id FROM users WHERE username = 'admin'").await?);
    let now = salepoint_store::clock::now();
    let today = now[..10].to_string();
    let today_raw = today.as_str();
    let now = lit(&now);
    let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if pg {
        exec(
            &mut tx,
            "SET LOCAL synchronous_commit = off; SET LOCAL work_mem = '256MB'",
        )
        .await?;
    }
    // The demo's programme and tiers (crates/store/src/demo_customers.rs).
    exec(
        &mut tx,
        &format!(
            "INSERT INTO loyalty_programs (company_id, redeem_points_per_unit, expiry_mode, expiry_months, \
             tier_window_days, topup_bonus, updated_at) VALUES ({c}, 100, 'year_end', 12, 365, \
             '[{{\"min_minor\":50000,\"bonus_minor\":3000}},{{\"min_minor\":100000,\"bonus_minor\":10000}}]', {now})"
        ),
    )
    .await?;
    for (i, (code, name, min, rate, discounted)) in [
        ("SILVER", "银卡会员", 0i64, "1", 0i64),
        ("GOLD", "金卡会员", 300_000, "1.5", 0),
        ("DIAMOND", "钻石会员", 1_000_000, "2", 1),
    ]
    .into_iter()
    .enumerate()
    {
        exec(
            &mut tx,
            &format!(
                "INSERT INTO member_tiers (id, company_id, code, name, price_tier, min_spend_minor, earn_per_unit, \
                 earn_on_discounted, sort, created_at, updated_at) VALUES ({}, {c}, '{code}', '{name}', 'member', \
                 {min}, '{rate}', {discounted}, {}, {now}, {now})",
                lit(&format!("01900000-0012-7000-8000-{:012x}", i + 1)),
                i * 10
            ),
        )
        .await?;
    }
    // Members, with a home store each.
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_stores AS SELECT id, row_number() OVER (ORDER BY code) - 1 AS r \
             FROM stores WHERE company_id = {c} AND kind = 'store'"
        ),
    )
    .await?;
    let stores = history.len().max(1);
    let joined = lit("2024-01-01T00:00:00.000000Z");
    let mut from = 1;
    while from <= n {
        let to = (from + CHUNK - 1).min(n);
        let p9 = pad(pg, "g.n", 9);
        exec(
            &mut tx,
            &format!(
                "INSERT INTO customers (id, company_id, kind, name, phone, member_no, tier_code, tags, \
                 marketing_consent, home_store_id, search_text, created_at, updated_at) \
                 SELECT {id}, {c}, 'person', '压测会员' || g.n, '+86' || CAST(13800000000 + g.n AS TEXT), \
                   'B' || {p9}, CASE WHEN g.n % 20 = 0 THEN 'DIAMOND' WHEN g.n % 5 = 0 THEN 'GOLD' ELSE 'SILVER' END, \
                   '[]', g.n % 2, st.id, \
                   '压测会员' || g.n || ' | yacehuiyuan' || g.n || ' | ychy | b' || {p9} || ' | ' || {last4} || ' |  |  | ', \
                   {joined}, {joined} \
                 FROM {g} JOIN bench_stores st ON st.r = g.n % {stores}",
                id = uid(pg, 7, "g.n"),
                last4 = pad(pg, "g.n % 10000", 4),
                g = series(pg, from, to),
            ),
        )
        .await?;
        println!("  {to} customers ({:.1} s)", t0.elapsed().as_secs_f64());
        from = to + 1;
    }

    // The history: sales (bench_s), their lines (bench_l) from products (bench_p), on one
    // register of each store (bench_tills).
    let t = Instant::now();
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_p AS SELECT id, sku, name_zh AS name, list_price_minor AS price, \
             row_number() OVER (ORDER BY id) AS j FROM products WHERE company_id = {c} \
             AND sold_by_weight = 0 AND list_price_minor > 0"
        ),
    )
    .await?;
    let np: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM bench_p")
        .fetch_one(&mut *tx)
        .await?;
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_n AS SELECT n FROM {}",
            series(pg, 1, HEAVY_SALES)
        ),
    )
    .await?;
    exec(
        &mut tx,
        "CREATE TEMP TABLE bench_tills (r BIGINT, store_id TEXT, register_id TEXT, shift_id TEXT)",
    )
    .await?;
    for (r, till) in history.iter().enumerate() {
        exec(
            &mut tx,
            &format!(
                "INSERT INTO bench_tills VALUES ({r}, {}, {}, {})",
                lit(&till.shop.id),
                lit(&till.register_id),
                lit(&till.shift_id)
            ),
        )
        .await?;
    }
    let light_at = minutes_before(
        pg,
        today_raw,
        &format!("1440 + (g.n * {LIGHT_EVERY} * 7919 + k.n * 104729) % 1036800"),
    );
    let heavy_at = minutes_before(pg, today_raw, "1440 + k.n * 2000 + h.n * 13");
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_s AS \
             SELECT g.n * {LIGHT_EVERY} * 1000 + k.n AS m, g.n * {LIGHT_EVERY} AS cn, 1 + (g.n + k.n) % 2 AS lines, {light_at} AS at \
             FROM {g} JOIN bench_n k ON k.n <= 1 + g.n % 5 \
             UNION ALL \
             SELECT h.n * 1000 + k.n, h.n, 1 + k.n % 3, {heavy_at} FROM bench_n h JOIN bench_n k ON k.n <= {HEAVY_SALES} \
             WHERE h.n <= {HEAVY}",
            g = series(pg, 1, n / LIGHT_EVERY),
        ),
    )
    .await?;
    exec(
        &mut tx,
        &format!(
            "CREATE TEMP TABLE bench_l AS SELECT s.m, k.n AS line_no, p.id AS product_id, p.sku, p.name, \
             p.price, 1 + (s.m + k.n) % 2 AS qty FROM bench_s s JOIN bench_n k ON k.n <= s.lines \
             JOIN bench_p p ON p.j = (s.m * 31 + k.n * 7919) % {np} + 1"
        ),
    )
    .await?;
    let sales = exec(
        &mut tx,
        &format!(
            "INSERT INTO sales (id, company_id, store_id, register_id, shift_id, cashier_id, kind, business_day, \
             receipt_seq, receipt_no, currency, customer_tier, subtotal_minor, discount_minor, tax_minor, total_minor, \
             rounding_minor, paid_minor, change_minor, offline, flags, request_hash, created_at, customer_id) \
             SELECT {sid}, {c}, t.store_id, t.register_id, t.shift_id, {admin}, 'sale', substr(s.at, 1, 10), \
               s.m, 'BH' || s.m, 'CNY', 'member', tot.total, 0, tot.total * 13 / 113, tot.total, \
               0, tot.total, 0, 0, '', 'bench-history', s.at, {cid} \
             FROM bench_s s JOIN (SELECT m, SUM(price * qty) AS total FROM bench_l GROUP BY m) tot ON tot.m = s.m \
             JOIN bench_tills t ON t.r = s.m % {stores} ORDER BY s.m",
            sid = uid(pg, 8, "s.m"),
            cid = uid(pg, 7, "s.cn"),
        ),
    )
    .await?;
    let lines = exec(
        &mut tx,
        &format!(
            "INSERT INTO sale_lines (sale_id, line_no, store_id, product_id, sku, name, quantity_milli, \
             unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, net_minor, tax_rate, \
             tax_minor, total_minor) \
             SELECT {sid}, l.line_no, t.store_id, l.product_id, l.sku, l.name, l.qty * 1000, l.price, \
               l.price * l.qty, 0, 0, l.price * l.qty, '0.13', l.price * l.qty * 13 / 113, l.price * l.qty \
             FROM bench_l l JOIN bench_tills t ON t.r = l.m % {stores} ORDER BY l.m, l.line_no",
            sid = uid(pg, 8, "l.m"),
        ),
    )
    .await?;
    exec(
        &mut tx,
        "DROP TABLE bench_s; DROP TABLE bench_l; DROP TABLE bench_p; DROP TABLE bench_n; \
         DROP TABLE bench_tills; DROP TABLE bench_stores",
    )
    .await?;
    println!(
        "  history: {sales} sales, {lines} lines ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // Balances of the members of (d), each with its ledger row (and points lot).
    let members = series(pg, LOAD_FROM, LOAD_FROM + LOAD_MEMBERS - 1);
    let cid = uid(pg, 7, "g.n");
    exec(
        &mut tx,
        &format!(
            "INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, tender_code, \
             ref_type, ref_id, user_id, at) SELECT {id}, {c}, {cid}, NULL, 'topup', {LOAD_STORED_VALUE}, 'CASH', \
             'top_up', {id}, {admin}, {now} FROM {members}",
            id = uid(pg, 10, "g.n"),
        ),
    )
    .await?;
    let expires = lit("2099-12-31T16:00:00.000000Z");
    exec(
        &mut tx,
        &format!(
            "INSERT INTO points_ledger (id, company_id, customer_id, store_id, kind, points, expires_at, ref_type, \
             ref_id, user_id, at) SELECT {id}, {c}, {cid}, NULL, 'adjust', {LOAD_POINTS}, {expires}, 'bench', \
             {cid}, {admin}, {now} FROM {members}",
            id = uid(pg, 11, "g.n"),
        ),
    )
    .await?;
    exec(
        &mut tx,
        &format!(
            "INSERT INTO points_lots (ledger_id, customer_id, expires_at, remaining) \
             SELECT {id}, {cid}, {expires}, {LOAD_POINTS} FROM {members}",
            id = uid(pg, 11, "g.n"),
        ),
    )
    .await?;
    exec(
        &mut tx,
        &format!(
            "UPDATE customers SET points_balance = {LOAD_POINTS}, stored_value_minor = {LOAD_STORED_VALUE} \
             WHERE id BETWEEN {} AND {}",
            lit(&customer_id(LOAD_FROM)),
            lit(&customer_id(LOAD_FROM + LOAD_MEMBERS - 1))
        ),
    )
    .await?;
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = Instant::now();
    if pg {
        sqlx::raw_sql(
            "VACUUM (ANALYZE) customers, sales, sale_lines, points_ledger, points_lots, stored_value_ledger",
        )
        .execute(&db.pool)
        .await?;
        println!("  VACUUM (ANALYZE) {:.1} s", t.elapsed().as_secs_f64());
    } else {
        let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        exec(&mut tx, "ANALYZE").await?;
        tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.pool)
            .await?;
        println!(
            "  ANALYZE and WAL checkpoint {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    println!("seeded in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

/// Members of (d) whose balances differ from their ledgers, or whose points from their lots.
async fn accounts_off(db: &Db) -> anyhow::Result<i64> {
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM customers c WHERE c.id BETWEEN {} AND {} AND ( \
         c.points_balance <> (SELECT COALESCE(SUM(points), 0) FROM points_ledger p WHERE p.customer_id = c.id) \
         OR c.stored_value_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM stored_value_ledger v WHERE v.customer_id = c.id) \
         OR c.points_balance <> (SELECT COALESCE(SUM(remaining), 0) FROM points_lots l WHERE l.customer_id = c.id))",
        lit(&customer_id(LOAD_FROM)),
        lit(&customer_id(LOAD_FROM + LOAD_MEMBERS - 1))
    );
    scalar_i64(db, &sql).await
}

/// The stored timestamp `minutes` (an SQL expression) before midnight UTC of `day`.
fn minutes_before(pg: bool, day: &str, minutes: &str) -> String {
    if pg {
        format!(
            "to_char(TIMESTAMP '{day} 00:00:00' - ({minutes}) * INTERVAL '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS\".000000Z\"')"
        )
    } else {
        format!(
            "(strftime('%Y-%m-%dT%H:%M:%S', '{day}', '-' || ({minutes}) || ' minutes') || '.000000Z')"
        )
    }
}
