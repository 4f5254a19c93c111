//! Moving running projects to a corrected version of their workflow, on both databases: the
//! preview maps stages by key and says what changes, the move recomputes open dates by the
//! new rules and keeps baselines and marks, history records it, and a project whose stage
//! under way the new version lacks is refused with the reason.

use engine::model::{EventDetails, EventKind};
use engine::registry::{self, SourceFile};
use engine::service::TransitionRequest;

use crate::both_backends;
use crate::helpers::{TestDb, World, code, minimal_launch, repo_path};

/// The test corpus's minimal workflow with `edit` applied, registered as its next version.
pub(crate) async fn register_corpus(db: &TestDb, edit: impl Fn(String) -> String) -> i32 {
    let text = edit(std::fs::read_to_string(repo_path("tests/workflows/good/minimal.toml")).unwrap());
    let loaded = registry::load(
        vec![SourceFile {
            name: "tests/workflows/good/minimal.toml".into(),
            text,
        }],
        Vec::new(),
    )
    .unwrap();
    let registered = db.engine.register_definitions(&loaded).await.unwrap();
    assert!(registered[0].created, "a new version");
    registered[0].version
}

/// Version 2: «Работа» renamed and given 45 days instead of 30, «Начало» a second item.
pub(crate) fn corrected(text: String) -> String {
    text.replace("title = \"Работа\"", "title = \"Основная работа\"")
        .replace(
            "due = { days = 30, after = \"stage_entered\" }",
            "due = { days = 45, after = \"stage_entered\" }",
        )
        .replace(
            "checklist = [{ key = \"order\", title = \"Приказ\" }]",
            "checklist = [{ key = \"order\", title = \"Приказ\" }, { key = \"plan\", title = \"План работ\" }]",
        )
}

/// Version 3: [`corrected`] without «Работа»: «Начало» leads straight to the end.
pub(crate) fn without_work(t: String) -> String {
    corrected(t)
        .replace(
            "[[stages]]\nkey = \"work\"\ntitle = \"Основная работа\"\nowners = [\"director\"]\ndue = { days = 45, after = \"stage_entered\" }\n\n",
            "",
        )
        .replace("to = \"work\"", "to = \"done\"")
        .replace("[[transitions]]\nfrom = \"work\"\nto = \"done\"\nroles = [\"coordinator\"]\nguards = { indicators_reported = [\"1.1\"] }\n", "")
        .replace("starts_at_stage = \"work\"", "starts_at_stage = \"start\"")
}

/// Two projects: one at «Начало» with its order ticked, one moved on to «Работа».
pub(crate) async fn two_projects(db: &TestDb, w: &World) -> (i64, i64) {
    let e = &db.engine;
    let at_start = e
        .launch_project(&w.coordinator, minimal_launch(w, 0))
        .await
        .unwrap()
        .project
        .id;
    e.complete_checklist_item(&w.coordinator, at_start, "start", "order", true)
        .await
        .unwrap();
    let working = e
        .launch_project(&w.coordinator, minimal_launch(w, 1))
        .await
        .unwrap()
        .project
        .id;
    e.complete_checklist_item(&w.coordinator, working, "start", "order", true)
        .await
        .unwrap();
    e.transition_project(
        &w.coordinator,
        TransitionRequest {
            project_id: working,
            from_stage: None,
            to_stage: "work".into(),
            expected_version: 2,
            comment: None,
        },
    )
    .await
    .unwrap();
    (at_start, working)
}

both_backends!(running_projects_move_to_a_corrected_version_or_are_refused_with_the_reason);

