//! Products and their barcodes. A product is one SKU; variants of a family (size, colour) are
//! separate SKUs sharing a `family_code`. A barcode belongs to one product at a time.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::{self, IdemLock};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::barcode::{self, BarcodeKind};
use salepoint_domain::catalog::search_key::product_search_text;
use salepoint_domain::catalog::{ProductStatus, Unit};
use salepoint_domain::ids::CompanyId;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// A barcode of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Barcode {
    pub code: String,
    pub kind: BarcodeKind,
}

/// A product.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Product {
    pub id: String,
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    /// Short name printed on receipts (falls back to `name_zh`).
    pub receipt_name: String,
    pub category_id: Option<String>,
    pub brand: String,
    pub unit: Unit,
    pub sold_by_weight: bool,
    /// Decimals of the quantity (3 for goods weighed in kg).
    pub quantity_precision: i64,
    pub tax_class_id: String,
    pub cost_price_minor: i64,
    pub list_price_minor: i64,
    pub currency: String,
    pub status: ProductStatus,
    pub image_url: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, String>,
    pub family_code: Option<String>,
    /// Scale PLU for goods sold by weight.
    pub plu: Option<String>,
    pub barcodes: Vec<Barcode>,
    pub version: i64,
    pub updated_at: String,
}

/// A barcode as given on create or update.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BarcodeInput {
    pub code: String,
    /// A store-made code without a check digit.
    #[serde(default)]
    pub internal: bool,
}

/// Fields of a product (a full replacement on update).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    pub sku: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub receipt_name: String,
    pub category_id: Option<String>,
    #[serde(default)]
    pub brand: String,
    pub unit: Unit,
    #[serde(default)]
    pub sold_by_weight: bool,
    pub quantity_precision: Option<i64>,
    pub tax_class_id: String,
    #[serde(default)]
    pub cost_price_minor: i64,
    pub list_price_minor: i64,
    pub status: Option<ProductStatus>,
    pub image_url: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub family_code: Option<String>,
    pub plu: Option<String>,
    #[serde(default)]
    pub barcodes: Vec<BarcodeInput>,
    pub version: Option<i64>,
}

/// A product ready to be written: checked, with defaults filled in and barcode kinds known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedProduct {
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    pub receipt_name: String,
    pub category_id: Option<String>,
    pub brand: String,
    pub unit: Unit,
    pub sold_by_weight: bool,
    pub quantity_precision: i64,
    pub tax_class_id: String,
    pub cost_price_minor: i64,
    pub list_price_minor: i64,
    pub status: ProductStatus,
    pub image_url: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub family_code: Option<String>,
    pub plu: Option<String>,
    pub barcodes: Vec<Barcode>,
}

/// The company's categories and tax classes, to check references without a query per product.
#[derive(Clone, Debug, Default)]
pub struct References {
    pub categories: HashSet<String>,
    pub tax_classes: HashSet<String>,
}

impl References {
    /// Loads the company's category and tax class ids.
    pub async fn load(db: &Db, company: CompanyId) -> StoreResult<References> {
        let ids = |sql: &'static str| {
            let company = company.to_string();
            async move {
                let rows = sqlx::query(sql).bind(company).fetch_all(&db.pool).await?;
                rows.iter()
                    .map(|r| row::text(r, "id"))
                    .collect::<StoreResult<HashSet<_>>>()
            }
        };
        Ok(References {
            categories: ids("SELECT id FROM categories WHERE company_id = $1").await?,
            tax_classes: ids("SELECT id FROM tax_classes WHERE company_id = $1").await?,
        })
    }
}

