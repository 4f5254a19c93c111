//! Districts, organizations and users.

use std::str::FromStr;

use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::page::{self, Cursor, Key, ListOrder, Page, PageRequest};
use super::{Engine, required_text};
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role, hash_password};
use crate::error::{Error, Field, Result};
use crate::model::{District, Organization, OrganizationKind, User};
use crate::store::entity::{districts, organizations, users};

/// The largest page of organizations.
pub const MAX_ORGANIZATION_PAGE: u64 = 500;

/// Input of [`Engine::create_district`].
#[derive(Debug, Clone)]
pub struct NewDistrict {
    pub name: String,
    /// An IANA time zone name, e.g. `Asia/Yekaterinburg`; `None`: the time zone of the
    /// region's capital.
    pub time_zone: Option<String>,
    /// The official code of the region (`74` for the Chelyabinsk region): its days off count
    /// in the district's deadlines.
    pub region_code: Option<String>,
}

/// Input of [`Engine::create_organization`].
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub district_id: i64,
    pub name: String,
    pub kind: OrganizationKind,
    pub email: Option<String>,
}

/// Input of [`Engine::create_user`].
#[derive(Clone)]
pub struct NewUser {
    pub email: String,
    pub full_name: String,
    /// `None` creates an account that cannot sign in until a password is set.
    pub password: Option<String>,
    pub role: Role,
    /// Required for coordinators; optional for observers (none: every district).
    pub district_id: Option<i64>,
    /// Required for directors.
    pub organization_id: Option<i64>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("full_name", &self.full_name)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("role", &self.role)
            .field("district_id", &self.district_id)
            .field("organization_id", &self.organization_id)
            .finish()
    }
}

/// A plausible email address: one `@`, something on both sides, a dot in the domain, no spaces.
pub(crate) fn normalize_email(email: &str, field: Field) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !email.chars().any(char::is_whitespace)
        && email.len() <= 254;
    if valid {
        Ok(email)
    } else {
        Err(Error::validation(
            field,
            format!("«{email}» — не адрес электронной почты: пишите как director@school5.ru."),
        ))
    }
}

