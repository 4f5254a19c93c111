//! The data of the replica test, written through the engine: reminders due now and projects
//! that can go round a loop of stages for ever.

use chrono::{Days, NaiveDate, Utc};
use engine::service::{LaunchProject, NewReport, TransitionRequest};
use engine::{Actor, Engine};

use crate::helpers::{TestDb, World};

/// Today in the world's district (Yekaterinburg), by the real clock.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Asia::Yekaterinburg).date_naive()
}

fn school_leaders(w: &World, school: usize) -> LaunchProject {
    LaunchProject {
        workflow_key: "school-leaders".into(),
        district_id: w.district.id,
        participants: vec![w.schools[school].id],
        ..Default::default()
    }
}

async fn tick_all(e: &Engine, actor: &Actor, project: i64, stage: &str, items: &[&str]) {
    for item in items {
        e.complete_checklist_item(actor, project, stage, item, true)
            .await
            .unwrap();
    }
}

async fn move_to(e: &Engine, actor: &Actor, project: i64, to: &str) {
    let version = e.project(actor, project).await.unwrap().project.row_version;
    e.transition_project(
        actor,
        TransitionRequest {
            from_stage: None,
            project_id: project,
            to_stage: to.into(),
            expected_version: version,
            comment: Some("Подготовка теста".into()),
        },
    )
    .await
    .unwrap();
}

const PAIRING: [&str; 4] = ["shnor_order", "leader_order", "agreement", "support_plan"];
const DIAGNOSTICS: [&str; 4] = ["questionnaires", "risk_profile", "self_diagnostics", "risks_chosen"];

/// Reminders due now, written through the engine with its clock moved to the past where a
/// stage must have been entered long ago: per school a «pairing» stage overdue for weeks (the
/// coordinator's), for the two schools with directors a «diagnostics» stage overdue (the
/// director's, escalated to the coordinator, with its once-only report missing), and one
/// «pairing» due in two days.
pub async fn due_reminders(db: &TestDb, w: &World) {
    let e = &db.engine;
    let c = &w.coordinator;
    db.clock.set(Utc::now() - chrono::Duration::days(60));
    for school in 0..3 {
        e.launch_project(c, school_leaders(w, school)).await.unwrap();
    }
    for school in 0..2 {
        let p = e.launch_project(c, school_leaders(w, school)).await.unwrap().project.id;
        tick_all(e, c, p, "pairing", &PAIRING).await;
        move_to(e, c, p, "diagnostics").await;
    }
    db.clock.set(Utc::now());
    let mut soon = school_leaders(w, 2);
    soon.due_dates.insert("pairing".into(), today() + Days::new(2));
    e.launch_project(c, soon).await.unwrap();
}

/// A project of `school-leaders` walked to «implementation» with its checklist done, so it can
/// go round the loop implementation → monitoring → implementation (the way back needs a
/// comment) for ever. Nothing in it is due soon, so it adds no reminders.
pub async fn looping_project(db: &TestDb, w: &World, school: usize) -> i64 {
    let e = &db.engine;
    let c = &w.coordinator;
    let p = e.launch_project(c, school_leaders(w, school)).await.unwrap().project.id;
    tick_all(e, c, p, "pairing", &PAIRING).await;
    move_to(e, c, p, "diagnostics").await;
    tick_all(e, c, p, "diagnostics", &DIAGNOSTICS).await;
    e.report_indicator(
        c,
        NewReport {
            project_id: p,
            organization_id: w.schools[school].id,
            indicator: "vpr_low_base".into(),
            period: "once".into(),
            value: 50.0,
            comment: None,
        },
    )
    .await
    .unwrap();
    move_to(e, c, p, "concept").await;
    tick_all(
        e,
        c,
        p,
        "concept",
        &["concept_doc", "curator_review", "concept_published"],
    )
    .await;
    move_to(e, c, p, "programmes").await;
    tick_all(
        e,
        c,
        p,
        "programmes",
        &[
            "development_programme",
            "antirisk_programmes",
            "leader_review",
            "programmes_published",
        ],
    )
    .await;
    move_to(e, c, p, "implementation").await;
    tick_all(
        e,
        c,
        p,
        "implementation",
        &["curator_reports", "leader_events", "interim_report"],
    )
    .await;
    p
}
