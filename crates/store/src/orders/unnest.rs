//! The sale writer's multi-row statements on PostgreSQL: one array parameter per column
//! (`INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)`) instead of one bound value
//! per cell. A batch of 50 sales is ~10,000 cells; binding them one by one cost the single
//! writer more than the statements themselves (docs/benchmarks.md, Checkout), and parsing the
//! same rows as JSON in the backend cost more still. SQLite keeps `bulk::insert` (one JSON
//! parameter read by `json_each`, which binds fast there).

use crate::bulk::{self, Val};
use crate::db::{Backend, Tx};
use crate::error::StoreResult;
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
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    if tx.backend != Backend::Postgres {
        return bulk::insert(tx, head, rows, tail).await;
    }
    let types: Vec<&str> = first
        .iter()
        .map(|v| match v {
            Val::Text(_) | Val::OptText(_) => "text",
            Val::Int(_) | Val::OptInt(_) => "bigint",
        })
        .collect();
    let mut arrays: Vec<String> = types
        .iter()
        .map(|_| String::with_capacity(rows.len() * 16))
        .collect();
    for (r, row) in rows.iter().enumerate() {
        for (a, v) in arrays.iter_mut().zip(row) {
            a.push(if r == 0 { '{' } else { ',' });
            match v {
                Val::Text(s) | Val::OptText(Some(s)) => quote(a, s),
                Val::Int(n) | Val::OptInt(Some(n)) => {
                    let _ = write!(a, "{n}");
                }
                Val::OptText(None) | Val::OptInt(None) => a.push_str("NULL"),
            }
        }
    }
    let columns = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("${}::{t}[]", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let into = head.trim_end().trim_end_matches("VALUES").trim_end();
    let sql = format!("{into} SELECT * FROM unnest({columns}) AS u{tail}");
    let mut q = sqlx::query(&sql);
    for mut a in arrays {
        a.push('}');
        q = q.bind(a);
    }
    Ok(q.fetch_all(&mut **tx).await?)
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
    use super::quote;

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
