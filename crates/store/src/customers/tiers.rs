//! Member tiers, the loyalty programme and category points rules: the settings the register's
//! points arithmetic and the tier review read. Every change is versioned and audited.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::principal::Principal;
use crate::row;
use rust_decimal::Decimal;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::str::FromStr;
use utoipa::ToSchema;

/// A member tier.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberTier {
    pub id: String,
    pub code: String,
    pub name: String,
    /// The price-list tier members of this tier buy at.
    pub price_tier: Option<String>,
    /// Spend within the programme's window that reaches this tier.
    pub min_spend_minor: i64,
    /// Points per currency unit spent (decimal text).
    pub earn_per_unit: String,
    /// Whether discounted lines earn points.
    pub earn_on_discounted: bool,
    pub sort: i64,
    pub version: i64,
}

/// Fields of a tier.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberTierInput {
    pub code: String,
    pub name: String,
    pub price_tier: Option<String>,
    #[serde(default)]
    pub min_spend_minor: i64,
    /// Decimal text, e.g. `"1.5"`.
    pub earn_per_unit: String,
    #[serde(default)]
    pub earn_on_discounted: bool,
    #[serde(default)]
    pub sort: i64,
    pub version: Option<i64>,
}

fn tier_from_row(r: &AnyRow) -> StoreResult<MemberTier> {
    Ok(MemberTier {
        id: row::text(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        price_tier: row::opt_text(r, "price_tier")?,
        min_spend_minor: row::int(r, "min_spend_minor")?,
        earn_per_unit: row::text(r, "earn_per_unit")?,
        earn_on_discounted: row::flag(r, "earn_on_discounted")?,
        sort: row::int(r, "sort")?,
        version: row::int(r, "version")?,
    })
}

/// Checks an earn rate: a decimal from 0 to 100 points per unit, at most 4 decimals; returns
/// it normalised.
fn check_rate(v: &mut Validator, field: &str, s: &str) -> String {
    match Decimal::from_str(s.trim()) {
        Ok(d) if d >= Decimal::ZERO && d <= Decimal::from(100) && d.scale() <= 4 => {
            d.normalize().to_string()
        }
        _ => {
            v.add(
                field,
                "invalid_value",
                "a decimal from 0 to 100 with at most 4 decimals",
            );
            String::new()
        }
    }
}

fn validate_tier(input: &MemberTierInput) -> (Validator, String) {
    let mut v = Validator::new();
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 50);
    if let Some(t) = &input.price_tier {
        v.optional_text("/price_tier", Some(t), 32);
    }
    if input.min_spend_minor < 0 {
        v.add("/min_spend_minor", "out_of_range", "must not be negative");
    }
    let rate = check_rate(&mut v, "/earn_per_unit", &input.earn_per_unit);
    (v, rate)
}

/// The company's tiers, lowest first.
pub async fn list(db: &Db, p: &Principal) -> StoreResult<Vec<MemberTier>> {
    let rows = sqlx::query(
        "SELECT * FROM member_tiers WHERE company_id = $1 ORDER BY sort, min_spend_minor, code",
    )
    .bind(p.company_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(tier_from_row).collect()
}

/// One tier.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<MemberTier> {
    let r = sqlx::query("SELECT * FROM member_tiers WHERE id = $1 AND company_id = $2")
        .bind(id)
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    tier_from_row(&r)
}

/// Creates a tier.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &MemberTierInput,
    idem: Option<&IdemLock>,
) -> StoreResult<MemberTier> {
    let (v, rate) = validate_tier(input);
    v.finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO member_tiers (id, company_id, code, name, price_tier, min_spend_minor, earn_per_unit, \
         earn_on_discounted, sort, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.price_tier.clone().filter(|s| !s.trim().is_empty()))
    .bind(input.min_spend_minor)
    .bind(&rate)
    .bind(input.earn_on_discounted as i64)
    .bind(input.sort)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a tier with this code exists"))?;
    let entry = AuditEntry::by(p, "member_tier.created", "member_tier", &id)
        .details(serde_json::json!({"code": input.code, "min_spend_minor": input.min_spend_minor, "earn_per_unit": rate}));
    finish_create(tx, entry, ("member_tiers", &id, tier_from_row), idem).await
}

