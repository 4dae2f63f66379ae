//! Loading generated rows fast: on PostgreSQL with `COPY … FROM STDIN` over a direct
//! connection (the `Any` driver has no COPY), on SQLite with one multi-row INSERT per few
//! thousand rows, the rows travelling as one JSON parameter (`json_each`), as the store's own
//! multi-row writer does. Each [`Loader::write`] is one transaction.

use anyhow::Context;
use salepoint_store::Db;
use salepoint_store::db::Backend;

/// A value of one column.
#[derive(Clone, Debug)]
pub(crate) enum V {
    T(String),
    I(i64),
    Null,
}

impl From<&str> for V {
    fn from(s: &str) -> Self {
        V::T(s.to_string())
    }
}
impl From<String> for V {
    fn from(s: String) -> Self {
        V::T(s)
    }
}
impl From<i64> for V {
    fn from(n: i64) -> Self {
        V::I(n)
    }
}
impl<T: Into<V>> From<Option<T>> for V {
    fn from(v: Option<T>) -> Self {
        v.map_or(V::Null, Into::into)
    }
}

/// Rows for one table.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [&'static str],
    pub(crate) rows: Vec<Vec<V>>,
}

impl Table {
    pub(crate) fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Table {
            name,
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one value per column.
    pub(crate) fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.name);
        self.rows.push(row);
    }
}

/// Where generated rows go.
pub(crate) enum Loader {
    Sqlite(Db),
    Postgres(sqlx::PgPool),
}

/// Rows per INSERT statement on SQLite.
const SQLITE_ROWS: usize = 5_000;

impl Loader {
    /// A loader for the server's database (a direct PostgreSQL pool for COPY).
    pub(crate) async fn new(db: &Db, url: Option<&str>) -> anyhow::Result<Loader> {
        Ok(match (db.backend, url) {
            (Backend::Postgres, Some(url)) => Loader::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await
                    .context("a direct PostgreSQL connection for COPY")?,
            ),
            _ => Loader::Sqlite(db.clone()),
        })
    }

    /// Writes every table's rows, in order, in one transaction; empties them.
    pub(crate) async fn write(&self, tables: &mut [&mut Table]) -> anyhow::Result<()> {
        match self {
            Loader::Sqlite(db) => {
                let mut tx = db.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                for t in tables.iter_mut() {
                    let select = (0..t.columns.len())
                        .map(|i| format!("j.value ->> {i}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "INSERT INTO {} ({}) SELECT {select} FROM json_each($1) AS j",
                        t.name,
                        t.columns.join(", ")
                    );
                    for chunk in t.rows.chunks(SQLITE_ROWS) {
                        sqlx::query(&sql)
                            .bind(json_rows(chunk))
                            .execute(&mut *tx)
                            .await
                            .with_context(|| format!("INSERT INTO {}", t.name))?;
                    }
                    t.rows.clear();
                }
                tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            Loader::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET LOCAL synchronous_commit = off")
                    .execute(&mut *tx)
                    .await?;
                for t in tables.iter_mut() {
                    let conn: &mut sqlx::PgConnection = &mut tx;
                    let mut copy = conn
                        .copy_in_raw(&format!(
                            "COPY {} ({}) FROM STDIN",
                            t.name,
                            t.columns.join(", ")
                        ))
                        .await?;
                    copy.send(copy_text(&t.rows)).await?;
                    copy.finish()
                        .await
                        .with_context(|| format!("COPY {}", t.name))?;
                    t.rows.clear();
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

fn json_rows(rows: &[Vec<V>]) -> String {
    let arr: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::Value::Array(
                r.iter()
                    .map(|v| match v {
                        V::T(s) => serde_json::Value::from(s.as_str()),
                        V::I(n) => serde_json::Value::from(*n),
                        V::Null => serde_json::Value::Null,
                    })
                    .collect(),
            )
        })
        .collect();
    serde_json::Value::Array(arr).to_string()
}

/// Rows in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_text(rows: &[Vec<V>]) -> Vec<u8> {
    let mut out = String::with_capacity(rows.len() * 128);
    for r in rows {
        for (i, v) in r.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            match v {
                V::Null => out.push_str("\\N"),
                V::I(n) => out.push_str(&n.to_string()),
                V::T(s) => {
                    for c in s.chars() {
                        match c {
                            '\\' => out.push_str("\\\\"),
                            '\t' => out.push_str("\\t"),
                            '\n' => out.push_str("\\n"),
                            '\r' => out.push_str("\\r"),
                            c => out.push(c),
                        }
                    }
                }
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}
