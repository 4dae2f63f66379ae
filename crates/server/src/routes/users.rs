//! `/users`: people who sign in, their roles and store assignments.

use super::{created, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, ClientIp, IdempotencyKey, Require};
use crate::idempotent::idempotent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use salepoint_domain::ids::{StoreId, UserId};
use salepoint_domain::roles::{Permission, Role};
use salepoint_store::page::Page;
use salepoint_store::users::{self, NewUser, User, UserFilter, UserUpdate};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
        .routes(routes!(set_pin))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Part of the username or display name.
    q: Option<String>,
    role: Option<Role>,
    store_id: Option<StoreId>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Users of the stores the caller may see.
#[utoipa::path(get, path = "/users", tag = "users", params(ListQuery), responses((status = 200, body = Page<User>)))]
async fn list_users(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<User>>> {
    p.require(Permission::UsersRead)?;
    let pg = page(q.limit, q.cursor.as_deref())?;
    let f = UserFilter {
        q: q.q,
        role: q.role,
        store_id: q.store_id,
    };
    Ok(Json(users::list(&s.db, &p, &f, &pg).await?))
}

/// Creates a user (a role below the caller's, in the caller's stores).
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = User), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    key: IdempotencyKey,
    body: ApiJson<NewUser>,
) -> ApiResult<Response> {
    p.require(Permission::UsersManage)?;
    body.get()?;
    idempotent(&s, &p, key, &body.fingerprint, |lock| {
        let (s, p, body) = (&s, &p, &body);
        async move { created(users::create(&s.db, p, body.get()?, Some(ip), lock.as_ref()).await?) }
    })
    .await
}

/// One user (everyone may read themselves).
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem)))]
async fn get_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<UserId>,
) -> ApiResult<Json<User>> {
    if p.id != id.to_string() {
        p.require(Permission::UsersRead)?;
    }
    Ok(Json(users::get(&s.db, &p, id).await?))
}

/// Updates a user; `active: false` disables them and ends their sessions.
#[utoipa::path(put, path = "/users/{id}", tag = "users", params(("id" = String, Path)), request_body = UserUpdate,
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn update_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<UserId>,
    body: ApiJson<UserUpdate>,
) -> ApiResult<Json<User>> {
    p.require(Permission::UsersManage)?;
    Ok(Json(
        users::update(&s.db, &p, id, body.get()?, Some(ip)).await?,
    ))
}

/// A new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    password: String,
}

/// Sets a user's password (a reset by someone who may manage them); ends their sessions.
#[utoipa::path(post, path = "/users/{id}/password", tag = "users", params(("id" = String, Path)), request_body = PasswordBody,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reset_password(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<UserId>,
    body: ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    p.require(Permission::UsersManage)?;
    users::reset_password(&s.db, &p, id, &body.get()?.password, Some(ip)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An approval PIN.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PinBody {
    /// 4 to 8 digits.
    pin: String,
}

/// Sets a user's approval PIN (their own, or of someone they manage).
#[utoipa::path(put, path = "/users/{id}/pin", tag = "users", params(("id" = String, Path)), request_body = PinBody,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_pin(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<UserId>,
    body: ApiJson<PinBody>,
) -> ApiResult<StatusCode> {
    if p.id != id.to_string() && !p.can(Permission::UsersManage) {
        return Err(ApiError::Forbidden(
            "requires the permission users.manage".into(),
        ));
    }
    users::set_pin(&s.db, &p, id, &body.get()?.pin, Some(ip)).await?;
    Ok(StatusCode::NO_CONTENT)
}
