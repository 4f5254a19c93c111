//! Parallel branches at run time, on both databases: «Точка роста» forks into premises,
//! equipment and training after the local acts, and acceptance is the join.

use chrono::Duration;
use engine::model::{EventDetails, EventKind, ProjectDetails};
use engine::period::{Period, Periodicity};
use engine::service::{LaunchProject, TransitionRequest};

use crate::both_backends;
use crate::helpers::{TestDb, World, date};

fn move_to(project_id: i64, from: Option<&str>, to: &str, version: i32) -> TransitionRequest {
    TransitionRequest {
        project_id,
        from_stage: from.map(str::to_string),
        to_stage: to.into(),
        expected_version: version,
        comment: None,
    }
}

fn current(details: &ProjectDetails) -> Vec<&str> {
    details.current_plans().map(|p| p.stage_key.as_str()).collect()
}

/// Ticks every checklist item of `stage`; answers the project afterwards.
pub(crate) async fn tick_all(db: &TestDb, w: &World, project: &ProjectDetails, stage: &str) -> ProjectDetails {
    let items: Vec<(String, bool)> = project
        .definition
        .stage(stage)
        .unwrap()
        .checklist
        .iter()
        .map(|i| (i.key.clone(), i.document))
        .collect();
    let mut last = None;
    for (item, document) in items {
        // An item that needs a document is ticked saying where it is.
        let comment = document.then_some("№ 12 от 14.03.2025");
        last = Some(
            db.engine
                .mark_checklist_item(&w.coordinator, project.project.id, stage, &item, true, comment)
                .await
                .unwrap(),
        );
    }
    last.unwrap()
}

