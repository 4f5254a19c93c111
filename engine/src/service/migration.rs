//! Moving running projects to another version of their workflow (what Camunda calls process
//! instance migration).
//!
//! Stages are mapped by key. A move is refused, with the reason, when a stage under way has no
//! stage of that key in the new version, or when the stages under way together are not a set
//! of current stages the new version can be in (its parallel branches differ). Otherwise the
//! project takes the new version's plan: stages of both versions keep their baselines, what
//! happened in them and who answers for them; a stage the new version adds is planned by its
//! rules (its baseline is that date); a stage it drops loses its plan (the history keeps what
//! happened); open due dates nobody pinned are recomputed by the new rules. The preview says
//! all of that in words before anything is written, and the history entry keeps the same
//! words. Checklist marks and reports stay stored; items and indicators the new version drops
//! are no longer shown.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::Engine;
use super::projects::{local_date, ru_date};
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::calendar::Calendar;
use crate::definition::{Definition, Marking};
use crate::error::{Error, Field, Result};
use crate::model::{ChecklistMark, EventDetails, EventKind, Project, ProjectDetails, StagePlan, WorkflowVersion};
use crate::schedule::{PlannedStage, replan};
use crate::store::entity::{checklist_marks, projects, stage_plans, workflow_versions};
use crate::store::repo::{NewEvent, lock_project, record_event, stage_rows};

/// At most this many projects in one preview.
pub const MAX_PREVIEW: u64 = 500;

/// What moving one project would do.
#[derive(Debug, Clone)]
pub struct MigrationCandidate {
    pub project: Project,
    pub from_version: i32,
    /// Why it cannot move, if it cannot.
    pub refusal: Option<String>,
    /// What the move changes, one sentence each.
    pub changes: Vec<String>,
}

/// The running projects of a workflow on versions older than `target`.
#[derive(Debug, Clone)]
pub struct MigrationPreview {
    pub target: WorkflowVersion,
    /// How many there are in all (the list holds at most [`MAX_PREVIEW`]).
    pub total: u64,
    pub candidates: Vec<MigrationCandidate>,
}

/// A move worked out: refused, or the changes and the new version's due dates.
struct Move {
    refusal: Option<String>,
    changes: Vec<String>,
    /// By the new version's stages, in its order.
    dues: Vec<Option<NaiveDate>>,
}

/// The facts a move is worked out from.
struct Facts<'a> {
    plans: &'a [StagePlan],
    marks: &'a [ChecklistMark],
    start: NaiveDate,
    cycle: i32,
    tz: Tz,
    calendar: &'a Calendar,
}

/// The version projects move to, with the sets of current stages it can be in (worked out
/// once for all the projects of a preview).
struct NewVersion<'a> {
    definition: &'a Definition,
    markings: HashSet<Marking>,
}

impl<'a> NewVersion<'a> {
    fn of(definition: &'a Definition) -> Self {
        NewVersion {
            definition,
            markings: definition.reachable_markings(),
        }
    }
}

