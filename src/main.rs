//! `project-office`: the command line of the project office.

mod backup;
mod config;
mod demo;
mod serve;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use engine::registry::{self, LoadedDefinition, SourceFile};
use engine::reminders::ReminderMode;
use engine::{Engine, SystemClock};

use crate::config::Config;

/// mimalloc instead of the system allocator: a response is a tree of many small values built
/// and dropped per request; see the "Performance" section of the README for the measurements.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Has mimalloc commit arena memory as it is used and give freed memory back to the system
/// after 100 ms instead of 10 ms. Measured on the region data set (PostgreSQL, pages of 100
/// projects): purging at once kept the resident set lowest (74 MB after load) but cost a
/// fifth of the throughput in page faults; 100 ms gave 105 pages/s at 16 connections against
/// 81, at 80 MB. `MIMALLOC_ARENA_EAGER_COMMIT` and `MIMALLOC_PURGE_DELAY` in the environment
/// win; set there, before the process starts, they also apply to mimalloc's first arena.
#[allow(unsafe_code)]
fn tune_allocator() {
    // `mi_option_e` in mimalloc.h (v3, the version libmimalloc-sys builds by default).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    for (option, variable, value) in [
        (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
        (PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 100),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: sets a process-wide allocator option; mimalloc allows it at any time.
            unsafe { libmimalloc_sys::mi_option_set(option, value) };
        }
    }
}

