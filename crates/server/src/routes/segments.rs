//! `/segments`: RFM recompute (named segments on every member), saved segment filters, and the
//! export of a saved segment's members (phones masked without `customers.contact`).

use super::files;
use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::customers::rfm::{self, RecomputeResult};
use salepoint_store::customers::segments::{self, SavedSegment, SegmentInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(recompute))
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(export))
}

/// Recomputes every member's RFM scores (1–5) and named segment from their sales.
#[utoipa::path(post, path = "/segments/recompute", tag = "customers",
    responses((status = 200, body = RecomputeResult)))]
async fn recompute(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<RecomputeResult>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(rfm::recompute(&s.db, &p).await?))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Saved segments, by name.
#[utoipa::path(get, path = "/segments", tag = "customers", params(ListQuery),
    responses((status = 200, body = Page<SavedSegment>)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<SavedSegment>>> {
    p.require(Permission::CustomersRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(segments::list(&s.db, &p, &page).await?))
}

/// Saves a segment filter.
#[utoipa::path(post, path = "/segments", tag = "customers", request_body = SegmentInput,
    responses((status = 201, body = SavedSegment), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<SegmentInput>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersManage)?;
    created(segments::create(&s.db, &p, body.get()?).await?)
}

/// One saved segment.
#[utoipa::path(get, path = "/segments/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = SavedSegment)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SavedSegment>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(segments::get(&s.db, &p, &id.to_string()).await?))
}

/// Replaces a saved segment's name and filter.
#[utoipa::path(put, path = "/segments/{id}", tag = "customers", params(("id" = String, Path)),
    request_body = SegmentInput, responses((status = 200, body = SavedSegment)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<SegmentInput>,
) -> ApiResult<Json<SavedSegment>> {
    p.require(Permission::CustomersManage)?;
    Ok(Json(
        segments::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// Deletes a saved segment.
#[utoipa::path(delete, path = "/segments/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 204)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    p.require(Permission::CustomersManage)?;
    segments::delete(&s.db, &p, &id.to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
    /// Header language: `zh-CN` (default) or `en`.
    lang: Option<String>,
}

/// The members of a saved segment in scope as a file; phones masked without
/// `customers.contact`.
#[utoipa::path(get, path = "/segments/{id}/export", tag = "customers", params(("id" = String, Path), ExportQuery),
    responses((status = 200, description = "the file", content_type = "text/csv")))]
async fn export(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersRead)?;
    let format = files::format(q.format.as_deref())?;
    let lang = files::lang(q.lang.as_deref());
    let rows = segments::export_rows(&s.db, &p, &id.to_string(), lang).await?;
    let bytes = segments::render(&rows, format)?;
    Ok(files::download(bytes, format, "segment"))
}
