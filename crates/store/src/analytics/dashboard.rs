//! The live dashboard (docs/analytics.md): today — each store's own business day — for the
//! stores in the caller's scope, read from the daily, hourly, product, tender and register
//! rollups, with the ranking the caller's role needs (stores; regions for head office; the
//! registers of a single store).

use super::reports::{DAY, day_text};
use super::rollup;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::sql::Sql;
use crate::{clock, row};
use rust_decimal::Decimal;
use salepoint_domain::roles::Permission;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use time::{Date, Duration};

/// A tender's share of today.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MixRow {
    pub code: String,
    pub amount_minor: i64,
    pub count: i64,
}

/// One local hour today and a week ago.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct HourRow {
    pub hour: i64,
    pub revenue: i64,
    pub orders: i64,
    pub last_week_revenue: i64,
    pub last_week_orders: i64,
}

/// A top product.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TopProduct {
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub quantity_milli: i64,
    pub revenue: i64,
}

/// A top category.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TopCategory {
    pub category_id: Option<String>,
    pub name: String,
    pub quantity_milli: i64,
    pub revenue: i64,
}

/// A store today.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StoreToday {
    pub store_id: String,
    pub code: String,
    pub name: String,
    pub region_id: Option<String>,
    pub business_day: String,
    pub revenue: i64,
    pub orders: i64,
    pub avg_basket: i64,
}

/// A region today (head office's ranking).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegionToday {
    /// None: the stores without a region.
    pub region_id: Option<String>,
    pub name: String,
    pub revenue: i64,
    pub orders: i64,
    pub avg_basket: i64,
}

/// A register of the one store in view, today (the store manager's ranking).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegisterToday {
    pub register_id: String,
    pub code: String,
    pub name: String,
    pub revenue: i64,
    pub orders: i64,
    pub avg_basket: i64,
}

/// The live dashboard.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub generated_at: String,
    pub rollup_lag_ms: i64,
    pub pending_sales: i64,
    pub revenue: i64,
    pub net: i64,
    pub orders: i64,
    pub avg_basket: i64,
    pub items_per_basket: String,
    pub cost: i64,
    pub margin: i64,
    pub margin_rate: String,
    pub returns: i64,
    pub returns_count: i64,
    pub payment_mix: Vec<MixRow>,
    pub hourly: Vec<HourRow>,
    pub top_products: Vec<TopProduct>,
    pub top_categories: Vec<TopCategory>,
    pub stores: Vec<StoreToday>,
    /// Regions ranked by revenue, when the stores in view span several regions; else empty.
    pub regions: Vec<RegionToday>,
    /// The registers ranked by revenue, when exactly one store is in view; else empty.
    pub registers: Vec<RegisterToday>,
    pub low_stock: i64,
}

struct StoreInfo {
    id: String,
    code: String,
    name: String,
    region_id: Option<String>,
    today: String,
    last_week: String,
}

fn ratio(a: i64, b: i64, dp: u32) -> String {
    if b == 0 {
        return format!("{:.*}", dp as usize, Decimal::ZERO);
    }
    let v = (Decimal::from(a) / Decimal::from(b))
        .round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{:.*}", dp as usize, v)
}

/// Restricts `t` to each store's own day (`day` of the store): one `business_day = d AND
/// store_id IN (…)` per distinct day, so that the database can sum across stores exactly.
fn push_days(q: &mut Sql, stores: &[StoreInfo], day: fn(&StoreInfo) -> &str) {
    let mut by_day: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in stores {
        by_day.entry(day(s)).or_default().push(s.id.clone());
    }
    q.push(" AND (");
    for (i, (d, ids)) in by_day.into_iter().enumerate() {
        q.push(if i == 0 { "(" } else { " OR (" });
        q.push("t.business_day = ").bind(d.to_string());
        q.push(" AND t.store_id IN ");
        q.bind_list(&ids);
        q.push(")");
    }
    q.push(")");
}

/// Products and categories listed on the dashboard.
const TOP: usize = 10;

