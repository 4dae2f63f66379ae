//! `salepoint`: the one binary. `serve` runs the server; the other commands do the
//! administrator's work on the same database (migrations, demo data, users, audit check).

mod commands;
mod config;

use clap::Parser;

/// mimalloc instead of glibc's malloc: a request allocates and frees many small buffers, and
/// glibc's allocator (with its `malloc_consolidate` passes) was ~15 % of a barcode scan's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = config::Cli::parse();
    config::init_logging(&cli.global);
    match commands::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
