//! The permission table, cell by cell, over HTTP on both databases.
//!
//! Every operation of `engine::access::TABLE` has a probe here: a GraphQL request (or an
//! export) that the policy either lets through or refuses. A probe that passes the policy is
//! built to stop right after it — a stale row version, a blank reason, an unknown indicator —
//! so the walk changes almost nothing. The expected outcomes are written below by hand, not
//! read from the table: a changed cell in the engine changes what the server answers and
//! fails this test. The `match` over [`Operation`] has no catch-all, so a new operation does
//! not compile until it has its probe and its expectations.
//!
//! The callers: the administrator, the coordinators of districts A and B, the directors of
//! schools A0 and A1, the observer of district A and the region's observer (no district).
//! The projects: P in A for A0 and A1 (a district-wide workflow whose stage belongs to
//! directors), Q in B for B's school, R in A for A2 (the corpus workflow, whose first stage
//! belongs to coordinators).

use engine::access::{Operation, TABLE};
use engine::registry::{self, SourceFile};
use engine::service::{LaunchProject, NewUser};
use engine::{Actor, Role};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Server, TestDb, date, minimal_launch};

const PASSWORD: &str = "пароль-для-тестов";

/// A district-wide workflow: its first stage belongs to directors, who move it on; the
/// coordinator may only put it on hold.
const WORKFLOW: &str = r#"
key = "access-walk"
title = "Проверка прав"
scope = "district"

[[stages]]
key = "plan"
title = "План"
owners = ["director"]
checklist = [{ key = "draft", title = "Черновик" }]
due = { working_days = 10, after = "project_start" }

[[stages]]
key = "hold"
title = "Пауза"
owners = ["coordinator"]

[[stages]]
key = "done"
title = "Готово"
owners = ["coordinator"]
terminal = true

[[transitions]]
from = "plan"
to = "done"
roles = ["director"]

[[transitions]]
from = "plan"
to = "hold"
roles = ["coordinator"]

[[transitions]]
from = "hold"
to = "done"
roles = ["coordinator"]

[[indicators]]
key = "1.1"
title = "Доля педагогов, прошедших обучение"
unit = "%"
type = "percent"
period = "quarter"
starts_at_stage = "plan"
target = { per_period = 100 }
better = "higher"
"#;

/// The callers, in the order of the expectation rows.
const CALLERS: [&str; 7] = [
    "admin",
    "coordinator A",
    "coordinator B",
    "director A0",
    "director A1",
    "observer A",
    "observer of the region",
];

struct Fixture {
    tokens: Vec<String>,
    district_a: i64,
    district_b: i64,
    p: i64,
    q: i64,
    r: i64,
    /// A0, A1 (in P), B's school (in Q).
    school_a0: i64,
    school_a1: i64,
    school_b: i64,
    /// Their names, as exports print them.
    names: [String; 3],
    /// People whose substitutions are managed: coordinator A, director A0, coordinator B.
    people: [i64; 3],
}

