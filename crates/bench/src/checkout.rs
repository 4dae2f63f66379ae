//! Checkout figures (issue 4): N virtual registers, spread over the demo chain's stores, each
//! with its own open shift, sell realistic baskets with mixed tenders through
//! `POST /api/v1/sales` — one sale at a time per register, as a real register does, so the
//! number of registers is the number of sales in flight. Each level runs for a fixed time after
//! a warm-up. Afterwards the sales in the database must equal the acknowledged ones and the
//! stock ledger must add up: a fast write path that loses or double-books a sale is worth nothing.

use crate::chain::{self, Api, Rng, Till};
use crate::harness::{self, ADMIN_PASSWORD, percentile};
use anyhow::Context;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Selling before measuring, at every level: connections open, the writer's batches reach their
/// steady size, SQLite's and PostgreSQL's caches hold the hot pages.
const WARMUP: Duration = Duration::from_secs(3);
/// How many error answers a level prints; the rest are only counted.
pub(crate) const SHOWN_ERRORS: usize = 5;
/// Characters of an error answer printed: enough for the problem's code and first fields.
const SHOWN_CHARS: usize = 400;
/// Cash handed over is the amount due rounded up to a 50-yuan note, so most cash sales give change.
const NOTE_MINOR: i64 = 5_000;
/// Pieces per line of a counted product: mostly one, sometimes a few.
const PIECES: &[i64] = &[1, 1, 1, 1, 1, 1, 2, 2, 3, 6];

/// What one register did during one level.
#[derive(Default)]
struct Tally {
    /// Latencies of the sales acknowledged in the measured window.
    latencies: Vec<Duration>,
    /// Every 201, warm-up included: the sales the database must now hold.
    acked: u64,
    /// Every answer other than 201, and every transport failure, warm-up included.
    errors: u64,
    /// When this register's last measured sale was acknowledged; ends the window.
    last: Option<Instant>,
}

/// How long the registers sell before the measured levels (see `run`).
const PRELUDE: Duration = Duration::from_secs(2);

pub async fn run(database_url: Option<&str>, levels: &[usize], seconds: u64) -> anyhow::Result<()> {
    let most = levels.iter().copied().max().unwrap_or(0);
    anyhow::ensure!(most > 0, "--registers needs at least one level above 0");
    let s = harness::start(database_url).await?;
    s.stock_the_stores().await?;
    println!(
        "checkout — backend: {}; cores: {}; registers: {levels:?}; {seconds} s per level after {} s warm-up",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        WARMUP.as_secs()
    );
    let api = Api::login(&s, "admin", ADMIN_PASSWORD).await?;
    let t = Instant::now();
    let shops = chain::shops(&api, usize::MAX).await?;
    let tills = chain::tills(&api, &shops, most).await?;
    println!(
        "setup: {} stores, {} products in the first catalog, {} registers with open shifts ({:.1} s)",
        shops.len(),
        shops[0].items.len(),
        tills.len(),
        t.elapsed().as_secs_f64()
    );
    let before = count_sales(&s.db).await?;
    // A chain's database holds sales and has statistics that say so. A fresh one was analyzed
    // with no sales (the demo seed does), and PostgreSQL keeps each connection's generic plans
    // until the statistics change — the writer's replay check then scanned the growing sales
    // table in full (auto_explain: 11–18 ms per batch) until autovacuum analyzed it, about a
    // minute in. So sell for 2 s first, then analyze, as autovacuum would.
    let prelude = level(&api, &tills, PRELUDE, 1, sale).await?;
    salepoint_store::demo::analyze(&s.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "prelude: {} sales at {most} registers, errors {}; then ANALYZE (PostgreSQL)",
        prelude.acked, prelude.errors
    );
    // `SALEPOINT_BENCH_ROLLUP=1`: the analytics rollup worker runs beside the sales, as in
    // `salepoint serve` (its transactions take SQLite's writer turn and write pages of their
    // own); without it the figures are the sale path's alone.
    if std::env::var("SALEPOINT_BENCH_ROLLUP").is_ok_and(|v| v == "1") {
        salepoint_store::analytics::rollup::start(s.db.clone());
        println!("with the analytics rollup worker, as `salepoint serve` runs it");
    }
    let mut acked_total = prelude.acked;
    for &n in levels {
        let peak_reset = harness::reset_peak_rss();
        let rss_before = harness::rss_mib();
        let own_peak = harness::OwnPeak::start();
        let cpu_before = harness::process_cpu_seconds();
        // Counters of the warm-up's and the previous level's batches are dropped.
        salepoint_store::orders::timing::take();
        let machine_before = harness::machine_cpu_ticks();
        let Level {
            mut lat,
            acked,
            errors,
            wall,
            shown,
        } = level(&api, &tills[..n], Duration::from_secs(seconds), 0, sale).await?;
        let cpu = harness::process_cpu_seconds() - cpu_before;
        let split = harness::rss_split_mib();
        let own_peak = own_peak.stop();
        let machine_after = harness::machine_cpu_ticks();
        let busy = (machine_after.0 - machine_before.0) as f64
            / (machine_after.1 - machine_before.1).max(1) as f64;
        let run_secs = wall + WARMUP.as_secs_f64();
        acked_total += acked;
        lat.sort();
        let ms = |p: f64| {
            if lat.is_empty() {
                f64::NAN
            } else {
                percentile(&lat, p).as_secs_f64() * 1e3
            }
        };
        println!(
            "{n:>4} registers: {:>7} sales in {wall:.1} s = {:>7.0} sales/s  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  errors {errors}",
            lat.len(),
            lat.len() as f64 / wall.max(f64::EPSILON),
            ms(0.50),
            ms(0.95),
            ms(0.99),
        );
        println!(
            "     memory: RSS {rss_before:.0} MiB before, peak {:.0} MiB during{} (server + load generator; \
             at the end {:.0} MiB own + {:.0} MiB mapped files; own memory at most {own_peak:.0} MiB); \
             CPU: this process {:.2} cores, the machine {:.0} % busy",
            harness::peak_rss_mib(),
            if peak_reset {
                ""
            } else {
                " (peak since start)"
            },
            split.0,
            split.1,
            cpu / run_secs,
            busy * 100.0
        );
        // The writer's µs per batch by step (pricing outside, then the commit stage).
        for line in salepoint_store::orders::timing::take().lines() {
            println!("     writer: {line}");
        }
        let in_db = count_sales(&s.db).await? - before;
        let ledger = salepoint_store::inventory::ledger::verify(&s.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "     check: {in_db} sales in the database, {acked_total} acknowledged ({}); stock ledger: {} levels, {} mismatches, {} broken chains",
            if in_db == acked_total as i64 {
                "equal"
            } else {
                "NOT EQUAL"
            },
            ledger.levels,
            ledger.mismatches.len(),
            ledger.broken_chains
        );
        for e in &shown {
            println!("     error: {e}");
        }
    }
    Ok(())
}

