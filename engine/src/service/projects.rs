//! Launching projects and reading them, and the helpers every project change shares.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::{Engine, required_text};
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::definition::{Definition, Scope};
use crate::error::{Error, Field, Result};
use crate::model::{
    District, DueChange, EventDetails, EventKind, LaunchDetails, Organization, ProjectDetails, ProjectStatus,
};
use crate::planning::{LaunchPlan, plan_launch};
use crate::schedule::{PlannedStage, StageFacts, replan};
use crate::store::convert;
use crate::store::entity::{checklist_marks, project_events, project_participants, projects, stage_plans};
use crate::store::repo::{NewEvent, participant_ids, record_event, stage_rows};

/// Input of [`Engine::launch_project`].
#[derive(Debug, Clone, Default)]
pub struct LaunchProject {
    pub workflow_key: String,
    /// `None`: the newest version.
    pub workflow_version: Option<i32>,
    pub district_id: i64,
    /// `None` or blank: the workflow's title (and the school's name, for a school's project).
    pub title: Option<String>,
    /// `None`: today in the district's time zone.
    pub start_date: Option<NaiveDate>,
    /// The participating organizations: exactly one for an organization-scope workflow.
    pub participants: Vec<i64>,
    /// Due dates set by the coordinator: required for `at_launch` stages, allowed for any.
    pub due_dates: BTreeMap<String, NaiveDate>,
    /// Targets for indicators, overriding (or supplying) the definition's.
    pub indicator_targets: BTreeMap<String, f64>,
    /// «Ответственный за проект»: a coordinator of the district. `None`: the launching
    /// coordinator (an administrator's launch names nobody).
    pub responsible_id: Option<i64>,
    /// The part each participant takes, by organization, for a workflow that declares parts;
    /// a participant left out takes the workflow's first part.
    pub parts: BTreeMap<i64, String>,
    /// People named for stages at launch, by stage key: each from those the stage is given to
    /// (see [`crate::access::may_be_named`]). A stage left out is its roles' until somebody is
    /// named on the project page.
    pub stage_responsibles: BTreeMap<String, i64>,
}

/// What a launch would store, computed without saving: see [`Engine::preview_launch`].
#[derive(Debug, Clone)]
pub struct LaunchPreview {
    pub definition: std::sync::Arc<Definition>,
    pub district: District,
    pub start: NaiveDate,
    pub title: String,
    pub plan: LaunchPlan,
    /// The person the project would be named to.
    pub responsible: Option<crate::model::User>,
    /// The people stages would be named to, by stage index.
    pub stage_responsibles: Vec<Option<crate::model::User>>,
}

/// Everything a launch decides before it writes: shared by the launch and its preview.
pub(super) struct PreparedLaunch {
    pub district: District,
    pub workflow: crate::model::WorkflowVersion,
    pub participants: Vec<Organization>,
    /// The part of each participant (in the order of `participants`), for a workflow with parts.
    pub parts: Vec<Option<String>>,
    pub start: NaiveDate,
    pub title: String,
    pub targets: BTreeMap<String, f64>,
    pub facts: Vec<StageFacts>,
    pub plan: LaunchPlan,
    pub responsible: Option<crate::model::User>,
    /// By stage index.
    pub stage_responsibles: Vec<Option<crate::model::User>>,
}

