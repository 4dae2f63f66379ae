//! The membership report: how many buyers of a period were new or came back, how many bought
//! more than once, what share of sales had a member attached, what the company owes its
//! members (points and stored value) and how members spread over the tiers.
//!
//! Sales figures are the sales of the stores in scope (or of `store_id`); the balances and the
//! tier spread are of the members whose home store is in scope (or is `store_id`). A buyer is
//! new when their first purchase anywhere in the chain falls in the period.

use super::tasks::push_customer_scope;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use rust_decimal::Decimal;
use salepoint_domain::money::Currency;
use serde::Serialize;
use utoipa::ToSchema;

/// The report's window and store.
#[derive(Clone, Debug)]
pub struct ReportQuery {
    /// Stored-format UTC time, inclusive.
    pub from: String,
    /// Stored-format UTC time, exclusive.
    pub to: String,
    pub store_id: Option<String>,
}

/// Members of one tier.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TierCount {
    /// `null`: members without a tier.
    pub tier_code: Option<String>,
    pub name: String,
    pub customers: i64,
}

/// The membership report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerReport {
    pub from: String,
    pub to: String,
    pub store_id: Option<String>,
    /// Members who bought in the period for the first time.
    pub new_customers: i64,
    /// Members who bought in the period and had bought before it.
    pub returning_customers: i64,
    /// Members with two or more purchases in the period / members with one or more (4 places).
    #[schema(value_type = String)]
    pub repeat_rate: Decimal,
    /// Sales with a member / all sales of the period (4 places).
    #[schema(value_type = String)]
    pub member_sales_share: Decimal,
    /// Points the members hold.
    pub points_liability_points: i64,
    /// What those points are worth when redeemed (at the programme's rate).
    pub points_liability_minor: i64,
    /// Prepaid balances the members hold.
    pub stored_value_liability_minor: i64,
    /// Members per tier, lowest tier first.
    pub tiers: Vec<TierCount>,
}

fn ratio(part: i64, whole: i64) -> Decimal {
    if whole <= 0 {
        return Decimal::new(0, 4);
    }
    let mut r = (Decimal::from(part) / Decimal::from(whole)).round_dp(4);
    // Always four places (`0.5000`), so clients see one shape.
    r.rescale(4);
    r
}

/// Adds the sales window and store filter (`s` is the sales alias).
fn push_sales_filter(q: &mut Sql, p: &Principal, r: &ReportQuery) {
    q.push(" AND s.created_at >= ")
        .bind(r.from.clone())
        .push(" AND s.created_at < ")
        .bind(r.to.clone());
    match &r.store_id {
        Some(id) => {
            q.push(" AND s.store_id = ").bind(id.clone());
        }
        None => crate::org::push_store_scope(q, p, "s.store_id"),
    }
}

