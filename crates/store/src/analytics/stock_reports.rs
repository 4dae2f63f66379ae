//! Inventory reports (docs/analytics.md, "Inventory reports"): stock value, turnover, days of
//! cover, sell-through and dead stock for the locations in scope, by location, category or
//! product. Each kind is one set-based statement over the stock levels, the ledger since the
//! start of the period (grouped by location × product) and the `analytics_product_daily`
//! rollup; the rows are folded and the ratios taken in Rust from the summed figures, so a
//! group's ratio is the ratio of its sums, never an average of ratios.

use super::reports::{self, day_text};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use rust_decimal::{Decimal, RoundingStrategy};
use salepoint_domain::org::business_day;
use salepoint_domain::roles::Permission;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration};

/// Rows a report may return without `top` (as for the sales reports).
pub const MAX_ROWS: usize = reports::MAX_ROWS;
/// Rows a statement may hand back before the report refuses (a runaway grouping).
const MAX_FETCH: usize = 500_000;
/// The longest period, and the longest look-back.
const MAX_DAYS: i64 = 3653;

/// What an inventory report measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Value,
    Turnover,
    Cover,
    SellThrough,
    DeadStock,
}

impl Kind {
    const ALL: [(&'static str, Kind); 5] = [
        ("value", Kind::Value),
        ("turnover", Kind::Turnover),
        ("cover", Kind::Cover),
        ("sell_through", Kind::SellThrough),
        ("dead_stock", Kind::DeadStock),
    ];
    fn parse(s: &str) -> Option<Kind> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }
    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
    /// Its measures, in the order of the response and of the export's columns.
    pub fn measures(self) -> &'static [M] {
        match self {
            Kind::Value => &[M::Products, M::OnHand, M::Value],
            Kind::Turnover => &[
                M::OpeningValue,
                M::ClosingValue,
                M::AverageValue,
                M::Cogs,
                M::Turnover,
            ],
            Kind::Cover => &[
                M::OnHand,
                M::Value,
                M::Sold,
                M::SoldValue,
                M::AvgDailySold,
                M::CoverDays,
            ],
            Kind::SellThrough => &[M::Opening, M::Received, M::Sold, M::SellThrough],
            Kind::DeadStock => &[M::OnHand, M::Value, M::LastSaleDay, M::DaysSinceSale],
        }
    }
    fn has_period(self) -> bool {
        matches!(self, Kind::Turnover | Kind::SellThrough)
    }
    fn default_days(self) -> Option<i64> {
        match self {
            Kind::Cover => Some(28),
            Kind::DeadStock => Some(90),
            _ => None,
        }
    }
    /// Warehouses sell nothing: the sales-based kinds look at stores only.
    fn stores_only(self) -> bool {
        matches!(self, Kind::Cover | Kind::SellThrough | Kind::DeadStock)
    }
}

/// A dimension of an inventory report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dim {
    Location,
    Category,
    Product,
}

impl Dim {
    /// The key's name in `keys` and `labels`.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Location => "location",
            Dim::Category => "category",
            Dim::Product => "product",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Dim::Location => "sl.location_id",
            Dim::Category => "COALESCE(p.category_id, '')",
            Dim::Product => "sl.product_id",
        }
    }
}

/// A measure of an inventory report (docs/analytics.md defines each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum M {
    Products,
    OnHand,
    Value,
    OpeningValue,
    ClosingValue,
    AverageValue,
    Cogs,
    Turnover,
    Sold,
    SoldValue,
    AvgDailySold,
    CoverDays,
    Opening,
    Received,
    SellThrough,
    LastSaleDay,
    DaysSinceSale,
}

impl M {
    const ALL: [(&'static str, M); 17] = [
        ("products", M::Products),
        ("on_hand_milli", M::OnHand),
        ("value", M::Value),
        ("opening_value", M::OpeningValue),
        ("closing_value", M::ClosingValue),
        ("average_value", M::AverageValue),
        ("cogs", M::Cogs),
        ("turnover", M::Turnover),
        ("sold_milli", M::Sold),
        ("sold_value", M::SoldValue),
        ("avg_daily_sold_milli", M::AvgDailySold),
        ("cover_days", M::CoverDays),
        ("opening_milli", M::Opening),
        ("received_milli", M::Received),
        ("sell_through", M::SellThrough),
        ("last_sale_day", M::LastSaleDay),
        ("days_since_sale", M::DaysSinceSale),
    ];
    fn parse(s: &str) -> Option<M> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }
    /// The measure's name in `values`.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
    /// Decimals of the figure in an export: money 2 (major units), thousandths 3, counts 0;
    /// None for what is already text (rates, days of cover, dates).
    fn scale(self) -> Option<u32> {
        match self {
            M::OnHand | M::Sold | M::AvgDailySold | M::Opening | M::Received => Some(3),
            M::Products | M::DaysSinceSale => Some(0),
            M::Turnover | M::CoverDays | M::SellThrough | M::LastSaleDay => None,
            _ => Some(2),
        }
    }
    /// A figure as the export writes it (as the sales export does: `12.34`, `1.500`, `7`;
    /// decimal strings as they are; null as an empty cell).
    fn cell(self, v: &Value) -> String {
        match (v, self.scale()) {
            (Value::Number(n), Some(scale)) => {
                Decimal::new(n.as_i64().unwrap_or(0), scale).to_string()
            }
            (Value::Number(n), None) => n.to_string(),
            (Value::String(s), _) => s.clone(),
            _ => String::new(),
        }
    }
    fn header(self, zh: bool) -> &'static str {
        if !zh {
            return self.name();
        }
        match self {
            M::Products => "有库存商品数",
            M::OnHand => "库存数量",
            M::Value => "库存金额",
            M::OpeningValue => "期初库存金额",
            M::ClosingValue => "期末库存金额",
            M::AverageValue => "平均库存金额",
            M::Cogs => "销售成本",
            M::Turnover => "周转次数",
            M::Sold => "销售数量",
            M::SoldValue => "销售数量成本额",
            M::AvgDailySold => "日均销量",
            M::CoverDays => "可售天数",
            M::Opening => "期初数量",
            M::Received => "入库数量",
            M::SellThrough => "售罄率",
            M::LastSaleDay => "最后销售日",
            M::DaysSinceSale => "未销售天数",
        }
    }
}

