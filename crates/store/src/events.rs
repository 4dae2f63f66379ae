//! The outbox of live events: rows written in the same transaction as the business action
//! (a sale, a return, a shift), read by the live streams in order.
//!
//! A reader keeps a [`Position`] and asks for the events after it; the order must never let an
//! event appear behind a position a reader has already passed, or that reader would skip it.
//! - SQLite has one writer at a time, so `seq` order is commit order: events are read by `seq`
//!   and every position's `tx_id` is 0.
//! - PostgreSQL takes `seq` at INSERT, and concurrent transactions (several app servers, several
//!   writer connections) commit out of `seq` order. Each event also records the id of the
//!   transaction that inserted it (`tx_id`, migration 0017), and events are read in
//!   `(tx_id, seq)` order, only those of transactions with ids below the reading statement's
//!   snapshot `xmin`: all of those have ended, and every transaction still running or yet to
//!   start has an id at or above `xmin`, so nothing can appear before them any more. Events of
//!   a transaction still running wait for a later read. Transaction ids are server-wide, so a
//!   long writing transaction anywhere on the PostgreSQL server (even in another database)
//!   delays the streams until it ends; it never makes them skip.

use crate::db::{Backend, Db};
use crate::error::StoreResult;
use crate::row;
use salepoint_domain::ids::CompanyId;
use std::fmt;

/// `xmin` of the current statement's snapshot (PostgreSQL): every transaction with a lower id
/// has ended. `pg_current_snapshot()` is the statement's own snapshot under READ COMMITTED, so
/// the rows a statement sees and this bound agree.
const SNAPSHOT_XMIN: &str = "CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)";

/// `xmax` of the current statement's snapshot (PostgreSQL): no transaction with this id or a
/// higher one had ended when the statement started.
const SNAPSHOT_XMAX: &str = "CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS TEXT) AS BIGINT)";

/// Where a reader stands in the outbox: every event up to `(tx_id, seq)` in reading order is
/// behind it. Sent to clients as the SSE event id, `"<tx_id>-<seq>"` (see [`LastEventId`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The inserting transaction's id on PostgreSQL; 0 on SQLite and for events written before
    /// migration 0017.
    pub tx_id: i64,
    pub seq: i64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.tx_id, self.seq)
    }
}

/// A `Last-Event-ID` a client sends back to resume a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastEventId {
    /// An id this server sent: `"<tx_id>-<seq>"`.
    Position(Position),
    /// A plain sequence number, as event ids were before migration 0017 (a client that
    /// connected before an upgrade). See [`resume`] for what it resumes after.
    Seq(i64),
}

impl LastEventId {
    /// Reads `"<tx_id>-<seq>"` or a plain `"<seq>"` (decimal digits only); `None` for anything
    /// else.
    pub fn parse(s: &str) -> Option<LastEventId> {
        fn number(s: &str) -> Option<i64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        match s.split_once('-') {
            Some((tx, seq)) => Some(LastEventId::Position(Position {
                tx_id: number(tx)?,
                seq: number(seq)?,
            })),
            None => number(s).map(LastEventId::Seq),
        }
    }
}

/// One event.
#[derive(Clone, Debug)]
pub struct OutboxEvent {
    pub position: Position,
    pub store_id: Option<String>,
    pub kind: String,
    /// JSON text.
    pub payload: String,
}

/// Where a new stream starts: after every event already readable, so that it gets exactly the
/// events that become readable from now on. On PostgreSQL that is `(xmin, 0)`, between events
/// rather than at one: the events of a transaction still running when the stream starts are
/// delivered when it ends, even if a newer transaction committed first, where a head at the
/// newest event would skip them.
pub async fn head(db: &Db, company: CompanyId) -> StoreResult<Position> {
    match db.backend {
        Backend::Sqlite => {
            let r = sqlx::query(
                "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM outbox_events \
                 WHERE company_id = $1",
            )
            .bind(company.to_string())
            .fetch_one(&db.pool)
            .await?;
            Ok(Position {
                tx_id: 0,
                seq: row::int(&r, "n")?,
            })
        }
        Backend::Postgres => {
            let r = sqlx::query(&format!("SELECT {SNAPSHOT_XMIN} AS xmin"))
                .fetch_one(&db.pool)
                .await?;
            Ok(Position {
                tx_id: row::int(&r, "xmin")?,
                seq: 0,
            })
        }
    }
}

