//! Calendars that never run out: launches on any date, regional days off, days entered citing
//! an act, the launch preview, and a new calendar release.

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use engine::Actor;
use engine::model::{EventKind, OrganizationKind};
use engine::service::{CalendarScope, LaunchProject, NewCalendarDay, NewDistrict, NewOrganization, ProjectFilter};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::{code, date, error_code};

/// 09:00 in Moscow on `day`.
fn morning(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(day.year(), day.month(), day.day(), 6, 0, 0)
        .unwrap()
}

async fn district_with_school(e: &engine::Engine, name: &str, region: &str) -> (i64, i64) {
    let district = e
        .create_district(
            &Actor::SYSTEM,
            NewDistrict {
                name: name.into(),
                time_zone: None,
                region_code: Some(region.into()),
            },
        )
        .await
        .unwrap();
    let school = e
        .create_organization(
            &Actor::SYSTEM,
            NewOrganization {
                district_id: district.id,
                name: format!("МБОУ «СОШ № 1» ({name})"),
                kind: OrganizationKind::School,
                email: None,
            },
        )
        .await
        .unwrap();
    (district.id, school.id)
}

fn launch(workflow: &str, district: i64, school: i64, start: NaiveDate) -> LaunchProject {
    LaunchProject {
        workflow_key: workflow.into(),
        district_id: district,
        participants: vec![school],
        start_date: Some(start),
        ..Default::default()
    }
}

async fn tochka_rosta_launches_on_any_date_through_2030_with_a_plan_in_order(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let mut start = date("2026-12-03");
    let mut launched = 0;
    while start <= date("2030-12-31") {
        db.clock.set(morning(start));
        let details = e
            .launch_project(
                &w.coordinator,
                launch("tochka-rosta", w.district.id, w.schools[0].id, start),
            )
            .await
            .unwrap_or_else(|err| panic!("{start}: {err}"));
        // A stage is due no earlier than the start and than every stage that comes ahead of
        // it; parallel branches (premises, equipment, training) are not ordered.
        let def = &details.definition;
        let stages = def.stages();
        let due = |i: usize| details.stages[i].current_due.filter(|_| !stages[i].terminal);
        for i in 0..stages.len() {
            let Some(this) = due(i) else { continue };
            assert!(
                this >= start,
                "{start}: «{}» due {this} before the start",
                stages[i].key
            );
            for j in (0..i).filter(|&j| def.precedes(j, i)) {
                if let Some(earlier) = due(j) {
                    assert!(
                        this >= earlier,
                        "{start}: «{}» due {this} before «{}» ({earlier})",
                        stages[i].key,
                        stages[j].key
                    );
                }
            }
        }
        let opening = details.stages.iter().find(|s| s.stage_key == "opening").unwrap();
        let opening = opening.current_due.unwrap();
        assert_eq!((opening.month(), opening.day()), (9, 1), "{start}");
        assert!(
            opening > start && (opening - start).num_days() <= 366 + 250,
            "{start}: {opening}"
        );
        launched += 1;
        start = start.checked_add_days(Days::new(47)).unwrap();
    }
    assert!(launched > 30);
    // Launched on 3 December 2026, «Точка роста» opens on 1 September 2027.
    let page = e
        .list_projects(&w.admin, &ProjectFilter::default(), 100, None)
        .await
        .unwrap();
    let first = page.items.iter().map(|p| p.id).min().unwrap();
    let details = e.project(&w.admin, first).await.unwrap();
    let opening = details.stages.iter().find(|s| s.stage_key == "opening").unwrap();
    assert_eq!(opening.current_due, Some(date("2027-09-01")));
}

async fn a_tatarstan_district_gets_a_later_working_day_deadline_across_uraza_bairam(db: TestDb) {
    let e = &db.engine;
    let (kazan, kazan_school) = district_with_school(e, "Высокогорский район", "16").await;
    let (moscow, moscow_school) = district_with_school(e, "Район Арбат", "77").await;
    db.clock.set(morning(date("2026-03-10")));
    // The first stage of the roadmap is due 15 working days after the start; Ураза-байрам
    // (Friday 20 March 2026) is a day off in Tatarstan only.
    let start = date("2026-03-10");
    let in_kazan = e
        .launch_project(
            &Actor::SYSTEM,
            launch("school-quality-roadmap", kazan, kazan_school, start),
        )
        .await
        .unwrap();
    let in_moscow = e
        .launch_project(
            &Actor::SYSTEM,
            launch("school-quality-roadmap", moscow, moscow_school, start),
        )
        .await
        .unwrap();
    let kazan_due = in_kazan.stages[0].current_due.unwrap();
    let moscow_due = in_moscow.stages[0].current_due.unwrap();
    assert_eq!(moscow_due, date("2026-03-31"));
    assert_eq!(kazan_due, date("2026-04-01"), "one working day later across 20 March");
    let year = e.district_calendar(&Actor::SYSTEM, kazan, 2026).await.unwrap();
    assert!(
        year.year
            .days
            .iter()
            .any(|d| d.date == date("2026-03-20") && !d.working)
    );
    assert_eq!(year.region.map(|r| r.code.as_str()), Some("16"));
}