/// The query parameters as sent (all text, so that every bad one is named).
#[derive(Clone, Debug, Default)]
pub struct RawStockQuery {
    pub kind: Option<String>,
    pub group: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub days: Option<String>,
    pub locations: Option<String>,
    pub category: Option<String>,
    pub top: Option<String>,
    pub order: Option<String>,
}

/// A checked inventory report query.
#[derive(Clone, Debug)]
pub struct StockQuery {
    pub kind: Kind,
    pub group: Vec<Dim>,
    /// Business days, inclusive (turnover, sell-through).
    pub period: Option<(Date, Date)>,
    /// The look-back in business days (cover, dead stock).
    pub days: Option<i64>,
    pub locations: Option<Vec<String>>,
    pub category: Option<String>,
    pub top: Option<usize>,
    /// A measure and whether descending.
    pub order: Option<(M, bool)>,
}

const DAY: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn day(v: Option<&str>, field: &str) -> StoreResult<Date> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Err(StoreError::invalid(
            field,
            "required",
            "a date YYYY-MM-DD is required",
        )),
        Some(v) => Date::parse(v, DAY)
            .map_err(|_| StoreError::invalid(field, "invalid_date", "a date YYYY-MM-DD")),
    }
}

fn number(
    v: Option<&str>,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
) -> StoreResult<Option<i64>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(t) => {
            let n: i64 = t
                .parse()
                .map_err(|_| StoreError::invalid(field, "invalid_value", "a whole number"))?;
            if !range.contains(&n) {
                return Err(StoreError::invalid(
                    field,
                    "out_of_range",
                    &format!("from {} to {}", range.start(), range.end()),
                ));
            }
            Ok(Some(n))
        }
    }
}

fn ids(v: Option<&str>, field: &str) -> StoreResult<Option<Vec<String>>> {
    let list: Vec<String> = v
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if list.iter().any(|s| s.parse::<uuid::Uuid>().is_err()) {
        return Err(StoreError::invalid(
            field,
            "invalid_id",
            "ids, comma-separated",
        ));
    }
    Ok((!list.is_empty()).then_some(list))
}

impl StockQuery {
    /// Checks the parameters: every problem names its parameter.
    pub fn parse(q: &RawStockQuery) -> StoreResult<StockQuery> {
        let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            None => return Err(StoreError::invalid("kind", "required", "a report kind")),
            Some(k) => Kind::parse(k).ok_or_else(|| {
                StoreError::invalid(
                    "kind",
                    "unknown_kind",
                    "value, turnover, cover, sell_through or dead_stock",
                )
            })?,
        };
        let group_text = q.group.as_deref().map(str::trim).filter(|g| !g.is_empty());
        let group = if kind == Kind::DeadStock {
            if group_text.is_some() {
                return Err(StoreError::invalid(
                    "group",
                    "unsupported_grouping",
                    "dead stock is always by location and product",
                ));
            }
            vec![Dim::Location, Dim::Category, Dim::Product]
        } else {
            match group_text.unwrap_or("location") {
                "location" => vec![Dim::Location],
                "category" => vec![Dim::Category],
                "product" => vec![Dim::Product],
                "location,category" | "category,location" => vec![Dim::Location, Dim::Category],
                other => {
                    let known = other
                        .split(',')
                        .all(|d| matches!(d.trim(), "location" | "category" | "product"));
                    return Err(if known {
                        StoreError::invalid(
                            "group",
                            "unsupported_grouping",
                            "location, category, product or location,category",
                        )
                    } else {
                        StoreError::invalid(
                            "group",
                            "unknown_dimension",
                            "location, category, product or location,category",
                        )
                    });
                }
            }
        };
        let period = if kind.has_period() {
            let from = day(q.from.as_deref(), "from")?;
            let to = day(q.to.as_deref(), "to")?;
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
            Some((from, to))
        } else {
            None
        };
        let days = match kind.default_days() {
            None => None,
            Some(d) => Some(number(q.days.as_deref(), "days", 1..=3650)?.unwrap_or(d)),
        };
        let top = number(q.top.as_deref(), "top", 1..=10_000)?.map(|n| n as usize);
        let order = match q.order.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => None,
            Some(o) => {
                let (name, desc) = match o.strip_prefix('-') {
                    Some(n) => (n, true),
                    None => (o, false),
                };
                let m = M::parse(name)
                    .filter(|m| kind.measures().contains(m))
                    .ok_or_else(|| {
                        StoreError::invalid(
                            "order",
                            "unknown_measure",
                            "a measure of this kind, - first for descending",
                        )
                    })?;
                Some((m, desc))
            }
        };
        let locations = ids(q.locations.as_deref(), "locations")?;
        let category = ids(q.category.as_deref(), "category")?;
        if category.as_ref().is_some_and(|c| c.len() > 1) {
            return Err(StoreError::invalid(
                "category",
                "invalid_id",
                "one category id",
            ));
        }
        Ok(StockQuery {
            kind,
            group,
            period,
            days,
            locations,
            category: category.and_then(|c| c.into_iter().next()),
            top,
            order,
        })
    }
}

