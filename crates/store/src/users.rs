//! Users: who they are, their role, and the stores and regions they are assigned to, which
//! decide what they may see. Managers manage only staff below them, in their own stores.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult, unique_as_conflict};
use crate::idempotency::{self, IdemLock};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::secrets;
use crate::sql::Sql;
use salepoint_domain::ids::{CompanyId, RegionId, StoreId, UserId};
use salepoint_domain::org::Locale;
use salepoint_domain::password::{check_password, check_pin};
use salepoint_domain::roles::{Permission, Role, Scope};
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// A user as shown to callers (never with a password or PIN hash).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub locale: Locale,
    pub role: Role,
    pub active: bool,
    pub store_ids: Vec<StoreId>,
    pub region_ids: Vec<RegionId>,
    /// Whether the user has set an approval PIN.
    pub has_pin: bool,
    pub version: i64,
    pub created_at: String,
}

/// A new user.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub locale: Option<Locale>,
    pub role: Role,
    /// 8–128 characters, not easy to guess.
    pub password: String,
    #[serde(default)]
    pub store_ids: Vec<StoreId>,
    #[serde(default)]
    pub region_ids: Vec<RegionId>,
}

/// A full replacement of a user's editable fields.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub display_name: String,
    pub phone: Option<String>,
    pub locale: Locale,
    pub role: Role,
    pub active: bool,
    #[serde(default)]
    pub store_ids: Vec<StoreId>,
    #[serde(default)]
    pub region_ids: Vec<RegionId>,
    pub version: Option<i64>,
}

/// Filters of the user list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub store_id: Option<StoreId>,
}

async fn ids_of(db: &Db, sql: &str, user: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(sql).bind(user).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// Parses stored id strings into typed ids.
pub fn parse_ids<T: std::str::FromStr>(v: Vec<String>) -> StoreResult<Vec<T>> {
    v.into_iter()
        .map(|s| {
            s.parse()
                .map_err(|_| StoreError::Internal(format!("bad id {s}")))
        })
        .collect()
}

async fn user_from(db: &Db, r: &AnyRow) -> StoreResult<User> {
    let id: String = row::text(r, "id")?;
    let stores = ids_of(
        db,
        "SELECT store_id FROM user_stores WHERE user_id = $1 ORDER BY store_id",
        &id,
    )
    .await?;
    let regions = ids_of(
        db,
        "SELECT region_id FROM user_regions WHERE user_id = $1 ORDER BY region_id",
        &id,
    )
    .await?;
    Ok(User {
        id: row::parsed(r, "id")?,
        username: row::text(r, "username")?,
        display_name: row::text(r, "display_name")?,
        phone: row::opt_text(r, "phone")?,
        locale: row::enumerated(r, "locale", Locale::parse)?,
        role: row::enumerated(r, "role", Role::parse)?,
        active: row::flag(r, "active")?,
        store_ids: parse_ids(stores)?,
        region_ids: parse_ids(regions)?,
        has_pin: row::opt_text(r, "pin_hash")?.is_some(),
        version: row::int(r, "version")?,
        created_at: row::text(r, "created_at")?,
    })
}

/// The stores a role with these assignments may see: everything for admins and auditors,
/// otherwise the assigned stores plus every store of the assigned regions.
pub async fn scope_for(
    db: &Db,
    company: CompanyId,
    role: Role,
    store_ids: &[String],
    region_ids: &[String],
) -> StoreResult<Scope> {
    if role.sees_all_stores() {
        return Ok(Scope::All);
    }
    let mut set: BTreeSet<StoreId> = BTreeSet::new();
    if !store_ids.is_empty() {
        let mut q = Sql::new("SELECT id FROM stores WHERE company_id = ");
        q.bind(company.to_string())
            .push(" AND id IN ")
            .bind_list(store_ids);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            set.insert(row::parsed(&r, "id")?);
        }
    }
    if !region_ids.is_empty() {
        let mut q = Sql::new("SELECT id FROM stores WHERE company_id = ");
        q.bind(company.to_string())
            .push(" AND region_id IN ")
            .bind_list(region_ids);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            set.insert(row::parsed(&r, "id")?);
        }
    }
    Ok(Scope::Stores(set))
}

