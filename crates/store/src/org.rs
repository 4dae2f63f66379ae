//! Organisation: the company's settings, regions, locations (stores and warehouses), registers
//! and sales channels. Every read and write is limited to the caller's company and, for
//! locations and registers, to the stores the caller may see.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version, stale_or_missing};
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::ids::{ChannelId, CompanyId, RegionId, RegisterId, StoreId};
use salepoint_domain::money::Currency;
use salepoint_domain::org::{
    CashRounding, ChannelKind, Locale, LocationKind, NegativeStockPolicy, RoundingRule, TaxMode,
    is_time_zone_name,
};
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// Maximum lengths of text fields.
const CODE_MAX: usize = 32;
const NAME_MAX: usize = 100;
const ADDRESS_MAX: usize = 300;

/// Company-wide settings.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    /// ISO 4217 code, e.g. `CNY`.
    pub currency: String,
    pub default_locale: Locale,
    pub tax_mode: TaxMode,
    pub rounding_rule: RoundingRule,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    pub version: i64,
    pub updated_at: String,
}

/// A full replacement of the company settings.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    pub name: String,
    pub currency: String,
    pub default_locale: Locale,
    pub tax_mode: TaxMode,
    pub rounding_rule: RoundingRule,
    pub time_zone: String,
    /// The version read last (required for updates).
    pub version: Option<i64>,
}

impl CompanyInput {
    fn validate(&self, v: &mut Validator) {
        v.text("/name", &self.name, 1, NAME_MAX);
        if Currency::from_code(&self.currency).is_none() {
            v.add(
                "/currency",
                "invalid_value",
                "an ISO 4217 currency code such as CNY",
            );
        }
        if !is_time_zone_name(&self.time_zone) {
            v.add(
                "/time_zone",
                "invalid_value",
                "an IANA time zone such as Asia/Shanghai",
            );
        }
    }
}

fn company_from(r: &AnyRow) -> StoreResult<Company> {
    Ok(Company {
        id: row::parsed(r, "id")?,
        name: row::text(r, "name")?,
        currency: row::text(r, "currency")?,
        default_locale: row::enumerated(r, "default_locale", Locale::parse)?,
        tax_mode: row::enumerated(r, "tax_mode", TaxMode::parse)?,
        rounding_rule: row::enumerated(r, "rounding_rule", RoundingRule::parse)?,
        time_zone: row::text(r, "time_zone")?,
        version: row::int(r, "version")?,
        updated_at: row::text(r, "updated_at")?,
    })
}

/// The caller's company.
pub async fn company(db: &Db, company_id: CompanyId) -> StoreResult<Company> {
    let r = sqlx::query("SELECT * FROM companies WHERE id = $1")
        .bind(company_id.to_string())
        .fetch_one(&db.pool)
        .await?;
    company_from(&r)
}

/// Creates a company (bootstrap and demo only; not exposed over the API).
pub async fn create_company(tx: &mut crate::Tx, input: &CompanyInput) -> StoreResult<CompanyId> {
    let id = CompanyId::new();
    let now = clock::now();
    sqlx::query(
        "INSERT INTO companies (id, name, currency, default_locale, tax_mode, rounding_rule, time_zone, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&input.name)
    .bind(&input.currency)
    .bind(input.default_locale.as_str())
    .bind(input.tax_mode.as_str())
    .bind(input.rounding_rule.as_str())
    .bind(&input.time_zone)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Replaces the company settings.
pub async fn update_company(db: &Db, p: &Principal, input: &CompanyInput) -> StoreResult<Company> {
    let mut v = Validator::new();
    input.validate(&mut v);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let id = p.company_id.to_string();
    let done = sqlx::query(
        "UPDATE companies SET name = $1, currency = $2, default_locale = $3, tax_mode = $4, rounding_rule = $5, \
         time_zone = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(input.name.trim())
    .bind(&input.currency)
    .bind(input.default_locale.as_str())
    .bind(input.tax_mode.as_str())
    .bind(input.rounding_rule.as_str())
    .bind(&input.time_zone)
    .bind(clock::now())
    .bind(&id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(stale_or_missing(&mut tx, "companies", &id).await);
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "company.updated", "company", &id).details(serde_json::json!({
            "name": input.name, "currency": input.currency, "tax_mode": input.tax_mode,
            "rounding_rule": input.rounding_rule, "time_zone": input.time_zone,
        })),
    )
    .await?;
    tx.commit_settings().await?;
    company(db, p.company_id).await
}

// ---------------------------------------------------------------- regions

/// A region grouping stores.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Region {
    pub id: RegionId,
    pub code: String,
    pub name: String,
    pub version: i64,
}

/// Fields of a region.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionInput {
    pub code: String,
    pub name: String,
    pub version: Option<i64>,
}

