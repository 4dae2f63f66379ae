//! What each command does.

use crate::config::{
    AnalyticsCommand, AuditCommand, Cli, Command, ExportCommand, Global, ImportCommand,
    StockCommand, UserCommand,
};
use anyhow::{Context, anyhow, bail};
use salepoint_domain::ids::{RegionId, StoreId};
use salepoint_domain::roles::Role;
use salepoint_store::db::DbOptions;
use salepoint_store::page::PageRequest;
use salepoint_store::users::{self, NewUser, UserFilter, UserUpdate};
use salepoint_store::{Db, Principal, StoreError, audit, bootstrap, demo, org};
use std::io::{BufRead, IsTerminal};

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global;
    match cli.command {
        Command::Serve {
            listen,
            demo,
            demo_days,
            secure_cookies,
        } => {
            let demo = demo.then_some(demo_days);
            serve(&g, &listen, demo, secure_cookies).await
        }
        Command::Migrate => {
            let db = open(&g).await?;
            println!("database is up to date");
            drop(db);
            Ok(())
        }
        Command::Demo { demo_days } => {
            let db = open(&g).await?;
            seed_demo(&db, demo_days).await
        }
        Command::User(cmd) => user(&g, cmd).await,
        Command::Import(ImportCommand::Products {
            file,
            dry_run,
            skip_invalid,
        }) => import_products(&g, &file, dry_run, skip_invalid).await,
        Command::Export(ExportCommand::Products { output, lang }) => {
            export_products(&g, &output, &lang).await
        }
        Command::Audit(AuditCommand::Verify) => {
            let db = open(&g).await?;
            let report = audit::verify(&db).await.map_err(explain)?;
            if report.ok {
                println!("OK: {} audit rows, every link holds", report.checked);
                Ok(())
            } else {
                bail!(
                    "audit trail BROKEN at row {} ({} rows before it are intact)",
                    report.first_broken_seq.unwrap_or(0),
                    report.checked
                )
            }
        }
        Command::Analytics(AnalyticsCommand::Verify) => {
            let db = open(&g).await?;
            let report = salepoint_store::analytics::verify::verify(&db)
                .await
                .map_err(explain)?;
            if report.differences.is_empty() {
                println!(
                    "OK: {} sales and returns, {} rollup rows, every figure agrees",
                    report.sales, report.rows
                );
                Ok(())
            } else {
                for d in report.differences.iter().take(50) {
                    println!("DIFFERENCE {d}");
                }
                bail!(
                    "analytics rollups disagree with the raw sales in {} places (run `salepoint analytics rebuild`)",
                    report.differences.len()
                )
            }
        }
        Command::Analytics(AnalyticsCommand::Rebuild) => {
            let db = open(&g).await?;
            let n = salepoint_store::analytics::verify::rebuild(&db)
                .await
                .map_err(explain)?;
            println!("rebuilt the analytics rollups from {n} sales and returns");
            Ok(())
        }
        Command::Stock(StockCommand::Verify) => {
            let db = open(&g).await?;
            let report = salepoint_store::inventory::ledger::verify(&db)
                .await
                .map_err(explain)?;
            if report.mismatches.is_empty() && report.broken_chains == 0 {
                println!(
                    "OK: {} stock levels, each the sum of its movements",
                    report.levels
                );
                Ok(())
            } else if report.mismatches.is_empty() {
                bail!(
                    "stock ledger BROKEN: {} faults in the levels' chains of movements (SQLite; \
                     the stock card of those products misses movements)",
                    report.broken_chains
                )
            } else {
                for m in report.mismatches.iter().take(20) {
                    println!(
                        "MISMATCH location {} product {}: on hand {} but movements sum to {} (thousandths)",
                        m.location_id, m.product_id, m.on_hand_milli, m.movements_milli
                    );
                }
                bail!(
                    "stock ledger BROKEN: {} of {} levels disagree with their movements",
                    report.mismatches.len(),
                    report.levels
                )
            }
        }
    }
}