/// The membership report for `r` (a `store_id` outside the caller's scope is not found).
pub async fn report(db: &Db, p: &Principal, r: &ReportQuery) -> StoreResult<CustomerReport> {
    let company = p.company_id.to_string();
    if let Some(id) = &r.store_id {
        let visible = id.parse().map(|s| p.sees(s)).unwrap_or(false);
        let exists = sqlx::query("SELECT 1 FROM stores WHERE id = $1 AND company_id = $2")
            .bind(id)
            .bind(&company)
            .fetch_optional(&db.pool)
            .await?
            .is_some();
        if !visible || !exists {
            return Err(StoreError::NotFound);
        }
    }

    // Sales with and without a member.
    let mut q = Sql::new(
        "SELECT CAST(COUNT(*) AS BIGINT) AS all_sales, \
         CAST(COALESCE(SUM(CASE WHEN s.customer_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS member_sales \
         FROM sales s WHERE s.kind = 'sale' AND s.company_id = ",
    );
    q.bind(company.clone());
    push_sales_filter(&mut q, p, r);
    let (sql, args) = q.build();
    let row_ = sqlx::query_with(&sql, args).fetch_one(&db.pool).await?;
    let all_sales = row::int(&row_, "all_sales")?;
    let member_sales = row::int(&row_, "member_sales")?;

    // Buyers of the period: how many, how many came twice, how many never bought before.
    let mut q = Sql::new(
        "SELECT CAST(COUNT(*) AS BIGINT) AS buyers, \
         CAST(COALESCE(SUM(CASE WHEN x.cnt >= 2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS repeaters, \
         CAST(COALESCE(SUM(x.is_new), 0) AS BIGINT) AS newcomers FROM (SELECT b.cnt, \
         CASE WHEN EXISTS (SELECT 1 FROM sales e WHERE e.customer_id = b.customer_id \
         AND e.kind = 'sale' AND e.created_at < ",
    );
    q.bind(r.from.clone()).push(
        ") THEN 0 ELSE 1 END AS is_new FROM (SELECT s.customer_id, COUNT(*) AS cnt \
         FROM sales s WHERE s.kind = 'sale' AND s.customer_id IS NOT NULL AND s.company_id = ",
    );
    q.bind(company.clone());
    push_sales_filter(&mut q, p, r);
    q.push(" GROUP BY s.customer_id) b) x");
    let (sql, args) = q.build();
    let row_ = sqlx::query_with(&sql, args).fetch_one(&db.pool).await?;
    let buyers = row::int(&row_, "buyers")?;
    let repeaters = row::int(&row_, "repeaters")?;
    let newcomers = row::int(&row_, "newcomers")?;

    // Balances and tiers of the members in scope.
    let mut q = Sql::new(
        "SELECT c.tier_code, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(COALESCE(SUM(c.points_balance), 0) AS BIGINT) AS points, \
         CAST(COALESCE(SUM(c.stored_value_minor), 0) AS BIGINT) AS stored \
         FROM customers c WHERE c.status = 'active' AND c.company_id = ",
    );
    q.bind(company.clone());
    match &r.store_id {
        Some(id) => {
            q.push(" AND c.home_store_id = ").bind(id.clone());
        }
        None => push_customer_scope(&mut q, p, "c.home_store_id"),
    }
    q.push(" GROUP BY c.tier_code");
    let (sql, args) = q.build();
    let mut points = 0i64;
    let mut stored = 0i64;
    let mut by_tier: Vec<(Option<String>, i64)> = Vec::new();
    for g in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        points += row::int(&g, "points")?;
        stored += row::int(&g, "stored")?;
        by_tier.push((row::opt_text(&g, "tier_code")?, row::int(&g, "n")?));
    }
    let mut tiers = Vec::new();
    for t in sqlx::query(
        "SELECT code, name FROM member_tiers WHERE company_id = $1 ORDER BY min_spend_minor, sort, code",
    )
    .bind(&company)
    .fetch_all(&db.pool)
    .await?
    {
        let code = row::text(&t, "code")?;
        let n = by_tier
            .iter()
            .find(|(c, _)| c.as_deref() == Some(code.as_str()))
            .map(|(_, n)| *n)
            .unwrap_or(0);
        tiers.push(TierCount {
            tier_code: Some(code),
            name: row::text(&t, "name")?,
            customers: n,
        });
    }
    // Members without a tier, or with a code no tier has any more.
    let untiered: i64 = by_tier
        .iter()
        .filter(|(c, _)| {
            c.as_ref()
                .is_none_or(|c| !tiers.iter().any(|t| t.tier_code.as_ref() == Some(c)))
        })
        .map(|(_, n)| *n)
        .sum();
    if untiered > 0 {
        tiers.push(TierCount {
            tier_code: None,
            name: "未分级".into(),
            customers: untiered,
        });
    }

    let rate =
        sqlx::query("SELECT redeem_points_per_unit FROM loyalty_programs WHERE company_id = $1")
            .bind(&company)
            .fetch_optional(&db.pool)
            .await?
            .map(|r| row::int(&r, "redeem_points_per_unit"))
            .transpose()?
            .unwrap_or(100)
            .max(1);
    let currency = sqlx::query("SELECT currency FROM companies WHERE id = $1")
        .bind(&company)
        .fetch_one(&db.pool)
        .await?;
    let exponent = Currency::from_code(&row::text(&currency, "currency")?)
        .map(|c| c.exponent())
        .unwrap_or(2);
    let per_unit = 10i128.pow(exponent as u32);
    let points_minor = (points as i128 * per_unit / rate as i128) as i64;

    Ok(CustomerReport {
        from: r.from.clone(),
        to: r.to.clone(),
        store_id: r.store_id.clone(),
        new_customers: newcomers,
        returning_customers: buyers - newcomers,
        repeat_rate: ratio(repeaters, buyers),
        member_sales_share: ratio(member_sales, all_sales),
        points_liability_points: points,
        points_liability_minor: points_minor,
        stored_value_liability_minor: stored,
        tiers,
    })
}
