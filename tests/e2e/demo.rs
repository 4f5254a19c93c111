//! The demo data set: the same seed gives the same district, the engine reads it as a living
//! district, its histories replay through the services to the same plans, and the command
//! line loads it (`demo seed`, `serve --demo`).

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;

use engine::demo::{self, DEMO_PASSWORD, DemoOptions, Scale};
use engine::model::{EventKind, ProjectStatus};
use engine::registry::{self, SourceFile};
use engine::service::{LaunchProject, NewReport, ProjectFilter, ReportFilter, TransitionRequest};
use engine::{Actor, Engine, FixedClock};
use sea_orm::{ConnectionTrait, Database};

use crate::both_backends;
use crate::helpers::{Backend, TestDb, code, fresh_postgres, fresh_sqlite, repo_path};

fn options(db: &TestDb) -> DemoOptions {
    DemoOptions {
        scale: Scale::District,
        seed: 7,
        now: db.clock_now(),
    }
}

/// Every project with its plan and reports, in id order: what must come out the same.
async fn snapshot(engine: &Engine) -> Vec<String> {
    let mut projects = Vec::new();
    let mut after = None;
    loop {
        let page = engine
            .list_projects(&Actor::SYSTEM, &ProjectFilter::default(), 100, after)
            .await
            .unwrap();
        after = page.items.last().map(|p| p.id);
        projects.extend(page.items);
        if !page.has_next_page {
            break;
        }
    }
    projects.sort_by_key(|p| p.id);
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let plans = engine.stage_plans(&Actor::SYSTEM, &ids).await.unwrap();
    let mut reports: std::collections::HashMap<i64, Vec<engine::model::IndicatorReport>> = Default::default();
    for report in engine
        .indicator_reports(&Actor::SYSTEM, &engine::service::ReportFilter::default())
        .await
        .unwrap()
    {
        reports.entry(report.project_id).or_default().push(report);
    }
    projects
        .iter()
        .map(|p| {
            let mut values: Vec<(i64, String, String, f64)> = reports
                .remove(&p.id)
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.organization_id, r.indicator_key, r.period, r.value))
                .collect();
            values.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
            format!(
                "{} | {} | {:?} | {} | v{} | {:?} | {:?} | {:?}",
                p.title, p.current_stage, p.status, p.start_date, p.row_version, p.participants, plans[&p.id], values
            )
        })
        .collect()
}

/// A database a test made besides its own, removed by [`Scratch::remove`].
struct Scratch {
    db: sea_orm::DatabaseConnection,
    dir: Option<std::path::PathBuf>,
    postgres: Option<String>,
}

