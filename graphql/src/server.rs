//! The HTTP server: routes, limits, graceful shutdown.
//!
//! [`router`] puts GraphQL over HTTP ([`crate::http`]), GraphQL over websockets, health,
//! readiness and metrics behind one set of layers (body limit, timeout, request tracing);
//! [`serve`] runs it until a shutdown signal. Websocket operations get the same tracing span
//! and metrics as HTTP ones, through an executor wrapper.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, Executor};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Router;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::http::{self, GraphQLEndpoint};
use crate::metrics::{self, Metrics, OperationKind};

/// Limits of the HTTP server and of GraphQL execution.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Deepest query accepted.
    pub max_depth: usize,
    /// Most complex query accepted (async-graphql's complexity: one per field by default).
    pub max_complexity: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// GraphQL operations over HTTP and exports executed at once; more wait their turn. A page
    /// of 100 projects is a tree of a few megabytes while it is built, and the work is CPU-bound,
    /// so running 64 at once on two cores only multiplies the memory (benches/load measured
    /// 174 MB at 64 connections without a limit) without answering sooner.
    pub max_concurrent_requests: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit_bytes: 1024 * 1024,
            max_depth: 12,
            max_complexity: 2000,
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 16,
        }
    }
}

/// The application `project-office serve` runs: the routes of [`router`] over an engine, with
/// `runReminders` sending through `reminders` (without it the API can only dry-run them).
/// The end-to-end tests start exactly this.
pub fn app(engine: engine::Engine, config: &ServerConfig, reminders: Option<crate::schema::ReminderRuntime>) -> Router {
    let state = AppState::new(engine, config);
    let state = match reminders {
        Some(runtime) => state.with_reminders(runtime.mailer, runtime.settings),
        None => state,
    };
    router(state, config)
}

/// The HTTP routes of the server over `state`, with `config`'s limits:
///
/// - `GET`/`POST /graphql` — GraphQL over HTTP ([`crate::http`]), GraphiQL for browsers;
/// - `GET /graphql/ws` — subscriptions (and any operation) over a websocket, in either the
///   `graphql-transport-ws` or the legacy `graphql-ws` subprotocol; the caller is resolved
///   from the `connection_init` payload's `Authorization` (or `authorization`, or `token`)
///   value, else from the upgrade request's `Authorization` header;
/// - `GET /healthz` — the process is up (no database); `GET /readyz` — the database answers;
/// - `GET /metrics` — Prometheus text format;
/// - `GET /export/indicator-reports.{csv,xlsx}`, `GET /export/dashboard.{csv,xlsx}` — the
///   indicator reports and the dashboard as spreadsheets ([`crate::export`]);
/// - `GET /`, `GET /assets/*` and any other page path — the web interface ([`crate::web`]).
///
/// Request bodies are limited to `body_limit_bytes` (`413` beyond), and every request to
/// `request_timeout` (`503` beyond; a websocket only until it is upgraded).
pub fn router(state: AppState, config: &ServerConfig) -> Router {
    let endpoint = {
        let state = state.clone();
        GraphQLEndpoint::new(
            state.schema.clone(),
            state.metrics.clone(),
            move |authorization: Option<String>| {
                let state = state.clone();
                async move { state.authenticate(authorization.as_deref()).await }
            },
        )
    };
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_requests.max(1)));
    let gate = axum::middleware::from_fn_with_state(permits, gate);
    let routes = Router::new()
        .route("/graphql", endpoint.method_router().layer(gate.clone()))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
        .merge(crate::export::routes().route_layer(gate))
        .merge(crate::web::routes())
        .fallback(crate::web::fallback)
        .with_state(state);
    http::limit_body(routes, config.body_limit_bytes)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(TraceLayer::new_for_http())
}

/// Lets a request through when one of the permits is free; the others wait (within the
/// request timeout) for a turn.
async fn gate(
    State(permits): State<Arc<tokio::sync::Semaphore>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // The semaphore is never closed, so acquiring only waits.
    let _permit = permits.acquire().await;
    next.run(request).await
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting
/// connections and lets the requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "serving HTTP");
    }
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// `GET /graphql/ws`: upgrades to a GraphQL websocket.
async fn graphql_ws(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let header_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let executor = Observed {
        inner: state.schema.clone(),
        metrics: state.metrics.clone(),
    };
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| {
        GraphQLWebSocket::new(socket, executor, protocol)
            .on_connection_init(move |payload| async move {
                let authorization = init_authorization(&payload).or(header_token);
                let auth = state.authenticate(authorization.as_deref()).await;
                auth.watch_session(&state.engine);
                let mut data = Data::default();
                data.insert(auth);
                Ok(data)
            })
            .serve()
    })
}

/// The credentials in a `connection_init` payload: `Authorization`, `authorization` or
/// `token` (a bare token or `Bearer …`).
fn init_authorization(payload: &serde_json::Value) -> Option<String> {
    ["Authorization", "authorization", "token"]
        .iter()
        .find_map(|key| payload.get(key)?.as_str())
        .map(str::to_owned)
}

