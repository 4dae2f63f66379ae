//! Where a register sale happens: the register, its store's settings and the company's money
//! rules, read in one query and checked against the caller's scope.

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use rust_decimal::Decimal;
use salepoint_domain::ids::StoreId;
use salepoint_domain::money::Currency;
use salepoint_domain::org::{CashRounding, NegativeStockPolicy, RoundingRule, TaxMode};
use std::str::FromStr;

/// A register and everything about its store that pricing a sale needs.
#[derive(Clone, Debug)]
pub struct RegisterContext {
    pub register_id: String,
    pub store_id: String,
    pub store_code: String,
    pub store_name: String,
    pub store_address: String,
    pub region_id: Option<String>,
    /// The store channel (first active channel of kind `store`), for price lists.
    pub channel_id: Option<String>,
    pub time_zone: String,
    pub cutoff_hour: i64,
    pub cash_step: i64,
    pub negative_policy: NegativeStockPolicy,
    pub max_discount_percent: Decimal,
    pub return_approval_minor: i64,
    pub currency: Currency,
    pub tax_mode: TaxMode,
    pub rounding: RoundingRule,
    pub company_name: String,
}

/// Loads the register `register_id` if it is active and in the caller's scope; otherwise a
/// 422 at `field` that does not tell a missing register from a hidden one.
pub async fn register_context(
    db: &Db,
    p: &Principal,
    register_id: &str,
    field: &str,
) -> StoreResult<RegisterContext> {
    let unknown = || StoreError::invalid(field, "unknown", "no such register");
    // Store settings change rarely: cached for 2 s (cleared at once by a change here).
    let key = (p.company_id.to_string(), register_id.to_string());
    if let Some(ctx) = db.caches.registers.get(&key) {
        let store: StoreId = ctx.store_id.parse().map_err(|_| unknown())?;
        return if p.sees(store) {
            Ok(ctx)
        } else {
            Err(unknown())
        };
    }
    let r = sqlx::query(
        "SELECT r.id AS register_id, r.active AS register_active, s.id AS store_id, s.code, s.name AS store_name, \
         s.address, s.region_id, s.time_zone, s.business_day_cutoff_hour, s.cash_rounding, s.negative_stock_policy, \
         s.max_discount_percent, s.return_approval_minor, s.active AS store_active, c.currency, c.tax_mode, \
         c.rounding_rule, c.name AS company_name, \
         (SELECT ch.id FROM channels ch WHERE ch.company_id = c.id AND ch.kind = 'store' AND ch.active = 1 \
          ORDER BY ch.code LIMIT 1) AS channel_id \
         FROM registers r JOIN stores s ON s.id = r.store_id JOIN companies c ON c.id = r.company_id \
         WHERE r.id = $1 AND r.company_id = $2",
    )
    .bind(register_id)
    .bind(p.company_id.to_string())
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(unknown)?;
    let store: StoreId = row::parsed(&r, "store_id")?;
    if !p.sees(store) {
        return Err(unknown());
    }
    if !row::flag(&r, "register_active")? || !row::flag(&r, "store_active")? {
        return Err(StoreError::invalid(
            field,
            "inactive",
            "the register or its store is not active",
        ));
    }
    let currency_code = row::text(&r, "currency")?;
    let currency = Currency::from_code(&currency_code)
        .ok_or_else(|| StoreError::Internal(format!("unknown currency {currency_code}")))?;
    let cash: CashRounding = row::enumerated(&r, "cash_rounding", CashRounding::parse)?;
    let max_discount = row::text(&r, "max_discount_percent")?;
    let ctx = RegisterContext {
        register_id: row::text(&r, "register_id")?,
        store_id: store.to_string(),
        store_code: row::text(&r, "code")?,
        store_name: row::text(&r, "store_name")?,
        store_address: row::text(&r, "address")?,
        region_id: row::opt_text(&r, "region_id")?,
        channel_id: row::opt_text(&r, "channel_id")?,
        time_zone: row::text(&r, "time_zone")?,
        cutoff_hour: row::int(&r, "business_day_cutoff_hour")?,
        cash_step: cash.step_minor(currency.exponent()),
        negative_policy: row::enumerated(&r, "negative_stock_policy", NegativeStockPolicy::parse)?,
        max_discount_percent: Decimal::from_str(&max_discount).map_err(|_| {
            StoreError::Internal(format!("bad max_discount_percent {max_discount}"))
        })?,
        return_approval_minor: row::int(&r, "return_approval_minor")?,
        currency,
        tax_mode: row::enumerated(&r, "tax_mode", TaxMode::parse)?,
        rounding: row::enumerated(&r, "rounding_rule", RoundingRule::parse)?,
        company_name: row::text(&r, "company_name")?,
    };
    db.caches.registers.put(key, ctx.clone());
    Ok(ctx)
}

/// The shift a sale is rung up in: it must belong to the register. `Ok(false)` when it is
/// closed (an online sale is refused; an offline one is accepted and flagged `late_shift`).
pub async fn shift_is_open(
    db: &Db,
    ctx: &RegisterContext,
    shift_id: &str,
    field: &str,
) -> StoreResult<bool> {
    let r = sqlx::query("SELECT status FROM shifts WHERE id = $1 AND register_id = $2")
        .bind(shift_id)
        .bind(&ctx.register_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| StoreError::invalid(field, "unknown", "no such shift at this register"))?;
    Ok(row::text(&r, "status")? == "open")
}
