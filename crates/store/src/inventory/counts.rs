//! Stock counts (盘点): a count of one location over all its products, a category (with its
//! sub-categories) or a list. The expected figures are taken when the count is created; each
//! counted line also remembers the book figure at the moment it was counted, so goods sold
//! between the snapshot and the counting are not mistaken for a variance. Approval posts
//! `counted − book` per line as a `count` movement through [`post::post`]; uncounted lines are
//! left unchanged. In a blind count, callers without `stock.approve` never see the expected
//! figures or the variances, so a counter cannot simply copy the book.

use super::post::{self, Movement};
use super::quantity::{self, from_milli, opt_text};
use super::{levels, locations};
use crate::audit::{self, AuditEntry};
use crate::bulk::{self, Val};
use crate::clock;
use crate::db::{Backend, Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::model::DecimalText;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::inventory::{CountStatus, Transition};
use salepoint_domain::roles::Permission;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// Most products a `list` count may name, and lines one entry request may carry.
const MAX_LIST: usize = 5000;

/// What a count covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountScope {
    /// Every active product of the company (and any other product with stock at the location).
    Full,
    /// The products of a category and its sub-categories.
    Category,
    /// The products listed in `product_ids`.
    List,
}

impl CountScope {
    fn as_str(self) -> &'static str {
        match self {
            CountScope::Full => "full",
            CountScope::Category => "category",
            CountScope::List => "list",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "full" => Some(CountScope::Full),
            "category" => Some(CountScope::Category),
            "list" => Some(CountScope::List),
            _ => None,
        }
    }
}

/// Totals of a count; the variance figures are `null` where a blind count hides them.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct CountSummary {
    pub lines: i64,
    pub counted: i64,
    pub variance_lines: Option<i64>,
    pub variance_value_minor: Option<i64>,
}

/// One product of a count.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CountLine {
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub unit: String,
    /// One of the product's barcodes (the lowest), for the counter's scanner.
    pub barcode: Option<String>,
    /// On hand at the snapshot.
    pub expected: Option<String>,
    /// On hand when the line was last counted (the variance is taken from it).
    pub book: Option<String>,
    pub counted: Option<String>,
    /// Counted − book.
    pub variance: Option<String>,
    /// Variance × moving-average cost, half-up.
    pub variance_value_minor: Option<i64>,
    pub counted_at: Option<String>,
}

/// A stock count.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StockCount {
    pub id: String,
    /// `SC-000001`, gap-free per company.
    pub number: String,
    pub location_id: String,
    pub location_name: String,
    pub scope: CountScope,
    pub category_id: Option<String>,
    pub blind: bool,
    pub status: CountStatus,
    pub notes: String,
    /// When the expected figures were taken.
    pub snapshot_at: String,
    pub created_by: String,
    pub submitted_at: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub version: i64,
    pub summary: CountSummary,
    /// By SKU; empty in lists.
    pub lines: Vec<CountLine>,
}

/// Starting a count.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountInput {
    pub location_id: String,
    pub scope: CountScope,
    pub category_id: Option<String>,
    pub product_ids: Option<Vec<String>>,
    #[serde(default)]
    pub blind: bool,
    #[serde(default)]
    pub notes: String,
}

/// How an entry changes a line's counted figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryMode {
    /// A typed figure replaces the count.
    #[default]
    Set,
    /// A scan adds to it.
    Add,
}

/// One counted figure, by product id or barcode.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryLine {
    pub product_id: Option<String>,
    pub barcode: Option<String>,
    pub quantity: DecimalText,
    #[serde(default)]
    pub mode: EntryMode,
}

/// Counted figures.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntriesInput {
    pub lines: Vec<EntryLine>,
}

/// Submit, approve or cancel, with the version the caller read.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountActionInput {
    pub version: Option<i64>,
    /// Why a count is cancelled.
    pub reason: Option<String>,
}

/// Filters of the count list.
#[derive(Clone, Debug, Default)]
pub struct CountFilter {
    pub location_id: Option<String>,
    pub status: Option<CountStatus>,
}

