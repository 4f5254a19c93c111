//! Where the emails go: a real SMTP server, or a folder of `.eml` files.
//!
//! - `smtp://user:pass@host:port` — lettre's URL rules: plain SMTP (port 25 by default), or
//!   STARTTLS with `?tls=required` (refuse to go on without it) or `?tls=opportunistic`
//!   (port 587 by default for both); `smtps://…` is TLS from the first byte (port 465). The
//!   user and password are percent-decoded; a path (`smtp://host/name`) sets the EHLO name.
//!   Certificates are checked against the system's trust store (`rustls-native-certs`), so a
//!   server signed by an organization's own CA works once that CA is installed on the machine.
//!   Connections are reused through lettre's pool.
//! - no URL (or an empty one) — lettre's file transport writes each message as
//!   `<uuid>.eml` into the mail folder (created if missing), so a fresh install shows its
//!   reminders without a mail server.
//!
//! Errors come back as one Russian sentence with lettre's detail, for the outbox's
//! `last_error` column and the admin's screen. The password never appears in them nor in
//! `Debug`: both show the URL with the password replaced by `***`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Error;

/// How long one SMTP command may take before the attempt fails (and is retried later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends reminder emails; cheap to clone (clones share the SMTP connection pool).
#[derive(Clone)]
pub struct Mailer {
    inner: Inner,
    /// Where the mail goes, without secrets: for `Debug`, logs and error messages.
    target: String,
    /// The decoded password, only to scrub it from error messages.
    secret: Option<String>,
}

#[derive(Clone)]
enum Inner {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl Mailer {
    /// An SMTP mailer for `smtp_url`, or with `None` (or an empty URL) a folder of `.eml`
    /// files in `mail_dir`.
    pub fn from_url(smtp_url: Option<&str>, mail_dir: &Path) -> Result<Mailer, Error> {
        match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => Self::smtp(url),
            None => Self::files(mail_dir),
        }
    }

    fn smtp(url: &str) -> Result<Mailer, Error> {
        let (target, secret) = redact(url);
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("smtp" | "smtps")) {
            return Err(Error::validation(
                crate::error::Field::Setting("SMTP_URL"),
                format!(
                    "Адрес почтового сервера SMTP_URL ({target}) должен начинаться с smtp:// \
                     или smtps://, например smtp://user:pass@mail.example.ru:587?tls=required."
                ),
            ));
        }
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| {
            Error::validation(
                crate::error::Field::Setting("SMTP_URL"),
                scrub(
                    format!("Неверный адрес почтового сервера SMTP_URL ({target}): {e}."),
                    secret.as_deref(),
                ),
            )
        })?;
        let transport = builder
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(PoolConfig::new())
            .build();
        Ok(Mailer {
            inner: Inner::Smtp(transport),
            target,
            secret,
        })
    }

    fn files(dir: &Path) -> Result<Mailer, Error> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Internal(format!("не удалось создать папку для писем {}: {e}", dir.display())))?;
        Ok(Mailer {
            inner: Inner::Files {
                transport: AsyncFileTransport::new(dir),
                dir: dir.to_path_buf(),
            },
            target: format!("папка {}", dir.display()),
            secret: None,
        })
    }

    /// Where the mail goes, without the password: `smtp://user:***@host:587?tls=required` or
    /// `папка ./data/mail`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The folder of `.eml` files, for the file transport.
    pub fn mail_dir(&self) -> Option<&Path> {
        match &self.inner {
            Inner::Files { dir, .. } => Some(dir),
            Inner::Smtp(_) => None,
        }
    }

    /// Sends one message. The error is a sentence a person can act on, without the password.
    pub async fn send(&self, message: Message) -> Result<(), String> {
        let result = match &self.inner {
            Inner::Smtp(transport) => transport.send(message).await.map(drop).map_err(|e| {
                let what = if e.is_permanent() {
                    "SMTP-сервер отклонил письмо"
                } else if e.is_transient() {
                    "SMTP-сервер временно не принял письмо"
                } else if e.is_timeout() {
                    "SMTP-сервер не ответил вовремя"
                } else if e.is_tls() {
                    "не удалось установить защищённое соединение с SMTP-сервером"
                } else {
                    "не удалось отправить письмо через SMTP-сервер"
                };
                format!("{what} ({}): {e}", self.target)
            }),
            Inner::Files { transport, .. } => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| format!("не удалось записать письмо в {}: {e}", self.target)),
        };
        result.map_err(|e| scrub(e, self.secret.as_deref()))
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.inner {
            Inner::Smtp(_) => "smtp",
            Inner::Files { .. } => "files",
        };
        f.debug_struct("Mailer")
            .field("kind", &kind)
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// The URL with its password replaced by `***`, and the password (percent-decoded, as lettre
/// uses it) for scrubbing.
fn redact(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    match userinfo.split_once(':') {
        Some((user, password)) => (
            format!("{scheme}://{user}:***@{host}{tail}"),
            Some(percent_decode(password)).filter(|p| !p.is_empty()),
        ),
        None => (url.to_owned(), None),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes the password from a message, should any layer below have echoed it.
fn scrub(message: String, secret: Option<&str>) -> String {
    match secret {
        Some(secret) if !secret.is_empty() && message.contains(secret) => message.replace(secret, "***"),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        let (target, secret) = redact("smtp://robot:p%40ss%3Aw0rd@mail.example.ru:587?tls=required");
        assert_eq!(target, "smtp://robot:***@mail.example.ru:587?tls=required");
        assert_eq!(secret.as_deref(), Some("p@ss:w0rd"));
        let (target, secret) = redact("smtps://mail.example.ru");
        assert_eq!(target, "smtps://mail.example.ru");
        assert_eq!(secret, None);
        assert_eq!(
            scrub("auth failed for p@ss:w0rd".into(), Some("p@ss:w0rd")),
            "auth failed for ***"
        );
    }

    #[test]
    fn rejects_bad_urls_without_the_password() {
        for url in [
            "http://u:topsecret@host",
            "smtp://u:topsecret@/nohost",
            "smtp://u:topsecret@host?tls=maybe",
        ] {
            let err = Mailer::from_url(Some(url), Path::new(".")).expect_err(url);
            let text = err.to_string();
            assert!(text.contains("SMTP_URL"), "{text}");
            assert!(!text.contains("topsecret"), "{text}");
        }
    }

    #[tokio::test]
    async fn debug_hides_the_password() {
        let mailer =
            Mailer::from_url(Some("smtps://robot:topsecret@mail.example.ru"), Path::new(".")).expect("valid URL");
        let shown = format!("{mailer:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("smtps://robot:***@mail.example.ru"), "{shown}");
        assert_eq!(mailer.mail_dir(), None);
    }
}
