//! One recipient's reminders as one Russian email.
//!
//! Layout: `multipart/mixed` holding a `multipart/alternative` (plain text first, then HTML —
//! clients show the last one they understand) and one `text/calendar; method=PUBLISH` file
//! `srok-<n>.ics` per upcoming deadline. A digest without upcoming deadlines has nothing to
//! attach and is sent as the bare `multipart/alternative`.
//!
//! Both bodies come from one list of [`Entry`]s, so the text and the HTML always say the same.
//! Projects are sorted by title; inside a project the most urgent comes first (overdue stages,
//! missing reports, then upcoming deadlines, each by date). Every user-supplied string in the
//! HTML goes through [`escape_html`]: project and organization names are full of «», quotes
//! and ampersands.
//!
//! The subject counts what is inside with correct plural forms, most urgent first, e.g.
//! «Проектный офис: 1 просроченный этап, 2 этапа на контроле и 3 приближающихся срока».
//! Overdue stages escalated to a coordinator are counted as «этап на контроле».
//!
//! The `Message-ID` is derived from the recipient and the items' dedupe keys: if delivery is
//! retried after the server accepted a message but before the outbox recorded it, the copy
//! carries the same id and mail systems can drop the duplicate.

use crate::error::Field;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};
use sha2::{Digest as _, Sha256};

use super::{days, days_left, days_overdue, ics, plural, project_url};
use crate::Error;
use crate::reminders::item::{ReminderItem, ReminderKind};

/// Everything one email is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub to_email: String,
    pub to_name: String,
    pub items: Vec<ReminderItem>,
    /// The web interface's address, for the links to projects.
    pub base_url: String,
}

/// Marks an item a coordinator receives about someone else's stage.
pub const ESCALATED_MARK: &str = "(на контроле координатора)";

/// The content type of the attached calendars.
pub const ICS_CONTENT_TYPE: &str = "text/calendar; method=PUBLISH; charset=utf-8";

/// Builds the digest email from `from` to the digest's recipient.
pub fn render(digest: &Digest, from: &Mailbox) -> Result<Message, Error> {
    if digest.items.is_empty() {
        return Err(Error::Internal("сводка напоминаний пуста".into()));
    }
    let address: Address = digest.to_email.trim().parse().map_err(|_| {
        Error::validation(
            Field::Email,
            format!("Неверный адрес электронной почты получателя: «{}».", digest.to_email),
        )
    })?;
    let name = digest.to_name.trim();
    let to = Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address);

    let groups = group(digest);
    let summary = summary(&digest.items);
    let subject = format!("Проектный офис: {summary}");
    let text = plain_text(digest, &groups, &summary);
    let html = html(digest, &groups, &subject, &summary);

    let uid_domain = from.email.domain();
    let calendar_type =
        ContentType::parse(ICS_CONTENT_TYPE).map_err(|e| Error::Internal(format!("тип вложения: {e}")))?;
    let attachments: Vec<SinglePart> = groups
        .iter()
        .flat_map(|g| g.entries.iter().map(move |e| (g, e)))
        .filter_map(|(g, e)| {
            let name = e.attachment.clone()?;
            let body = ics::event(e.item, uid_domain, &g.url);
            Some(Attachment::new(name).body(body, calendar_type.clone()))
        })
        .collect();

    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id(digest, uid_domain)))
        .date_now();
    let alternative = MultiPart::alternative_plain_html(text, html);
    let message = if attachments.is_empty() {
        builder.multipart(alternative)
    } else {
        let mixed = attachments
            .into_iter()
            .fold(MultiPart::mixed().multipart(alternative), |m, a| m.singlepart(a));
        builder.multipart(mixed)
    };
    message.map_err(|e| Error::Internal(format!("письмо с напоминаниями не собрано: {e}")))
}

/// «1 просроченный этап, 1 несданный отчёт и 2 приближающихся срока».
pub fn summary(items: &[ReminderItem]) -> String {
    let count = |f: &dyn Fn(&ReminderItem) -> bool| items.iter().filter(|i| f(i)).count() as i64;
    let overdue = count(&|i| i.kind == ReminderKind::Overdue && !i.escalated);
    let escalated = count(&|i| i.kind == ReminderKind::Overdue && i.escalated);
    let reports = count(&|i| i.kind == ReminderKind::ReportMissing);
    let soon = count(&|i| i.kind == ReminderKind::DueSoon);
    let phrases: Vec<String> = [
        (
            overdue,
            ["просроченный этап", "просроченных этапа", "просроченных этапов"],
        ),
        (
            escalated,
            ["этап на контроле", "этапа на контроле", "этапов на контроле"],
        ),
        (reports, ["несданный отчёт", "несданных отчёта", "несданных отчётов"]),
        (
            soon,
            ["приближающийся срок", "приближающихся срока", "приближающихся сроков"],
        ),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, [one, few, many])| format!("{n} {}", plural(n, one, few, many)))
    .collect();
    match phrases.as_slice() {
        [] => "напоминаний нет".to_owned(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} и {last}", init.join(", ")),
    }
}

