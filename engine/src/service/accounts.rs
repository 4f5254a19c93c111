//! Accounts after they are created: invitations, «Забыли пароль?», changing a person's name,
//! address, role or place, and the audit trail of all of it.
//!
//! **Links instead of passwords chosen for people.** An invitation (a new account) and a
//! reset both send one letter with a single-use link ([`crate::mail::account`]); the person
//! sets their own password on the page it opens. The link's token is 32 random bytes; the
//! database keeps only its SHA-256 (`password_links`), so a copy of the database holds no
//! usable link. A link works once, until its expiry ([`Engine::with_link_ttl`], 24 hours by
//! default), and not after a newer link of the person was sent or their password was set.
//! Setting the password ends every session of the person and signs them in anew.
//!
//! **«Забыли пароль?» says nothing about who is registered.** The answer is the same for
//! any well-formed address, and the letter goes out from a background task, so a registered
//! address does not take longer to answer. Requests are limited per address
//! ([`RESET_LIMIT_PER_ADDRESS`] an hour, registered or not) and per client
//! ([`RESET_LIMIT_PER_CLIENT`] an hour), counted in the database (`link_requests`) so every
//! replica sees the same counts; the refusal is the same for every address too.
//!
//! **Who may.** Inviting, editing and reading the history of a person is for whoever may
//! create them: the permission table's `CreateStaff` for administrators and coordinators,
//! `CreateDistrictUser` for directors and observers, in the person's district — and for an
//! edit, in the district they move to as well.
//!
//! **The audit trail** (`user_events`) keeps who did what to whose account and when, with the
//! names of places as they were, and is never rewritten.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::directory::normalize_email;
use super::sessions::{Session, end_sessions, random_token, token_hash};
use super::{Engine, required_text};
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role};
use crate::error::{Error, Field, Result};
use crate::mail::account::{LinkLetter, LinkPurpose, link_url, render_link};
use crate::mail::transport::Mailer;
use crate::model::User;
use crate::reminders::DeliverySettings;
use crate::store::entity::{districts, link_requests, organizations, password_links, user_events, users};

/// «Забыли пароль?» requests one address may make in an hour.
pub const RESET_LIMIT_PER_ADDRESS: u64 = 3;
/// «Забыли пароль?» requests one client may make in an hour.
pub const RESET_LIMIT_PER_CLIENT: u64 = 10;
/// How long a link works unless configured otherwise.
pub const DEFAULT_LINK_TTL_HOURS: i64 = 24;

const INVALID_LINK: &str = "Ссылка не действует: она уже использована, заменена более новой, устарела или скопирована не полностью. Запросите новую на странице входа («Забыли пароль?») или попросите координатора прислать приглашение ещё раз.";

/// An invitation that went out.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

/// Whom a link is for, as its page shows it before the password is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub full_name: String,
    pub email: String,
    pub purpose: LinkPurpose,
    pub expires_at: DateTime<Utc>,
}

/// An invitation sent and not yet used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingInvitation {
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Input of [`Engine::update_user`]: the account as it should be.
#[derive(Debug, Clone)]
pub struct EditUser {
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// Required for coordinators; optional for observers (none: every district).
    pub district_id: Option<i64>,
    /// Required for directors.
    pub organization_id: Option<i64>,
}

/// What happened to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEventKind {
    Created,
    Invited,
    ResetSent,
    PasswordSet,
    PasswordChanged,
    Edited,
    Deactivated,
    Reactivated,
    Anonymised,
}

/// One entry of an account's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: AccountEventKind,
    /// Who did it; `None` when the person did it themselves through a link.
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// What happened, in Russian.
    pub description: String,
}

/// One changed field of an account, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// «ФИО», «адрес почты», «роль», «район», «организация».
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The details of an audit entry, stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum AccountDetails {
    Created { account: String },
    Invited,
    ResetSent,
    PasswordSet,
    PasswordChanged,
    Edited { changes: Vec<FieldChange> },
    Deactivated,
    Reactivated,
    Anonymised,
}

