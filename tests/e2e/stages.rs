//! Checklists and rescheduling.

use engine::model::EventKind;
use engine::service::LaunchProject;

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::{code, date, minimal_launch};

async fn rescheduling_keeps_the_baseline_moves_what_depends_on_it_and_records_the_reason(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    let err = e
        .reschedule_stage(&w.coordinator, p.id, "start", date("2025-03-24"), "  ", Some(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "reason"),
        "{err:?}"
    );
    assert_eq!(
        code(
            e.reschedule_stage(&w.director, p.id, "start", date("2025-03-24"), "Болезнь", Some(1))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.reschedule_stage(&w.coordinator, p.id, "start", date("2025-02-01"), "Ошибка", Some(1))
                .await
        ),
        "VALIDATION"
    );

    let moved = e
        .reschedule_stage(
            &w.coordinator,
            p.id,
            "start",
            date("2025-03-24"),
            "Приказ на согласовании в администрации",
            Some(1),
        )
        .await
        .unwrap();
    let plan = |key: &str| moved.stages.iter().find(|s| s.stage_key == key).unwrap().clone();
    assert_eq!(
        (plan("start").baseline_due, plan("start").current_due),
        (Some(date("2025-03-17")), Some(date("2025-03-24")))
    );
    assert!(plan("start").due_fixed);
    // "work" is planned 30 days after it is entered, expected when "start" is due.
    assert_eq!(
        (plan("work").baseline_due, plan("work").current_due),
        (Some(date("2025-04-16")), Some(date("2025-04-23")))
    );
    let event = moved.history.last().unwrap();
    assert_eq!(
        (event.kind, event.stage_key.as_deref()),
        (EventKind::Rescheduled, Some("start"))
    );
    assert_eq!(event.comment.as_deref(), Some("Приказ на согласовании в администрации"));
    assert!(
        matches!(event.details, engine::model::EventDetails::Rescheduled { from: Some(from), to, .. } if from == date("2025-03-17") && to == date("2025-03-24")),
        "{:?}",
        event.details
    );
    assert_eq!(moved.project.row_version, 2);
    assert_eq!(
        code(
            e.reschedule_stage(&w.coordinator, p.id, "start", date("2025-03-31"), "Ещё раз", Some(1))
                .await
        ),
        "CONFLICT"
    );
}

async fn a_stage_past_its_due_date_is_overdue_in_the_districts_time_zone(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = e.launch_project(&w.coordinator, minimal_launch(&w, 0)).await.unwrap();
    assert_eq!(p.current_plan().unwrap().current_due, Some(date("2025-03-17")));
    // 18:59 UTC on 17 March is 23:59 in Yekaterinburg: still on time.
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 17, 18, 59, 0).unwrap());
    assert!(!p.is_overdue(db.clock_now()));
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 17, 19, 0, 0).unwrap());
    assert!(p.is_overdue(db.clock_now()));
}

async fn checklist_items_are_ticked_by_the_stages_owners_and_the_coordinator(db: TestDb) {
    let w = db.world().await;
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
    let def = &launched.definition;
    let director_stage = def
        .stages()
        .iter()
        .find(|s| s.owners == [engine::Role::Director] && !s.checklist.is_empty())
        .expect("a director's stage");
    let coordinator_stage = def
        .stages()
        .iter()
        .find(|s| !s.owners.contains(&engine::Role::Director) && !s.checklist.is_empty())
        .expect("a coordinator's stage");
    let id = launched.project.id;
    let item = &director_stage.checklist[0];
    let ticked = e
        .complete_checklist_item(&w.director, id, &director_stage.key, &item.key, true)
        .await
        .unwrap();
    let mark = ticked.checklist.iter().find(|m| m.item_key == item.key).unwrap();
    assert!(mark.done);
    assert_eq!(mark.marked_by, Some(w.director.user_id));
    assert_eq!(
        code(
            e.complete_checklist_item(
                &w.director,
                id,
                &coordinator_stage.key,
                &coordinator_stage.checklist[0].key,
                true
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.complete_checklist_item(&w.second_director, id, &director_stage.key, &item.key, true)
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.complete_checklist_item(&w.observer, id, &director_stage.key, &item.key, true)
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.complete_checklist_item(&w.coordinator, id, &director_stage.key, "no-such-item", true)
                .await
        ),
        "VALIDATION"
    );
    // Unticking is recorded too; ticking what is already ticked changes nothing.
    let unticked = e
        .complete_checklist_item(&w.coordinator, id, &director_stage.key, &item.key, false)
        .await
        .unwrap();
    assert!(!unticked.checklist.iter().find(|m| m.item_key == item.key).unwrap().done);
    let again = e
        .complete_checklist_item(&w.coordinator, id, &director_stage.key, &item.key, false)
        .await
        .unwrap();
    assert_eq!(again.project.row_version, unticked.project.row_version);
    let ticks: Vec<_> = again
        .history
        .iter()
        .filter(|h| h.kind == EventKind::ChecklistItem)
        .collect();
    assert_eq!(ticks.len(), 2);
    assert!(matches!(
        ticks[1].details,
        engine::model::EventDetails::ChecklistItem { done: false, .. }
    ));
}

both_backends!(
    rescheduling_keeps_the_baseline_moves_what_depends_on_it_and_records_the_reason,
    a_stage_past_its_due_date_is_overdue_in_the_districts_time_zone,
    checklist_items_are_ticked_by_the_stages_owners_and_the_coordinator
);
