//! Global ids and `node(id:)` over real HTTP: a `nodeId` never repeats across types even
//! where the numeric `id`s do, `node` refetches each kind within the caller's rights, and a
//! wrong id is a Russian `VALIDATION` error on the argument.

use serde_json::json;

use crate::helpers::{TestDb, error_code, minimal_launch};

const PASSWORD: &str = "пароль-для-тестов";

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename nodeId \
    ... on Project { id title } ... on Organization { id name } \
    ... on District { id name } ... on Workflow { id key version } } }";

async fn node_ids_are_global_and_node_refetches_them(db: TestDb) {
    let world = db.world().await;
    let project = db
        .engine
        .launch_project(&world.coordinator, minimal_launch(&world, 0))
        .await
        .unwrap();
    let server = db.spawn_server().await;
    let coordinator = server.login("coordinator@chesma.test", PASSWORD).await;
    let other = server.login("coordinator@yartsevo.test", PASSWORD).await;

    let data = server
        .ok(
            Some(&coordinator),
            "query($p: ID!) { project(id: $p) { id nodeId workflow { id nodeId } \
             district { id nodeId } participants { id nodeId } } }",
            json!({ "p": project.project.id.to_string() }),
        )
        .await;
    let p = &data["project"];
    let objects = [
        (&p["nodeId"], "Project", &p["id"]),
        (
            &p["participants"][0]["nodeId"],
            "Organization",
            &p["participants"][0]["id"],
        ),
        (&p["district"]["nodeId"], "District", &p["district"]["id"]),
        (&p["workflow"]["nodeId"], "Workflow", &p["workflow"]["id"]),
    ];
    let distinct: std::collections::HashSet<String> =
        objects.iter().map(|(n, ..)| n.as_str().unwrap().to_owned()).collect();
    assert_eq!(distinct.len(), 4, "four objects, four global ids: {data}");

    for (node_id, typename, id) in objects {
        let fetched = server.ok(Some(&coordinator), NODE, json!({ "id": node_id })).await;
        let node = &fetched["node"];
        assert_eq!(node["__typename"], typename, "{fetched}");
        assert_eq!(&node["nodeId"], node_id, "{fetched}");
        assert_eq!(&node["id"], id, "the same object as the typed read: {fetched}");
    }

    // Another district's coordinator gets what `project(id:)` gives them: no project.
    let refused = server.gql(Some(&other), NODE, json!({ "id": p["nodeId"] })).await;
    let typed = server
        .gql(
            Some(&other),
            "query($p: ID!) { project(id: $p) { id } }",
            json!({ "p": p["id"] }),
        )
        .await;
    assert_eq!(error_code(&refused), error_code(&typed), "{refused} / {typed}");
    assert_ne!(error_code(&refused), "", "{refused}");
    assert!(refused["data"]["node"].is_null(), "{refused}");

    // A bare number, another list's cursor or garbage is not a global id.
    for wrong in [p["id"].clone(), json!("WyJwIiwxXQ"), json!("не-идентификатор")] {
        let body = server.gql(Some(&coordinator), NODE, json!({ "id": wrong })).await;
        assert_eq!(error_code(&body), "VALIDATION", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "id", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("не глобальный идентификатор"), "{message}");
    }

    // Without a session, `node` is refused like every other read.
    let anonymous = server.gql(None, NODE, json!({ "id": p["nodeId"] })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
}
crate::both_backends!(node_ids_are_global_and_node_refetches_them);
