//! `/transfers`: stock moving between locations — request (要货), approve, ship, receive,
//! close, cancel.

use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use salepoint_domain::inventory::TransferStatus;
use salepoint_domain::roles::Permission;
use salepoint_store::inventory::transfers::{
    self, Source, Transfer, TransferAction, TransferActionInput, TransferFilter, TransferInput,
};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(sources))
        .routes(routes!(get_one))
        .routes(routes!(approve))
        .routes(routes!(ship))
        .routes(routes!(receive))
        .routes(routes!(close))
        .routes(routes!(cancel))
}

#[derive(Deserialize, IntoParams)]
struct TransferQuery {
    location_id: Option<Uuid>,
    /// `in` (to the location) or `out` (from it).
    direction: Option<String>,
    /// `requested`, `approved`, `shipped`, `received`, `closed`, `cancelled`.
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Transfers touching the locations in scope, newest first (without lines).
#[utoipa::path(get, path = "/transfers", tag = "inventory", params(TransferQuery), responses((status = 200, body = Page<Transfer>)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<TransferQuery>,
) -> ApiResult<Json<Page<Transfer>>> {
    p.require(Permission::StockRead)?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(t) => Some(
            TransferStatus::parse(t)
                .ok_or_else(|| ApiError::field("status", "invalid_value", "a transfer status"))?,
        ),
    };
    if q.direction
        .as_deref()
        .is_some_and(|d| d != "in" && d != "out")
    {
        return Err(ApiError::field("direction", "invalid_value", "in or out"));
    }
    let f = TransferFilter {
        location_id: q.location_id.map(|x| x.to_string()),
        direction: q.direction.clone(),
        status,
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(transfers::list(&s.db, &p, &f, &page).await?))
}

/// Requests a transfer (either location in scope).
#[utoipa::path(post, path = "/transfers", tag = "inventory", request_body = TransferInput,
    responses((status = 201, body = Transfer), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<TransferInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(transfers::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// The warehouses goods may be requested from (要货), whether or not they are in the caller's
/// scope.
#[utoipa::path(get, path = "/transfers/sources", tag = "inventory", responses((status = 200, body = super::catalog::All<Source>)))]
async fn sources(
    State(s): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<super::catalog::All<Source>>> {
    p.require(Permission::StockManage)?;
    Ok(Json(super::catalog::All {
        data: transfers::sources(&s.db, &p).await?,
    }))
}

/// One transfer with its lines and differences.
#[utoipa::path(get, path = "/transfers/{id}", tag = "inventory", params(("id" = String, Path)), responses((status = 200, body = Transfer)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Transfer>> {
    p.require(Permission::StockRead)?;
    Ok(Json(transfers::get(&s.db, &p, &id.to_string()).await?))
}

async fn act(
    s: &AppState,
    p: &salepoint_store::Principal,
    id: Uuid,
    action: TransferAction,
    key: IdempotencyKey,
    body: &ApiJson<TransferActionInput>,
) -> ApiResult<Response> {
    body.get()?;
    let id = id.to_string();
    idempotent(s, p, key, &body.fingerprint, |lock| {
        let id = &id;
        async move {
            let t = transfers::act(&s.db, p, id, action, body.get()?, lock.as_ref()).await?;
            Ok(Json(t).into_response())
        }
    })
    .await
}

/// The source approves the request.
#[utoipa::path(post, path = "/transfers/{id}/approve", tag = "inventory", params(("id" = String, Path)), request_body = TransferActionInput,
    responses((status = 200, body = Transfer), (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferActionInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockApprove)?;
    act(&s, &p, id, TransferAction::Approve, key, &body).await
}

/// The source ships (stock leaves it and shows in transit at the destination).
#[utoipa::path(post, path = "/transfers/{id}/ship", tag = "inventory", params(("id" = String, Path)), request_body = TransferActionInput,
    responses((status = 200, body = Transfer), (status = 409, body = crate::error::Problem)))]
async fn ship(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferActionInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    act(&s, &p, id, TransferAction::Ship, key, &body).await
}

/// The destination receives (differences to what was shipped are recorded per line).
#[utoipa::path(post, path = "/transfers/{id}/receive", tag = "inventory", params(("id" = String, Path)), request_body = TransferActionInput,
    responses((status = 200, body = Transfer), (status = 409, body = crate::error::Problem)))]
async fn receive(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferActionInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    act(&s, &p, id, TransferAction::Receive, key, &body).await
}

/// Closes a received transfer (its differences accepted).
#[utoipa::path(post, path = "/transfers/{id}/close", tag = "inventory", params(("id" = String, Path)), request_body = TransferActionInput,
    responses((status = 200, body = Transfer), (status = 409, body = crate::error::Problem)))]
async fn close(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferActionInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockApprove)?;
    act(&s, &p, id, TransferAction::Close, key, &body).await
}

/// Cancels a transfer before it ships (`reason` required).
#[utoipa::path(post, path = "/transfers/{id}/cancel", tag = "inventory", params(("id" = String, Path)), request_body = TransferActionInput,
    responses((status = 200, body = Transfer), (status = 409, body = crate::error::Problem)))]
async fn cancel(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferActionInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockApprove)?;
    act(&s, &p, id, TransferAction::Cancel, key, &body).await
}
