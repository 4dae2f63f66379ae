//! Product import from CSV or XLSX: every row is checked first (a dry run stops there and
//! changes nothing); a real run writes all rows in one transaction, or — with `skip_invalid` —
//! the good rows only. Rows are matched by SKU, and a row equal to what is stored is left
//! alone, so importing the same file twice changes nothing the second time.

use super::products::{self, BarcodeInput, CheckedProduct, ProductInput, References};
use super::table::{self, Table};
use crate::audit::{self, AuditEntry};
use crate::db::Db;
use crate::error::StoreResult;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::{ProductStatus, Unit, parse_major_amount};
use salepoint_domain::money::Currency;
use salepoint_domain::validation::Validator;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// One problem with one cell (or row) of the file.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// 1-based row in the file (the header is row 1; 0 = the file as a whole).
    pub row: usize,
    /// The column as named in the file's header.
    pub column: String,
    pub value: String,
    pub message: String,
}

/// What an import did or would do.
#[derive(Clone, Debug, Serialize, ToSchema, Default)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
    pub encoding: String,
    pub total_rows: usize,
    pub valid_rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub errors: Vec<RowError>,
    /// Row numbers with errors (for writing an error file).
    #[serde(skip)]
    pub bad_rows: Vec<usize>,
}

/// How to run an import.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_invalid: bool,
}

fn parse_unit(s: &str) -> Option<Unit> {
    let s = s.trim();
    Unit::parse(&s.to_lowercase()).or(match s {
        "" | "个" | "件" | "只" | "支" => Some(Unit::Piece),
        "盒" => Some(Unit::Box),
        "包" => Some(Unit::Pack),
        "瓶" => Some(Unit::Bottle),
        "罐" | "听" => Some(Unit::Can),
        "袋" => Some(Unit::Bag),
        "千克" | "公斤" => Some(Unit::Kg),
        "克" => Some(Unit::G),
        "升" | "L" => Some(Unit::Litre),
        "毫升" => Some(Unit::Ml),
        "米" => Some(Unit::Metre),
        _ => None,
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "0" | "否" | "no" | "n" | "false" => Some(false),
        "1" | "是" | "yes" | "y" | "true" => Some(true),
        _ => None,
    }
}

fn parse_status(s: &str) -> Option<ProductStatus> {
    match s.trim() {
        "" | "在售" => Some(ProductStatus::Active),
        "停售" => Some(ProductStatus::Discontinued),
        other => ProductStatus::parse(&other.to_lowercase()),
    }
}

/// Codes → ids of the company's categories and tax classes.
struct Codes {
    categories: HashMap<String, String>,
    tax_classes: HashMap<String, String>,
}

async fn codes(db: &Db, p: &Principal) -> StoreResult<Codes> {
    let map = |sql: &'static str| {
        let company = p.company_id.to_string();
        async move {
            let rows = sqlx::query(sql).bind(company).fetch_all(&db.pool).await?;
            rows.iter()
                .map(|r| Ok((row::text(r, "code")?, row::text(r, "id")?)))
                .collect::<StoreResult<HashMap<_, _>>>()
        }
    };
    Ok(Codes {
        categories: map("SELECT code, id FROM categories WHERE company_id = $1").await?,
        tax_classes: map("SELECT code, id FROM tax_classes WHERE company_id = $1").await?,
    })
}

