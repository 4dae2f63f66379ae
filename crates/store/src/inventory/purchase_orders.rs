//! Purchase orders: drafted for a supplier and a location, submitted, approved by a manager
//! when the total is above the company's limit, received (see `receiving`), closed or
//! cancelled. Every change of state is checked by the domain's `PoStatus` and audited.

use super::locations;
use super::products::{self, ProductInfo};
use super::quantity::{self, from_milli};
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::model::DecimalText;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::inventory::PoStatus;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Most lines on one purchase order.
pub const MAX_LINES: usize = 5000;

/// A line of a purchase order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PoLine {
    pub line_no: i64,
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub unit: String,
    pub quantity: String,
    pub unit_cost_minor: i64,
    pub amount_minor: i64,
    pub received: String,
    pub returned: String,
    /// Ordered − received (never below zero).
    pub remaining: String,
}

/// A line of a goods receipt or supplier return.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReceiptLine {
    pub line_no: i64,
    pub product_id: String,
    /// Positive for a receipt, negative for a return.
    pub quantity: String,
}

/// One delivery received, or goods sent back.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GoodsReceipt {
    pub id: String,
    /// `receipt` or `return`.
    pub kind: String,
    pub user_id: String,
    pub at: String,
    pub notes: String,
    /// E.g. `over_delivery` at `/lines/0/quantity`.
    pub warnings: Vec<serde_json::Value>,
    pub lines: Vec<ReceiptLine>,
}

/// A purchase order with its lines and receipts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PurchaseOrder {
    pub id: String,
    pub number: String,
    pub supplier_id: String,
    pub supplier_name: String,
    pub location_id: String,
    pub location_name: String,
    pub status: PoStatus,
    pub expected_date: Option<String>,
    pub notes: String,
    pub currency: String,
    pub total_minor: i64,
    /// Whether the total is above the company's approval limit.
    pub needs_approval: bool,
    pub created_by: String,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub closed_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub lines: Vec<PoLine>,
    pub receipts: Vec<GoodsReceipt>,
}

/// A line as drafted.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoLineInput {
    pub product_id: String,
    pub quantity: DecimalText,
    /// Defaults to the supplier's cost, else the product's cost price.
    pub unit_cost_minor: Option<i64>,
}

/// A purchase order as drafted (create, or replace a draft with `version`).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoInput {
    pub supplier_id: String,
    pub location_id: String,
    /// `YYYY-MM-DD`.
    pub expected_date: Option<String>,
    #[serde(default)]
    pub notes: String,
    pub lines: Vec<PoLineInput>,
    pub version: Option<i64>,
}

/// A change of state: the version read last, and why (for a cancel).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub version: i64,
    pub reason: Option<String>,
}

/// Filters of the purchase order list.
#[derive(Clone, Debug, Default)]
pub struct PoFilter {
    pub location_id: Option<String>,
    pub supplier_id: Option<String>,
    pub status: Option<PoStatus>,
    /// Number or supplier name.
    pub q: Option<String>,
}

const SELECT: &str = "SELECT po.*, su.name AS supplier_name, s.name AS location_name, c.currency, c.po_approval_minor \
     FROM purchase_orders po JOIN suppliers su ON su.id = po.supplier_id JOIN stores s ON s.id = po.location_id \
     JOIN companies c ON c.id = po.company_id WHERE po.company_id = ";

fn header(r: &AnyRow) -> StoreResult<PurchaseOrder> {
    let total = row::int(r, "total_minor")?;
    Ok(PurchaseOrder {
        id: row::text(r, "id")?,
        number: row::text(r, "number")?,
        supplier_id: row::text(r, "supplier_id")?,
        supplier_name: row::text(r, "supplier_name")?,
        location_id: row::text(r, "location_id")?,
        location_name: row::text(r, "location_name")?,
        status: row::enumerated(r, "status", PoStatus::parse)?,
        expected_date: row::opt_text(r, "expected_date")?,
        notes: row::text(r, "notes")?,
        currency: row::text(r, "currency")?,
        total_minor: total,
        needs_approval: total > row::int(r, "po_approval_minor")?,
        created_by: row::text(r, "created_by")?,
        created_at: row::text(r, "created_at")?,
        submitted_at: row::opt_text(r, "submitted_at")?,
        approved_by: row::opt_text(r, "approved_by")?,
        approved_at: row::opt_text(r, "approved_at")?,
        closed_at: row::opt_text(r, "closed_at")?,
        cancel_reason: row::opt_text(r, "cancel_reason")?,
        version: row::int(r, "version")?,
        lines: Vec::new(),
        receipts: Vec::new(),
    })
}

