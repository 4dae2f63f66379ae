//! Customer profiles (persons and businesses): validation, the member number, the search text
//! (name, pinyin, member number, last 4 digits of the phone), store scope by home store and the
//! masking of contact details for callers without `customers.contact`.
//!
//! Other customer modules (tasks, segments, reports, the register) read the `customers` table
//! with their own SQL; what they need from here is public: [`Customer`] and [`from_row`],
//! [`push_scope`], [`visible`] and [`phone_for`].

use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::crud::{finish_update, require_version};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::idempotency::{self, IdemLock};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::catalog::search_key::pinyin_keys;
use salepoint_domain::customers::contact::{
    is_masked, mask_email, mask_phone, normalize_phone, phone_last4, valid_email,
};
use salepoint_domain::customers::tax_id::normalize_tax_id;
use salepoint_domain::roles::Permission;
use salepoint_domain::validation::Validator;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use utoipa::ToSchema;

/// A person (member) or a business (B2B).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CustomerKind {
    #[default]
    Person,
    Business,
}

impl CustomerKind {
    /// The stored text.
    pub fn as_str(&self) -> &'static str {
        match self {
            CustomerKind::Person => "person",
            CustomerKind::Business => "business",
        }
    }
    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "person" => Some(CustomerKind::Person),
            "business" => Some(CustomerKind::Business),
            _ => None,
        }
    }
}

/// Gender, when the customer gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    /// The stored text.
    pub fn as_str(&self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }
    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "female" => Some(Gender::Female),
            "male" => Some(Gender::Male),
            "other" => Some(Gender::Other),
            _ => None,
        }
    }
}

/// What a client sends to create or change a customer. Empty strings count as absent. On an
/// update, a masked phone or e-mail (as a caller without `customers.contact` was shown it)
/// keeps the stored value, so such a caller can edit the rest of a profile.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    #[serde(default)]
    pub kind: CustomerKind,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Generated when absent: `M` + 8 digits.
    pub member_no: Option<String>,
    pub card_code: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    pub gender: Option<Gender>,
    /// Changing a member's tier (to one above the entry tier) takes `customers.admin`.
    pub tier_code: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub marketing_consent: bool,
    /// Where consent was given (`register`, `app`, `paper` …); its time is set by the server.
    pub consent_source: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// Defaults, on create, to the caller's store when the caller has exactly one.
    pub home_store_id: Option<String>,
    pub company_name: Option<String>,
    /// 统一社会信用代码 (18 characters, checked).
    pub tax_id: Option<String>,
    pub billing_address: Option<String>,
    pub shipping_address: Option<String>,
    #[serde(default)]
    pub credit_limit_minor: i64,
    #[serde(default)]
    pub payment_terms_days: i64,
    /// Required on update.
    pub version: Option<i64>,
}

/// A customer as the API shows it. `phone` and `email` are masked in lists, and in a single
/// customer unless the caller has `customers.contact` (`phone_masked` says which).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: String,
    pub kind: CustomerKind,
    pub name: String,
    pub phone: Option<String>,
    pub phone_masked: bool,
    pub email: Option<String>,
    pub member_no: Option<String>,
    pub card_code: Option<String>,
    pub birthday: Option<String>,
    pub gender: Option<Gender>,
    pub tier_code: Option<String>,
    pub tier_name: Option<String>,
    pub tags: Vec<String>,
    pub marketing_consent: bool,
    pub consent_at: Option<String>,
    pub consent_source: Option<String>,
    pub notes: String,
    pub home_store_id: Option<String>,
    pub company_name: Option<String>,
    pub tax_id: Option<String>,
    pub billing_address: Option<String>,
    pub shipping_address: Option<String>,
    pub credit_limit_minor: i64,
    pub payment_terms_days: i64,
    /// Open B2B balance.
    pub receivable_minor: i64,
    pub points_balance: i64,
    pub stored_value_minor: i64,
    /// `active`, `merged` (see `merged_into`) or `erased`.
    pub status: String,
    pub merged_into: Option<String>,
    pub segment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// The customer columns plus the tier's name and the RFM segment (`rfm.`, kept in a narrow
