//! One project's life, simulated stage by stage the way the services would have recorded it.
//!
//! The launch computes the plan with [`crate::planning::plan_launch`] (stage 0 entered on the start date, dates
//! given at launch pinned); every transition then completes the stage left, enters the next
//! and recomputes the due dates from the same facts the engine's replanning reads (entered
//! dates, completed and pinned stages keep theirs), except when the next stage is terminal —
//! exactly as `transition_project` does. So the stored plans are the engine's.
//!
//! How long a stage takes follows the project's temper: most finish a few days before the
//! due date, some a little after it, one in seven gets stuck weeks late. A stage that would
//! finish after today is where the project is now — overdue if its due date has passed. Every
//! checklist item of a completed stage is ticked before the transition (the guard holds);
//! the current stage has some ticked. A few active projects are cancelled. In a school's
//! project the coordinator names the school's director for the stages that are the directors'
//! alone, right after the launch.

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::RngExt;
use rand::seq::IndexedRandom;
use sea_orm::ActiveValue::Set;

use super::DemoRng;
use crate::auth::Role;
use crate::calendar::Calendar;
use crate::definition::Definition;
use crate::error::Result;
use crate::model::{EventKind, ProjectStatus};
use crate::schedule::{PlannedStage, StageFacts, replan};
use crate::store::entity::{checklist_marks, project_events};

/// Who acts in a project: the district's coordinator and, where there is one, the director of
/// the (first) participant.
#[derive(Debug, Clone, Copy)]
pub(super) struct Actors {
    pub coordinator: i64,
    pub director: Option<i64>,
}

/// A transition taken: from which stage, to which (the first it names), when.
#[derive(Debug, Clone, Copy)]
pub(super) struct Taken {
    pub from: usize,
    pub to: usize,
    pub at: DateTime<Utc>,
    pub on: NaiveDate,
}

/// The simulated project: its plan, state, checklist and history.
#[derive(Debug)]
pub(super) struct Timeline {
    pub entered_on: Vec<Option<NaiveDate>>,
    pub entered_at: Vec<Option<DateTime<Utc>>>,
    pub completed_at: Vec<Option<DateTime<Utc>>>,
    pub baseline: Vec<Option<NaiveDate>>,
    pub current: Vec<Option<NaiveDate>>,
    pub fixed: Vec<bool>,
    /// The current stage (the first of them while parallel branches run).
    pub stage: usize,
    pub status: ProjectStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub launched_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes after the launch (each bumps the row version).
    pub changes: i32,
    /// Which occurrence of an annual date the plan counts from.
    pub annual_cycle: u32,
    pub taken: Vec<Taken>,
    pub marks: Vec<checklist_marks::ActiveModel>,
    pub events: Vec<project_events::ActiveModel>,
    /// The person named for each stage, if any.
    pub responsible: Vec<Option<i64>>,
}

/// What the simulation needs besides the definition.
pub(super) struct Setting<'a> {
    pub project_id: i64,
    pub start: NaiveDate,
    /// Due dates given at launch, by stage index.
    pub pinned: Vec<(usize, NaiveDate)>,
    pub launch_details: crate::model::LaunchDetails,
    pub tz: Tz,
    pub today: NaiveDate,
    pub actors: Actors,
    /// The director's full name, for the entries that name them.
    pub director_name: Option<&'a str>,
    pub calendar: &'a Calendar,
}

/// An instant on a local date, at a time of the working day.
pub(super) fn working_instant(date: NaiveDate, tz: Tz, rng: &mut DemoRng) -> DateTime<Utc> {
    local_instant(date, tz, rng.random_range(9..18), rng.random_range(0..60))
}

pub(super) fn local_instant(date: NaiveDate, tz: Tz, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = date.and_hms_opt(hour, minute, 0).unwrap_or_default();
    tz.from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

pub(super) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        date.checked_add_days(Days::new(days as u64)).unwrap_or(date)
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs())).unwrap_or(date)
    }
}

const COMMENTS: [&str; 5] = [
    "Документы проверены, замечаний нет.",
    "Согласовано с руководителем организации.",
    "Материалы размещены на сайте.",
    "Отчёт принят.",
    "Выполнено в полном объёме.",
];

