//! Writing sales with group commit.
//!
//! Registers send sales concurrently; committing each alone would cost a durable commit and a
//! dozen round trips per sale. Instead sales queue here, and a writer takes every sale that is
//! waiting (up to [`MAX_BATCH`]) and writes them in one transaction with one multi-row
//! statement per table. Each caller is answered only after that transaction commits, so an
//! acknowledged sale is durable; a sale that fails its own checks inside the batch (a used
//! approval, stock the store refuses to sell) is left out without failing the others, and if
//! the batch fails as a whole its sales are retried one by one. Register sales are priced
//! (`batch_pricing`) before the transaction, while the batch before commits.

use super::batch_pricing::{self, Priced, Pricing};
use super::context;
use super::model::{Sale, SaleInput};
use super::prepared::PreparedSale;
use super::unnest;
use crate::approvals;
use crate::audit::{self, AuditEntry};
use crate::bulk::{self, Val};
use crate::clock;
use crate::customers::accounts;
use crate::db::{Backend, Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::principal::Principal;
use crate::row;
use crate::sql::Sql;
use salepoint_domain::org::NegativeStockPolicy;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use tokio::sync::{mpsc, oneshot};

/// Most sales written in one transaction.
pub const MAX_BATCH: usize = 256;

/// What became of a submitted sale.
#[derive(Debug)]
pub enum Outcome {
    /// Written now.
    Created(Box<Sale>),
    /// Written before with the same body (same id or Idempotency-Key): answer the stored sale.
    Replay { sale_id: String },
    /// The id or key was used for a different sale.
    Mismatch,
}

/// A register's sale as it arrived: priced by the writer, inside its transaction, together
/// with the other sales of the batch (one read of products and prices for all of them).
pub struct SaleRequest {
    pub principal: Principal,
    pub input: SaleInput,
    /// Fingerprint of the request body (for replays).
    pub request_hash: String,
    /// The caller's Idempotency-Key, scoped to the caller.
    pub idem_key: Option<String>,
}

/// What the writer is given: a sale to price and write, or a sale or return already priced.
pub enum Work {
    Sale(Box<SaleRequest>),
    Priced(Box<PreparedSale>),
}

impl Work {
    fn id(&self) -> &str {
        match self {
            Work::Sale(r) => &r.input.id,
            Work::Priced(p) => &p.id,
        }
    }
    fn idem_key(&self) -> Option<&str> {
        match self {
            Work::Sale(r) => r.idem_key.as_deref(),
            Work::Priced(p) => p.idem_key.as_deref(),
        }
    }
    fn request_hash(&self) -> &str {
        match self {
            Work::Sale(r) => &r.request_hash,
            Work::Priced(p) => &p.request_hash,
        }
    }
}

struct Job {
    work: Work,
    done: oneshot::Sender<StoreResult<Outcome>>,
}

/// The queues in front of the sale writers: one lane per writer, a store's sales always in
/// the same lane.
#[derive(Clone)]
pub struct SaleWriter {
    lanes: Vec<mpsc::Sender<Job>>,
    db: Db,
}

/// Writer lanes on PostgreSQL. Each lane commits its own batches on its own connection, so
/// one lane's round trips and commit wait overlap the other's; the stores are split between
/// them, so two lanes never wait for each other on a store's receipt counter or stock rows
/// (members, shared by all stores, are locked in id order in every lane). SQLite has one
/// writer whatever the lanes, so it keeps one.
const POSTGRES_LANES: usize = 2;

impl SaleWriter {
    /// Starts the writers for `db` (see [`POSTGRES_LANES`]). In each lane, batches go through
    /// two stages: batch N+1 is priced (reads on a pool connection, and CPU) while batch N
    /// commits, so the commit's round trips and its fsync no longer wait for pricing. Only one
    /// batch of a lane commits at a time — a second committer would only queue on its stores'
    /// receipt counters (PostgreSQL) or on the single write lock (SQLite) — and batch N+1
    /// begins its transaction after batch N has committed, so it sees N's sales (replays,
    /// stock, receipt numbers). N's callers are answered once its commit is durable: on
    /// SQLite the log is synced while N+1 already writes (see `wal_sync`).
    pub fn start(db: Db) -> SaleWriter {
        let n = match db.backend {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_LANES,
        };
        let lanes = (0..n).map(|_| lane(db.clone())).collect();
        SaleWriter { lanes, db }
    }

    /// The lane of `work`: by its store (a register's store from the cached register).
    async fn lane_of(&self, work: &Work) -> usize {
        if self.lanes.len() == 1 {
            return 0;
        }
        let store = match work {
            Work::Priced(p) => Some(p.store_id.clone()),
            // An unknown register goes to the first lane, whose pricing refuses it.
            Work::Sale(r) => context::register_context(
                &self.db,
                &r.principal,
                &r.input.register_id,
                "/register_id",
            )
            .await
            .ok()
            .map(|c| c.store_id),
        };
        store.map_or(0, |s| {
            let mut h = std::hash::DefaultHasher::new();
            s.hash(&mut h);
            (h.finish() % self.lanes.len() as u64) as usize
        })
    }

    /// Writes `work` (with the others waiting) and answers once it is durable.
    pub async fn submit(&self, work: Work) -> StoreResult<Outcome> {
        let (done, answer) = oneshot::channel();
        let lane = self.lane_of(&work).await;
        self.lanes[lane]
            .send(Job { work, done })
            .await
            .map_err(|_| StoreError::Unavailable("the sale writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the sale writer has stopped".into()))?
    }
}

/// Starts one writer lane: its queue, and the task that batches, prices and commits.
fn lane(db: Db) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(4096);
    tokio::spawn(async move {
        let mut committing: Option<(tokio::task::JoinHandle<()>, oneshot::Receiver<()>)> = None;
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let works: Vec<&Work> = jobs.iter().map(|j| &j.work).collect();
            let pricing = batch_pricing::price(&db, &works).await;
            if let Some((previous, released)) = committing.take()
                && released.await.is_err()
            {
                // The batch failed before it committed (its sales are being written one by
                // one) or panicked (its callers hear that the writer stopped): wait for the
                // end of it; this batch goes on.
                let _ = previous.await;
            }
            let (released, committed) = oneshot::channel();
            committing = Some((
                tokio::spawn(run(db.clone(), jobs, pricing, released)),
                committed,
            ));
        }
    });
    tx
}

