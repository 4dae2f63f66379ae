//! Sales reports and the live dashboard, read from the rollups (docs/analytics.md): the
//! smallest rollup that answers a grouping is chosen, time dimensions are folded from the
//! business day, comparison periods are shifted into the current one and matched by key.

use super::rollup;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::sql::Sql;
use crate::{clock, row};
use rust_decimal::Decimal;
use salepoint_domain::roles::Permission;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, Month};

/// Rows a grouping may return without `top`.
pub const MAX_ROWS: usize = 50_000;
/// Rollup rows a report may read.
const MAX_FETCH: usize = 500_000;
/// The longest period.
const MAX_DAYS: i64 = 3653;

/// A dimension to group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dim {
    Store,
    Region,
    Category,
    Brand,
    Product,
    Cashier,
    BusinessDay,
    Week,
    Month,
    Hour,
    Weekday,
    Tender,
}

impl Dim {
    pub const ALL: [(&'static str, Dim); 12] = [
        ("store", Dim::Store),
        ("region", Dim::Region),
        ("category", Dim::Category),
        ("brand", Dim::Brand),
        ("product", Dim::Product),
        ("cashier", Dim::Cashier),
        ("business_day", Dim::BusinessDay),
        ("week", Dim::Week),
        ("month", Dim::Month),
        ("hour", Dim::Hour),
        ("weekday", Dim::Weekday),
        ("tender", Dim::Tender),
    ];
    pub fn parse(s: &str) -> Option<Dim> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, d)| *d)
    }
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, d)| *d == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
    fn is_time(self) -> bool {
        matches!(
            self,
            Dim::BusinessDay | Dim::Week | Dim::Month | Dim::Weekday
        )
    }
}

/// A measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Revenue,
    Net,
    Quantity,
    Orders,
    AvgBasket,
    Discount,
    Cost,
    Margin,
    Returns,
    ReturnRate,
}

impl Measure {
    pub const ALL: [(&'static str, Measure); 10] = [
        ("revenue", Measure::Revenue),
        ("net", Measure::Net),
        ("quantity", Measure::Quantity),
        ("orders", Measure::Orders),
        ("avg_basket", Measure::AvgBasket),
        ("discount", Measure::Discount),
        ("cost", Measure::Cost),
        ("margin", Measure::Margin),
        ("returns", Measure::Returns),
        ("return_rate", Measure::ReturnRate),
    ];
    pub fn parse(s: &str) -> Option<Measure> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, d)| *d)
    }
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, d)| *d == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
    /// Money in minor units (exports show major units).
    pub fn is_money(self) -> bool {
        !matches!(
            self,
            Measure::Quantity | Measure::Orders | Measure::ReturnRate
        )
    }
}

/// `previous` or `last_year`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Previous,
    LastYear,
}

/// The query parameters as sent.
#[derive(Clone, Debug, Default)]
pub struct RawQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub group: Option<String>,
    pub stores: Option<String>,
    pub regions: Option<String>,
    pub measures: Option<String>,
    pub compare: Option<String>,
    pub top: Option<i64>,
    pub order: Option<String>,
}

/// A checked report query.
#[derive(Clone, Debug)]
pub struct SalesQuery {
    pub from: Date,
    pub to: Date,
    pub group: Vec<Dim>,
    pub stores: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub measures: Vec<Measure>,
    pub compare: Option<Compare>,
    pub top: Option<usize>,
    /// A measure and whether descending.
    pub order: Option<(Measure, bool)>,
}

const DAY: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn day_text(d: Date) -> String {
    d.format(DAY).unwrap_or_default()
}

fn parse_day(v: Option<&str>, field: &str) -> StoreResult<Date> {
    let v = v.unwrap_or("").trim();
    if v.is_empty() {
        return Err(StoreError::invalid(
            field,
            "required",
            "a date YYYY-MM-DD is required",
        ));
    }
    Date::parse(v, DAY).map_err(|_| StoreError::invalid(field, "invalid_date", "a date YYYY-MM-DD"))
}

