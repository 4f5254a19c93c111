//! Regions, a district's calendar, and the plan of a launch before it is confirmed.

use std::sync::Arc;

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::NaiveDate;
use engine::calendar::Region as RegionData;
use engine::definition::Definition;
use engine::service::{
    CalendarEntry as EntryData, CalendarScope, DistrictCalendar as CalendarData, LaunchPreview as PreviewData,
};

use super::directory::District;
use super::scalars::Date;
use super::to_id;

/// A subject of the Federation, with the days off its law adds.
pub struct Region(pub &'static RegionData);

/// Субъект Российской Федерации (регион) и его собственные нерабочие дни.
#[Object]
impl Region {
    /// Код субъекта (например, «16» — Республика Татарстан, «74» — Челябинская область).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Название субъекта.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Часовой пояс столицы региона (IANA): предлагается для новых районов.
    async fn time_zone(&self) -> &str {
        self.0.time_zone.name()
    }
    /// Закон, которым установлены региональные нерабочие праздничные дни; нет — своих дней нет.
    async fn law(&self) -> Option<&str> {
        self.0.law.as_deref()
    }
    /// Переносится ли региональный праздник, выпавший на выходной, на следующий рабочий день.
    async fn weekend_transfer(&self) -> bool {
        self.0.weekend_transfer
    }
    /// Праздники, даты которых объявляются ежегодно (Ураза-байрам, Курбан-байрам, Сагаалган, …).
    async fn movable_holidays(&self) -> &[String] {
        &self.0.movable
    }
    /// Последний год, за который известны все даты ежегодно объявляемых праздников.
    async fn known_through(&self) -> Option<i32> {
        self.0.known_through
    }
}

/// Откуда известен нерабочий (или рабочий) день.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "engine::calendar::DayOrigin")]
pub enum CalendarDayOrigin {
    /// Федеральный производственный календарь (постановление Правительства РФ или расчёт по ст. 112 ТК РФ).
    Federal,
    /// Закон или ежегодный акт региона.
    Region,
    /// Внесено администратором для всей страны со ссылкой на акт.
    CountryOverride,
    /// Внесено для региона со ссылкой на акт.
    RegionOverride,
    /// Внесено для района со ссылкой на акт.
    DistrictOverride,
}

/// День, который отличается от обычного будня или выходного: праздник, перенос, региональный или внесённый день.
#[derive(SimpleObject)]
pub struct CalendarDay {
    /// Дата.
    pub date: Date,
    /// Рабочий ли это день (суббота, ставшая рабочей) или нерабочий.
    pub working: bool,
    /// Что это за день.
    pub title: String,
    /// Откуда это известно: постановление, закон, акт.
    pub source: Option<String>,
    /// Чей это день: федеральный, региональный или внесённый людьми.
    pub origin: CalendarDayOrigin,
}

/// Где действует внесённый день.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CalendarScopeKind {
    /// Вся страна.
    Country,
    /// Регион.
    Region,
    /// Район.
    District,
}

/// A day entered by a person, citing its act.
pub struct CalendarEntry(pub EntryData);

/// День, внесённый в календарь со ссылкой на акт.
#[Object]
impl CalendarEntry {
    /// Идентификатор записи.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Для кого действует: страна, регион или район.
    async fn scope(&self) -> CalendarScopeKind {
        match self.0.scope {
            CalendarScope::Country => CalendarScopeKind::Country,
            CalendarScope::Region(_) => CalendarScopeKind::Region,
            CalendarScope::District(_) => CalendarScopeKind::District,
        }
    }
    /// Код региона (для записи региона).
    async fn region_code(&self) -> Option<&str> {
        match &self.0.scope {
            CalendarScope::Region(code) => Some(code),
            _ => None,
        }
    }
    /// Район (для записи района).
    async fn district_id(&self) -> Option<ID> {
        match self.0.scope {
            CalendarScope::District(id) => Some(to_id(id)),
            _ => None,
        }
    }
    /// Дата.
    async fn date(&self) -> Date {
        self.0.date.into()
    }
    /// Рабочий день (`true`) или нерабочий (`false`).
    async fn working(&self) -> bool {
        self.0.working
    }
    /// Что это за день.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Номер акта.
    async fn act_number(&self) -> &str {
        &self.0.act_number
    }
    /// Дата акта.
    async fn act_date(&self) -> Date {
        self.0.act_date.into()
    }
    /// Вид и название акта.
    async fn act_title(&self) -> &str {
        &self.0.act_title
    }
    /// Ссылка на акт одной строкой: «Постановление № 12 от 01.02.2028».
    async fn citation(&self) -> String {
        self.0.citation()
    }
}

/// A district's calendar for a year.
pub struct DistrictCalendar(pub CalendarData);

