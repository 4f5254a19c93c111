//! Domain values the engine's services return. Plain data: no database handles, no ORM rows.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::definition::Definition;
use crate::error::{Error, Result};

/// A municipal district (муниципальный район): the tenant boundary, with its time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub id: i64,
    pub name: String,
    pub time_zone: Tz,
    /// The official code of the region (subject of the Federation) whose days off count
    /// here; `None` for a district created before regions existed (the federal calendar).
    pub region_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The kind of an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// Школа.
    School,
    /// Детский сад (ДОУ).
    Kindergarten,
    /// Организация дополнительного образования.
    AdditionalEducation,
    /// Муниципальная методическая служба (ММС, ИМЦ).
    MethodicalService,
    /// Другая организация.
    Other,
}

impl OrganizationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationKind::School => "school",
            OrganizationKind::Kindergarten => "kindergarten",
            OrganizationKind::AdditionalEducation => "additional_education",
            OrganizationKind::MethodicalService => "methodical_service",
            OrganizationKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::School,
            Self::Kindergarten,
            Self::AdditionalEducation,
            Self::MethodicalService,
            Self::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A school, kindergarten, centre or methodical service of a district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: i64,
    pub district_id: i64,
    pub name: String,
    pub kind: OrganizationKind,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Archived: keeps its history and reports, takes part in nothing new.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A person who signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub district_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub active: bool,
    /// The person has set a password (an invited person has not, until they use the link).
    pub password_set: bool,
    pub created_at: DateTime<Utc>,
}

/// «Замещение»: from `starts_on` to `ends_on` (inclusive, in the district's days) the
/// reminders of the person away go also to the substitute, with the person away in copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub substitute_id: i64,
    pub substitute_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// One stored version of a workflow definition.
#[derive(Debug, Clone)]
pub struct WorkflowVersion {
    pub id: i64,
    pub key: String,
    pub version: i32,
    pub fingerprint: String,
    pub source_name: String,
    pub registered_at: DateTime<Utc>,
    pub definition: Arc<Definition>,
}

/// Where a project is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Active,
    Completed,
    Cancelled,
}

impl ProjectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Active => "active",
            ProjectStatus::Completed => "completed",
            ProjectStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(ProjectStatus::Active),
            "completed" => Ok(ProjectStatus::Completed),
            "cancelled" => Ok(ProjectStatus::Cancelled),
            other => Err(Error::Internal(format!("unknown project status {other:?}"))),
        }
    }
}

/// A project: one run of a workflow version in a district.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: i64,
    pub workflow_version_id: i64,
    pub district_id: i64,
    pub title: String,
    pub start_date: NaiveDate,
    pub current_stage: String,
    pub status: ProjectStatus,
    /// Incremented by every change; callers pass the version they saw to change it.
    pub row_version: i32,
    /// Targets set at launch for indicators whose definition leaves them to the region.
    pub indicator_targets: BTreeMap<String, f64>,
    pub participants: Vec<i64>,
    /// The part each participant takes, by organization, for a workflow that declares parts
    /// (none for the others, and for participants launched before the workflow had them).
    pub parts: BTreeMap<i64, String>,
    /// «Ответственный за проект»: the person named for the whole project, if any.
    pub responsible_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Project {
    /// The part an organization takes in the project, if the workflow has parts.
    pub fn part_of(&self, organization: i64) -> Option<&str> {
        self.parts.get(&organization).map(String::as_str)
    }

    /// Whether `organization` reports `indicator` in this project (see
    /// [`crate::definition::Indicator::asks`]).
    pub fn asks(&self, indicator: &crate::definition::Indicator, organization: i64) -> bool {
        indicator.asks(self.part_of(organization))
    }
}

