//! What one GraphQL operation may cost, checked after it is parsed and before it is validated
//! or run, the same way over HTTP and over the websocket (an async-graphql extension).
//!
//! async-graphql's own limits count one per field: `500 × projects(first: 100) { nodes {
//! history { id } } }` was within a complexity of 2000 and took 17 s and 700 MB, and its depth
//! limit refused graphql-js's standard introspection query. Here instead:
//!
//! - **Cost** estimates how many values the answer holds. A field costs 1 (plus a weight for an
//!   expensive resolver, [`WEIGHTS`]) times the number of times it is resolved: a list field
//!   multiplies its children by its size — the `first`/`last` the caller asked for (or the
//!   connection's default page) for paged fields and their `edges`/`nodes`, else the list's estimated
//!   maximum ([`LIST_SIZES`], 10 when not listed). Scalars inside a list count too: they are
//!   what the response is made of.
//! - **Introspection** (`__schema`, `__type`) is costed the same way in a budget of its own,
//!   with list sizes read off the schema (how many types, the most fields a type has, …), and is
//!   left out of the depth: a standard introspection query nests `ofType` nine deep, and its
//!   cost — not its depth — is what bounds it.
//! - **Depth** (outside introspection), **root fields** and **aliases** have limits of their own,
//!   so 200 aliased `dashboard`s are refused by count, before any cost is summed.
//!
//! Fragments are expanded as they are used (a fragment spread in two places costs twice); a
//! fragment cycle is left to validation, which names it. The walk visits at most
//! [`MAX_VISITED`] fields, so a document of nested fragments that would take long to expand is
//! refused as too large instead of being expanded.
//!
//! The numbers ([`Limits::default`]) were tuned against the web interface's own operations (the
//! test `the_web_interfaces_operations_are_within_the_limits` measures each) and the
//! amplifications of the API review; the README gives them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{ErrorExtensionValues, Name, Pos, Positioned, ServerError, ServerResult, Value, Variables};

/// The limits of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest estimated cost (see the module docs).
    pub max_cost: u64,
    /// The largest estimated cost of the introspection part.
    pub max_introspection_cost: u64,
    /// The deepest nesting of fields, introspection left out.
    pub max_depth: usize,
    /// The most fields at the root of the operation.
    pub max_root_fields: usize,
    /// The most aliased fields (an alias other than the field's name) in the operation.
    pub max_aliases: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cost: 200_000,
            max_introspection_cost: 300_000,
            max_depth: 10,
            max_root_fields: 20,
            max_aliases: 30,
        }
    }
}

/// Extra cost of a field whose resolver does more than read a loaded value, by
/// `Type.field`: computing a dashboard, the transitions a caller may take, health.
pub const WEIGHTS: &[(&str, u64)] = &[
    ("Query.dashboard", 500),
    ("Query.launchPreview", 50),
    ("Query.districtCalendar", 50),
    ("Query.myTasks", 100),
    ("Query.projects", 20),
    ("Query.project", 10),
    ("Query.indicatorReports", 20),
    ("Project.availableTransitions", 10),
    ("Project.health", 5),
    ("Project.indicatorProgress", 5),
    ("Project.history", 2),
    ("User.accountHistory", 5),
    ("User.invitation", 1),
    ("User.lastSignIn", 1),
    ("Mutation.runReminders", 1000),
    ("Mutation.login", 100),
    ("Project.responsibleCandidates", 20),
    ("Query.launchResponsibleCandidates", 20),
    ("Query.migrationPreview", 500),
];

