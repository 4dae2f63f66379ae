//! The products a stock document names: they must exist in the caller's company.

use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::validation::Validator;
use std::collections::HashMap;

/// What stock documents show of a product.
#[derive(Clone, Debug)]
pub struct ProductInfo {
    pub sku: String,
    pub name_zh: String,
    pub unit: String,
    pub cost_price_minor: i64,
    /// Moving-average cost, the cost price until the first receipt.
    pub avg_cost_minor: i64,
}

/// Loads the products with `ids`; an unknown one is a 422 at `{lines}/{i}/product_id`.
pub async fn check<'c>(
    conn: impl sqlx::Executor<'c, Database = sqlx::Any>,
    p: &Principal,
    ids: &[String],
    lines: &str,
) -> StoreResult<HashMap<String, ProductInfo>> {
    let mut found = HashMap::new();
    if !ids.is_empty() {
        let mut unique = ids.to_vec();
        unique.sort();
        unique.dedup();
        // `|| ''` keeps SQLite on the primary key instead of the company index.
        let mut q = Sql::new(
            "SELECT p.id, p.sku, p.name_zh, p.unit, p.cost_price_minor, \
             COALESCE(pc.avg_cost_minor, p.cost_price_minor) AS avg_cost FROM products p \
             LEFT JOIN product_costs pc ON pc.product_id = p.id WHERE p.company_id || '' = ",
        );
        q.bind(p.company_id.to_string())
            .push(" AND p.id IN ")
            .bind_list(&unique);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(conn).await? {
            found.insert(
                row::text(&r, "id")?,
                ProductInfo {
                    sku: row::text(&r, "sku")?,
                    name_zh: row::text(&r, "name_zh")?,
                    unit: row::text(&r, "unit")?,
                    cost_price_minor: row::int(&r, "cost_price_minor")?,
                    avg_cost_minor: row::int(&r, "avg_cost")?,
                },
            );
        }
    }
    let mut v = Validator::new();
    for (i, id) in ids.iter().enumerate() {
        if !found.contains_key(id) {
            v.add(
                format!("{lines}/{i}/product_id"),
                "not_found",
                "no such product",
            );
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    Ok(found)
}
