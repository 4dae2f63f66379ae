//! `/stores/{id}/registers`: the registers (terminals) of a store.

use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::ids::{RegisterId, StoreId};
use salepoint_domain::roles::Permission;
use salepoint_store::org::{self, Register, RegisterInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_registers, create_register))
        .routes(routes!(get_register, update_register))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Registers of a store.
#[utoipa::path(get, path = "/stores/{id}/registers", tag = "organisation", params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Page<Register>), (status = 404, body = crate::error::Problem)))]
async fn list_registers(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<StoreId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Register>>> {
    p.require(Permission::OrgRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(org::list_registers(&s.db, &p, id, &pg).await?))
}

/// Adds a register to a store.
#[utoipa::path(post, path = "/stores/{id}/registers", tag = "organisation", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")), request_body = RegisterInput,
    responses((status = 201, body = Register), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn create_register(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<StoreId>,
    key: IdempotencyKey,
    body: ApiJson<RegisterInput>,
) -> ApiResult<Response> {
    p.require(Permission::RegistersManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move {
        created(org::create_register(&s.db, p, id, body.get()?, lock.as_ref()).await?)
    }})
    .await
}

/// One register.
#[utoipa::path(get, path = "/stores/{id}/registers/{register_id}", tag = "organisation",
    params(("id" = String, Path), ("register_id" = String, Path)),
    responses((status = 200, body = Register), (status = 404, body = crate::error::Problem)))]
async fn get_register(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath((id, register_id)): ApiPath<(StoreId, RegisterId)>,
) -> ApiResult<Json<Register>> {
    p.require(Permission::OrgRead)?;
    Ok(Json(org::get_register(&s.db, &p, id, register_id).await?))
}

/// Updates a register (send its `version`).
#[utoipa::path(put, path = "/stores/{id}/registers/{register_id}", tag = "organisation",
    params(("id" = String, Path), ("register_id" = String, Path)), request_body = RegisterInput,
    responses((status = 200, body = Register), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn update_register(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath((id, register_id)): ApiPath<(StoreId, RegisterId)>,
    body: ApiJson<RegisterInput>,
) -> ApiResult<Json<Register>> {
    p.require(Permission::RegistersManage)?;
    Ok(Json(
        org::update_register(&s.db, &p, id, register_id, body.get()?).await?,
    ))
}