/// Checks a product's own fields (no database access): everything but uniqueness across
/// products. Field paths are relative to the product object.
pub fn check(input: &ProductInput, refs: &References, v: &mut Validator) -> CheckedProduct {
    v.code("/sku", &input.sku, 64);
    v.text("/name_zh", &input.name_zh, 1, 200);
    v.text("/name_en", &input.name_en, 0, 200);
    v.text("/receipt_name", &input.receipt_name, 0, 40);
    v.text("/brand", &input.brand, 0, 100);
    let precision = input
        .quantity_precision
        .unwrap_or(if input.sold_by_weight { 3 } else { 0 });
    if !(0..=3).contains(&precision) {
        v.add("/quantity_precision", "out_of_range", "0 to 3 decimals");
    }
    if input.sold_by_weight && !input.unit.is_measured() {
        v.add(
            "/unit",
            "invalid_value",
            "goods sold by weight use kg, g, litre, ml or metre",
        );
    }
    if let Some(c) = &input.category_id
        && !refs.categories.contains(c)
    {
        v.add("/category_id", "unknown", "no such category");
    }
    if !refs.tax_classes.contains(&input.tax_class_id) {
        v.add("/tax_class_id", "unknown", "no such tax class");
    }
    for (field, value) in [
        ("/cost_price_minor", input.cost_price_minor),
        ("/list_price_minor", input.list_price_minor),
    ] {
        if value < 0 {
            v.add(field, "negative", "must not be negative");
        } else if value > 100_000_000_000 {
            v.add(field, "too_large", "at most 1,000,000,000.00");
        }
    }
    if let Some(url) = &input.image_url
        && !url.is_empty()
        && (url.len() > 500 || !(url.starts_with("https://") || url.starts_with("http://")))
    {
        v.add(
            "/image_url",
            "invalid_format",
            "an http(s) URL of at most 500 characters",
        );
    }
    if input.attributes.len() > 20 {
        v.add("/attributes", "too_many", "at most 20 attributes");
    }
    for (k, val) in &input.attributes {
        if k.is_empty() || k.chars().count() > 40 || val.chars().count() > 200 {
            v.add(
                format!("/attributes/{k}"),
                "invalid_value",
                "names up to 40 and values up to 200 characters",
            );
        }
    }
    if let Some(f) = input.family_code.as_deref().filter(|s| !s.is_empty()) {
        v.code("/family_code", f, 64);
    }
    let plu = input
        .plu
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(plu) = plu
        && (plu.len() > 6 || !plu.bytes().all(|b| b.is_ascii_digit()))
    {
        v.add("/plu", "invalid_format", "1 to 6 digits");
    }
    // Scales print PLUs zero-padded; store them without leading zeros.
    let plu = plu.map(|s| match s.trim_start_matches('0') {
        "" => "0".to_string(),
        t => t.to_string(),
    });
    let mut barcodes = Vec::new();
    let mut seen = HashSet::new();
    for (i, b) in input.barcodes.iter().enumerate() {
        let code = b.code.trim().to_string();
        match barcode::validate(&code, b.internal) {
            Ok(kind) => {
                if !seen.insert(code.clone()) {
                    v.add(format!("/barcodes/{i}/code"), "duplicate", "listed twice");
                }
                barcodes.push(Barcode { code, kind });
            }
            Err(m) => v.add(format!("/barcodes/{i}/code"), "invalid_barcode", m),
        }
    }
    if input.barcodes.len() > 20 {
        v.add("/barcodes", "too_many", "at most 20 barcodes");
    }
    CheckedProduct {
        sku: input.sku.trim().to_string(),
        name_zh: input.name_zh.trim().to_string(),
        name_en: input.name_en.trim().to_string(),
        receipt_name: input.receipt_name.trim().to_string(),
        category_id: input.category_id.clone(),
        brand: input.brand.trim().to_string(),
        unit: input.unit,
        sold_by_weight: input.sold_by_weight,
        quantity_precision: precision,
        tax_class_id: input.tax_class_id.clone(),
        cost_price_minor: input.cost_price_minor,
        list_price_minor: input.list_price_minor,
        status: input.status.unwrap_or(ProductStatus::Active),
        image_url: input.image_url.clone().filter(|s| !s.is_empty()),
        attributes: input.attributes.clone(),
        family_code: input.family_code.clone().filter(|s| !s.is_empty()),
        plu,
        barcodes,
    }
}

