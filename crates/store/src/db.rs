//! Connecting to SQLite or PostgreSQL, applying the embedded migrations, and write
//! transactions.
//!
//! SQLite allows one writer at a time; rather than let concurrent requests race for the lock and
//! surface `SQLITE_BUSY`, every write transaction first takes an in-process async mutex, so
//! writers queue in the server and readers (WAL) never wait. PostgreSQL needs no such lock.

use crate::error::{StoreError, StoreResult};
use crate::pool::{Pool, PoolConnection, PoolSettings};
use crate::wal_sync::WalSync;
use sqlx::any::AnyTransactionManager;
use sqlx::{AnyConnection, Connection, Executor, Row, TransactionManager};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Settings of every SQLite connection: WAL, durable commits (the writer's are synced after
/// its turn instead, see `wal_sync`), foreign keys, a wait instead of SQLITE_BUSY, and reads
/// through a memory map of up to 2 GiB (SQLite's own ceiling, `SQLITE_MAX_MMAP_SIZE`). The map should cover the hot tables: a page beyond it is copied
/// into the connection's small page cache with a `read` call, and with a 1.3 GB catalog and a
/// 256 MiB map that copying was a fifth of a barcode scan's cost. Mapped pages are the OS page
/// cache (shared by the connections, reclaimable), not the process's heap.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA mmap_size = 2147418112;";

/// How long a pooled connection may sit idle before it is pinged when taken out again.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// How long a write waits for SQLite's writer before it gives up (as for a pooled connection).
const WRITER_WAIT: Duration = Duration::from_secs(30);

/// Connections of a SQLite pool at most. Each runs its statements on a thread of its own:
/// on two cores 4 readers answered barcode scans with a lower p99 than 6 (1.7 vs 2.1 ms at
/// 16,000 scans/s) and searches and checkout as fast.
const SQLITE_MAX_CONNECTIONS: u32 = 4;

/// The pool size when none is given: two connections per core of this machine, at least 4
/// (the sale writer's two lanes hold one each while they commit) and at most 64. Sized to the
/// database server's cores, which on one machine with the app are these: on 2 cores a pool of
/// 4 answered barcode scans with a p99 of 1.8-2.5 ms (median 2.15) at 16 clients where 16
/// connections took 2.9-4.1 ms, and checkout sold as fast (docs/benchmarks.md, session 12). With PostgreSQL on
/// a server of its own, set `--db-connections` to about twice its cores, shared among the app
/// servers.
pub fn default_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (2 * cores).clamp(4, 64)
}

/// Which database engine is behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// `sqlite://…` or `postgres://…`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// Start even if PostgreSQL has `synchronous_commit = off` (a committed sale could be lost
    /// in a server crash).
    pub allow_async_commit: bool,
}

impl DbOptions {
    /// The URL of the embedded database file in `data_dir`.
    pub fn sqlite_in(data_dir: &Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("salepoint.db").display()
        )
    }
}

/// A connection pool plus what is needed to write safely to it.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    /// SQLite's single write connection, held here for good (writes go through
    /// [`Db::begin`]); whoever holds its lock has the writer's turn.
    writer: Option<Arc<Mutex<AnyConnection>>>,
    /// Syncs SQLite's log after the writer's commits (see `wal_sync`).
    wal: Option<Arc<WalSync>>,
    /// Bumped after a commit that wrote outbox events, so live streams look at once.
    events: Arc<tokio::sync::watch::Sender<u64>>,
    /// Short-lived caches of callers and register settings (see `cache`).
    pub caches: Arc<crate::cache::Caches>,
}

/// A transaction: a write transaction (on SQLite, in the writer's turn), or one on a pooled
/// connection ([`Db::begin_pooled`]). Commit with [`Tx::commit`]; dropping it rolls back.
pub struct Tx {
    conn: TxConn,
    /// Until committed; dropped open, the transaction is rolled back before the
    /// connection's next statement (as sqlx does for its own transactions).
    open: bool,
    /// The engine behind the transaction.
    pub backend: Backend,
    caches: Arc<crate::cache::Caches>,
    /// On SQLite's writer: the log to sync after commit, outside the writer's turn.
    wal: Option<Arc<WalSync>>,
}

