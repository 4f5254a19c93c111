//! Prometheus metrics of the server, rendered at `GET /metrics`.
//!
//! Three series, all prefixed `po_`:
//!
//! - `po_graphql_requests_total{operation, outcome}` — GraphQL requests by operation type
//!   (`query`, `mutation`, `subscription`, or `unknown` when the document could not be read)
//!   and outcome (`ok`, or the `extensions.code` of the first error: `FORBIDDEN`,
//!   `BAD_REQUEST`, …);
//! - `po_graphql_request_duration_seconds{operation}` — a histogram of how long requests took;
//! - `po_db_statements_total` — SQL statements executed by this process (read from the
//!   engine's counter on every scrape).
//!
//! [`inspect_operation`] and [`outcome`] classify a request for these labels (and for the
//! tracing span and the `GET` rule of [`crate::http`]).
//!
//! prometheus-client writes the OpenMetrics text format; [`Metrics::render`] turns it into
//! the classic Prometheus text format (`text/plain; version=0.0.4`), which every scraper
//! reads: counter families are named with their `_total` suffix and the `# EOF` marker is
//! dropped. Label values are bounded (operation types, error codes), so the series count
//! cannot grow with traffic.

use std::collections::HashSet;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Response as GraphQLResponse, Value};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The media type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The operation types used as the `operation` label; anything else is counted as `unknown`.
const OPERATIONS: [&str; 4] = ["query", "mutation", "subscription", "unknown"];

/// Labels of the request counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: &'static str,
    outcome: String,
}

/// Labels of the duration histogram.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

/// Buckets of the duration histogram: 5 ms to about 20 s, doubling.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 13))
}

/// The server's metrics. Cheap to share behind an `Arc`; recording never blocks for long.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<OperationLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::with_statement_counter(engine::store::statements_executed)
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Metrics whose `po_db_statements_total` is read from `statements` on every scrape
    /// (the default reads the engine's process-wide counter).
    pub fn with_statement_counter(statements: fn() -> u64) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<OperationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            duration_histogram as fn() -> _,
        );
        let mut registry = Registry::default();
        registry.register(
            "po_graphql_requests",
            "GraphQL requests by operation type and outcome (ok or the error code)",
            requests.clone(),
        );
        registry.register(
            "po_graphql_request_duration_seconds",
            "Time taken by GraphQL requests, in seconds",
            durations.clone(),
        );
        registry.register_collector(Box::new(DbStatements(statements)));
        Metrics {
            registry,
            requests,
            durations,
        }
    }

    /// Records one finished GraphQL request: its operation type (`query`, `mutation`,
    /// `subscription`; anything else counts as `unknown`), its outcome (`ok` or an error
    /// code) and how long it took.
    pub fn observe(&self, operation: &str, outcome: &str, seconds: f64) {
        let operation = operation_label(operation);
        self.count_labelled(operation, outcome);
        self.durations
            .get_or_create(&OperationLabels { operation })
            .observe(seconds.max(0.0));
    }

    /// Counts one GraphQL operation without a duration (a subscription, whose length says
    /// nothing about the server).
    pub fn count(&self, operation: &str, outcome: &str) {
        self.count_labelled(operation_label(operation), outcome);
    }

    fn count_labelled(&self, operation: &'static str, outcome: &str) {
        let labels = RequestLabels {
            operation,
            outcome: outcome_label(outcome),
        };
        self.requests.get_or_create(&labels).inc();
    }

    /// The Prometheus text exposition (format version 0.0.4) of every metric.
    pub fn render(&self) -> String {
        let mut openmetrics = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode_registry(&mut openmetrics, &self.registry) {
            tracing::error!(error = %e, "could not encode the metrics");
        }
        to_prometheus_text(&openmetrics)
    }
}

/// The known operation type named `operation`, or `unknown`.
fn operation_label(operation: &str) -> &'static str {
    OPERATIONS
        .iter()
        .copied()
        .find(|known| *known == operation)
        .unwrap_or("unknown")
}

/// `ok`, or an error code made of capitals, digits and underscores (up to 40 characters);
/// anything else becomes `OTHER`, so a stray value cannot create unbounded series.
fn outcome_label(outcome: &str) -> String {
    let is_code = !outcome.is_empty()
        && outcome.len() <= 40
        && outcome
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if outcome == "ok" || is_code {
        outcome.to_string()
    } else {
        "OTHER".to_string()
    }
}

/// Rewrites prometheus-client's OpenMetrics text into the classic Prometheus text format:
/// a counter's `# HELP`/`# TYPE` lines name it with the `_total` suffix its samples carry,
/// and the OpenMetrics-only `# EOF` and `# UNIT` lines go.
fn to_prometheus_text(openmetrics: &str) -> String {
    let counters: HashSet<&str> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            (counters.contains(name) && !name.ends_with("_total")).then(|| format!("{prefix}{name}_total {tail}"))
        });
        match renamed {
            Some(line) => out.push_str(&line),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The kind of a GraphQL operation, for the `GET` rule, metrics and tracing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
    /// The document does not parse or the operation cannot be chosen.
    Unknown,
}

