//! Spreadsheet downloads over real HTTP: the indicator reports and the dashboard as CSV and
//! XLSX (read back with calamine), who may download what, and the errors.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use engine::service::{NewReport, TransitionRequest};
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Server, TestDb, World, minimal_launch};

const PASSWORD: &str = "пароль-для-тестов";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const COMMENT: &str = "Обучены 7 из 8; один педагог — в декрете";

/// Projects of the minimal workflow: `a` (school 0) and `c` (school 2) in `work`, `a` with a
/// corrected 2025-Q1 report (80, then 87.5 on 5 March at 15:30 Yekaterinburg time), `b`
/// (school 1) still in `start`; the clock then moved to 1 May 2025, when all three are
/// overdue and school 2 owes its Q1 report.
struct Setup {
    w: World,
    server: Server,
    a: i64,
    a_title: String,
}

async fn setup(db: &TestDb) -> Setup {
    let w = db.world().await;
    let e = &db.engine;
    let mut ids = Vec::new();
    for school in 0..3 {
        ids.push(
            e.launch_project(&w.coordinator, minimal_launch(&w, school))
                .await
                .unwrap()
                .project,
        );
    }
    for project in [&ids[0], &ids[2]] {
        let ticked = e
            .complete_checklist_item(&w.coordinator, project.id, "start", "order", true)
            .await
            .unwrap();
        let request = TransitionRequest {
            from_stage: None,
            project_id: project.id,
            to_stage: "work".into(),
            expected_version: ticked.project.row_version,
            comment: None,
        };
        e.transition_project(&w.coordinator, request).await.unwrap();
    }
    let report = |value: f64, comment: Option<&str>| NewReport {
        project_id: ids[0].id,
        organization_id: w.schools[0].id,
        indicator: "1.1".into(),
        period: "2025-Q1".into(),
        value,
        comment: comment.map(str::to_string),
    };
    e.report_indicator(&w.director, report(80.0, None)).await.unwrap();
    db.clock.set(Utc.with_ymd_and_hms(2025, 3, 5, 10, 30, 0).unwrap());
    e.report_indicator(&w.director, report(87.5, Some(COMMENT)))
        .await
        .unwrap();
    db.clock.set(Utc.with_ymd_and_hms(2025, 5, 1, 6, 0, 0).unwrap());
    let server = db.spawn_server().await;
    Setup {
        a: ids[0].id,
        a_title: ids[0].title.clone(),
        w,
        server,
    }
}

async fn get(server: &Server, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = server.http.get(format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// The body of a successful download, after checking its headers.
async fn download(server: &Server, token: &str, path: &str, content_type: &str, filename: &str) -> Vec<u8> {
    let response = get(server, Some(token), path).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], content_type, "{path}");
    assert_eq!(headers["cache-control"], "no-store", "{path}");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{filename}\"")),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    body
}

/// The status and `extensions.code` of a refused download.
async fn refused(server: &Server, token: Option<&str>, path: &str) -> (u16, String, String) {
    let response = get(server, token, path).await;
    let status = response.status().as_u16();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = response.json().await.unwrap();
    let code = body["errors"][0]["extensions"]["code"].as_str().unwrap().to_string();
    let message = body["errors"][0]["message"].as_str().unwrap().to_string();
    (status, code, message)
}

