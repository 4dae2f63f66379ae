//! Member accounts at the register: points (积分) and stored value (储值). A sale for a member
//! earns points and may pay from both accounts; a return takes earned points back and refunds
//! what was paid from them. The sale writer applies these inside the batch's transaction
//! (customers and their points lots locked in id order), so a balance never goes below zero —
//! a sale that would take it there is refused alone — and the ledgers and balances always
//! agree. The database's CHECKs on the balances are the last guard.

use crate::bulk::{self, Val};
use crate::clock;
use crate::db::{Backend, Tx};
use crate::error::{StoreError, StoreResult};
use crate::orders::prepared::PreparedSale;
use crate::orders::unnest;
use crate::row;
use crate::sql::Sql;
use rust_decimal::Decimal;
use salepoint_domain::customers::loyalty::{self, BonusRule, EarnLine};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use utoipa::ToSchema;

/// The loyalty programme of a company (defaults when it never set one).
#[derive(Clone, Debug)]
pub struct Program {
    pub redeem_points_per_unit: i64,
    pub expiry_mode: String,
    pub expiry_months: i64,
    pub tier_window_days: i64,
    pub topup_bonus: Vec<BonusRule>,
}

impl Default for Program {
    fn default() -> Self {
        Program {
            redeem_points_per_unit: 100,
            expiry_mode: "year_end".into(),
            expiry_months: 12,
            tier_window_days: 365,
            topup_bonus: Vec::new(),
        }
    }
}

/// A member as pricing needs them.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub active: bool,
    pub tier_code: Option<String>,
    /// The price-list tier the member buys at.
    pub price_tier: Option<String>,
    pub earn_per_unit: Decimal,
    pub earn_on_discounted: bool,
}

/// What pricing reads about the members of a batch: the members, the programme and the
/// category exceptions to earning ((tier or all, category) → rate).
#[derive(Clone, Debug, Default)]
pub struct MemberBook {
    pub members: HashMap<String, Member>,
    pub program: Program,
    pub category_rates: CategoryRates,
}

impl MemberBook {
    /// The earn rate of a line: the tier's category exception, else the all-tiers one, else
    /// the tier's rate.
    pub fn rate(&self, m: &Member, category: Option<&str>) -> Decimal {
        if let Some(c) = category {
            if let Some(r) = self
                .category_rates
                .get(&(m.tier_code.clone(), c.to_string()))
            {
                return *r;
            }
            if let Some(r) = self.category_rates.get(&(None, c.to_string())) {
                return *r;
            }
        }
        m.earn_per_unit
    }
}

/// Reads the programme of `company`.
pub async fn program(conn: &mut sqlx::AnyConnection, company: &str) -> StoreResult<Program> {
    let Some(r) = sqlx::query("SELECT * FROM loyalty_programs WHERE company_id = $1")
        .bind(company)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(Program::default());
    };
    Ok(Program {
        redeem_points_per_unit: row::int(&r, "redeem_points_per_unit")?,
        expiry_mode: row::text(&r, "expiry_mode")?,
        expiry_months: row::int(&r, "expiry_months")?,
        tier_window_days: row::int(&r, "tier_window_days")?,
        topup_bonus: serde_json::from_str(&row::text(&r, "topup_bonus")?).unwrap_or_default(),
    })
}

/// The category exceptions to earning: (tier or all, category) → rate.
pub type CategoryRates = HashMap<(Option<String>, String), Decimal>;

/// The programme and the category rules of `company`, from the 2 s cache when given one
/// (changes to tiers, the programme or the rules clear it; other servers see them within 2 s).
async fn program_and_rules(
    conn: &mut sqlx::AnyConnection,
    caches: Option<&crate::cache::Caches>,
    company: &str,
) -> StoreResult<(Program, CategoryRates)> {
    if let Some(hit) = caches.and_then(|c| c.loyalty.get(&company.to_string())) {
        return Ok(hit);
    }
    let program = program(conn, company).await?;
    let mut rates = CategoryRates::new();
    for r in sqlx::query(
        "SELECT tier_code, category_id, earn_per_unit FROM points_rules WHERE company_id = $1",
    )
    .bind(company)
    .fetch_all(&mut *conn)
    .await?
    {
        if let Ok(rate) = Decimal::from_str(&row::text(&r, "earn_per_unit")?) {
            rates.insert(
                (
                    row::opt_text(&r, "tier_code")?,
                    row::text(&r, "category_id")?,
                ),
                rate,
            );
        }
    }
    if let Some(c) = caches {
        c.loyalty
            .put(company.to_string(), (program.clone(), rates.clone()));
    }
    Ok((program, rates))
}