/// Estimated most items of a list field that has no `first`/`last`, by `Type.field`.
pub const LIST_SIZES: &[(&str, u64)] = &[
    ("Query.districts", 60),
    ("Query.myTasks", 50),
    ("Task.stages", 3),
    ("Query.workflows", 20),
    ("Query.regions", 89),
    ("Query.substituteCandidates", 40),
    ("MigrationPreview.projects", 500),
    ("Project.history", 30),
    ("Project.stages", 12),
    ("Project.participants", 20),
    ("Project.indicatorProgress", 20),
    ("Project.indicatorTargets", 20),
    ("Project.availableTransitions", 5),
    ("IndicatorProgress.periods", 12),
    ("IndicatorReport.earlier", 5),
    ("Dashboard.overdue", 50),
    ("Dashboard.missingReports", 50),
    ("Dashboard.organizations", 60),
    ("DistrictCalendar.days", 40),
    ("DistrictCalendar.entries", 40),
    ("Workflow.stages", 12),
    ("Workflow.transitions", 20),
    ("Workflow.indicators", 20),
    ("LaunchPreview.stages", 12),
    ("Project.responsibleCandidates", 40),
    ("Query.launchResponsibleCandidates", 20),
];

/// The size of a list that [`LIST_SIZES`] does not name.
const DEFAULT_LIST_SIZE: u64 = 10;

/// The page sizes of a paged field (`Type.field`): its default and its largest page, from the
/// connection's list ([`crate::types::connection::LISTS`]).
fn page_sizes(key: &str) -> Option<(u64, u64)> {
    crate::types::connection::LISTS
        .iter()
        .find(|list| list.field == key)
        .map(|list| (list.default_size, list.max_size))
}

/// The most fields the walk visits before it refuses the document as too large.
pub const MAX_VISITED: usize = 20_000;

/// What an operation was measured at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    pub cost: u64,
    pub introspection_cost: u64,
    pub depth: usize,
    pub root_fields: usize,
    pub aliases: usize,
}

/// A refusal: the Russian message and where in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    pub message: String,
    pub pos: Option<Pos>,
}

impl TooLarge {
    fn new(message: String, pos: Pos) -> Self {
        TooLarge {
            message,
            pos: Some(pos),
        }
    }

    /// The GraphQL error: code `QUERY_TOO_COMPLEX`.
    pub fn into_server_error(self) -> ServerError {
        let mut error = ServerError::new(self.message, self.pos);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", "QUERY_TOO_COMPLEX");
        error.extensions = Some(extensions);
        error
    }
}

/// List sizes of the introspection types, read off the schema: how many types and directives
/// it has, and how many fields, arguments, values … a type has on average.
#[derive(Debug, Clone)]
struct IntrospectionSizes {
    sizes: HashMap<&'static str, u64>,
}

impl IntrospectionSizes {
    fn of(registry: &Registry) -> Self {
        // Averages, not maxima: `types × fields` should come to the schema's number of fields.
        let (mut objects, mut fields_total, mut args_total) = (0, 0, 0);
        let (mut enums, mut values_total, mut inputs, mut input_fields_total) = (0, 0, 0, 0);
        let (mut abstracts, mut possible_total) = (0, 0);
        for ty in registry.types.values() {
            use async_graphql::registry::MetaType;
            match ty {
                MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => {
                    objects += 1;
                    fields_total += fields.len();
                    args_total += fields.values().map(|f| f.args.len()).sum::<usize>();
                    if let MetaType::Interface { possible_types, .. } = ty {
                        abstracts += 1;
                        possible_total += possible_types.len();
                    }
                }
                MetaType::Enum { enum_values, .. } => {
                    enums += 1;
                    values_total += enum_values.len();
                }
                MetaType::InputObject { input_fields, .. } => {
                    inputs += 1;
                    input_fields_total += input_fields.len();
                }
                MetaType::Union { possible_types, .. } => {
                    abstracts += 1;
                    possible_total += possible_types.len();
                }
                MetaType::Scalar { .. } => {}
            }
        }
        let directive_args: usize = registry.directives.values().map(|d| d.args.len()).sum();
        let average = |total: usize, count: usize| (total.div_ceil(count.max(1)) as u64).max(1);
        let sizes = HashMap::from([
            ("__Schema.types", average(registry.types.len(), 1)),
            ("__Schema.directives", average(registry.directives.len(), 1)),
            ("__Type.fields", average(fields_total, objects)),
            ("__Type.interfaces", 1),
            ("__Type.possibleTypes", average(possible_total, abstracts)),
            ("__Type.enumValues", average(values_total, enums)),
            ("__Type.inputFields", average(input_fields_total, inputs)),
            ("__Field.args", average(args_total, fields_total)),
            ("__Directive.args", average(directive_args, registry.directives.len())),
            ("__Directive.locations", 19),
        ]);
        IntrospectionSizes { sizes }
    }
}