const HEADER: &str = "SELECT c.id, c.number, c.location_id, s.name AS location_name, c.scope, c.category_id, \
     c.blind, c.status, c.notes, c.snapshot_at, c.created_by, c.submitted_at, c.approved_by, c.approved_at, \
     c.version FROM stock_counts c JOIN stores s ON s.id = c.location_id WHERE c.company_id = ";

fn header(r: &AnyRow) -> StoreResult<StockCount> {
    Ok(StockCount {
        id: row::text(r, "id")?,
        number: row::text(r, "number")?,
        location_id: row::text(r, "location_id")?,
        location_name: row::text(r, "location_name")?,
        scope: row::enumerated(r, "scope", CountScope::parse)?,
        category_id: row::opt_text(r, "category_id")?,
        blind: row::flag(r, "blind")?,
        status: row::enumerated(r, "status", CountStatus::parse)?,
        notes: row::text(r, "notes")?,
        snapshot_at: row::text(r, "snapshot_at")?,
        created_by: row::text(r, "created_by")?,
        submitted_at: row::opt_text(r, "submitted_at")?,
        approved_by: row::opt_text(r, "approved_by")?,
        approved_at: row::opt_text(r, "approved_at")?,
        version: row::int(r, "version")?,
        summary: CountSummary::default(),
        lines: Vec::new(),
    })
}

/// Whether the caller may see expected figures and variances of `c`.
fn sees_figures(p: &Principal, blind: bool) -> bool {
    !blind || p.can(Permission::StockApprove)
}

const LINES: &str = "SELECT l.product_id, p.sku, p.name_zh, p.unit, l.expected_milli, l.counted_milli, \
     l.book_milli, l.counted_at, COALESCE(pc.avg_cost_minor, p.cost_price_minor) AS cost, \
     (SELECT MIN(b.code) FROM barcodes b WHERE b.product_id = l.product_id) AS barcode \
     FROM stock_count_lines l JOIN products p ON p.id = l.product_id \
     LEFT JOIN product_costs pc ON pc.product_id = l.product_id WHERE l.count_id = ";

/// A line as the caller may see it, and its (variance, value) when counted.
fn line(r: &AnyRow, figures: bool) -> StoreResult<(CountLine, Option<(i64, i64)>)> {
    let counted = row::opt_int(r, "counted_milli")?;
    let book = row::opt_int(r, "book_milli")?;
    let cost = row::int(r, "cost")?;
    let var = match (counted, book) {
        (Some(c), Some(b)) => Some((c - b, levels::value(c - b, cost))),
        _ => None,
    };
    let l = CountLine {
        product_id: row::text(r, "product_id")?,
        sku: row::text(r, "sku")?,
        name_zh: row::text(r, "name_zh")?,
        unit: row::text(r, "unit")?,
        barcode: row::opt_text(r, "barcode")?,
        expected: figures
            .then(|| row::int(r, "expected_milli").map(from_milli))
            .transpose()?,
        book: if figures { opt_text(book) } else { None },
        counted: opt_text(counted),
        variance: var.filter(|_| figures).map(|(v, _)| from_milli(v)),
        variance_value_minor: var.filter(|_| figures).map(|(_, m)| m),
        counted_at: row::opt_text(r, "counted_at")?,
    };
    Ok((l, var))
}

/// The lines of a count and its summary.
async fn lines(
    conn: &mut AnyConnection,
    id: &str,
    figures: bool,
) -> StoreResult<(Vec<CountLine>, CountSummary)> {
    let mut q = Sql::new(LINES);
    q.bind(id.to_string());
    q.push(" ORDER BY p.sku");
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut s = Summary::default();
    for r in &rows {
        let (l, var) = line(r, figures)?;
        s.add(var);
        out.push(l);
    }
    Ok((out, s.shown(figures)))
}

/// Summary figures before blinding.
#[derive(Default)]
struct Summary {
    lines: i64,
    counted: i64,
    variance_lines: i64,
    variance_value: i64,
}

impl Summary {
    fn add(&mut self, var: Option<(i64, i64)>) {
        self.lines += 1;
        if let Some((v, m)) = var {
            self.counted += 1;
            if v != 0 {
                self.variance_lines += 1;
            }
            self.variance_value += m;
        }
    }

