//! Replenishment: what a location should order, and the orders themselves. A product is
//! suggested when its stock position (available + in transit) is at or below its reorder
//! point, or — without one — when it does not cover the sales expected over the lead time; the
//! quantity comes from the domain's [`suggest_quantity`]. Daily sales are read from the ledger
//! (sales net of returns at the location over the last `days`); lead time and pack size from
//! the preferred supplier. A store is offered a transfer from a warehouse of its region that
//! has the goods, else a purchase from the supplier. Accepting suggestions writes draft
//! purchase orders (one per supplier) and requested transfers (one per source) in one
//! transaction.

use super::locations;
use super::purchase_orders::PurchaseOrder;
use super::quantity::{self, from_milli, opt_text};
use super::transfers::Transfer;
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::model::DecimalText;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::inventory::{ReorderInput, suggest_quantity};
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

/// Lead time when no supplier is known.
const DEFAULT_LEAD_DAYS: i64 = 3;
/// Lines per order request.
const MAX_LINES: usize = 5000;

/// Where suggested goods come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Buy from a supplier.
    Purchase {
        supplier_id: String,
        supplier_name: String,
        unit_cost_minor: i64,
    },
    /// Ask a warehouse of the region.
    Transfer {
        from_location_id: String,
        from_location_name: String,
        from_available: String,
    },
}

/// One product a location should order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub product_id: String,
    pub sku: String,
    pub name_zh: String,
    pub unit: String,
    pub available: String,
    pub in_transit: String,
    pub reorder_point: Option<String>,
    pub reorder_qty: Option<String>,
    pub max: Option<String>,
    /// Sales net of returns per day over the window.
    pub daily_sales: String,
    pub lead_time_days: i64,
    pub suggested: String,
    /// `null` when neither a warehouse nor a supplier can provide the product.
    pub source: Option<Source>,
}

/// The suggestions of a location.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub data: Vec<Suggestion>,
}

/// The supplier a product is bought from: the preferred one, else the cheapest.
#[derive(Clone, Debug)]
struct SupplierOffer {
    supplier_id: String,
    supplier_name: String,
    cost_minor: i64,
    lead_time_days: i64,
    pack_milli: i64,
}

async fn offers(
    db: &Db,
    p: &Principal,
    products: &[String],
) -> StoreResult<HashMap<String, SupplierOffer>> {
    let mut out = HashMap::new();
    for chunk in products.chunks(2000) {
        let mut q = Sql::new(
            "SELECT sp.product_id, sp.supplier_id, s.name, sp.cost_minor, sp.pack_milli, \
             COALESCE(sp.lead_time_days, s.lead_time_days) AS lead FROM supplier_products sp \
             JOIN suppliers s ON s.id = sp.supplier_id WHERE s.active = 1 AND sp.company_id = ",
        );
        q.bind(p.company_id.to_string())
            .push(" AND sp.product_id IN ")
            .bind_list(chunk)
            .push(" ORDER BY sp.product_id, sp.preferred DESC, sp.cost_minor, s.code");
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            out.entry(row::text(&r, "product_id")?)
                .or_insert(SupplierOffer {
                    supplier_id: row::text(&r, "supplier_id")?,
                    supplier_name: row::text(&r, "name")?,
                    cost_minor: row::int(&r, "cost_minor")?,
                    lead_time_days: row::int(&r, "lead")?,
                    pack_milli: row::int(&r, "pack_milli")?,
                });
        }
    }
    Ok(out)
}

