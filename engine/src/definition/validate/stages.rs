//! Stages, their checklists and due rules.

use std::collections::HashMap;

use chrono::NaiveDate;
use toml::Spanned;

use super::{Report, check_key, check_roles, check_title};
use crate::definition::raw::{RawDefinition, RawDue};
use crate::definition::{Anchor, ChecklistItem, DayUnit, DueRule, Stage};

/// Checks the stages; `None` when there are none at all. Returns them with their index by key.
pub(super) fn check_stages(report: &mut Report, raw: &RawDefinition) -> Option<(Vec<Stage>, HashMap<String, usize>)> {
    // Stages.
    if raw.stages.is_empty() {
        report.at(
            raw.key.span(),
            "stages",
            "в процессе нет ни одного этапа: добавьте хотя бы два раздела [[stages]].",
        );
        return None;
    }
    let mut stage_index: HashMap<String, usize> = HashMap::new();
    for (i, stage) in raw.stages.iter().enumerate() {
        let path = format!("stages[{i}].key");
        check_key(report, &stage.get_ref().key, &path);
        if let Some(first) = stage_index.get(stage.get_ref().key.get_ref()) {
            report.at(
                stage.get_ref().key.span(),
                path,
                format!(
                    "этап «{}» уже объявлен (stages[{first}]): у каждого этапа свой ключ.",
                    stage.get_ref().key.get_ref()
                ),
            );
        } else {
            stage_index.insert(stage.get_ref().key.get_ref().clone(), i);
        }
    }
    let mut stages = Vec::new();
    for (i, spanned) in raw.stages.iter().enumerate() {
        let stage = spanned.get_ref();
        check_title(report, &stage.title, &format!("stages[{i}].title"));
        let owners = check_roles(
            report,
            &stage.owners,
            &format!("stages[{i}].owners"),
            "кто отвечает за этап",
        );
        let mut items: Vec<ChecklistItem> = Vec::new();
        for (j, item) in stage.checklist.iter().enumerate() {
            let path = format!("stages[{i}].checklist[{j}]");
            check_key(report, &item.get_ref().key, &format!("{path}.key"));
            check_title(report, &item.get_ref().title, &format!("{path}.title"));
            if items.iter().any(|it| &it.key == item.get_ref().key.get_ref()) {
                report.at(
                    item.get_ref().key.span(),
                    format!("{path}.key"),
                    format!(
                        "пункт «{}» уже есть в этом этапе: у каждого пункта свой ключ.",
                        item.get_ref().key.get_ref()
                    ),
                );
            }
            let raw_item = item.get_ref();
            let due = raw_item.due.as_ref().and_then(|due| {
                // A task counts from its stage (`stage_entered`), the project's start or a
                // stage's due date; an annual or launch-time date belongs to stages.
                let rule = parse_due(report, due, &format!("{path}.due"), usize::MAX, &stage_index)?;
                match rule {
                    DueRule::Annual { .. } | DueRule::AtLaunch => {
                        report.at(
                            due.span(),
                            format!("{path}.due"),
                            "срок задачи считается от этапа или проекта (days/working_days с after/after_stage/before_stage) или задаётся датой; annual и at_launch — только у этапов.",
                        );
                        None
                    }
                    other => Some(other),
                }
            });
            let owners = raw_item.owners.as_ref().map_or_else(Vec::new, |roles| {
                check_roles(report, roles, &format!("{path}.owners"), "кто выполняет задачу")
            });
            items.push(ChecklistItem {
                key: raw_item.key.get_ref().clone(),
                title: raw_item.title.get_ref().trim().to_string(),
                due,
                owners,
                document: raw_item.document,
            });
        }
        let due = stage
            .due
            .as_ref()
            .and_then(|due| parse_due(report, due, &format!("stages[{i}].due"), i, &stage_index));
        if i == 0 && stage.terminal {
            report.at(
                stage.key.span(),
                format!("stages[{i}].terminal"),
                "первый этап не может быть завершающим: проект закончился бы, не начавшись.",
            );
        }
        stages.push(Stage {
            key: stage.key.get_ref().clone(),
            title: stage.title.get_ref().trim().to_string(),
            description: stage.description.clone(),
            owners,
            checklist: items,
            due,
            terminal: stage.terminal,
            // Read with the transitions, which it depends on (`check_joins`).
            join: Vec::new(),
        });
    }
    if !stages.iter().any(|s| s.terminal) {
        report.at(
            raw.key.span(),
            "stages",
            "нет завершающего этапа: отметьте последний этап terminal = true.",
        );
    }
    // A task counted from a stage's due date needs that stage to have one.
    for (i, stage) in stages.iter().enumerate() {
        for (j, item) in stage.checklist.iter().enumerate() {
            let Some(DueRule::Offset {
                anchor: Anchor::StageDue(key),
                ..
            }) = &item.due
            else {
                continue;
            };
            if stages.iter().any(|s| &s.key == key && s.due.is_none())
                && let Some(due) = &raw.stages[i].get_ref().checklist[j].get_ref().due
            {
                report.at(
                    due.span(),
                    format!("stages[{i}].checklist[{j}].due"),
                    format!("у этапа «{key}» нет срока: срок задачи не от чего отсчитать."),
                );
            }
        }
    }
    check_due_cycles(report, raw, &stages);
    Some((stages, stage_index))
}

