//! Parts of participants, on both databases: a «Единый методический день» launched with a host
//! school and an attending one asks the open lessons and master classes of the host alone — in
//! reports, progress, the guard before the memo and the API — and a part the workflow does not
//! have is refused at launch.

use std::collections::BTreeMap;

use engine::model::ProjectDetails;
use engine::service::{LaunchProject, NewReport, TransitionRequest};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestDb, World, date};

both_backends!(a_methodical_day_asks_its_open_lessons_of_the_host_school_alone);

fn launch(w: &World, parts: BTreeMap<i64, String>) -> LaunchProject {
    LaunchProject {
        workflow_key: "unified-methodical-day".into(),
        district_id: w.district.id,
        participants: vec![w.schools[0].id, w.schools[1].id],
        start_date: Some(date("2025-03-03")),
        due_dates: BTreeMap::from([("event_day".to_string(), date("2025-04-16"))]),
        parts,
        ..Default::default()
    }
}

/// Ticks a stage's checklist and moves on to `to`.
async fn advance(db: &TestDb, w: &World, p: ProjectDetails, from: &str, to: &str) -> ProjectDetails {
    let p = crate::branches::tick_all(db, w, &p, from).await;
    db.engine
        .transition_project(
            &w.coordinator,
            TransitionRequest {
                project_id: p.project.id,
                from_stage: None,
                to_stage: to.into(),
                expected_version: p.project.row_version,
                comment: None,
            },
        )
        .await
        .unwrap()
}

async fn a_methodical_day_asks_its_open_lessons_of_the_host_school_alone(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let (host, attending) = (w.schools[0].id, w.schools[1].id);

    let wrong = e
        .launch_project(
            &w.coordinator,
            launch(&w, BTreeMap::from([(host, "guest".to_string())])),
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "VALIDATION");
    assert!(
        wrong.to_string().contains("нет роли участника «guest»") && wrong.to_string().contains("«Базовая школа»"),
        "{wrong}"
    );
    let stranger = e
        .launch_project(
            &w.coordinator,
            launch(&w, BTreeMap::from([(w.schools[2].id, "host".to_string())])),
        )
        .await
        .unwrap_err();
    assert!(stranger.to_string().contains("не среди участников"), "{stranger}");

    // The host chosen; the other school takes the first part, «Школа-участник».
    let p = e
        .launch_project(&w.coordinator, launch(&w, BTreeMap::from([(host, "host".to_string())])))
        .await
        .unwrap();
    assert_eq!(p.project.part_of(host), Some("host"));
    assert_eq!(p.project.part_of(attending), Some("attending"));
    let mut p = p;
    for (from, to) in [
        ("order", "plan"),
        ("plan", "applications"),
        ("applications", "programme"),
        ("programme", "event_day"),
    ] {
        p = advance(&db, &w, p, from, to).await;
    }
    let id = p.project.id;
    let report = |org: i64, indicator: &str, value: f64| NewReport {
        project_id: id,
        organization_id: org,
        indicator: indicator.into(),
        period: "once".into(),
        value,
        comment: None,
    };

    // The attending school's director is not asked for open lessons, and told why.
    let refused = e
        .report_indicator(&w.second_director, report(attending, "open_lessons", 0.0))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "VALIDATION");
    assert!(
        refused
            .to_string()
            .contains("сдают только участники с ролью «Базовая школа»")
            && refused.to_string().contains("роль «Школа-участник»"),
        "{refused}"
    );
    e.report_indicator(&w.director, report(host, "open_lessons", 4.0))
        .await
        .unwrap();
    e.report_indicator(&w.director, report(host, "master_classes", 2.0))
        .await
        .unwrap();

    // Progress: open lessons of the host alone; participation of both.
    let (_, progress) = e.health_of(&w.coordinator, &[id]).await.unwrap().remove(&id).unwrap();
    let of = |key: &str| {
        let mut orgs: Vec<i64> = progress
            .iter()
            .filter(|p| p.indicator_key == key)
            .map(|p| p.organization_id)
            .collect();
        orgs.sort();
        orgs
    };
    assert_eq!(of("open_lessons"), [host]);
    assert_eq!(of("participants"), [host, attending]);

    // The memo waits for what each school owes — the attending school's participation, not
    // its open lessons.
    p = advance(
        &db,
        &w,
        e.project(&w.coordinator, id).await.unwrap(),
        "event_day",
        "survey",
    )
    .await;
    let p = crate::branches::tick_all(&db, &w, &p, "survey").await;
    let blockers: Vec<String> = e
        .available_transitions(&w.coordinator, id)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|t| t.blockers)
        .collect();
    let text = blockers.join("\n");
    assert!(text.contains("«Число педагогов школы"), "{text}");
    assert!(
        !text.contains("открытых уроков") && !text.contains("мастер-классов"),
        "{text}"
    );
    assert!(
        !text.contains("participants") && !text.contains("once"),
        "no keys or codes: {text}"
    );
    let _ = p;

    // Over the API: the parts of the workflow, and who takes which.
    let server = db.spawn_server().await;
    let token = server.login("coordinator@chesma.test", "пароль-для-тестов").await;
    let body = server
        .ok(
            Some(&token),
            "query($id: ID!) { project(id: $id) { participantParts { organization { id } part title } workflow { parts { key title } indicators { key parts } } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    let project = &body["project"];
    assert_eq!(project["workflow"]["parts"][0]["title"], "Школа-участник");
    assert_eq!(project["participantParts"][0]["organization"]["id"], host.to_string());
    assert_eq!(project["participantParts"][0]["title"], "Базовая школа");
    let open_lessons = project["workflow"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "open_lessons")
        .unwrap();
    assert_eq!(open_lessons["parts"], json!(["host"]));
}
