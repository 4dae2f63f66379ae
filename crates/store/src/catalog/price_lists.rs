//! Price lists: prices per channel, store, region and customer tier, valid for a period, with
//! a priority. Which price applies is decided by `salepoint_domain::pricing::resolve` only.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::ids::CompanyId;
use salepoint_domain::pricing::{self, PriceContext, PriceRule};
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A price list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PriceList {
    pub id: String,
    pub code: String,
    pub name: String,
    pub channel_id: Option<String>,
    pub store_id: Option<String>,
    pub region_id: Option<String>,
    pub customer_tier: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub priority: i64,
    pub active: bool,
    pub item_count: i64,
    pub version: i64,
}

/// Fields of a price list.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceListInput {
    pub code: String,
    pub name: String,
    pub channel_id: Option<String>,
    pub store_id: Option<String>,
    pub region_id: Option<String>,
    pub customer_tier: Option<String>,
    /// RFC 3339, inclusive.
    pub valid_from: Option<String>,
    /// RFC 3339, exclusive.
    pub valid_to: Option<String>,
    #[serde(default)]
    pub priority: i64,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

/// A price of one product in a list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PriceItem {
    pub product_id: String,
    /// `null` on update removes the product from the list.
    pub price_minor: Option<i64>,
}

/// Items to set.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceItemsInput {
    pub items: Vec<PriceItem>,
}

fn from_row(r: &AnyRow) -> StoreResult<PriceList> {
    Ok(PriceList {
        id: row::text(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        channel_id: row::opt_text(r, "channel_id")?,
        store_id: row::opt_text(r, "store_id")?,
        region_id: row::opt_text(r, "region_id")?,
        customer_tier: row::opt_text(r, "customer_tier")?,
        valid_from: row::opt_text(r, "valid_from")?,
        valid_to: row::opt_text(r, "valid_to")?,
        priority: row::int(r, "priority")?,
        active: row::flag(r, "active")?,
        // Absent when the row was read back without the count (just created).
        item_count: row::opt_int(r, "item_count").ok().flatten().unwrap_or(0),
        version: row::int(r, "version")?,
    })
}

const SELECT: &str = "SELECT l.*, (SELECT COUNT(*) FROM price_list_items i WHERE i.price_list_id = l.id) AS item_count \
                      FROM price_lists l";

/// The company's price lists.
pub async fn list(db: &Db, p: &Principal) -> StoreResult<Vec<PriceList>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE l.company_id = $1 ORDER BY l.priority DESC, l.code"
    ))
    .bind(p.company_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One price list.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<PriceList> {
    let r = sqlx::query(&format!("{SELECT} WHERE l.id = $1 AND l.company_id = $2"))
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

fn parse_time(v: &mut Validator, field: &str, value: &Option<String>) -> Option<String> {
    let s = value.as_deref().filter(|s| !s.is_empty())?;
    match time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        Ok(t) => Some(clock::format(t)),
        Err(_) => {
            v.add(
                field,
                "invalid_format",
                "an RFC 3339 time such as 2026-12-01T00:00:00+08:00",
            );
            None
        }
    }
}

struct Checked {
    valid_from: Option<String>,
    valid_to: Option<String>,
}

async fn validate(
    db: &Db,
    p: &Principal,
    id: Option<&str>,
    input: &PriceListInput,
    v: &mut Validator,
) -> StoreResult<Checked> {
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 100);
    if let Some(t) = &input.customer_tier {
        v.code("/customer_tier", t, 32);
    }
    let company = p.company_id.to_string();
    for (field, table, value) in [
        ("/channel_id", "channels", &input.channel_id),
        ("/store_id", "stores", &input.store_id),
        ("/region_id", "regions", &input.region_id),
    ] {
        if let Some(val) = value {
            let found = sqlx::query(&format!(
                "SELECT 1 FROM {table} WHERE id = $1 AND company_id = $2"
            ))
            .bind(val)
            .bind(&company)
            .fetch_optional(&db.pool)
            .await?;
            if found.is_none() {
                v.add(field, "unknown", "no such object");
            }
        }
    }
    let from = parse_time(v, "/valid_from", &input.valid_from);
    let to = parse_time(v, "/valid_to", &input.valid_to);
    if let (Some(f), Some(t)) = (&from, &to)
        && f >= t
    {
        v.add("/valid_to", "before_start", "must be after valid_from");
    }
    // The same scope and priority twice with overlapping periods would make the price ambiguous.
    if input.active.unwrap_or(true) {
        let others = list(db, p).await?;
        let overlaps = others
            .iter()
            .filter(|o| Some(o.id.as_str()) != id && o.active)
            .any(|o| {
                o.channel_id == input.channel_id
                    && o.store_id == input.store_id
                    && o.region_id == input.region_id
                    && o.customer_tier == input.customer_tier
                    && o.priority == input.priority
                    && o.valid_from.as_deref().unwrap_or("") < to.as_deref().unwrap_or("~")
                    && from.as_deref().unwrap_or("") < o.valid_to.as_deref().unwrap_or("~")
            });
        if overlaps {
            v.add(
                "/valid_from",
                "overlap",
                "another active list with the same scope and priority covers part of this period",
            );
        }
    }
    Ok(Checked {
        valid_from: from,
        valid_to: to,
    })
}

