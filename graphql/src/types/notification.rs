//! The reminder outbox as administrators see it.

use super::enums::{NotificationStatus, ReminderKind};
use super::scalars::{Date, DateTime};
use super::to_id;
use async_graphql::{ID, Object};

/// An email of the reminder outbox.
pub struct Notification(pub engine::reminders::Notification);

/// Письмо-напоминание в очереди отправки.
#[Object]
impl Notification {
    /// Идентификатор.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Вид напоминания.
    async fn kind(&self) -> ReminderKind {
        self.0.kind.into()
    }
    /// Кому.
    async fn recipient_email(&self) -> &str {
        &self.0.recipient_email
    }
    /// Проект.
    async fn project_id(&self) -> Option<ID> {
        self.0.project_id.map(to_id)
    }
    /// Где письмо сейчас: ждёт отправки, отправляется, отправлено или не отправлено.
    async fn status(&self) -> NotificationStatus {
        self.0.status.into()
    }
    /// Сколько было попыток.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Когда следующая попытка.
    async fn next_attempt_at(&self) -> DateTime {
        self.0.next_attempt_at.into()
    }
    /// Ошибка последней попытки.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// Когда поставлено в очередь.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// Когда отправлено.
    async fn sent_at(&self) -> Option<DateTime> {
        self.0.sent_at.map(DateTime::from)
    }
    /// Содержание напоминания.
    async fn reminder(&self) -> Option<Reminder> {
        self.0.item.clone().map(Reminder)
    }
}

/// One reminder: a due date or a missing report someone is told about.
pub struct Reminder(pub engine::reminders::ReminderItem);

/// Одно напоминание: кому, о каком проекте и сроке.
#[Object]
impl Reminder {
    /// Вид напоминания.
    async fn kind(&self) -> ReminderKind {
        self.0.kind.into()
    }
    /// Кому.
    async fn recipient_email(&self) -> &str {
        &self.0.recipient_email
    }
    /// Проект.
    async fn project_id(&self) -> ID {
        to_id(self.0.project_id)
    }
    /// Название проекта.
    async fn project_title(&self) -> &str {
        &self.0.project_title
    }
    /// Этап.
    async fn stage_title(&self) -> Option<&str> {
        self.0.stage_title.as_deref()
    }
    /// Показатель.
    async fn indicator_title(&self) -> Option<&str> {
        self.0.indicator_title.as_deref()
    }
    /// Период отчёта.
    async fn period(&self) -> Option<&str> {
        self.0.period.as_deref()
    }
    /// Срок этапа или срок сдачи отчёта.
    async fn due(&self) -> Date {
        self.0.due.into()
    }
    /// Дней до срока или после него.
    async fn days(&self) -> i64 {
        self.0.days
    }
    /// Сообщение координатору о чужом этапе.
    async fn escalated(&self) -> bool {
        self.0.escalated
    }
}
