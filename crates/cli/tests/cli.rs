//! The binary as a store's IT person uses it: demo, users (passwords on standard input),
//! audit verification, serve with graceful shutdown, and PostgreSQL's durability check.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

fn salepoint(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_salepoint"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SALEPOINT_DATABASE_URL")
        .env("SALEPOINT_ADMIN_PASSWORD", "Adm1n-Test-Passw0rd!")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn demo_users_and_audit_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = salepoint(d, &["demo", "--demo-days", "2"], None);
    assert!(demo.status.success(), "{}", text(&demo));
    assert!(text(&demo).contains("cashier.sh001"));
    assert!(
        text(&demo).contains("returns over 2 days"),
        "the demo writes a sales history: {}",
        text(&demo)
    );
    let again = salepoint(d, &["demo"], None);
    assert!(text(&again).contains("already holds data"));

    let add = salepoint(
        d,
        &[
            "user", "add", "li.lei", "--name", "李雷", "--role", "cashier", "--store", "SH002",
        ],
        Some("Kassa-Tests-2026!x\n"),
    );
    assert!(add.status.success(), "{}", text(&add));
    let list = salepoint(d, &["user", "list"], None);
    assert!(text(&list).contains("li.lei"));

    let weak = salepoint(
        d,
        &[
            "user",
            "add",
            "han.mei",
            "--name",
            "韩梅梅",
            "--role",
            "cashier",
            "--store",
            "SH002",
        ],
        Some("12345678\n"),
    );
    assert!(!weak.status.success());
    assert!(text(&weak).contains("password"), "{}", text(&weak));
    let bad_store = salepoint(
        d,
        &[
            "user",
            "add",
            "han.mei",
            "--name",
            "韩梅梅",
            "--role",
            "cashier",
            "--store",
            "NOPE",
        ],
        Some("Kassa-Tests-2026!x\n"),
    );
    assert!(!bad_store.status.success());
    assert!(
        text(&bad_store).contains("--store NOPE"),
        "{}",
        text(&bad_store)
    );
    let bad_role = salepoint(
        d,
        &["user", "add", "han.mei", "--name", "x", "--role", "boss"],
        Some("Kassa-Tests-2026!x\n"),
    );
    assert!(text(&bad_role).contains("unknown role boss"));
    let dup = salepoint(
        d,
        &[
            "user", "add", "li.lei", "--name", "x", "--role", "cashier", "--store", "SH002",
        ],
        Some("Kassa-Tests-2026!x\n"),
    );
    assert!(text(&dup).contains("username"), "{}", text(&dup));

    let disable = salepoint(d, &["user", "disable", "li.lei"], None);
    assert!(disable.status.success(), "{}", text(&disable));
    let reset = salepoint(
        d,
        &["user", "reset-password", "li.lei"],
        Some("Another-Strong-Pass-9\n"),
    );
    assert!(reset.status.success(), "{}", text(&reset));
    let list = salepoint(d, &["user", "list"], None);
    let line = text(&list)
        .lines()
        .find(|l| l.starts_with("li.lei"))
        .unwrap()
        .to_string();
    assert!(line.contains(" no "), "{line}");

    let stock = salepoint(d, &["stock", "verify"], None);
    assert!(stock.status.success(), "{}", text(&stock));
    assert!(text(&stock).contains("OK:"), "{}", text(&stock));
    let ok = salepoint(d, &["audit", "verify"], None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).starts_with("OK"));

    // Tamper with the file behind the server's back: verify names the row and fails.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = salepoint_store::Db::connect(&salepoint_store::db::DbOptions {
            url: salepoint_store::db::DbOptions::sqlite_in(d),
            max_connections: 1,
            allow_async_commit: false,
        })
        .await
        .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&db.pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2")
            .execute(&db.pool)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE stock_levels SET on_hand_milli = on_hand_milli + 1 \
             WHERE product_id = (SELECT MIN(product_id) FROM stock_levels)",
        )
        .execute(&db.pool)
        .await
        .unwrap();
        db.pool.close().await;
    });
    let stock = salepoint(d, &["stock", "verify"], None);
    assert!(!stock.status.success());
    assert!(text(&stock).contains("MISMATCH"), "{}", text(&stock));
    let broken = salepoint(d, &["audit", "verify"], None);
    assert!(!broken.status.success());
    assert!(
        text(&broken).contains("BROKEN at row 2"),
        "{}",
        text(&broken)
    );
}

#[test]
fn serve_prints_admin_password_and_url_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_salepoint"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("SALEPOINT_ADMIN_PASSWORD")
        .env_remove("SALEPOINT_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut password = None;
    let url = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) =
            line.strip_prefix("Created the administrator: username admin, password ")
        {
            password = Some(rest.trim().to_string());
        }
        if let Some(i) = line.find("http://") {
            break line[i..].split_whitespace().next().unwrap().to_string();
        }
    };
    let password = password.expect("a generated password is printed once");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        assert_eq!(
            c.get(format!("{url}healthz"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let r = c
            .post(format!("{url}api/v1/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("Salepoint stopped")),
        "{rest:?}"
    );
}

#[test]
fn postgres_with_asynchronous_commit_is_refused_unless_accepted() {
    let Ok(base) = std::env::var("SALEPOINT_TEST_PG_URL") else {
        eprintln!("SALEPOINT_TEST_PG_URL not set: the PostgreSQL half of this test runs in CI");
        return;
    };
    // A database of its own: the shared one may hold any earlier state.
    let name = format!("sp_test_cli_{}", std::process::id());
    let rt = tokio::runtime::Runtime::new().unwrap();
    // One statement through SALEPOINT_TEST_PG_URL (creating and dropping the database).
    let admin = |sql: String| {
        rt.block_on(async {
            let admin = salepoint_store::Db::connect(&salepoint_store::db::DbOptions {
                url: base.clone(),
                max_connections: 1,
                allow_async_commit: false,
            })
            .await
            .unwrap();
            sqlx::query(&sql).execute(&admin.pool).await.unwrap();
            admin.pool.close().await;
        })
    };
    admin(format!("CREATE DATABASE {name}"));
    let (server, _) = base.rsplit_once('/').expect("a URL with a database name");
    let url = format!("{server}/{name}?options=-c%20synchronous_commit%3Doff");
    let dir = tempfile::tempdir().unwrap();
    let refused = salepoint(dir.path(), &["migrate", "--database-url", &url], None);
    let accepted = salepoint(
        dir.path(),
        &["migrate", "--database-url", &url, "--allow-async-commit"],
        None,
    );
    // Both commands have exited: drop the database before asserting, so that a failure does
    // not leave it behind either.
    admin(format!("DROP DATABASE {name}"));
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("synchronous_commit"),
        "{}",
        text(&refused)
    );
    assert!(accepted.status.success(), "{}", text(&accepted));
}

/// The pool size is a setting; one too small for the sale writer is refused before anything
/// opens, naming the flag and the range.
#[test]
fn a_pool_too_small_for_the_sale_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let small = salepoint(dir.path(), &["migrate", "--db-connections", "2"], None);
    assert!(!small.status.success());
    let said = text(&small);
    assert!(
        said.contains("--db-connections") && said.contains("4..=1000"),
        "{said}"
    );
    assert!(!dir.path().join("salepoint.db").exists(), "{said}");
    let ok = salepoint(dir.path(), &["migrate", "--db-connections", "4"], None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(dir.path().join("salepoint.db").exists());
}
