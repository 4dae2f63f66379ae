//! API keys for integrations and manager approvals at the register.

use crate::support::{backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn api_keys_work_with_their_scope_until_revoked() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let bj001 = app.store_id("BJ001").await;
        let created = app
            .post(
                &admin,
                "/api/v1/api-keys",
                json!({"name": "ERP 北京", "role": "store_manager", "store_ids": [bj001]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let secret = created.body["secret"].as_str().unwrap().to_string();
        let id = created.body["api_key"]["id"].as_str().unwrap().to_string();
        assert!(secret.starts_with("spk_") && secret.len() > 40);
        assert!(secret.starts_with(created.body["api_key"]["prefix"].as_str().unwrap()));

        let stores = app.get(&secret, "/api/v1/stores").await;
        assert_eq!(stores.status, StatusCode::OK);
        let codes: Vec<_> = stores.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].clone())
            .collect();
        assert_eq!(codes, vec![json!("BJ001")]);
        // API keys need no CSRF token: they are not cookies.
        let reg = app
            .post(
                &secret,
                &format!("/api/v1/stores/{bj001}/registers"),
                json!({"code": "API1", "name": "接口"}),
            )
            .await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);
        assert_eq!(
            app.get(&secret, "/api/v1/audit").await.status,
            StatusCode::FORBIDDEN
        );

        let list = app.get(&admin, "/api/v1/api-keys").await;
        let listed = &list.body["data"][0];
        assert!(listed.get("secret").is_none());
        assert!(
            !list.body.to_string().contains(&secret),
            "the secret is never listed"
        );
        assert!(listed["last_used_at"].is_string(), "last use is recorded");
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1")
            .bind(salepoint_store::secrets::sha256_hex(&secret))
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(stored, 1, "stored as a digest");

        let revoke = app
            .call(
                Method::DELETE,
                &format!("/api/v1/api-keys/{id}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(revoke.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.get(&secret, "/api/v1/stores").await.status,
            StatusCode::UNAUTHORIZED
        );
        let audit = app.get(&admin, "/api/v1/audit?action=api_key.").await;
        assert_eq!(audit.body["data"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn manager_approval_is_one_time_and_scoped() {
    for backend in backends() {
        let app = spawn(backend).await;
        let sh001 = app.store_id("SH001").await;
        let bj001 = app.store_id("BJ001").await;
        let manager = app.demo_user("manager.sh001").await;
        let manager_id = app.user_id("manager.sh001").await;
        let pin = app
            .put(
                &manager,
                &format!("/api/v1/users/{manager_id}/pin"),
                json!({"pin": "1234"}),
            )
            .await;
        assert_eq!(pin.body["errors"][0]["code"], "too_weak");
        let pin = app
            .put(
                &manager,
                &format!("/api/v1/users/{manager_id}/pin"),
                json!({"pin": "2580"}),
            )
            .await;
        assert_eq!(pin.status, StatusCode::NO_CONTENT, "{}", pin.body);

        let cashier = app.demo_user("cashier.sh001").await;
        let ask = |store: &str, username: &str, pin: &str| json!({"action": "sale.discount", "store_id": store, "username": username, "pin": pin});
        let granted = app
            .post(
                &cashier,
                "/api/v1/approvals",
                ask(&sh001, "manager.sh001", "2580"),
            )
            .await;
        assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
        assert_eq!(granted.body["approver_username"], "manager.sh001");
        let token = granted.body["token"].as_str().unwrap().to_string();

        assert_eq!(
            app.post(
                &cashier,
                "/api/v1/approvals",
                ask(&sh001, "manager.sh001", "9999")
            )
            .await
            .code(),
            "invalid_credentials"
        );
        // The cashier cannot approve, even with their own right password.
        let own = app
            .post(
                &cashier,
                "/api/v1/approvals",
                json!({"action": "sale.discount", "store_id": sh001,
                "username": "cashier.sh001", "password": crate::support::DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(own.status, StatusCode::FORBIDDEN);
        // A store outside the cashier's scope does not exist for them.
        assert_eq!(
            app.post(
                &cashier,
                "/api/v1/approvals",
                ask(&bj001, "manager.sh001", "2580")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        // The BJ001 manager may not approve at SH001.
        let other = app
            .post(
                &cashier,
                "/api/v1/approvals",
                json!({"action": "sale.discount", "store_id": sh001,
                "username": "manager.bj001", "password": crate::support::DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(other.status, StatusCode::FORBIDDEN);

        // Consumed once, for its action and store only.
        let store: salepoint_domain::ids::StoreId = sh001.parse().unwrap();
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            salepoint_store::approvals::consume(&mut tx, &token, "sale.void", store)
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let approver = salepoint_store::approvals::consume(&mut tx, &token, "sale.discount", store)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(approver, manager_id);
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            salepoint_store::approvals::consume(&mut tx, &token, "sale.discount", store)
                .await
                .is_err()
        );
        drop(tx);

        let admin = app.admin().await;
        let audit = app.get(&admin, "/api/v1/audit?action=approval.").await;
        assert_eq!(audit.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(audit.body["data"][0]["details"]["method"], "pin");
    }
}