/// The best-stocked warehouse of `region` per product: (id, name, available).
async fn warehouses(
    db: &Db,
    p: &Principal,
    region: &str,
    products: &[String],
) -> StoreResult<HashMap<String, (String, String, i64)>> {
    let mut out: HashMap<String, (String, String, i64)> = HashMap::new();
    for chunk in products.chunks(2000) {
        let mut q = Sql::new(
            "SELECT sl.product_id, s.id, s.name, sl.on_hand_milli - sl.reserved_milli AS avail \
             FROM stock_levels sl JOIN stores s ON s.id = sl.location_id \
             WHERE s.kind = 'warehouse' AND s.active = 1 AND s.company_id = ",
        );
        q.bind(p.company_id.to_string())
            .push(" AND s.region_id = ")
            .bind(region.to_string())
            .push(" AND sl.product_id IN ")
            .bind_list(chunk)
            .push(" ORDER BY s.code");
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            let avail = row::int(&r, "avail")?;
            let pid = row::text(&r, "product_id")?;
            if out.get(&pid).is_none_or(|(_, _, a)| avail > *a) {
                out.insert(pid, (row::text(&r, "id")?, row::text(&r, "name")?, avail));
            }
        }
    }
    Ok(out)
}

/// What the location should order now, by SKU.
pub async fn suggestions(
    db: &Db,
    p: &Principal,
    location_id: &str,
    days: i64,
) -> StoreResult<Suggestions> {
    if !(1..=365).contains(&days) {
        return Err(StoreError::invalid(
            "days",
            "out_of_range",
            "from 1 to 365 days",
        ));
    }
    let loc = locations::load(&db.pool, p, location_id, true).await?;
    let since = clock::format(OffsetDateTime::now_utc() - Duration::days(days));
    let mut sold: HashMap<String, i64> = HashMap::new();
    let rows = sqlx::query(
        "SELECT product_id, CAST(SUM(quantity_milli) AS BIGINT) AS q FROM stock_movements \
         WHERE location_id = $1 AND kind IN ('sale', 'return') AND at >= $2 GROUP BY product_id",
    )
    .bind(&loc.id)
    .bind(&since)
    .fetch_all(&db.pool)
    .await?;
    for r in &rows {
        // Sales are negative movements, returns positive: the net sold is minus the sum.
        let net = -row::int(r, "q")?;
        if net > 0 {
            sold.insert(row::text(r, "product_id")?, (2 * net + days) / (2 * days));
        }
    }
    let levels = sqlx::query(
        "SELECT sl.product_id, p.sku, p.name_zh, p.unit, p.cost_price_minor, sl.on_hand_milli, sl.reserved_milli, \
         sl.in_transit_milli, sl.reorder_point_milli, sl.reorder_qty_milli, sl.max_milli \
         FROM stock_levels sl JOIN products p ON p.id = sl.product_id \
         WHERE sl.location_id = $1 AND p.status = 'active' ORDER BY p.sku",
    )
    .bind(&loc.id)
    .fetch_all(&db.pool)
    .await?;
    // Only products that could be due need their supplier looked up.
    let mut candidates = Vec::new();
    for r in &levels {
        let pid = row::text(r, "product_id")?;
        let position = row::int(r, "on_hand_milli")? - row::int(r, "reserved_milli")?
            + row::int(r, "in_transit_milli")?;
        let due = match row::opt_int(r, "reorder_point_milli")? {
            Some(rp) => position <= rp,
            None => sold.contains_key(&pid),
        };
        if due {
            candidates.push((pid, r));
        }
    }
    let ids: Vec<String> = candidates.iter().map(|(id, _)| id.clone()).collect();
    let offers = offers(db, p, &ids).await?;
    let mut data = Vec::new();
    for (pid, r) in candidates {
        let offer = offers.get(&pid);
        let on_hand = row::int(r, "on_hand_milli")?;
        let reserved = row::int(r, "reserved_milli")?;
        let input = ReorderInput {
            available: on_hand - reserved,
            in_transit: row::int(r, "in_transit_milli")?,
            reorder_point: row::opt_int(r, "reorder_point_milli")?,
            reorder_qty: row::opt_int(r, "reorder_qty_milli")?,
            max: row::opt_int(r, "max_milli")?,
            daily_sales: sold.get(&pid).copied().unwrap_or(0),
            lead_time_days: offer.map_or(DEFAULT_LEAD_DAYS, |o| o.lead_time_days),
            pack: offer.map_or(1000, |o| o.pack_milli),
        };
        let suggested = suggest_quantity(&input);
        if suggested <= 0 {
            continue;
        }
        data.push((
            Suggestion {
                product_id: pid,
                sku: row::text(r, "sku")?,
                name_zh: row::text(r, "name_zh")?,
                unit: row::text(r, "unit")?,
                available: from_milli(input.available),
                in_transit: from_milli(input.in_transit),
                reorder_point: opt_text(input.reorder_point),
                reorder_qty: opt_text(input.reorder_qty),
                max: opt_text(input.max),
                daily_sales: from_milli(input.daily_sales),
                lead_time_days: input.lead_time_days,
                suggested: from_milli(suggested),
                source: offer.map(|o| Source::Purchase {
                    supplier_id: o.supplier_id.clone(),
                    supplier_name: o.supplier_name.clone(),
                    unit_cost_minor: o.cost_minor,
                }),
            },
            suggested,
        ));
    }
    if loc.kind == "store"
        && let Some(region) = &loc.region_id
    {
        let ids: Vec<String> = data.iter().map(|(s, _)| s.product_id.clone()).collect();
        let stocked = warehouses(db, p, region, &ids).await?;
        for (s, want) in &mut data {
            if let Some((id, name, avail)) = stocked.get(&s.product_id)
                && *avail >= *want
            {
                s.source = Some(Source::Transfer {
                    from_location_id: id.clone(),
                    from_location_name: name.clone(),
                    from_available: from_milli(*avail),
                });
            }
        }
    }
    Ok(Suggestions {
        data: data.into_iter().map(|(s, _)| s).collect(),
    })
}

