//! Repository functions: the SQL of projects, their participants, plans, checklists, history
//! and reports, for one project or a batch of them. Services call these (inside their
//! transactions or outside) and decide; nothing here checks who is asking — that is
//! [`crate::access`], asked by the services first.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::auth::Actor;
use crate::definition::{Definition, Fired};
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

/// The rows of `E` whose `column` is among `ids`, ordered by `order`: one statement per
/// [`IN_CHUNK`] ids, none for no ids.
async fn rows_in<E, C>(db: &C, column: E::Column, ids: &[i64], order: &[E::Column]) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let mut query = E::find().filter(column.is_in(chunk.to_vec()));
        for &by in order {
            query = query.order_by_asc(by);
        }
        out.extend(query.all(db).await?);
    }
    Ok(out)
}

/// Rows grouped by their project, each converted.
fn by_project<M, T>(
    rows: Vec<M>,
    project: impl Fn(&M) -> i64,
    convert: impl Fn(M) -> Result<T>,
) -> Result<HashMap<i64, Vec<T>>> {
    let mut out: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(project(&row)).or_default().push(convert(row)?);
    }
    Ok(out)
}

/// Participating organizations of projects, by project id.
pub(crate) async fn participants_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<(i64, Option<String>)>>> {
    use project_participants::{Column, Entity};
    let rows = rows_in::<Entity, _>(db, Column::ProjectId, project_ids, &[Column::OrganizationId]).await?;
    by_project(rows, |r| r.project_id, |r| Ok((r.organization_id, r.part)))
}

/// Stage plans of projects, in stage order.
pub(crate) async fn stage_plans_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<StagePlan>>> {
    use stage_plans::{Column, Entity};
    let rows = rows_in::<Entity, _>(
        db,
        Column::ProjectId,
        project_ids,
        &[Column::ProjectId, Column::Position],
    )
    .await?;
    by_project(rows, |r| r.project_id, |r| Ok(r.into()))
}

/// Checklist marks of projects.
pub(crate) async fn checklists_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<ChecklistMark>>> {
    use checklist_marks::{Column, Entity};
    let rows = rows_in::<Entity, _>(db, Column::ProjectId, project_ids, &[Column::Id]).await?;
    by_project(rows, |r| r.project_id, |r| Ok(r.into()))
}

/// What reminders and health need of the checklists of projects: the ticked items and the
/// named people, from the rows that have either (four narrow columns).
pub(crate) async fn task_states_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, crate::schedule::TaskStates>> {
    use checklist_marks::{Column, Entity};
    let mut out: HashMap<i64, crate::schedule::TaskStates> = HashMap::new();
    for chunk in project_ids.chunks(IN_CHUNK) {
        let rows: Vec<(i64, String, String, bool, Option<i64>)> = Entity::find()
            .select_only()
            .column(Column::ProjectId)
            .column(Column::StageKey)
            .column(Column::ItemKey)
            .column(Column::Done)
            .column(Column::ResponsibleId)
            .filter(Column::ProjectId.is_in(chunk.to_vec()))
            .filter(
                Condition::any()
                    .add(Column::Done.eq(true))
                    .add(Column::ResponsibleId.is_not_null()),
            )
            .into_tuple()
            .all(db)
            .await?;
        for (project, stage, item, done, named) in rows {
            let states = out.entry(project).or_default();
            if let Some(user) = named {
                states.named.insert((stage.clone(), item.clone()), user);
            }
            if done {
                states.done.insert((stage, item));
            }
        }
    }
    Ok(out)
}

/// History of projects, oldest first.
pub(crate) async fn histories_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<ProjectEvent>>> {
    use project_events::{Column, Entity};
    let rows = rows_in::<Entity, _>(db, Column::ProjectId, project_ids, &[Column::Id]).await?;
    by_project(rows, |r| r.project_id, ProjectEvent::try_from)
}

/// Reports of projects by project id, periods in order (without their earlier revisions).
pub(crate) async fn reports_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
) -> Result<HashMap<i64, Vec<IndicatorReport>>> {
    use indicator_reports::{Column, Entity};
    let rows = rows_in::<Entity, _>(db, Column::ProjectId, project_ids, &[Column::Period]).await?;
    by_project(rows, |r| r.project_id, |r| Ok(super::convert::report(r, Vec::new())))
}

/// Organizations by id.
pub(crate) async fn organizations_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Organization>> {
    use organizations::{Column, Entity};
    rows_in::<Entity, _>(db, Column::Id, ids, &[])
        .await?
        .into_iter()
        .map(|r| Organization::try_from(r).map(|o| (o.id, o)))
        .collect()
}

/// Districts by id.
pub(crate) async fn districts_by_ids<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, District>> {
    use districts::{Column, Entity};
    rows_in::<Entity, _>(db, Column::Id, ids, &[])
        .await?
        .into_iter()
        .map(|r| District::try_from(r).map(|d| (d.id, d)))
        .collect()
}

/// The participants of a project, with the part each takes.
pub(crate) async fn participant_ids<C: ConnectionTrait>(c: &C, project_id: i64) -> Result<Vec<(i64, Option<String>)>> {
    Ok(project_participants::Entity::find()
        .filter(project_participants::Column::ProjectId.eq(project_id))
        .order_by_asc(project_participants::Column::OrganizationId)
        .all(c)
        .await?
        .into_iter()
        .map(|p| (p.organization_id, p.part))
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

/// Applies a taken transition at `now`: completes the stage left (`from`), enters each stage
/// it opened (clearing an earlier completion, for a move back; a terminal stage is completed
/// as it is entered), keeps `projects.current_stage` on the first stage under way, and
/// completes the project when it reached a terminal stage.
pub(crate) async fn apply_move<C: ConnectionTrait>(
    c: &C,
    project_id: i64,
    definition: &Definition,
    from: &str,
    fired: &Fired,
    now: DateTime<Utc>,
) -> Result<()> {
    stage_plans::Entity::update_many()
        .col_expr(stage_plans::Column::CompletedAt, Expr::value(Some(now)))
        .filter(stage_plans::Column::ProjectId.eq(project_id))
        .filter(stage_plans::Column::StageKey.eq(from))
        .exec(c)
        .await?;
    let stages = definition.stages();
    for &opened in &fired.opened {
        let stage = &stages[opened];
        stage_plans::Entity::update_many()
            .col_expr(stage_plans::Column::EnteredAt, Expr::value(Some(now)))
            .col_expr(
                stage_plans::Column::CompletedAt,
                Expr::value(stage.terminal.then_some(now)),
            )
            .filter(stage_plans::Column::ProjectId.eq(project_id))
            .filter(stage_plans::Column::StageKey.eq(&stage.key))
            .exec(c)
            .await?;
    }
    let primary = fired
        .marking
        .stages()
        .next()
        .or_else(|| fired.opened.iter().copied().find(|&o| stages[o].terminal));
    let mut update = projects::Entity::update_many().filter(projects::Column::Id.eq(project_id));
    if let Some(primary) = primary {
        update = update.col_expr(projects::Column::CurrentStage, Expr::value(stages[primary].key.clone()));
    }
    if fired.finished {
        update = update
            .col_expr(projects::Column::Status, Expr::value(ProjectStatus::Completed.as_str()))
            .col_expr(projects::Column::ClosedAt, Expr::value(Some(now)));
    }
    if primary.is_some() || fired.finished {
        update.exec(c).await?;
    }
    Ok(())
}
