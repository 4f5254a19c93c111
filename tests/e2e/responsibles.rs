//! Named responsible people, on both databases: the launching coordinator becomes the
//! project's responsible, a stage gets its own from those the workflow gives it to, the
//! reminders go to the named person first, history keeps every change, and «Мои проекты»
//! finds the projects a person answers for.

use chrono::{TimeZone, Utc};
use engine::Role;
use engine::error::Error;
use engine::model::{EventDetails, EventKind};
use engine::service::{LaunchProject, NewSubstitution, NewUser, ProjectFilter, ResponsibleFor};

use crate::both_backends;
use crate::helpers::{TestDb, World, code, date, minimal_launch};

both_backends!(
    a_named_person_is_reminded_first_and_every_change_is_kept,
    stages_get_their_people_at_launch_from_those_they_are_given_to
);

/// A second coordinator of the district, «Заместитель Мария Петровна» (deputy@chesma.test),
/// who can sign in when given a password.
pub(crate) async fn deputy_coordinator(db: &TestDb, w: &World, password: Option<&str>) -> engine::model::User {
    db.engine
        .create_user(
            &w.admin,
            NewUser {
                email: "deputy@chesma.test".into(),
                full_name: "Заместитель Мария Петровна".into(),
                password: password.map(str::to_string),
                role: Role::Coordinator,
                district_id: Some(w.district.id),
                organization_id: None,
            },
        )
        .await
        .unwrap()
}

