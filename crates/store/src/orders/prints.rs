//! What a printed receipt or shift report needs beyond the sale itself (company, store and
//! register names, the store's time zone, tender names), and the log of prints that tells an
//! original receipt from a copy.

use crate::clock;
use crate::db::Db;
use crate::error::StoreResult;
use crate::row;
use std::collections::HashMap;

/// Names and settings printed on a slip.
#[derive(Clone, Debug)]
pub struct PrintContext {
    pub company_name: String,
    pub store_name: String,
    pub store_address: String,
    pub time_zone: String,
    pub register_code: String,
    /// Tender type names by code.
    pub tender_names: HashMap<String, String>,
}

/// The print context of a register (whose store the caller was already checked to see).
pub async fn context(db: &Db, register_id: &str) -> StoreResult<PrintContext> {
    let r = sqlx::query(
        "SELECT c.id AS company_id, c.name AS company_name, s.name AS store_name, s.address, s.time_zone, r.code \
         FROM registers r JOIN stores s ON s.id = r.store_id JOIN companies c ON c.id = r.company_id WHERE r.id = $1",
    )
    .bind(register_id)
    .fetch_one(&db.pool)
    .await?;
    let mut tender_names = HashMap::new();
    for t in sqlx::query("SELECT code, name FROM tender_types WHERE company_id = $1")
        .bind(row::text(&r, "company_id")?)
        .fetch_all(&db.pool)
        .await?
    {
        tender_names.insert(row::text(&t, "code")?, row::text(&t, "name")?);
    }
    Ok(PrintContext {
        company_name: row::text(&r, "company_name")?,
        store_name: row::text(&r, "store_name")?,
        store_address: row::text(&r, "address")?,
        time_zone: row::text(&r, "time_zone")?,
        register_code: row::text(&r, "code")?,
        tender_names,
    })
}

/// Records a print of a sale's receipt; returns how many prints came before (0 = original).
pub async fn record_print(db: &Db, sale_id: &str, user_id: &str) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    let before = sqlx::query("SELECT COUNT(*) AS n FROM receipt_prints WHERE sale_id = $1")
        .bind(sale_id)
        .fetch_one(&mut *tx)
        .await?;
    let n = row::int(&before, "n")?;
    sqlx::query("INSERT INTO receipt_prints (sale_id, printed_at, user_id) VALUES ($1, $2, $3)")
        .bind(sale_id)
        .bind(clock::now())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(n)
}
