//! GraphiQL in a real browser on a closed network: Chromium resolves no host but the server's
//! loopback address, and the page must still load, show its Docs pane (the standard
//! introspection query) and run a query with the web interface's sign-in — loading every file
//! from the server itself.

use serde_json::json;

use crate::browser::{browser_with, driver, find, wait_text};
use crate::helpers::{Backend, run};

const PASSWORD: &str = "пароль-для-тестов";

#[tokio::test]
async fn graphiql_works_with_the_network_closed() {
    run(Backend::Sqlite, |db| async move {
        let Some(driver) = driver().await else { return };
        let server = db.spawn_server().await;
        db.engine
            .create_user(
                &engine::Actor::SYSTEM,
                engine::service::NewUser {
                    email: "developer@po.test".into(),
                    full_name: "Разработчик Интеграции".into(),
                    password: Some(PASSWORD.into()),
                    role: engine::Role::Admin,
                    district_id: None,
                    organization_id: None,
                },
            )
            .await
            .unwrap();
        let token = server.login("developer@po.test", PASSWORD).await;

        // Every name resolves to nothing but the loopback address the server is on.
        let closed = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"];
        let c = browser_with(&driver, (1280, 900), &closed).await;
        let page = format!("{}/graphql", server.base);
        c.goto(&page).await.expect("open GraphiQL");
        find(&c, ".graphiql-container").await;

        // The Docs pane: the schema's root types, then the Query type's Russian descriptions.
        find(&c, ".graphiql-sidebar button[aria-label='Show Documentation Explorer']")
            .await
            .click()
            .await
            .expect("open the docs");
        wait_text(&c, ".graphiql-doc-explorer", "Query").await;
        find(&c, ".graphiql-doc-explorer a.graphiql-doc-explorer-type-name")
            .await
            .click()
            .await
            .expect("open the Query type");
        wait_text(&c, ".graphiql-doc-explorer", "Проекты, которые вам видны").await;

        // Signed in to the web interface in this browser, GraphiQL sends that token.
        c.execute("localStorage.setItem('po.token', arguments[0])", vec![json!(token)])
            .await
            .expect("sign in");
        c.goto(&page).await.expect("reload GraphiQL");
        find(&c, ".graphiql-execute-button")
            .await
            .click()
            .await
            .expect("run the query");
        wait_text(&c, ".graphiql-response", "Разработчик Интеграции").await;

        let loaded = c
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])",
                vec![],
            )
            .await
            .expect("the resources of the page");
        let loaded: Vec<String> = serde_json::from_value(loaded).expect("names");
        assert!(
            loaded.len() >= 5,
            "the page, its scripts, styles and requests: {loaded:?}"
        );
        for name in &loaded {
            assert!(name.starts_with(&server.base), "GraphiQL loaded {name} from elsewhere");
        }
        c.close().await.expect("close");
    })
    .await;
}
