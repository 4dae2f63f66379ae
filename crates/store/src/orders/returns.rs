//! Checking a return: against its original sale (never more than sold minus already returned,
//! refunding each line's exact share of what was paid), or without a receipt at today's price
//! with a manager's approval. A return is a new record; the sale is never edited.

use super::context;
use super::model::{ReturnInput, TenderInput, to_milli};
use super::prepared::{ApprovalUse, PreparedLine, PreparedSale, ReturnCheck};
use super::read;
use super::sales::{day_of, products, sale_moment};
use super::tenders;
use crate::catalog::price_lists;
use crate::clock;
use crate::customers::accounts::{self, MemberEffect};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::payments::tender_types;
use crate::principal::Principal;
use rust_decimal::Decimal;
use salepoint_domain::checkout::{self, CartInput, LineInput, ReturnShare, return_share};
use salepoint_domain::customers::loyalty;
use salepoint_domain::org::RoundingRule;
use salepoint_domain::pricing::{self, PriceContext};
use salepoint_domain::validation::Validator;

/// A return line priced: its positive figures.
struct Priced {
    product_id: String,
    sku: String,
    name: String,
    quantity_milli: i64,
    unit_price_minor: i64,
    tax_rate: String,
    share: ReturnShare,
    original_line_no: Option<i64>,
    restock: bool,
    reason: Option<String>,
}

/// The original sale as a return needs it: its tenders, its member and its total.
struct Original {
    tenders: Vec<super::model::SaleTender>,
    customer_id: Option<String>,
    total_minor: i64,
}

/// Prices the lines of a return against its original sale.
async fn against_sale(
    db: &Db,
    p: &Principal,
    input: &ReturnInput,
    original_id: &str,
    rounding: RoundingRule,
    v: &mut Validator,
) -> StoreResult<(Vec<Priced>, ReturnCheck, Original)> {
    let original = read::get(db, p, original_id)
        .await
        .map_err(|_| StoreError::invalid("/original_sale_id", "unknown", "no such sale"))?;
    if original.kind != "sale" {
        return Err(StoreError::invalid(
            "/original_sale_id",
            "invalid_value",
            "a return cannot be returned",
        ));
    }
    // What earlier returns already refunded, per original line.
    let earlier = sqlx::query(
        "SELECT l.original_line_no, CAST(SUM(l.gross_minor) AS BIGINT) AS gross, \
         CAST(SUM(l.net_minor) AS BIGINT) AS net, CAST(SUM(l.tax_minor) AS BIGINT) AS tax, \
         CAST(SUM(l.total_minor) AS BIGINT) AS total FROM sale_lines l JOIN sales s ON s.id = l.sale_id \
         WHERE s.original_sale_id = $1 AND l.original_line_no IS NOT NULL GROUP BY l.original_line_no",
    )
    .bind(&original.id)
    .fetch_all(&db.pool)
    .await?;
    let mut refunded = std::collections::HashMap::new();
    for r in &earlier {
        let neg = |c: &str| crate::row::int(r, c).map(|x| -x);
        let (gross, net) = (neg("gross")?, neg("net")?);
        refunded.insert(
            crate::row::int(r, "original_line_no")?,
            ReturnShare {
                gross_minor: gross,
                discount_minor: gross - net,
                net_minor: net,
                tax_minor: neg("tax")?,
                total_minor: neg("total")?,
            },
        );
    }
    let mut out = Vec::new();
    let mut check = ReturnCheck {
        original_sale_id: original.id.clone(),
        lines: Vec::new(),
    };
    for (i, l) in input.lines.iter().enumerate() {
        let at = |f: &str| format!("/lines/{i}/{f}");
        let Some(line) = l
            .line_no
            .and_then(|n| original.lines.iter().find(|x| x.line_no == n))
        else {
            v.add(at("line_no"), "unknown", "no such line in the sale");
            continue;
        };
        if input.lines[..i].iter().any(|x| x.line_no == l.line_no) {
            v.add(at("line_no"), "duplicate", "the line is listed twice");
            continue;
        }
        let sold = Decimal::from_str_exact(&line.quantity).unwrap_or_default();
        let returned = Decimal::from_str_exact(&line.returned_quantity).unwrap_or_default();
        let Some(qty) = l.quantity.parse().filter(|q| *q > Decimal::ZERO) else {
            v.add(at("quantity"), "out_of_range", "a positive quantity");
            continue;
        };
        let zero = ReturnShare {
            gross_minor: 0,
            discount_minor: 0,
            net_minor: 0,
            tax_minor: 0,
            total_minor: 0,
        };
        let sold_share = ReturnShare {
            gross_minor: line.gross_minor,
            discount_minor: line.line_discount_minor + line.order_discount_minor,
            net_minor: line.net_minor,
            tax_minor: line.tax_minor,
            total_minor: line.total_minor,
        };
        let before = refunded.get(&line.line_no).unwrap_or(&zero);
        let Some(share) = return_share(sold, &sold_share, returned, before, qty, rounding) else {
            v.add(
                at("quantity"),
                "over_return",
                format!("at most {} can still be returned", sold - returned),
            );
            continue;
        };
        let (Some(q), Some(s)) = (to_milli(qty), to_milli(sold)) else {
            v.add(at("quantity"), "out_of_range", "too large");
            continue;
        };
        check.lines.push((line.line_no, s, q));
        out.push(Priced {
            product_id: line.product_id.clone(),
            sku: line.sku.clone(),
            name: line.name.clone(),
            quantity_milli: q,
            unit_price_minor: line.unit_price_minor,
            tax_rate: line.tax_rate.clone(),
            share,
            original_line_no: Some(line.line_no),
            restock: l.restock,
            reason: l.reason.clone(),
        });
    }
    Ok((
        out,
        check,
        Original {
            tenders: original.tenders,
            customer_id: original.customer_id,
            total_minor: original.total_minor,
        },
    ))
}

