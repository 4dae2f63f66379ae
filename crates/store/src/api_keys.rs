//! API keys for integrations (ERP, CRM): created by an administrator with a role and a store
//! scope, shown once, stored as a SHA-256 digest, revocable, with a last-used time.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, PrincipalKind};
use crate::row;
use crate::secrets;
use crate::sql::Sql;
use crate::users;
use salepoint_domain::ids::{ApiKeyId, RegionId, StoreId};
use salepoint_domain::roles::Role;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// An API key as listed (never with its secret).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub role: Role,
    pub store_ids: Vec<StoreId>,
    pub region_ids: Vec<RegionId>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A new API key.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub store_ids: Vec<StoreId>,
    #[serde(default)]
    pub region_ids: Vec<RegionId>,
}

/// A created key with its secret, which is shown this once.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    /// Send as `Authorization: Bearer <secret>`. Not stored; cannot be shown again.
    pub secret: String,
}

async fn ids(db: &Db, sql: &str, id: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(sql).bind(id).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

async fn key_from(db: &Db, r: &AnyRow) -> StoreResult<ApiKey> {
    let id = row::text(r, "id")?;
    Ok(ApiKey {
        id: row::parsed(r, "id")?,
        name: row::text(r, "name")?,
        prefix: row::text(r, "prefix")?,
        role: row::enumerated(r, "role", Role::parse)?,
        store_ids: users::parse_ids(
            ids(
                db,
                "SELECT store_id FROM api_key_stores WHERE api_key_id = $1",
                &id,
            )
            .await?,
        )?,
        region_ids: users::parse_ids(
            ids(
                db,
                "SELECT region_id FROM api_key_regions WHERE api_key_id = $1",
                &id,
            )
            .await?,
        )?,
        created_at: row::text(r, "created_at")?,
        last_used_at: row::opt_text(r, "last_used_at")?,
        revoked_at: row::opt_text(r, "revoked_at")?,
    })
}

/// The company's API keys, newest last.
pub async fn list(db: &Db, p: &Principal, page: &PageRequest) -> StoreResult<Page<ApiKey>> {
    let mut q = Sql::new("SELECT * FROM api_keys WHERE company_id = ");
    q.bind(p.company_id.to_string());
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let mut items = Vec::new();
    for r in &rows {
        items.push(key_from(db, r).await?);
    }
    Ok(page.page(items, |k| k.id.to_string()))
}

/// Creates a key; the secret is in the answer only.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &NewApiKey,
    idem: Option<&IdemLock>,
) -> StoreResult<CreatedApiKey> {
    let mut v = Validator::new();
    v.text("/name", &input.name, 1, 100);
    let stores: Vec<String> = input.store_ids.iter().map(|s| s.to_string()).collect();
    let regions: Vec<String> = input.region_ids.iter().map(|s| s.to_string()).collect();
    users::check_refs(db, p.company_id, &mut v, &stores, &regions).await?;
    v.finish().map_err(StoreError::Invalid)?;
    let secret = secrets::random_token("spk_");
    let prefix: String = secret.chars().take(10).collect();
    let id = ApiKeyId::new();
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO api_keys (id, company_id, name, prefix, key_hash, role, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(input.name.trim())
    .bind(&prefix)
    .bind(secrets::sha256_hex(&secret))
    .bind(input.role.as_str())
    .bind(&p.id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    for s in &input.store_ids {
        sqlx::query("INSERT INTO api_key_stores (api_key_id, store_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id.to_string())
            .bind(s.to_string())
            .execute(&mut *tx)
            .await?;
    }
    for r in &input.region_ids {
        sqlx::query("INSERT INTO api_key_regions (api_key_id, region_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id.to_string())
            .bind(r.to_string())
            .execute(&mut *tx)
            .await?;
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "api_key.created", "api_key", &id.to_string()).details(
            serde_json::json!({
            "name": input.name, "role": input.role, "prefix": prefix,
            "store_ids": input.store_ids, "region_ids": input.region_ids}),
        ),
    )
    .await?;
    let created = CreatedApiKey {
        api_key: ApiKey {
            id,
            name: input.name.trim().to_string(),
            prefix,
            role: input.role,
            store_ids: input.store_ids.clone(),
            region_ids: input.region_ids.clone(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        },
        secret,
    };
    // The stored replay must not carry the secret: a replay says it was shown already.
    let replay = serde_json::json!({"api_key": created.api_key, "secret": null});
    idempotency::finish(&mut tx, idem, 201, &replay).await?;
    tx.commit().await?;
    Ok(created)
}

/// Revokes a key; it stops working at once.
pub async fn revoke(db: &Db, p: &Principal, id: ApiKeyId) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND company_id = $3 AND revoked_at IS NULL")
        .bind(clock::now())
        .bind(id.to_string())
        .bind(p.company_id.to_string())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        let exists = sqlx::query("SELECT 1 FROM api_keys WHERE id = $1 AND company_id = $2")
            .bind(id.to_string())
            .bind(p.company_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        return if exists.is_some() {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        };
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "api_key.revoked", "api_key", &id.to_string()),
    )
    .await?;
    tx.commit().await?;
    db.caches.principals.clear();
    Ok(())
}

/// Resolves a key digest to its principal.
pub async fn authenticate(db: &Db, hash: &str) -> StoreResult<Option<Principal>> {
    let r = sqlx::query("SELECT id, company_id, name, role, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(hash)
        .fetch_optional(&db.pool)
        .await?;
    let Some(r) = r else { return Ok(None) };
    let id = row::text(&r, "id")?;
    let company = row::parsed(&r, "company_id")?;
    let role = row::enumerated(&r, "role", Role::parse)?;
    let stale = row::opt_text(&r, "last_used_at")?
        .and_then(|s| clock::parse(&s))
        .is_none_or(|t| time::OffsetDateTime::now_utc() - t > time::Duration::minutes(1));
    if stale {
        let mut tx = db.begin().await?;
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(clock::now())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let scope = users::scope_of(
        db,
        company,
        role,
        &id,
        "SELECT store_id FROM api_key_stores WHERE api_key_id = $1",
        "SELECT region_id FROM api_key_regions WHERE api_key_id = $1",
    )
    .await?;
    Ok(Some(Principal {
        kind: PrincipalKind::ApiKey,
        id,
        name: row::text(&r, "name")?,
        company_id: company,
        role,
        scope,
    }))
}
