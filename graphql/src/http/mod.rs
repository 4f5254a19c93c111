//! GraphQL over HTTP at `/graphql`, following the GraphQL-over-HTTP specification
//! (<https://graphql.github.io/graphql-over-http/draft/>) instead of async-graphql-axum's
//! stock extractor, which answers `200 application/json` to everything.
//!
//! Decisions, in the order a request meets them:
//!
//! - **GraphiQL.** A `GET` without a `query` parameter whose `Accept` lists `text/html` is a
//!   browser: it gets the GraphiQL page (subscriptions over `/graphql/ws`).
//! - **Accept.** `application/graphql-response+json` when the client allows it (no `Accept`,
//!   `*/*`, `application/*` or naming it), else `application/json`; q-values decide between
//!   the two (a tie goes to `application/graphql-response+json`) and `q=0` excludes a type.
//!   If neither is acceptable: `406`. Both are sent with `charset=utf-8` and `Vary: Accept`.
//! - **Methods.** `POST` with `Content-Type: application/json` (a `charset` other than UTF-8,
//!   another type, or none: `415`). `GET` with `query`, `variables` (JSON), `operationName`
//!   and `extensions` (JSON) in the URL, for queries only: when the selected operation is a
//!   mutation or subscription, `405` with `Allow: POST` and nothing runs. Other methods get
//!   axum's `405`. An empty `operationName` means none.
//! - **Well-formedness.** A body that is not JSON, not an object, without a string `query`,
//!   or with `operationName`/`variables`/`extensions` of the wrong type is not a
//!   GraphQL-over-HTTP request: `400` with a GraphQL-shaped body
//!   (`{"errors":[{"message":…,"extensions":{"code":"BAD_REQUEST"}}]}`, Russian message).
//!   A body over the limit: `413` (the limit layers are set by the router).
//! - **Status of a GraphQL response.** A _request error_ — the document does not parse or
//!   validate, the operation cannot be chosen, variables do not coerce, so execution never
//!   started — is recognised as: `data` is null and no error has a `path`. Its body has no
//!   `data` key (the GraphQL spec: "should not be present" when execution did not start).
//!   With `application/graphql-response+json` it is `400`; with `application/json` it is
//!   `200`, as is everything else. A response with data (even with field errors) is `200`.
//!
//! The document is parsed once here (to pick the operation for the `GET` rule, the metrics
//! and the tracing span) and handed to the executor parsed. Every request carries the
//! caller's [`Auth`], resolved from its `Authorization` header.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::{Executor, Response as GraphQLResponse, ServerError, Value, Variables};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Query, Request};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::Map;
use tower_http::limit::RequestBodyLimitLayer;
use tracing::Instrument;

use crate::context::Auth;
use crate::metrics::{Metrics, Operation, OperationKind, inspect_operation, outcome};

mod negotiate;

/// `Content-Type` of responses in the GraphQL response media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
/// `Content-Type` of responses in the legacy JSON media type.
pub const JSON: &str = "application/json; charset=utf-8";

pub use negotiate::{MediaType, negotiate};
use negotiate::{is_json_content_type, wants_html};

