//! How the rollup worker finds new sales: it follows the outbox. Every sale and return writes a
//! `sale.completed` / `return.completed` event in its own transaction (`orders::writer`), and the
//! outbox is read in commit order (`events::after`: `seq` on SQLite, `(tx_id, seq)` below the
//! snapshot's xmin on PostgreSQL), so a cursor per company (`analytics_cursors`, migration 0021)
//! that the worker moves in the same transaction as the rollups it writes passes each sale once
//! and never steps past one that commits late.
//!
//! Why not a time window: finding the unapplied sales of "the last N seconds" meant probing
//! `analytics_applied` for every sale in the window on every pass, and at checkout speed that
//! probing cost more than the sales (session 14: a deployed SQLite server sold 463 instead of
//! 1,094 sales/s at 8 registers). The window survives only as the worker's one sweep when it
//! starts (`rollup::drain`): sales committed before this version, whose events are behind the
//! cursor the migration set.
//!
//! A cursor may lag behind what is applied (a rebuild, that sweep): the sales of the events it
//! then reads are skipped by their `analytics_applied` row, so a cursor that is too early costs
//! a re-read, never a double count.

use super::rollup;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::events::{self, OutboxEvent, Position};
use crate::{Tx, row};
use salepoint_domain::ids::CompanyId;

/// Outbox events read per company and batch (each sale writes two: the sale and its stock).
pub const EVENTS: i64 = 1000;

/// A batch's move of a company's cursor, saved in the batch's transaction.
pub(crate) struct Advance {
    company_id: String,
    from: Position,
    /// Whether the company has a cursor row yet (a company created after migration 0021 has
    /// none until its first batch).
    stored: bool,
    to: Position,
}

impl Advance {
    /// Moves the cursor from where this batch found it; false when another server moved it
    /// first (the caller then rolls the batch back: that server counted these sales).
    pub(crate) async fn save(&self, tx: &mut Tx) -> StoreResult<bool> {
        let done = if self.stored {
            sqlx::query(
                "UPDATE analytics_cursors SET tx_id = $1, seq = $2 \
                 WHERE company_id = $3 AND tx_id = $4 AND seq = $5",
            )
            .bind(self.to.tx_id)
            .bind(self.to.seq)
            .bind(self.company_id.clone())
            .bind(self.from.tx_id)
            .bind(self.from.seq)
            .execute(&mut **tx)
            .await?
        } else {
            sqlx::query(
                "INSERT INTO analytics_cursors (company_id, tx_id, seq) VALUES ($1, $2, $3) \
                 ON CONFLICT (company_id) DO NOTHING",
            )
            .bind(self.company_id.clone())
            .bind(self.to.tx_id)
            .bind(self.to.seq)
            .execute(&mut **tx)
            .await?
        };
        Ok(done.rows_affected() == 1)
    }
}

/// Every company's cursor: (company, position, whether its row exists).
async fn cursors(db: &Db) -> StoreResult<Vec<(String, Position, bool)>> {
    let rows = sqlx::query(
        "SELECT c.id, k.tx_id, k.seq FROM companies c \
         LEFT JOIN analytics_cursors k ON k.company_id = c.id ORDER BY c.id",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let seq = row::opt_int(r, "seq")?;
            let at = Position {
                tx_id: row::opt_int(r, "tx_id")?.unwrap_or(0),
                seq: seq.unwrap_or(0),
            };
            Ok((row::text(r, "id")?, at, seq.is_some()))
        })
        .collect()
}

/// `id` as a company id (read from the companies table, so always one).
fn company(id: &str) -> StoreResult<CompanyId> {
    id.parse()
        .map_err(|_| StoreError::Internal(format!("bad company id {id}")))
}

/// The sale a `sale.completed` / `return.completed` event's payload names.
#[derive(serde::Deserialize)]
struct SaleEvent {
    id: String,
}

/// What one [`batch`] did.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Batch {
    /// Sales and returns rolled up.
    pub applied: usize,
    /// Whether some company's read was full: more events are waiting after it.
    pub more: bool,
}

