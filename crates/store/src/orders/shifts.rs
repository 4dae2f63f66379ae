//! Shifts and cash at a register: open with a float, pay in and out, close with a count per
//! tender; the X report (while open) and the numbered Z report (once closed) read the same
//! figures as the sales themselves.

use super::context;
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Expected and counted amounts of one tender in a shift.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ShiftTotal {
    pub code: String,
    pub kind: String,
    /// Cash: opening float + cash taken − cash refunded + paid in − paid out.
    pub expected_minor: i64,
    pub counted_minor: Option<i64>,
    pub variance_minor: Option<i64>,
}

/// A shift of a cashier at a register.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Shift {
    pub id: String,
    pub store_id: String,
    pub register_id: String,
    pub cashier_id: String,
    pub cashier_name: String,
    /// `open` or `closed`.
    pub status: String,
    pub opening_float_minor: i64,
    pub opened_at: String,
    pub closed_at: Option<String>,
    /// The Z report number (per register), once closed.
    pub z_number: Option<i64>,
    pub sales_count: i64,
    pub returns_count: i64,
    pub totals: Vec<ShiftTotal>,
    pub version: i64,
}

/// Opening a shift.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenShiftInput {
    pub register_id: String,
    pub opening_float_minor: i64,
}

/// Paying cash into or out of the drawer.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashMoveInput {
    /// `paid_in` or `paid_out`.
    pub kind: String,
    pub amount_minor: i64,
    pub reason: String,
}

/// A counted amount at close.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountInput {
    pub code: String,
    pub counted_minor: i64,
}

/// Closing a shift.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseShiftInput {
    pub counted: Vec<CountInput>,
}

/// A paid-in or paid-out.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CashMove {
    pub id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub reason: String,
    pub user_id: String,
    pub at: String,
}

/// Filters of the shift list.
#[derive(Clone, Debug, Default)]
pub struct ShiftFilter {
    pub register_id: Option<String>,
    pub store_id: Option<String>,
    pub status: Option<String>,
}

fn header(r: &AnyRow) -> StoreResult<Shift> {
    Ok(Shift {
        id: row::text(r, "id")?,
        store_id: row::text(r, "store_id")?,
        register_id: row::text(r, "register_id")?,
        cashier_id: row::text(r, "cashier_id")?,
        cashier_name: row::text(r, "cashier_name")?,
        status: row::text(r, "status")?,
        opening_float_minor: row::int(r, "opening_float_minor")?,
        opened_at: row::text(r, "opened_at")?,
        closed_at: row::opt_text(r, "closed_at")?,
        z_number: row::opt_int(r, "z_number")?,
        sales_count: 0,
        returns_count: 0,
        totals: Vec::new(),
        version: row::int(r, "version")?,
    })
}

const SELECT: &str = "SELECT sh.*, u.username AS cashier_name FROM shifts sh JOIN users u ON u.id = sh.cashier_id \
     WHERE sh.company_id = ";

/// What the system expects per tender in a shift, from its sales, returns and cash moves.
async fn expected(
    conn: &mut sqlx::AnyConnection,
    shift: &Shift,
) -> StoreResult<(BTreeMap<String, ShiftTotal>, i64, i64)> {
    let mut totals: BTreeMap<String, ShiftTotal> = BTreeMap::new();
    let tenders = sqlx::query(
        "SELECT t.code, t.kind, CAST(SUM(t.amount_minor) AS BIGINT) AS amount FROM sale_tenders t \
         JOIN sales s ON s.id = t.sale_id WHERE s.shift_id = $1 GROUP BY t.code, t.kind",
    )
    .bind(&shift.id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &tenders {
        let code = row::text(r, "code")?;
        totals.insert(
            code.clone(),
            ShiftTotal {
                code,
                kind: row::text(r, "kind")?,
                expected_minor: row::int(r, "amount")?,
                counted_minor: None,
                variance_minor: None,
            },
        );
    }
    let moves = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'paid_in' THEN amount_minor ELSE -amount_minor END), 0) AS BIGINT) AS net \
         FROM shift_cash_moves WHERE shift_id = $1",
    )
    .bind(&shift.id)
    .fetch_one(&mut *conn)
    .await?;
    let cash_code = sqlx::query(
        "SELECT code FROM tender_types WHERE company_id = (SELECT company_id FROM shifts WHERE id = $1) \
         AND kind = 'cash' ORDER BY sort, code LIMIT 1",
    )
    .bind(&shift.id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| row::text(&r, "code"))
    .transpose()?
    .unwrap_or_else(|| "CASH".into());
    let cash = totals.entry(cash_code.clone()).or_insert(ShiftTotal {
        code: cash_code,
        kind: "cash".into(),
        expected_minor: 0,
        counted_minor: None,
        variance_minor: None,
    });
    cash.expected_minor += shift.opening_float_minor + row::int(&moves, "net")?;
    let counts = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END), 0) AS BIGINT) AS sales, \
         CAST(COALESCE(SUM(CASE WHEN kind = 'return' THEN 1 ELSE 0 END), 0) AS BIGINT) AS returns \
         FROM sales WHERE shift_id = $1",
    )
    .bind(&shift.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((
        totals,
        row::int(&counts, "sales")?,
        row::int(&counts, "returns")?,
    ))
}

