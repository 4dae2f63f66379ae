//! The audit trail is append-only in the database itself and tamper-evident: a changed row is
//! found by the chain check.

use crate::support::{Backend, backends, spawn};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_database_refuses_changes_and_tampering_is_detected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        for i in 0..3 {
            let r = app
                .post(
                    &admin,
                    "/api/v1/regions",
                    json!({"code": format!("R{i}"), "name": "区"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let ok = app.get(&admin, "/api/v1/audit/verify").await;
        assert_eq!(ok.body["ok"], true, "{}", ok.body);
        let checked = ok.body["checked"].as_i64().unwrap();
        assert!(checked >= 5);

        let upd = sqlx::query("UPDATE audit_log SET action = 'nothing' WHERE seq = 2")
            .execute(&app.db.pool)
            .await;
        assert!(upd.is_err(), "UPDATE on the audit trail must be refused");
        let del = sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(&app.db.pool)
            .await;
        assert!(del.is_err(), "DELETE on the audit trail must be refused");

        // Someone with the power to drop the guard edits a row: the chain shows where.
        let drop = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            Backend::Postgres => "DROP TRIGGER audit_log_no_update_delete ON audit_log",
        };
        sqlx::query(drop).execute(&app.db.pool).await.unwrap();
        sqlx::query("UPDATE audit_log SET details = '{\"code\":\"forged\"}' WHERE seq = 3")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let broken = app.get(&admin, "/api/v1/audit/verify").await;
        assert_eq!(broken.body["ok"], false);
        assert_eq!(broken.body["first_broken_seq"], 3);
        assert_eq!(broken.body["checked"], 2);

        // Auditors read the trail; cashiers do not.
        let auditor = app.demo_user("auditor").await;
        assert_eq!(
            app.get(&auditor, "/api/v1/audit").await.status,
            StatusCode::OK
        );
        let cashier = app.demo_user("cashier.sh001").await;
        assert_eq!(
            app.get(&cashier, "/api/v1/audit").await.status,
            StatusCode::FORBIDDEN
        );
    }
}
