//! «Импорт из Excel» in the browser: a coordinator checks a district's file, sees every mistake
//! with its line and column (nothing written), fixes the file, checks it again and imports it;
//! the new directors are invited (their letters reach a real SMTP server) and listed.

use super::{DESKTOP, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, wait_text};
use crate::helpers::{Backend, run};
use crate::smtp::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_checks_fixes_and_imports_a_file_of_schools() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let _w = db.world().await;
        let smtp = SmtpServer::start(0);
        let server = db
            .spawn_server_mailing(graphql::ServerConfig::default(), Some(&SmtpServer::url(smtp.port)))
            .await;
        let base = &server.base;
        let dir = std::env::temp_dir().join(format!("po-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = "Название организации;Тип;ФИО руководителя;Почта руководителя;Телефон";
        let bad = dir.join("школы-с-ошибкой.csv");
        std::fs::write(
            &bad,
            format!("{header}\r\nМБОУ «Лицей № 7»;лицей;Орлова Нина;orlova@licey7.test;\r\nМБОУ «СОШ № 8»;космодром;Волков Игорь;volkov@school8;\r\n"),
        )
        .unwrap();
        let good = dir.join("школы.csv");
        std::fs::write(
            &good,
            format!("{header}\r\nМБОУ «Лицей № 7»;лицей;Орлова Нина;orlova@licey7.test;\r\nМБОУ «СОШ № 8»;школа;Волков Игорь;volkov@school8.test;\r\nМБДОУ «Ромашка»;детский сад;Зайцева Ольга;zaytseva@romashka.test;+7 351 222-33-44\r\n"),
        )
        .unwrap();

        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;
        open(&c, base, "/admin/import", "Справочники").await;
        wait_text(&c, "form.import-form", "Скачать шаблон").await;
        assert_accessible_names(&c).await;
        let input = find(&c, "form.import-form input[type=file]").await;
        input.send_keys(bad.to_str().unwrap()).await.unwrap();
        find(&c, "form.import-form button[type=submit]").await.click().await.unwrap();
        wait_text(&c, "#import-notice", "В файле ошибок: 2").await;
        let problems = wait_text(&c, ".import-problems", "космодром").await;
        assert!(problems.contains("Тип") && problems.contains("Почта руководителя"), "{problems}");
        assert!(problems.contains('3'), "the line: {problems}");
        assert!(!find(&c, "#import-apply").await.is_displayed().await.unwrap(), "nothing to import yet");
        screenshot(&c, "import-problems-desktop", DESKTOP).await;

        let input = find(&c, "form.import-form input[type=file]").await;
        input.clear().await.ok();
        input.send_keys(good.to_str().unwrap()).await.unwrap();
        find(&c, "form.import-form button[type=submit]").await.click().await.unwrap();
        wait_text(&c, "#import-notice", "ошибок нет").await;
        wait_text(&c, ".import-lines", "получит приглашение").await;
        find(&c, "#import-apply").await.click().await.unwrap();
        wait_text(&c, "#import-notice", "Приглашения отправлены: 3").await;
        crate::accounts::letter_to(&smtp, "zaytseva@romashka.test", 1).await;

        open(&c, base, "/admin/users", "Справочники").await;
        wait_text(&c, ".users-table tbody", "Зайцева Ольга").await;
        wait_text(&c, ".users-table tbody", "приглашён").await;
        c.close().await.ok();
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
