//! The district dashboard: projects by workflow, stage and health; what is overdue; which
//! organizations have not reported; and the organizations grouped by achievement, as seed 002
//! groups districts (80–100 %, 50–79 %, below 50 %).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Engine;
use super::projects::local_date;
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::error::Result;
use crate::health::Health;
use crate::health::{progress, project_health};
use crate::model::{IndicatorReport, ProjectStatus};
use crate::period::owed_period;
use crate::store::entity::projects;

/// A count of projects under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub key: String,
    pub title: String,
    pub count: u64,
}

/// Active projects in one stage of one workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageCount {
    pub workflow_key: String,
    pub workflow_title: String,
    pub stage_key: String,
    pub stage_title: String,
    pub count: u64,
}

/// A project whose current stage is past its due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueStage {
    pub project_id: i64,
    pub project_title: String,
    pub district_id: i64,
    pub stage_key: String,
    pub stage_title: String,
    pub due: NaiveDate,
    pub days_overdue: i64,
    /// Who answers for it: the person named for the task or the stage, or else for the
    /// project.
    pub responsible_id: Option<i64>,
    /// The task of the stage that is late (a checklist item with its own date); none when the
    /// stage itself is.
    pub task_key: Option<String>,
    pub task_title: Option<String>,
}

/// A report an organization owes: its reporting deadline has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingReport {
    pub organization_id: i64,
    pub organization_name: String,
    pub project_id: i64,
    pub project_title: String,
    pub indicator_key: String,
    pub indicator_title: String,
    pub period: String,
    pub deadline: NaiveDate,
    pub days_late: i64,
}

/// How an organization stands across its projects' indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationStanding {
    pub organization_id: i64,
    pub name: String,
    pub district_id: i64,
    /// The mean achievement (percent) of its indicators that have a target and a value.
    pub achievement: Option<f64>,
    /// Its group: green 80–100 %, amber 50–79 %, red below (with the configured thresholds).
    pub health: Health,
    /// How many indicator values the mean is over.
    pub indicators: usize,
}

/// The dashboard of a district (or of every district the caller may read).
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub district_id: Option<i64>,
    /// Active projects by workflow.
    pub by_workflow: Vec<Count>,
    /// Active projects by workflow and current stage.
    pub by_stage: Vec<StageCount>,
    /// Active projects by health (`key` is the light).
    pub by_health: Vec<Count>,
    /// Overdue stages, the longest overdue first.
    pub overdue: Vec<OverdueStage>,
    /// Reports owed, the latest first.
    pub missing_reports: Vec<MissingReport>,
    /// Organizations by achievement over all their indicators, best first.
    pub organizations: Vec<OrganizationStanding>,
    /// Every achievement behind `organizations`: (organization, indicator, percent).
    achievements: Vec<(i64, String, f64)>,
    names: HashMap<i64, (String, i64)>,
    thresholds: crate::health::Thresholds,
}

impl Dashboard {
    /// Organizations by their achievement of one indicator (e.g. a criterion of seed 002's
    /// monitoring), best first.
    pub fn organizations_by_indicator(&self, indicator: &str) -> Vec<OrganizationStanding> {
        standings(
            &self.names,
            self.achievements.iter().filter(|(_, key, _)| key == indicator),
            &self.thresholds,
        )
    }
}

