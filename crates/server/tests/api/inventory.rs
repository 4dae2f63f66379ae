//! Inventory over real HTTP on every backend: purchase orders through their states with
//! receiving and supplier returns, two clerks receiving at once, transfers with in-transit
//! stock and differences, adjustments, reorder rules and alerts, scope and bad input — and
//! random sequences of sales, returns, receipts, supplier returns, transfers, counts and
//! adjustments that must keep the ledger and the stock in transit adding up.

use crate::register::{count, on_hand, till};
use crate::support::{TestApp, backends, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

/// A supplier (created by the admin) and a few packaged products it supplies.
struct Buying {
    supplier: String,
    products: Vec<(String, i64)>,
}

async fn buying(app: &TestApp) -> Buying {
    let admin = app.admin().await;
    let s = app
        .post(
            &admin,
            "/api/v1/suppliers",
            json!({"code": "TEST1", "name": "测试供应商", "lead_time_days": 2}),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
    let supplier = s.body["id"].as_str().unwrap().to_string();
    let list = app.get(&admin, "/api/v1/products?limit=8&q=ml").await;
    let products: Vec<(String, i64)> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["sold_by_weight"] == false)
        .take(4)
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["cost_price_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(products.len(), 4);
    let lines: Vec<Value> = products
        .iter()
        .map(|(id, cost)| json!({"product_id": id, "cost_minor": cost + 10, "pack": "12", "preferred": true}))
        .collect();
    let r = app
        .put(
            &admin,
            &format!("/api/v1/suppliers/{supplier}/products"),
            json!({"lines": lines}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    Buying { supplier, products }
}

async fn level(app: &TestApp, token: &str, location: &str, product: &str) -> Value {
    let r = app
        .get(
            token,
            &format!("/api/v1/stock?location_id={location}&product_id={product}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"][0].clone()
}

async fn ledger_ok(app: &TestApp) {
    let report = salepoint_store::inventory::ledger::verify(&app.db)
        .await
        .unwrap();
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    assert_eq!(report.broken_chains, 0, "the levels' chains of movements");
}

/// Posts an adjustment that must be accepted; returns its id.
async fn adjusted(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post(token, "/api/v1/stock/adjustments", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_stock_card_lists_one_product_at_one_location_newest_first() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let admin = app.admin().await;
        let sh001 = app.store_id("SH001").await;
        let sh002 = app.store_id("SH002").await;
        let (p0, _) = b.products[0].clone();
        let (p1, _) = b.products[1].clone();
        // (ref_id, kind) of p0's movements at SH001, in the order they were written.
        let mut card: Vec<(String, String)> = Vec::new();
        for i in 0..9 {
            let kind = if i % 3 == 2 {
                "write_off"
            } else {
                "adjustment"
            };
            let id = adjusted(
                &app,
                &admin,
                json!({"location_id": sh001, "kind": kind, "reason": "盘点",
                "lines": [{"product_id": p1, "quantity": "2"}, {"product_id": p0, "quantity": format!("{}", i + 1)}]}),
            )
            .await;
            card.push((id, kind.to_string()));
            // Elsewhere: the same product at another store is not on this card.
            adjusted(
                &app,
                &admin,
                json!({"location_id": sh002, "kind": "adjustment", "reason": "盘点",
                "lines": [{"product_id": p0, "quantity": "1"}]}),
            )
            .await;
        }
        card.reverse();
        let read = |extra: &'static str, limit: usize| {
            let app = &app;
            let admin = &admin;
            let (sh001, p0) = (sh001.clone(), p0.clone());
            async move {
                let mut got: Vec<(String, String)> = Vec::new();
                let mut cursor = String::new();
                loop {
                    let r = app
                        .get(
                            admin,
                            &format!(
                                "/api/v1/stock/movements?location_id={sh001}&product_id={p0}{extra}&limit={limit}&cursor={cursor}"
                            ),
                        )
                        .await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    let data = r.body["data"].as_array().unwrap();
                    assert!(data.len() <= limit);
                    for m in data {
                        assert_eq!(m["location_id"], json!(sh001));
                        assert_eq!(m["product_id"], json!(p0));
                        got.push((
                            m["ref_id"].as_str().unwrap().to_string(),
                            m["kind"].as_str().unwrap().to_string(),
                        ));
                    }
                    match r.body["next_cursor"].as_str() {
                        Some(c) => cursor = c.to_string(),
                        None => return got,
                    }
                }
            }
        };
        assert_eq!(
            read("", 4).await,
            card,
            "{backend:?}: the whole card, 4 a page"
        );
        assert_eq!(
            read("", 100).await,
            card,
            "{backend:?}: the whole card at once"
        );
        let write_offs: Vec<_> = card
            .iter()
            .filter(|m| m.1 == "write_off")
            .cloned()
            .collect();
        assert_eq!(write_offs.len(), 3);
        assert_eq!(
            read("&kind=write_off", 2).await,
            write_offs,
            "{backend:?}: write-offs only, 2 a page"
        );
        ledger_ok(&app).await;
    }
}

#[tokio::test]
async fn a_purchase_order_goes_from_draft_to_closed() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let clerk = app.demo_user("stock.sh001").await;
        let manager = app.demo_user("manager.sh001").await;
        let sh001 = app.store_id("SH001").await;
        let bj001 = app.store_id("BJ001").await;
        let (p0, cost0) = b.products[0].clone();
        let (p1, _) = b.products[1].clone();

        // Out of scope: the clerk cannot buy for Beijing (404, as if it did not exist).
        let hidden = app
            .post(
                &clerk,
                "/api/v1/purchase-orders",
                json!({"supplier_id": b.supplier, "location_id": bj001,
                "lines": [{"product_id": p0, "quantity": "10"}]}),
            )
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);

        let po = app
            .post(&clerk, "/api/v1/purchase-orders", json!({"supplier_id": b.supplier, "location_id": sh001,
                "expected_date": "2026-12-01",
                "lines": [{"product_id": p0, "quantity": "10"}, {"product_id": p1, "quantity": "5", "unit_cost_minor": 200}]}))
            .await;
        assert_eq!(po.status, StatusCode::CREATED, "{}", po.body);
        let id = po.body["id"].as_str().unwrap().to_string();
        assert_eq!(po.body["status"], "draft");
        assert!(po.body["number"].as_str().unwrap().starts_with("PO-"));
        // The supplier's cost is the default; the line's own cost wins.
        assert_eq!(po.body["lines"][0]["unit_cost_minor"], cost0 + 10);
        assert_eq!(po.body["total_minor"], (cost0 + 10) * 10 + 1000);

        // Receiving a draft is refused and writes nothing.
        let early = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/receive"),
                json!({"lines": [{"line_no": 1, "quantity": "10"}]}),
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
        assert_eq!(early.body["errors"][0]["code"], "invalid_transition");

        // A stale version → 409.
        let stale = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/submit"),
                json!({"version": 99}),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        let sub = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/submit"),
                json!({"version": 1}),
            )
            .await;
        assert_eq!(sub.status, StatusCode::OK, "{}", sub.body);
        assert_eq!(
            sub.body["status"], "approved",
            "below the limit: approved at once"
        );

        let before0 = on_hand(&app, &sh001, &p0).await;
        // 10 % over is a warning; more is refused with the line's path and nothing written.
        let over = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/receive"),
                json!({"lines": [{"line_no": 1, "quantity": "12"}]}),
            )
            .await;
        assert_eq!(
            over.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            over.body
        );
        assert_eq!(over.body["errors"][0]["field"], "/lines/0/quantity");
        assert_eq!(over.body["errors"][0]["code"], "over_receipt");
        assert_eq!(on_hand(&app, &sh001, &p0).await, before0);
        let neg = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/receive"),
                json!({"lines": [{"line_no": 2, "quantity": "-1"}]}),
            )
            .await;
        assert_eq!(neg.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(neg.body["errors"][0]["field"], "/lines/0/quantity");

        let r1 = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/receive"),
                json!({"lines": [{"line_no": 1, "quantity": "11"}]}),
            )
            .await;
        assert_eq!(r1.status, StatusCode::CREATED, "{}", r1.body);
        assert_eq!(r1.body["status"], "partially_received");
        assert_eq!(
            r1.body["receipts"][0]["warnings"][0]["code"],
            "over_delivery"
        );
        assert_eq!(on_hand(&app, &sh001, &p0).await, before0 + 11_000);
        // Moving-average cost: the old cost weighted by what the company held, and the new.
        let held: i64 = count(&app, &format!("SELECT CAST(COALESCE(SUM(on_hand_milli), 0) AS BIGINT) FROM stock_levels WHERE product_id = '{p0}'")).await - 11_000;
        let expected = salepoint_domain::inventory::moving_average(held, cost0, 11_000, cost0 + 10);
        let lv = level(&app, &clerk, &sh001, &p0).await;
        assert_eq!(lv["avg_cost_minor"], expected);
        assert_eq!(
            lv["on_hand"],
            salepoint_store::inventory::quantity::from_milli(before0 + 11_000)
        );

        let r2 = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/receive"),
                json!({"lines": [{"line_no": 2, "quantity": "5"}]}),
            )
            .await;
        assert_eq!(r2.body["status"], "received", "{}", r2.body);
        let mv = app
            .get(
                &clerk,
                &format!(
                    "/api/v1/stock/movements?ref_id={}",
                    r2.body["receipts"][1]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(mv.body["data"][0]["kind"], "receipt");
        assert_eq!(mv.body["data"][0]["quantity"], "5");
        assert_eq!(mv.body["data"][0]["unit_cost_minor"], 200);

        // Back to the supplier: never more than received.
        let too_many = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/returns"),
                json!({"lines": [{"line_no": 2, "quantity": "6"}], "reason": "破损"}),
            )
            .await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_many.body["errors"][0]["code"], "over_return");
        let ret = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/returns"),
                json!({"lines": [{"line_no": 2, "quantity": "2"}], "reason": "破损"}),
            )
            .await;
        assert_eq!(ret.status, StatusCode::CREATED, "{}", ret.body);
        assert_eq!(ret.body["lines"][1]["returned"], "2");

        // Cancelling after a receipt is refused; closing needs stock.approve.
        let v = ret.body["version"].as_i64().unwrap();
        let cancel = app
            .post(
                &manager,
                &format!("/api/v1/purchase-orders/{id}/cancel"),
                json!({"version": v, "reason": "不要了"}),
            )
            .await;
        assert_eq!(cancel.status, StatusCode::CONFLICT);
        let clerk_close = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/close"),
                json!({"version": v}),
            )
            .await;
        assert_eq!(clerk_close.status, StatusCode::FORBIDDEN);
        let close = app
            .post(
                &manager,
                &format!("/api/v1/purchase-orders/{id}/close"),
                json!({"version": v}),
            )
            .await;
        assert_eq!(close.status, StatusCode::OK, "{}", close.body);
        assert_eq!(close.body["status"], "closed");
        let late = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{id}/receive"),
                json!({"lines": [{"line_no": 1, "quantity": "1"}]}),
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);

        // Above the company limit: submitted, the clerk may not approve, the manager does.
        let big = app
            .post(
                &clerk,
                "/api/v1/purchase-orders",
                json!({"supplier_id": b.supplier, "location_id": sh001,
                "lines": [{"product_id": p0, "quantity": "1000", "unit_cost_minor": 10000}]}),
            )
            .await;
        let bid = big.body["id"].as_str().unwrap().to_string();
        let s = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{bid}/submit"),
                json!({"version": 1}),
            )
            .await;
        assert_eq!(s.body["status"], "submitted");
        assert_eq!(s.body["needs_approval"], true);
        let no = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{bid}/approve"),
                json!({"version": 2}),
            )
            .await;
        assert_eq!(no.status, StatusCode::FORBIDDEN);
        let yes = app
            .post(
                &manager,
                &format!("/api/v1/purchase-orders/{bid}/approve"),
                json!({"version": 2}),
            )
            .await;
        assert_eq!(yes.body["status"], "approved", "{}", yes.body);
        let gone = app
            .post(
                &manager,
                &format!("/api/v1/purchase-orders/{bid}/cancel"),
                json!({"version": 3, "reason": "预算"}),
            )
            .await;
        assert_eq!(gone.body["status"], "cancelled");
        let on_cancelled = app
            .post(
                &clerk,
                &format!("/api/v1/purchase-orders/{bid}/receive"),
                json!({"lines": [{"line_no": 1, "quantity": "1"}]}),
            )
            .await;
        assert_eq!(on_cancelled.status, StatusCode::CONFLICT);
        // The Beijing manager does not see the Shanghai order.
        let bj = app.demo_user("manager.bj001").await;
        assert_eq!(
            app.get(&bj, &format!("/api/v1/purchase-orders/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        ledger_ok(&app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_clerks_receiving_at_once_never_receive_twice() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let clerk = app.demo_user("stock.sh001").await;
        let sh001 = app.store_id("SH001").await;
        let (p0, _) = b.products[0].clone();
        let po = app
            .post(
                &clerk,
                "/api/v1/purchase-orders",
                json!({"supplier_id": b.supplier, "location_id": sh001,
                "lines": [{"product_id": p0, "quantity": "10"}]}),
            )
            .await;
        let id = po.body["id"].as_str().unwrap().to_string();
        app.post(
            &clerk,
            &format!("/api/v1/purchase-orders/{id}/submit"),
            json!({"version": 1}),
        )
        .await;
        let before = on_hand(&app, &sh001, &p0).await;
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (base, token, id) = (app.base.clone(), clerk.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(format!("{base}/api/v1/purchase-orders/{id}/receive"))
                    .bearer_auth(token)
                    .header("Idempotency-Key", format!("recv-{}", i % 5))
                    .json(&json!({"lines": [{"line_no": 1, "quantity": "10"}]}))
                    .send()
                    .await
                    .unwrap();
                (
                    res.status(),
                    res.headers().get("idempotent-replayed").is_some(),
                )
            }));
        }
        let mut created = 0;
        for t in tasks {
            let (status, _) = t.await.unwrap();
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => {}
                other => panic!("unexpected {other}"),
            }
        }
        // One key's first request won; its replays may also answer 201, nobody else did.
        assert!(created >= 1);
        assert_eq!(
            on_hand(&app, &sh001, &p0).await,
            before + 10_000,
            "received exactly once"
        );
        assert_eq!(
            count(&app, &format!("SELECT COUNT(*) FROM stock_movements WHERE kind = 'receipt' AND product_id = '{p0}' AND location_id = '{sh001}'")).await,
            1
        );
        ledger_ok(&app).await;
    }
}

