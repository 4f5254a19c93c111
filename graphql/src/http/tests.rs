//! The GraphQL-over-HTTP rules, proved against a tiny schema.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{Context, EmptySubscription, Object, Schema};
use axum::http::Request as HttpRequest;
use serde_json::{Value as Json, json};
use tower::ServiceExt;

use super::*;

struct TestQuery;

#[Object]
impl TestQuery {
    async fn hello(&self) -> &str {
        "world"
    }

    /// The `Authorization` header the request was resolved from.
    async fn caller(&self, ctx: &Context<'_>) -> Option<String> {
        ctx.data_opt::<Auth>().and_then(|auth| auth.token.clone())
    }

    async fn fails(&self) -> async_graphql::Result<Option<i32>> {
        Err("сбой".into())
    }
}

struct TestMutation;

#[Object]
impl TestMutation {
    async fn bump(&self, ctx: &Context<'_>) -> usize {
        ctx.data_unchecked::<Arc<AtomicUsize>>().fetch_add(1, Ordering::SeqCst) + 1
    }
}

const LIMIT: usize = 256;

struct TestApp {
    router: Router,
    bumps: Arc<AtomicUsize>,
    metrics: Arc<Metrics>,
}

fn app() -> TestApp {
    let bumps = Arc::new(AtomicUsize::new(0));
    let schema = Schema::build(TestQuery, TestMutation, EmptySubscription)
        .data(bumps.clone())
        .finish();
    let metrics = Arc::new(Metrics::with_statement_counter(|| 0));
    let endpoint = GraphQLEndpoint::new(schema, metrics.clone(), |authorization: Option<String>| async move {
        Auth {
            token: authorization,
            ..Auth::default()
        }
    });
    let router = limit_body(Router::new().route("/graphql", endpoint.method_router()), LIMIT);
    TestApp { router, bumps, metrics }
}

fn post(body: &str, accept: Option<&str>) -> HttpRequest<Body> {
    let builder = HttpRequest::post("/graphql").header(header::CONTENT_TYPE, "application/json; charset=utf-8");
    let builder = match accept {
        Some(accept) => builder.header(header::ACCEPT, accept),
        None => builder,
    };
    builder.body(Body::from(body.to_owned())).expect("request")
}

fn get(query_string: &str, accept: &str) -> HttpRequest<Body> {
    HttpRequest::get(format!("/graphql?{query_string}"))
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .expect("request")
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Json,
}

impl Reply {
    fn content_type(&self) -> &str {
        header_str(&self.headers, header::CONTENT_TYPE).unwrap_or_default()
    }

    fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
    }
}

async fn send(app: &TestApp, request: HttpRequest<Body>) -> Reply {
    let response = app.router.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Json::String(String::from_utf8_lossy(&bytes).into()));
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

const HELLO: &str = r#"{"query":"{ hello }"}"#;

#[test]
fn negotiation_follows_accept_and_q_values() {
    use MediaType::{GraphQLResponseJson as Gr, Json as J};
    let cases = [
        (None, Some(Gr)),
        (Some("*/*"), Some(Gr)),
        (Some("application/*"), Some(Gr)),
        (Some("application/graphql-response+json, application/json"), Some(Gr)),
        (Some("application/json"), Some(J)),
        (Some("application/json; charset=utf-8"), Some(J)),
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            Some(J),
        ),
        (Some("application/graphql-response+json;q=0, */*"), Some(J)),
        (Some("application/json;q=0.9, */*;q=0.1"), Some(J)),
        (Some("text/html, */*;q=0.8"), Some(Gr)),
        (Some("text/html"), None),
        (Some("application/json;q=0"), None),
        (Some("application/json; charset=latin1"), None),
    ];
    for (accept, expected) in cases {
        assert_eq!(negotiate(accept), expected, "Accept: {accept:?}");
    }
}

