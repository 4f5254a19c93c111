//! Projects as the API shows them.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use engine::Engine;
use engine::definition::Definition;
use engine::model::{ChecklistMark, EventKind, StagePlan, WorkflowVersion};

use super::directory::{District, Organization};
use super::enums::{HistoryKind, ProjectStatus, Role};
use super::to_id;
use super::workflow::Workflow;
use crate::loaders::{
    ChecklistLoader, DistrictLoader, HistoryLoader, OrganizationLoader, StagePlanLoader, UserNameLoader, WorkflowLoader,
};

/// What a page of projects shows, loaded for the whole page at once (a fixed number of
/// statements whatever the page size). A project without it (one built from a mutation's
/// or an event's result) loads the same things through the batch loaders.
#[derive(Default)]
pub struct Preloaded {
    workflows: HashMap<i64, WorkflowVersion>,
    districts: HashMap<i64, engine::model::District>,
    organizations: HashMap<i64, engine::model::Organization>,
    stages: HashMap<i64, Vec<StagePlan>>,
    checklists: HashMap<i64, Vec<ChecklistMark>>,
}

/// A project: one run of a workflow in a district, for one or more organizations.
pub struct Project {
    pub(crate) project: engine::model::Project,
    data: Option<Arc<Preloaded>>,
}