/// table of its own so that recomputing it never rewrites customers). Append `WHERE …`
/// conditions on `c.`.
pub const SELECT: &str = "SELECT c.*, t.name AS tier_name, rfm.segment FROM customers c \
     LEFT JOIN member_tiers t ON t.company_id = c.company_id AND t.code = c.tier_code \
     LEFT JOIN customer_rfm rfm ON rfm.customer_id = c.id";

/// Reads a customer row, unmasked (`tier_name` is read when the query has it).
pub fn from_row(r: &AnyRow) -> StoreResult<Customer> {
    use sqlx::Row;
    let tags: Vec<String> = serde_json::from_str(&row::text(r, "tags")?).unwrap_or_default();
    Ok(Customer {
        id: row::text(r, "id")?,
        kind: row::enumerated(r, "kind", CustomerKind::parse)?,
        name: row::text(r, "name")?,
        phone: row::opt_text(r, "phone")?,
        phone_masked: false,
        email: row::opt_text(r, "email")?,
        member_no: row::opt_text(r, "member_no")?,
        card_code: row::opt_text(r, "card_code")?,
        birthday: row::opt_text(r, "birthday")?,
        gender: row::opt_text(r, "gender")?.and_then(|g| Gender::parse(&g)),
        tier_code: row::opt_text(r, "tier_code")?,
        tier_name: r.try_get::<Option<String>, _>("tier_name").unwrap_or(None),
        tags,
        marketing_consent: row::flag(r, "marketing_consent")?,
        consent_at: row::opt_text(r, "consent_at")?,
        consent_source: row::opt_text(r, "consent_source")?,
        notes: row::text(r, "notes")?,
        home_store_id: row::opt_text(r, "home_store_id")?,
        company_name: row::opt_text(r, "company_name")?,
        tax_id: row::opt_text(r, "tax_id")?,
        billing_address: row::opt_text(r, "billing_address")?,
        shipping_address: row::opt_text(r, "shipping_address")?,
        credit_limit_minor: row::int(r, "credit_limit_minor")?,
        payment_terms_days: row::int(r, "payment_terms_days")?,
        receivable_minor: row::int(r, "receivable_minor")?,
        points_balance: row::int(r, "points_balance")?,
        stored_value_minor: row::int(r, "stored_value_minor")?,
        status: row::text(r, "status")?,
        merged_into: row::opt_text(r, "merged_into")?,
        segment: row::opt_text(r, "segment")?,
        created_at: row::text(r, "created_at")?,
        updated_at: row::text(r, "updated_at")?,
        version: row::int(r, "version")?,
    })
}

/// Whether the caller sees full contact details (PIPL: least exposure for everyone else).
pub fn may_see_contact(p: &Principal) -> bool {
    p.can(Permission::CustomersContact)
}

/// A stored phone number as `p` may see it: in full with `customers.contact`, else masked.
pub fn phone_for(p: &Principal, phone: Option<&str>) -> Option<String> {
    phone.map(|ph| {
        if may_see_contact(p) {
            ph.to_string()
        } else {
            mask_phone(ph)
        }
    })
}

/// A stored e-mail address as `p` may see it.
pub fn email_for(p: &Principal, email: Option<&str>) -> Option<String> {
    email.map(|e| {
        if may_see_contact(p) {
            e.to_string()
        } else {
            mask_email(e)
        }
    })
}

impl Customer {
    /// The customer with its contact details masked. Lists use this for every caller: a
    /// page of 50 full phone numbers would be an unaudited bulk reveal, so a list shows
    /// `138****5678` even to `customers.contact`, who opens one customer or asks
    /// `/reveal` (audited) for the full number.
    pub fn masked(mut self) -> Customer {
        self.phone = self.phone.as_deref().map(mask_phone);
        self.email = self.email.as_deref().map(mask_email);
        self.phone_masked = true;
        self
    }