/// The plan of one stage of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePlan {
    pub stage_key: String,
    pub position: i32,
    /// The due date computed at launch; never changes.
    pub baseline_due: Option<NaiveDate>,
    /// The due date now (after rescheduling and recomputation).
    pub current_due: Option<NaiveDate>,
    /// Whether a person set the current due date (at launch or by rescheduling).
    pub due_fixed: bool,
    pub entered_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The person named for the stage, if any; without one its reminders go to the roles
    /// the workflow names as its owners.
    pub responsible_id: Option<i64>,
}

impl StagePlan {
    /// Whether the stage is under way: entered and not completed. A project has one such
    /// stage, or several while parallel branches run.
    pub fn is_current(&self) -> bool {
        self.entered_at.is_some() && self.completed_at.is_none()
    }
}

/// The state of one checklist item of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistMark {
    pub stage_key: String,
    pub item_key: String,
    pub done: bool,
    pub marked_by: Option<i64>,
    pub marked_at: DateTime<Utc>,
    /// What the person ticking it said (for an item that needs a document: where it is).
    pub comment: Option<String>,
    /// The person named for this task; a row may exist for that alone (`done` false).
    pub responsible_id: Option<i64>,
}

/// What happened to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Launched,
    Transition,
    Rescheduled,
    ChecklistItem,
    Cancelled,
    /// Current due dates moved because the calendar changed.
    Recomputed,
    /// The person responsible for the project, or for one of its stages, was named, changed
    /// or taken off.
    ResponsibleChanged,
    /// The project moved to another version of its workflow.
    Migrated,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Launched => "launched",
            EventKind::Transition => "transition",
            EventKind::Rescheduled => "rescheduled",
            EventKind::ChecklistItem => "checklist_item",
            EventKind::Cancelled => "cancelled",
            EventKind::Recomputed => "due_recomputed",
            EventKind::ResponsibleChanged => "responsible_changed",
            EventKind::Migrated => "migrated",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        [
            Self::Launched,
            Self::Transition,
            Self::Rescheduled,
            Self::ChecklistItem,
            Self::Cancelled,
            Self::Recomputed,
            Self::ResponsibleChanged,
            Self::Migrated,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| Error::Internal(format!("unknown event kind {s:?}")))
    }
}

/// What a launch recorded in its history entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LaunchDetails {
    pub workflow: String,
    pub version: i32,
    pub start_date: Option<NaiveDate>,
    /// Which occurrence of an annual date the plan counts from (absent before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cycle: Option<u32>,
    #[serde(default)]
    pub participants: Vec<i64>,
    #[serde(default)]
    pub due_dates: BTreeMap<String, NaiveDate>,
    #[serde(default)]
    pub indicator_targets: BTreeMap<String, f64>,
    /// The person named responsible for the project at launch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<i64>,
    /// The people named for stages at launch, by stage key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stage_responsibles: BTreeMap<String, i64>,
}

/// One stage whose current due date a change moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueChange {
    pub stage: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The particulars of a history entry, by its kind. Stored as the JSON of the variant's
/// fields (the kind is its own column), so entries written before this type read the same.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum EventDetails {
    #[default]
    None,
    Launched(LaunchDetails),
    Rescheduled {
        from: Option<NaiveDate>,
        to: NaiveDate,
        baseline: Option<NaiveDate>,
    },
    ChecklistItem {
        item: String,
        title: String,
        done: bool,
    },
    Recomputed {
        changes: Vec<DueChange>,
    },
    /// A transition of a workflow with parallel branches: the stages it opened (several for a
    /// fork) and the joins it reached that wait for other branches. A move from one stage to
    /// the next has no particulars, as before branches existed.
    Moved {
        opened: Vec<String>,
        waiting: Vec<String>,
    },
    /// A change of the responsible person (of the project, of the entry's stage, or of one
    /// task of it): who was and who is now, with their names as they were then.
    Responsible {
        from: Option<NamedPerson>,
        to: Option<NamedPerson>,
        /// The task (checklist item) of the entry's stage, with its title then; none for the
        /// stage itself or the project.
        task: Option<TaskRef>,
    },
    /// A move to another version of the workflow: the versions, and what the move changed,
    /// in the words the preview showed.
    Migrated {
        from: i32,
        to: i32,
        changes: Vec<String>,
    },
}

