//! The sale writer's (and the product import's) multi-row statements on PostgreSQL: one array
//! parameter per column (`INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)`) instead
//! of one bound value per cell. A batch of 50 sales is ~10,000 cells; binding them one by one
//! cost the single writer more than the statements themselves (docs/benchmarks.md, Checkout),
//! and parsing the same rows as JSON in the backend cost more still. SQLite keeps
//! `bulk::insert` (one JSON parameter read by `json_each`, which binds fast there).

use crate::bulk::{self, Val};
use crate::db::{Backend, Tx};
use crate::error::StoreResult;
use crate::sql::Sql;
use std::fmt::Write;

/// Runs `head` (`INSERT INTO t (a, b) VALUES `) with `rows`, each followed by `tail` (an
/// `ON CONFLICT` or `RETURNING` clause); returns the rows a `RETURNING` tail gives back. Every
/// row must have the same columns with the same kinds of values (text or integer, NULL or not).
pub async fn insert(
    tx: &mut Tx,
    head: &str,
    rows: &[Vec<Val>],
    tail: &str,
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    if tx.backend != Backend::Postgres {
        return bulk::insert(tx, head, rows, tail).await;
    }
    let part = Part::insert(head, rows, tail);
    let (sql, binds) = part.render(0);
    Ok(bind_all(&sql, binds).fetch_all(&mut **tx).await?)
}

/// One statement of [`write_all`]: its text, where `{u}` stands for `unnest(<one array
/// parameter per column>) AS u`, and its rows.
pub(crate) struct Part<'a> {
    sql: std::borrow::Cow<'a, str>,
    rows: &'a [Vec<Val>],
}

