//! The connection pool every read and pooled transaction goes through.
//!
//! Why not sqlx's own pool: sqlx 0.8 pings each connection on its way back to the pool,
//! unconditionally. On PostgreSQL that is one more round trip per statement (a backend wakes
//! up twice for a one-row read); on SQLite one more hop to the connection's thread. Measured
//! on a 1 M-product catalog at 16 clients, PostgreSQL barcode scans went from 6,900-7,300 to
//! 8,300 a second without it. This pool (deadpool) hands a connection back as it is and checks
//! one only when it is taken out after sitting idle (a database restarted meanwhile).
//! A statement cut short (its request cancelled) leaves nothing behind: both drivers finish
//! or roll back what was pending before the connection's next statement.

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::any::{Any, AnyConnectOptions, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::{AnyConnection, Connection, Describe, Either, Execute, Executor};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How many times this process has seen a database connection lost ([`connection_lost`]).
/// When it goes up, every pooled connection is checked before its next use: a database that
/// restarted cut all of them, and a connection that failed on a path that hands it back as it
/// is (a transaction, a connection taken for several reads) must not go round again.
static LOSSES: AtomicU64 = AtomicU64::new(0);

/// Counts `e` if it says the connection is gone (see [`LOSSES`]).
pub(crate) fn note_loss(e: &sqlx::Error) {
    if connection_lost(e) {
        LOSSES.fetch_add(1, Ordering::Relaxed);
    }
}

/// A connection as the pool keeps it.
#[derive(Debug)]
struct Pooled {
    conn: AnyConnection,
    /// [`LOSSES`] when it was last checked: a lower figure than now has it checked again.
    checked_at_loss: u64,
    /// The pool's schema generation when the connection was opened (see
    /// [`Pool::schema_changed`]).
    schema: u64,
}

/// What a pool needs to open and check its connections.
#[derive(Debug)]
struct Connector {
    options: AnyConnectOptions,
    /// Statements run on every new connection (SQLite's pragmas).
    setup: &'static [&'static str],
    /// Idle time after which a connection is pinged when taken out.
    ping_after: Duration,
    /// Bumped when the schema changed (see [`Pool::schema_changed`]).
    schema: AtomicU64,
}

impl deadpool::managed::Manager for Connector {
    type Type = Pooled;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Pooled, sqlx::Error> {
        let mut conn = AnyConnection::connect_with(&self.options).await?;
        for sql in self.setup {
            conn.execute(*sql).await?;
        }
        Ok(Pooled {
            conn,
            checked_at_loss: LOSSES.load(Ordering::Relaxed),
            schema: self.schema.load(Ordering::Acquire),
        })
    }

    /// A failed ping (the connection is gone) makes the pool drop it and open another; so
    /// does a schema changed since the connection was opened.
    async fn recycle(
        &self,
        pooled: &mut Pooled,
        metrics: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<sqlx::Error> {
        if pooled.schema < self.schema.load(Ordering::Acquire) {
            return Err(deadpool::managed::RecycleError::Message(
                "opened before the schema changed".into(),
            ));
        }
        let losses = LOSSES.load(Ordering::Relaxed);
        if pooled.checked_at_loss < losses || metrics.last_used() >= self.ping_after {
            pooled.conn.ping().await?;
            pooled.checked_at_loss = losses;
        }
        Ok(())
    }
}

/// A connection taken out of the [`Pool`]; it goes back when dropped.
pub struct PoolConnection(deadpool::managed::Object<Connector>);

impl PoolConnection {
    /// Drops the connection for good (it is gone: nothing to close); the pool opens another.
    fn discard(self) {
        drop(deadpool::managed::Object::take(self.0));
    }
}

impl std::ops::Deref for PoolConnection {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.0.conn
    }
}

impl std::ops::DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0.conn
    }
}

/// A pool of database connections (cheap to clone: all clones share the connections).
#[derive(Clone)]
pub struct Pool {
    inner: deadpool::managed::Pool<Connector>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("status", &self.inner.status())
            .finish()
    }
}