fn list(v: Option<&str>) -> Vec<String> {
    v.unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl SalesQuery {
    /// Checks the parameters: every problem names its parameter.
    pub fn parse(q: &RawQuery) -> StoreResult<SalesQuery> {
        let from = parse_day(q.from.as_deref(), "from")?;
        let to = parse_day(q.to.as_deref(), "to")?;
        if from > to {
            return Err(StoreError::invalid(
                "from",
                "inverted_period",
                "from is after to",
            ));
        }
        if (to - from).whole_days() > MAX_DAYS {
            return Err(StoreError::invalid(
                "to",
                "period_too_long",
                "a period of at most 10 years",
            ));
        }
        let names = list(q.group.as_deref());
        if names.is_empty() || names.len() > 2 {
            return Err(StoreError::invalid(
                "group",
                "invalid_group",
                "one or two dimensions, comma-separated",
            ));
        }
        let mut group = Vec::new();
        for n in &names {
            let d = Dim::parse(n).ok_or_else(|| {
                StoreError::invalid(
                    "group",
                    "unknown_dimension",
                    &format!("unknown dimension {n}"),
                )
            })?;
            if group.contains(&d) {
                return Err(StoreError::invalid(
                    "group",
                    "invalid_group",
                    "a dimension twice",
                ));
            }
            group.push(d);
        }
        let special: Vec<&Dim> = group
            .iter()
            .filter(|d| !d.is_time() && !matches!(d, Dim::Store | Dim::Region))
            .collect();
        let family = |d: &Dim| match d {
            Dim::Category | Dim::Brand | Dim::Product => 1,
            Dim::Hour => 2,
            Dim::Cashier => 3,
            _ => 4,
        };
        if special.len() == 2 && family(special[0]) != family(special[1]) {
            return Err(StoreError::invalid(
                "group",
                "unsupported_grouping",
                "this pair of dimensions is not kept together; see docs/analytics.md",
            ));
        }
        let measures = match q.measures.as_deref() {
            None | Some("") => Measure::ALL.iter().map(|(_, m)| *m).collect(),
            Some(v) => {
                let mut out = Vec::new();
                for n in list(Some(v)) {
                    let m = Measure::parse(&n).ok_or_else(|| {
                        StoreError::invalid(
                            "measures",
                            "unknown_measure",
                            &format!("unknown measure {n}"),
                        )
                    })?;
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
                if out.is_empty() {
                    return Err(StoreError::invalid(
                        "measures",
                        "required",
                        "at least one measure",
                    ));
                }
                out
            }
        };
        if group.contains(&Dim::Tender)
            && measures
                .iter()
                .any(|m| !matches!(m, Measure::Revenue | Measure::Orders))
        {
            return Err(StoreError::invalid(
                "measures",
                "unsupported_measure",
                "grouped by tender: revenue and orders only",
            ));
        }
        let compare = match q.compare.as_deref() {
            None | Some("") => None,
            Some("previous") => Some(Compare::Previous),
            Some("last_year") => Some(Compare::LastYear),
            Some(_) => {
                return Err(StoreError::invalid(
                    "compare",
                    "invalid_value",
                    "previous or last_year",
                ));
            }
        };
        let top = match q.top {
            None => None,
            Some(n) if (1..=10_000).contains(&n) => Some(n as usize),
            Some(_) => return Err(StoreError::invalid("top", "out_of_range", "1 to 10000")),
        };
        let order = match q.order.as_deref() {
            None | Some("") => None,
            Some(o) => {
                let (name, desc) = match o.strip_prefix('-') {
                    Some(n) => (n, true),
                    None => (o, false),
                };
                let m = Measure::parse(name).ok_or_else(|| {
                    StoreError::invalid("order", "unknown_measure", "a measure, - for descending")
                })?;
                if !measures.contains(&m) {
                    return Err(StoreError::invalid(
                        "order",
                        "not_a_measure",
                        "order by one of the measures asked for",
                    ));
                }
                Some((m, desc))
            }
        };
        let stores = q
            .stores
            .as_deref()
            .map(|s| list(Some(s)))
            .filter(|v| !v.is_empty());
        for s in stores.iter().flatten() {
            if s.parse::<uuid::Uuid>().is_err() {
                return Err(StoreError::invalid(
                    "stores",
                    "invalid_id",
                    "store ids, comma-separated",
                ));
            }
        }
        let regions = q
            .regions
            .as_deref()
            .map(|s| list(Some(s)))
            .filter(|v| !v.is_empty());
        for s in regions.iter().flatten() {
            if s.parse::<uuid::Uuid>().is_err() {
                return Err(StoreError::invalid(
                    "regions",
                    "invalid_id",
                    "region ids, comma-separated",
                ));
            }
        }
        Ok(SalesQuery {
            from,
            to,
            group,
            stores,
            regions,
            measures,
            compare,
            top,
            order,
        })
    }
}

fn last_of_month(d: Date) -> Date {
    let mut x = d;
    while let Some(n) = x.next_day() {
        if n.month() != d.month() {
            break;
        }
        x = n;
    }
    x
}

fn add_months(d: Date, months: i64) -> Date {
    let idx = i64::from(d.year()) * 12 + i64::from(d.month() as u8) - 1 + months;
    let (y, m) = (idx.div_euclid(12) as i32, (idx.rem_euclid(12) + 1) as u8);
    let month = Month::try_from(m).unwrap_or(Month::January);
    let first = Date::from_calendar_date(y, month, 1).unwrap_or(d);
    let last = last_of_month(first);
    Date::from_calendar_date(y, month, d.day().min(last.day())).unwrap_or(last)
}

fn whole_months(from: Date, to: Date) -> Option<i64> {
    (from.day() == 1 && last_of_month(to) == to).then(|| {
        (i64::from(to.year()) * 12 + i64::from(to.month() as u8))
            - (i64::from(from.year()) * 12 + i64::from(from.month() as u8))
            + 1
    })
}

/// How a comparison period relates to the current one.
#[derive(Clone, Copy, Debug)]
enum Shift {
    Days(i64),
    Months(i64),
}

impl Shift {
    fn forward(self, d: Date) -> Date {
        match self {
            Shift::Days(n) => d + Duration::days(n),
            Shift::Months(n) => add_months(d, n),
        }
    }
    fn back(self, d: Date) -> Date {
        match self {
            Shift::Days(n) => d - Duration::days(n),
            Shift::Months(n) => add_months(d, -n),
        }
    }
}

fn comparison(q: &SalesQuery, c: Compare) -> (Date, Date, Shift) {
    let shift = match c {
        Compare::LastYear => Shift::Months(12),
        Compare::Previous => match whole_months(q.from, q.to) {
            Some(n) => Shift::Months(n),
            None => Shift::Days((q.to - q.from).whole_days() + 1),
        },
    };
    let from = shift.back(q.from);
    let to = match (shift, c) {
        (Shift::Months(_), Compare::Previous) => last_of_month(shift.back(q.to)),
        _ => shift.back(q.to),
    };
    (from, to, shift)
}

/// Figures summed from a rollup.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fig {
    pub revenue: i64,
    pub net: i64,
    pub discount: i64,
    pub quantity: i64,
    pub orders: i64,
    pub returns: i64,
    pub cost: i64,
}

impl Fig {
    fn add(&mut self, o: &Fig) {
        self.revenue += o.revenue;
        self.net += o.net;
        self.discount += o.discount;
        self.quantity += o.quantity;
        self.orders += o.orders;
        self.returns += o.returns;
        self.cost += o.cost;
    }
    /// The value of a measure.
    pub fn value(&self, m: Measure) -> Decimal {
        let sales = self.revenue + self.returns;
        match m {
            Measure::Revenue => self.revenue.into(),
            Measure::Net => self.net.into(),
            Measure::Quantity => self.quantity.into(),
            Measure::Orders => self.orders.into(),
            Measure::AvgBasket => {
                if self.orders == 0 {
                    Decimal::ZERO
                } else {
                    (Decimal::from(sales) / Decimal::from(self.orders)).round_dp_with_strategy(
                        0,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                    )
                }
            }
            Measure::Discount => self.discount.into(),
            Measure::Cost => self.cost.into(),
            Measure::Margin => (self.net - self.cost).into(),
            Measure::Returns => self.returns.into(),
            Measure::ReturnRate => {
                if sales == 0 {
                    Decimal::ZERO
                } else {
                    (Decimal::from(self.returns) / Decimal::from(sales)).round_dp_with_strategy(
                        4,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                    )
                }
            }
        }
    }
}

fn json_value(m: Measure, v: Decimal) -> serde_json::Value {
    if m == Measure::ReturnRate {
        serde_json::Value::String(format!("{:.4}", v))
    } else {
        serde_json::Value::from(i64::try_from(v).unwrap_or(0))
    }
}

fn values(ms: &[Measure], f: &Fig) -> serde_json::Map<String, serde_json::Value> {
    ms.iter()
        .map(|m| (m.name().to_string(), json_value(*m, f.value(*m))))
        .collect()
}

/// One row of a report.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    #[schema(value_type = Object)]
    pub keys: serde_json::Map<String, serde_json::Value>,
    #[schema(value_type = Object)]
    pub labels: serde_json::Map<String, serde_json::Value>,
    #[schema(value_type = Object)]
    pub values: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub compare: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub diff: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub diff_pct: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The comparison period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ComparePeriod {
    pub mode: String,
    pub from: String,
    pub to: String,
}

/// A report.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SalesReport {
    pub from: String,
    pub to: String,
    pub group: Vec<String>,
    pub measures: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<ComparePeriod>,
    pub source: String,
    pub rows: Vec<ReportRow>,
    #[schema(value_type = Object)]
    pub totals: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub compare_totals: Option<serde_json::Map<String, serde_json::Value>>,
    pub row_count: usize,
    pub truncated: bool,
}

