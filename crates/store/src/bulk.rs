//! Multi-row statements: a batch of sales is written with one INSERT per table instead of one
//! per row, because round trips, not the disk, are what a sale costs (docs/benchmarks.md).

use crate::db::Tx;
use crate::error::StoreResult;
use crate::sql::Sql;

/// A value of one column of a row.
#[derive(Clone, Debug)]
pub enum Val {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}

/// Parameters per statement, under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;

fn push_row(q: &mut Sql, row: &[Val]) {
    q.push("(");
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        match v {
            Val::Text(s) => q.bind(s.clone()),
            Val::OptText(s) => q.bind(s.clone()),
            Val::Int(n) => q.bind(*n),
            Val::OptInt(n) => q.bind(*n),
        };
    }
    q.push(")");
}

/// Runs `head` (`INSERT INTO t (a, b) VALUES `) with `rows`, in as few statements as the
/// parameter limits allow, each followed by `tail` (an `ON CONFLICT` or `RETURNING` clause);
/// returns the rows a `RETURNING` tail gives back. On SQLite the rows travel as one JSON
/// parameter, which binds far faster than thousands of values. Its rows are first turned into
/// JSONB once each (a materialized CTE): `json_each` hands a row out as text, and reading 30
/// columns straight from it converted and parsed that text 30 times.
pub async fn insert(
    tx: &mut Tx,
    head: &str,
    rows: &[Vec<Val>],
    tail: &str,
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::new();
    let Some(first) = rows.first() else {
        return Ok(out);
    };
    if tx.backend == crate::db::Backend::Sqlite {
        let sql = sqlite_insert(head, first.len(), tail, 1);
        out.extend(
            sqlx::query(&sql)
                .bind(rows_json(rows))
                .fetch_all(&mut **tx)
                .await?,
        );
        return Ok(out);
    }
    let per = (MAX_PARAMS / first.len().max(1)).max(1);
    for chunk in rows.chunks(per) {
        let mut q = Sql::for_backend(tx.backend, head);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            push_row(&mut q, row);
        }
        q.push(tail);
        let (sql, args) = q.build();
        // Not kept prepared: the text changes with the number of rows, and every variant kept
        // in each connection's statement cache (and as a prepared statement in its
        // PostgreSQL backend) held tens of kilobytes to run once or twice.
        out.extend(
            sqlx::query_with(&sql, args)
                .persistent(false)
                .fetch_all(&mut **tx)
                .await?,
        );
    }
    Ok(out)
}

pub(crate) fn row_json(row: &[Val]) -> serde_json::Value {
    serde_json::Value::Array(
        row.iter()
            .map(|v| match v {
                Val::Text(s) => serde_json::Value::from(s.as_str()),
                Val::OptText(s) => s.as_deref().map_or(serde_json::Value::Null, Into::into),
                Val::Int(n) => serde_json::Value::from(*n),
                Val::OptInt(n) => n.map_or(serde_json::Value::Null, Into::into),
            })
            .collect(),
    )
}

/// SQLite's form of [`insert`]: the rows of parameter `$param` (a JSON array of arrays) turned
/// into JSONB once each, then inserted.
fn sqlite_insert(head: &str, cols: usize, tail: &str, param: usize) -> String {
    let select = (0..cols)
        .map(|i| format!("r.v ->> {i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let into = head.trim_end().trim_end_matches("VALUES").trim_end();
    // `WHERE true` lets SQLite tell an upsert's ON CONFLICT from a join constraint.
    format!(
        "WITH r(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(${param})) \
         {into} SELECT {select} FROM r WHERE true{tail}"
    )
}

fn rows_json(rows: &[Vec<Val>]) -> String {
    serde_json::Value::Array(rows.iter().map(|r| row_json(r)).collect()).to_string()
}

/// Statements sent to SQLite as one request, each with its rows as one JSON parameter: each
/// statement sent alone is a hand-off to the connection's thread and back, and under load the
/// writer waits for that thread to be scheduled every time (the sale writer's rows step: 720
/// -> 545 µs a batch at 8 registers).
#[derive(Default)]
pub struct SqliteBatch {
    sql: String,
    args: Vec<String>,
}

impl SqliteBatch {
    /// Adds an [`insert`] of `rows` (nothing when there are none); returns the number of the
    /// JSON parameter that holds the rows, for a later [`SqliteBatch::push`] to read them again.
    pub fn insert(&mut self, head: &str, rows: &[Vec<Val>], tail: &str) -> Option<usize> {
        let cols = rows.first()?.len();
        self.statement(|param| sqlite_insert(head, cols, tail, param), rows)
    }

    /// Adds the statement `make(n)` reading `rows` as the JSON array `$n` (nothing when there
    /// are no rows); returns `n`.
    pub fn statement(
        &mut self,
        make: impl FnOnce(usize) -> String,
        rows: &[Vec<Val>],
    ) -> Option<usize> {
        let n = self.param(rows)?;
        self.push(&make(n));
        Some(n)
    }

    /// Adds `rows` as a JSON parameter for later statements to read; returns its number
    /// (nothing when there are no rows).
    pub fn param(&mut self, rows: &[Vec<Val>]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        self.args.push(rows_json(rows));
        Some(self.args.len())
    }

    /// Adds a statement that reads no new parameter (it may read the earlier ones).
    pub fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
        self.sql.push_str(";\n");
    }

    /// Runs the statements in `tx`, in the order they were added.
    pub async fn run(self, tx: &mut Tx) -> StoreResult<()> {
        if self.sql.is_empty() {
            return Ok(());
        }
        self.query().execute(&mut **tx).await?;
        Ok(())
    }

    /// Runs the statements in `tx` and returns the rows they give (a statement that returns
    /// many rows should return them as one JSON row: each row is a hand-off of its own).
    pub async fn fetch(self, tx: &mut Tx) -> StoreResult<Vec<sqlx::any::AnyRow>> {
        Ok(self.query().fetch_all(&mut **tx).await?)
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in &self.args {
            q = q.bind(a.as_str());
        }
        q
    }
}
