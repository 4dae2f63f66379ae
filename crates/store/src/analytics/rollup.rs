//! The rollup worker: adds sales and returns that are not yet counted into every rollup table
//! and records them in `analytics_applied` — in one transaction per batch, so each sale is
//! counted exactly once even with several app servers or a crash between batches. The
//! register's transaction is untouched: the worker finds its sales through the outbox events
//! it writes (`follow`), woken by its commits (`Db::subscribe`) and every second for other
//! servers'.
//!
//! Cost = quantity × the product's moving-average cost (`product_costs.avg_cost_minor`, else
//! `products.cost_price_minor`) read when the sale is rolled up, per line, rounded half away
//! from zero to the minor unit.

use crate::bulk::Val;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::orders::unnest;
use crate::{clock, row};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::{Duration, Instant};

/// How far before the watermark the worker's sweep looks for sales not yet applied: it runs
/// when the worker starts, for sales committed before the outbox cursors existed (migration
/// 0021); every other sale is found through the outbox (`follow`).
pub const LOOKBACK: time::Duration = time::Duration::minutes(10);
/// The least time between two passes of the worker under load: each pass is a write
/// transaction that the sale writer waits for on SQLite, so many tiny batches cost more than a
/// few bigger ones; the lag grows by at most this.
pub const PAUSE: Duration = Duration::from_millis(200);
/// Sales per batch.
pub const BATCH: i64 = 500;

/// One sale or return as the rollups need it.
#[derive(Clone, Debug)]
pub struct SaleFact {
    pub id: String,
    pub company_id: String,
    pub store_id: String,
    pub cashier_id: String,
    pub register_id: String,
    /// The member's tier code at sale time, `""` without a member (see `SALE_COLUMNS`).
    pub tier: String,
    /// The channel the sale was priced in, `""` when the company has none.
    pub channel_id: String,
    pub is_return: bool,
    pub business_day: String,
    pub created_at: String,
    pub time_zone: String,
}

/// One line.
#[derive(Clone, Debug)]
pub struct LineFact {
    pub sale_id: String,
    pub product_id: String,
    pub quantity_milli: i64,
    pub total_minor: i64,
    pub tax_minor: i64,
    pub discount_minor: i64,
    pub unit_cost_minor: i64,
}

/// One tender.
#[derive(Clone, Debug)]
pub struct TenderFact {
    pub sale_id: String,
    pub code: String,
    pub amount_minor: i64,
}

/// The summed figures of a rollup row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub revenue: i64,
    pub net: i64,
    pub tax: i64,
    pub discount: i64,
    pub quantity: i64,
    pub sold: i64,
    pub orders: i64,
    pub returns_count: i64,
    pub returns: i64,
    pub cost: i64,
    pub returns_milli: i64,
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.revenue += o.revenue;
        self.net += o.net;
        self.tax += o.tax;
        self.discount += o.discount;
        self.quantity += o.quantity;
        self.sold += o.sold;
        self.orders += o.orders;
        self.returns_count += o.returns_count;
        self.returns += o.returns;
        self.cost += o.cost;
        self.returns_milli += o.returns_milli;
    }
}

/// A store × business day × one attribute of the sale rollup: (company, store, day, attribute).
pub type SaleDimRows = BTreeMap<(String, String, String, String), Sums>;

/// A rollup of store × business day × one attribute of the sale (the cashier, the register,
/// the member tier, the channel): they share one shape, one aggregation and one writer.
pub struct SaleDim {
    pub table: &'static str,
    pub column: &'static str,
    pub attr: fn(&SaleFact) -> &str,
}

/// The sale-attribute rollups, in the order of `Rollups::by_sale`.
pub const SALE_DIMS: [SaleDim; 4] = [
    SaleDim {
        table: "analytics_cashier_daily",
        column: "cashier_id",
        attr: |s| &s.cashier_id,
    },
    SaleDim {
        table: "analytics_register_daily",
        column: "register_id",
        attr: |s| &s.register_id,
    },
    SaleDim {
        table: "analytics_tier_daily",
        column: "tier",
        attr: |s| &s.tier,
    },
    SaleDim {
        table: "analytics_channel_daily",
        column: "channel_id",
        attr: |s| &s.channel_id,
    },
];

/// A chain-wide product rollup: (company, period, product) where the period is the first
/// `len` characters of the business day.
pub type ChainRows = BTreeMap<(String, String, String), Sums>;

