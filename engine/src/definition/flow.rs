//! How a project moves through a definition with parallel branches: the one rule behind
//! transitions at run time and behind validation.
//!
//! A project has a set of current stages, its [`Marking`]. Taking a transition out of a
//! current stage closes that stage and leads to each stage the transition names (one, or
//! several for a fork):
//! - an ordinary stage opens at once;
//! - a stage that is already current takes the branch in: the branch ends there;
//! - a **join** (a stage with `join = [...]`) opens when the branch comes from one of the
//!   stages it waits for and no current stage can still reach one of them without passing
//!   through the join; otherwise the branch ends and the join waits for the others. A branch
//!   from a stage the join does not wait for ends there without opening it;
//! - a terminal stage completes the project.
//!
//! This is the synchronizing merge of the workflow patterns (van der Aalst et al., WCP-7)
//! limited to the listed branches: a join waits only for branches that are running or can
//! still start. So a return for revision that reruns one branch reopens the join when that
//! branch is done, without waiting for the branches that were not rerun, and nothing but the
//! set of current stages has to be stored. Validation explores every set of current stages a
//! definition can reach with this same [`Definition::fire`], so what it accepts is exactly what
//! runs.

use super::{Definition, Transition};

/// At most this many stages in a definition: a marking is one bit a stage.
pub const MAX_STAGES: usize = 64;

/// The set of a project's current stages, by their index in the definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Marking(u64);

impl Marking {
    pub fn with(self, stage: usize) -> Self {
        Marking(self.0 | bit(stage))
    }
    pub fn without(self, stage: usize) -> Self {
        Marking(self.0 & !bit(stage))
    }
    pub fn contains(self, stage: usize) -> bool {
        self.0 & bit(stage) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The current stages, in the definition's order.
    pub fn stages(self) -> impl Iterator<Item = usize> {
        (0..MAX_STAGES).filter(move |&i| self.contains(i))
    }
    fn overlaps(self, mask: u64) -> bool {
        self.0 & mask != 0
    }
}

fn bit(stage: usize) -> u64 {
    if stage < MAX_STAGES { 1 << stage } else { 0 }
}

/// What taking a transition does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The current stages afterwards.
    pub marking: Marking,
    /// The stages the transition opened, in the order it names them.
    pub opened: Vec<usize>,
    /// Joins the branch reached without opening them: they wait for other branches (or, for a
    /// branch they do not wait for, simply take it in).
    pub waiting: Vec<usize>,
    /// Stages already current that took the branch in.
    pub merged: Vec<usize>,
    /// A terminal stage was reached: the project is complete.
    pub finished: bool,
}

impl Definition {
    /// The marking of the current stages named by `keys` (unknown keys are left out).
    pub fn marking<'a>(&self, keys: impl IntoIterator<Item = &'a str>) -> Marking {
        keys.into_iter()
            .filter_map(|k| self.stage_index(k))
            .fold(Marking::default(), Marking::with)
    }

    /// Where every project starts: in the first stage.
    pub fn initial_marking(&self) -> Marking {
        Marking::default().with(0)
    }

    /// Every set of current stages a project of this definition can be in (validation has
    /// bounded their number). Moving a project to another version keeps its current stages
    /// only if they are one of these.
    pub fn reachable_markings(&self) -> std::collections::HashSet<Marking> {
        let mut seen = std::collections::HashSet::from([self.initial_marking()]);
        let mut queue = vec![self.initial_marking()];
        while let Some(marking) = queue.pop() {
            for s in marking.stages() {
                for t in self.transitions_from(&self.stages[s].key) {
                    let fired = self.fire(marking, t);
                    if !fired.finished && !fired.marking.is_empty() && seen.insert(fired.marking) {
                        queue.push(fired.marking);
                    }
                }
            }
        }
        seen
    }

    /// The stages that keep join `join` waiting while one of them is current: those that can
    /// reach a stage it waits for without passing through the join itself.
    pub fn holding_back(&self, join: usize) -> u64 {
        let Some(stage) = self.stages.get(join) else {
            return 0;
        };
        let mut mask = 0u64;
        let mut queue: Vec<usize> = stage.join.iter().filter_map(|k| self.stage_index(k)).collect();
        for &i in &queue {
            mask |= bit(i);
        }
        while let Some(i) = queue.pop() {
            let key = &self.stages[i].key;
            for t in self.transitions.iter().filter(|t| t.to.iter().any(|to| to == key)) {
                if let Some(from) = self.stage_index(&t.from)
                    && from != join
                    && mask & bit(from) == 0
                {
                    mask |= bit(from);
                    queue.push(from);
                }
            }
        }
        mask
    }

    /// The current stages join `join` is waiting for, in the definition's order.
    pub fn waited_for(&self, marking: Marking, join: usize) -> Vec<usize> {
        if self.stages.get(join).is_none_or(|s| s.join.is_empty()) || marking.contains(join) {
            return Vec::new();
        }
        let holding = self.holding_back(join);
        marking.stages().filter(|&i| bit(i) & holding != 0).collect()
    }

    /// Takes `transition` out of a current stage of `marking` (the caller has checked it is
    /// current). See the module docs for the rule.
    pub fn fire(&self, marking: Marking, transition: &Transition) -> Fired {
        let from = self.stage_index(&transition.from);
        let mut marking = from.map_or(marking, |f| marking.without(f));
        let mut fired = Fired {
            marking,
            opened: Vec::new(),
            waiting: Vec::new(),
            merged: Vec::new(),
            finished: false,
        };
        for key in &transition.to {
            let Some(to) = self.stage_index(key) else { continue };
            let stage = &self.stages[to];
            if marking.contains(to) {
                fired.merged.push(to);
                continue;
            }
            if !stage.join.is_empty() {
                let awaited = stage.join.contains(&transition.from);
                if !awaited || marking.overlaps(self.holding_back(to)) {
                    fired.waiting.push(to);
                    continue;
                }
            }
            fired.opened.push(to);
            if stage.terminal {
                fired.finished = true;
            } else {
                marking = marking.with(to);
            }
        }
        fired.marking = marking;
        fired
    }

    /// Whether stage `before` comes ahead of stage `after` on every way forward: `after` is
    /// reachable from `before` by transitions that lead to later stages of the file. Parallel
    /// branches do not come ahead of one another, so their due dates may be in any order.
    pub fn precedes(&self, before: usize, after: usize) -> bool {
        if before >= after {
            return false;
        }
        let mut seen = bit(before);
        let mut queue = vec![before];
        while let Some(i) = queue.pop() {
            for t in self.transitions.iter().filter(|t| t.from == self.stages[i].key) {
                for to in t.to.iter().filter_map(|k| self.stage_index(k)) {
                    if to == after && to > i {
                        return true;
                    }
                    if to > i && to < after && seen & bit(to) == 0 {
                        seen |= bit(to);
                        queue.push(to);
                    }
                }
            }
        }
        false
    }
}
