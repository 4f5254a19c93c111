//! The official Russian production calendar (производственный календарь): which days are
//! working days, for counting "N working days" in due rules and reporting deadlines.
//!
//! The data lives in `engine/data/production-calendar-ru.toml`, one table per year, each
//! citing the government decree it comes from. Saturday and Sunday are days off unless the
//! decree makes them working days; holidays and transferred days off are listed. A date in a
//! year the file does not cover is an error that says so, never a silent guess.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

const RUSSIA: &str = include_str!("../data/production-calendar-ru.toml");

/// A date the calendar cannot answer for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "Производственный календарь не содержит {year} год (есть {first}–{last}); \
         добавьте его в engine/data/production-calendar-ru.toml или выберите дату в пределах календаря."
    )]
    YearNotCovered { year: i32, first: i32, last: i32 },
    #[error("Срок выходит за пределы допустимых дат.")]
    OutOfRange,
}

#[derive(Debug, Clone, Default)]
struct Year {
    days_off: HashSet<NaiveDate>,
    working_weekends: HashSet<NaiveDate>,
    working_days_total: u32,
}

/// A production calendar covering a contiguous range of years.
#[derive(Debug, Clone)]
pub struct ProductionCalendar {
    years: BTreeMap<i32, Year>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    years: BTreeMap<String, RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    #[allow(dead_code)] // documentation for people; kept so the file must carry it
    source: String,
    working_days_total: u32,
    days_off: Vec<String>,
    working_days: Vec<String>,
    #[serde(default)]
    extra_days_off: Vec<String>,
}

