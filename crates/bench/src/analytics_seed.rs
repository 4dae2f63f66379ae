//! The analytics benchmark's chain and its year of trading, generated in bulk.
//!
//! Master data goes through the store's own functions (regions, stores with their time zone,
//! registers, cashiers, products in the demo's categories). The sales do not go through the
//! register's writer — ten million lines would take hours — but every figure is made by the
//! domain's pricing (`checkout::price_cart`, `cash_rounding`, `return_share`), so lines, tax,
//! discounts, rounding and tenders add up exactly as the writer's do; receipt numbers are
//! gap-free per store and business day (`receipt_counters` holds the last), and each register
//! has one closed shift per day. Not written: stock movements, outbox events, loyalty (the
//! rollups read none of them). The rows go in with [`Loader`] (COPY on PostgreSQL), one
//! transaction per day.

use crate::bulk_load::{Loader, Table};
use crate::chain::Rng;
use rust_decimal::Decimal;
use salepoint_domain::checkout::{self, CartInput, Discount, LineInput, ReturnShare};
use salepoint_domain::ids::{RegionId, StoreId, UserId};
use salepoint_domain::org::{
    CashRounding, Locale, LocationKind, RoundingRule, TaxMode, business_day, local_hour,
};
use salepoint_domain::roles::Role;
use salepoint_store::catalog::products::insert_many;
use salepoint_store::org::{self, LocationInput, RegionInput, RegisterInput};
use salepoint_store::{Db, Principal};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Instant;

/// Regions added to the demo's three; the west runs on Xinjiang time (UTC+6).
const NEW_REGIONS: &[(&str, &str, &str)] = &[
    ("WEST", "西北区", "Asia/Urumqi"),
    ("CENTRAL", "华中区", "Asia/Shanghai"),
];
/// Cities of the generated stores.
const CITIES: &[&str] = &[
    "上海",
    "杭州",
    "南京",
    "广州",
    "深圳",
    "北京",
    "天津",
    "武汉",
    "长沙",
    "乌鲁木齐",
    "成都",
    "西安",
];
/// Registers of each generated store.
const REGISTERS: usize = 3;
/// Hourly weights from 08:00 to 21:00 local (lunch and evening peaks), as the demo's.
const HOURS: [u32; 14] = [3, 5, 6, 8, 12, 9, 6, 6, 7, 10, 13, 12, 8, 4];
/// Lines per sale, drawn uniformly: mean 4.
const LINES: [usize; 12] = [1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 8, 8];
/// Sales returned (one line, in full, the same day), per mille.
const RETURNS_PER_MILLE: usize = 10;
/// The password hash every generated cashier shares (they never log in).
const CASHIER_HASH_FROM: &str = "cashier.sh001";

/// How big a chain to generate.
pub(crate) struct Plan {
    pub(crate) stores: usize,
    pub(crate) days: i64,
    pub(crate) lines: u64,
    pub(crate) products: usize,
}

/// What was generated.
#[derive(Default)]
pub(crate) struct Generated {
    pub(crate) sales: u64,
    pub(crate) returns: u64,
    pub(crate) lines: u64,
    pub(crate) tenders: u64,
    pub(crate) shifts: u64,
    /// Stores that sell, by code.
    pub(crate) store_ids: Vec<String>,
    pub(crate) seconds: f64,
}

/// A selling store.
struct Store {
    id: String,
    code: String,
    tz: String,
    cutoff: i64,
    cash_step: i64,
    /// UTC offset, seconds (China has no summer time).
    offset: i64,
    /// Relative size: busier stores sell more.
    size: f64,
    registers: Vec<String>,
    cashiers: Vec<String>,
}

/// A product as a sale needs it.
struct Product {
    id: String,
    sku: String,
    name: String,
    price: i64,
    max_decimals: u32,
    tax_rate: Decimal,
    weighed: bool,
}

