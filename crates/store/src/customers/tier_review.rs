//! The tier review: every active member's tier becomes the highest tier whose `min_spend_minor`
//! their net spend (sales less returns, in every store) over the programme's
//! `tier_window_days` reaches — upgrades and downgrades alike.
//!
//! Members are reviewed a batch at a time in id order: one indexed query sums the batch's
//! spend, the new tiers are decided here against the (few) tiers, and only the members whose
//! tier changes are written, with one `UPDATE … FROM (VALUES …)` per batch in its own short
//! transaction. Constant memory, two reads per batch, and a re-run after a failure simply
//! finishes the job.

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::Db;
use crate::error::StoreResult;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use serde::Serialize;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

/// Members reviewed per batch.
const BATCH: i64 = 2000;

/// What a review changed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewResult {
    pub upgraded: i64,
    pub downgraded: i64,
    /// Members reviewed (active).
    pub reviewed: i64,
    /// The spend window used.
    pub window_days: i64,
}

/// A tier as far as the review goes.
struct Tier {
    code: String,
    min_spend_minor: i64,
}

/// The highest tier (index into `tiers`, ascending by threshold) that `spend` reaches.
fn tier_for(tiers: &[Tier], spend: i64) -> Option<usize> {
    tiers.iter().rposition(|t| spend >= t.min_spend_minor)
}

/// Reviews every active member's tier (`customers.admin`).
pub async fn review(db: &Db, p: &Principal) -> StoreResult<ReviewResult> {
    let company = p.company_id.to_string();
    let tiers: Vec<Tier> = sqlx::query(
        "SELECT code, min_spend_minor FROM member_tiers WHERE company_id = $1 \
         ORDER BY min_spend_minor, sort, code",
    )
    .bind(&company)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Tier {
            code: row::text(r, "code")?,
            min_spend_minor: row::int(r, "min_spend_minor")?,
        })
    })
    .collect::<StoreResult<_>>()?;
    let window_days =
        sqlx::query("SELECT tier_window_days FROM loyalty_programs WHERE company_id = $1")
            .bind(&company)
            .fetch_optional(&db.pool)
            .await?
            .map(|r| row::int(&r, "tier_window_days"))
            .transpose()?
            .unwrap_or(365);
    let mut result = ReviewResult {
        upgraded: 0,
        downgraded: 0,
        reviewed: 0,
        window_days,
    };
    if tiers.is_empty() {
        return Ok(result);
    }
    let rank: HashMap<&str, usize> = tiers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.as_str(), i))
        .collect();
    let since = clock::format(OffsetDateTime::now_utc() - Duration::days(window_days));
    let mut after = String::new();
    loop {
        let batch = sqlx::query(
            "SELECT id, tier_code FROM customers WHERE company_id = $1 AND status = 'active' \
             AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(&company)
        .bind(&after)
        .bind(BATCH)
        .fetch_all(&db.pool)
        .await?;
        let Some(last) = batch.last() else { break };
        after = row::text(last, "id")?;
        let members: Vec<(String, Option<String>)> = batch
            .iter()
            .map(|r| Ok((row::text(r, "id")?, row::opt_text(r, "tier_code")?)))
            .collect::<StoreResult<_>>()?;
        let ids: Vec<String> = members.iter().map(|(id, _)| id.clone()).collect();
        let mut q = Sql::for_backend(
            db.backend,
            "SELECT customer_id, CAST(SUM(total_minor) AS BIGINT) AS spent FROM sales \
             WHERE customer_id IS NOT NULL AND company_id = ",
        );
        q.bind(company.clone())
            .push(" AND created_at >= ")
            .bind(since.clone())
            .push(" AND customer_id IN ")
            .bind_list(&ids)
            .push(" GROUP BY customer_id");
        let (sql, args) = q.build();
        let spent: HashMap<String, i64> = sqlx::query_with(&sql, args)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((row::text(r, "customer_id")?, row::int(r, "spent")?)))
            .collect::<StoreResult<_>>()?;
        let mut changes: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        for (id, old) in members {
            result.reviewed += 1;
            let new = tier_for(&tiers, spent.get(&id).copied().unwrap_or(0));
            let old_rank = old.as_deref().and_then(|c| rank.get(c).copied());
            let new_code = new.map(|i| tiers[i].code.clone());
            if new_code == old {
                continue;
            }
            // A code no tier has any more ranks below every tier.
            match (new, old_rank) {
                (Some(n), Some(o)) if n > o => result.upgraded += 1,
                (Some(_), None) => result.upgraded += 1,
                _ => result.downgraded += 1,
            }
            changes.push((id, old, new_code));
        }
        write_tiers(db, &changes).await?;
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    audit::append_alone(
        db,
        AuditEntry::by(p, "member_tiers.reviewed", "company", &company).details(
            serde_json::json!({"upgraded": result.upgraded, "downgraded": result.downgraded,
                "reviewed": result.reviewed, "window_days": window_days}),
        ),
    )
    .await?;
    Ok(result)
}

/// Writes one batch of tier changes; a member whose tier changed meanwhile is left alone.
async fn write_tiers(
    db: &Db,
    changes: &[(String, Option<String>, Option<String>)],
) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut q = Sql::for_backend(
        db.backend,
        "UPDATE customers SET tier_code = v.column3, version = customers.version + 1, updated_at = v.column4 \
         FROM (VALUES ",
    );
    let now = clock::now();
    for (i, (id, old, new)) in changes.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(")
            .bind(id.clone())
            .push(", ")
            .bind(old.clone().unwrap_or_default())
            .push(", ")
            .bind(new.clone())
            .push(", ")
            .bind(now.clone())
            .push(")");
    }
    q.push(
        ") AS v WHERE customers.id = v.column1 AND COALESCE(customers.tier_code, '') = v.column2",
    );
    let (sql, args) = q.build();
    let mut tx = db.begin().await?;
    sqlx::query_with(&sql, args).execute(&mut *tx).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highest_tier_reached() {
        let tiers = vec![
            Tier {
                code: "NORMAL".into(),
                min_spend_minor: 0,
            },
            Tier {
                code: "SILVER".into(),
                min_spend_minor: 100_000,
            },
            Tier {
                code: "GOLD".into(),
                min_spend_minor: 500_000,
            },
        ];
        assert_eq!(tier_for(&tiers, -5), None);
        assert_eq!(tier_for(&tiers, 0), Some(0));
        assert_eq!(tier_for(&tiers, 99_999), Some(0));
        assert_eq!(tier_for(&tiers, 100_000), Some(1));
        assert_eq!(tier_for(&tiers, 9_000_000), Some(2));
    }
}
