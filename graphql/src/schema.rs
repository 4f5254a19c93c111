//! The schema: queries, mutations and the subscription, with limits.

use async_graphql::Schema;

pub use crate::mutation::Mutation;
pub use crate::query::Query;
pub use crate::subscription::Subscription;

use crate::server::ServerConfig;

/// The schema served at `/graphql`.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// What `runReminders` sends with.
#[derive(Clone)]
pub struct ReminderRuntime {
    pub mailer: engine::mail::transport::Mailer,
    pub settings: engine::reminders::DeliverySettings,
}

/// Builds the schema over an engine, with the operation limits of `config.limits`
/// ([`crate::limits`]), its introspection policy, and inputs checked for invisible characters
/// and length ([`crate::clean`]), and `data: null` when a non-null root field fails
/// ([`crate::propagation`]).
/// Tracing is one span per operation, made by the HTTP layer (`crate::http`); a span per
/// resolved field (async-graphql's `Tracing` extension) would cost more than it tells.
pub fn build_schema(engine: engine::Engine, config: &ServerConfig, reminders: Option<ReminderRuntime>) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .extension(crate::limits::CostLimits::new(config.limits))
        .extension(crate::clean::CleanInputs)
        .extension(crate::propagation::RootNullPropagation)
        .extension(crate::limits::IntrospectionPolicy {
            anonymous: config.anonymous_introspection,
        })
        .data(engine);
    if let Some(runtime) = reminders {
        builder = builder.data(runtime);
    }
    builder.finish()
}

/// The schema in SDL, as committed in `graphql/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .finish()
        .sdl()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every field an engine validation error can name is an input field or an argument of the
    /// API, so `extensions.field` always points at something the caller sent.
    #[test]
    fn validation_errors_name_real_input_fields() {
        let sdl = super::sdl();
        let mut names = std::collections::HashSet::new();
        let mut in_input = false;
        for line in sdl.lines() {
            if line.starts_with("input ") {
                in_input = true;
            } else if line.starts_with('}') {
                in_input = false;
            }
            let trimmed = line.trim_start();
            let is_argument = line.starts_with("\t\t");
            if (in_input || is_argument)
                && let Some((name, _)) = trimmed.split_once(':')
                && name.chars().all(|c| c.is_ascii_alphanumeric())
            {
                names.insert(name.to_string());
            }
            for part in line.split(['(', ',']).skip(1) {
                if let Some((name, _)) = part.trim().split_once(':') {
                    names.insert(name.trim().to_string());
                }
            }
        }
        for field in engine::error::Field::examples() {
            let name = field.name();
            let first = name.split('.').next().unwrap_or_default();
            assert!(
                names.contains(first),
                "engine errors name `{name}`, which no input or argument of the schema has"
            );
        }
    }

    /// Every description a client can read is Russian: each of our types, fields, arguments,
    /// input fields and enum values has one, with at least one Cyrillic letter. Skipped: the
    /// introspection types (`__…`), the spec's scalars, and the built-in directives
    /// (`@include`, `@skip`, `@deprecated`, `@specifiedBy`, `@oneOf`) — the GraphQL spec and
    /// async-graphql define and describe those, not us. A directive of our own is checked.
    #[tokio::test]
    async fn every_type_field_argument_and_value_has_a_russian_description() {
        const SPEC_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];
        const BUILT_IN_DIRECTIVES: [&str; 5] = ["include", "skip", "deprecated", "specifiedBy", "oneOf"];
        const INTROSPECTION: &str = r#"{ __schema {
            types {
                name description
                fields(includeDeprecated: true) { name description args { name description } }
                inputFields { name description }
                enumValues(includeDeprecated: true) { name description }
            }
            directives { name description args { name description } }
        } }"#;

        let schema =
            async_graphql::Schema::build(super::Query::default(), super::Mutation::default(), super::Subscription)
                .finish();
        let response = schema.execute(INTROSPECTION).await;
        assert!(
            response.errors.is_empty(),
            "introspection failed: {:?}",
            response.errors
        );
        let data = response.data.into_json().expect("introspection result as JSON");
        let schema = &data["__schema"];

        let mut offenders = Vec::new();
        let mut check = |what: String, item: &serde_json::Value| {
            let description = item["description"].as_str().unwrap_or_default().trim();
            if description.is_empty() {
                offenders.push(format!("{what}: no description"));
            } else if !description
                .chars()
                .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
            {
                offenders.push(format!("{what}: not Russian: «{description}»"));
            }
        };
        let list = |value: &serde_json::Value| value.as_array().cloned().unwrap_or_default();
        let name = |value: &serde_json::Value| value["name"].as_str().unwrap_or_default().to_string();

        let types = list(&schema["types"]);
        assert!(types.len() > 50, "introspection listed only {} types", types.len());
        for ty in &types {
            let type_name = name(ty);
            if type_name.starts_with("__") || SPEC_SCALARS.contains(&type_name.as_str()) {
                continue;
            }
            check(type_name.clone(), ty);
            for field in list(&ty["fields"]) {
                let field_name = name(&field);
                check(format!("{type_name}.{field_name}"), &field);
                for arg in list(&field["args"]) {
                    check(format!("{type_name}.{field_name}({}:)", name(&arg)), &arg);
                }
            }
            for field in list(&ty["inputFields"]) {
                check(format!("{type_name}.{}", name(&field)), &field);
            }
            for value in list(&ty["enumValues"]) {
                check(format!("{type_name}.{}", name(&value)), &value);
            }
        }
        for directive in list(&schema["directives"]) {
            let directive_name = name(&directive);
            if BUILT_IN_DIRECTIVES.contains(&directive_name.as_str()) {
                continue;
            }
            check(format!("@{directive_name}"), &directive);
            for arg in list(&directive["args"]) {
                check(format!("@{directive_name}({}:)", name(&arg)), &arg);
            }
        }

        assert!(
            offenders.is_empty(),
            "{} descriptions are missing or not Russian (write a `///` doc comment, or \
             `#[graphql(desc = \"…\")]` on an argument):\n  {}",
            offenders.len(),
            offenders.join("\n  ")
        );
    }

    /// The committed SDL is the API's contract in review: it must match the code.
    #[test]
    fn the_committed_schema_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
        let current = super::sdl();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &current).expect("write graphql/schema.graphql");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == current,
            "graphql/schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test -p project-office-graphql the_committed_schema_is_current` and commit the file"
        );
    }
}
