//! Sales analytics: random sales and returns at two stores in different time zones and
//! business-day cut-offs; the rollup worker catches up; every rollup equals the from-scratch
//! computation and the reports, the dashboard and the export equal sums over the raw sales.

use crate::register::till;
use crate::support::{TestApp, backends, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use std::time::{Duration, Instant};

/// A small deterministic generator (no dependency, the same sequence every run).
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

async fn set_store(app: &TestApp, admin: &str, id: &str, tz: &str, cutoff: i64) {
    let mut s = app.get(admin, &format!("/api/v1/stores/{id}")).await.body;
    s.as_object_mut().unwrap().remove("id");
    s["time_zone"] = json!(tz);
    s["business_day_cutoff_hour"] = json!(cutoff);
    let r = app.put(admin, &format!("/api/v1/stores/{id}"), s).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Polls the dashboard until no sale waits for the worker.
async fn caught_up(app: &TestApp, token: &str) {
    let start = Instant::now();
    loop {
        let d = app.get(token, "/api/v1/reports/dashboard").await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
        if d.body["pending_sales"] == 0 {
            assert_eq!(d.body["rollup_lag_ms"], 0);
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the rollup worker did not catch up: {}",
            d.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn raw(app: &TestApp, sql: &str, bind: &[&str]) -> Vec<sqlx::any::AnyRow> {
    let mut q = sqlx::query(sql);
    for b in bind {
        q = q.bind(b.to_string());
    }
    q.fetch_all(&app.db.pool).await.unwrap()
}

fn i(r: &sqlx::any::AnyRow, c: &str) -> i64 {
    r.try_get::<i64, _>(c).unwrap()
}

#[tokio::test]
async fn rollups_equal_the_raw_sales_across_time_zones_and_reports_agree() {
    for backend in backends() {
        let app = spawn(backend).await;
        salepoint_store::analytics::rollup::start(app.db.clone());
        let admin = app.admin().await;
        let sh = app.store_id("SH001").await;
        let bj = app.store_id("BJ001").await;
        set_store(&app, &admin, &sh, "Asia/Shanghai", 4).await;
        set_store(&app, &admin, &bj, "America/New_York", 6).await;
        let tills = [
            till(&app, "cashier.sh001", "SH001").await,
            till(&app, "cashier.bj001", "BJ001").await,
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut sold: Vec<Vec<Value>> = vec![vec![], vec![]];
        let mut made = 0;
        for _ in 0..24 {
            let k = rng.next(2) as usize;
            let t = &tills[k];
            if !sold[k].is_empty() && rng.next(4) == 0 {
                let at = rng.next(sold[k].len() as u64) as usize;
                let orig = sold[k].remove(at);
                let r = app
                    .post(
                        &t.token,
                        "/api/v1/returns",
                        json!({"id": uuid::Uuid::now_v7().to_string(),
                            "register_id": t.register, "shift_id": t.shift,
                            "original_sale_id": orig["id"],
                            "lines": [{"line_no": 1, "quantity": "1"}]}),
                    )
                    .await;
                if r.status == StatusCode::CREATED {
                    made += 1;
                }
                continue;
            }
            let n = 1 + rng.next(3) as usize;
            let lines: Vec<(usize, i64)> = (0..n)
                .map(|_| (rng.next(5) as usize, 1000 * (1 + rng.next(3) as i64)))
                .collect();
            let r = app
                .post(&t.token, "/api/v1/sales", t.cash_sale(&lines))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            sold[k].push(r.body);
            made += 1;
        }
        assert!(made >= 20);
        caught_up(&app, &admin).await;

        // Every rollup equals the from-scratch computation.
        let report = salepoint_store::analytics::verify::verify(&app.db)
            .await
            .unwrap();
        assert!(report.differences.is_empty(), "{:#?}", report.differences);
        assert!(report.sales >= made);

        // Reports equal sums over the raw sales.
        let days = raw(
            &app,
            "SELECT MIN(business_day) AS a, MAX(business_day) AS b FROM sales",
            &[],
        )
        .await;
        let from: String = days[0].try_get("a").unwrap();
        let to: String = days[0].try_get("b").unwrap();
        let rep = app
            .get(
                &admin,
                &format!("/api/v1/reports/sales?from={from}&to={to}&group=store"),
            )
            .await;
        assert_eq!(rep.status, StatusCode::OK, "{}", rep.body);
        assert_eq!(rep.body["source"], "analytics_daily");
        for store in [&sh, &bj] {
            let r = raw(
                &app,
                "SELECT CAST(COALESCE(SUM(l.total_minor), 0) AS BIGINT) AS revenue, \
                 CAST(COALESCE(SUM(l.total_minor - l.tax_minor), 0) AS BIGINT) AS net, \
                 CAST(COALESCE(SUM(l.quantity_milli), 0) AS BIGINT) AS qty, \
                 CAST(COALESCE(SUM(CASE WHEN s.kind = 'return' THEN -l.total_minor ELSE 0 END), 0) AS BIGINT) AS returns \
                 FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.store_id = $1",
                &[store],
            )
            .await;
            let orders = i(
                &raw(
                    &app,
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM sales WHERE store_id = $1 AND kind = 'sale'",
                    &[store],
                )
                .await[0],
                "n",
            );
            let row = rep.body["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["keys"]["store"] == store.as_str())
                .unwrap_or_else(|| panic!("store {store} in {}", rep.body));
            assert_eq!(row["values"]["revenue"], i(&r[0], "revenue"));
            assert_eq!(row["values"]["net"], i(&r[0], "net"));
            assert_eq!(row["values"]["quantity"], i(&r[0], "qty"));
            assert_eq!(row["values"]["returns"], i(&r[0], "returns"));
            assert_eq!(row["values"]["orders"], orders);
        }
        let total = i(
            &raw(
                &app,
                "SELECT CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) AS t FROM sale_lines",
                &[],
            )
            .await[0],
            "t",
        );
        assert_eq!(rep.body["totals"]["revenue"], total);
        // Other groupings add up to the same total, from their own rollups.
        for (group, source) in [
            ("product", "analytics_product_daily"),
            ("category,store", "analytics_product_daily"),
            ("hour", "analytics_hourly"),
            ("cashier,business_day", "analytics_cashier_daily"),
            ("region,week", "analytics_daily"),
            ("weekday", "analytics_daily"),
        ] {
            let r = app
                .get(
                    &admin,
                    &format!("/api/v1/reports/sales?from={from}&to={to}&group={group}"),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{group}: {}", r.body);
            assert_eq!(r.body["source"], source, "{group}");
            assert_eq!(r.body["totals"]["revenue"], total, "{group}");
            let sum: i64 = r.body["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["values"]["revenue"].as_i64().unwrap())
                .sum();
            assert_eq!(sum, total, "{group}");
        }
        let tenders = i(
            &raw(
                &app,
                "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS t FROM sale_tenders",
                &[],
            )
            .await[0],
            "t",
        );
        let mix = app
            .get(
                &admin,
                &format!(
                    "/api/v1/reports/sales?from={from}&to={to}&group=tender&measures=revenue,orders"
                ),
            )
            .await;
        assert_eq!(mix.status, StatusCode::OK, "{}", mix.body);
        assert_eq!(mix.body["totals"]["revenue"], tenders);

        // The dashboard: today is every sale here.
        let d = app.get(&admin, "/api/v1/reports/dashboard").await.body;
        assert_eq!(d["revenue"], total, "{d}");
        let hourly: i64 = d["hourly"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["revenue"].as_i64().unwrap())
            .sum();
        assert_eq!(hourly, total);
        let mix_sum: i64 = d["payment_mix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["amount_minor"].as_i64().unwrap())
            .sum();
        assert_eq!(mix_sum, tenders);
        assert!(!d["top_products"].as_array().unwrap().is_empty());

        // Top N and order.
        let top = app
            .get(
                &admin,
                &format!(
                    "/api/v1/reports/sales?from={from}&to={to}&group=product&top=2&order=-revenue"
                ),
            )
            .await;
        let rows = top.body["rows"].as_array().unwrap();
        assert!(rows.len() <= 2);
        if rows.len() == 2 {
            assert!(rows[0]["values"]["revenue"].as_i64() >= rows[1]["values"]["revenue"].as_i64());
        }

        // Comparison: the previous period (nothing sold then) and last year.
        let c = app
            .get(
                &admin,
                &format!("/api/v1/reports/sales?from={from}&to={to}&group=store&measures=revenue,orders&compare=previous"),
            )
            .await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.body);
        assert_eq!(c.body["compare"]["mode"], "previous");
        for row in c.body["rows"].as_array().unwrap() {
            assert_eq!(row["compare"]["revenue"], 0);
            assert_eq!(row["diff"]["revenue"], row["values"]["revenue"]);
            assert!(row["diff_pct"]["revenue"].is_null());
        }
        let ly = app
            .get(
                &admin,
                "/api/v1/reports/sales?from=2026-03-01&to=2026-03-31&group=month&compare=last_year",
            )
            .await;
        assert_eq!(ly.status, StatusCode::OK, "{}", ly.body);
        assert_eq!(ly.body["compare"]["from"], "2025-03-01");
        assert_eq!(ly.body["compare"]["to"], "2025-03-31");
        let pm = app
            .get(
                &admin,
                "/api/v1/reports/sales?from=2026-03-01&to=2026-04-30&group=product&compare=previous",
            )
            .await;
        assert_eq!(pm.status, StatusCode::OK, "{}", pm.body);
        assert_eq!(pm.body["compare"]["from"], "2026-01-01");
        assert_eq!(pm.body["compare"]["to"], "2026-02-28");
        assert_eq!(pm.body["source"], "analytics_product_monthly");

        // The export carries the same figures.
        let res = app
            .http
            .get(format!(
                "{}/api/v1/reports/sales/export?format=csv&lang=en&from={from}&to={to}&group=store&measures=revenue,orders",
                app.base
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "store,revenue,orders");
        let api = app
            .get(
                &admin,
                &format!(
                    "/api/v1/reports/sales?from={from}&to={to}&group=store&measures=revenue,orders"
                ),
            )
            .await;
        let api_rows = api.body["rows"].as_array().unwrap();
        assert_eq!(lines.len(), api_rows.len() + 1);
        for (line, row) in lines[1..].iter().zip(api_rows) {
            let cells: Vec<&str> = line.split(',').collect();
            let rev = row["values"]["revenue"].as_i64().unwrap();
            assert_eq!(cells[1], format!("{}.{:02}", rev / 100, rev % 100));
            assert_eq!(cells[2], row["values"]["orders"].to_string());
        }
        let x = app
            .http
            .get(format!(
                "{}/api/v1/reports/sales/export?format=xlsx&from={from}&to={to}&group=store",
                app.base
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(x.status(), StatusCode::OK);
        assert!(x.bytes().await.unwrap().starts_with(b"PK"));

        // Rebuild gives the same rollups.
        salepoint_store::analytics::verify::rebuild(&app.db)
            .await
            .unwrap();
        let again = salepoint_store::analytics::verify::verify(&app.db)
            .await
            .unwrap();
        assert!(again.differences.is_empty(), "{:#?}", again.differences);
    }
}

#[tokio::test]
async fn reports_obey_scope_and_refuse_bad_input() {
    for backend in backends() {
        let app = spawn(backend).await;
        salepoint_store::analytics::rollup::start(app.db.clone());
        let sh = app.store_id("SH001").await;
        let bj = app.store_id("BJ001").await;
        let t = till(&app, "cashier.bj001", "BJ001").await;
        let r = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)]))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let t2 = till(&app, "cashier.sh001", "SH001").await;
        let r = app
            .post(&t2.token, "/api/v1/sales", t2.cash_sale(&[(1, 2000)]))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let admin = app.admin().await;
        caught_up(&app, &admin).await;
        let day = "2020-01-01";
        let to = "2035-12-31";
        let m = app.demo_user("manager.sh001").await;
        let mine = app
            .get(
                &m,
                &format!("/api/v1/reports/sales?from=2026-01-01&to={to}&group=store"),
            )
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        let rows = mine.body["rows"].as_array().unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["keys"]["store"] == sh.as_str()));
        // A store outside the scope alone → 404; with others → left out.
        let alone = app
            .get(
                &m,
                &format!("/api/v1/reports/sales?from=2026-01-01&to={to}&group=store&stores={bj}"),
            )
            .await;
        assert_eq!(alone.status, StatusCode::NOT_FOUND);
        let both = app
            .get(
                &m,
                &format!(
                    "/api/v1/reports/sales?from=2026-01-01&to={to}&group=store&stores={bj},{sh}"
                ),
            )
            .await;
        assert_eq!(both.status, StatusCode::OK);
        assert!(
            both.body["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["keys"]["store"] == sh.as_str())
        );
        let dash = app.get(&m, "/api/v1/reports/dashboard").await;
        assert_eq!(dash.status, StatusCode::OK);
        assert_eq!(dash.body["stores"].as_array().unwrap().len(), 1);
        let other = app
            .get(&m, &format!("/api/v1/reports/dashboard?store_id={bj}"))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        // Cashiers have no reports.
        let c = app
            .get(
                &t.token,
                &format!("/api/v1/reports/sales?from=2026-01-01&to={to}&group=store"),
            )
            .await;
        assert_eq!(c.status, StatusCode::FORBIDDEN);

        // Bad input names its parameter.
        for (q, field) in [
            ("from=2026-02-01&to=2026-01-01&group=store", "from"),
            (
                &format!("from=2010-01-01&to={to}&group=store") as &str,
                "to",
            ),
            ("from=2026-01-01&to=2026-01-31&group=planet", "group"),
            (
                "from=2026-01-01&to=2026-01-31&group=store,month,hour",
                "group",
            ),
            ("from=2026-01-01&to=2026-01-31&group=product,hour", "group"),
            (
                "from=2026-01-01&to=2026-01-31&group=store&measures=happiness",
                "measures",
            ),
            (
                "from=2026-01-01&to=2026-01-31&group=tender&measures=margin",
                "measures",
            ),
            (
                "from=2026-01-01&to=2026-01-31&group=store&compare=tomorrow",
                "compare",
            ),
            ("from=2026-1-1&to=2026-01-31&group=store", "from"),
            ("to=2026-01-31&group=store", "from"),
            ("from=2026-01-01&to=2026-01-31&group=store&top=0", "top"),
        ] {
            let r = app.get(&admin, &format!("/api/v1/reports/sales?{q}")).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{q}: {}",
                r.body
            );
            let f = r.body["errors"][0]["field"].as_str().unwrap_or("");
            assert!(f.trim_start_matches('/') == field, "{q}: {}", r.body);
        }
        let ok = app
            .get(
                &admin,
                &format!("/api/v1/reports/sales?from={day}&to=2029-12-31&group=business_day,store"),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    }
}
