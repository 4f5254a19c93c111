use std::path::Path;

use async_graphql::{Request, Variables};

use super::*;
use crate::schema::{Mutation, Query, Subscription};

/// Measures `query` against the real schema's registry, returning the measure or the
/// refusal's message.
fn measure_query(query: &str, variables: serde_json::Value) -> Result<Measure, String> {
    measure_within(query, variables, &Limits::default())
}

fn measure_within(query: &str, variables: serde_json::Value, limits: &Limits) -> Result<Measure, String> {
    let document = async_graphql::parser::parse_query(query).map_err(|e| e.to_string())?;
    let variables = Variables::from_json(variables);
    measure(registry(), &document, None, &variables, limits).map_err(|e| e.message)
}

/// The registry of the real schema (built once).
fn registry() -> &'static Registry {
    static ENV: OnceLock<async_graphql::SchemaEnv> = OnceLock::new();
    &ENV.get_or_init(schema_env).registry
}

/// The real schema's environment, captured by an extension during one request.
fn schema_env() -> async_graphql::SchemaEnv {
    let captured: Arc<Mutex<Option<async_graphql::SchemaEnv>>> = Arc::default();
    struct Capture(Arc<Mutex<Option<async_graphql::SchemaEnv>>>);
    impl ExtensionFactory for Capture {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(CaptureExtension(self.0.clone()))
        }
    }
    struct CaptureExtension(Arc<Mutex<Option<async_graphql::SchemaEnv>>>);
    #[async_graphql::async_trait::async_trait]
    impl Extension for CaptureExtension {
        async fn prepare_request(
            &self,
            ctx: &ExtensionContext<'_>,
            request: Request,
            next: NextPrepareRequest<'_>,
        ) -> ServerResult<Request> {
            *self.0.lock().expect("lock") = Some(ctx.schema_env.clone());
            next.run(ctx, request).await
        }
    }
    let schema = async_graphql::Schema::build(Query::default(), Mutation::default(), Subscription)
        .extension(Capture(captured.clone()))
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(schema.execute("{ __typename }"));
    let env = captured.lock().expect("lock").take();
    env.expect("captured")
}

/// graphql-js 16's `getIntrospectionQuery()` with every option on (the end-to-end tests send
/// the same file).
pub const INTROSPECTION_QUERY: &str = include_str!("../../../tests/fixtures/introspection-query.graphql");

#[test]
fn the_standard_introspection_query_is_within_the_limits() {
    let measured = measure_query(INTROSPECTION_QUERY, serde_json::json!({})).expect("introspection passes");
    println!("the standard introspection query: {measured:?}");
    assert_eq!(measured.cost, 0, "introspection has a budget of its own");
    assert!(
        measured.introspection_cost * 2 <= Limits::default().max_introspection_cost,
        "the standard introspection query should use at most half of its budget: {measured:?}"
    );
}

#[test]
fn introspection_amplified_by_aliases_is_refused() {
    let fragments = &INTROSPECTION_QUERY[INTROSPECTION_QUERY.find("fragment FullType").expect("fragments")..];
    let query = format!(
        "{{ a: __schema {{ ...S }} b: __schema {{ ...S }} c: __schema {{ ...S }} d: __schema {{ ...S }} }}\n\
         fragment S on __Schema {{ types {{ ...FullType }} }}\n{fragments}"
    );
    let refused = measure_query(&query, serde_json::json!({})).expect_err("refused");
    assert!(refused.contains("описанию схемы"), "{refused}");
}

#[test]
fn lists_multiply_their_children_by_the_page_asked_for() {
    let small = measure_query(
        "{ projects(first: 1) { nodes { history { id } } } }",
        serde_json::json!({}),
    )
    .expect("small")
    .cost;
    let large = measure_query(
        "{ projects(first: 100) { nodes { history { id } } } }",
        serde_json::json!({}),
    )
    .expect("large")
    .cost;
    assert!(
        large > 50 * small,
        "first: 100 must cost far more than first: 1 ({small} vs {large})"
    );
    let by_variable = measure_query(
        "query($n: Int!) { projects(first: $n) { nodes { history { id } } } }",
        serde_json::json!({ "n": 100 }),
    )
    .expect("variable")
    .cost;
    assert_eq!(by_variable, large, "a variable counts as its value");
    let by_default = measure_query("{ projects { nodes { history { id } } } }", serde_json::json!({}))
        .expect("default")
        .cost;
    let twenty = measure_query(
        "{ projects(first: 20) { nodes { history { id } } } }",
        serde_json::json!({}),
    )
    .expect("twenty")
    .cost;
    assert_eq!(by_default, twenty, "no first counts as the argument's default");
}

