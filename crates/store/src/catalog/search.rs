//! Finding products the way a cashier does: by scanning (barcode or scale label) or by typing
//! a few characters — SKU, Chinese or English name, pinyin initials (`kkkl`) or full pinyin
//! (`kekou`). Candidates come from a trigram index (SQLite FTS5 `trigram`, PostgreSQL
//! `pg_trgm`); ranking happens here: exact code first, then prefix, then substring.

use super::products::{self, Product, ProductFilter, push_filter};
use super::scale_formats;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::scale::ScaleValueKind;
use salepoint_domain::catalog::search_key::{normalize_query, pinyin_keys};
use serde::Serialize;
use utoipa::ToSchema;

/// How many index candidates are ranked for one query.
const CANDIDATES: i64 = 300;

/// Products matching `q`, best first, at most `limit`.
pub async fn search(
    db: &Db,
    p: &Principal,
    q: &str,
    f: &ProductFilter,
    limit: i64,
) -> StoreResult<Vec<Product>> {
    let query = normalize_query(q).replace(['%', '_', '\\', '"'], "");
    if query.is_empty() {
        return Ok(vec![]);
    }
    let company = p.company_id.to_string();
    // Exact codes first: a scanned barcode or a typed SKU.
    let mut exact: Vec<String> = Vec::new();
    // SKUs are matched as typed or upper-cased (an index lookup, unlike LOWER(sku)).
    let typed = q.trim().replace(['%', '_', '\\', '"'], "");
    let by_code = sqlx::query(
        "SELECT product_id AS id FROM barcodes WHERE company_id = $1 AND code = $2 \
         UNION SELECT id FROM products WHERE company_id = $1 AND sku IN ($2, $3, $4)",
    )
    .bind(&company)
    .bind(&typed)
    .bind(typed.to_uppercase())
    .bind(&query)
    .fetch_all(&db.pool)
    .await?;
    for r in &by_code {
        exact.push(row::text(r, "id")?);
    }
    let pattern = format!("%{query}%");
    let mut sql = match db.backend {
        Backend::Sqlite => {
            // Drive the join from the trigram index (CROSS JOIN fixes the order): left to
            // itself the planner may walk every product of the company instead.
            let mut s = Sql::new(
                "SELECT products.* FROM (SELECT rowid AS hit FROM product_search WHERE search_text LIKE ",
            );
            s.bind(pattern).push(" LIMIT ").bind(CANDIDATES * 4);
            s.push(") AS hits CROSS JOIN products ON products.rowid = hits.hit WHERE products.company_id = ")
                .bind(company.clone());
            s
        }
        Backend::Postgres => {
            let mut s = Sql::new("SELECT * FROM products WHERE search_text LIKE ");
            s.bind(pattern)
                .push(" AND company_id = ")
                .bind(company.clone());
            s
        }
    };
    push_filter(&mut sql, f);
    if !exact.is_empty() {
        sql.push(" UNION SELECT * FROM products WHERE id IN ")
            .bind_list(&exact);
        sql.push(" AND company_id = ").bind(company.clone());
        push_filter(&mut sql, f);
    }
    sql.push(" LIMIT ").bind(CANDIDATES);
    let (text, args) = sql.build();
    let rows = sqlx::query_with(&text, args).fetch_all(&db.pool).await?;
    let mut found = products::hydrate(db, p.company_id, &rows).await?;
    found.sort_by_cached_key(|x| {
        (
            rank(x, &query, &exact),
            x.name_zh.chars().count(),
            x.sku.clone(),
        )
    });
    found.truncate(limit.max(1) as usize);
    Ok(found)
}

/// 0 exact code, 1 name or SKU starts with the query, 2 pinyin starts with it, 3 contains.
fn rank(p: &Product, q: &str, exact: &[String]) -> u8 {
    if exact.contains(&p.id) {
        return 0;
    }
    let starts = |s: &str| s.to_lowercase().starts_with(q);
    if starts(&p.sku) || starts(&p.name_zh) || starts(&p.name_en) {
        return 1;
    }
    let (full, initials) = pinyin_keys(&p.name_zh);
    if full.starts_with(q) || initials.starts_with(q) {
        return 2;
    }
    3
}

/// What a scanned code is.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScanResult {
    pub product: Product,
    /// `barcode` or `scale`.
    pub source: String,
    /// The weighed quantity in the product's unit (kg: 3 decimals), from a weight label.
    pub quantity: Option<String>,
    /// The weight in grams, from a weight label.
    pub weight_grams: Option<i64>,
    /// The price printed by the scale, from a price label.
    pub price_minor: Option<i64>,
}

/// Resolves a scanned code: a product barcode, or a label of one of the scale formats.
pub async fn scan(db: &Db, p: &Principal, code: &str) -> StoreResult<ScanResult> {
    let code = code.trim();
    let r = sqlx::query("SELECT product_id FROM barcodes WHERE company_id = $1 AND code = $2")
        .bind(p.company_id.to_string())
        .bind(code)
        .fetch_optional(&db.pool)
        .await?;
    if let Some(r) = r {
        return Ok(ScanResult {
            product: products::get(db, p, &row::text(&r, "product_id")?).await?,
            source: "barcode".into(),
            quantity: None,
            weight_grams: None,
            price_minor: None,
        });
    }
    for f in scale_formats::list_for(db, p.company_id)
        .await?
        .into_iter()
        .filter(|f| f.active)
    {
        let Some(reading) = f.rule().parse(code) else {
            continue;
        };
        let plu = reading.plu.trim_start_matches('0');
        let found = sqlx::query("SELECT id FROM products WHERE company_id = $1 AND plu = $2")
            .bind(p.company_id.to_string())
            .bind(if plu.is_empty() { "0" } else { plu })
            .fetch_optional(&db.pool)
            .await?;
        let Some(found) = found else { continue };
        let product = products::get(db, p, &row::text(&found, "id")?).await?;
        let (quantity, weight, price) = match reading.kind {
            ScaleValueKind::Weight => (
                Some(format!(
                    "{}.{:03}",
                    reading.value / 1000,
                    reading.value % 1000
                )),
                Some(reading.value),
                None,
            ),
            ScaleValueKind::Price => (None, None, Some(reading.value)),
        };
        return Ok(ScanResult {
            product,
            source: "scale".into(),
            quantity,
            weight_grams: weight,
            price_minor: price,
        });
    }
    Err(StoreError::NotFound)
}