/// Changes a tier (send its `version`). Its code cannot change while members hold it.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &MemberTierInput,
) -> StoreResult<MemberTier> {
    let (mut v, rate) = validate_tier(input);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let old = get(db, p, id).await?;
    let company = p.company_id.to_string();
    if old.code != input.code.trim() {
        let used =
            sqlx::query("SELECT 1 FROM customers WHERE company_id = $1 AND tier_code = $2 LIMIT 1")
                .bind(&company)
                .bind(&old.code)
                .fetch_optional(&db.pool)
                .await?;
        if used.is_some() {
            return Err(StoreError::Rule {
                field: "/code".into(),
                code: "in_use",
                message: "members hold this tier; its code cannot change".into(),
            });
        }
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE member_tiers SET code = $1, name = $2, price_tier = $3, min_spend_minor = $4, earn_per_unit = $5, \
         earn_on_discounted = $6, sort = $7, version = version + 1, updated_at = $8 \
         WHERE id = $9 AND company_id = $10 AND version = $11",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.price_tier.clone().filter(|s| !s.trim().is_empty()))
    .bind(input.min_spend_minor)
    .bind(&rate)
    .bind(input.earn_on_discounted as i64)
    .bind(input.sort)
    .bind(clock::now())
    .bind(id)
    .bind(&company)
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a tier with this code exists"))?;
    let entry = AuditEntry::by(p, "member_tier.updated", "member_tier", id)
        .details(serde_json::json!({"code": input.code, "min_spend_minor": input.min_spend_minor, "earn_per_unit": rate}));
    finish_update(tx, done.rows_affected(), "member_tiers", id, entry).await?;
    get(db, p, id).await
}

/// A stored-value top-up bonus: paying at least `min_minor` adds `bonus_minor`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TopupBonus {
    pub min_minor: i64,
    pub bonus_minor: i64,
}

/// The loyalty programme of the company.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoyaltyProgram {
    /// Points worth one currency unit when redeemed.
    pub redeem_points_per_unit: i64,
    /// `never`, `year_end` (31 December of the year after earning) or `months`.
    pub expiry_mode: String,
    pub expiry_months: i64,
    /// Spend over this many days decides the tier.
    pub tier_window_days: i64,
    pub topup_bonus: Vec<TopupBonus>,
    /// 0 until the programme is first saved; send what you read.
    pub version: Option<i64>,
}

impl Default for LoyaltyProgram {
    fn default() -> Self {
        LoyaltyProgram {
            redeem_points_per_unit: 100,
            expiry_mode: "year_end".into(),
            expiry_months: 12,
            tier_window_days: 365,
            topup_bonus: Vec::new(),
            version: Some(0),
        }
    }
}

/// The company's programme, or the defaults (version 0) when it was never saved.
pub async fn program(db: &Db, p: &Principal) -> StoreResult<LoyaltyProgram> {
    let r = sqlx::query("SELECT * FROM loyalty_programs WHERE company_id = $1")
        .bind(p.company_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    let Some(r) = r else {
        return Ok(LoyaltyProgram::default());
    };
    Ok(LoyaltyProgram {
        redeem_points_per_unit: row::int(&r, "redeem_points_per_unit")?,
        expiry_mode: row::text(&r, "expiry_mode")?,
        expiry_months: row::int(&r, "expiry_months")?,
        tier_window_days: row::int(&r, "tier_window_days")?,
        topup_bonus: serde_json::from_str(&row::text(&r, "topup_bonus")?).unwrap_or_default(),
        version: Some(row::int(&r, "version")?),
    })
}

/// Saves the programme (send the `version` read; 0 for the first save).
pub async fn set_program(
    db: &Db,
    p: &Principal,
    input: &LoyaltyProgram,
) -> StoreResult<LoyaltyProgram> {
    let mut v = Validator::new();
    if !(1..=100_000).contains(&input.redeem_points_per_unit) {
        v.add(
            "/redeem_points_per_unit",
            "out_of_range",
            "from 1 to 100000",
        );
    }
    if !["never", "year_end", "months"].contains(&input.expiry_mode.as_str()) {
        v.add("/expiry_mode", "invalid_value", "never, year_end or months");
    }
    if !(1..=120).contains(&input.expiry_months) {
        v.add("/expiry_months", "out_of_range", "from 1 to 120");
    }
    if !(1..=3660).contains(&input.tier_window_days) {
        v.add("/tier_window_days", "out_of_range", "from 1 to 3660");
    }
    if input.topup_bonus.len() > 20 {
        v.add("/topup_bonus", "out_of_range", "at most 20 steps");
    }
    let mut mins = std::collections::HashSet::new();
    for (i, b) in input.topup_bonus.iter().enumerate() {
        if b.min_minor <= 0 {
            v.add(
                format!("/topup_bonus/{i}/min_minor"),
                "out_of_range",
                "must be positive",
            );
        }
        if b.bonus_minor < 0 || b.bonus_minor > b.min_minor {
            v.add(
                format!("/topup_bonus/{i}/bonus_minor"),
                "out_of_range",
                "from 0 to the amount paid",
            );
        }
        if !mins.insert(b.min_minor) {
            v.add(
                format!("/topup_bonus/{i}/min_minor"),
                "duplicate",
                "listed twice",
            );
        }
    }
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut steps = input.topup_bonus.clone();
    steps.sort_by_key(|b| b.min_minor);
    let bonus = serde_json::to_string(&steps).map_err(|e| StoreError::Internal(e.to_string()))?;
    let company = p.company_id.to_string();
    let now = clock::now();
    let mut tx = db.begin().await?;
    let rows = if version == 0 {
        sqlx::query(
            "INSERT INTO loyalty_programs (company_id, redeem_points_per_unit, expiry_mode, expiry_months, \
             tier_window_days, topup_bonus, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
        )
        .bind(&company)
        .bind(input.redeem_points_per_unit)
        .bind(&input.expiry_mode)
        .bind(input.expiry_months)
        .bind(input.tier_window_days)
        .bind(&bonus)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match unique_as_conflict(e, "/version", "") {
            StoreError::Conflict { .. } => StoreError::VersionConflict,
            other => other,
        })?
        .rows_affected()
    } else {
        sqlx::query(
            "UPDATE loyalty_programs SET redeem_points_per_unit = $1, expiry_mode = $2, expiry_months = $3, \
             tier_window_days = $4, topup_bonus = $5, version = version + 1, updated_at = $6 \
             WHERE company_id = $7 AND version = $8",
        )
        .bind(input.redeem_points_per_unit)
        .bind(&input.expiry_mode)
        .bind(input.expiry_months)
        .bind(input.tier_window_days)
        .bind(&bonus)
        .bind(&now)
        .bind(&company)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    };
    if rows == 0 {
        return Err(StoreError::VersionConflict);
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "loyalty_program.updated", "loyalty_program", &company).details(
            serde_json::json!({"redeem_points_per_unit": input.redeem_points_per_unit,
                "expiry_mode": input.expiry_mode, "expiry_months": input.expiry_months,
                "tier_window_days": input.tier_window_days, "topup_bonus": steps}),
        ),
    )
    .await?;
    tx.commit_settings().await?;
    program(db, p).await
}