fn region_from(r: &AnyRow) -> StoreResult<Region> {
    Ok(Region {
        id: row::parsed(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        version: row::int(r, "version")?,
    })
}

/// SQL condition: regions visible to the caller (assigned, or holding a store in scope).
fn push_region_scope(q: &mut Sql, p: &Principal) {
    if let Some(stores) = p.store_filter() {
        if stores.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(
                " AND id IN (SELECT region_id FROM stores WHERE region_id IS NOT NULL AND id IN ",
            );
            q.bind_list(&stores);
            q.push(")");
        }
    }
}

/// Regions the caller may see.
pub async fn list_regions(db: &Db, p: &Principal, page: &PageRequest) -> StoreResult<Page<Region>> {
    let mut q = Sql::new("SELECT * FROM regions WHERE company_id = ");
    q.bind(p.company_id.to_string());
    push_region_scope(&mut q, p);
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let items = rows
        .iter()
        .map(region_from)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |r| r.id.to_string()))
}

/// One region, if visible.
pub async fn get_region(db: &Db, p: &Principal, id: RegionId) -> StoreResult<Region> {
    let mut q = Sql::new("SELECT * FROM regions WHERE company_id = ");
    q.bind(p.company_id.to_string())
        .push(" AND id = ")
        .bind(id.to_string());
    push_region_scope(&mut q, p);
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?;
    region_from(&r.ok_or(StoreError::NotFound)?)
}

fn validate_region(input: &RegionInput, v: &mut Validator) {
    v.code("/code", &input.code, CODE_MAX);
    v.text("/name", &input.name, 1, NAME_MAX);
}

/// Creates a region.
pub async fn create_region(
    db: &Db,
    p: &Principal,
    input: &RegionInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Region> {
    let mut v = Validator::new();
    validate_region(input, &mut v);
    v.finish().map_err(StoreError::Invalid)?;
    let id = RegionId::new();
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO regions (id, company_id, code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a region with this code exists"))?;
    let entry = AuditEntry::by(p, "region.created", "region", &id.to_string())
        .details(serde_json::json!({"code": input.code, "name": input.name}));
    finish_create(tx, entry, ("regions", &id.to_string(), region_from), idem).await
}

/// Updates a region.
pub async fn update_region(
    db: &Db,
    p: &Principal,
    id: RegionId,
    input: &RegionInput,
) -> StoreResult<Region> {
    get_region(db, p, id).await?;
    let mut v = Validator::new();
    validate_region(input, &mut v);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE regions SET code = $1, name = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND company_id = $5 AND version = $6",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(clock::now())
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a region with this code exists"))?;
    let entry = AuditEntry::by(p, "region.updated", "region", &id.to_string())
        .details(serde_json::json!({"code": input.code, "name": input.name}));
    finish_update(tx, done.rows_affected(), "regions", &id.to_string(), entry).await?;
    get_region(db, p, id).await
}

// ---------------------------------------------------------------- locations

/// A location: a store (sales point) or a warehouse.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Location {
    pub id: StoreId,
    pub code: String,
    pub name: String,
    pub kind: LocationKind,
    pub address: String,
    pub region_id: Option<RegionId>,
    /// IANA time zone of the location; business days are counted in it.
    pub time_zone: String,
    /// Hour (0–23, local time) at which a business day ends; sales before it count for the
    /// previous day.
    pub business_day_cutoff_hour: i64,
    pub cash_rounding: CashRounding,
    pub negative_stock_policy: NegativeStockPolicy,
    /// The largest discount (percent of the amount discounted) a cashier gives without a
    /// manager's approval.
    pub max_discount_percent: String,
    /// A refund above this amount (minor units) needs a manager's approval.
    pub return_approval_minor: i64,
    pub active: bool,
    pub version: i64,
}

/// Fields of a location. Optional fields take defaults on create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub code: String,
    pub name: String,
    pub kind: LocationKind,
    pub address: Option<String>,
    pub region_id: Option<RegionId>,
    /// Defaults to the company's time zone.
    pub time_zone: Option<String>,
    /// Defaults to 4 (a day runs 04:00–04:00).
    pub business_day_cutoff_hour: Option<i64>,
    /// Defaults to `none`.
    pub cash_rounding: Option<CashRounding>,
    /// Defaults to `allow`.
    pub negative_stock_policy: Option<NegativeStockPolicy>,
    /// Defaults to `10` (percent).
    pub max_discount_percent: Option<String>,
    /// Defaults to 20000 (200.00).
    pub return_approval_minor: Option<i64>,
    /// Defaults to true.
    pub active: Option<bool>,
    pub version: Option<i64>,
}

