//! What every benchmark shares: a real server in-process over a fresh database, a load driver
//! with a fixed number of requests in flight, and latency reporting.

use salepoint_store::Db;
use salepoint_store::db::DbOptions;
use std::time::{Duration, Instant};

/// A server under test.
pub struct Server {
    pub base: String,
    pub db: Db,
    pub backend: &'static str,
    pub http: reqwest::Client,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The admin password of benchmark databases.
pub const ADMIN_PASSWORD: &str = "Bench-Admin-Passw0rd!";

/// Starts the server over a fresh database (SQLite in a temp dir, or the given PostgreSQL
/// database, which must be empty) seeded with the demo chain.
pub async fn start(database_url: Option<&str>) -> anyhow::Result<Server> {
    start_with(database_url, false).await
}

/// As [`start`], but a PostgreSQL database that already holds a chain (an earlier run's seed,
/// kept with `--reuse`) is used as it is.
pub async fn start_reusing(database_url: Option<&str>) -> anyhow::Result<Server> {
    start_with(database_url, true).await
}

async fn start_with(database_url: Option<&str>, reuse: bool) -> anyhow::Result<Server> {
    let dir = std::env::temp_dir().join(format!(
        "salepoint-bench-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&dir)?;
    let url = database_url
        .map(str::to_string)
        .unwrap_or_else(|| DbOptions::sqlite_in(&dir));
    let backend = if url.starts_with("sqlite") {
        "SQLite (WAL, every commit synced before it is answered)"
    } else {
        "PostgreSQL"
    };
    // `SALEPOINT_BENCH_DB_CONNECTIONS` (default as `salepoint serve`'s): the pool's size.
    let max_connections = std::env::var("SALEPOINT_BENCH_DB_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(salepoint_store::db::default_connections);
    let db = Db::connect(&DbOptions {
        url,
        max_connections,
        allow_async_commit: false,
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.migrate().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let seeded = salepoint_store::demo::seed(&db, Some(ADMIN_PASSWORD.into()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        seeded.is_some() || reuse,
        "the benchmark needs an empty database"
    );
    let mut cfg = salepoint_server::state::ServerConfig::default();
    // The benchmark logs in many times from one address; lift the throttle accordingly.
    cfg.auth.max_failures_per_address = i64::MAX;
    let app = salepoint_server::app(db.clone(), cfg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(salepoint_server::serve(
        listener,
        app,
        std::future::pending(),
    ));
    Ok(Server {
        base,
        db,
        backend,
        http: reqwest::Client::new(),
        dir,
    })
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

impl Server {
    /// Gives every store the demo's opening stock, unless some location holds stock already
    /// (a reused seed): registers sell what the shelves hold, as in a chain, instead of taking
    /// every level below zero (each sale flagged for review, each level created by a sale).
    pub async fn stock_the_stores(&self) -> anyhow::Result<()> {
        let levels: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stock_levels")
            .fetch_one(&self.db.pool)
            .await?;
        if levels > 0 {
            return Ok(());
        }
        let company = salepoint_store::bootstrap::first_company(&self.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        salepoint_store::demo_sales::opening_stock_everywhere(&self.db, company)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Logs in and returns a bearer token.
    pub async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let v: serde_json::Value = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await?
            .json()
            .await?;
        v["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("login failed: {v}"))
    }
}

/// The value at quantile `p` of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Prints one line of figures.
pub fn report(name: &str, mut lat: Vec<Duration>, wall: Duration) {
    lat.sort();
    println!(
        "{name:<40} {:>6} req  {:>8.1} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
    );
}

/// Prints one line of figures: throughput, p50, p99, max.
pub fn report_max(name: &str, mut lat: Vec<Duration>, wall: Duration) {
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<60} {:>6} req  {:>8.1} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().expect("at least one request")),
    );
}

/// Runs `total` requests made by `make(i)` with `conc` in flight; returns latencies and wall time.
pub async fn drive<F, Fut>(total: usize, conc: usize, make: F) -> (Vec<Duration>, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    let start = Instant::now();
    let per = total.div_ceil(conc);
    let mut tasks = Vec::new();
    for w in 0..conc {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            for j in 0..per {
                let i = w * per + j;
                if i >= total {
                    break;
                }
                let t = Instant::now();
                let status = make(i).await;
                assert!(status.is_success(), "request {i} failed: {status}");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.expect("a load task panicked"));
    }
    (all, start.elapsed())
}

/// Peak resident memory of this process (server and load generator), MiB.
pub fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Resident memory of this process now, MiB.
pub fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

/// Resident memory of this process now, split into its own (heap, stacks: `RssAnon`) and
/// pages of mapped files (`RssFile` + `RssShmem`: SQLite maps its database file and its
/// WAL index; those pages are the OS page cache, shared, and reclaimable), MiB.
pub fn rss_split_mib() -> (f64, f64) {
    (
        status_mib("RssAnon:"),
        status_mib("RssFile:") + status_mib("RssShmem:"),
    )
}

/// The highest own memory (`RssAnon`: heap and stacks, without pages of mapped files) of this
/// process while it lives, sampled every 50 ms. The kernel's peak (`VmHWM`) also counts the
/// database file's pages that SQLite's memory map made resident — after a check that read a
/// whole table, hundreds of MiB of shared, reclaimable page cache that say nothing of what
/// the server itself holds.
pub struct OwnPeak {
    kib: std::sync::Arc<std::sync::atomic::AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl OwnPeak {
    /// Starts sampling now.
    pub fn start() -> OwnPeak {
        use std::sync::atomic::Ordering;
        let kib = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = kib.clone();
        let task = tokio::spawn(async move {
            loop {
                let now = (status_mib("RssAnon:") * 1024.0) as u64;
                seen.fetch_max(now, Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        });
        OwnPeak { kib, task }
    }

    /// Stops sampling; the peak seen, MiB.
    pub fn stop(self) -> f64 {
        self.task.abort();
        let last = (status_mib("RssAnon:") * 1024.0) as u64;
        let kib = self
            .kib
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(last);
        kib as f64 / 1024.0
    }
}

/// Resets the peak that [`peak_rss_mib`] reports to the current resident memory, so that a
/// benchmark phase reports its own peak rather than that of the setup before it (Linux ≥ 4.0,
/// `clear_refs` value 5). Returns whether the kernel accepted it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A memory field of `/proc/self/status` (given in KiB there), MiB; NaN if unavailable.
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU time this process (server and load generator, all threads) has used, seconds.
pub fn process_cpu_seconds() -> f64 {
    task_cpu_seconds("/proc/self/stat")
}

/// The CPU time (user + system) of the process or thread whose `stat` file is `path`, seconds
/// (`NAN` if it is gone). Linux reports it in USER_HZ ticks, which is 100 on every architecture
/// Salepoint runs on.
pub fn task_cpu_seconds(path: &str) -> f64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces) start at field 3 (state);
            // utime and stime are fields 14 and 15.
            let rest = &s[s.rfind(')')? + 1..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// Busy and total CPU time of the whole machine so far, in ticks (`/proc/stat`): a database
/// server in another process (PostgreSQL) shows up here, not in [`process_cpu_seconds`].
pub fn machine_cpu_ticks() -> (u64, u64) {
    let line = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> = line
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    // idle and iowait are fields 4 and 5.
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// The machine's 1, 5 and 15 minute load averages (`/proc/loadavg`): the benchmark shares
/// its two cores with other work, which the figures must be read against.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Open-loop load at a stated offered rate (as wrk2 does): `clients` tasks each send
/// `per_client_rate` requests a second on a fixed schedule for `seconds`, and each latency is
/// measured from the request's *scheduled* send time, so a slow answer that delays the next
/// send is counted against that next request too (no coordinated omission). [`drive`]'s
/// closed loop measures saturation instead: there p99 is mostly queueing.
///
/// Returns the latencies, the wall time, and how late each send left against its schedule
/// (the load generator's own slack: tokio's timer ticks in whole milliseconds).
pub async fn drive_paced<F, Fut>(
    clients: usize,
    per_client_rate: f64,
    seconds: f64,
    make: F,
) -> (Vec<Duration>, Duration, Vec<Duration>)
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    let interval = Duration::from_secs_f64(1.0 / per_client_rate);
    let per = (per_client_rate * seconds).ceil() as usize;
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let mut tasks = Vec::new();
    for w in 0..clients {
        let make = make.clone();
        // Clients are spread evenly over one interval, as independent cashiers would be.
        let first = start + interval.mul_f64(w as f64 / clients as f64);
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut late) = (Vec::with_capacity(per), Vec::with_capacity(per));
            for j in 0..per {
                let scheduled = first + interval * j as u32;
                tokio::time::sleep_until(scheduled).await;
                late.push(scheduled.elapsed());
                let status = make(w * per + j).await;
                assert!(status.is_success(), "request {w}/{j} failed: {status}");
                lat.push(scheduled.elapsed());
            }
            (lat, late)
        }));
    }
    let (mut all, mut lags) = (Vec::new(), Vec::new());
    for t in tasks {
        let (lat, late) = t.await.expect("a load task panicked");
        all.extend(lat);
        lags.extend(late);
    }
    (all, start.elapsed(), lags)
}

/// Prints one line of figures of a paced run: offered and achieved rate, p50, p99, max from
/// the scheduled send; the p99 of the generator's own lateness in sending; and p50/p99 from
/// the actual send (the answer's own time, without that lateness: tokio's timer wakes a
/// sender up to a millisecond or more after its schedule, which the first figures carry).
/// `lat` and `late` are paired: the same request at the same index.
pub fn report_paced(
    name: &str,
    offered: f64,
    mut lat: Vec<Duration>,
    wall: Duration,
    mut late: Vec<Duration>,
) {
    let mut from_send: Vec<Duration> = lat
        .iter()
        .zip(&late)
        .map(|(l, s)| l.saturating_sub(*s))
        .collect();
    lat.sort();
    late.sort();
    from_send.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<40} offered {offered:>6.0}/s  done {:>6} ({:>6.0}/s)  from schedule: p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  (send lag p99 {:.2} ms; from send: p50 {:.2} ms  p99 {:.2} ms)",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().expect("at least one request")),
        ms(percentile(&late, 0.99)),
        ms(percentile(&from_send, 0.50)),
        ms(percentile(&from_send, 0.99)),
    );
}