/// Today's products of the stores in view, as a FROM item of `product_id, quantity, revenue`,
/// one row per product. For each distinct day of the stores in view: from the chain-wide
/// rollup (`analytics_chain_product_daily`, one row per product however many stores sold it)
/// when every store that sold that day (per `analytics_daily`) is in view on that day — the
/// head office's case — else from the stores' own product rows. `covered` holds the days of
/// the first kind.
fn push_products_today(
    q: &mut Sql,
    company: &str,
    stores: &[StoreInfo],
    covered: &BTreeSet<String>,
) {
    let by_day = stores_by_day(stores);
    if let [(day, _)] = by_day.as_slice()
        && covered.contains(*day)
    {
        // One day, chain-wide: the rollup's rows are the answer's rows.
        q.push(
            "(SELECT c.product_id, c.quantity_milli AS quantity, c.revenue_minor AS revenue \
             FROM analytics_chain_product_daily c WHERE c.company_id = ",
        )
        .bind(company.to_string());
        q.push(" AND c.business_day = ").bind(day.to_string());
        q.push(")");
        return;
    }
    q.push(
        "(SELECT t.product_id, SUM(t.quantity_milli) AS quantity, SUM(t.revenue_minor) AS revenue \
         FROM (",
    );
    for (i, (day, ids)) in by_day.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        if covered.contains(*day) {
            q.push(
                "SELECT c.product_id, c.quantity_milli, c.revenue_minor \
                 FROM analytics_chain_product_daily c WHERE c.company_id = ",
            )
            .bind(company.to_string());
            q.push(" AND c.business_day = ").bind(day.to_string());
        } else {
            q.push(
                "SELECT d.product_id, d.quantity_milli, d.revenue_minor \
                 FROM analytics_product_daily d WHERE d.business_day = ",
            )
            .bind(day.to_string());
            q.push(" AND d.store_id IN ");
            q.bind_list(ids);
        }
    }
    q.push(") t GROUP BY t.product_id)");
}

/// The stores in view grouped by their today.
fn stores_by_day(stores: &[StoreInfo]) -> Vec<(&str, Vec<String>)> {
    let mut by_day: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in stores {
        by_day
            .entry(s.today.as_str())
            .or_default()
            .push(s.id.clone());
    }
    by_day.into_iter().collect()
}

/// The days (of the stores' todays) on which every store of the company that sold is in view
/// with that day as its today: there the chain-wide product rollup answers for the view.
async fn covered_days(
    db: &Db,
    company: &str,
    stores: &[StoreInfo],
) -> StoreResult<BTreeSet<String>> {
    let by_day = stores_by_day(stores);
    let days: Vec<String> = by_day.iter().map(|(d, _)| d.to_string()).collect();
    let mut q = Sql::new("SELECT business_day, store_id FROM analytics_daily WHERE company_id = ");
    q.bind(company.to_string());
    q.push(" AND business_day IN ");
    q.bind_list(&days);
    let (t, a) = q.build();
    let mut covered: BTreeSet<String> = days.iter().cloned().collect();
    let in_view: HashMap<&str, HashSet<&str>> = by_day
        .iter()
        .map(|(d, ids)| (*d, ids.iter().map(String::as_str).collect()))
        .collect();
    for r in sqlx::query_with(&t, a).fetch_all(&db.pool).await? {
        let day = row::text(&r, "business_day")?;
        let store = row::text(&r, "store_id")?;
        if !in_view
            .get(day.as_str())
            .is_some_and(|ids| ids.contains(store.as_str()))
        {
            covered.remove(&day);
        }
    }
    Ok(covered)
}

/// The rows of `select … FROM … t WHERE 1 = 1` on each store's own `day`, then `tail`
/// (a GROUP BY, an ORDER BY).
async fn summed(
    db: &Db,
    select: &str,
    stores: &[StoreInfo],
    day: fn(&StoreInfo) -> &str,
    tail: &str,
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    let mut q = Sql::new(select);
    push_days(&mut q, stores, day);
    q.push(tail);
    let (t, a) = q.build();
    Ok(sqlx::query_with(&t, a).fetch_all(&db.pool).await?)
}

