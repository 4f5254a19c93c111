//! The notification outbox: enqueue planned reminders once, deliver them as digests, retry
//! with backoff, give up visibly.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Statement, TransactionTrait,
};

use super::item::{ReminderItem, ReminderKind};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::mail::render::{Digest, render};
use crate::mail::transport::Mailer;
use crate::service::Engine;
use crate::service::page::{self, Cursor, Key, ListOrder, Page, PageRequest};
use crate::store::entity::notifications;

/// How delivery behaves.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Links in emails point here: `{base_url}/projects/{id}`.
    pub base_url: String,
    /// The `From` of every email.
    pub from: lettre::message::Mailbox,
    /// Attempts before a notification is marked `failed`.
    pub max_attempts: i32,
    /// How long a delivery run holds the rows it claimed.
    pub lease: Duration,
    /// The most rows one run claims.
    pub batch: u64,
}

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub emails_sent: usize,
    pub items_sent: usize,
    /// Items whose sending failed and that will be retried.
    pub retrying: usize,
    /// Items that failed for the last time.
    pub failed: usize,
}

/// Where an outbox row is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationStatus {
    /// Waiting to be sent (first try or a retry).
    Pending,
    /// Claimed by a sender right now.
    Sending,
    Sent,
    /// Given up on after the last attempt.
    Failed,
}

impl NotificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Pending => "pending",
            NotificationStatus::Sending => "sending",
            NotificationStatus::Sent => "sent",
            NotificationStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => NotificationStatus::Pending,
            "sending" => NotificationStatus::Sending,
            "sent" => NotificationStatus::Sent,
            "failed" => NotificationStatus::Failed,
            other => return Err(crate::Error::Internal(format!("unknown notification status {other:?}"))),
        })
    }
}

fn parse_kind(s: &str) -> Result<ReminderKind> {
    Ok(match s {
        "due_soon" => ReminderKind::DueSoon,
        "overdue" => ReminderKind::Overdue,
        "report_missing" => ReminderKind::ReportMissing,
        other => return Err(crate::Error::Internal(format!("unknown notification kind {other:?}"))),
    })
}

/// A row of the outbox, as administrators see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub dedupe_key: String,
    pub kind: ReminderKind,
    pub recipient_email: String,
    pub project_id: Option<i64>,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub item: Option<ReminderItem>,
}

/// Which outbox rows to list.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    pub status: Option<NotificationStatus>,
    pub project_id: Option<i64>,
    /// At most this many, newest first (default and maximum 500).
    pub limit: Option<u64>,
}

fn kind_str(kind: ReminderKind) -> &'static str {
    match kind {
        ReminderKind::DueSoon => "due_soon",
        ReminderKind::Overdue => "overdue",
        ReminderKind::ReportMissing => "report_missing",
    }
}

/// Minutes to wait after the `n`-th failed attempt: 1, 2, 4, … at most 6 hours.
fn backoff(attempts: i32) -> Duration {
    Duration::minutes(std::cmp::min(
        1i64 << std::cmp::min(std::cmp::max(attempts, 1) - 1, 20),
        6 * 60,
    ))
}

