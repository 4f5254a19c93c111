use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::reminders::NotificationFilter;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::enums::NotificationStatus;
use crate::types::notification::Notification;
use crate::types::parse_id;

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// Очередь писем-напоминаний, новые первыми (администратор): статус, попытки, последняя ошибка.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Только письма в этом состоянии.")] status: Option<NotificationStatus>,
        #[graphql(desc = "Только письма об этом проекте.")] project_id: Option<ID>,
        #[graphql(desc = "Сколько писем вернуть, от 1 до 500.", default = 100)] first: i32,
    ) -> async_graphql::Result<Vec<Notification>> {
        let actor = actor(ctx)?;
        crate::limits::check_page(first, crate::limits::page_limit("Query.notifications"), "писем")?;
        let filter = NotificationFilter {
            status: status.map(Into::into),
            project_id: project_id.as_ref().map(|id| parse_id(id, "projectId")).transpose()?,
            limit: Some(first as u64),
        };
        let rows = ctx
            .data_unchecked::<Engine>()
            .notifications(actor, &filter)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }
}
