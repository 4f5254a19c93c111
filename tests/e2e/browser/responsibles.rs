//! Named responsible people in the browser: the launch names the coordinator who launches,
//! the project page names a director for the directors' stage, the history keeps it, and the
//! director finds the project under «Мои проекты».

use std::time::{Duration, Instant};

use super::{DESKTOP, WAIT, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, wait_text};
use crate::helpers::{Backend, run};

const COORDINATOR: &str = "Пользователь coordinator@chesma.test";
const DIRECTOR: &str = "Пользователь director1@chesma.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_names_a_director_for_a_stage_and_the_director_finds_it_under_my_projects() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "coordinator@chesma.test").await;
        wait_text(&c, "main h1", "Сводка").await;

        // The launch: the coordinator launching is the one chosen, and the plan says so.
        open(&c, base, "/launch", "Запуск проекта").await;
        find(&c, "select[name=workflow]")
            .await
            .select_by_value("corpus")
            .await
            .unwrap();
        find(&c, &format!("#org-{}", w.schools[0].id))
            .await
            .click()
            .await
            .unwrap();
        let chosen = wait_text(&c, "select[name=responsible]", "(вы)").await;
        assert!(!chosen.contains("не назначать"), "the one launching is named: {chosen}");
        assert_accessible_names(&c).await;
        find(&c, "form.launch-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(
            &c,
            "#plan-responsible",
            &format!("Ответственный за проект: {COORDINATOR}"),
        )
        .await;
        find(&c, "#launch-confirm").await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Начало").await;
        wait_text(&c, "#project-responsible", COORDINATOR).await;
        let url = c.current_url().await.unwrap();
        let id: i64 = url
            .path()
            .trim_start_matches("/projects/")
            .parse()
            .expect("a project page");

        // A stage not yet begun gets its own: the list offers the participant's director only.
        find(&c, "select[name=assign-what]")
            .await
            .select_by_value("work")
            .await
            .unwrap();
        let who = wait_text(&c, "select[name=assign-who]", DIRECTOR).await;
        assert!(
            !who.contains("director2"),
            "another school's director is not offered: {who}"
        );
        assert!(who.contains("все, кому этап поручен по роли"), "{who}");
        let director_id = w.director.user_id.to_string();
        find(&c, "select[name=assign-who]")
            .await
            .select_by_value(&director_id)
            .await
            .unwrap();
        assert_accessible_names(&c).await;
        find(&c, "form.assign-responsible button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(
            &c,
            "#project-notice",
            &format!("Ответственный за этап «Работа»: {DIRECTOR}."),
        )
        .await;
        wait_text(&c, "li[data-stage=work] .stage-responsible", DIRECTOR).await;
        wait_text(&c, ".history", &format!("Ответственный за этап «Работа»: {DIRECTOR}")).await;
        screenshot(&c, "project-responsibles-desktop", DESKTOP).await;
        let saved = db.engine.project(&w.admin, id).await.unwrap();
        let work = saved.stages.iter().find(|s| s.stage_key == "work").unwrap();
        assert_eq!(work.responsible_id, Some(w.director.user_id));
        // After the redraw the form shows the stage's holder again when the stage is chosen.
        find(&c, "select[name=assign-what]")
            .await
            .select_by_value("work")
            .await
            .unwrap();
        let started = Instant::now();
        loop {
            let value = c
                .execute(
                    "return document.querySelector('select[name=assign-who]').value;",
                    vec![],
                )
                .await
                .unwrap();
            if value == serde_json::json!(director_id) {
                break;
            }
            assert!(started.elapsed() < WAIT, "the current holder is not selected: {value}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // The list: the stage filter groups stages by workflow; the director's «Мои проекты».
        open(&c, base, "/projects", "Проекты").await;
        find(
            &c,
            "#filter-stage optgroup[label='Проверочный процесс'] option[value='corpus|work']",
        )
        .await;
        find(&c, "#filter-stage")
            .await
            .select_by_value("corpus|work")
            .await
            .unwrap();
        find(&c, "form.filters button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, "#project-results", "Найдено проектов: 0").await;
        // Words of the title in any case: the school's name in capitals finds the project.
        open(&c, base, "/projects", "Проекты").await;
        super::type_into(&c, "#filter-search", &w.schools[0].name.to_uppercase()).await;
        find(&c, "form.filters button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, "#project-results", "Найдено проектов: 1").await;
        find(&c, &format!("#project-results a[href='/projects/{id}']")).await;
        assert!(
            c.current_url().await.unwrap().as_str().contains("search="),
            "kept in the address"
        );
        // «Порядок»: a newer project named «Яблоневый сад» comes first by default, last by title.
        db.engine
            .launch_project(
                &w.coordinator,
                engine::service::LaunchProject {
                    title: Some("Яблоневый сад".into()),
                    ..crate::helpers::minimal_launch(&w, 1)
                },
            )
            .await
            .unwrap();
        open(&c, base, "/projects", "Проекты").await;
        let first_row = "#project-results .projects-table tbody tr:first-child";
        wait_text(&c, first_row, "Яблоневый сад").await;
        find(&c, "#filter-order").await.select_by_value("TITLE").await.unwrap();
        find(&c, "form.filters button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, "#project-results", "Найдено проектов: 2").await;
        wait_text(&c, first_row, &w.schools[0].name).await;
        assert!(
            c.current_url().await.unwrap().as_str().contains("order=TITLE"),
            "kept in the address"
        );
        find(&c, "#filter-order")
            .await
            .select_by_value("LATENESS")
            .await
            .unwrap();
        find(&c, "form.filters button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        // Both in the norm: the nearer due date first («Яблоневый сад» started on 3 March 2025).
        wait_text(&c, first_row, "Яблоневый сад").await;
        wait_text(
            &c,
            "#project-results .projects-table tbody tr:nth-child(2)",
            &w.schools[0].name,
        )
        .await;
        assert_accessible_names(&c).await;
        c.close().await.ok();

        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "director1@chesma.test").await;
        find(&c, "nav a[href='/projects?mine=1']").await.click().await.unwrap();
        wait_text(&c, "main h1", "Мои проекты").await;
        let list = wait_text(&c, "#project-results", "Найдено проектов: 1").await;
        assert!(list.contains(COORDINATOR), "the project's responsible is shown: {list}");
        find(&c, &format!("#project-results a[href='/projects/{id}']")).await;
        assert_accessible_names(&c).await;
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_person_going_on_holiday_hands_reminders_to_a_substitute_who_gets_them_by_smtp() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let e = &db.engine;
        let deputy = crate::responsibles::deputy_coordinator(&db, &w, Some(super::PASSWORD)).await;
        // The deputy answers for «Начало» of a project (due 17 March 2025; today is 3 March).
        let p = e.launch_project(&w.coordinator, crate::helpers::minimal_launch(&w, 0)).await.unwrap();
        e.assign_responsible(&w.coordinator, p.project.id, engine::service::ResponsibleFor::Stage("start"), Some(deputy.id), None)
            .await
            .unwrap();
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "deputy@chesma.test").await;

        // She goes on holiday from 10 to 14 March and names the coordinator.
        find(&c, "nav a[href='/substitutes']").await.click().await.unwrap();
        wait_text(&c, "main h1", "Замещение").await;
        wait_text(&c, "main", "Замещений нет").await;
        let set_date = |css: &str, value: &str| {
            format!("const d = document.querySelector(\"{css}\"); d.value = '{value}'; d.dispatchEvent(new Event('change', {{ bubbles: true }}));")
        };
        let submit = "form.substitute-form button[type=submit]";
        // Nobody chosen: said next to the field, nothing sent.
        find(&c, submit).await.click().await.unwrap();
        wait_text(&c, ".field.has-error", "Выберите, кто будет замещать").await;
        find(&c, "select[name=substitute]")
            .await
            .select_by_value(&w.coordinator.user_id.to_string())
            .await
            .unwrap();
        // The days the wrong way round: the API's message, next to «По».
        c.execute(&set_date("input[name=startsOn]", "2025-03-14"), vec![]).await.unwrap();
        c.execute(&set_date("input[name=endsOn]", "2025-03-10"), vec![]).await.unwrap();
        find(&c, submit).await.click().await.unwrap();
        wait_text(&c, ".field.has-error", "раньше, чем начинается").await;
        c.execute(&set_date("input[name=startsOn]", "2025-03-10"), vec![]).await.unwrap();
        c.execute(&set_date("input[name=endsOn]", "2025-03-14"), vec![]).await.unwrap();
        assert_accessible_names(&c).await;
        find(&c, submit).await.click().await.unwrap();
        wait_text(&c, "#substitutes-notice", "замещает с 10 марта 2025").await;
        let list = wait_text(&c, ".substitutions-table", COORDINATOR).await;
        assert!(list.contains("14 марта 2025"), "{list}");
        screenshot(&c, "substitutes-desktop", DESKTOP).await;
        c.close().await.ok();

        // 12 March: the reminder of her stage reaches the coordinator over real SMTP, saying
        // whom he stands in for; hers says who stands in.
        let smtp = crate::smtp::SmtpServer::start(0);
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 12, 6, 0, 0).unwrap();
        let run = smtp.send_reminders(e, now).await;
        assert_eq!(run.planned, 2, "hers and the substitute's copy");
        let copy = smtp.body_to("coordinator@chesma.test");
        assert!(copy.contains("Вы замещаете: Заместитель Мария Петровна"), "{copy}");
        assert!(copy.contains("Этап: Начало"), "{copy}");
        let own = smtp.body_to("deputy@chesma.test");
        assert!(own.contains(&format!("На время вашего отсутствия это получает и {COORDINATOR}")), "{own}");
    })
    .await;
}