/// A chain-wide (company, not store) rollup of products by a period of the business day: they
/// share one shape, one aggregation, one writer and one rebuild statement.
pub struct ChainDim {
    pub table: &'static str,
    /// The period's column.
    pub column: &'static str,
    /// The period is the business day's first `len` characters (`YYYY-MM-DD` or `YYYY-MM`).
    pub len: usize,
}

/// The chain-wide product rollups, finest first (a rebuild sums each coarser one from the
/// first), in the order of `Rollups::by_company`: company × business day × product (migration
/// 0015: the head-office dashboard's top products and categories of today) and company ×
/// month × product (top-N over whole months).
pub const CHAIN_DIMS: [ChainDim; 2] = [
    ChainDim {
        table: "analytics_chain_product_daily",
        column: "business_day",
        len: 10,
    },
    ChainDim {
        table: "analytics_product_monthly",
        column: "month",
        len: 7,
    },
];

/// Every rollup's rows for a set of sales. Keys start with the company id.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rollups {
    /// (company, store, day)
    pub daily: BTreeMap<(String, String, String), Sums>,
    /// (company, store, day, hour)
    pub hourly: BTreeMap<(String, String, String, i64), Sums>,
    /// (company, store, day, product)
    pub product: BTreeMap<(String, String, String, String), Sums>,
    /// The chain-wide product rollups, one per entry of `CHAIN_DIMS` (company × day ×
    /// product, company × month × product).
    pub by_company: [ChainRows; 2],
    /// The sale-attribute rollups, one per entry of `SALE_DIMS` (cashier, register, tier,
    /// channel).
    pub by_sale: [SaleDimRows; 4],
    /// (company, store, day, code) → (amount, count)
    pub tender: BTreeMap<(String, String, String, String), (i64, i64)>,
    /// sale id → its cost
    pub sale_cost: BTreeMap<String, i64>,
}

impl Rollups {
    /// Adds `m` to the sale's row in every sale-attribute rollup.
    fn add_by_sale(&mut self, s: &SaleFact, m: &Sums) {
        for (rows, dim) in self.by_sale.iter_mut().zip(&SALE_DIMS) {
            rows.entry((
                s.company_id.clone(),
                s.store_id.clone(),
                s.business_day.clone(),
                (dim.attr)(s).to_string(),
            ))
            .or_default()
            .add(m);
        }
    }
}

/// qty (thousandths) × unit cost, rounded half away from zero.
pub fn line_cost(quantity_milli: i64, unit_cost_minor: i64) -> i64 {
    let p = i128::from(quantity_milli) * i128::from(unit_cost_minor);
    let r = if p >= 0 {
        (p + 500) / 1000
    } else {
        (p - 500) / 1000
    };
    r as i64
}

fn local_hour(created_at: &str, tz: &str) -> i64 {
    clock::parse(created_at)
        .map(|t| salepoint_domain::org::local_hour(t.unix_timestamp(), tz))
        .unwrap_or(0)
}

