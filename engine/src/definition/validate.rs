//! Whole-definition validation: everything serde cannot see on its own. Collects every
//! problem rather than stopping at the first, each located at the key it concerns.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;

use super::raw::{RawDefinition, RawDue, RawIndicator, RawReportDeadline, RawTarget};
use super::{
    Anchor, ChecklistItem, DayUnit, Definition, DefinitionError, DefinitionErrors, DueRule, Guards, Indicator,
    IndicatorType, ReminderPolicy, ReportDeadline, Stage, Target, Transition,
};
use crate::auth::Role;
use crate::period::Periodicity;

/// Collects located errors for one file.
struct Report<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<DefinitionError>,
}

impl<'a> Report<'a> {
    fn at(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.errors.push(DefinitionError {
            file: self.file.to_string(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        });
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

pub(super) fn parse(file: &str, text: &str) -> Result<Definition, DefinitionErrors> {
    let mut report = Report {
        file,
        text,
        errors: Vec::new(),
    };
    let raw: RawDefinition = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            let (key, message) = explain_toml_error(err.message(), key_on_line(text, span.start));
            let table = table_path_at(text, span.start);
            let key = match (table.is_empty(), key.is_empty()) {
                (true, _) => key,
                (false, true) => table,
                (false, false) => format!("{table}.{key}"),
            };
            report.at(span, key, message);
            return Err(DefinitionErrors(report.errors));
        }
    };
    let definition = check(&mut report, raw);
    if report.errors.is_empty()
        && let Some(definition) = definition
    {
        return Ok(definition);
    }
    report.errors.sort_by_key(|e| (e.line, e.column));
    Err(DefinitionErrors(report.errors))
}

/// The key assigned on the line holding byte `offset` (`owners` in `owners = ["x"]`), if any.
fn key_on_line(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) if !line.trim_start().starts_with('[') => key.trim(),
        _ => "",
    }
}

/// The path of the table that contains byte `offset`, as validation messages name it:
/// `stages[2]`, `reminders`, `transitions[0].guards`; empty at the top level.
fn table_path_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    // The header line itself belongs to its table, so look up to the end of the current line.
    let line_end = text[before.len()..].find('\n').map_or(text.len(), |i| before.len() + i);
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut current = String::new();
    for line in text[..line_end].lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).and_modify(|c| *c += 1).or_insert(0);
            current = format!("{name}[{n}]");
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            // A sub-table of the last array entry (`[transitions.guards]`) or a plain table.
            let name = name.trim();
            current = match name.rsplit_once('.') {
                Some((parent, child)) if counts.contains_key(parent) => format!("{parent}[{}].{child}", counts[parent]),
                _ => name.to_string(),
            };
        }
    }
    current
}

/// Turns serde's and toml's English into a Russian message that says what to fix, and finds
/// the key it concerns.
fn explain_toml_error(message: &str, line_key: &str) -> (String, String) {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let at_key = line_key.to_string();
    if message.starts_with("unknown field") {
        let allowed = quoted.get(1..).unwrap_or_default().join(", ");
        let key = quoted.first().copied().unwrap_or("?").to_string();
        return (
            key.clone(),
            format!(
                "неизвестный ключ «{key}»; допустимые ключи здесь: {allowed}. Исправьте опечатку или удалите ключ."
            ),
        );
    }
    if message.starts_with("missing field") {
        let key = quoted.first().copied().unwrap_or("?").to_string();
        return (
            key.clone(),
            format!("не хватает обязательного ключа «{key}»: добавьте его."),
        );
    }
    if message.starts_with("unknown variant") {
        let value = quoted.first().copied().unwrap_or("?");
        let allowed = quoted.get(1..).unwrap_or_default().join(", ");
        return (
            at_key,
            format!("недопустимое значение «{value}»; допустимые: {allowed}."),
        );
    }
    if message.contains("duplicate key") {
        let key = quoted.first().map(|s| s.to_string()).unwrap_or(at_key);
        return (
            key.clone(),
            format!("ключ «{key}» повторяется: оставьте одно значение."),
        );
    }
    if message.starts_with("invalid type") {
        return (
            at_key,
            format!(
                "неверный тип значения ({}); проверьте кавычки, числа и списки.",
                message.trim()
            ),
        );
    }
    (at_key, format!("ошибка синтаксиса TOML: {}", message.trim()))
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && key.len() <= 64
}

const KEY_RULE: &str =
    "ключ пишется латиницей, цифрами и знаками «_», «-», «.», начинается с буквы или цифры, не длиннее 64 знаков";

fn check_key(report: &mut Report, key: &Spanned<String>, path: &str) {
    if !valid_key(key.get_ref()) {
        report.at(
            key.span(),
            path,
            format!("«{}» — недопустимый ключ: {KEY_RULE}.", key.get_ref()),
        );
    }
}

fn check_title(report: &mut Report, title: &Spanned<String>, path: &str) {
    if title.get_ref().trim().is_empty() {
        report.at(title.span(), path, "пустое название: напишите, как его увидят люди.");
    }
}

