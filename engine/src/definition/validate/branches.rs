//! Parallel branches: the joins where they meet, and every set of current stages a project
//! can reach (the rule is [`crate::definition::flow`]). Finds the shapes a person gets wrong:
//! a join that can never open, two branches in one ordinary stage, an exit that leaves a
//! branch open, and a branch that arrives where nobody waits for it.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{Report, stage_list};
use crate::definition::flow::MAX_STAGES;
use crate::definition::raw::RawDefinition;
use crate::definition::{Definition, Marking, Stage, Transition};

/// More sets of current stages than this and the definition is refused as too tangled for
/// people to follow (the built-in workflows have a few dozen).
const MAX_MARKINGS: usize = 20_000;

/// Reads each stage's `join`: `"all"` (every stage with a transition into it) or a list of
/// such stages.
pub(super) fn check_joins(
    report: &mut Report,
    raw: &RawDefinition,
    stages: &mut [Stage],
    stage_index: &HashMap<String, usize>,
    transitions: &[Transition],
) {
    if stages.len() > MAX_STAGES {
        report.at(
            raw.key.span(),
            "stages",
            format!(
                "в процессе {} этапов, а можно не больше {MAX_STAGES}: разделите его на несколько процессов.",
                stages.len()
            ),
        );
    }
    for (i, spanned) in raw.stages.iter().enumerate() {
        let Some(join) = &spanned.get_ref().join else { continue };
        let path = format!("stages[{i}].join");
        let key = stages[i].key.clone();
        let mut predecessors: Vec<&str> = Vec::new();
        for stage in stages.iter() {
            if transitions.iter().any(|t| t.from == stage.key && t.to.contains(&key)) {
                predecessors.push(&stage.key);
            }
        }
        let listed: Vec<String> = match join.get_ref() {
            toml::Value::String(all) if all == "all" => {
                if predecessors.len() < 2 {
                    report.at(
                        join.span(),
                        path.as_str(),
                        format!(
                            "в этап «{key}» ведёт {}, а слияние (join) нужно там, где сходятся параллельные ветви: уберите join.",
                            if predecessors.is_empty() {
                                "ни одного перехода".to_string()
                            } else {
                                format!("только переход из «{}»", predecessors[0])
                            }
                        ),
                    );
                }
                predecessors.iter().map(|s| s.to_string()).collect()
            }
            toml::Value::Array(list) if !list.is_empty() => {
                let mut out: Vec<String> = Vec::new();
                for value in list {
                    let Some(name) = value.as_str() else {
                        report.at(join.span(), path.as_str(), JOIN_SHAPE);
                        continue;
                    };
                    if !stage_index.contains_key(name) {
                        report.at(
                            join.span(),
                            path.as_str(),
                            format!("этапа «{name}» нет в процессе; есть: {}.", stage_list(stages)),
                        );
                    } else if !predecessors.contains(&name) {
                        report.at(
                            join.span(),
                            path.as_str(),
                            format!(
                                "из этапа «{name}» нет перехода в «{key}»: слияние ждёт только тех, кто в него ведёт ({}).",
                                if predecessors.is_empty() {
                                    "таких нет".to_string()
                                } else {
                                    predecessors.join(", ")
                                }
                            ),
                        );
                    } else if out.iter().any(|k| k == name) {
                        report.at(
                            join.span(),
                            path.as_str(),
                            format!("этап «{name}» назван дважды: оставьте один раз."),
                        );
                    } else {
                        out.push(name.to_string());
                    }
                }
                out
            }
            _ => {
                report.at(join.span(), path.as_str(), JOIN_SHAPE);
                Vec::new()
            }
        };
        if i == 0 {
            report.at(
                join.span(),
                path.as_str(),
                "первый этап не может быть слиянием: с него проект начинается.",
            );
        }
        stages[i].join = listed;
    }
}

const JOIN_SHAPE: &str = "join — это \"all\" (ждать все этапы, из которых сюда ведут переходы) \
     или список таких этапов: join = [\"premises\", \"equipment\"].";

