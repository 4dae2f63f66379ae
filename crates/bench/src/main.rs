//! Foundation benchmark: starts the real server in-process over a fresh database (SQLite by
//! default, PostgreSQL with `--database-url`), seeds the demo chain, then drives it over real
//! HTTP and prints throughput and p50/p99 latency for: login (Argon2id), an authenticated
//! scoped list, and audited, idempotent creates (the write path every later module shares).
//!
//! Run: `cargo run --release -p salepoint-bench -- [--database-url URL] [--concurrency N]`

use salepoint_store::Db;
use salepoint_store::db::DbOptions;
use serde_json::json;
use std::time::{Duration, Instant};

struct Args {
    database_url: Option<String>,
    concurrency: usize,
    requests: usize,
}

fn parse_args() -> Args {
    let mut a = Args {
        database_url: None,
        concurrency: 16,
        requests: 2000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--database-url" => a.database_url = Some(value),
            "--concurrency" => a.concurrency = value.parse().expect("--concurrency N"),
            "--requests" => a.requests = value.parse().expect("--requests N"),
            other => panic!("unknown flag {other}; use --database-url, --concurrency, --requests"),
        }
    }
    a
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut lat: Vec<Duration>, wall: Duration) {
    lat.sort();
    println!(
        "{name:<34} {:>6} req  {:>8.1} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
    );
}

/// Runs `total` requests made by `make(i)` with `conc` in flight; returns latencies and wall time.
async fn drive<F, Fut>(total: usize, conc: usize, make: F) -> (Vec<Duration>, Duration)
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
        all.extend(t.await.unwrap());
    }
    (all, start.elapsed())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args();
    let dir = tempfile_dir()?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| DbOptions::sqlite_in(&dir));
    let backend = if url.starts_with("sqlite") {
        "SQLite (WAL, synchronous=FULL)"
    } else {
        "PostgreSQL"
    };
    let db = Db::connect(&DbOptions {
        url,
        max_connections: 16,
        allow_async_commit: false,
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.migrate().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let password = "Bench-Admin-Passw0rd!";
    salepoint_store::demo::seed(&db, Some(password.into()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("the benchmark needs an empty database"))?;
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
    let http = reqwest::Client::new();
    println!(
        "backend: {backend}; cores: {}; concurrency: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        args.concurrency
    );

    // Login: Argon2id (19 MiB, t=2) dominates; the figure is the price of a sign-in.
    let logins = 100.min(args.requests);
    let (lat, wall) = drive(logins, 2, {
        let (http, base) = (http.clone(), base.clone());
        move |_| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                http.post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"username": "manager.sh001", "password": salepoint_store::demo::DEMO_PASSWORD}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        }
    })
    .await;
    report("POST /auth/login (Argon2id)", lat, wall);

    let token = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?["token"]
        .as_str()
        .unwrap()
        .to_string();
    let manager = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "region.east", "password": salepoint_store::demo::DEMO_PASSWORD}))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?["token"]
        .as_str()
        .unwrap()
        .to_string();

    let (lat, wall) = drive(args.requests, args.concurrency, {
        let (http, base, manager) = (http.clone(), base.clone(), manager.clone());
        move |_| {
            let (http, base, manager) = (http.clone(), base.clone(), manager.clone());
            async move {
                http.get(format!("{base}/api/v1/stores?limit=50"))
                    .bearer_auth(&manager)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        }
    })
    .await;
    report("GET /stores (regional scope)", lat, wall);

    let (lat, wall) = drive(args.requests, args.concurrency, {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        move |i| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            async move {
                http.post(format!("{base}/api/v1/channels"))
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("bench-{i}"))
                    .json(&json!({"code": format!("B{i}"), "name": "bench", "kind": "online"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        }
    })
    .await;
    report("POST /channels (idempotent+audit)", lat, wall);

    let t = Instant::now();
    let chain = salepoint_store::audit::verify(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "audit verify: {} rows in {:.1} ms (ok = {})",
        chain.checked,
        t.elapsed().as_secs_f64() * 1e3,
        chain.ok
    );
    println!(
        "peak resident memory (server + load generator): {:.0} MiB",
        peak_rss_mib()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("salepoint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