/// Prices the lines of a return without a receipt at today's price for the store.
async fn without_receipt(
    db: &Db,
    p: &Principal,
    input: &ReturnInput,
    ctx: &context::RegisterContext,
    v: &mut Validator,
) -> StoreResult<Vec<Priced>> {
    let ids: Vec<String> = input
        .lines
        .iter()
        .filter_map(|l| l.product_id.clone())
        .collect();
    let catalog = products(db, p, Some(&ids)).await?;
    let rules = price_lists::rules(db, p.company_id, Some(&ids)).await?;
    let price_ctx = PriceContext {
        store: Some(ctx.store_id.clone()),
        region: ctx.region_id.clone(),
        channel: ctx.channel_id.clone(),
        tier: None,
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let mut out = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let at = |f: &str| format!("/lines/{i}/{f}");
        let Some(prod) = l.product_id.as_ref().and_then(|id| catalog.get(id)) else {
            v.add(at("product_id"), "unknown", "no such product");
            continue;
        };
        let id = l.product_id.clone().unwrap_or_default();
        let price = pricing::resolve(
            prod.list_price_minor,
            rules.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            &price_ctx,
        )
        .price_minor;
        let Some(qty) = l.quantity.parse() else {
            v.add(at("quantity"), "invalid_format", "a decimal such as 1");
            continue;
        };
        let priced = checkout::price_cart(&CartInput {
            lines: vec![LineInput {
                unit_price_minor: price,
                quantity: qty,
                max_decimals: prod.max_decimals,
                discount: None,
                tax_rate: prod.tax_rate,
            }],
            order_discount: None,
            tax_mode: ctx.tax_mode,
            rounding: ctx.rounding,
        });
        let pl = match priced {
            Ok(c) => c.lines[0].clone(),
            Err(e) => {
                v.add(at("quantity"), e.code, e.message);
                continue;
            }
        };
        out.push(Priced {
            product_id: id,
            sku: prod.sku.clone(),
            name: prod.name.clone(),
            quantity_milli: to_milli(qty).unwrap_or(0),
            unit_price_minor: price,
            tax_rate: prod.tax_rate.to_string(),
            share: ReturnShare {
                gross_minor: pl.gross_minor,
                discount_minor: 0,
                net_minor: pl.net_minor,
                tax_minor: pl.tax_minor,
                total_minor: pl.total_minor,
            },
            original_line_no: None,
            restock: l.restock,
            reason: l.reason.clone(),
        });
    }
    Ok(out)
}