/// The scope of a stored user or API key, from its assignment tables.
pub async fn scope_of(
    db: &Db,
    company: CompanyId,
    role: Role,
    id: &str,
    stores_sql: &str,
    regions_sql: &str,
) -> StoreResult<Scope> {
    let stores = ids_of(db, stores_sql, id).await?;
    let regions = ids_of(db, regions_sql, id).await?;
    scope_for(db, company, role, &stores, &regions).await
}

/// The scope of user `id`.
pub async fn user_scope(db: &Db, company: CompanyId, role: Role, id: &str) -> StoreResult<Scope> {
    scope_of(
        db,
        company,
        role,
        id,
        "SELECT store_id FROM user_stores WHERE user_id = $1",
        "SELECT region_id FROM user_regions WHERE user_id = $1",
    )
    .await
}

/// SQL condition: users visible to the caller — with at least one store in the caller's
/// scope, directly or through a region.
fn push_user_scope(q: &mut Sql, p: &Principal) {
    if let Some(stores) = p.store_filter() {
        if stores.is_empty() {
            q.push(" AND 1 = 0");
            return;
        }
        q.push(" AND (id IN (SELECT user_id FROM user_stores WHERE store_id IN ");
        q.bind_list(&stores);
        q.push(") OR id IN (SELECT ur.user_id FROM user_regions ur JOIN stores s ON s.region_id = ur.region_id WHERE s.id IN ");
        q.bind_list(&stores);
        q.push("))");
    }
}

/// Users the caller may see.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &UserFilter,
    page: &PageRequest,
) -> StoreResult<Page<User>> {
    let mut q = Sql::new("SELECT * FROM users WHERE company_id = ");
    q.bind(p.company_id.to_string());
    push_user_scope(&mut q, p);
    if let Some(role) = f.role {
        q.push(" AND role = ").bind(role.as_str().to_string());
    }
    if let Some(store) = f.store_id {
        q.push(" AND id IN (SELECT user_id FROM user_stores WHERE store_id = ")
            .bind(store.to_string())
            .push(")");
    }
    if let Some(text) = f.q.as_deref().filter(|s| !s.trim().is_empty()) {
        q.push(" AND (")
            .contains("username", text)
            .push(" OR ")
            .contains("display_name", text)
            .push(")");
    }
    let rows = crate::page::fetch_by_id(db, q, page).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(user_from(db, r).await?);
    }
    Ok(page.page(items, |u| u.id.to_string()))
}

/// One user, if visible to the caller (the caller always sees themselves).
pub async fn get(db: &Db, p: &Principal, id: UserId) -> StoreResult<User> {
    let mut q = Sql::new("SELECT * FROM users WHERE company_id = ");
    q.bind(p.company_id.to_string())
        .push(" AND id = ")
        .bind(id.to_string());
    if p.id != id.to_string() {
        push_user_scope(&mut q, p);
    }
    let (sql, args) = q.build();
    let r = sqlx::query_with(&sql, args)
        .fetch_optional(&db.pool)
        .await?;
    user_from(db, &r.ok_or(StoreError::NotFound)?).await
}

/// A user by id without scope checks (for the session layer).
pub async fn get_unscoped(db: &Db, id: &str) -> StoreResult<User> {
    let r = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    user_from(db, &r.ok_or(StoreError::NotFound)?).await
}

fn validate_profile(v: &mut Validator, display_name: &str, phone: Option<&str>) {
    v.text("/display_name", display_name, 1, 100);
    if let Some(ph) = phone.filter(|s| !s.is_empty()) {
        let ok = ph.chars().count() <= 20
            && ph.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c))
            && ph.chars().filter(|c| c.is_ascii_digit()).count() >= 5;
        if !ok {
            v.add(
                "/phone",
                "invalid_format",
                "digits, spaces, '+' and '-', at most 20 characters",
            );
        }
    }
}