/// Adds `sales` (with their lines and tenders) into `out`.
pub fn aggregate(
    sales: &[SaleFact],
    lines: &[LineFact],
    tenders: &[TenderFact],
    out: &mut Rollups,
) {
    let by_id: BTreeMap<&str, &SaleFact> = sales.iter().map(|s| (s.id.as_str(), s)).collect();
    for s in sales {
        let hour = local_hour(&s.created_at, &s.time_zone);
        let head = Sums {
            orders: i64::from(!s.is_return),
            returns_count: i64::from(s.is_return),
            ..Default::default()
        };
        let c = s.company_id.clone();
        out.daily
            .entry((c.clone(), s.store_id.clone(), s.business_day.clone()))
            .or_default()
            .add(&head);
        out.hourly
            .entry((c.clone(), s.store_id.clone(), s.business_day.clone(), hour))
            .or_default()
            .add(&head);
        out.add_by_sale(s, &head);
        out.sale_cost.entry(s.id.clone()).or_default();
    }
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for l in lines {
        let Some(s) = by_id.get(l.sale_id.as_str()) else {
            continue;
        };
        let hour = local_hour(&s.created_at, &s.time_zone);
        let cost = line_cost(l.quantity_milli, l.unit_cost_minor);
        let mut m = Sums {
            revenue: l.total_minor,
            net: l.total_minor - l.tax_minor,
            tax: l.tax_minor,
            discount: l.discount_minor,
            quantity: l.quantity_milli,
            cost,
            ..Default::default()
        };
        if s.is_return {
            m.returns = -l.total_minor;
            m.returns_milli = -l.quantity_milli;
        } else {
            m.sold = l.quantity_milli;
        }
        let c = s.company_id.clone();
        let day = s.business_day.clone();
        // Returned quantity is kept per product only.
        let pm = m;
        m.returns_milli = 0;
        out.daily
            .entry((c.clone(), s.store_id.clone(), day.clone()))
            .or_default()
            .add(&m);
        out.hourly
            .entry((c.clone(), s.store_id.clone(), day.clone(), hour))
            .or_default()
            .add(&m);
        out.add_by_sale(s, &m);
        // Per product, a sale counts once as an order (or a return) however many lines it has.
        let mut pm = pm;
        if seen.insert((l.sale_id.as_str(), l.product_id.as_str())) {
            pm.orders = i64::from(!s.is_return);
            pm.returns_count = i64::from(s.is_return);
        }
        out.product
            .entry((
                c.clone(),
                s.store_id.clone(),
                day.clone(),
                l.product_id.clone(),
            ))
            .or_default()
            .add(&pm);
        for (rows, dim) in out.by_company.iter_mut().zip(&CHAIN_DIMS) {
            rows.entry((
                c.clone(),
                day[..dim.len.min(day.len())].to_string(),
                l.product_id.clone(),
            ))
            .or_default()
            .add(&pm);
        }
        *out.sale_cost.entry(s.id.clone()).or_default() += cost;
    }
    for t in tenders {
        let Some(s) = by_id.get(t.sale_id.as_str()) else {
            continue;
        };
        let e = out
            .tender
            .entry((
                s.company_id.clone(),
                s.store_id.clone(),
                s.business_day.clone(),
                t.code.clone(),
            ))
            .or_default();
        e.0 += t.amount_minor;
        e.1 += 1;
    }
}

/// A sale's facts, read `FROM {SALE_FROM}`. Tier: the member's tier code stored on the sale
/// (a return: its original's); rows written before migration 0008 recorded only the price
/// tier (`customer_tier`), used for sales with a member; `""` without a member. Channel: the
/// one stored, else (before 0008) the company's store channel, as pricing picks it.
pub(crate) const SALE_COLUMNS: &str = "s.id, s.company_id, s.store_id, s.cashier_id, s.register_id, s.kind, \
     s.business_day, s.created_at, st.time_zone, \
     CASE WHEN s.member_tier IS NOT NULL THEN s.member_tier \
     WHEN o.member_tier IS NOT NULL THEN o.member_tier \
     WHEN s.customer_id IS NULL AND o.customer_id IS NULL THEN '' \
     ELSE COALESCE(s.customer_tier, o.customer_tier, '') END AS tier, \
     COALESCE(s.channel_id, (SELECT ch.id FROM channels ch WHERE ch.company_id = s.company_id \
     AND ch.kind = 'store' AND ch.active = 1 ORDER BY ch.code LIMIT 1), '') AS channel_id";

/// The tables `SALE_COLUMNS` reads.
pub(crate) const SALE_FROM: &str = "sales s JOIN stores st ON st.id = s.store_id \
     LEFT JOIN sales o ON o.id = s.original_sale_id";

pub(crate) fn sale_fact(r: &sqlx::any::AnyRow) -> StoreResult<SaleFact> {
    Ok(SaleFact {
        id: row::text(r, "id")?,
        company_id: row::text(r, "company_id")?,
        store_id: row::text(r, "store_id")?,
        cashier_id: row::text(r, "cashier_id")?,
        register_id: row::text(r, "register_id")?,
        tier: row::text(r, "tier")?,
        channel_id: row::text(r, "channel_id")?,
        is_return: row::text(r, "kind")? == "return",
        business_day: row::text(r, "business_day")?,
        created_at: row::text(r, "created_at")?,
        time_zone: row::text(r, "time_zone")?,
    })
}

/// The rows of `head` (ending in `… IN `) followed by the list of `ids`, 500 at a time. Not kept
/// prepared: each length of the list is another text, and every variant stayed in each
/// connection's statement cache (tens of kilobytes each).
async fn fetch_in(db: &Db, head: &str, ids: &[String]) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut q = crate::sql::Sql::new(head);
        q.bind_list(chunk);
        let (sql, args) = q.build();
        out.extend(
            sqlx::query_with(&sql, args)
                .persistent(false)
                .fetch_all(&db.pool)
                .await?,
        );
    }
    Ok(out)
}

