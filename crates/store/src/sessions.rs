//! Sign-in and the resolution of a bearer token to a [`Principal`]: sessions for people, API
//! keys for integrations. Tokens are random (256 bits) and stored only as SHA-256 digests.
//! Failed logins are throttled per account and per client address, in the database, so every
//! app server sees the same counts.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::Db;
use crate::error::StoreResult;
use crate::principal::{Principal, PrincipalKind};
use crate::row;
use crate::secrets;
use crate::users;
use salepoint_domain::ids::SessionId;
use salepoint_domain::roles::Role;
use time::Duration;

/// Session lifetimes and throttling limits.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// A session ends after this long without a request.
    pub idle: Duration,
    /// A session ends this long after login, whatever happens.
    pub absolute: Duration,
    /// Failures per account within the window before logins for it are refused.
    pub max_failures_per_account: i64,
    /// Failures per client address within the window.
    pub max_failures_per_address: i64,
    /// The throttling window.
    pub window: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            idle: Duration::hours(2),
            absolute: Duration::hours(12),
            max_failures_per_account: 5,
            max_failures_per_address: 30,
            window: Duration::minutes(15),
        }
    }
}

/// A successful login.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: String,
    pub user_id: String,
}

/// Why a login was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginRefused {
    /// Unknown user, wrong password or disabled user (not told apart).
    InvalidCredentials,
    /// Too many recent failures; retry after this many seconds.
    Throttled { retry_after: i64 },
}

/// Seconds until a login for `username` from `ip` may be tried again, if throttled now.
pub async fn throttled(
    db: &Db,
    cfg: &AuthConfig,
    username: &str,
    ip: &str,
) -> StoreResult<Option<i64>> {
    let since = clock::in_future(-cfg.window);
    let checks = [
        ("username", username, cfg.max_failures_per_account),
        ("client_ip", ip, cfg.max_failures_per_address),
    ];
    let mut wait = None;
    for (col, value, max) in checks {
        let q = format!(
            "SELECT COUNT(*) AS n, MIN(at) AS first FROM \
             (SELECT at FROM login_failures WHERE {col} = $1 AND at > $2 ORDER BY at DESC LIMIT $3) recent"
        );
        let r = sqlx::query(&q)
            .bind(value)
            .bind(&since)
            .bind(max)
            .fetch_one(&db.pool)
            .await?;
        if row::int(&r, "n")? >= max {
            let first = row::opt_text(&r, "first")?.and_then(|s| clock::parse(&s));
            let secs = first
                .map(|f| (f + cfg.window - time::OffsetDateTime::now_utc()).whole_seconds() + 1)
                .unwrap_or(cfg.window.whole_seconds());
            wait = Some(wait.map_or(secs, |w: i64| w.max(secs)).max(1));
        }
    }
    Ok(wait)
}

