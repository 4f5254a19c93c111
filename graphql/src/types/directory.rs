//! Districts, organizations, users.

use super::enums::{OrganizationKind, Role};
use super::scalars::DateTime;
use super::to_id;
use async_graphql::{Context, ID, Object};

/// A municipal district (муниципальный район): the unit a coordinator runs.
pub struct District(pub engine::model::District);

/// Муниципальный район: территория, которую ведёт координатор проектного офиса.
#[Object]
impl District {
    /// Идентификатор района.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Глобальный идентификатор: один на весь API, не совпадает у объектов разных типов.
    /// Передайте его в `node(id:)`, чтобы получить объект заново.
    pub async fn node_id(&self) -> ID {
        super::node::node_id(super::node::Kind::District, self.0.id)
    }
    /// Название района.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Часовой пояс района (IANA), в котором считаются даты и сроки.
    async fn time_zone(&self) -> &str {
        self.0.time_zone.name()
    }
    /// Регион района: его нерабочие дни учитываются в сроках. Нет — регион не указан.
    async fn region(&self) -> Option<super::calendar::Region> {
        self.0
            .region_code
            .as_deref()
            .and_then(engine::calendar::Region::by_code)
            .map(super::calendar::Region)
    }
}

/// A school, kindergarten, centre or methodical service.
pub struct Organization(pub engine::model::Organization);

/// Образовательная организация: школа, детский сад, центр или методическая служба.
#[Object]
impl Organization {
    /// Идентификатор организации.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Глобальный идентификатор: один на весь API, не совпадает у объектов разных типов.
    /// Передайте его в `node(id:)`, чтобы получить объект заново.
    pub async fn node_id(&self) -> ID {
        super::node::node_id(super::node::Kind::Organization, self.0.id)
    }
    /// Полное название.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Тип организации.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// Адрес электронной почты организации.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Район, к которому относится организация.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        Ok(crate::loaders::of(ctx)?
            .districts
            .load_one(self.0.district_id)
            .await?
            .map(District))
    }
}

/// A person who signs in.
pub struct User {
    pub user: engine::model::User,
    /// The last sign-in when the list read it with the user; `None`: not read yet.
    pub last_sign_in: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// The pending invitation when the list read it with the user; `None`: not read yet.
    pub invitation: Option<Option<engine::service::PendingInvitation>>,
}

impl From<engine::model::User> for User {
    fn from(user: engine::model::User) -> Self {
        User {
            user,
            last_sign_in: None,
            invitation: None,
        }
    }
}

/// Пользователь системы.
#[Object]
impl User {
    /// Идентификатор пользователя.
    async fn id(&self) -> ID {
        to_id(self.user.id)
    }
    /// Адрес электронной почты (логин).
    async fn email(&self) -> &str {
        &self.user.email
    }
    /// ФИО.
    async fn full_name(&self) -> &str {
        &self.user.full_name
    }
    /// Роль пользователя.
    async fn role(&self) -> Role {
        self.user.role.into()
    }
    /// Район координатора, наблюдателя или руководителя.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        let Some(id) = self.user.district_id else {
            return Ok(None);
        };
        Ok(crate::loaders::of(ctx)?.districts.load_one(id).await?.map(District))
    }
    /// Организация руководителя.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = self.user.organization_id else {
            return Ok(None);
        };
        Ok(crate::loaders::of(ctx)?
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }
    /// Когда пользователь создан.
    async fn created_at(&self) -> DateTime {
        self.user.created_at.into()
    }
    /// Учётная запись включена; отключённая не входит в систему, её сеансы завершены.
    async fn active(&self) -> bool {
        self.user.active
    }
    /// Когда пользователь входил в систему последний раз; нет — ни разу.
    async fn last_sign_in(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime>> {
        let at = match self.last_sign_in {
            Some(at) => at,
            None => ctx
                .data_unchecked::<engine::Engine>()
                .last_sign_in(self.user.id)
                .await
                .map_err(|e| async_graphql::Error::new(e.to_string()))?,
        };
        Ok(at.map(DateTime::from))
    }
    /// Человек задал пароль и может входить; нет — приглашён и ещё не открыл ссылку из письма
    /// (или его завели без приглашения).
    async fn password_set(&self) -> bool {
        self.user.password_set
    }
    /// Приглашение, отправленное и ещё не использованное (ссылка могла и устареть); нет —
    /// приглашений не ждёт.
    async fn invitation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PendingInvitation>> {
        let engine = ctx.data_unchecked::<engine::Engine>();
        let pending = match self.invitation {
            Some(p) => p,
            None => engine
                .pending_invitation(self.user.id)
                .await
                .map_err(crate::error::to_graphql)?,
        };
        Ok(pending.map(|p| PendingInvitation {
            sent_at: p.sent_at.into(),
            expires_at: p.expires_at.into(),
            expired: p.expires_at <= engine.now(),
        }))
    }
    /// Что и кто делал с учётной записью — от новых записей к старым: создание, приглашения,
    /// изменения, отключение, смена пароля.
    async fn account_history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AccountEvent>> {
        let actor = crate::context::actor(ctx)?;
        let events = ctx
            .data_unchecked::<engine::Engine>()
            .account_history(actor, self.user.id)
            .await
            .map_err(crate::error::to_graphql)?;
        Ok(events
            .into_iter()
            .map(|e| AccountEvent {
                at: e.at.into(),
                kind: e.kind.into(),
                actor: e.actor_id.map(|id| Person {
                    id: to_id(id),
                    full_name: e.actor_name.unwrap_or_default(),
                }),
                description: e.description,
            })
            .collect())
    }
}

