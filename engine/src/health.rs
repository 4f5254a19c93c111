//! Plan against fact, and the traffic lights computed from it (DESIGN.md "Health").
//!
//! Achievement is fact / target for "more is better" and target / fact for "less is better",
//! in percent, capped at 100 (the standard formula of regional methodologies; DOMAIN.md §4).
//! An indicator is green from [`Thresholds::green_from`] (default 80 %), amber from
//! [`Thresholds::amber_from`] (default 50 %), red below — the grouping of seed 002; the
//! Sverdlovsk 95/85 scale is the same two numbers set differently. A project is red when a
//! stage under way or an open task of one (a checklist item with its own date) is overdue or
//! an indicator is red, amber when one of them is due within [`Thresholds::warning_days`] or
//! an indicator is amber, green otherwise. Nothing here is
//! typed in by a person: it is all computed from the plan and the reports when read.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::definition::{Definition, Direction, Indicator, Target};
use crate::model::{IndicatorProgress, IndicatorReport, PeriodFact, Project, ProjectHealth, ProjectStatus, StagePlan};
use crate::period::Period;

/// A traffic light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Nothing to judge by: no target, or nothing reported yet.
    Unknown,
    Green,
    Amber,
    Red,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Green => "green",
            Health::Amber => "amber",
            Health::Red => "red",
        }
    }

    /// The Russian word for it.
    pub fn title(self) -> &'static str {
        match self {
            Health::Unknown => "нет данных",
            Health::Green => "в норме",
            Health::Amber => "под угрозой",
            Health::Red => "отставание",
        }
    }

    /// The worse of two lights; `Unknown` never hides a known one.
    pub fn worst(self, other: Health) -> Health {
        self.max(other)
    }
}

/// Where the lights change (configuration).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Achievement (percent) from which an indicator is green.
    pub green_from: f64,
    /// Achievement (percent) from which an indicator is amber; below it, red.
    pub amber_from: f64,
    /// A stage due within this many days makes the project amber.
    pub warning_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            green_from: 80.0,
            amber_from: 50.0,
            warning_days: 7,
        }
    }
}

impl Thresholds {
    /// Checks the numbers make sense: 0 ≤ amber < green ≤ 100, warning days ≥ 0.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=100.0).contains(&self.amber_from)
            || !(0.0..=100.0).contains(&self.green_from)
            || self.amber_from >= self.green_from
        {
            return Err(format!(
                "health thresholds must satisfy 0 ≤ amber ({}) < green ({}) ≤ 100",
                self.amber_from, self.green_from
            ));
        }
        if self.warning_days < 0 {
            return Err("the warning window cannot be negative".into());
        }
        Ok(())
    }

    /// The light of an achievement.
    pub fn light(&self, achievement: Option<f64>) -> Health {
        match achievement {
            None => Health::Unknown,
            Some(a) if a >= self.green_from => Health::Green,
            Some(a) if a >= self.amber_from => Health::Amber,
            Some(_) => Health::Red,
        }
    }
}

/// Achievement in percent (0–100) of `fact` against `target`; `None` without a target.
pub fn achievement(fact: f64, target: Option<f64>, direction: Direction) -> Option<f64> {
    let target = target?;
    let ratio = match direction {
        Direction::Higher if target <= 0.0 => 1.0,
        Direction::Higher => fact / target,
        Direction::Lower if fact <= 0.0 => 1.0,
        Direction::Lower if target <= 0.0 => 0.0,
        Direction::Lower => target / fact,
    };
    Some((ratio * 100.0).clamp(0.0, 100.0))
}

/// The target of one period: set at launch, else the definition's target (per period, or
/// overall for an indicator that is not cumulative, such as a once-only one).
pub fn period_target(indicator: &Indicator, launch_target: Option<f64>) -> Option<f64> {
    if indicator.cumulative {
        return match indicator.target {
            Some(Target::PerPeriod(v)) => Some(v),
            _ => None,
        };
    }
    launch_target.or(match indicator.target {
        Some(Target::PerPeriod(v) | Target::Overall(v)) => Some(v),
        None => None,
    })
}

/// The target of the whole project for a cumulative indicator.
pub fn overall_target(indicator: &Indicator, launch_target: Option<f64>) -> Option<f64> {
    if !indicator.cumulative {
        return None;
    }
    launch_target.or(match indicator.target {
        Some(Target::Overall(v)) => Some(v),
        _ => None,
    })
}

