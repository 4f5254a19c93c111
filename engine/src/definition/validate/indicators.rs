//! Indicators: types, periods, targets, reporting deadlines.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::{Report, check_key, check_title};
use crate::definition::raw::{RawDefinition, RawIndicator, RawReportDeadline, RawTarget};
use crate::definition::{DayUnit, Indicator, IndicatorType, Part, ReportDeadline, Target};
use crate::period::Periodicity;

/// Checks the parts organizations can take (`[[parts]]`); returns the valid ones.
pub(super) fn check_parts(report: &mut Report, raw: &RawDefinition) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for (i, spanned) in raw.parts.iter().enumerate() {
        let part = spanned.get_ref();
        let errors_before = report.errors.len();
        check_key(report, &part.key, &format!("parts[{i}].key"));
        check_title(report, &part.title, &format!("parts[{i}].title"));
        if parts.iter().any(|p| &p.key == part.key.get_ref()) {
            report.at(
                part.key.span(),
                format!("parts[{i}].key"),
                format!(
                    "роль «{}» уже объявлена: у каждой роли участника свой ключ.",
                    part.key.get_ref()
                ),
            );
        }
        if report.errors.len() == errors_before {
            parts.push(Part {
                key: part.key.get_ref().clone(),
                title: part.title.get_ref().trim().to_string(),
            });
        }
    }
    if parts.len() == 1 {
        report.at(
            raw.parts[0].span(),
            "parts",
            "объявлена одна роль участника: роли нужны, когда участники отчитываются по-разному. Добавьте вторую или уберите [[parts]].",
        );
    }
    parts
}

/// Checks every indicator; returns the valid ones.
pub(super) fn check_indicators(
    report: &mut Report,
    raw: &RawDefinition,
    stage_index: &HashMap<String, usize>,
    parts: &[Part],
) -> Vec<Indicator> {
    // Indicators (before transitions: guards name them).
    let mut indicators: Vec<Indicator> = Vec::new();
    for (i, spanned) in raw.indicators.iter().enumerate() {
        if let Some(indicator) = check_indicator(report, spanned.get_ref(), spanned.span(), i, (stage_index, parts)) {
            if indicators.iter().any(|x| x.key == indicator.key) {
                report.at(
                    spanned.get_ref().key.span(),
                    format!("indicators[{i}].key"),
                    format!(
                        "показатель «{}» уже объявлен: у каждого показателя свой код.",
                        indicator.key
                    ),
                );
            }
            indicators.push(indicator);
        }
    }

    indicators
}

fn check_indicator(
    report: &mut Report,
    raw: &RawIndicator,
    span: Range<usize>,
    i: usize,
    (stages, parts): (&HashMap<String, usize>, &[Part]),
) -> Option<Indicator> {
    let path = format!("indicators[{i}]");
    let errors_before = report.errors.len();
    let mut asked_of: Vec<String> = Vec::new();
    if let Some(list) = &raw.parts {
        if list.get_ref().is_empty() {
            report.at(list.span(), format!("{path}.parts"), "пустой список ролей: укажите, кто сдаёт показатель, или уберите parts — тогда его сдают все участники.");
        }
        for part in list.get_ref() {
            if !parts.iter().any(|p| &p.key == part.get_ref()) {
                let known: Vec<&str> = parts.iter().map(|p| p.key.as_str()).collect();
                report.at(
                    part.span(),
                    format!("{path}.parts"),
                    if known.is_empty() {
                        format!(
                            "роли участника «{}» нет: роли объявляют в [[parts]] процесса.",
                            part.get_ref()
                        )
                    } else {
                        format!(
                            "роли участника «{}» нет в процессе: есть {}.",
                            part.get_ref(),
                            known.join(", ")
                        )
                    },
                );
            } else if !asked_of.contains(part.get_ref()) {
                asked_of.push(part.get_ref().clone());
            }
        }
    }
    check_key(report, &raw.key, &format!("{path}.key"));
    check_title(report, &raw.title, &format!("{path}.title"));
    check_title(report, &raw.unit, &format!("{path}.unit"));
    if !stages.contains_key(raw.starts_at_stage.get_ref()) {
        report.at(
            raw.starts_at_stage.span(),
            format!("{path}.starts_at_stage"),
            format!(
                "этапа «{}» нет в процессе: укажите этап, с которого собирают отчёты.",
                raw.starts_at_stage.get_ref()
            ),
        );
    }
    let kind = *raw.kind.get_ref();
    let period = *raw.period.get_ref();
    let cumulative = raw.cumulative.as_ref().is_some_and(|c| *c.get_ref());
    if let Some(flag) = raw.cumulative.as_ref().filter(|c| *c.get_ref()) {
        if matches!(kind, IndicatorType::Percent | IndicatorType::Boolean) {
            report.at(flag.span(), format!("{path}.cumulative"), format!("показатель типа «{}» не накапливается: проценты и «да/нет» за периоды не складывают. Уберите cumulative или смените type.", type_name(kind)));
        }
        if period == Periodicity::Once {
            report.at(flag.span(), format!("{path}.cumulative"), "показатель сдают один раз (period = \"once\") — накапливать нечего: уберите cumulative или выберите период.");
        }
    }
    let target = raw
        .target
        .as_ref()
        .and_then(|t| check_target(report, t, &path, kind, period, cumulative));
    let report_deadline = match &raw.report_deadline {
        None => ReportDeadline {
            days: 10,
            unit: DayUnit::Calendar,
        },
        Some(deadline) => check_report_deadline(report, deadline, &path)?,
    };
    let _ = span;
    (report.errors.len() == errors_before).then(|| Indicator {
        key: raw.key.get_ref().clone(),
        title: raw.title.get_ref().trim().to_string(),
        unit: raw.unit.get_ref().trim().to_string(),
        kind,
        period,
        starts_at_stage: raw.starts_at_stage.get_ref().clone(),
        target,
        better: raw.better,
        cumulative,
        report_deadline,
        parts: asked_of,
    })
}