/// Which rollup answers, and how its columns read.
struct Source {
    table: &'static str,
    monthly: bool,
}

fn source(q: &SalesQuery, p: &Principal) -> Source {
    let g = &q.group;
    if g.contains(&Dim::Hour) {
        return Source {
            table: "analytics_hourly",
            monthly: false,
        };
    }
    if g.contains(&Dim::Tender) {
        return Source {
            table: "analytics_tender_daily",
            monthly: false,
        };
    }
    if g.contains(&Dim::Cashier) {
        return Source {
            table: "analytics_cashier_daily",
            monthly: false,
        };
    }
    if g.iter()
        .any(|d| matches!(d, Dim::Product | Dim::Category | Dim::Brand))
    {
        let chain_wide = p.store_filter().is_none() && q.stores.is_none() && q.regions.is_none();
        let only_months = g
            .iter()
            .all(|d| matches!(d, Dim::Product | Dim::Category | Dim::Brand | Dim::Month));
        let compare_months = match q.compare {
            None => true,
            Some(c) => {
                let (f, t, _) = comparison(q, c);
                whole_months(f, t).is_some()
            }
        };
        if chain_wide && only_months && whole_months(q.from, q.to).is_some() && compare_months {
            return Source {
                table: "analytics_product_monthly",
                monthly: true,
            };
        }
        return Source {
            table: "analytics_product_daily",
            monthly: false,
        };
    }
    Source {
        table: "analytics_daily",
        monthly: false,
    }
}

