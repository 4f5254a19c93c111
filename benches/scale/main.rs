//! `cargo bench --bench scale`: what each operation costs at region (and country) scale,
//! side by side with the raw SQL the same work needs, in one run, as one table.
//!
//! ```text
//! cargo bench --bench scale                      # region scale, SQLite and PostgreSQL
//! cargo bench --bench scale -- --country         # also the planning pass at country scale
//! cargo bench --bench scale -- --backend sqlite  # one database only
//! ```
//!
//! Options: `--backend sqlite|postgres|both|none` (`none` with `--country`: the country
//! planning pass alone), `--country`, `--samples N` (latency samples per
//! row, default 200), `--seconds S` (length of each throughput run, default 5),
//! `--concurrency C` (workers of the throughput runs, default 16). PostgreSQL is
//! `PO_BENCH_PG` (default `postgres://postgres@127.0.0.1:5432`); the data sets are generated
//! once by `project-office demo seed` into `po_bench_region` / `po_bench_country` and
//! `target/tmp/bench/` and reused by later runs (drop them to regenerate).
//!
//! How each row is measured:
//!
//! - **API latency** (`dashboard`, `projects(first: 100)`): the real `project-office serve`
//!   process (release build) over HTTP on loopback, one request at a time, signed in as the
//!   coordinator of the first district (~290 projects). The raw side sends the statements the
//!   same answer needs (session and user, then the rows the answer is computed from, in the
//!   same batches) with plain sqlx from this process.
//! - **Planning pass**: `Engine::plan_reminders` in this process against the raw reads of the
//!   same rows (every active project with its participants, stage plans, reports, workflow
//!   versions, districts, organizations and recipients).
//! - **Throughput** (`transitionProject`, `reportIndicator`): `--concurrency` workers for
//!   `--seconds`, each on its own project (or report), against the server process; the raw
//!   side runs the same statements in the same transactions on other projects.
//! - **`me` vs hello**: two in-process servers on the same stack (our GraphQL-over-HTTP
//!   endpoint, body limit, timeout and tracing layers, axum, hyper): the real schema answering
//!   an authenticated `me`, and a bare async-graphql schema answering `{ hello }`.
//! - **RSS**: the server process's resident set (`/proc/PID/status`), idle after start-up and
//!   the peak while the API rows run. **Start-up**: `serve` on an empty SQLite file until
//!   `/readyz` answers 200 (migrations and workflow registration included).

mod mirror;
mod raw;
mod server;
mod workload;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::{Value, json};

use mirror::{raw_dashboard, raw_planning, raw_projects_page, raw_reports, raw_transitions};
use raw::Raw;
use workload::{api_reports, api_transitions, report_target};

/// The server's allocator here too, for the in-process `me` / hello servers.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use server::{Client, ServerProcess};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

struct Args {
    backends: Vec<Backend>,
    country: bool,
    samples: usize,
    seconds: u64,
    concurrency: usize,
    pg: String,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        backends: vec![Backend::Sqlite, Backend::Postgres],
        country: false,
        samples: 200,
        seconds: 5,
        concurrency: 16,
        pg: std::env::var("PO_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--bench" => {} // passed by `cargo bench`
            "--country" => args.country = true,
            "--backend" => {
                args.backends = match value("--backend")?.as_str() {
                    "sqlite" => vec![Backend::Sqlite],
                    "postgres" => vec![Backend::Postgres],
                    "both" => vec![Backend::Sqlite, Backend::Postgres],
                    "none" => Vec::new(),
                    other => bail!("--backend {other}: write sqlite, postgres, both or none"),
                }
            }
            "--samples" => args.samples = value("--samples")?.parse()?,
            "--seconds" => args.seconds = value("--seconds")?.parse()?,
            "--concurrency" => args.concurrency = value("--concurrency")?.parse()?,
            other if other.starts_with('-') => bail!("unknown option {other} (see benches/scale/main.rs)"),
            _ => {} // a name filter from `cargo bench NAME`: everything runs
        }
    }
    Ok(args)
}

