//! The API nobody can knock over, over real HTTP and websockets: introspection within its own
//! budget, amplified queries refused before they run, slow clients that cannot hold the
//! operation slots, and the HTTP manners (compression, CORS, security headers, metrics access).
//! Speed is measured by `benches/abuse`, not here: these tests check what happens, not how fast.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::helpers::{Backend, Server, TestDb, error_code, run};

const PASSWORD: &str = "пароль-для-тестов";
const INTROSPECTION: &str = include_str!("../fixtures/introspection-query.graphql");

/// An observer of a district (read-only) and its token.
async fn observer(db: &TestDb, server: &Server) -> String {
    let district = db.world().await.district;
    db.engine
        .create_user(
            &engine::Actor::SYSTEM,
            engine::service::NewUser {
                email: "observer-hardening@po.test".into(),
                full_name: "Наблюдатель".into(),
                password: Some(PASSWORD.into()),
                role: engine::Role::Observer,
                district_id: Some(district.id),
                organization_id: None,
            },
        )
        .await
        .unwrap();
    server.login("observer-hardening@po.test", PASSWORD).await
}

/// POSTs `query` and returns the status and the body.
async fn post(server: &Server, token: Option<&str>, query: &str) -> (u16, Value) {
    let mut request = server
        .http
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn the_standard_introspection_query_works_and_can_be_closed_to_anonymous_callers() {
    run(Backend::Sqlite, |db| async move {
        let server = db.spawn_server().await;
        let (status, body) = post(&server, None, INTROSPECTION).await;
        assert_eq!(status, 200, "{body}");
        let types = body["data"]["__schema"]["types"].as_array().expect("types");
        assert!(
            types.iter().any(|t| t["name"] == "Project"),
            "the schema lists its types"
        );

        let closed = db
            .spawn_server_with(graphql::ServerConfig {
                anonymous_introspection: false,
                ..graphql::ServerConfig::default()
            })
            .await;
        let (status, refused) = post(&closed, None, INTROSPECTION).await;
        assert_eq!((status, error_code(&refused)), (400, "UNAUTHENTICATED"), "{refused}");
        let (_, typename) = post(&closed, None, "{ __typename }").await;
        assert_eq!(typename["data"]["__typename"], "Query", "{typename}");
        let token = observer(&db, &closed).await;
        let (status, allowed) = post(&closed, Some(&token), INTROSPECTION).await;
        assert_eq!(status, 200, "a signed-in caller reads the schema: {allowed}");
        assert!(allowed["data"]["__schema"]["types"].is_array());
    })
    .await;
}

#[tokio::test]
async fn amplified_queries_are_refused_before_they_run() {
    run(Backend::Sqlite, |db| async move {
        let server = db.spawn_server().await;
        let token = observer(&db, &server).await;
        let projects = "projects(first: 100) { nodes { history { id } } }";
        let aliases = (0..500)
            .map(|i| format!("p{i}: {projects}"))
            .collect::<Vec<_>>()
            .join(" ");
        let dashboards = (0..200)
            .map(|i| format!("d{i}: dashboard {{ byHealth {{ count }} }}"))
            .collect::<Vec<_>>()
            .join(" ");
        let history = "projects(first: 100) { nodes { history { id at kind actorName summary comment } } }";
        let pages = (0..20)
            .map(|i| format!("p{i}: {history}"))
            .collect::<Vec<_>>()
            .join(" ");
        let deep = format!("{{ me {} id {} }}", "{ a ".repeat(10), "}".repeat(10));
        for (what, query) in [
            ("500 aliased pages", format!("{{ {aliases} }}")),
            ("200 dashboards", format!("{{ {dashboards} }}")),
            ("20 pages of 100 with history", format!("{{ {pages} }}")),
            ("11 levels deep", deep),
        ] {
            let started = Instant::now();
            let (status, body) = post(&server, Some(&token), &query).await;
            println!("{what}: refused in {:?}", started.elapsed());
            assert_eq!(status, 400, "{what}: a request error: {body}");
            assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{what}: {body}");
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(
                message.chars().any(|c| matches!(c, 'а'..='я')),
                "{what}: Russian: {message}"
            );
        }

        // The same limits hold over the websocket.
        let url = format!("{}/graphql/ws", server.base.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
        socket.send(Message::text(init.to_string())).await.unwrap();
        let ack = next_json(&mut socket).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": format!("{{ {aliases} }}") } });
        socket.send(Message::text(subscribe.to_string())).await.unwrap();
        let refused = next_json(&mut socket).await;
        let errors = match refused["type"].as_str() {
            Some("error") => &refused["payload"],
            _ => &refused["payload"]["errors"],
        };
        assert_eq!(errors[0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{refused}");
    })
    .await;
}

pub(crate) async fn next_json<S>(socket: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("a message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// 64 connections send their headers and then trickle the body: none of them holds one of the
/// two operation slots, so `me` keeps answering while they are open, and each slow one gets
/// `408` when its body is late.
#[tokio::test]
async fn slow_bodies_cannot_hold_the_operation_slots() {
    run(Backend::Sqlite, |db| async move {
        let body_timeout = Duration::from_secs(3);
        let server = db
            .spawn_server_with(graphql::ServerConfig {
                max_concurrent_requests: 2,
                body_timeout,
                ..graphql::ServerConfig::default()
            })
            .await;
        let token = observer(&db, &server).await;
        let address = server.base.trim_start_matches("http://").to_string();
        let mut slow = Vec::new();
        for _ in 0..64 {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
            let head = format!(
                "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"query\":"
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            slow.push(stream);
        }
        let started = Instant::now();
        for _ in 0..10 {
            let (status, body) = post(&server, Some(&token), "{ me { fullName } }").await;
            assert_eq!((status, body["data"]["me"]["fullName"].as_str()), (200, Some("Наблюдатель")), "{body}");
        }
        assert!(
            started.elapsed() < body_timeout,
            "`me` answered while the slow bodies were still being sent"
        );
        for mut stream in slow {
            let mut answer = String::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer)).await;
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
        }
    })
    .await;
}

#[tokio::test]
async fn responses_are_compressed_and_carry_security_headers() {
    run(Backend::Sqlite, |db| async move {
        let server = db
            .spawn_server_with(graphql::ServerConfig {
                hsts: true,
                ..graphql::ServerConfig::default()
            })
            .await;
        for path in [
            "/healthz",
            "/metrics",
            "/graphql?query=%7B__typename%7D",
            "/",
            "/assets/js/app.js",
        ] {
            let response = server.http.get(format!("{}{path}", server.base)).send().await.unwrap();
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
            assert!(headers.contains_key("content-security-policy"), "{path}");
            assert!(
                headers["strict-transport-security"]
                    .to_str()
                    .unwrap()
                    .starts_with("max-age="),
                "{path}"
            );
        }
        let page = server
            .http
            .get(format!("{}/graphql", server.base))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(
            policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"),
            "{policy}"
        );
        assert!(page.text().await.unwrap().contains("/assets/graphiql/graphiql.min.js"));

        let compressed = server
            .http
            .post(format!("{}/graphql", server.base))
            .header("Accept-Encoding", "gzip")
            .json(&json!({ "query": INTROSPECTION }))
            .send()
            .await
            .unwrap();
        assert_eq!(compressed.headers()["content-encoding"], "gzip");
        let brotli = server
            .http
            .get(format!("{}/assets/graphiql/graphiql.min.js", server.base))
            .header("Accept-Encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(brotli.headers()["content-encoding"], "br");

        let plain = db.spawn_server().await;
        let response = plain.http.get(format!("{}/healthz", plain.base)).send().await.unwrap();
        assert!(
            !response.headers().contains_key("strict-transport-security"),
            "no HSTS over http"
        );
    })
    .await;
}

#[tokio::test]
async fn cors_is_off_by_default_and_follows_the_configured_origins() {
    run(Backend::Sqlite, |db| async move {
        let preflight = |server: &Server, origin: &str| {
            server
                .http
                .request(reqwest::Method::OPTIONS, format!("{}/graphql", server.base))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .send()
        };
        let closed = db.spawn_server().await;
        let response = preflight(&closed, "https://portal.example").await.unwrap();
        assert!(
            !response.headers().contains_key("access-control-allow-origin"),
            "off by default"
        );

        let open = db
            .spawn_server_with(graphql::ServerConfig {
                cors_origins: vec!["https://portal.example".into()],
                ..graphql::ServerConfig::default()
            })
            .await;
        let response = preflight(&open, "https://portal.example").await.unwrap();
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "https://portal.example"
        );
        let methods = response.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(methods.contains("POST"), "{methods}");
        let response = preflight(&open, "https://elsewhere.example").await.unwrap();
        assert!(
            !response.headers().contains_key("access-control-allow-origin"),
            "another origin"
        );
    })
    .await;
}

#[tokio::test]
async fn metrics_ask_for_the_token_when_one_is_set() {
    run(Backend::Sqlite, |db| async move {
        let open = db.spawn_server().await;
        let response = open.http.get(format!("{}/metrics", open.base)).send().await.unwrap();
        assert_eq!(
            response.status(),
            200,
            "loopback callers read the metrics without a token"
        );

        let guarded = db
            .spawn_server_with(graphql::ServerConfig {
                metrics_token: Some("metrics-secret-1".into()),
                ..graphql::ServerConfig::default()
            })
            .await;
        let url = format!("{}/metrics", guarded.base);
        let response = guarded.http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("токен"));
        let wrong = guarded
            .http
            .get(&url)
            .bearer_auth("metrics-secret-2")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let right = guarded
            .http
            .get(&url)
            .bearer_auth("metrics-secret-1")
            .send()
            .await
            .unwrap();
        assert_eq!(right.status(), 200);
        assert!(right.text().await.unwrap().contains("po_db_statements_total"));
    })
    .await;
}

/// What the GraphQL library itself reports reaches the client in Russian, with a code and, for
/// an input, the field.
#[tokio::test]
async fn library_errors_are_russian_with_a_code_and_a_field() {
    run(Backend::Sqlite, |db| async move {
        let server = db.spawn_server().await;
        let token = observer(&db, &server).await;
        let cases: [(&str, Value, Option<&str>); 9] = [
            ("{ me { fullName }", json!({}), None),
            ("{ me { fulName } }", json!({}), None),
            ("{ projects(first: 1000) { totalCount } }", json!({}), Some("first")),
            ("{ project { id } }", json!({}), Some("id")),
            (
                "query($f: ProjectFilterInput) { projects(filter: $f) { totalCount } }",
                json!({ "f": { "colour": "red" } }),
                Some("filter"),
            ),
            (
                "query($i: LaunchProjectInput!) { launchPreview(input: $i) { title } }",
                json!({ "i": { "workflowKey": "tochka-rosta", "districtId": "1", "participantIds": [], "startDate": "2027-13-01" } }),
                Some("startDate"),
            ),
            (
                "query($i: LaunchProjectInput!) { launchPreview(input: $i) { title } }",
                json!({ "i": { "workflowKey": "tochka-rosta", "districtId": "1", "participantIds": [], "startDate": "2027-02-30" } }),
                Some("startDate"),
            ),
            (
                "query($i: LaunchProjectInput!) { launchPreview(input: $i) { title } }",
                json!({ "i": { "workflowKey": "tochka-rosta", "districtId": "1", "participantIds": [1.5], "startDate": "2027-09-01" } }),
                Some("participantIds.0"),
            ),
            (
                "query($i: LaunchProjectInput!) { launchPreview(input: $i) { title } }",
                json!({ "i": { "workflowKey": "tochka-rosta", "districtId": "1", "participantIds": [], "dueDates": [{ "stage": "opening", "date": "1 сентября" }] } }),
                Some("dueDates.0.date"),
            ),
        ];
        for (query, variables, field) in cases {
            let body = server.gql(Some(&token), query, variables).await;
            let error = &body["errors"][0];
            let message = error["message"].as_str().unwrap_or_default();
            assert!(message.chars().any(|c| matches!(c, 'а'..='я')), "{query}: {body}");
            for english in ["Failed", "expected", "Unknown", "occurred", "argument"] {
                assert!(!message.contains(english), "{query}: {message}");
            }
            assert!(error["extensions"]["code"].is_string(), "{query}: {body}");
            if let Some(field) = field {
                assert_eq!(error["extensions"]["field"], field, "{query}: {body}");
            }
        }
    })
    .await;
}

/// Invisible and control characters are refused at the edge with the field they are in, on
/// both databases: a NUL, which PostgreSQL cannot store, is a `VALIDATION` error and never
/// `INTERNAL`; a look-alike name with a zero-width space cannot become a second organization.
async fn invisible_characters_are_refused_at_the_edge(db: TestDb) {
    let server = db.spawn_server().await;
    let w = db.world().await;
    db.engine
        .create_user(
            &engine::Actor::SYSTEM,
            engine::service::NewUser {
                email: "admin-hardening@po.test".into(),
                full_name: "Администратор".into(),
                password: Some(PASSWORD.into()),
                role: engine::Role::Admin,
                district_id: None,
                organization_id: None,
            },
        )
        .await
        .unwrap();
    let admin = server.login("admin-hardening@po.test", PASSWORD).await;
    let create = "mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }";
    let district = w.district.id.to_string();
    for (name, what) in [
        ("МБОУ «СОШ № 7»\u{200b}", "невидимый символ U+200B"),
        ("МБОУ\u{0} «СОШ № 7»", "управляющий символ U+0000"),
        ("\u{202e}МБОУ «СОШ № 7»", "символ направления письма U+202E"),
    ] {
        let body = server
            .gql(
                Some(&admin),
                create,
                json!({ "i": { "districtId": district, "name": name, "kind": "SCHOOL" } }),
            )
            .await;
        assert_eq!(error_code(&body), "VALIDATION", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "name", "{body}");
        assert!(
            body["errors"][0]["message"].as_str().unwrap_or_default().contains(what),
            "{body}"
        );
    }
    let body = server
        .gql(
            Some(&admin),
            "{ workflow(key: \"tochka\\u0000rosta\") { key } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "VALIDATION", "a NUL in a literal: {body}");
    let data = server
        .ok(
            Some(&admin),
            create,
            json!({ "i": { "districtId": district, "name": "МБОУ «СОШ № 7»", "kind": "SCHOOL" } }),
        )
        .await;
    assert!(data["createOrganization"]["id"].is_string(), "the clean name is taken");
}

crate::both_backends!(invisible_characters_are_refused_at_the_edge);

/// A failed non-null root field makes `data` itself `null`, as the GraphQL spec says — never an
/// object missing the key (what async-graphql answered).
#[tokio::test]
async fn a_failed_non_null_field_nulls_its_parent_as_the_spec_says() {
    run(Backend::Sqlite, |db| async move {
        let server = db.spawn_server().await;
        let token = observer(&db, &server).await;
        let body = server
            .gql(
                Some(&token),
                "{ me { fullName } projects { totalCount } notifications { nodes { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        assert_eq!(body["errors"][0]["path"], json!(["notifications"]), "{body}");
        assert!(body.get("data").is_some(), "execution started: data is present: {body}");
        assert!(
            body["data"].is_null(),
            "the non-null root field failed, so data is null: {body}"
        );
    })
    .await;
}

/// A workflow version has an id of its own, the same wherever it appears (a client cache
/// merges by it).
#[tokio::test]
async fn a_workflow_version_has_an_id() {
    run(Backend::Sqlite, |db| async move {
        let server = db.spawn_server().await;
        let token = observer(&db, &server).await;
        let data = server
            .ok(
                Some(&token),
                "{ workflows { id key version } workflow(key: \"tochka-rosta\") { id } }",
                json!({}),
            )
            .await;
        let listed = data["workflows"].as_array().expect("workflows");
        let tochka = listed
            .iter()
            .find(|w| w["key"] == "tochka-rosta")
            .expect("tochka-rosta");
        assert_eq!(tochka["id"], format!("tochka-rosta@{}", tochka["version"]));
        assert_eq!(data["workflow"]["id"], tochka["id"]);
    })
    .await;
}
