//! The plan of a project about to be launched: which cycle of an annual date it counts from,
//! each stage's date with its provisional mark, and what a coordinator should know before
//! confirming.
//!
//! A plan *fits* when no stage is due before the project starts and the due dates follow the
//! stages' order. For a definition with an annual date («открытие к 1 сентября») counted back
//! from, the launch takes the first occurrence for which the plan fits, and says so when it is
//! not the nearest one (naming the latest start that would still make the nearest). A plan
//! that cannot fit because of a date a person gave (the day of «Единый методический день»)
//! or a fixed date of the definition is refused with a Russian message that names the stage,
//! the date that did not fit and the date that would. A plan out of order only because of a
//! person's date, a stage overdue at launch (a backdated start) and dates counted over a
//! provisional calendar are warnings, shown before the launch.

use chrono::{Days, NaiveDate};

use crate::calendar::Calendar;
use crate::definition::{Anchor, Definition, DueRule};
use crate::error::{Error, Field, Result};
use crate::schedule::{StageFacts, due_dates};

/// How far ahead an annual date is looked for.
const MAX_CYCLES: u32 = 4;

/// One stage of a planned launch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDue {
    pub stage_key: String,
    pub due: Option<NaiveDate>,
    /// Given by the person launching.
    pub fixed: bool,
    /// Counted over a year whose calendar is not yet official.
    pub provisional: bool,
}

/// A plan ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchPlan {
    pub annual_cycle: u32,
    pub stages: Vec<PlannedDue>,
    /// For people, in Russian.
    pub warnings: Vec<String>,
}

impl LaunchPlan {
    pub fn dues(&self) -> Vec<Option<NaiveDate>> {
        self.stages.iter().map(|s| s.due).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// Stage `i` is due before the start.
    BeforeStart(usize),
    /// Stage `i` is due before stage `j`, which comes before it.
    OutOfOrder(usize, usize),
}

fn problems(definition: &Definition, start: NaiveDate, dues: &[Option<NaiveDate>]) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, (stage, due)) in definition.stages().iter().zip(dues).enumerate() {
        let Some(due) = *due else { continue };
        if stage.terminal {
            continue;
        }
        if due < start {
            out.push(Problem::BeforeStart(i));
            continue;
        }
        // Out of order against the latest-due stage that must be done before this one;
        // parallel branches do not come before one another.
        let latest_before = (0..i)
            .filter(|&j| !definition.stages()[j].terminal && definition.precedes(j, i))
            .filter_map(|j| dues[j].map(|d| (j, d)))
            .filter(|&(_, d)| d > due)
            .max_by_key(|&(j, d)| (d, std::cmp::Reverse(j)));
        if let Some((j, _)) = latest_before {
            out.push(Problem::OutOfOrder(i, j));
        }
    }
    out
}

fn has_annual(definition: &Definition) -> bool {
    definition
        .stages()
        .iter()
        .any(|s| matches!(s.due, Some(DueRule::Annual { .. })))
}