fn key_column(d: Dim) -> Option<&'static str> {
    Some(match d {
        Dim::Store => "t.store_id",
        Dim::Region => "COALESCE(st.region_id, '')",
        Dim::Product => "t.product_id",
        Dim::Category => "COALESCE(p.category_id, '')",
        Dim::Brand => "p.brand",
        Dim::Cashier => "t.cashier_id",
        Dim::Hour => "CAST(t.hour AS TEXT)",
        Dim::Tender => "t.code",
        _ => return None,
    })
}

/// The stores a query may read (None = every store of the company).
fn store_set(q: &SalesQuery, p: &Principal) -> StoreResult<Option<Vec<String>>> {
    let scope = p.store_filter();
    match &q.stores {
        None => Ok(scope),
        Some(asked) => {
            let visible: Vec<String> = asked
                .iter()
                .filter(|s| s.parse().is_ok_and(|id| p.sees(id)))
                .cloned()
                .collect();
            if asked.len() == 1 && visible.is_empty() {
                return Err(StoreError::NotFound);
            }
            Ok(Some(visible))
        }
    }
}

/// Reads an id and its label from a row.
type LabelRow = fn(&sqlx::any::AnyRow) -> StoreResult<(String, String)>;
/// A product today: sku, name, category id and name, quantity, revenue.
type ProductDay = (String, String, Option<String>, Option<String>, i64, i64);

type Folded = BTreeMap<Vec<String>, Fig>;

