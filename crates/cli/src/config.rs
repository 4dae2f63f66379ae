//! Command-line flags (each also an environment variable) and logging setup.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Salepoint — point-of-sale management for retail chains.
///
/// Data lives in an embedded SQLite file under --data-dir unless --database-url points to
/// PostgreSQL. Every command that touches data takes the same two flags.
///
/// Quick start:  salepoint serve --demo     (then open the printed URL)
#[derive(Parser, Debug)]
#[command(name = "salepoint", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every command.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Folder for the embedded database (salepoint.db); created if missing.
    #[arg(
        long,
        global = true,
        env = "SALEPOINT_DATA_DIR",
        default_value = "./salepoint-data"
    )]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://path/to/file.db or postgres://user@host:5432/db. Overrides --data-dir.
    #[arg(long, global = true, env = "SALEPOINT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log format: text for people, json for log collectors.
    #[arg(
        long,
        global = true,
        env = "SALEPOINT_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// Log filter, e.g. info or salepoint_server=debug.
    #[arg(
        long,
        global = true,
        env = "SALEPOINT_LOG",
        default_value = "info,sqlx=warn"
    )]
    pub log: String,
    /// Start even if PostgreSQL has synchronous_commit=off (committed sales could be lost in a crash).
    #[arg(long, global = true, env = "SALEPOINT_ALLOW_ASYNC_COMMIT")]
    pub allow_async_commit: bool,
    /// Database connections of this server (PostgreSQL; SQLite uses at most 4). Default: two
    /// per core of this machine, at least 4. Size it to the database server's cores (about two
    /// each, shared among app servers): on 2 cores, 4 answered scans faster than 16 and sold
    /// as fast (docs/benchmarks.md). At least 4: the sale writer's two lanes each hold one.
    #[arg(
        long,
        global = true,
        env = "SALEPOINT_DB_CONNECTIONS",
        default_value_t = salepoint_store::db::default_connections(),
        value_parser = clap::value_parser!(u32).range(4..=1000)
    )]
    pub db_connections: u32,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (API, web UI, metrics). Applies migrations and, on an empty database,
    /// creates the administrator `admin` (password from SALEPOINT_ADMIN_PASSWORD, or printed once).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SALEPOINT_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Fill an empty database with a demo chain and print one login per role.
        #[arg(long)]
        demo: bool,
        /// Days of sales history the demo writes (0 = none).
        #[arg(long, env = "SALEPOINT_DEMO_DAYS", default_value_t = 90)]
        demo_days: i64,
        /// Mark session cookies Secure (set when users reach the server over HTTPS).
        #[arg(long, env = "SALEPOINT_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty database with the demo chain and print the logins.
    Demo {
        /// Days of sales history to write (0 = none).
        #[arg(long, env = "SALEPOINT_DEMO_DAYS", default_value_t = 90)]
        demo_days: i64,
    },
    /// Manage users (passwords are read from standard input or a prompt, never from a flag).
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the stock ledger.
    #[command(subcommand)]
    Stock(StockCommand),
    /// Check or rebuild the sales analytics rollups.
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
    /// Import data from CSV (UTF-8 or GBK) or XLSX files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data to CSV or XLSX.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import products (matched by SKU; the same file twice changes nothing). Headers in
    /// Chinese or English: 商品编码/sku, 商品名称/name_zh, 税率类别/tax_class, 零售价/list_price, …
    Products {
        /// The CSV or XLSX file.
        file: PathBuf,
        /// Check every row and report; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows and write the bad ones to FILE.errors.csv (default: all or nothing).
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Export every product with the import's columns.
    Products {
        /// Where to write; the extension (.csv or .xlsx) chooses the format.
        #[arg(long, short)]
        output: PathBuf,
        /// Header language: zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user. Example: salepoint user add zhang.wei --name 张伟 --role cashier --store SH001
    Add {
        /// Login name: lower-case letters, digits, '.', '_' and '-'.
        username: String,
        /// Name shown in the UI and on receipts.
        #[arg(long)]
        name: String,
        /// admin, regional_manager, store_manager, cashier, stock_clerk, accountant or auditor.
        #[arg(long)]
        role: String,
        /// Store or warehouse code the user works in (repeat for several).
        #[arg(long = "store")]
        stores: Vec<String>,
        /// Region code the user oversees (repeat for several).
        #[arg(long = "region")]
        regions: Vec<String>,
    },
    /// List users.
    List,
    /// Disable a user; their sessions end at once.
    Disable { username: String },
    /// Set a new password for a user; their sessions end.
    ResetPassword { username: String },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the audit hash chain; prints OK or the first broken row. Exits 1 if broken.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum AnalyticsCommand {
    /// Recompute every rollup from the raw sales and list the differences; exits 1 if any.
    Verify,
    /// Empty every rollup and recompute it from the raw sales (cost at today's costs).
    Rebuild,
}

#[derive(Subcommand, Debug)]
pub enum StockCommand {
    /// Prove on hand = the sum of the movements for every location and product; lists the
    /// first mismatches and exits 1 if any.
    Verify,
}

/// Sets up tracing to stderr.
pub fn init_logging(g: &Global) {
    let filter = tracing_subscriber::EnvFilter::try_new(&g.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match g.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
