//! Posting stock: the one place stock documents (receipts, supplier returns, transfers, counts,
//! adjustments) change levels and append to the ledger, inside the document's transaction.
//! Levels are upserted in key order, so concurrent writers lock rows in the same order, and
//! a level that falls to its reorder point raises a `stock.low` event in the same commit.

use crate::bulk::{self, Val};
use crate::clock;
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use std::collections::BTreeMap;

/// One ledger row to append; its quantity is also the change of on hand at its location.
#[derive(Clone, Debug)]
pub struct Movement {
    pub location_id: String,
    pub product_id: String,
    /// `receipt`, `transfer_out`, `transfer_in`, `count`, `write_off`, `adjustment`.
    pub kind: &'static str,
    pub quantity_milli: i64,
    pub unit_cost_minor: i64,
    pub ref_type: &'static str,
    pub ref_id: String,
    pub ref_line: Option<i64>,
}

/// A change of the goods on their way to a location (not a ledger row: the ledger records
/// where stock *is*; in transit is the shipped-but-not-received part of transfers).
#[derive(Clone, Debug)]
pub struct Transit {
    pub location_id: String,
    pub product_id: String,
    pub delta_milli: i64,
}

/// A level after posting.
#[derive(Clone, Debug)]
pub struct LevelAfter {
    pub location_id: String,
    pub product_id: String,
    pub on_hand_milli: i64,
}

/// Appends `moves` to the ledger and applies them and `transit` to the levels, with a
/// `stock.changed` event per location and `stock.low` for each level that reaches its reorder
/// point. Returns the levels after.
pub async fn post(
    tx: &mut Tx,
    p: &Principal,
    moves: &[Movement],
    transit: &[Transit],
) -> StoreResult<Vec<LevelAfter>> {
    let company = p.company_id.to_string();
    let now = clock::now();
    // (on hand delta, in transit delta) per level, in key order.
    let mut deltas: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for m in moves {
        deltas
            .entry((m.location_id.clone(), m.product_id.clone()))
            .or_default()
            .0 += m.quantity_milli;
    }
    for t in transit {
        deltas
            .entry((t.location_id.clone(), t.product_id.clone()))
            .or_default()
            .1 += t.delta_milli;
    }
    if deltas.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Vec<Val>> = deltas
        .iter()
        .map(|((l, pr), (q, t))| {
            vec![
                Val::from(l.as_str()),
                pr.as_str().into(),
                company.as_str().into(),
                (*q).into(),
                (*t).into(),
                now.as_str().into(),
            ]
        })
        .collect();
    let after = bulk::insert(
        tx,
        "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, in_transit_milli, updated_at) VALUES ",
        &rows,
        " ON CONFLICT (location_id, product_id) DO UPDATE SET \
         on_hand_milli = stock_levels.on_hand_milli + excluded.on_hand_milli, \
         in_transit_milli = stock_levels.in_transit_milli + excluded.in_transit_milli, \
         updated_at = excluded.updated_at \
         RETURNING location_id, product_id, on_hand_milli, reserved_milli, in_transit_milli, reorder_point_milli",
    )
    .await?;
    let mut levels = Vec::with_capacity(after.len());
    let mut changed: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    let mut low = Vec::new();
    for r in &after {
        let key = (row::text(r, "location_id")?, row::text(r, "product_id")?);
        let (dq, dt) = *deltas
            .get(&key)
            .ok_or_else(|| StoreError::Internal("stock level not posted".into()))?;
        let on_hand = row::int(r, "on_hand_milli")?;
        let position = on_hand - row::int(r, "reserved_milli")? + row::int(r, "in_transit_milli")?;
        if let Some(rp) = row::opt_int(r, "reorder_point_milli")?
            && position <= rp
            && position - dq - dt > rp
        {
            low.push(serde_json::json!({
                "location_id": key.0, "product_id": key.1,
                "available": crate::inventory::quantity::from_milli(position - row::int(r, "in_transit_milli")?),
                "reorder_point": crate::inventory::quantity::from_milli(rp),
            }));
        }
        if dq != 0 {
            changed
                .entry(key.0.clone())
                .or_default()
                .push(serde_json::json!({"product_id": key.1, "delta": dq}));
        }
        levels.push(LevelAfter {
            location_id: key.0,
            product_id: key.1,
            on_hand_milli: on_hand,
        });
    }
    let ledger: Vec<Vec<Val>> = moves
        .iter()
        .map(|m| {
            vec![
                Val::from(uuid::Uuid::now_v7().to_string()),
                company.as_str().into(),
                m.location_id.as_str().into(),
                m.product_id.as_str().into(),
                m.kind.into(),
                m.quantity_milli.into(),
                m.unit_cost_minor.into(),
                m.ref_type.into(),
                m.ref_id.as_str().into(),
                m.ref_line.into(),
                p.id.as_str().into(),
                now.as_str().into(),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, \
         unit_cost_minor, ref_type, ref_id, ref_line, user_id, at) VALUES ",
        &ledger,
        "",
    )
    .await?;
    let mut events: Vec<Vec<Val>> = changed
        .into_iter()
        .map(|(loc, items)| {
            event_row(
                &company,
                &loc,
                "stock.changed",
                serde_json::json!({"location_id": loc, "items": items}),
                &now,
            )
        })
        .collect();
    for e in low {
        let loc = e["location_id"].as_str().unwrap_or_default().to_string();
        events.push(event_row(&company, &loc, "stock.low", e, &now));
    }
    bulk::insert(
        tx,
        "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) VALUES ",
        &events,
        "",
    )
    .await?;
    Ok(levels)
}

fn event_row(
    company: &str,
    store: &str,
    kind: &str,
    payload: serde_json::Value,
    now: &str,
) -> Vec<Val> {
    vec![
        Val::from(company),
        store.into(),
        kind.into(),
        payload.to_string().into(),
        now.into(),
    ]
}

/// Locks the levels of `keys` (PostgreSQL: `FOR UPDATE`; SQLite serializes writers anyway) and
/// returns their on hand, 0 for a level that does not exist yet.
pub async fn on_hand(
    tx: &mut Tx,
    location: &str,
    products: &[String],
) -> StoreResult<BTreeMap<String, i64>> {
    let mut out: BTreeMap<String, i64> = products.iter().map(|p| (p.clone(), 0)).collect();
    if products.is_empty() {
        return Ok(out);
    }
    let mut sorted = products.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut q = crate::sql::Sql::new(
        "SELECT product_id, on_hand_milli FROM stock_levels WHERE location_id = ",
    );
    q.bind(location.to_string())
        .push(" AND product_id IN ")
        .bind_list(&sorted);
    q.push(" ORDER BY product_id");
    if tx.backend == crate::db::Backend::Postgres {
        q.push(" FOR UPDATE");
    }
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
        out.insert(row::text(&r, "product_id")?, row::int(&r, "on_hand_milli")?);
    }
    Ok(out)
}
