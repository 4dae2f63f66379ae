//! `/stores`: locations — stores (sales points) and warehouses.

use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::ids::{RegionId, StoreId};
use salepoint_domain::org::LocationKind;
use salepoint_domain::roles::Permission;
use salepoint_store::org::{self, Location, LocationFilter, LocationInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stores, create_store))
        .routes(routes!(get_store, update_store))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// `store` or `warehouse`.
    kind: Option<LocationKind>,
    region_id: Option<RegionId>,
    /// Part of the code or name.
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Stores and warehouses the caller may see.
#[utoipa::path(get, path = "/stores", tag = "organisation", params(ListQuery),
    responses((status = 200, body = Page<Location>)))]
async fn list_stores(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Location>>> {
    p.require(Permission::OrgRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    let f = LocationFilter {
        kind: q.kind,
        region_id: q.region_id,
        q: q.q,
    };
    Ok(Json(org::list_locations(&s.db, &p, &f, &pg).await?))
}

/// Creates a store or warehouse.
#[utoipa::path(post, path = "/stores", tag = "organisation", request_body = LocationInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = Location), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_store(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<LocationInput>,
) -> ApiResult<Response> {
    p.require(Permission::OrgManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(org::create_location(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One store or warehouse.
#[utoipa::path(get, path = "/stores/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = Location), (status = 404, body = crate::error::Problem)))]
async fn get_store(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<StoreId>,
) -> ApiResult<Json<Location>> {
    p.require(Permission::OrgRead)?;
    Ok(Json(org::get_location(&s.db, &p, id).await?))
}

/// Updates a store or warehouse (send its `version`).
#[utoipa::path(put, path = "/stores/{id}", tag = "organisation", params(("id" = String, Path)), request_body = LocationInput,
    responses((status = 200, body = Location), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn update_store(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<StoreId>,
    body: ApiJson<LocationInput>,
) -> ApiResult<Json<Location>> {
    p.require(Permission::OrgManage)?;
    Ok(Json(
        org::update_location(&s.db, &p, id, body.get()?).await?,
    ))
}
