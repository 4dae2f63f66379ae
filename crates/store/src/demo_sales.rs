//! The demo chain's trading history: opening stock at every store, then `days` days of
//! sales (weekday/weekend and hourly patterns, baskets of 1–15 items, members and
//! non-members, cash/card/voucher) and some returns, one shift per register and day with its
//! Z report. Every sale and return is priced by the same functions as a register's
//! (`orders::sales::price`, `orders::returns`) and written by the same group-commit writer,
//! so the rows are exactly those real sales would make. Deterministic (a fixed LCG seed).

use crate::bulk::{self, Val};
use crate::clock;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::inventory::chains;
use crate::orders::context::{self, RegisterContext};
use crate::orders::model::{
    DecimalText, ReturnInput, ReturnLineInput, SaleInput, SaleLineInput, TenderInput,
};
use crate::orders::prepared::PreparedSale;
use crate::orders::sales::{self, PriceBook, Till};
use crate::orders::writer::Work;
use crate::orders::{returns, writer};
use crate::payments::tender_types;
use crate::principal::{Principal, PrincipalKind};
use crate::row;
use crate::users::{self, NewUser};
use rust_decimal::Decimal;
use salepoint_domain::checkout::{self, CartInput, LineInput};
use salepoint_domain::ids::{CompanyId, UserId};
use salepoint_domain::org::{Locale, business_day};
use salepoint_domain::pricing::{self, PriceContext};
use salepoint_domain::roles::{Role, Scope};
use time::{Duration, OffsetDateTime};

/// Sales per store and day on average (≈ 100,000 over 90 days for the demo's 20 stores).
const SALES_PER_STORE_DAY: f64 = 50.0;
/// Opening float of every demo shift.
const FLOAT_MINOR: i64 = 50_000;
/// Hourly weights from 08:00 to 21:00 (lunch and evening peaks).
const HOURS: [u32; 14] = [3, 5, 6, 8, 12, 9, 6, 6, 7, 10, 13, 12, 8, 4];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// A store with its registers, cashier and pricing data.
struct DemoStore {
    ctx: RegisterContext,
    registers: Vec<String>,
    cashier: Principal,
    book: PriceBook,
    /// Relative size (busier stores sell more).
    size: f64,
}

/// How many sales and returns were written.
#[derive(Debug, Default)]
pub struct History {
    pub sales: usize,
    pub returns: usize,
}

fn cashier(company: CompanyId, id: String, name: String) -> Principal {
    Principal {
        kind: PrincipalKind::System,
        id,
        name,
        company_id: company,
        role: Role::Cashier,
        scope: Scope::All,
    }
}

