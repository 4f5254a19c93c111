//! Transitions, their guards, and the graph they make: reachability and dead ends.

use std::collections::{HashMap, HashSet, VecDeque};

use toml::Spanned;

use super::{Report, check_roles, stage_list};
use crate::definition::raw::RawDefinition;
use crate::definition::{Guards, Indicator, Stage, Transition};

/// Checks every transition and its guards.
pub(super) fn check_transitions(
    report: &mut Report,
    raw: &RawDefinition,
    stages: &[Stage],
    stage_index: &HashMap<String, usize>,
    indicators: &[Indicator],
) -> Vec<Transition> {
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
        let targets = read_targets(report, &t.to, &format!("{path}.to"));
        let mut known = true;
        if !stage_index.contains_key(t.from.get_ref()) {
            known = false;
            report.at(
                t.from.span(),
                format!("{path}.from"),
                format!(
                    "этапа «{}» нет в процессе; есть: {}.",
                    t.from.get_ref(),
                    stage_list(stages)
                ),
            );
        }
        for target in &targets {
            if !stage_index.contains_key(target) {
                known = false;
                report.at(
                    t.to.span(),
                    format!("{path}.to"),
                    format!("этапа «{target}» нет в процессе; есть: {}.", stage_list(stages)),
                );
            }
        }
        let roles = check_roles(
            report,
            &t.roles,
            &format!("{path}.roles"),
            "кто может сделать этот переход",
        );
        if known && !targets.is_empty() {
            if targets.iter().any(|to| to == t.from.get_ref()) {
                report.at(
                    t.to.span(),
                    format!("{path}.to"),
                    "переход ведёт в тот же этап: укажите другой этап.",
                );
            }
            if let Some(to) = transitions
                .iter()
                .filter(|x| &x.from == t.from.get_ref())
                .flat_map(|x| x.to.iter())
                .find(|to| targets.contains(to))
            {
                report.at(
                    t.from.span(),
                    path.to_string(),
                    format!("переход «{}» → «{to}» уже объявлен: оставьте один.", t.from.get_ref(),),
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
            to: targets,
            title: t.title.clone(),
            roles,
            guards,
        });
    }
    transitions
}

/// Every stage reachable from the first; every non-terminal stage with a way out.
pub(super) fn check_graph(
    report: &mut Report,
    raw: &RawDefinition,
    stages: &[Stage],
    stage_index: &HashMap<String, usize>,
    transitions: &[Transition],
) {
    // Reachability and dead ends.
    let mut reachable = vec![false; stages.len()];
    let mut queue = VecDeque::from([0usize]);
    reachable[0] = true;
    while let Some(s) = queue.pop_front() {
        for t in transitions.iter().filter(|t| t.from == stages[s].key) {
            for to in t.to.iter().filter_map(|k| stage_index.get(k).copied()) {
                if !reachable[to] {
                    reachable[to] = true;
                    queue.push_back(to);
                }
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
}

/// The stages a transition leads to: `to = "stage"`, or `to = ["a", "b"]` for a fork. Reports
/// a value of another shape, an empty list and a stage named twice.
fn read_targets(report: &mut Report, to: &Spanned<toml::Value>, path: &str) -> Vec<String> {
    const SHAPE: &str = "укажите ключ этапа (to = \"work\") или, чтобы открыть параллельные ветви, \
                         список ключей (to = [\"premises\", \"equipment\"]).";
    let mut out: Vec<String> = Vec::new();
    match to.get_ref() {
        toml::Value::String(one) => out.push(one.clone()),
        toml::Value::Array(many) => {
            for value in many {
                let Some(key) = value.as_str() else {
                    report.at(to.span(), path, format!("в списке этапов не ключ этапа: {SHAPE}"));
                    return Vec::new();
                };
                if out.iter().any(|k| k == key) {
                    report.at(
                        to.span(),
                        path,
                        format!("этап «{key}» назван в развилке дважды: в одну ветвь ведут один раз, уберите повтор."),
                    );
                } else {
                    out.push(key.to_string());
                }
            }
            if many.is_empty() {
                report.at(to.span(), path, format!("пустой список этапов: {SHAPE}"));
            }
        }
        _ => report.at(to.span(), path, format!("неверное значение: {SHAPE}")),
    }
    out
}
