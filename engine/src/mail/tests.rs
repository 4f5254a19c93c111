//! The digest email end to end: rendered, parsed back with real MIME and iCalendar parsers,
//! sent to a real SMTP server on loopback (`mailin-embedded`) and written to `.eml` files.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use chrono::{NaiveDate, TimeZone, Utc};
use icalendar::{Calendar, Component, DatePerhapsTime};
use lettre::message::Mailbox;
use mail_parser::{MessageParser, MimeHeaders};
use mailin_embedded::{Handler, Response, response};

use super::render::{ICS_CONTENT_TYPE, summary};
use super::{Digest, Mailer, ics, render};
use crate::reminders::item::{ReminderItem, ReminderKind};

const PROJECT_A: &str = "Модернизация школы «Точка роста» & \"Кванториум\"";

fn item(kind: ReminderKind, project_id: i64, project_title: &str) -> ReminderItem {
    ReminderItem {
        dedupe_key: format!("{project_id}:{kind:?}"),
        kind,
        recipient_user_id: Some(3),
        recipient_email: "petrova@school5.example.ru".into(),
        recipient_name: "Мария Ивановна Петрова".into(),
        project_id,
        project_title: project_title.into(),
        district_name: "Кировский район".into(),
        stage_key: None,
        stage_title: None,
        due: NaiveDate::from_ymd_opt(2025, 5, 15).expect("date"),
        days: 0,
        threshold: 0,
        indicator_key: None,
        indicator_title: None,
        period: None,
        organization_name: None,
        escalated: false,
        provisional: false,
        substitute_for: None,
        substituted_by: None,
        task_key: None,
        task_title: None,
    }
}

fn due_soon() -> ReminderItem {
    ReminderItem {
        stage_key: Some("estimate".into()),
        stage_title: Some("Согласование сметы; этап 2, итог".into()),
        days: 3,
        threshold: 3,
        ..item(ReminderKind::DueSoon, 7, PROJECT_A)
    }
}

fn digest() -> Digest {
    let overdue = ReminderItem {
        stage_key: Some("purchase".into()),
        stage_title: Some("Закупка оборудования".into()),
        due: NaiveDate::from_ymd_opt(2025, 5, 1).expect("date"),
        days: 5,
        threshold: 1,
        district_name: "Ленинский район".into(),
        escalated: true,
        ..item(ReminderKind::Overdue, 12, "Капитальный ремонт спортзала <корпус 2>")
    };
    let report = ReminderItem {
        indicator_key: Some("IND-01".into()),
        indicator_title: Some("Доля обучающихся в кружках".into()),
        period: Some("2025-Q1".into()),
        organization_name: Some("МБОУ «СОШ № 5»".into()),
        due: NaiveDate::from_ymd_opt(2025, 4, 10).expect("date"),
        days: 2,
        ..item(ReminderKind::ReportMissing, 7, PROJECT_A)
    };
    Digest {
        to_email: "petrova@school5.example.ru".into(),
        to_name: "Мария Ивановна Петрова".into(),
        items: vec![due_soon(), overdue, report],
        base_url: "https://po.example.ru/".into(),
    }
}

fn from() -> Mailbox {
    "Проектный офис <robot@po.example.ru>".parse().expect("mailbox")
}

const SUBJECT: &str = "Проектный офис: 1 этап на контроле, 1 несданный отчёт и 1 приближающийся срок";

