//! Moving projects between stages: guards, roles, versions, concurrency, completion.

use chrono::Duration;
use engine::model::{EventKind, ProjectStatus};
use engine::service::TransitionRequest;

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::{code, date, minimal_launch};

fn to(project_id: i64, stage: &str, version: i32) -> TransitionRequest {
    TransitionRequest {
        from_stage: None,
        project_id,
        to_stage: stage.into(),
        expected_version: version,
        comment: None,
    }
}

async fn a_transition_waits_for_the_checklist_then_moves_and_leaves_a_trace(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    let err = e
        .transition_project(&w.coordinator, to(p.id, "work", 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert!(
        err.to_string().contains("«Приказ»"),
        "the message names the unticked item: {err}"
    );
    let available = e.available_transitions(&w.coordinator, p.id).await.unwrap();
    assert_eq!(available.len(), 1);
    assert_eq!(available[0].to_stage, "work");
    assert_eq!(available[0].blockers.len(), 1);

    let ticked = e
        .complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
        .await
        .unwrap();
    assert_eq!(ticked.project.row_version, 2);
    assert!(
        e.available_transitions(&w.coordinator, p.id).await.unwrap()[0]
            .blockers
            .is_empty()
    );

    db.clock.advance(Duration::days(5));
    let moved = e
        .transition_project(
            &w.coordinator,
            TransitionRequest {
                from_stage: None,
                comment: Some("  Приказ подписан  ".into()),
                ..to(p.id, "work", 2)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (moved.project.current_stage.as_str(), moved.project.row_version),
        ("work", 3)
    );
    let start = moved.stages.iter().find(|s| s.stage_key == "start").unwrap();
    let work = moved.stages.iter().find(|s| s.stage_key == "work").unwrap();
    assert!(start.completed_at.is_some());
    assert_eq!(work.entered_at, Some(db.clock_now()));
    // "30 days after entering the stage": planned from the start stage's due date
    // (17 March), now from the real entry on 8 March; 7 April is a Monday.
    assert_eq!(work.baseline_due, Some(date("2025-04-16")));
    assert_eq!(work.current_due, Some(date("2025-04-07")));
    assert!(moved.history.is_empty(), "a move answers without the history");
    let history = e.project(&w.coordinator, moved.project.id).await.unwrap().history;
    let last = history.last().unwrap();
    assert_eq!(last.kind, EventKind::Transition);
    assert_eq!(
        (last.from_stage.as_deref(), last.to_stage.as_deref()),
        (Some("start"), Some("work"))
    );
    assert_eq!(last.comment.as_deref(), Some("Приказ подписан"));
    assert_eq!(last.actor_id, Some(w.coordinator.user_id));
}

async fn a_stale_row_version_is_a_conflict(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    e.complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
        .await
        .unwrap();
    let err = e
        .transition_project(&w.coordinator, to(p.id, "work", 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    assert!(err.to_string().contains("обновите страницу"), "{err}");
    assert_eq!(
        e.project(&w.coordinator, p.id).await.unwrap().project.current_stage,
        "start"
    );
}

async fn two_simultaneous_transitions_of_one_project_exactly_one_wins(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    for round in 0..5 {
        let p = e
            .launch_project(&w.coordinator, minimal_launch(&w, round % 2))
            .await
            .unwrap()
            .project;
        let version = e
            .complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
            .await
            .unwrap()
            .project
            .row_version;
        let (a, b) = (e.clone(), e.clone());
        let (actor_a, actor_b) = (w.coordinator.clone(), w.admin.clone());
        let first = tokio::spawn(async move { a.transition_project(&actor_a, to(p.id, "work", version)).await });
        let second = tokio::spawn(async move { b.transition_project(&actor_b, to(p.id, "work", version)).await });
        let results = [first.await.unwrap(), second.await.unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        let codes: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| e.code())
            .collect();
        assert_eq!(
            (won, codes.clone()),
            (1, vec!["CONFLICT"]),
            "round {round}: {results:?}"
        );
        let after = e.project(&w.admin, p.id).await.unwrap();
        assert_eq!(after.project.row_version, version + 1);
        assert_eq!(
            after.history.iter().filter(|h| h.kind == EventKind::Transition).count(),
            1
        );
    }
}

async fn roles_and_scopes_decide_who_moves_a_project(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    e.complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
        .await
        .unwrap();
    // start → work is the coordinator's.
    let err = e
        .transition_project(&w.director, to(p.id, "work", 2))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
    assert!(err.to_string().contains("координатор"), "{err}");
    assert!(e.available_transitions(&w.director, p.id).await.unwrap().is_empty());
    assert_eq!(
        code(e.transition_project(&w.observer, to(p.id, "work", 2)).await),
        "FORBIDDEN"
    );
    // Others may not even read it.
    assert_eq!(
        code(e.transition_project(&w.second_director, to(p.id, "work", 2)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(e.transition_project(&w.other_coordinator, to(p.id, "work", 2)).await),
        "FORBIDDEN"
    );
    // A refused attempt changes nothing.
    assert_eq!(e.project(&w.admin, p.id).await.unwrap().project.row_version, 2);
    e.transition_project(&w.coordinator, to(p.id, "work", 2)).await.unwrap();
}

async fn a_transition_that_the_workflow_does_not_have_is_refused(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    let err = e
        .transition_project(&w.coordinator, to(p.id, "done", 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert!(
        err.to_string().contains("«Работа»"),
        "the message lists the possible moves: {err}"
    );
    let err = e
        .transition_project(&w.coordinator, to(p.id, "nowhere", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "toStage"),
        "{err:?}"
    );
}

async fn indicators_must_be_reported_for_the_current_period_by_every_participant(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    e.complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
        .await
        .unwrap();
    e.transition_project(&w.coordinator, to(p.id, "work", 2)).await.unwrap();
    let err = e
        .transition_project(&w.coordinator, to(p.id, "done", 3))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert!(
        err.to_string()
            .contains("«1.1 Доля педагогов, прошедших обучение» за I квартал 2025 г.")
            && err.to_string().contains("Чесменская СОШ № 1"),
        "{err}"
    );
    // A report for another period does not count.
    db.insert_report(p.id, w.schools[0].id, "1.1", "2024-Q4", 90.0).await;
    assert_eq!(
        code(e.transition_project(&w.coordinator, to(p.id, "done", 3)).await),
        "INVALID_TRANSITION"
    );
    db.insert_report(p.id, w.schools[0].id, "1.1", "2025-Q1", 95.0).await;
    let done = e.transition_project(&w.coordinator, to(p.id, "done", 3)).await.unwrap();
    assert_eq!(done.project.status, ProjectStatus::Completed);
    assert!(done.project.closed_at.is_some());
    assert!(
        done.stages
            .iter()
            .all(|s| s.stage_key == "work" || s.stage_key == "done" || s.completed_at.is_some())
    );
}

async fn a_completed_or_cancelled_project_does_not_move(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    assert_eq!(
        code(e.cancel_project(&w.coordinator, p.id, 1, "   ").await),
        "VALIDATION"
    );
    assert_eq!(
        code(e.cancel_project(&w.director, p.id, 1, "Школа закрыта").await),
        "FORBIDDEN"
    );
    let cancelled = e
        .cancel_project(&w.coordinator, p.id, 1, "Школа реорганизована")
        .await
        .unwrap();
    assert_eq!(cancelled.project.status, ProjectStatus::Cancelled);
    assert_eq!(
        cancelled.history.last().unwrap().comment.as_deref(),
        Some("Школа реорганизована")
    );
    let err = e
        .transition_project(&w.coordinator, to(p.id, "work", 2))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert!(err.to_string().contains("отменён"), "{err}");
    assert_eq!(
        code(
            e.complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
                .await
        ),
        "INVALID_TRANSITION"
    );
    assert!(e.available_transitions(&w.coordinator, p.id).await.unwrap().is_empty());
}

async fn a_comment_is_required_where_the_workflow_says_so(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    // school-leaders: monitoring → implementation («на доработку») needs a comment.
    let launched = e
        .launch_project(
            &w.coordinator,
            engine::service::LaunchProject {
                workflow_key: "school-leaders".into(),
                district_id: w.district.id,
                participants: vec![w.schools[2].id],
                start_date: Some(date("2025-01-13")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let def = launched.definition.clone();
    let back = def
        .transitions()
        .iter()
        .find(|t| t.guards.comment_required && def.stage_index(t.target()) < def.stage_index(&t.from))
        .expect("a way back")
        .clone();
    // Walk forward to the `from` stage of that transition, ticking checklists and
    // reporting what guards ask for.
    let mut version = launched.project.row_version;
    let mut current = launched.project.current_stage.clone();
    while current != back.from {
        let t = def
            .transitions_from(&current)
            .find(|t| def.stage_index(t.target()) > def.stage_index(&current))
            .unwrap()
            .clone();
        for item in &def.stage(&current).unwrap().checklist {
            version = e
                .complete_checklist_item(&w.coordinator, launched.project.id, &current, &item.key, true)
                .await
                .unwrap()
                .project
                .row_version;
        }
        for key in &t.guards.indicators_reported {
            let period =
                engine::period::Period::containing(def.indicator(key).unwrap().period, launched.today(db.clock_now()))
                    .to_string();
            db.insert_report(launched.project.id, w.schools[2].id, key, &period, 10.0)
                .await;
        }
        let comment = t.guards.comment_required.then(|| "Готово".to_string());
        let moved = e
            .transition_project(
                &w.admin,
                TransitionRequest {
                    from_stage: None,
                    comment,
                    ..to(launched.project.id, t.target(), version)
                },
            )
            .await
            .unwrap();
        version = moved.project.row_version;
        current = moved.project.current_stage;
    }
    let err = e
        .transition_project(&w.coordinator, to(launched.project.id, back.target(), version))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert!(err.to_string().contains("комментарий"), "{err}");
    let moved = e
        .transition_project(
            &w.coordinator,
            TransitionRequest {
                from_stage: None,
                comment: Some("Не выполнены мероприятия по рискам".into()),
                ..to(launched.project.id, back.target(), version)
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.project.current_stage, back.target());
    // Re-entered: the stage is open again.
    let plan = moved.stages.iter().find(|s| s.stage_key == back.target()).unwrap();
    assert!(plan.completed_at.is_none() && plan.entered_at == Some(db.clock_now()));
}

both_backends!(
    a_transition_waits_for_the_checklist_then_moves_and_leaves_a_trace,
    a_stale_row_version_is_a_conflict,
    two_simultaneous_transitions_of_one_project_exactly_one_wins,
    roles_and_scopes_decide_who_moves_a_project,
    a_transition_that_the_workflow_does_not_have_is_refused,
    indicators_must_be_reported_for_the_current_period_by_every_participant,
    a_completed_or_cancelled_project_does_not_move,
    a_comment_is_required_where_the_workflow_says_so
);