/// What all registers did during one level.
pub(crate) struct Level {
    /// Latencies of the sales acknowledged in the measured window.
    pub(crate) lat: Vec<Duration>,
    /// Sales acknowledged, warm-up included.
    pub(crate) acked: u64,
    /// Failed sales, warm-up included.
    pub(crate) errors: u64,
    /// The measured window, seconds: from the end of the warm-up to the last measured answer.
    pub(crate) wall: f64,
    /// The first few error answers.
    pub(crate) shown: Vec<String>,
}

/// Makes the body of a register's next sale.
pub(crate) type Basket = fn(&Till, &mut Rng) -> Value;

/// Runs `tills` selling `basket`s at once: a warm-up, then `measure` of measured time. `tag`
/// tells the random streams of different runs at the same level apart.
pub(crate) async fn level(
    api: &Api,
    tills: &[Arc<Till>],
    measure: Duration,
    tag: u64,
    basket: Basket,
) -> anyhow::Result<Level> {
    let shown = Arc::new(Mutex::new(Vec::new()));
    let measure_from = Instant::now() + WARMUP;
    let until = measure_from + measure;
    let tasks: Vec<_> = tills
        .iter()
        .enumerate()
        .map(|(i, till)| {
            tokio::spawn(sell(
                api.clone(),
                till.clone(),
                (tills.len() as u64) << 33 | tag << 32 | i as u64,
                basket,
                measure_from,
                until,
                shown.clone(),
            ))
        })
        .collect();
    let mut out = Level {
        lat: Vec::new(),
        acked: 0,
        errors: 0,
        wall: 0.0,
        shown: Vec::new(),
    };
    let mut last = measure_from;
    for task in tasks {
        let t = task.await.context("a register task panicked")?;
        out.lat.extend(t.latencies);
        out.acked += t.acked;
        out.errors += t.errors;
        last = last.max(t.last.unwrap_or(measure_from));
    }
    out.wall = (last - measure_from).as_secs_f64();
    out.shown = std::mem::take(&mut *shown.lock().expect("error list"));
    Ok(out)
}

