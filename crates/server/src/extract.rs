//! Request extractors that fail the API way (problem+json): JSON bodies with field paths,
//! query strings, path ids (a malformed id is simply not found), the authenticated caller with
//! its CSRF check, the client address and the Idempotency-Key header.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use salepoint_domain::roles::Permission;
use salepoint_store::principal::PrincipalKind;
use salepoint_store::{Principal, secrets, sessions};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// Name of the session cookie (HttpOnly).
pub const SESSION_COOKIE: &str = "sp_session";
/// Name of the CSRF cookie (readable by the page, echoed in `X-CSRF-Token`).
pub const CSRF_COOKIE: &str = "sp_csrf";

/// A JSON body, plus a fingerprint of the request for idempotency. Parsing errors are kept,
/// not raised, until the handler asks for the value — after its permission check, so that a
/// caller without permission learns nothing from validation messages.
pub struct ApiJson<T> {
    parsed: Result<T, ApiError>,
    /// SHA-256 over method, path and body bytes.
    pub fingerprint: String,
}

impl<T> ApiJson<T> {
    /// The parsed body, or the 400/422 problem it caused.
    pub fn get(&self) -> ApiResult<&T> {
        match &self.parsed {
            Ok(v) => Ok(v),
            Err(e) => Err(e.clone()),
        }
    }
}

/// Turns a serde_path_to_error path and message into a JSON Pointer.
fn pointer(path: &serde_path_to_error::Path, message: &str) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1")))
            }
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => out.push_str("/?"),
        }
    }
    // A missing field is reported at its parent; name the field itself.
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(name) = rest.split('`').next()
    {
        out.push('/');
        out.push_str(name);
    }
    if out.is_empty() { "/".into() } else { out }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let bytes = axum::body::Bytes::from_request(req, state).await;
        let fingerprint = {
            let mut h = Sha256::new();
            h.update(method.as_str().as_bytes());
            h.update(b" ");
            h.update(path.as_bytes());
            h.update(b"\n");
            if let Ok(b) = &bytes {
                h.update(b);
            }
            hex::encode(h.finalize())
        };
        Ok(ApiJson {
            parsed: Self::parse(is_json, bytes),
            fingerprint,
        })
    }
}

impl<T: DeserializeOwned> ApiJson<T> {
    fn parse(
        is_json: bool,
        bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    ) -> ApiResult<T> {
        if !is_json {
            return Err(ApiError::Malformed(
                "send a JSON body with Content-Type: application/json".into(),
            ));
        }
        let bytes =
            bytes.map_err(|e| ApiError::Malformed(format!("could not read the body: {e}")))?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value: T = match serde_path_to_error::deserialize(&mut de) {
            Ok(v) => v,
            Err(e) => {
                let inner = e.inner();
                let msg = inner.to_string();
                return Err(match inner.classify() {
                    serde_json::error::Category::Data => {
                        let clean = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                        ApiError::field(&pointer(e.path(), &clean), "invalid_value", &clean)
                    }
                    _ => ApiError::Malformed(format!("malformed JSON: {msg}")),
                });
            }
        };
        if de.end().is_err() {
            return Err(ApiError::Malformed(
                "trailing characters after the JSON value".into(),
            ));
        }
        Ok(value)
    }
}

/// Query parameters; a bad one is a 422 naming it (`limit=x` → field `limit`).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                // A parameter hidden in a flattened struct has no path of its own.
                let field = if path == "." { "?" } else { path.as_str() };
                ApiError::field(
                    field,
                    "invalid_query",
                    &format!("invalid query parameter: {}", e.inner()),
                )
            })
    }
}

/// Path parameters; a malformed id answers 404 like a missing one.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| ApiError::NotFound)
    }
}

/// The client's address (the TCP peer; proxies are not trusted).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Reads a cookie from the request headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The authenticated caller. Bearer tokens are checked first, then the session cookie; a
/// cookie-authenticated request that changes state must carry the CSRF token.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (token, from_cookie) = match bearer {
            Some(t) => (t.to_string(), false),
            None => match cookie(parts, SESSION_COOKIE) {
                Some(t) => (t.to_string(), true),
                None => return Err(ApiError::Unauthenticated),
            },
        };
        let principal = sessions::authenticate(&state.db, &state.cfg.auth, &token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if from_cookie && !safe {
            let PrincipalKind::Session { csrf_hash, .. } = &principal.kind else {
                return Err(ApiError::Csrf);
            };
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .ok_or(ApiError::Csrf)?;
            if !secrets::digest_eq(&secrets::sha256_hex(sent), csrf_hash) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Auth(principal))
    }
}

/// Permission checks on the caller.
pub trait Require {
    /// `Ok` if the caller's role grants `p`, else 403.
    fn require(&self, p: Permission) -> ApiResult<()>;
}

impl Require for Principal {
    fn require(&self, p: Permission) -> ApiResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "requires the permission {}",
                p.as_str()
            )))
        }
    }
}

/// The `Idempotency-Key` header, if sent (1–255 visible ASCII characters).
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(v) => {
                let s = v.to_str().unwrap_or("").trim().trim_matches('"');
                if s.is_empty() || s.len() > 255 || !s.chars().all(|c| c.is_ascii_graphic()) {
                    return Err(ApiError::field(
                        "Idempotency-Key",
                        "invalid_format",
                        "1 to 255 visible ASCII characters",
                    ));
                }
                Ok(IdempotencyKey(Some(s.to_string())))
            }
        }
    }
}
