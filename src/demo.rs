//! `project-office demo seed` and `serve --demo`: the generated demo data set
//! ([`engine::demo`]) and the logins to try it with.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use engine::Engine;
use engine::demo::{self, DemoOptions, DemoReport, Scale};

use crate::config::Config;

/// `demo seed --scale S [--seed N] [--now T]`: into an empty database only.
pub async fn seed(config: &Config, scale: Scale, seed: u64, now: Option<&str>) -> anyhow::Result<()> {
    let now = match now {
        Some(text) => parse_now(text)?,
        None => Utc::now(),
    };
    let engine = crate::open(config).await?;
    crate::register(&engine, config).await?;
    if !demo::is_empty(&engine).await? {
        anyhow::bail!(
            "в базе {} уже есть районы: демонстрационные данные загружаются только в пустую базу",
            engine::store::redact(config.database_url())
        );
    }
    if scale == Scale::Country && config.database_url().starts_with("sqlite:") {
        eprintln!("Масштаб «страна» рассчитан на PostgreSQL; на SQLite загрузка займёт много времени и места.");
    }
    load(&engine, scale, seed, now).await
}

/// `serve --demo`: the district data set on the first start of an empty database; nothing
/// (but a note) otherwise.
pub async fn load_if_empty(engine: &Engine) -> anyhow::Result<()> {
    if !demo::is_empty(engine).await? {
        println!("В базе уже есть данные: демонстрационные данные не загружаются.");
        return Ok(());
    }
    load(engine, Scale::District, 1, engine.now()).await
}

async fn load(engine: &Engine, scale: Scale, seed: u64, now: DateTime<Utc>) -> anyhow::Result<()> {
    let started = Instant::now();
    let report = demo::seed(engine, &DemoOptions { scale, seed, now })
        .await
        .context("демонстрационные данные не загружены")?;
    print_report(&report, scale, seed, started.elapsed());
    Ok(())
}

/// `2025-03-03` (noon UTC, the same date in every Russian time zone) or an RFC 3339 instant.
fn parse_now(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date
            .and_hms_opt(12, 0, 0)
            .map(|d| d.and_utc())
            .context("--now: no such time");
    }
    Ok(DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("--now «{text}»: пишите дату 2025-03-03 или время 2025-03-03T09:00:00+03:00"))?
        .with_timezone(&Utc))
}

fn print_report(report: &DemoReport, scale: Scale, seed: u64, elapsed: std::time::Duration) {
    let c = &report.counts;
    let scale_name = match scale {
        Scale::District => "район",
        Scale::Region => "регион",
        Scale::Country => "страна",
    };
    println!(
        "Демонстрационные данные загружены (масштаб «{scale_name}», зерно {seed}) за {} с:",
        format!("{:.1}", elapsed.as_secs_f64()).replace('.', ",")
    );
    println!(
        "  районов {}, организаций {}, пользователей {}, проектов {} (участников {}, этапов {}, \
         отметок чек-листов {}, записей истории {}, отчётов по показателям {}, исправленных {});",
        c.districts,
        c.organizations,
        c.users,
        c.projects,
        c.participants,
        c.stage_plans,
        c.checklist_marks,
        c.events,
        c.indicator_reports,
        c.report_revisions
    );
    println!("  всего строк {}.", c.rows());
    if c.skipped_projects > 0 {
        println!(
            "  Не запущено проектов: {} (их сроки выходят за производственный календарь).",
            c.skipped_projects
        );
    }
    println!("Демонстрационные входы (пароль у всех: {}):", report.password);
    for login in &report.logins {
        println!(
            "  {:<25} {:<40} {} — {}",
            login.role.title(),
            login.email,
            login.full_name,
            login.scope
        );
    }
    if c.districts > 1 {
        println!(
            "  В других районах так же: coordinator@<район>.{0}, observer@<район>.{0}, director01…{1:02}@<район>.{0}.",
            demo::DEMO_DOMAIN,
            c.organizations / c.districts.max(1)
        );
    }
}
