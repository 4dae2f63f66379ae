//! Checking and pricing a sale from a register: the server prices every sale again with the
//! one engine in `salepoint_domain::checkout` and refuses claimed prices, discounts and
//! tenders that do not match (an offline sale, already paid, is accepted and flagged).

use super::context::RegisterContext;
use super::model::{DiscountInput, SaleInput, to_milli};
use super::prepared::{ApprovalUse, PreparedLine, PreparedSale};
use super::tenders;
use crate::catalog::price_lists;
use crate::clock;
use crate::customers::accounts::{self, MemberBook};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::payments::tender_types;
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use rust_decimal::Decimal;
use salepoint_domain::checkout::{self, CartInput, Discount, LineInput};
use salepoint_domain::customers::loyalty;
use salepoint_domain::ids::CompanyId;
use salepoint_domain::org::business_day;
use salepoint_domain::pricing::{self, PriceContext, PriceRule};
use salepoint_domain::validation::Validator;
use std::collections::HashMap;
use std::str::FromStr;

/// Most lines a sale may have.
pub const MAX_LINES: usize = 500;

/// A product as a sale needs it.
#[derive(Clone)]
pub(crate) struct SaleProduct {
    pub sku: String,
    pub name: String,
    pub max_decimals: u32,
    pub list_price_minor: i64,
    pub active: bool,
    pub tax_rate: Decimal,
    /// For the points rules of member sales.
    pub category_id: Option<String>,
}

/// Loads the products `ids` (every product when `None`) of the caller's company with their
/// tax rates.
pub(crate) async fn products(
    db: &Db,
    p: &Principal,
    ids: Option<&[String]>,
) -> StoreResult<HashMap<String, SaleProduct>> {
    let mut conn = db.pool.acquire().await?;
    Ok(products_and_rules(&mut conn, p.company_id, ids, false)
        .await?
        .0)
}

fn sale_product(r: &sqlx::any::AnyRow) -> StoreResult<SaleProduct> {
    let receipt = row::text(r, "receipt_name")?;
    let rate = row::text(r, "rate")?;
    Ok(SaleProduct {
        sku: row::text(r, "sku")?,
        name: if receipt.trim().is_empty() {
            row::text(r, "name_zh")?
        } else {
            receipt
        },
        max_decimals: row::int(r, "quantity_precision")?.clamp(0, 3) as u32,
        list_price_minor: row::int(r, "list_price_minor")?,
        active: row::text(r, "status")? == "active",
        tax_rate: Decimal::from_str(&rate)
            .map_err(|_| StoreError::Internal(format!("bad tax rate {rate}")))?,
        category_id: row::opt_text(r, "category_id")?,
    })
}

/// Products with their tax rates and (when `with_rules`) the price rules of active lists, in
/// one query: a sale's products and prices cost one round trip.
pub(crate) async fn products_and_rules(
    conn: &mut sqlx::AnyConnection,
    company: CompanyId,
    ids: Option<&[String]>,
    with_rules: bool,
) -> StoreResult<(
    HashMap<String, SaleProduct>,
    HashMap<String, Vec<PriceRule>>,
)> {
    let mut products = HashMap::new();
    let mut rules: HashMap<String, Vec<PriceRule>> = HashMap::new();
    if ids.is_some_and(|i| i.is_empty()) {
        return Ok((products, rules));
    }
    let company = company.to_string();
    let mut q = Sql::new(
        "SELECT p.id, p.sku, p.name_zh, p.receipt_name, p.quantity_precision, p.list_price_minor, p.status, p.category_id, t.rate",
    );
    if with_rules {
        q.push(
            ", i.price_minor AS rule_price, l.id AS list_id, l.priority, l.channel_id, l.store_id, l.region_id, \
             l.customer_tier, l.valid_from, l.valid_to FROM products p JOIN tax_classes t ON t.id = p.tax_class_id \
             LEFT JOIN price_list_items i ON i.product_id = p.id \
             LEFT JOIN price_lists l ON l.id = i.price_list_id AND l.active = 1 AND l.company_id = ",
        );
        q.bind(company.clone());
    } else {
        q.push(" FROM products p JOIN tax_classes t ON t.id = p.tax_class_id");
    }
    match ids {
        // `|| ''` keeps SQLite from walking the company's products through an index on
        // company_id instead of looking the few ids up by primary key.
        Some(ids) => {
            q.push(" WHERE p.company_id || '' = ").bind(company);
            q.push(" AND ");
            let backend = if conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
                crate::db::Backend::Postgres
            } else {
                crate::db::Backend::Sqlite
            };
            super::unnest::push_in(&mut q, backend, "p.id", ids);
        }
        None => {
            q.push(" WHERE p.company_id = ").bind(company);
        }
    }
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut *conn).await? {
        let id = row::text(&r, "id")?;
        if with_rules && row::opt_text(&r, "list_id")?.is_some() {
            rules
                .entry(id.clone())
                .or_default()
                .push(price_lists::rule_from(&r, "list_id", "rule_price")?);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = products.entry(id) {
            e.insert(sale_product(&r)?);
        }
    }
    Ok((products, rules))
}

