//! Definition versions: unchanged files keep their version, changed ones get a new one, and
//! a project keeps the version it was launched with.

use engine::registry::{self, SourceFile};

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::{minimal_launch, repo_path};

fn minimal(text_change: Option<(&str, &str)>) -> Vec<registry::LoadedDefinition> {
    let mut text = std::fs::read_to_string(repo_path("tests/workflows/good/minimal.toml")).unwrap();
    if let Some((from, to)) = text_change {
        text = text.replace(from, to);
    }
    registry::load(
        vec![SourceFile {
            name: "minimal.toml".into(),
            text,
        }],
        Vec::new(),
    )
    .unwrap()
}

async fn a_changed_definition_becomes_a_new_version_and_projects_keep_theirs(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    // Registered once by the harness; again with only a comment changed: same version.
    let same = e
        .register_definitions(&minimal(Some(("# A minimal", "# Другой комментарий. A minimal"))))
        .await
        .unwrap();
    assert_eq!((same[0].version, same[0].created), (1, false));
    let old_project = e.launch_project(&w.coordinator, minimal_launch(&w, 0)).await.unwrap();
    assert_eq!(old_project.workflow.version, 1);

    let changed = e
        .register_definitions(&minimal(Some(("title = \"Работа\"", "title = \"Реализация\""))))
        .await
        .unwrap();
    assert_eq!((changed[0].version, changed[0].created), (2, true));
    let new_project = e.launch_project(&w.coordinator, minimal_launch(&w, 1)).await.unwrap();
    assert_eq!(new_project.workflow.version, 2);
    assert_eq!(new_project.definition.stage("work").unwrap().title, "Реализация");
    let reread = e.project(&w.admin, old_project.project.id).await.unwrap();
    assert_eq!(
        (
            reread.workflow.version,
            reread.definition.stage("work").unwrap().title.as_str()
        ),
        (1, "Работа")
    );

    // Reverting the file is a change too: the newest version is what the files say now.
    let reverted = e.register_definitions(&minimal(None)).await.unwrap();
    assert_eq!((reverted[0].version, reverted[0].created), (3, true));
    assert_eq!(e.workflow_version("corpus", None).await.unwrap().version, 3);
    assert_eq!(
        e.workflow_version("corpus", Some(2))
            .await
            .unwrap()
            .definition
            .stage("work")
            .unwrap()
            .title,
        "Реализация"
    );
    assert_eq!(
        e.workflow_version("corpus", Some(9)).await.unwrap_err().code(),
        "NOT_FOUND"
    );
}

async fn an_administrators_file_replaces_the_builtin_with_the_same_key(db: TestDb) {
    let builtin = registry::builtin_sources();
    let original = builtin
        .iter()
        .find(|s| s.name.ends_with("tochka-rosta.toml"))
        .unwrap()
        .clone();
    let edited = SourceFile {
        name: "/etc/project-office/tochka-rosta.toml".into(),
        text: original.text.replacen("title = \"", "title = \"Обновлённый: ", 1),
    };
    let loaded = registry::load(builtin, vec![edited]).unwrap();
    assert_eq!(
        loaded.iter().filter(|l| l.definition.key() == "tochka-rosta").count(),
        1
    );
    let registered = db.engine.register_definitions(&loaded).await.unwrap();
    let tochka = registered.iter().find(|r| r.key == "tochka-rosta").unwrap();
    assert_eq!((tochka.version, tochka.created), (2, true));
    assert!(
        registered
            .iter()
            .filter(|r| r.key != "tochka-rosta")
            .all(|r| !r.created)
    );
    assert!(
        db.engine
            .workflow_version("tochka-rosta", None)
            .await
            .unwrap()
            .definition
            .title()
            .starts_with("Обновлённый")
    );
}

both_backends!(
    a_changed_definition_becomes_a_new_version_and_projects_keep_theirs,
    an_administrators_file_replaces_the_builtin_with_the_same_key
);
