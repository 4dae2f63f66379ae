//! PIPL (个人信息保护法) requests: a copy of everything held about a person, and erasure.
//!
//! Erasure anonymises rather than deletes: sales and ledgers are the company's books and stay,
//! but nothing in them points to a person any more once the profile is blank. It is refused
//! while money is open between the two sides (a receivable, or stored value the customer paid
//! for and would lose).

use super::profiles::{self, Customer};
use super::view::{self, OpenTask, PointsEntry, StoredValueEntry};
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A line of a sale in the export.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExportedLine {
    pub sku: String,
    pub name: String,
    pub quantity_milli: i64,
    pub total_minor: i64,
}

/// A sale in the export.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExportedSale {
    pub id: String,
    pub receipt_no: String,
    pub store_id: String,
    pub kind: String,
    pub total_minor: i64,
    pub created_at: String,
    pub lines: Vec<ExportedLine>,
}

/// Who saw the person's contact details, when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevealRecord {
    pub at: String,
    pub actor_name: Option<String>,
    pub action: String,
}

/// Everything held about a person.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PrivacyExport {
    pub exported_at: String,
    pub profile: Customer,
    /// Customers merged into this one (their sales are included).
    pub merged_from: Vec<String>,
    pub sales: Vec<ExportedSale>,
    pub points: Vec<PointsEntry>,
    pub stored_value: Vec<StoredValueEntry>,
    pub tasks: Vec<OpenTask>,
    /// Reveals and exports of the person's data from the audit trail.
    pub access_log: Vec<RevealRecord>,
}

/// Builds the export of everything held about a customer (customers.admin); audited.
pub async fn export(db: &Db, p: &Principal, id: &str) -> StoreResult<PrivacyExport> {
    // The person's own data, in full: the export is for them (and audited).
    let profile = profiles::load(db, p, id).await?;
    let company = p.company_id.to_string();
    let ids = view::identity_ids(db, &company, id).await?;
    let mut q = Sql::new(
        "SELECT id, receipt_no, store_id, kind, total_minor, created_at FROM sales WHERE company_id = ",
    );
    q.bind(company.clone())
        .push(" AND customer_id IN ")
        .bind_list(&ids)
        .push(" ORDER BY created_at, id");
    let (sql, args) = q.build();
    let mut sales = Vec::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
        let sale_id = row::text(&r, "id")?;
        let lines = sqlx::query(
            "SELECT sku, name, quantity_milli, total_minor FROM sale_lines WHERE sale_id = $1 ORDER BY line_no",
        )
        .bind(&sale_id)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|l| {
            Ok(ExportedLine {
                sku: row::text(l, "sku")?,
                name: row::text(l, "name")?,
                quantity_milli: row::int(l, "quantity_milli")?,
                total_minor: row::int(l, "total_minor")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        sales.push(ExportedSale {
            id: sale_id,
            receipt_no: row::text(&r, "receipt_no")?,
            store_id: row::text(&r, "store_id")?,
            kind: row::text(&r, "kind")?,
            total_minor: row::int(&r, "total_minor")?,
            created_at: row::text(&r, "created_at")?,
            lines,
        });
    }
    let mut q = Sql::new(
        "SELECT at, actor_name, action FROM audit_log WHERE target_type = 'customer' AND action IN ('customer.contact_revealed', 'customer.privacy_exported') AND target_id IN ",
    );
    q.bind_list(&ids).push(" ORDER BY seq");
    let (sql, args) = q.build();
    let access_log = sqlx::query_with(&sql, args)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(RevealRecord {
                at: row::text(r, "at")?,
                actor_name: row::opt_text(r, "actor_name")?,
                action: row::text(r, "action")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let out = PrivacyExport {
        exported_at: clock::now(),
        profile,
        merged_from: ids.iter().filter(|i| *i != id).cloned().collect(),
        sales,
        points: view::points_rows(db, &ids, 1_000_000).await?,
        stored_value: view::stored_value_rows(db, &ids, 1_000_000).await?,
        tasks: view::tasks_of(db, &ids, true).await?,
        access_log,
    };
    let mut tx = db.begin().await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "customer.privacy_exported", "customer", id).details(
            serde_json::json!({"member_no": out.profile.member_no, "sales": out.sales.len()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Why a customer is erased.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseInput {
    pub reason: String,
}

/// The anonymised name of an erased customer.
pub const ERASED_NAME: &str = "已注销";

/// Anonymises a customer (customers.admin): name `已注销`; phone, e-mail, card, birthday,
/// gender, addresses, company name and tax id, notes, tags, consent and search text cleared;
/// status `erased`. Remaining points are forfeited (an `adjust` row; the lots emptied), so
/// the points liability no longer counts them. Open tasks are cancelled. Refused with 409
/// `open_balance` while a receivable is open or stored value remains.
pub async fn erase(db: &Db, p: &Principal, id: &str, input: &EraseInput) -> StoreResult<Customer> {
    let mut v = Validator::new();
    v.text("/reason", &input.reason, 1, 500);
    v.finish().map_err(StoreError::Invalid)?;
    let c = profiles::load(db, p, id).await?;
    if c.status == "erased" {
        return Err(StoreError::Rule {
            field: "/status".into(),
            code: "not_active",
            message: "the customer is already erased".into(),
        });
    }
    let now = clock::now();
    let company = p.company_id.to_string();
    let mut tx = db.begin().await?;
    // The guard is in the UPDATE itself, so a top-up racing the erasure cannot slip between a
    // check and the write.
    let r = sqlx::query(
        "UPDATE customers SET name = $1, phone = NULL, email = NULL, card_code = NULL, birthday = NULL, gender = NULL, \
         tags = '[]', marketing_consent = 0, consent_at = NULL, consent_source = NULL, notes = '', \
         company_name = NULL, tax_id = NULL, billing_address = NULL, shipping_address = NULL, search_text = '', \
         status = 'erased', points_balance = 0, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND company_id = $4 AND receivable_minor = 0 AND stored_value_minor <= 0 \
         RETURNING id",
    )
    .bind(ERASED_NAME)
    .bind(&now)
    .bind(id)
    .bind(&company)
    .fetch_optional(&mut *tx)
    .await?;
    if r.is_none() {
        return Err(StoreError::Rule {
            field: "/".into(),
            code: "open_balance",
            message:
                "the customer has an open receivable or stored value; settle or refund it first"
                    .into(),
        });
    }
    if c.points_balance > 0 {
        sqlx::query(
            "INSERT INTO points_ledger (id, company_id, customer_id, store_id, kind, points, expires_at, ref_type, \
             ref_id, user_id, at) VALUES ($1, $2, $3, NULL, 'adjust', $4, NULL, 'customer_erasure', $3, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&company)
        .bind(id)
        .bind(-c.points_balance)
        .bind(&p.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE points_lots SET remaining = 0 WHERE customer_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    // Scores profile the person: they go with the rest (the next recompute would drop them).
    sqlx::query("DELETE FROM customer_rfm WHERE customer_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE customer_tasks SET status = 'cancelled', version = version + 1, updated_at = $1 \
         WHERE customer_id = $2 AND status = 'open'",
    )
    .bind(&now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "customer.erased", "customer", id).details(serde_json::json!({
            "member_no": c.member_no, "reason": input.reason.trim(),
            "points_forfeited": c.points_balance})),
    )
    .await?;
    tx.commit().await?;
    profiles::get(db, p, id).await
}