const CANCEL_REASONS: [&str; 3] = [
    "Организация реорганизована (присоединена к другой школе).",
    "Проект перенесён на следующий учебный год решением управления образования.",
    "Финансирование на текущий год не выделено.",
];

/// Simulates a project from its launch to today.
pub(super) fn simulate(definition: &Definition, s: &Setting<'_>, rng: &mut DemoRng) -> Result<Timeline> {
    let stages = definition.stages();
    let n = stages.len();
    let launched_at = working_instant(s.start, s.tz, rng);
    let mut t = Timeline {
        entered_on: vec![None; n],
        entered_at: vec![None; n],
        completed_at: vec![None; n],
        baseline: Vec::new(),
        current: Vec::new(),
        fixed: vec![false; n],
        stage: 0,
        status: ProjectStatus::Active,
        closed_at: None,
        launched_at,
        updated_at: launched_at,
        changes: 0,
        annual_cycle: 0,
        taken: Vec::new(),
        marks: Vec::new(),
        events: Vec::new(),
        responsible: vec![None; n],
    };
    t.entered_on[0] = Some(s.start);
    t.entered_at[0] = Some(launched_at);
    let mut facts = vec![StageFacts::default(); n];
    facts[0].entered_on = Some(s.start);
    for &(i, date) in &s.pinned {
        facts[i].pinned_due = Some(date);
        t.fixed[i] = true;
    }
    // Planned as the launch plans it, on the day it was launched.
    let plan = crate::planning::plan_launch(definition, s.start, s.start, &facts, s.calendar)?;
    t.annual_cycle = plan.annual_cycle;
    t.baseline = plan.dues();
    t.current = t.baseline.clone();
    record(
        &mut t,
        s.project_id,
        Entry {
            to: Some(&stages[0].key),
            details: crate::model::EventDetails::Launched(crate::model::LaunchDetails {
                annual_cycle: Some(plan.annual_cycle),
                ..s.launch_details.clone()
            })
            .to_json()
            .map(|d| d.to_string()),
            ..Entry::new(launched_at, s.actors.coordinator, EventKind::Launched)
        },
    );
    // A school's project: the coordinator names the director for the stages that are the
    // directors' alone (a «Точка роста»'s premises, equipment and training), a minute apart.
    if let (Some(director), Some(name)) = (s.actors.director, s.director_name) {
        let mine = stages
            .iter()
            .enumerate()
            .filter(|(_, st)| !st.terminal && st.owners == [Role::Director]);
        for (minutes, (k, stage)) in (1..).zip(mine) {
            t.responsible[k] = Some(director);
            record(
                &mut t,
                s.project_id,
                Entry {
                    stage: Some(&stage.key),
                    details: crate::model::EventDetails::Responsible {
                        from: None,
                        to: Some(crate::model::NamedPerson {
                            id: director,
                            name: name.to_string(),
                        }),
                        task: None,
                    }
                    .to_json()
                    .map(|d| d.to_string()),
                    ..Entry::new(
                        launched_at + Duration::minutes(minutes),
                        s.actors.coordinator,
                        EventKind::ResponsibleChanged,
                    )
                },
            );
        }
    }

    // Punctual, a little late, or stuck. Parallel branches run side by side: the stage under
    // way that finishes first moves next, by its way forward (a transition to later stages),
    // through the same `Definition::fire` the engine's transitions use.
    let temper: f64 = rng.random();
    let mut marking = definition.initial_marking();
    let mut finish_of: Vec<Option<NaiveDate>> = vec![None; n];
    loop {
        for i in marking.stages() {
            if finish_of[i].is_none() {
                let entered = t.entered_on[i].unwrap_or(s.start);
                let planned = match t.current[i] {
                    Some(due) => {
                        let delta = if temper < 0.55 {
                            rng.random_range(-10..=2)
                        } else if temper < 0.85 {
                            rng.random_range(-3..=15)
                        } else {
                            rng.random_range(5..=60)
                        };
                        add_days(due, delta)
                    }
                    None => add_days(entered, rng.random_range(10..=40)),
                };
                let planned = planned.max(add_days(entered, rng.random_range(1..=5)));
                finish_of[i] = Some(s.calendar.next_working_day_from(planned)?);
            }
        }
        let Some((i, finish)) = marking
            .stages()
            .filter_map(|i| finish_of[i].map(|f| (i, f)))
            .min_by_key(|&(i, f)| (f, i))
        else {
            break;
        };
        let forward = definition
            .transitions_from(&stages[i].key)
            .find(|tr| tr.to.iter().all(|k| definition.stage_index(k).is_some_and(|to| to > i)));
        let Some(transition) = forward else { break };
        if finish >= s.today {
            break;
        }
        let at = working_instant(finish, s.tz, rng).max(t.entered_at[i].unwrap_or(launched_at) + Duration::hours(2));
        // Time moves forward across branches too.
        let at = at.max(t.updated_at + Duration::minutes(1));
        tick(&mut t, definition, s, i, at, stages[i].checklist.len(), rng);
        let by = match s.actors.director {
            Some(director) if transition.roles.contains(&Role::Director) && rng.random_bool(0.6) => director,
            _ => s.actors.coordinator,
        };
        let comment = if transition.guards.comment_required {
            Some("Решение принято на совещании в управлении образования.".to_string())
        } else if rng.random_bool(0.15) {
            COMMENTS.choose(rng).map(|c| c.to_string())
        } else {
            None
        };
        let fired = definition.fire(marking, transition);
        let keys = |list: &[usize]| list.iter().map(|&k| stages[k].key.clone()).collect::<Vec<_>>();
        let target = definition.stage_index(transition.target()).unwrap_or(i);
        let simple = fired.opened == [target] && fired.waiting.is_empty();
        let details = (!simple).then(|| crate::model::EventDetails::Moved {
            opened: keys(&fired.opened),
            waiting: keys(&fired.waiting),
        });
        let to_key = fired
            .opened
            .first()
            .map_or(transition.target(), |&k| stages[k].key.as_str());
        record(
            &mut t,
            s.project_id,
            Entry {
                from: Some(&stages[i].key),
                to: Some(to_key),
                comment,
                details: details.and_then(|d| d.to_json()).map(|d| d.to_string()),
                ..Entry::new(at, by, EventKind::Transition)
            },
        );
        t.taken.push(Taken {
            from: i,
            to: target,
            at,
            on: finish,
        });
        t.completed_at[i] = Some(at);
        finish_of[i] = None;
        for &o in &fired.opened {
            t.entered_on[o] = Some(finish);
            t.entered_at[o] = Some(at);
            t.completed_at[o] = None;
            finish_of[o] = None;
        }
        marking = fired.marking;
        if fired.finished {
            let end = fired
                .opened
                .iter()
                .copied()
                .find(|&o| stages[o].terminal)
                .unwrap_or(target);
            t.stage = end;
            t.completed_at[end] = Some(at);
            t.status = ProjectStatus::Completed;
            t.closed_at = Some(at);
            return Ok(t);
        }
        t.stage = marking.stages().next().unwrap_or(t.stage);
        replan_timeline(&mut t, definition, s)?;
    }

    // The stages the project is in now: some items ticked, and perhaps a cancellation.
    let now_in: Vec<usize> = marking.stages().collect();
    let i = t.stage;
    let entered_at = t.entered_at[i].unwrap_or(launched_at);
    let entered = t.entered_on[i].unwrap_or(s.start);
    if (s.today - entered).num_days() > 3 && rng.random_bool(0.02) {
        let on = add_days(entered, rng.random_range(1..(s.today - entered).num_days()));
        let at = working_instant(on, s.tz, rng)
            .max(entered_at + Duration::hours(2))
            .max(t.updated_at + Duration::minutes(1));
        let reason = CANCEL_REASONS.choose(rng).map(|r| r.to_string());
        let ticks = rng.random_range(0..=stages[i].checklist.len());
        tick(&mut t, definition, s, i, at, ticks, rng);
        record(
            &mut t,
            s.project_id,
            Entry {
                from: Some(&stages[i].key),
                comment: reason,
                ..Entry::new(at, s.actors.coordinator, EventKind::Cancelled)
            },
        );
        t.status = ProjectStatus::Cancelled;
        t.closed_at = Some(at);
    } else {
        for i in now_in {
            let entered_at = t.entered_at[i].unwrap_or(launched_at);
            let entered = t.entered_on[i].unwrap_or(s.start);
            if (s.today - entered).num_days() >= 1 {
                let ticks = rng.random_range(0..=stages[i].checklist.len());
                let end = working_instant(add_days(s.today, -1), s.tz, rng).max(entered_at + Duration::hours(1));
                tick(&mut t, definition, s, i, end, ticks, rng);
            }
        }
    }
    Ok(t)
}

