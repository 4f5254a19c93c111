//! Repository functions: the SQL of projects, their participants, plans, checklists, history
//! and reports, for one project or a batch of them. Services call these (inside their
//! transactions or outside) and decide; nothing here checks who is asking — that is
//! [`crate::access`], asked by the services first.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::model::{
    ChecklistMark, District, EventDetails, EventKind, IndicatorReport, Organization, ProjectEvent, ProjectStatus,
    StagePlan,
};
use crate::service::IN_CHUNK;
use crate::store::entity::{
    checklist_marks, districts, indicator_reports, organizations, project_events, project_participants, projects,
    stage_plans,
};

/// A project change's history entry.
pub(crate) struct NewEvent<'a> {
    pub kind: EventKind,
    pub from_stage: Option<&'a str>,
    pub to_stage: Option<&'a str>,
    pub stage_key: Option<&'a str>,
    pub comment: Option<String>,
    pub details: EventDetails,
}

/// Participating organizations of projects, by project id.
pub(crate) async fn participants_of<C: ConnectionTrait>(db: &C, project_ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    if project_ids.is_empty() {
        return Ok(out);
    }
    for chunk in project_ids.chunks(IN_CHUNK) {
        for link in project_participants::Entity::find()
            .filter(project_participants::Column::ProjectId.is_in(chunk.to_vec()))
            .order_by_asc(project_participants::Column::OrganizationId)
            .all(db)
            .await?
        {
            out.entry(link.project_id).or_default().push(link.organization_id);
        }
    }
    Ok(out)
}

/// Stage plans of projects, in stage order.
pub(crate) async fn stage_plans_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<StagePlan>>> {
    let mut out: HashMap<i64, Vec<StagePlan>> = HashMap::new();
    if project_ids.is_empty() {
        return Ok(out);
    }
    for chunk in project_ids.chunks(IN_CHUNK) {
        for row in stage_plans::Entity::find()
            .filter(stage_plans::Column::ProjectId.is_in(chunk.to_vec()))
            .order_by_asc(stage_plans::Column::ProjectId)
            .order_by_asc(stage_plans::Column::Position)
            .all(db)
            .await?
        {
            out.entry(row.project_id).or_default().push(row.into());
        }
    }
    Ok(out)
}

/// Checklist marks of projects.
pub(crate) async fn checklists_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<ChecklistMark>>> {
    let mut out: HashMap<i64, Vec<ChecklistMark>> = HashMap::new();
    if project_ids.is_empty() {
        return Ok(out);
    }
    for chunk in project_ids.chunks(IN_CHUNK) {
        for row in checklist_marks::Entity::find()
            .filter(checklist_marks::Column::ProjectId.is_in(chunk.to_vec()))
            .order_by_asc(checklist_marks::Column::Id)
            .all(db)
            .await?
        {
            out.entry(row.project_id).or_default().push(row.into());
        }
    }
    Ok(out)
}

/// History of projects, oldest first.
pub(crate) async fn histories_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<ProjectEvent>>> {
    let mut out: HashMap<i64, Vec<ProjectEvent>> = HashMap::new();
    if project_ids.is_empty() {
        return Ok(out);
    }
    for chunk in project_ids.chunks(IN_CHUNK) {
        for row in project_events::Entity::find()
            .filter(project_events::Column::ProjectId.is_in(chunk.to_vec()))
            .order_by_asc(project_events::Column::Id)
            .all(db)
            .await?
        {
            let event = ProjectEvent::try_from(row)?;
            out.entry(event.project_id).or_default().push(event);
        }
    }
    Ok(out)
}

/// Organizations by id (participants of readable projects).
pub(crate) async fn organizations_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Organization>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        for row in organizations::Entity::find()
            .filter(organizations::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let organization = Organization::try_from(row)?;
            out.insert(organization.id, organization);
        }
    }
    Ok(out)
}

/// Districts by id.
pub(crate) async fn districts_by_ids<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, District>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = districts::Entity::find()
        .filter(districts::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| District::try_from(r).map(|d| (d.id, d)))
        .collect()
}

