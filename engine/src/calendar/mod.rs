//! Which days are working days for a district: the federal production calendar, its region's
//! own days off, and the days people entered citing an act.
//!
//! - [`federal`]: the official decree data (`engine/data/production-calendar-ru.toml`) and,
//!   for every other year, the projection by ТК РФ ст. 112, marked provisional.
//! - [`regions`]: the subjects of the Federation and their days off (`engine/data/regions.toml`).
//! - [`Calendar`]: one district's view of both, with the overrides entered for the country,
//!   its region or the district itself (a later, narrower entry wins: district over region
//!   over country, and any entry over the data files).
//!
//! There is no year the calendar cannot answer for. What it cannot know for sure — a year
//! after the last decree, or a region's movable holidays after the last known act — it marks
//! provisional, and plans, pages and emails say «по предварительному календарю».

pub mod federal;
pub mod regions;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate};

pub use federal::ProductionCalendar;
pub use regions::{Region, RegionalDay};

/// A date the calendar cannot answer for: outside what a date can be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("Срок выходит за пределы допустимых дат: проверьте даты начала и сроков.")]
    OutOfRange,
}

/// Where a day off (or a working weekend) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayOrigin {
    /// The federal calendar (a decree, or the projection by ст. 112).
    Federal,
    /// The region's law or annual act.
    Region,
    /// An entry made for the whole country, citing an act.
    CountryOverride,
    /// An entry made for the region, citing an act.
    RegionOverride,
    /// An entry made for the district, citing an act.
    DistrictOverride,
}

/// A day entered by a person, as the calendar uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub working: bool,
    pub title: String,
    /// The act, as people cite it: «Постановление № 12 от 01.02.2028».
    pub source: String,
    pub origin: DayOrigin,
}

/// One day that is not an ordinary weekday or weekend, for the year view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub working: bool,
    pub title: String,
    pub source: Option<String>,
    pub origin: DayOrigin,
}

/// A district's calendar for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYear {
    pub year: i32,
    /// Not every day of the year is known for sure; `provisional_reasons` says why.
    pub provisional: bool,
    pub provisional_reasons: Vec<String>,
    /// The federal decree of the year, when there is one.
    pub federal_source: Option<String>,
    pub working_days: u32,
    /// The days that are not ordinary weekdays or weekends, in date order.
    pub days: Vec<CalendarDay>,
}

/// The working days of one district (or of the federal calendar alone).
#[derive(Debug, Clone)]
pub struct Calendar {
    federal: &'static ProductionCalendar,
    region: Option<&'static Region>,
    overrides: Arc<BTreeMap<NaiveDate, DayOverride>>,
}

impl Calendar {
    /// The federal calendar with no region and no overrides.
    pub fn federal() -> Calendar {
        Calendar {
            federal: ProductionCalendar::russia(),
            region: None,
            overrides: Arc::default(),
        }
    }

    /// A district's calendar: its region (if known) and the overrides that apply to it, in any
    /// order (the narrower scope wins on a date entered twice).
    pub fn new(region: Option<&'static Region>, overrides: impl IntoIterator<Item = DayOverride>) -> Calendar {
        let mut list: Vec<DayOverride> = overrides.into_iter().collect();
        list.sort_by_key(|o| rank(o.origin));
        let map = list.into_iter().map(|o| (o.date, o)).collect();
        Calendar {
            federal: ProductionCalendar::russia(),
            region,
            overrides: Arc::new(map),
        }
    }

