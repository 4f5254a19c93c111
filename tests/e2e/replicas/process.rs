//! A `project-office serve` child process of the replica test, with its log.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use chrono::Utc;

use super::BASE_URL;
use crate::helpers::Server;
use crate::smtp::SmtpServer;

/// A `project-office serve` child process; killed when dropped, also when the test panics.
pub struct Replica {
    name: &'static str,
    child: Child,
    pub server: Server,
    /// Where the stdout reader passes the address once the process prints it.
    address: Mutex<mpsc::Receiver<String>>,
    /// Reminder ticks (plan + enqueue + deliver) the process has logged.
    ticks: Arc<AtomicUsize>,
    /// Everything it wrote to stderr (its log).
    log: Arc<Mutex<Vec<String>>>,
    dir: PathBuf,
}

impl Replica {
    /// Starts the process; [`Replica::wait_ready`] waits until it listens.
    pub fn start(name: &'static str, database_url: &str, smtp_port: u16) -> Replica {
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("po-replica-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_project-office"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            // Its own folder: no configuration file, no mail folder, nothing shared on disk.
            .current_dir(&dir)
            .env_remove("PO_CONFIG")
            .env_remove("PO_WORKFLOWS_DIR")
            .env_remove("PO_LISTEN")
            .env_remove("LOG_FORMAT")
            .env("DATABASE_URL", database_url)
            .env("PO_DATA_DIR", &dir)
            .env("SMTP_URL", SmtpServer::url(smtp_port))
            .env("PO_MAIL_FROM", "Проектный офис <noreply@po.replicas.test>")
            .env("PO_BASE_URL", BASE_URL)
            .env("PO_REMIND_CRON", "*/2 * * * * *")
            .env("PO_REMIND_TZ", "Europe/Moscow")
            .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (address_tx, address_rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line
                    .strip_prefix("project-office listens on ")
                    .and_then(|rest| rest.split_whitespace().next())
                {
                    let _ = address_tx.send(url.to_string());
                }
            }
        });
        let ticks = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let (t, l) = (ticks.clone(), log.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("reminder tick") {
                    t.fetch_add(1, Ordering::SeqCst);
                }
                if std::env::var_os("TEST_LOG").is_some() {
                    eprintln!("[{name}] {line}");
                }
                l.lock().unwrap().push(line);
            }
        });
        Replica {
            name,
            child,
            server: Server {
                base: String::new(),
                http: reqwest::Client::new(),
            },
            address: Mutex::new(address_rx),
            ticks,
            log,
            dir,
        }
    }

    /// Waits for the address it listens on (it binds before it prints it).
    pub fn wait_ready(&mut self) {
        let address = self.address.lock().unwrap().recv_timeout(Duration::from_secs(30));
        match address {
            Ok(base) => self.server.base = base,
            Err(_) => panic!(
                "replica {} did not start: {}",
                self.name,
                self.log.lock().unwrap().join("\n")
            ),
        }
    }

    pub fn ticks(&self) -> usize {
        self.ticks.load(Ordering::SeqCst)
    }

    /// Reminder items this process delivered (from its «reminder digest sent» log lines).
    pub fn items_sent(&self) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("reminder digest sent"))
            .filter_map(|l| {
                l.split("items=")
                    .nth(1)?
                    .split_whitespace()
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .sum()
    }

    /// Errors it logged, leaving out the expected CONFLICTs of the racing transitions (the
    /// engine's spans log every error they return).
    pub fn errors(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("ERROR") && !l.contains("Проект уже изменил кто-то другой"))
            .map(|l| format!("{}: {l}", self.name))
            .collect()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
