//! Workflow definitions: the validated model of a `workflows/*.toml` file.
//!
//! [`Definition::parse`] is the only way to make one: serde reads the file into the raw
//! structs of [`raw`] (`deny_unknown_fields`, every key with its span), then [`validate`]
//! checks the definition as a whole and reports every problem with the file, line, column
//! and key, and what to fix. The validated value serializes to JSON for storage; its
//! [`fingerprint`](Definition::fingerprint) decides whether a changed file is a new version.
//! The format is documented in `workflows/README.md`.

mod flow;
mod raw;
mod validate;

pub use flow::{Fired, Marking};

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::Role;
use crate::period::Periodicity;

/// Whether a project is one organization's or one for a whole district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One school's (organization's) project: exactly one participant.
    Organization,
    /// One project for the district, with many participating organizations.
    District,
}

/// A validated workflow definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    key: String,
    title: String,
    description: Option<String>,
    scope: Scope,
    reminders: ReminderPolicy,
    stages: Vec<Stage>,
    transitions: Vec<Transition>,
    indicators: Vec<Indicator>,
    /// The parts an organization can take in a project of this workflow («базовая школа»,
    /// «школа-участник»); the first is the one a launch gives when none is chosen. Empty:
    /// every participant takes the same part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part>,
}

/// A part an organization takes in a project («[[parts]]»): which indicators it reports
/// depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub key: String,
    pub title: String,
}

/// When reminders go out (DESIGN.md "Reminders").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPolicy {
    /// Days before a due date to remind, largest first.
    pub before_days: Vec<u32>,
    /// Once overdue, remind again every this many days.
    pub overdue_every_days: u32,
    /// Who else hears of an overdue stage, and from which day overdue: the chain an overdue
    /// stage climbs after the person named for it (or, with nobody named, its owners).
    pub escalation: Vec<EscalationStep>,
}

/// Whom one step of the escalation chain tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EscalationTarget {
    /// The holders of the stage's owner roles (news only when a person is named for it).
    Owners,
    /// The holders of a role: the district's coordinators, the participants' directors.
    Role(Role),
    /// The person responsible for the whole project.
    ProjectResponsible,
}

impl EscalationTarget {
    /// The spelling in a definition.
    pub const NAMES: [(&'static str, EscalationTarget); 4] = [
        ("owners", EscalationTarget::Owners),
        ("coordinator", EscalationTarget::Role(Role::Coordinator)),
        ("director", EscalationTarget::Role(Role::Director)),
        ("project_responsible", EscalationTarget::ProjectResponsible),
    ];
}

/// One step of the escalation chain: `to` hears of an overdue stage from its `after_days`-th
/// day overdue on (1: from the first day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    pub to: EscalationTarget,
    pub after_days: u32,
}

impl EscalationStep {
    /// The chain of `escalate_to` (and of a definition without either): from the first day
    /// overdue, the owners, those roles and the project's responsible.
    pub fn at_once(roles: &[Role]) -> Vec<EscalationStep> {
        let step = |to| EscalationStep { to, after_days: 1 };
        std::iter::once(step(EscalationTarget::Owners))
            .chain(roles.iter().map(|r| step(EscalationTarget::Role(*r))))
            .chain(std::iter::once(step(EscalationTarget::ProjectResponsible)))
            .collect()
    }
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        ReminderPolicy {
            before_days: vec![7, 3, 1],
            overdue_every_days: 3,
            escalation: EscalationStep::at_once(&[Role::Coordinator]),
        }
    }
}

/// A stage of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub owners: Vec<Role>,
    pub checklist: Vec<ChecklistItem>,
    pub due: Option<DueRule>,
    pub terminal: bool,
    /// For a stage where parallel branches meet (a join): the stages whose branches it waits
    /// for. Empty for an ordinary stage, which opens as soon as a transition leads into it.
    /// See [`flow`] for the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join: Vec<String>,
}

/// One item of a stage's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub key: String,
    pub title: String,
    /// A task («мероприятие», «контрольная точка»): its own due date, counted from the
    /// project's start, its stage's entry or a stage's due date (`Offset`), or a fixed date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DueRule>,
    /// Who does it, when not the stage's owners; empty: the stage's owners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<Role>,
    /// «Нужен документ»: ticked with a comment saying where the document is (the number and
    /// date of an act, a link), until documents can be attached.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub document: bool,
}

