//! Indicator reports, plan against fact, health and the dashboard, over real HTTP.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Server, TestDb, World, error_code, minimal_launch};

const PASSWORD: &str = "пароль-для-тестов";
const REPORT: &str = "mutation($i: ReportIndicatorInput!) { reportIndicator(input: $i) { id value revision period comment reportedBy earlier { value revision reportedBy } } }";

/// Launches the minimal workflow for school 0 and moves it to `work`, where indicator 1.1
/// (percent, quarterly, target 100) is reported.
async fn project_in_work(db: &TestDb, w: &World) -> i64 {
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(w, 0))
        .await
        .unwrap()
        .project;
    e.complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
        .await
        .unwrap();
    e.transition_project(
        &w.coordinator,
        engine::service::TransitionRequest {
            from_stage: None,
            project_id: p.id,
            to_stage: "work".into(),
            expected_version: 2,
            comment: None,
        },
    )
    .await
    .unwrap();
    p.id
}

fn report(project: i64, organization: i64, indicator: &str, period: &str, value: f64) -> Value {
    json!({ "i": { "projectId": project.to_string(), "organizationId": organization.to_string(), "indicator": indicator, "period": period, "value": value } })
}

async fn refused(server: &Server, token: &str, vars: Value) -> (String, String) {
    let body = server.gql(Some(token), REPORT, vars).await;
    let field = body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("")
        .to_string();
    (error_code(&body).to_string(), field)
}

