//! `/channels`: sales channels (store, online, wholesale, distributor).

use super::{created, page};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use salepoint_domain::ids::ChannelId;
use salepoint_domain::roles::Permission;
use salepoint_store::org::{self, Channel, ChannelInput};
use salepoint_store::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(update_channel))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The company's channels.
#[utoipa::path(get, path = "/channels", tag = "organisation", params(ListQuery),
    responses((status = 200, body = Page<Channel>)))]
async fn list_channels(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Channel>>> {
    p.require(Permission::OrgRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    Ok(Json(org::list_channels(&s.db, &p, &pg).await?))
}

/// Creates a channel.
#[utoipa::path(post, path = "/channels", tag = "organisation", request_body = ChannelInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = Channel), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_channel(
    State(s): State<AppState>,
    Auth(p): Auth,
    key: IdempotencyKey,
    body: ApiJson<ChannelInput>,
) -> ApiResult<Response> {
    p.require(Permission::OrgManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(org::create_channel(&s.db, p, body.get()?, lock.as_ref()).await?) }
    })
    .await
}

/// Updates a channel (send its `version`).
#[utoipa::path(put, path = "/channels/{id}", tag = "organisation", params(("id" = String, Path)), request_body = ChannelInput,
    responses((status = 200, body = Channel), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn update_channel(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<ChannelId>,
    body: ApiJson<ChannelInput>,
) -> ApiResult<Json<Channel>> {
    p.require(Permission::OrgManage)?;
    Ok(Json(org::update_channel(&s.db, &p, id, body.get()?).await?))
}
