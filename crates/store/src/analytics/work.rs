//! What the rollup worker has cost since the last look: its batches (each a read of the
//! unapplied sales and, when there are some, one write transaction), the sales they applied and
//! the wall time spent in them (waits for SQLite's write turn included), summed process-wide
//! with a few relaxed atomic adds per batch. The analytics benchmark prints them beside the sale
//! writer's step times (`orders::timing`) to split a sale's latency under load between the
//! writer's own statements and the worker's transactions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static BATCHES: AtomicU64 = AtomicU64::new(0);
static APPLIED: AtomicU64 = AtomicU64::new(0);
static NANOS: AtomicU64 = AtomicU64::new(0);

/// Counts one batch of the worker that applied `applied` sales in `took`.
pub(crate) fn count(applied: usize, took: Duration) {
    BATCHES.fetch_add(1, Ordering::Relaxed);
    APPLIED.fetch_add(applied as u64, Ordering::Relaxed);
    NANOS.fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
}

/// The worker's batches, the sales they applied and their time since the last call; resets
/// the counters.
pub fn take() -> (u64, u64, Duration) {
    (
        BATCHES.swap(0, Ordering::Relaxed),
        APPLIED.swap(0, Ordering::Relaxed),
        Duration::from_nanos(NANOS.swap(0, Ordering::Relaxed)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_returns_the_sums_and_resets_them() {
        take();
        count(3, Duration::from_millis(2));
        count(0, Duration::from_millis(1));
        assert_eq!(take(), (2, 3, Duration::from_millis(3)));
        assert_eq!(take(), (0, 0, Duration::ZERO));
    }
}
