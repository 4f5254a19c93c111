use async_graphql::{Context, Object};
use engine::Engine;
use engine::service::TransitionRequest;

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::{
    AssignResponsibleInput, CancelProjectInput, CompleteChecklistItemInput, LaunchProjectInput, RescheduleStageInput,
    TransitionProjectInput,
};
use crate::types::parse_id;
use crate::types::project::Project;

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Запуск проекта по процессу: рассчитывается план всех этапов.
    async fn launch_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Процесс, район, участники, дата начала, назначаемые сроки и цели.")]
        input: LaunchProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let launch = input.into_engine()?;
        Ok(Project::from_details(
            ctx.data_unchecked::<Engine>()
                .launch_project(actor, launch)
                .await
                .gql()?,
        ))
    }

    /// Переход проекта в другой этап. `expectedVersion` — `rowVersion`, который вы видели:
    /// если проект уже изменили, придёт ошибка `CONFLICT`.
    async fn transition_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, этап, в который переходим, версия проекта и комментарий.")]
        input: TransitionProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let request = TransitionRequest {
            project_id: parse_id(&input.project_id, "projectId")?,
            from_stage: input.from_stage,
            to_stage: input.to_stage,
            expected_version: input.expected_version,
            comment: input.comment,
        };
        Ok(Project::from_details(
            ctx.data_unchecked::<Engine>()
                .transition_project(actor, request)
                .await
                .gql()?,
        ))
    }

    /// Отметить (или снять отметку) пункт чек-листа этапа.
    async fn complete_checklist_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, этап, пункт чек-листа и отметка.")] input: CompleteChecklistItemInput,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.project_id, "projectId")?;
        let details = ctx
            .data_unchecked::<Engine>()
            .mark_checklist_item(
                actor,
                id,
                &input.stage,
                &input.item,
                input.done,
                input.comment.as_deref(),
            )
            .await
            .gql()?;
        Ok(Project::from_details(details))
    }

    /// Перенести срок этапа с указанием причины; базовый срок сохраняется.
    async fn reschedule_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, этап, новый срок и причина переноса.")] input: RescheduleStageInput,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.project_id, "projectId")?;
        let details = ctx
            .data_unchecked::<Engine>()
            .reschedule_stage(
                actor,
                id,
                &input.stage,
                input.new_due.into(),
                &input.reason,
                input.expected_version,
            )
            .await
            .gql()?;
        Ok(Project::from_details(details))
    }

    /// Отменить проект с указанием причины.
    async fn cancel_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, версия проекта и причина отмены.")] input: CancelProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.project_id, "projectId")?;
        let details = ctx
            .data_unchecked::<Engine>()
            .cancel_project(actor, id, input.expected_version, &input.reason)
            .await
            .gql()?;
        Ok(Project::from_details(details))
    }

    /// Назначить, сменить или снять ответственного за проект, за этап или за задачу этапа; в
    /// истории остаётся, кто был и кто назначен.
    async fn assign_responsible(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, этап (без него — весь проект), задача этапа, кого назначить и версия проекта.")]
        input: AssignResponsibleInput,
    ) -> async_graphql::Result<Project> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.project_id, "projectId")?;
        let person = input
            .responsible_id
            .as_ref()
            .map(|id| parse_id(id, "responsibleId"))
            .transpose()?;
        let what = crate::inputs::responsible_for(input.stage.as_deref(), input.task.as_deref()).gql()?;
        let details = ctx
            .data_unchecked::<Engine>()
            .assign_responsible(actor, id, what, person, input.expected_version)
            .await
            .gql()?;
        Ok(Project::from_details(details))
    }
}
