//! Importing a district's organizations and directors from a spreadsheet over the real
//! server: the template downloads and imports as it is; a file with mistakes gets every one
//! with its line and column and writes nothing; sixty schools with directors come in at once
//! and every director receives an invitation at a real SMTP server; the same file again
//! changes nothing; a changed row updates just that; the permission table decides who may.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Server, TestDb};
use crate::smtp::SmtpServer;

const PASSWORD: &str = "пароль-для-тестов";
const HEADER: &str = "Название организации;Тип;ФИО руководителя;Почта руководителя;Телефон";

async fn post(server: &Server, token: &str, query: &str, file: &[u8]) -> (u16, Value) {
    let response = server
        .http
        .post(format!("{}/import/organizations?{query}", server.base))
        .bearer_auth(token)
        .body(file.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// A CSV as Excel saves it: a byte-order mark, `;`, CRLF.
fn csv(rows: &[String]) -> Vec<u8> {
    let mut text = String::from("\u{feff}");
    text.push_str(HEADER);
    for row in rows {
        text.push_str("\r\n");
        text.push_str(row);
    }
    text.into_bytes()
}

fn sixty_schools() -> Vec<String> {
    (1..=60)
        .map(|i| format!("МБОУ «СОШ № {i}»;школа;Директор Номер {i};director{i}@schools.test;+7 (351) 200-00-{i:02}"))
        .collect()
}

async fn organizations_of(server: &Server, token: &str, district: i64) -> usize {
    let data = server
        .ok(
            Some(token),
            "query($d: ID) { organizations(districtId: $d, first: 500) { totalCount } }",
            json!({ "d": district.to_string() }),
        )
        .await;
    data["organizations"]["totalCount"].as_u64().unwrap() as usize
}

async fn a_district_imports_sixty_schools_with_invited_directors_once(db: TestDb) {
    let w = db.world().await;
    let smtp = SmtpServer::start(0);
    let server = db
        .spawn_server_mailing(graphql::ServerConfig::default(), Some(&SmtpServer::url(smtp.port)))
        .await;
    let c = server.login("coordinator@chesma.test", PASSWORD).await;
    let district = w.district.id;
    let before = organizations_of(&server, &c, district).await;
    let query = format!("fileName=schools.csv&districtId={district}");

    // The template is a real workbook, and imports as it is.
    let template = server
        .http
        .get(format!("{}/import/organizations-template.xlsx", server.base))
        .bearer_auth(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), 200);
    let bytes = template.bytes().await.unwrap();
    let (status, plan) = post(
        &server,
        &c,
        &format!("fileName=template.xlsx&districtId={district}"),
        &bytes,
    )
    .await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["problems"], json!([]), "{plan}");
    assert_eq!(plan["lines"][0]["name"], "МБОУ «Средняя общеобразовательная школа № 1»");
    assert_eq!(plan["lines"][0]["director"]["action"], "CREATE");

    // Mistakes: each with its line and column; nothing is written.
    let bad = csv(&[
        "МБОУ «СОШ № 1»;школа;Иванова Мария;ivanova@schools.test;".into(),
        "мбоу «сош № 1»;школа;Петров Пётр;petrov@schools.test;".into(),
        "МБОУ «СОШ № 2»;ракетная база;;;".into(),
        "МБОУ «СОШ № 3»;школа;Сидорова;sidorova(at)schools.test;".into(),
        "МБОУ «СОШ\u{200b} № 4»;школа;;;".into(),
        "МБОУ «СОШ № 5»;школа;Самозванец;coordinator@chesma.test;".into(),
        "МБОУ «СОШ № 6»;школа;Двойник;ivanova@schools.test;".into(),
    ]);
    let (status, plan) = post(&server, &c, &query, &bad).await;
    assert_eq!(status, 200, "{plan}");
    let problems: Vec<(u64, String, String)> = plan["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |line: u64, column: &str, words: &str| {
        assert!(
            problems
                .iter()
                .any(|(l, c, m)| *l == line && c == column && m.contains(words)),
            "no problem at line {line}, «{column}», saying «{words}»: {problems:#?}"
        );
    };
    at(3, "Название организации", "уже есть в строке 2");
    at(4, "Тип", "«ракетная база» — неизвестный тип");
    at(5, "Почта руководителя", "не адрес электронной почты");
    at(6, "Название организации", "невидимый");
    at(7, "Почта руководителя", "уже у пользователя");
    at(8, "Почта руководителя", "уже указан в строке 2");
    let (status, refused) = post(&server, &c, &format!("{query}&apply=true"), &bad).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["code"], "VALIDATION");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("ничего не изменено") && message.contains("строка 3"),
        "{message}"
    );
    assert_eq!(organizations_of(&server, &c, district).await, before);

    // Sixty schools and their directors, from one file.
    let good = csv(&sixty_schools());
    let (_, plan) = post(&server, &c, &query, &good).await;
    assert_eq!(plan["counts"]["organizationsCreated"], 60, "{}", plan["counts"]);
    assert_eq!(plan["counts"]["directorsCreated"], 60);
    let (status, done) = post(&server, &c, &format!("{query}&apply=true"), &good).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["invited"], 60, "{done}");
    assert_eq!(done["invitationProblems"], json!([]));
    assert_eq!(organizations_of(&server, &c, district).await, before + 60);
    assert_eq!(smtp.received().len(), 60, "one invitation a director");
    let letter = crate::accounts::letter_to(&smtp, "director17@schools.test", 1).await;
    assert!(
        letter.contains("Директор Номер 17") && letter.contains("МБОУ «СОШ № 17»"),
        "{letter}"
    );
    let listed = server
        .ok(
            Some(&c),
            "{ users(filter: { search: \"director17@schools\" }) { nodes { role passwordSet invitation { expired } organization { name } } } }",
            json!({}),
        )
        .await;
    let director = &listed["users"]["nodes"][0];
    assert_eq!(director["role"], "DIRECTOR");
    assert_eq!(director["passwordSet"], false);
    assert_eq!(director["organization"]["name"], "МБОУ «СОШ № 17»");

    // The same file again changes nothing and invites nobody.
    let (_, again) = post(&server, &c, &format!("{query}&apply=true"), &good).await;
    assert_eq!(again["counts"]["organizationsUnchanged"], 60, "{again}");
    assert_eq!(again["invited"], 0);
    assert_eq!(smtp.received().len(), 60);

    // A changed row updates just that school and its director.
    let mut changed = sixty_schools();
    changed[4] = "МБОУ «СОШ № 5»;гимназия;Директор Номер Пять;director5@schools.test;+7 (351) 999-99-99".into();
    let (_, updated) = post(&server, &c, &format!("{query}&apply=true"), &csv(&changed)).await;
    assert_eq!(updated["counts"]["organizationsUpdated"], 1, "{updated}");
    assert_eq!(updated["counts"]["organizationsUnchanged"], 59);
    assert_eq!(updated["counts"]["directorsUpdated"], 1);

    // Who may: not another district's coordinator, not a director.
    let other = server.login("coordinator@yartsevo.test", PASSWORD).await;
    let (status, body) = post(&server, &other, &query, &good).await;
    assert!(status == 403 || status == 404, "{status} {body}");
    let d = server.login("director1@chesma.test", PASSWORD).await;
    let (status, body) = post(&server, &d, &query, &good).await;
    assert!(status == 403 || status == 404, "{status} {body}");
}

both_backends!(a_district_imports_sixty_schools_with_invited_directors_once);
