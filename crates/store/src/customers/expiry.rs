//! Sweeping expired points: every grant of points (a lot) past its expiry with something left
//! becomes an `expire` row of the ledger, and the member's balance drops by it — in one
//! transaction per batch of members, locked in id order like the sale writer locks them. The
//! writer also sweeps a member's expired lots before a redemption, so a member never pays with
//! expired points even between sweeps.

use crate::bulk::{self, Val};
use crate::clock;
use crate::db::{Backend, Db};
use crate::error::StoreResult;
use crate::row;
use crate::sql::Sql;
use std::collections::BTreeMap;

/// Members handled per transaction.
const BATCH: i64 = 500;

/// Expires every lot past its date; returns how many points expired.
pub async fn expire_due(db: &Db) -> StoreResult<i64> {
    let mut total = 0;
    loop {
        let now = clock::now();
        let ids: Vec<String> = sqlx::query(
            "SELECT DISTINCT customer_id FROM points_lots WHERE remaining > 0 AND expires_at <= $1 \
             ORDER BY customer_id LIMIT $2",
        )
        .bind(&now)
        .bind(BATCH)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| row::text(r, "customer_id"))
        .collect::<StoreResult<_>>()?;
        if ids.is_empty() {
            return Ok(total);
        }
        let mut tx = db.begin().await?;
        let pg = tx.backend == Backend::Postgres;
        let mut q = Sql::new("SELECT id, company_id FROM customers WHERE id IN ");
        q.bind_list(&ids).push(" ORDER BY id");
        if pg {
            q.push(" FOR UPDATE");
        }
        let (sql, args) = q.build();
        let mut company: BTreeMap<String, String> = BTreeMap::new();
        for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
            company.insert(row::text(&r, "id")?, row::text(&r, "company_id")?);
        }
        let mut q = Sql::new(
            "SELECT ledger_id, customer_id, remaining FROM points_lots WHERE remaining > 0 AND expires_at <= ",
        );
        q.bind(now.clone())
            .push(" AND customer_id IN ")
            .bind_list(&ids);
        q.push(" ORDER BY customer_id, ledger_id");
        if pg {
            q.push(" FOR UPDATE");
        }
        let (sql, args) = q.build();
        let mut rows = Vec::new();
        let mut lots = Vec::new();
        let mut per_customer: BTreeMap<String, i64> = BTreeMap::new();
        for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
            let (lot, customer, left) = (
                row::text(&r, "ledger_id")?,
                row::text(&r, "customer_id")?,
                row::int(&r, "remaining")?,
            );
            rows.push(vec![
                Val::from(uuid::Uuid::now_v7().to_string()),
                company.get(&customer).cloned().unwrap_or_default().into(),
                customer.as_str().into(),
                "expire".into(),
                (-left).into(),
                "points_expiry".into(),
                lot.as_str().into(),
                now.as_str().into(),
            ]);
            lots.push(lot);
            *per_customer.entry(customer).or_default() += left;
            total += left;
        }
        bulk::insert(
            &mut tx,
            "INSERT INTO points_ledger (id, company_id, customer_id, kind, points, ref_type, ref_id, at) VALUES ",
            &rows,
            "",
        )
        .await?;
        if !lots.is_empty() {
            let mut q = Sql::new("UPDATE points_lots SET remaining = 0 WHERE ledger_id IN ");
            q.bind_list(&lots);
            let (sql, args) = q.build();
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        for (customer, points) in &per_customer {
            sqlx::query("UPDATE customers SET points_balance = points_balance - $1 WHERE id = $2")
                .bind(*points)
                .bind(customer)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
}
