//! Reading sales and returns back: one, or a filtered page newest first, always within the
//! caller's store scope.

use super::model::{Sale, SaleLine, SaleTender, from_milli};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Filters of the sales list.
#[derive(Clone, Debug, Default)]
pub struct SaleFilter {
    pub store_id: Option<String>,
    pub register_id: Option<String>,
    pub cashier_id: Option<String>,
    pub shift_id: Option<String>,
    /// `sale` or `return`.
    pub kind: Option<String>,
    /// Stored timestamps (inclusive from, exclusive to).
    pub from: Option<String>,
    pub to: Option<String>,
    pub receipt_no: Option<String>,
    /// Only sales with flags (negative stock, price changed, late shift).
    pub flagged: bool,
}

fn header(r: &AnyRow) -> StoreResult<Sale> {
    let flags = row::text(r, "flags")?;
    let total = row::int(r, "total_minor")?;
    let rounding = row::int(r, "rounding_minor")?;
    Ok(Sale {
        id: row::text(r, "id")?,
        kind: row::text(r, "kind")?,
        original_sale_id: row::opt_text(r, "original_sale_id")?,
        store_id: row::text(r, "store_id")?,
        store_code: row::text(r, "store_code")?,
        register_id: row::text(r, "register_id")?,
        shift_id: row::text(r, "shift_id")?,
        cashier_id: row::text(r, "cashier_id")?,
        cashier_name: row::text(r, "cashier_name")?,
        receipt_no: row::text(r, "receipt_no")?,
        business_day: row::text(r, "business_day")?,
        currency: row::text(r, "currency")?,
        customer_tier: row::opt_text(r, "customer_tier")?,
        customer_id: row::opt_text(r, "customer_id")?,
        member: None,
        subtotal_minor: row::int(r, "subtotal_minor")?,
        discount_minor: row::int(r, "discount_minor")?,
        tax_minor: row::int(r, "tax_minor")?,
        total_minor: total,
        rounding_minor: rounding,
        amount_due_minor: total + rounding,
        paid_minor: row::int(r, "paid_minor")?,
        change_minor: row::int(r, "change_minor")?,
        offline: row::flag(r, "offline")?,
        flags: flags
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        created_at: row::text(r, "created_at")?,
        client_created_at: row::opt_text(r, "client_created_at")?,
        lines: Vec::new(),
        tenders: Vec::new(),
    })
}

const SELECT: &str = "SELECT s.*, st.code AS store_code, u.username AS cashier_name FROM sales s \
     JOIN stores st ON st.id = s.store_id JOIN users u ON u.id = s.cashier_id WHERE s.company_id = ";

/// Adds lines, tenders and returned quantities to `sales`.
async fn complete(db: &Db, sales: &mut [Sale]) -> StoreResult<()> {
    if sales.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = sales.iter().map(|s| s.id.clone()).collect();
    let mut q = Sql::new("SELECT * FROM sale_lines WHERE sale_id IN ");
    q.bind_list(&ids).push(" ORDER BY sale_id, line_no");
    let (sql, args) = q.build();
    let mut lines: HashMap<String, Vec<SaleLine>> = HashMap::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        lines
            .entry(row::text(&r, "sale_id")?)
            .or_default()
            .push(SaleLine {
                line_no: row::int(&r, "line_no")?,
                product_id: row::text(&r, "product_id")?,
                sku: row::text(&r, "sku")?,
                name: row::text(&r, "name")?,
                quantity: from_milli(row::int(&r, "quantity_milli")?),
                unit_price_minor: row::int(&r, "unit_price_minor")?,
                gross_minor: row::int(&r, "gross_minor")?,
                line_discount_minor: row::int(&r, "line_discount_minor")?,
                order_discount_minor: row::int(&r, "order_discount_minor")?,
                net_minor: row::int(&r, "net_minor")?,
                tax_rate: row::text(&r, "tax_rate")?,
                tax_minor: row::int(&r, "tax_minor")?,
                total_minor: row::int(&r, "total_minor")?,
                returned_quantity: "0".into(),
                original_line_no: row::opt_int(&r, "original_line_no")?,
                restock: row::opt_int(&r, "restock")?.map(|x| x != 0),
                reason: row::opt_text(&r, "reason")?,
            });
    }
    let mut q = Sql::new("SELECT * FROM sale_tenders WHERE sale_id IN ");
    q.bind_list(&ids).push(" ORDER BY sale_id, seq");
    let (sql, args) = q.build();
    let mut tenders: HashMap<String, Vec<SaleTender>> = HashMap::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        tenders
            .entry(row::text(&r, "sale_id")?)
            .or_default()
            .push(SaleTender {
                code: row::text(&r, "code")?,
                kind: row::text(&r, "kind")?,
                amount_minor: row::int(&r, "amount_minor")?,
                tendered_minor: row::opt_int(&r, "tendered_minor")?,
                change_minor: row::int(&r, "change_minor")?,
                reference: row::opt_text(&r, "reference")?,
                card_last4: row::opt_text(&r, "card_last4")?,
            });
    }
    let returned = returned_quantities(db, &ids).await?;
    for s in sales.iter_mut() {
        s.lines = lines.remove(&s.id).unwrap_or_default();
        s.tenders = tenders.remove(&s.id).unwrap_or_default();
        for l in &mut s.lines {
            if let Some(q) = returned.get(&(s.id.clone(), l.line_no)) {
                l.returned_quantity = from_milli(*q);
            }
        }
    }
    Ok(())
}

