//! Segments: RFM scores and named segments of every member (recomputed on demand, set-based so
//! that millions of members take a few passes over their sales and constant memory), saved
//! filters marketing re-runs, and the export of a saved segment's members.
//!
//! The recompute works in three steps: one query finds the quintile cut points of recency,
//! frequency and monetary over all scored members (the database aggregates and sorts; twelve
//! values come back); then the members with sales are scored a range of customer ids at a
//! time by one `UPDATE … FROM (their sales aggregated and scored)` per range — no member
//! travels through the application, and a range's short transaction never holds up sales for
//! long; last, the scores of members who are no longer active are cleared.
//! The scoring rules stay in `salepoint_domain::customers::rfm`: the SQL is generated from
//! its cut-point bands and its table of segments.

use super::tasks::{phone_for, push_customer_scope};
use crate::catalog::export::Format;
use crate::clock;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::customers::rfm::{self, Quintiles, RfmScores, Segment};
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;

/// Sales (of members) per range of the scoring pass: a range is one statement and one short
/// transaction (on SQLite it holds the writer's turn, so sales wait at most that long).
const RANGE_SALES: i64 = 10_000;

/// What a recompute did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecomputeResult {
    /// Members with a score (active, with at least one purchase).
    pub customers: i64,
    pub took_ms: i64,
}

/// 1970-01-01, day 0 of the day numbers recency is cut by.
fn epoch() -> Date {
    Date::from_calendar_date(1970, time::Month::January, 1).expect("a valid date")
}

/// Days since 1970-01-01 of a `YYYY-MM-DD…` text.
fn day_number(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = Date::parse(s.get(..10)?, fmt).ok()?;
    Some((d - epoch()).whole_days())
}