/// One row of an inventory report.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StockReportRow {
    #[schema(value_type = Object)]
    pub keys: serde_json::Map<String, Value>,
    #[schema(value_type = Object)]
    pub labels: serde_json::Map<String, Value>,
    #[schema(value_type = Object)]
    pub values: serde_json::Map<String, Value>,
}

/// An inventory report.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StockReport {
    pub kind: String,
    pub group: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub days: Option<i64>,
    pub currency: String,
    pub measures: Vec<String>,
    pub rows: Vec<StockReportRow>,
    #[schema(value_type = Object)]
    pub totals: serde_json::Map<String, Value>,
    pub row_count: usize,
    pub truncated: bool,
}

/// Figures of a level or a group, summed.
#[derive(Clone, Debug, Default)]
struct Fig {
    products: i64,
    on_hand: i64,
    value: i64,
    opening_value: i64,
    closing_value: i64,
    cogs: i64,
    sold: i64,
    sold_value: i64,
    opening: i64,
    received: i64,
    /// Dead stock only: the last sale day and the store's today.
    last_sale: Option<Date>,
    today: Option<Date>,
}

impl Fig {
    fn add(&mut self, o: &Fig) {
        self.products += o.products;
        self.on_hand += o.on_hand;
        self.value += o.value;
        self.opening_value += o.opening_value;
        self.closing_value += o.closing_value;
        self.cogs += o.cogs;
        self.sold += o.sold;
        self.sold_value += o.sold_value;
        self.opening += o.opening;
        self.received += o.received;
    }

    /// The figure of a measure: a JSON number, a decimal string or null.
    fn value(&self, m: M, days: i64) -> Value {
        match m {
            M::Products => self.products.into(),
            M::OnHand => self.on_hand.into(),
            M::Value => self.value.into(),
            M::OpeningValue => self.opening_value.into(),
            M::ClosingValue => self.closing_value.into(),
            M::AverageValue => half_up(self.opening_value + self.closing_value, 2).into(),
            M::Cogs => self.cogs.into(),
            M::Turnover => ratio(2 * self.cogs, self.opening_value + self.closing_value, 2),
            M::Sold => self.sold.into(),
            M::SoldValue => self.sold_value.into(),
            M::AvgDailySold => half_up(self.sold, days.max(1)).into(),
            M::CoverDays => ratio(days * self.value, self.sold_value, 1),
            M::Opening => self.opening.into(),
            M::Received => self.received.into(),
            M::SellThrough => ratio(self.sold, self.opening + self.received, 4),
            M::LastSaleDay => self
                .last_sale
                .map_or(Value::Null, |d| Value::String(day_text(d))),
            M::DaysSinceSale => match (self.last_sale, self.today) {
                (Some(l), Some(t)) => (t - l).whole_days().into(),
                _ => Value::Null,
            },
        }
    }

    /// The figure as a number to sort by (None sorts last).
    fn sort_key(&self, m: M, days: i64) -> Option<Decimal> {
        match m {
            M::LastSaleDay => self.last_sale.map(|d| Decimal::from(d.to_julian_day())),
            _ => match self.value(m, days) {
                Value::Number(n) => n.as_i64().map(Decimal::from),
                Value::String(s) => s.parse().ok(),
                _ => None,
            },
        }
    }
}

/// a ÷ b rounded half-up to an integer (b > 0).
fn half_up(a: i64, b: i64) -> i64 {
    i64::try_from(
        (Decimal::from(a) / Decimal::from(b))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
    )
    .unwrap_or(0)
}

/// a ÷ b as a decimal string with `dp` places, null when b ≤ 0 (nothing to divide by).
fn ratio(a: i64, b: i64, dp: u32) -> Value {
    if b <= 0 {
        return Value::Null;
    }
    let v = (Decimal::from(a) / Decimal::from(b))
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    Value::String(format!("{:.*}", dp as usize, v))
}

/// A location the report reads, with the bounds of its period or look-back.
struct Loc {
    id: String,
    label: String,
    today: Date,
    /// Period kinds: the UTC stamps where `from` starts and where the day after `to` starts.
    /// Look-back kinds: the first and last business day of the look-back.
    a: String,
    b: String,
}