/// Creates a price list.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &PriceListInput,
    idem: Option<&IdemLock>,
) -> StoreResult<PriceList> {
    let mut v = Validator::new();
    let c = validate(db, p, None, input, &mut v).await?;
    v.finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO price_lists (id, company_id, code, name, channel_id, store_id, region_id, customer_tier, valid_from, \
         valid_to, priority, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.channel_id.clone())
    .bind(input.store_id.clone())
    .bind(input.region_id.clone())
    .bind(input.customer_tier.clone())
    .bind(c.valid_from)
    .bind(c.valid_to)
    .bind(input.priority)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a price list with this code exists"))?;
    let entry = AuditEntry::by(p, "price_list.created", "price_list", &id)
        .details(serde_json::json!({"code": input.code}));
    finish_create(tx, entry, ("price_lists", &id, from_row), idem).await
}

async fn touch_items(tx: &mut crate::Tx, company: CompanyId, list_id: &str) -> StoreResult<()> {
    let seq = super::next_change(tx, company).await?;
    sqlx::query("UPDATE products SET change_seq = $1 WHERE id IN (SELECT product_id FROM price_list_items WHERE price_list_id = $2)")
        .bind(seq)
        .bind(list_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Updates a price list; its products re-sync to the registers.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &PriceListInput,
) -> StoreResult<PriceList> {
    get(db, p, id).await?;
    let mut v = Validator::new();
    let c = validate(db, p, Some(id), input, &mut v).await?;
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE price_lists SET code = $1, name = $2, channel_id = $3, store_id = $4, region_id = $5, customer_tier = $6, \
         valid_from = $7, valid_to = $8, priority = $9, active = $10, version = version + 1, updated_at = $11 \
         WHERE id = $12 AND company_id = $13 AND version = $14",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.channel_id.clone())
    .bind(input.store_id.clone())
    .bind(input.region_id.clone())
    .bind(input.customer_tier.clone())
    .bind(c.valid_from)
    .bind(c.valid_to)
    .bind(input.priority)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a price list with this code exists"))?;
    if done.rows_affected() == 1 {
        touch_items(&mut tx, p.company_id, id).await?;
    }
    let entry = AuditEntry::by(p, "price_list.updated", "price_list", id)
        .details(serde_json::json!({"code": input.code}));
    finish_update(tx, done.rows_affected(), "price_lists", id, entry).await?;
    get(db, p, id).await
}

/// The items of a list with product SKU and name.
pub async fn items(db: &Db, p: &Principal, id: &str) -> StoreResult<Vec<serde_json::Value>> {
    get(db, p, id).await?;
    let rows = sqlx::query(
        "SELECT i.product_id, i.price_minor, p.sku, p.name_zh, p.list_price_minor FROM price_list_items i \
         JOIN products p ON p.id = i.product_id WHERE i.price_list_id = $1 ORDER BY p.sku",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(serde_json::json!({
                "product_id": row::text(r, "product_id")?,
                "price_minor": row::int(r, "price_minor")?,
                "sku": row::text(r, "sku")?,
                "name_zh": row::text(r, "name_zh")?,
                "list_price_minor": row::int(r, "list_price_minor")?,
            }))
        })
        .collect()
}

