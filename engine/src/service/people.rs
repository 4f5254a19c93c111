//! Named responsible people: «ответственный за проект» and a stage's own responsible.
//!
//! Who may be named is the permission table's answer ([`access::may_be_named`]): for a
//! stage, the people who would have it as a task — the district's coordinators where the
//! workflow names coordinators among its owners, the directors of the project's participants
//! where it names directors; for the whole project, the district's coordinators
//! ([`PROJECT_ROLES`]). A stage nobody is named for is reminded to its owner roles, as before
//! people could be named; that is the default a launch leaves, with the launching coordinator
//! as the project's responsible. Every change is a history entry that keeps both names.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::Engine;
use crate::access::{self, Operation, Target};
use crate::auth::{Actor, Role};
use crate::definition::Definition;
use crate::error::{Error, Field, Result};
use crate::model::{EventDetails, EventKind, NamedPerson, ProjectDetails, User};
use crate::store::entity::{projects, stage_plans, users};
use crate::store::repo::{NewEvent, lock_project, record_event, stage_rows};

/// The roles a project's responsible is named from.
pub const PROJECT_ROLES: &[Role] = &[Role::Coordinator];

impl Engine {
    /// The active users of a district who may be named where `roles` are asked for, by name.
    async fn nameable(&self, district: i64, participants: &[i64], roles: &[Role]) -> Result<Vec<User>> {
        let rows = users::Entity::find()
            .filter(users::Column::DistrictId.eq(district))
            .filter(users::Column::Active.eq(true))
            .order_by_asc(users::Column::FullName)
            .order_by_asc(users::Column::Id)
            .all(&self.db)
            .await?;
        let target = Target::Project { district, participants };
        let mut out = Vec::new();
        for row in rows {
            let user = User::try_from(row)?;
            if access::may_be_named(&user, target, roles) {
                out.push(user);
            }
        }
        Ok(out)
    }

    /// Who may be named responsible for a project launched in `district` for `participants`:
    /// the district's coordinators. For the launch form; the caller must be able to launch
    /// there.
    pub async fn launch_responsible_candidates(
        &self,
        actor: &Actor,
        district_id: i64,
        participants: &[i64],
    ) -> Result<Vec<User>> {
        actor
            .scope()
            .require(Operation::LaunchProject, Target::District(district_id))?;
        self.nameable(district_id, participants, PROJECT_ROLES).await
    }

    /// Who may be named responsible for a project (`stage_key` `None`) or one of its stages,
    /// for those who may name them.
    pub async fn responsible_candidates(
        &self,
        actor: &Actor,
        project_id: i64,
        stage_key: Option<&str>,
    ) -> Result<Vec<User>> {
        let (row, participants) = self.readable_project(actor, project_id).await?;
        actor.scope().require(
            Operation::AssignResponsible,
            Target::Project {
                district: row.district_id,
                participants: &participants,
            },
        )?;
        let (definition, _) = self.definition_by_version_id(row.workflow_version_id).await?;
        let roles = roles_of(&definition, stage_key)?;
        self.nameable(row.district_id, &participants, roles).await
    }

    /// Checks that `user_id` may be named where `roles` are asked for (`what`: «за проект»,
    /// «за этап «…»»), and returns the user.
    pub(super) async fn check_nameable(
        &self,
        user_id: i64,
        target: Target<'_>,
        roles: &[Role],
        what: &str,
    ) -> Result<User> {
        let row = users::Entity::find_by_id(user_id).one(&self.db).await?.ok_or_else(|| {
            Error::validation(
                Field::ResponsibleId,
                format!("Пользователя {user_id} нет: выберите ответственного из списка."),
            )
        })?;
        let user = User::try_from(row)?;
        if !user.active {
            return Err(Error::validation(
                Field::ResponsibleId,
                format!(
                    "Учётная запись «{}» отключена: выберите другого ответственного.",
                    user.full_name
                ),
            ));
        }
        if !access::may_be_named(&user, target, roles) {
            let titles: Vec<&str> = roles.iter().map(|r| r.title()).collect();
            return Err(Error::validation(
                Field::ResponsibleId,
                format!(
                    "«{}» не может отвечать {what}: ответственного выбирают среди тех, кому это поручено процессом ({}), в районе проекта{}.",
                    user.full_name,
                    titles.join(", "),
                    if roles.contains(&Role::Director) {
                        " и среди руководителей его организаций"
                    } else {
                        ""
                    }
                ),
            ));
        }
        Ok(user)
    }