/// The project office of a district education authority: workflows with stages, deadlines
/// and indicators.
#[derive(Parser)]
#[command(name = "project-office", version)]
struct Cli {
    /// Configuration file (default: ./project-office.toml when it exists).
    #[arg(long, global = true, env = "PO_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API (migrates and registers the workflows first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080, or PO_LISTEN).
        #[arg(long)]
        listen: Option<String>,
        /// On the first start of an empty database, load the district demo data set and print
        /// its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database schema and register the workflow definitions.
    Migrate,
    /// Write a consistent copy of the database to FILE, also while the server runs (SQLite:
    /// VACUUM INTO; PostgreSQL: pg_dump --format=custom).
    Backup {
        /// Where to write the copy; it must not exist yet.
        file: PathBuf,
    },
    /// Replace the database with a copy made by `backup` (the server must be stopped). The
    /// current SQLite database is kept beside it as <file>.before-restore-<time>.
    Restore {
        /// The copy to restore.
        file: PathBuf,
    },
    /// Users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Print the GraphQL schema (SDL), as committed in graphql/schema.graphql.
    Schema,
    /// Reminders: plan what is due and send it.
    Remind {
        /// Run one tick (plan, queue, deliver) and exit.
        #[arg(long)]
        once: bool,
        /// The instant to run as (RFC 3339, e.g. 2025-03-10T09:00:00+05:00); default now.
        #[arg(long)]
        now: Option<String>,
        /// Print what would be sent; write and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Workflow definitions.
    Workflows {
        #[command(subcommand)]
        command: WorkflowsCommand,
    },
    /// The demo data set.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Generate districts, organizations, people of every role, projects of the five built-in
    /// workflows and two years of reports into an empty database; print the demo logins.
    Seed {
        /// district: 60 organizations, ~300 projects; region: 2,400 / ~12,000; country:
        /// ~40,000 / ~200,000 (PostgreSQL).
        #[arg(long, value_enum, default_value_t = ScaleArg::District)]
        scale: ScaleArg,
        /// The same seed (and --now) gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The date the data is as of (2025-03-03 or RFC 3339); default now.
        #[arg(long)]
        now: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScaleArg {
    District,
    Region,
    Country,
}

impl From<ScaleArg> for engine::demo::Scale {
    fn from(scale: ScaleArg) -> Self {
        match scale {
            ScaleArg::District => engine::demo::Scale::District,
            ScaleArg::Region => engine::demo::Scale::Region,
            ScaleArg::Country => engine::demo::Scale::Country,
        }
    }
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create an administrator; the password is asked for (or read from standard input).
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// Full name (ФИО).
        #[arg(long, default_value = "Администратор")]
        name: String,
    },
}

#[derive(Subcommand)]
enum WorkflowsCommand {
    /// Validate definition files; exits non-zero and names file:line:column and key for
    /// every problem. Without PATH, checks the built-ins and PO_WORKFLOWS_DIR.
    Check {
        /// A directory of *.toml files, or one file.
        path: Option<PathBuf>,
    },
    /// List the stored workflow versions (registering the current definitions first).
    List,
}

fn main() -> ExitCode {
    tune_allocator();
    init_tracing();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Workflows {
            command: WorkflowsCommand::Check { path },
        } => check(path, cli.config),
        Command::Serve { listen, demo } => {
            let config = Config::load(cli.config.as_deref())?;
            serve::run(&config, listen, demo).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            command: DemoCommand::Seed { scale, seed, now },
        } => {
            let config = Config::load(cli.config.as_deref())?;
            demo::seed(&config, scale.into(), seed, now.as_deref()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Users {
            command: UsersCommand::CreateAdmin { email, name },
        } => {
            let config = Config::load(cli.config.as_deref())?;
            users::create_admin(&config, &email, &name).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Remind { once, now, dry_run } => {
            let config = Config::load(cli.config.as_deref())?;
            remind(&config, once, now.as_deref(), dry_run).await
        }
        Command::Backup { file } => {
            let config = Config::load(cli.config.as_deref())?;
            backup::backup(&config, &file).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let config = Config::load(cli.config.as_deref())?;
            backup::restore(&config, &file).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print!("{}", graphql::schema::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref())?;
            let engine = open(&config).await?;
            let registered = register(&engine, &config).await?;
            println!(
                "database ready: {} (data folder {})",
                engine::store::redact(config.database_url()),
                config.data_dir.display()
            );
            for r in registered {
                println!(
                    "workflow {} version {}{}",
                    r.key,
                    r.version,
                    if r.created { " (new)" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Workflows {
            command: WorkflowsCommand::List,
        } => {
            let config = Config::load(cli.config.as_deref())?;
            let engine = open(&config).await?;
            let current = register(&engine, &config).await?;
            println!(
                "{:<34} {:>7}  {:<10} {:>6} {:>10}  title",
                "key", "version", "scope", "stages", "indicators"
            );
            for version in engine.workflow_versions().await? {
                let definition = &version.definition;
                let is_current = current
                    .iter()
                    .any(|r| r.key == version.key && r.version == version.version);
                println!(
                    "{:<34} {:>7}  {:<10} {:>6} {:>10}  {}{}",
                    version.key,
                    version.version,
                    format!("{:?}", definition.scope()).to_lowercase(),
                    definition.stages().len(),
                    definition.indicators().len(),
                    definition.title(),
                    if is_current { "" } else { "  (superseded)" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `workflows check`: validation only, no database.
fn check(path: Option<PathBuf>, config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let (base, overrides) = match path {
        Some(path) if path.is_file() => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            (
                vec![SourceFile {
                    name: path.display().to_string(),
                    text,
                }],
                Vec::new(),
            )
        }
        Some(path) => (
            registry::read_dir(&path).with_context(|| format!("cannot read the directory {}", path.display()))?,
            Vec::new(),
        ),
        None => {
            let config = Config::load(config_path.as_deref())?;
            let extra = match &config.workflows_dir {
                Some(dir) => registry::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?,
                None => Vec::new(),
            };
            (registry::builtin_sources(), extra)
        }
    };
    if base.is_empty() && overrides.is_empty() {
        eprintln!("no *.toml files to check");
        return Ok(ExitCode::FAILURE);
    }
    match registry::load(base, overrides) {
        Ok(loaded) => {
            for LoadedDefinition { source, definition } in &loaded {
                println!(
                    "ok  {}: «{}» ({}), {} stages, {} transitions, {} indicators",
                    source.name,
                    definition.title(),
                    definition.key(),
                    definition.stages().len(),
                    definition.transitions().len(),
                    definition.indicators().len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for file_errors in errors {
                eprintln!("{file_errors}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// How reminders are sent: the schedule, the transport and the delivery settings.
pub struct Reminders {
    pub schedule: engine::reminders::scheduler::ReminderSchedule,
    pub mailer: engine::mail::transport::Mailer,
    pub settings: engine::reminders::DeliverySettings,
}

/// `remind --once [--now T] [--dry-run]`.
async fn remind(config: &Config, once: bool, now: Option<&str>, dry_run: bool) -> anyhow::Result<ExitCode> {
    if !once {
        anyhow::bail!("`remind` runs one tick with --once; the schedule runs inside `serve`");
    }
    let now = match now {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .with_context(|| format!("--now «{text}» is not an RFC 3339 time (e.g. 2025-03-10T09:00:00+05:00)"))?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    };
    let reminders = config.reminders()?;
    let engine = open(config).await?.with_thresholds(config.thresholds);
    register(&engine, config).await?;
    let mode = if dry_run {
        ReminderMode::DryRun
    } else {
        ReminderMode::Send {
            mailer: &reminders.mailer,
            settings: &reminders.settings,
        }
    };
    let run = engine.run_reminders(&engine::Actor::SYSTEM, now, mode).await?;
    if dry_run {
        println!(
            "{} reminder(s) due at {now} (dry run: nothing written or sent)",
            run.would_send.len()
        );
        for item in run.would_send {
            println!(
                "{:<14} {:<32} {} — {} — {} ({} days){}",
                format!("{:?}", item.kind),
                item.recipient_email,
                item.project_title,
                item.stage_title.or(item.indicator_title).unwrap_or_default(),
                item.due,
                item.days,
                if item.escalated { " [escalated]" } else { "" }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = run.delivery;
    println!(
        "planned {}, queued {} new; sent {} email(s) with {} reminder(s); {} to retry, {} failed",
        run.planned, run.queued, report.emails_sent, report.items_sent, report.retrying, report.failed
    );
    Ok(ExitCode::SUCCESS)
}

/// Connects, migrates, and returns the engine.
async fn open(config: &Config) -> anyhow::Result<Engine> {
    let db = engine::store::connect(config.database_url()).await?;
    engine::store::migrate(&db).await.context("database migration failed")?;
    let engine = Engine::new(db, Arc::new(SystemClock));
    engine.register_regions().await.context("cannot register the regions")?;
    Ok(engine)
}

/// Loads the built-in definitions and the configured directory, and stores new versions.
async fn register(engine: &Engine, config: &Config) -> anyhow::Result<Vec<engine::service::Registered>> {
    let extra = match &config.workflows_dir {
        Some(dir) => registry::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?,
        None => Vec::new(),
    };
    let loaded = registry::load(registry::builtin_sources(), extra).map_err(|errors| {
        anyhow::anyhow!(
            "workflow definitions are invalid:\n{}",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        )
    })?;
    let registered = engine.register_definitions(&loaded).await?;
    // A release with new calendar data (a new decree, a region's new act) recomputes the open
    // due dates it moves, once, whichever replica starts first.
    let moved = engine.sync_calendar_release().await?;
    if moved > 0 {
        tracing::info!(projects = moved, "open due dates recomputed for the new calendar data");
    }
    Ok(registered)
}
