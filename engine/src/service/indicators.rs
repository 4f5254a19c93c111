//! Indicator reports: reporting and correcting values, reading them, and plan against fact.
//!
//! A report is one value of one indicator for one period from one organization of a project.
//! Reporting again for the same four is a correction: the new value wins, the earlier one is
//! kept in `indicator_report_revisions` with who and when. Directors report for their own
//! organization, the district's coordinators and administrators for any participant.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select, TransactionTrait,
};

use super::Engine;
use super::page::{self, Cursor, Key, ListOrder, Page, PageRequest};
use super::projects::local_date;
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::error::{Error, Field, Result};
use crate::health::{Thresholds, progress, project_health};
use crate::model::{IndicatorProgress, IndicatorReport, ProjectHealth, ProjectStatus, ReportRevision};
use crate::period::Period;
use crate::store::entity::{indicator_report_revisions, indicator_reports, projects};

/// The largest page of indicator reports.
pub const MAX_REPORT_PAGE: u64 = 500;

/// The order of the report list: by project, organization, indicator and period (unique
/// together; the id settles nothing but keeps the cursor total).
const REPORT_ORDER: [indicator_reports::Column; 5] = [
    indicator_reports::Column::ProjectId,
    indicator_reports::Column::OrganizationId,
    indicator_reports::Column::IndicatorKey,
    indicator_reports::Column::Period,
    indicator_reports::Column::Id,
];

/// Input of [`Engine::report_indicator`].
#[derive(Debug, Clone)]
pub struct NewReport {
    pub project_id: i64,
    pub organization_id: i64,
    /// The indicator's key (code), e.g. `2.1`.
    pub indicator: String,
    /// `2025-Q1`, `2025-03`, `2025-H1`, `2025`, `2024/25` or `once`.
    pub period: String,
    /// The value; for a yes/no indicator 1 (yes) or 0 (no).
    pub value: f64,
    pub comment: Option<String>,
}

/// Which reports to read. Every field narrows; `None` does not filter.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub project_id: Option<i64>,
    pub district_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub indicator: Option<String>,
    pub period: Option<String>,
}

impl Engine {
    /// Reports (or corrects) an indicator value. Refuses, naming the field: a value the type
    /// cannot have, a period of the wrong kind or not begun yet, an organization that does
    /// not take part, an indicator whose reporting has not started, a cancelled project.
    #[tracing::instrument(skip(self), fields(project = input.project_id), err(level = "info"))]
    pub async fn report_indicator(&self, actor: &Actor, input: NewReport) -> Result<IndicatorReport> {
        let (project, with_parts) = self.readable_project_with_parts(actor, input.project_id).await?;
        let participants: Vec<i64> = with_parts.iter().map(|(org, _)| *org).collect();
        actor.scope().require(
            Operation::ReportValue,
            Target::Organization {
                district: project.district_id,
                organization: input.organization_id,
            },
        )?;
        let (definition, _) = self.definition_by_version_id(project.workflow_version_id).await?;
        let key = input.indicator.trim();
        let indicator = definition.indicator(key).ok_or_else(|| {
            Error::validation(
                Field::Indicator,
                format!("В процессе «{}» нет показателя «{key}».", definition.title()),
            )
        })?;
        if let Some(problem) = indicator.kind.value_problem(input.value) {
            return Err(Error::validation(
                Field::Value,
                format!("Показатель «{}»: {problem}.", indicator.label()),
            ));
        }
        let period = Period::parse(&input.period).map_err(|e| Error::validation(Field::Period, e.to_string()))?;
        if period.kind() != indicator.period {
            return Err(Error::validation(
                Field::Period,
                format!(
                    "Показатель «{}» сдаётся {}: период пишется как {}, а не «{}».",
                    indicator.label(),
                    indicator.period.title(),
                    indicator.period.example(),
                    input.period.trim()
                ),
            ));
        }
        let district = self.load_district(project.district_id).await?;
        let today = self.today_in(district.time_zone);
        if period.start().is_some_and(|start| start > today) {
            return Err(Error::validation(
                Field::Period,
                format!(
                    "Период «{}» ещё не начался: отчитаться можно за текущий или прошедший период.",
                    period.title()
                ),
            ));
        }
        if !participants.contains(&input.organization_id) {
            return Err(Error::validation(
                Field::OrganizationId,
                "Эта организация не участвует в проекте: выберите участника.",
            ));
        }
        let part = with_parts
            .iter()
            .find(|(org, _)| *org == input.organization_id)
            .and_then(|(_, part)| part.as_deref());
        if !indicator.asks(part) {
            let part_title = part.and_then(|p| definition.part(p)).map_or("", |p| p.title.as_str());
            let asked: Vec<String> = indicator
                .parts
                .iter()
                .filter_map(|p| definition.part(p))
                .map(|p| format!("«{}»", p.title))
                .collect();
            return Err(Error::validation(
                Field::Indicator,
                format!(
                    "Показатель «{}» сдают только участники с ролью {}, а у этой организации в проекте роль «{part_title}»: ей его сдавать не нужно.",
                    indicator.label(),
                    asked.join(", ")
                ),
            ));
        }
        if ProjectStatus::parse(&project.status)? == ProjectStatus::Cancelled {
            return Err(Error::validation(
                Field::ProjectId,
                "Проект отменён: отчёты по нему не принимаются.",
            ));
        }
        let plans = crate::store::repo::stage_rows(&self.db, project.id).await?;
        let started = plans
            .iter()
            .any(|p| p.stage_key == indicator.starts_at_stage && p.entered_at.is_some());
        if !started {
            let stage = definition
                .stage(&indicator.starts_at_stage)
                .map_or(indicator.starts_at_stage.as_str(), |s| s.title.as_str());
            return Err(Error::validation(
                Field::Indicator,
                format!(
                    "Отчёты по показателю «{}» принимаются с этапа «{stage}», а проект до него ещё не дошёл.",
                    indicator.label()
                ),
            ));
        }
        let comment = input
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
            return Err(Error::validation(
                Field::Comment,
                "Комментарий длиннее 2000 знаков: сократите его.",
            ));
        }