/// How an entry is highlighted in the HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Soon,
    Late,
}

/// One item as the reader sees it.
struct Entry<'a> {
    item: &'a ReminderItem,
    /// «Этап: …» or «Не сдан отчёт: …».
    title: String,
    escalated: bool,
    /// Detail lines; the last one carries the date and the days left or overdue.
    lines: Vec<String>,
    tone: Tone,
    /// `srok-<n>.ics` for an upcoming deadline.
    attachment: Option<String>,
}

/// One project's entries.
struct Group<'a> {
    title: &'a str,
    district: &'a str,
    url: String,
    entries: Vec<Entry<'a>>,
}

fn urgency(kind: ReminderKind) -> u8 {
    match kind {
        ReminderKind::Overdue => 0,
        ReminderKind::ReportMissing => 1,
        ReminderKind::DueSoon => 2,
    }
}

fn group(digest: &Digest) -> Vec<Group<'_>> {
    let mut items: Vec<&ReminderItem> = digest.items.iter().collect();
    items.sort_by(|a, b| {
        (&a.project_title, a.project_id, urgency(a.kind), a.due, &a.stage_title).cmp(&(
            &b.project_title,
            b.project_id,
            urgency(b.kind),
            b.due,
            &b.stage_title,
        ))
    });
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut attachments = 0;
    for item in items {
        let entry = entry(item, &mut attachments);
        match groups.last_mut() {
            Some(g) if g.entries.first().map(|e| e.item.project_id) == Some(item.project_id) => g.entries.push(entry),
            _ => groups.push(Group {
                title: &item.project_title,
                district: &item.district_name,
                url: project_url(&digest.base_url, item.project_id),
                entries: vec![entry],
            }),
        }
    }
    groups
}

fn entry<'a>(item: &'a ReminderItem, attachments: &mut usize) -> Entry<'a> {
    let mut entry = entry_of_kind(item, attachments);
    // Before the detail lines: the last of them carries the date, which the HTML highlights.
    if let Some(stand_in) = &item.substituted_by {
        entry
            .lines
            .insert(0, format!("На время вашего отсутствия это получает и {stand_in}"));
    }
    if let Some(away) = &item.substitute_for {
        entry.lines.insert(0, format!("Вы замещаете: {away}"));
    }
    entry
}

fn entry_of_kind<'a>(item: &'a ReminderItem, attachments: &mut usize) -> Entry<'a> {
    let date = if item.provisional {
        format!("{} (по предварительному календарю)", item.due.format("%d.%m.%Y"))
    } else {
        item.due.format("%d.%m.%Y").to_string()
    };
    let stage = item.stage_title.as_deref().or(item.stage_key.as_deref()).unwrap_or("—");
    let what = match &item.task_title {
        Some(task) => format!("Задача: {task} (этап «{stage}»)"),
        None => format!("Этап: {stage}"),
    };
    match item.kind {
        ReminderKind::DueSoon => {
            *attachments += 1;
            Entry {
                item,
                title: what,
                escalated: item.escalated,
                lines: vec![format!("Срок: {date} — {}", days_left(item.days))],
                tone: Tone::Soon,
                attachment: Some(format!("srok-{attachments}.ics")),
            }
        }
        ReminderKind::Overdue => Entry {
            item,
            title: what,
            escalated: item.escalated,
            lines: vec![format!("Срок: {date} — {}", days_overdue(item.days))],
            tone: Tone::Late,
            attachment: None,
        },
        ReminderKind::ReportMissing => {
            let indicator = match (&item.indicator_key, &item.indicator_title) {
                (Some(code), Some(title)) => format!("{code} — {title}"),
                (Some(one), None) | (None, Some(one)) => one.clone(),
                (None, None) => "—".to_owned(),
            };
            let late = if item.days > 0 {
                format!("отчёт задерживается на {}", days(item.days))
            } else {
                "срок сдачи сегодня".to_owned()
            };
            Entry {
                item,
                title: format!(
                    "Не сдан отчёт: {}",
                    item.organization_name.as_deref().unwrap_or("организация не указана")
                ),
                escalated: item.escalated,
                lines: vec![
                    format!("Показатель: {indicator}"),
                    format!(
                        "Период: {}",
                        item.period
                            .as_deref()
                            .map_or_else(|| "—".to_string(), crate::period::Period::title_of)
                    ),
                    format!("Срок сдачи: {date} — {late}"),
                ],
                tone: Tone::Late,
                attachment: None,
            }
        }
    }
}

