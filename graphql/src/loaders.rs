//! Batch loaders: what a list of projects shows (stage plans, checklists, history,
//! participants, districts, workflows, people's names) loads in one statement per kind,
//! whatever the page size. The loaders keep no cache, so they live in the schema and batch
//! whatever is asked for within a millisecond; they do not check scope — they are reached
//! only through objects the engine already let the caller read.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use engine::Engine;
use engine::model::{
    ChecklistMark, District, IndicatorProgress, Organization, ProjectEvent, ProjectHealth, StagePlan, WorkflowVersion,
};

use crate::error::to_graphql;

macro_rules! loader {
    ($(#[$doc:meta])* $name:ident, $value:ty, $method:ident) => {
        $(#[$doc])*
        pub struct $name(pub Engine);

        impl Loader<i64> for $name {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
                self.0.$method(keys).await.map_err(to_graphql)
            }
        }
    };
}

loader!(
    /// Stage plans by project id.
    StagePlanLoader, Vec<StagePlan>, stage_plans_of
);
loader!(
    /// Checklist marks by project id.
    ChecklistLoader, Vec<ChecklistMark>, checklists_of
);
loader!(
    /// History by project id.
    HistoryLoader, Vec<ProjectEvent>, histories_of
);
loader!(
    /// Organizations by id.
    OrganizationLoader, Organization, organizations_by_ids
);
loader!(
    /// Districts by id.
    DistrictLoader, District, districts_by_ids
);
loader!(
    /// Workflow versions by id.
    WorkflowLoader, WorkflowVersion, workflow_versions_by_ids
);
loader!(
    /// People's full names by user id.
    UserNameLoader, String, user_names_by_ids
);

loader!(
    /// Health and indicator progress by project id.
    HealthLoader, (ProjectHealth, Vec<IndicatorProgress>), health_of
);

/// Adds every loader to a schema under construction.
pub fn register<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
    engine: &Engine,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    builder
        .data(DataLoader::new(StagePlanLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(ChecklistLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(HistoryLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(OrganizationLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(DistrictLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(WorkflowLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(UserNameLoader(engine.clone()), tokio::spawn))
        .data(DataLoader::new(HealthLoader(engine.clone()), tokio::spawn))
}
