//! Idempotency keys (the IETF Idempotency-Key draft, with Stripe's semantics).
//!
//! A request with a key first takes a short lease on `(caller, key)` in a transaction of its
//! own; the effect's transaction then records the response under the same lease, so the effect
//! and its record commit together. A replay gets the recorded response; the same key with a
//! different request is refused; a second request while the first holds the lease is told so;
//! a lease left by a crashed request expires and may be taken over — the effect transaction
//! checks it still holds the lease, so two requests can never both commit an effect.

use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::row;
use crate::secrets;
use serde::Serialize;
use time::Duration;

/// How long a request may hold a key before another may take it over.
const LEASE: Duration = Duration::seconds(60);
/// How long keys are kept (the offline window of a register).
pub const RETENTION_DAYS: i64 = 7;

/// A lease on a key, held while the effect runs.
#[derive(Clone, Debug)]
pub struct IdemLock {
    principal: String,
    key: String,
    token: String,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin {
    /// Run the effect, then [`complete`] inside its transaction.
    Proceed(IdemLock),
    /// Answer the recorded response.
    Replay { status: u16, body: String },
    /// Another request with this key is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// Looks up or leases `(principal, key)` for a request whose fingerprint is `request_hash`.
pub async fn begin(db: &Db, principal: &str, key: &str, request_hash: &str) -> StoreResult<Begin> {
    for _ in 0..3 {
        let mut tx = db.begin().await?;
        let existing = sqlx::query(
            "SELECT request_hash, lock_token, locked_until, response_status, response_body \
             FROM idempotency_keys WHERE principal = $1 AND idem_key = $2",
        )
        .bind(principal)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let token = secrets::random_token("");
        let until = clock::in_future(LEASE);
        match existing {
            None => {
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (principal, idem_key, request_hash, lock_token, locked_until, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (principal, idem_key) DO NOTHING",
                )
                .bind(principal)
                .bind(key)
                .bind(request_hash)
                .bind(&token)
                .bind(&until)
                .bind(clock::now())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if inserted.rows_affected() == 1 {
                    return Ok(Begin::Proceed(IdemLock {
                        principal: principal.into(),
                        key: key.into(),
                        token,
                    }));
                }
                // Another request inserted it first: look again.
            }
            Some(r) => {
                let stored_hash = row::text(&r, "request_hash")?;
                if !secrets::digest_eq(&stored_hash, request_hash) {
                    return Ok(Begin::Mismatch);
                }
                if let Some(status) = row::opt_int(&r, "response_status")? {
                    return Ok(Begin::Replay {
                        status: status as u16,
                        body: row::opt_text(&r, "response_body")?.unwrap_or_default(),
                    });
                }
                if row::text(&r, "locked_until")? > clock::now() {
                    return Ok(Begin::InProgress);
                }
                let old = row::text(&r, "lock_token")?;
                let taken = sqlx::query(
                    "UPDATE idempotency_keys SET lock_token = $1, locked_until = $2 \
                     WHERE principal = $3 AND idem_key = $4 AND lock_token = $5 AND response_status IS NULL",
                )
                .bind(&token)
                .bind(&until)
                .bind(principal)
                .bind(key)
                .bind(old)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if taken.rows_affected() == 1 {
                    return Ok(Begin::Proceed(IdemLock {
                        principal: principal.into(),
                        key: key.into(),
                        token,
                    }));
                }
            }
        }
    }
    Ok(Begin::InProgress)
}

/// Records the response inside the effect's transaction. Fails (and so rolls the effect back)
/// if the lease was lost to another request.
pub async fn complete(tx: &mut Tx, lock: &IdemLock, status: u16, body: &str) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET response_status = $1, response_body = $2 \
         WHERE principal = $3 AND idem_key = $4 AND lock_token = $5 AND response_status IS NULL",
    )
    .bind(status as i64)
    .bind(body)
    .bind(&lock.principal)
    .bind(&lock.key)
    .bind(&lock.token)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            field: "/".into(),
            message: "the idempotency key was taken over by another request".into(),
        })
    }
}

/// Records `value` as the response under `lock`, if any (the common tail of a create).
pub async fn finish<T: Serialize>(
    tx: &mut Tx,
    lock: Option<&IdemLock>,
    status: u16,
    value: &T,
) -> StoreResult<()> {
    if let Some(lock) = lock {
        let body = serde_json::to_string(value).map_err(|e| StoreError::Internal(e.to_string()))?;
        complete(tx, lock, status, &body).await?;
    }
    Ok(())
}

/// Gives a key back when the request failed without an effect, so it can be retried.
pub async fn release(db: &Db, lock: &IdemLock) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE principal = $1 AND idem_key = $2 AND lock_token = $3 \
         AND response_status IS NULL",
    )
    .bind(&lock.principal)
    .bind(&lock.key)
    .bind(&lock.token)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Deletes keys older than the retention window; returns how many.
pub async fn purge(db: &Db) -> StoreResult<u64> {
    let cutoff = clock::in_future(-Duration::days(RETENTION_DAYS));
    let mut tx = db.begin().await?;
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