/// Mean achievement per organization, grouped by the thresholds, best first.
fn standings<'a>(
    names: &HashMap<i64, (String, i64)>,
    achievements: impl Iterator<Item = &'a (i64, String, f64)>,
    thresholds: &crate::health::Thresholds,
) -> Vec<OrganizationStanding> {
    let mut values: HashMap<i64, Vec<f64>> = HashMap::new();
    for (org, _, a) in achievements {
        values.entry(*org).or_default().push(*a);
    }
    let mut out: Vec<OrganizationStanding> = names
        .iter()
        .map(|(id, (name, district_id))| {
            let list = values.get(id).map_or(&[][..], Vec::as_slice);
            let achievement = (!list.is_empty()).then(|| list.iter().sum::<f64>() / list.len() as f64);
            OrganizationStanding {
                organization_id: *id,
                name: name.clone(),
                district_id: *district_id,
                achievement,
                health: thresholds.light(achievement),
                indicators: list.len(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.achievement
            .unwrap_or(-1.0)
            .total_cmp(&a.achievement.unwrap_or(-1.0))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

impl Engine {
    /// The dashboard of `district_id`, or of every district the caller may read. For
    /// coordinators, observers and administrators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn dashboard(&self, actor: &Actor, district_id: Option<i64>) -> Result<Dashboard> {
        let scope = actor.scope();
        // Without a district: every district for those who may see everything, else the
        // caller's own.
        let district_id = match district_id {
            Some(id) => Some(self.district(actor, id).await?.id),
            None if scope.may(Operation::ReadDashboard, Target::Everything) => None,
            None => scope.home_district(),
        };
        scope.require(
            Operation::ReadDashboard,
            district_id.map_or(Target::Everything, Target::District),
        )?;
        let mut query = projects::Entity::find().filter(projects::Column::Status.ne(ProjectStatus::Cancelled.as_str()));
        if let Some(d) = district_id {
            query = query.filter(projects::Column::DistrictId.eq(d));
        }
        let rows = query.order_by_asc(projects::Column::Id).all(&self.db).await?;
        let batch = self.with_calendars(self.load_batch(rows).await?).await?;
        let reports = crate::store::repo::reports_of(self.db(), &batch.ids()).await?;
        let organizations = crate::store::repo::organizations_by_ids(self.db(), &batch.participant_ids()).await?;
        let tasks = self.task_states(&batch).await?;
        let no_tasks = crate::schedule::TaskStates::default();

        let now = self.now();
        let no_reports: Vec<IndicatorReport> = Vec::new();
        let mut by_workflow: BTreeMap<String, Count> = BTreeMap::new();
        let mut by_stage: BTreeMap<(String, i32), StageCount> = BTreeMap::new();
        let mut by_health: BTreeMap<Health, u64> = BTreeMap::new();
        let mut overdue = Vec::new();
        let mut missing = Vec::new();
        let mut achievements: Vec<(i64, String, f64)> = Vec::new();
        for project in &batch.projects {
            let (Some(version), Some(district)) = (batch.version(project), batch.district(project)) else {
                continue;
            };
            let definition = &version.definition;
            let today = local_date(now, district.time_zone);
            let plans = batch.plans(project.id);
            let reports = reports.get(&project.id).unwrap_or(&no_reports);
            let progress = progress(definition, project, reports, &self.thresholds);
            for p in &progress {
                if let Some(a) = p.achievement {
                    achievements.push((p.organization_id, p.indicator_key.clone(), a));
                }
            }
            if project.status != ProjectStatus::Active {
                continue;
            }
            let open_tasks = crate::schedule::open_tasks(
                definition,
                project.start_date,
                plans,
                tasks.get(&project.id).unwrap_or(&no_tasks),
                district.time_zone,
                batch.calendar(project),
            );
            let task_dues: Vec<NaiveDate> = open_tasks.iter().map(|t| t.due).collect();
            let health = project_health(project, plans, &task_dues, &progress, today, &self.thresholds);
            *by_health.entry(health.health).or_default() += 1;
            for task in open_tasks.iter().filter(|t| t.due < today) {
                let stage_person = plans
                    .iter()
                    .find(|p| p.stage_key == task.stage.key)
                    .and_then(|p| p.responsible_id);
                overdue.push(OverdueStage {
                    project_id: project.id,
                    project_title: project.title.clone(),
                    district_id: project.district_id,
                    stage_key: task.stage.key.clone(),
                    stage_title: task.stage.title.clone(),
                    due: task.due,
                    days_overdue: (today - task.due).num_days(),
                    responsible_id: task.responsible_id.or(stage_person).or(project.responsible_id),
                    task_key: Some(task.item.key.clone()),
                    task_title: Some(task.item.title.clone()),
                });
            }
            by_workflow
                .entry(version.key.clone())
                .or_insert_with(|| Count {
                    key: version.key.clone(),
                    title: definition.title().to_string(),
                    count: 0,
                })
                .count += 1;
            // Each stage under way counts: a project with parallel branches is in several.
            for plan in plans.iter().filter(|p| p.is_current()) {
                let stage = definition.stage(&plan.stage_key);
                let position = definition.stage_index(&plan.stage_key).unwrap_or_default() as i32;
                let stage_title = stage.map_or_else(|| plan.stage_key.clone(), |s| s.title.clone());
                by_stage
                    .entry((version.key.clone(), position))
                    .or_insert_with(|| StageCount {
                        workflow_key: version.key.clone(),
                        workflow_title: definition.title().to_string(),
                        stage_key: plan.stage_key.clone(),
                        stage_title: stage_title.clone(),
                        count: 0,
                    })
                    .count += 1;
                if let Some(due) = plan.current_due.filter(|d| *d < today) {
                    overdue.push(OverdueStage {
                        project_id: project.id,
                        project_title: project.title.clone(),
                        district_id: project.district_id,
                        stage_key: plan.stage_key.clone(),
                        stage_title,
                        due,
                        days_overdue: (today - due).num_days(),
                        responsible_id: plan.responsible_id.or(project.responsible_id),
                        task_key: None,
                        task_title: None,
                    });
                }
            }
            for indicator in definition.indicators() {
                let Some(start_plan) = plans.iter().find(|p| p.stage_key == indicator.starts_at_stage) else {
                    continue;
                };
                let Some((period, deadline)) = owed_period(
                    indicator,
                    start_plan,
                    district.time_zone,
                    today,
                    batch.calendar(project),
                )?
                else {
                    continue;
                };
                for org in project.participants.iter().filter(|&&o| project.asks(indicator, o)) {
                    let reported = reports
                        .iter()
                        .any(|r| r.indicator_key == indicator.key && r.organization_id == *org && r.period == period);
                    if !reported {
                        missing.push(MissingReport {
                            organization_id: *org,
                            organization_name: organizations.get(org).map_or_else(String::new, |o| o.name.clone()),
                            project_id: project.id,
                            project_title: project.title.clone(),
                            indicator_key: indicator.key.clone(),
                            indicator_title: indicator.title.clone(),
                            period: period.clone(),
                            deadline,
                            days_late: (today - deadline).num_days(),
                        });
                    }
                }
            }
        }
        overdue.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(a.project_id.cmp(&b.project_id))
        });
        missing.sort_by(|a, b| {
            b.days_late
                .cmp(&a.days_late)
                .then(a.organization_name.cmp(&b.organization_name))
        });
        let names: HashMap<i64, (String, i64)> = organizations
            .into_values()
            .map(|o| (o.id, (o.name, o.district_id)))
            .collect();
        let organizations = standings(&names, achievements.iter(), &self.thresholds);
        Ok(Dashboard {
            district_id,
            by_workflow: by_workflow.into_values().collect(),
            by_stage: by_stage.into_values().collect(),
            by_health: by_health
                .into_iter()
                .rev()
                .map(|(h, count)| Count {
                    key: h.as_str().to_string(),
                    title: h.title().to_string(),
                    count,
                })
                .collect(),
            overdue,
            missing_reports: missing,
            organizations,
            achievements,
            names,
            thresholds: self.thresholds,
        })
    }
}
