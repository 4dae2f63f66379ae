//! Transfers between locations (调拨; a store's request to a warehouse is 要货): requested,
//! approved by the source, shipped (stock leaves the source and shows in transit at the
//! destination), received (in transit cleared, what arrived goes on hand, the difference is
//! recorded per line), closed — or cancelled before shipping.

use super::locations::{self, Loc};
use super::post::{self, Movement, Transit};
use super::products;
use super::quantity::{self, from_milli, opt_text};
use crate::audit::{self, AuditEntry};
use crate::bulk::{self, Val};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::model::DecimalText;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::inventory::TransferStatus;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A line of a transfer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TransferLine {
    pub line_no: i64,
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub unit: String,
    pub requested: String,
    pub shipped: Option<String>,
    pub received: Option<String>,
    /// Received − shipped, once received (negative: lost or short on the way).
    pub difference: Option<String>,
}

/// A transfer between two locations.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Transfer {
    pub id: String,
    pub number: String,
    pub from_location_id: String,
    pub from_location_name: String,
    pub to_location_id: String,
    pub to_location_name: String,
    pub status: TransferStatus,
    pub notes: String,
    pub requested_by: String,
    pub requested_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub shipped_by: Option<String>,
    pub shipped_at: Option<String>,
    pub received_by: Option<String>,
    pub received_at: Option<String>,
    pub closed_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub has_differences: bool,
    pub lines: Vec<TransferLine>,
}

/// A requested line.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferLineInput {
    pub product_id: String,
    pub quantity: DecimalText,
}

/// A transfer request.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    pub from_location_id: String,
    pub to_location_id: String,
    #[serde(default)]
    pub notes: String,
    pub lines: Vec<TransferLineInput>,
}

/// A quantity for one line when shipping or receiving.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferQuantity {
    pub line_no: i64,
    pub quantity: DecimalText,
}

/// A change of state; `lines` for ship/receive (default: as requested / as shipped), `reason`
/// for cancel.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferActionInput {
    pub version: i64,
    pub lines: Option<Vec<TransferQuantity>>,
    pub reason: Option<String>,
}

/// Filters of the transfer list.
#[derive(Clone, Debug, Default)]
pub struct TransferFilter {
    pub location_id: Option<String>,
    /// `in` (to the location) or `out` (from it).
    pub direction: Option<String>,
    pub status: Option<TransferStatus>,
}

const SELECT: &str = "SELECT t.*, f.name AS from_location_name, d.name AS to_location_name, \
     (SELECT COUNT(*) FROM transfer_lines l WHERE l.transfer_id = t.id AND l.received_milli IS NOT NULL \
       AND l.received_milli <> COALESCE(l.shipped_milli, 0)) AS differences FROM transfers t \
     JOIN stores f ON f.id = t.from_location_id JOIN stores d ON d.id = t.to_location_id WHERE t.company_id = ";

fn header(r: &AnyRow) -> StoreResult<Transfer> {
    Ok(Transfer {
        id: row::text(r, "id")?,
        number: row::text(r, "number")?,
        from_location_id: row::text(r, "from_location_id")?,
        from_location_name: row::text(r, "from_location_name")?,
        to_location_id: row::text(r, "to_location_id")?,
        to_location_name: row::text(r, "to_location_name")?,
        status: row::enumerated(r, "status", TransferStatus::parse)?,
        notes: row::text(r, "notes")?,
        requested_by: row::text(r, "requested_by")?,
        requested_at: row::text(r, "requested_at")?,
        approved_by: row::opt_text(r, "approved_by")?,
        approved_at: row::opt_text(r, "approved_at")?,
        shipped_by: row::opt_text(r, "shipped_by")?,
        shipped_at: row::opt_text(r, "shipped_at")?,
        received_by: row::opt_text(r, "received_by")?,
        received_at: row::opt_text(r, "received_at")?,
        closed_at: row::opt_text(r, "closed_at")?,
        cancel_reason: row::opt_text(r, "cancel_reason")?,
        version: row::int(r, "version")?,
        has_differences: row::int(r, "differences")? > 0,
        lines: Vec::new(),
    })
}

