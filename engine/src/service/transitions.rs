//! Moving a project between stages, the transitions a caller may take now, and cancelling.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::projects::local_date;
use super::{Engine, optional_text, required_text};
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role};
use crate::definition::{Definition, Transition};
use crate::error::{Error, Field, Result};
use crate::model::{AvailableTransition, EventKind, ProjectDetails, ProjectStatus};
use crate::period::Period;
use crate::store::entity::{checklist_marks, indicator_reports, organizations, projects};
use crate::store::repo::{NewEvent, lock_project, move_to_stage, record_event, stage_rows};

/// Input of [`Engine::transition_project`].
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    pub project_id: i64,
    pub to_stage: String,
    /// The project's row version the caller saw.
    pub expected_version: i32,
    pub comment: Option<String>,
}

/// Whether the policy and the workflow let the caller take `transition` in a project.
fn may_take(actor: &Actor, transition: &Transition, district_id: i64, participants: &[i64]) -> bool {
    actor.scope().named(
        Operation::TakeTransition,
        Target::Project {
            district: district_id,
            participants,
        },
        &transition.roles,
    )
}

/// The refusal of a move the workflow does not have, with the moves it has.
fn no_such_move(definition: &Definition, from: &crate::definition::Stage, target: &crate::definition::Stage) -> Error {
    let possible: Vec<String> = definition
        .transitions_from(&from.key)
        .filter_map(|t| definition.stage(&t.to))
        .map(|s| format!("«{}»", s.title))
        .collect();
    Error::InvalidTransition(format!(
        "Из этапа «{}» нельзя перейти в «{}». Возможные переходы: {}.",
        from.title,
        target.title,
        if possible.is_empty() {
            "нет".to_string()
        } else {
            possible.join(", ")
        }
    ))
}

/// The refusal of a transition the caller may not take.
fn not_yours(definition: &Definition, transition: &Transition) -> Error {
    let title = |key: &str| {
        definition
            .stage(key)
            .map_or_else(|| key.to_string(), |s| s.title.clone())
    };
    Error::Forbidden(format!(
        "Переход «{}» → «{}» делает: {}.",
        title(&transition.from),
        title(&transition.to),
        roles_text(transition)
    ))
}

/// Who may take a transition, in words.
fn roles_text(transition: &Transition) -> String {
    let mut names: Vec<&str> = transition.roles.iter().map(|r| r.title()).collect();
    names.push(Role::Admin.title());
    names.join(", ")
}

/// What the guards of `transition` still need, in Russian. The comment guard is checked
/// only when `comment` is given (listing transitions shows it as a flag instead).
async fn blockers<C: ConnectionTrait>(
    c: &C,
    definition: &Definition,
    transition: &Transition,
    project: &projects::Model,
    participants: &[i64],
    today: chrono::NaiveDate,
    comment: Option<Option<&str>>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let guards = &transition.guards;
    if guards.checklist_complete {
        let done: HashSet<String> = checklist_marks::Entity::find()
            .filter(checklist_marks::Column::ProjectId.eq(project.id))
            .filter(checklist_marks::Column::StageKey.eq(&transition.from))
            .filter(checklist_marks::Column::Done.eq(true))
            .all(c)
            .await?
            .into_iter()
            .map(|m| m.item_key)
            .collect();
        let missing: Vec<String> = definition
            .stage(&transition.from)
            .map(|s| {
                s.checklist
                    .iter()
                    .filter(|i| !done.contains(&i.key))
                    .map(|i| format!("«{}»", i.title))
                    .collect()
            })
            .unwrap_or_default();
        if !missing.is_empty() {
            out.push(format!("Не отмечены пункты чек-листа: {}.", missing.join(", ")));
        }
    }
    if !guards.indicators_reported.is_empty() {
        let names: HashMap<i64, String> = organizations::Entity::find()
            .filter(organizations::Column::Id.is_in(participants.to_vec()))
            .all(c)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        for key in &guards.indicators_reported {
            let Some(indicator) = definition.indicator(key) else {
                continue;
            };
            let period = Period::containing(indicator.period, today).to_string();
            let reported: HashSet<i64> = indicator_reports::Entity::find()
                .filter(indicator_reports::Column::ProjectId.eq(project.id))
                .filter(indicator_reports::Column::IndicatorKey.eq(key))
                .filter(indicator_reports::Column::Period.eq(&period))
                .all(c)
                .await?
                .into_iter()
                .map(|r| r.organization_id)
                .collect();
            let missing: Vec<&str> = participants
                .iter()
                .filter(|id| !reported.contains(id))
                .map(|id| names.get(id).map_or("?", String::as_str))
                .collect();
            if !missing.is_empty() {
                let period_text = if period == "once" {
                    String::new()
                } else {
                    format!(" за {period}")
                };
                out.push(format!(
                    "Нет отчёта по показателю «{} {}»{period_text}: {}.",
                    indicator.key,
                    indicator.title,
                    missing.join(", ")
                ));
            }
        }
    }
    if let Some(comment) = comment
        && guards.comment_required
        && optional_text(comment).is_none()
    {
        out.push("Напишите комментарий: без него этот переход не делается.".into());
    }
    Ok(out)
}