/// Sets (or with `price_minor: null` removes) items of a list, in one transaction.
pub async fn set_items(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &PriceItemsInput,
) -> StoreResult<i64> {
    get(db, p, id).await?;
    let mut v = Validator::new();
    if input.items.len() > 10_000 {
        v.add("/items", "too_many", "at most 10,000 items per request");
    }
    for (i, item) in input.items.iter().enumerate() {
        if item.price_minor.is_some_and(|x| x < 0) {
            v.add(
                format!("/items/{i}/price_minor"),
                "negative",
                "must not be negative",
            );
        }
        let found = sqlx::query("SELECT 1 FROM products WHERE id = $1 AND company_id = $2")
            .bind(&item.product_id)
            .bind(p.company_id.to_string())
            .fetch_optional(&db.pool)
            .await?;
        if found.is_none() {
            v.add(
                format!("/items/{i}/product_id"),
                "unknown",
                "no such product",
            );
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let seq = super::next_change(&mut tx, p.company_id).await?;
    for item in &input.items {
        match item.price_minor {
            Some(price) => {
                sqlx::query(
                    "INSERT INTO price_list_items (price_list_id, product_id, price_minor) VALUES ($1, $2, $3) \
                     ON CONFLICT (price_list_id, product_id) DO UPDATE SET price_minor = excluded.price_minor",
                )
                .bind(id)
                .bind(&item.product_id)
                .bind(price)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM price_list_items WHERE price_list_id = $1 AND product_id = $2",
                )
                .bind(id)
                .bind(&item.product_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE products SET change_seq = $1 WHERE id = $2")
            .bind(seq)
            .bind(&item.product_id)
            .execute(&mut *tx)
            .await?;
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "price_list.items_set", "price_list", id)
            .details(serde_json::json!({"items": input.items.len(), "sample": input.items.iter().take(20).collect::<Vec<_>>()})),
    )
    .await?;
    tx.commit().await?;
    Ok(input.items.len() as i64)
}

/// The price rules of active lists, by product, for the given products (all when `None`).
pub async fn rules(
    db: &Db,
    company: CompanyId,
    products: Option<&[String]>,
) -> StoreResult<HashMap<String, Vec<PriceRule>>> {
    let mut q = Sql::new(
        "SELECT i.product_id, i.price_minor, l.id, l.priority, l.channel_id, l.store_id, l.region_id, l.customer_tier, \
         l.valid_from, l.valid_to FROM price_list_items i JOIN price_lists l ON l.id = i.price_list_id \
         WHERE l.active = 1 AND l.company_id = ",
    );
    q.bind(company.to_string());
    if let Some(ids) = products {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        q.push(" AND i.product_id IN ").bind_list(ids);
    }
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let mut out: HashMap<String, Vec<PriceRule>> = HashMap::new();
    for r in &rows {
        out.entry(row::text(r, "product_id")?)
            .or_default()
            .push(rule_from(r, "id", "price_minor")?);
    }
    Ok(out)
}

/// A price rule from a row of a price list (`list_col` its id, `price_col` the item's price,
/// and the list's priority, channel_id, store_id, region_id, customer_tier, valid_from/to).
pub(crate) fn rule_from(r: &AnyRow, list_col: &str, price_col: &str) -> StoreResult<PriceRule> {
    let secs = |s: Option<String>| s.and_then(|s| clock::parse(&s)).map(|t| t.unix_timestamp());
    Ok(PriceRule {
        list_id: row::text(r, list_col)?,
        priority: row::int(r, "priority")?,
        channel: row::opt_text(r, "channel_id")?,
        store: row::opt_text(r, "store_id")?,
        region: row::opt_text(r, "region_id")?,
        tier: row::opt_text(r, "customer_tier")?,
        valid_from: secs(row::opt_text(r, "valid_from")?),
        valid_to: secs(row::opt_text(r, "valid_to")?),
        price_minor: row::int(r, price_col)?,
    })
}

/// A resolved price.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ResolvedPrice {
    pub product_id: String,
    pub price_minor: i64,
    pub currency: String,
    pub list_price_minor: i64,
    pub price_list_id: Option<String>,
    pub price_list_code: Option<String>,
}

/// Where a price is asked for.
#[derive(Clone, Debug, Default)]
pub struct ResolveQuery {
    pub product_id: String,
    pub store_id: Option<String>,
    pub channel_id: Option<String>,
    pub tier: Option<String>,
    /// RFC 3339; now when absent.
    pub at: Option<String>,
}

/// The price of a product in a context (the store must be visible to the caller).
pub async fn resolve(db: &Db, p: &Principal, q: &ResolveQuery) -> StoreResult<ResolvedPrice> {
    let product = super::products::get(db, p, &q.product_id).await?;
    let region = match &q.store_id {
        Some(s) => {
            let sid = s
                .parse()
                .map_err(|_| StoreError::invalid("store_id", "unknown", "no such store"))?;
            crate::org::get_location(db, p, sid)
                .await
                .map_err(|_| StoreError::invalid("store_id", "unknown", "no such store"))?
                .region_id
                .map(|r| r.to_string())
        }
        None => None,
    };
    let at = match &q.at {
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map_err(|_| StoreError::invalid("at", "invalid_format", "an RFC 3339 time"))?,
        None => time::OffsetDateTime::now_utc(),
    };
    let all = rules(db, p.company_id, Some(std::slice::from_ref(&product.id))).await?;
    let ctx = PriceContext {
        store: q.store_id.clone(),
        region,
        channel: q.channel_id.clone(),
        tier: q.tier.clone(),
        at: at.unix_timestamp(),
    };
    let r = pricing::resolve(
        product.list_price_minor,
        all.get(&product.id).map(Vec::as_slice).unwrap_or(&[]),
        &ctx,
    );
    let code = match &r.list_id {
        Some(id) => Some(get(db, p, id).await?.code),
        None => None,
    };
    Ok(ResolvedPrice {
        product_id: product.id,
        price_minor: r.price_minor,
        currency: product.currency,
        list_price_minor: product.list_price_minor,
        price_list_id: r.list_id,
        price_list_code: code,
    })
}
