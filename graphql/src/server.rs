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
use axum::http::{HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::http::{self, GraphQLEndpoint};
use crate::metrics::{self, Metrics, OperationKind};

/// Limits of the HTTP server and of GraphQL execution, and its manners.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// What one operation may cost, how deep and wide it may be ([`crate::limits`]).
    pub limits: crate::limits::Limits,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Longest a client may take to send a request body. The body is read whole before the
    /// request waits for an operation slot, so a client that trickles it holds only its own
    /// connection (`408` when it is late).
    pub body_timeout: Duration,
    /// Longest a client may take to send a request's headers (the connection is closed).
    pub header_timeout: Duration,
    /// GraphQL operations over HTTP and the websocket, and exports, executed at once; more
    /// wait their turn. A page of 100 projects is a tree of a few megabytes while it is built,
    /// and the work is CPU-bound, so running 64 at once on two cores only multiplies the memory
    /// (benches/load measured 174 MB at 64 connections without a limit) without answering sooner.
    pub max_concurrent_requests: usize,
    /// Whether callers who have not signed in may read the schema (introspection).
    pub anonymous_introspection: bool,
    /// Origins other sites' pages may call the API from (CORS); empty: none, the default.
    pub cors_origins: Vec<String>,
    /// The bearer token `/metrics` asks for; without one, `/metrics` answers only on the
    /// loopback interface (a Prometheus on the same machine).
    pub metrics_token: Option<String>,
    /// Sends `Strict-Transport-Security` (the server is reached over https).
    pub hsts: bool,
    /// Subscriptions one websocket may hold open at once. Each holds a little memory and a
    /// database listener's attention, and the web interface needs one per open project page;
    /// the next one gets a `LIMIT` error and the connection stays usable.
    pub max_subscriptions_per_connection: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit_bytes: 1024 * 1024,
            limits: crate::limits::Limits::default(),
            request_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            max_concurrent_requests: 16,
            anonymous_introspection: true,
            cors_origins: Vec::new(),
            metrics_token: None,
            max_subscriptions_per_connection: 16,
            hsts: false,
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
/// - `GET /metrics` — Prometheus text format, with the configured bearer token, or without
///   one from the loopback interface only;
/// - `GET /export/indicator-reports.{csv,xlsx}`, `GET /export/dashboard.{csv,xlsx}` — the
///   indicator reports and the dashboard as spreadsheets ([`crate::export`]);
/// - `GET /graphiql/*` — GraphiQL's scripts and styles, served from the binary;
/// - `GET /`, `GET /assets/*` and any other page path — the web interface ([`crate::web`]).
///
/// Request bodies are limited to `body_limit_bytes` (`413` beyond) and read whole within
/// `body_timeout` (`408` beyond) before the request waits for one of `max_concurrent_requests`
/// slots; every request is limited to `request_timeout` (`503` beyond; a websocket only until
/// it is upgraded; its queries and mutations take a slot and have the same timeout).
/// Responses are compressed (gzip or brotli) when the client asks, carry the security headers
/// of [`security_headers`], and CORS headers for the configured origins.
pub fn router(state: AppState, config: &ServerConfig) -> Router {
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_requests.max(1)));
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
    let gate = axum::middleware::from_fn_with_state(permits.clone(), gate);
    let read_body = axum::middleware::from_fn_with_state(
        BodyRead {
            timeout: config.body_timeout,
            limit: config.body_limit_bytes,
        },
        read_body,
    );
    let websocket = WebSocketLimits {
        permits,
        timeout: config.request_timeout,
        subscriptions: config.max_subscriptions_per_connection,
    };
    let metrics_access = MetricsAccess {
        token: config.metrics_token.clone(),
    };
    let routes = Router::new()
        .route(
            "/graphql",
            endpoint.method_router().layer(gate.clone()).layer(read_body.clone()),
        )
        .route("/graphql/ws", get(graphql_ws).layer(axum::Extension(websocket)))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics).layer(axum::Extension(metrics_access)))
        .merge(crate::export::routes().route_layer(gate).route_layer(read_body))
        .merge(crate::web::routes())
        .fallback(crate::web::fallback)
        .with_state(state);
    let headers = SecurityHeaders { hsts: config.hsts };
    http::limit_body(routes, config.body_limit_bytes)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(cors(&config.cors_origins))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(headers, security_headers))
        .layer(TraceLayer::new_for_http())
}