/// The engine's replanning after a transition: entered stages count from their dates,
/// completed and pinned stages keep theirs, the rest follow.
fn replan_timeline(t: &mut Timeline, definition: &Definition, s: &Setting<'_>) -> Result<()> {
    let stages: Vec<PlannedStage> = (0..t.current.len())
        .map(|k| PlannedStage {
            entered_on: t.entered_on[k],
            current_due: t.current[k],
            due_fixed: t.fixed[k],
            completed: t.completed_at[k].is_some(),
        })
        .collect();
    t.current = replan(definition, s.start, t.annual_cycle, &stages, s.calendar)?;
    Ok(())
}

/// Ticks the first `count` checklist items of stage `i`, at times between entering it and
/// `before`.
fn tick(
    t: &mut Timeline,
    definition: &Definition,
    s: &Setting<'_>,
    i: usize,
    before: DateTime<Utc>,
    count: usize,
    rng: &mut DemoRng,
) {
    let stage = &definition.stages()[i];
    let from = t.entered_at[i].unwrap_or(t.launched_at);
    let span = (before - from).num_minutes().max(2);
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| from + Duration::minutes(rng.random_range(1..span)))
        .collect();
    times.sort();
    for (k, (item, at)) in stage.checklist.iter().zip(times).enumerate() {
        let by = match s.actors.director {
            Some(director) if item.owners_in(stage).contains(&Role::Director) && rng.random_bool(0.7) => director,
            _ => s.actors.coordinator,
        };
        // An item that needs a document is ticked saying where it is.
        let comment = item.document.then(|| {
            format!(
                "Документ № {}-{} от {}, в деле школы",
                i + 1,
                k + 1,
                at.date_naive().format("%d.%m.%Y")
            )
        });
        t.marks.push(checklist_marks::ActiveModel {
            project_id: Set(s.project_id),
            stage_key: Set(stage.key.clone()),
            item_key: Set(item.key.clone()),
            done: Set(true),
            marked_by: Set(Some(by)),
            marked_at: Set(at),
            comment: Set(comment.clone()),
            ..Default::default()
        });
        let details = crate::model::EventDetails::ChecklistItem {
            item: item.key.clone(),
            title: item.title.clone(),
            done: true,
        };
        record(
            t,
            s.project_id,
            Entry {
                stage: Some(&stage.key),
                details: details.to_json().map(|d| d.to_string()),
                comment,
                ..Entry::new(at, by, EventKind::ChecklistItem)
            },
        );
    }
}

/// A history entry to record.
struct Entry<'a> {
    at: DateTime<Utc>,
    actor: i64,
    kind: EventKind,
    from: Option<&'a str>,
    to: Option<&'a str>,
    stage: Option<&'a str>,
    comment: Option<String>,
    details: Option<String>,
}

impl<'a> Entry<'a> {
    fn new(at: DateTime<Utc>, actor: i64, kind: EventKind) -> Self {
        Entry {
            at,
            actor,
            kind,
            from: None,
            to: None,
            stage: None,
            comment: None,
            details: None,
        }
    }
}

fn record(t: &mut Timeline, project_id: i64, e: Entry<'_>) {
    if e.kind != EventKind::Launched {
        t.changes += 1;
    }
    t.updated_at = t.updated_at.max(e.at);
    t.events.push(project_events::ActiveModel {
        project_id: Set(project_id),
        at: Set(e.at),
        actor_id: Set(Some(e.actor)),
        kind: Set(e.kind.as_str().to_string()),
        from_stage: Set(e.from.map(str::to_string)),
        to_stage: Set(e.to.map(str::to_string)),
        stage_key: Set(e.stage.map(str::to_string)),
        comment: Set(e.comment),
        details: Set(e.details),
        ..Default::default()
    });
}