/// The position a stream resumes from after the client's `Last-Event-ID`.
///
/// A plain sequence number `n` (an id sent before migration 0017) means "every event with
/// `seq` ≤ n was delivered", as the old reader meant it. On SQLite that is exactly `(0, n)`.
/// On PostgreSQL `(0, n)` would replay every event written since the upgrade, and the position
/// of event `n` itself would skip events of older transactions that committed after it; so the
/// stream resumes before the first event with `seq` > n in reading order, or at the head if
/// there is none: every event with `seq` > n is delivered, and a few around `n` that committed
/// out of order may be delivered twice.
///
/// A position whose transaction this PostgreSQL server has not reached yet was sent by another
/// server (the database was restored into a new one, whose transaction ids start lower); it is
/// resumed by its `seq` alone, as a plain number, rather than waiting for this server's ids to
/// catch up.
pub async fn resume(db: &Db, company: CompanyId, last: LastEventId) -> StoreResult<Position> {
    let n = match last {
        LastEventId::Position(p) if db.backend == Backend::Sqlite => return Ok(p),
        LastEventId::Position(p) => {
            let r = sqlx::query(&format!("SELECT {SNAPSHOT_XMAX} AS xmax"))
                .fetch_one(&db.pool)
                .await?;
            if p.tx_id < row::int(&r, "xmax")? {
                return Ok(p);
            }
            p.seq
        }
        LastEventId::Seq(n) if db.backend == Backend::Sqlite => {
            return Ok(Position { tx_id: 0, seq: n });
        }
        LastEventId::Seq(n) => n,
    };
    let r = sqlx::query(&format!(
        "SELECT {SNAPSHOT_XMIN} AS xmin, \
         (SELECT MIN(tx_id) FROM outbox_events WHERE company_id = $1 AND seq > $2) AS tx_id"
    ))
    .bind(company.to_string())
    .bind(n)
    .fetch_one(&db.pool)
    .await?;
    let head = Position {
        tx_id: row::int(&r, "xmin")?,
        seq: 0,
    };
    // Every event with `seq` > n readable now is at or after (MIN(tx_id), n + 1); every one
    // not readable yet is after the head.
    Ok(match row::opt_int(&r, "tx_id")? {
        Some(tx_id) => head.min(Position { tx_id, seq: n }),
        None => head,
    })
}

