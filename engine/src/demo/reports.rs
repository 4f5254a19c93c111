//! Indicator reports of a simulated project: every period since reporting opened, most sent a
//! few days after the period ended, some late, some never (so the dashboard has reports owed),
//! a few corrected (the earlier value kept as a revision).
//!
//! A transition guarded by `indicators_reported` was taken in the simulation, so the reports
//! it needs — each participant's, for the period containing the transition day — are always
//! there, sent before it. Values follow the organization's strength around the target set at
//! launch (or the definition's), so achievements spread over the green, amber and red groups;
//! for a cumulative indicator each period carries a quarter of the project's target.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rand::RngExt;
use sea_orm::ActiveValue::Set;

use super::DemoRng;
use super::directory::Org;
use super::load::{Batch, Ids};
use super::timeline::{Timeline, add_days, local_instant, working_instant};
use crate::definition::{Definition, Direction, Indicator, IndicatorType};
use crate::health::{overall_target, period_target};
use crate::model::ProjectStatus;
use crate::period::{Period, Periodicity};
use crate::store::entity::{indicator_report_revisions, indicator_reports};

/// What the reports of one project depend on.
pub(super) struct Setting<'a> {
    pub project_id: i64,
    pub definition: &'a Definition,
    pub timeline: &'a Timeline,
    pub participants: &'a [&'a Org],
    /// The part each participant takes (in the order of `participants`), where the workflow
    /// has parts: it reports only the indicators of its part.
    pub parts: &'a [Option<String>],
    pub targets: &'a BTreeMap<String, f64>,
    pub tz: Tz,
    pub today: NaiveDate,
    pub coordinator: i64,
}

const COMMENTS: [&str; 3] = [
    "Данные подтверждены отчётом организации.",
    "Сведения сверены с электронным журналом.",
    "С учётом сетевой формы реализации программ.",
];

