//! `cargo bench --bench import`: a region's file of 2,400 organizations with their directors
//! (40 districts × 60, with a «Район» column), planned and imported by the engine on a fresh
//! SQLite file and a fresh PostgreSQL database, the invitations written as `.eml` files. Then
//! the same file again (nothing to change). Prints one line per step; fails when the import
//! of the file takes longer than the target (10 s).
//!
//! ```text
//! cargo bench --bench import                       # SQLite and PostgreSQL
//! cargo bench --bench import -- --backend sqlite   # one database only
//! ```
//!
//! PostgreSQL is `PO_BENCH_PG` (default `postgres://postgres@127.0.0.1:5432`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use engine::service::{ImportRequest, NewDistrict};
use engine::{Actor, Engine, SystemClock};
use sea_orm::ConnectionTrait;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DISTRICTS: usize = 40;
const PER_DISTRICT: usize = 60;
const TARGET: Duration = Duration::from_secs(10);

fn file() -> Vec<u8> {
    let mut text = String::from("Район;Название организации;Тип;ФИО руководителя;Почта руководителя;Телефон\r\n");
    for d in 0..DISTRICTS {
        for o in 0..PER_DISTRICT {
            let kind = match o % 6 {
                0..=3 => "школа",
                4 => "детский сад",
                _ => "дополнительное образование",
            };
            text.push_str(&format!(
                "Район {d:02};МБОУ «Организация № {o:02}» района {d:02};{kind};Руководитель {d:02}-{o:02} Иванович;director{d:02}-{o:02}@region.test;+7 (351) 2{d:02}-{o:02}-00\r\n"
            ));
        }
    }
    text.into_bytes()
}

async fn run(url: &str, label: &str) -> anyhow::Result<()> {
    let db = engine::store::connect(url).await?;
    engine::store::migrate(&db).await?;
    let engine = Engine::new(db, Arc::new(SystemClock));
    engine.register_regions().await?;
    for d in 0..DISTRICTS {
        engine
            .create_district(
                &Actor::SYSTEM,
                NewDistrict {
                    name: format!("Район {d:02}"),
                    time_zone: Some("Asia/Yekaterinburg".into()),
                    region_code: Some("74".into()),
                },
            )
            .await?;
    }
    let request = ImportRequest {
        district_id: None,
        file_name: "region.csv".into(),
        bytes: file(),
    };
    let mail_dir = std::env::temp_dir().join(format!("po-bench-import-{}-{label}", std::process::id()));
    let mailer = engine::mail::transport::Mailer::from_url(None, &mail_dir)?;
    let settings = engine::reminders::DeliverySettings {
        base_url: "http://po.bench".into(),
        from: "Проектный офис <noreply@po.bench>".parse()?,
        max_attempts: 3,
        lease: chrono::Duration::minutes(10),
        batch: 500,
    };
    let started = Instant::now();
    let plan = engine.plan_import(&Actor::SYSTEM, &request).await?;
    let planned = started.elapsed();
    if !plan.problems.is_empty() {
        bail!(
            "the bench file has problems: {:?}",
            &plan.problems[..3.min(plan.problems.len())]
        );
    }
    let started = Instant::now();
    let outcome = engine
        .apply_import(&Actor::SYSTEM, &request, &mailer, &settings)
        .await?;
    let applied = started.elapsed();
    let started = Instant::now();
    let again = engine
        .apply_import(&Actor::SYSTEM, &request, &mailer, &settings)
        .await?;
    let repeated = started.elapsed();
    println!(
        "{label:<10} {} bytes: plan {:>6.2} s · import {:>6.2} s ({} organizations, {} directors, {} invitations) · same file again {:>6.2} s ({} unchanged)",
        request.bytes.len(),
        planned.as_secs_f64(),
        applied.as_secs_f64(),
        outcome.counts.organizations_created,
        outcome.counts.directors_created,
        outcome.invited,
        repeated.as_secs_f64(),
        again.counts.organizations_unchanged,
    );
    let _ = std::fs::remove_dir_all(&mail_dir);
    if let Some(problem) = outcome.invitation_problems.first() {
        bail!(
            "{label}: {} invitations not sent, e.g. {problem}",
            outcome.invitation_problems.len()
        );
    }
    if applied > TARGET {
        bail!("{label}: the import took {applied:?}, the target is {TARGET:?}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let backend = args
        .iter()
        .position(|a| a == "--backend")
        .and_then(|i| args.get(i + 1))
        .map_or("both", String::as_str);
    if backend == "sqlite" || backend == "both" {
        let dir = std::env::temp_dir().join(format!("po-bench-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("import.db").display());
        let result = run(&url, "SQLite").await;
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    if backend == "postgres" || backend == "both" {
        let base = std::env::var("PO_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let name = format!("po_bench_import_{}", std::process::id());
        let admin = sea_orm::Database::connect(format!("{base}/postgres"))
            .await
            .context("PostgreSQL for the bench")?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        let result = run(&format!("{base}/{name}"), "PostgreSQL").await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        result?;
    }
    Ok(())
}
