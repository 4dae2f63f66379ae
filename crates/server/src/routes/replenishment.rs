//! `/replenishment`: what a location should order (suggestions from reorder rules, sales and
//! supplier lead times) and turning accepted suggestions into draft purchase orders and
//! requested transfers; `/stock/valuation`: the value of the stock in scope. (The valuation
//! lives here rather than in `stock.rs` because both read costs across the company's stock.)

use super::created;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::inventory::replenishment::{self, OrdersInput, OrdersResult, Suggestions};
use salepoint_store::inventory::valuation::{self, Valuation, ValuationGroup};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(suggestions))
        .routes(routes!(order))
        .routes(routes!(stock_valuation))
}

#[derive(Deserialize, IntoParams)]
struct SuggestionsQuery {
    location_id: Option<Uuid>,
    /// The sales window for the daily rate (1–365, default 28).
    days: Option<i64>,
}

/// Products of a location that are due for replenishment, with a suggested quantity and source.
#[utoipa::path(get, path = "/replenishment/suggestions", tag = "inventory", params(SuggestionsQuery),
    responses((status = 200, body = Suggestions), (status = 404, body = crate::error::Problem)))]
async fn suggestions(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<SuggestionsQuery>,
) -> ApiResult<Json<Suggestions>> {
    p.require(Permission::StockRead)?;
    let location = q
        .location_id
        .ok_or_else(|| ApiError::field("location_id", "required", "the location to replenish"))?;
    Ok(Json(
        replenishment::suggestions(&s.db, &p, &location.to_string(), q.days.unwrap_or(28)).await?,
    ))
}

/// Writes draft purchase orders (one per supplier) and requested transfers (one per source) for
/// accepted suggestions, in one transaction.
#[utoipa::path(post, path = "/replenishment/orders", tag = "inventory", request_body = OrdersInput,
    responses((status = 201, body = OrdersResult), (status = 422, body = crate::error::Problem)))]
async fn order(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<OrdersInput>,
) -> ApiResult<Response> {
    p.require(Permission::StockManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(replenishment::order(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

#[derive(Deserialize, IntoParams)]
struct ValuationQuery {
    /// `location` (default) or `category`.
    group: Option<String>,
    location_id: Option<Uuid>,
}

/// On hand × moving-average cost at the locations in scope, by location or category.
#[utoipa::path(get, path = "/stock/valuation", tag = "inventory", params(ValuationQuery),
    responses((status = 200, body = Valuation), (status = 404, body = crate::error::Problem)))]
async fn stock_valuation(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ValuationQuery>,
) -> ApiResult<Json<Valuation>> {
    p.require(Permission::StockRead)?;
    let group = match q.group.as_deref() {
        None | Some("") | Some("location") => ValuationGroup::Location,
        Some("category") => ValuationGroup::Category,
        Some(_) => {
            return Err(ApiError::field(
                "group",
                "invalid_value",
                "location or category",
            ));
        }
    };
    let location = q.location_id.map(|l| l.to_string());
    Ok(Json(
        valuation::valuation(&s.db, &p, group, location.as_deref()).await?,
    ))
}