#[tokio::test]
async fn a_transfer_ships_into_transit_and_records_its_differences() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let clerk = app.demo_user("stock.sh001").await; // SH001 + WH-SH
        let regional = app.demo_user("region.east").await;
        let sh001 = app.store_id("SH001").await;
        let wh = app.store_id("WH-SH").await;
        let (p0, _) = b.products[0].clone();
        let (p1, _) = b.products[1].clone();
        let admin = app.admin().await;
        // Stock at the warehouse.
        let adj = app
            .post(&admin, "/api/v1/stock/adjustments", json!({"location_id": wh, "kind": "adjustment", "reason": "期初",
                "lines": [{"product_id": p0, "quantity": "100"}, {"product_id": p1, "quantity": "50"}]}))
            .await;
        assert_eq!(adj.status, StatusCode::CREATED, "{}", adj.body);
        assert_eq!(adj.body["movements"].as_array().unwrap().len(), 2);

        let same = app
            .post(
                &clerk,
                "/api/v1/transfers",
                json!({"from_location_id": sh001, "to_location_id": sh001,
                "lines": [{"product_id": p0, "quantity": "1"}]}),
            )
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(same.body["errors"][0]["field"], "/to_location_id");
        let zero = app
            .post(
                &clerk,
                "/api/v1/transfers",
                json!({"from_location_id": wh, "to_location_id": sh001,
                "lines": [{"product_id": p0, "quantity": "0"}]}),
            )
            .await;
        assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM transfers").await, 0);

        let t = app
            .post(&clerk, "/api/v1/transfers", json!({"from_location_id": wh, "to_location_id": sh001, "notes": "要货",
                "lines": [{"product_id": p0, "quantity": "20"}, {"product_id": p1, "quantity": "10"}]}))
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
        assert_eq!(t.body["status"], "requested");
        let id = t.body["id"].as_str().unwrap().to_string();
        // Shipping before approval is refused; the clerk cannot approve.
        let early = app
            .post(
                &clerk,
                &format!("/api/v1/transfers/{id}/ship"),
                json!({"version": 1}),
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        assert_eq!(
            app.post(
                &clerk,
                &format!("/api/v1/transfers/{id}/approve"),
                json!({"version": 1})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let ok = app
            .post(
                &regional,
                &format!("/api/v1/transfers/{id}/approve"),
                json!({"version": 1}),
            )
            .await;
        assert_eq!(ok.body["status"], "approved", "{}", ok.body);

        let wh_before = on_hand(&app, &wh, &p0).await;
        let shipped = app
            .post(
                &clerk,
                &format!("/api/v1/transfers/{id}/ship"),
                json!({"version": 2, "lines": [{"line_no": 2, "quantity": "8"}]}),
            )
            .await;
        assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
        assert_eq!(shipped.body["lines"][0]["shipped"], "20");
        assert_eq!(shipped.body["lines"][1]["shipped"], "8");
        assert_eq!(on_hand(&app, &wh, &p0).await, wh_before - 20_000);
        let at_store = level(&app, &clerk, &sh001, &p1).await;
        assert_eq!(at_store["in_transit"], "8");
        let cancel = app
            .post(
                &regional,
                &format!("/api/v1/transfers/{id}/cancel"),
                json!({"version": 3, "reason": "x"}),
            )
            .await;
        assert_eq!(
            cancel.status,
            StatusCode::CONFLICT,
            "shipped goods cannot be cancelled"
        );

        // Receiving more than shipped is refused; one short is recorded as a difference.
        let more = app
            .post(
                &clerk,
                &format!("/api/v1/transfers/{id}/receive"),
                json!({"version": 3, "lines": [{"line_no": 1, "quantity": "21"}]}),
            )
            .await;
        assert_eq!(more.status, StatusCode::UNPROCESSABLE_ENTITY);
        let store_before = on_hand(&app, &sh001, &p0).await;
        let got = app
            .post(
                &clerk,
                &format!("/api/v1/transfers/{id}/receive"),
                json!({"version": 3, "lines": [{"line_no": 1, "quantity": "19"}]}),
            )
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        assert_eq!(got.body["status"], "received");
        assert_eq!(got.body["has_differences"], true);
        assert_eq!(got.body["lines"][0]["difference"], "-1");
        assert_eq!(got.body["lines"][1]["difference"], "0");
        assert_eq!(on_hand(&app, &sh001, &p0).await, store_before + 19_000);
        assert_eq!(level(&app, &clerk, &sh001, &p1).await["in_transit"], "0");
        let closed = app
            .post(
                &regional,
                &format!("/api/v1/transfers/{id}/close"),
                json!({"version": 4}),
            )
            .await;
        assert_eq!(closed.body["status"], "closed", "{}", closed.body);
        // Lists: inbound to the store.
        let inbound = app
            .get(
                &clerk,
                &format!("/api/v1/transfers?location_id={sh001}&direction=in"),
            )
            .await;
        assert_eq!(inbound.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(inbound.body["data"][0]["has_differences"], true);
        // A store manager who does not see the warehouse may still request from it.
        let manager = app.demo_user("manager.sh001").await;
        let sources = app.get(&manager, "/api/v1/transfers/sources").await;
        assert!(
            sources.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["id"] == wh.as_str())
        );
        // The Beijing manager sees nothing of it.
        let bj = app.demo_user("manager.bj001").await;
        assert_eq!(
            app.get(&bj, &format!("/api/v1/transfers/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        ledger_ok(&app).await;
    }
}

#[tokio::test]
async fn reorder_rules_raise_alerts_and_a_live_event() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let manager = app.demo_user("manager.sh001").await;
        let sh001 = app.store_id("SH001").await;
        let (p0, _) = b.products[0].clone();
        let bad = app
            .put(
                &manager,
                "/api/v1/stock/reorder-rules",
                json!({"location_id": sh001,
                "lines": [{"product_id": p0, "reorder_point": "10", "max": "5"}]}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["errors"][0]["field"], "/lines/0/max");
        let r = app
            .put(&manager, "/api/v1/stock/reorder-rules", json!({"location_id": sh001,
                "lines": [{"product_id": p0, "reorder_point": "5", "reorder_qty": "24", "max": "100"}]}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let head = count(
            &app,
            "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM outbox_events",
        )
        .await;
        // Stock 8, then a write-off of 3 takes it to the reorder point.
        app.post(
            &manager,
            "/api/v1/stock/adjustments",
            json!({"location_id": sh001, "kind": "adjustment", "reason": "盘盈",
            "lines": [{"product_id": p0, "quantity": "8"}]}),
        )
        .await;
        let lv = level(&app, &manager, &sh001, &p0).await;
        assert_eq!(lv["status"], "ok");
        let w = app
            .post(
                &manager,
                "/api/v1/stock/adjustments",
                json!({"location_id": sh001, "kind": "write_off", "reason": "过期",
                "lines": [{"product_id": p0, "quantity": "3"}]}),
            )
            .await;
        assert_eq!(w.status, StatusCode::CREATED, "{}", w.body);
        assert_eq!(w.body["movements"][0]["quantity"], "-3");
        let lv = level(&app, &manager, &sh001, &p0).await;
        assert_eq!(lv["status"], "low");
        let alerts = app
            .get(
                &manager,
                &format!("/api/v1/stock/alerts?location_id={sh001}"),
            )
            .await;
        assert!(
            alerts.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["product_id"] == p0.as_str())
        );
        let low =
            sqlx::query("SELECT payload FROM outbox_events WHERE kind = 'stock.low' AND seq > $1")
                .bind(head)
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(low.len(), 1, "one event when the level reached its point");
        let payload: Value =
            serde_json::from_str(&low[0].try_get::<String, _>(0).unwrap()).unwrap();
        assert_eq!(payload["product_id"], p0.as_str());
        assert_eq!(payload["available"], "5");
        // A write-off must be positive; an adjustment non-zero; nothing written.
        let n = count(&app, "SELECT COUNT(*) FROM stock_movements").await;
        for (kind, q) in [
            ("write_off", "-1"),
            ("adjustment", "0"),
            ("adjustment", "1.2345"),
        ] {
            let r = app
                .post(
                    &manager,
                    "/api/v1/stock/adjustments",
                    json!({"location_id": sh001, "kind": kind, "reason": "x",
                    "lines": [{"product_id": p0, "quantity": q}]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind} {q}");
            assert_eq!(r.body["errors"][0]["field"], "/lines/0/quantity");
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM stock_movements").await, n);
        // The product across locations, nearest region first, and a cashier may look.
        let cashier = app.demo_user("cashier.sh001").await;
        let across = app
            .get(
                &cashier,
                &format!("/api/v1/products/{p0}/stock?near={sh001}"),
            )
            .await;
        assert_eq!(across.status, StatusCode::OK, "{}", across.body);
        assert_eq!(across.body["locations"][0]["location_id"], sh001.as_str());
        assert_eq!(across.body["locations"][0]["region_name"], "华东区");
        let admin = app.admin().await;
        let all = app
            .get(&admin, &format!("/api/v1/products/{p0}/stock?near={sh001}"))
            .await;
        assert_eq!(all.body["total_on_hand"], "5");
        // `limit` cuts the list, never the totals; out of range → 422 at `limit`.
        let one = app
            .get(
                &admin,
                &format!("/api/v1/products/{p0}/stock?near={sh001}&limit=1"),
            )
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert_eq!(one.body["locations"].as_array().unwrap().len(), 1);
        assert_eq!(one.body["locations"][0]["location_id"], sh001.as_str());
        assert_eq!(one.body["total_on_hand"], all.body["total_on_hand"]);
        assert_eq!(one.body["location_count"], all.body["location_count"]);
        assert_eq!(
            all.body["location_count"].as_u64().unwrap() as usize,
            all.body["locations"].as_array().unwrap().len()
        );
        for bad in ["0", "1001"] {
            let r = app
                .get(&admin, &format!("/api/v1/products/{p0}/stock?limit={bad}"))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "limit={bad}");
            assert_eq!(r.body["errors"][0]["field"], "limit", "limit={bad}");
        }
        // Without `near`: most available first, ties by location id (creation order).
        for code in ["BJ001", "WH-SH"] {
            let loc = app.store_id(code).await;
            let r = app
                .post(
                    &admin,
                    "/api/v1/stock/adjustments",
                    json!({"location_id": loc, "kind": "adjustment", "reason": "调入",
                    "lines": [{"product_id": p0, "quantity": "9"}]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let plain = app
            .get(&admin, &format!("/api/v1/products/{p0}/stock"))
            .await;
        let order: Vec<(f64, String)> = plain.body["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let a: f64 = l["available"].as_str().unwrap().parse().unwrap();
                (-a, l["location_id"].as_str().unwrap().to_string())
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(order.len(), 3, "{}", plain.body);
        assert_eq!(order, sorted, "{}", plain.body);
        assert_eq!(plain.body["total_on_hand"], "23");
        // `location=` and `product=` are the same filters as `location_id=` and `product_id=`.
        let short = app
            .get(
                &admin,
                &format!("/api/v1/stock?location={sh001}&product={p0}"),
            )
            .await;
        assert_eq!(short.status, StatusCode::OK, "{}", short.body);
        assert_eq!(
            short.body["data"].as_array().unwrap().len(),
            1,
            "{}",
            short.body
        );
        assert_eq!(
            short.body["data"][0],
            level(&app, &admin, &sh001, &p0).await
        );
        figures_are_flat_and_documented(&app, &admin, &sh001, &p0, &all.body).await;
        ledger_ok(&app).await;
    }
}

/// The figures of a level (one `StockFigures` in the code) are flat fields of both the stock
/// list's `StockLevel` and the per-product `LocationStock`, with exactly the documented names
/// (docs/inventory.md), the same values in both, and the OpenAPI document describes them.
async fn figures_are_flat_and_documented(
    app: &TestApp,
    admin: &str,
    location: &str,
    product: &str,
    across: &Value,
) {
    const FIGURES: [&str; 8] = [
        "on_hand",
        "reserved",
        "available",
        "in_transit",
        "reorder_point",
        "reorder_qty",
        "max",
        "status",
    ];
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    let with_figures = |names: &[&str]| {
        let mut k: Vec<String> = names
            .iter()
            .chain(&FIGURES)
            .map(|s| s.to_string())
            .collect();
        k.sort();
        k
    };
    let list = app
        .get(
            admin,
            &format!("/api/v1/stock?location_id={location}&product_id={product}"),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let level = &list.body["data"][0];
    assert_eq!(
        keys(level),
        with_figures(&[
            "location_id",
            "location_code",
            "location_name",
            "location_kind",
            "region_id",
            "region_name",
            "address",
            "product_id",
            "sku",
            "name_zh",
            "name_en",
            "unit",
            "avg_cost_minor",
            "value_minor",
        ])
    );
    assert_eq!(level["on_hand"], "5");
    assert_eq!(level["available"], "5");
    assert_eq!(level["status"], "low");
    let entry = across["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location_id"] == location)
        .expect("the location is listed");
    assert_eq!(
        keys(entry),
        with_figures(&[
            "location_id",
            "location_code",
            "location_name",
            "location_kind",
            "region_id",
            "region_name",
        ])
    );
    for f in FIGURES {
        assert_eq!(entry[f], level[f], "{f}");
    }
    let doc = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await
        .body;
    let schemas = &doc["components"]["schemas"];
    for f in FIGURES {
        assert!(
            schemas["StockFigures"]["properties"][f].is_object(),
            "StockFigures.{f} in {}",
            schemas["StockFigures"]
        );
    }
    for name in ["StockLevel", "LocationStock"] {
        assert!(
            schemas[name]
                .to_string()
                .contains("#/components/schemas/StockFigures"),
            "{name} embeds StockFigures: {}",
            schemas[name]
        );
        assert!(
            schemas[name]
                .to_string()
                .contains("#/components/schemas/LocationRef"),
            "{name} embeds LocationRef: {}",
            schemas[name]
        );
    }
}

/// A small deterministic generator for the random sequences.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn random_sequences_keep_the_ledger_and_the_goods_in_transit_adding_up() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let admin = app.admin().await;
        let sh001 = t.store.clone();
        let wh = app.store_id("WH-SH").await;
        // The till's first packaged products are the ones we move around.
        let products: Vec<String> = t.packaged.iter().take(3).map(|p| p.0.clone()).collect();
        let supplier_lines: Vec<Value> = products
            .iter()
            .map(|p| json!({"product_id": p, "cost_minor": 300}))
            .collect();
        app.put(
            &admin,
            &format!("/api/v1/suppliers/{}/products", b.supplier),
            json!({"lines": supplier_lines}),
        )
        .await;
        let total_sql = format!(
            "SELECT CAST(COALESCE(SUM(on_hand_milli + in_transit_milli), 0) AS BIGINT) FROM stock_levels WHERE product_id IN ('{}')",
            products.join("','")
        );
        for seed in [7u64, 2026, 31337] {
            let mut rng = Lcg(seed);
            let mut expected = count(&app, &total_sql).await;
            let mut sales: Vec<Value> = Vec::new();
            for _ in 0..25 {
                let i = rng.below(3) as usize;
                let prod = &products[i];
                let qty = 1 + rng.below(5) as i64;
                match rng.below(7) {
                    0 => {
                        let body = t.cash_sale(&[(i, qty * 1000)]);
                        let r = app.post(&t.token, "/api/v1/sales", body).await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                        expected -= qty * 1000;
                        sales.push(r.body);
                    }
                    1 if !sales.is_empty() => {
                        let s = sales.remove(rng.below(sales.len() as u64) as usize);
                        let q = s["lines"][0]["quantity"].as_str().unwrap().to_string();
                        let r = app
                            .post(&t.token, "/api/v1/returns", json!({"id": uuid::Uuid::now_v7().to_string(),
                                "original_sale_id": s["id"], "register_id": t.register, "shift_id": t.shift,
                                "lines": [{"line_no": 1, "quantity": q, "reason": "不想要了", "restock": true}]}))
                            .await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                        expected += s["lines"][0]["quantity"]
                            .as_str()
                            .unwrap()
                            .parse::<i64>()
                            .unwrap()
                            * 1000;
                    }
                    2 => {
                        let po = app
                            .post(
                                &admin,
                                "/api/v1/purchase-orders",
                                json!({"supplier_id": b.supplier, "location_id": sh001,
                                "lines": [{"product_id": prod, "quantity": qty * 2}]}),
                            )
                            .await;
                        let id = po.body["id"].as_str().unwrap();
                        let sub = app
                            .post(
                                &admin,
                                &format!("/api/v1/purchase-orders/{id}/submit"),
                                json!({"version": 1}),
                            )
                            .await;
                        assert_eq!(sub.body["status"], "approved", "{}", sub.body);
                        let r = app
                            .post(
                                &admin,
                                &format!("/api/v1/purchase-orders/{id}/receive"),
                                json!({"lines": [{"line_no": 1, "quantity": qty}]}),
                            )
                            .await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                        expected += qty * 1000;
                    }
                    3 => {
                        // Warehouse → store, shipped and (sometimes) received short.
                        let tr = app
                            .post(
                                &admin,
                                "/api/v1/transfers",
                                json!({"from_location_id": wh, "to_location_id": sh001,
                                "lines": [{"product_id": prod, "quantity": qty}]}),
                            )
                            .await;
                        let id = tr.body["id"].as_str().unwrap();
                        app.post(
                            &admin,
                            &format!("/api/v1/transfers/{id}/approve"),
                            json!({"version": 1}),
                        )
                        .await;
                        let s = app
                            .post(
                                &admin,
                                &format!("/api/v1/transfers/{id}/ship"),
                                json!({"version": 2}),
                            )
                            .await;
                        assert_eq!(s.status, StatusCode::OK, "{}", s.body);
                        assert_eq!(
                            count(&app, &total_sql).await,
                            expected,
                            "shipping moves stock into transit, no more, no less"
                        );
                        if rng.below(3) > 0 {
                            let short = rng.below(qty as u64 + 1) as i64;
                            let r = app
                                .post(
                                    &admin,
                                    &format!("/api/v1/transfers/{id}/receive"),
                                    json!({"version": 3,
                                    "lines": [{"line_no": 1, "quantity": qty - short}]}),
                                )
                                .await;
                            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                            // What did not arrive is the recorded difference, nothing else.
                            expected -= short * 1000;
                            assert_eq!(
                                r.body["lines"][0]["difference"],
                                salepoint_store::inventory::quantity::from_milli(-short * 1000)
                            );
                        }
                    }
                    4 => {
                        let kind = if rng.below(2) == 0 {
                            "write_off"
                        } else {
                            "adjustment"
                        };
                        let r = app
                            .post(
                                &admin,
                                "/api/v1/stock/adjustments",
                                json!({"location_id": sh001, "kind": kind, "reason": "抽查",
                                "lines": [{"product_id": prod, "quantity": qty}]}),
                            )
                            .await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                        expected += if kind == "write_off" {
                            -qty * 1000
                        } else {
                            qty * 1000
                        };
                    }
                    5 => {
                        // A count: the approved variance is counted − book at counting time.
                        let c = app
                            .post(&admin, "/api/v1/stock-counts", json!({"location_id": sh001, "scope": "list", "product_ids": [prod]}))
                            .await;
                        assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
                        let id = c.body["id"].as_str().unwrap();
                        let book = on_hand(&app, &sh001, prod).await;
                        let counted = (book / 1000 + rng.below(7) as i64 - 3).max(0);
                        let e = app
                            .post(&admin, &format!("/api/v1/stock-counts/{id}/entries"),
                                json!({"lines": [{"product_id": prod, "quantity": counted, "mode": "set"}]}))
                            .await;
                        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
                        let sb = app
                            .post(
                                &admin,
                                &format!("/api/v1/stock-counts/{id}/submit"),
                                json!({"version": e.body["version"]}),
                            )
                            .await;
                        let a = app
                            .post(
                                &admin,
                                &format!("/api/v1/stock-counts/{id}/approve"),
                                json!({"version": sb.body["version"]}),
                            )
                            .await;
                        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
                        assert_eq!(on_hand(&app, &sh001, prod).await, counted * 1000);
                        expected += counted * 1000 - book;
                    }
                    _ => {
                        // A supplier return of part of a received order is a negative receipt.
                        let po = app
                            .post(
                                &admin,
                                "/api/v1/purchase-orders",
                                json!({"supplier_id": b.supplier, "location_id": wh,
                                "lines": [{"product_id": prod, "quantity": qty}]}),
                            )
                            .await;
                        let id = po.body["id"].as_str().unwrap();
                        app.post(
                            &admin,
                            &format!("/api/v1/purchase-orders/{id}/submit"),
                            json!({"version": 1}),
                        )
                        .await;
                        app.post(
                            &admin,
                            &format!("/api/v1/purchase-orders/{id}/receive"),
                            json!({"lines": [{"line_no": 1, "quantity": qty}]}),
                        )
                        .await;
                        let r = app
                            .post(
                                &admin,
                                &format!("/api/v1/purchase-orders/{id}/returns"),
                                json!({"lines": [{"line_no": 1, "quantity": 1}], "reason": "质量"}),
                            )
                            .await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                        expected += qty * 1000 - 1000;
                    }
                }
                assert_eq!(
                    count(&app, &total_sql).await,
                    expected,
                    "seed {seed}: stock created or lost"
                );
            }
            ledger_ok(&app).await;
        }
    }
}

#[tokio::test]
async fn the_ledger_check_names_what_does_not_add_up() {
    for backend in backends() {
        let app = spawn(backend).await;
        let b = buying(&app).await;
        let admin = app.admin().await;
        let sh001 = app.store_id("SH001").await;
        let (p0, _) = b.products[0].clone();
        let (p1, _) = b.products[1].clone();
        app.post(
            &admin,
            "/api/v1/stock/adjustments",
            json!({"location_id": sh001, "kind": "adjustment", "reason": "期初",
            "lines": [{"product_id": p0, "quantity": "7"}]}),
        )
        .await;
        ledger_ok(&app).await;
        let company: String = sqlx::query("SELECT company_id FROM stores WHERE id = $1")
            .bind(&sh001)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        // Behind the application's back: a level changed, and a movement without a level.
        sqlx::query("UPDATE stock_levels SET on_hand_milli = on_hand_milli + 1 WHERE location_id = $1 AND product_id = $2")
            .bind(&sh001)
            .bind(&p0)
            .execute(&app.db.pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, ref_type, ref_id, at) \
             VALUES ($1, $2, $3, $4, 'adjustment', 2000, 'test', 'test', '2026-01-01T00:00:00.000000Z')",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&company)
        .bind(&sh001)
        .bind(&p1)
        .execute(&app.db.pool)
        .await
        .unwrap();
        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        let mut found: Vec<(String, i64, i64)> = report
            .mismatches
            .iter()
            .map(|m| (m.product_id.clone(), m.on_hand_milli, m.movements_milli))
            .collect();
        found.sort();
        let mut want = vec![(p0.clone(), 7001, 7000), (p1.clone(), 0, 2000)];
        want.sort();
        assert_eq!(found, want);
        assert_eq!(report.broken_chains, 0);
        if app.db.backend == salepoint_store::db::Backend::Sqlite {
            // A level that lost its newest movement: its stock card would miss them all.
            sqlx::query("UPDATE stock_levels SET last_movement_id = NULL WHERE location_id = $1 AND product_id = $2")
                .bind(&sh001)
                .bind(&p0)
                .execute(&app.db.pool)
                .await
                .unwrap();
            let report = salepoint_store::inventory::ledger::verify(&app.db)
                .await
                .unwrap();
            assert_eq!(report.broken_chains, 1);
        }
    }
}
