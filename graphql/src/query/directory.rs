use async_graphql::{Context, ID, Object};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::directory::{District, Organization, User};
use crate::types::parse_id;

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Кто вошёл.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        Ok(User(ctx.data_unchecked::<Engine>().me(actor).await.gql()?))
    }

    /// Районы, которые вам видны.
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let actor = actor(ctx)?;
        Ok(ctx
            .data_unchecked::<Engine>()
            .districts(actor)
            .await
            .gql()?
            .into_iter()
            .map(District)
            .collect())
    }

    /// Организации района (или всех видимых районов).
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район; без него — организации всех видимых вам районов.")] district_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Organization>> {
        let actor = actor(ctx)?;
        let district_id = district_id.as_ref().map(|id| parse_id(id, "districtId")).transpose()?;
        Ok(ctx
            .data_unchecked::<Engine>()
            .organizations(actor, district_id)
            .await
            .gql()?
            .into_iter()
            .map(Organization)
            .collect())
    }
}
