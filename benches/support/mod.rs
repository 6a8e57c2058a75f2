//! What the benchmarks share: knobs from the environment, latency percentiles, the
//! PostgreSQL server to use, and bulk inserts for seeding. Each benchmark uses some of them.

#![allow(dead_code)]

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use yishi::db::AnyConnection;
use yishi::error::AppError;

/// Rows per multi-row INSERT when seeding.
pub const ROWS_PER_INSERT: usize = 1000;

pub fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The `q` quantile of sorted durations.
pub fn pick(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// The PostgreSQL server to use, without TLS unless the URL asks for it.
pub fn postgres_admin_url() -> String {
    let url = std::env::var("YISHI_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    match url::Url::parse(&url) {
        Ok(mut u) if !u.query_pairs().any(|(k, _)| k == "sslmode") => {
            u.query_pairs_mut().append_pair("sslmode", "disable");
            u.to_string()
        }
        _ => url,
    }
}

/// Runs `sql_head` followed by `rows` in multi-row INSERTs of `ROWS_PER_INSERT`.
pub fn insert_rows(
    conn: &mut AnyConnection,
    sql_head: &str,
    rows: impl Iterator<Item = String>,
) -> Result<(), AppError> {
    let mut batch: Vec<String> = Vec::with_capacity(ROWS_PER_INSERT);
    for r in rows {
        batch.push(r);
        if batch.len() == ROWS_PER_INSERT {
            flush(conn, sql_head, &mut batch)?;
        }
    }
    flush(conn, sql_head, &mut batch)
}

pub fn flush(
    conn: &mut AnyConnection,
    sql_head: &str,
    batch: &mut Vec<String>,
) -> Result<(), AppError> {
    if !batch.is_empty() {
        conn.batch_execute(&format!("{sql_head} VALUES {}", batch.join(",")))?;
        batch.clear();
    }
    Ok(())
}

pub fn count(conn: &mut AnyConnection, sql: &str) -> Result<i64, AppError> {
    Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.n)
}

#[derive(QueryableByName)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}
