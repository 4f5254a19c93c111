//! Null propagation at the root, as the GraphQL spec says (§6.4.4 "Handling Execution
//! Errors"): when a root field of a non-null type fails, the error propagates to the parent,
//! which at the root is the response's `data` — it becomes `null`. async-graphql 7.2 instead
//! answers `data` without that field's key (below the root it propagates correctly), so a
//! director's `{ me projects notifications }` came back as `{ me, projects }` with an error, a
//! shape no client type describes. This extension remembers, when the document is parsed, which
//! root response keys of the operation are non-null fields, and after execution sets `data` to
//! `null` when one of them failed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{PathSegment, Response, ServerResult, Value, Variables};

/// The extension; see the module docs.
pub struct RootNullPropagation;

impl ExtensionFactory for RootNullPropagation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RootNullPropagationExtension::default())
    }
}

#[derive(Default)]
struct RootNullPropagationExtension {
    operation_name: Mutex<Option<String>>,
    /// The response keys of root fields whose type is non-null.
    non_null: Mutex<HashSet<String>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for RootNullPropagationExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let name = self.operation_name.lock().ok().and_then(|n| n.clone());
        let keys = non_null_root_keys(&ctx.schema_env.registry, &document, name.as_deref());
        if let Ok(mut non_null) = self.non_null.lock() {
            *non_null = keys;
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let failed_non_null = self.non_null.lock().is_ok_and(|non_null| {
            response.errors.iter().any(|error| match error.path.as_slice() {
                [PathSegment::Field(key)] => non_null.contains(key),
                _ => false,
            })
        });
        if failed_non_null {
            response.data = Value::Null;
        }
        response
    }
}

/// The response keys of the root fields of the selected operation whose type is non-null
/// (`Type!` or `[T]!`), fragments at the root included.
fn non_null_root_keys(registry: &Registry, document: &ExecutableDocument, name: Option<&str>) -> HashSet<String> {
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    let Some(operation) = operation else {
        return HashSet::new();
    };
    let root = match operation.node.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root.and_then(|r| registry.types.get(r)) else {
        return HashSet::new();
    };
    let mut keys = HashSet::new();
    let mut seen = Vec::new();
    collect(document, &operation.node.selection_set.node, root, &mut keys, &mut seen);
    keys
}

fn collect<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    root: &async_graphql::registry::MetaType,
    keys: &mut HashSet<String>,
    seen: &mut Vec<&'a str>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if root.field_by_name(name).is_some_and(|meta| meta.ty.ends_with('!')) {
                    keys.insert(field.node.response_key().node.to_string());
                }
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name);
                if let Some(fragment) = document.fragments.get(name) {
                    collect(document, &fragment.node.selection_set.node, root, keys, seen);
                }
            }
            Selection::InlineFragment(inline) => collect(document, &inline.node.selection_set.node, root, keys, seen),
        }
    }
}