impl Engine {
    /// Checks a launch and computes its plan without writing anything. Administrators, and
    /// coordinators of the district.
    pub(super) async fn prepare_launch(&self, actor: &Actor, input: &LaunchProject) -> Result<PreparedLaunch> {
        let district = self.district(actor, input.district_id).await?;
        actor
            .scope()
            .require(Operation::LaunchProject, Target::District(district.id))?;
        let workflow = self
            .workflow_version(input.workflow_key.trim(), input.workflow_version)
            .await?;
        let definition = workflow.definition.clone();

        // Participants: known, in the district, unique, as many as the scope allows.
        let mut seen = HashSet::new();
        let ids: Vec<i64> = input
            .participants
            .iter()
            .copied()
            .filter(|id| seen.insert(*id))
            .collect();
        let found = crate::store::repo::organizations_by_ids(self.db(), &ids).await?;
        let mut participants: Vec<Organization> = Vec::with_capacity(ids.len());
        for id in ids {
            let organization = found.get(&id).filter(|o| o.district_id == district.id).ok_or_else(|| {
                Error::validation(
                    Field::ParticipantIds,
                    format!("Организации {id} нет в районе «{}».", district.name),
                )
            })?;
            participants.push(organization.clone());
        }
        match (definition.scope(), participants.len()) {
            (_, 0) => {
                return Err(Error::validation(
                    Field::ParticipantIds,
                    "Выберите хотя бы одну организацию-участника.",
                ));
            }
            (Scope::Organization, n) if n > 1 => {
                return Err(Error::validation(
                    Field::ParticipantIds,
                    format!(
                        "Процесс «{}» ведётся для одной организации: выберите одну (или запустите по проекту на каждую).",
                        definition.title()
                    ),
                ));
            }
            _ => {}
        }

        let parts = launch_parts(&definition, &participants, &input.parts)?;

        let today = self.today_in(district.time_zone);
        let start = input.start_date.unwrap_or(today);
        if !(2000..=2100).contains(&chrono::Datelike::year(&start)) {
            return Err(Error::validation(
                Field::StartDate,
                "Укажите дату начала с 2000 по 2100 год.",
            ));
        }
        let title = match input.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(title) => required_text(title, Field::Title, "Название проекта")?,
            None if definition.scope() == Scope::Organization => {
                format!("{} — {}", definition.title(), participants[0].name)
            }
            None => format!("{} — {}", definition.title(), district.name),
        };
        let targets = check_targets(&definition, &input.indicator_targets)?;