    fn shown(self, figures: bool) -> CountSummary {
        CountSummary {
            lines: self.lines,
            counted: self.counted,
            variance_lines: figures.then_some(self.variance_lines),
            variance_value_minor: figures.then_some(self.variance_value),
        }
    }
}

/// Summaries of several counts in one query (the list), each line's value rounded as
/// [`levels::value`] rounds it.
async fn summaries(
    conn: &mut AnyConnection,
    ids: &[String],
) -> StoreResult<HashMap<String, Summary>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new(
        "SELECT l.count_id, COUNT(*) AS lines, \
         CAST(SUM(CASE WHEN l.counted_milli IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS counted, \
         CAST(SUM(CASE WHEN l.counted_milli IS NOT NULL AND l.counted_milli <> l.book_milli THEN 1 ELSE 0 END) AS BIGINT) AS variance_lines, \
         CAST(COALESCE(SUM(CASE WHEN l.counted_milli IS NULL THEN 0 ELSE \
           ((l.counted_milli - l.book_milli) * COALESCE(pc.avg_cost_minor, p.cost_price_minor) \
            + CASE WHEN l.counted_milli < l.book_milli THEN -500 ELSE 500 END) / 1000 END), 0) AS BIGINT) AS variance_value \
         FROM stock_count_lines l JOIN products p ON p.id = l.product_id \
         LEFT JOIN product_costs pc ON pc.product_id = l.product_id WHERE l.count_id IN ",
    );
    q.bind_list(ids).push(" GROUP BY l.count_id");
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut *conn).await? {
        out.insert(
            row::text(&r, "count_id")?,
            Summary {
                lines: row::int(&r, "lines")?,
                counted: row::int(&r, "counted")?,
                variance_lines: row::int(&r, "variance_lines")?,
                variance_value: row::int(&r, "variance_value")?,
            },
        );
    }
    Ok(out)
}

/// The header of a count the caller may see (its location in scope), else `NotFound`. With
/// `lock`, PostgreSQL locks the row until the transaction ends, so entries, approval and
/// cancellation of one count happen one after the other.
async fn load_header(
    conn: &mut AnyConnection,
    backend: Backend,
    p: &Principal,
    id: &str,
    lock: bool,
) -> StoreResult<StockCount> {
    let mut q = Sql::new(HEADER);
    q.bind(p.company_id.to_string())
        .push(" AND c.id = ")
        .bind(id.to_string());
    if lock && backend == Backend::Postgres {
        q.push(" FOR UPDATE OF c");
    }
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let c = header(&r)?;
    if !locations::sees(p, &c.location_id) {
        return Err(StoreError::NotFound);
    }
    Ok(c)
}

/// A whole count with its lines, read on `conn` (the pool or the action's transaction).
async fn read(
    conn: &mut AnyConnection,
    backend: Backend,
    p: &Principal,
    id: &str,
) -> StoreResult<StockCount> {
    let mut c = load_header(conn, backend, p, id, false).await?;
    let (l, s) = lines(conn, &c.id, sees_figures(p, c.blind)).await?;
    c.lines = l;
    c.summary = s;
    Ok(c)
}

/// One count with its lines, if its location is in the caller's scope.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<StockCount> {
    let mut conn = db.pool.acquire().await?;
    read(&mut conn, db.backend, p, id).await
}

/// Counts of the locations in scope, newest first, with their summaries (without lines).
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &CountFilter,
    page: &PageRequest,
) -> StoreResult<Page<StockCount>> {
    let mut q = Sql::new(HEADER);
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "c.location_id");
    if let Some(l) = &f.location_id {
        q.push(" AND c.location_id = ").bind(l.clone());
    }
    if let Some(s) = f.status {
        q.push(" AND c.status = ").bind(s.as_str().to_string());
    }
    if let Some(after) = &page.after {
        q.push(" AND c.id < ").bind(after.clone());
    }
    q.push(" ORDER BY c.id DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let mut conn = db.pool.acquire().await?;
    let rows = sqlx::query_with(&sql, args).fetch_all(&mut *conn).await?;
    let mut counts = rows.iter().map(header).collect::<StoreResult<Vec<_>>>()?;
    let ids: Vec<String> = counts.iter().map(|c| c.id.clone()).collect();
    let mut sums = summaries(&mut conn, &ids).await?;
    for c in &mut counts {
        let figures = sees_figures(p, c.blind);
        c.summary = sums.remove(&c.id).unwrap_or_default().shown(figures);
    }
    Ok(page.page(counts, |c| c.id.clone()))
}