struct Tender {
    id: String,
    kind: &'static str,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Generates the chain and its history into `db` (the demo chain, freshly seeded).
pub(crate) async fn generate(db: &Db, loader: &Loader, plan: &Plan) -> anyhow::Result<Generated> {
    let t0 = Instant::now();
    let company = salepoint_store::bootstrap::first_company(db)
        .await
        .map_err(err)?;
    let p = Principal::system(company);
    let stores = chain_stores(db, &p, plan.stores).await?;
    add_products(db, &p, plan.products).await?;
    let products = load_products(db, &company.to_string()).await?;
    let tenders: HashMap<String, Tender> =
        salepoint_store::payments::tender_types::for_company(db, company)
            .await
            .map_err(err)?
            .into_iter()
            .map(|t| {
                let kind = match t.kind.as_str() {
                    "cash" => "cash",
                    "card" => "card",
                    _ => "other",
                };
                (t.code.clone(), Tender { id: t.id, kind })
            })
            .collect();
    println!(
        "  master data: {} selling stores, {} products ({:.1} s)",
        stores.len(),
        products.len(),
        t0.elapsed().as_secs_f64()
    );
    let channel: Option<String> = sqlx::query_scalar(
        "SELECT id FROM channels WHERE company_id = $1 AND kind = 'store' AND active = 1 \
         ORDER BY code LIMIT 1",
    )
    .bind(company.to_string())
    .fetch_optional(&db.pool)
    .await?;
    let mut g = Generator {
        company: company.to_string(),
        channel,
        products,
        tenders,
        rng: Rng(0xA11A_7105),
        sales: Table::new("sales", SALE_COLS),
        lines: Table::new("sale_lines", LINE_COLS),
        tender_rows: Table::new("sale_tenders", TENDER_COLS),
        shifts: Table::new("shifts", SHIFT_COLS),
        counters: Table::new(
            "receipt_counters",
            &["store_id", "business_day", "last_seq"],
        ),
        out: Generated::default(),
    };
    let t = Instant::now();
    let mean_lines = LINES.iter().sum::<usize>() as f64 / LINES.len() as f64;
    let target_sales = plan.lines as f64 / mean_lines;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // Each store-day's share of the sales: store size × weekday × season.
    let weight = |s: &Store, day: i64| {
        let weekday = (day + 4).rem_euclid(7); // 0 = Sunday
        let week = match weekday {
            0 | 6 => 1.35,
            5 => 1.1,
            _ => 0.9,
        };
        let month = business_day(day * 86_400 + 43_200, "UTC", 0)
            .and_then(|d| d[5..7].parse::<u32>().ok())
            .unwrap_or(1);
        let season = match month {
            1 | 2 => 1.25, // Spring Festival
            12 => 1.1,
            6..=8 => 0.9,
            _ => 1.0,
        };
        s.size * week * season
    };
    let today = |s: &Store| (now + s.offset).div_euclid(86_400);
    let total_weight: f64 = stores
        .iter()
        .map(|s| (0..plan.days).map(|k| weight(s, today(s) - k)).sum::<f64>())
        .sum();
    for k in (0..plan.days).rev() {
        for s in &stores {
            let day = today(s) - k;
            let n = target_sales * weight(s, day) / total_weight + g.rng.unit();
            g.store_day(s, day, n as usize, plan.days - k, now)?;
        }
        loader
            .write(&mut [
                &mut g.shifts,
                &mut g.sales,
                &mut g.lines,
                &mut g.tender_rows,
                &mut g.counters,
            ])
            .await?;
        if k % 30 == 0 {
            println!(
                "  {} days: {} sales, {} returns, {} lines ({:.0} lines/s)",
                plan.days - k,
                g.out.sales,
                g.out.returns,
                g.out.lines,
                g.out.lines as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    g.out.store_ids = stores.iter().map(|s| s.id.clone()).collect();
    g.out.seconds = t.elapsed().as_secs_f64();
    Ok(g.out)
}

/// The first `n` stores by code, adding regions, stores (three registers each) and one cashier
/// per register where the demo's 20 are too few.
async fn chain_stores(db: &Db, p: &Principal, n: usize) -> anyhow::Result<Vec<Store>> {
    let have: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM stores WHERE kind = 'store' AND company_id = $1",
    )
    .bind(p.company_id.to_string())
    .fetch_one(&db.pool)
    .await?;
    if (have as usize) < n {
        let mut regions: Vec<(RegionId, &str)> = Vec::new();
        for r in org::list_regions(
            db,
            p,
            &salepoint_store::page::PageRequest {
                limit: 100,
                after: None,
            },
        )
        .await
        .map_err(err)?
        .data
        {
            regions.push((r.id, "Asia/Shanghai"));
        }
        for (code, name, tz) in NEW_REGIONS {
            let r = org::create_region(
                db,
                p,
                &RegionInput {
                    code: (*code).into(),
                    name: (*name).into(),
                    version: None,
                },
                None,
            )
            .await
            .map_err(err)?;
            regions.push((r.id, tz));
        }
        for i in have as usize..n {
            let (region, tz) = regions[i % regions.len()];
            let city = CITIES[i % CITIES.len()];
            let store = org::create_location(
                db,
                p,
                &LocationInput {
                    code: format!("C{i:04}"),
                    name: format!("{city}{i}号店"),
                    kind: LocationKind::Store,
                    address: Some(format!("{city}市人民路 {i} 号")),
                    region_id: Some(region),
                    time_zone: Some(tz.into()),
                    business_day_cutoff_hour: Some(4),
                    cash_rounding: Some(CashRounding::Tenth),
                    negative_stock_policy: None,
                    max_discount_percent: None,
                    return_approval_minor: None,
                    active: None,
                    version: None,
                },
                None,
            )
            .await
            .map_err(err)?;
            for r in 1..=REGISTERS {
                org::create_register(
                    db,
                    p,
                    store.id,
                    &RegisterInput {
                        code: format!("POS{r:02}"),
                        name: format!("{r} 号收银台"),
                        active: None,
                        version: None,
                    },
                    None,
                )
                .await
                .map_err(err)?;
            }
        }
    }
    let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, code, time_zone, business_day_cutoff_hour, cash_rounding FROM stores \
         WHERE kind = 'store' AND company_id = $1 ORDER BY code",
    )
    .bind(p.company_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
        .bind(CASHIER_HASH_FROM)
        .fetch_one(&db.pool)
        .await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut out = Vec::new();
    for (i, (id, code, tz, cutoff, rounding)) in rows.into_iter().take(n).enumerate() {
        let registers: Vec<String> =
            sqlx::query_scalar("SELECT id FROM registers WHERE store_id = $1 ORDER BY code")
                .bind(&id)
                .fetch_all(&db.pool)
                .await?;
        let mut cashiers = Vec::new();
        let mut tx = db.begin().await.map_err(err)?;
        for r in 0..registers.len() {
            let user = UserId::new();
            salepoint_store::users::insert(
                &mut tx,
                p.company_id,
                user,
                &salepoint_store::users::NewUser {
                    username: format!("pos.{}.{r}", code.to_lowercase()),
                    display_name: format!("{code} 收银员 {}", r + 1),
                    phone: None,
                    locale: Some(Locale::ZhCn),
                    role: Role::Cashier,
                    password: String::new(),
                    store_ids: vec![StoreId::from_str(&id).map_err(err)?],
                    region_ids: vec![],
                },
                &hash,
            )
            .await
            .map_err(err)?;
            cashiers.push(user.to_string());
        }
        tx.commit().await.map_err(err)?;
        // The zone's offset now: local hour minus UTC hour, within a day.
        let offset = (local_hour(now, &tz) - now.rem_euclid(86_400) / 3600).rem_euclid(24) * 3600;
        out.push(Store {
            cash_step: CashRounding::parse(&rounding)
                .unwrap_or(CashRounding::None)
                .step_minor(2),
            id,
            code,
            tz,
            cutoff,
            offset,
            size: 0.5 + (i % 5) as f64 * 0.25,
            registers,
            cashiers,
        });
    }
    Ok(out)
}

/// Grows the catalog to `total` products (the benchmark catalog's generated products, spread
/// over the demo's categories), straight through the store's bulk insert.
async fn add_products(db: &Db, p: &Principal, total: usize) -> anyhow::Result<()> {
    let have: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE company_id = $1")
            .bind(p.company_id.to_string())
            .fetch_one(&db.pool)
            .await?;
    let categories: Vec<String> = salepoint_store::catalog::categories::list(db, p)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|c| c.parent_id.is_some())
        .map(|c| c.id)
        .collect();
    let tax = salepoint_store::catalog::tax_classes::list(db, p)
        .await
        .map_err(err)?
        .into_iter()
        .find(|t| t.code == "VAT13")
        .ok_or_else(|| anyhow::anyhow!("the demo's VAT13 tax class"))?
        .id;
    let mut n = have as usize;
    while n < total {
        let end = (n + 5_000).min(total);
        let batch: Vec<_> = (n..end)
            .map(|i| {
                let mut prod = crate::catalog::product(i, &tax);
                prod.category_id = categories.get(i % categories.len().max(1)).cloned();
                (uuid::Uuid::now_v7().to_string(), prod)
            })
            .collect();
        let mut tx = db.begin().await.map_err(err)?;
        let seq = salepoint_store::catalog::next_change(&mut tx, p.company_id)
            .await
            .map_err(err)?;
        insert_many(&mut tx, p.company_id, &batch, seq)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        n = end;
    }
    Ok(())
}

/// id, sku, name_zh, receipt_name, quantity_precision, list_price_minor, sold_by_weight, tax rate.
type ProductRow = (String, String, String, String, i64, i64, i64, String);

/// The active products as a sale prices them (the register's name and tax rate), shuffled so
/// that the popular ones are spread over the categories.
async fn load_products(db: &Db, company: &str) -> anyhow::Result<Vec<Product>> {
    let rows: Vec<ProductRow> = sqlx::query_as(
        "SELECT p.id, p.sku, p.name_zh, p.receipt_name, p.quantity_precision, p.list_price_minor, \
         p.sold_by_weight, t.rate FROM products p JOIN tax_classes t ON t.id = p.tax_class_id \
         WHERE p.company_id = $1 AND p.status = 'active' AND p.list_price_minor > 0 ORDER BY p.sku",
    )
    .bind(company)
    .fetch_all(&db.pool)
    .await?;
    let mut out: Vec<Product> = rows
        .into_iter()
        .map(
            |(id, sku, name_zh, receipt, precision, price, weighed, rate)| {
                Ok(Product {
                    id,
                    sku,
                    name: if receipt.trim().is_empty() {
                        name_zh
                    } else {
                        receipt
                    },
                    price,
                    max_decimals: precision.clamp(0, 3) as u32,
                    tax_rate: Decimal::from_str(&rate)?,
                    weighed: weighed != 0 && precision >= 3,
                })
            },
        )
        .collect::<anyhow::Result<_>>()?;
    let mut rng = Rng(0x5EED_CA7A);
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    Ok(out)
}

const SALE_COLS: &[&str] = &[
    "id",
    "company_id",
    "store_id",
    "register_id",
    "shift_id",
    "cashier_id",
    "kind",
    "original_sale_id",
    "business_day",
    "receipt_seq",
    "receipt_no",
    "currency",
    "channel_id",
    "subtotal_minor",
    "discount_minor",
    "tax_minor",
    "total_minor",
    "rounding_minor",
    "paid_minor",
    "change_minor",
    "offline",
    "flags",
    "request_hash",
    "created_at",
];
const LINE_COLS: &[&str] = &[
    "sale_id",
    "line_no",
    "store_id",
    "product_id",
    "sku",
    "name",
    "quantity_milli",
    "unit_price_minor",
    "gross_minor",
    "line_discount_minor",
    "order_discount_minor",
    "net_minor",
    "tax_rate",
    "tax_minor",
    "total_minor",
    "original_line_no",
    "restock",
    "reason",
];
const TENDER_COLS: &[&str] = &[
    "sale_id",
    "seq",
    "store_id",
    "tender_type_id",
    "code",
    "kind",
    "amount_minor",
    "tendered_minor",
    "change_minor",
    "reference",
    "card_last4",
];
const SHIFT_COLS: &[&str] = &[
    "id",
    "company_id",
    "store_id",
    "register_id",
    "cashier_id",
    "status",
    "opening_float_minor",
    "opened_at",
    "closed_at",
    "closed_by",
    "z_number",
];

/// A priced sale before it has its receipt number.
struct Draft {
    at: i64,
    id: String,
    register: usize,
    original: Option<String>,
    lines: Vec<DraftLine>,
    tenders: Vec<DraftTender>,
    subtotal: i64,
    discount: i64,
    tax: i64,
    total: i64,
    rounding: i64,
}

/// One tender of a draft, as `sale_tenders` holds it.
struct DraftTender {
    code: &'static str,
    amount: i64,
    /// Cash handed over (cash only).
    tendered: Option<i64>,
    change: i64,
    reference: Option<String>,
    last4: Option<String>,
}

impl DraftTender {
    /// Cash of `amount`, `tendered` handed over.
    fn cash(amount: i64, tendered: i64) -> Self {
        DraftTender {
            code: "CASH",
            amount,
            tendered: Some(tendered),
            change: (tendered - amount).max(0),
            reference: None,
            last4: None,
        }
    }

    /// A non-cash tender of `amount`.
    fn other(code: &'static str, amount: i64, reference: String, last4: Option<String>) -> Self {
        DraftTender {
            code,
            amount,
            tendered: None,
            change: 0,
            reference: Some(reference),
            last4,
        }
    }
}

struct DraftLine {
    product: usize,
    quantity_milli: i64,
    unit_price: i64,
    gross: i64,
    line_discount: i64,
    order_discount: i64,
    net: i64,
    tax: i64,
    total: i64,
}

struct Generator {
    company: String,
    /// The store channel the register prices in (sales.channel_id), as the writer records it.
    channel: Option<String>,
    products: Vec<Product>,
    tenders: HashMap<String, Tender>,
    rng: Rng,
    sales: Table,
    lines: Table,
    tender_rows: Table,
    shifts: Table,
    counters: Table,
    out: Generated,
}

fn stamp(unix: i64) -> String {
    salepoint_store::clock::format(
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    )
}

impl Generator {
    /// One store's business day `day` (days since 1970 in its time zone): a closed shift per
    /// register, `n` sales (none after `now`), ~1 % of them partly returned later that day.
    fn store_day(
        &mut self,
        s: &Store,
        day: i64,
        n: usize,
        z_number: i64,
        now: i64,
    ) -> anyhow::Result<()> {
        let start = day * 86_400 - s.offset;
        let bday = business_day(start + 43_200, &s.tz, s.cutoff)
            .ok_or_else(|| anyhow::anyhow!("time zone {}", s.tz))?;
        let shift_ids: Vec<String> = s
            .registers
            .iter()
            .map(|_| uuid::Uuid::now_v7().to_string())
            .collect();
        for (r, shift) in shift_ids.iter().enumerate() {
            let cashier = &s.cashiers[r % s.cashiers.len()];
            self.shifts.push(vec![
                shift.clone().into(),
                self.company.clone().into(),
                s.id.clone().into(),
                s.registers[r].clone().into(),
                cashier.clone().into(),
                "closed".into(),
                50_000i64.into(),
                stamp(start + 7 * 3600 + 1800).into(),
                stamp(start + 22 * 3600 + 1800).into(),
                Some(cashier.clone()).into(),
                z_number.into(),
            ]);
            self.out.shifts += 1;
        }
        let hours_total: u32 = HOURS.iter().sum();
        let mut drafts = Vec::with_capacity(n + n / 50);
        for _ in 0..n {
            let mut pick = self.rng.below(hours_total as usize) as u32;
            let mut hour = 0;
            for (h, w) in HOURS.iter().enumerate() {
                if pick < *w {
                    hour = h as i64;
                    break;
                }
                pick -= w;
            }
            let at = start + (8 + hour) * 3600 + self.rng.below(3600) as i64;
            if at > now - 5 {
                continue;
            }
            let register = self.rng.below(s.registers.len());
            let sale = self.sale(s, at, register)?;
            if self.rng.below(1000) < RETURNS_PER_MILLE {
                let back = (at + 1800 + self.rng.below(5400) as i64).min(now - 5);
                if back > at {
                    drafts.push(self.return_of(s, &sale, back));
                }
            }
            drafts.push(sale);
        }
        drafts.sort_by_key(|d| d.at);
        let mut seq = 0;
        for d in &drafts {
            seq += 1;
            self.emit(s, &bday, seq, d, &shift_ids);
        }
        if seq > 0 {
            self.counters
                .push(vec![s.id.clone().into(), bday.into(), seq.into()]);
        }
        Ok(())
    }

    /// A basket priced by the domain: popular products far more often, some line and order
    /// discounts, paid in cash (rounded to the store's step), by card, or voucher + cash.
    fn sale(&mut self, s: &Store, at: i64, register: usize) -> anyhow::Result<Draft> {
        let want = LINES[self.rng.below(LINES.len())];
        let mut picked: Vec<usize> = Vec::with_capacity(want);
        let mut cart = Vec::with_capacity(want);
        let np = self.products.len();
        for _ in 0..want {
            let k = (self.rng.unit().powf(2.5) * np as f64) as usize % np;
            if picked.contains(&k) {
                continue;
            }
            let p = &self.products[k];
            let quantity = if p.weighed {
                Decimal::new(150 + self.rng.below(1200) as i64, 3)
            } else {
                Decimal::from(1 + (self.rng.unit().powi(3) * 3.0) as i64)
            };
            let discount = (self.rng.below(100) < 8).then(|| Discount::Percent(Decimal::from(10)));
            picked.push(k);
            cart.push(LineInput {
                unit_price_minor: p.price,
                quantity,
                max_decimals: p.max_decimals,
                discount,
                tax_rate: p.tax_rate,
            });
        }
        let quantities: Vec<i64> = cart
            .iter()
            .map(|l| i64::try_from(l.quantity * Decimal::from(1000)).unwrap_or(0))
            .collect();
        let order_discount = (self.rng.below(100) < 4).then(|| Discount::Percent(Decimal::from(5)));
        let priced = checkout::price_cart(&CartInput {
            lines: cart,
            order_discount,
            tax_mode: TaxMode::Inclusive,
            rounding: RoundingRule::HalfUp,
        })
        .map_err(err)?;
        let total = priced.total_minor;
        let roll = self.rng.below(100);
        let card = |rng: &mut Rng, amount: i64| {
            DraftTender::other(
                "CARD",
                amount,
                format!("T{:06}", rng.below(1_000_000)),
                Some(format!("{:04}", rng.below(10_000))),
            )
        };
        let (tenders, rounding) = if roll < 45 {
            let rounding = checkout::cash_rounding(total, 0, s.cash_step, true);
            let due = total + rounding;
            let given = (due + 99) / 100 * 100 + if self.rng.below(2) == 0 { 0 } else { 5000 };
            (vec![DraftTender::cash(due, given)], rounding)
        } else if roll < 95 || total < 2000 {
            (vec![card(&mut self.rng, total)], 0)
        } else {
            let voucher = 1000;
            let rounding = checkout::cash_rounding(total, voucher, s.cash_step, true);
            let due = total - voucher + rounding;
            (
                vec![
                    DraftTender::other(
                        "VOUCHER",
                        voucher,
                        format!("V{}", self.rng.below(100_000)),
                        None,
                    ),
                    DraftTender::cash(due, due),
                ],
                rounding,
            )
        };
        Ok(Draft {
            at,
            id: uuid::Uuid::now_v7().to_string(),
            register,
            original: None,
            lines: priced
                .lines
                .iter()
                .zip(&picked)
                .zip(&quantities)
                .map(|((l, &product), &q)| DraftLine {
                    product,
                    quantity_milli: q,
                    unit_price: self.products[product].price,
                    gross: l.gross_minor,
                    line_discount: l.line_discount_minor,
                    order_discount: l.order_discount_minor,
                    net: l.net_minor,
                    tax: l.tax_minor,
                    total: l.total_minor,
                })
                .collect(),
            tenders,
            subtotal: priced.subtotal_minor,
            discount: priced.discount_minor,
            tax: priced.tax_minor,
            total,
            rounding,
        })
    }

    /// The return of a sale's first line in full, refunded as the register's default refund
    /// does: to the card first, the rest in cash rounded to the store's step.
    fn return_of(&mut self, s: &Store, sale: &Draft, at: i64) -> Draft {
        let l = &sale.lines[0];
        let sold = ReturnShare {
            gross_minor: l.gross,
            discount_minor: l.line_discount + l.order_discount,
            net_minor: l.net,
            tax_minor: l.tax,
            total_minor: l.total,
        };
        let zero = ReturnShare {
            gross_minor: 0,
            discount_minor: 0,
            net_minor: 0,
            tax_minor: 0,
            total_minor: 0,
        };
        let qty = Decimal::new(l.quantity_milli, 3);
        let share =
            checkout::return_share(qty, &sold, Decimal::ZERO, &zero, qty, RoundingRule::HalfUp)
                .unwrap_or(sold);
        let refund = share.total_minor;
        let card: i64 = sale
            .tenders
            .iter()
            .filter(|t| t.code == "CARD")
            .map(|t| t.amount)
            .sum::<i64>()
            .min(refund);
        let mut tenders = Vec::new();
        if card > 0 {
            tenders.push(DraftTender {
                amount: -card,
                reference: sale.tenders[0].reference.clone(),
                last4: sale.tenders[0].last4.clone(),
                ..DraftTender::other("CARD", 0, String::new(), None)
            });
        }
        let mut rounding = 0;
        if refund > card {
            rounding = checkout::cash_rounding(refund, card, s.cash_step, true);
            let cash = refund - card + rounding;
            tenders.push(DraftTender::cash(-cash, -cash));
        }
        Draft {
            at,
            id: uuid::Uuid::now_v7().to_string(),
            register: sale.register,
            original: Some(sale.id.clone()),
            lines: vec![DraftLine {
                product: l.product,
                quantity_milli: -l.quantity_milli,
                unit_price: l.unit_price,
                gross: -share.gross_minor,
                line_discount: -share.discount_minor,
                order_discount: 0,
                net: -share.net_minor,
                tax: -share.tax_minor,
                total: -share.total_minor,
            }],
            tenders,
            subtotal: -share.gross_minor,
            discount: -share.discount_minor,
            tax: -share.tax_minor,
            total: -refund,
            rounding: -rounding,
        }
    }

    /// The rows of one sale or return with its receipt number.
    fn emit(&mut self, s: &Store, bday: &str, seq: i64, d: &Draft, shifts: &[String]) {
        let is_return = d.original.is_some();
        let paid: i64 = d.tenders.iter().map(|t| t.amount).sum();
        let change: i64 = d.tenders.iter().map(|t| t.change).sum();
        self.sales.push(vec![
            d.id.clone().into(),
            self.company.clone().into(),
            s.id.clone().into(),
            s.registers[d.register].clone().into(),
            shifts[d.register].clone().into(),
            s.cashiers[d.register % s.cashiers.len()].clone().into(),
            if is_return { "return" } else { "sale" }.into(),
            d.original.clone().into(),
            bday.into(),
            seq.into(),
            format!("{}-{}-{seq:04}", s.code, bday.replace('-', "")).into(),
            "CNY".into(),
            self.channel.clone().into(),
            d.subtotal.into(),
            d.discount.into(),
            d.tax.into(),
            d.total.into(),
            d.rounding.into(),
            paid.into(),
            change.into(),
            0i64.into(),
            "".into(),
            "bench-analytics".into(),
            stamp(d.at).into(),
        ]);
        for (i, l) in d.lines.iter().enumerate() {
            let p = &self.products[l.product];
            self.lines.push(vec![
                d.id.clone().into(),
                (i as i64 + 1).into(),
                s.id.clone().into(),
                p.id.clone().into(),
                p.sku.clone().into(),
                p.name.clone().into(),
                l.quantity_milli.into(),
                l.unit_price.into(),
                l.gross.into(),
                l.line_discount.into(),
                l.order_discount.into(),
                l.net.into(),
                p.tax_rate.to_string().into(),
                l.tax.into(),
                l.total.into(),
                is_return.then_some(1i64).into(),
                is_return.then_some(1i64).into(),
                is_return.then_some("顾客退货").into(),
            ]);
        }
        for (i, t) in d.tenders.iter().enumerate() {
            let ty = &self.tenders[t.code];
            self.tender_rows.push(vec![
                d.id.clone().into(),
                (i as i64 + 1).into(),
                s.id.clone().into(),
                ty.id.clone().into(),
                t.code.into(),
                ty.kind.into(),
                t.amount.into(),
                t.tendered.into(),
                t.change.into(),
                t.reference.clone().into(),
                t.last4.clone().into(),
            ]);
        }
        if is_return {
            self.out.returns += 1;
        } else {
            self.out.sales += 1;
        }
        self.out.lines += d.lines.len() as u64;
        self.out.tenders += d.tenders.len() as u64;
    }
}