/// The default refund: back to the original non-cash tenders first (up to what each paid),
/// the rest in cash (or, without a cash tender, to the last one).
fn default_refund(
    original: &[super::model::SaleTender],
    types: &[tender_types::TenderType],
    total: i64,
    cash_step: i64,
) -> Vec<TenderInput> {
    let mut left = total;
    let mut out = Vec::new();
    for t in original.iter().filter(|t| t.kind != "cash") {
        let take = left.min(t.amount_minor);
        if take > 0 {
            out.push(TenderInput {
                code: t.code.clone(),
                amount_minor: take,
                tendered_minor: None,
                reference: t.reference.clone(),
                card_last4: t.card_last4.clone(),
            });
            left -= take;
        }
    }
    if left > 0 {
        let cash = types
            .iter()
            .find(|t| t.kind == tender_types::TenderKind::Cash && t.active);
        match (cash, out.last_mut()) {
            (Some(c), _) => {
                let non_cash: i64 = out.iter().map(|t| t.amount_minor).sum();
                let rounding = checkout::cash_rounding(total, non_cash, cash_step, true);
                out.push(TenderInput {
                    code: c.code.clone(),
                    amount_minor: left + rounding,
                    tendered_minor: None,
                    reference: None,
                    card_last4: None,
                });
            }
            (None, Some(last)) => last.amount_minor += left,
            (None, None) => {}
        }
    }
    out
}

/// What a return gives back to the original sale's member: the refund tenders that pay into
/// the points and stored-value accounts, and the share of the earned points to take back.
async fn member_refund(
    db: &Db,
    p: &Principal,
    original: &Original,
    refund: &[TenderInput],
    types: &[tender_types::TenderType],
    total: i64,
    v: &mut Validator,
) -> StoreResult<Option<MemberEffect>> {
    let mut conn = db.pool.acquire().await?;
    let program = accounts::program(&mut conn, &p.company_id.to_string()).await?;
    drop(conn);
    let mut effect = original.customer_id.as_ref().map(|c| MemberEffect {
        customer_id: c.clone(),
        points_earned: 0,
        points: 0,
        points_tender: None,
        stored_value_minor: 0,
        stored_value_tender: None,
        expires_at: accounts::expiry(&program, time::OffsetDateTime::now_utc()),
        reverse: Some((total, original.total_minor)),
    });
    for (i, t) in refund.iter().enumerate() {
        let account = types
            .iter()
            .find(|x| x.code == t.code)
            .and_then(|x| x.account.as_deref());
        let (Some(account), Some(e)) = (account, effect.as_mut()) else {
            if account.is_some() {
                v.add(
                    format!("/refund/{i}/code"),
                    "member_required",
                    "only a member's sale refunds to a member account",
                );
            }
            continue;
        };
        if account == "points" {
            match loyalty::points_for(t.amount_minor, program.redeem_points_per_unit) {
                Some(pts) => e.points += pts,
                None => v.add(
                    format!("/refund/{i}/amount_minor"),
                    "invalid_value",
                    "not a whole number of points",
                ),
            }
            e.points_tender = Some(i);
        } else {
            e.stored_value_minor += t.amount_minor;
            e.stored_value_tender = Some(i);
        }
    }
    Ok(effect)
}

/// Checks and prices a return.
pub async fn prepare(
    db: &Db,
    p: &Principal,
    input: &ReturnInput,
    request_hash: &str,
    idem_key: Option<String>,
) -> StoreResult<PreparedSale> {
    let mut v = Validator::new();
    if uuid::Uuid::parse_str(&input.id).is_err() {
        v.add("/id", "invalid_format", "a UUID made by the register");
    }
    if input.lines.is_empty() || input.lines.len() > super::sales::MAX_LINES {
        v.add("/lines", "out_of_range", "one to 500 lines");
    }
    for (i, l) in input.lines.iter().enumerate() {
        v.optional_text(&format!("/lines/{i}/reason"), l.reason.as_deref(), 200);
    }
    v.finish().map_err(StoreError::Invalid)?;
    let ctx = context::register_context(db, p, &input.register_id, "/register_id").await?;
    let open = context::shift_is_open(db, &ctx, &input.shift_id, "/shift_id").await?;
    prepare_at(db, p, input, &ctx, open, request_hash, idem_key).await
}