    /// Names the person responsible for a project (`stage_key` `None`) or one of its stages
    /// not yet passed, changes them, or (`user_id` `None`) takes them off — the stage then is
    /// reminded to its owner roles again. Administrators and the district's coordinators; a
    /// history entry keeps who was and who is.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn assign_responsible(
        &self,
        actor: &Actor,
        project_id: i64,
        stage_key: Option<&str>,
        user_id: Option<i64>,
        expected_version: Option<i32>,
    ) -> Result<ProjectDetails> {
        let (pre, participants) = self.readable_project(actor, project_id).await?;
        let target = Target::Project {
            district: pre.district_id,
            participants: &participants,
        };
        actor.scope().require(Operation::AssignResponsible, target)?;
        let (definition, _) = self.definition_by_version_id(pre.workflow_version_id).await?;
        let roles = roles_of(&definition, stage_key)?;
        let stage = stage_key.and_then(|k| definition.stage(k));
        let what = match stage {
            Some(s) => format!("за этап «{}»", s.title),
            None => "за проект".to_string(),
        };
        let person = match user_id {
            Some(id) => Some(self.check_nameable(id, target, roles, &what).await?),
            None => None,
        };

        let now = self.now();
        let txn = self.db.begin().await?;
        let project = lock_project(&txn, project_id, expected_version, now).await?;
        let was = match stage {
            None => project.responsible_id,
            Some(stage) => {
                let rows = stage_rows(&txn, project.id).await?;
                let row = rows.iter().find(|r| r.stage_key == stage.key).ok_or_else(|| {
                    Error::Internal(format!("project {} has no plan for stage {}", project.id, stage.key))
                })?;
                if row.completed_at.is_some() {
                    return Err(Error::validation(
                        Field::Stage,
                        format!("Этап «{}» уже пройден: ответственного за него не меняют.", stage.title),
                    ));
                }
                row.responsible_id
            }
        };
        if was == user_id {
            // Nothing changes; keep the version bump out of it.
            txn.rollback().await?;
            return self.project(actor, project_id).await;
        }
        match stage {
            None => {
                projects::Entity::update_many()
                    .col_expr(projects::Column::ResponsibleId, Expr::value(user_id))
                    .filter(projects::Column::Id.eq(project.id))
                    .exec(&txn)
                    .await?;
            }
            Some(stage) => {
                stage_plans::Entity::update_many()
                    .col_expr(stage_plans::Column::ResponsibleId, Expr::value(user_id))
                    .filter(stage_plans::Column::ProjectId.eq(project.id))
                    .filter(stage_plans::Column::StageKey.eq(&stage.key))
                    .exec(&txn)
                    .await?;
            }
        }
        let from = match was {
            Some(id) => {
                let names = self.user_names_by_ids(&[id]).await?;
                Some(NamedPerson {
                    id,
                    name: names.get(&id).cloned().unwrap_or_default(),
                })
            }
            None => None,
        };
        let to = person.map(|u| NamedPerson {
            id: u.id,
            name: u.full_name,
        });
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::ResponsibleChanged,
                from_stage: None,
                to_stage: None,
                stage_key: stage.map(|s| s.key.as_str()),
                comment: None,
                details: EventDetails::Responsible { from, to },
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        self.project(actor, project_id).await
    }
}

/// The roles a responsible is named from: a stage's owners, or [`PROJECT_ROLES`].
fn roles_of<'d>(definition: &'d Definition, stage_key: Option<&str>) -> Result<&'d [Role]> {
    match stage_key {
        None => Ok(PROJECT_ROLES),
        Some(key) => definition.stage(key).map(|s| s.owners.as_slice()).ok_or_else(|| {
            Error::validation(
                Field::Stage,
                format!("В процессе «{}» нет этапа «{key}».", definition.title()),
            )
        }),
    }
}
