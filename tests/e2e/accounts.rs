//! Accounts over the real server, with the letters received by a real SMTP server on
//! loopback: an invitation sets a person's first password through its link, «Забыли пароль?»
//! answers the same for any address and is limited, links are single-use, replaced by newer
//! ones and expire, and editing a person leaves an audit trail.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Server, TestDb, World, error_code};
use crate::smtp::SmtpServer;

const PASSWORD: &str = "пароль-для-тестов";
const NEW_PASSWORD: &str = "сирень фонарь четверг";
const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id email passwordSet invitation { expiresAt expired } } invitationExpiresAt invitationProblem } }";
const LINK: &str = "query($t: String!) { passwordLink(token: $t) { fullName email invitation expiresAt } }";
const SET: &str =
    "mutation($i: SetPasswordWithLinkInput!) { setPasswordWithLink(input: $i) { token user { email passwordSet } } }";
const RESET: &str = "mutation($e: String!) { requestPasswordReset(email: $e) }";
const ME: &str = "{ me { email } }";

/// Waits (a few seconds at most) until `address` has received `count` letters, and returns
/// the plain text of the last.
pub(crate) async fn letter_to(smtp: &SmtpServer, address: &str, count: usize) -> String {
    let started = Instant::now();
    loop {
        let inbox: Vec<_> = smtp
            .received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.contains(address)))
            .collect();
        if inbox.len() >= count {
            let parsed = mail_parser::MessageParser::default()
                .parse(&inbox[count - 1].data[..])
                .unwrap();
            return parsed.body_text(0).unwrap().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{address} received {} letters, not {count}",
            inbox.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of the link in a letter (what follows `/set-password#`).
pub(crate) fn token_in(letter: &str) -> String {
    let start = letter.find("/set-password#").expect("a link in the letter") + "/set-password#".len();
    letter[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

async fn setup(db: &TestDb) -> (World, SmtpServer, Server) {
    let w = db.world().await;
    let smtp = SmtpServer::start(0);
    let server = db
        .spawn_server_mailing(graphql::ServerConfig::default(), Some(&SmtpServer::url(smtp.port)))
        .await;
    (w, smtp, server)
}

async fn an_invited_director_sets_their_own_password_once(db: TestDb) {
    let (w, smtp, server) = setup(&db).await;
    let c = server.login("coordinator@chesma.test", PASSWORD).await;
    let school = w.schools[2].id.to_string();
    let created = server
        .ok(
            Some(&c),
            CREATE,
            json!({ "i": { "email": "Novaya@Chesma.test", "fullName": "Новикова Анна Сергеевна", "role": "DIRECTOR", "organizationId": school } }),
        )
        .await;
    let user = &created["createUser"];
    assert_eq!(user["invitationProblem"], Value::Null, "{created}");
    assert_eq!(user["user"]["passwordSet"], false);
    assert_eq!(user["user"]["invitation"]["expired"], false);
    let letter = letter_to(&smtp, "novaya@chesma.test", 1).await;
    assert!(letter.contains("Здравствуйте, Новикова Анна Сергеевна!"), "{letter}");
    assert!(
        letter.contains("Пользователь coordinator@chesma.test приглашает"),
        "{letter}"
    );
    assert!(letter.contains("МОУ «Новоукраинская СОШ»"), "{letter}");
    assert!(!letter.contains(PASSWORD), "no password travels in a letter");
    let token = token_in(&letter);
    assert!(token.starts_with("po_link_") && token.len() > 60, "{token}");

    // The page can say whom the link is for before anything is typed.
    let link = server.ok(None, LINK, json!({ "t": token })).await;
    assert_eq!(link["passwordLink"]["email"], "novaya@chesma.test");
    assert_eq!(link["passwordLink"]["invitation"], true);

    // A weak password is refused beside its field, and the link still works.
    let weak = server
        .gql(
            None,
            SET,
            json!({ "i": { "token": token, "password": "novikova2026" } }),
        )
        .await;
    assert_eq!(error_code(&weak), "VALIDATION", "{weak}");
    assert_eq!(weak["errors"][0]["extensions"]["field"], "password", "{weak}");
    let set = server
        .ok(None, SET, json!({ "i": { "token": token, "password": NEW_PASSWORD } }))
        .await;
    let session = set["setPasswordWithLink"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        server.ok(Some(&session), ME, json!({})).await["me"]["email"],
        "novaya@chesma.test"
    );
    server.login("novaya@chesma.test", NEW_PASSWORD).await;

    // Used once, the link is dead, and says what to do.
    let again = server
        .gql(
            None,
            SET,
            json!({ "i": { "token": token, "password": "другой пароль для входа" } }),
        )
        .await;
    assert_eq!(error_code(&again), "VALIDATION", "{again}");
    let message = again["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Забыли пароль?"), "{message}");
    let stale = server.gql(None, LINK, json!({ "t": token })).await;
    assert_eq!(error_code(&stale), "VALIDATION");

    // Someone with a password is not invited again; the trail says what happened.
    let id = user["user"]["id"].as_str().unwrap();
    let refused = server
        .gql(
            Some(&c),
            "mutation($id: ID!) { inviteUser(userId: $id) { expiresAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&refused), "VALIDATION", "{refused}");
    let trail = server
        .ok(
            Some(&c),
            "query($id: ID!) { user(id: $id) { passwordSet invitation { expiresAt } accountHistory { kind actor { fullName } description } } }",
            json!({ "id": id }),
        )
        .await;
    let u = &trail["user"];
    assert_eq!(u["passwordSet"], true);
    assert_eq!(u["invitation"], Value::Null, "a used invitation no longer waits");
    let kinds: Vec<&str> = u["accountHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["PASSWORD_SET", "INVITED", "CREATED"], "{trail}");
    assert_eq!(u["accountHistory"][0]["actor"], Value::Null);
    assert_eq!(
        u["accountHistory"][1]["actor"]["fullName"],
        "Пользователь coordinator@chesma.test"
    );
}

async fn a_new_invitation_replaces_the_old_one_and_links_expire(db: TestDb) {
    let (w, smtp, server) = setup(&db).await;
    let c = server.login("coordinator@chesma.test", PASSWORD).await;
    let created = server
        .ok(
            Some(&c),
            CREATE,
            json!({ "i": { "email": "observer2@chesma.test", "fullName": "Смирнов Олег", "role": "OBSERVER", "districtId": w.district.id.to_string() } }),
        )
        .await;
    let id = created["createUser"]["user"]["id"].as_str().unwrap().to_owned();
    let first = token_in(&letter_to(&smtp, "observer2@chesma.test", 1).await);
    server
        .ok(
            Some(&c),
            "mutation($id: ID!) { inviteUser(userId: $id) { expiresAt } }",
            json!({ "id": id }),
        )
        .await;
    let second = token_in(&letter_to(&smtp, "observer2@chesma.test", 2).await);
    assert_ne!(first, second);
    let old = server.gql(None, LINK, json!({ "t": first })).await;
    assert_eq!(
        error_code(&old),
        "VALIDATION",
        "the first invitation stopped working: {old}"
    );
    server.ok(None, LINK, json!({ "t": second })).await;

    // A day later the link has expired; the list says the invitation is stale.
    db.clock.advance(chrono::Duration::hours(25));
    let expired = server
        .gql(None, SET, json!({ "i": { "token": second, "password": NEW_PASSWORD } }))
        .await;
    assert_eq!(error_code(&expired), "VALIDATION", "{expired}");
    let listed = server
        .ok(
            Some(&c),
            "{ users(filter: { search: \"observer2\" }) { nodes { passwordSet invitation { expired } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["users"]["nodes"][0]["invitation"]["expired"], true, "{listed}");

    // Another district's coordinator cannot invite them.
    let other = server.login("coordinator@yartsevo.test", PASSWORD).await;
    let refused = server
        .gql(
            Some(&other),
            "mutation($id: ID!) { inviteUser(userId: $id) { expiresAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
}

async fn a_reset_says_nothing_about_who_is_registered_and_ends_old_sessions(db: TestDb) {
    let (_w, smtp, server) = setup(&db).await;
    let old_session = server.login("director1@chesma.test", PASSWORD).await;
    for address in ["director1@chesma.test", "nobody@chesma.test"] {
        let answer = server.ok(None, RESET, json!({ "e": address })).await;
        assert_eq!(answer["requestPasswordReset"], true);
    }
    let letter = letter_to(&smtp, "director1@chesma.test", 1).await;
    assert!(letter.contains("восстановить пароль"), "{letter}");
    assert!(letter.contains("старый пароль продолжает действовать"), "{letter}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        smtp.received()
            .iter()
            .all(|m| !m.to.iter().any(|t| t.contains("nobody"))),
        "an unknown address gets no letter"
    );
    // Until the link is used, the old password works.
    server.login("director1@chesma.test", PASSWORD).await;
    let token = token_in(&letter);
    let link = server.ok(None, LINK, json!({ "t": token })).await;
    assert_eq!(link["passwordLink"]["invitation"], false);
    let set = server
        .ok(None, SET, json!({ "i": { "token": token, "password": NEW_PASSWORD } }))
        .await;
    let fresh = set["setPasswordWithLink"]["token"].as_str().unwrap().to_owned();
    let ended = server.gql(Some(&old_session), ME, json!({})).await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "earlier sessions end: {ended}");
    server.ok(Some(&fresh), ME, json!({})).await;
    let old = server
        .gql(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            json!({ "e": "director1@chesma.test", "p": PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&old), "UNAUTHENTICATED");

    // A switched-off account gets no letter either.
    let admin = server.login("admin@po.test", PASSWORD).await;
    let users = server
        .ok(
            Some(&admin),
            "{ users(filter: { search: \"director2\" }) { nodes { id } } }",
            json!({}),
        )
        .await;
    server
        .ok(
            Some(&admin),
            "mutation($i: SetUserActiveInput!) { setUserActive(input: $i) { active } }",
            json!({ "i": { "userId": users["users"]["nodes"][0]["id"], "active": false } }),
        )
        .await;
    server.ok(None, RESET, json!({ "e": "director2@chesma.test" })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        smtp.received()
            .iter()
            .all(|m| !m.to.iter().any(|t| t.contains("director2")))
    );
}

async fn resets_are_limited_per_address_and_per_client_alike_for_any_address(db: TestDb) {
    let (_w, smtp, server) = setup(&db).await;
    // Three an hour per address, registered or not; the fourth is refused the same way.
    let mut refusals = Vec::new();
    for address in ["director1@chesma.test", "nobody@chesma.test"] {
        for _ in 0..engine::service::RESET_LIMIT_PER_ADDRESS {
            server.ok(None, RESET, json!({ "e": address })).await;
        }
        let refused = server.gql(None, RESET, json!({ "e": address })).await;
        assert_eq!(error_code(&refused), "VALIDATION", "{refused}");
        refusals.push(refused["errors"][0]["message"].as_str().unwrap().to_owned());
    }
    assert_eq!(refusals[0], refusals[1], "the refusal does not tell who is registered");
    assert!(refusals[0].contains("повторите через час"), "{}", refusals[0]);
    letter_to(&smtp, "director1@chesma.test", 3).await;

    // Ten an hour per client, whatever the addresses (six were asked above).
    for i in 0..(engine::service::RESET_LIMIT_PER_CLIENT - 6) {
        server
            .ok(None, RESET, json!({ "e": format!("someone{i}@chesma.test") }))
            .await;
    }
    let refused = server
        .gql(None, RESET, json!({ "e": "someone-else@chesma.test" }))
        .await;
    assert_eq!(error_code(&refused), "VALIDATION", "{refused}");

    // An hour later the client may ask again.
    db.clock.advance(chrono::Duration::minutes(61));
    server.ok(None, RESET, json!({ "e": "director1@chesma.test" })).await;
    // A malformed address is said to be one.
    let bad = server.gql(None, RESET, json!({ "e": "director1" })).await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "email", "{bad}");
}

async fn a_coordinator_edits_a_director_and_the_trail_keeps_it(db: TestDb) {
    let (w, _smtp, server) = setup(&db).await;
    let c = server.login("coordinator@chesma.test", PASSWORD).await;
    let director = server.login("director1@chesma.test", PASSWORD).await;
    let id = w.director.user_id.to_string();
    let update = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { fullName email organization { name } } }";
    let input = |email: &str, role: &str, org: i64| json!({ "i": { "userId": id, "fullName": "  Петрова Мария Ивановна ", "email": email, "role": role, "organizationId": org.to_string() } });
    // Only the name and the address: the director stays signed in.
    let edited = server
        .ok(
            Some(&c),
            update,
            input("Petrova@Chesma.test", "DIRECTOR", w.schools[0].id),
        )
        .await;
    assert_eq!(edited["updateUser"]["fullName"], "Петрова Мария Ивановна");
    assert_eq!(edited["updateUser"]["email"], "petrova@chesma.test");
    server.ok(Some(&director), ME, json!({})).await;
    server.login("petrova@chesma.test", PASSWORD).await;

    // Moved to another school: signed out, to come back with the new rights.
    let moved = server
        .ok(
            Some(&c),
            update,
            input("petrova@chesma.test", "DIRECTOR", w.schools[1].id),
        )
        .await;
    assert_eq!(moved["updateUser"]["organization"]["name"], "МОУ «Тарутинская СОШ»");
    let ended = server.gql(Some(&director), ME, json!({})).await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "{ended}");

    // Refusals: an address taken, a role the coordinator may not give, another district.
    let taken = server
        .gql(
            Some(&c),
            update,
            input("director2@chesma.test", "DIRECTOR", w.schools[1].id),
        )
        .await;
    assert_eq!(taken["errors"][0]["extensions"]["field"], "email", "{taken}");
    let promote = server
        .gql(
            Some(&c),
            update,
            json!({ "i": { "userId": id, "fullName": "Петрова", "email": "petrova@chesma.test", "role": "COORDINATOR", "districtId": w.district.id.to_string() } }),
        )
        .await;
    assert_eq!(error_code(&promote), "FORBIDDEN", "{promote}");
    let other = server.login("coordinator@yartsevo.test", PASSWORD).await;
    let foreign = server
        .gql(
            Some(&other),
            update,
            input("x@chesma.test", "DIRECTOR", w.schools[1].id),
        )
        .await;
    assert_eq!(error_code(&foreign), "NOT_FOUND", "{foreign}");
    let own = server
        .gql(
            Some(&c),
            update,
            json!({ "i": { "userId": w.coordinator.user_id.to_string(), "fullName": "Координатор", "email": "coordinator@chesma.test", "role": "OBSERVER", "districtId": w.district.id.to_string() } }),
        )
        .await;
    assert_ne!(own.get("errors"), None, "nobody changes their own role: {own}");

    let trail = server
        .ok(
            Some(&c),
            "query($id: ID!) { user(id: $id) { accountHistory { kind actor { fullName } description } } }",
            json!({ "id": id }),
        )
        .await;
    let events = trail["user"]["accountHistory"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{trail}");
    let moved = events[0]["description"].as_str().unwrap();
    assert_eq!(
        moved,
        "Изменено — место работы: МОУ «Чесменская СОШ № 1» → МОУ «Тарутинская СОШ»."
    );
    let renamed = events[1]["description"].as_str().unwrap();
    assert!(
        renamed.contains("ФИО: «Пользователь director1@chesma.test» → «Петрова Мария Ивановна»")
            && renamed.contains("адрес почты: director1@chesma.test → petrova@chesma.test"),
        "{renamed}"
    );
    assert_eq!(events[0]["actor"]["fullName"], "Пользователь coordinator@chesma.test");
    assert_eq!(events[2]["kind"], "CREATED");
    assert_eq!(events[2]["actor"], Value::Null, "the test world is made by the system");
}

both_backends!(
    an_invited_director_sets_their_own_password_once,
    a_new_invitation_replaces_the_old_one_and_links_expire,
    a_reset_says_nothing_about_who_is_registered_and_ends_old_sessions,
    resets_are_limited_per_address_and_per_client_alike_for_any_address,
    a_coordinator_edits_a_director_and_the_trail_keeps_it,
);
