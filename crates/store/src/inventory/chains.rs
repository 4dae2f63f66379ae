//! SQLite's movement chains (migration 0023): each stock level keeps the id of its newest
//! movement and each movement the id of the one before it at the same level, so that one
//! product's ledger at one location (the stock card) is read without an index by location and
//! product — an index that cost every sale line a random page. A trigger links each movement
//! as it is appended; bulk loads (the demo history, benchmark seeds) drop it and link what they
//! wrote in one pass ([`SQLITE_REBUILD`]), which is much faster than a trigger run per row.

use crate::db::{self, Backend, Db};
use crate::error::StoreResult;

/// Links the movements that have no link yet, in the order they were appended (rowid), and
/// points every level at its newest movement. Links already set are left as they are (they
/// may be set only once).
pub const SQLITE_REBUILD: [&str; 2] = [
    "UPDATE stock_movements SET prev_id = o.prev \
     FROM (SELECT rowid AS rid, \
             LAG(id) OVER (PARTITION BY location_id, product_id ORDER BY rowid) AS prev \
           FROM stock_movements) AS o \
     WHERE o.rid = stock_movements.rowid AND o.prev IS NOT NULL AND stock_movements.prev_id IS NULL",
    "UPDATE stock_levels SET last_movement_id = h.id \
     FROM (SELECT location_id, product_id, id, MAX(rowid) FROM stock_movements \
           GROUP BY location_id, product_id) AS h \
     WHERE h.location_id = stock_levels.location_id AND h.product_id = stock_levels.product_id \
     AND stock_levels.last_movement_id IS NOT h.id",
];

/// The trigger that links each appended movement.
pub const SQLITE_TRIGGER: &str = "stock_movements_chain";

/// SQLite: drops the linking trigger before a bulk load and returns its definition for
/// [`resume`] (`None` on PostgreSQL, which keeps an index instead).
pub async fn pause(db: &Db) -> StoreResult<Option<String>> {
    if db.backend != Backend::Sqlite {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let sql = drop_trigger(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(sql))
}

/// SQLite: drops the linking trigger on `conn` and returns its definition (for a bulk load that
/// runs in a transaction of its own and links with [`SQLITE_REBUILD`] at its end).
pub async fn drop_trigger(conn: &mut sqlx::AnyConnection) -> StoreResult<String> {
    let sql: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1")
            .bind(SQLITE_TRIGGER)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query(&format!("DROP TRIGGER {SQLITE_TRIGGER}"))
        .execute(&mut *conn)
        .await?;
    Ok(sql)
}

/// Links what was appended since [`pause`] and puts the trigger back, in one transaction.
pub async fn resume(db: &Db, trigger: Option<String>) -> StoreResult<()> {
    let Some(trigger) = trigger else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    for sql in SQLITE_REBUILD {
        db::execute(&mut tx, sql).await?;
    }
    db::execute(&mut tx, &trigger).await?;
    tx.commit().await?;
    db.pool.schema_changed();
    Ok(())
}
