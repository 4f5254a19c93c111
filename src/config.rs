//! Configuration: defaults in code, then an optional TOML file, then environment variables.
//!
//! | setting | file key | environment | default |
//! | --- | --- | --- | --- |
//! | database | `database_url` | `DATABASE_URL` | `sqlite://<data_dir>/project-office.db` |
//! | data folder | `data_dir` | `PO_DATA_DIR` | `./data` |
//! | extra workflow definitions | `workflows_dir` | `PO_WORKFLOWS_DIR` | none |
//! | HTTP address of `serve` | `listen` | `PO_LISTEN` | `127.0.0.1:8080` |
//! | how long a sign-in lasts, hours | `session_ttl_hours` | `PO_SESSION_TTL_HOURS` | 336 (14 days) |
//! | how long an invitation or password-reset link works, hours | `link_ttl_hours` | `PO_LINK_TTL_HOURS` | 24 |
//! | achievement from which an indicator is green, % | `health_green_from` | `PO_HEALTH_GREEN_FROM` | 80 |
//! | achievement from which it is amber (below: red), % | `health_amber_from` | `PO_HEALTH_AMBER_FROM` | 50 |
//! | a stage due within this many days is amber | `health_warning_days` | `PO_HEALTH_WARNING_DAYS` | 7 |
//! | mail server (`smtp://user:pass@host:587`, `smtps://…`) | `smtp_url` | `SMTP_URL` | none: `.eml` files in `<data_dir>/mail` |
//! | sender of reminders | `mail_from` | `PO_MAIL_FROM` | `Проектный офис <noreply@project-office.local>` |
//! | address in links of emails | `base_url` | `PO_BASE_URL` | `http://<listen>` |
//! | when reminders run (cron crate syntax) | `remind_cron` | `PO_REMIND_CRON` | `0 0 9 * * Mon-Fri` |
//! | the time zone of that schedule | `remind_time_zone` | `PO_REMIND_TZ` | `Europe/Moscow` |
//! | attempts before an email is marked failed | `mail_max_attempts` | `PO_MAIL_MAX_ATTEMPTS` | 8 |
//! | GraphQL operations and exports run at once | `max_concurrent_requests` | `PO_MAX_CONCURRENT_REQUESTS` | 16 |
//! | whether callers who have not signed in may read the schema | `anonymous_introspection` | `PO_ANONYMOUS_INTROSPECTION` (`true`/`false`) | `true` |
//! | origins other sites may call the API from (CORS), comma-separated | `cors_origins` | `PO_CORS_ORIGINS` | none |
//! | bearer token of `/metrics` (without it, loopback callers only) | `metrics_token` | `PO_METRICS_TOKEN` | none |
//!
//! `Strict-Transport-Security` is sent when `base_url` starts with `https://`.
//!
//! The file is `--config FILE` (or `PO_CONFIG`), else `./project-office.toml` when it exists.
//! The database URL may hold a password, so it is kept as a secret that never prints.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    workflows_dir: Option<PathBuf>,
    listen: Option<String>,
    session_ttl_hours: Option<u32>,
    link_ttl_hours: Option<u32>,
    health_green_from: Option<f64>,
    health_amber_from: Option<f64>,
    health_warning_days: Option<i64>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    base_url: Option<String>,
    remind_cron: Option<String>,
    remind_time_zone: Option<String>,
    mail_max_attempts: Option<i32>,
    max_concurrent_requests: Option<usize>,
    anonymous_introspection: Option<bool>,
    cors_origins: Option<Vec<String>>,
    metrics_token: Option<String>,
}

