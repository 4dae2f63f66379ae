//! SQLite commits made durable after the writer's turn, not inside it.
//!
//! With `synchronous = FULL` SQLite syncs its write-ahead log inside `COMMIT`, while it still
//! holds the write lock, so the next transaction waits for the disk as well (a batch of 22
//! sales appends ~400 pages; syncing them takes ~1 ms on the benchmark machine). SQLite's
//! writer connection therefore runs with `synchronous = NORMAL` — a commit appends its pages to
//! the log without syncing; checkpoints still sync the log before copying it and the database
//! after — and [`WalSync::sync`] syncs the log once the writer's turn is released, before
//! [`crate::db::Tx::commit`] returns. A commit is durable when it is reported done, as before,
//! while the next transaction already writes. The log only grows by appending (or starts again
//! after a checkpoint that SQLite has synced), so a sync covers every commit that returned
//! before it began, and commits that wait at the same time share one sync.

use crate::error::{StoreError, StoreResult};
use sqlx::{AnyConnection, Row};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Mutex;

/// The writer's pending syncs of the log of one SQLite database file.
pub struct WalSync {
    /// The database file's write-ahead log (`<file>-wal`).
    log: PathBuf,
    /// Commits of this process's writer that have returned from SQLite (numbered from 1).
    committed: AtomicU64,
    /// The highest commit number known to be on disk; held while a sync runs.
    synced: Mutex<u64>,
}

impl WalSync {
    /// For the writer connection `conn`: sets it to `synchronous = NORMAL` and answers the
    /// syncs its commits need. `None` — and the connection left to sync inside its commits —
    /// for a database without a file (in memory) or not in WAL mode (a file system where
    /// SQLite could not turn it on).
    pub async fn for_writer(conn: &mut AnyConnection) -> StoreResult<Option<Arc<WalSync>>> {
        let file: String = sqlx::query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if file.is_empty() || !mode.eq_ignore_ascii_case("wal") {
            return Ok(None);
        }
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await?;
        Ok(Some(Arc::new(WalSync {
            log: PathBuf::from(format!("{file}-wal")),
            committed: AtomicU64::new(0),
            synced: Mutex::new(0),
        })))
    }

    /// Makes every commit that has returned so far durable: call after a commit of the
    /// writer connection (the writer's turn may already be someone else's).
    pub async fn sync(&self) -> StoreResult<()> {
        let mine = self.committed.fetch_add(1, Ordering::SeqCst) + 1;
        let mut synced = self.synced.lock().await;
        if *synced >= mine {
            // A sync that began after this commit returned has covered it.
            return Ok(());
        }
        let through = self.committed.load(Ordering::SeqCst);
        let log = self.log.clone();
        tokio::task::spawn_blocking(move || std::fs::File::open(&log)?.sync_data())
            .await
            .map_err(|e| StoreError::Internal(format!("syncing the SQLite log: {e}")))?
            .map_err(|e| {
                StoreError::Unavailable(format!("the SQLite log could not be synced: {e}"))
            })?;
        *synced = through;
        Ok(())
    }

    /// Commits counted so far and how many of them are known to be synced (for tests).
    pub async fn counts(&self) -> (u64, u64) {
        let synced = *self.synced.lock().await;
        (self.committed.load(Ordering::SeqCst), synced)
    }
}