/// Today's figures for the stores in scope (or one store, or one region).
pub async fn dashboard(
    db: &Db,
    p: &Principal,
    store_id: Option<String>,
    region_id: Option<String>,
) -> StoreResult<Dashboard> {
    if !p.can(Permission::ReportsRead) {
        return Err(StoreError::Forbidden("reports.read".into()));
    }
    if let Some(s) = &store_id
        && !s.parse().is_ok_and(|id| p.sees(id))
    {
        return Err(StoreError::NotFound);
    }
    let mut q = Sql::new(
        "SELECT id, code, name, region_id, time_zone, business_day_cutoff_hour FROM stores \
         WHERE kind = 'store' AND company_id = ",
    );
    q.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut q, p, "id");
    if let Some(s) = &store_id {
        q.push(" AND id = ").bind(s.clone());
    }
    if let Some(r) = &region_id {
        q.push(" AND region_id = ").bind(r.clone());
    }
    let (t, a) = q.build();
    let now = time::OffsetDateTime::now_utc();
    let mut stores = Vec::new();
    for r in sqlx::query_with(&t, a).fetch_all(&db.pool).await? {
        let tz = row::text(&r, "time_zone")?;
        let cutoff = row::int(&r, "business_day_cutoff_hour")?;
        let today = salepoint_domain::org::business_day(now.unix_timestamp(), &tz, cutoff)
            .unwrap_or_else(|| day_text(now.date()));
        let last_week = Date::parse(&today, DAY)
            .map(|d| day_text(d - Duration::days(7)))
            .unwrap_or_default();
        stores.push(StoreInfo {
            id: row::text(&r, "id")?,
            code: row::text(&r, "code")?,
            name: row::text(&r, "name")?,
            region_id: row::opt_text(&r, "region_id")?,
            today,
            last_week,
        });
    }
    let mut d = Dashboard {
        generated_at: clock::now(),
        rollup_lag_ms: 0,
        pending_sales: 0,
        revenue: 0,
        net: 0,
        orders: 0,
        avg_basket: 0,
        items_per_basket: String::new(),
        cost: 0,
        margin: 0,
        margin_rate: String::new(),
        returns: 0,
        returns_count: 0,
        payment_mix: vec![],
        hourly: (0..24)
            .map(|h| HourRow {
                hour: h,
                ..Default::default()
            })
            .collect(),
        top_products: vec![],
        top_categories: vec![],
        stores: vec![],
        regions: vec![],
        registers: vec![],
        low_stock: 0,
    };
    let mut sold = 0;
    let mut per_store: HashMap<String, (i64, i64, i64)> = HashMap::new();
    if !stores.is_empty() {
        for r in summed(
            db,
            "SELECT t.* FROM analytics_daily t WHERE 1 = 1",
            &stores,
            |s| s.today.as_str(),
            "",
        )
        .await?
        {
            let rev = row::int(&r, "revenue_minor")?;
            let ret = row::int(&r, "returns_minor")?;
            let orders = row::int(&r, "orders")?;
            d.revenue += rev;
            d.net += row::int(&r, "net_minor")?;
            d.orders += orders;
            d.cost += row::int(&r, "cost_minor")?;
            d.returns += ret;
            d.returns_count += row::int(&r, "returns_count")?;
            sold += row::int(&r, "sold_milli")?;
            per_store.insert(row::text(&r, "store_id")?, (rev, orders, rev + ret));
        }
        const HOURLY: &str = "SELECT t.hour, CAST(SUM(t.revenue_minor) AS BIGINT) AS revenue, \
             CAST(SUM(t.orders) AS BIGINT) AS orders FROM analytics_hourly t WHERE 1 = 1";
        for (week_ago, day) in [
            (false, (|s| s.today.as_str()) as fn(&StoreInfo) -> &str),
            (true, |s| s.last_week.as_str()),
        ] {
            for r in summed(db, HOURLY, &stores, day, " GROUP BY t.hour").await? {
                let h = row::int(&r, "hour")?.clamp(0, 23) as usize;
                let (rev, n) = (row::int(&r, "revenue")?, row::int(&r, "orders")?);
                if week_ago {
                    d.hourly[h].last_week_revenue += rev;
                    d.hourly[h].last_week_orders += n;
                } else {
                    d.hourly[h].revenue += rev;
                    d.hourly[h].orders += n;
                }
            }
        }
        let mut mix: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in summed(
            db,
            "SELECT t.code, CAST(SUM(t.amount_minor) AS BIGINT) AS amount, \
             CAST(SUM(t.count) AS BIGINT) AS n FROM analytics_tender_daily t WHERE 1 = 1",
            &stores,
            |s| s.today.as_str(),
            " GROUP BY t.code",
        )
        .await?
        {
            let e = mix.entry(row::text(&r, "code")?).or_default();
            e.0 += row::int(&r, "amount")?;
            e.1 += row::int(&r, "n")?;
        }
        d.payment_mix = mix
            .into_iter()
            .map(|(code, (a, n))| MixRow {
                code,
                amount_minor: a,
                count: n,
            })
            .collect();
        d.payment_mix
            .sort_by_key(|m| std::cmp::Reverse(m.amount_minor));
        // The database ranks today's products and sums the categories: only the answer's
        // rows travel, not every product sold in every store. The products are summed first
        // and only those that can be among the ten (revenue at least the tenth's) are joined
        // to `products` for the SKU that breaks ties.
        let collate = if db.backend == Backend::Postgres {
            " COLLATE \"C\""
        } else {
            ""
        };
        let company = p.company_id.to_string();
        let covered = covered_days(db, &company, &stores).await?;
        let mut q = Sql::new(
            "SELECT g.product_id, p.sku, p.name_zh, CAST(g.quantity AS BIGINT) AS quantity, \
             CAST(g.revenue AS BIGINT) AS revenue FROM ",
        );
        push_products_today(&mut q, &company, &stores, &covered);
        q.push(
            " g JOIN products p ON p.id = g.product_id WHERE g.revenue >= \
             (SELECT MIN(x.revenue) FROM (SELECT h.revenue FROM ",
        );
        push_products_today(&mut q, &company, &stores, &covered);
        q.push(&format!(
            " h ORDER BY h.revenue DESC LIMIT {TOP}) x) \
             ORDER BY g.revenue DESC, p.sku{collate} LIMIT {TOP}"
        ));
        let (t, a) = q.build();
        for r in sqlx::query_with(&t, a).fetch_all(&db.pool).await? {
            d.top_products.push(TopProduct {
                product_id: row::text(&r, "product_id")?,
                sku: row::text(&r, "sku")?,
                name: row::text(&r, "name_zh")?,
                quantity_milli: row::int(&r, "quantity")?,
                revenue: row::int(&r, "revenue")?,
            });
        }
        let mut tc: Vec<TopCategory> = Vec::new();
        let mut q = Sql::new(
            "SELECT p.category_id, c.name AS category_name, CAST(SUM(g.quantity) AS BIGINT) AS quantity, \
             CAST(SUM(g.revenue) AS BIGINT) AS revenue FROM ",
        );
        push_products_today(&mut q, &company, &stores, &covered);
        // SQLite looks each product up in the narrow (id, category) index of migration 0015
        // rather than the wide rows: a third of the time over 12,000 products.
        q.push(if db.backend == Backend::Sqlite {
            " g JOIN products p INDEXED BY products_id_category ON p.id = g.product_id"
        } else {
            " g JOIN products p ON p.id = g.product_id"
        });
        q.push(" LEFT JOIN categories c ON c.id = p.category_id GROUP BY p.category_id, c.name");
        let (t, a) = q.build();
        for r in sqlx::query_with(&t, a).fetch_all(&db.pool).await? {
            tc.push(TopCategory {
                category_id: row::opt_text(&r, "category_id")?,
                name: row::opt_text(&r, "category_name")?.unwrap_or_default(),
                quantity_milli: row::int(&r, "quantity")?,
                revenue: row::int(&r, "revenue")?,
            });
        }
        tc.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.name.cmp(&b.name)));
        tc.truncate(TOP);
        d.top_categories = tc;
        let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
        // Only the low levels, through migration 0016's partial index; SQLite is told to,
        // because it prefers the primary key (every level of the store) until `ANALYZE` has
        // seen the new index.
        let low = if db.backend == Backend::Sqlite {
            "stock_levels INDEXED BY stock_levels_low"
        } else {
            "stock_levels"
        };
        for chunk in ids.chunks(400) {
            let mut q = Sql::new(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {low} WHERE reorder_point_milli IS NOT NULL \
                 AND on_hand_milli <= reorder_point_milli AND location_id IN "
            ));
            q.bind_list(chunk);
            let (t, a) = q.build();
            let r = sqlx::query_with(&t, a).fetch_one(&db.pool).await?;
            d.low_stock += row::int(&r, "n")?;
        }
    }
    d.margin = d.net - d.cost;
    d.margin_rate = ratio(d.margin, d.net, 4);
    d.avg_basket = if d.orders == 0 {
        0
    } else {
        i64::try_from(
            (Decimal::from(d.revenue + d.returns) / Decimal::from(d.orders))
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        )
        .unwrap_or(0)
    };
    d.items_per_basket = ratio(sold, d.orders * 1000, 2);
    d.stores = stores
        .iter()
        .map(|s| {
            let (rev, orders, sales) = per_store.get(&s.id).copied().unwrap_or((0, 0, 0));
            StoreToday {
                store_id: s.id.clone(),
                code: s.code.clone(),
                name: s.name.clone(),
                region_id: s.region_id.clone(),
                business_day: s.today.clone(),
                revenue: rev,
                orders,
                avg_basket: basket(sales, orders),
            }
        })
        .collect();
    d.stores
        .sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.code.cmp(&b.code)));
    d.regions = regions(db, p, &stores, &per_store).await?;
    if let [one] = stores.as_slice() {
        d.registers = registers(db, one).await?;
    }
    let (n, newest) = rollup::pending(db, &p.company_id.to_string()).await?;
    d.pending_sales = n;
    if n > 0
        && let Some(t) = clock::parse(&newest)
    {
        d.rollup_lag_ms = ((now - t).whole_milliseconds() as i64).max(0);
    }
    Ok(d)
}

