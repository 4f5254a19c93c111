//! «Замещение на время отпуска»: a coordinator or a director names who stands in for them
//! (or, for a coordinator, for any person of the district) from one day to another. For those
//! days every reminder of the person away goes also to the substitute, marked «вы замещаете
//! …», and the person away keeps receiving theirs with a note of who stands in
//! ([`crate::reminders`]).
//!
//! A substitute holds the same role in the same district (for a director, of the same
//! organization): they see the same projects and have the same stages as tasks, so what
//! moves to them is what only the person away receives — the stages and projects they are
//! named responsible for. One person has at most one substitute on any day; ending a
//! substitution early keeps its row.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Engine;
use super::projects::ru_date;
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role};
use crate::error::{Error, Field, Result};
use crate::model::{Substitution, User};
use crate::store::entity::{substitutions, users};

/// The longest substitution, in days: a holiday, a sick leave, a training course.
pub const MAX_DAYS: i64 = 366;

/// A substitution to record.
#[derive(Debug, Clone)]
pub struct NewSubstitution {
    /// The person away.
    pub user_id: i64,
    pub substitute_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// What the permission table decides a substitution of `user` on: their organization for a
/// director, their district for a coordinator. Other roles receive no reminders.
fn target_of(user: &User) -> Result<Target<'static>> {
    match (user.role, user.district_id, user.organization_id) {
        (Role::Director, Some(district), Some(organization)) => Ok(Target::Organization { district, organization }),
        (Role::Coordinator, Some(district), _) => Ok(Target::District(district)),
        _ => Err(Error::validation(
            Field::UserId,
            format!(
                "Замещение назначают координаторам и руководителям организаций, а «{}» — {}.",
                user.full_name,
                user.role.title()
            ),
        )),
    }
}

