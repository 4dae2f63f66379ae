//! Connecting to SQLite or PostgreSQL, applying the embedded migrations, and write
//! transactions.
//!
//! SQLite allows one writer at a time; rather than let concurrent requests race for the lock and
//! surface `SQLITE_BUSY`, every write transaction first takes an in-process async mutex, so
//! writers queue in the server and readers (WAL) never wait. PostgreSQL needs no such lock.

use crate::error::{StoreError, StoreResult};
use sqlx::any::{AnyPoolOptions, AnyTransactionManager};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row, Transaction, TransactionManager};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Settings of every SQLite connection: WAL, durable commits, foreign keys, a wait instead of
/// SQLITE_BUSY, and reads through a memory map of up to 2 GiB (SQLite's own ceiling,
/// `SQLITE_MAX_MMAP_SIZE`). The map should cover the hot tables: a page beyond it is copied
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
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite's single write connection, held here for good (writes go through
    /// [`Db::begin`]); whoever holds its lock has the writer's turn.
    writer: Option<Arc<Mutex<AnyConnection>>>,
    /// Bumped after a commit that wrote outbox events, so live streams look at once.
    events: Arc<tokio::sync::watch::Sender<u64>>,
    /// Short-lived caches of callers and register settings (see `cache`).
    pub caches: Arc<crate::cache::Caches>,
}

/// A write transaction (and, on SQLite, the writer's turn). Commit with [`Tx::commit`];
/// dropping it rolls back.
pub struct Tx {
    inner: TxConn,
    /// The engine behind the transaction.
    pub backend: Backend,
    caches: Arc<crate::cache::Caches>,
}

/// The connection a [`Tx`] runs on.
enum TxConn {
    /// A pooled connection (PostgreSQL).
    Pooled(Transaction<'static, sqlx::Any>),
    /// SQLite's write connection, locked for the transaction.
    Held(HeldTx),
}

/// SQLite's write connection in a transaction. Kept out of the pool so that no ping follows
/// each commit (sqlx pings a connection on its way back to a pool: one more hop to the
/// connection's thread that the next batch's `begin` waited for).
struct HeldTx {
    conn: OwnedMutexGuard<AnyConnection>,
    /// Until committed; dropped open, the transaction is rolled back before the
    /// connection's next statement (as sqlx does for its own transactions).
    open: bool,
}

impl Drop for HeldTx {
    fn drop(&mut self) {
        if self.open {
            AnyTransactionManager::start_rollback(&mut self.conn);
        }
    }
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> StoreResult<()> {
        match self.inner {
            TxConn::Pooled(t) => t.commit().await?,
            TxConn::Held(mut h) => {
                AnyTransactionManager::commit(&mut h.conn).await?;
                h.open = false;
            }
        }
        Ok(())
    }

    /// Commits a change of master data and forgets the cached settings it may have changed.
    pub async fn commit_settings(self) -> StoreResult<()> {
        let caches = self.caches.clone();
        self.commit().await?;
        caches.forget_all();
        Ok(())
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.inner {
            TxConn::Pooled(t) => t,
            TxConn::Held(h) => &h.conn,
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            TxConn::Pooled(t) => t,
            TxConn::Held(h) => &mut h.conn,
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
        // sqlx pings every connection when it goes back to the pool, and by default again
        // when it is taken out: one more round trip per statement, as many as the statement
        // itself for a one-row read. Taken out, a connection is pinged only if it sat idle
        // long enough to have been dropped meanwhile (a restarted database server).
        let mut pool_opts = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            });
        if backend == Backend::Sqlite {
            // Every commit makes the other connections drop their page cache (WAL): readers
            // go through a memory map instead, which survives, and keep a small cache each.
            pool_opts = pool_opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    conn.execute("PRAGMA cache_size = -8192;").await?;
                    Ok(())
                })
            });
        }
        let pool = pool_opts.connect(&opts.url).await?;
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
                // 64 KiB: in memory, not in a temp file. A log that grew while a long reader
                // held it is cut back to 160 MiB when it starts again (it restarts at ~128).
                conn.execute(
                    "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0; \
                     PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 167772160;",
                )
                .await?;
                Some(Arc::new(Mutex::new(conn)))
            }
            Backend::Postgres => None,
        };
        if let Some(w) = &writer {
            tokio::spawn(checkpoints(pool.clone(), w.clone()));
        }
        Ok(Db {
            writer,
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
        let _turn = self.turn().await?;
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Internal(format!("migration failed: {e}")))?;
        drop(_turn);
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
        let inner = match self.turn().await? {
            Some(mut conn) => {
                AnyTransactionManager::begin(&mut conn, None).await?;
                TxConn::Held(HeldTx { conn, open: true })
            }
            None => TxConn::Pooled(self.pool.begin().await?),
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            caches: self.caches.clone(),
        })
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
            Ok(mut c) => c.ping().await.is_ok(),
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
async fn checkpoints(pool: AnyPool, turn: Arc<Mutex<AnyConnection>>) {
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
async fn checkpoint_round(pool: &AnyPool, turn: &Mutex<AnyConnection>) -> StoreResult<()> {
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
async fn checkpoint(pool: &AnyPool) -> StoreResult<i64> {
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
