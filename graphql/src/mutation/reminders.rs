use async_graphql::{Context, Object, SimpleObject};
use engine::Engine;
use engine::reminders::ReminderMode;

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
        #[graphql(
            default,
            desc = "`true` — только показать, что было бы отправлено: ничего не отправляется и не записывается."
        )]
        dry_run: bool,
    ) -> async_graphql::Result<ReminderRun> {
        let actor = actor(ctx)?;
        let engine = ctx.data_unchecked::<Engine>();
        let runtime = ctx.data_opt::<ReminderRuntime>();
        let mode = match (dry_run, runtime) {
            (true, _) => ReminderMode::DryRun,
            (false, Some(runtime)) => ReminderMode::Send {
                mailer: &runtime.mailer,
                settings: &runtime.settings,
            },
            (false, None) => {
                return Err(engine::Error::Internal(
                    "reminders are not configured on this server".into(),
                ))
                .gql();
            }
        };
        let run = engine.run_reminders(actor, engine.now(), mode).await.gql()?;
        let report = run.delivery;
        Ok(ReminderRun {
            planned: run.planned as u64,
            queued: run.queued as u64,
            would_send: run.would_send.into_iter().map(Reminder).collect(),
            emails_sent: report.emails_sent as u64,
            items_sent: report.items_sent as u64,
            retrying: report.retrying as u64,
            failed: report.failed as u64,
        })
    }
}
