//! The stock ledger's invariant: on hand = the sum of the movements, for every location and
//! product. `verify` proves it (used by `salepoint stock verify` and the tests).

use crate::db::Db;
use crate::error::StoreResult;
use crate::row;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A location and product whose level disagrees with its movements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Mismatch {
    pub location_id: String,
    pub product_id: String,
    pub on_hand_milli: i64,
    pub movements_milli: i64,
}

/// The result of a ledger check.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LedgerReport {
    pub levels: i64,
    pub mismatches: Vec<Mismatch>,
}

/// Compares every stock level with the sum of its movements.
pub async fn verify(db: &Db) -> StoreResult<LedgerReport> {
    let sums = sqlx::query(
        "SELECT location_id, product_id, CAST(SUM(quantity_milli) AS BIGINT) AS q FROM stock_movements \
         GROUP BY location_id, product_id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut moved: HashMap<(String, String), i64> = HashMap::new();
    for r in &sums {
        moved.insert(
            (row::text(r, "location_id")?, row::text(r, "product_id")?),
            row::int(r, "q")?,
        );
    }
    let levels = sqlx::query("SELECT location_id, product_id, on_hand_milli FROM stock_levels")
        .fetch_all(&db.pool)
        .await?;
    let mut mismatches = Vec::new();
    for r in &levels {
        let key = (row::text(r, "location_id")?, row::text(r, "product_id")?);
        let on_hand = row::int(r, "on_hand_milli")?;
        let m = moved.remove(&key).unwrap_or(0);
        if m != on_hand {
            mismatches.push(Mismatch {
                location_id: key.0,
                product_id: key.1,
                on_hand_milli: on_hand,
                movements_milli: m,
            });
        }
    }
    for ((location_id, product_id), m) in moved {
        if m != 0 {
            mismatches.push(Mismatch {
                location_id,
                product_id,
                on_hand_milli: 0,
                movements_milli: m,
            });
        }
    }
    Ok(LedgerReport {
        levels: levels.len() as i64,
        mismatches,
    })
}