/// Writes the project's reports into the batch.
pub(super) fn generate(s: &Setting<'_>, rng: &mut DemoRng, ids: &mut Ids, batch: &mut Batch) {
    let t = s.timeline;
    let window_end = t
        .closed_at
        .map_or(s.today, |at| at.with_timezone(&s.tz).date_naive())
        .min(s.today);
    for indicator in s.definition.indicators() {
        let Some(start) = s.definition.stage_index(&indicator.starts_at_stage) else {
            continue;
        };
        let (Some(opened_on), Some(opened_at)) = (t.entered_on[start], t.entered_at[start]) else {
            continue;
        };
        // (participant, period) → when it was sent.
        let mut sent: BTreeMap<(usize, String), DateTime<Utc>> = BTreeMap::new();
        for taken in &t.taken {
            let stages = s.definition.stages();
            let guarded = stages.get(taken.to).and_then(|to| {
                s.definition
                    .transition(&stages[taken.from].key, &to.key)
                    .filter(|tr| tr.guards.indicators_reported.contains(&indicator.key))
            });
            if guarded.is_none() {
                continue;
            }
            let period = Period::containing(indicator.period, taken.on);
            let period_start = period.start().map_or(opened_at, |d| local_instant(d, s.tz, 9, 0));
            let lower = opened_at.max(period_start).max(taken.at - Duration::days(10));
            let span = (taken.at - lower).num_minutes();
            for p in 0..s.participants.len() {
                let at = if span > 2 {
                    lower + Duration::minutes(rng.random_range(1..span))
                } else {
                    lower
                };
                sent.insert((p, period.to_string()), at);
            }
        }
        let mut regular: BTreeSet<(usize, String)> = BTreeSet::new();
        if indicator.period == Periodicity::Once {
            let latest = add_days(s.today, -1).min(window_end);
            let latest = t.current[start].map_or(latest, |due| latest.min(add_days(due, 5)));
            if latest >= opened_on {
                for p in 0..s.participants.len() {
                    if sent.contains_key(&(p, "once".into())) || !rng.random_bool(0.85) {
                        continue;
                    }
                    let day = add_days(opened_on, rng.random_range(0..=(latest - opened_on).num_days()));
                    let at = working_instant(day, s.tz, rng).max(opened_at + Duration::minutes(30));
                    sent.insert((p, "once".into()), at);
                    regular.insert((p, "once".into()));
                }
            }
        } else {
            let mut period = Some(Period::containing(indicator.period, opened_on));
            while let Some(p) = period {
                let (Some(first), Some(last)) = (p.start(), p.end()) else {
                    break;
                };
                if first > window_end || last >= s.today {
                    break;
                }
                let grace = i64::from(indicator.report_deadline.days) * 3 / 2 + 5;
                for participant in 0..s.participants.len() {
                    let key = (participant, p.to_string());
                    if sent.contains_key(&key) || !rng.random_bool(0.88) {
                        continue;
                    }
                    let day = add_days(last, rng.random_range(1..=grace));
                    if day >= s.today {
                        continue;
                    }
                    sent.insert(key.clone(), working_instant(day, s.tz, rng));
                    regular.insert(key);
                }
                period = p.next();
            }
        }
        for ((participant, period), at) in sent {
            if !indicator.asks(s.parts.get(participant).and_then(Option::as_deref)) {
                continue;
            }
            // A cancelled project takes no reports after its cancellation.
            if t.status == ProjectStatus::Cancelled && t.closed_at.is_some_and(|closed| at >= closed) {
                continue;
            }
            let org = s.participants[participant];
            let reported = value(indicator, s, org, rng);
            let by = if rng.random_bool(0.8) {
                org.director
            } else {
                s.coordinator
            };
            let comment = rng
                .random_bool(0.1)
                .then(|| COMMENTS[rng.random_range(0..COMMENTS.len())].to_string());
            let id = Ids::take(&mut ids.report);
            let corrected = regular.contains(&(participant, period.clone())) && rng.random_bool(0.03);
            if corrected {
                let earlier = value(indicator, s, org, rng);
                batch.revisions.push(indicator_report_revisions::ActiveModel {
                    report_id: Set(id),
                    revision: Set(1),
                    value: Set(earlier),
                    comment: Set(None),
                    reported_by: Set(Some(by)),
                    reported_at: Set(at - (at - opened_at).min(Duration::days(4)) / 2),
                    ..Default::default()
                });
            }
            batch.reports.push(indicator_reports::ActiveModel {
                id: Set(id),
                project_id: Set(s.project_id),
                organization_id: Set(org.id),
                indicator_key: Set(indicator.key.clone()),
                period: Set(period),
                value: Set(reported),
                comment: Set(comment),
                reported_by: Set(Some(by)),
                reported_at: Set(at),
                revision: Set(if corrected { 2 } else { 1 }),
            });
        }
    }
}

/// A value of the indicator's type near its target, as the organization's strength goes.
fn value(indicator: &Indicator, s: &Setting<'_>, org: &Org, rng: &mut DemoRng) -> f64 {
    let launch = s.targets.get(&indicator.key).copied();
    let quality = (org.strength * rng.random_range(0.85..1.15)).clamp(0.05, 1.3);
    if indicator.kind == IndicatorType::Boolean {
        return if rng.random_bool(quality.clamp(0.05, 0.97)) {
            1.0
        } else {
            0.0
        };
    }
    let target = match overall_target(indicator, launch) {
        Some(overall) => overall / 4.0,
        None => period_target(indicator, launch).unwrap_or(match indicator.kind {
            IndicatorType::Percent => 80.0,
            _ => 10.0,
        }),
    };
    let raw = match indicator.better {
        Direction::Higher => target * quality,
        Direction::Lower => target / quality,
    };
    match indicator.kind {
        IndicatorType::Percent => (raw.clamp(0.0, 100.0) * 10.0).round() / 10.0,
        IndicatorType::Integer => raw.max(0.0).round(),
        _ => (raw.max(0.0) * 10.0).round() / 10.0,
    }
}