/// Measures `operation` of `document` (the one the request names, or every one when it names
/// none) against `limits`.
pub fn measure(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    limits: &Limits,
) -> Result<Measure, TooLarge> {
    let introspection = IntrospectionSizes::of(registry);
    measure_with(registry, &introspection, document, operation_name, variables, limits)
}

fn measure_with(
    registry: &Registry,
    introspection: &IntrospectionSizes,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    limits: &Limits,
) -> Result<Measure, TooLarge> {
    let operations: Vec<&Positioned<OperationDefinition>> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => match operation_name.and_then(|name| ops.get(name)) {
            Some(op) => vec![op],
            None => ops.values().collect(),
        },
    };
    let mut most = Measure::default();
    for operation in operations {
        let root = match operation.node.ty {
            async_graphql::parser::types::OperationType::Query => Some(registry.query_type.as_str()),
            async_graphql::parser::types::OperationType::Mutation => registry.mutation_type.as_deref(),
            async_graphql::parser::types::OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let Some(root) = root else { continue };
        let mut walk = Walk {
            registry,
            introspection,
            document,
            operation: &operation.node,
            variables,
            limits,
            measure: Measure::default(),
            visited: 0,
            fragments: Vec::new(),
        };
        walk.selection_set(&operation.node.selection_set, root, 1, 1, None, false)?;
        let m = walk.measure;
        most = Measure {
            cost: most.cost.max(m.cost),
            introspection_cost: most.introspection_cost.max(m.introspection_cost),
            depth: most.depth.max(m.depth),
            root_fields: most.root_fields.max(m.root_fields),
            aliases: most.aliases.max(m.aliases),
        };
    }
    Ok(most)
}

