//! `/roles`: the permission matrix, as the code applies it.

use crate::error::ApiResult;
use crate::extract::Auth;
use crate::state::AppState;
use axum::Json;
use salepoint_domain::roles::{Permission, Role};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_roles))
}

/// A role and what it may do.
#[derive(Serialize, ToSchema)]
pub struct RoleView {
    pub role: Role,
    pub permissions: Vec<Permission>,
    /// Whether the role sees every store regardless of assignments.
    pub all_stores: bool,
}

/// Every role with its permissions.
#[utoipa::path(get, path = "/roles", tag = "users", responses((status = 200, body = Vec<RoleView>)))]
async fn list_roles(_caller: Auth) -> ApiResult<Json<Vec<RoleView>>> {
    Ok(Json(
        Role::ALL
            .iter()
            .map(|r| RoleView {
                role: *r,
                permissions: r.permissions().to_vec(),
                all_stores: r.sees_all_stores(),
            })
            .collect(),
    ))
}
