//! `/api-keys`: keys for integrations, shown once.

use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use salepoint_domain::ids::ApiKeyId;
use salepoint_domain::roles::Permission;
use salepoint_store::api_keys::{self, ApiKey, CreatedApiKey, NewApiKey};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The company's API keys (without secrets).
#[utoipa::path(get, path = "/api-keys", tag = "api keys", params(ListQuery), responses((status = 200, body = Page<ApiKey>)))]
async fn list_keys(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ApiKey>>> {
    p.require(Permission::ApiKeysRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(api_keys::list(&s.db, &p, &pg).await?))
}

/// Creates a key; the answer holds the secret, which is never shown again (a replay of the
/// same Idempotency-Key answers `secret: null`).
#[utoipa::path(post, path = "/api-keys", tag = "api keys", request_body = NewApiKey,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = CreatedApiKey), (status = 422, body = crate::error::Problem)))]
async fn create_key(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<NewApiKey>,
) -> ApiResult<Response> {
    p.require(Permission::ApiKeysManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(api_keys::create(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Revokes a key at once.
#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api keys", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn revoke_key(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<ApiKeyId>,
) -> ApiResult<StatusCode> {
    p.require(Permission::ApiKeysManage)?;
    api_keys::revoke(&s.db, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