impl OperationKind {
    /// The metrics label: `query`, `mutation`, `subscription` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
            OperationKind::Subscription => "subscription",
            OperationKind::Unknown => "unknown",
        }
    }
}

/// The operation a request will run: its kind and name (`-` when anonymous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub kind: OperationKind,
    pub name: String,
}

impl Operation {
    /// The tracing span around the operation's execution.
    pub fn span(&self) -> tracing::Span {
        tracing::info_span!("graphql", operation = %self.name, kind = %self.kind.as_str())
    }
}

/// Parses the request's document (once: the executor reuses it) and picks the operation
/// it will run, the way execution does: by `operationName`, or the only operation.
pub fn inspect_operation(request: &mut async_graphql::Request) -> Operation {
    let name = request.operation_name.clone();
    let kind = match request.parsed_query() {
        Ok(document) => select_operation(document, name.as_deref()),
        Err(_) => None,
    };
    match kind {
        Some((kind, selected)) => Operation {
            kind,
            name: selected.or(name).unwrap_or_else(|| "-".into()),
        },
        None => Operation {
            kind: OperationKind::Unknown,
            name: name.unwrap_or_else(|| "-".into()),
        },
    }
}

/// The kind and name of the operation `name` selects in `document`, if any.
fn select_operation(document: &ExecutableDocument, name: Option<&str>) -> Option<(OperationKind, Option<String>)> {
    let (ty, selected) = match (&document.operations, name) {
        (DocumentOperations::Single(op), None) => (op.node.ty, None),
        (DocumentOperations::Single(_), Some(_)) => return None,
        (DocumentOperations::Multiple(ops), Some(name)) => (ops.get(name)?.node.ty, Some(name.to_string())),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            let (name, op) = ops.iter().next()?;
            (op.node.ty, Some(name.to_string()))
        }
        (DocumentOperations::Multiple(_), None) => return None,
    };
    let kind = match ty {
        OperationType::Query => OperationKind::Query,
        OperationType::Mutation => OperationKind::Mutation,
        OperationType::Subscription => OperationKind::Subscription,
    };
    Some((kind, selected))
}

/// The metrics outcome of a response: `ok` without errors, else the first `extensions.code`
/// among its errors, else `BAD_REQUEST` for a request error and `ERROR` for field errors.
pub fn outcome(response: &GraphQLResponse) -> String {
    if response.errors.is_empty() {
        return "ok".into();
    }
    let code = response
        .errors
        .iter()
        .find_map(|e| match e.extensions.as_ref()?.get("code")? {
            Value::String(code) => Some(code.clone()),
            Value::Enum(code) => Some(code.to_string()),
            _ => None,
        });
    code.unwrap_or_else(|| {
        if crate::http::is_request_error(response) {
            "BAD_REQUEST"
        } else {
            "ERROR"
        }
        .into()
    })
}

/// Reports the SQL statement counter as `po_db_statements_total` on every scrape.
struct DbStatements(fn() -> u64);

impl std::fmt::Debug for DbStatements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbStatements")
    }
}

impl Collector for DbStatements {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counter = ConstCounter::new((self.0)());
        let metric = encoder.encode_descriptor(
            "po_db_statements",
            "SQL statements executed by this process",
            None,
            counter.metric_type(),
        )?;
        counter.encode(metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> u64 {
        42
    }

    fn sample(name: &str, labels: &str, value: u64) -> String {
        format!("{name}{labels} {value}\n")
    }

    #[test]
    fn renders_requests_durations_and_statements_in_prometheus_text() {
        let metrics = Metrics::with_statement_counter(fixed);
        metrics.observe("query", "ok", 0.012);
        metrics.observe("query", "ok", 0.3);
        metrics.observe("mutation", "FORBIDDEN", 0.02);
        metrics.count("subscription", "ok");
        let text = metrics.render();

        assert!(text.contains("# TYPE po_graphql_requests_total counter"), "{text}");
        assert!(
            text.contains(&sample(
                "po_graphql_requests_total",
                "{operation=\"query\",outcome=\"ok\"}",
                2
            )),
            "{text}"
        );
        assert!(
            text.contains(&sample(
                "po_graphql_requests_total",
                "{operation=\"mutation\",outcome=\"FORBIDDEN\"}",
                1
            )),
            "{text}"
        );
        assert!(
            text.contains(&sample(
                "po_graphql_requests_total",
                "{operation=\"subscription\",outcome=\"ok\"}",
                1
            )),
            "{text}"
        );
        assert!(
            text.contains("# TYPE po_graphql_request_duration_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains("po_graphql_request_duration_seconds_count{operation=\"query\"} 2"),
            "{text}"
        );
        assert!(text.contains("# TYPE po_db_statements_total counter"), "{text}");
        assert!(text.contains(&sample("po_db_statements_total", "", 42)), "{text}");
        assert!(!text.contains("# EOF"), "{text}");
    }

    #[test]
    fn label_values_stay_bounded() {
        let metrics = Metrics::with_statement_counter(fixed);
        metrics.observe("hack", "<script>", 0.1);
        let text = metrics.render();
        assert!(
            text.contains("po_graphql_requests_total{operation=\"unknown\",outcome=\"OTHER\"} 1"),
            "{text}"
        );
    }
}
