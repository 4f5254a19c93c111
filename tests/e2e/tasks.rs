//! Tasks inside a stage, on both databases: «Точка роста»'s measures with their own dates are
//! counted from the opening, reminded to the stage's people until ticked, and an item that
//! needs a document is ticked only with a comment saying where it is.

use chrono::NaiveDate;
use engine::Role;
use engine::health::Health;
use engine::model::EventDetails;
use engine::model::EventKind;
use engine::reminders::ReminderKind;
use engine::service::{LaunchProject, NewUser, ResponsibleFor, TransitionRequest};
use serde_json::json;

use crate::both_backends;
use crate::branches::{forked, tick_all};
use crate::helpers::{TestDb, World, code, date};

const PASSWORD: &str = "пароль-для-тестов";

both_backends!(
    tasks_have_their_own_dates_and_reminders_until_ticked,
    an_item_that_needs_a_document_is_ticked_with_where_it_is,
    a_task_has_its_own_person_and_a_late_one_turns_the_project_red,
);

async fn tasks_have_their_own_dates_and_reminders_until_ticked(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let p = forked(&db, &w).await;
    let id = p.project.id;
    let opening = p
        .stages
        .iter()
        .find(|s| s.stage_key == "opening")
        .unwrap()
        .current_due
        .unwrap();
    // Started in March 2025, too late for that September: the opening is 1 September 2026.
    assert_eq!(opening, date("2026-09-01"));
    let calendar = e.calendar_of(&w.district).await.unwrap();
    let back =
        |days: i32| engine::schedule::offset(opening, -days, engine::definition::DayUnit::Working, &calendar).unwrap();

    // The dates as the API gives them: counted back from the opening in working days.
    let server = db.spawn_server().await;
    let token = server.login("coordinator@chesma.test", PASSWORD).await;
    let body = server
        .ok(
            Some(&token),
            "query($id: ID!) { project(id: $id) { stages { key checklist { key due daysLeft overdue documentRequired } } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    let item = |stage: &str, key: &str| {
        body["project"]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == stage)
            .unwrap()["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap()
            .clone()
    };
    let due = |stage: &str, key: &str| {
        NaiveDate::parse_from_str(item(stage, key)["due"].as_str().expect("a task date"), "%Y-%m-%d").unwrap()
    };
    // 30 working days before the opening (S1.6: equipment by about 21 July), 40 for the
    // contract, 25 for the repair contract.
    assert_eq!(due("equipment", "delivered"), back(30));
    assert_eq!(due("equipment", "delivered").format("%m").to_string(), "07");
    assert_eq!(due("equipment", "contract"), back(40));
    assert_eq!(due("premises", "repair_contract"), back(25));
    assert_eq!(
        item("equipment", "installed")["due"],
        serde_json::Value::Null,
        "an item without its own date"
    );
    assert_eq!(item("acceptance", "acceptance_act")["documentRequired"], true);

    // The day after the contract's date: an overdue task, to the school's director (the
    // equipment branch is the directors'), separate from its stage.
    let contract = due("equipment", "contract");
    let late = (contract + chrono::Days::new(1))
        .and_hms_opt(6, 0, 0)
        .unwrap()
        .and_utc();
    let tasks = |items: Vec<engine::reminders::ReminderItem>| {
        items
            .into_iter()
            .filter(|i| i.project_id == id && i.task_key.is_some())
            .map(|i| (i.task_key.unwrap(), i.kind, i.recipient_user_id.unwrap()))
            .collect::<Vec<_>>()
    };
    let reminded = tasks(e.plan_reminders(late).await.unwrap());
    assert!(
        reminded.contains(&("contract".into(), ReminderKind::Overdue, w.director.user_id)),
        "{reminded:?}"
    );
    // Ticked, it is no longer reminded.
    e.complete_checklist_item(&w.director, id, "equipment", "contract", true)
        .await
        .unwrap();
    let reminded = tasks(e.plan_reminders(late).await.unwrap());
    assert!(!reminded.iter().any(|(k, _, _)| k == "contract"), "{reminded:?}");
}

