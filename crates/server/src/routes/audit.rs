//! `/audit`: the tamper-evident audit trail, for administrators and auditors.

use super::page;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth, Require};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use salepoint_domain::roles::Permission;
use salepoint_store::audit::{self, AuditFilter, AuditRecord, ChainReport};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Actions starting with this, e.g. `login.`.
    action: Option<String>,
    actor_id: Option<String>,
    target_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Audit rows, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(ListQuery), responses((status = 200, body = Page<AuditRecord>)))]
async fn list_audit(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    p.require(Permission::AuditRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    let f = AuditFilter {
        action: q.action,
        actor_id: q.actor_id,
        target_id: q.target_id,
    };
    Ok(Json(audit::list(&s.db, &p, &f, &pg).await?))
}

/// Recomputes the whole hash chain and reports the first broken link.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = ChainReport)))]
async fn verify_audit(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<ChainReport>> {
    p.require(Permission::AuditRead)?;
    Ok(Json(audit::verify(&s.db).await?))
}