/// The `'YYYY-MM-DD'` SQL literal of a day number (the form `last_day` is compared in).
fn day_literal(n: i64) -> String {
    let d = epoch()
        .checked_add(time::Duration::days(n))
        .unwrap_or(epoch());
    format!(
        "'{:04}-{:02}-{:02}'",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

/// A member's figures from their sales: the last purchase day, purchases (sales, not
/// returns) and net spend.
const FIGURES: &str = "MAX(CASE WHEN kind = 'sale' THEN SUBSTR(created_at, 1, 10) END) AS last_day, \
     CAST(SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END) AS BIGINT) AS freq, \
     CAST(SUM(total_minor) AS BIGINT) AS money";

/// The quintile cut points of the three dimensions over the active members with purchases,
/// and their number. Sales are aggregated first and only then filtered by the (few, indexed)
/// members who are not active, so the customers table is not read.
async fn cut_points(db: &Db, company: &str) -> StoreResult<(i64, [Quintiles; 3])> {
    let agg = format!(
        "WITH agg AS (SELECT customer_id AS id, {FIGURES} \
         FROM sales WHERE company_id = $1 AND customer_id IS NOT NULL GROUP BY customer_id), \
         scored AS (SELECT * FROM agg WHERE freq > 0 AND id NOT IN \
           (SELECT id FROM customers WHERE company_id = $1 AND status <> 'active')), \
         r AS (SELECT last_day, ROW_NUMBER() OVER (ORDER BY last_day) AS rn, COUNT(*) OVER () AS n FROM scored), \
         f AS (SELECT freq, ROW_NUMBER() OVER (ORDER BY freq) AS rn, COUNT(*) OVER () AS n FROM scored), \
         m AS (SELECT money, ROW_NUMBER() OVER (ORDER BY money) AS rn, COUNT(*) OVER () AS n FROM scored) "
    );
    let pick = "rn IN ((n + 4) / 5, (2 * n + 4) / 5, (3 * n + 4) / 5, (4 * n + 4) / 5)";
    let sql = format!(
        "{agg} SELECT 'r' AS dim, last_day AS tv, CAST(0 AS BIGINT) AS iv, CAST(rn AS BIGINT) AS rn, CAST(n AS BIGINT) AS n FROM r WHERE {pick} \
         UNION ALL SELECT 'f', NULL, CAST(freq AS BIGINT), CAST(rn AS BIGINT), CAST(n AS BIGINT) FROM f WHERE {pick} \
         UNION ALL SELECT 'm', NULL, CAST(money AS BIGINT), CAST(rn AS BIGINT), CAST(n AS BIGINT) FROM m WHERE {pick}"
    );
    // PostgreSQL: room for the aggregate and the three sorts in memory (default 4 MB spills
    // them to disk at millions of members), for this statement only.
    let mut tx = db.pool.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SET LOCAL work_mem = '128MB'")
            .execute(&mut *tx)
            .await?;
    }
    let rows = sqlx::query(&sql).bind(company).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let mut n = 0;
    let mut at: HashMap<(String, i64), i64> = HashMap::new();
    for r in &rows {
        n = row::int(r, "n")?;
        let dim = row::text(r, "dim")?;
        let v = if dim == "r" {
            row::opt_text(r, "tv")?
                .as_deref()
                .and_then(day_number)
                .unwrap_or(0)
        } else {
            row::int(r, "iv")?
        };
        at.insert((dim, row::int(r, "rn")?), v);
    }
    let ranks = Quintiles::cut_ranks(n.max(0) as u64);
    let q = |dim: &str| Quintiles {
        cuts: ranks.map(|k| at.get(&(dim.to_string(), k as i64)).copied().unwrap_or(0)),
    };
    Ok((n, [q("r"), q("f"), q("m")]))
}

/// `CASE` scoring `expr` by the bands of `q` (the bounds written by `literal`).
fn score_sql(expr: &str, q: &Quintiles, literal: impl Fn(i64) -> String) -> String {
    let mut s = String::from("CASE");
    for (score, bound) in q.bands() {
        s.push_str(&format!(" WHEN {expr} > {} THEN {score}", literal(bound)));
    }
    s.push_str(" ELSE 1 END");
    s
}

/// `CASE` naming the segment of scores `r`, `f`, `m` (NULL when unscored), tabulated from the
/// domain's rules.
fn segment_sql() -> String {
    let mut codes: Vec<(Segment, Vec<String>)> = Segment::ALL.map(|g| (g, Vec::new())).into();
    for s in RfmScores::all() {
        let g = rfm::segment(s);
        if let Some((_, list)) = codes.iter_mut().find(|(x, _)| *x == g) {
            list.push(format!("{}{}{}", s.recency, s.frequency, s.monetary));
        }
    }
    let mut sql = String::from("CASE");
    for (g, list) in codes.iter().filter(|(_, l)| !l.is_empty()) {
        sql.push_str(&format!(
            " WHEN r * 100 + f * 10 + m IN ({}) THEN '{}'",
            list.join(", "),
            g.as_str()
        ));
    }
    sql.push_str(" END");
    sql
}

/// The statement that scores the active members with purchases whose sales fall in a range of
/// customer ids (`$1` company, `$2` the time, `$3` exclusive lower and `$4` inclusive upper
/// id) into `customer_rfm`, writing only the scores that changed. Members who are not active
/// are dropped through their partial index, so the wide customer rows are never read.
/// `whole` leaves out the range (one statement over all the sales).
fn range_upsert(qr: &Quintiles, qf: &Quintiles, qm: &Quintiles, whole: bool) -> String {
    let range = if whole {
        ""
    } else {
        " AND customer_id > $3 AND customer_id <= $4"
    };
    format!(
        "INSERT INTO customer_rfm (customer_id, company_id, recency, frequency, monetary, segment, computed_at) \
         SELECT customer_id, $1, r, f, m, {segment}, $2 FROM (\
           SELECT customer_id, {r} AS r, {f} AS f, {m} AS m \
           FROM (SELECT customer_id, {FIGURES} FROM sales \
                 WHERE company_id = $1 AND customer_id IS NOT NULL{range} \
                 GROUP BY customer_id) a \
           WHERE freq > 0 AND customer_id NOT IN \
             (SELECT id FROM customers WHERE company_id = $1 AND status <> 'active')) s \
         WHERE true \
         ON CONFLICT (customer_id) DO UPDATE SET recency = excluded.recency, \
           frequency = excluded.frequency, monetary = excluded.monetary, \
           segment = excluded.segment, computed_at = excluded.computed_at \
         WHERE (customer_rfm.recency, customer_rfm.frequency, customer_rfm.monetary, \
           customer_rfm.segment) IS DISTINCT FROM \
           (excluded.recency, excluded.frequency, excluded.monetary, excluded.segment)",
        segment = segment_sql(),
        r = score_sql("last_day", qr, day_literal),
        f = score_sql("freq", qf, |v| v.to_string()),
        m = score_sql("money", qm, |v| v.to_string()),
    )
}

/// Drops the scores of members no longer active (few, found through their partial index).
/// Members who never bought are never scored, and sales are never deleted, so no other score
/// goes stale.
const CLEAR: &str = "DELETE FROM customer_rfm WHERE company_id = $1 AND customer_id IN \
     (SELECT id FROM customers WHERE company_id = $1 AND status <> 'active')";

/// The `(exclusive lower, inclusive upper)` customer id bounds of the next range of about
/// [`RANGE_SALES`] sales after `after`, by the sales' customer index; `None` past the last.
async fn next_range(db: &Db, after: &str) -> StoreResult<Option<String>> {
    let next: Option<String> = sqlx::query_scalar(
        "SELECT customer_id FROM sales WHERE customer_id > $1 ORDER BY customer_id LIMIT 1 OFFSET $2",
    )
    .bind(after)
    .bind(RANGE_SALES - 1)
    .fetch_optional(&db.pool)
    .await?;
    if next.is_some() {
        return Ok(next);
    }
    Ok(
        sqlx::query_scalar("SELECT MAX(customer_id) FROM sales WHERE customer_id > $1")
            .bind(after)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// Recomputes every member's RFM scores and segment (`customers.admin`). Members who are not
/// active or have no purchase have none.
///
/// On SQLite the scores are written a range of members at a time, each range its own short
/// transaction, because every write transaction holds the single writer (a sale waits at most
/// one range). On PostgreSQL one statement scores everyone: it writes only `customer_rfm`,
/// which no sale touches, and one pass over the sales (sequential scan, hash aggregate) is far
/// cheaper than hundreds of range reads through the sales' customer index.
pub async fn recompute(db: &Db, p: &Principal) -> StoreResult<RecomputeResult> {
    let started = std::time::Instant::now();
    let company = p.company_id.to_string();
    let (n, [qr, qf, qm]) = cut_points(db, &company).await?;
    let whole = db.backend == Backend::Postgres;
    let upsert = range_upsert(&qr, &qf, &qm, whole);
    let now = clock::now();
    let mut after = String::new();
    loop {
        let upto = if whole {
            String::new()
        } else {
            match next_range(db, &after).await? {
                Some(id) => id,
                None => break,
            }
        };
        let mut tx = db.begin().await?;
        if db.backend == Backend::Postgres {
            // The aggregate of every member's sales in memory rather than spilled to disk
            // (as for the cut points), and no JIT: compiling the plan cost more than it saved.
            sqlx::query("SET LOCAL work_mem = '128MB'")
                .execute(&mut *tx)
                .await?;
            sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
        }
        let mut q = sqlx::query(&upsert).bind(&company).bind(&now);
        if !whole {
            q = q.bind(&after).bind(&upto);
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        if whole {
            break;
        }
        after = upto;
    }
    let mut tx = db.begin().await?;
    sqlx::query(CLEAR).bind(&company).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(RecomputeResult {
        customers: n,
        took_ms: started.elapsed().as_millis() as i64,
    })
}

/// A saved segment's filter: members matching all of what is given.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentFilter {
    /// Tier code.
    pub tier: Option<String>,
    /// Members carrying every one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// RFM segment (`champions`, `loyal`, …).
    pub segment: Option<String>,
    pub home_store_id: Option<String>,
    /// Net spend over all time at least this.
    pub min_spend_minor: Option<i64>,
    /// Last purchase before this day (`YYYY-MM-DD`, UTC) or RFC 3339 time; members who never
    /// bought are not included.
    pub last_visit_before: Option<String>,
}

/// A saved segment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SavedSegment {
    pub id: String,
    pub name: String,
    pub filter: SegmentFilter,
    pub created_by: String,
    pub created_at: String,
}

/// A saved segment's fields (a change replaces both; the table keeps no version).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    pub name: String,
    pub filter: SegmentFilter,
}

fn from_row(r: &AnyRow) -> StoreResult<SavedSegment> {
    let text = row::text(r, "filter")?;
    Ok(SavedSegment {
        id: row::text(r, "id")?,
        name: row::text(r, "name")?,
        filter: serde_json::from_str(&text)
            .map_err(|e| StoreError::Internal(format!("unreadable segment filter: {e}")))?,
        created_by: row::text(r, "created_by")?,
        created_at: row::text(r, "created_at")?,
    })
}

/// The filter as stored: checked, trimmed, times normalised.
fn validate(input: &SegmentInput) -> StoreResult<SegmentFilter> {
    let mut v = Validator::new();
    v.text("/name", &input.name, 1, 100);
    let f = &input.filter;
    let mut out = f.clone();
    if let Some(t) = &f.tier {
        v.code("/filter/tier", t, 32);
    }
    if f.tags.len() > 20 {
        v.add("/filter/tags", "out_of_range", "at most 20 tags");
    }
    for (i, t) in f.tags.iter().enumerate() {
        v.text(&format!("/filter/tags/{i}"), t, 1, 40);
    }
    if let Some(s) = &f.segment
        && Segment::parse(s).is_none()
    {
        v.add(
            "/filter/segment",
            "invalid_value",
            "champions, loyal, potential, new, at_risk, hibernating or lost",
        );
    }
    if let Some(h) = &f.home_store_id
        && uuid::Uuid::parse_str(h).is_err()
    {
        v.add("/filter/home_store_id", "invalid_format", "a store id");
    }
    if f.min_spend_minor.is_some_and(|m| m < 0) {
        v.add(
            "/filter/min_spend_minor",
            "out_of_range",
            "must not be negative",
        );
    }
    if let Some(t) = &f.last_visit_before {
        if day_number(t).is_some() && t.len() == 10 {
            // a day: kept as is; compares as its UTC midnight
        } else {
            out.last_visit_before =
                super::tasks::parse_time(&mut v, "/filter/last_visit_before", t);
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    out.tier = f.tier.as_ref().map(|t| t.trim().to_string());
    out.tags = f.tags.iter().map(|t| t.trim().to_string()).collect();
    Ok(out)
}

/// Saved segments of the company, by name.
pub async fn list(db: &Db, p: &Principal, page: &PageRequest) -> StoreResult<Page<SavedSegment>> {
    let mut q = Sql::new("SELECT * FROM saved_segments WHERE company_id = ");
    q.bind(p.company_id.to_string());
    if let Some(after) = &page.after {
        q.push(" AND name > ").bind(after.clone());
    }
    q.push(" ORDER BY name LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |s| s.name.clone()))
}

/// One saved segment.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<SavedSegment> {
    let r = sqlx::query("SELECT * FROM saved_segments WHERE id = $1 AND company_id = $2")
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// Saves a segment (names are unique in the company: 409 at `/name`).
pub async fn create(db: &Db, p: &Principal, input: &SegmentInput) -> StoreResult<SavedSegment> {
    let filter = validate(input)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO saved_segments (id, company_id, name, filter, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(input.name.trim())
    .bind(serde_json::to_string(&filter).map_err(|e| StoreError::Internal(e.to_string()))?)
    .bind(&p.id)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/name", "a segment with this name exists"))?;
    tx.commit().await?;
    get(db, p, &id).await
}

/// Replaces a saved segment's name and filter.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &SegmentInput,
) -> StoreResult<SavedSegment> {
    let filter = validate(input)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE saved_segments SET name = $1, filter = $2 WHERE id = $3 AND company_id = $4",
    )
    .bind(input.name.trim())
    .bind(serde_json::to_string(&filter).map_err(|e| StoreError::Internal(e.to_string()))?)
    .bind(id)
    .bind(p.company_id.to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/name", "a segment with this name exists"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    get(db, p, id).await
}

/// Deletes a saved segment (the customers are untouched).
pub async fn delete(db: &Db, p: &Principal, id: &str) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("DELETE FROM saved_segments WHERE id = $1 AND company_id = $2")
        .bind(id)
        .bind(p.company_id.to_string())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await
}

pub use crate::catalog::export::Lang;

const COLUMNS: [(&str, &str); 10] = [
    ("member_no", "会员号"),
    ("name", "姓名"),
    ("phone", "手机号"),
    ("tier_code", "会员等级"),
    ("segment", "客户分群"),
    ("home_store", "所属门店"),
    ("points_balance", "积分余额"),
    ("stored_value", "储值余额"),
    ("spend", "累计消费"),
    ("last_visit_at", "最近到店"),
];

/// `12345` minor units as `123.45`.
fn major(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let a = minor.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// The members of a saved segment in the caller's scope as export rows (header first), phones
/// masked unless the caller has `customers.contact`. Read a batch at a time.
pub async fn export_rows(
    db: &Db,
    p: &Principal,
    id: &str,
    lang: Lang,
) -> StoreResult<Vec<Vec<String>>> {
    let seg = get(db, p, id).await?;
    let f = &seg.filter;
    let company = p.company_id.to_string();
    let mut out = vec![
        COLUMNS
            .iter()
            .map(|(en, zh)| match lang {
                Lang::Zh => zh.to_string(),
                Lang::En => en.to_string(),
            })
            .collect::<Vec<_>>(),
    ];
    let mut after = String::new();
    loop {
        let mut q = Sql::new(
            "SELECT c.id, c.member_no, c.name, c.phone, c.tier_code, rfm.segment, st.code AS store_code, \
             c.points_balance, c.stored_value_minor, \
             (SELECT CAST(COALESCE(SUM(s.total_minor), 0) AS BIGINT) FROM sales s WHERE s.customer_id = c.id) AS spend, \
             (SELECT MAX(s.created_at) FROM sales s WHERE s.customer_id = c.id AND s.kind = 'sale') AS last_at \
             FROM customers c LEFT JOIN stores st ON st.id = c.home_store_id \
             LEFT JOIN customer_rfm rfm ON rfm.customer_id = c.id WHERE c.company_id = ",
        );
        q.bind(company.clone()).push(" AND c.status = 'active'");
        push_customer_scope(&mut q, p, "c.home_store_id");
        if let Some(t) = &f.tier {
            q.push(" AND c.tier_code = ").bind(t.clone());
        }
        for t in &f.tags {
            let escaped = t
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let quoted = serde_json::to_string(&escaped).unwrap_or_default();
            q.push(" AND c.tags LIKE ")
                .bind(format!("%{quoted}%"))
                .push(" ESCAPE '\\'");
        }
        if let Some(s) = &f.segment {
            q.push(" AND rfm.segment = ").bind(s.clone());
        }
        if let Some(h) = &f.home_store_id {
            q.push(" AND c.home_store_id = ").bind(h.clone());
        }
        if let Some(m) = f.min_spend_minor {
            q.push(" AND (SELECT COALESCE(SUM(s.total_minor), 0) FROM sales s WHERE s.customer_id = c.id) >= ")
                .bind(m);
        }
        if let Some(b) = &f.last_visit_before {
            q.push(
                " AND (SELECT MAX(s.created_at) FROM sales s WHERE s.customer_id = c.id AND s.kind = 'sale') < ",
            )
            .bind(b.clone());
        }
        q.push(" AND c.id > ")
            .bind(after.clone())
            .push(" ORDER BY c.id LIMIT 2000");
        let (sql, args) = q.build();
        let batch = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
        let Some(last) = batch.last() else { break };
        after = row::text(last, "id")?;
        for r in &batch {
            out.push(vec![
                row::opt_text(r, "member_no")?.unwrap_or_default(),
                row::text(r, "name")?,
                phone_for(p, row::opt_text(r, "phone")?).unwrap_or_default(),
                row::opt_text(r, "tier_code")?.unwrap_or_default(),
                row::opt_text(r, "segment")?.unwrap_or_default(),
                row::opt_text(r, "store_code")?.unwrap_or_default(),
                row::int(r, "points_balance")?.to_string(),
                major(row::int(r, "stored_value_minor")?),
                major(row::int(r, "spend")?),
                row::opt_text(r, "last_at")?.unwrap_or_default(),
            ]);
        }
        if batch.len() < 2000 {
            break;
        }
    }
    Ok(out)
}

/// Renders export rows as CSV (UTF-8 with BOM) or XLSX, like the product export.
pub fn render(rows: &[Vec<String>], format: Format) -> StoreResult<Vec<u8>> {
    crate::catalog::export::render(rows, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_literals_round_trip() {
        for day in ["1970-01-01", "2024-02-29", "2026-12-31"] {
            let n = day_number(day).unwrap();
            assert_eq!(day_literal(n), format!("'{day}'"));
        }
    }

    #[test]
    fn every_score_combination_is_named_once_in_the_sql() {
        let sql = segment_sql();
        for s in RfmScores::all() {
            let code = format!("{}{}{}", s.recency, s.frequency, s.monetary);
            let hits = sql.matches(&code).count();
            assert_eq!(hits, 1, "{code} in {sql}");
        }
        assert!(sql.contains("THEN 'champions'"));
        assert!(sql.contains("THEN 'lost'"));
    }

    #[test]
    fn scores_are_written_best_band_first() {
        let q = Quintiles {
            cuts: [10, 20, 30, 40],
        };
        assert_eq!(
            score_sql("x", &q, |v| v.to_string()),
            "CASE WHEN x > 40 THEN 5 WHEN x > 30 THEN 4 WHEN x > 20 THEN 3 WHEN x > 10 THEN 2 ELSE 1 END"
        );
    }
}
