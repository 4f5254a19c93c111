//! One deadline as an iCalendar file (RFC 5545) for the reader's calendar.
//!
//! Written by hand rather than through a builder crate: one all-day `VEVENT` is a dozen lines,
//! and the rules that matter are few and tested here —
//!
//! - **UID stable per deadline**: `project-<id>-stage-<key>@<domain>` (an indicator report:
//!   `project-<id>-report-<indicator>-<period>@<domain>`). It leaves out the reminder
//!   threshold and the date, so the 7-, 3- and 1-day reminders, and a later reschedule, update
//!   one event instead of piling up copies.
//! - **SEQUENCE** grows with `DTSTAMP` (minutes since 2024-01-01 UTC), so clients that insist on
//!   a higher sequence (Outlook) accept a moved date as the newer revision.
//! - **All-day**: `DTSTART;VALUE=DATE` and the exclusive `DTEND` the next day, `TRANSP:TRANSPARENT`
//!   (a deadline does not make the reader busy).
//! - **Text** values escape `\`, `;`, `,` and newlines; the `URL` (a URI, not text) is not escaped.
//! - **Lines** end with CRLF and are folded at 75 octets without splitting a UTF-8 character
//!   (Cyrillic letters are two octets each, so a naive character count would overflow).

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

use crate::reminders::item::ReminderItem;

/// The product identifier written into every calendar.
pub const PRODID: &str = "-//Project Office//Reminders 1.0//RU";

/// The calendar for one deadline, stamped now. `project_url` is the link to the project
/// (see [`super::project_url`]).
pub fn event(item: &ReminderItem, uid_domain: &str, project_url: &str) -> String {
    event_at(item, uid_domain, project_url, Utc::now())
}

/// The UID of the deadline an item is about: the same for every reminder of that deadline.
pub fn uid(item: &ReminderItem, uid_domain: &str) -> String {
    let subject = match (&item.stage_key, &item.indicator_key) {
        (Some(stage), _) => match &item.task_key {
            Some(task) => format!("stage-{stage}-task-{task}"),
            None => format!("stage-{stage}"),
        },
        (None, Some(indicator)) => format!("report-{indicator}-{}", item.period.as_deref().unwrap_or("")),
        (None, None) => format!("due-{}", item.due.format("%Y%m%d")),
    };
    let local: String = format!("project-{}-{subject}", item.project_id)
        .chars()
        .map(|c| if c.is_whitespace() || c == '@' { '_' } else { c })
        .collect();
    format!("{local}@{uid_domain}")
}

/// [`event`] with an explicit `DTSTAMP` (tests, reproducible output).
pub fn event_at(item: &ReminderItem, uid_domain: &str, project_url: &str, stamp: DateTime<Utc>) -> String {
    let what = item
        .task_title
        .as_deref()
        .or(item.stage_title.as_deref())
        .or(item.indicator_title.as_deref())
        .or(item.stage_key.as_deref())
        .unwrap_or("срок");
    let summary = format!("Срок: {what} — {}", item.project_title);
    let mut description = format!("Проект: {}\nРайон: {}\n", item.project_title, item.district_name);
    if let Some(stage) = item.stage_title.as_deref().or(item.stage_key.as_deref()) {
        description.push_str(&format!("Этап: {stage}\n"));
    }
    if let Some(task) = &item.task_title {
        description.push_str(&format!("Задача: {task}\n"));
    }
    if let Some(indicator) = &item.indicator_title {
        description.push_str(&format!("Показатель: {indicator}\n"));
    }
    description.push_str(&format!(
        "Срок: {}\nПроект в системе: {project_url}",
        item.due.format("%d.%m.%Y")
    ));
    let end = item.due.checked_add_days(Days::new(1)).unwrap_or(item.due);

    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        format!("PRODID:{PRODID}"),
        "VERSION:2.0".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape_text(&uid(item, uid_domain))),
        format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")),
        format!("SEQUENCE:{}", sequence(stamp)),
        format!("DTSTART;VALUE=DATE:{}", ics_date(item.due)),
        format!("DTEND;VALUE=DATE:{}", ics_date(end)),
        format!("SUMMARY:{}", escape_text(&summary)),
        format!("DESCRIPTION:{}", escape_text(&description)),
        format!("URL:{project_url}"),
        "TRANSP:TRANSPARENT".to_owned(),
        "STATUS:CONFIRMED".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    let mut out = String::new();
    for line in &lines {
        fold_into(line, &mut out);
    }
    out
}

fn ics_date(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// Minutes since 2024-01-01 UTC: grows with every new stamp, fits a 32-bit integer for
/// thousands of years.
fn sequence(stamp: DateTime<Utc>) -> i64 {
    let epoch = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    (stamp - epoch).num_minutes().max(0)
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets (RFC 5545 §3.1), with CRLF line ends. A
/// continuation line starts with one space, which counts towards its 75 octets.
fn fold_into(line: &str, out: &mut String) {
    const LIMIT: usize = 75;
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LIMIT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a\\b;c,d\r\ne «ё»"), "a\\\\b\\;c\\,d\\ne «ё»");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Ж".repeat(100));
        let mut out = String::new();
        fold_into(&line, &mut out);
        assert!(out.ends_with("\r\n"));
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 2);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} has {} octets", p.len());
            if i > 0 {
                assert!(p.starts_with(' '));
            }
        }
        let unfolded: String = physical
            .iter()
            .enumerate()
            .map(|(i, p)| if i == 0 { *p } else { &p[1..] })
            .collect();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn short_lines_stay_whole() {
        let mut out = String::new();
        fold_into("VERSION:2.0", &mut out);
        assert_eq!(out, "VERSION:2.0\r\n");
        let exact = "X".repeat(75);
        out.clear();
        fold_into(&exact, &mut out);
        assert_eq!(out, format!("{exact}\r\n"));
    }
}
