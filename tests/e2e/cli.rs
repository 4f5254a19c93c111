//! The command line: `workflows check`, `migrate`, `workflows list`.

use std::process::{Command, Output};

use crate::helpers::{fresh_sqlite, repo_path};

fn project_office(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_project-office"));
    command
        .args(args)
        .current_dir(repo_path(""))
        .env_remove("DATABASE_URL")
        .env_remove("PO_WORKFLOWS_DIR")
        .env_remove("PO_CONFIG");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn workflows_check_passes_on_the_five_builtins() {
    let out = project_office(&["workflows", "check", "workflows"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for key in [
        "tochka-rosta",
        "school-leaders",
        "unified-methodical-day",
        "school-quality-roadmap",
        "methodical-service-monitoring",
    ] {
        assert!(stdout.contains(&format!("({key})")), "{stdout}");
    }
}

#[test]
fn workflows_check_refuses_a_broken_file_with_file_line_column_and_key() {
    let out = project_office(&["workflows", "check", "tests/workflows/bad/unknown-key.toml"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("tests/workflows/bad/unknown-key.toml:17:1: stages[1].titel: неизвестный ключ «titel»"),
        "{stderr}"
    );
}

#[test]
fn workflows_check_of_the_whole_bad_corpus_fails_and_reports_every_file() {
    let out = project_office(&["workflows", "check", "tests/workflows/bad"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let files = std::fs::read_dir(repo_path("tests/workflows/bad")).unwrap().count();
    for entry in std::fs::read_dir(repo_path("tests/workflows/bad")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            stderr.contains(&format!("tests/workflows/bad/{name}:")),
            "{name} is not reported"
        );
    }
    assert!(files >= 20);
}

#[test]
fn migrate_creates_the_database_and_registers_versions_once() {
    let (url, dir) = fresh_sqlite();
    let first = project_office(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("workflow tochka-rosta version 1 (new)"),
        "{}",
        text(&first.stdout)
    );
    assert!(dir.join("project-office.db").exists());
    let second = project_office(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(second.status.success());
    assert!(!text(&second.stdout).contains("(new)"), "{}", text(&second.stdout));

    // An administrator's changed copy in PO_WORKFLOWS_DIR becomes version 2.
    let extra = dir.join("workflows");
    std::fs::create_dir_all(&extra).unwrap();
    let builtin = std::fs::read_to_string(repo_path("workflows/school-quality-roadmap.toml")).unwrap();
    std::fs::write(
        extra.join("roadmap.toml"),
        builtin.replacen("title = \"", "title = \"Изменённая: ", 1),
    )
    .unwrap();
    let list = project_office(
        &["workflows", "list"],
        &[("DATABASE_URL", &url), ("PO_WORKFLOWS_DIR", extra.to_str().unwrap())],
    );
    assert!(list.status.success(), "{}", text(&list.stderr));
    let stdout = text(&list.stdout);
    let roadmap: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("school-quality-roadmap "))
        .collect();
    assert_eq!(roadmap.len(), 2, "{stdout}");
    assert!(
        roadmap[0].contains("(superseded)") && roadmap[1].contains("Изменённая"),
        "{stdout}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_database_url_of_an_unknown_kind_is_a_clear_error() {
    let out = project_office(&["migrate"], &[("DATABASE_URL", "mysql://root:secret@localhost/po")]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("sqlite://") && !stderr.contains("secret"), "{stderr}");
}

#[test]
fn create_admin_reads_the_password_from_stdin_and_the_admin_can_sign_in() {
    use std::io::Write;
    let (url, dir) = fresh_sqlite();
    let mut child = Command::new(env!("CARGO_BIN_EXE_project-office"))
        .args([
            "users",
            "create-admin",
            "--email",
            "Admin@Chesma.ru",
            "--name",
            "Иванов Иван Иванович",
        ])
        .env("DATABASE_URL", &url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Пароль-админа-2025\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("administrator admin@chesma.ru created"),
        "{}",
        text(&out.stdout)
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = engine::store::connect(&url).await.unwrap();
        let engine = engine::Engine::new(db, std::sync::Arc::new(engine::SystemClock));
        let session = engine.login("admin@chesma.ru", "Пароль-админа-2025").await.unwrap();
        assert_eq!(
            (session.user.role, session.user.full_name.as_str()),
            (engine::Role::Admin, "Иванов Иван Иванович")
        );
        assert_eq!(
            engine.authenticate(&session.token).await.unwrap().role,
            engine::Role::Admin
        );
    });
    // A password too short is refused and nothing is created.
    let mut child = Command::new(env!("CARGO_BIN_EXE_project-office"))
        .args(["users", "create-admin", "--email", "second@chesma.ru"])
        .env("DATABASE_URL", &url)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("8"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn serve_starts_on_the_defaults_answers_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let (url, dir) = fresh_sqlite();
    let mut child = Command::new(env!("CARGO_BIN_EXE_project-office"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &url)
        .env("PO_DATA_DIR", &dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the address it listens on")
        .to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
        assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);
        let page = http
            .get(format!("{base}/graphql"))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(page.text().await.unwrap().contains("graphiql"), "GraphiQL in a browser");
        let body: serde_json::Value = http
            .post(format!("{base}/graphql"))
            .json(&serde_json::json!({ "query": "{ workflows { key } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let metrics = http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(metrics.contains("po_graphql_requests_total"), "{metrics}");
    });
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
    std::fs::remove_dir_all(dir).ok();
}

/// `backup` and `restore` on both databases: the copy is taken with the engine's pool open
/// (as under a running server), later changes are undone by the restore, and on SQLite the
/// replaced database is kept beside it. Bad copies are refused before anything changes.
mod backup {
    use std::path::PathBuf;

    use engine::Role;
    use engine::service::NewUser;

    use super::{project_office, text};
    use crate::helpers::{Backend, TestDb, run};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("po-backup-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn free_listen() -> String {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        format!("127.0.0.1:{port}")
    }

    async fn users_in(url: &str) -> Vec<String> {
        use sea_orm::{ConnectionTrait, Statement};
        let db = engine::store::connect(url).await.unwrap();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT email FROM users ORDER BY email",
            ))
            .await
            .unwrap();
        db.close().await.ok();
        rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
    }

    async fn round_trip(db: TestDb) {
        let _w = db.world().await;
        let dir = scratch(if db.backend == Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        });
        let copy = dir.join("copy.db");
        let listen = free_listen();
        let env = [("DATABASE_URL", db.url.as_str()), ("PO_LISTEN", listen.as_str())];
        let out = project_office(&["backup", copy.to_str().unwrap()], &env);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(copy.is_file());
        let before = users_in(&db.url).await;
        assert_eq!(before.len(), 6, "{before:?}");

        // An existing file is never overwritten.
        let again = project_office(&["backup", copy.to_str().unwrap()], &env);
        assert!(!again.status.success());
        assert!(text(&again.stderr).contains("уже есть"), "{}", text(&again.stderr));

        // Work done after the copy…
        db.engine
            .create_user(
                &engine::Actor::SYSTEM,
                NewUser {
                    email: "late@chesma.test".into(),
                    full_name: "Поздний Пользователь".into(),
                    password: None,
                    role: Role::Observer,
                    district_id: None,
                    organization_id: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(users_in(&db.url).await.len(), 7);

        // …a file that is no copy is refused and changes nothing…
        let junk = dir.join("junk.db");
        std::fs::write(&junk, b"not a database at all").unwrap();
        let refused = project_office(&["restore", junk.to_str().unwrap()], &env);
        assert!(!refused.status.success());
        assert_eq!(users_in(&db.url).await.len(), 7);

        // …and the restore brings back the state of the copy.
        let out = project_office(&["restore", copy.to_str().unwrap()], &env);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(users_in(&db.url).await, before);
        if db.backend == Backend::Sqlite {
            assert!(
                text(&refused.stderr).contains("не копия базы"),
                "{}",
                text(&refused.stderr)
            );
            let stdout = text(&out.stdout);
            assert!(stdout.contains("пользователей 6"), "{stdout}");
            let kept = stdout
                .lines()
                .find_map(|l| l.strip_prefix("прежняя база сохранена в "))
                .unwrap_or_else(|| panic!("{stdout}"));
            let kept_url = format!("sqlite://{kept}");
            assert!(users_in(&kept_url).await.contains(&"late@chesma.test".to_string()));
        }

        // A running server (its address taken) stops a restore.
        let busy = std::net::TcpListener::bind(&listen).unwrap();
        let refused = project_office(&["restore", copy.to_str().unwrap()], &env);
        assert!(!refused.status.success());
        assert!(
            text(&refused.stderr).contains("сервер запущен"),
            "{}",
            text(&refused.stderr)
        );
        drop(busy);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn round_trips_on_sqlite() {
        run(Backend::Sqlite, round_trip).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn round_trips_on_postgres() {
        run(Backend::Postgres, round_trip).await;
    }
}