/// One line of the table.
struct Line {
    what: String,
    db: &'static str,
    api: String,
    raw: String,
    ratio: String,
    target: String,
    verdict: &'static str,
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[derive(Clone, Copy)]
struct Latency {
    p50: Duration,
    p99: Duration,
}

fn percentiles(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    Latency {
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// `n` sequential runs of `f` (after 10 unmeasured ones).
async fn latency<F, Fut>(n: usize, mut f: F) -> anyhow::Result<Latency>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    for _ in 0..10 {
        f().await?;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f().await?;
        samples.push(started.elapsed());
    }
    Ok(percentiles(samples))
}

/// `workers` tasks, each looping on its own until `seconds` pass; returns operations per second.
async fn throughput<F, Fut>(workers: usize, seconds: u64, make: F) -> anyhow::Result<f64>
where
    F: Fn(usize, Instant) -> Fut,
    Fut: Future<Output = anyhow::Result<u64>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..workers).map(|w| tokio::spawn(make(w, deadline))).collect();
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// One worker per item, each running `work(item, deadline)` until `seconds` pass; operations
/// per second.
async fn throughput_each<T, F, Fut>(items: Vec<T>, seconds: u64, work: F) -> anyhow::Result<f64>
where
    T: Clone,
    F: Fn(T, Instant) -> Fut,
    Fut: Future<Output = anyhow::Result<u64>> + Send + 'static,
{
    throughput(items.len(), seconds, move |w, deadline| {
        work(items[w].clone(), deadline)
    })
    .await
}

fn latency_lines(lines: &mut Vec<Line>, what: &str, db: Backend, api: Latency, raw: Latency) {
    for (name, a, r) in [("p50", api.p50, raw.p50), ("p99", api.p99, raw.p99)] {
        let ratio = a.as_secs_f64() / r.as_secs_f64();
        lines.push(Line {
            what: format!("{what} {name}"),
            db: db.name(),
            api: ms(a),
            raw: ms(r),
            ratio: format!("{ratio:.2}×"),
            target: "≤ 1.5× raw".into(),
            verdict: verdict(ratio <= 1.5),
        });
    }
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    for &backend in &args.backends {
        let url = server::prepare(backend, "region", &args.pg).await?;
        bench_backend(&args, backend, &url, &mut lines, &mut notes).await?;
    }
    if args.country {
        let url = server::prepare(Backend::Postgres, "country", &args.pg).await?;
        let (api, raw, planned) = planning(&url, 3).await?;
        planning_line(&mut lines, "country", Backend::Postgres, api, raw, 10.0);
        notes.push(format!("country planning pass: {planned} reminders planned"));
    }
    let startup = server::startup_time(3).await?;
    lines.push(Line {
        what: "start-up to ready, empty database".into(),
        db: "SQLite",
        api: ms(startup),
        raw: "—".into(),
        ratio: "—".into(),
        target: "—".into(),
        verdict: "",
    });
    print_table(&lines, &notes);
    Ok(())
}

fn print_table(lines: &[Line], notes: &[String]) {
    println!();
    println!(
        "machine: {} cores, {}; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        server::memory_total(),
        server::cpu_model()
    );
    println!();
    println!("| measurement | database | API | raw SQL | API / raw | target | |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for l in lines {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            l.what, l.db, l.api, l.raw, l.ratio, l.target, l.verdict
        );
    }
    for n in notes {
        println!("- {n}");
    }
}

fn planning_line(lines: &mut Vec<Line>, scale: &str, db: Backend, api: Duration, raw: Duration, target_s: f64) {
    lines.push(Line {
        what: format!("reminder planning pass, {scale}"),
        db: db.name(),
        api: ms(api),
        raw: ms(raw),
        ratio: format!("{:.2}×", api.as_secs_f64() / raw.as_secs_f64()),
        target: format!("≤ {target_s} s"),
        verdict: verdict(api.as_secs_f64() <= target_s),
    });
}