/// The resolved configuration.
#[derive(Debug)]
pub struct Config {
    pub database_url: SecretString,
    pub data_dir: PathBuf,
    pub workflows_dir: Option<PathBuf>,
    pub listen: String,
    pub session_ttl: chrono::Duration,
    /// How long invitation and password-reset links work.
    pub link_ttl: chrono::Duration,
    pub thresholds: engine::health::Thresholds,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub base_url: String,
    pub remind_cron: String,
    pub remind_time_zone: String,
    pub mail_max_attempts: i32,
    /// GraphQL operations and exports executed at once; the rest wait (README, "Performance").
    pub max_concurrent_requests: usize,
    pub anonymous_introspection: bool,
    pub cors_origins: Vec<String>,
    pub metrics_token: Option<SecretString>,
}

impl Config {
    /// Loads the configuration; `explicit` is the `--config` path, which must exist.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
        Self::load_from(explicit, |name| {
            std::env::var(name).ok().filter(|v| !v.trim().is_empty())
        })
    }

    fn load_from(explicit: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let file = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => env("PO_CONFIG").map(PathBuf::from).or_else(|| {
                let default = PathBuf::from("project-office.toml");
                default.exists().then_some(default)
            }),
        };
        let from_file = match &file {
            None => FileConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("the configuration file {} is invalid", path.display()))?
            }
        };
        let data_dir = env("PO_DATA_DIR")
            .map(PathBuf::from)
            .or(from_file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = env("DATABASE_URL")
            .or(from_file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("project-office.db").display()));
        let workflows_dir = env("PO_WORKFLOWS_DIR").map(PathBuf::from).or(from_file.workflows_dir);
        if let Some(dir) = &workflows_dir
            && !dir.is_dir()
        {
            bail!("PO_WORKFLOWS_DIR / workflows_dir {} is not a directory", dir.display());
        }
        let listen = env("PO_LISTEN")
            .or(from_file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let session_ttl_hours = match env("PO_SESSION_TTL_HOURS") {
            Some(v) => v
                .trim()
                .parse()
                .with_context(|| format!("PO_SESSION_TTL_HOURS «{v}» is not a whole number of hours"))?,
            None => from_file.session_ttl_hours.unwrap_or(14 * 24),
        };
        if session_ttl_hours == 0 {
            bail!("session_ttl_hours must be at least 1");
        }
        fn number<T: std::str::FromStr>(
            env: &impl Fn(&str) -> Option<String>,
            name: &str,
            file: Option<T>,
            default: T,
        ) -> anyhow::Result<T> {
            match env(name) {
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("{name} «{v}» is not a number")),
                None => Ok(file.unwrap_or(default)),
            }
        }
        let link_ttl_hours: u32 = number(
            &env,
            "PO_LINK_TTL_HOURS",
            from_file.link_ttl_hours,
            engine::service::DEFAULT_LINK_TTL_HOURS as u32,
        )?;
        if link_ttl_hours == 0 {
            bail!("link_ttl_hours must be at least 1");
        }
        let defaults = engine::health::Thresholds::default();
        let thresholds = engine::health::Thresholds {
            green_from: number(
                &env,
                "PO_HEALTH_GREEN_FROM",
                from_file.health_green_from,
                defaults.green_from,
            )?,
            amber_from: number(
                &env,
                "PO_HEALTH_AMBER_FROM",
                from_file.health_amber_from,
                defaults.amber_from,
            )?,
            warning_days: number(
                &env,
                "PO_HEALTH_WARNING_DAYS",
                from_file.health_warning_days,
                defaults.warning_days,
            )?,
        };
        thresholds.validate().map_err(|e| anyhow::anyhow!(e))?;
        let mail_max_attempts = number(&env, "PO_MAIL_MAX_ATTEMPTS", from_file.mail_max_attempts, 8)?;
        if mail_max_attempts < 1 {
            bail!("mail_max_attempts must be at least 1");
        }
        let max_concurrent_requests = number(
            &env,
            "PO_MAX_CONCURRENT_REQUESTS",
            from_file.max_concurrent_requests,
            graphql::ServerConfig::default().max_concurrent_requests,
        )?;
        if max_concurrent_requests < 1 {
            bail!("max_concurrent_requests (PO_MAX_CONCURRENT_REQUESTS) must be at least 1");
        }
        let anonymous_introspection = match env("PO_ANONYMOUS_INTROSPECTION") {
            Some(v) => match v.trim() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                other => bail!("PO_ANONYMOUS_INTROSPECTION «{other}» is neither true nor false"),
            },
            None => from_file.anonymous_introspection.unwrap_or(true),
        };
        let cors_origins = match env("PO_CORS_ORIGINS") {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            None => from_file.cors_origins.unwrap_or_default(),
        };
        for origin in &cors_origins {
            let valid = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .is_some_and(|host| !host.is_empty() && !host.contains(['/', ' ', '?', '#']));
            if !valid {
                bail!(
                    "PO_CORS_ORIGINS / cors_origins: «{origin}» is not an origin (write it as https://host or https://host:port, without a path)"
                );
            }
        }
        let metrics_token = env("PO_METRICS_TOKEN")
            .or(from_file.metrics_token)
            .filter(|t| !t.is_empty());
        Ok(Config {
            anonymous_introspection,
            cors_origins,
            metrics_token: metrics_token.map(SecretString::from),
            smtp_url: env("SMTP_URL").or(from_file.smtp_url).map(SecretString::from),
            mail_from: env("PO_MAIL_FROM")
                .or(from_file.mail_from)
                .unwrap_or_else(|| "Проектный офис <noreply@project-office.local>".into()),
            base_url: env("PO_BASE_URL")
                .or(from_file.base_url)
                .unwrap_or_else(|| format!("http://{listen}")),
            remind_cron: env("PO_REMIND_CRON")
                .or(from_file.remind_cron)
                .unwrap_or_else(|| engine::reminders::scheduler::DEFAULT_CRON.into()),
            remind_time_zone: env("PO_REMIND_TZ")
                .or(from_file.remind_time_zone)
                .unwrap_or_else(|| "Europe/Moscow".into()),
            mail_max_attempts,
            max_concurrent_requests,
            thresholds,
            database_url: SecretString::from(database_url),
            data_dir,
            workflows_dir,
            listen,
            session_ttl: chrono::Duration::hours(i64::from(session_ttl_hours)),
            link_ttl: chrono::Duration::hours(i64::from(link_ttl_hours)),
        })
    }

    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }

    /// The mail transport, the delivery settings and the schedule of reminders; a wrong
    /// value stops start-up with a message that says what is wrong.
    pub fn reminders(&self) -> anyhow::Result<crate::Reminders> {
        let schedule = engine::reminders::scheduler::ReminderSchedule::parse(&self.remind_cron, &self.remind_time_zone)
            .map_err(|e| anyhow::anyhow!("PO_REMIND_CRON / PO_REMIND_TZ: {e}"))?;
        let from = self.mail_from.parse().map_err(|e| {
            anyhow::anyhow!(
                "PO_MAIL_FROM «{}» is not a mailbox (write it as Name <address@host>): {e}",
                self.mail_from
            )
        })?;
        let mailer = engine::mail::transport::Mailer::from_url(
            self.smtp_url.as_ref().map(|u| u.expose_secret()),
            &self.data_dir.join("mail"),
        )
        .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?;
        let settings = engine::reminders::DeliverySettings {
            base_url: self.base_url.trim_end_matches('/').to_string(),
            from,
            max_attempts: self.mail_max_attempts,
            lease: chrono::Duration::minutes(10),
            batch: 500,
        };
        Ok(crate::Reminders {
            schedule,
            mailer,
            settings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_nothing_configured_the_database_is_a_sqlite_file_under_data() {
        let config = Config::load_from(None, |_| None).unwrap();
        assert_eq!(config.database_url(), "sqlite://data/project-office.db?mode=rwc");
        assert_eq!(config.workflows_dir, None);
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("po-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("po.toml");
        std::fs::write(
            &file,
            "database_url = \"sqlite://from-file.db\"\ndata_dir = \"/var/lib/po\"\n",
        )
        .unwrap();
        let config = Config::load_from(Some(&file), |_| None).unwrap();
        assert_eq!(
            (config.database_url(), config.data_dir.as_path()),
            ("sqlite://from-file.db", Path::new("/var/lib/po"))
        );
        let config = Config::load_from(Some(&file), |k| {
            (k == "DATABASE_URL").then(|| "postgres://x@y/z".to_string())
        })
        .unwrap();
        assert_eq!(config.database_url(), "postgres://x@y/z");
        std::fs::write(&file, "databse_url = \"typo\"\n").unwrap();
        assert!(format!("{:#}", Config::load_from(Some(&file), |_| None).unwrap_err()).contains("unknown field"));
    }

    #[test]
    fn health_thresholds_are_configurable_and_checked() {
        let sverdlovsk = |k: &str| match k {
            "PO_HEALTH_GREEN_FROM" => Some("95".to_string()),
            "PO_HEALTH_AMBER_FROM" => Some("85".to_string()),
            _ => None,
        };
        let config = Config::load_from(None, sverdlovsk).unwrap();
        assert_eq!(
            (
                config.thresholds.green_from,
                config.thresholds.amber_from,
                config.thresholds.warning_days
            ),
            (95.0, 85.0, 7)
        );
        let upside_down = |k: &str| (k == "PO_HEALTH_AMBER_FROM").then(|| "90".to_string());
        assert!(format!("{:#}", Config::load_from(None, upside_down).unwrap_err()).contains("amber"));
    }

    #[test]
    fn the_http_manners_are_configurable_and_checked() {
        let defaults = Config::load_from(None, |_| None).unwrap();
        assert!(defaults.anonymous_introspection);
        assert!(defaults.cors_origins.is_empty());
        assert!(defaults.metrics_token.is_none());
        let set = |k: &str| match k {
            "PO_ANONYMOUS_INTROSPECTION" => Some("false".to_string()),
            "PO_CORS_ORIGINS" => Some("https://portal.example, http://127.0.0.1:3000".to_string()),
            "PO_METRICS_TOKEN" => Some("s3cret".to_string()),
            _ => None,
        };
        let config = Config::load_from(None, set).unwrap();
        assert!(!config.anonymous_introspection);
        assert_eq!(config.cors_origins, ["https://portal.example", "http://127.0.0.1:3000"]);
        assert_eq!(
            config
                .metrics_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .as_deref(),
            Some("s3cret")
        );
        let path = |k: &str| (k == "PO_CORS_ORIGINS").then(|| "https://portal.example/app".to_string());
        let err = Config::load_from(None, path).unwrap_err().to_string();
        assert!(err.contains("is not an origin"), "{err}");
        let maybe = |k: &str| (k == "PO_ANONYMOUS_INTROSPECTION").then(|| "maybe".to_string());
        assert!(Config::load_from(None, maybe).is_err());
    }

    #[test]
    fn the_concurrency_limit_is_configurable_and_at_least_one() {
        assert_eq!(Config::load_from(None, |_| None).unwrap().max_concurrent_requests, 16);
        let four = |k: &str| (k == "PO_MAX_CONCURRENT_REQUESTS").then(|| "4".to_string());
        assert_eq!(Config::load_from(None, four).unwrap().max_concurrent_requests, 4);
        let zero = |k: &str| (k == "PO_MAX_CONCURRENT_REQUESTS").then(|| "0".to_string());
        let err = Config::load_from(None, zero).unwrap_err().to_string();
        assert!(err.contains("PO_MAX_CONCURRENT_REQUESTS"), "{err}");
    }

    #[test]
    fn the_database_url_never_prints() {
        let config = Config::load_from(None, |k| {
            (k == "DATABASE_URL").then(|| "postgres://po:secret@db/po".to_string())
        })
        .unwrap();
        assert!(!format!("{config:?}").contains("secret"));
    }
}
