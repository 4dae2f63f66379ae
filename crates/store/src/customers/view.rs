//! The 360° view of a customer: spend and visit statistics from the sales made for them,
//! favourite categories and stores, recent sales, the latest points and stored-value ledger
//! rows and open follow-up tasks — and the full list of their sales.
//!
//! Sales are immutable, so a merge cannot move them: the survivor's view instead includes the
//! sales of every customer merged into it ([`identity_ids`]).

use super::profiles::{self, Customer};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::Serialize;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// The customer and every customer merged into it (directly or through other merges).
pub async fn identity_ids(db: &Db, company: &str, id: &str) -> StoreResult<Vec<String>> {
    let mut all = vec![id.to_string()];
    let mut frontier = vec![id.to_string()];
    while !frontier.is_empty() && all.len() < 1000 {
        let mut q = Sql::new("SELECT id FROM customers WHERE company_id = ");
        q.bind(company.to_string())
            .push(" AND merged_into IN ")
            .bind_list(&frontier);
        let (sql, args) = q.build();
        let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
        frontier = rows
            .iter()
            .map(|r| row::text(r, "id"))
            .collect::<StoreResult<Vec<_>>>()?
            .into_iter()
            .filter(|i| !all.contains(i))
            .collect();
        all.extend(frontier.iter().cloned());
    }
    Ok(all)
}

/// A category the customer spends on.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FavouriteCategory {
    pub category_id: String,
    pub name: String,
    pub amount_minor: i64,
}

/// A store the customer visits.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FavouriteStore {
    pub store_id: String,
    pub name: String,
    pub visits: i64,
}

/// Spend and visits.
#[derive(Clone, Debug, Serialize, ToSchema, Default)]
pub struct Stats {
    /// Σ total of sales and returns (returns are negative).
    pub lifetime_value_minor: i64,
    pub sales_count: i64,
    pub returns_count: i64,
    /// Sales total ÷ number of sales.
    pub average_basket_minor: i64,
    pub first_visit_at: Option<String>,
    pub last_visit_at: Option<String>,
    /// Sales per month between the first visit and now (decimal text, 2 decimals).
    pub visits_per_month: String,
    pub favourite_categories: Vec<FavouriteCategory>,
    pub favourite_stores: Vec<FavouriteStore>,
}

/// A sale or return in a customer's history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerSale {
    pub id: String,
    pub receipt_no: String,
    pub store_id: String,
    /// `sale` or `return`.
    pub kind: String,
    pub total_minor: i64,
    /// The customer the sale was made for (a customer merged into this one, possibly).
    pub customer_id: String,
    pub created_at: String,
}

/// A points ledger row.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PointsEntry {
    pub id: String,
    pub kind: String,
    pub points: i64,
    pub expires_at: Option<String>,
    pub store_id: Option<String>,
    pub ref_type: String,
    pub ref_id: String,
    pub at: String,
}

/// A stored-value ledger row.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StoredValueEntry {
    pub id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub tender_code: Option<String>,
    pub store_id: Option<String>,
    pub ref_type: String,
    pub ref_id: String,
    pub at: String,
}

/// An open follow-up task.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OpenTask {
    pub id: String,
    pub customer_id: String,
    pub assignee_id: String,
    pub kind: String,
    pub title: String,
    pub notes: String,
    pub due_at: String,
    pub status: String,
}

/// The 360° view.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overview {
    pub customer: Customer,
    pub stats: Stats,
    pub recent_sales: Vec<CustomerSale>,
    pub points: Vec<PointsEntry>,
    pub stored_value: Vec<StoredValueEntry>,
    pub tasks: Vec<OpenTask>,
}

fn sale_from_row(r: &AnyRow) -> StoreResult<CustomerSale> {
    Ok(CustomerSale {
        id: row::text(r, "id")?,
        receipt_no: row::text(r, "receipt_no")?,
        store_id: row::text(r, "store_id")?,
        kind: row::text(r, "kind")?,
        total_minor: row::int(r, "total_minor")?,
        customer_id: row::text(r, "customer_id")?,
        created_at: row::text(r, "created_at")?,
    })
}