async fn bench_backend(
    args: &Args,
    backend: Backend,
    url: &str,
    lines: &mut Vec<Line>,
    notes: &mut Vec<String>,
) -> anyhow::Result<()> {
    eprintln!("== {} ({url})", backend.name());
    let (api, raw, planned) = planning(url, 5).await?;
    planning_line(lines, "region", backend, api, raw, 1.0);
    notes.push(format!(
        "{} region planning pass: {planned} reminders planned",
        backend.name()
    ));

    let db = Raw::connect(url, args.concurrency as u32 + 4).await?;
    let server = ServerProcess::start(url).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle_rss = server.rss_kib();
    let sampler = server.rss_sampler();
    let client = Client::new(&server.base)?;

    let coordinator = db
        .pairs(
            "SELECT district_id, email FROM users WHERE role = 'coordinator' ORDER BY id LIMIT 1",
            &[],
        )
        .await?
        .pop()
        .context("no coordinator: is the demo data loaded?")?;
    let (district_id, coordinator_email) = coordinator;
    let token = client.login(&coordinator_email).await?;
    let admin = client.login("admin@demo.test").await?;

    // dashboard(districtId)
    eprintln!("dashboard");
    let query = "query($d: ID!) { dashboard(districtId: $d) { byWorkflow { key title count } byStage { workflowKey stageKey stageTitle count } byHealth { key title count } overdue { projectId projectTitle stageTitle due daysOverdue } missingReports { organizationName projectId indicator period deadline daysLate } organizations { organizationId name achievement health indicators } } }";
    let vars = json!({ "d": district_id.to_string() });
    let api = latency(args.samples, || client.ok(&token, query, &vars)).await?;
    let raw = latency(args.samples, || raw_dashboard(&db, &token, district_id)).await?;
    latency_lines(lines, "dashboard(districtId), one district", backend, api, raw);

    // projects(first: 100)
    eprintln!("projects");
    let query = "{ projects(first: 100) { totalCount nodes { id title rowVersion workflow { key title } district { name } participants { name } stages { key baselineDue currentDue checklist { key done } } currentStage { key } overdue } } }";
    let api = latency(args.samples, || client.ok(&token, query, &Value::Null)).await?;
    let raw = latency(args.samples, || raw_projects_page(&db, &token, district_id)).await?;
    latency_lines(
        lines,
        "projects(first: 100) with stages and participants",
        backend,
        api,
        raw,
    );

    // transitionProject: roadmap projects loop between methodical_help and monitoring.
    eprintln!("transitions");
    let looping = db
        .ids(
            "SELECT p.id FROM projects p JOIN workflow_versions w ON w.id = p.workflow_version_id \
             WHERE w.key = 'school-quality-roadmap' AND p.status = 'active' AND p.current_stage = 'monitoring' \
             ORDER BY p.id",
            &[],
        )
        .await?;
    let workers = args.concurrency;
    if looping.len() < 2 * workers {
        bail!(
            "only {} roadmap projects at «monitoring»; need {}",
            looping.len(),
            2 * workers
        );
    }
    let api_projects: Vec<i64> = looping[..workers].to_vec();
    let raw_projects: Vec<i64> = looping[workers..2 * workers].to_vec();
    let api_rate = throughput_each(api_projects, args.seconds, |project, deadline| {
        let (client, admin) = (client.clone(), admin.clone());
        async move { api_transitions(&client, &admin, project, deadline).await }
    })
    .await?;
    let raw_rate = throughput_each(raw_projects, args.seconds, |project, deadline| {
        let (db, admin) = (db.clone(), admin.clone());
        async move { raw_transitions(&db, &admin, project, deadline).await }
    })
    .await?;
    rate_line(lines, "transitionProject", backend, workers, api_rate, raw_rate);

    // reportIndicator: corrections of existing reports, each worker its own report.
    eprintln!("reports");
    let reports = db
        .ids(
            "SELECT r.id FROM indicator_reports r JOIN projects p ON p.id = r.project_id \
             WHERE p.status = 'active' ORDER BY r.id",
            &[],
        )
        .await?;
    let step = (reports.len() / (2 * workers)).max(1);
    let picked: Vec<i64> = reports.iter().step_by(step).take(2 * workers).copied().collect();
    let mut targets = Vec::new();
    for id in &picked {
        targets.push(report_target(&db, *id).await?);
    }
    let (api_targets, raw_targets) = targets.split_at(workers);
    let (api_targets, raw_targets) = (api_targets.to_vec(), raw_targets.to_vec());
    let api_rate = throughput_each(api_targets, args.seconds, |target, deadline| {
        let (client, admin) = (client.clone(), admin.clone());
        async move { api_reports(&client, &admin, target, deadline).await }
    })
    .await?;
    let raw_rate = throughput_each(raw_targets, args.seconds, |target, deadline| {
        let (db, admin) = (db.clone(), admin.clone());
        async move { raw_reports(&db, &admin, target, deadline).await }
    })
    .await?;
    rate_line(lines, "reportIndicator", backend, workers, api_rate, raw_rate);

    let peak = sampler.stop().await.max(server.rss_hwm_kib());
    lines.push(Line {
        what: "server RSS idle / peak under the rows above".into(),
        db: backend.name(),
        api: format!("{:.1} / {:.1} MB", idle_rss as f64 / 1024.0, peak as f64 / 1024.0),
        raw: "—".into(),
        ratio: "—".into(),
        target: "≤ 100 MB".into(),
        verdict: verdict(peak <= 100 * 1024),
    });
    server.stop().await;

    // me vs hello, both in this process on the same stack.
    eprintln!("me vs hello");
    let connections = 32;
    let app = Client::new(&server::in_process_app(url).await?)?;
    let me_token = app.login(&coordinator_email).await?;
    let me_rate = throughput(connections, args.seconds, move |_, deadline| {
        let (app, token) = (app.clone(), me_token.clone());
        async move {
            let mut n = 0;
            while Instant::now() < deadline {
                app.ok(&token, "{ me { id email fullName role } }", &Value::Null)
                    .await?;
                n += 1;
            }
            Ok(n)
        }
    })
    .await?;
    let hello = Client::new(&server::in_process_hello().await?)?;
    let hello_rate = throughput(connections, args.seconds, move |_, deadline| {
        let hello = hello.clone();
        async move {
            let mut n = 0;
            while Instant::now() < deadline {
                hello.anonymous("{ hello }").await?;
                n += 1;
            }
            Ok(n)
        }
    })
    .await?;
    lines.push(Line {
        what: format!("authenticated `me` vs bare `{{ hello }}`, {connections} connections"),
        db: backend.name(),
        api: format!("{me_rate:.0} req/s"),
        raw: format!("{hello_rate:.0} req/s (hello)"),
        ratio: format!("{:.0} %", 100.0 * me_rate / hello_rate),
        target: "—".into(),
        verdict: "",
    });
    db.close().await;
    Ok(())
}