/// Turns one row into a product input; cell errors are added to `errors`.
fn row_to_input(
    t: &Table,
    (line, cells): &(usize, Vec<String>),
    codes: &Codes,
    exponent: u8,
    errors: &mut Vec<RowError>,
) -> ProductInput {
    let mut cell: HashMap<&str, (&str, &str)> = HashMap::new();
    for (i, field) in t.fields.iter().enumerate() {
        cell.insert(
            field.as_str(),
            (
                t.header[i].as_str(),
                cells.get(i).map(|s| s.trim()).unwrap_or(""),
            ),
        );
    }
    let get = |f: &str| cell.get(f).map(|c| c.1).unwrap_or("");
    let mut err = |f: &str, message: &str| {
        let (column, value) = cell.get(f).copied().unwrap_or((f, ""));
        errors.push(RowError {
            row: *line,
            column: column.to_string(),
            value: value.to_string(),
            message: message.to_string(),
        });
    };
    let unit = parse_unit(get("unit")).unwrap_or_else(|| {
        err("unit", "unknown unit; use piece, box, pack, bottle, can, bag, kg, g, litre, ml, metre or 个/盒/包/瓶/罐/袋/千克/克/升/毫升");
        Unit::Piece
    });
    let sold_by_weight = parse_bool(get("sold_by_weight")).unwrap_or_else(|| {
        err("sold_by_weight", "use 是/否 or yes/no");
        false
    });
    let quantity_precision = match get("quantity_precision") {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                err("quantity_precision", "a whole number from 0 to 3");
                None
            }
        },
    };
    let mut money = |f: &str, required: bool| match get(f) {
        "" if !required => 0,
        s => parse_major_amount(s, exponent).unwrap_or_else(|m| {
            err(f, if s.is_empty() { "required" } else { m });
            0
        }),
    };
    let cost = money("cost_price", false);
    let list = money("list_price", true);
    let category_id = match get("category") {
        "" => None,
        c => match codes.categories.get(c) {
            Some(id) => Some(id.clone()),
            None => {
                err("category", "no category with this code");
                None
            }
        },
    };
    let tax_class_id = match codes.tax_classes.get(get("tax_class")) {
        Some(id) => id.clone(),
        None => {
            err("tax_class", "no tax class with this code");
            String::new()
        }
    };
    let status = parse_status(get("status")).unwrap_or_else(|| {
        err("status", "use active/discontinued or 在售/停售");
        ProductStatus::Active
    });
    let barcodes = get("barcodes")
        .split([';', ',', '|', ' ', '；', '，'])
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('#') {
            // `#CODE` marks a store-made code without a check digit.
            Some(internal) => BarcodeInput {
                code: internal.to_string(),
                internal: true,
            },
            None => BarcodeInput {
                code: s.to_string(),
                internal: false,
            },
        })
        .collect();
    ProductInput {
        sku: get("sku").to_string(),
        name_zh: get("name_zh").to_string(),
        name_en: get("name_en").to_string(),
        receipt_name: get("receipt_name").to_string(),
        category_id,
        brand: get("brand").to_string(),
        unit,
        sold_by_weight,
        quantity_precision,
        tax_class_id,
        cost_price_minor: cost,
        list_price_minor: list,
        status: Some(status),
        image_url: Some(get("image_url").to_string()).filter(|s| !s.is_empty()),
        attributes: BTreeMap::new(),
        family_code: Some(get("family_code").to_string()).filter(|s| !s.is_empty()),
        plu: Some(get("plu").to_string()).filter(|s| !s.is_empty()),
        barcodes,
        version: None,
    }
}

/// Maps a product field path (`/barcodes/0/code`) to its file column.
fn field_column(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "cost_price_minor" => "cost_price",
        "list_price_minor" => "list_price",
        "category_id" => "category",
        "tax_class_id" => "tax_class",
        other => table::COLUMNS
            .iter()
            .find(|(f, _)| *f == other)
            .map(|(f, _)| *f)
            .unwrap_or("sku"),
    }
}

/// Stored products by SKU, as checked products, for the SKUs in the file.
async fn existing(
    db: &Db,
    p: &Principal,
    skus: &[String],
) -> StoreResult<HashMap<String, (String, CheckedProduct)>> {
    let mut out = HashMap::new();
    for chunk in skus.chunks(500) {
        let mut q = Sql::for_backend(db.backend, "SELECT * FROM products WHERE company_id = ");
        q.bind(p.company_id.to_string())
            .push(" AND sku IN ")
            .bind_list(chunk);
        let (sql, args) = q.build();
        let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
        for prod in products::hydrate(db, p.company_id, &rows).await? {
            let checked = CheckedProduct {
                sku: prod.sku.clone(),
                name_zh: prod.name_zh,
                name_en: prod.name_en,
                receipt_name: prod.receipt_name,
                category_id: prod.category_id,
                brand: prod.brand,
                unit: prod.unit,
                sold_by_weight: prod.sold_by_weight,
                quantity_precision: prod.quantity_precision,
                tax_class_id: prod.tax_class_id,
                cost_price_minor: prod.cost_price_minor,
                list_price_minor: prod.list_price_minor,
                status: prod.status,
                image_url: prod.image_url,
                attributes: prod.attributes,
                family_code: prod.family_code,
                plu: prod.plu,
                barcodes: prod.barcodes,
            };
            out.insert(prod.sku, (prod.id, checked));
        }
    }
    Ok(out)
}

