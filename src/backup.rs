//! `project-office backup FILE` and `project-office restore FILE`.
//!
//! **SQLite** (the default). `backup` writes a consistent copy while the server runs
//! (`VACUUM INTO`, [`engine::store::backup`]). `restore` checks the copy first: it must be a
//! whole project-office database (SQLite's integrity check, the migrations table) made by
//! this version of the program or an older one. Then it keeps the current database as
//! `<file>.before-restore-<time>` (nothing is lost by a restore of the wrong copy), puts the
//! copy in place by a rename (never half a file) and brings it up to this version's schema.
//! The server must be stopped for it: a running server would keep writing to the replaced
//! file. `restore` refuses while something listens on the configured address.
//!
//! **PostgreSQL.** `backup` runs `pg_dump --format=custom --no-owner --no-privileges`, and
//! `restore` runs `pg_restore --clean --if-exists --no-owner --no-privileges
//! --single-transaction` (all or nothing) and then the migrations. The password of the URL
//! goes to them in `PGPASSWORD`, not on the command line, where other users of the machine
//! could read it. The README gives the exact commands for doing the same by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::config::Config;

/// Makes a backup of the configured database at `target`.
pub async fn backup(config: &Config, target: &Path) -> anyhow::Result<()> {
    let url = config.database_url();
    if target.exists() {
        bail!(
            "файл {} уже есть: укажите новое имя — существующие копии не перезаписываются",
            target.display()
        );
    }
    if engine::store::backup::sqlite_file(url).is_some() {
        let db = engine::store::connect(url).await?;
        engine::store::backup::sqlite_backup(&db, target).await?;
        db.close().await.ok();
        let summary = engine::store::backup::inspect_sqlite(target).await?;
        println!(
            "копия базы записана в {} ({} КБ): пользователей {}, организаций {}, проектов {}",
            target.display(),
            std::fs::metadata(target).map(|m| m.len() / 1024).unwrap_or(0),
            summary.users,
            summary.organizations,
            summary.projects
        );
        return Ok(());
    }
    let partial = target.with_extension("partial");
    let (url, password) = split_password(url);
    let mut command = Command::new("pg_dump");
    command
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(&partial)
        .arg(format!("--dbname={url}"));
    run_pg(command, password.as_deref(), "pg_dump")?;
    std::fs::rename(&partial, target).with_context(|| format!("копия не переименована в {}", target.display()))?;
    println!(
        "копия базы PostgreSQL записана в {} (формат pg_dump custom)",
        target.display()
    );
    Ok(())
}

/// Replaces the configured database with the copy at `source`.
pub async fn restore(config: &Config, source: &Path) -> anyhow::Result<()> {
    let url = config.database_url().to_owned();
    if !source.is_file() {
        bail!("файла {} нет", source.display());
    }
    if std::net::TcpListener::bind(&config.listen).is_err() {
        bail!(
            "адрес {} занят — похоже, сервер запущен. Остановите его перед восстановлением: работающий сервер продолжил бы писать в заменённую базу",
            config.listen
        );
    }
    let known: Vec<String> = {
        use migrations::MigratorTrait;
        migrations::Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect()
    };
    if let Some(file) = engine::store::backup::sqlite_file(&url) {
        let summary = engine::store::backup::inspect_sqlite(source).await?;
        if let Some(unknown) = summary.migrations.iter().find(|m| !known.contains(m)) {
            bail!(
                "копию сделала более новая версия программы (в ней есть изменение схемы {unknown}): обновите project-office, затем восстановите"
            );
        }
        let kept = keep_current(&url, &file).await?;
        let staged = file.with_extension("restoring");
        std::fs::copy(source, &staged).with_context(|| format!("не удалось скопировать {}", source.display()))?;
        std::fs::File::open(&staged)
            .and_then(|f| f.sync_all())
            .context("копия не записана на диск")?;
        for suffix in ["-wal", "-shm"] {
            let mut side = file.as_os_str().to_owned();
            side.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        std::fs::rename(&staged, &file).with_context(|| format!("не удалось заменить {}", file.display()))?;
        let db = engine::store::connect(&url).await?;
        engine::store::migrate(&db)
            .await
            .context("схема восстановленной базы не обновлена")?;
        db.close().await.ok();
        println!(
            "база восстановлена из {}: пользователей {}, организаций {}, проектов {}",
            source.display(),
            summary.users,
            summary.organizations,
            summary.projects
        );
        if let Some(kept) = kept {
            println!("прежняя база сохранена в {}", kept.display());
        }
        return Ok(());
    }
    let (bare, password) = split_password(&url);
    let mut command = Command::new("pg_restore");
    command
        .args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ])
        .arg(format!("--dbname={bare}"))
        .arg(source);
    run_pg(command, password.as_deref(), "pg_restore")?;
    let db = engine::store::connect(&url).await?;
    engine::store::migrate(&db)
        .await
        .context("схема восстановленной базы не обновлена")?;
    db.close().await.ok();
    println!("база PostgreSQL восстановлена из {}", source.display());
    Ok(())
}

/// Keeps the current SQLite database (if any) as `<file>.before-restore-<time>`.
async fn keep_current(url: &str, file: &Path) -> anyhow::Result<Option<PathBuf>> {
    if !file.exists() {
        return Ok(None);
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".before-restore-{stamp}"));
    let kept = PathBuf::from(name);
    let db = engine::store::connect(url).await?;
    engine::store::backup::sqlite_backup(&db, &kept)
        .await
        .context("прежняя база не сохранена — восстановление не начато")?;
    db.close().await.ok();
    Ok(Some(kept))
}

/// A PostgreSQL URL without its password, and the password.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return (url.to_owned(), None);
    };
    match credentials.split_once(':') {
        Some((user, password)) => (format!("{scheme}://{user}@{host}"), Some(password.to_owned())),
        None => (url.to_owned(), None),
    }
}

fn run_pg(mut command: Command, password: Option<&str>, tool: &str) -> anyhow::Result<()> {
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().map_err(|e| {
        anyhow::anyhow!(
            "не удалось запустить {tool} ({e}): установите клиент PostgreSQL той же или более новой версии, что и сервер (пакет postgresql-client)"
        )
    })?;
    if !output.status.success() {
        bail!(
            "{tool} завершился с ошибкой: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://po:s3cret@db.local:5432/po"),
            ("postgres://po@db.local:5432/po".into(), Some("s3cret".into()))
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1:5432/po"),
            ("postgres://postgres@127.0.0.1:5432/po".into(), None)
        );
    }
}
