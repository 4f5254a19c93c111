//! Workflow definitions as the API shows them.

use std::sync::Arc;

use async_graphql::{Object, SimpleObject};
use engine::definition::{Definition, Target};

use super::enums::{Direction, IndicatorType, Periodicity, Role, Scope};
use super::scalars::DateTime;

/// One version of a workflow: its stages, transitions and indicators.
pub struct Workflow(pub engine::model::WorkflowVersion);

/// Версия процесса: этапы, переходы и показатели.
#[Object]
impl Workflow {
    /// Идентификатор версии процесса: ключ и номер версии, например `tochka-rosta@2`. Один и тот
    /// же у одной версии везде, где она встречается (кэш клиента может сливать их по нему).
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(format!("{}@{}", self.0.key, self.0.version))
    }
    /// Глобальный идентификатор: один на весь API, не совпадает у объектов разных типов.
    /// Передайте его в `node(id:)`, чтобы получить объект заново.
    pub async fn node_id(&self) -> async_graphql::ID {
        super::node::node_id(
            super::node::Kind::Workflow,
            format_args!("{}@{}", self.0.key, self.0.version),
        )
    }
    /// Ключ процесса, например `tochka-rosta`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Номер версии; проект остаётся на версии, с которой запущен.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Название процесса.
    async fn title(&self) -> &str {
        self.0.definition.title()
    }
    /// Описание процесса.
    async fn description(&self) -> Option<&str> {
        self.0.definition.description()
    }
    /// Для одной организации или для района.
    async fn scope(&self) -> Scope {
        self.0.definition.scope().into()
    }
    /// Когда эта версия появилась.
    async fn registered_at(&self) -> DateTime {
        self.0.registered_at.into()
    }
    /// Этапы по порядку; с первого проект начинается.
    async fn stages(&self) -> Vec<WorkflowStage> {
        (0..self.0.definition.stages().len())
            .map(|i| WorkflowStage {
                definition: self.0.definition.clone(),
                index: i,
            })
            .collect()
    }
    /// Переходы между этапами.
    async fn transitions(&self) -> Vec<WorkflowTransition> {
        self.0.definition.transitions().iter().map(transition).collect()
    }
    /// Показатели, которые сдают участники.
    async fn indicators(&self) -> Vec<Indicator> {
        self.0.definition.indicators().iter().map(indicator).collect()
    }
    /// Роли, которые организации-участники могут играть в проекте (например, «базовая школа» и
    /// «школа-участник»): от роли зависит, какие показатели организация сдаёт. Первая — та,
    /// что даётся при запуске, если роль не выбрана. Пусто — все участники отчитываются
    /// одинаково.
    async fn parts(&self) -> Vec<WorkflowPart> {
        self.0
            .definition
            .parts()
            .iter()
            .map(|p| WorkflowPart {
                key: p.key.clone(),
                title: p.title.clone(),
            })
            .collect()
    }
}

/// Роль организации-участника в проекте процесса.
#[derive(SimpleObject, Clone)]
pub struct WorkflowPart {
    /// Ключ роли (для `participantParts` при запуске).
    pub key: String,
    /// Название роли.
    pub title: String,
}

/// A stage of a workflow.
pub struct WorkflowStage {
    definition: Arc<Definition>,
    index: usize,
}

impl WorkflowStage {
    fn stage(&self) -> &engine::definition::Stage {
        &self.definition.stages()[self.index]
    }
}

/// Этап процесса.
#[Object]
impl WorkflowStage {
    /// Ключ этапа.
    async fn key(&self) -> &str {
        &self.stage().key
    }
    /// Название этапа.
    async fn title(&self) -> &str {
        &self.stage().title
    }
    /// Описание этапа.
    async fn description(&self) -> Option<&str> {
        self.stage().description.as_deref()
    }
    /// Кто отвечает за этап.
    async fn owners(&self) -> Vec<Role> {
        self.stage().owners.iter().map(|r| (*r).into()).collect()
    }
    /// Пункты чек-листа этапа.
    async fn checklist(&self) -> Vec<ChecklistItemDefinition> {
        self.stage()
            .checklist
            .iter()
            .map(|i| ChecklistItemDefinition {
                key: i.key.clone(),
                title: i.title.clone(),
                due_rule: i.due.as_ref().map(|r| r.describe(&self.definition)),
                document_required: i.document,
            })
            .collect()
    }
    /// Правило срока, словами; нет — у этапа нет срока.
    async fn due_rule(&self) -> Option<String> {
        self.stage().due.as_ref().map(|rule| rule.describe(&self.definition))
    }
    /// Срок этапа назначает координатор при запуске (например, дата «Единого методического дня»).
    async fn due_at_launch(&self) -> bool {
        matches!(self.stage().due, Some(engine::definition::DueRule::AtLaunch))
    }
    /// Для этапа со сроком «ежегодно к дате» (открытие «Точки роста» к 1 сентября): месяц и
    /// день этой даты. При запуске берётся ближайшая такая дата, к которой успевает план;
    /// координатор может назначить и более позднюю (`dueDates` запуска). Нет — правило другое.
    async fn annual_day(&self) -> Option<MonthDay> {
        match self.stage().due {
            Some(engine::definition::DueRule::Annual { month, day }) => Some(MonthDay { month, day }),
            _ => None,
        }
    }
    /// Завершающий этап: попав в него, проект завершается.
    async fn terminal(&self) -> bool {
        self.stage().terminal
    }
    /// Для этапа, где сходятся параллельные ветви (слияние): ключи этапов, завершения которых он
    /// ждёт. Пусто у обычного этапа.
    async fn join(&self) -> &[String] {
        &self.stage().join
    }
}

