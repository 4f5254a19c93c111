//! Test harness: fresh databases, a fixed clock, and a district with its people.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use engine::model::{District, Organization, OrganizationKind};
use engine::registry::{self, SourceFile};
use engine::service::{LaunchProject, NewDistrict, NewOrganization, NewUser};
use engine::{Actor, Engine, FixedClock, Role};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A migrated database with the built-in workflows (and the test corpus's minimal one)
/// registered, an engine over it and the clock it runs on.
pub struct TestDb {
    pub engine: Engine,
    /// The database URL (for a second engine on the same database).
    pub url: String,
    /// SQL statements executed on this test's connection.
    pub statements: Arc<std::sync::atomic::AtomicU64>,
    pub clock: Arc<FixedClock>,
    #[allow(dead_code)] // for tests that differ by backend
    pub backend: Backend,
}

/// Monday 3 March 2025, 09:00 in Moscow.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 6, 0, 0).unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn postgres_admin_url() -> String {
    std::env::var("PO_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("PO_TEST_REQUIRE_POSTGRES").is_some()
}

/// A URL for a fresh PostgreSQL database, created now; `None` (skip) when PostgreSQL is not
/// reachable and not required.
pub async fn fresh_postgres() -> Option<(String, String)> {
    let admin_url = postgres_admin_url();
    let admin = match Database::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(e) if !postgres_required() => {
            eprintln!(
                "SKIPPED the PostgreSQL half of this test: {admin_url} is not reachable ({e}); set CI=1 to make this a failure"
            );
            return None;
        }
        Err(e) => panic!("PostgreSQL at {admin_url} is required (CI is set) but not reachable: {e}"),
    };
    let name = unique_name("po_test");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.ok();
    let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    Some((format!("{base}/{name}"), name))
}

pub async fn drop_postgres(name: &str) {
    if let Ok(admin) = Database::connect(&postgres_admin_url()).await {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
    }
}

/// A URL for a fresh SQLite file in the temp directory.
pub fn fresh_sqlite() -> (String, PathBuf) {
    let dir = std::env::temp_dir().join(unique_name("po-test"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("project-office.db");
    (format!("sqlite://{}", file.display()), dir)
}

/// What a test made and must remove.
enum Scratch {
    Dir(PathBuf),
    Database(String),
}

/// Runs `body` against a fresh database of `backend`, then removes the database, also when
/// the body panics (the panic is passed on).
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(TestDb) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (url, scratch) = match backend {
        Backend::Sqlite => {
            let (url, dir) = fresh_sqlite();
            (url, Scratch::Dir(dir))
        }
        Backend::Postgres => {
            let Some((url, name)) = fresh_postgres().await else {
                return;
            };
            (url, Scratch::Database(name))
        }
    };
    let statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let db = engine::store::connect_counted(&url, statements.clone()).await.unwrap();
    engine::store::migrate(&db).await.unwrap();
    let clock = Arc::new(FixedClock::new(default_now()));
    let engine = Engine::new(db.clone(), clock.clone());
    engine.register_regions().await.unwrap();
    let mut sources = registry::builtin_sources();
    sources.push(SourceFile {
        name: "tests/workflows/good/minimal.toml".into(),
        text: std::fs::read_to_string(repo_path("tests/workflows/good/minimal.toml")).unwrap(),
    });
    let loaded = registry::load(sources, Vec::new()).unwrap();
    engine.register_definitions(&loaded).await.unwrap();
    let outcome = tokio::spawn(body(TestDb {
        engine,
        url: url.clone(),
        statements,
        clock,
        backend,
    }))
    .await;
    db.close().await.ok();
    match scratch {
        Scratch::Dir(dir) => drop(std::fs::remove_dir_all(dir)),
        Scratch::Database(name) => drop_postgres(&name).await,
    }
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Declares each test twice, on SQLite and on PostgreSQL: for `async fn name(db: TestDb)`,
/// `both_backends!(name);` makes the tests `name::sqlite` and `name::postgres` (a module and a
/// function may share a name). The bodies are plain functions, so rustfmt formats them.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::helpers::run($crate::helpers::Backend::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::helpers::run($crate::helpers::Backend::Postgres, super::$name).await
            }
        }
    )*};
}

/// A district with schools and one person of every role.
pub struct World {
    pub district: District,
    pub other_district: District,
    pub schools: Vec<Organization>,
    pub other_school: Organization,
    pub admin: Actor,
    pub coordinator: Actor,
    pub other_coordinator: Actor,
    /// Director of `schools[0]`.
    pub director: Actor,
    /// Director of `schools[1]`.
    pub second_director: Actor,
    pub observer: Actor,
}

