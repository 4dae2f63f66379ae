//! Receiving goods against a purchase order and sending goods back to the supplier. A receipt
//! locks the order, checks every line against what remains (10 % over-delivery tolerated with a
//! warning), posts `receipt` movements at the order's location, updates the moving-average cost
//! and the order's state — in one transaction, so two clerks receiving the same order at once
//! never receive the same goods twice.

use super::post::{self, Movement};
use super::purchase_orders::{self, PurchaseOrder, lock};
use super::quantity;
use crate::audit::{self, AuditEntry};
use crate::bulk::{self, Val};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::model::DecimalText;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::inventory::{moving_average, over_receipt_limit};
use salepoint_domain::validation::Validator;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// A quantity against one line of the order.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineQuantity {
    pub line_no: i64,
    pub quantity: DecimalText,
}

/// A delivery.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    pub lines: Vec<LineQuantity>,
    #[serde(default)]
    pub notes: String,
}

/// Goods sent back to the supplier.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierReturnInput {
    pub lines: Vec<LineQuantity>,
    pub reason: String,
}

/// One stored line of the order: (product, ordered, unit cost, received, returned).
struct Stored {
    product_id: String,
    ordered: i64,
    cost: i64,
    received: i64,
    returned: i64,
}

fn parse_lines(v: &mut Validator, lines: &[LineQuantity]) -> Vec<(i64, i64)> {
    if lines.is_empty() || lines.len() > purchase_orders::MAX_LINES {
        v.add("/lines", "out_of_range", "at least one line");
    }
    let mut seen = std::collections::HashSet::new();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if !seen.insert(l.line_no) {
                v.add(
                    format!("/lines/{i}/line_no"),
                    "duplicate",
                    "this line is listed twice",
                );
            }
            (
                l.line_no,
                quantity::positive(v, &format!("/lines/{i}/quantity"), &l.quantity),
            )
        })
        .collect()
}

async fn stored_lines(tx: &mut Tx, id: &str) -> StoreResult<BTreeMap<i64, Stored>> {
    let rows = sqlx::query("SELECT * FROM purchase_order_lines WHERE po_id = $1")
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                row::int(r, "line_no")?,
                Stored {
                    product_id: row::text(r, "product_id")?,
                    ordered: row::int(r, "quantity_milli")?,
                    cost: row::int(r, "unit_cost_minor")?,
                    received: row::int(r, "received_milli")?,
                    returned: row::int(r, "returned_milli")?,
                },
            ))
        })
        .collect()
}

