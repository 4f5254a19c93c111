use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::service::{CalendarScope, NewCalendarDay};

use crate::context::actor;
use crate::error::{GqlResult, invalid};
use crate::inputs::AddCalendarDayInput;
use crate::types::calendar::{CalendarEntry, CalendarScopeKind};
use crate::types::directory::District;
use crate::types::parse_id;

#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Внести нерабочий или рабочий день со ссылкой на акт (номер и дата). Открытые сроки
    /// проектов, которых он касается, пересчитываются, и это записывается в их историю.
    async fn add_calendar_day(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Где действует день, дата, рабочий он или нет, и акт, которым он установлен.")]
        input: AddCalendarDayInput,
    ) -> async_graphql::Result<CalendarEntry> {
        let actor = actor(ctx)?;
        let scope = match input.scope {
            CalendarScopeKind::Country => CalendarScope::Country,
            CalendarScopeKind::Region => CalendarScope::Region(
                input
                    .region_code
                    .filter(|c| !c.trim().is_empty())
                    .ok_or_else(|| invalid("regionCode", "Выберите регион, для которого вносится день."))?,
            ),
            CalendarScopeKind::District => CalendarScope::District(parse_id(
                input
                    .district_id
                    .as_ref()
                    .ok_or_else(|| invalid("districtId", "Выберите район, для которого вносится день."))?,
                "districtId",
            )?),
        };
        let day = NewCalendarDay {
            scope,
            date: input.date.into(),
            working: input.working,
            title: input.title,
            act_number: input.act_number,
            act_date: input.act_date.into(),
            act_title: input.act_title,
        };
        Ok(CalendarEntry(
            ctx.data_unchecked::<Engine>()
                .add_calendar_day(actor, day)
                .await
                .gql()?,
        ))
    }

    /// Удалить внесённый день (запись остаётся в базе с отметкой об удалении); сроки
    /// пересчитываются.
    async fn remove_calendar_day(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Запись календаря.")] id: ID,
    ) -> async_graphql::Result<CalendarEntry> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(CalendarEntry(
            ctx.data_unchecked::<Engine>()
                .remove_calendar_day(actor, id)
                .await
                .gql()?,
        ))
    }

    /// Указать регион района (администратор): его нерабочие дни начинают учитываться в сроках,
    /// открытые сроки пересчитываются. Пустой код снимает регион.
    async fn set_district_region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район.")] district_id: ID,
        #[graphql(desc = "Код региона, например «16»; пусто — снять.")] region_code: Option<String>,
    ) -> async_graphql::Result<District> {
        let actor = actor(ctx)?;
        let district_id = parse_id(&district_id, "districtId")?;
        Ok(District(
            ctx.data_unchecked::<Engine>()
                .set_district_region(actor, district_id, region_code)
                .await
                .gql()?,
        ))
    }
}
