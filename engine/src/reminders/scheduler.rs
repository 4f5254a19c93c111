//! When reminders run: a cron expression in a time zone, and the loop `serve` runs beside
//! the API.
//!
//! The expression uses the `cron` crate's syntax — seconds, minutes, hours, day of month,
//! month, day of week, optional year — where **weekdays are numbered 1 = Sunday**, unlike
//! classic cron's 0/1 = Sunday/Monday. A numeric weekday is the classic trap (`1-5` would mean
//! Sunday–Thursday), so it is refused: write weekdays by name (`Mon-Fri`). The default is
//! every working morning: `0 0 9 * * Mon-Fri` in `Europe/Moscow`.
//!
//! The loop ticks once at start (catching up with whatever was due while the server was
//! down — planning only ever produces what is due *now*), then at every cron instant; between
//! instants it retries pending deliveries once a minute, so a mail server that comes back is
//! used without waiting for the next morning.

use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::outbox::DeliverySettings;
use crate::mail::transport::Mailer;
use crate::service::Engine;

/// The default: every working morning at 09:00.
pub const DEFAULT_CRON: &str = "0 0 9 * * Mon-Fri";

/// A parsed, checked schedule.
#[derive(Debug, Clone)]
pub struct ReminderSchedule {
    schedule: cron::Schedule,
    time_zone: Tz,
    expression: String,
}

impl ReminderSchedule {
    /// Parses `expression` in `time_zone`; the error says what is wrong and how to write it.
    pub fn parse(expression: &str, time_zone: &str) -> Result<Self, String> {
        let time_zone = Tz::from_str(time_zone.trim()).map_err(|_| {
            format!("unknown time zone «{time_zone}»: use an IANA name such as Europe/Moscow or Asia/Yekaterinburg")
        })?;
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if !(6..=7).contains(&fields.len()) {
            return Err(format!(
                "cron expression «{expression}» has {} fields; the cron crate wants 6 or 7: seconds minutes hours day-of-month month day-of-week [year], e.g. «{DEFAULT_CRON}»",
                fields.len()
            ));
        }
        if fields[5].chars().any(|c| c.is_ascii_digit()) {
            return Err(format!(
                "cron expression «{expression}»: write weekdays by name (Mon-Fri, Sat, Sun), not «{}» — the cron crate numbers weekdays 1 = Sunday, unlike classic cron, so numbers are ambiguous",
                fields[5]
            ));
        }
        let schedule = cron::Schedule::from_str(expression)
            .map_err(|e| format!("cron expression «{expression}» is invalid: {e}"))?;
        if schedule.upcoming(time_zone).next().is_none() {
            return Err(format!("cron expression «{expression}» never fires"));
        }
        Ok(ReminderSchedule {
            schedule,
            time_zone,
            expression: expression.to_string(),
        })
    }

    /// The first instant strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule
            .after(&after.with_timezone(&self.time_zone))
            .next()
            .map(|t| t.with_timezone(&Utc))
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }
}

/// One tick: plan, enqueue, deliver. Errors are logged; the loop goes on.
pub async fn tick(engine: &Engine, mailer: &Mailer, settings: &DeliverySettings, now: DateTime<Utc>) {
    match engine
        .run_reminders(
            &crate::Actor::SYSTEM,
            now,
            super::ReminderMode::Send { mailer, settings },
        )
        .await
    {
        Ok(run) => {
            tracing::info!(planned = run.planned, queued = run.queued, delivery = ?run.delivery, "reminder tick")
        }
        Err(e) => tracing::error!(error = %e, "reminder tick failed"),
    }
}

/// Delivery retries between ticks.
async fn deliver(engine: &Engine, mailer: &Mailer, settings: &DeliverySettings, now: DateTime<Utc>) {
    match engine.deliver_pending(now, mailer, settings).await {
        Ok(report) if report != Default::default() => tracing::info!(?report, "reminders delivered"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "reminder delivery failed"),
    }
}

/// Runs until `shutdown` resolves: a tick at start and at every cron instant, delivery
/// retries in between.
pub async fn run(
    engine: Engine,
    schedule: ReminderSchedule,
    mailer: Mailer,
    settings: DeliverySettings,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    tracing::info!(cron = schedule.expression(), time_zone = %schedule.time_zone(), "reminder scheduler started");
    tick(&engine, &mailer, &settings, engine.now()).await;
    let mut next = schedule.next_after(engine.now());
    loop {
        let now = engine.now();
        let until_tick = next.map(|t| (t - now).to_std().unwrap_or_default());
        let wait = until_tick.map_or(StdDuration::from_secs(60), |d| d.min(StdDuration::from_secs(60)));
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(wait) => {}
        }
        let now = engine.now();
        if next.is_some_and(|t| t <= now) {
            tick(&engine, &mailer, &settings, now).await;
            next = schedule.next_after(now);
        } else {
            deliver(&engine, &mailer, &settings, now).await;
        }
    }
    tracing::info!("reminder scheduler stopped");
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_default_fires_on_working_mornings_in_its_time_zone() {
        let s = ReminderSchedule::parse(DEFAULT_CRON, "Asia/Yekaterinburg").unwrap();
        // Friday 7 March 2025, 10:00 in Yekaterinburg → Monday 10 March 09:00 (04:00 UTC).
        let after = Utc.with_ymd_and_hms(2025, 3, 7, 5, 0, 0).unwrap();
        assert_eq!(
            s.next_after(after),
            Some(Utc.with_ymd_and_hms(2025, 3, 10, 4, 0, 0).unwrap())
        );
    }

    #[test]
    fn numeric_weekdays_bad_expressions_and_zones_are_refused_with_a_reason() {
        let numeric = ReminderSchedule::parse("0 0 9 * * 1-5", "Europe/Moscow").unwrap_err();
        assert!(
            numeric.contains("1 = Sunday") && numeric.contains("Mon-Fri"),
            "{numeric}"
        );
        assert!(
            ReminderSchedule::parse("0 9 * * 1-5", "Europe/Moscow")
                .unwrap_err()
                .contains("6 or 7")
        );
        assert!(
            ReminderSchedule::parse("0 0 25 * * Mon", "Europe/Moscow")
                .unwrap_err()
                .contains("invalid")
        );
        assert!(
            ReminderSchedule::parse(DEFAULT_CRON, "Moscow")
                .unwrap_err()
                .contains("time zone")
        );
    }
}
