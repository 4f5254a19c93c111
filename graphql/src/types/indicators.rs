//! Indicator reports, plan against fact, and project health.

use super::directory::Organization;
use super::enums::Health;
use super::scalars::DateTime;
use super::to_id;
use async_graphql::{Context, ID, Object, SimpleObject};

/// A reported value of an indicator, in its latest revision.
pub struct IndicatorReport(pub engine::model::IndicatorReport);

/// Значение показателя, сданное организацией за период (последняя редакция).
#[Object]
impl IndicatorReport {
    /// Идентификатор отчёта.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Проект.
    async fn project_id(&self) -> ID {
        to_id(self.0.project_id)
    }
    /// Организация, сдавшая отчёт.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(crate::loaders::of(ctx)?
            .organizations
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }
    /// Код показателя.
    async fn indicator(&self) -> &str {
        &self.0.indicator_key
    }
    /// Период: `2025-Q1`, `2025-03`, `2025-H1`, `2025`, `2024/25` или `once`.
    async fn period(&self) -> &str {
        &self.0.period
    }
    /// Значение (для «да/нет»: 1 — да, 0 — нет).
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// Комментарий к значению.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// Кто сдал.
    async fn reported_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let Some(id) = self.0.reported_by else { return Ok(None) };
        crate::loaders::of(ctx)?.user_names.load_one(id).await
    }
    /// Когда сдано.
    async fn reported_at(&self) -> DateTime {
        self.0.reported_at.into()
    }
    /// Номер редакции: 1 — первый отчёт, больше — исправления.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// Прежние значения (до исправлений), старые первыми.
    async fn earlier(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportRevision>> {
        let ids: Vec<i64> = self.0.earlier.iter().filter_map(|r| r.reported_by).collect();
        let names = crate::loaders::of(ctx)?.user_names.load_many(ids).await?;
        Ok(self
            .0
            .earlier
            .iter()
            .map(|r| ReportRevision {
                revision: r.revision,
                value: r.value,
                comment: r.comment.clone(),
                reported_by: r.reported_by.and_then(|id| names.get(&id).cloned()),
                reported_at: r.reported_at.into(),
            })
            .collect())
    }
}

/// Прежнее значение исправленного отчёта.
#[derive(SimpleObject)]
pub struct ReportRevision {
    /// Номер редакции.
    pub revision: i32,
    /// Значение в этой редакции.
    pub value: f64,
    /// Комментарий в этой редакции.
    pub comment: Option<String>,
    /// Кто сдал эту редакцию.
    pub reported_by: Option<String>,
    /// Когда сдана эта редакция.
    pub reported_at: DateTime,
}

/// План и факт за один период.
#[derive(SimpleObject)]
pub struct PeriodFact {
    /// Период.
    pub period: String,
    /// Цель на период.
    pub target: Option<f64>,
    /// Значение за период.
    pub value: f64,
    /// Накопленное значение (для накопительных показателей).
    pub cumulative: Option<f64>,
    /// Достижение, % (0–100).
    pub achievement: Option<f64>,
}

/// How one participant does on one indicator of a project.
pub struct IndicatorProgress {
    pub(crate) progress: engine::model::IndicatorProgress,
    pub(crate) title: String,
    pub(crate) unit: String,
}

/// Как организация-участник выполняет показатель проекта: цель, факт, достижение и светофор.
#[Object]
impl IndicatorProgress {
    /// Код показателя.
    async fn indicator(&self) -> &str {
        &self.progress.indicator_key
    }
    /// Название показателя.
    async fn title(&self) -> &str {
        &self.title
    }
    /// Единица измерения.
    async fn unit(&self) -> &str {
        &self.unit
    }
    /// Организация.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(crate::loaders::of(ctx)?
            .organizations
            .load_one(self.progress.organization_id)
            .await?
            .map(Organization))
    }
    /// Цель, с которой сравнивается факт (на период или на весь проект для накопительных).
    async fn target(&self) -> Option<f64> {
        self.progress.target
    }
    /// Последнее сданное значение.
    async fn latest_value(&self) -> Option<f64> {
        self.progress.latest_value
    }
    /// Факт: последнее значение или сумма для накопительных показателей.
    async fn fact(&self) -> Option<f64> {
        self.progress.fact
    }
    /// Достижение, % (0–100); нет — нет цели или значения.
    async fn achievement(&self) -> Option<f64> {
        self.progress.achievement
    }
    /// Светофор показателя.
    async fn health(&self) -> Health {
        self.progress.health.into()
    }
    /// План и факт по периодам, старые первыми.
    async fn periods(&self) -> Vec<PeriodFact> {
        self.progress
            .periods
            .iter()
            .map(|p| PeriodFact {
                period: p.period.clone(),
                target: p.target,
                value: p.value,
                cumulative: p.cumulative,
                achievement: p.achievement,
            })
            .collect()
    }
}

/// Светофор проекта и его причины.
#[derive(SimpleObject)]
pub struct ProjectHealth {
    /// Итоговый светофор.
    pub health: Health,
    /// Просрочен идущий этап или задача идущего этапа.
    pub overdue: bool,
    /// Срок идущего этапа или задачи скоро (в пределах окна предупреждения).
    pub due_soon: bool,
    /// Сколько невыполненных задач идущих этапов просрочено.
    pub overdue_tasks: u32,
    /// Худший светофор показателей.
    pub indicators: Health,
}

impl From<engine::model::ProjectHealth> for ProjectHealth {
    fn from(h: engine::model::ProjectHealth) -> Self {
        ProjectHealth {
            health: h.health.into(),
            overdue: h.overdue,
            due_soon: h.due_soon,
            overdue_tasks: h.overdue_tasks,
            indicators: h.indicators.into(),
        }
    }
}
