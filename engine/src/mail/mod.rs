//! Reminder emails: the digest a person receives, the calendar events attached to it, and the
//! transports that carry it.
//!
//! - [`render`] turns one recipient's [`ReminderItem`](crate::reminders::item::ReminderItem)s
//!   into ONE Russian email: `multipart/alternative` (plain text and HTML, both UTF-8) inside a
//!   `multipart/mixed` that also carries one `.ics` per upcoming deadline. A digest per
//!   recipient, not an email per item: people read one letter a morning, not ten.
//! - [`ics`] writes those calendar files by hand (RFC 5545 is small for one all-day event); the
//!   `icalendar` crate parses them back in the tests. The UID is stable per deadline — not per
//!   reminder threshold — so the 7-, 3- and 1-day reminders update one event in the reader's
//!   calendar instead of adding three.
//! - [`transport`] is lettre's pooled async SMTP transport for `smtp://` / `smtps://` URLs, or
//!   a folder of `.eml` files when nothing is configured, behind one [`Mailer`].
//!
//! Russian plural forms (1 день, 2 дня, 5 дней; 11–14 дней; 21 день) live here: the subject,
//! the body and the tests all use them.

pub mod account;
pub mod ics;
pub mod render;
pub mod transport;

#[cfg(test)]
mod tests;

pub use render::{Digest, render};
pub use transport::Mailer;

/// Which of the three Russian plural forms a number takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralForm {
    /// 1, 21, 101 … (but not 11): «день».
    One,
    /// 2–4, 22–24 … (but not 12–14): «дня».
    Few,
    /// 0, 5–20, 25–30 … and 11–14 of every hundred: «дней».
    Many,
}

/// The plural form of `n` (its sign does not matter).
pub fn plural_form(n: i64) -> PluralForm {
    let n = n.unsigned_abs();
    match (n % 10, n % 100) {
        (_, 11..=14) => PluralForm::Many,
        (1, _) => PluralForm::One,
        (2..=4, _) => PluralForm::Few,
        _ => PluralForm::Many,
    }
}

/// Picks the word for `n`: `plural(2, "день", "дня", "дней")` is «дня».
pub fn plural<'a>(n: i64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match plural_form(n) {
        PluralForm::One => one,
        PluralForm::Few => few,
        PluralForm::Many => many,
    }
}

/// «1 день», «3 дня», «11 дней».
pub fn days(n: i64) -> String {
    format!("{n} {}", plural(n, "день", "дня", "дней"))
}

/// How much time is left before a due date: «остался 1 день», «осталось 3 дня», «срок сегодня».
pub fn days_left(n: i64) -> String {
    match n {
        i64::MIN..=-1 => days_overdue(-n),
        0 => "срок сегодня".to_owned(),
        _ => format!("{} {}", plural(n, "остался", "осталось", "осталось"), days(n)),
    }
}

/// How late something is: «просрочено на 1 день», «просрочено на 5 дней».
pub fn days_overdue(n: i64) -> String {
    match n {
        i64::MIN..=0 => "срок сегодня".to_owned(),
        _ => format!("просрочено на {}", days(n)),
    }
}

/// The link to a project in the web interface: `{base_url}/projects/{id}`, whether or not the
/// configured base URL ends with a slash.
pub fn project_url(base_url: &str, project_id: i64) -> String {
    format!("{}/projects/{project_id}", base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod plural_tests {
    use super::*;

    #[test]
    fn plural_forms_follow_russian_rules() {
        let one = [1, 21, 31, 101, 121, 1001];
        let few = [2, 3, 4, 22, 23, 24, 102, 134];
        let many = [0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 100, 111, 112, 114, 1000];
        for n in one {
            assert_eq!(plural_form(n), PluralForm::One, "{n}");
        }
        for n in few {
            assert_eq!(plural_form(n), PluralForm::Few, "{n}");
        }
        for n in many {
            assert_eq!(plural_form(n), PluralForm::Many, "{n}");
        }
        assert_eq!(plural_form(-21), PluralForm::One);
    }

    #[test]
    fn day_phrases() {
        assert_eq!(days(1), "1 день");
        assert_eq!(days(3), "3 дня");
        assert_eq!(days(7), "7 дней");
        assert_eq!(days(11), "11 дней");
        assert_eq!(days(21), "21 день");
        assert_eq!(days_left(1), "остался 1 день");
        assert_eq!(days_left(21), "остался 21 день");
        assert_eq!(days_left(3), "осталось 3 дня");
        assert_eq!(days_left(7), "осталось 7 дней");
        assert_eq!(days_left(0), "срок сегодня");
        assert_eq!(days_left(-2), "просрочено на 2 дня");
        assert_eq!(days_overdue(1), "просрочено на 1 день");
        assert_eq!(days_overdue(5), "просрочено на 5 дней");
        assert_eq!(days_overdue(12), "просрочено на 12 дней");
        assert_eq!(days_overdue(22), "просрочено на 22 дня");
    }

    #[test]
    fn project_links() {
        assert_eq!(
            project_url("https://po.example.ru/", 7),
            "https://po.example.ru/projects/7"
        );
        assert_eq!(
            project_url("https://po.example.ru", 7),
            "https://po.example.ru/projects/7"
        );
    }
}
