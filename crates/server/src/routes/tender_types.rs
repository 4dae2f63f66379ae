//! `/tender-types`: how customers may pay (cash, card, vouchers …).

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
use salepoint_store::payments::tender_types::{self, TenderType, TenderTypeInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

/// The company's tender types in display order.
#[utoipa::path(get, path = "/tender-types", tag = "payments", responses((status = 200, body = All<TenderType>)))]
async fn list(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<All<TenderType>>> {
    p.require(Permission::OrgRead)?;
    Ok(Json(All {
        data: tender_types::for_company(&s.db, p.company_id).await?,
    }))
}

/// Defines a tender type.
#[utoipa::path(post, path = "/tender-types", tag = "payments", request_body = TenderTypeInput,
    responses((status = 201, body = TenderType), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<TenderTypeInput>,
) -> ApiResult<Response> {
    p.require(Permission::TendersManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(tender_types::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Changes a tender type (send its `version`).
#[utoipa::path(put, path = "/tender-types/{id}", tag = "payments", params(("id" = String, Path)), request_body = TenderTypeInput,
    responses((status = 200, body = TenderType), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<TenderTypeInput>,
) -> ApiResult<Json<TenderType>> {
    p.require(Permission::TendersManage)?;
    Ok(Json(
        tender_types::update(&s.db, &p, &id.to_string(), body.get()?).await?,
    ))
}