#[allow(clippy::too_many_arguments)]
async fn fetch(
    db: &Db,
    p: &Principal,
    q: &SalesQuery,
    src: &Source,
    stores: &Option<Vec<String>>,
    from: Date,
    to: Date,
    shift: Option<Shift>,
) -> StoreResult<Folded> {
    let mut cols: Vec<String> = Vec::new();
    for d in &q.group {
        if let Some(c) = key_column(*d) {
            cols.push(c.to_string());
        }
    }
    let has_time = q.group.iter().any(|d| d.is_time());
    let day_col = if src.monthly {
        "t.month"
    } else {
        "t.business_day"
    };
    if has_time {
        cols.push(day_col.to_string());
    }
    let sums = if src.table == "analytics_tender_daily" {
        "CAST(SUM(t.amount_minor) AS BIGINT) AS revenue, 0 AS net, 0 AS discount, 0 AS quantity, \
         CAST(SUM(t.count) AS BIGINT) AS orders, 0 AS returns, 0 AS cost"
    } else {
        "CAST(SUM(t.revenue_minor) AS BIGINT) AS revenue, CAST(SUM(t.net_minor) AS BIGINT) AS net, \
         CAST(SUM(t.discount_minor) AS BIGINT) AS discount, CAST(SUM(t.quantity_milli) AS BIGINT) AS quantity, \
         CAST(SUM(t.orders) AS BIGINT) AS orders, CAST(SUM(t.returns_minor) AS BIGINT) AS returns, \
         CAST(SUM(t.cost_minor) AS BIGINT) AS cost"
    };
    let select = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} AS k{i}"))
        .chain(std::iter::once(sums.to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql::new(&format!("SELECT {select} FROM {} t", src.table));
    let needs_store = !src.monthly;
    if needs_store {
        sql.push(" JOIN stores st ON st.id = t.store_id");
    }
    if q.group
        .iter()
        .any(|d| matches!(d, Dim::Category | Dim::Brand))
    {
        sql.push(" JOIN products p ON p.id = t.product_id");
    }
    sql.push(" WHERE t.company_id = ")
        .bind(p.company_id.to_string());
    if src.monthly {
        sql.push(&format!(" AND {day_col} >= "))
            .bind(day_text(from)[..7].to_string());
        sql.push(&format!(" AND {day_col} <= "))
            .bind(day_text(to)[..7].to_string());
    } else {
        sql.push(&format!(" AND {day_col} >= "))
            .bind(day_text(from));
        sql.push(&format!(" AND {day_col} <= ")).bind(day_text(to));
    }
    if needs_store {
        if let Some(s) = stores {
            if s.is_empty() {
                sql.push(" AND 1 = 0");
            } else {
                sql.push(" AND t.store_id IN ");
                sql.bind_list(s);
            }
        }
        if let Some(r) = &q.regions {
            sql.push(" AND st.region_id IN ");
            sql.bind_list(r);
        }
    }
    if !cols.is_empty() {
        sql.push(&format!(" GROUP BY {}", cols.join(", ")));
    }
    sql.push(&format!(" LIMIT {}", MAX_FETCH + 1));
    let (text, args) = sql.build();
    let rows = sqlx::query_with(&text, args).fetch_all(&db.pool).await?;
    if rows.len() > MAX_FETCH {
        return Err(too_many());
    }
    let mut out = Folded::new();
    for r in &rows {
        let mut i = 0;
        let mut keyed: Vec<Option<String>> = Vec::new();
        for d in &q.group {
            if key_column(*d).is_some() {
                keyed.push(Some(row::text(r, &format!("k{i}"))?));
                i += 1;
            } else {
                keyed.push(None);
            }
        }
        let day = if has_time {
            let raw = row::text(r, &format!("k{i}"))?;
            let raw = if src.monthly {
                format!("{raw}-01")
            } else {
                raw
            };
            let d = Date::parse(&raw, DAY)
                .map_err(|_| StoreError::Internal(format!("bad business day {raw}")))?;
            Some(match shift {
                Some(s) => s.forward(d),
                None => d,
            })
        } else {
            None
        };
        let key: Vec<String> = q
            .group
            .iter()
            .zip(keyed)
            .map(|(d, k)| match (k, day) {
                (Some(k), _) => k,
                (None, Some(day)) => time_key(*d, day),
                (None, None) => String::new(),
            })
            .collect();
        let f = Fig {
            revenue: row::int(r, "revenue")?,
            net: row::int(r, "net")?,
            discount: row::int(r, "discount")?,
            quantity: row::int(r, "quantity")?,
            orders: row::int(r, "orders")?,
            returns: row::int(r, "returns")?,
            cost: row::int(r, "cost")?,
        };
        out.entry(key).or_default().add(&f);
    }
    Ok(out)
}

fn time_key(d: Dim, day: Date) -> String {
    match d {
        Dim::BusinessDay => day_text(day),
        Dim::Month => day_text(day)[..7].to_string(),
        Dim::Week => {
            let back = i64::from(day.weekday().number_days_from_monday());
            day_text(day - Duration::days(back))
        }
        Dim::Weekday => day.weekday().number_from_monday().to_string(),
        _ => String::new(),
    }
}

fn too_many() -> StoreError {
    StoreError::invalid(
        "group",
        "too_many_rows",
        "this grouping returns more than 50,000 rows: narrow the period or the stores, or use top",
    )
}

async fn labels(
    db: &Db,
    p: &Principal,
    d: Dim,
    ids: &[String],
) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    let (sql, cols): (&str, LabelRow) = match d {
        Dim::Store => (
            "SELECT id, code, name FROM stores WHERE company_id = $1",
            |r| {
                Ok((
                    row::text(r, "id")?,
                    format!("{} {}", row::text(r, "code")?, row::text(r, "name")?),
                ))
            },
        ),
        Dim::Region => ("SELECT id, name FROM regions WHERE company_id = $1", |r| {
            Ok((row::text(r, "id")?, row::text(r, "name")?))
        }),
        Dim::Category => (
            "SELECT id, name FROM categories WHERE company_id = $1",
            |r| Ok((row::text(r, "id")?, row::text(r, "name")?)),
        ),
        Dim::Cashier => (
            "SELECT id, display_name FROM users WHERE company_id = $1",
            |r| Ok((row::text(r, "id")?, row::text(r, "display_name")?)),
        ),
        Dim::Product => {
            for chunk in ids.chunks(500) {
                let mut q = Sql::new("SELECT id, sku, name_zh FROM products WHERE company_id = ");
                q.bind(p.company_id.to_string()).push(" AND id IN ");
                q.bind_list(chunk);
                let (t, a) = q.build();
                for r in sqlx::query_with(&t, a).fetch_all(&db.pool).await? {
                    out.insert(
                        row::text(&r, "id")?,
                        format!("{} {}", row::text(&r, "sku")?, row::text(&r, "name_zh")?),
                    );
                }
            }
            return Ok(out);
        }
        _ => return Ok(out),
    };
    for r in sqlx::query(sql)
        .bind(p.company_id.to_string())
        .fetch_all(&db.pool)
        .await?
    {
        let (k, v) = cols(&r)?;
        out.insert(k, v);
    }
    Ok(out)
}

