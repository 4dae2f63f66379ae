//! Categories: a tree (parent links, no cycles) that products hang in; reports and filters
//! take a category with all its descendants.

use crate::audit::AuditEntry;
use crate::clock;
use crate::crud::{finish_create, finish_update, require_version};
use crate::db::Db;
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::IdemLock;
use crate::principal::Principal;
use crate::row;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A category.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Category {
    pub id: String,
    pub parent_id: Option<String>,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub sort: i64,
    pub version: i64,
}

/// Fields of a category.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub parent_id: Option<String>,
    pub sort: Option<i64>,
    pub version: Option<i64>,
}

fn from_row(r: &AnyRow) -> StoreResult<Category> {
    Ok(Category {
        id: row::text(r, "id")?,
        parent_id: row::opt_text(r, "parent_id")?,
        code: row::text(r, "code")?,
        name: row::text(r, "name")?,
        name_en: row::text(r, "name_en")?,
        sort: row::int(r, "sort")?,
        version: row::int(r, "version")?,
    })
}

/// Every category of the company (a tree as a flat list).
pub async fn list(db: &Db, p: &Principal) -> StoreResult<Vec<Category>> {
    let rows = sqlx::query("SELECT * FROM categories WHERE company_id = $1 ORDER BY sort, code")
        .bind(p.company_id.to_string())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// `id` and all its descendants.
pub async fn with_descendants(db: &Db, p: &Principal, id: &str) -> StoreResult<Vec<String>> {
    let all = list(db, p).await?;
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for c in &all {
        if let Some(parent) = &c.parent_id {
            children
                .entry(parent.clone())
                .or_default()
                .push(c.id.clone());
        }
    }
    let mut out = vec![id.to_string()];
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            out.extend(kids.iter().cloned());
        }
        i += 1;
    }
    Ok(out)
}

async fn validate(
    db: &Db,
    p: &Principal,
    id: Option<&str>,
    input: &CategoryInput,
    v: &mut Validator,
) -> StoreResult<()> {
    v.code("/code", &input.code, 32);
    v.text("/name", &input.name, 1, 100);
    v.optional_text("/name_en", input.name_en.as_deref(), 100);
    if let Some(parent) = &input.parent_id {
        let all = list(db, p).await?;
        let parents: HashMap<&str, Option<&str>> = all
            .iter()
            .map(|c| (c.id.as_str(), c.parent_id.as_deref()))
            .collect();
        if !parents.contains_key(parent.as_str()) {
            v.add("/parent_id", "unknown", "no such category");
        } else if let Some(me) = id {
            // Walk up from the new parent: meeting ourselves would make a cycle.
            let mut at = Some(parent.as_str());
            while let Some(c) = at {
                if c == me {
                    v.add(
                        "/parent_id",
                        "cycle",
                        "a category cannot be moved under itself or its descendants",
                    );
                    break;
                }
                at = parents.get(c).copied().flatten();
            }
        }
    }
    Ok(())
}

/// Creates a category.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &CategoryInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Category> {
    let mut v = Validator::new();
    validate(db, p, None, input, &mut v).await?;
    v.finish().map_err(StoreError::Invalid)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO categories (id, company_id, parent_id, code, name, name_en, sort, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(p.company_id.to_string())
    .bind(input.parent_id.clone())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.name_en.clone().unwrap_or_default())
    .bind(input.sort.unwrap_or(0))
    .bind(clock::now())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a category with this code exists"))?;
    let entry = AuditEntry::by(p, "category.created", "category", &id).details(
        serde_json::json!({"code": input.code, "name": input.name, "parent_id": input.parent_id}),
    );
    finish_create(tx, entry, ("categories", &id, from_row), idem).await
}

/// Updates (renames or moves) a category.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &CategoryInput,
) -> StoreResult<Category> {
    let mut v = Validator::new();
    validate(db, p, Some(id), input, &mut v).await?;
    let version = require_version(&mut v, input.version);
    v.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE categories SET parent_id = $1, code = $2, name = $3, name_en = $4, sort = $5, version = version + 1, \
         updated_at = $6 WHERE id = $7 AND company_id = $8 AND version = $9",
    )
    .bind(input.parent_id.clone())
    .bind(input.code.trim())
    .bind(input.name.trim())
    .bind(input.name_en.clone().unwrap_or_default())
    .bind(input.sort.unwrap_or(0))
    .bind(clock::now())
    .bind(id)
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/code", "a category with this code exists"))?;
    let entry = AuditEntry::by(p, "category.updated", "category", id).details(
        serde_json::json!({"code": input.code, "name": input.name, "parent_id": input.parent_id}),
    );
    finish_update(tx, done.rows_affected(), "categories", id, entry).await?;
    let r = sqlx::query("SELECT * FROM categories WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    from_row(&r)
}
