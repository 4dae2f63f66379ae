//! The catalog: tax classes, categories, products and their barcodes, search, price lists,
//! scale label formats, register sync, and product import and export.
//!
//! Every catalog write takes the company's next change number (see [`next_change`]) and stamps
//! the products it touches with it, which is what registers sync by.

pub mod barcode_lookups;
pub mod categories;
pub mod export;
pub mod import;
pub mod price_lists;
pub mod products;
pub mod scale_formats;
pub mod search;
pub mod sync;
pub mod table;
pub mod tax_classes;

use crate::db::Tx;
use crate::error::StoreResult;
use crate::row;
use salepoint_domain::ids::CompanyId;

/// Takes the company's next catalog change number inside `tx`. The UPDATE locks the counter
/// row until commit, so numbers are handed out in commit order.
pub async fn next_change(tx: &mut Tx, company: CompanyId) -> StoreResult<i64> {
    sqlx::query("INSERT INTO catalog_head (company_id, seq) VALUES ($1, 0) ON CONFLICT (company_id) DO NOTHING")
        .bind(company.to_string())
        .execute(&mut **tx)
        .await?;
    let r =
        sqlx::query("UPDATE catalog_head SET seq = seq + 1 WHERE company_id = $1 RETURNING seq")
            .bind(company.to_string())
            .fetch_one(&mut **tx)
            .await?;
    row::int(&r, "seq")
}

/// The company's current change number (0 before any catalog write).
pub async fn current_change(db: &crate::Db, company: CompanyId) -> StoreResult<i64> {
    let r = sqlx::query("SELECT seq FROM catalog_head WHERE company_id = $1")
        .bind(company.to_string())
        .fetch_optional(&db.pool)
        .await?;
    match r {
        Some(r) => row::int(&r, "seq"),
        None => Ok(0),
    }
}
