//! Bad input gets a 4xx problem+json naming the field and changes nothing; never a 500.

use crate::support::{backends, spawn};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn malformed_wrong_missing_long_unknown_and_foreign() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let before = app.get(&admin, "/api/v1/stores?limit=200").await.body["data"]
            .as_array()
            .unwrap()
            .len();

        // An unparseable query value names its parameter.
        let r = app.get(&admin, "/api/v1/stores?limit=x").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["code"], "validation_failed", "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "limit", "{}", r.body);

        // Malformed JSON.
        let r = app
            .http
            .post(format!("{}/api/v1/stores", app.base))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"code\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "malformed_json");

        // Not JSON at all.
        let r = app
            .http
            .post(format!("{}/api/v1/stores", app.base))
            .bearer_auth(&admin)
            .body("code=1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);

        let cases = [
            (json!({"code": 5, "name": "x", "kind": "store"}), "/code"),
            (json!({"name": "x", "kind": "store"}), "/code"),
            (json!({"code": "A1", "name": "x", "kind": "shop"}), "/kind"),
            (
                json!({"code": "A1", "name": "x".repeat(101), "kind": "store"}),
                "/name",
            ),
            (
                json!({"code": "A 1", "name": "x", "kind": "store"}),
                "/code",
            ),
            (
                json!({"code": "A1", "name": "x", "kind": "store", "business_day_cutoff_hour": 24}),
                "/business_day_cutoff_hour",
            ),
            (
                json!({"code": "A1", "name": "x", "kind": "store", "time_zone": "Moon/Base"}),
                "/time_zone",
            ),
            (
                json!({"code": "A1", "name": "x", "kind": "store", "region_id": "01900000-0000-7000-8000-000000000000"}),
                "/region_id",
            ),
            (
                json!({"code": "A1", "name": "x", "kind": "store", "region_id": "not-a-uuid"}),
                "/region_id",
            ),
            (
                json!({"code": "A1", "name": "x", "kind": "store", "colour": "red"}),
                "/colour",
            ),
            (
                json!({"code": "SH001", "name": "dup", "kind": "store"}),
                "/code",
            ),
        ];
        for (body, field) in cases {
            let r = app.post(&admin, "/api/v1/stores", body.clone()).await;
            assert!(r.status.is_client_error(), "{body}: {}", r.status);
            assert!(
                r.body["errors"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["field"] == field)),
                "{body}: expected an error at {field}, got {}",
                r.body
            );
        }
        let dup = app
            .post(
                &admin,
                "/api/v1/stores",
                json!({"code": "SH001", "name": "dup", "kind": "store"}),
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);

        let users = [
            (
                json!({"username": "ab", "display_name": "x", "role": "cashier", "password": "Kassa-Tests-2026!x"}),
                "/username",
            ),
            (
                json!({"username": "new.one", "display_name": "x", "role": "boss", "password": "Kassa-Tests-2026!x"}),
                "/role",
            ),
            (
                json!({"username": "new.one", "display_name": "x", "role": "cashier", "password": "12345678"}),
                "/password",
            ),
            (
                json!({"username": "new.one", "display_name": "x", "role": "cashier", "password": "Kassa-Tests-2026!x", "store_ids": ["01900000-0000-7000-8000-000000000000"]}),
                "/store_ids/0",
            ),
            (
                json!({"username": "admin", "display_name": "x", "role": "cashier", "password": "Kassa-Tests-2026!x"}),
                "/username",
            ),
        ];
        for (body, field) in users {
            let r = app.post(&admin, "/api/v1/users", body.clone()).await;
            assert!(r.status.is_client_error(), "{body}: {}", r.status);
            assert!(
                r.body["errors"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["field"] == field)),
                "{body}: {}",
                r.body
            );
        }

        // Unknown ids and malformed ids are 404.
        assert_eq!(
            app.get(&admin, "/api/v1/stores/not-an-id").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(
                &admin,
                "/api/v1/regions/01900000-0000-7000-8000-000000000000"
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&admin, "/api/v1/nothing-here").await.code(),
            "not_found"
        );
        assert_eq!(
            app.call(Method::GET, "/api/v1/stores?kind=shop", Some(&admin), None)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Nothing changed.
        let after = app.get(&admin, "/api/v1/stores?limit=200").await.body["data"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(before, after);
        let company = app.get(&admin, "/api/v1/company").await.body;
        let bad = app
            .put(&admin, "/api/v1/company", json!({"name": "x", "currency": "XYZ", "default_locale": "zh-CN",
                "tax_mode": "inclusive", "rounding_rule": "half_up", "time_zone": "Asia/Shanghai", "version": company["version"]}))
            .await;
        assert_eq!(bad.body["errors"][0]["field"], "/currency");
        assert_eq!(app.get(&admin, "/api/v1/company").await.body, company);
    }
}

#[tokio::test]
async fn another_company_is_invisible() {
    for backend in backends() {
        let app = spawn(backend).await;
        // A second company in the same database, with its own administrator.
        let mut tx = app.db.begin().await.unwrap();
        let (other_company, other_admin) =
            salepoint_store::bootstrap::create_company_and_admin_named(
                &mut tx,
                "other.admin",
                &salepoint_store::org::CompanyInput {
                    name: "别家公司".into(),
                    currency: "CNY".into(),
                    default_locale: salepoint_domain::org::Locale::ZhCn,
                    tax_mode: salepoint_domain::org::TaxMode::Inclusive,
                    rounding_rule: salepoint_domain::org::RoundingRule::HalfUp,
                    time_zone: "Asia/Shanghai".into(),
                    version: None,
                },
                "Other-Company-Pass-77",
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let _ = (other_company, other_admin);
        let other = app.login("other.admin", "Other-Company-Pass-77").await;
        let sh001 = app.store_id("SH001").await;
        assert_eq!(
            app.get(&other, &format!("/api/v1/stores/{sh001}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&other, "/api/v1/stores").await.body["data"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            app.get(&other, "/api/v1/users").await.body["data"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let cashier = app.user_id("cashier.sh001").await;
        assert_eq!(
            app.get(&other, &format!("/api/v1/users/{cashier}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // Its admin cannot assign our store to its users.
        let r = app
            .post(
                &other,
                "/api/v1/users",
                json!({"username": "steal", "display_name": "x", "role": "cashier",
                "password": "Kassa-Tests-2026!x", "store_ids": [sh001]}),
            )
            .await;
        assert_eq!(r.body["errors"][0]["field"], "/store_ids/0");
    }
}