/// Prices a return at a register whose shift is known to be open or not (the demo history
/// writes returns into shifts it closes afterwards).
pub(crate) async fn prepare_at(
    db: &Db,
    p: &Principal,
    input: &ReturnInput,
    ctx: &context::RegisterContext,
    shift_open: bool,
    request_hash: &str,
    idem_key: Option<String>,
) -> StoreResult<PreparedSale> {
    let mut v = Validator::new();
    let mut flags = Vec::new();
    if !shift_open {
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
    let (priced, check, original) = match &input.original_sale_id {
        Some(id) => {
            let (lines, check, original) =
                against_sale(db, p, input, id, ctx.rounding, &mut v).await?;
            (lines, Some(check), original)
        }
        None => (
            without_receipt(db, p, input, ctx, &mut v).await?,
            None,
            Original {
                tenders: Vec::new(),
                customer_id: None,
                total_minor: 0,
            },
        ),
    };
    v.finish().map_err(StoreError::Invalid)?;
    let total: i64 = priced.iter().map(|l| l.share.total_minor).sum();
    let needs_approval = input.original_sale_id.is_none() || total > ctx.return_approval_minor;
    if needs_approval && input.approval_token.is_none() {
        return Err(StoreError::invalid(
            "/approval_token",
            "approval_required",
            if input.original_sale_id.is_none() {
                "a return without a receipt needs a manager's approval"
            } else {
                "a refund this large needs a manager's approval"
            },
        ));
    }
    let types = tender_types::for_company(db, p.company_id).await?;
    let refund = match &input.refund {
        Some(r) => r.clone(),
        None => default_refund(&original.tenders, &types, total, ctx.cash_step),
    };
    let mut v = Validator::new();
    let paid = tenders::check(
        &mut v,
        "/refund",
        &types,
        &refund,
        total,
        ctx.cash_step,
        input.offline,
    );
    let member = member_refund(db, p, &original, &refund, &types, total, &mut v).await?;
    v.finish().map_err(StoreError::Invalid)?;
    let lines = priced
        .iter()
        .enumerate()
        .map(|(i, l)| PreparedLine {
            line_no: i as i64 + 1,
            product_id: l.product_id.clone(),
            sku: l.sku.clone(),
            name: l.name.clone(),
            quantity_milli: -l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            gross_minor: -l.share.gross_minor,
            line_discount_minor: -l.share.discount_minor,
            order_discount_minor: 0,
            net_minor: -l.share.net_minor,
            tax_rate: l.tax_rate.clone(),
            tax_minor: -l.share.tax_minor,
            total_minor: -l.share.total_minor,
            original_line_no: l.original_line_no,
            restock: Some(l.restock),
            reason: l.reason.clone(),
            stock_delta_milli: if l.restock { l.quantity_milli } else { 0 },
            write_off: !l.restock,
        })
        .collect::<Vec<_>>();
    let mut refund_tenders = paid.tenders;
    for t in &mut refund_tenders {
        t.amount_minor = -t.amount_minor;
        t.tendered_minor = t.tendered_minor.map(|x| -x);
    }
    Ok(PreparedSale {
        id: input.id.to_lowercase(),
        kind: "return",
        original_sale_id: input.original_sale_id.clone(),
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
        customer_tier: None,
        customer_id: original.customer_id.clone(),
        channel_id: ctx.channel_id.clone(),
        member_tier: None,
        member,
        subtotal_minor: lines.iter().map(|l| l.gross_minor).sum(),
        discount_minor: lines.iter().map(|l| l.line_discount_minor).sum(),
        tax_minor: lines.iter().map(|l| l.tax_minor).sum(),
        total_minor: -total,
        rounding_minor: -paid.rounding_minor,
        paid_minor: -paid.paid_minor,
        change_minor: 0,
        offline: input.offline,
        flags,
        approval: match (needs_approval, &input.approval_token) {
            (true, Some(token)) => Some(ApprovalUse {
                token: token.clone(),
                action: "return",
            }),
            _ => None,
        },
        request_hash: request_hash.to_string(),
        idem_key,
        client_created_at,
        created_at: clock::now(),
        negative_policy: ctx.negative_policy,
        return_check: check,
        lines,
        tenders: refund_tenders,
    })
}
