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
    Validation { field: Option<String>, message: String },

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

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: Some(field.into()),
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
            field: Some("startDate".into()),
            message: err.to_string(),
        }
    }
}
