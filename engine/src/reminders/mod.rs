//! Reminders (DESIGN.md "Reminders"): plan what is due, write it to the outbox once, deliver
//! the outbox as one digest email per recipient.
//!
//! [`Engine::run_reminders`] is the one run — plan, enqueue, deliver, or only plan for a dry
//! run — that the command line, the API and the scheduler share. It and the steps under it
//! ([`Engine::plan_and_enqueue`], [`Engine::deliver_pending`]) take `now` from the caller,
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

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub use item::{ReminderItem, ReminderKind};
pub use outbox::{
    DeliveryReport, DeliverySettings, MAX_NOTIFICATION_PAGE, Notification, NotificationFilter, NotificationStatus,
};
use plan::{ProjectState, Recipient, Recipients, Substitutes, plan_project, with_substitutes};

use crate::auth::Role;
use crate::error::Result;
use crate::model::ProjectStatus;
use crate::period::owed_period;
use crate::service::Engine;
use crate::store::entity::{indicator_reports, projects, users};

/// How a run of reminders ends.
#[derive(Debug, Clone, Copy)]
pub enum ReminderMode<'a> {
    /// Plan only: write and send nothing, return what would be sent.
    DryRun,
    /// Plan, enqueue, and deliver the outbox with this mailer.
    Send {
        mailer: &'a crate::mail::transport::Mailer,
        settings: &'a DeliverySettings,
    },
}

/// What one run of reminders did.
#[derive(Debug, Clone, Default)]
pub struct ReminderRun {
    /// Reminders due now.
    pub planned: usize,
    /// Of them, new in the outbox (the others were there already).
    pub queued: usize,
    pub delivery: DeliveryReport,
    /// A dry run's reminders (empty otherwise).
    pub would_send: Vec<ReminderItem>,
}

impl Engine {
    /// One run of reminders at `now`: for the command line, `runReminders` and each tick of
    /// the scheduler. A failed planning does not stop the delivery of what is already queued
    /// (retries go on); its error is returned after it.
    #[tracing::instrument(skip(self, mode), err)]
    pub async fn run_reminders(
        &self,
        actor: &crate::Actor,
        now: chrono::DateTime<chrono::Utc>,
        mode: ReminderMode<'_>,
    ) -> Result<ReminderRun> {
        actor.scope().require(
            crate::access::Operation::RunReminders,
            crate::access::Target::Everything,
        )?;
        let (mailer, settings) = match mode {
            ReminderMode::DryRun => {
                let items = self.plan_reminders(now).await?;
                return Ok(ReminderRun {
                    planned: items.len(),
                    would_send: items,
                    ..Default::default()
                });
            }
            ReminderMode::Send { mailer, settings } => (mailer, settings),
        };
        let enqueued = self.plan_and_enqueue(now).await;
        let delivery = self.deliver_pending(now, mailer, settings).await;
        let (planned, queued) = enqueued?;
        Ok(ReminderRun {
            planned,
            queued,
            delivery: delivery?,
            would_send: Vec::new(),
        })
    }
}

/// Active projects planned per batch: bounds the memory of a pass and the size of the
/// `IN (…)` lists, whatever the number of projects.
const BATCH: u64 = 5_000;

