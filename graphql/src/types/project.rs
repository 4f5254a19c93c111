//! Projects as the API shows them.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::NaiveDate;
use engine::Engine;
use engine::definition::Definition;
use engine::model::{ChecklistMark, StagePlan, WorkflowVersion};
use engine::service::ProjectBatch;

use super::directory::{District, Organization, Person};
use super::enums::ProjectStatus;
use super::history::HistoryEntry;
use super::indicators::{IndicatorProgress, ProjectHealth};
use super::scalars::{Date, DateTime};
use super::stage::ProjectStage;
use super::to_id;
use super::workflow::Workflow;
use crate::error::GqlResult;

/// A project: one run of a workflow in a district, for one or more organizations.
pub struct Project {
    pub(crate) project: engine::model::Project,
    /// What a page of projects shows, loaded for the whole page at once (a fixed number of
    /// statements whatever the page size). A project without it (one built from an event's
    /// result) loads the same things through the batch loaders.
    data: Option<Arc<ProjectBatch>>,
}

impl Project {
    /// A project whose related data loads on demand.
    pub fn new(project: engine::model::Project) -> Self {
        Project { project, data: None }
    }

    /// A project with what the engine already returned.
    pub fn from_details(details: engine::model::ProjectDetails) -> Self {
        let id = details.project.id;
        let version = details.workflow.clone();
        let data = ProjectBatch {
            workflows: HashMap::from([(version.id, version)]),
            districts: HashMap::from([(details.district.id, details.district.clone())]),
            organizations: HashMap::new(),
            stages: HashMap::from([(id, details.stages)]),
            checklists: HashMap::from([(id, details.checklist)]),
        };
        Project {
            project: details.project,
            data: Some(Arc::new(data)),
        }
    }

    /// A page of projects with their workflows, districts, participants, stage plans and
    /// checklists loaded in five statements.
    pub async fn page(
        engine: &Engine,
        actor: &engine::Actor,
        projects: Vec<engine::model::Project>,
    ) -> async_graphql::Result<Vec<Project>> {
        let batch = engine
            .project_batch(actor, &projects)
            .await
            .map_err(crate::error::to_graphql)?;
        let data = Arc::new(batch);
        Ok(projects
            .into_iter()
            .map(|project| Project {
                project,
                data: Some(data.clone()),
            })
            .collect())
    }

    fn active(&self) -> bool {
        self.project.status == engine::model::ProjectStatus::Active
    }

    /// Whether the caller's permissions (the one table, [`engine::access`]) allow `operation`
    /// on this project.
    fn viewer_may(&self, ctx: &Context<'_>, operation: engine::access::Operation) -> async_graphql::Result<bool> {
        let target = engine::access::Target::Project {
            district: self.project.district_id,
            participants: &self.project.participants,
        };
        Ok(crate::context::actor(ctx)?.scope().may(operation, target))
    }