pub(super) fn parse_due(
    report: &mut Report,
    due: &Spanned<RawDue>,
    path: &str,
    index: usize,
    stages: &HashMap<String, usize>,
) -> Option<DueRule> {
    let raw = due.get_ref();
    let kinds = [
        raw.date.is_some(),
        raw.days.is_some() || raw.working_days.is_some(),
        raw.annual.is_some(),
        raw.at_launch.is_some(),
    ];
    let count = kinds.iter().filter(|k| **k).count();
    if count != 1 {
        report.at(due.span(), path, "срок задаётся ровно одним способом: date, days/working_days с after/after_stage/before_stage, annual или at_launch (см. workflows/README.md).");
        return None;
    }
    let anchors = [
        raw.after.is_some(),
        raw.after_stage.is_some(),
        raw.before_stage.is_some(),
    ]
    .iter()
    .filter(|a| **a)
    .count();
    if let Some(date) = &raw.date {
        if anchors > 0 {
            report.at(
                due.span(),
                path,
                "у фиксированной даты не бывает after/after_stage/before_stage: уберите их.",
            );
        }
        let text = match date.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(dt) => dt.to_string(),
            other => other.to_string(),
        };
        return match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(date) => Some(DueRule::Fixed { date }),
            Err(_) => {
                report.at(
                    date.span(),
                    format!("{path}.date"),
                    format!("«{text}» — не дата: пишите ГГГГ-ММ-ДД, например \"2025-09-01\"."),
                );
                None
            }
        };
    }
    if let Some(annual) = &raw.annual {
        if anchors > 0 {
            report.at(
                due.span(),
                path,
                "ежегодная дата отсчитывается от начала проекта: уберите after/after_stage/before_stage.",
            );
        }
        let parsed = annual.get_ref().split_once('-').and_then(|(m, d)| {
            let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
            (m != 2 || d != 29).then_some(())?;
            NaiveDate::from_ymd_opt(2023, m, d).map(|_| (m, d))
        });
        return match parsed {
            Some((month, day)) => Some(DueRule::Annual { month, day }),
            None => {
                report.at(annual.span(), format!("{path}.annual"), format!("«{}» — не день года: пишите ММ-ДД, например \"09-01\" (29 февраля не подходит: его нет в обычные годы).", annual.get_ref()));
                None
            }
        };
    }
    if let Some(flag) = &raw.at_launch {
        if anchors > 0 || !*flag.get_ref() {
            report.at(
                due.span(),
                path,
                "at_launch пишется как { at_launch = true }, без других ключей.",
            );
            return None;
        }
        return Some(DueRule::AtLaunch);
    }
    // An offset.
    let (amount, unit) = match (&raw.days, &raw.working_days) {
        (Some(d), None) => (d, DayUnit::Calendar),
        (None, Some(w)) => (w, DayUnit::Working),
        _ => {
            report.at(
                due.span(),
                path,
                "укажите что-то одно: days (календарные дни) или working_days (рабочие дни).",
            );
            return None;
        }
    };
    let field = if unit == DayUnit::Calendar {
        "days"
    } else {
        "working_days"
    };
    if !(1..=3650).contains(amount.get_ref()) {
        report.at(
            amount.span(),
            format!("{path}.{field}"),
            format!(
                "{} — невозможный срок: число дней от 1 до 3650 (чтобы считать назад, используйте before_stage).",
                amount.get_ref()
            ),
        );
        return None;
    }
    let days = *amount.get_ref() as i32;
    if anchors != 1 {
        report.at(due.span(), path, "укажите, от чего считать: after = \"project_start\" или \"stage_entered\", after_stage = \"<этап>\" или before_stage = \"<этап>\".");
        return None;
    }
    if let Some(after) = &raw.after {
        return match after.get_ref().as_str() {
            "project_start" => Some(DueRule::Offset {
                days,
                unit,
                anchor: Anchor::ProjectStart,
            }),
            "stage_entered" => Some(DueRule::Offset {
                days,
                unit,
                anchor: Anchor::StageEntered,
            }),
            other => {
                report.at(after.span(), format!("{path}.after"), format!("«{other}» — неизвестная точка отсчёта: \"project_start\" или \"stage_entered\"; от срока другого этапа — after_stage = \"<этап>\"."));
                None
            }
        };
    }
    let (stage, sign, name) = match (&raw.after_stage, &raw.before_stage) {
        (Some(s), _) => (s, 1, "after_stage"),
        (_, Some(s)) => (s, -1, "before_stage"),
        _ => return None,
    };
    match stages.get(stage.get_ref()) {
        None => {
            report.at(
                stage.span(),
                format!("{path}.{name}"),
                format!("этапа «{}» нет в процессе.", stage.get_ref()),
            );
            None
        }
        Some(&other) if other == index => {
            report.at(
                stage.span(),
                format!("{path}.{name}"),
                "срок этапа не может отсчитываться от него самого: укажите другой этап.",
            );
            None
        }
        Some(_) => Some(DueRule::Offset {
            days: sign * days,
            unit,
            anchor: Anchor::StageDue(stage.get_ref().clone()),
        }),
    }
}