fn workbook(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a readable XLSX")
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let range = workbook(bytes).worksheet_range(name).expect("the worksheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// A file inside the XLSX (a zip archive).
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn strings(row: &[Data]) -> Vec<String> {
    row.iter().map(|d| d.to_string()).collect()
}

fn datetime(cell: &Data) -> NaiveDateTime {
    match cell {
        Data::DateTime(dt) => dt.as_datetime().expect("a date-time"),
        other => panic!("expected a date, got {other:?}"),
    }
}

fn date(cell: &Data) -> NaiveDate {
    datetime(cell).date()
}

async fn indicator_reports_download_as_xlsx_and_csv(db: TestDb) {
    let s = setup(&db).await;
    let token = s.server.login("coordinator@chesma.test", PASSWORD).await;
    let path = format!("/export/indicator-reports.xlsx?projectId={}", s.a);
    let bytes = download(&s.server, &token, &path, XLSX, "indicator-reports-2025-05-01.xlsx").await;
    assert_eq!(workbook(&bytes).sheet_names(), ["Отчёты по показателям"]);
    let rows = sheet(&bytes, "Отчёты по показателям");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        strings(&rows[0]),
        [
            "Проект",
            "Организация",
            "Код показателя",
            "Показатель",
            "Единица",
            "Период",
            "Значение",
            "Комментарий",
            "Дата сдачи",
            "Исправлений"
        ]
    );
    let row = &rows[1];
    assert_eq!(
        strings(&row[..6]),
        [
            s.a_title.as_str(),
            s.w.schools[0].name.as_str(),
            "1.1",
            "Доля педагогов, прошедших обучение",
            "%",
            "I квартал 2025 г."
        ]
    );
    assert_eq!(row[6], Data::Float(87.5));
    assert_eq!(row[7], Data::String(COMMENT.into()));
    // 10:30 UTC is 15:30 in the district's Asia/Yekaterinburg.
    assert_eq!(
        datetime(&row[8]),
        NaiveDate::from_ymd_opt(2025, 3, 5)
            .unwrap()
            .and_hms_opt(15, 30, 0)
            .unwrap()
    );
    assert_eq!(row[9], Data::Float(1.0));
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
        "{sheet_xml}"
    );
    assert!(sheet_xml.contains("<cols><col "), "column widths are set: {sheet_xml}");
    assert!(part(&bytes, "xl/styles.xml").contains("<b/>"), "a bold header");

    let path = format!(
        "/export/indicator-reports.csv?projectId={}&indicator=1.1&period=2025-Q1",
        s.a
    );
    let bytes = download(
        &s.server,
        &token,
        &path,
        "text/csv; charset=utf-8",
        "indicator-reports-2025-05-01.csv",
    )
    .await;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let expected = format!(
        "Проект;Организация;Код показателя;Показатель;Единица;Период;Значение;Комментарий;Дата сдачи;Исправлений\r\n\
         {};{};1.1;Доля педагогов, прошедших обучение;%;I квартал 2025 г.;87,5;\"{COMMENT}\";05.03.2025 15:30;1\r\n",
        s.a_title, s.w.schools[0].name
    );
    assert_eq!(text, expected);

    // Filters narrow; an organization without reports gets the header only.
    let path = format!("/export/indicator-reports.csv?organizationId={}", s.w.schools[2].id);
    let bytes = download(
        &s.server,
        &token,
        &path,
        "text/csv; charset=utf-8",
        "indicator-reports-2025-05-01.csv",
    )
    .await;
    assert_eq!(String::from_utf8(bytes).unwrap().lines().count(), 1);
    let director = s.server.login("director1@chesma.test", PASSWORD).await;
    let bytes = download(
        &s.server,
        &director,
        "/export/indicator-reports.xlsx",
        XLSX,
        "indicator-reports-2025-05-01.xlsx",
    )
    .await;
    assert_eq!(
        sheet(&bytes, "Отчёты по показателям").len(),
        2,
        "the director's own report"
    );
}

async fn exports_need_a_token_and_the_right_scope(db: TestDb) {
    let s = setup(&db).await;
    let path = format!("/export/indicator-reports.csv?projectId={}", s.a);
    for token in [None, Some("no-such-token")] {
        let (status, code, message) = refused(&s.server, token, &path).await;
        assert_eq!((status, code.as_str()), (401, "UNAUTHENTICATED"), "{message}");
    }
    let response = get(&s.server, None, "/export/dashboard.xlsx").await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");

    // The director of another school may not read this school's project.
    let other = s.server.login("director2@chesma.test", PASSWORD).await;
    for ext in ["csv", "xlsx"] {
        let path = format!("/export/indicator-reports.{ext}?projectId={}", s.a);
        let (status, code, message) = refused(&s.server, Some(&other), &path).await;
        assert_eq!((status, code.as_str()), (403, "FORBIDDEN"), "{message}");
    }
    // …and gets only their own (no) reports without a project.
    let bytes = download(
        &s.server,
        &other,
        "/export/indicator-reports.csv",
        "text/csv; charset=utf-8",
        "indicator-reports-2025-05-01.csv",
    )
    .await;
    assert_eq!(String::from_utf8(bytes).unwrap().lines().count(), 1);
    // Directors have no dashboard; a coordinator has none of another district.
    assert_eq!(refused(&s.server, Some(&other), "/export/dashboard.csv").await.0, 403);
    let coordinator = s.server.login("coordinator@chesma.test", PASSWORD).await;
    let path = format!("/export/dashboard.xlsx?districtId={}", s.w.other_district.id);
    assert_eq!(refused(&s.server, Some(&coordinator), &path).await.1, "FORBIDDEN");

    let c = Some(coordinator.as_str());
    let (status, code, _) = refused(&s.server, c, "/export/indicator-reports.xlsx?projectId=987654").await;
    assert_eq!((status, code.as_str()), (404, "NOT_FOUND"));
    let (status, code, message) = refused(&s.server, c, "/export/indicator-reports.csv?projectId=abc").await;
    assert_eq!((status, code.as_str()), (400, "VALIDATION"));
    assert!(message.contains("не идентификатор"), "{message}");
    let (status, _, message) = refused(&s.server, c, "/export/dashboard.csv?district=1").await;
    assert_eq!(status, 400);
    assert!(message.contains("Неизвестный параметр «district»"), "{message}");
}