fn visible(p: &Principal, t: &Transfer) -> bool {
    locations::sees(p, &t.from_location_id) || locations::sees(p, &t.to_location_id)
}

/// Reads a transfer with its lines, if either side is in scope.
pub async fn read(conn: &mut AnyConnection, p: &Principal, id: &str) -> StoreResult<Transfer> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string())
        .push(" AND t.id = ")
        .bind(id.to_string());
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut t = header(&r)?;
    if !visible(p, &t) {
        return Err(StoreError::NotFound);
    }
    let lines = sqlx::query(
        "SELECT l.*, p.sku, p.name_zh, p.unit FROM transfer_lines l JOIN products p ON p.id = l.product_id \
         WHERE l.transfer_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for l in &lines {
        let shipped = row::opt_int(l, "shipped_milli")?;
        let received = row::opt_int(l, "received_milli")?;
        let difference = match (shipped, received) {
            (Some(s), Some(r)) => Some(r - s),
            _ => None,
        };
        t.lines.push(TransferLine {
            line_no: row::int(l, "line_no")?,
            product_id: row::text(l, "product_id")?,
            sku: row::text(l, "sku")?,
            name_zh: row::text(l, "name_zh")?,
            unit: row::text(l, "unit")?,
            requested: from_milli(row::int(l, "requested_milli")?),
            shipped: opt_text(shipped),
            received: opt_text(received),
            difference: opt_text(difference),
        });
    }
    Ok(t)
}

/// One transfer.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Transfer> {
    let mut conn = db.pool.acquire().await?;
    read(&mut conn, p, id).await
}

/// Transfers touching the locations in scope, newest first (headers only).
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &TransferFilter,
    page: &PageRequest,
) -> StoreResult<Page<Transfer>> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    if let Some(stores) = p.store_filter() {
        if stores.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND (t.from_location_id IN ");
            q.bind_list(&stores).push(" OR t.to_location_id IN ");
            q.bind_list(&stores).push(")");
        }
    }
    if let Some(l) = &f.location_id {
        match f.direction.as_deref() {
            Some("in") => q.push(" AND t.to_location_id = ").bind(l.clone()),
            Some("out") => q.push(" AND t.from_location_id = ").bind(l.clone()),
            _ => q
                .push(" AND (t.to_location_id = ")
                .bind(l.clone())
                .push(" OR t.from_location_id = ")
                .bind(l.clone())
                .push(")"),
        };
    }
    if let Some(s) = f.status {
        q.push(" AND t.status = ").bind(s.as_str().to_string());
    }
    if let Some(after) = &page.after {
        q.push(" AND t.id < ").bind(after.clone());
    }
    q.push(" ORDER BY t.id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(header).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |t| t.id.clone()))
}

/// Requests a transfer.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &TransferInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Transfer> {
    let mut v = Validator::new();
    if input.from_location_id == input.to_location_id {
        v.add(
            "/to_location_id",
            "same_location",
            "a transfer goes to another location",
        );
    }
    if input.lines.is_empty() || input.lines.len() > super::purchase_orders::MAX_LINES {
        v.add("/lines", "out_of_range", "at least one line");
    }
    v.optional_text("/notes", Some(&input.notes), 1000);
    let qty: Vec<i64> = input
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| quantity::positive(&mut v, &format!("/lines/{i}/quantity"), &l.quantity))
        .collect();
    v.finish().map_err(StoreError::Invalid)?;
    let from: Loc = locations::load(&db.pool, p, &input.from_location_id, false).await?;
    let to: Loc = locations::load(&db.pool, p, &input.to_location_id, false).await?;
    if !locations::sees(p, &from.id) && !locations::sees(p, &to.id) {
        return Err(StoreError::NotFound);
    }
    let ids: Vec<String> = input.lines.iter().map(|l| l.product_id.clone()).collect();
    products::check(&db.pool, p, &ids, "/lines").await?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    let number = insert(&mut tx, p, &id, &from.id, &to.id, &input.notes, &ids, &qty).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "transfer.requested", "transfer", &id)
            .store(&to.id)
            .details(serde_json::json!({"number": number, "from": from.code, "to": to.code, "lines": qty.len()})),
    )
    .await?;
    let t = read(&mut tx, p, &id).await?;
    idempotency::finish(&mut tx, idem, 201, &t).await?;
    tx.commit().await?;
    Ok(t)
}