    /// One customer as `p` may see it: contact details masked without `customers.contact`.
    pub fn masked_for(self, p: &Principal) -> Customer {
        if may_see_contact(p) {
            self
        } else {
            self.masked()
        }
    }
}

/// Whether a customer with home store `home` is inside the caller's scope (a customer without
/// a home store belongs to the whole chain).
pub fn visible(p: &Principal, home: Option<&str>) -> bool {
    match (home, p.store_filter()) {
        (None, _) | (_, None) => true,
        (Some(h), Some(stores)) => stores.iter().any(|s| s == h),
    }
}

/// Appends the caller's scope on a home-store column: `AND (col IS NULL OR col IN (…))`.
pub fn push_scope(q: &mut Sql, p: &Principal, column: &str) {
    if let Some(stores) = p.store_filter() {
        if stores.is_empty() {
            q.push(&format!(" AND {column} IS NULL"));
        } else {
            q.push(&format!(" AND ({column} IS NULL OR {column} IN "));
            q.bind_list(&stores);
            q.push(")");
        }
    }
}

/// The text list search matches: name, full pinyin and initials, member number, the last 4
/// digits of the phone (never the whole number), card code, company name and its initials.
pub fn search_text(
    name: &str,
    member_no: Option<&str>,
    phone: Option<&str>,
    card_code: Option<&str>,
    company_name: Option<&str>,
) -> String {
    let (full, initials) = pinyin_keys(name);
    let (_, company_initials) = pinyin_keys(company_name.unwrap_or(""));
    format!(
        "{} | {} | {} | {} | {} | {} | {} | {}",
        name.to_lowercase(),
        full,
        initials,
        member_no.unwrap_or("").to_lowercase(),
        phone.map(phone_last4).unwrap_or_default(),
        card_code.unwrap_or("").to_lowercase(),
        company_name.unwrap_or("").to_lowercase(),
        company_initials
    )
}

/// A validated, normalised profile, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub kind: CustomerKind,
    pub name: String,
    /// E.164.
    pub phone: Option<String>,
    /// The input showed a masked phone: keep the stored one.
    pub keep_phone: bool,
    pub email: Option<String>,
    pub keep_email: bool,
    pub member_no: Option<String>,
    pub card_code: Option<String>,
    pub birthday: Option<String>,
    pub gender: Option<Gender>,
    pub tier_code: Option<String>,
    pub tags: Vec<String>,
    pub marketing_consent: bool,
    pub consent_source: Option<String>,
    pub notes: String,
    pub home_store_id: Option<String>,
    pub company_name: Option<String>,
    pub tax_id: Option<String>,
    pub billing_address: Option<String>,
    pub shipping_address: Option<String>,
    pub credit_limit_minor: i64,
    pub payment_terms_days: i64,
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Checks a `YYYY-MM-DD` birthday: a real date, not in the future, not before 1900.
fn check_birthday(v: &mut Validator, s: &str) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(s, &fmt) {
        Ok(d) => {
            let today = time::OffsetDateTime::now_utc().date();
            if d > today || d.year() < 1900 {
                v.add("/birthday", "out_of_range", "from 1900 to today");
                None
            } else {
                Some(s.to_string())
            }
        }
        Err(_) => {
            v.add("/birthday", "invalid_format", "a date as YYYY-MM-DD");
            None
        }
    }
}

