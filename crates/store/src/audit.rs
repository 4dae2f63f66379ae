//! The audit trail: append-only (the database refuses UPDATE and DELETE through triggers) and
//! tamper-evident (each row's hash covers its content and the previous row's hash). Rows are
//! written in the same transaction as the action they record.

use crate::clock;
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::sql::Sql;
use salepoint_domain::audit_chain::{AuditContent, row_hash};
use salepoint_domain::ids::{AuditId, CompanyId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// What happened, by whom, to what. Built by the module that performs the action.
#[derive(Clone, Debug, Default)]
pub struct AuditEntry {
    pub company_id: Option<CompanyId>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub store_id: Option<String>,
    pub details: serde_json::Value,
    pub client_ip: Option<String>,
}

impl AuditEntry {
    /// An entry for an action by `p` on a target.
    pub fn by(p: &Principal, action: &str, target_type: &str, target_id: &str) -> Self {
        AuditEntry {
            company_id: Some(p.company_id),
            actor_kind: p.actor_kind().to_string(),
            actor_id: Some(p.id.clone()),
            actor_name: Some(p.name.clone()),
            action: action.to_string(),
            target_type: Some(target_type.to_string()),
            target_id: Some(target_id.to_string()),
            details: serde_json::json!({}),
            ..Default::default()
        }
    }

    /// Adds details (never secrets).
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Sets the store the action concerns.
    pub fn store(mut self, store_id: impl ToString) -> Self {
        self.store_id = Some(store_id.to_string());
        self
    }

    /// Sets the client address.
    pub fn ip(mut self, ip: Option<String>) -> Self {
        self.client_ip = ip;
        self
    }
}

/// A stored audit row.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub store_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub client_ip: Option<String>,
    pub hash: String,
}

/// Appends `e` inside `tx`. Taking the chain head with an UPDATE serializes concurrent
/// appenders on both backends, so the chain stays linear.
pub async fn append(tx: &mut Tx, e: AuditEntry) -> StoreResult<()> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
            .fetch_one(&mut **tx)
            .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let id = AuditId::new().to_string();
    let at = clock::now();
    let company = e.company_id.map(|c| c.to_string());
    let details = e.details.to_string();
    let hash = row_hash(
        &prev,
        &AuditContent {
            seq,
            id: &id,
            at: &at,
            company_id: company.as_deref(),
            actor_kind: &e.actor_kind,
            actor_id: e.actor_id.as_deref(),
            actor_name: e.actor_name.as_deref(),
            action: &e.action,
            target_type: e.target_type.as_deref(),
            target_id: e.target_id.as_deref(),
            store_id: e.store_id.as_deref(),
            details: &details,
            client_ip: e.client_ip.as_deref(),
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, id, at, company_id, actor_kind, actor_id, actor_name, action, \
         target_type, target_id, store_id, details, client_ip, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(seq)
    .bind(&id)
    .bind(&at)
    .bind(company)
    .bind(&e.actor_kind)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(&e.action)
    .bind(e.target_type)
    .bind(e.target_id)
    .bind(e.store_id)
    .bind(&details)
    .bind(e.client_ip)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends `e` in a transaction of its own (for events with no other effect, e.g. a failed
/// login).
pub async fn append_alone(db: &Db, e: AuditEntry) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    append(&mut tx, e).await?;
    tx.commit().await
}

const COLUMNS: &str = "seq, id, at, company_id, actor_kind, actor_id, actor_name, action, target_type, \
                       target_id, store_id, details, client_ip, prev_hash, hash";

struct RawRow {
    seq: i64,
    id: String,
    at: String,
    company_id: Option<String>,
    actor_kind: String,
    actor_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    store_id: Option<String>,
    details: String,
    client_ip: Option<String>,
    prev_hash: String,
    hash: String,
}

impl RawRow {
    fn from_row(r: &AnyRow) -> StoreResult<Self> {
        Ok(RawRow {
            seq: r.try_get(0)?,
            id: r.try_get(1)?,
            at: r.try_get(2)?,
            company_id: r.try_get(3)?,
            actor_kind: r.try_get(4)?,
            actor_id: r.try_get(5)?,
            actor_name: r.try_get(6)?,
            action: r.try_get(7)?,
            target_type: r.try_get(8)?,
            target_id: r.try_get(9)?,
            store_id: r.try_get(10)?,
            details: r.try_get(11)?,
            client_ip: r.try_get(12)?,
            prev_hash: r.try_get(13)?,
            hash: r.try_get(14)?,
        })
    }

    fn recomputed_hash(&self) -> String {
        row_hash(
            &self.prev_hash,
            &AuditContent {
                seq: self.seq,
                id: &self.id,
                at: &self.at,
                company_id: self.company_id.as_deref(),
                actor_kind: &self.actor_kind,
                actor_id: self.actor_id.as_deref(),
                actor_name: self.actor_name.as_deref(),
                action: &self.action,
                target_type: self.target_type.as_deref(),
                target_id: self.target_id.as_deref(),
                store_id: self.store_id.as_deref(),
                details: &self.details,
                client_ip: self.client_ip.as_deref(),
            },
        )
    }

    fn into_record(self) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            id: self.id,
            at: self.at,
            actor_kind: self.actor_kind,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            store_id: self.store_id,
            details: serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null),
            client_ip: self.client_ip,
            hash: self.hash,
        }
    }
}