#[derive(Serialize, Deserialize)]
struct MigratedJson {
    from: i32,
    to: i32,
    #[serde(default)]
    changes: Vec<String>,
}

/// A task (checklist item) as a history entry remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    pub key: String,
    pub title: String,
}

/// A person as a history entry remembers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedPerson {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, Deserialize)]
struct ResponsibleJson {
    #[serde(default)]
    from: Option<NamedPerson>,
    #[serde(default)]
    to: Option<NamedPerson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    task: Option<TaskRef>,
}

#[derive(Serialize, Deserialize)]
struct MovedJson {
    #[serde(default)]
    opened: Vec<String>,
    #[serde(default)]
    waiting: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct RescheduledJson {
    from: Option<NaiveDate>,
    to: NaiveDate,
    baseline: Option<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
struct ChecklistJson {
    item: String,
    title: String,
    done: bool,
}

#[derive(Serialize, Deserialize)]
struct RecomputedJson {
    changes: Vec<DueChange>,
}

impl EventDetails {
    /// The stored JSON, `None` for an entry without particulars.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        let value = match self.clone() {
            EventDetails::None => return None,
            EventDetails::Launched(d) => serde_json::to_value(d),
            EventDetails::Rescheduled { from, to, baseline } => {
                serde_json::to_value(RescheduledJson { from, to, baseline })
            }
            EventDetails::ChecklistItem { item, title, done } => {
                serde_json::to_value(ChecklistJson { item, title, done })
            }
            EventDetails::Recomputed { changes } => serde_json::to_value(RecomputedJson { changes }),
            EventDetails::Moved { opened, waiting } => serde_json::to_value(MovedJson { opened, waiting }),
            EventDetails::Responsible { from, to, task } => serde_json::to_value(ResponsibleJson { from, to, task }),
            EventDetails::Migrated { from, to, changes } => serde_json::to_value(MigratedJson { from, to, changes }),
        };
        value.ok()
    }

    /// Reads the stored JSON of an entry of `kind`.
    pub fn parse(kind: EventKind, json: Option<&str>) -> Result<Self> {
        let Some(text) = json.filter(|t| !t.trim().is_empty() && *t != "null") else {
            return Ok(EventDetails::None);
        };
        let bad = |e: serde_json::Error| Error::Internal(format!("{} details: {e}", kind.as_str()));
        Ok(match kind {
            EventKind::Launched => EventDetails::Launched(serde_json::from_str(text).map_err(bad)?),
            EventKind::Rescheduled => {
                let d: RescheduledJson = serde_json::from_str(text).map_err(bad)?;
                EventDetails::Rescheduled {
                    from: d.from,
                    to: d.to,
                    baseline: d.baseline,
                }
            }
            EventKind::ChecklistItem => {
                let d: ChecklistJson = serde_json::from_str(text).map_err(bad)?;
                EventDetails::ChecklistItem {
                    item: d.item,
                    title: d.title,
                    done: d.done,
                }
            }
            EventKind::Recomputed => {
                let d: RecomputedJson = serde_json::from_str(text).map_err(bad)?;
                EventDetails::Recomputed { changes: d.changes }
            }
            EventKind::Transition => {
                let d: MovedJson = serde_json::from_str(text).map_err(bad)?;
                EventDetails::Moved {
                    opened: d.opened,
                    waiting: d.waiting,
                }
            }
            EventKind::ResponsibleChanged => {
                let d: ResponsibleJson = serde_json::from_str(text).map_err(bad)?;
                EventDetails::Responsible {
                    from: d.from,
                    to: d.to,
                    task: d.task,
                }
            }
            EventKind::Migrated => {
                let d: MigratedJson = serde_json::from_str(text).map_err(bad)?;
                EventDetails::Migrated {
                    from: d.from,
                    to: d.to,
                    changes: d.changes,
                }
            }
            EventKind::Cancelled => EventDetails::None,
        })
    }
}

