//! Regions, a district's calendar and the days people enter citing an act. A change of the
//! calendar recomputes the open due dates it moves (`recompute.rs`).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use super::projects::ru_date;
use super::{Engine, required_text};
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::calendar::{Calendar, CalendarYear, DayOrigin, DayOverride, Region};
use crate::error::{Error, Field, Result};
use crate::model::District;
use crate::store::entity::{calendar_days, regions};

/// Where an entered day applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarScope {
    /// Every district (e.g. the government's decree for a year not yet in the data).
    Country,
    /// Every district of a region (by the region's official code).
    Region(String),
    /// One district.
    District(i64),
}

/// Input of [`Engine::add_calendar_day`].
#[derive(Debug, Clone)]
pub struct NewCalendarDay {
    pub scope: CalendarScope,
    pub date: NaiveDate,
    /// `true`: a working day (a Saturday made working); `false`: a day off.
    pub working: bool,
    /// What the day is, e.g. «День города», «Рабочий день (перенос)».
    pub title: String,
    /// The act's number and date, as people cite it.
    pub act_number: String,
    pub act_date: NaiveDate,
    /// The act's kind and title, e.g. «Постановление Правительства Республики Татарстан».
    pub act_title: Option<String>,
}

/// A day entered by a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub id: i64,
    pub scope: CalendarScope,
    pub date: NaiveDate,
    pub working: bool,
    pub title: String,
    pub act_number: String,
    pub act_date: NaiveDate,
    pub act_title: String,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl CalendarEntry {
    /// «Постановление № 12 от 01.02.2028», as the year view and history cite it.
    pub fn citation(&self) -> String {
        let kind = if self.act_title.trim().is_empty() {
            "Акт"
        } else {
            self.act_title.trim()
        };
        format!("{kind} № {} от {}", self.act_number, ru_date(self.act_date))
    }
}

/// A district's calendar for one year, with the entries people made for it.
#[derive(Debug, Clone)]
pub struct DistrictCalendar {
    pub district: District,
    pub region: Option<&'static Region>,
    pub year: CalendarYear,
    /// The entries that apply to the district in that year (country, region, district).
    pub entries: Vec<CalendarEntry>,
}

fn entry_from(row: calendar_days::Model) -> CalendarEntry {
    let scope = match (row.district_id, row.region_code) {
        (Some(d), _) => CalendarScope::District(d),
        (None, Some(r)) => CalendarScope::Region(r),
        (None, None) => CalendarScope::Country,
    };
    CalendarEntry {
        id: row.id,
        scope,
        date: row.date,
        working: row.working,
        title: row.title,
        act_number: row.act_number,
        act_date: row.act_date,
        act_title: row.act_title,
        created_by: row.created_by,
        created_at: row.created_at,
    }
}

fn to_override(entry: &CalendarEntry) -> DayOverride {
    DayOverride {
        date: entry.date,
        working: entry.working,
        title: entry.title.clone(),
        source: entry.citation(),
        origin: match &entry.scope {
            CalendarScope::Country => DayOrigin::CountryOverride,
            CalendarScope::Region(_) => DayOrigin::RegionOverride,
            CalendarScope::District(_) => DayOrigin::DistrictOverride,
        },
    }
}

/// The fingerprint of the embedded calendar data, and what it holds, for people.
pub(super) fn release() -> (String, String) {
    let federal = include_str!("../../data/production-calendar-ru.toml");
    let regional = include_str!("../../data/regions.toml");
    let mut hash = Sha256::new();
    hash.update(federal.as_bytes());
    hash.update([0]);
    hash.update(regional.as_bytes());
    let fingerprint: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let (first, last) = crate::calendar::ProductionCalendar::russia().official_years();
    (
        fingerprint,
        format!("производственный календарь {first}–{last} гг. по постановлениям Правительства РФ, праздники регионов"),
    )
}

