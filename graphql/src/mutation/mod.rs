//! Mutations, one module per area, merged into [`Mutation`].

mod auth;
mod calendar;
mod directory;
mod indicators;
mod projects;
mod reminders;

use async_graphql::MergedObject;

/// Изменение данных.
#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    directory::DirectoryMutation,
    projects::ProjectMutation,
    indicators::IndicatorMutation,
    reminders::ReminderMutation,
    calendar::CalendarMutation,
    crate::substitutions::SubstitutionMutation,
    crate::migration::MigrationMutation,
);