/// Validates and normalises an input; every problem is added to `v` with its field path.
/// `masked_ok`: an update, where a masked phone or e-mail means "unchanged".
pub fn check(input: &CustomerInput, masked_ok: bool, v: &mut Validator) -> Checked {
    v.text("/name", &input.name, 1, 100);
    let mut c = Checked {
        kind: input.kind,
        name: input.name.trim().to_string(),
        phone: None,
        keep_phone: false,
        email: None,
        keep_email: false,
        member_no: opt(&input.member_no),
        card_code: opt(&input.card_code),
        birthday: None,
        gender: input.gender,
        tier_code: opt(&input.tier_code),
        tags: Vec::new(),
        marketing_consent: input.marketing_consent,
        consent_source: opt(&input.consent_source),
        notes: input.notes.trim().to_string(),
        home_store_id: opt(&input.home_store_id),
        company_name: opt(&input.company_name),
        tax_id: None,
        billing_address: opt(&input.billing_address),
        shipping_address: opt(&input.shipping_address),
        credit_limit_minor: input.credit_limit_minor,
        payment_terms_days: input.payment_terms_days,
    };
    if let Some(ph) = opt(&input.phone) {
        if masked_ok && is_masked(&ph) {
            c.keep_phone = true;
        } else {
            match normalize_phone(&ph) {
                Ok(n) => c.phone = Some(n),
                Err(e) => v.add("/phone", "invalid_format", e.message()),
            }
        }
    }
    if let Some(e) = opt(&input.email) {
        if masked_ok && is_masked(&e) {
            c.keep_email = true;
        } else if valid_email(&e) {
            c.email = Some(e);
        } else {
            v.add("/email", "invalid_format", "an e-mail address");
        }
    }
    if let Some(m) = &c.member_no {
        v.code("/member_no", m, 32);
    }
    if let Some(m) = &c.card_code {
        v.code("/card_code", m, 64);
    }
    if let Some(b) = opt(&input.birthday) {
        c.birthday = check_birthday(v, &b);
    }
    if let Some(t) = &c.tier_code {
        v.code("/tier_code", t, 32);
    }
    if input.tags.len() > 20 {
        v.add("/tags", "out_of_range", "at most 20 tags");
    }
    for (i, t) in input.tags.iter().enumerate() {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 32 {
            v.add(format!("/tags/{i}"), "invalid_value", "1 to 32 characters");
        } else if !c.tags.iter().any(|x| x == t) {
            c.tags.push(t.to_string());
        }
    }
    v.optional_text("/consent_source", c.consent_source.as_deref(), 32);
    v.optional_text("/notes", Some(&c.notes), 2000);
    match (&c.company_name, c.kind) {
        (None, CustomerKind::Business) => {
            v.add(
                "/company_name",
                "required",
                "a business customer needs its company name",
            );
        }
        (Some(n), _) => v.optional_text("/company_name", Some(n), 200),
        _ => {}
    }
    if let Some(t) = opt(&input.tax_id) {
        match normalize_tax_id(&t) {
            Ok(t) => c.tax_id = Some(t),
            Err(e) => v.add("/tax_id", "invalid_format", e.message()),
        }
    }
    v.optional_text("/billing_address", c.billing_address.as_deref(), 500);
    v.optional_text("/shipping_address", c.shipping_address.as_deref(), 500);
    if !(0..=1_000_000_000_000).contains(&c.credit_limit_minor) {
        v.add(
            "/credit_limit_minor",
            "out_of_range",
            "from 0 to 10^12 minor units",
        );
    }
    if !(0..=365).contains(&c.payment_terms_days) {
        v.add("/payment_terms_days", "out_of_range", "from 0 to 365 days");
    }
    c
}

/// Checks what only the database can judge: the tier and the home store exist, the home store
/// is in the caller's scope, and only `customers.admin` puts a member above the entry tier
/// (a tier decides prices: a cashier must not upgrade a friend). `old_tier` is the stored tier
/// of an update.
pub async fn check_references(
    db: &Db,
    p: &Principal,
    c: &Checked,
    old_tier: Option<&str>,
    prefix: &str,
    v: &mut Validator,
) -> StoreResult<()> {
    let company = p.company_id.to_string();
    if let Some(code) = &c.tier_code {
        let tier = sqlx::query(
            "SELECT min_spend_minor FROM member_tiers WHERE company_id = $1 AND code = $2",
        )
        .bind(&company)
        .bind(code)
        .fetch_optional(&db.pool)
        .await?;
        match tier {
            None => v.add(
                format!("{prefix}/tier_code"),
                "unknown",
                "no tier with this code",
            ),
            Some(r) => {
                let min_spend = row::int(&r, "min_spend_minor")?;
                if min_spend > 0
                    && old_tier != Some(code.as_str())
                    && !p.can(Permission::CustomersAdmin)
                {
                    return Err(StoreError::Forbidden(
                        "putting a member in a tier above the entry tier requires the permission customers.admin".into(),
                    ));
                }
            }
        }
    }
    if let Some(store) = &c.home_store_id {
        let found = sqlx::query("SELECT 1 FROM stores WHERE id = $1 AND company_id = $2")
            .bind(store)
            .bind(&company)
            .fetch_optional(&db.pool)
            .await?;
        if found.is_none() || !visible(p, Some(store)) {
            v.add(
                format!("{prefix}/home_store_id"),
                "unknown",
                "no store with this id in your scope",
            );
        }
    }
    Ok(())
}

