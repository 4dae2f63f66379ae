//! Where the sale writer's time goes: the time of each step per batch, batches with members
//! and plain ones apart, summed in process-wide counters (a few relaxed atomic adds per
//! batch). The customers benchmark prints them per checkout level ([`take`]), so that what a
//! member sale adds is measured on the writer itself rather than through end-to-end throughput
//! on a shared machine (docs/benchmarks.md, Customers).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The steps: pricing (its reads, then its CPU, outside the transaction), then the commit
/// stage's steps in the order `writer::write_priced` runs them, then the wait for the commit
/// to be durable (SQLite's log synced after the writer's turn; the next batch writes meanwhile).
pub const STEPS: [&str; 15] = [
    "price:read",
    "price:cpu",
    "begin",
    "replays",
    "shifts",
    "approvals",
    "returns",
    "short",
    "members",
    "receipts",
    "stock",
    "rows",
    "audit",
    "commit",
    "sync",
];
/// Index in [`STEPS`] of the first step after the commit stage.
const AFTER_COMMIT_STAGE: usize = 14;
static NANOS: [[AtomicU64; 15]; 2] = [const { [const { AtomicU64::new(0) }; 15] }; 2];
static BATCHES: [AtomicU64; 2] = [const { AtomicU64::new(0) }; 2];
static SALES: [AtomicU64; 2] = [const { AtomicU64::new(0) }; 2];

/// Laps of one batch, added to the counters by [`Clock::flush`].
pub struct Clock {
    at: Instant,
    pub steps: Vec<(usize, Duration)>,
}

impl Clock {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Clock {
        Clock {
            at: Instant::now(),
            steps: Vec::new(),
        }
    }
    /// Ends step `step` (an index of [`STEPS`]) now.
    pub fn lap(&mut self, step: usize) {
        let now = Instant::now();
        self.steps.push((step, now - self.at));
        self.at = now;
    }
    /// Adds the laps to the counters of member or plain batches; `batch` counts one batch of
    /// `sales` (the commit stage does; pricing only adds its time).
    pub fn flush(self, member: bool, sales: usize, batch: bool) {
        let m = member as usize;
        for (s, d) in self.steps {
            NANOS[m][s].fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
        }
        if batch {
            BATCHES[m].fetch_add(1, Ordering::Relaxed);
            SALES[m].fetch_add(sales as u64, Ordering::Relaxed);
        }
    }
}

/// µs per batch of each step since the last call, plain and member batches on a line each;
/// resets the counters.
pub fn take() -> String {
    let mut out = String::new();
    for m in 0..2 {
        let b = BATCHES[m].swap(0, Ordering::Relaxed).max(1);
        let s = SALES[m].swap(0, Ordering::Relaxed);
        out.push_str(&format!(
            "{} batches {b}, {:.1} sales/batch:",
            if m == 1 { "member" } else { "plain" },
            s as f64 / b as f64
        ));
        let mut total = 0;
        for (i, name) in STEPS.iter().enumerate() {
            let n = NANOS[m][i].swap(0, Ordering::Relaxed);
            if (2..AFTER_COMMIT_STAGE).contains(&i) {
                total += n;
            }
            out.push_str(&format!(" {name} {:.0}", n as f64 / b as f64 / 1e3));
        }
        out.push_str(&format!(
            " | commit stage {:.0} µs/batch\n",
            total as f64 / b as f64 / 1e3
        ));
    }
    out
}