fn unique(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl Project {
    /// A project whose related data loads on demand.
    pub fn new(project: engine::model::Project) -> Self {
        Project { project, data: None }
    }

    /// A project with what the engine already returned.
    pub fn from_details(details: engine::model::ProjectDetails) -> Self {
        let id = details.project.id;
        let version = engine::model::WorkflowVersion {
            id: details.project.workflow_version_id,
            key: details.workflow_key.clone(),
            version: details.workflow_version,
            fingerprint: String::new(),
            source_name: String::new(),
            registered_at: details.project.created_at,
            definition: details.definition.clone(),
        };
        let data = Preloaded {
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
    pub async fn page(engine: &Engine, projects: Vec<engine::model::Project>) -> async_graphql::Result<Vec<Project>> {
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let version_ids = unique(projects.iter().map(|p| p.workflow_version_id));
        let district_ids = unique(projects.iter().map(|p| p.district_id));
        let organization_ids = unique(projects.iter().flat_map(|p| p.participants.iter().copied()));
        let (workflows, districts, organizations, stages, checklists) = futures_util::try_join!(
            engine.workflow_versions_by_ids(&version_ids),
            engine.districts_by_ids(&district_ids),
            engine.organizations_by_ids(&organization_ids),
            engine.stage_plans_of(&ids),
            engine.checklists_of(&ids),
        )
        .map_err(crate::error::to_graphql)?;
        let data = Arc::new(Preloaded {
            workflows,
            districts,
            organizations,
            stages,
            checklists,
        });
        Ok(projects
            .into_iter()
            .map(|project| Project {
                project,
                data: Some(data.clone()),
            })
            .collect())
    }

    async fn workflow_version(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WorkflowVersion>> {
        let id = self.project.workflow_version_id;
        match self.data.as_ref().and_then(|d| d.workflows.get(&id)) {
            Some(found) => Ok(Some(found.clone())),
            None => ctx.data_unchecked::<DataLoader<WorkflowLoader>>().load_one(id).await,
        }
    }

    async fn district_value(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<engine::model::District>> {
        let id = self.project.district_id;
        match self.data.as_ref().and_then(|d| d.districts.get(&id)) {
            Some(found) => Ok(Some(found.clone())),
            None => ctx.data_unchecked::<DataLoader<DistrictLoader>>().load_one(id).await,
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
            None => Ok(ctx
                .data_unchecked::<DataLoader<StagePlanLoader>>()
                .load_one(self.project.id)
                .await?
                .unwrap_or_default()),
        }
    }

    async fn marks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ChecklistMark>> {
        match &self.data {
            Some(data) => Ok(data.checklists.get(&self.project.id).cloned().unwrap_or_default()),
            None => Ok(ctx
                .data_unchecked::<DataLoader<ChecklistLoader>>()
                .load_one(self.project.id)
                .await?
                .unwrap_or_default()),
        }
    }

    /// The current stage's plan (for objects that show it beside the project).
    pub(crate) async fn current_stage_for(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectStage>> {
        Ok(self.stage_list(ctx).await?.into_iter().find(|s| s.is_current))
    }

    async fn stage_list(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectStage>> {
        let (definition, plans, marks, today) =
            futures_util::try_join!(self.definition(ctx), self.plans(ctx), self.marks(ctx), self.today(ctx))?;
        Ok(plans
            .into_iter()
            .map(|plan| {
                let marks: Vec<ChecklistMark> = marks
                    .iter()
                    .filter(|m| m.stage_key == plan.stage_key)
                    .cloned()
                    .collect();
                ProjectStage {
                    is_current: plan.stage_key == self.project.current_stage,
                    active: self.project.status == engine::model::ProjectStatus::Active,
                    definition: definition.clone(),
                    plan,
                    marks,
                    today,
                }
            })
            .collect())
    }
}

#[Object]
impl Project {
    async fn id(&self) -> ID {
        to_id(self.project.id)
    }
    /// Название проекта.
    async fn title(&self) -> &str {
        &self.project.title
    }
    async fn status(&self) -> ProjectStatus {
        self.project.status.into()
    }
    /// Версия записи: передайте её в `transitionProject`, чтобы не затереть чужое изменение.
    async fn row_version(&self) -> i32 {
        self.project.row_version
    }
    /// Дата начала проекта.
    async fn start_date(&self) -> NaiveDate {
        self.project.start_date
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.project.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.project.updated_at
    }
    /// Когда проект завершён или отменён.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.project.closed_at
    }
    /// Процесс (в той версии, с которой проект запущен).
    async fn workflow(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Workflow>> {
        Ok(self.workflow_version(ctx).await?.map(Workflow))
    }
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        Ok(self.district_value(ctx).await?.map(District))
    }
    /// Организации-участники.
    async fn participants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let ids = self.project.participants.iter().copied();
        let found = match &self.data {
            Some(data) if ids.clone().all(|id| data.organizations.contains_key(&id)) => data.organizations.clone(),
            _ => {
                ctx.data_unchecked::<DataLoader<OrganizationLoader>>()
                    .load_many(ids)
                    .await?
            }
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
    /// Текущий этап.
    async fn current_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectStage>> {
        self.current_stage_for(ctx).await
    }
    /// Просрочен ли текущий этап (по времени района).
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
        let events = ctx
            .data_unchecked::<DataLoader<HistoryLoader>>()
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
                to_stage: t.to_stage,
                title: t.title,
                comment_required: t.comment_required,
                blockers: t.blockers,
            })
            .collect())
    }
}

/// A target set at launch.
#[derive(SimpleObject)]
pub struct IndicatorTarget {
    pub indicator: String,
    pub target: f64,
}

/// A transition the caller may take now (or could, once `blockers` are resolved).
#[derive(SimpleObject)]
pub struct AvailableTransition {
    /// Ключ этапа, в который ведёт переход.
    pub to_stage: String,
    /// Название действия.
    pub title: String,
    pub comment_required: bool,
    /// Можно ли сделать переход прямо сейчас.
    pub allowed: bool,
    /// Что мешает переходу.
    pub blockers: Vec<String>,
}

/// One stage of a project's plan.
pub struct ProjectStage {
    definition: Arc<Definition>,
    plan: StagePlan,
    marks: Vec<ChecklistMark>,
    today: NaiveDate,
    is_current: bool,
    active: bool,
}

impl ProjectStage {
    fn is_overdue(&self) -> bool {
        self.active && self.plan.completed_at.is_none() && self.plan.current_due.is_some_and(|due| due < self.today)
    }
}

#[Object]
impl ProjectStage {
    async fn key(&self) -> &str {
        &self.plan.stage_key
    }
    async fn title(&self) -> String {
        self.definition
            .stage(&self.plan.stage_key)
            .map_or_else(|| self.plan.stage_key.clone(), |s| s.title.clone())
    }
    async fn position(&self) -> i32 {
        self.plan.position
    }
    /// Кто отвечает за этап.
    async fn owners(&self) -> Vec<Role> {
        self.definition
            .stage(&self.plan.stage_key)
            .map(|s| s.owners.iter().map(|r| (*r).into()).collect())
            .unwrap_or_default()
    }
    /// Базовый срок, рассчитанный при запуске; не меняется.
    async fn baseline_due(&self) -> Option<NaiveDate> {
        self.plan.baseline_due
    }
    /// Текущий срок (после переносов и пересчёта).
    async fn current_due(&self) -> Option<NaiveDate> {
        self.plan.current_due
    }
    /// Срок установлен человеком (при запуске или переносом).
    async fn due_fixed(&self) -> bool {
        self.plan.due_fixed
    }
    async fn entered_at(&self) -> Option<DateTime<Utc>> {
        self.plan.entered_at
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.plan.completed_at
    }
    /// Это текущий этап проекта.
    async fn is_current(&self) -> bool {
        self.is_current
    }
    /// Срок прошёл, а этап не завершён.
    async fn overdue(&self) -> bool {
        self.is_overdue()
    }
    /// Дней до срока (отрицательное — дней просрочки); нет — у этапа нет срока или он завершён.
    async fn days_left(&self) -> Option<i64> {
        if self.plan.completed_at.is_some() {
            return None;
        }
        self.plan.current_due.map(|due| (due - self.today).num_days())
    }
    /// Чек-лист этапа с отметками.
    async fn checklist(&self) -> Vec<ChecklistItemState> {
        let Some(stage) = self.definition.stage(&self.plan.stage_key) else {
            return Vec::new();
        };
        stage
            .checklist
            .iter()
            .map(|item| {
                let mark = self.marks.iter().find(|m| m.item_key == item.key);
                ChecklistItemState {
                    key: item.key.clone(),
                    title: item.title.clone(),
                    done: mark.is_some_and(|m| m.done),
                    marked_at: mark.map(|m| m.marked_at),
                    marked_by: mark.and_then(|m| m.marked_by).map(to_id),
                }
            })
            .collect()
    }
}

/// A checklist item and whether it is ticked.
#[derive(SimpleObject)]
pub struct ChecklistItemState {
    pub key: String,
    pub title: String,
    pub done: bool,
    /// Когда отметку поставили или сняли в последний раз.
    pub marked_at: Option<DateTime<Utc>>,
    pub marked_by: Option<ID>,
}

/// One entry of a project's history.
pub struct HistoryEntry {
    pub(crate) event: engine::model::ProjectEvent,
    pub(crate) definition: Arc<Definition>,
}

impl HistoryEntry {
    fn stage_title(&self, key: Option<&str>) -> String {
        key.map(|k| {
            self.definition
                .stage(k)
                .map_or_else(|| k.to_string(), |s| s.title.clone())
        })
        .unwrap_or_default()
    }
}

#[Object]
impl HistoryEntry {
    async fn id(&self) -> ID {
        to_id(self.event.id)
    }
    /// Проект, к которому относится запись.
    async fn project_id(&self) -> ID {
        to_id(self.event.project_id)
    }
    async fn at(&self) -> DateTime<Utc> {
        self.event.at
    }
    async fn kind(&self) -> HistoryKind {
        self.event.kind.into()
    }
    /// Кто это сделал («Система» — автоматически).
    async fn actor_name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let Some(id) = self.event.actor_id else {
            return Ok("Система".into());
        };
        Ok(ctx
            .data_unchecked::<DataLoader<UserNameLoader>>()
            .load_one(id)
            .await?
            .unwrap_or_else(|| "—".into()))
    }
    async fn from_stage(&self) -> Option<&str> {
        self.event.from_stage.as_deref()
    }
    async fn to_stage(&self) -> Option<&str> {
        self.event.to_stage.as_deref()
    }
    /// Этап, которого касается перенос срока или отметка чек-листа.
    async fn stage(&self) -> Option<&str> {
        self.event.stage_key.as_deref()
    }
    /// Комментарий или причина.
    async fn comment(&self) -> Option<&str> {
        self.event.comment.as_deref()
    }
    /// Что произошло, одной фразой.
    async fn summary(&self) -> String {
        let e = &self.event;
        let date = |v: &serde_json::Value| {
            v.as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map_or("—".to_string(), |d| d.format("%d.%m.%Y").to_string())
        };
        match e.kind {
            EventKind::Launched => format!("Проект запущен, этап «{}»", self.stage_title(e.to_stage.as_deref())),
            EventKind::Transition => format!(
                "Переход: «{}» → «{}»",
                self.stage_title(e.from_stage.as_deref()),
                self.stage_title(e.to_stage.as_deref())
            ),
            EventKind::Rescheduled => format!(
                "Срок этапа «{}» перенесён: {} → {}",
                self.stage_title(e.stage_key.as_deref()),
                date(&e.details["from"]),
                date(&e.details["to"])
            ),
            EventKind::ChecklistItem => format!(
                "{} пункт «{}» (этап «{}»)",
                if e.details["done"].as_bool().unwrap_or(false) {
                    "Отмечен"
                } else {
                    "Снята отметка:"
                },
                e.details["title"].as_str().unwrap_or("?"),
                self.stage_title(e.stage_key.as_deref())
            ),
            EventKind::Cancelled => "Проект отменён".into(),
        }
    }
    /// Подробности (JSON).
    async fn details(&self) -> Json<serde_json::Value> {
        Json(self.event.details.clone())
    }
}