/// Maps a unique violation of the customer indexes to a 409 on its field.
pub fn unique_conflict(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && d.kind() == sqlx::error::ErrorKind::UniqueViolation
    {
        let text = format!("{} {}", d.message(), d.constraint().unwrap_or(""));
        let (field, message) = if text.contains("phone") {
            ("/phone", "a customer with this phone number exists")
        } else if text.contains("member_no") {
            ("/member_no", "a customer with this member number exists")
        } else if text.contains("card") {
            ("/card_code", "a customer with this card exists")
        } else {
            ("/", "the customer conflicts with an existing one")
        };
        return StoreError::Conflict {
            field: field.into(),
            message: message.into(),
        };
    }
    e.into()
}

/// 409 when another customer of the company holds the phone, member number or card (checked
/// before writing so the answer names the field on both backends).
pub async fn check_unique(db: &Db, company: &str, c: &Checked, except: &str) -> StoreResult<()> {
    for (col, value, field, message) in [
        (
            "phone",
            &c.phone,
            "/phone",
            "a customer with this phone number exists",
        ),
        (
            "member_no",
            &c.member_no,
            "/member_no",
            "a customer with this member number exists",
        ),
        (
            "card_code",
            &c.card_code,
            "/card_code",
            "a customer with this card exists",
        ),
    ] {
        let Some(value) = value else { continue };
        let q =
            format!("SELECT 1 FROM customers WHERE company_id = $1 AND {col} = $2 AND id <> $3");
        let hit = sqlx::query(&q)
            .bind(company)
            .bind(value)
            .bind(except)
            .fetch_optional(&db.pool)
            .await?;
        if hit.is_some() {
            return Err(StoreError::Conflict {
                field: field.into(),
                message: message.into(),
            });
        }
    }
    Ok(())
}

/// A fresh member number `M` + 8 digits not yet used in the company (numbers are random, not
/// consecutive: gap-free numbering is not needed, and random ones do not tell a competitor
/// how many members the chain has).
pub async fn new_member_no(db: &Db, company: &str) -> StoreResult<String> {
    for _ in 0..20 {
        let n: u32 = rand::random_range(0..100_000_000);
        let no = format!("M{n:08}");
        let taken = sqlx::query("SELECT 1 FROM customers WHERE company_id = $1 AND member_no = $2")
            .bind(company)
            .bind(&no)
            .fetch_optional(&db.pool)
            .await?;
        if taken.is_none() {
            return Ok(no);
        }
    }
    Err(StoreError::Internal(
        "no free member number after 20 tries".into(),
    ))
}

