//! Enumerations, mirrored from the engine's types.

use async_graphql::Enum;

/// Роль пользователя: от неё зависит, что он видит и что может делать.
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

/// Тип организации.
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

/// Порядок списка проектов.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(remote = "engine::service::ProjectOrder")]
pub enum ProjectOrder {
    /// Сначала новые.
    #[default]
    Newest,
    /// По названию, по алфавиту.
    Title,
    /// По ближайшему сроку идущих этапов: просроченные первыми, затем ближайшие; проекты без
    /// срока (завершённые, отменённые) — в конце.
    Due,
    /// По отставанию: сначала «отставание» (красные), затем «под угрозой», «в норме», «нет
    /// данных»; внутри — по ближайшему сроку.
    Lateness,
}

/// Состояние проекта.
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

/// Для кого процесс: для одной организации или для района.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::definition::Scope")]
pub enum Scope {
    /// Проект одной организации.
    Organization,
    /// Один проект района с несколькими организациями-участниками.
    District,
}

/// Тип значения показателя.
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

/// Как часто сдают отчёты по показателю (в скобках — как записывается период).
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

/// Что лучше для показателя: большее или меньшее значение.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::definition::Direction")]
pub enum Direction {
    /// Чем больше, тем лучше.
    Higher,
    /// Чем меньше, тем лучше.
    Lower,
}

/// Что произошло с проектом.
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
    /// Назначен, сменён или снят ответственный за проект или этап.
    ResponsibleChanged,
    /// Проект переведён на другую версию процесса.
    Migrated,
}

/// Светофор: рассчитывается по срокам этапов и сданным отчётам.
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

/// О чём напоминание.
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

/// Где письмо из очереди отправки сейчас.
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
