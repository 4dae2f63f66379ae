//! `/regions`: groups of stores.

use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::ids::RegionId;
use salepoint_domain::roles::Permission;
use salepoint_store::org::{self, Region, RegionInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions, create_region))
        .routes(routes!(get_region, update_region))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Regions the caller may see.
#[utoipa::path(get, path = "/regions", tag = "organisation", params(ListQuery),
    responses((status = 200, body = Page<Region>)))]
async fn list_regions(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Region>>> {
    p.require(Permission::OrgRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(org::list_regions(&s.db, &p, &pg).await?))
}

/// Creates a region.
#[utoipa::path(post, path = "/regions", tag = "organisation", request_body = RegionInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = Region), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_region(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<RegionInput>,
) -> ApiResult<Response> {
    p.require(Permission::OrgManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(org::create_region(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One region.
#[utoipa::path(get, path = "/regions/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = Region), (status = 404, body = crate::error::Problem)))]
async fn get_region(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<RegionId>,
) -> ApiResult<Json<Region>> {
    p.require(Permission::OrgRead)?;
    Ok(Json(org::get_region(&s.db, &p, id).await?))
}

/// Updates a region (send its `version`).
#[utoipa::path(put, path = "/regions/{id}", tag = "organisation", params(("id" = String, Path)), request_body = RegionInput,
    responses((status = 200, body = Region), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn update_region(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<RegionId>,
    body: ApiJson<RegionInput>,
) -> ApiResult<Json<Region>> {
    p.require(Permission::OrgManage)?;
    Ok(Json(org::update_region(&s.db, &p, id, body.get()?).await?))
}
