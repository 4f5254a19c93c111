//! Tasks on the project page: «Точка роста»'s measures show their own dates, and an item that
//! needs a document is ticked only after saying where the document is.

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
