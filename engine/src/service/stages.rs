//! Checklist items and rescheduling.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::projects::ru_date;
use super::{Engine, required_text};
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::error::{Error, Field, Result};
use crate::model::{EventKind, ProjectDetails};
use crate::store::entity::{checklist_marks, stage_plans};
use crate::store::repo::{NewEvent, lock_project, record_event, stage_rows};

impl Engine {
    /// Ticks (or unticks) a checklist item of a stage of an active project. The district's
    /// coordinators and administrators may; a director of a participant may when the stage
    /// is owned by directors.
    pub async fn complete_checklist_item(
        &self,
        actor: &Actor,
        project_id: i64,
        stage_key: &str,
        item_key: &str,
        done: bool,
    ) -> Result<ProjectDetails> {
        self.mark_checklist_item(actor, project_id, stage_key, item_key, done, None)
            .await
    }

    /// [`Engine::complete_checklist_item`] with what the person says: for an item that needs
    /// a document («нужен документ»), ticking it takes a comment saying where the document is.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn mark_checklist_item(
        &self,
        actor: &Actor,
        project_id: i64,
        stage_key: &str,
        item_key: &str,
        done: bool,
        comment: Option<&str>,
    ) -> Result<ProjectDetails> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let (pre, participants) = self.readable_project(actor, project_id).await?;
        let (definition, _) = self.definition_by_version_id(pre.workflow_version_id).await?;
        let stage = definition.stage(stage_key).ok_or_else(|| {
            Error::validation(
                Field::Stage,
                format!("В процессе «{}» нет этапа «{stage_key}».", definition.title()),
            )
        })?;
        let item = stage.checklist.iter().find(|i| i.key == item_key).ok_or_else(|| {
            Error::validation(
                Field::Item,
                format!("В чек-листе этапа «{}» нет пункта «{item_key}».", stage.title),
            )
        })?;
        let target = Target::Project {
            district: pre.district_id,
            participants: &participants,
        };
        if !actor
            .scope()
            .named(Operation::MarkChecklist, target, item.owners_in(stage))
        {
            return Err(Error::Forbidden(format!(
                "Пункты этапа «{}» отмечают ответственные за этап и координатор района.",
                stage.title
            )));
        }
        if done && item.document && comment.is_none() {
            return Err(Error::validation(
                Field::Comment,
                format!(
                    "Для пункта «{}» нужен документ. Пока документы не прикрепляются, напишите в комментарии, где он: номер и дата акта или ссылка.",
                    item.title
                ),
            ));
        }
        if comment.is_some_and(|c| c.chars().count() > 2000) {
            return Err(Error::validation(
                Field::Comment,
                "Комментарий длиннее 2000 знаков: сократите его.",
            ));
        }

        let now = self.now();
        let txn = self.db.begin().await?;
        let project = lock_project(&txn, project_id, None, now).await?;
        let existing = checklist_marks::Entity::find()
            .filter(checklist_marks::Column::ProjectId.eq(project.id))
            .filter(checklist_marks::Column::StageKey.eq(&stage.key))
            .filter(checklist_marks::Column::ItemKey.eq(&item.key))
            .one(&txn)
            .await?;
        match existing {
            Some(mark) if mark.done == done => {
                // Nothing changes; keep the version bump out of it.
                txn.rollback().await?;
                return self.project(actor, project_id).await;
            }
            Some(mark) => {
                let mut mark: checklist_marks::ActiveModel = mark.into();
                mark.done = Set(done);
                mark.marked_by = Set(actor.recorded_id());
                mark.marked_at = Set(now);
                mark.comment = Set(comment.map(str::to_string));
                mark.update(&txn).await?;
            }
            None => {
                checklist_marks::ActiveModel {
                    project_id: Set(project.id),
                    stage_key: Set(stage.key.clone()),
                    item_key: Set(item.key.clone()),
                    done: Set(done),
                    marked_by: Set(actor.recorded_id()),
                    marked_at: Set(now),
                    comment: Set(comment.map(str::to_string)),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::ChecklistItem,
                from_stage: None,
                to_stage: None,
                stage_key: Some(&stage.key),
                comment: comment.map(str::to_string),
                details: crate::model::EventDetails::ChecklistItem {
                    item: item.key.clone(),
                    title: item.title.clone(),
                    done,
                },
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        self.project(actor, project_id).await
    }

    /// Moves a stage's current due date, with a reason. The baseline stays; stages whose due
    /// dates count from this one follow. Administrators and the district's coordinators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn reschedule_stage(
        &self,
        actor: &Actor,
        project_id: i64,
        stage_key: &str,
        new_due: NaiveDate,
        reason: &str,
        expected_version: Option<i32>,
    ) -> Result<ProjectDetails> {
        let (pre, participants) = self.readable_project(actor, project_id).await?;
        actor.scope().require(
            Operation::RescheduleStage,
            Target::Project {
                district: pre.district_id,
                participants: &participants,
            },
        )?;
        let reason = required_text(reason, Field::Reason, "Причина переноса")?;
        let (definition, _) = self.definition_by_version_id(pre.workflow_version_id).await?;
        let district = self.load_district(pre.district_id).await?;
        let stage = definition.stage(stage_key).ok_or_else(|| {
            Error::validation(
                Field::Stage,
                format!("В процессе «{}» нет этапа «{stage_key}».", definition.title()),
            )
        })?;
        if new_due < pre.start_date {
            return Err(Error::validation(
                Field::NewDue,
                format!(
                    "Новый срок {} раньше начала проекта ({}).",
                    ru_date(new_due),
                    ru_date(pre.start_date)
                ),
            ));
        }

        let now = self.now();
        let txn = self.db.begin().await?;
        let project = lock_project(&txn, project_id, expected_version, now).await?;
        let rows = stage_rows(&txn, project.id).await?;
        let row = rows
            .iter()
            .find(|r| r.stage_key == stage.key)
            .ok_or_else(|| Error::Internal(format!("project {} has no plan for stage {}", project.id, stage.key)))?;
        if row.completed_at.is_some() && project.current_stage != stage.key {
            return Err(Error::validation(
                Field::Stage,
                format!("Этап «{}» уже пройден: его срок не переносят.", stage.title),
            ));
        }
        if row.current_due == Some(new_due) {
            return Err(Error::validation(
                Field::NewDue,
                format!("Срок этапа «{}» и так {}.", stage.title, ru_date(new_due)),
            ));
        }
        let old_due = row.current_due;
        stage_plans::Entity::update_many()
            .col_expr(stage_plans::Column::CurrentDue, Expr::value(Some(new_due)))
            .col_expr(stage_plans::Column::DueFixed, Expr::value(true))
            .filter(stage_plans::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        let rows = stage_rows(&txn, project.id).await?;
        self.replan(
            &txn,
            &definition,
            &district,
            project.start_date,
            project.annual_cycle,
            &rows,
        )
        .await?;
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::Rescheduled,
                from_stage: None,
                to_stage: None,
                stage_key: Some(&stage.key),
                comment: Some(reason),
                details: crate::model::EventDetails::Rescheduled {
                    from: old_due,
                    to: new_due,
                    baseline: row.baseline_due,
                },
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        self.project(actor, project_id).await
    }
}
