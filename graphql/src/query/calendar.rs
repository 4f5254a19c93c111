use async_graphql::{Context, ID, Object};
use engine::Engine;
use engine::calendar::Region as RegionData;

use crate::context::actor;
use crate::error::GqlResult;
use crate::inputs::LaunchProjectInput;
use crate::types::calendar::{DistrictCalendar, LaunchPreview, Region};
use crate::types::parse_id;

#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// Субъекты Российской Федерации по коду, с их нерабочими днями.
    async fn regions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        actor(ctx)?;
        Ok(RegionData::all().iter().map(Region).collect())
    }

    /// Производственный календарь района на год: федеральные праздники и переносы, дни региона,
    /// внесённые записи; отмечено, если календарь года предварительный.
    async fn district_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район.")] district_id: ID,
        #[graphql(desc = "Год, например 2027.")] year: i32,
    ) -> async_graphql::Result<DistrictCalendar> {
        let actor = actor(ctx)?;
        let district_id = parse_id(&district_id, "districtId")?;
        Ok(DistrictCalendar(
            ctx.data_unchecked::<Engine>()
                .district_calendar(actor, district_id, year)
                .await
                .gql()?,
        ))
    }

    /// Кого можно назначить ответственным при запуске в районе: за проект — его координаторов;
    /// за этап процесса (`workflow` и `stage`) — тех, кому этап поручен: координаторов района
    /// или руководителей выбранных организаций.
    async fn launch_responsible_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Район, где запускается проект.")] district_id: ID,
        #[graphql(desc = "Ключ процесса — вместе с `stage`.")] workflow: Option<String>,
        #[graphql(desc = "Ключ этапа; без него — кандидаты в ответственные за проект.")] stage: Option<String>,
        #[graphql(desc = "Выбранные организации-участники.", default)] participant_ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<crate::types::directory::Person>> {
        let actor = actor(ctx)?;
        let district_id = parse_id(&district_id, "districtId")?;
        let participants = participant_ids
            .iter()
            .map(|id| parse_id(id, "participantIds"))
            .collect::<async_graphql::Result<Vec<i64>>>()?;
        let engine = ctx.data_unchecked::<Engine>();
        let people = match (workflow, stage) {
            (Some(workflow), Some(stage)) => engine
                .launch_stage_candidates(actor, district_id, &participants, &workflow, &stage)
                .await
                .gql()?,
            (None, Some(_)) => {
                return Err(crate::error::invalid(
                    "workflow",
                    "Укажите процесс, к которому относится этап.".to_string(),
                ));
            }
            _ => engine
                .launch_responsible_candidates(actor, district_id, &participants)
                .await
                .gql()?,
        };
        Ok(people.iter().map(crate::types::directory::Person::of).collect())
    }

    /// План проекта до запуска — сроки всех этапов, отметки предварительного календаря,
    /// предупреждения — без сохранения. Те же проверки и ошибки, что у `launchProject`.
    async fn launch_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "То же, что для запуска.")] input: LaunchProjectInput,
    ) -> async_graphql::Result<LaunchPreview> {
        let actor = actor(ctx)?;
        let launch = input.into_engine()?;
        Ok(LaunchPreview(
            ctx.data_unchecked::<Engine>()
                .preview_launch(actor, launch)
                .await
                .gql()?,
        ))
    }
}
