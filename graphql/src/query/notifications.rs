use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::reminders::NotificationFilter;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::connection::{NOTIFICATIONS, NotificationConnection};
use crate::types::enums::NotificationStatus;
use crate::types::notification::Notification;
use crate::types::parse_id;

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// Очередь писем-напоминаний, новые первыми (администратор): статус, попытки, последняя ошибка.
    // A resolver's parameters are the field's GraphQL arguments, one each.
    #[allow(clippy::too_many_arguments)]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Только письма в этом состоянии.")] status: Option<NotificationStatus>,
        #[graphql(desc = "Только письма об этом проекте.")] project_id: Option<ID>,
        #[graphql(
            desc = "Сколько писем вернуть с начала списка (после `after`), от 1 до 500; без `first` и `last` — 100."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Курсор, после которого начать: `pageInfo.endCursor` предыдущей страницы; без него — с начала списка."
        )]
        after: Option<String>,
        #[graphql(desc = "Сколько писем вернуть с конца списка (перед `before`), от 1 до 500.")] last: Option<i32>,
        #[graphql(
            desc = "Курсор, перед которым закончить: `pageInfo.startCursor` следующей страницы; без него — до конца списка."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<NotificationConnection> {
        let actor = actor(ctx)?;
        let request = NOTIFICATIONS.request(first, after.as_deref(), last, before.as_deref())?;
        let filter = NotificationFilter {
            status: status.map(Into::into),
            project_id: project_id.as_ref().map(|id| parse_id(id, "projectId")).transpose()?,
            limit: None,
        };
        let page = ctx
            .data_unchecked::<Engine>()
            .notification_page(actor, &filter, &request)
            .await
            .gql()?;
        Ok(NOTIFICATIONS.parts(page, Notification).into())
    }
}