/// Works out moving a project from `old` (version `from`) to `new` (version `to`).
fn work_out(old: &Definition, new: &NewVersion<'_>, (from, to): (i32, i32), f: &Facts<'_>) -> Result<Move> {
    let markings = &new.markings;
    let new = new.definition;
    let plan_of = |key: &str| f.plans.iter().find(|p| p.stage_key == key);
    let current: Vec<&StagePlan> = f.plans.iter().filter(|p| p.is_current()).collect();
    let title = |key: &str| old.stage(key).map_or_else(|| key.to_string(), |s| s.title.clone());
    let refuse = |why: String| Move {
        refusal: Some(format!("{why} Проект остаётся на версии {from}.")),
        changes: Vec::new(),
        dues: Vec::new(),
    };
    if let Some(gone) = current.iter().find(|p| new.stage(&p.stage_key).is_none()) {
        return Ok(refuse(format!(
            "Этапа «{}», который сейчас идёт, в версии {to} нет.",
            title(&gone.stage_key)
        )));
    }
    // The stages under way must be a set the new version can be in: a lone stage that the new
    // version runs only beside other branches would skip them.
    let marking = new.marking(current.iter().map(|p| p.stage_key.as_str()));
    if !current.is_empty() && !markings.contains(&marking) {
        let list = current
            .iter()
            .map(|p| format!("«{}»", title(&p.stage_key)))
            .collect::<Vec<_>>()
            .join(", ");
        return Ok(refuse(if current.len() > 1 {
            format!("Этапы {list} идут сейчас параллельно, а в версии {to} так идти не могут.")
        } else {
            format!("В версии {to} этап {list} идёт только вместе с параллельными ветвями, а их у проекта нет.")
        }));
    }

    let planned: Vec<PlannedStage> = new
        .stages()
        .iter()
        .map(|stage| {
            plan_of(&stage.key).map_or_else(PlannedStage::default, |p| PlannedStage {
                entered_on: p.entered_at.map(|at| local_date(at, f.tz)),
                current_due: p.current_due,
                due_fixed: p.due_fixed,
                completed: p.completed_at.is_some(),
            })
        })
        .collect();
    let dues = replan(new, f.start, u32::try_from(f.cycle).unwrap_or(0), &planned, f.calendar)?;

    let mut changes = Vec::new();
    let date = |d: Option<NaiveDate>| d.map_or_else(|| "без срока".to_string(), ru_date);
    for stage in old.stages().iter().filter(|s| new.stage(&s.key).is_none()) {
        let passed = plan_of(&stage.key).is_some_and(|p| p.completed_at.is_some());
        changes.push(if passed {
            format!(
                "Пройденного этапа «{}» в версии {to} нет: его план не перенесётся, в истории он останется.",
                stage.title
            )
        } else {
            format!("Этапа «{}» в версии {to} нет: проект его не пройдёт.", stage.title)
        });
    }
    for (stage, due) in new.stages().iter().zip(&dues) {
        match (old.stage(&stage.key), plan_of(&stage.key)) {
            (None, _) | (_, None) => {
                // A new stage that no stage under way leads to lies behind the project or
                // beside its branch: it will not be passed.
                let index = new.stage_index(&stage.key);
                let ahead = current.iter().any(|c| {
                    new.stage_index(&c.stage_key)
                        .zip(index)
                        .is_some_and(|(c, s)| new.precedes(c, s))
                });
                changes.push(match (ahead || current.is_empty(), due) {
                    (false, _) => format!(
                        "Новый этап «{}» идёт раньше этапов, на которых сейчас проект, или параллельно им: проект его не пройдёт.",
                        stage.title
                    ),
                    (true, Some(d)) => format!("Новый этап «{}», срок — {}.", stage.title, ru_date(*d)),
                    (true, None) => format!("Новый этап «{}», без срока.", stage.title),
                });
            }
            (Some(before), Some(plan)) => {
                if before.title != stage.title {
                    changes.push(format!("Этап «{}» называется теперь «{}».", before.title, stage.title));
                }
                if plan.completed_at.is_none() && plan.current_due != *due {
                    changes.push(format!(
                        "Срок этапа «{}»: {} → {}.",
                        stage.title,
                        date(plan.current_due),
                        date(*due)
                    ));
                }
                if plan.is_current() {
                    for mark in f.marks.iter().filter(|m| m.stage_key == stage.key && m.done) {
                        if !stage.checklist.iter().any(|i| i.key == mark.item_key) {
                            let was = before
                                .checklist
                                .iter()
                                .find(|i| i.key == mark.item_key)
                                .map_or(mark.item_key.as_str(), |i| i.title.as_str());
                            changes.push(format!(
                                "Отметка «{was}» этапа «{}» не перенесётся: в версии {to} такого пункта нет.",
                                stage.title
                            ));
                        }
                    }
                    for item in stage
                        .checklist
                        .iter()
                        .filter(|i| !before.checklist.iter().any(|b| b.key == i.key))
                    {
                        changes.push(format!(
                            "В чек-листе этапа «{}» новый пункт «{}»: его нужно будет отметить.",
                            stage.title, item.title
                        ));
                    }
                }
            }
        }
    }
    for indicator in old.indicators().iter().filter(|i| new.indicator(&i.key).is_none()) {
        changes.push(format!(
            "Показателя «{}» в версии {to} нет: его отчёты сохранятся, но в проекте показываться не будут.",
            indicator.label()
        ));
    }
    for indicator in new.indicators().iter().filter(|i| old.indicator(&i.key).is_none()) {
        changes.push(format!("Новый показатель «{}».", indicator.label()));
    }
    if changes.is_empty() {
        changes.push("План и сроки не изменятся.".into());
    }
    Ok(Move {
        refusal: None,
        changes,
        dues,
    })
}