#[test]
fn the_amplifications_of_the_review_are_refused() {
    let projects = "projects(first: 100) { nodes { history { id } } }";
    let query = format!(
        "{{ {} }}",
        (0..500)
            .map(|i| format!("p{i}: {projects}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let refused = measure_query(&query, serde_json::json!({})).expect_err("500 aliases");
    assert!(
        refused.contains("верхнего уровня") || refused.contains("псевдоним"),
        "{refused}"
    );

    let query = format!(
        "{{ {} }}",
        (0..200)
            .map(|i| format!("d{i}: dashboard {{ byHealth {{ count }} }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(measure_query(&query, serde_json::json!({})).is_err(), "200 dashboards");

    // Within the alias and root limits, the cost still adds up.
    let history = "projects(first: 100) { nodes { history { id at kind actorName summary comment } } }";
    let query = format!(
        "{{ {} }}",
        (0..20)
            .map(|i| format!("p{i}: {history}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let refused = measure_query(&query, serde_json::json!({})).expect_err("15 pages of 100 with history");
    assert!(refused.contains("оценка больше"), "{refused}");

    // Nested fragments that double at every level are refused by the walk's own limit.
    let mut query = String::from("{ ...F0 }\n");
    for i in 0..20 {
        query.push_str(&format!(
            "fragment F{i} on Query {{ a: districts {{ id }} ...F{} ...F{} }}\n",
            i + 1,
            i + 1
        ));
    }
    query.push_str("fragment F20 on Query { me { id } }");
    assert!(
        measure_query(&query, serde_json::json!({})).is_err(),
        "exponential fragments"
    );
}

#[test]
fn depth_counts_fields_outside_introspection() {
    let deep = "{ project(id: 1) { workflow { stages { checklist { key } } } } }";
    assert_eq!(measure_query(deep, serde_json::json!({})).expect("ok").depth, 5);
}

/// Every GraphQL operation the web interface sends (the string constants of `web/js`, with
/// their `${…}` parts filled in from the constants they name) is within the limits, with room
/// to spare; the largest is printed (`--nocapture`) for the README.
#[test]
fn the_web_interfaces_operations_are_within_the_limits() {
    let operations = web_operations();
    assert!(
        operations.len() >= 25,
        "found only {} operations in web/js",
        operations.len()
    );
    let limits = Limits::default();
    let mut largest = (0, String::new());
    let mut deepest = 0;
    for (file, operation) in &operations {
        // The pages ask for at most `first: 200` notifications and 100 projects; variables
        // of other kinds are not counted.
        let unlimited = Limits {
            max_cost: u64::MAX,
            max_introspection_cost: u64::MAX,
            ..limits
        };
        let measured = measure_within(operation, serde_json::json!({}), &unlimited)
            .unwrap_or_else(|e| panic!("{file}: the web interface's operation is refused: {e}\n{operation}"));
        println!(
            "{:>7} {file}: {}",
            measured.cost,
            operation.split_whitespace().take(8).collect::<Vec<_>>().join(" ")
        );
        assert!(
            measured.cost * 2 <= limits.max_cost,
            "{file}: uses more than half of the cost limit ({measured:?}):\n{operation}"
        );
        if measured.cost > largest.0 {
            largest = (measured.cost, operation.clone());
        }
        deepest = deepest.max(measured.depth);
    }
    assert!(deepest < limits.max_depth, "the web interface nests {deepest} deep");
    println!(
        "the largest operation of the web interface costs {}, the deepest nests {deepest}:\n{}",
        largest.0, largest.1
    );
}

/// The GraphQL documents in `web/js`: string literals (backquoted or double-quoted) that start
/// with `query`, `mutation`, `subscription` or `{`, with `${NAME}` replaced by the backquoted
/// constant `NAME` of any file.
fn web_operations() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/js");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read web/js") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                let text = std::fs::read_to_string(&path).expect("read");
                files.push((
                    path.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                    text,
                ));
            }
        }
    }
    let files: Vec<(String, String)> = files
        .into_iter()
        .map(|(name, text)| (name, without_comments(&text)))
        .collect();
    let mut constants = HashMap::new();
    for (_, text) in &files {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("const ") {
            rest = &rest[at + 6..];
            let Some((name, after)) = rest.split_once(" = `") else {
                continue;
            };
            if !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                continue;
            }
            if let Some((body, _)) = after.split_once('`') {
                constants.insert(name.to_string(), body.to_string());
            }
        }
    }
    let fill = |text: &str| {
        let mut out = text.to_string();
        while let Some(start) = out.find("${") {
            let Some(end) = out[start..].find('}') else { break };
            let name = &out[start + 2..start + end];
            let value = constants.get(name).cloned().unwrap_or_default();
            out.replace_range(start..start + end + 1, &value);
        }
        out
    };
    let mut operations = Vec::new();
    for (file, text) in &files {
        for quote in ['`', '"'] {
            let mut parts = text.split(quote);
            // Between the 1st and 2nd quote, the 3rd and 4th, … (good enough for these files:
            // no quote of the other kind hides one of this kind).
            parts.next();
            while let (Some(inside), _) = (parts.next(), parts.next()) {
                let trimmed = inside.trim_start();
                let is_operation = ["query", "mutation", "subscription"]
                    .iter()
                    .any(|k| trimmed.starts_with(k) && trimmed[k.len()..].starts_with(['(', ' ', '{']))
                    || (trimmed.starts_with("{ ") && trimmed.ends_with('}') && trimmed.matches('{').count() > 1);
                if is_operation {
                    let document = fill(inside);
                    if async_graphql::parser::parse_query(&document).is_ok() {
                        operations.push((file.clone(), document));
                    }
                }
            }
        }
    }
    operations
}

/// JavaScript without its `//` and `/* */` comments (which may hold backquotes).
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else if rest.starts_with("//") && !out.ends_with(':') {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
            out.push('\n');
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}