async fn fill(db: &Db, mut shift: Shift) -> StoreResult<Shift> {
    let mut conn = db.pool.acquire().await?;
    let (mut totals, sales, returns) = expected(&mut conn, &shift).await?;
    drop(conn);
    if shift.status == "closed" {
        // The figures frozen at close.
        totals.clear();
        let rows = sqlx::query("SELECT * FROM shift_counts WHERE shift_id = $1 ORDER BY code")
            .bind(&shift.id)
            .fetch_all(&db.pool)
            .await?;
        for r in &rows {
            let (e, c) = (
                row::int(r, "expected_minor")?,
                row::int(r, "counted_minor")?,
            );
            let code = row::text(r, "code")?;
            totals.insert(
                code.clone(),
                ShiftTotal {
                    code,
                    kind: row::text(r, "kind")?,
                    expected_minor: e,
                    counted_minor: Some(c),
                    variance_minor: Some(c - e),
                },
            );
        }
    }
    shift.totals = totals.into_values().collect();
    shift.sales_count = sales;
    shift.returns_count = returns;
    Ok(shift)
}

/// One shift, if its store is in the caller's scope.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Shift> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string())
        .push(" AND sh.id = ")
        .bind(id.to_string());
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    let shift = header(&r)?;
    if !p.sees(shift.store_id.parse().map_err(|_| StoreError::NotFound)?) {
        return Err(StoreError::NotFound);
    }
    fill(db, shift).await
}

/// Shifts newest first.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &ShiftFilter,
    page: &PageRequest,
) -> StoreResult<Page<Shift>> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "sh.store_id");
    for (col, val) in [
        ("sh.register_id", &f.register_id),
        ("sh.store_id", &f.store_id),
        ("sh.status", &f.status),
    ] {
        if let Some(v) = val {
            q.push(&format!(" AND {col} = ")).bind(v.clone());
        }
    }
    if let Some(after) = &page.after {
        q.push(" AND sh.id < ").bind(after.clone());
    }
    q.push(" ORDER BY sh.id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let mut shifts = Vec::with_capacity(rows.len());
    for r in &rows {
        shifts.push(fill(db, header(r)?).await?);
    }
    Ok(page.page(shifts, |s| s.id.clone()))
}

async fn event(
    tx: &mut Tx,
    company: &str,
    store: &str,
    kind: &str,
    payload: serde_json::Value,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(company)
    .bind(store)
    .bind(kind)
    .bind(payload.to_string())
    .bind(clock::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Opens a shift on a register for the caller.
pub async fn open(db: &Db, p: &Principal, input: &OpenShiftInput) -> StoreResult<Shift> {
    let ctx = context::register_context(db, p, &input.register_id, "/register_id").await?;
    if input.opening_float_minor < 0 {
        return Err(StoreError::invalid(
            "/opening_float_minor",
            "out_of_range",
            "must not be negative",
        ));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO shifts (id, company_id, store_id, register_id, cashier_id, status, opening_float_minor, opened_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(&ctx.store_id)
    .bind(&ctx.register_id)
    .bind(&p.id)
    .bind(input.opening_float_minor)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        crate::error::unique_as_conflict(e, "/register_id", "this register already has an open shift")
    })?;
    event(
        &mut tx,
        &p.company_id.to_string(),
        &ctx.store_id,
        "shift.opened",
        serde_json::json!({"id": id, "register_id": ctx.register_id, "cashier_id": p.id}),
    )
    .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "shift.opened", "shift", &id)
            .store(&ctx.store_id)
            .details(serde_json::json!({"opening_float_minor": input.opening_float_minor})),
    )
    .await?;
    tx.commit().await?;
    db.notify();
    get(db, p, &id).await
}

