//! The reusable Idempotency-Key layer for handlers: look up or lease the key, run the effect
//! (which records its response in its own transaction), replay recorded responses.

use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::state::AppState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use salepoint_store::Principal;
use salepoint_store::idempotency::{self, Begin, IdemLock};
use std::future::Future;

/// Runs `effect` at most once per `(caller, key)`. Without a key it just runs. The effect gets
/// the lease to pass to the store, which records the response with the effect.
pub async fn idempotent<F, Fut>(
    state: &AppState,
    principal: &Principal,
    key: IdempotencyKey,
    fingerprint: &str,
    effect: F,
) -> ApiResult<Response>
where
    F: FnOnce(Option<IdemLock>) -> Fut,
    Fut: Future<Output = ApiResult<Response>>,
{
    let Some(key) = key.0 else {
        return effect(None).await;
    };
    match idempotency::begin(&state.db, &principal.idempotency_scope(), &key, fingerprint).await? {
        Begin::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut res = (status, body).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(res)
        }
        Begin::InProgress => Err(ApiError::IdempotencyInProgress),
        Begin::Mismatch => Err(ApiError::IdempotencyKeyReused),
        Begin::Proceed(lock) => {
            let result = effect(Some(lock.clone())).await;
            if result.is_err() {
                // No effect was committed: free the key for a corrected retry.
                if let Err(e) = idempotency::release(&state.db, &lock).await {
                    tracing::warn!(error = %e, "could not release an idempotency key");
                }
            }
            result
        }
    }
}
