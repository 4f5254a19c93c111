//! The web interface in a real browser: headless Chromium driven over WebDriver
//! (chromedriver, fantoccini) against the real server on a free port.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`; `CHROMIUM` / `CHROMEDRIVER` override the paths). Without them each test
//! prints why it is skipped — unless `CI` is set: there a missing browser is a failure.
//!
//! Screenshots (PNG) go to `<target>/tmp/screenshots/`, and with `UPDATE_SCREENSHOTS=1` also
//! to `docs/screenshots/`, which the README shows.
//!
//! [`branches`] drives a project with parallel branches; [`launch`] the launch form's annual date;
//! [`responsibles`] the people named responsible; [`migration`] moving projects to a new version;
//! [`tasks`] tasks with their own dates and items that need a document; [`users`] the user list
//! and switching accounts off; [`accounts`] invitations and password resets from the letters;
//! [`imports`] a district's file of schools, checked and imported.

mod accounts;
mod branches;
mod imports;
mod launch;
mod migration;
mod responsibles;
mod tasks;
mod users;

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use engine::service::{LaunchProject, TransitionRequest};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::{Backend, TestDb, World, date, minimal_launch, repo_path, run};

const PASSWORD: &str = "пароль-для-тестов";
pub(crate) const DESKTOP: (u32, u32) = (1280, 900);
pub(crate) const PHONE: (u32, u32) = (390, 844);
pub(crate) const WAIT: Duration = Duration::from_secs(15);

/// A chromedriver child process on a free loopback port; killed when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
    chromium: PathBuf,
}

