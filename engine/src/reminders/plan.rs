//! Planning: which reminders are due now. A pure function of the state and `now`, tested
//! without a database or a clock.
//!
//! For each active project, in its district's time zone and calendar:
//! - **due soon** — the current stage's due date is `d` days away and `d` is within the
//!   workflow's thresholds (default 7/3/1): one reminder for the nearest threshold not yet
//!   passed (5 days left → the 7-day reminder; 2 days → the 3-day one), to the person named
//!   responsible for the stage, or, when nobody is (or they are no longer active), to the
//!   holders of the stage's owner roles;
//! - **overdue** — past the due date: one reminder now and again every
//!   `overdue_every_days`, to the named person, or the owners, and escalated up the
//!   workflow's chain (`escalation`: the owners when a person is named, the coordinators, the
//!   directors, the project's responsible), each step from its own day overdue on — a step
//!   joining later gets its first reminder on the day it joins;
//! - **report missing** — an organization owes a report whose deadline has passed (the last
//!   ended period, or a once-only report due with its start stage): to its directors, again
//!   every `overdue_every_days`.
//!
//! A tick after downtime sees only what is due now — the nearest threshold, the current
//! overdue repeat — so it neither skips a reminder nor sends every missed one. Each item's
//! dedupe key names the project, the stage (with its due date, so a rescheduled stage is
//! reminded afresh) or the indicator and period, the kind, the threshold and the recipient.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::item::{ReminderItem, ReminderKind};
use crate::auth::Role;
use crate::definition::{Definition, EscalationTarget};
use crate::model::{Project, StagePlan};

/// Someone reminders can go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub district_id: Option<i64>,
    pub organization_id: Option<i64>,
}

/// What planning needs to know about one active project.
pub struct ProjectState<'a> {
    pub project: &'a Project,
    pub definition: &'a Definition,
    pub district_name: &'a str,
    /// Today in the project's district.
    pub today: NaiveDate,
    pub plans: &'a [StagePlan],
    /// The reports that exist among those owed: (indicator key, organization, period).
    pub reported: &'a HashSet<(String, i64, String)>,
    /// The report owed per indicator now, if any: (indicator key, period, deadline).
    pub owed: Vec<(String, String, NaiveDate)>,
    pub organization_names: &'a HashMap<i64, String>,
    /// The district's calendar (for the provisional mark of a date, and tasks' dates).
    pub calendar: &'a crate::calendar::Calendar,
    /// The district's time zone.
    pub tz: chrono_tz::Tz,
    /// The checklist items ticked and the people named for tasks. Read only for workflows
    /// with tasks.
    pub tasks: &'a crate::schedule::TaskStates,
}

/// The reminders due for one project now.
/// The people reminders go to, indexed: coordinators by district, directors by organization.
/// Built once per planning pass (a country has some 40,000 directors).
#[derive(Debug, Default)]
pub struct Recipients {
    coordinators: HashMap<i64, Vec<Recipient>>,
    directors: HashMap<i64, Vec<Recipient>>,
    /// Everyone, by user id: the people named responsible.
    by_id: HashMap<i64, Recipient>,
}

impl Recipients {
    pub fn new(people: impl IntoIterator<Item = Recipient>) -> Self {
        let mut out = Recipients::default();
        for person in people {
            out.by_id.insert(person.user_id, person.clone());
            match (person.role, person.district_id, person.organization_id) {
                (Role::Coordinator, Some(district), _) => out.coordinators.entry(district).or_default().push(person),
                (Role::Director, _, Some(organization)) => out.directors.entry(organization).or_default().push(person),
                _ => {}
            }
        }
        out
    }

    /// A named person, if they can be reminded (active, and in the project's district).
    fn named(&self, user_id: Option<i64>, district: i64) -> Option<&Recipient> {
        user_id
            .and_then(|id| self.by_id.get(&id))
            .filter(|r| r.district_id == Some(district))
    }

    fn coordinators(&self, district: i64) -> &[Recipient] {
        self.coordinators.get(&district).map_or(&[], Vec::as_slice)
    }

