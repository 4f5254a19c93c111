//! Queries, one module per area, merged into [`Query`].

mod calendar;
mod directory;
mod indicators;
mod node;
mod notifications;
mod projects;
mod workflows;

use async_graphql::MergedObject;

/// Чтение данных.
#[derive(MergedObject, Default)]
pub struct Query(
    directory::DirectoryQuery,
    workflows::WorkflowQuery,
    projects::ProjectQuery,
    indicators::IndicatorQuery,
    notifications::NotificationQuery,
    calendar::CalendarQuery,
    node::NodeQuery,
    crate::substitutions::SubstitutionQuery,
    crate::migration::MigrationQuery,
);