impl Drop for Driver {
    /// Ends chromedriver and the browsers it started (its process group): a test that panics
    /// before closing its session must not leave Chromium running.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tool(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// Starts chromedriver, or `None` (the test is skipped) when the browser is not installed
/// and `CI` is unset.
pub(crate) async fn driver() -> Option<Driver> {
    let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = tool("CHROMIUM", "/usr/bin/chromium");
    if !chromedriver.exists() || !chromium.exists() {
        let what = format!(
            "{} or {} is missing (apt-get install chromium chromium-driver)",
            chromium.display(),
            chromedriver.display()
        );
        if std::env::var_os("CI").is_some() {
            panic!("the browser tests need Chromium, and CI is set: {what}");
        }
        eprintln!("SKIPPED browser test: {what}; set CI=1 to make this a failure");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let driver = Driver { child, url, chromium };
    let started = Instant::now();
    loop {
        let ready = reqwest::get(format!("{}/status", driver.url))
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            return Some(driver);
        }
        assert!(started.elapsed() < WAIT, "chromedriver did not start on port {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A new headless browser window of `size`.
pub(crate) async fn browser(driver: &Driver, size: (u32, u32)) -> Client {
    browser_with(driver, size, &[]).await
}

/// [`browser`] with more command-line arguments for Chromium.
pub(crate) async fn browser_with(driver: &Driver, size: (u32, u32), extra: &[&str]) -> Client {
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-gpu".into(),
        "--lang=ru-RU".into(),
        "--hide-scrollbars".into(),
        format!("--window-size={},{}", size.0, size.1),
    ];
    args.extend(extra.iter().map(|a| (*a).to_string()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": driver.chromium, "args": args }),
    );
    // Both of rustls's providers are compiled in (hyper-rustls brings aws-lc-rs): pick one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session");
    client.set_window_size(size.0, size.1).await.expect("window size");
    client
}

pub(crate) async fn find(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

/// Waits until the text of `css` contains `text`; returns the whole text.
pub(crate) async fn wait_text(c: &Client, css: &str, text: &str) -> String {
    let started = Instant::now();
    let mut last = String::new();
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Ok(t) = el.text().await
        {
            if t.contains(text) {
                return t;
            }
            last = t;
        }
        assert!(started.elapsed() < WAIT, "{css} never said «{text}»; it says «{last}»");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn value_of(el: &Element) -> String {
    el.prop("value").await.expect("value").unwrap_or_default()
}

pub(crate) async fn type_into(c: &Client, css: &str, text: &str) {
    let el = find(c, css).await;
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

/// Signs in through the form and waits for the first page after it.
pub(crate) async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/")).await.expect("open");
    type_into(c, "input[name=email]", email).await;
    type_into(c, "input[name=password]", PASSWORD).await;
    find(c, "form.login-form button[type=submit]")
        .await
        .click()
        .await
        .expect("sign in");
    find(c, "#logout").await;
}

/// Goes to a page of the app and waits for its heading.
pub(crate) async fn open(c: &Client, base: &str, path: &str, heading: &str) {
    c.goto(&format!("{base}{path}")).await.expect("open");
    wait_text(c, "main h1", heading).await;
}

/// Every form control of the page has a label a screen reader announces, and every image
/// (the SVG charts) a text alternative or is hidden from assistive technology.
pub(crate) async fn assert_accessible_names(c: &Client) {
    let problems = c
        .execute(
            "const out = [];
             for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
               const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim());
               if (!named) out.push(el.outerHTML.slice(0, 120));
             }
             for (const svg of document.querySelectorAll('svg')) {
               if (svg.getAttribute('aria-hidden') !== 'true' && !svg.getAttribute('aria-label')) out.push(svg.outerHTML.slice(0, 120));
             }
             if (document.querySelectorAll('h1').length !== 1) out.push('h1 count ' + document.querySelectorAll('h1').length);
             return out;",
            vec![],
        )
        .await
        .expect("inspect the page");
    assert_eq!(problems, json!([]), "controls or images without an accessible name");
}

/// Saves a full-page PNG of the current page at `width`.
pub(crate) async fn screenshot(c: &Client, name: &str, (width, height): (u32, u32)) {
    c.set_window_size(width, height).await.expect("resize");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The window's own frame counts in its height, so add it to the page's.
    let full = c
        .execute(
            "window.scrollTo(0, 0); return Math.ceil(document.documentElement.scrollHeight + window.outerHeight - window.innerHeight)",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .map_or(height, |h| u32::try_from(h).unwrap_or(height).clamp(height, 4000));
    c.set_window_size(width, full).await.expect("resize to the page");
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.execute("window.scrollTo(0, 0)", vec![])
        .await
        .expect("scroll to the top");
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let file = format!("{name}.png");
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&scratch).expect("screenshot folder");
    std::fs::write(scratch.join(&file), &png).expect("write screenshot");
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
        let docs = repo_path("docs/screenshots");
        std::fs::create_dir_all(&docs).expect("docs/screenshots");
        std::fs::write(docs.join(&file), &png).expect("write screenshot");
    }
    c.set_window_size(width, height).await.expect("resize back");
}

/// The minimal workflow for `school`, moved to its `work` stage (indicator 1.1 is reported there).
async fn project_in_work(db: &TestDb, w: &World, school: usize) -> i64 {
    let e = &db.engine;
    let p = e
        .launch_project(&w.coordinator, minimal_launch(w, school))
        .await
        .unwrap()
        .project;
    e.complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
        .await
        .unwrap();
    e.transition_project(
        &w.coordinator,
        TransitionRequest {
            from_stage: None,
            project_id: p.id,
            to_stage: "work".into(),
            expected_version: 2,
            comment: Some("Приказ подписан".into()),
        },
    )
    .await
    .unwrap();
    p.id
}

/// Something to look at on the dashboard: «Точка роста» started last autumn (its first stage
/// long overdue), and a school with a low value of 1.1.
async fn busy_district(db: &TestDb, w: &World) {
    db.engine
        .launch_project(
            &w.coordinator,
            LaunchProject {
                workflow_key: "tochka-rosta".into(),
                district_id: w.district.id,
                participants: vec![w.schools[1].id],
                start_date: Some(date("2024-09-02")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let low = project_in_work(db, w, 2).await;
    db.insert_report(low, w.schools[2].id, "1.1", "2025-Q1", 40.0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_sees_their_school_and_fixes_a_refused_report() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let ours = project_in_work(&db, &w, 0).await;
        let theirs = project_in_work(&db, &w, 1).await;
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;

        // Signing in lands a director on «Мои задачи»; the session survives a reload.
        sign_in(&c, base, "director1@chesma.test").await;
        wait_text(&c, "main h1", "Мои задачи").await;
        c.refresh().await.expect("reload");
        wait_text(&c, "main h1", "Мои задачи").await;
        wait_text(&c, "#session", "Пользователь director1@chesma.test").await;

        // Only their school's project is listed.
        open(&c, base, "/projects", "Проекты").await;
        wait_text(&c, "#project-results .count", "Найдено проектов: 1").await;
        let list = wait_text(&c, "#project-results", &w.schools[0].name).await;
        assert!(
            !list.contains(&w.schools[1].name),
            "another school's project is listed: {list}"
        );
        assert!(
            c.find(Locator::Css(&format!("a[href='/projects/{theirs}']")))
                .await
                .is_err()
        );
        find(&c, &format!("a[href='/projects/{ours}']")).await;

        // From the project page to the report form, for this project and indicator.
        find(&c, &format!("a[href='/projects/{ours}']"))
            .await
            .click()
            .await
            .unwrap();
        wait_text(&c, "#current-stage-title", "Работа").await;
        find(&c, "a.button[href^='/tasks?']").await.click().await.unwrap();
        wait_text(&c, "main h1", "Мои задачи").await;
        let focused = c.execute("return document.activeElement.name", vec![]).await.unwrap();
        assert_eq!(focused, json!("value"), "the form is ready to type the value");

        // A percent over 100 is refused next to the value, and what was typed stays.
        find(&c, "#report-form select[name=indicator] option[value='1.1']").await;
        type_into(&c, "#report-form input[name=period]", "2025-Q1").await;
        type_into(&c, "#report-form input[name=value]", "150").await;
        type_into(&c, "#report-form textarea[name=comment]", "Данные журнала курсов").await;
        find(&c, "#report-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let error = wait_text(&c, "#report-form .has-error .field-error", "1.1").await;
        let value = find(&c, "#report-form input[name=value]").await;
        assert_eq!(
            value.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true"),
            "{error}"
        );
        let field_error = find(&c, "#report-form input[name=value] ~ .field-error").await;
        assert_eq!(field_error.text().await.unwrap(), error, "the error is the value's");
        assert_eq!(value_of(&value).await, "150", "the typed value is kept");
        assert_eq!(
            value_of(&find(&c, "#report-form textarea[name=comment]").await).await,
            "Данные журнала курсов"
        );
        assert_eq!(
            value_of(&find(&c, "#report-form input[name=period]").await).await,
            "2025-Q1"
        );
        assert_accessible_names(&c).await;
        screenshot(&c, "director-report-form-error-desktop", DESKTOP).await;

        // Fixed, it is accepted and listed.
        type_into(&c, "#report-form input[name=value]", "85").await;
        find(&c, "#report-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(
            &c,
            "#report-form .alert-success",
            "Значение принято: 85 % за I квартал 2025 г.",
        )
        .await;
        wait_text(&c, "#report .reports", "85 %").await;
        assert!(
            c.find(Locator::Css("#report-form .has-error")).await.is_err(),
            "the error is gone"
        );
        let reports = server
            .ok(
                Some(&server.login("coordinator@chesma.test", PASSWORD).await),
                "query($p: ID!) { indicatorReports(filter: { projectId: $p }) { nodes { value period comment } } }",
                json!({ "p": ours.to_string() }),
            )
            .await;
        assert_eq!(
            reports["indicatorReports"]["nodes"],
            json!([{ "value": 85.0, "period": "2025-Q1", "comment": "Данные журнала курсов" }])
        );
        screenshot(&c, "director-report-form-desktop", DESKTOP).await;
        screenshot(&c, "director-report-form-phone", PHONE).await;

        // Signing out forgets the session.
        find(&c, "#logout").await.click().await.unwrap();
        wait_text(&c, "main h1", "Вход").await;
        c.refresh().await.unwrap();
        wait_text(&c, "main h1", "Вход").await;
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_launches_a_project_moves_it_and_sees_it_on_the_dashboard() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        busy_district(&db, &w).await;
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "coordinator@chesma.test").await;
        wait_text(&c, "main h1", "Сводка").await;

        // Launch the minimal workflow for the first school, starting on 3 March 2025.
        open(&c, base, "/launch", "Запуск проекта").await;
        find(&c, &format!("#org-{}", w.schools[0].id)).await;
        assert_accessible_names(&c).await;
        find(&c, "select[name=workflow]").await.select_by_value("corpus").await.unwrap();
        find(&c, &format!("#org-{}", w.schools[0].id)).await.click().await.unwrap();
        c.execute(
            "const d = document.querySelector('input[name=startDate]'); d.value = '2025-03-03'; d.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
        // The plan first, then the launch.
        find(&c, "form.launch-form button[type=submit]").await.click().await.unwrap();
        wait_text(&c, ".launch-plan", "План проекта").await;
        find(&c, "#launch-confirm").await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Начало").await;
        let url = c.current_url().await.unwrap();
        let id: i64 = url.path().trim_start_matches("/projects/").parse().expect("a project page");
        wait_text(&c, ".timeline", "Работа").await;

        // The transition waits for the checklist; tick it, then move with a comment.
        let move_button = "form.transition[data-to=work] button[type=submit]";
        assert!(!find(&c, move_button).await.is_enabled().await.unwrap(), "blocked by the checklist");
        find(&c, "#check-start-order").await.click().await.unwrap();
        let started = Instant::now();
        // The page redraws after the tick: a button found just before it is stale, so try again.
        while !find(&c, move_button).await.is_enabled().await.unwrap_or(false) {
            assert!(started.elapsed() < WAIT, "the transition never became possible");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        type_into(&c, "form.transition[data-to=work] textarea", "Приказ подписан, начинаем").await;
        find(&c, move_button).await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Работа").await;
        wait_text(&c, "#project-notice", "переведён на этап «Работа»").await;
        wait_text(&c, ".history", "Приказ подписан, начинаем").await;
        assert_accessible_names(&c).await;
        screenshot(&c, "project-page-desktop", DESKTOP).await;
        screenshot(&c, "project-page-phone", PHONE).await;

        // The dashboard counts it at its new stage.
        open(&c, base, "/dashboard", "Сводка").await;
        let stages = wait_text(&c, ".workflows", "Проверочный процесс").await;
        assert!(stages.contains("Работа"), "{stages}");
        wait_text(&c, "#overdue", "Точка роста").await;
        wait_text(&c, "#standings", &w.schools[2].name).await;
        find(&c, "#overdue a[href^='/projects/']").await;
        let listed = server
            .ok(
                Some(&server.login("coordinator@chesma.test", PASSWORD).await),
                "query($id: ID!) { project(id: $id) { currentStage { key } history { comment } } }",
                json!({ "id": id.to_string() }),
            )
            .await;
        assert_eq!(listed["project"]["currentStage"]["key"], "work");
        // The export buttons fetch with the bearer token (a link could not send it).
        find(&c, ".page-head .export button").await.click().await.unwrap();
        wait_text(&c, "#announcer", "Файл svodka.csv выгружен").await;
        assert_accessible_names(&c).await;
        screenshot(&c, "dashboard-desktop", DESKTOP).await;
        screenshot(&c, "dashboard-phone", PHONE).await;
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_launches_a_methodical_day_after_its_plan_and_enters_a_day_off() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "coordinator@chesma.test").await;
        wait_text(&c, "main h1", "Сводка").await;

        // «Единый методический день» asks for the day itself and for the open targets.
        open(&c, base, "/launch", "Запуск проекта").await;
        find(&c, "select[name=workflow]").await.select_by_value("unified-methodical-day").await.unwrap();
        let day_field = "input[name='due-event_day']";
        find(&c, day_field).await;
        find(&c, "input[name='target-satisfaction']").await;
        assert_accessible_names(&c).await;
        for school in &w.schools[..2] {
            find(&c, &format!("#org-{}", school.id)).await.click().await.unwrap();
        }
        // The first school hosts the day; the second sends its teachers (the default).
        let host = format!("#part-{}", w.schools[0].id);
        find(&c, &host).await.select_by_value("host").await.unwrap();
        let set_date = |css: &'static str, value: &'static str| {
            format!("const d = document.querySelector(\"{css}\"); d.value = '{value}'; d.dispatchEvent(new Event('change', {{ bubbles: true }}));")
        };
        c.execute(&set_date("input[name=startDate]", "2025-03-03"), vec![]).await.unwrap();
        let preview = "form.launch-form button[type=submit]";
        // No day yet: said next to the field, nothing asked of the API.
        find(&c, preview).await.click().await.unwrap();
        wait_text(&c, ".field.has-error", "Укажите дату").await;
        // Too soon for the preparation: the API's message, next to the day's field.
        c.execute(&set_date("input[name='due-event_day']", "2025-03-05"), vec![]).await.unwrap();
        find(&c, preview).await.click().await.unwrap();
        wait_text(&c, ".field.has-error", "не раньше").await;
        // A day that works: the plan, with the day given and the dates counted back from it.
        c.execute(&set_date("input[name='due-event_day']", "2025-04-16"), vec![]).await.unwrap();
        type_into(&c, "input[name='target-satisfaction']", "80").await;
        find(&c, preview).await.click().await.unwrap();
        let plan = wait_text(&c, ".launch-plan", "План проекта").await;
        assert!(plan.contains("16 апреля 2025") && plan.contains("назначен вами"), "{plan}");
        assert!(!plan.contains("event_day"), "no internal keys: {plan}");
        assert!(find(&c, "#launch-confirm").await.is_displayed().await.unwrap());
        assert_eq!(
            db.engine.list_projects(&w.admin, &engine::service::ProjectFilter::default(), 10, None).await.unwrap().items.len(),
            0,
            "nothing launched before the confirmation"
        );
        // A change takes the confirmation back until the plan is computed again.
        type_into(&c, "input[name=title]", "ЕМД весна 2025").await;
        wait_text(&c, ".launch-plan", "рассчитайте план заново").await;
        assert!(!find(&c, "#launch-confirm").await.is_displayed().await.unwrap());
        find(&c, preview).await.click().await.unwrap();
        wait_text(&c, ".launch-plan", "План проекта").await;
        screenshot(&c, "launch-plan-desktop", DESKTOP).await;
        find(&c, "#launch-confirm").await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Приказ о проведении").await;
        let url = c.current_url().await.unwrap();
        let id: i64 = url.path().trim_start_matches("/projects/").parse().expect("a project page");
        let launched = db.engine.project(&w.admin, id).await.unwrap();
        assert_eq!(launched.project.title, "ЕМД весна 2025");
        assert_eq!(launched.project.participants.len(), 2);
        assert_eq!(launched.project.part_of(w.schools[0].id), Some("host"));
        assert_eq!(launched.project.part_of(w.schools[1].id), Some("attending"));
        wait_text(
            &c,
            "#project-participants",
            &format!("Базовая школа: {}; Школа-участник: {}", w.schools[0].name, w.schools[1].name),
        )
        .await;
        assert_eq!(launched.project.indicator_targets.get("satisfaction"), Some(&80.0));
        let order_before = launched.stages[0].current_due.unwrap();

        // The district's calendar: a day off entered citing its act moves the open dates.
        open(&c, base, &format!("/calendar?district={}&year=2025", w.district.id), "Производственный календарь").await;
        wait_text(&c, "main", "Челябинская область").await;
        wait_text(&c, "main", "Рабочих дней в году: 247").await;
        assert_accessible_names(&c).await;
        c.execute(&set_date("form.create-form input[name=date]", "2025-04-01"), vec![]).await.unwrap();
        type_into(&c, "form.create-form input[name=title]", "День района").await;
        type_into(&c, "form.create-form input[name=actTitle]", "Постановление администрации района").await;
        type_into(&c, "form.create-form input[name=actNumber]", "45-п").await;
        c.execute(&set_date("form.create-form input[name=actDate]", "2025-02-20"), vec![]).await.unwrap();
        find(&c, "form.create-form button[type=submit]").await.click().await.unwrap();
        wait_text(&c, "main", "№ 45-п от 20.02.2025").await;
        screenshot(&c, "calendar-desktop", DESKTOP).await;
        screenshot(&c, "calendar-phone", PHONE).await;
        let after = db.engine.project(&w.admin, id).await.unwrap();
        assert!(after.stages[0].current_due.unwrap() < order_before, "counted back from the day, one working day earlier");
        open(&c, base, &format!("/projects/{id}"), "ЕМД весна 2025").await;
        wait_text(&c, ".history", "Сроки пересчитаны по календарю").await;
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_page_of_a_second_browser_updates_live() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let p = db
            .engine
            .launch_project(&w.coordinator, minimal_launch(&w, 0))
            .await
            .unwrap()
            .project;
        db.engine
            .complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
            .await
            .unwrap();
        let server = db.spawn_server().await;
        let base = &server.base;
        let page = format!("/projects/{}", p.id);

        let watcher = browser(&driver, PHONE).await;
        sign_in(&watcher, base, "director1@chesma.test").await;
        open(&watcher, base, &page, "Проверочный процесс").await;
        wait_text(&watcher, "#current-stage-title", "Начало").await;
        find(&watcher, "#live-status[data-status=connected]").await;

        let mover = browser(&driver, DESKTOP).await;
        sign_in(&mover, base, "coordinator@chesma.test").await;
        open(&mover, base, &page, "Проверочный процесс").await;
        find(&mover, "form.transition[data-to=work] button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        wait_text(&mover, "#current-stage-title", "Работа").await;

        // The director's page follows without a reload.
        wait_text(&watcher, "#current-stage-title", "Работа").await;
        wait_text(&watcher, "#project-notice", "Проект обновлён").await;
        wait_text(&watcher, ".history", "Пользователь coordinator@chesma.test").await;
        watcher.close().await.ok();
        mover.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_from_a_stale_page_is_refused_and_the_page_reloads() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let p = db
            .engine
            .launch_project(&w.coordinator, minimal_launch(&w, 0))
            .await
            .unwrap()
            .project;
        db.engine
            .complete_checklist_item(&w.coordinator, p.id, "start", "order", true)
            .await
            .unwrap();
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;
        // No live updates for this page (a websocket that never opens), so it goes stale;
        // then open the project inside the running app.
        c.execute(
            "window.WebSocket = function () { return { addEventListener() {}, send() {}, close() {}, readyState: 3 }; };
             history.pushState(null, '', arguments[0]); dispatchEvent(new PopStateEvent('popstate'));",
            vec![json!(format!("/projects/{}", p.id))],
        )
        .await
        .unwrap();
        wait_text(&c, "#current-stage-title", "Начало").await;

        // Someone else changes the project meanwhile (unticks and ticks the item again).
        for done in [false, true] {
            db.engine
                .complete_checklist_item(&w.admin, p.id, "start", "order", done)
                .await
                .unwrap();
        }
        let move_button = "form.transition[data-to=work] button[type=submit]";
        find(&c, move_button).await.click().await.unwrap();
        let said = wait_text(&c, "#action-errors", "Страница обновлена").await;
        assert!(said.contains("изменил"), "the API's CONFLICT message is shown: {said}");
        wait_text(&c, "#current-stage-title", "Начало").await;
        // With the reloaded version the move goes through.
        find(&c, move_button).await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Работа").await;
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_sends_reminders_and_filters_the_outbox_by_status() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        db.engine
            .launch_project(&w.coordinator, minimal_launch(&w, 0))
            .await
            .unwrap();
        // A month later the first stage is overdue: the coordinator is to be reminded.
        db.clock
            .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 4, 3, 4, 0, 0).unwrap());
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "admin@po.test").await;
        open(&c, base, "/admin/notifications", "Администрирование").await;
        wait_text(&c, "main", "Писем в очереди нет").await;
        assert_accessible_names(&c).await;
        let send = "//button[contains(., 'Отправить напоминания сейчас')]";
        c.find(Locator::XPath(send)).await.unwrap().click().await.unwrap();
        wait_text(&c, ".alert", "писем отправлено: 1").await;
        // The filter is the status's Russian name; the list shows the sent email.
        c.goto(&format!("{base}/admin/notifications?status=SENT"))
            .await
            .unwrap();
        let table = wait_text(&c, "main table", "coordinator@chesma.test").await;
        assert!(table.contains("отправлено") && table.contains("просрочено"), "{table}");
        assert!(
            !table.contains("SENT") && !table.contains("OVERDUE"),
            "no enum names on the page: {table}"
        );
        find(&c, "#outbox-status")
            .await
            .select_by_value("FAILED")
            .await
            .unwrap();
        wait_text(&c, "main", "Писем в очереди нет").await;
        assert!(c.current_url().await.unwrap().as_str().ends_with("status=FAILED"));
        c.close().await.ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_pages_through_a_districts_organizations_both_ways() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        // More than two pages of 50.
        for i in 1..=120 {
            db.engine
                .create_organization(
                    &w.admin,
                    engine::service::NewOrganization {
                        district_id: w.district.id,
                        name: format!("МБОУ «Школа № {i:03}»"),
                        kind: engine::model::OrganizationKind::School,
                        email: None,
                    },
                )
                .await
                .unwrap();
        }
        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "admin@po.test").await;
        open(&c, base, "/admin/organizations", "Администрирование").await;
        find(&c, "#orgs-district")
            .await
            .select_by_value(&w.district.id.to_string())
            .await
            .unwrap();
        let count = wait_text(&c, ".pager-count", "организаций").await;
        let total = db
            .engine
            .organizations(&w.admin, Some(w.district.id))
            .await
            .unwrap()
            .len();
        assert!(total > 120);
        assert_eq!(count, format!("организаций: {total}"));
        let rows = "return document.querySelector('.paged table').innerText";
        let first_page = c.execute(rows, vec![]).await.unwrap();
        let next = "//nav[contains(@class,'pager')]//button[contains(., 'Следующие')]";
        let previous = "//nav[contains(@class,'pager')]//button[contains(., 'Предыдущие')]";
        c.find(Locator::XPath(next)).await.unwrap().click().await.unwrap();
        wait_text(&c, ".paged table", "Школа № 0").await;
        let second_page = c.execute(rows, vec![]).await.unwrap();
        assert_ne!(first_page, second_page);
        c.find(Locator::XPath(next)).await.unwrap().click().await.unwrap();
        // Back from the third page is the second again (paged backward with `before`), and
        // back once more is the first, with «Предыдущие» then disabled.
        for _ in 0..50 {
            if c.execute(rows, vec![]).await.unwrap() != second_page {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        c.find(Locator::XPath(previous)).await.unwrap().click().await.unwrap();
        let mut back = serde_json::Value::Null;
        for _ in 0..50 {
            back = c.execute(rows, vec![]).await.unwrap();
            if back == second_page {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(back, second_page);
        c.find(Locator::XPath(previous)).await.unwrap().click().await.unwrap();
        for _ in 0..50 {
            back = c.execute(rows, vec![]).await.unwrap();
            if back == first_page {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(back, first_page);
        let disabled = c
            .find(Locator::XPath(previous))
            .await
            .unwrap()
            .attr("disabled")
            .await
            .unwrap();
        assert!(disabled.is_some(), "no page before the first");
        assert_accessible_names(&c).await;
        c.close().await.ok();
    })
    .await;
}

/// A project launched by mistake is cancelled from its page: the coordinator gives a reason
/// (refused without one), the page shows it cancelled with the reason in its history, and a
/// director of the school is not offered the cancellation at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_cancels_a_mistaken_project_from_its_page() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let p = db
            .engine
            .launch_project(&w.coordinator, minimal_launch(&w, 0))
            .await
            .unwrap()
            .project;
        let server = db.spawn_server().await;
        let base = &server.base;
        let page = format!("/projects/{}", p.id);

        let director = browser(&driver, DESKTOP).await;
        sign_in(&director, base, "director1@chesma.test").await;
        open(&director, base, &page, "Проверочный процесс").await;
        find(&director, "#actions-h").await;
        assert!(
            director.find(Locator::Css(".cancel-project-box")).await.is_err(),
            "a director may not cancel, so is not offered it"
        );
        director.close().await.ok();

        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;
        open(&c, base, &page, "Проверочный процесс").await;
        find(&c, ".cancel-project-box > summary").await.click().await.unwrap();
        let submit = ".cancel-project button[type=submit]";
        find(&c, submit).await.click().await.unwrap();
        wait_text(&c, ".cancel-project", "Укажите, почему проект отменяется").await;
        assert_eq!(
            db.engine.project(&w.admin, p.id).await.unwrap().project.status,
            engine::model::ProjectStatus::Active
        );

        type_into(&c, "textarea[name=cancel-reason]", "Запущен для другой школы по ошибке").await;
        find(&c, submit).await.click().await.unwrap();
        wait_text(&c, "#project-notice", "Проект отменён").await;
        wait_text(&c, "main", "Отменён").await;
        wait_text(&c, ".history", "Запущен для другой школы по ошибке").await;
        assert!(
            c.find(Locator::Css(".cancel-project-box")).await.is_err(),
            "nothing to cancel any more"
        );
        let stored = db.engine.project(&w.admin, p.id).await.unwrap().project;
        assert_eq!(stored.status, engine::model::ProjectStatus::Cancelled);
        c.close().await.ok();
    })
    .await;
}

/// Launching a workflow that already runs for the chosen school asks for a confirmation: the
/// plan names the running project, and «Запустить» waits for «Всё равно запустить ещё один».
/// Another school of the district is launched without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_for_the_same_school_asks_for_confirmation() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let running = db
            .engine
            .launch_project(&w.coordinator, minimal_launch(&w, 0))
            .await
            .unwrap()
            .project;
        let server = db.spawn_server().await;
        let base = &server.base;
        let c = browser(&driver, DESKTOP).await;
        sign_in(&c, base, "coordinator@chesma.test").await;

        let preview_for = |school: i64| {
            let c = c.clone();
            async move {
                open(&c, base, "/launch", "Запуск проекта").await;
                find(&c, "select[name=workflow]")
                    .await
                    .select_by_value("corpus")
                    .await
                    .unwrap();
                find(&c, &format!("#org-{school}")).await.click().await.unwrap();
                find(&c, "form.launch-form button[type=submit]")
                    .await
                    .click()
                    .await
                    .unwrap();
                wait_text(&c, ".launch-plan", "План проекта").await;
            }
        };

        // Another school: nothing runs there, the launch needs no confirmation.
        preview_for(w.schools[1].id).await;
        assert!(
            c.find(Locator::Css("#already-running")).await.is_err(),
            "nothing runs at the second school"
        );
        assert!(find(&c, "#launch-confirm").await.is_enabled().await.unwrap());

        // The first school: the running project is named and the launch waits.
        preview_for(w.schools[0].id).await;
        let said = wait_text(&c, "#already-running", "уже идёт").await;
        assert!(said.contains(&w.schools[0].name), "{said}");
        find(&c, &format!("#already-running a[href='/projects/{}']", running.id)).await;
        assert!(
            !find(&c, "#launch-confirm").await.is_enabled().await.unwrap(),
            "waits for the confirmation"
        );
        assert_accessible_names(&c).await;
        find(&c, "#launch-again").await.click().await.unwrap();
        find(&c, "#launch-confirm").await.click().await.unwrap();
        wait_text(&c, "#current-stage-title", "Начало").await;
        let url = c.current_url().await.unwrap();
        let id: i64 = url
            .path()
            .trim_start_matches("/projects/")
            .parse()
            .expect("a project page");
        assert_ne!(id, running.id, "a second project was launched");
        c.close().await.ok();
    })
    .await;
}
