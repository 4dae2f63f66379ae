//! Stored-value top-ups (储值充值) at a register: the member's balance grows by the amount and
//! the programme's bonus, written to the ledger; a cash top-up is also a paid-in of the shift,
//! so the drawer still adds up at close. Audited, idempotent.

use super::accounts;
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::orders::context;
use crate::payments::tender_types::{self, TenderKind};
use crate::principal::Principal;
use crate::row;
use salepoint_domain::customers::loyalty;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Largest single top-up (minor units): 100,000 yuan.
const MAX_TOPUP_MINOR: i64 = 10_000_000;

/// A top-up as the register sends it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUpInput {
    pub amount_minor: i64,
    /// How the customer paid: `CASH`, `CARD` or another tender type that is not a member
    /// account.
    pub tender_code: String,
    pub register_id: String,
    pub shift_id: String,
    /// Card terminal reference.
    pub reference: Option<String>,
}

/// A recorded top-up.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TopUp {
    pub id: String,
    pub customer_id: String,
    pub amount_minor: i64,
    pub bonus_minor: i64,
    pub tender_code: String,
    /// The balance after it.
    pub stored_value_minor: i64,
    pub at: String,
}

/// Tops up a member's stored value.
pub async fn top_up(
    db: &Db,
    p: &Principal,
    customer_id: &str,
    input: &TopUpInput,
    idem: Option<&IdemLock>,
) -> StoreResult<TopUp> {
    let mut v = Validator::new();
    if !(1..=MAX_TOPUP_MINOR).contains(&input.amount_minor) {
        v.add("/amount_minor", "out_of_range", "from 0.01 to 100,000");
    }
    v.optional_text("/reference", input.reference.as_deref(), 64);
    v.finish().map_err(StoreError::Invalid)?;
    let ctx = context::register_context(db, p, &input.register_id, "/register_id").await?;
    if !context::shift_is_open(db, &ctx, &input.shift_id, "/shift_id").await? {
        return Err(StoreError::invalid(
            "/shift_id",
            "shift_closed",
            "the shift is closed: open a new one",
        ));
    }
    let types = tender_types::for_company(db, p.company_id).await?;
    let Some(tender) = types.iter().find(|t| {
        t.code == input.tender_code
            && t.active
            && t.account.is_none()
            && t.kind != TenderKind::Mobile
    }) else {
        return Err(StoreError::invalid(
            "/tender_code",
            "unknown",
            "a tender that takes money in (cash, card …), not a member account",
        ));
    };
    let company = p.company_id.to_string();
    let mut conn = db.pool.acquire().await?;
    let program = accounts::program(&mut conn, &company).await?;
    drop(conn);
    let bonus = loyalty::topup_bonus(input.amount_minor, &program.topup_bonus);

    let mut tx = db.begin().await?;
    let lock = if tx.backend == Backend::Postgres {
        "SELECT status, stored_value_minor, member_no FROM customers WHERE id = $1 AND company_id = $2 FOR UPDATE"
    } else {
        "SELECT status, stored_value_minor, member_no FROM customers WHERE id = $1 AND company_id = $2"
    };
    let c = sqlx::query(lock)
        .bind(customer_id)
        .bind(&company)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if row::text(&c, "status")? != "active" {
        return Err(StoreError::Rule {
            field: "/status".into(),
            code: "inactive",
            message: "this customer was merged or erased".into(),
        });
    }
    let balance = row::int(&c, "stored_value_minor")? + input.amount_minor + bonus;
    let id = uuid::Uuid::now_v7().to_string();
    let now = clock::now();
    for (kind, amount) in [("topup", input.amount_minor), ("bonus", bonus)] {
        if amount == 0 {
            continue;
        }
        sqlx::query(
            "INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, tender_code, \
             ref_type, ref_id, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'top_up', $8, $9, $10)",
        )
        .bind(if kind == "topup" { id.clone() } else { uuid::Uuid::now_v7().to_string() })
        .bind(&company)
        .bind(customer_id)
        .bind(&ctx.store_id)
        .bind(kind)
        .bind(amount)
        .bind(&tender.code)
        .bind(&id)
        .bind(&p.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE customers SET stored_value_minor = $1 WHERE id = $2")
        .bind(balance)
        .bind(customer_id)
        .execute(&mut *tx)
        .await?;
    if tender.kind == TenderKind::Cash {
        let member_no = row::opt_text(&c, "member_no")?.unwrap_or_default();
        sqlx::query(
            "INSERT INTO shift_cash_moves (id, shift_id, store_id, kind, amount_minor, reason, user_id, at) \
             VALUES ($1, $2, $3, 'paid_in', $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&input.shift_id)
        .bind(&ctx.store_id)
        .bind(input.amount_minor)
        .bind(format!("储值充值 top-up {member_no}"))
        .bind(&p.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    audit::append(
        &mut tx,
        AuditEntry::by(p, "customer.topped_up", "customer", customer_id)
            .store(&ctx.store_id)
            .details(
                serde_json::json!({"top_up_id": id, "amount_minor": input.amount_minor,
                "bonus_minor": bonus, "tender": tender.code, "reference": input.reference}),
            ),
    )
    .await?;
    let out = TopUp {
        id,
        customer_id: customer_id.to_string(),
        amount_minor: input.amount_minor,
        bonus_minor: bonus,
        tender_code: tender.code.clone(),
        stored_value_minor: balance,
        at: now,
    };
    idempotency::finish(&mut tx, idem, 201, &out).await?;
    tx.commit().await?;
    Ok(out)
}