/// One entry of a project's history.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectEvent {
    pub id: i64,
    pub project_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub kind: EventKind,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub stage_key: Option<String>,
    pub comment: Option<String>,
    pub details: EventDetails,
}

/// A project with everything its page shows.
#[derive(Debug, Clone)]
pub struct ProjectDetails {
    pub project: Project,
    pub definition: Arc<Definition>,
    /// The workflow version the project runs, as stored (the same as `projects` reads it).
    pub workflow: WorkflowVersion,
    pub district: District,
    pub stages: Vec<StagePlan>,
    pub checklist: Vec<ChecklistMark>,
    pub history: Vec<ProjectEvent>,
}

impl ProjectDetails {
    /// The plan of the stage the project is in (the first of them, by the definition's
    /// order, while parallel branches run).
    pub fn current_plan(&self) -> Option<&StagePlan> {
        self.stages.iter().find(|s| s.stage_key == self.project.current_stage)
    }

    /// The plans of every stage under way, in the definition's order.
    pub fn current_plans(&self) -> impl Iterator<Item = &StagePlan> {
        let active = self.project.status == ProjectStatus::Active;
        self.stages.iter().filter(move |s| active && s.is_current())
    }

    /// Today in the district's time zone.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.district.time_zone).date_naive()
    }

    /// Whether the due date of a stage under way has passed (in the district's time zone).
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        let today = self.today(now);
        self.current_plans()
            .filter_map(|p| p.current_due)
            .any(|due| due < today)
    }
}

/// A transition the caller might take now, with what stands in its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableTransition {
    /// The stage the transition leaves: which branch moves.
    pub from_stage: String,
    /// The first stage it opens (the one to name when taking it).
    pub to_stage: String,
    /// Every stage it leads to: several for a fork.
    pub to_stages: Vec<String>,
    pub title: String,
    pub comment_required: bool,
    /// Unmet guards, in Russian; empty when the transition can be taken now.
    pub blockers: Vec<String>,
}

/// An indicator value reported by an organization for a period (the current revision).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorReport {
    pub id: i64,
    pub project_id: i64,
    pub organization_id: i64,
    pub indicator_key: String,
    pub period: String,
    pub value: f64,
    pub comment: Option<String>,
    pub reported_by: Option<i64>,
    pub reported_at: DateTime<Utc>,
    /// 1 for the first report; each correction adds one.
    pub revision: i32,
    /// Earlier values, oldest first (empty when never corrected).
    pub earlier: Vec<ReportRevision>,
}

/// An earlier value of a corrected report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRevision {
    pub revision: i32,
    pub value: f64,
    pub comment: Option<String>,
    pub reported_by: Option<i64>,
    pub reported_at: DateTime<Utc>,
}

/// Plan against fact for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFact {
    pub period: String,
    pub target: Option<f64>,
    pub value: f64,
    /// For a cumulative indicator, the sum up to and including this period.
    pub cumulative: Option<f64>,
    pub achievement: Option<f64>,
}

/// How one organization stands on one indicator of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorProgress {
    pub indicator_key: String,
    pub organization_id: i64,
    /// Every reported period, oldest first.
    pub periods: Vec<PeriodFact>,
    /// The target the light is judged against (the last period's, or the overall one).
    pub target: Option<f64>,
    /// The latest reported value.
    pub latest_value: Option<f64>,
    /// The fact the light is judged by: the latest value, or the sum when cumulative.
    pub fact: Option<f64>,
    pub achievement: Option<f64>,
    pub health: crate::health::Health,
}

/// A project's traffic light and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectHealth {
    pub health: crate::health::Health,
    pub overdue: bool,
    /// A stage under way or an open task is due within the warning window.
    pub due_soon: bool,
    /// Open tasks (checklist items with their own dates) past their date.
    pub overdue_tasks: u32,
    /// The worst light of the project's indicators.
    pub indicators: crate::health::Health,
}