/// Writes a new customer (`c.member_no` must be set). Used by create and import.
pub async fn insert(tx: &mut Tx, company: &str, id: &str, c: &Checked) -> StoreResult<()> {
    let now = clock::now();
    sqlx::query(
        "INSERT INTO customers (id, company_id, kind, name, phone, email, member_no, card_code, birthday, gender, \
         tier_code, tags, marketing_consent, consent_at, consent_source, notes, home_store_id, company_name, tax_id, \
         billing_address, shipping_address, credit_limit_minor, payment_terms_days, search_text, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
         $23, $24, $25, $25)",
    )
    .bind(id)
    .bind(company)
    .bind(c.kind.as_str())
    .bind(&c.name)
    .bind(c.phone.clone())
    .bind(c.email.clone())
    .bind(c.member_no.clone())
    .bind(c.card_code.clone())
    .bind(c.birthday.clone())
    .bind(c.gender.map(|g| g.as_str()))
    .bind(c.tier_code.clone())
    .bind(serde_json::to_string(&c.tags).unwrap_or_else(|_| "[]".into()))
    .bind(c.marketing_consent as i64)
    .bind(c.marketing_consent.then(|| now.clone()))
    .bind(c.consent_source.clone())
    .bind(&c.notes)
    .bind(c.home_store_id.clone())
    .bind(c.company_name.clone())
    .bind(c.tax_id.clone())
    .bind(c.billing_address.clone())
    .bind(c.shipping_address.clone())
    .bind(c.credit_limit_minor)
    .bind(c.payment_terms_days)
    .bind(search_text(
        &c.name,
        c.member_no.as_deref(),
        c.phone.as_deref(),
        c.card_code.as_deref(),
        c.company_name.as_deref(),
    ))
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(unique_conflict)?;
    Ok(())
}

/// Fills what a checked update keeps from the stored customer: masked contact details, and a
/// member number (never cleared: receipts and cards print it).
pub fn keep_stored(c: &mut Checked, old: &Customer) {
    if c.keep_phone {
        c.phone = old.phone.clone();
    }
    if c.keep_email {
        c.email = old.email.clone();
    }
    if c.member_no.is_none() {
        c.member_no = old.member_no.clone();
    }
    c.keep_phone = false;
    c.keep_email = false;
}

/// Overwrites a customer's profile with `c` when its version is `version`; the number of rows
/// changed (0: stale or missing). Consent time moves only when consent changes.
pub async fn write_update(
    tx: &mut Tx,
    company: &str,
    id: &str,
    c: &Checked,
    old: &Customer,
    version: i64,
) -> StoreResult<u64> {
    let now = clock::now();
    let consent_at = if c.marketing_consent != old.marketing_consent {
        Some(now.clone())
    } else {
        old.consent_at.clone()
    };
    let done = sqlx::query(
        "UPDATE customers SET kind = $1, name = $2, phone = $3, email = $4, member_no = $5, card_code = $6, \
         birthday = $7, gender = $8, tier_code = $9, tags = $10, marketing_consent = $11, consent_at = $12, \
         consent_source = $13, notes = $14, home_store_id = $15, company_name = $16, tax_id = $17, \
         billing_address = $18, shipping_address = $19, credit_limit_minor = $20, payment_terms_days = $21, \
         search_text = $22, updated_at = $23, version = version + 1 \
         WHERE id = $24 AND company_id = $25 AND version = $26",
    )
    .bind(c.kind.as_str())
    .bind(&c.name)
    .bind(c.phone.clone())
    .bind(c.email.clone())
    .bind(c.member_no.clone())
    .bind(c.card_code.clone())
    .bind(c.birthday.clone())
    .bind(c.gender.map(|g| g.as_str()))
    .bind(c.tier_code.clone())
    .bind(serde_json::to_string(&c.tags).unwrap_or_else(|_| "[]".into()))
    .bind(c.marketing_consent as i64)
    .bind(consent_at)
    .bind(c.consent_source.clone())
    .bind(&c.notes)
    .bind(c.home_store_id.clone())
    .bind(c.company_name.clone())
    .bind(c.tax_id.clone())
    .bind(c.billing_address.clone())
    .bind(c.shipping_address.clone())
    .bind(c.credit_limit_minor)
    .bind(c.payment_terms_days)
    .bind(search_text(
        &c.name,
        c.member_no.as_deref(),
        c.phone.as_deref(),
        c.card_code.as_deref(),
        c.company_name.as_deref(),
    ))
    .bind(&now)
    .bind(id)
    .bind(company)
    .bind(version)
    .execute(&mut **tx)
    .await
    .map_err(unique_conflict)?;
    Ok(done.rows_affected())
}

