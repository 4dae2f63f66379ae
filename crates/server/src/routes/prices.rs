//! `/price-lists`, `/prices/resolve`: prices per channel, store, region and tier.

use super::catalog::All;
use super::created;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::catalog::price_lists::{
    self, PriceItemsInput, PriceList, PriceListInput, ResolveQuery, ResolvedPrice,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_price_lists, create_price_list))
        .routes(routes!(get_price_list, update_price_list))
        .routes(routes!(list_items, set_items))
        .routes(routes!(resolve))
}

/// The company's price lists, highest priority first.
#[utoipa::path(get, path = "/price-lists", tag = "pricing", responses((status = 200, body = All<PriceList>)))]
async fn list_price_lists(
    State(s): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<All<PriceList>>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(All {
        data: price_lists::list(&s.db, &p).await?,
    }))
}

/// Creates a price list; an active list with the same scope and priority over an overlapping
/// period is refused.
#[utoipa::path(post, path = "/price-lists", tag = "pricing", request_body = PriceListInput,
    responses((status = 201, body = PriceList), (status = 422, body = crate::error::Problem)))]
async fn create_price_list(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<PriceListInput>,
) -> ApiResult<Response> {
    p.require(Permission::CatalogManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(price_lists::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One price list.
#[utoipa::path(get, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path)), responses((status = 200, body = PriceList)))]
async fn get_price_list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PriceList>> {
    p.require(Permission::CatalogRead)?;
    Ok(Json(price_lists::get(&s.db, &p, &id.to_string()).await?))
}

/// Updates a price list (send its `version`).
#[utoipa::path(put, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path)), request_body = PriceListInput,
    responses((status = 200, body = PriceList), (status = 409, body = crate::error::Problem)))]
async fn update_price_list(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<PriceListInput>,
) -> ApiResult<Json<PriceList>> {
    p.require(Permission::CatalogManage)?;
    Ok(Json(
        price_lists::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// The products and prices of a list.
#[utoipa::path(get, path = "/price-lists/{id}/items", tag = "pricing", params(("id" = String, Path)), responses((status = 200, body = Object)))]
async fn list_items(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<serde_json::Value>> {
    p.require(Permission::CatalogRead)?;
    let items = price_lists::items(&s.db, &p, &id.to_string()).await?;
    Ok(Json(serde_json::json!({ "data": items })))
}

/// Sets or (with `price_minor: null`) removes prices of products in a list.
#[utoipa::path(put, path = "/price-lists/{id}/items", tag = "pricing", params(("id" = String, Path)), request_body = PriceItemsInput,
    responses((status = 200, body = Object), (status = 422, body = crate::error::Problem)))]
async fn set_items(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<PriceItemsInput>,
) -> ApiResult<Json<serde_json::Value>> {
    p.require(Permission::CatalogManage)?;
    let n = price_lists::set_items(&s.db, &p, &id.to_string(), body.get()?).await?;
    Ok(Json(serde_json::json!({ "updated": n })))
}

#[derive(Deserialize, IntoParams)]
struct ResolveParams {
    product_id: Uuid,
    store_id: Option<Uuid>,
    channel_id: Option<Uuid>,
    /// Customer tier, e.g. `member`.
    tier: Option<String>,
    /// RFC 3339; default now.
    at: Option<String>,
}

/// The price a register must charge for a product at a store, channel, tier and time.
#[utoipa::path(get, path = "/prices/resolve", tag = "pricing", params(ResolveParams), responses((status = 200, body = ResolvedPrice)))]
async fn resolve(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ResolveParams>,
) -> ApiResult<Json<ResolvedPrice>> {
    p.require(Permission::CatalogRead)?;
    let query = ResolveQuery {
        product_id: q.product_id.to_string(),
        store_id: q.store_id.map(|x| x.to_string()),
        channel_id: q.channel_id.map(|x| x.to_string()),
        tier: q.tier.filter(|t| !t.is_empty()),
        at: q.at,
    };
    Ok(Json(price_lists::resolve(&s.db, &p, &query).await?))
}
