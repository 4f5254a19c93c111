//! One line of a reminder digest: what the planner produces, what the outbox stores (as the
//! notification's JSON payload) and what the email shows.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why someone is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// A stage's due date is coming up (`days` left; the threshold crossed is `threshold`).
    DueSoon,
    /// A stage is past its due date (`days` overdue).
    Overdue,
    /// An organization has not reported an indicator for a period past its deadline.
    ReportMissing,
}

/// One reminder for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderItem {
    /// Unique per (project, stage or indicator+period, kind, threshold, recipient).
    pub dedupe_key: String,
    pub kind: ReminderKind,
    pub recipient_user_id: Option<i64>,
    pub recipient_email: String,
    pub recipient_name: String,
    pub project_id: i64,
    pub project_title: String,
    pub district_name: String,
    /// The stage (due soon, overdue).
    pub stage_key: Option<String>,
    pub stage_title: Option<String>,
    /// The stage's due date, or the report's deadline.
    pub due: NaiveDate,
    /// Days left (due soon) or days overdue / late (overdue, report missing).
    pub days: i64,
    /// The threshold this reminder is for: days before (due soon), the overdue repeat
    /// number, or 0.
    pub threshold: i64,
    /// The indicator and period (report missing).
    pub indicator_key: Option<String>,
    pub indicator_title: Option<String>,
    pub period: Option<String>,
    pub organization_name: Option<String>,
    /// Sent to a coordinator about someone else's stage (escalation).
    pub escalated: bool,
    /// The date is counted over a calendar year that is not official yet: the email says
    /// «по предварительному календарю».
    #[serde(default)]
    pub provisional: bool,
    /// Sent to a substitute: the name of the person away they stand in for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_for: Option<String>,
    /// Sent to a person away: the name of who stands in for them and receives it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substituted_by: Option<String>,
    /// A task of the stage with its own date («мероприятие»): its checklist key and title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_title: Option<String>,
}