/// The category and all its descendants (the category must belong to the company).
async fn category_tree(
    conn: &mut AnyConnection,
    p: &Principal,
    root: &str,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT id, parent_id FROM categories WHERE company_id = $1")
        .bind(p.company_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut children: HashMap<Option<String>, Vec<String>> = HashMap::new();
    let mut known = false;
    for r in &rows {
        let id = row::text(r, "id")?;
        known |= id == root;
        children
            .entry(row::opt_text(r, "parent_id")?)
            .or_default()
            .push(id);
    }
    if !known {
        return Err(StoreError::invalid(
            "/category_id",
            "not_found",
            "no such category",
        ));
    }
    let mut out = vec![root.to_string()];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&Some(out[i].clone())) {
            out.extend(
                c.iter()
                    .filter(|c| !out.contains(c))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        i += 1;
    }
    Ok(out)
}

/// Starts a count at a location: numbers it and takes the expected figures now. A full count
/// of tens of thousands of products is one `INSERT … SELECT`.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &CountInput,
    idem: Option<&IdemLock>,
) -> StoreResult<StockCount> {
    let mut v = Validator::new();
    v.text("/notes", &input.notes, 0, 500);
    let mut ids: Vec<String> = Vec::new();
    match input.scope {
        CountScope::Category if input.category_id.is_none() => {
            v.add("/category_id", "required", "the category to count");
        }
        CountScope::List => match &input.product_ids {
            Some(list) if !list.is_empty() && list.len() <= MAX_LIST => {
                for (i, id) in list.iter().enumerate() {
                    if ids.contains(id) {
                        v.add(format!("/product_ids/{i}"), "duplicate", "listed twice");
                    }
                    ids.push(id.clone());
                }
            }
            _ => v.add("/product_ids", "out_of_range", "from 1 to 5,000 products"),
        },
        _ => {}
    }
    v.finish().map_err(StoreError::Invalid)?;
    let loc = locations::load(&db.pool, p, &input.location_id, true).await?;
    let company = p.company_id.to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    let now = clock::now();
    let number = super::numbers::next(&mut tx, &company, "SC").await?;
    let category = match input.scope {
        CountScope::Category => input.category_id.clone(),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO stock_counts (id, company_id, number, location_id, scope, category_id, blind, status, \
         notes, snapshot_at, created_by, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, 1, $9)",
    )
    .bind(&id)
    .bind(&company)
    .bind(&number)
    .bind(&loc.id)
    .bind(input.scope.as_str())
    .bind(category.clone())
    .bind(input.blind as i64)
    .bind(input.notes.trim())
    .bind(&now)
    .bind(&p.id)
    .execute(&mut *tx)
    .await?;
    let lines = match input.scope {
        CountScope::List => {
            let mut found: HashMap<String, i64> = HashMap::new();
            let mut q = Sql::new("SELECT id FROM products WHERE company_id || '' = ");
            q.bind(company.clone()).push(" AND id IN ").bind_list(&ids);
            let (sql, args) = q.build();
            for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
                found.insert(row::text(&r, "id")?, 0);
            }
            let mut v = Validator::new();
            for (i, pid) in ids.iter().enumerate() {
                if !found.contains_key(pid) {
                    v.add(format!("/product_ids/{i}"), "not_found", "no such product");
                }
            }
            v.finish().map_err(StoreError::Invalid)?;
            let mut q =
                Sql::new("SELECT product_id, on_hand_milli FROM stock_levels WHERE location_id = ");
            q.bind(loc.id.clone())
                .push(" AND product_id IN ")
                .bind_list(&ids);
            let (sql, args) = q.build();
            for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
                found.insert(row::text(&r, "product_id")?, row::int(&r, "on_hand_milli")?);
            }
            let rows: Vec<Vec<Val>> = ids
                .iter()
                .map(|pid| {
                    vec![
                        Val::from(id.as_str()),
                        pid.as_str().into(),
                        found.get(pid).copied().unwrap_or(0).into(),
                    ]
                })
                .collect();
            bulk::insert(
                &mut tx,
                "INSERT INTO stock_count_lines (count_id, product_id, expected_milli) VALUES ",
                &rows,
                "",
            )
            .await?;
            rows.len() as u64
        }
        scope => {
            let mut q = Sql::new(
                "INSERT INTO stock_count_lines (count_id, product_id, expected_milli) \
                 SELECT ",
            );
            q.bind(id.clone())
                .push(
                    ", p.id, COALESCE(sl.on_hand_milli, 0) FROM products p \
                       LEFT JOIN stock_levels sl ON sl.location_id = ",
                )
                .bind(loc.id.clone())
                .push(" AND sl.product_id = p.id WHERE p.company_id = ")
                .bind(company.clone())
                .push(" AND (p.status = 'active' OR COALESCE(sl.on_hand_milli, 0) <> 0)");
            if scope == CountScope::Category {
                let tree =
                    category_tree(&mut tx, p, category.as_deref().unwrap_or_default()).await?;
                q.push(" AND p.category_id IN ").bind_list(&tree);
            }
            let (sql, args) = q.build();
            sqlx::query_with(&sql, args)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        }
    };
    if lines == 0 {
        return Err(StoreError::invalid(
            "/scope",
            "empty",
            "there are no products to count",
        ));
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "stock_count.created", "stock_count", &id)
            .store(&loc.id)
            .details(serde_json::json!({
                "number": number, "scope": input.scope.as_str(), "category_id": category,
                "blind": input.blind, "lines": lines,
            })),
    )
    .await?;
    let count = read(&mut tx, db.backend, p, &id).await?;
    idempotency::finish(&mut tx, idem, 201, &count).await?;
    tx.commit().await?;
    Ok(count)
}

