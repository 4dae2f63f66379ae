//! Product export, CSV (UTF-8 with BOM, so Excel in China opens it right) or XLSX, with the
//! same columns the import reads — an exported file imports back unchanged.

use super::products::{self, ProductFilter, push_filter};
use super::table::{COLUMNS, zh_header};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::format_major_amount;
use salepoint_domain::money::Currency;
use std::collections::HashMap;

/// File formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Header language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

async fn code_map(db: &Db, sql: &str, company: &str) -> StoreResult<HashMap<String, String>> {
    let rows = sqlx::query(sql).bind(company).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| Ok((row::text(r, "id")?, row::text(r, "code")?)))
        .collect()
}

/// The rows of the export (header first), filtered like the product list.
pub async fn rows(
    db: &Db,
    p: &Principal,
    f: &ProductFilter,
    lang: Lang,
) -> StoreResult<Vec<Vec<String>>> {
    let company = p.company_id.to_string();
    let cats = code_map(
        db,
        "SELECT id, code FROM categories WHERE company_id = $1",
        &company,
    )
    .await?;
    let taxes = code_map(
        db,
        "SELECT id, code FROM tax_classes WHERE company_id = $1",
        &company,
    )
    .await?;
    let currency = products::currency(db, p.company_id).await?;
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
    let mut after = String::new();
    loop {
        let mut q = Sql::new("SELECT * FROM products WHERE company_id = ");
        q.bind(company.clone());
        push_filter(&mut q, f);
        q.push(" AND id > ")
            .bind(after.clone())
            .push(" ORDER BY id LIMIT 5000");
        let (sql, args) = q.build();
        let batch = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
        if batch.is_empty() {
            break;
        }
        for prod in products::hydrate(db, p.company_id, &batch).await? {
            let yes_no = |b: bool| match (lang, b) {
                (Lang::Zh, true) => "是",
                (Lang::Zh, false) => "否",
                (Lang::En, true) => "yes",
                (Lang::En, false) => "no",
            };
            out.push(vec![
                prod.sku.clone(),
                prod.name_zh.clone(),
                prod.name_en.clone(),
                prod.receipt_name.clone(),
                prod.category_id
                    .as_ref()
                    .and_then(|c| cats.get(c))
                    .cloned()
                    .unwrap_or_default(),
                prod.brand.clone(),
                prod.unit.as_str().to_string(),
                yes_no(prod.sold_by_weight).to_string(),
                prod.quantity_precision.to_string(),
                taxes.get(&prod.tax_class_id).cloned().unwrap_or_default(),
                format_major_amount(prod.cost_price_minor, exp),
                format_major_amount(prod.list_price_minor, exp),
                prod.status.as_str().to_string(),
                prod.barcodes
                    .iter()
                    .map(|b| {
                        if b.kind.as_str() == "internal" {
                            format!("#{}", b.code)
                        } else {
                            b.code.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(";"),
                prod.plu.clone().unwrap_or_default(),
                prod.family_code.clone().unwrap_or_default(),
                prod.image_url.clone().unwrap_or_default(),
            ]);
            after = prod.id.clone();
        }
    }
    Ok(out)
}

/// Renders rows as a file.
pub fn render(rows: &[Vec<String>], format: Format) -> StoreResult<Vec<u8>> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            for r in rows {
                w.write_record(r)
                    .map_err(|e| StoreError::Internal(e.to_string()))?;
            }
            w.into_inner()
                .map_err(|e| StoreError::Internal(e.to_string()))
        }
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let sheet = wb.add_worksheet();
            let text = rust_xlsxwriter::Format::new().set_num_format("@");
            for (i, r) in rows.iter().enumerate() {
                for (j, cell) in r.iter().enumerate() {
                    sheet
                        .write_string_with_format(i as u32, j as u16, cell, &text)
                        .map_err(|e| StoreError::Internal(e.to_string()))?;
                }
            }
            wb.save_to_buffer()
                .map_err(|e| StoreError::Internal(e.to_string()))
        }
    }
}
