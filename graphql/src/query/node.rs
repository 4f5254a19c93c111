//! `node(id:)`: any object with a `nodeId`, refetched by it (see [`crate::types::node`]).

use async_graphql::{Context, ID, Object};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::directory::{District, Organization};
use crate::types::node::{Kind, Node, numeric_key, parse_node_id};
use crate::types::project::Project;
use crate::types::workflow::Workflow;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Объект по глобальному идентификатору (`nodeId`): проект, организация, район или версия
    /// процесса. Права те же, что у `project`, `organizations`, `districts` и `workflow`.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Глобальный идентификатор объекта — значение его поля `nodeId`.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let actor = actor(ctx)?;
        let engine = ctx.data_unchecked::<Engine>();
        let (kind, key) = parse_node_id(&id, "id")?;
        Ok(Some(match kind {
            Kind::Project => {
                let n = numeric_key(&key, &id, "id")?;
                Node::Project(Project::from_details(engine.project(actor, n).await.gql()?))
            }
            Kind::Organization => {
                let n = numeric_key(&key, &id, "id")?;
                Node::Organization(Organization(engine.organization(actor, n).await.gql()?))
            }
            Kind::District => {
                let n = numeric_key(&key, &id, "id")?;
                Node::District(District(engine.district(actor, n).await.gql()?))
            }
            Kind::Workflow => {
                let (workflow, version) = key
                    .rsplit_once('@')
                    .and_then(|(k, v)| Some((k, v.parse::<i32>().ok()?)))
                    .ok_or_else(|| crate::types::node::not_a_node_id(&id, "id"))?;
                Node::Workflow(Workflow(engine.workflow_version(workflow, Some(version)).await.gql()?))
            }
        }))
    }
}
