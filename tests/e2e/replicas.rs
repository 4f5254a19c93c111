//! Two replicas: two real `project-office serve` processes on one PostgreSQL database and
//! nothing else shared — no memory, no files. Both serve the API and both run the reminder
//! scheduler (every two seconds, so they tick at the same instants) against one SMTP server on
//! loopback. The test shows that every planned reminder reaches its recipient exactly once, and
//! that concurrent transitions and indicator corrections sent to both servers lose no update.

mod process;
mod setup;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use engine::model::EventKind;
use engine::service::ReportFilter;
use engine::{Actor, Engine};
use mail_parser::MessageParser;
use process::Replica;
use serde_json::json;
use setup::{due_reminders, looping_project, today};

use crate::helpers::{Backend, Server, error_code};
use crate::smtp::{Received, SmtpServer};

const PASSWORD: &str = "пароль-для-тестов";
const BASE_URL: &str = "https://po.replicas.test";

/// What one worker did.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    done: usize,
    conflicts: usize,
}

/// Moves `project` back and forth `goal` times through `server`: read the version and the
/// stage, ask for the other stage with that version, and on CONFLICT read again.
async fn transition_worker(server: Server, token: String, project: i64, goal: usize) -> Tally {
    let mut tally = Tally::default();
    for _ in 0..goal * 40 {
        if tally.done == goal {
            return tally;
        }
        let seen = server
            .ok(
                Some(&token),
                "query($id: ID!) { project(id: $id) { rowVersion currentStage { key } } }",
                json!({ "id": project.to_string() }),
            )
            .await;
        let version = seen["project"]["rowVersion"].as_i64().unwrap();
        let to = match seen["project"]["currentStage"]["key"].as_str() {
            Some("implementation") => "monitoring",
            Some("monitoring") => "implementation",
            other => panic!("project {project} left the loop: {other:?}"),
        };
        let body = server
            .gql(
                Some(&token),
                "mutation($i: TransitionProjectInput!) { transitionProject(input: $i) { rowVersion } }",
                json!({ "i": {
                    "projectId": project.to_string(),
                    "toStage": to,
                    "expectedVersion": version,
                    "comment": "Ещё один цикл реализации",
                } }),
            )
            .await;
        if body.get("errors").is_none() {
            tally.done += 1;
        } else if error_code(&body) == "CONFLICT" {
            tally.conflicts += 1;
        } else {
            panic!("transition of project {project} failed: {body:#}");
        }
    }
    panic!("project {project}: {tally:?} after {} attempts", goal * 40);
}

/// Corrects the once-only report of `project` with each of `values` through `server`;
/// returns the revision each correction got.
async fn report_worker(server: Server, token: String, project: i64, organization: i64, values: Vec<f64>) -> Vec<i64> {
    let mut revisions = Vec::new();
    for value in values {
        let data = server
            .ok(
                Some(&token),
                "mutation($i: ReportIndicatorInput!) { reportIndicator(input: $i) { revision value } }",
                json!({ "i": {
                    "projectId": project.to_string(),
                    "organizationId": organization.to_string(),
                    "indicator": "vpr_low_base",
                    "period": "once",
                    "value": value,
                    "comment": format!("исправление {value}"),
                } }),
            )
            .await;
        assert_eq!(data["reportIndicator"]["value"].as_f64(), Some(value));
        revisions.push(data["reportIndicator"]["revision"].as_i64().unwrap());
    }
    revisions
}

/// Per (recipient, project): how many reminder entries the received digests carried. A digest
/// lists each project as a group of «  • …» entries closed by the project's link.
fn entries_received(received: &[Received]) -> BTreeMap<(String, i64), usize> {
    let mut out = BTreeMap::new();
    let link = format!("  Открыть проект: {BASE_URL}/projects/");
    for message in received {
        let parsed = MessageParser::default().parse(&message.data).unwrap();
        let text = parsed.body_text(0).unwrap();
        let recipient = message.to.join(",");
        let mut entries = 0;
        for line in text.lines() {
            if line.starts_with("  • ") {
                entries += 1;
            } else if let Some(id) = line.strip_prefix(&link) {
                let id: i64 = id.trim().parse().unwrap();
                *out.entry((recipient.clone(), id)).or_default() += entries;
                entries = 0;
            }
        }
        assert_eq!(entries, 0, "an entry outside a project group: {text}");
    }
    out
}

/// Another handle on the same server (the client shares its connection pool).
fn handle(server: &Server) -> Server {
    Server {
        base: server.base.clone(),
        http: server.http.clone(),
    }
}

