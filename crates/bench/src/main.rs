//! Salepoint benchmarks: each starts the real server in-process over a fresh database
//! (SQLite by default, PostgreSQL with `--database-url`), drives it over real HTTP and prints
//! throughput, p50/p99 latency and memory. Not tests; figures go to docs/benchmarks.md.
//!
//! Run: `cargo run --release -p salepoint-bench -- foundation|catalog|checkout|inventory|customers|analytics
//! [--database-url URL] [--concurrency N] [--requests N] [--products N]
//! [--registers 8,64,256] [--seconds N] [--locations N] [--customers N]
//! [--stores N] [--days N] [--lines N] [--rate N] [--reuse]`

mod analytics;
mod analytics_lag;
mod analytics_seed;
mod analytics_stock;
mod bulk_load;
mod catalog;
mod chain;
mod checkout;
mod customers;
mod foundation;
mod harness;
mod inventory;
mod seed_sql;

/// mimalloc instead of glibc's malloc: a request allocates and frees many small buffers, and
/// glibc's allocator (with its `malloc_consolidate` passes) was ~15 % of a barcode scan's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    which: String,
    database_url: Option<String>,
    /// Requests in flight; the default depends on the benchmark (16, inventory 8).
    concurrency: Option<usize>,
    /// Requests per series (default 2,000; analytics 200 per report).
    requests: Option<usize>,
    /// Products: catalog grows to this many (default 1,000,000), inventory stocks this many
    /// (default 20,000).
    products: Option<usize>,
    /// Inventory: locations (default 1,000 on PostgreSQL, 100 on SQLite).
    locations: Option<usize>,
    /// Concurrency levels of the checkout benchmark: virtual registers selling at once.
    registers: Vec<usize>,
    /// Measured duration of each checkout level (default 20 s), or of the analytics lag
    /// (default 60 s).
    seconds: Option<u64>,
    /// Customers: members seeded (default 5,000,000 on PostgreSQL, 1,000,000 on SQLite).
    customers: Option<usize>,
    /// Analytics: stores that sell (default 200).
    stores: usize,
    /// Analytics: days of history ending today (default 365).
    days: i64,
    /// Analytics: sale lines to generate, about (default 10,000,000).
    lines: u64,
    /// Analytics: background sales per second while the lag is measured (default 500).
    rate: f64,
    /// Inventory, analytics and customers: measure over the seed an earlier run left in the
    /// database (`--database-url`).
    reuse: bool,
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        which: it.next().unwrap_or_else(|| "foundation".into()),
        database_url: None,
        concurrency: None,
        requests: None,
        products: None,
        locations: None,
        registers: vec![8, 64, 256],
        seconds: None,
        customers: None,
        stores: 200,
        days: 365,
        lines: 10_000_000,
        rate: 500.0,
        reuse: false,
    };
    while let Some(flag) = it.next() {
        if flag == "--reuse" {
            a.reuse = true;
            continue;
        }
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--database-url" => a.database_url = Some(value),
            "--concurrency" => a.concurrency = Some(value.parse().expect("--concurrency N")),
            "--requests" => a.requests = Some(value.parse().expect("--requests N")),
            "--products" => a.products = Some(value.parse().expect("--products N")),
            "--locations" => a.locations = Some(value.parse().expect("--locations N")),
            "--registers" => {
                a.registers = value
                    .split(',')
                    .map(|n| n.trim().parse().expect("--registers N[,N…]"))
                    .collect()
            }
            "--seconds" => a.seconds = Some(value.parse().expect("--seconds N")),
            "--customers" => a.customers = Some(value.parse().expect("--customers N")),
            "--stores" => a.stores = value.parse().expect("--stores N"),
            "--days" => a.days = value.parse().expect("--days N"),
            "--lines" => a.lines = value.parse().expect("--lines N"),
            "--rate" => a.rate = value.parse().expect("--rate N"),
            other => panic!(
                "unknown flag {other}; use --database-url, --concurrency, --requests, --products, \
                 --registers, --seconds, --locations, --customers, --stores, --days, --lines, --rate, --reuse"
            ),
        }
    }
    a
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = parse_args();
    match a.which.as_str() {
        "foundation" => {
            foundation::run(
                a.database_url.as_deref(),
                a.concurrency.unwrap_or(16),
                a.requests.unwrap_or(2000),
            )
            .await
        }
        "catalog" => {
            catalog::run(
                a.database_url.as_deref(),
                a.concurrency.unwrap_or(16),
                a.requests.unwrap_or(2000),
                a.products.unwrap_or(1_000_000),
            )
            .await
        }
        "checkout" => {
            checkout::run(
                a.database_url.as_deref(),
                &a.registers,
                a.seconds.unwrap_or(20),
            )
            .await
        }
        "customers" => {
            customers::run(
                a.database_url.as_deref(),
                a.customers,
                &a.registers,
                a.seconds.unwrap_or(20),
                a.reuse,
            )
            .await
        }
        "inventory" => {
            inventory::run(
                a.database_url.as_deref(),
                a.locations,
                a.products.unwrap_or(20_000),
                a.concurrency.unwrap_or(8),
                a.requests.unwrap_or(2000),
                a.reuse,
            )
            .await
        }
        "analytics" => {
            analytics::run(
                a.database_url.as_deref(),
                a.reuse,
                &analytics::Options {
                    stores: a.stores,
                    days: a.days,
                    lines: a.lines,
                    products: a.products.unwrap_or(20_000),
                    requests: a.requests.unwrap_or(200),
                    rate: a.rate,
                    lag_seconds: a.seconds.unwrap_or(60),
                },
            )
            .await
        }
        other => {
            anyhow::bail!(
                "unknown benchmark {other}: foundation, catalog, checkout, inventory, customers or analytics"
            )
        }
    }
}
