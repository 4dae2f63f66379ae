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

/// The members of a batch, locked until the end of the transaction: their accounts with their
/// points lots, whether each is active, and the ids that were asked for.
#[derive(Default)]
pub(crate) struct Locked {
    accounts: BTreeMap<String, Account>,
    active: HashMap<String, bool>,
    ids: Vec<String>,
}

/// PostgreSQL: the branches of the sale writer's lock statement (`writer::lock_batch`) that lock
/// the members `$2` (a text array, in id order) and read their lots, in the same round trip as
/// the shifts. Rows: `k` = `c` (the locked row, `b` its `xmin`), `n` (the row as this
/// statement's snapshot sees it, `b` its `xmin`), `l` (a lot with points left).
///
/// The lots are read with the statement's snapshot, taken before the locks were granted. That
/// is safe because every change of a member's lots (sales and returns here, the expiry sweep,
/// merge, erasure) also updates the member's customers row in the same transaction: when the
/// locked row is the version the snapshot saw (`c.b = n.b`), no lot changed since. A member
/// whose row changed meanwhile (another writer held the lock) has their lots read again by
/// [`Locked::from_lock_rows`], with a new snapshot, after the lock.
pub(crate) const PG_LOCK_MEMBERS: &str = "UNION ALL SELECT 'c', id, status, xmin::text, points_balance, stored_value_minor FROM \
     (SELECT id, status, points_balance, stored_value_minor, xmin FROM customers WHERE id = ANY($2::text[]) ORDER BY id FOR UPDATE) AS cu \
     UNION ALL SELECT 'n', id, NULL, xmin::text, NULL, NULL FROM customers WHERE id = ANY($2::text[]) \
     UNION ALL SELECT 'l', customer_id, ledger_id, expires_at, remaining, NULL FROM points_lots \
     WHERE customer_id = ANY($2::text[]) AND remaining > 0";

impl Locked {
    /// The members `ids` (sorted) from the rows of [`PG_LOCK_MEMBERS`]; the lots of a member
    /// whose row changed after the statement's snapshot are read again.
    pub(crate) async fn from_lock_rows(
        tx: &mut Tx,
        ids: Vec<String>,
        rows: &[sqlx::any::AnyRow],
    ) -> StoreResult<Locked> {
        let mut out = Locked {
            ids,
            ..Default::default()
        };
        let mut locked_version: HashMap<String, String> = HashMap::new();
        let mut seen_version: HashMap<String, String> = HashMap::new();
        let mut lots: Vec<(String, Lot)> = Vec::new();
        for r in rows {
            let id = row::text(r, "id")?;
            match row::text(r, "k")?.as_str() {
                "c" => {
                    out.active.insert(
                        id.clone(),
                        row::opt_text(r, "a")?.as_deref() == Some("active"),
                    );
                    locked_version.insert(id.clone(), row::opt_text(r, "b")?.unwrap_or_default());
                    out.accounts.insert(
                        id,
                        Account {
                            points: row::opt_int(r, "p")?.unwrap_or(0),
                            stored_value: row::opt_int(r, "v")?.unwrap_or(0),
                            ..Default::default()
                        },
                    );
                }
                "n" => {
                    seen_version.insert(id, row::opt_text(r, "b")?.unwrap_or_default());
                }
                "l" => lots.push((
                    id,
                    Lot {
                        ledger_id: row::opt_text(r, "a")?.unwrap_or_default(),
                        expires_at: row::opt_text(r, "b")?.unwrap_or_default(),
                        remaining: row::opt_int(r, "p")?.unwrap_or(0),
                        changed: false,
                    },
                )),
                _ => {}
            }
        }
        let stale: Vec<String> = locked_version
            .iter()
            .filter(|(id, v)| seen_version.get(*id) != Some(*v))
            .map(|(id, _)| id.clone())
            .collect();
        lots.retain(|(id, _)| !stale.contains(id));
        if !stale.is_empty() {
            lots.extend(read_lots(tx, &stale).await?);
        }
        lots.sort_by(|a, b| {
            (&a.0, &a.1.expires_at, &a.1.ledger_id).cmp(&(&b.0, &b.1.expires_at, &b.1.ledger_id))
        });
        for (id, lot) in lots {
            if let Some(a) = out.accounts.get_mut(&id) {
                a.lots.push(lot);
            }
        }
        Ok(out)
    }