/// Copies into `c` the stored values of every field the file has no column for.
fn keep_absent(c: &mut CheckedProduct, old: &CheckedProduct, fields: &[String]) {
    let has = |f: &str| fields.iter().any(|x| x == f);
    c.attributes = old.attributes.clone();
    if !has("name_en") {
        c.name_en = old.name_en.clone();
    }
    if !has("receipt_name") {
        c.receipt_name = old.receipt_name.clone();
    }
    if !has("category") {
        c.category_id = old.category_id.clone();
    }
    if !has("brand") {
        c.brand = old.brand.clone();
    }
    if !has("unit") {
        c.unit = old.unit;
    }
    if !has("sold_by_weight") {
        c.sold_by_weight = old.sold_by_weight;
    }
    if !has("quantity_precision") {
        c.quantity_precision = old.quantity_precision;
    }
    if !has("cost_price") {
        c.cost_price_minor = old.cost_price_minor;
    }
    if !has("status") {
        c.status = old.status;
    }
    if !has("barcodes") {
        c.barcodes = old.barcodes.clone();
    }
    if !has("plu") {
        c.plu = old.plu.clone();
    }
    if !has("family_code") {
        c.family_code = old.family_code.clone();
    }
    if !has("image_url") {
        c.image_url = old.image_url.clone();
    }
}