/// Производственный календарь района на год: федеральные и региональные дни, внесённые записи.
#[Object]
impl DistrictCalendar {
    /// Район.
    async fn district(&self) -> District {
        District(self.0.district.clone())
    }
    /// Регион района; нет — регион не указан, действует федеральный календарь.
    async fn region(&self) -> Option<Region> {
        self.0.region.map(Region)
    }
    /// Год.
    async fn year(&self) -> i32 {
        self.0.year.year
    }
    /// Календарь года предварительный: постановление о переносах или даты региональных праздников ещё не известны.
    async fn provisional(&self) -> bool {
        self.0.year.provisional
    }
    /// Почему календарь года предварительный.
    async fn provisional_reasons(&self) -> &[String] {
        &self.0.year.provisional_reasons
    }
    /// Постановление Правительства РФ о переносе выходных дней этого года, если оно учтено.
    async fn federal_source(&self) -> Option<&str> {
        self.0.year.federal_source.as_deref()
    }
    /// Число рабочих дней в году (пятидневная неделя).
    async fn working_days(&self) -> u32 {
        self.0.year.working_days
    }
    /// Дни, отличные от обычных будней и выходных: праздники, переносы, региональные и внесённые дни.
    async fn days(&self) -> Vec<CalendarDay> {
        self.0
            .year
            .days
            .iter()
            .map(|d| CalendarDay {
                date: d.date.into(),
                working: d.working,
                title: d.title.clone(),
                source: d.source.clone(),
                origin: d.origin.into(),
            })
            .collect()
    }
    /// Записи, внесённые людьми и действующие в районе в этом году (страна, регион, район).
    async fn entries(&self) -> Vec<CalendarEntry> {
        self.0.entries.iter().cloned().map(CalendarEntry).collect()
    }
}

/// One stage of a planned launch.
pub struct PlannedStage {
    definition: Arc<Definition>,
    plan: engine::planning::PlannedDue,
    responsible: Option<engine::model::User>,
}

/// Этап в плане запускаемого проекта.
#[Object]
impl PlannedStage {
    /// Ключ этапа.
    async fn key(&self) -> &str {
        &self.plan.stage_key
    }
    /// Название этапа.
    async fn title(&self) -> String {
        self.definition
            .stage(&self.plan.stage_key)
            .map_or_else(|| self.plan.stage_key.clone(), |s| s.title.clone())
    }
    /// Кто будет ответственным за этап (`stageResponsibles`); нет — этап ведут все, кому он
    /// поручен по роли.
    async fn responsible(&self) -> Option<super::directory::Person> {
        self.responsible.as_ref().map(super::directory::Person::of)
    }
    /// Срок этапа; нет — у этапа нет срока.
    async fn due(&self) -> Option<Date> {
        self.plan.due.map(Date::from)
    }
    /// Срок назначен при запуске (вами), а не рассчитан.
    async fn fixed(&self) -> bool {
        self.plan.fixed
    }
    /// Срок рассчитан по предварительному календарю и может сдвинуться, когда календарь станет официальным.
    async fn provisional(&self) -> bool {
        self.plan.provisional
    }
    /// Как считается срок, словами.
    async fn due_rule(&self) -> Option<String> {
        self.definition
            .stage(&self.plan.stage_key)
            .and_then(|s| s.due.as_ref())
            .map(|rule| rule.describe(&self.definition))
    }
}

/// The plan of a launch, not saved.
pub struct LaunchPreview(pub PreviewData);

/// План проекта до запуска: ничего не сохранено.
#[Object]
impl LaunchPreview {
    /// Название, которое получит проект.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Дата начала.
    async fn start_date(&self) -> Date {
        self.0.start.into()
    }
    /// Кто будет ответственным за проект.
    async fn responsible(&self) -> Option<super::directory::Person> {
        self.0.responsible.as_ref().map(super::directory::Person::of)
    }
    /// Сроки всех этапов.
    async fn stages(&self) -> Vec<PlannedStage> {
        self.0
            .plan
            .stages
            .iter()
            .map(|plan| PlannedStage {
                definition: self.0.definition.clone(),
                responsible: self
                    .0
                    .definition
                    .stage_index(&plan.stage_key)
                    .and_then(|i| self.0.stage_responsibles.get(i).cloned().flatten()),
                plan: plan.clone(),
            })
            .collect()
    }
    /// Что стоит знать до запуска: перенос на следующий цикл, просрочка уже при запуске, предварительный календарь.
    async fn warnings(&self) -> &[String] {
        &self.0.plan.warnings
    }
    /// Есть ли сроки, рассчитанные по предварительному календарю.
    async fn provisional(&self) -> bool {
        self.0.plan.stages.iter().any(|s| s.provisional)
    }
}

/// Whether the days between `a` and `b` are counted over a provisional calendar in a region.
pub(crate) fn provisional_between(region_code: Option<&str>, a: NaiveDate, b: NaiveDate) -> bool {
    engine::calendar::Calendar::new(region_code.and_then(RegionData::by_code), []).is_provisional_between(a, b)
}