/// Records counted figures on an open count. Each touched line takes the book figure of this
/// moment (the levels are locked and read in this transaction), so sales since the snapshot
/// are in the book and not in the variance. A product that is not in the count, or an
/// unknown barcode, refuses the whole request. Answers the whole count (the counting screen
/// shows every line and its progress).
pub async fn enter(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &EntriesInput,
    idem: Option<&IdemLock>,
) -> StoreResult<StockCount> {
    let mut v = Validator::new();
    if input.lines.is_empty() || input.lines.len() > MAX_LIST {
        v.add("/lines", "out_of_range", "from 1 to 5,000 lines");
    }
    let mut parsed = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let field = format!("/lines/{i}/quantity");
        let q = match l.mode {
            EntryMode::Set => quantity::non_negative(&mut v, &field, &l.quantity),
            EntryMode::Add => quantity::positive(&mut v, &field, &l.quantity),
        };
        match (&l.product_id, &l.barcode) {
            (Some(_), None) | (None, Some(_)) => {}
            _ => v.add(
                format!("/lines/{i}/product_id"),
                "required",
                "either product_id or barcode",
            ),
        }
        parsed.push(q);
    }
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let c = load_header(&mut tx, db.backend, p, id, true).await?;
    c.status.may_count()?;
    // Barcodes to products.
    let codes: Vec<String> = input
        .lines
        .iter()
        .filter_map(|l| l.barcode.as_ref().map(|b| b.trim().to_string()))
        .collect();
    let mut by_code: HashMap<String, String> = HashMap::new();
    if !codes.is_empty() {
        let mut q = Sql::new("SELECT code, product_id FROM barcodes WHERE company_id = ");
        q.bind(p.company_id.to_string())
            .push(" AND code IN ")
            .bind_list(&codes);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
            by_code.insert(row::text(&r, "code")?, row::text(&r, "product_id")?);
        }
    }
    let mut v = Validator::new();
    let mut products: Vec<Option<String>> = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        match (&l.product_id, &l.barcode) {
            (Some(pid), _) => products.push(Some(pid.clone())),
            (None, Some(code)) => match by_code.get(code.trim()) {
                Some(pid) => products.push(Some(pid.clone())),
                None => {
                    v.add(
                        format!("/lines/{i}/barcode"),
                        "not_found",
                        "no product has this barcode",
                    );
                    products.push(None);
                }
            },
            _ => products.push(None),
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let mut wanted: Vec<String> = products.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    // The lines being counted, as they stand.
    let mut current: BTreeMap<String, (i64, Option<i64>)> = BTreeMap::new();
    let mut q = Sql::new(
        "SELECT product_id, expected_milli, counted_milli FROM stock_count_lines WHERE count_id = ",
    );
    q.bind(c.id.clone())
        .push(" AND product_id IN ")
        .bind_list(&wanted);
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
        current.insert(
            row::text(&r, "product_id")?,
            (
                row::int(&r, "expected_milli")?,
                row::opt_int(&r, "counted_milli")?,
            ),
        );
    }
    let mut v = Validator::new();
    for (i, (l, pid)) in input.lines.iter().zip(&products).enumerate() {
        if let Some(pid) = pid
            && !current.contains_key(pid)
        {
            let field = if l.product_id.is_some() {
                "product_id"
            } else {
                "barcode"
            };
            v.add(
                format!("/lines/{i}/{field}"),
                "not_in_count",
                "this product is not in the count",
            );
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    for ((l, pid), q) in input.lines.iter().zip(&products).zip(&parsed) {
        let Some(entry) = pid.as_ref().and_then(|pid| current.get_mut(pid)) else {
            continue;
        };
        entry.1 = Some(match l.mode {
            EntryMode::Set => *q,
            EntryMode::Add => entry.1.unwrap_or(0) + q,
        });
    }
    let book = post::on_hand(&mut tx, &c.location_id, &wanted).await?;
    let now = clock::now();
    let rows: Vec<Vec<Val>> = current
        .iter()
        .map(|(pid, (expected, counted))| {
            vec![
                Val::from(c.id.as_str()),
                pid.as_str().into(),
                (*expected).into(),
                (*counted).into(),
                book.get(pid).copied().unwrap_or(0).into(),
                p.id.as_str().into(),
                now.as_str().into(),
            ]
        })
        .collect();
    bulk::insert(
        &mut tx,
        "INSERT INTO stock_count_lines (count_id, product_id, expected_milli, counted_milli, book_milli, \
         counted_by, counted_at) VALUES ",
        &rows,
        " ON CONFLICT (count_id, product_id) DO UPDATE SET counted_milli = excluded.counted_milli, \
         book_milli = excluded.book_milli, counted_by = excluded.counted_by, counted_at = excluded.counted_at",
    )
    .await?;
    let version = c.version + 1;
    sqlx::query("UPDATE stock_counts SET version = $1, updated_at = $2 WHERE id = $3")
        .bind(version)
        .bind(&now)
        .bind(&c.id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "stock_count.counted", "stock_count", &c.id)
            .store(&c.location_id)
            .details(serde_json::json!({"number": c.number, "lines": input.lines.len()})),
    )
    .await?;
    let count = read(&mut tx, db.backend, p, &c.id).await?;
    idempotency::finish(&mut tx, idem, 200, &count).await?;
    tx.commit().await?;
    Ok(count)
}