/// Where an ordered line comes from, as a suggestion named it (other fields of the
/// suggestion's source are ignored).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceInput {
    Purchase {
        supplier_id: String,
        /// Defaults to the supplier's cost, else the product's cost price.
        unit_cost_minor: Option<i64>,
    },
    Transfer {
        from_location_id: String,
    },
}

/// One line to order.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub product_id: String,
    pub quantity: DecimalText,
    pub source: SourceInput,
}

/// Accepted suggestions of a location.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrdersInput {
    pub location_id: String,
    #[serde(default)]
    pub notes: String,
    pub lines: Vec<OrderLineInput>,
}

/// The documents written: draft purchase orders and requested transfers, as their own reads
/// show them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrdersResult {
    pub purchase_orders: Vec<PurchaseOrder>,
    pub transfers: Vec<Transfer>,
}

/// Lines grouped by a key, in the order the keys first appear.
struct Groups<T> {
    keys: Vec<String>,
    lines: HashMap<String, Vec<T>>,
}

impl<T> Groups<T> {
    fn new() -> Self {
        Groups {
            keys: Vec::new(),
            lines: HashMap::new(),
        }
    }

    fn push(&mut self, key: &str, line: T) {
        if !self.lines.contains_key(key) {
            self.keys.push(key.to_string());
        }
        self.lines.entry(key.to_string()).or_default().push(line);
    }

    fn take(mut self) -> Vec<(String, Vec<T>)> {
        self.keys
            .into_iter()
            .map(|k| {
                let l = self.lines.remove(&k).unwrap_or_default();
                (k, l)
            })
            .collect()
    }
}

/// Ids among `ids` of rows of `table` in the caller's company that are active.
async fn existing(
    db: &Db,
    p: &Principal,
    table: &str,
    ids: &[String],
) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new(&format!(
        "SELECT id, name FROM {table} WHERE active = 1 AND company_id = "
    ));
    q.bind(p.company_id.to_string())
        .push(" AND id IN ")
        .bind_list(ids);
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        out.insert(row::text(&r, "id")?, row::text(&r, "name")?);
    }
    Ok(out)
}