impl Engine {
    /// Stores the regions of the embedded reference data that the database does not have yet
    /// (districts and entered days refer to them by code).
    pub async fn register_regions(&self) -> Result<()> {
        let known: HashSet<String> = regions::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.code)
            .collect();
        let missing: Vec<regions::ActiveModel> = Region::all()
            .iter()
            .filter(|r| !known.contains(&r.code))
            .map(|r| regions::ActiveModel {
                code: Set(r.code.clone()),
                name: Set(r.name.clone()),
                ..Default::default()
            })
            .collect();
        if !missing.is_empty() {
            // Two replicas starting at once: the unique code lets one win.
            match regions::Entity::insert_many(missing)
                .exec(&self.db)
                .await
                .map_err(Error::from)
            {
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The region of this official code, or a validation error for `field`.
    pub fn region_by_code(&self, code: &str, field: Field) -> Result<&'static Region> {
        Region::by_code(code.trim()).ok_or_else(|| {
            Error::validation(
                field,
                format!("Региона с кодом «{}» нет: выберите регион из списка.", code.trim()),
            )
        })
    }

    /// The region a district belongs to, if it is set.
    pub fn region_of(&self, district: &District) -> Option<&'static Region> {
        district.region_code.as_deref().and_then(Region::by_code)
    }

    /// The working days of a district: its region's and the entered days included.
    pub async fn calendar_of(&self, district: &District) -> Result<Calendar> {
        Ok(self
            .calendars_of(std::slice::from_ref(district))
            .await?
            .remove(&district.id)
            .unwrap_or_else(Calendar::federal))
    }

