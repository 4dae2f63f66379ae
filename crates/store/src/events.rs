//! The outbox of live events: rows written in the same transaction as the business action
//! (a sale, a return, a shift), read by the live streams in order.

use crate::db::Db;
use crate::error::StoreResult;
use crate::row;
use salepoint_domain::ids::CompanyId;

/// One event.
#[derive(Clone, Debug)]
pub struct OutboxEvent {
    pub seq: i64,
    pub store_id: Option<String>,
    pub kind: String,
    /// JSON text.
    pub payload: String,
}

/// The newest event number of a company (0 when none).
pub async fn head(db: &Db, company: CompanyId) -> StoreResult<i64> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM outbox_events WHERE company_id = $1",
    )
    .bind(company.to_string())
    .fetch_one(&db.pool)
    .await?;
    row::int(&r, "n")
}

/// Up to `limit` events of a company after `seq`, oldest first.
pub async fn after(
    db: &Db,
    company: CompanyId,
    seq: i64,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    let rows = sqlx::query(
        "SELECT seq, store_id, kind, payload FROM outbox_events WHERE company_id = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3",
    )
    .bind(company.to_string())
    .bind(seq)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OutboxEvent {
                seq: row::int(r, "seq")?,
                store_id: row::opt_text(r, "store_id")?,
                kind: row::text(r, "kind")?,
                payload: row::text(r, "payload")?,
            })
        })
        .collect()
}