impl Engine {
    /// Moves a project to another stage: checks the transition exists from the current
    /// stage, the caller's role and scope, the guards and the row version; completes the
    /// stage left, enters the new one, recomputes due dates that depend on it, completes the
    /// project on a terminal stage, and writes history — all in one transaction. The answer
    /// leaves `history` empty: read it with [`Engine::project`].
    #[tracing::instrument(skip(self), fields(project = req.project_id), err(level = "info"))]
    pub async fn transition_project(&self, actor: &Actor, req: TransitionRequest) -> Result<ProjectDetails> {
        // Read access first, outside the transaction: a caller who may not see the project
        // learns nothing about it, not even its version.
        let (pre, participants) = self.readable_project(actor, req.project_id).await?;
        let district = self.load_district(pre.district_id).await?;
        let (definition, _) = self.definition_by_version_id(pre.workflow_version_id).await?;
        // The policy before the version: a caller who may not take this transition hears so,
        // not that their page is stale. Checked again on the locked row below.
        if let Some(transition) = definition.transition(&pre.current_stage, req.to_stage.trim())
            && !may_take(actor, transition, pre.district_id, &participants)
        {
            return Err(not_yours(&definition, transition));
        }
        if !actor.scope().may(
            Operation::TakeTransition,
            Target::Project {
                district: pre.district_id,
                participants: &participants,
            },
        ) {
            return Err(crate::access::refusal(Operation::TakeTransition));
        }
        let now = self.now();
        let today = local_date(now, district.time_zone);

        let txn = self.db.begin().await?;
        let project = lock_project(&txn, req.project_id, Some(req.expected_version), now).await?;
        let to = req.to_stage.trim();
        let target = definition.stage(to).ok_or_else(|| {
            Error::validation(
                Field::ToStage,
                format!("В процессе «{}» нет этапа «{to}».", definition.title()),
            )
        })?;
        let from = definition.stage(&project.current_stage).ok_or_else(|| {
            Error::Internal(format!(
                "project {} is in unknown stage {}",
                project.id, project.current_stage
            ))
        })?;
        let Some(transition) = definition.transition(&from.key, &target.key) else {
            return Err(no_such_move(&definition, from, target));
        };
        if !may_take(actor, transition, project.district_id, &participants) {
            return Err(not_yours(&definition, transition));
        }
        let blocked = blockers(
            &txn,
            &definition,
            transition,
            &project,
            &participants,
            today,
            Some(req.comment.as_deref()),
        )
        .await?;
        if !blocked.is_empty() {
            return Err(Error::InvalidTransition(format!(
                "Перейти в этап «{}» пока нельзя. {}",
                target.title,
                blocked.join(" ")
            )));
        }

        move_to_stage(&txn, project.id, &from.key, &target.key, target.terminal, now).await?;
        if !target.terminal {
            let rows = stage_rows(&txn, project.id).await?;
            self.replan(
                &txn,
                &definition,
                &district,
                project.start_date,
                project.annual_cycle,
                &rows,
            )
            .await?;
        }
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::Transition,
                from_stage: Some(&from.key),
                to_stage: Some(&target.key),
                stage_key: None,
                comment: optional_text(req.comment.as_deref()),
                details: crate::model::EventDetails::None,
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        tracing::info!(project = project.id, from = %from.key, to = %target.key, "project moved");
        self.project_without_history(actor, project.id).await
    }

    /// The transitions out of the project's current stage that the caller's role allows,
    /// each with what its guards still need.
    pub async fn available_transitions(&self, actor: &Actor, project_id: i64) -> Result<Vec<AvailableTransition>> {
        let details = self.project_without_history(actor, project_id).await?;
        if details.project.status != ProjectStatus::Active {
            return Ok(Vec::new());
        }
        let row = projects::Entity::find_by_id(project_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("проект", project_id))?;
        let today = details.today(self.now());
        let mut out = Vec::new();
        for transition in details.definition.transitions_from(&details.project.current_stage) {
            if !may_take(
                actor,
                transition,
                details.project.district_id,
                &details.project.participants,
            ) {
                continue;
            }
            let stage_title = details
                .definition
                .stage(&transition.to)
                .map_or_else(|| transition.to.clone(), |s| s.title.clone());
            out.push(AvailableTransition {
                to_stage: transition.to.clone(),
                title: transition.title.clone().unwrap_or(stage_title),
                comment_required: transition.guards.comment_required,
                blockers: blockers(
                    &self.db,
                    &details.definition,
                    transition,
                    &row,
                    &details.project.participants,
                    today,
                    None,
                )
                .await?,
            });
        }
        Ok(out)
    }

    /// Cancels an active project, with a reason. Administrators and the district's coordinators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn cancel_project(
        &self,
        actor: &Actor,
        project_id: i64,
        expected_version: i32,
        reason: &str,
    ) -> Result<ProjectDetails> {
        let (pre, participants) = self.readable_project(actor, project_id).await?;
        actor.scope().require(
            Operation::CancelProject,
            Target::Project {
                district: pre.district_id,
                participants: &participants,
            },
        )?;
        let reason = required_text(reason, Field::Reason, "Причина отмены")?;
        let now = self.now();
        let txn = self.db.begin().await?;
        let project = lock_project(&txn, project_id, Some(expected_version), now).await?;
        projects::Entity::update_many()
            .col_expr(projects::Column::Status, Expr::value(ProjectStatus::Cancelled.as_str()))
            .col_expr(projects::Column::ClosedAt, Expr::value(Some(now)))
            .filter(projects::Column::Id.eq(project.id))
            .exec(&txn)
            .await?;
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::Cancelled,
                from_stage: Some(&project.current_stage),
                to_stage: None,
                stage_key: None,
                comment: Some(reason),
                details: crate::model::EventDetails::None,
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        self.project(actor, project_id).await
    }
}
