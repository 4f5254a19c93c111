use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::service::{NewDistrict, NewOrganization, NewUser};

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::{CreateDistrictInput, CreateOrganizationInput, CreateUserInput};
use crate::types::directory::{District, Organization, User};
use crate::types::parse_id;
use crate::types::scalars::DateTime;

#[derive(Default)]
pub struct DirectoryMutation;

/// Новый пользователь и его приглашение.
#[derive(async_graphql::SimpleObject)]
pub struct CreateUserPayload {
    /// Созданный пользователь.
    pub user: User,
    /// До какого времени действует ссылка из приглашения; нет — приглашение не отправлялось.
    pub invitation_expires_at: Option<DateTime>,
    /// Почему приглашение не ушло, если не ушло; учётная запись при этом создана.
    pub invitation_problem: Option<String>,
}

/// Отправленное приглашение.
#[derive(async_graphql::SimpleObject)]
pub struct InvitationPayload {
    /// Приглашённый.
    pub user: User,
    /// До какого времени действует ссылка.
    pub expires_at: DateTime,
}

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

    /// Новый пользователь (администратор; координатор — руководители и наблюдатели своего
    /// района). Без пароля (так и нужно) человеку уходит письмо-приглашение со ссылкой, по
    /// которой он сам придумывает пароль; если письмо не ушло, учётная запись всё равно
    /// создана, а `invitationProblem` говорит, что случилось.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Почта, ФИО, роль, район или организация пользователя.")] input: CreateUserInput,
    ) -> async_graphql::Result<CreateUserPayload> {
        let actor = actor(ctx)?;
        let invite = input.password.is_none();
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
        let engine = ctx.data_unchecked::<Engine>();
        let user = engine.create_user(actor, new).await.gql()?;
        if !invite {
            return Ok(CreateUserPayload {
                user: User::from(user),
                invitation_expires_at: None,
                invitation_problem: None,
            });
        }
        let Some(mail) = ctx.data_opt::<crate::schema::ReminderRuntime>() else {
            return Ok(CreateUserPayload {
                user: User::from(user),
                invitation_expires_at: None,
                invitation_problem: Some("Приглашение не отправлено: у сервера не настроена почта.".into()),
            });
        };
        match engine.invite_user(actor, user.id, &mail.mailer, &mail.settings).await {
            Ok(invitation) => Ok(CreateUserPayload {
                user: User::from(invitation.user),
                invitation_expires_at: Some(invitation.expires_at.into()),
                invitation_problem: None,
            }),
            Err(e) => Ok(CreateUserPayload {
                user: User::from(user),
                invitation_expires_at: None,
                invitation_problem: Some(e.to_string()),
            }),
        }
    }

    /// Отправить приглашение ещё раз (тому, кто ещё не задал пароль): прежняя ссылка перестаёт
    /// действовать. Если письмо не ушло, ничего не меняется.
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Пользователь.")] user_id: ID,
    ) -> async_graphql::Result<InvitationPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&user_id, "userId")?;
        let mail = ctx
            .data_opt::<crate::schema::ReminderRuntime>()
            .ok_or_else(|| async_graphql::Error::new("Приглашение не отправлено: у сервера не настроена почта."))?;
        let invitation = ctx
            .data_unchecked::<Engine>()
            .invite_user(actor, id, &mail.mailer, &mail.settings)
            .await
            .gql()?;
        Ok(InvitationPayload {
            user: User::from(invitation.user),
            expires_at: invitation.expires_at.into(),
        })
    }

    /// Изменить ФИО, адрес почты, роль, район или организацию человека. После смены роли или
    /// места работы его сеансы завершаются: он входит снова, уже с новыми правами. Каждое
    /// изменение остаётся в журнале учётной записи.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Учётная запись, какой она должна стать.")] input: crate::inputs::UpdateUserInput,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.user_id, "userId")?;
        let edit = engine::service::EditUser {
            email: input.email,
            full_name: input.full_name,
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
            ctx.data_unchecked::<Engine>()
                .update_user(actor, id, edit)
                .await
                .gql()?,
        ))
    }

    /// Обезличить человека (152-ФЗ, администратор): имя и адрес заменяются везде — в учётной
    /// записи, историях проектов, журналах и очереди писем, — учётная запись отключается, его
    /// отчёты остаются за организацией. Отменить нельзя.
    async fn anonymise_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Пользователь.")] user_id: ID,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let id = parse_id(&user_id, "userId")?;
        Ok(User::from(
            ctx.data_unchecked::<Engine>().anonymise_user(actor, id).await.gql()?,
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