/// The connection a [`Tx`] runs on.
enum TxConn {
    /// A pooled connection (PostgreSQL writes, and every [`Db::begin_pooled`]).
    Pooled(PoolConnection),
    /// SQLite's write connection, locked for the transaction.
    Held(OwnedMutexGuard<AnyConnection>),
    /// Handed to the task that sends a dropped transaction's rollback (see `Drop`), or
    /// SQLite's writer given back after its commit.
    Released,
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        AnyTransactionManager::start_rollback(self);
        // On PostgreSQL that only queues the ROLLBACK: it would go out with the connection's
        // next statement, and until then the transaction keeps its row locks and its
        // transaction id. A request that failed after a `FOR UPDATE` (a receipt over the
        // limit) blocked the next one on that row for as long as its connection sat unused in
        // the pool — a test hung for 11 minutes — and an open transaction id holds back the
        // outbox's readable horizon, so live events stopped for every store meanwhile. So the
        // connection sends it now, before it goes back. (SQLite's thread runs it at once.)
        if self.backend == Backend::Postgres
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
            && let TxConn::Pooled(mut conn) = std::mem::replace(&mut self.conn, TxConn::Released)
        {
            runtime.spawn(async move {
                if let Err(e) = conn.ping().await {
                    tracing::debug!(error = %e, "rolling back a dropped transaction");
                }
            });
        }
    }
}

impl Tx {
    async fn begin(
        conn: TxConn,
        backend: Backend,
        caches: Arc<crate::cache::Caches>,
        wal: Option<Arc<WalSync>>,
    ) -> StoreResult<Tx> {
        let mut tx = Tx {
            conn,
            open: false,
            backend,
            caches,
            wal,
        };
        AnyTransactionManager::begin(&mut tx, None).await?;
        tx.open = true;
        Ok(tx)
    }

    /// Commits the transaction; returns once it is durable.
    pub async fn commit(self) -> StoreResult<()> {
        self.commit_pending().await?.durable().await
    }

    /// Commits the transaction and gives its connection back (on SQLite, passes on the
    /// writer's turn); the commit is durable once [`PendingCommit::durable`] returns, and must
    /// not be reported done before (the sale writer begins its next batch in between).
    pub async fn commit_pending(mut self) -> StoreResult<PendingCommit> {
        AnyTransactionManager::commit(&mut self).await?;
        self.open = false;
        let wal = self.wal.take();
        if wal.is_some() {
            self.conn = TxConn::Released;
        }
        Ok(PendingCommit { wal })
    }

    /// Commits a change of master data and forgets the cached settings it may have changed.
    pub async fn commit_settings(self) -> StoreResult<()> {
        let caches = self.caches.clone();
        self.commit().await?;
        caches.forget_all();
        Ok(())
    }
}

/// A commit whose connection was given back and that may not be durable yet (SQLite's log is
/// synced outside the writer's turn, see `wal_sync`).
#[must_use = "a commit is durable only once `durable` returns"]
pub struct PendingCommit {
    wal: Option<Arc<WalSync>>,
}