/// Filters of the audit list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Actions starting with this, e.g. `login.` or `user.`.
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
}

/// The caller's company's audit rows, newest first.
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &AuditFilter,
    page: &PageRequest,
) -> StoreResult<Page<AuditRecord>> {
    // Rows without a company are system events (e.g. a failed login for an unknown name).
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE (company_id IS NULL OR company_id = "
    ));
    q.bind(p.company_id.to_string()).push(")");
    if let Some(a) = &f.action {
        q.push(" AND ").starts_with("action", a);
    }
    if let Some(a) = &f.actor_id {
        q.push(" AND actor_id = ").bind(a.clone());
    }
    if let Some(t) = &f.target_id {
        q.push(" AND target_id = ").bind(t.clone());
    }
    if let Some(after) = &page.after {
        let seq: i64 = after.parse().unwrap_or(i64::MAX);
        q.push(" AND seq < ").bind(seq);
    }
    q.push(" ORDER BY seq DESC LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let recs = rows
        .iter()
        .map(|r| RawRow::from_row(r).map(RawRow::into_record))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(recs, |r| r.seq.to_string()))
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ChainReport {
    /// Whether every link holds.
    pub ok: bool,
    /// How many rows were checked.
    pub checked: i64,
    /// The first row whose link or content does not match (or the missing position).
    pub first_broken_seq: Option<i64>,
}

/// Walks the whole chain in order and reports the first broken link. Reads in batches so a
/// long trail does not have to fit in memory.
pub async fn verify(db: &Db) -> StoreResult<ChainReport> {
    let mut prev = salepoint_domain::audit_chain::GENESIS_HASH.to_string();
    let mut expected_seq = 1i64;
    let mut checked = 0i64;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000"
        ))
        .bind(expected_seq)
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let row = RawRow::from_row(r)?;
            let broken = row.seq != expected_seq
                || row.prev_hash != prev
                || row.recomputed_hash() != row.hash;
            if broken {
                return Ok(ChainReport {
                    ok: false,
                    checked,
                    first_broken_seq: Some(expected_seq.min(row.seq)),
                });
            }
            checked += 1;
            prev = row.hash;
            expected_seq += 1;
        }
    }
    // The head remembers the last link: rows cut off the end are detected too.
    let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
        .fetch_one(&db.pool)
        .await?;
    let head_seq: i64 = head.try_get(0)?;
    let head_hash: String = head.try_get(1)?;
    if head_seq != checked || head_hash != prev {
        return Ok(ChainReport {
            ok: false,
            checked,
            first_broken_seq: Some(checked + 1),
        });
    }
    Ok(ChainReport {
        ok: true,
        checked,
        first_broken_seq: None,
    })
}