/// The first second of business day `d` at a location: the earliest instant whose business
/// day is `d` (found by bisection over the domain's own `business_day`, so time zones and the
/// cut-off are read exactly as the register books sales).
fn day_start(d: Date, tz: &str, cutoff: i64) -> StoreResult<i64> {
    let target = day_text(d);
    let midnight = d.midnight().assume_utc().unix_timestamp();
    let (mut lo, mut hi) = (midnight - 3 * 86_400, midnight + 3 * 86_400);
    let day_of = |t: i64| {
        business_day(t, tz, cutoff)
            .ok_or_else(|| StoreError::Internal(format!("unknown time zone {tz}")))
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if day_of(mid)? >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

fn stamp(unix: i64) -> StoreResult<String> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(crate::clock::format)
        .map_err(|e| StoreError::Internal(e.to_string()))
}

/// The locations in scope the report reads, with their bounds. A location asked for that is
/// outside the scope is left out; when it is the only one asked for, `NotFound`.
async fn locations(db: &Db, p: &Principal, q: &StockQuery) -> StoreResult<Vec<Loc>> {
    let mut sql = Sql::new(
        "SELECT id, code, name, kind, time_zone, business_day_cutoff_hour FROM stores WHERE company_id = ",
    );
    sql.bind(p.company_id.to_string());
    crate::org::push_store_scope(&mut sql, p, "id");
    if let Some(asked) = &q.locations {
        sql.push(" AND id IN ");
        sql.bind_list(asked);
    }
    sql.push(" ORDER BY code");
    let (text, args) = sql.build();
    let rows = sqlx::query_with(&text, args).fetch_all(&db.pool).await?;
    if q.locations.as_ref().is_some_and(|a| a.len() == 1) && rows.is_empty() {
        return Err(StoreError::NotFound);
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut out = Vec::new();
    for r in &rows {
        if q.kind.stores_only() && row::text(r, "kind")? != "store" {
            continue;
        }
        let tz = row::text(r, "time_zone")?;
        let cutoff = row::int(r, "business_day_cutoff_hour")?;
        let today = business_day(now, &tz, cutoff)
            .and_then(|t| Date::parse(&t, DAY).ok())
            .ok_or_else(|| StoreError::Internal(format!("unknown time zone {tz}")))?;
        let (a, b) = match (q.period, q.days) {
            (Some((from, to)), _) => (
                stamp(day_start(from, &tz, cutoff)?)?,
                stamp(day_start(to + Duration::days(1), &tz, cutoff)?)?,
            ),
            (None, Some(days)) => (day_text(today - Duration::days(days - 1)), day_text(today)),
            (None, None) => (String::new(), String::new()),
        };
        out.push(Loc {
            id: row::text(r, "id")?,
            label: format!("{} {}", row::text(r, "code")?, row::text(r, "name")?),
            today,
            a,
            b,
        });
    }
    Ok(out)
}

/// `(c.avg or cost price)`: the moving-average cost now.
const COST: &str = "COALESCE(pc.avg_cost_minor, p.cost_price_minor)";

/// The value of `q` thousandths at the cost now, rounded half-up to the minor unit (as the
/// stock browser and the valuation round each level).
fn valued(q: &str) -> String {
    format!("((({q}) * {COST} + CASE WHEN ({q}) < 0 THEN -500 ELSE 500 END) / 1000)")
}

/// The level-grain columns each kind sums (name, SQL).
fn figure_columns(kind: Kind) -> Vec<(&'static str, String)> {
    let closing = "(sl.on_hand_milli - COALESCE(mv.later, 0))";
    let opening = "(sl.on_hand_milli - COALESCE(mv.later, 0) - COALESCE(mv.inside, 0))";
    match kind {
        Kind::Value => vec![
            (
                "products",
                "CASE WHEN sl.on_hand_milli > 0 THEN 1 ELSE 0 END".into(),
            ),
            ("on_hand", "sl.on_hand_milli".into()),
            ("value", valued("sl.on_hand_milli")),
        ],
        Kind::Turnover => vec![
            ("opening_value", valued(opening)),
            ("closing_value", valued(closing)),
            ("cogs", "COALESCE(sd.cogs, 0)".into()),
        ],
        Kind::Cover => vec![
            ("on_hand", "sl.on_hand_milli".into()),
            ("value", valued("sl.on_hand_milli")),
            ("sold", "COALESCE(sd.sold, 0)".into()),
            ("sold_value", valued("COALESCE(sd.sold, 0)")),
        ],
        Kind::SellThrough => vec![
            ("opening", opening.into()),
            ("received", "COALESCE(mv.received, 0)".into()),
            ("sold", "COALESCE(sd.sold, 0)".into()),
        ],
        Kind::DeadStock => vec![
            ("on_hand", "sl.on_hand_milli".into()),
            ("value", valued("sl.on_hand_milli")),
        ],
    }
}

/// What a statement answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The figures summed by the group (every kind but dead stock).
    Groups,
    /// Dead stock: one totals row (how many levels, their on hand and value), then the first
    /// `n` levels in the order asked for, with their last sale day.
    Dead(usize),
}

/// The locations with their bounds, as a FROM item `loc (id, a, b)`: rows of `stores` (a
/// table the planner knows, so the levels are joined by hash, not probed location by
/// location), one SELECT per distinct pair of bounds — usually one, more only across time
/// zones or cut-offs. `whole` = every location of the company (of the kind), so no id list is
/// needed. Written out where it is used rather than as a common table expression: PostgreSQL
/// materializes a CTE read more than once, and a CTE scan keeps the plan from running in
/// parallel workers.
fn push_locations(sql: &mut Sql, p: &Principal, q: &StockQuery, locs: &[Loc], whole: bool) {
    let mut groups: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for l in locs {
        groups
            .entry((l.a.as_str(), l.b.as_str()))
            .or_default()
            .push(l.id.clone());
    }
    let whole = whole && groups.len() == 1;
    sql.push("(");
    for (i, ((a, b), ids)) in groups.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT id, CAST(")
            .bind(a.to_string())
            .push(" AS TEXT) AS a, CAST(");
        sql.bind(b.to_string())
            .push(" AS TEXT) AS b FROM stores WHERE company_id = ")
            .bind(p.company_id.to_string());
        if q.kind.stores_only() {
            sql.push(" AND kind = 'store'");
        }
        if !whole {
            sql.push(" AND id IN ");
            sql.bind_list(ids);
        }
    }
    sql.push(") loc");
}

/// The order of dead stock rows: the measure asked for (default the value, largest first),
/// then location code, category name and SKU; rows without a figure last.
fn dead_order(order: Option<(M, bool)>, t: &str) -> String {
    let (m, desc) = order.unwrap_or((M::Value, true));
    let (col, desc) = match m {
        M::OnHand => ("on_hand", desc),
        M::LastSaleDay => ("last_sale", desc),
        // More days since the last sale = an earlier last sale day.
        M::DaysSinceSale => ("last_sale", !desc),
        _ => ("value", desc),
    };
    let dir = if desc { "DESC" } else { "ASC" };
    format!("{t}.{col} {dir} NULLS LAST, {t}.code, {t}.category_name, {t}.sku")
}

/// Whether the dead stock order needs every dead level's last sale day (else it is read only
/// for the levels shown).
fn orders_by_last_sale(order: Option<(M, bool)>) -> bool {
    matches!(order, Some((M::LastSaleDay | M::DaysSinceSale, _)))
}

/// The last day a level (columns `location`, `product`) sold: one probe of
/// `analytics_product_daily (store_id, product_id, business_day)` (migration 0009).
fn last_sale(location: &str, product: &str) -> String {
    format!(
        "(SELECT MAX(a.business_day) FROM analytics_product_daily a WHERE a.store_id = {location} \
         AND a.product_id = {product} AND a.sold_milli > 0)"
    )
}

/// A statement of a report: the levels of the locations in scope with their cost, and the
/// ledger and rollup sums the kind needs — summed by the group, or for dead stock counted and
/// listed. Shaped for hash joins of the levels (millions at chain scale) with small inputs:
/// the costs (one row per product), the period's movements and sales grouped by level, the
/// levels sold in the look-back — never a probe per level.
fn statement(p: &Principal, q: &StockQuery, locs: &[Loc], whole: bool, part: Part) -> Sql {
    let company = p.company_id.to_string();
    let mut sql = Sql::new("");
    let mut ctes: Vec<&str> = Vec::new();
    if let Some(c) = &q.category {
        sql.push("WITH RECURSIVE cat (id) AS (SELECT id FROM categories WHERE id = ")
            .bind(c.clone())
            .push(" UNION ALL SELECT c.id FROM categories c JOIN cat ON c.parent_id = cat.id)");
        ctes.push("cat");
    }
    let figures = figure_columns(q.kind);
    let mut inner: Vec<String> = q
        .group
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} AS k{i}", d.column()))
        .collect();
    inner.extend(figures.iter().map(|(n, e)| format!("{e} AS {n}")));
    let dead = matches!(part, Part::Dead(_));
    if dead {
        inner.extend([
            "s.code AS code".into(),
            "COALESCE(c.name, '') AS category_name".into(),
            "p.sku AS sku".into(),
        ]);
        if orders_by_last_sale(q.order) {
            inner.push(format!(
                "{} AS last_sale",
                last_sale("sl.location_id", "sl.product_id")
            ));
        }
    }
    // The levels: of every location of the company when the report covers them all and needs
    // no bounds per location, else of the locations in scope.
    let levels_need_loc = !whole || q.kind.stores_only();
    // `lv`: the levels with the figures; NOT MATERIALIZED, so that dead stock's two reads of
    // it (totals, rows shown) are each planned as a scan, not a spilled copy of millions of rows.
    sql.push(if ctes.is_empty() { "WITH " } else { ", " });
    sql.push("lv AS NOT MATERIALIZED (");
    sql.push(&format!(
        "SELECT {} FROM stock_levels sl JOIN products p ON p.id = sl.product_id \
         LEFT JOIN product_costs pc ON pc.product_id = p.id",
        inner.join(", ")
    ));
    if levels_need_loc {
        sql.push(" JOIN ");
        push_locations(&mut sql, p, q, locs, whole);
        sql.push(" ON loc.id = sl.location_id");
    }
    if dead {
        sql.push(
            " JOIN stores s ON s.id = sl.location_id LEFT JOIN categories c ON c.id = p.category_id",
        );
    }
    if q.kind.has_period() {
        // The movements since the start of the period, by level: in the period (`inside`),
        // after it (`later`), and the goods in (`received`).
        sql.push(
            " LEFT JOIN (SELECT m.location_id, m.product_id, \
             CAST(SUM(CASE WHEN m.at < loc.b THEN m.quantity_milli ELSE 0 END) AS BIGINT) AS inside, \
             CAST(SUM(CASE WHEN m.at >= loc.b THEN m.quantity_milli ELSE 0 END) AS BIGINT) AS later, \
             CAST(SUM(CASE WHEN m.at < loc.b AND m.kind IN ('receipt', 'transfer_in', 'transfer_out') \
               THEN m.quantity_milli ELSE 0 END) AS BIGINT) AS received \
             FROM stock_movements m JOIN ",
        );
        push_locations(&mut sql, p, q, locs, whole);
        sql.push(" ON loc.id = m.location_id WHERE m.company_id = ")
            .bind(company.clone())
            .push(
                " AND m.at >= loc.a GROUP BY m.location_id, m.product_id) mv \
                 ON mv.location_id = sl.location_id AND mv.product_id = sl.product_id",
            );
    }
    if matches!(q.kind, Kind::Turnover | Kind::Cover | Kind::SellThrough) {
        // Units sold and their cost over the period or look-back, by level.
        sql.push(
            " LEFT JOIN (SELECT a.store_id AS location_id, a.product_id, \
             CAST(SUM(a.quantity_milli) AS BIGINT) AS sold, CAST(SUM(a.cost_minor) AS BIGINT) AS cogs \
             FROM analytics_product_daily a JOIN ",
        );
        push_locations(&mut sql, p, q, locs, whole);
        sql.push(" ON loc.id = a.store_id WHERE a.company_id = ")
            .bind(company.clone());
        match q.period {
            Some((from, to)) => {
                sql.push(" AND a.business_day >= ").bind(day_text(from));
                sql.push(" AND a.business_day <= ").bind(day_text(to));
            }
            None => {
                sql.push(" AND a.business_day >= loc.a AND a.business_day <= loc.b");
            }
        }
        sql.push(
            " GROUP BY a.store_id, a.product_id) sd \
             ON sd.location_id = sl.location_id AND sd.product_id = sl.product_id",
        );
    }
    if q.kind == Kind::DeadStock {
        // The levels that sold in the look-back, once, for an anti-join.
        sql.push(
            " LEFT JOIN (SELECT a.store_id, a.product_id FROM analytics_product_daily a JOIN ",
        );
        push_locations(&mut sql, p, q, locs, whole);
        sql.push(" ON loc.id = a.store_id WHERE a.company_id = ")
            .bind(company.clone())
            .push(
                " AND a.business_day >= loc.a AND a.sold_milli > 0 GROUP BY a.store_id, a.product_id) sold \
                 ON sold.store_id = sl.location_id AND sold.product_id = sl.product_id",
            );
    }
    sql.push(" WHERE sl.company_id = ").bind(company);
    if q.category.is_some() {
        sql.push(" AND p.category_id IN (SELECT id FROM cat)");
    }
    if q.kind == Kind::DeadStock {
        sql.push(" AND sl.on_hand_milli > 0 AND sold.store_id IS NULL");
    }
    sql.push(")");
    let keys: Vec<String> = (0..q.group.len()).map(|i| format!("x.k{i}")).collect();
    match part {
        Part::Groups => {
            let outer: Vec<String> = keys
                .iter()
                .cloned()
                .chain(
                    figures
                        .iter()
                        .map(|(n, _)| format!("CAST(SUM(x.{n}) AS BIGINT) AS {n}")),
                )
                .collect();
            sql.push(&format!(
                " SELECT {} FROM lv x GROUP BY {} LIMIT {}",
                outer.join(", "),
                keys.join(", "),
                MAX_FETCH + 1
            ));
        }
        Part::Dead(n) => {
            // The totals row first (`part` 0), then the rows shown (`part` 1) in order (`rn`).
            let last = if orders_by_last_sale(q.order) {
                "r.last_sale".to_string()
            } else {
                last_sale("r.k0", "r.k2")
            };
            sql.push(&format!(
                " SELECT CAST(0 AS BIGINT) AS part, CAST(0 AS BIGINT) AS rn, CAST(COUNT(*) AS BIGINT) AS n, '' AS k0, '' AS k1, '' AS k2, \
                 CAST(COALESCE(SUM(x.on_hand), 0) AS BIGINT) AS on_hand, \
                 CAST(COALESCE(SUM(x.value), 0) AS BIGINT) AS value, CAST(NULL AS TEXT) AS last_sale FROM lv x \
                 UNION ALL SELECT CAST(1 AS BIGINT), CAST(ROW_NUMBER() OVER (ORDER BY {ord}) AS BIGINT), CAST(0 AS BIGINT), \
                 r.k0, r.k1, r.k2, r.on_hand, r.value, {last} \
                 FROM (SELECT * FROM lv x ORDER BY {xord} LIMIT {n}) r ORDER BY 1, 2",
                ord = dead_order(q.order, "r"),
                xord = dead_order(q.order, "x"),
            ));
        }
    }
    sql
}

