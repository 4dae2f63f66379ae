//! The foundation story, the same on both backends: an administrator sets up a store with a
//! register and a cashier; the cashier signs in and sees only that store.

use crate::support::{backends, spawn};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn set_up_a_store_and_its_cashier() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;

        let company = app.get(&admin, "/api/v1/company").await;
        assert_eq!(company.status, StatusCode::OK);
        assert_eq!(company.body["currency"], "CNY");
        assert_eq!(company.body["tax_mode"], "inclusive");

        let region = app
            .post(
                &admin,
                "/api/v1/regions",
                json!({"code": "WEST", "name": "西南区"}),
            )
            .await;
        assert_eq!(
            region.status,
            StatusCode::CREATED,
            "{:?} {}",
            backend,
            region.body
        );
        let region_id = region.body["id"].as_str().unwrap().to_string();

        let store = app
            .post(&admin, "/api/v1/stores", json!({
                "code": "CD001", "name": "成都春熙路店", "kind": "store", "region_id": region_id,
                "address": "四川省成都市锦江区春熙路 1 号", "cash_rounding": "0.1"
            }))
            .await;
        assert_eq!(store.status, StatusCode::CREATED, "{}", store.body);
        assert_eq!(
            store.body["time_zone"], "Asia/Shanghai",
            "defaults to the company's zone"
        );
        assert_eq!(store.body["business_day_cutoff_hour"], 4);
        assert_eq!(store.body["negative_stock_policy"], "allow");
        let store_id = store.body["id"].as_str().unwrap().to_string();

        let reg = app
            .post(
                &admin,
                &format!("/api/v1/stores/{store_id}/registers"),
                json!({"code": "POS01", "name": "1 号收银台"}),
            )
            .await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);

        let warehouses = app.get(&admin, "/api/v1/stores?kind=warehouse").await;
        assert_eq!(warehouses.body["data"].as_array().unwrap().len(), 2);

        let cashier = app
            .post(
                &admin,
                "/api/v1/users",
                json!({
                    "username": "cd.cashier", "display_name": "王芳", "role": "cashier",
                    "password": "Kassa-Tests-2026!x", "store_ids": [store_id]
                }),
            )
            .await;
        assert_eq!(cashier.status, StatusCode::CREATED, "{}", cashier.body);
        assert!(cashier.body.get("password_hash").is_none());

        // A stale version is refused; the current one bumps it.
        let upd = json!({"code": "CD001", "name": "成都春熙路旗舰店", "kind": "store", "region_id": region_id, "version": 1});
        let first = app
            .put(&admin, &format!("/api/v1/stores/{store_id}"), upd.clone())
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_eq!(first.body["version"], 2);
        let stale = app
            .put(&admin, &format!("/api/v1/stores/{store_id}"), upd)
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(stale.code(), "version_conflict");

        // The cashier sees their store only, and may not manage anything.
        let c = app.login("cd.cashier", "Kassa-Tests-2026!x").await;
        let stores = app.get(&c, "/api/v1/stores").await;
        let codes: Vec<_> = stores.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].clone())
            .collect();
        assert_eq!(codes, vec![json!("CD001")]);
        let regs = app
            .get(&c, &format!("/api/v1/stores/{store_id}/registers"))
            .await;
        assert_eq!(regs.body["data"][0]["code"], "POS01");
        let me = app.get(&c, "/api/v1/auth/me").await;
        assert_eq!(
            me.body["permissions"],
            json!([
                "org.read",
                "catalog.read",
                "sales.create",
                "sales.read",
                "stock.read",
                "customers.read",
                "customers.manage"
            ])
        );
        assert_eq!(me.body["scope"]["store_ids"], json!([store_id]));
        let denied = app
            .post(
                &c,
                "/api/v1/stores",
                json!({"code": "X", "name": "x", "kind": "store"}),
            )
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);

        // Every change left an audit row, and the chain holds.
        let audit = app.get(&admin, "/api/v1/audit?limit=200").await;
        let actions: Vec<&str> = audit.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        for a in [
            "region.created",
            "store.created",
            "register.created",
            "user.created",
            "store.updated",
            "login.succeeded",
        ] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }
        let verify = app.get(&admin, "/api/v1/audit/verify").await;
        assert_eq!(verify.body["ok"], true, "{}", verify.body);
    }
}

#[tokio::test]
async fn lists_page_with_cursors() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/stores?limit=7&cursor={c}"),
                None => "/api/v1/stores?limit=7".to_string(),
            };
            let r = app.get(&admin, &path).await;
            assert_eq!(r.status, StatusCode::OK);
            for s in r.body["data"].as_array().unwrap() {
                seen.push(s["code"].as_str().unwrap().to_string());
            }
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 22, "20 stores and 2 warehouses, each once");
        let unique: std::collections::BTreeSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), 22);
        let bad = app.get(&admin, "/api/v1/stores?limit=1000").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["errors"][0]["field"], "limit");
    }
}