/// Runs the definition through every set of current stages it can reach and reports, each
/// once, the transitions and joins that would leave a project stuck or half-finished.
pub(super) fn check_runs(report: &mut Report, raw: &RawDefinition, definition: &Definition) {
    let stages = definition.stages();
    let title = |i: usize| format!("«{}»", stages[i].key);
    let list = |m: Marking| m.stages().map(title).collect::<Vec<_>>().join(", ");
    let transition_index: HashMap<*const Transition, usize> = definition
        .transitions()
        .iter()
        .enumerate()
        .map(|(i, t)| (t as *const Transition, i))
        .collect();
    let mut reported: HashSet<(usize, &str)> = HashSet::new();
    let mut opened = vec![false; stages.len()];
    opened[0] = true;
    let mut seen: HashSet<Marking> = HashSet::from([definition.initial_marking()]);
    let mut queue = VecDeque::from([definition.initial_marking()]);
    while let Some(marking) = queue.pop_front() {
        for s in marking.stages() {
            for t in definition.transitions_from(&stages[s].key) {
                let ti = transition_index[&(t as *const Transition)];
                let at = raw.transitions[ti].get_ref();
                let fired = definition.fire(marking, t);
                for &o in &fired.opened {
                    opened[o] = true;
                }
                for &m in fired.merged.iter().filter(|&&m| stages[m].join.is_empty()) {
                    if reported.insert((ti, "merged")) {
                        report.at(
                            at.to.span(),
                            format!("transitions[{ti}].to"),
                            format!(
                                "переход из {} ведёт в этап {}, когда тот уже идёт в другой ветви: \
                                 две ветви в одном этапе. Сделайте {} слиянием (join) или разведите ветви.",
                                title(s),
                                title(m),
                                title(m)
                            ),
                        );
                    }
                }
                if fired.finished {
                    if !fired.marking.is_empty() && reported.insert((ti, "open")) {
                        report.at(
                            at.to.span(),
                            format!("transitions[{ti}].to"),
                            format!(
                                "переход завершает проект, пока ещё идут параллельные этапы {}: \
                                 сведите ветви в этап-слияние (join) до завершающего этапа.",
                                list(fired.marking)
                            ),
                        );
                    }
                    continue;
                }
                if fired.marking.is_empty() {
                    for &j in &fired.waiting {
                        if reported.insert((j, "stuck")) {
                            let span = raw.stages[j]
                                .get_ref()
                                .join
                                .as_ref()
                                .map_or_else(|| raw.stages[j].get_ref().key.span(), |v| v.span());
                            report.at(
                                span,
                                format!("stages[{j}].join"),
                                format!(
                                    "ветвь из {} приходит в слияние {}, когда других ветвей уже нет, \
                                     а слияние её не ждёт (join = [{}]): проект остановится. \
                                     Добавьте {} в join или ведите эту ветвь в другой этап.",
                                    title(s),
                                    title(j),
                                    stages[j].join.join(", "),
                                    title(s)
                                ),
                            );
                        }
                    }
                    continue;
                }
                if seen.insert(fired.marking) {
                    if seen.len() > MAX_MARKINGS {
                        report.at(
                            raw.key.span(),
                            "transitions",
                            format!(
                                "у процесса больше {MAX_MARKINGS} сочетаний одновременно идущих этапов: \
                                 развилок слишком много, чтобы за ними уследить. Упростите ветвление."
                            ),
                        );
                        return;
                    }
                    queue.push_back(fired.marking);
                }
            }
        }
    }
    for (j, stage) in stages.iter().enumerate() {
        if opened[j] || stage.join.is_empty() || reported.contains(&(j, "stuck")) {
            continue;
        }
        let span = raw.stages[j]
            .get_ref()
            .join
            .as_ref()
            .map_or_else(|| raw.stages[j].get_ref().key.span(), |v| v.span());
        report.at(
            span,
            format!("stages[{j}].join"),
            format!(
                "слияние «{}» не открывается ни при каком ходе проекта: ветви [{}] не доходят до него вместе. \
                 Проверьте join и переходы.",
                stage.key,
                stage.join.join(", ")
            ),
        );
    }
}
