//! Reporting periods of indicators: `2025-03`, `2025-Q1`, `2025-H1`, `2025`, `2024/25`
//! (the academic year, 1 September – 31 August) and `once`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How often an indicator is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Periodicity {
    Month,
    Quarter,
    HalfYear,
    Year,
    AcademicYear,
    Once,
}

impl Periodicity {
    /// How a person names it, in Russian.
    pub fn title(self) -> &'static str {
        match self {
            Periodicity::Month => "ежемесячно",
            Periodicity::Quarter => "ежеквартально",
            Periodicity::HalfYear => "раз в полугодие",
            Periodicity::Year => "ежегодно",
            Periodicity::AcademicYear => "раз в учебный год",
            Periodicity::Once => "однократно",
        }
    }

    /// An example of a period of this kind, for error messages.
    pub fn example(self) -> &'static str {
        match self {
            Periodicity::Month => "2025-03",
            Periodicity::Quarter => "2025-Q1",
            Periodicity::HalfYear => "2025-H1",
            Periodicity::Year => "2025",
            Periodicity::AcademicYear => "2024/25",
            Periodicity::Once => "once",
        }
    }
}

/// One reporting period. Construct with [`Period::parse`] or [`Period::containing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    kind: Periodicity,
    /// The calendar year; for an academic year, the year it starts in.
    year: i32,
    /// Month 1–12, quarter 1–4, half 1–2; 0 for years and `once`.
    index: u32,
}

/// Why a period string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "«{input}» — не период. Пишите так: месяц 2025-03, квартал 2025-Q1, полугодие 2025-H1, год 2025, учебный год 2024/25 или once."
)]
pub struct PeriodParseError {
    input: String,
}

impl Period {
    /// How a person names the period: «март 2025 г.», «I квартал 2025 г.», «II полугодие
    /// 2025 г.», «2025 год», «2024/25 учебный год», «однократно».
    pub fn title(&self) -> String {
        const MONTHS: [&str; 12] = [
            "январь",
            "февраль",
            "март",
            "апрель",
            "май",
            "июнь",
            "июль",
            "август",
            "сентябрь",
            "октябрь",
            "ноябрь",
            "декабрь",
        ];
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        let y = self.year;
        match self.kind {
            Periodicity::Month => format!("{} {y} г.", MONTHS[(self.index as usize).clamp(1, 12) - 1]),
            Periodicity::Quarter => format!("{} квартал {y} г.", ROMAN[(self.index as usize).clamp(1, 4) - 1]),
            Periodicity::HalfYear => format!("{} полугодие {y} г.", ROMAN[(self.index as usize).clamp(1, 2) - 1]),
            Periodicity::Year => format!("{y} год"),
            Periodicity::AcademicYear => format!("{y}/{:02} учебный год", (y + 1) % 100),
            Periodicity::Once => "однократно".to_string(),
        }
    }

    /// [`Period::title`] of a stored period code, or the code itself if it is not one.
    pub fn title_of(code: &str) -> String {
        Period::parse(code).map_or_else(|_| code.to_string(), |p| p.title())
    }

