//! `/company`: the company's settings.

use crate::error::ApiResult;
use crate::extract::{ApiJson, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use salepoint_domain::roles::Permission;
use salepoint_store::org::{self, Company, CompanyInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_company, put_company))
}

/// The company's settings.
#[utoipa::path(get, path = "/company", tag = "organisation",
    responses((status = 200, body = Company), (status = 403, body = crate::error::Problem)))]
async fn get_company(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<Company>> {
    p.require(Permission::CompanyRead)?;
    Ok(Json(org::company(&s.db, p.company_id).await?))
}

/// Replaces the company's settings (send the `version` you read).
#[utoipa::path(put, path = "/company", tag = "organisation", request_body = CompanyInput,
    responses((status = 200, body = Company), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn put_company(
    State(s): State<AppState>,
    Auth(p): Auth,
    body: ApiJson<CompanyInput>,
) -> ApiResult<Json<Company>> {
    p.require(Permission::CompanyManage)?;
    Ok(Json(org::update_company(&s.db, &p, body.get()?).await?))
}