async fn an_entered_day_off_recomputes_open_due_dates_and_writes_history(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    db.clock.set(morning(date("2026-03-02")));
    let details = e
        .launch_project(
            &w.coordinator,
            launch(
                "school-quality-roadmap",
                w.district.id,
                w.schools[0].id,
                date("2026-03-02"),
            ),
        )
        .await
        .unwrap();
    let id = details.project.id;
    let before = details.stages[0].current_due.unwrap();
    let later = details.stages[1].current_due.unwrap();
    let day = NewCalendarDay {
        scope: CalendarScope::District(w.district.id),
        date: date("2026-03-11"),
        working: false,
        title: "День района".into(),
        act_number: "123-п".into(),
        act_date: date("2026-02-20"),
        act_title: Some("Постановление администрации Чесменского района".into()),
    };
    // Only the district's coordinator or an administrator; a region only by an administrator.
    assert_eq!(code(e.add_calendar_day(&w.director, day.clone()).await), "FORBIDDEN");
    assert_eq!(
        code(e.add_calendar_day(&w.other_coordinator, day.clone()).await),
        "FORBIDDEN"
    );
    let regional = NewCalendarDay {
        scope: CalendarScope::Region("74".into()),
        ..day.clone()
    };
    assert_eq!(code(e.add_calendar_day(&w.coordinator, regional).await), "FORBIDDEN");
    let no_act = NewCalendarDay {
        act_number: " ".into(),
        ..day.clone()
    };
    let err = e.add_calendar_day(&w.coordinator, no_act).await.unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "actNumber"),
        "{err:?}"
    );

    let entry = e.add_calendar_day(&w.coordinator, day.clone()).await.unwrap();
    let after = e.project(&w.coordinator, id).await.unwrap();
    assert_eq!(
        after.stages[0].current_due,
        before
            .checked_add_days(Days::new(1))
            .map(|d| if d.weekday() == chrono::Weekday::Sat {
                d + Days::new(2)
            } else {
                d
            })
    );
    assert_eq!(after.stages[0].baseline_due, Some(before), "the baseline stays");
    assert!(
        after.stages[1].current_due.unwrap() > later,
        "what counts from it follows"
    );
    assert_eq!(after.project.row_version, details.project.row_version + 1);
    let recomputed: Vec<_> = after
        .history
        .iter()
        .filter(|h| h.kind == EventKind::Recomputed)
        .collect();
    assert_eq!(recomputed.len(), 1);
    let reason = recomputed[0].comment.as_deref().unwrap();
    assert!(
        reason.contains("11.03.2026") && reason.contains("№ 123-п от 20.02.2026"),
        "{reason}"
    );
    // The same day twice is refused; another district is untouched.
    assert_eq!(code(e.add_calendar_day(&w.coordinator, day).await), "VALIDATION");

    // Removing it puts the dates back, with another history entry.
    e.remove_calendar_day(&w.coordinator, entry.id).await.unwrap();
    let back = e.project(&w.coordinator, id).await.unwrap();
    assert_eq!(back.stages[0].current_due, Some(before));
    assert_eq!(
        back.history.iter().filter(|h| h.kind == EventKind::Recomputed).count(),
        2
    );
}

async fn a_new_calendar_release_recomputes_open_dates_once(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    assert_eq!(
        e.sync_calendar_release().await.unwrap(),
        0,
        "the first release is recorded as it is"
    );
    let details = e
        .launch_project(
            &w.coordinator,
            launch(
                "school-quality-roadmap",
                w.district.id,
                w.schools[0].id,
                date("2025-03-03"),
            ),
        )
        .await
        .unwrap();
    let right = details.stages[0].current_due.unwrap();
    // As if the stored dates came from older calendar data, and the server now carries new data.
    let backend = db.db().get_database_backend();
    for sql in [
        format!(
            "UPDATE stage_plans SET current_due = '2025-03-20' WHERE project_id = {} AND position = 0",
            details.project.id
        ),
        "UPDATE calendar_releases SET fingerprint = 'older'".to_string(),
    ] {
        db.db().execute_raw(Statement::from_string(backend, sql)).await.unwrap();
    }
    assert_eq!(e.sync_calendar_release().await.unwrap(), 1);
    assert_eq!(e.sync_calendar_release().await.unwrap(), 0, "once");
    let after = e.project(&w.coordinator, details.project.id).await.unwrap();
    assert_eq!(after.stages[0].current_due, Some(right));
    let entry = after.history.iter().find(|h| h.kind == EventKind::Recomputed).unwrap();
    assert!(entry.comment.as_deref().unwrap().contains("Обновлены данные календаря"));
    assert_eq!(entry.actor_id, None, "the system did it");
}

