//! The subjects of the Federation (regions) and their own non-working days.
//!
//! `engine/data/regions.toml` lists every region with its official code, name and the time
//! zone of its capital, and for the republics whose laws add days off (Ураза-байрам and
//! Курбан-байрам, a republic's day, Сагаалган, Шагаа, …) the law, the fixed dates, the dates
//! of the movable holidays for the years their annual acts are known, and each date's source.
//! A year after `known_through` in a region with movable holidays is provisional there: its
//! fixed days are known, the movable ones are not.
//!
//! Whether a regional holiday that falls on a weekend moves to the next working day is the
//! region's own rule (`weekend_transfer`): ТК РФ ст. 112 ч. 2 speaks of the federal holidays,
//! and Tatarstan, for one, does not transfer its own.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;

use super::federal::{ProductionCalendar, is_weekend};

const REGIONS: &str = include_str!("../../data/regions.toml");

/// One regional day off: why, and the act it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionalDay {
    pub title: String,
    pub source: String,
}

/// A subject of the Federation.
#[derive(Debug, Clone)]
pub struct Region {
    /// The official two-digit code (`16` for Tatarstan).
    pub code: String,
    pub name: String,
    pub time_zone: Tz,
    /// The law that makes its days off, if it has any.
    pub law: Option<String>,
    pub weekend_transfer: bool,
    /// Names of the holidays whose dates are set each year.
    pub movable: Vec<String>,
    pub known_through: Option<i32>,
    fixed: Vec<(u32, u32, String)>,
    dated: BTreeMap<NaiveDate, RegionalDay>,
    /// Every regional day off of the years the federal calendar precomputes, transfers included.
    days_off: HashMap<NaiveDate, RegionalDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    regions: Vec<RawRegion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    code: String,
    name: String,
    time_zone: String,
    law: Option<String>,
    #[serde(default)]
    weekend_transfer: bool,
    #[serde(default)]
    fixed: Vec<RawFixed>,
    #[serde(default)]
    movable: Vec<String>,
    known_through: Option<i32>,
    #[serde(default)]
    days: Vec<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixed {
    date: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: String,
    title: String,
    source: String,
}

impl Region {
    /// Every region, by code, as embedded in the binary.
    pub fn all() -> &'static [Region] {
        static ALL: OnceLock<Vec<Region>> = OnceLock::new();
        ALL.get_or_init(|| match parse(REGIONS, ProductionCalendar::russia()) {
            Ok(regions) => regions,
            // Checked by the unit tests below; no run-time input reaches this.
            Err(message) => panic!("engine/data/regions.toml is invalid: {message}"),
        })
    }

    /// The region with this official code.
    pub fn by_code(code: &str) -> Option<&'static Region> {
        Self::all().iter().find(|r| r.code == code)
    }

    /// Whether the region's movable days off of `year` are not known yet.
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.movable.is_empty() && self.known_through.is_none_or(|last| year > last)
    }

    /// Why `date` is a regional day off, if it is one.
    pub fn day_off(&self, date: NaiveDate, federal: &ProductionCalendar) -> Option<RegionalDay> {
        if let Some(day) = self.days_off.get(&date) {
            return Some(day.clone());
        }
        if self.days_off.is_empty() && self.fixed.is_empty() && self.dated.is_empty() {
            return None;
        }
        // Outside the precomputed years: compute that year alone.
        let year = date.year();
        if (1990..=2100).contains(&year) {
            return None;
        }
        year_days(self, year, federal).remove(&date)
    }

    /// The regional days off of `year`, in date order.
    pub fn days_of_year(&self, year: i32, federal: &ProductionCalendar) -> Vec<(NaiveDate, RegionalDay)> {
        let mut days: Vec<_> = year_days(self, year, federal).into_iter().collect();
        days.sort_by_key(|(d, _)| *d);
        days
    }
}

fn year_days(region: &Region, year: i32, federal: &ProductionCalendar) -> HashMap<NaiveDate, RegionalDay> {
    let law = region.law.clone().unwrap_or_default();
    let mut holidays: Vec<(NaiveDate, RegionalDay)> = region
        .fixed
        .iter()
        .filter_map(|(m, d, title)| {
            NaiveDate::from_ymd_opt(year, *m, *d).map(|date| {
                (
                    date,
                    RegionalDay {
                        title: title.clone(),
                        source: law.clone(),
                    },
                )
            })
        })
        .chain(
            region
                .dated
                .iter()
                .filter(|(d, _)| d.year() == year)
                .map(|(d, day)| (*d, day.clone())),
        )
        .collect();
    holidays.sort_by_key(|(d, _)| *d);
    let mut out: HashMap<NaiveDate, RegionalDay> = holidays.iter().cloned().collect();
    if region.weekend_transfer {
        for (date, day) in &holidays {
            if !is_weekend(*date) {
                continue;
            }
            let mut next = *date;
            while let Some(candidate) = next.succ_opt() {
                next = candidate;
                if federal.is_working_day(next) && !out.contains_key(&next) {
                    out.insert(
                        next,
                        RegionalDay {
                            title: format!("Выходной день, перенесённый с {} ({})", date.format("%d.%m"), day.title),
                            source: day.source.clone(),
                        },
                    );
                    break;
                }
            }
        }
    }
    out
}