/// A «Точка роста» launched on 3 March 2025 and moved up to the fork.
pub(crate) async fn forked(db: &TestDb, w: &World) -> ProjectDetails {
    let e = &db.engine;
    let launched = e
        .launch_project(
            &w.coordinator,
            LaunchProject {
                workflow_key: "tochka-rosta".into(),
                district_id: w.district.id,
                participants: vec![w.schools[0].id],
                start_date: Some(date("2025-03-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(launched.definition.has_branches());
    let p = tick_all(db, w, &launched, "application").await;
    let p = e
        .transition_project(
            &w.coordinator,
            move_to(p.project.id, None, "documents", p.project.row_version),
        )
        .await
        .unwrap();
    let p = tick_all(db, w, &p, "documents").await;
    db.clock.advance(Duration::days(3));
    e.transition_project(
        &w.coordinator,
        move_to(p.project.id, None, "equipment", p.project.row_version),
    )
    .await
    .unwrap()
}

async fn a_fork_runs_three_branches_and_the_join_opens_when_all_are_done(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = forked(&db, &w).await;
    assert_eq!(current(&p), ["premises", "equipment", "training"]);
    assert_eq!(
        p.project.current_stage, "premises",
        "the first branch stands for the project in lists"
    );
    let id = p.project.id;
    let history = e.project(&w.coordinator, id).await.unwrap().history;
    let fork = history.last().unwrap();
    assert_eq!(
        (fork.kind, fork.from_stage.as_deref(), fork.to_stage.as_deref()),
        (EventKind::Transition, Some("documents"), Some("premises"))
    );
    assert_eq!(
        fork.details,
        EventDetails::Moved {
            opened: vec!["premises".into(), "equipment".into(), "training".into()],
            waiting: vec![],
        }
    );

    // Each branch offers its own way on, and says which stage it leaves.
    let offered = e.available_transitions(&w.coordinator, id).await.unwrap();
    let from: Vec<&str> = offered.iter().map(|t| t.from_stage.as_str()).collect();
    assert_eq!(from, ["premises", "equipment", "training"]);
    assert!(offered.iter().all(|t| t.to_stage == "acceptance"));

    // Three stages lead to acceptance: without `fromStage` the engine asks which.
    let ambiguous = e
        .transition_project(&w.coordinator, move_to(id, None, "acceptance", p.project.row_version))
        .await
        .unwrap_err();
    assert_eq!(ambiguous.code(), "VALIDATION");
    assert!(ambiguous.to_string().contains("укажите, какой"), "{ambiguous}");

    // The first branch done waits at the join; the project goes on in the other two.
    let p = tick_all(&db, &w, &p, "premises").await;
    let p = e
        .transition_project(
            &w.coordinator,
            move_to(id, Some("premises"), "acceptance", p.project.row_version),
        )
        .await
        .unwrap();
    assert_eq!(current(&p), ["equipment", "training"]);
    assert_eq!(p.project.current_stage, "equipment");
    let waited = e.project(&w.coordinator, id).await.unwrap().history;
    assert_eq!(
        waited.last().unwrap().details,
        EventDetails::Moved {
            opened: vec![],
            waiting: vec!["acceptance".into()],
        }
    );
    let again = e
        .transition_project(
            &w.coordinator,
            move_to(id, Some("premises"), "acceptance", p.project.row_version),
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), "INVALID_TRANSITION");
    assert!(again.to_string().contains("сейчас не идёт"), "{again}");

    let p = tick_all(&db, &w, &p, "equipment").await;
    let p = e
        .transition_project(
            &w.coordinator,
            move_to(id, Some("equipment"), "acceptance", p.project.row_version),
        )
        .await
        .unwrap();
    assert_eq!(current(&p), ["training"]);

    // The last branch opens the join: its guard needs the trained-teachers report.
    let p = tick_all(&db, &w, &p, "training").await;
    let blocked = e
        .transition_project(&w.coordinator, move_to(id, None, "acceptance", p.project.row_version))
        .await
        .unwrap_err();
    assert!(
        blocked
            .to_string()
            .contains("«Доля педагогов Центра, прошедших обучение"),
        "{blocked}"
    );
    let today = p.today(db.clock_now());
    db.insert_report(
        id,
        w.schools[0].id,
        "teachers_trained",
        &Period::containing(Periodicity::Quarter, today).to_string(),
        100.0,
    )
    .await;
    let p = e
        .transition_project(&w.coordinator, move_to(id, None, "acceptance", p.project.row_version))
        .await
        .unwrap();
    assert_eq!(current(&p), ["acceptance"]);
    assert!(
        p.stages
            .iter()
            .find(|s| s.stage_key == "acceptance")
            .unwrap()
            .entered_at
            .is_some()
    );

    // A return for revision reruns one branch; the join reopens when it alone is done.
    let back = e
        .transition_project(
            &w.coordinator,
            TransitionRequest {
                comment: Some("Не закончено брендирование кабинета химии".into()),
                ..move_to(id, None, "premises", p.project.row_version)
            },
        )
        .await
        .unwrap();
    assert_eq!(current(&back), ["premises"]);
    let p = e
        .transition_project(
            &w.coordinator,
            move_to(id, None, "acceptance", back.project.row_version),
        )
        .await
        .unwrap();
    assert_eq!(current(&p), ["acceptance"]);
}

async fn the_latest_branch_makes_the_project_late_and_each_branch_is_reminded(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = forked(&db, &w).await;
    let due = |key: &str| {
        p.stages
            .iter()
            .find(|s| s.stage_key == key)
            .unwrap()
            .current_due
            .unwrap()
    };
    // Training ends in summer, long before premises and equipment: parallel branches keep
    // their own windows.
    assert!(due("training") < due("premises") && due("training") < due("equipment"));

    // The day after training's due date: the project is red because of that branch alone.
    let late = (due("training") + chrono::Days::new(1))
        .and_hms_opt(6, 0, 0)
        .unwrap()
        .and_utc();
    db.clock.set(late);
    let now = e.project(&w.coordinator, p.project.id).await.unwrap();
    assert!(now.is_overdue(late));
    let health = e.health_of(&w.coordinator, &[p.project.id]).await.unwrap();
    let (light, _) = &health[&p.project.id];
    assert!(light.overdue, "{light:?}");
    assert_eq!(light.health, engine::health::Health::Red);

    let items = e.plan_reminders(late).await.unwrap();
    let stages: std::collections::BTreeSet<&str> = items
        .iter()
        .filter(|i| i.project_id == p.project.id)
        .filter_map(|i| i.stage_key.as_deref())
        .collect();
    assert!(
        stages.contains("training"),
        "the overdue branch is reminded: {stages:?}"
    );
    let overdue: Vec<&str> = items
        .iter()
        .filter(|i| i.project_id == p.project.id && i.kind == engine::reminders::ReminderKind::Overdue)
        .filter_map(|i| i.stage_key.as_deref())
        .collect();
    assert!(overdue.iter().all(|s| *s == "training"), "{overdue:?}");
}

both_backends!(
    a_fork_runs_three_branches_and_the_join_opens_when_all_are_done,
    the_latest_branch_makes_the_project_late_and_each_branch_is_reminded,
);