async fn stores(db: &Db, company: CompanyId, password_hash: &str) -> StoreResult<Vec<DemoStore>> {
    let admin = Principal::system(company);
    let rows = sqlx::query(
        "SELECT s.id, s.code, (SELECT u.id FROM users u JOIN user_stores us ON us.user_id = u.id \
           WHERE us.store_id = s.id AND u.role = 'cashier' ORDER BY u.username LIMIT 1) AS cashier_id, \
         (SELECT u.username FROM users u JOIN user_stores us ON us.user_id = u.id \
           WHERE us.store_id = s.id AND u.role = 'cashier' ORDER BY u.username LIMIT 1) AS cashier_name \
         FROM stores s WHERE s.company_id = $1 AND s.kind = 'store' AND s.active = 1 ORDER BY s.code",
    )
    .bind(company.to_string())
    .fetch_all(&db.pool)
    .await?;
    let mut conn = db.pool.acquire().await?;
    // Every member, once: the member sales of the history attach one of them.
    let members = std::sync::Arc::new(
        crate::customers::accounts::member_book(&mut conn, None, &company.to_string(), None)
            .await?,
    );
    let (catalog, rules) = sales::products_and_rules(&mut conn, company, None, true).await?;
    drop(conn);
    let types = tender_types::for_company(db, company).await?;
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let store = row::text(r, "id")?;
        let code = row::text(r, "code")?;
        let (cashier_id, cashier_name) = match row::opt_text(r, "cashier_id")? {
            Some(id) => (id, row::text(r, "cashier_name")?),
            None => {
                // Every store's till needs a cashier: one demo cashier per store.
                let id = UserId::new();
                let username = format!("pos.{}", code.to_lowercase());
                let mut tx = db.begin().await?;
                users::insert(
                    &mut tx,
                    company,
                    id,
                    &NewUser {
                        username: username.clone(),
                        display_name: format!("{code} 收银员"),
                        phone: None,
                        locale: Some(Locale::ZhCn),
                        role: Role::Cashier,
                        password: String::new(),
                        store_ids: vec![
                            store
                                .parse()
                                .map_err(|_| StoreError::Internal("store id".into()))?,
                        ],
                        region_ids: vec![],
                    },
                    password_hash,
                )
                .await?;
                tx.commit().await?;
                (id.to_string(), username)
            }
        };
        let registers: Vec<String> =
            sqlx::query("SELECT id FROM registers WHERE store_id = $1 ORDER BY code")
                .bind(&store)
                .fetch_all(&db.pool)
                .await?
                .iter()
                .map(|r| row::text(r, "id"))
                .collect::<StoreResult<_>>()?;
        let ctx = context::register_context(db, &admin, &registers[0], "/register_id").await?;
        out.push(DemoStore {
            book: PriceBook {
                members: members.clone(),
                products: catalog.clone(),
                rules: rules.clone(),
                types: types.clone(),
            },
            ctx,
            registers,
            cashier: cashier(company, cashier_id, cashier_name),
            size: 0.6 + (i % 5) as f64 * 0.25,
        });
    }
    Ok(out)
}

/// Opening stock at every active store of `company`, as the demo history starts with it: the
/// checkout benchmark sells from it, as a chain sells what it has (a store with no stock would
/// flag every sale as taking stock below zero, and create each level on its first sale).
pub async fn opening_stock_everywhere(db: &Db, company: CompanyId) -> StoreResult<()> {
    let stores: Vec<String> = sqlx::query(
        "SELECT id FROM stores WHERE company_id = $1 AND kind = 'store' AND active = 1 ORDER BY code",
    )
    .bind(company.to_string())
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| row::text(r, "id"))
    .collect::<StoreResult<_>>()?;
    let trigger = chains::pause(db).await?;
    let written = opening_stock(db, company, &stores, &mut Rng(20_261_127)).await;
    chains::resume(db, trigger).await?;
    written
}