/// Barcodes among `codes` that belong to a product other than `except`: code → product id.
pub async fn barcode_owners(
    tx: &mut Tx,
    company: CompanyId,
    codes: &[String],
    except: Option<&str>,
) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let mut q = Sql::for_backend(
            tx.backend,
            "SELECT code, product_id FROM barcodes WHERE company_id = ",
        );
        q.bind(company.to_string())
            .push(" AND code IN ")
            .bind_list(chunk);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
            let owner = row::text(&r, "product_id")?;
            if Some(owner.as_str()) != except {
                out.insert(row::text(&r, "code")?, owner);
            }
        }
    }
    Ok(out)
}

/// Writes (inserts or replaces) a checked product and its barcodes, stamped with change
/// number `seq`. Uniqueness (SKU, barcode, PLU) is enforced by the database.
pub async fn write(
    tx: &mut Tx,
    company: CompanyId,
    id: &str,
    p: &CheckedProduct,
    seq: i64,
    is_new: bool,
) -> StoreResult<()> {
    let now = clock::now();
    let search = product_search_text(&p.sku, &p.name_zh, &p.name_en);
    let attributes =
        serde_json::to_string(&p.attributes).map_err(|e| StoreError::Internal(e.to_string()))?;
    let q = if is_new {
        "INSERT INTO products (sku, name_zh, name_en, receipt_name, category_id, brand, unit, sold_by_weight, \
         quantity_precision, tax_class_id, cost_price_minor, list_price_minor, status, image_url, attributes, family_code, \
         plu, search_text, change_seq, updated_at, id, company_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $20)"
    } else {
        "UPDATE products SET sku = $1, name_zh = $2, name_en = $3, receipt_name = $4, category_id = $5, brand = $6, \
         unit = $7, sold_by_weight = $8, quantity_precision = $9, tax_class_id = $10, cost_price_minor = $11, \
         list_price_minor = $12, status = $13, image_url = $14, attributes = $15, family_code = $16, plu = $17, \
         search_text = $18, change_seq = $19, updated_at = $20, version = version + 1 WHERE id = $21 AND company_id = $22"
    };
    sqlx::query(q)
        .bind(&p.sku)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&p.receipt_name)
        .bind(p.category_id.clone())
        .bind(&p.brand)
        .bind(p.unit.as_str())
        .bind(p.sold_by_weight as i64)
        .bind(p.quantity_precision)
        .bind(&p.tax_class_id)
        .bind(p.cost_price_minor)
        .bind(p.list_price_minor)
        .bind(p.status.as_str())
        .bind(p.image_url.clone())
        .bind(attributes)
        .bind(p.family_code.clone())
        .bind(p.plu.clone())
        .bind(search)
        .bind(seq)
        .bind(&now)
        .bind(id)
        .bind(company.to_string())
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            let msg = e.to_string();
            if msg.contains("plu") {
                unique_as_conflict(e, "/plu", "another product has this PLU")
            } else {
                unique_as_conflict(e, "/sku", "another product has this SKU")
            }
        })?;
    if !is_new {
        sqlx::query("DELETE FROM barcodes WHERE product_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    for (i, b) in p.barcodes.iter().enumerate() {
        sqlx::query("INSERT INTO barcodes (company_id, code, product_id, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(company.to_string())
            .bind(&b.code)
            .bind(id)
            .bind(b.kind.as_str())
            .bind(&now)
            .execute(&mut **tx)
            .await
            .map_err(|e| unique_as_conflict(e, &format!("/barcodes/{i}/code"), "this barcode belongs to another product"))?;
    }
    Ok(())
}

/// Inserts many new products and their barcodes with multi-row statements (imports, demo and
/// benchmark data): the same rows as [`write`] with `is_new`, far fewer round trips. The rows
/// travel as one JSON parameter on SQLite (`bulk::insert`) and as one array per column on
/// PostgreSQL (`unnest`), not as one bound value per cell: 100,000 products are 2.3 million
/// cells, and binding them cost PostgreSQL imports more than the inserts themselves.
pub async fn insert_many(
    tx: &mut Tx,
    company: CompanyId,
    items: &[(String, CheckedProduct)],
    seq: i64,
) -> StoreResult<()> {
    use crate::bulk::Val;
    const ROWS: usize = 5_000;
    let now = clock::now();
    let company = company.to_string();
    for chunk in items.chunks(ROWS) {
        let mut rows: Vec<Vec<Val>> = Vec::with_capacity(chunk.len());
        for (id, p) in chunk {
            let attributes = serde_json::to_string(&p.attributes)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            rows.push(vec![
                id.clone().into(),
                company.clone().into(),
                p.sku.clone().into(),
                p.name_zh.clone().into(),
                p.name_en.clone().into(),
                p.receipt_name.clone().into(),
                p.category_id.clone().into(),
                p.brand.clone().into(),
                p.unit.as_str().into(),
                (p.sold_by_weight as i64).into(),
                p.quantity_precision.into(),
                p.tax_class_id.clone().into(),
                p.cost_price_minor.into(),
                p.list_price_minor.into(),
                p.status.as_str().into(),
                p.image_url.clone().into(),
                attributes.into(),
                p.family_code.clone().into(),
                p.plu.clone().into(),
                product_search_text(&p.sku, &p.name_zh, &p.name_en).into(),
                seq.into(),
                now.clone().into(),
                now.clone().into(),
            ]);
        }
        insert_rows(
            tx,
            "INSERT INTO products (id, company_id, sku, name_zh, name_en, receipt_name, category_id, brand, unit, \
             sold_by_weight, quantity_precision, tax_class_id, cost_price_minor, list_price_minor, status, image_url, \
             attributes, family_code, plu, search_text, change_seq, created_at, updated_at) VALUES ",
            &rows,
        )
        .await
        .map_err(|e| conflict(e, "/sku", "another product has this SKU, barcode or PLU"))?;
        let codes: Vec<Vec<Val>> = chunk
            .iter()
            .flat_map(|(id, p)| {
                p.barcodes.iter().map(|b| {
                    vec![
                        company.clone().into(),
                        b.code.clone().into(),
                        id.clone().into(),
                        b.kind.as_str().into(),
                        now.clone().into(),
                    ]
                })
            })
            .collect();
        insert_rows(
            tx,
            "INSERT INTO barcodes (company_id, code, product_id, kind, created_at) VALUES ",
            &codes,
        )
        .await
        .map_err(|e| conflict(e, "/barcodes", "a barcode belongs to another product"))?;
    }
    Ok(())
}

/// A unique violation among many rows as a conflict on `field`.
fn conflict(e: StoreError, field: &str, message: &str) -> StoreError {
    match e {
        StoreError::Db(e) => unique_as_conflict(e, field, message),
        other => other,
    }
}

/// Inserts `rows` with `head` (`INSERT INTO t (a, b) VALUES `): one array parameter per column
/// on PostgreSQL, one JSON parameter on SQLite — the sale writer's `orders::unnest::insert`.
async fn insert_rows(tx: &mut Tx, head: &str, rows: &[Vec<crate::bulk::Val>]) -> StoreResult<()> {
    crate::orders::unnest::insert(tx, head, rows, "").await?;
    Ok(())
}

fn product_from(r: &AnyRow, currency: &str, barcodes: Vec<Barcode>) -> StoreResult<Product> {
    Ok(Product {
        id: row::text(r, "id")?,
        sku: row::text(r, "sku")?,
        name_zh: row::text(r, "name_zh")?,
        name_en: row::text(r, "name_en")?,
        receipt_name: row::text(r, "receipt_name")?,
        category_id: row::opt_text(r, "category_id")?,
        brand: row::text(r, "brand")?,
        unit: row::enumerated(r, "unit", Unit::parse)?,
        sold_by_weight: row::flag(r, "sold_by_weight")?,
        quantity_precision: row::int(r, "quantity_precision")?,
        tax_class_id: row::text(r, "tax_class_id")?,
        cost_price_minor: row::int(r, "cost_price_minor")?,
        list_price_minor: row::int(r, "list_price_minor")?,
        currency: currency.to_string(),
        status: row::enumerated(r, "status", ProductStatus::parse)?,
        image_url: row::opt_text(r, "image_url")?,
        attributes: serde_json::from_str(&row::text(r, "attributes")?).unwrap_or_default(),
        family_code: row::opt_text(r, "family_code")?,
        plu: row::opt_text(r, "plu")?,
        barcodes,
        version: row::int(r, "version")?,
        updated_at: row::text(r, "updated_at")?,
    })
}

/// The company's currency code (cached: a change of company settings clears the cache).
pub async fn currency(db: &Db, company: CompanyId) -> StoreResult<String> {
    let company = company.to_string();
    if let Some(c) = db.caches.currencies.get(&company) {
        return Ok(c);
    }
    let r = sqlx::query("SELECT currency FROM companies WHERE id = $1")
        .bind(&company)
        .fetch_one(&db.pool)
        .await?;
    let c = row::text(&r, "currency")?;
    db.caches.currencies.put(company, c.clone());
    Ok(c)
}

/// Builds products from rows, loading their barcodes in one query.
pub async fn hydrate(db: &Db, company: CompanyId, rows: &[AnyRow]) -> StoreResult<Vec<Product>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let currency = currency(db, company).await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| row::text(r, "id"))
        .collect::<StoreResult<_>>()?;
    let mut codes: HashMap<String, Vec<Barcode>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = Sql::for_backend(
            db.backend,
            "SELECT product_id, code, kind FROM barcodes WHERE product_id IN ",
        );
        q.bind_list(chunk).push(" ORDER BY created_at, code");
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            codes
                .entry(row::text(&r, "product_id")?)
                .or_default()
                .push(Barcode {
                    code: row::text(&r, "code")?,
                    kind: row::enumerated(&r, "kind", BarcodeKind::parse)?,
                });
        }
    }
    rows.iter()
        .zip(ids)
        .map(|(r, id)| product_from(r, &currency, codes.remove(&id).unwrap_or_default()))
        .collect()
}