fn location_from(r: &AnyRow) -> StoreResult<Location> {
    Ok(Location {
        id: row::parsed(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        kind: row::enumerated(r, "kind", LocationKind::parse)?,
        address: row::text(r, "address")?,
        region_id: row::opt_parsed(r, "region_id")?,
        time_zone: row::text(r, "time_zone")?,
        business_day_cutoff_hour: row::int(r, "business_day_cutoff_hour")?,
        cash_rounding: row::enumerated(r, "cash_rounding", CashRounding::parse)?,
        negative_stock_policy: row::enumerated(
            r,
            "negative_stock_policy",
            NegativeStockPolicy::parse,
        )?,
        max_discount_percent: row::text(r, "max_discount_percent")?,
        return_approval_minor: row::int(r, "return_approval_minor")?,
        active: row::flag(r, "active")?,
        version: row::int(r, "version")?,
    })
}

/// Filters of the location list.
#[derive(Clone, Debug, Default)]
pub struct LocationFilter {
    pub kind: Option<LocationKind>,
    pub region_id: Option<RegionId>,
    /// Part of the code or name.
    pub q: Option<String>,
}

/// Limits a query to the stores the caller may see (`AND column IN (…)`, nothing for all).
pub(crate) fn push_store_scope(q: &mut Sql, p: &Principal, column: &str) {
    if let Some(stores) = p.store_filter() {
        if stores.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(&format!(" AND {column} IN "));
            q.bind_list(&stores);
        }
    }
}

/// Locations the caller may see.
pub async fn list_locations(
    db: &Db,
    p: &Principal,
    f: &LocationFilter,
    page: &PageRequest,
) -> StoreResult<Page<Location>> {
    let mut q = Sql::new("SELECT * FROM stores WHERE company_id = ");
    q.bind(p.company_id.to_string());
    push_store_scope(&mut q, p, "id");
    if let Some(k) = f.kind {
        q.push(" AND kind = ").bind(k.as_str().to_string());
    }
    if let Some(r) = f.region_id {
        q.push(" AND region_id = ").bind(r.to_string());
    }
    if let Some(text) = f.q.as_deref().filter(|s| !s.trim().is_empty()) {
        q.push(" AND (")
            .contains("code", text)
            .push(" OR ")
            .contains("name", text)
            .push(")");
    }
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let items = rows
        .iter()
        .map(location_from)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |l| l.id.to_string()))
}

/// One location, if visible to the caller.
pub async fn get_location(db: &Db, p: &Principal, id: StoreId) -> StoreResult<Location> {
    if !p.sees(id) {
        return Err(StoreError::NotFound);
    }
    let r = sqlx::query("SELECT * FROM stores WHERE id = $1 AND company_id = $2")
        .bind(id.to_string())
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    location_from(&r.ok_or(StoreError::NotFound)?)
}