/// Sales revenue (before returns) ÷ orders, half-up; 0 without orders.
fn basket(sales: i64, orders: i64) -> i64 {
    if orders == 0 {
        0
    } else {
        (2 * sales + orders) / (2 * orders)
    }
}

/// The stores' figures (revenue, orders, sales before returns) summed by region and ranked,
/// when the stores span several regions.
async fn regions(
    db: &Db,
    p: &Principal,
    stores: &[StoreInfo],
    per_store: &HashMap<String, (i64, i64, i64)>,
) -> StoreResult<Vec<RegionToday>> {
    let mut sums: BTreeMap<Option<String>, (i64, i64, i64)> = BTreeMap::new();
    for s in stores {
        let (revenue, orders, sales) = per_store.get(&s.id).copied().unwrap_or_default();
        let e = sums.entry(s.region_id.clone()).or_default();
        e.0 += revenue;
        e.1 += orders;
        e.2 += sales;
    }
    if sums.len() < 2 {
        return Ok(vec![]);
    }
    let mut names: HashMap<String, String> = HashMap::new();
    for r in sqlx::query("SELECT id, name FROM regions WHERE company_id = $1")
        .bind(p.company_id.to_string())
        .fetch_all(&db.pool)
        .await?
    {
        names.insert(row::text(&r, "id")?, row::text(&r, "name")?);
    }
    let mut out: Vec<RegionToday> = sums
        .into_iter()
        .map(|(id, (revenue, orders, sales))| RegionToday {
            name: id
                .as_ref()
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default(),
            region_id: id,
            revenue,
            orders,
            avg_basket: basket(sales, orders),
        })
        .collect();
    out.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}

