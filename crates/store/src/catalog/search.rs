//! Finding products the way a cashier does: by scanning (barcode or scale label) or by typing
//! a few characters — SKU, Chinese or English name, pinyin initials (`kkkl`) or full pinyin
//! (`kekou`). Candidates come from a trigram index (SQLite FTS5 `trigram`, PostgreSQL
//! `pg_trgm`); ranking happens here: exact code first, then prefix, then substring.

use super::barcode_lookups::BarcodeLookups;
use super::products::{self, Product, ProductFilter, push_filter};
use super::scale_formats;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::scale::ScaleValueKind;
use salepoint_domain::catalog::search_key::normalize_query;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// How many trigram-index candidates SQLite ranks for one query (all ranks come from them).
const CANDIDATES: i64 = 300;

/// How many trigram-index candidates PostgreSQL ranks after the prefix keys: substring hits
/// only (rank 3), whose order among themselves is name length — any 100 of tens of thousands
/// serve as well as 300, at a third of the rows read.
const SUBSTRING_CANDIDATES: i64 = 100;

/// Products matching `q`, best first, at most `limit`.
///
/// Candidates are exact codes, on PostgreSQL up to `limit` products per key that starts with
/// the query, and up to [`CANDIDATES`] trigram-index hits ([`SUBSTRING_CANDIDATES`] on
/// PostgreSQL, only when the prefixes do not fill the page). They are ranked on their search
/// text only (SKU, names and pinyin keys, no pinyin computed here); the full rows (with
/// barcodes and currency) are read for the `limit` best, in one statement.
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
    // The query is the text; a filter's own text (exports) does not apply here.
    let f = &ProductFilter {
        text: None,
        ..f.clone()
    };
    let limit = limit.max(1);
    let company = p.company_id.to_string();
    // SKUs are matched as typed or upper-cased (an index lookup, unlike LOWER(sku)).
    let typed = q.trim().replace(['%', '_', '\\', '"'], "");
    let pattern = format!("%{query}%");
    // Every candidate is read as its id and search text only: the text holds the lower-cased
    // SKU and names and the pinyin keys, all the ranking needs. They come back as one JSON
    // array in one row: each row through the driver costs more than SQLite's work to find it
    // (docs/benchmarks.md, Catalog, session 6).
    let hits = json_rows(db.backend, "id, search_text, hit_kind");
    let rows = match db.backend {
        Backend::Sqlite => {
            let mut sql = Sql::new(&format!("SELECT {hits} AS hits FROM ("));
            push_exact_arms(&mut sql, &company, &typed, &query, f);
            // Drive the join from the trigram index (CROSS JOIN fixes the order): left to
            // itself the planner may walk every product of the company instead. The text
            // comes from the index's own copy, which the LIKE has just read.
            sql.push(
                " UNION ALL SELECT * FROM (SELECT products.id, hits.text AS search_text, 't' AS hit_kind \
                 FROM (SELECT rowid AS hit, search_text AS text FROM product_search WHERE search_text LIKE ",
            )
            .bind(pattern)
            .push(" LIMIT ")
            .bind(CANDIDATES * 2)
            .push(") AS hits CROSS JOIN products ON products.rowid = hits.hit WHERE products.company_id = ")
            .bind(company);
            push_filter(&mut sql, f);
            sql.push(" LIMIT ")
                .bind(CANDIDATES)
                .push(") AS text_hits) AS candidates");
            candidates(db, sql).await?
        }
        Backend::Postgres => {
            // Exact codes and up to `limit` products per key that starts with the query (ranks
            // 0-2), from B-tree ranges, in a function that keeps its plan (migration 0019).
            let mut sql = Sql::new(&format!(
                "SELECT {hits} AS hits FROM product_search_prefix("
            ));
            sql.bind(company.clone())
                .push(", ")
                .bind(typed)
                .push(", ")
                .bind(query.clone())
                .push(", ")
                .bind(limit)
                .push(", ")
                .bind(f.categories.as_ref().map(|c| c.join(",")))
                .push(", ")
                .bind(f.brand.clone())
                .push(", ")
                .bind(f.status.map(|s| s.as_str().to_string()))
                .push(")");
            let mut rows = candidates(db, sql).await?;
            // The trigram index only when they do not fill the page: substring hits (rank 3)
            // cannot outrank them. Its plan (a scan that stops at the first hits, or a bitmap
            // of the index) depends on how common the query is, so it is planned each time.
            let found: HashSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
            if (found.len() as i64) < limit {
                let mut sql = Sql::new(&format!(
                    "SELECT {hits} AS hits FROM (SELECT id, search_text, 't' AS hit_kind \
                     FROM products WHERE search_text LIKE "
                ));
                sql.bind(pattern).push(" AND company_id = ").bind(company);
                push_filter(&mut sql, f);
                sql.push(" LIMIT ")
                    .bind(SUBSTRING_CANDIDATES)
                    .push(") AS text_hits");
                rows.extend(candidates(db, sql).await?);
            }
            rows
        }
    };
    // (rank, name length, SKU, id) per product; an exact code outranks its text hit.
    let mut ranked: Vec<(u8, usize, String, String)> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (id, text, kind) in rows {
        let exact = kind == "e";
        if let Some(&i) = seen.get(&id) {
            if exact {
                ranked[i].0 = 0;
            }
            continue;
        }
        let keys = Keys::of(&text);
        let rank = if exact { 0 } else { keys.rank(&query) };
        seen.insert(id.clone(), ranked.len());
        ranked.push((rank, keys.name_zh.chars().count(), keys.sku.to_string(), id));
    }
    ranked.sort();
    ranked.truncate(limit as usize);
    let ids: Vec<String> = ranked.into_iter().map(|c| c.3).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut found = products::fetch_joined(db, p.company_id, |s| {
        s.push("p.id IN ").bind_list(&ids);
    })
    .await?;
    found.sort_by_key(|x| ids.iter().position(|id| *id == x.id));
    Ok(found)
}

