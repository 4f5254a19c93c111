use async_graphql::{Context, Object};
use engine::Engine;
use engine::service::{NewDistrict, NewOrganization, NewUser};

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::{CreateDistrictInput, CreateOrganizationInput, CreateUserInput};
use crate::types::directory::{District, Organization, User};
use crate::types::parse_id;

#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Новый район (администратор).
    async fn create_district(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Название, регион и часовой пояс района.")] input: CreateDistrictInput,
    ) -> async_graphql::Result<District> {
        let actor = actor(ctx)?;
        let created = ctx
            .data_unchecked::<Engine>()
            .create_district(
                actor,
                NewDistrict {
                    name: input.name,
                    time_zone: input.time_zone,
                    region_code: input.region_code,
                },
            )
            .await
            .gql()?;
        Ok(District(created))
    }

    /// Новая организация района (администратор или координатор района).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район, название, тип и почта организации.")] input: CreateOrganizationInput,
    ) -> async_graphql::Result<Organization> {
        let actor = actor(ctx)?;
        let new = NewOrganization {
            district_id: parse_id(&input.district_id, "districtId")?,
            name: input.name,
            kind: input.kind.into(),
            email: input.email,
        };
        Ok(Organization(
            ctx.data_unchecked::<Engine>()
                .create_organization(actor, new)
                .await
                .gql()?,
        ))
    }

    /// Новый пользователь (администратор; координатор — руководители и наблюдатели своего района).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Почта, ФИО, пароль, роль, район или организация пользователя.")] input: CreateUserInput,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let new = NewUser {
            email: input.email,
            full_name: input.full_name,
            password: input.password,
            role: input.role.into(),
            district_id: input
                .district_id
                .as_ref()
                .map(|id| parse_id(id, "districtId"))
                .transpose()?,
            organization_id: input
                .organization_id
                .as_ref()
                .map(|id| parse_id(id, "organizationId"))
                .transpose()?,
        };
        Ok(User::from(
            ctx.data_unchecked::<Engine>().create_user(actor, new).await.gql()?,
        ))
    }

    /// Отключить учётную запись (человек больше не войдёт, его сеансы и подписки завершаются
    /// сразу, всё сделанное им остаётся) или включить её снова. Свою отключить нельзя.
    async fn set_user_active(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Пользователь и нужное состояние.")] input: crate::inputs::SetUserActiveInput,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.user_id, "userId")?;
        Ok(User::from(
            ctx.data_unchecked::<Engine>()
                .set_user_active(actor, id, input.active)
                .await
                .gql()?,
        ))
    }
}