fn type_name(kind: IndicatorType) -> &'static str {
    match kind {
        IndicatorType::Integer => "integer (целое)",
        IndicatorType::Decimal => "decimal (дробное)",
        IndicatorType::Percent => "percent (процент)",
        IndicatorType::Boolean => "boolean (да/нет)",
    }
}

fn check_target(
    report: &mut Report,
    raw: &Spanned<RawTarget>,
    path: &str,
    kind: IndicatorType,
    period: Periodicity,
    cumulative: bool,
) -> Option<Target> {
    let key = format!("{path}.target");
    let target = match (raw.get_ref().per_period, raw.get_ref().overall) {
        (Some(v), None) => Target::PerPeriod(v),
        (None, Some(v)) => Target::Overall(v),
        _ => {
            report.at(raw.span(), key, "цель задаётся одним числом: { per_period = … } (на каждый период) или { overall = … } (на весь проект).");
            return None;
        }
    };
    let value = match target {
        Target::PerPeriod(v) | Target::Overall(v) => v,
    };
    let fail = |report: &mut Report, message: String| {
        report.at(raw.span(), format!("{path}.target"), message);
        None
    };
    if let Some(problem) = kind.value_problem(value) {
        let hint = match kind {
            IndicatorType::Integer if value.fract() != 0.0 => " (или type = \"decimal\")",
            _ => "",
        };
        return fail(report, format!("цель {value} невозможна: {problem}{hint}."));
    }
    if matches!(target, Target::PerPeriod(_)) && period == Periodicity::Once {
        return fail(
            report,
            "показатель сдают один раз (period = \"once\"): цель на период не имеет смысла, пишите { overall = … }."
                .into(),
        );
    }
    if matches!(target, Target::Overall(_)) && cumulative && kind == IndicatorType::Boolean {
        return fail(report, "у показателя «да/нет» нет накопленной цели.".into());
    }
    Some(target)
}

fn check_report_deadline(report: &mut Report, raw: &Spanned<RawReportDeadline>, path: &str) -> Option<ReportDeadline> {
    let key = format!("{path}.report_deadline");
    let (amount, unit) = match (&raw.get_ref().days, &raw.get_ref().working_days) {
        (Some(d), None) => (d, DayUnit::Calendar),
        (None, Some(w)) => (w, DayUnit::Working),
        _ => {
            report.at(
                raw.span(),
                key,
                "срок отчёта задаётся одним числом: { days = … } или { working_days = … } после окончания периода.",
            );
            return None;
        }
    };
    if !(1..=365).contains(amount.get_ref()) {
        report.at(
            amount.span(),
            key,
            format!(
                "{} — невозможный срок отчёта: от 1 до 365 дней после окончания периода.",
                amount.get_ref()
            ),
        );
        return None;
    }
    Some(ReportDeadline {
        days: *amount.get_ref() as u32,
        unit,
    })
}