/// Whether a response reports a request error: execution never started (`data` is null and
/// no error has a path).
pub fn is_request_error(response: &GraphQLResponse) -> bool {
    matches!(response.data, Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Resolves the caller from the `Authorization` header value.
pub type Authenticate = Arc<dyn Fn(Option<String>) -> BoxFuture<'static, Auth> + Send + Sync>;

/// The `/graphql` endpoint over any executor (the app's schema, or a test schema).
#[derive(Clone)]
pub struct GraphQLEndpoint<E> {
    executor: E,
    authenticate: Authenticate,
    metrics: Arc<Metrics>,
}

/// The parameters of a well-formed GraphQL-over-HTTP request.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, serde_json::Value>>,
    extensions: Option<Map<String, serde_json::Value>>,
}

/// A request refused before any GraphQL ran: the status, the error code (also the metrics
/// outcome) and the message of its GraphQL-shaped error body.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }

    fn into_response(self, media: MediaType) -> Response {
        let mut response = error_response(self.status, media, self.code, &self.message);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

impl<E: Executor> GraphQLEndpoint<E> {
    /// An endpoint running `executor`, resolving callers with `authenticate`, recording into
    /// `metrics`.
    pub fn new<F, Fut>(executor: E, metrics: Arc<Metrics>, authenticate: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Auth> + Send + 'static,
    {
        let authenticate: Authenticate = Arc::new(move |header| authenticate(header).boxed());
        GraphQLEndpoint {
            executor,
            authenticate,
            metrics,
        }
    }

    /// `GET` and `POST` routed to [`GraphQLEndpoint::handle`] (other methods: `405`).
    pub fn method_router<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        let for_post = self.clone();
        get(move |request: Request| async move { self.handle(request).await })
            .post(move |request: Request| async move { for_post.handle(request).await })
    }

    /// Answers one HTTP request to `/graphql`.
    pub async fn handle(&self, request: Request) -> Response {
        let started = Instant::now();
        let cacheable = is_read(request.method());
        let accept = header_str(request.headers(), header::ACCEPT).map(str::to_owned);
        let has_query = request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|pair| pair == "query" || pair.starts_with("query=")));
        if is_read(request.method()) && !has_query && wants_html(accept.as_deref()) {
            return graphiql();
        }
        let Some(media) = negotiate(accept.as_deref()) else {
            let message = "Ни один тип ответа из заголовка Accept не поддерживается: укажите \
                           application/graphql-response+json или application/json.";
            self.metrics
                .observe("unknown", "NOT_ACCEPTABLE", started.elapsed().as_secs_f64());
            return Refusal::new(StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE", message).into_response(MediaType::Json);
        };
        match self.run(request).await {
            Ok((operation, response)) => {
                let outcome = outcome(&response);
                self.metrics
                    .observe(operation.kind.as_str(), &outcome, started.elapsed().as_secs_f64());
                graphql_response(response, media, cacheable)
            }
            Err(refusal) => {
                self.metrics
                    .observe("unknown", refusal.code, started.elapsed().as_secs_f64());
                refusal.into_response(media)
            }
        }
    }

    /// Reads the parameters, checks the `GET` rule and executes.
    async fn run(&self, request: Request) -> Result<(Operation, GraphQLResponse), Refusal> {
        let is_get = is_read(request.method());
        let authorization = header_str(request.headers(), header::AUTHORIZATION).map(str::to_owned);
        let client = crate::context::Client::of(
            request.headers(),
            request
                .extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        );
        let params = if is_get {
            get_params(&request)?
        } else {
            post_params(request).await?
        };

        let mut graphql = async_graphql::Request::new(params.query);
        if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
            graphql = graphql.operation_name(name);
        }
        if let Some(variables) = params.variables {
            graphql = graphql.variables(Variables::from_json(serde_json::Value::Object(variables)));
        }
        if let Some(extensions) = params.extensions {
            graphql.extensions = serde_json::from_value(serde_json::Value::Object(extensions))
                .map_err(|_| bad_request("Поле extensions не разобрано: это должен быть объект JSON."))?;
        }
        let operation = inspect_operation(&mut graphql);
        if is_get && matches!(operation.kind, OperationKind::Mutation | OperationKind::Subscription) {
            let what = match operation.kind {
                OperationKind::Subscription => "Подписка",
                _ => "Изменение данных (mutation)",
            };
            let message = format!("{what} выполняется только запросом POST: запросом GET можно только читать.");
            return Err(Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                message,
            ));
        }

        let auth = (self.authenticate)(authorization).await;
        let graphql = graphql.data(auth).data(client);
        let response = self.executor.execute(graphql).instrument(operation.span()).await;
        Ok((operation, response))
    }
}

/// `GET`, or `HEAD` (which axum routes to the `GET` handler).
fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// A header's value as text, if present and visible ASCII.
fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The parameters of a `GET` request, from its URL.
fn get_params(request: &Request) -> Result<Params, Refusal> {
    let Query(mut pairs) = Query::<Vec<(String, String)>>::try_from_uri(request.uri()).map_err(|_| {
        bad_request("Параметры адреса не разобраны: проверьте, что они закодированы (percent-encoding).")
    })?;
    let mut take = |key: &str| {
        pairs
            .iter()
            .rposition(|(k, _)| k == key)
            .map(|i| pairs.swap_remove(i).1)
    };
    let query = take("query").ok_or_else(|| bad_request("В адресе нет параметра query с текстом запроса."))?;
    let operation_name = take("operationName");
    let variables = take("variables")
        .map(|v| json_object_param(&v, "variables"))
        .transpose()?
        .flatten();
    let extensions = take("extensions")
        .map(|v| json_object_param(&v, "extensions"))
        .transpose()?
        .flatten();
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// A `GET` parameter that must be a JSON object (or `null`, meaning absent).
fn json_object_param(text: &str, name: &str) -> Result<Option<Map<String, serde_json::Value>>, Refusal> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
        Ok(serde_json::Value::Null) => Ok(None),
        Ok(_) => Err(bad_request(format!("Параметр {name} должен быть объектом JSON."))),
        Err(e) => Err(bad_request(format!(
            "Параметр {name} — не JSON (ошибка в позиции {}).",
            e.column()
        ))),
    }
}