/// Commits a priced batch and answers its callers. If the batch fails as a whole, its sales
/// are written one by one, so that one bad sale fails alone and a failure of the database
/// answers each sale with an error and writes nothing for it.
async fn run(db: Db, jobs: Vec<Job>, mut pricing: Pricing, released: oneshot::Sender<()>) {
    let sales: Vec<&Work> = jobs.iter().map(|j| &j.work).collect();
    let results = match write_priced(&db, &sales, &mut pricing, &mut Some(released)).await {
        Ok(r) => r,
        Err(e) => {
            if jobs.len() > 1 {
                tracing::warn!(error = %e, sales = jobs.len(), "a sale batch failed; writing its sales one by one");
            }
            let mut out = Vec::with_capacity(jobs.len());
            for (i, s) in sales.iter().enumerate() {
                out.push(write_alone(&db, s, pricing.take(i)).await);
            }
            out
        }
    };
    let created = results.iter().any(|r| matches!(r, Ok(Outcome::Created(_))));
    for (job, result) in jobs.into_iter().zip(results) {
        let _ = job.done.send(result);
    }
    if created {
        db.notify();
    }
}

/// Writes one sale in its own transaction. A unique violation means another writer (another
/// worker or app server) committed the same id or key meanwhile: the second attempt sees it
/// and answers it as a replay.
async fn write_alone(db: &Db, sale: &Work, mut pricing: Pricing) -> StoreResult<Outcome> {
    let mut last = None;
    for _ in 0..2 {
        match write_priced(db, &[sale], &mut pricing, &mut None).await {
            Ok(mut r) => {
                return r
                    .pop()
                    .unwrap_or(Err(StoreError::Internal("no result".into())));
            }
            Err(StoreError::Db(sqlx::Error::Database(e)))
                if e.kind() == sqlx::error::ErrorKind::UniqueViolation =>
            {
                last = Some(StoreError::Conflict {
                    field: "/id".into(),
                    message: format!("written at the same time by another request: {e}"),
                });
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(StoreError::Internal("no result".into())))
}

/// A sale of the batch that is still to be written.
struct Live<'a> {
    idx: usize,
    sale: &'a PreparedSale,
    approver: Option<String>,
    seq: i64,
    flags: Vec<String>,
    flagged_lines: Vec<bool>,
    member: Option<accounts::MemberSummary>,
}

/// Prices `sales` and writes them in one transaction (the demo history's batches); one result
/// per sale, in order.
pub(crate) async fn write_batch(
    db: &Db,
    sales: &[&Work],
) -> StoreResult<Vec<StoreResult<Outcome>>> {
    let mut pricing = batch_pricing::price(db, sales).await;
    write_priced(db, sales, &mut pricing, &mut None).await
}

/// Writes `sales`, priced as `pricing` says, in one transaction; one result per sale, in order.
/// `released` hears when the transaction has committed (and the next may begin), before the
/// commit is durable and the results are returned.
async fn write_priced<'a>(
    db: &Db,
    sales: &[&'a Work],
    pricing: &'a mut Pricing,
    released: &mut Option<oneshot::Sender<()>>,
) -> StoreResult<Vec<StoreResult<Outcome>>> {
    let mut results: Vec<Option<StoreResult<Outcome>>> = (0..sales.len()).map(|_| None).collect();
    let mut clock = super::timing::Clock::new();
    let mut tx = db.begin().await?;
    clock.lap(2);

    // 1. Replays: ids or keys already stored, or repeated within the batch; read with the
    //    batch's shifts (and on PostgreSQL its members, locked) in one round trip.
    let (stored, first) = first_read(&mut tx, sales, pricing).await?;
    clock.lap(3);
    let mut first_by_id: HashMap<&str, usize> = HashMap::new();
    let mut first_by_key: HashMap<&str, usize> = HashMap::new();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for (i, s) in sales.iter().enumerate() {
        let found = stored
            .get(&s.id().to_lowercase())
            .or_else(|| s.idem_key().and_then(|k| stored.get(k)));
        if let Some((id, hash)) = found {
            results[i] = Some(Ok(if hash == s.request_hash() {
                Outcome::Replay {
                    sale_id: id.clone(),
                }
            } else {
                Outcome::Mismatch
            }));
            continue;
        }
        let earlier = first_by_id
            .get(s.id())
            .or_else(|| s.idem_key().and_then(|k| first_by_key.get(k)));
        if let Some(&first) = earlier {
            repeats.push((i, first));
            continue;
        }
        first_by_id.insert(s.id(), i);
        if let Some(k) = s.idem_key() {
            first_by_key.insert(k, i);
        }
    }
    let todo: Vec<usize> = (0..sales.len())
        .filter(|i| results[*i].is_none() && !repeats.iter().any(|(r, _)| r == i))
        .collect();

    // 2. The registers' sales were priced before the transaction: a shift that closed since
    //    prices its sales again (refused online, flagged offline).
    let locked = recheck_shifts(&mut tx, sales, &todo, pricing, first).await?;
    clock.lap(4);
    let pricing: &'a Pricing = pricing;
    let mut live: Vec<Live> = Vec::new();
    for i in todo {
        let sale: &PreparedSale = match (sales[i], &pricing.sales[i]) {
            (Work::Priced(p), _) => p,
            (Work::Sale(_), Priced::Ready { sale, .. }) => sale,
            (Work::Sale(_), Priced::Refused(e)) => {
                results[i] = Some(Err(batch_pricing::copy_error(e)));
                continue;
            }
            (Work::Sale(_), Priced::AsGiven) => {
                results[i] = Some(Err(StoreError::Internal("a sale was not priced".into())));
                continue;
            }
        };
        live.push(Live {
            idx: i,
            sale,
            approver: None,
            seq: 0,
            flags: sale.flags.clone(),
            flagged_lines: vec![false; sale.lines.len()],
            member: None,
        });
    }

    // 2. Approvals are used up with the sale they allow.
    let mut keep = Vec::with_capacity(live.len());
    for mut l in live {
        if let Some(a) = &l.sale.approval {
            let store = l
                .sale
                .store_id
                .parse()
                .map_err(|_| StoreError::Internal("store id".into()))?;
            match approvals::consume(&mut tx, &a.token, a.action, store).await {
                Ok(approver) => l.approver = Some(approver),
                Err(e) => {
                    results[l.idx] = Some(Err(e));
                    continue;
                }
            }
        }
        keep.push(l);
    }
    let mut live = keep;
    clock.lap(5);
    let member = live.iter().any(|l| l.sale.member.is_some());
    let n_live = live.len();

    // 2b. Returns never take back more than was sold, even when two run at once.
    live = refuse_over_returns(&mut tx, live, &mut results).await?;
    clock.lap(6);

    // 3. Stores that refuse negative stock: check on-hand (locked) before selling.
    live = refuse_short_sales(&mut tx, live, &mut results).await?;
    clock.lap(7);

    // 3b. Members' points and stored value: a sale the balances cannot pay is refused alone.
    let members;
    (live, members) = apply_members(&mut tx, live, locked, &mut results).await?;
    clock.lap(8);

    // 4–5. Gap-free receipt numbers per store and business day; on-hand, and which lines took
    //      it below zero (one request: its time is in the `stock` step).
    let (low, levels) = number_and_stock(&mut tx, &mut live, &mut clock).await?;
    clock.lap(10);

    // 6. The rows (and on SQLite the levels).
    insert_rows(&mut tx, &live, low, levels, &members).await?;
    clock.lap(11);
    for l in &live {
        // Refunds and approved overrides belong in the audit trail.
        if l.approver.is_some() || l.sale.kind == "return" {
            audit::append(&mut tx, audit_entry(l)).await?;
        }
    }
    clock.lap(12);
    let pending = tx.commit_pending().await?;
    clock.lap(13);
    if let Some(r) = released.take() {
        let _ = r.send(());
    }
    pending.durable().await?;
    clock.lap(14);
    clock.flush(member, n_live, true);

    for l in &live {
        let mut sale = l.sale.to_sale(l.sale.receipt_no(l.seq));
        sale.flags = l.flags.clone();
        sale.member = l.member.clone();
        results[l.idx] = Some(Ok(Outcome::Created(Box::new(sale))));
    }
    for (i, first) in repeats {
        results[i] = Some(match &results[first] {
            Some(Ok(Outcome::Created(s)))
                if sales[first].request_hash() == sales[i].request_hash() =>
            {
                Ok(Outcome::Replay {
                    sale_id: s.id.clone(),
                })
            }
            Some(Ok(Outcome::Created(_))) => Ok(Outcome::Mismatch),
            _ => Err(StoreError::Conflict {
                field: "/id".into(),
                message: "the same sale was being written at the same time: retry".into(),
            }),
        });
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(StoreError::Internal("sale without a result".into()))))
        .collect())
}