async fn a_named_person_is_reminded_first_and_every_change_is_kept(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let deputy = deputy_coordinator(&db, &w, None).await;

    // The launching coordinator answers for the project; an administrator's launch names
    // whoever they choose among the district's coordinators, and nobody else.
    let p = e.launch_project(&w.coordinator, minimal_launch(&w, 0)).await.unwrap();
    assert_eq!(p.project.responsible_id, Some(w.coordinator.user_id));
    let launched = p.history.iter().find(|h| h.kind == EventKind::Launched).unwrap();
    assert!(matches!(&launched.details, EventDetails::Launched(d) if d.responsible == Some(w.coordinator.user_id)));
    let by_admin = e
        .launch_project(
            &w.admin,
            engine::service::LaunchProject {
                responsible_id: Some(deputy.id),
                ..minimal_launch(&w, 1)
            },
        )
        .await
        .unwrap();
    assert_eq!(by_admin.project.responsible_id, Some(deputy.id));
    let wrong = e
        .launch_project(
            &w.admin,
            engine::service::LaunchProject {
                responsible_id: Some(w.director.user_id),
                ..minimal_launch(&w, 1)
            },
        )
        .await
        .unwrap_err();
    match &wrong {
        Error::Validation { field, message } => {
            assert_eq!(field.as_ref().map(|f| f.name()).as_deref(), Some("responsibleId"));
            assert!(message.contains("не может отвечать за проект"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    // Candidates: the district's coordinators for the project and its coordinators' stage;
    // for the directors' stage, the director of the participant only.
    let names = |people: Vec<engine::model::User>| people.into_iter().map(|u| u.id).collect::<Vec<_>>();
    let id = p.project.id;
    let mut coordinators = vec![w.coordinator.user_id, deputy.id];
    coordinators.sort_by_key(|id| if *id == deputy.id { 0 } else { 1 }); // «Заместитель…» sorts first
    assert_eq!(
        names(
            e.responsible_candidates(&w.coordinator, id, ResponsibleFor::Project)
                .await
                .unwrap()
        ),
        coordinators
    );
    assert_eq!(
        names(
            e.responsible_candidates(&w.coordinator, id, ResponsibleFor::Stage("start"))
                .await
                .unwrap()
        ),
        coordinators
    );
    assert_eq!(
        names(
            e.responsible_candidates(&w.coordinator, id, ResponsibleFor::Stage("work"))
                .await
                .unwrap()
        ),
        vec![w.director.user_id]
    );
    assert_eq!(
        code(e.responsible_candidates(&w.director, id, ResponsibleFor::Project).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.responsible_candidates(&w.other_coordinator, id, ResponsibleFor::Project)
                .await
        ),
        "FORBIDDEN"
    );

    // Naming: refused for someone the stage is not given to, for a director, on a stale page.
    let refused = e
        .assign_responsible(
            &w.coordinator,
            id,
            ResponsibleFor::Stage("work"),
            Some(w.second_director.user_id),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::Validation { field: Some(f), .. } if f.name() == "responsibleId"),
        "{refused:?}"
    );
    assert_eq!(
        code(
            e.assign_responsible(
                &w.director,
                id,
                ResponsibleFor::Stage("work"),
                Some(w.director.user_id),
                None
            )
            .await
        ),
        "FORBIDDEN"
    );
    let version = e.project(&w.admin, id).await.unwrap().project.row_version;
    assert_eq!(
        code(
            e.assign_responsible(
                &w.coordinator,
                id,
                ResponsibleFor::Stage("start"),
                Some(deputy.id),
                Some(version - 1)
            )
            .await
        ),
        "CONFLICT"
    );
    let named = e
        .assign_responsible(
            &w.coordinator,
            id,
            ResponsibleFor::Stage("start"),
            Some(deputy.id),
            Some(version),
        )
        .await
        .unwrap();
    let start = named.stages.iter().find(|s| s.stage_key == "start").unwrap();
    assert_eq!(start.responsible_id, Some(deputy.id));
    let entry = named
        .history
        .iter()
        .rev()
        .find(|h| h.kind == EventKind::ResponsibleChanged)
        .unwrap();
    assert_eq!(entry.stage_key.as_deref(), Some("start"));
    match &entry.details {
        EventDetails::Responsible {
            from: None,
            to: Some(to),
            task: None,
        } => assert_eq!(to.name, "Заместитель Мария Петровна"),
        other => panic!("{other:?}"),
    }
    // The same person again changes nothing, not even the version.
    let again = e
        .assign_responsible(
            &w.coordinator,
            id,
            ResponsibleFor::Stage("start"),
            Some(deputy.id),
            None,
        )
        .await
        .unwrap();
    assert_eq!(again.project.row_version, named.project.row_version);

    // Reminders: «Начало» is due on 17 March. Five days before, only the named deputy hears
    // of it; a day late, the deputy first, then the other coordinator, escalated.
    let for_project = |items: Vec<engine::reminders::ReminderItem>| {
        items
            .into_iter()
            .filter(|i| i.project_id == id)
            .map(|i| (i.recipient_user_id.unwrap(), i.escalated))
            .collect::<Vec<_>>()
    };
    let soon = for_project(
        e.plan_reminders(Utc.with_ymd_and_hms(2025, 3, 12, 6, 0, 0).unwrap())
            .await
            .unwrap(),
    );
    assert_eq!(soon, vec![(deputy.id, false)]);
    let late = for_project(
        e.plan_reminders(Utc.with_ymd_and_hms(2025, 3, 18, 6, 0, 0).unwrap())
            .await
            .unwrap(),
    );
    assert_eq!(late, vec![(deputy.id, false), (w.coordinator.user_id, true)]);

    // «Мои проекты»: the deputy answers for the stage of one project and for the whole of
    // another; the coordinator for the first.
    let admin = &w.admin;
    let mine = |person: i64| {
        let filter = ProjectFilter {
            responsible_id: Some(person),
            ..Default::default()
        };
        async move {
            let mut ids: Vec<i64> = e
                .list_projects(admin, &filter, 50, None)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|p| p.id)
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(mine(deputy.id).await, vec![id, by_admin.project.id]);
    assert_eq!(mine(w.coordinator.user_id).await, vec![id]);

    // Taken off: the stage goes back to its owner roles, and history says so.
    let off = e
        .assign_responsible(&w.coordinator, id, ResponsibleFor::Stage("start"), None, None)
        .await
        .unwrap();
    assert_eq!(
        off.stages
            .iter()
            .find(|s| s.stage_key == "start")
            .unwrap()
            .responsible_id,
        None
    );
    let soon = for_project(
        e.plan_reminders(Utc.with_ymd_and_hms(2025, 3, 12, 6, 0, 0).unwrap())
            .await
            .unwrap(),
    );
    let mut to: Vec<i64> = soon.iter().map(|(u, _)| *u).collect();
    to.sort();
    let mut both = vec![w.coordinator.user_id, deputy.id];
    both.sort();
    assert_eq!(to, both, "every coordinator of the district again");
    assert_eq!(mine(deputy.id).await, vec![by_admin.project.id]);
    // The project's own responsible changes with a trace, too.
    let changed = e
        .assign_responsible(&w.coordinator, id, ResponsibleFor::Project, Some(deputy.id), None)
        .await
        .unwrap();
    assert_eq!(changed.project.responsible_id, Some(deputy.id));
    let entry = changed
        .history
        .iter()
        .rev()
        .find(|h| h.kind == EventKind::ResponsibleChanged)
        .unwrap();
    assert_eq!(entry.stage_key, None);
    assert!(
        matches!(&entry.details, EventDetails::Responsible { from: Some(f), to: Some(t), task: None } if f.id == w.coordinator.user_id && t.id == deputy.id)
    );
}

both_backends!(a_substitute_receives_the_reminders_of_the_person_away_for_those_days);

async fn a_substitute_receives_the_reminders_of_the_person_away_for_those_days(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let deputy = deputy_coordinator(&db, &w, None).await;
    let p = e.launch_project(&w.coordinator, minimal_launch(&w, 0)).await.unwrap();
    let id = p.project.id;
    // The deputy answers for «Начало» (due 17 March); the coordinator stands in for her.
    e.assign_responsible(
        &w.coordinator,
        id,
        ResponsibleFor::Stage("start"),
        Some(deputy.id),
        None,
    )
    .await
    .unwrap();
    let new = |substitute_id: i64, starts_on: &str, ends_on: &str| NewSubstitution {
        user_id: deputy.id,
        substitute_id,
        starts_on: date(starts_on),
        ends_on: date(ends_on),
    };
    // The test clock's today is 3 March 2025. Refusals, each naming what to fix.
    let field = |r: engine::Result<engine::model::Substitution>| match r.unwrap_err() {
        Error::Validation { field, message } => (field.map(|f| f.name()).unwrap_or_default(), message),
        other => panic!("{other:?}"),
    };
    let (f, m) = field(
        e.set_substitution(&w.coordinator, new(deputy.id, "2025-03-10", "2025-03-14"))
            .await,
    );
    assert_eq!((f.as_str(), m.contains("сам себя")), ("substituteId", true), "{m}");
    let (f, m) = field(
        e.set_substitution(&w.coordinator, new(w.director.user_id, "2025-03-10", "2025-03-14"))
            .await,
    );
    assert_eq!(
        (f.as_str(), m.contains("координатор того же района")),
        ("substituteId", true),
        "{m}"
    );
    let (f, m) = field(
        e.set_substitution(&w.coordinator, new(w.coordinator.user_id, "2025-03-14", "2025-03-10"))
            .await,
    );
    assert_eq!(
        (f.as_str(), m.contains("раньше, чем начинается")),
        ("endsOn", true),
        "{m}"
    );
    let (f, _) = field(
        e.set_substitution(&w.coordinator, new(w.coordinator.user_id, "2025-02-10", "2025-02-14"))
            .await,
    );
    assert_eq!(f, "endsOn", "in the past");
    assert_eq!(
        code(
            e.set_substitution(
                &w.other_coordinator,
                new(w.coordinator.user_id, "2025-03-10", "2025-03-14")
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        e.substitute_candidates(&w.coordinator, deputy.id)
            .await
            .unwrap()
            .iter()
            .map(|u| u.id)
            .collect::<Vec<_>>(),
        vec![w.coordinator.user_id]
    );

    let set = e
        .set_substitution(&w.coordinator, new(w.coordinator.user_id, "2025-03-10", "2025-03-14"))
        .await
        .unwrap();
    assert_eq!(set.substitute_name, "Пользователь coordinator@chesma.test");
    let (f, m) = field(
        e.set_substitution(&w.coordinator, new(w.coordinator.user_id, "2025-03-14", "2025-03-20"))
            .await,
    );
    assert_eq!((f.as_str(), m.contains("уже замещает")), ("startsOn", true), "{m}");
    assert_eq!(
        e.substitutions_of(&w.coordinator, deputy.id).await.unwrap(),
        vec![set.clone()]
    );

    // 12 March, inside the days: the deputy's reminder, and the coordinator's copy of it.
    let on = |day: u32| Utc.with_ymd_and_hms(2025, 3, day, 6, 0, 0).unwrap();
    let items: Vec<_> = e
        .plan_reminders(on(12))
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.project_id == id)
        .collect();
    let to: Vec<(i64, Option<&str>, Option<&str>)> = items
        .iter()
        .map(|i| {
            (
                i.recipient_user_id.unwrap(),
                i.substitute_for.as_deref(),
                i.substituted_by.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        to,
        vec![
            (deputy.id, None, Some("Пользователь coordinator@chesma.test")),
            (w.coordinator.user_id, Some("Заместитель Мария Петровна"), None),
        ]
    );
    // After the last day, the deputy alone again.
    let after: Vec<i64> = e
        .plan_reminders(on(15))
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.project_id == id)
        .filter_map(|i| i.recipient_user_id)
        .collect();
    assert_eq!(after, vec![deputy.id]);
    // Cancelled: nothing is handed over any more, and the days are free again.
    e.cancel_substitution(&w.coordinator, set.id).await.unwrap();
    assert_eq!(
        e.plan_reminders(on(12))
            .await
            .unwrap()
            .iter()
            .filter(|i| i.project_id == id)
            .count(),
        1
    );
    assert!(e.substitutions_of(&w.coordinator, deputy.id).await.unwrap().is_empty());
    assert_eq!(code(e.cancel_substitution(&w.coordinator, set.id).await), "NOT_FOUND");
    e.set_substitution(&w.coordinator, new(w.coordinator.user_id, "2025-03-14", "2025-03-20"))
        .await
        .unwrap();
}

both_backends!(an_overdue_stage_climbs_the_definitions_chain_day_by_day);

/// The corpus workflow with a chain: the named person, then the stage's other owners from the
/// third day overdue, the coordinators from the fifth.
async fn an_overdue_stage_climbs_the_definitions_chain_day_by_day(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    crate::migration::register_corpus(&db, |t| {
        t.replacen(
            "[[stages]]",
            "[reminders]\noverdue_every_days = 7\nescalation = [\n  { to = \"owners\", after_days = 3 },\n  { to = \"coordinator\", after_days = 5 },\n]\n\n[[stages]]",
            1,
        )
    })
    .await;
    // A second director of school 0, named for the directors' stage «Работа».
    let deputy = e
        .create_user(
            &w.admin,
            NewUser {
                email: "deputy-director@chesma.test".into(),
                full_name: "Заместитель директора".into(),
                password: None,
                role: Role::Director,
                district_id: None,
                organization_id: Some(w.schools[0].id),
            },
        )
        .await
        .unwrap();
    // Launched by the administrator: nobody answers for the whole project.
    let p = e.launch_project(&w.admin, minimal_launch(&w, 0)).await.unwrap();
    assert_eq!(p.project.responsible_id, None);
    let id = p.project.id;
    e.complete_checklist_item(&w.coordinator, id, "start", "order", true)
        .await
        .unwrap();
    let p = e
        .transition_project(
            &w.coordinator,
            engine::service::TransitionRequest {
                project_id: id,
                from_stage: None,
                to_stage: "work".into(),
                expected_version: 2,
                comment: None,
            },
        )
        .await
        .unwrap();
    let due = p
        .stages
        .iter()
        .find(|s| s.stage_key == "work")
        .unwrap()
        .current_due
        .unwrap();
    e.assign_responsible(&w.coordinator, id, ResponsibleFor::Stage("work"), Some(deputy.id), None)
        .await
        .unwrap();
    let late = |days: u64| (due + chrono::Days::new(days)).and_hms_opt(6, 0, 0).unwrap().and_utc();
    let to = |items: Vec<engine::reminders::ReminderItem>| {
        items
            .into_iter()
            .filter(|i| i.project_id == id)
            .map(|i| (i.recipient_user_id.unwrap(), i.escalated))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        to(e.plan_reminders(late(1)).await.unwrap()),
        vec![(deputy.id, false)],
        "day 1: the named person"
    );
    assert_eq!(
        to(e.plan_reminders(late(2)).await.unwrap()),
        vec![(deputy.id, false)],
        "day 2: still alone"
    );
    assert_eq!(
        to(e.plan_reminders(late(3)).await.unwrap()),
        vec![(deputy.id, false), (w.director.user_id, true)],
        "day 3: the school's other director"
    );
    assert_eq!(
        to(e.plan_reminders(late(5)).await.unwrap()),
        vec![
            (deputy.id, false),
            (w.director.user_id, true),
            (w.coordinator.user_id, true)
        ],
        "day 5: the district's coordinator"
    );
}

/// A launch names people for stages: each from the stage's own people, refused in Russian on
/// the stage's field otherwise; the launch entry keeps them.
async fn stages_get_their_people_at_launch_from_those_they_are_given_to(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let with = |stage: &str, user: i64| LaunchProject {
        stage_responsibles: std::collections::BTreeMap::from([(stage.to_string(), user)]),
        ..minimal_launch(&w, 0)
    };
    // «Работа» is the directors': a coordinator is not among them.
    let wrong = e
        .launch_project(&w.coordinator, with("work", w.coordinator.user_id))
        .await
        .unwrap_err();
    match &wrong {
        Error::Validation {
            field: Some(field),
            message,
        } => {
            assert_eq!(field.name(), "stageResponsibles.work");
            assert!(message.contains("за этап «Работа»"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Another school's director is not a participant's.
    assert_eq!(
        code(
            e.launch_project(&w.coordinator, with("work", w.second_director.user_id))
                .await
        ),
        "VALIDATION"
    );
    assert_eq!(
        code(e.launch_project(&w.coordinator, with("done", w.director.user_id)).await),
        "VALIDATION"
    );
    let p = e
        .launch_project(&w.coordinator, with("work", w.director.user_id))
        .await
        .unwrap();
    let work = p.stages.iter().find(|s| s.stage_key == "work").unwrap();
    assert_eq!(work.responsible_id, Some(w.director.user_id));
    match &p.history[0].details {
        EventDetails::Launched(details) => {
            assert_eq!(details.stage_responsibles.get("work"), Some(&w.director.user_id));
        }
        other => panic!("{other:?}"),
    }
}
