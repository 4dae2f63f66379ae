//! Customers: profiles with bad input, masking by role, reveal audited, store scope, the
//! chain-wide register lookup, tiers and the programme, the 360 view, duplicates and merge,
//! import and export, PIPL export and erasure — on every backend.

use crate::register::{Till, count, till};
use crate::support::{TestApp, backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post(token, "/api/v1/customers", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn customers(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM customers").await
}

async fn exec(app: &TestApp, sql: &str, args: &[&str]) {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(a.to_string());
    }
    q.execute(&app.db.pool).await.unwrap();
}

/// Gives a customer stored value and points the way the ledgers would: a ledger row each and
/// the running balance, plus a points lot.
async fn fund(app: &TestApp, customer: &str, stored_minor: i64, points: i64) {
    let company: String = sqlx::query_scalar("SELECT company_id FROM customers WHERE id = $1")
        .bind(customer)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let now = "2025-01-01T00:00:00.000000Z";
    if stored_minor != 0 {
        sqlx::query(
            "INSERT INTO stored_value_ledger (id, company_id, customer_id, kind, amount_minor, tender_code, ref_type, ref_id, at) \
             VALUES ($1, $2, $3, 'adjust', $4, NULL, 'test', 'test', $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&company)
        .bind(customer)
        .bind(stored_minor)
        .bind(now)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    if points != 0 {
        let ledger = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO points_ledger (id, company_id, customer_id, kind, points, expires_at, ref_type, ref_id, at) \
             VALUES ($1, $2, $3, 'adjust', $4, '2099-12-31T23:59:59.000000Z', 'test', 'test', $5)",
        )
        .bind(&ledger)
        .bind(&company)
        .bind(customer)
        .bind(points)
        .bind(now)
        .execute(&app.db.pool)
        .await
        .unwrap();
        if points > 0 {
            sqlx::query("INSERT INTO points_lots (ledger_id, customer_id, expires_at, remaining) VALUES ($1, $2, '2099-12-31T23:59:59.000000Z', $3)")
                .bind(&ledger)
                .bind(customer)
                .bind(points)
                .execute(&app.db.pool)
                .await
                .unwrap();
        }
    }
    sqlx::query(
        "UPDATE customers SET stored_value_minor = stored_value_minor + $1, points_balance = points_balance + $2 WHERE id = $3",
    )
    .bind(stored_minor)
    .bind(points)
    .bind(customer)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// A sale made for `customer`: a real cash sale through the API, copied with SQL onto the
/// customer (sales are immutable; this keeps the test independent of the sale writer's
/// member support).
async fn sale_for(app: &TestApp, t: &Till, customer: &str) -> (String, i64) {
    let r = app
        .post(
            &t.token,
            "/api/v1/sales",
            t.cash_sale(&[(0, 2000), (1, 1000)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let src = r.body["id"].as_str().unwrap().to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let suffix = format!("-C{}", &id[id.len() - 6..]);
    sqlx::query(
        "INSERT INTO sales (id, company_id, store_id, register_id, shift_id, cashier_id, kind, original_sale_id, \
         business_day, receipt_seq, receipt_no, currency, customer_tier, subtotal_minor, discount_minor, tax_minor, \
         total_minor, rounding_minor, paid_minor, change_minor, offline, flags, approval_id, request_hash, idem_key, \
         client_created_at, created_at, customer_id) \
         SELECT $1, company_id, store_id, register_id, shift_id, cashier_id, kind, original_sale_id, business_day, \
         receipt_seq + 1000000 + (SELECT COUNT(*) FROM sales), receipt_no || $2, currency, customer_tier, subtotal_minor, \
         discount_minor, tax_minor, total_minor, rounding_minor, paid_minor, change_minor, offline, flags, approval_id, \
         request_hash, NULL, client_created_at, created_at, $3 FROM sales WHERE id = $4",
    )
    .bind(&id)
    .bind(&suffix)
    .bind(customer)
    .bind(&src)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sale_lines (sale_id, line_no, store_id, product_id, sku, name, quantity_milli, unit_price_minor, \
         gross_minor, line_discount_minor, order_discount_minor, net_minor, tax_rate, tax_minor, total_minor, \
         original_line_no, restock, reason) SELECT $1, line_no, store_id, product_id, sku, name, quantity_milli, \
         unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, net_minor, tax_rate, tax_minor, \
         total_minor, original_line_no, restock, reason FROM sale_lines WHERE sale_id = $2",
    )
    .bind(&id)
    .bind(&src)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT total_minor FROM sales WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (id, total)
}

#[tokio::test]
async fn profiles_are_validated_masked_and_scoped() {
    for backend in backends() {
        let app = spawn(backend).await;
        let manager = app.demo_user("manager.sh001").await;
        let cashier = app.demo_user("cashier.sh001").await;
        let bj = app.demo_user("manager.bj001").await;
        let auditor = app.demo_user("auditor").await;
        let admin = app.admin().await;
        let sh001 = app.store_id("SH001").await;

        let c = create(
            &app,
            &manager,
            json!({"name": "王芳", "phone": "138 1234 5678", "birthday": "1990-05-01",
                   "gender": "female", "tags": ["VIP", "VIP", "烘焙"], "marketing_consent": true,
                   "consent_source": "register", "email": "wangfang@example.com"}),
        )
        .await;
        let id = c["id"].as_str().unwrap().to_string();
        // The manager (customers.contact) sees the one customer in full; the home store is
        // the manager's only store; a member number was generated; consent time was set.
        assert_eq!(c["phone"], "+8613812345678");
        assert_eq!(c["phone_masked"], false);
        assert_eq!(c["home_store_id"], sh001.as_str());
        let no = c["member_no"].as_str().unwrap();
        assert!(
            no.len() == 9 && no.starts_with('M') && no[1..].chars().all(|d| d.is_ascii_digit()),
            "{no}"
        );
        assert_eq!(c["tags"], json!(["VIP", "烘焙"]));
        assert!(c["consent_at"].is_string());
        assert_eq!(c["status"], "active");
        assert_eq!(c["version"], 1);

        // A replayed create (same Idempotency-Key) answers the same customer once.
        let body = json!({"name": "周杰", "phone": "13600001111"});
        let key = [("Idempotency-Key", "cust-create-1")];
        let first = app
            .call_with(
                Method::POST,
                "/api/v1/customers",
                Some(&cashier),
                Some(body.clone()),
                &key,
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.body["phone"], "136****1111");
        let again = app
            .call_with(
                Method::POST,
                "/api/v1/customers",
                Some(&cashier),
                Some(body),
                &key,
            )
            .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.body["id"], first.body["id"]);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM customers WHERE phone = '+8613600001111'"
            )
            .await,
            1
        );

        // Bad input: each refused at its field, nothing written.
        let before = customers(&app).await;
        for (body, status, field) in [
            (json!({"name": "李雷", "phone": "12345"}), 422, "/phone"),
            (
                json!({"name": "李雷", "phone": "+86 138 1234 567"}),
                422,
                "/phone",
            ),
            (json!({"name": "李雷", "email": "li@"}), 422, "/email"),
            (json!({"name": "", "phone": "13900000000"}), 422, "/name"),
            (
                json!({"name": "李雷", "birthday": "1990-02-30"}),
                422,
                "/birthday",
            ),
            (
                json!({"kind": "business", "name": "采购部"}),
                422,
                "/company_name",
            ),
            (
                json!({"kind": "business", "name": "张经理", "company_name": "某某贸易有限公司", "tax_id": "91350100M000100Y44"}),
                422,
                "/tax_id",
            ),
            (
                json!({"name": "李雷", "home_store_id": app.store_id("BJ001").await}),
                422,
                "/home_store_id",
            ),
            (
                json!({"name": "李雷", "tier_code": "NOPE"}),
                422,
                "/tier_code",
            ),
            // The same number typed differently is the same phone.
            (
                json!({"name": "王芳二号", "phone": "+86 138-1234-5678"}),
                409,
                "/phone",
            ),
            (
                json!({"name": "王芳三号", "member_no": no}),
                409,
                "/member_no",
            ),
        ] {
            let r = app.post(&manager, "/api/v1/customers", body.clone()).await;
            assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
            assert!(
                r.body["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field),
                "{body}: {}",
                r.body
            );
        }
        assert_eq!(customers(&app).await, before);
        // A business with a valid code is fine; the code is stored upper case.
        let b = create(
            &app,
            &manager,
            json!({"kind": "business", "name": "张经理", "company_name": "某某贸易有限公司",
                   "tax_id": "91350100m000100y43", "credit_limit_minor": 5000000, "payment_terms_days": 30}),
        )
        .await;
        assert_eq!(b["tax_id"], "91350100M000100Y43");

        // The cashier (no customers.contact) sees masked contact details everywhere.
        let r = app.get(&cashier, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["phone"], "138****5678");
        assert_eq!(r.body["email"], "w***@example.com");
        assert_eq!(r.body["phone_masked"], true);
        let r = app.get(&cashier, "/api/v1/customers?q=wf").await;
        assert_eq!(r.body["data"][0]["id"], id.as_str(), "{}", r.body);
        assert_eq!(r.body["data"][0]["phone"], "138****5678");
        let r = app
            .post(
                &cashier,
                &format!("/api/v1/customers/{id}/reveal"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The manager sees it masked in lists too, and reveals it: audited.
        for q in ["王芳", "wangfang", "5678", "13812345678", no] {
            let r = app.get(&manager, &format!("/api/v1/customers?q={q}")).await;
            let data = r.body["data"].as_array().unwrap();
            assert!(
                data.iter().any(|c| c["id"] == id.as_str()),
                "q={q}: {}",
                r.body
            );
            assert!(data.iter().all(|c| c["phone_masked"] == true));
        }
        let audits = || {
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.contact_revealed'",
            )
        };
        assert_eq!(audits().await, 0);
        let r = app
            .post(
                &manager,
                &format!("/api/v1/customers/{id}/reveal"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["phone"], "+8613812345678");
        assert_eq!(r.body["email"], "wangfang@example.com");
        assert_eq!(audits().await, 1);

        // Scope: Beijing's manager does not see a Shanghai customer at all.
        for (m, path) in [
            (Method::GET, format!("/api/v1/customers/{id}")),
            (Method::GET, format!("/api/v1/customers/{id}/overview")),
            (Method::GET, format!("/api/v1/customers/{id}/sales")),
            (Method::POST, format!("/api/v1/customers/{id}/reveal")),
        ] {
            let body = (m == Method::POST).then(|| json!({}));
            let r = app.call(m.clone(), &path, Some(&bj), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}");
        }
        let r = app
            .put(
                &bj,
                &format!("/api/v1/customers/{id}"),
                json!({"name": "改名", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.get(&bj, "/api/v1/customers?limit=200").await;
        assert!(
            !r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id.as_str())
        );
        for t in [&admin, &auditor] {
            let r = app.get(t, &format!("/api/v1/customers/{id}")).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        assert_eq!(
            app.get(&auditor, &format!("/api/v1/customers/{id}"))
                .await
                .body["phone"],
            "138****5678"
        );

        // Update by the cashier with the masked phone sent back: the phone stays.
        let r = app
            .put(
                &cashier,
                &format!("/api/v1/customers/{id}"),
                json!({"name": "王芳", "phone": "138****5678", "email": "w***@example.com",
                       "birthday": "1990-05-01", "tags": ["VIP"], "marketing_consent": true,
                       "home_store_id": sh001, "notes": "喜欢全麦面包", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["phone"], "138****5678");
        let r = app
            .post(
                &manager,
                &format!("/api/v1/customers/{id}/reveal"),
                json!({}),
            )
            .await;
        assert_eq!(r.body["phone"], "+8613812345678");
        assert_eq!(r.body["email"], "wangfang@example.com");
        // A stale version is a 409.
        let r = app
            .put(
                &manager,
                &format!("/api/v1/customers/{id}"),
                json!({"name": "王芳", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.code(), "version_conflict");

        // Tiers: admin defines them; a cashier cannot put a member above the entry tier.
        for (code, name, spend) in [("SILVER", "银卡", 0), ("GOLD", "金卡", 500000)] {
            let r = app
                .post(
                    &admin,
                    "/api/v1/member-tiers",
                    json!({"code": code, "name": name, "price_tier": "member", "min_spend_minor": spend,
                           "earn_per_unit": "1.5", "sort": spend / 1000}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let r = app
            .post(
                &admin,
                "/api/v1/member-tiers",
                json!({"code": "GOLD", "name": "x", "earn_per_unit": "1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .post(
                &admin,
                "/api/v1/member-tiers",
                json!({"code": "X", "name": "x", "earn_per_unit": "-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post(
                &cashier,
                "/api/v1/customers",
                json!({"name": "金卡朋友", "tier_code": "GOLD"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .post(
                &cashier,
                "/api/v1/customers",
                json!({"name": "银卡会员", "tier_code": "SILVER"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["tier_name"], "银卡");
        let tiers = app.get(&cashier, "/api/v1/member-tiers").await;
        assert_eq!(tiers.body["data"].as_array().unwrap().len(), 2);
        let r = app.get(&admin, "/api/v1/customers?tier=SILVER").await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
        let r = app.get(&admin, "/api/v1/customers?tag=VIP").await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
        let r = app.get(&admin, "/api/v1/customers?kind=business").await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
        // Cursor paging walks every customer once.
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = app
                .get(
                    &admin,
                    &format!("/api/v1/customers?limit=1&cursor={cursor}"),
                )
                .await;
            for c in r.body["data"].as_array().unwrap() {
                seen.push(c["id"].as_str().unwrap().to_string());
            }
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        assert_eq!(seen.len() as i64, customers(&app).await);

        // The programme: defaults until saved, then versioned.
        let r = app.get(&cashier, "/api/v1/loyalty-program").await;
        assert_eq!(r.body["redeem_points_per_unit"], 100);
        assert_eq!(r.body["version"], 0);
        let prog = json!({"redeem_points_per_unit": 200, "expiry_mode": "months", "expiry_months": 24,
            "tier_window_days": 365, "topup_bonus": [{"min_minor": 100000, "bonus_minor": 10000}], "version": 0});
        let r = app
            .put(&cashier, "/api/v1/loyalty-program", prog.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .put(&admin, "/api/v1/loyalty-program", prog.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 1);
        let r = app.put(&admin, "/api/v1/loyalty-program", prog).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let cat: String = sqlx::query_scalar("SELECT id FROM categories LIMIT 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let r = app
            .put(
                &admin,
                "/api/v1/points-rules",
                json!({"rules": [{"tier_code": null, "category_id": cat, "earn_per_unit": "0"},
                                 {"tier_code": "GOLD", "category_id": cat, "earn_per_unit": "2"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["rules"].as_array().unwrap().len(), 2);
        let r = app
            .put(
                &admin,
                "/api/v1/points-rules",
                json!({"rules": [{"tier_code": "NOPE", "category_id": cat, "earn_per_unit": "1"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "/rules/0/tier_code");
    }
}

#[tokio::test]
async fn lookup_is_chain_wide_and_values_points() {
    for backend in backends() {
        let app = spawn(backend).await;
        let manager = app.demo_user("manager.sh001").await;
        let admin = app.admin().await;
        let bj_cashier = app.demo_user("cashier.bj001").await;
        let c = create(
            &app,
            &manager,
            json!({"name": "陈静", "phone": "13900001234", "card_code": "CARD0001"}),
        )
        .await;
        let id = c["id"].as_str().unwrap().to_string();
        let no = c["member_no"].as_str().unwrap().to_string();
        fund(&app, &id, 5000, 1200).await;
        // A Beijing cashier cannot open the Shanghai profile, but finds the member at the till.
        assert_eq!(
            app.get(&bj_cashier, &format!("/api/v1/customers/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        for q in [
            "phone=139-0000-1234".to_string(),
            "phone=%2B8613900001234".into(),
            format!("member_no={no}"),
            "card=CARD0001".into(),
        ] {
            let r = app
                .get(&bj_cashier, &format!("/api/v1/customers/lookup?{q}"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            assert_eq!(r.body["id"], id.as_str());
            assert_eq!(r.body["phone"], "139****1234");
            assert_eq!(r.body["points_balance"], 1200);
            // No programme yet: 100 points per yuan.
            assert_eq!(r.body["points_value_minor"], 1200);
            assert_eq!(r.body["stored_value_minor"], 5000);
        }
        let r = app
            .get(&bj_cashier, "/api/v1/customers/lookup?phone=13900009999")
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.get(&bj_cashier, "/api/v1/customers/lookup").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .get(&bj_cashier, "/api/v1/customers/lookup?phone=12")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .put(
                &admin,
                "/api/v1/loyalty-program",
                json!({"redeem_points_per_unit": 200, "expiry_mode": "year_end", "expiry_months": 12,
                       "tier_window_days": 365, "topup_bonus": [], "version": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .get(&bj_cashier, "/api/v1/customers/lookup?card=CARD0001")
            .await;
        assert_eq!(r.body["points_value_minor"], 600);
        // A stock clerk has neither sales.create nor customers.read.
        let clerk = app.demo_user("stock.sh001").await;
        let r = app
            .get(&clerk, "/api/v1/customers/lookup?card=CARD0001")
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn overview_duplicates_and_merge() {
    for backend in backends() {
        let app = spawn(backend).await;
        let manager = app.demo_user("manager.sh001").await;
        let admin = app.admin().await;
        let a = create(
            &app,
            &manager,
            json!({"name": "刘 洋", "phone": "13700005678", "birthday": "1988-08-08", "tags": ["老客"]}),
        )
        .await;
        let b = create(
            &app,
            &manager,
            json!({"name": "刘洋", "phone": "18600005678", "email": "liuyang@example.com"}),
        )
        .await;
        let c = create(
            &app,
            &manager,
            json!({"name": "刘洋", "birthday": "1988-08-08"}),
        )
        .await;
        let (a_id, b_id, c_id) = (
            a["id"].as_str().unwrap().to_string(),
            b["id"].as_str().unwrap().to_string(),
            c["id"].as_str().unwrap().to_string(),
        );
        let r = app.get(&manager, "/api/v1/customers/duplicates").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let pairs: Vec<(String, String, String)> = r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["a"]["id"].as_str().unwrap().to_string(),
                    p["b"]["id"].as_str().unwrap().to_string(),
                    p["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            pairs.contains(&(a_id.clone(), b_id.clone(), "name_phone_last4".into())),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&(a_id.clone(), c_id.clone(), "name_birthday".into())),
            "{pairs:?}"
        );
        assert_eq!(r.body["data"][0]["a"]["phone_masked"], true);

        // Sales for A and for B; a task for A.
        let t = till(&app, "cashier.sh001", "SH001").await;
        let (_, a_total) = sale_for(&app, &t, &a_id).await;
        let (_, b_total) = sale_for(&app, &t, &b_id).await;
        let user = app.user_id("manager.sh001").await;
        let company: String = sqlx::query_scalar("SELECT company_id FROM customers WHERE id = $1")
            .bind(&a_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        exec(
            &app,
            "INSERT INTO customer_tasks (id, company_id, customer_id, assignee_id, title, due_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, '回访', '2030-01-01T00:00:00.000000Z', $4, '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z')",
            &[&uuid::Uuid::now_v7().to_string(), &company, &a_id, &user],
        )
        .await;
        fund(&app, &a_id, 3000, 500).await;
        fund(&app, &b_id, 1000, 100).await;

        let r = app
            .get(&manager, &format!("/api/v1/customers/{a_id}/overview"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let st = &r.body["stats"];
        assert_eq!(st["sales_count"], 1);
        assert_eq!(st["lifetime_value_minor"], a_total);
        assert_eq!(st["average_basket_minor"], a_total);
        assert!(st["first_visit_at"].is_string());
        assert_eq!(st["favourite_stores"][0]["visits"], 1);
        assert!(
            !st["favourite_categories"].as_array().unwrap().is_empty(),
            "{st}"
        );
        assert_eq!(r.body["recent_sales"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["points"][0]["points"], 500);
        assert_eq!(r.body["stored_value"][0]["amount_minor"], 3000);
        assert_eq!(r.body["tasks"][0]["title"], "回访");

        // Merge: only customers.admin; never into itself.
        let r = app
            .post(
                &manager,
                &format!("/api/v1/customers/{a_id}/merge"),
                json!({"into": b_id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{a_id}/merge"),
                json!({"into": a_id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "/into");
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{a_id}/merge"),
                json!({"into": b_id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["id"], b_id.as_str());
        assert_eq!(r.body["points_balance"], 600);
        assert_eq!(r.body["stored_value_minor"], 4000);
        assert_eq!(r.body["birthday"], "1988-08-08");
        assert_eq!(r.body["tags"], json!(["老客"]));
        let merged = app.get(&admin, &format!("/api/v1/customers/{a_id}")).await;
        assert_eq!(merged.body["status"], "merged");
        assert_eq!(merged.body["merged_into"], b_id.as_str());
        assert_eq!(merged.body["points_balance"], 0);
        assert_eq!(merged.body["stored_value_minor"], 0);
        // The ledgers say so, and still add up to the balances.
        for (table, col) in [
            ("points_ledger", "points"),
            ("stored_value_ledger", "amount_minor"),
        ] {
            assert_eq!(
                count(
                    &app,
                    &format!("SELECT COUNT(*) FROM {table} WHERE kind = 'merge'")
                )
                .await,
                2
            );
            for (cust, bal) in [(&a_id, "0"), (&b_id, "")] {
                let sum: i64 = sqlx::query_scalar(&format!(
                    "SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM {table} WHERE customer_id = $1"
                ))
                .bind(cust.as_str())
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
                if bal == "0" {
                    assert_eq!(sum, 0, "{table} of the merged customer");
                } else {
                    assert_eq!(sum, if table == "points_ledger" { 600 } else { 4000 });
                }
            }
        }
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM points_lots WHERE customer_id = '{b_id}'")
            )
            .await,
            2
        );
        // The survivor's view includes the merged customer's sales and tasks.
        let r = app
            .get(&manager, &format!("/api/v1/customers/{b_id}/overview"))
            .await;
        assert_eq!(r.body["stats"]["sales_count"], 2);
        assert_eq!(r.body["stats"]["lifetime_value_minor"], a_total + b_total);
        assert_eq!(r.body["tasks"].as_array().unwrap().len(), 1);
        let r = app
            .get(&manager, &format!("/api/v1/customers/{b_id}/sales?limit=1"))
            .await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
        let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
        let r2 = app
            .get(
                &manager,
                &format!("/api/v1/customers/{b_id}/sales?limit=1&cursor={cursor}"),
            )
            .await;
        assert_eq!(r2.body["data"].as_array().unwrap().len(), 1);
        assert_ne!(r.body["data"][0]["id"], r2.body["data"][0]["id"]);
        assert!(r2.body["next_cursor"].is_null());
        // At the register A's phone finds B.
        let r = app
            .get(&manager, "/api/v1/customers/lookup?phone=13700005678")
            .await;
        assert_eq!(r.body["id"], b_id.as_str());
        // A merged customer cannot be merged or edited again.
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{a_id}/merge"),
                json!({"into": c_id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{c_id}/merge"),
                json!({"into": a_id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.merged'"
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn import_export_privacy_and_erasure() {
    for backend in backends() {
        let app = spawn(backend).await;
        let manager = app.demo_user("manager.sh001").await;
        let cashier = app.demo_user("cashier.sh001").await;
        let admin = app.admin().await;
        let url = |q: &str| format!("{}/api/v1/customers/import?{q}", app.base);
        let send = |token: String, q: &'static str, body: Vec<u8>| {
            let req = app
                .http
                .post(url(q))
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(body);
            async move {
                let r = req.send().await.unwrap();
                let status = r.status();
                (status, r.json::<Value>().await.unwrap())
            }
        };
        let file = "姓名,手机号,生日,性别,标签,门店编码\n\
                    张三,13900001111,1985-02-03,男,VIP;老客,SH001\n\
                    李四,12345,,女,,SH001\n\
                    王五,13900002222,1992-13-01,,,SH001\n\
                    赵六,13900003333,,,,SH001\n"
            .as_bytes()
            .to_vec();
        let before = customers(&app).await;
        let (s, r) = send(manager.clone(), "dry_run=true", file.clone()).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["total_rows"], 4);
        assert_eq!(r["valid_rows"], 2);
        assert_eq!(r["created"], 2);
        assert_eq!(r["applied"], false);
        let errs = r["errors"].as_array().unwrap();
        assert!(
            errs.iter()
                .any(|e| e["row"] == 3 && e["column"] == "手机号" && e["value"] == "12345"),
            "{r}"
        );
        assert!(
            errs.iter().any(|e| e["row"] == 4 && e["column"] == "生日"),
            "{r}"
        );
        assert_eq!(customers(&app).await, before);
        // All or nothing without skip_invalid.
        let (_, r) = send(manager.clone(), "dry_run=false", file.clone()).await;
        assert_eq!(r["applied"], false);
        assert_eq!(customers(&app).await, before);
        let (_, r) = send(
            manager.clone(),
            "dry_run=false&skip_invalid=true",
            file.clone(),
        )
        .await;
        assert_eq!(r["applied"], true, "{r}");
        assert_eq!(r["created"], 2);
        assert_eq!(customers(&app).await, before + 2);
        // Again: nothing changes; a changed row updates the customer with that phone.
        let (_, r) = send(
            manager.clone(),
            "dry_run=false&skip_invalid=true",
            file.clone(),
        )
        .await;
        assert_eq!(
            (
                r["created"].as_i64(),
                r["updated"].as_i64(),
                r["unchanged"].as_i64()
            ),
            (Some(0), Some(0), Some(2)),
            "{r}"
        );
        let (_, r) = send(
            manager.clone(),
            "dry_run=false",
            "name,phone,notes\n张三,139-0000-1111,爱喝咖啡\n"
                .as_bytes()
                .to_vec(),
        )
        .await;
        assert_eq!(r["updated"], 1, "{r}");
        let zhang = app
            .get(&manager, "/api/v1/customers?q=13900001111")
            .await
            .body["data"][0]
            .clone();
        assert_eq!(zhang["notes"], "爱喝咖啡");
        assert_eq!(zhang["tags"], json!(["VIP", "老客"]));
        // A bad header is a file-level error.
        let (_, r) = send(manager.clone(), "dry_run=true", b"nom,tel\nx,y\n".to_vec()).await;
        assert_eq!(r["errors"][0]["row"], 1);

        // Export: masked for the cashier, full for the manager; both audited.
        let export = |token: String| {
            let req = app
                .http
                .get(format!("{}/api/v1/customers/export?format=csv", app.base))
                .bearer_auth(token);
            async move {
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap()
            }
        };
        let masked = export(cashier.clone()).await;
        assert!(masked.contains("139****1111"), "{masked}");
        assert!(!masked.contains("13900001111"));
        assert!(masked.starts_with("\u{feff}会员号,姓名,手机号"));
        let full = export(manager.clone()).await;
        assert!(full.contains("+8613900001111"));
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.exported'"
            )
            .await,
            2
        );
        // The masked export imports back unchanged, and so does an XLSX export.
        let (_, r) = send(manager.clone(), "dry_run=true", masked.into_bytes()).await;
        assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{r}");
        assert_eq!(r["updated"], 0, "{r}");
        assert_eq!(r["created"], 0, "{r}");
        let xlsx = app
            .http
            .get(format!(
                "{}/api/v1/customers/export?format=xlsx&lang=en",
                app.base
            ))
            .bearer_auth(&cashier)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        assert!(xlsx.starts_with(b"PK"));
        let (_, r) = send(manager.clone(), "dry_run=true", xlsx).await;
        assert_eq!(r["encoding"], "xlsx", "{r}");
        assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{r}");
        assert_eq!(r["unchanged"], 2, "{r}");

        // PIPL export: admin only, audited.
        let id = zhang["id"].as_str().unwrap().to_string();
        let t = till(&app, "cashier.sh001", "SH001").await;
        sale_for(&app, &t, &id).await;
        let r = app
            .get(&manager, &format!("/api/v1/customers/{id}/privacy-export"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .get(&admin, &format!("/api/v1/customers/{id}/privacy-export"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["profile"]["phone"], "+8613900001111");
        assert_eq!(r.body["sales"].as_array().unwrap().len(), 1);
        assert!(!r.body["sales"][0]["lines"].as_array().unwrap().is_empty());
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.privacy_exported'"
            )
            .await,
            1
        );

        // Erasure: refused while stored value is open, then anonymises.
        fund(&app, &id, 2500, 300).await;
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{id}/erase"),
                json!({"reason": "本人申请"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "open_balance");
        assert_eq!(
            app.get(&admin, &format!("/api/v1/customers/{id}"))
                .await
                .body["name"],
            "张三"
        );
        let r = app
            .post(
                &manager,
                &format!("/api/v1/customers/{id}/erase"),
                json!({"reason": "本人申请"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        fund(&app, &id, -2500, 0).await;
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{id}/erase"),
                json!({"reason": ""}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{id}/erase"),
                json!({"reason": "本人申请"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["name"], "已注销");
        assert_eq!(r.body["status"], "erased");
        assert!(r.body["phone"].is_null() && r.body["birthday"].is_null());
        assert_eq!(r.body["tags"], json!([]));
        assert_eq!(r.body["points_balance"], 0);
        // Sales stay; the person cannot be found any more.
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM sales WHERE customer_id = '{id}'")
            )
            .await,
            1
        );
        let r = app
            .get(&manager, "/api/v1/customers/lookup?phone=13900001111")
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.get(&manager, "/api/v1/customers?q=zhangsan").await;
        assert!(r.body["data"].as_array().unwrap().is_empty());
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.erased'"
            )
            .await,
            1
        );
    }
}