/// A «Точка роста» of school `school` launched on 3 March 2025 and moved on to its local acts;
/// its id.
pub(crate) async fn at_documents(db: &TestDb, w: &World, school: usize) -> i64 {
    let e = &db.engine;
    let p = e
        .launch_project(
            &w.coordinator,
            LaunchProject {
                workflow_key: "tochka-rosta".into(),
                district_id: w.district.id,
                participants: vec![w.schools[school].id],
                start_date: Some(date("2025-03-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let p = tick_all(db, w, &p, "application").await;
    e.transition_project(
        &w.coordinator,
        TransitionRequest {
            project_id: p.project.id,
            from_stage: None,
            to_stage: "documents".into(),
            expected_version: p.project.row_version,
            comment: None,
        },
    )
    .await
    .unwrap()
    .project
    .id
}

async fn an_item_that_needs_a_document_is_ticked_with_where_it_is(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let id = at_documents(&db, &w, 0).await;
    for comment in [None, Some("   ")] {
        match e
            .mark_checklist_item(&w.coordinator, id, "documents", "municipal_act", true, comment)
            .await
            .unwrap_err()
        {
            engine::Error::Validation { field, message } => {
                assert_eq!(field.map(|f| f.name()).as_deref(), Some("comment"));
                assert!(message.contains("нужен документ"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let ticked = e
        .mark_checklist_item(
            &w.coordinator,
            id,
            "documents",
            "municipal_act",
            true,
            Some("Постановление № 45-п от 31.03.2025"),
        )
        .await
        .unwrap();
    let mark = ticked.checklist.iter().find(|m| m.item_key == "municipal_act").unwrap();
    assert_eq!(mark.comment.as_deref(), Some("Постановление № 45-п от 31.03.2025"));
    let entry = ticked.history.last().unwrap();
    assert_eq!(entry.kind, EventKind::ChecklistItem);
    assert_eq!(entry.comment.as_deref(), Some("Постановление № 45-п от 31.03.2025"));
    // Other items tick as before.
    e.complete_checklist_item(&w.coordinator, id, "documents", "staffing", true)
        .await
        .unwrap();
}

/// «Завуч Ольга Ивановна», a second director-role user of school 0 (a deputy head who is
/// given the school's tasks), with the tests' password.
pub(crate) async fn deputy_director(db: &TestDb, w: &World) -> engine::model::User {
    db.engine
        .create_user(
            &w.admin,
            NewUser {
                email: "zavuch@school1.test".into(),
                full_name: "Завуч Ольга Ивановна".into(),
                password: Some(PASSWORD.into()),
                role: Role::Director,
                district_id: Some(w.district.id),
                organization_id: Some(w.schools[0].id),
            },
        )
        .await
        .unwrap()
}

/// A task of a «Точка роста» branch gets a person of its own — the school's deputy, among the
/// people the task's role allows — who is reminded before its date, alone; past its date the
/// project is red, the dashboard names the task and its person, and the project's page shows
/// who answers for it.
async fn a_task_has_its_own_person_and_a_late_one_turns_the_project_red(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let deputy = deputy_director(&db, &w).await;
    let p = forked(&db, &w).await;
    let id = p.project.id;
    let contract = ResponsibleFor::Task {
        stage: "equipment",
        task: "contract",
    };

    // The task is the directors': its candidates are the school's directors, not coordinators.
    let candidates: Vec<i64> = e
        .responsible_candidates(&w.coordinator, id, contract)
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert!(
        candidates.contains(&deputy.id) && candidates.contains(&w.director.user_id),
        "{candidates:?}"
    );
    assert!(!candidates.contains(&w.coordinator.user_id), "{candidates:?}");
    let wrong = e
        .assign_responsible(&w.coordinator, id, contract, Some(w.coordinator.user_id), None)
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "VALIDATION");
    assert!(wrong.to_string().contains("за задачу «Контракт на поставку"), "{wrong}");
    let missing = e
        .assign_responsible(
            &w.coordinator,
            id,
            ResponsibleFor::Task {
                stage: "equipment",
                task: "no_such_task",
            },
            Some(deputy.id),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "VALIDATION");
    assert!(missing.to_string().contains("нет задачи «no_such_task»"), "{missing}");
    assert_eq!(
        code(
            e.assign_responsible(&w.director, id, contract, Some(deputy.id), None)
                .await
        ),
        "FORBIDDEN"
    );

    let named = e
        .assign_responsible(
            &w.coordinator,
            id,
            contract,
            Some(deputy.id),
            Some(p.project.row_version),
        )
        .await
        .unwrap();
    let entry = named.history.last().unwrap();
    assert_eq!(entry.kind, EventKind::ResponsibleChanged);
    assert_eq!(entry.stage_key.as_deref(), Some("equipment"));
    assert!(
        matches!(&entry.details, EventDetails::Responsible { from: None, to: Some(to), task: Some(t) }
            if to.id == deputy.id && t.key == "contract"),
        "{:?}",
        entry.details
    );
    // The same person again changes nothing, not even the version.
    let again = e
        .assign_responsible(&w.coordinator, id, contract, Some(deputy.id), None)
        .await
        .unwrap();
    assert_eq!(again.project.row_version, named.project.row_version);
    // Naming is no tick: the item is still open.
    assert!(
        again
            .checklist
            .iter()
            .any(|m| m.item_key == "contract" && !m.done && m.responsible_id == Some(deputy.id))
    );

    // Seven days before the contract's date: to the deputy alone.
    let server = db.spawn_server().await;
    let token = server.login("coordinator@chesma.test", PASSWORD).await;
    let body = server
        .ok(
            Some(&token),
            "query($id: ID!) { project(id: $id) { stages { key checklist { key due isTask responsible { fullName } } } history { summary } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    let equipment = body["project"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "equipment")
        .unwrap();
    let item = equipment["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "contract")
        .unwrap();
    assert_eq!(item["responsible"]["fullName"], "Завуч Ольга Ивановна");
    assert_eq!(item["isTask"], true);
    let summaries: Vec<&str> = body["project"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["summary"].as_str())
        .collect();
    assert!(
        summaries.contains(&"Ответственный за задачу «Контракт на поставку оборудования и мебели заключён (ЕИС)» этапа «Закупка и поставка оборудования»: Завуч Ольга Ивановна"),
        "{summaries:?}"
    );
    let due = NaiveDate::parse_from_str(item["due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let at = |day: NaiveDate| day.and_hms_opt(6, 0, 0).unwrap().and_utc();
    let to_whom = |items: Vec<engine::reminders::ReminderItem>| {
        items
            .into_iter()
            .filter(|i| i.project_id == id && i.task_key.as_deref() == Some("contract"))
            .map(|i| (i.kind, i.recipient_user_id.unwrap()))
            .collect::<Vec<_>>()
    };
    let before = to_whom(e.plan_reminders(at(due - chrono::Days::new(7))).await.unwrap());
    assert_eq!(before, [(ReminderKind::DueSoon, deputy.id)], "{before:?}");

    // The day after: the project is red for the late task, and the dashboard says which.
    db.clock.set(at(due + chrono::Days::new(1)));
    let late = to_whom(e.plan_reminders(at(due + chrono::Days::new(1))).await.unwrap());
    assert!(late.contains(&(ReminderKind::Overdue, deputy.id)), "{late:?}");
    assert!(
        late.contains(&(ReminderKind::Overdue, w.director.user_id)),
        "escalated to the role: {late:?}"
    );
    let (health, _) = e.health_of(&w.coordinator, &[id]).await.unwrap().remove(&id).unwrap();
    assert_eq!((health.health, health.overdue), (Health::Red, true));
    let dashboard = e.dashboard(&w.coordinator, Some(w.district.id)).await.unwrap();
    // The training branch's list of teachers (a month after its entry) is late too.
    let late_tasks: Vec<&str> = dashboard
        .overdue
        .iter()
        .filter(|o| o.project_id == id)
        .filter_map(|o| o.task_key.as_deref())
        .collect();
    assert_eq!(late_tasks, ["teacher_list", "contract"]);
    assert_eq!(health.overdue_tasks, 2);
    let row = dashboard
        .overdue
        .iter()
        .find(|o| o.project_id == id && o.task_key.as_deref() == Some("contract"))
        .expect("the late task on the dashboard");
    assert_eq!(
        (row.stage_key.as_str(), row.due, row.days_overdue),
        ("equipment", due, 1)
    );
    assert_eq!(row.responsible_id, Some(deputy.id));

    // Ticked, it is no longer late.
    e.complete_checklist_item(&w.director, id, "equipment", "contract", true)
        .await
        .unwrap();
    let (health, _) = e.health_of(&w.coordinator, &[id]).await.unwrap().remove(&id).unwrap();
    assert_eq!(health.overdue_tasks, 1);
}
