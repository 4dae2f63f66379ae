//! `/approvals`: a manager's one-time approval for one action at one store.

use super::created;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth, ClientIp};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use salepoint_store::approvals::{self, Approval, ApprovalRefused, ApprovalRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(grant))
}

/// Grants a one-time approval when the named manager's password or PIN is right and they may
/// approve at the store.
#[utoipa::path(post, path = "/approvals", tag = "auth", request_body = ApprovalRequest,
    responses((status = 201, body = Approval), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn grant(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    body: ApiJson<ApprovalRequest>,
) -> ApiResult<Response> {
    match approvals::grant(&s.db, &s.cfg.auth, &p, body.get()?, &ip).await? {
        Ok(a) => created(a),
        Err(ApprovalRefused::InvalidCredentials) => Err(ApiError::InvalidCredentials),
        Err(ApprovalRefused::NotAllowed) => Err(ApiError::Forbidden(
            "this user may not approve at this store".into(),
        )),
        Err(ApprovalRefused::Throttled { retry_after }) => {
            Err(ApiError::TooManyAttempts { retry_after })
        }
    }
}