/// Reads a claimed discount at `path`.
pub(crate) fn discount(
    v: &mut Validator,
    path: &str,
    d: &Option<DiscountInput>,
) -> Option<Discount> {
    let d = d.as_ref()?;
    match (&d.percent, d.amount_minor) {
        (Some(p), None) => match p.parse() {
            Some(x) => Some(Discount::Percent(x)),
            None => {
                v.add(
                    format!("{path}/percent"),
                    "invalid_format",
                    "a decimal such as 10",
                );
                None
            }
        },
        (None, Some(a)) => Some(Discount::Amount(a)),
        _ => {
            v.add(
                path,
                "invalid_value",
                "give exactly one of percent or amount_minor",
            );
            None
        }
    }
}

/// The moment a sale counts for: the register's clock for an offline sale (when it is not in
/// the future), the server's otherwise. Returns (unix seconds, stored client time).
pub(crate) fn sale_moment(
    v: &mut Validator,
    client: Option<&str>,
    offline: bool,
) -> (i64, Option<String>) {
    let now = time::OffsetDateTime::now_utc();
    let client = match client {
        Some(s) => {
            match time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
                Ok(t) => Some(t),
                Err(_) => {
                    v.add("/created_at", "invalid_format", "an RFC 3339 time");
                    None
                }
            }
        }
        None => None,
    };
    let at = match client {
        Some(t) if offline && t <= now => t,
        _ => now,
    };
    (at.unix_timestamp(), client.map(clock::format))
}

/// The business day of `at` at the store.
pub(crate) fn day_of(ctx: &RegisterContext, at: i64) -> StoreResult<String> {
    business_day(at, &ctx.time_zone, ctx.cutoff_hour)
        .ok_or_else(|| StoreError::Internal(format!("unknown time zone {}", ctx.time_zone)))
}

/// What pricing reads besides the register: the products with their tax rates, their price
/// rules and the company's tender types. Loaded once for a whole batch of sales.
pub struct PriceBook {
    pub(crate) products: HashMap<String, SaleProduct>,
    pub(crate) rules: HashMap<String, Vec<PriceRule>>,
    pub(crate) types: Vec<tender_types::TenderType>,
    /// The members of the batch's sales, the loyalty programme and its category rules.
    pub(crate) members: std::sync::Arc<MemberBook>,
}

/// Where a sale is rung up: the register's context and whether its shift is open.
pub struct Till<'a> {
    pub ctx: &'a RegisterContext,
    pub shift_open: bool,
}