impl ChecklistItem {
    /// The roles the item is given to: its own, or its stage's.
    pub fn owners_in<'a>(&'a self, stage: &'a Stage) -> &'a [Role] {
        if self.owners.is_empty() {
            &stage.owners
        } else {
            &self.owners
        }
    }
}

/// A move from one stage to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: String,
    /// The stages the transition opens: one, or several for a fork (parallel branches).
    /// Stored as a string when there is one, so definitions written before forks keep their
    /// fingerprints.
    #[serde(with = "one_or_many")]
    pub to: Vec<String>,
    pub title: Option<String>,
    pub roles: Vec<Role>,
    pub guards: Guards,
}

/// Conditions a transition checks before it is taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guards {
    /// Every checklist item of the `from` stage is ticked.
    pub checklist_complete: bool,
    /// Every participant has reported these indicators for the current period.
    pub indicators_reported: Vec<String>,
    /// The person must write a comment.
    pub comment_required: bool,
}

/// How a stage's due date is computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum DueRule {
    /// A fixed date.
    Fixed { date: NaiveDate },
    /// A number of days from an anchor; negative only before another stage's due date.
    Offset { days: i32, unit: DayUnit, anchor: Anchor },
    /// The first `month`-`day` on or after the project's start.
    Annual { month: u32, day: u32 },
    /// Given by the coordinator when launching the project.
    AtLaunch,
}

/// Calendar or working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Calendar,
    Working,
}

/// What an offset counts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "stage")]
pub enum Anchor {
    ProjectStart,
    StageEntered,
    /// Another stage's due date.
    StageDue(String),
}

/// Value type of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorType {
    Integer,
    Decimal,
    /// 0–100.
    Percent,
    /// Yes (1) or no (0).
    Boolean,
}

impl IndicatorType {
    /// Why `value` cannot be a value (or a target) of this type, if it cannot: the one check
    /// behind definitions' targets, launch targets and reports.
    pub fn value_problem(self, value: f64) -> Option<String> {
        if !value.is_finite() {
            return Some("это не число".into());
        }
        match self {
            IndicatorType::Percent if !(0.0..=100.0).contains(&value) => {
                Some(format!("процент — от 0 до 100, а указано {value}"))
            }
            IndicatorType::Boolean if value != 0.0 && value != 1.0 => Some(format!(
                "для «да/нет» есть только 1 — «да» и 0 — «нет», а указано {value}"
            )),
            IndicatorType::Integer | IndicatorType::Decimal if value < 0.0 => {
                Some(format!("значение не может быть отрицательным ({value})"))
            }
            IndicatorType::Integer if value.fract() != 0.0 => {
                Some(format!("показатель считается в целых, а указано дробное {value}"))
            }
            _ => None,
        }
    }
}

/// Whether more is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// The target of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The value each period should reach.
    PerPeriod(f64),
    /// The value the whole project should reach (with `cumulative`, the sum of the periods).
    Overall(f64),
}

/// The deadline for reporting a period, counted from the day after the period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDeadline {
    pub days: u32,
    pub unit: DayUnit,
}

/// An indicator reported by participating organizations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub title: String,
    pub unit: String,
    #[serde(rename = "type")]
    pub kind: IndicatorType,
    pub period: Periodicity,
    pub starts_at_stage: String,
    pub target: Option<Target>,
    pub better: Direction,
    pub cumulative: bool,
    pub report_deadline: ReportDeadline,
    /// The parts whose organizations report it; empty: every participant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

impl Indicator {
    /// The indicator as people name it: «2.1 Доля …» for the seeds' numeric codes, just the
    /// title for word keys (`open_lessons` is the engine's, not theirs). The web does the same.
    pub fn label(&self) -> String {
        if !self.key.is_empty() && self.key.chars().all(|c| c.is_ascii_digit() || c == '.') {
            format!("{} {}", self.key, self.title)
        } else {
            self.title.clone()
        }
    }

    /// Whether an organization taking `part` in a project reports this indicator. A
    /// participant with no part (launched before the workflow had parts) reports everything.
    pub fn asks(&self, part: Option<&str>) -> bool {
        match part {
            Some(part) => self.parts.is_empty() || self.parts.iter().any(|p| p == part),
            None => true,
        }
    }
}

/// One problem in a definition file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The key path the problem concerns, e.g. `stages[2].due`.
    pub key: String,
    /// What is wrong and what to do, in Russian.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.key, self.message
        )
    }
}

