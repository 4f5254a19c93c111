//! The district dashboard.

use super::enums::Health;
use super::scalars::Date;
use super::to_id;
use async_graphql::{ID, Object, SimpleObject};

/// The dashboard of a district (or of all the caller's districts), as the engine computed it.
pub struct Dashboard(pub engine::service::Dashboard);

/// Число проектов под названием.
#[derive(SimpleObject)]
pub struct CountItem {
    /// Ключ (процесса или светофора).
    pub key: String,
    /// Название.
    pub title: String,
    /// Сколько проектов.
    pub count: u64,
}

/// Число активных проектов на этапе процесса.
#[derive(SimpleObject)]
pub struct StageCountItem {
    /// Ключ процесса.
    pub workflow_key: String,
    /// Название процесса.
    pub workflow_title: String,
    /// Ключ этапа.
    pub stage_key: String,
    /// Название этапа.
    pub stage_title: String,
    /// Сколько проектов на этапе.
    pub count: u64,
}

/// Просроченный этап или просроченная задача этапа.
#[derive(SimpleObject)]
pub struct OverdueItem {
    /// Проект.
    pub project_id: ID,
    /// Название проекта.
    pub project_title: String,
    /// Ключ этапа.
    pub stage_key: String,
    /// Название этапа.
    pub stage_title: String,
    /// Ключ просроченной задачи этапа; нет — просрочен сам этап.
    pub task_key: Option<String>,
    /// Название просроченной задачи этапа; нет — просрочен сам этап.
    pub task_title: Option<String>,
    /// Срок этапа или задачи.
    pub due: Date,
    /// Дней просрочки.
    pub days_overdue: i64,
    /// Кто отвечает: ответственный за задачу или этап, а если его нет — за проект.
    pub responsible: Option<super::directory::Person>,
}

/// Несданный отчёт: срок сдачи прошёл.
#[derive(SimpleObject)]
pub struct MissingReportItem {
    /// Организация.
    pub organization_id: ID,
    /// Название организации.
    pub organization_name: String,
    /// Проект.
    pub project_id: ID,
    /// Название проекта.
    pub project_title: String,
    /// Код показателя.
    pub indicator: String,
    /// Название показателя.
    pub indicator_title: String,
    /// Период, за который не сдан отчёт.
    pub period: String,
    /// Срок сдачи.
    pub deadline: Date,
    /// Дней после срока.
    pub days_late: i64,
}

/// Организация в сравнении по достижению показателей.
#[derive(SimpleObject)]
pub struct OrganizationStandingItem {
    /// Организация.
    pub organization_id: ID,
    /// Название.
    pub name: String,
    /// Среднее достижение показателей, % (нет — нет данных).
    pub achievement: Option<f64>,
    /// Группа: в норме (80–100 %), под угрозой (50–79 %), отставание (ниже 50 %).
    pub health: Health,
    /// По скольким значениям показателей посчитано среднее.
    pub indicators: u64,
}

fn counts(list: &[engine::service::Count]) -> Vec<CountItem> {
    list.iter()
        .map(|c| CountItem {
            key: c.key.clone(),
            title: c.title.clone(),
            count: c.count,
        })
        .collect()
}

/// Сводка района: проекты по процессам, этапам и состоянию, просрочки, несданные отчёты,
/// сравнение организаций по достижению показателей.
#[Object]
impl Dashboard {
    /// Район (нет — все доступные районы).
    async fn district_id(&self) -> Option<ID> {
        self.0.district_id.map(to_id)
    }
    /// Активные проекты по процессам.
    async fn by_workflow(&self) -> Vec<CountItem> {
        counts(&self.0.by_workflow)
    }
    /// Активные проекты по этапам.
    async fn by_stage(&self) -> Vec<StageCountItem> {
        self.0
            .by_stage
            .iter()
            .map(|c| StageCountItem {
                workflow_key: c.workflow_key.clone(),
                workflow_title: c.workflow_title.clone(),
                stage_key: c.stage_key.clone(),
                stage_title: c.stage_title.clone(),
                count: c.count,
            })
            .collect()
    }
    /// Активные проекты по состоянию (ключ — светофор: red, amber, green, unknown).
    async fn by_health(&self) -> Vec<CountItem> {
        counts(&self.0.by_health)
    }
    /// Просроченные этапы и задачи этапов, самые долгие первыми, и кто за них отвечает.
    async fn overdue(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Vec<OverdueItem>> {
        let ids: Vec<i64> = self.0.overdue.iter().filter_map(|o| o.responsible_id).collect();
        let names = crate::loaders::of(ctx)?.user_names.load_many(ids).await?;
        Ok(self
            .0
            .overdue
            .iter()
            .map(|o| OverdueItem {
                project_id: to_id(o.project_id),
                project_title: o.project_title.clone(),
                stage_key: o.stage_key.clone(),
                stage_title: o.stage_title.clone(),
                task_key: o.task_key.clone(),
                task_title: o.task_title.clone(),
                due: o.due.into(),
                days_overdue: o.days_overdue,
                responsible: o.responsible_id.and_then(|id| {
                    names.get(&id).map(|name| super::directory::Person {
                        id: to_id(id),
                        full_name: name.clone(),
                    })
                }),
            })
            .collect())
    }
    /// Несданные отчёты за текущий отчётный период.
    async fn missing_reports(&self) -> Vec<MissingReportItem> {
        self.0
            .missing_reports
            .iter()
            .map(|m| MissingReportItem {
                organization_id: to_id(m.organization_id),
                organization_name: m.organization_name.clone(),
                project_id: to_id(m.project_id),
                project_title: m.project_title.clone(),
                indicator: m.indicator_key.clone(),
                indicator_title: m.indicator_title.clone(),
                period: m.period.clone(),
                deadline: m.deadline.into(),
                days_late: m.days_late,
            })
            .collect()
    }
    /// Организации по достижению показателей, лучшие первыми: по всем показателям или, с
    /// `indicator`, по одному (например, по критерию мониторинга `k2`).
    async fn organizations(
        &self,
        #[graphql(desc = "Код показателя, например `k2`; без него — по всем показателям.")] indicator: Option<String>,
    ) -> Vec<OrganizationStandingItem> {
        let list = match &indicator {
            Some(key) => self.0.organizations_by_indicator(key),
            None => self.0.organizations.clone(),
        };
        list.into_iter()
            .map(|o| OrganizationStandingItem {
                organization_id: to_id(o.organization_id),
                name: o.name,
                achievement: o.achievement.map(|a| (a * 10.0).round() / 10.0),
                health: o.health.into(),
                indicators: o.indicators as u64,
            })
            .collect()
    }
}
