//! A project with parallel branches in the browser: «Точка роста» after the fork, its three
//! branches side by side, two of them moved on their own from the page, the join waiting and
//! then opening when the last branch is done.

use std::time::{Duration, Instant};

use fantoccini::Client;

use super::{
    DESKTOP, PHONE, WAIT, assert_accessible_names, browser, driver, find, open, screenshot, sign_in, wait_text,
};
use crate::branches::{forked, tick_all};
use crate::helpers::{Backend, run};

/// Ticks the checklist items of `stage` on the page, one after another (each tick redraws it).
async fn tick_on_page(c: &Client, stage: &str, items: &[&str]) {
    for item in items {
        let css = format!("#check-{stage}-{item}");
        find(c, &css).await.click().await.unwrap();
        let started = Instant::now();
        loop {
            let checked = c
                .execute(
                    &format!("const b = document.querySelector('{css}'); return !!(b && b.checked && !b.disabled);"),
                    vec![],
                )
                .await
                .unwrap();
            if checked == serde_json::json!(true) {
                break;
            }
            assert!(started.elapsed() < WAIT, "{css} was never ticked");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Presses the move of branch `from` once its guards let it.
async fn move_branch(c: &Client, from: &str) {
    let button = format!("form.transition[data-from={from}] button[type=submit]");
    let started = Instant::now();
    // The page redraws after a tick: a button found just before it is stale, so try again.
    while !find(c, &button).await.is_enabled().await.unwrap_or(false) {
        assert!(started.elapsed() < WAIT, "the move out of {from} never became possible");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    find(c, &button).await.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_moves_parallel_branches_and_the_join_opens_when_both_are_done() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let w = db.world().await;
        let p = forked(&db, &w).await;
        let id = p.project.id;
        // Training is done outside the page (its report is in), so two branches are left to
        // move here.
        let p = tick_all(&db, &w, &p, "training").await;
        let today = p.today(db.clock_now());
        db.insert_report(
            id,
            w.schools[0].id,
            "teachers_trained",
            &engine::period::Period::containing(engine::period::Periodicity::Quarter, today).to_string(),
            100.0,
        )
        .await;
        db.engine
            .transition_project(
                &w.coordinator,
                engine::service::TransitionRequest {
                    project_id: id,
                    from_stage: Some("training".into()),
                    to_stage: "acceptance".into(),
                    expected_version: p.project.row_version,
                    comment: None,
                },
            )
            .await
            .unwrap();

        let server = db.spawn_server().await;
        let c = browser(&driver, DESKTOP).await;
        let base = &server.base;
        sign_in(&c, base, "coordinator@chesma.test").await;
        open(&c, base, &format!("/projects/{id}"), "Точка роста").await;

        // The three branches stand side by side; two of them are under way.
        let row = wait_text(&c, ".stage-branches", "Параллельно, 3 ветви").await;
        assert!(
            row.contains("Ремонт и брендирование помещений") && row.contains("Повышение квалификации педагогов"),
            "{row}"
        );
        let under_way = wait_text(&c, "#current-stage-title", "Ремонт и брендирование помещений").await;
        assert!(under_way.contains("Закупка и поставка оборудования"), "{under_way}");
        wait_text(&c, ".timeline [data-stage=acceptance]", "Откроется, когда завершатся").await;
        find(&c, "[data-stage=premises] #check-premises-design_project").await;
        find(&c, "[data-stage=equipment] #check-equipment-contract").await;
        assert_accessible_names(&c).await;
        screenshot(&c, "project-branches-desktop", DESKTOP).await;
        screenshot(&c, "project-branches-phone", PHONE).await;

        // Premises first: its branch ends and the join waits for equipment.
        tick_on_page(
            &c,
            "premises",
            &["design_project", "repair_contract", "repair_done", "branding"],
        )
        .await;
        move_branch(&c, "premises").await;
        wait_text(
            &c,
            "#project-notice",
            "Этап «Ремонт и брендирование помещений» завершён",
        )
        .await;
        wait_text(
            &c,
            ".timeline [data-stage=acceptance]",
            "«Закупка и поставка оборудования»",
        )
        .await;
        wait_text(&c, "#current-stage-title", "Закупка и поставка оборудования").await;
        assert!(
            c.find(fantoccini::Locator::Css("form.transition[data-from=premises]"))
                .await
                .is_err(),
            "a finished branch offers no move"
        );

        // Equipment last: acceptance opens.
        tick_on_page(
            &c,
            "equipment",
            &["infrastructure_list", "contract", "delivered", "installed"],
        )
        .await;
        move_branch(&c, "equipment").await;
        wait_text(&c, "#current-stage-title", "Комиссионная приёмка").await;
        wait_text(&c, "#project-notice", "переведён на этап «Комиссионная приёмка»").await;
        wait_text(&c, ".history", "Ветвь «Ремонт и брендирование помещений» завершена").await;
        find(&c, "#check-acceptance-commission_order").await;

        let stored = db.engine.project(&w.coordinator, id).await.unwrap();
        let current: Vec<&str> = stored.current_plans().map(|p| p.stage_key.as_str()).collect();
        assert_eq!(current, ["acceptance"]);
        c.close().await.unwrap();
    })
    .await;
}
