//! Gap-free document numbers per company and kind (`PO-000001`, `TR-…`, `SC-…`), taken inside
//! the transaction that creates the document, so a rolled-back document leaves no hole.

use crate::db::Tx;
use crate::error::StoreResult;
use crate::row;

/// The next number of `kind` (its prefix) for `company`.
pub async fn next(tx: &mut Tx, company: &str, kind: &str) -> StoreResult<String> {
    let r = sqlx::query(
        "INSERT INTO document_counters (company_id, kind, last_no) VALUES ($1, $2, 1) \
         ON CONFLICT (company_id, kind) DO UPDATE SET last_no = document_counters.last_no + 1 \
         RETURNING last_no",
    )
    .bind(company)
    .bind(kind)
    .fetch_one(&mut **tx)
    .await?;
    Ok(format!("{kind}-{:06}", row::int(&r, "last_no")?))
}