/// The columns of `products` (alias `p`) that [`product_from`] reads: not the search key,
/// which is long and only searched.
const PRODUCT_COLUMNS: &str = "p.id, p.company_id, p.sku, p.name_zh, p.name_en, p.receipt_name, \
     p.category_id, p.brand, p.unit, p.sold_by_weight, p.quantity_precision, p.tax_class_id, \
     p.cost_price_minor, p.list_price_minor, p.status, p.image_url, p.attributes, p.family_code, \
     p.plu, p.version, p.updated_at";

/// Products for which `condition` (SQL on the alias `p`) holds, each with its barcodes, in one
/// statement (the currency comes from a cache): the hot reads (a scan, a page of search
/// results) pay one round trip instead of [`hydrate`]'s three. Products of another company
/// than `company` are dropped here rather than in SQL: a `company_id` condition tempts SQLite
/// (no statistics) to walk the company's products instead of looking the ids up. Id order.
pub async fn fetch_joined(
    db: &Db,
    company: CompanyId,
    condition: impl FnOnce(&mut Sql),
) -> StoreResult<Vec<Product>> {
    let mut q = Sql::new(&format!(
        "SELECT {PRODUCT_COLUMNS}, b.code AS barcode_code, b.kind AS barcode_kind \
         FROM products p LEFT JOIN barcodes b ON b.product_id = p.id WHERE "
    ));
    condition(&mut q);
    q.push(" ORDER BY p.id, b.created_at, b.code");
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let currency = currency(db, company).await?;
    let mut out: Vec<Product> = Vec::new();
    let company = company.to_string();
    for r in &rows {
        if row::text(r, "company_id")? != company {
            continue;
        }
        let code = row::opt_text(r, "barcode_code")?;
        let barcode = match code {
            Some(code) => Some(Barcode {
                code,
                kind: row::enumerated(r, "barcode_kind", BarcodeKind::parse)?,
            }),
            None => None,
        };
        let id = row::text(r, "id")?;
        match out.last_mut() {
            Some(last) if last.id == id => last.barcodes.extend(barcode),
            _ => out.push(product_from(r, &currency, barcode.into_iter().collect())?),
        }
    }
    Ok(out)
}

