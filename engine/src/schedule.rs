//! Due dates: evaluating a workflow's due rules for one project.
//!
//! Baseline due dates are computed once, at launch. Current due dates are recomputed whenever
//! something they depend on changes (a stage is entered, a stage is rescheduled), except where
//! a person fixed the date (given at launch or rescheduled) or the stage is already completed:
//! those are *pinned* and other stages count from them. Until a stage is entered, "after
//! entering the stage" counts from the date the project is expected to arrive there: the due
//! date of the nearest earlier stage that has one (or the project start).
//!
//! Calendar-day offsets that land on a day off move to the next working day (Civil Code
//! art. 193), or to the previous one when counting back before another stage's due date, so
//! "not later than N days before" stays before. Working-day offsets use the production
//! calendar. Fixed, annual and launch dates stay as written.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};

use crate::calendar::Calendar;
use crate::definition::{Anchor, ChecklistItem, DayUnit, Definition, DueRule, Stage};
use crate::error::{Error, Field, Result};

/// The stage whose due date stage `i`'s due date depends on (before `i` is entered), if any.
pub fn due_dependency(stages: &[Stage], i: usize) -> Option<usize> {
    match &stages[i].due {
        Some(DueRule::Offset {
            anchor: Anchor::StageDue(key),
            ..
        }) => stages.iter().position(|s| &s.key == key),
        Some(DueRule::Offset {
            anchor: Anchor::StageEntered,
            ..
        }) => (0..i).rev().find(|&j| stages[j].due.is_some()),
        _ => None,
    }
}

/// What is known about one stage of a project when its due dates are (re)computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageFacts {
    /// The date (in the district's time zone) the project entered the stage, if it has.
    pub entered_on: Option<NaiveDate>,
    /// A due date that must not be recomputed: set by a person, or the stage is completed.
    pub pinned_due: Option<NaiveDate>,
}

/// Computes the due date of every stage (in the definition's order); `None` for stages with
/// no due rule. `facts` has one entry per stage.
pub fn due_dates(
    definition: &Definition,
    start: NaiveDate,
    cycle: u32,
    facts: &[StageFacts],
    calendar: &Calendar,
) -> Result<Vec<Option<NaiveDate>>> {
    let stages = definition.stages();
    if facts.len() != stages.len() {
        return Err(Error::Internal(format!(
            "{} stage facts for {} stages",
            facts.len(),
            stages.len()
        )));
    }
    let mut memo: Vec<Option<Option<NaiveDate>>> = vec![None; stages.len()];
    for i in 0..stages.len() {
        evaluate(stages, (start, cycle), facts, calendar, &mut memo, i, 0)?;
    }
    Ok(memo.into_iter().map(Option::flatten).collect())
}

fn evaluate(
    stages: &[Stage],
    (start, cycle): (NaiveDate, u32),
    facts: &[StageFacts],
    calendar: &Calendar,
    memo: &mut Vec<Option<Option<NaiveDate>>>,
    i: usize,
    depth: usize,
) -> Result<Option<NaiveDate>> {
    if let Some(known) = memo[i] {
        return Ok(known);
    }
    if depth > stages.len() {
        // Validation refuses cyclic rules; a stored definition cannot have one.
        return Err(Error::Internal(format!("cyclic due rules at stage {}", stages[i].key)));
    }
    let stage = &stages[i];
    let due = if let Some(pinned) = facts[i].pinned_due {
        Some(pinned)
    } else {
        match &stage.due {
            None => None,
            Some(DueRule::Fixed { date }) => Some(*date),
            Some(DueRule::Annual { month, day }) => Some(annual_on_or_after(start, *month, *day, cycle)?),
            Some(DueRule::AtLaunch) => {
                return Err(Error::validation(
                    Field::DueDate(stage.key.clone()),
                    format!(
                        "Срок этапа «{}» назначается при запуске проекта: укажите дату.",
                        stage.title
                    ),
                ));
            }
            Some(DueRule::Offset { days, unit, anchor }) => {
                let from = match anchor {
                    Anchor::ProjectStart => start,
                    Anchor::StageEntered => match facts[i].entered_on {
                        Some(entered) => entered,
                        None => match due_dependency(stages, i) {
                            Some(j) => {
                                evaluate(stages, (start, cycle), facts, calendar, memo, j, depth + 1)?.unwrap_or(start)
                            }
                            None => start,
                        },
                    },
                    Anchor::StageDue(key) => {
                        let j = stages
                            .iter()
                            .position(|s| &s.key == key)
                            .ok_or_else(|| Error::Internal(format!("unknown anchor stage {key}")))?;
                        evaluate(stages, (start, cycle), facts, calendar, memo, j, depth + 1)?
                            .ok_or_else(|| Error::Internal(format!("anchor stage {key} has no due date")))?
                    }
                };
                Some(offset(from, *days, *unit, calendar).map_err(|e| match e {
                    Error::Validation { message, .. } => Error::validation(Field::DueDate(stage.key.clone()), message),
                    other => other,
                })?)
            }
        }
    };
    memo[i] = Some(due);
    Ok(due)
}