/// Opening stock: every active product at every store (packaged 80–300, weighed 30–80 kg).
async fn opening_stock(
    db: &Db,
    company: CompanyId,
    stores: &[String],
    rng: &mut Rng,
) -> StoreResult<()> {
    let products = sqlx::query("SELECT id, sold_by_weight FROM products WHERE company_id = $1 AND status = 'active' ORDER BY sku")
        .bind(company.to_string())
        .fetch_all(&db.pool)
        .await?;
    let now = clock::format(OffsetDateTime::now_utc() - Duration::days(400));
    for s in stores {
        let mut levels = Vec::with_capacity(products.len());
        let mut moves = Vec::with_capacity(products.len());
        for p in &products {
            let id = row::text(p, "id")?;
            let q = if row::flag(p, "sold_by_weight")? {
                (30 + rng.below(50) as i64) * 1000
            } else {
                (80 + rng.below(220) as i64) * 1000
            };
            levels.push(vec![
                Val::from(s.clone()),
                id.clone().into(),
                company.to_string().into(),
                q.into(),
                now.clone().into(),
            ]);
            moves.push(vec![
                Val::from(uuid::Uuid::now_v7().to_string()),
                company.to_string().into(),
                s.clone().into(),
                id.into(),
                "adjustment".into(),
                q.into(),
                "opening_stock".into(),
                "demo".into(),
                now.clone().into(),
            ]);
        }
        let mut tx = db.begin().await?;
        bulk::insert(&mut tx, "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at) VALUES ", &levels, "").await?;
        bulk::insert(&mut tx, "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, ref_type, ref_id, at) VALUES ", &moves, "").await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A basket for one sale at `at` (unix seconds), priced by the register's rules.
fn sale_input(
    s: &DemoStore,
    register: &str,
    shift: &str,
    at: i64,
    rng: &mut Rng,
    ids: &[(String, bool)],
    members: &[String],
) -> StoreResult<SaleInput> {
    let member = rng.below(100) < 35;
    let customer_id = (member && !members.is_empty())
        .then(|| members[rng.below(members.len() as u64) as usize].clone());
    let tier = member.then(|| "member".to_string());
    let price_ctx = PriceContext {
        store: Some(s.ctx.store_id.clone()),
        region: s.ctx.region_id.clone(),
        channel: s.ctx.channel_id.clone(),
        tier: tier.clone(),
        at,
    };
    let n = 1 + (rng.unit().powi(2) * 15.0) as usize;
    let mut lines = Vec::new();
    let mut cart = Vec::new();
    for _ in 0..n.min(15) {
        // Popular products sell far more often (a squared uniform skews to the front).
        let (id, weighed) = &ids[(rng.unit().powi(3) * ids.len() as f64) as usize % ids.len()];
        if lines.iter().any(|l: &SaleLineInput| &l.product_id == id) {
            continue;
        }
        let prod = &s.book.products[id];
        let qty = if *weighed {
            Decimal::new(150 + rng.below(1200) as i64, 3)
        } else {
            Decimal::from(1 + (rng.unit().powi(3) * 3.0) as i64)
        };
        let price = pricing::resolve(
            prod.list_price_minor,
            s.book.rules.get(id).map(Vec::as_slice).unwrap_or(&[]),
            &price_ctx,
        )
        .price_minor;
        cart.push(LineInput {
            unit_price_minor: price,
            quantity: qty,
            max_decimals: prod.max_decimals,
            discount: None,
            tax_rate: prod.tax_rate,
        });
        lines.push(SaleLineInput {
            product_id: id.clone(),
            quantity: DecimalText(qty.to_string()),
            unit_price_minor: price,
            discount: None,
        });
    }
    let total = checkout::price_cart(&CartInput {
        lines: cart,
        order_discount: None,
        tax_mode: s.ctx.tax_mode,
        rounding: s.ctx.rounding,
    })
    .map_err(|e| StoreError::Internal(e.to_string()))?
    .total_minor;
    let roll = rng.below(100);
    let tenders = if roll < 50 {
        let due = total + checkout::cash_rounding(total, 0, s.ctx.cash_step, true);
        let given = (due + 99) / 100 * 100 + if rng.below(2) == 0 { 0 } else { 5000 };
        vec![TenderInput {
            code: "CASH".into(),
            amount_minor: due,
            tendered_minor: Some(given),
            reference: None,
            card_last4: None,
        }]
    } else if roll < 95 || total < 2000 {
        vec![TenderInput {
            code: "CARD".into(),
            amount_minor: total,
            tendered_minor: None,
            reference: Some(format!("T{}", rng.below(1_000_000))),
            card_last4: Some(format!("{:04}", rng.below(10_000))),
        }]
    } else {
        let voucher = 1000;
        let due = total - voucher + checkout::cash_rounding(total, voucher, s.ctx.cash_step, true);
        vec![
            TenderInput {
                code: "VOUCHER".into(),
                amount_minor: voucher,
                tendered_minor: None,
                reference: Some(format!("V{}", rng.below(100_000))),
                card_last4: None,
            },
            TenderInput {
                code: "CASH".into(),
                amount_minor: due,
                tendered_minor: Some(due),
                reference: None,
                card_last4: None,
            },
        ]
    };
    Ok(SaleInput {
        customer_id,
        id: uuid::Uuid::now_v7().to_string(),
        register_id: register.to_string(),
        shift_id: shift.to_string(),
        customer_tier: tier,
        offline: false,
        created_at: None,
        lines,
        order_discount: None,
        approval_token: None,
        tenders,
    })
}

/// Dates a prepared sale at `at` (it was priced as if now).
fn date(p: &mut PreparedSale, at: i64, ctx: &RegisterContext) -> StoreResult<()> {
    let t =
        OffsetDateTime::from_unix_timestamp(at).map_err(|e| StoreError::Internal(e.to_string()))?;
    p.created_at = clock::format(t);
    p.business_day = business_day(at, &ctx.time_zone, ctx.cutoff_hour)
        .ok_or_else(|| StoreError::Internal("time zone".into()))?;
    Ok(())
}

async fn write(db: &Db, batch: Vec<PreparedSale>) -> StoreResult<()> {
    let work: Vec<Work> = batch
        .into_iter()
        .map(|p| Work::Priced(Box::new(p)))
        .collect();
    for chunk in work.chunks(writer::MAX_BATCH) {
        let refs: Vec<&Work> = chunk.iter().collect();
        for r in writer::write_batch(db, &refs).await? {
            r?;
        }
    }
    Ok(())
}

/// Writes the history. `days` = 0 writes only the opening stock.
pub async fn seed(
    db: &Db,
    company: CompanyId,
    days: i64,
    password_hash: &str,
    members: &[String],
) -> StoreResult<History> {
    let mut rng = Rng(20_261_127);
    let stores = stores(db, company, password_hash).await?;
    let ids: Vec<String> = stores.iter().map(|s| s.ctx.store_id.clone()).collect();
    // The movements are linked in one pass afterwards, not by a trigger run per movement
    // (SQLite) — also when writing them fails.
    let trigger = chains::pause(db).await?;
    let written: StoreResult<History> = async {
        opening_stock(db, company, &ids, &mut rng).await?;
        if days <= 0 || stores.is_empty() {
            return Ok(History::default());
        }
        history(db, company, days, members, &stores, &mut rng).await
    }
    .await;
    chains::resume(db, trigger).await?;
    written
}

/// The sales, returns and Z reports of the `days` before today.
async fn history(
    db: &Db,
    company: CompanyId,
    days: i64,
    members: &[String],
    stores: &[DemoStore],
    rng: &mut Rng,
) -> StoreResult<History> {
    let mut history = History::default();
    let mut ids: Vec<(String, bool)> = sqlx::query("SELECT id, sold_by_weight FROM products WHERE company_id = $1 AND status = 'active' ORDER BY sku")
        .bind(company.to_string())
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((row::text(r, "id")?, row::flag(r, "sold_by_weight")?)))
        .collect::<StoreResult<_>>()?;
    // Shuffle so that popularity is spread over the categories.
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let tz_offset = 8 * 3600; // the demo chain is in Asia/Shanghai
    let today = OffsetDateTime::now_utc().unix_timestamp() + tz_offset;
    let today_start = today - today.rem_euclid(86_400) - tz_offset;
    let mut returnable: Vec<(usize, String, String, String, i64)> = Vec::new();
    for d in (1..=days).rev() {
        let day_start = today_start - d * 86_400;
        let weekday = ((day_start + tz_offset) / 86_400 + 4).rem_euclid(7); // 0 = Sunday
        let factor = if weekday == 0 || weekday == 6 {
            1.35
        } else {
            0.9
        };
        let mut batch = Vec::new();
        let mut shifts = Vec::new();
        for (si, s) in stores.iter().enumerate() {
            let shift_ids: Vec<String> = s
                .registers
                .iter()
                .map(|_| uuid::Uuid::now_v7().to_string())
                .collect();
            for (r, sh) in s.registers.iter().zip(&shift_ids) {
                shifts.push(vec![
                    Val::from(sh.clone()),
                    company.to_string().into(),
                    s.ctx.store_id.clone().into(),
                    r.clone().into(),
                    s.cashier.id.clone().into(),
                    "closed".into(),
                    FLOAT_MINOR.into(),
                    clock::format(
                        OffsetDateTime::from_unix_timestamp(day_start + 8 * 3600)
                            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    )
                    .into(),
                    clock::format(
                        OffsetDateTime::from_unix_timestamp(day_start + 22 * 3600)
                            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    )
                    .into(),
                    Some(s.cashier.id.clone()).into(),
                    (days - d + 1).into(),
                ]);
            }
            let n = (SALES_PER_STORE_DAY * s.size * factor * (0.85 + rng.unit() * 0.3)) as usize;
            let mut moments: Vec<i64> = (0..n)
                .map(|_| {
                    let total: u32 = HOURS.iter().sum();
                    let mut pick = rng.below(total as u64) as u32;
                    let mut hour = 0;
                    for (h, w) in HOURS.iter().enumerate() {
                        if pick < *w {
                            hour = h as i64;
                            break;
                        }
                        pick -= w;
                    }
                    day_start + (8 + hour) * 3600 + rng.below(3600) as i64
                })
                .collect();
            moments.sort();
            for at in moments {
                let k = rng.below(s.registers.len() as u64) as usize;
                let input = sale_input(s, &s.registers[k], &shift_ids[k], at, rng, &ids, members)?;
                let till = Till {
                    ctx: &s.ctx,
                    shift_open: true,
                };
                let mut prepared = sales::price(
                    till,
                    &s.book,
                    &s.cashier,
                    &input,
                    &format!("demo-{}", input.id),
                    None,
                )?;
                date(&mut prepared, at, &s.ctx)?;
                if rng.below(1000) < 12 {
                    returnable.push((
                        si,
                        prepared.id.clone(),
                        s.registers[k].clone(),
                        shift_ids[k].clone(),
                        at + 1800 + rng.below(7200) as i64,
                    ));
                }
                batch.push(prepared);
            }
        }
        let mut tx = db.begin().await?;
        bulk::insert(&mut tx, "INSERT INTO shifts (id, company_id, store_id, register_id, cashier_id, status, opening_float_minor, opened_at, closed_at, closed_by, z_number) VALUES ", &shifts, "").await?;
        tx.commit().await?;
        history.sales += batch.len();
        write(db, batch).await?;
    }
    // Some customers come back with something.
    let mut batch = Vec::new();
    for (si, sale, register, shift, at) in returnable {
        let s = &stores[si];
        let input = ReturnInput {
            id: uuid::Uuid::now_v7().to_string(),
            register_id: register,
            shift_id: shift,
            original_sale_id: Some(sale),
            lines: vec![ReturnLineInput {
                line_no: Some(1),
                product_id: None,
                quantity: DecimalText("1".into()),
                restock: rng.below(4) != 0,
                reason: Some("顾客退货".into()),
            }],
            refund: None,
            approval_token: None,
            offline: false,
            created_at: None,
        };
        match returns::prepare_at(
            db,
            &s.cashier,
            &input,
            &s.ctx,
            true,
            &format!("demo-{}", input.id),
            None,
        )
        .await
        {
            Ok(mut p) => {
                date(&mut p, at, &s.ctx)?;
                batch.push(p);
            }
            // A weighed line of less than 1 kg, or a refund that would need approval.
            Err(StoreError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    history.returns = batch.len();
    write(db, batch).await?;
    // Freeze every demo shift's Z report figures: counted = expected.
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO shift_counts (shift_id, code, kind, expected_minor, counted_minor) \
         SELECT s.shift_id, t.code, t.kind, \
           CAST(SUM(t.amount_minor) AS BIGINT) + CASE WHEN t.kind = 'cash' THEN $2 ELSE 0 END, \
           CAST(SUM(t.amount_minor) AS BIGINT) + CASE WHEN t.kind = 'cash' THEN $2 ELSE 0 END \
         FROM sale_tenders t JOIN sales s ON s.id = t.sale_id WHERE s.company_id = $1 \
         GROUP BY s.shift_id, t.code, t.kind",
    )
    .bind(company.to_string())
    .bind(FLOAT_MINOR)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(history)
}
