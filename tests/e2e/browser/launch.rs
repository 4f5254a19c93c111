//! The launch form's annual date: «Точка роста» opens by 1 September — the nearest one the plan
//! fits unless the coordinator chooses a later year, which the plan then counts back from.

use super::{DESKTOP, assert_accessible_names, browser, driver, find, open, sign_in, wait_text};
use crate::helpers::{Backend, date, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_chooses_the_year_of_an_annual_opening() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "coordinator@chesma.test").await;
        wait_text(&c, "main h1", "Сводка").await;

        let set_date = |css: &str, value: &str| {
            format!("const d = document.querySelector(\"{css}\"); d.value = '{value}'; d.dispatchEvent(new Event('change', {{ bubbles: true }}));")
        };
        let preview = "form.launch-form button[type=submit]";
        let year_field = "select[name='due-opening']";
        let launch = |school: i64, opening: Option<&'static str>| {
            let c = c.clone();
            let set_start = set_date("input[name=startDate]", "2025-03-03");
            async move {
                open(&c, base, "/launch", "Запуск проекта").await;
                find(&c, "select[name=workflow]").await.select_by_value("tochka-rosta").await.unwrap();
                find(&c, &format!("#org-{school}")).await.click().await.unwrap();
                c.execute(&set_start, vec![]).await.unwrap();
                // The choices follow the start: the nearest that fits first, then 1 September
                // of the start's year and the four after it.
                let choices = wait_text(&c, year_field, "1 сентября 2029").await;
                assert!(choices.contains("Ближайшее 1 сентября") && choices.contains("1 сентября 2025"), "{choices}");
                assert!(!choices.contains("2030"), "{choices}");
                if let Some(day) = opening {
                    find(&c, year_field).await.select_by_value(day).await.unwrap();
                }
                assert_accessible_names(&c).await;
                find(&c, preview).await.click().await.unwrap();
                let plan = wait_text(&c, ".launch-plan", "План проекта").await;
                find(&c, "#launch-confirm").await.click().await.unwrap();
                wait_text(&c, "#current-stage-title", "Заявка").await;
                let url = c.current_url().await.unwrap();
                let id: i64 = url.path().trim_start_matches("/projects/").parse().expect("a project page");
                (id, plan)
            }
        };

        // Left to the default: the nearest 1 September the plan fits (not 2025: the documents would
        // be due before the application), counted by the engine.
        let (nearest, plan) = launch(w.schools[0].id, None).await;
        assert!(plan.contains("1 сентября 2026") && plan.contains("к 01.09.2025 не успеть"), "{plan}");
        let opening = |p: &engine::model::ProjectDetails| {
            p.stages.iter().find(|s| s.stage_key == "opening").and_then(|s| s.current_due)
        };
        let p = db.engine.project(&w.admin, nearest).await.unwrap();
        assert_eq!(opening(&p), Some(date("2026-09-01")));

        // A later year chosen: the plan is counted back from it and marked as set by a person.
        let (later, plan) = launch(w.schools[1].id, Some("2027-09-01")).await;
        assert!(plan.contains("1 сентября 2027") && plan.contains("назначен вами"), "{plan}");
        assert!(!plan.contains("opening"), "no internal keys: {plan}");
        let p = db.engine.project(&w.admin, later).await.unwrap();
        assert_eq!(opening(&p), Some(date("2027-09-01")));
        let earlier = db.engine.project(&w.admin, nearest).await.unwrap();
        let equipment = |p: &engine::model::ProjectDetails| {
            p.stages.iter().find(|s| s.stage_key == "equipment").and_then(|s| s.current_due).unwrap()
        };
        assert!(equipment(&p) > equipment(&earlier), "counted back from the later opening");
        c.close().await.ok();
    })
    .await;
}

/// «Ответственные за этапы» at launch: the school's director named for the equipment branch,
/// shown in the plan before the launch and stored with the stage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_names_the_director_for_a_branch_at_launch() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "coordinator@chesma.test").await;
        wait_text(&c, "main h1", "Сводка").await;
        open(&c, base, "/launch", "Запуск проекта").await;
        find(&c, "select[name=workflow]")
            .await
            .select_by_value("tochka-rosta")
            .await
            .unwrap();
        let tick = |school: i64| {
            let c = c.clone();
            async move { find(&c, &format!("#org-{school}")).await.click().await.unwrap() }
        };
        tick(w.schools[1].id).await;
        tick(w.schools[0].id).await;
        find(&c, ".launch-stage-responsibles summary")
            .await
            .click()
            .await
            .unwrap();
        // Two schools, two projects: a director is one school's, so no choice is offered.
        wait_text(&c, "#stage-responsibles-many", "на странице каждого проекта").await;
        tick(w.schools[1].id).await;
        let director = "Пользователь director1@chesma.test";
        let equipment = "select[name=stage-responsible-equipment]";
        let offered = wait_text(&c, equipment, director).await;
        assert!(
            !offered.contains("director2"),
            "only the chosen school's director: {offered}"
        );
        assert!(
            !offered.contains("coordinator@"),
            "the branch is the directors': {offered}"
        );
        find(&c, equipment)
            .await
            .select_by_value(&w.director.user_id.to_string())
            .await
            .unwrap();
        assert_accessible_names(&c).await;
        find(&c, "form.launch-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let plan = wait_text(&c, ".launch-plan", "План проекта").await;
        assert!(plan.contains(director), "{plan}");
        find(&c, "#launch-confirm").await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Заявка").await;
        let url = c.current_url().await.unwrap();
        let id: i64 = url
            .path()
            .trim_start_matches("/projects/")
            .parse()
            .expect("a project page");
        let p = db.engine.project(&w.admin, id).await.unwrap();
        let named = |key: &str| p.stages.iter().find(|s| s.stage_key == key).unwrap().responsible_id;
        assert_eq!(named("equipment"), Some(w.director.user_id));
        assert_eq!(named("premises"), None, "left to the roles");
        c.close().await.ok();
    })
    .await;
}