async fn dashboard_downloads_list_the_overdue_and_the_organizations(db: TestDb) {
    let s = setup(&db).await;
    let expected = db.engine.dashboard(&s.w.coordinator, None).await.unwrap();
    assert_eq!(expected.overdue.len(), 3, "{expected:?}");
    assert!(!expected.missing_reports.is_empty(), "{expected:?}");
    let token = s.server.login("coordinator@chesma.test", PASSWORD).await;

    let bytes = download(
        &s.server,
        &token,
        "/export/dashboard.xlsx",
        XLSX,
        "dashboard-2025-05-01.xlsx",
    )
    .await;
    assert_eq!(
        workbook(&bytes).sheet_names(),
        [
            "Просрочено",
            "Нет отчётов",
            "Организации",
            "По этапам",
            "По процессам",
            "По состоянию"
        ]
    );
    let overdue = sheet(&bytes, "Просрочено");
    assert_eq!(
        strings(&overdue[0]),
        [
            "Проект",
            "Район",
            "Этап",
            "Задача",
            "Ответственный",
            "Срок",
            "Дней просрочки"
        ]
    );
    assert_eq!(overdue.len(), 1 + expected.overdue.len());
    for (row, o) in overdue[1..].iter().zip(&expected.overdue) {
        assert_eq!(
            strings(&row[..3]),
            [o.project_title.as_str(), "Чесменский район", o.stage_title.as_str()]
        );
        // These stages are late themselves, not one of their tasks.
        assert_eq!(row[3].to_string(), "");
        // Launched by the coordinator, who answers for the projects; no stage has its own.
        assert_eq!(row[4].to_string(), "Пользователь coordinator@chesma.test");
        assert_eq!(date(&row[5]), o.due);
        assert_eq!(row[6], Data::Float(o.days_overdue as f64));
    }
    let a = overdue
        .iter()
        .find(|r| r[0] == Data::String(s.a_title.clone()))
        .expect("project a is overdue");
    assert_eq!(
        (a[2].to_string(), date(&a[5])),
        ("Работа".into(), NaiveDate::from_ymd_opt(2025, 4, 2).unwrap())
    );

    let missing = sheet(&bytes, "Нет отчётов");
    assert_eq!(
        strings(&missing[0])[..5],
        ["Организация", "Проект", "Код показателя", "Показатель", "Период"]
    );
    assert!(
        missing[1..]
            .iter()
            .any(|r| r[0] == Data::String(s.w.schools[2].name.clone())
                && r[4] == Data::String("I квартал 2025 г.".into())),
        "{missing:?}"
    );

    let organizations = sheet(&bytes, "Организации");
    assert_eq!(
        strings(&organizations[0]),
        ["Организация", "Район", "Достижение, %", "Состояние", "Показателей"]
    );
    assert_eq!(
        organizations.len(),
        4,
        "the three participating schools: {organizations:?}"
    );
    assert_eq!(
        strings(&organizations[1][..2]),
        [s.w.schools[0].name.as_str(), "Чесменский район"]
    );
    assert_eq!(organizations[1][2], Data::Float(87.5));
    assert_eq!(organizations[1][3], Data::String("в норме".into()));
    assert_eq!(organizations[1][4], Data::Float(1.0));
    assert_eq!(
        (&organizations[2][2], organizations[2][3].to_string()),
        (&Data::Empty, "нет данных".to_string())
    );

    assert_eq!(strings(&sheet(&bytes, "По процессам")[1]), ["Проверочный процесс", "3"]);
    let by_health = sheet(&bytes, "По состоянию");
    assert_eq!(strings(&by_health[1]), ["отставание", "3"]);
    for i in 1..=6 {
        assert!(part(&bytes, &format!("xl/worksheets/sheet{i}.xml")).contains(r#"state="frozen""#));
    }

    let bytes = download(
        &s.server,
        &token,
        &format!("/export/dashboard.csv?districtId={}", s.w.district.id),
        "text/csv; charset=utf-8",
        "dashboard-2025-05-01.csv",
    )
    .await;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("Просрочено\r\nПроект;Район;Этап;Задача;Ответственный;Срок;Дней просрочки\r\n"),
        "{text}"
    );
    let o = expected.overdue.iter().find(|o| o.project_id == s.a).unwrap();
    assert!(
        text.contains(&format!(
            "\r\n{};Чесменский район;Работа;;Пользователь coordinator@chesma.test;02.04.2025;{}\r\n",
            s.a_title, o.days_overdue
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "\r\n\r\nНет отчётов\r\nОрганизация;Проект;Код показателя;Показатель;Период;Срок сдачи;Дней просрочки\r\n"
        ),
        "{text}"
    );
    assert!(text.contains(&format!("\r\n\r\nОрганизации\r\nОрганизация;Район;Достижение, %;Состояние;Показателей\r\n{};Чесменский район;87,5;в норме;1\r\n", s.w.schools[0].name)), "{text}");
    assert!(
        text.contains("\r\n\r\nПо состоянию\r\nСостояние;Проектов\r\nотставание;3\r\n"),
        "{text}"
    );
    let titles: Vec<&str> = text
        .split("\r\n\r\n")
        .map(|section| section.lines().next().unwrap_or_default())
        .collect();
    assert_eq!(
        titles,
        [
            "Просрочено",
            "Нет отчётов",
            "Организации",
            "По этапам",
            "По процессам",
            "По состоянию"
        ]
    );
}

both_backends!(
    indicator_reports_download_as_xlsx_and_csv,
    exports_need_a_token_and_the_right_scope,
    dashboard_downloads_list_the_overdue_and_the_organizations
);
