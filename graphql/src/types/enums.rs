//! Enumerations, mirrored from the engine's types.

use async_graphql::Enum;

/// A user's role.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::Role")]
pub enum Role {
    /// Администратор: районы, организации, пользователи, процессы; может всё.
    Admin,
    /// Координатор проектного офиса района.
    Coordinator,
    /// Руководитель организации (директор школы, заведующий ДОУ…).
    Director,
    /// Наблюдатель: только чтение (района или всех районов).
    Observer,
}

/// The kind of an organization.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::model::OrganizationKind")]
pub enum OrganizationKind {
    /// Школа.
    School,
    /// Детский сад (ДОУ).
    Kindergarten,
    /// Организация дополнительного образования.
    AdditionalEducation,
    /// Муниципальная методическая служба.
    MethodicalService,
    /// Другая организация.
    Other,
}

/// Where a project is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::model::ProjectStatus")]
pub enum ProjectStatus {
    /// Идёт.
    Active,
    /// Завершён (дошёл до завершающего этапа).
    Completed,
    /// Отменён.
    Cancelled,
}

/// Whether a workflow runs for one organization or for a district.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::definition::Scope")]
pub enum Scope {
    /// Проект одной организации.
    Organization,
    /// Один проект района с несколькими организациями-участниками.
    District,
}

/// The value type of an indicator.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::definition::IndicatorType")]
pub enum IndicatorType {
    /// Целое число.
    Integer,
    /// Дробное число.
    Decimal,
    /// Процент, 0–100.
    Percent,
    /// Да (1) или нет (0).
    Boolean,
}

/// How often an indicator is reported.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::period::Periodicity")]
pub enum Periodicity {
    /// Ежемесячно (`2025-03`).
    Month,
    /// Ежеквартально (`2025-Q1`).
    Quarter,
    /// Раз в полугодие (`2025-H1`).
    HalfYear,
    /// Ежегодно (`2025`).
    Year,
    /// Раз в учебный год (`2024/25`).
    AcademicYear,
    /// Однократно (`once`).
    Once,
}

/// Whether more of an indicator is better.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::definition::Direction")]
pub enum Direction {
    /// Чем больше, тем лучше.
    Higher,
    /// Чем меньше, тем лучше.
    Lower,
}

/// What happened to a project.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::model::EventKind")]
pub enum HistoryKind {
    /// Проект запущен.
    Launched,
    /// Переход между этапами.
    Transition,
    /// Перенос срока этапа.
    Rescheduled,
    /// Отметка пункта чек-листа.
    ChecklistItem,
    /// Проект отменён.
    Cancelled,
    /// Сроки пересчитаны, потому что изменился календарь.
    Recomputed,
}

/// A traffic light, computed from the plan and the reports.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::health::Health")]
pub enum Health {
    /// Нет данных: нет цели или ещё ничего не сдано.
    Unknown,
    /// В норме: достижение от 80 % (порог настраивается), сроки соблюдаются.
    Green,
    /// Под угрозой: достижение 50–79 % или срок этапа скоро.
    Amber,
    /// Отставание: достижение ниже 50 % или этап просрочен.
    Red,
}

/// Why someone is reminded.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::reminders::ReminderKind")]
pub enum ReminderKind {
    /// Скоро срок этапа.
    DueSoon,
    /// Этап просрочен.
    Overdue,
    /// Организация не сдала отчёт по показателю.
    ReportMissing,
}

/// Where an email of the outbox is on its way.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::reminders::NotificationStatus")]
pub enum NotificationStatus {
    /// Ждёт отправки (в первый раз или повторно).
    Pending,
    /// Отправляется сейчас.
    Sending,
    /// Отправлено.
    Sent,
    /// Не отправлено: попытки кончились.
    Failed,
}
