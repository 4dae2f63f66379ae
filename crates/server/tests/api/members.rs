//! Members at the register over real HTTP on every backend: member prices, points earned and
//! redeemed, stored value paid and topped up, returns that give back to the accounts and take
//! back earned points, refusals that write nothing, two registers racing for one balance, and
//! random sequences that keep balances equal to their ledgers and never below zero.

use crate::register::{Till, count, till};
use crate::support::{Backend, TestApp, backends, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

/// Creates the tier `GOLD` (member prices, 1 point per yuan) if missing and a member in it.
async fn member(app: &TestApp, phone: &str) -> String {
    let company: String = sqlx::query("SELECT id FROM companies LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let now = "2026-11-01T00:00:00.000000Z";
    sqlx::query(
        "INSERT INTO member_tiers (id, company_id, code, name, price_tier, min_spend_minor, earn_per_unit, earn_on_discounted, sort, created_at, updated_at) \
         SELECT $1, $2, 'GOLD', '金卡', 'member', 0, '1', 0, 10, $3, $3 WHERE NOT EXISTS (SELECT 1 FROM member_tiers WHERE code = 'GOLD')",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&company)
    .bind(now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO customers (id, company_id, kind, name, phone, member_no, tier_code, created_at, updated_at) \
         VALUES ($1, $2, 'person', '测试会员', $3, $4, 'GOLD', $5, $5)",
    )
    .bind(&id)
    .bind(&company)
    .bind(phone)
    .bind(format!("T{}", &phone[phone.len() - 8..]))
    .bind(now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

/// The member price of the till's product `i` (its tier price, else the price).
async fn member_price(app: &TestApp, t: &Till, i: usize) -> i64 {
    let snap = app
        .get(&t.token, &format!("/api/v1/stores/{}/catalog", t.store))
        .await;
    let id = &t.packaged[i].0;
    let p = snap.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    p["tier_prices"]["member"]
        .as_i64()
        .unwrap_or(p["price_minor"].as_i64().unwrap())
}

/// A member sale of `qty` of product `i` paid with `tenders` (the rest in card).
fn member_sale(
    t: &Till,
    customer: &str,
    i: usize,
    qty: i64,
    price: i64,
    tenders: Vec<Value>,
) -> Value {
    let total = price * qty;
    let paid: i64 = tenders
        .iter()
        .map(|x| x["amount_minor"].as_i64().unwrap())
        .sum();
    let mut all = tenders;
    if total > paid {
        all.push(json!({"code": "CARD", "amount_minor": total - paid, "reference": "T-9"}));
    }
    json!({
        "id": uuid::Uuid::now_v7().to_string(), "register_id": t.register, "shift_id": t.shift,
        "customer_id": customer,
        "lines": [{"product_id": t.packaged[i].0, "quantity": qty.to_string(), "unit_price_minor": price}],
        "tenders": all,
    })
}

async fn top_up(app: &TestApp, t: &Till, customer: &str, amount: i64, code: &str) -> Value {
    let r = app
        .post(&t.token, &format!("/api/v1/customers/{customer}/top-ups"),
            json!({"amount_minor": amount, "tender_code": code, "register_id": t.register, "shift_id": t.shift}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

/// Balances equal their ledgers, the points lots hold exactly the balance, nothing negative.
async fn accounts_add_up(app: &TestApp) {
    let rows = sqlx::query(
        "SELECT c.id, c.points_balance, c.stored_value_minor, \
         CAST(COALESCE((SELECT SUM(points) FROM points_ledger p WHERE p.customer_id = c.id), 0) AS BIGINT) AS pl, \
         CAST(COALESCE((SELECT SUM(amount_minor) FROM stored_value_ledger s WHERE s.customer_id = c.id), 0) AS BIGINT) AS sl, \
         CAST(COALESCE((SELECT SUM(remaining) FROM points_lots l WHERE l.customer_id = c.id), 0) AS BIGINT) AS lots \
         FROM customers c",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    for r in rows {
        let (p, s): (i64, i64) = (
            r.try_get("points_balance").unwrap(),
            r.try_get("stored_value_minor").unwrap(),
        );
        assert!(p >= 0 && s >= 0);
        assert_eq!(p, r.try_get::<i64, _>("pl").unwrap(), "points = its ledger");
        assert_eq!(
            s,
            r.try_get::<i64, _>("sl").unwrap(),
            "stored value = its ledger"
        );
        assert_eq!(
            p,
            r.try_get::<i64, _>("lots").unwrap(),
            "points = what the lots hold"
        );
    }
}

async fn balances(app: &TestApp, id: &str) -> (i64, i64) {
    let r = sqlx::query("SELECT points_balance, stored_value_minor FROM customers WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (r.try_get(0).unwrap(), r.try_get(1).unwrap())
}

#[tokio::test]
async fn a_member_earns_redeems_pays_from_stored_value_and_returns() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let m = member(&app, "+8613800138000").await;
        let price = member_price(&app, &t, 0).await;

        // Top-up of 1,000.00 in cash: balance and a paid-in of the shift.
        let tu = top_up(&app, &t, &m, 100_000, "CASH").await;
        assert_eq!(tu["stored_value_minor"], 100_000);
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM shift_cash_moves WHERE shift_id = '{}' AND kind = 'paid_in'", t.shift)).await, 1);
        let bad = app
            .post(&t.token, &format!("/api/v1/customers/{m}/top-ups"),
                json!({"amount_minor": 100, "tender_code": "POINTS", "register_id": t.register, "shift_id": t.shift}))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["errors"][0]["field"], "/tender_code");

        // A member sale at the member price earns 1 point per yuan.
        let sale = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(&t, &m, 0, 10, price, vec![]),
            )
            .await;
        assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
        assert_eq!(sale.body["customer_id"], m.as_str());
        assert_eq!(sale.body["customer_tier"], "member");
        let earned = price * 10 / 100;
        assert_eq!(sale.body["member"]["points_earned"], earned);
        assert_eq!(balances(&app, &m).await, (earned, 100_000));
        // The receipt names the member and the points of the sale.
        let receipt = app
            .get(
                &t.token,
                &format!(
                    "/api/v1/sales/{}/receipt?format=html",
                    sale.body["id"].as_str().unwrap()
                ),
            )
            .await;
        let html = receipt.body.as_str().unwrap_or_default().to_string();
        assert!(
            html.contains("T00138000")
                && html.contains("本单积分")
                && html.contains(&format!("+{earned}")),
            "{html}"
        );

        // The register's price must be the member's.
        let list_price = t.packaged[0].1;
        if list_price != price {
            let wrong = app
                .post(
                    &t.token,
                    "/api/v1/sales",
                    member_sale(&t, &m, 0, 1, list_price, vec![]),
                )
                .await;
            assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(
                wrong.body["errors"][0]["field"],
                "/lines/0/unit_price_minor"
            );
        }

        // Refused, nothing written: more points than held, more than the balance, an account
        // tender without a member.
        let sales_before = count(&app, "SELECT COUNT(*) FROM sales").await;
        let too_many = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(
                    &t,
                    &m,
                    0,
                    10,
                    price,
                    vec![json!({"code": "POINTS", "amount_minor": earned + 1})],
                ),
            )
            .await;
        assert_eq!(
            too_many.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            too_many.body
        );
        assert_eq!(too_many.body["errors"][0]["code"], "insufficient_points");
        assert_eq!(
            too_many.body["errors"][0]["field"],
            "/tenders/0/amount_minor"
        );
        let broke = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(
                    &t,
                    &m,
                    0,
                    300,
                    price,
                    vec![json!({"code": "STORED_VALUE", "amount_minor": 100_001})],
                ),
            )
            .await;
        assert_eq!(
            broke.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            broke.body
        );
        assert_eq!(broke.body["errors"][0]["code"], "insufficient_balance");
        let mut anonymous = member_sale(
            &t,
            &m,
            0,
            1,
            list_price,
            vec![json!({"code": "STORED_VALUE", "amount_minor": 100})],
        );
        anonymous.as_object_mut().unwrap().remove("customer_id");
        let who = app.post(&t.token, "/api/v1/sales", anonymous).await;
        assert_eq!(who.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(who.body["errors"][0]["code"], "member_required");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM sales").await,
            sales_before
        );
        assert_eq!(balances(&app, &m).await, (earned, 100_000));

        // Pay part with points and part from stored value.
        let total = price * 4;
        let by_points = earned.min(total / 4);
        let by_value = (total - by_points) / 2;
        let paid = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(
                    &t,
                    &m,
                    0,
                    4,
                    price,
                    vec![
                        json!({"code": "POINTS", "amount_minor": by_points}),
                        json!({"code": "STORED_VALUE", "amount_minor": by_value}),
                    ],
                ),
            )
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
        let earned2 = paid.body["member"]["points_earned"].as_i64().unwrap();
        assert_eq!(
            earned2,
            (total - by_points) / 100,
            "no points on what points paid"
        );
        assert_eq!(paid.body["member"]["points_redeemed"], by_points);
        assert_eq!(
            balances(&app, &m).await,
            (earned - by_points + earned2, 100_000 - by_value)
        );

        // Return the whole second sale: points and stored value come back, earned points go.
        let ret = app
            .post(
                &t.token,
                "/api/v1/returns",
                json!({"id": uuid::Uuid::now_v7().to_string(),
                "register_id": t.register, "shift_id": t.shift, "original_sale_id": paid.body["id"],
                "lines": [{"line_no": 1, "quantity": "4"}]}),
            )
            .await;
        assert_eq!(ret.status, StatusCode::CREATED, "{}", ret.body);
        assert_eq!(ret.body["customer_id"], m.as_str());
        assert_eq!(ret.body["member"]["points_reversed"], earned2);
        assert_eq!(balances(&app, &m).await, (earned, 100_000));

        // The ledgers, newest first.
        let pts = app
            .get(&t.token, &format!("/api/v1/customers/{m}/points"))
            .await;
        assert_eq!(pts.status, StatusCode::OK, "{}", pts.body);
        let kinds: Vec<&str> = pts.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["earn_reversal", "redeem_refund", "earn", "redeem", "earn"]
        );
        let sv = app
            .get(&t.token, &format!("/api/v1/customers/{m}/stored-value"))
            .await;
        let kinds: Vec<&str> = sv.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["refund", "pay", "topup"]);
        accounts_add_up(&app).await;
    }
}

