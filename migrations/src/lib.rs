//! Database schema of the project office, as an ordered list of sea-orm migrations.
//!
//! One change per file, named `mYYYYMMDD_HHMMSS_<verb>_<object>.rs`, each with `up` and
//! `down`, written with its own `DeriveIden` enums (never generated from the engine's
//! entities) so that a landed migration keeps meaning the same thing forever. A landed
//! migration is never edited: a change to the schema is a new file appended to
//! [`Migrator::migrations`].
//!
//! Every migration runs on both SQLite and PostgreSQL. Primary keys are 64-bit
//! auto-increment (`INTEGER PRIMARY KEY AUTOINCREMENT` on SQLite, `bigserial` on PostgreSQL),
//! timestamps are `timestamp with time zone`, dates are `date`, JSON documents are `text`.
//! Rows that belong to a project (participants, stage plans, checklist marks, events,
//! indicator reports and their revisions) are deleted with it (`ON DELETE CASCADE`); every
//! other foreign key is `ON DELETE RESTRICT`, except a notification's project, which is set
//! to `NULL`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_districts;
mod m20261122_000002_create_organizations;
mod m20261122_000003_create_users;
mod m20261122_000004_create_workflow_versions;
mod m20261122_000005_create_projects;
mod m20261122_000006_create_project_participants;
mod m20261122_000007_create_stage_plans;
mod m20261122_000008_create_checklist_marks;
mod m20261122_000009_create_project_events;
mod m20261122_000010_create_indicator_reports;
mod m20261122_000011_create_indicator_report_revisions;
mod m20261122_000012_create_notifications;
mod m20261122_000013_create_sessions;
mod m20261203_000014_create_regions;
mod m20261203_000015_add_region_to_districts;
mod m20261203_000016_create_calendar_days;
mod m20261203_000017_add_annual_cycle_to_projects;
mod m20261203_000018_create_calendar_releases;
mod m20261204_000019_add_responsibles;
mod m20261204_000020_create_substitutions;
mod m20261204_000021_add_comment_to_checklist_marks;
mod m20261204_000022_add_search_text_to_projects;
mod m20261205_000023_add_responsible_to_checklist_marks;
mod m20261205_000024_add_part_to_project_participants;
mod m20261205_000025_add_search_text_to_users;
mod m20261205_000026_create_password_links;
mod m20261205_000027_create_user_events;
mod m20261205_000028_add_phone_and_archive_to_organizations;

/// Applies, lists and rolls back the project office's migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_districts::Migration),
            Box::new(m20261122_000002_create_organizations::Migration),
            Box::new(m20261122_000003_create_users::Migration),
            Box::new(m20261122_000004_create_workflow_versions::Migration),
            Box::new(m20261122_000005_create_projects::Migration),
            Box::new(m20261122_000006_create_project_participants::Migration),
            Box::new(m20261122_000007_create_stage_plans::Migration),
            Box::new(m20261122_000008_create_checklist_marks::Migration),
            Box::new(m20261122_000009_create_project_events::Migration),
            Box::new(m20261122_000010_create_indicator_reports::Migration),
            Box::new(m20261122_000011_create_indicator_report_revisions::Migration),
            Box::new(m20261122_000012_create_notifications::Migration),
            Box::new(m20261122_000013_create_sessions::Migration),
            Box::new(m20261203_000014_create_regions::Migration),
            Box::new(m20261203_000015_add_region_to_districts::Migration),
            Box::new(m20261203_000016_create_calendar_days::Migration),
            Box::new(m20261203_000017_add_annual_cycle_to_projects::Migration),
            Box::new(m20261203_000018_create_calendar_releases::Migration),
            Box::new(m20261204_000019_add_responsibles::Migration),
            Box::new(m20261204_000020_create_substitutions::Migration),
            Box::new(m20261204_000021_add_comment_to_checklist_marks::Migration),
            Box::new(m20261204_000022_add_search_text_to_projects::Migration),
            Box::new(m20261205_000023_add_responsible_to_checklist_marks::Migration),
            Box::new(m20261205_000024_add_part_to_project_participants::Migration),
            Box::new(m20261205_000025_add_search_text_to_users::Migration),
            Box::new(m20261205_000026_create_password_links::Migration),
            Box::new(m20261205_000027_create_user_events::Migration),
            Box::new(m20261205_000028_add_phone_and_archive_to_organizations::Migration),
        ]
    }
}