/// Checks that the assigned stores and regions exist in the company; returns the scope they
/// give a user of `role`.
async fn check_assignments(
    db: &Db,
    company: CompanyId,
    v: &mut Validator,
    role: Role,
    stores: &[StoreId],
    regions: &[RegionId],
) -> StoreResult<Scope> {
    let store_strs: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
    let region_strs: Vec<String> = regions.iter().map(|s| s.to_string()).collect();
    check_refs(db, company, v, &store_strs, &region_strs).await?;
    // What the user would see, computed as if all stores were visible.
    let as_if = match scope_for(db, company, role, &store_strs, &region_strs).await? {
        Scope::All => {
            let all = sqlx::query("SELECT id FROM stores WHERE company_id = $1")
                .bind(company.to_string())
                .fetch_all(&db.pool)
                .await?;
            Scope::Stores(
                all.iter()
                    .map(|r| row::parsed(r, "id"))
                    .collect::<StoreResult<_>>()?,
            )
        }
        s => s,
    };
    Ok(as_if)
}

/// Adds a field error for every store or region id that is not the company's.
pub async fn check_refs(
    db: &Db,
    company: CompanyId,
    v: &mut Validator,
    stores: &[String],
    regions: &[String],
) -> StoreResult<()> {
    let lists = [
        ("stores", "/store_ids", "no such store", stores),
        ("regions", "/region_ids", "no such region", regions),
    ];
    for (table, field, message, ids) in lists {
        let sql = format!("SELECT 1 FROM {table} WHERE id = $1 AND company_id = $2");
        for (i, id) in ids.iter().enumerate() {
            let found = sqlx::query(&sql)
                .bind(id)
                .bind(company.to_string())
                .fetch_optional(&db.pool)
                .await?;
            if found.is_none() {
                v.add(format!("{field}/{i}"), "unknown", message);
            }
        }
    }
    Ok(())
}

/// A user `p` may act on as a manager (or who is `p`): 404 outside scope, 403 when `p` may
/// not manage them.
async fn self_or_managed(db: &Db, p: &Principal, id: UserId, what: &str) -> StoreResult<User> {
    let user = get(db, p, id).await?;
    let scope = user_scope(db, p.company_id, user.role, &id.to_string()).await?;
    if p.id != id.to_string() && !may_manage(p, user.role, &scope) {
        return Err(StoreError::Forbidden(format!("you may not {what}")));
    }
    Ok(user)
}

/// Whether `p` may manage a user with `role` who would see `target_scope`.
fn may_manage(p: &Principal, role: Role, target_scope: &Scope) -> bool {
    if !p.can(Permission::UsersManage) || !p.role.may_assign(role) {
        return false;
    }
    match (&p.scope, target_scope) {
        (Scope::All, _) => true,
        (Scope::Stores(_), Scope::Stores(t)) => !t.is_empty() && p.scope.covers(t.iter()),
        (Scope::Stores(_), Scope::All) => false,
    }
}