fn ru(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// The stage whose date stage `i` is counted back from (or forward from), if any.
fn anchor_of(definition: &Definition, i: usize) -> Option<usize> {
    match &definition.stages()[i].due {
        Some(DueRule::Offset {
            anchor: Anchor::StageDue(key),
            ..
        }) => definition.stage_index(key),
        _ => None,
    }
}

/// Plans a launch on `start` (today is `today`, both in the district's time zone) with the
/// dates people gave in `facts`.
pub fn plan_launch(
    definition: &Definition,
    start: NaiveDate,
    today: NaiveDate,
    facts: &[StageFacts],
    calendar: &Calendar,
) -> Result<LaunchPlan> {
    let stages = definition.stages();
    let cycles = if has_annual(definition) { MAX_CYCLES } else { 0 };
    let mut chosen: Option<(u32, Vec<Option<NaiveDate>>, Vec<Problem>)> = None;
    let mut first: Option<(Vec<Option<NaiveDate>>, Vec<Problem>)> = None;
    for cycle in 0..=cycles {
        let dues = due_dates(definition, start, cycle, facts, calendar)?;
        let found = problems(definition, start, &dues);
        if first.is_none() {
            first = Some((dues.clone(), found.clone()));
        }
        let before_start = found.iter().any(|p| matches!(p, Problem::BeforeStart(_)));
        if found.is_empty() {
            chosen = Some((cycle, dues, found));
            break;
        }
        // Out of order only: acceptable when nothing later can do better (kept as a warning).
        if !before_start && chosen.is_none() {
            chosen = Some((cycle, dues, found));
        }
    }
    let Some((cycle, dues, remaining)) = chosen else {
        let (dues, found) = first.unwrap_or_default();
        return Err(refusal(definition, start, facts, calendar, &dues, &found));
    };

    let mut warnings = Vec::new();
    if cycle > 0 {
        warnings.push(later_cycle_warning(definition, start, facts, calendar, &dues)?);
    }
    for problem in &remaining {
        if let Problem::OutOfOrder(i, j) = *problem
            && let (Some(due_i), Some(due_j)) = (dues[i], dues[j])
        {
            warnings.push(format!(
                "Срок этапа «{}» ({}) раньше срока предыдущего этапа «{}» ({}): проверьте даты.",
                stages[i].title,
                ru(due_i),
                stages[j].title,
                ru(due_j)
            ));
        }
    }
    let overdue: Vec<String> = stages
        .iter()
        .zip(&dues)
        .filter(|(s, d)| !s.terminal && d.is_some_and(|d| d < today))
        .map(|(s, d)| format!("«{}» ({})", s.title, d.map(ru).unwrap_or_default()))
        .collect();
    if !overdue.is_empty() {
        warnings.push(format!(
            "Проект начинается задним числом: уже при запуске просрочены этапы {}. Напоминания о них \
             уйдут сразу; отметьте пройденные этапы или перенесите сроки.",
            overdue.join(", ")
        ));
    }
    let planned: Vec<PlannedDue> = stages
        .iter()
        .zip(&dues)
        .zip(facts)
        .map(|((stage, due), fact)| PlannedDue {
            stage_key: stage.key.clone(),
            due: *due,
            fixed: fact.pinned_due.is_some(),
            provisional: due.is_some_and(|d| calendar.is_provisional_between(start, d)),
        })
        .collect();
    if planned.iter().any(|p| p.provisional) {
        warnings.push(
            "Часть сроков рассчитана по предварительному календарю: постановление о переносе выходных \
             (или даты региональных праздников) на эти годы ещё не учтены. Когда календарь станет \
             официальным, сроки пересчитаются и это будет записано в историю проекта."
                .into(),
        );
    }
    Ok(LaunchPlan {
        annual_cycle: cycle,
        stages: planned,
        warnings,
    })
}

/// Why the nearest annual date was skipped, and the latest start that would have made it.
fn later_cycle_warning(
    definition: &Definition,
    start: NaiveDate,
    facts: &[StageFacts],
    calendar: &Calendar,
    dues: &[Option<NaiveDate>],
) -> Result<String> {
    let stages = definition.stages();
    let annual = stages
        .iter()
        .position(|s| matches!(s.due, Some(DueRule::Annual { .. })))
        .unwrap_or_default();
    let nearest_dues = due_dates(definition, start, 0, facts, calendar)?;
    let nearest = nearest_dues[annual];
    let why = problems(definition, start, &nearest_dues)
        .first()
        .map(|p| match *p {
            Problem::BeforeStart(i) => format!(
                "срок этапа «{}» ({}) пришёлся бы раньше начала проекта ({})",
                stages[i].title,
                nearest_dues[i].map(ru).unwrap_or_default(),
                ru(start)
            ),
            Problem::OutOfOrder(i, j) => format!(
                "срок этапа «{}» ({}) пришёлся бы раньше срока этапа «{}» ({})",
                stages[i].title,
                nearest_dues[i].map(ru).unwrap_or_default(),
                stages[j].title,
                nearest_dues[j].map(ru).unwrap_or_default()
            ),
        })
        .unwrap_or_default();
    let mut text = format!(
        "«{}» — {}: к {} не успеть, {why}.",
        stages[annual].title,
        dues[annual].map(ru).unwrap_or_default(),
        nearest.map(ru).unwrap_or_default(),
    );
    // The latest start that makes the nearest date fit, looking back up to a year.
    if let Some(target) = nearest {
        let mut day = start;
        for _ in 0..366 {
            let Some(earlier) = day.checked_sub_days(Days::new(1)) else {
                break;
            };
            day = earlier;
            let c = (0..=MAX_CYCLES)
                .find(|&c| due_dates(definition, day, c, facts, calendar).is_ok_and(|d| d[annual] == Some(target)));
            let Some(c) = c else { continue };
            let candidate = due_dates(definition, day, c, facts, calendar)?;
            if problems(definition, day, &candidate).is_empty() {
                text.push_str(&format!(
                    " Чтобы успеть к {}, начните проект не позже {}.",
                    ru(target),
                    ru(day)
                ));
                break;
            }
        }
    }
    Ok(text)
}

/// The refusal of a plan that cannot fit: the first stage due before the start, what it is
/// counted from, and the date that would work.
fn refusal(
    definition: &Definition,
    start: NaiveDate,
    facts: &[StageFacts],
    calendar: &Calendar,
    dues: &[Option<NaiveDate>],
    found: &[Problem],
) -> Error {
    let stages = definition.stages();
    let Some(i) = found.iter().find_map(|p| match p {
        Problem::BeforeStart(i) => Some(*i),
        Problem::OutOfOrder(..) => None,
    }) else {
        return Error::validation(
            Field::StartDate,
            "План проекта не складывается: проверьте дату начала и сроки.",
        );
    };
    let due = dues[i].map(ru).unwrap_or_default();
    // Counted from a date a person gave: say which date of theirs would work.
    if let Some(a) = anchor_of(definition, i)
        && facts[a].pinned_due.is_some()
    {
        let mut earliest = None;
        let mut probe = facts.to_vec();
        let mut day = facts[a].pinned_due.unwrap_or(start);
        for _ in 0..730 {
            let Some(next) = day.checked_add_days(Days::new(1)) else {
                break;
            };
            day = next;
            probe[a].pinned_due = Some(day);
            if let Ok(d) = due_dates(definition, start, 0, &probe, calendar)
                && !problems(definition, start, &d)
                    .iter()
                    .any(|p| matches!(p, Problem::BeforeStart(_)))
            {
                earliest = Some(day);
                break;
            }
        }
        let fix = earliest.map_or_else(
            || "Выберите дату позже или начните проект раньше.".to_string(),
            |d| {
                format!(
                    "Назначьте «{}» не раньше {} или начните проект раньше.",
                    stages[a].title,
                    ru(d)
                )
            },
        );
        return Error::validation(
            Field::DueDate(stages[a].key.clone()),
            format!(
                "Срок этапа «{}» ({due}) выходит раньше начала проекта ({}): он отсчитывается от даты «{}» — {}. {fix}",
                stages[i].title,
                ru(start),
                stages[a].title,
                facts[a].pinned_due.map(ru).unwrap_or_default(),
            ),
        );
    }
    // Otherwise the start is too late for a fixed date: the latest start that works.
    let mut latest = None;
    let mut day = start;
    for _ in 0..730 {
        let Some(earlier) = day.checked_sub_days(Days::new(1)) else {
            break;
        };
        day = earlier;
        if let Ok(d) = due_dates(definition, day, 0, facts, calendar)
            && problems(definition, day, &d).is_empty()
        {
            latest = Some(day);
            break;
        }
    }
    let fix = latest.map_or_else(
        || "Выберите другую дату начала.".to_string(),
        |d| format!("Начните проект не позже {}.", ru(d)),
    );
    Error::validation(
        Field::StartDate,
        format!(
            "Срок этапа «{}» ({due}) раньше начала проекта ({}). {fix}",
            stages[i].title,
            ru(start)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::builtin_sources;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn builtin(key: &str) -> Definition {
        let files = builtin_sources();
        let file = files
            .iter()
            .find(|f| f.name.ends_with(&format!("/{key}.toml")))
            .unwrap_or_else(|| panic!("{key}"));
        Definition::parse(&file.name, &file.text).unwrap()
    }

    fn plan(def: &Definition, start: &str, pinned: &[(&str, &str)]) -> Result<LaunchPlan> {
        let mut facts = vec![StageFacts::default(); def.stages().len()];
        facts[0].entered_on = Some(d(start));
        for (key, date) in pinned {
            facts[def.stage_index(key).unwrap()].pinned_due = Some(d(date));
        }
        plan_launch(def, d(start), d(start), &facts, &Calendar::federal())
    }

    /// No stage is due before the start or before a stage that comes ahead of it (parallel
    /// branches may be due in any order).
    fn assert_monotone(def: &Definition, start: &str, plan: &LaunchPlan) {
        let stages = def.stages();
        for (i, p) in plan.stages.iter().enumerate() {
            let Some(due) = p.due.filter(|_| !stages[i].terminal) else {
                continue;
            };
            assert!(due >= d(start), "{start}: {} due {due} before the start", stages[i].key);
            for (j, before) in plan.stages.iter().enumerate().take(i) {
                if let Some(earlier) = before.due.filter(|_| !stages[j].terminal && def.precedes(j, i)) {
                    assert!(
                        due >= earlier,
                        "{start}: {} due {due} before {} ({earlier})",
                        stages[i].key,
                        stages[j].key
                    );
                }
            }
        }
    }

    #[test]
    fn tochka_rosta_plans_fit_on_every_start_from_2020_to_2035() {
        let def = builtin("tochka-rosta");
        let mut day = d("2020-01-09");
        while day < d("2035-12-31") {
            let start = day.to_string();
            let plan = plan(&def, &start, &[]).unwrap_or_else(|e| panic!("{start}: {e}"));
            assert!(plan.warnings.iter().all(|w| !w.contains("задним числом")), "{start}");
            assert_monotone(&def, &start, &plan);
            day = day.checked_add_days(Days::new(9)).unwrap();
        }
    }

    #[test]
    fn a_start_too_late_for_this_september_opens_next_september_and_says_why() {
        let def = builtin("tochka-rosta");
        let opening = def.stage_index("opening").unwrap();
        let early = plan(&def, "2026-12-03", &[]).unwrap();
        assert_eq!(early.annual_cycle, 0);
        assert_eq!(early.stages[opening].due, Some(d("2027-09-01")));
        let late = plan(&def, "2027-05-04", &[]).unwrap();
        assert_eq!(late.annual_cycle, 1);
        assert_eq!(late.stages[opening].due, Some(d("2028-09-01")));
        let warning = &late.warnings[0];
        assert!(
            warning.contains("01.09.2028") && warning.contains("01.09.2027"),
            "{warning}"
        );
        assert!(warning.contains("не позже"), "{warning}");
    }

    #[test]
    fn a_methodical_day_too_soon_is_refused_with_the_earliest_day_that_works() {
        let def = builtin("unified-methodical-day");
        let err = plan(&def, "2026-12-03", &[("event_day", "2026-12-10")]).unwrap_err();
        let Error::Validation { field, message } = err else {
            panic!()
        };
        assert_eq!(field, Some(Field::DueDate("event_day".into())));
        assert!(message.contains("не раньше"), "{message}");
        assert!(!message.contains("event_day"), "no internal keys: {message}");
        plan(&def, "2026-12-03", &[("event_day", "2027-02-16")]).unwrap();
    }

    #[test]
    fn dates_over_a_provisional_year_are_marked() {
        let def = builtin("tochka-rosta");
        let plan = plan(&def, "2026-12-03", &[]).unwrap();
        let operation = def.stages().iter().position(|s| s.key == "operation").unwrap();
        assert!(plan.stages[operation].provisional, "the year of operation ends in 2028");
        assert!(!plan.stages[0].provisional);
        assert!(plan.warnings.iter().any(|w| w.contains("предварительному")));
    }

    #[test]
    fn a_backdated_start_warns_about_stages_overdue_at_launch() {
        let def = builtin("school-quality-roadmap");
        let mut facts = vec![StageFacts::default(); def.stages().len()];
        facts[0].entered_on = Some(d("2026-09-01"));
        let plan = plan_launch(&def, d("2026-09-01"), d("2026-12-03"), &facts, &Calendar::federal()).unwrap();
        assert!(
            plan.warnings.iter().any(|w| w.contains("задним числом")),
            "{:?}",
            plan.warnings
        );
    }
}
