//! Persistence: connecting, migrating, the repository functions the services call
//! (`repo`), and converting rows to domain values (`convert`). The sea-orm entities in
//! [`entity`] are private to the engine.
//!
//! SQLite is opened in WAL mode with foreign keys on, a busy timeout and `synchronous =
//! NORMAL` (durable across application crashes, the usual choice with WAL); its file and
//! folder are created on first use. PostgreSQL is used as given by the URL.

pub mod backup;
pub(crate) mod convert;
pub(crate) mod entity;
pub(crate) mod repo;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, SqlxSqliteConnector};
use sea_orm_migration::MigratorTrait;

use crate::error::{Error, Result};

static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// SQL statements executed by this process through connections from [`connect`] (for
/// metrics, and for tests that prove a query costs a fixed number of statements).
pub fn statements_executed() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

/// Opens the database at `url` (`sqlite://path/to/file.db` or `postgres://…`).
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    connect_counted(url, Arc::default()).await
}

/// [`connect`], also counting this connection's statements in `counter` (tests use it to
/// prove that a query costs a fixed number of statements).
pub async fn connect_counted(url: &str, counter: Arc<AtomicU64>) -> Result<DatabaseConnection> {
    let mut db = open(url).await?;
    db.set_metric_callback(move |_| {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        counter.fetch_add(1, Ordering::Relaxed);
    });
    Ok(db)
}

async fn open(url: &str) -> Result<DatabaseConnection> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::Validation {
                field: Some(crate::error::Field::Setting("DATABASE_URL")),
                message: format!("Неверный адрес базы SQLite «{url}»: {e}"),
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::Validation {
                field: Some(crate::error::Field::Setting("DATABASE_URL")),
                message: format!("Не удалось создать папку {} для базы: {e}", parent.display()),
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| Error::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into()))))?;
        Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(16)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        Ok(Database::connect(options).await?)
    } else {
        Err(Error::Validation {
            field: Some(crate::error::Field::Setting("DATABASE_URL")),
            message: format!(
                "Неизвестный вид базы данных в адресе «{}»: ожидается sqlite://… или postgres://…",
                redact(url)
            ),
        })
    }
}

/// The key of the PostgreSQL advisory lock that lets one process at a time migrate.
const MIGRATION_LOCK: i64 = 7_420_261_204;

/// Applies every pending migration.
///
/// On PostgreSQL several replicas may start at once after an upgrade: each would see the same
/// migration pending and apply it, and all but one would fail on the migrations table. So a
/// transaction on a connection of its own holds an advisory lock while the migrations run on
/// the others; the next replica waits for it and then finds nothing pending.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    if backend(db) != DbBackend::Postgres {
        migrations::Migrator::up(db, None).await?;
        return Ok(());
    }
    let lock = db.begin().await?;
    lock.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    let applied = migrations::Migrator::up(db, None).await;
    lock.commit().await?;
    applied?;
    Ok(())
}

/// Which database is behind a connection.
pub fn backend(db: &DatabaseConnection) -> DbBackend {
    sea_orm::ConnectionTrait::get_database_backend(db)
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://po:secret@db:5432/po"),
            "postgres://po:***@db:5432/po"
        );
        assert_eq!(
            super::redact("postgres://postgres@127.0.0.1/po"),
            "postgres://postgres@127.0.0.1/po"
        );
        assert_eq!(super::redact("sqlite://data/po.db"), "sqlite://data/po.db");
    }
}