/// Checks the fields and resolves the defaults of a location.
async fn resolve_location(
    db: &Db,
    p: &Principal,
    input: &LocationInput,
    v: &mut Validator,
) -> StoreResult<ResolvedLocation> {
    v.code("/code", &input.code, CODE_MAX);
    v.text("/name", &input.name, 1, NAME_MAX);
    v.optional_text("/address", input.address.as_deref(), ADDRESS_MAX);
    let cutoff = input.business_day_cutoff_hour.unwrap_or(4);
    if !(0..=23).contains(&cutoff) {
        v.add(
            "/business_day_cutoff_hour",
            "out_of_range",
            "an hour from 0 to 23",
        );
    }
    let time_zone = match &input.time_zone {
        Some(tz) => {
            if !is_time_zone_name(tz) {
                v.add(
                    "/time_zone",
                    "invalid_value",
                    "an IANA time zone such as Asia/Shanghai",
                );
            }
            tz.clone()
        }
        None => company(db, p.company_id).await?.time_zone,
    };
    if let Some(region) = input.region_id {
        let exists = sqlx::query("SELECT 1 FROM regions WHERE id = $1 AND company_id = $2")
            .bind(region.to_string())
            .bind(p.company_id.to_string())
            .fetch_optional(&db.pool)
            .await?;
        if exists.is_none() {
            v.add("/region_id", "unknown", "no such region");
        }
    }
    let max_discount = input
        .max_discount_percent
        .clone()
        .unwrap_or_else(|| "10".into());
    match rust_decimal::Decimal::from_str_exact(max_discount.trim()) {
        Ok(d) if !d.is_sign_negative() && d <= rust_decimal::Decimal::ONE_HUNDRED => {}
        _ => v.add(
            "/max_discount_percent",
            "out_of_range",
            "a percent from 0 to 100",
        ),
    }
    let return_approval = input.return_approval_minor.unwrap_or(20_000);
    if return_approval < 0 {
        v.add(
            "/return_approval_minor",
            "out_of_range",
            "must not be negative",
        );
    }
    Ok(ResolvedLocation {
        max_discount: max_discount.trim().to_string(),
        return_approval,
        time_zone,
        cutoff,
        cash_rounding: input.cash_rounding.unwrap_or(CashRounding::None),
        negative: input
            .negative_stock_policy
            .unwrap_or(NegativeStockPolicy::Allow),
        active: input.active.unwrap_or(true),
    })
}

struct ResolvedLocation {
    max_discount: String,
    return_approval: i64,
    time_zone: String,
    cutoff: i64,
    cash_rounding: CashRounding,
    negative: NegativeStockPolicy,
    active: bool,
}

fn location_audit(input: &LocationInput) -> serde_json::Value {
    serde_json::json!({"code": input.code, "name": input.name, "kind": input.kind,
        "region_id": input.region_id, "negative_stock_policy": input.negative_stock_policy,
        "cash_rounding": input.cash_rounding, "active": input.active})
}

/// Creates a store or warehouse.
pub async fn create_location(
    db: &Db,
    p: &Principal,
    input: &LocationInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Location> {
    let mut v = Validator::new();
    let r = resolve_location(db, p, input, &mut v).await?;
    v.finish().map_err(StoreError::Invalid)?;
    let id = StoreId::new();
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO stores (id, company_id, region_id, code, name, kind, address, time_zone, \
         business_day_cutoff_hour, cash_rounding, negative_stock_policy, active, created_at, updated_at, \
         max_discount_percent, return_approval_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)",
    )
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(input.region_id.map(|r| r.to_string()))
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.address.clone().unwrap_or_default())
    .bind(&r.time_zone)
    .bind(r.cutoff)
    .bind(r.cash_rounding.as_str())
    .bind(r.negative.as_str())
    .bind(r.active as i64)
    .bind(now)
    .bind(&r.max_discount)
    .bind(r.return_approval)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a store or warehouse with this code exists"))?;
    let entry = AuditEntry::by(p, "store.created", "store", &id.to_string())
        .store(id)
        .details(location_audit(input));
    finish_create(tx, entry, ("stores", &id.to_string(), location_from), idem).await
}