/// The lines and tenders of `ids`, with each product's cost now.
pub(crate) async fn details(
    db: &Db,
    ids: &[String],
) -> StoreResult<(Vec<LineFact>, Vec<TenderFact>)> {
    let mut lines = Vec::new();
    for r in fetch_in(
        db,
        "SELECT l.sale_id, l.product_id, l.quantity_milli, l.total_minor, l.tax_minor, \
         l.line_discount_minor + l.order_discount_minor AS discount_minor, \
         COALESCE(pc.avg_cost_minor, p.cost_price_minor) AS unit_cost \
         FROM sale_lines l JOIN products p ON p.id = l.product_id \
         LEFT JOIN product_costs pc ON pc.product_id = l.product_id WHERE l.sale_id IN ",
        ids,
    )
    .await?
    {
        lines.push(LineFact {
            sale_id: row::text(&r, "sale_id")?,
            product_id: row::text(&r, "product_id")?,
            quantity_milli: row::int(&r, "quantity_milli")?,
            total_minor: row::int(&r, "total_minor")?,
            tax_minor: row::int(&r, "tax_minor")?,
            discount_minor: row::int(&r, "discount_minor")?,
            unit_cost_minor: row::int(&r, "unit_cost")?,
        });
    }
    let mut tenders = Vec::new();
    for r in fetch_in(
        db,
        "SELECT sale_id, code, amount_minor FROM sale_tenders WHERE sale_id IN ",
        ids,
    )
    .await?
    {
        tenders.push(TenderFact {
            sale_id: row::text(&r, "sale_id")?,
            code: row::text(&r, "code")?,
            amount_minor: row::int(&r, "amount_minor")?,
        });
    }
    Ok((lines, tenders))
}

/// The newest applied sale's `created_at` ('' when none).
pub async fn watermark(db: &Db) -> StoreResult<String> {
    let r = sqlx::query("SELECT watermark FROM analytics_state WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    match r {
        Some(r) => row::text(&r, "watermark"),
        None => Ok(String::new()),
    }
}

/// Where the worker starts looking: `back` before the watermark.
pub fn since(watermark: &str, back: time::Duration) -> String {
    match clock::parse(watermark) {
        Some(t) => clock::format(t - back),
        None => String::new(),
    }
}

const MEASURE_COLS: &str = "revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, \
     sold_milli, orders, returns_count, returns_minor, cost_minor";

fn measure_vals(m: &Sums) -> Vec<Val> {
    vec![
        m.revenue.into(),
        m.net.into(),
        m.tax.into(),
        m.discount.into(),
        m.quantity.into(),
        m.sold.into(),
        m.orders.into(),
        m.returns_count.into(),
        m.returns.into(),
        m.cost.into(),
    ]
}

fn upsert_tail(table: &str, key: &str, extra: &[&str]) -> String {
    let mut cols: Vec<&str> = MEASURE_COLS.split(", ").collect();
    cols.extend_from_slice(extra);
    let sets = cols
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(" ON CONFLICT ({key}) DO UPDATE SET {sets}")
}

