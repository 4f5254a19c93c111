//! Subscriptions: `projectEvents(districtId)` streams history entries of the projects the
//! subscriber may read as they are written.
//!
//! The stream waits for this process's change signal or a one-second tick, whichever comes
//! first, then reads the entries newer than the last one it sent from the database. So a
//! change made here arrives at once, a change made by another replica within a second, and
//! nothing is kept in memory that another replica would need.
//!
//! A subscription lives only as long as its session: when the subscriber logs out here, the
//! stream checks the session at once and ends with `UNAUTHENTICATED`; a session ended on
//! another replica (or expired) is noticed within [`SESSION_CHECK`].

use std::time::Duration;

use async_graphql::{Context, ID, Subscription};
use engine::{Actor, Engine};
use futures_util::Stream;

use crate::context::actor;
use crate::error::{GqlResult, to_graphql};
use crate::types::history::HistoryEntry;
use crate::types::parse_id;
use crate::types::project::Project;

/// How often an open subscription checks that its session is still current, besides at once
/// after a logout in this process.
pub const SESSION_CHECK: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Subscription;

/// Something happened to a project.
pub struct ProjectEvent {
    entry: HistoryEntry,
    project: engine::model::Project,
}

/// Изменение проекта: проект после изменения и запись истории о нём.
#[async_graphql::Object]
impl ProjectEvent {
    /// Проект после изменения.
    async fn project(&self) -> Project {
        Project::new(self.project.clone())
    }
    /// Запись истории об изменении.
    async fn entry(&self) -> &HistoryEntry {
        &self.entry
    }
}

async fn next_batch(
    engine: &Engine,
    actor: &Actor,
    district: Option<i64>,
    after: &mut i64,
) -> engine::Result<Vec<ProjectEvent>> {
    let events = engine.project_events_after(actor, district, *after).await?;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        *after = event.id;
        // The project as it is now; skip it if it became unreadable meanwhile.
        let Ok(details) = engine.project(actor, event.project_id).await else {
            continue;
        };
        out.push(ProjectEvent {
            entry: HistoryEntry {
                event,
                definition: details.definition.clone(),
            },
            project: details.project,
        });
    }
    Ok(out)
}

/// Подписки на события.
#[Subscription]
impl Subscription {
    /// События проектов района (или всех видимых вам проектов, если район не указан).
    /// `after` — id последней полученной записи истории: поток продолжится с неё (после
    /// переподключения ничего не теряется); без него — с текущего момента.
    async fn project_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район; без него — все видимые вам проекты.")] district_id: Option<ID>,
        #[graphql(
            desc = "`id` последней полученной записи истории: поток продолжится после неё; без него — с текущего момента."
        )]
        after: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ProjectEvent>>> {
        let actor = actor(ctx)?.clone();
        let token = ctx.data_opt::<crate::context::Auth>().and_then(|a| a.token.clone());
        let engine = ctx.data_unchecked::<Engine>().clone();
        let district = district_id.as_ref().map(|id| parse_id(id, "districtId")).transpose()?;
        if let Some(d) = district {
            engine.district(&actor, d).await.gql()?;
        }
        let start = match &after {
            Some(id) => parse_id(id, "after")?,
            None => engine.latest_event_id().await.gql()?,
        };
        let mut changes = engine.watch_changes();
        let mut ended = engine.watch_sessions_ended();
        Ok(async_stream_like(move |tx| async move {
            let mut after = start;
            let mut checked = tokio::time::Instant::now();
            loop {
                match next_batch(&engine, &actor, district, &mut after).await {
                    Ok(batch) => {
                        for event in batch {
                            if tx.send(Ok(event)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(to_graphql(e))).await;
                        return;
                    }
                }
                let mut check = checked.elapsed() >= SESSION_CHECK;
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    logout = ended.changed() => if logout.is_err() { return } else { check = true },
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = tx.closed() => return,
                }
                if let (true, Some(token)) = (check, token.as_deref()) {
                    checked = tokio::time::Instant::now();
                    match engine.authenticate(token).await {
                        Ok(_) => {}
                        Err(e @ engine::Error::Unauthenticated(_)) => {
                            let _ = tx.send(Err(to_graphql(e))).await;
                            return;
                        }
                        // The database did not answer: keep the stream, check again later.
                        Err(e) => tracing::warn!(error = %e, "subscription session check failed"),
                    }
                }
            }
        }))
    }
}

/// A stream fed by a task through a small channel; the task stops when the stream is dropped.
fn async_stream_like<T, F, Fut>(producer: F) -> impl Stream<Item = T>
where
    T: Send + 'static,
    F: FnOnce(tokio::sync::mpsc::Sender<T>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(producer(tx));
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