    pub fn region(&self) -> Option<&'static Region> {
        self.region
    }

    /// Whether people work on `date` (a five-day week).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if let Some(o) = self.overrides.get(&date) {
            return o.working;
        }
        if let Some(region) = self.region
            && region.day_off(date, self.federal).is_some()
        {
            return false;
        }
        self.federal.is_working_day(date)
    }

    /// Whether `year` is not known for sure: after the last decree, or after the last known
    /// act of the region's movable holidays.
    pub fn is_provisional(&self, year: i32) -> bool {
        self.federal.is_provisional(year) || self.region.is_some_and(|r| r.is_provisional(year))
    }

    /// Whether any year from `a` to `b` (either order) is provisional: a date counted across
    /// them may move when the year becomes official.
    pub fn is_provisional_between(&self, a: NaiveDate, b: NaiveDate) -> bool {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        (lo.year()..=hi.year()).any(|y| self.is_provisional(y))
    }

    /// The date `n` working days after `date` (`n` > 0), or before it (`n` < 0): the n-th
    /// working day counted from the day after (before) `date`. `n` = 0 gives `date` itself.
    pub fn add_working_days(&self, date: NaiveDate, n: i32) -> Result<NaiveDate, CalendarError> {
        let mut current = date;
        let mut left = n.unsigned_abs();
        while left > 0 {
            current = if n > 0 {
                current.checked_add_days(Days::new(1))
            } else {
                current.checked_sub_days(Days::new(1))
            }
            .ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(current) {
                left -= 1;
            }
        }
        Ok(current)
    }

    /// `date` itself when it is a working day, else the next working day (Civil Code art. 193:
    /// a term ending on a day off ends on the next working day).
    pub fn next_working_day_from(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut current = date;
        while !self.is_working_day(current) {
            current = federal::next_day(current)?;
        }
        Ok(current)
    }

    /// `date` itself when it is a working day, else the working day before it.
    pub fn previous_working_day_from(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut current = date;
        while !self.is_working_day(current) {
            current = current.pred_opt().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(current)
    }

    /// The year view: every day off other than an ordinary weekend and every working weekend,
    /// with where it comes from; the count of working days; whether the year is provisional.
    pub fn year(&self, year: i32) -> CalendarYear {
        let mut days: BTreeMap<NaiveDate, CalendarDay> = BTreeMap::new();
        for (date, working, title) in self.federal.exceptions(year) {
            days.insert(
                date,
                CalendarDay {
                    date,
                    working,
                    title,
                    source: self.federal.source(year).map(str::to_string),
                    origin: DayOrigin::Federal,
                },
            );
        }
        if let Some(region) = self.region {
            for (date, day) in region.days_of_year(year, self.federal) {
                days.insert(
                    date,
                    CalendarDay {
                        date,
                        working: false,
                        title: day.title,
                        source: Some(day.source),
                        origin: DayOrigin::Region,
                    },
                );
            }
        }
        for o in self.overrides.values().filter(|o| o.date.year() == year) {
            days.insert(
                o.date,
                CalendarDay {
                    date: o.date,
                    working: o.working,
                    title: o.title.clone(),
                    source: Some(o.source.clone()),
                    origin: o.origin,
                },
            );
        }
        let mut working_days = 0;
        let mut day = NaiveDate::from_ymd_opt(year, 1, 1);
        while let Some(d) = day.filter(|d| d.year() == year) {
            if self.is_working_day(d) {
                working_days += 1;
            }
            day = d.succ_opt();
        }
        let mut provisional_reasons = Vec::new();
        if self.federal.is_provisional(year) {
            provisional_reasons.push(format!(
                "Постановление о переносе выходных дней в {year} году ещё не учтено: праздники и их \
                 переносы рассчитаны по ст. 112 Трудового кодекса, новогодние переносы не известны."
            ));
        }
        if let Some(region) = self.region.filter(|r| r.is_provisional(year)) {
            provisional_reasons.push(format!(
                "Даты праздников {} ({}) на {year} год ещё не объявлены.",
                region.name,
                region.movable.join(", ")
            ));
        }
        CalendarYear {
            year,
            provisional: !provisional_reasons.is_empty(),
            provisional_reasons,
            federal_source: self.federal.source(year).map(str::to_string),
            working_days,
            days: days.into_values().collect(),
        }
    }
}