/// CORS for `origins` (none: no CORS headers at all, so browsers keep other sites out).
/// Credentials are bearer tokens in `Authorization`, never cookies, so no
/// `Access-Control-Allow-Credentials`.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if origins.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(Duration::from_secs(600))
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

/// How [`read_body`] reads.
#[derive(Clone, Copy)]
struct BodyRead {
    timeout: Duration,
    limit: usize,
}

/// Reads the whole request body within the timeout, before the request takes an operation
/// slot ([`gate`]): `408` for a body that is late, `413` for one over the limit.
async fn read_body(
    State(read): State<BodyRead>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, read.limit);
    let collected = tokio::time::timeout(read.timeout, http_body_util::BodyExt::collect(limited)).await;
    match collected {
        Ok(Ok(collected)) => {
            let body = axum::body::Body::from(collected.to_bytes());
            next.run(axum::extract::Request::from_parts(parts, body)).await
        }
        Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => http::refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "Тело запроса больше допустимого размера.",
        ),
        Ok(Err(_)) => http::refusal(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "Тело запроса не прочитано: соединение прервалось. Повторите запрос.",
        ),
        Err(_) => http::refusal(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            format!(
                "Тело запроса не пришло за {} с: проверьте соединение и повторите запрос.",
                read.timeout.as_secs()
            ),
        ),
    }
}

/// Which security headers [`security_headers`] adds.
#[derive(Clone, Copy)]
struct SecurityHeaders {
    hsts: bool,
}

/// Headers every response carries (those a handler set itself, like the web interface's and
/// GraphiQL's `Content-Security-Policy`, are kept): no MIME sniffing, no framing by other
/// sites, no referrer to other sites, and `Strict-Transport-Security` when served over https.
/// A response without a policy of its own gets `default-src 'none'`: JSON, metrics and
/// downloads load nothing.
async fn security_headers(
    State(config): State<SecurityHeaders>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if config.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting
/// connections and lets the requests in flight finish. A connection that does not send a
/// request's headers within `header_timeout` is closed (hyper's header read timeout), and
/// every request knows its peer's address (`ConnectInfo`, for `/metrics`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, ServerConfig::default().header_timeout, shutdown).await
}

/// [`serve`] with a header timeout of its own.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "serving HTTP");
    }
    // Each connection holds a receiver of `closing` (told to finish when it changes) and one
    // of `open` (dropped when it ends); shutdown waits until no `open` receiver is left.
    let (closing_tx, closing_rx) = tokio::sync::watch::channel(());
    let (open_tx, open_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            let router = router.clone();
            async move {
                use tower::ServiceExt;
                router.oneshot(request.map(axum::body::Body::new)).await
            }
        });
        let mut closing = closing_rx.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = closing.changed() => {
                    // Told to finish (or the server is gone): the request in flight is answered,
                    // then the connection closes.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::trace!(error = %e, "connection ended with an error");
            }
            drop(open);
        });
    }
    drop(listener);
    drop(closing_rx);
    drop(open_rx);
    let _ = closing_tx.send(());
    open_tx.closed().await;
    Ok(())
}

/// `GET /graphql/ws`: upgrades to a GraphQL websocket.
async fn graphql_ws(
    State(state): State<AppState>,
    axum::Extension(limits): axum::Extension<WebSocketLimits>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let header_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // One executor per connection: it counts this connection's open subscriptions.
    let executor = Observed {
        inner: state.schema.clone(),
        metrics: state.metrics.clone(),
        limits,
        open_subscriptions: Arc::default(),
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

/// Who may read `/metrics`.
#[derive(Clone)]
struct MetricsAccess {
    /// The bearer token asked for; without one, loopback peers only.
    token: Option<String>,
}

/// `GET /metrics`: the Prometheus text exposition, for the configured bearer token or, without
/// one, for a peer on the loopback interface; others get `401` / `403`.
async fn render_metrics(
    State(state): State<AppState>,
    axum::Extension(access): axum::Extension<MetricsAccess>,
    request: axum::extract::Request,
) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let allowed = match &access.token {
        Some(token) => {
            let given = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            // Compared in constant time: the token is a secret.
            given.is_some_and(|given| same_secret(given.as_bytes(), token.as_bytes()))
        }
        None => peer.is_some_and(|address| address.ip().is_loopback()),
    };
    if !allowed {
        let (status, message) = match access.token {
            Some(_) => (
                StatusCode::UNAUTHORIZED,
                "Метрики доступны только с токеном: передайте его в заголовке Authorization: Bearer ….",
            ),
            None => (
                StatusCode::FORBIDDEN,
                "Метрики доступны только с этого же компьютера; для доступа по сети задайте PO_METRICS_TOKEN.",
            ),
        };
        return (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response();
    }
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], state.metrics.render()).into_response()
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |differs, (x, y)| differs | (x ^ y)) == 0
}