fn greeting(digest: &Digest) -> String {
    match digest.to_name.trim() {
        "" => "Здравствуйте!".to_owned(),
        name => format!("Здравствуйте, {name}!"),
    }
}

const FOOTER: &str = "Письмо отправлено автоматически системой «Проектный офис», отвечать на него не нужно.";
const FOOTER_ICS: &str = "Чтобы сроки появились в вашем календаре, откройте вложенные файлы .ics.";

/// The footer; the calendar hint only when something is attached.
fn footer(groups: &[Group<'_>]) -> String {
    if groups.iter().any(|g| g.entries.iter().any(|e| e.attachment.is_some())) {
        format!("{FOOTER} {FOOTER_ICS}")
    } else {
        FOOTER.to_string()
    }
}

fn plain_text(digest: &Digest, groups: &[Group<'_>], summary: &str) -> String {
    let mut out = format!(
        "{}\n\nПроектный офис напоминает о сроках: {summary}.\n",
        greeting(digest)
    );
    for g in groups {
        out.push_str(&format!("\n■ {}\n  Район: {}\n", g.title, g.district));
        for e in &g.entries {
            let mark = if e.escalated {
                format!(" {ESCALATED_MARK}")
            } else {
                String::new()
            };
            out.push_str(&format!("\n  • {}{mark}\n", e.title));
            for line in &e.lines {
                out.push_str(&format!("    {line}\n"));
            }
            if let Some(file) = &e.attachment {
                out.push_str(&format!("    В календарь: вложение {file}\n"));
            }
        }
        out.push_str(&format!("\n  Открыть проект: {}\n", g.url));
    }
    out.push_str(&format!("\n-- \n{}\n", footer(groups)));
    out
}

fn html(digest: &Digest, groups: &[Group<'_>], subject: &str, summary: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"margin:0;padding:16px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#1f2933;\">\n\
         <div style=\"max-width:640px;margin:0 auto;background:#ffffff;border:1px solid #d9dde3;padding:20px 24px;\">\n\
         <p style=\"margin:0 0 12px;\">{}</p>\n\
         <p style=\"margin:0 0 16px;\">Проектный офис напоминает о сроках: <strong>{}</strong>.</p>\n",
        escape_html(subject),
        escape_html(&greeting(digest)),
        escape_html(summary),
    );
    for g in groups {
        out.push_str(&format!(
            "<h2 style=\"font-size:16px;margin:20px 0 2px;color:#102a43;\">{}</h2>\n\
             <p style=\"margin:0 0 8px;color:#52606d;\">{} · <a href=\"{}\" style=\"color:#1a56db;\">Открыть проект</a></p>\n\
             <ul style=\"margin:0 0 12px;padding-left:20px;\">\n",
            escape_html(g.title),
            escape_html(g.district),
            escape_html(&g.url),
        ));
        for e in &g.entries {
            let color = match e.tone {
                Tone::Soon => "#1f2933",
                Tone::Late => "#b42318",
            };
            out.push_str(&format!(
                "<li style=\"margin:0 0 10px;\"><strong>{}</strong>",
                escape_html(&e.title)
            ));
            if e.escalated {
                out.push_str(&format!(
                    " <span style=\"color:#b54708;font-weight:bold;\">{}</span>",
                    escape_html(ESCALATED_MARK)
                ));
            }
            for (i, line) in e.lines.iter().enumerate() {
                if i + 1 == e.lines.len() {
                    out.push_str(&format!(
                        "<br><span style=\"color:{color};\">{}</span>",
                        escape_html(line)
                    ));
                } else {
                    out.push_str(&format!("<br>{}", escape_html(line)));
                }
            }
            if let Some(file) = &e.attachment {
                out.push_str(&format!(
                    "<br><span style=\"color:#52606d;\">В календарь: вложение {}</span>",
                    escape_html(file)
                ));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&format!(
        "<p style=\"margin:20px 0 0;color:#7b8794;font-size:12px;\">{}</p>\n</div>\n</body></html>\n",
        escape_html(&footer(groups))
    ));
    out
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<reminders.<hash>@<domain>>`, the same for the same recipient and items.
fn message_id(digest: &Digest, domain: &str) -> String {
    let mut keys: Vec<&str> = digest.items.iter().map(|i| i.dedupe_key.as_str()).collect();
    keys.sort_unstable();
    let mut hasher = Sha256::new();
    hasher.update(digest.to_email.trim().to_lowercase().as_bytes());
    for key in keys {
        hasher.update(b"\n");
        hasher.update(key.as_bytes());
    }
    let hash: String = hasher.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("<reminders.{hash}@{domain}>")
}
