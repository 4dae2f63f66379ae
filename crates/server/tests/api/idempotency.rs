//! Idempotency-Key: replays return the stored result, a different body under the same key is
//! refused, and 50 concurrent identical requests have exactly one effect.

use crate::support::{backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn replay_mismatch_and_concurrency() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let body = json!({"code": "IDEM1", "name": "幂等测试店", "kind": "store"});
        let key = [("idempotency-key", "key-1")];
        let first = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                Some(&admin),
                Some(body.clone()),
                &key,
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let replay = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                Some(&admin),
                Some(body.clone()),
                &key,
            )
            .await;
        assert_eq!(replay.status, StatusCode::CREATED);
        assert_eq!(replay.body, first.body, "a replay returns the stored body");
        assert_eq!(replay.headers["idempotent-replayed"], "true");
        let other = json!({"code": "IDEM2", "name": "别的店", "kind": "store"});
        let reused = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                Some(&admin),
                Some(other),
                &key,
            )
            .await;
        assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reused.code(), "idempotency_key_reused");

        // A failed request frees its key for a corrected retry.
        let bad = json!({"code": "", "name": "x", "kind": "store"});
        let k2 = [("idempotency-key", "key-2")];
        assert_eq!(
            app.call_with(Method::POST, "/api/v1/stores", Some(&admin), Some(bad), &k2)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let fixed = json!({"code": "IDEM3", "name": "修正", "kind": "store"});
        let retry = app
            .call_with(
                Method::POST,
                "/api/v1/stores",
                Some(&admin),
                Some(fixed.clone()),
                &k2,
            )
            .await;
        assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);

        // 50 identical requests at once: one store.
        let body = json!({"code": "RACE1", "name": "并发测试店", "kind": "store"});
        let futures = (0..50).map(|_| {
            let app = &app;
            let admin = admin.clone();
            let body = body.clone();
            async move {
                app.call_with(
                    Method::POST,
                    "/api/v1/stores",
                    Some(&admin),
                    Some(body),
                    &[("idempotency-key", "race-key")],
                )
                .await
            }
        });
        let results = futures::future::join_all(futures).await;
        let mut ids = std::collections::BTreeSet::new();
        for r in &results {
            match r.status {
                StatusCode::CREATED => {
                    ids.insert(r.body["id"].as_str().unwrap().to_string());
                }
                StatusCode::CONFLICT => assert_eq!(r.code(), "idempotency_in_progress"),
                s => panic!("unexpected {s}: {}", r.body),
            }
        }
        assert_eq!(ids.len(), 1, "every success answers the same store");
        let list = app.get(&admin, "/api/v1/stores?q=RACE1").await;
        assert_eq!(
            list.body["data"].as_array().unwrap().len(),
            1,
            "exactly one effect"
        );
        let audit = app
            .get(&admin, "/api/v1/audit?action=store.created&limit=200")
            .await;
        let n = audit.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["details"]["code"] == "RACE1")
            .count();
        assert_eq!(n, 1);

        // Keys belong to their caller: another user's identical key is independent.
        let other_admin_key = app
            .call_with(
                Method::POST,
                "/api/v1/regions",
                Some(&admin),
                Some(json!({"code": "K1", "name": "k"})),
                &[("idempotency-key", "shared")],
            )
            .await;
        assert_eq!(other_admin_key.status, StatusCode::CREATED);
        let m = app.demo_user("manager.sh001").await;
        let sh001 = app.store_id("SH001").await;
        let theirs = app
            .call_with(
                Method::POST,
                &format!("/api/v1/stores/{sh001}/registers"),
                Some(&m),
                Some(json!({"code": "K1", "name": "k"})),
                &[("idempotency-key", "shared")],
            )
            .await;
        assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    }
}