impl Engine {
    /// Every reminder due at `now`, across all districts (no database writes).
    ///
    /// Active projects are read in batches of [`BATCH`] by id. Of the reports, only those of
    /// the periods some participant owes now are read (a reminder needs to know only whether
    /// that report exists), and only four columns of them: at country scale that is a few
    /// thousand rows instead of millions.
    #[tracing::instrument(skip(self), err)]
    pub async fn plan_reminders(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<ReminderItem>> {
        let recipients = Recipients::new(
            users::Entity::find()
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
                }),
        );
        // Substitutions of the days some district is in now (time zones span a day either side).
        let day = now.date_naive();
        let substitutes = Substitutes::new(
            self.substitutions_between(day - chrono::Days::new(1), day + chrono::Days::new(1))
                .await?
                .into_iter()
                .map(|s| (s.user_id, s.starts_on, s.ends_on, s.substitute_id)),
        );
        let mut items = Vec::new();
        let mut after = 0;
        loop {
            let rows = projects::Entity::find()
                .filter(projects::Column::Status.eq(ProjectStatus::Active.as_str()))
                .filter(projects::Column::Id.gt(after))
                .order_by_asc(projects::Column::Id)
                .limit(BATCH)
                .all(self.db())
                .await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.id;
            let full = rows.len() as u64 == BATCH;
            self.plan_batch(rows, now, (&recipients, &substitutes), &mut items)
                .await?;
            if !full {
                break;
            }
        }
        Ok(items)
    }

    async fn plan_batch(
        &self,
        rows: Vec<projects::Model>,
        now: chrono::DateTime<chrono::Utc>,
        (recipients, substitutes): (&Recipients, &Substitutes),
        items: &mut Vec<ReminderItem>,
    ) -> Result<()> {
        let batch = self.with_calendars(self.load_batch(rows).await?).await?;
        let projects = &batch.projects;

        // What each project is owed now, then whether those reports exist.
        let mut owed_by_project: HashMap<i64, Vec<(String, String, chrono::NaiveDate)>> = HashMap::new();
        for project in projects {
            let (Some(version), Some(district)) = (batch.version(project), batch.district(project)) else {
                continue;
            };
            let today = now.with_timezone(&district.time_zone).date_naive();
            let plans = batch.plans(project.id);
            let mut owed = Vec::new();
            for indicator in version.definition.indicators() {
                let Some(start) = plans.iter().find(|p| p.stage_key == indicator.starts_at_stage) else {
                    continue;
                };
                if let Some((period, deadline)) =
                    owed_period(indicator, start, district.time_zone, today, batch.calendar(project))?
                {
                    owed.push((indicator.key.clone(), period, deadline));
                }
            }
            if !owed.is_empty() {
                owed_by_project.insert(project.id, owed);
            }
        }
        let reported = self.reported(&owed_by_project).await?;
        let organizations = crate::store::repo::organizations_by_ids(
            self.db(),
            &crate::service::unique_ids(
                projects
                    .iter()
                    .filter(|p| owed_by_project.contains_key(&p.id))
                    .flat_map(|p| p.participants.iter().copied()),
            ),
        )
        .await?;
        let organization_names: HashMap<i64, String> = organizations.into_iter().map(|(id, o)| (id, o.name)).collect();

        // The ticks and named people of workflows with tasks (items with their own dates): a
        // done task is not reminded, a named one goes to its person. Only for those projects.
        let tasks = self.task_states(&batch).await?;
        let nothing = HashSet::new();
        let no_tasks = crate::schedule::TaskStates::default();
        for project in projects {
            let (Some(version), Some(district)) = (batch.version(project), batch.district(project)) else {
                continue;
            };
            let today = now.with_timezone(&district.time_zone).date_naive();
            let state = ProjectState {
                project,
                definition: &version.definition,
                district_name: &district.name,
                today,
                plans: batch.plans(project.id),
                reported: reported.get(&project.id).unwrap_or(&nothing),
                owed: owed_by_project.remove(&project.id).unwrap_or_default(),
                organization_names: &organization_names,
                calendar: batch.calendar(project),
                tz: district.time_zone,
                tasks: tasks.get(&project.id).unwrap_or(&no_tasks),
            };
            items.extend(with_substitutes(
                plan_project(&state, recipients),
                today,
                substitutes,
                recipients,
            ));
        }
        Ok(())
    }

    /// Of the owed reports, those that exist: (indicator key, organization, period) by project.
    async fn reported(
        &self,
        owed: &HashMap<i64, Vec<(String, String, chrono::NaiveDate)>>,
    ) -> Result<HashMap<i64, HashSet<(String, i64, String)>>> {
        let mut out: HashMap<i64, HashSet<(String, i64, String)>> = HashMap::new();
        if owed.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = owed.keys().copied().collect();
        let periods: Vec<String> = owed
            .values()
            .flatten()
            .map(|(_, period, _)| period.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows: Vec<(i64, i64, String, String)> = indicator_reports::Entity::find()
            .select_only()
            .column(indicator_reports::Column::ProjectId)
            .column(indicator_reports::Column::OrganizationId)
            .column(indicator_reports::Column::IndicatorKey)
            .column(indicator_reports::Column::Period)
            .filter(indicator_reports::Column::ProjectId.is_in(ids))
            .filter(indicator_reports::Column::Period.is_in(periods))
            .into_tuple()
            .all(self.db())
            .await?;
        for (project, organization, indicator, period) in rows {
            out.entry(project)
                .or_default()
                .insert((indicator, organization, period));
        }
        Ok(out)
    }
}
