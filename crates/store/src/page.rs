//! Cursor pagination. Lists are ordered by id (UUIDv7, so creation order); the cursor is the
//! last id of a page, base64url-encoded so clients treat it as opaque.

use crate::db::Db;
use crate::error::StoreResult;
use crate::sql::Sql;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

/// Default and maximum page sizes.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The requested window of a list.
#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    pub limit: i64,
    /// The decoded cursor: items strictly after this key.
    pub after: Option<String>,
}

impl PageRequest {
    /// Reads `limit` and `cursor` query values; `Err` names the bad parameter.
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, &'static str> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err("limit");
        }
        let after = match cursor {
            None | Some("") => None,
            Some(c) => {
                let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| "cursor")?;
                Some(String::from_utf8(bytes).map_err(|_| "cursor")?)
            }
        };
        Ok(PageRequest { limit, after })
    }

    /// Builds the page from up to `limit + 1` fetched rows (the extra row tells whether there
    /// is a next page).
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| URL_SAFE_NO_PAD.encode(key(r)))
        } else {
            None
        };
        Page {
            data: rows,
            next_cursor,
        }
    }
}

/// Finishes a list query ordered by `id`: adds the cursor condition, the order and the limit
/// (one extra row tells whether a next page exists), and fetches the rows.
pub async fn fetch_by_id(
    db: &Db,
    mut q: Sql,
    page: &PageRequest,
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    if let Some(after) = &page.after {
        q.push(" AND id > ").bind(after.clone());
    }
    q.push(" ORDER BY id LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    Ok(sqlx::query_with(&sql, args).fetch_all(&db.pool).await?)
}
