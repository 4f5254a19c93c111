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
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::Engine;
use crate::access::{self, Operation, Target};
use crate::auth::{Actor, Role};
use crate::definition::{ChecklistItem, Definition, Stage};
use crate::error::{Error, Field, Result};
use crate::model::{EventDetails, EventKind, NamedPerson, ProjectDetails, TaskRef, User};
use crate::store::entity::{checklist_marks, projects, stage_plans, users};
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

    /// Who may be named for stage `stage_key` of a project of `workflow_key` launched in
    /// `district_id` for `participants`: the people the stage is given to. For the launch form.
    pub async fn launch_stage_candidates(
        &self,
        actor: &Actor,
        district_id: i64,
        participants: &[i64],
        workflow_key: &str,
        stage_key: &str,
    ) -> Result<Vec<User>> {
        actor
            .scope()
            .require(Operation::LaunchProject, Target::District(district_id))?;
        let workflow = self.workflow_version(workflow_key.trim(), None).await?;
        let (roles, _) = post(&workflow.definition, ResponsibleFor::Stage(stage_key))?;
        self.nameable(district_id, participants, roles).await
    }

    /// Who may be named responsible for a project, one of its stages or one of a stage's
    /// tasks, for those who may name them.
    pub async fn responsible_candidates(
        &self,
        actor: &Actor,
        project_id: i64,
        what: ResponsibleFor<'_>,
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
        let (roles, _) = post(&definition, what)?;
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

    /// Names the person responsible for a project, for one of its stages not yet passed or for
    /// one task of such a stage, changes them, or (`user_id` `None`) takes them off — the stage
    /// then is reminded to its owner roles again, the task to the stage's person or its roles.
    /// Administrators and the district's coordinators; a history entry keeps who was and who is.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn assign_responsible(
        &self,
        actor: &Actor,
        project_id: i64,
        what: ResponsibleFor<'_>,
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
        let (roles, (stage, task)) = post(&definition, what)?;
        let title = match (stage, task) {
            (Some(s), Some(t)) => format!("за задачу «{}» этапа «{}»", t.title, s.title),
            (Some(s), None) => format!("за этап «{}»", s.title),
            _ => "за проект".to_string(),
        };
        let person = match user_id {
            Some(id) => Some(self.check_nameable(id, target, roles, &title).await?),
            None => None,
        };

        let now = self.now();
        let txn = self.db.begin().await?;
        let project = lock_project(&txn, project_id, expected_version, now).await?;
        let mark = match (stage, task) {
            (Some(stage), Some(task)) => checklist_marks::Entity::find()
                .filter(checklist_marks::Column::ProjectId.eq(project.id))
                .filter(checklist_marks::Column::StageKey.eq(&stage.key))
                .filter(checklist_marks::Column::ItemKey.eq(&task.key))
                .one(&txn)
                .await?
                .map(|m| (m.id, m.responsible_id)),
            _ => None,
        };
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
                        format!("Этап «{}» уже пройден: ответственных в нём не меняют.", stage.title),
                    ));
                }
                match task {
                    Some(_) => mark.and_then(|(_, r)| r),
                    None => row.responsible_id,
                }
            }
        };
        if was == user_id {
            // Nothing changes; keep the version bump out of it.
            txn.rollback().await?;
            return self.project(actor, project_id).await;
        }
        match (stage, task) {
            (None, _) => {
                projects::Entity::update_many()
                    .col_expr(projects::Column::ResponsibleId, Expr::value(user_id))
                    .filter(projects::Column::Id.eq(project.id))
                    .exec(&txn)
                    .await?;
            }
            (Some(stage), None) => {
                stage_plans::Entity::update_many()
                    .col_expr(stage_plans::Column::ResponsibleId, Expr::value(user_id))
                    .filter(stage_plans::Column::ProjectId.eq(project.id))
                    .filter(stage_plans::Column::StageKey.eq(&stage.key))
                    .exec(&txn)
                    .await?;
            }
            (Some(stage), Some(task)) => match mark {
                Some((id, _)) => {
                    checklist_marks::Entity::update_many()
                        .col_expr(checklist_marks::Column::ResponsibleId, Expr::value(user_id))
                        .filter(checklist_marks::Column::Id.eq(id))
                        .exec(&txn)
                        .await?;
                }
                // The item's state row, not ticked: naming somebody is not a mark.
                None => {
                    checklist_marks::ActiveModel {
                        project_id: Set(project.id),
                        stage_key: Set(stage.key.clone()),
                        item_key: Set(task.key.clone()),
                        done: Set(false),
                        marked_by: Set(None),
                        marked_at: Set(now),
                        comment: Set(None),
                        responsible_id: Set(user_id),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                }
            },
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
                details: EventDetails::Responsible {
                    from,
                    to,
                    task: task.map(|t| TaskRef {
                        key: t.key.clone(),
                        title: t.title.clone(),
                    }),
                },
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        self.project(actor, project_id).await
    }
}

/// What a responsible person is named for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponsibleFor<'a> {
    /// The whole project («ответственный за проект»).
    Project,
    /// A stage, by key.
    Stage(&'a str),
    /// A task (checklist item) of a stage, by their keys.
    Task { stage: &'a str, task: &'a str },
}

type Post<'d> = (Option<&'d Stage>, Option<&'d ChecklistItem>);

/// The roles a responsible is named from — a task's owners, a stage's owners, or
/// [`PROJECT_ROLES`] — and the stage and task it is for.
fn post<'d>(definition: &'d Definition, what: ResponsibleFor<'_>) -> Result<(&'d [Role], Post<'d>)> {
    let stage_of = |key: &str| {
        definition.stage(key).ok_or_else(|| {
            Error::validation(
                Field::Stage,
                format!("В процессе «{}» нет этапа «{key}».", definition.title()),
            )
        })
    };
    match what {
        ResponsibleFor::Project => Ok((PROJECT_ROLES, (None, None))),
        ResponsibleFor::Stage(key) => {
            let stage = stage_of(key)?;
            Ok((&stage.owners, (Some(stage), None)))
        }
        ResponsibleFor::Task { stage, task } => {
            let stage = stage_of(stage)?;
            let item = stage.checklist.iter().find(|i| i.key == task).ok_or_else(|| {
                Error::validation(Field::Task, format!("В этапе «{}» нет задачи «{task}».", stage.title))
            })?;
            Ok((item.owners_in(stage), (Some(stage), Some(item))))
        }
    }
}