/// Points ledger rows of a customer, newest first.
pub async fn points_rows(db: &Db, ids: &[String], limit: i64) -> StoreResult<Vec<PointsEntry>> {
    let mut q = Sql::new("SELECT * FROM points_ledger WHERE customer_id IN ");
    q.bind_list(ids)
        .push(" ORDER BY at DESC, id DESC LIMIT ")
        .bind(limit);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(PointsEntry {
                id: row::text(r, "id")?,
                kind: row::text(r, "kind")?,
                points: row::int(r, "points")?,
                expires_at: row::opt_text(r, "expires_at")?,
                store_id: row::opt_text(r, "store_id")?,
                ref_type: row::text(r, "ref_type")?,
                ref_id: row::text(r, "ref_id")?,
                at: row::text(r, "at")?,
            })
        })
        .collect()
}

/// Stored-value ledger rows of a customer, newest first.
pub async fn stored_value_rows(
    db: &Db,
    ids: &[String],
    limit: i64,
) -> StoreResult<Vec<StoredValueEntry>> {
    let mut q = Sql::new("SELECT * FROM stored_value_ledger WHERE customer_id IN ");
    q.bind_list(ids)
        .push(" ORDER BY at DESC, id DESC LIMIT ")
        .bind(limit);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(StoredValueEntry {
                id: row::text(r, "id")?,
                kind: row::text(r, "kind")?,
                amount_minor: row::int(r, "amount_minor")?,
                tender_code: row::opt_text(r, "tender_code")?,
                store_id: row::opt_text(r, "store_id")?,
                ref_type: row::text(r, "ref_type")?,
                ref_id: row::text(r, "ref_id")?,
                at: row::text(r, "at")?,
            })
        })
        .collect()
}

/// Tasks of the customers, `open` only unless `all`.
pub async fn tasks_of(db: &Db, ids: &[String], all: bool) -> StoreResult<Vec<OpenTask>> {
    let mut q = Sql::new("SELECT * FROM customer_tasks WHERE customer_id IN ");
    q.bind_list(ids);
    if !all {
        q.push(" AND status = 'open'");
    }
    q.push(" ORDER BY due_at, id LIMIT 500");
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(OpenTask {
                id: row::text(r, "id")?,
                customer_id: row::text(r, "customer_id")?,
                assignee_id: row::text(r, "assignee_id")?,
                kind: row::text(r, "kind")?,
                title: row::text(r, "title")?,
                notes: row::text(r, "notes")?,
                due_at: row::text(r, "due_at")?,
                status: row::text(r, "status")?,
            })
        })
        .collect()
}

/// Months between two stored timestamps (at least one).
fn months_between(first: &str, now: &str) -> i64 {
    let year = |s: &str| s.get(0..4).and_then(|y| y.parse::<i64>().ok()).unwrap_or(0);
    let month = |s: &str| s.get(5..7).and_then(|m| m.parse::<i64>().ok()).unwrap_or(1);
    ((year(now) - year(first)) * 12 + month(now) - month(first) + 1).max(1)
}

