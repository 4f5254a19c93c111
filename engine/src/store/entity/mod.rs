//! sea-orm entities, one module per table, mirroring the schema built by the `migrations`
//! crate. They never leave `engine`: services convert them into domain values.

pub mod checklist_marks;
pub mod districts;
// Corrections of indicator reports and the notification outbox are stored by the reporting
// and reminder services; the tables exist from the start so later work adds columns, not tables.
#[allow(dead_code)]
pub mod indicator_report_revisions;
pub mod indicator_reports;
#[allow(dead_code)]
pub mod notifications;
pub mod organizations;
pub mod project_events;
pub mod project_participants;
pub mod projects;
pub mod sessions;
pub mod stage_plans;
pub mod users;
pub mod workflow_versions;
