//! `/tax-classes`, `/categories`, `/scale-formats`: the catalog's reference data.

use super::created;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::catalog::categories::{self, Category, CategoryInput};
use salepoint_store::catalog::scale_formats::{self, ScaleFormat, ScaleFormatInput};
use salepoint_store::catalog::tax_classes::{self, TaxClass, TaxClassInput};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tax_classes, create_tax_class))
        .routes(routes!(update_tax_class))
        .routes(routes!(list_categories, create_category))
        .routes(routes!(update_category))
        .routes(routes!(list_scale_formats, create_scale_format))
        .routes(routes!(update_scale_format))
}

/// A whole, unpaged list (these lists are short).
#[derive(Serialize, ToSchema)]
pub struct All<T> {
    pub data: Vec<T>,
}

/// The company's tax classes.
#[utoipa::path(get, path = "/tax-classes", tag = "catalog", responses((status = 200, body = All<TaxClass>)))]
async fn list_tax_classes(
    State(s): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<All<TaxClass>>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(All {
        data: tax_classes::list(&s.db, &p).await?,
    }))
}

/// Creates a tax class.
#[utoipa::path(post, path = "/tax-classes", tag = "catalog", request_body = TaxClassInput,
    responses((status = 201, body = TaxClass), (status = 422, body = crate::error::Problem)))]
async fn create_tax_class(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<TaxClassInput>,
) -> ApiResult<Response> {
    p.require(Permission::CatalogManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(tax_classes::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Updates a tax class (send its `version`).
#[utoipa::path(put, path = "/tax-classes/{id}", tag = "catalog", params(("id" = String, Path)), request_body = TaxClassInput,
    responses((status = 200, body = TaxClass), (status = 409, body = crate::error::Problem)))]
async fn update_tax_class(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<TaxClassInput>,
) -> ApiResult<Json<TaxClass>> {
    p.require(Permission::CatalogManage)?;
    Ok(Json(
        tax_classes::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// Every category (a tree as a flat list with `parent_id`).
#[utoipa::path(get, path = "/categories", tag = "catalog", responses((status = 200, body = All<Category>)))]
async fn list_categories(
    State(s): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<All<Category>>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(All {
        data: categories::list(&s.db, &p).await?,
    }))
}

/// Creates a category.
#[utoipa::path(post, path = "/categories", tag = "catalog", request_body = CategoryInput,
    responses((status = 201, body = Category), (status = 422, body = crate::error::Problem)))]
async fn create_category(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<CategoryInput>,
) -> ApiResult<Response> {
    p.require(Permission::CatalogManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(categories::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Renames or moves a category (no cycles).
#[utoipa::path(put, path = "/categories/{id}", tag = "catalog", params(("id" = String, Path)), request_body = CategoryInput,
    responses((status = 200, body = Category), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_category(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<CategoryInput>,
) -> ApiResult<Json<Category>> {
    p.require(Permission::CatalogManage)?;
    Ok(Json(
        categories::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// The company's scale label formats.
#[utoipa::path(get, path = "/scale-formats", tag = "catalog", responses((status = 200, body = All<ScaleFormat>)))]
async fn list_scale_formats(
    State(s): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<All<ScaleFormat>>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(All {
        data: scale_formats::list_for(&s.db, p.company_id).await?,
    }))
}

/// Creates a scale label format.
#[utoipa::path(post, path = "/scale-formats", tag = "catalog", request_body = ScaleFormatInput,
    responses((status = 201, body = ScaleFormat), (status = 422, body = crate::error::Problem)))]
async fn create_scale_format(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<ScaleFormatInput>,
) -> ApiResult<Response> {
    p.require(Permission::CatalogManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(scale_formats::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Updates a scale label format.
#[utoipa::path(put, path = "/scale-formats/{id}", tag = "catalog", params(("id" = String, Path)), request_body = ScaleFormatInput,
    responses((status = 200, body = ScaleFormat), (status = 409, body = crate::error::Problem)))]
async fn update_scale_format(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ScaleFormatInput>,
) -> ApiResult<Json<ScaleFormat>> {
    p.require(Permission::CatalogManage)?;
    Ok(Json(
        scale_formats::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}