/// Prices again the sales of `todo` whose shift closed after pricing, from the shifts the
/// transaction read (`first`). On PostgreSQL the shifts are locked (shared) until commit: a
/// shift closing now waits for this batch, and its Z report counts these sales. PostgreSQL
/// also locked the batch's members there and read their accounts (`accounts::PG_LOCK_MEMBERS`),
/// for the member step; SQLite reads them there.
async fn recheck_shifts(
    tx: &mut Tx,
    sales: &[&Work],
    todo: &[usize],
    pricing: &mut Pricing,
    first: FirstRead,
) -> StoreResult<Option<accounts::Locked>> {
    let mut open: HashMap<String, bool> = HashMap::new();
    for r in first.rows.iter() {
        if row::text(r, "k")? == "s" {
            open.insert(
                row::text(r, "id")?,
                row::opt_text(r, "a")?.as_deref() == Some("open"),
            );
        }
    }
    for &i in todo {
        if let (Work::Sale(r), Priced::Ready { sale, .. }) = (sales[i], &pricing.sales[i])
            && !sale.flags.iter().any(|f| f == "late_shift")
            && !open.get(&r.input.shift_id).copied().unwrap_or(false)
        {
            pricing.reprice_closed(i, sales[i]);
        }
    }
    if first.members.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        accounts::Locked::from_lock_rows(tx, first.members, &first.rows).await?,
    ))
}

/// What the batch's first read gave besides the replays: the rows of its shifts (`k` = `s`)
/// and, on PostgreSQL, of its members (locked), and which members those are.
struct FirstRead {
    rows: Vec<AnyRow>,
    members: Vec<String>,
}

