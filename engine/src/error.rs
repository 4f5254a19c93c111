//! The one error type of the engine's boundary. Messages are Russian and meant for the person
//! who acted: they say what is wrong and what to do. Database details stay in the source chain
//! for the log and never reach the message.

use sea_orm::DbErr;

/// What went wrong in an engine call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("Не найдено: {what} «{id}».")]
    NotFound { what: &'static str, id: String },

    /// The input is wrong; `field` names the input field it concerns, when there is one.
    #[error("{message}")]
    Validation { field: Option<Field>, message: String },

    /// The project cannot move that way now (no such transition, a guard not satisfied,
    /// the project is closed).
    #[error("{0}")]
    InvalidTransition(String),

    /// Someone else changed the record first; reload and try again.
    #[error("{0}")]
    Conflict(String),

    /// The caller is not signed in, or their session is over.
    #[error("{0}")]
    Unauthenticated(String),

    /// The caller's role or scope does not allow this.
    #[error("{0}")]
    Forbidden(String),

    /// A fault of ours or of the database; the details go to the log.
    #[error("Внутренняя ошибка: {0}")]
    Internal(String),

    #[error("Ошибка базы данных.")]
    Db(#[source] DbErr),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The input field a validation error concerns, named as the GraphQL inputs name it (a test in
/// the GraphQL crate checks every name against the schema), so the web interface can put the
/// message beside the right box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    ActDate,
    ActNumber,
    ActTitle,
    Comment,
    /// The password the person signs in with now (when changing it).
    CurrentPassword,
    Date,
    DistrictId,
    /// The due date entered for a stage at launch (`dueDates.<stage key>`).
    DueDate(String),
    Email,
    FromStage,
    FullName,
    Indicator,
    /// The target entered for an indicator at launch (`indicatorTargets.<indicator key>`).
    IndicatorTarget(String),
    Item,
    Name,
    NewDue,
    OrganizationId,
    ParticipantIds,
    /// The parts chosen for participants at launch (`participantParts`).
    ParticipantParts,
    Password,
    Period,
    ProjectId,
    Reason,
    RegionCode,
    /// The person named responsible (at launch, or when changing it).
    ResponsibleId,
    Role,
    /// The person named for a stage at launch (`stageResponsibles.<stage key>`).
    StageResponsible(String),
    Stage,
    /// A task (checklist item with its own date or person) of a stage, by key.
    Task,
    StartsOn,
    EndsOn,
    SubstituteId,
    UserId,
    StartDate,
    TimeZone,
    Title,
    ToStage,
    Value,
    /// The workflow version a project is moved to (`toVersion`).
    ToVersion,
    Year,
    /// A setting of the server (an environment variable such as `DATABASE_URL`), not an API
    /// input.
    Setting(&'static str),
}

impl Field {
    /// The field's name in the API (`participantIds`, `dueDates.event_day`).
    pub fn name(&self) -> String {
        let plain = match self {
            Field::DueDate(stage) => return format!("dueDates.{stage}"),
            Field::IndicatorTarget(key) => return format!("indicatorTargets.{key}"),
            Field::StageResponsible(key) => return format!("stageResponsibles.{key}"),
            Field::Setting(name) => name,
            Field::ActDate => "actDate",
            Field::ActNumber => "actNumber",
            Field::ActTitle => "actTitle",
            Field::Comment => "comment",
            Field::CurrentPassword => "currentPassword",
            Field::Date => "date",
            Field::DistrictId => "districtId",
            Field::Email => "email",
            Field::FromStage => "fromStage",
            Field::FullName => "fullName",
            Field::Indicator => "indicator",
            Field::Item => "item",
            Field::Name => "name",
            Field::NewDue => "newDue",
            Field::OrganizationId => "organizationId",
            Field::ParticipantIds => "participantIds",
            Field::ParticipantParts => "participantParts",
            Field::Password => "password",
            Field::Period => "period",
            Field::ProjectId => "projectId",
            Field::Reason => "reason",
            Field::RegionCode => "regionCode",
            Field::ResponsibleId => "responsibleId",
            Field::Role => "role",
            Field::StartsOn => "startsOn",
            Field::EndsOn => "endsOn",
            Field::SubstituteId => "substituteId",
            Field::UserId => "userId",
            Field::Stage => "stage",
            Field::Task => "task",
            Field::StartDate => "startDate",
            Field::TimeZone => "timeZone",
            Field::Title => "title",
            Field::ToStage => "toStage",
            Field::Value => "value",
            Field::ToVersion => "toVersion",
            Field::Year => "year",
        };
        plain.to_string()
    }

    /// One of every API input field (not [`Field::Setting`]), for the test that holds the
    /// names to the schema.
    pub fn examples() -> Vec<Field> {
        vec![
            Field::ActDate,
            Field::ActNumber,
            Field::ActTitle,
            Field::Comment,
            Field::CurrentPassword,
            Field::Date,
            Field::DistrictId,
            Field::DueDate(String::new()),
            Field::Email,
            Field::FromStage,
            Field::FullName,
            Field::Indicator,
            Field::IndicatorTarget(String::new()),
            Field::StageResponsible(String::new()),
            Field::Item,
            Field::Name,
            Field::NewDue,
            Field::OrganizationId,
            Field::ParticipantIds,
            Field::ParticipantParts,
            Field::Password,
            Field::Period,
            Field::ProjectId,
            Field::Reason,
            Field::RegionCode,
            Field::Stage,
            Field::Task,
            Field::StartDate,
            Field::TimeZone,
            Field::Title,
            Field::ToStage,
            Field::Value,
            Field::Year,
            Field::ResponsibleId,
            Field::Role,
            Field::StartsOn,
            Field::EndsOn,
            Field::SubstituteId,
            Field::UserId,
            Field::ToVersion,
        ]
    }
}

impl Error {
    pub fn validation(field: Field, message: impl Into<String>) -> Self {
        Error::Validation {
            field: Some(field),
            message: message.into(),
        }
    }

    /// The same error about another field (a check shared by several inputs); other errors
    /// as they are.
    pub fn on_field(self, field: Field) -> Self {
        match self {
            Error::Validation { message, .. } => Error::Validation {
                field: Some(field),
                message,
            },
            other => other,
        }
    }

    /// Wrong input that is no one field's (a command-line run against the wrong database).
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Validation {
            field: None,
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// The stable machine code of the error (the GraphQL layer puts it into `extensions.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "NOT_FOUND",
            Error::Validation { .. } => "VALIDATION",
            Error::InvalidTransition(_) => "INVALID_TRANSITION",
            Error::Conflict(_) => "CONFLICT",
            Error::Unauthenticated(_) => "UNAUTHENTICATED",
            Error::Forbidden(_) => "FORBIDDEN",
            Error::Internal(_) | Error::Db(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for Error {
    /// Unique-constraint violations and SQLite's "database is busy" are conflicts a person can
    /// resolve by retrying; everything else is internal.
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                return Error::Conflict("Такая запись уже есть: обновите страницу и проверьте данные.".into());
            }
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Error::Conflict("Связанная запись изменилась или удалена: обновите страницу.".into());
            }
            _ => {}
        }
        let text = err.to_string();
        if text.contains("database is locked") || text.contains("database is busy") {
            return Error::Conflict("База данных занята другим изменением: повторите действие.".into());
        }
        Error::Db(err)
    }
}

impl From<crate::calendar::CalendarError> for Error {
    fn from(err: crate::calendar::CalendarError) -> Self {
        Error::Validation {
            field: Some(Field::StartDate),
            message: err.to_string(),
        }
    }
}
