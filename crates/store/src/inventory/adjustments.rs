//! Manual corrections and write-offs (破损/报损): a new movement with a reason, audited — the
//! ledger is never edited.

use super::locations;
use super::movements::{self, StockMovement};
use super::post::{self, Movement};
use super::products;
use super::quantity;
use crate::audit::{self, AuditEntry};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::model::DecimalText;
use crate::principal::Principal;
use crate::sql::Sql;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of an adjustment.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentLineInput {
    pub product_id: String,
    /// `adjustment`: signed, non-zero; `write_off`: positive (it leaves stock).
    pub quantity: DecimalText,
}

/// A manual adjustment or write-off at one location.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    pub location_id: String,
    /// `adjustment` or `write_off`.
    pub kind: String,
    pub reason: String,
    pub lines: Vec<AdjustmentLineInput>,
}

/// The posted adjustment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Adjustment {
    pub id: String,
    pub location_id: String,
    pub kind: String,
    pub reason: String,
    pub movements: Vec<StockMovement>,
}

/// Posts an adjustment or write-off.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &AdjustmentInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Adjustment> {
    let mut v = Validator::new();
    let write_off = match input.kind.as_str() {
        "write_off" => true,
        "adjustment" => false,
        _ => {
            v.add("/kind", "invalid_value", "adjustment or write_off");
            false
        }
    };
    v.text("/reason", &input.reason, 1, 500);
    if input.lines.is_empty() || input.lines.len() > super::purchase_orders::MAX_LINES {
        v.add("/lines", "out_of_range", "at least one line");
    }
    let qty: Vec<i64> = input
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let f = format!("/lines/{i}/quantity");
            if write_off {
                -quantity::positive(&mut v, &f, &l.quantity)
            } else {
                quantity::non_zero(&mut v, &f, &l.quantity)
            }
        })
        .collect();
    v.finish().map_err(StoreError::Invalid)?;
    let loc = locations::load(&db.pool, p, &input.location_id, true).await?;
    let ids: Vec<String> = input.lines.iter().map(|l| l.product_id.clone()).collect();
    let info = products::check(&db.pool, p, &ids, "/lines").await?;
    let id = uuid::Uuid::now_v7().to_string();
    let kind: &'static str = if write_off { "write_off" } else { "adjustment" };
    let moves: Vec<Movement> = ids
        .iter()
        .zip(&qty)
        .enumerate()
        .map(|(i, (prod, q))| Movement {
            location_id: loc.id.clone(),
            product_id: prod.clone(),
            kind,
            quantity_milli: *q,
            unit_cost_minor: info[prod].avg_cost_minor,
            ref_type: "stock_adjustment",
            ref_id: id.clone(),
            ref_line: Some(i as i64 + 1),
        })
        .collect();
    let mut tx = db.begin().await?;
    post::post(&mut tx, p, &moves, &[]).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, &format!("stock.{kind}"), "stock_adjustment", &id)
            .store(&loc.id)
            .details(serde_json::json!({"reason": input.reason.trim(),
                "lines": ids.iter().zip(&qty).map(|(p, q)| serde_json::json!({"product_id": p, "quantity": quantity::from_milli(*q)})).collect::<Vec<_>>()})),
    )
    .await?;
    let mut q = Sql::new(movements::SELECT);
    q.bind(p.company_id.to_string())
        .push(" AND m.ref_id = ")
        .bind(id.clone())
        .push(" ORDER BY m.ref_line");
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&mut *tx).await?;
    let adj = Adjustment {
        id,
        location_id: loc.id,
        kind: kind.to_string(),
        reason: input.reason.trim().to_string(),
        movements: rows
            .iter()
            .map(movements::from_row)
            .collect::<StoreResult<_>>()?,
    };
    idempotency::finish(&mut tx, idem, 201, &adj).await?;
    tx.commit().await?;
    db.notify();
    Ok(adj)
}