impl Engine {
    /// The running projects of workflow `key` on versions older than `to_version` (the newest
    /// when `None`), each with what moving it would change or why it cannot move. Nothing is
    /// written. Administrators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn migration_preview(
        &self,
        actor: &Actor,
        key: &str,
        to_version: Option<i32>,
    ) -> Result<MigrationPreview> {
        actor.scope().require(Operation::MigrateProjects, Target::Everything)?;
        let target = self.workflow_version(key, to_version).await?;
        let older: Vec<(i64, i32)> = workflow_versions::Entity::find()
            .select_only()
            .column(workflow_versions::Column::Id)
            .column(workflow_versions::Column::Version)
            .filter(workflow_versions::Column::Key.eq(key))
            .filter(workflow_versions::Column::Version.lt(target.version))
            .into_tuple()
            .all(&self.db)
            .await?;
        let versions: HashMap<i64, i32> = older.into_iter().collect();
        let query = projects::Entity::find()
            .filter(projects::Column::Status.eq(crate::model::ProjectStatus::Active.as_str()))
            .filter(projects::Column::WorkflowVersionId.is_in(versions.keys().copied().collect::<Vec<_>>()));
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_asc(projects::Column::Id)
            .limit(MAX_PREVIEW)
            .all(&self.db)
            .await?;
        let cycles: HashMap<i64, i32> = rows.iter().map(|r| (r.id, r.annual_cycle)).collect();
        let batch = self.with_calendars(self.load_batch(rows).await?).await?;
        let ids: Vec<i64> = batch.projects.iter().map(|p| p.id).collect();
        let mut marks: HashMap<i64, Vec<ChecklistMark>> = HashMap::new();
        for row in checklist_marks::Entity::find()
            .filter(checklist_marks::Column::ProjectId.is_in(ids))
            .all(&self.db)
            .await?
        {
            marks.entry(row.project_id).or_default().push(row.into());
        }
        let new = NewVersion::of(&target.definition);
        let mut candidates = Vec::with_capacity(batch.projects.len());
        for project in &batch.projects {
            let (Some(version), Some(district)) = (batch.version(project), batch.district(project)) else {
                continue;
            };
            let facts = Facts {
                plans: batch.plans(project.id),
                marks: marks.get(&project.id).map_or(&[][..], Vec::as_slice),
                start: project.start_date,
                cycle: cycles.get(&project.id).copied().unwrap_or(0),
                tz: district.time_zone,
                calendar: batch.calendar(project),
            };
            let worked = work_out(&version.definition, &new, (version.version, target.version), &facts)?;
            candidates.push(MigrationCandidate {
                project: project.clone(),
                from_version: version.version,
                refusal: worked.refusal,
                changes: worked.changes,
            });
        }
        Ok(MigrationPreview {
            target,
            total,
            candidates,
        })
    }

    /// Moves one running project to version `to_version` of its workflow, as its preview
    /// says: refused with the reason when a stage under way cannot be mapped, `CONFLICT` when
    /// the project changed since the caller saw `expected_version`. Administrators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn migrate_project(
        &self,
        actor: &Actor,
        project_id: i64,
        to_version: i32,
        expected_version: Option<i32>,
    ) -> Result<ProjectDetails> {
        let (pre, _) = self.readable_project(actor, project_id).await?;
        actor.scope().require(Operation::MigrateProjects, Target::Everything)?;
        let (old, old_row) = self.definition_by_version_id(pre.workflow_version_id).await?;
        let target = self.workflow_version(&old_row.key, Some(to_version)).await?;
        if target.version <= old_row.version {
            return Err(Error::validation(
                Field::ToVersion,
                format!(
                    "Проект уже на версии {} процесса «{}»: переводят только на более новую.",
                    old_row.version,
                    old.title()
                ),
            ));
        }
        let district = self.load_district(pre.district_id).await?;
        let calendar = self.calendar_of(&district).await?;

        let now = self.now();
        let txn = self.db.begin().await?;
        let project = lock_project(&txn, project_id, expected_version, now).await?;
        let rows = stage_rows(&txn, project.id).await?;
        let plans: Vec<StagePlan> = rows.iter().cloned().map(Into::into).collect();
        let marks: Vec<ChecklistMark> = checklist_marks::Entity::find()
            .filter(checklist_marks::Column::ProjectId.eq(project.id))
            .all(&txn)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        let facts = Facts {
            plans: &plans,
            marks: &marks,
            start: project.start_date,
            cycle: project.annual_cycle,
            tz: district.time_zone,
            calendar: &calendar,
        };
        let new = target.definition.clone();
        let worked = work_out(&old, &NewVersion::of(&new), (old_row.version, target.version), &facts)?;
        if let Some(refusal) = worked.refusal {
            return Err(Error::InvalidTransition(refusal));
        }
        // Plans of dropped stages go; the others take the new order and dates; new stages
        // are planned by their rules.
        for row in rows.iter().filter(|r| new.stage(&r.stage_key).is_none()) {
            stage_plans::Entity::delete_by_id(row.id).exec(&txn).await?;
        }
        for (i, (stage, due)) in new.stages().iter().zip(&worked.dues).enumerate() {
            match rows.iter().find(|r| r.stage_key == stage.key) {
                Some(row) => {
                    stage_plans::Entity::update_many()
                        .col_expr(stage_plans::Column::Position, Expr::value(i as i32))
                        .col_expr(stage_plans::Column::CurrentDue, Expr::value(*due))
                        .filter(stage_plans::Column::Id.eq(row.id))
                        .exec(&txn)
                        .await?;
                }
                None => {
                    stage_plans::Entity::insert(stage_plans::ActiveModel {
                        project_id: Set(project.id),
                        stage_key: Set(stage.key.clone()),
                        position: Set(i as i32),
                        baseline_due: Set(*due),
                        current_due: Set(*due),
                        due_fixed: Set(false),
                        entered_at: Set(None),
                        completed_at: Set(None),
                        ..Default::default()
                    })
                    .exec(&txn)
                    .await?;
                }
            }
        }
        projects::Entity::update_many()
            .col_expr(projects::Column::WorkflowVersionId, Expr::value(target.id))
            .filter(projects::Column::Id.eq(project.id))
            .exec(&txn)
            .await?;
        record_event(
            &txn,
            project.id,
            now,
            actor,
            NewEvent {
                kind: EventKind::Migrated,
                from_stage: None,
                to_stage: None,
                stage_key: None,
                comment: None,
                details: EventDetails::Migrated {
                    from: old_row.version,
                    to: target.version,
                    changes: worked.changes,
                },
            },
        )
        .await?;
        txn.commit().await?;
        self.changed();
        tracing::info!(
            project = project.id,
            from = old_row.version,
            to = target.version,
            "project migrated"
        );
        self.project(actor, project_id).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    /// `start → a → meet → done`, one after another.
    const LINEAR: &str = r#"
key = "corpus"
title = "Проверочный процесс"
scope = "organization"

[[stages]]
key = "start"
title = "Начало"
owners = ["coordinator"]

[[stages]]
key = "a"
title = "Ветвь А"
owners = ["coordinator"]

[[stages]]
key = "meet"
title = "Слияние"
owners = ["coordinator"]

[[stages]]
key = "done"
title = "Завершено"
owners = ["coordinator"]
terminal = true

[[transitions]]
from = "start"
to = "a"
roles = ["coordinator"]

[[transitions]]
from = "a"
to = "meet"
roles = ["coordinator"]

[[transitions]]
from = "meet"
to = "done"
roles = ["coordinator"]
"#;

    fn plan(key: &str, current: bool) -> StagePlan {
        StagePlan {
            stage_key: key.into(),
            position: 0,
            baseline_due: None,
            current_due: None,
            due_fixed: false,
            entered_at: current.then(|| Utc.with_ymd_and_hms(2025, 3, 3, 6, 0, 0).unwrap()),
            completed_at: None,
            responsible_id: None,
        }
    }

    fn worked_out(at: &str) -> Move {
        let old = Definition::parse("linear.toml", LINEAR).unwrap();
        // The parallel corpus without its return for revision, which would let «a» run alone.
        let parallel = include_str!("../../../tests/workflows/good/parallel.toml").replace(
            "[[transitions]]\nfrom = \"meet\"\nto = \"a\"\nroles = [\"coordinator\"]\n",
            "",
        );
        let new = Definition::parse("parallel.toml", &parallel).unwrap();
        assert!(
            new.transitions_from("meet").all(|t| t.to != ["a"]),
            "the return is gone"
        );
        let plans: Vec<StagePlan> = ["start", "a", "meet", "done"]
            .iter()
            .map(|k| plan(k, *k == at))
            .collect();
        let calendar = Calendar::federal();
        let facts = Facts {
            plans: &plans,
            marks: &[],
            start: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
            cycle: 0,
            tz: chrono_tz::Asia::Yekaterinburg,
            calendar: &calendar,
        };
        work_out(&old, &NewVersion::of(&new), (1, 2), &facts).unwrap()
    }

    #[test]
    fn a_new_branch_beside_the_stage_under_way_is_said_to_be_skipped() {
        // At «a», the new version's branch «b» runs beside it: the project will not pass it
        // (the join opens when «a» is done, as after «b» had finished).
        let at_a = worked_out("a");
        assert!(at_a.refusal.is_none());
        let skipped = "Новый этап «Ветвь Б» идёт раньше этапов, на которых сейчас проект, или параллельно им: проект его не пройдёт.";
        assert!(at_a.changes.iter().any(|c| c == skipped), "{:?}", at_a.changes);
        // Before the fork, the new branch is ahead: it will be passed.
        let at_start = worked_out("start");
        assert!(
            at_start.changes.iter().any(|c| c.starts_with("Новый этап «Ветвь Б», ")),
            "{:?}",
            at_start.changes
        );
    }
}