/// The parameters of a `POST` request, from its JSON body.
async fn post_params(request: Request) -> Result<Params, Refusal> {
    let content_type = header_str(request.headers(), header::CONTENT_TYPE).unwrap_or_default();
    if !is_json_content_type(content_type) {
        let message = "Тело запроса принимается только в формате application/json (UTF-8).";
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            message,
        ));
    }
    let body = Bytes::from_request(request, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "Тело запроса больше допустимого размера.",
            )
        } else {
            bad_request("Тело запроса не прочитано: соединение прервалось. Повторите запрос.")
        }
    })?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        bad_request(format!(
            "Тело запроса — не JSON (ошибка в строке {}, позиции {}).",
            e.line(),
            e.column()
        ))
    })?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(bad_request(
            "Тело запроса должно быть объектом JSON с полем query (пакеты запросов не поддерживаются).",
        ));
    };
    let query = match object.remove("query") {
        Some(serde_json::Value::String(query)) => query,
        Some(_) => return Err(bad_request("Поле query должно быть строкой с текстом запроса.")),
        None => return Err(bad_request("В теле запроса нет поля query с текстом запроса.")),
    };
    let operation_name = match object.remove("operationName") {
        Some(serde_json::Value::String(name)) => Some(name),
        None | Some(serde_json::Value::Null) => None,
        Some(_) => return Err(bad_request("Поле operationName должно быть строкой.")),
    };
    let mut object_field = |name: &str| match object.remove(name) {
        Some(serde_json::Value::Object(map)) => Ok(Some(map)),
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(_) => Err(bad_request(format!("Поле {name} должно быть объектом JSON."))),
    };
    let variables = object_field("variables")?;
    let extensions = object_field("extensions")?;
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// A `400` for a request that is not a well-formed GraphQL-over-HTTP request.
fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// A refusal before GraphQL runs, as a GraphQL-shaped `application/json` body (for the layers
/// in front of the endpoint: the body reader, …).
pub fn refusal(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    error_response(status, MediaType::Json, code, &message.into())
}

/// A GraphQL-shaped error body `{"errors":[{"message":…,"extensions":{"code":…}}]}`.
fn error_response(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, media.content_type())], body.to_string()).into_response()
}

/// The body of a GraphQL response; `data` is left out for a request error.
#[derive(Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, Value>,
}

/// The HTTP response for a GraphQL response in `media`, with the status the spec asks for;
/// a `Cache-Control` the schema declares is passed on for successful reads (`GET`) only.
fn graphql_response(mut response: GraphQLResponse, media: MediaType, cacheable: bool) -> Response {
    let request_error = is_request_error(&response);
    // Every error carries a code. Ours are coded where they are made; what async-graphql
    // reports by itself (a document that does not parse or validate, an argument of the
    // wrong type) is a bad request: VALIDATION, in Russian ([`crate::messages`]).
    for error in &mut response.errors {
        crate::messages::russify(error);
    }
    let status = if request_error && media == MediaType::GraphQLResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = ResponseBody {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let body = match serde_json::to_vec(&body) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "could not serialize a GraphQL response");
            let message = "Не удалось сформировать ответ: повторите позже.";
            return error_response(StatusCode::INTERNAL_SERVER_ERROR, media, "INTERNAL", message);
        }
    };
    let mut http = (status, Body::from(body)).into_response();
    let headers = http.headers_mut();
    for (name, value) in response.http_headers.iter() {
        headers.append(name, value.clone());
    }
    if cacheable
        && response.is_ok()
        && let Some(cache_control) = response
            .cache_control
            .value()
            .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(header::CACHE_CONTROL, cache_control);
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    http
}

/// Limits request bodies to `limit` bytes: a larger declared `Content-Length` is refused
/// before the body is read (tower-http), and a body streamed past the limit fails to read;
/// `413` either way.
pub fn limit_body<S: Clone + Send + Sync + 'static>(router: Router<S>, limit: usize) -> Router<S> {
    router
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
}

/// The policy of the GraphiQL page: its scripts and styles from this origin only (GraphiQL
/// sets styles inline, and its fonts are `data:` URLs), requests to this origin only.
pub const GRAPHIQL_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src data:; img-src 'self' data:; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The GraphiQL page (`web/graphiql/`, embedded in the binary), talking to `/graphql` and
/// `/graphql/ws` and loading nothing from anywhere else.
fn graphiql() -> Response {
    let Some(page) = crate::web::asset("graphiql/index.html") else {
        return (StatusCode::NOT_FOUND, "Не найдено").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(page.content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(GRAPHIQL_CONTENT_SECURITY_POLICY),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        page.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests;
