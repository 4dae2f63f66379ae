//! The customer work of shop staff and marketing: follow-up tasks and their reminders,
//! suggestions, RFM segments with saved filters and exports, the membership report and the
//! tier review — on every backend. Customers and their sales are written with SQL (crafted
//! dates and amounts; sales need a real register and shift, opened through the API).

use crate::register::{Till, till};
use crate::support::{TestApp, backends, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use std::sync::atomic::{AtomicI64, Ordering};
use time::{Duration, OffsetDateTime};

fn at(days_ago: i64) -> String {
    salepoint_store::clock::format(OffsetDateTime::now_utc() - Duration::days(days_ago))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn company_of(app: &TestApp, store: &str) -> String {
    sqlx::query("SELECT company_id FROM stores WHERE id = $1")
        .bind(store)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get::<String, _>(0)
        .unwrap()
}

/// A customer written directly; returns its id.
async fn customer(
    app: &TestApp,
    store: &str,
    name: &str,
    phone: &str,
    birthday: Option<&str>,
    tier: Option<&str>,
) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let company = company_of(app, store).await;
    let now = salepoint_store::clock::now();
    sqlx::query(
        "INSERT INTO customers (id, company_id, kind, name, phone, birthday, tier_code, home_store_id, \
         member_no, created_at, updated_at) VALUES ($1, $2, 'person', $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(&company)
    .bind(name)
    .bind(phone)
    .bind(birthday)
    .bind(tier)
    .bind(store)
    .bind(format!("M{}", &phone[phone.len() - 8..]))
    .bind(&now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

static RECEIPT: AtomicI64 = AtomicI64::new(500_000);

/// A sale (or, with a negative total, a return) at the till's store, `days_ago` days ago.
async fn sale(app: &TestApp, t: &Till, customer: Option<&str>, total: i64, days_ago: i64) {
    let seq = RECEIPT.fetch_add(1, Ordering::SeqCst);
    let created = at(days_ago);
    let company = company_of(app, &t.store).await;
    let cashier: String = sqlx::query("SELECT cashier_id FROM shifts WHERE id = $1")
        .bind(&t.shift)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let kind = if total < 0 { "return" } else { "sale" };
    sqlx::query(
        "INSERT INTO sales (id, company_id, store_id, register_id, shift_id, cashier_id, kind, business_day, \
         receipt_seq, receipt_no, currency, subtotal_minor, discount_minor, tax_minor, total_minor, rounding_minor, \
         paid_minor, change_minor, request_hash, created_at, customer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'CNY', $11, 0, 0, $11, 0, $11, 0, 'test', $12, $13)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&company)
    .bind(&t.store)
    .bind(&t.register)
    .bind(&t.shift)
    .bind(&cashier)
    .bind(kind)
    .bind(&created[..10])
    .bind(seq)
    .bind(format!("T-{seq}"))
    .bind(total)
    .bind(&created)
    .bind(customer)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

fn ids(r: &Value) -> Vec<String> {
    r["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {r}"))
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn task_life_my_day_scope_and_reminders() {
    for backend in backends() {
        let app = spawn(backend).await;
        let sh001 = app.store_id("SH001").await;
        let bj001 = app.store_id("BJ001").await;
        let manager = app.demo_user("manager.sh001").await;
        let cashier = app.demo_user("cashier.sh001").await;
        let bj = app.demo_user("manager.bj001").await;
        let manager_id = app.user_id("manager.sh001").await;
        let c1 = customer(&app, &sh001, "王芳", "+8613812345678", None, None).await;
        let c2 = customer(&app, &bj001, "李雷", "+8613900001111", None, None).await;
        let now = OffsetDateTime::now_utc();

        // Due now (today) with a reminder already due; one overdue; one next week.
        let r = app
            .post(
                &manager,
                "/api/v1/customer-tasks",
                json!({"customer_id": c1, "title": "回访新品", "notes": "问问口红色号",
                       "due_at": rfc3339(now), "remind_at": rfc3339(now - Duration::minutes(1))}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["assignee_id"], manager_id.as_str());
        assert_eq!(r.body["status"], "open");
        assert_eq!(r.body["customer_name"], "王芳");
        assert_eq!(r.body["store_id"], sh001.as_str());
        assert_eq!(r.body["version"], 1);
        let today = r.body["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &manager,
                "/api/v1/customer-tasks",
                json!({"customer_id": c1, "title": "送赠品", "due_at": rfc3339(now - Duration::days(3))}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let overdue = r.body["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &manager,
                "/api/v1/customer-tasks",
                json!({"customer_id": c1, "title": "下周回访", "due_at": rfc3339(now + Duration::days(7)),
                       "remind_at": rfc3339(now + Duration::days(6))}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let later = r.body["id"].as_str().unwrap().to_string();
        // The cashier assigns one to the manager.
        let r = app
            .post(
                &cashier,
                "/api/v1/customer-tasks",
                json!({"customer_id": c1, "title": "取货提醒", "assignee_id": manager_id,
                       "due_at": rfc3339(now + Duration::days(2))}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            r.body["created_by"],
            app.user_id("cashier.sh001").await.as_str()
        );

        // Bad input.
        let r = app
            .post(
                &manager,
                "/api/v1/customer-tasks",
                json!({"customer_id": c1, "title": "", "due_at": "tomorrow"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"/title") && fields.contains(&"/due_at"),
            "{fields:?}"
        );

        // My day.
        let mine = app
            .get(&manager, "/api/v1/customer-tasks?assignee=me&due=today")
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        assert_eq!(ids(&mine.body), vec![today.clone()]);
        let late = app
            .get(&manager, "/api/v1/customer-tasks?assignee=me&due=overdue")
            .await;
        assert_eq!(ids(&late.body), vec![overdue.clone()]);
        let all_mine = app
            .get(&manager, "/api/v1/customer-tasks?assignee=me&status=open")
            .await;
        assert_eq!(all_mine.body["data"].as_array().unwrap().len(), 4);
        // Ordered by due time, paged with a cursor.
        let p1 = app
            .get(&manager, "/api/v1/customer-tasks?assignee=me&limit=2")
            .await;
        assert_eq!(ids(&p1.body), vec![overdue.clone(), today.clone()]);
        let cursor = p1.body["next_cursor"].as_str().unwrap();
        let p2 = app
            .get(
                &manager,
                &format!("/api/v1/customer-tasks?assignee=me&limit=2&cursor={cursor}"),
            )
            .await;
        assert_eq!(p2.body["data"].as_array().unwrap().len(), 2);
        assert_eq!(ids(&p2.body)[1], later);
        let theirs = app
            .get(&cashier, "/api/v1/customer-tasks?assignee=me")
            .await;
        assert!(ids(&theirs.body).is_empty());
        let by_customer = app
            .get(
                &cashier,
                &format!("/api/v1/customer-tasks?customer_id={c1}"),
            )
            .await;
        assert_eq!(by_customer.body["data"].as_array().unwrap().len(), 4);
        let bad = app.get(&manager, "/api/v1/customer-tasks?due=soon").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Another store's manager sees none of it.
        assert!(ids(&app.get(&bj, "/api/v1/customer-tasks").await.body).is_empty());
        let r = app
            .get(&bj, &format!("/api/v1/customer-tasks/{today}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .put(
                &bj,
                &format!("/api/v1/customer-tasks/{today}"),
                json!({"status": "done", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                &bj,
                "/api/v1/customer-tasks",
                json!({"customer_id": c1, "title": "x", "due_at": rfc3339(now)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "/customer_id");
        let r = app
            .post(
                &bj,
                "/api/v1/customer-tasks",
                json!({"customer_id": c2, "title": "x", "due_at": rfc3339(now)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        // The reminder: a live event for the assignee only, once.
        let open = |token: &str| {
            app.http
                .get(format!("{}/api/v1/events", app.base))
                .bearer_auth(token)
                .send()
        };
        let mut manager_stream = open(&manager).await.unwrap();
        let mut cashier_stream = open(&cashier).await.unwrap();
        let sent = salepoint_store::customers::tasks::send_reminders(&app.db)
            .await
            .unwrap();
        assert_eq!(sent, 1);
        let again = salepoint_store::customers::tasks::send_reminders(&app.db)
            .await
            .unwrap();
        assert_eq!(again, 0);
        let ev =
            sqlx::query("SELECT store_id, payload FROM outbox_events WHERE kind = 'task.reminder'")
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].try_get::<String, _>(0).unwrap(), sh001);
        let payload: Value = serde_json::from_str(&ev[0].try_get::<String, _>(1).unwrap()).unwrap();
        assert_eq!(payload["task_id"], today.as_str());
        assert_eq!(payload["assignee_id"], manager_id.as_str());
        assert_eq!(payload["customer_id"], c1.as_str());
        assert_eq!(payload["title"], "回访新品");
        let mut seen = String::new();
        while !seen.contains(&today) {
            let chunk =
                tokio::time::timeout(std::time::Duration::from_secs(10), manager_stream.chunk())
                    .await
                    .expect("the reminder within 10 s")
                    .unwrap()
                    .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("event: task.reminder"));
        let quiet = tokio::time::timeout(
            std::time::Duration::from_millis(1500),
            cashier_stream.chunk(),
        )
        .await;
        if let Ok(Ok(Some(c))) = quiet {
            assert!(!String::from_utf8_lossy(&c).contains("task.reminder"));
        }
        let t = app
            .get(&manager, &format!("/api/v1/customer-tasks/{today}"))
            .await;
        assert_eq!(t.body["reminded"], true);
        assert_eq!(t.body["version"], 1, "a reminder does not make edits stale");

        // Done, then a stale write.
        let r = app
            .put(
                &manager,
                &format!("/api/v1/customer-tasks/{today}"),
                json!({"status": "done", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "done");
        assert_eq!(r.body["version"], 2);
        assert!(r.body["done_at"].is_string());
        assert_eq!(r.body["title"], "回访新品");
        let r = app
            .put(
                &manager,
                &format!("/api/v1/customer-tasks/{today}"),
                json!({"status": "cancelled", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.code(), "version_conflict");
        let r = app
            .put(
                &manager,
                &format!("/api/v1/customer-tasks/{today}"),
                json!({"status": "finished", "version": 2}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .put(
                &manager,
                &format!("/api/v1/customer-tasks/{overdue}"),
                json!({"status": "cancelled", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["done_at"].is_null());
        let late = app
            .get(&manager, "/api/v1/customer-tasks?assignee=me&due=overdue")
            .await;
        assert!(ids(&late.body).is_empty());
        // The auditor reads but may not change.
        let auditor = app.demo_user("auditor").await;
        assert_eq!(
            app.get(&auditor, &format!("/api/v1/customer-tasks/{later}"))
                .await
                .status,
            StatusCode::OK
        );
        let r = app
            .put(
                &auditor,
                &format!("/api/v1/customer-tasks/{later}"),
                json!({"status": "done", "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn suggestions_birthdays_and_lapsed_members() {
    for backend in backends() {
        let app = spawn(backend).await;
        let sh001 = app.store_id("SH001").await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let manager = app.demo_user("manager.sh001").await;
        let cashier = app.demo_user("cashier.sh001").await;
        let in_two_days = (OffsetDateTime::now_utc() + Duration::days(2)).date();
        let birthday = format!(
            "1990-{:02}-{:02}",
            in_two_days.month() as u8,
            in_two_days.day()
        );
        let far = (OffsetDateTime::now_utc() + Duration::days(40)).date();
        let not_soon = format!("1985-{:02}-{:02}", far.month() as u8, far.day());
        let bday = customer(
            &app,
            &sh001,
            "生日会员",
            "+8613811112222",
            Some(&birthday),
            None,
        )
        .await;
        let _other = customer(
            &app,
            &sh001,
            "远期生日",
            "+8613811113333",
            Some(&not_soon),
            None,
        )
        .await;
        let lapsed = customer(&app, &sh001, "久未到店", "+8613811114444", None, None).await;
        let regular = customer(&app, &sh001, "常客", "+8613811115555", None, None).await;
        sale(&app, &t, Some(&lapsed), 5000, 120).await;
        sale(&app, &t, Some(&lapsed), 8000, 90).await;
        sale(&app, &t, Some(&regular), 3000, 100).await;
        sale(&app, &t, Some(&regular), 3000, 5).await;

        let r = app
            .get(&manager, "/api/v1/customer-tasks/suggestions?days=60")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let data = r.body["data"].as_array().unwrap();
        let of =
            |kind: &str| -> Vec<&Value> { data.iter().filter(|s| s["kind"] == kind).collect() };
        let b = of("birthday");
        assert_eq!(b.len(), 1, "{data:?}");
        assert_eq!(b[0]["customer_id"], bday.as_str());
        assert_eq!(b[0]["birthday"], birthday.as_str());
        // The manager may see numbers, the cashier sees them masked.
        assert_eq!(b[0]["phone"], "+8613811112222");
        let l = of("lapsed");
        assert_eq!(l.len(), 1, "{data:?}");
        assert_eq!(l[0]["customer_id"], lapsed.as_str());
        assert!(l[0]["last_visit_at"].as_str().unwrap() < at(89).as_str());
        let masked = app
            .get(&cashier, "/api/v1/customer-tasks/suggestions?days=60")
            .await;
        let first = &masked.body["data"][0];
        assert_eq!(first["phone"], "138****2222");
        // Not seen for 200 days: nobody.
        let r = app
            .get(&manager, "/api/v1/customer-tasks/suggestions?days=200")
            .await;
        assert!(
            r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["kind"] == "birthday")
        );
        let r = app
            .get(&manager, "/api/v1/customer-tasks/suggestions?days=0")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // A suggestion becomes a task; it is then no longer suggested.
        let s = b[0];
        let r = app
            .post(
                &manager,
                "/api/v1/customer-tasks",
                json!({"customer_id": s["customer_id"], "kind": "birthday", "title": s["title"],
                       "due_at": s["due_at"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["kind"], "birthday");
        let r = app
            .get(&manager, "/api/v1/customer-tasks/suggestions?days=60")
            .await;
        assert!(
            r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["kind"] != "birthday")
        );
        // Another store's manager gets no suggestions of SH001's members.
        let bj = app.demo_user("manager.bj001").await;
        let r = app
            .get(&bj, "/api/v1/customer-tasks/suggestions?days=60")
            .await;
        assert!(r.body["data"].as_array().unwrap().is_empty(), "{}", r.body);
    }
}

#[tokio::test]
async fn rfm_segments_saved_filters_and_exports() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let sh001 = app.store_id("SH001").await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        // Ten members from best (recent, frequent, big) to worst (one small purchase long ago).
        let mut members = Vec::new();
        for i in 0..10i64 {
            let id = customer(
                &app,
                &sh001,
                &format!("会员{i}"),
                &format!("+86138000000{i:02}"),
                None,
                Some("NORMAL"),
            )
            .await;
            let visits = 10 - i;
            for v in 0..visits {
                // The last visit: 2 days ago for the best … 400+ days ago for the worst.
                let days = 2 + i * 45 + v * 3;
                sale(&app, &t, Some(&id), 10_000 * (10 - i), days).await;
            }
            members.push(id);
        }
        let never = customer(&app, &sh001, "未消费", "+8613800000099", None, None).await;
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/segments/recompute",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["customers"], 10);
        assert!(r.body["took_ms"].is_i64());
        let seg = |id: String| {
            let app = &app;
            async move {
                sqlx::query(
                    "SELECT r.segment, r.recency, r.frequency, r.monetary, r.computed_at \
                     FROM customers c LEFT JOIN customer_rfm r ON r.customer_id = c.id WHERE c.id = $1",
                )
                .bind(id)
                .fetch_one(&app.db.pool)
                .await
                .unwrap()
            }
        };
        let best = seg(members[0].clone()).await;
        assert_eq!(
            best.try_get::<Option<String>, _>(0).unwrap().as_deref(),
            Some("champions")
        );
        assert_eq!(best.try_get::<Option<i64>, _>(1).unwrap(), Some(5));
        assert_eq!(best.try_get::<Option<i64>, _>(2).unwrap(), Some(5));
        assert_eq!(best.try_get::<Option<i64>, _>(3).unwrap(), Some(5));
        let worst = seg(members[9].clone()).await;
        assert_eq!(
            worst.try_get::<Option<String>, _>(0).unwrap().as_deref(),
            Some("lost")
        );
        assert_eq!(worst.try_get::<Option<i64>, _>(1).unwrap(), Some(1));
        let none = seg(never.clone()).await;
        assert_eq!(none.try_get::<Option<String>, _>(0).unwrap(), None);
        // Recomputing again changes nothing: unchanged scores are not rewritten.
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/segments/recompute",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.body["customers"], 10);
        let again = seg(members[0].clone()).await;
        assert_eq!(
            again.try_get::<Option<String>, _>(4).unwrap(),
            best.try_get::<Option<String>, _>(4).unwrap()
        );
        // The customer list filters by segment and shows it.
        let r = app
            .get(&admin, "/api/v1/customers?segment=champions&limit=100")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let listed = r.body["data"].as_array().unwrap();
        assert!(listed.iter().any(|c| c["id"] == members[0].as_str()));
        assert!(listed.iter().all(|c| c["segment"] == "champions"));
        assert!(!listed.iter().any(|c| c["id"] == members[9].as_str()));
        let r = app
            .get(&admin, &format!("/api/v1/customers/{}", members[9]))
            .await;
        assert_eq!(r.body["segment"], "lost", "{}", r.body);
        let manager = app.demo_user("manager.sh001").await;
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/segments/recompute",
                Some(&manager),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Saved segments.
        let r = app
            .post(
                &manager,
                "/api/v1/segments",
                json!({"name": "冠军会员", "filter": {"segment": "champions", "home_store_id": sh001}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let champions = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["filter"]["segment"], "champions");
        let r = app
            .post(
                &manager,
                "/api/v1/segments",
                json!({"name": "冠军会员", "filter": {}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .post(
                &manager,
                "/api/v1/segments",
                json!({"name": "bad", "filter": {"segment": "vip", "min_spend_minor": -1,
                       "last_visit_before": "soon"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            vec![
                "/filter/segment",
                "/filter/min_spend_minor",
                "/filter/last_visit_before"
            ]
        );
        let r = app
            .post(
                &manager,
                "/api/v1/segments",
                json!({"name": "流失大客户", "filter": {"min_spend_minor": 100_000,
                       "last_visit_before": at(200)[..10]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let lapsed_big = r.body["id"].as_str().unwrap().to_string();
        let list = app.get(&manager, "/api/v1/segments").await;
        assert_eq!(list.body["data"].as_array().unwrap().len(), 2);

        // Export: full numbers for the manager, masked for the cashier.
        let csv = app
            .get(
                &manager,
                &format!("/api/v1/segments/{champions}/export?lang=en"),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        let text = csv.body.as_str().unwrap().to_string();
        assert!(text.contains("member_no,name,phone"), "{text}");
        assert!(
            text.contains("会员0") && text.contains("+8613800000000"),
            "{text}"
        );
        assert!(!text.contains("会员9"));
        let cashier = app.demo_user("cashier.sh001").await;
        let csv = app
            .get(&cashier, &format!("/api/v1/segments/{champions}/export"))
            .await;
        let text = csv.body.as_str().unwrap().to_string();
        assert!(
            text.contains("会员号") && text.contains("138****0000"),
            "{text}"
        );
        assert!(!text.contains("+8613800000000"));
        // Big spenders not seen for 200 days: members 5…9 spent 50,000 × 5 … and so on; those
        // with at least 100,000 whose last visit is older than 200 days.
        let csv = app
            .get(
                &manager,
                &format!("/api/v1/segments/{lapsed_big}/export?lang=en"),
            )
            .await;
        let text = csv.body.as_str().unwrap().to_string();
        let names: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        // Member i: last visit 2 + 45 i days ago, spend 10,000 (10 − i)².
        let expected: Vec<String> = (0..10i64)
            .filter(|i| 2 + 45 * i > 200 && 10_000 * (10 - i) * (10 - i) >= 100_000)
            .map(|i| format!("会员{i}"))
            .collect();
        assert_eq!(names, expected);
        let xlsx = app
            .http
            .get(format!(
                "{}/api/v1/segments/{champions}/export?format=xlsx",
                app.base
            ))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        // Another store's manager exports none of SH001's members.
        let bj = app.demo_user("manager.bj001").await;
        let csv = app
            .get(&bj, &format!("/api/v1/segments/{champions}/export?lang=en"))
            .await;
        assert_eq!(csv.body.as_str().unwrap().lines().count(), 1);

        // Change and delete.
        let r = app
            .put(
                &manager,
                &format!("/api/v1/segments/{champions}"),
                json!({"name": "冠军", "filter": {"segment": "champions", "tags": ["VIP"]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["name"], "冠军");
        let csv = app
            .get(&manager, &format!("/api/v1/segments/{champions}/export"))
            .await;
        assert_eq!(
            csv.body.as_str().unwrap().lines().count(),
            1,
            "nobody has the tag"
        );
        let r = app
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/segments/{champions}"),
                Some(&manager),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.get(&manager, &format!("/api/v1/segments/{champions}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // A merged member loses their scores at once, and a recompute scores only the active.
        let r = app
            .post(
                &admin,
                &format!("/api/v1/customers/{}/merge", members[1]),
                json!({"into": members[2]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let merged = seg(members[1].clone()).await;
        assert_eq!(merged.try_get::<Option<String>, _>(0).unwrap(), None);
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/segments/recompute",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.body["customers"], 9, "{}", r.body);
        let merged = seg(members[1].clone()).await;
        assert_eq!(merged.try_get::<Option<String>, _>(0).unwrap(), None);
        let scored: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM customer_rfm r JOIN customers c ON c.id = r.customer_id \
             WHERE c.status = 'active'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(scored, 9);
    }
}

async fn add_tiers(app: &TestApp, store: &str) {
    let company = company_of(app, store).await;
    let now = salepoint_store::clock::now();
    for (code, name, min, sort) in [
        ("NORMAL", "普通会员", 0i64, 10i64),
        ("SILVER", "银卡", 100_000, 20),
        ("GOLD", "金卡", 500_000, 30),
    ] {
        sqlx::query(
            "INSERT INTO member_tiers (id, company_id, code, name, min_spend_minor, sort, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&company)
        .bind(code)
        .bind(name)
        .bind(min)
        .bind(sort)
        .bind(&now)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn membership_report_of_crafted_sales() {
    for backend in backends() {
        let app = spawn(backend).await;
        let sh001 = app.store_id("SH001").await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        add_tiers(&app, &sh001).await;
        let old = customer(
            &app,
            &sh001,
            "老会员",
            "+8613822220001",
            None,
            Some("SILVER"),
        )
        .await;
        let fresh = customer(&app, &sh001, "新会员", "+8613822220002", None, None).await;
        let idle = customer(
            &app,
            &sh001,
            "沉睡会员",
            "+8613822220003",
            None,
            Some("NORMAL"),
        )
        .await;
        sale(&app, &t, Some(&old), 20_000, 100).await;
        sale(&app, &t, Some(&old), 10_000, 5).await;
        sale(&app, &t, Some(&old), 12_000, 3).await;
        sale(&app, &t, Some(&fresh), 8_000, 2).await;
        sale(&app, &t, None, 1_000, 1).await;
        sale(&app, &t, Some(&idle), 3_000, 60).await;
        for (id, points, stored) in [(&old, 1200i64, 50_000i64), (&fresh, 300, 0), (&idle, 0, 0)] {
            sqlx::query(
                "UPDATE customers SET points_balance = $1, stored_value_minor = $2 WHERE id = $3",
            )
            .bind(points)
            .bind(stored)
            .bind(id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        }
        let manager = app.demo_user("manager.sh001").await;
        let from = &at(10)[..10];
        let path = format!("/api/v1/customer-reports?from={from}&store_id={sh001}");
        let r = app.get(&manager, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let b = &r.body;
        assert_eq!(b["new_customers"], 1, "{b}");
        assert_eq!(b["returning_customers"], 1, "{b}");
        assert_eq!(b["repeat_rate"], "0.5000", "{b}");
        assert_eq!(b["member_sales_share"], "0.7500", "{b}");
        assert_eq!(b["points_liability_points"], 1500);
        // 100 points per yuan (the default): 1,500 points are worth 15 yuan.
        assert_eq!(b["points_liability_minor"], 1500);
        assert_eq!(b["stored_value_liability_minor"], 50_000);
        let tiers: Vec<(Value, i64)> = b["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["tier_code"].clone(), t["customers"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            tiers,
            vec![
                (json!("NORMAL"), 1),
                (json!("SILVER"), 1),
                (json!("GOLD"), 0),
                (Value::Null, 1)
            ]
        );
        // At 50 points per yuan the same points are worth twice as much.
        let company = company_of(&app, &sh001).await;
        sqlx::query(
            "INSERT INTO loyalty_programs (company_id, redeem_points_per_unit, updated_at) VALUES ($1, 50, $2)",
        )
        .bind(&company)
        .bind(salepoint_store::clock::now())
        .execute(&app.db.pool)
        .await
        .unwrap();
        let r = app.get(&manager, &path).await;
        assert_eq!(r.body["points_liability_minor"], 3000);
        // A wider window: the idle member bought in it too (returning), the old one is new.
        let r = app
            .get(
                &manager,
                &format!("/api/v1/customer-reports?from={}", &at(200)[..10]),
            )
            .await;
        assert_eq!(r.body["new_customers"], 3, "{}", r.body);
        assert_eq!(r.body["returning_customers"], 0);
        // Another store's manager: not their store.
        let bj = app.demo_user("manager.bj001").await;
        assert_eq!(app.get(&bj, &path).await.status, StatusCode::NOT_FOUND);
        let r = app.get(&bj, "/api/v1/customer-reports").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["new_customers"], 0);
        assert_eq!(r.body["points_liability_points"], 0);
        let r = app
            .get(&manager, "/api/v1/customer-reports?from=2026-13-01")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn tier_review_upgrades_and_downgrades() {
    for backend in backends() {
        let app = spawn(backend).await;
        let sh001 = app.store_id("SH001").await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        add_tiers(&app, &sh001).await;
        let up = customer(&app, &sh001, "升级", "+8613833330001", None, Some("NORMAL")).await;
        let down = customer(&app, &sh001, "降级", "+8613833330002", None, Some("GOLD")).await;
        let same = customer(&app, &sh001, "不变", "+8613833330003", None, Some("SILVER")).await;
        let newbie = customer(&app, &sh001, "无等级", "+8613833330004", None, None).await;
        sale(&app, &t, Some(&up), 400_000, 25).await;
        sale(&app, &t, Some(&up), 200_000, 10).await;
        // Big spend long ago (outside the 365-day window), little lately, and a return.
        sale(&app, &t, Some(&down), 900_000, 400).await;
        sale(&app, &t, Some(&down), 150_000, 20).await;
        sale(&app, &t, Some(&down), -60_000, 19).await;
        sale(&app, &t, Some(&same), 200_000, 100).await;
        let manager = app.demo_user("manager.sh001").await;
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/member-tiers/review",
                Some(&manager),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let admin = app.admin().await;
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/member-tiers/review",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Up: NORMAL → GOLD, and the member without a tier gets the entry tier.
        assert_eq!(r.body["upgraded"], 2, "{}", r.body);
        assert_eq!(r.body["downgraded"], 1, "{}", r.body);
        assert_eq!(r.body["window_days"], 365);
        let tier = |id: String| {
            let app = &app;
            async move {
                let r = sqlx::query("SELECT tier_code, version FROM customers WHERE id = $1")
                    .bind(id)
                    .fetch_one(&app.db.pool)
                    .await
                    .unwrap();
                (
                    r.try_get::<Option<String>, _>(0).unwrap(),
                    r.try_get::<i64, _>(1).unwrap(),
                )
            }
        };
        assert_eq!(tier(up.clone()).await, (Some("GOLD".into()), 2));
        assert_eq!(tier(down.clone()).await, (Some("NORMAL".into()), 2));
        assert_eq!(tier(same.clone()).await, (Some("SILVER".into()), 1));
        assert_eq!(tier(newbie.clone()).await, (Some("NORMAL".into()), 2));
        // Again: nothing to do.
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/member-tiers/review",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(
            (r.body["upgraded"].clone(), r.body["downgraded"].clone()),
            (json!(0), json!(0))
        );
        // A 30-day window: the one who bought 100 days ago falls to the entry tier.
        let company = company_of(&app, &sh001).await;
        sqlx::query(
            "INSERT INTO loyalty_programs (company_id, tier_window_days, updated_at) VALUES ($1, 30, $2)",
        )
        .bind(&company)
        .bind(salepoint_store::clock::now())
        .execute(&app.db.pool)
        .await
        .unwrap();
        let r = app
            .call(
                reqwest::Method::POST,
                "/api/v1/member-tiers/review",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.body["downgraded"], 1, "{}", r.body);
        assert_eq!(tier(same).await.0.as_deref(), Some("NORMAL"));
        assert_eq!(tier(up).await.0.as_deref(), Some("GOLD"));
    }
}