    /// Whether every one of `ids` was asked for (a customer asked for but not found is unknown).
    fn covers(&self, ids: &[String]) -> bool {
        ids.iter().all(|id| self.ids.binary_search(id).is_ok())
    }
}

/// The lots with points left of the members `ids` (PostgreSQL; their customers rows locked),
/// soonest expiry first.
async fn read_lots(tx: &mut Tx, ids: &[String]) -> StoreResult<Vec<(String, Lot)>> {
    let mut q = Sql::new(
        "SELECT customer_id AS id, ledger_id, expires_at, remaining FROM points_lots \
         WHERE remaining > 0 AND ",
    );
    unnest::push_in(&mut q, tx.backend, "customer_id", ids);
    q.push(" ORDER BY customer_id, expires_at, ledger_id");
    let (sql, args) = q.build();
    let mut out = Vec::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
        out.push((
            row::text(&r, "id")?,
            Lot {
                ledger_id: row::text(&r, "ledger_id")?,
                expires_at: row::text(&r, "expires_at")?,
                remaining: row::int(&r, "remaining")?,
                changed: false,
            },
        ));
    }
    Ok(out)
}

/// SQLite: the members `ids` (sorted) with their points lots, in one joined read — the
/// writer's turn is the lock (PostgreSQL's writer locks and reads them with its shifts, see
/// [`PG_LOCK_MEMBERS`]).
async fn read_accounts(tx: &mut Tx, ids: &[String]) -> StoreResult<Locked> {
    let mut out = Locked {
        ids: ids.to_vec(),
        ..Default::default()
    };
    let mut q = Sql::new(
        "SELECT c.id, c.status, c.points_balance, c.stored_value_minor, \
         l.ledger_id, l.expires_at, l.remaining FROM customers c \
         LEFT JOIN points_lots l ON l.customer_id = c.id AND l.remaining > 0 WHERE ",
    );
    unnest::push_in(&mut q, tx.backend, "c.id", ids);
    q.push(" ORDER BY c.id, l.expires_at, l.ledger_id");
    let (sql, args) = q.build();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
        let id = row::text(&r, "id")?;
        if !out.accounts.contains_key(&id) {
            let account = Account {
                points: row::int(&r, "points_balance")?,
                stored_value: row::int(&r, "stored_value_minor")?,
                ..Default::default()
            };
            out.accounts.insert(id.clone(), account);
        }
        if let Some(ledger_id) = row::opt_text(&r, "ledger_id")?
            && let Some(account) = out.accounts.get_mut(&id)
        {
            account.lots.push(Lot {
                ledger_id,
                expires_at: row::text(&r, "expires_at")?,
                remaining: row::int(&r, "remaining")?,
                changed: false,
            });
        }
        out.active.insert(id, row::text(&r, "status")? == "active");
    }
    Ok(out)
}

/// A sale of the batch as the member step sees it: its index in the batch, the prepared sale,
/// and where its flags live.
pub struct MemberSale<'a> {
    pub idx: usize,
    pub sale: &'a PreparedSale,
}

/// What the member step of a batch writes: ledger rows, changed lots and changed balances.
/// The sale writer writes them with the batch's other rows ([`MemberRows::parts`] on
/// PostgreSQL, in the same statement; [`MemberRows::write`] on SQLite).
#[derive(Default)]
pub struct MemberRows {
    points: Vec<Vec<Val>>,
    values: Vec<Vec<Val>>,
    lots: Vec<Vec<Val>>,
    balances: Vec<Vec<Val>>,
}

/// Per batch index, either the member summary and the flags to add (`points_not_recovered`),
/// or the error that refuses that sale alone.
pub type Applied = HashMap<usize, StoreResult<(MemberSummary, Vec<String>)>>;

