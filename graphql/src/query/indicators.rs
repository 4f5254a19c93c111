use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::service::ReportFilter;

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::ReportFilterInput;
use crate::types::connection::{IndicatorReportConnection, REPORTS};
use crate::types::dashboard::Dashboard;
use crate::types::indicators::IndicatorReport;
use crate::types::parse_id;

#[derive(Default)]
pub struct IndicatorQuery;

#[Object]
impl IndicatorQuery {
    /// Отчёты по показателям, которые вам видны (руководитель видит отчёты своей организации).
    async fn indicator_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Условия отбора; без них — все видимые вам отчёты.")] filter: Option<ReportFilterInput>,
        #[graphql(
            desc = "Сколько отчётов вернуть с начала списка (после `after`), от 1 до 500; без `first` и `last` — 100."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Курсор, после которого начать: `pageInfo.endCursor` предыдущей страницы; без него — с начала списка."
        )]
        after: Option<String>,
        #[graphql(desc = "Сколько отчётов вернуть с конца списка (перед `before`), от 1 до 500.")] last: Option<i32>,
        #[graphql(
            desc = "Курсор, перед которым закончить: `pageInfo.startCursor` следующей страницы; без него — до конца списка."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<IndicatorReportConnection> {
        let actor = actor(ctx)?;
        let request = REPORTS.request(first, after.as_deref(), last, before.as_deref())?;
        let filter = filter.unwrap_or_default();
        let engine_filter = ReportFilter {
            project_id: filter
                .project_id
                .as_ref()
                .map(|id| parse_id(id, "filter.projectId"))
                .transpose()?,
            district_id: filter
                .district_id
                .as_ref()
                .map(|id| parse_id(id, "filter.districtId"))
                .transpose()?,
            organization_id: filter
                .organization_id
                .as_ref()
                .map(|id| parse_id(id, "filter.organizationId"))
                .transpose()?,
            indicator: filter.indicator,
            period: filter.period,
        };
        let page = ctx
            .data_unchecked::<Engine>()
            .indicator_report_page(actor, &engine_filter, &request)
            .await
            .gql()?;
        Ok(REPORTS.parts(page, IndicatorReport).into())
    }

    /// Сводка района (без `districtId` — вашего района, а администратору и наблюдателю
    /// региона — всех районов).
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район; без него — ваш район, а администратору и наблюдателю региона — все районы.")]
        district_id: Option<ID>,
    ) -> async_graphql::Result<Dashboard> {
        let actor = actor(ctx)?;
        let district_id = district_id.as_ref().map(|id| parse_id(id, "districtId")).transpose()?;
        Ok(Dashboard(
            ctx.data_unchecked::<Engine>()
                .dashboard(actor, district_id)
                .await
                .gql()?,
        ))
    }
}
