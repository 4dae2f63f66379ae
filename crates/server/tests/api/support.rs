//! Test support: a real server on 127.0.0.1:0 over a fresh database (a temp SQLite file, and
//! a fresh PostgreSQL database when SALEPOINT_TEST_PG_URL is set, dropped with the app),
//! seeded with the demo chain, and a small HTTP client.

use reqwest::{Method, StatusCode};
use salepoint_store::Db;
use salepoint_store::db::DbOptions;
use serde_json::{Value, json};
use sqlx::Connection;
use std::net::SocketAddr;

pub const ADMIN_PASSWORD: &str = "Adm1n-Test-Passw0rd!";
pub const DEMO_PASSWORD: &str = salepoint_store::demo::DEMO_PASSWORD;

/// Which database a test app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when SALEPOINT_TEST_PG_URL is set.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var("SALEPOINT_TEST_PG_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Backend::Postgres);
    }
    v
}

/// A running app.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

/// A PostgreSQL database made for one test app, dropped when the app is (also when its test
/// fails), so that runs do not pile up `sp_test_*` databases. A run that is killed leaves its
/// own behind. Each DROP DATABASE makes PostgreSQL run a checkpoint (1–2 s on a busy server),
/// paid by the test that dropped it.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and no runtime can be blocked on from inside the test's own: drop
        // the database from a thread with a runtime of its own. FORCE closes the connections
        // the app (still running in the test's runtime) holds.
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        // No panic here: this may run while a failed test unwinds.
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("test database {} not dropped: {e}", self.name),
            Err(_) => eprintln!("test database {} not dropped", self.name),
        }
    }
}

/// A response: status, headers and JSON body (Null when empty).
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    /// The problem `code`, if the body is a problem document.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// The URL of a fresh database, and for PostgreSQL the database to drop with the app.
async fn database_url(backend: Backend, dir: &std::path::Path) -> (String, Option<PgDatabase>) {
    match backend {
        Backend::Sqlite => (DbOptions::sqlite_in(dir), None),
        Backend::Postgres => {
            let admin_url = std::env::var("SALEPOINT_TEST_PG_URL").unwrap();
            let name = format!("sp_test_{}", uuid::Uuid::now_v7().simple());
            let admin = Db::connect(&DbOptions {
                url: admin_url.clone(),
                max_connections: 1,
                allow_async_commit: false,
            })
            .await
            .expect("connect to SALEPOINT_TEST_PG_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .expect("create test database");
            admin.pool.close().await;
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("a URL with a database name");
            (
                format!("{base}/{name}"),
                Some(PgDatabase { admin_url, name }),
            )
        }
    }
}

/// Starts the app on a fresh database seeded with the demo chain.
pub async fn spawn(backend: Backend) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = database_url(backend, dir.path()).await;
    let db = Db::connect(&DbOptions {
        url,
        max_connections: 8,
        allow_async_commit: false,
    })
    .await
    .unwrap();
    db.migrate().await.unwrap();
    salepoint_store::demo::seed(&db, Some(ADMIN_PASSWORD.into()))
        .await
        .unwrap()
        .unwrap();
    let app = salepoint_server::app(db.clone(), Default::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(salepoint_server::serve(
        listener,
        app,
        std::future::pending(),
    ));
    TestApp {
        base: format!("http://{addr}"),
        db,
        http: reqwest::Client::new(),
        _dir: dir,
        _pg: pg,
    }
}

impl TestApp {
    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        self.call_with(method, path, token, body, &[]).await
    }

    /// Like `call`, with extra headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Res {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Res {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Res {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// Logs in and returns the bearer token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }

    pub async fn admin(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    pub async fn demo_user(&self, username: &str) -> String {
        self.login(username, DEMO_PASSWORD).await
    }

    /// The id of the location with `code` (as admin sees it).
    pub async fn store_id(&self, code: &str) -> String {
        let admin = self.admin().await;
        let r = self
            .get(&admin, &format!("/api/v1/stores?q={code}&limit=200"))
            .await;
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap_or_else(|| panic!("no store {code}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The id of the user `username` (as admin sees it).
    pub async fn user_id(&self, username: &str) -> String {
        let admin = self.admin().await;
        let r = self
            .get(&admin, &format!("/api/v1/users?q={username}"))
            .await;
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == username)
            .unwrap_or_else(|| panic!("no user {username}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}