    async fn workflow_version(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WorkflowVersion>> {
        let id = self.project.workflow_version_id;
        match self.data.as_ref().and_then(|d| d.workflows.get(&id)) {
            Some(found) => Ok(Some(found.clone())),
            None => crate::loaders::of(ctx)?.workflows.load_one(id).await,
        }
    }

    async fn district_value(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<engine::model::District>> {
        let id = self.project.district_id;
        match self.data.as_ref().and_then(|d| d.districts.get(&id)) {
            Some(found) => Ok(Some(found.clone())),
            None => crate::loaders::of(ctx)?.districts.load_one(id).await,
        }
    }

    async fn definition(&self, ctx: &Context<'_>) -> async_graphql::Result<Arc<Definition>> {
        let version = self.workflow_version(ctx).await?;
        version
            .map(|v| v.definition)
            .ok_or_else(|| async_graphql::Error::new("workflow version missing"))
    }

    /// Today in the project's district.
    async fn today(&self, ctx: &Context<'_>) -> async_graphql::Result<NaiveDate> {
        let district = self.district_value(ctx).await?;
        let engine = ctx.data_unchecked::<Engine>();
        Ok(district.map_or_else(|| engine.now().date_naive(), |d| engine.today_in(d.time_zone)))
    }

    async fn plans(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StagePlan>> {
        match self.data.as_ref().and_then(|d| d.stages.get(&self.project.id)) {
            Some(found) => Ok(found.clone()),
            None => Ok(crate::loaders::of(ctx)?
                .stage_plans
                .load_one(self.project.id)
                .await?
                .unwrap_or_default()),
        }
    }

    async fn marks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ChecklistMark>> {
        match &self.data {
            Some(data) => Ok(data.checklists.get(&self.project.id).cloned().unwrap_or_default()),
            None => Ok(crate::loaders::of(ctx)?
                .checklists
                .load_one(self.project.id)
                .await?
                .unwrap_or_default()),
        }
    }

    /// The current stage's plan (for objects that show it beside the project).
    pub(crate) async fn current_stage_for(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectStage>> {
        Ok(self.stage_list(ctx).await?.into_iter().find(|s| s.is_current))
    }

    pub(crate) async fn stage_list(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectStage>> {
        let (definition, plans, marks, today, district) = futures_util::try_join!(
            self.definition(ctx),
            self.plans(ctx),
            self.marks(ctx),
            self.today(ctx),
            self.district_value(ctx)
        )?;
        let region = district.as_ref().and_then(|d| d.region_code.as_deref());
        // Tasks with their own dates need the district's calendar; most workflows have none.
        let calendar = match (&district, definition.has_tasks()) {
            (Some(d), true) => crate::loaders::of(ctx)?
                .calendars
                .load_one(d.id)
                .await?
                .map(|c| (c, d.time_zone)),
            _ => None,
        };
        let start = self.project.start_date;
        let active = self.project.status == engine::model::ProjectStatus::Active;
        let marking = definition.marking(plans.iter().filter(|p| p.is_current()).map(|p| p.stage_key.as_str()));
        let reached: Vec<String> = plans
            .iter()
            .filter(|p| p.completed_at.is_some())
            .map(|p| p.stage_key.clone())
            .collect();
        let waiting_for = |key: &str| -> Vec<String> {
            let (Some(index), Some(stage)) = (definition.stage_index(key), definition.stage(key)) else {
                return Vec::new();
            };
            if !active || !stage.join.iter().any(|k| reached.contains(k)) {
                return Vec::new();
            }
            definition
                .waited_for(marking, index)
                .into_iter()
                .map(|i| definition.stages()[i].title.clone())
                .collect()
        };
        Ok(plans
            .iter()
            .cloned()
            .map(|plan| {
                let waiting_for = waiting_for(&plan.stage_key);
                let marks: Vec<ChecklistMark> = marks
                    .iter()
                    .filter(|m| m.stage_key == plan.stage_key)
                    .cloned()
                    .collect();
                let task_dues = match (&calendar, definition.stage(&plan.stage_key)) {
                    (Some((calendar, tz)), Some(stage)) => stage
                        .checklist
                        .iter()
                        .filter_map(|item| {
                            let rule = item.due.as_ref()?;
                            engine::schedule::task_due(rule, &stage.key, start, &plans, *tz, calendar)
                                .map(|d| (item.key.clone(), d))
                        })
                        .collect(),
                    _ => Default::default(),
                };
                let provisional = plan.completed_at.is_none()
                    && plan
                        .current_due
                        .is_some_and(|due| super::calendar::provisional_between(region, start, due));
                ProjectStage {
                    provisional,
                    // A closed project shows the stage it stopped at.
                    is_current: if active {
                        plan.is_current()
                    } else {
                        plan.stage_key == self.project.current_stage
                    },
                    active,
                    waiting_for,
                    task_dues,
                    definition: definition.clone(),
                    plan,
                    marks,
                    today,
                }
            })
            .collect())
    }
}

/// Проект: запуск процесса в районе для одной или нескольких организаций.
#[Object]
impl Project {
    /// Идентификатор проекта.
    async fn id(&self) -> ID {
        to_id(self.project.id)
    }
    /// Глобальный идентификатор: один на весь API, не совпадает у объектов разных типов.
    /// Передайте его в `node(id:)`, чтобы получить объект заново.
    pub async fn node_id(&self) -> ID {
        super::node::node_id(super::node::Kind::Project, self.project.id)
    }
    /// Можете ли вы отменить проект: он идёт, и отмена вам разрешена (администратор,
    /// координатор района). Интерфейс показывает кнопку «Отменить проект» по этому полю.
    async fn viewer_can_cancel(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.active() && self.viewer_may(ctx, engine::access::Operation::CancelProject)?)
    }
    /// Можете ли вы переносить сроки этапов проекта: он идёт, и перенос вам разрешён.
    async fn viewer_can_reschedule(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.active() && self.viewer_may(ctx, engine::access::Operation::RescheduleStage)?)
    }
    /// Можете ли вы назначать ответственных за проект и его этапы: он идёт, и это вам
    /// разрешено (администратор, координатор района).
    async fn viewer_can_assign(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.active() && self.viewer_may(ctx, engine::access::Operation::AssignResponsible)?)
    }
    /// Роли участников в проекте процесса, где они есть (`Workflow.parts`): какая организация —
    /// базовая школа, какая — школа-участник. Пусто для процессов без ролей.
    async fn participant_parts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ParticipantPart>> {
        if self.project.parts.is_empty() {
            return Ok(Vec::new());
        }
        let definition = self.definition(ctx).await?;
        let organizations = self.participants(ctx).await?;
        Ok(organizations
            .into_iter()
            .filter_map(|organization| {
                let key = self.project.part_of(organization.0.id)?;
                let title = definition
                    .part(key)
                    .map_or_else(|| key.to_string(), |p| p.title.clone());
                Some(ParticipantPart {
                    part: key.to_string(),
                    title,
                    organization,
                })
            })
            .collect())
    }
    /// Ответственный за проект; нет — никто не назначен.
    async fn responsible(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        Person::load(ctx, self.project.responsible_id).await
    }
    /// Кого можно назначить ответственным за проект (`stage` не задан), за этап или за задачу
    /// этапа: для проекта — координаторов района, для этапа и задачи — тех, кому они поручены
    /// процессом (координаторы района, руководители организаций-участников). Только тем, кто
    /// может назначать.
    async fn responsible_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Ключ этапа; без него — кандидаты в ответственные за весь проект.")] stage: Option<String>,
        #[graphql(desc = "Ключ задачи (пункта чек-листа) этапа `stage`.")] task: Option<String>,
    ) -> async_graphql::Result<Vec<Person>> {
        let actor = crate::context::actor(ctx)?;
        let what = crate::inputs::responsible_for(stage.as_deref(), task.as_deref()).gql()?;
        let people = ctx
            .data_unchecked::<engine::Engine>()
            .responsible_candidates(actor, self.project.id, what)
            .await
            .gql()?;
        Ok(people.iter().map(Person::of).collect())
    }
    /// Название проекта.
    async fn title(&self) -> &str {
        &self.project.title
    }
    /// Состояние проекта: идёт, завершён или отменён.
    async fn status(&self) -> ProjectStatus {
        self.project.status.into()
    }
    /// Версия записи: передайте её в `transitionProject`, чтобы не затереть чужое изменение.
    async fn row_version(&self) -> i32 {
        self.project.row_version
    }
    /// Дата начала проекта.
    async fn start_date(&self) -> Date {
        self.project.start_date.into()
    }
    /// Когда проект создан (запущен).
    async fn created_at(&self) -> DateTime {
        self.project.created_at.into()
    }
    /// Когда проект изменялся в последний раз.
    async fn updated_at(&self) -> DateTime {
        self.project.updated_at.into()
    }
    /// Когда проект завершён или отменён.
    async fn closed_at(&self) -> Option<DateTime> {
        self.project.closed_at.map(DateTime::from)
    }
    /// Процесс (в той версии, с которой проект запущен).
    async fn workflow(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Workflow>> {
        Ok(self.workflow_version(ctx).await?.map(Workflow))
    }
    /// Район проекта.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        Ok(self.district_value(ctx).await?.map(District))
    }
    /// Организации-участники.
    async fn participants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let ids = self.project.participants.iter().copied();
        let found = match &self.data {
            Some(data) if ids.clone().all(|id| data.organizations.contains_key(&id)) => data.organizations.clone(),
            _ => crate::loaders::of(ctx)?.organizations.load_many(ids).await?,
        };
        Ok(self
            .project
            .participants
            .iter()
            .filter_map(|id| found.get(id).cloned())
            .map(Organization)
            .collect())
    }
    /// Показатели, которым цель задана при запуске (код и цель).
    async fn indicator_targets(&self) -> Vec<IndicatorTarget> {
        self.project
            .indicator_targets
            .iter()
            .map(|(k, v)| IndicatorTarget {
                indicator: k.clone(),
                target: *v,
            })
            .collect()
    }
    /// План всех этапов: базовые и текущие сроки, когда начат и завершён, чек-листы.
    async fn stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectStage>> {
        self.stage_list(ctx).await
    }
    /// Текущий этап; когда этапы идут параллельно — первый из них по порядку процесса
    /// (все — в `currentStages`).
    async fn current_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectStage>> {
        self.current_stage_for(ctx).await
    }
    /// Все этапы, которые идут сейчас, по порядку процесса: один или несколько, когда процесс
    /// разветвился на параллельные ветви.
    async fn current_stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectStage>> {
        Ok(self
            .stage_list(ctx)
            .await?
            .into_iter()
            .filter(|s| s.is_current)
            .collect())
    }
    /// Просрочен ли какой-нибудь из идущих этапов (по времени района).
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self
            .stage_list(ctx)
            .await?
            .iter()
            .any(|s| s.is_current && s.is_overdue()))
    }
    /// История: запуск, переходы, переносы сроков, отметки чек-листа, отмена.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<HistoryEntry>> {
        let definition = self.definition(ctx).await?;
        let events = crate::loaders::of(ctx)?
            .history
            .load_one(self.project.id)
            .await?
            .unwrap_or_default();
        Ok(events
            .into_iter()
            .map(|event| HistoryEntry {
                event,
                definition: definition.clone(),
            })
            .collect())
    }
    /// Светофор проекта: просрочки, близкие сроки и показатели.
    async fn health(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectHealth>> {
        let found = crate::loaders::of(ctx)?.health.load_one(self.project.id).await?;
        Ok(found.map(|(health, _)| health.into()))
    }
    /// План и факт по каждому показателю для каждой организации-участника.
    async fn indicator_progress(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<IndicatorProgress>> {
        let definition = self.definition(ctx).await?;
        let found = crate::loaders::of(ctx)?.health.load_one(self.project.id).await?;
        Ok(found
            .map(|(_, list)| list)
            .unwrap_or_default()
            .into_iter()
            .map(|progress| {
                let (title, unit) = definition
                    .indicator(&progress.indicator_key)
                    .map(|i| (i.title.clone(), i.unit.clone()))
                    .unwrap_or_default();
                IndicatorProgress { progress, title, unit }
            })
            .collect())
    }
    /// Переходы, которые вы можете сделать сейчас, и что им мешает.
    #[graphql(complexity = 20)]
    async fn available_transitions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AvailableTransition>> {
        let actor = crate::context::actor(ctx)?;
        let engine = ctx.data_unchecked::<Engine>();
        let list = engine
            .available_transitions(actor, self.project.id)
            .await
            .map_err(crate::error::to_graphql)?;
        Ok(list
            .into_iter()
            .map(|t| AvailableTransition {
                allowed: t.blockers.is_empty(),
                from_stage: t.from_stage,
                to_stage: t.to_stage,
                to_stages: t.to_stages,
                title: t.title,
                comment_required: t.comment_required,
                blockers: t.blockers,
            })
            .collect())
    }
}

/// Цель показателя, заданная при запуске проекта.
#[derive(SimpleObject)]
pub struct IndicatorTarget {
    /// Код показателя.
    pub indicator: String,
    /// Целевое значение.
    pub target: f64,
}

/// Переход из идущего этапа, доступный вам: сейчас или когда будет устранено то, что
/// перечислено в `blockers`.
#[derive(SimpleObject)]
pub struct AvailableTransition {
    /// Ключ этапа, из которого переход: какая ветвь движется, когда этапы идут параллельно.
    /// Передайте его в `transitionProject` как `fromStage`.
    pub from_stage: String,
    /// Ключ этапа, в который ведёт переход (первого, если переход открывает параллельные ветви).
    pub to_stage: String,
    /// Ключи всех этапов, которые открывает переход: несколько — у развилки.
    pub to_stages: Vec<String>,
    /// Название действия.
    pub title: String,
    /// Для перехода нужен комментарий.
    pub comment_required: bool,
    /// Можно ли сделать переход прямо сейчас.
    pub allowed: bool,
    /// Что мешает переходу.
    pub blockers: Vec<String>,
}

/// Роль организации-участника в проекте.
#[derive(SimpleObject)]
pub struct ParticipantPart {
    /// Организация.
    pub organization: Organization,
    /// Ключ роли (`Workflow.parts`).
    pub part: String,
    /// Название роли.
    pub title: String,
}