async fn the_launch_preview_shows_the_plan_and_saves_nothing(db: TestDb) {
    let w = db.world().await;
    db.clock.set(morning(date("2026-12-03")));
    let server = db.spawn_server().await;
    let token = server.login("coordinator@chesma.test", "пароль-для-тестов").await;
    let t = Some(token.as_str());
    let preview = "query($i: LaunchProjectInput!) { launchPreview(input: $i) { title startDate provisional warnings stages { key title due fixed provisional dueRule } } }";
    let input = |event: Option<&str>| {
        let mut i = json!({ "workflowKey": "unified-methodical-day", "districtId": w.district.id.to_string(), "participantIds": [w.schools[0].id.to_string(), w.schools[1].id.to_string()] });
        if let Some(day) = event {
            i["dueDates"] = json!([{ "stage": "event_day", "date": day }]);
        }
        json!({ "i": i })
    };
    // The day of the event is asked for, next to its field.
    let body = server.gql(t, preview, input(None)).await;
    assert_eq!(error_code(&body), "VALIDATION");
    assert_eq!(body["errors"][0]["extensions"]["field"], "dueDates.event_day");
    // A day too soon for the preparation: the message names the earliest day that works.
    let body = server.gql(t, preview, input(Some("2026-12-08"))).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "dueDates.event_day");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("не раньше") && !message.contains("event_day") && !message.contains(".toml"),
        "{message}"
    );
    // A day that works: the plan, nothing saved.
    let data = server.ok(t, preview, input(Some("2027-02-17"))).await;
    let stages = data["launchPreview"]["stages"].as_array().unwrap();
    let day = stages.iter().find(|s| s["key"] == "event_day").unwrap();
    assert_eq!(
        (day["due"].as_str(), day["fixed"].as_bool()),
        (Some("2027-02-17"), Some(true))
    );
    assert!(
        stages
            .iter()
            .all(|s| s["due"].is_null() || s["due"].as_str().unwrap() >= "2026-12-03")
    );
    let saved = server
        .ok(t, "{ projects(first: 10) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(
        saved["projects"]["nodes"].as_array().unwrap().len(),
        0,
        "the preview saves nothing"
    );

    // «Точка роста» launched today: the year of operation runs into a provisional year.
    let tochka = json!({ "i": { "workflowKey": "tochka-rosta", "districtId": w.district.id.to_string(), "participantIds": [w.schools[0].id.to_string()] } });
    let data = server.ok(t, preview, tochka).await;
    assert_eq!(data["launchPreview"]["provisional"], true);
    assert!(
        data["launchPreview"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("предварительному календарю"))
    );

    // The year view of a district: the federal decree, the region, provisional years.
    let calendar = "query($d: ID!, $y: Int!) { districtCalendar(districtId: $d, year: $y) { provisional provisionalReasons federalSource workingDays region { code name } days { date working title origin } } }";
    let data = server
        .ok(t, calendar, json!({ "d": w.district.id.to_string(), "y": 2026 }))
        .await;
    let year = &data["districtCalendar"];
    assert_eq!(
        (year["provisional"].as_bool(), year["workingDays"].as_u64()),
        (Some(false), Some(247))
    );
    assert_eq!(year["region"]["code"], "74");
    let data = server
        .ok(t, calendar, json!({ "d": w.district.id.to_string(), "y": 2028 }))
        .await;
    let year = &data["districtCalendar"];
    assert_eq!(year["provisional"], true);
    assert!(
        year["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2028-11-06" && d["working"] == false)
    );
    let body = server
        .gql(t, calendar, json!({ "d": w.district.id.to_string(), "y": 3000 }))
        .await;
    assert_eq!(
        (error_code(&body), body["errors"][0]["extensions"]["field"].as_str()),
        ("VALIDATION", Some("year"))
    );

    // A coordinator enters a day for the district over the API; a country-wide one is refused.
    let add = "mutation($i: AddCalendarDayInput!) { addCalendarDay(input: $i) { id citation } }";
    let day = json!({ "i": { "scope": "DISTRICT", "districtId": w.district.id.to_string(), "date": "2027-06-15", "working": false, "title": "День района", "actNumber": "7", "actDate": "2026-11-20", "actTitle": "Постановление администрации района" } });
    let data = server.ok(t, add, day.clone()).await;
    assert_eq!(
        data["addCalendarDay"]["citation"],
        "Постановление администрации района № 7 от 20.11.2026"
    );
    let mut country = day;
    country["i"]["scope"] = json!("COUNTRY");
    assert_eq!(error_code(&server.gql(t, add, country).await), "FORBIDDEN");
}

both_backends!(
    tochka_rosta_launches_on_any_date_through_2030_with_a_plan_in_order,
    a_tatarstan_district_gets_a_later_working_day_deadline_across_uraza_bairam,
    an_entered_day_off_recomputes_open_due_dates_and_writes_history,
    a_new_calendar_release_recomputes_open_dates_once,
    the_launch_preview_shows_the_plan_and_saves_nothing
);