/// Loads the members `ids` (all of the company's with `None`, for the demo history) of
/// `company` with their tiers, the programme and the category rules (a batch of sales: one
/// query, plus two every 2 s for the cached programme and rules).
pub async fn member_book(
    conn: &mut sqlx::AnyConnection,
    caches: Option<&crate::cache::Caches>,
    company: &str,
    ids: Option<&[String]>,
) -> StoreResult<MemberBook> {
    let (program, category_rates) = program_and_rules(conn, caches, company).await?;
    let mut book = MemberBook {
        program,
        category_rates,
        ..Default::default()
    };
    if ids.is_some_and(|i| i.is_empty()) {
        return Ok(book);
    }
    let mut q = Sql::new(
        "SELECT c.id, c.status, c.tier_code, t.price_tier, t.earn_per_unit, t.earn_on_discounted \
         FROM customers c LEFT JOIN member_tiers t ON t.company_id = c.company_id AND t.code = c.tier_code \
         WHERE c.company_id = ",
    );
    q.bind(company.to_string());
    if let Some(ids) = ids {
        let backend = if pg(conn) {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        q.push(" AND ");
        unnest::push_in(&mut q, backend, "c.id", ids);
    }
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut *conn).await? {
        let id = row::text(&r, "id")?;
        let rate = row::opt_text(&r, "earn_per_unit")?.unwrap_or_else(|| "1".into());
        book.members.insert(
            id.clone(),
            Member {
                id,
                active: row::text(&r, "status")? == "active",
                tier_code: row::opt_text(&r, "tier_code")?,
                price_tier: row::opt_text(&r, "price_tier")?,
                earn_per_unit: Decimal::from_str(&rate).unwrap_or(Decimal::ONE),
                earn_on_discounted: row::opt_int(&r, "earn_on_discounted")?.unwrap_or(0) != 0,
            },
        );
    }
    Ok(book)
}

/// What a sale or return does to a member's accounts, as priced (before the balances are
/// checked in the writer).
#[derive(Clone, Debug)]
pub struct MemberEffect {
    pub customer_id: String,
    /// Sale: points earned.
    pub points_earned: i64,
    /// Sale: points redeemed (paid with); return: points refunded. Positive.
    pub points: i64,
    /// Index of the `POINTS` tender (for the error path).
    pub points_tender: Option<usize>,
    /// Sale: paid from stored value; return: refunded to it. Positive.
    pub stored_value_minor: i64,
    pub stored_value_tender: Option<usize>,
    /// When points granted by this sale or return expire (RFC 3339).
    pub expires_at: String,
    /// Return: take back the original sale's earned points in the share `refund / original`.
    pub reverse: Option<(i64, i64)>,
}

/// What the sale's answer says about the member.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberSummary {
    pub id: String,
    pub points_earned: i64,
    pub points_redeemed: i64,
    /// Points taken back by a return.
    pub points_reversed: i64,
    pub stored_value_paid_minor: i64,
    pub points_balance: i64,
    pub stored_value_minor: i64,
}

/// The member effect of a sale priced for `member`: earn lines (total, discounted, category)
/// and the tenders paid from the accounts.
pub fn sale_effect(
    book: &MemberBook,
    member: &Member,
    lines: &[(i64, bool, Option<&str>)],
    total_minor: i64,
    account_tenders: &[(usize, &str, i64)],
    now: time::OffsetDateTime,
) -> MemberEffect {
    let earn: Vec<EarnLine> = lines
        .iter()
        .map(|(t, d, c)| EarnLine {
            total_minor: *t,
            discounted: *d,
            earn_per_unit: book.rate(member, *c),
        })
        .collect();
    let mut e = MemberEffect {
        customer_id: member.id.clone(),
        points_earned: 0,
        points: 0,
        points_tender: None,
        stored_value_minor: 0,
        stored_value_tender: None,
        expires_at: expiry(&book.program, now),
        reverse: None,
    };
    let mut paid_with_points = 0;
    for (i, account, amount) in account_tenders {
        if *account == "points" {
            paid_with_points += amount;
            e.points +=
                loyalty::points_for(*amount, book.program.redeem_points_per_unit).unwrap_or(0);
            e.points_tender = Some(*i);
        } else {
            e.stored_value_minor += amount;
            e.stored_value_tender = Some(*i);
        }
    }
    e.points_earned = loyalty::points_earned(
        &earn,
        member.earn_on_discounted,
        total_minor,
        paid_with_points,
    );
    e
}

