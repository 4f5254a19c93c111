//! The GraphQL API over real HTTP: a whole session, the error codes, the limits, the
//! subscription, and the statement count of a large page.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::{Server, error_code};

const PASSWORD: &str = "пароль-для-тестов";

/// An administrator, a district with two schools, a coordinator and both directors, all
/// created through the API; returns their tokens and ids.
struct Setup {
    admin: String,
    coordinator: String,
    director_a: String,
    director_b: String,
    district: String,
    school_a: String,
    school_b: String,
}

async fn setup(db: &crate::helpers::TestDb, server: &Server) -> Setup {
    db.engine
        .create_user(
            &engine::Actor::SYSTEM,
            engine::service::NewUser {
                email: "admin@po.test".into(),
                full_name: "Администратор".into(),
                password: Some(PASSWORD.into()),
                role: engine::Role::Admin,
                district_id: None,
                organization_id: None,
            },
        )
        .await
        .unwrap();
    let admin = server.login("admin@po.test", PASSWORD).await;
    let a = Some(admin.as_str());
    let district = server
        .ok(a, r#"mutation { createDistrict(input: { name: "Чесменский район", timeZone: "Asia/Yekaterinburg" }) { id timeZone } }"#, json!({}))
        .await["createDistrict"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut schools = Vec::new();
    for name in ["МБОУ «Чесменская СОШ № 1»", "МБОУ «Тарутинская СОШ»"] {
        let data = server
            .ok(a, "mutation($d: ID!, $n: String!) { createOrganization(input: { districtId: $d, name: $n, kind: SCHOOL }) { id } }", json!({ "d": district, "n": name }))
            .await;
        schools.push(data["createOrganization"]["id"].as_str().unwrap().to_string());
    }
    let create_user = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id role } } }";
    server
        .ok(a, create_user, json!({ "i": { "email": "coordinator@chesma.test", "fullName": "Координатор", "password": PASSWORD, "role": "COORDINATOR", "districtId": district } }))
        .await;
    for (i, school) in schools.iter().enumerate() {
        server
            .ok(a, create_user, json!({ "i": { "email": format!("director{i}@chesma.test"), "fullName": format!("Директор {i}"), "password": PASSWORD, "role": "DIRECTOR", "organizationId": school } }))
            .await;
    }
    Setup {
        coordinator: server.login("coordinator@chesma.test", PASSWORD).await,
        director_a: server.login("director0@chesma.test", PASSWORD).await,
        director_b: server.login("director1@chesma.test", PASSWORD).await,
        admin,
        district,
        school_a: schools[0].clone(),
        school_b: schools[1].clone(),
    }
}

const LAUNCH: &str = "mutation($i: LaunchProjectInput!) { launchProject(input: $i) { id rowVersion currentStage { key checklist { key } } } }";
const TRANSITION: &str =
    "mutation($i: TransitionProjectInput!) { transitionProject(input: $i) { rowVersion currentStage { key } } }";
const TICK: &str = "mutation($p: ID!, $s: String!, $i: String!) { completeChecklistItem(input: { projectId: $p, stage: $s, item: $i }) { rowVersion } }";

async fn launch_tochka(server: &Server, s: &Setup) -> Value {
    server
        .ok(Some(&s.coordinator), LAUNCH, json!({ "i": { "workflowKey": "tochka-rosta", "districtId": s.district, "participantIds": [s.school_a], "startDate": "2025-03-03" } }))
        .await["launchProject"]
        .clone()
}