/// Every problem found in one definition file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

impl Definition {
    /// Parses and validates a definition. `file` is the name used in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Definition, DefinitionErrors> {
        validate::parse(file, text)
    }

    /// Reads back a definition this engine stored (it was validated when registered).
    pub fn from_stored_json(json: &str) -> serde_json::Result<Definition> {
        serde_json::from_str(json)
    }

    /// The canonical JSON form that is stored and fingerprinted.
    pub fn to_json(&self) -> String {
        // Serializing plain structs, strings, numbers and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 of the canonical JSON, hex: equal for definitions that mean the same,
    /// whatever their comments and formatting.
    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.to_json().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn key(&self) -> &str {
        &self.key
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn scope(&self) -> Scope {
        self.scope
    }
    pub fn reminders(&self) -> &ReminderPolicy {
        &self.reminders
    }
    /// The stages in order; the first is where projects start.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn first_stage(&self) -> &Stage {
        // Validation guarantees at least one stage.
        &self.stages[0]
    }

    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    pub fn stage_index(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }

    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }

    /// The parts an organization can take in a project, the default first; empty when all
    /// take the same.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub fn part(&self, key: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.key == key)
    }

    pub fn transitions_from<'a>(&'a self, stage: &'a str) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions.iter().filter(move |t| t.from == stage)
    }

    /// The transition out of `from` that leads to `to` (alone or as one branch of a fork).
    pub fn transition(&self, from: &str, to: &str) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.from == from && t.to.iter().any(|s| s == to))
    }

    /// Whether some checklist item is a task with a date of its own (its ticks matter to
    /// reminders, its dates need the district's calendar).
    pub fn has_tasks(&self) -> bool {
        self.stages.iter().any(|s| s.checklist.iter().any(|i| i.due.is_some()))
    }

    /// Whether any stage is a join, i.e. the definition has parallel branches.
    pub fn has_branches(&self) -> bool {
        self.transitions.iter().any(|t| t.to.len() > 1)
    }
}

impl Transition {
    /// The first stage the transition opens (the only one unless it is a fork).
    pub fn target(&self) -> &str {
        self.to.first().map_or("", String::as_str)
    }
}

/// `to` as a string for one stage, as a list for a fork.
mod one_or_many {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &[String], s: S) -> Result<S::Ok, S::Error> {
        match value {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        })
    }
}

#[cfg(test)]
mod tests;

impl DueRule {
    /// The rule as a coordinator would say it, in Russian: «10 рабочих дней до срока этапа
    /// „Проведение“», «к 01.09 (первое после начала проекта)».
    pub fn describe(&self, definition: &Definition) -> String {
        let days = |n: i32, unit: DayUnit| {
            let n = n.unsigned_abs();
            let word = match (unit, n % 10, n % 100) {
                (DayUnit::Working, 1, r) if r != 11 => "рабочий день",
                (DayUnit::Working, 2..=4, r) if !(12..=14).contains(&r) => "рабочих дня",
                (DayUnit::Working, _, _) => "рабочих дней",
                (DayUnit::Calendar, 1, r) if r != 11 => "календарный день",
                (DayUnit::Calendar, 2..=4, r) if !(12..=14).contains(&r) => "календарных дня",
                (DayUnit::Calendar, _, _) => "календарных дней",
            };
            format!("{n} {word}")
        };
        match self {
            DueRule::Fixed { date } => format!("к {}", date.format("%d.%m.%Y")),
            DueRule::Annual { month, day } => format!("к {day:02}.{month:02} (первое после начала проекта)"),
            DueRule::AtLaunch => "дата назначается при запуске проекта".into(),
            DueRule::Offset { days: n, unit, anchor } => {
                let stage_title = |key: &str| definition.stage(key).map_or(key.to_string(), |s| s.title.clone());
                match anchor {
                    Anchor::ProjectStart => format!("{} после начала проекта", days(*n, *unit)),
                    Anchor::StageEntered => format!("{} после начала этапа", days(*n, *unit)),
                    Anchor::StageDue(key) if *n < 0 => {
                        format!("{} до срока этапа «{}»", days(*n, *unit), stage_title(key))
                    }
                    Anchor::StageDue(key) => format!("{} после срока этапа «{}»", days(*n, *unit), stage_title(key)),
                }
            }
        }
    }
}