/// Updates a store or warehouse (its kind cannot change once stock may have moved).
pub async fn update_location(
    db: &Db,
    p: &Principal,
    id: StoreId,
    input: &LocationInput,
) -> StoreResult<Location> {
    let current = get_location(db, p, id).await?;
    let mut v = Validator::new();
    let r = resolve_location(db, p, input, &mut v).await?;
    let version = require_version(&mut v, input.version);
    if input.kind != current.kind {
        v.add("/kind", "immutable", "a location's kind cannot change");
    }
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE stores SET region_id = $1, code = $2, name = $3, address = $4, time_zone = $5, \
         business_day_cutoff_hour = $6, cash_rounding = $7, negative_stock_policy = $8, active = $9, \
         version = version + 1, updated_at = $10, max_discount_percent = $14, return_approval_minor = $15 \
         WHERE id = $11 AND company_id = $12 AND version = $13",
    )
    .bind(input.region_id.map(|r| r.to_string()))
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.address.clone().unwrap_or_default())
    .bind(&r.time_zone)
    .bind(r.cutoff)
    .bind(r.cash_rounding.as_str())
    .bind(r.negative.as_str())
    .bind(r.active as i64)
    .bind(clock::now())
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(version)
    .bind(&r.max_discount)
    .bind(r.return_approval)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a store or warehouse with this code exists"))?;
    let entry = AuditEntry::by(p, "store.updated", "store", &id.to_string())
        .store(id)
        .details(location_audit(input));
    finish_update(tx, done.rows_affected(), "stores", &id.to_string(), entry).await?;
    get_location(db, p, id).await
}

// ---------------------------------------------------------------- registers

/// A register (terminal) of a store.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Register {
    pub id: RegisterId,
    pub store_id: StoreId,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub version: i64,
}

/// Fields of a register.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub code: String,
    pub name: String,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

fn register_from(r: &AnyRow) -> StoreResult<Register> {
    Ok(Register {
        id: row::parsed(r, "id")?,
        store_id: row::parsed(r, "store_id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        active: row::flag(r, "active")?,
        version: row::int(r, "version")?,
    })
}

/// Registers of a store the caller may see.
pub async fn list_registers(
    db: &Db,
    p: &Principal,
    store: StoreId,
    page: &PageRequest,
) -> StoreResult<Page<Register>> {
    let loc = get_location(db, p, store).await?;
    let mut q = Sql::new("SELECT * FROM registers WHERE store_id = ");
    q.bind(loc.id.to_string());
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let items = rows
        .iter()
        .map(register_from)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |r| r.id.to_string()))
}

/// One register of a visible store.
pub async fn get_register(
    db: &Db,
    p: &Principal,
    store: StoreId,
    id: RegisterId,
) -> StoreResult<Register> {
    get_location(db, p, store).await?;
    let r = sqlx::query("SELECT * FROM registers WHERE id = $1 AND store_id = $2")
        .bind(id.to_string())
        .bind(store.to_string())
        .fetch_optional(&db.pool)
        .await?;
    register_from(&r.ok_or(StoreError::NotFound)?)
}

fn validate_register(input: &RegisterInput, v: &mut Validator) {
    v.code("/code", &input.code, CODE_MAX);
    v.text("/name", &input.name, 1, NAME_MAX);
}

/// Adds a register to a store (sales points only).
pub async fn create_register(
    db: &Db,
    p: &Principal,
    store: StoreId,
    input: &RegisterInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Register> {
    let loc = get_location(db, p, store).await?;
    let mut v = Validator::new();
    validate_register(input, &mut v);
    if loc.kind != LocationKind::Store {
        v.add(
            "/",
            "not_a_store",
            "registers belong to stores, not warehouses",
        );
    }
    v.finish().map_err(StoreError::Invalid)?;
    let id = RegisterId::new();
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO registers (id, company_id, store_id, code, name, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(store.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.active.unwrap_or(true) as i64)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "this store has a register with this code"))?;
    let entry = AuditEntry::by(p, "register.created", "register", &id.to_string())
        .store(store)
        .details(serde_json::json!({"code": input.code, "name": input.name}));
    finish_create(
        tx,
        entry,
        ("registers", &id.to_string(), register_from),
        idem,
    )
    .await
}