/// Plan against fact of every indicator for every participant of a project.
pub fn progress(
    definition: &Definition,
    project: &Project,
    reports: &[IndicatorReport],
    thresholds: &Thresholds,
) -> Vec<IndicatorProgress> {
    let mut out = Vec::new();
    for indicator in definition.indicators() {
        let launch_target = project.indicator_targets.get(&indicator.key).copied();
        // An organization whose part does not report the indicator has no progress in it.
        for &organization_id in project.participants.iter().filter(|&&o| project.asks(indicator, o)) {
            let mut mine: Vec<&IndicatorReport> = reports
                .iter()
                .filter(|r| r.indicator_key == indicator.key && r.organization_id == organization_id)
                .collect();
            mine.sort_by_key(|r| Period::parse(&r.period).ok());
            let target = period_target(indicator, launch_target);
            let mut sum = 0.0;
            let periods: Vec<PeriodFact> = mine
                .iter()
                .map(|r| {
                    sum += r.value;
                    PeriodFact {
                        period: r.period.clone(),
                        target,
                        value: r.value,
                        cumulative: indicator.cumulative.then_some(sum),
                        achievement: achievement(r.value, target, indicator.better),
                    }
                })
                .collect();
            let latest_value = mine.last().map(|r| r.value);
            let (judged_target, fact) = match overall_target(indicator, launch_target) {
                Some(overall) => (Some(overall), (!mine.is_empty()).then_some(sum)),
                None => (target, latest_value),
            };
            let achieved = fact.and_then(|f| achievement(f, judged_target, indicator.better));
            out.push(IndicatorProgress {
                indicator_key: indicator.key.clone(),
                organization_id,
                periods,
                target: judged_target,
                latest_value,
                fact,
                achievement: achieved,
                health: thresholds.light(achieved),
            });
        }
    }
    out
}

/// A project's light: red when a stage under way is overdue or an indicator is red, amber
/// when one is due within the warning window or an indicator is amber. With parallel
/// branches it is the worst of them.
pub fn project_health(
    project: &Project,
    plans: &[StagePlan],
    tasks: &[NaiveDate],
    progress: &[IndicatorProgress],
    today: NaiveDate,
    thresholds: &Thresholds,
) -> ProjectHealth {
    let indicators = progress.iter().fold(Health::Unknown, |worst, p| worst.worst(p.health));
    if project.status != ProjectStatus::Active {
        return ProjectHealth {
            health: indicators,
            overdue: false,
            due_soon: false,
            overdue_tasks: 0,
            indicators,
        };
    }
    // Every stage under way counts, and every open task of them with its own date: the
    // project is as late as its latest branch or task.
    let dues: Vec<NaiveDate> = plans
        .iter()
        .filter(|p| p.is_current())
        .filter_map(|p| p.current_due)
        .chain(tasks.iter().copied())
        .collect();
    let overdue = dues.iter().any(|&d| d < today);
    let overdue_tasks = tasks.iter().filter(|&&d| d < today).count() as u32;
    let due_soon = !overdue && dues.iter().any(|&d| (d - today).num_days() <= thresholds.warning_days);
    let schedule = if overdue {
        Health::Red
    } else if due_soon {
        Health::Amber
    } else {
        Health::Green
    };
    ProjectHealth {
        health: schedule.worst(indicators),
        overdue,
        due_soon,
        overdue_tasks,
        indicators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn achievement_is_capped_and_inverted_for_lower_is_better() {
        assert_eq!(achievement(210.0, Some(190.0), Direction::Higher), Some(100.0));
        assert_eq!(achievement(95.0, Some(100.0), Direction::Higher), Some(95.0));
        assert_eq!(achievement(20.0, Some(10.0), Direction::Lower), Some(50.0));
        assert_eq!(achievement(0.0, Some(10.0), Direction::Lower), Some(100.0));
        assert_eq!(achievement(5.0, None, Direction::Higher), None);
    }

    #[test]
    fn the_default_lights_follow_seed_002_and_the_95_85_scale_is_expressible() {
        let seed = Thresholds::default();
        assert_eq!(
            [
                seed.light(Some(80.0)),
                seed.light(Some(79.9)),
                seed.light(Some(50.0)),
                seed.light(Some(49.9))
            ],
            [Health::Green, Health::Amber, Health::Amber, Health::Red]
        );
        let sverdlovsk = Thresholds {
            green_from: 95.0,
            amber_from: 85.0,
            warning_days: 7,
        };
        assert!(sverdlovsk.validate().is_ok());
        assert_eq!(sverdlovsk.light(Some(90.0)), Health::Amber);
        assert_eq!(seed.light(None), Health::Unknown);
        assert!(
            Thresholds {
                green_from: 50.0,
                amber_from: 80.0,
                warning_days: 7
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn unknown_never_hides_a_known_light() {
        assert_eq!(Health::Unknown.worst(Health::Green), Health::Green);
        assert_eq!(Health::Amber.worst(Health::Red), Health::Red);
        assert_eq!(Health::Green.worst(Health::Unknown), Health::Green);
    }
}