/// Filters of the customer list (and of the export).
#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    /// Name, pinyin, member number, last 4 phone digits, card, company name; a whole phone
    /// number matches that number.
    pub q: Option<String>,
    pub tier: Option<String>,
    pub tag: Option<String>,
    pub segment: Option<String>,
    pub home_store_id: Option<String>,
    pub kind: Option<CustomerKind>,
    /// `active` unless asked: merged and erased customers are history.
    pub status: Option<String>,
}

/// Appends the list filters (on the `c.` alias, and `rfm.` of [`SELECT`] for the segment).
pub fn push_filter(q: &mut Sql, f: &CustomerFilter) {
    let status = f.status.clone().unwrap_or_else(|| "active".into());
    if status != "all" {
        q.push(" AND c.status = ").bind(status);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q.push(" AND (");
        q.contains("c.search_text", text);
        if let Ok(phone) = normalize_phone(text) {
            q.push(" OR c.phone = ").bind(phone);
        }
        q.push(")");
    }
    if let Some(t) = &f.tier {
        q.push(" AND c.tier_code = ").bind(t.clone());
    }
    if let Some(t) = &f.tag {
        let quoted = serde_json::to_string(t.trim()).unwrap_or_default();
        q.push(" AND ").contains("c.tags", &quoted);
    }
    if let Some(s) = &f.segment {
        q.push(" AND rfm.segment = ").bind(s.clone());
    }
    if let Some(s) = &f.home_store_id {
        q.push(" AND c.home_store_id = ").bind(s.clone());
    }
    if let Some(k) = f.kind {
        q.push(" AND c.kind = ").bind(k.as_str().to_string());
    }
}

/// Customers in the caller's scope, in creation order, contact details masked (see
/// [`Customer::masked`]).
pub async fn list(
    db: &Db,
    p: &Principal,
    f: &CustomerFilter,
    page: &PageRequest,
) -> StoreResult<Page<Customer>> {
    let mut q = Sql::new(SELECT);
    q.push(" WHERE c.company_id = ")
        .bind(p.company_id.to_string());
    push_scope(&mut q, p, "c.home_store_id");
    push_filter(&mut q, f);
    if let Some(after) = &page.after {
        q.push(" AND c.id > ").bind(after.clone());
    }
    q.push(" ORDER BY c.id LIMIT ").bind(page.limit + 1);
    let (sql, args) = q.build();
    let rows = sqlx::query_with(&sql, args).fetch_all(&db.pool).await?;
    let items = rows
        .iter()
        .map(|r| from_row(r).map(Customer::masked))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.page(items, |c| c.id.clone()))
}

/// One customer of the company, unmasked, whatever the scope (for code that checks scope
/// itself or acts chain-wide, like the register lookup).
pub async fn fetch_any(db: &Db, company: &str, id: &str) -> StoreResult<Option<Customer>> {
    let q = format!("{SELECT} WHERE c.id = $1 AND c.company_id = $2");
    let r = sqlx::query(&q)
        .bind(id)
        .bind(company)
        .fetch_optional(&db.pool)
        .await?;
    r.as_ref().map(from_row).transpose()
}

/// One customer in the caller's scope, unmasked (404 outside the scope). Callers mask it.
pub async fn load(db: &Db, p: &Principal, id: &str) -> StoreResult<Customer> {
    match fetch_any(db, &p.company_id.to_string(), id).await? {
        Some(c) if visible(p, c.home_store_id.as_deref()) => Ok(c),
        _ => Err(StoreError::NotFound),
    }
}

/// One customer in the caller's scope, masked for the caller.
pub async fn get(db: &Db, p: &Principal, id: &str) -> StoreResult<Customer> {
    Ok(load(db, p, id).await?.masked_for(p))
}

