//! The register: sales, replays, returns, shifts, receipts, stock and live events — on every
//! backend, over real HTTP.

use crate::support::{TestApp, backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

/// A cashier at an open register of a store, with a few products of its catalog.
pub struct Till {
    pub token: String,
    pub store: String,
    pub register: String,
    pub shift: String,
    /// Packaged products (id, price) and one weighed (id, price per kg).
    pub packaged: Vec<(String, i64)>,
    pub weighed: (String, i64),
}

pub async fn till(app: &TestApp, user: &str, store_code: &str) -> Till {
    let token = app.demo_user(user).await;
    let store = app.store_id(store_code).await;
    let register = app
        .get(&token, &format!("/api/v1/stores/{store}/registers"))
        .await
        .body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shift = app
        .post(
            &token,
            "/api/v1/shifts",
            json!({"register_id": register, "opening_float_minor": 20000}),
        )
        .await;
    assert_eq!(shift.status, StatusCode::CREATED, "{}", shift.body);
    let snap = app
        .get(&token, &format!("/api/v1/stores/{store}/catalog"))
        .await;
    let products = snap.body["products"].as_array().unwrap();
    let packaged = products
        .iter()
        .filter(|p| p["sold_by_weight"] == false)
        .take(5)
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["price_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    let w = products
        .iter()
        .find(|p| p["sold_by_weight"] == true)
        .unwrap();
    Till {
        token,
        store,
        register,
        shift: shift.body["id"].as_str().unwrap().to_string(),
        packaged,
        weighed: (
            w["id"].as_str().unwrap().to_string(),
            w["price_minor"].as_i64().unwrap(),
        ),
    }
}

/// price × milli / 1000, rounded half up.
fn gross(price: i64, milli: i64) -> i64 {
    (price * milli + 500) / 1000
}

/// The cash due for `total` at a 0.1-yuan rounding store.
fn round10(v: i64) -> i64 {
    (v + 5) / 10 * 10
}

impl Till {
    /// A cash sale of `lines` (product index, quantity in thousandths) with a fresh id.
    pub fn cash_sale(&self, lines: &[(usize, i64)]) -> Value {
        let mut total = 0;
        let mut out = Vec::new();
        for (i, milli) in lines {
            let (id, price) = &self.packaged[*i];
            total += gross(*price, *milli);
            out.push(json!({"product_id": id, "quantity": format!("{}", milli / 1000), "unit_price_minor": price}));
        }
        let due = round10(total);
        json!({
            "id": uuid::Uuid::now_v7().to_string(),
            "register_id": self.register, "shift_id": self.shift,
            "lines": out,
            "tenders": [{"code": "CASH", "amount_minor": due, "tendered_minor": due + 1000}],
        })
    }
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

pub async fn on_hand(app: &TestApp, store: &str, product: &str) -> i64 {
    sqlx::query("SELECT on_hand_milli FROM stock_levels WHERE location_id = $1 AND product_id = $2")
        .bind(store)
        .bind(product)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .map(|r| r.try_get::<i64, _>(0).unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_sale_is_priced_stored_and_replayed() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let (p0, price0) = t.packaged[0].clone();
        let (p1, price1) = t.packaged[1].clone();
        let (w, wprice) = t.weighed.clone();
        let total = 2 * price0 + price1 + gross(wprice, 532);
        let card = 1000.min(total);
        let cash_due = round10(total - card);
        let body = json!({
            "id": uuid::Uuid::now_v7().to_string(),
            "register_id": t.register, "shift_id": t.shift,
            "lines": [
                {"product_id": p0, "quantity": "2", "unit_price_minor": price0},
                {"product_id": p1, "quantity": 1, "unit_price_minor": price1},
                {"product_id": w, "quantity": "0.532", "unit_price_minor": wprice},
            ],
            "tenders": [
                {"code": "CARD", "amount_minor": card, "reference": "T-1", "card_last4": "4242"},
                {"code": "CASH", "amount_minor": cash_due, "tendered_minor": 10000},
            ],
        });
        let r = app.post(&t.token, "/api/v1/sales", body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let sale = r.body.clone();
        assert_eq!(sale["total_minor"], total);
        assert_eq!(sale["rounding_minor"], cash_due - (total - card));
        assert_eq!(sale["amount_due_minor"], card + cash_due);
        assert_eq!(sale["change_minor"], 10000 - cash_due);
        let lines = sale["lines"].as_array().unwrap();
        let sum: i64 = lines
            .iter()
            .map(|l| l["total_minor"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, total, "lines sum to the total");
        assert_eq!(lines[2]["quantity"], "0.532");
        let receipt_no = sale["receipt_no"].as_str().unwrap().to_string();
        assert!(
            receipt_no.starts_with("SH001-") && receipt_no.ends_with("-0001"),
            "{receipt_no}"
        );
        // Stock moved in the same transaction (no opening stock: flagged negative).
        assert_eq!(on_hand(&app, &t.store, &p0).await, -2000);
        assert_eq!(on_hand(&app, &t.store, &w).await, -532);
        assert!(
            sale["flags"]
                .as_array()
                .unwrap()
                .contains(&json!("negative_stock"))
        );

        // The same sale again: the original answer, nothing written twice.
        let again = app.post(&t.token, "/api/v1/sales", body.clone()).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(again.body["receipt_no"], receipt_no);
        assert_eq!(on_hand(&app, &t.store, &p0).await, -2000);
        // The same id with another body is refused.
        let mut other = body.clone();
        other["lines"][0]["quantity"] = json!("3");
        let r = app.post(&t.token, "/api/v1/sales", other).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), "idempotency_key_reused");
        // An Idempotency-Key replays too, even under a new sale id.
        let mut keyed = t.cash_sale(&[(2, 1000)]);
        let first = app
            .call_with(
                Method::POST,
                "/api/v1/sales",
                Some(&t.token),
                Some(keyed.clone()),
                &[("Idempotency-Key", "k-1")],
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert!(
            first.body["receipt_no"]
                .as_str()
                .unwrap()
                .ends_with("-0002")
        );
        keyed["id"] = json!(uuid::Uuid::now_v7().to_string());
        let second = app
            .call_with(
                Method::POST,
                "/api/v1/sales",
                Some(&t.token),
                Some(keyed),
                &[("Idempotency-Key", "k-1")],
            )
            .await;
        assert_eq!(
            second.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a different body under the key"
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 2);

        // Read back, listed, and the card number never more than 4 digits.
        let id = sale["id"].as_str().unwrap();
        let got = app.get(&t.token, &format!("/api/v1/sales/{id}")).await;
        assert_eq!(got.body["total_minor"], total);
        assert_eq!(got.body["tenders"][0]["card_last4"], "4242");
        let list = app
            .get(
                &t.token,
                &format!("/api/v1/sales?register_id={}", t.register),
            )
            .await;
        assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
        let found = app
            .get(&t.token, &format!("/api/v1/sales?receipt_no={receipt_no}"))
            .await;
        assert_eq!(found.body["data"][0]["id"], id);

        // Receipts: an 80 mm page, a PDF, ESC/POS; the second print is a copy.
        let html = app
            .http
            .get(format!(
                "{}/api/v1/sales/{id}/receipt?format=html",
                app.base
            ))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap();
        assert!(
            html.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = html.text().await.unwrap();
        assert!(page.contains(&receipt_no) && page.contains("80mm") && page.contains("<svg"));
        assert!(page.contains("4242") && !page.contains("重印"));
        let copy = app
            .http
            .get(format!(
                "{}/api/v1/sales/{id}/receipt?format=html&copy=true&lang=en",
                app.base
            ))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(copy.contains("重印"), "a reprint asked for is marked");
        let mut printed = Vec::new();
        for (format, magic) in [
            ("pdf", b"%PDF-".to_vec()),
            ("escpos", vec![0x1b, b'@']),
            ("escpos", vec![0x1b, b'@']),
        ] {
            let bytes = app
                .http
                .get(format!(
                    "{}/api/v1/sales/{id}/receipt?format={format}",
                    app.base
                ))
                .bearer_auth(&t.token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(bytes.starts_with(&magic), "{format} starts right");
            printed.push(bytes);
        }
        let has_copy = |b: &[u8]| b.windows(4).any(|w| w == b"COPY");
        assert!(
            has_copy(&printed[1]) && has_copy(&printed[2]),
            "prints after the first (the PDF) are copies"
        );
        // Other stores' staff do not see it.
        let bj = app.demo_user("cashier.bj001").await;
        assert_eq!(
            app.get(&bj, &format!("/api/v1/sales/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn fifty_concurrent_duplicates_make_one_sale() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let body = t.cash_sale(&[(0, 1000), (1, 3000)]);
        let calls = (0..50).map(|_| app.post(&t.token, "/api/v1/sales", body.clone()));
        let results = futures::future::join_all(calls).await;
        let created = results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        let replayed = results
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!((created, replayed), (1, 49), "one sale, 49 replays");
        let receipts: std::collections::BTreeSet<_> = results
            .iter()
            .map(|r| r.body["receipt_no"].to_string())
            .collect();
        assert_eq!(receipts.len(), 1, "every answer names the same sale");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM stock_movements").await, 2);
        assert_eq!(on_hand(&app, &t.store, &t.packaged[1].0).await, -3000);
    }
}

/// On SQLite the writer commits without syncing the log inside its turn (the next batch writes
/// meanwhile) and a sale is answered only once the log holding it is synced.
#[tokio::test]
async fn a_sale_is_answered_only_once_sqlites_log_is_synced() {
    use crate::support::Backend;
    let app = spawn(Backend::Sqlite).await;
    let wal = app.db.wal_sync().expect("a SQLite file has a log to sync");
    let mut tx = app.db.begin().await.unwrap();
    let writer: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let reader: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        (writer, reader),
        (1, 2),
        "writer NORMAL, other connections FULL"
    );
    let t = till(&app, "cashier.sh001", "SH001").await;
    for i in 0..5 {
        let (before, _) = wal.counts().await;
        let body = t.cash_sale(&[(i % 5, 1000)]);
        let r = app.post(&t.token, "/api/v1/sales", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let (after, synced) = wal.counts().await;
        assert!(after > before, "the sale's commit was counted");
        assert!(
            synced > before,
            "answered before its commit was synced: {synced} ≤ {before}"
        );
    }
}

#[tokio::test]
async fn bad_sales_are_refused_and_write_nothing() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let good = t.cash_sale(&[(0, 1000)]);
        let cases: Vec<(Value, StatusCode, &str)> = vec![
            (
                {
                    let mut b = good.clone();
                    b["lines"][0]["quantity"] = json!("0");
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/lines/0/quantity",
            ),
            (
                {
                    let mut b = good.clone();
                    b["lines"][0]["quantity"] = json!("1.5");
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/lines/0/quantity",
            ),
            (
                {
                    let mut b = good.clone();
                    b["lines"][0]["product_id"] = json!(uuid::Uuid::now_v7().to_string());
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/lines/0/product_id",
            ),
            (
                {
                    let mut b = good.clone();
                    b["lines"][0]["unit_price_minor"] = json!(1);
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/lines/0/unit_price_minor",
            ),
            (
                {
                    let mut b = good.clone();
                    b["tenders"][0]["amount_minor"] = json!(1);
                    b["tenders"][0]["tendered_minor"] = json!(1);
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/tenders",
            ),
            (
                {
                    let mut b = good.clone();
                    b["tenders"][0]["code"] = json!("CARD");
                    b["tenders"][0]["tendered_minor"] = Value::Null;
                    b["tenders"][0]["card_last4"] = json!("4111111111111111");
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/tenders/0/card_last4",
            ),
            (
                {
                    let mut b = good.clone();
                    b["tenders"][0]["code"] = json!("BITCOIN");
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/tenders/0/code",
            ),
            (
                {
                    let mut b = good.clone();
                    b["offline"] = json!(true);
                    b["tenders"][0]["code"] = json!("VOUCHER");
                    b["tenders"][0]["tendered_minor"] = Value::Null;
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/tenders/0/code",
            ),
            (
                {
                    let mut b = good.clone();
                    b["register_id"] = json!(uuid::Uuid::now_v7().to_string());
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/register_id",
            ),
            (
                {
                    let mut b = good.clone();
                    b["shift_id"] = json!(uuid::Uuid::now_v7().to_string());
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/shift_id",
            ),
            (
                {
                    let mut b = good.clone();
                    b["lines"][0]["discount"] = json!({"percent": "30"});
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/lines/0/discount",
            ),
            (
                {
                    let mut b = good.clone();
                    b["id"] = json!("not-a-uuid");
                    b
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "/id",
            ),
        ];
        for (body, status, field) in cases {
            let r = app.post(&t.token, "/api/v1/sales", body.clone()).await;
            assert_eq!(r.status, status, "{field}: {}", r.body);
            let fields: Vec<&str> = r.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(fields.contains(&field), "{field} in {}", r.body);
            assert!(
                !r.body.to_string().contains("4111111111111111"),
                "a card number is never echoed"
            );
        }
        // A register of another store (outside the cashier's scope) is unknown.
        let bj = app.store_id("BJ001").await;
        let admin = app.admin().await;
        let bj_register = app
            .get(&admin, &format!("/api/v1/stores/{bj}/registers"))
            .await
            .body["data"][0]["id"]
            .clone();
        let mut b = good.clone();
        b["register_id"] = bj_register;
        let r = app.post(&t.token, "/api/v1/sales", b).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "/register_id");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM sales").await,
            0,
            "nothing written"
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM stock_movements").await, 0);
        // A closed shift refuses online sales.
        let close = app
            .post(
                &t.token,
                &format!("/api/v1/shifts/{}/close", t.shift),
                json!({"counted": [{"code": "CASH", "counted_minor": 20000}]}),
            )
            .await;
        assert_eq!(close.status, StatusCode::OK, "{}", close.body);
        let r = app.post(&t.token, "/api/v1/sales", good.clone()).await;
        assert_eq!(r.body["errors"][0]["code"], "shift_closed");
        // …but an offline sale made before the close is accepted and flagged.
        let mut late = good.clone();
        late["offline"] = json!(true);
        let r = app.post(&t.token, "/api/v1/sales", late).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(
            r.body["flags"]
                .as_array()
                .unwrap()
                .contains(&json!("late_shift"))
        );
    }
}

#[tokio::test]
async fn discounts_beyond_the_limit_need_a_manager() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let (p0, price0) = t.packaged[0].clone();
        let disc = price0 * 20 / 100;
        let total = 2 * price0 - (2 * price0 * 20 + 50) / 100;
        let mut body = json!({
            "id": uuid::Uuid::now_v7().to_string(),
            "register_id": t.register, "shift_id": t.shift,
            "lines": [{"product_id": p0, "quantity": "2", "unit_price_minor": price0, "discount": {"percent": "20"}}],
            "tenders": [{"code": "CARD", "amount_minor": total}],
        });
        let _ = disc;
        let r = app.post(&t.token, "/api/v1/sales", body.clone()).await;
        assert_eq!(
            r.body["errors"][0]["code"], "approval_required",
            "{}",
            r.body
        );
        let approval = app
            .post(&t.token, "/api/v1/approvals", json!({"action": "discount", "store_id": t.store, "username": "manager.sh001", "password": crate::support::DEMO_PASSWORD}))
            .await;
        assert_eq!(approval.status, StatusCode::CREATED, "{}", approval.body);
        body["approval_token"] = approval.body["token"].clone();
        let r = app.post(&t.token, "/api/v1/sales", body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["discount_minor"], 2 * price0 - total);
        // The approval is used up.
        body["id"] = json!(uuid::Uuid::now_v7().to_string());
        let r = app.post(&t.token, "/api/v1/sales", body).await;
        assert_eq!(
            r.body["errors"][0]["code"], "invalid_approval",
            "{}",
            r.body
        );
        let audited = count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sale.created'",
        )
        .await;
        assert_eq!(audited, 1, "the approved discount is in the audit trail");
    }
}

#[tokio::test]
async fn returns_take_back_at_most_what_was_sold() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let sale = app
            .post(
                &t.token,
                "/api/v1/sales",
                t.cash_sale(&[(0, 3000), (1, 1000)]),
            )
            .await;
        assert_eq!(sale.status, StatusCode::CREATED);
        let sale_id = sale.body["id"].as_str().unwrap().to_string();
        let (p0, _) = t.packaged[0].clone();
        let ret = |lines: Value| {
            json!({
                "id": uuid::Uuid::now_v7().to_string(), "register_id": t.register, "shift_id": t.shift,
                "original_sale_id": sale_id, "lines": lines,
            })
        };
        let first = app
            .post(
                &t.token,
                "/api/v1/returns",
                ret(json!([{"line_no": 1, "quantity": "1", "reason": "damaged"}])),
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.body["kind"], "return");
        assert!(first.body["total_minor"].as_i64().unwrap() < 0);
        assert_eq!(on_hand(&app, &t.store, &p0).await, -2000, "restocked");
        let over = app
            .post(
                &t.token,
                "/api/v1/returns",
                ret(json!([{"line_no": 1, "quantity": "3"}])),
            )
            .await;
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(over.body["errors"][0]["code"], "over_return");
        let rest = app
            .post(
                &t.token,
                "/api/v1/returns",
                ret(json!([{"line_no": 1, "quantity": "2", "restock": false}])),
            )
            .await;
        assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.body);
        assert_eq!(
            on_hand(&app, &t.store, &p0).await,
            -2000,
            "written off, not restocked"
        );
        let line_total = sale.body["lines"][0]["total_minor"].as_i64().unwrap();
        let refunded = -(first.body["lines"][0]["total_minor"].as_i64().unwrap()
            + rest.body["lines"][0]["total_minor"].as_i64().unwrap());
        assert_eq!(
            refunded, line_total,
            "the line refunds exactly what it cost"
        );
        let got = app.get(&t.token, &format!("/api/v1/sales/{sale_id}")).await;
        assert_eq!(got.body["lines"][0]["returned_quantity"], "3");
        // Without a receipt: only with approval.
        let blind = json!({"id": uuid::Uuid::now_v7().to_string(), "register_id": t.register, "shift_id": t.shift,
            "lines": [{"product_id": p0, "quantity": "1"}]});
        let r = app.post(&t.token, "/api/v1/returns", blind).await;
        assert_eq!(r.body["errors"][0]["code"], "approval_required");
        // Concurrent returns of the last unit of line 2: only one wins.
        let calls = (0..5).map(|_| {
            app.post(
                &t.token,
                "/api/v1/returns",
                ret(json!([{"line_no": 2, "quantity": "1"}])),
            )
        });
        let results = futures::future::join_all(calls).await;
        assert_eq!(
            results
                .iter()
                .filter(|r| r.status == StatusCode::CREATED)
                .count(),
            1
        );
        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    }
}

#[tokio::test]
async fn a_shift_closes_with_its_z_report() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let again = app
            .post(
                &t.token,
                "/api/v1/shifts",
                json!({"register_id": t.register, "opening_float_minor": 0}),
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::CONFLICT,
            "one open shift per register"
        );
        let sale = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)]))
            .await;
        let cash = sale.body["tenders"][0]["amount_minor"].as_i64().unwrap();
        let moved = app
            .post(
                &t.token,
                &format!("/api/v1/shifts/{}/cash-moves", t.shift),
                json!({"kind": "paid_out", "amount_minor": 500, "reason": "清洁用品"}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.body);
        let x = app
            .get(&t.token, &format!("/api/v1/shifts/{}/report", t.shift))
            .await;
        let expected = 20000 + cash - 500;
        let cash_total = x.body["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == "CASH")
            .unwrap()
            .clone();
        assert_eq!(cash_total["expected_minor"], expected);
        assert_eq!(x.body["z_number"], Value::Null);
        let closed = app
            .post(
                &t.token,
                &format!("/api/v1/shifts/{}/close", t.shift),
                json!({"counted": [{"code": "CASH", "counted_minor": expected - 30}]}),
            )
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        assert_eq!(closed.body["z_number"], 1);
        let cash_total = closed.body["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == "CASH")
            .unwrap()
            .clone();
        assert_eq!(cash_total["variance_minor"], -30);
        let z = app
            .http
            .get(format!(
                "{}/api/v1/shifts/{}/report?format=html",
                app.base, t.shift
            ))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            z.contains("Z 报表") && z.contains("#1"),
            "numbered Z report"
        );
        let twice = app
            .post(
                &t.token,
                &format!("/api/v1/shifts/{}/close", t.shift),
                json!({"counted": []}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The next shift's Z report is number 2.
        let next = app
            .post(
                &t.token,
                "/api/v1/shifts",
                json!({"register_id": t.register, "opening_float_minor": 0}),
            )
            .await;
        let id = next.body["id"].as_str().unwrap();
        let closed = app
            .post(
                &t.token,
                &format!("/api/v1/shifts/{id}/close"),
                json!({"counted": []}),
            )
            .await;
        assert_eq!(closed.body["z_number"], 2);
    }
}

#[tokio::test]
async fn the_stock_ledger_adds_up_after_random_sales_and_returns() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut expected = std::collections::HashMap::<String, i64>::new();
        let mut sales = Vec::new();
        for _ in 0..25 {
            if next(4) == 0 && !sales.is_empty() {
                let (id, lines): &(String, Vec<(usize, i64)>) =
                    &sales[next(sales.len() as u64) as usize];
                let line = next(lines.len() as u64) as usize;
                let r = app.post(&t.token, "/api/v1/returns", json!({"id": uuid::Uuid::now_v7().to_string(), "register_id": t.register, "shift_id": t.shift,
                    "original_sale_id": id, "lines": [{"line_no": line + 1, "quantity": "1"}]})).await;
                if r.status == StatusCode::CREATED {
                    *expected
                        .entry(t.packaged[lines[line].0].0.clone())
                        .or_default() += 1000;
                }
            } else {
                let n = 1 + next(3) as usize;
                let lines: Vec<(usize, i64)> =
                    (0..n).map(|i| (i, 1000 * (1 + next(3) as i64))).collect();
                let r = app
                    .post(&t.token, "/api/v1/sales", t.cash_sale(&lines))
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                for (i, q) in &lines {
                    *expected.entry(t.packaged[*i].0.clone()).or_default() -= q;
                }
                sales.push((r.body["id"].as_str().unwrap().to_string(), lines));
            }
        }
        for (product, q) in &expected {
            assert_eq!(on_hand(&app, &t.store, product).await, *q);
        }
        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        assert_eq!(report.broken_chains, 0);
        assert!(report.levels >= 1);
    }
}

/// The sale writer links each movement to the one before it at its level (SQLite's stock card
/// follows those links, migration 0024), also when one batch sells the same product several
/// times, a level has no movement yet, and a write-off return adds two movements to one level.
#[tokio::test]
async fn concurrent_sales_keep_every_levels_chain_of_movements() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let admin = app.admin().await;
        let level = |i: usize| {
            format!(
                "SELECT COUNT(*) FROM stock_movements WHERE location_id = '{}' AND product_id = '{}'",
                t.store, t.packaged[i].0
            )
        };
        let mut before = Vec::new();
        for i in 0..3 {
            before.push(count(&app, &level(i)).await);
        }
        // A sale before the batch, so that the batch links to a movement the level had.
        let first = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)]))
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let calls = (0..16).map(|i| {
            let lines: Vec<(usize, i64)> = if i % 2 == 0 {
                vec![(0, 1000), (1, 2000)]
            } else {
                vec![(1, 1000), (0, 1000), (2, 3000)]
            };
            app.post(&t.token, "/api/v1/sales", t.cash_sale(&lines))
        });
        let sold = futures::future::join_all(calls).await;
        for r in &sold {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let back = app
            .post(
                &t.token,
                "/api/v1/returns",
                json!({"id": uuid::Uuid::now_v7().to_string(), "register_id": t.register,
                    "shift_id": t.shift, "original_sale_id": sold[1].body["id"],
                    "lines": [{"line_no": 2, "quantity": "1", "restock": false}]}),
            )
            .await;
        assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);

        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        assert_eq!(report.broken_chains, 0, "{backend:?}: the levels' chains");
        // The stock card (on SQLite read along the chain) holds every movement of the level.
        for (i, added) in [(0, 1 + 16 + 2), (1, 16), (2, 8)] {
            let want = count(&app, &level(i)).await;
            assert_eq!(
                want,
                before[i] + added,
                "{backend:?}: product {i}'s movements"
            );
            let product = &t.packaged[i].0;
            let r = app
                .get(
                    &admin,
                    &format!(
                        "/api/v1/stock/movements?location_id={}&product_id={product}&limit=200",
                        t.store
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(
                r.body["data"].as_array().unwrap().len() as i64,
                want,
                "{backend:?}: product {i}'s card"
            );
            assert!(r.body["next_cursor"].is_null(), "one page");
        }
    }
}

#[tokio::test]
async fn the_last_unit_is_sold_once_where_stock_may_not_go_negative() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let admin = app.admin().await;
        let mut store = app
            .get(&admin, &format!("/api/v1/stores/{}", t.store))
            .await
            .body;
        store["negative_stock_policy"] = json!("refuse");
        for k in ["id", "max_discount_percent"] {
            if k == "id" {
                store.as_object_mut().unwrap().remove(k);
            }
        }
        let r = app
            .put(&admin, &format!("/api/v1/stores/{}", t.store), store)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // One unit on hand (an opening movement, as the inventory module will write).
        let (p0, _) = t.packaged[0].clone();
        let company: String = sqlx::query("SELECT company_id FROM stores WHERE id = $1")
            .bind(&t.store)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        let now = salepoint_store::clock::now();
        sqlx::query("INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at) VALUES ($1, $2, $3, 1000, $4)")
            .bind(&t.store).bind(&p0).bind(&company).bind(&now).execute(&app.db.pool).await.unwrap();
        sqlx::query("INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, ref_type, ref_id, at) VALUES ($1, $2, $3, $4, 'adjustment', 1000, 'test', 'opening', $5)")
            .bind(uuid::Uuid::now_v7().to_string()).bind(&company).bind(&t.store).bind(&p0).bind(&now).execute(&app.db.pool).await.unwrap();
        let calls = (0..10).map(|_| app.post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)])));
        let results = futures::future::join_all(calls).await;
        let sold = results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        let refused: Vec<_> = results
            .iter()
            .filter(|r| r.status == StatusCode::CONFLICT)
            .collect();
        assert_eq!((sold, refused.len()), (1, 9));
        assert_eq!(refused[0].body["errors"][0]["code"], "insufficient_stock");
        assert_eq!(on_hand(&app, &t.store, &p0).await, 0);
        // Offline, the register has already sold it: accepted and flagged.
        let mut offline = t.cash_sale(&[(0, 1000)]);
        offline["offline"] = json!(true);
        let r = app.post(&t.token, "/api/v1/sales", offline).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(
            r.body["flags"]
                .as_array()
                .unwrap()
                .contains(&json!("negative_stock"))
        );
        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        let flagged = app.get(&t.token, "/api/v1/sales?flagged=true").await;
        assert_eq!(flagged.body["data"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn live_events_stream_sales_of_stores_in_scope() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let bj = app.demo_user("manager.bj001").await;
        let sh = app.demo_user("manager.sh001").await;
        let open = |token: &str| {
            app.http
                .get(format!("{}/api/v1/events", app.base))
                .bearer_auth(token)
                .send()
        };
        let mut sh_stream = open(&sh).await.unwrap();
        let mut bj_stream = open(&bj).await.unwrap();
        assert!(
            sh_stream.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let sale = app
            .post(&t.token, "/api/v1/sales", t.cash_sale(&[(0, 1000)]))
            .await;
        let receipt = sale.body["receipt_no"].as_str().unwrap().to_string();
        let mut seen = String::new();
        while !seen.contains(&receipt) {
            let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), sh_stream.chunk())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("event: sale.completed"));
        // BJ001's manager gets nothing of SH001 (at most keep-alives).
        let quiet =
            tokio::time::timeout(std::time::Duration::from_millis(1500), bj_stream.chunk()).await;
        if let Ok(Ok(Some(c))) = quiet {
            assert!(!String::from_utf8_lossy(&c).contains(&receipt));
        }
    }
}