/// Updates a register.
pub async fn update_register(
    db: &Db,
    p: &Principal,
    store: StoreId,
    id: RegisterId,
    input: &RegisterInput,
) -> StoreResult<Register> {
    get_register(db, p, store, id).await?;
    let mut v = Validator::new();
    validate_register(input, &mut v);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE registers SET code = $1, name = $2, active = $3, version = version + 1, updated_at = $4 \
         WHERE id = $5 AND store_id = $6 AND version = $7",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .bind(id.to_string())
    .bind(store.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "this store has a register with this code"))?;
    let entry = AuditEntry::by(p, "register.updated", "register", &id.to_string())
        .store(store)
        .details(
            serde_json::json!({"code": input.code, "name": input.name, "active": input.active}),
        );
    finish_update(
        tx,
        done.rows_affected(),
        "registers",
        &id.to_string(),
        entry,
    )
    .await?;
    get_register(db, p, store, id).await
}

// ---------------------------------------------------------------- channels

/// A sales channel.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Channel {
    pub id: ChannelId,
    pub code: String,
    pub name: String,
    pub kind: ChannelKind,
    pub active: bool,
    pub version: i64,
}

/// Fields of a channel.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    pub code: String,
    pub name: String,
    pub kind: ChannelKind,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

fn channel_from(r: &AnyRow) -> StoreResult<Channel> {
    Ok(Channel {
        id: row::parsed(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        kind: row::enumerated(r, "kind", ChannelKind::parse)?,
        active: row::flag(r, "active")?,
        version: row::int(r, "version")?,
    })
}

/// The company's channels.
pub async fn list_channels(
    db: &Db,
    p: &Principal,
    page: &PageRequest,
) -> StoreResult<Page<Channel>> {
    let mut q = Sql::new("SELECT * FROM channels WHERE company_id = ");
    q.bind(p.company_id.to_string());
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let items = rows
        .iter()
        .map(channel_from)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |c| c.id.to_string()))
}

async fn get_channel(db: &Db, p: &Principal, id: ChannelId) -> StoreResult<Channel> {
    let r = sqlx::query("SELECT * FROM channels WHERE id = $1 AND company_id = $2")
        .bind(id.to_string())
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    channel_from(&r.ok_or(StoreError::NotFound)?)
}

/// Creates a channel.
pub async fn create_channel(
    db: &Db,
    p: &Principal,
    input: &ChannelInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Channel> {
    let mut v = Validator::new();
    v.code("/code", &input.code, CODE_MAX);
    v.text("/name", &input.name, 1, NAME_MAX);
    v.finish().map_err(StoreError::Invalid)?;
    let id = ChannelId::new();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO channels (id, company_id, code, name, kind, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a channel with this code exists"))?;
    let entry = AuditEntry::by(p, "channel.created", "channel", &id.to_string())
        .details(serde_json::json!({"code": input.code, "kind": input.kind}));
    finish_create(tx, entry, ("channels", &id.to_string(), channel_from), idem).await
}

/// Updates a channel.
pub async fn update_channel(
    db: &Db,
    p: &Principal,
    id: ChannelId,
    input: &ChannelInput,
) -> StoreResult<Channel> {
    get_channel(db, p, id).await?;
    let mut v = Validator::new();
    v.code("/code", &input.code, CODE_MAX);
    v.text("/name", &input.name, 1, NAME_MAX);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE channels SET code = $1, name = $2, kind = $3, active = $4, version = version + 1, updated_at = $5 \
         WHERE id = $6 AND company_id = $7 AND version = $8",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a channel with this code exists"))?;
    let entry = AuditEntry::by(p, "channel.updated", "channel", &id.to_string()).details(
        serde_json::json!({"code": input.code, "kind": input.kind, "active": input.active}),
    );
    finish_update(tx, done.rows_affected(), "channels", &id.to_string(), entry).await?;
    get_channel(db, p, id).await
}
