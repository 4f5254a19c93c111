//! sea-orm entities, one module per table, mirroring the schema built by the `migrations`
//! crate. They never leave `engine`: services convert them into domain values.

pub mod calendar_days;
pub mod calendar_releases;
pub mod checklist_marks;
pub mod districts;
pub mod indicator_report_revisions;
pub mod indicator_reports;
pub mod link_requests;
pub mod notifications;
pub mod organizations;
pub mod password_links;
pub mod project_events;
pub mod project_participants;
pub mod projects;
pub mod regions;
pub mod sessions;
pub mod stage_plans;
pub mod substitutions;
pub mod user_events;
pub mod users;
pub mod workflow_versions;