impl PendingCommit {
    /// Waits until the commit is durable (at once on PostgreSQL, whose COMMIT returns then).
    pub async fn durable(self) -> StoreResult<()> {
        match self.wal {
            Some(wal) => wal.sync().await,
            None => Ok(()),
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.conn {
            TxConn::Pooled(c) => c,
            TxConn::Held(c) => c,
            TxConn::Released => unreachable!("a transaction is not used once dropped"),
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            TxConn::Pooled(c) => c,
            TxConn::Held(c) => c,
            TxConn::Released => unreachable!("a transaction is not used once dropped"),
        }
    }
}

impl Db {
    /// Opens the pool, configures each connection, and checks durability settings.
    pub async fn connect(opts: &DbOptions) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = if opts.url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if opts.url.starts_with("postgres:") || opts.url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Internal(
                "the database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        // SQLite reads run on one thread per connection; more of them than a few per core
        // only adds hand-offs.
        let max = match backend {
            Backend::Sqlite => opts.max_connections.min(SQLITE_MAX_CONNECTIONS),
            Backend::Postgres => opts.max_connections,
        };
        let pool = Pool::connect(PoolSettings {
            url: opts.url.clone(),
            max_connections: max as usize,
            // Every commit makes the other connections drop their page cache (WAL): SQLite
            // readers go through a memory map instead, which survives, and keep a small
            // cache each.
            setup: match backend {
                Backend::Sqlite => &[SQLITE_PRAGMAS, "PRAGMA cache_size = -8192;"],
                Backend::Postgres => &[],
            },
            acquire_timeout: Duration::from_secs(10),
            // Long enough idle to have been dropped meanwhile (a restarted database server).
            ping_after: IDLE_BEFORE_PING,
        })
        .await?;
        if backend == Backend::Postgres {
            let row = sqlx::query("SELECT current_setting('synchronous_commit')")
                .fetch_one(&pool)
                .await?;
            let setting: String = row.try_get(0)?;
            if setting == "off" && !opts.allow_async_commit {
                return Err(StoreError::Internal(
                    "PostgreSQL has synchronous_commit = off: a sale reported as done could be lost \
                     in a crash. Turn it on, or start with --allow-async-commit to accept the risk."
                        .into(),
                ));
            }
        }
        // SQLite has one writer at a time anyway: give it one connection of its own, whose
        // page cache stays warm because no other connection commits.
        let writer = match backend {
            Backend::Sqlite => {
                let mut conn = AnyConnection::connect(&opts.url).await?;
                conn.execute(SQLITE_PRAGMAS).await?;
                // Checkpoints run in the background (see `checkpoints`), not inside a sale's
                // commit. A batch's multi-row statements keep a statement journal beyond
                // 64 KiB: in memory, not in a temp file. When the log starts again, a file
                // larger than 512 MiB (one that grew while a long reader held it) is cut back
                // to that size. Under steady sales it restarts at ~128 MiB plus what a second
                // adds (200–250 MiB at 2,000 sales/s): a limit below that cut the file at every
                // restart, in the writer's turn, and the file system then had to allocate and
                // zero the blocks again — a 15–20 ms pause of every sale once a second
                // (docs/benchmarks.md, Checkout, session 19). The writer's page cache is 16 MiB: a page not in it is copied from the memory
                // map; 64 MiB sold no more and kept the server above 200 MB of RSS
                // (docs/benchmarks.md, Checkout, session 14). Its commits do not sync the log
                // inside the turn: `WalSync` does, before they are reported done.
                conn.execute(
                    "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0; \
                     PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 536870912;",
                )
                .await?;
                let wal = WalSync::for_writer(&mut conn).await?;
                Some((Arc::new(Mutex::new(conn)), wal))
            }
            Backend::Postgres => None,
        };
        let (writer, wal) = match writer {
            Some((w, wal)) => (Some(w), wal),
            None => (None, None),
        };
        if let Some(w) = &writer {
            tokio::spawn(checkpoints(pool.clone(), w.clone()));
        }
        Ok(Db {
            writer,
            wal,
            pool,
            backend,
            events: Arc::new(tokio::sync::watch::channel(0).0),
            caches: Arc::default(),
        })
    }

    /// Applies every embedded migration not yet applied; returns how many were applied. Then
    /// resets outbox transaction ids from another PostgreSQL server (a restored database, see
    /// [`crate::events::forget_foreign_tx_ids`]), so that every way of starting does it.
    pub async fn migrate(&self) -> StoreResult<usize> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        let before = self.applied_migrations().await.unwrap_or(0);
        // On SQLite the writer itself migrates, so it holds the new schema; every other
        // connection was opened on the old one and is replaced (see `Pool::schema_changed`).
        let result = match self.turn().await? {
            Some(mut writer) => migrator.run(&mut *writer).await,
            None => migrator.run(&mut *self.pool.acquire().await?).await,
        };
        self.pool.schema_changed();
        result.map_err(|e| StoreError::Internal(format!("migration failed: {e}")))?;
        // The migrations committed on the writer outside a `Tx`: durable now too.
        if let Some(wal) = &self.wal {
            wal.sync().await?;
        }
        let foreign = crate::events::forget_foreign_tx_ids(self).await?;
        if foreign > 0 {
            tracing::info!(
                events = foreign,
                "outbox events from another PostgreSQL server (a restore): transaction ids reset"
            );
        }
        Ok(self.applied_migrations().await?.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> StoreResult<usize> {
        let row = sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? as usize)
    }

    /// The writer's turn on SQLite: its connection, locked. Waits at most as long as a pooled
    /// connection would be waited for.
    async fn turn(&self) -> StoreResult<Option<OwnedMutexGuard<AnyConnection>>> {
        match &self.writer {
            Some(w) => tokio::time::timeout(WRITER_WAIT, w.clone().lock_owned())
                .await
                .map(Some)
                .map_err(|_| sqlx::Error::PoolTimedOut.into()),
            None => Ok(None),
        }
    }