/// Checks one formatted digest: headers, both bodies, the attachment; returns the plain text.
fn check_formatted(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).expect("valid MIME");
    assert_eq!(message.subject(), Some(SUBJECT));
    let to = message.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("petrova@school5.example.ru"));
    assert_eq!(to.name(), Some("Мария Ивановна Петрова"));
    assert!(message.date().is_some(), "Date header");
    let id = message.message_id().expect("Message-ID");
    assert!(id.starts_with("reminders.") && id.ends_with("@po.example.ru"), "{id}");
    let root = message.root_part().content_type().expect("root type");
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("mixed")));
    assert!(
        message
            .parts
            .iter()
            .any(|p| p.content_type().is_some_and(|t| t.subtype() == Some("alternative")))
    );

    let text_part = message.text_part(0).expect("text part");
    let ct = text_part.content_type().expect("text type");
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    assert_eq!(ct.attribute("charset").map(str::to_lowercase).as_deref(), Some("utf-8"));
    let text = text_part.text_contents().expect("text").to_owned();
    for expected in [
        "Здравствуйте, Мария Ивановна Петрова!",
        PROJECT_A,
        "Район: Кировский район",
        "Этап: Согласование сметы; этап 2, итог",
        "Срок: 15.05.2025 — осталось 3 дня",
        "В календарь: вложение srok-1.ics",
        "Этап: Закупка оборудования (на контроле координатора)",
        "Срок: 01.05.2025 — просрочено на 5 дней",
        "Не сдан отчёт: МБОУ «СОШ № 5»",
        "Показатель: IND-01 — Доля обучающихся в кружках",
        "Период: I квартал 2025 г.",
        "Срок сдачи: 10.04.2025 — отчёт задерживается на 2 дня",
        "Открыть проект: https://po.example.ru/projects/7",
        "Открыть проект: https://po.example.ru/projects/12",
    ] {
        assert!(text.contains(expected), "text lacks «{expected}»:\n{text}");
    }
    // Projects by title, the overdue stage's project («Капитальный…») first.
    assert!(text.find("Капитальный").expect("B") < text.find("Модернизация").expect("A"));
    // Inside project A the missing report comes before the upcoming deadline.
    assert!(text.find("Не сдан отчёт").expect("r") < text.find("Согласование").expect("s"));

    let html_part = message.html_part(0).expect("html part");
    let ct = html_part.content_type().expect("html type");
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("html")));
    let html = html_part.text_contents().expect("html");
    for expected in [
        "Модернизация школы «Точка роста» &amp; &quot;Кванториум&quot;",
        "Капитальный ремонт спортзала &lt;корпус 2&gt;",
        "МБОУ «СОШ № 5»",
        "href=\"https://po.example.ru/projects/7\"",
        "(на контроле координатора)",
        "осталось 3 дня",
        "просрочено на 5 дней",
    ] {
        assert!(html.contains(expected), "HTML lacks «{expected}»:\n{html}");
    }
    assert!(!html.contains("<корпус"), "unescaped HTML");

    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 1, "one .ics per upcoming deadline");
    let ics_part = attachments[0];
    assert_eq!(ics_part.attachment_name(), Some("srok-1.ics"));
    let ct = ics_part.content_type().expect("ics type");
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
    assert_eq!(ct.attribute("method"), Some("PUBLISH"));
    let ics = String::from_utf8(ics_part.contents().to_vec()).expect("UTF-8 calendar");
    check_ics(&ics);
    text
}

/// Parses a calendar with the `icalendar` crate and checks the event.
fn check_ics(ics: &str) {
    for line in ics.split_inclusive('\n') {
        assert!(line.ends_with("\r\n"), "CRLF: {line:?}");
        assert!(line.len() - 2 <= 75, "folded at 75 octets: {line:?}");
    }
    let calendar: Calendar = ics.parse().expect("valid iCalendar");
    assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
    assert_eq!(calendar.property_value("CALSCALE"), Some("GREGORIAN"));
    assert!(calendar.property_value("PRODID").is_some());
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 1);
    let event = events[0];
    assert_eq!(event.get_uid(), Some("project-7-stage-estimate@po.example.ru"));
    let date = NaiveDate::from_ymd_opt(2025, 5, 15).expect("date");
    assert_eq!(event.get_start(), Some(DatePerhapsTime::Date(date)));
    assert_eq!(
        event.get_end(),
        Some(DatePerhapsTime::Date(date.succ_opt().expect("next")))
    );
    assert_eq!(
        event.get_summary(),
        Some(format!("Срок: Согласование сметы; этап 2, итог — {PROJECT_A}").as_str())
    );
    assert_eq!(event.get_url(), Some("https://po.example.ru/projects/7"));
    assert!(event.get_timestamp().is_some(), "DTSTAMP in UTC");
    let description = event.get_description().expect("DESCRIPTION");
    assert!(description.contains("Срок: 15.05.2025"), "{description}");
    assert!(description.contains("\nЭтап: "), "{description}");
}

#[test]
fn renders_a_digest_that_parses_as_mime_with_a_calendar() {
    let message = render(&digest(), &from()).expect("rendered");
    check_formatted(&message.formatted());
}

#[test]
fn uid_is_stable_per_deadline_not_per_threshold() {
    let stamp = Utc.with_ymd_and_hms(2025, 5, 12, 6, 0, 0).single().expect("time");
    let url = "https://po.example.ru/projects/7";
    let week = ReminderItem {
        threshold: 7,
        days: 7,
        ..due_soon()
    };
    let day = ReminderItem {
        threshold: 1,
        days: 1,
        ..due_soon()
    };
    assert_eq!(ics::uid(&week, "po.example.ru"), ics::uid(&day, "po.example.ru"));
    let a = ics::event_at(&week, "po.example.ru", url, stamp);
    assert!(a.contains("DTSTAMP:20250512T060000Z\r\n"), "{a}");
    assert!(a.contains("DTSTART;VALUE=DATE:20250515\r\n"), "{a}");
    assert!(a.contains("DTEND;VALUE=DATE:20250516\r\n"), "{a}");
    let unfolded = a.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:Срок: Согласование сметы\\; этап 2\\, итог — "),
        "{a}"
    );
    check_ics(&a);
    let later = ics::event_at(&day, "po.example.ru", url, stamp + chrono::Duration::days(6));
    let seq = |s: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix("SEQUENCE:"))
            .and_then(|n| n.trim().parse::<i64>().ok())
            .expect("SEQUENCE")
    };
    assert!(seq(&later) > seq(&a), "a later stamp is a newer revision");
}