impl Scratch {
    async fn remove(self) {
        self.db.close().await.ok();
        if let Some(dir) = self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
        if let Some(name) = self.postgres {
            let admin_url = std::env::var("PO_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let admin = Database::connect(&admin_url).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
    }
}

/// A second fresh database of the same backend, migrated, with the same workflows.
async fn second_database(backend: Backend, now: chrono::DateTime<chrono::Utc>) -> (Engine, Scratch) {
    let (url, postgres, dir) = match backend {
        Backend::Sqlite => {
            let (url, dir) = fresh_sqlite();
            (url, None, Some(dir))
        }
        Backend::Postgres => {
            let (url, name) = fresh_postgres()
                .await
                .expect("PostgreSQL answered for the first database");
            (url, Some(name), None)
        }
    };
    let db = engine::store::connect(&url).await.unwrap();
    engine::store::migrate(&db).await.unwrap();
    let engine = Engine::new(db.clone(), Arc::new(FixedClock::new(now)));
    let mut sources = registry::builtin_sources();
    sources.push(SourceFile {
        name: "tests/workflows/good/minimal.toml".into(),
        text: std::fs::read_to_string(repo_path("tests/workflows/good/minimal.toml")).unwrap(),
    });
    engine
        .register_definitions(&registry::load(sources, Vec::new()).unwrap())
        .await
        .unwrap();
    (engine, Scratch { db, dir, postgres })
}

/// Launches a copy of a generated project and replays its history — every checklist tick,
/// report, transition and cancellation, by the same people at the same instants — through the
/// services; returns the copy's id.
async fn replay(db: &TestDb, id: i64) -> i64 {
    let e = &db.engine;
    let original = e.project(&Actor::SYSTEM, id).await.unwrap();
    let launched = &original.history[0];
    db.clock.set(launched.at);
    let actor = |user: Option<i64>| async move { e.actor_for_user(user.unwrap()).await.unwrap() };
    let copy = e
        .launch_project(
            &actor(launched.actor_id).await,
            LaunchProject {
                workflow_key: original.workflow.key.clone(),
                workflow_version: Some(original.workflow.version),
                district_id: original.project.district_id,
                title: Some(original.project.title.clone()),
                start_date: Some(original.project.start_date),
                participants: original.project.participants.clone(),
                due_dates: original
                    .stages
                    .iter()
                    .filter(|s| s.due_fixed)
                    .filter_map(|s| Some((s.stage_key.clone(), s.current_due?)))
                    .collect(),
                indicator_targets: original.project.indicator_targets.clone(),
                responsible_id: original.project.responsible_id,
                parts: original.project.parts.clone(),
                // The demo names stage responsibles in history entries after the launch.
                stage_responsibles: Default::default(),
            },
        )
        .await
        .unwrap();
    let copy_id = copy.project.id;
    let mut version = copy.project.row_version;

    // Everything that happened after the launch, in order: history entries, then reports.
    enum Step {
        Event(engine::model::ProjectEvent),
        Report(NewReport, Option<i64>),
    }
    let mut steps: Vec<(chrono::DateTime<chrono::Utc>, Step)> = original.history[1..]
        .iter()
        .map(|ev| (ev.at, Step::Event(ev.clone())))
        .collect();
    let filter = ReportFilter {
        project_id: Some(id),
        ..Default::default()
    };
    for report in e.indicator_reports(&Actor::SYSTEM, &filter).await.unwrap() {
        let input = |value: f64, comment: Option<String>| NewReport {
            project_id: copy_id,
            organization_id: report.organization_id,
            indicator: report.indicator_key.clone(),
            period: report.period.clone(),
            value,
            comment,
        };
        for earlier in &report.earlier {
            steps.push((
                earlier.reported_at,
                Step::Report(input(earlier.value, earlier.comment.clone()), earlier.reported_by),
            ));
        }
        steps.push((
            report.reported_at,
            Step::Report(input(report.value, report.comment.clone()), report.reported_by),
        ));
    }
    steps.sort_by_key(|(at, _)| *at);
    for (at, step) in steps {
        db.clock.set(at);
        let details = match step {
            Step::Report(input, by) => {
                let what = format!("{input:?}");
                e.report_indicator(&actor(by).await, input)
                    .await
                    .unwrap_or_else(|err| panic!("report {what} of project {id}: {err}"));
                continue;
            }
            Step::Event(ev) => {
                let by = actor(ev.actor_id).await;
                let done = match ev.kind {
                    EventKind::ChecklistItem => {
                        let engine::model::EventDetails::ChecklistItem { item, .. } = &ev.details else {
                            panic!("a checklist entry without its item: {ev:?}")
                        };
                        e.mark_checklist_item(
                            &by,
                            copy_id,
                            ev.stage_key.as_deref().unwrap(),
                            item,
                            true,
                            ev.comment.as_deref(),
                        )
                        .await
                    }
                    EventKind::Transition => {
                        let request = TransitionRequest {
                            from_stage: ev.from_stage.clone(),
                            project_id: copy_id,
                            to_stage: ev.to_stage.clone().unwrap(),
                            expected_version: version,
                            comment: ev.comment.clone(),
                        };
                        e.transition_project(&by, request).await
                    }
                    EventKind::Cancelled => {
                        e.cancel_project(&by, copy_id, version, ev.comment.as_deref().unwrap())
                            .await
                    }
                    EventKind::ResponsibleChanged => {
                        let engine::model::EventDetails::Responsible { to, .. } = &ev.details else {
                            panic!("a responsible entry without whom: {ev:?}")
                        };
                        e.assign_responsible(
                            &by,
                            copy_id,
                            engine::service::ResponsibleFor::Stage(ev.stage_key.as_deref().unwrap()),
                            to.as_ref().map(|p| p.id),
                            Some(version),
                        )
                        .await
                    }
                    other => panic!("unexpected {other:?} in a demo history"),
                };
                done.unwrap_or_else(|err| panic!("{ev:?} of project {id}: {err}"))
            }
        };
        version = details.project.row_version;
    }
    copy_id
}

async fn the_same_seed_gives_the_same_district_twice(db: TestDb) {
    let first = demo::seed(&db.engine, &options(&db)).await.unwrap();
    let (other, scratch) = second_database(db.backend, db.clock_now()).await;
    let second = demo::seed(&other, &options(&db)).await.unwrap();
    let (a, b) = (snapshot(&db.engine).await, snapshot(&other).await);
    scratch.remove().await;
    assert_eq!(first.counts, second.counts);
    assert_eq!(first.logins, second.logins);
    let c = &first.counts;
    assert_eq!((c.districts, c.organizations), (1, 60));
    assert!((250..=350).contains(&c.projects), "about 300 projects: {c:?}");
    assert!(
        c.indicator_reports > 1000 && c.report_revisions > 0 && c.checklist_marks > 1000,
        "{c:?}"
    );
    assert_eq!(a.len() as u64, c.projects);
    assert_eq!(a, b, "the same seed gives the same projects, plans and reports");
    assert_eq!(
        code(demo::seed(&db.engine, &options(&db)).await),
        "VALIDATION",
        "only into an empty database"
    );
}

async fn the_demo_district_reads_like_a_living_one(db: TestDb) {
    let report = demo::seed(&db.engine, &options(&db)).await.unwrap();
    let e = &db.engine;
    let districts = e.districts(&Actor::SYSTEM).await.unwrap();
    assert_eq!(districts.len(), 1);
    assert_eq!(districts[0].time_zone, chrono_tz::Asia::Yekaterinburg);
    let dashboard = e.dashboard(&Actor::SYSTEM, Some(districts[0].id)).await.unwrap();
    let mut workflows: Vec<&str> = dashboard.by_workflow.iter().map(|c| c.key.as_str()).collect();
    workflows.sort_unstable();
    assert_eq!(
        workflows,
        [
            "methodical-service-monitoring",
            "school-leaders",
            "school-quality-roadmap",
            "tochka-rosta",
            "unified-methodical-day"
        ],
        "active projects of all five workflows"
    );
    assert!(!dashboard.overdue.is_empty(), "some stages are overdue");
    assert!(!dashboard.missing_reports.is_empty(), "some reports are missing");
    let lights: BTreeMap<&str, u64> = dashboard.by_health.iter().map(|c| (c.key.as_str(), c.count)).collect();
    assert!(
        lights.contains_key("red") && lights.contains_key("amber") && lights.contains_key("green"),
        "{lights:?}"
    );
    let groups: Vec<_> = dashboard
        .organizations
        .iter()
        .filter(|o| o.achievement.is_some())
        .map(|o| o.health)
        .collect();
    for light in [
        engine::health::Health::Green,
        engine::health::Health::Amber,
        engine::health::Health::Red,
    ] {
        assert!(
            groups.contains(&light),
            "organizations in the {light:?} group: {groups:?}"
        );
    }
    // Seed 002's grouping of methodical services by a criterion.
    assert!(
        dashboard
            .organizations_by_indicator("k2")
            .iter()
            .any(|o| o.achievement.is_some())
    );

    // Every demo login works and sees its part.
    let roles: Vec<engine::Role> = report.logins.iter().map(|l| l.role).collect();
    for role in [
        engine::Role::Admin,
        engine::Role::Coordinator,
        engine::Role::Director,
        engine::Role::Observer,
    ] {
        assert!(roles.contains(&role), "a login of every role: {roles:?}");
    }
    for login in &report.logins {
        let session = e.login(&login.email, DEMO_PASSWORD).await.unwrap();
        assert_eq!(session.user.role, login.role);
        let actor = e.authenticate(&session.token).await.unwrap();
        let page = e
            .list_projects(&actor, &ProjectFilter::default(), 10, None)
            .await
            .unwrap();
        assert!(page.total_count > 0, "{} sees projects", login.email);
        if login.role != engine::Role::Director {
            e.dashboard(&actor, None).await.unwrap();
        }
    }
    assert_eq!(
        code(e.login(&report.logins[0].email, "не тот пароль").await),
        "UNAUTHENTICATED"
    );
}

async fn demo_histories_replay_through_the_services_to_the_same_plans(db: TestDb) {
    demo::seed(&db.engine, &options(&db)).await.unwrap();
    let e = &db.engine;
    let versions: BTreeMap<i64, String> = e
        .workflow_versions()
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.id, v.key))
        .collect();
    let page = e
        .list_projects(&Actor::SYSTEM, &ProjectFilter::default(), 100, None)
        .await
        .unwrap();
    assert!(page.has_next_page);
    // The longest history of each workflow, a cancelled project and an overdue one.
    let mut chosen: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    let mut after = None;
    let mut extra = Vec::new();
    loop {
        let page = e
            .list_projects(&Actor::SYSTEM, &ProjectFilter::default(), 100, after)
            .await
            .unwrap();
        let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
        let histories = e.histories(&Actor::SYSTEM, &ids).await.unwrap();
        for p in &page.items {
            let len = histories.get(&p.id).map_or(0, Vec::len);
            let entry = chosen
                .entry(versions[&p.workflow_version_id].clone())
                .or_insert((0, p.id));
            if len > entry.0 {
                *entry = (len, p.id);
            }
            if p.status == ProjectStatus::Cancelled && extra.is_empty() {
                extra.push(p.id);
            }
        }
        after = page.items.last().map(|p| p.id);
        if !page.has_next_page {
            break;
        }
    }
    let overdue = e.dashboard(&Actor::SYSTEM, None).await.unwrap().overdue;
    extra.push(overdue[0].project_id);
    assert_eq!(chosen.len(), 5);
    for id in chosen.values().map(|(_, id)| *id).chain(extra) {
        let copy = replay(&db, id).await;
        let (original, copy) = (
            e.project(&Actor::SYSTEM, id).await.unwrap(),
            e.project(&Actor::SYSTEM, copy).await.unwrap(),
        );
        assert_eq!(copy.stages, original.stages, "the plan of «{}»", original.project.title);
        assert_eq!(
            (
                &copy.project.current_stage,
                copy.project.status,
                copy.project.row_version,
                copy.checklist.len(),
                copy.history.len()
            ),
            (
                &original.project.current_stage,
                original.project.status,
                original.project.row_version,
                original.checklist.len(),
                original.history.len()
            ),
            "«{}»",
            original.project.title
        );
    }
}