#[tokio::test]
async fn points_expire_before_they_can_be_redeemed() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let m = member(&app, "+8613900139000").await;
        let price = member_price(&app, &t, 0).await;
        let sale = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(&t, &m, 0, 10, price, vec![]),
            )
            .await;
        let earned = sale.body["member"]["points_earned"].as_i64().unwrap();
        assert!(earned > 0);
        // The lot's expiry passes (as if the year had ended).
        sqlx::query("UPDATE points_lots SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE customer_id = $1")
            .bind(&m)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let r = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(
                    &t,
                    &m,
                    0,
                    1,
                    price,
                    vec![json!({"code": "POINTS", "amount_minor": 1})],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "insufficient_points");
        // The next sale sweeps them: an `expire` row, and the balance is what remains.
        let next = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(&t, &m, 0, 1, price, vec![]),
            )
            .await;
        assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
        let expired = count(&app, &format!("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM points_ledger WHERE customer_id = '{m}' AND kind = 'expire'")).await;
        assert_eq!(expired, -earned);
        assert_eq!(
            balances(&app, &m).await.0,
            next.body["member"]["points_earned"].as_i64().unwrap()
        );
        accounts_add_up(&app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_registers_racing_for_one_balance_never_take_it_below_zero() {
    for backend in backends() {
        let app = spawn(backend).await;
        let a = till(&app, "cashier.sh001", "SH001").await;
        let b = till(&app, "cashier.bj001", "BJ001").await;
        let m = member(&app, "+8613700137000").await;
        top_up(&app, &a, &m, 10_000, "CARD").await;
        let pa = member_price(&app, &a, 0).await;
        let pb = member_price(&app, &b, 0).await;
        // Each register spends 80.00 of the 100.00 balance, five times each, at once.
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (t, price) = if i % 2 == 0 { (&a, pa) } else { (&b, pb) };
            let qty = 8000 / price + 1;
            let body = member_sale(
                t,
                &m,
                0,
                qty,
                price,
                vec![json!({"code": "STORED_VALUE", "amount_minor": 8000})],
            );
            let (base, token) = (app.base.clone(), t.token.clone());
            tasks.push(tokio::spawn(async move {
                reqwest::Client::new()
                    .post(format!("{base}/api/v1/sales"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::CREATED => ok += 1,
                StatusCode::UNPROCESSABLE_ENTITY => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(ok, 1, "one sale fits the balance");
        assert_eq!(balances(&app, &m).await.1, 2_000);
        accounts_add_up(&app).await;
    }
}

/// Points earned on several visits under the year-end rule share one lot (one expiry), in
/// one batch or in several: a member's lots stay few however often they shop.
#[tokio::test]
async fn points_earned_on_several_visits_share_one_lot_per_expiry() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let m = member(&app, "+8613500135000").await;
        let price = member_price(&app, &t, 0).await;
        let mut earned = 0;
        for qty in [3, 5, 7] {
            let r = app
                .post(
                    &t.token,
                    "/api/v1/sales",
                    member_sale(&t, &m, 0, qty, price, vec![]),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            earned += r.body["member"]["points_earned"].as_i64().unwrap();
        }
        assert!(earned > 0);
        let in_lots = format!("FROM points_lots WHERE customer_id = '{m}'");
        assert_eq!(count(&app, &format!("SELECT COUNT(*) {in_lots}")).await, 1);
        assert_eq!(
            count(
                &app,
                &format!("SELECT CAST(SUM(remaining) AS BIGINT) {in_lots}")
            )
            .await,
            earned
        );
        assert_eq!(
            count(
                &app,
                &format!(
                    "SELECT COUNT(*) FROM points_ledger WHERE customer_id = '{m}' AND kind = 'earn'"
                )
            )
            .await,
            3,
            "each visit keeps its own ledger row"
        );
        accounts_add_up(&app).await;
    }
}

/// PostgreSQL: the sale writer reads a member's lots in the statement that locks the member,
/// with a snapshot taken before the lock is granted. A sale that waited for another writer
/// (here one that moves the member's points into a lot that has expired, as a merge or the
/// expiry sweep changes lots) must see what that writer committed, not the lots before it.
/// (SQLite's single writer reads inside its write lock: the race does not exist there.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_that_waits_for_a_member_sees_the_lots_its_holder_committed() {
    for backend in backends() {
        if backend != Backend::Postgres {
            continue;
        }
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let m = member(&app, "+8613600136000").await;
        let price = member_price(&app, &t, 0).await;
        let first = app
            .post(
                &t.token,
                "/api/v1/sales",
                member_sale(&t, &m, 0, 10, price, vec![]),
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert!(first.body["member"]["points_earned"].as_i64().unwrap() > 0);

        // Another writer holds the member: its lot expires (the balance stays).
        let mut holder = app.db.begin_pooled().await.unwrap();
        sqlx::query("UPDATE customers SET points_balance = points_balance WHERE id = $1")
            .bind(&m)
            .execute(&mut *holder)
            .await
            .unwrap();
        sqlx::query("UPDATE points_lots SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE customer_id = $1")
            .bind(&m)
            .execute(&mut *holder)
            .await
            .unwrap();
        let body = member_sale(
            &t,
            &m,
            0,
            1,
            price,
            vec![json!({"code": "POINTS", "amount_minor": 1})],
        );
        let (base, token) = (app.base.clone(), t.token.clone());
        let sale = tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(format!("{base}/api/v1/sales"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        });
        // The sale's transaction waits for the holder's lock before the holder commits.
        let mut waiting = 0;
        for _ in 0..1000 {
            waiting = count(
                &app,
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            )
            .await;
            if waiting > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(waiting, 1, "the sale waits for the member's lock");
        holder.commit().await.unwrap();
        let (status, body) = sale.await.unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["code"], "insufficient_points");
        accounts_add_up(&app).await;
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
async fn random_sequences_keep_balances_equal_to_their_ledgers() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let members = [
            member(&app, "+8613600136001").await,
            member(&app, "+8613600136002").await,
        ];
        let mut prices = Vec::new();
        for i in 0..3 {
            prices.push(member_price(&app, &t, i).await);
        }
        for seed in [3u64, 77, 2026] {
            let mut rng = Lcg(seed);
            let mut sales: Vec<Value> = Vec::new();
            for _ in 0..30 {
                let m = &members[rng.below(2) as usize];
                let (points, value) = balances(&app, m).await;
                match rng.below(4) {
                    0 => {
                        top_up(
                            &app,
                            &t,
                            m,
                            (1 + rng.below(50) as i64) * 1000,
                            if rng.below(2) == 0 { "CASH" } else { "CARD" },
                        )
                        .await;
                    }
                    1 if !sales.is_empty() => {
                        let s = sales.remove(rng.below(sales.len() as u64) as usize);
                        let q = s["lines"][0]["quantity"]
                            .as_str()
                            .unwrap()
                            .parse::<i64>()
                            .unwrap();
                        let back = 1 + rng.below(q as u64) as i64;
                        let r = app
                            .post(&t.token, "/api/v1/returns", json!({"id": uuid::Uuid::now_v7().to_string(),
                                "register_id": t.register, "shift_id": t.shift, "original_sale_id": s["id"],
                                "lines": [{"line_no": 1, "quantity": back.to_string()}]}))
                            .await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                    }
                    _ => {
                        let i = rng.below(3) as usize;
                        let qty = 1 + rng.below(6) as i64;
                        let total = prices[i] * qty;
                        // Sometimes more than held, to be refused.
                        let want_points = rng.below((points + 50) as u64) as i64;
                        let want_value = rng.below((value + 500) as u64) as i64;
                        let mut tenders = Vec::new();
                        let by_points = want_points.min(total);
                        if by_points > 0 {
                            tenders.push(json!({"code": "POINTS", "amount_minor": by_points}));
                        }
                        let by_value = want_value.min(total - by_points);
                        if by_value > 0 {
                            tenders.push(json!({"code": "STORED_VALUE", "amount_minor": by_value}));
                        }
                        let r = app
                            .post(
                                &t.token,
                                "/api/v1/sales",
                                member_sale(&t, m, i, qty, prices[i], tenders),
                            )
                            .await;
                        if by_points > points || by_value > value {
                            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
                            assert_eq!(
                                balances(&app, m).await,
                                (points, value),
                                "a refused sale changes nothing"
                            );
                        } else {
                            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                            sales.push(r.body);
                        }
                    }
                }
                accounts_add_up(&app).await;
            }
        }
    }
}

#[tokio::test]
async fn the_housekeeping_sweep_expires_lots_past_their_date() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = till(&app, "cashier.sh001", "SH001").await;
        let old = member(&app, "+8613500135001").await;
        let fresh = member(&app, "+8613500135002").await;
        let price = member_price(&app, &t, 0).await;
        for m in [&old, &fresh] {
            let r = app
                .post(
                    &t.token,
                    "/api/v1/sales",
                    member_sale(&t, m, 0, 5, price, vec![]),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let (before, _) = balances(&app, &old).await;
        let (kept, _) = balances(&app, &fresh).await;
        sqlx::query("UPDATE points_lots SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE customer_id = $1")
            .bind(&old)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let expired = salepoint_store::customers::expiry::expire_due(&app.db)
            .await
            .unwrap();
        assert_eq!(expired, before);
        assert_eq!(balances(&app, &old).await.0, 0);
        assert_eq!(
            balances(&app, &fresh).await.0,
            kept,
            "unexpired points stay"
        );
        // A second sweep finds nothing.
        assert_eq!(
            salepoint_store::customers::expiry::expire_due(&app.db)
                .await
                .unwrap(),
            0
        );
        accounts_add_up(&app).await;
    }
}
