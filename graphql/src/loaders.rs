//! Batch loaders: what a list of projects shows (stage plans, checklists, history,
//! participants, districts, workflows, people's names, health) loads in one statement per
//! kind, whatever the page size.
//!
//! The loaders belong to one caller: [`Loaders::new`] makes them when a request (or a
//! websocket connection) is authenticated, and each calls the engine's scoped batch reads
//! with that caller, so what a loader returns is what the policy lets the caller read
//! ([`engine::access`]) — however a resolver was reached. They keep no cache.

use std::collections::HashMap;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use engine::model::{
    ChecklistMark, District, IndicatorProgress, Organization, ProjectEvent, ProjectHealth, StagePlan, WorkflowVersion,
};
use engine::{Actor, Engine};

use crate::error::to_graphql;

macro_rules! loader {
    ($(#[$doc:meta])* $name:ident, $value:ty, |$engine:ident, $actor:ident, $keys:ident| $call:expr) => {
        $(#[$doc])*
        pub struct $name {
            engine: Engine,
            actor: Actor,
        }

        impl Loader<i64> for $name {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, $keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
                let ($engine, $actor) = (&self.engine, &self.actor);
                $call.await.map_err(to_graphql)
            }
        }
    };
}

loader!(
    /// Stage plans by project id.
    StagePlanLoader, Vec<StagePlan>, |engine, actor, keys| engine.stage_plans(actor, keys)
);
loader!(
    /// Checklist marks by project id.
    ChecklistLoader, Vec<ChecklistMark>, |engine, actor, keys| engine.checklists(actor, keys)
);
loader!(
    /// History by project id.
    HistoryLoader, Vec<ProjectEvent>, |engine, actor, keys| engine.histories(actor, keys)
);
loader!(
    /// Organizations by id.
    OrganizationLoader, Organization, |engine, actor, keys| engine.organizations_by_id(actor, keys)
);
loader!(
    /// Districts by id.
    DistrictLoader, District, |engine, actor, keys| engine.districts_by_id(actor, keys)
);
loader!(
    /// Workflow versions by id (every signed-in user may read workflows).
    WorkflowLoader, WorkflowVersion, |engine, _actor, keys| engine.workflow_versions_by_ids(keys)
);
loader!(
    /// People's full names by user id.
    UserNameLoader, String, |engine, _actor, keys| engine.user_names_by_ids(keys)
);
loader!(
    /// Health and indicator progress by project id (progress of the organizations whose
    /// values the caller may see).
    HealthLoader, (ProjectHealth, Vec<IndicatorProgress>), |engine, actor, keys| engine.health_of(actor, keys)
);

loader!(
    /// District calendars by district id (for the due dates of tasks).
    CalendarLoader, std::sync::Arc<engine::calendar::Calendar>, |engine, actor, keys| engine.calendars_by_district_ids(actor, keys)
);

/// One caller's loaders.
pub struct Loaders {
    pub stage_plans: DataLoader<StagePlanLoader>,
    pub checklists: DataLoader<ChecklistLoader>,
    pub history: DataLoader<HistoryLoader>,
    pub organizations: DataLoader<OrganizationLoader>,
    pub districts: DataLoader<DistrictLoader>,
    pub workflows: DataLoader<WorkflowLoader>,
    pub user_names: DataLoader<UserNameLoader>,
    pub health: DataLoader<HealthLoader>,
    pub calendars: DataLoader<CalendarLoader>,
}

impl Loaders {
    pub fn new(engine: &Engine, actor: &Actor) -> Loaders {
        macro_rules! make {
            ($name:ident) => {
                DataLoader::new(
                    $name {
                        engine: engine.clone(),
                        actor: actor.clone(),
                    },
                    tokio::spawn,
                )
            };
        }
        Loaders {
            stage_plans: make!(StagePlanLoader),
            checklists: make!(ChecklistLoader),
            history: make!(HistoryLoader),
            organizations: make!(OrganizationLoader),
            districts: make!(DistrictLoader),
            workflows: make!(WorkflowLoader),
            user_names: make!(UserNameLoader),
            health: make!(HealthLoader),
            calendars: make!(CalendarLoader),
        }
    }
}

/// The caller's loaders, or an `UNAUTHENTICATED` error for an anonymous request.
pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    crate::context::actor(ctx)?;
    ctx.data_opt::<crate::context::Auth>()
        .and_then(|auth| auth.loaders.as_deref())
        .ok_or_else(|| crate::error::unauthenticated(None))
}
