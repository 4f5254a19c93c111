//! Which projects a district runs, when they started, who takes part, and their rows.
//!
//! The mix follows the school year, over the current academic year and the two before it
//! (about 290 projects in a district of 60 organizations):
//!
//! - «Дорожная карта повышения качества образования в школе»: every school, every year,
//!   launched in September;
//! - «Точка роста»: twelve schools a year, launched in February to open on 1 September;
//! - school-leaders («ШНОР»): the ten weakest schools each September–October;
//! - «Единый методический день»: each of the district's 18 teachers' associations holds one in
//!   autumn and one in spring, launched six to eight weeks before the day (whose date the
//!   coordinator gives at launch);
//! - the monitoring of the methodical service (seed 002): once a year, in January.
//!
//! Only projects launched before today exist. Targets the definitions leave to the launch
//! (seed documents say «the region sets it») are set from [`TARGETS`], within each school's
//! plausible range.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rand::RngExt;
use rand::seq::SliceRandom;
use sea_orm::ActiveValue::Set;

use super::directory::{District, Org};
use super::load::{Batch, Ids};
use super::timeline::{self, Actors, add_days};
use super::{DemoRng, Workflows, names};
use crate::calendar::Calendar;
use crate::definition::IndicatorType;
use crate::error::{Error, Result};
use crate::model::OrganizationKind;
use crate::store::entity::{project_participants, projects, stage_plans};

/// Launch targets of indicators the definitions leave open: workflow, indicator, range.
const TARGETS: &[(&str, &str, f64, f64)] = &[
    ("tochka-rosta", "pupils_main", 80.0, 220.0),
    ("tochka-rosta", "pupils_extra", 40.0, 150.0),
    ("tochka-rosta", "events", 20.0, 40.0),
    ("tochka-rosta", "event_participants", 300.0, 900.0),
    ("school-leaders", "curator_visits", 6.0, 10.0),
    ("school-leaders", "leader_events", 8.0, 16.0),
    ("school-leaders", "antirisk_done", 85.0, 100.0),
    ("school-leaders", "vpr_low_base", 10.0, 15.0),
    ("school-leaders", "vpr_low_result", 8.0, 12.0),
    ("school-quality-roadmap", "roadmaps", 4.0, 10.0),
    ("school-quality-roadmap", "teachers_pk", 80.0, 100.0),
    ("school-quality-roadmap", "roadmap_done", 85.0, 100.0),
    ("unified-methodical-day", "open_lessons", 2.0, 4.0),
    ("unified-methodical-day", "master_classes", 1.0, 3.0),
    ("unified-methodical-day", "participants", 8.0, 20.0),
    ("unified-methodical-day", "presented", 1.0, 1.0),
    ("unified-methodical-day", "satisfaction", 80.0, 95.0),
    ("methodical-service-monitoring", "2.1", 60.0, 80.0),
    ("methodical-service-monitoring", "2.2", 80.0, 100.0),
    ("methodical-service-monitoring", "2.8", 3.0, 8.0),
    ("methodical-service-monitoring", "2.9", 6.0, 14.0),
];

/// Schools launching «Точка роста» each year.
const TOCHKA_ROSTA_PER_YEAR: usize = 12;
/// Schools in the school-leaders programme each year.
const LOW_RESULT_SCHOOLS: usize = 10;

/// What a district's projects are generated from.
pub(super) struct Context<'a> {
    pub district: &'a District,
    pub workflows: &'a Workflows,
    pub calendar: &'a Calendar,
    pub now: DateTime<Utc>,
    /// The academic year `now` is in.
    pub academic_year: i32,
}

/// A project to launch.
struct Plan {
    workflow: &'static str,
    title: String,
    start: NaiveDate,
    /// Indexes into the district's organizations.
    participants: Vec<usize>,
    /// Due dates given at launch.
    pinned: Vec<(&'static str, NaiveDate)>,
}

fn date(year: i32, month: u32, day: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| Error::Internal(format!("no date {year}-{month}-{day}")))
}

fn short_year(year: i32) -> String {
    format!("{year}/{:02}", (year + 1) % 100)
}