/// The expiry of points granted now under `program`.
pub fn expiry(program: &Program, now: time::OffsetDateTime) -> String {
    clock::format(loyalty::expires_at(
        now,
        &program.expiry_mode,
        program.expiry_months,
    ))
}

/// One lot of points of a member being worked on.
struct Lot {
    ledger_id: String,
    expires_at: String,
    remaining: i64,
    changed: bool,
}

#[derive(Default)]
struct Account {
    points: i64,
    stored_value: i64,
    lots: Vec<Lot>,
    changed: bool,
}

/// The accounts of the members `ids` (sorted), locked until the end of the transaction, with
/// their points lots, and whether each member is active.
///
/// Every change of a member's lots (sales and returns here, the expiry sweep, merge, erasure)
/// first locks the member's customer row, so the lots need no lock of their own. PostgreSQL:
/// the customers are locked (`FOR UPDATE`, in id order) and then their lots read by a second
/// statement, whose snapshot is taken after the locks are granted and so sees what the last
/// holder committed. SQLite: the writer's turn is the lock, so one joined read does.
async fn read_accounts(
    tx: &mut Tx,
    ids: &[String],
) -> StoreResult<(BTreeMap<String, Account>, HashMap<String, bool>)> {
    let mut accounts: BTreeMap<String, Account> = BTreeMap::new();
    let mut active: HashMap<String, bool> = HashMap::new();
    let pg = tx.backend == Backend::Postgres;
    let mut q = if pg {
        Sql::new("SELECT id, status, points_balance, stored_value_minor FROM customers WHERE ")
    } else {
        Sql::new(
            "SELECT c.id, c.status, c.points_balance, c.stored_value_minor, \
             l.ledger_id, l.expires_at, l.remaining FROM customers c \
             LEFT JOIN points_lots l ON l.customer_id = c.id AND l.remaining > 0 WHERE ",
        )
    };
    unnest::push_in(&mut q, tx.backend, if pg { "id" } else { "c.id" }, ids);
    q.push(if pg {
        " ORDER BY id FOR UPDATE"
    } else {
        " ORDER BY c.id, l.expires_at, l.ledger_id"
    });
    let (sql, args) = q.build();
    let mut rows = sqlx::query_with(&sql, args).fetch_all(&mut **tx).await?;
    for r in &rows {
        let id = row::text(r, "id")?;
        if !accounts.contains_key(&id) {
            active.insert(id.clone(), row::text(r, "status")? == "active");
            accounts.insert(
                id.clone(),
                Account {
                    points: row::int(r, "points_balance")?,
                    stored_value: row::int(r, "stored_value_minor")?,
                    ..Default::default()
                },
            );
        }
    }
    if pg {
        let mut q = Sql::new(
            "SELECT customer_id AS id, ledger_id, expires_at, remaining FROM points_lots \
             WHERE remaining > 0 AND ",
        );
        unnest::push_in(&mut q, tx.backend, "customer_id", ids);
        q.push(" ORDER BY customer_id, expires_at, ledger_id");
        let (sql, args) = q.build();
        rows = sqlx::query_with(&sql, args).fetch_all(&mut **tx).await?;
    }
    for r in &rows {
        let Some(ledger_id) = row::opt_text(r, "ledger_id")? else {
            continue;
        };
        if let Some(a) = accounts.get_mut(&row::text(r, "id")?) {
            a.lots.push(Lot {
                ledger_id,
                expires_at: row::text(r, "expires_at")?,
                remaining: row::int(r, "remaining")?,
                changed: false,
            });
        }
    }
    Ok((accounts, active))
}

/// A sale of the batch as the member step sees it: its index in the batch, the prepared sale,
/// and where its flags live.
pub struct MemberSale<'a> {
    pub idx: usize,
    pub sale: &'a PreparedSale,
}

