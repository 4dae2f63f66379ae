//! Sign-in: same answer for unknown user and wrong password, throttling, disabled users,
//! logout, session expiry, CSRF protection of cookie sessions.

use crate::support::{ADMIN_PASSWORD, DEMO_PASSWORD, backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn refusals_look_the_same_and_are_throttled() {
    for backend in backends() {
        let app = spawn(backend).await;
        let login = |u: &'static str, p: &'static str| {
            let app = &app;
            async move {
                app.call(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({"username": u, "password": p})),
                )
                .await
            }
        };
        let unknown = login("nobody", "whatever-password").await;
        let wrong = login("cashier.sh001", "whatever-password").await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            unknown.body, wrong.body,
            "unknown user and wrong password must not be told apart"
        );
        assert_eq!(wrong.code(), "invalid_credentials");

        for _ in 0..4 {
            assert_eq!(
                login("cashier.sh001", "still-wrong").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        // Five failures: now even the right password waits.
        let blocked = login("cashier.sh001", DEMO_PASSWORD).await;
        assert_eq!(
            blocked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            blocked.body
        );
        let retry: i64 = blocked.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 15 * 60 + 1);
        // Another account from the same address is not blocked yet.
        assert_eq!(
            login("manager.sh001", DEMO_PASSWORD).await.status,
            StatusCode::OK
        );
        let admin = app.admin().await;
        let failed = app.get(&admin, "/api/v1/audit?action=login.failed").await;
        assert!(failed.body["data"].as_array().unwrap().len() >= 6);
        assert!(
            !failed.body.to_string().contains("still-wrong"),
            "passwords never reach the audit trail"
        );
    }
}

#[tokio::test]
async fn disable_logout_and_expiry_end_sessions() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let cashier = app.demo_user("cashier.sh001").await;
        assert_eq!(
            app.get(&cashier, "/api/v1/auth/me").await.status,
            StatusCode::OK
        );

        // Disabling a user ends their sessions and refuses new logins.
        let id = app.user_id("cashier.sh001").await;
        let u = app.get(&admin, &format!("/api/v1/users/{id}")).await.body;
        let mut upd = json!({"display_name": u["display_name"], "locale": "zh-CN", "role": "cashier",
            "active": false, "store_ids": u["store_ids"], "version": u["version"]});
        let r = app
            .put(&admin, &format!("/api/v1/users/{id}"), upd.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.get(&cashier, "/api/v1/auth/me").await.status,
            StatusCode::UNAUTHORIZED
        );
        let again = app
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "cashier.sh001", "password": DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(again.code(), "invalid_credentials");
        upd["active"] = json!(true);
        upd["version"] = json!(r.body["version"]);
        assert_eq!(
            app.put(&admin, &format!("/api/v1/users/{id}"), upd)
                .await
                .status,
            StatusCode::OK
        );

        // Logout ends the session.
        let t = app.demo_user("cashier.sh001").await;
        assert_eq!(
            app.call(Method::POST, "/api/v1/auth/logout", Some(&t), None)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get(&t, "/api/v1/auth/me").await.status,
            StatusCode::UNAUTHORIZED
        );

        // Absolute and idle expiry: move the clocks of a session into the past.
        let t1 = app.demo_user("manager.sh001").await;
        let t2 = app.demo_user("stock.sh001").await;
        let hash = |t: &str| salepoint_store::secrets::sha256_hex(t);
        sqlx::query(
            "UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE token_hash = $1",
        )
        .bind(hash(&t1))
        .execute(&app.db.pool)
        .await
        .unwrap();
        sqlx::query("UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00.000000Z' WHERE token_hash = $1")
            .bind(hash(&t2))
            .execute(&app.db.pool)
            .await
            .unwrap();
        // Changed behind the server's back, as another app server would: the server trusts a
        // known caller for at most 2 s (crates/store/src/cache.rs); forget them now.
        app.db.caches.principals.clear();
        assert_eq!(
            app.get(&t1, "/api/v1/auth/me").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get(&t2, "/api/v1/auth/me").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("sps_made-up", "/api/v1/auth/me").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_to_change_state() {
    for backend in backends() {
        let app = spawn(backend).await;
        let r = app
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        let cookies: Vec<String> = r
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let session = cookies
            .iter()
            .find(|c| c.starts_with("sp_session="))
            .unwrap();
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Strict"),
            "{session}"
        );
        let csrf = r.body["csrf_token"].as_str().unwrap();
        let cookie = format!(
            "sp_session={}; sp_csrf={csrf}",
            r.body["token"].as_str().unwrap()
        );
        let body = json!({"code": "CSRF1", "name": "跨站测试", "kind": "store"});

        let get = app
            .call_with(
                Method::GET,
                "/api/v1/stores",
                None,
                None,
                &[("cookie", &cookie)],
            )
            .await;
        assert_eq!(get.status, StatusCode::OK, "reads need no CSRF token");
        let no_token = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                None,
                Some(body.clone()),
                &[("cookie", &cookie)],
            )
            .await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        assert_eq!(no_token.code(), "csrf_failed");
        let wrong = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                None,
                Some(body.clone()),
                &[("cookie", &cookie), ("x-csrf-token", "forged")],
            )
            .await;
        assert_eq!(wrong.code(), "csrf_failed");
        let ok = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                None,
                Some(body),
                &[("cookie", &cookie), ("x-csrf-token", csrf)],
            )
            .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        // No state change by GET: a GET to a write-only path is not routed.
        let g = app
            .call_with(
                Method::GET,
                "/api/v1/auth/logout",
                None,
                None,
                &[("cookie", &cookie)],
            )
            .await;
        assert_eq!(g.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            app.call_with(
                Method::GET,
                "/api/v1/auth/me",
                None,
                None,
                &[("cookie", &cookie)]
            )
            .await
            .status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn own_password_change_and_policy() {
    for backend in backends() {
        let app = spawn(backend).await;
        let t = app.demo_user("cashier.sh001").await;
        let weak = app
            .post(
                &t,
                "/api/v1/auth/password",
                json!({"current_password": DEMO_PASSWORD, "new_password": "password123"}),
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(weak.body["errors"][0]["field"], "/new_password");
        assert_eq!(weak.body["errors"][0]["code"], "too_weak");
        let wrong = app
            .post(
                &t,
                "/api/v1/auth/password",
                json!({"current_password": "nope", "new_password": "Brand-New-Secret-42!"}),
            )
            .await;
        assert_eq!(wrong.body["errors"][0]["field"], "/current_password");
        let ok = app
            .post(
                &t,
                "/api/v1/auth/password",
                json!({"current_password": DEMO_PASSWORD, "new_password": "Brand-New-Secret-42!"}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
        assert_eq!(
            app.get(&t, "/api/v1/auth/me").await.status,
            StatusCode::UNAUTHORIZED,
            "sessions end"
        );
        app.login("cashier.sh001", "Brand-New-Secret-42!").await;
        let stored: String =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'cashier.sh001'")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