fn check_roles(report: &mut Report, roles: &Spanned<Vec<Role>>, path: &str, what: &str) -> Vec<Role> {
    if roles.get_ref().is_empty() {
        report.at(
            roles.span(),
            path,
            format!("не указано, {what}: впишите \"coordinator\" и/или \"director\"."),
        );
    }
    for role in roles.get_ref() {
        if matches!(role, Role::Admin | Role::Observer) {
            report.at(
                roles.span(),
                path,
                format!(
                    "роль «{}» здесь не указывают: администратор и так может всё, наблюдатель только читает; \
                     оставьте \"coordinator\" и/или \"director\".",
                    role.as_str()
                ),
            );
        }
    }
    let mut unique = Vec::new();
    for role in roles.get_ref() {
        if !unique.contains(role) {
            unique.push(*role);
        }
    }
    unique
}

fn check(report: &mut Report, raw: RawDefinition) -> Option<Definition> {
    let key = raw.key.get_ref().clone();
    let key_ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !key.starts_with('-');
    if !key_ok {
        report.at(raw.key.span(), "key", format!("«{key}» — недопустимый ключ процесса: только строчная латиница, цифры и «-», например \"tochka-rosta\"."));
    }
    check_title(report, &raw.title, "title");

    let reminders = check_reminders(report, raw.reminders.as_ref());

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
            items.push(ChecklistItem {
                key: item.get_ref().key.get_ref().clone(),
                title: item.get_ref().title.get_ref().trim().to_string(),
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
        });
    }
    if !stages.iter().any(|s| s.terminal) {
        report.at(
            raw.key.span(),
            "stages",
            "нет завершающего этапа: отметьте последний этап terminal = true.",
        );
    }
    check_due_cycles(report, &raw, &stages);

    // Indicators (before transitions: guards name them).
    let mut indicators: Vec<Indicator> = Vec::new();
    for (i, spanned) in raw.indicators.iter().enumerate() {
        if let Some(indicator) = check_indicator(report, spanned.get_ref(), spanned.span(), i, &stage_index) {
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
    let indicator_keys: HashSet<&str> = raw
        .indicators
        .iter()
        .map(|i| i.get_ref().key.get_ref().as_str())
        .collect();

    // Transitions.
    let mut transitions: Vec<Transition> = Vec::new();
    for (i, spanned) in raw.transitions.iter().enumerate() {
        let t = spanned.get_ref();
        let path = format!("transitions[{i}]");
        let mut known = true;
        for (end, name) in [(&t.from, "from"), (&t.to, "to")] {
            if !stage_index.contains_key(end.get_ref()) {
                known = false;
                report.at(
                    end.span(),
                    format!("{path}.{name}"),
                    format!(
                        "этапа «{}» нет в процессе; есть: {}.",
                        end.get_ref(),
                        stage_list(&stages)
                    ),
                );
            }
        }
        let roles = check_roles(
            report,
            &t.roles,
            &format!("{path}.roles"),
            "кто может сделать этот переход",
        );
        if known {
            if t.from.get_ref() == t.to.get_ref() {
                report.at(
                    t.to.span(),
                    format!("{path}.to"),
                    "переход ведёт в тот же этап: укажите другой этап.",
                );
            }
            if transitions
                .iter()
                .any(|x| &x.from == t.from.get_ref() && &x.to == t.to.get_ref())
            {
                report.at(
                    t.from.span(),
                    path.to_string(),
                    format!(
                        "переход «{}» → «{}» уже объявлен: оставьте один.",
                        t.from.get_ref(),
                        t.to.get_ref()
                    ),
                );
            }
            if let Some(&from) = stage_index.get(t.from.get_ref())
                && stages[from].terminal
            {
                report.at(
                    t.from.span(),
                    format!("{path}.from"),
                    format!(
                        "этап «{}» завершающий: из него переходов не бывает. Уберите переход или terminal = true.",
                        t.from.get_ref()
                    ),
                );
            }
        }
        let mut guards = Guards::default();
        if let Some(raw_guards) = &t.guards {
            let g = raw_guards.get_ref();
            if let Some(flag) = &g.checklist_complete {
                guards.checklist_complete = *flag.get_ref();
                let empty = stage_index
                    .get(t.from.get_ref())
                    .is_some_and(|&s| stages[s].checklist.is_empty());
                if *flag.get_ref() && empty {
                    report.at(flag.span(), format!("{path}.guards.checklist_complete"), format!("у этапа «{}» нет чек-листа, проверять нечего: добавьте checklist этапу или уберите условие.", t.from.get_ref()));
                }
            }
            for (j, name) in g.indicators_reported.iter().enumerate() {
                if !indicator_keys.contains(name.get_ref().as_str()) {
                    report.at(
                        name.span(),
                        format!("{path}.guards.indicators_reported[{j}]"),
                        format!(
                            "показателя «{}» нет в процессе; есть: {}.",
                            name.get_ref(),
                            if indicator_keys.is_empty() {
                                "ни одного".to_string()
                            } else {
                                indicators.iter().map(|i| i.key.as_str()).collect::<Vec<_>>().join(", ")
                            }
                        ),
                    );
                } else if !guards.indicators_reported.contains(name.get_ref()) {
                    guards.indicators_reported.push(name.get_ref().clone());
                }
            }
            guards.comment_required = g.comment_required;
        }
        transitions.push(Transition {
            from: t.from.get_ref().clone(),
            to: t.to.get_ref().clone(),
            title: t.title.clone(),
            roles,
            guards,
        });
    }

    // Reachability and dead ends.
    let mut reachable = vec![false; stages.len()];
    let mut queue = VecDeque::from([0usize]);
    reachable[0] = true;
    while let Some(s) = queue.pop_front() {
        for t in transitions.iter().filter(|t| t.from == stages[s].key) {
            if let Some(&to) = stage_index.get(&t.to)
                && !reachable[to]
            {
                reachable[to] = true;
                queue.push_back(to);
            }
        }
    }
    for (i, stage) in stages.iter().enumerate() {
        let span = raw.stages[i].get_ref().key.span();
        if !reachable[i] {
            report.at(
                span.clone(),
                format!("stages[{i}]"),
                format!(
                    "в этап «{}» не ведёт ни один переход от первого этапа «{}»: добавьте переход или удалите этап.",
                    stage.key, stages[0].key
                ),
            );
        }
        if !stage.terminal && !transitions.iter().any(|t| t.from == stage.key) {
            report.at(span, format!("stages[{i}]"), format!("из этапа «{}» нет ни одного перехода, а он не завершающий: проект застрянет. Добавьте переход или terminal = true.", stage.key));
        }
    }

    report.errors.is_empty().then(|| Definition {
        key,
        title: raw.title.get_ref().trim().to_string(),
        description: raw.description.map(|d| d.trim().to_string()),
        scope: raw.scope,
        reminders,
        stages,
        transitions,
        indicators,
    })
}

fn stage_list(stages: &[Stage]) -> String {
    stages.iter().map(|s| s.key.as_str()).collect::<Vec<_>>().join(", ")
}

fn check_reminders(report: &mut Report, raw: Option<&Spanned<super::raw::RawReminders>>) -> ReminderPolicy {
    let mut policy = ReminderPolicy::default();
    let Some(raw) = raw else { return policy };
    let raw = raw.get_ref();
    if let Some(days) = &raw.before_days {
        let mut list: Vec<u32> = Vec::new();
        for &d in days.get_ref() {
            if !(1..=365).contains(&d) {
                report.at(
                    days.span(),
                    "reminders.before_days",
                    format!("{d} — не подходит: дни до срока считаются от 1 до 365."),
                );
            } else if list.contains(&(d as u32)) {
                report.at(
                    days.span(),
                    "reminders.before_days",
                    format!("{d} повторяется: оставьте одно."),
                );
            } else {
                list.push(d as u32);
            }
        }
        list.sort_unstable_by(|a, b| b.cmp(a));
        policy.before_days = list;
    }
    if let Some(every) = &raw.overdue_every_days {
        if (1..=365).contains(every.get_ref()) {
            policy.overdue_every_days = *every.get_ref() as u32;
        } else {
            report.at(
                every.span(),
                "reminders.overdue_every_days",
                "повтор напоминаний о просрочке — раз в 1–365 дней.",
            );
        }
    }
    if let Some(roles) = &raw.escalate_to {
        policy.escalate_to = roles.get_ref().clone();
        if roles
            .get_ref()
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Observer))
        {
            report.at(
                roles.span(),
                "reminders.escalate_to",
                "сообщать о просрочке можно \"coordinator\" и/или \"director\".",
            );
        }
    }
    policy
}

fn parse_due(
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

fn check_indicator(
    report: &mut Report,
    raw: &RawIndicator,
    span: Range<usize>,
    i: usize,
    stages: &HashMap<String, usize>,
) -> Option<Indicator> {
    let path = format!("indicators[{i}]");
    let errors_before = report.errors.len();
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
    if !value.is_finite() || value < 0.0 {
        return fail(
            report,
            format!("цель {value} невозможна: нужна неотрицательная величина."),
        );
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
    match kind {
        IndicatorType::Percent if value > 100.0 => {
            fail(report, format!("цель {value} % невозможна: процент — от 0 до 100."))
        }
        IndicatorType::Integer if value.fract() != 0.0 => fail(
            report,
            format!(
                "цель {value} дробная, а показатель целый (type = \"integer\"): укажите целое число или type = \"decimal\"."
            ),
        ),
        IndicatorType::Boolean if value != 0.0 && value != 1.0 => fail(
            report,
            format!("цель {value} не подходит показателю «да/нет»: 1 — «да», 0 — «нет»."),
        ),
        _ => Some(target),
    }
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