/// Writes `r` into the rollup tables (adding to what is there). On PostgreSQL each table's rows
/// go as one array per column (`unnest::insert`): one statement text whatever the number of
/// rows, prepared once, where a multi-row `VALUES` of 2,000 rows was parsed and planned anew for
/// every batch.
pub(crate) async fn write(tx: &mut crate::Tx, r: &Rollups) -> StoreResult<()> {
    let rows: Vec<Vec<Val>> = r
        .daily
        .iter()
        .map(|((c, s, d), m)| {
            let mut v: Vec<Val> = vec![s.clone().into(), d.clone().into(), c.clone().into()];
            v.extend(measure_vals(m));
            v
        })
        .collect();
    unnest::insert(
        tx,
        &format!("INSERT INTO analytics_daily (store_id, business_day, company_id, {MEASURE_COLS}) VALUES "),
        &rows,
        &upsert_tail("analytics_daily", "store_id, business_day", &[]),
    )
    .await?;
    let rows: Vec<Vec<Val>> = r
        .hourly
        .iter()
        .map(|((c, s, d, h), m)| {
            let mut v: Vec<Val> = vec![
                s.clone().into(),
                d.clone().into(),
                (*h).into(),
                c.clone().into(),
            ];
            v.extend(measure_vals(m));
            v
        })
        .collect();
    unnest::insert(
        tx,
        &format!("INSERT INTO analytics_hourly (store_id, business_day, hour, company_id, {MEASURE_COLS}) VALUES "),
        &rows,
        &upsert_tail("analytics_hourly", "store_id, business_day, hour", &[]),
    )
    .await?;
    let rows: Vec<Vec<Val>> = r
        .product
        .iter()
        .map(|((c, s, d, p), m)| {
            let mut v: Vec<Val> = vec![
                s.clone().into(),
                d.clone().into(),
                p.clone().into(),
                c.clone().into(),
            ];
            v.extend(measure_vals(m));
            v.push(m.returns_milli.into());
            v
        })
        .collect();
    unnest::insert(
        tx,
        &format!("INSERT INTO analytics_product_daily (store_id, business_day, product_id, company_id, {MEASURE_COLS}, returns_milli) VALUES "),
        &rows,
        &upsert_tail("analytics_product_daily", "store_id, business_day, product_id", &["returns_milli"]),
    )
    .await?;
    for (rows, dim) in r.by_company.iter().zip(&CHAIN_DIMS) {
        let rows: Vec<Vec<Val>> = rows
            .iter()
            .map(|((c, period, p), m)| {
                let mut v: Vec<Val> =
                    vec![c.clone().into(), period.clone().into(), p.clone().into()];
                v.extend(measure_vals(m));
                v.push(m.returns_milli.into());
                v
            })
            .collect();
        let (table, column) = (dim.table, dim.column);
        unnest::insert(
            tx,
            &format!("INSERT INTO {table} (company_id, {column}, product_id, {MEASURE_COLS}, returns_milli) VALUES "),
            &rows,
            &upsert_tail(table, &format!("company_id, {column}, product_id"), &["returns_milli"]),
        )
        .await?;
    }
    for (rows, dim) in r.by_sale.iter().zip(&SALE_DIMS) {
        let rows: Vec<Vec<Val>> = rows
            .iter()
            .map(|((c, s, d, a), m)| {
                let mut v: Vec<Val> = vec![
                    s.clone().into(),
                    d.clone().into(),
                    a.clone().into(),
                    c.clone().into(),
                ];
                v.extend(measure_vals(m));
                v
            })
            .collect();
        let (table, column) = (dim.table, dim.column);
        unnest::insert(
            tx,
            &format!("INSERT INTO {table} (store_id, business_day, {column}, company_id, {MEASURE_COLS}) VALUES "),
            &rows,
            &upsert_tail(table, &format!("store_id, business_day, {column}"), &[]),
        )
        .await?;
    }
    let rows: Vec<Vec<Val>> = r
        .tender
        .iter()
        .map(|((c, s, d, code), (a, n))| {
            vec![
                s.clone().into(),
                d.clone().into(),
                code.clone().into(),
                c.clone().into(),
                (*a).into(),
                (*n).into(),
            ]
        })
        .collect();
    unnest::insert(
        tx,
        "INSERT INTO analytics_tender_daily (store_id, business_day, code, company_id, amount_minor, count) VALUES ",
        &rows,
        " ON CONFLICT (store_id, business_day, code) DO UPDATE SET \
         amount_minor = analytics_tender_daily.amount_minor + excluded.amount_minor, \
         count = analytics_tender_daily.count + excluded.count",
    )
    .await?;
    Ok(())
}

/// Rolls up one batch of sales not yet applied, stamped after the watermark minus the whole
/// [`LOOKBACK`] and at or before `until`; returns how many it applied (0: none waiting, or
/// another server took them first). Probes `analytics_applied` for every sale of the window,
/// which is why the worker finds new sales through the outbox (`follow`) and sweeps this way
/// only when it starts, up to then (sales committed later have their events after the cursor).
async fn sweep_batch(db: &Db, until: &str, limit: i64) -> StoreResult<usize> {
    let from = since(&watermark(db).await?, LOOKBACK);
    let rows = sqlx::query(&format!(
        "SELECT {SALE_COLUMNS} FROM {SALE_FROM} \
         WHERE s.created_at > $1 AND s.created_at <= $2 AND NOT EXISTS \
         (SELECT 1 FROM analytics_applied a WHERE a.sale_id = s.id) \
         ORDER BY s.created_at, s.id LIMIT $3"
    ))
    .bind(from)
    .bind(until.to_string())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let sales = rows
        .iter()
        .map(sale_fact)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(apply(db, &sales, None).await?.unwrap_or(0))
}

