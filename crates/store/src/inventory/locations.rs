//! The locations (stores and warehouses) a stock document may name: they must belong to the
//! caller's company and lie inside the caller's scope, else they do not exist for the caller.

use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;

/// A location as stock documents need it.
#[derive(Clone, Debug)]
pub struct Loc {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region_id: Option<String>,
}

/// Loads a location of the caller's company; `NotFound` when missing, inactive or (with
/// `scoped`) outside the caller's scope.
pub async fn load<'c>(
    conn: impl sqlx::Executor<'c, Database = sqlx::Any>,
    p: &Principal,
    id: &str,
    scoped: bool,
) -> StoreResult<Loc> {
    let r = sqlx::query(
        "SELECT id, code, name, kind, region_id FROM stores WHERE id = $1 AND company_id = $2 AND active = 1",
    )
    .bind(id)
    .bind(p.company_id.to_string())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let loc = Loc {
        id: row::text(&r, "id")?,
        code: row::text(&r, "code")?,
        name: row::text(&r, "name")?,
        kind: row::text(&r, "kind")?,
        region_id: row::opt_text(&r, "region_id")?,
    };
    if scoped && !p.sees(loc.id.parse().map_err(|_| StoreError::NotFound)?) {
        return Err(StoreError::NotFound);
    }
    Ok(loc)
}

/// Whether the caller sees the location with this id.
pub fn sees(p: &Principal, id: &str) -> bool {
    id.parse().is_ok_and(|s| p.sees(s))
}
