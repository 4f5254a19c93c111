//! A person's personal data over the real server: an administrator exports everything held
//! about a director as JSON, then anonymises them — their names (the current one and the one
//! from before an edit) and address are gone from the account, the project history and the
//! account trails, their report stays as the school's, and they cannot sign in. Only
//! administrators may.

use engine::service::ResponsibleFor;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestDb, error_code, minimal_launch};

const PASSWORD: &str = "пароль-для-тестов";

async fn count_containing(db: &TestDb, table: &str, column: &str, text: &str) -> i64 {
    let backend = db.db().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => format!("SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1"),
        _ => format!("SELECT COUNT(*) FROM {table} WHERE {column} LIKE ?"),
    };
    let row = db
        .db()
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [format!("%{text}%").into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn an_administrator_exports_and_then_anonymises_a_director(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let server = db.spawn_server().await;
    let admin = server.login("admin@po.test", PASSWORD).await;
    let c = server.login("coordinator@chesma.test", PASSWORD).await;
    let id = w.director.user_id;

    // The director is renamed once (the trail keeps the old name), named for a stage (the
    // history keeps the name) and has a report.
    server
        .ok(
            Some(&c),
            "mutation($i: UpdateUserInput!) { updateUser(input: $i) { id } }",
            json!({ "i": { "userId": id.to_string(), "fullName": "Соколова Ирина Павловна", "email": "sokolova@chesma.test", "role": "DIRECTOR", "organizationId": w.schools[0].id.to_string() } }),
        )
        .await;
    let project = e.launch_project(&w.coordinator, minimal_launch(&w, 0)).await.unwrap();
    e.assign_responsible(
        &w.coordinator,
        project.project.id,
        ResponsibleFor::Stage("work"),
        Some(id),
        None,
    )
    .await
    .unwrap();
    db.insert_report(project.project.id, w.schools[0].id, "1.1", "2025-Q1", 80.0)
        .await;
    db.db()
        .execute_unprepared(&format!("UPDATE indicator_reports SET reported_by = {id}"))
        .await
        .unwrap();
    assert!(count_containing(&db, "project_events", "details", "Соколова Ирина Павловна").await > 0);

    // The export: everything about them, for an administrator only.
    let url = format!("{}/export/personal-data.json?userId={id}", server.base);
    let response = server.http.get(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let data: serde_json::Value = response.json().await.unwrap();
    assert_eq!(data["account"]["email"], "sokolova@chesma.test");
    assert_eq!(data["reports"].as_array().unwrap().len(), 1, "{data:#}");
    assert!(data["sessions"].as_array().is_some());
    assert!(!data.to_string().contains("po_"), "no token or link leaves: {data}");
    let refused = server.http.get(&url).bearer_auth(&c).send().await.unwrap();
    assert_eq!(refused.status(), 403);

    // Anonymising: refused to a coordinator; done by the administrator.
    let anonymise = "mutation($id: ID!) { anonymiseUser(userId: $id) { fullName email active } }";
    let no = server.gql(Some(&c), anonymise, json!({ "id": id.to_string() })).await;
    assert_eq!(error_code(&no), "FORBIDDEN", "{no}");
    let done = server
        .ok(Some(&admin), anonymise, json!({ "id": id.to_string() }))
        .await;
    let placeholder = engine::service::placeholder_name(id);
    assert_eq!(done["anonymiseUser"]["fullName"], placeholder.as_str());
    assert_eq!(done["anonymiseUser"]["active"], false);
    for (table, column) in [
        ("project_events", "details"),
        ("user_events", "details"),
        ("users", "full_name"),
        ("users", "email"),
    ] {
        for text in [
            "Соколова",
            "sokolova@",
            "Пользователь director1@chesma.test",
            "director1@chesma.test",
        ] {
            assert_eq!(
                count_containing(&db, table, column, text).await,
                0,
                "{text} left in {table}.{column}"
            );
        }
    }
    assert!(count_containing(&db, "project_events", "details", &placeholder).await > 0);
    let reports = server
        .ok(
            Some(&c),
            "query($p: ID) { indicatorReports(filter: { projectId: $p }) { nodes { value organization { name } } } }",
            json!({ "p": project.project.id.to_string() }),
        )
        .await;
    assert_eq!(
        reports["indicatorReports"]["nodes"][0]["value"], 80.0,
        "the report stays: {reports}"
    );
    let login = server
        .gql(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            json!({ "e": "sokolova@chesma.test", "p": PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&login), "UNAUTHENTICATED");
    let trail = server
        .ok(
            Some(&admin),
            "query($id: ID!) { user(id: $id) { accountHistory { kind } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(trail["user"]["accountHistory"][0]["kind"], "ANONYMISED");
}

both_backends!(an_administrator_exports_and_then_anonymises_a_director);
