//! Stock valuation: on hand × the product's moving-average cost (its cost price until the first
//! receipt), by location or by category, over the locations in the caller's scope. Each level
//! is valued and rounded on its own (as [`super::levels::value`] does for the stock browser),
//! then summed, so the totals here equal the sum of the values the stock list shows.

use crate::db::Db;
use crate::error::StoreResult;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::quantity::from_milli;

/// How the valuation is grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValuationGroup {
    #[default]
    Location,
    Category,
}

/// One group's stock and value.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ValuationRow {
    /// The location's or category's id (`null`: products without a category).
    pub key: Option<String>,
    pub name: String,
    /// Location code, category code.
    pub code: Option<String>,
    /// On hand in all (a sum over units of different kinds: a figure for the eye only).
    pub quantity: String,
    pub value_minor: i64,
}

/// The valuation of the stock in scope.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Valuation {
    pub currency: String,
    pub total_minor: i64,
    pub data: Vec<ValuationRow>,
}

/// The value of the stock at the locations in scope (or at `location_id`, when given and in
/// scope), grouped by location or by the product's category.
pub async fn valuation(
    db: &Db,
    p: &Principal,
    group: ValuationGroup,
    location_id: Option<&str>,
) -> StoreResult<Valuation> {
    if let Some(l) = location_id {
        super::locations::load(&db.pool, p, l, true).await?;
    }
    let (key, name, code, join) = match group {
        ValuationGroup::Location => (
            "s.id",
            "s.name",
            "s.code",
            "JOIN stores s ON s.id = sl.location_id",
        ),
        ValuationGroup::Category => (
            "c.id",
            "c.name",
            "c.code",
            "LEFT JOIN categories c ON c.id = p.category_id",
        ),
    };
    let mut q = Sql::new(&format!(
        "SELECT {key} AS k, {name} AS n, {code} AS code, CAST(SUM(sl.on_hand_milli) AS BIGINT) AS q, \
         CAST(SUM((sl.on_hand_milli * COALESCE(pc.avg_cost_minor, p.cost_price_minor) \
           + CASE WHEN sl.on_hand_milli < 0 THEN -500 ELSE 500 END) / 1000) AS BIGINT) AS v \
         FROM stock_levels sl JOIN products p ON p.id = sl.product_id \
         LEFT JOIN product_costs pc ON pc.product_id = sl.product_id {join} \
         WHERE sl.on_hand_milli <> 0 AND sl.company_id = "
    ));
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "sl.location_id");
    if let Some(l) = location_id {
        q.push(" AND sl.location_id = ").bind(l.to_string());
    }
    q.push(&format!(" GROUP BY {key}, {name}, {code} ORDER BY {code}"));
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let mut data = Vec::with_capacity(rows.len());
    let mut total = 0i64;
    for r in &rows {
        let v = row::int(r, "v")?;
        total += v;
        data.push(ValuationRow {
            key: row::opt_text(r, "k")?,
            name: row::opt_text(r, "n")?.unwrap_or_else(|| "未分类 / Uncategorised".into()),
            code: row::opt_text(r, "code")?,
            quantity: from_milli(row::int(r, "q")?),
            value_minor: v,
        });
    }
    let currency = crate::org::company(db, p.company_id).await?.currency;
    Ok(Valuation {
        currency,
        total_minor: total,
        data,
    })
}