/// The store's registers today (from the register rollup), ranked; active registers that sold
/// nothing are listed with zeros.
async fn registers(db: &Db, store: &StoreInfo) -> StoreResult<Vec<RegisterToday>> {
    let rows = sqlx::query(
        "SELECT r.id, r.code, r.name, r.active, t.revenue_minor, t.returns_minor, t.orders \
         FROM registers r LEFT JOIN analytics_register_daily t ON t.register_id = r.id \
         AND t.store_id = r.store_id AND t.business_day = $1 WHERE r.store_id = $2",
    )
    .bind(store.today.clone())
    .bind(store.id.clone())
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let revenue = row::opt_int(&r, "revenue_minor")?;
        if revenue.is_none() && !row::flag(&r, "active")? {
            continue;
        }
        let revenue = revenue.unwrap_or(0);
        let orders = row::opt_int(&r, "orders")?.unwrap_or(0);
        let returns = row::opt_int(&r, "returns_minor")?.unwrap_or(0);
        out.push(RegisterToday {
            register_id: row::text(&r, "id")?,
            code: row::text(&r, "code")?,
            name: row::text(&r, "name")?,
            revenue,
            orders,
            avg_basket: basket(revenue + returns, orders),
        });
    }
    out.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.code.cmp(&b.code)));
    Ok(out)
}