/// Amount of a line: quantity (thousandths) × unit cost, half-up.
pub fn amount(quantity_milli: i64, unit_cost_minor: i64) -> i64 {
    super::levels::value(quantity_milli, unit_cost_minor)
}

/// Reads a purchase order with lines and receipts (any connection, e.g. inside a write).
pub async fn read(conn: &mut AnyConnection, p: &Principal, id: &str) -> StoreResult<PurchaseOrder> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string())
        .push(" AND po.id = ")
        .bind(id.to_string());
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut po = header(&r)?;
    if !locations::sees(p, &po.location_id) {
        return Err(StoreError::NotFound);
    }
    let lines = sqlx::query(
        "SELECT l.*, p.sku, p.name_zh, p.unit FROM purchase_order_lines l JOIN products p ON p.id = l.product_id \
         WHERE l.po_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for l in &lines {
        let (qty, cost, rec) = (
            row::int(l, "quantity_milli")?,
            row::int(l, "unit_cost_minor")?,
            row::int(l, "received_milli")?,
        );
        po.lines.push(PoLine {
            line_no: row::int(l, "line_no")?,
            product_id: row::text(l, "product_id")?,
            sku: row::text(l, "sku")?,
            name_zh: row::text(l, "name_zh")?,
            unit: row::text(l, "unit")?,
            quantity: from_milli(qty),
            unit_cost_minor: cost,
            amount_minor: amount(qty, cost),
            received: from_milli(rec),
            returned: from_milli(row::int(l, "returned_milli")?),
            remaining: from_milli((qty - rec).max(0)),
        });
    }
    let receipts = sqlx::query("SELECT * FROM goods_receipts WHERE po_id = $1 ORDER BY at, id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for g in &receipts {
        let rid = row::text(g, "id")?;
        by_id.insert(rid.clone(), po.receipts.len());
        po.receipts.push(GoodsReceipt {
            id: rid,
            kind: row::text(g, "kind")?,
            user_id: row::text(g, "user_id")?,
            at: row::text(g, "at")?,
            notes: row::text(g, "notes")?,
            warnings: serde_json::from_str(&row::text(g, "warnings")?).unwrap_or_default(),
            lines: Vec::new(),
        });
    }
    if !by_id.is_empty() {
        let ids: Vec<String> = by_id.keys().cloned().collect();
        let mut q = Sql::new(
            "SELECT ref_id, ref_line, product_id, quantity_milli FROM stock_movements WHERE ref_id IN ",
        );
        q.bind_list(&ids).push(" ORDER BY ref_line");
        let (sql, args) = q.build();
        for m in sqlx::query_with(&sql, args).fetch_all(&mut *conn).await? {
            if let Some(&i) = by_id.get(&row::text(&m, "ref_id")?) {
                po.receipts[i].lines.push(ReceiptLine {
                    line_no: row::opt_int(&m, "ref_line")?.unwrap_or(0),
                    product_id: row::text(&m, "product_id")?,
                    quantity: from_milli(row::int(&m, "quantity_milli")?),
                });
            }
        }
    }
    Ok(po)
}

/// One purchase order, if its location is in scope.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<PurchaseOrder> {
    let mut conn = db.pool.acquire().await?;
    read(&mut conn, p, id).await
}

/// Purchase orders of the locations in scope, newest first (headers only).
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &PoFilter,
    page: &PageRequest,
) -> StoreResult<Page<PurchaseOrder>> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "po.location_id");
    if let Some(l) = &f.location_id {
        q.push(" AND po.location_id = ").bind(l.clone());
    }
    if let Some(s) = &f.supplier_id {
        q.push(" AND po.supplier_id = ").bind(s.clone());
    }
    if let Some(s) = f.status {
        q.push(" AND po.status = ").bind(s.as_str().to_string());
    }
    if let Some(t) = f.q.as_deref().filter(|t| !t.trim().is_empty()) {
        q.push(" AND (");
        q.contains("po.number", t);
        q.push(" OR ");
        q.contains("su.name", t);
        q.push(")");
    }
    if let Some(after) = &page.after {
        q.push(" AND po.id < ").bind(after.clone());
    }
    q.push(" ORDER BY po.id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(header).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |po| po.id.clone()))
}

