//! Launching projects: the stage plan, the refusals, reading with scope.

use std::collections::BTreeMap;

use engine::model::{EventKind, ProjectStatus};
use engine::service::{LaunchProject, ProjectFilter};

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::{code, date, minimal_launch};

async fn launching_tochka_rosta_computes_the_whole_stage_plan(db: TestDb) {
    let w = db.world().await;
    let launched = db
        .engine
        .launch_project(
            &w.coordinator,
            LaunchProject {
                workflow_key: "tochka-rosta".into(),
                district_id: w.district.id,
                participants: vec![w.schools[1].id],
                start_date: Some(date("2025-02-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let p = &launched.project;
    assert_eq!(p.title, "Центр «Точка роста» — МОУ «Тарутинская СОШ»");
    assert_eq!(
        (p.status, p.row_version, p.participants.clone()),
        (ProjectStatus::Active, 1, vec![w.schools[1].id])
    );
    assert_eq!(launched.workflow.key, "tochka-rosta");
    assert_eq!(launched.stages.len(), launched.definition.stages().len());
    assert_eq!(p.current_stage, launched.definition.first_stage().key);
    let opening = launched.stages.iter().find(|s| s.stage_key == "opening").unwrap();
    assert_eq!(
        opening.baseline_due,
        Some(date("2025-09-01")),
        "«Точка роста» opens by 1 September"
    );
    for stage in &launched.stages {
        assert_eq!(stage.baseline_due, stage.current_due, "{}", stage.stage_key);
    }
    // The application is due 20 working days after the start; the preparation stages
    // count back from the opening and each comes after the stages ahead of it. Premises,
    // equipment and training run in parallel: training (45 working days before the opening)
    // is due before premises (15) and equipment (10) although it comes later in the file.
    assert_eq!(launched.stages[0].current_due, Some(date("2025-03-03")));
    let def = &launched.definition;
    let last = def.stage_index("operation").unwrap();
    for i in 0..last {
        for j in (0..i).filter(|&j| def.precedes(j, i)) {
            let (a, b) = (&launched.stages[j], &launched.stages[i]);
            assert!(a.current_due < b.current_due, "{} before {}", a.stage_key, b.stage_key);
        }
    }
    let due = |key: &str| launched.stages.iter().find(|s| s.stage_key == key).unwrap().current_due;
    assert!(due("training") < due("premises") && due("premises") < due("equipment"));
    assert!(due("equipment") < due("acceptance"));
    assert!(launched.stages[0].entered_at.is_some() && launched.stages[1].entered_at.is_none());
    assert_eq!(launched.history.len(), 1);
    assert_eq!(launched.history[0].kind, EventKind::Launched);
    assert_eq!(launched.history[0].actor_id, Some(w.coordinator.user_id));
    assert!(!launched.is_overdue(db.clock_now()));
}

async fn a_launch_date_is_required_where_the_workflow_asks_for_one(db: TestDb) {
    let w = db.world().await;
    let mut launch = LaunchProject {
        workflow_key: "unified-methodical-day".into(),
        district_id: w.district.id,
        participants: w.schools.iter().map(|s| s.id).collect(),
        start_date: Some(date("2025-03-03")),
        ..Default::default()
    };
    let err = db
        .engine
        .launch_project(&w.coordinator, launch.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "dueDates.event_day"),
        "{err:?}"
    );
    launch.due_dates = BTreeMap::from([("event_day".to_string(), date("2025-04-16"))]);
    let launched = db.engine.launch_project(&w.coordinator, launch).await.unwrap();
    assert_eq!(launched.project.participants.len(), 3);
    let plan = |key: &str| launched.stages.iter().find(|s| s.stage_key == key).unwrap().clone();
    assert_eq!(plan("event_day").current_due, Some(date("2025-04-16")));
    assert!(plan("event_day").due_fixed);
    // The order comes at least ten working days before the day.
    let order_due = plan("order").current_due.unwrap();
    assert!(
        engine::calendar::Calendar::federal()
            .add_working_days(order_due, 10)
            .unwrap()
            <= date("2025-04-16"),
        "{order_due}"
    );
}

async fn launches_that_make_no_sense_are_refused_with_the_field_to_fix(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let mut two_schools = minimal_launch(&w, 0);
    two_schools.participants.push(w.schools[1].id);
    let err = e.launch_project(&w.coordinator, two_schools).await.unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "participantIds"),
        "{err:?}"
    );

    let mut foreign = minimal_launch(&w, 0);
    foreign.participants = vec![w.other_school.id];
    assert_eq!(code(e.launch_project(&w.coordinator, foreign).await), "VALIDATION");

    let mut nobody = minimal_launch(&w, 0);
    nobody.participants.clear();
    assert_eq!(code(e.launch_project(&w.coordinator, nobody).await), "VALIDATION");

    let mut unknown = minimal_launch(&w, 0);
    unknown.workflow_key = "no-such-workflow".into();
    assert_eq!(code(e.launch_project(&w.coordinator, unknown).await), "NOT_FOUND");

    let mut early = minimal_launch(&w, 0);
    early.due_dates.insert("work".into(), date("2025-01-10"));
    let err = e.launch_project(&w.coordinator, early).await.unwrap_err();
    assert!(err.to_string().contains("раньше начала проекта"), "{err}");

    let mut bad_target = minimal_launch(&w, 0);
    bad_target.indicator_targets.insert("1.1".into(), 120.0);
    let err = e.launch_project(&w.coordinator, bad_target).await.unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "indicatorTargets.1.1"),
        "{err:?}"
    );

    let mut absurd = minimal_launch(&w, 0);
    absurd.start_date = Some(date("2150-03-02"));
    let err = e.launch_project(&w.coordinator, absurd).await.unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "startDate"),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains(".toml"),
        "no source paths reach people: {err}"
    );

    // Nothing of the refused launches was stored.
    assert!(
        e.list_projects(&w.admin, &ProjectFilter::default(), 100, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn only_the_districts_coordinator_or_an_admin_launches(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    assert_eq!(
        code(e.launch_project(&w.other_coordinator, minimal_launch(&w, 0)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(e.launch_project(&w.director, minimal_launch(&w, 0)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(e.launch_project(&w.observer, minimal_launch(&w, 0)).await),
        "FORBIDDEN"
    );
    let mut elsewhere = minimal_launch(&w, 0);
    elsewhere.district_id = w.other_district.id;
    elsewhere.participants = vec![w.other_school.id];
    assert_eq!(
        code(e.launch_project(&w.coordinator, elsewhere.clone()).await),
        "FORBIDDEN"
    );
    e.launch_project(&w.other_coordinator, elsewhere).await.unwrap();
    e.launch_project(&w.admin, minimal_launch(&w, 0)).await.unwrap();
}

async fn directors_see_only_projects_their_school_takes_part_in(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let mine = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project
        .id;
    let theirs = e
        .launch_project(&w.coordinator, minimal_launch(&w, 1))
        .await
        .unwrap()
        .project
        .id;
    let visible: Vec<i64> = e
        .list_projects(&w.director, &ProjectFilter::default(), 100, None)
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(visible, vec![mine]);
    assert_eq!(code(e.project(&w.director, theirs).await), "FORBIDDEN");
    assert_eq!(
        e.list_projects(&w.observer, &ProjectFilter::default(), 100, None)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(code(e.project(&w.other_coordinator, mine).await), "FORBIDDEN");
    assert!(
        e.list_projects(&w.other_coordinator, &ProjectFilter::default(), 100, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn the_start_date_defaults_to_today_in_the_districts_time_zone(db: TestDb) {
    let w = db.world().await;
    // 20:00 UTC on 3 March is already 4 March in Yekaterinburg (UTC+5).
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 3, 20, 0, 0).unwrap());
    let mut launch = minimal_launch(&w, 0);
    launch.start_date = None;
    let launched = db.engine.launch_project(&w.coordinator, launch).await.unwrap();
    assert_eq!(launched.project.start_date, date("2025-03-04"));
    assert_eq!(launched.today(db.clock_now()), date("2025-03-04"));
}

async fn the_project_list_filters_pages_and_finds_what_is_overdue(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            e.launch_project(&w.coordinator, minimal_launch(&w, i % 2))
                .await
                .unwrap()
                .project
                .id,
        );
    }
    let tochka = e
        .launch_project(
            &w.coordinator,
            LaunchProject {
                workflow_key: "tochka-rosta".into(),
                district_id: w.district.id,
                participants: vec![w.schools[2].id],
                start_date: Some(date("2025-03-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .project
        .id;
    let all = ProjectFilter::default();
    let first = e.list_projects(&w.coordinator, &all, 4, None).await.unwrap();
    assert_eq!(
        (first.items.len(), first.has_next_page, first.total_count),
        (4, true, 6)
    );
    assert_eq!(first.items[0].id, tochka, "newest first");
    let rest = e
        .list_projects(&w.coordinator, &all, 4, first.items.last().map(|p| p.id))
        .await
        .unwrap();
    assert_eq!((rest.items.len(), rest.has_next_page), (2, false));

    let by_workflow = ProjectFilter {
        workflow_key: Some("tochka-rosta".into()),
        ..Default::default()
    };
    assert_eq!(
        e.list_projects(&w.coordinator, &by_workflow, 100, None)
            .await
            .unwrap()
            .total_count,
        1
    );
    let by_school = ProjectFilter {
        organization_id: Some(w.schools[1].id),
        ..Default::default()
    };
    assert_eq!(
        e.list_projects(&w.coordinator, &by_school, 100, None)
            .await
            .unwrap()
            .total_count,
        2
    );
    let by_stage = ProjectFilter {
        stage: Some("start".into()),
        ..Default::default()
    };
    assert_eq!(
        e.list_projects(&w.coordinator, &by_stage, 100, None)
            .await
            .unwrap()
            .total_count,
        5
    );

    // The minimal workflow's first stage is due on 17 March, «Точка роста»'s on 31 March.
    let overdue = ProjectFilter {
        overdue: Some(true),
        ..Default::default()
    };
    assert_eq!(
        e.list_projects(&w.coordinator, &overdue, 100, None)
            .await
            .unwrap()
            .total_count,
        0
    );
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 20, 6, 0, 0).unwrap());
    e.cancel_project(&w.coordinator, ids[0], 1, "Ошибочный запуск")
        .await
        .unwrap();
    let late = e.list_projects(&w.coordinator, &overdue, 100, None).await.unwrap();
    assert_eq!(late.total_count, 4, "cancelled projects are not overdue");
    assert!(late.items.iter().all(|p| p.id != tochka && p.id != ids[0]));
    let on_time = ProjectFilter {
        overdue: Some(false),
        ..Default::default()
    };
    assert_eq!(
        e.list_projects(&w.coordinator, &on_time, 100, None)
            .await
            .unwrap()
            .total_count,
        2
    );
    let status = ProjectFilter {
        status: Some(engine::model::ProjectStatus::Cancelled),
        ..Default::default()
    };
    assert_eq!(
        e.list_projects(&w.coordinator, &status, 100, None).await.unwrap().items[0].id,
        ids[0]
    );
}

async fn my_tasks_are_the_stages_my_role_owns_most_urgent_first(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let a = e
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project;
    let b = e
        .launch_project(&w.coordinator, minimal_launch(&w, 1))
        .await
        .unwrap()
        .project;
    // Both start in the coordinator's stage.
    let coordinator: Vec<i64> = e.my_tasks(&w.coordinator).await.unwrap().iter().map(|p| p.id).collect();
    assert_eq!(coordinator.len(), 2);
    assert!(e.my_tasks(&w.director).await.unwrap().is_empty());
    // Project a moves to the director's stage.
    e.complete_checklist_item(&w.coordinator, a.id, "start", "order", true)
        .await
        .unwrap();
    e.transition_project(
        &w.coordinator,
        engine::service::TransitionRequest {
            from_stage: None,
            project_id: a.id,
            to_stage: "work".into(),
            expected_version: 2,
            comment: None,
        },
    )
    .await
    .unwrap();
    let director: Vec<i64> = e.my_tasks(&w.director).await.unwrap().iter().map(|p| p.id).collect();
    assert_eq!(director, vec![a.id]);
    assert!(e.my_tasks(&w.second_director).await.unwrap().is_empty());
    assert_eq!(
        e.my_tasks(&w.coordinator)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![b.id]
    );
    assert!(e.my_tasks(&w.observer).await.unwrap().is_empty());
}

both_backends!(
    launching_tochka_rosta_computes_the_whole_stage_plan,
    a_launch_date_is_required_where_the_workflow_asks_for_one,
    launches_that_make_no_sense_are_refused_with_the_field_to_fix,
    only_the_districts_coordinator_or_an_admin_launches,
    directors_see_only_projects_their_school_takes_part_in,
    the_start_date_defaults_to_today_in_the_districts_time_zone,
    the_project_list_filters_pages_and_finds_what_is_overdue,
    my_tasks_are_the_stages_my_role_owns_most_urgent_first
);

both_backends!(
    the_list_finds_projects_by_words_of_their_title_in_any_case,
    the_list_sorts_by_title_due_date_and_lateness_and_pages_in_each_order
);

/// Four projects: overdue (red), due in a week (amber), due in a fortnight (green), cancelled.
/// Each order lists them as it says, page by page forward and backward, and a cursor of one
/// order is not taken for another.
async fn the_list_sorts_by_title_due_date_and_lateness_and_pages_in_each_order(db: TestDb) {
    use engine::service::{PageRequest, ProjectOrder};
    let w = db.world().await;
    let e = &db.engine;
    let launch = |title: &str, start: &str| LaunchProject {
        title: Some(title.into()),
        start_date: Some(date(start)),
        ..minimal_launch(&w, 0)
    };
    let green = e
        .launch_project(&w.coordinator, launch("в — в норме", "2025-03-03"))
        .await
        .unwrap();
    let red = e
        .launch_project(&w.coordinator, launch("А — просрочен", "2025-02-03"))
        .await
        .unwrap();
    let amber = e
        .launch_project(&w.coordinator, launch("Б — скоро срок", "2025-02-24"))
        .await
        .unwrap();
    let cancelled = e
        .launch_project(&w.coordinator, launch("Ё — отменён", "2025-03-03"))
        .await
        .unwrap();
    e.cancel_project(
        &w.coordinator,
        cancelled.project.id,
        cancelled.project.row_version,
        "Запущен по ошибке",
    )
    .await
    .unwrap();
    let [green, red, amber, cancelled] = [&green, &red, &amber, &cancelled].map(|p| p.project.id);
    let filter = &ProjectFilter::default();
    let coordinator = &w.coordinator;
    let all = |order: ProjectOrder| async move {
        let page = e
            .project_page(coordinator, filter, order, &PageRequest::first(100, None))
            .await
            .unwrap();
        page.items.iter().map(|(_, p)| p.id).collect::<Vec<_>>()
    };
    assert_eq!(all(ProjectOrder::Newest).await, [cancelled, amber, red, green]);
    // Case and «ё» folded: «Ё» sorts with «Е», after «в».
    assert_eq!(all(ProjectOrder::Title).await, [red, amber, green, cancelled]);
    assert_eq!(all(ProjectOrder::Due).await, [red, amber, green, cancelled]);
    assert_eq!(all(ProjectOrder::Lateness).await, [red, amber, green, cancelled]);

    // Two by two, forward and back, in the computed order and the stored one.
    for order in [ProjectOrder::Title, ProjectOrder::Due, ProjectOrder::Lateness] {
        let whole = all(order).await;
        let first = e
            .project_page(coordinator, filter, order, &PageRequest::first(2, None))
            .await
            .unwrap();
        assert_eq!((first.has_next_page, first.total_count), (true, 4), "{order:?}");
        let after = first.items.last().unwrap().0.clone();
        let second = e
            .project_page(coordinator, filter, order, &PageRequest::first(2, Some(after)))
            .await
            .unwrap();
        let ids: Vec<i64> = first.values().chain(second.values()).map(|p| p.id).collect();
        assert_eq!(ids, whole, "{order:?}");
        assert!(!second.has_next_page, "{order:?}");
        let before = second.items.first().unwrap().0.clone();
        let back = e
            .project_page(coordinator, filter, order, &PageRequest::last(2, Some(before)))
            .await
            .unwrap();
        assert_eq!(back.values().map(|p| p.id).collect::<Vec<_>>(), whole[..2], "{order:?}");
    }

    // With a filter: the red ones alone, by due date.
    let only_red = ProjectFilter {
        health: Some(engine::health::Health::Red),
        ..Default::default()
    };
    let page = e
        .project_page(
            &w.coordinator,
            &only_red,
            ProjectOrder::Due,
            &PageRequest::first(10, None),
        )
        .await
        .unwrap();
    assert_eq!(page.values().map(|p| p.id).collect::<Vec<_>>(), [red]);

    // Over the API: the order by name, and a cursor of another order refused in Russian.
    let server = db.spawn_server().await;
    let token = server.login("coordinator@chesma.test", "пароль-для-тестов").await;
    let query = "query($order: ProjectOrder, $after: String) { projects(order: $order, first: 2, after: $after) { nodes { title } pageInfo { endCursor } } }";
    let body = server
        .ok(Some(&token), query, serde_json::json!({ "order": "TITLE" }))
        .await;
    assert_eq!(body["projects"]["nodes"][0]["title"], "А — просрочен");
    let cursor = body["projects"]["pageInfo"]["endCursor"].as_str().unwrap().to_string();
    let refused = server
        .gql(
            Some(&token),
            query,
            serde_json::json!({ "order": "DUE", "after": cursor }),
        )
        .await;
    let message = refused["errors"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(message.contains("не курсор этого списка проектов"), "{refused}");
}

async fn the_list_finds_projects_by_words_of_their_title_in_any_case(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let titled = |school: usize, title: &str| LaunchProject {
        title: Some(title.into()),
        ..minimal_launch(&w, school)
    };
    let a = e
        .launch_project(&w.coordinator, titled(0, "Ёлочка: 100% готовности_план"))
        .await
        .unwrap()
        .project
        .id;
    let b = e
        .launch_project(&w.coordinator, minimal_launch(&w, 1))
        .await
        .unwrap()
        .project
        .id;
    let coordinator = &w.coordinator;
    let find = |words: &str| {
        let filter = ProjectFilter {
            search: Some(words.into()),
            ..Default::default()
        };
        async move {
            let mut ids: Vec<i64> = e
                .list_projects(coordinator, &filter, 50, None)
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
    // Capitals and «ё» fold; every word must be there, in any order.
    assert_eq!(find("ЕЛОЧКА").await, vec![a]);
    assert_eq!(find("готовности ёлочка").await, vec![a]);
    assert_eq!(find("ёлочка тарутинская").await, Vec::<i64>::new());
    // The school's name in a default title; `%` and `_` are themselves, not wildcards.
    assert_eq!(find(&w.schools[1].name.to_uppercase()).await, vec![b]);
    assert_eq!(find("100%").await, vec![a]);
    assert_eq!(find("%").await, vec![a]);
    assert_eq!(find("_план").await, vec![a]);
    assert_eq!(find("0_0").await, Vec::<i64>::new());
    // Blank is no condition; with another filter both hold.
    assert_eq!(find("  ").await.len(), 2);
    let both = ProjectFilter {
        search: Some("ёлочка".into()),
        organization_id: Some(w.schools[1].id),
        ..Default::default()
    };
    assert!(
        e.list_projects(&w.coordinator, &both, 50, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // The column dropped and added again: the migration folds the titles already stored.
    use migrations::MigratorTrait;
    migrations::Migrator::down(e.db(), Some(1)).await.unwrap();
    migrations::Migrator::up(e.db(), None).await.unwrap();
    assert_eq!(find("ЕЛОЧКА").await, vec![a]);
    assert_eq!(find(&w.schools[1].name.to_lowercase()).await, vec![b]);
}
