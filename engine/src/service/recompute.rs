//! Recomputing the open due dates when the calendar changes: a day entered or removed, a
//! district's region changed, or a server started with new calendar data (a new decree, a
//! region's new act). The *current* due dates of the active projects concerned are computed
//! again by the same rules as at launch; baselines, dates a person fixed and completed
//! stages stay. Every project whose dates moved gets one history entry saying which dates
//! moved and why, and its row version moves on (an open page reloads). Reminders read the
//! current dates, so they follow.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::Engine;
use super::calendars::{CalendarScope, release};
use super::projects::replan_rows;
use crate::auth::Actor;
use crate::calendar::Calendar;
use crate::error::{Error, Result};
use crate::model::{District, EventKind, ProjectStatus};
use crate::store::entity::{calendar_releases, districts, projects};
use crate::store::repo::{NewEvent, lock_project, record_event, stage_rows};

impl Engine {
    /// Applies the embedded calendar data if the stored plans were computed with other data:
    /// recomputes the open due dates of every active project and records the release. A
    /// database that never saw a release (new, or older than this mechanism) records the
    /// current one without recomputing. Returns the number of projects whose dates moved.
    pub async fn sync_calendar_release(&self) -> Result<usize> {
        let (fingerprint, summary) = release();
        let last = calendar_releases::Entity::find()
            .order_by_desc(calendar_releases::Column::Id)
            .one(&self.db)
            .await?;
        if last.as_ref().is_some_and(|r| r.fingerprint == fingerprint) {
            return Ok(0);
        }
        let moved = if last.is_some() {
            self.recompute_due_dates(
                &CalendarScope::Country,
                &format!("Обновлены данные календаря: {summary}."),
            )
            .await?
        } else {
            0
        };
        let insert = calendar_releases::ActiveModel {
            fingerprint: Set(fingerprint),
            summary: Set(summary),
            applied_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match insert.map_err(Error::from) {
            // Another replica recorded it first.
            Ok(_) | Err(Error::Conflict(_)) => Ok(moved),
            Err(e) => Err(e),
        }
    }

    /// Recomputes the current due dates of the active projects of `scope` with each
    /// district's calendar now, one transaction per project; writes a history entry with
    /// `reason` to each project whose dates moved. Returns how many moved.
    pub async fn recompute_due_dates(&self, scope: &CalendarScope, reason: &str) -> Result<usize> {
        let mut query = districts::Entity::find();
        query = match scope {
            CalendarScope::Country => query,
            CalendarScope::Region(code) => query.filter(districts::Column::RegionCode.eq(code.clone())),
            CalendarScope::District(id) => query.filter(districts::Column::Id.eq(*id)),
        };
        let districts: Vec<District> = query
            .all(&self.db)
            .await?
            .into_iter()
            .map(District::try_from)
            .collect::<Result<_>>()?;
        let calendars = self.calendars_of(&districts).await?;
        let mut moved = 0;
        for district in &districts {
            let Some(calendar) = calendars.get(&district.id) else {
                continue;
            };
            let ids: Vec<i64> = projects::Entity::find()
                .filter(projects::Column::DistrictId.eq(district.id))
                .filter(projects::Column::Status.eq(ProjectStatus::Active.as_str()))
                .order_by_asc(projects::Column::Id)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect();
            for id in ids {
                if self.recompute_project(id, district, calendar, reason).await? {
                    moved += 1;
                }
            }
        }
        if moved > 0 {
            self.changed();
            tracing::info!(moved, %reason, "due dates recomputed after a calendar change");
        }
        Ok(moved)
    }

    async fn recompute_project(&self, id: i64, district: &District, calendar: &Calendar, reason: &str) -> Result<bool> {
        let now = self.now();
        let txn = self.db.begin().await?;
        let project = match lock_project(&txn, id, None, now).await {
            Ok(project) => project,
            // Closed meanwhile: nothing to recompute.
            Err(Error::InvalidTransition(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let (definition, _) = self.definition_by_version_id(project.workflow_version_id).await?;
        let rows = stage_rows(&txn, id).await?;
        let changes = replan_rows(
            &txn,
            &definition,
            district,
            project.start_date,
            project.annual_cycle,
            &rows,
            calendar,
        )
        .await?;
        if changes.is_empty() {
            txn.rollback().await?;
            return Ok(false);
        }
        record_event(
            &txn,
            id,
            now,
            &Actor::SYSTEM,
            NewEvent {
                kind: EventKind::Recomputed,
                from_stage: None,
                to_stage: None,
                stage_key: None,
                comment: Some(reason.to_string()),
                details: crate::model::EventDetails::Recomputed { changes },
            },
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }
}