/// One register selling until `until`: the next sale starts when the last is answered.
async fn sell(
    api: Api,
    till: Arc<Till>,
    seed: u64,
    basket: Basket,
    measure_from: Instant,
    until: Instant,
    shown: Arc<Mutex<Vec<String>>>,
) -> Tally {
    let url = format!("{}/api/v1/sales", api.base);
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    while Instant::now() < until {
        let body = basket(&till, &mut rng);
        let start = Instant::now();
        let outcome = post_sale(&api.http, &url, &api.token, &body).await;
        let done = Instant::now();
        match outcome {
            Ok(()) => {
                tally.acked += 1;
                if start >= measure_from {
                    tally.latencies.push(done - start);
                    tally.last = Some(done);
                }
            }
            Err(e) => {
                tally.errors += 1;
                let mut shown = shown.lock().expect("error list");
                if shown.len() < SHOWN_ERRORS {
                    shown.push(e.chars().take(SHOWN_CHARS).collect());
                }
            }
        }
    }
    tally
}

/// A basket of 1–10 lines from the store's catalog, priced as the server prices it
/// (docs/register.md, "Pricing"): line gross = unit price × quantity rounded half up; no
/// discounts, and prices include VAT, so the total is the sum of the lines.
pub(crate) fn sale(till: &Till, rng: &mut Rng) -> Value {
    let shop = &till.shop;
    let mut total = 0;
    let lines: Vec<Value> = (0..1 + rng.below(10))
        .map(|_| {
            let item = &shop.items[rng.below(shop.items.len())];
            let (quantity, gross) = if item.weighed {
                // 0.100–2.000 kg off the scale.
                let grams = 100 + rng.below(1901) as i64;
                (
                    format!("{}.{:03}", grams / 1000, grams % 1000),
                    (item.price_minor * grams + 500) / 1000,
                )
            } else {
                let q = PIECES[rng.below(PIECES.len())];
                (q.to_string(), item.price_minor * q)
            };
            total += gross;
            json!({"product_id": item.id, "quantity": quantity, "unit_price_minor": item.price_minor})
        })
        .collect();
    json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "register_id": till.register_id,
        "shift_id": till.shift_id,
        "lines": lines,
        "tenders": tenders(total, shop.cash_step, rng),
    })
}

/// Half the sales are paid in cash, 35 % by card, 15 % half by card and the rest in cash. The
/// cash part is rounded half up to the store's step (抹零) and the rounding is added to what is
/// due, so the tenders sum to `amount_due_minor` exactly as the server expects.
fn tenders(total: i64, step: i64, rng: &mut Rng) -> Vec<Value> {
    let roll = rng.below(100);
    let mut card = match roll {
        0..50 => 0,
        50..85 => total,
        _ => total / 2,
    };
    // A cash part that rounds to nothing is no tender: the card takes it.
    if round_half_up(total - card, step) == 0 {
        card = total;
    }
    let cash = round_half_up(total - card, step);
    let mut out = Vec::with_capacity(2);
    if card > 0 {
        out.push(json!({
            "code": "CARD",
            "amount_minor": card,
            "reference": format!("T-{:06}", rng.below(1_000_000)),
            "card_last4": "4242",
        }));
    }
    if cash > 0 {
        out.push(json!({
            "code": "CASH",
            "amount_minor": cash,
            "tendered_minor": (cash + NOTE_MINOR - 1) / NOTE_MINOR * NOTE_MINOR,
        }));
    }
    out
}

/// `minor` (≥ 0) rounded half up to a multiple of `step`.
fn round_half_up(minor: i64, step: i64) -> i64 {
    if step <= 1 {
        return minor;
    }
    let rem = minor % step;
    minor - rem + if rem * 2 >= step { step } else { 0 }
}

/// `SELECT COUNT(*) FROM sales`: the database's word, not the API's.
async fn count_sales(db: &salepoint_store::Db) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sales")
        .fetch_one(&db.pool)
        .await?)
}

/// Posts one sale and reads the whole answer (part of its cost, and it lets the connection be
/// reused): `Ok` when the sale was created, else what went wrong.
pub(crate) async fn post_sale(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &serde_json::Value,
) -> Result<(), String> {
    match http.post(url).bearer_auth(token).json(body).send().await {
        Ok(res) => {
            let status = res.status();
            match res.bytes().await {
                Ok(_) if status == reqwest::StatusCode::CREATED => Ok(()),
                Ok(b) => Err(format!("{status} {}", String::from_utf8_lossy(&b))),
                Err(e) => Err(format!("{status}, body lost: {e}")),
            }
        }
        Err(e) => Err(format!("transport: {e}")),
    }
}