#[test]
fn subjects_count_with_russian_plurals() {
    let many = |kind, n: usize| (0..n).map(move |_| item(kind, 1, "П")).collect::<Vec<_>>();
    let mut items = many(ReminderKind::Overdue, 2);
    items.extend(many(ReminderKind::DueSoon, 5));
    assert_eq!(summary(&items), "2 просроченных этапа и 5 приближающихся сроков");
    assert_eq!(summary(&many(ReminderKind::ReportMissing, 21)), "21 несданный отчёт");
    assert_eq!(summary(&many(ReminderKind::ReportMissing, 12)), "12 несданных отчётов");
    assert_eq!(summary(&many(ReminderKind::Overdue, 1)), "1 просроченный этап");
    let mut escalated = many(ReminderKind::Overdue, 3);
    escalated.iter_mut().for_each(|i| i.escalated = true);
    escalated.extend(many(ReminderKind::Overdue, 1));
    escalated.extend(many(ReminderKind::ReportMissing, 4));
    assert_eq!(
        summary(&escalated),
        "1 просроченный этап, 3 этапа на контроле и 4 несданных отчёта"
    );
}

#[test]
fn a_digest_without_upcoming_deadlines_has_no_attachment() {
    let mut digest = digest();
    digest.items.retain(|i| i.kind != ReminderKind::DueSoon);
    let raw = render(&digest, &from()).expect("rendered").formatted();
    let message = MessageParser::default().parse(&raw[..]).expect("MIME");
    assert_eq!(message.attachment_count(), 0);
    assert!(message.text_part(0).is_some() && message.html_part(0).is_some());
}

#[test]
fn refuses_a_bad_recipient_or_an_empty_digest() {
    let mut bad = digest();
    bad.to_email = "не адрес".into();
    assert_eq!(render(&bad, &from()).expect_err("bad address").code(), "VALIDATION");
    let mut empty = digest();
    empty.items.clear();
    assert!(render(&empty, &from()).is_err());
}

#[test]
fn the_attachment_content_type_is_what_calendars_expect() {
    assert_eq!(ICS_CONTENT_TYPE, "text/calendar; method=PUBLISH; charset=utf-8");
}

/// One message as the SMTP server received it.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// A mailin handler that hands every accepted message to the test.
#[derive(Clone)]
struct Inbox {
    tx: mpsc::Sender<Received>,
    current: Received,
    greetings: Arc<AtomicUsize>,
}

impl Handler for Inbox {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.greetings.fetch_add(1, Ordering::SeqCst);
        response::OK
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // Handed over before the server answers 250, so the message is here once `send` returns.
        let _ = self.tx.send(std::mem::take(&mut self.current));
        response::OK
    }
}

/// Starts a real SMTP server on a free loopback port. The socket is bound before the server
/// thread starts, so clients connect at once without waiting for it.
fn smtp_server() -> (u16, mpsc::Receiver<Received>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let (tx, rx) = mpsc::channel();
    let greetings = Arc::new(AtomicUsize::new(0));
    let mut server = mailin_embedded::Server::new(Inbox {
        tx,
        current: Received::default(),
        greetings: greetings.clone(),
    });
    server.with_name("mail.test").with_tcp_listener(listener);
    std::thread::spawn(move || server.serve().map_err(|e| e.to_string()));
    (port, rx, greetings)
}

#[tokio::test]
async fn sends_through_a_real_smtp_server_reusing_the_connection() {
    let (port, inbox, greetings) = smtp_server();
    let url = format!("smtp://127.0.0.1:{port}");
    let mailer = Mailer::from_url(Some(&url), &PathBuf::from("unused")).expect("mailer");
    assert_eq!(mailer.target(), url);

    mailer
        .send(render(&digest(), &from()).expect("rendered"))
        .await
        .expect("sent");
    let received = inbox.try_recv().expect("the server has the message");
    assert_eq!(received.from, "robot@po.example.ru");
    assert_eq!(received.to, vec!["petrova@school5.example.ru".to_owned()]);
    let text = check_formatted(&received.data);
    assert!(text.contains("осталось 3 дня"));

    // lettre returns a connection to its pool from a spawned task; on this single-threaded
    // test runtime one yield lets that task run before the next send asks the pool.
    tokio::task::yield_now().await;
    mailer
        .send(render(&digest(), &from()).expect("rendered"))
        .await
        .expect("sent again");
    assert!(inbox.try_recv().is_ok(), "second message received");
    assert_eq!(greetings.load(Ordering::SeqCst), 1, "one pooled connection, one EHLO");
}

