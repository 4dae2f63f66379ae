//! Salepoint benchmarks: each starts the real server in-process over a fresh database
//! (SQLite by default, PostgreSQL with `--database-url`), drives it over real HTTP and prints
//! throughput, p50/p99 latency and memory. Not tests; figures go to docs/benchmarks.md.
//!
//! Run: `cargo run --release -p salepoint-bench -- foundation|catalog|checkout
//! [--database-url URL] [--concurrency N] [--requests N] [--products N]
//! [--registers 8,64,256] [--seconds N]`

mod catalog;
mod checkout;
mod foundation;
mod harness;

struct Args {
    which: String,
    database_url: Option<String>,
    concurrency: usize,
    requests: usize,
    products: usize,
    /// Concurrency levels of the checkout benchmark: virtual registers selling at once.
    registers: Vec<usize>,
    /// Measured duration of each checkout level.
    seconds: u64,
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        which: it.next().unwrap_or_else(|| "foundation".into()),
        database_url: None,
        concurrency: 16,
        requests: 2000,
        products: 1_000_000,
        registers: vec![8, 64, 256],
        seconds: 20,
    };
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--database-url" => a.database_url = Some(value),
            "--concurrency" => a.concurrency = value.parse().expect("--concurrency N"),
            "--requests" => a.requests = value.parse().expect("--requests N"),
            "--products" => a.products = value.parse().expect("--products N"),
            "--registers" => {
                a.registers = value
                    .split(',')
                    .map(|n| n.trim().parse().expect("--registers N[,N…]"))
                    .collect()
            }
            "--seconds" => a.seconds = value.parse().expect("--seconds N"),
            other => panic!(
                "unknown flag {other}; use --database-url, --concurrency, --requests, --products, \
                 --registers, --seconds"
            ),
        }
    }
    a
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = parse_args();
    match a.which.as_str() {
        "foundation" => foundation::run(a.database_url.as_deref(), a.concurrency, a.requests).await,
        "catalog" => {
            catalog::run(
                a.database_url.as_deref(),
                a.concurrency,
                a.requests,
                a.products,
            )
            .await
        }
        "checkout" => checkout::run(a.database_url.as_deref(), &a.registers, a.seconds).await,
        other => anyhow::bail!("unknown benchmark {other}: foundation, catalog or checkout"),
    }
}
