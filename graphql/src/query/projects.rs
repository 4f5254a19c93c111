use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{Context, ID, Object, SimpleObject};
use engine::Engine;
use engine::service::{MAX_PAGE, ProjectFilter};

use crate::context::actor;
use crate::error::{GqlResult, invalid};
use crate::inputs::ProjectFilterInput;
use crate::types::parse_id;
use crate::types::project::Project;
use crate::types::stage::ProjectStage;

#[derive(Default)]
pub struct ProjectQuery;

/// Extra fields of the project list.
#[derive(SimpleObject)]
pub struct ProjectConnectionFields {
    /// Сколько всего проектов подходит под фильтр.
    pub total_count: u64,
}

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

/// An opaque cursor: the project id.
pub struct ProjectCursor(i64);

impl CursorType for ProjectCursor {
    type Error = std::num::ParseIntError;
    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        s.strip_prefix("p").unwrap_or(s).parse().map(ProjectCursor)
    }
    fn encode_cursor(&self) -> String {
        format!("p{}", self.0)
    }
}

#[Object]
impl ProjectQuery {
    /// Проекты, которые вам видны, новые первыми; фильтры сужают список.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProjectFilterInput>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<ProjectCursor, Project, ProjectConnectionFields, EmptyFields>> {
        let actor = actor(ctx)?;
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
                ProjectCursor::decode_cursor(c)
                    .map_err(|_| invalid("after", format!("«{c}» — не курсор списка проектов.")))
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
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            page.has_next_page,
            ProjectConnectionFields {
                total_count: page.total_count,
            },
        );
        let projects = Project::page(ctx.data_unchecked::<Engine>(), actor, page.items).await?;
        connection
            .edges
            .extend(projects.into_iter().map(|p| Edge::new(ProjectCursor(p.project.id), p)));
        Ok(connection)
    }

    /// Один проект.
    async fn project(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Project> {
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
