//! The dashboard's lag behind a sale under load: the rollup worker runs as `salepoint serve`
//! runs it; `registers` virtual registers (default [`BACKGROUND_REGISTERS`]) in eight stores
//! post sales through `POST /api/v1/sales` at a paced total of `rate` sales/s (each register
//! sends its next sale at its scheduled time, or at once when it is behind — so the rate
//! reached is at most registers ÷ a sale's latency); meanwhile, once a second, a probe sale is
//! posted at a ninth store that nothing else sells in, and the dashboard of that store is read
//! every [`POLL`] until its `orders` count shows it. Lag = from sending the probe to the first
//! dashboard answer that counts it. Shifts left open at those stores by an earlier run (over a
//! reused database) are closed first.
//!
//! `SALEPOINT_BENCH_LAG_MODE` splits a sale's cost under that load: `writer` runs the
//! background registers alone (no worker, no probes), `worker` adds the rollup worker, the
//! default (`full`) adds the probes and their dashboard reads. After the load it prints the
//! sale writer's time per step (`orders::timing`) and the worker's batches and time
//! (`analytics::work`).

use crate::chain::{self, Api, Rng, Till};
use crate::checkout::{post_sale, sale};
use crate::harness::{Server, percentile};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Registers of the background load, unless `--registers` says otherwise.
pub(crate) const BACKGROUND_REGISTERS: usize = 64;
/// How often the probe's dashboard is read.
const POLL: Duration = Duration::from_millis(25);
/// Longest a probe is waited for before it counts as lost.
const GIVE_UP: Duration = Duration::from_secs(30);
/// Load before the first probe: the worker and the writer reach their steady state.
const WARMUP: Duration = Duration::from_secs(5);

