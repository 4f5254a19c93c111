use async_graphql::{Context, Object};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::workflow::Workflow;

#[derive(Default)]
pub struct WorkflowQuery;

#[Object]
impl WorkflowQuery {
    /// Процессы: последняя версия каждого (или все версии с `allVersions: true`).
    async fn workflows(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "`true` — все версии каждого процесса, а не только последняя.")] all_versions: bool,
    ) -> async_graphql::Result<Vec<Workflow>> {
        actor(ctx)?;
        let mut versions = ctx.data_unchecked::<Engine>().workflow_versions().await.gql()?;
        if !all_versions {
            // Sorted by key, then version: keep the last of each key.
            let mut newest: Vec<engine::model::WorkflowVersion> = Vec::new();
            for v in versions {
                match newest.last_mut() {
                    Some(last) if last.key == v.key => *last = v,
                    _ => newest.push(v),
                }
            }
            versions = newest;
        }
        Ok(versions.into_iter().map(Workflow).collect())
    }

    /// Один процесс: указанная версия или последняя.
    async fn workflow(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Ключ процесса, например `tochka-rosta`.")] key: String,
        #[graphql(desc = "Номер версии; без него — последняя.")] version: Option<i32>,
    ) -> async_graphql::Result<Workflow> {
        actor(ctx)?;
        Ok(Workflow(
            ctx.data_unchecked::<Engine>()
                .workflow_version(&key, version)
                .await
                .gql()?,
        ))
    }
}
