//! Tasks on the project page: «Точка роста»'s measures show their own dates, an item that
//! needs a document is ticked only after saying where the document is, and a task named to a
//! person reaches that person's substitute.

use super::{DESKTOP, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, wait_text};
use crate::branches::forked;
use crate::helpers::{Backend, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_show_their_dates_and_a_document_is_ticked_with_where_it_is() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let e = &db.engine;
        let branches = forked(&db, &w).await.project.id;
        let id = crate::tasks::at_documents(&db, &w, 1).await;
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;

        // The equipment branch's measures, each with its date counted back from the opening.
        open(&c, base, &format!("/projects/{branches}"), "Центр «Точка роста»").await;
        let delivered = wait_text(&c, "li[data-item=delivered] .task-due", "срок").await;
        assert!(delivered.contains("июля 2026"), "{delivered}");
        assert!(
            c.find(fantoccini::Locator::Css("li[data-item=installed] .task-due"))
                .await
                .is_err(),
            "no date of its own"
        );

        // The municipal act needs a document: the tick waits for where it is.
        open(&c, base, &format!("/projects/{id}"), "Центр «Точка роста»").await;
        wait_text(&c, "li[data-item=municipal_act] .document-badge", "нужен документ").await;
        find(&c, "#check-documents-municipal_act").await.click().await.unwrap();
        let note = "form.document-note:not([hidden])";
        find(&c, &format!("{note} button[type=submit]"))
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, ".field.has-error", "Напишите, где документ").await;
        assert_accessible_names(&c).await;
        find(&c, &format!("{note} input"))
            .await
            .send_keys("Постановление № 45-п от 31.03.2025")
            .await
            .unwrap();
        find(&c, &format!("{note} button[type=submit]"))
            .await
            .click()
            .await
            .unwrap();
        wait_text(
            &c,
            "li[data-item=municipal_act] .mark-comment",
            "Постановление № 45-п от 31.03.2025",
        )
        .await;
        wait_text(&c, ".history", "Постановление № 45-п от 31.03.2025").await;
        screenshot(&c, "project-tasks-desktop", DESKTOP).await;
        let saved = e.project(&w.admin, id).await.unwrap();
        let mark = saved.checklist.iter().find(|m| m.item_key == "municipal_act").unwrap();
        assert!(mark.done);
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_tasks_list_each_branch_of_mine_with_its_measures() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let id = forked(&db, &w).await.project.id;
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "director1@chesma.test").await;
        wait_text(&c, "main h1", "Мои задачи").await;
        // The three branches are the director's: a row each.
        let rows = wait_text(&c, ".my-stages", "Закупка и поставка оборудования").await;
        for stage in ["Ремонт и брендирование помещений", "Повышение квалификации педагогов"]
        {
            assert!(rows.contains(stage), "{rows}");
        }
        let links = c
            .find_all(fantoccini::Locator::Css(&format!(
                ".my-stages a[href='/projects/{id}']"
            )))
            .await
            .unwrap();
        assert_eq!(links.len(), 3, "one row per branch");
        // The equipment row lists its measures not yet done, nearest first.
        let measures = wait_text(&c, ".my-stages li[data-item=contract]", "Контракт на поставку").await;
        assert!(measures.contains("до "), "{measures}");
        find(&c, ".my-stages li[data-item=delivered]").await;
        assert_accessible_names(&c).await;
        screenshot(&c, "my-tasks-branches-desktop", DESKTOP).await;
        c.close().await.ok();
    })
    .await;
}

/// A coordinator names the school's deputy for the equipment contract on the project page;
/// the deputy is away that week and her substitute, the director, receives the task's reminder
/// over real SMTP, saying whom he stands in for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_named_on_the_page_reaches_the_named_persons_substitute_by_smtp() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let e = &db.engine;
        let deputy = crate::tasks::deputy_director(&db, &w).await;
        let id = forked(&db, &w).await.project.id;
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;
        open(&c, base, &format!("/projects/{id}"), "Центр «Точка роста»").await;
        let task = "equipment/contract";
        find(&c, &format!("select[name=assign-what] option[value='{task}']")).await;
        find(&c, "select[name=assign-what]")
            .await
            .select_by_value(task)
            .await
            .unwrap();
        let who = wait_text(&c, "select[name=assign-who]", "Завуч Ольга Ивановна").await;
        assert!(!who.contains("coordinator@"), "the task is the directors': {who}");
        assert!(who.contains("ответственный за этап или все по роли"), "{who}");
        find(&c, "select[name=assign-who]")
            .await
            .select_by_value(&deputy.id.to_string())
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
            "Ответственный за задачу «Контракт на поставку оборудования и мебели заключён (ЕИС)»: Завуч Ольга Ивановна.",
        )
        .await;
        wait_text(&c, "li[data-item=contract] .task-responsible", "Завуч Ольга Ивановна").await;
        wait_text(&c, ".history", "за задачу «Контракт на поставку").await;
        screenshot(&c, "project-task-responsible-desktop", DESKTOP).await;
        c.close().await.ok();

        // Her week away around a week before the contract's date: the director stands in.
        let saved = e.project(&w.admin, id).await.unwrap();
        let mark = saved.checklist.iter().find(|m| m.item_key == "contract").unwrap();
        assert_eq!(mark.responsible_id, Some(deputy.id));
        let calendar = e.calendar_of(&w.district).await.unwrap();
        let opening = saved.stages.iter().find(|s| s.stage_key == "opening").unwrap().current_due.unwrap();
        let due = engine::schedule::offset(opening, -40, engine::definition::DayUnit::Working, &calendar).unwrap();
        let at = |day: chrono::NaiveDate| day.and_hms_opt(6, 0, 0).unwrap().and_utc();
        db.clock.set(at(due - chrono::Days::new(10)));
        e.set_substitution(
            &w.coordinator,
            engine::service::NewSubstitution {
                user_id: deputy.id,
                substitute_id: w.director.user_id,
                starts_on: due - chrono::Days::new(9),
                ends_on: due - chrono::Days::new(5),
            },
        )
        .await
        .unwrap();

        let smtp = crate::smtp::SmtpServer::start(0);
        smtp.send_reminders(e, at(due - chrono::Days::new(7))).await;
        let copy = smtp.body_to("director1@chesma.test");
        assert!(copy.contains("Вы замещаете: Завуч Ольга Ивановна"), "{copy}");
        assert!(
            copy.contains("Задача: Контракт на поставку оборудования и мебели заключён (ЕИС) (этап «Закупка и поставка оборудования»)"),
            "{copy}"
        );
        let own = smtp.body_to("zavuch@school1.test");
        assert!(own.contains("Задача: Контракт на поставку"), "{own}");
        assert!(own.contains("На время вашего отсутствия это получает и Пользователь director1@chesma.test"), "{own}");
    })
    .await;
}