        let now = self.now();
        let period_text = period.to_string();
        let txn = self.db.begin().await?;
        // Take the write lock first (SQLite) so the read below cannot go stale.
        projects::Entity::update_many()
            .col_expr(projects::Column::UpdatedAt, Expr::value(now))
            .filter(projects::Column::Id.eq(project.id))
            .exec(&txn)
            .await?;
        let existing = indicator_reports::Entity::find()
            .filter(indicator_reports::Column::ProjectId.eq(project.id))
            .filter(indicator_reports::Column::OrganizationId.eq(input.organization_id))
            .filter(indicator_reports::Column::IndicatorKey.eq(&indicator.key))
            .filter(indicator_reports::Column::Period.eq(&period_text))
            .one(&txn)
            .await?;
        let row = match existing {
            None => {
                indicator_reports::ActiveModel {
                    project_id: Set(project.id),
                    organization_id: Set(input.organization_id),
                    indicator_key: Set(indicator.key.clone()),
                    period: Set(period_text),
                    value: Set(input.value),
                    comment: Set(comment),
                    reported_by: Set(actor.recorded_id()),
                    reported_at: Set(now),
                    revision: Set(1),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
            Some(old) => {
                indicator_report_revisions::ActiveModel {
                    report_id: Set(old.id),
                    revision: Set(old.revision),
                    value: Set(old.value),
                    comment: Set(old.comment.clone()),
                    reported_by: Set(old.reported_by),
                    reported_at: Set(old.reported_at),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                let revision = old.revision + 1;
                let mut row: indicator_reports::ActiveModel = old.into();
                row.value = Set(input.value);
                row.comment = Set(comment);
                row.reported_by = Set(actor.recorded_id());
                row.reported_at = Set(now);
                row.revision = Set(revision);
                row.update(&txn).await?
            }
        };
        txn.commit().await?;
        self.reports_with_history(vec![row])
            .await?
            .into_values()
            .next()
            .ok_or_else(|| Error::Internal("a stored report was not read back".into()))
    }

    /// The reports the caller may read that match `filter`, by project, organization,
    /// indicator and period. Directors read their own organization's reports only.
    pub async fn indicator_reports(&self, actor: &Actor, filter: &ReportFilter) -> Result<Vec<IndicatorReport>> {
        let mut query = self.report_select(actor, filter).await?;
        for column in REPORT_ORDER {
            query = query.order_by_asc(column);
        }
        let rows = query.all(&self.db).await?;
        let order: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut by_id = self.reports_with_history(rows).await?;
        Ok(order.into_iter().filter_map(|id| by_id.remove(&id)).collect())
    }

    /// A page of [`Engine::indicator_reports`] (at most [`MAX_REPORT_PAGE`]), forward or
    /// backward: see [`super::page`].
    pub async fn indicator_report_page(
        &self,
        actor: &Actor,
        filter: &ReportFilter,
        request: &PageRequest,
    ) -> Result<Page<IndicatorReport>> {
        let query = self.report_select(actor, filter).await?;
        let order = ListOrder {
            columns: REPORT_ORDER.to_vec(),
            descending: false,
        };
        let page = page::fetch(&self.db, query, &order, request, MAX_REPORT_PAGE, |r| {
            Cursor(vec![
                Key::Int(r.project_id),
                Key::Int(r.organization_id),
                Key::from(r.indicator_key.as_str()),
                Key::from(r.period.as_str()),
                Key::Int(r.id),
            ])
        })
        .await?;
        let rows: Vec<indicator_reports::Model> = page.values().cloned().collect();
        let mut by_id = self.reports_with_history(rows).await?;
        page.try_map(|row| {
            by_id
                .remove(&row.id)
                .ok_or_else(|| Error::Internal("a report of the page was not read back".into()))
        })
    }

    /// The reports the caller may read that match `filter`, unordered.
    async fn report_select(&self, actor: &Actor, filter: &ReportFilter) -> Result<Select<indicator_reports::Entity>> {
        let mut query = indicator_reports::Entity::find();
        if let Some(project_id) = filter.project_id {
            self.readable_project(actor, project_id).await?;
            query = query.filter(indicator_reports::Column::ProjectId.eq(project_id));
        }
        query = query.filter(actor.scope().reports());
        if let Some(district) = filter.district_id {
            query = query.filter(
                indicator_reports::Column::ProjectId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(projects::Column::Id)
                        .from(projects::Entity)
                        .and_where(Expr::col(projects::Column::DistrictId).eq(district))
                        .to_owned(),
                ),
            );
        }
        if let Some(org) = filter.organization_id {
            query = query.filter(indicator_reports::Column::OrganizationId.eq(org));
        }
        if let Some(key) = &filter.indicator {
            query = query.filter(indicator_reports::Column::IndicatorKey.eq(key.as_str()));
        }
        if let Some(period) = &filter.period {
            query = query.filter(indicator_reports::Column::Period.eq(period.as_str()));
        }
        Ok(query)
    }

    async fn reports_with_history(&self, rows: Vec<indicator_reports::Model>) -> Result<HashMap<i64, IndicatorReport>> {
        let ids: Vec<i64> = rows.iter().filter(|r| r.revision > 1).map(|r| r.id).collect();
        let mut earlier: HashMap<i64, Vec<ReportRevision>> = HashMap::new();
        if !ids.is_empty() {
            for rev in indicator_report_revisions::Entity::find()
                .filter(indicator_report_revisions::Column::ReportId.is_in(ids))
                .order_by_asc(indicator_report_revisions::Column::Revision)
                .all(&self.db)
                .await?
            {
                earlier.entry(rev.report_id).or_default().push(ReportRevision {
                    revision: rev.revision,
                    value: rev.value,
                    comment: rev.comment,
                    reported_by: rev.reported_by,
                    reported_at: rev.reported_at,
                });
            }
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let history = earlier.remove(&row.id).unwrap_or_default();
                (row.id, crate::store::convert::report(row, history))
            })
            .collect())
    }

    /// The health thresholds in force.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }
}