/// Applies the member effects of the batch's `sales` in order. Returns, per batch index, either
/// the member summary or the error that refuses that sale alone (insufficient points or
/// balance, an inactive member), plus flags to add (`points_not_recovered`).
pub async fn apply(
    tx: &mut Tx,
    sales: &[MemberSale<'_>],
) -> StoreResult<HashMap<usize, StoreResult<(MemberSummary, Vec<String>)>>> {
    let mut out = HashMap::new();
    let with: Vec<&MemberSale> = sales.iter().filter(|s| s.sale.member.is_some()).collect();
    if with.is_empty() {
        return Ok(out);
    }
    let mut ids: Vec<String> = with
        .iter()
        .filter_map(|s| s.sale.member.as_ref().map(|m| m.customer_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let (mut accounts, active) = read_accounts(tx, &ids).await?;
    // Earned points of the originals of the returns, and what earlier returns took back.
    let originals: Vec<String> = with
        .iter()
        .filter(|s| s.sale.member.as_ref().is_some_and(|m| m.reverse.is_some()))
        .filter_map(|s| s.sale.original_sale_id.clone())
        .collect();
    let mut earned: HashMap<String, i64> = HashMap::new();
    let mut reversed: HashMap<String, i64> = HashMap::new();
    if !originals.is_empty() {
        let mut q = Sql::new(
            "SELECT ref_id, CAST(SUM(points) AS BIGINT) AS p FROM points_ledger WHERE kind = 'earn' AND ref_id IN ",
        );
        q.bind_list(&originals).push(" GROUP BY ref_id");
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
            earned.insert(row::text(&r, "ref_id")?, row::int(&r, "p")?);
        }
        let mut q = Sql::new(
            "SELECT s.original_sale_id AS o, CAST(SUM(-pl.points) AS BIGINT) AS p FROM points_ledger pl \
             JOIN sales s ON s.id = pl.ref_id WHERE pl.kind = 'earn_reversal' AND s.original_sale_id IN ",
        );
        q.bind_list(&originals).push(" GROUP BY s.original_sale_id");
        let (sql, args) = q.build();
        for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
            reversed.insert(row::text(&r, "o")?, row::int(&r, "p")?);
        }
    }

    let now = clock::now();
    let mut points_rows: Vec<Vec<Val>> = Vec::new();
    let mut value_rows: Vec<Vec<Val>> = Vec::new();
    let mut expired: std::collections::HashSet<String> = std::collections::HashSet::new();
    for s in with {
        let m = s.sale.member.as_ref().expect("filtered above");
        let sale = s.sale;
        let Some(acc) = accounts.get_mut(&m.customer_id) else {
            out.insert(
                s.idx,
                Err(StoreError::invalid(
                    "/customer_id",
                    "unknown",
                    "no such customer",
                )),
            );
            continue;
        };
        let row_for = |kind: &str, amount: i64, expires: Option<String>| -> (String, Vec<Val>) {
            let id = uuid::Uuid::now_v7().to_string();
            (
                id.clone(),
                vec![
                    Val::from(id),
                    sale.company_id.as_str().into(),
                    m.customer_id.as_str().into(),
                    Some(sale.store_id.clone()).into(),
                    kind.into(),
                    amount.into(),
                    expires.into(),
                    sale.kind.into(),
                    sale.id.as_str().into(),
                    Some(sale.cashier_id.clone()).into(),
                    now.as_str().into(),
                ],
            )
        };
        // Points past their expiry go first, once per member.
        if expired.insert(m.customer_id.clone()) {
            for lot in acc
                .lots
                .iter_mut()
                .filter(|l| l.remaining > 0 && l.expires_at <= now)
            {
                let (_, mut r) = row_for("expire", -lot.remaining, None);
                r[7] = "points_expiry".into();
                r[8] = lot.ledger_id.as_str().into();
                points_rows.push(r);
                acc.points -= lot.remaining;
                lot.remaining = 0;
                lot.changed = true;
                acc.changed = true;
            }
        }
        let mut summary = MemberSummary {
            id: m.customer_id.clone(),
            points_earned: 0,
            points_redeemed: 0,
            points_reversed: 0,
            stored_value_paid_minor: 0,
            points_balance: 0,
            stored_value_minor: 0,
        };
        let mut flags = Vec::new();
        if sale.kind == "sale" {
            if !active.get(&m.customer_id).copied().unwrap_or(false) {
                out.insert(
                    s.idx,
                    Err(StoreError::invalid(
                        "/customer_id",
                        "inactive",
                        "this customer was merged or erased",
                    )),
                );
                continue;
            }
            let available: i64 = acc
                .lots
                .iter()
                .map(|l| l.remaining)
                .sum::<i64>()
                .min(acc.points);
            if m.points > available {
                let i = m.points_tender.unwrap_or(0);
                out.insert(
                    s.idx,
                    Err(StoreError::invalid(
                        &format!("/tenders/{i}/amount_minor"),
                        "insufficient_points",
                        &format!("the member has {available} points that have not expired"),
                    )),
                );
                continue;
            }
            if m.stored_value_minor > acc.stored_value {
                let i = m.stored_value_tender.unwrap_or(0);
                out.insert(
                    s.idx,
                    Err(StoreError::invalid(
                        &format!("/tenders/{i}/amount_minor"),
                        "insufficient_balance",
                        &format!("the stored-value balance is {}", acc.stored_value),
                    )),
                );
                continue;
            }
            if m.points > 0 {
                consume(acc, m.points);
                points_rows.push(row_for("redeem", -m.points, None).1);
                summary.points_redeemed = m.points;
            }
            if m.stored_value_minor > 0 {
                acc.stored_value -= m.stored_value_minor;
                value_rows.push(value_row(
                    sale,
                    &m.customer_id,
                    "pay",
                    -m.stored_value_minor,
                    &now,
                ));
                summary.stored_value_paid_minor = m.stored_value_minor;
            }
            if m.points_earned > 0 {
                let (id, r) = row_for("earn", m.points_earned, Some(m.expires_at.clone()));
                points_rows.push(r);
                acc.lots.push(Lot {
                    ledger_id: id,
                    expires_at: m.expires_at.clone(),
                    remaining: m.points_earned,
                    changed: true,
                });
                acc.points += m.points_earned;
                summary.points_earned = m.points_earned;
            }
        } else {
            // A return: refund to the accounts, then take back the earned points.
            if m.points > 0 {
                let (id, r) = row_for("redeem_refund", m.points, Some(m.expires_at.clone()));
                points_rows.push(r);
                acc.lots.push(Lot {
                    ledger_id: id,
                    expires_at: m.expires_at.clone(),
                    remaining: m.points,
                    changed: true,
                });
                acc.points += m.points;
            }
            if m.stored_value_minor > 0 {
                acc.stored_value += m.stored_value_minor;
                value_rows.push(value_row(
                    sale,
                    &m.customer_id,
                    "refund",
                    m.stored_value_minor,
                    &now,
                ));
            }
            if let (Some((part, whole)), Some(orig)) = (m.reverse, &sale.original_sale_id) {
                let got = earned.get(orig).copied().unwrap_or(0);
                let done = reversed.get(orig).copied().unwrap_or(0);
                let due = if whole > 0 {
                    ((got as i128 * part as i128) / whole as i128) as i64
                } else {
                    0
                }
                .min(got - done)
                .max(0);
                let available: i64 = acc
                    .lots
                    .iter()
                    .map(|l| l.remaining)
                    .sum::<i64>()
                    .min(acc.points);
                let take = due.min(available);
                if take > 0 {
                    consume(acc, take);
                    points_rows.push(row_for("earn_reversal", -take, None).1);
                    *reversed.entry(orig.clone()).or_default() += take;
                }
                if take < due {
                    flags.push("points_not_recovered".to_string());
                }
                summary.points_reversed = take;
            }
            summary.points_redeemed = -m.points;
            summary.stored_value_paid_minor = -m.stored_value_minor;
        }
        acc.changed = true;
        summary.points_balance = acc.points;
        summary.stored_value_minor = acc.stored_value;
        out.insert(s.idx, Ok((summary, flags)));
    }
    let lots: Vec<Vec<Val>> = accounts
        .iter()
        .flat_map(|(id, a)| {
            a.lots
                .iter()
                .filter(|l| l.changed)
                .map(move |l| lot_row(&l.ledger_id, id, &l.expires_at, l.remaining))
        })
        .collect();
    let changed: Vec<(&String, &Account)> = accounts.iter().filter(|(_, a)| a.changed).collect();
    write(tx, &points_rows, &value_rows, &lots, &changed).await?;
    Ok(out)
}

const POINTS_INSERT: &str = "INSERT INTO points_ledger (id, company_id, customer_id, store_id, kind, points, expires_at, ref_type, ref_id, user_id, at) VALUES ";
const VALUE_INSERT: &str = "INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, tender_code, ref_type, ref_id, user_id, at) VALUES ";
const LOTS_UPSERT: &str =
    "INSERT INTO points_lots (ledger_id, customer_id, expires_at, remaining) VALUES ";
const LOTS_CONFLICT: &str = " ON CONFLICT (ledger_id) DO UPDATE SET remaining = excluded.remaining";

/// Writes the batch's ledger rows, changed lots and changed balances in statements whose text
/// does not depend on the number of rows (so each is prepared once per connection, not planned
/// again for every batch). PostgreSQL: one statement — the inserts as data-modifying CTEs of
/// the balances' UPDATE, each table's rows as one array per column — because on the single
/// writer a round trip costs more than the rows. SQLite (in process): one statement per table,
/// the rows as one JSON parameter.
async fn write(
    tx: &mut Tx,
    points_rows: &[Vec<Val>],
    value_rows: &[Vec<Val>],
    lots: &[Vec<Val>],
    changed: &[(&String, &Account)],
) -> StoreResult<()> {
    let balances: Vec<Vec<Val>> = changed
        .iter()
        .map(|(id, a)| {
            vec![
                Val::from(id.as_str()),
                a.points.into(),
                a.stored_value.into(),
            ]
        })
        .collect();
    if tx.backend == Backend::Postgres {
        if balances.is_empty() && points_rows.is_empty() && value_rows.is_empty() && lots.is_empty()
        {
            return Ok(());
        }
        let mut q = sqlx::query(PG_WRITE);
        for (rows, columns) in [
            (points_rows, 11),
            (value_rows, 11),
            (lots, 4),
            (&balances[..], 3),
        ] {
            for a in unnest::arrays(rows, columns) {
                q = q.bind(a);
            }
        }
        q.execute(&mut **tx).await?;
        return Ok(());
    }
    bulk::insert(tx, POINTS_INSERT, points_rows, "").await?;
    bulk::insert(tx, VALUE_INSERT, value_rows, "").await?;
    bulk::insert(tx, LOTS_UPSERT, lots, LOTS_CONFLICT).await?;
    if !balances.is_empty() {
        let json = serde_json::Value::Array(
            changed
                .iter()
                .map(|(id, a)| serde_json::json!([id, a.points, a.stored_value]))
                .collect(),
        );
        sqlx::query(
            "UPDATE customers SET points_balance = j.value ->> 1, stored_value_minor = j.value ->> 2 \
             FROM json_each($1) AS j WHERE customers.id = j.value ->> 0",
        )
        .bind(json.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The PostgreSQL write of [`write`]: points ledger, stored-value ledger, lots (upserted) and
/// balances, each given as one array per column.
const PG_WRITE: &str = "WITH p AS (INSERT INTO points_ledger (id, company_id, customer_id, store_id, kind, points, \
     expires_at, ref_type, ref_id, user_id, at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], \
     $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])), \
     v AS (INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, \
     tender_code, ref_type, ref_id, user_id, at) SELECT * FROM unnest($12::text[], $13::text[], $14::text[], \
     $15::text[], $16::text[], $17::bigint[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[])), \
     l AS (INSERT INTO points_lots (ledger_id, customer_id, expires_at, remaining) \
     SELECT * FROM unnest($23::text[], $24::text[], $25::text[], $26::bigint[]) AS u \
     ON CONFLICT (ledger_id) DO UPDATE SET remaining = excluded.remaining) \
     UPDATE customers c SET points_balance = u.p, stored_value_minor = u.v \
     FROM unnest($27::text[], $28::bigint[], $29::bigint[]) AS u(id, p, v) WHERE c.id = u.id";

/// Whether `conn` talks to PostgreSQL.
fn pg(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME
}

/// Takes `points` from the member's lots, soonest expiry first.
fn consume(acc: &mut Account, mut points: i64) {
    acc.points -= points;
    for lot in acc.lots.iter_mut() {
        if points == 0 {
            break;
        }
        let t = lot.remaining.min(points);
        if t > 0 {
            lot.remaining -= t;
            lot.changed = true;
            points -= t;
        }
    }
}

fn lot_row(ledger_id: &str, customer: &str, expires_at: &str, remaining: i64) -> Vec<Val> {
    vec![
        Val::from(ledger_id),
        customer.into(),
        expires_at.into(),
        remaining.into(),
    ]
}

fn value_row(sale: &PreparedSale, customer: &str, kind: &str, amount: i64, now: &str) -> Vec<Val> {
    vec![
        Val::from(uuid::Uuid::now_v7().to_string()),
        sale.company_id.as_str().into(),
        customer.into(),
        Some(sale.store_id.clone()).into(),
        kind.into(),
        amount.into(),
        Option::<String>::None.into(),
        sale.kind.into(),
        sale.id.as_str().into(),
        Some(sale.cashier_id.clone()).into(),
        now.into(),
    ]
}