    /// Begins a write transaction (waiting for the writer's turn on SQLite).
    pub async fn begin(&self) -> StoreResult<Tx> {
        let (conn, wal) = match self.turn().await? {
            Some(conn) => (TxConn::Held(conn), self.wal.clone()),
            None => (TxConn::Pooled(self.pool.acquire().await?), None),
        };
        Tx::begin(conn, self.backend, self.caches.clone(), wal).await
    }

    /// Begins a transaction on a pooled connection, never SQLite's writer: for reads that
    /// must see one snapshot (on SQLite such a transaction must not write).
    pub async fn begin_pooled(&self) -> StoreResult<Tx> {
        let conn = TxConn::Pooled(self.pool.acquire().await?);
        Tx::begin(conn, self.backend, self.caches.clone(), None).await
    }

    /// The log syncs of SQLite's writer (`None` on PostgreSQL and in memory).
    pub fn wal_sync(&self) -> Option<&WalSync> {
        self.wal.as_deref()
    }

    /// Tells live streams of this process that new events were committed. (Streams also poll,
    /// for events written by other app servers.)
    pub fn notify(&self) {
        self.events.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that changes whenever [`Db::notify`] is called.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.events.subscribe()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        match self.pool.acquire().await {
            Ok(mut c) => c.ping().await.inspect_err(crate::pool::note_loss).is_ok(),
            Err(_) => false,
        }
    }
}

/// Copies SQLite's write-ahead log back into the database file, beside the writer rather than
/// inside its commits, and keeps the log from growing without end.
///
/// SQLite starts the log again from its beginning only when a write begins after every frame
/// has been copied back. A checkpoint that runs while the writer commits every few
/// milliseconds never sees that moment, so under steady sales the log grew by every page
/// written (3.5 GB in 30 s of the checkout benchmark), each commit appended to new blocks the
/// file system had to allocate and zero, and readers looked pages up in an ever larger index.
/// So each round copies the log back while the writer goes on (PASSIVE: never waits for
/// readers or the writer); once the log is large, it copies again until what the writer adds
/// meanwhile is small, then takes the writer's turn for one short checkpoint of the rest, so
/// that the writer's next commit finds the log wholly copied and starts it again from the
/// beginning. A reader still in an old snapshot can keep a round from finishing; the next
/// round tries again. Stops when the pool is closed.
async fn checkpoints(pool: Pool, turn: Arc<Mutex<AnyConnection>>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = checkpoint_round(&pool, &turn).await {
            tracing::debug!(error = %e, "WAL checkpoint");
        }
    }
}

/// How often the write-ahead log is copied back.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Frames in the log (≈ 128 MiB) from which a round also starts the log again. Each restart
/// pauses the writer for the last copy (10–40 ms measured): at ~1,200 sales/s the log grows by ~40,000
/// frames a second, so a smaller log would pause sales several times a second.
const RESTART_AT: i64 = 32_768;

/// New frames per copy below which the last copy is made in the writer's turn (≈ one batch
/// of 20 sales).
const CHECKPOINT_REST: i64 = 1_000;

/// One round of [`checkpoints`]: copy the log back; when it has grown large, copy again
/// until what the writer adds per copy is small, then the rest in the writer's turn.
async fn checkpoint_round(pool: &Pool, turn: &Mutex<AnyConnection>) -> StoreResult<()> {
    let mut log = checkpoint(pool).await?;
    if log < RESTART_AT {
        return Ok(());
    }
    for _ in 0..8 {
        let now = checkpoint(pool).await?;
        if now < log {
            // The log started again meanwhile.
            return Ok(());
        }
        let added = now - log;
        log = now;
        if added < CHECKPOINT_REST {
            break;
        }
    }
    let _turn = turn.lock().await;
    checkpoint(pool).await?;
    Ok(())
}

/// A PASSIVE checkpoint; returns the frames in the log (the pragma's second column).
async fn checkpoint(pool: &Pool) -> StoreResult<i64> {
    let r = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    Ok(r.try_get::<i64, _>(1)?)
}

/// Runs one maintenance statement (e.g. `ANALYZE`) inside `tx`.
pub async fn execute(tx: &mut Tx, sql: &str) -> StoreResult<()> {
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}
