//! `/suppliers`: who the company buys from, and what each supplies at which cost.

use super::catalog::All;
use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::inventory::suppliers::{
    self, Supplier, SupplierInput, SupplierProduct, SupplierProductsInput,
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
        .routes(routes!(get_one, update))
        .routes(routes!(products, set_products))
}

#[derive(Deserialize, IntoParams)]
struct SupplierQuery {
    /// Code or name.
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Suppliers, by code.
#[utoipa::path(get, path = "/suppliers", tag = "inventory", params(SupplierQuery), responses((status = 200, body = Page<Supplier>)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<SupplierQuery>,
) -> ApiResult<Json<Page<Supplier>>> {
    p.require(Permission::StockRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(
        suppliers::list(&s.db, &p, q.q.as_deref(), &page).await?,
    ))
}

/// Creates a supplier.
#[utoipa::path(post, path = "/suppliers", tag = "inventory", request_body = SupplierInput,
    responses((status = 201, body = Supplier), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<SupplierInput>,
) -> ApiResult<Response> {
    p.require(Permission::SuppliersManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(suppliers::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One supplier.
#[utoipa::path(get, path = "/suppliers/{id}", tag = "inventory", params(("id" = String, Path)), responses((status = 200, body = Supplier)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Supplier>> {
    p.require(Permission::StockRead)?;
    Ok(Json(suppliers::get(&s.db, &p, &id.to_string()).await?))
}

/// Changes a supplier (send its `version`).
#[utoipa::path(put, path = "/suppliers/{id}", tag = "inventory", params(("id" = String, Path)), request_body = SupplierInput,
    responses((status = 200, body = Supplier), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<SupplierInput>,
) -> ApiResult<Json<Supplier>> {
    p.require(Permission::SuppliersManage)?;
    Ok(Json(
        suppliers::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// What a supplier supplies.
#[utoipa::path(get, path = "/suppliers/{id}/products", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, body = All<SupplierProduct>)))]
async fn products(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<All<SupplierProduct>>> {
    p.require(Permission::StockRead)?;
    Ok(Json(All {
        data: suppliers::products(&s.db, &p, &id.to_string()).await?,
    }))
}

/// Replaces what a supplier supplies (cost, lead time, pack, preferred).
#[utoipa::path(put, path = "/suppliers/{id}/products", tag = "inventory", params(("id" = String, Path)),
    request_body = SupplierProductsInput,
    responses((status = 200, body = All<SupplierProduct>), (status = 422, body = crate::error::Problem)))]
async fn set_products(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<SupplierProductsInput>,
) -> ApiResult<Json<All<SupplierProduct>>> {
    p.require(Permission::SuppliersManage)?;
    Ok(Json(All {
        data: suppliers::set_products(&s.db, &p, &id.to_string(), body.get()?).await?,
    }))
}