/// Turns a store error into a message that names what is wrong.
fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(errors) => anyhow!(
            "{}",
            errors
                .iter()
                .map(|f| format!("{}: {}", f.field.trim_start_matches('/'), f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        StoreError::Conflict { field, message } => {
            anyhow!("{}: {message}", field.trim_start_matches('/'))
        }
        other => anyhow!("{other}"),
    }
}

/// Opens the database named by the flags and applies migrations.
async fn open(g: &Global) -> anyhow::Result<Db> {
    let url = match &g.database_url {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all(&g.data_dir).with_context(|| {
                format!("cannot create the data folder {}", g.data_dir.display())
            })?;
            DbOptions::sqlite_in(&g.data_dir)
        }
    };
    let opts = DbOptions {
        url,
        max_connections: g.db_connections,
        allow_async_commit: g.allow_async_commit,
    };
    let db = Db::connect(&opts)
        .await
        .map_err(explain)
        .context("cannot open the database")?;
    let applied = db.migrate().await.map_err(explain)?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    Ok(db)
}

async fn seed_demo(db: &Db, days: i64) -> anyhow::Result<()> {
    let admin_pw = std::env::var("SALEPOINT_ADMIN_PASSWORD").ok();
    match demo::seed(db, admin_pw).await.map_err(explain)? {
        None => println!("The database already holds data; the demo chain was not added."),
        Some(logins) => {
            let started = std::time::Instant::now();
            let company = bootstrap::first_company(db).await.map_err(explain)?;
            let hash = salepoint_store::secrets::hash_password(demo::DEMO_PASSWORD.into())
                .await
                .map_err(explain)?;
            let members = salepoint_store::demo_customers::seed(db, company)
                .await
                .map_err(explain)?;
            let h = salepoint_store::demo_sales::seed(db, company, days, &hash, &members)
                .await
                .map_err(explain)?;
            salepoint_store::demo_inventory::seed(db, company)
                .await
                .map_err(explain)?;
            // The history's sales in the analytics rollups, so reports start complete: set-based
            // (the worker's batches took 28 s for the demo's 100,000 sales, this 9.5 s).
            salepoint_store::analytics::verify::rebuild(db)
                .await
                .map_err(explain)?;
            demo::analyze(db).await.map_err(explain)?;
            println!(
                "Opening stock at every store; {} sales and {} returns over {days} days ({:.1} s).",
                h.sales,
                h.returns,
                started.elapsed().as_secs_f64()
            );
            println!(
                "Demo chain created: 鲜丰汇连锁超市, 3 regions, 20 stores, 2 warehouses, 8 suppliers, purchase orders and transfers in every state."
            );
            println!("Logins (one per role):");
            for l in logins {
                println!(
                    "  {:<17} {:<15} password: {:<22} sees: {}",
                    l.role.as_str(),
                    l.username,
                    l.password,
                    l.scope
                );
            }
        }
    }
    Ok(())
}