impl Engine {
    /// Health and indicator progress of the projects among `ids` that the caller may read,
    /// by id: six statements whatever the number of projects. Progress lists only the
    /// organizations whose values the caller may see (a director: their own), and the
    /// project's light is judged from that progress — a director sees how their own school
    /// stands, not a neighbour's numbers through the colour.
    pub async fn health_of(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<HashMap<i64, (ProjectHealth, Vec<IndicatorProgress>)>> {
        let scope = actor.scope();
        let mut out = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(super::IN_CHUNK) {
            rows.extend(
                projects::Entity::find()
                    .filter(projects::Column::Id.is_in(chunk.to_vec()))
                    .filter(scope.projects(Operation::ReadProject))
                    .all(&self.db)
                    .await?,
            );
        }
        let mut batch = self.load_batch(rows).await?;
        // Tasks with their own dates count in health; their dates need the calendars.
        if batch.projects.iter().any(|p| batch.has_tasks(p)) {
            batch = self.with_calendars(batch).await?;
        }
        let tasks = self.task_states(&batch).await?;
        let no_tasks = crate::schedule::TaskStates::default();
        let reports = crate::store::repo::reports_of(self.db(), &batch.ids()).await?;
        let now = self.now();
        for project in &batch.projects {
            let id = project.id;
            let Some(version) = batch.version(project) else {
                continue;
            };
            let tz = batch.district(project).map_or(chrono_tz::UTC, |d| d.time_zone);
            let today = local_date(now, tz);
            let mut progress = progress(
                &version.definition,
                project,
                reports.get(&id).map_or(&[][..], Vec::as_slice),
                &self.thresholds,
            );
            progress.retain(|p| {
                scope.may(
                    Operation::ReadValues,
                    Target::Organization {
                        district: project.district_id,
                        organization: p.organization_id,
                    },
                )
            });
            let task_dues: Vec<chrono::NaiveDate> = crate::schedule::open_tasks(
                &version.definition,
                project.start_date,
                batch.plans(id),
                tasks.get(&id).unwrap_or(&no_tasks),
                tz,
                batch.calendar(project),
            )
            .iter()
            .map(|t| t.due)
            .collect();
            let health = project_health(project, batch.plans(id), &task_dues, &progress, today, &self.thresholds);
            out.insert(id, (health, progress));
        }
        Ok(out)
    }
}
