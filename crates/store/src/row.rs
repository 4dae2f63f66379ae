//! Reading typed values out of `AnyRow`s: ids, enums and 0/1 flags are stored as text and
//! integers; a value the code cannot read back is an internal error, never a client's.

use crate::error::{StoreError, StoreResult};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::str::FromStr;

/// A text column.
pub fn text(r: &AnyRow, col: &str) -> StoreResult<String> {
    Ok(r.try_get::<String, _>(col)?)
}

/// A nullable text column.
pub fn opt_text(r: &AnyRow, col: &str) -> StoreResult<Option<String>> {
    Ok(r.try_get::<Option<String>, _>(col)?)
}

/// An integer column.
pub fn int(r: &AnyRow, col: &str) -> StoreResult<i64> {
    Ok(r.try_get::<i64, _>(col)?)
}

/// A 0/1 flag column.
pub fn flag(r: &AnyRow, col: &str) -> StoreResult<bool> {
    Ok(int(r, col)? != 0)
}

/// A column parsed with `FromStr` (typed ids).
pub fn parsed<T: FromStr>(r: &AnyRow, col: &str) -> StoreResult<T> {
    let s = text(r, col)?;
    s.parse()
        .map_err(|_| StoreError::Internal(format!("unreadable {col}: {s}")))
}

/// A nullable column parsed with `FromStr`.
pub fn opt_parsed<T: FromStr>(r: &AnyRow, col: &str) -> StoreResult<Option<T>> {
    match opt_text(r, col)? {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| StoreError::Internal(format!("unreadable {col}: {s}"))),
    }
}

/// A column holding one of a closed set of values.
pub fn enumerated<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    let s = text(r, col)?;
    parse(&s).ok_or_else(|| StoreError::Internal(format!("unknown {col}: {s}")))
}

/// A nullable integer column.
pub fn opt_int(r: &AnyRow, col: &str) -> StoreResult<Option<i64>> {
    Ok(r.try_get::<Option<i64>, _>(col)?)
}
