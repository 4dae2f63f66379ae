//! Inventory reports over real HTTP on every backend: a known situation is built through the
//! API — two new products in a new category (one in a sub-category), a purchase receipt, sales
//! (one of them offline, three days ago), a return, a write-off, a transfer to another store
//! and an adjustment there — and every kind's figures are checked against the hand-computed
//! ones; then scope, bad input and the export (the same figures as the API).

use crate::register::{Till, till};
use crate::support::{Res, TestApp, backends, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The products, stores and days of the story.
struct Story {
    a: String,
    b: String,
    cat: String,
    sub: String,
    sh001: String,
    sh002: String,
    today: String,
    three_days_ago: String,
}

fn ok(r: &Res) {
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
}

async fn new_product(app: &TestApp, admin: &str, sku: &str, cat: &str) -> String {
    let tax = app.get(admin, "/api/v1/tax-classes").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "VAT13")
        .unwrap()["id"]
        .clone();
    let r = app
        .post(
            admin,
            "/api/v1/products",
            json!({"sku": sku, "name_zh": format!("报表测试{sku}"), "name_en": sku, "unit": "piece",
                "tax_class_id": tax, "category_id": cat, "list_price_minor": 1000, "cost_price_minor": 100}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn new_category(app: &TestApp, admin: &str, code: &str, parent: Option<&str>) -> String {
    let r = app
        .post(
            admin,
            "/api/v1/categories",
            json!({"code": code, "name": format!("报表{code}"), "parent_id": parent}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

fn sale(t: &Till, lines: &[(&str, i64)], at: Option<String>) -> Value {
    let total: i64 = lines.iter().map(|(_, q)| q * 1000).sum();
    let mut s = json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "register_id": t.register, "shift_id": t.shift,
        "lines": lines.iter().map(|(p, q)| json!({"product_id": p, "quantity": q.to_string(), "unit_price_minor": 1000})).collect::<Vec<_>>(),
        "tenders": [{"code": "CASH", "amount_minor": total, "tendered_minor": total}],
    });
    if let Some(at) = at {
        s["offline"] = json!(true);
        s["created_at"] = json!(at);
    }
    s
}

/// Waits until the rollup worker has counted every sale.
async fn caught_up(app: &TestApp, token: &str) {
    let start = Instant::now();
    loop {
        let d = app.get(token, "/api/v1/reports/dashboard").await;
        if d.body["pending_sales"] == 0 {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{}", d.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// SH001 receives A 10 @ 3.00 and B 5 @ 2.00, sells A 3 (one comes back) today and B 2
/// offline three days ago, writes off one B and sends A 2 to SH002, which finds one more A.
/// On hand: SH001 A 6 (18.00), B 2 (4.00); SH002 A 3 (9.00).
async fn story(app: &TestApp) -> Story {
    salepoint_store::analytics::rollup::start(app.db.clone());
    let admin = app.admin().await;
    let cat = new_category(app, &admin, "RPT", None).await;
    let sub = new_category(app, &admin, "RPT-SUB", Some(&cat)).await;
    let a = new_product(app, &admin, "RPT-A", &cat).await;
    let b = new_product(app, &admin, "RPT-B", &sub).await;
    let sh001 = app.store_id("SH001").await;
    let sh002 = app.store_id("SH002").await;

    let sup = app
        .post(
            &admin,
            "/api/v1/suppliers",
            json!({"code": "RPT", "name": "报表供应商", "lead_time_days": 2}),
        )
        .await;
    ok(&sup);
    let po = app
        .post(
            &admin,
            "/api/v1/purchase-orders",
            json!({"supplier_id": sup.body["id"], "location_id": sh001,
            "lines": [{"product_id": a, "quantity": "10", "unit_cost_minor": 300},
                      {"product_id": b, "quantity": "5", "unit_cost_minor": 200}]}),
        )
        .await;
    ok(&po);
    let id = po.body["id"].as_str().unwrap();
    let sub_r = app
        .post(
            &admin,
            &format!("/api/v1/purchase-orders/{id}/submit"),
            json!({"version": po.body["version"]}),
        )
        .await;
    ok(&sub_r);
    if sub_r.body["status"] == "submitted" {
        ok(&app
            .post(
                &admin,
                &format!("/api/v1/purchase-orders/{id}/approve"),
                json!({"version": sub_r.body["version"]}),
            )
            .await);
    }
    ok(&app
        .post(
            &admin,
            &format!("/api/v1/purchase-orders/{id}/receive"),
            json!({"lines": [{"line_no": 1, "quantity": "10"}, {"line_no": 2, "quantity": "5"}]}),
        )
        .await);

    let t = till(app, "cashier.sh001", "SH001").await;
    let s1 = app
        .post(&t.token, "/api/v1/sales", sale(&t, &[(&a, 3)], None))
        .await;
    assert_eq!(s1.status, StatusCode::CREATED, "{}", s1.body);
    let today = s1.body["business_day"].as_str().unwrap().to_string();
    let then = time::OffsetDateTime::now_utc() - time::Duration::days(3);
    let then = then
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let s2 = app
        .post(&t.token, "/api/v1/sales", sale(&t, &[(&b, 2)], Some(then)))
        .await;
    assert_eq!(s2.status, StatusCode::CREATED, "{}", s2.body);
    let three_days_ago = s2.body["business_day"].as_str().unwrap().to_string();
    let ret = app
        .post(
            &t.token,
            "/api/v1/returns",
            json!({"id": uuid::Uuid::now_v7().to_string(),
            "register_id": t.register, "shift_id": t.shift, "original_sale_id": s1.body["id"],
            "lines": [{"line_no": 1, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(ret.status, StatusCode::CREATED, "{}", ret.body);

    ok(&app
        .post(
            &admin,
            "/api/v1/stock/adjustments",
            json!({"location_id": sh001, "kind": "write_off",
            "reason": "破损", "lines": [{"product_id": b, "quantity": "1"}]}),
        )
        .await);
    let tr = app
        .post(
            &admin,
            "/api/v1/transfers",
            json!({"from_location_id": sh001, "to_location_id": sh002,
            "lines": [{"product_id": a, "quantity": "2"}]}),
        )
        .await;
    ok(&tr);
    let tid = tr.body["id"].as_str().unwrap();
    let mut v = tr.body["version"].clone();
    for step in ["approve", "ship", "receive"] {
        let r = app
            .post(
                &admin,
                &format!("/api/v1/transfers/{tid}/{step}"),
                json!({"version": v}),
            )
            .await;
        ok(&r);
        v = r.body["version"].clone();
    }
    ok(&app
        .post(
            &admin,
            "/api/v1/stock/adjustments",
            json!({"location_id": sh002, "kind": "adjustment",
            "reason": "盘盈", "lines": [{"product_id": a, "quantity": "1"}]}),
        )
        .await);
    caught_up(app, &admin).await;
    Story {
        a,
        b,
        cat,
        sub,
        sh001,
        sh002,
        today,
        three_days_ago,
    }
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(token, &format!("/api/v1/reports/inventory?{query}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body
}

/// The rows as (first key, values).
fn rows(r: &Value, key: &str) -> Vec<(String, Value)> {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["keys"][key].as_str().unwrap().to_string(),
                x["values"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_kind_adds_up_to_the_hand_computed_figures() {
    for backend in backends() {
        let app = spawn(backend).await;
        let s = story(&app).await;
        let admin = app.admin().await;
        let c = &s.cat;

        // Value: on hand × the moving-average cost (A 3.00, B 2.00).
        let v = report(&app, &admin, &format!("kind=value&category={c}")).await;
        assert_eq!(v["group"], json!(["location"]));
        assert_eq!(v["currency"], "CNY");
        assert_eq!(
            rows(&v, "location"),
            vec![
                (
                    s.sh001.clone(),
                    json!({"products": 2, "on_hand_milli": 8000, "value": 2200})
                ),
                (
                    s.sh002.clone(),
                    json!({"products": 1, "on_hand_milli": 3000, "value": 900})
                ),
            ]
        );
        assert_eq!(
            v["totals"],
            json!({"products": 3, "on_hand_milli": 11000, "value": 3100})
        );
        assert!(
            v["rows"][0]["labels"]["location"]
                .as_str()
                .unwrap()
                .starts_with("SH001 ")
        );
        let by_cat = report(
            &app,
            &admin,
            &format!("kind=value&group=category&category={c}"),
        )
        .await;
        assert_eq!(
            rows(&by_cat, "category"),
            vec![
                (
                    s.cat.clone(),
                    json!({"products": 2, "on_hand_milli": 9000, "value": 2700})
                ),
                (
                    s.sub.clone(),
                    json!({"products": 1, "on_hand_milli": 2000, "value": 400})
                ),
            ]
        );
        let only_sub = report(
            &app,
            &admin,
            &format!("kind=value&group=product&category={}", s.sub),
        )
        .await;
        assert_eq!(
            rows(&only_sub, "product"),
            vec![(
                s.b.clone(),
                json!({"products": 1, "on_hand_milli": 2000, "value": 400})
            )]
        );

        // Turnover today: everything moved today, so the opening stock is 0; cost of goods
        // sold = A 3 × 3.00 − 1 returned × 3.00 (B was sold on another day).
        let t = report(
            &app,
            &admin,
            &format!("kind=turnover&from={0}&to={0}&category={c}", s.today),
        )
        .await;
        assert_eq!(
            rows(&t, "location"),
            vec![
                (
                    s.sh001.clone(),
                    json!({"opening_value": 0, "closing_value": 2200, "average_value": 1100, "cogs": 600, "turnover": "0.55"})
                ),
                (
                    s.sh002.clone(),
                    json!({"opening_value": 0, "closing_value": 900, "average_value": 450, "cogs": 0, "turnover": "0.00"})
                ),
            ]
        );
        assert_eq!(
            t["totals"],
            json!({"opening_value": 0, "closing_value": 3100, "average_value": 1550, "cogs": 600, "turnover": "0.39"})
        );
        // Over the last four days B's cost (2 × 2.00) counts too.
        let t4 = report(
            &app,
            &admin,
            &format!(
                "kind=turnover&from={}&to={}&category={c}",
                s.three_days_ago, s.today
            ),
        )
        .await;
        assert_eq!(t4["totals"]["cogs"], 1000);
        assert_eq!(t4["totals"]["turnover"], "0.65");
        // Before anything happened: no stock at either end, no turnover.
        let y = report(
            &app,
            &admin,
            &format!(
                "kind=turnover&from={0}&to={0}&category={c}",
                s.three_days_ago
            ),
        )
        .await;
        assert_eq!(
            y["totals"],
            json!({"opening_value": 0, "closing_value": 0, "average_value": 0, "cogs": 400, "turnover": null})
        );

        // Cover over 7 days, by product: A 2 sold net (6.00 at cost) for 27.00 on hand; B 2
        // sold (4.00) for 4.00 on hand.
        let cv = report(
            &app,
            &admin,
            &format!("kind=cover&days=7&group=product&category={c}"),
        )
        .await;
        assert_eq!(cv["days"], 7);
        assert_eq!(
            rows(&cv, "product"),
            vec![
                (
                    s.a.clone(),
                    json!({"on_hand_milli": 9000, "value": 2700, "sold_milli": 2000, "sold_value": 600, "avg_daily_sold_milli": 286, "cover_days": "31.5"})
                ),
                (
                    s.b.clone(),
                    json!({"on_hand_milli": 2000, "value": 400, "sold_milli": 2000, "sold_value": 400, "avg_daily_sold_milli": 286, "cover_days": "7.0"})
                ),
            ]
        );
        assert_eq!(cv["totals"]["cover_days"], "21.7");
        let cl = report(&app, &admin, &format!("kind=cover&days=7&category={c}")).await;
        assert_eq!(
            rows(&cl, "location")[1],
            (
                s.sh002.clone(),
                json!({"on_hand_milli": 3000, "value": 900, "sold_milli": 0, "sold_value": 0, "avg_daily_sold_milli": 0, "cover_days": null})
            )
        );
        assert_eq!(rows(&cl, "location")[0].1["cover_days"], "15.4");

        // Sell-through today: SH001 received 15, sent 2 on, sold 2 net today.
        let st = report(
            &app,
            &admin,
            &format!("kind=sell_through&from={0}&to={0}&category={c}", s.today),
        )
        .await;
        assert_eq!(
            rows(&st, "location"),
            vec![
                (
                    s.sh001.clone(),
                    json!({"opening_milli": 0, "received_milli": 13000, "sold_milli": 2000, "sell_through": "0.1538"})
                ),
                (
                    s.sh002.clone(),
                    json!({"opening_milli": 0, "received_milli": 2000, "sold_milli": 0, "sell_through": "0.0000"})
                ),
            ]
        );
        assert_eq!(st["totals"]["sell_through"], "0.1333");

        // Dead stock: with a 2-day look-back B at SH001 (last sold 3 days ago) and A at SH002
        // (never sold) are dead, the larger value first; with 90 days only A at SH002.
        let d = report(
            &app,
            &admin,
            &format!("kind=dead_stock&days=2&category={c}"),
        )
        .await;
        assert_eq!(d["group"], json!(["location", "category", "product"]));
        let dead: Vec<(Value, Value, Value)> = d["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["keys"]["location"].clone(),
                    r["keys"]["product"].clone(),
                    r["values"].clone(),
                )
            })
            .collect();
        assert_eq!(
            dead,
            vec![
                (
                    json!(s.sh002),
                    json!(s.a),
                    json!({"on_hand_milli": 3000, "value": 900, "last_sale_day": null, "days_since_sale": null})
                ),
                (
                    json!(s.sh001),
                    json!(s.b),
                    json!({"on_hand_milli": 2000, "value": 400, "last_sale_day": s.three_days_ago, "days_since_sale": 3})
                ),
            ]
        );
        assert_eq!(d["totals"]["value"], 1300);
        let d90 = report(&app, &admin, &format!("kind=dead_stock&category={c}")).await;
        assert_eq!(d90["days"], 90);
        assert_eq!(d90["row_count"], 1);
        assert_eq!(d90["rows"][0]["keys"]["product"], json!(s.a));
        // top keeps the first rows; totals and row_count stay those of all rows.
        let top = report(
            &app,
            &admin,
            &format!("kind=dead_stock&days=2&category={c}&top=1&order=value"),
        )
        .await;
        assert_eq!(top["rows"].as_array().unwrap().len(), 1);
        assert_eq!(top["rows"][0]["values"]["value"], 400);
        assert_eq!(
            (
                top["row_count"].clone(),
                top["truncated"].clone(),
                top["totals"]["value"].clone()
            ),
            (json!(2), json!(true), json!(1300))
        );
        // Ordered by days since the last sale, most first: B (3 days) before A (never sold:
        // no figure, last) — the order needs every dead level's last sale day, not only the
        // shown rows'.
        let by_days = report(
            &app,
            &admin,
            &format!("kind=dead_stock&days=2&category={c}&order=-days_since_sale&top=1"),
        )
        .await;
        assert_eq!(by_days["rows"][0]["keys"]["product"], json!(s.b));
        assert_eq!(by_days["rows"][0]["values"]["days_since_sale"], 3);
        assert_eq!(by_days["row_count"], 2);

        // The value of a location equals the stock valuation's.
        let one = report(&app, &admin, &format!("kind=value&locations={}", s.sh001)).await;
        let val = app
            .get(
                &admin,
                &format!("/api/v1/stock/valuation?location_id={}", s.sh001),
            )
            .await;
        assert_eq!(one["totals"]["value"], val.body["total_minor"]);
        assert!(one["totals"]["value"].as_i64().unwrap() >= 2200);

        // A store manager sees his store only; the other store alone is 404, in a list it is
        // left out.
        let manager = app.demo_user("manager.sh001").await;
        let mv = report(&app, &manager, &format!("kind=value&category={c}")).await;
        assert_eq!(rows(&mv, "location").len(), 1);
        assert_eq!(rows(&mv, "location")[0].0, s.sh001);
        let hidden = app
            .get(
                &manager,
                &format!("/api/v1/reports/inventory?kind=value&locations={}", s.sh002),
            )
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
        let both = report(
            &app,
            &manager,
            &format!(
                "kind=dead_stock&days=2&category={c}&locations={},{}",
                s.sh001, s.sh002
            ),
        )
        .await;
        assert_eq!(both["row_count"], 1);
        assert_eq!(both["rows"][0]["keys"]["location"], json!(s.sh001));
        // A cashier has stock.read but not reports.read.
        let cashier = app.demo_user("cashier.sh001").await;
        let no = app
            .get(&cashier, "/api/v1/reports/inventory?kind=value")
            .await;
        assert_eq!(no.status, StatusCode::FORBIDDEN);

        // The export has the same figures, money in major units, and a totals row.
        let csv = app
            .http
            .get(format!(
                "{}/api/v1/reports/inventory/export?kind=value&category={c}&format=csv&lang=en",
                app.base
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "location,products,on_hand_milli,value");
        assert!(
            lines[1].starts_with("SH001 ") && lines[1].ends_with(",2,8.000,22.00"),
            "{}",
            lines[1]
        );
        assert!(lines[2].ends_with(",1,3.000,9.00"), "{}", lines[2]);
        assert_eq!(lines[3], "Total,3,11.000,31.00");
        let zh = app
            .http
            .get(format!(
                "{}/api/v1/reports/inventory/export?kind=dead_stock&days=2&category={c}&format=csv",
                app.base
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let zl: Vec<&str> = zh.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            zl[0],
            "地点,品类,商品,库存数量,库存金额,最后销售日,未销售天数"
        );
        assert!(zl[1].ends_with("报表测试RPT-A,3.000,9.00,,"), "{}", zl[1]);
        assert!(
            zl[2].ends_with(&format!(",2.000,4.00,{},3", s.three_days_ago)),
            "{}",
            zl[2]
        );
        assert_eq!(zl[3], "合计,,,5.000,13.00,,");
        let x = app
            .http
            .get(format!(
                "{}/api/v1/reports/inventory/export?kind=cover&category={c}&format=xlsx",
                app.base
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(x.status(), StatusCode::OK);
        assert!(
            x.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    }
}

#[tokio::test]
async fn bad_queries_are_refused_with_the_parameter_named() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let unknown = uuid::Uuid::now_v7();
        for (query, field, code) in [
            ("", "kind", "required"),
            ("kind=stock", "kind", "unknown_kind"),
            ("kind=value&group=brand", "group", "unknown_dimension"),
            (
                "kind=value&group=location,product",
                "group",
                "unsupported_grouping",
            ),
            (
                "kind=dead_stock&group=location",
                "group",
                "unsupported_grouping",
            ),
            ("kind=turnover&to=2026-01-31", "from", "required"),
            (
                "kind=turnover&from=2026-01-31&to=2026-13-01",
                "to",
                "invalid_date",
            ),
            (
                "kind=turnover&from=2026-02-01&to=2026-01-31",
                "from",
                "inverted_period",
            ),
            (
                "kind=sell_through&from=2000-01-01&to=2026-01-31",
                "to",
                "period_too_long",
            ),
            ("kind=cover&days=0", "days", "out_of_range"),
            ("kind=dead_stock&days=ninety", "days", "invalid_value"),
            ("kind=value&top=0", "top", "out_of_range"),
            ("kind=value&order=-revenue", "order", "unknown_measure"),
            ("kind=value&locations=SH001", "locations", "invalid_id"),
            ("kind=value&category=food", "category", "invalid_id"),
        ] {
            let r = app
                .get(&admin, &format!("/api/v1/reports/inventory?{query}"))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {}",
                r.body
            );
            assert_eq!(r.body["errors"][0]["field"], field, "{query}: {}", r.body);
            assert_eq!(r.body["errors"][0]["code"], code, "{query}: {}", r.body);
        }
        let r = app
            .get(
                &admin,
                &format!("/api/v1/reports/inventory?kind=value&category={unknown}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .get(
                &admin,
                &format!("/api/v1/reports/inventory?kind=value&locations={unknown}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .get(
                &admin,
                "/api/v1/reports/inventory/export?kind=value&format=pdf",
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "format");
    }
}
