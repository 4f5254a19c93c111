//! The federal production calendar (производственный календарь РФ): official decree data for
//! the years it covers, and the Labour Code's rule (ТК РФ ст. 112) for every other year.
//!
//! The data lives in `engine/data/production-calendar-ru.toml`, one table per year, each
//! citing the government decree it comes from. Saturday and Sunday are days off unless the
//! decree makes them working days; holidays and transferred days off are listed.
//!
//! A year the file does not hold is *projected* and marked provisional: the fixed holidays of
//! ст. 112 ч. 1 are days off, and a holiday falling on a Saturday or Sunday moves the day off
//! to the next working day (ч. 2) — except the January holidays 1–8 (the New Year days and
//! Christmas, абзацы 2–3 of ч. 1), which only the government's annual decree transfers, so a
//! projection cannot know where they go. So there is no year the calendar cannot answer for.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::CalendarError;

const RUSSIA: &str = include_str!("../../data/production-calendar-ru.toml");

/// The years projected once, when the calendar is first used; a year outside is projected on
/// each call (nothing a district plans reaches it).
const PROJECTED: std::ops::RangeInclusive<i32> = 1990..=2100;

/// The non-working holidays of ТК РФ ст. 112 ч. 1 (month, day, name).
pub(crate) const HOLIDAYS: [(u32, u32, &str); 14] = [
    (1, 1, "Новогодние каникулы"),
    (1, 2, "Новогодние каникулы"),
    (1, 3, "Новогодние каникулы"),
    (1, 4, "Новогодние каникулы"),
    (1, 5, "Новогодние каникулы"),
    (1, 6, "Новогодние каникулы"),
    (1, 7, "Рождество Христово"),
    (1, 8, "Новогодние каникулы"),
    (2, 23, "День защитника Отечества"),
    (3, 8, "Международный женский день"),
    (5, 1, "Праздник Весны и Труда"),
    (5, 9, "День Победы"),
    (6, 12, "День России"),
    (11, 4, "День народного единства"),
];

/// Why a day is not a working day (or a weekend is one), for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Year {
    /// Days off other than ordinary weekends (holidays on weekends included), with why.
    pub days_off: HashMap<NaiveDate, String>,
    pub working_weekends: HashSet<NaiveDate>,
    pub working_days_total: u32,
    /// The decree, or `None` for a projected year.
    pub source: Option<String>,
}

/// The federal production calendar: official years and the projection for all others.
#[derive(Debug, Clone)]
pub struct ProductionCalendar {
    official: BTreeMap<i32, Year>,
    projected: HashMap<i32, Year>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    years: BTreeMap<String, RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    source: String,
    working_days_total: u32,
    days_off: Vec<String>,
    working_days: Vec<String>,
    #[serde(default)]
    extra_days_off: Vec<String>,
}

fn holiday_name(date: NaiveDate) -> Option<&'static str> {
    HOLIDAYS
        .iter()
        .find(|(m, d, _)| date.month() == *m && date.day() == *d)
        .map(|(_, _, name)| *name)
}

/// A year by the rule of ТК РФ ст. 112 alone (no decree).
pub(crate) fn project_year(year: i32) -> Year {
    let mut days_off: HashMap<NaiveDate, String> = HashMap::new();
    let mut holidays: Vec<NaiveDate> = HOLIDAYS
        .iter()
        .filter_map(|(m, d, name)| {
            let date = NaiveDate::from_ymd_opt(year, *m, *d)?;
            days_off.insert(date, (*name).to_string());
            Some(date)
        })
        .collect();
    holidays.sort_unstable();
    for holiday in holidays {
        if holiday.month() == 1 && holiday.day() <= 8 || !is_weekend(holiday) {
            continue;
        }
        // The next working day: a weekday that is neither a holiday nor already a day off.
        let mut day = holiday;
        while let Some(next) = day.succ_opt() {
            day = next;
            if !is_weekend(day) && !days_off.contains_key(&day) {
                let name = holiday_name(holiday).unwrap_or_default();
                days_off.insert(
                    day,
                    format!("Выходной день, перенесённый с {} ({name})", holiday.format("%d.%m")),
                );
                break;
            }
        }
    }
    let mut year_data = Year {
        days_off,
        working_weekends: HashSet::new(),
        working_days_total: 0,
        source: None,
    };
    year_data.working_days_total = count_working_days(year, &year_data);
    year_data
}