async fn reports_are_refused_with_the_field_to_fix_and_corrections_keep_history(db: TestDb) {
    let w = db.world().await;
    let server = db.spawn_server().await;
    let coordinator = server.login("coordinator@chesma.test", PASSWORD).await;
    let director = server.login("director1@chesma.test", PASSWORD).await;
    let other_director = server.login("director2@chesma.test", PASSWORD).await;
    let observer = server.login("observer@chesma.test", PASSWORD).await;
    let other_coordinator = server.login("coordinator@yartsevo.test", PASSWORD).await;
    let school = w.schools[0].id;

    // Before the start stage of the indicator.
    let early = db
        .engine
        .launch_project(&w.coordinator, minimal_launch(&w, 0))
        .await
        .unwrap()
        .project
        .id;
    assert_eq!(
        refused(&server, &director, report(early, school, "1.1", "2025-Q1", 50.0)).await,
        ("VALIDATION".into(), "indicator".into())
    );

    let p = project_in_work(&db, &w).await;
    for (vars, field) in [
        (report(p, school, "1.1", "2025-Q1", 120.0), "value"),
        (report(p, school, "1.1", "2025-Q1", -5.0), "value"),
        (report(p, school, "1.1", "2025-03", 50.0), "period"),
        (report(p, school, "1.1", "2025-Q3", 50.0), "period"),
        (report(p, school, "1.1", "первый квартал", 50.0), "period"),
        (report(p, school, "9.9", "2025-Q1", 50.0), "indicator"),
        (report(p, w.schools[1].id, "1.1", "2025-Q1", 50.0), "organizationId"),
    ] {
        assert_eq!(
            refused(&server, &coordinator, vars.clone()).await,
            ("VALIDATION".into(), field.into()),
            "{vars}"
        );
    }
    let wrong_kind = server
        .gql(Some(&coordinator), REPORT, report(p, school, "1.1", "2025-03", 50.0))
        .await;
    assert!(
        wrong_kind["errors"][0]["message"].as_str().unwrap().contains("2025-Q1"),
        "the message shows how to write it: {wrong_kind}"
    );
    // Who may report.
    assert_eq!(
        refused(&server, &other_director, report(p, school, "1.1", "2025-Q1", 50.0))
            .await
            .0,
        "FORBIDDEN"
    );
    assert_eq!(
        refused(&server, &observer, report(p, school, "1.1", "2025-Q1", 50.0))
            .await
            .0,
        "FORBIDDEN"
    );
    assert_eq!(
        refused(&server, &other_coordinator, report(p, school, "1.1", "2025-Q1", 50.0))
            .await
            .0,
        "FORBIDDEN"
    );
    assert!(
        db.engine
            .indicator_reports(&w.admin, &Default::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing refused was stored"
    );

    // The director reports, then corrects.
    let first = server
        .ok(Some(&director), REPORT, report(p, school, "1.1", "2025-Q1", 70.0))
        .await;
    assert_eq!(first["reportIndicator"]["revision"], 1);
    let mut vars = report(p, school, "1.1", "2025-Q1", 85.0);
    vars["i"]["comment"] = json!("Уточнено по приказу о курсах");
    let corrected = server.ok(Some(&director), REPORT, vars).await["reportIndicator"].clone();
    assert_eq!(
        (corrected["value"].as_f64(), corrected["revision"].as_i64()),
        (Some(85.0), Some(2))
    );
    assert_eq!(corrected["earlier"][0]["value"], 70.0);
    assert_eq!(
        corrected["earlier"][0]["reportedBy"],
        "Пользователь director1@chesma.test"
    );
    // The coordinator may report for the school too; the list shows one current value.
    server
        .ok(Some(&coordinator), REPORT, report(p, school, "1.1", "2024-Q4", 60.0))
        .await;
    let list = server
        .ok(
            Some(&coordinator),
            "query($p: ID) { indicatorReports(filter: { projectId: $p }) { nodes { indicator period value revision } } }",
            json!({ "p": p.to_string() }),
        )
        .await;
    let periods: Vec<&str> = list["indicatorReports"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2024-Q4", "2025-Q1"]);
    // Another school's director reads nothing of this project.
    let theirs = server
        .gql(
            Some(&other_director),
            "query($p: ID) { indicatorReports(filter: { projectId: $p }) { nodes { value } } }",
            json!({ "p": p.to_string() }),
        )
        .await;
    assert_eq!(error_code(&theirs), "FORBIDDEN");
}

async fn progress_and_health_follow_the_reports_and_the_schedule(db: TestDb) {
    let w = db.world().await;
    let server = db.spawn_server().await;
    let coordinator = server.login("coordinator@chesma.test", PASSWORD).await;
    let p = project_in_work(&db, &w).await;
    let school = w.schools[0].id;
    let query = "query($id: ID!) { project(id: $id) { health { health overdue dueSoon indicators } indicatorProgress { indicator title unit target latestValue achievement health periods { period value achievement } organization { name } } } }";
    let view = |token: String| {
        let server = &server;
        async move { server.ok(Some(&token), query, json!({ "id": p.to_string() })).await }
    };
    let before = view(coordinator.clone()).await;
    assert_eq!(before["project"]["indicatorProgress"][0]["health"], "UNKNOWN");
    assert_eq!(before["project"]["health"]["health"], "GREEN");

    server
        .ok(Some(&coordinator), REPORT, report(p, school, "1.1", "2025-Q1", 40.0))
        .await;
    let red = view(coordinator.clone()).await;
    let progress = &red["project"]["indicatorProgress"][0];
    assert_eq!(
        (
            progress["target"].as_f64(),
            progress["achievement"].as_f64(),
            progress["health"].as_str()
        ),
        (Some(100.0), Some(40.0), Some("RED"))
    );
    assert_eq!(progress["organization"]["name"], "МОУ «Чесменская СОШ № 1»");
    assert_eq!(red["project"]["health"]["health"], "RED");
    let filtered = server
        .ok(
            Some(&coordinator),
            "{ projects(filter: { health: RED }) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(filtered["projects"]["totalCount"], 1);

    server
        .ok(Some(&coordinator), REPORT, report(p, school, "1.1", "2025-Q1", 65.0))
        .await;
    assert_eq!(
        view(coordinator.clone()).await["project"]["indicatorProgress"][0]["health"],
        "AMBER"
    );
    server
        .ok(Some(&coordinator), REPORT, report(p, school, "1.1", "2025-Q1", 96.0))
        .await;
    let green = view(coordinator.clone()).await;
    assert_eq!(
        (
            green["project"]["health"]["health"].as_str(),
            green["project"]["health"]["indicators"].as_str()
        ),
        (Some("GREEN"), Some("GREEN"))
    );

    // "work" is due 30 days after it was entered (3 March, Yekaterinburg): 2 April.
    // (Sessions last 14 days: sign in again after moving the clock.)
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 28, 6, 0, 0).unwrap());
    let soon = view(server.login("coordinator@chesma.test", PASSWORD).await).await;
    assert_eq!(
        (
            soon["project"]["health"]["health"].as_str(),
            soon["project"]["health"]["dueSoon"].as_bool()
        ),
        (Some("AMBER"), Some(true))
    );
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 4, 8, 6, 0, 0).unwrap());
    let late = view(server.login("coordinator@chesma.test", PASSWORD).await).await;
    assert_eq!(
        (
            late["project"]["health"]["health"].as_str(),
            late["project"]["health"]["overdue"].as_bool()
        ),
        (Some("RED"), Some(true))
    );
}

