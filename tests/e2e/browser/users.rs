//! Accounts in the browser: a coordinator finds a director by a word of the name, switches
//! the account off, and the director, signed in elsewhere, is sent to the sign-in page on their
//! next step and cannot sign in again until the account is switched back on; a director
//! changes their own password and their other browser is signed out.

use super::{DESKTOP, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, type_into, wait_text};
use crate::helpers::{Backend, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_switches_a_directors_account_off_and_the_director_is_locked_out_at_once() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let _w = db.world().await;
        let server = db.spawn_server().await;
        let base = &server.base;

        // The director is at work in one browser.
        let director = browser(&driver, DESKTOP).await;
        sign_in(&director, base, "director1@chesma.test").await;
        wait_text(&director, "main h1", "Мои задачи").await;

        // The coordinator, in another, finds them and switches the account off.
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;
        wait_text(&c, "main h1", "Сводка").await;
        open(&c, base, "/admin/users", "Справочники").await;
        let list = wait_text(&c, ".users-table", "Пользователь director2@chesma.test").await;
        assert!(
            !list.contains("yartsevo"),
            "another district's people are not listed: {list}"
        );
        assert!(list.to_lowercase().contains("последний вход"), "{list}");
        type_into(&c, "#users-search", "DIRECTOR1").await;
        find(&c, "form.users-filters button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let row = wait_text(&c, ".users-table tbody", "director1@chesma.test").await;
        assert!(!row.contains("director2"), "{row}");
        assert!(!row.contains("не входил"), "the director signed in: {row}");
        assert_accessible_names(&c).await;
        find(&c, ".users-table tbody button").await.click().await.unwrap();
        wait_text(&c, "#users-notice", "отключена: войти больше нельзя").await;
        wait_text(&c, ".users-table tbody", "отключена").await;
        screenshot(&c, "users-desktop", DESKTOP).await;

        // The director's next step goes to the sign-in page; signing in is refused.
        open(&director, base, "/projects", "Вход").await;
        type_into(&director, "input[name=email]", "director1@chesma.test").await;
        type_into(&director, "input[name=password]", super::PASSWORD).await;
        find(&director, "form.login-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&director, "main", "Неверный адрес почты или пароль").await;

        // Switched back on, the director signs in again.
        find(&c, ".users-table tbody button").await.click().await.unwrap();
        wait_text(&c, "#users-notice", "включена").await;
        director.close().await.ok();
        let director = browser(&driver, DESKTOP).await;
        sign_in(&director, base, "director1@chesma.test").await;
        wait_text(&director, "main h1", "Мои задачи").await;
        director.close().await.ok();
        c.close().await.ok();
    })
    .await;
}

/// «Сменить пароль»: a weak new password is refused next to its field; a good one is taken,
/// the same person's other browser is signed out, and the new password signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_changes_their_password_and_their_other_browser_is_signed_out() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let _w = db.world().await;
        let server = db.spawn_server().await;
        let base = &server.base;
        let other = browser(&driver, DESKTOP).await;
        sign_in(&other, base, "director1@chesma.test").await;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "director1@chesma.test").await;
        find(&c, "#change-password").await.click().await.unwrap();
        wait_text(&c, "main h1", "Смена пароля").await;
        assert_accessible_names(&c).await;
        let fill = |current: &'static str, new: &'static str, again: &'static str| {
            let c = c.clone();
            async move {
                for (name, value) in [("currentPassword", current), ("newPassword", new), ("repeat", again)] {
                    let css = format!("input[name={name}]");
                    find(&c, &css).await.clear().await.unwrap();
                    type_into(&c, &css, value).await;
                }
                find(&c, "form.password-form button[type=submit]")
                    .await
                    .click()
                    .await
                    .unwrap();
            }
        };
        fill(super::PASSWORD, "корова зонтик", "корова зонтик-").await;
        wait_text(&c, ".field.has-error", "Пароли не совпадают").await;
        fill(super::PASSWORD, "12345678", "12345678").await;
        wait_text(&c, ".field.has-error", "легко подобрать").await;
        fill(super::PASSWORD, "корова зонтик пятница", "корова зонтик пятница").await;
        wait_text(&c, "#password-notice", "Пароль изменён").await;
        screenshot(&c, "password-desktop", DESKTOP).await;

        // The other browser's next page asks to sign in; the new password does it.
        open(&other, base, "/tasks", "Вход").await;
        type_into(&other, "input[name=email]", "director1@chesma.test").await;
        type_into(&other, "input[name=password]", "корова зонтик пятница").await;
        find(&other, "form.login-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&other, "main h1", "Мои задачи").await;
        // This one goes on.
        open(&c, base, "/tasks", "Мои задачи").await;
        other.close().await.ok();
        c.close().await.ok();
    })
    .await;
}