/// The batch's first read, in one round trip: request fingerprints of sales already stored
/// under its ids or keys, by id and by key — `(sale id, request hash)` — and the shifts of its
/// priced register sales; on PostgreSQL the shifts locked shared and the members of its sales
/// locked with their accounts. (A replayed sale's shift and member are read too: replays are
/// rare, and reading them costs less than a second round trip.)
async fn first_read(
    tx: &mut Tx,
    sales: &[&Work],
    pricing: &Pricing,
) -> StoreResult<(HashMap<String, (String, String)>, FirstRead)> {
    let ids: Vec<String> = sales.iter().map(|s| s.id().to_lowercase()).collect();
    let keys: Vec<String> = sales
        .iter()
        .filter_map(|s| s.idem_key().map(str::to_string))
        .collect();
    let mut shifts: Vec<String> = sales
        .iter()
        .zip(&pricing.sales)
        .filter_map(|(w, p)| match (w, p) {
            (Work::Sale(r), Priced::Ready { .. }) => Some(r.input.shift_id.clone()),
            _ => None,
        })
        .collect();
    shifts.sort();
    shifts.dedup();
    let pg = tx.backend == Backend::Postgres;
    let mut members: Vec<String> = Vec::new();
    if pg {
        members = sales
            .iter()
            .zip(&pricing.sales)
            .filter_map(|(w, p)| match (w, p) {
                (Work::Priced(p), _) => p.member.as_ref(),
                (Work::Sale(_), Priced::Ready { sale, .. }) => sale.member.as_ref(),
                _ => None,
            })
            .map(|m| m.customer_id.clone())
            .collect();
        members.sort();
        members.dedup();
    }
    let rows = if pg {
        sqlx::query(&PG_FIRST_READ)
            .bind(unnest::text_array(&shifts))
            .bind(unnest::text_array(&members))
            .bind(unnest::text_array(&ids))
            .bind(unnest::text_array(&keys))
            .fetch_all(&mut **tx)
            .await?
    } else {
        // Two statements, one request.
        let mut q = Sql::for_backend(
            tx.backend,
            "SELECT 'q' AS k, id, request_hash AS a, idem_key AS b FROM sales WHERE ",
        );
        unnest::push_in(&mut q, tx.backend, "id", &ids);
        if !keys.is_empty() {
            q.push(" OR ");
            unnest::push_in(&mut q, tx.backend, "idem_key", &keys);
        }
        if !shifts.is_empty() {
            q.push("; SELECT 's' AS k, id, status AS a, NULL AS b FROM shifts WHERE ");
            unnest::push_in(&mut q, tx.backend, "id", &shifts);
        }
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args).fetch_all(&mut **tx).await?
    };
    let mut stored = HashMap::new();
    let mut rest = Vec::with_capacity(rows.len());
    for r in rows {
        if row::text(&r, "k")? != "q" {
            rest.push(r);
            continue;
        }
        let id = row::text(&r, "id")?;
        let hash = row::text(&r, "a")?;
        if let Some(k) = row::opt_text(&r, "b")? {
            stored.insert(k, (id.clone(), hash.clone()));
        }
        stored.insert(id.clone(), (id, hash));
    }
    Ok((
        stored,
        FirstRead {
            rows: rest,
            members,
        },
    ))
}

/// PostgreSQL: the batch's shifts (`$1`) locked shared in id order, then its members (`$2`,
/// see `accounts::PG_LOCK_MEMBERS`; shifts first, as every lane locks them), then the sales
/// already stored under its ids (`$3`) or idempotency keys (`$4`) (`k` = `q`: `a` the request
/// hash, `b` the key).
static PG_FIRST_READ: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT 's' AS k, id, status AS a, NULL::text AS b, NULL::bigint AS p, NULL::bigint AS v \
         FROM (SELECT id, status FROM shifts WHERE id = ANY($1::text[]) ORDER BY id FOR SHARE) AS sh \
         {} UNION ALL SELECT 'q', id, request_hash, idem_key, NULL, NULL FROM sales \
         WHERE id = ANY($3::text[]) OR idem_key = ANY($4::text[])",
        accounts::PG_LOCK_MEMBERS
    )
});

fn audit_entry(l: &Live) -> AuditEntry {
    let s = l.sale;
    AuditEntry {
        company_id: s.company_id.parse().ok(),
        actor_kind: s.actor_kind.to_string(),
        actor_id: Some(s.cashier_id.clone()),
        actor_name: Some(s.cashier_name.clone()),
        action: format!("{}.created", s.kind),
        target_type: Some(s.kind.to_string()),
        target_id: Some(s.id.clone()),
        store_id: Some(s.store_id.clone()),
        details: serde_json::json!({
            "receipt_no": s.receipt_no(l.seq), "original_sale_id": s.original_sale_id,
            "approver_id": l.approver, "approval": s.approval.as_ref().map(|a| a.action),
            "discount_minor": s.discount_minor, "total_minor": s.total_minor,
        }),
        client_ip: None,
    }
}

type StockKey = (String, String);

/// Applies the member effects of the batch (see `customers::accounts::apply`); sales refused
/// by a balance leave the batch with their error.
async fn apply_members<'a>(
    tx: &mut Tx,
    live: Vec<Live<'a>>,
    locked: Option<accounts::Locked>,
    results: &mut [Option<StoreResult<Outcome>>],
) -> StoreResult<(Vec<Live<'a>>, accounts::MemberRows)> {
    if !live.iter().any(|l| l.sale.member.is_some()) {
        return Ok((live, accounts::MemberRows::default()));
    }
    let sales: Vec<accounts::MemberSale> = live
        .iter()
        .map(|l| accounts::MemberSale {
            idx: l.idx,
            sale: l.sale,
        })
        .collect();
    let (mut applied, rows) = accounts::apply(tx, &sales, locked).await?;
    let mut keep = Vec::with_capacity(live.len());
    for mut l in live {
        match applied.remove(&l.idx) {
            Some(Err(e)) => results[l.idx] = Some(Err(e)),
            Some(Ok((summary, flags))) => {
                l.flags.extend(flags);
                l.member = Some(summary);
                keep.push(l);
            }
            None => keep.push(l),
        }
    }
    Ok((keep, rows))
}

/// Takes out of `live` the online sales of stores that refuse negative stock which would take
/// on-hand below zero (409 at the line); the stock rows are locked until commit.
async fn refuse_short_sales<'a>(
    tx: &mut Tx,
    live: Vec<Live<'a>>,
    results: &mut [Option<StoreResult<Outcome>>],
) -> StoreResult<Vec<Live<'a>>> {
    let strict =
        |l: &Live| l.sale.negative_policy == NegativeStockPolicy::Refuse && !l.sale.offline;
    if !live.iter().any(strict) {
        return Ok(live);
    }
    let mut locations: Vec<String> = live.iter().map(|l| l.sale.store_id.clone()).collect();
    locations.sort();
    locations.dedup();
    let mut products: Vec<String> = live
        .iter()
        .flat_map(|l| l.sale.lines.iter().map(|x| x.product_id.clone()))
        .collect();
    products.sort();
    products.dedup();
    let mut q = Sql::for_backend(
        tx.backend,
        "SELECT location_id, product_id, on_hand_milli FROM stock_levels WHERE location_id IN ",
    );
    q.bind_list(&locations)
        .push(" AND product_id IN ")
        .bind_list(&products);
    q.push(" ORDER BY location_id, product_id");
    if tx.backend == Backend::Postgres {
        q.push(" FOR UPDATE");
    }
    let (sql, args) = q.build();
    let mut level: HashMap<StockKey, i64> = HashMap::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
        level.insert(
            (row::text(&r, "location_id")?, row::text(&r, "product_id")?),
            row::int(&r, "on_hand_milli")?,
        );
    }
    let mut keep = Vec::with_capacity(live.len());
    for l in live {
        let mut after: HashMap<StockKey, i64> = HashMap::new();
        for line in &l.sale.lines {
            let key = (l.sale.store_id.clone(), line.product_id.clone());
            let cur = after
                .get(&key)
                .copied()
                .unwrap_or_else(|| level.get(&key).copied().unwrap_or(0));
            after.insert(key, cur + line.stock_delta_milli);
        }
        let short = l.sale.lines.iter().position(|line| {
            let key = (l.sale.store_id.clone(), line.product_id.clone());
            line.stock_delta_milli < 0 && after[&key] < 0
        });
        match short {
            Some(i) if strict(&l) => {
                results[l.idx] = Some(Err(StoreError::Rule {
                    field: format!("/lines/{i}/quantity"),
                    code: "insufficient_stock",
                    message: "not enough stock: the store does not sell below zero".into(),
                }));
            }
            _ => {
                level.extend(after);
                keep.push(l);
            }
        }
    }
    Ok(keep)
}