fn too_many() -> StoreError {
    StoreError::invalid(
        "group",
        "too_many_rows",
        "this report has more than 50,000 rows: narrow the locations or the category, or use top",
    )
}

/// Labels of the categories and products among the keys.
async fn labels(
    db: &Db,
    p: &Principal,
    d: Dim,
    ids: &[String],
    locs: &[Loc],
) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    match d {
        Dim::Location => {
            for l in locs {
                out.insert(l.id.clone(), l.label.clone());
            }
        }
        Dim::Category | Dim::Product => {
            let (select, label): (&str, fn(&sqlx::any::AnyRow) -> StoreResult<String>) =
                if d == Dim::Category {
                    ("SELECT id, name FROM categories WHERE company_id = ", |r| {
                        row::text(r, "name")
                    })
                } else {
                    (
                        "SELECT id, sku, name_zh FROM products WHERE company_id = ",
                        |r| {
                            Ok(format!(
                                "{} {}",
                                row::text(r, "sku")?,
                                row::text(r, "name_zh")?
                            ))
                        },
                    )
                };
            let wanted: Vec<String> = ids.iter().filter(|i| !i.is_empty()).cloned().collect();
            for chunk in wanted.chunks(500) {
                let mut q = Sql::new(select);
                q.bind(p.company_id.to_string()).push(" AND id IN ");
                q.bind_list(chunk);
                let (t, a) = q.build();
                for r in sqlx::query_with(&t, a).fetch_all(&db.pool).await? {
                    out.insert(row::text(&r, "id")?, label(&r)?);
                }
            }
        }
    }
    Ok(out)
}