async fn replace_assignments(
    tx: &mut Tx,
    id: &str,
    stores: &[StoreId],
    regions: &[RegionId],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_stores WHERE user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM user_regions WHERE user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let stores: BTreeSet<String> = stores.iter().map(|s| s.to_string()).collect();
    let regions: BTreeSet<String> = regions.iter().map(|s| s.to_string()).collect();
    for s in stores {
        sqlx::query("INSERT INTO user_stores (user_id, store_id) VALUES ($1, $2)")
            .bind(id)
            .bind(s)
            .execute(&mut **tx)
            .await?;
    }
    for r in regions {
        sqlx::query("INSERT INTO user_regions (user_id, region_id) VALUES ($1, $2)")
            .bind(id)
            .bind(r)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn validate_username(v: &mut Validator, username: &str) {
    let len = username.chars().count();
    if !(3..=32).contains(&len)
        || !username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        v.add(
            "/username",
            "invalid_format",
            "3 to 32 characters: lower-case letters, digits, '.', '_' and '-'",
        );
    }
}

/// Creates a user. The caller must hold `users.manage`, may only hand out roles below their
/// own, and only for stores in their scope.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &NewUser,
    client_ip: Option<String>,
    idem: Option<&IdemLock>,
) -> StoreResult<User> {
    let mut v = Validator::new();
    validate_username(&mut v, &input.username);
    validate_profile(&mut v, &input.display_name, input.phone.as_deref());
    if let Err(e) = check_password(
        "/password",
        &input.password,
        &[&input.username, &input.display_name],
    ) {
        v.add(e.field, &e.code, e.message);
    }
    let target_scope = check_assignments(
        db,
        p.company_id,
        &mut v,
        input.role,
        &input.store_ids,
        &input.region_ids,
    )
    .await?;
    v.finish().map_err(StoreError::Invalid)?;
    if !may_manage(p, input.role, &target_scope) {
        return Err(StoreError::Forbidden(
            "you may not create a user with this role or these stores".into(),
        ));
    }
    let hash = secrets::hash_password(input.password.clone()).await?;
    let id = UserId::new();
    let mut tx = db.begin().await?;
    insert(&mut tx, p.company_id, id, input, &hash).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "user.created", "user", &id.to_string())
            .ip(client_ip)
            .details(
                serde_json::json!({"username": input.username, "role": input.role,
                "store_ids": input.store_ids, "region_ids": input.region_ids}),
            ),
    )
    .await?;
    let mut store_ids: Vec<StoreId> = input
        .store_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    store_ids.sort_by_key(|s| s.to_string());
    let mut region_ids: Vec<RegionId> = input
        .region_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    region_ids.sort_by_key(|s| s.to_string());
    let user = User {
        id,
        username: input.username.clone(),
        display_name: input.display_name.trim().to_string(),
        phone: input.phone.clone().filter(|s| !s.is_empty()),
        locale: input.locale.unwrap_or(Locale::ZhCn),
        role: input.role,
        active: true,
        store_ids,
        region_ids,
        has_pin: false,
        version: 1,
        created_at: clock::now(),
    };
    idempotency::finish(&mut tx, idem, 201, &user).await?;
    tx.commit().await?;
    Ok(user)
}

/// Inserts a user row and assignments (no checks; for `create`, bootstrap and the demo).
pub async fn insert(
    tx: &mut Tx,
    company: CompanyId,
    id: UserId,
    input: &NewUser,
    password_hash: &str,
) -> StoreResult<()> {
    let now = clock::now();
    sqlx::query(
        "INSERT INTO users (id, company_id, username, display_name, phone, locale, role, password_hash, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id.to_string())
    .bind(company.to_string())
    .bind(&input.username)
    .bind(input.display_name.trim())
    .bind(input.phone.clone().filter(|s| !s.is_empty()))
    .bind(input.locale.unwrap_or(Locale::ZhCn).as_str())
    .bind(input.role.as_str())
    .bind(password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_as_conflict(e, "/username", "this username is taken"))?;
    replace_assignments(tx, &id.to_string(), &input.store_ids, &input.region_ids).await
}

/// Ends every open session of a user (on disable and password change).
pub async fn end_sessions(tx: &mut Tx, user: &str) -> StoreResult<u64> {
    let done =
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
            .bind(clock::now())
            .bind(user)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected())
}

