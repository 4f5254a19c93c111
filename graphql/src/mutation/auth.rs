use async_graphql::{Context, Object, SimpleObject};
use engine::Engine;

use crate::context::Auth;
use crate::error::GqlResult;
use crate::types::directory::User;
use crate::types::scalars::DateTime;

#[derive(Default)]
pub struct AuthMutation;

/// Новый сеанс: токен, срок его действия и вошедший пользователь.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Токен: передавайте его в заголовке `Authorization: Bearer <токен>`.
    pub token: String,
    /// Когда вход перестанет действовать.
    pub expires_at: DateTime,
    /// Вошедший пользователь.
    pub user: User,
}

#[Object]
impl AuthMutation {
    /// Вход по адресу почты и паролю.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Адрес электронной почты (логин).")] email: String,
        #[graphql(secret, desc = "Пароль.")] password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let session = ctx.data_unchecked::<Engine>().login(&email, &password).await.gql()?;
        Ok(LoginPayload {
            token: session.token,
            expires_at: session.expires_at.into(),
            user: User::from(session.user),
        })
    }

    /// Сменить свой пароль: нужен текущий; новый — не короче 8 знаков и трудный для подбора.
    /// Все остальные ваши сеансы завершаются, этот продолжается.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Текущий и новый пароль.")] input: crate::inputs::ChangePasswordInput,
    ) -> async_graphql::Result<bool> {
        let actor = crate::context::actor(ctx)?;
        let Some(token) = ctx.data_opt::<Auth>().and_then(|a| a.token.as_deref()) else {
            return Err(async_graphql::Error::new("Войдите в систему."));
        };
        ctx.data_unchecked::<Engine>()
            .change_password(actor, token, &input.current_password, &input.new_password)
            .await
            .gql()?;
        Ok(true)
    }

    /// «Забыли пароль?»: если адрес принадлежит действующей учётной записи, на него уходит
    /// письмо со ссылкой, по которой задаётся новый пароль. Ответ одинаков для любого адреса:
    /// по нему нельзя узнать, кто зарегистрирован. Запросов — не больше 3 в час на адрес и 10
    /// в час с одного компьютера.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Адрес электронной почты (логин).")] email: String,
    ) -> async_graphql::Result<bool> {
        let mail = ctx.data_opt::<crate::schema::ReminderRuntime>().ok_or_else(|| {
            async_graphql::Error::new(
                "Восстановить пароль сейчас нельзя: у сервера не настроена почта. Обратитесь к координатору.",
            )
        })?;
        let client = ctx
            .data_opt::<crate::context::Client>()
            .map_or("неизвестно", |c| c.0.as_str());
        ctx.data_unchecked::<Engine>()
            .request_password_reset(&email, client, &mail.mailer, &mail.settings)
            .await
            .gql()?;
        Ok(true)
    }

    /// Задать пароль по ссылке из письма (приглашения или восстановления) и войти. Ссылка
    /// действует один раз; все прежние сеансы человека завершаются.
    async fn set_password_with_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Ключ ссылки и новый пароль.")] input: crate::inputs::SetPasswordWithLinkInput,
    ) -> async_graphql::Result<LoginPayload> {
        let session = ctx
            .data_unchecked::<Engine>()
            .set_password_with_link(&input.token, &input.password)
            .await
            .gql()?;
        Ok(LoginPayload {
            token: session.token,
            expires_at: session.expires_at.into(),
            user: User::from(session.user),
        })
    }

    /// Выход: токен этого запроса перестаёт действовать.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        crate::context::actor(ctx)?;
        let Some(token) = ctx.data_opt::<Auth>().and_then(|a| a.token.as_deref()) else {
            return Ok(false);
        };
        ctx.data_unchecked::<Engine>().logout(token).await.gql()?;
        Ok(true)
    }
}
