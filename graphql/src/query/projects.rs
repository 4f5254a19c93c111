use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::service::{MAX_PAGE, ProjectFilter};

use crate::context::actor;
use crate::error::{GqlResult, invalid};
use crate::inputs::ProjectFilterInput;
use crate::types::connection::{ProjectConnection, ProjectCursor};
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
    /// Этап, который ждёт вас (текущий этап проекта).
    async fn stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProjectStage>> {
        Project::new(self.project.clone()).current_stage_for(ctx).await
    }
}

#[Object]
impl ProjectQuery {
    /// Проекты, которые вам видны, новые первыми; фильтры сужают список.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Условия отбора; без них — все видимые вам проекты.")] filter: Option<ProjectFilterInput>,
        #[graphql(desc = "Сколько проектов вернуть, от 1 до 100.", default = 20)] first: i32,
        #[graphql(
            desc = "Курсор, после которого начать: `pageInfo.endCursor` предыдущей страницы; без него — с начала списка."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<ProjectConnection> {
        let actor = actor(ctx)?;
        crate::limits::check_page(first, crate::limits::page_limit("Query.projects"), "проектов")?;
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
        };
        let after = after
            .as_deref()
            .map(|c| {
                ProjectCursor::decode(c).ok_or_else(|| invalid("after", format!("«{c}» — не курсор списка проектов.")))
            })
            .transpose()?;
        let page = ctx
            .data_unchecked::<Engine>()
            .list_projects(
                actor,
                &engine_filter,
                (first as u64).min(MAX_PAGE),
                after.as_ref().map(|c| c.0),
            )
            .await
            .gql()?;
        let projects = Project::page(ctx.data_unchecked::<Engine>(), actor, page.items).await?;
        Ok(ProjectConnection::new(
            projects,
            after.is_some(),
            page.has_next_page,
            page.total_count,
        ))
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