fn rank(origin: DayOrigin) -> u8 {
    match origin {
        DayOrigin::Federal | DayOrigin::Region => 0,
        DayOrigin::CountryOverride => 1,
        DayOrigin::RegionOverride => 2,
        DayOrigin::DistrictOverride => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = Calendar::federal();
        // Friday 2024-04-26 + 1 working day: Saturday 27 April 2024 was a working day.
        assert_eq!(cal.add_working_days(d("2024-04-26"), 1), Ok(d("2024-04-27")));
        // 28 April is Sunday, 29–30 April and 1 May are days off.
        assert_eq!(cal.add_working_days(d("2024-04-27"), 1), Ok(d("2024-05-02")));
        // Ten working days after 25 December 2024 take in Saturday 28 December (working)
        // and skip 30 December – 8 January.
        assert_eq!(cal.add_working_days(d("2024-12-25"), 10), Ok(d("2025-01-17")));
        assert_eq!(cal.add_working_days(d("2025-01-17"), -10), Ok(d("2024-12-25")));
        assert_eq!(cal.add_working_days(d("2024-06-03"), 0), Ok(d("2024-06-03")));
        // Across the end of the decrees: 30 working days after 20 December 2027.
        assert!(cal.add_working_days(d("2027-12-20"), 30).is_ok());
    }

    #[test]
    fn a_term_ending_on_a_day_off_moves_to_the_next_working_day() {
        let cal = Calendar::federal();
        assert_eq!(cal.next_working_day_from(d("2024-06-12")), Ok(d("2024-06-13")));
        assert_eq!(cal.next_working_day_from(d("2024-06-13")), Ok(d("2024-06-13")));
        assert_eq!(cal.next_working_day_from(d("2025-12-31")), Ok(d("2026-01-12")));
        assert_eq!(cal.previous_working_day_from(d("2024-06-12")), Ok(d("2024-06-11")));
    }

    #[test]
    fn a_tatarstan_district_works_fewer_days_than_a_moscow_one() {
        let moscow = Calendar::new(Region::by_code("77"), []);
        let kazan = Calendar::new(Region::by_code("16"), []);
        // Ураза-байрам, Wednesday 10 April 2024.
        assert!(moscow.is_working_day(d("2024-04-10")));
        assert!(!kazan.is_working_day(d("2024-04-10")));
        assert_eq!(moscow.add_working_days(d("2024-04-08"), 3), Ok(d("2024-04-11")));
        assert_eq!(kazan.add_working_days(d("2024-04-08"), 3), Ok(d("2024-04-12")));
        let year = kazan.year(2024);
        assert!(
            year.days
                .iter()
                .any(|day| day.date == d("2024-04-10") && day.origin == DayOrigin::Region)
        );
        // 10 April, 30 August (Friday) and 6 November (Wednesday); 16 June was a Sunday.
        assert_eq!(year.working_days + 3, moscow.year(2024).working_days);
    }

    #[test]
    fn overrides_win_and_the_narrower_one_wins_over_the_wider() {
        let entry = |date: &str, working: bool, origin| DayOverride {
            date: d(date),
            working,
            title: "Т".into(),
            source: "Постановление № 1 от 01.01.2028".into(),
            origin,
        };
        let cal = Calendar::new(
            None,
            [
                entry("2028-06-13", false, DayOrigin::DistrictOverride),
                entry("2028-06-13", true, DayOrigin::CountryOverride),
                entry("2028-06-17", true, DayOrigin::RegionOverride),
            ],
        );
        assert!(!cal.is_working_day(d("2028-06-13")));
        assert!(cal.is_working_day(d("2028-06-17")), "a Saturday made a working day");
        let year = cal.year(2028);
        assert!(year.provisional);
        assert!(year.days.iter().any(|day| day.date == d("2028-06-17") && day.working));
    }

    #[test]
    fn a_provisional_year_says_why() {
        let cal = Calendar::new(Region::by_code("16"), []);
        assert!(!cal.year(2026).provisional);
        let later = cal.year(2029);
        assert!(later.provisional);
        assert_eq!(later.provisional_reasons.len(), 2, "{:?}", later.provisional_reasons);
        assert!(cal.is_provisional_between(d("2027-12-01"), d("2026-01-01")) == cal.is_provisional(2027));
    }
}