async fn a_whole_session_over_http(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    let project = launch_tochka(&server, &s).await;
    let id = project["id"].as_str().unwrap().to_string();
    let stage = project["currentStage"]["key"].as_str().unwrap().to_string();
    let items: Vec<String> = project["currentStage"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect();

    // The director of the school sees it and ticks an item.
    let listed = server
        .ok(
            Some(&s.director_a),
            "{ projects { totalCount nodes { id title participants { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["projects"]["totalCount"], 1);
    assert_eq!(listed["projects"]["nodes"][0]["id"], id.as_str());
    let coordinator_items = server
        .gql(Some(&s.director_a), TICK, json!({ "p": id, "s": stage, "i": items[0] }))
        .await;
    // The first stage is the coordinator's: the director may not tick it.
    assert_eq!(error_code(&coordinator_items), "FORBIDDEN");
    let mut version = 1;
    for item in &items {
        version = server
            .ok(Some(&s.coordinator), TICK, json!({ "p": id, "s": stage, "i": item }))
            .await["completeChecklistItem"]["rowVersion"]
            .as_i64()
            .unwrap();
    }

    // The other school's director may neither read nor act.
    let read = server
        .gql(
            Some(&s.director_b),
            "query($id: ID!) { project(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&read), "FORBIDDEN");
    assert!(
        read["errors"][0]["message"].as_str().unwrap().contains("Нет доступа"),
        "{read}"
    );
    let act = server
        .gql(
            Some(&s.director_b),
            TRANSITION,
            json!({ "i": { "projectId": id, "toStage": "documents", "expectedVersion": version } }),
        )
        .await;
    assert_eq!(error_code(&act), "FORBIDDEN");
    assert_eq!(
        server
            .ok(Some(&s.director_b), "{ projects { totalCount } }", json!({}))
            .await["projects"]["totalCount"],
        0
    );

    // A transition the workflow does not have.
    let skip = server
        .gql(
            Some(&s.coordinator),
            TRANSITION,
            json!({ "i": { "projectId": id, "toStage": "opening", "expectedVersion": version } }),
        )
        .await;
    assert_eq!(error_code(&skip), "INVALID_TRANSITION");

    // The coordinator moves it forward; a second move with the old version conflicts.
    let available = server
        .ok(
            Some(&s.coordinator),
            "query($id: ID!) { project(id: $id) { availableTransitions { toStage allowed blockers } } }",
            json!({ "id": id }),
        )
        .await;
    let next = available["project"]["availableTransitions"][0]["toStage"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        available["project"]["availableTransitions"][0]["allowed"], true,
        "{available}"
    );
    let moved = server.ok(Some(&s.coordinator), TRANSITION, json!({ "i": { "projectId": id, "toStage": next, "expectedVersion": version, "comment": "Школа в перечне" } })).await;
    assert_eq!(moved["transitionProject"]["currentStage"]["key"], next.as_str());
    assert_eq!(moved["transitionProject"]["rowVersion"], version + 1);
    let stale = server
        .gql(
            Some(&s.coordinator),
            TRANSITION,
            json!({ "i": { "projectId": id, "toStage": next, "expectedVersion": version } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");

    // The history tells the story in Russian.
    let history = server
        .ok(
            Some(&s.director_a),
            "query($id: ID!) { project(id: $id) { history { kind actorName summary comment } } }",
            json!({ "id": id }),
        )
        .await;
    let last = history["project"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "TRANSITION");
    assert_eq!(last["actorName"], "Координатор");
    assert!(
        last["summary"]
            .as_str()
            .unwrap()
            .starts_with("Переход: «Заявка и отбор школы»"),
        "{last}"
    );

    // Signing out ends the token.
    assert_eq!(
        server.ok(Some(&s.admin), "mutation { logout }", json!({})).await["logout"],
        true
    );
    let after = server.gql(Some(&s.admin), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&after), "UNAUTHENTICATED");
    assert!(
        after["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("войдите снова"),
        "{after}"
    );
}

async fn errors_carry_codes_and_russian_messages_and_never_internals(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    let anonymous = server.gql(None, "{ projects { totalCount } }", json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    let wrong = server
        .gql(
            None,
            r#"mutation { login(email: "admin@po.test", password: "не тот") { token } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(wrong["errors"][0]["message"], "Неверный адрес почты или пароль.");
    let bad_zone = server
        .gql(
            Some(&s.admin),
            r#"mutation { createDistrict(input: { name: "Скопинский", timeZone: "Europe/Ryazan" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad_zone), "VALIDATION");
    assert_eq!(bad_zone["errors"][0]["extensions"]["field"], "timeZone");
    let missing = server
        .gql(Some(&s.admin), "{ project(id: \"999999\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&missing), "NOT_FOUND");
    let not_a_number = server
        .gql(Some(&s.admin), "{ project(id: \"abc\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&not_a_number), "VALIDATION");
    let text = serde_json::to_string(&[anonymous, wrong, bad_zone, missing, not_a_number]).unwrap();
    for secret in ["SELECT", "sqlx", "sea_orm", "panicked", "/src/"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

async fn a_too_deep_query_is_refused(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    let reasonable = "{ me { organization { district { id } } } projects { nodes { workflow { stages { checklist { key } } } participants { district { id } } history { id } } } }";
    let ok = server.gql(Some(&s.admin), reasonable, json!({})).await;
    assert!(ok.get("errors").is_none(), "a reasonable query passes: {ok}");
    // Eleven levels; the limit is ten (introspection, which nests `ofType` deeper, is costed
    // instead: hardening::the_standard_introspection_query_works…).
    let too_deep = format!("{{ me {} id {} }}", "{ organization ".repeat(10), "}".repeat(10));
    let response = server
        .http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&s.admin)
        .json(&json!({ "query": too_deep.as_str() }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        400,
        "a request error under application/graphql-response+json"
    );
    let refused: Value = response.json().await.unwrap();
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("слишком глубоко"),
        "{refused}"
    );
    assert!(refused.get("data").is_none(), "{refused}");
    assert_eq!(error_code(&refused), "QUERY_TOO_COMPLEX", "every error carries a code");
}

async fn a_subscriber_receives_the_event_of_a_transition(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    let project = launch_tochka(&server, &s).await;
    let id = project["id"].as_str().unwrap().to_string();

    let mut request = format!("{}/graphql/ws", server.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", s.director_a) } }),
        ))
        .await
        .unwrap();
    let ack = next_json(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    // Subscribe from the launch on, so the stream cannot miss what follows however soon
    // the change comes.
    let launched = server
        .ok(
            Some(&s.director_a),
            "query($id: ID!) { project(id: $id) { history { id } } }",
            json!({ "id": id }),
        )
        .await;
    let from = launched["project"]["history"][0]["id"].clone();
    socket
        .send(send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription($d: ID, $after: ID) { projectEvents(districtId: $d, after: $after) { project { id currentStage { key } } entry { kind summary } } }", "variables": { "d": s.district, "after": from } } })))
        .await
        .unwrap();
    let stage = project["currentStage"]["key"].as_str().unwrap();
    let mut version = 1;
    for item in project["currentStage"]["checklist"].as_array().unwrap() {
        version = server
            .ok(
                Some(&s.coordinator),
                TICK,
                json!({ "p": id, "s": stage, "i": item["key"] }),
            )
            .await["completeChecklistItem"]["rowVersion"]
            .as_i64()
            .unwrap();
    }
    server
        .ok(
            Some(&s.coordinator),
            TRANSITION,
            json!({ "i": { "projectId": id, "toStage": "documents", "expectedVersion": version } }),
        )
        .await;
    // Checklist ticks come first, then the transition.
    let mut kinds = Vec::new();
    while !kinds.contains(&"TRANSITION".to_string()) {
        let message = tokio::time::timeout(Duration::from_secs(10), next_json(&mut socket))
            .await
            .expect("an event within 10 s");
        assert_eq!(message["type"], "next", "{message}");
        let event = &message["payload"]["data"]["projectEvents"];
        assert_eq!(event["project"]["id"], id.as_str());
        kinds.push(event["entry"]["kind"].as_str().unwrap().to_string());
        if kinds.last().unwrap() == "TRANSITION" {
            assert_eq!(event["project"]["currentStage"]["key"], "documents");
        }
    }
    assert!(kinds.iter().filter(|k| *k == "CHECKLIST_ITEM").count() >= 1);
}

async fn logging_out_ends_the_open_subscriptions_of_that_session(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    let project = launch_tochka(&server, &s).await;
    let id = project["id"].as_str().unwrap().to_string();
    // A second session of the same director stays signed in.
    let other_session = server.login("director0@chesma.test", PASSWORD).await;
    let mut request = format!("{}/graphql/ws", server.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", s.director_a) } }),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    socket
        .send(send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { projectEvents { entry { kind } } }" } })))
        .await
        .unwrap();
    // The subscription works: a change arrives.
    server.ok(Some(&s.coordinator), TICK, json!({ "p": id, "s": project["currentStage"]["key"], "i": project["currentStage"]["checklist"][0]["key"] })).await;
    let first = tokio::time::timeout(Duration::from_secs(10), next_json(&mut socket))
        .await
        .expect("an event within 10 s");
    assert_eq!(first["type"], "next", "{first}");
    // Logging out over HTTP ends it at once with UNAUTHENTICATED, before anything else comes.
    assert_eq!(
        server.ok(Some(&s.director_a), "mutation { logout }", json!({})).await["logout"],
        true
    );
    let ended = tokio::time::timeout(Duration::from_secs(5), next_json(&mut socket))
        .await
        .expect("the stream ends within 5 s");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    let complete = tokio::time::timeout(Duration::from_secs(5), next_json(&mut socket))
        .await
        .expect("the stream completes");
    assert_eq!(complete["type"], "complete", "{complete}");
    // And the connection's next operations are refused too (a query over the same socket).
    let started = std::time::Instant::now();
    let mut n = 2;
    loop {
        socket
            .send(send(
                json!({ "id": n.to_string(), "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
            ))
            .await
            .unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), next_json(&mut socket))
            .await
            .expect("an answer");
        if answer["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the connection still answers: {answer}"
        );
        // Skip the completion of a query that still went through.
        let _ = tokio::time::timeout(Duration::from_secs(5), next_json(&mut socket)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        n += 1;
    }
    // The other session of the same person is untouched.
    server.ok(Some(&other_session), "{ me { email } }", json!({})).await;
}

async fn a_page_of_projects_costs_a_fixed_number_of_statements(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    let query = "query($n: Int!) { projects(first: $n) { totalCount nodes { title workflow { key title } district { name } participants { name } stages { key currentDue checklist { done } } currentStage { key } overdue } } }";
    let mut counts = Vec::new();
    for (launch, page) in [(3, 3), (30, 30), (100, 100)] {
        let have = db
            .engine
            .list_projects(&engine::Actor::SYSTEM, &Default::default(), 100, None)
            .await
            .unwrap()
            .total_count;
        for i in have..launch {
            let school = if i % 2 == 0 { &s.school_a } else { &s.school_b };
            server.ok(Some(&s.coordinator), LAUNCH, json!({ "i": { "workflowKey": "school-quality-roadmap", "districtId": s.district, "participantIds": [school], "startDate": "2025-03-03" } })).await;
        }
        let before = db.statements();
        let data = server.ok(Some(&s.coordinator), query, json!({ "n": page })).await;
        counts.push(db.statements() - before);
        assert_eq!(data["projects"]["nodes"].as_array().unwrap().len() as u64, page);
    }
    eprintln!("statements per page of 3, 30, 100 projects: {counts:?}");
    // The same handful of statements for 3, 30 and 100 projects (authentication, the
    // page, its count and participants, then one batch per kind of related data).
    assert!(
        counts.iter().all(|&c| c == counts[0]),
        "statements per page: {counts:?}"
    );
    assert!(counts[0] <= 15, "statements per page: {counts:?}");
}

/// Everything a project shows, as one selection for both ways of reading it.
const PROJECT_FIELDS: &str = "id title status rowVersion startDate createdAt updatedAt closedAt \
    workflow { key version title description registeredAt } district { id name timeZone } \
    participants { id name } indicatorTargets { indicator target } overdue \
    stages { key title baselineDue currentDue enteredAt completedAt provisional checklist { key done } } \
    currentStage { key } history { id kind summary actorName at details } health { health overdue } \
    indicatorProgress { indicator organization { id } latestValue fact health } \
    availableTransitions { toStage allowed blockers }";

async fn project_and_projects_agree_on_every_field(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    // Launched an hour after the workflows were registered.
    db.clock.advance(chrono::Duration::hours(1));
    let project = launch_tochka(&server, &s).await;
    let id = project["id"].as_str().unwrap().to_string();
    for token in [&s.coordinator, &s.director_a, &s.admin] {
        let one = server
            .ok(
                Some(token),
                &format!("query($id: ID!) {{ project(id: $id) {{ {PROJECT_FIELDS} }} }}"),
                json!({ "id": id }),
            )
            .await;
        let list = server
            .ok(
                Some(token),
                &format!("{{ projects(first: 100) {{ nodes {{ {PROJECT_FIELDS} }} }} }}"),
                json!({}),
            )
            .await;
        let listed = list["projects"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id.as_str())
            .expect("the project is in the list");
        assert_eq!(&one["project"], listed, "project(id) and projects differ");
        // registeredAt used to be the project's createdAt when read through project(id).
        assert_ne!(one["project"]["workflow"]["registeredAt"], one["project"]["createdAt"]);
    }
}

both_backends!(
    project_and_projects_agree_on_every_field,
    a_whole_session_over_http,
    errors_carry_codes_and_russian_messages_and_never_internals,
    a_too_deep_query_is_refused,
    a_subscriber_receives_the_event_of_a_transition,
    logging_out_ends_the_open_subscriptions_of_that_session,
    a_page_of_projects_costs_a_fixed_number_of_statements
);

async fn next_json<S>(socket: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match socket
            .next()
            .await
            .expect("the socket is open")
            .expect("a websocket message")
        {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

async fn repeated_failed_sign_ins_slow_the_account_down(db: TestDb) {
    let server = db.spawn_server().await;
    let _ = setup(&db, &server).await;
    let attempt = |password: &'static str| {
        let server = &server;
        async move {
            server
                .gql(
                    None,
                    "mutation($p: String!) { login(email: \"director0@chesma.test\", password: $p) { token } }",
                    json!({ "p": password }),
                )
                .await
        }
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("не тот пароль").await["errors"][0]["message"],
            "Неверный адрес почты или пароль."
        );
    }
    // Even the right password waits now.
    let throttled = attempt(PASSWORD).await;
    assert_eq!(error_code(&throttled), "UNAUTHENTICATED");
    assert!(
        throttled["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Повторите через 2 с"),
        "{throttled}"
    );
    db.clock.advance(chrono::Duration::seconds(3));
    let ok = attempt(PASSWORD).await;
    assert!(ok["data"]["login"]["token"].is_string(), "{ok}");
    // A success resets the count.
    assert_eq!(
        attempt("не тот пароль").await["errors"][0]["message"],
        "Неверный адрес почты или пароль."
    );
    assert!(attempt(PASSWORD).await["data"]["login"]["token"].is_string());
}

async fn an_expired_session_must_sign_in_again(db: TestDb) {
    let server = db.spawn_server().await;
    let s = setup(&db, &server).await;
    assert!(
        server
            .gql(Some(&s.coordinator), "{ me { email } }", json!({}))
            .await
            .get("errors")
            .is_none()
    );
    db.clock.advance(chrono::Duration::days(15));
    let expired = server.gql(Some(&s.coordinator), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&expired), "UNAUTHENTICATED");
}

both_backends!(
    repeated_failed_sign_ins_slow_the_account_down,
    an_expired_session_must_sign_in_again
);