    /// The calendars of the districts of `ids` the caller may read, by district id.
    pub async fn calendars_by_district_ids(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<HashMap<i64, std::sync::Arc<Calendar>>> {
        let districts: Vec<District> = self.districts_by_id(actor, ids).await?.into_values().collect();
        Ok(self
            .calendars_of(&districts)
            .await?
            .into_iter()
            .map(|(id, c)| (id, std::sync::Arc::new(c)))
            .collect())
    }

    /// [`Engine::calendar_of`] for many districts, in two statements whatever their number.
    pub async fn calendars_of(&self, districts: &[District]) -> Result<HashMap<i64, Calendar>> {
        let entries = self.entries_for(districts).await?;
        Ok(districts
            .iter()
            .map(|d| {
                let overrides = entries
                    .iter()
                    .filter(|e| applies(&e.scope, d))
                    .map(to_override)
                    .collect::<Vec<_>>();
                (d.id, Calendar::new(self.region_of(d), overrides))
            })
            .collect())
    }

    async fn entries_for(&self, districts: &[District]) -> Result<Vec<CalendarEntry>> {
        let district_ids: Vec<i64> = districts.iter().map(|d| d.id).collect();
        let mut region_codes: Vec<String> = districts.iter().filter_map(|d| d.region_code.clone()).collect();
        region_codes.sort_unstable();
        region_codes.dedup();
        let mut condition = Condition::any().add(
            Condition::all()
                .add(calendar_days::Column::RegionCode.is_null())
                .add(calendar_days::Column::DistrictId.is_null()),
        );
        if !region_codes.is_empty() {
            condition = condition.add(calendar_days::Column::RegionCode.is_in(region_codes));
        }
        if !district_ids.is_empty() && district_ids.len() <= super::IN_CHUNK {
            condition = condition.add(calendar_days::Column::DistrictId.is_in(district_ids));
        } else if !district_ids.is_empty() {
            condition = condition.add(calendar_days::Column::DistrictId.is_not_null());
        }
        Ok(calendar_days::Entity::find()
            .filter(calendar_days::Column::RemovedAt.is_null())
            .filter(condition)
            .order_by_asc(calendar_days::Column::Date)
            .order_by_asc(calendar_days::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(entry_from)
            .collect())
    }

    /// A district's calendar for one year, for anyone who may read the district.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn district_calendar(&self, actor: &Actor, district_id: i64, year: i32) -> Result<DistrictCalendar> {
        if !(1990..=2100).contains(&year) {
            return Err(Error::validation(Field::Year, "Укажите год от 1990 до 2100."));
        }
        let district = self.district(actor, district_id).await?;
        let region = self.region_of(&district);
        let calendar = self.calendar_of(&district).await?;
        let entries = self
            .entries_for(std::slice::from_ref(&district))
            .await?
            .into_iter()
            .filter(|e| e.date.year() == year && applies(&e.scope, &district))
            .collect();
        Ok(DistrictCalendar {
            year: calendar.year(year),
            district,
            region,
            entries,
        })
    }

    /// Enters a day off or a working day citing its act, and recomputes the open due dates
    /// it moves. The whole country and a region: administrators; a district: administrators
    /// and the district's coordinators.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn add_calendar_day(&self, actor: &Actor, input: NewCalendarDay) -> Result<CalendarEntry> {
        self.require_calendar_scope(actor, &input.scope).await?;
        let title = required_text(&input.title, Field::Title, "Что за день")?;
        let act_number = required_text(&input.act_number, Field::ActNumber, "Номер акта")?;
        let act_title = input
            .act_title
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        if act_title.chars().count() > 500 {
            return Err(Error::validation(
                Field::ActTitle,
                "Название акта длиннее 500 знаков: сократите его.",
            ));
        }
        if !(1990..=2100).contains(&input.date.year()) {
            return Err(Error::validation(Field::Date, "Укажите дату с 1990 по 2100 год."));
        }
        if input.act_date > self.today_in(chrono_tz::Europe::Moscow) + chrono::Duration::days(1) {
            return Err(Error::validation(
                Field::ActDate,
                "Дата акта ещё не наступила: укажите дату, которой акт подписан.",
            ));
        }
        let (region_code, district_id) = match &input.scope {
            CalendarScope::Country => (None, None),
            CalendarScope::Region(code) => (Some(code.clone()), None),
            CalendarScope::District(id) => (None, Some(*id)),
        };
        let duplicate = calendar_days::Entity::find()
            .filter(calendar_days::Column::RemovedAt.is_null())
            .filter(calendar_days::Column::Date.eq(input.date))
            .filter(match &region_code {
                Some(code) => calendar_days::Column::RegionCode.eq(code.clone()),
                None => calendar_days::Column::RegionCode.is_null(),
            })
            .filter(match district_id {
                Some(id) => calendar_days::Column::DistrictId.eq(id),
                None => calendar_days::Column::DistrictId.is_null(),
            })
            .one(&self.db)
            .await?;
        if let Some(existing) = duplicate.map(entry_from) {
            return Err(Error::validation(
                Field::Date,
                format!(
                    "На {} уже внесён день «{}» ({}): удалите его, если нужно внести другой.",
                    ru_date(existing.date),
                    existing.title,
                    existing.citation()
                ),
            ));
        }
        let row = calendar_days::ActiveModel {
            region_code: Set(region_code),
            district_id: Set(district_id),
            date: Set(input.date),
            working: Set(input.working),
            title: Set(title),
            act_number: Set(act_number),
            act_date: Set(input.act_date),
            act_title: Set(act_title),
            created_by: Set(actor.recorded_id()),
            created_at: Set(self.now()),
            removed_at: Set(None),
            removed_by: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let entry = entry_from(row);
        let reason = format!(
            "Календарь изменён: {} — {} («{}», {}).",
            ru_date(entry.date),
            if entry.working {
                "рабочий день"
            } else {
                "нерабочий день"
            },
            entry.title,
            entry.citation()
        );
        self.recompute_due_dates(&input.scope, &reason).await?;
        Ok(entry)
    }

    /// Removes an entered day (the row stays, marked removed) and recomputes what it moved.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn remove_calendar_day(&self, actor: &Actor, id: i64) -> Result<CalendarEntry> {
        let row = calendar_days::Entity::find_by_id(id)
            .filter(calendar_days::Column::RemovedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("день календаря", id))?;
        let entry = entry_from(row.clone());
        self.require_calendar_scope(actor, &entry.scope).await?;
        let mut active: calendar_days::ActiveModel = row.into();
        active.removed_at = Set(Some(self.now()));
        active.removed_by = Set(actor.recorded_id());
        active.update(&self.db).await?;
        let reason = format!(
            "Календарь изменён: удалена запись на {} («{}», {}).",
            ru_date(entry.date),
            entry.title,
            entry.citation()
        );
        self.recompute_due_dates(&entry.scope, &reason).await?;
        Ok(entry)
    }

    async fn require_calendar_scope(&self, actor: &Actor, scope: &CalendarScope) -> Result<()> {
        let target = match scope {
            CalendarScope::Country => Target::Everything,
            CalendarScope::Region(code) => {
                self.region_by_code(code, Field::RegionCode)?;
                Target::Everything
            }
            CalendarScope::District(id) => Target::District(self.district(actor, *id).await?.id),
        };
        actor.scope().require(Operation::EditCalendar, target)
    }
}

/// Whether an entry of `scope` applies to `district`.
fn applies(scope: &CalendarScope, district: &District) -> bool {
    match scope {
        CalendarScope::Country => true,
        CalendarScope::Region(code) => district.region_code.as_deref() == Some(code.as_str()),
        CalendarScope::District(id) => district.id == *id,
    }
}