/// A stage's due date may depend on another's: directly (`after_stage`, `before_stage`), or,
/// for `stage_entered` before the stage is entered, on the due date of the nearest earlier
/// stage that has one. A cycle in that graph has no solution.
fn check_due_cycles(report: &mut Report, raw: &RawDefinition, stages: &[Stage]) {
    let deps: Vec<Option<usize>> = (0..stages.len())
        .map(|i| crate::schedule::due_dependency(stages, i))
        .collect();
    for start in 0..stages.len() {
        let mut path = vec![start];
        let mut current = start;
        while let Some(next) = deps[current] {
            if next == start {
                // Report each cycle once, at its first stage.
                if path.iter().all(|&p| p >= start) {
                    let names: Vec<&str> = path.iter().chain([&start]).map(|&i| stages[i].key.as_str()).collect();
                    let span = raw.stages[start]
                        .get_ref()
                        .due
                        .as_ref()
                        .map_or_else(|| raw.stages[start].get_ref().key.span(), |d| d.span());
                    report.at(span, format!("stages[{start}].due"), format!("сроки этапов зависят друг от друга по кругу: {}. Задайте одному из них срок от начала проекта или дату.", names.join(" → ")));
                }
                break;
            }
            if path.contains(&next) || path.len() > stages.len() {
                break;
            }
            path.push(next);
            current = next;
        }
    }
    for (i, stage) in stages.iter().enumerate() {
        if let Some(DueRule::Offset {
            anchor: Anchor::StageDue(other),
            ..
        }) = &stage.due
            && stages.iter().find(|s| &s.key == other).is_some_and(|s| s.due.is_none())
        {
            let span = raw.stages[i].get_ref().due.as_ref().map_or(0..0, |d| d.span());
            report.at(span, format!("stages[{i}].due"), format!("срок считается от срока этапа «{other}», а у него срока нет: задайте ему due или считайте от другого этапа."));
        }
    }
}