impl Engine {
    async fn user_row(&self, id: i64, field: Field) -> Result<User> {
        let row = users::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::validation(field, format!("Пользователя {id} нет: выберите из списка.")))?;
        User::try_from(row)
    }

    /// The person away, checked against the caller's right to manage their substitutions.
    async fn away(&self, actor: &Actor, user_id: i64) -> Result<(User, Target<'static>)> {
        let user = self.user_row(user_id, Field::UserId).await?;
        let target = target_of(&user)?;
        actor.scope().require(Operation::ManageSubstitutions, target)?;
        Ok((user, target))
    }

    /// Who may stand in for `user_id`: the active people of the same role in the same district
    /// (for a director, of the same organization), by name.
    pub async fn substitute_candidates(&self, actor: &Actor, user_id: i64) -> Result<Vec<User>> {
        let (user, _) = self.away(actor, user_id).await?;
        let rows = users::Entity::find()
            .filter(users::Column::Active.eq(true))
            .filter(users::Column::Role.eq(user.role.as_str()))
            .filter(users::Column::DistrictId.eq(user.district_id))
            .filter(users::Column::Id.ne(user.id))
            .order_by_asc(users::Column::FullName)
            .order_by_asc(users::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(User::try_from)
            .filter(|u| u.as_ref().map_or(true, |u| u.organization_id == user.organization_id))
            .collect()
    }

    /// The substitutions of `user_id` that are not over (today or later), soonest first.
    pub async fn substitutions_of(&self, actor: &Actor, user_id: i64) -> Result<Vec<Substitution>> {
        let (user, _) = self.away(actor, user_id).await?;
        let today = self.user_today(&user).await?;
        let rows = substitutions::Entity::find()
            .filter(substitutions::Column::UserId.eq(user.id))
            .filter(substitutions::Column::CancelledAt.is_null())
            .filter(substitutions::Column::EndsOn.gte(today))
            .order_by_asc(substitutions::Column::StartsOn)
            .all(&self.db)
            .await?;
        self.substitutions_from(rows).await
    }

    async fn user_today(&self, user: &User) -> Result<NaiveDate> {
        Ok(match user.district_id {
            Some(d) => self.today_in(self.load_district(d).await?.time_zone),
            None => self.now().date_naive(),
        })
    }

    async fn substitutions_from(&self, rows: Vec<substitutions::Model>) -> Result<Vec<Substitution>> {
        let ids: Vec<i64> = rows.iter().flat_map(|r| [r.user_id, r.substitute_id]).collect();
        let names = self.user_names_by_ids(&ids).await?;
        let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| Substitution {
                id: r.id,
                user_name: name(r.user_id),
                substitute_name: name(r.substitute_id),
                user_id: r.user_id,
                substitute_id: r.substitute_id,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                created_by: r.created_by,
                created_at: r.created_at,
            })
            .collect())
    }

    /// Records a substitution. Refused with the reason for a substitute who cannot stand in
    /// (another role, district or organization, deactivated, the person themselves), for
    /// dates in the past or in the wrong order, for more than [`MAX_DAYS`], and for days
    /// another substitution already covers.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn set_substitution(&self, actor: &Actor, input: NewSubstitution) -> Result<Substitution> {
        let (user, _) = self.away(actor, input.user_id).await?;
        let substitute = self.user_row(input.substitute_id, Field::SubstituteId).await?;
        if substitute.id == user.id {
            return Err(Error::validation(
                Field::SubstituteId,
                "Человек не может замещать сам себя: выберите коллегу.",
            ));
        }
        if !substitute.active {
            return Err(Error::validation(
                Field::SubstituteId,
                format!(
                    "Учётная запись «{}» отключена: выберите другого коллегу.",
                    substitute.full_name
                ),
            ));
        }
        if substitute.role != user.role
            || substitute.district_id != user.district_id
            || substitute.organization_id != user.organization_id
        {
            let whom = match user.role {
                Role::Director => "руководитель той же организации",
                _ => "координатор того же района",
            };
            return Err(Error::validation(
                Field::SubstituteId,
                format!(
                    "«{}» не может замещать «{}»: замещает {whom}.",
                    substitute.full_name, user.full_name
                ),
            ));
        }
        let today = self.user_today(&user).await?;
        if input.ends_on < input.starts_on {
            return Err(Error::validation(
                Field::EndsOn,
                format!(
                    "Замещение заканчивается ({}) раньше, чем начинается ({}).",
                    ru_date(input.ends_on),
                    ru_date(input.starts_on)
                ),
            ));
        }
        if input.ends_on < today {
            return Err(Error::validation(
                Field::EndsOn,
                format!(
                    "Замещение уже закончилось бы ({}): укажите будущие дни.",
                    ru_date(input.ends_on)
                ),
            ));
        }
        if (input.ends_on - input.starts_on).num_days() + 1 > MAX_DAYS {
            return Err(Error::validation(
                Field::EndsOn,
                format!("Замещение назначают не больше чем на {MAX_DAYS} дней: разбейте срок на части."),
            ));
        }
        let overlapping = substitutions::Entity::find()
            .filter(substitutions::Column::UserId.eq(user.id))
            .filter(substitutions::Column::CancelledAt.is_null())
            .filter(substitutions::Column::StartsOn.lte(input.ends_on))
            .filter(substitutions::Column::EndsOn.gte(input.starts_on))
            .one(&self.db)
            .await?;
        if let Some(other) = overlapping {
            let names = self.user_names_by_ids(&[other.substitute_id]).await?;
            return Err(Error::validation(
                Field::StartsOn,
                format!(
                    "На эти дни «{}» уже замещает {}: с {} по {}. Отмените то замещение или выберите другие дни.",
                    user.full_name,
                    names.get(&other.substitute_id).cloned().unwrap_or_default(),
                    ru_date(other.starts_on),
                    ru_date(other.ends_on)
                ),
            ));
        }
        let row = substitutions::ActiveModel {
            user_id: Set(user.id),
            substitute_id: Set(substitute.id),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            created_by: Set(actor.recorded_id()),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        tracing::info!(user = user.id, substitute = substitute.id, "substitution set");
        Ok(self.substitutions_from(vec![row]).await?.remove(0))
    }

    /// Ends a substitution (before it began, or early); the row stays.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn cancel_substitution(&self, actor: &Actor, id: i64) -> Result<()> {
        let row = substitutions::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .filter(|r| r.cancelled_at.is_none())
            .ok_or_else(|| Error::not_found("замещение", id))?;
        self.away(actor, row.user_id).await?;
        substitutions::Entity::update_many()
            .col_expr(substitutions::Column::CancelledAt, Expr::value(Some(self.now())))
            .col_expr(substitutions::Column::CancelledBy, Expr::value(actor.recorded_id()))
            .filter(substitutions::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The substitutions that cover some day from `from` to `to`, for reminder planning.
    pub(crate) async fn substitutions_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<substitutions::Model>> {
        Ok(substitutions::Entity::find()
            .filter(substitutions::Column::CancelledAt.is_null())
            .filter(substitutions::Column::StartsOn.lte(to))
            .filter(substitutions::Column::EndsOn.gte(from))
            .all(&self.db)
            .await?)
    }
}