impl Engine {
    /// Creates a district. Administrators only.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn create_district(&self, actor: &Actor, input: NewDistrict) -> Result<District> {
        actor.scope().require(Operation::ManageDistricts, Target::Everything)?;
        let name = required_text(&input.name, Field::Name, "Название района")?;
        let region = match input.region_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(self.region_by_code(code, Field::RegionCode)?),
            None => None,
        };
        let time_zone = match (input.time_zone.as_deref().map(str::trim).filter(|t| !t.is_empty()), region) {
            (Some(zone), _) => Tz::from_str(zone).map_err(|_| {
                Error::validation(
                    Field::TimeZone,
                    format!("«{zone}» — неизвестный часовой пояс: пишите как в базе IANA, например Europe/Moscow или Asia/Yekaterinburg."),
                )
            })?,
            (None, Some(region)) => region.time_zone,
            (None, None) => {
                return Err(Error::validation(
                    Field::TimeZone,
                    "Укажите регион района (или его часовой пояс): по нему считаются даты и сроки.",
                ));
            }
        };
        if districts::Entity::find()
            .filter(districts::Column::Name.eq(&name))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(Error::validation(Field::Name, format!("Район «{name}» уже есть.")));
        }
        let row = districts::ActiveModel {
            name: Set(name),
            time_zone: Set(time_zone.name().to_string()),
            region_code: Set(region.map(|r| r.code.clone())),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        District::try_from(row)
    }

    /// Sets (or clears) the region of a district and recomputes the open due dates its days
    /// off move. Administrators only.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn set_district_region(
        &self,
        actor: &Actor,
        district_id: i64,
        region_code: Option<String>,
    ) -> Result<District> {
        actor.scope().require(Operation::ManageDistricts, Target::Everything)?;
        let district = self.district(actor, district_id).await?;
        let region = match region_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(self.region_by_code(code, Field::RegionCode)?),
            None => None,
        };
        let code = region.map(|r| r.code.clone());
        if district.region_code == code {
            return Ok(district);
        }
        districts::Entity::update_many()
            .col_expr(districts::Column::RegionCode, sea_orm::sea_query::Expr::value(code))
            .filter(districts::Column::Id.eq(district.id))
            .exec(&self.db)
            .await?;
        let reason = match region {
            Some(region) => format!(
                "Район «{}» отнесён к региону «{}»: учтены его нерабочие дни.",
                district.name, region.name
            ),
            None => format!(
                "У района «{}» снят регион: действует федеральный календарь.",
                district.name
            ),
        };
        self.recompute_due_dates(&super::CalendarScope::District(district.id), &reason)
            .await?;
        self.district(actor, district.id).await
    }

    /// A district the caller may read.
    pub async fn district(&self, actor: &Actor, id: i64) -> Result<District> {
        let district = self.load_district(id).await?;
        if !actor.scope().may(Operation::ReadDirectory, Target::District(id)) {
            return Err(Error::Forbidden("Нет доступа к этому району.".into()));
        }
        Ok(district)
    }

    /// A district by id, for a service that already decided the caller may act on it (the
    /// district of a project the caller may read).
    pub(super) async fn load_district(&self, id: i64) -> Result<District> {
        let row = districts::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("район", id))?;
        District::try_from(row)
    }

    /// The districts the caller may read, by name.
    pub async fn districts(&self, actor: &Actor) -> Result<Vec<District>> {
        let scope = actor.scope();
        let rows = districts::Entity::find()
            .order_by_asc(districts::Column::Name)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .filter(|d| scope.may(Operation::ReadDirectory, Target::District(d.id)))
            .map(District::try_from)
            .collect()
    }

    /// Creates an organization in a district. Administrators, and the district's coordinators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn create_organization(&self, actor: &Actor, input: NewOrganization) -> Result<Organization> {
        let district = self.district(actor, input.district_id).await?;
        actor
            .scope()
            .require(Operation::ManageOrganizations, Target::District(district.id))?;
        let name = required_text(&input.name, Field::Name, "Название организации")?;
        let email = input
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| normalize_email(e, Field::Email))
            .transpose()?;
        let exists = organizations::Entity::find()
            .filter(organizations::Column::DistrictId.eq(district.id))
            .filter(organizations::Column::Name.eq(&name))
            .one(&self.db)
            .await?;
        if exists.is_some() {
            return Err(Error::validation(
                Field::Name,
                format!("В районе уже есть организация «{name}»."),
            ));
        }
        let row = organizations::ActiveModel {
            district_id: Set(district.id),
            name: Set(name),
            kind: Set(input.kind.as_str().to_string()),
            email: Set(email),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Organization::try_from(row)
    }

    /// An organization the caller may read.
    pub async fn organization(&self, actor: &Actor, id: i64) -> Result<Organization> {
        let row = organizations::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("организация", id))?;
        if !actor.scope().may(
            Operation::ReadDirectory,
            Target::Organization {
                district: row.district_id,
                organization: row.id,
            },
        ) {
            return Err(Error::Forbidden(
                "Нет доступа к этой организации: она в другом районе.".into(),
            ));
        }
        Organization::try_from(row)
    }

    /// The organizations of a district (or of every district the caller may read), by name.
    pub async fn organizations(&self, actor: &Actor, district_id: Option<i64>) -> Result<Vec<Organization>> {
        let scope = actor.scope();
        let mut query = organizations::Entity::find()
            .order_by_asc(organizations::Column::Name)
            .order_by_asc(organizations::Column::Id);
        if let Some(district_id) = district_id {
            query = query.filter(organizations::Column::DistrictId.eq(district_id));
        }
        let rows = query.all(&self.db).await?;
        rows.into_iter()
            .filter(|o| {
                scope.may(
                    Operation::ReadDirectory,
                    Target::Organization {
                        district: o.district_id,
                        organization: o.id,
                    },
                )
            })
            .map(Organization::try_from)
            .collect()
    }

    /// A page of [`Engine::organizations`], by name (at most [`MAX_ORGANIZATION_PAGE`]),
    /// forward or backward: see [`super::page`].
    pub async fn organization_page(
        &self,
        actor: &Actor,
        district_id: Option<i64>,
        request: &PageRequest,
    ) -> Result<Page<Organization>> {
        let mut query = organizations::Entity::find().filter(actor.scope().organizations(Operation::ReadDirectory));
        if let Some(district_id) = district_id {
            query = query.filter(organizations::Column::DistrictId.eq(district_id));
        }
        let order = ListOrder {
            columns: vec![organizations::Column::Name, organizations::Column::Id],
            descending: false,
        };
        page::fetch(&self.db, query, &order, request, MAX_ORGANIZATION_PAGE, |o| {
            Cursor(vec![Key::from(o.name.as_str()), Key::Int(o.id)])
        })
        .await?
        .try_map(Organization::try_from)
    }

    /// Creates a user. Administrators create anyone; a coordinator creates directors of
    /// organizations and observers of their own district.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn create_user(&self, actor: &Actor, input: NewUser) -> Result<User> {
        // Who may create whom is the policy's: staff (administrators, coordinators) or the
        // district's people (directors, observers), in the new user's district.
        let (district_id, organization_id) = self
            .account_place(actor, input.role, input.district_id, input.organization_id)
            .await?;
        let email = normalize_email(&input.email, Field::Email)?;
        let full_name = required_text(&input.full_name, Field::FullName, "ФИО")?;
        let password_hash = match input.password.as_deref() {
            None => None,
            Some(password) => {
                if let Some(problem) = crate::password::problem(password, &[&full_name, &email]) {
                    return Err(Error::validation(Field::Password, problem));
                }
                Some(hash_password(password)?)
            }
        };
        if users::Entity::find()
            .filter(users::Column::Email.eq(&email))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(Error::validation(
                Field::Email,
                format!("Пользователь с адресом {email} уже есть."),
            ));
        }
        let now = self.now();
        let txn = self.db.begin().await?;
        let row = users::ActiveModel {
            search_text: Set(crate::text::user_search_key(&full_name, &email)),
            email: Set(email),
            full_name: Set(full_name),
            password_hash: Set(password_hash),
            role: Set(input.role.as_str().to_string()),
            district_id: Set(district_id),
            organization_id: Set(organization_id),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let account = super::accounts::account_words(&txn, input.role, district_id, organization_id).await?;
        super::accounts::record(
            &txn,
            row.id,
            Some(actor.user_id),
            now,
            super::accounts::AccountDetails::Created { account },
        )
        .await?;
        txn.commit().await?;
        User::try_from(row)
    }

    /// A user by id, as the actor who acts for them (sign-in resolves tokens to this).
    pub async fn actor_for_user(&self, user_id: i64) -> Result<Actor> {
        let row = users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("пользователь", user_id))?;
        let user = User::try_from(row)?;
        if !user.active {
            return Err(Error::Forbidden("Учётная запись отключена.".into()));
        }
        Ok(Actor {
            user_id: user.id,
            role: user.role,
            district_id: user.district_id,
            organization_id: user.organization_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_email;

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            normalize_email(" Director@School5.RU ", crate::error::Field::Email).unwrap(),
            "director@school5.ru"
        );
        for bad in [
            "",
            "director",
            "@school.ru",
            "director@school",
            "dir ector@school.ru",
            "a@b@c.ru",
            "a@.ru",
        ] {
            assert!(normalize_email(bad, crate::error::Field::Email).is_err(), "{bad}");
        }
    }
}