/// One batch per company: the sales and returns of the next [`EVENTS`] events after its cursor
/// are rolled up and the cursor moved past them, in one transaction.
pub(crate) async fn batch(db: &Db) -> StoreResult<Batch> {
    let mut done = Batch::default();
    for (company_id, from, stored) in cursors(db).await? {
        let read = events::after(db, company(&company_id)?, from, EVENTS).await?;
        let Some(last) = read.last() else {
            continue;
        };
        let ids = sale_ids(&read)?;
        let advance = Advance {
            company_id,
            from,
            stored,
            to: last.position,
        };
        // `None`: another server moved this cursor first; its batch counted these sales.
        if let Some(n) = rollup::apply_ids(db, &ids, Some(&advance)).await? {
            done.applied += n;
            done.more |= read.len() as i64 == EVENTS;
        }
    }
    Ok(done)
}

/// The sale ids named by the `sale.completed` / `return.completed` events of `read`.
fn sale_ids(read: &[OutboxEvent]) -> StoreResult<Vec<String>> {
    let mut ids = Vec::new();
    for e in read {
        if e.kind == "sale.completed" || e.kind == "return.completed" {
            let sale: SaleEvent = serde_json::from_str(&e.payload).map_err(|err| {
                StoreError::Internal(format!("outbox event {} unreadable: {err}", e.position))
            })?;
            ids.push(sale.id);
        }
    }
    Ok(ids)
}

/// Rolls up the sales of every event after the cursors that has committed but is not readable
/// in commit order yet — on PostgreSQL those of transactions with a lower id still running,
/// anywhere on the server (nothing on SQLite) — without moving the cursors, which pass these
/// events later and find their sales applied. For `drain` (the command line, tests): "every
/// sale committed now is counted" without waiting for other transactions. Returns the sales
/// applied.
pub(crate) async fn committed_beyond(db: &Db) -> StoreResult<usize> {
    if db.backend == Backend::Sqlite {
        return Ok(0);
    }
    let mut applied = 0;
    for (company_id, mut from, _) in cursors(db).await? {
        loop {
            let read = events::committed_after(db, company(&company_id)?, from, EVENTS).await?;
            let Some(last) = read.last() else {
                break;
            };
            from = last.position;
            applied += rollup::apply_ids(db, &sale_ids(&read)?, None)
                .await?
                .unwrap_or(0);
        }
    }
    Ok(applied)
}

/// The sales and returns of a company not yet counted whose events its cursor has not passed,
/// and the oldest one's `created_at` ('' when none).
pub(crate) async fn waiting(db: &Db, company_id: &str) -> StoreResult<(i64, String)> {
    let at = cursors(db)
        .await?
        .into_iter()
        .find(|(id, _, _)| id == company_id)
        .map_or(Position { tx_id: 0, seq: 0 }, |(_, at, _)| at);
    // Events after the cursor whose sale is counted already (a rebuild, `drain`, the start-up
    // sweep) are not waiting: the worker passes them on its next batch.
    let count = |sale_id: &str| {
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n, MIN(created_at) AS oldest FROM outbox_events \
             WHERE company_id = $1 AND kind IN ('sale.completed', 'return.completed') \
             AND NOT EXISTS (SELECT 1 FROM analytics_applied a WHERE a.sale_id = {sale_id})"
        )
    };
    let company_id = company_id.to_string();
    let r = match db.backend {
        Backend::Sqlite => {
            sqlx::query(&format!(
                "{} AND seq > $2",
                count("json_extract(payload, '$.id')")
            ))
            .bind(company_id)
            .bind(at.seq)
            .fetch_one(&db.pool)
            .await?
        }
        Backend::Postgres => {
            sqlx::query(&format!(
                "{} AND (tx_id, seq) > ($2, $3)",
                count("CAST(payload AS json) ->> 'id'")
            ))
            .bind(company_id)
            .bind(at.tx_id)
            .bind(at.seq)
            .fetch_one(&db.pool)
            .await?
        }
    };
    Ok((
        row::int(&r, "n")?,
        row::opt_text(&r, "oldest")?.unwrap_or_default(),
    ))
}