/// Reports of projects by project id (for pages and the dashboard; no scope check).
pub(crate) async fn reports_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<IndicatorReport>>> {
    let mut out: HashMap<i64, Vec<IndicatorReport>> = HashMap::new();
    if project_ids.is_empty() {
        return Ok(out);
    }
    for chunk in project_ids.chunks(IN_CHUNK) {
        for row in indicator_reports::Entity::find()
            .filter(indicator_reports::Column::ProjectId.is_in(chunk.to_vec()))
            .order_by_asc(indicator_reports::Column::Period)
            .all(db)
            .await?
        {
            out.entry(row.project_id)
                .or_default()
                .push(super::convert::report(row, Vec::new()));
        }
    }
    Ok(out)
}

pub(crate) async fn participant_ids<C: ConnectionTrait>(c: &C, project_id: i64) -> Result<Vec<i64>> {
    Ok(project_participants::Entity::find()
        .filter(project_participants::Column::ProjectId.eq(project_id))
        .order_by_asc(project_participants::Column::OrganizationId)
        .all(c)
        .await?
        .into_iter()
        .map(|p| p.organization_id)
        .collect())
}

pub(crate) async fn stage_rows<C: ConnectionTrait>(c: &C, project_id: i64) -> Result<Vec<stage_plans::Model>> {
    Ok(stage_plans::Entity::find()
        .filter(stage_plans::Column::ProjectId.eq(project_id))
        .order_by_asc(stage_plans::Column::Position)
        .all(c)
        .await?)
}

pub(crate) async fn record_event<C: ConnectionTrait>(
    c: &C,
    project_id: i64,
    at: DateTime<Utc>,
    actor: &Actor,
    event: NewEvent<'_>,
) -> Result<()> {
    project_events::ActiveModel {
        project_id: Set(project_id),
        at: Set(at),
        actor_id: Set(actor.recorded_id()),
        kind: Set(event.kind.as_str().to_string()),
        from_stage: Set(event.from_stage.map(str::to_string)),
        to_stage: Set(event.to_stage.map(str::to_string)),
        stage_key: Set(event.stage_key.map(str::to_string)),
        comment: Set(event.comment),
        details: Set(event.details.to_json().map(|d| d.to_string())),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Takes the project for a change: bumps its row version if it is still `expected` (any
/// version when `None`) and the project is active. This is the first statement of every
/// change's transaction, so it takes the write lock before anything is read. Explains a
/// refusal: unknown project, closed project, or someone else's change first.
pub(crate) async fn lock_project<C: ConnectionTrait>(
    c: &C,
    id: i64,
    expected: Option<i32>,
    now: DateTime<Utc>,
) -> Result<projects::Model> {
    let mut update = projects::Entity::update_many()
        .col_expr(
            projects::Column::RowVersion,
            Expr::col(projects::Column::RowVersion).add(1),
        )
        .col_expr(projects::Column::UpdatedAt, Expr::value(now))
        .filter(projects::Column::Id.eq(id))
        .filter(projects::Column::Status.eq(ProjectStatus::Active.as_str()));
    if let Some(expected) = expected {
        update = update.filter(projects::Column::RowVersion.eq(expected));
    }
    let affected = update.exec(c).await?.rows_affected;
    let row = projects::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or_else(|| Error::not_found("проект", id))?;
    if affected == 1 {
        return Ok(row);
    }
    match ProjectStatus::parse(&row.status)? {
        ProjectStatus::Completed => Err(Error::InvalidTransition(
            "Проект уже завершён: изменить его нельзя.".into(),
        )),
        ProjectStatus::Cancelled => Err(Error::InvalidTransition("Проект отменён: изменить его нельзя.".into())),
        ProjectStatus::Active => Err(Error::Conflict(format!(
            "Проект уже изменил кто-то другой (версия {}, у вас {}): обновите страницу и повторите.",
            row.row_version,
            expected.unwrap_or_default()
        ))),
    }
}
