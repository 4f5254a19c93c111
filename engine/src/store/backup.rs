//! Copies of a SQLite database, taken while the server runs, and their check before a restore.
//!
//! The copy is SQLite's `VACUUM INTO`: one read transaction, so the copy is consistent even
//! while others write, compacted, and a plain database file (no `-wal` beside it). It is
//! written under a temporary name next to the target and renamed when complete, so a copy
//! that was cut off never looks like a backup. PostgreSQL is copied with its own tools
//! (`pg_dump` / `pg_restore`), which the command line runs (`src/backup.rs`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::error::{Error, Result};

/// What a database file holds, as far as a restore needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSummary {
    /// Migrations applied, by name, in order.
    pub migrations: Vec<String>,
    pub users: i64,
    pub organizations: i64,
    pub projects: i64,
}

/// The file of a `sqlite:` URL; `None` for other databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    SqliteConnectOptions::from_str(url)
        .ok()
        .map(|o| o.get_filename().to_path_buf())
}

/// Writes a consistent copy of the SQLite database `db` to `target`, which must not exist.
pub async fn sqlite_backup(db: &DatabaseConnection, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(Error::invalid(format!(
            "Файл {} уже есть: укажите новое имя — существующие копии не перезаписываются.",
            target.display()
        )));
    }
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let path = partial
        .to_str()
        .ok_or_else(|| Error::invalid("Путь к копии должен быть в UTF-8."))?
        .to_owned();
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [path.into()],
    ))
    .await?;
    std::fs::rename(&partial, target)
        .map_err(|e| Error::invalid(format!("Копия не переименована в {}: {e}", target.display())))?;
    Ok(())
}

/// Opens the SQLite file at `path` read-only and checks that it is a whole project-office
/// database: SQLite's integrity check passes and the migrations table is there.
pub async fn inspect_sqlite(path: &Path) -> Result<DatabaseSummary> {
    if !path.is_file() {
        return Err(Error::invalid(format!("Файла {} нет.", path.display())));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    let pool = sea_orm::sqlx::SqlitePool::connect_with(options)
        .await
        .map_err(|e| Error::invalid(format!("{} — не база SQLite: {e}", path.display())))?;
    let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let summary = summary(&db, path).await;
    db.close().await.ok();
    summary
}

async fn summary(db: &DatabaseConnection, path: &Path) -> Result<DatabaseSummary> {
    let not_ours = || {
        Error::invalid(format!(
            "{} — не копия базы проектного офиса (или файл повреждён).",
            path.display()
        ))
    };
    let check = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check"))
        .await
        .map_err(|_| not_ours())?
        .and_then(|row| row.try_get_by_index::<String>(0).ok());
    if check.as_deref() != Some("ok") {
        return Err(Error::invalid(format!(
            "Файл {} повреждён: проверка целостности SQLite не пройдена ({}).",
            path.display(),
            check.unwrap_or_default()
        )));
    }
    let migrations = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .map_err(|_| not_ours())?
        .into_iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    let count = |table: &'static str| async move {
        db.query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("SELECT COUNT(*) FROM {table}"),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .ok_or_else(not_ours)
    };
    Ok(DatabaseSummary {
        migrations,
        users: count("users").await?,
        organizations: count("organizations").await?,
        projects: count("projects").await?,
    })
}