/// Приглашение, которое ждёт ответа.
#[derive(async_graphql::SimpleObject)]
pub struct PendingInvitation {
    /// Когда отправлено.
    pub sent_at: DateTime,
    /// До какого времени действует ссылка.
    pub expires_at: DateTime,
    /// Ссылка уже устарела: отправьте приглашение ещё раз.
    pub expired: bool,
}

/// Что произошло с учётной записью.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum AccountEventKind {
    /// Учётная запись создана.
    Created,
    /// Отправлено приглашение.
    Invited,
    /// Отправлена ссылка для восстановления пароля.
    ResetSent,
    /// Пароль задан по ссылке из письма.
    PasswordSet,
    /// Пароль изменён самим человеком.
    PasswordChanged,
    /// Изменены ФИО, адрес, роль или место работы.
    Edited,
    /// Учётная запись отключена.
    Deactivated,
    /// Учётная запись включена.
    Reactivated,
    /// Персональные данные обезличены.
    Anonymised,
}

impl From<engine::service::AccountEventKind> for AccountEventKind {
    fn from(k: engine::service::AccountEventKind) -> Self {
        use engine::service::AccountEventKind as K;
        match k {
            K::Created => AccountEventKind::Created,
            K::Invited => AccountEventKind::Invited,
            K::ResetSent => AccountEventKind::ResetSent,
            K::PasswordSet => AccountEventKind::PasswordSet,
            K::PasswordChanged => AccountEventKind::PasswordChanged,
            K::Edited => AccountEventKind::Edited,
            K::Deactivated => AccountEventKind::Deactivated,
            K::Reactivated => AccountEventKind::Reactivated,
            K::Anonymised => AccountEventKind::Anonymised,
        }
    }
}

/// Запись журнала учётной записи.
#[derive(async_graphql::SimpleObject)]
pub struct AccountEvent {
    /// Когда.
    pub at: DateTime,
    /// Что произошло.
    pub kind: AccountEventKind,
    /// Кто это сделал; нет — сам человек по ссылке из письма.
    pub actor: Option<Person>,
    /// Что произошло, словами.
    pub description: String,
}

/// Человек, названный ответственным, или тот, кого можно назначить.
#[derive(async_graphql::SimpleObject, Clone)]
pub struct Person {
    /// Идентификатор пользователя.
    pub id: ID,
    /// ФИО.
    pub full_name: String,
}

impl Person {
    pub fn of(user: &engine::model::User) -> Self {
        Person {
            id: to_id(user.id),
            full_name: user.full_name.clone(),
        }
    }

    /// The person with this id, by the name loader (names are no secret inside the office).
    pub async fn load(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = id else { return Ok(None) };
        let name = crate::loaders::of(ctx)?.user_names.load_one(id).await?;
        Ok(name.map(|full_name| Person {
            id: to_id(id),
            full_name,
        }))
    }
}