/// Runs a candidate statement: (id, search text, hit kind) rows as one JSON array.
async fn candidates(db: &Db, sql: Sql) -> StoreResult<Vec<(String, String, String)>> {
    let (text, args) = sql.build();
    let r = sqlx::query_with(&text, args).fetch_one(&db.pool).await?;
    serde_json::from_str(&row::text(&r, "hits")?).map_err(|e| StoreError::Internal(e.to_string()))
}

/// Appends the arms of exact codes — a scanned barcode, a typed SKU — marked `e` (rank 0)
/// (SQLite; PostgreSQL's are in `product_search_prefix`).
fn push_exact_arms(sql: &mut Sql, company: &str, typed: &str, query: &str, f: &ProductFilter) {
    sql.push("SELECT id, search_text, 'e' AS hit_kind FROM products WHERE company_id = ")
        .bind(company.to_string())
        // A scalar subquery (the barcode key is unique): with `IN` SQLite may walk the
        // company's products instead.
        .push(" AND id = (SELECT product_id FROM barcodes WHERE company_id = ")
        .bind(company.to_string())
        .push(" AND code = ")
        .bind(typed.to_string())
        .push(")");
    push_filter(sql, f);
    sql.push(
        " UNION ALL SELECT id, search_text, 'e' AS hit_kind FROM products WHERE company_id = ",
    )
    .bind(company.to_string())
    .push(" AND sku IN (")
    .bind(typed.to_string())
    .push(", ")
    .bind(typed.to_uppercase())
    .push(", ")
    .bind(query.to_string())
    .push(")");
    push_filter(sql, f);
}

/// An aggregate that returns the rows of `columns` as one JSON array of arrays (text; `[]`
/// when there are none).
pub(crate) fn json_rows(backend: Backend, columns: &str) -> String {
    match backend {
        // The cast tells sqlx the column's type, which it cannot infer through a compound
        // select.
        Backend::Sqlite => format!("CAST(json_group_array(json_array({columns})) AS TEXT)"),
        Backend::Postgres => {
            format!("COALESCE(json_agg(json_build_array({columns})), '[]'::json)::text")
        }
    }
}

/// The parts of a product's search text (`sku | name_zh | name_en | pinyin | initials`, see
/// `product_search_text`), all lower-case. The pinyin keys hold no spaces, so they are read
/// from the end; a name that itself contains ` | ` only blurs its own rank.
struct Keys<'a> {
    sku: &'a str,
    name_zh: &'a str,
    name_en: &'a str,
    full: &'a str,
    initials: &'a str,
}

impl<'a> Keys<'a> {
    fn of(text: &'a str) -> Keys<'a> {
        let mut front = text.splitn(4, " | ");
        let (sku, name_zh, name_en) = (
            front.next().unwrap_or(""),
            front.next().unwrap_or(""),
            front.next().unwrap_or(""),
        );
        let mut back = text.rsplitn(3, " | ");
        let (initials, full) = (back.next().unwrap_or(""), back.next().unwrap_or(""));
        Keys {
            sku,
            name_zh,
            name_en,
            full,
            initials,
        }
    }

    /// 1 name or SKU starts with the query, 2 pinyin starts with it, 3 contains (0, an exact
    /// code, is decided by the caller).
    fn rank(&self, q: &str) -> u8 {
        if [self.sku, self.name_zh, self.name_en]
            .iter()
            .any(|s| s.starts_with(q))
        {
            1
        } else if self.full.starts_with(q) || self.initials.starts_with(q) {
            2
        } else {
            3
        }
    }
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
pub async fn scan(
    db: &Db,
    lookups: &BarcodeLookups,
    p: &Principal,
    code: &str,
) -> StoreResult<ScanResult> {
    let code = code.trim();
    // The product behind a barcode, with all its barcodes and the currency: one statement,
    // shared with the scans of other registers arriving meanwhile.
    if let Some(product) = lookups.product(p.company_id, code).await? {
        return Ok(ScanResult {
            product,
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

#[cfg(test)]
mod tests {
    use super::Keys;
    use salepoint_domain::catalog::search_key::product_search_text;

    #[test]
    fn ranks_from_the_search_text() {
        let text = product_search_text("KO-500", "可口可乐 500ml", "Coca-Cola 500ml");
        let k = Keys::of(&text);
        assert_eq!(
            (k.sku, k.name_zh, k.name_en, k.full, k.initials),
            (
                "ko-500",
                "可口可乐 500ml",
                "coca-cola 500ml",
                "kekoukele500ml",
                "kkkl500ml"
            )
        );
        assert_eq!(k.rank("ko-"), 1);
        assert_eq!(k.rank("可口"), 1);
        assert_eq!(k.rank("coc"), 1);
        assert_eq!(k.rank("kek"), 2);
        assert_eq!(k.rank("kkk"), 2);
        assert_eq!(k.rank("ola"), 3);
        // A name with the separator in it blurs only the names; the pinyin keys still hold.
        let odd = product_search_text("X1", "甲 | 乙", "a | b");
        let k = Keys::of(&odd);
        assert_eq!((k.sku, k.full, k.initials), ("x1", "jia|yi", "j|y"));
        assert_eq!(k.rank("j|y"), 2);
    }
}