/// Locks the count, checks the caller's version and the transition, and moves it to the new
/// state; returns the header as it was.
async fn transition(
    tx: &mut Tx,
    p: &Principal,
    id: &str,
    input: &CountActionInput,
    action: fn(CountStatus) -> Result<CountStatus, Transition>,
) -> StoreResult<(StockCount, CountStatus)> {
    let mut v = Validator::new();
    let version = crate::crud::require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let backend = tx.backend;
    let c = load_header(tx, backend, p, id, true).await?;
    if c.version != version {
        return Err(StoreError::VersionConflict);
    }
    let next = action(c.status)?;
    let now = clock::now();
    let mut q = Sql::new("UPDATE stock_counts SET status = ");
    q.bind(next.as_str().to_string());
    match next {
        CountStatus::Submitted => {
            q.push(", submitted_by = ").bind(p.id.clone());
            q.push(", submitted_at = ").bind(now.clone());
        }
        CountStatus::Approved => {
            q.push(", approved_by = ").bind(p.id.clone());
            q.push(", approved_at = ").bind(now.clone());
        }
        // The canceller is in the audit trail.
        _ => {}
    }
    q.push(", version = version + 1, updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(c.id.clone())
        .push(" AND version = ")
        .bind(version);
    let (sql, args) = q.build();
    let done = sqlx::query_with(&sql, args).execute(&mut **tx).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::VersionConflict);
    }
    Ok((c, next))
}

