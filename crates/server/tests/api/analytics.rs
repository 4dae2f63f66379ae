//! Sales analytics: random sales and returns (some of a member) at two stores in different time
//! zones and business-day cut-offs, plus a sale of another channel and one written before the
//! channel and tier were recorded; the rollup worker catches up; every rollup equals the
//! from-scratch computation and the reports (by store, register, tier, channel …), the
//! dashboard and the export equal sums over the raw sales.

use crate::register::till;
use crate::support::{TestApp, backends, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};
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

/// The tier `GOLD` (金卡, no member prices, so the till's prices hold) and a member in it.
async fn gold_member(app: &TestApp, admin: &str) -> String {
    let t = app
        .post(
            admin,
            "/api/v1/member-tiers",
            json!({"code": "GOLD", "name": "金卡", "earn_per_unit": "1"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let c = app
        .post(
            admin,
            "/api/v1/customers",
            json!({"name": "金卡会员", "phone": "13900001111", "tier_code": "GOLD"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    c.body["id"].as_str().unwrap().to_string()
}

/// A channel's id by its code.
async fn channel_id(app: &TestApp, admin: &str, code: &str) -> String {
    let all = app.get(admin, "/api/v1/channels?limit=100").await;
    all.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("channel {code} in {}", all.body))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Copies sale `id` (header, lines, tenders) under a new id with the given channel, member
/// tier, price tier and customer: a sale another writer made (an online order), or one written
/// before migration 0008 (channel and member tier NULL); `at` moves it to another instant.
/// Like every writer of sales it writes the sale's `sale.completed` outbox event in the same
/// transaction (the rollup worker finds sales by their events). Returns the new id.
#[allow(clippy::too_many_arguments)]
async fn copy_sale(
    app: &TestApp,
    id: &str,
    seq: i64,
    channel: Option<&str>,
    member_tier: Option<&str>,
    customer_tier: Option<&str>,
    customer: Option<&str>,
    at: Option<&str>,
) -> String {
    let new = uuid::Uuid::now_v7().to_string();
    let mut tx = app.db.begin_pooled().await.unwrap();
    sqlx::query(
        "INSERT INTO sales (id, company_id, store_id, register_id, shift_id, cashier_id, kind, original_sale_id, \
         business_day, receipt_seq, receipt_no, currency, customer_tier, customer_id, channel_id, member_tier, \
         subtotal_minor, discount_minor, tax_minor, total_minor, rounding_minor, paid_minor, change_minor, offline, \
         flags, approval_id, request_hash, idem_key, client_created_at, created_at) \
         SELECT $1, company_id, store_id, register_id, shift_id, cashier_id, kind, original_sale_id, business_day, \
         $2, receipt_no || '-C' || $3, currency, $4, $5, $6, $7, subtotal_minor, discount_minor, tax_minor, \
         total_minor, rounding_minor, paid_minor, change_minor, offline, flags, approval_id, request_hash, NULL, \
         client_created_at, COALESCE($9, created_at) FROM sales WHERE id = $8",
    )
    .bind(&new)
    .bind(9000 + seq)
    .bind(seq.to_string())
    .bind(customer_tier.map(str::to_string))
    .bind(customer.map(str::to_string))
    .bind(channel.map(str::to_string))
    .bind(member_tier.map(str::to_string))
    .bind(id)
    .bind(at.map(str::to_string))
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sale_lines (sale_id, line_no, store_id, product_id, sku, name, quantity_milli, unit_price_minor, \
         gross_minor, line_discount_minor, order_discount_minor, net_minor, tax_rate, tax_minor, total_minor, \
         original_line_no, restock, reason) SELECT $1, line_no, store_id, product_id, sku, name, quantity_milli, \
         unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, net_minor, tax_rate, tax_minor, \
         total_minor, original_line_no, restock, reason FROM sale_lines WHERE sale_id = $2",
    )
    .bind(&new)
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sale_tenders (sale_id, seq, store_id, tender_type_id, code, kind, amount_minor, tendered_minor, \
         change_minor, reference, card_last4) SELECT $1, seq, store_id, tender_type_id, code, kind, amount_minor, \
         tendered_minor, change_minor, reference, card_last4 FROM sale_tenders WHERE sale_id = $2",
    )
    .bind(&new)
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) \
         SELECT company_id, store_id, CASE kind WHEN 'return' THEN 'return.completed' \
         ELSE 'sale.completed' END, '{\"id\": \"' || id || '\"}', created_at FROM sales WHERE id = $1",
    )
    .bind(&new)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    new
}

/// Revenue and orders per key, as a report's rows say them (key → (revenue, orders)).
fn by_key(report: &Value, dim: &str) -> BTreeMap<String, (i64, i64)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["keys"][dim].as_str().unwrap().to_string(),
                (
                    r["values"]["revenue"].as_i64().unwrap(),
                    r["values"]["orders"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
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
        let member = gold_member(&app, &admin).await;
        let mut members: HashSet<String> = HashSet::new();
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
            let mut body = t.cash_sale(&lines);
            if rng.next(3) == 0 {
                body["customer_id"] = json!(member);
            }
            let r = app.post(&t.token, "/api/v1/sales", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            if r.body["customer_id"] == member.as_str() {
                members.insert(r.body["id"].as_str().unwrap().to_string());
            }
            sold[k].push(r.body);
            made += 1;
        }
        assert!(made >= 20);
        assert!(!members.is_empty());
        // A sale of the online channel, and a member's sale written before the sales recorded
        // their channel and member tier (its tier falls back to the price tier it recorded).
        let online = channel_id(&app, &admin, "ONLINE").await;
        let store_channel = channel_id(&app, &admin, "STORE").await;
        let first = sold[0][0]["id"].as_str().unwrap().to_string();
        let online_sale =
            copy_sale(&app, &first, 1, Some(&online), Some(""), None, None, None).await;
        let legacy = copy_sale(
            &app,
            &first,
            2,
            None,
            None,
            Some("member"),
            Some(&member),
            None,
        )
        .await;
        made += 2;
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
        // By register, tier and channel: each row equals the raw sales of its key.
        let per_sale = raw(
            &app,
            "SELECT s.id, s.kind, s.register_id, s.original_sale_id, \
             CAST(SUM(l.total_minor) AS BIGINT) AS revenue FROM sales s JOIN sale_lines l ON l.sale_id = s.id \
             GROUP BY s.id, s.kind, s.register_id, s.original_sale_id",
            &[],
        )
        .await;
        let mut want: BTreeMap<&str, BTreeMap<String, (i64, i64)>> = BTreeMap::new();
        for r in &per_sale {
            let id: String = r.try_get("id").unwrap();
            let kind: String = r.try_get("kind").unwrap();
            let original: Option<String> = r.try_get("original_sale_id").unwrap();
            let of_member = |s: &str| members.contains(s);
            let tier = if id == legacy {
                "member"
            } else if of_member(&id) || original.as_deref().is_some_and(of_member) {
                "GOLD"
            } else {
                ""
            };
            let channel = if id == online_sale {
                online.clone()
            } else {
                store_channel.clone()
            };
            let register: String = r.try_get("register_id").unwrap();
            let fig = (i(r, "revenue"), i64::from(kind == "sale"));
            for (dim, key) in [
                ("register", register),
                ("tier", tier.to_string()),
                ("channel", channel),
            ] {
                let e = want.entry(dim).or_default().entry(key).or_default();
                e.0 += fig.0;
                e.1 += fig.1;
            }
        }
        for (dim, source) in [
            ("register", "analytics_register_daily"),
            ("tier", "analytics_tier_daily"),
            ("channel", "analytics_channel_daily"),
        ] {
            let r = app
                .get(
                    &admin,
                    &format!("/api/v1/reports/sales?from={from}&to={to}&group={dim}"),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{dim}: {}", r.body);
            assert_eq!(r.body["source"], source, "{dim}");
            assert_eq!(by_key(&r.body, dim), want[dim], "{dim}: {}", r.body);
            assert_eq!(r.body["totals"]["revenue"], total, "{dim}");
        }
        assert_eq!(
            want["tier"].len(),
            3,
            "GOLD, member (legacy) and non-member"
        );
        assert_eq!(want["channel"].len(), 2);
        let tiers = app
            .get(
                &admin,
                &format!("/api/v1/reports/sales?from={from}&to={to}&group=tier,store"),
            )
            .await;
        assert_eq!(tiers.status, StatusCode::OK, "{}", tiers.body);
        for row in tiers.body["rows"].as_array().unwrap() {
            let want_label = match row["keys"]["tier"].as_str().unwrap() {
                "" => "未登记会员",
                "GOLD" => "金卡",
                other => other,
            };
            assert_eq!(row["labels"]["tier"], want_label);
        }
        let regs = app
            .get(
                &admin,
                &format!("/api/v1/reports/sales?from={from}&to={to}&group=register,business_day"),
            )
            .await;
        assert_eq!(regs.status, StatusCode::OK, "{}", regs.body);
        assert!(regs.body["rows"].as_array().unwrap().iter().all(|r| {
            let l = r["labels"]["register"].as_str().unwrap();
            l.starts_with("SH001/") || l.starts_with("BJ001/")
        }));
        // The channel filter: only the online sale, or everything else; with the channel
        // grouping too; refused with a grouping its rollup does not have, or an unknown id.
        let online_revenue = want["channel"][&online].0;
        for (channels, group, revenue) in [
            (online.clone(), "store", online_revenue),
            (store_channel.clone(), "store", total - online_revenue),
            (
                format!("{online},{store_channel}"),
                "channel,business_day",
                total,
            ),
        ] {
            let r = app
                .get(
                    &admin,
                    &format!("/api/v1/reports/sales?from={from}&to={to}&group={group}&channels={channels}"),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["source"], "analytics_channel_daily");
            assert_eq!(r.body["totals"]["revenue"], revenue, "{channels} {group}");
        }
        let stranger = uuid::Uuid::now_v7();
        for (q, code) in [
            (
                format!("group=product&channels={online}"),
                "unsupported_filter",
            ),
            (format!("group=store&channels={stranger}"), "unknown"),
            ("group=store&channels=abc".to_string(), "invalid_id"),
        ] {
            let r = app
                .get(
                    &admin,
                    &format!("/api/v1/reports/sales?from={from}&to={to}&{q}"),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{q}: {}",
                r.body
            );
            let field = r.body["errors"][0]["field"].as_str().unwrap_or("");
            assert_eq!(field.trim_start_matches('/'), "channels", "{q}: {}", r.body);
            assert_eq!(r.body["errors"][0]["code"], code, "{q}: {}", r.body);
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

        // An upgrade: a migration added rollups it could not fill and asked for a rebuild;
        // a starting worker does it once and clears the flag.
        for sql in [
            "DELETE FROM analytics_register_daily",
            "DELETE FROM analytics_tier_daily",
            "UPDATE analytics_state SET needs_rebuild = 1",
        ] {
            sqlx::query(sql).execute(&app.db.pool).await.unwrap();
        }
        let stale = salepoint_store::analytics::verify::verify(&app.db)
            .await
            .unwrap();
        assert!(
            stale
                .differences
                .iter()
                .any(|d| d.contains("analytics_register_daily")),
            "{:#?}",
            stale.differences
        );
        salepoint_store::analytics::rollup::start(app.db.clone());
        let start = Instant::now();
        while salepoint_store::analytics::rollup::needs_rebuild(&app.db)
            .await
            .unwrap()
        {
            assert!(start.elapsed() < Duration::from_secs(30), "no rebuild");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        caught_up(&app, &admin).await;
        let upgraded = salepoint_store::analytics::verify::verify(&app.db)
            .await
            .unwrap();
        assert!(
            upgraded.differences.is_empty(),
            "{:#?}",
            upgraded.differences
        );
    }
}

/// A sale that commits long after the instant it is stamped with (here an hour before the newest
/// counted sale; in a chain, a transaction that waited) is counted once the worker is running:
/// the worker follows the outbox in commit order, not a window of time before the newest sale
/// it counted (which skipped a sale stamped more than its 10-minute lookback earlier).
#[tokio::test]
async fn a_sale_committed_long_after_its_stamp_is_counted_once() {
    for backend in backends() {
        let app = spawn(backend).await;
        salepoint_store::analytics::rollup::start(app.db.clone());
        let admin = app.admin().await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let r = app
            .post(
                &t.token,
                "/api/v1/sales",
                t.cash_sale(&[(0, 1000), (1, 2000)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        caught_up(&app, &admin).await;
        let first = r.body["id"].as_str().unwrap().to_string();
        let stamped = salepoint_store::clock::parse(r.body["created_at"].as_str().unwrap())
            .unwrap()
            - time::Duration::hours(1);
        let late = copy_sale(
            &app,
            &first,
            1,
            None,
            None,
            None,
            None,
            Some(&salepoint_store::clock::format(stamped)),
        )
        .await;
        // Woken by the next sale's commit (or within a second).
        let r = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(2, 1000)]))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let start = Instant::now();
        while raw(
            &app,
            "SELECT sale_id FROM analytics_applied WHERE sale_id = $1",
            &[&late],
        )
        .await
        .is_empty()
        {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the late sale was never counted"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        caught_up(&app, &admin).await;
        let applied = raw(&app, "SELECT sale_id FROM analytics_applied", &[]).await;
        assert_eq!(applied.len(), 3);
        let report = salepoint_store::analytics::verify::verify(&app.db)
            .await
            .unwrap();
        assert!(report.differences.is_empty(), "{:#?}", report.differences);
    }
}

/// Every row of a rollup table, ordered: the text columns then the integer columns.
async fn table_rows(
    app: &TestApp,
    table: &str,
    texts: &[&str],
    ints: &[&str],
) -> Vec<(Vec<String>, Vec<i64>)> {
    let cols: Vec<&str> = texts.iter().chain(ints).copied().collect();
    let sql = format!(
        "SELECT {} FROM {table} ORDER BY {}",
        cols.join(", "),
        cols.join(", ")
    );
    raw(app, &sql, &[])
        .await
        .iter()
        .map(|r| {
            (
                texts
                    .iter()
                    .map(|c| r.try_get::<String, _>(*c).unwrap())
                    .collect(),
                ints.iter().map(|c| i(r, c)).collect(),
            )
        })
        .collect()
}

/// Every rollup table (cost included), `analytics_applied` and the watermark, as one value.
async fn all_rollups(app: &TestApp) -> BTreeMap<String, Vec<(Vec<String>, Vec<i64>)>> {
    const M: [&str; 10] = [
        "revenue_minor",
        "net_minor",
        "tax_minor",
        "discount_minor",
        "quantity_milli",
        "sold_milli",
        "orders",
        "returns_count",
        "returns_minor",
        "cost_minor",
    ];
    let with_milli: Vec<&str> = M.iter().copied().chain(["returns_milli"]).collect();
    let day = ["company_id", "store_id", "business_day"];
    let mut out = BTreeMap::new();
    for (table, texts, ints) in [
        ("analytics_daily", day.to_vec(), M.to_vec()),
        (
            "analytics_hourly",
            day.to_vec(),
            [&["hour"][..], &M].concat(),
        ),
        (
            "analytics_product_daily",
            [&day[..], &["product_id"]].concat(),
            with_milli.clone(),
        ),
        (
            "analytics_product_monthly",
            vec!["company_id", "month", "product_id"],
            with_milli.clone(),
        ),
        (
            "analytics_chain_product_daily",
            vec!["company_id", "business_day", "product_id"],
            with_milli.clone(),
        ),
        (
            "analytics_cashier_daily",
            [&day[..], &["cashier_id"]].concat(),
            M.to_vec(),
        ),
        (
            "analytics_register_daily",
            [&day[..], &["register_id"]].concat(),
            M.to_vec(),
        ),
        (
            "analytics_tier_daily",
            [&day[..], &["tier"]].concat(),
            M.to_vec(),
        ),
        (
            "analytics_channel_daily",
            [&day[..], &["channel_id"]].concat(),
            M.to_vec(),
        ),
        (
            "analytics_tender_daily",
            [&day[..], &["code"]].concat(),
            vec!["amount_minor", "count"],
        ),
        (
            "analytics_applied",
            vec!["sale_id", "store_id", "created_at"],
            vec!["cost_minor"],
        ),
        ("analytics_state", vec!["watermark"], vec!["needs_rebuild"]),
    ] {
        let rows = table_rows(app, table, &texts, &ints).await;
        assert!(!rows.is_empty(), "{table} is empty");
        out.insert(table.to_string(), rows);
    }
    out
}

#[tokio::test]
async fn rebuild_writes_exactly_what_the_worker_writes() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let sh = app.store_id("SH001").await;
        let bj = app.store_id("BJ001").await;
        // A half-hour zone (its UTC hours split between two local hours) and one with DST.
        set_store(&app, &admin, &sh, "Asia/Kolkata", 4).await;
        set_store(&app, &admin, &bj, "America/New_York", 6).await;
        let tills = [
            till(&app, "cashier.sh001", "SH001").await,
            till(&app, "cashier.bj001", "BJ001").await,
        ];
        let member = gold_member(&app, &admin).await;
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut sold: Vec<Vec<Value>> = vec![vec![], vec![]];
        let mut returns = 0;
        for _ in 0..40 {
            let k = rng.next(2) as usize;
            let t = &tills[k];
            if !sold[k].is_empty() && rng.next(3) == 0 {
                let orig = &sold[k][rng.next(sold[k].len() as u64) as usize];
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
                    returns += 1;
                }
                continue;
            }
            // Up to 4 lines, the same product possibly twice (one order per product).
            let n = 1 + rng.next(4) as usize;
            let lines: Vec<(usize, i64)> = (0..n)
                .map(|_| (rng.next(5) as usize, 1000 * (1 + rng.next(3) as i64)))
                .collect();
            let mut body = t.cash_sale(&lines);
            if rng.next(3) == 0 {
                body["customer_id"] = json!(member);
            }
            let r = app.post(&t.token, "/api/v1/sales", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            sold[k].push(r.body);
        }
        assert!(returns >= 3, "{returns} returns");
        // Copies spread over the night New York's clocks moved, minute by minute: sales
        // written before 0008 (no channel, no member tier), of another channel, and returns.
        let online = channel_id(&app, &admin, "ONLINE").await;
        let all = raw(&app, "SELECT id FROM sales ORDER BY id", &[]).await;
        let base = time::macros::datetime!(2026-03-08 03:00 UTC);
        for seq in 1..=30 {
            let id: String = all[rng.next(all.len() as u64) as usize]
                .try_get("id")
                .unwrap();
            let at = base + time::Duration::seconds(rng.next(8 * 3600) as i64);
            let at = salepoint_store::clock::format(at);
            let (channel, member_tier, tier, customer) = match seq % 3 {
                0 => (Some(online.as_str()), Some(""), None, None),
                1 => (None, None, Some("member"), Some(member.as_str())),
                _ => (None, None, None, None),
            };
            copy_sale(
                &app,
                &id,
                seq,
                channel,
                member_tier,
                tier,
                customer,
                Some(&at),
            )
            .await;
        }
        let ids = raw(&app, "SELECT id FROM sales", &[]).await;

        // The worker, batch by batch.
        let applied = salepoint_store::analytics::rollup::drain(&app.db)
            .await
            .unwrap();
        assert_eq!(applied, ids.len());
        let by_worker = all_rollups(&app).await;
        let hours: HashSet<i64> = by_worker["analytics_hourly"]
            .iter()
            .map(|(_, v)| v[0])
            .collect();
        assert!(hours.len() >= 6, "{hours:?}");

        // The set-based rebuild, from nothing.
        let rebuilt = salepoint_store::analytics::verify::rebuild(&app.db)
            .await
            .unwrap();
        assert_eq!(rebuilt, ids.len());
        let by_rebuild = all_rollups(&app).await;
        for (table, rows) in &by_worker {
            assert_eq!(
                rows, &by_rebuild[table],
                "{table} differs between the worker and rebuild"
            );
        }
        let report = salepoint_store::analytics::verify::verify(&app.db)
            .await
            .unwrap();
        assert!(report.differences.is_empty(), "{:#?}", report.differences);
        // Again (its temporary tables made anew, its statements possibly cached): the same.
        salepoint_store::analytics::verify::rebuild(&app.db)
            .await
            .unwrap();
        assert_eq!(all_rollups(&app).await, by_worker);
        // The worker finds nothing left to count after a rebuild.
        assert_eq!(
            salepoint_store::analytics::rollup::drain(&app.db)
                .await
                .unwrap(),
            0
        );
        // A rebuild counts a sale the worker has not read yet and moves the outbox cursor
        // forward (the worker does not read again every event of what a rebuild counted).
        let company: String = raw(&app, "SELECT id FROM companies", &[]).await[0].get(0);
        let cursor = || async {
            let r = raw(
                &app,
                "SELECT tx_id, seq FROM analytics_cursors WHERE company_id = $1",
                &[&company],
            )
            .await;
            (i(&r[0], "tx_id"), i(&r[0], "seq"))
        };
        let one = raw(&app, "SELECT id FROM sales", &[]).await[0].get::<String, _>(0);
        copy_sale(&app, &one, 999, None, None, None, None, None).await;
        let waiting = salepoint_store::analytics::rollup::pending(&app.db, &company)
            .await
            .unwrap();
        assert_eq!(waiting.0, 1);
        let before = cursor().await;
        assert_eq!(
            salepoint_store::analytics::verify::rebuild(&app.db)
                .await
                .unwrap(),
            ids.len() + 1
        );
        // On PostgreSQL the cursor moves to the rebuild's snapshot xmin: a transaction of
        // another test on the same server, older than the new sale's, keeps it back until it
        // ends (never past an event it could not read), so rebuild again until it has moved.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while cursor().await <= before {
            assert!(
                std::time::Instant::now() < deadline,
                "the rebuild never moved the cursor past {before:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            salepoint_store::analytics::verify::rebuild(&app.db)
                .await
                .unwrap();
        }
        let waiting = salepoint_store::analytics::rollup::pending(&app.db, &company)
            .await
            .unwrap();
        assert_eq!(waiting.0, 0);
    }
}

/// `n` packaged products of the store's register catalog, spread over it (so over several
/// categories): (id, price).
async fn spread_products(app: &TestApp, token: &str, store: &str, n: usize) -> Vec<(String, i64)> {
    let snap = app
        .get(token, &format!("/api/v1/stores/{store}/catalog"))
        .await;
    let products: Vec<(String, i64)> = snap.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["sold_by_weight"] == false && p["price_minor"].as_i64() > Some(0))
        .step_by(37)
        .take(n)
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["price_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(products.len(), n);
    products
}

/// The dashboard's top products and top categories, recomputed from the raw sales of the
/// stores it lists, each on its own business day: (id, quantity, revenue), ranked as the
/// dashboard ranks them (revenue descending, then SKU / category name), the first ten.
async fn top_lists_from_raw(
    app: &TestApp,
    dashboard: &Value,
) -> (Vec<(String, i64, i64)>, Vec<(String, i64, i64)>) {
    // product → (sku, category, quantity, revenue)
    let mut products: BTreeMap<String, (String, String, i64, i64)> = BTreeMap::new();
    for s in dashboard["stores"].as_array().unwrap() {
        for r in raw(
            app,
            "SELECT l.product_id, p.sku, COALESCE(p.category_id, '') AS category_id, \
             CAST(SUM(l.quantity_milli) AS BIGINT) AS q, CAST(SUM(l.total_minor) AS BIGINT) AS r \
             FROM sale_lines l JOIN sales s ON s.id = l.sale_id JOIN products p ON p.id = l.product_id \
             WHERE s.store_id = $1 AND s.business_day = $2 GROUP BY l.product_id, p.sku, p.category_id",
            &[
                s["store_id"].as_str().unwrap(),
                s["business_day"].as_str().unwrap(),
            ],
        )
        .await
        {
            let e = products
                .entry(r.try_get("product_id").unwrap())
                .or_insert_with(|| {
                    (
                        r.try_get("sku").unwrap(),
                        r.try_get("category_id").unwrap(),
                        0,
                        0,
                    )
                });
            e.2 += i(&r, "q");
            e.3 += i(&r, "r");
        }
    }
    let mut top: Vec<_> = products.iter().collect();
    top.sort_by(|a, b| b.1.3.cmp(&a.1.3).then_with(|| a.1.0.cmp(&b.1.0)));
    let top = top
        .into_iter()
        .take(10)
        .map(|(id, v)| (id.clone(), v.2, v.3))
        .collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for r in raw(app, "SELECT id, name FROM categories", &[]).await {
        names.insert(r.try_get("id").unwrap(), r.try_get("name").unwrap());
    }
    let mut cats: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (_, category, q, r) in products.values() {
        let e = cats.entry(category.clone()).or_default();
        e.0 += q;
        e.1 += r;
    }
    let mut cats: Vec<(String, i64, i64)> = cats.into_iter().map(|(c, (q, r))| (c, q, r)).collect();
    let name = |c: &str| names.get(c).cloned().unwrap_or_default();
    cats.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| name(&a.0).cmp(&name(&b.0))));
    cats.truncate(10);
    (top, cats)
}

/// (id, quantity, revenue) of the dashboard's `top_products` or `top_categories`.
fn top_list(dashboard: &Value, list: &str, id: &str) -> Vec<(String, i64, i64)> {
    dashboard[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[id].as_str().unwrap_or("").to_string(),
                r["quantity_milli"].as_i64().unwrap(),
                r["revenue"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Head office's top products and categories of today come from the chain-wide rollup
/// (`analytics_chain_product_daily`) — every store that sold today is in view — and a store
/// manager's, or one store's, from the stores' own product rows, though other stores sold
/// today too; every one equals the raw sales of the stores in view.
#[tokio::test]
async fn dashboard_top_lists_chain_wide_and_per_store_equal_the_raw_sales() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let mut tills = [
            till(&app, "cashier.sh001", "SH001").await,
            till(&app, "cashier.bj001", "BJ001").await,
        ];
        for t in &mut tills {
            t.packaged = spread_products(&app, &t.token, &t.store, 18).await;
        }
        let mut rng = Rng(0x51A7_E5C0_FFEE_0001);
        let mut sold = Vec::new();
        for _ in 0..40 {
            let t = &tills[rng.next(2) as usize];
            // SH001 sells the first 13 products, BJ001 the last 13: the rankings differ.
            let first = if t.store == tills[1].store { 5 } else { 0 };
            let lines: Vec<(usize, i64)> = (0..1 + rng.next(4))
                .map(|_| {
                    (
                        first + rng.next(13) as usize,
                        1000 * (1 + rng.next(3) as i64),
                    )
                })
                .collect();
            let r = app
                .post(&t.token, "/api/v1/sales", t.cash_sale(&lines))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            sold.push((t.token.clone(), t.register.clone(), t.shift.clone(), r.body));
        }
        // A return: a product's figures go down.
        let (token, register, shift, orig) = &sold[0];
        let r = app
            .post(
                token,
                "/api/v1/returns",
                json!({"id": uuid::Uuid::now_v7().to_string(),
                    "register_id": register, "shift_id": shift,
                    "original_sale_id": orig["id"],
                    "lines": [{"line_no": 1, "quantity": "1"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        salepoint_store::analytics::rollup::drain(&app.db)
            .await
            .unwrap();
        let manager = app.demo_user("manager.sh001").await;
        let bj = tills[1].store.clone();
        let views = [
            (&admin, String::new(), 2),
            (&manager, String::new(), 1),
            (&admin, format!("?store_id={bj}"), 1),
        ];
        let mut seen = Vec::new();
        for (token, query, stores) in &views {
            let d = app
                .get(token, &format!("/api/v1/reports/dashboard{query}"))
                .await;
            assert_eq!(d.status, StatusCode::OK, "{}", d.body);
            let d = d.body;
            let selling = d["stores"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["orders"].as_i64() > Some(0))
                .count();
            assert_eq!(selling, *stores, "{d}");
            let (products, categories) = top_lists_from_raw(&app, &d).await;
            assert_eq!(products.len(), 10, "more than ten products sold");
            assert_eq!(
                top_list(&d, "top_products", "product_id"),
                products,
                "{query}"
            );
            assert_eq!(
                top_list(&d, "top_categories", "category_id"),
                categories,
                "{query}"
            );
            seen.push(products);
        }
        assert_ne!(seen[0], seen[1], "the chain's ranking is not one store's");
        // Head office reads the chain-wide rollup, the others the stores' rows.
        sqlx::query("DELETE FROM analytics_chain_product_daily")
            .execute(&app.db.pool)
            .await
            .unwrap();
        for (k, (token, query, _)) in views.iter().enumerate() {
            let d = app
                .get(token, &format!("/api/v1/reports/dashboard{query}"))
                .await
                .body;
            let top = top_list(&d, "top_products", "product_id");
            if k == 0 {
                assert!(top.is_empty(), "{d}");
            } else {
                assert_eq!(top, seen[k]);
            }
        }
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

        // The ranking follows the role: head office sees the regions ranked (their sums are
        // the day's figures), a store manager the registers of his store, each with its sales.
        let register_revenue = |register: String| {
            let app = &app;
            async move {
                i(
                    &raw(
                        app,
                        "SELECT CAST(COALESCE(SUM(l.total_minor), 0) AS BIGINT) AS r FROM sale_lines l \
                         JOIN sales s ON s.id = l.sale_id WHERE s.register_id = $1",
                        &[&register],
                    )
                    .await[0],
                    "r",
                )
            }
        };
        let head = app.get(&admin, "/api/v1/reports/dashboard").await.body;
        let regions = head["regions"].as_array().unwrap();
        assert!(regions.len() >= 2, "{head}");
        let sum =
            |rows: &[Value], f: &str| rows.iter().map(|r| r[f].as_i64().unwrap()).sum::<i64>();
        assert_eq!(sum(regions, "revenue"), head["revenue"].as_i64().unwrap());
        assert_eq!(sum(regions, "orders"), head["orders"].as_i64().unwrap());
        assert!(
            regions
                .windows(2)
                .all(|w| w[0]["revenue"].as_i64() >= w[1]["revenue"].as_i64())
        );
        assert!(
            regions
                .iter()
                .all(|r| r["name"].as_str().is_some_and(|n| !n.is_empty()))
        );
        assert_eq!(head["registers"], json!([]));
        let sh_registers = app
            .get(&admin, &format!("/api/v1/stores/{sh}/registers"))
            .await
            .body["data"]
            .as_array()
            .unwrap()
            .len();
        for (token, query, store_till, store_registers) in [
            (&m, String::new(), &t2, sh_registers),
            (&admin, format!("?store_id={bj}"), &t, 0),
        ] {
            let d = app
                .get(token, &format!("/api/v1/reports/dashboard{query}"))
                .await
                .body;
            assert_eq!(d["regions"], json!([]), "{d}");
            let regs = d["registers"].as_array().unwrap();
            if store_registers > 0 {
                assert_eq!(regs.len(), store_registers, "{d}");
            }
            assert_eq!(sum(regs, "revenue"), d["revenue"].as_i64().unwrap(), "{d}");
            let mine = regs
                .iter()
                .find(|r| r["register_id"] == store_till.register.as_str())
                .unwrap_or_else(|| panic!("the till's register in {d}"));
            let want = register_revenue(store_till.register.clone()).await;
            assert!(want > 0);
            assert_eq!(mine["revenue"], want);
            assert_eq!(mine["orders"], 1);
            assert_eq!(regs[0]["register_id"], mine["register_id"], "ranked first");
        }
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
            ("from=2026-01-01&to=2026-01-31&group=register,tier", "group"),
            (
                "from=2026-01-01&to=2026-01-31&group=cashier,channel",
                "group",
            ),
            (
                "from=2026-01-01&to=2026-01-31&group=store&channels=x",
                "channels",
            ),
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

#[tokio::test]
async fn big_groupings_are_refused_on_screen_and_exported_to_files() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let sh = app.store_id("SH001").await;
        let company: String = raw(&app, "SELECT company_id FROM stores WHERE id = $1", &[&sh])
            .await[0]
            .try_get("company_id")
            .unwrap();
        // 60,000 products sold on one day (rollup rows: the grouping, not the sales, is big):
        // product n sold n fen in one order.
        let n_rows = 60_000i64;
        let mut tx = app.db.begin_pooled().await.unwrap();
        for chunk in (1..=n_rows).collect::<Vec<_>>().chunks(1000) {
            let values = (0..chunk.len())
                .map(|k| {
                    let b = k * 4;
                    format!(
                        "(${}, '2026-01-05', ${}, ${}, ${}, 1)",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO analytics_product_daily (store_id, business_day, product_id, company_id, revenue_minor, orders) VALUES {values}"
            );
            let mut q = sqlx::query(&sql);
            for n in chunk {
                q = q
                    .bind(sh.clone())
                    .bind(format!("00000000-0000-7000-8000-{n:012}"))
                    .bind(company.clone())
                    .bind(*n);
            }
            q.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        let total = n_rows * (n_rows + 1) / 2;
        let q = "from=2026-01-05&to=2026-01-05&group=product&measures=revenue,orders";

        // The screen refuses it, naming the way out; top answers.
        let r = app.get(&admin, &format!("/api/v1/reports/sales?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "too_many_rows");
        let detail = r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
            + r.body["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("50000") && detail.contains("export"),
            "{}",
            r.body
        );
        let top = app
            .get(
                &admin,
                &format!("/api/v1/reports/sales?{q}&top=3&order=-revenue"),
            )
            .await;
        assert_eq!(top.status, StatusCode::OK, "{}", top.body);
        assert_eq!(top.body["row_count"], n_rows);
        assert_eq!(top.body["truncated"], true);
        assert_eq!(top.body["totals"]["revenue"], total);
        assert_eq!(top.body["rows"][0]["values"]["revenue"], n_rows);

        // The export writes every row: the same figures, money in yuan.
        for format in ["csv", "xlsx"] {
            let res = app
                .http
                .get(format!(
                    "{}/api/v1/reports/sales/export?format={format}&lang=en&{q}",
                    app.base
                ))
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{format}");
            let bytes = res.bytes().await.unwrap();
            if format == "xlsx" {
                assert!(bytes.starts_with(b"PK"));
                continue;
            }
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
            assert_eq!(lines[0], "product,revenue,orders");
            assert_eq!(lines.len() as i64, n_rows + 1);
            let fen: i64 = lines[1..]
                .iter()
                .map(|l| {
                    let cells: Vec<&str> = l.split(',').collect();
                    assert_eq!(cells[2], "1", "{l}");
                    cells[1].replace('.', "").parse::<i64>().unwrap()
                })
                .sum();
            assert_eq!(fen, total);
        }
    }
}

/// The dashboard's low-stock count (migration 0016's partial index) counts the levels at or
/// below their reorder point of the stores in view, and no others: a level above its point, a
/// level without one and another store's levels stay out.
#[tokio::test]
async fn dashboard_low_stock_counts_the_levels_at_or_below_their_point_in_view() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let manager = app.demo_user("manager.sh001").await;
        let sh = app.store_id("SH001").await;
        let bj = app.store_id("BJ001").await;
        let p: Vec<String> = spread_products(&app, &manager, &sh, 4)
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let views = [
            (&admin, String::new()),
            (&manager, String::new()),
            (&admin, format!("?store_id={bj}")),
        ];
        let mut before = Vec::new();
        for (token, query) in &views {
            let d = app
                .get(token, &format!("/api/v1/reports/dashboard{query}"))
                .await;
            assert_eq!(d.status, StatusCode::OK, "{}", d.body);
            before.push(d.body["low_stock"].as_i64().unwrap());
        }
        let r = app
            .post(
                &manager,
                "/api/v1/stock/adjustments",
                json!({"location_id": sh, "kind": "adjustment", "reason": "盘盈",
                "lines": [{"product_id": p[0], "quantity": "8"}, {"product_id": p[1], "quantity": "8"},
                    {"product_id": p[2], "quantity": "8"}, {"product_id": p[3], "quantity": "8"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // SH001: above its point, at it, below it, no point; BJ001: nothing on hand.
        for (token, store, lines) in [
            (
                &manager,
                &sh,
                json!([{"product_id": p[0], "reorder_point": "5", "reorder_qty": null, "max": null},
                    {"product_id": p[1], "reorder_point": "8", "reorder_qty": null, "max": null},
                    {"product_id": p[2], "reorder_point": "20", "reorder_qty": null, "max": null}]),
            ),
            (
                &admin,
                &bj,
                json!([{"product_id": p[0], "reorder_point": "5", "reorder_qty": null, "max": null}]),
            ),
        ] {
            let r = app
                .put(
                    token,
                    "/api/v1/stock/reorder-rules",
                    json!({"location_id": store, "lines": lines}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        for ((token, query), (was, added)) in views.iter().zip(before.iter().zip([3, 2, 1])) {
            let d = app
                .get(token, &format!("/api/v1/reports/dashboard{query}"))
                .await
                .body;
            assert_eq!(d["low_stock"].as_i64().unwrap(), was + added, "{query}");
        }
    }
}