/// Writes a requested transfer with its lines; returns its number (also used by
/// replenishment).
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    p: &Principal,
    id: &str,
    from: &str,
    to: &str,
    notes: &str,
    products: &[String],
    quantities: &[i64],
) -> StoreResult<String> {
    let company = p.company_id.to_string();
    let number = super::numbers::next(tx, &company, "TR").await?;
    let now = clock::now();
    sqlx::query(
        "INSERT INTO transfers (id, company_id, number, from_location_id, to_location_id, status, notes, \
         requested_by, requested_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(&company)
    .bind(&number)
    .bind(from)
    .bind(to)
    .bind(notes.trim())
    .bind(&p.id)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    let rows: Vec<Vec<Val>> = products
        .iter()
        .zip(quantities)
        .enumerate()
        .map(|(i, (prod, q))| {
            vec![
                Val::from(id),
                (i as i64 + 1).into(),
                prod.as_str().into(),
                (*q).into(),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "INSERT INTO transfer_lines (transfer_id, line_no, product_id, requested_milli) VALUES ",
        &rows,
        "",
    )
    .await?;
    Ok(number)
}

/// A change of state of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferAction {
    Approve,
    Ship,
    Receive,
    Close,
    Cancel,
}

struct Locked {
    status: TransferStatus,
    from: String,
    to: String,
}

async fn lock(tx: &mut Tx, p: &Principal, id: &str, version: i64) -> StoreResult<Locked> {
    let sql = if tx.backend == crate::db::Backend::Postgres {
        "SELECT status, from_location_id, to_location_id, version FROM transfers WHERE id = $1 AND company_id = $2 FOR UPDATE"
    } else {
        "SELECT status, from_location_id, to_location_id, version FROM transfers WHERE id = $1 AND company_id = $2"
    };
    let r = sqlx::query(sql)
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let l = Locked {
        status: row::enumerated(&r, "status", TransferStatus::parse)?,
        from: row::text(&r, "from_location_id")?,
        to: row::text(&r, "to_location_id")?,
    };
    if !locations::sees(p, &l.from) && !locations::sees(p, &l.to) {
        return Err(StoreError::NotFound);
    }
    if row::int(&r, "version")? != version {
        return Err(StoreError::VersionConflict);
    }
    Ok(l)
}

/// (line, product, requested, shipped) of a transfer.
async fn lines_of(tx: &mut Tx, id: &str) -> StoreResult<BTreeMap<i64, (String, i64, Option<i64>)>> {
    let rows = sqlx::query("SELECT line_no, product_id, requested_milli, shipped_milli FROM transfer_lines WHERE transfer_id = $1")
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                row::int(r, "line_no")?,
                (
                    row::text(r, "product_id")?,
                    row::int(r, "requested_milli")?,
                    row::opt_int(r, "shipped_milli")?,
                ),
            ))
        })
        .collect()
}