/// Rolls up the sales `ids` not yet applied and moves a company's outbox cursor past them (if
/// `advance`), in one transaction; `None` when another server moved the cursor or counted one
/// of them first (nothing is written).
pub(crate) async fn apply_ids(
    db: &Db,
    ids: &[String],
    advance: Option<&super::follow::Advance>,
) -> StoreResult<Option<usize>> {
    let sales = fetch_in(
        db,
        &format!(
            "SELECT {SALE_COLUMNS} FROM {SALE_FROM} WHERE NOT EXISTS \
             (SELECT 1 FROM analytics_applied a WHERE a.sale_id = s.id) AND s.id IN "
        ),
        ids,
    )
    .await?
    .iter()
    .map(sale_fact)
    .collect::<StoreResult<Vec<_>>>()?;
    apply(db, &sales, advance).await
}

/// Counts `sales` into every rollup, records them in `analytics_applied` and moves the cursor
/// of `advance`, in one transaction; returns how many it applied, or `None` when another
/// server counted one of them or moved the cursor first (the transaction is rolled back).
async fn apply(
    db: &Db,
    sales: &[SaleFact],
    advance: Option<&super::follow::Advance>,
) -> StoreResult<Option<usize>> {
    if sales.is_empty() && advance.is_none() {
        return Ok(Some(0));
    }
    let ids: Vec<String> = sales.iter().map(|s| s.id.clone()).collect();
    let (lines, tenders) = details(db, &ids).await?;
    let mut r = Rollups::default();
    aggregate(sales, &lines, &tenders, &mut r);
    let mut tx = db.begin().await?;
    if let Some(a) = advance
        && !a.save(&mut tx).await?
    {
        return Ok(None);
    }
    if sales.is_empty() {
        tx.commit().await?;
        return Ok(Some(0));
    }
    // Recording the sales first: a sale another server counted meanwhile breaks the primary
    // key and rolls the whole batch back.
    let applied: Vec<Vec<Val>> = sales
        .iter()
        .map(|s| {
            vec![
                s.id.clone().into(),
                s.store_id.clone().into(),
                s.created_at.clone().into(),
                r.sale_cost.get(&s.id).copied().unwrap_or(0).into(),
            ]
        })
        .collect();
    if let Err(e) = unnest::insert(
        &mut tx,
        "INSERT INTO analytics_applied (sale_id, store_id, created_at, cost_minor) VALUES ",
        &applied,
        "",
    )
    .await
    {
        if let StoreError::Db(sqlx::Error::Database(d)) = &e
            && d.kind() == sqlx::error::ErrorKind::UniqueViolation
        {
            return Ok(None);
        }
        return Err(e);
    }
    write(&mut tx, &r).await?;
    let newest = sales
        .iter()
        .map(|s| s.created_at.as_str())
        .max()
        .unwrap_or("")
        .to_string();
    sqlx::query("UPDATE analytics_state SET watermark = $1 WHERE id = 1 AND watermark < $1")
        .bind(newest)
        .execute(&mut *tx)
        .await?;
    // One event per store touched, naming its newest business day.
    let mut touched: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in sales {
        let e = touched
            .entry((s.company_id.clone(), s.store_id.clone()))
            .or_default();
        if s.business_day > *e {
            *e = s.business_day.clone();
        }
    }
    send_updated(&mut tx, &touched).await?;
    tx.commit().await?;
    db.notify();
    Ok(Some(sales.len()))
}

/// Writes one `analytics.updated` live event per store of `touched` ((company, store) → the
/// newest business day counted there), as the worker's batches and the rebuild send them.
pub(crate) async fn send_updated(
    tx: &mut crate::Tx,
    touched: &BTreeMap<(String, String), String>,
) -> StoreResult<()> {
    let now = clock::now();
    let events: Vec<Vec<Val>> = touched
        .iter()
        .map(|((c, s), d)| {
            vec![
                c.clone().into(),
                Some(s.clone()).into(),
                "analytics.updated".into(),
                serde_json::json!({"store_id": s, "business_day": d})
                    .to_string()
                    .into(),
                now.clone().into(),
            ]
        })
        .collect();
    unnest::insert(
        tx,
        "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) VALUES ",
        &events,
        "",
    )
    .await?;
    Ok(())
}

