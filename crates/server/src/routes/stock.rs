//! `/stock`: levels per location and product, one product across locations, the movement
//! ledger, manual adjustments and write-offs, reorder rules and alerts.

use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::inventory::StockStatus;
use salepoint_domain::roles::Permission;
use salepoint_store::inventory::adjustments::{self, Adjustment, AdjustmentInput};
use salepoint_store::inventory::levels::{self, ReorderRulesInput, StockFilter, StockLevel};
use salepoint_store::inventory::movements::{self, MovementFilter, StockMovement};
use salepoint_store::inventory::product_stock::{self, ProductStock};
use salepoint_store::page::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stock))
        .routes(routes!(product_stock))
        .routes(routes!(list_movements))
        .routes(routes!(adjust))
        .routes(routes!(set_reorder_rules))
        .routes(routes!(alerts))
}

fn status(s: Option<&str>, field: &str) -> ApiResult<Option<StockStatus>> {
    match s {
        None | Some("") => Ok(None),
        Some(t) => StockStatus::parse(t)
            .map(Some)
            .ok_or_else(|| ApiError::field(field, "invalid_value", "low, out, over or ok")),
    }
}

#[derive(Deserialize, IntoParams)]
struct StockQuery {
    /// Also accepted as `location` (the short form integrators are told in the issue text).
    #[serde(alias = "location")]
    location_id: Option<Uuid>,
    /// Also accepted as `product`.
    #[serde(alias = "product")]
    product_id: Option<Uuid>,
    category_id: Option<Uuid>,
    /// SKU, name or pinyin.
    q: Option<String>,
    /// `low`, `out`, `over` or `ok`.
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Stock levels of the locations in scope, by location then SKU.
#[utoipa::path(get, path = "/stock", tag = "inventory", params(StockQuery), responses((status = 200, body = Page<StockLevel>)))]
async fn list_stock(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<StockQuery>,
) -> ApiResult<Json<Page<StockLevel>>> {
    p.require(Permission::StockRead)?;
    let f = StockFilter {
        location_id: q.location_id.map(|x| x.to_string()),
        product_id: q.product_id.map(|x| x.to_string()),
        category_id: q.category_id.map(|x| x.to_string()),
        q: q.q.clone(),
        status: status(q.status.as_deref(), "status")?,
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(levels::list(&s.db, &p, &f, &page).await?))
}

#[derive(Deserialize, IntoParams)]
struct NearQuery {
    /// A location: its region's locations come first.
    near: Option<Uuid>,
    /// Locations listed: 1–1,000, default 50 (the totals always cover every location).
    limit: Option<i64>,
}

/// One product at the locations in scope ("which nearby store has it?"): totals over all of
/// them and the first `limit`, nearest region first.
#[utoipa::path(get, path = "/products/{id}/stock", tag = "inventory", params(("id" = String, Path), NearQuery),
    responses((status = 200, body = ProductStock)))]
async fn product_stock(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<NearQuery>,
) -> ApiResult<Json<ProductStock>> {
    p.require(Permission::StockRead)?;
    let limit = q.limit.unwrap_or(product_stock::DEFAULT_LIMIT);
    if !(1..=product_stock::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", "invalid_value", "from 1 to 1,000"));
    }
    let near = q.near.map(|x| x.to_string());
    Ok(Json(
        product_stock::product_across(&s.db, &p, &id.to_string(), near.as_deref(), limit).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
struct MovementQuery {
    location_id: Option<Uuid>,
    product_id: Option<Uuid>,
    /// `sale`, `return`, `receipt`, `transfer_out`, `transfer_in`, `count`, `write_off`,
    /// `adjustment`.
    kind: Option<String>,
    /// The business document (sale, receipt, transfer, count …).
    ref_id: Option<String>,
    /// RFC 3339, inclusive.
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The stock ledger at the locations in scope, newest first.
#[utoipa::path(get, path = "/stock/movements", tag = "inventory", params(MovementQuery),
    responses((status = 200, body = Page<StockMovement>)))]
async fn list_movements(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<MovementQuery>,
) -> ApiResult<Json<Page<StockMovement>>> {
    p.require(Permission::StockRead)?;
    for (name, v) in [("from", &q.from), ("to", &q.to)] {
        if let Some(t) = v
            && time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            return Err(ApiError::field(name, "invalid_value", "an RFC 3339 time"));
        }
    }
    let f = MovementFilter {
        location_id: q.location_id.map(|x| x.to_string()),
        product_id: q.product_id.map(|x| x.to_string()),
        kind: q.kind.clone(),
        ref_id: q.ref_id.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(movements::list(&s.db, &p, &f, &page).await?))
}

/// Posts a manual adjustment or a write-off at a location (audited).
#[utoipa::path(post, path = "/stock/adjustments", tag = "inventory", request_body = AdjustmentInput,
    responses((status = 201, body = Adjustment), (status = 422, body = crate::error::Problem)))]
async fn adjust(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<AdjustmentInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(adjustments::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// How many reorder rules were set.
#[derive(Serialize, ToSchema)]
struct Updated {
    updated: usize,
}

/// Sets reorder point, reorder quantity and maximum per product at a location (`null` clears).
#[utoipa::path(put, path = "/stock/reorder-rules", tag = "inventory", request_body = ReorderRulesInput,
    responses((status = 200, body = Updated), (status = 422, body = crate::error::Problem)))]
async fn set_reorder_rules(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<ReorderRulesInput>,
) -> ApiResult<Json<Updated>> {
    p.require(Permission::StockManage)?;
    let updated = levels::set_reorder_rules(&s.db, &p, body.get()?).await?;
    Ok(Json(Updated { updated }))
}

#[derive(Deserialize, IntoParams)]
struct AlertQuery {
    location_id: Option<Uuid>,
    /// `low` (includes out of stock) or `over`.
    kind: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Levels at or below their reorder point, or above their maximum, at the locations in scope.
#[utoipa::path(get, path = "/stock/alerts", tag = "inventory", params(AlertQuery),
    responses((status = 200, body = Page<StockLevel>)))]
async fn alerts(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> ApiResult<Json<Page<StockLevel>>> {
    p.require(Permission::StockRead)?;
    let kind = status(q.kind.as_deref(), "kind")?;
    let page = page(q.limit, q.cursor.as_deref())?;
    let loc = q.location_id.map(|x| x.to_string());
    Ok(Json(
        levels::alerts(&s.db, &p, loc.as_deref(), kind, &page).await?,
    ))
}
