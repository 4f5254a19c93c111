//! Moving running projects to a new workflow version from the administration page: the list
//! says what changes for each project and why one cannot move, the chosen ones move, and the
//! project's history says so.

use super::{DESKTOP, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, wait_text};
use crate::helpers::{Backend, run};
use crate::migration::{corrected, register_corpus, two_projects, without_work};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_moves_running_projects_to_the_new_version_and_sees_which_cannot() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let (at_start, working) = two_projects(&db, &w).await;
        register_corpus(&db, corrected).await;
        register_corpus(&db, without_work).await;
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "admin@po.test").await;
        open(&c, base, "/admin/workflows", "Администрирование").await;
        find(&c, "#migration-show").await.click().await.unwrap();
        let list = wait_text(&c, ".migration-list", "версия 1 → 3").await;
        assert!(
            list.contains("Этапа «Работа» в версии 3 нет: проект его не пройдёт."),
            "{list}"
        );
        let refusal = wait_text(&c, &format!("li[data-project='{working}'] .refusal"), "в версии 3 нет").await;
        assert!(refusal.contains("Проект остаётся на версии 1."), "{refusal}");
        assert!(
            !find(&c, &format!("#migrate-{working}"))
                .await
                .is_enabled()
                .await
                .unwrap(),
            "cannot be chosen"
        );
        assert_accessible_names(&c).await;
        screenshot(&c, "migration-desktop", DESKTOP).await;
        find(&c, "#migrate-chosen").await.click().await.unwrap();
        wait_text(&c, "#migration-summary", "Перенесено проектов: 1.").await;
        wait_text(&c, &format!("#migrate-{at_start}-status"), "Перенесён на версию 3").await;
        assert_eq!(db.engine.project(&w.admin, at_start).await.unwrap().workflow.version, 3);
        assert_eq!(db.engine.project(&w.admin, working).await.unwrap().workflow.version, 1);
        open(&c, base, &format!("/projects/{at_start}"), "Проверочный процесс").await;
        wait_text(&c, ".history", "Проект переведён на версию 3 процесса (была 1)").await;
        wait_text(&c, ".project-summary", "версия 3").await;
        c.close().await.ok();
    })
    .await;
}