/// The walk over one operation.
struct Walk<'a> {
    registry: &'a Registry,
    introspection: &'a IntrospectionSizes,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    limits: &'a Limits,
    measure: Measure,
    visited: usize,
    /// The fragments being expanded (a cycle is skipped: validation reports it).
    fragments: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    /// Adds the fields of `set` on `parent`, each resolved `times` times, at `depth`; `page`
    /// is the `first`/`last` of the paged field `set` belongs to.
    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        parent: &str,
        times: u64,
        depth: usize,
        page: Option<u64>,
        in_introspection: bool,
    ) -> Result<(), TooLarge> {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => self.field(field, parent, times, depth, page, in_introspection)?,
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    if self.fragments.contains(&name) {
                        continue;
                    }
                    self.fragments.push(name);
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    let result =
                        self.selection_set(&fragment.node.selection_set, on, times, depth, page, in_introspection);
                    self.fragments.pop();
                    result?;
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |c| c.node.on.node.as_str())
                        .to_owned();
                    self.selection_set(&inline.node.selection_set, &on, times, depth, page, in_introspection)?;
                }
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        field: &'a Positioned<async_graphql::parser::types::Field>,
        parent: &str,
        times: u64,
        depth: usize,
        page: Option<u64>,
        in_introspection: bool,
    ) -> Result<(), TooLarge> {
        let pos = field.pos;
        let field = &field.node;
        let name = field.name.node.as_str();
        if name == "__typename" {
            return Ok(());
        }
        self.visited += 1;
        if self.visited > MAX_VISITED {
            return Err(TooLarge::new(
                format!(
                    "Запрос слишком большой: в нём больше {MAX_VISITED} полей (с учётом фрагментов). Разбейте его на несколько запросов."
                ),
                pos,
            ));
        }
        if depth == 1 {
            self.measure.root_fields += 1;
            if self.measure.root_fields > self.limits.max_root_fields {
                return Err(TooLarge::new(
                    format!(
                        "В запросе больше {} полей верхнего уровня. Разбейте его на несколько запросов.",
                        self.limits.max_root_fields
                    ),
                    pos,
                ));
            }
        }
        if field.alias.as_ref().is_some_and(|alias| alias.node != field.name.node) {
            self.measure.aliases += 1;
            if self.measure.aliases > self.limits.max_aliases {
                return Err(TooLarge::new(
                    format!(
                        "В запросе больше {} псевдонимов (alias). Запросите одно и то же поле меньше раз или разбейте запрос на несколько.",
                        self.limits.max_aliases
                    ),
                    pos,
                ));
            }
        }
        let introspection = in_introspection || name.starts_with("__");
        if !introspection {
            self.measure.depth = self.measure.depth.max(depth);
            if depth > self.limits.max_depth {
                return Err(TooLarge::new(
                    format!(
                        "Запрос вложен слишком глубоко: больше {} уровней. Запросите вложенные данные отдельным запросом.",
                        self.limits.max_depth
                    ),
                    pos,
                ));
            }
        }

        let key = format!("{parent}.{name}");
        let meta = self.registry.types.get(parent).and_then(|t| t.field_by_name(name));
        let (child, is_list) = match meta {
            Some(meta) => (
                MetaTypeName::concrete_typename(&meta.ty).to_owned(),
                meta.ty.contains('['),
            ),
            None => (String::new(), false),
        };
        let requested = page_sizes(&key).and_then(|sizes| self.page_argument(field, sizes));
        let size = if !is_list {
            1
        } else if let Some(n) = requested {
            n
        } else if let (Some(n), "edges" | "nodes") = (page, name) {
            n
        } else if introspection {
            self.introspection
                .sizes
                .get(key.as_str())
                .copied()
                .unwrap_or(DEFAULT_LIST_SIZE)
        } else {
            LIST_SIZES
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(DEFAULT_LIST_SIZE, |(_, n)| *n)
        };
        let weight = 1 + WEIGHTS.iter().find(|(k, _)| *k == key).map_or(0, |(_, w)| *w);
        let added = times.saturating_mul(weight);
        if introspection {
            self.measure.introspection_cost = self.measure.introspection_cost.saturating_add(added);
            if self.measure.introspection_cost > self.limits.max_introspection_cost {
                return Err(TooLarge::new(
                    format!(
                        "Запрос к описанию схемы (__schema, __type) слишком большой: его оценка больше {}. Запросите схему один раз, без псевдонимов.",
                        spaced(self.limits.max_introspection_cost)
                    ),
                    pos,
                ));
            }
        } else {
            self.measure.cost = self.measure.cost.saturating_add(added);
            if self.measure.cost > self.limits.max_cost {
                return Err(TooLarge::new(
                    format!(
                        "Запрос слишком большой: его оценка больше {} (примерно столько значений в ответе). Запросите меньше записей (first) или меньше полей за раз.",
                        spaced(self.limits.max_cost)
                    ),
                    pos,
                ));
            }
        }
        if !field.selection_set.node.items.is_empty() {
            let child_page = requested.filter(|_| !is_list);
            self.selection_set(
                &field.selection_set,
                &child,
                times.saturating_mul(size),
                depth + 1,
                child_page,
                introspection,
            )?;
        }
        Ok(())
    }

    /// The `first` or `last` a paged field is asked for (the literal, the variable's value
    /// or the variable's default), else its default page; clamped to its largest page (a
    /// larger one is refused by the resolver, with its message).
    fn page_argument(&self, field: &async_graphql::parser::types::Field, (default, max): (u64, u64)) -> Option<u64> {
        let number = field
            .arguments
            .iter()
            .filter(|(arg, _)| matches!(arg.node.as_str(), "first" | "last"))
            .filter_map(|(_, value)| {
                value
                    .node
                    .clone()
                    .into_const_with(|variable| self.variable(&variable).ok_or(()))
                    .ok()
                    .and_then(|v| number_of(&v))
            })
            .max();
        Some(number.unwrap_or(default).min(max))
    }

    /// A variable's value: as given, else its default in the operation.
    fn variable(&self, name: &Name) -> Option<Value> {
        if let Some(value) = self.variables.get(name) {
            return Some(value.clone());
        }
        let definition = self
            .operation
            .variable_definitions
            .iter()
            .find(|d| d.node.name.node == *name)?;
        Some(definition.node.default_value.as_ref()?.node.clone())
    }
}