/// Imports a product file.
pub async fn import(
    db: &Db,
    p: &Principal,
    bytes: &[u8],
    opts: ImportOptions,
) -> StoreResult<ImportReport> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let mut clock = Stages::start();
    let t = match table::read(bytes) {
        Ok(t) => t,
        Err(e) => {
            report.errors.push(RowError {
                row: e.row,
                column: e.column,
                value: String::new(),
                message: e.message,
            });
            return Ok(report);
        }
    };
    report.encoding = t.encoding.to_string();
    report.total_rows = t.rows.len();
    let company = crate::org::company(db, p.company_id).await?;
    let exponent = Currency::from_code(&company.currency)
        .map(|c| c.exponent())
        .unwrap_or(2);
    let codes = codes(db, p).await?;
    let refs = References::load(db, p.company_id).await?;
    clock.lap("read");

    // 1. Each row on its own.
    let mut checked: Vec<(usize, CheckedProduct)> = Vec::new();
    let mut bad: HashSet<usize> = HashSet::new();
    for r in &t.rows {
        let before = report.errors.len();
        let input = row_to_input(&t, r, &codes, exponent, &mut report.errors);
        let mut v = Validator::new();
        let c = products::check(&input, &refs, &mut v);
        if let Err(field_errors) = v.finish() {
            for fe in field_errors {
                let field = field_column(&fe.field);
                // Reference errors were already reported with the code the file used.
                if report.errors[before..].iter().any(|e| {
                    t.fields
                        .iter()
                        .position(|f| f == field)
                        .map(|i| &t.header[i])
                        == Some(&e.column)
                }) {
                    continue;
                }
                let idx = t.fields.iter().position(|f| f == field);
                report.errors.push(RowError {
                    row: r.0,
                    column: idx
                        .map(|i| t.header[i].clone())
                        .unwrap_or_else(|| field.to_string()),
                    value: idx.and_then(|i| r.1.get(i).cloned()).unwrap_or_default(),
                    message: fe.message,
                });
            }
        }
        if report.errors.len() > before {
            bad.insert(r.0);
        } else {
            checked.push((r.0, c));
        }
    }
    clock.lap("check");
    // 2. Rows against each other and against other products.
    let column_of = |field: &str| {
        t.fields
            .iter()
            .position(|f| f == field)
            .map(|i| t.header[i].clone())
            .unwrap_or_else(|| field.to_string())
    };
    let mut seen_sku: HashMap<String, usize> = HashMap::new();
    let mut seen_code: HashMap<String, (usize, String)> = HashMap::new();
    let mut cross_errors = Vec::new();
    for (line, c) in &checked {
        if let Some(first) = seen_sku.insert(c.sku.clone(), *line) {
            cross_errors.push((
                *line,
                "sku",
                c.sku.clone(),
                format!("SKU already on row {first}"),
            ));
        }
        for b in &c.barcodes {
            if let Some((first, sku)) = seen_code.get(&b.code)
                && sku != &c.sku
            {
                cross_errors.push((
                    *line,
                    "barcodes",
                    b.code.clone(),
                    format!("barcode already on row {first}"),
                ));
            }
            seen_code
                .entry(b.code.clone())
                .or_insert((*line, c.sku.clone()));
        }
    }
    let skus: Vec<String> = checked.iter().map(|(_, c)| c.sku.clone()).collect();
    let stored = existing(db, p, &skus).await?;
    clock.lap("stored");
    let codes_in_file: Vec<String> = seen_code.keys().cloned().collect();
    let mut owners = HashMap::new();
    {
        let mut tx = db.begin().await?;
        for chunk in codes_in_file.chunks(500) {
            owners.extend(products::barcode_owners(&mut tx, p.company_id, chunk, None).await?);
        }
    }
    clock.lap("owners");
    let sku_of_id: HashMap<&str, &str> = stored
        .iter()
        .map(|(sku, (id, _))| (id.as_str(), sku.as_str()))
        .collect();
    let stored_owner_sku = |code: &str| {
        owners.get(code).map(|id| {
            sku_of_id
                .get(id.as_str())
                .copied()
                .unwrap_or("another product")
        })
    };
    for (line, c) in &checked {
        for b in &c.barcodes {
            if let Some(owner) = stored_owner_sku(&b.code)
                && owner != c.sku
                // Moving a code between two products of this file is allowed.
                && !skus.iter().any(|s| s == owner && seen_code.get(&b.code).is_some_and(|(_, first)| first == &c.sku))
            {
                cross_errors.push((
                    *line,
                    "barcodes",
                    b.code.clone(),
                    format!("barcode belongs to {owner}"),
                ));
            }
        }
    }
    for (line, field, value, message) in cross_errors {
        bad.insert(line);
        report.errors.push(RowError {
            row: line,
            column: column_of(field),
            value,
            message,
        });
    }
    report.errors.sort_by_key(|e| e.row);
    let good: Vec<(usize, CheckedProduct)> = checked
        .into_iter()
        .filter(|(l, _)| !bad.contains(l))
        .collect();
    report.valid_rows = good.len();
    report.bad_rows = {
        let mut v: Vec<usize> = bad.into_iter().collect();
        v.sort();
        v
    };
    report.skipped = report.bad_rows.len();
    // 3. What would change. Columns the file does not have keep their stored values.
    let mut plan: Vec<(Option<String>, CheckedProduct)> = Vec::new();
    for (_, mut c) in good {
        if let Some((_, old)) = stored.get(&c.sku) {
            keep_absent(&mut c, old, &t.fields);
        }
        match stored.get(&c.sku) {
            Some((_, old)) if *old == c => report.unchanged += 1,
            Some((id, _)) => {
                report.updated += 1;
                plan.push((Some(id.clone()), c));
            }
            None => {
                report.created += 1;
                plan.push((None, c));
            }
        }
    }
    if opts.dry_run || (!report.errors.is_empty() && !opts.skip_invalid) || plan.is_empty() {
        if !opts.dry_run && !report.errors.is_empty() && !opts.skip_invalid {
            report.created = 0;
            report.updated = 0;
            report.unchanged = 0;
        }
        return Ok(report);
    }

    clock.lap("plan");
    // 4. One transaction; barcodes moved between products are freed first.
    let mut tx = db.begin().await?;
    let seq = super::next_change(&mut tx, p.company_id).await?;
    let updating: Vec<String> = plan.iter().filter_map(|(id, _)| id.clone()).collect();
    for chunk in updating.chunks(500) {
        let mut q = Sql::for_backend(tx.backend, "DELETE FROM barcodes WHERE product_id IN ");
        q.bind_list(chunk);
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;
    }
    // Updates one by one, then the new products with multi-row inserts (after the updates,
    // which may free barcodes the new products take).
    let mut new_products = Vec::new();
    for (id, c) in plan {
        match id {
            Some(id) => products::write(&mut tx, p.company_id, &id, &c, seq, false).await?,
            None => new_products.push((uuid::Uuid::now_v7().to_string(), c)),
        }
    }
    clock.lap("update");
    products::insert_many(&mut tx, p.company_id, &new_products, seq).await?;
    clock.lap("insert");
    audit::append(
        &mut tx,
        AuditEntry::by(p, "product.imported", "product_import", &seq.to_string()).details(
            serde_json::json!({
            "rows": report.total_rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "skipped": report.skipped}),
        ),
    )
    .await?;
    tx.commit().await?;
    clock.lap("commit");
    report.applied = true;
    // After a large import PostgreSQL's statistics still describe the old table; until
    // autovacuum catches up the planner may scan instead of using the SKU and barcode indexes.
    if db.backend == crate::Backend::Postgres && report.created + report.updated > 1_000 {
        let mut tx = db.begin().await?;
        crate::db::execute(&mut tx, "ANALYZE products").await?;
        crate::db::execute(&mut tx, "ANALYZE barcodes").await?;
        // Merge the new search entries into the trigram index now: until then every search
        // reads them one by one (see migration 0012).
        crate::db::execute(
            &mut tx,
            "SELECT gin_clean_pending_list('products_search_trgm'::regclass)",
        )
        .await?;
        tx.commit().await?;
        clock.lap("analyze");
    }
    clock.report(&report);
    Ok(report)
}

