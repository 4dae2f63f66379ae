//! Saved segments: filters marketing re-runs (tier, tags, RFM segment, home store, spend, last
//! visit), and the export of a saved segment's members. The RFM scores themselves are
//! recomputed in [`super::rfm`].

use super::rfm::day_number;
use super::tasks::{phone_for, push_customer_scope};
use crate::catalog::export::Format;
use crate::clock;
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::customers::rfm::Segment;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

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
