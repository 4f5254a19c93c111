//! The physical baseline: the same statements the API needs, sent with plain sqlx on a pool of
//! our own — no ORM, no GraphQL, no HTTP. Every row is fetched and every column touched;
//! decoding into Rust types is left out, so the baseline errs on the fast side.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Row, ValueRef};

/// A bound value.
#[derive(Debug, Clone)]
pub enum V {
    I(i64),
    S(String),
    T(DateTime<Utc>),
    B(bool),
    F(f64),
}

#[derive(Clone)]
pub enum Raw {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

macro_rules! bound {
    ($sql:expr, $vals:expr) => {{
        let mut q = sqlx::query(AssertSqlSafe($sql));
        for v in $vals {
            q = match v {
                V::I(i) => q.bind(*i),
                V::S(s) => q.bind(s.clone()),
                V::T(t) => q.bind(*t),
                V::B(b) => q.bind(*b),
                V::F(f) => q.bind(*f),
            };
        }
        q
    }};
}

/// Touches every column of every row; returns the number of rows.
macro_rules! touch {
    ($rows:expr) => {{
        let rows = $rows;
        let mut nulls = 0usize;
        for row in &rows {
            for i in 0..row.len() {
                if row.try_get_raw(i)?.is_null() {
                    nulls += 1;
                }
            }
        }
        std::hint::black_box(nulls);
        rows.len()
    }};
}

impl Raw {
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Raw> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .connect_with(options)
                .await
                .with_context(|| format!("raw SQL: cannot open {url}"))?;
            Ok(Raw::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .connect(url)
                .await
                .with_context(|| format!("raw SQL: cannot open {url}"))?;
            Ok(Raw::Pg(pool))
        }
    }

    fn sql(&self, sql: &str) -> String {
        placeholders(matches!(self, Raw::Pg(_)), sql)
    }

    /// Runs a query; returns the number of rows (all fetched, all columns touched).
    pub async fn fetch(&self, sql: &str, vals: &[V]) -> anyhow::Result<usize> {
        let sql = self.sql(sql);
        Ok(match self {
            Raw::Sqlite(p) => touch!(bound!(sql, vals).fetch_all(p).await?),
            Raw::Pg(p) => touch!(bound!(sql, vals).fetch_all(p).await?),
        })
    }

    /// The first column of every row, as integers.
    pub async fn ids(&self, sql: &str, vals: &[V]) -> anyhow::Result<Vec<i64>> {
        let sql = self.sql(sql);
        Ok(match self {
            Raw::Sqlite(p) => bound!(sql, vals)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<Result<_, _>>()?,
            Raw::Pg(p) => bound!(sql, vals)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The first two columns of every row, as (integer, text).
    pub async fn pairs(&self, sql: &str, vals: &[V]) -> anyhow::Result<Vec<(i64, String)>> {
        let sql = self.sql(sql);
        Ok(match self {
            Raw::Sqlite(p) => bound!(sql, vals)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
                .collect::<Result<_, _>>()?,
            Raw::Pg(p) => bound!(sql, vals)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
                .collect::<Result<_, _>>()?,
        })
    }

    /// (project, organization, indicator, period, value) of a report.
    pub async fn report(&self, id: i64) -> anyhow::Result<(i64, i64, String, String, f64)> {
        let sql = self.sql(
            "SELECT project_id, organization_id, indicator_key, period, value FROM indicator_reports WHERE id = ?",
        );
        macro_rules! get {
            ($pool:expr) => {{
                let r = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_one($pool).await?;
                (
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                )
            }};
        }
        Ok(match self {
            Raw::Sqlite(p) => get!(p),
            Raw::Pg(p) => get!(p),
        })
    }

    pub async fn begin(&self) -> anyhow::Result<Tx> {
        Ok(match self {
            Raw::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Raw::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Raw::Sqlite(p) => p.close().await,
            Raw::Pg(p) => p.close().await,
        }
    }
}

impl Tx {
    fn sql(&self, sql: &str) -> String {
        placeholders(matches!(self, Tx::Pg(_)), sql)
    }

    pub async fn fetch(&mut self, sql: &str, vals: &[V]) -> anyhow::Result<usize> {
        let sql = self.sql(sql);
        Ok(match self {
            Tx::Sqlite(t) => touch!(bound!(sql, vals).fetch_all(&mut **t).await?),
            Tx::Pg(t) => touch!(bound!(sql, vals).fetch_all(&mut **t).await?),
        })
    }

    /// Runs a statement; returns the rows affected.
    pub async fn exec(&mut self, sql: &str, vals: &[V]) -> anyhow::Result<u64> {
        let sql = self.sql(sql);
        Ok(match self {
            Tx::Sqlite(t) => bound!(sql, vals).execute(&mut **t).await?.rows_affected(),
            Tx::Pg(t) => bound!(sql, vals).execute(&mut **t).await?.rows_affected(),
        })
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// `?` markers as they are (SQLite) or numbered `$1, $2…` (PostgreSQL). The statements here
/// have no `?` inside literals.
fn placeholders(numbered: bool, sql: &str) -> String {
    if !numbered {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `(?, ?, …)` for `n` values.
pub fn list(n: usize) -> String {
    let mut s = String::from("(");
    for i in 0..n.max(1) {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('?');
    }
    s.push(')');
    s
}

/// The integer values as bound values.
pub fn ints(ids: &[i64]) -> Vec<V> {
    ids.iter().map(|&i| V::I(i)).collect()
}
