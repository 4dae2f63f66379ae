//! Suppliers and what they supply (cost, lead time, pack size): the source of purchase orders
//! and of replenishment's lead times.

use super::quantity::{self, from_milli};
use crate::audit::AuditEntry;
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::orders::model::DecimalText;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// A supplier.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Supplier {
    pub id: String,
    pub code: String,
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    /// Days from order to delivery, unless a product says otherwise.
    pub lead_time_days: i64,
    pub active: bool,
    pub version: i64,
}

/// Fields of a supplier.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    pub lead_time_days: i64,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

fn from_row(r: &AnyRow) -> StoreResult<Supplier> {
    Ok(Supplier {
        id: row::text(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        contact: row::text(r, "contact")?,
        phone: row::text(r, "phone")?,
        email: row::text(r, "email")?,
        address: row::text(r, "address")?,
        lead_time_days: row::int(r, "lead_time_days")?,
        active: row::flag(r, "active")?,
        version: row::int(r, "version")?,
    })
}

fn validate(input: &SupplierInput) -> Validator {
    let mut v = Validator::new();
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 200);
    v.optional_text("/contact", Some(&input.contact), 100);
    v.optional_text("/phone", Some(&input.phone), 40);
    v.optional_text("/email", Some(&input.email), 200);
    if !input.email.is_empty() && !input.email.contains('@') {
        v.add("/email", "invalid_value", "an e-mail address");
    }
    v.optional_text("/address", Some(&input.address), 500);
    if !(0..=365).contains(&input.lead_time_days) {
        v.add("/lead_time_days", "out_of_range", "from 0 to 365 days");
    }
    v
}

/// Suppliers of the company, by code.
pub async fn list(
    db: &Db,
    p: &Principal,
    text: Option<&str>,
    page: &PageRequest,
) -> StoreResult<Page<Supplier>> {
    let mut q = Sql::new("SELECT * FROM suppliers WHERE company_id = ");
    q.bind(p.company_id.to_string());
    if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
        q.push(" AND (");
        q.contains("code", t);
        q.push(" OR ");
        q.contains("name", t);
        q.push(")");
    }
    if let Some(after) = &page.after {
        q.push(" AND code > ").bind(after.clone());
    }
    q.push(" ORDER BY code LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |s| s.code.clone()))
}

/// One supplier of the company.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Supplier> {
    let r = sqlx::query("SELECT * FROM suppliers WHERE id = $1 AND company_id = $2")
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// Creates a supplier.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &SupplierInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Supplier> {
    validate(input).finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    insert(&mut tx, &p.company_id.to_string(), &id, input).await?;
    let entry = AuditEntry::by(p, "supplier.created", "supplier", &id)
        .details(serde_json::json!({"code": input.code, "name": input.name}));
    finish_create(tx, entry, ("suppliers", &id, from_row), idem).await
}

/// Writes a new supplier (also used by the demo).
pub async fn insert(
    tx: &mut Tx,
    company: &str,
    id: &str,
    input: &SupplierInput,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO suppliers (id, company_id, code, name, contact, phone, email, address, lead_time_days, active, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(id)
    .bind(company)
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.contact.trim())
    .bind(input.phone.trim())
    .bind(input.email.trim())
    .bind(input.address.trim())
    .bind(input.lead_time_days)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a supplier with this code exists"))?;
    Ok(())
}

/// Changes a supplier (send its `version`).
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &SupplierInput,
) -> StoreResult<Supplier> {
    let mut v = validate(input);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE suppliers SET code = $1, name = $2, contact = $3, phone = $4, email = $5, address = $6, \
         lead_time_days = $7, active = $8, version = version + 1, updated_at = $9 \
         WHERE id = $10 AND company_id = $11 AND version = $12",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.contact.trim())
    .bind(input.phone.trim())
    .bind(input.email.trim())
    .bind(input.address.trim())
    .bind(input.lead_time_days)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a supplier with this code exists"))?;
    let entry = AuditEntry::by(p, "supplier.updated", "supplier", id)
        .details(serde_json::json!({"code": input.code, "active": input.active}));
    finish_update(tx, done.rows_affected(), "suppliers", id, entry).await?;
    get(db, p, id).await
}

