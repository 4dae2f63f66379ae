//! `/member-tiers`, `/loyalty-program`, `/points-rules`: the membership settings. Reading them
//! takes customers.read (the register and the customer screens show tiers); changing them
//! takes customers.admin.

use super::catalog::All;
use super::created;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::customers::tiers::{
    self, LoyaltyProgram, MemberTier, MemberTierInput, PointsRules,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(get_program, set_program))
        .routes(routes!(get_rules, set_rules))
}

/// The member tiers, lowest first.
#[utoipa::path(get, path = "/member-tiers", tag = "customers", responses((status = 200, body = All<MemberTier>)))]
async fn list(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<All<MemberTier>>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(All {
        data: tiers::list(&s.db, &p).await?,
    }))
}

/// Creates a tier.
#[utoipa::path(post, path = "/member-tiers", tag = "customers", request_body = MemberTierInput,
    responses((status = 201, body = MemberTier), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<MemberTierInput>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersAdmin)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(tiers::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// One tier.
#[utoipa::path(get, path = "/member-tiers/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = MemberTier)))]
async fn get_one(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MemberTier>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(tiers::get(&s.db, &p, &id.to_string()).await?))
}

/// Changes a tier (send its `version`).
#[utoipa::path(put, path = "/member-tiers/{id}", tag = "customers", params(("id" = String, Path)), request_body = MemberTierInput,
    responses((status = 200, body = MemberTier), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<MemberTierInput>,
) -> ApiResult<Json<MemberTier>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(
        tiers::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}

/// The loyalty programme (defaults, version 0, until first saved).
#[utoipa::path(get, path = "/loyalty-program", tag = "customers", responses((status = 200, body = LoyaltyProgram)))]
async fn get_program(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<LoyaltyProgram>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(tiers::program(&s.db, &p).await?))
}

/// Saves the loyalty programme (send the `version` read).
#[utoipa::path(put, path = "/loyalty-program", tag = "customers", request_body = LoyaltyProgram,
    responses((status = 200, body = LoyaltyProgram), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_program(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<LoyaltyProgram>,
) -> ApiResult<Json<LoyaltyProgram>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(tiers::set_program(&s.db, &p, body.get()?).await?))
}

/// Category exceptions to the earn rates.
#[utoipa::path(get, path = "/points-rules", tag = "customers", responses((status = 200, body = PointsRules)))]
async fn get_rules(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<PointsRules>> {
    p.require(Permission::CustomersRead)?;
    Ok(Json(tiers::points_rules(&s.db, &p).await?))
}

/// Replaces the points rules.
#[utoipa::path(put, path = "/points-rules", tag = "customers", request_body = PointsRules,
    responses((status = 200, body = PointsRules), (status = 422, body = crate::error::Problem)))]
async fn set_rules(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<PointsRules>,
) -> ApiResult<Json<PointsRules>> {
    p.require(Permission::CustomersAdmin)?;
    Ok(Json(tiers::set_points_rules(&s.db, &p, body.get()?).await?))
}
