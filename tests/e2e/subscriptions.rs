//! Subscriptions over the websocket hold places of their connection: beyond the configured
//! number the next one is refused with `LIMIT` in Russian, the connection stays usable, and a
//! stopped subscription gives its place back.

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::hardening::next_json;
use crate::helpers::{Backend, run};

const EVENTS: &str = "subscription { projectEvents { entry { kind } } }";

#[tokio::test]
async fn a_connection_holds_at_most_its_subscriptions() {
    run(Backend::Sqlite, |db| async move {
        db.world().await;
        let server = db
            .spawn_server_with(graphql::ServerConfig {
                max_subscriptions_per_connection: 2,
                ..graphql::ServerConfig::default()
            })
            .await;
        let token = server.login("observer@chesma.test", "пароль-для-тестов").await;
        let url = format!("{}/graphql/ws", server.base.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let send = |value: Value| Message::text(value.to_string());
        socket
            .send(send(
                json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
            ))
            .await
            .unwrap();
        assert_eq!(next_json(&mut socket).await["type"], "connection_ack");

        for id in ["1", "2", "3"] {
            socket
                .send(send(
                    json!({ "id": id, "type": "subscribe", "payload": { "query": EVENTS } }),
                ))
                .await
                .unwrap();
        }
        // The third is refused at once; the first two wait for events and send nothing.
        let refused = next_json(&mut socket).await;
        assert_eq!(refused["id"], "3", "{refused}");
        let errors = match refused["type"].as_str() {
            Some("error") => &refused["payload"],
            _ => &refused["payload"]["errors"],
        };
        assert_eq!(errors[0]["extensions"]["code"], "LIMIT", "{refused}");
        let message = errors[0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("подписок"), "{message}");

        // The connection still answers queries.
        socket
            .send(send(
                json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
            ))
            .await
            .unwrap();
        let me = loop {
            let message = next_json(&mut socket).await;
            if message["id"] == "q" && message["type"] == "next" {
                break message;
            }
        };
        assert_eq!(me["payload"]["data"]["me"]["email"], "observer@chesma.test", "{me}");

        // Stopping one gives its place back: a new subscription is accepted (no refusal comes
        // before the answer to the query sent after it).
        socket
            .send(send(json!({ "id": "1", "type": "complete" })))
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        socket
            .send(send(
                json!({ "id": "4", "type": "subscribe", "payload": { "query": EVENTS } }),
            ))
            .await
            .unwrap();
        socket
            .send(send(
                json!({ "id": "q2", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
            ))
            .await
            .unwrap();
        loop {
            let message = next_json(&mut socket).await;
            assert_ne!(message["id"], "4", "the freed place is taken, not refused: {message}");
            if message["id"] == "q2" && message["type"] == "next" {
                break;
            }
        }
    })
    .await;
}
