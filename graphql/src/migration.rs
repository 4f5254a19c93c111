//! Moving running projects to a newer version of their workflow: the preview and the move.

use async_graphql::{Context, ID, InputObject, Object};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::parse_id;
use crate::types::project::Project;
use crate::types::workflow::Workflow;

/// What moving one project would do.
pub struct ProjectMigration(engine::service::MigrationCandidate);

/// Перенос одного идущего проекта на новую версию процесса: что изменится или почему нельзя.
#[Object]
impl ProjectMigration {
    /// Проект.
    async fn project(&self) -> Project {
        Project::new(self.0.project.clone())
    }
    /// Версия процесса, на которой проект сейчас.
    async fn from_version(&self) -> i32 {
        self.0.from_version
    }
    /// Можно ли перенести проект.
    async fn movable(&self) -> bool {
        self.0.refusal.is_none()
    }
    /// Почему перенести нельзя.
    async fn refusal(&self) -> Option<&str> {
        self.0.refusal.as_deref()
    }
    /// Что изменится при переносе, по фразе на изменение.
    async fn changes(&self) -> &[String] {
        &self.0.changes
    }
}

/// Идущие проекты процесса на старых версиях.
pub struct MigrationPreview(engine::service::MigrationPreview);

/// Идущие проекты процесса на версиях старше выбранной — что даст перенос каждого.
#[Object]
impl MigrationPreview {
    /// Версия, на которую переносят.
    async fn target(&self) -> Workflow {
        Workflow(self.0.target.clone())
    }
    /// Сколько таких проектов всего (в списке — не больше 500).
    async fn total_count(&self) -> u64 {
        self.0.total
    }
    /// Проекты, по возрастанию номера.
    async fn projects(&self) -> Vec<ProjectMigration> {
        self.0.candidates.iter().cloned().map(ProjectMigration).collect()
    }
}

/// Перенос проекта на новую версию процесса.
#[derive(InputObject)]
pub struct MigrateProjectInput {
    /// Проект.
    pub project_id: ID,
    /// Номер версии процесса, на которую переносим.
    pub to_version: i32,
    /// Версия проекта (`rowVersion`), которую вы видели; без неё версия не проверяется.
    pub expected_version: Option<i32>,
}

#[derive(Default)]
pub struct MigrationQuery;

#[Object]
impl MigrationQuery {
    /// Идущие проекты процесса на версиях старше выбранной (по умолчанию — последней) и что
    /// изменит перенос каждого; ничего не сохраняется. Для администратора.
    async fn migration_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Ключ процесса.")] workflow_key: String,
        #[graphql(desc = "Номер версии, на которую переносить; без него — последняя.")] to_version: Option<i32>,
    ) -> async_graphql::Result<MigrationPreview> {
        let preview = ctx
            .data_unchecked::<Engine>()
            .migration_preview(actor(ctx)?, workflow_key.trim(), to_version)
            .await
            .gql()?;
        Ok(MigrationPreview(preview))
    }
}

#[derive(Default)]
pub struct MigrationMutation;

#[Object]
impl MigrationMutation {
    /// Перенести идущий проект на новую версию процесса: этапы сопоставляются по ключу, сроки
    /// пересчитываются по новым правилам, базовые сроки сохраняются, в истории остаётся, что
    /// изменилось. Нельзя, если идущего этапа в новой версии нет. Для администратора.
    async fn migrate_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, версия процесса и версия проекта.")] input: MigrateProjectInput,
    ) -> async_graphql::Result<Project> {
        let id = parse_id(&input.project_id, "projectId")?;
        let details = ctx
            .data_unchecked::<Engine>()
            .migrate_project(actor(ctx)?, id, input.to_version, input.expected_version)
            .await
            .gql()?;
        Ok(Project::from_details(details))
    }
}