/// The slots and timeout that websocket queries and mutations share with HTTP ones.
#[derive(Clone)]
struct WebSocketLimits {
    permits: Arc<tokio::sync::Semaphore>,
    timeout: Duration,
    /// Subscriptions open at once on one connection.
    subscriptions: usize,
}

/// An executor that gives every websocket operation a tracing span and counts it in the
/// metrics when its first result arrives (queries and mutations with their duration;
/// subscriptions without one, or as `ok` when they end before any event).
#[derive(Clone)]
struct Observed<E> {
    inner: E,
    metrics: Arc<Metrics>,
    limits: WebSocketLimits,
    /// The subscriptions open on this connection.
    open_subscriptions: Arc<std::sync::atomic::AtomicUsize>,
}

/// Holds one of a connection's subscription places until the subscription's stream is dropped
/// (it ended, the client stopped it, or the connection closed).
struct SubscriptionPlace(Arc<std::sync::atomic::AtomicUsize>);

impl SubscriptionPlace {
    /// A place, or `None` when `limit` are taken.
    fn take(open: &Arc<std::sync::atomic::AtomicUsize>, limit: usize) -> Option<SubscriptionPlace> {
        use std::sync::atomic::Ordering;
        open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < limit).then_some(n + 1))
            .ok()
            .map(|_| SubscriptionPlace(open.clone()))
    }
}

impl Drop for SubscriptionPlace {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// The answer to a subscription beyond the connection's limit: `LIMIT`.
fn too_many_subscriptions(limit: usize) -> async_graphql::Response {
    let mut error = async_graphql::ServerError::new(
        format!(
            "В одном соединении открыто уже {limit} подписок — больше нельзя. Остановите ненужные подписки или откройте новое соединение."
        ),
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "LIMIT");
    error.extensions = Some(extensions);
    async_graphql::Response::from_errors(vec![error])
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
        let place = if operation.kind == OperationKind::Subscription {
            match SubscriptionPlace::take(&self.open_subscriptions, self.limits.subscriptions) {
                Some(place) => Some(place),
                None => {
                    let refused = too_many_subscriptions(self.limits.subscriptions);
                    return Box::pin(futures_util::stream::once(async move { refused }));
                }
            }
        } else {
            None
        };
        let inner = span.in_scope(|| self.inner.execute_stream(request, session_data));
        // A query or mutation takes a slot, as over HTTP, for at most the request timeout; a
        // subscription waits for events and holds none (each event is a small read), only one
        // of its connection's subscription places, for as long as it runs.
        let inner: BoxStream<'static, async_graphql::Response> = if let Some(place) = place {
            Box::pin(inner.map(move |response| {
                let _held = &place;
                response
            }))
        } else {
            let WebSocketLimits { permits, timeout, .. } = self.limits.clone();
            let mut inner = inner;
            Box::pin(futures_util::stream::once(async move {
                let run = async {
                    let _permit = permits.acquire().await;
                    inner.next().await
                };
                match tokio::time::timeout(timeout, run).await {
                    Ok(Some(response)) => response,
                    Ok(None) => async_graphql::Response::default(),
                    Err(_) => crate::error::timed_out(timeout),
                }
            }))
        };
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
        let mut polled = {
            let _entered = this.span.enter();
            this.inner.poll_next_unpin(cx)
        };
        if let Poll::Ready(Some(response)) = &mut polled {
            for error in &mut response.errors {
                crate::messages::russify(error);
            }
        }
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

    /// GETs `uri` as a peer on the loopback interface.
    async fn call(router: &Router, uri: &str) -> (StatusCode, String, String) {
        let mut request = Request::get(uri).body(Body::empty()).expect("request");
        let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 40000));
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
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
        let remote = Request::get("/metrics").body(Body::empty()).expect("request");
        let mut remote = remote;
        let peer = std::net::SocketAddr::from(([10, 0, 0, 7], 40000));
        remote.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        let refused = router.clone().oneshot(remote).await.expect("infallible");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "no token: loopback peers only");

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
