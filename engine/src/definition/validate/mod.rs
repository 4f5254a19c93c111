//! Whole-definition validation: everything serde cannot see on its own. Collects every
//! problem rather than stopping at the first, each located at the key it concerns.
//!
//! [`toml_error`] explains what the TOML parser and serde refuse; [`stages`] checks stages,
//! checklists and due rules; [`indicators`] the indicators; [`transitions`] the transitions,
//! their guards and the graph they make; [`branches`] the joins of parallel branches and every
//! set of current stages a project can reach.

mod branches;
mod indicators;
mod stages;
mod toml_error;
mod transitions;

use std::ops::Range;

use toml::Spanned;

use self::toml_error::{explain_toml_error, key_on_line, table_path_at};
use super::raw::RawDefinition;
use super::{Definition, DefinitionError, DefinitionErrors, ReminderPolicy, Stage};
use crate::auth::Role;

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

    let (mut stages, stage_index) = stages::check_stages(report, &raw)?;
    let parts = indicators::check_parts(report, &raw);
    let indicators = indicators::check_indicators(report, &raw, &stage_index, &parts);
    let transitions = transitions::check_transitions(report, &raw, &stages, &stage_index, &indicators);
    branches::check_joins(report, &raw, &mut stages, &stage_index, &transitions);
    transitions::check_graph(report, &raw, &stages, &stage_index, &transitions);

    let definition = Definition {
        key,
        title: raw.title.get_ref().trim().to_string(),
        description: raw.description.as_deref().map(|d| d.trim().to_string()),
        scope: raw.scope,
        reminders,
        stages,
        transitions,
        indicators,
        parts,
    };
    // The ways a project can run are explored only over a definition that is otherwise
    // sound: on a broken graph they would only repeat what is reported above.
    if report.errors.is_empty() {
        branches::check_runs(report, &raw, &definition);
    }
    report.errors.is_empty().then_some(definition)
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
    if let (Some(_), Some(chain)) = (&raw.escalate_to, &raw.escalation) {
        report.at(
            chain.span(),
            "reminders.escalation",
            "укажите что-то одно: escalate_to (сообщать сразу) или escalation (цепочка по дням).",
        );
    }
    if let Some(chain) = &raw.escalation {
        let mut steps: Vec<super::EscalationStep> = Vec::new();
        for (i, step) in chain.get_ref().iter().enumerate() {
            let step = step.get_ref();
            let key = format!("reminders.escalation[{i}]");
            let name = step.to.get_ref().as_str();
            let Some((_, to)) = super::EscalationTarget::NAMES.iter().find(|(n, _)| *n == name) else {
                report.at(
                    step.to.span(),
                    format!("{key}.to"),
                    format!(
                        "\"{name}\" — не ступень цепочки: \"owners\" (все, кому этап поручен по роли), \"coordinator\", \"director\" или \"project_responsible\" (ответственный за проект)."
                    ),
                );
                continue;
            };
            let days = *step.after_days.get_ref();
            if !(1..=365).contains(&days) {
                report.at(
                    step.after_days.span(),
                    format!("{key}.after_days"),
                    format!("{days} — не подходит: ступень срабатывает на 1–365-й день просрочки."),
                );
                continue;
            }
            if steps.iter().any(|s| s.to == *to) {
                report.at(
                    step.to.span(),
                    format!("{key}.to"),
                    format!("\"{name}\" уже есть в цепочке: оставьте одну ступень."),
                );
                continue;
            }
            steps.push(super::EscalationStep {
                to: *to,
                after_days: days as u32,
            });
        }
        policy.escalation = steps;
    }
    if let Some(roles) = &raw.escalate_to {
        if raw.escalation.is_none() {
            policy.escalation = super::EscalationStep::at_once(roles.get_ref());
        }
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