impl ProductionCalendar {
    /// The Russian calendar embedded in the binary.
    pub fn russia() -> &'static ProductionCalendar {
        static CALENDAR: OnceLock<ProductionCalendar> = OnceLock::new();
        CALENDAR.get_or_init(|| match ProductionCalendar::from_toml(RUSSIA) {
            Ok(calendar) => calendar,
            // The embedded file is checked by the unit tests below; reaching this means the
            // binary was built from a broken data file, which no run-time input can cause.
            Err(message) => panic!("engine/data/production-calendar-ru.toml is invalid: {message}"),
        })
    }

    /// Parses and checks a calendar file: years contiguous, dates inside their year, working
    /// days only on weekends, days off unique.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut years = BTreeMap::new();
        for (name, raw_year) in raw.years {
            let year: i32 = name.parse().map_err(|_| format!("years.{name}: not a year"))?;
            let parse = |list: &[String], what: &str| -> Result<Vec<NaiveDate>, String> {
                list.iter()
                    .map(|s| {
                        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .map_err(|_| format!("years.{year}.{what}: «{s}» is not a YYYY-MM-DD date"))?;
                        if date.year() != year {
                            return Err(format!("years.{year}.{what}: {s} is not in {year}"));
                        }
                        Ok(date)
                    })
                    .collect()
            };
            let mut days_off: HashSet<NaiveDate> = HashSet::new();
            for date in parse(&raw_year.days_off, "days_off")? {
                if !days_off.insert(date) {
                    return Err(format!("years.{year}: {date} is listed twice in days_off"));
                }
            }
            // Presidential decrees declared whole ranges, weekends and holidays included.
            days_off.extend(parse(&raw_year.extra_days_off, "extra_days_off")?);
            let mut working_weekends = HashSet::new();
            for date in parse(&raw_year.working_days, "working_days")? {
                if !is_weekend(date) {
                    return Err(format!("years.{year}.working_days: {date} is not a Saturday or Sunday"));
                }
                if days_off.contains(&date) {
                    return Err(format!("years.{year}: {date} is both a working day and a day off"));
                }
                working_weekends.insert(date);
            }
            years.insert(
                year,
                Year {
                    days_off,
                    working_weekends,
                    working_days_total: raw_year.working_days_total,
                },
            );
        }
        let (Some(first), Some(last)) = (years.keys().next().copied(), years.keys().last().copied()) else {
            return Err("the calendar has no years".into());
        };
        if (last - first + 1) as usize != years.len() {
            return Err(format!("years {first}–{last} are not contiguous"));
        }
        Ok(ProductionCalendar { years })
    }

    /// The years covered, first and last inclusive.
    pub fn years(&self) -> (i32, i32) {
        let first = self.years.keys().next().copied().unwrap_or_default();
        let last = self.years.keys().last().copied().unwrap_or_default();
        (first, last)
    }

    fn year(&self, year: i32) -> Result<&Year, CalendarError> {
        self.years.get(&year).ok_or_else(|| {
            let (first, last) = self.years();
            CalendarError::YearNotCovered { year, first, last }
        })
    }

    /// Whether people work on `date` (a five-day week).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let year = self.year(date.year())?;
        Ok(if year.working_weekends.contains(&date) {
            true
        } else {
            !is_weekend(date) && !year.days_off.contains(&date)
        })
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
            if self.is_working_day(current)? {
                left -= 1;
            }
        }
        Ok(current)
    }

    /// `date` itself when it is a working day, else the next working day (Civil Code art. 193:
    /// a term ending on a day off ends on the next working day).
    pub fn next_working_day_from(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut current = date;
        while !self.is_working_day(current)? {
            current = current
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::OutOfRange)?;
        }
        Ok(current)
    }

    /// Working days in a year as the calendar file computes them, and as the decree states.
    pub fn working_days_in_year(&self, year: i32) -> Result<(u32, u32), CalendarError> {
        let data = self.year(year)?;
        let mut count = 0;
        let mut day = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::OutOfRange)?;
        while day.year() == year {
            if self.is_working_day(day)? {
                count += 1;
            }
            day = day.checked_add_days(Days::new(1)).ok_or(CalendarError::OutOfRange)?;
        }
        Ok((count, data.working_days_total))
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> &'static ProductionCalendar {
        ProductionCalendar::russia()
    }

    #[test]
    fn the_embedded_calendar_covers_2020_through_2027() {
        assert_eq!(
            ProductionCalendar::from_toml(RUSSIA).map(|c| c.years()),
            Ok((2020, 2027))
        );
    }

    #[test]
    fn transferred_saturdays_are_working_days() {
        for date in ["2024-04-27", "2024-11-02", "2024-12-28", "2025-11-01"] {
            assert_eq!(cal().is_working_day(d(date)), Ok(true), "{date}");
        }
        assert_eq!(cal().is_working_day(d("2024-04-20")), Ok(false), "an ordinary Saturday");
    }

    #[test]
    fn new_year_holidays_run_to_the_eighth_of_january() {
        for year in 2020..=2027 {
            for day in 1..=8 {
                let date = NaiveDate::from_ymd_opt(year, 1, day).unwrap();
                assert_eq!(cal().is_working_day(date), Ok(false), "{date}");
            }
        }
    }

    #[test]
    fn public_holidays_and_their_transfers_are_days_off() {
        for date in [
            "2024-02-23",
            "2024-03-08",
            "2024-04-29",
            "2024-04-30",
            "2024-05-01",
            "2024-05-09",
            "2024-05-10",
            "2024-06-12",
            "2024-11-04",
            "2024-12-30",
            "2024-12-31",
            "2025-05-02",
            "2025-05-08",
            "2025-06-13",
            "2025-11-03",
            "2025-11-04",
            "2025-12-31",
            "2023-02-24",
            "2023-05-08",
            "2023-11-06",
        ] {
            assert_eq!(cal().is_working_day(d(date)), Ok(false), "{date}");
        }
        assert_eq!(cal().is_working_day(d("2024-05-13")), Ok(true));
    }

    #[test]
    fn every_year_has_the_number_of_working_days_its_decree_states() {
        for year in 2020..=2027 {
            let (counted, stated) = cal().working_days_in_year(year).unwrap();
            // 2020 and 2021 also carry the non-working days of presidential decrees
            // (`extra_days_off`), which the decree's count does not include.
            if year > 2021 {
                assert_eq!(counted, stated, "{year}");
            } else {
                assert!(counted < stated, "{year}: {counted} vs {stated}");
            }
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 2024-04-26 + 1 working day: Saturday 27 April 2024 was a working day.
        assert_eq!(cal().add_working_days(d("2024-04-26"), 1), Ok(d("2024-04-27")));
        // 28 April is Sunday, 29–30 April and 1 May are days off.
        assert_eq!(cal().add_working_days(d("2024-04-27"), 1), Ok(d("2024-05-02")));
        // Ten working days after 25 December 2024 take in Saturday 28 December (working)
        // and skip 30 December – 8 January.
        assert_eq!(cal().add_working_days(d("2024-12-25"), 10), Ok(d("2025-01-17")));
        assert_eq!(cal().add_working_days(d("2025-01-17"), -10), Ok(d("2024-12-25")));
        assert_eq!(cal().add_working_days(d("2024-06-03"), 0), Ok(d("2024-06-03")));
    }

    #[test]
    fn a_term_ending_on_a_day_off_moves_to_the_next_working_day() {
        assert_eq!(cal().next_working_day_from(d("2024-06-12")), Ok(d("2024-06-13")));
        assert_eq!(cal().next_working_day_from(d("2024-06-13")), Ok(d("2024-06-13")));
        assert_eq!(cal().next_working_day_from(d("2025-12-31")), Ok(d("2026-01-12")));
    }

    #[test]
    fn a_year_outside_the_calendar_is_a_clear_error() {
        let err = cal().is_working_day(d("2031-03-02")).unwrap_err();
        assert_eq!(
            err,
            CalendarError::YearNotCovered {
                year: 2031,
                first: 2020,
                last: 2027
            }
        );
        assert!(err.to_string().contains("не содержит 2031 год"));
        assert!(cal().add_working_days(d("2027-12-20"), 30).is_err());
    }

    #[test]
    fn bad_calendar_files_are_refused() {
        let weekday_as_working =
            "[years.2024]\nsource=\"x\"\nworking_days_total=1\ndays_off=[]\nworking_days=[\"2024-04-26\"]\n";
        assert!(
            ProductionCalendar::from_toml(weekday_as_working)
                .unwrap_err()
                .contains("not a Saturday")
        );
        let gap = "[years.2020]\nsource=\"x\"\nworking_days_total=1\ndays_off=[]\nworking_days=[]\n\
                   [years.2022]\nsource=\"x\"\nworking_days_total=1\ndays_off=[]\nworking_days=[]\n";
        assert!(ProductionCalendar::from_toml(gap).unwrap_err().contains("contiguous"));
    }
}
