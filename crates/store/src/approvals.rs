//! Manager approval at the register: a store manager's username with their password or PIN
//! turns into a one-time approval for one named action at one store, valid for a few minutes.
//! The register later consumes it in the same transaction as the action it allows.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::secrets;
use crate::sessions::{self, AuthConfig};
use crate::users;
use salepoint_domain::ids::{ApprovalId, StoreId};
use salepoint_domain::roles::Permission;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::ToSchema;

/// How long an approval may wait to be used.
const VALID_FOR: Duration = Duration::minutes(5);

/// A request for approval, made at a register with the manager standing by.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    /// What is approved, e.g. `sale.discount`, `sale.void`, `refund`.
    pub action: String,
    pub store_id: StoreId,
    /// The approving manager.
    pub username: String,
    /// The manager's password, or …
    pub password: Option<String>,
    /// … the manager's PIN.
    pub pin: Option<String>,
}

/// A granted, not yet used approval.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Approval {
    pub id: ApprovalId,
    /// Present this with the action; it works once.
    pub token: String,
    pub action: String,
    pub store_id: StoreId,
    pub approver_id: String,
    pub approver_username: String,
    pub expires_at: String,
}

/// Why an approval was not granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApprovalRefused {
    InvalidCredentials,
    /// The approver's role or stores do not allow approving here.
    NotAllowed,
    Throttled {
        retry_after: i64,
    },
}

/// Grants an approval if the named manager's credentials are right and they may approve at
/// the store. Failures count towards the login throttle of the manager's account.
pub async fn grant(
    db: &Db,
    cfg: &AuthConfig,
    requester: &Principal,
    req: &ApprovalRequest,
    ip: &str,
) -> StoreResult<Result<Approval, ApprovalRefused>> {
    let mut v = Validator::new();
    let action_ok = (1..=64).contains(&req.action.len())
        && req
            .action
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
    if !action_ok {
        v.add(
            "/action",
            "invalid_format",
            "e.g. sale.discount: lower-case letters, '.' and '_'",
        );
    }
    if req.password.is_none() == req.pin.is_none() {
        v.add("/password", "required", "give either password or pin");
    }
    v.text("/username", &req.username, 1, 64);
    v.finish().map_err(StoreError::Invalid)?;
    if !requester.sees(req.store_id) {
        return Err(StoreError::NotFound);
    }
    if let Some(retry_after) = sessions::throttled(db, cfg, &req.username, ip).await? {
        return Ok(Err(ApprovalRefused::Throttled { retry_after }));
    }
    let creds = users::credentials(db, &req.username).await?;
    let (secret, stored) = match (&req.password, &req.pin) {
        (Some(pw), _) => (pw.clone(), creds.as_ref().map(|c| c.password_hash.clone())),
        (None, Some(pin)) => (pin.clone(), creds.as_ref().and_then(|c| c.pin_hash.clone())),
        (None, None) => unreachable!("validated above"),
    };
    let ok = secrets::verify_password(secret, stored).await?;
    let creds = match creds {
        Some(c) if ok && c.active && c.company_id == requester.company_id => c,
        _ => {
            sessions::record_failure(
                db,
                &req.username,
                ip,
                Some(requester.company_id),
                "approval_failed",
            )
            .await?;
            return Ok(Err(ApprovalRefused::InvalidCredentials));
        }
    };
    let scope = users::user_scope(db, creds.company_id, creds.role, &creds.id).await?;
    if !creds.role.has(Permission::ApprovalsGrant) || !scope.contains(req.store_id) {
        return Ok(Err(ApprovalRefused::NotAllowed));
    }
    let id = ApprovalId::new();
    let token = secrets::random_token("spa_");
    let expires_at = clock::in_future(VALID_FOR);
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO approvals (id, company_id, store_id, action, approver_id, requested_by, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(requester.company_id.to_string())
    .bind(req.store_id.to_string())
    .bind(&req.action)
    .bind(&creds.id)
    .bind(&requester.id)
    .bind(secrets::sha256_hex(&token))
    .bind(clock::now())
    .bind(&expires_at)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(requester, "approval.granted", "approval", &id.to_string())
            .store(req.store_id)
            .ip(Some(ip.to_string()))
            .details(
                serde_json::json!({"action": req.action, "approver": creds.username,
                "method": if req.pin.is_some() { "pin" } else { "password" }}),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Approval {
        id,
        token,
        action: req.action.clone(),
        store_id: req.store_id,
        approver_id: creds.id,
        approver_username: creds.username,
        expires_at,
    }))
}

/// Uses an approval inside the transaction of the action it allows; returns the approver's
/// user id. Fails if the token is unknown, used, expired, or for another action or store.
pub async fn consume(
    tx: &mut Tx,
    token: &str,
    action: &str,
    store: StoreId,
) -> StoreResult<String> {
    let r = sqlx::query(
        "UPDATE approvals SET consumed_at = $1 WHERE token_hash = $2 AND action = $3 AND store_id = $4 \
         AND consumed_at IS NULL AND expires_at > $1 RETURNING approver_id",
    )
    .bind(clock::now())
    .bind(secrets::sha256_hex(token))
    .bind(action)
    .bind(store.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    match r {
        Some(r) => row::text(&r, "approver_id"),
        None => Err(StoreError::invalid(
            "/approval_token",
            "invalid_approval",
            "the approval is unknown, used, expired, or for another action or store",
        )),
    }
}
