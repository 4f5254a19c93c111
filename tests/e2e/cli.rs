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