impl TestDb {
    pub async fn world(&self) -> World {
        let e = &self.engine;
        let sys = Actor::SYSTEM;
        let district = e
            .create_district(
                &sys,
                NewDistrict {
                    name: "Чесменский район".into(),
                    time_zone: Some("Asia/Yekaterinburg".into()),
                    region_code: Some("74".into()),
                },
            )
            .await
            .unwrap();
        let other_district = e
            .create_district(
                &sys,
                NewDistrict {
                    name: "Ярцевский район".into(),
                    time_zone: Some("Europe/Moscow".into()),
                    region_code: Some("67".into()),
                },
            )
            .await
            .unwrap();
        let mut schools = Vec::new();
        for name in [
            "МОУ «Чесменская СОШ № 1»",
            "МОУ «Тарутинская СОШ»",
            "МОУ «Новоукраинская СОШ»",
        ] {
            schools.push(
                e.create_organization(
                    &sys,
                    NewOrganization {
                        district_id: district.id,
                        name: name.into(),
                        kind: OrganizationKind::School,
                        email: None,
                    },
                )
                .await
                .unwrap(),
            );
        }
        let other_school = e
            .create_organization(
                &sys,
                NewOrganization {
                    district_id: other_district.id,
                    name: "МБОУ «СШ № 2» г. Ярцево".into(),
                    kind: OrganizationKind::School,
                    email: None,
                },
            )
            .await
            .unwrap();
        let user = |email: &str, role: Role, district_id: Option<i64>, organization_id: Option<i64>| NewUser {
            email: email.into(),
            full_name: format!("Пользователь {email}"),
            password: Some("пароль-для-тестов".into()),
            role,
            district_id,
            organization_id,
        };
        let mut actors = Vec::new();
        for input in [
            user("admin@po.test", Role::Admin, None, None),
            user("coordinator@chesma.test", Role::Coordinator, Some(district.id), None),
            user(
                "coordinator@yartsevo.test",
                Role::Coordinator,
                Some(other_district.id),
                None,
            ),
            user("director1@chesma.test", Role::Director, None, Some(schools[0].id)),
            user("director2@chesma.test", Role::Director, None, Some(schools[1].id)),
            user("observer@chesma.test", Role::Observer, Some(district.id), None),
        ] {
            let created = e.create_user(&sys, input).await.unwrap();
            actors.push(e.actor_for_user(created.id).await.unwrap());
        }
        let [
            admin,
            coordinator,
            other_coordinator,
            director,
            second_director,
            observer,
        ] = actors.try_into().unwrap();
        World {
            district,
            other_district,
            schools,
            other_school,
            admin,
            coordinator,
            other_coordinator,
            director,
            second_director,
            observer,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        self.engine.db()
    }

    /// Stores an indicator report the way the reporting service will (it is built later);
    /// used to satisfy `indicators_reported` guards.
    pub async fn insert_report(
        &self,
        project_id: i64,
        organization_id: i64,
        indicator: &str,
        period: &str,
        value: f64,
    ) {
        let backend = self.db().get_database_backend();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO indicator_reports (project_id, organization_id, indicator_key, period, value, reported_at, revision) VALUES ($1, $2, $3, $4, $5, $6, 1)"
            }
            _ => {
                "INSERT INTO indicator_reports (project_id, organization_id, indicator_key, period, value, reported_at, revision) VALUES (?, ?, ?, ?, ?, ?, 1)"
            }
        };
        self.db()
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    project_id.into(),
                    organization_id.into(),
                    indicator.into(),
                    period.into(),
                    value.into(),
                    self.clock_now().into(),
                ],
            ))
            .await
            .unwrap();
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use engine::Clock;
        self.clock.now()
    }
}

/// A launch of the test corpus's minimal workflow for one school.
pub fn minimal_launch(world: &World, school: usize) -> LaunchProject {
    LaunchProject {
        workflow_key: "corpus".into(),
        district_id: world.district.id,
        participants: vec![world.schools[school].id],
        start_date: Some(date("2025-03-03")),
        ..Default::default()
    }
}

/// The error code of a result that must be an error.
pub fn code<T: std::fmt::Debug>(result: engine::Result<T>) -> &'static str {
    result.expect_err("expected an error").code()
}

/// The real HTTP server of a test, on a free port of the loopback interface.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
}

impl TestDb {
    /// Starts the real server (the router `project-office serve` runs) over this test's
    /// engine on 127.0.0.1 and a free port.
    pub async fn spawn_server(&self) -> Server {
        self.spawn_server_with(graphql::ServerConfig::default()).await
    }

    /// [`TestDb::spawn_server`] with other limits and manners.
    pub async fn spawn_server_with(&self, limits: graphql::ServerConfig) -> Server {
        self.spawn_server_mailing(limits, None).await
    }

    /// [`TestDb::spawn_server_with`], its letters going to the SMTP server at `smtp_url`
    /// (`None`: `.eml` files in a scratch folder).
    pub async fn spawn_server_mailing(&self, limits: graphql::ServerConfig, smtp_url: Option<&str>) -> Server {
        // Bound first, so the links in letters point at this very server.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mail_dir = std::env::temp_dir().join(unique_name("po-mail"));
        let mailer = engine::mail::transport::Mailer::from_url(smtp_url, &mail_dir).unwrap();
        let settings = engine::reminders::DeliverySettings {
            base_url: format!("http://{address}"),
            from: "Проектный офис <noreply@po.test>".parse().unwrap(),
            max_attempts: 3,
            lease: chrono::Duration::minutes(10),
            batch: 500,
        };
        let runtime = graphql::ReminderRuntime { mailer, settings };
        let router = graphql::server::app(self.engine.clone(), &limits, Some(runtime));
        tokio::spawn(graphql::server::serve_with(
            listener,
            router,
            limits.header_timeout,
            std::future::pending(),
        ));
        Server {
            base: format!("http://{address}"),
            http: reqwest::Client::new(),
        }
    }

    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

impl Server {
    /// Sends a GraphQL request (POST, JSON) and returns the response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: serde_json::Value) -> serde_json::Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        response.json().await.unwrap()
    }

    /// `data` of a response that must have no errors.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: serde_json::Value) -> serde_json::Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Signs in and returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let data = self
            .ok(
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                serde_json::json!({ "e": email, "p": password }),
            )
            .await;
        data["login"]["token"].as_str().unwrap().to_string()
    }
}

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &serde_json::Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body:#}"))
}