/// Creates a customer; the member number is generated when absent.
pub async fn create(
    db: &Db,
    p: &Principal,
    input: &CustomerInput,
    idem: Option<&IdemLock>,
) -> StoreResult<Customer> {
    let mut v = Validator::new();
    let mut c = check(input, false, &mut v);
    if c.home_store_id.is_none()
        && let Some(stores) = p.store_filter()
        && stores.len() == 1
    {
        c.home_store_id = Some(stores[0].clone());
    }
    check_references(db, p, &c, None, "", &mut v).await?;
    v.finish().map_err(StoreError::Invalid)?;
    let company = p.company_id.to_string();
    check_unique(db, &company, &c, "").await?;
    if c.member_no.is_none() {
        c.member_no = Some(new_member_no(db, &company).await?);
    }
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    insert(&mut tx, &company, &id, &c).await?;
    let mut entry = AuditEntry::by(p, "customer.created", "customer", &id).details(
        serde_json::json!({"member_no": c.member_no, "kind": c.kind.as_str(), "marketing_consent": c.marketing_consent}),
    );
    if let Some(s) = &c.home_store_id {
        entry = entry.store(s);
    }
    audit::append(&mut tx, entry).await?;
    let q = format!("{SELECT} WHERE c.id = $1");
    let r = sqlx::query(&q).bind(&id).fetch_one(&mut *tx).await?;
    let value = from_row(&r)?.masked_for(p);
    idempotency::finish(&mut tx, idem, 201, &value).await?;
    tx.commit().await?;
    Ok(value)
}

/// Refuses changes to a merged or erased customer: they are history.
pub fn require_active(c: &Customer) -> StoreResult<()> {
    if c.status != "active" {
        return Err(StoreError::Rule {
            field: "/status".into(),
            code: "not_active",
            message: format!("the customer is {}", c.status),
        });
    }
    Ok(())
}

/// Changes a customer (send its `version`).
pub async fn update(
    db: &Db,
    p: &Principal,
    id: &str,
    input: &CustomerInput,
) -> StoreResult<Customer> {
    let mut v = Validator::new();
    let mut c = check(input, true, &mut v);
    let version = require_version(&mut v, input.version);
    let old = load(db, p, id).await?;
    check_references(db, p, &c, old.tier_code.as_deref(), "", &mut v).await?;
    v.finish().map_err(StoreError::Invalid)?;
    require_active(&old)?;
    keep_stored(&mut c, &old);
    let company = p.company_id.to_string();
    check_unique(db, &company, &c, id).await?;
    let mut tx = db.begin().await?;
    let rows = write_update(&mut tx, &company, id, &c, &old, version).await?;
    let mut changed = Vec::new();
    if c.phone != old.phone {
        changed.push("phone");
    }
    if c.email != old.email {
        changed.push("email");
    }
    if c.name != old.name {
        changed.push("name");
    }
    if c.tier_code != old.tier_code {
        changed.push("tier_code");
    }
    if c.home_store_id != old.home_store_id {
        changed.push("home_store_id");
    }
    if c.marketing_consent != old.marketing_consent {
        changed.push("marketing_consent");
    }
    let entry = AuditEntry::by(p, "customer.updated", "customer", id).details(
        serde_json::json!({"member_no": c.member_no, "changed": changed, "tier_code": c.tier_code}),
    );
    finish_update(tx, rows, "customers", id, entry).await?;
    get(db, p, id).await
}

/// A customer's full contact details.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Shows a customer's full contact details to a caller with `customers.contact`, recording
/// the reveal in the audit trail (`customer.contact_revealed`): who looked up whose number is
/// what a data-protection officer asks after a leak.
pub async fn reveal(db: &Db, p: &Principal, id: &str, ip: Option<String>) -> StoreResult<Contact> {
    if !may_see_contact(p) {
        return Err(StoreError::Forbidden(
            "requires the permission customers.contact".into(),
        ));
    }
    let c = load(db, p, id).await?;
    let mut tx = db.begin().await?;
    let mut entry = AuditEntry::by(p, "customer.contact_revealed", "customer", id)
        .details(serde_json::json!({"member_no": c.member_no, "fields": ["phone", "email"]}))
        .ip(ip);
    if let Some(s) = &c.home_store_id {
        entry = entry.store(s);
    }
    audit::append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Contact {
        phone: c.phone,
        email: c.email,
    })
}
