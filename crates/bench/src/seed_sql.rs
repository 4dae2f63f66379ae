//! Pieces of the SQL that seeds benchmark data inside the database (`INSERT … SELECT` over a
//! generated series), written once for both backends, and the figures printed about it.

use anyhow::Context;
use salepoint_store::Db;
use salepoint_store::db::Backend;

/// A quoted SQL string literal of one of our own values (ids, timestamps).
pub(crate) fn lit(s: &str) -> String {
    assert!(
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-:.TZ ".contains(c)),
        "not a plain value: {s}"
    );
    format!("'{s}'")
}

/// The integers `from..=to` as a FROM item `g` with a BIGINT column `n`.
pub(crate) fn series(pg: bool, from: usize, to: usize) -> String {
    if pg {
        format!("generate_series(CAST({from} AS BIGINT), CAST({to} AS BIGINT)) AS g(n)")
    } else {
        format!(
            "(WITH RECURSIVE c(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM c WHERE n < {to}) \
             SELECT n FROM c) AS g"
        )
    }
}

/// A UUID-shaped id (version 7, variant 8) made of a kind and a number: deterministic, unique
/// per (kind, number), lowercase like the ids the server makes.
pub(crate) fn uid(pg: bool, kind: u8, expr: &str) -> String {
    if pg {
        format!("('01900000-00{kind:02}-7000-8000-' || lpad(to_hex({expr}), 12, '0'))")
    } else {
        format!("printf('01900000-00{kind:02}-7000-8000-%012x', {expr})")
    }
}

/// `expr` as decimal text, zero-padded to `w` digits.
pub(crate) fn pad(pg: bool, expr: &str, w: usize) -> String {
    if pg {
        format!("lpad(CAST({expr} AS TEXT), {w}, '0')")
    } else {
        format!("printf('%0{w}d', {expr})")
    }
}

/// Runs one or more statements; returns the rows they touched. An error names the statement.
pub(crate) async fn exec(conn: &mut sqlx::AnyConnection, sql: &str) -> anyhow::Result<u64> {
    Ok(sqlx::raw_sql(sql)
        .execute(conn)
        .await
        .with_context(|| sql.chars().take(400).collect::<String>())?
        .rows_affected())
}

pub(crate) async fn scalar_text(db: &Db, sql: &str) -> anyhow::Result<String> {
    Ok(sqlx::query_scalar::<_, String>(sql)
        .fetch_one(&db.pool)
        .await?)
}

pub(crate) async fn scalar_i64(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&db.pool)
        .await?)
}

pub(crate) async fn count(db: &Db, table: &str) -> anyhow::Result<i64> {
    scalar_i64(db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")).await
}

/// Sizes of `tables` with their indexes (PostgreSQL), or of the database file (SQLite).
pub(crate) async fn print_sizes(db: &Db, tables: &[&str]) -> anyhow::Result<()> {
    if db.backend == Backend::Postgres {
        for t in tables {
            let (data, idx): (String, String) = sqlx::query_as(
                "SELECT pg_size_pretty(pg_table_size($1::regclass)), pg_size_pretty(pg_indexes_size($1::regclass))",
            )
            .bind(*t)
            .fetch_one(&db.pool)
            .await?;
            println!("  {t}: {data} data, {idx} indexes");
        }
    } else {
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&db.pool)
            .await?;
        let size: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(&db.pool)
            .await?;
        println!(
            "  database file: {:.0} MiB",
            (pages * size) as f64 / 1048576.0
        );
    }
    Ok(())
}