/// One stage as replanning sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlannedStage {
    /// The date (in the district's time zone) the project entered the stage, if it has.
    pub entered_on: Option<NaiveDate>,
    pub current_due: Option<NaiveDate>,
    /// Set by a person (at launch or by rescheduling).
    pub due_fixed: bool,
    pub completed: bool,
}

impl PlannedStage {
    /// A person's date and a completed stage's date stay as they are.
    pub fn pinned(&self) -> bool {
        self.due_fixed || self.completed
    }
}

/// The current due dates after something changed (a stage entered, a stage rescheduled):
/// pinned stages keep theirs, the others are recomputed from the rules. `stages` has one
/// entry per stage of the definition, in order.
pub fn replan(
    definition: &Definition,
    start: NaiveDate,
    cycle: u32,
    stages: &[PlannedStage],
    calendar: &Calendar,
) -> Result<Vec<Option<NaiveDate>>> {
    let facts: Vec<StageFacts> = stages
        .iter()
        .map(|s| StageFacts {
            entered_on: s.entered_on,
            pinned_due: s.current_due.filter(|_| s.pinned()),
        })
        .collect();
    let dues = due_dates(definition, start, cycle, &facts, calendar)?;
    Ok(stages
        .iter()
        .zip(dues)
        .map(|(s, due)| if s.pinned() { s.current_due } else { due })
        .collect())
}

/// `from` moved by `days` calendar or working days (negative: back).
pub fn offset(from: NaiveDate, days: i32, unit: DayUnit, calendar: &Calendar) -> Result<NaiveDate> {
    match unit {
        DayUnit::Working => Ok(calendar.add_working_days(from, days)?),
        DayUnit::Calendar => {
            let moved = if days >= 0 {
                from.checked_add_days(Days::new(days as u64))
            } else {
                from.checked_sub_days(Days::new(days.unsigned_abs() as u64))
            }
            .ok_or(crate::calendar::CalendarError::OutOfRange)?;
            if days >= 0 {
                Ok(calendar.next_working_day_from(moved)?)
            } else {
                Ok(calendar.previous_working_day_from(moved)?)
            }
        }
    }
}

/// The first `month`-`day` on or after `start`, or the `cycle`-th after that (0: the first).
/// 29 February falls on 28 February in a common year.
pub fn annual_on_or_after(start: NaiveDate, month: u32, day: u32, cycle: u32) -> Result<NaiveDate> {
    let on =
        |year: i32| NaiveDate::from_ymd_opt(year, month, day).or_else(|| NaiveDate::from_ymd_opt(year, month, day - 1));
    let first = match on(start.year()) {
        Some(date) if date >= start => start.year(),
        _ => start.year() + 1,
    };
    on(first + cycle as i32).ok_or(Error::Validation {
        field: Some(Field::StartDate),
        message: "Срок выходит за пределы допустимых дат: проверьте дату начала.".into(),
    })
}

/// The due date of a task (a checklist item with its own rule) of the stage `stage`, from the
/// project's plans: counted from the project's start, the stage's entry (none before it is
/// entered) or a stage's current due date (none while that stage has none). A date the
/// calendar cannot count gives none rather than an error: a task's date is a reminder, not a
/// plan the project stands on.
pub fn task_due(
    rule: &DueRule,
    stage: &str,
    start: NaiveDate,
    plans: &[crate::model::StagePlan],
    tz: chrono_tz::Tz,
    calendar: &Calendar,
) -> Option<NaiveDate> {
    let plan = |key: &str| plans.iter().find(|p| p.stage_key == key);
    match rule {
        DueRule::Fixed { date } => Some(*date),
        DueRule::Annual { .. } | DueRule::AtLaunch => None,
        DueRule::Offset { days, unit, anchor } => {
            let from = match anchor {
                Anchor::ProjectStart => start,
                Anchor::StageEntered => plan(stage)?.entered_at?.with_timezone(&tz).date_naive(),
                Anchor::StageDue(key) => plan(key)?.current_due?,
            };
            offset(from, *days, *unit, calendar).ok()
        }
    }
}

/// What reminders and health need of a project's checklist: which items are ticked and who
/// is named for which, by (stage key, item key).
#[derive(Debug, Default, Clone)]
pub struct TaskStates {
    pub done: HashSet<(String, String)>,
    pub named: HashMap<(String, String), i64>,
}

