//! A real SMTP server on loopback for the tests: `mailin-embedded` (a complete SMTP server
//! implementation), collecting what it receives.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Collect {
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl Handler for Collect {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(done) = self.current.take() {
            self.inbox.lock().unwrap().push(done);
        }
        response::OK
    }
}

/// A running SMTP server and what it received.
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    /// Starts a server on `port` (0: a free one). It runs until the test process ends.
    pub fn start(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Collect {
            inbox: inbox.clone(),
            current: None,
        });
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, inbox }
    }

    /// A port nothing listens on (yet): "the mail server is down".
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    pub fn url(port: u16) -> String {
        format!("smtp://127.0.0.1:{port}")
    }

    /// Plans and sends the reminders due at `now` through this server, as the scheduler does.
    pub async fn send_reminders(
        &self,
        engine: &engine::Engine,
        now: chrono::DateTime<chrono::Utc>,
    ) -> engine::reminders::ReminderRun {
        let mailer =
            engine::mail::transport::Mailer::from_url(Some(&Self::url(self.port)), &std::env::temp_dir()).unwrap();
        let settings = engine::reminders::DeliverySettings {
            base_url: "https://po.example.ru".into(),
            from: "Проектный офис <noreply@po.example.ru>".parse().unwrap(),
            max_attempts: 3,
            lease: chrono::Duration::minutes(10),
            batch: 500,
        };
        engine
            .run_reminders(
                &engine::Actor::SYSTEM,
                now,
                engine::reminders::ReminderMode::Send {
                    mailer: &mailer,
                    settings: &settings,
                },
            )
            .await
            .unwrap()
    }

    /// The plain text of the first message received for `address`.
    pub fn body_to(&self, address: &str) -> String {
        let inbox = self.received();
        let message = inbox
            .iter()
            .find(|m| m.to.iter().any(|t| t.contains(address)))
            .unwrap_or_else(|| panic!("nothing reached {address}: {inbox:?}"));
        let parsed = mail_parser::MessageParser::default().parse(&message.data[..]).unwrap();
        parsed.body_text(0).unwrap().to_string()
    }
}