both_backends!(
    the_same_seed_gives_the_same_district_twice,
    the_demo_district_reads_like_a_living_one,
    demo_histories_replay_through_the_services_to_the_same_plans
);

fn project_office(args: &[&str], url: &str, data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_project-office"));
    command
        .args(args)
        .env("DATABASE_URL", url)
        .env("PO_DATA_DIR", data_dir)
        .env_remove("PO_WORKFLOWS_DIR")
        .env_remove("PO_CONFIG");
    command
}

#[test]
fn demo_seed_loads_an_empty_database_once_and_prints_the_logins() {
    let (url, dir) = fresh_sqlite();
    let args = [
        "demo",
        "seed",
        "--scale",
        "district",
        "--seed",
        "3",
        "--now",
        "2025-03-03",
    ];
    let out = project_office(&args, &url, &dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "admin@demo.test",
        "coordinator@chesmenskiy.demo.test",
        "director02@chesmenskiy.demo.test",
        "observer@demo.test",
        DEMO_PASSWORD,
        "районов 1, организаций 60",
    ] {
        assert!(stdout.contains(expected), "{expected} in {stdout}");
    }
    let again = project_office(&args, &url, &dir).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("только в пустую базу"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn serve_demo_loads_the_district_on_the_first_start_only() {
    use std::io::{BufRead, BufReader};
    let (url, dir) = fresh_sqlite();
    for first in [true, false] {
        let mut child = project_office(&["serve", "--demo", "--listen", "127.0.0.1:0"], &url, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut printed = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        while !printed.contains("listens on") {
            assert!(stdout.read_line(&mut printed).unwrap() > 0, "serve stopped: {printed}");
        }
        // Ready (and its signal handler installed) once it answers.
        let base = printed
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_string();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let status = runtime.block_on(async { reqwest::get(format!("{base}/healthz")).await.unwrap().status() });
        assert_eq!(status, 200);
        assert!(
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        assert!(child.wait().unwrap().success());
        assert_eq!(
            printed.contains("coordinator@chesmenskiy.demo.test"),
            first,
            "{printed}"
        );
        assert_eq!(printed.contains("уже есть данные"), !first, "{printed}");
    }
    std::fs::remove_dir_all(dir).ok();
}
