//! `/auth`: sign in, sign out, who am I, change my password.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth, CSRF_COOKIE, ClientIp, SESSION_COOKIE};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use salepoint_domain::ids::StoreId;
use salepoint_domain::org::Locale;
use salepoint_domain::roles::{Permission, Scope};
use salepoint_store::sessions::{self, LoginRefused};
use salepoint_store::users::{self, User};
use salepoint_store::{Principal, org, secrets};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The stores the caller sees.
#[derive(Serialize, ToSchema)]
pub struct ScopeView {
    pub all_stores: bool,
    pub store_ids: Vec<StoreId>,
}

/// What the UI needs of the company to start.
#[derive(Serialize, ToSchema)]
pub struct CompanyBrief {
    pub name: String,
    pub currency: String,
    pub default_locale: Locale,
}

/// The signed-in user, their permissions and scope; with the token on login.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Bearer token for programs (the UI uses the cookie). Only on login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Value for the X-CSRF-Token header (also in the `sp_csrf` cookie). Only on login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub user: User,
    pub permissions: Vec<Permission>,
    pub scope: ScopeView,
    pub company: CompanyBrief,
}

async fn session_view(s: &AppState, p: &Principal, user: User) -> ApiResult<SessionView> {
    let company = org::company(&s.db, p.company_id).await?;
    Ok(SessionView {
        token: None,
        csrf_token: None,
        expires_at: None,
        user,
        permissions: p.role.permissions().to_vec(),
        scope: match &p.scope {
            Scope::All => ScopeView {
                all_stores: true,
                store_ids: vec![],
            },
            Scope::Stores(set) => ScopeView {
                all_stores: false,
                store_ids: set.iter().copied().collect(),
            },
        },
        company: CompanyBrief {
            name: company.name,
            currency: company.currency,
            default_locale: company.default_locale,
        },
    })
}

fn cookie_header(
    name: &str,
    value: &str,
    http_only: bool,
    max_age: i64,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Strict; Max-Age={max_age}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie text is ASCII")
}

fn secure(s: &AppState, headers: &HeaderMap) -> bool {
    s.cfg.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Signs in. Answers the same `401 invalid_credentials` for an unknown user, a wrong password
/// and a disabled user; `429` with `Retry-After` after too many failures.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = SessionView), (status = 401, body = crate::error::Problem),
              (status = 429, body = crate::error::Problem)))]
async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let req = body.get()?;
    if req.username.len() > 128 || req.password.len() > 1024 {
        return Err(ApiError::InvalidCredentials);
    }
    let session =
        match sessions::login(&s.db, &s.cfg.auth, req.username.trim(), &req.password, &ip).await? {
            Ok(sess) => sess,
            Err(LoginRefused::InvalidCredentials) => return Err(ApiError::InvalidCredentials),
            Err(LoginRefused::Throttled { retry_after }) => {
                return Err(ApiError::TooManyAttempts { retry_after });
            }
        };
    let p = sessions::authenticate(&s.db, &s.cfg.auth, &session.token)
        .await?
        .ok_or_else(|| ApiError::Internal("a new session did not authenticate".into()))?;
    let user = users::get_unscoped(&s.db, &session.user_id).await?;
    let mut view = session_view(&s, &p, user).await?;
    view.token = Some(session.token.clone());
    view.csrf_token = Some(session.csrf_token.clone());
    view.expires_at = Some(session.expires_at.clone());
    let max_age = s.cfg.auth.absolute.whole_seconds();
    let sec = secure(&s, &headers);
    let mut res = Json(view).into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, &session.token, true, max_age, sec),
    );
    h.append(
        header::SET_COOKIE,
        cookie_header(CSRF_COOKIE, &session.csrf_token, false, max_age, sec),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Ends the current session and clears the cookies.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> ApiResult<Response> {
    sessions::logout(&s.db, &p, Some(ip)).await?;
    let sec = secure(&s, &headers);
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, "", true, 0, sec),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(CSRF_COOKIE, "", false, 0, sec),
    );
    Ok(res)
}

/// The signed-in caller.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, body = SessionView), (status = 401, body = crate::error::Problem)))]
async fn me(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<Json<SessionView>> {
    if p.actor_kind() != "user" {
        return Err(ApiError::Forbidden("an API key has no user".into()));
    }
    let user = users::get_unscoped(&s.db, &p.id).await?;
    Ok(Json(session_view(&s, &p, user).await?))
}

/// A password change by its owner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's own password; every session of the caller ends (sign in again).
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn change_password(
    State(s): State<AppState>,
    Auth(p): Auth,
    ClientIp(ip): ClientIp,
    body: ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    if p.actor_kind() != "user" {
        return Err(ApiError::Forbidden("an API key has no password".into()));
    }
    let creds = users::credentials(&s.db, &p.name)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if !secrets::verify_password(
        body.get()?.current_password.clone(),
        Some(creds.password_hash),
    )
    .await?
    {
        return Err(ApiError::field(
            "/current_password",
            "wrong",
            "this is not your current password",
        ));
    }
    let id =
        p.id.parse()
            .map_err(|_| ApiError::Internal("bad user id".into()))?;
    match users::reset_password(&s.db, &p, id, &body.get()?.new_password, Some(ip)).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        // The policy names the field `/password`; here it is `/new_password`.
        Err(salepoint_store::StoreError::Invalid(mut errors)) => {
            for e in &mut errors {
                if e.field == "/password" {
                    e.field = "/new_password".into();
                }
            }
            Err(ApiError::Validation(errors))
        }
        Err(e) => Err(e.into()),
    }
}