fn diff_maps(
    ms: &[Measure],
    cur: &Fig,
    old: &Fig,
) -> (
    serde_json::Map<String, serde_json::Value>,
    serde_json::Map<String, serde_json::Value>,
) {
    let mut diff = serde_json::Map::new();
    let mut pct = serde_json::Map::new();
    for m in ms {
        let (a, b) = (cur.value(*m), old.value(*m));
        diff.insert(m.name().into(), json_value(*m, a - b));
        let v = if b.is_zero() {
            serde_json::Value::Null
        } else {
            let p = ((a - b) * Decimal::from(100) / b.abs())
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            serde_json::Value::String(format!("{p:.2}"))
        };
        pct.insert(m.name().into(), v);
    }
    (diff, pct)
}

/// A sales report for the caller (docs/analytics.md).
pub async fn sales(db: &Db, p: &Principal, q: &SalesQuery) -> StoreResult<SalesReport> {
    if !p.can(Permission::ReportsRead) {
        return Err(StoreError::Forbidden("reports.read".into()));
    }
    let stores = store_set(q, p)?;
    let src = source(q, p);
    let cur = fetch(db, p, q, &src, &stores, q.from, q.to, None).await?;
    let cmp = match q.compare {
        None => None,
        Some(c) => {
            let (f, t, shift) = comparison(q, c);
            let rows = fetch(db, p, q, &src, &stores, f, t, Some(shift)).await?;
            Some((c, f, t, rows))
        }
    };
    let mut keys: Vec<Vec<String>> = cur.keys().cloned().collect();
    if let Some((_, _, _, old)) = &cmp {
        for k in old.keys() {
            if !cur.contains_key(k) {
                keys.push(k.clone());
            }
        }
    }
    if keys.len() > MAX_ROWS && q.top.is_none() {
        return Err(too_many());
    }
    let zero = Fig::default();
    let mut totals = Fig::default();
    cur.values().for_each(|f| totals.add(f));
    let mut ctotals = Fig::default();
    if let Some((_, _, _, old)) = &cmp {
        old.values().for_each(|f| ctotals.add(f));
    }
    match q.order {
        Some((m, desc)) => keys.sort_by(|a, b| {
            let va = cur.get(a).unwrap_or(&zero).value(m);
            let vb = cur.get(b).unwrap_or(&zero).value(m);
            let o = if desc { vb.cmp(&va) } else { va.cmp(&vb) };
            o.then_with(|| a.cmp(b))
        }),
        None => keys.sort(),
    }
    let row_count = keys.len();
    let mut truncated = false;
    if let Some(n) = q.top
        && keys.len() > n
    {
        keys.truncate(n);
        truncated = true;
    }
    let mut names: Vec<HashMap<String, String>> = Vec::new();
    for (i, d) in q.group.iter().enumerate() {
        let mut ids: Vec<String> = keys.iter().map(|k| k[i].clone()).collect();
        ids.sort();
        ids.dedup();
        names.push(labels(db, p, *d, &ids).await?);
    }
    let rows = keys
        .iter()
        .map(|k| {
            let f = cur.get(k).unwrap_or(&zero);
            let mut keys_m = serde_json::Map::new();
            let mut labels_m = serde_json::Map::new();
            for (i, d) in q.group.iter().enumerate() {
                let v = if *d == Dim::Hour || *d == Dim::Weekday {
                    serde_json::Value::from(k[i].parse::<i64>().unwrap_or(0))
                } else {
                    serde_json::Value::String(k[i].clone())
                };
                keys_m.insert(d.name().into(), v);
                let label = names[i].get(&k[i]).cloned().unwrap_or_else(|| k[i].clone());
                labels_m.insert(d.name().into(), label.into());
            }
            let (compare, diff, diff_pct) = match &cmp {
                None => (None, None, None),
                Some((_, _, _, old)) => {
                    let o = old.get(k).unwrap_or(&zero);
                    let (d, pct) = diff_maps(&q.measures, f, o);
                    (Some(values(&q.measures, o)), Some(d), Some(pct))
                }
            };
            ReportRow {
                keys: keys_m,
                labels: labels_m,
                values: values(&q.measures, f),
                compare,
                diff,
                diff_pct,
            }
        })
        .collect();
    Ok(SalesReport {
        from: day_text(q.from),
        to: day_text(q.to),
        group: q.group.iter().map(|d| d.name().to_string()).collect(),
        measures: q.measures.iter().map(|m| m.name().to_string()).collect(),
        compare: cmp.as_ref().map(|(c, f, t, _)| ComparePeriod {
            mode: match c {
                Compare::Previous => "previous".into(),
                Compare::LastYear => "last_year".into(),
            },
            from: day_text(*f),
            to: day_text(*t),
        }),
        source: src.table.to_string(),
        rows,
        totals: values(&q.measures, &totals),
        compare_totals: cmp.as_ref().map(|_| values(&q.measures, &ctotals)),
        row_count,
        truncated,
    })
}

