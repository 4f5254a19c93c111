//! Validation tests. The corpus of bad definitions lives in `tests/workflows/bad/`: each file
//! says in its first lines where the error must be reported (`# expect: LINE:COLUMN KEY`) and
//! a fragment of the message (`# message: …`).

use super::*;

const VALID: &str = include_str!("../../../tests/workflows/good/minimal.toml");

#[test]
fn a_valid_definition_parses() {
    let def = Definition::parse("minimal.toml", VALID).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(def.key(), "corpus");
    assert_eq!(def.scope(), Scope::Organization);
    assert_eq!(def.stages().len(), 3);
    assert_eq!(def.first_stage().key, "start");
    assert_eq!(def.reminders(), &ReminderPolicy::default());
    assert_eq!(
        def.stages()[0].due,
        Some(DueRule::Offset {
            days: 10,
            unit: DayUnit::Working,
            anchor: Anchor::ProjectStart
        })
    );
    assert_eq!(
        def.transition("work", "done").unwrap().guards.indicators_reported,
        vec!["1.1".to_string()]
    );
    let indicator = def.indicator("1.1").unwrap();
    assert_eq!(
        (indicator.kind, indicator.target),
        (IndicatorType::Percent, Some(Target::PerPeriod(100.0)))
    );
}

#[test]
fn comments_and_formatting_do_not_change_the_fingerprint_but_content_does() {
    let a = Definition::parse("a.toml", VALID).unwrap();
    let reformatted = format!(
        "# Другой комментарий\n\n{}",
        VALID.replace("title = \"Начало\"", "title   =   \"Начало\"   # этап")
    );
    let b = Definition::parse("b.toml", &reformatted).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    let changed = Definition::parse("c.toml", &VALID.replace("title = \"Начало\"", "title = \"Старт\"")).unwrap();
    assert_ne!(a.fingerprint(), changed.fingerprint());
}

#[test]
fn a_stored_definition_reads_back_equal() {
    let def = Definition::parse("a.toml", VALID).unwrap();
    assert_eq!(Definition::from_stored_json(&def.to_json()).unwrap(), def);
}

#[test]
fn every_builtin_workflow_is_valid() {
    let files = crate::registry::builtin_sources();
    assert!(files.len() >= 5, "{} built-in workflows", files.len());
    for file in &files {
        if let Err(e) = Definition::parse(&file.name, &file.text) {
            panic!("{e}");
        }
        assert!(
            file.text.trim_start().starts_with('#'),
            "{} must start with a comment naming its sources",
            file.name
        );
    }
    let keys: Vec<String> = files
        .iter()
        .map(|f| Definition::parse(&f.name, &f.text).unwrap().key().to_string())
        .collect();
    for key in [
        "tochka-rosta",
        "school-leaders",
        "unified-methodical-day",
        "school-quality-roadmap",
        "methodical-service-monitoring",
    ] {
        assert!(keys.iter().any(|k| k == key), "missing built-in {key}");
    }
}

#[test]
fn every_bad_definition_in_the_corpus_is_refused_where_its_header_says() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/workflows/bad");
    let files = crate::registry::read_dir(&dir).unwrap();
    assert!(files.len() >= 20, "the corpus has {} files", files.len());
    for file in files {
        let header = |tag: &str| -> String {
            file.text
                .lines()
                .find_map(|l| l.strip_prefix(tag))
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|| panic!("{} has no `{tag}` line", file.name))
        };
        let expect = header("# expect:");
        let message = header("# message:");
        let errors = match Definition::parse(&file.name, &file.text) {
            Ok(_) => panic!("{} was accepted", file.name),
            Err(errors) => errors,
        };
        let found = errors
            .0
            .iter()
            .any(|e| format!("{}:{} {}", e.line, e.column, e.key) == expect && e.message.contains(&message));
        assert!(
            found,
            "{}: expected «{expect}» with «{message}», got:\n{errors}",
            file.name
        );
    }
}

#[test]
fn a_toml_syntax_error_is_located() {
    let errors = Definition::parse("broken.toml", "key = \"x\"\ntitle = \"Т\nscope = \"district\"\n").unwrap_err();
    let first = &errors.0[0];
    assert_eq!((first.file.as_str(), first.line), ("broken.toml", 2));
    assert!(first.message.contains("TOML"), "{first}");
}

const PARALLEL: &str = include_str!("../../../tests/workflows/good/parallel.toml");

#[test]
fn a_fork_opens_its_branches_and_the_join_waits_for_both() {
    let def = Definition::parse("parallel.toml", PARALLEL).unwrap_or_else(|e| panic!("{e}"));
    assert!(def.has_branches());
    let idx = |k: &str| def.stage_index(k).unwrap();
    let keys = |m: Marking| m.stages().map(|i| def.stages()[i].key.as_str()).collect::<Vec<_>>();
    assert_eq!(def.stage("meet").unwrap().join, vec!["a".to_string(), "b".to_string()]);

    let fork = def.fire(def.initial_marking(), def.transition("start", "a").unwrap());
    assert_eq!(keys(fork.marking), ["a", "b"]);
    assert_eq!(fork.opened, vec![idx("a"), idx("b")]);

    // The first branch to finish waits at the join; the second opens it.
    let first = def.fire(fork.marking, def.transition("b", "meet").unwrap());
    assert_eq!(
        (keys(first.marking), first.waiting.clone()),
        (vec!["a"], vec![idx("meet")])
    );
    assert_eq!(def.waited_for(first.marking, idx("meet")), vec![idx("a")]);
    let second = def.fire(first.marking, def.transition("a", "meet").unwrap());
    assert_eq!(keys(second.marking), ["meet"]);
    assert!(second.waiting.is_empty() && !second.finished);

    // A return for revision reruns one branch; the join opens when it is done, without
    // waiting for the branch that was not rerun.
    let back = def.fire(second.marking, def.transition("meet", "a").unwrap());
    assert_eq!(keys(back.marking), ["a"]);
    let again = def.fire(back.marking, def.transition("a", "meet").unwrap());
    assert_eq!(keys(again.marking), ["meet"]);

    let done = def.fire(again.marking, def.transition("meet", "done").unwrap());
    assert!(done.finished && done.marking.is_empty());
}

#[test]
fn parallel_branches_do_not_come_before_one_another() {
    let def = Definition::parse("parallel.toml", PARALLEL).unwrap();
    let idx = |k: &str| def.stage_index(k).unwrap();
    assert!(def.precedes(idx("start"), idx("a")));
    assert!(def.precedes(idx("start"), idx("meet")));
    assert!(def.precedes(idx("a"), idx("meet")));
    assert!(!def.precedes(idx("a"), idx("b")));
    assert!(!def.precedes(idx("meet"), idx("a")), "a return is not a way forward");
    let minimal = Definition::parse("minimal.toml", VALID).unwrap();
    assert!(minimal.precedes(0, 2) && !minimal.has_branches());
}

#[test]
fn a_definition_without_forks_stores_as_before() {
    // `to` is stored as a string for one stage and `join` is left out: the fingerprints of
    // definitions written before branches, and so their versions, do not change.
    let json = Definition::parse("minimal.toml", VALID).unwrap().to_json();
    assert!(json.contains(r#""to":"work""#), "{json}");
    assert!(!json.contains("join"), "{json}");
    let parallel = Definition::parse("parallel.toml", PARALLEL).unwrap();
    assert!(parallel.to_json().contains(r#""to":["a","b"]"#));
    assert_eq!(Definition::from_stored_json(&parallel.to_json()).unwrap(), parallel);
}