fn parse(text: &str, federal: &ProductionCalendar) -> Result<Vec<Region>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut regions: Vec<Region> = Vec::with_capacity(raw.regions.len());
    for r in raw.regions {
        if r.code.len() != 2 || !r.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("region {}: code «{}» is not two digits", r.name, r.code));
        }
        if regions.iter().any(|x| x.code == r.code) {
            return Err(format!("region code {} is listed twice", r.code));
        }
        let time_zone: Tz = r
            .time_zone
            .parse()
            .map_err(|_| format!("region {}: unknown time zone {}", r.code, r.time_zone))?;
        let mut fixed = Vec::new();
        for f in r.fixed {
            let date = NaiveDate::parse_from_str(&format!("2000-{}", f.date), "%Y-%m-%d")
                .map_err(|_| format!("region {}: fixed date «{}» is not MM-DD", r.code, f.date))?;
            fixed.push((date.month(), date.day(), f.title));
        }
        let mut dated = BTreeMap::new();
        for day in r.days {
            let date = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d")
                .map_err(|_| format!("region {}: «{}» is not a YYYY-MM-DD date", r.code, day.date))?;
            if day.source.trim().is_empty() {
                return Err(format!("region {}: {date} has no source", r.code));
            }
            if let Some(last) = r.known_through
                && date.year() > last
            {
                return Err(format!("region {}: {date} is after known_through {last}", r.code));
            }
            if dated
                .insert(
                    date,
                    RegionalDay {
                        title: day.title,
                        source: day.source,
                    },
                )
                .is_some()
            {
                return Err(format!("region {}: {date} is listed twice", r.code));
            }
        }
        if (!fixed.is_empty() || !dated.is_empty()) && r.law.as_deref().is_none_or(|l| l.trim().is_empty()) {
            return Err(format!("region {}: days off without the law that makes them", r.code));
        }
        let mut region = Region {
            code: r.code,
            name: r.name,
            time_zone,
            law: r.law,
            weekend_transfer: r.weekend_transfer,
            movable: r.movable,
            known_through: r.known_through,
            fixed,
            dated,
            days_off: HashMap::new(),
        };
        if !region.fixed.is_empty() || !region.dated.is_empty() {
            let mut all = HashMap::new();
            for year in 1990..=2100 {
                all.extend(year_days(&region, year, federal));
            }
            region.days_off = all;
        }
        regions.push(region);
    }
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_embedded_regions_parse_and_have_unique_codes() {
        let all = Region::all();
        assert!(all.len() >= 85, "{}", all.len());
        assert_eq!(
            Region::by_code("16").map(|r| r.name.as_str()),
            Some("Республика Татарстан")
        );
        assert_eq!(
            Region::by_code("74").map(|r| r.name.as_str()),
            Some("Челябинская область")
        );
    }

    #[test]
    fn tatarstan_2024_has_uraza_bairam_off_and_does_not_move_a_sunday_holiday() {
        let federal = ProductionCalendar::russia();
        let tatarstan = Region::by_code("16").unwrap();
        assert!(tatarstan.day_off(d("2024-04-10"), federal).is_some());
        // Курбан-байрам 2024 fell on Sunday 16 June: no day off moves to Monday 17 June.
        assert!(tatarstan.day_off(d("2024-06-16"), federal).is_some());
        assert_eq!(tatarstan.day_off(d("2024-06-17"), federal), None);
        assert!(!tatarstan.weekend_transfer);
        // День Республики, every year.
        assert!(tatarstan.day_off(d("2031-08-30"), federal).is_some());
    }

    #[test]
    fn a_region_without_its_own_days_off_has_none() {
        let federal = ProductionCalendar::russia();
        let moscow = Region::by_code("77").unwrap();
        assert_eq!(moscow.day_off(d("2024-04-10"), federal), None);
        assert!(!moscow.is_provisional(2030));
    }

    #[test]
    fn a_region_with_movable_holidays_is_provisional_after_the_last_known_year() {
        let tatarstan = Region::by_code("16").unwrap();
        let last = tatarstan.known_through.unwrap();
        assert!(!tatarstan.is_provisional(last));
        assert!(tatarstan.is_provisional(last + 1));
    }

    #[test]
    fn a_transferring_region_moves_a_weekend_holiday_to_the_next_working_day() {
        let text = r#"
[[regions]]
code = "99"
name = "Тестовая республика"
time_zone = "Europe/Moscow"
law = "Закон № 1"
weekend_transfer = true
fixed = [{ date = "06-16", title = "День республики" }]
"#;
        let regions = parse(text, ProductionCalendar::russia()).unwrap();
        let federal = ProductionCalendar::russia();
        assert!(regions[0].day_off(d("2024-06-17"), federal).is_some());
        assert_eq!(regions[0].day_off(d("2024-06-18"), federal), None);
    }

    #[test]
    fn bad_region_files_are_refused() {
        let no_law = "[[regions]]\ncode = \"99\"\nname = \"X\"\ntime_zone = \"Europe/Moscow\"\nfixed = [{ date = \"06-16\", title = \"Д\" }]\n";
        assert!(parse(no_law, ProductionCalendar::russia()).unwrap_err().contains("law"));
        let bad_code = "[[regions]]\ncode = \"9\"\nname = \"X\"\ntime_zone = \"Europe/Moscow\"\n";
        assert!(
            parse(bad_code, ProductionCalendar::russia())
                .unwrap_err()
                .contains("two digits")
        );
    }
}
