//! The shared shape of master-data writes: versioned updates (409 on a stale version, 404 on a
//! missing row), creates that are audited, read back and recorded for idempotency in one
//! transaction.

use crate::audit::{self, AuditEntry};
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use salepoint_domain::validation::Validator;
use serde::Serialize;
use sqlx::any::AnyRow;

/// Turns a row into a value.
pub(crate) type RowReader<T> = fn(&AnyRow) -> StoreResult<T>;

/// The common end of a create: audit it, read the row back inside the transaction, record the
/// idempotent response with it, commit.
pub(crate) async fn finish_create<T: Serialize>(
    mut tx: Tx,
    entry: AuditEntry,
    row: (&str, &str, RowReader<T>),
    idem: Option<&IdemLock>,
) -> StoreResult<T> {
    let (table, id, from) = row;
    audit::append(&mut tx, entry).await?;
    let value = read_back(&mut tx, table, id, from).await?;
    idempotency::finish(&mut tx, idem, 201, &value).await?;
    tx.commit_settings().await?;
    Ok(value)
}

/// The common end of a versioned update: 409/404 if no row matched, else audit and commit.
pub(crate) async fn finish_update(
    mut tx: Tx,
    rows: u64,
    table: &str,
    id: &str,
    entry: AuditEntry,
) -> StoreResult<()> {
    if rows == 0 {
        return Err(stale_or_missing(&mut tx, table, id).await);
    }
    audit::append(&mut tx, entry).await?;
    tx.commit_settings().await
}

/// Reads a just-written row back inside its transaction.
pub(crate) async fn read_back<T>(
    tx: &mut Tx,
    table: &str,
    id: &str,
    from: RowReader<T>,
) -> StoreResult<T> {
    let r = sqlx::query(&format!("SELECT * FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    from(&r)
}

/// Requires `version` on an update.
pub(crate) fn require_version(v: &mut Validator, version: Option<i64>) -> i64 {
    match version {
        Some(n) => n,
        None => {
            v.add("/version", "required", "the version you read last");
            0
        }
    }
}

/// After an `UPDATE … WHERE id AND version` touched no row: 409 if the row exists, else 404.
pub(crate) async fn stale_or_missing(tx: &mut Tx, table: &str, id: &str) -> StoreError {
    let q = format!("SELECT 1 FROM {table} WHERE id = $1");
    match sqlx::query(&q).bind(id).fetch_optional(&mut **tx).await {
        Ok(Some(_)) => StoreError::VersionConflict,
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}
