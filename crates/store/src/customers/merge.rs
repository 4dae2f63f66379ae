//! Data quality: likely duplicate customers, and merging one into another.
//!
//! The same phone cannot exist twice (unique per company), so duplicates are found by what
//! people re-register with: the same name and birthday, or the same name and the same last 4
//! phone digits (a new number, a typo). A merge moves balances as `merge` rows in both ledgers
//! (−x on the merged customer, +x on the survivor), moves the unexpired points lots and the
//! tasks, and marks the merged customer `merged` with `merged_into`. Sales are immutable and stay
//! where they are; the survivor's 360 view and sales list include them (see
//! [`super::view::identity_ids`]).

use super::profiles::{self, Customer};
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use futures_util::TryStreamExt;
use salepoint_domain::customers::contact::phone_last4;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// Two customers that are probably one person.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DuplicatePair {
    pub a: Customer,
    pub b: Customer,
    /// `name_birthday` or `name_phone_last4`.
    pub reason: String,
}

/// A name compared loosely: case and whitespace (also full-width) do not count.
pub fn normalized_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Likely duplicates among the active customers in the caller's scope, oldest pairs first.
pub async fn duplicates(db: &Db, p: &Principal, limit: usize) -> StoreResult<Vec<DuplicatePair>> {
    let mut q = Sql::new(
        "SELECT c.id, c.name, c.birthday, c.phone FROM customers c WHERE c.status = 'active' AND c.company_id = ",
    );
    q.bind(p.company_id.to_string());
    profiles::push_scope(&mut q, p, "c.home_store_id");
    q.push(" ORDER BY c.id");
    let (sql, args) = q.build();
    // Streamed: the customers are read only until enough pairs are found, and never held all
    // at once (a chain has millions); only their match keys are kept.
    let mut rows = sqlx::query_with(&sql, args).fetch(&db.pool);
    let mut by_key: HashMap<(String, String, &'static str), Vec<String>> = HashMap::new();
    let mut pairs: Vec<(String, String, &'static str)> = Vec::new();
    let mut paired: HashSet<(String, String)> = HashSet::new();
    while let Some(r) = rows.try_next().await? {
        let id = row::text(&r, "id")?;
        let name = normalized_name(&row::text(&r, "name")?);
        if name.is_empty() {
            continue;
        }
        let mut keys = Vec::new();
        if let Some(b) = row::opt_text(&r, "birthday")? {
            keys.push((name.clone(), b, "name_birthday"));
        }
        if let Some(ph) = row::opt_text(&r, "phone")? {
            keys.push((name.clone(), phone_last4(&ph), "name_phone_last4"));
        }
        for key in keys {
            let earlier = by_key.entry(key.clone()).or_default();
            for a in earlier.iter() {
                if paired.insert((a.clone(), id.clone())) {
                    pairs.push((a.clone(), id.clone(), key.2));
                }
            }
            earlier.push(id.clone());
        }
        if pairs.len() >= limit * 4 {
            break;
        }
    }
    drop(rows);
    pairs.truncate(limit);
    let company = p.company_id.to_string();
    let mut out = Vec::with_capacity(pairs.len());
    for (a, b, reason) in pairs {
        let (Some(a), Some(b)) = (
            profiles::fetch_any(db, &company, &a).await?,
            profiles::fetch_any(db, &company, &b).await?,
        ) else {
            continue;
        };
        out.push(DuplicatePair {
            a: a.masked(),
            b: b.masked(),
            reason: reason.to_string(),
        });
    }
    Ok(out)
}

/// The customer to merge into.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub into: String,
}

/// Merges customer `id` into `input.into` (customers.admin); returns the survivor.
pub async fn merge(db: &Db, p: &Principal, id: &str, input: &MergeInput) -> StoreResult<Customer> {
    let into_id = input.into.trim();
    if into_id == id {
        return Err(StoreError::invalid(
            "/into",
            "invalid_value",
            "a customer cannot be merged into itself",
        ));
    }
    let merged = profiles::load(db, p, id).await?;
    let company = p.company_id.to_string();
    let survivor = match profiles::fetch_any(db, &company, into_id).await? {
        Some(c) if profiles::visible(p, c.home_store_id.as_deref()) => c,
        _ => {
            return Err(StoreError::invalid(
                "/into",
                "unknown",
                "no customer with this id",
            ));
        }
    };
    profiles::require_active(&merged)?;
    if survivor.status != "active" {
        return Err(StoreError::invalid(
            "/into",
            "not_active",
            "the customer to merge into is merged or erased",
        ));
    }
    let now = clock::now();
    let merge_id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    // Marking the merged customer first locks its row (PostgreSQL): a sale racing the merge
    // waits, and the balances read here are the ones moved.
    let r = sqlx::query(
        "UPDATE customers SET status = 'merged', merged_into = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND company_id = $4 AND status = 'active' \
         RETURNING points_balance, stored_value_minor, receivable_minor, tags",
    )
    .bind(into_id)
    .bind(&now)
    .bind(id)
    .bind(&company)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::VersionConflict)?;
    // Only active members are scored: the merged one's scores go now rather than at the next
    // recompute.
    sqlx::query("DELETE FROM customer_rfm WHERE customer_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let points = row::int(&r, "points_balance")?;
    let stored = row::int(&r, "stored_value_minor")?;
    let receivable = row::int(&r, "receivable_minor")?;
    let tags: Vec<String> = serde_json::from_str(&row::text(&r, "tags")?).unwrap_or_default();
    if points != 0 {
        for (customer, amount) in [(id, -points), (into_id, points)] {
            sqlx::query(
                "INSERT INTO points_ledger (id, company_id, customer_id, store_id, kind, points, expires_at, ref_type, \
                 ref_id, user_id, at) VALUES ($1, $2, $3, NULL, 'merge', $4, NULL, 'customer_merge', $5, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&company)
            .bind(customer)
            .bind(amount)
            .bind(&merge_id)
            .bind(&p.id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
    }
    if stored != 0 {
        for (customer, amount) in [(id, -stored), (into_id, stored)] {
            sqlx::query(
                "INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, tender_code, \
                 ref_type, ref_id, user_id, at) VALUES ($1, $2, $3, NULL, 'merge', $4, NULL, 'customer_merge', $5, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&company)
            .bind(customer)
            .bind(amount)
            .bind(&merge_id)
            .bind(&p.id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query(
        "UPDATE customers SET points_balance = 0, stored_value_minor = 0, receivable_minor = 0 WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // The survivor takes the balances, the tags, and what it lacks of the profile.
    let mut all_tags = survivor.tags.clone();
    for t in tags {
        if !all_tags.contains(&t) {
            all_tags.push(t);
        }
    }
    let done = sqlx::query(
        "UPDATE customers SET points_balance = points_balance + $1, stored_value_minor = stored_value_minor + $2, \
         receivable_minor = receivable_minor + $3, tags = $4, email = COALESCE(email, $5), \
         birthday = COALESCE(birthday, $6), gender = COALESCE(gender, $7), version = version + 1, updated_at = $8 \
         WHERE id = $9 AND company_id = $10 AND status = 'active'",
    )
    .bind(points)
    .bind(stored)
    .bind(receivable)
    .bind(serde_json::to_string(&all_tags).unwrap_or_else(|_| "[]".into()))
    .bind(merged.email.clone())
    .bind(merged.birthday.clone())
    .bind(merged.gender.map(|g| g.as_str()))
    .bind(&now)
    .bind(into_id)
    .bind(&company)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::VersionConflict);
    }
    sqlx::query("UPDATE points_lots SET customer_id = $1 WHERE customer_id = $2")
        .bind(into_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let tasks = sqlx::query(
        "UPDATE customer_tasks SET customer_id = $1, version = version + 1, updated_at = $2 WHERE customer_id = $3",
    )
    .bind(into_id)
    .bind(&now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit::append(
        &mut tx,
        AuditEntry::by(p, "customer.merged", "customer", id).details(serde_json::json!({
            "into": into_id, "merge_id": merge_id, "member_no": merged.member_no,
            "into_member_no": survivor.member_no, "points": points,
            "stored_value_minor": stored, "receivable_minor": receivable, "tasks": tasks})),
    )
    .await?;
    tx.commit().await?;
    profiles::get(db, p, into_id).await
}