/// A batch that fails as a whole (here a trigger refuses one product's lines, as a full disk or
/// a lost connection would refuse a commit) while the writer prices the next batch: each sale
/// with that product is answered with an error and nothing of it is written (no sale, line,
/// movement, event or receipt number), and every other sale is written, in a gap-free receipt
/// sequence.
#[tokio::test]
async fn a_failing_batch_fails_only_its_bad_sales_and_writes_nothing_of_them() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let poison = t.packaged[4].0.clone();
        let ddl: Vec<String> = match app.db.backend {
            salepoint_store::db::Backend::Sqlite => vec![format!(
                "CREATE TRIGGER poison_lines BEFORE INSERT ON sale_lines WHEN NEW.product_id = '{poison}' \
                 BEGIN SELECT RAISE(ABORT, 'poisoned product'); END"
            )],
            salepoint_store::db::Backend::Postgres => vec![
                format!(
                    "CREATE FUNCTION poison_lines() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                     IF NEW.product_id = '{poison}' THEN RAISE EXCEPTION 'poisoned product'; END IF; \
                     RETURN NEW; END $$"
                ),
                "CREATE TRIGGER poison_lines BEFORE INSERT ON sale_lines FOR EACH ROW \
                 EXECUTE FUNCTION poison_lines()"
                    .into(),
            ],
        };
        for sql in &ddl {
            sqlx::query(sql).execute(&app.db.pool).await.unwrap();
        }
        let bodies: Vec<(bool, Value)> = (0..40)
            .map(|i| match i % 4 {
                0 => (true, t.cash_sale(&[(0, 1000), (4, 1000)])),
                n => (false, t.cash_sale(&[(n, 1000)])),
            })
            .collect();
        let calls = bodies
            .iter()
            .map(|(_, b)| app.post(&t.token, "/api/v1/sales", b.clone()));
        let results = futures::future::join_all(calls).await;
        for ((poisoned, _), r) in bodies.iter().zip(&results) {
            if *poisoned {
                assert!(r.status.is_server_error(), "{} {}", r.status, r.body);
            } else {
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            }
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 30);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sale_lines").await, 30);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sale_tenders").await, 30);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM stock_movements").await,
            30
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM outbox_events WHERE kind = 'sale.completed'"
            )
            .await,
            30
        );
        for (poisoned, body) in &bodies {
            let r = app
                .get(
                    &t.token,
                    &format!("/api/v1/sales/{}", body["id"].as_str().unwrap()),
                )
                .await;
            let want = if *poisoned {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            assert_eq!(r.status, want);
        }
        assert_eq!(on_hand(&app, &t.store, &t.packaged[0].0).await, 0);
        assert_eq!(on_hand(&app, &t.store, &poison).await, 0);
        let seqs: Vec<i64> = sqlx::query("SELECT receipt_seq FROM sales ORDER BY receipt_seq")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<i64, _>(0).unwrap())
            .collect();
        assert_eq!(seqs, (1..=30).collect::<Vec<i64>>(), "gap-free receipts");
        let report = salepoint_store::inventory::ledger::verify(&app.db)
            .await
            .unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        // The writer goes on: without the trigger the same sale is written, numbered next.
        let drop = match app.db.backend {
            salepoint_store::db::Backend::Sqlite => "DROP TRIGGER poison_lines",
            salepoint_store::db::Backend::Postgres => "DROP TRIGGER poison_lines ON sale_lines",
        };
        sqlx::query(drop).execute(&app.db.pool).await.unwrap();
        let r = app
            .post(&t.token, "/api/v1/sales", bodies[0].1.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(r.body["receipt_no"].as_str().unwrap().ends_with("-0031"));
    }
}

/// Sales sent while their shift closes (the writer prices a batch before its transaction):
/// each is either written and counted in the Z report, or refused with `shift_closed` —
/// never written into the shift after its report.
#[tokio::test]
async fn sales_racing_their_shift_close_are_counted_or_refused() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let sales = futures::future::join_all(
            (0..30).map(|i| app.post(&t.token, "/api/v1/sales", t.cash_sale(&[(i % 4, 1000)]))),
        );
        let close = async {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            app.post(
                &t.token,
                &format!("/api/v1/shifts/{}/close", t.shift),
                json!({"counted": [{"code": "CASH", "counted_minor": 0}]}),
            )
            .await
        };
        let (results, closed) = tokio::join!(sales, close);
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        let created = results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count() as i64;
        for r in results.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert_eq!(r.body["errors"][0]["code"], "shift_closed", "{}", r.body);
        }
        assert_eq!(closed.body["sales_count"].as_i64(), Some(created));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, created);
        let report = app
            .get(&t.token, &format!("/api/v1/shifts/{}", t.shift))
            .await;
        assert_eq!(report.body["sales_count"].as_i64(), Some(created));
    }
}
