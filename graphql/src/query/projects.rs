use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::service::ProjectFilter;

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::ProjectFilterInput;
use crate::types::connection::ProjectConnection;
use crate::types::parse_id;
use crate::types::project::Project;
use crate::types::stage::ProjectStage;

#[derive(Default)]
pub struct ProjectQuery;

/// A stage waiting for the caller.
pub struct Task {
    project: engine::model::Project,
}

/// Задача: этап проекта, который ждёт вас.
#[Object]
impl Task {
    /// Проект.
    async fn project(&self) -> Project {
        Project::new(self.project.clone())
    }
    /// Этап, который ждёт вас (текущий этап проекта; при параллельных ветвях — первый из
    /// идущих, см. `stages`).
    async fn stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectStage>> {
        Project::new(self.project.clone()).current_stage_for(ctx).await
    }
    /// Идущие сейчас этапы проекта, которые поручены вашей роли: при параллельных ветвях их
    /// может быть несколько, у каждого свой срок и свои задачи.
    async fn stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectStage>> {
        let scope = actor(ctx)?.scope();
        let target = engine::access::Target::Project {
            district: self.project.district_id,
            participants: &self.project.participants,
        };
        Ok(Project::new(self.project.clone())
            .stage_list(ctx)
            .await?
            .into_iter()
            .filter(|s| s.is_current && s.active)
            .filter(|s| {
                s.definition
                    .stage(&s.plan.stage_key)
                    .is_some_and(|stage| scope.named(engine::access::Operation::HaveTasks, target, &stage.owners))
            })
            .collect())
    }
}

#[Object]
impl ProjectQuery {
    /// Проекты, которые вам видны, новые первыми (или в порядке `order`); фильтры сужают список.
    // The arguments are the API's: a filter, an order and the four of Relay paging.
    #[allow(clippy::too_many_arguments)]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Условия отбора; без них — все видимые вам проекты.")] filter: Option<ProjectFilterInput>,
        #[graphql(
            desc = "Порядок списка; без него — сначала новые. Курсоры действуют только в том порядке, в котором получены."
        )]
        order: Option<crate::types::enums::ProjectOrder>,
        #[graphql(
            desc = "Сколько проектов вернуть с начала списка (после `after`), от 1 до 100; без `first` и `last` — 20."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Курсор, после которого начать: `pageInfo.endCursor` предыдущей страницы; без него — с начала списка."
        )]
        after: Option<String>,
        #[graphql(desc = "Сколько проектов вернуть с конца списка (перед `before`), от 1 до 100.")] last: Option<i32>,
        #[graphql(
            desc = "Курсор, перед которым закончить: `pageInfo.startCursor` следующей страницы; без него — до конца списка."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ProjectConnection> {
        let actor = actor(ctx)?;
        let order: engine::service::ProjectOrder = order.unwrap_or_default().into();
        let list = crate::types::connection::projects_in(order);
        let request = list.request(first, after.as_deref(), last, before.as_deref())?;
        let filter = filter.unwrap_or_default();
        let engine_filter = ProjectFilter {
            district_id: filter
                .district_id
                .as_ref()
                .map(|id| parse_id(id, "filter.districtId"))
                .transpose()?,
            workflow_key: filter.workflow,
            stage: filter.stage,
            status: filter.status.map(Into::into),
            overdue: filter.overdue,
            organization_id: filter
                .organization_id
                .as_ref()
                .map(|id| parse_id(id, "filter.organizationId"))
                .transpose()?,
            health: filter.health.map(Into::into),
            responsible_id: filter
                .responsible_id
                .as_ref()
                .map(|id| parse_id(id, "filter.responsibleId"))
                .transpose()?,
            search: match filter.search {
                Some(words) if words.chars().count() > 200 => {
                    return Err(crate::error::invalid(
                        "filter.search",
                        "Строка поиска длиннее 200 знаков: сократите её.".to_string(),
                    ));
                }
                other => other,
            },
        };
        let engine = ctx.data_unchecked::<Engine>();
        let page = engine
            .project_page(actor, &engine_filter, order, &request)
            .await
            .gql()?;
        let projects = Project::page(engine, actor, page.values().cloned().collect()).await?;
        Ok(list.parts(page.with_values(projects), |p| p).into())
    }

    /// Один проект.
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Идентификатор проекта.")] id: ID,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(Project::from_details(
            ctx.data_unchecked::<Engine>().project(actor, id).await.gql()?,
        ))
    }

    /// Мои задачи: активные проекты, текущий этап которых ведёте вы (по вашей роли), срочные первыми.
    async fn my_tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Task>> {
        let actor = actor(ctx)?;
        let engine = ctx.data_unchecked::<Engine>();
        let tasks = engine.my_tasks(actor).await.gql()?;
        Ok(tasks.into_iter().map(|project| Task { project }).collect())
    }
}
