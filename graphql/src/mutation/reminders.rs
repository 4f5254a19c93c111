use async_graphql::{Context, Object, SimpleObject};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::schema::ReminderRuntime;
use crate::types::notification::Reminder;

#[derive(Default)]
pub struct ReminderMutation;

/// Что сделал запуск напоминаний.
#[derive(SimpleObject)]
pub struct ReminderRun {
    /// Напоминаний к отправке сейчас.
    pub planned: u64,
    /// Из них новых в очереди (остальные уже были).
    pub queued: u64,
    /// Отправлено писем.
    pub emails_sent: u64,
    /// Отправлено напоминаний (в письмах).
    pub items_sent: u64,
    /// Будут отправлены повторно после ошибки.
    pub retrying: u64,
    /// Не отправлены окончательно.
    pub failed: u64,
    /// При `dryRun` — что было бы отправлено.
    pub would_send: Vec<Reminder>,
}

#[Object]
impl ReminderMutation {
    /// Запустить напоминания сейчас (администратор). `dryRun: true` — только показать, что
    /// было бы отправлено, ничего не записывая.
    async fn run_reminders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] dry_run: bool,
    ) -> async_graphql::Result<ReminderRun> {
        let actor = actor(ctx)?;
        actor
            .scope()
            .require(
                engine::access::Operation::RunReminders,
                engine::access::Target::Everything,
            )
            .gql()?;
        let engine = ctx.data_unchecked::<Engine>();
        let now = engine.now();
        if dry_run {
            let items = engine.plan_reminders(now).await.gql()?;
            return Ok(ReminderRun {
                planned: items.len() as u64,
                queued: 0,
                emails_sent: 0,
                items_sent: 0,
                retrying: 0,
                failed: 0,
                would_send: items.into_iter().map(Reminder).collect(),
            });
        }
        let Some(runtime) = ctx.data_opt::<ReminderRuntime>() else {
            return Err(engine::Error::Internal(
                "reminders are not configured on this server".into(),
            ))
            .gql();
        };
        let (planned, queued) = engine.plan_and_enqueue(now).await.gql()?;
        let report = engine
            .deliver_pending(now, &runtime.mailer, &runtime.settings)
            .await
            .gql()?;
        Ok(ReminderRun {
            planned: planned as u64,
            queued: queued as u64,
            emails_sent: report.emails_sent as u64,
            items_sent: report.items_sent as u64,
            retrying: report.retrying as u64,
            failed: report.failed as u64,
            would_send: Vec::new(),
        })
    }
}