fn number_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => Some(n.as_u64().unwrap_or(0)),
        _ => None,
    }
}

/// `50000` as «50 000».
fn spaced(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// The extension that applies [`Limits`] to every operation of the schema.
pub struct CostLimits {
    limits: Limits,
    introspection: Arc<OnceLock<IntrospectionSizes>>,
}

impl CostLimits {
    pub fn new(limits: Limits) -> Self {
        CostLimits {
            limits,
            introspection: Arc::new(OnceLock::new()),
        }
    }
}

impl ExtensionFactory for CostLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostLimitsExtension {
            limits: self.limits,
            introspection: self.introspection.clone(),
            operation_name: Mutex::new(None),
        })
    }
}

struct CostLimitsExtension {
    limits: Limits,
    introspection: Arc<OnceLock<IntrospectionSizes>>,
    operation_name: Mutex<Option<String>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for CostLimitsExtension {
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
        let registry = &ctx.schema_env.registry;
        let introspection = self.introspection.get_or_init(|| IntrospectionSizes::of(registry));
        let name = self.operation_name.lock().ok().and_then(|n| n.clone());
        let measured = measure_with(
            registry,
            introspection,
            &document,
            name.as_deref(),
            variables,
            &self.limits,
        );
        match measured {
            Ok(_) => Ok(document),
            Err(too_large) => Err(too_large.into_server_error()),
        }
    }
}

/// The extension that refuses introspection (`__schema`, `__type`) to callers who have not
/// signed in, when the server is configured so (`anonymous: false`), with `UNAUTHENTICATED`:
/// async-graphql's own switch would answer `null` without saying why. `__typename` stays.
pub struct IntrospectionPolicy {
    /// Whether anonymous callers may read the schema.
    pub anonymous: bool,
}

impl ExtensionFactory for IntrospectionPolicy {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(IntrospectionPolicyExtension {
            anonymous: self.anonymous,
        })
    }
}

struct IntrospectionPolicyExtension {
    anonymous: bool,
}

#[async_graphql::async_trait::async_trait]
impl Extension for IntrospectionPolicyExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if self.anonymous {
            return Ok(document);
        }
        let signed_in = ctx.data_opt::<crate::Auth>().is_some_and(|auth| auth.actor.is_some());
        if signed_in {
            return Ok(document);
        }
        match introspection_field(&document) {
            Some(pos) => {
                let mut error = ServerError::new(
                    "Описание схемы (__schema, __type) доступно только после входа: передайте токен в заголовке Authorization.",
                    Some(pos),
                );
                let mut extensions = ErrorExtensionValues::default();
                extensions.set("code", "UNAUTHENTICATED");
                error.extensions = Some(extensions);
                Err(error)
            }
            None => Ok(document),
        }
    }
}

/// Where the first `__schema` or `__type` of `document` is (they are fields of the query
/// root only, so the root selections and the fragments spread there are enough to look at).
fn introspection_field(document: &ExecutableDocument) -> Option<Pos> {
    fn find(document: &ExecutableDocument, set: &SelectionSet, seen: &mut Vec<String>) -> Option<Pos> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name == "__schema" || name == "__type" {
                        return Some(field.pos);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name.clone());
                    if let Some(fragment) = document.fragments.get(name.as_str())
                        && let Some(pos) = find(document, &fragment.node.selection_set.node, seen)
                    {
                        return Some(pos);
                    }
                }
                Selection::InlineFragment(inline) => {
                    if let Some(pos) = find(document, &inline.node.selection_set.node, seen) {
                        return Some(pos);
                    }
                }
            }
        }
        None
    }
    document
        .operations
        .iter()
        .find_map(|(_, op)| find(document, &op.node.selection_set.node, &mut Vec::new()))
}

#[cfg(test)]
mod tests;