/// Runs a report statement. PostgreSQL: in a transaction of its own with room to hash the
/// levels' joins and groups in memory (`work_mem` 64 MB: at the default 4 MB the grouped
/// movements and sales spill to disk and the planner turns to sorts and merge joins over the
/// levels' index) and without JIT (compiling the expressions took ~0.4 s of each report).
async fn fetch(
    db: &Db,
    text: &str,
    args: sqlx::any::AnyArguments<'static>,
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    if db.backend != crate::db::Backend::Postgres {
        return Ok(sqlx::query_with(text, args).fetch_all(&db.pool).await?);
    }
    let mut tx = db.begin_pooled().await?;
    for set in ["SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"] {
        sqlx::query(set).execute(&mut *tx).await?;
    }
    let rows = sqlx::query_with(text, args).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// An inventory report for the caller (docs/analytics.md, "Inventory reports").
pub async fn report(db: &Db, p: &Principal, q: &StockQuery) -> StoreResult<StockReport> {
    if !p.can(Permission::ReportsRead) {
        return Err(StoreError::Forbidden("reports.read".into()));
    }
    if let Some(c) = &q.category {
        sqlx::query("SELECT id FROM categories WHERE id = $1 AND company_id = $2")
            .bind(c)
            .bind(p.company_id.to_string())
            .fetch_optional(&db.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let locs = locations(db, p, q).await?;
    let today_of: HashMap<&str, Date> = locs.iter().map(|l| (l.id.as_str(), l.today)).collect();
    // Every location of the company (of the kind): no id list in the statement.
    let whole = p.store_filter().is_none() && q.locations.is_none();
    let figures = figure_columns(q.kind);
    let read = |r: &sqlx::any::AnyRow| -> StoreResult<(Vec<String>, Fig)> {
        let keys = (0..q.group.len())
            .map(|i| row::text(r, &format!("k{i}")))
            .collect::<StoreResult<Vec<_>>>()?;
        let mut f = Fig::default();
        for (name, _) in &figures {
            let v = row::int(r, name)?;
            match *name {
                "products" => f.products = v,
                "on_hand" => f.on_hand = v,
                "value" => f.value = v,
                "opening_value" => f.opening_value = v,
                "closing_value" => f.closing_value = v,
                "cogs" => f.cogs = v,
                "sold" => f.sold = v,
                "sold_value" => f.sold_value = v,
                "opening" => f.opening = v,
                _ => f.received = v,
            }
        }
        if q.kind == Kind::DeadStock {
            f.last_sale = row::opt_text(r, "last_sale")?.and_then(|d| Date::parse(&d, DAY).ok());
            f.today = today_of.get(keys[0].as_str()).copied();
        }
        Ok((keys, f))
    };
    let mut rows: Vec<(Vec<String>, Fig)> = Vec::new();
    let mut totals = Fig::default();
    let mut row_count = 0;
    if !locs.is_empty() && q.kind == Kind::DeadStock {
        // Dead stock can be most of the levels: counted and summed in the database, and only
        // the rows shown are read (in the order asked for, by the database), in one statement.
        let limit = q.top.unwrap_or(MAX_ROWS);
        let (text, args) = statement(p, q, &locs, whole, Part::Dead(limit)).build();
        for r in &fetch(db, &text, args).await? {
            if row::int(r, "rn")? == 0 {
                row_count = usize::try_from(row::int(r, "n")?).unwrap_or(0);
                totals.on_hand = row::int(r, "on_hand")?;
                totals.value = row::int(r, "value")?;
            } else {
                rows.push(read(r)?);
            }
        }
        if row_count > MAX_ROWS && q.top.is_none() {
            return Err(too_many());
        }
    } else if !locs.is_empty() {
        let (text, args) = statement(p, q, &locs, whole, Part::Groups).build();
        let fetched = fetch(db, &text, args).await?;
        if fetched.len() > MAX_FETCH {
            return Err(too_many());
        }
        for r in &fetched {
            rows.push(read(r)?);
        }
        if rows.len() > MAX_ROWS && q.top.is_none() {
            return Err(too_many());
        }
        rows.iter().for_each(|(_, f)| totals.add(f));
        row_count = rows.len();
    }
    let days = q.days.unwrap_or(1);
    let mut names = Vec::new();
    for (i, d) in q.group.iter().enumerate() {
        let mut ids: Vec<String> = rows.iter().map(|(k, _)| k[i].clone()).collect();
        ids.sort();
        ids.dedup();
        names.push(labels(db, p, *d, &ids, &locs).await?);
    }
    let mut rows: Vec<(Vec<String>, Vec<String>, Fig)> = rows
        .into_iter()
        .map(|(k, f)| {
            let l = k
                .iter()
                .enumerate()
                .map(|(i, id)| names[i].get(id).cloned().unwrap_or_default())
                .collect();
            (l, k, f)
        })
        .collect();
    // Dead stock comes ordered from the database; the groups are ordered here.
    let order = q.order.filter(|_| q.kind != Kind::DeadStock);
    if q.kind != Kind::DeadStock {
        rows.sort_by(|(la, _, a), (lb, _, b)| {
            let by_measure = match order {
                None => std::cmp::Ordering::Equal,
                Some((m, desc)) => match (a.sort_key(m, days), b.sort_key(m, days)) {
                    (Some(x), Some(y)) => {
                        if desc {
                            y.cmp(&x)
                        } else {
                            x.cmp(&y)
                        }
                    }
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                },
            };
            by_measure.then_with(|| la.cmp(lb))
        });
    }
    if let Some(n) = q.top {
        rows.truncate(n);
    }
    let truncated = row_count > rows.len();
    let ms = q.kind.measures();
    let values = |f: &Fig| -> serde_json::Map<String, Value> {
        ms.iter()
            .map(|m| (m.name().to_string(), f.value(*m, days)))
            .collect()
    };
    let out_rows = rows
        .iter()
        .map(|(l, k, f)| {
            let mut keys = serde_json::Map::new();
            let mut labels = serde_json::Map::new();
            for (i, d) in q.group.iter().enumerate() {
                keys.insert(d.name().into(), Value::String(k[i].clone()));
                labels.insert(d.name().into(), Value::String(l[i].clone()));
            }
            StockReportRow {
                keys,
                labels,
                values: values(f),
            }
        })
        .collect();
    Ok(StockReport {
        kind: q.kind.name().to_string(),
        group: q.group.iter().map(|d| d.name().to_string()).collect(),
        from: q.period.map(|(f, _)| day_text(f)),
        to: q.period.map(|(_, t)| day_text(t)),
        days: q.days,
        currency: crate::org::company(db, p.company_id).await?.currency,
        measures: ms.iter().map(|m| m.name().to_string()).collect(),
        rows: out_rows,
        totals: values(&totals),
        row_count,
        truncated,
    })
}

/// The report as a table: a header row, one row per report row (the keys' labels, then the
/// measures formatted as the sales export formats them), and a last row of totals.
pub fn table(r: &StockReport, zh: bool) -> Vec<Vec<String>> {
    let ms: Vec<M> = r.measures.iter().filter_map(|m| M::parse(m)).collect();
    let mut head: Vec<String> = r
        .group
        .iter()
        .map(|d| match (d.as_str(), zh) {
            ("location", true) => "地点".to_string(),
            ("category", true) => "品类".to_string(),
            ("product", true) => "商品".to_string(),
            (other, _) => other.to_string(),
        })
        .collect();
    head.extend(ms.iter().map(|m| m.header(zh).to_string()));
    let none = if zh { "未分类" } else { "(none)" };
    let mut out = vec![head];
    for row in &r.rows {
        let mut line: Vec<String> = r
            .group
            .iter()
            .map(|d| match row.labels.get(d) {
                Some(Value::String(s)) if s.is_empty() && d == "category" => none.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            })
            .collect();
        line.extend(ms.iter().map(|m| m.cell(&row.values[m.name()])));
        out.push(line);
    }
    let mut total: Vec<String> = r.group.iter().map(|_| String::new()).collect();
    if let Some(first) = total.first_mut() {
        *first = if zh { "合计" } else { "Total" }.to_string();
    }
    total.extend(ms.iter().map(|m| m.cell(&r.totals[m.name()])));
    out.push(total);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_business_day_starts_at_the_cutoff_in_its_time_zone() {
        let d = Date::parse("2026-11-28", DAY).unwrap();
        // Shanghai is UTC+8: midnight local is 16:00 UTC the day before; a 4 o'clock cut-off
        // moves it to 20:00 UTC.
        assert_eq!(
            stamp(day_start(d, "Asia/Shanghai", 0).unwrap()).unwrap(),
            "2026-11-27T16:00:00.000000Z"
        );
        assert_eq!(
            stamp(day_start(d, "Asia/Shanghai", 4).unwrap()).unwrap(),
            "2026-11-27T20:00:00.000000Z"
        );
        assert_eq!(
            stamp(day_start(d, "America/New_York", 6).unwrap()).unwrap(),
            "2026-11-28T11:00:00.000000Z"
        );
    }

    #[test]
    fn ratios_of_sums_and_nulls_when_nothing_to_divide_by() {
        let f = Fig {
            opening_value: 1000,
            closing_value: 3000,
            cogs: 5000,
            value: 2800,
            sold_value: 1400,
            sold: 3000,
            opening: 0,
            received: 8000,
            ..Default::default()
        };
        assert_eq!(f.value(M::AverageValue, 28), Value::from(2000));
        assert_eq!(f.value(M::Turnover, 28), Value::from("2.50"));
        assert_eq!(f.value(M::CoverDays, 7), Value::from("14.0"));
        assert_eq!(f.value(M::SellThrough, 7), Value::from("0.3750"));
        assert_eq!(f.value(M::AvgDailySold, 7), Value::from(429));
        assert_eq!(Fig::default().value(M::CoverDays, 7), Value::Null);
        assert_eq!(Fig::default().value(M::Turnover, 7), Value::Null);
    }
}
