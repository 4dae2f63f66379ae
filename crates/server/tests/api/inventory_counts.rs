//! Stock counts, replenishment and valuation over real HTTP, on every backend: a blind count
//! from snapshot to approval (with a sale in between that must not show as a variance),
//! refused transitions and entries, scope; suggestions turned into draft purchase orders and
//! requested transfers; the valuation against the levels.

use crate::register::till;
use crate::support::{TestApp, backends, spawn};
use reqwest::StatusCode;
use salepoint_domain::inventory::{ReorderInput, suggest_quantity};
use salepoint_store::inventory::levels::value;
use serde_json::{Value, json};
use sqlx::Row;

async fn scalar(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

async fn on_hand(app: &TestApp, location: &str, product: &str) -> i64 {
    sqlx::query("SELECT on_hand_milli FROM stock_levels WHERE location_id = $1 AND product_id = $2")
        .bind(location)
        .bind(product)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .map(|r| r.try_get::<i64, _>(0).unwrap())
        .unwrap_or(0)
}

async fn cost(app: &TestApp, product: &str) -> i64 {
    scalar(
        app,
        "SELECT COALESCE(pc.avg_cost_minor, p.cost_price_minor) FROM products p \
         LEFT JOIN product_costs pc ON pc.product_id = p.id WHERE p.id = $1",
        &[product],
    )
    .await
}

fn line<'a>(count: &'a Value, product: &str) -> &'a Value {
    count["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["product_id"] == product)
        .unwrap_or_else(|| panic!("no line for {product} in {count}"))
}

