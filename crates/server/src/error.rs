//! The one API error type. Every failure leaves as `application/problem+json` (RFC 9457) with a
//! stable machine `code` and, for invalid input, `errors[]` with JSON Pointer field paths.
//! Internal details are logged with the request id, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use salepoint_domain::validation::FieldError;
use salepoint_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem details document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine code, e.g. `validation_failed`.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("not signed in")]
    Unauthenticated,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("csrf check failed")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict(Vec<FieldError>),
    #[error("version conflict")]
    VersionConflict,
    #[error("idempotency key in progress")]
    IdempotencyInProgress,
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("too many attempts")]
    TooManyAttempts { retry_after: i64 },
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// One invalid field.
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, String) {
        use ApiError::*;
        match self {
            Malformed(d) => (
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "Malformed request",
                d.clone(),
            ),
            Validation(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Validation failed",
                format!("{} field(s) are invalid", e.len()),
            ),
            Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Not signed in",
                "sign in or send a valid bearer token".into(),
            ),
            InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
                "wrong username or password".into(),
            ),
            Forbidden(d) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden", d.clone()),
            Csrf => (
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "CSRF check failed",
                "send the X-CSRF-Token header with the value of the sp_csrf cookie".into(),
            ),
            NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Not found",
                "no such object".into(),
            ),
            Conflict(_) => (
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                "the object conflicts with an existing one".into(),
            ),
            VersionConflict => (
                StatusCode::CONFLICT,
                "version_conflict",
                "Version conflict",
                "the object changed since you read it; reload and retry".into(),
            ),
            IdempotencyInProgress => (
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "Request in progress",
                "a request with this Idempotency-Key is still running; retry later".into(),
            ),
            IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency key reused",
                "this Idempotency-Key was used with a different request".into(),
            ),
            PayloadTooLarge(d) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
                d.clone(),
            ),
            TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Too many attempts",
                "too many failed attempts; wait and retry".into(),
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                "the database is not reachable; retry later".into(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "an internal error occurred; it has been logged".into(),
            ),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { field, message } => ApiError::Conflict(vec![FieldError {
                field,
                code: "taken".into(),
                message,
            }]),
            StoreError::Rule {
                field,
                code,
                message,
            } => ApiError::Conflict(vec![FieldError {
                field,
                code: code.into(),
                message,
            }]),
            StoreError::VersionConflict => ApiError::VersionConflict,
            StoreError::Invalid(errors) => ApiError::Validation(errors),
            StoreError::Forbidden(d) => ApiError::Forbidden(d),
            StoreError::Unavailable(d) => ApiError::Unavailable(d),
            StoreError::Db(e) => ApiError::Internal(e.to_string()),
            StoreError::Internal(d) => ApiError::Internal(d),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title, detail) = self.parts();
        match &self {
            ApiError::Internal(d) | ApiError::Unavailable(d) => {
                tracing::error!(error = %d, code, "request failed")
            }
            _ => tracing::debug!(code, "request refused"),
        }
        let retry_after = match &self {
            ApiError::TooManyAttempts { retry_after } => Some(*retry_after),
            _ => None,
        };
        let errors = match self {
            ApiError::Validation(e) | ApiError::Conflict(e) => e,
            _ => vec![],
        };
        let body = Problem {
            kind: format!("https://salepoint.dev/problems/{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            code: code.into(),
            errors,
        };
        let mut res = (status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(retry_after) = retry_after
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
