//! Catalog figures (issue 3): import 100,000 products from CSV over HTTP; the register snapshot
//! of a store with ~100,000 products (time and bytes on the wire, gzip); then, with the catalog
//! grown to 1,000,000 products, barcode scans and 3-letter search-as-you-type at 16 clients.
//!
//! `SALEPOINT_BENCH_PHASES=scan,search` (any of `import`, `snapshot`, `scan`, `search`) runs only
//! those phases, to iterate faster; the catalog is bulk-loaded to `--products` either way.
//! `SALEPOINT_BENCH_KEEP_DB=/path/copy.db` keeps a copy of the SQLite database at the end.
//! `SALEPOINT_BENCH_REUSE=1` with `--database-url` (a kept SQLite copy or a PostgreSQL
//! database of an earlier run) measures over the catalog already there: no import and no
//! snapshot (they need a fresh database), the bulk load only tops the catalog up to `--products`.
//! Phase `http` (also in the default set) times `GET /healthz` and an authenticated request
//! refused before any query, at the same concurrency: the ceiling the scan is measured against.
//!
//! Scan and search are each measured twice: at *saturation* (16 closed-loop clients: throughput,
//! and a p99 that is queueing on two cores) and *paced* (16 clients on a fixed schedule, latency
//! from the scheduled send: the latency at a stated offered load, see [`both_loads`]).

use crate::harness::{self, ADMIN_PASSWORD, drive, report};
use salepoint_domain::catalog::barcode::{BarcodeKind, with_check_digit};
use salepoint_domain::catalog::search_key::pinyin_keys;
use salepoint_domain::catalog::{ProductStatus, Unit};
use salepoint_store::catalog::products::{Barcode, CheckedProduct, insert_many};
use std::collections::BTreeMap;
use std::time::Instant;

const BRANDS: &[(&str, &str)] = &[
    ("金锣", "Jinluo"),
    ("双汇", "Shuanghui"),
    ("旺旺", "Want Want"),
    ("娃哈哈", "Wahaha"),
    ("康师傅", "Master Kong"),
    ("统一", "Uni"),
    ("伊利", "Yili"),
    ("蒙牛", "Mengniu"),
    ("海天", "Haday"),
    ("李锦记", "Lee Kum Kee"),
    ("良品铺子", "Bestore"),
    ("三只松鼠", "Three Squirrels"),
    ("百草味", "Be Cheery"),
    ("达利园", "Daliyuan"),
    ("雀巢", "Nestle"),
    ("立白", "Liby"),
    ("蓝月亮", "Bluemoon"),
    ("维达", "Vinda"),
    ("心相印", "Hearttex"),
    ("洽洽", "Chacha"),
];
const NOUNS: &[(&str, &str)] = &[
    ("火腿肠", "ham sausage"),
    ("牛奶", "milk"),
    ("酸奶", "yogurt"),
    ("饼干", "biscuits"),
    ("薯片", "chips"),
    ("方便面", "instant noodles"),
    ("矿泉水", "mineral water"),
    ("绿茶", "green tea"),
    ("果汁", "juice"),
    ("咖啡", "coffee"),
    ("酱油", "soy sauce"),
    ("醋", "vinegar"),
    ("洗衣液", "laundry liquid"),
    ("纸巾", "tissues"),
    ("瓜子", "seeds"),
    ("巧克力", "chocolate"),
    ("面包", "bread"),
    ("蛋糕", "cake"),
    ("辣条", "spicy strips"),
    ("牛肉干", "beef jerky"),
    ("花生", "peanuts"),
    ("核桃", "walnuts"),
    ("大米", "rice"),
    ("面粉", "flour"),
    ("食用油", "cooking oil"),
];
const FLAVOURS: &[(&str, &str)] = &[
    ("原味", "original"),
    ("香辣", "spicy"),
    ("五香", "five-spice"),
    ("草莓", "strawberry"),
    ("麻辣", "mala"),
    ("椒盐", "salt pepper"),
    ("奶油", "cream"),
    ("海苔", "seaweed"),
    ("蜂蜜", "honey"),
    ("柠檬", "lemon"),
];

