//! The user list, and switching an account off and on.
//!
//! The list is the people the caller may see (the permission table's `ReadUsers`: everyone
//! for an administrator, the district's people for its coordinator), ordered by name and
//! searched by words of the name or the email in any case (`users.search_text`), with the
//! last sign-in read from the sessions. Who may switch an account off is who may create it
//! (`CreateStaff` for administrators and coordinators, `CreateDistrictUser` for directors and
//! observers). Switching it off ends its sessions at once — the next request and any open
//! subscription are refused — and keeps everything the person did: users are never deleted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};

use super::Engine;
use super::page::{self, Cursor, Key, ListOrder, Page, PageRequest};
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role};
use crate::error::{Error, Result};
use crate::model::User;
use crate::store::entity::{sessions, users};

/// The largest page of users.
pub const MAX_USER_PAGE: u64 = 200;

/// Which users to list. Every field narrows the list; `None` does not filter.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Words of the name or the email, in any case.
    pub search: Option<String>,
    pub district_id: Option<i64>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A user as the list shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct UserListing {
    pub user: User,
    /// When they last signed in, if ever.
    pub last_sign_in: Option<DateTime<Utc>>,
    /// The invitation sent and not used yet, if any (it may have expired).
    pub invitation: Option<super::PendingInvitation>,
}

impl Engine {
    /// A page of the users the caller may see that match `filter`, by name.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn user_page(
        &self,
        actor: &Actor,
        filter: &UserFilter,
        request: &PageRequest,
    ) -> Result<Page<UserListing>> {
        let scope = actor.scope();
        let asked = match filter.district_id {
            Some(d) => Target::District(d),
            None => scope.home_district().map_or(Target::Everything, Target::District),
        };
        scope.require(Operation::ReadUsers, asked)?;
        let mut query = users::Entity::find().filter(scope.users(Operation::ReadUsers));
        if let Some(d) = filter.district_id {
            query = query.filter(users::Column::DistrictId.eq(d));
        }
        if let Some(role) = filter.role {
            query = query.filter(users::Column::Role.eq(role.as_str()));
        }
        if let Some(active) = filter.active {
            query = query.filter(users::Column::Active.eq(active));
        }
        if let Some(words) = filter.search.as_deref() {
            query = query.filter(crate::text::contains_words(
                (users::Entity, users::Column::SearchText),
                words,
            ));
        }
        let order = ListOrder {
            columns: vec![users::Column::SearchText, users::Column::Id],
            descending: false,
        };
        let page = page::fetch(&self.db, query, &order, request, MAX_USER_PAGE, |u| {
            Cursor(vec![Key::from(u.search_text.as_str()), Key::Int(u.id)])
        })
        .await?;
        let ids: Vec<i64> = page.values().map(|u| u.id).collect();
        let signed_in = self.last_sign_ins(&ids).await?;
        let invitations = self.pending_invitations(&ids).await?;
        page.try_map(|row| {
            let last_sign_in = signed_in.get(&row.id).copied();
            let invitation = invitations.get(&row.id).copied();
            Ok(UserListing {
                user: User::try_from(row)?,
                last_sign_in,
                invitation,
            })
        })
    }

    /// One user the caller may see in the user list.
    pub async fn user(&self, actor: &Actor, user_id: i64) -> Result<User> {
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
        User::try_from(row)
    }

    /// The pending invitation of one user already read (lists read it with the page).
    pub async fn pending_invitation(&self, user_id: i64) -> Result<Option<super::PendingInvitation>> {
        Ok(self.pending_invitations(&[user_id]).await?.remove(&user_id))
    }

    /// When a user last signed in, if ever (for one user already read; lists read it with
    /// the page).
    pub async fn last_sign_in(&self, user_id: i64) -> Result<Option<DateTime<Utc>>> {
        Ok(self.last_sign_ins(&[user_id]).await?.remove(&user_id))
    }

    /// When each of `ids` last signed in, for those who ever did: one grouped statement.
    async fn last_sign_ins(&self, ids: &[i64]) -> Result<HashMap<i64, DateTime<Utc>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(sessions::Entity::find()
            .select_only()
            .column(sessions::Column::UserId)
            .column_as(sessions::Column::CreatedAt.max(), "at")
            .filter(sessions::Column::UserId.is_in(ids.to_vec()))
            .group_by(sessions::Column::UserId)
            .into_tuple::<(i64, Option<DateTime<Utc>>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|(id, at)| at.map(|at| (id, at)))
            .collect())
    }

    /// Switches an account off (`active` false) or back on. Off, its sessions end at once and
    /// it cannot sign in; everything the person did stays. Nobody switches off their own
    /// account. The same state again changes nothing.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn set_user_active(&self, actor: &Actor, user_id: i64, active: bool) -> Result<User> {
        let user = User::try_from(self.managed_user(actor, user_id).await?)?;
        if !active && user.id == actor.user_id {
            return Err(Error::invalid(
                "Собственную учётную запись отключить нельзя: это может сделать другой администратор.",
            ));
        }
        if user.active == active {
            return Ok(user);
        }
        let now = self.now();
        let txn = self.db.begin().await?;
        users::Entity::update_many()
            .col_expr(users::Column::Active, Expr::value(active))
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .filter(users::Column::Id.eq(user.id))
            .exec(&txn)
            .await?;
        if !active {
            super::sessions::end_sessions(&txn, user.id, None, now).await?;
        }
        let details = if active {
            super::accounts::AccountDetails::Reactivated
        } else {
            super::accounts::AccountDetails::Deactivated
        };
        super::accounts::record(&txn, user.id, Some(actor.user_id), now, details).await?;
        txn.commit().await?;
        if !active {
            self.session_ended();
        }
        tracing::info!(user = user.id, active, "account switched");
        Ok(User { active, ..user })
    }
}