/// Checks and prices a sale — no I/O, so the sale writer prices a whole batch from one read,
/// and the demo history prices exactly as a register's sale is priced. `request_hash`
/// fingerprints the body (for replays).
pub fn price(
    till: Till<'_>,
    book: &PriceBook,
    p: &Principal,
    input: &SaleInput,
    request_hash: &str,
    idem_key: Option<String>,
) -> StoreResult<PreparedSale> {
    let mut v = Validator::new();
    if uuid::Uuid::parse_str(&input.id).is_err() {
        v.add("/id", "invalid_format", "a UUID made by the register");
    }
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        v.add("/lines", "out_of_range", "one to 500 lines");
    }
    v.optional_text("/customer_tier", input.customer_tier.as_deref(), 32);
    let member = match input.customer_id.as_deref() {
        None => None,
        Some(id) => match book.members.members.get(&id.to_lowercase()) {
            Some(m) if m.active => Some(m),
            Some(_) => {
                v.add(
                    "/customer_id",
                    "inactive",
                    "this customer was merged or erased",
                );
                None
            }
            None => {
                v.add("/customer_id", "unknown", "no such customer");
                None
            }
        },
    };
    if member.is_some() && input.offline {
        v.add(
            "/customer_id",
            "not_allowed_offline",
            "member accounts need the server: sell without the member",
        );
    }
    v.finish().map_err(StoreError::Invalid)?;
    let (ctx, catalog, rules) = (till.ctx, &book.products, &book.rules);
    let mut v = Validator::new();
    let mut flags = Vec::new();
    if !till.shift_open {
        if !input.offline {
            return Err(StoreError::invalid(
                "/shift_id",
                "shift_closed",
                "the shift is closed: open a new one",
            ));
        }
        flags.push("late_shift".to_string());
    }
    let (at, client_created_at) = sale_moment(&mut v, input.created_at.as_deref(), input.offline);
    let price_ctx = PriceContext {
        store: Some(ctx.store_id.clone()),
        region: ctx.region_id.clone(),
        channel: ctx.channel_id.clone(),
        // A member buys at their tier's prices, whatever the register claims.
        tier: match member {
            Some(m) => m.price_tier.clone(),
            None => input.customer_tier.clone().filter(|t| !t.is_empty()),
        },
        at,
    };
    let mut lines = Vec::with_capacity(input.lines.len());
    let mut price_changed = false;
    for (i, l) in input.lines.iter().enumerate() {
        let at_line = |f: &str| format!("/lines/{i}/{f}");
        let Some(prod) = catalog.get(&l.product_id) else {
            v.add(at_line("product_id"), "unknown", "no such product");
            continue;
        };
        if !prod.active && !input.offline {
            v.add(
                at_line("product_id"),
                "discontinued",
                "the product is no longer sold",
            );
        }
        let Some(quantity) = l.quantity.parse() else {
            v.add(
                at_line("quantity"),
                "invalid_format",
                "a decimal such as 1 or 0.532",
            );
            continue;
        };
        let resolved = pricing::resolve(
            prod.list_price_minor,
            rules.get(&l.product_id).map(Vec::as_slice).unwrap_or(&[]),
            &price_ctx,
        );
        if l.unit_price_minor != resolved.price_minor {
            if input.offline {
                price_changed = true;
            } else {
                v.add(
                    at_line("unit_price_minor"),
                    "price_changed",
                    format!(
                        "the price is {} now: sync the catalog",
                        resolved.price_minor
                    ),
                );
            }
        }
        let discount = discount(&mut v, &at_line("discount"), &l.discount);
        lines.push(LineInput {
            // Offline the customer paid the register's price; online it equals the server's.
            unit_price_minor: l.unit_price_minor,
            quantity,
            max_decimals: prod.max_decimals,
            discount,
            tax_rate: prod.tax_rate,
        });
    }
    let order_discount = discount(&mut v, "/order_discount", &input.order_discount);
    v.finish().map_err(StoreError::Invalid)?;
    if price_changed {
        flags.push("price_changed".to_string());
    }
    let priced = checkout::price_cart(&CartInput {
        lines: lines.clone(),
        order_discount,
        tax_mode: ctx.tax_mode,
        rounding: ctx.rounding,
    })
    .map_err(|e| StoreError::invalid(&e.field, e.code, &e.message))?;

    // Discounts beyond the store's limit need a manager's approval.
    let mut v = Validator::new();
    let mut needs_approval = false;
    for (i, pl) in priced.lines.iter().enumerate() {
        if checkout::percent_of(pl.line_discount_minor, pl.gross_minor) > ctx.max_discount_percent {
            needs_approval = true;
            if input.approval_token.is_none() {
                v.add(
                    format!("/lines/{i}/discount"),
                    "approval_required",
                    "beyond the cashier's discount limit: ask a manager",
                );
            }
        }
    }
    let base: i64 = priced
        .lines
        .iter()
        .map(|l| l.gross_minor - l.line_discount_minor)
        .sum();
    let order_total: i64 = priced.lines.iter().map(|l| l.order_discount_minor).sum();
    if checkout::percent_of(order_total, base) > ctx.max_discount_percent {
        needs_approval = true;
        if input.approval_token.is_none() {
            v.add(
                "/order_discount",
                "approval_required",
                "beyond the cashier's discount limit: ask a manager",
            );
        }
    }
    let paid = tenders::check(
        &mut v,
        "/tenders",
        &book.types,
        &input.tenders,
        priced.total_minor,
        ctx.cash_step,
        input.offline,
    );
    // Tenders that pay from a member's account need the member; points in whole numbers.
    let mut account_tenders = Vec::new();
    for (i, t) in input.tenders.iter().enumerate() {
        let Some(account) = book
            .types
            .iter()
            .find(|x| x.code == t.code)
            .and_then(|x| x.account.as_deref())
        else {
            continue;
        };
        if member.is_none() {
            v.add(
                format!("/tenders/{i}/code"),
                "member_required",
                "attach the member whose account pays",
            );
        } else if account == "points"
            && loyalty::points_for(t.amount_minor, book.members.program.redeem_points_per_unit)
                .is_none()
        {
            v.add(
                format!("/tenders/{i}/amount_minor"),
                "invalid_value",
                "not a whole number of points",
            );
        }
        account_tenders.push((i, account, t.amount_minor));
    }
    v.finish().map_err(StoreError::Invalid)?;
    let member_effect = member.map(|m| {
        let earn: Vec<(i64, bool, Option<&str>)> = priced
            .lines
            .iter()
            .zip(&input.lines)
            .map(|(pl, li)| {
                (
                    pl.total_minor,
                    pl.line_discount_minor > 0 || pl.order_discount_minor > 0,
                    catalog[&li.product_id].category_id.as_deref(),
                )
            })
            .collect();
        accounts::sale_effect(
            &book.members,
            m,
            &earn,
            priced.total_minor,
            &account_tenders,
            time::OffsetDateTime::now_utc(),
        )
    });

    let mut out_lines = Vec::with_capacity(lines.len());
    for (i, (pl, li)) in priced.lines.iter().zip(&input.lines).enumerate() {
        let prod = &catalog[&li.product_id];
        let qty = to_milli(lines[i].quantity).ok_or_else(|| {
            StoreError::invalid(&format!("/lines/{i}/quantity"), "out_of_range", "too large")
        })?;
        out_lines.push(PreparedLine {
            line_no: i as i64 + 1,
            product_id: li.product_id.clone(),
            sku: prod.sku.clone(),
            name: prod.name.clone(),
            quantity_milli: qty,
            unit_price_minor: li.unit_price_minor,
            gross_minor: pl.gross_minor,
            line_discount_minor: pl.line_discount_minor,
            order_discount_minor: pl.order_discount_minor,
            net_minor: pl.net_minor,
            tax_rate: prod.tax_rate.to_string(),
            tax_minor: pl.tax_minor,
            total_minor: pl.total_minor,
            original_line_no: None,
            restock: None,
            reason: None,
            stock_delta_milli: -qty,
            write_off: false,
        });
    }
    Ok(PreparedSale {
        id: input.id.to_lowercase(),
        kind: "sale",
        original_sale_id: None,
        company_id: p.company_id.to_string(),
        store_id: ctx.store_id.clone(),
        store_code: ctx.store_code.clone(),
        register_id: ctx.register_id.clone(),
        shift_id: input.shift_id.clone(),
        cashier_id: p.id.clone(),
        cashier_name: p.name.clone(),
        actor_kind: p.actor_kind(),
        business_day: day_of(ctx, at)?,
        currency: ctx.currency.code().to_string(),
        customer_tier: price_ctx.tier.clone(),
        customer_id: member.map(|m| m.id.clone()),
        channel_id: ctx.channel_id.clone(),
        member_tier: member.map(|m| m.tier_code.clone().unwrap_or_default()),
        member: member_effect,
        subtotal_minor: priced.subtotal_minor,
        discount_minor: priced.discount_minor,
        tax_minor: priced.tax_minor,
        total_minor: priced.total_minor,
        rounding_minor: paid.rounding_minor,
        paid_minor: paid.paid_minor,
        change_minor: paid.change_minor,
        offline: input.offline,
        flags,
        approval: match (needs_approval, &input.approval_token) {
            (true, Some(token)) => Some(ApprovalUse {
                token: token.clone(),
                action: "discount",
            }),
            _ => None,
        },
        request_hash: request_hash.to_string(),
        idem_key,
        client_created_at,
        created_at: clock::now(),
        negative_policy: ctx.negative_policy,
        return_check: None,
        lines: out_lines,
        tenders: paid.tenders,
    })
}