async fn refuse_over_returns<'a>(
    tx: &mut Tx,
    live: Vec<Live<'a>>,
    results: &mut [Option<StoreResult<Outcome>>],
) -> StoreResult<Vec<Live<'a>>> {
    let originals: Vec<String> = live
        .iter()
        .filter_map(|l| {
            l.sale
                .return_check
                .as_ref()
                .map(|c| c.original_sale_id.clone())
        })
        .collect();
    if originals.is_empty() {
        return Ok(live);
    }
    if tx.backend == Backend::Postgres {
        // Serializes returns of the same sale across writers and app servers.
        let mut q = Sql::new("SELECT id FROM sales WHERE id IN ");
        q.bind_list(&originals).push(" ORDER BY id FOR UPDATE");
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args).fetch_all(&mut **tx).await?;
    }
    let mut q = Sql::new(
        "SELECT s.original_sale_id, l.original_line_no, CAST(SUM(l.quantity_milli) AS BIGINT) AS q \
         FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.original_sale_id IN ",
    );
    q.bind_list(&originals).push(
        " AND l.original_line_no IS NOT NULL GROUP BY s.original_sale_id, l.original_line_no",
    );
    let (sql, args) = q.build();
    let mut taken: HashMap<(String, i64), i64> = HashMap::new();
    for r in sqlx::query_with(&sql, args).fetch_all(&mut **tx).await? {
        taken.insert(
            (
                row::text(&r, "original_sale_id")?,
                row::int(&r, "original_line_no")?,
            ),
            -row::int(&r, "q")?,
        );
    }
    let mut keep = Vec::with_capacity(live.len());
    for l in live {
        if let Some(c) = &l.sale.return_check {
            let over = c.lines.iter().position(|(line, sold, this)| {
                taken
                    .get(&(c.original_sale_id.clone(), *line))
                    .copied()
                    .unwrap_or(0)
                    + this
                    > *sold
            });
            if let Some(i) = over {
                results[l.idx] = Some(Err(StoreError::invalid(
                    &format!("/lines/{i}/quantity"),
                    "over_return",
                    "more than was sold minus what was already returned",
                )));
                continue;
            }
            for (line, _, this) in &c.lines {
                *taken
                    .entry((c.original_sale_id.clone(), *line))
                    .or_default() += this;
            }
        }
        keep.push(l);
    }
    Ok(keep)
}

const COUNTERS_INSERT: &str =
    "INSERT INTO receipt_counters (store_id, business_day, last_seq) VALUES ";
const COUNTERS_UPSERT: &str = " ON CONFLICT (store_id, business_day) DO UPDATE SET last_seq = receipt_counters.last_seq + excluded.last_seq";
const LEVELS_INSERT: &str = "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at) VALUES ";
const LEVELS_UPSERT: &str = " ON CONFLICT (location_id, product_id) DO UPDATE SET on_hand_milli = stock_levels.on_hand_milli + excluded.on_hand_milli, \
     updated_at = excluded.updated_at";
/// PostgreSQL: the counters (`w0`) and the levels (`w1`) upserted in one statement, locked in
/// that order, and what they hold after it.
const PG_COUNTERS_AND_LEVELS: &str = " SELECT 'r' AS k, a, b, NULL AS c, n, NULL::bigint AS r, NULL::bigint AS t, NULL::bigint AS p FROM w0 \
     UNION ALL SELECT 's', a, b, c, n, r, t, p FROM w1";
const PG_COUNTERS_RETURNING: &str = " RETURNING store_id AS a, business_day AS b, last_seq AS n";
const PG_LEVELS_RETURNING: &str = " RETURNING location_id AS a, product_id AS b, company_id AS c, on_hand_milli AS n, \
     reserved_milli AS r, in_transit_milli AS t, reorder_point_milli AS p";

/// A store's receipt counter of a business day after the batch: its last number.
type Counter = (String, String, i64);
/// A stock level after the batch: location, product, company, on hand, reserved, in transit,
/// reorder point (all but the ids in thousandths).
type Level = (String, String, String, i64, i64, i64, Option<i64>);

/// SQLite: the batch's stock levels, written with the rows after the movements, and the newest
/// movement of each level that had one before the batch. The writer links the batch's
/// movements at those levels itself (migration 0024) and leaves the rest to the chain trigger.
#[derive(Default)]
struct LevelWrites {
    /// Location, product, company, on-hand change, time.
    rows: Vec<Vec<Val>>,
    /// The newest movement of each level with movements (updated as the rows link new ones).
    newest: HashMap<StockKey, String>,
}