/// Quantities per line from the input (zero allowed), or `default` for lines not given.
fn quantities(
    input: Option<&Vec<TransferQuantity>>,
    lines: &BTreeMap<i64, (String, i64, Option<i64>)>,
    default: impl Fn(&(String, i64, Option<i64>)) -> i64,
    most: impl Fn(&(String, i64, Option<i64>)) -> Option<i64>,
) -> StoreResult<BTreeMap<i64, i64>> {
    let mut out: BTreeMap<i64, i64> = lines.iter().map(|(n, l)| (*n, default(l))).collect();
    let mut v = Validator::new();
    for (i, q) in input
        .map(|x| x.as_slice())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let m = quantity::non_negative(&mut v, &format!("/lines/{i}/quantity"), &q.quantity);
        match lines.get(&q.line_no) {
            None => v.add(
                format!("/lines/{i}/line_no"),
                "not_found",
                "no such line on this transfer",
            ),
            Some(l) if most(l).is_some_and(|cap| m > cap) => v.add(
                format!("/lines/{i}/quantity"),
                "over_receipt",
                format!("at most {}", from_milli(most(l).unwrap_or(0))),
            ),
            Some(_) => {
                out.insert(q.line_no, m);
            }
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    Ok(out)
}

/// Approves, ships, receives, closes or cancels a transfer. Approving, closing and cancelling
/// need `stock.approve` (checked by the route); shipping needs the source in scope, receiving
/// the destination.
pub async fn act(
    db: &Db,
    p: &Principal,
    id: &str,
    action: TransferAction,
    input: &TransferActionInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Transfer> {
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    if action == TransferAction::Cancel && reason.is_empty() {
        return Err(StoreError::invalid(
            "/reason",
            "required",
            "why the transfer is cancelled",
        ));
    }
    let mut tx = db.begin().await?;
    let l = lock(&mut tx, p, id, input.version).await?;
    // The side that acts must be in scope; the other side may be a warehouse the caller does
    // not see.
    let side = match action {
        TransferAction::Approve | TransferAction::Ship => &l.from,
        TransferAction::Receive => &l.to,
        TransferAction::Close | TransferAction::Cancel => {
            if locations::sees(p, &l.from) {
                &l.from
            } else {
                &l.to
            }
        }
    };
    if !locations::sees(p, side) {
        return Err(StoreError::Forbidden(
            "this step belongs to the other location of the transfer".into(),
        ));
    }
    let now = clock::now();
    let mut q = Sql::new("UPDATE transfers SET version = version + 1, updated_at = ");
    q.bind(now.clone());
    let next = match action {
        TransferAction::Approve => {
            q.push(", approved_by = ").bind(p.id.clone());
            q.push(", approved_at = ").bind(now.clone());
            l.status.approve()?
        }
        TransferAction::Ship => {
            let next = l.status.ship()?;
            let lines = lines_of(&mut tx, id).await?;
            let shipped = quantities(input.lines.as_ref(), &lines, |x| x.1, |_| None)?;
            if shipped.values().all(|q| *q == 0) {
                return Err(StoreError::invalid(
                    "/lines",
                    "out_of_range",
                    "nothing would be shipped",
                ));
            }
            let ids: Vec<String> = lines.values().map(|x| x.0.clone()).collect();
            let info = products::check(&mut *tx, p, &ids, "/lines").await?;
            let mut moves = Vec::new();
            let mut transit = Vec::new();
            for (n, qty) in &shipped {
                let prod = &lines[n].0;
                if *qty > 0 {
                    moves.push(Movement {
                        location_id: l.from.clone(),
                        product_id: prod.clone(),
                        kind: "transfer_out",
                        quantity_milli: -qty,
                        unit_cost_minor: info[prod].avg_cost_minor,
                        ref_type: "transfer",
                        ref_id: id.to_string(),
                        ref_line: Some(*n),
                    });
                    transit.push(Transit {
                        location_id: l.to.clone(),
                        product_id: prod.clone(),
                        delta_milli: *qty,
                    });
                }
            }
            post::post(&mut tx, p, &moves, &transit).await?;
            save_column(&mut tx, id, "shipped_milli", &shipped).await?;
            q.push(", shipped_by = ").bind(p.id.clone());
            q.push(", shipped_at = ").bind(now.clone());
            next
        }
        TransferAction::Receive => {
            let next = l.status.receive()?;
            let lines = lines_of(&mut tx, id).await?;
            let received = quantities(
                input.lines.as_ref(),
                &lines,
                |x| x.2.unwrap_or(0),
                |x| Some(x.2.unwrap_or(0)),
            )?;
            let ids: Vec<String> = lines.values().map(|x| x.0.clone()).collect();
            let info = products::check(&mut *tx, p, &ids, "/lines").await?;
            let mut moves = Vec::new();
            let mut transit = Vec::new();
            for (n, qty) in &received {
                let (prod, _, shipped) = &lines[n];
                let shipped = shipped.unwrap_or(0);
                if *qty > 0 {
                    moves.push(Movement {
                        location_id: l.to.clone(),
                        product_id: prod.clone(),
                        kind: "transfer_in",
                        quantity_milli: *qty,
                        unit_cost_minor: info[prod].avg_cost_minor,
                        ref_type: "transfer",
                        ref_id: id.to_string(),
                        ref_line: Some(*n),
                    });
                }
                if shipped > 0 {
                    transit.push(Transit {
                        location_id: l.to.clone(),
                        product_id: prod.clone(),
                        delta_milli: -shipped,
                    });
                }
            }
            post::post(&mut tx, p, &moves, &transit).await?;
            save_column(&mut tx, id, "received_milli", &received).await?;
            q.push(", received_by = ").bind(p.id.clone());
            q.push(", received_at = ").bind(now.clone());
            next
        }
        TransferAction::Close => {
            q.push(", closed_by = ").bind(p.id.clone());
            q.push(", closed_at = ").bind(now.clone());
            l.status.close()?
        }
        TransferAction::Cancel => {
            q.push(", cancel_reason = ").bind(reason.clone());
            q.push(", closed_at = ").bind(now.clone());
            l.status.cancel()?
        }
    };
    q.push(", status = ").bind(next.as_str().to_string());
    q.push(" WHERE id = ").bind(id.to_string());
    let (sql, args) = q.build();
    sqlx::query_with(&sql, args).execute(&mut *tx).await?;
    let t = read(&mut tx, p, id).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, &format!("transfer.{}", next.as_str()), "transfer", id)
            .store(side)
            .details(
                serde_json::json!({"number": t.number, "from": l.status, "reason": reason,
                "has_differences": t.has_differences}),
            ),
    )
    .await?;
    idempotency::finish(&mut tx, idem, 200, &t).await?;
    tx.commit().await?;
    db.notify();
    Ok(t)
}

async fn save_column(
    tx: &mut Tx,
    id: &str,
    column: &str,
    values: &BTreeMap<i64, i64>,
) -> StoreResult<()> {
    for (n, q) in values {
        sqlx::query(&format!(
            "UPDATE transfer_lines SET {column} = $1 WHERE transfer_id = $2 AND line_no = $3"
        ))
        .bind(*q)
        .bind(id)
        .bind(*n)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A location goods may be requested from.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Source {
    pub id: String,
    pub code: String,
    pub name: String,
    pub region_id: Option<String>,
}

/// The company's active warehouses: any store may request goods (要货) from them, even a
/// warehouse outside the requester's own scope.
pub async fn sources(db: &Db, p: &Principal) -> StoreResult<Vec<Source>> {
    let rows = sqlx::query(
        "SELECT id, code, name, region_id FROM stores WHERE company_id = $1 AND kind = 'warehouse' AND active = 1 ORDER BY code",
    )
    .bind(p.company_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Source {
                id: row::text(r, "id")?,
                code: row::text(r, "code")?,
                name: row::text(r, "name")?,
                region_id: row::opt_text(r, "region_id")?,
            })
        })
        .collect()
}
