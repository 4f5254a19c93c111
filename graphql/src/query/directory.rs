use async_graphql::{Context, ID, Object};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::connection::{ORGANIZATIONS, OrganizationConnection, USERS, UserConnection};
use crate::types::directory::{District, Organization, User};
use crate::types::parse_id;

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Кто вошёл.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        Ok(User::from(ctx.data_unchecked::<Engine>().me(actor).await.gql()?))
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

    /// Организации района (или всех видимых районов) по названию.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район; без него — организации всех видимых вам районов.")] district_id: Option<ID>,
        #[graphql(
            desc = "Сколько организаций вернуть с начала списка (после `after`), от 1 до 500; без `first` и `last` — 100."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Курсор, после которого начать: `pageInfo.endCursor` предыдущей страницы; без него — с начала списка."
        )]
        after: Option<String>,
        #[graphql(desc = "Сколько организаций вернуть с конца списка (перед `before`), от 1 до 500.")] last: Option<
            i32,
        >,
        #[graphql(
            desc = "Курсор, перед которым закончить: `pageInfo.startCursor` следующей страницы; без него — до конца списка."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<OrganizationConnection> {
        let actor = actor(ctx)?;
        let request = ORGANIZATIONS.request(first, after.as_deref(), last, before.as_deref())?;
        let district_id = district_id.as_ref().map(|id| parse_id(id, "districtId")).transpose()?;
        let page = ctx
            .data_unchecked::<Engine>()
            .organization_page(actor, district_id, &request)
            .await
            .gql()?;
        Ok(ORGANIZATIONS.parts(page, Organization).into())
    }

    /// Пользователь по идентификатору — из тех, кого вы видите в списке пользователей.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Идентификатор пользователя.")] id: ID,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(User::from(ctx.data_unchecked::<Engine>().user(actor, id).await.gql()?))
    }

    /// Для кого ссылка из письма (приглашения или восстановления пароля), пока она действует;
    /// входить для этого не нужно. Недействующая ссылка — ошибка с объяснением.
    async fn password_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret, desc = "Ключ ссылки — то, что стоит в ней после знака «#».")] token: String,
    ) -> async_graphql::Result<PasswordLink> {
        let info = ctx.data_unchecked::<Engine>().password_link(&token).await.gql()?;
        Ok(PasswordLink {
            full_name: info.full_name,
            email: info.email,
            invitation: info.purpose == engine::mail::account::LinkPurpose::Invitation,
            expires_at: info.expires_at.into(),
        })
    }

    /// Пользователи, которые вам видны (администратору — все, координатору — люди его района),
    /// по ФИО; с ролью, районом или организацией, состоянием и последним входом.
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Условия отбора; без них — все видимые вам пользователи.")] filter: Option<
            crate::inputs::UserFilterInput,
        >,
        #[graphql(desc = "Сколько вернуть с начала списка (после `after`), от 1 до 200; без `first` и `last` — 100.")]
        first: Option<i32>,
        #[graphql(desc = "Курсор, после которого начать: `pageInfo.endCursor` предыдущей страницы.")] after: Option<
            String,
        >,
        #[graphql(desc = "Сколько вернуть с конца списка (перед `before`), от 1 до 200.")] last: Option<i32>,
        #[graphql(desc = "Курсор, перед которым закончить: `pageInfo.startCursor` следующей страницы.")] before: Option<
            String,
        >,
    ) -> async_graphql::Result<UserConnection> {
        let actor = actor(ctx)?;
        let request = USERS.request(first, after.as_deref(), last, before.as_deref())?;
        let filter = filter.unwrap_or_default();
        if filter.search.as_ref().is_some_and(|s| s.chars().count() > 200) {
            return Err(crate::error::invalid(
                "filter.search",
                "Строка поиска длиннее 200 знаков: сократите её.".to_string(),
            ));
        }
        let engine_filter = engine::service::UserFilter {
            search: filter.search,
            district_id: filter
                .district_id
                .as_ref()
                .map(|id| parse_id(id, "filter.districtId"))
                .transpose()?,
            role: filter.role.map(Into::into),
            active: filter.active,
        };
        let page = ctx
            .data_unchecked::<Engine>()
            .user_page(actor, &engine_filter, &request)
            .await
            .gql()?;
        Ok(USERS
            .parts(page, |listing| User {
                user: listing.user,
                last_sign_in: Some(listing.last_sign_in),
                invitation: Some(listing.invitation),
            })
            .into())
    }
}

/// Ссылка из письма: для кого она и до какого времени действует.
#[derive(async_graphql::SimpleObject)]
pub struct PasswordLink {
    /// ФИО человека.
    pub full_name: String,
    /// Его адрес почты (логин).
    pub email: String,
    /// Это приглашение (первый пароль); нет — восстановление пароля.
    pub invitation: bool,
    /// До какого времени действует ссылка.
    pub expires_at: crate::types::scalars::DateTime,
}
