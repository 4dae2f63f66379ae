//! Tender types: how a customer may pay (cash, a card on an external terminal, vouchers and
//! other admin-defined means; `mobile` is reserved for WeChat Pay / Alipay, which need their
//! provider integration before a register may take them).

use crate::audit::AuditEntry;
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::principal::Principal;
use crate::row;
use salepoint_domain::ids::CompanyId;
pub use salepoint_domain::payments::TenderKind;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// A tender type.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TenderType {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: TenderKind,
    /// `points` or `stored_value`: pays from the attached member's account (kind `other`).
    pub account: Option<String>,
    /// Whether an offline register may take it (cash and external card terminals can).
    pub allowed_offline: bool,
    pub active: bool,
    pub sort: i64,
    pub version: i64,
}

/// Fields of a tender type.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderTypeInput {
    pub code: String,
    pub name: String,
    pub kind: TenderKind,
    #[serde(default)]
    pub allowed_offline: bool,
    pub active: Option<bool>,
    pub sort: Option<i64>,
    pub version: Option<i64>,
}

fn from_row(r: &AnyRow) -> StoreResult<TenderType> {
    Ok(TenderType {
        id: row::text(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        kind: row::enumerated(r, "kind", TenderKind::parse)?,
        account: row::opt_text(r, "account")?,
        allowed_offline: row::flag(r, "allowed_offline")?,
        active: row::flag(r, "active")?,
        sort: row::int(r, "sort")?,
        version: row::int(r, "version")?,
    })
}

/// The company's tender types in display order.
/// Cached for 2 s (a change here clears it at once).
pub async fn for_company(db: &Db, company: CompanyId) -> StoreResult<Vec<TenderType>> {
    let key = company.to_string();
    if let Some(types) = db.caches.tenders.get(&key) {
        return Ok(types);
    }
    let rows = sqlx::query("SELECT * FROM tender_types WHERE company_id = $1 ORDER BY sort, code")
        .bind(company.to_string())
        .fetch_all(&db.pool)
        .await?;
    let types = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    db.caches.tenders.put(key, types.clone());
    Ok(types)
}

fn validate(input: &TenderTypeInput) -> StoreResult<()> {
    let mut v = Validator::new();
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 100);
    if input.allowed_offline && input.kind == TenderKind::Mobile {
        v.add(
            "/allowed_offline",
            "invalid_value",
            "mobile payments need the provider online",
        );
    }
    v.finish().map_err(StoreError::Invalid)
}

/// Creates a tender type.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &TenderTypeInput,
    idem: Option<&IdemLock>,
) -> StoreResult<TenderType> {
    validate(input)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    insert(&mut tx, p.company_id, &id, input).await?;
    let entry = AuditEntry::by(p, "tender_type.created", "tender_type", &id)
        .details(serde_json::json!({"code": input.code, "kind": input.kind}));
    finish_create(tx, entry, ("tender_types", &id, from_row), idem).await
}

/// Writes a new tender type (also used by the demo and the first start).
pub async fn insert(
    tx: &mut Tx,
    company: CompanyId,
    id: &str,
    input: &TenderTypeInput,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tender_types (id, company_id, code, name, kind, allowed_offline, active, sort, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id)
    .bind(company.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.allowed_offline as i64)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(input.sort.unwrap_or(0))
    .bind(clock::now())
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a tender type with this code exists"))?;
    Ok(())
}

/// The tender types every new company starts with: cash, bank card, voucher, and the two
/// member accounts (points, stored value), which need the server (never offline).
pub async fn seed_defaults(tx: &mut Tx, company: CompanyId) -> StoreResult<()> {
    let defaults = [
        ("CASH", "现金", TenderKind::Cash, true),
        ("CARD", "银行卡", TenderKind::Card, true),
        ("VOUCHER", "代金券", TenderKind::Other, false),
    ];
    for (code, name, account) in [
        ("POINTS", "积分抵扣", "points"),
        ("STORED_VALUE", "储值支付", "stored_value"),
    ] {
        let sort = if account == "points" { 40 } else { 30 };
        sqlx::query(
            "INSERT INTO tender_types (id, company_id, code, name, kind, account, allowed_offline, active, sort, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'other', $5, 0, 1, $6, $7, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(company.to_string())
        .bind(code)
        .bind(name)
        .bind(account)
        .bind(sort)
        .bind(clock::now())
        .execute(&mut **tx)
        .await?;
    }
    for (i, (code, name, kind, offline)) in defaults.into_iter().enumerate() {
        let input = TenderTypeInput {
            code: code.into(),
            name: name.into(),
            kind,
            allowed_offline: offline,
            active: Some(true),
            sort: Some(i as i64 * 10),
            version: None,
        };
        insert(tx, company, &uuid::Uuid::now_v7().to_string(), &input).await?;
    }
    Ok(())
}

/// Updates a tender type (send its `version`).
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &TenderTypeInput,
) -> StoreResult<TenderType> {
    validate(input)?;
    let mut v = Validator::new();
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE tender_types SET code = $1, name = $2, kind = $3, allowed_offline = $4, active = $5, sort = $6, \
         version = version + 1, updated_at = $7 WHERE id = $8 AND company_id = $9 AND version = $10",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.allowed_offline as i64)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(input.sort.unwrap_or(0))
    .bind(clock::now())
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a tender type with this code exists"))?;
    let entry = AuditEntry::by(p, "tender_type.updated", "tender_type", id).details(
        serde_json::json!({"code": input.code, "kind": input.kind, "active": input.active}),
    );
    finish_update(tx, done.rows_affected(), "tender_types", id, entry).await?;
    let r = sqlx::query("SELECT * FROM tender_types WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    from_row(&r)
}