impl AccountDetails {
    fn kind(&self) -> AccountEventKind {
        match self {
            AccountDetails::Created { .. } => AccountEventKind::Created,
            AccountDetails::Invited => AccountEventKind::Invited,
            AccountDetails::ResetSent => AccountEventKind::ResetSent,
            AccountDetails::PasswordSet => AccountEventKind::PasswordSet,
            AccountDetails::PasswordChanged => AccountEventKind::PasswordChanged,
            AccountDetails::Edited { .. } => AccountEventKind::Edited,
            AccountDetails::Deactivated => AccountEventKind::Deactivated,
            AccountDetails::Reactivated => AccountEventKind::Reactivated,
            AccountDetails::Anonymised => AccountEventKind::Anonymised,
        }
    }

    fn kind_str(&self) -> &'static str {
        match self.kind() {
            AccountEventKind::Created => "CREATED",
            AccountEventKind::Invited => "INVITED",
            AccountEventKind::ResetSent => "RESET_SENT",
            AccountEventKind::PasswordSet => "PASSWORD_SET",
            AccountEventKind::PasswordChanged => "PASSWORD_CHANGED",
            AccountEventKind::Edited => "EDITED",
            AccountEventKind::Deactivated => "DEACTIVATED",
            AccountEventKind::Reactivated => "REACTIVATED",
            AccountEventKind::Anonymised => "ANONYMISED",
        }
    }

    fn describe(&self) -> String {
        match self {
            AccountDetails::Created { account } => format!("Учётная запись создана: {account}."),
            AccountDetails::Invited => "Отправлено приглашение со ссылкой, чтобы придумать пароль.".into(),
            AccountDetails::ResetSent => {
                "По запросу «Забыли пароль?» отправлена ссылка, чтобы задать новый пароль.".into()
            }
            AccountDetails::PasswordSet => "Пароль задан по ссылке из письма.".into(),
            AccountDetails::PasswordChanged => "Пароль изменён.".into(),
            AccountDetails::Edited { changes } => {
                let parts: Vec<String> = changes
                    .iter()
                    .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                    .collect();
                format!("Изменено — {}.", parts.join("; "))
            }
            AccountDetails::Deactivated => "Учётная запись отключена.".into(),
            AccountDetails::Reactivated => "Учётная запись включена.".into(),
            AccountDetails::Anonymised => {
                "Персональные данные обезличены: имя и адрес заменены везде, отчёты остались за организацией.".into()
            }
        }
    }
}

