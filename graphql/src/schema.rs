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

/// Builds the schema over an engine, with depth and complexity limits from `config`.
/// Tracing is one span per operation, made by the HTTP layer (`crate::http`); a span per
/// resolved field (async-graphql's `Tracing` extension) would cost more than it tells.
pub fn build_schema(engine: engine::Engine, config: &ServerConfig, reminders: Option<ReminderRuntime>) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
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