fn rate_line(lines: &mut Vec<Line>, what: &str, db: Backend, workers: usize, api: f64, raw: f64) {
    let share = api / raw;
    lines.push(Line {
        what: format!("{what}, {workers} concurrent"),
        db: db.name(),
        api: format!("{api:.0} /s"),
        raw: format!("{raw:.0} /s"),
        ratio: format!("{:.0} %", 100.0 * share),
        target: "≥ 50 % of raw".into(),
        verdict: verdict(share >= 0.5),
    });
}

/// Plans reminders `runs` times through the engine and reads the same rows raw; medians.
async fn planning(url: &str, runs: usize) -> anyhow::Result<(Duration, Duration, usize)> {
    eprintln!("planning pass");
    let connection = engine::store::connect(url).await?;
    let engine = engine::Engine::new(connection, Arc::new(engine::SystemClock));
    let db = Raw::connect(url, 4).await?;
    let mut api = Vec::new();
    let mut raw = Vec::new();
    let mut planned = 0;
    for _ in 0..runs {
        let started = Instant::now();
        planned = engine.plan_reminders(Utc::now()).await?.len();
        api.push(started.elapsed());
        let started = Instant::now();
        raw_planning(&db).await?;
        raw.push(started.elapsed());
    }
    db.close().await;
    Ok((percentiles(api).p50, percentiles(raw).p50, planned))
}