/// Writes draft purchase orders (one per supplier) and requested transfers (one per source
/// location) for accepted suggestions, all in one transaction: either every document is
/// written or none.
pub async fn order(
    db: &Db,
    p: &Principal,
    input: &OrdersInput,
    idem: Option<&IdemLock>,
) -> StoreResult<OrdersResult> {
    let mut v = Validator::new();
    v.text("/notes", &input.notes, 0, 500);
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        v.add("/lines", "out_of_range", "from 1 to 5,000 lines");
    }
    let mut qty = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        qty.push(quantity::positive(
            &mut v,
            &format!("/lines/{i}/quantity"),
            &l.quantity,
        ));
        if let SourceInput::Purchase {
            unit_cost_minor: Some(c),
            ..
        } = &l.source
            && *c < 0
        {
            v.add(
                format!("/lines/{i}/source/unit_cost_minor"),
                "out_of_range",
                "must not be negative",
            );
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let loc = locations::load(&db.pool, p, &input.location_id, true).await?;
    let ids: Vec<String> = input.lines.iter().map(|l| l.product_id.clone()).collect();
    let products = super::products::check(&db.pool, p, &ids, "/lines").await?;
    let (mut supplier_ids, mut from_ids) = (Vec::new(), Vec::new());
    for l in &input.lines {
        match &l.source {
            SourceInput::Purchase { supplier_id, .. } => supplier_ids.push(supplier_id.clone()),
            SourceInput::Transfer { from_location_id } => from_ids.push(from_location_id.clone()),
        }
    }
    supplier_ids.sort();
    supplier_ids.dedup();
    from_ids.sort();
    from_ids.dedup();
    let suppliers = existing(db, p, "suppliers", &supplier_ids).await?;
    let sources = existing(db, p, "stores", &from_ids).await?;
    // Supplier costs of the (supplier, product) pairs.
    let mut costs: HashMap<(String, String), i64> = HashMap::new();
    if !supplier_ids.is_empty() {
        let mut q = Sql::new(
            "SELECT supplier_id, product_id, cost_minor FROM supplier_products WHERE company_id = ",
        );
        q.bind(p.company_id.to_string())
            .push(" AND supplier_id IN ")
            .bind_list(&supplier_ids);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            costs.insert(
                (row::text(&r, "supplier_id")?, row::text(&r, "product_id")?),
                row::int(&r, "cost_minor")?,
            );
        }
    }
    let mut v = Validator::new();
    // (product, quantity, unit cost) per supplier; (product, quantity) per source.
    let mut purchases: Groups<(String, i64, i64)> = Groups::new();
    let mut transfers: Groups<(String, i64)> = Groups::new();
    for (i, (l, q)) in input.lines.iter().zip(&qty).enumerate() {
        match &l.source {
            SourceInput::Purchase {
                supplier_id,
                unit_cost_minor,
            } => {
                if !suppliers.contains_key(supplier_id) {
                    v.add(
                        format!("/lines/{i}/source/supplier_id"),
                        "not_found",
                        "no such active supplier",
                    );
                    continue;
                }
                let cost = unit_cost_minor
                    .or_else(|| {
                        costs
                            .get(&(supplier_id.clone(), l.product_id.clone()))
                            .copied()
                    })
                    .or_else(|| products.get(&l.product_id).map(|x| x.cost_price_minor))
                    .unwrap_or(0);
                if purchases
                    .lines
                    .get(supplier_id)
                    .is_some_and(|ls| ls.iter().any(|x| x.0 == l.product_id))
                {
                    v.add(
                        format!("/lines/{i}/product_id"),
                        "duplicate",
                        "ordered twice from this supplier",
                    );
                }
                purchases.push(supplier_id, (l.product_id.clone(), *q, cost));
            }
            SourceInput::Transfer { from_location_id } => {
                if !sources.contains_key(from_location_id) {
                    v.add(
                        format!("/lines/{i}/source/from_location_id"),
                        "not_found",
                        "no such location",
                    );
                    continue;
                }
                if *from_location_id == loc.id {
                    v.add(
                        format!("/lines/{i}/source/from_location_id"),
                        "same_location",
                        "a location cannot supply itself",
                    );
                }
                if transfers
                    .lines
                    .get(from_location_id)
                    .is_some_and(|ls| ls.iter().any(|x| x.0 == l.product_id))
                {
                    v.add(
                        format!("/lines/{i}/product_id"),
                        "duplicate",
                        "requested twice from this location",
                    );
                }
                transfers.push(from_location_id, (l.product_id.clone(), *q));
            }
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let mut out = OrdersResult {
        purchase_orders: Vec::new(),
        transfers: Vec::new(),
    };
    for (supplier, lines) in purchases.take() {
        let id = write_purchase(&mut tx, p, &loc.id, &supplier, &input.notes, &lines).await?;
        out.purchase_orders
            .push(super::purchase_orders::read(&mut tx, p, &id).await?);
    }
    for (from, lines) in transfers.take() {
        let id = write_transfer(&mut tx, p, &from, &loc.id, &input.notes, &lines).await?;
        out.transfers
            .push(super::transfers::read(&mut tx, p, &id).await?);
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "replenishment.ordered", "location", &loc.id)
            .store(&loc.id)
            .details(serde_json::json!({
                "purchase_orders": out.purchase_orders.iter().map(|o| &o.number).collect::<Vec<_>>(),
                "transfers": out.transfers.iter().map(|t| &t.number).collect::<Vec<_>>(),
            })),
    )
    .await?;
    idempotency::finish(&mut tx, idem, 201, &out).await?;
    tx.commit().await?;
    Ok(out)
}

