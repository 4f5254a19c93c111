//! Reminders (DESIGN.md "Reminders"): plan what is due, write it to the outbox once, deliver
//! the outbox as one digest email per recipient.
//!
//! [`Engine::plan_and_enqueue`] and [`Engine::deliver_pending`] take `now` from the caller,
//! so tests drive them with any clock and the scheduler only decides when to call them.
//! Exactly-once comes from the database, not from memory: a reminder's dedupe key is unique
//! in `notifications`, so a second tick, a restart or a second replica inserts nothing new;
//! delivery claims rows with a token and a lease in one conditional `UPDATE` (with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL), so two replicas never send the same row, and a
//! replica that dies mid-send leaves rows another takes over when the lease ends.

pub mod item;
mod outbox;
pub mod plan;
pub mod scheduler;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub use item::{ReminderItem, ReminderKind};
pub use outbox::{DeliveryReport, DeliverySettings, Notification, NotificationFilter};
use plan::{ProjectState, Recipient, plan_project};

use crate::auth::Role;
use crate::error::Result;
use crate::model::{Project, ProjectStatus};
use crate::service::Engine;
use crate::service::dashboard::owed_period;
use crate::store::convert;
use crate::store::entity::{projects, users};

impl Engine {
    /// Every reminder due at `now`, across all districts (no database writes).
    #[tracing::instrument(skip(self), err)]
    pub async fn plan_reminders(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<ReminderItem>> {
        let rows = projects::Entity::find()
            .filter(projects::Column::Status.eq(ProjectStatus::Active.as_str()))
            .all(self.db())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut participants = self.participants_of(&ids).await?;
        let plans = self.stage_plans_of(&ids).await?;
        let reports = self.reports_of(&ids).await?;
        let versions = self
            .workflow_versions_by_ids(&crate::service::unique_ids(rows.iter().map(|r| r.workflow_version_id)))
            .await?;
        let districts = self
            .districts_by_ids(&crate::service::unique_ids(rows.iter().map(|r| r.district_id)))
            .await?;
        let projects: Vec<Project> = rows
            .into_iter()
            .map(|row| {
                let p = participants.remove(&row.id).unwrap_or_default();
                convert::project(row, p)
            })
            .collect::<Result<_>>()?;
        let organizations = self
            .organizations_by_ids(&crate::service::unique_ids(
                projects.iter().flat_map(|p| p.participants.iter().copied()),
            ))
            .await?;
        let organization_names: HashMap<i64, String> = organizations.into_iter().map(|(id, o)| (id, o.name)).collect();
        let recipients: Vec<Recipient> = users::Entity::find()
            .filter(users::Column::Active.eq(true))
            .filter(users::Column::Role.is_in([Role::Coordinator.as_str(), Role::Director.as_str()]))
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(|u| {
                Some(Recipient {
                    role: Role::parse(&u.role)?,
                    user_id: u.id,
                    email: u.email,
                    name: u.full_name,
                    district_id: u.district_id,
                    organization_id: u.organization_id,
                })
            })
            .collect();

        let no_plans = Vec::new();
        let no_reports = Vec::new();
        let mut items = Vec::new();
        for project in &projects {
            let (Some(version), Some(district)) = (
                versions.get(&project.workflow_version_id),
                districts.get(&project.district_id),
            ) else {
                continue;
            };
            let today = now.with_timezone(&district.time_zone).date_naive();
            let plans = plans.get(&project.id).unwrap_or(&no_plans);
            let mut owed = Vec::new();
            for indicator in version.definition.indicators() {
                let Some(start) = plans.iter().find(|p| p.stage_key == indicator.starts_at_stage) else {
                    continue;
                };
                if let Some((period, deadline)) =
                    owed_period(indicator, start, district.time_zone, today, self.calendar())?
                {
                    owed.push((indicator.key.clone(), period, deadline));
                }
            }
            let state = ProjectState {
                project,
                definition: &version.definition,
                district_name: &district.name,
                today,
                plans,
                reports: reports.get(&project.id).unwrap_or(&no_reports),
                owed,
                organization_names: &organization_names,
            };
            items.extend(plan_project(&state, &recipients));
        }
        Ok(items)
    }
}