#[tokio::test]
async fn without_accept_the_response_is_graphql_response_json() {
    let app = app();
    let reply = send(&app, post(HELLO, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), GRAPHQL_RESPONSE_JSON);
    assert_eq!(reply.body, json!({ "data": { "hello": "world" } }));
    let metrics = app.metrics.render();
    assert!(
        metrics.contains(r#"po_graphql_requests_total{operation="query",outcome="ok"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_client_accepting_only_json_gets_json() {
    let reply = send(&app(), post(HELLO, Some("application/json"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), JSON);
    assert_eq!(reply.body["data"]["hello"], "world");
}

#[tokio::test]
async fn an_unacceptable_accept_is_406() {
    let reply = send(&app(), post(HELLO, Some("application/xml"))).await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(reply.code(), "NOT_ACCEPTABLE");
}

#[tokio::test]
async fn request_errors_are_400_without_data_in_graphql_response_json_and_200_in_json() {
    let app = app();
    for (name, body) in [("parse", r#"{"query":"{"}"#), ("validation", r#"{"query":"{ nope }"}"#)] {
        let reply = send(&app, post(body, Some(GRAPHQL_RESPONSE_JSON))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{name}: {:?}", reply.body);
        assert_eq!(reply.content_type(), GRAPHQL_RESPONSE_JSON, "{name}");
        assert!(reply.body.get("data").is_none(), "{name}: {:?}", reply.body);
        assert!(
            reply.body["errors"][0]["message"].is_string(),
            "{name}: {:?}",
            reply.body
        );

        let reply = send(&app, post(body, Some("application/json"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {:?}", reply.body);
        assert_eq!(reply.content_type(), JSON, "{name}");
        assert!(reply.body.get("data").is_none(), "{name}: {:?}", reply.body);
        assert!(
            reply.body["errors"][0]["message"].is_string(),
            "{name}: {:?}",
            reply.body
        );
    }
    let reply = send(
        &app,
        post(r#"{"query":"query($n: Int!) { hello }","variables":{"n":"x"}}"#, None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "variables: {:?}", reply.body);
}

#[tokio::test]
async fn field_errors_with_data_are_200() {
    let reply = send(&app(), post(r#"{"query":"{ hello fails }"}"#, None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["hello"], "world");
    assert_eq!(reply.body["errors"][0]["path"], json!(["fails"]));
}

#[tokio::test]
async fn get_runs_queries() {
    let app = app();
    let reply = send(&app, get("query=%7B%20hello%20%7D", GRAPHQL_RESPONSE_JSON)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["hello"], "world");

    let document = "query%20Q%20%7B%20hello%20%7D%20mutation%20M%20%7B%20bump%20%7D";
    let reply = send(
        &app,
        get(&format!("query={document}&operationName=Q&variables=%7B%7D"), "*/*"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["hello"], "world");
}

#[tokio::test]
async fn get_refuses_mutations_with_405_and_runs_nothing() {
    let app = app();
    for query_string in [
        "query=mutation%20%7B%20bump%20%7D",
        "query=query%20Q%20%7B%20hello%20%7D%20mutation%20M%20%7B%20bump%20%7D&operationName=M",
    ] {
        let reply = send(&app, get(query_string, GRAPHQL_RESPONSE_JSON)).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{query_string}");
        assert_eq!(header_str(&reply.headers, header::ALLOW), Some("POST"));
        assert_eq!(reply.code(), "METHOD_NOT_ALLOWED");
    }
    let head = HttpRequest::head("/graphql?query=mutation%20%7B%20bump%20%7D").body(Body::empty());
    let reply = send(&app, head.expect("request")).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(app.bumps.load(Ordering::SeqCst), 0);

    let reply = send(&app, post(r#"{"query":"mutation { bump }"}"#, None)).await;
    assert_eq!(reply.body["data"]["bump"], 1);
}

#[tokio::test]
async fn a_browser_get_shows_graphiql() {
    let response = app()
        .router
        .oneshot(get("", "text/html,application/xhtml+xml,*/*;q=0.8"))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = header_str(response.headers(), header::CONTENT_TYPE).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
}

#[tokio::test]
async fn malformed_requests_are_400_with_a_graphql_shaped_body() {
    let app = app();
    let reply = send(&app, post("{\"query\":", None)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "BAD_REQUEST");
    let message = reply.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("Тело запроса — не JSON"), "{message}");

    for body in [
        r#"{"qeury":"{ hello }"}"#,
        r#"{"query":7}"#,
        r#"{"query":"{ hello }","variables":[7]}"#,
        r#"{"query":"{ hello }","operationName":1}"#,
        r#"[{"query":"{ hello }"}]"#,
    ] {
        let reply = send(&app, post(body, Some("application/json"))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.code(), "BAD_REQUEST", "{body}");
    }
    let reply = send(&app, get("variables=%7B%7D", "application/json")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send(
        &app,
        get("query=%7B%20hello%20%7D&variables=%5B%5D", "application/json"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn other_content_types_are_415() {
    let app = app();
    for content_type in [Some("text/plain"), Some("application/json; charset=iso-8859-1"), None] {
        let builder = HttpRequest::post("/graphql");
        let builder = match content_type {
            Some(value) => builder.header(header::CONTENT_TYPE, value),
            None => builder,
        };
        let reply = send(&app, builder.body(Body::from(HELLO)).expect("request")).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = app();
    let big = format!(
        r#"{{"query":"{{ hello }}","extensions":{{"pad":"{}"}}}}"#,
        "x".repeat(LIMIT)
    );
    // Streamed (no Content-Length): the body fails to read past the limit.
    let reply = send(&app, post(&big, None)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.code(), "PAYLOAD_TOO_LARGE");
    // Declared: refused before reading.
    let mut request = post(&big, None);
    request
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(big.len()));
    assert_eq!(send(&app, request).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_authorization_header_reaches_the_resolvers() {
    let mut request = post(r#"{"query":"{ caller }"}"#, None);
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t0k"));
    let reply = send(&app(), request).await;
    assert_eq!(reply.body["data"]["caller"], "Bearer t0k");
}
