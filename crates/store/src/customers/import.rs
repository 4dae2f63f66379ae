//! Customer import from CSV (UTF-8 or GBK) or XLSX, with Chinese or English headers — the
//! product import's framework and report: every row is checked first (a dry run stops there),
//! a real run writes every row in one transaction or, with `skip_invalid`, the good rows only.
//!
//! Rows are matched to stored customers by phone, else by member number, and update them
//! (columns the file lacks keep their stored values; a masked phone or e-mail, as an export
//! without `customers.contact` writes them, keeps the stored one), so an exported file imports
//! back unchanged.

use super::profiles::{self, Checked, Customer, CustomerInput, CustomerKind, Gender};
use crate::audit::{self, AuditEntry};
use crate::catalog::import::{ImportOptions, ImportReport, RowError};
use crate::catalog::table::{self, MAX_FILE_BYTES};
use crate::db::Db;
use crate::error::StoreResult;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::parse_major_amount;
use salepoint_domain::money::Currency;
use salepoint_domain::roles::Permission;
use salepoint_domain::validation::Validator;
use std::collections::{HashMap, HashSet};

/// The columns of a customer file: field and the header names it is known by (the second is
/// the Chinese header exports write).
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("member_no", &["member_no", "会员号", "会员编号"]),
    ("name", &["name", "姓名", "名称", "客户名称"]),
    ("phone", &["phone", "手机号", "手机", "电话", "手机号码"]),
    ("kind", &["kind", "类型", "客户类型"]),
    ("email", &["email", "邮箱", "电子邮箱"]),
    ("card_code", &["card_code", "会员卡号", "卡号"]),
    ("birthday", &["birthday", "生日", "出生日期"]),
    ("gender", &["gender", "性别"]),
    ("tier_code", &["tier_code", "会员等级", "等级"]),
    ("tags", &["tags", "标签"]),
    ("marketing_consent", &["marketing_consent", "营销同意"]),
    ("notes", &["notes", "备注"]),
    (
        "home_store",
        &["home_store", "所属门店", "门店编码", "门店"],
    ),
    ("company_name", &["company_name", "公司名称", "单位名称"]),
    ("tax_id", &["tax_id", "统一社会信用代码", "税号"]),
    ("billing_address", &["billing_address", "开票地址"]),
    ("shipping_address", &["shipping_address", "收货地址"]),
    ("credit_limit", &["credit_limit", "信用额度"]),
    (
        "payment_terms_days",
        &["payment_terms_days", "账期天数", "账期"],
    ),
];

/// The Chinese header of a field.
pub fn zh_header(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, n)| n[1])
        .unwrap_or("?")
}

/// A customer file read into text cells.
struct Table {
    header: Vec<String>,
    fields: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    encoding: &'static str,
}

fn file_error(row: usize, column: &str, message: impl Into<String>) -> RowError {
    RowError {
        row,
        column: column.into(),
        value: String::new(),
        message: message.into(),
    }
}