/// The district's projects, written into the batch. Returns how many were left out because
/// their plan would run past the production calendar.
pub(super) fn generate(ctx: &Context<'_>, rng: &mut DemoRng, ids: &mut Ids, batch: &mut Batch) -> Result<u64> {
    let d = ctx.district;
    let today = ctx.now.with_timezone(&d.time_zone).date_naive();
    let title = |key: &str| {
        ctx.workflows
            .get(key)
            .map(|w| w.definition.title().to_string())
            .unwrap_or_default()
    };
    let of_kind = |kind: OrganizationKind| -> Vec<usize> {
        (0..d.organizations.len())
            .filter(|&i| d.organizations[i].kind == kind)
            .collect()
    };
    let schools = of_kind(OrganizationKind::School);
    let kindergartens = of_kind(OrganizationKind::Kindergarten);
    let centres = of_kind(OrganizationKind::AdditionalEducation);
    let service = of_kind(OrganizationKind::MethodicalService);
    let mut weakest = schools.clone();
    weakest.sort_by(|a, b| d.organizations[*a].strength.total_cmp(&d.organizations[*b].strength));
    let mut centre_candidates = schools.clone();
    centre_candidates.shuffle(rng);
    let mut centres_left = centre_candidates.into_iter();
    let associations = &names::names()?.methodical_days;

    let mut plans = Vec::new();
    for year in ctx.academic_year - 2..=ctx.academic_year + 1 {
        for &school in &schools {
            plans.push(Plan {
                workflow: "school-quality-roadmap",
                title: format!(
                    "{} — {} ({})",
                    title("school-quality-roadmap"),
                    d.organizations[school].name,
                    short_year(year)
                ),
                start: add_days(date(year, 9, 1)?, rng.random_range(0..40)),
                participants: vec![school],
                pinned: Vec::new(),
            });
        }
        let start = date(year, 2, 1)?;
        if start < today {
            for school in centres_left.by_ref().take(TOCHKA_ROSTA_PER_YEAR) {
                plans.push(Plan {
                    workflow: "tochka-rosta",
                    title: format!("{} — {}", title("tochka-rosta"), d.organizations[school].name),
                    start: add_days(start, rng.random_range(0..45)),
                    participants: vec![school],
                    pinned: Vec::new(),
                });
            }
        }
        for &school in weakest.iter().take(LOW_RESULT_SCHOOLS) {
            plans.push(Plan {
                workflow: "school-leaders",
                title: format!(
                    "{} — {} ({})",
                    title("school-leaders"),
                    d.organizations[school].name,
                    short_year(year)
                ),
                start: add_days(date(year, 9, 15)?, rng.random_range(0..60)),
                participants: vec![school],
                pinned: Vec::new(),
            });
        }
        for association in associations {
            for (season, first) in [("осень", date(year, 10, 1)?), ("весна", date(year + 1, 2, 1)?)] {
                // Launched at most 60 days before the day: nothing yet for a day that far off.
                if add_days(first, -60) >= today {
                    continue;
                }
                let day = ctx
                    .calendar
                    .next_working_day_from(add_days(first, rng.random_range(0..75)))?;
                let participants = if association.contains("дошкольного") {
                    kindergartens.clone()
                } else if association.contains("дополнительного") {
                    let mut list = centres.clone();
                    list.extend(schools.iter().take(3));
                    list
                } else {
                    let mut list = schools.clone();
                    list.shuffle(rng);
                    list.truncate(rng.random_range(6..=14));
                    list.sort_unstable();
                    list
                };
                plans.push(Plan {
                    workflow: "unified-methodical-day",
                    title: format!(
                        "{} {association} — {season} {}",
                        title("unified-methodical-day"),
                        chrono::Datelike::year(&day)
                    ),
                    start: add_days(day, -rng.random_range(40..=60)),
                    participants,
                    pinned: vec![("event_day", day)],
                });
            }
        }
        plans.push(Plan {
            workflow: "methodical-service-monitoring",
            title: format!("{} — {}", title("methodical-service-monitoring"), year + 1),
            start: add_days(date(year + 1, 1, 15)?, rng.random_range(0..20)),
            participants: service.clone(),
            pinned: Vec::new(),
        });
    }

    let mut skipped = 0;
    for mut plan in plans {
        if plan.start >= today || plan.participants.is_empty() {
            continue;
        }
        plan.start = ctx.calendar.next_working_day_from(plan.start)?;
        if plan.start >= today {
            continue;
        }
        match launch(ctx, &plan, today, rng, ids, batch) {
            Ok(()) => {}
            // A plan that does not fit (the launch would refuse it too).
            Err(Error::Validation { message, .. }) => {
                tracing::debug!(title = %plan.title, %message, "demo project skipped");
                skipped += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(skipped)
}

/// One project: simulated, then its rows.
fn launch(
    ctx: &Context<'_>,
    plan: &Plan,
    today: NaiveDate,
    rng: &mut DemoRng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> Result<()> {
    let d = ctx.district;
    let workflow = ctx
        .workflows
        .get(plan.workflow)
        .ok_or_else(|| Error::Internal(format!("workflow {} is not loaded", plan.workflow)))?;
    let definition = &workflow.definition;
    let participants: Vec<&Org> = plan.participants.iter().map(|&i| &d.organizations[i]).collect();
    let mut targets = BTreeMap::new();
    for &(workflow, key, low, high) in TARGETS {
        let Some(indicator) = definition.indicator(key).filter(|_| workflow == plan.workflow) else {
            continue;
        };
        if indicator.target.is_some() {
            continue;
        }
        let value = if high > low { rng.random_range(low..=high) } else { low };
        let value = match indicator.kind {
            IndicatorType::Integer | IndicatorType::Boolean => value.round(),
            _ => (value * 10.0).round() / 10.0,
        };
        targets.insert(key.to_string(), value);
    }
    let mut pinned = Vec::new();
    let mut due_dates = BTreeMap::new();
    for &(key, day) in &plan.pinned {
        let index = definition
            .stage_index(key)
            .ok_or_else(|| Error::Internal(format!("{} has no stage {key}", plan.workflow)))?;
        pinned.push((index, day));
        due_dates.insert(key, day);
    }
    let project_id = Ids::take(&mut ids.project);
    let setting = timeline::Setting {
        project_id,
        start: plan.start,
        pinned,
        launch_details: crate::model::LaunchDetails {
            workflow: plan.workflow.to_string(),
            version: workflow.version,
            start_date: Some(plan.start),
            annual_cycle: None,
            participants: participants.iter().map(|o| o.id).collect(),
            due_dates: due_dates.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            indicator_targets: targets.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            responsible: Some(d.coordinator),
            stage_responsibles: Default::default(),
        },
        tz: d.time_zone,
        today,
        actors: Actors {
            coordinator: d.coordinator,
            director: participants.first().map(|o| o.director),
        },
        director_name: participants.first().map(|o| o.director_name.as_str()),
        calendar: ctx.calendar,
    };
    let t = timeline::simulate(definition, &setting, rng)?;
    let stages = definition.stages();
    // Where the workflow has parts, one participant in four takes the second (a methodical
    // day's host schools), the others the first.
    let parts: Vec<Option<String>> = (0..participants.len())
        .map(|i| match definition.parts() {
            [] => None,
            [_, second, ..] if i % 4 == 0 => Some(second.key.clone()),
            [first, ..] => Some(first.key.clone()),
        })
        .collect();
    super::reports::generate(
        &super::reports::Setting {
            project_id,
            definition,
            timeline: &t,
            participants: &participants,
            parts: &parts,
            targets: &targets,
            tz: d.time_zone,
            today,
            coordinator: d.coordinator,
        },
        rng,
        ids,
        batch,
    );
    batch.projects.push(projects::ActiveModel {
        id: Set(project_id),
        workflow_version_id: Set(workflow.id),
        district_id: Set(d.id),
        title: Set(plan.title.clone()),
        search_text: Set(crate::text::search_key(&plan.title)),
        start_date: Set(plan.start),
        current_stage: Set(stages[t.stage].key.clone()),
        status: Set(t.status.as_str().to_string()),
        row_version: Set(1 + t.changes),
        indicator_targets: Set(serde_json::to_string(&targets).map_err(|e| Error::Internal(e.to_string()))?),
        created_by: Set(Some(d.coordinator)),
        created_at: Set(t.launched_at),
        updated_at: Set(t.updated_at),
        closed_at: Set(t.closed_at),
        annual_cycle: Set(t.annual_cycle as i32),
        // The district's coordinator runs every demo project.
        responsible_id: Set(Some(d.coordinator)),
    });
    batch.participants.extend(
        participants
            .iter()
            .zip(&parts)
            .map(|(o, part)| project_participants::ActiveModel {
                part: Set(part.clone()),
                project_id: Set(project_id),
                organization_id: Set(o.id),
            }),
    );
    for (k, stage) in stages.iter().enumerate() {
        batch.stage_plans.push(stage_plans::ActiveModel {
            project_id: Set(project_id),
            stage_key: Set(stage.key.clone()),
            position: Set(k as i32),
            baseline_due: Set(t.baseline[k]),
            current_due: Set(t.current[k]),
            due_fixed: Set(t.fixed[k]),
            entered_at: Set(t.entered_at[k]),
            completed_at: Set(t.completed_at[k]),
            responsible_id: Set(t.responsible[k]),
            ..Default::default()
        });
    }
    batch.checklist_marks.extend(t.marks);
    batch.events.extend(t.events);
    Ok(())
}
