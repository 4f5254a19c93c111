//! Invitations and «Забыли пароль?» in the browser, with the letters received by a real SMTP
//! server: a coordinator invites a new director without choosing a password, the director
//! opens the link from the letter, sets a password and is at work; the coordinator renames
//! them and reads the account's trail; the director forgets the password and sets a new one
//! from the second letter's link.

use super::{
    DESKTOP, PHONE, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, type_into, wait_text,
};
use crate::accounts::letter_to;
use crate::helpers::{Backend, run};
use crate::smtp::SmtpServer;

/// The link in a letter, as a person would click it.
fn link_in(letter: &str) -> String {
    letter
        .split_whitespace()
        .find(|w| w.contains("/set-password#"))
        .expect("a link in the letter")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_is_invited_sets_a_password_from_the_letter_and_later_resets_it() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let smtp = SmtpServer::start(0);
        let server = db
            .spawn_server_mailing(graphql::ServerConfig::default(), Some(&SmtpServer::url(smtp.port)))
            .await;
        let base = &server.base;

        // The coordinator invites a new director: no password field at all.
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;
        open(&c, base, "/admin/users", "Справочники").await;
        let form = wait_text(&c, "form.create-form", "Новый пользователь").await;
        assert!(form.contains("придумает пароль сам"), "{form}");
        assert!(
            c.find(fantoccini::Locator::Css("form.create-form input[type=password]"))
                .await
                .is_err()
        );
        type_into(&c, "form.create-form input[name=email]", "novikova@chesma.test").await;
        type_into(&c, "form.create-form input[name=fullName]", "Новикова Анна Сергеевна").await;
        find(&c, "form.create-form select[name=organizationId]")
            .await
            .select_by_value(&w.schools[2].id.to_string())
            .await
            .unwrap();
        find(&c, "form.create-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, "form.create-form", "Приглашение отправлено на novikova@chesma.test").await;
        wait_text(&c, ".users-table tbody", "приглашён").await;

        // The letter's link opens the page that sets the password; the token leaves the
        // address bar at once.
        let letter = letter_to(&smtp, "novikova@chesma.test", 1).await;
        let link = link_in(&letter);
        assert!(link.starts_with(base.as_str()), "{link}");
        let d = browser(&driver, PHONE).await;
        d.goto(&link).await.unwrap();
        wait_text(&d, "main h1", "Добро пожаловать").await;
        wait_text(&d, "main .lead", "Новикова Анна Сергеевна").await;
        assert_eq!(d.current_url().await.unwrap().as_str(), format!("{base}/set-password"));
        assert_accessible_names(&d).await;
        type_into(&d, "input[name=password]", "novikova2026").await;
        type_into(&d, "input[name=repeat]", "novikova2026").await;
        find(&d, "form.set-password-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&d, ".field.has-error", "легко подобрать").await;
        screenshot(&d, "set-password-phone", PHONE).await;
        type_into(&d, "input[name=password]", "сирень фонарь четверг").await;
        type_into(&d, "input[name=repeat]", "сирень фонарь четверг").await;
        find(&d, "form.set-password-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&d, "main h1", "Мои задачи").await;

        // The coordinator opens the person, renames them and reads the trail.
        open(&c, base, "/admin/users", "Справочники").await;
        type_into(&c, "#users-search", "новикова").await;
        find(&c, "form.users-filters button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, ".users-table tbody", "включена").await;
        find(&c, ".users-table tbody a").await.click().await.unwrap();
        wait_text(&c, "main h1", "Новикова Анна Сергеевна").await;
        let trail = wait_text(&c, ".account-history", "Пароль задан по ссылке из письма").await;
        assert!(
            trail.contains("сам человек") && trail.contains("Отправлено приглашение"),
            "{trail}"
        );
        assert_accessible_names(&c).await;
        type_into(
            &c,
            "form.user-form input[name=fullName]",
            "Новикова-Петрова Анна Сергеевна",
        )
        .await;
        find(&c, "form.user-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, "#user-notice", "Изменения сохранены").await;
        wait_text(
            &c,
            ".account-history",
            "ФИО: «Новикова Анна Сергеевна» → «Новикова-Петрова Анна Сергеевна»",
        )
        .await;
        screenshot(&c, "user-desktop", DESKTOP).await;

        // The director forgets the password: «Забыли пароль?» on the sign-in page.
        find(&d, "#logout").await.click().await.unwrap();
        wait_text(&d, "main h1", "Вход").await;
        find(&d, "#forgot-link").await.click().await.unwrap();
        wait_text(&d, "main h1", "Восстановление пароля").await;
        assert_accessible_names(&d).await;
        type_into(&d, "input[name=email]", "novikova@chesma.test").await;
        find(&d, "form.forgot-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&d, "#forgot-notice", "Если адрес novikova@chesma.test зарегистрирован").await;
        let letter = letter_to(&smtp, "novikova@chesma.test", 2).await;
        d.goto(&link_in(&letter)).await.unwrap();
        wait_text(&d, "main h1", "Новый пароль").await;
        type_into(&d, "input[name=password]", "ромашка вокзал пятница").await;
        type_into(&d, "input[name=repeat]", "ромашка вокзал пятница").await;
        find(&d, "form.set-password-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&d, "main h1", "Мои задачи").await;

        // The first link, used, now says what to do instead.
        d.goto(&link).await.unwrap();
        wait_text(&d, "main .alert", "Ссылка не действует").await;
        find(&d, "a[href='/forgot-password']").await;
        d.close().await.ok();
        c.close().await.ok();
    })
    .await;
}

/// 152-ФЗ from the person's page: the administrator sees «Персональные данные», and
/// anonymising (after the warning is confirmed) replaces the name on the page and in the list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_anonymises_a_person_after_a_warning() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let server = db.spawn_server().await;
        let base = &server.base;
        let a = browser(&driver, DESKTOP).await;
        sign_in(&a, base, "admin@po.test").await;
        let id = w.observer.user_id;
        open(
            &a,
            base,
            &format!("/admin/users/{id}"),
            "Пользователь observer@chesma.test",
        )
        .await;
        wait_text(&a, "main", "Персональные данные").await;
        assert!(!find(&a, "#anonymise-confirm").await.is_displayed().await.unwrap());
        find(&a, "#anonymise").await.click().await.unwrap();
        wait_text(&a, "#anonymise-confirm", "Отменить это нельзя").await;
        assert_accessible_names(&a).await;
        find(&a, "#anonymise-yes").await.click().await.unwrap();
        wait_text(&a, "#user-notice", "обезличены").await;
        wait_text(&a, "main h1", &engine::service::placeholder_name(id)).await;
        wait_text(&a, ".account-history", "обезличивание").await;
        a.close().await.ok();
    })
    .await;
}