/// Writes the received and returned figures of the `wanted` lines back (one statement).
async fn save_lines(
    tx: &mut Tx,
    id: &str,
    stored: &BTreeMap<i64, Stored>,
    wanted: &[(i64, i64)],
) -> StoreResult<()> {
    let rows: Vec<Vec<Val>> = wanted
        .iter()
        .map(|(line_no, _)| {
            let s = &stored[line_no];
            vec![
                Val::from(id),
                (*line_no).into(),
                s.product_id.as_str().into(),
                s.ordered.into(),
                s.cost.into(),
                s.received.into(),
                s.returned.into(),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "INSERT INTO purchase_order_lines (po_id, line_no, product_id, quantity_milli, unit_cost_minor, \
         received_milli, returned_milli) VALUES ",
        &rows,
        " ON CONFLICT (po_id, line_no) DO UPDATE SET received_milli = excluded.received_milli, \
         returned_milli = excluded.returned_milli",
    )
    .await?;
    Ok(())
}

/// Receives a delivery against a purchase order.
pub async fn receive(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &ReceiveInput,
    idem: Option<&IdemLock>,
) -> StoreResult<PurchaseOrder> {
    let mut v = Validator::new();
    let wanted = parse_lines(&mut v, &input.lines);
    v.optional_text("/notes", Some(&input.notes), 1000);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let (status, location, _) = lock(&mut tx, p, id, None).await?;
    status.may_receive()?;
    let mut stored = stored_lines(&mut tx, id).await?;
    let mut v = Validator::new();
    let mut warnings = Vec::new();
    for (i, (line_no, q)) in wanted.iter().enumerate() {
        let field = format!("/lines/{i}/quantity");
        let Some(s) = stored.get(line_no) else {
            v.add(
                format!("/lines/{i}/line_no"),
                "not_found",
                "no such line on this order",
            );
            continue;
        };
        let after = s.received + q;
        if after > over_receipt_limit(s.ordered) {
            v.add(
                &field,
                "over_receipt",
                format!(
                    "at most {} more may be received on this line",
                    quantity::from_milli((over_receipt_limit(s.ordered) - s.received).max(0))
                ),
            );
        } else if after > s.ordered {
            warnings.push(serde_json::json!({"field": field, "code": "over_delivery",
                "message": format!("{} more than ordered", quantity::from_milli(after - s.ordered))}));
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let receipt_id = uuid::Uuid::now_v7().to_string();
    let mut moves = Vec::with_capacity(wanted.len());
    for (line_no, q) in &wanted {
        let s = stored.get_mut(line_no).expect("checked above");
        s.received += q;
        moves.push(Movement {
            location_id: location.clone(),
            product_id: s.product_id.clone(),
            kind: "receipt",
            quantity_milli: *q,
            unit_cost_minor: s.cost,
            ref_type: "goods_receipt",
            ref_id: receipt_id.clone(),
            ref_line: Some(*line_no),
        });
    }
    let ids = product_ids(&moves);
    let costs = lock_costs(&mut tx, p, &ids).await?;
    let complete = stored.values().all(|s| s.received >= s.ordered);
    let next = status.after_receipt(complete)?;
    let now = clock::now();
    // The company's quantity held of the received products is the slow read of a receipt (each
    // product's levels at every location: 500,000 at chain scale). It is read on other pool
    // connections while this transaction posts the receipt; it cannot see this uncommitted
    // receipt, and every receipt committed before ours had locked the same cost rows
    // (`lock_costs`), so it is exactly the stock the average starts from.
    let (held, posted) = tokio::join!(held(db, &ids), async {
        sqlx::query(
            "INSERT INTO goods_receipts (id, company_id, po_id, location_id, kind, user_id, notes, warnings, at) \
             VALUES ($1, $2, $3, $4, 'receipt', $5, $6, $7, $8)",
        )
        .bind(&receipt_id)
        .bind(p.company_id.to_string())
        .bind(id)
        .bind(&location)
        .bind(&p.id)
        .bind(input.notes.trim())
        .bind(serde_json::Value::Array(warnings).to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        post::post(&mut tx, p, &moves, &[]).await?;
        save_lines(&mut tx, id, &stored, &wanted).await
    });
    posted?;
    write_costs(&mut tx, p, &moves, costs, held?).await?;
    sqlx::query("UPDATE purchase_orders SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(next.as_str())
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let po = purchase_orders::read(&mut tx, p, id).await?;
    idempotency::finish(&mut tx, idem, 201, &po).await?;
    tx.commit().await?;
    db.notify();
    Ok(po)
}

fn product_ids(moves: &[Movement]) -> Vec<String> {
    let mut ids: Vec<String> = moves.iter().map(|m| m.product_id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The current moving-average cost of each product (the cost price until its first receipt),
/// its `product_costs` row created where missing and locked until commit (PostgreSQL; SQLite
/// has one writer): two receipts of a product at two locations average one after the other,
/// never both from the same starting cost.
async fn lock_costs(
    tx: &mut Tx,
    p: &Principal,
    ids: &[String],
) -> StoreResult<HashMap<String, i64>> {
    let mut q = Sql::new(
        "INSERT INTO product_costs (product_id, company_id, avg_cost_minor, updated_at) \
         SELECT id, company_id, cost_price_minor, ",
    );
    q.bind(clock::now())
        .push(" FROM products WHERE company_id = ")
        .bind(p.company_id.to_string())
        .push(" AND id IN ")
        .bind_list(ids)
        .push(" ORDER BY id ON CONFLICT (product_id) DO NOTHING");
    let (sql, args) = q.build();
    sqlx::query_with(&sql, args).execute(&mut **tx).await?;
    let mut q =
        Sql::new("SELECT product_id, avg_cost_minor FROM product_costs WHERE product_id IN ");
    q.bind_list(ids).push(" ORDER BY product_id");
    if tx.backend == crate::db::Backend::Postgres {
        q.push(" FOR UPDATE");
    }
    let (sql, args) = q.build();
    sqlx::query_with(&sql, args)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| Ok((row::text(r, "product_id")?, row::int(r, "avg_cost_minor")?)))
        .collect()
}

/// The company's quantity held of each product (all locations), read on pool connections, in
/// two halves at once for a large receipt. Each product's sum is a range scan of
/// `stock_levels_product_figures` (migration 0010), which carries on hand — never a scan of the
/// levels table (500 lines × 1,000 locations: 5 s as a sequential scan, docs/benchmarks.md).
async fn held(db: &Db, ids: &[String]) -> StoreResult<HashMap<String, i64>> {
    async fn read(db: &Db, ids: &[String]) -> StoreResult<Vec<(String, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Sql::new(
            "SELECT p.id, (SELECT CAST(COALESCE(SUM(sl.on_hand_milli), 0) AS BIGINT) \
             FROM stock_levels sl WHERE sl.product_id = p.id) AS held FROM products p WHERE p.id IN ",
        );
        q.bind_list(ids);
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((row::text(r, "id")?, row::int(r, "held")?)))
            .collect()
    }
    let (first, second) = ids.split_at(if ids.len() > 100 {
        ids.len() / 2
    } else {
        ids.len()
    });
    let (a, b) = tokio::join!(read(db, first), read(db, second));
    Ok(a?.into_iter().chain(b?).collect())
}

/// Writes the moving-average cost of each received product: from the cost and the company's
/// quantity held before the receipt, one movement after the other.
async fn write_costs(
    tx: &mut Tx,
    p: &Principal,
    moves: &[Movement],
    mut cost: HashMap<String, i64>,
    mut held: HashMap<String, i64>,
) -> StoreResult<()> {
    for m in moves {
        let h = held.entry(m.product_id.clone()).or_insert(0);
        let c = cost
            .entry(m.product_id.clone())
            .or_insert(m.unit_cost_minor);
        *c = moving_average(*h, *c, m.quantity_milli, m.unit_cost_minor);
        *h += m.quantity_milli;
    }
    let now = clock::now();
    let company = p.company_id.to_string();
    let rows: Vec<Vec<Val>> = product_ids(moves)
        .iter()
        .map(|id| {
            vec![
                Val::from(id.as_str()),
                company.as_str().into(),
                cost[id].into(),
                now.as_str().into(),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "INSERT INTO product_costs (product_id, company_id, avg_cost_minor, updated_at) VALUES ",
        &rows,
        " ON CONFLICT (product_id) DO UPDATE SET avg_cost_minor = excluded.avg_cost_minor, updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}

/// Sends received goods back to the supplier: never more than received minus returned.
pub async fn return_to_supplier(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &SupplierReturnInput,
    idem: Option<&IdemLock>,
) -> StoreResult<PurchaseOrder> {
    let mut v = Validator::new();
    let wanted = parse_lines(&mut v, &input.lines);
    v.text("/reason", &input.reason, 1, 500);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let (status, location, _) = lock(&mut tx, p, id, None).await?;
    status.may_return()?;
    let mut stored = stored_lines(&mut tx, id).await?;
    let mut v = Validator::new();
    for (i, (line_no, q)) in wanted.iter().enumerate() {
        match stored.get(line_no) {
            None => v.add(
                format!("/lines/{i}/line_no"),
                "not_found",
                "no such line on this order",
            ),
            Some(s) if s.returned + q > s.received => v.add(
                format!("/lines/{i}/quantity"),
                "over_return",
                format!(
                    "at most {} may go back",
                    quantity::from_milli(s.received - s.returned)
                ),
            ),
            Some(_) => {}
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let return_id = uuid::Uuid::now_v7().to_string();
    let mut moves = Vec::with_capacity(wanted.len());
    for (line_no, q) in &wanted {
        let s = stored.get_mut(line_no).expect("checked above");
        s.returned += q;
        moves.push(Movement {
            location_id: location.clone(),
            product_id: s.product_id.clone(),
            kind: "receipt",
            quantity_milli: -q,
            unit_cost_minor: s.cost,
            ref_type: "supplier_return",
            ref_id: return_id.clone(),
            ref_line: Some(*line_no),
        });
    }
    let now = clock::now();
    sqlx::query(
        "INSERT INTO goods_receipts (id, company_id, po_id, location_id, kind, user_id, notes, at) \
         VALUES ($1, $2, $3, $4, 'return', $5, $6, $7)",
    )
    .bind(&return_id)
    .bind(p.company_id.to_string())
    .bind(id)
    .bind(&location)
    .bind(&p.id)
    .bind(input.reason.trim())
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    post::post(&mut tx, p, &moves, &[]).await?;
    save_lines(&mut tx, id, &stored, &wanted).await?;
    sqlx::query("UPDATE purchase_orders SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "purchase_order.returned", "purchase_order", id)
            .store(&location)
            .details(serde_json::json!({"return_id": return_id, "reason": input.reason.trim(), "lines": wanted.len()})),
    )
    .await?;
    let po = purchase_orders::read(&mut tx, p, id).await?;
    idempotency::finish(&mut tx, idem, 201, &po).await?;
    tx.commit().await?;
    db.notify();
    Ok(po)
}