        // The stage plan. Due dates given at launch are pinned; the first stage is entered
        // on the start date.
        let mut facts = vec![StageFacts::default(); definition.stages().len()];
        facts[0].entered_on = Some(start);
        for (key, date) in &input.due_dates {
            let index = definition.stage_index(key).ok_or_else(|| {
                Error::validation(
                    Field::DueDate(key.clone()),
                    format!("В процессе «{}» нет этапа «{key}».", definition.title()),
                )
            })?;
            if *date < start {
                return Err(Error::validation(
                    Field::DueDate(key.clone()),
                    format!(
                        "Срок этапа «{}» ({}) раньше начала проекта ({}).",
                        definition.stages()[index].title,
                        ru_date(*date),
                        ru_date(start)
                    ),
                ));
            }
            facts[index].pinned_due = Some(*date);
        }
        let calendar = self.calendar_of(&district).await?;
        let plan = plan_launch(&definition, start, today, &facts, &calendar)?;
        let ids: Vec<i64> = participants.iter().map(|o| o.id).collect();
        let target = Target::Project {
            district: district.id,
            participants: &ids,
        };
        let responsible = match input.responsible_id {
            Some(id) => Some(
                self.check_nameable(id, target, super::PROJECT_ROLES, "за проект")
                    .await?,
            ),
            None if !actor.is_system() => self
                .check_nameable(actor.user_id, target, super::PROJECT_ROLES, "за проект")
                .await
                .ok(),
            None => None,
        };
        let mut stage_responsibles = vec![None; definition.stages().len()];
        for (key, user) in &input.stage_responsibles {
            let index = definition
                .stage_index(key)
                .filter(|&i| !definition.stages()[i].terminal)
                .ok_or_else(|| {
                    Error::validation(
                        Field::StageResponsible(key.clone()),
                        format!(
                            "В процессе «{}» нет этапа «{key}», за который можно отвечать.",
                            definition.title()
                        ),
                    )
                })?;
            let stage = &definition.stages()[index];
            let person = self
                .check_nameable(*user, target, &stage.owners, &format!("за этап «{}»", stage.title))
                .await
                .map_err(|e| e.on_field(Field::StageResponsible(key.clone())))?;
            stage_responsibles[index] = Some(person);
        }
        Ok(PreparedLaunch {
            district,
            workflow,
            participants,
            parts,
            start,
            title,
            targets,
            facts,
            plan,
            responsible,
            stage_responsibles,
        })
    }

    /// The plan a launch would store — every stage's date, provisional marks, warnings —
    /// computed without saving anything.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn preview_launch(&self, actor: &Actor, input: LaunchProject) -> Result<LaunchPreview> {
        let prepared = self.prepare_launch(actor, &input).await?;
        Ok(LaunchPreview {
            definition: prepared.workflow.definition.clone(),
            district: prepared.district,
            start: prepared.start,
            title: prepared.title,
            plan: prepared.plan,
            responsible: prepared.responsible,
            stage_responsibles: prepared.stage_responsibles,
        })
    }

    /// Launches a project: stores it with its participants and the whole stage plan (the
    /// baseline and current due dates), enters the first stage and writes the history entry.
    /// Administrators, and coordinators of the district.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn launch_project(&self, actor: &Actor, input: LaunchProject) -> Result<ProjectDetails> {
        let PreparedLaunch {
            district,
            workflow,
            participants,
            parts,
            start,
            title,
            targets,
            facts,
            plan,
            responsible,
            stage_responsibles,
        } = self.prepare_launch(actor, &input).await?;
        let definition = workflow.definition.clone();
        let dues = plan.dues();

        let now = self.now();
        let txn = self.db.begin().await?;
        let project = projects::ActiveModel {
            workflow_version_id: Set(workflow.id),
            district_id: Set(district.id),
            search_text: Set(crate::text::search_key(&title)),
            title: Set(title),
            start_date: Set(start),
            current_stage: Set(definition.first_stage().key.clone()),
            status: Set(ProjectStatus::Active.as_str().to_string()),
            row_version: Set(1),
            indicator_targets: Set(serde_json::to_string(&targets).map_err(|e| Error::Internal(e.to_string()))?),
            created_by: Set(actor.recorded_id()),
            created_at: Set(now),
            updated_at: Set(now),
            closed_at: Set(None),
            annual_cycle: Set(plan.annual_cycle as i32),
            responsible_id: Set(responsible.as_ref().map(|u| u.id)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        project_participants::Entity::insert_many(participants.iter().zip(&parts).map(|(o, part)| {
            project_participants::ActiveModel {
                project_id: Set(project.id),
                organization_id: Set(o.id),
                part: Set(part.clone()),
            }
        }))
        .exec(&txn)
        .await?;
        stage_plans::Entity::insert_many(
            definition
                .stages()
                .iter()
                .zip(&dues)
                .enumerate()
                .map(|(i, (stage, due))| stage_plans::ActiveModel {
                    project_id: Set(project.id),
                    stage_key: Set(stage.key.clone()),
                    position: Set(i as i32),
                    baseline_due: Set(*due),
                    current_due: Set(*due),
                    due_fixed: Set(facts[i].pinned_due.is_some()),
                    entered_at: Set((i == 0).then_some(now)),
                    completed_at: Set(None),
                    responsible_id: Set(stage_responsibles[i].as_ref().map(|u| u.id)),
                    ..Default::default()
                }),
        )
        .exec(&txn)
        .await?;
        let details = EventDetails::Launched(LaunchDetails {
            workflow: workflow.key.clone(),
            version: workflow.version,
            start_date: Some(start),
            annual_cycle: Some(plan.annual_cycle),
            participants: participants.iter().map(|o| o.id).collect(),
            due_dates: input.due_dates.clone(),
            indicator_targets: targets.clone(),
            responsible: responsible.as_ref().map(|u| u.id),
            stage_responsibles: definition
                .stages()
                .iter()
                .zip(&stage_responsibles)
                .filter_map(|(stage, u)| u.as_ref().map(|u| (stage.key.clone(), u.id)))
                .collect(),
        });
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::Launched,
                from_stage: None,
                to_stage: Some(&definition.first_stage().key),
                stage_key: None,
                comment: None,
                details,
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        tracing::info!(project = project.id, workflow = %workflow.key, version = workflow.version, "project launched");
        self.project(actor, project.id).await
    }

    /// A project with its plan, checklist and history, if the caller may read it.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn project(&self, actor: &Actor, id: i64) -> Result<ProjectDetails> {
        let (row, participants) = self.readable_project_with_parts(actor, id).await?;
        self.details(row, participants, true).await
    }

    /// [`Engine::project`] without the history (`history` is left empty): for answers to
    /// changes, whose callers read the history, if at all, on their own (the API does it per
    /// field) — a project's history only grows, and re-reading it on every move made moves
    /// slower the longer a project ran.
    pub(super) async fn project_without_history(&self, actor: &Actor, id: i64) -> Result<ProjectDetails> {
        let (row, participants) = self.readable_project_with_parts(actor, id).await?;
        self.details(row, participants, false).await
    }

    /// A project's row and participants, if it exists and the caller may read it. Every
    /// project service starts here, outside its transaction: a caller who may not read the
    /// project learns nothing more about it, not even its version.
    pub(super) async fn readable_project(&self, actor: &Actor, id: i64) -> Result<(projects::Model, Vec<i64>)> {
        let (row, participants) = self.readable_project_with_parts(actor, id).await?;
        Ok((row, participants.into_iter().map(|(org, _)| org).collect()))
    }

    /// [`Engine::readable_project`] with the part each participant takes.
    pub(super) async fn readable_project_with_parts(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(projects::Model, Vec<(i64, Option<String>)>)> {
        let row = projects::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("проект", id))?;
        let participants = participant_ids(&self.db, id).await?;
        let ids: Vec<i64> = participants.iter().map(|(org, _)| *org).collect();
        actor.scope().require(
            Operation::ReadProject,
            Target::Project {
                district: row.district_id,
                participants: &ids,
            },
        )?;
        Ok((row, participants))
    }

    pub(super) async fn details(
        &self,
        row: projects::Model,
        participants: Vec<(i64, Option<String>)>,
        with_history: bool,
    ) -> Result<ProjectDetails> {
        let (_, version) = self.definition_by_version_id(row.workflow_version_id).await?;
        let workflow = self.version_from_row(version)?;
        let district = self.load_district(row.district_id).await?;
        let stages = stage_rows(&self.db, row.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        let checklist = checklist_marks::Entity::find()
            .filter(checklist_marks::Column::ProjectId.eq(row.id))
            .order_by_asc(checklist_marks::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        let history = if with_history {
            project_events::Entity::find()
                .filter(project_events::Column::ProjectId.eq(row.id))
                .order_by_asc(project_events::Column::At)
                .order_by_asc(project_events::Column::Id)
                .all(&self.db)
                .await?
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        Ok(ProjectDetails {
            project: convert::project(row, participants)?,
            definition: workflow.definition.clone(),
            workflow,
            district,
            stages,
            checklist,
            history,
        })
    }

    /// Recomputes the current due dates of a project's stages that nobody pinned and that are
    /// not completed, and stores those that changed. Runs inside the caller's transaction.
    pub(super) async fn replan<C: ConnectionTrait>(
        &self,
        c: &C,
        definition: &Definition,
        district: &District,
        start: NaiveDate,
        annual_cycle: i32,
        rows: &[stage_plans::Model],
    ) -> Result<()> {
        let calendar = self.calendar_of(district).await?;
        replan_rows(c, definition, district, start, annual_cycle, rows, &calendar).await?;
        Ok(())
    }
}

/// Recomputes and stores the current due dates of `rows` with `calendar`; returns the
/// changes as `{stage, from, to}` (shared by every change of a project and by a calendar
/// change).
pub(super) async fn replan_rows<C: ConnectionTrait>(
    c: &C,
    definition: &Definition,
    district: &District,
    start: NaiveDate,
    annual_cycle: i32,
    rows: &[stage_plans::Model],
    calendar: &crate::calendar::Calendar,
) -> Result<Vec<DueChange>> {
    {
        let stages: Vec<PlannedStage> = definition
            .stages()
            .iter()
            .map(|stage| {
                rows.iter()
                    .find(|r| r.stage_key == stage.key)
                    .map_or_else(PlannedStage::default, |r| PlannedStage {
                        entered_on: r.entered_at.map(|at| local_date(at, district.time_zone)),
                        current_due: r.current_due,
                        due_fixed: r.due_fixed,
                        completed: r.completed_at.is_some(),
                    })
            })
            .collect();
        let dues = replan(
            definition,
            start,
            u32::try_from(annual_cycle).unwrap_or(0),
            &stages,
            calendar,
        )?;
        let mut changes = Vec::new();
        for (stage, due) in definition.stages().iter().zip(dues) {
            if let Some(row) = rows.iter().find(|r| r.stage_key == stage.key)
                && row.current_due != due
            {
                stage_plans::Entity::update_many()
                    .col_expr(stage_plans::Column::CurrentDue, Expr::value(due))
                    .filter(stage_plans::Column::Id.eq(row.id))
                    .exec(c)
                    .await?;
                changes.push(DueChange {
                    stage: stage.key.clone(),
                    from: row.current_due,
                    to: due,
                });
            }
        }
        Ok(changes)
    }
}

/// Checks launch-time targets against the indicators' types.
fn check_targets(definition: &Definition, targets: &BTreeMap<String, f64>) -> Result<BTreeMap<String, f64>> {
    for (key, &value) in targets {
        let field = Field::IndicatorTarget(key.clone());
        let indicator = definition.indicator(key).ok_or_else(|| {
            Error::validation(
                field.clone(),
                format!("В процессе «{}» нет показателя «{key}».", definition.title()),
            )
        })?;
        let problem = indicator.kind.value_problem(value);
        if let Some(problem) = problem {
            return Err(Error::validation(
                field,
                format!(
                    "Цель {value} для показателя «{}» не подходит: {problem}.",
                    indicator.label()
                ),
            ));
        }
    }
    Ok(targets.clone())
}

/// `12.03.2025`, as dates are written in Russian documents.
pub(crate) fn ru_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// The calendar date of an instant in a time zone.
pub(crate) fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The part of each participant of a launch: the one chosen, else the workflow's first;
/// none for a workflow without parts. A part the workflow does not have, or one given for an
/// organization that is not a participant, is refused.
fn launch_parts(
    definition: &Definition,
    participants: &[Organization],
    chosen: &BTreeMap<i64, String>,
) -> Result<Vec<Option<String>>> {
    let parts = definition.parts();
    if parts.is_empty() {
        if !chosen.is_empty() {
            return Err(Error::validation(
                Field::ParticipantParts,
                format!(
                    "В процессе «{}» у участников нет ролей: все отчитываются одинаково. Уберите выбор ролей.",
                    definition.title()
                ),
            ));
        }
        return Ok(vec![None; participants.len()]);
    }
    for (org, part) in chosen {
        if !participants.iter().any(|o| o.id == *org) {
            return Err(Error::validation(
                Field::ParticipantParts,
                format!("Организация {org} не среди участников: роль дают только участникам проекта."),
            ));
        }
        if definition.part(part).is_none() {
            let titles: Vec<String> = parts.iter().map(|p| format!("«{}»", p.title)).collect();
            return Err(Error::validation(
                Field::ParticipantParts,
                format!(
                    "В процессе «{}» нет роли участника «{part}»: выберите одну из {}.",
                    definition.title(),
                    titles.join(", ")
                ),
            ));
        }
    }
    Ok(participants
        .iter()
        .map(|o| Some(chosen.get(&o.id).cloned().unwrap_or_else(|| parts[0].key.clone())))
        .collect())
}
