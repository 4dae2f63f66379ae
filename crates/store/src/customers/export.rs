//! Customer export, CSV (UTF-8 with BOM) or XLSX, with the import's columns, filtered like the
//! list and limited to the caller's scope. Phones and e-mails are masked unless the caller has
//! `customers.contact` (a masked file still imports back: masked values keep the stored ones).
//! Every export is audited — a customer file leaving the system is what PIPL asks about.

use super::import::{COLUMNS, zh_header};
use super::profiles::{self, CustomerFilter};
use crate::audit::{self, AuditEntry};
use crate::catalog::export::Lang;
use crate::db::Db;
use crate::error::StoreResult;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::format_major_amount;
use salepoint_domain::money::Currency;
use std::collections::HashMap;

pub use crate::catalog::export::{Format, render};

/// The rows of the export (header first).
pub async fn rows(
    db: &Db,
    p: &Principal,
    f: &CustomerFilter,
    lang: Lang,
) -> StoreResult<Vec<Vec<String>>> {
    let company = p.company_id.to_string();
    let stores: HashMap<String, String> =
        sqlx::query("SELECT id, code FROM stores WHERE company_id = $1")
            .bind(&company)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((row::text(r, "id")?, row::text(r, "code")?)))
            .collect::<StoreResult<_>>()?;
    let currency = crate::org::company(db, p.company_id).await?.currency;
    let exp = Currency::from_code(&currency)
        .map(|c| c.exponent())
        .unwrap_or(2);
    let mut out = vec![
        COLUMNS
            .iter()
            .map(|(f, _)| match lang {
                Lang::Zh => zh_header(f).to_string(),
                Lang::En => f.to_string(),
            })
            .collect::<Vec<_>>(),
    ];
    let yes_no = |b: bool| match (lang, b) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    };
    let mut after = String::new();
    loop {
        let mut q = Sql::new(profiles::SELECT);
        q.push(" WHERE c.company_id = ").bind(company.clone());
        profiles::push_scope(&mut q, p, "c.home_store_id");
        profiles::push_filter(&mut q, f);
        q.push(" AND c.id > ")
            .bind(after.clone())
            .push(" ORDER BY c.id LIMIT 5000");
        let (sql, args) = q.build();
        let batch = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            let c = profiles::from_row(r)?.masked_for(p);
            out.push(vec![
                c.member_no.clone().unwrap_or_default(),
                c.name.clone(),
                c.phone.clone().unwrap_or_default(),
                c.kind.as_str().to_string(),
                c.email.clone().unwrap_or_default(),
                c.card_code.clone().unwrap_or_default(),
                c.birthday.clone().unwrap_or_default(),
                c.gender.map(|g| g.as_str()).unwrap_or("").to_string(),
                c.tier_code.clone().unwrap_or_default(),
                c.tags.join(";"),
                yes_no(c.marketing_consent).to_string(),
                c.notes.clone(),
                c.home_store_id
                    .as_ref()
                    .and_then(|s| stores.get(s))
                    .cloned()
                    .unwrap_or_default(),
                c.company_name.clone().unwrap_or_default(),
                c.tax_id.clone().unwrap_or_default(),
                c.billing_address.clone().unwrap_or_default(),
                c.shipping_address.clone().unwrap_or_default(),
                format_major_amount(c.credit_limit_minor, exp),
                c.payment_terms_days.to_string(),
            ]);
            after = c.id.clone();
        }
    }
    let mut tx = db.begin().await?;
    audit::append(
        &mut tx,
        AuditEntry::by(p, "customer.exported", "customer_export", &company).details(
            serde_json::json!({"rows": out.len() - 1, "contact_unmasked": profiles::may_see_contact(p)}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
