//! Customer figures: `--customers` members (default 5,000,000 on PostgreSQL, 1,000,000 on
//! SQLite) seeded in SQL, with a sales history, then over real HTTP:
//! (a) the register's member lookup (`GET /customers/lookup?phone=…` / `?member_no=…` as a
//!     cashier), 16 in flight;
//! (b) the 360° view (`GET /customers/{id}/overview` as the admin) of members with 500 sales;
//! (c) the RFM recompute (`POST /segments/recompute` as the admin) over all members;
//! (d) the checkout load twice — plain sales, then the same baskets for members at the member
//!     price paid partly with points and stored value — and the ratio of the two.
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
use crate::checkout::{Basket, level};
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
const LOOKUP_WARMUP: usize = 500;
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
) -> anyhow::Result<()> {
    let s = harness::start(database_url).await?;
    let pg = s.db.backend == Backend::Postgres;
    let n = customers.unwrap_or(if pg { 5_000_000 } else { 1_000_000 });
    anyhow::ensure!(
        n >= LOAD_FROM + LOAD_MEMBERS,
        "--customers must be at least {}",
        LOAD_FROM + LOAD_MEMBERS
    );
    let most = levels.iter().copied().max().unwrap_or(0);
    anyhow::ensure!(most > 0, "--registers needs at least one level above 0");
    println!(
        "customers — backend: {}; cores: {}; {n} customers; checkout levels {levels:?}, {seconds} s each after {} s warm-up",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        WARMUP.as_secs()
    );
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
    // The history is spread over one register of each store.
    let history_tills: Vec<Arc<Till>> = tills.iter().take(shops.len()).cloned().collect();
    seed(&s.db, n, &history_tills).await?;
    print_sizes(&s.db, &["customers", "sales", "sale_lines"]).await?;

    // (a) The register's lookup, as a cashier.
    let cashier = Api::login(&s, "cashier.sh001", salepoint_store::demo::DEMO_PASSWORD).await?;
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
        let make = {
            let api = cashier.clone();
            move |_: usize| {
                let api = api.clone();
                async move {
                    let status = api.load(path).await.0;
                    if refused && status == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
                        reqwest::StatusCode::OK
                    } else {
                        status
                    }
                }
            }
        };
        drive(LOOKUP_WARMUP, LOOKUP_CLIENTS, make.clone()).await;
        for clients in [1, LOOKUP_CLIENTS] {
            let (lat, wall) = drive(LOOKUPS / 5, clients, make.clone()).await;
            harness::report_max(
                &format!("(a) {what}, {clients} in flight [load {}]", load_average()),
                lat,
                wall,
            );
        }
    }
    for by in ["phone", "member_no"] {
        let make = {
            let api = cashier.clone();
            move |i: usize| {
                let api = api.clone();
                async move {
                    let k = 1 + Rng(0x5EED ^ ((i as u64) << 8)).below(n);
                    let q = if by == "phone" {
                        format!("phone={}", 13_800_000_000u64 + k as u64)
                    } else {
                        format!("member_no=B{k:09}")
                    };
                    api.load(&format!("/api/v1/customers/lookup?{q}")).await.0
                }
            }
        };
        drive(LOOKUP_WARMUP, LOOKUP_CLIENTS, {
            let f = make.clone();
            move |i| f(i + 10_000_000)
        })
        .await;
        // One at a time first: the cost of one answer, without queueing behind the others.
        let (lat, wall) = drive(LOOKUPS / 5, 1, {
            let f = make.clone();
            move |i| f(i + 20_000_000)
        })
        .await;
        harness::report_max(
            &format!(
                "(a) GET /customers/lookup?{by}=…, 1 in flight [load {}]",
                load_average()
            ),
            lat,
            wall,
        );
        let (lat, wall) = drive(LOOKUPS, LOOKUP_CLIENTS, make).await;
        harness::report_max(
            &format!(
                "(a) GET /customers/lookup?{by}=…, {LOOKUP_CLIENTS} in flight [load {}]",
                load_average()
            ),
            lat,
            wall,
        );
    }

    // (b) The 360° view of the members with 500 sales, one request at a time.
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

    // (c) RFM segments of every member, twice: the first run writes every score, the second
    // finds them unchanged.
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

    // (d) Plain sales, then member sales, at every level.
    let mut figures = Vec::new();
    let mut acked_total = 0u64;
    let before = count(&s.db, "sales").await?;
    for &lv in levels {
        for member in [false, true] {
            let basket: Basket = if member { member_sale } else { plain_sale };
            let l = level(
                &admin,
                &tills[..lv],
                Duration::from_secs(seconds),
                member as u64,
                basket,
            )
            .await?;
            acked_total += l.acked;
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
            for e in &l.shown {
                println!("     error: {e}");
            }
            figures.push((lv, member, rate, ms(0.99)));
        }
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