/// One product of the caller's company.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Product> {
    let r = sqlx::query("SELECT * FROM products WHERE id = $1 AND company_id = $2")
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(hydrate(db, p.company_id, &[r]).await?.remove(0))
}

/// Filters of the product list.
#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    /// Category ids (a category and its descendants).
    pub categories: Option<Vec<String>>,
    pub brand: Option<String>,
    pub status: Option<ProductStatus>,
    /// Text the search key must contain (exports of a search; unranked).
    pub text: Option<String>,
}

/// Appends the filter conditions.
pub fn push_filter(q: &mut Sql, f: &ProductFilter) {
    if let Some(cats) = &f.categories {
        q.push(" AND category_id IN ").bind_list(cats);
    }
    if let Some(b) = &f.brand {
        q.push(" AND brand = ").bind(b.clone());
    }
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.as_str().to_string());
    }
    if let Some(t) = f
        .text
        .as_deref()
        .map(salepoint_domain::catalog::search_key::normalize_query)
        && !t.is_empty()
    {
        q.push(" AND ").contains("search_text", &t);
    }
}

/// Products in id order, filtered, one page.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &ProductFilter,
    page: &PageRequest,
) -> StoreResult<Page<Product>> {
    let mut q = Sql::new("SELECT * FROM products WHERE company_id = ");
    q.bind(p.company_id.to_string());
    push_filter(&mut q, f);
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let items = hydrate(db, p.company_id, &rows).await?;
    Ok(page.page(items, |x| x.id.clone()))
}