async fn outbox(engine: &Engine) -> Vec<engine::reminders::Notification> {
    engine.notifications(&Actor::SYSTEM, &Default::default()).await.unwrap()
}

/// Waits until `done` holds, or fails after `limit` with `what`.
async fn wait_for<F, Fut>(limit: Duration, what: impl Fn() -> String, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "gave up waiting after {limit:?}: {}", what());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_send_every_reminder_once_and_lose_no_update() {
    crate::helpers::run(Backend::Postgres, |db| async move {
        let started = Instant::now();
        let w = db.world().await;
        due_reminders(&db, &w).await;
        db.clock.set(Utc::now());
        let mut looping = Vec::new();
        for school in 0..3 {
            looping.push((looping_project(&db, &w, school).await, w.schools[school].id));
        }

        let smtp = SmtpServer::start(0);
        // Both start at once, so their first ticks (at start-up) already race.
        let mut a = Replica::start("a", &db.url, smtp.port);
        let mut b = Replica::start("b", &db.url, smtp.port);
        a.wait_ready();
        b.wait_ready();
        // A session opened on one replica works on the other: sessions live in the database.
        let token = a.server.login("coordinator@chesma.test", PASSWORD).await;

        // More reminders fall due while both run: launched through each replica's API.
        for (replica, school) in [(&a, 0), (&b, 1), (&b, 2)] {
            replica
                .server
                .ok(
                    Some(&token),
                    "mutation($i: LaunchProjectInput!) { launchProject(input: $i) { id } }",
                    json!({ "i": {
                        "workflowKey": "school-leaders",
                        "districtId": w.district.id.to_string(),
                        "participantIds": [w.schools[school].id.to_string()],
                        "startDate": (today() - Days::new(60)).to_string(),
                    } }),
                )
                .await;
        }
        a.server
            .ok(
                Some(&token),
                "mutation($i: LaunchProjectInput!) { launchProject(input: $i) { id } }",
                json!({ "i": {
                    "workflowKey": "school-leaders",
                    "districtId": w.district.id.to_string(),
                    "participantIds": [w.schools[0].id.to_string()],
                    "dueDates": [{ "stage": "pairing", "date": (today() + Days::new(1)).to_string() }],
                } }),
            )
            .await;

        // Meanwhile, the same projects are moved and their report corrected through both.
        let mut before = BTreeMap::new();
        for &(p, _) in &looping {
            let details = db.engine.project(&w.admin, p).await.unwrap();
            let moves = details
                .history
                .iter()
                .filter(|e| e.kind == EventKind::Transition)
                .count();
            before.insert(p, (details.project.row_version, moves));
        }
        const WORKERS: usize = 4;
        const MOVES: usize = 6;
        const CORRECTIONS: usize = 5;
        let mut movers = Vec::new();
        let mut reporters = Vec::new();
        for &(p, org) in &looping {
            for worker in 0..WORKERS {
                let server = if worker.is_multiple_of(2) { &a.server } else { &b.server };
                let (s, t) = (handle(server), token.clone());
                movers.push((p, tokio::spawn(transition_worker(s, t, p, MOVES))));
                let values: Vec<f64> = (0..CORRECTIONS).map(|i| (worker * 10 + i) as f64).collect();
                let (s, t) = (handle(server), token.clone());
                reporters.push((p, tokio::spawn(report_worker(s, t, p, org, values))));
            }
        }
        let mut moved: BTreeMap<i64, Tally> = BTreeMap::new();
        for (p, handle) in movers {
            let tally = handle.await.unwrap();
            let sum = moved.entry(p).or_default();
            sum.done += tally.done;
            sum.conflicts += tally.conflicts;
        }
        let mut revisions: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (p, handle) in reporters {
            revisions.entry(p).or_default().extend(handle.await.unwrap());
        }

        // No lost update: every successful transition is one history entry and one version.
        for &(p, _) in &looping {
            let details = db.engine.project(&w.admin, p).await.unwrap();
            let (version, moves) = before[&p];
            let done = moved[&p].done;
            assert_eq!(done, WORKERS * MOVES);
            let now_moves = details
                .history
                .iter()
                .filter(|e| e.kind == EventKind::Transition)
                .count();
            assert_eq!(now_moves - moves, done, "project {p}: one history entry per transition");
            assert_eq!(
                (details.project.row_version - version) as usize,
                done,
                "project {p}: one version per transition"
            );
            let expected = if done.is_multiple_of(2) {
                "implementation"
            } else {
                "monitoring"
            };
            assert_eq!(details.project.current_stage, expected, "project {p}");
            // Every correction got its own revision and every value is kept.
            let mut got = revisions[&p].clone();
            got.sort_unstable();
            let n = (WORKERS * CORRECTIONS) as i64;
            assert_eq!(got, (2..=n + 1).collect::<Vec<_>>(), "project {p}: revisions");
            let reports = db
                .engine
                .indicator_reports(
                    &w.admin,
                    &ReportFilter {
                        project_id: Some(p),
                        indicator: Some("vpr_low_base".into()),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let [report] = reports.as_slice() else {
                panic!("one report per project and period: {reports:?}")
            };
            assert_eq!(i64::from(report.revision), n + 1);
            let mut values: Vec<f64> = report.earlier.iter().map(|r| r.value).collect();
            values.push(report.value);
            values.sort_by(f64::total_cmp);
            let mut sent: Vec<f64> = (0..WORKERS)
                .flat_map(|w| (0..CORRECTIONS).map(move |i| (w * 10 + i) as f64))
                .chain([50.0])
                .collect();
            sent.sort_by(f64::total_cmp);
            assert_eq!(values, sent, "project {p}: every value kept");
        }

        // Let both replicas tick a few more times, then wait for the outbox to drain: every
        // reminder due now is in it, and every row is sent.
        let (ticks_a, ticks_b) = (a.ticks(), b.ticks());
        let (ra, rb, engine) = (&a, &b, &db.engine);
        wait_for(
            Duration::from_secs(20),
            || format!("ticks a {} b {}", ra.ticks(), rb.ticks()),
            move || async move { ra.ticks() >= ticks_a + 2 && rb.ticks() >= ticks_b + 2 },
        )
        .await;
        wait_for(
            Duration::from_secs(20),
            || "the outbox to hold every reminder due now, all sent".into(),
            move || async move {
                let rows = outbox(engine).await;
                let due = engine.plan_reminders(Utc::now()).await.unwrap();
                rows.iter()
                    .all(|n| n.status == engine::reminders::NotificationStatus::Sent)
                    && due.iter().all(|i| rows.iter().any(|n| n.dedupe_key == i.dedupe_key))
            },
        )
        .await;
        let rows = outbox(engine).await;
        assert!(rows.len() >= 14, "expected the reminders set up above: {rows:#?}");
        for n in &rows {
            assert_eq!(
                (n.status.as_str(), n.attempts, n.last_error.as_deref()),
                ("sent", 1, None),
                "{n:?}"
            );
        }
        let mut expected: BTreeMap<(String, i64), usize> = BTreeMap::new();
        for n in &rows {
            *expected
                .entry((n.recipient_email.clone(), n.project_id.unwrap()))
                .or_default() += 1;
        }
        // Whatever a replica sent reached the server before the row was marked sent.
        let received = smtp.received();
        assert_eq!(
            entries_received(&received),
            expected,
            "every reminder delivered exactly once, per recipient and project"
        );
        let mut ids: Vec<String> = received
            .iter()
            .map(|m| {
                MessageParser::default()
                    .parse(&m.data)
                    .and_then(|p| p.message_id().map(str::to_string))
                    .unwrap()
            })
            .collect();
        let digests = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), digests, "no digest sent twice");
        assert_eq!(a.items_sent() + b.items_sent(), rows.len(), "the replicas' logs agree");
        assert!(
            a.errors().is_empty() && b.errors().is_empty(),
            "{:?} {:?}",
            a.errors(),
            b.errors()
        );
        assert!(a.ticks() >= 3 && b.ticks() >= 3, "both replicas ticked repeatedly");
        eprintln!(
            "replicas: {} reminders in {digests} digests (a sent {}, b sent {}; ticks a {}, b {}); \
             transitions {:?}; {} corrections per project; {:.1} s",
            rows.len(),
            a.items_sent(),
            b.items_sent(),
            a.ticks(),
            b.ticks(),
            moved,
            WORKERS * CORRECTIONS,
            started.elapsed().as_secs_f64()
        );
        drop((a, b));
    })
    .await;
}

/// Two replicas started at once on a new database (or after an upgrade) both find migrations
/// pending: the advisory lock makes one apply them while the other waits, and both start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_migrating_one_database_at_once_both_start() {
    let Some((url, name)) = crate::helpers::fresh_postgres().await else {
        return;
    };
    let a = engine::store::connect(&url).await.unwrap();
    let b = engine::store::connect(&url).await.unwrap();
    let (first, second) = tokio::join!(engine::store::migrate(&a), engine::store::migrate(&b));
    a.close().await.ok();
    b.close().await.ok();
    crate::helpers::drop_postgres(&name).await;
    first.unwrap();
    second.unwrap();
}
