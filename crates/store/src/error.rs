//! The store's error: what a caller can act on (not found, conflict, stale version, invalid
//! input, database unavailable), with the raw database error kept for the log only.

use salepoint_domain::validation::FieldError;

/// An error from a store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist or is outside the caller's scope (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken, e.g. a duplicate code; `field` is a JSON Pointer.
    #[error("conflict on {field}: {message}")]
    Conflict { field: String, message: String },
    /// A business rule refuses the action in the present state (e.g. not enough stock at a
    /// store that does not sell below zero); `code` is stable for clients.
    #[error("refused at {field}: {message}")]
    Rule {
        field: String,
        code: &'static str,
        message: String,
    },
    /// The caller's `version` is stale.
    #[error("version conflict")]
    VersionConflict,
    /// Invalid input that only the database could judge (e.g. an unknown referenced id).
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else from the database.
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// An internal failure (hashing, serialization).
    #[error("internal: {0}")]
    Internal(String),
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        crate::pool::note_loss(&e);
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(e.to_string())
            }
            e if crate::pool::connection_lost(&e) => StoreError::Unavailable(e.to_string()),
            other => StoreError::Db(other),
        }
    }
}

impl StoreError {
    /// One invalid field.
    pub fn invalid(field: &str, code: &str, message: &str) -> Self {
        StoreError::Invalid(vec![FieldError {
            field: field.to_string(),
            code: code.to_string(),
            message: message.to_string(),
        }])
    }
}

/// Maps a unique-constraint violation to a [`StoreError::Conflict`] on `field`; other errors
/// pass through.
pub fn unique_as_conflict(e: sqlx::Error, field: &str, message: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.kind() == sqlx::error::ErrorKind::UniqueViolation
    {
        return StoreError::Conflict {
            field: field.to_string(),
            message: message.to_string(),
        };
    }
    e.into()
}
