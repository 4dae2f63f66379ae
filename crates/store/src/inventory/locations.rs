//! The locations (stores and warehouses) a stock document may name: they must belong to the
//! caller's company and lie inside the caller's scope, else they do not exist for the caller.

use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use serde::Serialize;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// Where a level is, named as a clerk or shop assistant knows the place; embedded flat
/// (`#[serde(flatten)]`) in every answer that shows a level (the stock browser's
/// `StockLevel`, the per-product `LocationStock`), so they name a location the same way.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LocationRef {
    pub location_id: String,
    pub location_code: String,
    pub location_name: String,
    /// `store` or `warehouse`.
    pub location_kind: String,
    pub region_id: Option<String>,
    pub region_name: Option<String>,
}

/// The location of a row carrying the columns `location_id`, `location_code`, `location_name`,
/// `location_kind`, `region_id` and `region_name`.
pub(crate) fn read_ref(r: &AnyRow) -> StoreResult<LocationRef> {
    Ok(LocationRef {
        location_id: row::text(r, "location_id")?,
        location_code: row::text(r, "location_code")?,
        location_name: row::text(r, "location_name")?,
        location_kind: row::text(r, "location_kind")?,
        region_id: row::opt_text(r, "region_id")?,
        region_name: row::opt_text(r, "region_name")?,
    })
}

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