pub(crate) async fn run(
    s: &Server,
    api: &Api,
    rate: f64,
    length: Duration,
    registers: usize,
) -> anyhow::Result<()> {
    let mode = std::env::var("SALEPOINT_BENCH_LAG_MODE").unwrap_or_else(|_| "full".into());
    anyhow::ensure!(
        ["writer", "worker", "full"].contains(&mode.as_str()),
        "SALEPOINT_BENCH_LAG_MODE=writer|worker|full"
    );
    let worker = mode != "writer";
    if worker {
        salepoint_store::analytics::rollup::start(s.db.clone());
    }
    let shops = chain::shops(api, 9).await?;
    anyhow::ensure!(shops.len() == 9, "the lag needs 9 stores");
    let closed = close_open_shifts(api, &shops).await?;
    if closed > 0 {
        println!("lag: closed {closed} shifts an earlier run left open");
    }
    let probe = chain::tills(api, &shops[..1], 1).await?.remove(0);
    let tills = chain::tills(api, &shops[1..], registers).await?;
    let probe_store = probe.shop.id.clone();
    println!(
        "lag ({mode}): {} background registers in {} stores at {rate} sales/s; probes at {} once a second for {} s",
        tills.len(),
        shops.len() - 1,
        probe.shop.code,
        length.as_secs()
    );
    salepoint_store::orders::timing::take();
    salepoint_store::analytics::work::take();
    let start = Instant::now();
    let until = start + WARMUP + length;
    let interval = Duration::from_secs_f64(tills.len() as f64 / rate);
    let tasks: Vec<_> = tills
        .iter()
        .enumerate()
        .map(|(i, till)| {
            let (api, till) = (api.clone(), till.clone());
            // Registers start spread over one interval so the load is even.
            let first = start + interval.mul_f64(i as f64 / tills.len() as f64);
            tokio::spawn(background(api, till, i as u64, first, interval, until))
        })
        .collect();
    tokio::time::sleep_until((start + WARMUP).into()).await;
    let measured_from = Instant::now();
    let mut lags = Vec::new();
    let mut lost = 0;
    let mut rng = Rng(0x9_0BE);
    let mut next = Instant::now();
    while mode == "full" && Instant::now() + Duration::from_secs(1) < until {
        tokio::time::sleep_until(next.into()).await;
        next += Duration::from_secs(1);
        match probe_once(api, &probe, &probe_store, &mut rng).await? {
            Some(lag) => lags.push(lag),
            None => lost += 1,
        }
    }
    if mode != "full" {
        tokio::time::sleep_until(until.into()).await;
    }
    let window = measured_from.elapsed();
    let (mut acked, mut in_window, mut errors, mut shown) = (0u64, 0u64, 0u64, Vec::new());
    let mut latencies = Vec::new();
    for t in tasks {
        let b = t.await?;
        acked += b.acked;
        in_window += b.in_window(measured_from, measured_from + window);
        latencies.extend(b.latencies_in(measured_from, measured_from + window));
        errors += b.errors;
        shown.extend(b.first_error);
    }
    latencies.sort();
    lags.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    if mode == "full" {
        anyhow::ensure!(!lags.is_empty(), "no probe was seen on the dashboard");
        println!(
            "lag after a sale: {} probes, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {lost} not seen within {} s",
            lags.len(),
            ms(percentile(&lags, 0.5)),
            ms(percentile(&lags, 0.99)),
            ms(*lags.last().expect("a probe")),
            GIVE_UP.as_secs()
        );
    }
    println!(
        "    background: {:.0} sales/s achieved over {:.1} s (target {rate}, {} registers), {acked} sales acknowledged in all, {errors} errors",
        in_window as f64 / window.as_secs_f64(),
        window.as_secs_f64(),
        tills.len()
    );
    if !latencies.is_empty() {
        println!(
            "    background sale latency: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().expect("a sale"))
        );
    }
    for e in shown.iter().take(3) {
        println!("    error: {e}");
    }
    let wall = start.elapsed();
    print!(
        "    writer µs/batch: {}",
        salepoint_store::orders::timing::take()
    );
    let (batches, applied, busy) = salepoint_store::analytics::work::take();
    println!(
        "    worker: {batches} batches applied {applied} sales in {:.1} s of {:.1} s ({:.0} %)",
        busy.as_secs_f64(),
        wall.as_secs_f64(),
        100.0 * busy.as_secs_f64() / wall.as_secs_f64()
    );
    if !worker {
        // Nothing was rolled up: catch up now, so the dashboard after the lag is exact.
        let n = salepoint_store::analytics::rollup::drain(&s.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("    rolled up after the load: {n} sales");
        return Ok(());
    }
    let dash = api.get("/api/v1/reports/dashboard").await?;
    println!(
        "    dashboard after the load: rollup_lag_ms {}, pending_sales {}",
        dash["rollup_lag_ms"], dash["pending_sales"]
    );
    Ok(())
}

/// Posts one probe sale and waits for the store's dashboard to count it; `None` if it did
/// not within [`GIVE_UP`].
async fn probe_once(
    api: &Api,
    till: &Till,
    store: &str,
    rng: &mut Rng,
) -> anyhow::Result<Option<Duration>> {
    let path = format!("/api/v1/reports/dashboard?store_id={store}");
    let before = api.get(&path).await?["orders"].as_i64().unwrap_or(0);
    let body = sale(till, rng);
    let sent = Instant::now();
    post_sale(
        &api.http,
        &format!("{}/api/v1/sales", api.base),
        &api.token,
        &body,
    )
    .await
    .map_err(|e| anyhow::anyhow!("probe sale: {e}"))?;
    while sent.elapsed() < GIVE_UP {
        if api.get(&path).await?["orders"].as_i64().unwrap_or(0) > before {
            return Ok(Some(sent.elapsed()));
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(None)
}

/// Closes every open shift at `shops` (a kept database's earlier run may have left them
/// open, and a register takes one open shift at a time); returns how many.
async fn close_open_shifts(api: &Api, shops: &[Arc<chain::Shop>]) -> anyhow::Result<usize> {
    let mut n = 0;
    for shop in shops {
        loop {
            let open = api
                .get(&format!(
                    "/api/v1/shifts?store_id={}&status=open&limit=100",
                    shop.id
                ))
                .await?;
            let ids: Vec<String> = open["data"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s["id"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() {
                break;
            }
            for id in ids {
                api.post(
                    &format!("/api/v1/shifts/{id}/close"),
                    &serde_json::json!({"counted": []}),
                    200,
                )
                .await?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// What one background register did.
struct Background {
    /// When each acknowledged sale was answered, and how long it took.
    done: Vec<(Instant, Duration)>,
    acked: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Background {
    fn in_window(&self, from: Instant, to: Instant) -> u64 {
        self.latencies_in(from, to).count() as u64
    }

    /// The latencies of the sales answered between `from` and `to`.
    fn latencies_in(&self, from: Instant, to: Instant) -> impl Iterator<Item = Duration> + '_ {
        self.done
            .iter()
            .filter(move |(t, _)| *t >= from && *t < to)
            .map(|(_, d)| *d)
    }
}

/// One register selling on schedule: a sale every `interval` from `first` until `until`.
async fn background(
    api: Api,
    till: Arc<Till>,
    seed: u64,
    first: Instant,
    interval: Duration,
    until: Instant,
) -> Background {
    let url = format!("{}/api/v1/sales", api.base);
    let mut rng = Rng(0xB6_0000 | seed);
    let mut out = Background {
        done: Vec::new(),
        acked: 0,
        errors: 0,
        first_error: None,
    };
    let mut next = first;
    while next < until {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let body = sale(&till, &mut rng);
        let sent = Instant::now();
        match post_sale(&api.http, &url, &api.token, &body).await {
            Ok(()) => {
                out.acked += 1;
                out.done.push((Instant::now(), sent.elapsed()));
            }
            Err(e) => {
                out.errors += 1;
                out.first_error
                    .get_or_insert_with(|| e.chars().take(300).collect());
            }
        }
    }
    out
}