/// Records a failed login or approval attempt (it counts towards throttling) and audits it.
pub async fn record_failure(
    db: &Db,
    username: &str,
    ip: &str,
    company: Option<salepoint_domain::ids::CompanyId>,
    reason: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO login_failures (id, username, client_ip, at) VALUES ($1, $2, $3, $4)")
        .bind(SessionId::new().to_string())
        .bind(username)
        .bind(ip)
        .bind(clock::now())
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        AuditEntry {
            company_id: company,
            actor_kind: "anonymous".into(),
            actor_name: Some(username.chars().take(64).collect()),
            action: "login.failed".into(),
            details: serde_json::json!({ "reason": reason }),
            client_ip: Some(ip.to_string()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await
}

/// Checks a username and password and opens a session. Unknown users are verified against a
/// dummy hash so that every refusal takes about as long.
pub async fn login(
    db: &Db,
    cfg: &AuthConfig,
    username: &str,
    password: &str,
    ip: &str,
) -> StoreResult<Result<NewSession, LoginRefused>> {
    if let Some(retry_after) = throttled(db, cfg, username, ip).await? {
        return Ok(Err(LoginRefused::Throttled { retry_after }));
    }
    let creds = users::credentials(db, username).await?;
    let ok = secrets::verify_password(
        password.to_string(),
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await?;
    let creds = match creds {
        Some(c) if ok && c.active => c,
        other => {
            let reason = match &other {
                None => "unknown_user",
                Some(c) if !c.active => "disabled",
                Some(_) => "wrong_password",
            };
            record_failure(db, username, ip, other.map(|c| c.company_id), reason).await?;
            return Ok(Err(LoginRefused::InvalidCredentials));
        }
    };
    let token = secrets::random_token("sps_");
    let csrf = secrets::random_token("");
    let now = clock::now();
    let expires_at = clock::in_future(cfg.absolute);
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, csrf_hash, user_id, created_at, last_seen_at, expires_at, client_ip) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(SessionId::new().to_string())
    .bind(secrets::sha256_hex(&token))
    .bind(secrets::sha256_hex(&csrf))
    .bind(&creds.id)
    .bind(&now)
    .bind(&expires_at)
    .bind(ip)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        AuditEntry {
            company_id: Some(creds.company_id),
            actor_kind: "user".into(),
            actor_id: Some(creds.id.clone()),
            actor_name: Some(creds.username.clone()),
            action: "login.succeeded".into(),
            details: serde_json::json!({}),
            client_ip: Some(ip.to_string()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(NewSession {
        token,
        csrf_token: csrf,
        expires_at,
        user_id: creds.id,
    }))
}

/// Resolves a bearer token (session or API key) to its principal, or `None` if it is unknown,
/// expired, ended, revoked or its user is disabled.
pub async fn authenticate(
    db: &Db,
    cfg: &AuthConfig,
    token: &str,
) -> StoreResult<Option<Principal>> {
    let hash = secrets::sha256_hex(token);
    // A logout, a disabled user or a revoked key in this process clears the cache at once;
    // on other app servers it takes effect within the cache's TTL (2 s).
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Some((p, until)) = db.caches.principals.get(&hash)
        && until.is_none_or(|u| u > now)
    {
        return Ok(Some(p));
    }
    let found = if token.starts_with("spk_") {
        crate::api_keys::authenticate(db, &hash)
            .await?
            .map(|p| (p, None))
    } else if token.starts_with("sps_") {
        session_principal(db, cfg, &hash).await?
    } else {
        None
    };
    if let Some(entry) = &found {
        db.caches.principals.put(hash, entry.clone());
    }
    Ok(found.map(|(p, _)| p))
}

/// The caller behind a session token's hash, if the session is alive, with the moment it
/// expires (absolute or idle, whichever comes first).
async fn session_principal(
    db: &Db,
    cfg: &AuthConfig,
    hash: &str,
) -> StoreResult<Option<(Principal, Option<i64>)>> {
    let r = sqlx::query(
        "SELECT s.id AS session_id, s.csrf_hash, s.last_seen_at, s.expires_at, u.id AS user_id, \
         u.company_id, u.username, u.role, u.active \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.ended_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let now = time::OffsetDateTime::now_utc();
    let last_seen = clock::parse(&row::text(&r, "last_seen_at")?);
    let expires = clock::parse(&row::text(&r, "expires_at")?);
    let alive = row::flag(&r, "active")?
        && expires.is_some_and(|e| e > now)
        && last_seen.is_some_and(|l| l + cfg.idle > now);
    if !alive {
        return Ok(None);
    }
    let session_id = row::text(&r, "session_id")?;
    // Refresh the idle clock at most once a minute, to keep reads from becoming writes.
    if last_seen.is_some_and(|l| now - l > Duration::minutes(1)) {
        let mut tx = db.begin().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(clock::format(now))
            .bind(&session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let company = row::parsed(&r, "company_id")?;
    let role = row::enumerated(&r, "role", Role::parse)?;
    let user_id = row::text(&r, "user_id")?;
    let scope = users::user_scope(db, company, role, &user_id).await?;
    // The earlier of the absolute and the idle deadline (as of the last seen time read).
    let until = match (expires, last_seen) {
        (Some(e), Some(l)) => Some(e.min(l + cfg.idle).unix_timestamp()),
        _ => Some(now.unix_timestamp()),
    };
    let principal = Principal {
        kind: PrincipalKind::Session {
            session_id,
            csrf_hash: row::text(&r, "csrf_hash")?,
        },
        id: user_id,
        name: row::text(&r, "username")?,
        company_id: company,
        role,
        scope,
    };
    Ok(Some((principal, until)))
}

/// Ends a session.
pub async fn logout(db: &Db, p: &Principal, ip: Option<String>) -> StoreResult<()> {
    let PrincipalKind::Session { session_id, .. } = &p.kind else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(clock::now())
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "logout", "session", session_id).ip(ip),
    )
    .await?;
    tx.commit().await?;
    db.caches.principals.clear();
    Ok(())
}

/// Deletes login failures older than the throttling window and sessions ended or expired more
/// than a day ago; returns how many rows went.
pub async fn purge(db: &Db, cfg: &AuthConfig) -> StoreResult<u64> {
    let failures_before = clock::in_future(-cfg.window);
    let sessions_before = clock::in_future(-Duration::days(1));
    let mut tx = db.begin().await?;
    let a = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(failures_before)
        .execute(&mut *tx)
        .await?;
    let b = sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR ended_at < $1")
        .bind(sessions_before)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(a.rows_affected() + b.rows_affected())
}