/// Generated product `n` (names from brands × nouns × flavours × sizes), with tax class `tax`;
/// the analytics benchmark grows its catalog with the same products.
pub(crate) fn product(n: usize, tax: &str) -> CheckedProduct {
    let (bz, be) = BRANDS[n % BRANDS.len()];
    let (nz, ne) = NOUNS[(n / BRANDS.len()) % NOUNS.len()];
    let (fz, fe) = FLAVOURS[(n / (BRANDS.len() * NOUNS.len())) % FLAVOURS.len()];
    let size = 50 + (n / (BRANDS.len() * NOUNS.len() * FLAVOURS.len())) % 950;
    let price = 150 + (n as i64 * 37) % 9000;
    CheckedProduct {
        sku: format!("B{n:07}"),
        name_zh: format!("{bz}{fz}{nz} {size}g"),
        name_en: format!("{be} {fe} {ne} {size}g"),
        receipt_name: format!("{bz}{nz}{size}g"),
        category_id: None,
        brand: bz.to_string(),
        unit: Unit::Pack,
        sold_by_weight: false,
        quantity_precision: 0,
        tax_class_id: tax.to_string(),
        cost_price_minor: price * 7 / 10,
        list_price_minor: price,
        status: ProductStatus::Active,
        image_url: None,
        attributes: BTreeMap::new(),
        family_code: None,
        plu: None,
        barcodes: vec![Barcode {
            code: barcode(n),
            kind: BarcodeKind::Ean13,
        }],
    }
}

/// A unique EAN-13 per product number (prefix 68, not used by the demo).
fn barcode(n: usize) -> String {
    with_check_digit(&format!("68{n:010}"))
}

fn csv_of(range: std::ops::Range<usize>) -> String {
    let mut out =
        String::from("sku,name_zh,name_en,brand,unit,tax_class,cost_price,list_price,barcodes\n");
    for n in range {
        let p = product(n, "");
        out.push_str(&format!(
            "{},{},{},{},pack,VAT13,{}.{:02},{}.{:02},{}\n",
            p.sku,
            p.name_zh,
            p.name_en,
            p.brand,
            p.cost_price_minor / 100,
            p.cost_price_minor % 100,
            p.list_price_minor / 100,
            p.list_price_minor % 100,
            p.barcodes[0].code
        ));
    }
    out
}