/// A task of a stage under way, with a date of its own, not yet done.
#[derive(Debug, Clone, Copy)]
pub struct OpenTask<'d> {
    pub stage: &'d Stage,
    pub item: &'d ChecklistItem,
    pub due: NaiveDate,
    /// The person named for the task, if any.
    pub responsible_id: Option<i64>,
}

/// The open tasks of a project's stages under way, in stage and checklist order. A task whose
/// date cannot be counted (its anchor stage has no date yet) is left out, as in
/// [`task_due`].
pub fn open_tasks<'d>(
    definition: &'d Definition,
    start: NaiveDate,
    plans: &[crate::model::StagePlan],
    states: &TaskStates,
    tz: chrono_tz::Tz,
    calendar: &Calendar,
) -> Vec<OpenTask<'d>> {
    let mut out = Vec::new();
    for plan in plans.iter().filter(|p| p.is_current()) {
        let Some(stage) = definition.stage(&plan.stage_key) else {
            continue;
        };
        for item in &stage.checklist {
            let Some(rule) = &item.due else {
                continue;
            };
            let key = (stage.key.clone(), item.key.clone());
            if states.done.contains(&key) {
                continue;
            }
            if let Some(due) = task_due(rule, &stage.key, start, plans, tz, calendar) {
                out.push(OpenTask {
                    stage,
                    item,
                    due,
                    responsible_id: states.named.get(&key).copied(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A definition with the given stages and a terminal one, chained by transitions.
    fn definition(stages: &str) -> Definition {
        let mut text = format!(
            "key = \"t\"\ntitle = \"Т\"\nscope = \"organization\"\n{stages}\n[[stages]]\nkey = \"done\"\ntitle = \"Готово\"\nowners = [\"coordinator\"]\nterminal = true\n"
        );
        let keys: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("key = \""))
            .map(|k| k.trim_end_matches('"').to_string())
            .skip(1)
            .collect();
        for pair in keys.windows(2) {
            text.push_str(&format!(
                "[[transitions]]\nfrom = \"{}\"\nto = \"{}\"\nroles = [\"coordinator\"]\n",
                pair[0], pair[1]
            ));
        }
        Definition::parse("t.toml", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn stage(key: &str, due: &str) -> String {
        format!("[[stages]]\nkey = \"{key}\"\ntitle = \"Этап {key}\"\nowners = [\"coordinator\"]\ndue = {due}\n")
    }

    fn plan(def: &Definition, start: &str, facts: &[StageFacts]) -> Vec<Option<NaiveDate>> {
        due_dates(def, d(start), 0, facts, &Calendar::federal()).unwrap()
    }

    #[test]
    fn every_kind_of_rule_is_evaluated() {
        let def = definition(
            &[
                stage("fixed", "{ date = \"2025-03-20\" }"),
                stage("cal", "{ days = 30, after = \"project_start\" }"),
                stage("work", "{ working_days = 10, after = \"project_start\" }"),
                stage("entered", "{ days = 7, after = \"stage_entered\" }"),
                stage("opening", "{ annual = \"09-01\" }"),
                stage("before", "{ working_days = 10, before_stage = \"opening\" }"),
                stage("after", "{ working_days = 10, after_stage = \"opening\" }"),
            ]
            .concat(),
        );
        let facts = vec![StageFacts::default(); def.stages().len()];
        let dues = plan(&def, "2025-03-03", &facts);
        assert_eq!(dues[0], Some(d("2025-03-20")));
        // 2 April 2025 is a Wednesday.
        assert_eq!(dues[1], Some(d("2025-04-02")));
        // Ten working days after Monday 3 March 2025.
        assert_eq!(dues[2], Some(d("2025-03-17")));
        // Expected to be entered when "work" is due, seven days later (a Monday).
        assert_eq!(dues[3], Some(d("2025-03-24")));
        assert_eq!(dues[4], Some(d("2025-09-01")));
        assert_eq!(dues[5], Some(d("2025-08-18")));
        assert_eq!(dues[6], Some(d("2025-09-15")));
        assert_eq!(dues[7], None, "the terminal stage has no rule");
    }

    #[test]
    fn an_annual_date_is_the_first_on_or_after_the_start() {
        let def = definition(&stage("opening", "{ annual = \"09-01\" }"));
        let facts = vec![StageFacts::default(); 2];
        assert_eq!(plan(&def, "2025-09-01", &facts)[0], Some(d("2025-09-01")));
        assert_eq!(plan(&def, "2025-09-02", &facts)[0], Some(d("2026-09-01")));
    }

    #[test]
    fn a_calendar_day_term_ending_on_a_holiday_moves_to_the_next_working_day() {
        let def = definition(&stage("s", "{ days = 10, after = \"project_start\" }"));
        let facts = vec![StageFacts::default(); 2];
        // 2 June 2024 + 10 = 12 June, Russia Day; the next working day is 13 June.
        assert_eq!(plan(&def, "2024-06-02", &facts)[0], Some(d("2024-06-13")));
    }

    #[test]
    fn entering_and_pinning_change_what_depends_on_them() {
        let def = definition(
            &[
                stage("a", "{ days = 14, after = \"project_start\" }"),
                stage("b", "{ working_days = 5, after = \"stage_entered\" }"),
                stage("c", "{ working_days = 3, after_stage = \"b\" }"),
            ]
            .concat(),
        );
        let mut facts = vec![StageFacts::default(); 4];
        let baseline = plan(&def, "2025-02-03", &facts);
        // 24 February 2025 is a working day: the decree moved Sunday 23 February to 8 May.
        assert_eq!(
            baseline[..3],
            [Some(d("2025-02-17")), Some(d("2025-02-24")), Some(d("2025-02-27"))]
        );
        // Entering b early (on 10 February) moves b and c.
        facts[1].entered_on = Some(d("2025-02-10"));
        let moved = plan(&def, "2025-02-03", &facts);
        assert_eq!(moved[1..3], [Some(d("2025-02-17")), Some(d("2025-02-20"))]);
        // Rescheduling b pins it; c follows the new date.
        facts[1].pinned_due = Some(d("2025-03-03"));
        let pinned = plan(&def, "2025-02-03", &facts);
        assert_eq!(pinned[1..3], [Some(d("2025-03-03")), Some(d("2025-03-06"))]);
    }

    #[test]
    fn replanning_keeps_pinned_dates_and_moves_the_rest() {
        let def = definition(
            &[
                stage("a", "{ days = 14, after = \"project_start\" }"),
                stage("b", "{ working_days = 5, after = \"stage_entered\" }"),
            ]
            .concat(),
        );
        let cal = &Calendar::federal();
        let stages = [
            // Completed on a date other than its rule's: it stays.
            PlannedStage {
                entered_on: Some(d("2025-02-03")),
                current_due: Some(d("2025-02-20")),
                due_fixed: false,
                completed: true,
            },
            // Entered on 10 February: five working days later.
            PlannedStage {
                entered_on: Some(d("2025-02-10")),
                current_due: Some(d("2025-02-24")),
                due_fixed: false,
                completed: false,
            },
            PlannedStage::default(),
        ];
        let dues = replan(&def, d("2025-02-03"), 0, &stages, cal).unwrap();
        assert_eq!(dues[..2], [Some(d("2025-02-20")), Some(d("2025-02-17"))]);
        let fixed = [
            stages[0],
            PlannedStage {
                due_fixed: true,
                ..stages[1]
            },
            stages[2],
        ];
        assert_eq!(
            replan(&def, d("2025-02-03"), 0, &fixed, cal).unwrap()[1],
            Some(d("2025-02-24"))
        );
    }

    #[test]
    fn a_launch_date_must_be_given() {
        let def = definition(&stage("event", "{ at_launch = true }"));
        let mut facts = vec![StageFacts::default(); 2];
        let err = due_dates(&def, d("2025-03-03"), 0, &facts, &Calendar::federal()).unwrap_err();
        assert!(
            matches!(err, Error::Validation { ref field, .. } if field == &Some(Field::DueDate("event".into()))),
            "{err:?}"
        );
        facts[0].pinned_due = Some(d("2025-04-10"));
        assert_eq!(plan(&def, "2025-03-03", &facts)[0], Some(d("2025-04-10")));
    }

    #[test]
    fn dates_beyond_the_decrees_are_projected_not_refused() {
        let def = definition(&stage("s", "{ working_days = 10, after = \"project_start\" }"));
        let facts = vec![StageFacts::default(); 2];
        // 25 December 2027 + 10 working days: four in 2027 (31 December is off by the decree),
        // then 1–8 January 2028 are holidays in any year and the 9th is a Sunday.
        assert_eq!(plan(&def, "2027-12-25", &facts)[0], Some(d("2028-01-17")));
    }

    #[test]
    fn a_later_cycle_takes_the_next_annual_date() {
        let def = definition(&stage("opening", "{ annual = \"09-01\" }"));
        let facts = vec![StageFacts::default(); 2];
        let dues = due_dates(&def, d("2027-05-01"), 1, &facts, &Calendar::federal()).unwrap();
        assert_eq!(dues[0], Some(d("2028-09-01")));
        assert_eq!(annual_on_or_after(d("2027-03-01"), 2, 29, 1).unwrap(), d("2029-02-28"));
        assert_eq!(annual_on_or_after(d("2027-03-01"), 2, 29, 0).unwrap(), d("2028-02-29"));
        assert_eq!(annual_on_or_after(d("2028-03-01"), 2, 29, 0).unwrap(), d("2029-02-28"));
    }
}