/// Updates a user. Disabling a user ends all their sessions in the same transaction.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: UserId,
    input: &UserUpdate,
    client_ip: Option<String>,
) -> StoreResult<User> {
    let current = get(db, p, id).await?;
    let mut v = Validator::new();
    validate_profile(&mut v, &input.display_name, input.phone.as_deref());
    let version = match input.version {
        Some(n) => n,
        None => {
            v.add("/version", "required", "the version you read last");
            0
        }
    };
    let new_scope = check_assignments(
        db,
        p.company_id,
        &mut v,
        input.role,
        &input.store_ids,
        &input.region_ids,
    )
    .await?;
    v.finish().map_err(StoreError::Invalid)?;
    let current_scope = user_scope(db, p.company_id, current.role, &id.to_string()).await?;
    let self_edit = p.id == id.to_string();
    if self_edit && (input.role != current.role || !input.active) {
        return Err(StoreError::Forbidden(
            "you cannot change your own role or disable yourself".into(),
        ));
    }
    if !may_manage(p, current.role, &current_scope) || !may_manage(p, input.role, &new_scope) {
        return Err(StoreError::Forbidden("you may not change this user".into()));
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE users SET display_name = $1, phone = $2, locale = $3, role = $4, active = $5, \
         version = version + 1, updated_at = $6 WHERE id = $7 AND company_id = $8 AND version = $9",
    )
    .bind(input.display_name.trim())
    .bind(input.phone.clone().filter(|s| !s.is_empty()))
    .bind(input.locale.as_str())
    .bind(input.role.as_str())
    .bind(input.active as i64)
    .bind(clock::now())
    .bind(id.to_string())
    .bind(p.company_id.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::VersionConflict);
    }
    replace_assignments(
        &mut tx,
        &id.to_string(),
        &input.store_ids,
        &input.region_ids,
    )
    .await?;
    let mut ended = 0;
    if !input.active {
        ended = end_sessions(&mut tx, &id.to_string()).await?;
    }
    let action = if current.active && !input.active {
        "user.disabled"
    } else if !current.active && input.active {
        "user.enabled"
    } else if current.role != input.role {
        "user.role_changed"
    } else {
        "user.updated"
    };
    audit::append(
        &mut tx,
        AuditEntry::by(p, action, "user", &id.to_string())
            .ip(client_ip)
            .details(
                serde_json::json!({"username": current.username, "role_before": current.role,
                "role": input.role, "active": input.active, "store_ids": input.store_ids,
                "region_ids": input.region_ids, "sessions_ended": ended}),
            ),
    )
    .await?;
    tx.commit().await?;
    // A changed role, scope or a disabled account applies to the next request.
    db.caches.principals.clear();
    get_unscoped(db, &id.to_string()).await
}

/// Sets a new password for a user (an administrator's or manager's reset), ending their
/// sessions.
pub async fn reset_password(
    db: &Db,
    p: &Principal,
    id: UserId,
    password: &str,
    client_ip: Option<String>,
) -> StoreResult<()> {
    let user = self_or_managed(db, p, id, "change this user's password").await?;
    check_password("/password", password, &[&user.username, &user.display_name])
        .map_err(|e| StoreError::Invalid(vec![e]))?;
    let hash = secrets::hash_password(password.to_string()).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(clock::now())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    let ended = end_sessions(&mut tx, &id.to_string()).await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "user.password_reset", "user", &id.to_string())
            .ip(client_ip)
            .details(serde_json::json!({"username": user.username, "sessions_ended": ended})),
    )
    .await?;
    tx.commit().await?;
    db.caches.principals.clear();
    Ok(())
}

/// Sets a user's approval PIN (the user themselves, or someone who may manage them).
pub async fn set_pin(
    db: &Db,
    p: &Principal,
    id: UserId,
    pin: &str,
    client_ip: Option<String>,
) -> StoreResult<()> {
    let user = self_or_managed(db, p, id, "set this user's PIN").await?;
    check_pin("/pin", pin).map_err(|e| StoreError::Invalid(vec![e]))?;
    let hash = secrets::hash_password(pin.to_string()).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE users SET pin_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(clock::now())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "user.pin_set", "user", &id.to_string())
            .ip(client_ip)
            .details(serde_json::json!({"username": user.username})),
    )
    .await?;
    tx.commit().await
}

/// A user's id, company, role, active flag and hashes, looked up by username (for login and
/// approvals).
#[derive(Clone, Debug)]
pub struct Credentials {
    pub id: String,
    pub company_id: CompanyId,
    pub username: String,
    pub role: Role,
    pub active: bool,
    pub password_hash: String,
    pub pin_hash: Option<String>,
}

/// Credentials of `username`, if such a user exists.
pub async fn credentials(db: &Db, username: &str) -> StoreResult<Option<Credentials>> {
    let r = sqlx::query("SELECT id, company_id, username, role, active, password_hash, pin_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await?;
    r.map(|r| {
        Ok(Credentials {
            id: row::text(&r, "id")?,
            company_id: row::parsed(&r, "company_id")?,
            username: row::text(&r, "username")?,
            role: row::enumerated(&r, "role", Role::parse)?,
            active: row::flag(&r, "active")?,
            password_hash: row::text(&r, "password_hash")?,
            pin_hash: row::opt_text(&r, "pin_hash")?,
        })
    })
    .transpose()
}
