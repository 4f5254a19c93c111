//! The file as serde reads it: every field a person writes, with spans where validation
//! needs to point at it. Unknown keys are refused here (`deny_unknown_fields`).

use serde::Deserialize;
use toml::Spanned;

use super::Scope;
use crate::auth::Role;
use crate::period::Periodicity;

use super::{Direction, IndicatorType};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefinition {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub scope: Scope,
    #[serde(default)]
    pub reminders: Option<Spanned<RawReminders>>,
    #[serde(default)]
    pub stages: Vec<Spanned<RawStage>>,
    #[serde(default)]
    pub transitions: Vec<Spanned<RawTransition>>,
    #[serde(default)]
    pub indicators: Vec<Spanned<RawIndicator>>,
    #[serde(default)]
    pub parts: Vec<Spanned<RawPart>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPart {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReminders {
    #[serde(default)]
    pub before_days: Option<Spanned<Vec<i64>>>,
    #[serde(default)]
    pub overdue_every_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub escalate_to: Option<Spanned<Vec<Role>>>,
    #[serde(default)]
    pub escalation: Option<Spanned<Vec<Spanned<RawEscalationStep>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalationStep {
    pub to: Spanned<String>,
    pub after_days: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub owners: Spanned<Vec<Role>>,
    #[serde(default)]
    pub checklist: Vec<Spanned<RawChecklistItem>>,
    #[serde(default)]
    pub due: Option<Spanned<RawDue>>,
    #[serde(default)]
    pub terminal: bool,
    /// `"all"` or a list of stage keys: the branches a join waits for.
    #[serde(default)]
    pub join: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChecklistItem {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub due: Option<Spanned<RawDue>>,
    #[serde(default)]
    pub owners: Option<Spanned<Vec<Role>>>,
    #[serde(default)]
    pub document: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDue {
    #[serde(default)]
    pub date: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub days: Option<Spanned<i64>>,
    #[serde(default)]
    pub working_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub after: Option<Spanned<String>>,
    #[serde(default)]
    pub after_stage: Option<Spanned<String>>,
    #[serde(default)]
    pub before_stage: Option<Spanned<String>>,
    #[serde(default)]
    pub annual: Option<Spanned<String>>,
    #[serde(default)]
    pub at_launch: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    pub from: Spanned<String>,
    /// A stage key, or a list of them for a fork.
    pub to: Spanned<toml::Value>,
    #[serde(default)]
    pub title: Option<String>,
    pub roles: Spanned<Vec<Role>>,
    #[serde(default)]
    pub guards: Option<Spanned<RawGuards>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuards {
    #[serde(default)]
    pub checklist_complete: Option<Spanned<bool>>,
    #[serde(default)]
    pub indicators_reported: Vec<Spanned<String>>,
    #[serde(default)]
    pub comment_required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
    pub unit: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Spanned<IndicatorType>,
    pub period: Spanned<Periodicity>,
    pub starts_at_stage: Spanned<String>,
    #[serde(default)]
    pub target: Option<Spanned<RawTarget>>,
    pub better: Direction,
    #[serde(default)]
    pub cumulative: Option<Spanned<bool>>,
    #[serde(default)]
    pub report_deadline: Option<Spanned<RawReportDeadline>>,
    #[serde(default)]
    pub parts: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    #[serde(default)]
    pub per_period: Option<f64>,
    #[serde(default)]
    pub overall: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReportDeadline {
    #[serde(default)]
    pub days: Option<Spanned<i64>>,
    #[serde(default)]
    pub working_days: Option<Spanned<i64>>,
}