impl<'a> Part<'a> {
    /// A statement over `rows` given as the table `{u}` (e.g. `UPDATE t SET … FROM {u}(a, b)`).
    pub(crate) fn new(sql: &'a str, rows: &'a [Vec<Val>]) -> Part<'a> {
        Part {
            sql: sql.into(),
            rows,
        }
    }

    /// The statement with `{u}` written out, its parameters numbered after `before` others,
    /// and those parameters: one array per column, typed by the first row (rows must not be
    /// empty).
    fn render(&self, before: usize) -> (String, Vec<String>) {
        let types: Vec<&str> = self.rows[0]
            .iter()
            .map(|v| match v {
                Val::Text(_) | Val::OptText(_) => "text",
                Val::Int(_) | Val::OptInt(_) => "bigint",
            })
            .collect();
        let columns = types
            .iter()
            .enumerate()
            .map(|(i, t)| format!("${}::{t}[]", before + i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        (
            self.sql.replace("{u}", &format!("unnest({columns}) AS u")),
            arrays(self.rows, types.len()),
        )
    }

    /// `head` (`INSERT INTO t (a, b) VALUES `) of `rows`, followed by `tail`, as [`insert`]
    /// writes it.
    pub(crate) fn insert(head: &str, rows: &'a [Vec<Val>], tail: &str) -> Part<'a> {
        let into = head.trim_end().trim_end_matches("VALUES").trim_end();
        Part {
            sql: format!("{into} SELECT * FROM {{u}}{tail}").into(),
            rows,
        }
    }
}

/// PostgreSQL: runs `parts` in one statement — one round trip for all the rows of a sale
/// batch — each part with rows a data-modifying CTE (executed exactly once, foreign keys
/// checked at the end of the statement); parts without rows are left out. The text depends
/// on which parts have rows and on their columns' kinds, not on the number of rows, so the
/// few variants are each prepared once per connection.
pub(crate) async fn write_all(tx: &mut Tx, parts: &[Part<'_>]) -> StoreResult<()> {
    debug_assert!(tx.backend == Backend::Postgres);
    let (mut sql, binds) = with_parts(parts);
    if sql.is_empty() {
        return Ok(());
    }
    sql.push_str(" SELECT 1");
    bind_all(&sql, binds).execute(&mut **tx).await?;
    Ok(())
}

/// The `WITH` clause of the `parts` that have rows, named `w0`, `w1`, … in order, and its
/// parameters (one array per column); empty without rows.
pub(crate) fn with_parts(parts: &[Part<'_>]) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds: Vec<String> = Vec::new();
    for (n, part) in parts.iter().filter(|p| !p.rows.is_empty()).enumerate() {
        let (statement, arrays) = part.render(binds.len());
        binds.extend(arrays);
        let _ = write!(
            sql,
            "{}w{n} AS ({statement})",
            if n == 0 { "WITH " } else { ", " }
        );
    }
    (sql, binds)
}

/// `sql` with `binds` bound in order.
pub(crate) fn bind_all(
    sql: &str,
    binds: Vec<String>,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    let mut q = sqlx::query(sql);
    for a in binds {
        q = q.bind(a);
    }
    q
}

/// The `columns` columns of `rows` as PostgreSQL array literals (`{"a","b",NULL}`, `{1,2}`),
/// one per column, to bind as `$n::text[]` or `$n::bigint[]`; `{}` for each when there are no
/// rows. A statement written this way has the same text whatever the number of rows, so it is
/// prepared once per connection.
pub(crate) fn arrays(rows: &[Vec<Val>], columns: usize) -> Vec<String> {
    let mut arrays: Vec<String> = (0..columns)
        .map(|_| {
            let mut a = String::with_capacity(rows.len() * 16 + 2);
            a.push('{');
            a
        })
        .collect();
    for (r, row) in rows.iter().enumerate() {
        for (a, v) in arrays.iter_mut().zip(row) {
            if r > 0 {
                a.push(',');
            }
            match v {
                Val::Text(s) | Val::OptText(Some(s)) => quote(a, s),
                Val::Int(n) | Val::OptInt(Some(n)) => {
                    let _ = write!(a, "{n}");
                }
                Val::OptText(None) | Val::OptInt(None) => a.push_str("NULL"),
            }
        }
    }
    for a in arrays.iter_mut() {
        a.push('}');
    }
    arrays
}

/// Appends `column IN (values)`. PostgreSQL: `column = ANY($n::text[])`, one array parameter,
/// so that the statement's text — and so its prepared statement — is the same for any number of
/// values (an `IN ($1, …, $n)` list is a new statement, parsed and planned again, for every
/// batch size, and churns the connection's statement cache). SQLite: a list of parameters
/// (preparing is cheap in process).
pub(crate) fn push_in(q: &mut Sql, backend: Backend, column: &str, values: &[String]) {
    q.push(column);
    if backend == Backend::Postgres {
        q.push(" = ANY(").bind(text_array(values)).push("::text[])");
    } else {
        q.push(" IN ").bind_list(values);
    }
}

/// `values` as one PostgreSQL text array literal (for `= ANY($n::text[])`).
pub(crate) fn text_array(values: &[String]) -> String {
    let mut a = String::with_capacity(values.len() * 40 + 2);
    a.push('{');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            a.push(',');
        }
        quote(&mut a, v);
    }
    a.push('}');
    a
}

/// Appends `s` as an element of an array literal: double-quoted, with `"` and `\` escaped (so
/// that an empty string, `NULL` or a comma stay text).
fn quote(a: &mut String, s: &str) {
    a.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            a.push('\\');
        }
        a.push(c);
    }
    a.push('"');
}

#[cfg(test)]
mod tests {
    use super::{Val, arrays, quote, text_array};

    #[test]
    fn arrays_by_column() {
        let rows = vec![
            vec![Val::from("a"), Val::OptText(None), Val::Int(1)],
            vec![
                Val::from("b,c"),
                Val::OptText(Some("x".into())),
                Val::Int(-2),
            ],
        ];
        assert_eq!(
            arrays(&rows, 3),
            vec![r#"{"a","b,c"}"#, r#"{NULL,"x"}"#, "{1,-2}"]
        );
        assert_eq!(arrays(&[], 2), vec!["{}", "{}"]);
        assert_eq!(text_array(&["p".into(), "q\"".into()]), r#"{"p","q\""}"#);
        assert_eq!(text_array(&[]), "{}");
    }

    #[test]
    fn array_elements_are_quoted_and_escaped() {
        let mut a = String::new();
        for s in ["", "NULL", "a,b", "say \"hi\"", "back\\slash", "{}"] {
            a.push(',');
            quote(&mut a, s);
        }
        assert_eq!(a, r#","","NULL","a,b","say \"hi\"","back\\slash","{}""#);
    }
}