/// quantity × unit cost, half-up (quantities here are positive).
fn amount(quantity_milli: i64, cost_minor: i64) -> i64 {
    ((quantity_milli as i128 * cost_minor as i128 + 500) / 1000) as i64
}

/// Writes one draft purchase order (numbered `PO-…`) with its lines; returns its id.
async fn write_purchase(
    tx: &mut Tx,
    p: &Principal,
    location: &str,
    supplier: &str,
    notes: &str,
    lines: &[(String, i64, i64)],
) -> StoreResult<String> {
    let company = p.company_id.to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let number = super::numbers::next(tx, &company, "PO").await?;
    let total: i64 = lines.iter().map(|(_, q, c)| amount(*q, *c)).sum();
    let now = clock::now();
    sqlx::query(
        "INSERT INTO purchase_orders (id, company_id, number, supplier_id, location_id, status, notes, \
         total_minor, created_by, created_at, version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, 1, $9)",
    )
    .bind(&id)
    .bind(&company)
    .bind(&number)
    .bind(supplier)
    .bind(location)
    .bind(notes.trim())
    .bind(total)
    .bind(&p.id)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    for (n, (product, q, cost)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO purchase_order_lines (po_id, line_no, product_id, quantity_milli, unit_cost_minor) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(n as i64 + 1)
        .bind(product)
        .bind(*q)
        .bind(*cost)
        .execute(&mut **tx)
        .await?;
    }
    audit::append(
        tx,
        AuditEntry::by(p, "purchase_order.created", "purchase_order", &id)
            .store(location)
            .details(serde_json::json!({
                "number": number, "supplier_id": supplier, "total_minor": total,
                "lines": lines.len(), "from": "replenishment",
            })),
    )
    .await?;
    Ok(id)
}

/// Writes one requested transfer (numbered `TR-…`) with its lines; returns its id.
async fn write_transfer(
    tx: &mut Tx,
    p: &Principal,
    from: &str,
    to: &str,
    notes: &str,
    lines: &[(String, i64)],
) -> StoreResult<String> {
    let company = p.company_id.to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let number = super::numbers::next(tx, &company, "TR").await?;
    let now = clock::now();
    sqlx::query(
        "INSERT INTO transfers (id, company_id, number, from_location_id, to_location_id, status, notes, \
         requested_by, requested_at, version, updated_at) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $8, 1, $8)",
    )
    .bind(&id)
    .bind(&company)
    .bind(&number)
    .bind(from)
    .bind(to)
    .bind(notes.trim())
    .bind(&p.id)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    for (n, (product, q)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO transfer_lines (transfer_id, line_no, product_id, requested_milli) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(n as i64 + 1)
        .bind(product)
        .bind(*q)
        .execute(&mut **tx)
        .await?;
    }
    audit::append(
        tx,
        AuditEntry::by(p, "transfer.requested", "transfer", &id)
            .store(to)
            .details(serde_json::json!({
                "number": number, "from_location_id": from, "to_location_id": to,
                "lines": lines.len(), "from": "replenishment",
            })),
    )
    .await?;
    Ok(id)
}