/// Sets the stock of `figures` at `location` to exact amounts through a count that `token`
/// (who must hold stock.approve) creates, counts, submits and approves.
async fn stock_up(app: &TestApp, token: &str, location: &str, figures: &[(&str, &str)]) -> Value {
    let ids: Vec<&str> = figures.iter().map(|f| f.0).collect();
    let c = app
        .post(
            token,
            "/api/v1/stock-counts",
            json!({"location_id": location, "scope": "list", "product_ids": ids}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_string();
    let lines: Vec<Value> = figures
        .iter()
        .map(|(p, q)| json!({"product_id": p, "quantity": q, "mode": "set"}))
        .collect();
    let e = app
        .post(
            token,
            &format!("/api/v1/stock-counts/{id}/entries"),
            json!({"lines": lines}),
        )
        .await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    let s = app
        .post(
            token,
            &format!("/api/v1/stock-counts/{id}/submit"),
            json!({"version": e.body["version"]}),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let a = app
        .post(
            token,
            &format!("/api/v1/stock-counts/{id}/approve"),
            json!({"version": s.body["version"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

#[tokio::test]
async fn a_blind_count_from_snapshot_to_approval() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let manager = app.demo_user("manager.sh001").await;
        let clerk = app.demo_user("stock.sh001").await;
        let p: Vec<String> = t.packaged.iter().map(|x| x.0.clone()).collect();
        stock_up(
            &app,
            &manager,
            &t.store,
            &[(&p[0], "10"), (&p[1], "10"), (&p[2], "10")],
        )
        .await;
        for x in &p[..3] {
            assert_eq!(on_hand(&app, &t.store, x).await, 10_000);
        }

        // A blind count by the clerk: the expected figures are taken now and hidden from them.
        let r = app
            .post(
                &clerk,
                "/api/v1/stock-counts",
                json!({"location_id": t.store, "scope": "list", "product_ids": [p[0], p[1], p[2]],
                       "blind": true, "notes": "月末盘点"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_string();
        let url = format!("/api/v1/stock-counts/{id}");
        assert!(r.body["number"].as_str().unwrap().starts_with("SC-"));
        assert_eq!(r.body["status"], "open");
        assert_eq!(r.body["blind"], true);
        assert_eq!(r.body["summary"]["lines"], 3);
        assert!(r.body["summary"]["variance_lines"].is_null());
        assert!(line(&r.body, &p[0])["expected"].is_null(), "blind");
        let seen = app.get(&manager, &url).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(line(&seen.body, &p[0])["expected"], "10");

        // A sale between the snapshot and the counting.
        let sale = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)]))
            .await;
        assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
        assert_eq!(on_hand(&app, &t.store, &p[0]).await, 9_000);

        // Two scans of one barcode add up; a typed figure replaces.
        let barcode = line(&r.body, &p[1])["barcode"]
            .as_str()
            .unwrap()
            .to_string();
        let scan = json!({"lines": [{"barcode": barcode, "quantity": 1, "mode": "add"}]});
        let e = app
            .post(&clerk, &format!("{url}/entries"), scan.clone())
            .await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
        let e = app.post(&clerk, &format!("{url}/entries"), scan).await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
        assert_eq!(line(&e.body, &p[1])["counted"], "2");
        assert!(line(&e.body, &p[1])["variance"].is_null(), "blind");
        let e = app
            .post(
                &clerk,
                &format!("{url}/entries"),
                json!({"lines": [{"product_id": p[0], "quantity": "9", "mode": "set"}]}),
            )
            .await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
        assert_eq!(line(&e.body, &p[0])["counted"], "9");
        assert_eq!(e.body["summary"]["counted"], 2);

        // A product that is not in the count refuses the whole request.
        let r = app
            .post(
                &clerk,
                &format!("{url}/entries"),
                json!({"lines": [{"product_id": p[0], "quantity": "5", "mode": "set"},
                                 {"product_id": p[3], "quantity": "1", "mode": "set"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "/lines/1/product_id");
        assert_eq!(r.body["errors"][0]["code"], "not_in_count");
        let r = app
            .post(
                &clerk,
                &format!("{url}/entries"),
                json!({"lines": [{"product_id": p[0], "quantity": "0", "mode": "add"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "/lines/0/quantity");

        // The manager sees the figures: the sale is in the book, not in the variance.
        let seen = app.get(&manager, &url).await.body;
        assert_eq!(line(&seen, &p[0])["counted"], "9", "nothing written");
        assert_eq!(line(&seen, &p[0])["expected"], "10");
        assert_eq!(line(&seen, &p[0])["book"], "9");
        assert_eq!(line(&seen, &p[0])["variance"], "0");
        assert_eq!(line(&seen, &p[1])["variance"], "-8");
        let value1 = value(-8_000, cost(&app, &p[1]).await);
        assert_eq!(line(&seen, &p[1])["variance_value_minor"], value1);
        assert!(line(&seen, &p[2])["counted"].is_null());
        assert_eq!(seen["summary"]["variance_lines"], 1);
        assert_eq!(seen["summary"]["variance_value_minor"], value1);
        let clerk_view = app.get(&clerk, &url).await.body;
        assert!(clerk_view["summary"]["variance_value_minor"].is_null());
        assert!(line(&clerk_view, &p[1])["variance"].is_null());

        // Approving an open count is refused.
        let r = app
            .post(
                &manager,
                &format!("{url}/approve"),
                json!({"version": seen["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "invalid_transition");

        let s = app
            .post(
                &clerk,
                &format!("{url}/submit"),
                json!({"version": seen["version"]}),
            )
            .await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.body);
        assert_eq!(s.body["status"], "submitted");
        // The clerk may not approve; a stale version is refused.
        let r = app
            .post(
                &clerk,
                &format!("{url}/approve"),
                json!({"version": s.body["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &manager,
                &format!("{url}/approve"),
                json!({"version": seen["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.code(), "version_conflict");
        let a = app
            .post(
                &manager,
                &format!("{url}/approve"),
                json!({"version": s.body["version"]}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["status"], "approved");
        assert!(a.body["approved_at"].is_string());

        // Stock is what was counted; the uncounted line is unchanged.
        assert_eq!(on_hand(&app, &t.store, &p[0]).await, 9_000);
        assert_eq!(on_hand(&app, &t.store, &p[1]).await, 2_000);
        assert_eq!(on_hand(&app, &t.store, &p[2]).await, 10_000);
        let moves = sqlx::query(
            "SELECT product_id, quantity_milli, ref_type FROM stock_movements WHERE ref_id = $1 AND kind = 'count'",
        )
        .bind(&id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(moves.len(), 1, "only the line with a variance moves");
        assert_eq!(moves[0].try_get::<String, _>(0).unwrap(), p[1]);
        assert_eq!(moves[0].try_get::<i64, _>(1).unwrap(), -8_000);
        assert_eq!(moves[0].try_get::<String, _>(2).unwrap(), "stock_count");
        assert_eq!(
            scalar(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'stock_count.approved' AND target_id = $1",
                &[&id],
            )
            .await,
            1
        );

        // Counting in an approved count is refused.
        let r = app
            .post(
                &clerk,
                &format!("{url}/entries"),
                json!({"lines": [{"product_id": p[0], "quantity": "1", "mode": "add"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "invalid_transition");
        let r = app
            .post(
                &manager,
                &format!("{url}/cancel"),
                json!({"version": a.body["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // The list shows the count with its summary.
        let list = app
            .get(
                &manager,
                &format!(
                    "/api/v1/stock-counts?location_id={}&status=approved",
                    t.store
                ),
            )
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let mine = list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id.as_str())
            .unwrap();
        assert_eq!(mine["summary"]["variance_value_minor"], value1);
        assert_eq!(mine["summary"]["counted"], 2);

        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    }
}

#[tokio::test]
async fn counts_are_scoped_checked_and_fast() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let manager = app.demo_user("manager.sh001").await;
        let other = app.demo_user("manager.bj001").await;
        let sh001 = app.store_id("SH001").await;
        let products = app.get(&admin, "/api/v1/products?limit=5").await.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>();

        // Another store's manager: the location does not exist for them.
        let body = json!({"location_id": sh001, "scope": "list", "product_ids": [products[0]]});
        let r = app.post(&other, "/api/v1/stock-counts", body.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let c = app.post(&manager, "/api/v1/stock-counts", body).await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
        let url = format!("/api/v1/stock-counts/{}", c.body["id"].as_str().unwrap());
        assert_eq!(app.get(&other, &url).await.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                &other,
                &format!("{url}/entries"),
                json!({"lines": [{"product_id": products[0], "quantity": "1"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let list = app.get(&other, "/api/v1/stock-counts").await;
        assert_eq!(list.body["data"].as_array().unwrap().len(), 0);

        // Bad input.
        for (body, field) in [
            (
                json!({"location_id": sh001, "scope": "list"}),
                "/product_ids",
            ),
            (
                json!({"location_id": sh001, "scope": "category"}),
                "/category_id",
            ),
            (
                json!({"location_id": sh001, "scope": "list", "product_ids": [products[0], products[0]]}),
                "/product_ids/1",
            ),
            (
                json!({"location_id": sh001, "scope": "list", "product_ids": ["nope"]}),
                "/product_ids/0",
            ),
            (
                json!({"location_id": sh001, "scope": "category", "category_id": "nope"}),
                "/category_id",
            ),
        ] {
            let r = app
                .post(&manager, "/api/v1/stock-counts", body.clone())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.body
            );
            assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
        }
        let r = app
            .post(
                &manager,
                &format!("{url}/entries"),
                json!({"lines": [{"barcode": "0000000000000", "quantity": "1", "mode": "add"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "/lines/0/barcode");

        // A retried scan with its Idempotency-Key counts once.
        let scan = json!({"lines": [{"product_id": products[0], "quantity": "1", "mode": "add"}]});
        let mut last = Value::Null;
        for _ in 0..2 {
            let r = app
                .call_with(
                    reqwest::Method::POST,
                    &format!("{url}/entries"),
                    Some(&manager),
                    Some(scan.clone()),
                    &[("Idempotency-Key", "scan-1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            last = r.body;
        }
        assert_eq!(line(&last, &products[0])["counted"], "1");
        assert_eq!(
            line(&app.get(&manager, &url).await.body, &products[0])["counted"],
            "1"
        );

        // Cancel (stock.approve): nothing posted.
        let v = last["version"].clone();
        let r = app
            .post(
                &manager,
                &format!("{url}/cancel"),
                json!({"version": v, "reason": "重盘"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "cancelled");

        // A category count takes the category and its sub-categories.
        let cats = sqlx::query("SELECT id, parent_id FROM categories")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        let parent_of: Vec<(String, Option<String>)> = cats
            .iter()
            .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
            .collect();
        let root = parent_of
            .iter()
            .find(|(id, _)| parent_of.iter().any(|(_, p)| p.as_deref() == Some(id)))
            .map(|(id, _)| id.clone())
            .expect("a category with sub-categories");
        let mut tree = vec![root.clone()];
        let mut i = 0;
        while i < tree.len() {
            let here = tree[i].clone();
            tree.extend(
                parent_of
                    .iter()
                    .filter(|(_, p)| p.as_deref() == Some(here.as_str()))
                    .map(|(id, _)| id.clone()),
            );
            i += 1;
        }
        let mut expected = 0;
        for c in &tree {
            expected += scalar(
                &app,
                "SELECT COUNT(*) FROM products WHERE category_id = $1 AND status = 'active'",
                &[c],
            )
            .await;
        }
        let r = app
            .post(
                &manager,
                "/api/v1/stock-counts",
                json!({"location_id": sh001, "scope": "category", "category_id": root}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(expected > 0);
        assert_eq!(r.body["summary"]["lines"], expected);
        assert_eq!(r.body["category_id"], root.as_str());

        // A full count over 20,000 products is created quickly.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16000) \
             INSERT INTO products (id, company_id, sku, name_zh, unit, tax_class_id, list_price_minor, \
             status, search_text, change_seq, created_at, updated_at) \
             SELECT 'perf-' || n.i, c.id, 'PERF' || n.i, '测试商品' || n.i, 'piece', \
             (SELECT MIN(t.id) FROM tax_classes t), 100, 'active', 'perf', 1, \
             '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM n, companies c",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        let active = scalar(
            &app,
            "SELECT COUNT(*) FROM products WHERE status = 'active'",
            &[],
        )
        .await;
        assert!(active >= 20_000, "{active}");
        let started = std::time::Instant::now();
        let r = app
            .post(
                &manager,
                "/api/v1/stock-counts",
                json!({"location_id": sh001, "scope": "full"}),
            )
            .await;
        let took = started.elapsed();
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["summary"]["lines"], active);
        println!("{backend:?}: full count of {active} products created in {took:?}");
        assert!(took.as_secs() < 20, "{took:?}");
    }
}

#[tokio::test]
async fn replenishment_suggests_and_orders_and_valuation_adds_up() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let admin = app.admin().await;
        let manager = app.demo_user("manager.sh001").await;
        let wh = app.store_id("WH-SH").await;
        let (p0, p1) = (t.packaged[0].0.clone(), t.packaged[1].0.clone());

        // Stock: 5 of p0 at the store, none of p1; the region's warehouse has p1 only.
        stock_up(&app, &manager, &t.store, &[(&p0, "5"), (&p1, "0")]).await;
        stock_up(&app, &admin, &wh, &[(&p0, "0"), (&p1, "100")]).await;
        let sale = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 2000)]))
            .await;
        assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);

        // Reorder rules, and a preferred supplier of p0 with packs of 12.
        let r = app
            .put(
                &manager,
                "/api/v1/stock/reorder-rules",
                json!({"location_id": t.store, "lines": [
                    {"product_id": p0, "reorder_point": "20", "reorder_qty": "24", "max": null},
                    {"product_id": p1, "reorder_point": "10", "reorder_qty": null, "max": null}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let s = app
            .post(
                &admin,
                "/api/v1/suppliers",
                json!({"code": "T-REPL", "name": "测试供应商", "lead_time_days": 5}),
            )
            .await;
        assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
        let supplier = s.body["id"].as_str().unwrap().to_string();
        sqlx::query("DELETE FROM supplier_products WHERE product_id IN ($1, $2)")
            .bind(&p0)
            .bind(&p1)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let r = app
            .put(
                &admin,
                &format!("/api/v1/suppliers/{supplier}/products"),
                json!({"lines": [{"product_id": p0, "cost_minor": 350, "pack": "12", "preferred": true}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let url = format!(
            "/api/v1/replenishment/suggestions?location_id={}&days=28",
            t.store
        );
        let r = app.get(&manager, &url).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let find = |id: &str| {
            r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["product_id"] == id)
                .unwrap_or_else(|| panic!("no suggestion for {id}: {}", r.body))
                .clone()
        };
        let s0 = find(&p0);
        assert_eq!(s0["available"], "3");
        assert_eq!(s0["lead_time_days"], 5);
        assert_eq!(s0["source"]["kind"], "purchase");
        assert_eq!(s0["source"]["supplier_id"], supplier.as_str());
        assert_eq!(s0["source"]["unit_cost_minor"], 350);
        let milli =
            |v: &Value| (v.as_str().unwrap().parse::<f64>().unwrap() * 1000.0).round() as i64;
        let daily = milli(&s0["daily_sales"]);
        assert_eq!(daily, (2 * 2000 + 28) / 56, "2 sold over 28 days");
        let want = suggest_quantity(&ReorderInput {
            available: 3_000,
            in_transit: 0,
            reorder_point: Some(20_000),
            reorder_qty: Some(24_000),
            max: None,
            daily_sales: daily,
            lead_time_days: 5,
            pack: 12_000,
        });
        assert_eq!(milli(&s0["suggested"]), want);
        assert_eq!(want, 24_000);
        let s1 = find(&p1);
        assert_eq!(
            s1["lead_time_days"], 3,
            "no supplier: the default lead time"
        );
        assert_eq!(s1["suggested"], "10");
        assert_eq!(s1["source"]["kind"], "transfer");
        assert_eq!(s1["source"]["from_location_id"], wh.as_str());
        assert_eq!(s1["source"]["from_available"], "100");

        // Out of scope.
        let other = app.demo_user("manager.bj001").await;
        assert_eq!(app.get(&other, &url).await.status, StatusCode::NOT_FOUND);

        // A bad line writes nothing.
        let before = scalar(&app, "SELECT COUNT(*) FROM purchase_orders", &[]).await;
        let r = app
            .post(
                &manager,
                "/api/v1/replenishment/orders",
                json!({"location_id": t.store, "lines": [
                    {"product_id": p0, "quantity": "24", "source": s0["source"]},
                    {"product_id": p1, "quantity": "10", "source": {"kind": "purchase", "supplier_id": "nope"}}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "/lines/1/source/supplier_id");
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM purchase_orders", &[]).await,
            before
        );

        // Accepting both suggestions: one draft purchase order and one requested transfer.
        let r = app
            .post(
                &manager,
                "/api/v1/replenishment/orders",
                json!({"location_id": t.store, "lines": [
                    {"product_id": p0, "quantity": s0["suggested"], "source": s0["source"]},
                    {"product_id": p1, "quantity": s1["suggested"], "source": s1["source"]}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let po = &r.body["purchase_orders"][0];
        assert_eq!(r.body["purchase_orders"].as_array().unwrap().len(), 1);
        assert!(po["number"].as_str().unwrap().starts_with("PO-"));
        assert_eq!(po["supplier_id"], supplier.as_str());
        assert_eq!(po["total_minor"], 24 * 350);
        assert_eq!(po["status"], "draft");
        assert_eq!(po["lines"][0]["quantity"], "24");
        assert_eq!(po["lines"][0]["unit_cost_minor"], 350);
        let tr = &r.body["transfers"][0];
        assert_eq!(r.body["transfers"].as_array().unwrap().len(), 1);
        assert!(tr["number"].as_str().unwrap().starts_with("TR-"));
        assert_eq!(tr["from_location_id"], wh.as_str());
        assert_eq!(tr["status"], "requested");
        assert_eq!(tr["lines"][0]["requested"], "10");
        let po_id = po["id"].as_str().unwrap();
        assert_eq!(
            scalar(
                &app,
                "SELECT COUNT(*) FROM purchase_orders WHERE id = $1 AND status = 'draft' AND location_id = $2",
                &[po_id, &t.store],
            )
            .await,
            1
        );
        assert_eq!(
            scalar(
                &app,
                "SELECT quantity_milli FROM purchase_order_lines WHERE po_id = $1 AND line_no = 1",
                &[po_id],
            )
            .await,
            24_000
        );
        let tr_id = tr["id"].as_str().unwrap();
        assert_eq!(
            scalar(
                &app,
                "SELECT requested_milli FROM transfer_lines t JOIN transfers h ON h.id = t.transfer_id \
                 WHERE h.id = $1 AND h.status = 'requested' AND h.to_location_id = $2",
                &[tr_id, &t.store],
            )
            .await,
            10_000
        );
        // The documents read back through their own API.
        let got = app
            .get(&manager, &format!("/api/v1/purchase-orders/{po_id}"))
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        assert_eq!(got.body["status"], "draft");
        assert_eq!(got.body["total_minor"], 24 * 350);

        // Valuation: on hand × cost per level, summed.
        let levels = sqlx::query(
            "SELECT sl.location_id, sl.on_hand_milli, COALESCE(pc.avg_cost_minor, p.cost_price_minor) \
             FROM stock_levels sl JOIN products p ON p.id = sl.product_id \
             LEFT JOIN product_costs pc ON pc.product_id = sl.product_id",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        let (mut all, mut store) = (0i64, 0i64);
        for l in &levels {
            let v = value(l.try_get(1).unwrap(), l.try_get(2).unwrap());
            all += v;
            if l.try_get::<String, _>(0).unwrap() == t.store {
                store += v;
            }
        }
        assert_ne!(all, 0);
        for group in ["location", "category"] {
            let r = app
                .get(&admin, &format!("/api/v1/stock/valuation?group={group}"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["currency"], "CNY");
            assert_eq!(r.body["total_minor"], all, "{group}: {}", r.body);
            let sum: i64 = r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["value_minor"].as_i64().unwrap())
                .sum();
            assert_eq!(sum, all);
        }
        let r = app
            .get(
                &admin,
                &format!("/api/v1/stock/valuation?location_id={}", t.store),
            )
            .await;
        assert_eq!(r.body["total_minor"], store);
        // The store manager sees their store only.
        let r = app.get(&manager, "/api/v1/stock/valuation").await;
        assert_eq!(r.body["total_minor"], store, "{}", r.body);
        let r = app
            .get(
                &other,
                &format!("/api/v1/stock/valuation?location_id={}", t.store),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.get(&admin, "/api/v1/stock/valuation?group=brand").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
