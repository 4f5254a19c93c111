use async_graphql::{Context, Object};
use engine::Engine;
use engine::service::NewReport;

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::ReportIndicatorInput;
use crate::types::indicators::IndicatorReport;
use crate::types::parse_id;

#[derive(Default)]
pub struct IndicatorMutation;

#[Object]
impl IndicatorMutation {
    /// Сдать значение показателя за период. Повторная сдача за тот же период — исправление:
    /// новое значение заменяет прежнее, прежнее остаётся в истории.
    async fn report_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Проект, организация, показатель, период и значение.")] input: ReportIndicatorInput,
    ) -> async_graphql::Result<IndicatorReport> {
        let actor = actor(ctx)?;
        let report = NewReport {
            project_id: parse_id(&input.project_id, "projectId")?,
            organization_id: parse_id(&input.organization_id, "organizationId")?,
            indicator: input.indicator,
            period: input.period,
            value: input.value,
            comment: input.comment,
        };
        Ok(IndicatorReport(
            ctx.data_unchecked::<Engine>()
                .report_indicator(actor, report)
                .await
                .gql()?,
        ))
    }
}