fn read(bytes: &[u8]) -> Result<Table, RowError> {
    if bytes.is_empty() {
        return Err(file_error(0, "", "the file is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(file_error(0, "", "the file is too large"));
    }
    let (mut rows, encoding) = table::read_rows(bytes).map_err(|e| RowError {
        row: e.row,
        column: e.column,
        value: String::new(),
        message: e.message,
    })?;
    if rows.is_empty() {
        return Err(file_error(0, "", "the file has no header row"));
    }
    let header: Vec<String> = rows
        .remove(0)
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut fields: Vec<String> = Vec::new();
    for h in &header {
        let field = COLUMNS
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)))
            .map(|(f, _)| *f);
        match field {
            Some(f) if fields.iter().any(|x| x == f) => {
                return Err(file_error(1, h, format!("column {h} appears twice")));
            }
            Some(f) => fields.push(f.to_string()),
            None => {
                return Err(file_error(
                    1,
                    h,
                    format!(
                        "unknown column {h:?}; known columns: {}",
                        COLUMNS
                            .iter()
                            .map(|(f, n)| format!("{f}/{}", n[1]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    if !fields.iter().any(|f| f == "name") {
        return Err(file_error(1, "name", "the column name (姓名) is missing"));
    }
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    Ok(Table {
        header,
        fields,
        rows,
        encoding,
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "0" | "否" | "no" | "n" | "false" => Some(false),
        "1" | "是" | "yes" | "y" | "true" | "同意" => Some(true),
        _ => None,
    }
}

fn parse_gender(s: &str) -> Result<Option<Gender>, ()> {
    match s.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "女" | "f" | "female" => Ok(Some(Gender::Female)),
        "男" | "m" | "male" => Ok(Some(Gender::Male)),
        "其他" | "other" => Ok(Some(Gender::Other)),
        _ => Err(()),
    }
}

fn parse_kind(s: &str) -> Option<CustomerKind> {
    match s.trim().to_lowercase().as_str() {
        "" | "个人" | "person" | "会员" => Some(CustomerKind::Person),
        "企业" | "公司" | "business" | "单位" => Some(CustomerKind::Business),
        _ => None,
    }
}

/// The stored customer as a checked profile (to compare a row with).
fn checked_of(c: &Customer) -> Checked {
    Checked {
        kind: c.kind,
        name: c.name.clone(),
        phone: c.phone.clone(),
        keep_phone: false,
        email: c.email.clone(),
        keep_email: false,
        member_no: c.member_no.clone(),
        card_code: c.card_code.clone(),
        birthday: c.birthday.clone(),
        gender: c.gender,
        tier_code: c.tier_code.clone(),
        tags: c.tags.clone(),
        marketing_consent: c.marketing_consent,
        consent_source: c.consent_source.clone(),
        notes: c.notes.clone(),
        home_store_id: c.home_store_id.clone(),
        company_name: c.company_name.clone(),
        tax_id: c.tax_id.clone(),
        billing_address: c.billing_address.clone(),
        shipping_address: c.shipping_address.clone(),
        credit_limit_minor: c.credit_limit_minor,
        payment_terms_days: c.payment_terms_days,
    }
}

/// Copies into `c` the stored values of every field the file has no column for.
fn keep_absent(c: &mut Checked, old: &Checked, fields: &[String]) {
    let has = |f: &str| fields.iter().any(|x| x == f);
    macro_rules! keep {
        ($($col:literal => $field:ident),*) => {
            $(if !has($col) { c.$field = old.$field.clone(); })*
        };
    }
    keep!("kind" => kind, "phone" => phone, "email" => email, "member_no" => member_no,
        "card_code" => card_code, "birthday" => birthday, "gender" => gender,
        "tier_code" => tier_code, "tags" => tags, "marketing_consent" => marketing_consent,
        "notes" => notes, "home_store" => home_store_id, "company_name" => company_name,
        "tax_id" => tax_id, "billing_address" => billing_address,
        "shipping_address" => shipping_address, "credit_limit" => credit_limit_minor,
        "payment_terms_days" => payment_terms_days);
    if !has("marketing_consent") || c.marketing_consent == old.marketing_consent {
        c.consent_source = old.consent_source.clone();
    }
}

/// The file column of a profile field path (`/tags/2` → `tags`).
fn field_column(path: &str) -> &'static str {
    match path.trim_start_matches('/').split('/').next().unwrap_or("") {
        "home_store_id" => "home_store",
        "credit_limit_minor" => "credit_limit",
        other => COLUMNS
            .iter()
            .find(|(f, _)| *f == other)
            .map(|(f, _)| *f)
            .unwrap_or("name"),
    }
}

/// What the company's settings give the rows: store codes, tiers (with their spend).
struct Refs {
    stores: HashMap<String, String>,
    tiers: HashMap<String, i64>,
    exponent: u8,
}

async fn refs(db: &Db, p: &Principal) -> StoreResult<Refs> {
    let company = p.company_id.to_string();
    let stores = sqlx::query("SELECT code, id FROM stores WHERE company_id = $1")
        .bind(&company)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((row::text(r, "code")?, row::text(r, "id")?)))
        .collect::<StoreResult<_>>()?;
    let tiers = sqlx::query("SELECT code, min_spend_minor FROM member_tiers WHERE company_id = $1")
        .bind(&company)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((row::text(r, "code")?, row::int(r, "min_spend_minor")?)))
        .collect::<StoreResult<_>>()?;
    let company_row = crate::org::company(db, p.company_id).await?;
    let exponent = Currency::from_code(&company_row.currency)
        .map(|c| c.exponent())
        .unwrap_or(2);
    Ok(Refs {
        stores,
        tiers,
        exponent,
    })
}

/// Turns one row into a checked profile; problems go to `errors`.
fn row_to_checked(
    t: &Table,
    (line, cells): &(usize, Vec<String>),
    refs: &Refs,
    p: &Principal,
    errors: &mut Vec<RowError>,
) -> Checked {
    let mut cell: HashMap<&str, (&str, &str)> = HashMap::new();
    for (i, field) in t.fields.iter().enumerate() {
        cell.insert(
            field.as_str(),
            (
                t.header[i].as_str(),
                cells.get(i).map(|s| s.trim()).unwrap_or(""),
            ),
        );
    }
    let get = |f: &str| cell.get(f).map(|c| c.1).unwrap_or("");
    let some = |f: &str| Some(get(f).to_string()).filter(|s| !s.is_empty());
    let mut err = |f: &str, message: &str| {
        let (column, value) = cell.get(f).copied().unwrap_or((f, ""));
        errors.push(RowError {
            row: *line,
            column: column.to_string(),
            value: value.to_string(),
            message: message.to_string(),
        });
    };
    let kind = parse_kind(get("kind")).unwrap_or_else(|| {
        err("kind", "use person/business or 个人/企业");
        CustomerKind::Person
    });
    let gender = parse_gender(get("gender")).unwrap_or_else(|_| {
        err("gender", "use 男/女/其他 or male/female/other");
        None
    });
    let marketing_consent = parse_bool(get("marketing_consent")).unwrap_or_else(|| {
        err("marketing_consent", "use 是/否 or yes/no");
        false
    });
    let credit_limit_minor = match get("credit_limit") {
        "" => 0,
        s => parse_major_amount(s, refs.exponent).unwrap_or_else(|m| {
            err("credit_limit", m);
            0
        }),
    };
    let payment_terms_days = match get("payment_terms_days") {
        "" => 0,
        s => s.parse().unwrap_or_else(|_| {
            err("payment_terms_days", "a whole number of days");
            0
        }),
    };
    let home_store_id = match get("home_store") {
        "" => None,
        code => match refs.stores.get(code) {
            Some(id) if profiles::visible(p, Some(id)) => Some(id.clone()),
            _ => {
                err("home_store", "no store with this code in your scope");
                None
            }
        },
    };
    // (Whether the caller may set the tier is checked against the stored customer later.)
    if let Some(tier) = some("tier_code")
        && !refs.tiers.contains_key(&tier)
    {
        err("tier_code", "no tier with this code");
    }
    let input = CustomerInput {
        kind,
        name: get("name").to_string(),
        phone: some("phone"),
        email: some("email"),
        member_no: some("member_no"),
        card_code: some("card_code"),
        birthday: some("birthday"),
        gender,
        tier_code: some("tier_code"),
        tags: get("tags")
            .split([';', ',', '|', '；', '，', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        marketing_consent,
        consent_source: marketing_consent.then(|| "import".to_string()),
        notes: get("notes").to_string(),
        home_store_id: None,
        company_name: some("company_name"),
        tax_id: some("tax_id"),
        billing_address: some("billing_address"),
        shipping_address: some("shipping_address"),
        credit_limit_minor,
        payment_terms_days,
        version: None,
    };
    let mut v = Validator::new();
    let mut c = profiles::check(&input, true, &mut v);
    c.home_store_id = home_store_id;
    if let Err(field_errors) = v.finish() {
        for fe in field_errors {
            err(field_column(&fe.field), &fe.message);
        }
    }
    c
}

/// Stored customers (of the whole company) by the values of `col`.
async fn existing_by(
    db: &Db,
    company: &str,
    col: &str,
    values: &[String],
) -> StoreResult<HashMap<String, Customer>> {
    let mut out = HashMap::new();
    for chunk in values.chunks(500) {
        let mut q = Sql::new(profiles::SELECT);
        q.push(" WHERE c.company_id = ")
            .bind(company.to_string())
            .push(&format!(" AND c.{col} IN "))
            .bind_list(chunk);
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&db.pool).await? {
            let c = profiles::from_row(&r)?;
            let key = match col {
                "phone" => c.phone.clone(),
                "member_no" => c.member_no.clone(),
                _ => c.card_code.clone(),
            };
            if let Some(k) = key {
                out.insert(k, c);
            }
        }
    }
    Ok(out)
}

/// Imports a customer file.
pub async fn import(
    db: &Db,
    p: &Principal,
    bytes: &[u8],
    opts: ImportOptions,
) -> StoreResult<ImportReport> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let t = match read(bytes) {
        Ok(t) => t,
        Err(e) => {
            report.errors.push(e);
            return Ok(report);
        }
    };
    report.encoding = t.encoding.to_string();
    report.total_rows = t.rows.len();
    let refs = refs(db, p).await?;
    let company = p.company_id.to_string();
    let column_of = |field: &str| {
        t.fields
            .iter()
            .position(|f| f == field)
            .map(|i| t.header[i].clone())
            .unwrap_or_else(|| field.to_string())
    };

    // 1. Each row on its own.
    let mut checked: Vec<(usize, Checked)> = Vec::new();
    let mut bad: HashSet<usize> = HashSet::new();
    for r in &t.rows {
        let before = report.errors.len();
        let c = row_to_checked(&t, r, &refs, p, &mut report.errors);
        if report.errors.len() > before {
            bad.insert(r.0);
        } else {
            checked.push((r.0, c));
        }
    }

    // 2. Rows against each other and against stored customers.
    let phones: Vec<String> = checked
        .iter()
        .filter_map(|(_, c)| c.phone.clone())
        .collect();
    let numbers: Vec<String> = checked
        .iter()
        .filter_map(|(_, c)| c.member_no.clone())
        .collect();
    let cards: Vec<String> = checked
        .iter()
        .filter_map(|(_, c)| c.card_code.clone())
        .collect();
    let by_phone = existing_by(db, &company, "phone", &phones).await?;
    let by_number = existing_by(db, &company, "member_no", &numbers).await?;
    let by_card = existing_by(db, &company, "card_code", &cards).await?;
    let mut seen: HashMap<(&'static str, String), usize> = HashMap::new();
    let mut plan: Vec<(usize, Option<Customer>, Checked)> = Vec::new();
    for (line, mut c) in checked {
        let mut row_errors: Vec<(&str, String, String)> = Vec::new();
        for (field, value) in [
            ("phone", c.phone.clone()),
            ("member_no", c.member_no.clone()),
            ("card_code", c.card_code.clone()),
        ] {
            if let Some(v) = value
                && let Some(first) = seen.insert((field, v.clone()), line)
            {
                row_errors.push((field, v, format!("already on row {first}")));
            }
        }
        let hit_phone = c.phone.as_ref().and_then(|ph| by_phone.get(ph));
        let hit_number = c.member_no.as_ref().and_then(|m| by_number.get(m));
        let matched = match (hit_phone, hit_number) {
            (Some(a), Some(b)) if a.id != b.id => {
                row_errors.push((
                    "member_no",
                    c.member_no.clone().unwrap_or_default(),
                    "the phone belongs to another customer than this member number".into(),
                ));
                None
            }
            (Some(a), _) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => None,
        };
        if let Some(m) = &matched {
            if !profiles::visible(p, m.home_store_id.as_deref()) {
                row_errors.push((
                    "phone",
                    String::new(),
                    "this customer belongs to a store outside your scope".into(),
                ));
            } else if m.status != "active" {
                row_errors.push((
                    "member_no",
                    m.member_no.clone().unwrap_or_default(),
                    format!("the customer is {}", m.status),
                ));
            }
        } else if c.keep_phone || c.keep_email {
            row_errors.push((
                if c.keep_phone { "phone" } else { "email" },
                String::new(),
                "a masked value can only keep a stored customer's; give the full value".into(),
            ));
        }
        if let Some(card) = &c.card_code
            && let Some(holder) = by_card.get(card)
            && matched.as_ref().map(|m| &m.id) != Some(&holder.id)
        {
            row_errors.push((
                "card_code",
                card.clone(),
                "another customer holds this card".into(),
            ));
        }
        if let Some(tier) = &c.tier_code
            && refs.tiers.get(tier).is_some_and(|s| *s > 0)
            && !p.can(Permission::CustomersAdmin)
            && matched.as_ref().and_then(|m| m.tier_code.as_ref()) != Some(tier)
        {
            row_errors.push((
                "tier_code",
                tier.clone(),
                "putting a member in a tier above the entry tier requires customers.admin".into(),
            ));
        }
        if !row_errors.is_empty() {
            bad.insert(line);
            for (field, value, message) in row_errors {
                report.errors.push(RowError {
                    row: line,
                    column: column_of(field),
                    value,
                    message,
                });
            }
            continue;
        }
        if let Some(m) = &matched {
            let old = checked_of(m);
            keep_absent(&mut c, &old, &t.fields);
            profiles::keep_stored(&mut c, m);
        }
        plan.push((line, matched, c));
    }
    report.errors.sort_by_key(|e| e.row);
    report.bad_rows = {
        let mut v: Vec<usize> = bad.into_iter().collect();
        v.sort();
        v
    };
    report.skipped = report.bad_rows.len();
    report.valid_rows = plan.len();

    // 3. What would change.
    let mut writes: Vec<(Option<Customer>, Checked)> = Vec::new();
    for (_, matched, c) in plan {
        match matched {
            Some(m) if checked_of(&m) == c => report.unchanged += 1,
            Some(m) => {
                report.updated += 1;
                writes.push((Some(m), c));
            }
            None => {
                report.created += 1;
                writes.push((None, c));
            }
        }
    }
    if opts.dry_run || (!report.errors.is_empty() && !opts.skip_invalid) || writes.is_empty() {
        if !opts.dry_run && !report.errors.is_empty() && !opts.skip_invalid {
            report.created = 0;
            report.updated = 0;
            report.unchanged = 0;
        }
        return Ok(report);
    }

    // 4. One transaction.
    let mut numbers_used: HashSet<String> = HashSet::new();
    for (_, c) in writes.iter_mut() {
        if c.member_no.is_none() {
            loop {
                let n = profiles::new_member_no(db, &company).await?;
                if numbers_used.insert(n.clone()) {
                    c.member_no = Some(n);
                    break;
                }
            }
        }
    }
    let mut tx = db.begin().await?;
    for (matched, c) in &writes {
        match matched {
            Some(m) => {
                let rows =
                    profiles::write_update(&mut tx, &company, &m.id, c, m, m.version).await?;
                if rows == 0 {
                    return Err(crate::error::StoreError::VersionConflict);
                }
            }
            None => {
                profiles::insert(&mut tx, &company, &uuid::Uuid::now_v7().to_string(), c).await?
            }
        }
    }
    audit::append(
        &mut tx,
        AuditEntry::by(
            p,
            "customer.imported",
            "customer_import",
            &uuid::Uuid::now_v7().to_string(),
        )
        .details(serde_json::json!({
                "rows": report.total_rows, "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged, "skipped": report.skipped})),
    )
    .await?;
    tx.commit().await?;
    report.applied = true;
    Ok(report)
}