fn count_working_days(year: i32, data: &Year) -> u32 {
    let mut count = 0;
    let mut day = NaiveDate::from_ymd_opt(year, 1, 1);
    while let Some(d) = day.filter(|d| d.year() == year) {
        if data.working_weekends.contains(&d) || (!is_weekend(d) && !data.days_off.contains_key(&d)) {
            count += 1;
        }
        day = d.succ_opt();
    }
    count
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
        let mut official = BTreeMap::new();
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
            let mut days_off: HashMap<NaiveDate, String> = HashMap::new();
            for date in parse(&raw_year.days_off, "days_off")? {
                let why = holiday_name(date).map_or_else(|| "Перенесённый выходной день".to_string(), str::to_string);
                if days_off.insert(date, why).is_some() {
                    return Err(format!("years.{year}: {date} is listed twice in days_off"));
                }
            }
            // Presidential decrees declared whole ranges, weekends and holidays included.
            for date in parse(&raw_year.extra_days_off, "extra_days_off")? {
                days_off
                    .entry(date)
                    .or_insert_with(|| "Нерабочий день по указу Президента РФ".to_string());
            }
            let mut working_weekends = HashSet::new();
            for date in parse(&raw_year.working_days, "working_days")? {
                if !is_weekend(date) {
                    return Err(format!("years.{year}.working_days: {date} is not a Saturday or Sunday"));
                }
                if days_off.contains_key(&date) {
                    return Err(format!("years.{year}: {date} is both a working day and a day off"));
                }
                working_weekends.insert(date);
            }
            official.insert(
                year,
                Year {
                    days_off,
                    working_weekends,
                    working_days_total: raw_year.working_days_total,
                    source: Some(raw_year.source),
                },
            );
        }
        let (Some(first), Some(last)) = (official.keys().next().copied(), official.keys().last().copied()) else {
            return Err("the calendar has no years".into());
        };
        if (last - first + 1) as usize != official.len() {
            return Err(format!("years {first}–{last} are not contiguous"));
        }
        let projected = PROJECTED
            .filter(|y| !official.contains_key(y))
            .map(|y| (y, project_year(y)))
            .collect();
        Ok(ProductionCalendar { official, projected })
    }

    /// The years with official (decree) data, first and last inclusive.
    pub fn official_years(&self) -> (i32, i32) {
        let first = self.official.keys().next().copied().unwrap_or_default();
        let last = self.official.keys().last().copied().unwrap_or_default();
        (first, last)
    }

    /// Whether `year` is projected by ст. 112 rather than taken from a decree.
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.official.contains_key(&year)
    }

    /// The decree a year comes from; `None` for a projected year.
    pub fn source(&self, year: i32) -> Option<&str> {
        self.official.get(&year).and_then(|y| y.source.as_deref())
    }

    /// A year's data, projected on the spot outside the precomputed range.
    pub(crate) fn year(&self, year: i32) -> std::borrow::Cow<'_, Year> {
        match self.official.get(&year).or_else(|| self.projected.get(&year)) {
            Some(data) => std::borrow::Cow::Borrowed(data),
            None => std::borrow::Cow::Owned(project_year(year)),
        }
    }

    /// Whether people work on `date` (a five-day week).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let year = self.year(date.year());
        if year.working_weekends.contains(&date) {
            true
        } else {
            !is_weekend(date) && !year.days_off.contains_key(&date)
        }
    }

    /// Why `date` is a day off (a holiday, a transfer) or a working weekend; `None` for an
    /// ordinary weekday or weekend.
    pub fn reason(&self, date: NaiveDate) -> Option<String> {
        let year = self.year(date.year());
        if year.working_weekends.contains(&date) {
            return Some("Рабочий день по постановлению о переносе выходных".into());
        }
        year.days_off.get(&date).cloned()
    }

    /// Every day of `year` that is not an ordinary weekday or weekend: (date, working, why).
    pub fn exceptions(&self, year: i32) -> Vec<(NaiveDate, bool, String)> {
        let data = self.year(year);
        let mut out: Vec<(NaiveDate, bool, String)> = data
            .days_off
            .iter()
            .map(|(d, why)| (*d, false, why.clone()))
            .chain(data.working_weekends.iter().map(|d| {
                (
                    *d,
                    true,
                    "Рабочий день по постановлению о переносе выходных".to_string(),
                )
            }))
            .collect();
        out.sort_by_key(|(d, ..)| *d);
        out
    }

    /// Working days in a year as counted, and as the decree states (the count for a
    /// projected year).
    pub fn working_days_in_year(&self, year: i32) -> (u32, u32) {
        let data = self.year(year);
        (count_working_days(year, &data), data.working_days_total)
    }
}

pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

pub(crate) fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.checked_add_days(Days::new(1)).ok_or(CalendarError::OutOfRange)
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
    fn the_embedded_calendar_holds_the_decrees_of_2020_through_2027() {
        assert_eq!(
            ProductionCalendar::from_toml(RUSSIA).map(|c| c.official_years()),
            Ok((2020, 2027))
        );
        assert!(!cal().is_provisional(2026));
        assert!(cal().is_provisional(2028));
        assert!(cal().is_provisional(2019));
        assert!(cal().source(2026).is_some_and(|s| s.contains("№ 1466")));
        assert_eq!(cal().source(2028), None);
    }

    #[test]
    fn transferred_saturdays_are_working_days() {
        for date in ["2024-04-27", "2024-11-02", "2024-12-28", "2025-11-01"] {
            assert!(cal().is_working_day(d(date)), "{date}");
        }
        assert!(!cal().is_working_day(d("2024-04-20")), "an ordinary Saturday");
    }

    #[test]
    fn new_year_holidays_run_to_the_eighth_of_january_in_every_year() {
        for year in 2020..=2040 {
            for day in 1..=8 {
                let date = NaiveDate::from_ymd_opt(year, 1, day).unwrap();
                assert!(!cal().is_working_day(date), "{date}");
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
            assert!(!cal().is_working_day(d(date)), "{date}");
        }
        assert!(cal().is_working_day(d("2024-05-13")));
        assert_eq!(cal().reason(d("2024-06-12")).as_deref(), Some("День России"));
        assert_eq!(
            cal().reason(d("2024-04-29")).as_deref(),
            Some("Перенесённый выходной день")
        );
    }

    #[test]
    fn every_official_year_has_the_number_of_working_days_its_decree_states() {
        for year in 2020..=2027 {
            let (counted, stated) = cal().working_days_in_year(year);
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
    fn a_holiday_on_a_weekend_moves_the_day_off_to_the_next_working_day() {
        // 4 November 2028 is a Saturday: Monday 6 November is off.
        assert_eq!(d("2028-11-04").weekday(), Weekday::Sat);
        assert!(!cal().is_working_day(d("2028-11-06")));
        assert!(cal().is_working_day(d("2028-11-07")));
        assert!(
            cal()
                .reason(d("2028-11-06"))
                .is_some_and(|r| r.contains("04.11") && r.contains("народного единства"))
        );
        // 2028: 23 February is a Wednesday, 8 March a Wednesday: nothing moves.
        assert!(cal().is_working_day(d("2028-02-24")));
        // 12 June 2032 is a Saturday → Monday 14 June.
        assert!(!cal().is_working_day(d("2032-06-14")));
        // 1 May 2032 is a Saturday → Monday 3 May; 9 May 2032 a Sunday → Monday 10 May.
        assert!(!cal().is_working_day(d("2032-05-03")));
        assert!(!cal().is_working_day(d("2032-05-10")));
    }

    #[test]
    fn a_new_year_holiday_on_a_weekend_moves_nothing_by_itself() {
        // 1 January 2034 is a Sunday, 7 January 2034 a Saturday: only the decree could move
        // them, so 9 January 2034 (Monday) is a working day in the projection.
        assert_eq!(d("2034-01-01").weekday(), Weekday::Sun);
        assert_eq!(d("2034-01-07").weekday(), Weekday::Sat);
        assert!(cal().is_working_day(d("2034-01-09")));
        // A projected year counts its own working days: 2028 has 248 weekdays that are not
        // holidays, less the transfers of ч. 2.
        let (counted, stated) = cal().working_days_in_year(2028);
        assert_eq!(counted, stated);
        assert!((245..=250).contains(&counted), "{counted}");
    }

    #[test]
    fn years_far_away_are_projected_too() {
        assert!(!cal().is_working_day(d("2150-06-12")));
        assert!(!cal().is_working_day(d("1985-01-03")));
        assert!(cal().is_provisional(2150));
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