    fn directors(&self, organization: i64) -> &[Recipient] {
        self.directors.get(&organization).map_or(&[], Vec::as_slice)
    }
}

/// Who stands in for whom: by the person away, their substitutions (first day, last day,
/// substitute).
#[derive(Debug, Default)]
pub struct Substitutes {
    by_user: HashMap<i64, Vec<(NaiveDate, NaiveDate, i64)>>,
}

impl Substitutes {
    pub fn new(rows: impl IntoIterator<Item = (i64, NaiveDate, NaiveDate, i64)>) -> Self {
        let mut out = Substitutes::default();
        for (user, starts, ends, substitute) in rows {
            out.by_user.entry(user).or_default().push((starts, ends, substitute));
        }
        out
    }

    /// Who stands in for `user` on `day`.
    fn on(&self, user: i64, day: NaiveDate) -> Option<i64> {
        self.by_user
            .get(&user)?
            .iter()
            .find(|(starts, ends, _)| *starts <= day && day <= *ends)
            .map(|(_, _, substitute)| *substitute)
    }
}

/// Hands the reminders of people away on `today` to their substitutes: each gets a copy
/// marked with whom they stand in for (unless they receive the same reminder themselves),
/// and the person away keeps theirs, marked with who stands in. The copy's dedupe key is the
/// original's with the substitute added, so it is sent once, like any other.
pub fn with_substitutes(
    items: Vec<ReminderItem>,
    today: NaiveDate,
    substitutes: &Substitutes,
    recipients: &Recipients,
) -> Vec<ReminderItem> {
    if substitutes.by_user.is_empty() {
        return items;
    }
    // What each person receives already, by the key without its recipient.
    let base = |key: &str| key.rsplit_once(":u").map_or(key.to_string(), |(b, _)| b.to_string());
    let mut received: HashSet<(String, i64)> = items
        .iter()
        .filter_map(|i| Some((base(&i.dedupe_key), i.recipient_user_id?)))
        .collect();
    let mut out = Vec::with_capacity(items.len());
    let mut copies = Vec::new();
    for mut item in items {
        let stand_in = item
            .recipient_user_id
            .and_then(|u| substitutes.on(u, today))
            .and_then(|s| recipients.by_id.get(&s));
        if let Some(s) = stand_in {
            item.substituted_by = Some(s.name.clone());
            if received.insert((base(&item.dedupe_key), s.user_id)) {
                let mut copy = item.clone();
                copy.dedupe_key = format!("{}:sub{}", item.dedupe_key, s.user_id);
                copy.recipient_user_id = Some(s.user_id);
                copy.recipient_email = s.email.clone();
                copy.recipient_name = s.name.clone();
                copy.substitute_for = Some(item.recipient_name.clone());
                copy.substituted_by = None;
                copies.push(copy);
            }
        }
        out.push(item);
    }
    out.extend(copies);
    out
}