/// Time per stage of an import, logged at the end (debug level).
struct Stages {
    at: std::time::Instant,
    laps: Vec<(&'static str, u128)>,
}

impl Stages {
    fn start() -> Stages {
        Stages {
            at: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((stage, (now - self.at).as_millis()));
        self.at = now;
    }

    fn report(&self, r: &ImportReport) {
        let laps: Vec<String> = self
            .laps
            .iter()
            .map(|(s, ms)| format!("{s} {ms} ms"))
            .collect();
        tracing::debug!(rows = r.total_rows, created = r.created, updated = r.updated, stages = %laps.join(", "), "product import");
    }
}

/// The error file of an import: the bad rows of `bytes` as they were in the file, with one more
/// column (`错误 / error`) that says what is wrong with each (`column: message; …`), as CSV
/// (UTF-8 with a BOM, so that spreadsheet programs read it as UTF-8). The rows can be fixed
/// there and the error file imported as it is (the reader skips that column). Only the header
/// when no row is bad; `None` when the file cannot be read at all.
pub fn error_file(bytes: &[u8], report: &ImportReport) -> Option<Vec<u8>> {
    let t = table::read(bytes).ok()?;
    let bad: HashSet<usize> = report.bad_rows.iter().copied().collect();
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let mut header = t.header.clone();
    header.push(table::ERROR_COLUMN.into());
    w.write_record(&header).ok()?;
    for (line, cells) in t.rows.iter().filter(|(l, _)| bad.contains(l)) {
        let mut rec = cells.clone();
        rec.resize(t.header.len(), String::new());
        let msgs: Vec<String> = report
            .errors
            .iter()
            .filter(|e| e.row == *line)
            .map(|e| format!("{}: {}", e.column, e.message))
            .collect();
        rec.push(msgs.join("; "));
        w.write_record(&rec).ok()?;
    }
    w.into_inner().ok()
}