/// A validated draft: lines as (product, quantity, unit cost).
struct Draft {
    lines: Vec<(String, i64, i64)>,
    total: i64,
}

async fn validate(db: &Db, p: &Principal, input: &PoInput) -> StoreResult<Draft> {
    let mut v = Validator::new();
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        v.add(
            "/lines",
            "out_of_range",
            format!("from 1 to {MAX_LINES} lines"),
        );
    }
    if let Some(d) = &input.expected_date
        && time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).is_err()
    {
        v.add("/expected_date", "invalid_value", "a date as YYYY-MM-DD");
    }
    v.optional_text("/notes", Some(&input.notes), 1000);
    let mut qty = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        qty.push(quantity::positive(
            &mut v,
            &format!("/lines/{i}/quantity"),
            &l.quantity,
        ));
        if l.unit_cost_minor.is_some_and(|c| c < 0) {
            v.add(
                format!("/lines/{i}/unit_cost_minor"),
                "out_of_range",
                "must not be negative",
            );
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let supplier = sqlx::query("SELECT active FROM suppliers WHERE id = $1 AND company_id = $2")
        .bind(&input.supplier_id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    match supplier {
        None => {
            return Err(StoreError::invalid(
                "/supplier_id",
                "not_found",
                "no such supplier",
            ));
        }
        Some(r) if !row::flag(&r, "active")? => {
            return Err(StoreError::invalid(
                "/supplier_id",
                "inactive",
                "the supplier is not active",
            ));
        }
        Some(_) => {}
    }
    locations::load(&db.pool, p, &input.location_id, true).await?;
    let ids: Vec<String> = input.lines.iter().map(|l| l.product_id.clone()).collect();
    let found: HashMap<String, ProductInfo> = products::check(&db.pool, p, &ids, "/lines").await?;
    let costs: HashMap<String, i64> =
        sqlx::query("SELECT product_id, cost_minor FROM supplier_products WHERE supplier_id = $1")
            .bind(&input.supplier_id)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((row::text(r, "product_id")?, row::int(r, "cost_minor")?)))
            .collect::<StoreResult<_>>()?;
    let mut lines = Vec::with_capacity(input.lines.len());
    let mut total = 0i64;
    for (l, q) in input.lines.iter().zip(qty) {
        let cost = l
            .unit_cost_minor
            .or_else(|| costs.get(&l.product_id).copied())
            .unwrap_or(found[&l.product_id].cost_price_minor);
        total += amount(q, cost);
        lines.push((l.product_id.clone(), q, cost));
    }
    Ok(Draft { lines, total })
}

async fn write_lines(tx: &mut Tx, id: &str, draft: &Draft) -> StoreResult<()> {
    let rows: Vec<Vec<crate::bulk::Val>> = draft
        .lines
        .iter()
        .enumerate()
        .map(|(i, (prod, q, c))| {
            vec![
                crate::bulk::Val::from(id),
                (i as i64 + 1).into(),
                prod.as_str().into(),
                (*q).into(),
                (*c).into(),
            ]
        })
        .collect();
    crate::bulk::insert(
        tx,
        "INSERT INTO purchase_order_lines (po_id, line_no, product_id, quantity_milli, unit_cost_minor) VALUES ",
        &rows,
        "",
    )
    .await?;
    Ok(())
}

/// Drafts a purchase order.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &PoInput,
    idem: Option<&IdemLock>,
) -> StoreResult<PurchaseOrder> {
    let draft = validate(db, p, input).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let company = p.company_id.to_string();
    let mut tx = db.begin().await?;
    let number = super::numbers::next(&mut tx, &company, "PO").await?;
    let now = clock::now();
    sqlx::query(
        "INSERT INTO purchase_orders (id, company_id, number, supplier_id, location_id, status, expected_date, notes, \
         total_minor, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(&company)
    .bind(&number)
    .bind(&input.supplier_id)
    .bind(&input.location_id)
    .bind(input.expected_date.clone())
    .bind(input.notes.trim())
    .bind(draft.total)
    .bind(&p.id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    write_lines(&mut tx, &id, &draft).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "purchase_order.created", "purchase_order", &id)
            .store(&input.location_id)
            .details(serde_json::json!({"number": number, "total_minor": draft.total})),
    )
    .await?;
    let po = read(&mut tx, p, &id).await?;
    idempotency::finish(&mut tx, idem, 201, &po).await?;
    tx.commit().await?;
    Ok(po)
}