/// Records a paid-in or paid-out on an open shift.
pub async fn cash_move(
    db: &Db,
    p: &Principal,
    shift_id: &str,
    input: &CashMoveInput,
) -> StoreResult<CashMove> {
    let shift = get(db, p, shift_id).await?;
    let mut v = Validator::new();
    if input.kind != "paid_in" && input.kind != "paid_out" {
        v.add("/kind", "invalid_value", "paid_in or paid_out");
    }
    if input.amount_minor <= 0 {
        v.add("/amount_minor", "out_of_range", "must be positive");
    }
    v.text("/reason", &input.reason, 1, 200);
    v.finish().map_err(StoreError::Invalid)?;
    if shift.status != "open" {
        return Err(StoreError::invalid(
            "/",
            "shift_closed",
            "the shift is closed",
        ));
    }
    let m = CashMove {
        id: uuid::Uuid::now_v7().to_string(),
        kind: input.kind.clone(),
        amount_minor: input.amount_minor,
        reason: input.reason.trim().to_string(),
        user_id: p.id.clone(),
        at: clock::now(),
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO shift_cash_moves (id, shift_id, store_id, kind, amount_minor, reason, user_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.id)
    .bind(&shift.id)
    .bind(&shift.store_id)
    .bind(&m.kind)
    .bind(m.amount_minor)
    .bind(&m.reason)
    .bind(&m.user_id)
    .bind(&m.at)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, &format!("shift.{}", m.kind), "shift", &shift.id)
            .store(&shift.store_id)
            .details(serde_json::json!({"amount_minor": m.amount_minor, "reason": m.reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// The paid-ins and paid-outs of a shift.
pub async fn cash_moves(db: &Db, shift_id: &str) -> StoreResult<Vec<CashMove>> {
    let rows = sqlx::query("SELECT * FROM shift_cash_moves WHERE shift_id = $1 ORDER BY at")
        .bind(shift_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CashMove {
                id: row::text(r, "id")?,
                kind: row::text(r, "kind")?,
                amount_minor: row::int(r, "amount_minor")?,
                reason: row::text(r, "reason")?,
                user_id: row::text(r, "user_id")?,
                at: row::text(r, "at")?,
            })
        })
        .collect()
}

/// Closes an open shift with the counted amounts; freezes expected, counted and variance per
/// tender and gives it the register's next Z number.
pub async fn close(
    db: &Db,
    p: &Principal,
    shift_id: &str,
    input: &CloseShiftInput,
) -> StoreResult<Shift> {
    let shift = get(db, p, shift_id).await?;
    let mut v = Validator::new();
    for (i, c) in input.counted.iter().enumerate() {
        if c.counted_minor < 0 {
            v.add(
                format!("/counted/{i}/counted_minor"),
                "out_of_range",
                "must not be negative",
            );
        }
        if input.counted[..i].iter().any(|x| x.code == c.code) {
            v.add(format!("/counted/{i}/code"), "duplicate", "counted twice");
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE shifts SET status = 'closed', closed_at = $1, closed_by = $2, version = version + 1, \
         z_number = (SELECT COALESCE(MAX(z_number), 0) + 1 FROM shifts WHERE register_id = $3) \
         WHERE id = $4 AND status = 'open'",
    )
    .bind(clock::now())
    .bind(&p.id)
    .bind(&shift.register_id)
    .bind(&shift.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::invalid(
            "/",
            "shift_closed",
            "the shift is already closed",
        ));
    }
    let (totals, _, _) = expected(&mut tx, &shift).await?;
    let mut rows: BTreeMap<String, (String, i64, i64)> = totals
        .into_values()
        .map(|t| (t.code, (t.kind, t.expected_minor, 0)))
        .collect();
    for c in &input.counted {
        let kind = sqlx::query("SELECT kind FROM tender_types WHERE company_id = $1 AND code = $2")
            .bind(p.company_id.to_string())
            .bind(&c.code)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| row::text(&r, "kind"))
            .transpose()?
            .ok_or_else(|| StoreError::invalid("/counted", "unknown", "no such tender type"))?;
        rows.entry(c.code.clone()).or_insert((kind, 0, 0)).2 = c.counted_minor;
    }
    for (code, (kind, expected, counted)) in &rows {
        sqlx::query(
            "INSERT INTO shift_counts (shift_id, code, kind, expected_minor, counted_minor) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&shift.id)
        .bind(code)
        .bind(kind)
        .bind(*expected)
        .bind(*counted)
        .execute(&mut *tx)
        .await?;
    }
    let variance: i64 = rows.values().map(|(_, e, c)| c - e).sum();
    event(
        &mut tx,
        &p.company_id.to_string(),
        &shift.store_id,
        "shift.closed",
        serde_json::json!({"id": shift.id, "register_id": shift.register_id, "variance_minor": variance}),
    )
    .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "shift.closed", "shift", &shift.id)
            .store(&shift.store_id)
            .details(serde_json::json!({"counted": rows.iter().map(|(k, (_, e, c))| serde_json::json!({"code": k, "expected_minor": e, "counted_minor": c})).collect::<Vec<_>>()})),
    )
    .await?;
    tx.commit().await?;
    db.notify();
    get(db, p, shift_id).await
}
