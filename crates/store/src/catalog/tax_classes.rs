//! Tax classes (e.g. VAT 13 %, 9 %, 6 %, 0 %): a product belongs to one; the rate is a decimal
//! fraction kept as text so no float ever touches it.

use crate::audit::AuditEntry;
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::principal::Principal;
use crate::row;
use salepoint_domain::catalog::parse_tax_rate;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// A tax class.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TaxClass {
    pub id: String,
    pub code: String,
    pub name: String,
    /// Decimal fraction, e.g. `"0.13"`.
    pub rate: String,
    pub version: i64,
}

/// Fields of a tax class.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxClassInput {
    pub code: String,
    pub name: String,
    pub rate: String,
    pub version: Option<i64>,
}

fn from_row(r: &AnyRow) -> StoreResult<TaxClass> {
    Ok(TaxClass {
        id: row::text(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        rate: row::text(r, "rate")?,
        version: row::int(r, "version")?,
    })
}

fn validate(input: &TaxClassInput, v: &mut Validator) -> String {
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 100);
    match parse_tax_rate(&input.rate) {
        Ok(d) => d.to_string(),
        Err(m) => {
            v.add("/rate", "invalid_value", m);
            String::new()
        }
    }
}

/// The company's tax classes, by code.
pub async fn list(db: &Db, p: &Principal) -> StoreResult<Vec<TaxClass>> {
    let rows = sqlx::query("SELECT * FROM tax_classes WHERE company_id = $1 ORDER BY code")
        .bind(p.company_id.to_string())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Creates a tax class.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &TaxClassInput,
    idem: Option<&IdemLock>,
) -> StoreResult<TaxClass> {
    let mut v = Validator::new();
    let rate = validate(input, &mut v);
    v.finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO tax_classes (id, company_id, code, name, rate, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(&rate)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a tax class with this code exists"))?;
    let entry = AuditEntry::by(p, "tax_class.created", "tax_class", &id)
        .details(serde_json::json!({"code": input.code, "rate": rate}));
    finish_create(tx, entry, ("tax_classes", &id, from_row), idem).await
}

/// Updates a tax class; a new rate re-syncs every product of the class to the registers.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &TaxClassInput,
) -> StoreResult<TaxClass> {
    let mut v = Validator::new();
    let rate = validate(input, &mut v);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE tax_classes SET code = $1, name = $2, rate = $3, version = version + 1, updated_at = $4 \
         WHERE id = $5 AND company_id = $6 AND version = $7",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(&rate)
    .bind(clock::now())
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a tax class with this code exists"))?;
    if done.rows_affected() == 1 {
        let seq = super::next_change(&mut tx, p.company_id).await?;
        sqlx::query("UPDATE products SET change_seq = $1 WHERE tax_class_id = $2")
            .bind(seq)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let entry = AuditEntry::by(p, "tax_class.updated", "tax_class", id)
        .details(serde_json::json!({"code": input.code, "rate": rate}));
    finish_update(tx, done.rows_affected(), "tax_classes", id, entry).await?;
    let r = sqlx::query("SELECT * FROM tax_classes WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    from_row(&r)
}