/// Sets to 0 the `tx_id` of events written under another PostgreSQL server's transaction ids
/// (a database restored with pg_restore into a new server, whose ids start again lower). Left
/// as they were, they would sit ahead of every new event and be read as new once this server's
/// ids passed them; at 0 they come first, in `seq` order, like the events from before 0017. A
/// row this statement sees with a `tx_id` at or above its snapshot's `xmax` cannot have been
/// written by this server (the snapshot sees no transaction that late), and rows of
/// transactions still running are not seen, so none of this server's events is touched.
/// The analytics worker's outbox cursors from the old server are moved too. Run on every start
/// by [`Db::migrate`]: a look at each company's newest event (one index probe each) and cursor
/// and, only if one is foreign, the updates. Returns how many events were changed.
pub async fn forget_foreign_tx_ids(db: &Db) -> StoreResult<u64> {
    if db.backend == Backend::Sqlite {
        return Ok(0);
    }
    let r = sqlx::query(&format!(
        "SELECT {SNAPSHOT_XMAX} AS xmax, GREATEST((SELECT MAX(newest.tx_id) FROM companies c \
         CROSS JOIN LATERAL (SELECT tx_id FROM outbox_events e WHERE e.company_id = c.id \
         ORDER BY tx_id DESC LIMIT 1) newest), (SELECT MAX(tx_id) FROM analytics_cursors)) AS newest"
    ))
    .fetch_one(&db.pool)
    .await?;
    let xmax = row::int(&r, "xmax")?;
    if row::opt_int(&r, "newest")?.is_none_or(|newest| newest < xmax) {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query(&format!(
        "UPDATE outbox_events SET tx_id = 0 \
         WHERE company_id IN (SELECT id FROM companies) AND tx_id >= {SNAPSHOT_XMAX}"
    ))
    .execute(&mut *tx)
    .await?;
    // The analytics worker's cursors (analytics/follow.rs) move behind every event of the old
    // server, now at 0: those it had not passed were written before the dump, and their sales
    // not yet counted are found by the worker's sweep when it starts.
    sqlx::query(&format!(
        "UPDATE analytics_cursors SET tx_id = 0, seq = COALESCE((SELECT MAX(e.seq) \
         FROM outbox_events e WHERE e.company_id = analytics_cursors.company_id AND e.tx_id = 0), 0) \
         WHERE tx_id >= {SNAPSHOT_XMAX}"
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// Up to `limit` events of a company after `from`, in reading order (see the module doc).
pub async fn after(
    db: &Db,
    company: CompanyId,
    from: Position,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    read(db, company, from, limit, true).await
}

/// Like [`after`], but on PostgreSQL also the committed events of transactions at or above the
/// snapshot's xmin, which [`after`] holds back while an older transaction runs anywhere on the
/// server. Only for a reader that moves no position past them (the analytics worker's `drain`:
/// "every sale committed now is counted"); on SQLite the same as [`after`].
pub async fn committed_after(
    db: &Db,
    company: CompanyId,
    from: Position,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    read(db, company, from, limit, false).await
}

/// [`after`] (`readable_only`) or [`committed_after`].
async fn read(
    db: &Db,
    company: CompanyId,
    from: Position,
    limit: i64,
    readable_only: bool,
) -> StoreResult<Vec<OutboxEvent>> {
    let rows = match db.backend {
        Backend::Sqlite => {
            sqlx::query(
                "SELECT seq, store_id, kind, payload FROM outbox_events \
                 WHERE company_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(company.to_string())
            .bind(from.seq)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
        Backend::Postgres => {
            let readable = if readable_only {
                format!("AND tx_id < {SNAPSHOT_XMIN}")
            } else {
                String::new()
            };
            sqlx::query(&format!(
                "SELECT tx_id, seq, store_id, kind, payload FROM outbox_events \
                 WHERE company_id = $1 AND (tx_id, seq) > ($2, $3) {readable} \
                 ORDER BY tx_id, seq LIMIT $4"
            ))
            .bind(company.to_string())
            .bind(from.tx_id)
            .bind(from.seq)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(OutboxEvent {
                position: Position {
                    tx_id: match db.backend {
                        Backend::Sqlite => 0,
                        Backend::Postgres => row::int(r, "tx_id")?,
                    },
                    seq: row::int(r, "seq")?,
                },
                store_id: row::opt_text(r, "store_id")?,
                kind: row::text(r, "kind")?,
                payload: row::text(r, "payload")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_read_back_as_written() {
        let p = Position {
            tx_id: 812_345,
            seq: 17,
        };
        assert_eq!(p.to_string(), "812345-17");
        assert_eq!(
            LastEventId::parse(&p.to_string()),
            Some(LastEventId::Position(p))
        );
        assert_eq!(
            LastEventId::parse("0-0"),
            Some(LastEventId::Position(Position { tx_id: 0, seq: 0 }))
        );
        assert_eq!(LastEventId::parse("42"), Some(LastEventId::Seq(42)));
    }

    #[test]
    fn malformed_event_ids_are_refused() {
        for bad in [
            "",
            "-",
            "1-",
            "-1",
            "1--2",
            "1-2-3",
            "+1",
            "1-+2",
            "x",
            "1-x",
            "1 -2",
            "1.5",
            "99999999999999999999",
        ] {
            assert_eq!(LastEventId::parse(bad), None, "{bad:?}");
        }
    }
}