/// Statistics of the sales of `ids`.
pub async fn stats(db: &Db, company: &str, ids: &[String]) -> StoreResult<Stats> {
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) AS ltv, \
         CAST(COALESCE(SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END), 0) AS BIGINT) AS sales, \
         CAST(COALESCE(SUM(CASE WHEN kind = 'return' THEN 1 ELSE 0 END), 0) AS BIGINT) AS returns, \
         CAST(COALESCE(SUM(CASE WHEN kind = 'sale' THEN total_minor ELSE 0 END), 0) AS BIGINT) AS sales_total, \
         MIN(CASE WHEN kind = 'sale' THEN created_at END) AS first_at, \
         MAX(CASE WHEN kind = 'sale' THEN created_at END) AS last_at \
         FROM sales WHERE company_id = ",
    );
    q.bind(company.to_string())
        .push(" AND customer_id IN ")
        .bind_list(ids);
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args).fetch_one(&db.pool).await?;
    let sales = row::int(&r, "sales")?;
    let sales_total = row::int(&r, "sales_total")?;
    let first = row::opt_text(&r, "first_at")?;
    let visits_per_month = match &first {
        Some(f) => {
            let months = months_between(f, &crate::clock::now());
            let hundredths = sales * 100 / months;
            format!("{}.{:02}", hundredths / 100, hundredths % 100)
        }
        None => "0.00".into(),
    };
    let mut st = Stats {
        lifetime_value_minor: row::int(&r, "ltv")?,
        sales_count: sales,
        returns_count: row::int(&r, "returns")?,
        average_basket_minor: if sales > 0 { sales_total / sales } else { 0 },
        first_visit_at: first,
        last_visit_at: row::opt_text(&r, "last_at")?,
        visits_per_month,
        ..Default::default()
    };

    let mut q = Sql::new(
        "SELECT p.category_id, COALESCE(MAX(cat.name), '') AS name, \
         CAST(SUM(l.total_minor) AS BIGINT) AS amount FROM sales s \
         JOIN sale_lines l ON l.sale_id = s.id JOIN products p ON p.id = l.product_id \
         LEFT JOIN categories cat ON cat.id = p.category_id \
         WHERE s.company_id = ",
    );
    q.bind(company.to_string())
        .push(" AND s.customer_id IN ")
        .bind_list(ids)
        .push(" AND p.category_id IS NOT NULL GROUP BY p.category_id HAVING SUM(l.total_minor) > 0 ORDER BY amount DESC, p.category_id LIMIT 5");
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        st.favourite_categories.push(FavouriteCategory {
            category_id: row::text(&r, "category_id")?,
            name: row::text(&r, "name")?,
            amount_minor: row::int(&r, "amount")?,
        });
    }

    let mut q = Sql::new(
        "SELECT s.store_id, COALESCE(MAX(st.name), '') AS name, CAST(COUNT(*) AS BIGINT) AS visits \
         FROM sales s LEFT JOIN stores st ON st.id = s.store_id WHERE s.kind = 'sale' AND s.company_id = ",
    );
    q.bind(company.to_string())
        .push(" AND s.customer_id IN ")
        .bind_list(ids)
        .push(" GROUP BY s.store_id ORDER BY visits DESC, s.store_id LIMIT 5");
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        st.favourite_stores.push(FavouriteStore {
            store_id: row::text(&r, "store_id")?,
            name: row::text(&r, "name")?,
            visits: row::int(&r, "visits")?,
        });
    }
    Ok(st)
}

/// The 360° view of a customer in the caller's scope (contact details masked for the caller).
pub async fn overview(db: &Db, p: &Principal, id: &str) -> StoreResult<Overview> {
    let customer = profiles::get(db, p, id).await?;
    let company = p.company_id.to_string();
    let ids = identity_ids(db, &company, id).await?;
    let stats = stats(db, &company, &ids).await?;
    let recent_sales = sales_page(
        db,
        &company,
        &ids,
        &PageRequest {
            limit: 10,
            after: None,
        },
    )
    .await?
    .data;
    let own = vec![id.to_string()];
    Ok(Overview {
        customer,
        stats,
        recent_sales,
        points: points_rows(db, &own, 20).await?,
        stored_value: stored_value_rows(db, &own, 20).await?,
        tasks: tasks_of(db, &ids, false).await?,
    })
}

/// One page of the sales of `ids`, newest first (cursor: `created_at|id`).
async fn sales_page(
    db: &Db,
    company: &str,
    ids: &[String],
    page: &PageRequest,
) -> StoreResult<Page<CustomerSale>> {
    let mut q = Sql::new(
        "SELECT id, receipt_no, store_id, kind, total_minor, customer_id, created_at FROM sales WHERE company_id = ",
    );
    q.bind(company.to_string())
        .push(" AND customer_id IN ")
        .bind_list(ids);
    if let Some(after) = &page.after {
        let Some((at, id)) = after.split_once('|') else {
            return Err(StoreError::invalid(
                "cursor",
                "invalid_value",
                "not a cursor from this list",
            ));
        };
        q.push(" AND (created_at < ")
            .bind(at.to_string())
            .push(" OR (created_at = ")
            .bind(at.to_string())
            .push(" AND id < ")
            .bind(id.to_string())
            .push("))");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows
        .iter()
        .map(sale_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |s| format!("{}|{}", s.created_at, s.id)))
}

/// Every sale and return of a customer in the caller's scope, across stores, newest first —
/// including those of customers merged into it.
pub async fn sales(
    db: &Db,
    p: &Principal,
    id: &str,
    page: &PageRequest,
) -> StoreResult<Page<CustomerSale>> {
    profiles::load(db, p, id).await?;
    let company = p.company_id.to_string();
    let ids = identity_ids(db, &company, id).await?;
    sales_page(db, &company, &ids, page).await
}