/// Locks a purchase order for a change (PostgreSQL: `FOR UPDATE`), checks scope and version.
pub(crate) async fn lock(
    tx: &mut Tx,
    p: &Principal,
    id: &str,
    version: Option<i64>,
) -> StoreResult<(PoStatus, String, i64)> {
    let sql = if tx.backend == crate::db::Backend::Postgres {
        "SELECT status, location_id, version, total_minor FROM purchase_orders WHERE id = $1 AND company_id = $2 FOR UPDATE"
    } else {
        "SELECT status, location_id, version, total_minor FROM purchase_orders WHERE id = $1 AND company_id = $2"
    };
    let r = sqlx::query(sql)
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let location = row::text(&r, "location_id")?;
    if !locations::sees(p, &location) {
        return Err(StoreError::NotFound);
    }
    if version.is_some_and(|v| v != row::int(&r, "version").unwrap_or(-1)) {
        return Err(StoreError::VersionConflict);
    }
    Ok((
        row::enumerated(&r, "status", PoStatus::parse)?,
        location,
        row::int(&r, "total_minor")?,
    ))
}

/// Replaces a draft (send its `version`).
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &PoInput,
) -> StoreResult<PurchaseOrder> {
    let mut v = Validator::new();
    let version = crate::crud::require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let draft = validate(db, p, input).await?;
    let mut tx = db.begin().await?;
    let (status, _, _) = lock(&mut tx, p, id, Some(version)).await?;
    status.may_edit()?;
    sqlx::query(
        "UPDATE purchase_orders SET supplier_id = $1, location_id = $2, expected_date = $3, notes = $4, total_minor = $5, \
         version = version + 1, updated_at = $6 WHERE id = $7",
    )
    .bind(&input.supplier_id)
    .bind(&input.location_id)
    .bind(input.expected_date.clone())
    .bind(input.notes.trim())
    .bind(draft.total)
    .bind(clock::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM purchase_order_lines WHERE po_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    write_lines(&mut tx, id, &draft).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "purchase_order.updated", "purchase_order", id)
            .store(&input.location_id)
            .details(serde_json::json!({"total_minor": draft.total})),
    )
    .await?;
    tx.commit().await?;
    get(db, p, id).await
}

/// A change of state of a purchase order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoAction {
    Submit,
    Approve,
    Cancel,
    Close,
}

/// Submits, approves, cancels or closes a purchase order.
pub async fn act(
    db: &Db,
    p: &Principal,
    id: &str,
    action: PoAction,
    input: &ActionInput,
) -> StoreResult<PurchaseOrder> {
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
    if action == PoAction::Cancel && reason.is_empty() {
        return Err(StoreError::invalid(
            "/reason",
            "required",
            "why the order is cancelled",
        ));
    }
    let mut tx = db.begin().await?;
    let (status, location, total) = lock(&mut tx, p, id, Some(input.version)).await?;
    let now = clock::now();
    let mut q = Sql::new("UPDATE purchase_orders SET version = version + 1, updated_at = ");
    q.bind(now.clone());
    let (next, verb) = match action {
        PoAction::Submit => {
            let limit = sqlx::query("SELECT po_approval_minor FROM companies WHERE id = $1")
                .bind(p.company_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
            let next = status.submit(total > row::int(&limit, "po_approval_minor")?)?;
            q.push(", submitted_at = ").bind(now.clone());
            if next == PoStatus::Approved {
                q.push(", approved_by = ").bind(p.id.clone());
                q.push(", approved_at = ").bind(now.clone());
            }
            (next, "submitted")
        }
        PoAction::Approve => {
            q.push(", approved_by = ").bind(p.id.clone());
            q.push(", approved_at = ").bind(now.clone());
            (status.approve()?, "approved")
        }
        PoAction::Cancel => {
            q.push(", cancel_reason = ").bind(reason.to_string());
            q.push(", closed_at = ").bind(now.clone());
            (status.cancel()?, "cancelled")
        }
        PoAction::Close => {
            q.push(", closed_at = ").bind(now.clone());
            (status.close()?, "closed")
        }
    };
    q.push(", status = ").bind(next.as_str().to_string());
    q.push(" WHERE id = ").bind(id.to_string());
    let (sql, args) = q.build();
    sqlx::query_with(&sql, args).execute(&mut *tx).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, &format!("purchase_order.{verb}"), "purchase_order", id)
            .store(&location)
            .details(serde_json::json!({"from": status, "to": next, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    get(db, p, id).await
}
