//! Operations: health, readiness (503 when the database is gone), metrics, request ids, the
//! OpenAPI document and its browsable page, and the web UI shell.

use crate::support::{backends, spawn};
use reqwest::{Method, StatusCode};

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