// ---------------------------------------------------------------------------------------------
// The dashboard

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

/// Rows of `table` for the stores' days (pairs filtered in Rust).
async fn day_rows(
    db: &Db,
    select: &str,
    stores: &[StoreInfo],
    days: &[String],
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::new();
    let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    for chunk in ids.chunks(400) {
        let mut q = Sql::new(select);
        q.push(" AND t.store_id IN ");
        q.bind_list(chunk);
        q.push(" AND t.business_day IN ");
        q.bind_list(days);
        let (t, a) = q.build();
        out.extend(sqlx::query_with(&t, a).fetch_all(&db.pool).await?);
    }
    Ok(out)
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
    let today_of: HashMap<&str, &StoreInfo> = stores.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut days: Vec<String> = stores.iter().map(|s| s.today.clone()).collect();
    days.sort();
    days.dedup();
    let mut both = days.clone();
    both.extend(stores.iter().map(|s| s.last_week.clone()));
    both.sort();
    both.dedup();
    let is_today = |r: &sqlx::any::AnyRow| -> StoreResult<bool> {
        let s = row::text(r, "store_id")?;
        let d = row::text(r, "business_day")?;
        Ok(today_of.get(s.as_str()).is_some_and(|i| i.today == d))
    };
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
        low_stock: 0,
    };
    let mut sold = 0;
    let mut per_store: HashMap<String, (i64, i64, i64)> = HashMap::new();
    if !stores.is_empty() {
        for r in day_rows(
            db,
            "SELECT t.* FROM analytics_daily t WHERE 1 = 1",
            &stores,
            &days,
        )
        .await?
        {
            if !is_today(&r)? {
                continue;
            }
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
        for r in day_rows(
            db,
            "SELECT t.* FROM analytics_hourly t WHERE 1 = 1",
            &stores,
            &both,
        )
        .await?
        {
            let s = row::text(&r, "store_id")?;
            let day = row::text(&r, "business_day")?;
            let Some(info) = today_of.get(s.as_str()) else {
                continue;
            };
            let h = row::int(&r, "hour")?.clamp(0, 23) as usize;
            let (rev, n) = (row::int(&r, "revenue_minor")?, row::int(&r, "orders")?);
            if info.today == day {
                d.hourly[h].revenue += rev;
                d.hourly[h].orders += n;
            } else if info.last_week == day {
                d.hourly[h].last_week_revenue += rev;
                d.hourly[h].last_week_orders += n;
            }
        }
        let mut mix: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in day_rows(
            db,
            "SELECT t.* FROM analytics_tender_daily t WHERE 1 = 1",
            &stores,
            &days,
        )
        .await?
        {
            if !is_today(&r)? {
                continue;
            }
            let e = mix.entry(row::text(&r, "code")?).or_default();
            e.0 += row::int(&r, "amount_minor")?;
            e.1 += row::int(&r, "count")?;
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
        let mut prods: HashMap<String, ProductDay> = HashMap::new();
        for r in day_rows(
            db,
            "SELECT t.store_id, t.business_day, t.product_id, t.quantity_milli, t.revenue_minor, \
             p.sku, p.name_zh, p.category_id, c.name AS category_name FROM analytics_product_daily t \
             JOIN products p ON p.id = t.product_id LEFT JOIN categories c ON c.id = p.category_id WHERE 1 = 1",
            &stores,
            &days,
        )
        .await?
        {
            if !is_today(&r)? {
                continue;
            }
            let e = prods.entry(row::text(&r, "product_id")?).or_insert((
                row::text(&r, "sku")?,
                row::text(&r, "name_zh")?,
                row::opt_text(&r, "category_id")?,
                row::opt_text(&r, "category_name")?,
                0,
                0,
            ));
            e.4 += row::int(&r, "quantity_milli")?;
            e.5 += row::int(&r, "revenue_minor")?;
        }
        let mut cats: HashMap<Option<String>, (String, i64, i64)> = HashMap::new();
        for (sku, name, cat, cat_name, qty, rev) in prods.values() {
            let e = cats
                .entry(cat.clone())
                .or_insert((cat_name.clone().unwrap_or_default(), 0, 0));
            e.1 += qty;
            e.2 += rev;
            let _ = (sku, name);
        }
        let mut tp: Vec<TopProduct> = prods
            .into_iter()
            .map(|(id, (sku, name, _, _, q, r))| TopProduct {
                product_id: id,
                sku,
                name,
                quantity_milli: q,
                revenue: r,
            })
            .collect();
        tp.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.sku.cmp(&b.sku)));
        tp.truncate(10);
        d.top_products = tp;
        let mut tc: Vec<TopCategory> = cats
            .into_iter()
            .map(|(id, (name, q, r))| TopCategory {
                category_id: id,
                name,
                quantity_milli: q,
                revenue: r,
            })
            .collect();
        tc.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.name.cmp(&b.name)));
        tc.truncate(10);
        d.top_categories = tc;
        let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
        for chunk in ids.chunks(400) {
            let mut q = Sql::new(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM stock_levels WHERE reorder_point_milli IS NOT NULL \
                 AND on_hand_milli <= reorder_point_milli AND location_id IN ",
            );
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
                avg_basket: if orders == 0 {
                    0
                } else {
                    (2 * sales + orders) / (2 * orders)
                },
            }
        })
        .collect();
    d.stores
        .sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.code.cmp(&b.code)));
    let (n, newest) = rollup::pending(db, &p.company_id.to_string()).await?;
    d.pending_sales = n;
    if n > 0
        && let Some(t) = clock::parse(&newest)
    {
        d.rollup_lag_ms = ((now - t).whole_milliseconds() as i64).max(0);
    }
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Export