/// Counting is done; the count waits for a manager's approval.
pub async fn submit(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &CountActionInput,
    idem: Option<&IdemLock>,
) -> StoreResult<StockCount> {
    let mut tx = db.begin().await?;
    let (c, _) = transition(&mut tx, p, id, input, CountStatus::submit).await?;
    let summary = summaries(&mut tx, std::slice::from_ref(&c.id))
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    audit::append(
        &mut tx,
        AuditEntry::by(p, "stock_count.submitted", "stock_count", &c.id)
            .store(&c.location_id)
            .details(serde_json::json!({
                "number": c.number, "lines": summary.lines, "counted": summary.counted,
            })),
    )
    .await?;
    finish(db, tx, p, &c.id, idem).await
}

/// Accepts the variances: posts `counted − book` of every counted line as a `count` movement
/// at the moving-average cost, in the approval's transaction. Uncounted lines stay as they are.
pub async fn approve(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &CountActionInput,
    idem: Option<&IdemLock>,
) -> StoreResult<StockCount> {
    let mut tx = db.begin().await?;
    let (c, _) = transition(&mut tx, p, id, input, CountStatus::approve).await?;
    let rows = sqlx::query(
        "SELECT l.product_id, l.counted_milli, l.book_milli, COALESCE(pc.avg_cost_minor, p.cost_price_minor) AS cost \
         FROM stock_count_lines l JOIN products p ON p.id = l.product_id \
         LEFT JOIN product_costs pc ON pc.product_id = l.product_id \
         WHERE l.count_id = $1 AND l.counted_milli IS NOT NULL AND l.counted_milli <> l.book_milli \
         ORDER BY l.product_id",
    )
    .bind(&c.id)
    .fetch_all(&mut *tx)
    .await?;
    let mut moves = Vec::with_capacity(rows.len());
    let mut value = 0i64;
    for r in &rows {
        let delta = row::int(r, "counted_milli")? - row::int(r, "book_milli")?;
        let cost = row::int(r, "cost")?;
        value += levels::value(delta, cost);
        moves.push(Movement {
            location_id: c.location_id.clone(),
            product_id: row::text(r, "product_id")?,
            kind: "count",
            quantity_milli: delta,
            unit_cost_minor: cost,
            ref_type: "stock_count",
            ref_id: c.id.clone(),
            ref_line: None,
        });
    }
    post::post(&mut tx, p, &moves, &[]).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "stock_count.approved", "stock_count", &c.id)
            .store(&c.location_id)
            .details(serde_json::json!({
                "number": c.number, "variance_lines": moves.len(), "variance_value_minor": value,
            })),
    )
    .await?;
    finish(db, tx, p, &c.id, idem).await
}

/// Abandons a count; nothing is posted.
pub async fn cancel(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &CountActionInput,
    idem: Option<&IdemLock>,
) -> StoreResult<StockCount> {
    let reason = input.reason.as_deref().unwrap_or("").trim().to_string();
    let mut v = Validator::new();
    v.text("/reason", &reason, 0, 200);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let (c, _) = transition(&mut tx, p, id, input, CountStatus::cancel).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "stock_count.cancelled", "stock_count", &c.id)
            .store(&c.location_id)
            .details(serde_json::json!({"number": c.number, "reason": reason})),
    )
    .await?;
    finish(db, tx, p, &c.id, idem).await
}

/// Reads the count back in the action's transaction, records the idempotent answer, commits.
async fn finish(
    db: &Db,
    mut tx: Tx,
    p: &Principal,
    id: &str,
    idem: Option<&IdemLock>,
) -> StoreResult<StockCount> {
    let count = read(&mut tx, db.backend, p, id).await?;
    idempotency::finish(&mut tx, idem, 200, &count).await?;
    tx.commit().await?;
    db.notify();
    Ok(count)
}
