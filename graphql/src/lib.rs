//! The GraphQL API and HTTP server (async-graphql on axum) over the engine's services.
//!
//! Resolvers are thin: authenticate (the [`Auth`] put into every request by the HTTP layer),
//! convert input, call one engine service, map the result. Authorization is the engine's:
//! every service checks the acting user's role and scope. Engine errors become GraphQL errors
//! with a stable `extensions.code` and a Russian message ([`error`]); internal details go to
//! the log only. This crate never talks SQL.

pub mod clean;
pub mod context;
pub mod error;
pub mod export;
pub mod http;
mod inputs;
pub mod limits;
mod loaders;
pub mod messages;
pub mod metrics;
mod migration;
mod mutation;
pub mod propagation;
mod query;
pub mod schema;
pub mod server;
mod subscription;
mod substitutions;
pub mod types;
pub mod web;

use std::sync::Arc;

pub use context::Auth;
pub use schema::{AppSchema, ReminderRuntime, build_schema};
pub use server::ServerConfig;

/// Everything a request handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub engine: engine::Engine,
    pub schema: AppSchema,
    pub metrics: Arc<metrics::Metrics>,
    /// The mail transport and its settings, for the letters sent outside GraphQL (the
    /// invitations of an import).
    pub mail: Option<Arc<schema::ReminderRuntime>>,
    limits: ServerConfig,
}

impl AppState {
    pub fn new(engine: engine::Engine, limits: &ServerConfig) -> Self {
        let schema = build_schema(engine.clone(), limits, None);
        AppState {
            engine,
            schema,
            metrics: Arc::new(metrics::Metrics::default()),
            mail: None,
            limits: limits.clone(),
        }
    }

    /// Lets administrators run reminders from the API (`runReminders`) with this transport.
    pub fn with_reminders(
        mut self,
        mailer: engine::mail::transport::Mailer,
        settings: engine::reminders::DeliverySettings,
    ) -> Self {
        let runtime = schema::ReminderRuntime { mailer, settings };
        self.mail = Some(Arc::new(runtime.clone()));
        self.schema = build_schema(self.engine.clone(), &self.limits, Some(runtime));
        self
    }
}