/// Applies the member effects of the batch's `sales` in order, on the members `locked`
/// (already locked by the writer) or, without them, locked and read here. Returns, per batch
/// index, either the member summary or the error that refuses that sale alone (insufficient
/// points or balance, an inactive member), and the rows to write.
pub(crate) async fn apply(
    tx: &mut Tx,
    sales: &[MemberSale<'_>],
    locked: Option<Locked>,
) -> StoreResult<(Applied, MemberRows)> {
    let mut out = HashMap::new();
    let with: Vec<&MemberSale> = sales.iter().filter(|s| s.sale.member.is_some()).collect();
    if with.is_empty() {
        return Ok((out, MemberRows::default()));
    }
    let mut ids: Vec<String> = with
        .iter()
        .filter_map(|s| s.sale.member.as_ref().map(|m| m.customer_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let Locked {
        mut accounts,
        active,
        ..
    } = match locked {
        Some(l) if l.covers(&ids) => l,
        Some(_) => {
            return Err(StoreError::Internal(
                "a member of the batch was not locked".into(),
            ));
        }
        None => read_accounts(tx, &ids).await?,
    };
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
                grant(acc, id, &m.expires_at, m.points_earned);
                acc.points += m.points_earned;
                summary.points_earned = m.points_earned;
            }
        } else {
            // A return: refund to the accounts, then take back the earned points.
            if m.points > 0 {
                let (id, r) = row_for("redeem_refund", m.points, Some(m.expires_at.clone()));
                points_rows.push(r);
                grant(acc, id, &m.expires_at, m.points);
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
    let balances = accounts
        .iter()
        .filter(|(_, a)| a.changed)
        .map(|(id, a)| {
            vec![
                Val::from(id.as_str()),
                a.points.into(),
                a.stored_value.into(),
            ]
        })
        .collect();
    Ok((
        out,
        MemberRows {
            points: points_rows,
            values: value_rows,
            lots,
            balances,
        },
    ))
}

const POINTS_INSERT: &str = "INSERT INTO points_ledger (id, company_id, customer_id, store_id, kind, points, expires_at, ref_type, ref_id, user_id, at) VALUES ";
const VALUE_INSERT: &str = "INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, tender_code, ref_type, ref_id, user_id, at) VALUES ";
const LOTS_UPSERT: &str =
    "INSERT INTO points_lots (ledger_id, customer_id, expires_at, remaining) VALUES ";
const LOTS_CONFLICT: &str = " ON CONFLICT (ledger_id) DO UPDATE SET remaining = excluded.remaining";

impl MemberRows {
    /// PostgreSQL: the rows as parts of the sale writer's one statement for the batch's rows
    /// (`unnest::write_all`); none when there are none.
    pub(crate) fn parts(&self) -> Vec<unnest::Part<'_>> {
        let mut parts = vec![
            unnest::Part::insert(POINTS_INSERT, &self.points, ""),
            unnest::Part::insert(VALUE_INSERT, &self.values, ""),
            unnest::Part::insert(LOTS_UPSERT, &self.lots, LOTS_CONFLICT),
        ];
        parts.push(unnest::Part::new(
            "UPDATE customers c SET points_balance = u.p, stored_value_minor = u.v \
             FROM {u}(id, p, v) WHERE c.id = u.id",
            &self.balances,
        ));
        parts
    }

    /// SQLite: the rows as statements of the sale writer's one request for the batch's rows.
    pub(crate) fn add_to(&self, batch: &mut bulk::SqliteBatch) {
        batch.insert(POINTS_INSERT, &self.points, "");
        batch.insert(VALUE_INSERT, &self.values, "");
        batch.insert(LOTS_UPSERT, &self.lots, LOTS_CONFLICT);
        batch.statement(
            |n| {
                format!(
                    "UPDATE customers SET points_balance = j.value ->> 1, stored_value_minor = j.value ->> 2 \
                     FROM json_each(${n}) AS j WHERE customers.id = j.value ->> 0"
                )
            },
            &self.balances,
        );
    }
}

/// Whether `conn` talks to PostgreSQL.
fn pg(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME
}

/// Adds `points` granted by ledger row `ledger_id` to the member's lot with the same expiry, or
/// to a new lot of that row. One lot per expiry: under the year-end rule every point earned in
/// a year joins one lot, so a member who earns on every visit keeps a lot or two, not one per
/// sale — every sale of theirs reads their lots, and a new lot is a new row in two indexes where
/// adding to one is an update in place.
fn grant(acc: &mut Account, ledger_id: String, expires_at: &str, points: i64) {
    if let Some(lot) = acc.lots.iter_mut().find(|l| l.expires_at == expires_at) {
        lot.remaining += points;
        lot.changed = true;
        return;
    }
    acc.lots.push(Lot {
        ledger_id,
        expires_at: expires_at.to_string(),
        remaining: points,
        changed: true,
    });
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