    pub fn parse(input: &str) -> Result<Period, PeriodParseError> {
        let err = || PeriodParseError {
            input: input.to_string(),
        };
        let s = input.trim();
        if s.eq_ignore_ascii_case("once") {
            return Ok(Period {
                kind: Periodicity::Once,
                year: 0,
                index: 0,
            });
        }
        let year_of = |y: &str| -> Result<i32, PeriodParseError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                y.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        if let Some((y, rest)) = s.split_once('/') {
            let year = year_of(y)?;
            let next: i32 = if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                rest.parse().map_err(|_| err())?
            } else {
                return Err(err());
            };
            if next != (year + 1) % 100 {
                return Err(err());
            }
            return Ok(Period {
                kind: Periodicity::AcademicYear,
                year,
                index: 0,
            });
        }
        let Some((y, rest)) = s.split_once('-') else {
            return Ok(Period {
                kind: Periodicity::Year,
                year: year_of(s)?,
                index: 0,
            });
        };
        let year = year_of(y)?;
        let number = |digits: &str, max: u32| -> Result<u32, PeriodParseError> {
            let n: u32 = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.parse().map_err(|_| err())?
            } else {
                return Err(err());
            };
            if (1..=max).contains(&n) { Ok(n) } else { Err(err()) }
        };
        let (kind, index) = if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            (Periodicity::Quarter, number(q, 4)?)
        } else if let Some(h) = rest.strip_prefix(['H', 'h']) {
            (Periodicity::HalfYear, number(h, 2)?)
        } else if rest.len() == 2 {
            (Periodicity::Month, number(rest, 12)?)
        } else {
            return Err(err());
        };
        Ok(Period { kind, year, index })
    }

    /// The period of the given kind that contains `date`.
    pub fn containing(kind: Periodicity, date: NaiveDate) -> Period {
        let (year, month) = (date.year(), date.month());
        match kind {
            Periodicity::Month => Period {
                kind,
                year,
                index: month,
            },
            Periodicity::Quarter => Period {
                kind,
                year,
                index: (month - 1) / 3 + 1,
            },
            Periodicity::HalfYear => Period {
                kind,
                year,
                index: (month - 1) / 6 + 1,
            },
            Periodicity::Year => Period { kind, year, index: 0 },
            Periodicity::AcademicYear => Period {
                kind,
                year: if month >= 9 { year } else { year - 1 },
                index: 0,
            },
            Periodicity::Once => Period {
                kind,
                year: 0,
                index: 0,
            },
        }
    }

    pub fn kind(&self) -> Periodicity {
        self.kind
    }

    /// The calendar year of the period; for an academic year, the year it starts in.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The first day of the period; `None` for `once`.
    pub fn start(&self) -> Option<NaiveDate> {
        let (y, i) = (self.year, self.index);
        match self.kind {
            Periodicity::Month => NaiveDate::from_ymd_opt(y, i, 1),
            Periodicity::Quarter => NaiveDate::from_ymd_opt(y, (i - 1) * 3 + 1, 1),
            Periodicity::HalfYear => NaiveDate::from_ymd_opt(y, (i - 1) * 6 + 1, 1),
            Periodicity::Year => NaiveDate::from_ymd_opt(y, 1, 1),
            Periodicity::AcademicYear => NaiveDate::from_ymd_opt(y, 9, 1),
            Periodicity::Once => None,
        }
    }

    /// The last day of the period; `None` for `once`.
    pub fn end(&self) -> Option<NaiveDate> {
        self.next().and_then(|next| next.start()).and_then(|d| d.pred_opt())
    }

    /// The period right after this one; `None` for `once`.
    pub fn next(&self) -> Option<Period> {
        let Period { kind, year, index } = *self;
        let wrap = |max: u32| {
            if index == max {
                Period {
                    kind,
                    year: year + 1,
                    index: 1,
                }
            } else {
                Period {
                    kind,
                    year,
                    index: index + 1,
                }
            }
        };
        match kind {
            Periodicity::Month => Some(wrap(12)),
            Periodicity::Quarter => Some(wrap(4)),
            Periodicity::HalfYear => Some(wrap(2)),
            Periodicity::Year | Periodicity::AcademicYear => Some(Period {
                kind,
                year: year + 1,
                index: 0,
            }),
            Periodicity::Once => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Periodicity::Month => write!(f, "{}-{:02}", self.year, self.index),
            Periodicity::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            Periodicity::HalfYear => write!(f, "{}-H{}", self.year, self.index),
            Periodicity::Year => write!(f, "{}", self.year),
            Periodicity::AcademicYear => write!(f, "{}/{:02}", self.year, (self.year + 1) % 100),
            Periodicity::Once => f.write_str("once"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

/// The report an organization owes for an indicator today, if any: the last ended period
/// (one that ended after reporting started) whose deadline has passed, or, for a once-only
/// indicator, the report due by the start stage's due date.
pub fn owed_period(
    indicator: &crate::definition::Indicator,
    start_plan: &crate::model::StagePlan,
    tz: chrono_tz::Tz,
    today: NaiveDate,
    calendar: &crate::calendar::Calendar,
) -> crate::Result<Option<(String, NaiveDate)>> {
    let Some(entered) = start_plan.entered_at.map(|at| at.with_timezone(&tz).date_naive()) else {
        return Ok(None);
    };
    if indicator.period == Periodicity::Once {
        let deadline = start_plan
            .current_due
            .or(start_plan.completed_at.map(|at| at.with_timezone(&tz).date_naive()));
        return Ok(deadline.filter(|d| *d < today).map(|d| ("once".to_string(), d)));
    }
    let current = Period::containing(indicator.period, today);
    let Some(previous) = current
        .start()
        .and_then(|s| s.checked_sub_days(chrono::Days::new(1)))
        .map(|d| Period::containing(indicator.period, d))
    else {
        return Ok(None);
    };
    let Some(end) = previous.end() else { return Ok(None) };
    if end < entered {
        return Ok(None);
    }
    let deadline = match indicator.report_deadline.unit {
        crate::definition::DayUnit::Working => calendar.add_working_days(end, indicator.report_deadline.days as i32)?,
        crate::definition::DayUnit::Calendar => end
            .checked_add_days(chrono::Days::new(u64::from(indicator.report_deadline.days)))
            .unwrap_or(end),
    };
    Ok((deadline < today).then(|| (previous.to_string(), deadline)))
}

#[cfg(test)]
mod tests {

    #[test]
    fn periods_have_the_names_people_use() {
        let title = |code: &str| Period::parse(code).unwrap().title();
        assert_eq!(title("2025-03"), "март 2025 г.");
        assert_eq!(title("2025-Q4"), "IV квартал 2025 г.");
        assert_eq!(title("2025-H1"), "I полугодие 2025 г.");
        assert_eq!(title("2025"), "2025 год");
        assert_eq!(title("2024/25"), "2024/25 учебный год");
        assert_eq!(title("once"), "однократно");
        assert_eq!(Period::title_of("не период"), "не период");
    }

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_round_trip_through_text() {
        for text in ["2025-03", "2025-Q1", "2025-H2", "2025", "2024/25", "1999/00", "once"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Period::parse("2025-q4").unwrap().to_string(), "2025-Q4");
    }

    #[test]
    fn malformed_periods_are_refused_with_an_example() {
        for text in [
            "", "2025-13", "2025-Q5", "2025-Q0", "2025-H3", "25", "2024/26", "2025-1", "2025-Q", "март",
        ] {
            let err = Period::parse(text).unwrap_err();
            assert!(err.to_string().contains("2025-Q1"), "{text}");
        }
    }

    #[test]
    fn period_bounds() {
        let q = Period::parse("2025-Q1").unwrap();
        assert_eq!((q.start(), q.end()), (Some(d(2025, 1, 1)), Some(d(2025, 3, 31))));
        let m = Period::parse("2024-02").unwrap();
        assert_eq!(m.end(), Some(d(2024, 2, 29)));
        let a = Period::parse("2024/25").unwrap();
        assert_eq!((a.start(), a.end()), (Some(d(2024, 9, 1)), Some(d(2025, 8, 31))));
        assert_eq!(Period::parse("2025-12").unwrap().next().unwrap().to_string(), "2026-01");
        assert_eq!(Period::parse("once").unwrap().end(), None);
    }

    #[test]
    fn the_period_containing_a_date() {
        assert_eq!(
            Period::containing(Periodicity::Quarter, d(2025, 5, 20)).to_string(),
            "2025-Q2"
        );
        assert_eq!(
            Period::containing(Periodicity::AcademicYear, d(2025, 8, 31)).to_string(),
            "2024/25"
        );
        assert_eq!(
            Period::containing(Periodicity::AcademicYear, d(2025, 9, 1)).to_string(),
            "2025/26"
        );
        assert_eq!(
            Period::containing(Periodicity::HalfYear, d(2025, 7, 1)).to_string(),
            "2025-H2"
        );
        assert_eq!(
            Period::containing(Periodicity::Month, d(2025, 7, 1)).to_string(),
            "2025-07"
        );
    }
}