fn dim_header(d: &str, zh: bool) -> &str {
    if !zh {
        return d;
    }
    match d {
        "store" => "门店",
        "region" => "区域",
        "category" => "品类",
        "brand" => "品牌",
        "product" => "商品",
        "cashier" => "收银员",
        "business_day" => "营业日",
        "week" => "周",
        "month" => "月份",
        "hour" => "小时",
        "weekday" => "星期",
        "tender" => "支付方式",
        other => other,
    }
}

fn measure_header(m: &str, zh: bool) -> &str {
    if !zh {
        return m;
    }
    match m {
        "revenue" => "销售额",
        "net" => "不含税销售额",
        "quantity" => "数量",
        "orders" => "单数",
        "avg_basket" => "客单价",
        "discount" => "折扣",
        "cost" => "成本",
        "margin" => "毛利",
        "returns" => "退货额",
        "return_rate" => "退货率",
        other => other,
    }
}

/// A figure as exported: money in major units with two decimals, quantities with three.
pub fn cell(m: Measure, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => {
            let n = n.as_i64().unwrap_or(0);
            let scale = match m {
                Measure::Quantity => 3,
                Measure::Orders => 0,
                _ => 2,
            };
            Decimal::new(n, scale).to_string()
        }
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// The report as a table: a header row, then one row per report row (labels of the keys,
/// then the measures; with a comparison also its value, difference and per cent).
pub fn table(r: &SalesReport, zh: bool) -> Vec<Vec<String>> {
    let ms: Vec<Measure> = r
        .measures
        .iter()
        .filter_map(|m| Measure::parse(m))
        .collect();
    let mut head: Vec<String> = r
        .group
        .iter()
        .map(|d| dim_header(d, zh).to_string())
        .collect();
    for m in &ms {
        let h = measure_header(m.name(), zh).to_string();
        head.push(h.clone());
        if r.compare.is_some() {
            let (c, d, p) = if zh {
                ("对比", "差额", "差额%")
            } else {
                ("compare", "diff", "diff %")
            };
            head.push(format!("{h} {c}"));
            head.push(format!("{h} {d}"));
            head.push(format!("{h} {p}"));
        }
    }
    let mut out = vec![head];
    for row in &r.rows {
        let mut line: Vec<String> = r
            .group
            .iter()
            .map(|d| match &row.labels[d] {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        for m in &ms {
            line.push(cell(*m, &row.values[m.name()]));
            if let (Some(c), Some(d), Some(p)) = (&row.compare, &row.diff, &row.diff_pct) {
                line.push(cell(*m, &c[m.name()]));
                line.push(cell(*m, &d[m.name()]));
                line.push(p[m.name()].as_str().unwrap_or("").to_string());
            }
        }
        out.push(line);
    }
    out
}
