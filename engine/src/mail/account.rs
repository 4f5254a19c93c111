//! The letters of accounts: an invitation to set one's password, and a link to reset it.
//!
//! Both carry one link to the web interface's «Пароль» page with the link's token in the
//! fragment (`/set-password#…`): a fragment never reaches a server, so the token stays out
//! of access logs and `Referer` headers. The letter says whom it is for, until when the link
//! works, in the person's time zone, and what to do when they did not ask for it. A password
//! never travels in a letter.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

use super::render::escape_html;
use crate::Error;
use crate::error::Field;

/// What a link lets a person do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new account: the person sets their first password.
    Invitation,
    /// «Забыли пароль?»: the person sets a new one.
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<LinkPurpose> {
        match s {
            "invitation" => Some(LinkPurpose::Invitation),
            "reset" => Some(LinkPurpose::Reset),
            _ => None,
        }
    }
}

/// Everything one account letter is made of.
#[derive(Debug, Clone)]
pub struct LinkLetter {
    pub to_email: String,
    pub to_name: String,
    pub purpose: LinkPurpose,
    /// The page the link opens, with its token.
    pub link: String,
    pub expires_at: DateTime<Utc>,
    /// The person's time zone (their district's), for the expiry.
    pub time_zone: Tz,
    /// Who invited them («Петрова Анна Сергеевна»), for an invitation.
    pub invited_by: Option<String>,
    /// What the account is («руководитель, МБОУ «СОШ № 5»»).
    pub account: String,
}

/// The page links open: `{base_url}/set-password#{token}`.
pub fn link_url(base_url: &str, token: &str) -> String {
    format!("{}/set-password#{token}", base_url.trim_end_matches('/'))
}

/// Builds the letter from `from` to its recipient: plain text and HTML saying the same.
pub fn render_link(letter: &LinkLetter, from: &Mailbox) -> Result<Message, Error> {
    let address = letter.to_email.trim().parse().map_err(|_| {
        Error::validation(
            Field::Email,
            format!("Неверный адрес электронной почты получателя: «{}».", letter.to_email),
        )
    })?;
    let name = letter.to_name.trim();
    let to = Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address);
    let until = letter.expires_at.with_timezone(&letter.time_zone);
    let zone = if letter.time_zone == chrono_tz::Europe::Moscow {
        "по московскому времени".to_owned()
    } else {
        "по местному времени".to_owned()
    };
    let until = format!("{} {zone}", until.format("%d.%m.%Y %H:%M"));
    let (subject, opening, action, unasked) = match letter.purpose {
        LinkPurpose::Invitation => (
            "Приглашение в проектный офис".to_owned(),
            match &letter.invited_by {
                Some(who) => format!(
                    "{who} приглашает вас в проектный офис района. Для вас создана учётная запись: {}.",
                    letter.account
                ),
                None => format!(
                    "Вас приглашают в проектный офис района. Для вас создана учётная запись: {}.",
                    letter.account
                ),
            },
            "Придумать пароль",
            "Если вы не ждали этого письма, просто не открывайте ссылку: без пароля войти в учётную запись нельзя.",
        ),
        LinkPurpose::Reset => (
            "Восстановление пароля в проектном офисе".to_owned(),
            format!(
                "Кто-то — скорее всего, вы — попросил восстановить пароль учётной записи {} ({}).",
                letter.to_email, letter.account
            ),
            "Задать новый пароль",
            "Если вы не просили восстановить пароль, ничего делать не нужно: старый пароль продолжает действовать.",
        ),
    };
    let greeting = if name.is_empty() {
        "Здравствуйте!".to_owned()
    } else {
        format!("Здравствуйте, {name}!")
    };
    let validity = format!("Ссылка действует до {until} и только один раз.");
    let text = format!(
        "{greeting}\n\n{opening}\n\n{action}: {link}\n\n{validity} Пароль вы придумаете сами; в письмах он не пересылается.\n\n{unasked}\n\n— Проектный офис\n",
        link = letter.link
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family: Arial, sans-serif; color: #1f2933; line-height: 1.5\">\
         <p>{greeting}</p><p>{opening}</p>\
         <p><a href=\"{link}\" style=\"display: inline-block; padding: 10px 18px; background: #1d4ed8; color: #ffffff; text-decoration: none; border-radius: 6px\">{action}</a></p>\
         <p>{validity} Пароль вы придумаете сами; в письмах он не пересылается.</p>\
         <p style=\"color: #52606d\">Если кнопка не открывается, скопируйте адрес в браузер: {link_text}</p>\
         <p style=\"color: #52606d\">{unasked}</p><p>— Проектный офис</p></body></html>",
        title = escape_html(&subject),
        greeting = escape_html(&greeting),
        opening = escape_html(&opening),
        link = escape_html(&letter.link),
        link_text = escape_html(&letter.link),
        action = action,
        validity = escape_html(&validity),
        unasked = escape_html(unasked),
    );
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .date_now()
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| Error::Internal(format!("account letter not built: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_says_who_invites_until_when_and_carries_no_password() {
        let letter = LinkLetter {
            to_email: "director@school5.ru".into(),
            to_name: "Иванова Мария Петровна".into(),
            purpose: LinkPurpose::Invitation,
            link: link_url("https://po.example.ru/", "po_link_abc"),
            expires_at: "2026-12-05T09:30:00Z".parse().unwrap(),
            time_zone: chrono_tz::Asia::Yekaterinburg,
            invited_by: Some("Петрова Анна Сергеевна".into()),
            account: "руководитель, МБОУ «СОШ № 5»".into(),
        };
        let from: Mailbox = "Проектный офис <noreply@po.example.ru>".parse().unwrap();
        let raw = render_link(&letter, &from).unwrap().formatted();
        let parsed = mail_parser::MessageParser::default().parse(&raw[..]).unwrap();
        assert_eq!(parsed.subject(), Some("Приглашение в проектный офис"));
        let text = parsed.body_text(0).unwrap();
        assert!(text.contains("Здравствуйте, Иванова Мария Петровна!"), "{text}");
        assert!(text.contains("Петрова Анна Сергеевна приглашает"), "{text}");
        assert!(
            text.contains("https://po.example.ru/set-password#po_link_abc"),
            "{text}"
        );
        assert!(text.contains("до 05.12.2026 14:30 по местному времени"), "{text}");
        let html = parsed.body_html(0).unwrap();
        assert!(html.contains("МБОУ «СОШ № 5»"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }
}
