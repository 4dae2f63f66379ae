//! Member accounts: stored-value top-ups at a register, and the points and stored-value
//! ledgers of a customer.

use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::roles::Permission;
use salepoint_store::customers::history::{self, Account, AccountEntry};
use salepoint_store::customers::topups::{self, TopUp, TopUpInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(top_up))
        .routes(routes!(points))
        .routes(routes!(stored_value))
}

/// Tops up a member's stored value at a register (the programme's bonus is added; a cash
/// top-up is a paid-in of the shift). Audited.
#[utoipa::path(post, path = "/customers/{id}/top-ups", tag = "customers", params(("id" = String, Path)), request_body = TopUpInput,
    responses((status = 201, body = TopUp), (status = 422, body = crate::error::Problem)))]
async fn top_up(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TopUpInput>,
) -> ApiResult<Response> {
    p.require(Permission::CustomersManage)?;
    p.require(Permission::SalesCreate)?;
    body.get()?;
    let id = id.to_string();
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body, id) = (&s, &p, &body, &id);
        async move { created(topups::top_up(&s.db, p, id, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

#[derive(Deserialize, IntoParams)]
struct LedgerQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// A member's points ledger, newest first.
#[utoipa::path(get, path = "/customers/{id}/points", tag = "customers", params(("id" = String, Path), LedgerQuery),
    responses((status = 200, body = Page<AccountEntry>)))]
async fn points(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<Page<AccountEntry>>> {
    p.require(Permission::CustomersRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(
        history::list(&s.db, &p, &id.to_string(), Account::Points, &page).await?,
    ))
}

/// A member's stored-value ledger, newest first.
#[utoipa::path(get, path = "/customers/{id}/stored-value", tag = "customers", params(("id" = String, Path), LedgerQuery),
    responses((status = 200, body = Page<AccountEntry>)))]
async fn stored_value(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<Page<AccountEntry>>> {
    p.require(Permission::CustomersRead)?;
    let page = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(
        history::list(&s.db, &p, &id.to_string(), Account::StoredValue, &page).await?,
    ))
}
