//! `/purchase-orders`: draft, submit, approve, receive, return to the supplier, close, cancel.

use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::inventory::PoStatus;
use salepoint_domain::roles::Permission;
use salepoint_store::inventory::purchase_orders::{
    self, ActionInput, PoAction, PoFilter, PoInput, PurchaseOrder,
};
use salepoint_store::inventory::receiving::{self, ReceiveInput, SupplierReturnInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(submit))
        .routes(routes!(approve))
        .routes(routes!(cancel))
        .routes(routes!(close))
        .routes(routes!(receive))
        .routes(routes!(supplier_return))
}

#[derive(Deserialize, IntoParams)]
struct PoQuery {
    location_id: Option<Uuid>,
    supplier_id: Option<Uuid>,
    /// `draft`, `submitted`, `approved`, `partially_received`, `received`, `closed`,
    /// `cancelled`.
    status: Option<String>,
    /// Number or supplier name.
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Purchase orders of the locations in scope, newest first (without lines).
#[utoipa::path(get, path = "/purchase-orders", tag = "inventory", params(PoQuery), responses((status = 200, body = Page<PurchaseOrder>)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<PoQuery>,
) -> ApiResult<Json<Page<PurchaseOrder>>> {
    p.require(Permission::StockRead)?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(t) => Some(PoStatus::parse(t).ok_or_else(|| {
            ApiError::field("status", "invalid_value", "a purchase order status")
        })?),
    };
    let f = PoFilter {
        location_id: q.location_id.map(|x| x.to_string()),
        supplier_id: q.supplier_id.map(|x| x.to_string()),
        status,
        q: q.q.clone(),
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(purchase_orders::list(&s.db, &p, &f, &page).await?))
}

/// Drafts a purchase order.
#[utoipa::path(post, path = "/purchase-orders", tag = "inventory", request_body = PoInput,
    responses((status = 201, body = PurchaseOrder), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<PoInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(purchase_orders::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One purchase order with its lines and receipts.
#[utoipa::path(get, path = "/purchase-orders/{id}", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, body = PurchaseOrder)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PurchaseOrder>> {
    p.require(Permission::StockRead)?;
    Ok(Json(
        purchase_orders::get(&s.db, &p, &id.to_string()).await?,
    ))
}

/// Replaces a draft (send its `version`).
#[utoipa::path(put, path = "/purchase-orders/{id}", tag = "inventory", params(("id" = String, Path)), request_body = PoInput,
    responses((status = 200, body = PurchaseOrder), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<PoInput>,
) -> ApiResult<Json<PurchaseOrder>> {
    p.require(Permission::StockManage)?;
    Ok(Json(
        purchase_orders::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

async fn act(
    s: &AppState,
    p: &salepoint_store::Principal,
    id: Uuid,
    action: PoAction,
    body: &ApiJson<ActionInput>,
) -> ApiResult<Json<PurchaseOrder>> {
    Ok(Json(
        purchase_orders::act(&s.db, p, &id.to_string(), action, body.get()?).await?,
    ))
}

/// Submits a draft; at or below the company's approval limit it is approved at once.
#[utoipa::path(post, path = "/purchase-orders/{id}/submit", tag = "inventory", params(("id" = String, Path)), request_body = ActionInput,
    responses((status = 200, body = PurchaseOrder), (status = 409, body = crate::error::Problem)))]
async fn submit(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ActionInput>,
) -> ApiResult<Json<PurchaseOrder>> {
    p.require(Permission::StockManage)?;
    act(&s, &p, id, PoAction::Submit, &body).await
}

/// Approves a submitted order.
#[utoipa::path(post, path = "/purchase-orders/{id}/approve", tag = "inventory", params(("id" = String, Path)), request_body = ActionInput,
    responses((status = 200, body = PurchaseOrder), (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ActionInput>,
) -> ApiResult<Json<PurchaseOrder>> {
    p.require(Permission::StockApprove)?;
    act(&s, &p, id, PoAction::Approve, &body).await
}

/// Cancels an order before anything was received (`reason` required).
#[utoipa::path(post, path = "/purchase-orders/{id}/cancel", tag = "inventory", params(("id" = String, Path)), request_body = ActionInput,
    responses((status = 200, body = PurchaseOrder), (status = 409, body = crate::error::Problem)))]
async fn cancel(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ActionInput>,
) -> ApiResult<Json<PurchaseOrder>> {
    p.require(Permission::StockApprove)?;
    act(&s, &p, id, PoAction::Cancel, &body).await
}

/// Closes a (partially) received order: nothing more will come.
#[utoipa::path(post, path = "/purchase-orders/{id}/close", tag = "inventory", params(("id" = String, Path)), request_body = ActionInput,
    responses((status = 200, body = PurchaseOrder), (status = 409, body = crate::error::Problem)))]
async fn close(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ActionInput>,
) -> ApiResult<Json<PurchaseOrder>> {
    p.require(Permission::StockApprove)?;
    act(&s, &p, id, PoAction::Close, &body).await
}

/// Receives a delivery: receipt movements, moving-average cost, the order's new state.
#[utoipa::path(post, path = "/purchase-orders/{id}/receive", tag = "inventory", params(("id" = String, Path)), request_body = ReceiveInput,
    responses((status = 201, body = PurchaseOrder), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn receive(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<ReceiveInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    let id = id.to_string();
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body, id) = (&s, &p, &body, &id);
        async move { created(receiving::receive(&s.db, p, id, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Sends received goods back to the supplier.
#[utoipa::path(post, path = "/purchase-orders/{id}/returns", tag = "inventory", params(("id" = String, Path)), request_body = SupplierReturnInput,
    responses((status = 201, body = PurchaseOrder), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn supplier_return(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<SupplierReturnInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    let id = id.to_string();
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body, id) = (&s, &p, &body, &id);
        async move {
            created(receiving::return_to_supplier(&s.db, p, id, body.get()?, lock.as_ref()).await?)
        }
    })
    .await
}