/// Adds an entry to a user's audit trail.
pub(super) async fn record<C: ConnectionTrait>(
    c: &C,
    user_id: i64,
    actor_id: Option<i64>,
    at: DateTime<Utc>,
    details: AccountDetails,
) -> Result<()> {
    // The system (the command line, the demo) is no user: its entries name nobody.
    let actor_id = actor_id.filter(|&id| id != Actor::SYSTEM.user_id);
    let json = serde_json::to_string(&details).map_err(|e| Error::Internal(format!("account event: {e}")))?;
    user_events::ActiveModel {
        user_id: Set(user_id),
        actor_id: Set(actor_id),
        at: Set(at),
        kind: Set(details.kind_str().to_owned()),
        details: Set(json),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// The operation that creates (and manages) accounts of `role`.
pub(super) fn managing(role: Role) -> Operation {
    match role {
        Role::Admin | Role::Coordinator => Operation::CreateStaff,
        Role::Director | Role::Observer => Operation::CreateDistrictUser,
    }
}

/// What an account is, in words: «руководитель организации, МБОУ «СОШ № 5»».
pub(super) async fn account_words<C: ConnectionTrait>(
    c: &C,
    role: Role,
    district_id: Option<i64>,
    organization_id: Option<i64>,
) -> Result<String> {
    let place = place_words(c, district_id, organization_id).await?;
    Ok(format!("{}, {place}", role.title()))
}

async fn place_words<C: ConnectionTrait>(
    c: &C,
    district_id: Option<i64>,
    organization_id: Option<i64>,
) -> Result<String> {
    if let Some(id) = organization_id
        && let Some(o) = organizations::Entity::find_by_id(id).one(c).await?
    {
        return Ok(o.name);
    }
    if let Some(id) = district_id
        && let Some(d) = districts::Entity::find_by_id(id).one(c).await?
    {
        return Ok(d.name);
    }
    Ok("все районы".to_owned())
}

fn email_hash(email: &str) -> String {
    Sha256::digest(email.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Engine {
    /// How long invitation and reset links work (default 24 hours).
    pub fn with_link_ttl(mut self, ttl: Duration) -> Self {
        self.link_ttl = ttl;
        self
    }

    /// A user the actor may manage (invite, edit, switch off): readable to them, and of a role
    /// and district the policy lets them create.
    pub(super) async fn managed_user(&self, actor: &Actor, user_id: i64) -> Result<users::Model> {
        let row = users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .filter(|u| {
                actor.scope().may(
                    Operation::ReadUsers,
                    u.district_id.map_or(Target::Everything, Target::District),
                )
            })
            .ok_or_else(|| Error::not_found("пользователь", user_id))?;
        let role = Role::parse(&row.role)
            .ok_or_else(|| Error::Internal(format!("user {} has an unknown role {:?}", row.id, row.role)))?;
        actor.scope().require(
            managing(role),
            row.district_id.map_or(Target::Everything, Target::District),
        )?;
        Ok(row)
    }

    /// The district and organization an account of `role` gets from what was asked, checked:
    /// a coordinator needs a district, a director an organization (whose district it takes);
    /// the actor must be able to see them and to create such an account there.
    pub(super) async fn account_place(
        &self,
        actor: &Actor,
        role: Role,
        district_id: Option<i64>,
        organization_id: Option<i64>,
    ) -> Result<(Option<i64>, Option<i64>)> {
        let place = match role {
            Role::Admin => (None, None),
            Role::Coordinator => {
                let id =
                    district_id.ok_or_else(|| Error::validation(Field::DistrictId, "Укажите район координатора."))?;
                (Some(self.district(actor, id).await?.id), None)
            }
            Role::Observer => match district_id {
                Some(id) => (Some(self.district(actor, id).await?.id), None),
                None => (None, None),
            },
            Role::Director => {
                let id = organization_id
                    .ok_or_else(|| Error::validation(Field::OrganizationId, "Укажите организацию руководителя."))?;
                let organization = self.organization(actor, id).await?;
                (Some(organization.district_id), Some(organization.id))
            }
        };
        actor
            .scope()
            .require(managing(role), place.0.map_or(Target::Everything, Target::District))?;
        Ok(place)
    }

    /// Sends a person without a password an invitation: a letter with a link where they set
    /// it. An earlier invitation stops working once this one is sent. When the letter cannot
    /// be sent, nothing changes and the error says so.
    #[tracing::instrument(skip(self, mailer, settings), err(level = "info"))]
    pub async fn invite_user(
        &self,
        actor: &Actor,
        user_id: i64,
        mailer: &Mailer,
        settings: &DeliverySettings,
    ) -> Result<Invitation> {
        let row = self.managed_user(actor, user_id).await?;
        if !row.active {
            return Err(Error::invalid(
                "Учётная запись отключена: включите её, прежде чем приглашать.",
            ));
        }
        if row.password_hash.is_some() {
            return Err(Error::invalid(format!(
                "{} уже задал(а) пароль и входит в систему. Если пароль забыт, пусть нажмёт «Забыли пароль?» на странице входа.",
                row.full_name
            )));
        }
        let inviter = users::Entity::find_by_id(actor.user_id).one(&self.db).await?;
        let (token, link) = self
            .new_link(
                &row,
                LinkPurpose::Invitation,
                Some(actor.user_id).filter(|_| !actor.is_system()),
            )
            .await?;
        let letter = self
            .letter(
                &row,
                LinkPurpose::Invitation,
                &token,
                &link,
                settings,
                inviter.map(|u| u.full_name),
            )
            .await?;
        if let Err(problem) = self.deliver_letter(letter, mailer, settings).await {
            password_links::Entity::delete_by_id(link.id).exec(&self.db).await?;
            return Err(Error::invalid(format!(
                "Приглашение не отправлено: {problem}. Учётная запись сохранена; отправьте приглашение ещё раз, когда почта заработает."
            )));
        }
        self.link_sent(&row, &link, Some(actor.user_id), AccountDetails::Invited)
            .await?;
        tracing::info!(user = row.id, "invitation sent");
        Ok(Invitation {
            user: User::try_from(row)?,
            expires_at: link.expires_at,
        })
    }

    /// «Забыли пароль?»: when `email` belongs to an active account, sends it a letter with a
    /// link to set a new password — in the background; the answer is the same either way.
    /// `client` is who asks (the client's address), for the per-client limit.
    #[tracing::instrument(skip(self, mailer, settings), err(level = "info"))]
    pub async fn request_password_reset(
        &self,
        email: &str,
        client: &str,
        mailer: &Mailer,
        settings: &DeliverySettings,
    ) -> Result<()> {
        let email = normalize_email(email, Field::Email)?;
        let now = self.now();
        let hour_ago = now - Duration::hours(1);
        let hash = email_hash(&email);
        let client: String = client.chars().take(64).collect();
        let txn = self.db.begin().await?;
        link_requests::Entity::delete_many()
            .filter(link_requests::Column::At.lt(now - Duration::days(1)))
            .exec(&txn)
            .await?;
        let by_address = link_requests::Entity::find()
            .filter(link_requests::Column::EmailHash.eq(&hash))
            .filter(link_requests::Column::At.gt(hour_ago))
            .count(&txn)
            .await?;
        let by_client = link_requests::Entity::find()
            .filter(link_requests::Column::Client.eq(&client))
            .filter(link_requests::Column::At.gt(hour_ago))
            .count(&txn)
            .await?;
        if by_address >= RESET_LIMIT_PER_ADDRESS || by_client >= RESET_LIMIT_PER_CLIENT {
            txn.rollback().await?;
            return Err(Error::invalid(
                "Слишком много запросов на восстановление пароля. Проверьте почту — ссылка, возможно, уже пришла, — или повторите через час.",
            ));
        }
        link_requests::ActiveModel {
            at: Set(now),
            email_hash: Set(hash),
            client: Set(client),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        let Some(row) = users::Entity::find()
            .filter(users::Column::Email.eq(&email))
            .filter(users::Column::Active.eq(true))
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let (token, link) = self.new_link(&row, LinkPurpose::Reset, None).await?;
        let letter = self
            .letter(&row, LinkPurpose::Reset, &token, &link, settings, None)
            .await?;
        let engine = self.clone();
        let mailer = mailer.clone();
        let settings = settings.clone();
        tokio::spawn(async move {
            match engine.deliver_letter(letter, &mailer, &settings).await {
                Ok(()) => {
                    if let Err(e) = engine.link_sent(&row, &link, None, AccountDetails::ResetSent).await {
                        tracing::error!(user = row.id, error = %e, "reset letter sent but not recorded");
                    }
                }
                Err(problem) => {
                    tracing::warn!(user = row.id, %problem, "reset letter not sent");
                    let _ = password_links::Entity::delete_by_id(link.id).exec(&engine.db).await;
                }
            }
        });
        Ok(())
    }

    /// Whom a link is for, while it still works.
    pub async fn password_link(&self, token: &str) -> Result<LinkInfo> {
        let (link, user) = self.working_link(token).await?;
        Ok(LinkInfo {
            full_name: user.full_name,
            email: user.email,
            purpose: LinkPurpose::parse(&link.purpose).unwrap_or(LinkPurpose::Reset),
            expires_at: link.expires_at,
        })
    }

    /// Sets a person's password through a link from a letter, and signs them in. The link is
    /// used up, and so are the person's other links; every earlier session of theirs ends. A
    /// weak password is refused and leaves the link working.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn set_password_with_link(&self, token: &str, password: &str) -> Result<Session> {
        let (link, row) = self.working_link(token).await?;
        if let Some(problem) = crate::password::problem(password, &[&row.full_name, &row.email]) {
            return Err(Error::validation(Field::Password, problem));
        }
        let hash = tokio::task::spawn_blocking({
            let password = password.to_owned();
            move || crate::auth::hash_password(&password)
        })
        .await
        .map_err(|e| Error::Internal(format!("password hash: {e}")))??;
        let now = self.now();
        let txn = self.db.begin().await?;
        // The link is taken by a conditional update: of two uses at once, one wins.
        let taken = password_links::Entity::update_many()
            .col_expr(password_links::Column::UsedAt, Expr::value(Some(now)))
            .filter(password_links::Column::Id.eq(link.id))
            .filter(password_links::Column::UsedAt.is_null())
            .filter(password_links::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        if taken.rows_affected != 1 {
            txn.rollback().await?;
            return Err(Error::invalid(INVALID_LINK));
        }
        password_links::Entity::update_many()
            .col_expr(password_links::Column::UsedAt, Expr::value(Some(now)))
            .filter(password_links::Column::UserId.eq(row.id))
            .filter(password_links::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(Some(hash)))
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .filter(users::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        end_sessions(&txn, row.id, None, now).await?;
        record(&txn, row.id, None, now, AccountDetails::PasswordSet).await?;
        txn.commit().await?;
        self.session_ended();
        tracing::info!(user = row.id, "password set through a link");
        let row = users::Entity::find_by_id(row.id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid(INVALID_LINK))?;
        self.start_session(row).await
    }

    /// Changes a person's name, address, role or place. Changing the role or the place ends
    /// their sessions (they sign in again with their new rights); nobody changes their own
    /// role or place. Each change is an entry of the audit trail, in words.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn update_user(&self, actor: &Actor, user_id: i64, edit: EditUser) -> Result<User> {
        let row = self.managed_user(actor, user_id).await?;
        let before = User::try_from(row.clone())?;
        let (district_id, organization_id) = self
            .account_place(actor, edit.role, edit.district_id, edit.organization_id)
            .await?;
        let email = normalize_email(&edit.email, Field::Email)?;
        let full_name = required_text(&edit.full_name, Field::FullName, "ФИО")?;
        let moved =
            edit.role != before.role || district_id != before.district_id || organization_id != before.organization_id;
        if moved && user_id == actor.user_id {
            return Err(Error::validation(
                Field::Role,
                "Собственную роль и место работы изменить нельзя: это может сделать другой администратор.",
            ));
        }
        if email != before.email
            && users::Entity::find()
                .filter(users::Column::Email.eq(&email))
                .filter(users::Column::Id.ne(user_id))
                .one(&self.db)
                .await?
                .is_some()
        {
            return Err(Error::validation(
                Field::Email,
                format!("Пользователь с адресом {email} уже есть."),
            ));
        }
        let mut changes = Vec::new();
        let quoted = |s: &str| format!("«{s}»");
        if full_name != before.full_name {
            changes.push(FieldChange {
                field: "ФИО".into(),
                before: quoted(&before.full_name),
                after: quoted(&full_name),
            });
        }
        if email != before.email {
            changes.push(FieldChange {
                field: "адрес почты".into(),
                before: before.email.clone(),
                after: email.clone(),
            });
        }
        if edit.role != before.role {
            changes.push(FieldChange {
                field: "роль".into(),
                before: before.role.title().into(),
                after: edit.role.title().into(),
            });
        }
        if district_id != before.district_id || organization_id != before.organization_id {
            changes.push(FieldChange {
                field: "место работы".into(),
                before: place_words(&self.db, before.district_id, before.organization_id).await?,
                after: place_words(&self.db, district_id, organization_id).await?,
            });
        }
        if changes.is_empty() {
            return Ok(before);
        }
        let now = self.now();
        let txn = self.db.begin().await?;
        users::Entity::update_many()
            .col_expr(
                users::Column::SearchText,
                Expr::value(crate::text::user_search_key(&full_name, &email)),
            )
            .col_expr(users::Column::Email, Expr::value(email.clone()))
            .col_expr(users::Column::FullName, Expr::value(full_name.clone()))
            .col_expr(users::Column::Role, Expr::value(edit.role.as_str()))
            .col_expr(users::Column::DistrictId, Expr::value(district_id))
            .col_expr(users::Column::OrganizationId, Expr::value(organization_id))
            .filter(users::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        if moved {
            end_sessions(&txn, user_id, None, now).await?;
        }
        record(
            &txn,
            user_id,
            Some(actor.user_id),
            now,
            AccountDetails::Edited { changes },
        )
        .await?;
        txn.commit().await?;
        if moved {
            self.session_ended();
        }
        tracing::info!(user = user_id, moved, "account edited");
        Ok(User {
            email,
            full_name,
            role: edit.role,
            district_id,
            organization_id,
            ..before
        })
    }

    /// The audit trail of an account, newest first, for whoever may see the person.
    pub async fn account_history(&self, actor: &Actor, user_id: i64) -> Result<Vec<AccountEvent>> {
        self.user(actor, user_id).await?;
        let rows = user_events::Entity::find()
            .filter(user_events::Column::UserId.eq(user_id))
            .order_by_desc(user_events::Column::Id)
            .all(&self.db)
            .await?;
        let actor_ids = super::unique_ids(rows.iter().filter_map(|r| r.actor_id));
        let names: HashMap<i64, String> = users::Entity::find()
            .filter(users::Column::Id.is_in(actor_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.full_name))
            .collect();
        rows.into_iter()
            .map(|r| {
                let details: AccountDetails = serde_json::from_str(&r.details)
                    .map_err(|e| Error::Internal(format!("account event {}: {e}", r.id)))?;
                Ok(AccountEvent {
                    id: r.id,
                    at: r.at,
                    kind: details.kind(),
                    actor_id: r.actor_id,
                    actor_name: r.actor_id.and_then(|id| names.get(&id).cloned()),
                    description: details.describe(),
                })
            })
            .collect()
    }

    /// The latest invitation of each of `ids` that was sent and not used (expired or not).
    pub(super) async fn pending_invitations(&self, ids: &[i64]) -> Result<HashMap<i64, PendingInvitation>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = password_links::Entity::find()
            .filter(password_links::Column::UserId.is_in(ids.to_vec()))
            .filter(password_links::Column::Purpose.eq(LinkPurpose::Invitation.as_str()))
            .filter(password_links::Column::UsedAt.is_null())
            .order_by_asc(password_links::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|l| {
                (
                    l.user_id,
                    PendingInvitation {
                        sent_at: l.created_at,
                        expires_at: l.expires_at,
                    },
                )
            })
            .collect())
    }

    /// An unused, unexpired link of an active user, by its token.
    async fn working_link(&self, token: &str) -> Result<(password_links::Model, users::Model)> {
        let token = token.trim();
        let link = password_links::Entity::find()
            .filter(password_links::Column::TokenHash.eq(token_hash(token)))
            .one(&self.db)
            .await?
            .filter(|l| l.used_at.is_none() && l.expires_at > self.now())
            .ok_or_else(|| Error::invalid(INVALID_LINK))?;
        let user = users::Entity::find_by_id(link.user_id)
            .one(&self.db)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::invalid(INVALID_LINK))?;
        Ok((link, user))
    }

    /// A new link of `purpose` for `row`, stored hashed; the token is returned, never kept.
    async fn new_link(
        &self,
        row: &users::Model,
        purpose: LinkPurpose,
        created_by: Option<i64>,
    ) -> Result<(String, password_links::Model)> {
        let token = random_token("po_link_");
        let now = self.now();
        let link = password_links::ActiveModel {
            user_id: Set(row.id),
            purpose: Set(purpose.as_str().to_owned()),
            token_hash: Set(token_hash(&token)),
            created_by: Set(created_by),
            created_at: Set(now),
            expires_at: Set(now + self.link_ttl),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok((token, link))
    }

    /// The letter of a link.
    async fn letter(
        &self,
        row: &users::Model,
        purpose: LinkPurpose,
        token: &str,
        link: &password_links::Model,
        settings: &DeliverySettings,
        invited_by: Option<String>,
    ) -> Result<LinkLetter> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| Error::Internal(format!("user {} has an unknown role {:?}", row.id, row.role)))?;
        let time_zone = match row.district_id {
            Some(id) => self.district_time_zone(id).await?,
            None => chrono_tz::Europe::Moscow,
        };
        Ok(LinkLetter {
            to_email: row.email.clone(),
            to_name: row.full_name.clone(),
            purpose,
            link: link_url(&settings.base_url, token),
            expires_at: link.expires_at,
            time_zone,
            invited_by,
            account: account_words(&self.db, role, row.district_id, row.organization_id).await?,
        })
    }

    async fn district_time_zone(&self, district_id: i64) -> Result<chrono_tz::Tz> {
        Ok(districts::Entity::find_by_id(district_id)
            .one(&self.db)
            .await?
            .and_then(|d| d.time_zone.parse().ok())
            .unwrap_or(chrono_tz::Europe::Moscow))
    }

    /// Sends a letter; the error is a Russian sentence without the server's details (those
    /// go to the log).
    async fn deliver_letter(
        &self,
        letter: LinkLetter,
        mailer: &Mailer,
        settings: &DeliverySettings,
    ) -> std::result::Result<(), String> {
        let message = render_link(&letter, &settings.from).map_err(|e| e.to_string())?;
        mailer.send(message).await.map_err(|e| {
            tracing::warn!(error = %e, "account letter not sent");
            "почтовый сервер не принял письмо".to_owned()
        })
    }

    /// After a link's letter went out: the person's older links of the same purpose stop
    /// working, and the trail says the letter was sent.
    async fn link_sent(
        &self,
        row: &users::Model,
        link: &password_links::Model,
        actor_id: Option<i64>,
        details: AccountDetails,
    ) -> Result<()> {
        let now = self.now();
        let txn = self.db.begin().await?;
        password_links::Entity::update_many()
            .col_expr(password_links::Column::UsedAt, Expr::value(Some(now)))
            .filter(password_links::Column::UserId.eq(row.id))
            .filter(password_links::Column::Purpose.eq(link.purpose.clone()))
            .filter(password_links::Column::Id.ne(link.id))
            .filter(password_links::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        record(&txn, row.id, actor_id, now, details).await?;
        txn.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_details_read_back_in_words() {
        let edited = AccountDetails::Edited {
            changes: vec![FieldChange {
                field: "роль".into(),
                before: "руководитель организации".into(),
                after: "наблюдатель".into(),
            }],
        };
        let json = serde_json::to_string(&edited).unwrap();
        assert!(json.contains("\"kind\":\"EDITED\""), "{json}");
        let back: AccountDetails = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.describe(),
            "Изменено — роль: руководитель организации → наблюдатель."
        );
        assert_eq!(
            serde_json::from_str::<AccountDetails>(r#"{"kind":"INVITED"}"#).unwrap(),
            AccountDetails::Invited
        );
    }
}
