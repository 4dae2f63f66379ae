//! Store scope: a manager of store A cannot read or change store B's registers or users; an
//! object outside the caller's scope answers 404, exactly like a missing one.

use crate::support::{backends, spawn};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_store_manager_stays_in_their_store() {
    for backend in backends() {
        let app = spawn(backend).await;
        let sh001 = app.store_id("SH001").await;
        let bj001 = app.store_id("BJ001").await;
        let bj_cashier = app.user_id("cashier.bj001").await;
        let m = app.demo_user("manager.sh001").await;

        // Out of scope reads answer exactly like missing objects.
        let missing = app
            .get(&m, "/api/v1/stores/01900000-0000-7000-8000-000000000000")
            .await;
        let foreign = app.get(&m, &format!("/api/v1/stores/{bj001}")).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        assert_eq!(foreign.body, missing.body);
        assert_eq!(
            app.get(&m, &format!("/api/v1/stores/{bj001}/registers"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&m, &format!("/api/v1/users/{bj_cashier}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // … and so do writes.
        let reg = app
            .post(
                &m,
                &format!("/api/v1/stores/{bj001}/registers"),
                json!({"code": "POS09", "name": "x"}),
            )
            .await;
        assert_eq!(reg.status, StatusCode::NOT_FOUND);
        let upd = app
            .put(
                &m,
                &format!("/api/v1/users/{bj_cashier}"),
                json!({"display_name": "x", "locale": "zh-CN",
                "role": "cashier", "active": false, "store_ids": [sh001], "version": 1}),
            )
            .await;
        assert_eq!(upd.status, StatusCode::NOT_FOUND);
        let still = app
            .login("cashier.bj001", crate::support::DEMO_PASSWORD)
            .await;
        assert!(!still.is_empty(), "the BJ001 cashier was not disabled");

        // Lists hold only what is in scope.
        let users = app.get(&m, "/api/v1/users?limit=200").await;
        let names: Vec<&str> = users.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"cashier.sh001"));
        assert!(!names.iter().any(|n| n.contains("bj001")), "{names:?}");
        assert!(!names.contains(&"admin"));

        // Own store: registers and cashiers can be managed.
        let reg = app
            .post(
                &m,
                &format!("/api/v1/stores/{sh001}/registers"),
                json!({"code": "POS09", "name": "9 号收银台"}),
            )
            .await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);
        let ok = app
            .post(
                &m,
                "/api/v1/users",
                json!({"username": "sh.new", "display_name": "新收银", "role": "cashier",
                "password": "Kassa-Tests-2026!x", "store_ids": [sh001]}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

        // But not for another store, not above their own role, and not without a store.
        for (body, why) in [
            (
                json!({"username": "bj.new", "display_name": "x", "role": "cashier", "password": "Kassa-Tests-2026!x", "store_ids": [bj001]}),
                "other store",
            ),
            (
                json!({"username": "sh.boss", "display_name": "x", "role": "store_manager", "password": "Kassa-Tests-2026!x", "store_ids": [sh001]}),
                "same role",
            ),
            (
                json!({"username": "sh.admin", "display_name": "x", "role": "admin", "password": "Kassa-Tests-2026!x", "store_ids": [sh001]}),
                "admin",
            ),
            (
                json!({"username": "sh.none", "display_name": "x", "role": "cashier", "password": "Kassa-Tests-2026!x"}),
                "no store",
            ),
        ] {
            let r = app.post(&m, "/api/v1/users", body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{why}: {}", r.body);
        }

        // A regional manager sees the region's stores only.
        let east = app.demo_user("region.east").await;
        let stores = app.get(&east, "/api/v1/stores?limit=200").await;
        let codes: Vec<&str> = stores.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"SH001") && codes.contains(&"HZ001") && codes.contains(&"WH-SH"));
        assert!(
            !codes.contains(&"BJ001") && !codes.contains(&"GZ001"),
            "{codes:?}"
        );
        let regions = app.get(&east, "/api/v1/regions").await;
        assert_eq!(regions.body["data"].as_array().unwrap().len(), 1);
    }
}