/// How much of each line of `sale_ids` returns took back (positive thousandths), by
/// (sale, line).
pub(crate) async fn returned_quantities(
    db: &Db,
    sale_ids: &[String],
) -> StoreResult<HashMap<(String, i64), i64>> {
    let mut q = Sql::new(
        "SELECT s.original_sale_id, l.original_line_no, CAST(SUM(l.quantity_milli) AS BIGINT) AS q \
         FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.original_sale_id IN ",
    );
    q.bind_list(sale_ids).push(
        " AND l.original_line_no IS NOT NULL GROUP BY s.original_sale_id, l.original_line_no",
    );
    let (sql, args) = q.build();
    let mut out = HashMap::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        out.insert(
            (
                row::text(&r, "original_sale_id")?,
                row::int(&r, "original_line_no")?,
            ),
            -row::int(&r, "q")?,
        );
    }
    Ok(out)
}

/// One sale or return, if in the caller's scope.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Sale> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    q.push(" AND s.id = ").bind(id.to_lowercase());
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    let sale = header(&r)?;
    if !p.sees(sale.store_id.parse().map_err(|_| StoreError::NotFound)?) {
        return Err(StoreError::NotFound);
    }
    let mut one = [sale];
    complete(db, &mut one).await?;
    let [sale] = one;
    Ok(sale)
}

/// Sales and returns newest first. The cursor is `created_at|id` of the last one.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &SaleFilter,
    page: &PageRequest,
) -> StoreResult<Page<Sale>> {
    let mut q = Sql::new(SELECT);
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "s.store_id");
    let eq = [
        ("s.store_id", &f.store_id),
        ("s.register_id", &f.register_id),
        ("s.cashier_id", &f.cashier_id),
        ("s.shift_id", &f.shift_id),
        ("s.kind", &f.kind),
        ("s.receipt_no", &f.receipt_no),
    ];
    for (col, val) in eq {
        if let Some(v) = val {
            q.push(&format!(" AND {col} = ")).bind(v.clone());
        }
    }
    if let Some(from) = &f.from {
        q.push(" AND s.created_at >= ").bind(from.clone());
    }
    if let Some(to) = &f.to {
        q.push(" AND s.created_at < ").bind(to.clone());
    }
    if f.flagged {
        q.push(" AND s.flags <> ''");
    }
    if let Some(after) = &page.after {
        let (at, id) = after.split_once('|').unwrap_or((after.as_str(), ""));
        q.push(" AND (s.created_at < ")
            .bind(at.to_string())
            .push(" OR (s.created_at = ")
            .bind(at.to_string())
            .push(" AND s.id < ")
            .bind(id.to_string())
            .push("))");
    }
    q.push(" ORDER BY s.created_at DESC, s.id DESC LIMIT ")
        .bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let mut sales = rows.iter().map(header).collect::<StoreResult<Vec<_>>>()?;
    let more = sales.len() as i64 > page.limit;
    sales.truncate(page.limit as usize);
    complete(db, &mut sales).await?;
    let mut out = page.page(sales, |s| format!("{}|{}", s.created_at, s.id));
    if !more {
        out.next_cursor = None;
    }
    Ok(out)
}

/// A sale already stored under `id` or the caller's key `key` (in the caller's company):
/// `(sale id, request fingerprint)`.
pub async fn find_request(
    db: &Db,
    p: &Principal,
    id: &str,
    key: Option<&str>,
) -> StoreResult<Option<(String, String)>> {
    let mut q = Sql::new("SELECT id, company_id, request_hash FROM sales WHERE id = ");
    q.bind(id.to_lowercase());
    if let Some(k) = key {
        q.push(" OR idem_key = ").bind(k.to_string());
    }
    let (sql, args) = q.build();
    let Some(r) = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    let same_company = row::text(&r, "company_id")? == p.company_id.to_string();
    Ok(Some((
        row::text(&r, "id")?,
        if same_company {
            row::text(&r, "request_hash")?
        } else {
            String::new()
        },
    )))
}