async fn the_dashboard_shows_overdue_stages_missing_reports_and_the_groups(db: TestDb) {
    let w = db.world().await;
    let server = db.spawn_server().await;
    let coordinator = server.login("coordinator@chesma.test", PASSWORD).await;
    let reporting = project_in_work(&db, &w).await;
    let silent = db
        .engine
        .launch_project(&w.coordinator, minimal_launch(&w, 1))
        .await
        .unwrap()
        .project
        .id;
    db.engine
        .complete_checklist_item(&w.coordinator, silent, "start", "order", true)
        .await
        .unwrap();
    db.engine
        .transition_project(
            &w.coordinator,
            engine::service::TransitionRequest {
                from_stage: None,
                project_id: silent,
                to_stage: "work".into(),
                expected_version: 2,
                comment: None,
            },
        )
        .await
        .unwrap();
    server
        .ok(
            Some(&coordinator),
            REPORT,
            report(reporting, w.schools[0].id, "1.1", "2025-Q1", 90.0),
        )
        .await;

    // 20 April: the Q1 deadline (10 days after the quarter) has passed; "work" (due 2 April) is overdue.
    db.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 4, 20, 6, 0, 0).unwrap());
    let (coordinator, director) = (
        server.login("coordinator@chesma.test", PASSWORD).await,
        server.login("director1@chesma.test", PASSWORD).await,
    );
    let query = "query($d: ID) { dashboard(districtId: $d) { byWorkflow { key count } byStage { stageKey count } byHealth { key count } overdue { projectId stageKey due daysOverdue } missingReports { organizationName indicator period deadline daysLate } organizations { name achievement health indicators } } }";
    let data = server
        .ok(Some(&coordinator), query, json!({ "d": w.district.id.to_string() }))
        .await["dashboard"]
        .clone();
    assert_eq!(data["byWorkflow"], json!([{ "key": "corpus", "count": 2 }]));
    assert_eq!(data["byStage"], json!([{ "stageKey": "work", "count": 2 }]));
    assert_eq!(data["byHealth"], json!([{ "key": "red", "count": 2 }]));
    let overdue = data["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 2);
    assert_eq!(
        (overdue[0]["due"].as_str(), overdue[0]["daysOverdue"].as_i64()),
        (Some("2025-04-02"), Some(18))
    );
    assert_eq!(
        data["missingReports"],
        json!([{ "organizationName": "МОУ «Тарутинская СОШ»", "indicator": "1.1", "period": "2025-Q1", "deadline": "2025-04-10", "daysLate": 10 }])
    );
    let groups: Vec<(&str, &str)> = data["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["health"].as_str().unwrap()))
        .collect();
    assert_eq!(
        groups,
        [
            ("МОУ «Чесменская СОШ № 1»", "GREEN"),
            ("МОУ «Тарутинская СОШ»", "UNKNOWN")
        ]
    );
    // Directors do not get the district dashboard; other districts' people do not either.
    assert_eq!(
        error_code(
            &server
                .gql(Some(&director), query, json!({ "d": w.district.id.to_string() }))
                .await
        ),
        "FORBIDDEN"
    );
    let yartsevo = server.login("coordinator@yartsevo.test", PASSWORD).await;
    assert_eq!(
        error_code(
            &server
                .gql(Some(&yartsevo), query, json!({ "d": w.district.id.to_string() }))
                .await
        ),
        "FORBIDDEN"
    );
}

async fn the_seed_002_monitoring_puts_each_service_in_the_documents_group(db: TestDb) {
    seed_002(db).await;
}

both_backends!(
    reports_are_refused_with_the_field_to_fix_and_corrections_keep_history,
    progress_and_health_follow_the_reports_and_the_schedule,
    the_dashboard_shows_overdue_stages_missing_reports_and_the_groups,
    the_seed_002_monitoring_puts_each_service_in_the_documents_group
);

/// Seed 002: the regional monitoring of four municipal methodical services of Ingushetia.
/// The region is the tenant here (the monitoring compares districts, and a project lives in
/// one tenant), each service an organization taking part in one monitoring project.
async fn seed_002(db: TestDb) {
    use engine::model::OrganizationKind;
    use engine::service::{LaunchProject, NewDistrict, NewOrganization, TransitionRequest};
    let fixture: toml::Table =
        toml::from_str(&std::fs::read_to_string(crate::helpers::repo_path("tests/fixtures/seed-002.toml")).unwrap())
            .unwrap();
    let services = fixture["services"].as_array().unwrap();
    let e = &db.engine;
    let admin = engine::Actor::SYSTEM;
    let region = e
        .create_district(
            &admin,
            NewDistrict {
                name: "Республика Ингушетия".into(),
                time_zone: Some("Europe/Moscow".into()),
                region_code: Some("06".into()),
            },
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for service in services {
        let name = service["name"].as_str().unwrap();
        ids.push(
            e.create_organization(
                &admin,
                NewOrganization {
                    district_id: region.id,
                    name: name.into(),
                    kind: OrganizationKind::MethodicalService,
                    email: None,
                },
            )
            .await
            .unwrap()
            .id,
        );
    }
    let launched = e
        .launch_project(
            &admin,
            LaunchProject {
                workflow_key: "methodical-service-monitoring".into(),
                district_id: region.id,
                participants: ids.clone(),
                start_date: Some(crate::helpers::date("2025-03-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let def = launched.definition.clone();
    let p = launched.project.id;
    let mut version = launched.project.row_version;
    tick_all(e, p, &def, "order").await;
    version += def.stage("order").unwrap().checklist.len() as i32;
    version = e
        .transition_project(
            &admin,
            TransitionRequest {
                from_stage: None,
                project_id: p,
                to_stage: "data_collection".into(),
                expected_version: version,
                comment: None,
            },
        )
        .await
        .unwrap()
        .project
        .row_version;
    report_values(e, p, services, &ids, false).await;
    tick_all(e, p, &def, "data_collection").await;
    version += def.stage("data_collection").unwrap().checklist.len() as i32;
    e.transition_project(
        &admin,
        TransitionRequest {
            from_stage: None,
            project_id: p,
            to_stage: "analysis".into(),
            expected_version: version,
            comment: None,
        },
    )
    .await
    .unwrap();
    // The criterion levels (k1–k3) are reported at the analysis stage.
    report_values(e, p, services, &ids, true).await;

    let dashboard = e.dashboard(&admin, Some(region.id)).await.unwrap();
    let group = |h: engine::health::Health| match h {
        engine::health::Health::Green => "80-100",
        engine::health::Health::Amber => "50-79",
        engine::health::Health::Red => "below-50",
        engine::health::Health::Unknown => "unknown",
    };
    for criterion in ["k1", "k2", "k3"] {
        let standings = dashboard.organizations_by_indicator(criterion);
        for service in services {
            let name = service["name"].as_str().unwrap();
            let expected = service["groups"][criterion].as_str().unwrap();
            let found = standings.iter().find(|s| s.name == name).unwrap();
            assert_eq!(
                group(found.health),
                expected,
                "{criterion}: {name} ({:?} %)",
                found.achievement
            );
        }
    }
    // The document's own grouping (criterion 2): Малгобекский район alone in 50–79 %.
    let k2 = dashboard.organizations_by_indicator("k2");
    let amber: Vec<&str> = k2
        .iter()
        .filter(|s| s.health == engine::health::Health::Amber)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        amber,
        ["ГКУ «Управление образования по Малгобекскому району и г. Малгобек»"]
    );
}

async fn tick_all(e: &engine::Engine, project: i64, def: &engine::definition::Definition, stage: &str) {
    for item in &def.stage(stage).unwrap().checklist {
        e.complete_checklist_item(&engine::Actor::SYSTEM, project, stage, &item.key, true)
            .await
            .unwrap();
    }
}

/// Reports the fixture's values: the indicators 1.1–3.2, or the criterion levels k1–k3.
async fn report_values(e: &engine::Engine, project: i64, services: &[toml::Value], ids: &[i64], criteria: bool) {
    for (service, org) in services.iter().zip(ids) {
        for (key, value) in service["values"].as_table().unwrap() {
            if key.starts_with('k') != criteria {
                continue;
            }
            let value = value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
                .unwrap();
            let report = engine::service::NewReport {
                project_id: project,
                organization_id: *org,
                indicator: key.clone(),
                period: "once".into(),
                value,
                comment: None,
            };
            e.report_indicator(&engine::Actor::SYSTEM, report).await.unwrap();
        }
    }
}