/// The reminders due for one project now.
pub fn plan_project(state: &ProjectState, recipients: &Recipients) -> Vec<ReminderItem> {
    let mut out = Vec::new();
    let project = state.project;
    let policy = state.definition.reminders();
    let coordinators: Vec<&Recipient> = recipients.coordinators(project.district_id).iter().collect();
    let directors_of = |org: i64| recipients.directors(org).iter();
    let holders = |role: Role| -> Vec<&Recipient> {
        match role {
            Role::Coordinator => coordinators.clone(),
            Role::Director => project.participants.iter().flat_map(|&o| directors_of(o)).collect(),
            Role::Admin | Role::Observer => Vec::new(),
        }
    };
    let base =
        |kind: ReminderKind, r: &Recipient, key: String, due: NaiveDate, days: i64, threshold: i64| ReminderItem {
            dedupe_key: key,
            kind,
            recipient_user_id: Some(r.user_id),
            recipient_email: r.email.clone(),
            recipient_name: r.name.clone(),
            project_id: project.id,
            project_title: project.title.clone(),
            district_name: state.district_name.to_string(),
            stage_key: None,
            stage_title: None,
            due,
            days,
            threshold,
            indicator_key: None,
            indicator_title: None,
            period: None,
            organization_name: None,
            escalated: false,
            provisional: state.calendar.is_provisional_between(project.start_date, due),
            substitute_for: None,
            substituted_by: None,
            task_key: None,
            task_title: None,
        };

    // One deadline (a stage's, or a task's inside it): who hears of it now, and the items.
    let deadline = |out: &mut Vec<ReminderItem>,
                    (stage, task): (&crate::definition::Stage, Option<&crate::definition::ChecklistItem>),
                    due: NaiveDate,
                    named: Option<&Recipient>,
                    owner_roles: &[Role]| {
        let owners: Vec<&Recipient> = owner_roles.iter().flat_map(|&role| holders(role)).collect();
        // The named person first; without one, the holders of the owner roles.
        let first: Vec<&Recipient> = match named {
            Some(r) => vec![r],
            None => owners.clone(),
        };
        let left = (due - state.today).num_days();
        let every = i64::from(policy.overdue_every_days.max(1));
        let (kind, days, threshold, to_whom): (ReminderKind, i64, Option<i64>, Vec<(&Recipient, bool)>) = if left >= 0 {
            let nearest = policy
                .before_days
                .iter()
                .map(|&t| i64::from(t))
                .filter(|&t| left <= t)
                .min();
            (
                ReminderKind::DueSoon,
                left,
                nearest,
                first.iter().map(|r| (*r, false)).collect(),
            )
        } else {
            let late = -left;
            let mut to: Vec<(&Recipient, bool)> = first.iter().map(|r| (*r, false)).collect();
            let mut above: Vec<&Recipient> = Vec::new();
            for step in policy.escalation.iter().filter(|s| late >= i64::from(s.after_days)) {
                match step.to {
                    EscalationTarget::Owners => above.extend(owners.iter().copied()),
                    EscalationTarget::Role(role) => above.extend(holders(role)),
                    EscalationTarget::ProjectResponsible => {
                        above.extend(recipients.named(project.responsible_id, project.district_id))
                    }
                }
            }
            for r in above {
                if !to.iter().any(|(x, _)| x.user_id == r.user_id) {
                    to.push((r, true));
                }
            }
            (ReminderKind::Overdue, late, Some((late - 1) / every), to)
        };
        let Some(threshold) = threshold else { return };
        let tag = match (kind, task) {
            (ReminderKind::DueSoon, None) => "due",
            (_, None) => "overdue",
            (ReminderKind::DueSoon, Some(_)) => "task-due",
            (_, Some(_)) => "task-overdue",
        };
        let what = match task {
            Some(t) => format!("{}:i:{}", stage.key, t.key),
            None => stage.key.clone(),
        };
        for (r, escalated) in to_whom {
            let key = format!("{tag}:p{}:s:{what}:{due}:t{threshold}:u{}", project.id, r.user_id);
            let mut item = base(kind, r, key, due, days, threshold);
            item.stage_key = Some(stage.key.clone());
            item.stage_title = Some(stage.title.clone());
            item.task_key = task.map(|t| t.key.clone());
            item.task_title = task.map(|t| t.title.clone());
            item.escalated = escalated;
            out.push(item);
        }
    };

    // Every stage under way: one, or one a branch while parallel branches run. The dedupe key
    // names the stage, so branches never stand in for one another. Then the stages' tasks with
    // their own dates that are not done yet: to the person named for the task, else to the
    // stage's named person when the task is given to their role, else to the holders of the
    // task's roles.
    for plan in state.plans.iter().filter(|p| p.is_current()) {
        let Some(stage) = state.definition.stage(&plan.stage_key) else {
            continue;
        };
        let named = recipients.named(plan.responsible_id, project.district_id);
        if let Some(due) = plan.current_due {
            deadline(&mut out, (stage, None), due, named, &stage.owners);
        }
    }
    for task in crate::schedule::open_tasks(
        state.definition,
        project.start_date,
        state.plans,
        state.tasks,
        state.tz,
        state.calendar,
    ) {
        let roles = task.item.owners_in(task.stage);
        let stage_named = state
            .plans
            .iter()
            .find(|p| p.stage_key == task.stage.key)
            .and_then(|p| recipients.named(p.responsible_id, project.district_id))
            .filter(|r| roles.contains(&r.role));
        let named = recipients
            .named(task.responsible_id, project.district_id)
            .or(stage_named);
        deadline(&mut out, (task.stage, Some(task.item)), task.due, named, roles);
    }

    // Reports owed.
    let every = i64::from(policy.overdue_every_days.max(1));
    for (indicator_key, period, deadline) in &state.owed {
        let Some(indicator) = state.definition.indicator(indicator_key) else {
            continue;
        };
        let late = (state.today - *deadline).num_days();
        if late <= 0 {
            continue;
        }
        let repeat = (late - 1) / every;
        for &org in project.participants.iter().filter(|&&o| project.asks(indicator, o)) {
            if state.reported.contains(&(indicator_key.clone(), org, period.clone())) {
                continue;
            }
            for r in directors_of(org) {
                let key = format!(
                    "report:p{}:i:{}:{}:o{org}:t{repeat}:u{}",
                    project.id, indicator_key, period, r.user_id
                );
                let mut item = base(ReminderKind::ReportMissing, r, key, *deadline, late, repeat);
                item.indicator_key = Some(indicator.key.clone());
                item.indicator_title = Some(indicator.title.clone());
                item.period = Some(period.clone());
                item.organization_name = state.organization_names.get(&org).cloned();
                out.push(item);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::ProjectStatus;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn definition() -> Definition {
        Definition::parse(
            "minimal.toml",
            include_str!("../../../tests/workflows/good/minimal.toml"),
        )
        .unwrap()
    }

    fn project(stage: &str) -> Project {
        let at = Utc.with_ymd_and_hms(2025, 3, 3, 6, 0, 0).unwrap();
        Project {
            id: 7,
            workflow_version_id: 1,
            district_id: 1,
            title: "Проект".into(),
            start_date: d("2025-03-03"),
            current_stage: stage.into(),
            status: ProjectStatus::Active,
            row_version: 1,
            indicator_targets: Default::default(),
            participants: vec![10],
            parts: Default::default(),
            responsible_id: None,
            created_by: None,
            created_at: at,
            updated_at: at,
            closed_at: None,
        }
    }

    fn plan_row(stage: &str, due: &str) -> StagePlan {
        StagePlan {
            stage_key: stage.into(),
            position: 0,
            baseline_due: Some(d(due)),
            current_due: Some(d(due)),
            due_fixed: false,
            // The stage is under way.
            entered_at: Some(Utc.with_ymd_and_hms(2025, 3, 3, 6, 0, 0).unwrap()),
            completed_at: None,
            responsible_id: None,
        }
    }

    fn people() -> Vec<Recipient> {
        let r = |id, role, district_id, organization_id| Recipient {
            user_id: id,
            email: format!("u{id}@test"),
            name: format!("U{id}"),
            role,
            district_id,
            organization_id,
        };
        vec![
            r(1, Role::Coordinator, Some(1), None),
            r(2, Role::Director, Some(1), Some(10)),
            r(3, Role::Director, Some(1), Some(11)),
            r(4, Role::Coordinator, Some(2), None),
            r(5, Role::Director, Some(1), Some(10)),
        ]
    }

    fn run(stage: &str, due: &str, today: &str, owed: Vec<(String, String, NaiveDate)>) -> Vec<ReminderItem> {
        run_named(stage, due, today, owed, (None, None))
    }

    /// [`run`] with people named: (for the project, for the stage).
    fn run_named(
        stage: &str,
        due: &str,
        today: &str,
        owed: Vec<(String, String, NaiveDate)>,
        named: (Option<i64>, Option<i64>),
    ) -> Vec<ReminderItem> {
        run_with(definition(), stage, due, today, owed, named)
    }

    fn run_with(
        def: Definition,
        stage: &str,
        due: &str,
        today: &str,
        owed: Vec<(String, String, NaiveDate)>,
        (for_project, for_stage): (Option<i64>, Option<i64>),
    ) -> Vec<ReminderItem> {
        let mut p = project(stage);
        p.responsible_id = for_project;
        let mut plans = vec![plan_row(stage, due)];
        plans[0].responsible_id = for_stage;
        let tasks = crate::schedule::TaskStates::default();
        let names = HashMap::from([(10, "Школа № 1".to_string())]);
        let state = ProjectState {
            project: &p,
            definition: &def,
            district_name: "Район",
            today: d(today),
            plans: &plans,
            reported: &HashSet::new(),
            owed,
            organization_names: &names,
            calendar: &crate::calendar::Calendar::federal(),
            tz: chrono_tz::Asia::Yekaterinburg,
            tasks: &tasks,
        };
        plan_project(&state, &Recipients::new(people()))
    }

    #[test]
    fn the_nearest_threshold_not_yet_passed_is_reminded_once() {
        // 17 March due, thresholds 7/3/1.
        assert!(
            run("start", "2025-03-17", "2025-03-05", vec![]).is_empty(),
            "12 days left: nothing yet"
        );
        let seven = run("start", "2025-03-17", "2025-03-12", vec![]);
        assert_eq!(seven.len(), 1, "to the coordinator who owns the stage");
        assert_eq!(
            (
                seven[0].kind,
                seven[0].threshold,
                seven[0].days,
                seven[0].recipient_user_id
            ),
            (ReminderKind::DueSoon, 7, 5, Some(1))
        );
        // After a week of downtime, only the 1-day reminder, not the missed 7 and 3.
        let one = run("start", "2025-03-17", "2025-03-16", vec![]);
        assert_eq!(one.iter().map(|i| i.threshold).collect::<Vec<_>>(), vec![1]);
        assert_ne!(seven[0].dedupe_key, one[0].dedupe_key);
        assert_eq!(
            run("start", "2025-03-17", "2025-03-17", vec![])[0].threshold,
            1,
            "due today"
        );
    }

    #[test]
    fn overdue_stages_repeat_and_escalate_to_the_coordinators() {
        // "work" is the director's stage; the coordinator hears of it when it is late.
        let late = run("work", "2025-04-02", "2025-04-03", vec![]);
        let to: Vec<(Option<i64>, bool)> = late.iter().map(|i| (i.recipient_user_id, i.escalated)).collect();
        assert_eq!(
            to,
            vec![(Some(2), false), (Some(5), false), (Some(1), true)],
            "the participant's directors, then the district's coordinator"
        );
        assert!(
            late.iter()
                .all(|i| i.kind == ReminderKind::Overdue && i.days == 1 && i.threshold == 0)
        );
        // Every 3 days (the default): the same key for days 1–3, a new one on day 4.
        let day3 = run("work", "2025-04-02", "2025-04-05", vec![]);
        let day4 = run("work", "2025-04-02", "2025-04-06", vec![]);
        assert_eq!(late[0].dedupe_key, day3[0].dedupe_key);
        assert_ne!(day3[0].dedupe_key, day4[0].dedupe_key);
    }

    #[test]
    fn the_named_person_is_reminded_first_and_the_owners_hear_when_it_is_late() {
        // Director 5 is named for "work"; director 2 of the same school is not.
        let soon = run_named("work", "2025-04-02", "2025-03-31", vec![], (Some(1), Some(5)));
        let to: Vec<(Option<i64>, bool)> = soon.iter().map(|i| (i.recipient_user_id, i.escalated)).collect();
        assert_eq!(to, vec![(Some(5), false)], "only the named person, before the date");
        let late = run_named("work", "2025-04-02", "2025-04-03", vec![], (Some(1), Some(5)));
        let to: Vec<(Option<i64>, bool)> = late.iter().map(|i| (i.recipient_user_id, i.escalated)).collect();
        assert_eq!(
            to,
            vec![(Some(5), false), (Some(2), true), (Some(1), true)],
            "late: the named person, then the stage's other owners and the coordinator"
        );
        // Someone named who cannot be reminded (deactivated, or of another district) leaves the
        // stage to its owner roles.
        for gone in [Some(99), Some(4)] {
            let soon = run_named("work", "2025-04-02", "2025-03-31", vec![], (None, gone));
            let to: Vec<Option<i64>> = soon.iter().map(|i| i.recipient_user_id).collect();
            assert_eq!(to, vec![Some(2), Some(5)]);
        }
    }

    #[test]
    fn an_overdue_stage_climbs_the_chain_each_step_on_its_day() {
        let text = include_str!("../../../tests/workflows/good/minimal.toml").replacen(
            "[[stages]]",
            "[reminders]\noverdue_every_days = 7\nescalation = [\n  { to = \"owners\", after_days = 3 },\n  { to = \"coordinator\", after_days = 5 },\n]\n\n[[stages]]",
            1,
        );
        let def = Definition::parse("chain.toml", &text).unwrap();
        // Director 5 is named for "work", due 2 April.
        let to = |today: &str| {
            run_with(def.clone(), "work", "2025-04-02", today, vec![], (None, Some(5)))
                .iter()
                .map(|i| (i.recipient_user_id.unwrap(), i.escalated, i.threshold))
                .collect::<Vec<_>>()
        };
        assert_eq!(to("2025-04-03"), vec![(5, false, 0)], "day 1: the named person alone");
        assert_eq!(
            to("2025-04-05"),
            vec![(5, false, 0), (2, true, 0)],
            "day 3: the other owners"
        );
        assert_eq!(
            to("2025-04-07"),
            vec![(5, false, 0), (2, true, 0), (1, true, 0)],
            "day 5: the coordinator, first told the day it joins"
        );
        assert_eq!(to("2025-04-10")[0], (5, false, 1), "day 8: the weekly repeat");
    }

    #[test]
    fn a_substitute_gets_a_copy_of_what_only_the_person_away_receives() {
        // Director 5 is named for "work" and away from 30 March to 4 April; director 2 stands in.
        let subs = Substitutes::new([(5, d("2025-03-30"), d("2025-04-04"), 2)]);
        let people = Recipients::new(people());
        let soon = run_named("work", "2025-04-02", "2025-03-31", vec![], (None, Some(5)));
        let handed = with_substitutes(soon.clone(), d("2025-03-31"), &subs, &people);
        let to: Vec<(Option<i64>, Option<&str>, Option<&str>)> = handed
            .iter()
            .map(|i| {
                (
                    i.recipient_user_id,
                    i.substitute_for.as_deref(),
                    i.substituted_by.as_deref(),
                )
            })
            .collect();
        assert_eq!(to, vec![(Some(5), None, Some("U2")), (Some(2), Some("U5"), None)]);
        assert_ne!(handed[0].dedupe_key, handed[1].dedupe_key);
        // Outside the days, nothing changes.
        assert_eq!(with_substitutes(soon, d("2025-03-29"), &subs, &people).len(), 1);
        // Late, director 2 hears of it anyway (escalated): no second copy.
        let late = run_named("work", "2025-04-02", "2025-04-03", vec![], (None, Some(5)));
        let handed = with_substitutes(late.clone(), d("2025-04-03"), &subs, &people);
        assert_eq!(handed.len(), late.len());
        assert_eq!(handed[0].substituted_by.as_deref(), Some("U2"));
    }

    #[test]
    fn a_missing_report_goes_to_the_organizations_director() {
        let owed = vec![("1.1".to_string(), "2025-Q1".to_string(), d("2025-04-10"))];
        let items = run("work", "2025-06-30", "2025-04-15", owed);
        let missing: Vec<&ReminderItem> = items.iter().filter(|i| i.kind == ReminderKind::ReportMissing).collect();
        assert_eq!(missing.len(), 2, "to each of the school's two directors");
        assert_eq!(
            (
                missing[0].recipient_user_id,
                missing[0].period.as_deref(),
                missing[0].days
            ),
            (Some(2), Some("2025-Q1"), 5)
        );
        assert_eq!(missing[0].organization_name.as_deref(), Some("Школа № 1"));
    }
}
