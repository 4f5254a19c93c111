//! The engine's services: the only way callers change or read the domain.
//!
//! Every call takes the [`Actor`](crate::Actor) and asks the policy ([`crate::access`])
//! before it reads or decides anything, so a caller cannot forget to; the SQL is in
//! `store::repo`. Every change is one transaction and leaves a trace in the
//! project's history. Concurrent changes to one project are ordered by its row version: a
//! change first bumps the version with a conditional `UPDATE` (taking the row's write lock on
//! both databases, and on SQLite the database write lock before anything is read), then reads
//! and decides; a caller who passed a stale version gets [`Error::Conflict`].
//!
//! A service's tracing span records a refused call at INFO: a conflict or a wrong value is
//! the caller's business, not the operator's. Internal errors are logged at ERROR where they
//! become answers (`graphql/src/error.rs`) and by the reminder scheduler.

pub(crate) mod accounts;
mod batch;
mod calendars;
pub(crate) mod dashboard;
mod directory;
mod imports;
mod indicators;
mod migration;
pub mod page;
mod people;
mod personal;
mod projects;
mod queries;
mod recompute;
mod sessions;
mod stages;
mod substitutions;
mod transitions;
mod users;
mod workflows;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::DatabaseConnection;

pub use crate::health::{progress, project_health};
pub use accounts::{
    AccountEvent, AccountEventKind, DEFAULT_LINK_TTL_HOURS, EditUser, FieldChange, Invitation, LinkInfo,
    PendingInvitation, RESET_LIMIT_PER_ADDRESS, RESET_LIMIT_PER_CLIENT,
};
pub use calendars::{CalendarEntry, CalendarScope, DistrictCalendar, NewCalendarDay};
pub use dashboard::{Count, Dashboard, MissingReport, OrganizationStanding, OverdueStage, StageCount};
pub use directory::{MAX_ORGANIZATION_PAGE, NewDistrict, NewOrganization, NewUser};
pub use imports::{
    ImportAction, ImportCounts, ImportDirector, ImportLine, ImportOutcome, ImportPlan, ImportProblem, ImportRequest,
};
pub use indicators::{MAX_REPORT_PAGE, NewReport, ReportFilter};
pub use migration::{MigrationCandidate, MigrationPreview};
pub use page::{Cursor, Key, Page, PageRequest, Take};
pub use people::{PROJECT_ROLES, ResponsibleFor};
pub use personal::placeholder_name;
pub use projects::{LaunchPreview, LaunchProject};
pub use queries::{MAX_PAGE, ProjectBatch, ProjectFilter, ProjectOrder, ProjectPage, project_cursor};
pub use sessions::Session;
pub use substitutions::NewSubstitution;
pub use transitions::TransitionRequest;
pub use users::{MAX_USER_PAGE, UserFilter, UserListing};
pub use workflows::Registered;

use crate::clock::Clock;
use crate::definition::Definition;

/// The entry point to the domain: a database and a clock. Calendars are per district
/// ([`Engine::calendar_of`]).
#[derive(Debug, Clone)]
pub struct Engine {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    /// Parsed definitions by workflow version id. Versions are immutable, so this never
    /// goes stale, whichever replica wrote them.
    definitions: Arc<RwLock<HashMap<i64, Arc<Definition>>>>,
    /// Stored workflow versions by id, for the same reason: a change of a project reads its
    /// version without a statement.
    version_rows: Arc<RwLock<HashMap<i64, crate::store::entity::workflow_versions::Model>>>,
    session_ttl: chrono::Duration,
    /// How long invitation and reset links work.
    link_ttl: chrono::Duration,
    thresholds: crate::health::Thresholds,
    /// Bumped after every committed project change; subscriptions wait on it, then read the
    /// new history rows from the database (so other replicas' changes arrive by polling).
    changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// Bumped after a session ends here (logout); open subscriptions then check their own
    /// session at once, and every few seconds for sessions ended by other replicas.
    sessions_ended: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Engine {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Engine {
            db,
            clock,
            definitions: Arc::default(),
            version_rows: Arc::default(),
            session_ttl: chrono::Duration::days(14),
            link_ttl: chrono::Duration::hours(accounts::DEFAULT_LINK_TTL_HOURS),
            thresholds: crate::health::Thresholds::default(),
            changes: Arc::new(tokio::sync::watch::Sender::new(0)),
            sessions_ended: Arc::new(tokio::sync::watch::Sender::new(0)),
        }
    }

    /// How long a sign-in lasts (default 14 days).
    pub fn with_session_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// Where the traffic lights change (default 80 % / 50 %, warning 7 days).
    pub fn with_thresholds(mut self, thresholds: crate::health::Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// A receiver that changes after each project change committed by this process.
    pub fn watch_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// A receiver that changes after a session ended in this process.
    pub fn watch_sessions_ended(&self) -> tokio::sync::watch::Receiver<u64> {
        self.sessions_ended.subscribe()
    }

    fn session_ended(&self) {
        self.sessions_ended.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's date in a time zone.
    pub fn today_in(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }
}

/// Distinct ids, sorted: the keys of a batch load.
/// The most ids sent in one `IN (…)` list: batch loads of more (an administrator's view of a
/// whole country) go in several statements, well under PostgreSQL's 65,535 bind parameters
/// and SQLite's 32,766.
pub(crate) const IN_CHUNK: usize = 10_000;

pub fn unique_ids(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A person-facing text that must not be blank: trimmed, or a validation error for `field`.
fn required_text(value: &str, field: crate::error::Field, what: &str) -> crate::Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(crate::Error::validation(field, format!("Заполните поле «{what}».")));
    }
    if trimmed.chars().count() > 500 {
        return Err(crate::Error::validation(
            field,
            format!("Поле «{what}» длиннее 500 знаков: сократите его."),
        ));
    }
    if let Some(c) = crate::text::forbidden_character(trimmed) {
        return Err(crate::Error::validation(
            field,
            format!(
                "В поле «{what}» есть {}: удалите его (часто он попадает при копировании) и введите значение заново.",
                crate::text::describe(c)
            ),
        ));
    }
    Ok(trimmed.to_string())
}

/// An optional comment: trimmed, `None` when blank.
fn optional_text(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}
