//! Foundation figures: login (Argon2id), an authenticated scoped list, and audited idempotent
//! creates — the write path every later module shares.

use crate::harness::{self, ADMIN_PASSWORD, drive, report};
use serde_json::json;
use std::time::Instant;

pub async fn run(
    database_url: Option<&str>,
    concurrency: usize,
    requests: usize,
) -> anyhow::Result<()> {
    let s = harness::start(database_url).await?;
    println!(
        "foundation — backend: {}; cores: {}; concurrency: {concurrency}",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let demo = salepoint_store::demo::DEMO_PASSWORD;
    let logins = 100.min(requests);
    let (lat, wall) = drive(logins, 2, {
        let (http, base) = (s.http.clone(), s.base.clone());
        move |_| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                http.post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"username": "manager.sh001", "password": demo}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        }
    })
    .await;
    report("POST /auth/login (Argon2id)", lat, wall);

    let admin = s.login("admin", ADMIN_PASSWORD).await?;
    let manager = s.login("region.east", demo).await?;
    let (lat, wall) = drive(requests, concurrency, {
        let (http, base, manager) = (s.http.clone(), s.base.clone(), manager.clone());
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

    let (lat, wall) = drive(requests, concurrency, {
        let (http, base, admin) = (s.http.clone(), s.base.clone(), admin.clone());
        move |i| {
            let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
            async move {
                http.post(format!("{base}/api/v1/channels"))
                    .bearer_auth(&admin)
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
    let chain = salepoint_store::audit::verify(&s.db)
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
        harness::peak_rss_mib()
    );
    Ok(())
}