async fn running_projects_move_to_a_corrected_version_or_are_refused_with_the_reason(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let (at_start, working) = two_projects(&db, &w).await;
    let before = e.project(&w.admin, working).await.unwrap();
    let work_before = before.stages.iter().find(|s| s.stage_key == "work").unwrap().clone();
    assert_eq!(register_corpus(&db, corrected).await, 2);

    // The preview: both movable, each with what changes; nothing written.
    let preview = e.migration_preview(&w.admin, "corpus", None).await.unwrap();
    assert_eq!((preview.target.version, preview.total), (2, 2));
    let of = |id: i64| preview.candidates.iter().find(|c| c.project.id == id).unwrap();
    let changes = &of(working).changes;
    assert!(of(working).refusal.is_none());
    assert!(
        changes
            .iter()
            .any(|c| c == "Этап «Работа» называется теперь «Основная работа»."),
        "{changes:?}"
    );
    let due_line = changes
        .iter()
        .find(|c| c.starts_with("Срок этапа «Основная работа»"))
        .expect("the new date");
    assert!(due_line.contains(" → "), "{due_line}");
    let start_changes = &of(at_start).changes;
    assert!(
        start_changes
            .iter()
            .any(|c| c.contains("новый пункт «План работ»: его нужно будет отметить")),
        "{start_changes:?}"
    );
    assert_eq!(
        e.project(&w.admin, working).await.unwrap().workflow.version,
        1,
        "a preview writes nothing"
    );
    assert_eq!(
        code(e.migration_preview(&w.coordinator, "corpus", None).await),
        "FORBIDDEN"
    );

    // The move: the new rules' date, the baseline kept, history with the same words.
    assert_eq!(
        code(
            e.migrate_project(&w.admin, working, 2, Some(before.project.row_version - 1))
                .await
        ),
        "CONFLICT"
    );
    assert_eq!(
        code(e.migrate_project(&w.coordinator, working, 2, None).await),
        "FORBIDDEN"
    );
    let moved = e
        .migrate_project(&w.admin, working, 2, Some(before.project.row_version))
        .await
        .unwrap();
    assert_eq!(moved.workflow.version, 2);
    let work = moved.stages.iter().find(|s| s.stage_key == "work").unwrap();
    assert_eq!(work.baseline_due, work_before.baseline_due, "the baseline stays");
    assert_eq!(
        work.current_due.unwrap() - work_before.current_due.unwrap(),
        chrono::Duration::days(15),
        "45 days from entering instead of 30"
    );
    assert_eq!(work.entered_at, work_before.entered_at);
    assert_eq!(moved.project.current_stage, "work");
    let entry = moved.history.last().unwrap();
    assert_eq!(entry.kind, EventKind::Migrated);
    assert!(
        matches!(&entry.details, EventDetails::Migrated { from: 1, to: 2, changes } if changes == &of(working).changes)
    );
    assert_eq!(
        code(e.migrate_project(&w.admin, working, 2, None).await),
        "VALIDATION",
        "already on version 2"
    );
    // The one at «Начало» keeps its tick and gets the new item to tick.
    let moved = e.migrate_project(&w.admin, at_start, 2, None).await.unwrap();
    let marks: Vec<(&str, bool)> = moved
        .checklist
        .iter()
        .filter(|m| m.stage_key == "start")
        .map(|m| (m.item_key.as_str(), m.done))
        .collect();
    assert_eq!(marks, vec![("order", true)]);
    assert_eq!(moved.definition.stage("start").unwrap().checklist.len(), 2);

    // Version 3 drops «Работа»: the project working in it is refused, nothing changes; the
    // one still at «Начало» could move (the stage it would never reach is said).
    let third = register_corpus(&db, without_work).await;
    assert_eq!(third, 3);
    let preview = e.migration_preview(&w.admin, "corpus", Some(3)).await.unwrap();
    let refused = preview.candidates.iter().find(|c| c.project.id == working).unwrap();
    let why = refused.refusal.as_deref().expect("refused");
    assert!(
        why.contains("Этапа «Основная работа», который сейчас идёт, в версии 3 нет")
            && why.contains("остаётся на версии 2"),
        "{why}"
    );
    match e.migrate_project(&w.admin, working, 3, None).await.unwrap_err() {
        engine::Error::InvalidTransition(message) => assert_eq!(message, why),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.project(&w.admin, working).await.unwrap().workflow.version, 2);
    let fine = preview.candidates.iter().find(|c| c.project.id == at_start).unwrap();
    assert!(fine.refusal.is_none());
    assert!(
        fine.changes
            .iter()
            .any(|c| c == "Этапа «Основная работа» в версии 3 нет: проект его не пройдёт."),
        "{:?}",
        fine.changes
    );
}