/// Applies batches until none is waiting — the outbox followed to its end, the sales of events
/// committed beyond it (see [`follow::committed_beyond`](super::follow::committed_beyond)),
/// then the whole [`LOOKBACK`] swept (sales committed before the outbox cursors existed);
/// returns how many sales it applied.
pub async fn drain(db: &Db) -> StoreResult<usize> {
    Ok(follow_all(db).await? + super::follow::committed_beyond(db).await? + sweep(db).await?)
}

/// Follows the outbox until no event is left after any cursor; returns the sales applied.
async fn follow_all(db: &Db) -> StoreResult<usize> {
    let mut n = 0;
    loop {
        let b = follow(db).await?;
        n += b.applied;
        if !b.more {
            return Ok(n);
        }
    }
}

/// One batch of [`follow::batch`](super::follow::batch), its cost counted.
async fn follow(db: &Db) -> StoreResult<super::follow::Batch> {
    let t = Instant::now();
    let b = super::follow::batch(db).await?;
    super::work::count(b.applied, t.elapsed());
    Ok(b)
}

/// Applies the unapplied sales of the whole [`LOOKBACK`] stamped until now, batch by batch.
async fn sweep(db: &Db) -> StoreResult<usize> {
    let until = clock::now();
    let mut n = 0;
    loop {
        let t = Instant::now();
        let k = sweep_batch(db, &until, BATCH).await?;
        super::work::count(k, t.elapsed());
        if k == 0 {
            return Ok(n);
        }
        n += k;
    }
}

/// Whether a migration asked for a rebuild (it added a rollup it could not fill).
pub async fn needs_rebuild(db: &Db) -> StoreResult<bool> {
    let r = sqlx::query("SELECT needs_rebuild FROM analytics_state WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    Ok(match r {
        Some(r) => row::int(&r, "needs_rebuild")? != 0,
        None => false,
    })
}

/// Starts the worker: first the rebuild a migration asked for (once) and one [`drain`] (the
/// outbox, then the sweep of the whole [`LOOKBACK`] for sales committed before the outbox
/// cursors existed); then it follows the outbox on every commit signal and every second, until
/// the process ends; after a pass that applied sales it pauses [`PAUSE`]. Safe to run on
/// several servers at once.
pub fn start(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut wake = db.subscribe();
        match needs_rebuild(&db).await {
            Ok(false) => {}
            Ok(true) => match super::verify::rebuild(&db).await {
                Ok(n) => tracing::info!(sales = n, "analytics rollups rebuilt after an upgrade"),
                Err(e) => {
                    tracing::warn!(error = %e, "analytics rebuild after an upgrade failed; run `salepoint analytics rebuild`")
                }
            },
            Err(e) => tracing::warn!(error = %e, "analytics state unreadable"),
        }
        // A pass drains everything once (the outbox, then the sweep); afterwards one batch
        // per pass, the next at once while batches come back full (catching up), else after
        // the next commit signal (or a second), and not before [`PAUSE`] after one that
        // applied sales: following every commit at once would write one small transaction
        // per sale writer commit, each a turn the sale writer waits for on SQLite.
        let mut swept = false;
        loop {
            let pass = if swept {
                follow(&db).await
            } else {
                drain(&db).await.map(|applied| super::follow::Batch {
                    applied,
                    more: false,
                })
            };
            match pass {
                Ok(b) => {
                    swept = true;
                    if b.more {
                        continue;
                    }
                    if b.applied > 0 {
                        tokio::time::sleep(PAUSE).await;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "analytics rollup failed; will retry"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), wake.changed()).await;
        }
    })
}

/// Sales and returns of a company waiting for the worker — those after the company's outbox
/// cursor — and the newest applied sale's `created_at` (else the oldest waiting one's).
pub async fn pending(db: &Db, company_id: &str) -> StoreResult<(i64, String)> {
    let wm = watermark(db).await?;
    let (n, oldest) = super::follow::waiting(db, company_id).await?;
    Ok((n, if wm.is_empty() { oldest } else { wm }))
}

/// Stores touched by a set of keys (for tests and tools).
pub fn stores_of(r: &Rollups) -> BTreeSet<String> {
    r.daily.keys().map(|k| k.1.clone()).collect()
}