/// День года: месяц и число, без года.
#[derive(SimpleObject, Clone, Copy)]
pub struct MonthDay {
    /// Месяц, от 1 до 12.
    pub month: u32,
    /// Число месяца.
    pub day: u32,
}

/// Пункт чек-листа этапа процесса.
#[derive(SimpleObject, Clone)]
pub struct ChecklistItemDefinition {
    /// Ключ пункта.
    pub key: String,
    /// Текст пункта.
    pub title: String,
    /// Для задачи со своим сроком — как он считается, по-русски; нет — срок этапа.
    pub due_rule: Option<String>,
    /// Нужен документ: пункт отмечают с комментарием, где документ.
    pub document_required: bool,
}

/// Переход между этапами процесса и его условия.
#[derive(SimpleObject)]
pub struct WorkflowTransition {
    /// Ключ этапа, из которого переход.
    pub from_stage: String,
    /// Ключ этапа, в который переход (первого, если переход открывает параллельные ветви).
    pub to_stage: String,
    /// Ключи всех этапов, которые открывает переход: несколько — у развилки на параллельные
    /// ветви.
    pub to_stages: Vec<String>,
    /// Название действия, если задано.
    pub title: Option<String>,
    /// Кто может сделать переход (администратор может всегда).
    pub roles: Vec<Role>,
    /// Нужно отметить все пункты чек-листа этапа, из которого переход.
    pub checklist_complete: bool,
    /// Эти показатели должны быть сданы всеми участниками за текущий период.
    pub indicators_reported: Vec<String>,
    /// Нужен комментарий.
    pub comment_required: bool,
}

fn transition(t: &engine::definition::Transition) -> WorkflowTransition {
    WorkflowTransition {
        from_stage: t.from.clone(),
        to_stage: t.target().to_string(),
        to_stages: t.to.clone(),
        title: t.title.clone(),
        roles: t.roles.iter().map(|r| (*r).into()).collect(),
        checklist_complete: t.guards.checklist_complete,
        indicators_reported: t.guards.indicators_reported.clone(),
        comment_required: t.guards.comment_required,
    }
}

/// Показатель, по которому участники сдают отчёты.
#[derive(SimpleObject)]
pub struct Indicator {
    /// Код показателя, например `2.1`.
    pub key: String,
    /// Название показателя.
    pub title: String,
    /// Единица измерения: «чел.», «ед.», «%», «да/нет».
    pub unit: String,
    /// Тип значения.
    #[graphql(name = "type")]
    pub kind: IndicatorType,
    /// Периодичность отчётов.
    pub period: Periodicity,
    /// С какого этапа собирают отчёты.
    pub starts_at_stage: String,
    /// Цель на каждый период, если задана в процессе.
    pub target_per_period: Option<f64>,
    /// Цель на весь проект, если задана в процессе.
    pub target_overall: Option<f64>,
    /// Что лучше: больше или меньше.
    pub better: Direction,
    /// Значения за периоды складываются.
    pub cumulative: bool,
    /// Ключи ролей участников (см. `Workflow.parts`), которые сдают показатель; пусто — все
    /// участники.
    pub parts: Vec<String>,
}

fn indicator(i: &engine::definition::Indicator) -> Indicator {
    Indicator {
        key: i.key.clone(),
        title: i.title.clone(),
        unit: i.unit.clone(),
        kind: i.kind.into(),
        period: i.period.into(),
        starts_at_stage: i.starts_at_stage.clone(),
        target_per_period: match i.target {
            Some(Target::PerPeriod(v)) => Some(v),
            _ => None,
        },
        target_overall: match i.target {
            Some(Target::Overall(v)) => Some(v),
            _ => None,
        },
        better: i.better.into(),
        cumulative: i.cumulative,
        parts: i.parts.clone(),
    }
}
