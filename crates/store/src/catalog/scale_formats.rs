//! Scale label formats: how the in-store scales print PLU and weight or price into an EAN-13.

use crate::audit::AuditEntry;
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::principal::Principal;
use crate::row;
use salepoint_domain::catalog::scale::{ScaleFormat as Format, ScaleValueKind};
use salepoint_domain::ids::CompanyId;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// A scale label format.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScaleFormat {
    pub id: String,
    pub code: String,
    pub name: String,
    pub prefix: String,
    pub plu_digits: i64,
    pub value_kind: ScaleValueKind,
    pub value_digits: i64,
    pub active: bool,
    pub version: i64,
}

impl ScaleFormat {
    /// The domain rule for reading labels.
    pub fn rule(&self) -> Format {
        Format {
            prefix: self.prefix.clone(),
            plu_digits: self.plu_digits as usize,
            value_kind: self.value_kind,
            value_digits: self.value_digits as usize,
        }
    }
}

/// Fields of a scale format.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleFormatInput {
    pub code: String,
    pub name: String,
    pub prefix: String,
    pub plu_digits: i64,
    pub value_kind: ScaleValueKind,
    pub value_digits: i64,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

fn from_row(r: &AnyRow) -> StoreResult<ScaleFormat> {
    Ok(ScaleFormat {
        id: row::text(r, "id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        prefix: row::text(r, "prefix")?,
        plu_digits: row::int(r, "plu_digits")?,
        value_kind: row::enumerated(r, "value_kind", ScaleValueKind::parse)?,
        value_digits: row::int(r, "value_digits")?,
        active: row::flag(r, "active")?,
        version: row::int(r, "version")?,
    })
}

fn validate(input: &ScaleFormatInput, v: &mut Validator) {
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 100);
    let f = Format {
        prefix: input.prefix.clone(),
        plu_digits: input.plu_digits.clamp(0, 99) as usize,
        value_kind: input.value_kind,
        value_digits: input.value_digits.clamp(0, 99) as usize,
    };
    if let Err(m) = f.validate() {
        v.add("/prefix", "invalid_format", m);
    }
}

/// The company's scale formats.
pub async fn list_for(db: &Db, company: CompanyId) -> StoreResult<Vec<ScaleFormat>> {
    let rows = sqlx::query("SELECT * FROM scale_formats WHERE company_id = $1 ORDER BY code")
        .bind(company.to_string())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Creates a scale format.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &ScaleFormatInput,
    idem: Option<&IdemLock>,
) -> StoreResult<ScaleFormat> {
    let mut v = Validator::new();
    validate(input, &mut v);
    v.finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO scale_formats (id, company_id, code, name, prefix, plu_digits, value_kind, value_digits, active, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(&input.prefix)
    .bind(input.plu_digits)
    .bind(input.value_kind.as_str())
    .bind(input.value_digits)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a scale format with this code exists"))?;
    let entry = AuditEntry::by(p, "scale_format.created", "scale_format", &id)
        .details(serde_json::json!({"code": input.code}));
    finish_create(tx, entry, ("scale_formats", &id, from_row), idem).await
}

/// Updates a scale format.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &ScaleFormatInput,
) -> StoreResult<ScaleFormat> {
    let mut v = Validator::new();
    validate(input, &mut v);
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE scale_formats SET code = $1, name = $2, prefix = $3, plu_digits = $4, value_kind = $5, value_digits = $6, \
         active = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND company_id = $10 AND version = $11",
    )
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(&input.prefix)
    .bind(input.plu_digits)
    .bind(input.value_kind.as_str())
    .bind(input.value_digits)
    .bind(input.active.unwrap_or(true) as i64)
    .bind(clock::now())
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a scale format with this code exists"))?;
    let entry = AuditEntry::by(p, "scale_format.updated", "scale_format", id)
        .details(serde_json::json!({"code": input.code}));
    finish_update(tx, done.rows_affected(), "scale_formats", id, entry).await?;
    let r = sqlx::query("SELECT * FROM scale_formats WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    from_row(&r)
}