#[tokio::test]
async fn smtp_errors_are_readable_and_keep_the_password_out() {
    // Nothing listens on a port that was just released: the connection is refused at once.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("address").port();
    drop(closed);
    let url = format!("smtp://robot:Sup3rSecret@127.0.0.1:{port}");
    let mailer = Mailer::from_url(Some(&url), &PathBuf::from("unused")).expect("mailer");
    assert!(!format!("{mailer:?}").contains("Sup3rSecret"));
    let err = mailer
        .send(render(&digest(), &from()).expect("rendered"))
        .await
        .expect_err("down");
    assert!(err.contains("SMTP"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(!err.contains("Sup3rSecret"), "{err}");

    // A real server that offers no AUTH on a plain connection: the credentials are not sent.
    let (port, inbox, _) = smtp_server();
    let url = format!("smtp://robot:Sup3rSecret@127.0.0.1:{port}");
    let mailer = Mailer::from_url(Some(&url), &PathBuf::from("unused")).expect("mailer");
    let err = mailer
        .send(render(&digest(), &from()).expect("rendered"))
        .await
        .expect_err("no auth");
    assert!(!err.contains("Sup3rSecret"), "{err}");
    assert!(err.contains("robot:***@"), "{err}");
    assert!(inbox.try_recv().is_err(), "nothing delivered");
}

#[tokio::test]
async fn writes_eml_files_without_a_server() {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let root = std::env::temp_dir().join(format!("po-mail-{}-{nanos}", std::process::id()));
    let dir = root.join("data").join("mail");
    let mailer = Mailer::from_url(None, &dir).expect("file mailer");
    assert!(dir.is_dir(), "the folder is created");
    assert_eq!(mailer.mail_dir(), Some(dir.as_path()));
    mailer
        .send(render(&digest(), &from()).expect("rendered"))
        .await
        .expect("written");

    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&files[0]).expect("read .eml");
    check_formatted(&raw);
    std::fs::remove_dir_all(&root).expect("clean up");
}

#[test]
fn empty_url_means_files() {
    let root = std::env::temp_dir().join(format!("po-mail-empty-{}", std::process::id()));
    let mailer = Mailer::from_url(Some("  "), &root).expect("file mailer");
    assert!(format!("{mailer:?}").contains("files"));
    std::fs::remove_dir_all(&root).expect("clean up");
}

#[test]
fn a_long_russian_name_folded_across_encoded_words_decodes_whole() {
    let mut d = digest();
    d.to_name = "Евлоева Марьям Ахмедовна-Костромитинова".into();
    let raw = render(&d, &from()).expect("renders").formatted();
    let parsed = MessageParser::default().parse(&raw).expect("parses");
    let to = parsed.to().and_then(|a| a.first()).expect("a recipient");
    assert_eq!(to.name(), Some("Евлоева Марьям Ахмедовна-Костромитинова"));
    let text = parsed.body_text(0).expect("a text part");
    assert!(
        !text.contains(".ics") || text.contains("srok-"),
        "the calendar hint only with attachments"
    );
}

#[test]
fn a_date_over_a_provisional_calendar_says_so() {
    let mut provisional = due_soon();
    provisional.provisional = true;
    provisional.due = NaiveDate::from_ymd_opt(2028, 9, 1).expect("date");
    let mut digest = digest();
    digest.items = vec![provisional];
    let raw = render(&digest, &from()).expect("rendered").formatted();
    let message = MessageParser::default().parse(&raw[..]).expect("MIME");
    for body in [message.body_text(0), message.body_html(0)] {
        let body = body.expect("a body");
        assert!(body.contains("01.09.2028 (по предварительному календарю)"), "{body}");
    }
}

#[test]
fn a_substitute_reads_whom_they_stand_in_for_and_the_person_away_who_stands_in() {
    let mut copy = due_soon();
    copy.substitute_for = Some("Мария Ивановна Петрова".into());
    let mut own = due_soon();
    own.substituted_by = Some("Иван Сергеевич Орлов".into());
    for (item, said) in [
        (copy, "Вы замещаете: Мария Ивановна Петрова"),
        (own, "На время вашего отсутствия это получает и Иван Сергеевич Орлов"),
    ] {
        let mut digest = digest();
        digest.items = vec![item];
        let raw = render(&digest, &from()).expect("rendered").formatted();
        let message = MessageParser::default().parse(&raw[..]).expect("MIME");
        for body in [message.body_text(0), message.body_html(0)] {
            let body = body.expect("a body");
            assert!(body.contains(said), "{body}");
        }
    }
}
