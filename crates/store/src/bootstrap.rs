//! First start: an empty database gets a company and its first administrator, `admin`.

use crate::audit::{self, AuditEntry};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::org::{self, CompanyInput};
use crate::secrets;
use crate::users::{self, NewUser};
use salepoint_domain::ids::{CompanyId, UserId};
use salepoint_domain::org::{Locale, RoundingRule, TaxMode};
use salepoint_domain::password::check_password;
use salepoint_domain::roles::Role;
use sqlx::Row;

/// The first administrator's username.
pub const ADMIN_USERNAME: &str = "admin";

/// What a first start created.
#[derive(Clone, Debug)]
pub struct Initialized {
    pub company_id: CompanyId,
    /// The administrator's password when it was generated (to print once), `None` when it
    /// came from `SALEPOINT_ADMIN_PASSWORD`.
    pub generated_password: Option<String>,
}

/// Whether the database holds a company yet.
pub async fn is_empty(db: &Db) -> StoreResult<bool> {
    let r = sqlx::query("SELECT COUNT(*) FROM companies")
        .fetch_one(&db.pool)
        .await?;
    Ok(r.try_get::<i64, _>(0)? == 0)
}

/// The (first) company of this database, for command-line work.
pub async fn first_company(db: &Db) -> StoreResult<CompanyId> {
    let r = sqlx::query("SELECT id FROM companies ORDER BY created_at LIMIT 1")
        .fetch_optional(&db.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    r.try_get::<String, _>(0)?
        .parse()
        .map_err(|_| StoreError::Internal("bad company id".into()))
}

/// A fresh random administrator password (about 120 bits).
pub fn random_password() -> String {
    let t = secrets::random_token("");
    format!("{}-{}-{}", &t[0..7], &t[7..14], &t[14..21])
}

/// Checks a given administrator password, or generates one.
pub fn admin_password(given: Option<String>) -> StoreResult<(String, bool)> {
    match given {
        Some(p) => {
            check_password("SALEPOINT_ADMIN_PASSWORD", &p, &[ADMIN_USERNAME]).map_err(|e| {
                StoreError::Internal(format!(
                    "SALEPOINT_ADMIN_PASSWORD is not acceptable: {}",
                    e.message
                ))
            })?;
            Ok((p, false))
        }
        None => Ok((random_password(), true)),
    }
}

/// Creates the company and `admin` in `tx`.
pub async fn create_company_and_admin(
    tx: &mut Tx,
    company: &CompanyInput,
    password: &str,
) -> StoreResult<(CompanyId, UserId)> {
    create_company_and_admin_named(tx, ADMIN_USERNAME, company, password).await
}

/// Creates a company and its first administrator named `username` in `tx` (usernames are
/// unique across companies, so a second company's administrator needs another name).
pub async fn create_company_and_admin_named(
    tx: &mut Tx,
    username: &str,
    company: &CompanyInput,
    password: &str,
) -> StoreResult<(CompanyId, UserId)> {
    let company_id = org::create_company(tx, company).await?;
    crate::payments::tender_types::seed_defaults(tx, company_id).await?;
    let hash = secrets::hash_password(password.to_string()).await?;
    let admin = UserId::new();
    users::insert(
        tx,
        company_id,
        admin,
        &NewUser {
            username: username.into(),
            display_name: "系统管理员".into(),
            phone: None,
            locale: Some(company.default_locale),
            role: Role::Admin,
            password: String::new(),
            store_ids: vec![],
            region_ids: vec![],
        },
        &hash,
    )
    .await?;
    audit::append(
        tx,
        AuditEntry {
            company_id: Some(company_id),
            actor_kind: "system".into(),
            actor_name: Some("bootstrap".into()),
            action: "user.created".into(),
            target_type: Some("user".into()),
            target_id: Some(admin.to_string()),
            details: serde_json::json!({"username": username, "role": "admin"}),
            ..Default::default()
        },
    )
    .await?;
    Ok((company_id, admin))
}

/// On an empty database, creates a default company and `admin`.
pub async fn initialize(
    db: &Db,
    admin_password_env: Option<String>,
) -> StoreResult<Option<Initialized>> {
    if !is_empty(db).await? {
        return Ok(None);
    }
    let (password, generated) = admin_password(admin_password_env)?;
    let mut tx = db.begin().await?;
    let (company_id, _) = create_company_and_admin(
        &mut tx,
        &CompanyInput {
            name: "我的公司".into(),
            currency: "CNY".into(),
            default_locale: Locale::ZhCn,
            tax_mode: TaxMode::Inclusive,
            rounding_rule: RoundingRule::HalfUp,
            time_zone: "Asia/Shanghai".into(),
            version: None,
        },
        &password,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(Initialized {
        company_id,
        generated_password: generated.then_some(password),
    }))
}