/// A product a supplier supplies.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SupplierProduct {
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub unit: String,
    pub supplier_sku: String,
    pub cost_minor: i64,
    /// `None`: the supplier's lead time.
    pub lead_time_days: Option<i64>,
    /// Orders come in multiples of this.
    pub pack: String,
    /// The supplier replenishment orders this product from.
    pub preferred: bool,
}

/// One product of a supplier's list.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierProductInput {
    pub product_id: String,
    #[serde(default)]
    pub supplier_sku: String,
    pub cost_minor: i64,
    pub lead_time_days: Option<i64>,
    pub pack: Option<DecimalText>,
    #[serde(default)]
    pub preferred: bool,
}

/// A supplier's whole product list.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierProductsInput {
    pub lines: Vec<SupplierProductInput>,
}

/// What a supplier supplies, by SKU.
pub async fn products(db: &Db, p: &Principal, id: &str) -> StoreResult<Vec<SupplierProduct>> {
    get(db, p, id).await?;
    let rows = sqlx::query(
        "SELECT sp.*, p.sku, p.name_zh, p.unit FROM supplier_products sp JOIN products p ON p.id = sp.product_id \
         WHERE sp.supplier_id = $1 ORDER BY p.sku",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SupplierProduct {
                product_id: row::text(r, "product_id")?,
                sku: row::text(r, "sku")?,
                name_zh: row::text(r, "name_zh")?,
                unit: row::text(r, "unit")?,
                supplier_sku: row::text(r, "supplier_sku")?,
                cost_minor: row::int(r, "cost_minor")?,
                lead_time_days: row::opt_int(r, "lead_time_days")?,
                pack: from_milli(row::int(r, "pack_milli")?),
                preferred: row::flag(r, "preferred")?,
            })
        })
        .collect()
}

/// Replaces a supplier's product list. Marking a product preferred here clears the mark at
/// its other suppliers (one preferred supplier per product).
pub async fn set_products(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &SupplierProductsInput,
) -> StoreResult<Vec<SupplierProduct>> {
    let mut v = Validator::new();
    if input.lines.len() > 20_000 {
        v.add("/lines", "out_of_range", "at most 20,000 products");
    }
    let mut packs = Vec::with_capacity(input.lines.len());
    let mut seen = std::collections::HashSet::new();
    for (i, l) in input.lines.iter().enumerate() {
        if l.cost_minor < 0 {
            v.add(
                format!("/lines/{i}/cost_minor"),
                "out_of_range",
                "must not be negative",
            );
        }
        if l.lead_time_days.is_some_and(|d| !(0..=365).contains(&d)) {
            v.add(
                format!("/lines/{i}/lead_time_days"),
                "out_of_range",
                "from 0 to 365 days",
            );
        }
        v.optional_text(
            &format!("/lines/{i}/supplier_sku"),
            Some(&l.supplier_sku),
            64,
        );
        if !seen.insert(l.product_id.clone()) {
            v.add(
                format!("/lines/{i}/product_id"),
                "duplicate",
                "listed twice",
            );
        }
        packs.push(match &l.pack {
            Some(q) => quantity::positive(&mut v, &format!("/lines/{i}/pack"), q),
            None => 1000,
        });
    }
    v.finish().map_err(StoreError::Invalid)?;
    get(db, p, id).await?;
    let ids: Vec<String> = input.lines.iter().map(|l| l.product_id.clone()).collect();
    super::products::check(&db.pool, p, &ids, "/lines").await?;
    let company = p.company_id.to_string();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM supplier_products WHERE supplier_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (l, pack) in input.lines.iter().zip(&packs) {
        if l.preferred {
            sqlx::query("UPDATE supplier_products SET preferred = 0 WHERE product_id = $1 AND preferred = 1")
                .bind(&l.product_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO supplier_products (supplier_id, product_id, company_id, supplier_sku, cost_minor, \
             lead_time_days, pack_milli, preferred) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&l.product_id)
        .bind(&company)
        .bind(l.supplier_sku.trim())
        .bind(l.cost_minor)
        .bind(l.lead_time_days)
        .bind(*pack)
        .bind(l.preferred as i64)
        .execute(&mut *tx)
        .await?;
    }
    crate::audit::append(
        &mut tx,
        AuditEntry::by(p, "supplier.products_set", "supplier", id)
            .details(serde_json::json!({"products": input.lines.len()})),
    )
    .await?;
    tx.commit().await?;
    products(db, p, id).await
}
