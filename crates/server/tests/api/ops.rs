//! Operations: health, readiness (503 when the database is gone), metrics, request ids, the
//! OpenAPI document and its browsable page, and the web UI shell.

use crate::support::{backends, spawn};
use reqwest::{Method, StatusCode};
use salepoint_store::error::StoreError;

#[tokio::test]
async fn health_metrics_openapi_and_outage() {
    for backend in backends() {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        assert_eq!(
            app.call(Method::GET, "/healthz", None, None).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.call(Method::GET, "/readyz", None, None).await.status,
            StatusCode::OK
        );

        let r = app
            .call_with(
                Method::GET,
                "/api/v1/stores",
                Some(&admin),
                None,
                &[("x-request-id", "trace-me-42")],
            )
            .await;
        assert_eq!(r.headers["x-request-id"], "trace-me-42");
        let r = app.get(&admin, "/api/v1/stores").await;
        assert!(!r.headers["x-request-id"].is_empty());

        let metrics = app
            .http
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(metrics.contains("http_requests_total"), "{metrics}");

        let doc = app.call(Method::GET, "/api/openapi.json", None, None).await;
        assert_eq!(doc.body["openapi"], "3.1.0");
        for path in [
            "/stores",
            "/stores/{id}/registers",
            "/users",
            "/auth/login",
            "/audit/verify",
            "/api-keys/{id}",
            "/approvals",
        ] {
            assert!(
                doc.body["paths"].get(path).is_some(),
                "{path} missing from the OpenAPI document"
            );
        }
        let docs = app
            .http
            .get(format!("{}/api/docs/", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(docs.status(), StatusCode::OK);
        assert!(docs.text().await.unwrap().contains("swagger"));

        let index = app.http.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(index.status(), StatusCode::OK);
        assert!(
            index.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );

        // The database goes away: readiness and API calls say 503, not 500.
        app.db.pool.close().await;
        let ready = app.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
        let r = app.get(&admin, "/api/v1/stores").await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
        assert_eq!(r.code(), "unavailable");
    }
}

/// PostgreSQL restarted (its connections cut, as `pg_terminate_backend` does): the next
/// statement fails, then every one succeeds again — a cut connection is found out and replaced
/// rather than handed round the pool, also where it goes back without a look (a transaction).
#[tokio::test]
async fn cut_postgresql_connections_are_replaced() {
    use crate::support::Backend;
    use sqlx::Connection;
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let admin = app.admin().await;
    let database: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let cut_all = || async {
        let url = std::env::var("SALEPOINT_TEST_PG_URL").unwrap();
        let mut cutter = sqlx::PgConnection::connect(&url).await.unwrap();
        let cut: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(&database)
        .fetch_all(&mut cutter)
        .await
        .unwrap();
        cutter.close().await.unwrap();
        assert!(!cut.is_empty(), "the app held connections to cut");
    };

    // Transactions back to back (no connection idles long enough to be pinged for that).
    cut_all().await;
    let mut failed = 0;
    for _ in 0..12 {
        match app.db.begin().await {
            Ok(tx) => tx.commit().await.unwrap(),
            Err(e) => {
                assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
                failed += 1;
            }
        }
    }
    assert_eq!(
        failed, 1,
        "one transaction meets the cut connection, no other"
    );

    // Through the API: a write fails at most once, then all succeed.
    cut_all().await;
    let region = |i: usize| serde_json::json!({"code": format!("CUT{i}"), "name": "区"});
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(app.post(&admin, "/api/v1/regions", region(i)).await.status);
    }
    assert!(
        statuses[1..].iter().all(|s| *s == StatusCode::CREATED)
            && [StatusCode::CREATED, StatusCode::SERVICE_UNAVAILABLE].contains(&statuses[0]),
        "{statuses:?}"
    );
}

/// After a schema change (what migrations do) every pooled connection is replaced: one that
/// had prepared `SELECT * FROM stores` on the old schema would otherwise run it again with a
/// column more than its driver expects (SQLite: sqlx's worker thread panicked and the query
/// answered no rows; PostgreSQL: "cached plan must not change result type").
#[tokio::test]
async fn connections_opened_before_a_schema_change_are_replaced() {
    use sqlx::Row;
    for backend in backends() {
        let app = spawn(backend).await;
        // Every pooled connection prepares the statement on the current schema.
        let select_all = |conns: Vec<salepoint_store::pool::PoolConnection>| async move {
            let mut widths = Vec::new();
            for mut c in conns {
                let rows = sqlx::query("SELECT * FROM stores ORDER BY code")
                    .fetch_all(&mut *c)
                    .await
                    .unwrap();
                assert!(!rows.is_empty(), "the demo chain has stores");
                widths.push(rows[0].len());
            }
            widths
        };
        let hold_all = || async {
            let mut conns = Vec::new();
            for _ in 0..4 {
                conns.push(app.db.pool.acquire().await.unwrap());
            }
            conns
        };
        let before = select_all(hold_all().await).await;
        let mut tx = app.db.begin().await.unwrap();
        salepoint_store::db::execute(&mut tx, "ALTER TABLE stores ADD COLUMN test_note TEXT")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.db.pool.schema_changed();
        let after = select_all(hold_all().await).await;
        assert!(before.iter().all(|w| *w == before[0]), "{before:?}");
        assert_eq!(after, vec![before[0] + 1; 4], "{backend:?}");
    }
}

/// A transaction dropped without a commit on PostgreSQL (a request that failed after locking a
/// row) lets go of its locks at once, not only when its connection is next taken from the pool
/// (nothing takes it here: without the rollback sent at drop it stays open for good).
#[tokio::test]
async fn a_dropped_postgresql_transaction_lets_go_of_its_locks_at_once() {
    use crate::support::Backend;
    use sqlx::Connection;
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let database: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("SELECT id FROM stores ORDER BY code LIMIT 1 FOR UPDATE")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    drop(tx);
    let mut admin = sqlx::PgConnection::connect(&std::env::var("SALEPOINT_TEST_PG_URL").unwrap())
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 \
             AND state = 'idle in transaction' AND query LIKE '%FROM stores%FOR UPDATE%'",
        )
        .bind(&database)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the dropped transaction still holds its row lock"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