/// A category exception to the earn rate; `tier_code` null applies to every tier.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsRule {
    pub tier_code: Option<String>,
    pub category_id: String,
    /// Decimal text; `"0"` earns nothing on the category.
    pub earn_per_unit: String,
}

/// The whole list of points rules.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsRules {
    pub rules: Vec<PointsRule>,
}

/// The company's points rules.
pub async fn points_rules(db: &Db, p: &Principal) -> StoreResult<PointsRules> {
    let rows = sqlx::query(
        "SELECT tier_code, category_id, earn_per_unit FROM points_rules WHERE company_id = $1 \
         ORDER BY category_id, tier_code",
    )
    .bind(p.company_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    let rules = rows
        .iter()
        .map(|r| {
            Ok(PointsRule {
                tier_code: row::opt_text(r, "tier_code")?,
                category_id: row::text(r, "category_id")?,
                earn_per_unit: row::text(r, "earn_per_unit")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(PointsRules { rules })
}

/// Replaces the company's points rules.
pub async fn set_points_rules(
    db: &Db,
    p: &Principal,
    input: &PointsRules,
) -> StoreResult<PointsRules> {
    let company = p.company_id.to_string();
    let mut v = Validator::new();
    if input.rules.len() > 5000 {
        v.add("/rules", "out_of_range", "at most 5000 rules");
    }
    let tiers: std::collections::HashSet<String> =
        list(db, p).await?.into_iter().map(|t| t.code).collect();
    let cats: std::collections::HashSet<String> =
        sqlx::query("SELECT id FROM categories WHERE company_id = $1")
            .bind(&company)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| row::text(r, "id"))
            .collect::<StoreResult<_>>()?;
    let mut seen = std::collections::HashSet::new();
    let mut rates = Vec::new();
    for (i, r) in input.rules.iter().enumerate() {
        let tier = r.tier_code.clone().filter(|t| !t.trim().is_empty());
        if let Some(t) = &tier
            && !tiers.contains(t)
        {
            v.add(
                format!("/rules/{i}/tier_code"),
                "unknown",
                "no tier with this code",
            );
        }
        if !cats.contains(&r.category_id) {
            v.add(
                format!("/rules/{i}/category_id"),
                "unknown",
                "no category with this id",
            );
        }
        rates.push(check_rate(
            &mut v,
            &format!("/rules/{i}/earn_per_unit"),
            &r.earn_per_unit,
        ));
        if !seen.insert((tier.clone(), r.category_id.clone())) {
            v.add(
                format!("/rules/{i}"),
                "duplicate",
                "this tier and category are listed twice",
            );
        }
    }
    v.finish().map_err(StoreError::Invalid)?;
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM points_rules WHERE company_id = $1")
        .bind(&company)
        .execute(&mut *tx)
        .await?;
    for (r, rate) in input.rules.iter().zip(&rates) {
        sqlx::query(
            "INSERT INTO points_rules (id, company_id, tier_code, category_id, earn_per_unit, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&company)
        .bind(r.tier_code.clone().filter(|t| !t.trim().is_empty()))
        .bind(&r.category_id)
        .bind(rate)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "points_rules.updated", "points_rules", &company)
            .details(serde_json::json!({"rules": input.rules.len()})),
    )
    .await?;
    tx.commit_settings().await?;
    points_rules(db, p).await
}
