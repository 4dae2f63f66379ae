//! Salepoint's HTTP server: the JSON API under `/api/v1` (one module per business module in
//! `routes/`), the OpenAPI document, health and metrics, and the embedded web UI.

pub mod documents;
pub mod error;
pub mod extract;
pub mod idempotent;
pub mod observe;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::routing::get;
use salepoint_store::Db;
use state::{AppState, ServerConfig};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

/// Largest accepted request body.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The API routes and their OpenAPI document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(routes::auth::router())
        .merge(routes::company::router())
        .merge(routes::regions::router())
        .merge(routes::stores::router())
        .merge(routes::registers::router())
        .merge(routes::channels::router())
        .merge(routes::users::router())
        .merge(routes::roles::router())
        .merge(routes::api_keys::router())
        .merge(routes::approvals::router())
        .merge(routes::audit::router())
        .merge(routes::catalog::router())
        .merge(routes::products::router())
        .merge(routes::prices::router())
        .merge(routes::catalog_sync::router())
        .merge(routes::tender_types::router())
        .merge(routes::shifts::router())
        .merge(routes::sales::router())
        .merge(routes::events::router())
        .merge(routes::stock::router())
        .merge(routes::suppliers::router())
        .merge(routes::purchase_orders::router())
        .merge(routes::transfers::router())
        .merge(routes::stock_counts::router())
        .merge(routes::replenishment::router())
        .merge(routes::customers::router())
        .merge(routes::member_tiers::router())
        .merge(routes::customer_tasks::router())
        .merge(routes::segments::router())
        .merge(routes::customer_reports::router())
        .merge(routes::stored_value::router())
        .merge(routes::reports::router())
        .merge(routes::inventory_reports::router());
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts()
}

/// The whole application.
pub fn app(db: Db, cfg: ServerConfig) -> Router {
    let state = AppState::new(state::Shared {
        sales: salepoint_store::orders::SaleWriter::start(db.clone()),
        scans: salepoint_store::catalog::barcode_lookups::BarcodeLookups::start(db.clone()),
        db,
        cfg,
        metrics: observe::metrics_handle(),
    });
    let (api, mut doc) = api();
    // The document lists paths relative to the server URL `/api/v1`.
    doc.paths.paths = std::mem::take(&mut doc.paths.paths)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("/api/v1").to_string(), v))
        .collect();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .route("/api/v1/{*rest}", axum::routing::any(|| async { error::ApiError::NotFound }))
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .fallback(web::serve)
        .with_state(state)
        .layer(axum::middleware::from_fn(observe::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Serves `app` on `listener` until `shutdown` resolves; in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Each answer goes out at once, not held back until the previous one is acknowledged.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