pub async fn run(
    database_url: Option<&str>,
    concurrency: usize,
    requests: usize,
    total: usize,
) -> anyhow::Result<()> {
    let reuse = std::env::var("SALEPOINT_BENCH_REUSE").is_ok_and(|v| v == "1");
    anyhow::ensure!(
        !reuse || database_url.is_some(),
        "SALEPOINT_BENCH_REUSE=1 needs --database-url"
    );
    let s = if reuse {
        harness::start_reusing(database_url).await?
    } else {
        harness::start(database_url).await?
    };
    println!(
        "catalog — backend: {}; cores: {}; concurrency: {concurrency}",
        s.backend,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let admin = s.login("admin", ADMIN_PASSWORD).await?;
    let phases = std::env::var("SALEPOINT_BENCH_PHASES").unwrap_or_default();
    let wants = |phase: &str| phases.is_empty() || phases.split(',').any(|p| p.trim() == phase);

    // 1. Import 100,000 products from one CSV over HTTP.
    let import_n = if !reuse && (wants("import") || wants("snapshot")) {
        100_000.min(total)
    } else {
        0
    };
    if import_n > 0 {
        let csv = csv_of(0..import_n);
        let t = Instant::now();
        let r: serde_json::Value = s
            .http
            .post(format!("{}/api/v1/products/import?dry_run=false", s.base))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
            .await?
            .json()
            .await?;
        println!(
            "import {} products from CSV ({:.1} MB): {:.2} s (created {}, errors {}); load {}",
            import_n,
            csv.len() as f64 / 1e6,
            t.elapsed().as_secs_f64(),
            r["created"],
            r["errors"].as_array().map(|e| e.len()).unwrap_or(0),
            harness::load_average()
        );
        let t = Instant::now();
        let r: serde_json::Value = s
            .http
            .post(format!("{}/api/v1/products/import?dry_run=false", s.base))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?
            .json()
            .await?;
        println!(
            "re-import of the same file: {:.2} s (unchanged {}); load {}",
            t.elapsed().as_secs_f64(),
            r["unchanged"],
            harness::load_average()
        );
    }

    // 2. The register snapshot of SH001 (~105,000 products), gzip on the wire.
    if !reuse && wants("snapshot") {
        let stores: serde_json::Value = s
            .http
            .get(format!("{}/api/v1/stores?q=SH001", s.base))
            .bearer_auth(&admin)
            .send()
            .await?
            .json()
            .await?;
        let sh001 = stores["data"][0]["id"].as_str().unwrap().to_string();
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let res = s
                .http
                .get(format!("{}/api/v1/stores/{sh001}/catalog", s.base))
                .bearer_auth(&admin)
                .header("accept-encoding", "gzip")
                .send()
                .await?;
            bytes = res.bytes().await?.len();
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "register snapshot, {} products: median {:.2} s (all {times:.2?}), {:.2} MB gzip on the wire; load {}",
            import_n + 5000,
            times[1],
            bytes as f64 / 1e6,
            harness::load_average()
        );
    }

    // 3. Grow the catalog to `total` products straight through the store (bulk insert).
    let company = salepoint_store::bootstrap::first_company(&s.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let tax: String = {
        let p = salepoint_store::Principal::system(company);
        salepoint_store::catalog::tax_classes::list(&s.db, &p)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_iter()
            .find(|t| t.code == "VAT13")
            .unwrap()
            .id
    };
    let t = Instant::now();
    let mut n = import_n;
    if reuse {
        // Generated products are B0000000, B0000001, …: top up after the last one there.
        let r = sqlx::query("SELECT COUNT(*) AS n FROM products WHERE sku LIKE 'B%'")
            .fetch_one(&s.db.pool)
            .await?;
        n = sqlx::Row::try_get::<i64, _>(&r, "n")? as usize;
    }
    let loaded = n < total;
    while n < total {
        let end = (n + 20_000).min(total);
        let batch: Vec<(String, CheckedProduct)> =
            (n..end).map(|i| (uuid_v7(), product(i, &tax))).collect();
        let mut tx = s.db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let seq = salepoint_store::catalog::next_change(&mut tx, company)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        insert_many(&mut tx, company, &batch, seq)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        n = end;
    }
    println!(
        "bulk-loaded up to {total} products in {:.1} s; load {}",
        t.elapsed().as_secs_f64(),
        harness::load_average()
    );
    if database_url.is_some() && loaded {
        sqlx_analyze(&s.db).await;
    }

    if wants("http") {
        // The ceiling: the same client and server answering without the catalog — nothing
        // at all (`/healthz`), then authentication and the permission check (a code longer
        // than 64 characters is refused before any query, 404).
        let long = "9".repeat(65);
        for (name, path, expect) in [
            ("GET /healthz", "/healthz".to_string(), 200),
            (
                "GET /scan/{65 digits} (auth, 404)",
                format!("/api/v1/scan/{long}"),
                404,
            ),
        ] {
            let (lat, wall) = drive(requests, concurrency, {
                let (http, base, token) = (s.http.clone(), s.base.clone(), admin.clone());
                move |_| {
                    let (http, url, token) = (http.clone(), format!("{base}{path}"), token.clone());
                    async move {
                        let st = http
                            .get(url)
                            .bearer_auth(&token)
                            .send()
                            .await
                            .unwrap()
                            .status();
                        // drive() counts only successes: the expected refusal is one here.
                        if st.as_u16() == expect {
                            reqwest::StatusCode::OK
                        } else {
                            st
                        }
                    }
                }
            })
            .await;
            report(name, lat, wall);
            println!("  load {}", harness::load_average());
        }
    }

    if wants("scan") {
        // 4. Barcode scans of random products.
        let scan = {
            let (http, base, token) = (s.http.clone(), s.base.clone(), admin.clone());
            move |i: usize| {
                let (http, base, token) = (http.clone(), base.clone(), token.clone());
                let code = barcode((i * 7919 + 13) % total);
                async move {
                    http.get(format!("{base}/api/v1/scan/{code}"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .status()
                }
            }
        };
        let name = format!("GET /scan/{{barcode}} ({total} products)");
        both_loads(&name, requests, concurrency, PACED_SCAN_RATE, scan).await;
    }

    if wants("search") {
        // 5. Search-as-you-type: 3-character queries — pinyin initials, English and Chinese.
        let mut queries: Vec<String> = Vec::new();
        for i in 0..200 {
            let p = product(i * 4999 % total, "");
            let (_, initials) = pinyin_keys(&p.name_zh);
            queries.push(initials.chars().take(3).collect());
            queries.push(
                p.name_en
                    .chars()
                    .skip(i % 4)
                    .take(3)
                    .collect::<String>()
                    .to_lowercase(),
            );
            queries.push(p.name_zh.chars().skip(i % 2).take(3).collect());
        }
        queries.retain(|q| q.chars().count() == 3 && !q.contains(' '));
        let search = {
            let (http, base, token, queries) = (
                s.http.clone(),
                s.base.clone(),
                admin.clone(),
                std::sync::Arc::new(queries),
            );
            move |i: usize| {
                let (http, base, token) = (http.clone(), base.clone(), token.clone());
                let q = queries[i % queries.len()].clone();
                async move {
                    http.get(format!("{base}/api/v1/products?limit=20&q={}", percent(&q)))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .status()
                }
            }
        };
        let name = format!("GET /products?q=<3 chars> ({total} products)");
        both_loads(&name, requests, concurrency, PACED_SEARCH_RATE, search).await;
    }
    // `SALEPOINT_BENCH_KEEP_DB=/path/x.db` keeps a copy of the SQLite database, to study
    // query plans at full size afterwards (PostgreSQL databases stay anyway).
    if let Ok(path) = std::env::var("SALEPOINT_BENCH_KEEP_DB")
        && database_url.is_none()
        && !reuse
    {
        sqlx::query(&format!("VACUUM INTO '{}'", path.replace('\'', "")))
            .execute(&s.db.pool)
            .await?;
        println!("kept a copy of the database in {path}");
    }
    println!(
        "peak resident memory (server + load generator): {:.0} MiB",
        harness::peak_rss_mib()
    );
    Ok(())
}

/// Offered load of the paced scan: requests a second per client (16 × 100 = 1,600 scans a
/// second, far above what 16 cashiers scan).
const PACED_SCAN_RATE: f64 = 100.0;
/// Offered load of the paced search: queries a second per client (16 × 10 = 160 a second,
/// a keystroke every 100 ms at every register at once).
const PACED_SEARCH_RATE: f64 = 10.0;
/// Length of a paced run (`SALEPOINT_BENCH_PACED_SECS`, default 10; at least 0.1 s, so that
/// the series has requests to report).
fn paced_seconds() -> f64 {
    std::env::var("SALEPOINT_BENCH_PACED_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0_f64)
        .max(0.1)
}

/// Measures one request kind twice and prints both, labelled: *saturation* (`concurrency`
/// closed-loop clients, each sending as soon as its last answer came: throughput, and a p99
/// that is mostly queueing) and *paced* (`concurrency` clients each sending `rate` a second
/// on a fixed schedule: latency from the scheduled send at a stated offered load).
async fn both_loads<F, Fut>(name: &str, requests: usize, concurrency: usize, rate: f64, make: F)
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    let (lat, wall) = drive(requests, concurrency, make.clone()).await;
    report(
        &format!("{name} saturation, {concurrency} closed-loop"),
        lat,
        wall,
    );
    println!("  load {}", harness::load_average());
    let (lat, wall, late) = harness::drive_paced(concurrency, rate, paced_seconds(), make).await;
    harness::report_paced(
        &format!("{name} paced, {concurrency} × {rate:.0}/s"),
        concurrency as f64 * rate,
        lat,
        wall,
        late,
    );
    println!("  load {}", harness::load_average());
}

/// Percent-encodes a query value.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn uuid_v7() -> String {
    salepoint_domain::ids::ApiKeyId::new().to_string()
}

/// Refreshes PostgreSQL's statistics and merges the trigram index's pending entries after a
/// bulk load, as an import does.
async fn sqlx_analyze(db: &salepoint_store::Db) {
    let _ = sqlx_exec(db, "ANALYZE products").await;
    let _ = sqlx_exec(db, "ANALYZE barcodes").await;
    let _ = sqlx_exec(
        db,
        "SELECT gin_clean_pending_list('products_search_trgm'::regclass)",
    )
    .await;
}

async fn sqlx_exec(db: &salepoint_store::Db, sql: &str) -> anyhow::Result<()> {
    let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    salepoint_store::db::execute(&mut tx, sql)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))
}