async fn serve(
    g: &Global,
    listen: &str,
    demo_days: Option<i64>,
    secure_cookies: bool,
) -> anyhow::Result<()> {
    let db = open(g).await?;
    if let Some(days) = demo_days {
        seed_demo(&db, days).await?;
    } else {
        let admin_pw = std::env::var("SALEPOINT_ADMIN_PASSWORD").ok();
        if let Some(init) = bootstrap::initialize(&db, admin_pw)
            .await
            .map_err(explain)?
        {
            match init.generated_password {
                Some(pw) => println!(
                    "Created the administrator: username admin, password {pw}\n(shown once: write it down, or set SALEPOINT_ADMIN_PASSWORD before the first start)"
                ),
                None => println!(
                    "Created the administrator: username admin, password from SALEPOINT_ADMIN_PASSWORD"
                ),
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let cfg = salepoint_server::state::ServerConfig {
        secure_cookies,
        ..Default::default()
    };
    tokio::spawn(housekeeping(db.clone(), cfg.auth.clone()));
    salepoint_store::analytics::rollup::start(db.clone());
    tokio::spawn(salepoint_store::customers::tasks::reminder_loop(db.clone()));
    let app = salepoint_server::app(db.clone(), cfg);
    println!(
        "Salepoint is running at http://{addr}/  (API docs: http://{addr}/api/docs; Ctrl-C stops)"
    );
    salepoint_server::serve(listener, app, shutdown_signal()).await?;
    db.pool.close().await;
    println!("Salepoint stopped.");
    Ok(())
}

/// Every ten minutes: drops idempotency keys past their retention, old login failures and
/// dead sessions, and expires points past their date. Safe to run on several servers at once.
async fn housekeeping(db: Db, auth: salepoint_store::sessions::AuthConfig) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let keys = salepoint_store::idempotency::purge(&db).await;
        let sessions = salepoint_store::sessions::purge(&db, &auth).await;
        let points = salepoint_store::customers::expiry::expire_due(&db).await;
        match (keys, sessions, points) {
            (Ok(k), Ok(s), Ok(p)) => {
                tracing::debug!(
                    idempotency_keys = k,
                    auth_rows = s,
                    points_expired = p,
                    "housekeeping done"
                )
            }
            (k, s, p) => tracing::warn!(?k, ?s, ?p, "housekeeping failed; will retry"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Reads a password: from standard input when it is not a terminal, else from a prompt asked
/// twice.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        if pw.is_empty() {
            bail!("no password on standard input");
        }
        return Ok(pw);
    }
    let a = rpassword::prompt_password("New password: ")?;
    let b = rpassword::prompt_password("Repeat it: ")?;
    if a != b {
        bail!("the two passwords differ");
    }
    Ok(a)
}

async fn find_user(db: &Db, username: &str) -> anyhow::Result<users::User> {
    let creds = users::credentials(db, username)
        .await
        .map_err(explain)?
        .ok_or_else(|| anyhow!("no user named {username}"))?;
    users::get_unscoped(db, &creds.id).await.map_err(explain)
}

async fn user(g: &Global, cmd: UserCommand) -> anyhow::Result<()> {
    let db = open(g).await?;
    let company = bootstrap::first_company(&db).await.map_err(|_| {
        anyhow!("the database is empty: run `salepoint serve` or `salepoint demo` first")
    })?;
    let system = Principal::system(company);
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            stores,
            regions,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow!(
                    "unknown role {role}; one of: {}",
                    Role::ALL
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let all = org::list_locations(
                &db,
                &system,
                &Default::default(),
                &PageRequest {
                    limit: 10_000,
                    after: None,
                },
            )
            .await
            .map_err(explain)?;
            let mut store_ids: Vec<StoreId> = Vec::new();
            for code in &stores {
                let found = all
                    .data
                    .iter()
                    .find(|l| &l.code == code)
                    .ok_or_else(|| anyhow!("--store {code}: no such store or warehouse"))?;
                store_ids.push(found.id);
            }
            let all_regions = org::list_regions(
                &db,
                &system,
                &PageRequest {
                    limit: 200,
                    after: None,
                },
            )
            .await
            .map_err(explain)?;
            let mut region_ids: Vec<RegionId> = Vec::new();
            for code in &regions {
                let found = all_regions
                    .data
                    .iter()
                    .find(|r| &r.code == code)
                    .ok_or_else(|| anyhow!("--region {code}: no such region"))?;
                region_ids.push(found.id);
            }
            let password = read_password()?;
            let input = NewUser {
                username: username.clone(),
                display_name: name,
                phone: None,
                locale: None,
                role,
                password,
                store_ids,
                region_ids,
            };
            let u = users::create(&db, &system, &input, None, None)
                .await
                .map_err(explain)?;
            println!("added {} ({}) as {}", u.username, u.id, u.role.as_str());
        }
        UserCommand::List => {
            let page = users::list(
                &db,
                &system,
                &UserFilter::default(),
                &PageRequest {
                    limit: 200,
                    after: None,
                },
            )
            .await
            .map_err(explain)?;
            println!("{:<20} {:<18} {:<8} NAME", "USERNAME", "ROLE", "ACTIVE");
            for u in page.data {
                println!(
                    "{:<20} {:<18} {:<8} {}",
                    u.username,
                    u.role.as_str(),
                    if u.active { "yes" } else { "no" },
                    u.display_name
                );
            }
        }
        UserCommand::Disable { username } => {
            let u = find_user(&db, &username).await?;
            let update = UserUpdate {
                display_name: u.display_name.clone(),
                phone: u.phone.clone(),
                locale: u.locale,
                role: u.role,
                active: false,
                store_ids: u.store_ids.clone(),
                region_ids: u.region_ids.clone(),
                version: Some(u.version),
            };
            users::update(&db, &system, u.id, &update, None)
                .await
                .map_err(explain)?;
            println!("disabled {username}; their sessions have ended");
        }
        UserCommand::ResetPassword { username } => {
            let u = find_user(&db, &username).await?;
            let password = read_password()?;
            users::reset_password(&db, &system, u.id, &password, None)
                .await
                .map_err(explain)?;
            println!("password of {username} changed; their sessions have ended");
        }
    }
    Ok(())
}

async fn system_principal(db: &Db) -> anyhow::Result<Principal> {
    let company = bootstrap::first_company(db).await.map_err(|_| {
        anyhow!("the database is empty: run `salepoint serve` or `salepoint demo` first")
    })?;
    Ok(Principal::system(company))
}

async fn import_products(
    g: &Global,
    file: &std::path::Path,
    dry_run: bool,
    skip_invalid: bool,
) -> anyhow::Result<()> {
    use salepoint_store::catalog::import;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = open(g).await?;
    let system = system_principal(&db).await?;
    let opts = import::ImportOptions {
        dry_run,
        skip_invalid,
    };
    let report = import::import(&db, &system, &bytes, opts)
        .await
        .map_err(explain)?;
    for e in &report.errors {
        let place = match (e.row, e.column.as_str()) {
            (0, _) => "file".to_string(),
            (r, "") => format!("row {r}"),
            (r, c) => format!("row {r}, column {c}"),
        };
        if e.value.is_empty() {
            eprintln!("{}: {place}: {}", file.display(), e.message);
        } else {
            eprintln!("{}: {place}: {:?}: {}", file.display(), e.value, e.message);
        }
    }
    println!(
        "{} rows ({}), {} valid: {} created, {} updated, {} unchanged, {} skipped{}",
        report.total_rows,
        report.encoding,
        report.valid_rows,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
        if report.applied {
            ""
        } else if dry_run {
            " (dry run: nothing changed)"
        } else {
            " (nothing changed)"
        }
    );
    if skip_invalid
        && !report.bad_rows.is_empty()
        && let Some(csv) = import::error_file(&bytes, &report)
    {
        let path = file.with_extension(format!(
            "{}errors.csv",
            file.extension()
                .map(|e| format!("{}.", e.to_string_lossy()))
                .unwrap_or_default()
        ));
        std::fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?;
        println!("bad rows written to {}", path.display());
    }
    // With --skip-invalid the bad rows are reported and written aside, not a failure.
    let tolerated = skip_invalid && (report.applied || dry_run);
    if !report.errors.is_empty() && !tolerated {
        bail!("{} problem(s) in {}", report.errors.len(), file.display());
    }
    Ok(())
}

async fn export_products(g: &Global, output: &std::path::Path, lang: &str) -> anyhow::Result<()> {
    use salepoint_store::catalog::export::{self, Format, Lang};
    let format = match output.extension().and_then(|e| e.to_str()) {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        _ => bail!("--output must end in .csv or .xlsx"),
    };
    let lang = if lang == "en" { Lang::En } else { Lang::Zh };
    let db = open(g).await?;
    let system = system_principal(&db).await?;
    let rows = export::rows(&db, &system, &Default::default(), lang)
        .await
        .map_err(explain)?;
    let bytes = export::render(&rows, format).map_err(explain)?;
    std::fs::write(output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
    println!(
        "{} products written to {}",
        rows.len() - 1,
        output.display()
    );
    Ok(())
}
