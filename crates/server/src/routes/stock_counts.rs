//! `/stock-counts`: stock counts (盘点) — start one over a location's products, enter counted
//! figures (typed or scanned), submit, and approve (which posts the variances) or cancel.

use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use salepoint_domain::inventory::CountStatus;
use salepoint_domain::roles::Permission;
use salepoint_store::inventory::counts::{
    self, CountActionInput, CountFilter, CountInput, EntriesInput, StockCount,
};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_count, list_counts))
        .routes(routes!(get_count))
        .routes(routes!(enter))
        .routes(routes!(submit))
        .routes(routes!(approve))
        .routes(routes!(cancel))
}

/// Starts a count at a location; the expected figures are taken now (`snapshot_at`).
#[utoipa::path(post, path = "/stock-counts", tag = "inventory", request_body = CountInput,
    responses((status = 201, body = StockCount), (status = 422, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn create_count(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<CountInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(counts::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

#[derive(Deserialize, IntoParams)]
struct CountsQuery {
    location_id: Option<Uuid>,
    /// `open`, `submitted`, `approved` or `cancelled`.
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Counts of the locations in scope, newest first, with their summaries.
#[utoipa::path(get, path = "/stock-counts", tag = "inventory", params(CountsQuery),
    responses((status = 200, body = Page<StockCount>)))]
async fn list_counts(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<CountsQuery>,
) -> ApiResult<Json<Page<StockCount>>> {
    p.require(Permission::StockRead)?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(x) => Some(CountStatus::parse(x).ok_or_else(|| {
            ApiError::field(
                "status",
                "invalid_value",
                "open, submitted, approved or cancelled",
            )
        })?),
    };
    let f = CountFilter {
        location_id: q.location_id.map(|x| x.to_string()),
        status,
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(counts::list(&s.db, &p, &f, &page).await?))
}

/// One count with its lines (blind counts hide expected figures and variances from callers
/// without `stock.approve`).
#[utoipa::path(get, path = "/stock-counts/{id}", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, body = StockCount), (status = 404, body = crate::error::Problem)))]
async fn get_count(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StockCount>> {
    p.require(Permission::StockRead)?;
    Ok(Json(counts::get(&s.db, &p, &id.to_string()).await?))
}

/// Enters counted figures: `set` a typed figure or `add` a scan, by product id or barcode.
/// Answers the count with its new version.
#[utoipa::path(post, path = "/stock-counts/{id}/entries", tag = "inventory", params(("id" = String, Path)),
    request_body = EntriesInput,
    responses((status = 200, body = StockCount), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn enter(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<EntriesInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    let id = id.to_string();
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body, id) = (&s, &p, &body, &id);
        async move {
            let r = counts::enter(&s.db, p, id, body.get()?, lock.as_ref()).await?;
            Ok(Json(r).into_response())
        }
    })
    .await
}

/// The shape of the three actions: permission, then the idempotent store call.
async fn action(
    s: AppState,
    p: salepoint_store::Principal,
    id: Uuid,
    key: IdempotencyKey,
    body: ApiJson<CountActionInput>,
    perm: Permission,
    run: Action,
) -> ApiResult<Response> {
    p.require(perm)?;
    body.get()?;
    let id = id.to_string();
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body, id) = (&s, &p, &body, &id);
        async move {
            let input = body.get()?;
            let c = match run {
                Action::Submit => counts::submit(&s.db, p, id, input, lock.as_ref()).await?,
                Action::Approve => counts::approve(&s.db, p, id, input, lock.as_ref()).await?,
                Action::Cancel => counts::cancel(&s.db, p, id, input, lock.as_ref()).await?,
            };
            Ok(Json(c).into_response())
        }
    })
    .await
}

#[derive(Clone, Copy)]
enum Action {
    Submit,
    Approve,
    Cancel,
}

/// Counting is done (`{version}`); the count waits for approval.
#[utoipa::path(post, path = "/stock-counts/{id}/submit", tag = "inventory", params(("id" = String, Path)),
    request_body = CountActionInput,
    responses((status = 200, body = StockCount), (status = 409, body = crate::error::Problem)))]
async fn submit(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<CountActionInput>,
) -> ApiResult<Response> {
    action(s, p, id, key, body, Permission::StockManage, Action::Submit).await
}

/// Approves a submitted count (`{version}`): each counted line's `counted − book` is posted as
/// a `count` movement.
#[utoipa::path(post, path = "/stock-counts/{id}/approve", tag = "inventory", params(("id" = String, Path)),
    request_body = CountActionInput,
    responses((status = 200, body = StockCount), (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<CountActionInput>,
) -> ApiResult<Response> {
    action(
        s,
        p,
        id,
        key,
        body,
        Permission::StockApprove,
        Action::Approve,
    )
    .await
}

/// Cancels an open or submitted count (`{version, reason}`); nothing is posted.
#[utoipa::path(post, path = "/stock-counts/{id}/cancel", tag = "inventory", params(("id" = String, Path)),
    request_body = CountActionInput,
    responses((status = 200, body = StockCount), (status = 409, body = crate::error::Problem)))]
async fn cancel(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<CountActionInput>,
) -> ApiResult<Response> {
    action(
        s,
        p,
        id,
        key,
        body,
        Permission::StockApprove,
        Action::Cancel,
    )
    .await
}
