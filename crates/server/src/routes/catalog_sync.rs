//! `/stores/{id}/catalog`: what a register downloads to sell offline, then the changes.

use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use salepoint_domain::ids::StoreId;
use salepoint_domain::roles::Permission;
use salepoint_store::catalog::sync::{self, Changes, Snapshot};
use serde::Deserialize;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(snapshot))
        .routes(routes!(changes))
        // A snapshot is tens of MB of JSON: gzip level 1 compresses it several times faster
        // than the default level 6 for a somewhat bigger body (docs/benchmarks.md, Catalog).
        // The app-wide compression leaves a response that is already encoded alone.
        .route_layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
}

/// The register's full catalog for a store (send `Accept-Encoding: gzip`).
#[utoipa::path(get, path = "/stores/{id}/catalog", tag = "catalog", params(("id" = String, Path)),
    responses((status = 200, body = Snapshot), (status = 404, body = crate::error::Problem)))]
async fn snapshot(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<StoreId>,
) -> ApiResult<Json<Snapshot>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(sync::snapshot(&s.db, &p, id).await?))
}

#[derive(Deserialize, IntoParams)]
struct ChangesQuery {
    /// The `cursor` of the last snapshot or changes.
    since: i64,
}

/// What changed after `since`.
#[utoipa::path(get, path = "/stores/{id}/catalog/changes", tag = "catalog", params(("id" = String, Path), ChangesQuery),
    responses((status = 200, body = Changes), (status = 404, body = crate::error::Problem)))]
async fn changes(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<StoreId>,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> ApiResult<Json<Changes>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(sync::changes(&s.db, &p, id, q.since).await?))
}