/// `GET /healthz`: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: `200` when the database answers a ping, `503` otherwise.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.engine.db().ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "база данных недоступна")
        }
    }
}

/// `GET /metrics`: the Prometheus text exposition.
async fn render_metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], state.metrics.render()).into_response()
}

/// An executor that gives every websocket operation a tracing span and counts it in the
/// metrics when its first result arrives (queries and mutations with their duration;
/// subscriptions without one, or as `ok` when they end before any event).
#[derive(Clone)]
struct Observed<E> {
    inner: E,
    metrics: Arc<Metrics>,
}

impl<E: Executor> Executor for Observed<E> {
    fn execute(&self, request: async_graphql::Request) -> impl Future<Output = async_graphql::Response> + Send {
        self.inner.execute(request)
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let operation = metrics::inspect_operation(&mut request);
        let span = operation.span();
        let inner = span.in_scope(|| self.inner.execute_stream(request, session_data));
        Box::pin(ObservedStream {
            inner,
            span,
            kind: operation.kind,
            metrics: self.metrics.clone(),
            started: Instant::now(),
            recorded: false,
        })
    }
}

/// The response stream of one websocket operation (see [`Observed`]).
struct ObservedStream {
    inner: BoxStream<'static, async_graphql::Response>,
    span: tracing::Span,
    kind: OperationKind,
    metrics: Arc<Metrics>,
    started: Instant,
    recorded: bool,
}

impl ObservedStream {
    fn record(&mut self, outcome: &str) {
        if std::mem::replace(&mut self.recorded, true) {
            return;
        }
        match self.kind {
            OperationKind::Subscription => self.metrics.count(self.kind.as_str(), outcome),
            kind => self
                .metrics
                .observe(kind.as_str(), outcome, self.started.elapsed().as_secs_f64()),
        }
    }
}

impl Stream for ObservedStream {
    type Item = async_graphql::Response;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let polled = {
            let _entered = this.span.enter();
            this.inner.poll_next_unpin(cx)
        };
        match &polled {
            Poll::Ready(Some(response)) => this.record(&metrics::outcome(response)),
            Poll::Ready(None) => this.record("ok"),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for ObservedStream {
    /// An operation stopped before its first result: a subscription the client ended is
    /// `ok`; a query or mutation is `CANCELLED`.
    fn drop(&mut self) {
        let outcome = if self.kind == OperationKind::Subscription {
            "ok"
        } else {
            "CANCELLED"
        };
        self.record(outcome);
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    /// The state over a fresh SQLite file, and the file (to remove afterwards).
    async fn state() -> (AppState, std::path::PathBuf) {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("po-server-{}-{nanos}.db", std::process::id()));
        let db = engine::store::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("connect");
        engine::store::migrate(&db).await.expect("migrate");
        let engine = engine::Engine::new(db, Arc::new(engine::SystemClock));
        (AppState::new(engine, &ServerConfig::default()), path)
    }

    async fn call(router: &Router, uri: &str) -> (StatusCode, String, String) {
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let content_type = content_type.unwrap_or_default().to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, content_type, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn health_readiness_metrics_and_graphql_are_routed() {
        let (state, path) = state().await;
        let db = state.engine.db().clone();
        let router = router(state, &ServerConfig::default());

        assert_eq!(call(&router, "/healthz").await.0, StatusCode::OK);
        assert_eq!(call(&router, "/readyz").await.0, StatusCode::OK);
        let (status, content_type, body) = call(&router, "/graphql?query=%7B__typename%7D").await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, http::GRAPHQL_RESPONSE_JSON),
            "{body}"
        );
        assert_eq!(body, r#"{"data":{"__typename":"Query"}}"#);

        let (status, content_type, body) = call(&router, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
        assert!(
            body.contains(r#"po_graphql_requests_total{operation="query",outcome="ok"} 1"#),
            "{body}"
        );
        assert!(body.contains("po_db_statements_total "), "{body}");

        let (status, _, _) = call(&router, "/graphql/ws").await;
        assert!(status.is_client_error(), "a plain GET of the websocket route: {status}");

        db.close().await.expect("close");
        assert_eq!(call(&router, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(call(&router, "/healthz").await.0, StatusCode::OK);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn websocket_credentials_come_from_the_init_payload() {
        let token = |payload: serde_json::Value| init_authorization(&payload);
        assert_eq!(
            token(serde_json::json!({ "Authorization": "Bearer a" })).as_deref(),
            Some("Bearer a")
        );
        assert_eq!(
            token(serde_json::json!({ "authorization": "Bearer b" })).as_deref(),
            Some("Bearer b")
        );
        assert_eq!(token(serde_json::json!({ "token": "c" })).as_deref(), Some("c"));
        assert_eq!(token(serde_json::json!({})), None);
        assert_eq!(token(serde_json::Value::Null), None);
    }
}