async fn check_against_others(
    tx: &mut Tx,
    company: CompanyId,
    id: Option<&str>,
    c: &CheckedProduct,
) -> StoreResult<()> {
    let codes: Vec<String> = c.barcodes.iter().map(|b| b.code.clone()).collect();
    let owners = barcode_owners(tx, company, &codes, id).await?;
    if let Some(i) = c.barcodes.iter().position(|b| owners.contains_key(&b.code)) {
        return Err(StoreError::Conflict {
            field: format!("/barcodes/{i}/code"),
            message: "this barcode belongs to another product".into(),
        });
    }
    Ok(())
}

/// Creates a product.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &ProductInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Product> {
    let refs = References::load(db, p.company_id).await?;
    let mut v = Validator::new();
    let checked = check(input, &refs, &mut v);
    v.finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    check_against_others(&mut tx, p.company_id, None, &checked).await?;
    let seq = super::next_change(&mut tx, p.company_id).await?;
    write(&mut tx, p.company_id, &id, &checked, seq, true).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "product.created", "product", &id).details(
            serde_json::json!({"sku": checked.sku, "list_price_minor": checked.list_price_minor}),
        ),
    )
    .await?;
    let r = sqlx::query("SELECT * FROM products WHERE id = $1")
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    let currency = currency(db, p.company_id).await?;
    let product = product_from(&r, &currency, checked.barcodes.clone())?;
    idempotency::finish(&mut tx, idem, 201, &product).await?;
    tx.commit().await?;
    Ok(product)
}

/// Replaces a product (send its `version`). Price changes are audited with before and after.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &ProductInput,
) -> StoreResult<Product> {
    let current = get(db, p, id).await?;
    let refs = References::load(db, p.company_id).await?;
    let mut v = Validator::new();
    let checked = check(input, &refs, &mut v);
    let version = crate::crud::require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    if version != current.version {
        return Err(StoreError::VersionConflict);
    }
    let mut tx = db.begin().await?;
    let locked =
        sqlx::query("UPDATE products SET version = version WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
    if locked.rows_affected() == 0 {
        return Err(StoreError::VersionConflict);
    }
    check_against_others(&mut tx, p.company_id, Some(id), &checked).await?;
    let seq = super::next_change(&mut tx, p.company_id).await?;
    write(&mut tx, p.company_id, id, &checked, seq, false).await?;
    let action = if current.list_price_minor != checked.list_price_minor
        || current.cost_price_minor != checked.cost_price_minor
    {
        "product.price_changed"
    } else {
        "product.updated"
    };
    audit::append(
        &mut tx,
        AuditEntry::by(p, action, "product", id).details(serde_json::json!({
            "sku": checked.sku,
            "list_price_minor": {"before": current.list_price_minor, "after": checked.list_price_minor},
            "cost_price_minor": {"before": current.cost_price_minor, "after": checked.cost_price_minor},
            "status": checked.status})),
    )
    .await?;
    tx.commit().await?;
    get(db, p, id).await
}