/// How a [`Pool`] is made.
pub struct PoolSettings {
    pub url: String,
    pub max_connections: usize,
    /// Statements run on every new connection.
    pub setup: &'static [&'static str],
    /// How long a caller waits for a connection before it gets `PoolTimedOut`.
    pub acquire_timeout: Duration,
    /// Idle time after which a connection is pinged when taken out.
    pub ping_after: Duration,
}

impl Pool {
    /// Makes the pool and opens one connection, so that a wrong URL or an unreachable
    /// database is reported at once.
    pub async fn connect(settings: PoolSettings) -> Result<Pool, sqlx::Error> {
        let connector = Connector {
            options: settings.url.parse()?,
            setup: settings.setup,
            ping_after: settings.ping_after,
            schema: AtomicU64::new(0),
        };
        let inner = deadpool::managed::Pool::builder(connector)
            .max_size(settings.max_connections)
            .wait_timeout(Some(settings.acquire_timeout))
            .create_timeout(Some(settings.acquire_timeout))
            .recycle_timeout(Some(settings.acquire_timeout))
            // The most recently used connection first: under light load the same few stay
            // warm (their server processes and caches), the rest age and are checked.
            .queue_mode(deadpool::managed::QueueMode::Lifo)
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| sqlx::Error::Configuration(e.to_string().into()))?;
        let pool = Pool { inner };
        drop(pool.acquire().await?);
        Ok(pool)
    }

    /// Tells the pool that the schema changed (migrations ran): every connection opened before
    /// is replaced before its next use. A SQLite connection keeps the schema it read last and
    /// prepares new statements against it; a `SELECT *` prepared on the old schema is
    /// prepared again by SQLite when it runs, with more columns than sqlx noted at prepare
    /// time — which made sqlx's SQLite worker thread panic (and the query answer "no rows").
    pub fn schema_changed(&self) {
        self.inner.manager().schema.fetch_add(1, Ordering::Release);
    }

    /// Takes a connection out (waiting for one if all are in use).
    pub async fn acquire(&self) -> Result<PoolConnection, sqlx::Error> {
        use deadpool::managed::PoolError;
        match self.inner.get().await {
            Ok(conn) => Ok(PoolConnection(conn)),
            Err(PoolError::Backend(e)) => Err(e),
            Err(PoolError::Timeout(_)) => Err(sqlx::Error::PoolTimedOut),
            Err(PoolError::Closed) => Err(sqlx::Error::PoolClosed),
            Err(other) => Err(sqlx::Error::Configuration(other.to_string().into())),
        }
    }

    /// Closes the pool: idle connections are closed properly (PostgreSQL is told, rather than
    /// finding the socket gone), connections in use are dropped when they come back, and every
    /// later [`Pool::acquire`] fails with `PoolClosed`.
    pub async fn close(&self) {
        let idle = self.inner.retain(|_, _| false).removed;
        self.inner.close();
        for pooled in idle {
            if let Err(e) = pooled.conn.close().await {
                tracing::debug!(error = %e, "closing a pooled connection");
            }
        }
    }

    /// Whether [`Pool::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// Whether an error means the connection itself is gone (rather than the statement failing),
/// so that it must not be handed out again: I/O, or PostgreSQL ending the session (SQLSTATE
/// class 08, connection exception, and 57P, shut down or terminated by an administrator).
pub(crate) fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// Hands a connection back, or drops it for good after `error` if that says it is lost.
fn give_back(conn: PoolConnection, error: Option<&sqlx::Error>) {
    if let Some(e) = error
        && connection_lost(e)
    {
        note_loss(e);
        conn.discard();
    }
}

/// `&Pool` runs statements like sqlx's `&Pool`: each on a connection taken for it.
impl<'p> Executor<'p> for &'_ Pool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut conn = pool.acquire().await?;
            let mut failed = None;
            {
                let mut rows = conn.fetch_many(query);
                loop {
                    match rows.try_next().await {
                        Ok(Some(item)) => yield item,
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
            }
            give_back(conn, failed.as_ref());
            if let Some(e) = failed {
                Err(e)?;
            }
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            let result = conn.fetch_optional(query).await;
            give_back(conn, result.as_ref().err());
            result
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.describe(sql).await })
    }
}