async fn fixture(db: &TestDb, server: &Server) -> Fixture {
    let e = &db.engine;
    let sources = vec![SourceFile {
        name: "access-walk.toml".into(),
        text: WORKFLOW.into(),
    }];
    e.register_definitions(&registry::load(sources, Vec::new()).unwrap())
        .await
        .unwrap();
    let w = db.world().await;
    let region = e
        .create_user(
            &Actor::SYSTEM,
            NewUser {
                email: "region@po.test".into(),
                full_name: "Наблюдатель региона".into(),
                password: Some(PASSWORD.into()),
                role: Role::Observer,
                district_id: None,
                organization_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(region.district_id, None);
    let p = e
        .launch_project(
            &w.coordinator,
            LaunchProject {
                workflow_key: "access-walk".into(),
                district_id: w.district.id,
                participants: vec![w.schools[0].id, w.schools[1].id],
                start_date: Some(date("2025-03-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .project
        .id;
    let q = e
        .launch_project(
            &w.other_coordinator,
            LaunchProject {
                workflow_key: "access-walk".into(),
                district_id: w.other_district.id,
                participants: vec![w.other_school.id],
                start_date: Some(date("2025-03-03")),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .project
        .id;
    let r = e
        .launch_project(&w.coordinator, minimal_launch(&w, 2))
        .await
        .unwrap()
        .project
        .id;
    for (project, school, value) in [
        (p, w.schools[0].id, 40.0),
        (p, w.schools[1].id, 60.0),
        (q, w.other_school.id, 80.0),
    ] {
        db.insert_report(project, school, "1.1", "2025-Q1", value).await;
    }
    let mut tokens = Vec::new();
    for email in [
        "admin@po.test",
        "coordinator@chesma.test",
        "coordinator@yartsevo.test",
        "director1@chesma.test",
        "director2@chesma.test",
        "observer@chesma.test",
        "region@po.test",
    ] {
        tokens.push(server.login(email, PASSWORD).await);
    }
    Fixture {
        tokens,
        district_a: w.district.id,
        district_b: w.other_district.id,
        p,
        q,
        r,
        school_a0: w.schools[0].id,
        school_a1: w.schools[1].id,
        school_b: w.other_school.id,
        names: [
            w.schools[0].name.clone(),
            w.schools[1].name.clone(),
            w.other_school.name.clone(),
        ],
        people: [w.coordinator.user_id, w.director.user_id, w.other_coordinator.user_id],
    }
}

/// Whether a response got past the policy: no error, or an error other than `FORBIDDEN`.
fn passed(body: &Value) -> bool {
    match body["errors"][0]["extensions"]["code"].as_str() {
        None if body["errors"].is_null() => true,
        None => panic!("a probe went wrong: {body:#}"),
        Some("FORBIDDEN") => false,
        // Stopped by the engine after the policy let it through.
        Some("VALIDATION" | "NOT_FOUND" | "CONFLICT" | "INVALID_TRANSITION") => true,
        // A probe that never reached the engine proves nothing.
        Some(_) => panic!("a probe went wrong: {body:#}"),
    }
}

fn id(n: i64) -> String {
    n.to_string()
}

/// The ids in a JSON list at `path` (a list of objects with `id`, or of `organization.id`).
fn ids_at(list: &Value, key: &[&str]) -> Vec<i64> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let mut v = item;
                    for k in key {
                        v = &v[*k];
                    }
                    v.as_str().and_then(|s| s.parse().ok())
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Fixture {
    /// The outcomes of one operation's probe for one caller, target by target.
    async fn probe(&self, server: &Server, op: Operation, token: &str) -> Vec<bool> {
        let gql =
            |query: &'static str, variables: Value| async move { server.gql(Some(token), query, variables).await };
        // Whether the policy let each of these requests through.
        let each = |query: &'static str, variables: Vec<Value>| async move {
            let mut out = Vec::new();
            for v in variables {
                out.push(passed(&server.gql(Some(token), query, v).await));
            }
            out
        };
        let districts = vec![json!({ "d": id(self.district_a) }), json!({ "d": id(self.district_b) })];
        let projects = vec![json!({ "p": id(self.p) }), json!({ "p": id(self.q) })];
        match op {
            Operation::ReadProject => {
                let mut out = Vec::new();
                let list = gql("{ projects(first: 100) { edges { node { id } } } }", json!({})).await;
                let listed = ids_at(&list["data"]["projects"]["edges"], &["node", "id"]);
                for project in [self.p, self.q] {
                    let one = gql(
                        "query($id: ID!) { project(id: $id) { id history { kind } } }",
                        json!({ "id": id(project) }),
                    )
                    .await;
                    let readable = passed(&one);
                    assert_eq!(
                        readable,
                        listed.contains(&project),
                        "project(id) and projects disagree on {project}: {one:#} {list:#}"
                    );
                    out.push(readable);
                }
                out
            }
            Operation::ReadValues => {
                // Through a project's plan against fact, and through the reports list.
                let mut seen = Vec::new();
                for project in [self.p, self.q] {
                    let body = gql(
                        "query($id: ID!) { project(id: $id) { indicatorProgress { organization { id } latestValue } } }",
                        json!({ "id": id(project) }),
                    )
                    .await;
                    seen.extend(ids_at(
                        &body["data"]["project"]["indicatorProgress"],
                        &["organization", "id"],
                    ));
                }
                let reports = gql(
                    "{ indicatorReports(first: 500) { nodes { organization { id } } } }",
                    json!({}),
                )
                .await;
                let reported = ids_at(&reports["data"]["indicatorReports"]["nodes"], &["organization", "id"]);
                let export = server
                    .http
                    .get(format!("{}/export/indicator-reports.csv", server.base))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(export.status(), 200);
                let csv = export.text().await.unwrap();
                [self.school_a0, self.school_a1, self.school_b]
                    .into_iter()
                    .zip(&self.names)
                    .map(|(school, name)| {
                        let shown = seen.contains(&school);
                        assert_eq!(
                            shown,
                            reported.contains(&school),
                            "progress and reports disagree on {school}"
                        );
                        assert_eq!(
                            shown,
                            csv.contains(name.as_str()),
                            "progress and the export disagree on {name}: {csv}"
                        );
                        shown
                    })
                    .collect()
            }
            Operation::ReadDashboard => {
                let q = "query($d: ID) { dashboard(districtId: $d) { districtId } }";
                each(q, districts).await
            }
            Operation::ReadDirectory => {
                let q = "query($d: ID!) { districtCalendar(districtId: $d, year: 2025) { year } }";
                each(q, districts).await
            }
            Operation::HaveTasks => {
                let body = gql("{ myTasks { project { id } } }", json!({})).await;
                let tasks = ids_at(&body["data"]["myTasks"], &["project", "id"]);
                [self.p, self.q, self.r]
                    .into_iter()
                    .map(|p| tasks.contains(&p))
                    .collect()
            }
            // Past the policy, an unknown workflow stops it.
            Operation::LaunchProject => {
                let q = "mutation($d: ID!) { launchProject(input: { workflowKey: \"no-such\", districtId: $d, participantIds: [] }) { id } }";
                each(q, districts).await
            }
            // A stale version: past the policy, a conflict stops it.
            Operation::TakeTransition => {
                let q = "mutation($p: ID!, $to: String!) { transitionProject(input: { projectId: $p, toStage: $to, expectedVersion: 999 }) { id } }";
                let moves = [(self.p, "done"), (self.p, "hold"), (self.q, "done"), (self.q, "hold")];
                each(q, moves.map(|(p, to)| json!({ "p": id(p), "to": to })).to_vec()).await
            }
            Operation::MarkChecklist => {
                let q = "mutation($p: ID!) { completeChecklistItem(input: { projectId: $p, stage: \"plan\", item: \"draft\", done: false }) { id } }";
                each(q, projects).await
            }
            // Past the policy, a blank reason stops these.
            Operation::RescheduleStage => {
                let q = "mutation($p: ID!) { rescheduleStage(input: { projectId: $p, stage: \"plan\", newDue: \"2025-04-30\", reason: \" \" }) { id } }";
                each(q, projects).await
            }
            Operation::CancelProject => {
                let q = "mutation($p: ID!) { cancelProject(input: { projectId: $p, expectedVersion: 999, reason: \" \" }) { id } }";
                each(q, projects).await
            }
            // Past the policy, a person standing in for themselves stops it.
            Operation::ManageSubstitutions => {
                let q = "mutation($u: ID!) { setSubstitution(input: { userId: $u, substituteId: $u, startsOn: \"2030-01-10\", endsOn: \"2030-01-20\" }) { id } }";
                each(q, self.people.map(|u| json!({ "u": id(u) })).to_vec()).await
            }
            // Past the policy, a stale version stops it.
            Operation::AssignResponsible => {
                let q = "mutation($p: ID!) { assignResponsible(input: { projectId: $p, responsibleId: null, expectedVersion: 999 }) { id } }";
                each(q, projects).await
            }
            // Past the policy, an unknown indicator stops it.
            Operation::ReportValue => {
                let q = "mutation($p: ID!, $o: ID!) { reportIndicator(input: { projectId: $p, organizationId: $o, indicator: \"9.9\", period: \"2025-Q1\", value: 1 }) { id } }";
                let values = [
                    (self.p, self.school_a0),
                    (self.p, self.school_a1),
                    (self.q, self.school_b),
                ];
                each(q, values.map(|(p, o)| json!({ "p": id(p), "o": id(o) })).to_vec()).await
            }
            // Past the policy, a blank name stops these.
            Operation::ManageDistricts => {
                each(
                    "mutation { createDistrict(input: { name: \" \" }) { id } }",
                    vec![json!({})],
                )
                .await
            }
            Operation::ManageOrganizations => {
                let q = "mutation($d: ID!) { createOrganization(input: { districtId: $d, name: \" \", kind: SCHOOL }) { id } }";
                each(q, districts).await
            }
            Operation::ReadUsers => {
                let q = "query($d: ID!) { users(filter: { districtId: $d }) { totalCount } }";
                each(q, districts).await
            }
            // Past the policy, an address without @ stops it.
            Operation::CreateStaff | Operation::CreateDistrictUser => {
                let role = if op == Operation::CreateStaff {
                    "COORDINATOR"
                } else {
                    "OBSERVER"
                };
                let q = "mutation($d: ID!, $r: Role!) { createUser(input: { email: \"not-an-address\", fullName: \"Проба\", role: $r, districtId: $d }) { user { id } } }";
                let targets = [self.district_a, self.district_b].map(|d| json!({ "d": id(d), "r": role }));
                each(q, targets.to_vec()).await
            }
            // Past the policy, a blank title stops it.
            Operation::EditCalendar => {
                let q = "mutation($s: CalendarScopeKind!, $d: ID) { addCalendarDay(input: { scope: $s, districtId: $d, date: \"2025-05-05\", working: false, title: \" \", actNumber: \"1\", actDate: \"2025-04-01\" }) { id } }";
                let scopes = [
                    ("DISTRICT", Some(self.district_a)),
                    ("DISTRICT", Some(self.district_b)),
                    ("COUNTRY", None),
                ];
                each(q, scopes.map(|(s, d)| json!({ "s": s, "d": d.map(id) })).to_vec()).await
            }
            Operation::ReadOutbox => each("{ notifications { nodes { id } } }", vec![json!({})]).await,
            // Past the policy, a user nobody has stops it.
            Operation::ManagePersonalData => {
                each("mutation { anonymiseUser(userId: \"999999\") { id } }", vec![json!({})]).await
            }
            // Past the policy, an unknown workflow stops it.
            Operation::MigrateProjects => {
                each(
                    "{ migrationPreview(workflowKey: \"no-such\") { totalCount } }",
                    vec![json!({})],
                )
                .await
            }
            Operation::RunReminders => {
                each("mutation { runReminders(dryRun: true) { planned } }", vec![json!({})]).await
            }
        }
    }
}

const T: bool = true;
const F: bool = false;

/// What each caller must get, target by target (see each probe for its targets).
fn expected(op: Operation) -> [Vec<bool>; 7] {
    //        admin          coordinator A    coordinator B    director A0      director A1      observer A       observer of the region
    match op {
        // P, Q
        Operation::ReadProject => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![T, F],
            vec![T, F],
            vec![T, F],
            vec![T, T],
        ],
        // A0's, A1's (both in P) and B's values (in Q)
        Operation::ReadValues => [
            vec![T, T, T],
            vec![T, T, F],
            vec![F, F, T],
            vec![T, F, F],
            vec![F, T, F],
            vec![T, T, F],
            vec![T, T, T],
        ],
        // districts A, B
        Operation::ReadDashboard => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![F, F],
            vec![F, F],
            vec![T, F],
            vec![T, T],
        ],
        Operation::ReadDirectory => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![T, F],
            vec![T, F],
            vec![T, F],
            vec![T, T],
        ],
        // P (directors' stage), Q (directors' stage, no director in B), R (coordinators' stage)
        Operation::HaveTasks => [
            vec![F, F, F],
            vec![F, F, T],
            vec![F, F, F],
            vec![T, F, F],
            vec![T, F, F],
            vec![F, F, F],
            vec![F, F, F],
        ],
        // districts A, B
        Operation::LaunchProject => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![F, F],
            vec![F, F],
            vec![F, F],
            vec![F, F],
        ],
        // P→done (directors'), P→hold (coordinators'), Q→done, Q→hold
        Operation::TakeTransition => [
            vec![T, T, T, T],
            vec![F, T, F, F],
            vec![F, F, F, T],
            vec![T, F, F, F],
            vec![T, F, F, F],
            vec![F, F, F, F],
            vec![F, F, F, F],
        ],
        // P, Q (a directors' stage: coordinators mark any stage of their district)
        Operation::MarkChecklist => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![T, F],
            vec![T, F],
            vec![F, F],
            vec![F, F],
        ],
        Operation::RescheduleStage | Operation::CancelProject | Operation::AssignResponsible => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![F, F],
            vec![F, F],
            vec![F, F],
            vec![F, F],
        ],
        // A0 in P, A1 in P, B in Q
        Operation::ReportValue => [
            vec![T, T, T],
            vec![T, T, F],
            vec![F, F, T],
            vec![T, F, F],
            vec![F, T, F],
            vec![F, F, F],
            vec![F, F, F],
        ],
        // a new district
        Operation::ManageDistricts
        | Operation::ReadOutbox
        | Operation::RunReminders
        | Operation::MigrateProjects
        | Operation::ManagePersonalData => [vec![T], vec![F], vec![F], vec![F], vec![F], vec![F], vec![F]],
        // in districts A, B
        Operation::ManageOrganizations | Operation::CreateDistrictUser | Operation::ReadUsers => [
            vec![T, T],
            vec![T, F],
            vec![F, T],
            vec![F, F],
            vec![F, F],
            vec![F, F],
            vec![F, F],
        ],
        Operation::CreateStaff => [
            vec![T, T],
            vec![F, F],
            vec![F, F],
            vec![F, F],
            vec![F, F],
            vec![F, F],
            vec![F, F],
        ],
        // coordinator A (district A), director A0 (school A0), coordinator B (district B)
        Operation::ManageSubstitutions => [
            vec![T, T, T],
            vec![T, T, F],
            vec![F, F, T],
            vec![F, T, F],
            vec![F, F, F],
            vec![F, F, F],
            vec![F, F, F],
        ],
        // district A, district B, the whole country
        Operation::EditCalendar => [
            vec![T, T, T],
            vec![T, F, F],
            vec![F, T, F],
            vec![F, F, F],
            vec![F, F, F],
            vec![F, F, F],
            vec![F, F, F],
        ],
    }
}

async fn every_cell_of_the_permission_table_holds_over_http(db: TestDb) {
    let server = db.spawn_server().await;
    let f = fixture(&db, &server).await;
    let mut wrong = Vec::new();
    for rule in TABLE {
        let expected = expected(rule.operation);
        for (caller, token) in CALLERS.iter().zip(&f.tokens) {
            let index = CALLERS.iter().position(|c| c == caller).unwrap();
            let got = f.probe(&server, rule.operation, token).await;
            if got != expected[index] {
                wrong.push(format!(
                    "{:?} for {caller}: expected {:?}, got {got:?}",
                    rule.operation, expected[index]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "cells that do not hold:\n{}", wrong.join("\n"));
}

both_backends!(every_cell_of_the_permission_table_holds_over_http);