/// Assigns the receipt numbers (gap-free per store and business day) and updates on-hand,
/// flagging the lines that took it below zero; returns the `stock.low` events of the levels
/// this batch took to their reorder point (written with the rows). PostgreSQL: both in one
/// statement. SQLite reads the levels here and writes them with the rows ([`LevelWrites`]).
async fn number_and_stock(
    tx: &mut Tx,
    live: &mut [Live<'_>],
    clock: &mut super::timing::Clock,
) -> StoreResult<(Vec<Vec<Val>>, LevelWrites)> {
    let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut delta: BTreeMap<StockKey, (String, i64)> = BTreeMap::new();
    for l in live.iter() {
        *counts
            .entry((l.sale.store_id.clone(), l.sale.business_day.clone()))
            .or_default() += 1;
        for line in &l.sale.lines {
            let e = delta
                .entry((l.sale.store_id.clone(), line.product_id.clone()))
                .or_insert_with(|| (l.sale.company_id.clone(), 0));
            e.1 += line.stock_delta_milli;
        }
    }
    let counters: Vec<Vec<Val>> = counts
        .iter()
        .map(|((s, d), n)| vec![s.clone().into(), d.clone().into(), (*n).into()])
        .collect();
    let now = clock::now();
    // Sorted by key: concurrent writers lock stock rows in the same order (no deadlock).
    let levels: Vec<Vec<Val>> = delta
        .iter()
        .map(|((loc, prod), (company, d))| {
            vec![
                loc.clone().into(),
                prod.clone().into(),
                company.clone().into(),
                (*d).into(),
                now.clone().into(),
            ]
        })
        .collect();
    clock.lap(9);
    let mut writes = LevelWrites::default();
    let (numbered, leveled) = if tx.backend == Backend::Postgres {
        pg_counters_and_levels(tx, &counters, &levels).await?
    } else {
        let read;
        (read, writes.newest) = sqlite_counters_and_levels(tx, &counters, &levels).await?;
        writes.rows = levels;
        read
    };

    let mut next: HashMap<(String, String), i64> = HashMap::new();
    for (store, day, last) in numbered {
        let key = (store, day);
        let first = last - counts[&key] + 1;
        next.insert(key, first);
    }
    for l in live.iter_mut() {
        let key = (l.sale.store_id.clone(), l.sale.business_day.clone());
        let n = next
            .get_mut(&key)
            .ok_or_else(|| StoreError::Internal("receipt counter".into()))?;
        l.seq = *n;
        *n += 1;
    }

    // Walk the batch in order from the level before it to flag each line that went below 0.
    let mut level: HashMap<StockKey, i64> = HashMap::new();
    let mut low = Vec::new();
    for (loc, prod, company, after, reserved, in_transit, reorder_point) in leveled {
        let key = (loc, prod);
        let d = delta[&key].1;
        level.insert(key.clone(), after - d);
        // A level that this batch took to or below its reorder point: a `stock.low` event.
        let available = after - reserved;
        let position = available + in_transit;
        if let Some(rp) = reorder_point
            && position <= rp
            && position - d > rp
        {
            let payload = serde_json::json!({"location_id": key.0, "product_id": key.1,
                "available": super::model::from_milli(available), "reorder_point": super::model::from_milli(rp)});
            low.push(vec![
                Val::from(company),
                Some(key.0.clone()).into(),
                "stock.low".into(),
                payload.to_string().into(),
                now.clone().into(),
            ]);
        }
    }
    for l in live.iter_mut() {
        let mut short = false;
        for (i, line) in l.sale.lines.iter().enumerate() {
            let key = (l.sale.store_id.clone(), line.product_id.clone());
            let v = level
                .get_mut(&key)
                .ok_or_else(|| StoreError::Internal("stock level".into()))?;
            *v += line.stock_delta_milli;
            if line.stock_delta_milli < 0 && *v < 0 {
                l.flagged_lines[i] = true;
                short = true;
            }
        }
        if short && !l.flags.iter().any(|f| f == "negative_stock") {
            l.flags.push("negative_stock".into());
        }
    }
    Ok((low, writes))
}

/// SQLite: the counters upserted, then what they hold and what the batch's levels hold before
/// it read as one row of two JSON arrays, all in one request (a `RETURNING` clause would send a
/// row at a time, each a hand-off between SQLite's thread and the writer). Returns the levels
/// as they will be after the batch (a level not there yet at zero) and the newest movement of
/// each level that has one.
async fn sqlite_counters_and_levels(
    tx: &mut Tx,
    counters: &[Vec<Val>],
    levels: &[Vec<Val>],
) -> StoreResult<((Vec<Counter>, Vec<Level>), HashMap<StockKey, String>)> {
    let mut batch = bulk::SqliteBatch::default();
    let param = |n: Option<usize>| n.map_or("'[]'".to_string(), |n| format!("${n}"));
    let c = param(batch.insert(COUNTERS_INSERT, counters, COUNTERS_UPSERT));
    let l = param(batch.param(levels));
    batch.push(&format!(
        "SELECT (SELECT json_group_array(json_array(r.store_id, r.business_day, r.last_seq)) \
           FROM json_each({c}) AS j CROSS JOIN receipt_counters AS r \
           ON r.store_id = j.value ->> 0 AND r.business_day = j.value ->> 1) AS counters, \
         (SELECT json_group_array(json_array(s.location_id, s.product_id, s.on_hand_milli, \
           s.reserved_milli, s.in_transit_milli, s.reorder_point_milli, s.last_movement_id)) \
           FROM json_each({l}) AS j CROSS JOIN stock_levels AS s \
           ON s.location_id = j.value ->> 0 AND s.product_id = j.value ->> 1) AS levels"
    ));
    let rows = batch.fetch(tx).await?;
    let r = rows
        .first()
        .ok_or_else(|| StoreError::Internal("receipt counters and levels".into()))?;
    let parse = |e: serde_json::Error| StoreError::Internal(format!("counters and levels: {e}"));
    type Before = (String, String, i64, i64, i64, Option<i64>, Option<String>);
    let before: Vec<Before> = serde_json::from_str(&row::text(r, "levels")?).map_err(parse)?;
    let mut newest = HashMap::new();
    let mut held: HashMap<StockKey, (i64, i64, i64, Option<i64>)> = HashMap::new();
    for (loc, prod, on_hand, reserved, in_transit, reorder, last) in before {
        if let Some(last) = last {
            newest.insert((loc.clone(), prod.clone()), last);
        }
        held.insert((loc, prod), (on_hand, reserved, in_transit, reorder));
    }
    let mut after = Vec::with_capacity(levels.len());
    for row in levels {
        let (Val::Text(loc), Val::Text(prod), Val::Text(company), Val::Int(delta)) =
            (&row[0], &row[1], &row[2], &row[3])
        else {
            return Err(StoreError::Internal("stock level row".into()));
        };
        let (on_hand, reserved, in_transit, reorder) = held
            .get(&(loc.clone(), prod.clone()))
            .copied()
            .unwrap_or((0, 0, 0, None));
        after.push((
            loc.clone(),
            prod.clone(),
            company.clone(),
            on_hand + delta,
            reserved,
            in_transit,
            reorder,
        ));
    }
    Ok((
        (
            serde_json::from_str(&row::text(r, "counters")?).map_err(parse)?,
            after,
        ),
        newest,
    ))
}

/// PostgreSQL: the counters and the levels upserted and read back in one statement (either
/// alone when the other has no rows).
async fn pg_counters_and_levels(
    tx: &mut Tx,
    counters: &[Vec<Val>],
    levels: &[Vec<Val>],
) -> StoreResult<(Vec<Counter>, Vec<Level>)> {
    let counters_tail = format!("{COUNTERS_UPSERT}{PG_COUNTERS_RETURNING}");
    let levels_tail = format!("{LEVELS_UPSERT}{PG_LEVELS_RETURNING}");
    let counter = |r: &AnyRow| -> StoreResult<Counter> {
        Ok((row::text(r, "a")?, row::text(r, "b")?, row::int(r, "n")?))
    };
    let level = |r: &AnyRow| -> StoreResult<Level> {
        Ok((
            row::text(r, "a")?,
            row::text(r, "b")?,
            row::text(r, "c")?,
            row::int(r, "n")?,
            row::int(r, "r")?,
            row::int(r, "t")?,
            row::opt_int(r, "p")?,
        ))
    };
    let mut out = (Vec::new(), Vec::new());
    if counters.is_empty() || levels.is_empty() {
        for r in unnest::insert(tx, COUNTERS_INSERT, counters, &counters_tail).await? {
            out.0.push(counter(&r)?);
        }
        for r in unnest::insert(tx, LEVELS_INSERT, levels, &levels_tail).await? {
            out.1.push(level(&r)?);
        }
        return Ok(out);
    }
    let (mut sql, binds) = unnest::with_parts(&[
        unnest::Part::insert(COUNTERS_INSERT, counters, &counters_tail),
        unnest::Part::insert(LEVELS_INSERT, levels, &levels_tail),
    ]);
    sql.push_str(PG_COUNTERS_AND_LEVELS);
    for r in unnest::bind_all(&sql, binds).fetch_all(&mut **tx).await? {
        if row::text(&r, "k")? == "r" {
            out.0.push(counter(&r)?);
        } else {
            out.1.push(level(&r)?);
        }
    }
    Ok(out)
}

/// Writes the batch's rows: sales, lines, tenders, stock movements, outbox events (`events`
/// first: the `stock.low` ones) and the member step's rows. PostgreSQL: one statement
/// (`unnest::write_all`); SQLite: one request ([`bulk::SqliteBatch`]), a statement per table,
/// the stock levels (`levels`) after the movements.
async fn insert_rows(
    tx: &mut Tx,
    live: &[Live<'_>],
    mut events: Vec<Vec<Val>>,
    mut levels: LevelWrites,
    members: &accounts::MemberRows,
) -> StoreResult<()> {
    let sqlite = tx.backend == Backend::Sqlite;
    let mut sales = Vec::with_capacity(live.len());
    let mut lines = Vec::new();
    let mut tenders = Vec::new();
    let mut moves = Vec::new();
    for l in live {
        let s = l.sale;
        let receipt_no = s.receipt_no(l.seq);
        sales.push(vec![
            s.id.clone().into(),
            s.company_id.clone().into(),
            s.store_id.clone().into(),
            s.register_id.clone().into(),
            s.shift_id.clone().into(),
            s.cashier_id.clone().into(),
            s.kind.into(),
            s.original_sale_id.clone().into(),
            s.business_day.clone().into(),
            l.seq.into(),
            receipt_no.clone().into(),
            s.currency.clone().into(),
            s.customer_tier.clone().into(),
            s.customer_id.clone().into(),
            s.channel_id.clone().into(),
            s.member_tier.clone().into(),
            s.subtotal_minor.into(),
            s.discount_minor.into(),
            s.tax_minor.into(),
            s.total_minor.into(),
            s.rounding_minor.into(),
            s.paid_minor.into(),
            s.change_minor.into(),
            (s.offline as i64).into(),
            l.flags.join(",").into(),
            l.approver.clone().into(),
            s.request_hash.clone().into(),
            s.idem_key.clone().into(),
            s.client_created_at.clone().into(),
            s.created_at.clone().into(),
        ]);
        let mut stock_items = Vec::new();
        for (i, x) in s.lines.iter().enumerate() {
            lines.push(vec![
                s.id.clone().into(),
                x.line_no.into(),
                s.store_id.clone().into(),
                x.product_id.clone().into(),
                x.sku.clone().into(),
                x.name.clone().into(),
                x.quantity_milli.into(),
                x.unit_price_minor.into(),
                x.gross_minor.into(),
                x.line_discount_minor.into(),
                x.order_discount_minor.into(),
                x.net_minor.into(),
                x.tax_rate.clone().into(),
                x.tax_minor.into(),
                x.total_minor.into(),
                x.original_line_no.into(),
                x.restock.map(|r| r as i64).into(),
                x.reason.clone().into(),
            ]);
            let mut movement = |kind: &str, qty: i64| {
                let id = uuid::Uuid::now_v7().to_string();
                let mut row = vec![
                    id.clone().into(),
                    s.company_id.clone().into(),
                    s.store_id.clone().into(),
                    x.product_id.clone().into(),
                    kind.into(),
                    qty.into(),
                    s.kind.into(),
                    s.id.clone().into(),
                    x.line_no.into(),
                    Some(s.cashier_id.clone()).into(),
                    (l.flagged_lines[i] as i64).into(),
                    s.created_at.clone().into(),
                ];
                if sqlite {
                    // Linked here at a level with movements; the trigger links the first.
                    let key = (s.store_id.clone(), x.product_id.clone());
                    let prev = levels
                        .newest
                        .get_mut(&key)
                        .map(|newest| std::mem::replace(newest, id));
                    row.push(prev.into());
                }
                moves.push(row);
            };
            if x.write_off {
                // Returned, then written off: the ledger shows both.
                movement("return", -x.quantity_milli);
                movement("write_off", x.quantity_milli);
            } else if x.stock_delta_milli != 0 {
                movement(s.kind, x.stock_delta_milli);
            }
            stock_items.push(
                serde_json::json!({"product_id": x.product_id, "delta": x.stock_delta_milli}),
            );
        }
        for (i, t) in s.tenders.iter().enumerate() {
            tenders.push(vec![
                s.id.clone().into(),
                (i as i64 + 1).into(),
                s.store_id.clone().into(),
                t.tender_type_id.clone().into(),
                t.code.clone().into(),
                t.kind.clone().into(),
                t.amount_minor.into(),
                t.tendered_minor.into(),
                t.change_minor.into(),
                t.reference.clone().into(),
                t.card_last4.clone().into(),
            ]);
        }
        let event = serde_json::json!({
            "id": s.id, "kind": s.kind, "receipt_no": receipt_no, "store_id": s.store_id,
            "register_id": s.register_id, "cashier_id": s.cashier_id, "business_day": s.business_day,
            "total_minor": s.total_minor, "lines": s.lines.len(), "offline": s.offline,
            "flags": l.flags, "created_at": s.created_at,
        });
        let kind = if s.kind == "return" {
            "return.completed"
        } else {
            "sale.completed"
        };
        for (k, payload) in [
            (kind, event),
            (
                "stock.changed",
                serde_json::json!({"location_id": s.store_id, "items": stock_items}),
            ),
        ] {
            events.push(vec![
                s.company_id.clone().into(),
                Some(s.store_id.clone()).into(),
                k.into(),
                payload.to_string().into(),
                s.created_at.clone().into(),
            ]);
        }
    }
    let parts = [
        unnest::Part::insert(SALES_INSERT, &sales, ""),
        unnest::Part::insert(LINES_INSERT, &lines, ""),
        unnest::Part::insert(TENDERS_INSERT, &tenders, ""),
        unnest::Part::insert(MOVES_INSERT, &moves, ""),
        unnest::Part::insert(EVENTS_INSERT, &events, ""),
    ];
    if tx.backend == Backend::Postgres {
        let mut parts = Vec::from(parts);
        parts.extend(members.parts());
        return unnest::write_all(tx, &parts).await;
    }
    // The levels after the movements: a level the trigger created for its first movement is
    // there to add to, and one with movements before the batch gets its newest.
    for row in &mut levels.rows {
        let key = match (&row[0], &row[1]) {
            (Val::Text(loc), Val::Text(prod)) => (loc.clone(), prod.clone()),
            _ => return Err(StoreError::Internal("stock level row".into())),
        };
        row.push(levels.newest.get(&key).cloned().into());
    }
    let mut batch = bulk::SqliteBatch::default();
    for (head, rows, tail) in [
        (SALES_INSERT, &sales, ""),
        (LINES_INSERT, &lines, ""),
        (TENDERS_INSERT, &tenders, ""),
        (SQLITE_MOVES_INSERT, &moves, ""),
        (SQLITE_LEVELS_INSERT, &levels.rows, SQLITE_LEVELS_UPSERT),
        (EVENTS_INSERT, &events, ""),
    ] {
        batch.insert(head, rows, tail);
    }
    members.add_to(&mut batch);
    batch.run(tx).await
}

const SALES_INSERT: &str = "INSERT INTO sales (id, company_id, store_id, register_id, shift_id, cashier_id, kind, original_sale_id, \
     business_day, receipt_seq, receipt_no, currency, customer_tier, customer_id, channel_id, member_tier, subtotal_minor, discount_minor, \
     tax_minor, total_minor, rounding_minor, paid_minor, change_minor, offline, flags, approval_id, request_hash, idem_key, \
     client_created_at, created_at) VALUES ";
const LINES_INSERT: &str = "INSERT INTO sale_lines (sale_id, line_no, store_id, product_id, sku, name, quantity_milli, unit_price_minor, \
     gross_minor, line_discount_minor, order_discount_minor, net_minor, tax_rate, tax_minor, total_minor, \
     original_line_no, restock, reason) VALUES ";
const TENDERS_INSERT: &str = "INSERT INTO sale_tenders (sale_id, seq, store_id, tender_type_id, code, kind, amount_minor, tendered_minor, \
     change_minor, reference, card_last4) VALUES ";
const MOVES_INSERT: &str = "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, ref_type, ref_id, \
     ref_line, user_id, flagged, at) VALUES ";
/// SQLite: [`MOVES_INSERT`] with the link to the level's movement before (migration 0024).
const SQLITE_MOVES_INSERT: &str = "INSERT INTO stock_movements (id, company_id, location_id, product_id, kind, quantity_milli, ref_type, \
     ref_id, ref_line, user_id, flagged, at, prev_id) VALUES ";
/// SQLite: the levels after the batch's movements, each with its newest movement when the writer
/// linked them (else the trigger did, or there are none).
const SQLITE_LEVELS_INSERT: &str = "INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at, \
     last_movement_id) VALUES ";
const SQLITE_LEVELS_UPSERT: &str = " ON CONFLICT (location_id, product_id) DO UPDATE SET on_hand_milli = stock_levels.on_hand_milli + excluded.on_hand_milli, \
     updated_at = excluded.updated_at, last_movement_id = coalesce(excluded.last_movement_id, stock_levels.last_movement_id)";
const EVENTS_INSERT: &str =
    "INSERT INTO outbox_events (company_id, store_id, kind, payload, created_at) VALUES ";
