//! Moving a project between stages, the transitions a caller may take now, and cancelling.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::projects::local_date;
use super::{Engine, optional_text, required_text};
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role};
use crate::definition::{Definition, Stage, Transition};
use crate::error::{Error, Field, Result};
use crate::model::{AvailableTransition, EventKind, ProjectDetails, ProjectStatus};
use crate::period::Period;
use crate::store::entity::stage_plans;
use crate::store::entity::{checklist_marks, indicator_reports, organizations, projects};
use crate::store::repo::{NewEvent, apply_move, lock_project, record_event, stage_rows};

/// Input of [`Engine::transition_project`].
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    pub project_id: i64,
    /// The stage the move leaves: which branch moves. May be left out when only one stage
    /// under way has a transition to `to_stage`.
    pub from_stage: Option<String>,
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
fn no_such_move(definition: &Definition, from: &Stage, target: &Stage) -> Error {
    let possible: Vec<String> = definition
        .transitions_from(&from.key)
        .flat_map(|t| t.to.iter().filter_map(|k| definition.stage(k)))
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
    let to: Vec<String> = transition.to.iter().map(|k| title(k)).collect();
    Error::Forbidden(format!(
        "Переход «{}» → «{}» делает: {}.",
        title(&transition.from),
        to.join("», «"),
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
        // With the part each takes: an indicator is waited for only from those who report it.
        let parts: HashMap<i64, Option<String>> = crate::store::repo::participant_ids(c, project.id)
            .await?
            .into_iter()
            .collect();
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
                .filter(|id| indicator.asks(parts.get(id).and_then(Option::as_deref)))
                .filter(|id| !reported.contains(id))
                .map(|id| names.get(id).map_or("?", String::as_str))
                .collect();
            if !missing.is_empty() {
                let period_text = if period == "once" {
                    String::new()
                } else {
                    format!(" за {}", Period::title_of(&period))
                };
                out.push(format!(
                    "Нет отчёта по показателю «{}»{period_text}: {}.",
                    indicator.label(),
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
        let to = req.to_stage.trim();
        let wanted_from = req.from_stage.as_deref().map(str::trim).filter(|f| !f.is_empty());
        // The policy before the version: a caller who may not take this transition hears so,
        // not that their page is stale. Checked again on the locked row below.
        let current_before = current_keys(&stage_rows(&self.db, pre.id).await?);
        if let Ok((_, transition)) = choose_move(&definition, &current_before, wanted_from, to)
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
        let rows = stage_rows(&txn, project.id).await?;
        let current = current_keys(&rows);
        let (from, transition) = choose_move(&definition, &current, wanted_from, to)?;
        let target = definition
            .stage(to)
            .ok_or_else(|| Error::Internal(format!("transition of project {} to unknown stage {to}", project.id)))?;
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

        let fired = definition.fire(definition.marking(current.iter().map(String::as_str)), transition);
        apply_move(&txn, project.id, &definition, &from.key, &fired, now).await?;
        if !fired.finished {
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
        let keys =
            |list: &[usize]| -> Vec<String> { list.iter().map(|&i| definition.stages()[i].key.clone()).collect() };
        let opened = keys(&fired.opened);
        let waiting = keys(&fired.waiting);
        // A plain move from one stage to the next keeps the shape it always had.
        let details = if opened.len() == 1 && waiting.is_empty() && opened[0] == target.key {
            crate::model::EventDetails::None
        } else {
            crate::model::EventDetails::Moved {
                opened: opened.clone(),
                waiting,
            }
        };
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::Transition,
                from_stage: Some(&from.key),
                to_stage: Some(opened.first().map_or(&target.key, |k| k)),
                stage_key: None,
                comment: optional_text(req.comment.as_deref()),
                details,
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        tracing::info!(project = project.id, from = %from.key, to = ?opened, "project moved");
        self.project_without_history(actor, project.id).await
    }
    /// The transitions out of the project's stages under way that the caller's role allows,
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
        let current: Vec<String> = details.current_plans().map(|p| p.stage_key.clone()).collect();
        for transition in current
            .iter()
            .flat_map(|stage| details.definition.transitions_from(stage))
        {
            if !may_take(
                actor,
                transition,
                details.project.district_id,
                &details.project.participants,
            ) {
                continue;
            }
            let stage_title = transition
                .to
                .iter()
                .map(|k| {
                    details
                        .definition
                        .stage(k)
                        .map_or_else(|| k.clone(), |s| s.title.clone())
                })
                .collect::<Vec<_>>()
                .join(" + ");
            out.push(AvailableTransition {
                from_stage: transition.from.clone(),
                to_stage: transition.target().to_string(),
                to_stages: transition.to.clone(),
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

/// The keys of the stages under way, in the definition's order (rows come by position).
fn current_keys(rows: &[stage_plans::Model]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.entered_at.is_some() && r.completed_at.is_none())
        .map(|r| r.stage_key.clone())
        .collect()
}

/// Finds the move to `to`: out of `from` when the caller named it, otherwise out of the one
/// stage under way that has a transition there. Explains a stage that is not under way, a
/// move the workflow does not have, and a choice the caller has to make.
fn choose_move<'d>(
    definition: &'d Definition,
    current: &[String],
    from: Option<&str>,
    to: &str,
) -> Result<(&'d Stage, &'d Transition)> {
    let target = definition.stage(to).ok_or_else(|| {
        Error::validation(
            Field::ToStage,
            format!("В процессе «{}» нет этапа «{to}».", definition.title()),
        )
    })?;
    let title = |key: &str| {
        definition
            .stage(key)
            .map_or_else(|| key.to_string(), |s| s.title.clone())
    };
    let under_way = || {
        current
            .iter()
            .map(|k| format!("«{}»", title(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let from = match from {
        Some(key) => {
            let stage = definition.stage(key).ok_or_else(|| {
                Error::validation(
                    Field::FromStage,
                    format!("В процессе «{}» нет этапа «{key}».", definition.title()),
                )
            })?;
            if !current.iter().any(|c| c == key) {
                return Err(Error::InvalidTransition(format!(
                    "Этап «{}» сейчас не идёт, из него не переходят. Сейчас идут: {}.",
                    stage.title,
                    under_way()
                )));
            }
            stage
        }
        None => {
            let candidates: Vec<&String> = current
                .iter()
                .filter(|c| definition.transition(c, to).is_some())
                .collect();
            match candidates.as_slice() {
                [one] => definition
                    .stage(one)
                    .ok_or_else(|| Error::Internal(format!("unknown current stage {one}")))?,
                [] => {
                    let first = current
                        .first()
                        .and_then(|k| definition.stage(k))
                        .unwrap_or_else(|| definition.first_stage());
                    return Err(no_such_move(definition, first, target));
                }
                several => {
                    return Err(Error::validation(
                        Field::FromStage,
                        format!(
                            "В этап «{}» ведут несколько идущих сейчас этапов ({}): укажите, какой из них завершается.",
                            target.title,
                            several
                                .iter()
                                .map(|k| format!("«{}»", title(k)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let transition = definition
        .transition(&from.key, &target.key)
        .ok_or_else(|| no_such_move(definition, from, target))?;
    Ok((from, transition))
}