impl Engine {
    /// Plans the reminders due at `now` and writes the new ones to the outbox in one
    /// transaction; a dedupe key already there is skipped. Returns (planned, newly queued).
    #[tracing::instrument(skip(self), err)]
    pub async fn plan_and_enqueue(&self, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let items = self.plan_reminders(now).await?;
        let planned = items.len();
        let txn = self.db().begin().await?;
        let mut inserted = 0u64;
        for chunk in items.chunks(200) {
            let rows = chunk.iter().map(|item| -> Result<notifications::ActiveModel> {
                Ok(notifications::ActiveModel {
                    dedupe_key: Set(item.dedupe_key.clone()),
                    project_id: Set(Some(item.project_id)),
                    recipient_user_id: Set(item.recipient_user_id),
                    recipient_email: Set(item.recipient_email.clone()),
                    kind: Set(kind_str(item.kind).to_string()),
                    payload: Set(serde_json::to_string(item).map_err(|e| Error::Internal(e.to_string()))?),
                    status: Set(NotificationStatus::Pending.as_str().into()),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    last_error: Set(None),
                    created_at: Set(now),
                    sent_at: Set(None),
                    claim_token: Set(None),
                    ..Default::default()
                })
            });
            let rows = rows.collect::<Result<Vec<_>>>()?;
            inserted += notifications::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::column(notifications::Column::DedupeKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        tracing::info!(planned, queued = inserted, "reminders planned");
        Ok((planned, inserted as usize))
    }

    /// Claims the pending notifications due at `now`, sends one digest per recipient, and
    /// marks them sent — or, on failure, keeps them pending with the error and a later
    /// attempt time, until `max_attempts` makes them `failed`.
    #[tracing::instrument(skip(self, mailer, settings), err)]
    pub async fn deliver_pending(
        &self,
        now: DateTime<Utc>,
        mailer: &Mailer,
        settings: &DeliverySettings,
    ) -> Result<DeliveryReport> {
        let mut token_bytes = [0u8; 16];
        rand::fill(&mut token_bytes);
        let token: String = token_bytes.iter().map(|b| format!("{b:02x}")).collect();
        let backend = self.db().get_database_backend();
        // One conditional UPDATE claims the rows: after a concurrent claim commits, PostgreSQL
        // re-checks the outer condition on the new row version and skips it; SKIP LOCKED keeps
        // runs from waiting on each other. SQLite serialises writers anyway.
        let sql = match backend {
            DbBackend::Postgres => {
                "$1, next_attempt_at = $2 WHERE id IN (SELECT id FROM notifications WHERE status IN ('pending', 'sending') AND next_attempt_at <= $3 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) AND status IN ('pending', 'sending') AND next_attempt_at <= $3"
            }
            _ => {
                "?, next_attempt_at = ? WHERE id IN (SELECT id FROM notifications WHERE status IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY id LIMIT ?) AND status IN ('pending', 'sending') AND next_attempt_at <= ?"
            }
        };
        let statement = format!("UPDATE notifications SET status = 'sending', claim_token = {sql}");
        let lease_end = now + settings.lease;
        let values: Vec<sea_orm::Value> = match backend {
            DbBackend::Postgres => vec![
                token.clone().into(),
                lease_end.into(),
                now.into(),
                (settings.batch as i64).into(),
            ],
            _ => vec![
                token.clone().into(),
                lease_end.into(),
                now.into(),
                (settings.batch as i64).into(),
                now.into(),
            ],
        };
        self.db()
            .execute_raw(Statement::from_sql_and_values(backend, statement, values))
            .await?;
        let claimed = notifications::Entity::find()
            .filter(notifications::Column::ClaimToken.eq(&token))
            .filter(notifications::Column::Status.eq(NotificationStatus::Sending.as_str()))
            .order_by_asc(notifications::Column::Id)
            .all(self.db())
            .await?;
        let mut report = DeliveryReport::default();
        let mut by_recipient: BTreeMap<String, Vec<(notifications::Model, ReminderItem)>> = BTreeMap::new();
        for row in claimed {
            match serde_json::from_str::<ReminderItem>(&row.payload) {
                Ok(item) => by_recipient
                    .entry(row.recipient_email.clone())
                    .or_default()
                    .push((row, item)),
                Err(e) => {
                    self.fail(
                        &row,
                        &format!("unreadable payload: {e}"),
                        now,
                        settings.max_attempts,
                        true,
                    )
                    .await?;
                    report.failed += 1;
                }
            }
        }
        for (email, group) in by_recipient {
            let digest = Digest {
                to_email: email.clone(),
                to_name: group[0].1.recipient_name.clone(),
                items: group.iter().map(|(_, item)| item.clone()).collect(),
                base_url: settings.base_url.clone(),
            };
            let outcome = match render(&digest, &settings.from) {
                Ok(message) => mailer.send(message).await.map_err(|e| (e, false)),
                Err(e) => Err((e.to_string(), true)),
            };
            match outcome {
                Ok(()) => {
                    let ids: Vec<i64> = group.iter().map(|(row, _)| row.id).collect();
                    notifications::Entity::update_many()
                        .col_expr(
                            notifications::Column::Status,
                            Expr::value(NotificationStatus::Sent.as_str()),
                        )
                        .col_expr(notifications::Column::SentAt, Expr::value(Some(now)))
                        .col_expr(
                            notifications::Column::Attempts,
                            Expr::col(notifications::Column::Attempts).add(1),
                        )
                        .col_expr(notifications::Column::ClaimToken, Expr::value(Option::<String>::None))
                        .col_expr(notifications::Column::LastError, Expr::value(Option::<String>::None))
                        .filter(notifications::Column::Id.is_in(ids))
                        .filter(notifications::Column::ClaimToken.eq(&token))
                        .exec(self.db())
                        .await?;
                    report.emails_sent += 1;
                    report.items_sent += group.len();
                    tracing::info!(recipient = %email, items = group.len(), "reminder digest sent");
                }
                Err((error, permanent)) => {
                    tracing::warn!(recipient = %email, error = %error, "reminder digest not sent");
                    for (row, _) in &group {
                        if self.fail(row, &error, now, settings.max_attempts, permanent).await? {
                            report.failed += 1;
                        } else {
                            report.retrying += 1;
                        }
                    }
                }
            }
        }
        Ok(report)
    }

    /// Records a failed attempt; returns whether the row is now `failed` for good.
    async fn fail(
        &self,
        row: &notifications::Model,
        error: &str,
        now: DateTime<Utc>,
        max_attempts: i32,
        permanent: bool,
    ) -> Result<bool> {
        let attempts = row.attempts + 1;
        let give_up = permanent || attempts >= max_attempts;
        notifications::Entity::update_many()
            .col_expr(
                notifications::Column::Status,
                Expr::value(
                    if give_up {
                        NotificationStatus::Failed
                    } else {
                        NotificationStatus::Pending
                    }
                    .as_str(),
                ),
            )
            .col_expr(notifications::Column::Attempts, Expr::value(attempts))
            .col_expr(
                notifications::Column::LastError,
                Expr::value(Some(error.chars().take(1000).collect::<String>())),
            )
            .col_expr(
                notifications::Column::NextAttemptAt,
                Expr::value(now + backoff(attempts)),
            )
            .col_expr(notifications::Column::ClaimToken, Expr::value(Option::<String>::None))
            .filter(notifications::Column::Id.eq(row.id))
            .exec(self.db())
            .await?;
        Ok(give_up)
    }

    /// The outbox, newest first. Administrators only.
    pub async fn notifications(&self, actor: &Actor, filter: &NotificationFilter) -> Result<Vec<Notification>> {
        let rows = self
            .notification_select(actor, filter)?
            .order_by_desc(notifications::Column::Id)
            .limit(std::cmp::min(
                filter.limit.unwrap_or(MAX_NOTIFICATION_PAGE),
                MAX_NOTIFICATION_PAGE,
            ))
            .all(self.db())
            .await?;
        rows.into_iter().map(notification).collect()
    }

    /// A page of the outbox, newest first (at most [`MAX_NOTIFICATION_PAGE`]), forward or
    /// backward ([`crate::service::page`]); `filter.limit` is not used. Administrators only.
    pub async fn notification_page(
        &self,
        actor: &Actor,
        filter: &NotificationFilter,
        request: &PageRequest,
    ) -> Result<Page<Notification>> {
        let order = ListOrder {
            columns: vec![notifications::Column::Id],
            descending: true,
        };
        let select = self.notification_select(actor, filter)?;
        page::fetch(self.db(), select, &order, request, MAX_NOTIFICATION_PAGE, |r| {
            Cursor(vec![Key::Int(r.id)])
        })
        .await?
        .try_map(notification)
    }

    fn notification_select(&self, actor: &Actor, filter: &NotificationFilter) -> Result<Select<notifications::Entity>> {
        actor
            .scope()
            .require(crate::access::Operation::ReadOutbox, crate::access::Target::Everything)?;
        let mut query = notifications::Entity::find();
        if let Some(status) = filter.status {
            query = query.filter(notifications::Column::Status.eq(status.as_str()));
        }
        if let Some(project) = filter.project_id {
            query = query.filter(notifications::Column::ProjectId.eq(project));
        }
        Ok(query)
    }
}

/// The largest page of the outbox.
pub const MAX_NOTIFICATION_PAGE: u64 = 500;

fn notification(r: notifications::Model) -> Result<Notification> {
    Ok(Notification {
        item: serde_json::from_str(&r.payload).ok(),
        id: r.id,
        dedupe_key: r.dedupe_key,
        kind: parse_kind(&r.kind)?,
        recipient_email: r.recipient_email,
        project_id: r.project_id,
        status: NotificationStatus::parse(&r.status)?,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        created_at: r.created_at,
        sent_at: r.sent_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::minutes(16));
        assert_eq!(backoff(30), Duration::hours(6));
    }
}
