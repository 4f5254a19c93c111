//! Reminders end to end: planning on the stage plan, the outbox, delivery as digests through
//! a real SMTP server on loopback, retries, and exactly-once across two engines.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use engine::mail::transport::Mailer;
use engine::reminders::DeliverySettings;
use engine::service::TransitionRequest;
use engine::{Actor, Engine, FixedClock};
use mail_parser::MessageParser;

use crate::both_backends;
use crate::helpers::{Backend, TestDb, World, date, minimal_launch};
use crate::smtp::SmtpServer;

fn settings() -> DeliverySettings {
    DeliverySettings {
        base_url: "https://po.example.ru".into(),
        from: "Проектный офис <noreply@po.example.ru>".parse().unwrap(),
        max_attempts: 3,
        lease: chrono::Duration::minutes(10),
        batch: 500,
    }
}

fn smtp(port: u16) -> Mailer {
    Mailer::from_url(Some(&SmtpServer::url(port)), &std::env::temp_dir()).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// Two projects of the minimal workflow (first stage "start", the coordinator's, due 17 March
/// 2025) for schools 0 and 1, and one moved to the director's stage "work".
async fn setup(db: &TestDb) -> World {
    let w = db.world().await;
    let e = &db.engine;
    e.launch_project(&w.coordinator, minimal_launch(&w, 0)).await.unwrap();
    let moved = e
        .launch_project(&w.coordinator, minimal_launch(&w, 1))
        .await
        .unwrap()
        .project
        .id;
    e.complete_checklist_item(&w.coordinator, moved, "start", "order", true)
        .await
        .unwrap();
    e.transition_project(
        &w.coordinator,
        TransitionRequest {
            from_stage: None,
            project_id: moved,
            to_stage: "work".into(),
            expected_version: 2,
            comment: None,
        },
    )
    .await
    .unwrap();
    w
}

async fn administrators_run_and_inspect_reminders_through_the_api(db: TestDb) {
    setup(&db).await;
    let server = db.spawn_server().await;
    db.clock.set(at(2025, 4, 3, 4));
    let admin_token = server.login("admin@po.test", "пароль-для-тестов").await;
    let coordinator = server.login("coordinator@chesma.test", "пароль-для-тестов").await;
    let dry = server.ok(Some(&admin_token), "mutation { runReminders(dryRun: true) { planned queued wouldSend { kind recipientEmail stageTitle days escalated } } }", serde_json::json!({})).await;
    assert_eq!(
        (
            dry["runReminders"]["planned"].as_i64(),
            dry["runReminders"]["queued"].as_i64()
        ),
        (Some(3), Some(0))
    );
    assert!(
        db.engine
            .notifications(&Actor::SYSTEM, &Default::default())
            .await
            .unwrap()
            .is_empty(),
        "a dry run writes nothing"
    );
    let run = server
        .ok(
            Some(&admin_token),
            "mutation { runReminders { planned queued emailsSent itemsSent } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        run["runReminders"],
        serde_json::json!({ "planned": 3, "queued": 3, "emailsSent": 2, "itemsSent": 3 })
    );
    let outbox = server
        .ok(
            Some(&admin_token),
            "{ notifications { nodes { kind recipientEmail status attempts lastError reminder { projectTitle days } } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(outbox["notifications"]["nodes"].as_array().unwrap().len(), 3);
    assert!(
        outbox["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "SENT" && n["kind"] != "")
    );
    // Statuses are an enum: a filter matches by it, and a misspelt one is an error, not an
    // empty list.
    let failed = server
        .ok(
            Some(&admin_token),
            "{ notifications(status: FAILED) { nodes { id } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(failed["notifications"]["nodes"], serde_json::json!([]));
    let sent = server
        .ok(
            Some(&admin_token),
            "{ notifications(status: SENT) { nodes { id } totalCount } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(sent["notifications"]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(sent["notifications"]["totalCount"], 3);
    let bogus = server
        .gql(
            Some(&admin_token),
            "{ notifications(status: bogus) { nodes { id } } }",
            serde_json::json!({}),
        )
        .await;
    assert!(bogus["errors"][0]["message"].is_string(), "{bogus}");
    let refused = server
        .gql(
            Some(&coordinator),
            "{ notifications { nodes { id } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&refused), "FORBIDDEN");
    let refused = server
        .gql(
            Some(&coordinator),
            "mutation { runReminders(dryRun: true) { planned } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&refused), "FORBIDDEN");
}

async fn each_recipient_gets_one_digest_and_a_second_tick_sends_nothing(db: TestDb) {
    let w = setup(&db).await;
    let server = SmtpServer::start(0);
    let mailer = smtp(server.port);
    // 12 March, 09:00 in Yekaterinburg: "start" (due 17 March) has 5 days left → the
    // 7-day reminder to the coordinator. "work" was entered on 3 March, due 2 April.
    let now = at(2025, 3, 12, 4);
    let (planned, queued) = db.engine.plan_and_enqueue(now).await.unwrap();
    assert_eq!((planned, queued), (1, 1));
    let report = db.engine.deliver_pending(now, &mailer, &settings()).await.unwrap();
    assert_eq!((report.emails_sent, report.items_sent), (1, 1));
    // Past both due dates: overdue for both stages; the director of school 1 owns "work",
    // the coordinator owns "start" and hears about "work" as an escalation.
    let later = at(2025, 4, 3, 4);
    let (planned, queued) = db.engine.plan_and_enqueue(later).await.unwrap();
    assert_eq!((planned, queued), (3, 3));
    let report = db.engine.deliver_pending(later, &mailer, &settings()).await.unwrap();
    assert_eq!(
        (report.emails_sent, report.items_sent),
        (2, 3),
        "one digest per recipient"
    );
    let received = server.received();
    assert_eq!(received.len(), 3);
    let coordinator = received.iter().rfind(|r| r.to == ["coordinator@chesma.test"]).unwrap();
    assert_eq!(coordinator.from, "noreply@po.example.ru");
    let message = MessageParser::default().parse(&coordinator.data).unwrap();
    assert!(
        message.subject().unwrap().contains("Проектный офис"),
        "{:?}",
        message.subject()
    );
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains("просрочено") && text.contains("https://po.example.ru/projects/"),
        "{text}"
    );
    // A second tick (or a restart) at the same time sends nothing again.
    assert_eq!(db.engine.plan_and_enqueue(later).await.unwrap(), (3, 0));
    assert_eq!(
        db.engine.deliver_pending(later, &mailer, &settings()).await.unwrap(),
        Default::default()
    );
    assert_eq!(server.received().len(), 3);
    let sent = db.engine.notifications(&w.admin, &Default::default()).await.unwrap();
    assert!(
        sent.iter()
            .all(|n| n.status == engine::reminders::NotificationStatus::Sent && n.attempts == 1),
        "{sent:?}"
    );
}

async fn with_the_mail_server_down_nothing_is_lost(db: TestDb) {
    let w = setup(&db).await;
    let port = SmtpServer::free_port();
    let now = at(2025, 3, 12, 4);
    db.engine.plan_and_enqueue(now).await.unwrap();
    let down = db.engine.deliver_pending(now, &smtp(port), &settings()).await.unwrap();
    assert_eq!((down.emails_sent, down.retrying), (0, 1));
    let pending = db.engine.notifications(&w.admin, &Default::default()).await.unwrap();
    assert_eq!((pending[0].status.as_str(), pending[0].attempts), ("pending", 1));
    assert!(
        pending[0].last_error.as_deref().is_some_and(|e| !e.is_empty()),
        "{pending:?}"
    );
    // Not yet due for a retry (backoff 1 minute).
    assert_eq!(
        db.engine.deliver_pending(now, &smtp(port), &settings()).await.unwrap(),
        Default::default()
    );
    // The server comes back; the retry delivers.
    let server = SmtpServer::start(port);
    let back = db
        .engine
        .deliver_pending(now + chrono::Duration::minutes(2), &smtp(port), &settings())
        .await
        .unwrap();
    assert_eq!((back.emails_sent, back.items_sent), (1, 1));
    assert_eq!(server.received().len(), 1);
    let sent = db.engine.notifications(&w.admin, &Default::default()).await.unwrap();
    assert_eq!((sent[0].status.as_str(), sent[0].attempts), ("sent", 2));
}

async fn a_district_is_reminded_on_its_own_local_date(db: TestDb) {
    let w = db.world().await;
    // Due 17 March; the 7-day threshold is reached on 10 March — in Yekaterinburg (UTC+5)
    // that is 19:00 UTC on 9 March, while it is still 9 March in Moscow.
    db.engine
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap();
    assert!(
        db.engine.plan_reminders(at(2025, 3, 9, 18)).await.unwrap().is_empty(),
        "23:00 on 9 March locally"
    );
    let items = db.engine.plan_reminders(at(2025, 3, 9, 19)).await.unwrap();
    assert_eq!(items.len(), 1, "00:00 on 10 March locally");
    assert_eq!((items[0].days, items[0].threshold), (7, 7));
}

async fn a_due_date_across_the_may_holidays_counts_working_days(db: TestDb) {
    let w = db.world().await;
    // Entered 29 April 2025; "start" is due 10 working days later: 30 April, 5–7 May,
    // 12–16 May and 19 May (1–4 and 8–11 May are holidays) → 19 May.
    let mut launch = minimal_launch(&w, 0);
    launch.start_date = Some(date("2025-04-29"));
    let project = db.engine.launch_project(&w.coordinator, launch).await.unwrap();
    assert_eq!(project.current_plan().unwrap().current_due, Some(date("2025-05-19")));
    // Friday 16 May, 09:00 locally: three days left.
    let items = db.engine.plan_reminders(at(2025, 5, 16, 4)).await.unwrap();
    assert_eq!((items[0].days, items[0].threshold), (3, 3));
}

both_backends!(
    administrators_run_and_inspect_reminders_through_the_api,
    each_recipient_gets_one_digest_and_a_second_tick_sends_nothing,
    with_the_mail_server_down_nothing_is_lost,
    a_district_is_reminded_on_its_own_local_date,
    a_due_date_across_the_may_holidays_counts_working_days
);

/// Two engines (two servers) on one PostgreSQL tick at the same moment: every reminder is
/// queued once and sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_engines_ticking_at_once_on_postgresql_send_each_email_exactly_once() {
    crate::helpers::run(Backend::Postgres, |db| async move {
        let w = setup(&db).await;
        // Many recipients: directors for every school, each with a project in "work".
        for school in 0..3 {
            let p = db
                .engine
                .launch_project(&w.coordinator, minimal_launch(&w, school))
                .await
                .unwrap()
                .project
                .id;
            db.engine
                .complete_checklist_item(&w.coordinator, p, "start", "order", true)
                .await
                .unwrap();
            db.engine
                .transition_project(
                    &w.coordinator,
                    TransitionRequest {
                        from_stage: None,
                        project_id: p,
                        to_stage: "work".into(),
                        expected_version: 2,
                        comment: None,
                    },
                )
                .await
                .unwrap();
        }
        let server = SmtpServer::start(0);
        let url = db.url.clone();
        let second = Engine::new(
            engine::store::connect(&url).await.unwrap(),
            Arc::new(FixedClock::new(db.clock_now())),
        );
        let now = at(2025, 4, 10, 4);
        let (a, b) = (db.engine.clone(), second.clone());
        let (ma, mb) = (smtp(server.port), smtp(server.port));
        let one = tokio::spawn(async move {
            a.plan_and_enqueue(now).await.unwrap();
            a.deliver_pending(now, &ma, &settings()).await.unwrap()
        });
        let two = tokio::spawn(async move {
            b.plan_and_enqueue(now).await.unwrap();
            b.deliver_pending(now, &mb, &settings()).await.unwrap()
        });
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        // Whatever either left (a row claimed by neither in its pass) goes out on the next pass.
        let rest = db
            .engine
            .deliver_pending(now, &smtp(server.port), &settings())
            .await
            .unwrap();
        let all = db
            .engine
            .notifications(&Actor::SYSTEM, &Default::default())
            .await
            .unwrap();
        let items = all.len();
        assert!(items >= 5, "{all:?}");
        assert_eq!(
            one.items_sent + two.items_sent + rest.items_sent,
            items,
            "every item sent once: {one:?} {two:?} {rest:?}"
        );
        assert!(
            all.iter()
                .all(|n| n.status == engine::reminders::NotificationStatus::Sent && n.attempts == 1)
        );
        let received = server.received();
        let mut recipients: Vec<String> = received.iter().flat_map(|r| r.to.clone()).collect();
        let total = recipients.len();
        recipients.sort();
        recipients.dedup();
        assert_eq!(
            total,
            recipients.len(),
            "no recipient got the same digest twice: {recipients:?}"
        );
        drop(second);
    })
    .await;
}
